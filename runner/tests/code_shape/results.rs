//! `Result<_, String>` outside tests: an error as text, which callers can only print. Errors are
//! `thiserror` enums (one per module); `anyhow` only at the command layer.

use super::source::Token;

/// The lines of every `Result<…, String>` (also `std::string::String`) in `tokens`.
pub fn string_errors(tokens: &[Token]) -> Vec<usize> {
    let mut lines = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if t.is("Result") && tokens.get(i + 1).is_some_and(|n| n.is("<")) {
            let args = generic_args(&tokens[i + 2..]);
            if args.len() == 2 && is_string(&args[1]) {
                lines.push(t.line);
            }
        }
    }
    lines
}

/// The comma-separated arguments of a generic list whose `<` precedes `tokens`, up to its `>`.
fn generic_args(tokens: &[Token]) -> Vec<Vec<&str>> {
    let mut args = vec![Vec::new()];
    let mut depth = 0usize;
    let mut previous = "";
    for t in tokens {
        let text = t.text.as_str();
        match text {
            "<" | "(" | "[" => depth += 1,
            // `->` inside a `Fn(…) -> T` is no closing angle bracket.
            ">" if previous == "-" => {}
            ">" | ")" | "]" if depth == 0 => return args,
            ">" | ")" | "]" => depth -= 1,
            "," if depth == 0 => {
                args.push(Vec::new());
                previous = text;
                continue;
            }
            _ => {}
        }
        if let Some(last) = args.last_mut() {
            last.push(text);
        }
        previous = text;
    }
    args
}

fn is_string(arg: &[&str]) -> bool {
    matches!(arg, ["String"] | ["std", "::", "string", "::", "String"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::tokenize;

    #[test]
    fn finds_text_errors_and_nothing_else() {
        let found = |code: &str| string_errors(&tokenize(code));
        assert_eq!(found("fn f() -> Result<(), String> {}"), vec![1]);
        assert_eq!(
            found("fn f() ->\n Result<Vec<(u8, u8)>, std::string::String>"),
            vec![2]
        );
        assert_eq!(
            found("type J = dyn Fn(u8) -> Result<Box<dyn Fn() -> u8>, String>;"),
            vec![1]
        );
        assert!(found("fn f() -> Result<String, Error> {}").is_empty());
        assert!(found("fn f() -> Result<(), Box<String>> {}").is_empty());
        assert!(found("fn f() -> Result<Option<String>, E> {}").is_empty());
        assert!(found("fn f() -> anyhow::Result<String> {}").is_empty());
    }
}
