//! Sessions for journeys: `POST /login` hands out a token (also as a `session` cookie), `GET /me`
//! answers only with one (`Authorization: Bearer …` or the cookie), and `GET /flaky-json?every=N`
//! answers a wrong JSON body on exactly every N-th call, so checks have a known failure count.
//! GraphQL (`login`, `me(token)`) and gRPC (`Login`, `GetProfile`) have the same sessions.
//!
//! Tokens are stateless: `tg.USER.N.MAC`, the MAC a SHA-256 over a per-process secret, so any
//! server of the process verifies them and nothing grows with the number of logins.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use sha2::{Digest, Sha256};

/// The routes this module answers (before the knobs, like `/health`).
pub(crate) const ROUTES: [&str; 3] = ["/login", "/me", "/flaky-json"];

/// Calls of `/flaky-json` so far (process-wide).
#[derive(Debug, Default)]
pub(crate) struct Flaky(AtomicU64);

fn secret() -> &'static [u8; 16] {
    static SECRET: OnceLock<[u8; 16]> = OnceLock::new();
    SECRET.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut s = [0u8; 16];
        s.copy_from_slice(&Sha256::digest(nanos.to_le_bytes())[..16]);
        s
    })
}

fn mac(user: &str, n: u64) -> String {
    let mut h = Sha256::new();
    h.update(secret());
    h.update(user.as_bytes());
    h.update(n.to_le_bytes());
    hex(&h.finalize()[..8])
}

/// `bytes` in lower-case hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A new token for `user` (`n` makes each login's token distinct).
pub(crate) fn issue(user: &str, n: u64) -> String {
    let user: String = user
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect();
    let user = if user.is_empty() { "demo".into() } else { user };
    format!("tg.{user}.{n}.{}", mac(&user, n))
}

/// The user of a valid token.
pub(crate) fn verify(token: &str) -> Option<String> {
    let mut parts = token.trim().split('.');
    let (Some("tg"), Some(user), Some(n), Some(m), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let n: u64 = n.parse().ok()?;
    (mac(user, n) == m).then(|| user.to_owned())
}

/// The token of a request: `Authorization: Bearer …`, else the `session` cookie.
pub(crate) fn token_of(headers: &http::HeaderMap) -> Option<String> {
    let bearer = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    bearer.or_else(|| {
        let cookies = headers.get(http::header::COOKIE)?.to_str().ok()?;
        cookies
            .split(';')
            .find_map(|c| c.trim().strip_prefix("session="))
            .map(str::to_owned)
    })
}

/// Answer a session route (no knobs): call `seq` of the server.
pub(crate) async fn serve(
    req: hyper::Request<hyper::body::Incoming>,
    seq: u64,
    flaky: &Flaky,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let (status, text, cookie) = answer(
        parts.uri.path(),
        parts.uri.query(),
        &parts.headers,
        &body,
        (seq, flaky),
    );
    let mut response = hyper::Response::new(Full::new(Bytes::from(text)));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
    if let Some(c) = cookie.and_then(|c| http::HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(http::header::SET_COOKIE, c);
    }
    response
}

/// The status, body and `Set-Cookie` of a session route (`path` one of [`ROUTES`]).
pub(crate) fn answer(
    path: &str,
    query: Option<&str>,
    headers: &http::HeaderMap,
    body: &[u8],
    (seq, flaky): (u64, &Flaky),
) -> (u16, String, Option<String>) {
    match path {
        "/login" => {
            let user = serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v.get("user").and_then(|u| u.as_str()).map(str::to_owned))
                .unwrap_or_default();
            let token = issue(&user, seq);
            let user = verify(&token).unwrap_or_default();
            let body = serde_json::json!({ "token": token, "user": user }).to_string();
            (
                200,
                body,
                Some(format!("session={token}; Path=/; HttpOnly")),
            )
        }
        "/me" => match token_of(headers).as_deref().and_then(verify) {
            Some(user) => (200, serde_json::json!({ "user": user }).to_string(), None),
            None => (401, r#"{"error":"unauthorized"}"#.into(), None),
        },
        _ => {
            let every = query
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("every=")))
                .and_then(|n| n.parse::<u64>().ok())
                .filter(|n| *n > 0)
                .unwrap_or(10);
            let k = flaky.0.fetch_add(1, Ordering::Relaxed) + 1;
            (
                200,
                format!("{{\"ok\":{},\"call\":{k}}}", k % every != 0),
                None,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_forgeries_do_not() {
        let t = issue("alice!", 7);
        assert_eq!(verify(&t).as_deref(), Some("alice"));
        assert_ne!(issue("alice", 8), t);
        assert_eq!(verify(&t.replace(".7.", ".8.")), None);
        assert_eq!(verify("tg.alice.7.0000000000000000"), None);
        assert_eq!(verify("garbage"), None);
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            format!("a=b; session={t}").parse().unwrap(),
        );
        assert_eq!(token_of(&h), Some(t.clone()));
        h.insert(http::header::AUTHORIZATION, "Bearer x".parse().unwrap());
        assert_eq!(token_of(&h).as_deref(), Some("x"));
    }

    #[test]
    fn flaky_json_is_wrong_on_exactly_every_nth_call() {
        let flaky = Flaky::default();
        let h = http::HeaderMap::new();
        let wrong = (0..30)
            .filter(|_| {
                answer("/flaky-json", Some("every=4"), &h, b"", (0, &flaky))
                    .1
                    .contains("false")
            })
            .count();
        assert_eq!(wrong, 7);
    }
}
