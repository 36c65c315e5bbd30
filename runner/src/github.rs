//! GitHub's REST API (or GitHub Enterprise's, `--api-url`): one client of one repository, token
//! from `GITHUB_TOKEN`, retries on 5xx and rate limits for requests that may be repeated. The
//! pull-request comment built on it is in `github/comment.rs`.

pub mod comment;

use std::time::Duration;

use http::header::{HeaderName, ACCEPT, AUTHORIZATION, USER_AGENT};
use http::Method;

use crate::http_client::{HttpClient, HttpError, Request};

pub use comment::{CommentRequest, Head, Upserted, MAX_BODY};

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
    /// The pull request moved on: its head is not the commit the report was made for.
    #[error(
        "pull request #{pr}: its head is now {actual}, not {expected} that this report was made \
         for; refusing to write (the run of the newer head comments instead)"
    )]
    HeadMoved {
        /// The pull request.
        pr: u64,
        /// `SHA` or `OWNER/NAME@SHA` the report was made for.
        expected: String,
        /// What GitHub says the head is now.
        actual: String,
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

/// A client of one repository.
#[derive(Debug)]
pub struct Github {
    http: HttpClient,
    rt: tokio::runtime::Runtime,
    api: String,
    repo: String,
    token: String,
    backoff: Duration,
    timeout: Duration,
}

/// Whether a failed request may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// Reads and idempotent writes: retry 5xx, rate limits and transport errors.
    Transient,
    /// A request that may have taken effect although its answer was lost (POST): one attempt;
    /// the caller finds out what happened before it sends again.
    Never,
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
        let http = HttpClient::new(Duration::from_secs(10), Duration::from_secs(300))
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
            timeout: Duration::from_secs(30),
        })
    }

    /// Give up on a request after this long (its answer may still be lost after GitHub acted).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Wait this long after the first transient failure (doubling after each).
    #[must_use]
    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// `API/repos/OWNER/NAME/{path}`.
    fn repo_url(&self, path: &str) -> String {
        format!("{}/repos/{}/{path}", self.api, self.repo)
    }

    /// GET a JSON document (retried when transient): the value and the Link header.
    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
    ) -> Result<(T, Option<String>), GithubError> {
        let (_, text, link) = self.send(Method::GET, url, None, Retry::Transient).await?;
        let value = serde_json::from_str(&text).map_err(|e| {
            let what = url.split('?').next().unwrap_or(url);
            GithubError::Unreachable(format!("GET {what}: not the expected JSON: {e}"))
        })?;
        Ok((value, link))
    }

    /// A request to the API with the token, the API version and the JSON body if any.
    fn request(&self, method: Method, url: &str, json: Option<&serde_json::Value>) -> Request {
        let req = Request::new(method, url)
            .header(AUTHORIZATION, format!("Bearer {}", self.token))
            .header(ACCEPT, "application/vnd.github+json")
            .header(USER_AGENT, concat!("tailguard/", env!("CARGO_PKG_VERSION")))
            .header(
                HeaderName::from_static("x-github-api-version"),
                "2022-11-28",
            );
        match json {
            Some(j) => req.json(j),
            None => req,
        }
    }

    /// One request, retried as `retry` allows: (status, body, Link header).
    async fn send(
        &self,
        method: Method,
        url: &str,
        json: Option<&serde_json::Value>,
        retry: Retry,
    ) -> Result<(u16, String, Option<String>), GithubError> {
        let what = format!("{method} {}", url.split('?').next().unwrap_or(url));
        let mut wait = self.backoff;
        let attempts = if retry == Retry::Never { 1 } else { ATTEMPTS };
        for attempt in 1..=attempts {
            let req = self.request(method.clone(), url, json);
            let last = attempt == attempts;
            let sent = tokio::time::timeout(self.timeout, self.http.send(req)).await;
            let resp = match sent.unwrap_or_else(|_| {
                Err(HttpError::Transport(format!(
                    "no answer within {}s",
                    self.timeout.as_secs()
                )))
            }) {
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
            return Err(refused(status, what, text));
        }
        Err(GithubError::Unreachable(format!("{what}: gave up")))
    }
}

/// The error of a final refusal: the API's `message` when the body has one, else the body.
fn refused(status: u16, what: String, text: String) -> GithubError {
    let message = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
        .unwrap_or(text);
    if status == 403 {
        GithubError::Forbidden { status, message }
    } else {
        GithubError::Status {
            status,
            what,
            message,
        }
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
    fn bad_repos_and_empty_tokens_are_refused() {
        assert!(Github::new("https://api.github.com", "nope", "t".into()).is_err());
        assert!(Github::new("https://api.github.com", "a/b", String::new()).is_err());
    }
}
