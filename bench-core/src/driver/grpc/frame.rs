//! gRPC's length-prefixed messages (1 byte compressed flag, 4 bytes big-endian length, then the
//! protobuf bytes) and its status trailers.

use http::HeaderMap;

/// Frame one encoded message.
pub(crate) fn encode(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + message.len());
    out.push(0);
    out.extend_from_slice(
        &u32::try_from(message.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    out.extend_from_slice(message);
    out
}

/// Splits a response body into messages as its data frames arrive, without copying unless the
/// messages are wanted (reflection); the load path only counts them.
#[derive(Debug, Default)]
pub(crate) struct Deframer {
    header: [u8; 5],
    have: usize,
    remaining: usize,
    /// Complete messages seen.
    pub(crate) messages: u64,
    current: Vec<u8>,
    /// Complete messages, when kept.
    pub(crate) kept: Vec<Vec<u8>>,
    keep: bool,
}

impl Deframer {
    /// A deframer that keeps every message's bytes.
    pub(crate) fn keeping() -> Self {
        Self {
            keep: true,
            ..Self::default()
        }
    }

    /// Feed a data chunk; returns how many messages it completed.
    pub(crate) fn push(&mut self, mut chunk: &[u8]) -> u64 {
        let before = self.messages;
        while !chunk.is_empty() {
            if self.have < 5 {
                let take = (5 - self.have).min(chunk.len());
                self.header[self.have..self.have + take].copy_from_slice(&chunk[..take]);
                self.have += take;
                chunk = &chunk[take..];
                if self.have == 5 {
                    let len = u32::from_be_bytes([
                        self.header[1],
                        self.header[2],
                        self.header[3],
                        self.header[4],
                    ]);
                    self.remaining = len as usize;
                    if self.remaining == 0 {
                        self.finish();
                    }
                }
                continue;
            }
            let take = self.remaining.min(chunk.len());
            if self.keep {
                self.current.extend_from_slice(&chunk[..take]);
            }
            self.remaining -= take;
            chunk = &chunk[take..];
            if self.remaining == 0 {
                self.finish();
            }
        }
        self.messages - before
    }

    fn finish(&mut self) {
        self.messages += 1;
        self.have = 0;
        if self.keep {
            self.kept.push(std::mem::take(&mut self.current));
        }
    }

    /// True when the body ended between messages.
    pub(crate) fn is_clean(&self) -> bool {
        self.have == 0
    }
}

/// `grpc-status` and the percent-decoded `grpc-message` of a header or trailer map.
pub(crate) fn status(map: &HeaderMap) -> Option<(i32, String)> {
    let code = map.get("grpc-status")?.to_str().ok()?.trim().parse().ok()?;
    let message = map
        .get("grpc-message")
        .map(|v| percent_decode(v.as_bytes()))
        .unwrap_or_default();
    Some((code, message))
}

fn percent_decode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The gRPC code an HTTP status means when a response is not a gRPC response (the spec's table).
pub(crate) fn code_of_http(status: u16) -> i32 {
    match status {
        400 => 13,             // INTERNAL
        401 => 16,             // UNAUTHENTICATED
        403 => 7,              // PERMISSION_DENIED
        404 => 12,             // UNIMPLEMENTED
        429 | 502..=504 => 14, // UNAVAILABLE
        _ => 2,                // UNKNOWN
    }
}

/// The `grpc-timeout` header value for a deadline (at most 8 digits, in the coarsest exact unit).
pub(crate) fn timeout_header(d: std::time::Duration) -> String {
    let micros = d.as_micros();
    if micros % 1000 == 0 && micros / 1000 < 100_000_000 {
        format!("{}m", micros / 1000)
    } else if micros < 100_000_000 {
        format!("{micros}u")
    } else {
        format!("{}S", d.as_secs().min(99_999_999))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deframes_across_chunk_boundaries() {
        let mut body = encode(b"hello");
        body.extend(encode(b""));
        body.extend(encode(&[7u8; 300]));
        for split in [1, 2, 3, 5, 7, 64, body.len()] {
            let mut d = Deframer::keeping();
            let mut total = 0;
            for chunk in body.chunks(split) {
                total += d.push(chunk);
            }
            assert_eq!(total, 3, "split {split}");
            assert!(d.is_clean());
            assert_eq!(d.kept, vec![b"hello".to_vec(), vec![], vec![7u8; 300]]);
        }
        let mut d = Deframer::default();
        d.push(&body[..8]);
        assert!(!d.is_clean());
        assert!(d.kept.is_empty());
    }

    #[test]
    fn status_and_timeouts() {
        let mut h = HeaderMap::new();
        assert_eq!(status(&h), None);
        h.insert("grpc-status", "14".parse().unwrap());
        h.insert("grpc-message", "try%20again%3A%20later".parse().unwrap());
        assert_eq!(status(&h), Some((14, "try again: later".into())));
        assert_eq!(
            timeout_header(std::time::Duration::from_millis(250)),
            "250m"
        );
        assert_eq!(
            timeout_header(std::time::Duration::from_micros(1500)),
            "1500u"
        );
        assert_eq!(code_of_http(503), 14);
        assert_eq!(code_of_http(404), 12);
    }
}
