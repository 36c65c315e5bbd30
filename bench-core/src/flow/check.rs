//! Checks on a response: its status (HTTP codes, gRPC code names), a header equal to a value or
//! matching a regex, the body containing text or matching a regex, a JSON value (by JSON
//! Pointer, RFC 6901) equal to a value or merely present, and a maximum body size.
//!
//! A failed check fails the call with kind `check`, naming the check; each check's pass and
//! fail counts are recorded per request. The body is parsed as JSON once per response, and only
//! when a JSON check or extraction asks for it ([`Response::json`]).

use regex::Regex;

use crate::driver::{Exchange, Status};

/// One check of a request.
#[derive(Debug, Clone)]
pub struct Check {
    /// Its name in results: given, or a description of the test.
    pub name: String,
    /// What it tests.
    pub test: Test,
}

/// What a check tests.
#[derive(Debug, Clone)]
pub enum Test {
    /// The status is one of these.
    Status(Vec<Status>),
    /// A header (gRPC: metadata or trailer) is present with this value, or matches.
    Header(String, Expect),
    /// The body contains this text.
    BodyContains(String),
    /// The body (as UTF-8 text, lossily) matches.
    BodyMatches(Regex),
    /// The JSON value at this pointer is present, or equal to a value.
    Json(String, Option<serde_json::Value>),
    /// The body is at most this many bytes.
    MaxBodyBytes(u64),
}

/// How a header's value is judged.
#[derive(Debug, Clone)]
pub enum Expect {
    /// Present, any value.
    Present,
    /// Equal to this text.
    Equals(String),
    /// Matching this regex.
    Matches(Regex),
}

impl Test {
    /// Whether judging needs the response's headers.
    #[must_use]
    pub fn needs_headers(&self) -> bool {
        matches!(self, Self::Header(..))
    }

    /// Whether judging needs the response's body (its size comes with every response).
    #[must_use]
    pub fn needs_body(&self) -> bool {
        matches!(
            self,
            Self::BodyContains(_) | Self::BodyMatches(_) | Self::Json(..)
        )
    }

    /// A description of the test, the default name of its check.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Status(list) => {
                let codes: Vec<String> = list.iter().map(ToString::to_string).collect();
                format!("status in [{}]", codes.join(", "))
            }
            Self::Header(name, Expect::Present) => format!("header {name} present"),
            Self::Header(name, Expect::Equals(v)) => format!("header {name} = {v:?}"),
            Self::Header(name, Expect::Matches(re)) => format!("header {name} ~ /{re}/"),
            Self::BodyContains(text) => format!("body contains {text:?}"),
            Self::BodyMatches(re) => format!("body ~ /{re}/"),
            Self::Json(pointer, None) => format!("json {pointer} present"),
            Self::Json(pointer, Some(v)) => format!("json {pointer} = {v}"),
            Self::MaxBodyBytes(n) => format!("body ≤ {n} bytes"),
        }
    }
}

/// What a failed check found instead of what it wanted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckFailure {
    /// Another status.
    #[error("got {0}")]
    Status(Status),
    /// No status (the call failed before one arrived).
    #[error("no status")]
    NoStatus,
    /// The header is missing.
    #[error("no {0} header")]
    NoHeader(String),
    /// Another value (a header's or a JSON pointer's), quoted and shortened.
    #[error("got {0}")]
    Value(String),
    /// The body does not hold the text or pattern (shortened, quoted).
    #[error("body was {0}")]
    Body(String),
    /// Nothing at the JSON pointer.
    #[error("nothing at {0}")]
    Nothing(String),
    /// The body is larger than allowed.
    #[error("body was {0} bytes")]
    TooLarge(u64),
    /// The body is not JSON.
    #[error(transparent)]
    NotJson(#[from] NotJson),
}

/// A body that does not parse as JSON, with the parser's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the body is not JSON: {0}")]
pub struct NotJson(String);

/// A response as checks and extractions see it.
#[derive(Debug)]
pub struct Response<'a> {
    /// Its status.
    pub status: Option<Status>,
    /// Body bytes received.
    pub bytes: u64,
    /// Headers and body, when kept.
    pub kept: &'a Exchange,
    json: Option<Result<serde_json::Value, NotJson>>,
}

impl<'a> Response<'a> {
    /// A response with `status` and `bytes`, its kept parts in `kept`.
    #[must_use]
    pub fn new(status: Option<Status>, bytes: u64, kept: &'a Exchange) -> Self {
        Self {
            status,
            bytes,
            kept,
            json: None,
        }
    }

    /// The body parsed as JSON (once).
    pub fn json(&mut self) -> Result<&serde_json::Value, NotJson> {
        let body = &self.kept.body;
        self.json
            .get_or_insert_with(|| serde_json::from_slice(body).map_err(|e| NotJson(e.to_string())))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The body as text (lossily).
    #[must_use]
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.kept.body)
    }
}

