//! Where a request goes (scheme, host, port, path) and how its URL parts are encoded.

use bench_core::driver::proxy::Proxy;
use bench_core::redact;
use bytes::Bytes;
use http::header::HeaderValue;
use http::Uri;
use http_body_util::Full;

use super::{HttpError, Request};

/// Where a request goes.
#[derive(Debug)]
pub(super) struct Target {
    /// `https`.
    pub(super) tls: bool,
    /// Host name or IP address (without brackets).
    pub(super) host: String,
    /// Port, the scheme's default when the URL has none.
    pub(super) port: u16,
    /// `host[:port]` as the Host header carries it.
    authority: String,
    path_and_query: String,
}

impl Target {
    /// An http(s) URL without user info.
    pub(super) fn parse(url: &str) -> Result<Self, HttpError> {
        let bad = |why: &str| HttpError::Request(format!("bad URL ({why})"));
        let uri: Uri = url.parse().map_err(|_| bad("not a URL"))?;
        let tls = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            _ => return Err(bad("expected http:// or https://")),
        };
        let authority = uri.authority().ok_or_else(|| bad("no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("user info belongs in the credentials, not the URL"));
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        Ok(Self {
            tls,
            host: host.to_owned(),
            port: authority.port_u16().unwrap_or(if tls { 443 } else { 80 }),
            authority: authority.as_str().to_owned(),
            path_and_query: uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
        })
    }

    /// `host:port`, for messages.
    pub(super) fn name(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// `req` as a request to this target (Host and User-Agent set): in origin form, or in
    /// absolute form with the proxy's credentials when it goes `via` a proxy (plain http).
    pub(super) fn request(
        &self,
        req: Request,
        via: Option<&Proxy>,
    ) -> Result<http::Request<Full<Bytes>>, HttpError> {
        let uri = match via {
            Some(_) => format!("http://{}{}", self.authority, self.path_and_query),
            None => self.path_and_query.clone(),
        };
        let mut builder = http::Request::builder()
            .method(req.method)
            .uri(uri)
            .header(http::header::HOST, self.authority.as_str())
            .header(
                http::header::USER_AGENT,
                concat!("tailguard/", env!("CARGO_PKG_VERSION")),
            );
        if let Some(auth) = via.and_then(Proxy::authorization) {
            builder = builder.header(http::header::PROXY_AUTHORIZATION, auth);
        }
        for (name, value) in req.headers {
            let value = HeaderValue::from_str(&value).map_err(|_| {
                HttpError::Request(format!("header {name}: not a valid header value"))
            })?;
            builder = builder.header(name, value);
        }
        builder
            .body(Full::new(req.body))
            .map_err(|e| HttpError::Request(format!("cannot build the request: {e}")))
    }
}

/// `k=v&…`, every byte outside RFC 3986's unreserved set percent-encoded.
#[must_use]
pub(super) fn form(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                redact::percent_encode(k),
                redact::percent_encode(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;

    #[test]
    fn forms_encode_everything_but_unreserved_bytes() {
        assert_eq!(
            form(&[("q", "SELECT * FROM \"r\" WHERE a = 'x&y'"), ("db", "é")]),
            "q=SELECT%20%2A%20FROM%20%22r%22%20WHERE%20a%20%3D%20%27x%26y%27&db=%C3%A9"
        );
        let r = Request::new(Method::GET, "http://h/x?a=1").query(&[("b", "2 3")]);
        assert_eq!(r.url, "http://h/x?a=1&b=2%203");
    }

    #[test]
    fn targets_default_ports_and_keep_the_path() -> Result<(), HttpError> {
        let t = Target::parse("https://api.github.com/repos/o/r?per_page=100")?;
        assert!(t.tls);
        assert_eq!((t.host.as_str(), t.port), ("api.github.com", 443));
        assert_eq!(t.path_and_query, "/repos/o/r?per_page=100");
        let t = Target::parse("http://[::1]:8086")?;
        assert_eq!(
            (t.host.as_str(), t.port, t.name()),
            ("::1", 8086, "[::1]:8086".into())
        );
        assert_eq!(
            (t.authority.as_str(), t.path_and_query.as_str()),
            ("[::1]:8086", "/")
        );
        for bad in ["ftp://h/", "h:80/x", "http://u:secret@h/"] {
            let e = Target::parse(bad).map(|_| ()).unwrap_err().to_string();
            assert!(!e.contains("secret"), "{e}");
        }
        Ok(())
    }
}
