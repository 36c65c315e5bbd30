//! The demo's gRPC service (`proto/demo.proto`) on tonic, served by the demo's own HTTP/2
//! connections (requests with `content-type: application/grpc`), with server reflection v1 and
//! v1alpha. Messages are hand-written prost types matching the `.proto`; the reflection
//! descriptors are compiled from the same file at start-up with protox, and a test checks that
//! both agree.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use tonic::body::Body;
use tonic::server::Grpc;
use tonic::{Code, Status};
use tonic_prost::ProstCodec;
use tower_service::Service;

use crate::config::{ConfigError, DemoError};
use crate::decision::Decision;

/// The service's `.proto` source.
pub const DEMO_PROTO: &str = include_str!("../proto/demo.proto");

pub use crate::grpc_messages::*;

/// The full name of the demo service.
pub const SERVICE: &str = "tailguard.demo.v1.Demo";

type Reply = Pin<Box<dyn Future<Output = http::Response<Body>> + Send>>;
type Handler = Box<dyn Fn(http::Request<Incoming>) -> Reply + Send + Sync>;

/// The reflection services.
pub(crate) struct Reflection {
    v1: Option<Handler>,
    v1alpha: Handler,
}

impl std::fmt::Debug for Reflection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reflection")
            .field("v1", &self.v1.is_some())
            .finish_non_exhaustive()
    }
}

impl Reflection {
    /// Reflection over the demo's `.proto` (v1 unless `legacy_only`, and v1alpha).
    pub(crate) fn new(legacy_only: bool) -> Result<Self, DemoError> {
        let bad = |e: String| DemoError::from(ConfigError::Proto(e));
        let mut compiler = protox::Compiler::with_file_resolver(EmbeddedProto);
        compiler.include_imports(true);
        compiler
            .open_file("tailguard/demo/v1/demo.proto")
            .map_err(|e| bad(format!("{e:?}")))?;
        let fds = compiler.encode_file_descriptor_set();
        let builder = || {
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(&fds)
        };
        let v1 = if legacy_only {
            None
        } else {
            Some(boxed(builder().build_v1().map_err(|e| bad(e.to_string()))?))
        };
        let v1alpha = boxed(builder().build_v1alpha().map_err(|e| bad(e.to_string()))?);
        Ok(Self { v1, v1alpha })
    }
}

/// Resolves the demo's import name to the embedded source (imports of Google's types too).
struct EmbeddedProto;

impl protox::file::FileResolver for EmbeddedProto {
    fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
        if name == "tailguard/demo/v1/demo.proto" {
            protox::file::File::from_source(name, DEMO_PROTO)
        } else {
            protox::file::GoogleFileResolver::new().open_file(name)
        }
    }
}

fn boxed<S>(svc: S) -> Handler
where
    S: Service<http::Request<Incoming>, Response = http::Response<Body>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    Box::new(move |req| {
        let mut svc = svc.clone();
        Box::pin(async move {
            match svc.call(req).await {
                Ok(r) => r,
                Err(never) => match never {},
            }
        })
    })
}

/// Whether a request is a gRPC call.
pub(crate) fn is_grpc(req: &http::Request<Incoming>) -> bool {
    req.headers()
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"))
}

/// Whether a gRPC path is a reflection call (not counted, no knobs).
pub(crate) fn is_reflection(path: &str) -> bool {
    path.starts_with("/grpc.reflection.")
}

/// Serve a reflection call.
pub(crate) async fn reflect(
    reflection: &Reflection,
    req: http::Request<Incoming>,
) -> http::Response<Body> {
    let path = req.uri().path();
    if path.starts_with("/grpc.reflection.v1alpha.") {
        (reflection.v1alpha)(req).await
    } else if let (true, Some(v1)) = (path.starts_with("/grpc.reflection.v1."), &reflection.v1) {
        v1(req).await
    } else {
        Status::unimplemented(format!("no service for {path}")).into_http()
    }
}

