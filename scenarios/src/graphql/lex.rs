//! Tokens of a GraphQL document (the October 2021 spec's lexical grammar): punctuators, names,
//! numbers and strings (block strings kept verbatim); commas, white space and comments ignored.

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// One of `! $ & ( ) : = @ [ ] { | }`.
    P(char),
    /// `...`
    Spread,
    Name(String),
    Int(i64),
    Float(f64),
    Str(String),
}

/// A document that does not lex or parse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum SyntaxError {
    #[error("unterminated block string at byte {0}")]
    UnterminatedBlock(usize),
    #[error("unexpected character {ch:?} at byte {at}")]
    UnexpectedChar { ch: char, at: usize },
    #[error("unterminated string")]
    Unterminated,
    #[error("unterminated string ending at byte {0}")]
    UnterminatedAt(usize),
    /// `\x` or `\uXXXX` that is no escape (the text after the backslash).
    #[error("bad escape \\{0}")]
    BadEscape(String),
    #[error("bad number {text:?} at byte {at}")]
    BadNumber { text: String, at: usize },
    #[error("the document has no operation")]
    NoOperation,
    #[error("expected an operation or a fragment, found {0}")]
    NotAnOperation(String),
    #[error("unexpected end of document")]
    End,
    #[error("expected {expected:?}, found {found:?}")]
    Expected { expected: char, found: Tok },
    #[error("expected a name, found {0:?}")]
    ExpectedName(Tok),
    #[error("expected {expected:?}, found {found}")]
    ExpectedKeyword {
        expected: &'static str,
        found: String,
    },
    #[error("a selection set is empty")]
    EmptySelection,
    #[error("expected a value, found {0:?}")]
    ExpectedValue(Tok),
}

/// The tokens of `src`, or where it stops making sense.
pub(crate) fn lex(src: &str) -> Result<Vec<Tok>, SyntaxError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b'!' | b'$' | b'&' | b'(' | b')' | b':' | b'=' | b'@' | b'[' | b']' | b'{' | b'|'
            | b'}' => {
                out.push(Tok::P(char::from(c)));
                i += 1;
            }
            b'.' if src[i..].starts_with("...") => {
                out.push(Tok::Spread);
                i += 3;
            }
            b'"' if src[i..].starts_with("\"\"\"") => {
                let end = src[i + 3..]
                    .find("\"\"\"")
                    .ok_or(SyntaxError::UnterminatedBlock(i))?;
                out.push(Tok::Str(src[i + 3..i + 3 + end].to_owned()));
                i += end + 6;
            }
            b'"' => {
                let (s, next) = string(src, i + 1)?;
                out.push(Tok::Str(s));
                i = next;
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                let start = i;
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                out.push(Tok::Name(src[start..i].to_owned()));
            }
            b'-' | b'0'..=b'9' => {
                let (t, next) = number(src, i)?;
                out.push(t);
                i = next;
            }
            0xEF if src[i..].starts_with('\u{feff}') => i += 3,
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(SyntaxError::UnexpectedChar { ch, at: i });
            }
        }
    }
    Ok(out)
}

/// A quoted string whose body starts at `i`: its value and the byte after the closing quote.
fn string(src: &str, mut i: usize) -> Result<(String, usize), SyntaxError> {
    let mut out = String::new();
    let mut chars = src[i..].chars();
    while let Some(c) = chars.next() {
        i += c.len_utf8();
        match c {
            '"' => return Ok((out, i)),
            '\n' | '\r' => break,
            '\\' => {
                let e = chars.next().ok_or(SyntaxError::Unterminated)?;
                i += e.len_utf8();
                out.push(match e {
                    '"' | '\\' | '/' => e,
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'u' => {
                        let hex: String = chars.by_ref().take(4).collect();
                        i += hex.len();
                        u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or_else(|| SyntaxError::BadEscape(format!("u{hex}")))?
                    }
                    _ => return Err(SyntaxError::BadEscape(e.to_string())),
                });
            }
            _ => out.push(c),
        }
    }
    Err(SyntaxError::UnterminatedAt(i))
}

/// An integer or float starting at `i`, and the byte after it.
fn number(src: &str, start: usize) -> Result<(Tok, usize), SyntaxError> {
    let b = src.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = digits(start + usize::from(b[start] == b'-'));
    let mut float = false;
    if i < b.len() && b[i] == b'.' {
        float = true;
        i = digits(i + 1);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        float = true;
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        i = digits(i);
    }
    let text = &src[start..i];
    let bad = || SyntaxError::BadNumber {
        text: text.to_owned(),
        at: start,
    };
    let tok = if float {
        Tok::Float(text.parse().map_err(|_| bad())?)
    } else {
        Tok::Int(text.parse().map_err(|_| bad())?)
    };
    Ok((tok, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_a_document() {
        let toks =
            lex("query Q($n: Int = -2) { a: f(s: \"x\\n\\u0041\", f: 1.5e1) ...F } # c").unwrap();
        assert_eq!(toks[0], Tok::Name("query".into()));
        assert!(toks.contains(&Tok::Int(-2)));
        assert!(toks.contains(&Tok::Str("x\nA".into())));
        assert!(toks.contains(&Tok::Float(15.0)));
        assert!(toks.contains(&Tok::Spread));
        assert_eq!(toks.last(), Some(&Tok::P('}')));
    }

    #[test]
    fn bad_input_names_the_place() {
        assert!(lex("{ a } %").unwrap_err().to_string().contains("byte 6"));
        assert!(lex("{ a(s: \"open) }")
            .unwrap_err()
            .to_string()
            .contains("unterminated"));
        assert!(lex("{ a(n: 1.) }").is_ok());
    }
}
