//! Where InfluxDB is and how to log in, from flags and the environment. Secrets come only from
//! the environment (or the URL's user info), are never printed, and are redacted from every
//! error message.

use std::time::Duration;

use bench_core::redact::Redactor;

use super::InfluxError;

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
        let mut parsed = reqwest::Url::parse(url)
            .map_err(|e| InfluxError::Config(format!("InfluxDB URL {:?}: {e}", redact_url(url))))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(InfluxError::Config(format!(
                "InfluxDB URL {:?}: expected http:// or https://",
                redact_url(url)
            )));
        }
        let url_user = (!parsed.username().is_empty()).then(|| decode(parsed.username()));
        let url_password = parsed.password().map(decode);
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
        let auth = match (token.filter(|t| !t.is_empty()), user.or(url_user)) {
            (Some(t), _) => Auth::Token(t),
            (None, Some(u)) => Auth::Basic {
                user: u,
                password: password.or(url_password).unwrap_or_default(),
            },
            (None, None) => Auth::None,
        };
        Ok(Self {
            url: parsed.as_str().trim_end_matches('/').to_owned(),
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

    /// Send a request; the response body on 2xx, a classified error otherwise.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Result<String, InfluxError> {
        let resp = req.timeout(self.timeout).send().await.map_err(|e| {
            InfluxError::Unreachable(self.redact(&format!("{}: {}", self.url, e.without_url())))
        })?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| {
            InfluxError::Unreachable(self.redact(&format!("{}: {}", self.url, e.without_url())))
        })?;
        if status.is_success() {
            Ok(text)
        } else {
            Err(InfluxError::Status {
                status: status.as_u16(),
                body: self.redact(text.trim()),
            })
        }
    }
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
                out.push_str(&format!("{user}:***@{}", &authority[at + 1..]));
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
