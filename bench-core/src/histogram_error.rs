//! [`HistogramError`]: what (de)serialising a histogram can fail with; shared by the
//! histogram (`histogram.rs`) and the check of untrusted input (`hdr_input.rs`).

/// Errors of histogram (de)serialisation.
#[derive(Debug, thiserror::Error)]
pub enum HistogramError {
    /// The text is not valid base64.
    #[error("histogram is not valid base64: {0}")]
    Base64(#[from] base64::DecodeError),
    /// The bytes are not an HDR V2 (deflate) histogram.
    #[error("histogram is not a valid HDR V2 histogram: {0}")]
    Decode(String),
    /// Encoding failed (should not happen for histograms built by this module).
    #[error("cannot encode histogram: {0}")]
    Encode(String),
}
