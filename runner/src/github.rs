//! The pull-request comment: one comment per PR, found again by a hidden marker and updated in
//! place on later runs. GitHub's REST API (or GitHub Enterprise's, `--api-url`), token from
//! `GITHUB_TOKEN`, retries on 5xx and rate limits.

use std::time::Duration;

use http::header::{HeaderName, ACCEPT, AUTHORIZATION};
use http::Method;
use serde::Deserialize;

use crate::http_client::{HttpClient, Request};

/// GitHub refuses comment bodies longer than this many characters.
pub const MAX_BODY: usize = 65_536;
/// Attempts per request (transient failures only).
const ATTEMPTS: u32 = 4;
/// Longest wait for a rate limit to reset before giving up.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// Failures, the token never included.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    /// Bad input.
    #[error("{0}")]
    Config(String),
    /// No answer.
    #[error("GitHub API unreachable: {0}")]
    Unreachable(String),
    /// Refused: the token cannot write (fork pull requests get a read-only token).
    #[error(
        "GitHub refused the comment ({status}: {message}). The token cannot write to this \
         pull request: on pull requests from forks GITHUB_TOKEN is read-only. Post the comment \
         from a separate `workflow_run` workflow that downloads the report artifact and runs \
         with `permissions: pull-requests: write` (docs/ci.md)"
    )]
    Forbidden {
        /// HTTP status.
        status: u16,
        /// GitHub's message.
        message: String,
    },
    /// Any other error answer.
    #[error("GitHub answered {status} to {what}: {message}")]
    Status {
        /// HTTP status.
        status: u16,
        /// The request.
        what: String,
        /// GitHub's message.
        message: String,
    },
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
struct Comment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    html_url: String,
}

/// A client of one repository.
#[derive(Debug)]
pub struct Github {
    http: HttpClient,
    rt: tokio::runtime::Runtime,
    api: String,
    repo: String,
    token: String,
    backoff: Duration,
}

