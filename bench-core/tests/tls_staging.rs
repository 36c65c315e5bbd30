//! Staging TLS (issue 21), through scenario files as a user writes them: a private CA
//! (`ca_file`), mutual TLS (`client_cert_file` + `client_key_file` or `client_key` from the
//! environment), `server_name` and `hosts`, over HTTP/1.1, HTTP/2 (ALPN h2) and gRPC. Every
//! certificate is made here; the servers are TLS fronts on loopback before the demo target.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bench_core::scenario::{Scenario, ScenarioError};
use common::pki::{tls_front, Ca, Front, FrontHandle};
use common::{demo, errors, run};
use tailguard_demo::{DemoConfig, DemoServer};
use tempfile::TempDir;

/// CAs, certificates written as PEM files, and the demo target behind a TLS front.
struct Staging {
    dir: TempDir,
    server: DemoServer,
    client_key_pem: String,
}

impl Staging {
    /// A front serving `names` (only `only_name` when given) with a certificate from a private CA
    /// that requires client certificates from another private CA. Writes `server-ca.pem`,
    /// `client.pem`, `client.key`, a client pair from a rogue CA (`rogue.pem`, `rogue.key`) and
    /// an unrelated key (`other.key`).
    fn new(names: &[&str], only_name: Option<&str>, expired: bool) -> (Self, FrontHandle) {
        let server_ca = Ca::new("staging server CA");
        let client_ca = Ca::new("staging client CA");
        let rogue_ca = Ca::new("rogue CA");
        let cert = if expired {
            server_ca.expired_server(names)
        } else {
            server_ca.server(names)
        };
        let server = demo(DemoConfig::default());
        let front = tls_front(
            server.addr(),
            &Front {
                cert: &cert,
                client_ca: Some(&client_ca),
                only_name,
            },
        );
        let dir = tempfile::tempdir().unwrap();
        let client = client_ca.client();
        let rogue = rogue_ca.client();
        let files = [
            ("server-ca.pem", server_ca.pem()),
            ("client.pem", client.cert_pem()),
            ("client.key", client.key_pem()),
            ("rogue.pem", rogue.cert_pem()),
            ("rogue.key", rogue.key_pem()),
            ("other.key", rogue_ca.client().key_pem()),
            ("garbage.pem", "not a certificate\n".into()),
        ];
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let staging = Self {
            dir,
            server,
            client_key_pem: client.key_pem(),
        };
        (staging, front)
    }

    /// A scenario of 40 GETs (or gRPC calls when `body` says so) with these `[http]` lines.
    fn scenario(&self, target: &str, http: &str, body: &str) -> Result<Scenario, ScenarioError> {
        // The bundled roots unless the case is about roots: no dependence on this machine's store.
        let roots = if http.contains("roots") {
            ""
        } else {
            "roots = \"webpki\"\n"
        };
        let text = format!(
            "name = \"staging\"\ntarget = \"{target}\"\n{body}\n[http]\n{roots}{http}\n\n[load]\nmodel = \"closed\"\nworkers = 2\nrequests = 40\nduration = \"20s\"\ntimeout = \"5s\"\n"
        );
        let key = self.client_key_pem.clone();
        let env = move |name: &str| (name == "CLIENT_KEY_PEM").then(|| key.clone());
        Scenario::parse(&text, &self.dir.path().join("staging.toml"), &[], &env)
    }

    fn http(&self, target: &str, http: &str) -> Result<Scenario, ScenarioError> {
        self.scenario(target, http, "[request]\npath = \"/items\"\n")
    }
}

const MTLS: &str = "ca_file = \"server-ca.pem\"\nclient_cert_file = \"client.pem\"\nclient_key_file = \"client.key\"";

/// The error of building the connector (which dials once before any load).
fn refusal(s: &Scenario) -> String {
    s.connector().map(|_| ()).unwrap_err().to_string()
}

