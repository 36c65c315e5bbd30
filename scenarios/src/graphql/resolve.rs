//! Execution of a parsed document against the demo schema:
//!
//! ```graphql
//! type Query { user(id: ID!): User  posts(userId: ID, limit: Int): [Post!]!  me(token: String!): User }
//! type Mutation { createPost(userId: ID!, title: String!, body: String!): Post!  login(user: String!): Session! }
//! type Session { token: String! user: String! }
//! type User { id: ID! name: String! email: String! }
//! type Post { id: ID! userId: ID! title: String! body: String! }
//! ```
//!
//! A document that does not fit the schema (unknown field or argument, wrong type, missing
//! variable) is a request error: `data` is null. A resolver's own error (`user(id: "0")`, an empty
//! title) nulls that field and adds an error with its path, as GraphQL servers do.

use serde_json::{json, Map, Value as Json};

use super::error::ExecError;
use super::parse::{Directive, Document, Operation, Selection, Value};

type Obj = Map<String, Json>;

/// The response object (`data`, `errors`) of one operation of `doc`.
pub(crate) fn respond(doc: &Document, operation: Option<&str>, vars: &Obj, seq: u64) -> Json {
    let mut exec = Exec {
        doc,
        vars: Obj::new(),
        seq,
        errors: Vec::new(),
    };
    match exec.run(operation, vars) {
        Ok(data) if exec.errors.is_empty() => json!({ "data": data }),
        Ok(data) => json!({ "data": data, "errors": exec.errors }),
        Err(e) => json!({ "data": null, "errors": [{ "message": e.to_string() }] }),
    }
}

struct Exec<'a> {
    doc: &'a Document,
    vars: Obj,
    seq: u64,
    errors: Vec<Json>,
}

