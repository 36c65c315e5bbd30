//! Reading a gRPC response: its messages deframed and counted, its status from the trailers, and
//! — when a check or an extraction needs them — its metadata and its messages decoded as JSON.

use std::time::Instant;

use http::Response;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use prost_reflect::{DynamicMessage, MessageDescriptor};

use super::frame::{self, Deframer};
use super::grpc_outcome;
use crate::driver::h2::{classify, H2Conn};
use crate::driver::http_send::copy_headers;
use crate::driver::{ErrorKind, Outcome};

/// What a call keeps of its response: metadata (headers and trailers), and the messages
/// decoded as JSON.
pub(super) struct Keep<'a> {
    pub(super) headers: Option<&'a mut Vec<(String, String)>>,
    pub(super) body: Option<(&'a mut Vec<u8>, &'a MessageDescriptor)>,
}

pub(super) async fn read_call(
    conn: &H2Conn,
    resp: Response<Incoming>,
    streaming: bool,
    mut keep: Keep<'_>,
) -> Outcome {
    if let Some(out) = keep.headers.as_deref_mut() {
        copy_headers(resp.headers(), out);
    }
    let http_status = resp.status().as_u16();
    if http_status != 200 {
        return grpc_outcome(
            frame::code_of_http(http_status),
            &format!("HTTP {http_status}"),
            0,
        );
    }
    if let Some((code, message)) = frame::status(resp.headers()) {
        return grpc_outcome(code, &message, 0); // trailers-only response
    }
    let mut body = resp.into_body();
    let mut deframer = if keep.body.is_some() {
        Deframer::keeping()
    } else {
        Deframer::default()
    };
    let mut bytes = 0u64;
    let mut first = None;
    let mut status = None;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => match frame.into_data() {
                Ok(data) => {
                    bytes += data.len() as u64;
                    if deframer.push(&data) > 0 && first.is_none() {
                        first = Some(Instant::now());
                    }
                }
                Err(frame) => {
                    let trailers = frame.trailers_ref();
                    if let (Some(t), Some(out)) = (trailers, keep.headers.as_deref_mut()) {
                        append_headers(t, out);
                    }
                    status = trailers.and_then(frame::status);
                }
            },
            Err(e) => {
                conn.reset();
                return classify(&e);
            }
        }
    }
    let Some((code, message)) = status else {
        return Outcome {
            bytes,
            ..Outcome::failed(
                ErrorKind::Protocol,
                "the response ended without grpc-status",
            )
        };
    };
    if !deframer.is_clean() {
        return Outcome {
            bytes,
            ..Outcome::failed(ErrorKind::Protocol, "the response ended inside a message")
        };
    }
    if let Some((out, desc)) = keep.body {
        if let Err(e) = decode_json(&deframer.kept, desc, streaming, out) {
            return Outcome::failed(ErrorKind::Protocol, format!("response message: {e}"));
        }
    }
    Outcome {
        first_message: if streaming { first } else { None },
        messages: deframer.messages,
        ..grpc_outcome(code, &message, bytes)
    }
}

/// Append `map` (trailers) to the headers kept in `out`.
fn append_headers(map: &http::HeaderMap, out: &mut Vec<(String, String)>) {
    let mut more = Vec::new();
    copy_headers(map, &mut more);
    out.extend(more);
}

/// Why a response message could not be kept as JSON.
#[derive(Debug, thiserror::Error)]
enum DecodeError {
    /// Not a message of the method's output type.
    #[error(transparent)]
    Protobuf(#[from] prost::DecodeError),
    /// Not representable as JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// The response's messages as JSON into `out`: the message of a unary call, an array of a
/// stream's.
fn decode_json(
    messages: &[Vec<u8>],
    desc: &MessageDescriptor,
    streaming: bool,
    out: &mut Vec<u8>,
) -> Result<(), DecodeError> {
    let mut values = Vec::with_capacity(messages.len());
    for m in messages {
        let msg = DynamicMessage::decode(desc.clone(), m.as_slice())?;
        values.push(serde_json::to_value(&msg)?);
    }
    let value = if streaming {
        serde_json::Value::Array(values)
    } else {
        values.into_iter().next().unwrap_or(serde_json::Value::Null)
    };
    out.clear();
    serde_json::to_writer(&mut *out, &value)?;
    Ok(())
}
