//! The HTTP/1.1 client's exchange (`h1.rs`) against a response held in memory: what the load
//! generator does for every HTTP/1.1 response (write the request, parse the head, count the body)
//! without a socket, so the instruction-count benches of `benches/` can measure it.

use std::future::Future as _;
use std::task::{Context, Poll, Waker};

use super::h1::H1Conn;

/// Send `request` and read `response` (a complete HTTP/1.1 response) over an in-memory
/// connection: the status and the body's length, or `None` when the response is incomplete or
/// invalid. Memory never blocks, so the exchange completes in one poll. For benches; not an API.
#[doc(hidden)]
#[must_use]
pub fn exchange_in_memory(request: &[u8], response: &[u8]) -> Option<(u16, u64)> {
    let mut conn = H1Conn::new(tokio::io::join(response, tokio::io::sink()));
    let exchange = std::pin::pin!(conn.exchange(request, false, false));
    match exchange.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Ok(r)) => Some((r.status, r.body_bytes)),
        Poll::Ready(Err(_)) | Poll::Pending => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_response_is_read_in_one_poll_and_a_cut_one_is_none() {
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello";
        let req = b"GET / HTTP/1.1\r\nhost: x\r\n\r\n";
        assert_eq!(exchange_in_memory(req, ok), Some((200, 5)));
        assert_eq!(exchange_in_memory(req, &ok[..20]), None);
    }
}
