//! A request of an HTTP (or GraphQL) mix: its templates, and its wire form — encoded once when it
//! has no placeholders (the hot path stays as fast as a fixed request), rendered per call when it
//! has.

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, USER_AGENT};
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::Full;
use serde::{Deserialize, Serialize};

use super::endpoint::{Endpoint, EndpointError};
use super::h1;
use super::redirect::Hop;
use super::{ErrorKind, Outcome};
use crate::template::{Names, Needs, Template, Values};

pub(crate) const USER_AGENT_VALUE: &str = concat!("tailguard/", env!("CARGO_PKG_VERSION"));

/// Which HTTP version to speak.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum HttpVersion {
    /// HTTP/1.1 with keep-alive: one request in flight per connection.
    #[default]
    #[serde(rename = "1.1")]
    Http1,
    /// HTTP/2 (h2c prior knowledge on http://, ALPN h2 on https://): many streams per connection.
    #[serde(rename = "2")]
    Http2,
}

/// One request of the mix, as written in a scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HttpRequestSpec {
    /// Name used in results.
    pub name: String,
    /// Method, e.g. "GET".
    pub method: String,
    /// Path and query, appended to the target's path.
    pub path: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: Vec<u8>,
}

/// Errors building an HTTP connector; they name the offending value.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The target is unusable.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// A method, path or header could not be used.
    #[error("request {request:?}: invalid {field}: {message}")]
    Request {
        /// Request name.
        request: String,
        /// Field name.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// A request of the mix with its templates parsed.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// Name used in results.
    pub name: String,
    /// Method.
    pub method: Method,
    /// Path and query, appended to the target's path.
    pub path: Template,
    /// Headers (values may be templates).
    pub headers: Vec<(HeaderName, Template)>,
    /// Body.
    pub body: Template,
}

impl HttpRequest {
    /// Parse a spec's strings as templates (`{{…}}` placeholders; see [`crate::template`]).
    pub fn from_spec(spec: &HttpRequestSpec, names: Names<'_>) -> Result<Self, HttpError> {
        let err = |field, message: String| HttpError::Request {
            request: spec.name.clone(),
            field,
            message,
        };
        let method =
            Method::from_bytes(spec.method.as_bytes()).map_err(|e| err("method", e.to_string()))?;
        let mut headers = Vec::with_capacity(spec.headers.len());
        for (name, value) in &spec.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| err("header name", e.to_string()))?;
            let value = Template::text(value, names)
                .map_err(|e| err("header value", format!("{name}: {e}")))?;
            if let Some(v) = value.literal() {
                HeaderValue::from_str(v)
                    .map_err(|e| err("header value", format!("{name}: {e}")))?;
            }
            headers.push((name, value));
        }
        let body = String::from_utf8(spec.body.clone())
            .map_err(|_| err("body", "not UTF-8 text".into()))
            .and_then(|b| Template::text(&b, names).map_err(|e| err("body", e.to_string())))?;
        Ok(Self {
            name: spec.name.clone(),
            method,
            path: Template::text(&spec.path, names).map_err(|e| err("path", e.to_string()))?,
            headers,
            body,
        })
    }

    fn needs(&self) -> Needs {
        self.headers
            .iter()
            .fold(self.path.needs().or(self.body.needs()), |n, (_, v)| {
                n.or(v.needs())
            })
    }
}

/// Rendered text of one call.
pub(crate) struct Rendered {
    path: String,
    headers: Vec<(HeaderName, String)>,
    body: String,
}

/// A request ready to send: fixed bytes or parts when it has no placeholders.
#[derive(Debug)]
pub(crate) struct Prepared {
    request: HttpRequest,
    pub(crate) needs: Needs,
    fixed: Option<Fixed>,
    head: bool,
}

#[derive(Debug)]
enum Fixed {
    H1(Bytes),
    H2(Box<Request<Full<Bytes>>>),
}