impl Check {
    /// Judge `response`: `Err` says what was found instead.
    pub fn judge(&self, response: &mut Response<'_>) -> Result<(), CheckFailure> {
        match &self.test {
            Test::Status(list) => match response.status {
                Some(s) if list.contains(&s) => Ok(()),
                Some(s) => Err(CheckFailure::Status(s)),
                None => Err(CheckFailure::NoStatus),
            },
            Test::Header(name, expect) => {
                let value = response.kept.header(name);
                match (value, expect) {
                    (None, _) => Err(CheckFailure::NoHeader(name.clone())),
                    (Some(_), Expect::Present) => Ok(()),
                    (Some(v), Expect::Equals(want)) if v == want => Ok(()),
                    (Some(v), Expect::Matches(re)) if re.is_match(v) => Ok(()),
                    (Some(v), _) => Err(CheckFailure::Value(snippet(v))),
                }
            }
            Test::BodyContains(text) if response.text().contains(text.as_str()) => Ok(()),
            Test::BodyMatches(re) if re.is_match(&response.text()) => Ok(()),
            Test::BodyContains(_) | Test::BodyMatches(_) => {
                Err(CheckFailure::Body(snippet(&response.text())))
            }
            Test::Json(pointer, want) => {
                let found = response.json()?.pointer(pointer);
                match (found, want) {
                    (None, _) => Err(CheckFailure::Nothing(pointer.clone())),
                    (Some(_), None) => Ok(()),
                    (Some(v), Some(w)) if json_equal(v, w) => Ok(()),
                    (Some(v), Some(_)) => Err(CheckFailure::Value(snippet(&v.to_string()))),
                }
            }
            Test::MaxBodyBytes(max) if response.bytes <= *max => Ok(()),
            Test::MaxBodyBytes(_) => Err(CheckFailure::TooLarge(response.bytes)),
        }
    }
}

/// JSON equality where numbers compare by value (`1` equals `1.0`).
fn json_equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// At most 80 characters of `text`, for failure messages.
fn snippet(text: &str) -> String {
    let mut s: String = text.chars().take(80).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(headers: &[(&str, &str)], body: &str) -> Exchange {
        Exchange {
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
            ..Exchange::default()
        }
    }

    fn judge(test: Test, status: u16, ex: &Exchange) -> Result<(), String> {
        let check = Check {
            name: test.describe(),
            test,
        };
        let mut r = Response::new(Some(Status::Http(status)), ex.body.len() as u64, ex);
        check.judge(&mut r).map_err(|e| e.to_string())
    }

    #[test]
    fn every_kind_passes_and_fails_with_what_it_found() {
        let ex = kept(
            &[("content-type", "application/json")],
            r#"{"items":[{"id":7,"name":"x"}],"n":1.0}"#,
        );
        let ok = |t| judge(t, 200, &ex);
        assert!(ok(Test::Status(vec![Status::Http(200)])).is_ok());
        assert_eq!(
            judge(Test::Status(vec![Status::Http(201)]), 200, &ex),
            Err("got 200".into())
        );
        assert!(ok(Test::Header("Content-Type".into(), Expect::Present)).is_ok());
        let re = Regex::new("^application/").unwrap();
        assert!(ok(Test::Header("content-type".into(), Expect::Matches(re))).is_ok());
        let wrong = ok(Test::Header(
            "content-type".into(),
            Expect::Equals("text/html".into()),
        ));
        assert_eq!(wrong, Err("got \"application/json\"".into()));
        assert!(ok(Test::Header("x-missing".into(), Expect::Present)).is_err());
        assert!(ok(Test::BodyContains("\"name\":\"x\"".into())).is_ok());
        assert!(ok(Test::BodyContains("nope".into())).is_err());
        assert!(ok(Test::BodyMatches(Regex::new(r#""id":\d+"#).unwrap())).is_ok());
        assert!(ok(Test::Json("/items/0/id".into(), Some(7.into()))).is_ok());
        assert!(ok(Test::Json("/n".into(), Some(1.into()))).is_ok());
        assert_eq!(
            ok(Test::Json("/items/0/id".into(), Some(8.into()))),
            Err("got \"7\"".into())
        );
        assert!(ok(Test::Json("/items/0/name".into(), None)).is_ok());
        assert_eq!(
            ok(Test::Json("/items/1".into(), None)),
            Err("nothing at /items/1".into())
        );
        assert!(ok(Test::MaxBodyBytes(1000)).is_ok());
        assert!(ok(Test::MaxBodyBytes(10)).is_err());
        let html = kept(&[], "<html>");
        let e = judge(Test::Json("/a".into(), None), 200, &html).unwrap_err();
        assert!(e.starts_with("the body is not JSON"), "{e}");
    }

    #[test]
    fn needs_say_what_must_be_kept() {
        assert!(Test::Header("a".into(), Expect::Present).needs_headers());
        assert!(!Test::Status(vec![]).needs_body());
        assert!(!Test::MaxBodyBytes(1).needs_body());
        assert!(Test::Json("/a".into(), None).needs_body());
        assert_eq!(
            Test::Status(vec![Status::Http(200), Status::Grpc(5)]).describe(),
            "status in [200, NOT_FOUND]"
        );
    }
}
