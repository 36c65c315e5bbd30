//! The markdown backend of the report document, for the pull-request comment and the job
//! summary: GitHub-flavoured markdown in which every text from a verdict file is made inert
//! ([`super::markdown_text`]), mermaid charts drawn by GitHub, chart images linked when
//! published, details collapsed.

use std::fmt::Write as _;

use super::document::{is_plain_url, Align, Block, Cell, Document, Figure, Span, Style, Table};
use super::markdown_text::{code, escape};

/// The document as markdown.
#[must_use]
pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", text(&doc.title));
    blocks(&mut out, &doc.blocks);
    let end = out.trim_end().len();
    out.truncate(end);
    out.push('\n');
    out
}

fn blocks(out: &mut String, blocks: &[Block]) {
    for b in blocks {
        block(out, b);
    }
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Section {
            heading,
            blocks: inner,
        } => {
            let _ = writeln!(out, "### {}\n", text(heading));
            blocks(out, inner);
        }
        Block::Heading(t) | Block::Paragraph(t) => {
            let _ = writeln!(out, "{}\n", text(t));
        }
        Block::Quote(t) => {
            let _ = writeln!(out, "> {}\n", text(t));
        }
        Block::Note(t) => {
            let _ = writeln!(out, "<sub>{}</sub>\n", text(t));
        }
        Block::List(items) => {
            for item in items {
                let _ = writeln!(out, "- {}", text(item));
            }
            out.push('\n');
        }
        Block::Table(t) => table(out, t),
        Block::Mermaid(chart) => {
            let _ = writeln!(out, "{chart}");
        }
        Block::Figures(figures) => images(out, figures),
        Block::Code { lang, text } => {
            let _ = writeln!(out, "```{lang}\n{text}\n```\n");
        }
        Block::Details {
            summary,
            blocks: inner,
        } => {
            let _ = writeln!(out, "<details><summary>{}</summary>\n", escape(summary));
            blocks(out, inner);
            let _ = writeln!(out, "</details>\n");
        }
    }
}

/// Inline text: prose escaped, code in spans nothing can leave, links only to plain URLs.
fn text(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Plain(t) => escape(t),
            Span::Code(t) => code(t),
            Span::Strong(t) => format!("**{}**", escape(t)),
            Span::Link { text, url } if is_plain_url(url) => format!("[{}]({url})", escape(text)),
            Span::Link { text, .. } => escape(text),
            Span::Break => "<br>".into(),
        })
        .collect()
}

/// The published images of `figures` (those with a URL), then a blank line.
fn images(out: &mut String, figures: &[Figure]) {
    let mut any = false;
    for f in figures {
        let Some(url) = &f.url else { continue };
        let url: String = url
            .chars()
            .filter(|ch| !"()<> \n\r".contains(*ch))
            .collect();
        let _ = writeln!(out, "![{}]({url})", escape(&f.title));
        any = true;
    }
    if any {
        out.push('\n');
    }
}

/// A GitHub-flavoured markdown table, then a blank line.
fn table(out: &mut String, t: &Table) {
    let header: Vec<String> = t.header.iter().map(|h| escape(h)).collect();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let rule: Vec<&str> = t
        .align
        .iter()
        .map(|a| match a {
            Align::Left => ":--",
            Align::Right => "--:",
            Align::Center => ":-:",
        })
        .collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(cell).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn cell(c: &Cell) -> String {
    let (text, style) = c.rich();
    match style {
        Style::Strong => format!("**{}**", escape(&text)),
        Style::Muted => format!("_{}_", escape(&text)),
        Style::Code => code(&text).replace('|', "\\|"),
        Style::Plain | Style::Verdict { .. } => escape(&text),
    }
}
