//! The HTML backend of the report document, for artifacts: one self-contained page (styles and
//! SVG charts inline, no external assets, no script).

use std::fmt::Write as _;

use super::document::{
    is_plain_url, plain_text, Align, Block, Cell, Document, Figure, Span, Style, Table,
};
use super::wording::word;

const STYLE: &str = "
body { font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1f2328;
       max-width: 1100px; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.4rem; padding: .6rem 1rem; border-radius: 6px; }
h1.pass { background: #dafbe1; } h1.fail { background: #ffebe9; }
h1.inconclusive { background: #fff8c5; }
h2 { font-size: 1.15rem; margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; margin: .6rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .7rem; }
th { background: #f6f8fa; } td.r { text-align: right; font-variant-numeric: tabular-nums; }
td.c { text-align: center; } .strong { font-weight: 600; } .muted { color: #656d76; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
pre { background: #f6f8fa; padding: .8rem; overflow: auto; border-radius: 6px; }
blockquote { margin: .5rem 0; padding: .2rem 1rem; border-left: 4px solid #d0d7de;
             color: #57606a; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
figcaption { color: #656d76; font-size: 13px; }
details { margin: 1rem 0; } summary { cursor: pointer; font-weight: 600; }
";

/// The document as one HTML page.
#[must_use]
pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        esc(&plain_text(&doc.title))
    );
    let class = doc
        .verdict
        .map(|v| format!(" class=\"{}\"", word(v)))
        .unwrap_or_default();
    let _ = writeln!(out, "<h1{class}>{}</h1>", text(&doc.title));
    blocks(&mut out, &doc.blocks);
    let _ = writeln!(out, "</body>\n</html>");
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
            let _ = writeln!(out, "<section>\n<h2>{}</h2>", text(heading));
            blocks(out, inner);
            let _ = writeln!(out, "</section>");
        }
        Block::Heading(t) => {
            let _ = writeln!(out, "<h3>{}</h3>", text(t));
        }
        Block::Paragraph(t) => {
            let _ = writeln!(out, "<p>{}</p>", text(t));
        }
        Block::Quote(t) => {
            let _ = writeln!(out, "<blockquote>{}</blockquote>", text(t));
        }
        Block::Note(t) => {
            let _ = writeln!(out, "<p class=\"muted\">{}</p>", text(t));
        }
        Block::List(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|t| format!("<li>{}</li>", text(t)))
                .collect();
            let _ = writeln!(out, "<ul>{}</ul>", items.join(""));
        }
        Block::Table(t) => table(out, t),
        // The page has the SVG charts instead.
        Block::Mermaid(_) => {}
        Block::Figures(figures) => svgs(out, figures),
        Block::Code { text, .. } => {
            let _ = writeln!(out, "<pre>{}</pre>", esc(text));
        }
        Block::Details {
            summary,
            blocks: inner,
        } => {
            let _ = writeln!(out, "<details>\n<summary>{}</summary>", esc(summary));
            blocks(out, inner);
            let _ = writeln!(out, "</details>");
        }
    }
}

fn text(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Plain(t) => esc(t),
            Span::Code(t) => format!("<code>{}</code>", esc(t)),
            Span::Strong(t) => format!("<b>{}</b>", esc(t)),
            Span::Link { text, url } if is_plain_url(url) => {
                format!("<a href=\"{}\">{}</a>", esc(url), esc(text))
            }
            Span::Link { text, .. } => esc(text),
            Span::Break => "<br>".into(),
        })
        .collect()
}

/// The figures that have their SVG, inlined.
fn svgs(out: &mut String, figures: &[Figure]) {
    for f in figures {
        if let Some(svg) = &f.svg {
            let _ = writeln!(
                out,
                "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
                strip_prolog(svg),
                esc(&f.title)
            );
        }
    }
}

fn table(out: &mut String, t: &Table) {
    let head: Vec<String> = t
        .header
        .iter()
        .map(|h| format!("<th>{}</th>", esc(h)))
        .collect();
    let _ = writeln!(out, "<table>\n<tr>{}</tr>", head.join(""));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().zip(&t.align).map(|(c, a)| cell(c, *a)).collect();
        let _ = writeln!(out, "<tr>{}</tr>", cells.join(""));
    }
    let _ = writeln!(out, "</table>");
}

fn cell(c: &Cell, align: Align) -> String {
    let mut class = vec![match align {
        Align::Left => "",
        Align::Right => "r",
        Align::Center => "c",
    }];
    let (text, style) = c.rich();
    match style {
        Style::Strong => class.push("strong"),
        Style::Muted => class.push("muted"),
        Style::Plain | Style::Code | Style::Verdict { .. } => {}
    }
    let class = class.join(" ").trim().to_owned();
    let text = match style {
        Style::Code => format!("<code>{}</code>", esc(&text)),
        _ => esc(&text),
    };
    if class.is_empty() {
        format!("<td>{text}</td>")
    } else {
        format!("<td class=\"{class}\">{text}</td>")
    }
}

/// An SVG document without its XML declaration, to inline it.
fn strip_prolog(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// HTML text escaping.
#[must_use]
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
