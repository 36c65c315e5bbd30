//! The terminal backend of the report document: plain text for a fixed-width screen. The title
//! is the first line; a top-level block follows a blank line; a section's blocks are indented by
//! two spaces under its heading; table columns are padded to their widest cell (at least their
//! `min_width`), numbers right-aligned, one space before a right-aligned column and two before a
//! left-aligned one; an emphasised cell (a gated metric) is marked with a trailing ` *`, since a
//! terminal has no bold; a verdict reads "pass", "FAIL" or "inconclusive". Charts are not drawn here.

use std::fmt::Write as _;

use crate::report::document::{Align, Block, Cell, Document, Span, Style, Table};
use crate::report::format::mark;

/// The document as terminal text.
#[must_use]
pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", text(&doc.title, ""));
    for b in &doc.blocks {
        out.push('\n');
        block(&mut out, b, "");
    }
    out
}

fn block(out: &mut String, b: &Block, indent: &str) {
    match b {
        Block::Section { heading, blocks } => {
            let _ = writeln!(out, "{indent}{}", text(heading, indent));
            let inner = format!("{indent}  ");
            for b in blocks {
                block(out, b, &inner);
            }
        }
        Block::Heading(t) | Block::Paragraph(t) | Block::Quote(t) => {
            let _ = writeln!(out, "{indent}{}", text(t, indent));
        }
        Block::Note(t) => {
            let inner = format!("{indent}  ");
            let _ = writeln!(out, "{inner}{}", text(t, &inner));
        }
        Block::List(items) => {
            for t in items {
                let _ = writeln!(out, "{indent}- {}", text(t, indent));
            }
        }
        Block::Table(t) => table(out, t, indent),
        Block::Code { text, .. } => {
            for line in text.lines() {
                let _ = writeln!(out, "{indent}{line}");
            }
        }
        Block::Details { summary, blocks } => {
            let _ = writeln!(out, "{indent}{summary}");
            for b in blocks {
                block(out, b, indent);
            }
        }
        // A terminal draws no chart.
        Block::Mermaid(_) | Block::Figures(_) => {}
    }
}

/// Inline text as it reads; a line break continues at the block's indent.
fn text(spans: &[Span], indent: &str) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Plain(t) | Span::Code(t) | Span::Strong(t) => t.clone(),
            Span::Link { text, url } => format!("{text} ({url})"),
            Span::Break => format!("\n{indent}"),
        })
        .collect()
}

fn cell(c: &Cell) -> String {
    match c.style {
        Style::Strong => format!("{} *", c.text),
        Style::Verdict { verdict, .. } if c.text.is_empty() => mark(verdict).to_owned(),
        Style::Verdict { verdict, .. } => format!("{} {}", mark(verdict), c.text),
        Style::Plain | Style::Muted | Style::Code => c.text.clone(),
    }
}

/// The header and rows, columns padded to their widest cell; trailing spaces trimmed.
fn table(out: &mut String, t: &Table, indent: &str) {
    let rows: Vec<Vec<String>> = std::iter::once(t.header.clone())
        .chain(t.rows.iter().map(|r| r.iter().map(cell).collect()))
        .collect();
    let width = |i: usize| {
        rows.iter()
            .filter_map(|r| r.get(i))
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
            .max(t.min_width.get(i).copied().unwrap_or(0))
    };
    let widths: Vec<usize> = (0..t.header.len()).map(width).collect();
    for r in &rows {
        let mut line = indent.to_owned();
        for (i, (c, w)) in r.iter().zip(&widths).enumerate() {
            let align = t.align.get(i).copied().unwrap_or(Align::Left);
            if i > 0 {
                line.push_str(if align == Align::Left { "  " } else { " " });
            }
            let pad = " ".repeat(w.saturating_sub(c.chars().count()));
            if align == Align::Left {
                let _ = write!(line, "{c}{pad}");
            } else {
                let _ = write!(line, "{pad}{c}");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::document::{code, plain, strong};
    use bench_core::stats::Verdict;

    fn doc() -> Document {
        Document {
            title: vec![plain("verdict: FAIL")],
            verdict: Some(Verdict::Fail),
            blocks: vec![
                Block::Section {
                    heading: vec![plain("scenario "), code("a|b")],
                    blocks: vec![
                        Block::Quote(vec![strong("why"), Span::Break, plain("and more")]),
                        Block::Table(Table {
                            header: vec!["metric".into(), "value".into(), "verdict".into()],
                            align: vec![Align::Left, Align::Right, Align::Left],
                            rows: vec![
                                vec![
                                    Cell::strong("p99", true),
                                    Cell::plain("12.35ms"),
                                    Cell::plain("FAIL"),
                                ],
                                vec![Cell::plain("p50"), Cell::plain("1ms"), Cell::plain("")],
                            ],
                            min_width: vec![0, 9],
                        }),
                        Block::Mermaid("xychart-beta".into()),
                    ],
                },
                Block::Note(vec![plain("* gated")]),
            ],
        }
    }

    #[test]
    fn sections_indent_tables_align_and_emphasis_is_a_star() {
        assert_eq!(
            render(&doc()),
            "verdict: FAIL\n\
             \n\
             scenario a|b\n\
             \x20 why\n\
             \x20 and more\n\
             \x20 metric     value  verdict\n\
             \x20 p99 *    12.35ms  FAIL\n\
             \x20 p50          1ms\n\
             \n\
             \x20 * gated\n"
        );
    }

    #[test]
    fn the_same_document_reads_alike_in_markdown_and_html() {
        let d = doc();
        let md = crate::report::markdown::render(&d);
        let html = crate::report::html::render(&d);
        assert!(md.contains("### scenario `a|b`"), "{md}");
        assert!(md.contains("| **p99** | 12.35ms | FAIL |"), "{md}");
        assert!(md.contains("\nxychart-beta\n"), "{md}");
        assert!(
            html.contains("<h2>scenario <code>a|b</code></h2>"),
            "{html}"
        );
        assert!(html.contains("<td class=\"strong\">p99</td><td class=\"r\">12.35ms</td>"));
        assert!(
            !html.contains("xychart"),
            "the page draws SVG charts, not mermaid"
        );
    }
}
