//! A request's JSON message → a framed protobuf message of its type, and the check before the
//! load that a message without variables encodes.

use prost::Message;
use prost_reflect::{DynamicMessage, MessageDescriptor};
use rand::rngs::SmallRng;

use super::{frame, json_fit};
use crate::template::{Sources, Template};

/// Render `message` once (with throw-away counters) and encode it, so a bad field fails before
/// the load, not per call; a message with variables is only known once they are captured.
pub(super) fn probe_encode(
    desc: &MessageDescriptor,
    message: &Template,
    probe: &Sources,
    rng: &mut SmallRng,
) -> Result<Vec<u8>, EncodeError> {
    let mut values = probe.draw(message.needs(), rng);
    match encode(desc, &message.render_string(&mut values)) {
        Err(_) if message.has_vars() => Ok(Vec::new()),
        other => other,
    }
}

/// A rendered message that does not fit its protobuf type.
#[derive(Debug, thiserror::Error)]
pub(super) enum EncodeError {
    /// The JSON does not fit the message type (explained field by field when it can be).
    #[error("for {message}: {explained}")]
    Fit {
        /// The message type's full name.
        message: String,
        /// What does not fit.
        explained: String,
    },
    /// Text after the JSON value.
    #[error("for {message}: {source}")]
    Trailing {
        /// The message type's full name.
        message: String,
        /// The parser's error.
        source: serde_json::Error,
    },
}

/// JSON text → a framed protobuf message of type `desc`.
pub(super) fn encode(desc: &MessageDescriptor, json: &str) -> Result<Vec<u8>, EncodeError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let msg = DynamicMessage::deserialize(desc.clone(), &mut de).map_err(|e| EncodeError::Fit {
        message: desc.full_name().to_owned(),
        explained: json_fit::explain(desc, json, e.to_string()),
    })?;
    de.end().map_err(|source| EncodeError::Trailing {
        message: desc.full_name().to_owned(),
        source,
    })?;
    Ok(frame::encode(&msg.encode_to_vec()))
}
