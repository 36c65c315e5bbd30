//! `tailguard comment` against a local recording server that behaves like GitHub's REST API
//! (GitHub itself is out of reach from the machines this is tested on): comments are created,
//! listed page by page with Link headers, and edited; the server's state is replayed from the
//! requests it recorded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Output};

use common::recording::{Answer, Recording, Request};
use common::text;

const TOKEN: &str = "ghs_test_token_123";

/// The comments of PR 7 after `before`: `others` comments by other people, then what tailguard
/// created, with its edits applied.
fn comments(others: usize, before: &[Request]) -> Vec<(u64, String)> {
    let mut list: Vec<(u64, String)> = (0..others)
        .map(|i| (i as u64 + 1, format!("a comment by someone else #{i}")))
        .collect();
    for r in before.iter().filter(|r| authorized(r)) {
        let body = || {
            serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["body"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        if r.method == "POST" {
            list.push((1000 + list.len() as u64, body()));
        } else if r.method == "PATCH" {
            let id: u64 = r.path.rsplit('/').next().unwrap().parse().unwrap();
            list.iter_mut().find(|c| c.0 == id).unwrap().1 = body();
        }
    }
    list
}

fn authorized(r: &Request) -> bool {
    r.headers.get("authorization").map(String::as_str) == Some(&format!("Bearer {TOKEN}"))
}

fn github(others: usize) -> impl Fn(&Request, &[Request]) -> Answer + Send + Sync + 'static {
    move |req, before| {
        if !authorized(req) {
            return Answer::new(401, "application/json", r#"{"message":"Bad credentials"}"#);
        }
        let base = format!("http://{}", req.headers["host"]);
        let list = comments(others, before);
        let json = |id: u64, body: &str| {
            serde_json::json!({
                "id": id,
                "body": body,
                "html_url": format!("https://github.example/o/r/pull/7#issuecomment-{id}"),
            })
        };
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/repos/o/r/issues/7/comments") => {
                let per: usize = req.query.get("per_page").map_or(30, |v| v.parse().unwrap());
                let page: usize = req.query.get("page").map_or(1, |v| v.parse().unwrap());
                let items: Vec<serde_json::Value> = list
                    .iter()
                    .skip((page - 1) * per)
                    .take(per)
                    .map(|(id, b)| json(*id, b))
                    .collect();
                let mut a = Answer::new(
                    200,
                    "application/json",
                    serde_json::to_string(&items).unwrap(),
                );
                if page * per < list.len() {
                    a = a.header(
                        "Link",
                        format!(
                            r#"<{base}/repos/o/r/issues/7/comments?per_page={per}&page={}>; rel="next", <{base}/repos/o/r/issues/7/comments?per_page={per}&page=99>; rel="last""#,
                            page + 1
                        ),
                    );
                }
                a
            }
            ("POST", "/repos/o/r/issues/7/comments") => {
                let body = serde_json::from_str::<serde_json::Value>(&req.body).unwrap();
                let id = 1000 + list.len() as u64;
                Answer::new(
                    201,
                    "application/json",
                    json(id, body["body"].as_str().unwrap()).to_string(),
                )
            }
            ("PATCH", p) if p.starts_with("/repos/o/r/issues/comments/") => {
                let id: u64 = p.rsplit('/').next().unwrap().parse().unwrap();
                let body = serde_json::from_str::<serde_json::Value>(&req.body).unwrap();
                Answer::new(
                    200,
                    "application/json",
                    json(id, body["body"].as_str().unwrap()).to_string(),
                )
            }
            _ => Answer::new(404, "application/json", r#"{"message":"Not Found"}"#),
        }
    }
}

fn comment(server: &Recording, body_text: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("report.md");
    std::fs::write(&body, body_text).unwrap();
    Command::new(env!("CARGO_BIN_EXE_tailguard"))
        .args([
            "comment",
            "--repo",
            "o/r",
            "--pr",
            "7",
            "--api-url",
            &server.url(),
        ])
        .arg("--body")
        .arg(&body)
        .args(extra)
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .unwrap()
}

#[test]
fn creates_when_absent_updates_when_present_and_never_duplicates() {
    let server = Recording::start(github(230));
    let o = comment(&server, "## tailguard: PASS", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o)
            .contains("created the comment https://github.example/o/r/pull/7#issuecomment-1230"),
        "{}",
        text(&o)
    );
    let reqs = server.requests();
    let gets: Vec<&Request> = reqs.iter().filter(|r| r.method == "GET").collect();
    assert_eq!(gets.len(), 3, "230 comments = 3 pages of 100");
    assert_eq!(gets[2].query["page"], "3");
    assert!(reqs
        .iter()
        .all(|r| r.headers["authorization"] == format!("Bearer {TOKEN}")));
    assert!(reqs
        .iter()
        .all(|r| r.headers["user-agent"].starts_with("tailguard/")));
    assert_eq!(reqs.iter().filter(|r| r.method == "POST").count(), 1);

    let o = comment(&server, "## tailguard: FAIL\np99 +25%", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("updated the comment"), "{}", text(&o));
    let reqs = server.requests();
    assert_eq!(
        reqs.iter().filter(|r| r.method == "POST").count(),
        1,
        "never a second comment"
    );
    let patch = reqs.iter().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.path, "/repos/o/r/issues/comments/1230");
    let ours: Vec<(u64, String)> = comments(230, &reqs)
        .into_iter()
        .filter(|c| c.1.contains("<!-- tailguard:report -->"))
        .collect();
    assert_eq!(ours.len(), 1);
    assert!(
        ours[0].1.ends_with("## tailguard: FAIL\np99 +25%"),
        "{:?}",
        ours[0]
    );

    // A second report id is a comment of its own.
    let o = comment(&server, "criterion: PASS", &["--id", "criterion"]);
    assert!(text(&o).contains("created the comment"), "{}", text(&o));
    assert_eq!(comments(230, &server.requests()).len(), 232);
}

#[test]
fn retries_server_errors_and_rate_limits() {
    let inner = github(0);
    let server = Recording::start(move |req, before| match before.len() {
        0 => Answer::new(502, "text/html", "bad gateway"),
        1 => Answer::new(
            403,
            "application/json",
            r#"{"message":"API rate limit exceeded"}"#,
        )
        .header("x-ratelimit-remaining", "0")
        .header("retry-after", "0"),
        2 => Answer::new(
            429,
            "application/json",
            r#"{"message":"secondary rate limit"}"#,
        )
        .header("retry-after", "0"),
        _ => inner(req, &before[3..]),
    });
    let o = comment(&server, "body", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("created the comment"), "{}", text(&o));
    assert_eq!(server.requests().len(), 5, "3 failed GETs, 1 GET, 1 POST");
}

#[test]
fn a_read_only_token_gets_the_workflow_run_advice_and_no_token_is_printed() {
    let inner = github(0);
    let server = Recording::start(move |req, before| {
        if req.method == "POST" {
            Answer::new(
                403,
                "application/json",
                r#"{"message":"Resource not accessible by integration"}"#,
            )
        } else {
            inner(req, before)
        }
    });
    let o = comment(&server, "body", &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains("Resource not accessible by integration") && t.contains("workflow_run"),
        "{t}"
    );
    assert!(!t.contains(TOKEN), "{t}");

    let o = Command::new(env!("CARGO_BIN_EXE_tailguard"))
        .args([
            "comment",
            "--repo",
            "o/r",
            "--pr",
            "7",
            "--body",
            "/nonexistent.md",
        ])
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("/nonexistent.md"), "{}", text(&o));
}