impl Prepared {
    pub(crate) fn new(
        request: HttpRequest,
        endpoint: &Endpoint,
        version: HttpVersion,
    ) -> Result<Self, HttpError> {
        let needs = request.needs();
        let templated = request.path.literal().is_none()
            || request.body.literal().is_none()
            || request.headers.iter().any(|(_, v)| v.literal().is_none());
        let mut prepared = Self {
            head: request.method == Method::HEAD,
            request,
            needs,
            fixed: None,
        };
        if !templated {
            let rendered = prepared.render(None);
            let path_err = |message: String| HttpError::Request {
                request: prepared.request.name.clone(),
                field: "path",
                message,
            };
            prepared.fixed = Some(match version {
                HttpVersion::Http1 => {
                    let _: Uri = endpoint
                        .join(&rendered.path)
                        .parse()
                        .map_err(|e: http::uri::InvalidUri| path_err(e.to_string()))?;
                    let mut bytes = Vec::new();
                    let hop = prepared.first_hop(endpoint, &rendered);
                    prepared
                        .hop_h1(endpoint, &rendered, &hop, &mut bytes)
                        .map_err(|o| path_err(o.message.unwrap_or_default()))?;
                    Fixed::H1(Bytes::from(bytes))
                }
                HttpVersion::Http2 => Fixed::H2(Box::new(
                    prepared
                        .build_h2(endpoint, rendered)
                        .map_err(|o| path_err(o.message.unwrap_or_default()))?,
                )),
            });
        }
        Ok(prepared)
    }

    /// Whether this is a HEAD request (no response body).
    pub(crate) fn is_head(&self) -> bool {
        self.head
    }

    /// Whether the method is idempotent (RFC 9110 §9.2.2), so a request written into a
    /// connection the server had already closed may be sent again.
    pub(crate) fn is_idempotent(&self) -> bool {
        self.request.method.is_idempotent()
    }

    fn render(&self, mut values: Option<&mut Values<'_>>) -> Rendered {
        let mut text = |t: &Template| match (t.literal(), values.as_deref_mut()) {
            (Some(l), _) => l.to_owned(),
            (None, Some(v)) => t.render_string(v),
            (None, None) => String::new(),
        };
        Rendered {
            path: text(&self.request.path),
            headers: self
                .request
                .headers
                .iter()
                .map(|(n, v)| (n.clone(), text(v)))
                .collect(),
            body: text(&self.request.body),
        }
    }

