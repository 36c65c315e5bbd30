//! `tailguard comment`: one PR comment per report id, created once and updated after.

use anyhow::Context as _;

use crate::cli::CommentArgs;
use crate::github::{Github, Upserted};
use crate::Exit;

/// Run the command.
pub fn command(args: &CommentArgs) -> anyhow::Result<Exit> {
    let body = std::fs::read_to_string(&args.body)
        .with_context(|| format!("reading the comment body {}", args.body.display()))?;
    let token = std::env::var("GITHUB_TOKEN").unwrap_or_default();
    let gh = Github::new(&args.api_url, &args.repo, token)?;
    match gh.upsert(args.pr, &Github::marker(&args.id), &body)? {
        Upserted::Created(url) => println!("created the comment {url}"),
        Upserted::Updated(url) => println!("updated the comment {url}"),
    }
    Ok(Exit::Success)
}
