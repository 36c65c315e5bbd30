//! Checks on an encoded HDR V2 histogram before it reaches `hdrhistogram`'s decoder.
//!
//! Histograms come from files and stores that anyone may have written (a PR's result artifact,
//! a baseline store), and the decoder trusts the payload length in the header: it allocates and
//! zero-fills that many bytes (up to 4 GiB) before reading them. So a 60-character base64 string
//! could make the gate allocate gigabytes per histogram. Here a plain V2 payload must fit in the
//! bytes given, and a deflate one is inflated first, at most [`MAX_INFLATED`] bytes, and checked
//! the same way.

use std::borrow::Cow;
use std::io::Read as _;

use crate::histogram_error::HistogramError;

const V2_COOKIE: u32 = 0x1c84_9313;
const V2_DEFLATE_COOKIE: u32 = 0x1c84_9314;
/// Bytes of a V2 header: cookie, payload length, normalising offset, digits, low, high, ratio.
const V2_HEADER: usize = 40;
/// The most a deflate histogram may inflate to. tailguard's own (1 µs – 1 h, 3 digits) are
/// under 250 KiB even with every bucket counted.
pub const MAX_INFLATED: u64 = 16 << 20;

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn bad(msg: String) -> HistogramError {
    HistogramError::Decode(msg)
}

/// The plain V2 bytes to decode: `bytes` itself, or a deflate histogram inflated; an error when
/// a header claims more payload than there is. Other inputs pass through for the decoder to
/// refuse.
pub(crate) fn plain_v2(bytes: &[u8]) -> Result<Cow<'_, [u8]>, HistogramError> {
    match be_u32(bytes, 0) {
        Some(V2_COOKIE) => check_payload(bytes).map(|()| Cow::Borrowed(bytes)),
        Some(V2_DEFLATE_COOKIE) => {
            let len = be_u32(bytes, 4).unwrap_or(0) as usize;
            let data = bytes.get(8..).unwrap_or_default();
            let data = &data[..len.min(data.len())];
            let mut inflated = Vec::new();
            flate2::read::ZlibDecoder::new(data)
                .take(MAX_INFLATED + 1)
                .read_to_end(&mut inflated)
                .map_err(|e| bad(format!("deflate: {e}")))?;
            if inflated.len() as u64 > MAX_INFLATED {
                return Err(bad(format!("inflates to more than {MAX_INFLATED} bytes")));
            }
            if be_u32(&inflated, 0) != Some(V2_COOKIE) {
                return Err(bad("InvalidCookie".into()));
            }
            check_payload(&inflated)?;
            Ok(Cow::Owned(inflated))
        }
        _ => Ok(Cow::Borrowed(bytes)),
    }
}

fn check_payload(v2: &[u8]) -> Result<(), HistogramError> {
    let Some(claimed) = be_u32(v2, 4) else {
        return Ok(()); // too short for a header: the decoder says so
    };
    let there = v2.len().saturating_sub(V2_HEADER);
    if claimed as usize > there {
        return Err(bad(format!(
            "the header claims a payload of {claimed} bytes, {there} follow it"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::histogram::LatencyHistogram;
    use base64::Engine as _;
    use hdrhistogram::serialization::{Serializer as _, V2Serializer};

    fn b64(b: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(b)
    }

    fn plain(values: &[u64]) -> Vec<u8> {
        let mut h = LatencyHistogram::new();
        for &v in values {
            h.record_us(v);
        }
        let mut out = Vec::new();
        V2Serializer::new().serialize(h.inner(), &mut out).unwrap();
        out
    }

    fn deflate(v2: &[u8]) -> Vec<u8> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, v2).unwrap();
        let z = z.finish().unwrap();
        let mut out = V2_DEFLATE_COOKIE.to_be_bytes().to_vec();
        out.extend((z.len() as u32).to_be_bytes());
        out.extend(z);
        out
    }

    /// A header claiming a 4 GiB payload used to make the decoder allocate and zero 4 GiB; now
    /// it is refused at once, in both formats. Valid histograms of both still decode.
    #[test]
    fn a_payload_length_beyond_the_bytes_is_refused_before_any_allocation() {
        let good = plain(&[5, 500, 50_000]);
        assert_eq!(LatencyHistogram::from_base64(&b64(&good)).unwrap().len(), 3);
        assert_eq!(
            LatencyHistogram::from_base64(&b64(&deflate(&good)))
                .unwrap()
                .len(),
            3
        );
        let mut bomb = good.clone();
        bomb[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
        let t0 = std::time::Instant::now();
        for input in [bomb.clone(), deflate(&bomb)] {
            let err = LatencyHistogram::from_base64(&b64(&input)).unwrap_err();
            assert!(err.to_string().contains("4294967295 bytes"), "{err}");
        }
        assert!(t0.elapsed() < std::time::Duration::from_secs(1));
    }

    /// A deflate stream that inflates past the bound is refused, not inflated to the end.
    #[test]
    fn a_deflate_bomb_is_refused() {
        let mut big = plain(&[5]);
        big.resize(MAX_INFLATED as usize + 1024, 0);
        let err = LatencyHistogram::from_base64(&b64(&deflate(&big))).unwrap_err();
        assert!(err.to_string().contains("inflates to more than"), "{err}");
    }
}
