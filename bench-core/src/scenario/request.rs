//! From the request sections of a scenario file to the protocol's request specs: per-protocol
//! fields (others are refused, named), environment interpolation, files read relative to the
//! scenario, and the mix weights.

use std::path::Path;

use super::file::{OperationSection, Protocol, RequestSection};
use super::interpolate::{interpolate, InterpolateError};
use super::ScenarioError;
use crate::driver::graphql::{GraphqlOperation, GraphqlRequestSpec};
use crate::driver::grpc::GrpcRequestSpec;
use crate::driver::http::HttpRequestSpec;

/// The requests of a scenario, in its protocol's form.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// HTTP requests.
    Http(Vec<HttpRequestSpec>),
    /// GraphQL operations.
    Graphql(Vec<GraphqlRequestSpec>),
    /// gRPC calls.
    Grpc(Vec<GrpcRequestSpec>),
}

impl Plan {
    /// Names of the requests, in mix order.
    #[must_use]
    pub fn names(&self) -> Vec<&str> {
        match self {
            Self::Http(r) => r.iter().map(|r| r.name.as_str()).collect(),
            Self::Graphql(r) => r.iter().map(|r| r.name.as_str()).collect(),
            Self::Grpc(r) => r.iter().map(|r| r.name.as_str()).collect(),
        }
    }
}

impl Plan {
    /// Rename request `i` to `f(its name)`.
    pub(super) fn rename(&mut self, i: usize, f: impl FnOnce(&str) -> String) {
        let name = match self {
            Self::Http(r) => r.get_mut(i).map(|r| &mut r.name),
            Self::Graphql(r) => r.get_mut(i).map(|r| &mut r.name),
            Self::Grpc(r) => r.get_mut(i).map(|r| &mut r.name),
        };
        if let Some(name) = name {
            *name = f(name);
        }
    }
}

/// Builds located errors: `(dotted field, message)`.
pub(super) type Invalid<'a> = &'a dyn Fn(&str, String) -> ScenarioError;

/// The plan and the weights of `sections` (each with its dotted field path).
pub(super) fn plan(
    protocol: Protocol,
    sections: &[(String, &RequestSection)],
    env: &dyn Fn(&str) -> Option<String>,
    dir: &Path,
    invalid: Invalid<'_>,
) -> Result<(Plan, Vec<f64>), ScenarioError> {
    let mut weights = Vec::with_capacity(sections.len());
    let mut http = Vec::new();
    let mut graphql = Vec::new();
    let mut grpc = Vec::new();
    for (field, r) in sections {
        let at = |name: &str| format!("{field}.{name}");
        if !(r.weight.is_finite() && r.weight > 0.0) {
            return Err(invalid(
                &at("weight"),
                format!("must be a number > 0, got {}", r.weight),
            ));
        }
        weights.push(r.weight);
        refuse_foreign_fields(protocol, r, field, invalid)?;
        let mut headers = Vec::with_capacity(r.headers.len());
        for (name, value) in &r.headers {
            let v = interpolate(value, env)
                .map_err(|m| invalid(&at(&format!("headers.{name}")), m.to_string()))?;
            headers.push((name.clone(), v));
        }
        match protocol {
            Protocol::Http => http.push(http_spec(r, headers, env, &at, invalid)?),
            Protocol::Graphql => graphql.push(graphql_spec(r, field, headers, env, dir, invalid)?),
            Protocol::Grpc => grpc.push(grpc_spec(r, headers, env, &at, invalid)?),
        }
    }
    let plan = match protocol {
        Protocol::Http => Plan::Http(http),
        Protocol::Graphql => Plan::Graphql(graphql),
        Protocol::Grpc => Plan::Grpc(grpc),
    };
    Ok((plan, weights))
}

/// An HTTP request of the mix (method GET and path `/` unless given).
fn http_spec(
    r: &RequestSection,
    headers: Vec<(String, String)>,
    env: &dyn Fn(&str) -> Option<String>,
    at: &dyn Fn(&str) -> String,
    invalid: Invalid<'_>,
) -> Result<HttpRequestSpec, ScenarioError> {
    let method = r.method.clone().unwrap_or_else(|| "GET".into());
    let path = r.path.clone().unwrap_or_else(|| "/".into());
    Ok(HttpRequestSpec {
        name: r.name.clone().unwrap_or_else(|| format!("{method} {path}")),
        path: interpolate(&path, env).map_err(|m| invalid(&at("path"), m.to_string()))?,
        method,
        headers,
        body: match &r.body {
            Some(b) => interpolate(b, env)
                .map_err(|m| invalid(&at("body"), m.to_string()))?
                .into_bytes(),
            None => Vec::new(),
        },
    })
}

/// A GraphQL request of the mix: one operation written inline, or a batch.
fn graphql_spec(
    r: &RequestSection,
    field: &str,
    headers: Vec<(String, String)>,
    env: &dyn Fn(&str) -> Option<String>,
    dir: &Path,
    invalid: Invalid<'_>,
) -> Result<GraphqlRequestSpec, ScenarioError> {
    let at = |name: &str| format!("{field}.{name}");
    let inline = OperationSection {
        query: r.query.clone(),
        query_file: r.query_file.clone(),
        operation_name: r.operation_name.clone(),
        variables: r.variables.clone(),
    };
    let has_inline = inline != OperationSection::default();
    let operations = match (has_inline, r.batch.as_slice()) {
        (true, [_, ..]) => {
            return Err(invalid(
                &at("batch"),
                "give either one operation (query, variables …) or a batch, not both".into(),
            ))
        }
        (false, []) => {
            return Err(invalid(
                field,
                "a GraphQL request needs `query` (or `query_file`), or a `batch` of operations"
                    .into(),
            ))
        }
        (true, []) => vec![operation(&inline, field, env, dir, invalid)?],
        (false, list) => list
            .iter()
            .enumerate()
            .map(|(i, op)| operation(op, &at(&format!("batch[{i}]")), env, dir, invalid))
            .collect::<Result<_, _>>()?,
    };
    let name = r.name.clone().unwrap_or_else(|| {
        operations
            .iter()
            .filter_map(|o: &GraphqlOperation| o.operation_name.clone())
            .collect::<Vec<_>>()
            .join("+")
    });
    Ok(GraphqlRequestSpec {
        name: if name.is_empty() {
            field.to_owned()
        } else {
            name
        },
        operations,
        batch: !r.batch.is_empty(),
        headers,
    })
}

