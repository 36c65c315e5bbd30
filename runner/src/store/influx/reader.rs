//! Reading line protocol back: the check a spool entry passes before it is replayed, so that a
//! corrupt file is set aside with the line and column at fault instead of being sent.
//!
//! The grammar is InfluxDB's: `measurement(,tag=value)* field=value(,field=value)* [timestamp]`,
//! with `\` escaping `,`, `=` and space in names and `"`/`\` in string fields; field values are
//! floats, `123i`, `123u`, booleans or strings. Blank lines and `#` comments are skipped.
//!
//! A property test feeds it arbitrary text: 256 cases by default, `PROPTEST_CASES=100000` for
//! a long run (`cargo test -p tailguard --lib reader`).

use std::fmt;

/// Where a body stops being line protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line.
    pub line: usize,
    /// 1-based byte column.
    pub column: usize,
    /// What was expected.
    pub message: &'static str,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for LineError {}

/// The number of points in `body`, or the first place it is not line protocol.
pub fn count_points(body: &str) -> Result<usize, LineError> {
    let mut points = 0;
    for (i, line) in body.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        Cursor {
            bytes: line.as_bytes(),
            pos: 0,
        }
        .point()
        .map_err(|(column, message)| LineError {
            line: i + 1,
            column: column + 1,
            message,
        })?;
        points += 1;
    }
    Ok(points)
}

type Step<T> = Result<T, (usize, &'static str)>;

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn fail<T>(&self, message: &'static str) -> Step<T> {
        Err((self.pos, message))
    }

    fn point(&mut self) -> Step<()> {
        self.name(b", ", "empty measurement")?;
        while self.peek() == Some(b',') {
            self.pos += 1;
            self.name(b"=, ", "empty tag key")?;
            self.expect(b'=', "expected `=` after the tag key")?;
            self.name(b", ", "empty tag value")?;
        }
        self.expect(b' ', "expected a space before the fields")?;
        loop {
            self.name(b"=, ", "empty field key")?;
            self.expect(b'=', "expected `=` after the field key")?;
            self.value()?;
            if self.peek() != Some(b',') {
                break;
            }
            self.pos += 1;
        }
        if self.peek() == Some(b' ') {
            self.pos += 1;
            self.timestamp()?;
        }
        if self.pos != self.bytes.len() {
            return self.fail("unexpected text after the point");
        }
        Ok(())
    }

    fn expect(&mut self, b: u8, message: &'static str) -> Step<()> {
        if self.peek() != Some(b) {
            return self.fail(message);
        }
        self.pos += 1;
        Ok(())
    }

    /// A name up to an unescaped byte of `stops` (or the end); must not be empty.
    fn name(&mut self, stops: &[u8], empty: &'static str) -> Step<()> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if b == b'\\' && self.pos + 1 < self.bytes.len() {
                self.pos += 2;
            } else if stops.contains(&b) {
                break;
            } else {
                self.pos += 1;
            }
        }
        if self.pos == start {
            return self.fail(empty);
        }
        Ok(())
    }

    fn value(&mut self) -> Step<()> {
        if self.peek() == Some(b'"') {
            return self.string();
        }
        let start = self.pos;
        while self.peek().is_some_and(|b| b != b',' && b != b' ') {
            self.pos += 1;
        }
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or("");
        let ok = match text.as_bytes().last() {
            Some(b'i') => text[..text.len() - 1].parse::<i64>().is_ok(),
            Some(b'u') => text[..text.len() - 1].parse::<u64>().is_ok(),
            _ => {
                matches!(
                    text,
                    "t" | "T" | "true" | "True" | "TRUE" | "f" | "F" | "false" | "False" | "FALSE"
                ) || text.parse::<f64>().is_ok_and(f64::is_finite)
            }
        };
        if !ok {
            self.pos = start;
            return self.fail("expected a number, boolean or \"string\" field value");
        }
        Ok(())
    }

    fn string(&mut self) -> Step<()> {
        self.pos += 1;
        loop {
            match self.peek() {
                None => return self.fail("unterminated string field"),
                Some(b'\\') if self.pos + 1 < self.bytes.len() => self.pos += 2,
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn timestamp(&mut self) -> Step<()> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or("");
        if text.parse::<i64>().is_err() {
            self.pos = start;
            return self.fail("expected an integer timestamp");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::influx::line::{body, Point};

    #[test]
    fn reads_what_the_writer_writes() {
        let mut p = Point::new("m", 7).tag("scenario", "a b,c=d");
        p.str("s", r#"say "hi" \o/, x=1"#);
        p.int("n", 3);
        p.float("f", -0.5e-3);
        let text = format!("# comment\n\n{}", body(&[p.clone(), p]));
        assert_eq!(count_points(&text), Ok(2));
        assert_eq!(count_points("m b=true,u=1u\r\n"), Ok(1));
    }

    #[test]
    fn names_line_and_column_of_the_damage() {
        let cases = [
            ("m a=1i 1\nm a=1i 1\nm,t a=1", 3, 4, "`=` after the tag key"),
            ("m", 1, 2, "space before the fields"),
            ("m a=\"open", 1, 10, "unterminated string"),
            ("m a=12x", 1, 5, "a number, boolean"),
            ("m a=1 nope", 1, 7, "integer timestamp"),
            ("m a=1 2 3", 1, 8, "after the point"),
            (" a=1", 1, 1, "empty measurement"),
            ("m a=1,", 1, 7, "empty field key"),
            ("m a=nan", 1, 5, "a number"),
        ];
        for (text, line, column, words) in cases {
            let e = count_points(text).err();
            let e = e.as_ref();
            assert_eq!(
                e.map(|e| (e.line, e.column)),
                Some((line, column)),
                "{text:?}: {e:?}"
            );
            assert!(
                e.is_some_and(|e| e.to_string().contains(words)),
                "{text:?}: {e:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            text in "[a-z =,\"\\\\0-9.\r\n#iu-]{0,64}",
        ) {
            let _ = count_points(&String::from_utf8_lossy(&bytes));
            let _ = count_points(&text);
        }
    }
}
