//! A throw-away PKI for TLS tests (CAs, server and client certificates made with rcgen, written
//! as PEM) and a TLS front on loopback: it terminates TLS — optionally requiring a client
//! certificate, optionally serving only one SNI name — and relays the bytes to a backend (the demo
//! target, which speaks HTTP/1.1, h2c and gRPC).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ResolvesServerCertUsingSni, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::{RootCertStore, ServerConfig};

/// PEM text of one DER block.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    let _ = writeln!(out, "-----END {label}-----");
    out
}

/// A certificate authority.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pub der: CertificateDer<'static>,
}

/// A leaf certificate and its key.
pub struct Leaf {
    pub der: CertificateDer<'static>,
    pub key: Vec<u8>,
}

impl Ca {
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Self {
            der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    pub fn pem(&self) -> String {
        pem("CERTIFICATE", &self.der)
    }

    /// A server certificate for `names`.
    pub fn server(&self, names: &[&str]) -> Leaf {
        self.leaf(names, ExtendedKeyUsagePurpose::ServerAuth, false)
    }

    /// A server certificate for `names` that expired in 2020.
    pub fn expired_server(&self, names: &[&str]) -> Leaf {
        self.leaf(names, ExtendedKeyUsagePurpose::ServerAuth, true)
    }

    /// A client certificate.
    pub fn client(&self) -> Leaf {
        self.leaf(&["client.test"], ExtendedKeyUsagePurpose::ClientAuth, false)
    }

    fn leaf(&self, names: &[&str], usage: ExtendedKeyUsagePurpose, expired: bool) -> Leaf {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params.extended_key_usages = vec![usage];
        if expired {
            params.not_before = rcgen::date_time_ymd(2019, 1, 1);
            params.not_after = rcgen::date_time_ymd(2020, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            der: cert.der().clone(),
            key: key.serialize_der(),
        }
    }
}

impl Leaf {
    pub fn cert_pem(&self) -> String {
        pem("CERTIFICATE", &self.der)
    }

    pub fn key_pem(&self) -> String {
        pem("PRIVATE KEY", &self.key)
    }

    fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()))
    }
}

/// How the TLS front behaves.
pub struct Front<'a> {
    /// The server certificate.
    pub cert: &'a Leaf,
    /// Require a client certificate issued by this CA.
    pub client_ca: Option<&'a Ca>,
    /// Serve only this SNI name (no certificate for any other name, or for none).
    pub only_name: Option<&'a str>,
}

/// A running TLS front.
pub struct FrontHandle {
    pub port: u16,
    /// The ALPN protocol negotiated on each connection, in order.
    pub alpn: Arc<Mutex<Vec<Option<Vec<u8>>>>>,
    _rt: tokio::runtime::Runtime,
}

/// A TLS front on a free 127.0.0.1 port relaying to `backend`; stops when dropped.
pub fn tls_front(backend: SocketAddr, front: &Front<'_>) -> FrontHandle {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match front.client_ca {
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots.add(ca.der.clone()).unwrap();
            let verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let chain = vec![front.cert.der.clone()];
    let mut config = match front.only_name {
        Some(name) => {
            let key = CertifiedKey::from_der(chain, front.cert.key_der(), &provider).unwrap();
            let mut sni = ResolvesServerCertUsingSni::new();
            sni.add(name, key).unwrap();
            builder.with_cert_resolver(Arc::new(sni))
        }
        None => builder
            .with_single_cert(chain, front.cert.key_der())
            .unwrap(),
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (rt, listener) = super::loopback_listener();
    let port = listener.local_addr().unwrap().port();
    let alpn = Arc::new(Mutex::new(Vec::new()));
    let seen = alpn.clone();
    rt.spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let negotiated = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
                seen.lock().unwrap().push(negotiated);
                let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    FrontHandle {
        port,
        alpn,
        _rt: rt,
    }
}
