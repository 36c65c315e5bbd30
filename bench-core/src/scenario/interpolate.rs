//! `${VAR}` and `${VAR:-default}` environment interpolation in scenario strings.

/// A `${…}` that cannot be replaced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterpolateError {
    /// A `${` without its `}`.
    #[error("unclosed \"${{\" in {text:?}")]
    Unclosed {
        /// The text holding it.
        text: String,
    },
    /// A name that is not letters, digits and `_`.
    #[error("invalid variable name {name:?} in \"${{{expr}}}\"")]
    BadName {
        /// The name.
        name: String,
        /// Everything between the braces.
        expr: String,
    },
    /// A variable that is unset (or empty) and has no default.
    #[error(
        "environment variable {name} is not set and has no default (write ${{{name}:-default}})"
    )]
    Unset {
        /// The variable.
        name: String,
    },
}

/// Replace every `${VAR}` / `${VAR:-default}` in `text` using `lookup`. `$$` is a literal `$`.
/// Returns the name of the first variable that is unset and has no default.
pub fn interpolate(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, InterpolateError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                return Err(InterpolateError::Unclosed {
                    text: text.to_owned(),
                });
            };
            let expr = &body[..end];
            let (name, default) = match expr.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (expr, None),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(InterpolateError::BadName {
                    name: name.to_owned(),
                    expr: expr.to_owned(),
                });
            }
            match lookup(name)
                .filter(|v| !v.is_empty())
                .or_else(|| default.map(str::to_owned))
            {
                Some(v) => out.push_str(&v),
                None => {
                    return Err(InterpolateError::Unset {
                        name: name.to_owned(),
                    })
                }
            }
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Whether `text` refers to any environment variable.
#[must_use]
pub fn mentions_variable(text: &str) -> bool {
    text.contains("${")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("staging.example".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn substitutes_and_defaults() {
        assert_eq!(
            interpolate("https://${HOST}/x", &env).unwrap(),
            "https://staging.example/x"
        );
        assert_eq!(interpolate("${PORT:-8080}", &env).unwrap(), "8080");
        assert_eq!(interpolate("${EMPTY:-fallback}", &env).unwrap(), "fallback");
        assert_eq!(interpolate("${HOST:-x}", &env).unwrap(), "staging.example");
        assert_eq!(
            interpolate("cost: $$5 and $x", &env).unwrap(),
            "cost: $5 and $x"
        );
    }

    #[test]
    fn errors_name_the_variable() {
        let e = interpolate("Bearer ${TOKEN}", &env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("TOKEN"), "{e}");
        assert!(interpolate("${OOPS", &env).is_err());
        assert!(interpolate("${BAD NAME}", &env).is_err());
    }
}
