//! The demo's GraphQL endpoint (`POST /graphql`) on async-graphql: users and posts, batched
//! requests (JSON arrays) and Apollo persisted queries. The knobs pace the whole HTTP request; an
//! injected error is answered the way GraphQL servers fail, HTTP 200 with `data: null` and an
//! `errors` array.

use async_graphql::extensions::apollo_persisted_queries::{
    ApolloPersistedQueries, LruCacheStorage,
};
use async_graphql::{
    BatchRequest, Context, EmptySubscription, Error, Object, Schema, SimpleObject, ID,
};

/// The demo schema.
pub(crate) type DemoSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema, with persisted queries (up to 1,024 documents remembered).
pub(crate) fn schema() -> DemoSchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .extension(ApolloPersistedQueries::new(LruCacheStorage::new(1024)))
        .finish()
}

/// A user.
#[derive(SimpleObject)]
pub(crate) struct User {
    id: ID,
    name: String,
    email: String,
}

/// A post.
#[derive(SimpleObject)]
pub(crate) struct Post {
    id: ID,
    user_id: ID,
    title: String,
    body: String,
}

/// Queries.
pub(crate) struct Query;

#[Object]
impl Query {
    /// A user; ids that are not positive integers are an error ("user … not found").
    async fn user(&self, id: ID) -> Result<Option<User>, Error> {
        match id.parse::<i64>() {
            Ok(n) if n > 0 => Ok(Some(User {
                name: format!("user {n}"),
                email: format!("user{n}@example.com"),
                id,
            })),
            _ => Err(Error::new(format!("user {} not found", id.as_str()))),
        }
    }

    /// The latest `limit` posts (default 10, at most 100), of one user when `userId` is given.
    async fn posts(&self, user_id: Option<ID>, limit: Option<i32>) -> Vec<Post> {
        let n = limit.unwrap_or(10).clamp(0, 100);
        (1..=n)
            .map(|i| Post {
                id: ID(i.to_string()),
                user_id: user_id.clone().unwrap_or_else(|| ID("1".into())),
                title: format!("post {i}"),
                body: "tailguard".into(),
            })
            .collect()
    }
}

/// Mutations.
pub(crate) struct Mutation;

#[Object]
impl Mutation {
    /// Create a post (nothing is stored); an empty title is an error.
    async fn create_post(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        title: String,
        body: String,
    ) -> Result<Post, Error> {
        if title.is_empty() {
            return Err(Error::new("title must not be empty"));
        }
        let seq = ctx.data_opt::<u64>().copied().unwrap_or(0);
        Ok(Post {
            id: ID(seq.to_string()),
            user_id,
            title,
            body,
        })
    }
}

/// The HTTP response body of a GraphQL request: executed, or the injected failure; an error when
/// the body is not a GraphQL request (answered 400).
pub(crate) async fn execute(
    schema: &DemoSchema,
    body: &[u8],
    seq: u64,
    fail: bool,
) -> Result<Vec<u8>, String> {
    let batch: BatchRequest =
        serde_json::from_slice(body).map_err(|e| format!("not a GraphQL request: {e}"))?;
    if fail {
        let one = r#"{"data":null,"errors":[{"message":"injected error"}]}"#;
        return Ok(match batch {
            BatchRequest::Single(_) => one.as_bytes().to_vec(),
            BatchRequest::Batch(list) => {
                format!("[{}]", vec![one; list.len()].join(",")).into_bytes()
            }
        });
    }
    let batch = match batch {
        BatchRequest::Single(r) => BatchRequest::Single(r.data(seq)),
        BatchRequest::Batch(list) => {
            BatchRequest::Batch(list.into_iter().map(|r| r.data(seq)).collect())
        }
    };
    serde_json::to_vec(&schema.execute_batch(batch).await).map_err(|e| e.to_string())
}
