//! The report as a document: a title, then blocks (sections, paragraphs, notes, tables of typed
//! cells, charts, collapsed details). [`super::outline`] builds one from a verdict; the backends
//! ([`super::markdown`], [`super::html`], [`super::terminal`]) each turn it into text, and
//! [`super::output`] writes it where it goes. Every value in it is already formatted by
//! [`super::format`], so each backend prints it the same way.

use bench_core::stats::Verdict;

pub use super::tables::{Align, Cell, Style, Table};

/// A whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The one-line headline.
    pub title: String,
    /// The overall verdict (colours the title).
    pub verdict: Verdict,
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
