//! Bad input, table-driven: every case runs the real `tailguard` binary and asserts exit 2 and
//! the key words of the message (the file, line and field, or the flag and its value). No case
//! sends load: each must be refused before. The scenario's target is a loopback listener this
//! test holds (never accepting), so a check that regressed cannot reach another service.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::TcpListener;
use std::path::Path;

use common::verdicts::run;
use tailguard::store::file::FileStore;
use tailguard::store::{BranchName, Store};

/// The valid scenario each case starts from; `PORT` becomes the listener's port.
const BASE: &str = r#"name = "bad"
target = "http://127.0.0.1:PORT"

[request]
path = "/"

[load]
rate = 10
duration = "1s"
connections = 1
"#;

/// One bad input.
struct Case {
    /// What it is about (in failure messages).
    what: &'static str,
    /// `(find, replace)` edits of [`BASE`]; `None` keeps the file as is.
    edit: Option<(&'static str, &'static str)>,
    /// Arguments; `{s}` is the scenario, `{d}` a scratch directory, `{a}`/`{b}` results of
    /// scenarios "a" and "b", `{partial}` a cancelled run of "a", `{store}` a store holding
    /// main's runs of "a", `{empty}` an empty directory, `{file}` a regular file.
    args: &'static [&'static str],
    /// Words the output must contain (case-sensitive).
    words: &'static [&'static str],
}

const fn case(
    what: &'static str,
    edit: Option<(&'static str, &'static str)>,
    args: &'static [&'static str],
    words: &'static [&'static str],
) -> Case {
    Case {
        what,
        edit,
        args,
        words,
    }
}

const RUN: &[&str] = &["run", "{s}", "--quiet"];

