//! The demo gRPC service's messages, hand-written prost types matching `proto/demo.proto` (a test
//! in `grpc.rs` checks that they agree).

/// `GetUserRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetUserRequest {
    /// User id.
    #[prost(int64, tag = "1")]
    pub id: i64,
}

/// `User`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct User {
    /// Id.
    #[prost(int64, tag = "1")]
    pub id: i64,
    /// Name.
    #[prost(string, tag = "2")]
    pub name: String,
    /// E-mail.
    #[prost(string, tag = "3")]
    pub email: String,
}

/// `ListPostsRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListPostsRequest {
    /// Author.
    #[prost(int64, tag = "1")]
    pub user_id: i64,
    /// Posts to stream.
    #[prost(uint32, tag = "2")]
    pub limit: u32,
    /// Pause between posts.
    #[prost(uint32, tag = "3")]
    pub interval_ms: u32,
}

/// `Post`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Post {
    /// Id.
    #[prost(int64, tag = "1")]
    pub id: i64,
    /// Author.
    #[prost(int64, tag = "2")]
    pub user_id: i64,
    /// Title.
    #[prost(string, tag = "3")]
    pub title: String,
    /// Text.
    #[prost(string, tag = "4")]
    pub body: String,
}

/// `CreatePostRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreatePostRequest {
    /// Author.
    #[prost(int64, tag = "1")]
    pub user_id: i64,
    /// Title.
    #[prost(string, tag = "2")]
    pub title: String,
    /// Text.
    #[prost(string, tag = "3")]
    pub body: String,
}

/// `LoginRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct LoginRequest {
    /// User name.
    #[prost(string, tag = "1")]
    pub user: String,
}

/// `Session`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Session {
    /// The token to send as `authorization: Bearer TOKEN`.
    #[prost(string, tag = "1")]
    pub token: String,
    /// User name.
    #[prost(string, tag = "2")]
    pub user: String,
}

/// `GetProfileRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetProfileRequest {}
