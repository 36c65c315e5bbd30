//! Extraction: values captured from a response into a variable of the virtual user, by JSON
//! Pointer, header (gRPC: metadata or trailer) or regex group over the body. A capture that
//! finds nothing fails the call with kind `extract`, naming the variable.

use regex::Regex;

use super::check::{NotJson, Response};

/// One value to capture.
#[derive(Debug, Clone)]
pub struct Extract {
    /// The variable's name (as used in `{{name}}`).
    pub name: String,
    /// Its slot among the scenario's variables.
    pub slot: usize,
    /// Where the value comes from.
    pub from: Source,
}

/// Where a captured value comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The JSON value at this pointer (a string as is, anything else as JSON text).
    Json(String),
    /// The first header of this name.
    Header(String),
    /// Capture group `.1` of the first match of this regex over the body.
    Regex(Regex, usize),
}

impl Source {
    /// Whether capturing needs the response's headers.
    #[must_use]
    pub fn needs_headers(&self) -> bool {
        matches!(self, Self::Header(_))
    }

    /// Whether capturing needs the response's body.
    #[must_use]
    pub fn needs_body(&self) -> bool {
        !self.needs_headers()
    }

    fn describe(&self) -> String {
        match self {
            Self::Json(p) => format!("json {p}"),
            Self::Header(h) => format!("header {h}"),
            Self::Regex(re, g) => format!("regex /{re}/ group {g}"),
        }
    }
}

/// Why an extraction captured nothing; the message names the variable and its source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("extract {name:?}: {from} {why}")]
pub struct ExtractError {
    /// The variable.
    pub name: String,
    /// Where it is taken from (`json /token`, `header x-session`, `regex /…/ group 1`).
    pub from: String,
    /// What went wrong.
    pub why: Missing,
}

/// What an extraction found instead of a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Missing {
    /// Nothing there (or JSON null).
    #[error("found nothing")]
    Nothing,
    /// The body is not JSON.
    #[error("failed: {0}")]
    NotJson(NotJson),
}

impl Extract {
    /// The captured value, or why there is none.
    pub fn capture(&self, response: &mut Response<'_>) -> Result<String, ExtractError> {
        let missing = |why| ExtractError {
            name: self.name.clone(),
            from: self.from.describe(),
            why,
        };
        match &self.from {
            Source::Json(pointer) => {
                let json = response.json().map_err(|e| missing(Missing::NotJson(e)))?;
                match json.pointer(pointer) {
                    Some(serde_json::Value::String(s)) => Ok(s.clone()),
                    Some(serde_json::Value::Null) | None => Err(missing(Missing::Nothing)),
                    Some(v) => Ok(v.to_string()),
                }
            }
            Source::Header(name) => response
                .kept
                .header(name)
                .map(str::to_owned)
                .ok_or_else(|| missing(Missing::Nothing)),
            Source::Regex(re, group) => re
                .captures(&response.text())
                .and_then(|c| c.get(*group))
                .map(|m| m.as_str().to_owned())
                .ok_or_else(|| missing(Missing::Nothing)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::{Exchange, Status};

    #[test]
    fn captures_from_json_header_and_regex_or_says_what_is_missing() {
        let ex = Exchange {
            headers: vec![("x-session".into(), "s-123".into())],
            body: br#"{"token":"abc.def","user":{"id":42},"none":null}"#.to_vec(),
            ..Exchange::default()
        };
        let json_ex = Exchange {
            body: br#"{"token":"abc.def","user":{"id":42},"none":null}"#.to_vec(),
            ..ex.clone()
        };
        let cap = |from: Source, ex: &Exchange| {
            let e = Extract {
                name: "v".into(),
                slot: 0,
                from,
            };
            e.capture(&mut Response::new(Some(Status::Http(200)), 0, ex))
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            cap(Source::Json("/token".into()), &json_ex),
            Ok("abc.def".into())
        );
        assert_eq!(
            cap(Source::Json("/user/id".into()), &json_ex),
            Ok("42".into())
        );
        assert_eq!(
            cap(Source::Json("/none".into()), &json_ex),
            Err("extract \"v\": json /none found nothing".into())
        );
        assert_eq!(
            cap(Source::Header("X-Session".into()), &ex),
            Ok("s-123".into())
        );
        assert!(cap(Source::Header("x-other".into()), &ex).is_err());
        let re = Regex::new(r#""id":(\d+)"#).unwrap();
        assert_eq!(cap(Source::Regex(re, 1), &ex), Ok("42".into()));
        let re = Regex::new(r"nope(\d+)").unwrap();
        assert!(cap(Source::Regex(re, 1), &ex).is_err());
    }
}
