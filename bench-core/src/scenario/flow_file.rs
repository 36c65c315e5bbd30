//! The scenario file's sections for checks, extraction, journeys and setup, as written.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One check of a request (`[[requests.checks]]`, or `checks = [{ … }]`): exactly one of
/// `status`, `header`, `body_contains`, `body_matches`, `json`, `max_body_bytes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSection {
    /// Name in results (default: a description of the test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Allowed statuses: HTTP codes, or gRPC code names (`"OK"`, `"NOT_FOUND"`) or numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Vec<serde_json::Value>>,
    /// A response header (gRPC: metadata or trailer) that must be present …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// … equal to this value (with `header`), or the value at `json` (any TOML value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<serde_json::Value>,
    /// … or matching this regex (with `header`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
    /// Text the body must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_contains: Option<String>,
    /// A regex the body must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_matches: Option<String>,
    /// A JSON Pointer (RFC 6901, e.g. `/items/0/id`) that must be present in the JSON body
    /// (gRPC: the response message as JSON), equal to `equals` when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<String>,
    /// The largest body allowed, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_body_bytes: Option<u64>,
}

/// Where one variable is captured from (`extract.NAME = { json = "/token" }`): exactly one of
/// `json`, `header`, `regex` (with `group`, default 1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractSection {
    /// A JSON Pointer into the JSON body (gRPC: the response message as JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<String>,
    /// A response header (gRPC: metadata or trailer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// A regex over the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// The regex's capture group (default 1; 0 is the whole match).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<usize>,
}

/// Extractions by variable name.
pub type ExtractMap = BTreeMap<String, ExtractSection>;
