//! One request of an HTTP call on the driver's connection — HTTP/1.1 (sent once more on a fresh
//! connection when the server had closed the kept-alive one) or HTTP/2 — and, with
//! `follow_redirects`, the call's chain of requests hop by hop ([`super::redirect`]).

use std::rc::Rc;

use super::endpoint::Endpoint;
use super::h1::H1Conn;
use super::h2::H2Conn;
use super::http_request::Prepared;
use super::redirect::Chain;
use super::{Io, Outcome};
use crate::template::Values;

/// An HTTP/1.1 connection idle for longer than this is checked for a server-side close before
/// it is reused.
const IDLE_PROBE_AFTER: std::time::Duration = std::time::Duration::from_millis(500);

/// The connection a driver sends its requests on.
#[derive(Debug)]
pub(super) enum Conn {
    /// This driver's own connection (opened on first use).
    H1(Option<H1Conn<Box<dyn Io>>>),
    /// The connection this driver's streams share.
    H2(Rc<H2Conn>),
}

/// What a call sends besides its request (extra headers: the virtual user's cookies) and keeps
/// of the response besides its body (headers, for checks and extraction).
pub(super) struct Wire<'a> {
    pub(super) extra: &'a [(String, String)],
    pub(super) headers: Option<&'a mut Vec<(String, String)>>,
}

/// Where an exchange keeps the response's body and headers, when asked to.
pub(super) type Kept<'a> = (
    Option<&'a mut Vec<u8>>,
    Option<&'a mut Vec<(String, String)>>,
);

/// Copy `map` into `out` (lower-case names; values that are not text are skipped).
pub(crate) fn copy_headers(map: &http::HeaderMap, out: &mut Vec<(String, String)>) {
    out.clear();
    for (name, value) in map {
        if let Ok(v) = value.to_str() {
            out.push((name.as_str().to_owned(), v.to_owned()));
        }
    }
}

/// A response: the call's outcome so far, and a redirect's `Location`.
pub(super) struct Answer {
    pub(super) outcome: Outcome,
    pub(super) location: Option<String>,
}

impl From<Outcome> for Answer {
    fn from(outcome: Outcome) -> Self {
        Self {
            outcome,
            location: None,
        }
    }
}

/// Send the encoded request `bytes` (a HEAD request when `head`) on the HTTP/1.1 connection in
/// `slot` and read the response (its body and headers into `kept` when given).
pub(super) async fn send_h1(
    endpoint: &Endpoint,
    slot: &mut Option<H1Conn<Box<dyn Io>>>,
    bytes: &[u8],
    (head, idempotent): (bool, bool),
    (mut keep, mut headers): Kept<'_>,
) -> Answer {
    let reused = slot
        .as_mut()
        .is_some_and(|c| !c.closed_while_idle(IDLE_PROBE_AFTER));
    let kept = (keep.as_deref_mut(), headers.as_deref_mut());
    // Awaited before the match, so the retry's future can take the first one's room.
    let first = h1_exchange(endpoint, slot, reused, bytes, head, kept).await;
    match first {
        Err(f) if reused && f.before_response && idempotent => {
            // The server had closed the kept-alive connection (idle timeout, or a close after the
            // last response without `Connection: close`): nothing of this request was
            // processed, so send it once more on a fresh connection.
            let second = h1_exchange(endpoint, slot, false, bytes, head, (keep, headers)).await;
            let mut answer = second.unwrap_or_else(|e| e.outcome.into());
            answer.outcome.retried = true;
            answer
        }
        Ok(answer) => answer,
        Err(H1Error { outcome, .. }) => outcome.into(),
    }
}

/// Send `request` on the shared HTTP/2 connection and read the response (its body and headers
/// into `kept`).
pub(super) async fn send_h2(
    endpoint: &Endpoint,
    conn: &H2Conn,
    request: http::Request<http_body_util::Full<bytes::Bytes>>,
    (keep, headers): Kept<'_>,
) -> Answer {
    match conn.send(|| endpoint.dial(), request).await {
        Ok((resp, opened)) => {
            if let Some(out) = headers {
                copy_headers(resp.headers(), out);
            }
            let location = (resp.status().is_redirection())
                .then(|| resp.headers().get(http::header::LOCATION))
                .flatten()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            let outcome = Outcome {
                opened,
                reused: !opened,
                ..conn.drain(resp, keep).await
            };
            Answer { outcome, location }
        }
        Err(outcome) => outcome.into(),
    }
}

