//! GraphQL over HTTP: requests are POSTs of `{"query", "operationName", "variables"}` (or an
//! array of them, a batch) sent by the HTTP driver, whose responses are judged as GraphQL: HTTP
//! 200 with a non-empty `errors` array, or with `data: null`, is a failure of kind
//! `graphql_error` whose first message is kept as the sample.
//!
//! Persisted queries follow Apollo's protocol (APQ): the request carries only the query's SHA-256
//! in `extensions.persistedQuery`; a server that answers `PersistedQueryNotFound` gets the query
//! and hash in a second exchange, which registers it. Both exchanges count as one call.

use serde::de::IgnoredAny;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::http::{Check, Checked, HttpConnector, HttpError, HttpOptions, HttpRequest};
use super::{ErrorKind, Outcome};
use crate::template::Template;
use std::fmt::Write as _;

/// One GraphQL operation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GraphqlOperation {
    /// The query or mutation document.
    pub query: String,
    /// `operationName`, when the document has several operations.
    pub operation_name: Option<String>,
    /// `variables` as JSON; string values may hold `{{…}}` placeholders.
    pub variables: Option<serde_json::Value>,
}

/// One request of a GraphQL mix: an operation, or a batch of them sent as one array.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GraphqlRequestSpec {
    /// Name used in results.
    pub name: String,
    /// The operations (one unless `batch`).
    pub operations: Vec<GraphqlOperation>,
    /// Send the operations as one JSON array (a batched request).
    pub batch: bool,
    /// Extra HTTP headers (values may hold placeholders).
    pub headers: Vec<(String, String)>,
}

/// GraphQL connection options.
#[derive(Debug, Clone, Default)]
pub struct GraphqlOptions {
    /// The HTTP transport.
    pub http: HttpOptions,
    /// Send persisted-query hashes (Apollo APQ) instead of the query text.
    pub persisted_queries: bool,
}

/// A connector for the GraphQL endpoint `target` (e.g. `http://127.0.0.1:8080/graphql`).
pub fn connector(
    target: &str,
    requests: &[GraphqlRequestSpec],
    options: &GraphqlOptions,
) -> Result<HttpConnector, HttpError> {
    let names = options.http.sources.names();
    let mut built = Vec::with_capacity(requests.len());
    for spec in requests {
        let err = |field, message: String| HttpError::Request {
            request: spec.name.clone(),
            field,
            message,
        };
        let mut headers = vec![(
            http::header::CONTENT_TYPE,
            Template::lit("application/json"),
        )];
        for (name, value) in &spec.headers {
            let name = http::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| err("header name", e.to_string()))?;
            let value = Template::text(value, names)
                .map_err(|e| err("header value", format!("{name}: {e}")))?;
            headers.push((name, value));
        }
        let body = |mode: Persisted| -> Result<Template, HttpError> {
            let mut t = Template::default();
            if spec.batch {
                t.push_lit("[");
            }
            for (i, op) in spec.operations.iter().enumerate() {
                if i > 0 {
                    t.push_lit(",");
                }
                t.append(
                    operation_body(op, mode, names).map_err(|e| err("variables", e.to_string()))?,
                );
            }
            if spec.batch {
                t.push_lit("]");
            }
            Ok(t)
        };
        let request = |body| HttpRequest {
            name: spec.name.clone(),
            method: http::Method::POST,
            path: Template::default(),
            headers: headers.clone(),
            body,
        };
        built.push(if options.persisted_queries {
            (
                request(body(Persisted::HashOnly)?),
                Some(request(body(Persisted::HashAndQuery)?)),
            )
        } else {
            (request(body(Persisted::No)?), None)
        });
    }
    HttpConnector::build(target, built, &options.http, Check::Body(check))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Persisted {
    No,
    HashOnly,
    HashAndQuery,
}

/// The JSON body of one operation, as a template (placeholders live in the variables only).
fn operation_body(
    op: &GraphqlOperation,
    mode: Persisted,
    names: crate::template::Names<'_>,
) -> Result<Template, crate::template::TemplateError> {
    let json = |v: &str| serde_json::Value::String(v.to_owned()).to_string();
    let mut t = Template::lit("{");
    let mut fields = 0;
    let mut sep = |t: &mut Template| {
        if fields > 0 {
            t.push_lit(",");
        }
        fields += 1;
    };
    if mode != Persisted::HashOnly {
        sep(&mut t);
        t.push_lit(&format!("\"query\":{}", json(&op.query)));
    }
    if let Some(name) = &op.operation_name {
        sep(&mut t);
        t.push_lit(&format!("\"operationName\":{}", json(name)));
    }
    if let Some(vars) = &op.variables {
        sep(&mut t);
        t.push_lit("\"variables\":");
        t.append(Template::json(vars, names)?);
    }
    if mode != Persisted::No {
        sep(&mut t);
        let hash = Sha256::digest(op.query.as_bytes());
        let hex = hash.iter().fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        });
        t.push_lit(&format!(
            "\"extensions\":{{\"persistedQuery\":{{\"version\":1,\"sha256Hash\":\"{hex}\"}}}}"
        ));
    }
    t.push_lit("}");
    Ok(t)
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    data: Option<IgnoredAny>,
    #[serde(default)]
    errors: Option<Vec<Error>>,
}

#[derive(Deserialize)]
struct Error {
    #[serde(default)]
    message: String,
    #[serde(default)]
    extensions: Option<Extensions>,
}

#[derive(Deserialize)]
struct Extensions {
    #[serde(default)]
    code: Option<String>,
}

