//! gRPC over TLS (ALPN h2): a TLS-terminating proxy with a self-signed certificate on loopback in
//! front of the demo target's h2c port. Refused by default (untrusted certificate), served with
//! `insecure`; the schema comes from reflection through the same TLS connection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use bench_core::driver::grpc::schema::SchemaSource;
use bench_core::driver::grpc::{GrpcConnector, GrpcOptions, GrpcRequestSpec};
use bench_core::driver::tls::{Roots, TlsOptions};
use bench_core::driver::ConnectOptions;
use common::{demo, errors, run};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tailguard_demo::DemoConfig;

/// TLS on a free loopback port, forwarding every connection to `backend`. Stops with the runtime.
fn tls_proxy(backend: std::net::SocketAddr) -> (u16, tokio::runtime::Runtime) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let der = CertificateDer::from(cert.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![der], key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (rt, listener) = common::loopback_listener();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (port, rt)
}

#[test]
fn grpc_over_tls_with_reflection() {
    let server = demo(DemoConfig::default());
    let (port, _proxy) = tls_proxy(server.addr());
    let target = format!("https://localhost:{port}");
    let request = GrpcRequestSpec {
        name: "get-user".into(),
        method: "tailguard.demo.v1.Demo/GetUser".into(),
        message: serde_json::json!({"id": 5}),
        metadata: Vec::new(),
    };
    let options = |insecure| GrpcOptions {
        connect: ConnectOptions {
            tls: TlsOptions {
                roots: Roots::Webpki,
                insecure,
                ..TlsOptions::default()
            },
            ..ConnectOptions::default()
        },
        schema: SchemaSource::default(),
        ..GrpcOptions::default()
    };
    let e = GrpcConnector::new(&target, std::slice::from_ref(&request), &options(false))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("TLS handshake"),
        "an untrusted certificate is refused: {e}"
    );
    let c = GrpcConnector::new(&target, &[request], &options(true)).unwrap();
    let r = run(c, 100, 2, &[]);
    assert_eq!(errors(&r), vec![]);
    assert_eq!(r.summary.statuses.get("OK"), Some(&100));
    assert_eq!(
        server
            .requests_by_route()
            .get("/tailguard.demo.v1.Demo/GetUser"),
        Some(&100)
    );
}