fn served(s: &Scenario, server: &DemoServer, route: &str) {
    let r = run(s.connector().unwrap(), 40, 2, &[]);
    assert_eq!(errors(&r), vec![], "{:?}", r.summary.errors_by_kind);
    assert_eq!(r.summary.requests, 40);
    assert_eq!(server.requests_by_route().get(route), Some(&40));
}

#[test]
fn mutual_tls_needs_the_private_ca_and_a_client_certificate() {
    let (st, front) = Staging::new(&["localhost"], None, false);
    let target = format!("https://localhost:{}", front.port);

    let e = refusal(&st.http(&target, "ca_file = \"server-ca.pem\"").unwrap());
    assert!(e.contains("requires a client certificate"), "{e}");
    let e = refusal(
        &st.http(&target, "ca_file = \"server-ca.pem\"\nclient_cert_file = \"rogue.pem\"\nclient_key_file = \"rogue.key\"")
            .unwrap(),
    );
    assert!(e.contains("refused our client certificate"), "{e}");
    let e = refusal(
        &st.http(
            &target,
            "client_cert_file = \"client.pem\"\nclient_key_file = \"client.key\"",
        )
        .unwrap(),
    );
    assert!(e.contains("unknown CA") && e.contains("ca_file"), "{e}");

    served(&st.http(&target, MTLS).unwrap(), &st.server, "/items");
    // `roots = "none"` trusts only ca_file, which is all this server needs.
    let only = st
        .http(&target, &format!("{MTLS}\nroots = \"none\""))
        .unwrap();
    let r = run(only.connector().unwrap(), 40, 2, &[]);
    assert_eq!(errors(&r), vec![]);
}

#[test]
fn the_client_key_may_come_from_the_environment_and_is_never_stored() {
    let (st, front) = Staging::new(&["localhost"], None, false);
    let target = format!("https://localhost:{}", front.port);
    let http = "ca_file = \"server-ca.pem\"\nclient_cert_file = \"client.pem\"\nclient_key = \"${CLIENT_KEY_PEM}\"";
    let s = st.http(&target, http).unwrap();
    served(&s, &st.server, "/items");
    let stored = s.redacted_config().to_string();
    assert!(stored.contains("${CLIENT_KEY_PEM}"), "{stored}");
    assert!(!stored.contains("PRIVATE KEY"), "{stored}");
    assert!(!format!("{s:?}").contains("PRIVATE KEY"));
    // A key written into the file itself is stored as <redacted>.
    let literal = format!(
        "ca_file = \"server-ca.pem\"\nclient_cert_file = \"client.pem\"\nclient_key = '''\n{}'''",
        st.client_key_pem
    );
    let s = st.http(&target, &literal).unwrap();
    let stored = s.redacted_config().to_string();
    assert!(
        stored.contains("<redacted>") && !stored.contains("PRIVATE KEY"),
        "{stored}"
    );
}

#[test]
fn http2_and_grpc_over_mutual_tls_negotiate_h2() {
    let (st, front) = Staging::new(&["localhost"], None, false);
    let target = format!("https://localhost:{}", front.port);
    let h2 = st
        .http(&target, &format!("{MTLS}\nversion = \"2\""))
        .unwrap();
    served(&h2, &st.server, "/items");
    let grpc = "protocol = \"grpc\"\n[request]\nmethod = \"tailguard.demo.v1.Demo/GetUser\"\nmessage = { id = 5 }\n";
    let g = st.scenario(&target, MTLS, grpc).unwrap();
    let r = run(g.connector().unwrap(), 40, 2, &[]);
    assert_eq!(errors(&r), vec![]);
    assert_eq!(r.summary.statuses.get("OK"), Some(&40));
    let alpn = front.alpn.lock().unwrap().clone();
    assert!(!alpn.is_empty());
    assert!(
        alpn.iter().all(|p| p.as_deref() == Some(&b"h2"[..])),
        "{alpn:?}"
    );
}

