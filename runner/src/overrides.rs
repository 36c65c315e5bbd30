//! Scenario overrides from the command line (`--set key=value` and the shortcuts `--target`,
//! `--rate`, `--duration`, …), and loading a scenario with them so that an error about an
//! overridden field names the flag and the value the user wrote, never a line of the file.

use std::fmt::Write as _;
use std::path::Path;

use bench_core::scenario::ScenarioError;
use bench_core::Scenario;

/// One override: the `key=value` applied to the scenario, and the flag that asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// `key=value`, the value as TOML.
    pub set: String,
    /// The flag as written (`--rate -5`); `None` for `--set` itself.
    pub flag: Option<String>,
}

impl Override {
    /// A `--set key=value` as given.
    #[must_use]
    pub fn set(arg: &str) -> Self {
        Self {
            set: arg.to_owned(),
            flag: None,
        }
    }

    /// `flag value` setting `key` to the TOML `toml_value`.
    #[must_use]
    pub fn flag(flag: &str, value: &str, key: &str, toml_value: &str) -> Self {
        Self {
            set: format!("{key}={toml_value}"),
            flag: Some(if value.is_empty() {
                flag.to_owned()
            } else {
                format!("{flag} {value}")
            }),
        }
    }

    /// `flag value` setting `key` to the string `value`.
    #[must_use]
    pub fn flag_str(flag: &str, value: &str, key: &str) -> Self {
        Self::flag(flag, value, key, &toml_string(value))
    }
}

/// A TOML basic string holding `s`.
#[must_use]
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Load `path` with `overrides` (later ones win); an error caused by a flag names the flag.
pub fn load(path: &Path, overrides: &[Override]) -> anyhow::Result<Scenario> {
    let sets: Vec<String> = overrides.iter().map(|o| o.set.clone()).collect();
    Scenario::load(path, &sets).map_err(|e| blame_flag(e, overrides))
}

/// Rewrite an error about an override as an error about the flag that made it.
#[must_use]
pub fn blame_flag(e: ScenarioError, overrides: &[Override]) -> anyhow::Error {
    if let ScenarioError::Override { arg, message } = &e {
        let flag = overrides
            .iter()
            .rev()
            .find(|o| &o.set == arg)
            .and_then(|o| o.flag.as_deref());
        if let Some(flag) = flag {
            return anyhow::anyhow!("{flag}: {message}");
        }
    }
    e.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(toml_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(toml_string("x\ny"), r#""x\u000Ay""#);
    }

    #[test]
    fn errors_name_the_flag_that_set_the_field() {
        let o = [Override::flag("--rate", "-5", "load.rate", "-5")];
        let e = ScenarioError::Override {
            arg: "load.rate=-5".into(),
            message: "load.rate: must be > 0".into(),
        };
        assert_eq!(
            blame_flag(e, &o).to_string(),
            "--rate -5: load.rate: must be > 0"
        );
        let e = ScenarioError::Override {
            arg: "load.rate=-5".into(),
            message: "m".into(),
        };
        assert_eq!(
            blame_flag(e, &[Override::set("load.rate=-5")]).to_string(),
            "--set load.rate=-5: m"
        );
    }
}
