//! `tailguard report` over several verdict files (the gate's and criterion's, as the PR comment
//! shows them) with the commits and the run, and verdict data written by a hostile PR rendered
//! inert in the markdown the trusted comment job posts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::verdicts::verdict;
use common::{tailguard, text};
use tailguard::report::{html, markdown, outline};
use tailguard::verdict::VerdictReport;

const BASE: &str = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const HEAD: &str = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const RUN: &str = "https://github.com/o/r/actions/runs/42";

fn write(dir: &Path, name: &str, v: &VerdictReport) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string(v).unwrap()).unwrap();
    p
}

fn report(args: &[&Path], flags: &[&str]) -> (Option<i32>, String, String) {
    let mut all: Vec<&str> = vec!["report"];
    all.extend(args.iter().map(|p| p.to_str().unwrap()));
    all.extend_from_slice(flags);
    let o = tailguard(&all);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        text(&o),
    )
}

#[test]
fn several_verdicts_are_one_report_headed_by_the_worst_with_both_commits_and_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let gate = write(
        dir.path(),
        "verdict-1.json",
        &verdict(&["http-get"], 3, 1.0),
    );
    let bench = write(dir.path(), "criterion.json", &verdict(&["parse"], 3, 1.25));
    let flags = ["--base-sha", BASE, "--head-sha", HEAD, "--run-url", RUN];
    for order in [[&gate, &bench], [&bench, &gate]] {
        let (code, md, all) = report(&[order[0], order[1]], &flags);
        assert_eq!(code, Some(0), "{all}");
        let first = md.lines().next().unwrap();
        assert!(
            first.starts_with("## ❌ tailguard: p") && first.contains("of parse"),
            "{first}"
        );
        assert!(
            md.contains("### ✅ `http-get`") && md.contains("### ❌ `parse`"),
            "{md}"
        );
        assert!(
            md.contains(&format!(
                "base `{BASE}` · head `{HEAD}` · [workflow run]({RUN})"
            )),
            "{md}"
        );
        assert!(
            md.contains("| PR 2222222 |"),
            "the head side is labelled with its commit: {md}"
        );
    }

    // The HTML page is the same document: the commits, the run and the tally are on it too.
    let mut html_flags = flags.to_vec();
    html_flags.extend(["--format", "html"]);
    let (code, page, all) = report(&[&gate, &bench], &html_flags);
    assert_eq!(code, Some(0), "{all}");
    assert!(
        page.contains(&format!(
            "<p>base <code>{BASE}</code> · head <code>{HEAD}</code> · \
             <a href=\"{RUN}\">workflow run</a></p>"
        )),
        "{page}"
    );
    assert!(page.contains("2 scenarios · main: <code>"), "{page}");
    assert!(page.contains("❌ 1 fail · ✅ 1 pass</p>"), "{page}");

    // Interleaved sides (no stored baseline) are both labelled with their commits.
    let mut v = verdict(&["http-get"], 3, 1.0);
    v.baseline_source = "http://127.0.0.1:18080".into();
    let inter = write(dir.path(), "inter.json", &v);
    let (_, md, _) = report(&[&inter], &flags);
    assert!(
        md.contains("| metric | base 1111111 | head 2222222 |"),
        "{md}"
    );

    // A failed run whose verdicts pass says so instead of "no regression" alone.
    let (_, md, _) = report(&[&gate], &["--conclusion", "failure", "--run-url", RUN]);
    assert!(md.starts_with("## ✅"), "{md}");
    assert!(md.contains("> ❌ The check concluded `failure`"), "{md}");
    let (_, md, _) = report(&[&gate], &["--conclusion", "success"]);
    assert!(!md.contains("concluded"), "{md}");

    // JSON carries the commits; a verdict file's own provenance is never used.
    let mut forged = verdict(&["http-get"], 3, 1.0);
    forged.provenance = Some(tailguard::verdict::Provenance {
        run_url: Some("https://evil.example/run".into()),
        ..Default::default()
    });
    let forged = write(dir.path(), "forged.json", &forged);
    let (_, md, _) = report(&[&forged], &[]);
    assert!(!md.contains("evil.example"), "{md}");
}

#[test]
fn bad_commit_run_or_conclusion_flags_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let gate = write(dir.path(), "v.json", &verdict(&["http-get"], 3, 1.0));
    for (flag, value) in [
        ("--base-sha", "main"),
        ("--head-sha", "12345"),
        ("--run-url", "javascript:alert(1)"),
        ("--run-url", "https://x/y)[z"),
        ("--conclusion", "Failure ✅"),
    ] {
        let (code, _, all) = report(&[&gate], &[flag, value]);
        assert_eq!(code, Some(2), "{flag} {value}: {all}");
        assert!(all.contains(flag) && all.contains(value), "{all}");
    }
    let (code, _, all) = report(&[], &[]);
    assert_eq!(code, Some(2), "{all}");
}

#[test]
fn hostile_strings_in_a_verdict_stay_inert_in_the_markdown() {
    let mut v = verdict(&["x"], 3, 1.25);
    v.scenarios[0].scenario = "x`\n## ✅ forged [a](https://evil.example)".into();
    v.scenarios[0].reason = Some(
        "ok\n\n## ✅ forged ![i](https://evil.example/i.png) [b][c] <img src=x> @org/team \
         see www.evil.example WWW.evil.example | `code` &#64;user fixes #12 and o/r#3"
            .into(),
    );
    v.baseline_source = "store:main`\n# forged".into();
    let md = markdown::render(&outline::document(&v, &[]));
    for line in md.lines() {
        assert!(
            !line.starts_with("## ✅") && !line.starts_with("# forged"),
            "{line}"
        );
    }
    let reason = md.lines().find(|l| l.starts_with("> ")).unwrap();
    for inert in [
        "\\](https",
        "\\][c]",
        "&lt;img",
        "@\u{2060}org",
        "www\u{2060}.",
        "WWW\u{2060}.",
        "&amp;#\u{2060}64;user",
        "#\u{2060}12",
        "o/r#\u{2060}3",
        "\\|",
        "\\`",
    ] {
        assert!(reason.contains(inert), "{inert:?} in {reason}");
    }
    assert!(!reason.contains("https://"), "{reason}");
    let heading = md.lines().find(|l| l.starts_with("### ")).unwrap();
    assert_eq!(heading.matches('`').count(), 2, "one code span: {heading}");
    assert_eq!(md.matches("```").count() % 2, 0, "fences stay paired");
    let mermaid_title = md
        .lines()
        .find(|l| l.trim_start().starts_with("title"))
        .unwrap();
    assert!(!mermaid_title.contains('`'), "{mermaid_title}");

    // The same document as HTML: every string escaped, nothing linked but a plain run URL.
    let page = html::render(&outline::document(&v, &[]));
    assert!(page.contains("&lt;img src=x&gt;"), "{page}");
    assert!(!page.contains("<img") && !page.contains("<a "), "{page}");
}