#[test]
fn hosts_and_server_name_reach_a_server_that_serves_only_its_name() {
    let name = "api.staging.internal";
    let (st, front) = Staging::new(&[name], Some(name), false);
    let port = front.port;
    // The name stays in the URL (Host, SNI); the connection goes to loopback.
    let by_name = st
        .http(
            &format!("https://{name}:{port}"),
            &format!("{MTLS}\nhosts = {{ \"{name}\" = \"127.0.0.1\" }}"),
        )
        .unwrap();
    served(&by_name, &st.server, "/items");
    // Reached by address, with the name in SNI and the certificate check.
    let by_ip = st
        .http(
            &format!("https://127.0.0.1:{port}"),
            &format!("{MTLS}\nserver_name = \"{name}\""),
        )
        .unwrap();
    let r = run(by_ip.connector().unwrap(), 40, 2, &[]);
    assert_eq!(errors(&r), vec![]);
    // Without them the server has no certificate for the name asked.
    let e = refusal(&st.http(&format!("https://localhost:{port}"), MTLS).unwrap());
    assert!(e.contains("not serve this name"), "{e}");
}

#[test]
fn certificate_problems_of_the_server_are_named() {
    let (st, front) = Staging::new(&["other.internal"], None, false);
    let e = refusal(
        &st.http(&format!("https://localhost:{}", front.port), MTLS)
            .unwrap(),
    );
    assert!(
        e.contains("not valid for the name \"localhost\"") && e.contains("server_name"),
        "{e}"
    );

    let (st, front) = Staging::new(&["localhost"], None, true);
    let e = refusal(
        &st.http(&format!("https://localhost:{}", front.port), MTLS)
            .unwrap(),
    );
    assert!(e.contains("has expired"), "{e}");
}

#[test]
fn bad_pem_and_key_pairs_are_errors_naming_field_and_file_before_any_load() {
    let (st, _front) = Staging::new(&["localhost"], None, false);
    let target = "https://localhost:1";
    let cases = [
        ("ca_file = \"missing.pem\"", "http.ca_file", "missing.pem"),
        (
            "ca_file = \"garbage.pem\"",
            "http.ca_file",
            "BEGIN CERTIFICATE",
        ),
        ("ca_file = \"client.key\"", "http.ca_file", "client.key"),
        (
            "client_cert_file = \"client.pem\"",
            "http.client_cert_file",
            "needs its key",
        ),
        (
            "client_key_file = \"client.key\"",
            "http.client_key_file",
            "needs its certificate",
        ),
        (
            "client_cert_file = \"client.pem\"\nclient_key_file = \"other.key\"",
            "http.client_key_file",
            "does not match",
        ),
        (
            "client_cert_file = \"client.pem\"\nclient_key_file = \"client.pem\"",
            "http.client_key_file",
            "PRIVATE KEY",
        ),
        (
            "client_cert_file = \"garbage.pem\"\nclient_key_file = \"client.key\"",
            "http.client_cert_file",
            "garbage.pem",
        ),
        (
            "client_cert_file = \"client.pem\"\nclient_key = \"${NOT_SET}\"",
            "http.client_key",
            "NOT_SET",
        ),
        ("roots = \"none\"", "http.roots", "ca_file"),
        (
            "server_name = \"not a name\"",
            "http.server_name",
            "not a name",
        ),
        (
            "hosts = { \"api\" = \"10.0.0.7:http\" }",
            "http.hosts",
            "\"api\"",
        ),
        (
            "proxy = \"socks5://127.0.0.1:1080\"",
            "http.proxy",
            "socks5",
        ),
    ];
    let key_line = st.client_key_pem.lines().nth(1).unwrap().to_owned();
    for (http, field, needle) in cases {
        let e = match st.http(target, http) {
            Err(e @ ScenarioError::Invalid { .. }) => e,
            other => panic!("{http}: expected an error, got {other:?}"),
        };
        let ScenarioError::Invalid { field: f, .. } = &e else {
            unreachable!()
        };
        assert_eq!(f, field, "{http}: {e}");
        let message = e.to_string();
        assert!(message.contains(needle), "{http}: {message}");
        assert!(message.contains("staging.toml"), "{message}");
        assert!(
            !message.contains(&key_line),
            "a key is never quoted: {message}"
        );
    }
}
