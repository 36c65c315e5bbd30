//! A client of the gRPC server reflection service (`grpc.reflection.v1` and `v1alpha`, which
//! share their messages): one request and one response per stream, asking for the file that
//! defines a service and then for each import the pool still lacks. Imports of Google's
//! well-known types that the server does not serve come from protox's bundled copies.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use prost::Message;
use prost_reflect::prost_types::{FileDescriptorProto, FileDescriptorSet};
use prost_reflect::DescriptorPool;

use super::frame::{self, Deframer};
use super::schema::{Reflection, SchemaError};
use crate::driver::endpoint::Endpoint;
use crate::driver::h2::H2Conn;
use crate::driver::ErrorKind;

#[derive(Clone, PartialEq, Message)]
struct ReflectionRequest {
    #[prost(string, tag = "1")]
    host: String,
    #[prost(string, optional, tag = "3")]
    file_by_filename: Option<String>,
    #[prost(string, optional, tag = "4")]
    file_containing_symbol: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct ReflectionResponse {
    #[prost(message, optional, tag = "4")]
    file_descriptor_response: Option<FileDescriptorResponse>,
    #[prost(message, optional, tag = "7")]
    error_response: Option<ErrorResponse>,
}

#[derive(Clone, PartialEq, Message)]
struct FileDescriptorResponse {
    #[prost(bytes = "vec", repeated, tag = "1")]
    file_descriptor_proto: Vec<Vec<u8>>,
}

#[derive(Clone, PartialEq, Message)]
struct ErrorResponse {
    #[prost(int32, tag = "1")]
    error_code: i32,
    #[prost(string, tag = "2")]
    error_message: String,
}

/// Why the files of a schema could not be fetched by reflection.
#[derive(Debug, thiserror::Error)]
enum ReflectionError {
    /// A reflection service failed.
    #[error("{service}: {failed}")]
    Service { service: String, failed: Failed },
    /// No version of the reflection service is offered.
    #[error("the server offers no reflection service ({last})")]
    NoService { last: String },
    /// An import could not be fetched.
    #[error("import {name:?}: {failed}")]
    Import { name: String, failed: Failed },
    /// A well-known import (`google/protobuf/…`) the server did not send is not built in.
    #[error("{0}")]
    WellKnown(String),
    /// The server did not send an import it was asked for.
    #[error("the server did not send import {0:?}")]
    Missing(String),
    /// The files import each other.
    #[error("the server's files import each other in a cycle")]
    Cycle,
}

/// A failed reflection exchange.
#[derive(Debug)]
struct Failed {
    /// gRPC code (12 = UNIMPLEMENTED: try the next version).
    code: i32,
    message: String,
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = crate::driver::grpc_code_name(self.code);
        if self.message.is_empty() {
            f.write_str(name)
        } else {
            write!(f, "{name}: {}", self.message)
        }
    }
}

const UNIMPLEMENTED: i32 = 12;

/// Ask the server at `endpoint` for the files that define `services` (and their imports).
/// Runs on a thread of its own, so it may be called from inside or outside a tokio runtime.
pub(crate) fn fetch(
    endpoint: &Endpoint,
    target: &str,
    services: &[&str],
    version: Reflection,
    timeout: Duration,
) -> Result<DescriptorPool, SchemaError> {
    let err = |message: String| SchemaError::Reflection {
        target: target.to_owned(),
        message,
    };
    let files = super::super::block_on_local(timeout, || fetch_files(endpoint, services, version))
        .map_err(|e| err(e.to_string()))?
        .map_err(|e| err(e.to_string()))?;
    let mut pool = DescriptorPool::new();
    pool.add_file_descriptor_set(FileDescriptorSet { file: files })
        .map_err(|e| {
            err(format!(
                "the server's descriptors do not form a schema: {e}"
            ))
        })?;
    Ok(pool)
}

async fn fetch_files(
    endpoint: &Endpoint,
    services: &[&str],
    version: Reflection,
) -> Result<Vec<FileDescriptorProto>, ReflectionError> {
    let conn = H2Conn::default();
    let mut last = String::new();
    for service in version.services() {
        let mut files = BTreeMap::new();
        let mut result = Ok(());
        for symbol in services {
            let ask = ReflectionRequest {
                file_containing_symbol: Some((*symbol).to_owned()),
                ..Default::default()
            };
            result = ask_files(&conn, endpoint, service, ask, &mut files).await;
            if result.is_err() {
                break;
            }
        }
        match result {
            Ok(()) => return complete(&conn, endpoint, service, files).await,
            Err(f) if f.code == UNIMPLEMENTED => last = format!("{service}: {f}"),
            Err(failed) => {
                return Err(ReflectionError::Service {
                    service: (*service).to_owned(),
                    failed,
                })
            }
        }
    }
    Err(ReflectionError::NoService { last })
}

