//! Where InfluxDB is and how to log in, from flags and the environment. Secrets come only from
//! the environment (or the URL's user info), are never printed, and are redacted from every
//! error message.

use std::fmt::Write as _;
use std::time::Duration;

use bench_core::redact::Redactor;

use super::InfluxError;
use crate::http_client::{HttpClient, HttpError, Request};

/// How requests authenticate.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// No credentials.
    None,
    /// HTTP basic auth (InfluxDB 1.x users).
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// `Authorization: Token …` (2.x, 3.x, and their v1 compatibility API).
    Token(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::None => "None",
            Self::Basic { .. } => "Basic(***)",
            Self::Token(_) => "Token(***)",
        })
    }
}

/// The server and credentials shared by both APIs.
#[derive(Debug, Clone)]
pub struct InfluxConfig {
    /// Base URL without user info, e.g. `http://127.0.0.1:8086`.
    pub url: String,
    /// Credentials.
    pub auth: Auth,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl InfluxConfig {
    /// From a URL (user info, if any, becomes basic auth), a token and a user/password (from the
    /// environment), the token winning.
    pub fn new(
        url: &str,
        token: Option<String>,
        user: Option<String>,
        password: Option<String>,
    ) -> Result<Self, InfluxError> {
        let (base, url_user, url_password) = split_user_info(url)?;
        let auth = match (token.filter(|t| !t.is_empty()), user.or(url_user)) {
            (Some(t), _) => Auth::Token(t),
            (None, Some(u)) => Auth::Basic {
                user: u,
                password: password.or(url_password).unwrap_or_default(),
            },
            (None, None) => Auth::None,
        };
        Ok(Self {
            url: base,
            auth,
            timeout: Duration::from_secs(30),
        })
    }

    /// Masks the credentials, including the base64 `user:password` of a Basic-auth header.
    #[must_use]
    pub fn redactor(&self) -> Redactor {
        match &self.auth {
            Auth::None => Redactor::default(),
            Auth::Basic { user, password } => {
                Redactor::new([password.clone(), format!("{user}:{password}")])
            }
            Auth::Token(t) => Redactor::new([t]),
        }
    }

    /// Remove every secret from `msg`.
    #[must_use]
    pub fn redact(&self, msg: &str) -> String {
        self.redactor().text(&redact_url(msg))
    }

    /// The request with this server's credentials.
    #[must_use]
    pub fn authorize(&self, req: Request) -> Request {
        match &self.auth {
            Auth::None => req,
            Auth::Basic { user, password } => req.basic_auth(user, password),
            Auth::Token(t) => req.header(http::header::AUTHORIZATION, format!("Token {t}")),
        }
    }

    /// Send a request with the credentials; the response body on 2xx, a classified error
    /// otherwise.
    pub async fn send(&self, http: &HttpClient, req: Request) -> Result<String, InfluxError> {
        let resp = http.send(self.authorize(req)).await.map_err(|e| match e {
            HttpError::Request(m) => InfluxError::Config(self.redact(&m)),
            HttpError::Transport(m) => InfluxError::Unreachable(self.redact(&m)),
        })?;
        if resp.is_success() {
            Ok(resp.body)
        } else {
            Err(InfluxError::Status {
                status: resp.status,
                body: self.redact(resp.body.trim()),
            })
        }
    }
}

/// `(base URL without user info and trailing slash, user, password)` of an http(s) URL.
fn split_user_info(url: &str) -> Result<(String, Option<String>, Option<String>), InfluxError> {
    let bad = |why: &str| InfluxError::Config(format!("InfluxDB URL {:?}: {why}", redact_url(url)));
    let uri: http::Uri = url.parse().map_err(|_| bad("not a URL"))?;
    let scheme = uri.scheme_str().unwrap_or("");
    if !matches!(scheme, "http" | "https") {
        return Err(bad("expected http:// or https://"));
    }
    if uri.query().is_some() {
        return Err(bad("expected no query string"));
    }
    let authority = uri.authority().map_or("", http::uri::Authority::as_str);
    let (user_info, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let (user, password) = match user_info {
        Some(info) => {
            let (u, p) = match info.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (info, None),
            };
            ((!u.is_empty()).then(|| decode(u)), p.map(decode))
        }
        None => (None, None),
    };
    let base = format!("{scheme}://{host}{}", uri.path());
    Ok((base.trim_end_matches('/').to_owned(), user, password))
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Replace the password of every `scheme://user:password@` in `text` with `***`.
#[must_use]
pub fn redact_url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c == '/' || c.is_whitespace() || c == '"')
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let user = authority[..at].split(':').next().unwrap_or("");
                let _ = write!(out, "{user}:***@{}", &authority[at + 1..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_user_info_becomes_basic_auth_and_is_redacted() {
        let c = InfluxConfig::new("http://bob:s%40cret@127.0.0.1:8086/", None, None, None).unwrap();
        assert_eq!(c.url, "http://127.0.0.1:8086");
        assert_eq!(
            c.auth,
            Auth::Basic {
                user: "bob".into(),
                password: "s@cret".into()
            }
        );
        assert_eq!(
            redact_url("GET http://bob:s%40cret@h:1/x failed"),
            "GET http://bob:***@h:1/x failed"
        );
        assert_eq!(
            c.redact("password s@cret rejected"),
            "password <redacted> rejected"
        );
        assert!(!format!("{c:?}").contains("s@cret"));
        assert_eq!(
            c.redact("got Basic Ym9iOnNAY3JldA== back"),
            "got Basic <redacted> back"
        );
    }

    #[test]
    fn token_wins_and_is_never_shown() {
        let c =
            InfluxConfig::new("https://h", Some("tok-123".into()), Some("u".into()), None).unwrap();
        assert_eq!(c.auth, Auth::Token("tok-123".into()));
        assert!(!format!("{c:?}").contains("tok-123"));
        assert_eq!(c.redact("bad token tok-123"), "bad token <redacted>");
        assert!(InfluxConfig::new("ftp://h", None, None, None).is_err());
    }
}
