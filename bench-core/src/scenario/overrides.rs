//! Overrides of a scenario's fields from the command line (`--set key=value`, `--rate`,
//! `--duration`, …), applied to the parsed file as typed values.
//!
//! The file is parsed and its errors located first; then each override is set in the parsed
//! document and the document is read again, so that a value of the wrong type is reported
//! against the override that brought it (`--set load.rate=abc: load.rate: …`), never at a line
//! of the file the user did not write. Rules between fields (`load_check`, SLOs, the target)
//! are checked afterwards; an error about a field an override set names the override too
//! ([`blame`]).

use std::path::Path;

use serde::Deserialize as _;

use super::file::{ModelKind, ScenarioFile};
use super::{location, ScenarioError};

/// The scenario field an override sets.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Field {
    /// A dotted key of the file: `load.rate`, `request.headers.x-env`.
    Key(String),
    /// The load's concurrency: `load.connections`, and `load.workers` as well when the model
    /// (after every override) is closed.
    Concurrency,
}

/// One override: a typed value for a field, and how the user asked for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// What it sets.
    pub field: Field,
    /// The value, as the file would hold it.
    pub value: toml::Value,
    /// How it was asked for, as errors name it: `--set load.rate=abc`, `--rate -5`.
    pub origin: String,
}

/// A `--set` argument that is not `key=value`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SetError {
    /// No `=`.
    #[error("expected key=value, e.g. load.rate=500")]
    NoEquals,
    /// An empty part of the dotted key (`load..rate`, `.rate`).
    #[error("empty key segment")]
    EmptySegment,
}

impl Override {
    /// `origin` setting the dotted `key` to `value`.
    #[must_use]
    pub fn new(origin: impl Into<String>, key: &str, value: impl Into<toml::Value>) -> Self {
        Self {
            field: Field::Key(key.to_owned()),
            value: value.into(),
            origin: origin.into(),
        }
    }

    /// `origin` setting the load's concurrency (connections, or workers in the closed model).
    #[must_use]
    pub fn concurrency(origin: impl Into<String>, n: usize) -> Self {
        Self {
            field: Field::Concurrency,
            value: toml::Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)),
            origin: origin.into(),
        }
    }

    /// A `--set key=value` argument: the value as TOML (`500`, `"2"`, `true`, `["a"]`),
    /// otherwise as a string (`http://x`, `30s`).
    ///
    /// # Errors
    /// No `=`, or an empty segment in the key.
    pub fn parse_set(arg: &str) -> Result<Self, SetError> {
        let (key, raw) = arg.split_once('=').ok_or(SetError::NoEquals)?;
        let key = key.trim();
        if key.split('.').any(str::is_empty) {
            return Err(SetError::EmptySegment);
        }
        let raw = raw.trim();
        let value = toml::Value::deserialize(toml::de::ValueDeserializer::new(raw))
            .unwrap_or_else(|_| toml::Value::String(raw.to_owned()));
        Ok(Self::new(format!("--set {arg}"), key, value))
    }

    /// Whether an error about `field` (`load.rate`, `requests[1].path`) is this override's.
    fn covers(&self, field: &str) -> bool {
        let sets = |key: &str| {
            field == key
                || field
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        };
        match &self.field {
            Field::Key(key) => sets(key),
            Field::Concurrency => sets("load.connections") || sets("load.workers"),
        }
    }

    /// The dotted key its value goes to.
    fn key(&self) -> &str {
        match &self.field {
            Field::Key(key) => key,
            Field::Concurrency => "load.connections",
        }
    }
}

/// Parse `text` (errors located in it), then apply `overrides` in order (a later one wins),
/// each checked against the file's types as it is applied.
pub(super) fn apply(
    text: &str,
    path: &Path,
    overrides: &[Override],
) -> Result<ScenarioFile, ScenarioError> {
    let file: ScenarioFile =
        toml::from_str(text).map_err(|e| location::toml_error(text, path, &e))?;
    if overrides.is_empty() {
        return Ok(file);
    }
    let mut doc: toml::Table =
        toml::from_str(text).map_err(|e| location::toml_error(text, path, &e))?;
    let mut file = file;
    for o in overrides {
        let key = o.key();
        set(&mut doc, key, o.value.clone()).map_err(|e| bad(o, key, &e))?;
        file = read(&doc).map_err(|e| bad(o, key, &e.message()))?;
    }
    // The closed model's concurrency is its workers, unless a `--set` names them itself.
    let concurrency = overrides
        .iter()
        .rev()
        .find(|o| o.field == Field::Concurrency);
    let workers_named = overrides
        .iter()
        .any(|o| matches!(&o.field, Field::Key(k) if k == "load" || k == "load.workers"));
    if let Some(o) = concurrency {
        if file.load.model == ModelKind::Closed && !workers_named {
            set(&mut doc, "load.workers", o.value.clone()).map_err(|e| bad(o, "load", &e))?;
            file = read(&doc).map_err(|e| bad(o, "load.workers", &e.message()))?;
        }
    }
    Ok(file)
}

/// The document as a scenario file.
fn read(doc: &toml::Table) -> Result<ScenarioFile, toml::de::Error> {
    toml::Value::Table(doc.clone()).try_into()
}

/// `o` broke `key`; `why` is the deserialiser's message, or [`NotATable`].
fn bad(o: &Override, key: &str, why: &dyn std::fmt::Display) -> ScenarioError {
    ScenarioError::Override {
        origin: o.origin.clone(),
        message: format!("{key}: {why}"),
    }
}

/// A dotted key that goes through a value that is not a table (`name.first`).
#[derive(Debug, thiserror::Error)]
#[error("{0} is not a table")]
struct NotATable(String);

/// Set the dotted `key` of `doc` to `value`, making the tables on the way.
fn set(doc: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), NotATable> {
    let parts: Vec<&str> = key.split('.').collect();
    let (last, tables) = parts.split_last().unwrap_or((&"", &[]));
    let mut table = doc;
    for part in tables {
        table = table
            .entry((*part).to_owned())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
            .ok_or_else(|| NotATable((*part).to_owned()))?;
    }
    table.insert((*last).to_owned(), value);
    Ok(())
}

/// An error about a field an override set is the override's: it names the override as given
/// (`--set load.rate=-5`), never a line of the file. The last override of the field wins, as
/// when they were applied.
pub(super) fn blame(e: ScenarioError, overrides: &[Override]) -> ScenarioError {
    let ScenarioError::Invalid { field, message, .. } = &e else {
        return e;
    };
    match overrides.iter().rev().find(|o| o.covers(field)) {
        Some(o) => ScenarioError::Override {
            origin: o.origin.clone(),
            message: format!("{field}: {message}"),
        },
        None => e,
    }
}
