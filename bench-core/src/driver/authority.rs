//! `host[:port]` authorities as written in URLs, `hosts` overrides and proxy settings.

/// `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address → host (without brackets) and
/// port.
pub(crate) fn split_host_port(text: &str) -> Result<(String, Option<u16>), String> {
    let port = |p: &str| {
        p.parse::<u16>()
            .map(Some)
            .map_err(|_| format!("port {p:?} is not a number from 0 to 65535"))
    };
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| "an IPv6 address misses its \"]\"".to_owned())?;
        return match after.strip_prefix(':') {
            Some(p) => Ok((host.to_owned(), port(p)?)),
            None if after.is_empty() => Ok((host.to_owned(), None)),
            None => Err(format!("unexpected {after:?} after the IPv6 address")),
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
