//! Unit tests of `h1.rs`: framing, interim responses, failures, encoding.
#![cfg(test)]

use super::*;
use tokio::io::duplex;

type Error = Box<dyn std::error::Error + Send + Sync>;
type TestResult = Result<(), Error>;

async fn exchange_with(
    response: &'static [u8],
    head_only: bool,
) -> Result<(Result<Response, Failure>, Vec<u8>), Error> {
    let (r, sent, _) = exchange_keeping(response, head_only).await?;
    Ok((r, sent))
}

/// Like `exchange_with`, keeping the body: (result, bytes sent, body kept).
async fn exchange_keeping(
    response: &'static [u8],
    head_only: bool,
) -> Result<(Result<Response, Failure>, Vec<u8>, Vec<u8>), Error> {
    let (client, mut server) = duplex(64 * 1024);
    let serve = tokio::spawn(async move {
        let mut got = vec![0u8; 1024];
        let n = server.read(&mut got).await?;
        got.truncate(n);
        // Dribble the response in small pieces to exercise partial parsing.
        for piece in response.chunks(7) {
            server.write_all(piece).await?;
            tokio::task::yield_now().await;
        }
        Ok::<_, std::io::Error>(got)
    });
    let mut conn = H1Conn::new(client);
    let r = conn
        .exchange(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n", head_only, true)
        .await;
    Ok((r, serve.await??, conn.body().to_vec()))
}

#[tokio::test]
async fn content_length_body() -> TestResult {
    let (r, sent) = exchange_with(
        b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
        false,
    )
    .await?;
    assert_eq!(sent, b"GET / HTTP/1.1\r\nhost: x\r\n\r\n");
    assert_eq!(
        r?,
        Response {
            status: 200,
            body_bytes: 11,
            keep_alive: true,
            location: None
        }
    );
    Ok(())
}

#[tokio::test]
async fn chunked_body_with_extensions_and_trailers() -> TestResult {
    let resp = b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n";
    let (r, _, body) = exchange_keeping(resp, false).await?;
    assert_eq!(body, b"hello world");
    assert_eq!(
        r?,
        Response {
            status: 503,
            body_bytes: 11,
            keep_alive: true,
            location: None
        }
    );
    Ok(())
}

#[tokio::test]
async fn interim_100_continue_then_final_and_connection_close() -> TestResult {
    let resp = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
    let (r, _) = exchange_with(resp, false).await?;
    assert_eq!(
        r?,
        Response {
            status: 201,
            body_bytes: 2,
            keep_alive: false,
            location: None
        }
    );
    Ok(())
}

#[tokio::test]
async fn head_and_204_have_no_body() -> TestResult {
    let (r, _) = exchange_with(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", true).await?;
    assert_eq!(r?.body_bytes, 0);
    let (r, _) = exchange_with(b"HTTP/1.1 204 No Content\r\n\r\n", false).await?;
    assert_eq!(
        r?,
        Response {
            status: 204,
            body_bytes: 0,
            keep_alive: true,
            location: None
        }
    );
    Ok(())
}

/// The `Location` of a redirect is kept (only of a redirect: the hot path allocates nothing).
#[tokio::test]
async fn a_redirect_keeps_its_location() -> TestResult {
    let resp = b"HTTP/1.1 302 Found\r\nlocation: /login?next=%2F\r\ncontent-length: 0\r\n\r\n";
    let (r, _) = exchange_with(resp, false).await?;
    assert_eq!(r?.location.as_deref(), Some("/login?next=%2F"));
    let resp = b"HTTP/1.1 201 Created\r\nLocation: /items/1\r\ncontent-length: 0\r\n\r\n";
    let (r, _) = exchange_with(resp, false).await?;
    assert_eq!(r?.location, None);
    Ok(())
}

#[tokio::test]
async fn body_until_close() -> TestResult {
    let (r, _, body) = exchange_keeping(b"HTTP/1.0 200 OK\r\n\r\nall of this", false).await?;
    assert_eq!(body, b"all of this");
    assert_eq!(
        r?,
        Response {
            status: 200,
            body_bytes: 11,
            keep_alive: false,
            location: None
        }
    );
    Ok(())
}

#[tokio::test]
async fn truncated_and_malformed_responses_fail() -> TestResult {
    let (r, _) =
        exchange_with(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", false).await?;
    assert_eq!(r.unwrap_err().kind, ErrorKind::Reset);
    let (r, _) = exchange_with(b"HTTP/1.1 200 OK\r\nContent-", false).await?;
    assert_eq!(r.unwrap_err().kind, ErrorKind::Reset);
    let (r, _) = exchange_with(b"NOT HTTP AT ALL\r\n\r\n", false).await?;
    assert_eq!(r.unwrap_err().kind, ErrorKind::Protocol);
    let (r, _) = exchange_with(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        false,
    )
    .await?;
    assert_eq!(r.unwrap_err().kind, ErrorKind::Protocol);
    Ok(())
}

#[tokio::test]
async fn detects_a_connection_the_server_closed_while_idle() -> TestResult {
    let (client, mut server) = duplex(1024);
    let mut conn = H1Conn::new(client);
    assert!(
        !conn.closed_while_idle(std::time::Duration::ZERO),
        "open and quiet"
    );
    server.shutdown().await?;
    drop(server);
    assert!(
        !conn.closed_while_idle(std::time::Duration::from_secs(3600)),
        "recently used: not probed"
    );
    assert!(conn.closed_while_idle(std::time::Duration::ZERO));
    Ok(())
}

#[test]
fn encodes_requests() -> TestResult {
    let mut get = Vec::new();
    encode(
        &mut get,
        "GET",
        "/a?b=1",
        "127.0.0.1:80",
        [("accept", "*/*")],
        b"",
    );
    assert_eq!(
        get,
        b"GET /a?b=1 HTTP/1.1\r\nhost: 127.0.0.1:80\r\naccept: */*\r\n\r\n"
    );
    let mut post = b"stale".to_vec();
    encode(&mut post, "POST", "/p", "h", [], b"{}");
    assert_eq!(
        post,
        b"POST /p HTTP/1.1\r\nhost: h\r\ncontent-length: 2\r\n\r\n{}"
    );
    Ok(())
}
