//! Reading a crate's Rust files for the shape checks: comments, string and char literals and
//! test-only code blanked out (line breaks kept, so line numbers stay true), then a token list.

use std::path::{Path, PathBuf};

/// One source file of a crate: where it is, its module path and its code without comments,
/// literals or `#[cfg(test)]` items.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Module path inside the crate (`[]` for the crate root, `["driver", "http"]` for
    /// `src/driver/http.rs`).
    pub module: Vec<String>,
    pub tokens: Vec<Token>,
}

/// An identifier, a `::` or another punctuation character, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub line: usize,
}

impl Token {
    pub fn is(&self, text: &str) -> bool {
        self.text == text
    }

    pub fn is_ident(&self) -> bool {
        self.text
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
    }
}

/// The library files of a crate: every `.rs` file under `src/` except the binary's `main.rs`
/// (a crate of its own) and test-only files (`#![cfg(test)]`).
pub fn crate_files(src: &Path) -> Vec<SourceFile> {
    let mut paths = Vec::new();
    collect(src, &mut paths);
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let relative = path.strip_prefix(src).unwrap_or(&path).to_path_buf();
        if relative == Path::new("main.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let code = strip_tests(&blank_comments_and_literals(&text));
        if code.contains("#![cfg(test)]") {
            continue;
        }
        files.push(SourceFile {
            module: module_path(&relative),
            tokens: tokenize(&code),
            path,
        });
    }
    files
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// Comments become spaces, string and char literals become `""`; line breaks stay.
pub fn blank_comments_and_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |out: &mut String, from: &[char]| {
        out.extend(from.iter().map(|&c| if c == '\n' { '\n' } else { ' ' }));
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            let end = chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |p| i + p);
            blank(&mut out, &chars[i..end]);
            i = end;
        } else if c == '/' && next == Some('*') {
            let end = block_comment_end(&chars, i);
            blank(&mut out, &chars[i..end]);
            i = end;
        } else if let Some(end) = string_end(&chars, i) {
            out.push_str("\"\"");
            blank(
                &mut out,
                &chars[i..end]
                    .iter()
                    .filter(|&&c| c == '\n')
                    .copied()
                    .collect::<Vec<_>>(),
            );
            i = end;
        } else if c == '\'' {
            i = char_or_lifetime(&chars, i, &mut out);
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn block_comment_end(chars: &[char], start: usize) -> usize {
    let (mut depth, mut i) = (0, start);
    while i + 1 < chars.len() {
        if chars[i] == '/' && chars[i + 1] == '*' {
            depth += 1;
            i += 2;
        } else if chars[i] == '*' && chars[i + 1] == '/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    chars.len()
}

/// The end (exclusive) of a string literal starting at `i` (`"…"`, `b"…"`, `r#"…"#`, `br"…"`),
/// or `None` when none starts there.
fn string_end(chars: &[char], i: usize) -> Option<usize> {
    let prev_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    let mut j = i;
    if !prev_ident && matches!(chars.get(j), Some('b' | 'c')) {
        j += 1;
    }
    let raw = !prev_ident && chars.get(j) == Some(&'r');
    if raw {
        j += 1;
        let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
        if chars.get(j + hashes) != Some(&'"') {
            return None;
        }
        let closing: Vec<char> = std::iter::once('"')
            .chain(std::iter::repeat_n('#', hashes))
            .collect();
        let body = j + hashes + 1;
        let end = (body..chars.len()).find(|&k| chars[k..].starts_with(&closing))?;
        return Some(end + closing.len());
    }
    if chars.get(j) != Some(&'"') || (j > i && prev_ident) {
        return None;
    }
    let mut k = j + 1;
    while k < chars.len() {
        match chars[k] {
            '\\' => k += 2,
            '"' => return Some(k + 1),
            _ => k += 1,
        }
    }
    Some(chars.len())
}

/// A char literal (`'a'`, `'\n'`, `'\u{1F600}'`) becomes `""`; a lifetime stays.
fn char_or_lifetime(chars: &[char], i: usize, out: &mut String) -> usize {
    if chars.get(i + 1) == Some(&'\\') {
        let close = (i + 2..chars.len())
            .find(|&k| chars[k] == '\'')
            .unwrap_or(chars.len() - 1);
        out.push_str("\"\"");
        return close + 1;
    }
    if chars.get(i + 2) == Some(&'\'') {
        out.push_str("\"\"");
        return i + 3;
    }
    out.push('\'');
    i + 1
}

/// Blanks every item under `#[cfg(test)]` (an inline `mod tests { … }`, a `mod tests;`, a
/// test-only `use` or `fn`), keeping line breaks.
pub fn strip_tests(code: &str) -> String {
    let mut out = code.to_string();
    while let Some(start) = out.find("#[cfg(test)]") {
        let bytes = out.as_bytes();
        let mut depth = 0usize;
        let mut end = out.len();
        for (k, &b) in bytes.iter().enumerate().skip(start + "#[cfg(test)]".len()) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                b';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                _ => {}
            }
        }
        let blanked: String = out[start..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(start..end, &blanked);
    }
    out
}

/// Identifiers (keywords included), `::`, and single punctuation characters, each with its line.
pub fn tokenize(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let (mut tokens, mut line, mut i) = (Vec::new(), 1, 0);
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token {
                text: chars[start..i].iter().collect(),
                line,
            });
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push(Token {
                text: "::".into(),
                line,
            });
            i += 2;
        } else {
            tokens.push(Token {
                text: c.to_string(),
                line,
            });
            i += 1;
        }
    }
    tokens
}
