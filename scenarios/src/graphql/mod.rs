//! The demo's GraphQL endpoint (`POST /graphql`): users and posts ([`resolve`] has the schema),
//! batched requests (JSON arrays) and Apollo persisted queries (APQ). The knobs pace the whole
//! HTTP request; an injected error is answered the way GraphQL servers fail, HTTP 200 with
//! `data: null` and an `errors` array.
//!
//! The executor is the demo's own, small (a parser of executable documents and the resolvers of
//! a four-type schema): a GraphQL server library would more than double the crates that the
//! embedded demo adds to `tailguard` (docs/benchmarks.md, "build size and time").

mod error;
mod lex;
mod parse;
mod resolve;

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};

use self::error::RequestError;

/// Persisted-query documents remembered (oldest forgotten first).
const PERSISTED_CAPACITY: usize = 1024;

/// The demo schema's state: the persisted-query documents, by SHA-256 (hex).
#[derive(Debug, Default)]
pub(crate) struct DemoSchema {
    persisted: Mutex<(HashMap<String, String>, VecDeque<String>)>,
}

/// The schema, with persisted queries.
pub(crate) fn schema() -> DemoSchema {
    DemoSchema::default()
}

/// The HTTP response body of a GraphQL request: executed, or the injected failure; an error when
/// the body is not a GraphQL request (answered 400).
pub(crate) async fn execute(
    schema: &DemoSchema,
    body: &[u8],
    seq: u64,
    fail: bool,
) -> Result<Vec<u8>, RequestError> {
    let request: Json = serde_json::from_slice(body).map_err(RequestError::NotJson)?;
    let one = |r: &Json| match r {
        Json::Object(r) if fail => {
            Ok(json!({"data": null, "errors": [{"message": "injected error"}]}))
        }
        Json::Object(r) => Ok(schema.answer(r, seq)),
        _ => Err(RequestError::NotObject),
    };
    let response = match &request {
        Json::Array(batch) => Json::Array(batch.iter().map(one).collect::<Result<_, _>>()?),
        single => one(single)?,
    };
    serde_json::to_vec(&response).map_err(RequestError::Encode)
}

impl DemoSchema {
    /// The response object of one request `{query, operationName, variables, extensions}`.
    fn answer(&self, r: &Map<String, Json>, seq: u64) -> Json {
        let error = |e: RequestError| json!({"data": null, "errors": [{"message": e.to_string()}]});
        let query = match self.document(r) {
            Ok(q) => q,
            Err(e) => return error(e),
        };
        let doc = match parse::parse(&query) {
            Ok(d) => d,
            Err(e) => return error(e.into()),
        };
        let operation = r.get("operationName").and_then(Json::as_str);
        let empty = Map::new();
        let vars = match r.get("variables") {
            None | Some(Json::Null) => &empty,
            Some(Json::Object(v)) => v,
            Some(_) => return error(RequestError::VariablesNotObject),
        };
        resolve::respond(&doc, operation, vars, seq)
    }

