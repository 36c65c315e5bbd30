//! `tailguard comment` against a simulated GitHub REST API (`common/github.rs`; GitHub itself is
//! out of reach from the machines this is tested on): created once and updated after, over
//! pages of other comments; and the hostile cases of a `workflow_run` job that reads a fork's
//! artifact: someone else's comment carrying the marker, a head that moved, a PR number that is
//! not the PR that ran, a POST whose answer is lost after GitHub stored it, an empty body.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Output};
use std::time::Duration;

use common::github::{FakeGithub, Fault, State, ACTIONS_BOT, TOKEN};
use common::recording::Answer;
use common::text;

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
const OTHER_SHA: &str = "fedcba9876543210fedcba9876543210fedcba98";
const MARKER: &str = "<!-- tailguard:report -->";

fn comment_at(url: &str, pr: &str, body_text: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("report.md");
    std::fs::write(&body, body_text).unwrap();
    Command::new(env!("CARGO_BIN_EXE_tailguard"))
        .args(["comment", "--repo", "o/r", "--pr", pr, "--api-url", url])
        .arg("--body")
        .arg(&body)
        .args(extra)
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .unwrap()
}

fn comment(gh: &FakeGithub, body_text: &str, extra: &[&str]) -> Output {
    comment_at(&gh.server.url(), "7", body_text, extra)
}

/// Comments by `author` carrying the marker.
fn ours(gh: &FakeGithub, author: &str) -> Vec<String> {
    gh.comments()
        .into_iter()
        .filter(|c| c.author == author && c.body.contains(MARKER))
        .map(|c| c.body)
        .collect()
}

#[test]
fn creates_when_absent_updates_when_present_and_never_duplicates() {
    let gh = FakeGithub::start(State::new(230, SHA));
    let o = comment(&gh, "## tailguard: PASS", &["--head-sha", SHA]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o)
            .contains("created the comment https://github.example/o/r/pull/7#issuecomment-1230"),
        "{}",
        text(&o)
    );
    let reqs = gh.server.requests();
    let pages: Vec<_> = reqs
        .iter()
        .filter(|r| r.path.ends_with("/comments"))
        .collect();
    assert_eq!(
        pages.len(),
        4,
        "230 comments = 3 pages of 100, then the POST"
    );
    assert_eq!(pages[2].query["page"], "3");
    assert!(reqs
        .iter()
        .all(|r| r.headers["user-agent"].starts_with("tailguard/")));

    let o = comment(&gh, "## tailguard: FAIL\np99 +25%", &["--head-sha", SHA]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("updated the comment"), "{}", text(&o));
    assert_eq!(gh.count("POST"), 1, "never a second comment");
    let bodies = ours(&gh, ACTIONS_BOT);
    assert_eq!(bodies, [format!("{MARKER}\n## tailguard: FAIL\np99 +25%")]);

    // A second report id is a comment of its own.
    let o = comment(&gh, "criterion: PASS", &["--id", "criterion"]);
    assert!(text(&o).contains("created the comment"), "{}", text(&o));
    assert_eq!(gh.comments().len(), 232);
}