/// A gRPC request of the mix: its method, and its message (`{}` unless given).
fn grpc_spec(
    r: &RequestSection,
    headers: Vec<(String, String)>,
    env: &dyn Fn(&str) -> Option<String>,
    at: &dyn Fn(&str) -> String,
    invalid: Invalid<'_>,
) -> Result<GrpcRequestSpec, ScenarioError> {
    let Some(method) = r.method.clone() else {
        return Err(invalid(
            &at("method"),
            "a gRPC request needs `method = \"package.Service/Method\"`".into(),
        ));
    };
    let message = match &r.message {
        Some(m) => json_value(m, env, &at("message"), invalid)?,
        None => serde_json::Value::Object(serde_json::Map::new()),
    };
    Ok(GrpcRequestSpec {
        name: r
            .name
            .clone()
            .unwrap_or_else(|| method.rsplit('/').next().unwrap_or(&method).to_owned()),
        method,
        message,
        metadata: headers,
    })
}

fn refuse_foreign_fields(
    protocol: Protocol,
    r: &RequestSection,
    field: &str,
    invalid: Invalid<'_>,
) -> Result<(), ScenarioError> {
    let present = [
        ("method", r.method.is_some(), [true, false, true]),
        ("path", r.path.is_some(), [true, false, false]),
        ("body", r.body.is_some(), [true, false, false]),
        ("query", r.query.is_some(), [false, true, false]),
        ("query_file", r.query_file.is_some(), [false, true, false]),
        (
            "operation_name",
            r.operation_name.is_some(),
            [false, true, false],
        ),
        ("variables", r.variables.is_some(), [false, true, false]),
        ("batch", !r.batch.is_empty(), [false, true, false]),
        ("message", r.message.is_some(), [false, false, true]),
    ];
    let column = match protocol {
        Protocol::Http => 0,
        Protocol::Graphql => 1,
        Protocol::Grpc => 2,
    };
    for (name, is_set, allowed) in present {
        if is_set && !allowed[column] {
            let owners: Vec<&str> = [Protocol::Http, Protocol::Graphql, Protocol::Grpc]
                .iter()
                .zip(allowed)
                .filter(|(_, a)| *a)
                .map(|(p, _)| p.as_str())
                .collect();
            return Err(invalid(
                &format!("{field}.{name}"),
                format!(
                    "`{name}` is not used with protocol = {:?} (it belongs to {})",
                    protocol.as_str(),
                    owners.join(" and ")
                ),
            ));
        }
    }
    Ok(())
}

fn operation(
    op: &OperationSection,
    field: &str,
    env: &dyn Fn(&str) -> Option<String>,
    dir: &Path,
    invalid: Invalid<'_>,
) -> Result<GraphqlOperation, ScenarioError> {
    let query = match (&op.query, &op.query_file) {
        (Some(q), None) => q.clone(),
        (None, Some(f)) => {
            let path = dir.join(f);
            std::fs::read_to_string(&path).map_err(|e| {
                invalid(
                    &format!("{field}.query_file"),
                    format!("{}: {e}", path.display()),
                )
            })?
        }
        (Some(_), Some(_)) => {
            return Err(invalid(
                &format!("{field}.query_file"),
                "give either `query` or `query_file`, not both".into(),
            ))
        }
        (None, None) => {
            return Err(invalid(
                &format!("{field}.query"),
                "a GraphQL operation needs `query` or `query_file`".into(),
            ))
        }
    };
    if query.trim().is_empty() {
        return Err(invalid(&format!("{field}.query"), "is empty".into()));
    }
    let variables = match &op.variables {
        Some(v) => {
            let at = format!("{field}.variables");
            let v = json_value(v, env, &at, invalid)?;
            if !v.is_object() {
                return Err(invalid(&at, "must be a table (a JSON object)".into()));
            }
            Some(v)
        }
        None => None,
    };
    Ok(GraphqlOperation {
        query,
        operation_name: op.operation_name.clone(),
        variables,
    })
}

/// A table as JSON, or a string parsed as JSON text; `${VAR}` interpolated in its strings.
fn json_value(
    value: &serde_json::Value,
    env: &dyn Fn(&str) -> Option<String>,
    field: &str,
    invalid: Invalid<'_>,
) -> Result<serde_json::Value, ScenarioError> {
    let value = match value {
        serde_json::Value::String(text) => serde_json::from_str(text)
            .map_err(|e| invalid(field, format!("not valid JSON: {e}")))?,
        other => other.clone(),
    };
    interpolate_json(value, env).map_err(|m| invalid(field, m.to_string()))
}

fn interpolate_json(
    value: serde_json::Value,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<serde_json::Value, InterpolateError> {
    use serde_json::Value;
    Ok(match value {
        Value::String(s) => Value::String(interpolate(&s, env)?),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| interpolate_json(v, env))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| Ok((k, interpolate_json(v, env)?)))
                .collect::<Result<_, InterpolateError>>()?,
        ),
        other => other,
    })
}