/// A call that follows redirects: each hop is sent on the driver's connection, the call's
/// outcome is the last response's, with the hops counted and the bytes of all of them (`keep`
/// holds the last body).
pub(super) async fn follow(
    limit: u32,
    endpoint: &Endpoint,
    conn: &mut Conn,
    prepared: &Prepared,
    (values, scratch): (&mut Values<'_>, &mut Vec<u8>),
    mut keep: Option<&mut Vec<u8>>,
    wire: &mut Wire<'_>,
) -> Outcome {
    let rendered = prepared.rendered(values, wire.extra);
    let mut hop = prepared.first_hop(endpoint, &rendered);
    let mut chain = Chain::new(limit, &hop);
    loop {
        if let Some(k) = keep.as_deref_mut() {
            k.clear();
        }
        let answer = match conn {
            Conn::H1(slot) => match prepared.hop_h1(endpoint, &rendered, &hop, scratch) {
                Ok(()) => {
                    let head = hop.method == http::Method::HEAD;
                    let idempotent = hop.method.is_idempotent();
                    let kept = (keep.as_deref_mut(), wire.headers.as_deref_mut());
                    send_h1(endpoint, slot, scratch, (head, idempotent), kept).await
                }
                Err(outcome) => outcome.into(),
            },
            Conn::H2(shared) => match Prepared::hop_h2(endpoint, &rendered, &hop) {
                Ok(req) => {
                    let kept = (keep.as_deref_mut(), wire.headers.as_deref_mut());
                    send_h2(endpoint, shared, req, kept).await
                }
                Err(outcome) => outcome.into(),
            },
        };
        let location = answer.location.as_deref();
        match chain.next(answer.outcome, location, &hop, endpoint) {
            Ok(next) => hop = next,
            Err(outcome) => return outcome,
        }
    }
}

/// A failed HTTP/1.1 exchange: its outcome, and whether the connection died before any byte of
/// the response arrived.
struct H1Error {
    outcome: Outcome,
    before_response: bool,
}

/// One exchange on the connection in `slot`, dialling first unless `reused`; the outcome says
/// whether the call opened a connection or reused one.
async fn h1_exchange(
    endpoint: &Endpoint,
    slot: &mut Option<H1Conn<Box<dyn Io>>>,
    reused: bool,
    bytes: &[u8],
    head: bool,
    (keep, headers): Kept<'_>,
) -> Result<Answer, H1Error> {
    if !reused {
        *slot = None;
    }
    let conn = match slot {
        Some(c) => c,
        None => {
            // Boxed: dialling (TCP, TLS, proxy) is once per connection, and its ~1 KiB future
            // would otherwise sit in every connection's task for the whole run.
            let io = Box::pin(endpoint.dial()).await.map_err(|outcome| H1Error {
                outcome,
                before_response: false,
            })?;
            slot.insert(H1Conn::new(io))
        }
    };
    conn.keep_headers(headers.is_some());
    let result = conn.exchange(bytes, head, keep.is_some()).await;
    let (mut outcome, location) = match result {
        Ok(r) => {
            if let Some(k) = keep {
                k.extend_from_slice(conn.body());
            }
            if let Some(h) = headers {
                h.clear();
                h.extend_from_slice(conn.headers());
            }
            if !r.keep_alive {
                *slot = None;
            }
            (Outcome::http(r.status, r.body_bytes), r.location)
        }
        Err(f) => {
            *slot = None;
            let mut outcome = Outcome::failed(f.kind, f.message);
            outcome.opened = !reused;
            outcome.reused = reused;
            return Err(H1Error {
                outcome,
                before_response: f.before_response,
            });
        }
    };
    outcome.opened = !reused;
    outcome.reused = reused;
    Ok(Answer { outcome, location })
}
