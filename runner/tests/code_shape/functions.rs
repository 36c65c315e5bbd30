//! Function lengths: from the line of `fn` to the line of the body's closing brace.

use super::source::Token;

/// A function: its name, first line and length in lines.
#[derive(Debug)]
pub struct Function {
    pub name: String,
    pub line: usize,
    pub lines: usize,
}

/// Every function with a body in the tokens (nested functions too; trait method declarations
/// without a body are skipped).
pub fn functions(tokens: &[Token]) -> Vec<Function> {
    let mut out = Vec::new();
    for (k, token) in tokens.iter().enumerate() {
        if !token.is("fn") || !tokens.get(k + 1).is_some_and(Token::is_ident) {
            continue;
        }
        let Some(open) = tokens[k..]
            .iter()
            .position(|t| t.is("{") || t.is(";"))
            .map(|p| k + p)
        else {
            continue;
        };
        if tokens[open].is(";") {
            continue;
        }
        let mut depth = 0usize;
        for t in &tokens[open..] {
            if t.is("{") {
                depth += 1;
            } else if t.is("}") {
                depth -= 1;
                if depth == 0 {
                    out.push(Function {
                        name: tokens[k + 1].text.clone(),
                        line: token.line,
                        lines: t.line - token.line + 1,
                    });
                    break;
                }
            }
        }
    }
    out
}