/// Serve a call of the demo service, paced by `decision`.
pub(crate) async fn serve(
    decision: Decision,
    req: http::Request<Incoming>,
) -> http::Response<Body> {
    let path = req.uri().path().to_owned();
    match path.strip_prefix(&format!("/{SERVICE}/")) {
        Some("GetUser") => {
            Grpc::new(ProstCodec::<User, GetUserRequest>::new())
                .unary(Call(move |r| get_user(decision.clone(), r)), req)
                .await
        }
        Some("ListPosts") => {
            Grpc::new(ProstCodec::<Post, ListPostsRequest>::new())
                .server_streaming(Call(move |r| list_posts(decision.clone(), r)), req)
                .await
        }
        Some("CreatePost") => {
            Grpc::new(ProstCodec::<Post, CreatePostRequest>::new())
                .unary(Call(move |r| create_post(decision.clone(), r)), req)
                .await
        }
        Some("Login") => {
            Grpc::new(ProstCodec::<Session, LoginRequest>::new())
                .unary(Call(move |r| login(decision.seq, r)), req)
                .await
        }
        Some("GetProfile") => {
            Grpc::new(ProstCodec::<User, GetProfileRequest>::new())
                .unary(Call(get_profile), req)
                .await
        }
        _ => Status::unimplemented(format!("no method {path}")).into_http(),
    }
}

async fn login(
    seq: u64,
    req: tonic::Request<LoginRequest>,
) -> Result<tonic::Response<Session>, Status> {
    let token = crate::auth::issue(&req.into_inner().user, seq);
    let user = crate::auth::verify(&token).unwrap_or_default();
    Ok(tonic::Response::new(Session { token, user }))
}

async fn get_profile(
    req: tonic::Request<GetProfileRequest>,
) -> Result<tonic::Response<User>, Status> {
    let token = crate::auth::token_of(&req.metadata().clone().into_headers());
    let user = token
        .as_deref()
        .and_then(crate::auth::verify)
        .ok_or_else(|| Status::unauthenticated("missing or invalid bearer token"))?;
    Ok(tonic::Response::new(User {
        id: 0,
        email: format!("{user}@example.com"),
        name: user,
    }))
}

/// A closure as the tower service tonic's handlers take.
struct Call<F>(F);

impl<F, Fut, Req, Resp> Service<tonic::Request<Req>> for Call<F>
where
    F: FnMut(tonic::Request<Req>) -> Fut,
    Fut: Future<Output = Result<tonic::Response<Resp>, Status>>,
{
    type Response = tonic::Response<Resp>;
    type Error = Status;
    type Future = Fut;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Status>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: tonic::Request<Req>) -> Fut {
        (self.0)(req)
    }
}

/// Wait for the decided completion time; an injected error becomes the knobs' status.
async fn settle(decision: &Decision) -> Result<(), Status> {
    bench_core::timer::sleep_until(decision.done).await;
    decision.served();
    if decision.fail {
        let code = Code::from_i32(decision.grpc_code.unwrap_or(Code::Unavailable as i32));
        return Err(Status::new(code, "injected error"));
    }
    Ok(())
}

async fn get_user(
    decision: Decision,
    req: tonic::Request<GetUserRequest>,
) -> Result<tonic::Response<User>, Status> {
    settle(&decision).await?;
    let id = req.into_inner().id;
    if id <= 0 {
        return Err(Status::not_found(format!("user {id} not found")));
    }
    Ok(tonic::Response::new(User {
        id,
        name: format!("user {id}"),
        email: format!("user{id}@example.com"),
    }))
}

async fn create_post(
    decision: Decision,
    req: tonic::Request<CreatePostRequest>,
) -> Result<tonic::Response<Post>, Status> {
    settle(&decision).await?;
    let r = req.into_inner();
    if r.title.is_empty() {
        return Err(Status::invalid_argument("title must not be empty"));
    }
    Ok(tonic::Response::new(Post {
        id: decision.seq as i64,
        user_id: r.user_id,
        title: r.title,
        body: r.body,
    }))
}

type PostStream = Pin<Box<dyn futures_util::Stream<Item = Result<Post, Status>> + Send>>;

