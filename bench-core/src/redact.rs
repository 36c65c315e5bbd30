//! Redaction by value. Every value a scenario took from an environment variable (in its target,
//! paths, headers, bodies, GraphQL variables, gRPC messages and metadata) is a secret: it is
//! replaced by [`MASK`] wherever text leaves the process — results (`resolved_target` and error
//! samples included), stores, verdicts, reports, the terminal and error messages — in its raw,
//! percent-encoded and base64 forms, and a URL also by its host, host:port and path with query.
//! A server that echoes a token back in an error body cannot leak it either.
//!
//! Values shorter than [`MIN_LEN`] bytes are not matched (a port such as `80` would mask every
//! `80` in a report); the stored configuration never holds them anyway, since it keeps the
//! `${VAR}` text as written.
//!
//! Each loaded scenario adds its secrets to one redactor per process ([`remember`],
//! [`process`]), so a command redacts with everything it has read, whichever scenario a text
//! came from.

use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};

use base64::Engine as _;

/// What a secret is replaced with.
pub const MASK: &str = "<redacted>";

/// Shorter values are not redacted by value.
pub const MIN_LEN: usize = 4;

/// JSON keys whose string values are HDR histograms (base64), never text; `histograms` holds
/// nothing else.
const HISTOGRAM_KEYS: [&str; 2] = ["histogram", "latency"];

/// Replaces secret values (and their encoded forms) in text.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Redactor {
    /// Longest first, so a secret containing another is masked whole.
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secret forms)", self.secrets.len())
    }
}

impl Redactor {
    /// A redactor for `values` (raw, as they came from the environment).
    #[must_use]
    pub fn new<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> Self {
        let mut r = Self::default();
        for v in values {
            r.add(v.as_ref());
        }
        r
    }

    /// Also redact `value` and its encoded forms; a URL also by its parts (host and port, path
    /// and query), which is how a server or a connection error shows it.
    pub fn add(&mut self, value: &str) {
        let mut forms = vec![
            value.to_owned(),
            percent_encode(value),
            base64::engine::general_purpose::STANDARD.encode(value),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value),
        ];
        forms.extend(url_parts(value));
        for form in forms {
            if form.len() >= MIN_LEN && !self.secrets.contains(&form) {
                self.secrets.push(form);
            }
        }
        self.secrets
            .sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    }

    /// Also redact everything `other` redacts.
    pub fn extend(&mut self, other: &Redactor) {
        for s in &other.secrets {
            if !self.secrets.contains(s) {
                self.secrets.push(s.clone());
            }
        }
        self.secrets
            .sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    }

    /// Whether there is nothing to redact.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every secret masked.
    #[must_use]
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MASK);
            }
        }
        out
    }

    /// Mask secrets in every string of `value` (histograms excepted).
    pub fn json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        if self.is_empty() {
            return;
        }
        match value {
            Value::String(s) => *s = self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.json(v)),
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    let histogram = k == "histograms"
                        || (HISTOGRAM_KEYS.contains(&k.as_str()) && v.is_string());
                    if !histogram {
                        self.json(v);
                    }
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// Mask secrets in every text of a run: its configuration, error samples, SLO and step
    /// descriptions.
    pub fn result<R>(&self, run: &mut R) -> Result<(), serde_json::Error>
    where
        R: serde::Serialize + serde::de::DeserializeOwned,
    {
        if self.is_empty() {
            return Ok(());
        }
        let mut value = serde_json::to_value(&*run)?;
        self.json(&mut value);
        *run = serde_json::from_value(value)?;
        Ok(())
    }
}

static PROCESS: Mutex<Redactor> = Mutex::new(Redactor {
    secrets: Vec::new(),
});

/// Add `r`'s secrets to this process's redactor.
pub fn remember(r: &Redactor) {
    if !r.is_empty() {
        PROCESS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(r);
    }
}

/// Every secret of every scenario this process loaded.
#[must_use]
pub fn process() -> Redactor {
    PROCESS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// The authority (without user info), host, and path-with-query of a URL; none for other text.
fn url_parts(value: &str) -> Vec<String> {
    let Some((_, rest)) = value.split_once("://") else {
        return Vec::new();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest[..end].rsplit('@').next().unwrap_or_default();
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    };
    let path = &rest[end..];
    let mut parts = vec![authority.to_owned(), host.to_owned()];
    if path.len() > 1 {
        parts.push(path.to_owned());
    }
    parts
}

/// Percent-encode everything but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_raw_encoded_and_base64_forms_longest_first() {
        let r = Redactor::new(["s3cret token", "s3cret", "80"]);
        assert_eq!(
            r.text("a s3cret token, s3cret%20token, czNjcmV0IHRva2Vu, s3cret, port 80"),
            "a <redacted>, <redacted>, <redacted>, <redacted>, port 80"
        );
        assert!(Redactor::new([""]).is_empty());
    }

    #[test]
    fn urls_are_masked_by_their_parts_too() {
        let r = Redactor::new(["https://u:p@db.internal:8443/v1?key=k-123"]);
        assert_eq!(
            r.text("GET /v1?key=k-123 on db.internal:8443; connect db.internal: refused"),
            "GET <redacted> on <redacted>; connect <redacted>: refused"
        );
    }

    #[test]
    fn json_masks_strings_but_not_histograms_or_numbers() {
        let r = Redactor::new(["abcd"]);
        let mut v = serde_json::json!({
            "target": "http://abcd/x", "n": 1234, "list": ["abcd"],
            "histograms": {"latency": "HISTabcd", "service_time": "abcd"}, "timeline": [{"histogram": "abcd"}],
            "steps": [{"latency": "abcd", "label": "abcd"}]
        });
        r.json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({
                "target": "http://<redacted>/x", "n": 1234, "list": ["<redacted>"],
                "histograms": {"latency": "HISTabcd", "service_time": "abcd"}, "timeline": [{"histogram": "abcd"}],
                "steps": [{"latency": "abcd", "label": "<redacted>"}]
            })
        );
    }
}