#[rustfmt::skip]
fn scenario_cases() -> Vec<Case> {
    vec![
        case("toml syntax", Some(("name = \"bad\"", "name = \"bad")), RUN, &["s.toml:1:"]),
        case("missing name", Some(("name = \"bad\"\n", "")), RUN, &["s.toml:", "`name`"]),
        case("empty name", Some(("name = \"bad\"", "name = \" \"")), RUN, &["s.toml:1:", "name", "must not be empty"]),
        case("unknown field", Some(("connections = 1", "conections = 1")), RUN, &["s.toml:10:", "unknown field", "conections"]),
        case("rate zero", Some(("rate = 10", "rate = 0")), RUN, &["s.toml:8:", "load.rate", "> 0"]),
        case("rate negative", Some(("rate = 10", "rate = -5")), RUN, &["s.toml:8:", "load.rate"]),
        case("rate and stages", Some(("rate = 10", "rate = 10\nstages = [{ rate = 5, duration = \"1s\" }]")), RUN, &["load.stages", "not both"]),
        case("stages of no time", Some(("rate = 10\nduration = \"1s\"", "stages = [{ rate = 5, duration = \"0s\" }]")), RUN, &["load.stages", "no time"]),
        case("stages of rate 0", Some(("rate = 10\nduration = \"1s\"", "stages = [{ rate = 0, duration = \"2s\" }]")), RUN, &["load.stages", "rate 0"]),
        case("target with user info", Some(("http://127.0.0.1:PORT", "http://u:pw@127.0.0.1:PORT")), RUN, &["target", "user info"]),
        case("target port with a sign", Some(("127.0.0.1:PORT", "127.0.0.1:+80")), RUN, &["target", "\"+80\""]),
        case("--out is the scenario", None, &["run", "{s}", "--quiet", "--out", "{s}"], &["--out", "the scenario file"]),
        case("no duration", Some(("duration = \"1s\"\n", "")), RUN, &["load.duration", "`requests`"]),
        case("requests zero", Some(("duration = \"1s\"", "requests = 0")), RUN, &["s.toml:9:", "load.requests", ">= 1"]),
        case("duration zero", Some(("duration = \"1s\"", "duration = \"0s\"")), RUN, &["s.toml:9:", "load.duration", "must be > 0"]),
        case("warm-up of ages", Some(("duration = \"1s\"", "duration = \"1s\"\nwarmup = \"500000000y\"")), RUN, &["s.toml:10:", "load.warmup", "longer than a year"]),
        case("timeout in seconds of ages", Some(("duration = \"1s\"", "duration = \"1s\"\ntimeout = 1e15")), RUN, &["s.toml:10:", "load.timeout", "longer than a year"]),
        case("duration text", Some(("duration = \"1s\"", "duration = \"10 parsecs\"")), RUN, &["s.toml:9:", "load.duration", "invalid duration"]),
        case("connections zero", Some(("connections = 1", "connections = 0")), RUN, &["s.toml:10:", "load.connections", ">= 1"]),
        case("timeout zero", Some(("connections = 1", "connections = 1\ntimeout = \"0s\"")), RUN, &["load.timeout", "> 0"]),
        case("workers in open model", Some(("connections = 1", "workers = 4")), RUN, &["load.workers", "closed model"]),
        case("closed model with rate", Some(("rate = 10", "model = \"closed\"\nrate = 10")), RUN, &["load.rate", "closed model"]),
        case("no request", Some(("[request]\npath = \"/\"\n", "")), RUN, &["request", "needs a [request]"]),
        case("request and requests", Some(("[load]", "[[requests]]\npath = \"/x\"\n\n[load]")), RUN, &["requests", "not both"]),
        case("duplicate names", Some(("[request]\npath = \"/\"", "[[requests]]\nname = \"x\"\n[[requests]]\nname = \"x\"")), RUN, &["requests", "two requests are named \"x\""]),
        case("weight zero", Some(("path = \"/\"", "path = \"/\"\nweight = 0")), RUN, &["request.weight", "> 0"]),
        case("env var missing", Some(("http://127.0.0.1:PORT", "${TAILGUARD_TEST_UNSET_VAR}")), RUN, &["s.toml:2:", "target", "TAILGUARD_TEST_UNSET_VAR"]),
        case("data file missing", Some(("[load]", "[data]\nfile = \"nope.csv\"\n\n[load]")), RUN, &["data.file", "nope.csv"]),
        case("gate method", Some(("[load]", "[gate]\nmethod = \"magic\"\n\n[load]")), RUN, &["gate", "unknown method \"magic\""]),
        case("gate metric", Some(("[load]", "[gate]\nmetrics = [\"p100\"]\n\n[load]")), RUN, &["gate.metrics", "unknown metric \"p100\""]),
        case("grpc without method", Some(("\n[request]\npath = \"/\"", "protocol = \"grpc\"\n\n[request]\nname = \"g\"")), RUN, &["request.method", "package.Service/Method"]),
        case("graphql without query", Some(("\n[request]\npath = \"/\"", "protocol = \"graphql\"\n\n[request]\nname = \"q\"")), RUN, &["request", "needs `query`"]),
        case("follow_redirects too many", Some(("[load]", "[http]\nfollow_redirects = 21\n\n[load]")), RUN, &["s.toml:8:", "http.follow_redirects", "21 is more than 20"]),
        case("follow_redirects negative", Some(("[load]", "[http]\nfollow_redirects = -1\n\n[load]")), RUN, &["s.toml:8:", "follow_redirects", "-1"]),
        case("follow_redirects text", Some(("[load]", "[http]\nfollow_redirects = \"yes\"\n\n[load]")), RUN, &["s.toml:8:", "follow_redirects"]),
        case("follow_redirects for grpc", Some(("\n[request]\npath = \"/\"", "protocol = \"grpc\"\n\n[http]\nfollow_redirects = 1\n\n[request]\nmethod = \"a.B/C\"")), RUN, &["s.toml:6:", "http.follow_redirects", "gRPC does not redirect"]),
        case("scenario missing", None, &["run", "{d}/missing.toml"], &["missing.toml"]),
    ]
}

#[rustfmt::skip]
fn slo_cases() -> Vec<Case> {
    let slo = |what, text: &'static str, words| {
        let edit: &'static str =
            Box::leak(format!("slo = [{text:?}]\n\n[request]").into_boxed_str());
        case(what, Some(("[request]", edit)), RUN, words)
    };
    vec![
        slo("slo without comparison", "p99 200ms", &["s.toml:4:", "slo[0]", "no comparison"]),
        slo("slo unknown metric", "latency < 1s", &["slo[0]", "unknown metric"]),
        slo("slo error rate over 100%", "error_rate < 150%", &["s.toml:4:", "slo[0]", "can never fail", "between 0% and 100%"]),
        slo("slo error rate <= 100%", "error_rate <= 100%", &["slo[0]", "can never fail"]),
        slo("slo negative rps", "rps > -1", &["slo[0]", "can never fail", "never negative"]),
        slo("slo latency >= 0", "p99 >= 0ms", &["slo[0]", "can never fail"]),
        slo("slo latency below 0", "p99 < 0ms", &["slo[0]", "can never hold"]),
        slo("slo infinite rps", "rps < inf", &["slo[0]", "finite"]),
    ]
}

