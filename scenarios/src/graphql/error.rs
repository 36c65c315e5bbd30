//! Why a GraphQL request gets an error instead of data: the document does not parse
//! ([`SyntaxError`], with the tokens), cannot be executed ([`ExecError`]), or the request is malformed
//! ([`RequestError`]). Each message is what the response's `errors[].message` says.

use super::lex::SyntaxError;

/// A document that does not fit the schema (the whole response's error, `data: null`), or a
/// resolver's error (that field's, with its path).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum ExecError {
    #[error("operationName is required: the document has several")]
    OperationNameRequired,
    #[error("unknown operation named {0:?}")]
    UnknownOperation(String),
    #[error("the demo has no subscriptions")]
    NoSubscriptions,
    #[error("unknown fragment {0}")]
    UnknownFragment(String),
    #[error("@{0} needs a Boolean argument `if`")]
    DirectiveNeedsIf(String),
    #[error("unknown directive @{0}")]
    UnknownDirective(String),
    #[error("a field of type {0} needs a selection of subfields")]
    NeedsSelection(&'static str),
    #[error("{on}.{field} takes no arguments")]
    TakesNoArguments { on: &'static str, field: String },
    #[error("{on}.{field} is a scalar: no subfields")]
    Scalar { on: &'static str, field: String },
    #[error("unknown field {field} on type {on}")]
    UnknownField { field: String, on: String },
    #[error("unknown argument {arg} of {on}.{field}")]
    UnknownArgument {
        arg: String,
        on: String,
        field: String,
    },
    #[error("variable ${0} is non-null but has no value")]
    MissingVariable(String),
    #[error("${0} is not allowed in a default value")]
    VariableInDefault(String),
    /// A required argument is missing (`user needs an id`).
    #[error("{field} needs {argument}")]
    NeedsArgument {
        field: &'static str,
        argument: &'static str,
    },
    #[error("{arg} must be an ID, got {got}")]
    NotAnId { arg: String, got: String },
    #[error("{0} must be a String")]
    NotAString(String),
    #[error("limit must be an Int")]
    LimitNotInt,
    #[error("user {0} not found")]
    UserNotFound(String),
    #[error("title must not be empty")]
    EmptyTitle,
    #[error("unauthenticated: invalid token")]
    Unauthenticated,
}

/// A request body that is no GraphQL request, or a request that cannot be answered.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RequestError {
    #[error("not a GraphQL request: {0}")]
    NotJson(serde_json::Error),
    #[error("not a GraphQL request: expected an object or an array of objects")]
    NotObject,
    #[error(transparent)]
    Encode(serde_json::Error),
    #[error("persisted queries lost")]
    PersistedLost,
    #[error("the request has no query")]
    NoQuery,
    #[error("PersistedQueryNotFound")]
    PersistedQueryNotFound,
    #[error("provided sha does not match query")]
    HashMismatch,
    #[error("variables must be an object")]
    VariablesNotObject,
    #[error("syntax error: {0}")]
    Syntax(#[from] SyntaxError),
}
