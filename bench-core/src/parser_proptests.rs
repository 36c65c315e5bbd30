//! Property tests: the parsers that read what users and servers send — scenario files (and
//! `--set` overrides), HDR histograms from results and stores, HTTP/1.1 responses — return an
//! error for any input and never panic.
//!
//! The case count is proptest's `PROPTEST_CASES`: 256 when unset, so CI spends seconds; the
//! long run (100 000 cases each, times in docs/benchmarks.md) is
//! `PROPTEST_CASES=100000 cargo test --release -p bench-core --lib parser_proptests`. The
//! line-protocol reader's test is `store::influx::reader` in the tailguard crate.
#![cfg(test)]

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use base64::Engine as _;
use hdrhistogram::serialization::{Serializer as _, V2DeflateSerializer, V2Serializer};
use proptest::prelude::*;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::driver::h1::H1Conn;
use crate::histogram::LatencyHistogram;
use crate::scenario::Scenario;

/// A valid scenario the mutations start from (loopback target first, so splices after it keep
/// name resolution off the network).
const SCENARIO: &str = r#"target = "http://127.0.0.1:1"
name = "fuzz"
slo = ["p99 < 100ms", "error_rate < 1%"]

[request]
method = "POST"
path = "/items/{{seq}}"
headers = { "x-a" = "${A:-1}" }
body = '{"n": {{seq}}}'

[load]
rate = 100
duration = "1s"
connections = 4
"#;

/// `text` with `insert` spliced in at byte `at` (kept past the first line, on a char boundary).
fn splice(text: &str, at: usize, insert: &str) -> String {
    let first = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut at = first + at % (text.len() - first + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    format!("{}{insert}{}", &text[..at], &text[at..])
}

/// A server's side of a connection: scripted bytes, handed out in chunks; writes are dropped.
struct Scripted {
    input: Vec<u8>,
    pos: usize,
    chunk: usize,
}

impl AsyncRead for Scripted {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let n = this
            .chunk
            .min(this.input.len() - this.pos)
            .min(buf.remaining());
        buf.put_slice(&this.input[this.pos..this.pos + n]);
        this.pos += n;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Scripted {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, b: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(b.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A histogram with a few values in both encodings (plain V2, V2 deflate), the start of the
/// decoder's mutations.
fn v2_bytes(values: &[u64]) -> [Vec<u8>; 2] {
    let mut h = LatencyHistogram::new();
    for &v in values {
        h.record_us(v);
    }
    let mut plain = Vec::new();
    let _ = V2Serializer::new().serialize(h.inner(), &mut plain);
    let mut deflate = Vec::new();
    let _ = V2DeflateSerializer::new().serialize(h.inner(), &mut deflate);
    [plain, deflate]
}

fn runtime() -> Result<tokio::runtime::Runtime, TestCaseError> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| TestCaseError::fail(e.to_string()))
}

proptest! {
    #[test]
    fn scenario_parser_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = Scenario::parse(&text, Path::new("fuzz.toml"), &[], &|_| None);
    }

    #[test]
    fn scenario_parser_never_panics_on_mutations(
        at in any::<usize>(),
        insert in "\\PC{0,24}|[\\[\\]{}=\"'.,\\n a-z0-9_-]{0,24}",
        set in "\\PC{0,24}",
    ) {
        let text = splice(SCENARIO, at, &insert);
        let _ = Scenario::parse(&text, Path::new("fuzz.toml"), &[], &|_| None);
        if let Ok(set) = crate::scenario::Override::parse_set(&set) {
            let _ = Scenario::parse(SCENARIO, Path::new("fuzz.toml"), &[set], &|_| None);
        }
    }

    #[test]
    fn h1_response_parser_never_panics(
        input in proptest::collection::vec(any::<u8>(), 0..512),
        framed in "HTTP/1\\.[01] [0-9]{3} [A-Za-z ]{0,8}\r\n((content-length|transfer-encoding|connection): [0-9a-z, -]{0,12}\r\n){0,3}\r\n[0-9a-fA-F;\r\n]{0,24}",
        chunk in 1usize..64,
        head_only in any::<bool>(),
        keep_body in any::<bool>(),
    ) {
        let rt = runtime()?;
        for bytes in [input, framed.into_bytes()] {
            let io = Scripted { input: bytes, pos: 0, chunk };
            let mut conn = H1Conn::new(io);
            rt.block_on(async {
                let request = b"GET / HTTP/1.1\r\nhost: x\r\n\r\n";
                if conn.exchange(request, head_only, keep_body).await.is_ok() {
                    let _ = conn.body();
                    let _ = conn.exchange(request, head_only, keep_body).await;
                }
            });
        }
    }

    /// Arbitrary text and bytes, and valid encodings with bytes edited or cut off. Cheap per case
    /// since a header can no longer claim more payload than it carries (see `hdr_input.rs`).
    #[test]
    fn hdr_decoder_never_panics(
        bytes in proptest::collection::vec(any::<u8>(), 0..256),
        text in "\\PC{0,64}",
        values in proptest::collection::vec(1u64..10_000_000, 0..8),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        cut in any::<usize>(),
    ) {
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let _ = LatencyHistogram::from_base64(&text);
        let _ = LatencyHistogram::from_base64(&b64(&bytes));
        for mut v2 in v2_bytes(&values) {
            for &(i, b) in &edits {
                let n = v2.len();
                v2[i % n] = b;
            }
            let _ = LatencyHistogram::from_base64(&b64(&v2));
            v2.truncate(cut % (v2.len() + 1));
            let _ = LatencyHistogram::from_base64(&b64(&v2));
        }
    }
}
