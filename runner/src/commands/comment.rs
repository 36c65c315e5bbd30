//! `tailguard comment`: one PR comment per report id, created once and updated after, only
//! while the PR's head is the commit the report was made for.

use anyhow::Context as _;

use crate::cli::CommentArgs;
use crate::github::{CommentRequest, Github, Head, Upserted};
use crate::Exit;

/// Run the command.
pub fn command(args: &CommentArgs) -> anyhow::Result<Exit> {
    let body = std::fs::read_to_string(&args.body)
        .with_context(|| format!("reading the comment body {}", args.body.display()))?;
    if body.trim().is_empty() {
        anyhow::bail!(
            "--body {}: the file is empty; refusing to post an empty comment",
            args.body.display()
        );
    }
    // A workflow_run job holds a write token and reads the PR number from another run's
    // artifact: only the head check ties that number to the run.
    if args.head_sha.is_none()
        && std::env::var("GITHUB_EVENT_NAME").as_deref() == Ok("workflow_run")
    {
        anyhow::bail!(
            "--head-sha is required in a workflow_run job (github.event.workflow_run.head_sha): \
             without it the PR number from the artifact is not checked against the run"
        );
    }
    let token = std::env::var("GITHUB_TOKEN").unwrap_or_default();
    let gh = Github::new(&args.api_url, &args.repo, token)?.with_timeout(args.timeout);
    let request = CommentRequest {
        pr: args.pr,
        id: &args.id,
        body: &body,
        head: args.head_sha.as_deref().map(|sha| Head {
            sha,
            repo: args.head_repo.as_deref(),
        }),
        bot_login: &args.bot_login,
    };
    match gh.upsert(&request)? {
        Upserted::Created(url) => println!("created the comment {url}"),
        Upserted::Updated(url) => println!("updated the comment {url}"),
    }
    Ok(Exit::Success)
}
