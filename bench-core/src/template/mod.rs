//! Per-request values: `{{seq}}`, `{{uuid}}`, `{{random_int 1 1000}}`, `{{column}}` from a data
//! feeder, and `{{"text"}}` for a literal `{{`.
//!
//! A [`Template`] is parsed once, when the scenario is loaded (unknown expressions and columns are
//! errors then), and rendered per call into a reused buffer. A template without placeholders is a
//! literal, which lets drivers keep encoding such requests once ([`Template::literal`]).
//!
//! Inside JSON documents (GraphQL variables, gRPC messages; [`Template::json`]) a string that is
//! exactly one placeholder is replaced by a typed value: `{{seq}}` and `{{random_int a b}}` give
//! numbers, `{{uuid}}` a string, a CSV column a string and a JSON-lines column its JSON value.
//! Placeholders inside longer strings are inserted JSON-escaped.

mod values;

pub use values::{Needs, Sources, Values};

/// Why a template does not parse: the placeholder's text and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// A `{{` without its `}}`.
    #[error("unclosed \"{{{{\" in {text:?} (a literal \"{{{{\" is written {{{{\"{{{{\"}}}})")]
    Unclosed {
        /// The whole template text.
        text: String,
    },
    /// `{{}}`.
    #[error("empty placeholder {{{{}}}}")]
    Empty,
    /// Arguments after a placeholder that takes none (`{{seq 1}}`).
    #[error("{{{{{name}}}}} takes no arguments")]
    Arguments {
        /// The placeholder's name.
        name: String,
    },
    /// `random_int` without exactly two bounds.
    #[error("{{{{{text}}}}}: write {{{{random_int MIN MAX}}}}, e.g. {{{{random_int 1 1000}}}}")]
    RandomIntArity {
        /// The placeholder's text.
        text: String,
    },
    /// A bound of `random_int` that is not an integer.
    #[error("{{{{{text}}}}}: {value:?} is not an integer")]
    NotInteger {
        /// The placeholder's text.
        text: String,
        /// The bound as written.
        value: String,
    },
    /// `random_int` with MIN above MAX.
    #[error("{{{{{text}}}}}: MIN must not exceed MAX")]
    EmptyRange {
        /// The placeholder's text.
        text: String,
    },
    /// A name that is no placeholder, variable or column (and there is no feeder).
    #[error("unknown placeholder {{{{{text}}}}}: use seq, uuid, random_int MIN MAX, a column of a [data] feeder, or a variable of `extract`")]
    Unknown {
        /// The placeholder's text.
        text: String,
    },
    /// A name that is no placeholder, variable or column of the feeder.
    #[error("unknown placeholder {{{{{text}}}}}: not seq, uuid or random_int, and the data feeder has no column {name:?} (columns: {})", .columns.join(", "))]
    UnknownColumn {
        /// The placeholder's text.
        text: String,
        /// The name it used.
        name: String,
        /// The feeder's columns.
        columns: Vec<String>,
    },
}

/// What a placeholder stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expr {
    /// The run-wide call counter (0, 1, 2, … over all threads).
    Seq,
    /// A random version-4 UUID.
    Uuid,
    /// A uniform integer in `lo..=hi`.
    RandomInt(i64, i64),
    /// A column of the data feeder's current row.
    Column(usize),
    /// A variable of the virtual user (extracted from a response, or by the setup).
    Var(usize),
    /// A literal string.
    Text(String),
}

/// How a value is written where its placeholder stood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Escape {
    /// As is (paths, headers, bodies written as text).
    Raw,
    /// Escaped for the inside of a JSON string.
    JsonString,
    /// As a complete JSON value (number, string or the feeder's JSON).
    JsonValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Lit(String),
    Hole(Expr, Escape),
}

/// A parsed template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Template {
    segments: Vec<Segment>,
}

/// What a template may refer to: the feeder's columns and the scenario's variables.
#[derive(Debug, Clone, Copy, Default)]
pub struct Names<'a> {
    /// Column names of the data feeder (none without one).
    pub columns: &'a [String],
    /// Variables extracted from responses (`extract`), by slot.
    pub vars: &'a [String],
}

