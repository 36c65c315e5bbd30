//! How a connection reaches the target: TLS settings, `hosts` overrides (connect to another
//! address, keep the name — like curl's `--connect-to` and k6's `hosts`) and a proxy.

use std::collections::BTreeMap;

use super::authority::{split_host_port, AuthorityError};
use super::proxy::ProxySetting;
use super::tls::TlsOptions;

/// Everything about dialling a target, shared by the HTTP, GraphQL and gRPC drivers.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// TLS for https targets.
    pub tls: TlsOptions,
    /// Address overrides.
    pub hosts: Hosts,
    /// Proxy.
    pub proxy: ProxySetting,
}

/// Why a `hosts` entry is refused; the message quotes the entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HostsError {
    /// A side does not parse as `host[:port]`.
    #[error("{from:?} = {to:?}: {reason}")]
    Authority {
        /// The name side as written.
        from: String,
        /// The address side as written.
        to: String,
        /// What does not parse.
        reason: AuthorityError,
    },
    /// A side without a host.
    #[error("{from:?} = {to:?}: give a host name and an address, e.g. \"api.staging.internal\" = \"10.0.0.7:443\"")]
    Empty {
        /// The name side as written.
        from: String,
        /// The address side as written.
        to: String,
    },
}

/// `name[:port]` → `address[:port]` overrides. The name stays in the URL, `Host` and SNI; only
/// the address dialled changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hosts(Vec<Override>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Override {
    name: String,
    port: Option<u16>,
    to_host: String,
    to_port: Option<u16>,
}

impl Hosts {
    /// Parse `{ "name[:port]" = "address[:port]" }`; an error names the entry.
    pub fn parse(map: &BTreeMap<String, String>) -> Result<Self, HostsError> {
        let mut overrides = Vec::with_capacity(map.len());
        for (from, to) in map {
            let err = |reason| HostsError::Authority {
                from: from.clone(),
                to: to.clone(),
                reason,
            };
            let (name, port) = split_host_port(from).map_err(err)?;
            let (to_host, to_port) = split_host_port(to).map_err(err)?;
            if name.is_empty() || to_host.is_empty() {
                return Err(HostsError::Empty {
                    from: from.clone(),
                    to: to.clone(),
                });
            }
            overrides.push(Override {
                name: name.to_ascii_lowercase(),
                port,
                to_host,
                to_port,
            });
        }
        // Entries with a port are more specific and are looked up first.
        overrides.sort_by_key(|o| o.port.is_none());
        Ok(Self(overrides))
    }

    /// Where to connect for `host:port`: the override's address (its port, or `port`), or
    /// `host:port` itself.
    pub(crate) fn resolve(&self, host: &str, port: u16) -> (String, u16) {
        self.0
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(host) && o.port.is_none_or(|p| p == port))
            .map_or_else(
                || (host.to_owned(), port),
                |o| (o.to_host.clone(), o.to_port.unwrap_or(port)),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_keep_the_name_and_prefer_a_port_match() -> Result<(), HostsError> {
        let map = BTreeMap::from([
            ("api.staging.internal".to_owned(), "10.0.0.7".to_owned()),
            (
                "API.staging.internal:8443".to_owned(),
                "[::1]:9000".to_owned(),
            ),
            ("other".to_owned(), "lb.example:443".to_owned()),
        ]);
        let hosts = Hosts::parse(&map)?;
        assert_eq!(
            hosts.resolve("api.staging.internal", 443),
            ("10.0.0.7".into(), 443)
        );
        assert_eq!(
            hosts.resolve("api.staging.internal", 8443),
            ("::1".into(), 9000)
        );
        assert_eq!(hosts.resolve("other", 80), ("lb.example".into(), 443));
        assert_eq!(hosts.resolve("unlisted", 80), ("unlisted".into(), 80));
        Ok(())
    }

    #[test]
    fn bad_entries_are_named() {
        let map = BTreeMap::from([("api".to_owned(), "10.0.0.7:99999".to_owned())]);
        let e = Hosts::parse(&map).unwrap_err().to_string();
        assert!(e.contains("\"api\"") && e.contains("99999"), "{e}");
        assert!(Hosts::parse(&BTreeMap::from([("a".to_owned(), String::new())])).is_err());
    }
}
