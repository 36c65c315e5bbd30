use super::*;
use crate::driver::route::ConnectOptions;

fn endpoint(target: &str) -> Endpoint {
    Endpoint::new(target, &ConnectOptions::default(), &[b"http/1.1"]).unwrap()
}

fn hop(method: Method, target: &str) -> Hop {
    Hop {
        method,
        target: target.to_owned(),
        body: true,
    }
}

#[test]
fn locations_resolve_against_the_current_request_on_the_same_origin_only() {
    let e = endpoint("http://127.0.0.1:8080/base");
    let here = |t: &str| Leads::Here(t.to_owned());
    let cur = "/base/a/b?x=1";
    for (location, leads) in [
        ("/login", here("/login")),
        ("/login?next=%2Fa#frag", here("/login?next=%2Fa")),
        ("c", here("/base/a/c")),
        ("./c?y", here("/base/a/c?y")),
        ("../c", here("/base/c")),
        ("../../../../c", here("/c")),
        ("..", here("/base/")),
        ("?y=2", here("/base/a/b?y=2")),
        ("", here(cur)),
        ("http://127.0.0.1:8080/x", here("/x")),
        ("HTTP://127.0.0.1:8080", here("/")),
        ("//127.0.0.1:8080/x", here("/x")),
        // Another scheme, host (even one naming the same machine) or port is another origin.
        ("https://127.0.0.1:8080/x", Leads::Elsewhere),
        ("http://localhost:8080/x", Leads::Elsewhere),
        ("http://127.0.0.1:8081/x", Leads::Elsewhere),
        ("http://127.0.0.1/x", Leads::Elsewhere),
        ("//example.com/x", Leads::Elsewhere),
        ("mailto:a@example.com", Leads::Elsewhere),
        ("/a b", Leads::Invalid),
        ("http://[::1/x", Leads::Invalid),
    ] {
        assert_eq!(resolve(location, cur, &e), leads, "{location:?}");
    }
    // The scheme's default port is the port of a URL without one.
    let e = endpoint("http://127.0.0.1/");
    assert_eq!(
        resolve("http://127.0.0.1:80/x", "/", &e),
        Leads::Here("/x".into())
    );
}

#[test]
fn methods_change_as_browsers_and_curl_change_them() {
    let post = Method::POST;
    assert_eq!(next_method(301, &post), (Method::GET, false));
    assert_eq!(next_method(302, &post), (Method::GET, false));
    assert_eq!(next_method(303, &post), (Method::GET, false));
    assert_eq!(next_method(307, &post), (Method::POST, true));
    assert_eq!(next_method(308, &post), (Method::POST, true));
    assert_eq!(next_method(303, &Method::PUT), (Method::GET, false));
    assert_eq!(next_method(302, &Method::PUT), (Method::PUT, true));
    assert_eq!(next_method(303, &Method::HEAD), (Method::HEAD, true));
    assert!(!is_followed(300) && !is_followed(304) && is_followed(308));
}

fn redirect(status: u16) -> Outcome {
    Outcome::http(status, 10)
}

#[test]
fn a_chain_follows_up_to_its_limit_and_sums_its_responses() {
    let e = endpoint("http://127.0.0.1:8080");
    let first = hop(Method::POST, "/a");
    let mut chain = Chain::new(2, &first);
    let mut opened = redirect(302);
    opened.opened = true;
    let second = chain.next(opened, Some("/b"), &first, &e).unwrap();
    assert_eq!(
        second,
        Hop {
            method: Method::GET,
            target: "/b".into(),
            body: false
        }
    );
    // A 307 keeps the method, but a body once dropped stays dropped.
    let third = chain.next(redirect(307), Some("/c"), &second, &e).unwrap();
    assert_eq!(
        third,
        Hop {
            method: Method::GET,
            target: "/c".into(),
            body: false
        }
    );
    let done = chain
        .next(redirect(302), Some("/d"), &third, &e)
        .unwrap_err();
    assert_eq!(done.error, Some(ErrorKind::TooManyRedirects));
    assert!(done
        .message
        .as_deref()
        .unwrap()
        .contains("more than 2 redirects"));
    assert_eq!((done.redirects, done.bytes, done.opened), (2, 30, true));
    assert_eq!(done.status, Some(Status::Http(302)));
}

#[test]
fn a_chain_ends_on_a_loop_an_offsite_location_or_a_final_response() {
    let e = endpoint("http://127.0.0.1:8080");
    let first = hop(Method::GET, "/a");
    let mut chain = Chain::new(20, &first);
    let b = chain.next(redirect(301), Some("/b"), &first, &e).unwrap();
    let looped = chain.next(redirect(301), Some("/a"), &b, &e).unwrap_err();
    assert_eq!(looped.error, Some(ErrorKind::TooManyRedirects));
    assert!(looped.message.unwrap().contains("redirect loop: GET /a"));

    let mut chain = Chain::new(20, &first);
    let away = chain.next(redirect(302), Some("http://10.0.0.1/"), &first, &e);
    let away = away.unwrap_err();
    assert!(away.offsite && away.is_ok() && away.redirects == 0);

    for (outcome, location) in [
        (Outcome::http(200, 1), Some("/b")),
        (redirect(304), Some("/b")),
        (redirect(302), None),
        (Outcome::failed(ErrorKind::Reset, "reset"), None),
    ] {
        let mut chain = Chain::new(20, &first);
        let status = outcome.status;
        let done = chain.next(outcome, location, &first, &e).unwrap_err();
        assert_eq!((done.status, done.offsite), (status, false));
    }
    let mut chain = Chain::new(20, &first);
    let bad = chain
        .next(redirect(302), Some("/a b"), &first, &e)
        .unwrap_err();
    assert_eq!(bad.error, Some(ErrorKind::Protocol));
}