#[rustfmt::skip]
fn target_cases() -> Vec<Case> {
    let target = |what, url: &'static str, words| {
        let edit: &'static str = Box::leak(format!("target = {url:?}").into_boxed_str());
        case(what, Some(("target = \"http://127.0.0.1:PORT\"", edit)), RUN, words)
    };
    vec![
        target("port out of range", "http://127.0.0.1:99999", &["s.toml:2:", "target", "port \"99999\"", "1-65535"]),
        target("port zero", "http://127.0.0.1:0/", &["target", "port \"0\""]),
        target("no host", "http://:8080", &["s.toml:2:", "target", "no host"]),
        target("unsupported scheme", "ftp://127.0.0.1:21", &["target", "unsupported scheme \"ftp\""]),
        target("no scheme", "127.0.0.1:8080", &["target", "no scheme"]),
        target("grpc scheme", "grpc://127.0.0.1:50051", &["target", "unsupported scheme \"grpc\""]),
    ]
}

#[rustfmt::skip]
fn flag_cases() -> Vec<Case> {
    let run = |what, extra: &'static [&'static str], words| {
        let args: Vec<&'static str> = RUN.iter().chain(extra).copied().collect();
        case(what, None, Box::leak(args.into_boxed_slice()), words)
    };
    vec![
        run("--rate negative", &["--rate", "-5"], &["--rate -5:", "load.rate", "finite number"]),
        run("--rate text", &["--rate", "abc"], &["'abc'", "--rate"]),
        run("--duration zero", &["--duration", "0s"], &["--duration 0s:", "load.duration", "must be > 0"]),
        run("--duration text", &["--duration", "xyz"], &["'xyz'", "--duration", "invalid duration \"xyz\""]),
        run("--target bad port", &["--target", "http://127.0.0.1:99999"], &["--target http://127.0.0.1:99999:", "port \"99999\""]),
        run("--target scheme", &["--target", "ws://127.0.0.1:1"], &["--target ws://127.0.0.1:1:", "unsupported scheme"]),
        run("--connections zero", &["--connections", "0"], &["--connections 0:", "load.connections"]),
        run("--connections negative", &["--connections", "-1"], &["'-1'", "--connections"]),
        run("--set wrong type", &["--set", "request.path=5"], &["--set request.path=5:", "request.path", "invalid type"]),
        run("--set rate text", &["--set", "load.rate=fast"], &["--set load.rate=fast: load.rate: invalid type: string \"fast\", expected a number (requests per second)"]),
        run("--set unknown field", &["--set", "load.bogus=1"], &["--set load.bogus=1: load.bogus: unknown field `bogus`"]),
        run("--set through a value", &["--set", "name.x=1"], &["--set name.x=1: name.x: name is not a table"]),
        run("--set duration text", &["--set", "load.warmup=soon"], &["--set load.warmup=soon: load.warmup: invalid duration \"soon\""]),
        run("--set without =", &["--set", "nonsense"], &["'nonsense'", "--set", "expected key=value"]),
        run("--set empty segment", &["--set", "load..rate=1"], &["'load..rate=1'", "--set", "empty key segment"]),
        run("--set slo never fails", &["--set", "slo=[\"rps > -1\"]"], &["--set slo=[\"rps > -1\"]:", "slo[0]", "can never fail"]),
        run("--shard", &["--shard", "3/2"], &["--shard", "expected I/N"]),
        run("--start-at text", &["--start-at", "soon"], &["--start-at \"soon\"", "RFC 3339"]),
        run("--start-at past", &["--start-at", "2020-01-01T00:00:00Z"], &["--start-at 2020-01-01T00:00:00Z:", "in the past"]),
        run("--start-at far", &["--start-at", "2999-01-01T00:00:00Z"], &["--start-at 2999-01-01T00:00:00Z:", "ahead"]),
        run("--out directory", &["--out", "{d}"], &["--out", "is a directory"]),
        run("--out under a file", &["--out", "{file}/r.json"], &["--out", "is not a directory"]),
        run("--branch spaces", &["--save", "--branch", "my branch", "--store-dir", "{d}/st"], &["invalid branch name \"my branch\""]),
        run("--branch dots", &["--save", "--branch", "a..b", "--store-dir", "{d}/st"], &["invalid branch name \"a..b\""]),
        run("--save store dir under a file", &["--save", "--branch", "main", "--store-dir", "{file}/st"], &["--store-dir", "is not a directory"]),
        run("unknown flag", &["--bogus"], &["--bogus"]),
    ]
}

