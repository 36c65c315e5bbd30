//! The executable documents the demo answers: operations (query, mutation, the `{…}` shorthand)
//! with variable definitions and defaults, fields with aliases, arguments and directives, named
//! fragments and inline fragments. Type references are read for `!` only.

use std::collections::HashMap;

use super::lex::{lex, SyntaxError, Tok};

/// An input value as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Var(String),
    Null,
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Enum(String),
    List(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// `@name(args)`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Directive {
    pub name: String,
    pub args: Vec<(String, Value)>,
}

/// One selection of a selection set.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Selection {
    Field {
        alias: Option<String>,
        name: String,
        args: Vec<(String, Value)>,
        directives: Vec<Directive>,
        selection: Vec<Selection>,
    },
    Spread {
        name: String,
        directives: Vec<Directive>,
    },
    Inline {
        on: Option<String>,
        directives: Vec<Directive>,
        selection: Vec<Selection>,
    },
}

/// A variable definition: name, whether its type is non-null, and its default.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VarDef {
    pub name: String,
    pub required: bool,
    pub default: Option<Value>,
}

/// An operation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Operation {
    /// `query`, `mutation` or `subscription`.
    pub kind: String,
    pub name: Option<String>,
    pub vars: Vec<VarDef>,
    pub selection: Vec<Selection>,
}

/// A fragment: its type condition and selection.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fragment {
    pub on: String,
    pub selection: Vec<Selection>,
}

/// A parsed document.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Document {
    pub operations: Vec<Operation>,
    pub fragments: HashMap<String, Fragment>,
}

