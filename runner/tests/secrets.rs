//! Values a scenario takes from the environment never leave the process: a loopback GraphQL
//! server echoes every request (line, headers, body) back in its error message, and none of the
//! secrets may appear in the terminal, the result, the file store, the verdict or the report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

use common::text;

const TOKEN: &str = "tok-5ec2e7-abc";
const KEY: &str = "key-9d1f00";
const VAR: &str = "var-c0ffee-42";
const TENANT: &str = "tenant-7f3a9c";
const SECRETS: [&str; 4] = [TOKEN, KEY, VAR, TENANT];

const SCENARIO: &str = r#"name = "secrets"
protocol = "graphql"
target = "${TG_TARGET}"

[request]
query = "query Q($k: String) { q(k: $k) }"
variables = { k = "${TG_VAR}" }
headers = { authorization = "Bearer ${TG_TOKEN}", x-api-key = "${TG_KEY}" }

[load]
rate = 20
duration = "500ms"
connections = 1
"#;

/// A server on loopback that answers every request with a GraphQL error quoting the request.
/// Its threads end when the test process does.
fn echo_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                loop {
                    let mut head = String::new();
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                        head.push_str(&line);
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let echo = format!("you sent: {head}{}", String::from_utf8_lossy(&body));
                    let json = serde_json::json!({ "errors": [{ "message": echo }] }).to_string();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{json}",
                        json.len()
                    );
                    if writer.write_all(response.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

fn tailguard(args: &[&str], target: &str) -> Output {
    tailguard_with(args, target, None)
}

/// `tailguard`, with `TAILGUARD_TARGET` set when `env_target` is given.
fn tailguard_with(args: &[&str], target: &str, env_target: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tailguard"));
    match env_target {
        Some(t) => command.env("TAILGUARD_TARGET", t),
        None => command.env_remove("TAILGUARD_TARGET"),
    };
    command
        .args(args)
        .env("TG_TARGET", target)
        .env("TG_TOKEN", TOKEN)
        .env("TG_KEY", KEY)
        .env("TG_VAR", VAR)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap()
}

/// Every file below `dir`, as text.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            out.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    out
}

fn assert_no_secret(place: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{place} leaks {s}:\n{text}");
    }
}

#[test]
fn secrets_echoed_by_the_server_appear_nowhere() {
    let target = format!("{}/graphql?tenant={TENANT}", echo_server());
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = work.join("r.json");
    let store = work.join("store");
    let run = tailguard(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--quiet",
            "--out",
            out.to_str().unwrap(),
            "--save",
            "--branch",
            "main",
            "--store-dir",
            store.to_str().unwrap(),
        ],
        &target,
    );
    // Every call failed with the echo, so the error SLO-free run still exits 0 or 1; what
    // matters is where the text went.
    assert!(matches!(run.status.code(), Some(0 | 1)), "{}", text(&run));
    let result = std::fs::read_to_string(&out).unwrap();
    assert!(
        result.contains("you sent: POST <redacted>") && result.contains("Bearer <redacted>"),
        "the server's echo is in the error sample, masked:\n{result}"
    );
    let compare = tailguard(
        &[
            "compare",
            "--baseline",
            out.to_str().unwrap(),
            "--candidate",
            out.to_str().unwrap(),
            "--out",
            work.join("verdict.json").to_str().unwrap(),
            "--report-dir",
            work.join("report").to_str().unwrap(),
        ],
        &target,
    );
    assert!(work.join("verdict.json").exists(), "{}", text(&compare));
    for (name, o) in [("run", &run), ("compare", &compare)] {
        assert_no_secret(&format!("{name}'s output"), &text(o));
    }
    let written = files(&work);
    assert!(written.len() >= 4, "{written:?}");
    for (path, content) in &written {
        assert_no_secret(path, content);
    }
}

#[test]
fn secrets_in_a_refused_target_stay_out_of_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let o = tailguard(
        &["run", scenario.to_str().unwrap(), "--quiet"],
        &format!("ftp://{TENANT}.internal/graphql"),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("target"), "{}", text(&o));
    assert_no_secret("the error", &text(&o));
}

/// `TAILGUARD_TARGET` is an environment value like any `${VAR}` of the scenario: the target it
/// names (a tenant in its query here) appears nowhere the run writes or prints.
#[test]
fn a_target_from_tailguard_target_is_a_secret() {
    let target = format!("{}/graphql?tenant={TENANT}", echo_server());
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        SCENARIO.replace("${TG_TARGET}", "http://127.0.0.1:1"),
    )
    .unwrap();
    let out = work.join("r.json");
    let o = tailguard_with(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        "unused",
        Some(&target),
    );
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    let result = std::fs::read_to_string(&out).unwrap();
    assert!(result.contains("you sent: POST <redacted>"), "{result}");
    assert_no_secret("the output", &text(&o));
    for (path, content) in &files(&work) {
        assert_no_secret(path, content);
    }
}

/// A refused target from `TAILGUARD_TARGET` names the variable, never `--target` (not given)
/// nor the value.
#[test]
fn a_refused_tailguard_target_names_the_variable_not_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let bad = format!("ftp://{TENANT}.internal/graphql");
    let o = tailguard_with(
        &["run", scenario.to_str().unwrap(), "--quiet"],
        "http://127.0.0.1:1",
        Some(&bad),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let message = text(&o);
    assert!(message.contains("TAILGUARD_TARGET"), "{message}");
    assert!(!message.contains("--target"), "{message}");
    assert_no_secret("the error", &message);
}