/// Fetch imports until every file's dependencies are present; in dependency order.
async fn complete(
    conn: &H2Conn,
    endpoint: &Endpoint,
    service: &str,
    mut files: BTreeMap<String, FileDescriptorProto>,
) -> Result<Vec<FileDescriptorProto>, ReflectionError> {
    loop {
        let missing: BTreeSet<String> = files
            .values()
            .flat_map(|f| f.dependency.iter())
            .filter(|d| !files.contains_key(*d))
            .cloned()
            .collect();
        let Some(name) = missing.into_iter().next() else {
            break;
        };
        let ask = ReflectionRequest {
            file_by_filename: Some(name.clone()),
            ..Default::default()
        };
        if let Err(failed) = ask_files(conn, endpoint, service, ask, &mut files).await {
            if !name.starts_with("google/protobuf/") {
                return Err(ReflectionError::Import { name, failed });
            }
            let mut compiler = protox::Compiler::new(Vec::<std::path::PathBuf>::new())
                .map_err(|e| ReflectionError::WellKnown(e.to_string()))?;
            compiler
                .open_file(&name)
                .map_err(|e| ReflectionError::WellKnown(format!("{e:?}")))?;
            for f in compiler.file_descriptor_set().file {
                files.entry(f.name().to_owned()).or_insert(f);
            }
        }
        if !files.contains_key(&name) {
            return Err(ReflectionError::Missing(name));
        }
    }
    // Dependencies first.
    let mut ordered = Vec::with_capacity(files.len());
    let mut done = BTreeSet::new();
    while ordered.len() < files.len() {
        let before = ordered.len();
        for (name, f) in &files {
            if !done.contains(name) && f.dependency.iter().all(|d| done.contains(d)) {
                ordered.push(f.clone());
                done.insert(name.clone());
            }
        }
        if ordered.len() == before {
            return Err(ReflectionError::Cycle);
        }
    }
    Ok(ordered)
}

async fn ask_files(
    conn: &H2Conn,
    endpoint: &Endpoint,
    service: &str,
    ask: ReflectionRequest,
    files: &mut BTreeMap<String, FileDescriptorProto>,
) -> Result<(), Failed> {
    let messages = call(conn, endpoint, service, &ask.encode_to_vec()).await?;
    let first = messages.first().ok_or_else(|| Failed {
        code: 2,
        message: "no response message".into(),
    })?;
    let resp = ReflectionResponse::decode(first.as_slice()).map_err(|e| Failed {
        code: 2,
        message: format!("undecodable response: {e}"),
    })?;
    if let Some(e) = resp.error_response {
        return Err(Failed {
            code: e.error_code,
            message: e.error_message,
        });
    }
    let list = resp.file_descriptor_response.ok_or_else(|| Failed {
        code: 2,
        message: "the response has no file descriptors".into(),
    })?;
    for bytes in list.file_descriptor_proto {
        let f = FileDescriptorProto::decode(bytes.as_slice()).map_err(|e| Failed {
            code: 2,
            message: format!("undecodable file descriptor: {e}"),
        })?;
        files.entry(f.name().to_owned()).or_insert(f);
    }
    Ok(())
}

/// One request message on a `ServerReflectionInfo` stream; the response messages.
async fn call(
    conn: &H2Conn,
    endpoint: &Endpoint,
    service: &str,
    message: &[u8],
) -> Result<Vec<Vec<u8>>, Failed> {
    let uri = format!(
        "{}://{}{}/{service}/ServerReflectionInfo",
        endpoint.scheme(),
        endpoint.authority,
        endpoint.base_path
    );
    let mut req = Request::new(Full::new(Bytes::from(frame::encode(message))));
    *req.method_mut() = http::Method::POST;
    *req.uri_mut() = uri.parse().map_err(|e| Failed {
        code: 2,
        message: format!("{uri}: {e}"),
    })?;
    let headers = req.headers_mut();
    headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/grpc"),
    );
    headers.insert("te", http::HeaderValue::from_static("trailers"));
    let resp = conn
        .send(|| endpoint.dial(), req)
        .await
        .map_err(|o| {
            let message = o.message.unwrap_or_else(|| "cannot connect".into());
            Failed {
                code: 14,
                message: if o.error == Some(ErrorKind::Connect) {
                    message
                } else {
                    format!("the target does not speak HTTP/2, which gRPC needs (h2c on http://, ALPN h2 on https://): {message}")
                },
            }
        })?;
    read(resp.0).await
}

async fn read(resp: Response<Incoming>) -> Result<Vec<Vec<u8>>, Failed> {
    let http_status = resp.status().as_u16();
    if http_status != 200 {
        return Err(Failed {
            code: frame::code_of_http(http_status),
            message: format!(
                "HTTP {http_status}: the target speaks HTTP/2 but did not answer as a gRPC server"
            ),
        });
    }
    if let Some((code, message)) = frame::status(resp.headers()) {
        return Err(Failed { code, message });
    }
    let content_type = resp
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none");
    if !content_type.starts_with("application/grpc") {
        return Err(Failed {
            code: 2,
            message: format!("the target speaks HTTP/2 but not gRPC (content-type {content_type}, not application/grpc)"),
        });
    }
    let mut body = resp.into_body();
    let mut deframer = Deframer::keeping();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| Failed {
            code: 14,
            message: e.to_string(),
        })?;
        match frame.into_data() {
            Ok(data) => {
                deframer.push(&data);
            }
            Err(frame) => {
                if let Some((code, message)) = frame.trailers_ref().and_then(frame::status) {
                    if code != 0 {
                        return Err(Failed { code, message });
                    }
                }
            }
        }
    }
    Ok(deframer.kept)
}
