//! When a gRPC message's JSON does not fit its proto type, find the field: the first value whose
//! JSON type cannot be the field's proto type, named by its path and proto type, so the error
//! says `field "user.id" is int64 in the proto, but the message gives the string "abc"`.

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use serde_json::Value;

/// Explain a failed conversion of `json` to `desc`: the misfit field when one is found, else
/// the converter's own message.
pub(crate) fn explain(desc: &MessageDescriptor, json: &str, error: String) -> String {
    serde_json::from_str::<Value>(json)
        .ok()
        .and_then(|v| message(desc, &v, ""))
        .unwrap_or(error)
}

fn message(desc: &MessageDescriptor, json: &Value, path: &str) -> Option<String> {
    // Well-known types (Timestamp, Duration, wrappers, Struct …) have JSON forms of their own.
    if desc.full_name().starts_with("google.protobuf.") {
        return None;
    }
    let Value::Object(map) = json else {
        return Some(if path.is_empty() {
            format!(
                "the message must be a JSON object ({}), not {}",
                desc.full_name(),
                describe(json)
            )
        } else {
            wrong(path, desc.full_name(), json)
        });
    };
    map.iter().find_map(|(key, v)| {
        let at = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match desc
            .get_field_by_json_name(key)
            .or_else(|| desc.get_field_by_name(key))
        {
            Some(field) => field_value(&field, v, &at),
            None => Some(format!(
                "field {at:?}: {} has no such field",
                desc.full_name()
            )),
        }
    })
}

fn field_value(field: &FieldDescriptor, v: &Value, at: &str) -> Option<String> {
    if v.is_null() {
        return None;
    }
    let kind = field.kind();
    if field.is_map() {
        let Kind::Message(entry) = kind else {
            return None;
        };
        let value = entry.map_entry_value_field().kind();
        let Value::Object(entries) = v else {
            return Some(wrong(at, &format!("map<_, {}>", type_name(&value)), v));
        };
        return entries
            .iter()
            .find_map(|(k, e)| single(&value, e, &format!("{at}[{k:?}]")));
    }
    if field.is_list() {
        let Value::Array(items) = v else {
            return Some(wrong(at, &format!("repeated {}", type_name(&kind)), v));
        };
        return items
            .iter()
            .enumerate()
            .find_map(|(i, e)| single(&kind, e, &format!("{at}[{i}]")));
    }
    single(&kind, v, at)
}

fn single(kind: &Kind, v: &Value, at: &str) -> Option<String> {
    let integral = v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0);
    let fits = match kind {
        Kind::Message(m) => return message(m, v, at),
        Kind::Bool => v.is_boolean(),
        Kind::String | Kind::Bytes => v.is_string(),
        Kind::Enum(_) => v.is_string() || v.is_i64(),
        Kind::Double | Kind::Float => v.is_number() || v.is_string(),
        // Proto3 JSON also writes integers as strings ("123"), 64-bit ones always.
        _ => integral || v.is_string(),
    };
    (!fits).then(|| wrong(at, &type_name(kind), v))
}

fn wrong(at: &str, proto_type: &str, v: &Value) -> String {
    format!(
        "field {at:?} is {proto_type} in the proto, but the message gives {}",
        describe(v)
    )
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn type_name(kind: &Kind) -> String {
    match kind {
        Kind::Message(m) => m.full_name().to_owned(),
        Kind::Enum(e) => format!("enum {}", e.full_name()),
        Kind::Double => "double".into(),
        Kind::Float => "float".into(),
        Kind::Int32 => "int32".into(),
        Kind::Int64 => "int64".into(),
        Kind::Uint32 => "uint32".into(),
        Kind::Uint64 => "uint64".into(),
        Kind::Sint32 => "sint32".into(),
        Kind::Sint64 => "sint64".into(),
        Kind::Fixed32 => "fixed32".into(),
        Kind::Fixed64 => "fixed64".into(),
        Kind::Sfixed32 => "sfixed32".into(),
        Kind::Sfixed64 => "sfixed64".into(),
        Kind::Bool => "bool".into(),
        Kind::String => "string".into(),
        Kind::Bytes => "bytes".into(),
    }
}
