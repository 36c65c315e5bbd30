//! The target URL, checked when the scenario loads: an absolute `http://` or `https://` URL with
//! a host and, when it names one, a port in 1..=65535. A port that does not fit is an error, never
//! the scheme's default (which would send the load to another service).

use http::Uri;

/// What is wrong with a target URL, worded to follow "the target URL".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Nothing given.
    #[error("is empty; write e.g. \"http://127.0.0.1:8080\"")]
    Empty,
    /// No `scheme://`.
    #[error("has no scheme; write an absolute URL, e.g. \"http://127.0.0.1:8080\"")]
    NoScheme,
    /// Not http or https.
    #[error("unsupported scheme {0:?}; use http:// or https:// (gRPC and GraphQL too)")]
    Scheme(String),
    /// `user:password@`, which would not be sent.
    #[error(
        "has user info (user:password@); it would not be sent: put credentials in \
         a header, e.g. headers = {{ authorization = \"Basic ${{CREDENTIALS}}\" }}"
    )]
    UserInfo,
    /// No host.
    #[error("has no host; write e.g. \"http://127.0.0.1:8080\"")]
    NoHost,
    /// A port that is not 1..=65535.
    #[error("port {0:?} is not a port number (1-65535)")]
    Port(String),
    /// Not a URL.
    #[error("is not a valid URL: {0}")]
    Invalid(String),
}

/// Check `target` (after interpolation). Errors say what is wrong without repeating the whole
/// URL, which may hold a secret from the environment.
pub fn check(target: &str) -> Result<(), TargetError> {
    let t = target.trim();
    if t.is_empty() {
        return Err(TargetError::Empty);
    }
    let Some((scheme, rest)) = t.split_once("://") else {
        return Err(TargetError::NoScheme);
    };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return Err(TargetError::Scheme(scheme.to_owned()));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(TargetError::UserInfo);
    }
    let host_port = authority;
    let (host, port) = split_port(host_port);
    if host.is_empty() || host == "[]" {
        return Err(TargetError::NoHost);
    }
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p > 0 && port.bytes().all(|b| b.is_ascii_digit()) => {}
            _ => return Err(TargetError::Port(port.to_owned())),
        }
    }
    t.parse::<Uri>()
        .map(|_| ())
        .map_err(|e| TargetError::Invalid(e.to_string()))
}

/// `host[:port]` → host and the port text (if any); IPv6 hosts keep their brackets.
fn split_port(host_port: &str) -> (&str, Option<&str>) {
    if let Some(end) = host_port.strip_prefix('[').and_then(|h| h.find(']')) {
        let (host, rest) = host_port.split_at(end + 2);
        return (host, rest.strip_prefix(':'));
    }
    match host_port.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (host_port, None),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn good_targets_pass() {
        for t in [
            "http://127.0.0.1:8080",
            "https://example.test/api?x=1",
            "http://[::1]:9000/graphql",
            "HTTP://host",
            "http://[::1]",
        ] {
            assert_eq!(check(t), Ok(()), "{t}");
        }
    }

    #[test]
    fn bad_targets_say_why() {
        for (t, words) in [
            ("http://127.0.0.1:99999", "port \"99999\""),
            ("http://host:0/", "port \"0\""),
            ("http://host:/", "port \"\""),
            ("http://host:8o8o", "port \"8o8o\""),
            ("http://[::1]:70000", "port \"70000\""),
            ("http://:8080", "no host"),
            ("https:///path", "no host"),
            ("http://user@:80", "user info"),
            ("http://user:pw@host:1/", "user info"),
            ("http://host:+8080", "port \"+8080\""),
            ("ftp://host", "unsupported scheme \"ftp\""),
            ("grpc://host:50051", "unsupported scheme \"grpc\""),
            ("127.0.0.1:8080", "no scheme"),
            ("", "empty"),
            ("http://ho st", "not a valid URL"),
        ] {
            let e = check(t).unwrap_err().to_string();
            assert!(e.contains(words), "{t}: {e}");
        }
    }
}
