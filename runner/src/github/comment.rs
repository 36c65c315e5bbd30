//! The pull-request comment: one comment per PR and report id, written by the token's own
//! identity and found again by a hidden marker *and* its author, updated in place on later runs.
//!
//! Safe in a `workflow_run` job that reads an artifact a fork produced:
//! - with a [`Head`], nothing is written unless the PR's current head is that commit (and
//!   repository), so a PR number taken from the artifact can only reach the PR that ran;
//! - a comment by anyone else is never edited, whatever marker it carries;
//! - a POST is never repeated blindly: when its answer is lost (timeout, 5xx) the comments are
//!   listed again first, so a comment GitHub stored is not posted twice;
//! - an empty body is refused.

use serde::Deserialize;

use super::{html_url, next_link, Github, GithubError, Retry, ATTEMPTS};

/// GitHub refuses comment bodies longer than this many characters.
pub const MAX_BODY: usize = 65_536;

/// The commit a report was made for, as the trusted workflow knows it
/// (`github.event.workflow_run.head_sha` and `.head_repository.full_name`).
#[derive(Debug, Clone, Copy)]
pub struct Head<'a> {
    /// Full commit SHA.
    pub sha: &'a str,
    /// `OWNER/NAME` of the repository the head lives in (a fork's for fork PRs).
    pub repo: Option<&'a str>,
}

/// What to write where.
#[derive(Debug, Clone, Copy)]
pub struct CommentRequest<'a> {
    /// Pull request number.
    pub pr: u64,
    /// Which of tailguard's comments (one per id).
    pub id: &'a str,
    /// Markdown.
    pub body: &'a str,
    /// Refuse to write unless the PR's head is this.
    pub head: Option<Head<'a>>,
    /// Who the token writes as when `GET /user` is closed to it (installation tokens):
    /// `github-actions[bot]` for GITHUB_TOKEN, `APP-SLUG[bot]` for another GitHub App.
    pub bot_login: &'a str,
}

/// What happened to the comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upserted {
    /// A new comment (its URL).
    Created(String),
    /// The existing comment, updated (its URL).
    Updated(String),
}

#[derive(Deserialize)]
struct User {
    login: String,
}

#[derive(Deserialize)]
struct Comment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    html_url: String,
    #[serde(default)]
    user: Option<User>,
}

#[derive(Deserialize)]
struct Pull {
    head: PullHead,
}

#[derive(Deserialize)]
struct PullHead {
    sha: String,
    /// `null` when the fork was deleted.
    repo: Option<Repo>,
}

#[derive(Deserialize)]
struct Repo {
    full_name: String,
}

impl Github {
    /// The hidden marker that identifies the comment (`id` tells several reports apart).
    #[must_use]
    pub fn marker(id: &str) -> String {
        format!("<!-- tailguard:{id} -->")
    }

    /// Create the PR's comment, or update the one this identity wrote before.
    pub fn upsert(&self, req: &CommentRequest<'_>) -> Result<Upserted, GithubError> {
        if req.body.trim().is_empty() {
            return Err(GithubError::Config(
                "the comment body is empty: refusing to post an empty report".into(),
            ));
        }
        let marker = Self::marker(req.id);
        let body = with_marker(req.body, &marker);
        self.rt.block_on(async {
            if let Some(head) = req.head {
                self.check_head(req.pr, head).await?;
            }
            let me = self.identity(req.bot_login).await?;
            match self.find(req.pr, &marker, &me).await? {
                Some(c) => self.update(&c, &body).await,
                None => self.create(req.pr, &marker, &me, &body).await,
            }
        })
    }

    /// Refuse unless the PR's current head is `head` (a 404 also refuses: not a pull request).
    async fn check_head(&self, pr: u64, head: Head<'_>) -> Result<(), GithubError> {
        let (pull, _): (Pull, _) = self
            .get_json(&self.repo_url(&format!("pulls/{pr}")))
            .await?;
        let actual_repo = pull.head.repo.as_ref().map(|r| r.full_name.as_str());
        let sha_ok = pull.head.sha.eq_ignore_ascii_case(head.sha);
        let repo_ok = head
            .repo
            .is_none_or(|want| actual_repo.is_some_and(|got| got.eq_ignore_ascii_case(want)));
        if sha_ok && repo_ok {
            return Ok(());
        }
        let show = |repo: Option<&str>, sha: &str| match repo {
            Some(r) => format!("{r}@{sha}"),
            None => sha.to_owned(),
        };
        let actual_repo = head
            .repo
            .map(|_| actual_repo.unwrap_or("(deleted repository)"));
        Err(GithubError::HeadMoved {
            pr,
            expected: show(head.repo, head.sha),
            actual: show(actual_repo, &pull.head.sha),
        })
    }

