//! The v1 HTTP API: `POST /write` (line protocol) and InfluxQL over `/query`. InfluxDB 1.x
//! serves it natively; 2.x and 3.x serve it as their v1 compatibility API (token auth).

use http::Method;
use serde_json::Value;
use std::fmt::Write as _;

use super::config::InfluxConfig;
use super::line::Row;
use super::points::{ALL, RUNS};
use super::{InfluxError, Select};
use crate::http_client::{HttpClient, Request};

/// A v1 API client.
#[derive(Debug)]
pub struct V1 {
    http: HttpClient,
    config: InfluxConfig,
    db: String,
    rp: Option<String>,
}

impl V1 {
    /// A client of database `db` (retention policy `rp`, else the default one).
    pub fn new(http: HttpClient, config: InfluxConfig, db: String, rp: Option<String>) -> Self {
        Self {
            http,
            config,
            db,
            rp,
        }
    }

    /// `POST {url}{path}?db=…[&rp=…]&{extra}`.
    fn request(&self, path: &str, extra: (&str, &str)) -> Request {
        let url = format!("{}{path}", self.config.url);
        let mut params = vec![("db", self.db.as_str())];
        if let Some(rp) = &self.rp {
            params.push(("rp", rp.as_str()));
        }
        params.push(extra);
        Request::new(Method::POST, url).query(&params)
    }

    /// Write a line-protocol body.
    pub async fn write(&self, body: String) -> Result<(), InfluxError> {
        let req = self
            .request("/write", ("precision", "ns"))
            .body("text/plain; charset=utf-8", body);
        self.config.send(&self.http, req).await.map(drop)
    }

    /// Run InfluxQL; the rows of every series of the first statement's result.
    async fn query(&self, q: &str) -> Result<Vec<Row>, InfluxError> {
        let req = self.request("/query", ("epoch", "ns")).form(&[("q", q)]);
        let text = self.config.send(&self.http, req).await?;
        rows(&text)
    }

    /// Run rows matching `sel`, newest first.
    pub async fn runs(&self, sel: &Select<'_>) -> Result<Vec<Row>, InfluxError> {
        let columns = if sel.listing {
            r#""requests","scenario","branch","run_id""#
        } else {
            "*"
        };
        let mut q = format!(
            r#"SELECT {columns} FROM "{RUNS}"{} ORDER BY time DESC"#,
            where_clause(sel)
        );
        if let Some(n) = sel.last {
            let _ = write!(q, " LIMIT {n}");
        }
        self.query(&q).await
    }

    /// Every point of one run in `measurement`, oldest first.
    pub async fn points(&self, measurement: &str, run_id: &str) -> Result<Vec<Row>, InfluxError> {
        let q = format!(
            r#"SELECT * FROM "{measurement}" WHERE "run_id" = {}"#,
            literal(run_id)
        );
        self.query(&q).await
    }

    /// Delete every point of one run.
    pub async fn delete(&self, run_id: &str) -> Result<(), InfluxError> {
        let from = ALL.map(|m| format!("\"{m}\"")).join(",");
        let q = format!(
            r#"DROP SERIES FROM {from} WHERE "run_id" = {}"#,
            literal(run_id)
        );
        self.query(&q).await.map(drop)
    }
}

fn where_clause(sel: &Select<'_>) -> String {
    let conds: Vec<String> = [
        ("branch", sel.branch),
        ("scenario", sel.scenario),
        ("run_id", sel.run_id),
    ]
    .into_iter()
    .filter_map(|(tag, v)| v.map(|v| format!(r#""{tag}" = {}"#, literal(v))))
    .collect();
    if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    }
}

/// An InfluxQL string literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Rows of a `/query` JSON response; a statement error is an error.
fn rows(text: &str) -> Result<Vec<Row>, InfluxError> {
    let json: Value = serde_json::from_str(text)
        .map_err(|e| InfluxError::Response(format!("query response is not JSON: {e}")))?;
    let mut out = Vec::new();
    for result in json["results"].as_array().into_iter().flatten() {
        if let Some(err) = result["error"].as_str() {
            return Err(InfluxError::Response(format!("query failed: {err}")));
        }
        for series in result["series"].as_array().into_iter().flatten() {
            let columns: Vec<&str> = series["columns"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            for values in series["values"].as_array().into_iter().flatten() {
                let mut row = Row::default();
                for (c, v) in columns.iter().zip(values.as_array().into_iter().flatten()) {
                    if !v.is_null() {
                        row.0.insert((*c).to_owned(), v.clone());
                    }
                }
                out.push(row);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_quotes() {
        assert_eq!(literal(r"it's \ x"), r"'it\'s \\ x'");
    }

    #[test]
    fn statement_errors_are_errors() {
        let err = rows(r#"{"results":[{"statement_id":0,"error":"database not found: x"}]}"#);
        assert!(matches!(err, Err(InfluxError::Response(m)) if m.contains("database not found")));
        let ok = rows(
            r#"{"results":[{"series":[{"name":"m","columns":["time","a"],"values":[[1,"x"],[2,null]]}]}]}"#,
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].take_str("a").as_deref(), Some("x"));
        assert!(!ok[1].0.contains_key("a"));
    }
}