#[rustfmt::skip]
fn compare_cases() -> Vec<Case> {
    let cmp = |what, args: &'static [&'static str], words| case(what, None, args, words);
    vec![
        cmp("compare other scenario", &["compare", "--baseline", "{a}", "--candidate", "{b}"], &["no baseline for candidate scenario(s) [\"b\"]", "baseline scenarios: [\"a\"]"]),
        cmp("compare missing store dir", &["compare", "--baseline", "store:main", "--candidate", "{a}", "--store-dir", "{d}/nope"], &["--store-dir", "nope", "no such directory"]),
        cmp("compare empty store", &["compare", "--baseline", "store:main", "--candidate", "{a}", "--store-dir", "{empty}"], &["no baseline for candidate scenario(s) [\"a\"]", "baseline scenarios: none"]),
        cmp("compare wrong branch", &["compare", "--baseline", "store:mian", "--candidate", "{a}", "--store-dir", "{store}"], &["no baseline for candidate scenario(s) [\"a\"]", "store:mian"]),
        cmp("compare renamed scenario", &["compare", "--baseline", "store:main", "--candidate", "{b}", "--store-dir", "{store}"], &["no baseline for candidate scenario(s) [\"b\"]"]),
        cmp("compare partial candidate", &["compare", "--baseline", "{a}", "--candidate", "{partial}"], &["cancelled (partial)", "partial.json", "--allow-partial"]),
        cmp("compare --threshold", &["compare", "--baseline", "{a}", "--candidate", "{a}", "--threshold", "lots"], &["--threshold", "\"lots\""]),
        cmp("compare --error-rate-threshold", &["compare", "--baseline", "{a}", "--candidate", "{a}", "--error-rate-threshold", "x%"], &["'x%'", "--error-rate-threshold", "is not a percentage"]),
        cmp("compare --method", &["compare", "--baseline", "{a}", "--candidate", "{a}", "--method", "magic"], &["'magic'", "--method", "welch, paired, bootstrap"]),
        cmp("compare --metrics", &["compare", "--baseline", "{a}", "--candidate", "{a}", "--metrics", "p99,p42x"], &["'p42x'", "--metrics", "unknown metric"]),
        cmp("gate --duration text", &["gate", "{s}", "--baseline", "store:main", "--duration", "later"], &["'later'", "--duration", "invalid duration"]),
        cmp("gate --set", &["gate", "{s}", "--baseline", "store:main", "--set", "load.rate=abc"], &["--set load.rate=abc: load.rate:", "expected a number"]),
        cmp("compare bad branch", &["compare", "--baseline", "store:a..b", "--candidate", "{a}", "--store-dir", "{store}"], &["invalid branch name \"a..b\""]),
        cmp("compare not a result", &["compare", "--baseline", "{a}", "--candidate", "{s}"], &["s.toml", "not a tailguard result"]),
        cmp("compare --out directory", &["compare", "--baseline", "{a}", "--candidate", "{a}", "--out", "{d}"], &["--out", "is a directory"]),
        cmp("gate --trials 0", &["gate", "{s}", "--baseline", "store:main", "--trials", "0"], &["--trials 0"]),
        cmp("gate without baseline", &["gate", "{s}"], &["--baseline-target", "store:BRANCH"]),
        cmp("gate --baseline-target port", &["gate", "{s}", "--baseline-target", "http://127.0.0.1:99999"], &["--baseline-target http://127.0.0.1:99999:", "port"]),
        cmp("gate --candidate-target scheme", &["gate", "{s}", "--baseline", "store:main", "--candidate-target", "tcp://x:1", "--store-dir", "{store}"], &["--candidate-target tcp://x:1:", "unsupported scheme"]),
        cmp("gate missing store dir", &["gate", "{s}", "--baseline", "store:main", "--store-dir", "{d}/nope"], &["--store-dir", "no such directory"]),
        cmp("gate scenario without baseline", &["gate", "{s}", "--baseline", "store:main", "--store-dir", "{store}"], &["no baseline for candidate scenario(s) [\"bad\"]", "baseline scenarios: none"]),
        cmp("gate --duration", &["gate", "{s}", "--baseline", "store:main", "--duration", "0s"], &["--duration 0s:", "load.duration"]),
        cmp("gate --results-dir under a file", &["gate", "{s}", "--baseline", "store:main", "--results-dir", "{file}/x"], &["--results-dir", "is not a directory"]),
    ]
}