    /// The login the token writes as: `GET /user`, or `bot_login` for an installation token
    /// (GitHub answers 403 "Resource not accessible by integration" to those).
    async fn identity(&self, bot_login: &str) -> Result<String, GithubError> {
        let url = format!("{}/user", self.api);
        match self.get_json::<User>(&url).await {
            Ok((user, _)) => Ok(user.login),
            Err(GithubError::Forbidden { message, .. })
                if message.contains("Resource not accessible by integration") =>
            {
                Ok(bot_login.to_owned())
            }
            Err(e) => Err(e),
        }
    }

    /// The first comment of `pr` by `author` containing `marker`, over every page of the list.
    async fn find(
        &self,
        pr: u64,
        marker: &str,
        author: &str,
    ) -> Result<Option<Comment>, GithubError> {
        let mut url = Some(self.repo_url(&format!("issues/{pr}/comments?per_page=100")));
        while let Some(u) = url {
            let (page, link): (Vec<Comment>, _) = self.get_json(&u).await?;
            let ours = page.into_iter().find(|c| {
                let by_me = c
                    .user
                    .as_ref()
                    .is_some_and(|u| u.login.eq_ignore_ascii_case(author));
                by_me && c.body.as_deref().is_some_and(|b| b.contains(marker))
            });
            if ours.is_some() {
                return Ok(ours);
            }
            // The token goes only to this API's own pages, whatever a Link header names.
            let api = format!("{}/", self.api);
            url = link
                .as_deref()
                .and_then(next_link)
                .filter(|u| u.starts_with(&api));
        }
        Ok(None)
    }

    async fn update(&self, c: &Comment, body: &str) -> Result<Upserted, GithubError> {
        let url = self.repo_url(&format!("issues/comments/{}", c.id));
        let payload = serde_json::json!({ "body": body });
        let (_, text, _) = self
            .send(http::Method::PATCH, &url, Some(&payload), Retry::Transient)
            .await?;
        Ok(Upserted::Updated(
            html_url(&text).unwrap_or_else(|| c.html_url.clone()),
        ))
    }

    /// POST once; when the answer is lost or a 5xx, look for the comment before posting again.
    async fn create(
        &self,
        pr: u64,
        marker: &str,
        me: &str,
        body: &str,
    ) -> Result<Upserted, GithubError> {
        let url = self.repo_url(&format!("issues/{pr}/comments"));
        let payload = serde_json::json!({ "body": body });
        let mut wait = self.backoff;
        for attempt in 1..=ATTEMPTS {
            let err = match self
                .send(http::Method::POST, &url, Some(&payload), Retry::Never)
                .await
            {
                Ok((_, text, _)) => {
                    return Ok(Upserted::Created(html_url(&text).unwrap_or_default()))
                }
                Err(e) => e,
            };
            if attempt == ATTEMPTS || !may_have_landed(&err) {
                return Err(err);
            }
            tokio::time::sleep(wait).await;
            wait *= 2;
            if let Some(c) = self.find(pr, marker, me).await? {
                return Ok(Upserted::Created(c.html_url));
            }
        }
        Err(GithubError::Unreachable(format!("POST {url}: gave up")))
    }
}

/// Whether GitHub may have stored a POST that failed this way (or may take it when sent again).
fn may_have_landed(e: &GithubError) -> bool {
    match e {
        GithubError::Unreachable(_) => true,
        GithubError::Status { status, .. } => *status >= 500 || *status == 429,
        _ => false,
    }
}

/// The body with the marker first, cut to GitHub's limit with a note when too long.
fn with_marker(body: &str, marker: &str) -> String {
    let note = "\n\n… (truncated: the full report is in the workflow's artifacts)";
    let mut out = format!("{marker}\n{body}");
    if out.chars().count() > MAX_BODY {
        out = out.chars().take(MAX_BODY - note.chars().count()).collect();
        out.push_str(note);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bodies_are_cut_to_the_limit() {
        let b = with_marker(&"x".repeat(100_000), &Github::marker("report"));
        assert_eq!(b.chars().count(), MAX_BODY);
        assert!(b.starts_with("<!-- tailguard:report -->\n") && b.ends_with("artifacts)"));
    }
}