    /// The query text: given, or remembered by its persisted-query hash. A query given with a
    /// hash is remembered when the hash is its SHA-256.
    fn document(&self, r: &Map<String, Json>) -> Result<String, RequestError> {
        let query = r.get("query").and_then(Json::as_str);
        let hash = r
            .get("extensions")
            .and_then(|e| e.get("persistedQuery"))
            .and_then(|p| p.get("sha256Hash"))
            .and_then(Json::as_str);
        let mut store = self
            .persisted
            .lock()
            .map_err(|_| RequestError::PersistedLost)?;
        let (by_hash, order) = &mut *store;
        match (query, hash) {
            (Some(q), None) => Ok(q.to_owned()),
            (None, None) => Err(RequestError::NoQuery),
            (None, Some(h)) => by_hash
                .get(h)
                .cloned()
                .ok_or(RequestError::PersistedQueryNotFound),
            (Some(q), Some(h)) => {
                let digest = crate::auth::hex(&Sha256::digest(q.as_bytes()));
                if digest != h {
                    return Err(RequestError::HashMismatch);
                }
                if by_hash.insert(h.to_owned(), q.to_owned()).is_none() {
                    order.push_back(h.to_owned());
                    if order.len() > PERSISTED_CAPACITY {
                        if let Some(old) = order.pop_front() {
                            by_hash.remove(&old);
                        }
                    }
                }
                Ok(q.to_owned())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(schema: &DemoSchema, body: Json) -> Json {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let bytes = rt
            .block_on(execute(schema, body.to_string().as_bytes(), 7, false))
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn queries_mutations_and_their_errors() {
        let s = schema();
        let q = "query U($id: ID!) { user(id: $id) { id name ...E } __typename } \
                 fragment E on User { mail: email }";
        assert_eq!(
            post(&s, json!({"query": q, "variables": {"id": 3}})),
            json!({"data": {"user": {"id": "3", "name": "user 3", "mail": "user3@example.com"}, "__typename": "Query"}})
        );
        let r = post(&s, json!({"query": q, "variables": {"id": "-1"}}));
        assert_eq!(r["data"]["user"], Json::Null);
        assert_eq!(r["errors"][0]["message"], "user -1 not found");
        assert_eq!(r["errors"][0]["path"], json!(["user"]));
        let r = post(
            &s,
            json!({"query": "query($n: Int = 2) { posts(limit: $n) { id @skip(if: true) title } }"}),
        );
        assert_eq!(
            r,
            json!({"data": {"posts": [{"title": "post 1"}, {"title": "post 2"}]}})
        );
        let m = "mutation { createPost(userId: 1, title: \"t\", body: \"b\") { id userId } }";
        assert_eq!(
            post(&s, json!({"query": m})),
            json!({"data": {"createPost": {"id": "7", "userId": "1"}}})
        );
        let m = "mutation { createPost(userId: 1, title: \"\", body: \"b\") { id } }";
        assert_eq!(
            post(&s, json!({"query": m}))["errors"][0]["message"],
            "title must not be empty"
        );
    }

    #[test]
    fn documents_that_do_not_fit_null_the_data() {
        let s = schema();
        for (q, vars, says) in [
            ("{ nope }", json!({}), "unknown field nope"),
            ("{ user(id: 1) }", json!({}), "needs a selection"),
            ("{ user(id: 1) { id { x } } }", json!({}), "scalar"),
            (
                "{ user(id: 1, x: 2) { id } }",
                json!({}),
                "unknown argument x",
            ),
            (
                "query($id: ID!) { user(id: $id) { id } }",
                json!({}),
                "$id is non-null",
            ),
            (
                "query A { posts { id } } query B { posts { id } }",
                json!({}),
                "operationName is required",
            ),
            ("{ posts { id ", json!({}), "syntax error"),
        ] {
            let r = post(&s, json!({"query": q, "variables": vars}));
            assert_eq!(r["data"], Json::Null, "{q}");
            let message = r["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(says), "{q}: {message}");
        }
    }

    #[test]
    fn persisted_queries_register_by_their_hash() {
        let s = schema();
        let q = "{ posts(limit: 1) { id } }";
        let hash = crate::auth::hex(&Sha256::digest(q.as_bytes()));
        let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});
        let r = post(&s, json!({"extensions": ext}));
        assert_eq!(r["errors"][0]["message"], "PersistedQueryNotFound");
        let r = post(&s, json!({"query": "{ posts { id } }", "extensions": ext}));
        assert_eq!(
            r["errors"][0]["message"],
            "provided sha does not match query"
        );
        assert_eq!(
            post(&s, json!({"query": q, "extensions": ext}))["data"]["posts"][0]["id"],
            "1"
        );
        assert_eq!(
            post(&s, json!([{"extensions": ext}, {"query": q}]))[0]["data"]["posts"][0]["id"],
            "1"
        );
    }
}
