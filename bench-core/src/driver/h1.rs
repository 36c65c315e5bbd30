//! A lean HTTP/1.1 client connection for the load generator's hot path.
//!
//! hyper's client is general: a dispatcher task, a channel between the handle and the connection,
//! a `HeaderMap` per request and per response. The profile in docs/benchmarks.md showed those at
//! ~10 % of the generator's CPU. A load generator needs less: it writes a request whose bytes are
//! known in advance, parses the status line and the few framing headers (content-length,
//! transfer-encoding, connection, and a redirect's location) with httparse into a reused buffer,
//! and counts the body bytes without keeping them. One request is in flight per connection (no pipelining).

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::{io_error_kind, ErrorKind};

const MAX_HEADERS: usize = 64;
const MAX_HEAD: usize = 64 * 1024;
/// The read buffer's first size: a small response (head and body) in one read. It grows
/// (doubling) for larger responses and keeps its largest size, so only a connection's first
/// large response pays extra reads; 10 000 connections hold 5 MB of it, not 20 (2 KiB) or 80
/// (8 KiB): a busy connection's reads sweep through the whole buffer, making every page of it
/// resident.
const READ_BUFFER: usize = 512;

/// What one exchange produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Response {
    pub status: u16,
    pub body_bytes: u64,
    /// False when the server asked to close, or the body ran to end-of-stream.
    pub keep_alive: bool,
    /// A 3xx response's `Location` (lossy UTF-8).
    pub location: Option<String>,
}

/// A response head: what the rest of the exchange needs from it.
struct Head {
    status: u16,
    framing: Framing,
    keep_alive: bool,
    location: Option<String>,
}

/// A failed exchange: the kind and a message. The connection must not be reused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind:?}: {message}")]
pub(crate) struct Failure {
    pub kind: ErrorKind,
    pub message: String,
    /// The connection was closed or reset before any byte of the response arrived: the
    /// signature of a kept-alive connection the server had already closed.
    pub before_response: bool,
}

fn protocol(message: impl Into<String>) -> Failure {
    Failure {
        kind: ErrorKind::Protocol,
        message: message.into(),
        before_response: false,
    }
}

fn io_failure(e: &std::io::Error) -> Failure {
    Failure {
        kind: io_error_kind(e),
        message: e.to_string(),
        before_response: false,
    }
}

fn closed() -> Failure {
    Failure {
        kind: ErrorKind::Reset,
        message: "connection closed before the response was complete".into(),
        before_response: false,
    }
}

/// One HTTP/1.1 connection.
pub(crate) struct H1Conn<IO> {
    io: IO,
    buf: BytesMut,
    last_used: std::time::Instant,
    /// The last response's body, when the exchange asked to keep it.
    body: Vec<u8>,
    keep_body: bool,
    /// The last response's headers (lower-case names), when asked for.
    headers: Vec<(String, String)>,
    keep_headers: bool,
    /// Bytes read during the current exchange.
    received: u64,
}

impl<IO> std::fmt::Debug for H1Conn<IO> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("H1Conn")
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

impl<IO: AsyncRead + AsyncWrite + Unpin> H1Conn<IO> {
    pub(crate) fn new(io: IO) -> Self {
        Self {
            io,
            buf: BytesMut::with_capacity(READ_BUFFER),
            last_used: std::time::Instant::now(),
            body: Vec::new(),
            keep_body: false,
            headers: Vec::new(),
            keep_headers: false,
            received: 0,
        }
    }

    /// Whether the server has closed this connection while it sat idle for longer than
    /// `idle_after` (servers close idle keep-alive connections, e.g. Node.js after 5 s). Busy
    /// connections are not probed, so the hot path pays no extra system call.
    pub(crate) fn closed_while_idle(&mut self, idle_after: std::time::Duration) -> bool {
        if self.last_used.elapsed() < idle_after {
            return false;
        }
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let mut scratch = [0u8; 256];
        let mut rb = tokio::io::ReadBuf::new(&mut scratch);
        match std::pin::Pin::new(&mut self.io).poll_read(&mut cx, &mut rb) {
            std::task::Poll::Ready(Ok(())) if rb.filled().is_empty() => true, // EOF
            std::task::Poll::Ready(Ok(())) => {
                // Unsolicited bytes (e.g. a 408 before closing): the connection is not reusable.
                true
            }
            std::task::Poll::Ready(Err(_)) => true,
            std::task::Poll::Pending => false,
        }
    }

    /// Keep the headers of the responses that follow (for checks and extraction).
    pub(crate) fn keep_headers(&mut self, keep: bool) {
        self.keep_headers = keep;
    }

    /// The headers of the last response, kept when asked for ([`H1Conn::keep_headers`]).
    pub(crate) fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body of the last response, kept when the exchange asked for it.
    pub(crate) fn body(&self) -> &[u8] {
        &self.body
    }

    /// Send `request` (complete, encoded bytes) and read the response. `head_only` is true
    /// for HEAD requests, whose responses have no body whatever their headers say. With
    /// `keep_body` the body is kept for [`H1Conn::body`]; otherwise it is only counted.
    /// A reset or close before any response byte is marked [`Failure::before_response`].
    pub(crate) async fn exchange(
        &mut self,
        request: &[u8],
        head_only: bool,
        keep_body: bool,
    ) -> Result<Response, Failure> {
        self.received = 0;
        self.exchange_once(request, head_only, keep_body)
            .await
            .map_err(|mut f| {
                f.before_response = self.received == 0 && f.kind == ErrorKind::Reset;
                f
            })
    }

