//! HTTP/2 on hyper's low-level client: the drivers of one connection share an [`H2Conn`], the
//! first call dials and handshakes, later ones clone the sender and open a stream each. HTTP and
//! GraphQL drain the response with [`H2Conn::drain`]; gRPC reads its frames and trailers itself.

use std::cell::RefCell;
use std::future::Future;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http2;
use hyper_util::rt::{TokioExecutor, TokioIo};

use super::{io_error_kind, ErrorKind, Io, Outcome, Status};

/// One HTTP/2 connection, shared by the drivers (streams) made for it.
#[derive(Debug, Default)]
pub(crate) struct H2Conn {
    sender: RefCell<Option<http2::SendRequest<Full<Bytes>>>>,
    connecting: tokio::sync::Mutex<()>,
}

impl H2Conn {
    fn open_sender(&self) -> Option<http2::SendRequest<Full<Bytes>>> {
        self.sender
            .borrow()
            .as_ref()
            .filter(|s| !s.is_closed())
            .cloned()
    }

    /// A sender on a live connection, dialling (once, for all streams) when there is none;
    /// true when this call dialled.
    async fn sender<F, Fut>(
        &self,
        dial: F,
    ) -> Result<(http2::SendRequest<Full<Bytes>>, bool), Outcome>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Box<dyn Io>, Outcome>>,
    {
        if let Some(s) = self.open_sender() {
            return Ok((s, false));
        }
        let _guard = self.connecting.lock().await;
        if let Some(s) = self.open_sender() {
            return Ok((s, false)); // another stream connected while we waited
        }
        // Boxed: dialling and the handshake are once per connection; unboxed, their futures
        // would take room in every stream's task for the whole run.
        let (sender, conn) = Box::pin(async {
            let io = dial().await?;
            http2::handshake(TokioExecutor::new(), TokioIo::new(io))
                .await
                .map_err(|e| classify(&e))
        })
        .await?;
        tokio::spawn(conn);
        *self.sender.borrow_mut() = Some(sender.clone());
        Ok((sender, true))
    }

    /// Open a stream and send `request`; the response's head is returned, its body left to the
    /// caller, with true when this call opened the connection. A failure forgets the connection.
    pub(crate) async fn send<F, Fut>(
        &self,
        dial: F,
        request: Request<Full<Bytes>>,
    ) -> Result<(Response<Incoming>, bool), Outcome>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Box<dyn Io>, Outcome>>,
    {
        let (mut sender, opened) = self.sender(dial).await?;
        let failed = |e: hyper::Error| {
            self.reset();
            Outcome {
                opened,
                reused: !opened,
                ..classify(&e)
            }
        };
        sender.ready().await.map_err(failed)?;
        let response = sender.send_request(request).await.map_err(failed)?;
        Ok((response, opened))
    }

    /// Read a response body to its end, counting its bytes and appending them to `keep` when
    /// given. A body error forgets the connection.
    pub(crate) async fn drain(
        &self,
        resp: Response<Incoming>,
        mut keep: Option<&mut Vec<u8>>,
    ) -> Outcome {
        let code = resp.status().as_u16();
        let mut body = resp.into_body();
        let mut bytes = 0u64;
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(frame) => {
                    if let Some(data) = frame.data_ref() {
                        bytes += data.len() as u64;
                        if let Some(k) = keep.as_deref_mut() {
                            k.extend_from_slice(data);
                        }
                    }
                }
                Err(e) => {
                    self.reset();
                    return Outcome {
                        status: Some(Status::Http(code)),
                        ..classify(&e)
                    };
                }
            }
        }
        Outcome::http(code, bytes)
    }

    /// Forget the connection; the next call dials again.
    pub(crate) fn reset(&self) {
        *self.sender.borrow_mut() = None;
    }
}

/// Classify a hyper error into an [`ErrorKind`], with the whole cause chain as the message.
pub(crate) fn classify(e: &hyper::Error) -> Outcome {
    let io_kind = std::iter::successors(std::error::Error::source(e), |s| s.source())
        .find_map(|s| s.downcast_ref::<std::io::Error>())
        .map(io_error_kind);
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else if e.is_incomplete_message()
        || e.is_canceled()
        || e.is_closed()
        || io_kind == Some(ErrorKind::Reset)
    {
        ErrorKind::Reset
    } else {
        ErrorKind::Protocol
    };
    let mut message = e.to_string();
    for s in std::iter::successors(std::error::Error::source(e), |s| s.source()) {
        message.push_str(": ");
        message.push_str(&s.to_string());
    }
    Outcome::failed(kind, message)
}