async fn list_posts(
    decision: Decision,
    req: tonic::Request<ListPostsRequest>,
) -> Result<tonic::Response<PostStream>, Status> {
    let r = req.into_inner();
    let interval = Duration::from_millis(u64::from(r.interval_ms));
    let start = decision.done;
    let settled = settle(&decision).await;
    let stream = futures_util::stream::unfold((0u32, settled), move |(i, settled)| async move {
        if let Err(status) = settled {
            // The error ends the stream after no messages.
            return (i == 0).then(|| (Err(status), (1, Ok(()))));
        }
        if i >= r.limit {
            return None;
        }
        let due: Instant = start + interval * i;
        bench_core::timer::sleep_until(due).await;
        let post = Post {
            id: i64::from(i) + 1,
            user_id: r.user_id,
            title: format!("post {}", i + 1),
            body: "tailguard".into(),
        };
        Some((Ok(post), (i + 1, Ok(()))))
    });
    Ok(tonic::Response::new(Box::pin(stream)))
}

#[cfg(test)]
mod tests {
    use prost::Message as _;
    use prost_reflect::{DescriptorPool, DynamicMessage};

    use super::*;

    /// The hand-written messages agree with `demo.proto`: each encodes to bytes that the
    /// descriptor decodes to the same fields, and back.
    #[test]
    fn hand_written_messages_match_the_proto() {
        let mut compiler = protox::Compiler::with_file_resolver(EmbeddedProto);
        compiler.open_file("tailguard/demo/v1/demo.proto").unwrap();
        let pool: DescriptorPool = compiler.descriptor_pool();
        let desc = |name: &str| {
            pool.get_message_by_name(&format!("tailguard.demo.v1.{name}"))
                .unwrap()
        };
        let check = |name: &str, bytes: Vec<u8>, json: serde_json::Value| {
            let dynamic = DynamicMessage::decode(desc(name), bytes.as_slice()).unwrap();
            let back = serde_json::to_value(&dynamic).unwrap();
            assert_eq!(back, json, "{name}");
            assert_eq!(dynamic.encode_to_vec(), bytes, "{name}");
        };
        check(
            "GetUserRequest",
            GetUserRequest { id: 7 }.encode_to_vec(),
            serde_json::json!({"id": "7"}),
        );
        let user = User {
            id: 1,
            name: "a".into(),
            email: "b".into(),
        };
        check(
            "User",
            user.encode_to_vec(),
            serde_json::json!({"id": "1", "name": "a", "email": "b"}),
        );
        let list = ListPostsRequest {
            user_id: 2,
            limit: 3,
            interval_ms: 4,
        };
        check(
            "ListPostsRequest",
            list.encode_to_vec(),
            serde_json::json!({"userId": "2", "limit": 3, "intervalMs": 4}),
        );
        let post = Post {
            id: 1,
            user_id: 2,
            title: "t".into(),
            body: "b".into(),
        };
        check(
            "Post",
            post.encode_to_vec(),
            serde_json::json!({"id": "1", "userId": "2", "title": "t", "body": "b"}),
        );
        let create = CreatePostRequest {
            user_id: 2,
            title: "t".into(),
            body: "b".into(),
        };
        check(
            "CreatePostRequest",
            create.encode_to_vec(),
            serde_json::json!({"userId": "2", "title": "t", "body": "b"}),
        );
        let svc = pool.get_service_by_name(SERVICE).unwrap();
        let methods: Vec<String> = svc.methods().map(|m| m.name().to_owned()).collect();
        assert_eq!(
            methods,
            ["GetUser", "ListPosts", "CreatePost", "Login", "GetProfile"]
        );
        let session = Session {
            token: "t".into(),
            user: "u".into(),
        };
        check(
            "Session",
            session.encode_to_vec(),
            serde_json::json!({"token": "t", "user": "u"}),
        );
        check(
            "LoginRequest",
            LoginRequest { user: "u".into() }.encode_to_vec(),
            serde_json::json!({"user": "u"}),
        );
    }
}
