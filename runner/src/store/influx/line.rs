//! InfluxDB line protocol: points, their escaping, and the rows that queries return.
//!
//! One writer for both APIs (v1 `/write` and v2 `/api/v2/write` take the same text). String
//! fields longer than [`CHUNK`] bytes are split into `name`, `name_2`, `name_3`, … because
//! InfluxDB 1.x refuses string fields over 64 KiB; [`Row::take_str`] joins them again.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Largest string field written in one piece (InfluxDB 1.x allows 64 KiB).
pub const CHUNK: usize = 60_000;

/// A field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// A signed integer (`42i`).
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
}

/// One point: measurement, tags, fields, timestamp in nanoseconds since the epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    measurement: &'static str,
    tags: Vec<(&'static str, String)>,
    fields: Vec<(String, Field)>,
    time_ns: i64,
}

impl Point {
    /// A point without tags or fields yet.
    #[must_use]
    pub fn new(measurement: &'static str, time_ns: i64) -> Self {
        Self {
            measurement,
            tags: Vec::new(),
            fields: Vec::new(),
            time_ns,
        }
    }

    /// Add a tag; empty values are left out (line protocol has no empty tags).
    #[must_use]
    pub fn tag(mut self, key: &'static str, value: &str) -> Self {
        if !value.is_empty() {
            self.tags.push((key, value.to_owned()));
        }
        self
    }

    /// Add an integer field (values beyond `i64` saturate).
    pub fn int(&mut self, key: impl Into<String>, value: u64) {
        let v = i64::try_from(value).unwrap_or(i64::MAX);
        self.fields.push((key.into(), Field::Int(v)));
    }

    /// Add a float field; NaN and infinities (which line protocol cannot carry) are left out.
    pub fn float(&mut self, key: impl Into<String>, value: f64) {
        if value.is_finite() {
            self.fields.push((key.into(), Field::Float(value)));
        }
    }

    /// Add a string field, split into chunks of at most [`CHUNK`] bytes.
    pub fn str(&mut self, key: &str, value: &str) {
        let mut rest = value;
        let mut n = 1;
        loop {
            let mut cut = rest.len().min(CHUNK);
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            let name = if n == 1 {
                key.to_owned()
            } else {
                format!("{key}_{n}")
            };
            self.fields.push((name, Field::Str(rest[..cut].to_owned())));
            rest = &rest[cut..];
            if rest.is_empty() {
                return;
            }
            n += 1;
        }
    }

    /// The point as one line of line protocol (no trailing newline).
    #[must_use]
    pub fn to_line(&self) -> String {
        let mut out = String::with_capacity(256);
        escape_into(&mut out, self.measurement, &[',', ' ']);
        for (k, v) in &self.tags {
            out.push(',');
            escape_into(&mut out, k, &[',', '=', ' ']);
            out.push('=');
            escape_into(&mut out, v, &[',', '=', ' ']);
        }
        for (i, (k, v)) in self.fields.iter().enumerate() {
            out.push(if i == 0 { ' ' } else { ',' });
            escape_into(&mut out, k, &[',', '=', ' ']);
            out.push('=');
            match v {
                Field::Int(i) => {
                    let _ = write!(out, "{i}i");
                }
                Field::Float(f) => {
                    let _ = write!(out, "{f:?}");
                }
                Field::Str(s) => {
                    out.push('"');
                    escape_into(&mut out, s, &['"', '\\']);
                    out.push('"');
                }
            }
        }
        let _ = write!(out, " {}", self.time_ns);
        out
    }
}

/// Backslash-escape `special` characters; line protocol cannot carry newlines, so they are
/// replaced by spaces (names and tag values never contain them; JSON strings escape them).
fn escape_into(out: &mut String, s: &str, special: &[char]) {
    for c in s.chars() {
        if special.contains(&c) {
            out.push('\\');
        }
        out.push(if c == '\n' || c == '\r' { ' ' } else { c });
    }
}

/// Points as a line-protocol body.
#[must_use]
pub fn body(points: &[Point]) -> String {
    let mut out = String::new();
    for p in points {
        out.push_str(&p.to_line());
        out.push('\n');
    }
    out
}

/// One row of a query result: column name → value (tags and fields alike), plus `time` in
/// nanoseconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row(pub BTreeMap<String, serde_json::Value>);

impl Row {
    /// A string column (tag or field), joining chunks written by [`Point::str`].
    #[must_use]
    pub fn take_str(&self, key: &str) -> Option<String> {
        let mut out = self.0.get(key)?.as_str()?.to_owned();
        for n in 2.. {
            match self.0.get(&format!("{key}_{n}")).and_then(|v| v.as_str()) {
                Some(part) => out.push_str(part),
                None => break,
            }
        }
        Some(out)
    }

    /// An integer column.
    #[must_use]
    pub fn int(&self, key: &str) -> Option<i64> {
        let v = self.0.get(key)?;
        v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
    }

    /// Columns whose name ends with `suffix` (not chunk continuations), without the suffix.
    pub fn with_suffix<'a>(&'a self, suffix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.keys().filter_map(move |k| k.strip_suffix(suffix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_tags_and_strings() {
        let mut p = Point::new("m", 7)
            .tag("scenario", "a b,c=d")
            .tag("empty", "");
        p.str("s", r#"say "hi" \o/"#);
        p.int("n", 3);
        p.float("f", 0.5);
        p.float("nan", f64::NAN);
        assert_eq!(
            p.to_line(),
            r#"m,scenario=a\ b\,c\=d s="say \"hi\" \\o/",n=3i,f=0.5 7"#
        );
    }

    #[test]
    fn long_strings_are_chunked_and_joined() {
        let text: String = "é".repeat(CHUNK + 1); // 2 bytes each: three chunks
        let mut p = Point::new("m", 0);
        p.str("h", &text);
        assert_eq!(p.fields.len(), 3);
        let mut row = Row::default();
        for (k, v) in &p.fields {
            let Field::Str(s) = v else { panic!() };
            assert!(s.len() <= CHUNK);
            row.0
                .insert(k.clone(), serde_json::Value::String(s.clone()));
        }
        assert_eq!(row.take_str("h").as_deref(), Some(text.as_str()));
    }
}