/// Judge an HTTP outcome whose body is `body` as a GraphQL response.
pub(crate) fn check(outcome: Outcome, body: &[u8]) -> Checked {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let parsed: Result<Vec<Response>, _> = if first == Some(&b'[') {
        serde_json::from_slice(body)
    } else {
        serde_json::from_slice(body).map(|r| vec![r])
    };
    let responses = match parsed {
        Ok(r) => r,
        // A failed status keeps its kind; a 2xx that is not GraphQL JSON is a protocol error.
        Err(_) if !outcome.is_ok() => return Checked::Done(outcome),
        Err(e) => {
            return Checked::Done(Outcome {
                error: Some(ErrorKind::Protocol),
                message: Some(format!("response is not GraphQL JSON: {e}")),
                ..outcome
            })
        }
    };
    let first_error = responses
        .iter()
        .flat_map(|r| r.errors.iter().flatten())
        .next();
    if let Some(e) = first_error {
        let not_persisted = e.message == "PersistedQueryNotFound"
            || e.extensions.as_ref().and_then(|x| x.code.as_deref())
                == Some("PERSISTED_QUERY_NOT_FOUND");
        let message = if outcome.is_ok() {
            e.message.clone()
        } else {
            format!(
                "{}: {}",
                outcome.message.as_deref().unwrap_or(""),
                e.message
            )
        };
        let failed = Outcome {
            error: Some(outcome.error.unwrap_or(ErrorKind::GraphqlError)),
            message: Some(message),
            ..outcome
        };
        return if not_persisted {
            Checked::Register(failed)
        } else {
            Checked::Done(failed)
        };
    }
    if outcome.is_ok() && responses.iter().any(|r| r.data.is_none()) {
        return Checked::Done(Outcome {
            error: Some(ErrorKind::GraphqlError),
            message: Some("data is null and there are no errors".into()),
            ..outcome
        });
    }
    Checked::Done(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(code: u16, body: &str) -> (Option<ErrorKind>, Option<String>, bool) {
        match check(Outcome::http(code, body.len() as u64), body.as_bytes()) {
            Checked::Done(o) => (o.error, o.message, false),
            Checked::Register(o) => (o.error, o.message, true),
        }
    }

    #[test]
    fn classifies_graphql_responses() {
        assert_eq!(
            judge(200, r#"{"data":{"user":{"id":"1"}}}"#),
            (None, None, false)
        );
        let (kind, msg, _) = judge(
            200,
            r#"{"data":{"user":null},"errors":[{"message":"user 0 not found"},{"message":"b"}]}"#,
        );
        assert_eq!(kind, Some(ErrorKind::GraphqlError));
        assert_eq!(msg.as_deref(), Some("user 0 not found"));
        let (kind, msg, _) = judge(200, r#"{"data":null}"#);
        assert_eq!(kind, Some(ErrorKind::GraphqlError));
        assert!(msg.unwrap().contains("data is null"));
        assert_eq!(
            judge(200, r#"{"data":{"a":1},"errors":[]}"#),
            (None, None, false)
        );
        // Batches: any failed operation fails the call.
        let (kind, msg, _) = judge(
            200,
            r#"[{"data":{"a":1}},{"data":null,"errors":[{"message":"x"}]}]"#,
        );
        assert_eq!(
            (kind, msg.as_deref()),
            (Some(ErrorKind::GraphqlError), Some("x"))
        );
        assert_eq!(
            judge(200, r#"[{"data":{"a":1}},{"data":{}}]"#),
            (None, None, false)
        );
        // Not GraphQL at all.
        assert_eq!(judge(200, "<html>").0, Some(ErrorKind::Protocol));
        // HTTP failures keep their kind and gain the GraphQL message.
        let (kind, msg, _) = judge(400, r#"{"errors":[{"message":"Unknown field"}]}"#);
        assert_eq!(kind, Some(ErrorKind::Status));
        assert_eq!(msg.as_deref(), Some("HTTP 400: Unknown field"));
        assert_eq!(judge(500, "oops").0, Some(ErrorKind::Status));
        // Persisted query not known yet.
        assert!(judge(200, r#"{"errors":[{"message":"PersistedQueryNotFound"}]}"#).2);
        assert!(
            judge(
                200,
                r#"{"errors":[{"message":"x","extensions":{"code":"PERSISTED_QUERY_NOT_FOUND"}}]}"#
            )
            .2
        );
    }

    #[test]
    fn bodies_carry_query_name_variables_and_hash() {
        let op = GraphqlOperation {
            query: "query U($id: ID!) { user(id: $id) { id } }".into(),
            operation_name: Some("U".into()),
            variables: Some(serde_json::json!({"id": "{{random_int 3 3}}"})),
        };
        let names = crate::template::Names::default();
        let sources = crate::template::Sources::default();
        let mut rng = sources.rng();
        let mut render = |mode| {
            let t = operation_body(&op, mode, names).unwrap();
            let mut v = sources.draw(t.needs(), &mut rng);
            serde_json::from_str::<serde_json::Value>(&t.render_string(&mut v)).unwrap()
        };
        let plain = render(Persisted::No);
        assert_eq!(plain["query"], op.query.as_str());
        assert_eq!(plain["operationName"], "U");
        assert_eq!(plain["variables"]["id"], 3);
        assert!(plain.get("extensions").is_none());
        let hashed = render(Persisted::HashOnly);
        assert!(hashed.get("query").is_none());
        let hash = hashed["extensions"]["persistedQuery"]["sha256Hash"]
            .as_str()
            .unwrap();
        assert_eq!(hash.len(), 64);
        let full = render(Persisted::HashAndQuery);
        assert_eq!(full["query"], op.query.as_str());
        assert_eq!(full["extensions"]["persistedQuery"]["sha256Hash"], hash);
    }
}
