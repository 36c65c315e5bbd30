//! Where in a scenario file something is: line and column for errors.

use std::fmt;
use std::path::{Path, PathBuf};

use toml_edit::{ImDocument, Item, Value};

use super::ScenarioError;

/// A file position (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File.
    pub path: PathBuf,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

impl Location {
    /// The position of byte `offset` in `text`.
    #[must_use]
    pub fn at(text: &str, path: &Path, offset: usize) -> Self {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Self {
            path: path.to_owned(),
            line,
            column,
        }
    }

    /// The position of a dotted field (`load.rate`, `requests[1].path`, `slo[0]`): its value when
    /// present, else the closest enclosing table that is, else the start of the file.
    #[must_use]
    pub fn of_field(text: &str, path: &Path, field: &str) -> Self {
        let offset = ImDocument::parse(text.to_owned())
            .ok()
            .and_then(|doc| span_of(doc.as_item(), field))
            .unwrap_or(0);
        Self::at(text, path, offset)
    }
}

fn span_of(root: &Item, field: &str) -> Option<usize> {
    let mut node = Node::Item(root);
    let mut best = None;
    for part in field.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let Some(next) = node.get(key) else {
            return best;
        };
        node = next;
        best = node.start().or(best);
        if let Some(i) = index {
            let Some(next) = node.index(i) else {
                return best;
            };
            node = next;
            best = node.start().or(best);
        }
    }
    best
}

/// A place in a parsed document: a table's item, a table of an array of tables, or a value
/// (inline tables and arrays nest values).
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a Item),
    Table(&'a toml_edit::Table),
    Value(&'a Value),
}

impl<'a> Node<'a> {
    fn get(self, key: &str) -> Option<Node<'a>> {
        match self {
            Self::Item(i) => i.get(key).map(Node::Item),
            Self::Table(t) => t.get(key).map(Node::Item),
            Self::Value(v) => v.as_inline_table()?.get(key).map(Node::Value),
        }
    }

    fn index(self, i: usize) -> Option<Node<'a>> {
        match self {
            Self::Item(Item::ArrayOfTables(a)) => a.get(i).map(Node::Table),
            Self::Item(Item::Value(Value::Array(arr))) | Self::Value(Value::Array(arr)) => {
                arr.get(i).map(Node::Value)
            }
            _ => None,
        }
    }

    fn start(self) -> Option<usize> {
        match self {
            Self::Item(i) => i.span(),
            Self::Table(t) => t.span(),
            Self::Value(v) => v.span(),
        }
        .map(|s| s.start)
    }
}

/// A file that is not UTF-8: where the first bad byte is (offset, and its line and column).
pub(super) fn not_utf8(path: &Path, e: &std::string::FromUtf8Error) -> ScenarioError {
    let offset = e.utf8_error().valid_up_to();
    let bytes = e.as_bytes();
    let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
    let byte = bytes.get(offset).copied().unwrap_or_default();
    ScenarioError::Invalid {
        loc: Location::at(valid, path, offset),
        field: "(document)".into(),
        message: format!(
            "not UTF-8: byte 0x{byte:02x} at byte offset {offset} is not valid UTF-8; save the file as UTF-8"
        ),
    }
}

/// Turn a TOML deserialisation error into a located error naming the field.
pub(super) fn toml_error(text: &str, path: &Path, e: &toml::de::Error) -> ScenarioError {
    let offset = e.span().map_or(0, |s| s.start);
    let loc = Location::at(text, path, offset);
    let field = field_at(text, offset).unwrap_or_else(|| "(document)".to_owned());
    ScenarioError::Invalid {
        loc,
        field,
        message: e.message().to_owned(),
    }
}

/// The key written on the line at `offset` (best effort, for error messages).
fn field_at(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?.trim();
    if line.starts_with('[') {
        return Some(line.trim_matches(|c| c == '[' || c == ']').to_owned());
    }
    let key = line.split('=').next()?.trim();
    (!key.is_empty()).then(|| {
        let table = text[..start]
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| l.starts_with('['))
            .map(|l| l.trim_matches(|c| c == '[' || c == ']').to_owned());
        match table {
            Some(t) => format!("{t}.{key}"),
            None => key.to_owned(),
        }
    })
}
