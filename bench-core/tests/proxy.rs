//! Proxies (issue 21): every connection goes through an HTTP CONNECT tunnel of a proxy on
//! loopback — https with TLS end to end, plain http and HTTP/2 alike — chosen by `[http] proxy`
//! or `HTTPS_PROXY`/`HTTP_PROXY`; credentials from the proxy URL; a refusal is an error before
//! any load.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bench_core::scenario::Scenario;
use common::pki::{tls_front, Ca, Front};
use common::{demo, errors, run};
use tailguard_demo::DemoConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the proxy saw: the CONNECT authority and `Proxy-Authorization` of each tunnel.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A CONNECT proxy on 127.0.0.1 that resolves every name to 127.0.0.1 (as an egress proxy resolves
/// names the client cannot) and dials nothing else. With `credentials` it answers 407 to
/// tunnels without that `Proxy-Authorization`.
fn connect_proxy(credentials: Option<&str>) -> (u16, Seen, tokio::runtime::Runtime) {
    let expected = credentials.map(|c| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(c)
        )
    });
    let (rt, listener) = common::loopback_listener();
    let port = listener.local_addr().unwrap().port();
    let seen: Seen = Arc::default();
    let record = seen.clone();
    rt.spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let (record, expected) = (record.clone(), expected.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let authority = head
                    .strip_prefix("CONNECT ")
                    .and_then(|r| r.split(' ').next())
                    .unwrap_or_default()
                    .to_owned();
                let auth = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Proxy-Authorization: ").map(str::to_owned));
                record
                    .lock()
                    .unwrap()
                    .push((authority.clone(), auth.clone()));
                if expected.is_some() && auth != expected {
                    let _ = client
                        .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
                        .await;
                    return;
                }
                let Some(port) = authority
                    .rsplit_once(':')
                    .and_then(|(_, p)| p.parse::<u16>().ok())
                else {
                    let _ = client.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
                    return;
                };
                let Ok(mut upstream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await
                else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                if client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .is_ok()
                {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            });
        }
    });
    (port, seen, rt)
}

fn scenario(target: &str, http: &str, env: &[(&str, String)], dir: &std::path::Path) -> Scenario {
    let text = format!(
        "name = \"proxied\"\ntarget = \"{target}\"\n[request]\npath = \"/items\"\n[http]\nroots = \"webpki\"\n{http}\n[load]\nmodel = \"closed\"\nworkers = 2\nrequests = 40\nduration = \"20s\"\ntimeout = \"5s\"\n"
    );
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    Scenario::parse(&text, &dir.join("proxied.toml"), &[], &lookup).unwrap()
}

#[test]
fn https_and_http2_tunnel_through_the_proxy_with_tls_end_to_end() {
    let name = "api.staging.internal";
    let ca = Ca::new("staging CA");
    let cert = ca.server(&[name]);
    let server = demo(DemoConfig::default());
    let front = tls_front(
        server.addr(),
        &Front {
            cert: &cert,
            client_ca: None,
            only_name: Some(name),
        },
    );
    let (proxy_port, seen, _proxy) = connect_proxy(None);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
    let target = format!("https://{name}:{}", front.port);
    let explicit = format!("ca_file = \"ca.pem\"\nproxy = \"http://127.0.0.1:{proxy_port}\"");
    for http in [explicit.clone(), format!("{explicit}\nversion = \"2\"")] {
        let s = scenario(&target, &http, &[], dir.path());
        let r = run(s.connector().unwrap(), 40, 2, &[]);
        assert_eq!(errors(&r), vec![], "{http}");
    }
    // From the environment, as HTTPS_PROXY.
    let env = [("HTTPS_PROXY", format!("127.0.0.1:{proxy_port}"))];
    let s = scenario(&target, "ca_file = \"ca.pem\"", &env, dir.path());
    assert_eq!(errors(&run(s.connector().unwrap(), 40, 2, &[])), vec![]);
    assert_eq!(server.requests_by_route().get("/items"), Some(&120));
    let seen = seen.lock().unwrap().clone();
    // Each run: the probe plus one connection per worker (HTTP/1.1) or for both streams (h2).
    assert!(seen.len() >= 3, "{seen:?}");
    assert!(
        seen.iter()
            .all(|(a, _)| *a == format!("{name}:{}", front.port)),
        "{seen:?}"
    );
}

#[test]
fn plain_http_tunnels_too_and_a_proxy_wanting_credentials_is_an_error_before_the_load() {
    let server = demo(DemoConfig::default());
    let (proxy_port, seen, _proxy) = connect_proxy(Some("user:p@ss"));
    let dir = tempfile::tempdir().unwrap();
    let target = format!("http://demo.internal:{}", server.addr().port());
    let s = scenario(
        &target,
        &format!("proxy = \"http://127.0.0.1:{proxy_port}\""),
        &[],
        dir.path(),
    );
    let e = s.connector().map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("407") && e.contains("credentials"), "{e}");

    let with = format!("proxy = \"http://user:p%40ss@127.0.0.1:{proxy_port}\"");
    let s = scenario(&target, &with, &[], dir.path());
    let r = run(s.connector().unwrap(), 40, 2, &[]);
    assert_eq!(errors(&r), vec![]);
    assert_eq!(server.requests_by_route().get("/items"), Some(&40));
    let stored = s.redacted_config().to_string();
    assert!(
        !stored.contains("p%40ss"),
        "the proxy password is not stored: {stored}"
    );
    let last = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last.0, format!("demo.internal:{}", server.addr().port()));
}
