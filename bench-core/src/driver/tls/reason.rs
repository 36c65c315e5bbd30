//! Why a TLS handshake failed, in words a user can act on: the setting to change comes first,
//! rustls's own message after it.

use rustls::{AlertDescription as Alert, CertificateError as Cert};

/// Explain the handshake (or first read) error `e` with the server named `name`.
/// `sent_identity` says whether a client certificate was configured.
pub(crate) fn explain(e: &std::io::Error, name: &str, sent_identity: bool) -> String {
    let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        return e.to_string();
    };
    let advice = match tls {
        rustls::Error::InvalidCertificate(c) => certificate_advice(c, name),
        rustls::Error::AlertReceived(a) => alert_advice(*a, sent_identity),
        rustls::Error::NoApplicationProtocol => {
            Some("the server does not speak the offered protocol (ALPN)".to_owned())
        }
        _ => None,
    };
    match advice {
        Some(advice) => format!("{advice} ({tls})"),
        None => tls.to_string(),
    }
}

fn certificate_advice(c: &Cert, name: &str) -> Option<String> {
    Some(match c {
        Cert::UnknownIssuer => "the server's certificate is issued by an unknown CA: trust that CA with [http] ca_file (or --ca-file)".to_owned(),
        Cert::NotValidForName | Cert::NotValidForNameContext { .. } => format!(
            "the server's certificate is not valid for the name {name:?}: set [http] server_name to a name it is valid for, or keep that name in the URL and connect elsewhere with [http] hosts"
        ),
        Cert::Expired | Cert::ExpiredContext { .. } => "the server's certificate has expired".to_owned(),
        Cert::NotValidYet | Cert::NotValidYetContext { .. } => {
            "the server's certificate is not valid yet (check this machine's clock)".to_owned()
        }
        Cert::Revoked => "the server's certificate has been revoked".to_owned(),
        _ => return None,
    })
}

fn alert_advice(alert: Alert, sent_identity: bool) -> Option<String> {
    let name = "or not serve this name ([http] server_name, hosts)";
    Some(match (alert, sent_identity) {
        (Alert::CertificateRequired, _) => {
            "the server requires a client certificate: set [http] client_cert_file and client_key_file".to_owned()
        }
        (Alert::HandshakeFailure | Alert::AccessDenied, false) => format!(
            "the server ended the handshake: it may require a client certificate ([http] client_cert_file and client_key_file) {name}"
        ),
        (Alert::HandshakeFailure | Alert::AccessDenied, true) => format!(
            "the server ended the handshake: it may refuse our client certificate (is client_cert_file issued by a CA it trusts?) {name}"
        ),
        (
            Alert::BadCertificate
            | Alert::UnknownCA
            | Alert::CertificateUnknown
            | Alert::UnsupportedCertificate,
            true,
        ) => "the server refused our client certificate: check that client_cert_file is issued by a CA the server trusts".to_owned(),
        (Alert::CertificateExpired, true) => {
            "the server says our client certificate has expired".to_owned()
        }
        (Alert::UnrecognisedName, _) => {
            "the server does not serve this name (SNI): set [http] server_name or use [http] hosts".to_owned()
        }
        _ => return None,
    })
}