/// Result files, a store and scratch paths the cases refer to.
fn fixtures(dir: &Path) {
    let write = |name: &str, run: &bench_core::RunResult| {
        std::fs::write(dir.join(name), serde_json::to_string(run).unwrap()).unwrap();
    };
    write("a.json", &run("a", "main", 0, 1.0, 1));
    write("b.json", &run("b", "main", 0, 1.0, 1));
    let mut partial = run("a", "feature", 1, 1.0, 1);
    partial.cancelled = true;
    write("partial.json", &partial);
    let store = FileStore::new(dir.join("store"));
    let main = BranchName::new("main").unwrap();
    for t in 0..3 {
        store.save(&main, &run("a", "main", t, 1.0, 1)).unwrap();
    }
    std::fs::create_dir(dir.join("empty")).unwrap();
    std::fs::write(dir.join("file"), "").unwrap();
}

fn expand(arg: &str, dir: &Path, scenario: &Path) -> String {
    let d = dir.display().to_string();
    arg.replace("{s}", &scenario.display().to_string())
        .replace("{d}", &d)
        .replace("{a}", &format!("{d}/a.json"))
        .replace("{b}", &format!("{d}/b.json"))
        .replace("{partial}", &format!("{d}/partial.json"))
        .replace("{store}", &format!("{d}/store"))
        .replace("{empty}", &format!("{d}/empty"))
        .replace("{file}", &format!("{d}/file"))
}

#[test]
fn bad_input_exits_2_naming_what_is_wrong() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    fixtures(dir.path());
    let cases: Vec<Case> = [
        scenario_cases(),
        slo_cases(),
        target_cases(),
        flag_cases(),
        compare_cases(),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let text = match c.edit {
            Some((find, replace)) => {
                assert!(BASE.contains(find), "{}: {find:?} not in the base", c.what);
                BASE.replacen(find, replace, 1)
            }
            None => BASE.to_owned(),
        };
        let text = text.replace("PORT", &port);
        let scenario = dir.path().join("s.toml");
        std::fs::write(&scenario, text).unwrap();
        let args: Vec<String> = c
            .args
            .iter()
            .map(|a| expand(a, dir.path(), &scenario))
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = common::tailguard(&args);
        let out = common::text(&o);
        let missing: Vec<&&str> = c.words.iter().filter(|w| !out.contains(**w)).collect();
        if o.status.code() != Some(2) || !missing.is_empty() {
            failures.push(format!(
                "{}: exit {:?}, missing {missing:?}\n{}",
                c.what,
                o.status.code(),
                out.trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn non_utf8_scenario_names_the_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    let mut bytes = b"name = \"caf".to_vec();
    bytes.push(0xe9);
    bytes.extend_from_slice(b"\"\n");
    std::fs::write(&path, bytes).unwrap();
    let o = common::tailguard(&["run", path.to_str().unwrap()]);
    let out = common::text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("s.toml:1:12") && out.contains("byte offset 11") && out.contains("0xe9"),
        "{out}"
    );
}

#[test]
fn grpc_reflection_against_a_target_without_http2_says_so() {
    // An HTTP/1.1-only server of this test: every connection gets a 400 and is closed.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut s) = stream else { continue };
            use std::io::{Read, Write};
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
            );
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    let text = format!(
        "name = \"r\"\nprotocol = \"grpc\"\ntarget = \"http://127.0.0.1:{port}\"\n\n[request]\nmethod = \"a.B/C\"\n\n[load]\nrate = 1\nrequests = 1\n"
    );
    std::fs::write(&path, text).unwrap();
    let o = common::tailguard(&["run", path.to_str().unwrap(), "--quiet"]);
    let out = common::text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("reflection at") && out.contains("does not speak HTTP/2"),
        "{out}"
    );
}
