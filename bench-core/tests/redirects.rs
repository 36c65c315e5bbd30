//! `[http] follow_redirects`: a chain of redirects on the target's origin is followed hop by hop
//! over HTTP/1.1 and HTTP/2 as one call (its latency spans every hop), methods change as
//! browsers and curl change them, a chain too long or a loop is an error of its own kind, and a
//! redirect to another origin ends the call — no request ever reaches an address the user did not
//! configure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::atomic::Ordering;

use bench_core::driver::http::{HttpConnector, HttpOptions, HttpRequestSpec, HttpVersion};
use bench_core::result::Measurement;
use bench_core::scenario::Scenario;
use common::redirects::{RedirectServer, Seen};

const VERSIONS: [HttpVersion; 2] = [HttpVersion::Http1, HttpVersion::Http2];

fn connector(
    server: &RedirectServer,
    version: HttpVersion,
    follow: u32,
    spec: HttpRequestSpec,
) -> HttpConnector {
    let options = HttpOptions {
        version,
        follow_redirects: follow,
        ..HttpOptions::default()
    };
    HttpConnector::new(&server.url(), &[spec], &options).unwrap()
}

fn get(path: &str) -> HttpRequestSpec {
    HttpRequestSpec {
        name: "r".into(),
        method: "GET".into(),
        path: path.into(),
        ..Default::default()
    }
}

fn post(path: &str, body: &str) -> HttpRequestSpec {
    HttpRequestSpec {
        method: "POST".into(),
        headers: vec![("content-type".into(), "text/plain".into())],
        body: body.as_bytes().to_vec(),
        ..get(path)
    }
}

fn statuses(r: &Measurement) -> Vec<(String, u64)> {
    r.summary
        .statuses
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

/// Three hops (an absolute URL, a relative reference, an absolute path) to a 200: each call is
/// one request of the result with status 200, the hops are counted, and the latency spans all
/// four responses (each delayed 15 ms by the server).
#[test]
fn a_chain_on_the_same_origin_is_one_call_over_h1_and_h2() {
    let server = RedirectServer::start();
    for version in VERSIONS {
        let c = connector(&server, version, 3, get("/hop/3?delay=15"));
        let r = common::run(c, 10, 2, &[]);
        let s = &r.summary;
        assert_eq!(
            statuses(&r),
            [("200".to_owned(), 10)],
            "{version:?}: {:?}",
            s.errors_by_kind
        );
        assert_eq!(
            (s.requests, s.errors, s.redirects),
            (10, 0, 0),
            "{version:?}"
        );
        assert_eq!(s.redirects_followed, 30, "{version:?}");
        assert!(
            s.latency_us.p50 >= 60_000,
            "{version:?}: {:?}",
            s.latency_us
        );
        let seen = server.take();
        let targets: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
        assert_eq!(seen.len(), 40, "{version:?}: {targets:?}");
        for hop in [
            "/hop/3?delay=15",
            "/hop/2?delay=15",
            "/hop/1?delay=15",
            "/hop/0?delay=15",
        ] {
            assert_eq!(
                targets.iter().filter(|t| **t == hop).count(),
                10,
                "{hop}: {targets:?}"
            );
        }
    }
}

/// 303 (and 302 after a POST) continue with a GET without the body and its content headers;
/// 307 and 308 repeat the POST with its body.
#[test]
fn methods_and_bodies_follow_the_status() {
    let server = RedirectServer::start();
    for version in VERSIONS {
        for (status, method, body) in [
            (303, "GET", ""),
            (302, "GET", ""),
            (307, "POST", "x=1"),
            (308, "POST", "x=1"),
        ] {
            let c = connector(
                &server,
                version,
                1,
                post(&format!("/hop/1?s={status}"), "x=1"),
            );
            let r = common::run(c, 1, 1, &[]);
            assert_eq!(
                statuses(&r),
                [("200".to_owned(), 1)],
                "{status} {version:?}"
            );
            let seen = server.take();
            let expected = Seen {
                method: method.into(),
                target: format!("/hop/0?s={status}"),
                body: body.into(),
            };
            assert_eq!(
                seen.get(1),
                Some(&expected),
                "{status} {version:?}: {seen:?}"
            );
        }
    }
}

/// More hops than allowed, and a loop, end the call with `too_many_redirects` (its last status
/// still counted as a 3xx); the loop is caught on its first repeat.
#[test]
fn a_chain_too_long_or_a_loop_is_an_error_of_its_own_kind() {
    let server = RedirectServer::start();
    for version in VERSIONS {
        let r = common::run(connector(&server, version, 2, get("/hop/5")), 4, 1, &[]);
        let s = &r.summary;
        assert_eq!(
            (s.errors, s.redirects, s.redirects_followed),
            (4, 4, 8),
            "{version:?}"
        );
        let e = &s.errors_by_kind["too_many_redirects"];
        assert!(
            e.sample
                .as_deref()
                .unwrap()
                .contains("more than 2 redirects"),
            "{e:?}"
        );
        assert_eq!(
            server.take().len(),
            12,
            "{version:?}: three requests per call"
        );

        let r = common::run(connector(&server, version, 20, get("/loop")), 3, 1, &[]);
        let e = &r.summary.errors_by_kind["too_many_redirects"];
        assert_eq!(e.count, 3);
        assert!(
            e.sample
                .as_deref()
                .unwrap()
                .contains("redirect loop: GET /loop"),
            "{e:?}"
        );
        assert_eq!(server.take().len(), 3, "{version:?}: one request per call");
    }
}

/// A redirect to another origin — here another port of the same machine — ends the call with
/// its 3xx, counted and flagged: "elsewhere" is never offered a connection.
#[test]
fn another_origin_is_never_contacted() {
    let server = RedirectServer::start();
    for version in VERSIONS {
        let r = common::run(connector(&server, version, 5, get("/away")), 5, 1, &[]);
        let s = &r.summary;
        assert_eq!(statuses(&r), [("302".to_owned(), 5)], "{version:?}");
        assert_eq!(
            (
                s.errors,
                s.redirects,
                s.redirects_offsite,
                s.redirects_followed
            ),
            (0, 5, 5, 0)
        );
    }
    assert_eq!(server.elsewhere_connections.load(Ordering::SeqCst), 0);
}

/// The scenario's `[http] follow_redirects` reaches the driver; without it (the default) a 3xx
/// ends the call as before.
#[test]
fn the_scenario_setting_is_used_and_off_by_default() {
    let server = RedirectServer::start();
    let scenario = |extra: &str| {
        let text = format!(
            "name = \"r\"\ntarget = \"{}\"\n[http]\nversion = \"2\"\n{extra}\n[request]\npath = \"/hop/2\"\n[load]\nrequests = 3\nworkers = 1\nmodel = \"closed\"\n",
            server.url()
        );
        Scenario::parse(&text, Path::new("r.toml"), &[], &|_| None).unwrap()
    };
    let r = common::run(
        scenario("follow_redirects = 2").connector().unwrap(),
        3,
        1,
        &[],
    );
    assert_eq!(statuses(&r), [("200".to_owned(), 3)]);
    assert_eq!(r.summary.redirects_followed, 6);
    let r = common::run(scenario("").connector().unwrap(), 3, 1, &[]);
    assert_eq!(statuses(&r), [("302".to_owned(), 3)]);
    assert_eq!((r.summary.redirects, r.summary.redirects_followed), (3, 0));
}