impl Exec<'_> {
    fn run(&mut self, name: Option<&str>, given: &Obj) -> Result<Json, ExecError> {
        let ops = &self.doc.operations;
        let op = match name {
            Some(n) => ops.iter().find(|o| o.name.as_deref() == Some(n)),
            None if ops.len() == 1 => ops.first(),
            None => return Err(ExecError::OperationNameRequired),
        }
        .ok_or_else(|| ExecError::UnknownOperation(name.unwrap_or_default().to_owned()))?;
        self.vars = coerce_variables(op, given)?;
        let root = match op.kind.as_str() {
            "query" => "Query",
            "mutation" => "Mutation",
            _ => return Err(ExecError::NoSubscriptions),
        };
        let mut data = Obj::new();
        for (key, name, args, selection) in self.collect(root, &op.selection)? {
            let value = if name == "__typename" {
                json!(root)
            } else {
                let args = self.arguments(&args)?;
                match root_field(root, &name, &args, self.seq)? {
                    Ok(object) => self.complete(object, &selection)?,
                    Err(e) => {
                        self.errors
                            .push(json!({ "message": e.to_string(), "path": [key] }));
                        Json::Null
                    }
                }
            };
            data.insert(key, value);
        }
        Ok(Json::Object(data))
    }

    /// The fields selected on an object of type `on`, fragments and directives applied:
    /// (response key, field name, arguments, sub-selection).
    #[allow(clippy::type_complexity)]
    fn collect(
        &self,
        on: &str,
        set: &[Selection],
    ) -> Result<Vec<(String, String, Vec<(String, Value)>, Vec<Selection>)>, ExecError> {
        let mut out = Vec::new();
        for s in set {
            match s {
                Selection::Field {
                    alias,
                    name,
                    args,
                    directives,
                    selection,
                } => {
                    if self.included(directives)? {
                        let key = alias.clone().unwrap_or_else(|| name.clone());
                        out.push((key, name.clone(), args.clone(), selection.clone()));
                    }
                }
                Selection::Spread { name, directives } => {
                    let f = self.doc.fragments.get(name);
                    let f = f.ok_or_else(|| ExecError::UnknownFragment(name.clone()))?;
                    if self.included(directives)? && f.on == on {
                        out.extend(self.collect(on, &f.selection)?);
                    }
                }
                Selection::Inline {
                    on: cond,
                    directives,
                    selection,
                } => {
                    if self.included(directives)? && cond.as_deref().is_none_or(|c| c == on) {
                        out.extend(self.collect(on, selection)?);
                    }
                }
            }
        }
        Ok(out)
    }

    /// `@skip(if:)` and `@include(if:)`.
    fn included(&self, directives: &[Directive]) -> Result<bool, ExecError> {
        let mut keep = true;
        for d in directives {
            let flag = match self.arguments(&d.args)?.get("if") {
                Some(Json::Bool(b)) => *b,
                _ => return Err(ExecError::DirectiveNeedsIf(d.name.clone())),
            };
            keep &= match d.name.as_str() {
                "skip" => !flag,
                "include" => flag,
                other => return Err(ExecError::UnknownDirective(other.to_owned())),
            };
        }
        Ok(keep)
    }

    fn arguments(&self, args: &[(String, Value)]) -> Result<Obj, ExecError> {
        args.iter()
            .map(|(k, v)| Ok((k.clone(), self.value(v)?)))
            .collect()
    }

    fn value(&self, v: &Value) -> Result<Json, ExecError> {
        Ok(match v {
            Value::Var(name) => self.vars.get(name).cloned().unwrap_or(Json::Null),
            Value::List(items) => Json::Array(
                items
                    .iter()
                    .map(|i| self.value(i))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(fields) => Json::Object(self.arguments(fields)?),
            other => constant(other)?,
        })
    }

    /// An object (or list of them) as the selection asks; `typename` names its type.
    fn complete(
        &mut self,
        value: (&'static str, Json),
        selection: &[Selection],
    ) -> Result<Json, ExecError> {
        let (typename, value) = value;
        match value {
            Json::Array(items) => items
                .into_iter()
                .map(|i| self.complete((typename, i), selection))
                .collect::<Result<_, _>>()
                .map(Json::Array),
            Json::Object(fields) => {
                if selection.is_empty() {
                    return Err(ExecError::NeedsSelection(typename));
                }
                let mut out = Obj::new();
                for (key, name, args, sub) in self.collect(typename, selection)? {
                    if !args.is_empty() {
                        return Err(ExecError::TakesNoArguments {
                            on: typename,
                            field: name,
                        });
                    }
                    if !sub.is_empty() {
                        return Err(ExecError::Scalar {
                            on: typename,
                            field: name,
                        });
                    }
                    let v = if name == "__typename" {
                        json!(typename)
                    } else {
                        fields
                            .get(&name)
                            .cloned()
                            .ok_or_else(|| ExecError::UnknownField {
                                field: name.clone(),
                                on: typename.to_owned(),
                            })?
                    };
                    out.insert(key, v);
                }
                Ok(Json::Object(out))
            }
            other => Ok(other),
        }
    }
}

/// The operation's variables: given values, else defaults; a missing non-null one is an error.
fn coerce_variables(op: &Operation, given: &Obj) -> Result<Obj, ExecError> {
    let mut out = Obj::new();
    for def in &op.vars {
        let value = match (given.get(&def.name), &def.default) {
            (Some(v), _) => v.clone(),
            (None, Some(d)) => constant(d)?,
            (None, None) => Json::Null,
        };
        if def.required && value.is_null() {
            return Err(ExecError::MissingVariable(def.name.clone()));
        }
        out.insert(def.name.clone(), value);
    }
    Ok(out)
}

fn constant(v: &Value) -> Result<Json, ExecError> {
    Ok(match v {
        Value::Null => Json::Null,
        Value::Int(n) => json!(n),
        Value::Float(f) => json!(f),
        Value::Str(s) | Value::Enum(s) => json!(s),
        Value::Bool(b) => json!(b),
        Value::List(items) => Json::Array(items.iter().map(constant).collect::<Result<_, _>>()?),
        Value::Object(fields) => Json::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), constant(v)?)))
                .collect::<Result<_, ExecError>>()?,
        ),
        Value::Var(name) => return Err(ExecError::VariableInDefault(name.clone())),
    })
}