#[test]
fn someone_elses_comment_carrying_the_marker_is_never_edited() {
    let mut state = State::new(3, SHA);
    let forged = format!("{MARKER}\n## ✅ tailguard: no regression (posted by mallory)");
    state.comments.push(common::github::Comment {
        id: 50,
        author: "mallory".into(),
        body: forged.clone(),
    });
    // A user token of a bot account: GitHub Actions' own comments are someone else's too.
    state.comments.push(common::github::Comment {
        id: 51,
        author: ACTIONS_BOT.into(),
        body: format!("{MARKER}\nfrom another workflow"),
    });
    state.user = Some("perf-bot".into());
    let gh = FakeGithub::start(state);
    for body in ["## ❌ tailguard: p99 +40%", "## ❌ tailguard: p99 +41%"] {
        let o = comment(&gh, body, &[]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    assert_eq!(gh.count("POST"), 1);
    let reqs = gh.server.requests();
    let patched: Vec<&str> = reqs
        .iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(patched, ["/repos/o/r/issues/comments/1005"]);
    let all = gh.comments();
    assert_eq!(all.iter().find(|c| c.id == 50).unwrap().body, forged);
    assert_eq!(
        ours(&gh, "perf-bot"),
        [format!("{MARKER}\n## ❌ tailguard: p99 +41%")]
    );
}

#[test]
fn a_moved_head_or_another_repository_or_an_issue_is_refused_before_any_write() {
    let gh = FakeGithub::start(State::new(2, OTHER_SHA));
    let o = comment(&gh, "## report", &["--head-sha", SHA]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains(SHA) && t.contains(OTHER_SHA) && t.contains("#7"),
        "{t}"
    );

    gh.state.lock().unwrap().head_sha = SHA.into();
    let o = comment(
        &gh,
        "## report",
        &["--head-sha", SHA, "--head-repo", "fork/r"],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("fork/r@") && t.contains("o/r@"), "{t}");

    gh.state.lock().unwrap().head_repo = None;
    let o = comment(&gh, "## report", &["--head-sha", SHA, "--head-repo", "o/r"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("deleted"), "{}", text(&o));

    // Issue 8 is not a pull request: no head, no comment.
    let o = comment_at(&gh.server.url(), "8", "## report", &["--head-sha", SHA]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("404"), "{}", text(&o));

    let writes = gh.count("POST") + gh.count("PATCH");
    assert_eq!(writes, 0, "nothing written");
    assert!(gh.server.requests().iter().all(|r| r.method == "GET"));

    gh.state.lock().unwrap().head_repo = Some("O/R".into());
    let o = comment(&gh, "## report", &["--head-sha", SHA, "--head-repo", "o/r"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn a_post_github_stored_but_answered_late_or_with_502_is_not_posted_twice() {
    let mut state = State::new(1, SHA);
    state
        .faults
        .push_back(Fault::StoredLate(Duration::from_secs(3)));
    let gh = FakeGithub::start(state);
    let o = comment(&gh, "## late", &["--timeout", "1s"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("created the comment"), "{}", text(&o));
    assert_eq!(gh.count("POST"), 1, "found again instead of posted again");
    assert_eq!(ours(&gh, ACTIONS_BOT).len(), 1);

    let mut state = State::new(1, SHA);
    state.faults.push_back(Fault::Stored502);
    let gh = FakeGithub::start(state);
    let o = comment(&gh, "## 502", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!((gh.count("POST"), ours(&gh, ACTIONS_BOT).len()), (1, 1));

    // Lost for real: found nowhere, so it is posted again, once.
    let mut state = State::new(1, SHA);
    state.faults.push_back(Fault::Lost502);
    let gh = FakeGithub::start(state);
    let o = comment(&gh, "## lost", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!((gh.count("POST"), ours(&gh, ACTIONS_BOT).len()), (2, 1));
}

#[test]
fn an_empty_body_or_a_bad_sha_is_refused_before_any_request() {
    let gh = FakeGithub::start(State::new(0, SHA));
    for body in ["", " \n\t\n"] {
        let o = comment(&gh, body, &[]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains("empty"), "{}", text(&o));
    }
    let o = comment(&gh, "## report", &["--head-sha", "main"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("--head-sha") && text(&o).contains("main"),
        "{}",
        text(&o)
    );
    assert!(gh.server.requests().is_empty());
}

#[test]
fn retries_reads_on_server_errors_and_rate_limits() {
    let mut state = State::new(0, SHA);
    state.canned.extend([
        Answer::new(502, "text/html", "bad gateway"),
        Answer::new(
            403,
            "application/json",
            r#"{"message":"API rate limit exceeded"}"#,
        )
        .header("x-ratelimit-remaining", "0")
        .header("retry-after", "0"),
        Answer::new(
            429,
            "application/json",
            r#"{"message":"secondary rate limit"}"#,
        )
        .header("retry-after", "0"),
    ]);
    let gh = FakeGithub::start(state);
    let o = comment(&gh, "body", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("created the comment"), "{}", text(&o));
    let gets = gh
        .server
        .requests()
        .iter()
        .filter(|r| r.path == "/user")
        .count();
    assert_eq!(gets, 4, "GET /user three times in vain, then answered");
    assert_eq!(gh.count("POST"), 1);
}

#[test]
fn a_read_only_token_gets_the_workflow_run_advice_and_no_token_is_printed() {
    let mut state = State::new(0, SHA);
    state.read_only = true;
    let gh = FakeGithub::start(state);
    let o = comment(&gh, "body", &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains("Resource not accessible by integration") && t.contains("workflow_run"),
        "{t}"
    );
    assert!(!t.contains(TOKEN), "{t}");
    assert_eq!(gh.count("POST"), 1, "a definite refusal is not retried");

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
