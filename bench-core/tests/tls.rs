//! https through rustls against a TLS server on loopback with a self-signed certificate:
//! refused by default (the certificate is not trusted), accepted with `insecure`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use bench_core::driver::http::{HttpConnector, HttpOptions, HttpRequestSpec, HttpVersion};
use bench_core::driver::tls::{Roots, TlsOptions};
use bench_core::driver::ConnectOptions;
use bench_core::pacer::{LoadModel, StopCondition};
use bench_core::result::Measurement;
use bench_core::{engine, Cancel, RunConfig};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A minimal HTTPS/1.1 server: answers every request with 200 "ok", keep-alive. Stops when the
/// runtime is dropped.
fn tls_server() -> (std::net::SocketAddr, tokio::runtime::Runtime) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let der = CertificateDer::from(cert.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![der], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (rt, listener) = common::loopback_listener();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = vec![0u8; 4096];
                let mut pending = Vec::new();
                loop {
                    let Ok(n) = tls.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    pending.extend_from_slice(&buf[..n]);
                    while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        pending.drain(..end + 4);
                        if tls
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                }
            });
        }
    });
    (addr, rt)
}

fn run(url: &str, insecure: bool) -> Measurement {
    let spec = HttpRequestSpec {
        name: "tls".into(),
        method: "GET".into(),
        path: "/".into(),
        ..Default::default()
    };
    let options = HttpOptions {
        version: HttpVersion::Http1,
        connect: ConnectOptions {
            tls: TlsOptions {
                roots: Roots::Webpki,
                insecure,
                ..TlsOptions::default()
            },
            ..ConnectOptions::default()
        },
        ..HttpOptions::default()
    };
    let connector = Arc::new(HttpConnector::new(url, &[spec], &options).unwrap());
    let config = RunConfig {
        model: LoadModel::Closed {
            think_time: Duration::ZERO,
            duration: Duration::from_secs(10),
        },
        stop: StopCondition {
            max_requests: Some(200),
        },
        connections: 2,
        ..RunConfig::default()
    };
    let rec = engine::run(connector, &config, &Cancel::new(), &mut |_| {}).unwrap();
    Measurement::of(&rec)
}

#[test]
fn https_needs_a_trusted_certificate_unless_insecure() {
    let (addr, _rt) = tls_server();
    let url = format!("https://localhost:{}", addr.port());

    let ok = run(&url, true);
    assert_eq!(ok.summary.requests, 200);
    assert_eq!(ok.summary.errors, 0, "{:?}", ok.summary.errors_by_kind);
    assert_eq!(ok.summary.statuses["200"], 200);
    assert_eq!(ok.summary.bytes, 400);

    let refused = run(&url, false);
    assert_eq!(refused.summary.errors, refused.summary.requests);
    let connect = &refused.summary.errors_by_kind["connect"];
    assert!(
        connect.sample.as_deref().unwrap().contains("TLS handshake"),
        "{connect:?}"
    );
}
