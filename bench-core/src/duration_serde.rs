//! Durations in results and scenario files: written as human-readable strings ("250ms", "1m 30s"),
//! read from such strings or from a number of seconds.

use std::time::Duration;

use serde::{de, Deserialize, Deserializer, Serializer};

/// The longest duration accepted anywhere: a year. Longer ones are typing mistakes, and a
/// warm-up of a million years used to end a cancelled run in a panic (its start date is past
/// the year 9999) instead of a result.
pub const MAX: Duration = Duration::from_secs(366 * 24 * 3600);

/// A duration that could not be read; it names the text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DurationError {
    /// A number of seconds that is no duration (negative, not finite, too large).
    #[error("invalid duration {text:?}: {source}")]
    Seconds {
        /// The text as given (trimmed).
        text: String,
        /// Why the number is no duration.
        source: std::time::TryFromFloatSecsError,
    },
    /// Text that is no duration at all.
    #[error("invalid duration {text:?} ({source}); write e.g. \"250ms\", \"10s\", \"2m\"")]
    Text {
        /// The text as given (trimmed).
        text: String,
        /// What the duration parser found.
        source: humantime::DurationError,
    },
    /// A duration longer than [`MAX`].
    #[error("invalid duration {text:?}: longer than a year, the most accepted")]
    TooLong {
        /// The text as given (trimmed).
        text: String,
    },
}

/// Parse "250ms", "10s", "1m30s" or "1.5s"; at most [`MAX`].
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let t = text.trim();
    let d = parse_unbounded(t)?;
    if d > MAX {
        return Err(DurationError::TooLong { text: t.to_owned() });
    }
    Ok(d)
}

fn parse_unbounded(t: &str) -> Result<Duration, DurationError> {
    let seconds = |source| DurationError::Seconds {
        text: t.to_owned(),
        source,
    };
    if let Ok(secs) = t.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).map_err(seconds);
    }
    if let Some(num) = t.strip_suffix('s').and_then(|n| n.parse::<f64>().ok()) {
        return Duration::try_from_secs_f64(num).map_err(seconds);
    }
    humantime::parse_duration(t).map_err(|source| DurationError::Text {
        text: t.to_owned(),
        source,
    })
}

/// Format compactly ("1s 500ms").
#[must_use]
pub fn format(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// Serialise as a string.
pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*d))
}

/// Deserialise from a string or a number of seconds.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Secs(f64),
        Text(String),
    }
    match Repr::deserialize(d)? {
        Repr::Secs(s) => {
            let d = Duration::try_from_secs_f64(s).map_err(de::Error::custom)?;
            if d > MAX {
                let text = s.to_string();
                return Err(de::Error::custom(DurationError::TooLong { text }));
            }
            Ok(d)
        }
        Repr::Text(t) => parse(&t).map_err(de::Error::custom),
    }
}

/// `Option<Duration>` variant.
pub mod option {
    use super::*;

    /// Serialise `Some` as a string, `None` as nothing.
    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    /// Deserialise a present value like the plain variant.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        super::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        assert_eq!(parse("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse("3").unwrap(), Duration::from_secs(3));
        assert!(parse("soon").is_err());
        assert!(parse("-1").is_err());
        assert_eq!(parse("366d").unwrap(), MAX);
        for long in ["367d", "500000000y", "1e12"] {
            assert!(
                parse(long)
                    .unwrap_err()
                    .to_string()
                    .contains("longer than a year"),
                "{long}"
            );
        }
    }
}