/// A root field: `Ok(Ok(value))` resolved, `Ok(Err(message))` the resolver's error, `Err` a
/// document that does not fit the schema.
fn root_field(
    root: &str,
    name: &str,
    args: &Obj,
    seq: u64,
) -> Result<Result<(&'static str, Json), ExecError>, ExecError> {
    let known: &[&str] = match (root, name) {
        ("Query", "user") => &["id"],
        ("Query", "posts") => &["userId", "limit"],
        ("Mutation", "createPost") => &["userId", "title", "body"],
        ("Query", "me") => &["token"],
        ("Mutation", "login") => &["user"],
        _ => {
            return Err(ExecError::UnknownField {
                field: name.to_owned(),
                on: root.to_owned(),
            })
        }
    };
    if let Some(session) = session_field(name, args, seq) {
        return session.map(Ok).or_else(|e| Ok(Err(e)));
    }
    if let Some(bad) = args.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ExecError::UnknownArgument {
            arg: bad.clone(),
            on: root.to_owned(),
            field: name.to_owned(),
        });
    }
    Ok(match name {
        "user" => {
            let id = id(args, "id")?.ok_or(ExecError::NeedsArgument {
                field: "user",
                argument: "an id",
            })?;
            match id.parse::<i64>() {
                Ok(n) if n > 0 => Ok((
                    "User",
                    json!({ "id": id, "name": format!("user {n}"), "email": format!("user{n}@example.com") }),
                )),
                _ => Err(ExecError::UserNotFound(id)),
            }
        }
        "posts" => {
            let user = id(args, "userId")?.unwrap_or_else(|| "1".into());
            let limit = match args.get("limit") {
                None | Some(Json::Null) => 10,
                Some(v) => v
                    .as_i64()
                    .filter(|n| i32::try_from(*n).is_ok())
                    .ok_or(ExecError::LimitNotInt)?,
            };
            let posts = (1..=limit.clamp(0, 100))
                .map(|i| json!({ "id": i.to_string(), "userId": user, "title": format!("post {i}"), "body": "tailguard" }))
                .collect();
            Ok(("Post", Json::Array(posts)))
        }
        _ => {
            let user = id(args, "userId")?.ok_or(ExecError::NeedsArgument {
                field: "createPost",
                argument: "a userId",
            })?;
            let title = string(args, "title")?;
            let body = string(args, "body")?;
            if title.is_empty() {
                Err(ExecError::EmptyTitle)
            } else {
                Ok((
                    "Post",
                    json!({ "id": seq.to_string(), "userId": user, "title": title, "body": body }),
                ))
            }
        }
    })
}

/// The session fields (`login`, `me`; `auth.rs`): `None` for the others.
fn session_field(
    name: &str,
    args: &Obj,
    seq: u64,
) -> Option<Result<(&'static str, Json), ExecError>> {
    Some(match name {
        "login" => string(args, "user").map(|user| {
            let token = crate::auth::issue(&user, seq);
            let user = crate::auth::verify(&token).unwrap_or_default();
            ("Session", json!({ "token": token, "user": user }))
        }),
        "me" => string(args, "token").and_then(|token| {
            let user = crate::auth::verify(&token).ok_or(ExecError::Unauthenticated)?;
            let user_json =
                json!({ "id": "0", "name": user, "email": format!("{user}@example.com") });
            Ok(("User", user_json))
        }),
        _ => return None,
    })
}

/// An `ID` argument (a string or an integer), if given.
fn id(args: &Obj, name: &str) -> Result<Option<String>, ExecError> {
    match args.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(Json::Number(n)) if n.is_i64() => Ok(Some(n.to_string())),
        Some(v) => Err(ExecError::NotAnId {
            arg: name.to_owned(),
            got: v.to_string(),
        }),
    }
}

fn string(args: &Obj, name: &str) -> Result<String, ExecError> {
    match args.get(name) {
        Some(Json::String(s)) => Ok(s.clone()),
        _ => Err(ExecError::NotAString(name.to_owned())),
    }
}
