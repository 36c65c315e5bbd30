//! Flux's annotated CSV (the answer of `/api/v2/query` with the `datatype`, `group` and
//! `default` annotations), read into one record per data row: column → typed JSON value.
//!
//! Each table starts with its annotation rows and a header row; the first column is the
//! annotation column (empty in data rows). Empty cells take the column's `#default`, and are left
//! out when that is empty too. A Flux error that happens while the answer is streamed arrives as
//! a table with an `error` column, and becomes an error here.

use std::collections::BTreeMap;

use serde_json::Value;

use super::InfluxError;

/// One data row.
pub type Record = BTreeMap<String, Value>;

/// The schema of the table being read.
#[derive(Debug, Default)]
struct Table {
    types: Vec<String>,
    defaults: Vec<String>,
    columns: Vec<String>,
    /// The next row is the header.
    header_next: bool,
}

/// Every data row of an annotated CSV answer.
pub fn records(text: &str) -> Result<Vec<Record>, InfluxError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Table::default();
    let mut out = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| InfluxError::Response(format!("query answer: {e}")))?;
        let line = row.position().map_or(0, csv::Position::line);
        let cells: Vec<&str> = row.iter().collect();
        match cells.first().copied() {
            Some("#datatype") => {
                table = Table {
                    types: owned(&cells),
                    header_next: true,
                    ..Table::default()
                };
            }
            Some("#default") => table.defaults = owned(&cells),
            Some(a) if a.starts_with('#') => {}
            _ if table.header_next || table.columns.is_empty() => {
                table.columns = owned(&cells);
                table.header_next = false;
            }
            _ => out.push(record(&table, &cells, line)?),
        }
    }
    Ok(out)
}

fn owned(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

/// One data row as a record; an error row is an error.
fn record(table: &Table, cells: &[&str], line: u64) -> Result<Record, InfluxError> {
    let mut rec = Record::new();
    for (i, name) in table.columns.iter().enumerate().skip(1) {
        let cell = cells.get(i).copied().unwrap_or("");
        let cell = if cell.is_empty() {
            table.defaults.get(i).map_or("", String::as_str)
        } else {
            cell
        };
        if cell.is_empty() {
            continue;
        }
        let kind = table.types.get(i).map_or("string", String::as_str);
        if let Some(v) = typed(kind, cell).map_err(|why| {
            InfluxError::Response(format!(
                "query answer line {line}, column {name}: {why} ({kind} {cell:?})"
            ))
        })? {
            rec.insert(name.clone(), v);
        }
    }
    if let Some(err) = rec.get("error").and_then(Value::as_str) {
        return Err(InfluxError::Response(format!("query failed: {err}")));
    }
    Ok(rec)
}

/// A cell as JSON by its Flux type; `None` for values a row cannot hold (durations, binary,
/// NaN and infinities).
fn typed(kind: &str, cell: &str) -> Result<Option<Value>, CellError> {
    Ok(Some(match kind {
        "long" => Value::from(cell.parse::<i64>()?),
        "unsignedLong" => Value::from(cell.parse::<u64>()?),
        "double" => {
            let f = cell.parse::<f64>()?;
            match serde_json::Number::from_f64(f) {
                Some(n) => Value::Number(n),
                None => return Ok(None),
            }
        }
        "boolean" => Value::Bool(cell.parse::<bool>()?),
        k if k.starts_with("dateTime") => Value::from(nanos(cell)?),
        "string" => Value::String(cell.to_owned()),
        _ => return Ok(None),
    }))
}

/// An RFC 3339 time as nanoseconds since the epoch.
fn nanos(cell: &str) -> Result<i64, CellError> {
    let t = humantime::parse_rfc3339(cell)?;
    let signed = |d: std::time::Duration| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
    Ok(match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => signed(d),
        Err(before) => -signed(before.duration()),
    })
}

/// A cell that does not parse as its column's Flux type (the parser's message).
#[derive(Debug, thiserror::Error)]
enum CellError {
    /// Not an integer.
    #[error(transparent)]
    Int(#[from] std::num::ParseIntError),
    /// Not a number.
    #[error(transparent)]
    Float(#[from] std::num::ParseFloatError),
    /// Not `true` or `false`.
    #[error(transparent)]
    Bool(#[from] std::str::ParseBoolError),
    /// Not an RFC 3339 time.
    #[error(transparent)]
    Time(#[from] humantime::TimestampError),
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_TABLES: &str = "\
#datatype,string,long,dateTime:RFC3339,string,string,double\r
#group,false,false,false,true,true,false\r
#default,_result,,,,,\r
,result,table,_time,run_id,_field,_value\r
,,0,2026-11-29T17:50:34.000000123Z,\"a,\"\"b\"\"\",p99,1.5\r
,,1,1970-01-01T00:00:01Z,x,p99,\r
\r
#datatype,string,long,dateTime:RFC3339,string,string,string\r
#group,false,false,false,true,true,false\r
#default,_result,,,,,\r
,result,table,_time,run_id,_field,_value\r
,,2,1970-01-01T00:00:02Z,x,note,\"line1\nline2\"\r
";

    #[test]
    fn tables_are_typed_by_their_own_annotations() {
        let recs = records(TWO_TABLES).unwrap();
        assert_eq!(recs.len(), 3);
        assert_eq!(
            recs[0]["result"], "_result",
            "the #default fills empty cells"
        );
        assert_eq!(recs[0]["table"], 0);
        assert_eq!(recs[0]["_time"], 1_795_974_634_000_000_123_i64);
        assert_eq!(recs[0]["run_id"], "a,\"b\"");
        assert_eq!(recs[0]["_value"], 1.5);
        assert!(!recs[1].contains_key("_value"), "empty without default");
        assert_eq!(recs[1]["_time"], 1_000_000_000);
        assert_eq!(recs[2]["_value"], "line1\nline2");
    }

    #[test]
    fn error_tables_and_bad_cells_are_errors() {
        let err = "#datatype,string,string\n#group,true,true\n#default,,\n\
                   ,error,reference\n,\"bucket \"\"x\"\" not found\",\n";
        let e = records(err).unwrap_err().to_string();
        assert!(e.contains("query failed: bucket \"x\" not found"), "{e}");
        let bad = "#datatype,string,long,long\n#default,_result,,\n,result,table,_value\n,,0,12x\n";
        let e = records(bad).unwrap_err().to_string();
        assert!(e.contains("line 4, column _value"), "{e}");
        assert!(records("").unwrap().is_empty());
    }
}
