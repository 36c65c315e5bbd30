//! `[http]`'s connection settings, from the file as written to the drivers' [`ConnectOptions`]:
//! PEM files read and checked (CA, client certificate and key, and that the two match), `hosts`
//! and `server_name` validated, the proxy chosen. Every error names its field and file; the
//! client key's text is never quoted.

use std::path::Path;

use super::file::{HttpSection, Protocol};
use super::interpolate::interpolate;
use super::ScenarioError;
use crate::driver::proxy::{EnvProxy, Proxy, ProxySetting};
use crate::driver::redirect::MAX_FOLLOW;
use crate::driver::route::{ConnectOptions, Hosts};
use crate::driver::tls::{self, ClientIdentity, PemError, Roots, TlsError, TlsOptions};

type Invalid<'a> = &'a dyn Fn(&str, String) -> ScenarioError;
type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The connection options `[http]` describes; relative files are found in `dir`.
pub(super) fn connect_options(
    h: &HttpSection,
    dir: &Path,
    env: Env<'_>,
    invalid: Invalid<'_>,
) -> Result<ConnectOptions, ScenarioError> {
    let value = |field: &str, v: &Option<String>| {
        v.as_deref()
            .map(|text| {
                interpolate(text, env).map_err(|m| invalid(&format!("http.{field}"), m.to_string()))
            })
            .transpose()
    };
    let ca = match value("ca_file", &h.ca_file)? {
        Some(file) => read_pem(dir, &file, "http.ca_file", invalid, tls::certificates)?,
        None => Vec::new(),
    };
    let server_name = value("server_name", &h.server_name)?;
    let tls = TlsOptions {
        roots: h.roots,
        ca,
        identity: identity(h, dir, env, invalid)?,
        server_name,
        insecure: h.insecure,
    };
    check_tls(h, &tls, invalid)?;
    let mut hosts = h.hosts.clone();
    for (name, to) in &mut hosts {
        *to = interpolate(to, env)
            .map_err(|m| invalid(&format!("http.hosts.{name}"), m.to_string()))?;
    }
    let hosts = Hosts::parse(&hosts).map_err(|m| invalid("http.hosts", m.to_string()))?;
    let proxy = match value("proxy", &h.proxy)?.as_deref().map(str::trim) {
        None => ProxySetting::Env(
            EnvProxy::read(env).map_err(|m| invalid("http.proxy", m.to_string()))?,
        ),
        Some("" | "none") => ProxySetting::Direct,
        Some(url) => ProxySetting::Always(
            Proxy::parse(url).map_err(|m| invalid("http.proxy", m.to_string()))?,
        ),
    };
    Ok(ConnectOptions { tls, hosts, proxy })
}

/// `follow_redirects`: HTTP and GraphQL only, and at most [`MAX_FOLLOW`] hops.
pub(super) fn check_follow(
    h: &HttpSection,
    protocol: Protocol,
    invalid: Invalid<'_>,
) -> Result<(), ScenarioError> {
    let field = "http.follow_redirects";
    if h.follow_redirects > MAX_FOLLOW {
        return Err(invalid(
            field,
            format!(
                "{} is more than {MAX_FOLLOW}: a longer chain of redirects is a misconfigured target",
                h.follow_redirects
            ),
        ));
    }
    if h.follow_redirects > 0 && protocol == Protocol::Grpc {
        return Err(invalid(
            field,
            "gRPC does not redirect; follow_redirects applies to http and graphql".into(),
        ));
    }
    Ok(())
}

/// Remove the secrets of `[http]` as written: proxy credentials and a literal client key (a
/// `${VAR}` reference stays, it is not the secret).
pub(super) fn redact(h: &mut HttpSection) {
    h.proxy = h.proxy.as_deref().map(super::redact_url);
    if let Some(key) = &mut h.client_key {
        if !super::interpolate::mentions_variable(key) {
            *key = "<redacted>".into();
        }
    }
}