/// Parse a document; the error says what was expected where.
pub(crate) fn parse(src: &str) -> Result<Document, SyntaxError> {
    let mut p = Parser {
        toks: lex(src)?,
        at: 0,
    };
    let mut doc = Document::default();
    if p.toks.is_empty() {
        return Err(SyntaxError::NoOperation);
    }
    while p.at < p.toks.len() {
        if p.peek() == Some(&Tok::P('{')) {
            let selection = p.selection_set()?;
            doc.operations.push(Operation {
                kind: "query".into(),
                name: None,
                vars: Vec::new(),
                selection,
            });
            continue;
        }
        match p.name()?.as_str() {
            "fragment" => {
                let name = p.name()?;
                p.keyword("on")?;
                let on = p.name()?;
                p.directives()?;
                let selection = p.selection_set()?;
                doc.fragments.insert(name, Fragment { on, selection });
            }
            kind @ ("query" | "mutation" | "subscription") => {
                let op = p.operation(kind.to_owned())?;
                doc.operations.push(op);
            }
            other => return Err(SyntaxError::NotAnOperation(other.to_owned())),
        }
    }
    Ok(doc)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn next(&mut self) -> Result<Tok, SyntaxError> {
        let t = self.toks.get(self.at).cloned().ok_or(SyntaxError::End)?;
        self.at += 1;
        Ok(t)
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(&Tok::P(c));
        self.at += usize::from(hit);
        hit
    }

    fn expect(&mut self, c: char) -> Result<(), SyntaxError> {
        match self.next()? {
            Tok::P(p) if p == c => Ok(()),
            found => Err(SyntaxError::Expected { expected: c, found }),
        }
    }

    fn name(&mut self) -> Result<String, SyntaxError> {
        match self.next()? {
            Tok::Name(n) => Ok(n),
            t => Err(SyntaxError::ExpectedName(t)),
        }
    }

    fn keyword(&mut self, k: &'static str) -> Result<(), SyntaxError> {
        match self.name()? {
            n if n == k => Ok(()),
            found => Err(SyntaxError::ExpectedKeyword { expected: k, found }),
        }
    }

    fn operation(&mut self, kind: String) -> Result<Operation, SyntaxError> {
        let name = match self.peek() {
            Some(Tok::Name(_)) => Some(self.name()?),
            _ => None,
        };
        let mut vars = Vec::new();
        if self.eat('(') {
            while !self.eat(')') {
                self.expect('$')?;
                let name = self.name()?;
                self.expect(':')?;
                let required = self.type_ref()?;
                let default = if self.eat('=') {
                    Some(self.value()?)
                } else {
                    None
                };
                self.directives()?;
                vars.push(VarDef {
                    name,
                    required,
                    default,
                });
            }
        }
        self.directives()?;
        let selection = self.selection_set()?;
        Ok(Operation {
            kind,
            name,
            vars,
            selection,
        })
    }

    /// A type reference; whether it is non-null.
    fn type_ref(&mut self) -> Result<bool, SyntaxError> {
        if self.eat('[') {
            self.type_ref()?;
            self.expect(']')?;
        } else {
            self.name()?;
        }
        Ok(self.eat('!'))
    }

    fn directives(&mut self) -> Result<Vec<Directive>, SyntaxError> {
        let mut out = Vec::new();
        while self.eat('@') {
            let name = self.name()?;
            let args = self.arguments()?;
            out.push(Directive { name, args });
        }
        Ok(out)
    }

    fn arguments(&mut self) -> Result<Vec<(String, Value)>, SyntaxError> {
        let mut out = Vec::new();
        if self.eat('(') {
            while !self.eat(')') {
                let name = self.name()?;
                self.expect(':')?;
                out.push((name, self.value()?));
            }
        }
        Ok(out)
    }

    fn selection_set(&mut self) -> Result<Vec<Selection>, SyntaxError> {
        self.expect('{')?;
        let mut out = Vec::new();
        while !self.eat('}') {
            out.push(self.selection()?);
        }
        if out.is_empty() {
            return Err(SyntaxError::EmptySelection);
        }
        Ok(out)
    }

    fn selection(&mut self) -> Result<Selection, SyntaxError> {
        if self.peek() == Some(&Tok::Spread) {
            self.at += 1;
            if matches!(self.peek(), Some(Tok::Name(n)) if n != "on") {
                let name = self.name()?;
                let directives = self.directives()?;
                return Ok(Selection::Spread { name, directives });
            }
            let on = match self.peek() {
                Some(Tok::Name(_)) => {
                    self.at += 1;
                    Some(self.name()?)
                }
                _ => None,
            };
            let directives = self.directives()?;
            let selection = self.selection_set()?;
            return Ok(Selection::Inline {
                on,
                directives,
                selection,
            });
        }
        let first = self.name()?;
        let (alias, name) = if self.eat(':') {
            (Some(first), self.name()?)
        } else {
            (None, first)
        };
        let args = self.arguments()?;
        let directives = self.directives()?;
        let selection = if self.peek() == Some(&Tok::P('{')) {
            self.selection_set()?
        } else {
            Vec::new()
        };
        Ok(Selection::Field {
            alias,
            name,
            args,
            directives,
            selection,
        })
    }

    fn value(&mut self) -> Result<Value, SyntaxError> {
        Ok(match self.next()? {
            Tok::P('$') => Value::Var(self.name()?),
            Tok::Int(n) => Value::Int(n),
            Tok::Float(f) => Value::Float(f),
            Tok::Str(s) => Value::Str(s),
            Tok::Name(n) => match n.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => Value::Enum(n),
            },
            Tok::P('[') => {
                let mut items = Vec::new();
                while !self.eat(']') {
                    items.push(self.value()?);
                }
                Value::List(items)
            }
            Tok::P('{') => {
                let mut fields = Vec::new();
                while !self.eat('}') {
                    let name = self.name()?;
                    self.expect(':')?;
                    fields.push((name, self.value()?));
                }
                Value::Object(fields)
            }
            t => return Err(SyntaxError::ExpectedValue(t)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_fragments_and_values() {
        let doc = parse(
            "query Q($id: ID!, $n: [Int!] = [1]) @x { u: user(id: $id) { ...F ... on User { id } \
             ... @include(if: true) { name } } } fragment F on User { email } { posts { id } }",
        )
        .unwrap();
        assert_eq!(doc.operations.len(), 2);
        let q = &doc.operations[0];
        assert_eq!(q.name.as_deref(), Some("Q"));
        assert!(q.vars[0].required && !q.vars[1].required);
        assert_eq!(q.vars[1].default, Some(Value::List(vec![Value::Int(1)])));
        let Selection::Field {
            alias,
            args,
            selection,
            ..
        } = &q.selection[0]
        else {
            panic!("{:?}", q.selection[0]);
        };
        assert_eq!(alias.as_deref(), Some("u"));
        assert_eq!(args[0], ("id".into(), Value::Var("id".into())));
        assert!(matches!(&selection[0], Selection::Spread { name, .. } if name == "F"));
        assert!(matches!(&selection[1], Selection::Inline { on: Some(t), .. } if t == "User"));
        assert!(
            matches!(&selection[2], Selection::Inline { on: None, directives, .. } if directives.len() == 1)
        );
        assert_eq!(doc.fragments["F"].on, "User");
        assert_eq!(doc.operations[1].kind, "query");
    }

    #[test]
    fn malformed_documents_are_errors() {
        for bad in [
            "",
            "{ }",
            "{ user(id: ) { id } }",
            "query { a",
            "type T { a: Int }",
            "{ a(x: {b 1}) }",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }
}
