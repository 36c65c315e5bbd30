//! Text inside markdown made inert, for the markdown report and its mermaid charts alike:
//! escaped prose and code spans nothing can leave.

/// Text from a verdict file (scenario names, reasons; a fork's pull request may have written
/// it) made inert: no line breaks (no new blocks), no HTML, no link or image (a `]` followed by
/// `(` or `[`; reference definitions need a line of their own; no bare URL), no code spans or
/// table cells, no @-mentions (`@` or its character reference), no issue references (`#12`,
/// `owner/repo#12`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // `&#64;user` would render as a mention: no character references either.
            '&' => out.push_str("&amp;"),
            // A word joiner after @ keeps GitHub from mentioning anyone, after # from linking
            // (and notifying) an issue.
            '@' | '#' => {
                out.push(c);
                out.push('\u{2060}');
            }
            ']' if matches!(chars.peek(), Some('(' | '[')) => out.push_str("\\]"),
            '\\' | '|' | '`' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    // A word joiner inside the scheme or `www.` (any case) keeps GitHub from turning a URL into
    // a link.
    break_www(&out.replace("://", ":\u{2060}//"))
}

/// A word joiner before the dot of every `www.`, whatever its case.
fn break_www(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.to_ascii_lowercase().find("www.") {
        out.push_str(&rest[..i + 3]);
        out.push('\u{2060}');
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    out
}

/// The inside of a code span: no backticks, no line breaks.
pub fn code_text(s: &str) -> String {
    s.replace('`', "'").replace(['\n', '\r'], " ")
}

/// A code span that nothing in `s` can leave.
pub fn code(s: &str) -> String {
    format!("`{}`", code_text(s))
}