    /// The rendered call with `extra` headers (the virtual user's cookies) after its own.
    fn render_with(&self, values: &mut Values<'_>, extra: &[(String, String)]) -> Rendered {
        let mut rendered = self.render(Some(values));
        for (name, value) in extra {
            if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
                rendered.headers.push((name, value.clone()));
            }
        }
        rendered
    }

    /// The HTTP/1.1 bytes of this call: the fixed encoding, or rendered into `scratch`.
    pub(crate) fn h1_bytes<'a>(
        &'a self,
        endpoint: &Endpoint,
        values: &mut Values<'_>,
        scratch: &'a mut Vec<u8>,
        extra: &[(String, String)],
    ) -> Result<&'a [u8], Outcome> {
        if let (Some(Fixed::H1(bytes)), true) = (&self.fixed, extra.is_empty()) {
            return Ok(bytes);
        }
        let rendered = self.render_with(values, extra);
        let hop = self.first_hop(endpoint, &rendered);
        self.hop_h1(endpoint, &rendered, &hop, scratch)?;
        Ok(scratch)
    }

    /// This call's text, rendered once: every hop of a chain of redirects sends the same headers
    /// and body.
    pub(crate) fn rendered(&self, values: &mut Values<'_>, extra: &[(String, String)]) -> Rendered {
        self.render_with(values, extra)
    }

    /// The first request of a call: the request's method, at the target's path joined with the
    /// request's.
    pub(crate) fn first_hop(&self, endpoint: &Endpoint, rendered: &Rendered) -> Hop {
        Hop {
            method: self.request.method.clone(),
            target: endpoint.join(&rendered.path),
            body: true,
        }
    }

    /// Encode one hop of a call (its method, target and whether it keeps the body) into `out`.
    pub(crate) fn hop_h1(
        &self,
        endpoint: &Endpoint,
        rendered: &Rendered,
        hop: &Hop,
        out: &mut Vec<u8>,
    ) -> Result<(), Outcome> {
        if let Some((name, _)) = rendered
            .headers
            .iter()
            .find(|(_, v)| v.bytes().any(|b| b == b'\r' || b == b'\n'))
        {
            return Err(Outcome::failed(
                ErrorKind::Protocol,
                format!("rendered header {name} contains a line break"),
            ));
        }
        if hop.target.bytes().any(|b| b <= b' ') {
            return Err(Outcome::failed(
                ErrorKind::Protocol,
                format!(
                    "rendered path {:?} contains spaces or control characters",
                    rendered.path
                ),
            ));
        }
        let headers = std::iter::once((USER_AGENT.as_str(), USER_AGENT_VALUE))
            .chain(hop_headers(rendered, hop).map(|(n, v)| (n.as_str(), v.as_str())));
        let body = if hop.body {
            rendered.body.as_bytes()
        } else {
            &[]
        };
        h1::encode(
            out,
            hop.method.as_str(),
            &hop.target,
            &endpoint.authority,
            headers,
            body,
        );
        Ok(())
    }

    /// The HTTP/2 request of this call.
    pub(crate) fn h2_request(
        &self,
        endpoint: &Endpoint,
        values: &mut Values<'_>,
        extra: &[(String, String)],
    ) -> Result<Request<Full<Bytes>>, Outcome> {
        if let (Some(Fixed::H2(req)), true) = (&self.fixed, extra.is_empty()) {
            let mut copy = Request::new(req.body().clone());
            *copy.method_mut() = req.method().clone();
            *copy.uri_mut() = req.uri().clone();
            *copy.headers_mut() = req.headers().clone();
            return Ok(copy);
        }
        self.build_h2(endpoint, self.render_with(values, extra))
    }

    fn build_h2(
        &self,
        endpoint: &Endpoint,
        rendered: Rendered,
    ) -> Result<Request<Full<Bytes>>, Outcome> {
        let hop = self.first_hop(endpoint, &rendered);
        Self::hop_h2(endpoint, &rendered, &hop)
    }

    /// The HTTP/2 request of one hop of a call.
    pub(crate) fn hop_h2(
        endpoint: &Endpoint,
        rendered: &Rendered,
        hop: &Hop,
    ) -> Result<Request<Full<Bytes>>, Outcome> {
        let bad = |m: String| Outcome::failed(ErrorKind::Protocol, m);
        let uri: Uri = format!(
            "{}://{}{}",
            endpoint.scheme(),
            endpoint.authority,
            hop.target
        )
        .parse()
        .map_err(|e: http::uri::InvalidUri| bad(format!("path {:?}: {e}", rendered.path)))?;
        let mut headers = HeaderMap::with_capacity(rendered.headers.len() + 1);
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        for (name, value) in hop_headers(rendered, hop) {
            let value = HeaderValue::try_from(value.as_str())
                .map_err(|e| bad(format!("rendered header {name}: {e}")))?;
            headers.append(name.clone(), value);
        }
        let body = if hop.body {
            Bytes::from(rendered.body.clone())
        } else {
            Bytes::new()
        };
        let mut req = Request::new(Full::new(body));
        *req.method_mut() = hop.method.clone();
        *req.uri_mut() = uri;
        *req.headers_mut() = headers;
        Ok(req)
    }
}

/// The headers of a hop: all of the request's, but those that describe a body on a hop that
/// dropped it (as browsers drop them, the Fetch standard's "request-body-header names").
fn hop_headers<'a>(
    rendered: &'a Rendered,
    hop: &'a Hop,
) -> impl Iterator<Item = &'a (HeaderName, String)> {
    rendered.headers.iter().filter(move |(name, _)| {
        hop.body
            || !matches!(
                name.as_str(),
                "content-type"
                    | "content-length"
                    | "content-encoding"
                    | "content-language"
                    | "content-location"
            )
    })
}
