//! Reading an HTTP/1.1 response body: exactly `content-length` bytes, chunked (with trailers),
//! or until the server closes; counted, and kept only when the call asks for the body.

use bytes::Buf;
use tokio::io::{AsyncRead, AsyncWrite};

use super::{closed, protocol, Failure, H1Conn, MAX_HEAD};

impl<IO: AsyncRead + AsyncWrite + Unpin> H1Conn<IO> {
    /// Discard exactly `n` body bytes.
    pub(super) async fn skip_exact(&mut self, n: u64) -> Result<u64, Failure> {
        let mut left = n;
        loop {
            let take = (self.buf.len() as u64).min(left);
            if self.keep_body {
                self.body.extend_from_slice(&self.buf[..take as usize]);
            }
            self.buf.advance(take as usize);
            left -= take;
            if left == 0 {
                return Ok(n);
            }
            if self.fill().await? == 0 {
                return Err(closed());
            }
        }
    }

    /// Discard a chunked body (and its trailers); returns the data bytes.
    pub(super) async fn skip_chunked(&mut self) -> Result<u64, Failure> {
        let mut total = 0u64;
        loop {
            let line = self.read_line().await?;
            let size_text = line.split(';').next().unwrap_or("").trim();
            let size = u64::from_str_radix(size_text, 16)
                .map_err(|_| protocol(format!("bad chunk size {size_text:?}")))?;
            if size == 0 {
                // Trailers until an empty line.
                while !self.read_line().await?.is_empty() {}
                return Ok(total);
            }
            self.skip_exact(size).await?;
            total += size;
            if !self.read_line().await?.is_empty() {
                return Err(protocol("chunk data not followed by CRLF"));
            }
        }
    }

    pub(super) async fn read_line(&mut self) -> Result<String, Failure> {
        loop {
            if let Some(pos) = self.buf.iter().position(|b| *b == b'\n') {
                let line = self.buf.split_to(pos + 1);
                let text =
                    std::str::from_utf8(&line).map_err(|_| protocol("chunk line is not text"))?;
                return Ok(text.trim_end_matches(['\r', '\n']).to_owned());
            }
            if self.buf.len() > MAX_HEAD {
                return Err(protocol("chunk line longer than 64 KiB"));
            }
            if self.fill().await? == 0 {
                return Err(closed());
            }
        }
    }

    pub(super) async fn skip_to_eof(&mut self) -> Result<u64, Failure> {
        let mut total = 0u64;
        loop {
            total += self.buf.len() as u64;
            if self.keep_body {
                self.body.extend_from_slice(&self.buf);
            }
            self.buf.clear();
            if self.fill().await? == 0 {
                return Ok(total);
            }
        }
    }
}
