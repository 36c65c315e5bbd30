//! Tests of `proxy.rs`: the proxy taken from the environment per scheme, `NO_PROXY` bypasses, and bad proxies named without their password.

use super::*;

fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[test]
fn the_environment_picks_the_proxy_per_scheme_and_no_proxy_bypasses(
) -> Result<(), Box<dyn std::error::Error>> {
    let vars = [
        ("HTTPS_PROXY", "http://u%40x:p%3Aw@proxy.corp:3128"),
        ("http_proxy", "plain.corp"),
        (
            "NO_PROXY",
            "internal.example, .svc,10.0.0.0/8 ,[fd00::1]:443",
        ),
    ];
    let e = EnvProxy::read(&env(&vars))?;
    let https = e.for_target(true, "api.example.com").ok_or("https proxy")?;
    assert_eq!((https.host.as_str(), https.port), ("proxy.corp", 3128));
    let expected = base64::engine::general_purpose::STANDARD.encode("u@x:p:w");
    assert_eq!(https.authorization, Some(format!("Basic {expected}")));
    assert!(!format!("{https:?}").contains(&expected));
    let http = e.for_target(false, "api.example.com").ok_or("http proxy")?;
    assert_eq!((http.host.as_str(), http.port), ("plain.corp", 80));
    for direct in [
        "internal.example",
        "a.internal.example",
        "x.svc",
        "10.1.2.3",
        "fd00::1",
        "localhost",
        "127.0.0.1",
        "::1",
    ] {
        assert_eq!(e.for_target(true, direct), None, "{direct}");
    }
    for proxied in ["notinternal.example", "11.0.0.1", "svc.example.org"] {
        assert!(e.for_target(true, proxied).is_some(), "{proxied}");
    }
    Ok(())
}

#[test]
fn bad_proxies_are_named_without_their_password() {
    let e = EnvProxy::read(&env(&[("HTTPS_PROXY", "https://u:hunter2@p:1")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("HTTPS_PROXY") && !e.contains("hunter2"), "{e}");
    let e = Proxy::parse("http://u:hunter2@p:99999")
        .unwrap_err()
        .to_string();
    assert!(!e.contains("hunter2"), "{e}");
}
