//! Data feeders: rows from a CSV file (header line = column names) or a JSON-lines file (one
//! object per line), handed out one per call, in order (wrapping around) or at random, so that
//! requests are not all identical. Loaded once, before any load is sent; every error names the
//! file and line.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// How rows are handed out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// Row 0, 1, 2, … over all threads, wrapping around at the end.
    #[default]
    Sequential,
    /// A uniformly random row per call.
    Random,
}

/// One value of a row, prepared for both ways a template inserts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// As text (CSV: the field; JSON: a string's content, other values as JSON).
    pub text: String,
    /// As a JSON value (CSV: a JSON string).
    pub json: String,
}

/// Errors loading a feeder; each names the file (and line).
#[derive(Debug, thiserror::Error)]
pub enum FeederError {
    /// The file cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The content is unusable.
    #[error("{path}:{line}: {message}")]
    Invalid {
        /// File.
        path: PathBuf,
        /// Line, from 1.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// Rows of per-call data.
#[derive(Debug)]
pub struct Feeder {
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
    order: Order,
    cursor: AtomicU64,
}

impl Feeder {
    /// Load `path`: `.csv` as CSV, `.jsonl`/`.ndjson`/`.json` as JSON lines.
    pub fn load(path: &Path, order: Order) -> Result<Self, FeederError> {
        let text = std::fs::read_to_string(path).map_err(|source| FeederError::Io {
            path: path.to_owned(),
            source,
        })?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let (columns, rows) = match ext.as_str() {
            "csv" => parse_csv(&text, path)?,
            "jsonl" | "ndjson" | "json" => parse_json_lines(&text, path)?,
            _ => {
                return Err(FeederError::Invalid {
                    path: path.to_owned(),
                    line: 1,
                    message: "unknown data format: name the file *.csv or *.jsonl".into(),
                })
            }
        };
        if rows.is_empty() {
            return Err(FeederError::Invalid {
                path: path.to_owned(),
                line: 1,
                message: "no data rows".into(),
            });
        }
        Ok(Self {
            columns,
            rows,
            order,
            cursor: AtomicU64::new(0),
        })
    }

    /// Column names.
    #[must_use]
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Number of rows (at least 1).
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Never true: a feeder without rows is refused at load.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// How rows are handed out.
    #[must_use]
    pub fn order(&self) -> Order {
        self.order
    }

    /// The next row in sequential order (shared by all threads).
    #[must_use]
    pub fn next_row(&self) -> usize {
        (self.cursor.fetch_add(1, Ordering::Relaxed) % self.rows.len() as u64) as usize
    }

    /// A cell.
    #[must_use]
    pub fn cell(&self, row: usize, column: usize) -> Option<&Cell> {
        self.rows.get(row)?.get(column)
    }
}

fn invalid(path: &Path, line: u64, message: String) -> FeederError {
    FeederError::Invalid {
        path: path.to_owned(),
        line,
        message,
    }
}

type Parsed = (Vec<String>, Vec<Vec<Cell>>);

fn parse_csv(text: &str, path: &Path) -> Result<Parsed, FeederError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let line_of = |e: &csv::Error| e.position().map_or(1, csv::Position::line);
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| invalid(path, line_of(&e), e.to_string()))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    check_columns(&columns, path)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| invalid(path, line_of(&e), e.to_string()))?;
        rows.push(
            record
                .iter()
                .map(|v| Cell {
                    text: v.to_owned(),
                    json: serde_json::Value::String(v.to_owned()).to_string(),
                })
                .collect(),
        );
    }
    Ok((columns, rows))
}

fn parse_json_lines(text: &str, path: &Path) -> Result<Parsed, FeederError> {
    let mut columns: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| invalid(path, n, e.to_string()))?;
        let serde_json::Value::Object(map) = value else {
            return Err(invalid(path, n, "each line must be a JSON object".into()));
        };
        if columns.is_empty() {
            columns = map.keys().cloned().collect();
            check_columns(&columns, path)?;
        }
        let mut row = Vec::with_capacity(columns.len());
        for c in &columns {
            let v = map.get(c).ok_or_else(|| {
                invalid(
                    path,
                    n,
                    format!("missing key {c:?} (the first line has it)"),
                )
            })?;
            row.push(Cell {
                text: v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                json: v.to_string(),
            });
        }
        rows.push(row);
    }
    Ok((columns, rows))
}

fn check_columns(columns: &[String], path: &Path) -> Result<(), FeederError> {
    for c in columns {
        if c.is_empty() || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') {
            return Err(invalid(
                path,
                1,
                format!("column name {c:?}: use letters, digits and _ only"),
            ));
        }
        if matches!(c.as_str(), "seq" | "uuid" | "random_int") {
            return Err(invalid(
                path,
                1,
                format!("column name {c:?} is a built-in placeholder; rename the column"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    #[test]
    fn csv_rows_and_quoting() {
        let (_d, p) = write("u.csv", "id,name\n1,\"Ada, Countess\"\n2,Bob\n");
        let f = Feeder::load(&p, Order::Sequential).unwrap();
        assert_eq!(f.columns(), ["id", "name"]);
        assert_eq!(f.len(), 2);
        assert_eq!(f.cell(0, 1).unwrap().text, "Ada, Countess");
        assert_eq!(f.cell(0, 0).unwrap().json, "\"1\"");
        assert_eq!([f.next_row(), f.next_row(), f.next_row()], [0, 1, 0]);
    }

    #[test]
    fn json_lines_keep_types() {
        let (_d, p) = write(
            "u.jsonl",
            "{\"id\": 7, \"tags\": [\"a\"]}\n\n{\"id\": 8, \"tags\": []}\n",
        );
        let f = Feeder::load(&p, Order::Random).unwrap();
        assert_eq!(f.cell(1, 0).unwrap().json, "8");
        assert_eq!(f.cell(0, 1).unwrap().json, "[\"a\"]");
    }

    #[test]
    fn errors_name_file_and_line() {
        let (_d, p) = write("u.jsonl", "{\"id\": 1}\n{\"name\": 2}\n");
        let e = Feeder::load(&p, Order::Sequential).unwrap_err().to_string();
        assert!(
            e.ends_with("u.jsonl:2: missing key \"id\" (the first line has it)"),
            "{e}"
        );
        let (_d, p) = write("u.csv", "id,seq\n1,2\n");
        let e = Feeder::load(&p, Order::Sequential).unwrap_err().to_string();
        assert!(e.contains("u.csv:1: column name \"seq\""), "{e}");
        let (_d, p) = write("u.csv", "id\n");
        assert!(Feeder::load(&p, Order::Sequential)
            .unwrap_err()
            .to_string()
            .contains("no data rows"));
        let (_d, p) = write("u.csv", "a,b\n1,2\n3\n");
        let e = Feeder::load(&p, Order::Sequential).unwrap_err().to_string();
        assert!(e.contains("u.csv:3:"), "{e}");
        let e = Feeder::load(Path::new("/nonexistent/x.csv"), Order::Sequential).unwrap_err();
        assert!(e.to_string().starts_with("/nonexistent/x.csv: "), "{e}");
    }
}
