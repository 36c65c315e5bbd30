//! The report as a document: a title, then blocks (sections, paragraphs, notes, tables of typed
//! cells, charts, collapsed details). [`super::outline`] builds one from a verdict,
//! `crate::history::outline` one from a branch's history; the backends
//! ([`super::markdown`], [`super::html`], [`super::terminal`]) each turn it into text, and
//! [`super::output`] writes it where it goes. Every value in it is already formatted by
//! [`super::format`], so each backend prints it the same way.

use bench_core::stats::Verdict;

use super::wording::{mark, word};

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
    /// Intervals.
    Center,
}

/// What kind of text a cell holds, which decides how a backend shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// A value or a label.
    #[default]
    Plain,
    /// Emphasised: a gated metric, a failure.
    Strong,
    /// Secondary: an informational verdict.
    Muted,
    /// Monospace, shown verbatim: ids, SLO expressions, settings.
    Code,
    /// A verdict, gated or informational; the cell's text is a note after it. Each backend
    /// marks it its own way ("❌ fail", "FAIL").
    Verdict {
        /// The verdict.
        verdict: Verdict,
        /// Whether it decides the gate.
        gated: bool,
    },
}

/// One cell: its text (values already formatted by [`super::format`]) and its kind.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    /// The text.
    pub text: String,
    /// How it is shown.
    pub style: Style,
}

impl Cell {
    /// A value or label.
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: Style::Plain,
        }
    }
    /// Emphasised when `strong`.
    pub fn strong(text: impl Into<String>, strong: bool) -> Self {
        Self {
            text: text.into(),
            style: if strong { Style::Strong } else { Style::Plain },
        }
    }
    /// Monospace.
    pub fn code(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: Style::Code,
        }
    }
    /// Secondary.
    pub fn muted(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: Style::Muted,
        }
    }
    /// A verdict without a note.
    #[must_use]
    pub fn verdict(verdict: Verdict, gated: bool) -> Self {
        Self {
            text: String::new(),
            style: Style::Verdict { verdict, gated },
        }
    }
    /// The cell as rich text shows it (markdown, HTML): a verdict as its mark and word
    /// ("❌ fail", emphasised when it failed; "pass, not gated", muted), then its note.
    #[must_use]
    pub fn rich(&self) -> (String, Style) {
        let Style::Verdict { verdict, gated } = self.style else {
            return (self.text.clone(), self.style);
        };
        let note = if self.text.is_empty() {
            String::new()
        } else {
            format!(" {}", self.text)
        };
        if !gated {
            return (format!("{}, not gated{note}", word(verdict)), Style::Muted);
        }
        let style = if verdict == Verdict::Fail {
            Style::Strong
        } else {
            Style::Plain
        };
        (format!("{} {}{note}", mark(verdict), word(verdict)), style)
    }
}

/// A table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column headings.
    pub header: Vec<String>,
    /// Alignment per column.
    pub align: Vec<Align>,
    /// Rows of cells.
    pub rows: Vec<Vec<Cell>>,
    /// The least width of each column (characters) where columns are padded with spaces (the
    /// terminal), so the tables of several scenarios line up; empty for none.
    pub min_width: Vec<usize>,
}

/// A whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The one-line headline.
    pub title: Text,
    /// The overall verdict, which colours the title; `None` for a report that judges nothing
    /// (a history).
    pub verdict: Option<Verdict>,
    /// What follows the title.
    pub blocks: Vec<Block>,
}

/// A run of text with inline markup.
pub type Text = Vec<Span>;

/// One piece of inline text. Backends escape every piece for their format.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    /// Prose.
    Plain(String),
    /// An identifier, a commit, an expression: monospace.
    Code(String),
    /// Emphasised prose.
    Strong(String),
    /// A link; a backend shows only `text` when the URL is not a plain http(s) one.
    Link {
        /// What the link says.
        text: String,
        /// Where it goes.
        url: String,
    },
    /// A line break inside a block.
    Break,
}

/// One block of the document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A part with its own heading (a scenario).
    Section {
        /// Its heading.
        heading: Text,
        /// Its blocks.
        blocks: Vec<Block>,
    },
    /// A heading inside a section ("SLOs", "Trials").
    Heading(Text),
    /// A paragraph.
    Paragraph(Text),
    /// A quoted remark (a reason, a warning).
    Quote(Text),
    /// Small print under a table.
    Note(Text),
    /// A bulleted list.
    List(Vec<Text>),
    /// A table.
    Table(Table),
    /// A chart written as mermaid text, drawn by the page that shows the markdown (GitHub).
    Mermaid(String),
    /// Chart images, one after the other.
    Figures(Vec<Figure>),
    /// Preformatted text in a language ("json").
    Code {
        /// Its language.
        lang: &'static str,
        /// The text.
        text: String,
    },
    /// Blocks collapsed under a summary line.
    Details {
        /// The line shown.
        summary: String,
        /// What unfolds.
        blocks: Vec<Block>,
    },
}

/// A chart image: the markdown links its published URL, the HTML page inlines its SVG. A backend
/// shows a figure only when it has the form it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The scenario it belongs to.
    pub scenario: String,
    /// Its title (alt text, caption).
    pub title: String,
    /// Where the image is published (relative to the markdown file, or a URL).
    pub url: Option<String>,
    /// The SVG document.
    pub svg: Option<String>,
}

/// Inline text as plain prose, markup dropped (a page's `<title>`, a terminal line).
#[must_use]
pub fn plain_text(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Plain(t) | Span::Code(t) | Span::Strong(t) | Span::Link { text: t, .. } => {
                t.clone()
            }
            Span::Break => " ".into(),
        })
        .collect()
}

/// A span of prose.
pub fn plain(s: impl Into<String>) -> Span {
    Span::Plain(s.into())
}

/// A span of code.
pub fn code(s: impl Into<String>) -> Span {
    Span::Code(s.into())
}

/// A span of emphasised prose.
pub fn strong(s: impl Into<String>) -> Span {
    Span::Strong(s.into())
}

/// An http(s) URL with nothing that could end a markdown link or an HTML attribute, or start
/// markup: the only URLs a report links.
#[must_use]
pub fn is_plain_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://"))
        && !u
            .chars()
            .any(|c| c.is_whitespace() || "()<>[]`\"'\\".contains(c))
}