/// The client certificate and key: both or neither; the key from a file or from PEM text.
fn identity(
    h: &HttpSection,
    dir: &Path,
    env: Env<'_>,
    invalid: Invalid<'_>,
) -> Result<Option<ClientIdentity>, ScenarioError> {
    let interp = |field: &str, v: &str| {
        interpolate(v, env).map_err(|m| invalid(&format!("http.{field}"), m.to_string()))
    };
    let key_field = if h.client_key.is_some() {
        "http.client_key"
    } else {
        "http.client_key_file"
    };
    let (cert, key) = match (&h.client_cert_file, &h.client_key_file, &h.client_key) {
        (None, None, None) => return Ok(None),
        (Some(cert), Some(file), None) => (cert, Ok(file)),
        (Some(cert), None, Some(text)) => (cert, Err(text)),
        (_, Some(_), Some(_)) => {
            return Err(invalid(
                "http.client_key",
                "give client_key_file or client_key (PEM text), not both".into(),
            ))
        }
        (None, _, _) => {
            return Err(invalid(
                key_field,
                "a client key needs its certificate: set client_cert_file".into(),
            ))
        }
        (Some(_), None, None) => {
            return Err(invalid(
                "http.client_cert_file",
                "a client certificate needs its key: set client_key_file (or client_key)".into(),
            ))
        }
    };
    let cert = interp("client_cert_file", cert)?;
    let chain = read_pem(
        dir,
        &cert,
        "http.client_cert_file",
        invalid,
        tls::certificates,
    )?;
    // The key: a file (Ok) or PEM text (Err).
    let key = match key {
        Ok(file) => {
            let file = interp("client_key_file", file)?;
            read_pem(dir, &file, key_field, invalid, tls::private_key)?
        }
        Err(text) => {
            let text = interp("client_key", text)?;
            tls::private_key(text.as_bytes())
                .map_err(|e| invalid(key_field, format!("the PEM text: {e}")))?
        }
    };
    Ok(Some(ClientIdentity::new(chain, key)))
}

fn read_pem<T>(
    dir: &Path,
    file: &str,
    field: &str,
    invalid: Invalid<'_>,
    decode: fn(&[u8]) -> Result<T, PemError>,
) -> Result<T, ScenarioError> {
    let path = dir.join(file);
    let bytes = std::fs::read(&path)
        .map_err(|e| invalid(field, format!("cannot read {}: {e}", path.display())))?;
    decode(&bytes).map_err(|e| invalid(field, format!("{}: {e}", path.display())))
}

/// Build the TLS configuration once, so that a CA that is no CA, a certificate that is no
/// certificate, a key that does not match, and a bad `server_name` are errors before any load.
fn check_tls(h: &HttpSection, tls: &TlsOptions, invalid: Invalid<'_>) -> Result<(), ScenarioError> {
    // The bundled roots stand in for the system store: the check is the same, without reading it.
    let check = TlsOptions {
        roots: match tls.roots {
            Roots::None => Roots::None,
            Roots::System | Roots::Webpki => Roots::Webpki,
        },
        ..tls.clone()
    };
    let e = match tls::client_config(&check, &[]) {
        Ok(_) => match &tls.server_name {
            Some(name) => tls::server_name(tls, name).map(|_| ()),
            None => Ok(()),
        },
        Err(e) => Err(e),
    };
    let Err(e) = e else { return Ok(()) };
    let file = |f: &Option<String>| f.clone().unwrap_or_default();
    let (field, detail) = match &e {
        TlsError::CaCertificate { .. } => ("http.ca_file", file(&h.ca_file)),
        TlsError::NoRoots => ("http.roots", String::new()),
        TlsError::ClientCertificate(_) => ("http.client_cert_file", file(&h.client_cert_file)),
        TlsError::ClientKey(_) | TlsError::KeyMismatch if h.client_key.is_some() => {
            ("http.client_key", String::new())
        }
        TlsError::ClientKey(_) | TlsError::KeyMismatch => {
            ("http.client_key_file", file(&h.client_key_file))
        }
        TlsError::ServerName(_) => ("http.server_name", String::new()),
        TlsError::Config(_) => ("http", String::new()),
    };
    let message = if detail.is_empty() {
        e.to_string()
    } else {
        format!("{detail}: {e}")
    };
    Err(invalid(field, message))
}