impl Template {
    /// A template that is only `text`.
    #[must_use]
    pub fn lit(text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            segments: if text.is_empty() {
                Vec::new()
            } else {
                vec![Segment::Lit(text)]
            },
        }
    }

    /// Parse text with placeholders, inserted as is.
    pub fn text(text: &str, names: Names<'_>) -> Result<Self, TemplateError> {
        let mut t = Self::default();
        t.push_text(text, Escape::Raw, names)?;
        Ok(t)
    }

    /// A JSON document whose string values may hold placeholders (see the module docs).
    pub fn json(value: &serde_json::Value, names: Names<'_>) -> Result<Self, TemplateError> {
        let mut t = Self::default();
        t.push_json(value, names)?;
        Ok(t)
    }

    /// Append another template.
    pub fn append(&mut self, other: Template) {
        for s in other.segments {
            match s {
                Segment::Lit(text) => self.push_lit(&text),
                hole => self.segments.push(hole),
            }
        }
    }

    /// Append literal text.
    pub fn push_lit(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(Segment::Lit(last)) = self.segments.last_mut() {
            last.push_str(text);
        } else {
            self.segments.push(Segment::Lit(text.to_owned()));
        }
    }

    /// The text when there are no placeholders.
    #[must_use]
    pub fn literal(&self) -> Option<&str> {
        match self.segments.as_slice() {
            [] => Some(""),
            [Segment::Lit(s)] => Some(s),
            _ => None,
        }
    }

    /// Whether a render needs the call counter or a feeder row.
    #[must_use]
    pub fn needs(&self) -> Needs {
        let mut n = Needs::default();
        for s in &self.segments {
            match s {
                Segment::Hole(Expr::Seq, _) => n.seq = true,
                Segment::Hole(Expr::Column(_), _) => n.row = true,
                _ => {}
            }
        }
        n
    }

    /// Whether the template names a variable of the virtual user.
    #[must_use]
    pub fn has_vars(&self) -> bool {
        self.segments
            .iter()
            .any(|s| matches!(s, Segment::Hole(Expr::Var(_), _)))
    }

    /// Render into `out` (appending).
    pub fn render(&self, values: &mut Values<'_>, out: &mut String) {
        for s in &self.segments {
            match s {
                Segment::Lit(text) => out.push_str(text),
                Segment::Hole(expr, escape) => values.write(expr, *escape, out),
            }
        }
    }

    /// Render into a new string.
    #[must_use]
    pub fn render_string(&self, values: &mut Values<'_>) -> String {
        let mut out = String::new();
        self.render(values, &mut out);
        out
    }

    fn push_text(
        &mut self,
        text: &str,
        escape: Escape,
        names: Names<'_>,
    ) -> Result<(), TemplateError> {
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let lit = &rest[..start];
            self.push_lit(&match escape {
                Escape::JsonString => json_escape(lit),
                _ => lit.to_owned(),
            });
            let body = &rest[start + 2..];
            let end = find_close(body).ok_or_else(|| TemplateError::Unclosed {
                text: text.to_owned(),
            })?;
            let expr = parse_expr(&body[..end], names)?;
            match expr {
                Expr::Text(t) => self.push_lit(&match escape {
                    Escape::JsonString => json_escape(&t),
                    _ => t,
                }),
                e => self.segments.push(Segment::Hole(e, escape)),
            }
            rest = &body[end + 2..];
        }
        self.push_lit(&match escape {
            Escape::JsonString => json_escape(rest),
            _ => rest.to_owned(),
        });
        Ok(())
    }

    fn push_json(
        &mut self,
        value: &serde_json::Value,
        names: Names<'_>,
    ) -> Result<(), TemplateError> {
        use serde_json::Value;
        match value {
            Value::String(s) if s.contains("{{") => {
                let trimmed = s.trim();
                let whole = trimmed.starts_with("{{")
                    && find_close(&trimmed[2..]).is_some_and(|end| end + 4 == trimmed.len());
                if whole {
                    match parse_expr(&trimmed[2..trimmed.len() - 2], names)? {
                        Expr::Text(t) => self.push_lit(&Value::String(t).to_string()),
                        e => self.segments.push(Segment::Hole(e, Escape::JsonValue)),
                    }
                } else {
                    self.push_lit("\"");
                    self.push_text(s, Escape::JsonString, names)?;
                    self.push_lit("\"");
                }
            }
            Value::Array(items) => {
                self.push_lit("[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.push_lit(",");
                    }
                    self.push_json(item, names)?;
                }
                self.push_lit("]");
            }
            Value::Object(map) => {
                self.push_lit("{");
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        self.push_lit(",");
                    }
                    self.push_lit(&Value::String(k.clone()).to_string());
                    self.push_lit(":");
                    self.push_json(v, names)?;
                }
                self.push_lit("}");
            }
            other => self.push_lit(&other.to_string()),
        }
        Ok(())
    }
}

/// The byte offset of the `}}` that closes a placeholder, skipping quoted text.
fn find_close(body: &str) -> Option<usize> {
    let mut in_quote = false;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => in_quote = !in_quote,
            b'}' if !in_quote && bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn parse_expr(text: &str, names: Names<'_>) -> Result<Expr, TemplateError> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        return Ok(Expr::Text(inner.to_owned()));
    }
    let mut words = text.split_whitespace();
    let head = words.next().unwrap_or("");
    let args: Vec<&str> = words.collect();
    let no_args = |e: Expr| {
        if args.is_empty() {
            Ok(e)
        } else {
            Err(TemplateError::Arguments {
                name: head.to_owned(),
            })
        }
    };
    match head {
        "seq" => no_args(Expr::Seq),
        "uuid" => no_args(Expr::Uuid),
        "random_int" => {
            let [lo, hi] = args.as_slice() else {
                return Err(TemplateError::RandomIntArity {
                    text: text.to_owned(),
                });
            };
            let parse = |s: &str| {
                s.parse::<i64>().map_err(|_| TemplateError::NotInteger {
                    text: text.to_owned(),
                    value: s.to_owned(),
                })
            };
            let (lo, hi) = (parse(lo)?, parse(hi)?);
            if lo > hi {
                return Err(TemplateError::EmptyRange {
                    text: text.to_owned(),
                });
            }
            Ok(Expr::RandomInt(lo, hi))
        }
        "" => Err(TemplateError::Empty),
        name if names.vars.iter().any(|v| v == name) => no_args(Expr::Var(
            names.vars.iter().position(|v| v == name).unwrap_or(0),
        )),
        name => match names.columns.iter().position(|c| c == name) {
            Some(i) => no_args(Expr::Column(i)),
            None if names.columns.is_empty() => Err(TemplateError::Unknown {
                text: text.to_owned(),
            }),
            None => Err(TemplateError::UnknownColumn {
                text: text.to_owned(),
                name: name.to_owned(),
                columns: names.columns.to_vec(),
            }),
        },
    }
}

fn json_escape(s: &str) -> String {
    let quoted = serde_json::Value::String(s.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

#[cfg(test)]
mod tests;