    async fn exchange_once(
        &mut self,
        request: &[u8],
        head_only: bool,
        keep_body: bool,
    ) -> Result<Response, Failure> {
        self.keep_body = keep_body;
        self.body.clear();
        if !self.buf.is_empty() {
            return Err(protocol(
                "unexpected bytes from the server before the request",
            ));
        }
        // Read the response from the buffer's start (no copy: it is empty): one that fits is
        // read whole, and the buffer grows only for one that does not.
        let _ = self.buf.try_reclaim(self.buf.capacity() + 1);
        self.io
            .write_all(request)
            .await
            .map_err(|e| io_failure(&e))?;
        loop {
            let Head {
                status,
                framing,
                keep_alive,
                location,
            } = self.read_head(head_only).await?;
            if (100..200).contains(&status) && status != 101 {
                continue; // 100 Continue and other interim responses: the real one follows
            }
            let (body_bytes, ended_by_close) = match framing {
                Framing::None => (0, false),
                Framing::Length(n) => (self.skip_exact(n).await?, false),
                Framing::Chunked => (self.skip_chunked().await?, false),
                Framing::UntilClose => (self.skip_to_eof().await?, true),
            };
            self.last_used = std::time::Instant::now();
            return Ok(Response {
                status,
                body_bytes,
                keep_alive: keep_alive && !ended_by_close,
                location,
            });
        }
    }

    async fn fill(&mut self) -> Result<usize, Failure> {
        let n = self
            .io
            .read_buf(&mut self.buf)
            .await
            .map_err(|e| io_failure(&e))?;
        self.received += n as u64;
        Ok(n)
    }

    async fn read_head(&mut self, head_only: bool) -> Result<Head, Failure> {
        loop {
            if let Some(head) = self.parse_head(head_only)? {
                return Ok(head);
            }
            if self.buf.len() > MAX_HEAD {
                return Err(protocol("response head larger than 64 KiB"));
            }
            if self.fill().await? == 0 {
                return Err(closed());
            }
        }
    }

    /// The response head at the front of the buffer, consumed; `None` while it is incomplete.
    /// Not async, so httparse's 2 KiB header array lives on the stack for the parse only, not
    /// in every connection's future (10 000 connections: 20 MB).
    fn parse_head(&mut self, head_only: bool) -> Result<Option<Head>, Failure> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut resp = httparse::Response::new(&mut headers);
        match resp.parse(&self.buf) {
            Ok(httparse::Status::Complete(len)) => {
                let status = resp.code.unwrap_or(0);
                let http10 = resp.version == Some(0);
                let mut length = None;
                let mut chunked = false;
                let mut keep_alive = !http10;
                let mut location = None;
                let redirect = (300..400).contains(&status);
                if self.keep_headers {
                    self.headers.clear();
                    self.headers.extend(resp.headers.iter().map(|h| {
                        let value = String::from_utf8_lossy(h.value).into_owned();
                        (h.name.to_ascii_lowercase(), value)
                    }));
                }
                for h in resp.headers.iter() {
                    if h.name.eq_ignore_ascii_case("content-length") {
                        let text = std::str::from_utf8(h.value)
                            .map_err(|_| protocol("content-length is not text"))?;
                        length = Some(
                            text.trim()
                                .parse::<u64>()
                                .map_err(|_| protocol(format!("bad content-length {text:?}")))?,
                        );
                    } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                        chunked = h.value.to_ascii_lowercase().ends_with(b"chunked");
                    } else if h.name.eq_ignore_ascii_case("connection") {
                        let v = h.value.to_ascii_lowercase();
                        if v.windows(5).any(|w| w == b"close") {
                            keep_alive = false;
                        } else if v.windows(10).any(|w| w == b"keep-alive") {
                            keep_alive = true;
                        }
                    } else if redirect && h.name.eq_ignore_ascii_case("location") {
                        location = Some(String::from_utf8_lossy(h.value).into_owned());
                    }
                }
                self.buf.advance(len);
                let framing = if head_only
                    || status == 204
                    || status == 304
                    || (100..200).contains(&status)
                {
                    Framing::None
                } else if chunked {
                    Framing::Chunked
                } else if let Some(n) = length {
                    Framing::Length(n)
                } else {
                    Framing::UntilClose
                };
                Ok(Some(Head {
                    status,
                    framing,
                    keep_alive,
                    location,
                }))
            }
            Ok(httparse::Status::Partial) => Ok(None),
            Err(e) => Err(protocol(format!("malformed response head: {e}"))),
        }
    }
}

/// Encode a request into `out` (cleared first): request line, headers (a `Host` header first),
/// `Content-Length` when there is a body or the method usually carries one, then the body.
pub(crate) fn encode<'a>(
    out: &mut Vec<u8>,
    method: &str,
    path: &str,
    host: &str,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: &[u8],
) {
    out.clear();
    out.reserve(128 + body.len());
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(path.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\nhost: ");
    out.extend_from_slice(host.as_bytes());
    out.extend_from_slice(b"\r\n");
    let mut has_length = false;
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("host") {
            continue;
        }
        has_length |= name.eq_ignore_ascii_case("content-length");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let wants_body = !matches!(method, "GET" | "HEAD" | "DELETE" | "OPTIONS" | "TRACE");
    if !has_length && (!body.is_empty() || wants_body) {
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
}

#[path = "h1_body.rs"]
mod body;

#[cfg(test)]
#[path = "h1_tests.rs"]
mod tests;
