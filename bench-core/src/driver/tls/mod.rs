//! TLS client configuration (rustls with the ring provider): which CAs are trusted (`roots` and
//! `ca_file`), the client certificate for mutual TLS, the name checked in the server's
//! certificate, and why a handshake failed ([`explain`]).

mod pem;
mod reason;
mod verify;

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use serde::{Deserialize, Serialize};

pub use self::pem::{certificates, private_key, PemError};
pub(crate) use self::reason::explain;
use self::verify::AcceptAny;

/// Which certificate authorities to trust (besides `ca_file`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Roots {
    /// The operating system's store (falls back to the bundled webpki roots when it is empty).
    #[default]
    System,
    /// The Mozilla roots bundled with the binary.
    Webpki,
    /// None: only the certificates of `ca_file`.
    None,
}

/// A client certificate chain and its private key, for servers that require mutual TLS.
#[derive(Clone)]
pub struct ClientIdentity {
    chain: Vec<CertificateDer<'static>>,
    key: Arc<PrivateKeyDer<'static>>,
}

impl ClientIdentity {
    /// The end-entity certificate first, then any intermediates; the key of the first.
    #[must_use]
    pub fn new(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> Self {
        Self {
            chain,
            key: Arc::new(key),
        }
    }
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("certificates", &self.chain.len())
            .field("key", &"<secret>")
            .finish()
    }
}

/// How the client speaks TLS.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// The built-in trust store.
    pub roots: Roots,
    /// More trusted CA certificates (`ca_file`), in addition to `roots`.
    pub ca: Vec<CertificateDer<'static>>,
    /// The client certificate and key (mutual TLS).
    pub identity: Option<ClientIdentity>,
    /// The name sent in SNI and checked in the server's certificate (default: the target's host).
    pub server_name: Option<String>,
    /// Accept any server certificate — an explicit opt-in for self-signed test environments.
    pub insecure: bool,
}

/// TLS errors; each says which setting is at fault.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
    /// A `ca_file` certificate cannot be a trust anchor.
    #[error("certificate #{index} is not a usable CA certificate: {message}")]
    CaCertificate {
        /// 1-based position in the file.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// `roots = "none"` without any `ca_file` certificate.
    #[error("roots = \"none\" trusts only the certificates of ca_file, and there are none")]
    NoRoots,
    /// The client certificate cannot be used.
    #[error("the client certificate is not usable: {0}")]
    ClientCertificate(String),
    /// The client key cannot be used.
    #[error("the client key is not usable: {0}")]
    ClientKey(String),
    /// The key is not the one of the certificate.
    #[error("the client key does not match the client certificate (their public keys differ)")]
    KeyMismatch,
    /// `server_name` is neither a DNS name nor an IP address.
    #[error("server name {0:?} is not a valid DNS name or IP address")]
    ServerName(String),
}

/// A client config for `options`, offering the ALPN protocols `alpn` (e.g. `[b"h2"]`).
pub fn client_config(options: &TlsOptions, alpn: &[&[u8]]) -> Result<Arc<ClientConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let builder = if options.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
    } else {
        builder.with_root_certificates(root_store(options)?)
    };
    let mut config = match &options.identity {
        None => builder.with_no_client_auth(),
        Some(id) => builder
            .with_client_auth_cert(id.chain.clone(), id.key.clone_key())
            .map_err(identity_error)?,
    };
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(Arc::new(config))
}

/// The name to send in SNI and check in the certificate: `server_name`, else `host`.
pub(crate) fn server_name(
    options: &TlsOptions,
    host: &str,
) -> Result<ServerName<'static>, TlsError> {
    let name = options.server_name.as_deref().unwrap_or(host);
    ServerName::try_from(name.to_owned()).map_err(|_| TlsError::ServerName(name.to_owned()))
}

fn root_store(options: &TlsOptions) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    if options.roots == Roots::System {
        let loaded = rustls_native_certs::load_native_certs();
        for cert in loaded.certs {
            let _ = store.add(cert);
        }
    }
    if store.is_empty() && options.roots != Roots::None {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for (i, cert) in options.ca.iter().enumerate() {
        store
            .add(cert.clone())
            .map_err(|e| TlsError::CaCertificate {
                index: i + 1,
                message: e.to_string(),
            })?;
    }
    if store.is_empty() {
        return Err(TlsError::NoRoots);
    }
    Ok(store)
}

fn identity_error(e: rustls::Error) -> TlsError {
    match e {
        rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
            TlsError::KeyMismatch
        }
        rustls::Error::InvalidCertificate(c) => {
            TlsError::ClientCertificate(format!("not a valid X.509 certificate ({c:?})"))
        }
        rustls::Error::General(m) => TlsError::ClientKey(m),
        other => TlsError::Config(other),
    }
}