impl Github {
    /// `repo` is `OWNER/NAME`; `api` e.g. `https://api.github.com`.
    pub fn new(api: &str, repo: &str, token: String) -> Result<Self, GithubError> {
        let valid = repo.split('/').count() == 2 && repo.split('/').all(|p| !p.is_empty());
        if !valid {
            return Err(GithubError::Config(format!(
                "--repo {repo:?}: expected OWNER/NAME"
            )));
        }
        if token.is_empty() {
            return Err(GithubError::Config(
                "no token: set GITHUB_TOKEN (in Actions: env: GITHUB_TOKEN: ${{ github.token }})"
                    .into(),
            ));
        }
        let http = HttpClient::new(Duration::from_secs(10), Duration::from_secs(30))
            .map_err(|e| GithubError::Config(format!("HTTP client: {e}")))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| GithubError::Config(format!("runtime: {e}")))?;
        Ok(Self {
            http,
            rt,
            api: api.trim_end_matches('/').to_owned(),
            repo: repo.to_owned(),
            token,
            backoff: Duration::from_secs(1),
        })
    }

    /// Wait this long after the first transient failure (doubling after each).
    #[must_use]
    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// The hidden marker that identifies the comment (`id` tells several reports apart).
    #[must_use]
    pub fn marker(id: &str) -> String {
        format!("<!-- tailguard:{id} -->")
    }

    /// Create the PR's comment carrying `marker`, or update it when it exists.
    pub fn upsert(&self, pr: u64, marker: &str, body: &str) -> Result<Upserted, GithubError> {
        let body = with_marker(body, marker);
        self.rt.block_on(async {
            let existing = self.find(pr, marker).await?;
            let payload = serde_json::json!({ "body": body });
            match existing {
                Some(c) => {
                    let url = format!("{}/repos/{}/issues/comments/{}", self.api, self.repo, c.id);
                    let (_, text, _) = self.send(Method::PATCH, &url, Some(&payload)).await?;
                    Ok(Upserted::Updated(html_url(&text).unwrap_or(c.html_url)))
                }
                None => {
                    let url = format!("{}/repos/{}/issues/{pr}/comments", self.api, self.repo);
                    let (_, text, _) = self.send(Method::POST, &url, Some(&payload)).await?;
                    Ok(Upserted::Created(html_url(&text).unwrap_or_default()))
                }
            }
        })
    }

    /// The first comment of `pr` containing `marker`, following every page of the list.
    async fn find(&self, pr: u64, marker: &str) -> Result<Option<Comment>, GithubError> {
        let mut url = Some(format!(
            "{}/repos/{}/issues/{pr}/comments?per_page=100",
            self.api, self.repo
        ));
        while let Some(u) = url {
            let (_, text, link) = self.send(Method::GET, &u, None).await?;
            let page: Vec<Comment> = serde_json::from_str(&text).map_err(|e| {
                GithubError::Unreachable(format!("comment list is not the expected JSON: {e}"))
            })?;
            if let Some(c) = page
                .into_iter()
                .find(|c| c.body.as_deref().is_some_and(|b| b.contains(marker)))
            {
                return Ok(Some(c));
            }
            url = link.as_deref().and_then(next_link);
        }
        Ok(None)
    }

    /// One request with retries: (status, body, Link header).
    async fn send(
        &self,
        method: Method,
        url: &str,
        json: Option<&serde_json::Value>,
    ) -> Result<(u16, String, Option<String>), GithubError> {
        let what = format!("{method} {}", url.split('?').next().unwrap_or(url));
        let mut wait = self.backoff;
        for attempt in 1..=ATTEMPTS {
            let mut req = Request::new(method.clone(), url)
                .header(AUTHORIZATION, format!("Bearer {}", self.token))
                .header(ACCEPT, "application/vnd.github+json")
                .header(
                    HeaderName::from_static("x-github-api-version"),
                    "2022-11-28",
                );
            if let Some(j) = json {
                req = req.json(j);
            }
            let last = attempt == ATTEMPTS;
            let resp = match self.http.send(req).await {
                Ok(r) => r,
                Err(_) if !last => {
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                    continue;
                }
                Err(e) => return Err(GithubError::Unreachable(e.to_string())),
            };
            let status = resp.status;
            let header = |name: &str| resp.header(name).map(str::to_owned);
            let link = header("link");
            let retry_after = header("retry-after").and_then(|v| v.parse::<u64>().ok());
            let remaining = header("x-ratelimit-remaining");
            let reset = header("x-ratelimit-reset").and_then(|v| v.parse::<u64>().ok());
            let text = resp.body;
            if (200..300).contains(&status) {
                return Ok((status, text, link));
            }
            let rate_limited = status == 429
                || (status == 403 && (remaining.as_deref() == Some("0") || retry_after.is_some()));
            if !last && (rate_limited || status >= 500) {
                let pause = match (retry_after, reset) {
                    (Some(s), _) => Duration::from_secs(s),
                    (None, Some(at)) if rate_limited => {
                        Duration::from_secs(at.saturating_sub(unix_now()).saturating_add(1))
                    }
                    _ => wait,
                };
                if pause > MAX_WAIT {
                    return Err(GithubError::Status {
                        status,
                        what,
                        message: format!("rate limited for {}s more", pause.as_secs()),
                    });
                }
                tokio::time::sleep(pause).await;
                wait *= 2;
                continue;
            }
            let message = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_owned))
                .unwrap_or(text);
            return Err(if status == 403 {
                GithubError::Forbidden { status, message }
            } else {
                GithubError::Status {
                    status,
                    what,
                    message,
                }
            });
        }
        Err(GithubError::Unreachable(format!("{what}: gave up")))
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn html_url(text: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()?
        .get("html_url")?
        .as_str()
        .map(str::to_owned)
}

/// The `rel="next"` URL of a Link header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == r#"rel="next""#)
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
    })
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
    fn next_link_is_found_among_others() {
        let link = r#"<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next", <https://api.github.com/x?page=9>; rel="last""#;
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/x?page=3")
        );
        assert_eq!(next_link(r#"<https://a/x?page=1>; rel="prev""#), None);
    }

    #[test]
    fn long_bodies_are_cut_to_the_limit() {
        let b = with_marker(&"x".repeat(100_000), &Github::marker("report"));
        assert_eq!(b.chars().count(), MAX_BODY);
        assert!(b.starts_with("<!-- tailguard:report -->\n") && b.ends_with("artifacts)"));
        assert!(Github::new("https://api.github.com", "nope", "t".into()).is_err());
        assert!(Github::new("https://api.github.com", "a/b", String::new()).is_err());
    }
}
