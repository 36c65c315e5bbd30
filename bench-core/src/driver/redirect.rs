//! Following redirects (`[http] follow_redirects = N`): which responses are followed and with
//! which method, where a `Location` leads — the target's own origin only, so that a load test
//! never sends a request to an address the user did not configure — and the limits of a chain
//! (at most N hops, no loops). The hops of a call are one call: one latency, from its due time
//! to the end of the last response.

use http::{Method, Uri};

use super::endpoint::Endpoint;
use super::{ErrorKind, Outcome, Status};

/// The largest `follow_redirects` a scenario may give.
pub const MAX_FOLLOW: u32 = 20;

/// One request of a call's chain: its method, its origin-form target (path and query), and
/// whether it still carries the request's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hop {
    pub(crate) method: Method,
    pub(crate) target: String,
    pub(crate) body: bool,
}

/// Where a `Location` leads.
#[derive(Debug, PartialEq, Eq)]
enum Leads {
    /// The target's origin: this origin-form target.
    Here(String),
    /// Another origin (scheme, host or port): never followed.
    Elsewhere,
    /// Not a usable URL reference.
    Invalid,
}

/// The statuses that are followed; 300 (a choice), 304 (not modified) and the rest end the call.
fn is_followed(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The method of the request after a `status`, and whether it keeps the body — the rule of
/// browsers (the Fetch standard) and curl: a POST answered 301 or 302, and any method but GET
/// and HEAD answered 303, becomes a GET without body; 307 and 308 keep method and body.
fn next_method(status: u16, method: &Method) -> (Method, bool) {
    let to_get = (matches!(status, 301 | 302) && method == Method::POST)
        || (status == 303 && method != Method::GET && method != Method::HEAD);
    if to_get {
        (Method::GET, false)
    } else {
        (method.clone(), true)
    }
}

/// Resolve `location` (RFC 3986 §5) against the origin-form `current` target of `endpoint`.
fn resolve(location: &str, current: &str, endpoint: &Endpoint) -> Leads {
    let location = location.trim();
    let location = location.split('#').next().unwrap_or_default();
    let absolute = if let Some(rest) = location.strip_prefix("//") {
        Some(format!("{}://{rest}", endpoint.scheme()))
    } else if has_scheme(location) {
        Some(location.to_owned())
    } else {
        None
    };
    let path = current.split('?').next().unwrap_or_default();
    let target = match absolute {
        Some(url) => {
            let Ok(uri) = url.parse::<Uri>() else {
                return Leads::Invalid;
            };
            if !endpoint.same_origin(&uri) {
                return Leads::Elsewhere;
            }
            uri.path_and_query().map_or("/", |p| p.as_str()).to_owned()
        }
        None if location.starts_with('/') => location.to_owned(),
        None if location.is_empty() => current.to_owned(),
        None if location.starts_with('?') => format!("{path}{location}"),
        None => {
            let dir = path.rfind('/').map_or("/", |i| &path[..=i]);
            format!("{dir}{location}")
        }
    };
    let target = remove_dot_segments(&target);
    match target.parse::<http::uri::PathAndQuery>() {
        Ok(_) if target.starts_with('/') => Leads::Here(target),
        _ => Leads::Invalid,
    }
}

/// Whether a URL reference starts with a scheme (`letter *(letter / digit / + - .) ":"`).
fn has_scheme(reference: &str) -> bool {
    let Some((scheme, _)) = reference.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `/a/./b/../c?q` → `/a/c?q` (RFC 3986 §5.2.4, on a path that starts with `/`).
fn remove_dot_segments(target: &str) -> String {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let mut out: Vec<&str> = Vec::new();
    for segment in path.split('/').skip(1) {
        match segment {
            "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    if matches!(path.rsplit('/').next(), Some("." | "..")) {
        out.push(""); // `/a/b/..` is the directory `/a/`
    }
    let mut resolved = format!("/{}", out.join("/"));
    if let Some(q) = query {
        resolved.push('?');
        resolved.push_str(q);
    }
    resolved
}

/// A call's chain of redirects: the hops so far, and what the responses added up to.
#[derive(Debug)]
pub(crate) struct Chain {
    limit: u32,
    seen: Vec<Hop>,
    bytes: u64,
    opened: bool,
    reused: Option<bool>,
    retried: bool,
}

impl Chain {
    /// A chain that starts with `first` and follows at most `limit` redirects.
    pub(crate) fn new(limit: u32, first: &Hop) -> Self {
        Self {
            limit,
            seen: vec![first.clone()],
            bytes: 0,
            opened: false,
            reused: None,
            retried: false,
        }
    }

    /// After `outcome`, the response to `hop` with its `location`: the next hop, or the call's
    /// final outcome (a response that is not followed, a failure, or a chain too long).
    pub(crate) fn next(
        &mut self,
        mut outcome: Outcome,
        location: Option<&str>,
        hop: &Hop,
        endpoint: &Endpoint,
    ) -> Result<Hop, Outcome> {
        self.bytes += outcome.bytes;
        self.opened |= outcome.opened;
        self.retried |= outcome.retried;
        self.reused.get_or_insert(outcome.reused);
        let (Some(Status::Http(status)), None, Some(location)) =
            (outcome.status, outcome.error, location)
        else {
            return Err(self.finish(outcome));
        };
        if !is_followed(status) {
            return Err(self.finish(outcome));
        }
        let target = match resolve(location, &hop.target, endpoint) {
            Leads::Here(target) => target,
            Leads::Elsewhere => {
                outcome.offsite = true;
                return Err(self.finish(outcome));
            }
            Leads::Invalid => {
                let message = format!("HTTP {status} with an unusable Location {location:?}");
                return Err(self.fail(outcome, ErrorKind::Protocol, message));
            }
        };
        let (method, keeps_body) = next_method(status, &hop.method);
        let next = Hop {
            method,
            target,
            body: hop.body && keeps_body,
        };
        if self.seen.contains(&next) {
            let message = format!(
                "redirect loop: {} {} was already requested by this call",
                next.method, next.target
            );
            return Err(self.fail(outcome, ErrorKind::TooManyRedirects, message));
        }
        if self.hops() >= self.limit {
            let message = format!(
                "more than {} redirects (follow_redirects = {}); the next was to {}",
                self.limit, self.limit, next.target
            );
            return Err(self.fail(outcome, ErrorKind::TooManyRedirects, message));
        }
        self.seen.push(next.clone());
        Ok(next)
    }

    /// Redirects followed so far.
    fn hops(&self) -> u32 {
        u32::try_from(self.seen.len() - 1).unwrap_or(u32::MAX)
    }

    fn fail(&self, mut outcome: Outcome, kind: ErrorKind, message: String) -> Outcome {
        outcome.error = Some(kind);
        outcome.message = Some(message);
        self.finish(outcome)
    }

    fn finish(&self, outcome: Outcome) -> Outcome {
        Outcome {
            bytes: self.bytes,
            opened: self.opened,
            reused: self.reused.unwrap_or(outcome.reused),
            retried: self.retried,
            redirects: self.hops(),
            ..outcome
        }
    }
}

#[cfg(test)]
#[path = "redirect_tests.rs"]
mod tests;
