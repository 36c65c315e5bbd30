//! Where the message types come from: `.proto` files compiled at run time by protox (no `protoc`),
//! or the server's reflection service. Either way the result is a prost-reflect
//! [`DescriptorPool`], from which methods are looked up by their full name
//! (`package.Service/Method`) and messages are built dynamically from JSON.

use std::path::PathBuf;

use prost_reflect::{DescriptorPool, MethodDescriptor};
use serde::{Deserialize, Serialize};

/// Reflection protocol versions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reflection {
    /// `grpc.reflection.v1`, falling back to `v1alpha` when the server lacks it.
    #[default]
    Auto,
    /// `grpc.reflection.v1` only.
    V1,
    /// `grpc.reflection.v1alpha` only (older servers).
    V1alpha,
}

impl Reflection {
    /// The service paths to try, in order.
    pub(crate) fn services(self) -> &'static [&'static str] {
        const V1: &str = "grpc.reflection.v1.ServerReflection";
        const V1ALPHA: &str = "grpc.reflection.v1alpha.ServerReflection";
        match self {
            Self::Auto => &[V1, V1ALPHA],
            Self::V1 => &[V1],
            Self::V1alpha => &[V1ALPHA],
        }
    }
}

/// Where the schema comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaSource {
    /// `.proto` files, with the directories their imports are resolved in.
    Protos {
        /// Files to compile (each must lie under one of `import_paths`).
        files: Vec<PathBuf>,
        /// Import directories.
        import_paths: Vec<PathBuf>,
    },
    /// The target's reflection service.
    Reflection(Reflection),
}

impl Default for SchemaSource {
    fn default() -> Self {
        Self::Reflection(Reflection::Auto)
    }
}

/// Errors obtaining a schema or a method; each names the file or method.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// A `.proto` file does not compile.
    #[error("{0}")]
    Proto(String),
    /// Reflection failed.
    #[error("reflection at {target}: {message}")]
    Reflection {
        /// The target asked.
        target: String,
        /// What went wrong.
        message: String,
    },
    /// The method is not written `package.Service/Method`.
    #[error("method {0:?} is not written as package.Service/Method")]
    MethodSyntax(String),
    /// The service is unknown.
    #[error("method {method:?}: no service {service:?} in the schema (services: {known})")]
    UnknownService {
        /// Method as written.
        method: String,
        /// Service name.
        service: String,
        /// Services the schema has.
        known: String,
    },
    /// The service has no such method.
    #[error("method {method:?}: service {service} has no method {name:?} (methods: {known})")]
    UnknownMethod {
        /// Method as written.
        method: String,
        /// Service name.
        service: String,
        /// Method name.
        name: String,
        /// Methods the service has.
        known: String,
    },
    /// Client-streaming and bidirectional methods cannot be load-tested yet.
    #[error("method {0:?} streams requests from the client; only unary and server-streaming methods are supported")]
    ClientStreaming(String),
}

/// Compile `.proto` files with protox; errors name the file, line and column.
pub fn compile(files: &[PathBuf], import_paths: &[PathBuf]) -> Result<DescriptorPool, SchemaError> {
    let includes: Vec<PathBuf> = if import_paths.is_empty() {
        files
            .iter()
            .filter_map(|f| f.parent().map(std::path::Path::to_path_buf))
            .collect()
    } else {
        import_paths.to_vec()
    };
    let mut compiler = protox::Compiler::new(&includes).map_err(|e| proto_error(&e))?;
    compiler.include_imports(true);
    for f in files {
        compiler.open_file(f).map_err(|e| proto_error(&e))?;
    }
    Ok(compiler.descriptor_pool())
}

fn proto_error(e: &protox::Error) -> SchemaError {
    // The Debug form carries `file:line:column: message`.
    let text = format!("{e:?}");
    match e.file() {
        Some(file) if !text.contains(file) => SchemaError::Proto(format!("{file}: {text}")),
        _ => SchemaError::Proto(text),
    }
}

/// Split `package.Service/Method` (a leading `/` is accepted).
pub(crate) fn split_method(method: &str) -> Result<(&str, &str), SchemaError> {
    let m = method.trim_start_matches('/');
    match m.split_once('/') {
        Some((service, name)) if !service.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok((service, name))
        }
        _ => Err(SchemaError::MethodSyntax(method.to_owned())),
    }
}

/// Find `package.Service/Method` in `pool`.
pub fn find_method(pool: &DescriptorPool, method: &str) -> Result<MethodDescriptor, SchemaError> {
    let (service, name) = split_method(method)?;
    let svc = pool.get_service_by_name(service).ok_or_else(|| {
        let known: Vec<String> = pool.services().map(|s| s.full_name().to_owned()).collect();
        SchemaError::UnknownService {
            method: method.to_owned(),
            service: service.to_owned(),
            known: if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            },
        }
    })?;
    let found = svc.methods().find(|m| m.name() == name).ok_or_else(|| {
        let known: Vec<String> = svc.methods().map(|m| m.name().to_owned()).collect();
        SchemaError::UnknownMethod {
            method: method.to_owned(),
            service: service.to_owned(),
            name: name.to_owned(),
            known: known.join(", "),
        }
    })?;
    if found.is_client_streaming() {
        return Err(SchemaError::ClientStreaming(method.to_owned()));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_syntax() {
        assert_eq!(split_method("a.B/C").unwrap(), ("a.B", "C"));
        assert_eq!(split_method("/a.B/C").unwrap(), ("a.B", "C"));
        for bad in ["a.B", "a.B/", "/C", "a/b/c", ""] {
            assert!(split_method(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn compile_errors_name_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("broken.proto");
        std::fs::write(&p, "syntax = \"proto3\";\nmessage A {\n  int32 x = ;\n}\n").unwrap();
        let e = compile(&[p], &[]).unwrap_err().to_string();
        assert!(e.contains("broken.proto:3:"), "{e}");
        let e = compile(&[dir.path().join("missing.proto")], &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.proto"), "{e}");
    }

    #[test]
    fn finds_methods_and_names_the_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.proto");
        std::fs::write(
            &p,
            "syntax = \"proto3\";\npackage p;\nmessage M {}\nservice S {\n  rpc Get(M) returns (M);\n  rpc Up(stream M) returns (M);\n}\n",
        )
        .unwrap();
        let pool = compile(&[p], &[]).unwrap();
        assert_eq!(find_method(&pool, "p.S/Get").unwrap().name(), "Get");
        let e = find_method(&pool, "p.S/Nope").unwrap_err().to_string();
        assert!(e.contains("no method \"Nope\" (methods: Get, Up)"), "{e}");
        let e = find_method(&pool, "q.S/Get").unwrap_err().to_string();
        assert!(
            e.contains("no service \"q.S\" in the schema (services: p.S)"),
            "{e}"
        );
        assert!(matches!(
            find_method(&pool, "p.S/Up"),
            Err(SchemaError::ClientStreaming(_))
        ));
    }
}
