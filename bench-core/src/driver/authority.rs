//! `host[:port]` authorities as written in URLs, `hosts` overrides and proxy settings.

/// A `host[:port]` that cannot be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorityError {
    /// A port that is not a number in 0..=65535.
    #[error("port {0:?} is not a number from 0 to 65535")]
    Port(String),
    /// `[` without `]`.
    #[error("an IPv6 address misses its \"]\"")]
    Unclosed,
    /// Text after `[v6]` that is not `:port`.
    #[error("unexpected {0:?} after the IPv6 address")]
    AfterAddress(String),
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address → host (without brackets) and
/// port.
pub(crate) fn split_host_port(text: &str) -> Result<(String, Option<u16>), AuthorityError> {
    let port = |p: &str| {
        p.parse::<u16>()
            .map(Some)
            .map_err(|_| AuthorityError::Port(p.to_owned()))
    };
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or(AuthorityError::Unclosed)?;
        return match after.strip_prefix(':') {
            Some(p) => Ok((host.to_owned(), port(p)?)),
            None if after.is_empty() => Ok((host.to_owned(), None)),
            None => Err(AuthorityError::AfterAddress(after.to_owned())),
        };
    }
    match text.split_once(':') {
        Some((host, p)) if !p.contains(':') => Ok((host.to_owned(), port(p)?)),
        _ => Ok((text.to_owned(), None)),
    }
}

/// `host:port` for a CONNECT request or a message (IPv6 in brackets).
pub(crate) fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_ports_and_ipv6_brackets() {
        assert_eq!(split_host_port("a:80"), Ok(("a".into(), Some(80))));
        assert_eq!(split_host_port("[::1]:9"), Ok(("::1".into(), Some(9))));
        assert_eq!(split_host_port("::1"), Ok(("::1".into(), None)));
        assert!(split_host_port("[::1").is_err());
        assert!(split_host_port("a:99999").is_err());
        assert_eq!(join_host_port("::1", 9), "[::1]:9");
        assert_eq!(join_host_port("a", 80), "a:80");
    }
}
