//! End-to-end tests against a real demo server on 127.0.0.1:0.
// `allow-unwrap-in-tests` does not cover the helper functions below.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use tailguard_demo::{serve, DemoConfig, DemoError, DemoServer};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn spawn(cfg: DemoConfig) -> DemoServer {
    DemoServer::spawn("127.0.0.1:0".parse().unwrap(), cfg).unwrap()
}

/// One HTTP/1.1 request over a fresh connection; returns (status, body).
fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

#[test]
fn health_answers_ok() {
    let server = spawn(DemoConfig {
        delay: Duration::from_secs(10),
        ..DemoConfig::default()
    });
    let start = Instant::now();
    assert_eq!(get(server.addr(), "/health"), (200, "ok".to_owned()));
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "knobs applied to /health"
    );
    assert_eq!(server.requests_served(), 0);
    assert!(server.url().starts_with("http://127.0.0.1:"));
}

#[test]
fn fixed_delay_is_applied() {
    let server = spawn(DemoConfig {
        delay: ms(50),
        ..DemoConfig::default()
    });
    let start = Instant::now();
    let (status, body) = get(server.addr(), "/work");
    assert!(start.elapsed() >= ms(50), "{:?}", start.elapsed());
    assert_eq!(status, 200);
    assert_eq!(body, r#"{"ok":true,"seq":0}"#);
    assert_eq!(server.requests_served(), 1);
}

#[test]
fn query_override_delay() {
    let server = spawn(DemoConfig {
        delay: Duration::from_secs(10),
        ..DemoConfig::default()
    });
    let start = Instant::now();
    assert_eq!(get(server.addr(), "/x?delay_ms=1").0, 200);
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(get(server.addr(), "/x?error_rate=7").0, 400);
}

#[test]
fn error_rate_one_gives_500_and_zero_gives_200() {
    let failing = spawn(DemoConfig {
        error_rate: 1.0,
        ..DemoConfig::default()
    });
    let healthy = spawn(DemoConfig {
        error_rate: 0.0,
        ..DemoConfig::default()
    });
    for _ in 0..5 {
        assert_eq!(get(failing.addr(), "/"), (500, "injected error".to_owned()));
        assert_eq!(get(healthy.addr(), "/any/path").0, 200);
    }
    assert_eq!(failing.requests_served(), 5);
    assert_eq!(healthy.requests_served(), 5);
}

#[test]
fn stall_holds_responses_until_its_end() {
    let server = spawn(DemoConfig {
        stall_at: Some(ms(200)),
        stall_for: ms(500),
        ..DemoConfig::default()
    });
    let t0 = Instant::now();
    assert_eq!(get(server.addr(), "/first").0, 200);
    assert!(t0.elapsed() < ms(200));
    std::thread::sleep(ms(300).saturating_sub(t0.elapsed()));
    assert_eq!(get(server.addr(), "/second").0, 200);
    let elapsed = t0.elapsed();
    assert!(
        elapsed >= ms(700),
        "stalled request finished at {elapsed:?}"
    );
    assert!(elapsed < ms(2000), "{elapsed:?}");
    // After the stall, requests are fast again.
    let t1 = Instant::now();
    assert_eq!(get(server.addr(), "/third").0, 200);
    assert!(t1.elapsed() < ms(200));
}

#[test]
fn non_loopback_bind_is_refused() {
    for addr in ["0.0.0.0:0", "10.1.2.3:0", "[::]:0", "[::ffff:127.0.0.1]:0"] {
        let addr: SocketAddr = addr.parse().unwrap();
        assert!(matches!(
            DemoServer::spawn(addr, DemoConfig::default()),
            Err(DemoError::NotLoopback(a)) if a == addr
        ));
    }
    // Other loopback addresses are fine.
    let server = DemoServer::spawn("127.0.0.2:0".parse().unwrap(), DemoConfig::default());
    if let Ok(server) = server {
        assert_eq!(get(server.addr(), "/health").0, 200);
    }
}

#[test]
fn invalid_config_is_refused() {
    let err = DemoServer::spawn(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig {
            error_rate: 2.0,
            ..DemoConfig::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, DemoError::InvalidConfig(_)), "{err}");
}

#[test]
fn shutdown_closes_the_listener() {
    let server = spawn(DemoConfig::default());
    let addr = server.addr();
    assert_eq!(get(addr, "/").0, 200);
    server.shutdown();
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let server = spawn(DemoConfig::default());
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    for i in 0..3 {
        write!(
            stream,
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        )
        .unwrap();
        let mut resp = String::new();
        let mut buf = [0u8; 1024];
        while !resp.ends_with('}') {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0, "connection closed early: {resp}");
            resp.push_str(std::str::from_utf8(&buf[..n]).unwrap());
        }
        assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
        assert!(resp.contains("application/json"), "{resp}");
        assert!(
            resp.ends_with(&format!("{{\"ok\":true,\"seq\":{i}}}")),
            "{resp}"
        );
    }
    assert_eq!(server.requests_served(), 3);
}

#[tokio::test]
async fn http2_prior_knowledge_works() {
    use http_body_util::{BodyExt, Empty};
    use hyper::body::Bytes;
    use hyper_util::rt::{TokioExecutor, TokioIo};

    let server = spawn(DemoConfig {
        delay: ms(10),
        ..DemoConfig::default()
    });
    let stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    // Several concurrent streams on the one connection.
    let mut pending = Vec::new();
    for _ in 0..4 {
        let req = hyper::Request::get(format!("{}/h2", server.url()))
            .body(Empty::<Bytes>::new())
            .unwrap();
        pending.push(sender.send_request(req));
    }
    for fut in pending {
        let resp = fut.await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.version(), hyper::Version::HTTP_2);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert!(body.starts_with(br#"{"ok":true,"seq":"#));
    }
    assert_eq!(server.requests_served(), 4);
}

#[tokio::test]
async fn async_serve_until_shutdown() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, DemoConfig::default(), async {
        let _ = stopped.await;
    }));
    let (status, _) = tokio::task::spawn_blocking(move || get(addr, "/"))
        .await
        .unwrap();
    assert_eq!(status, 200);
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    assert!(TcpStream::connect(addr).is_err());
}
