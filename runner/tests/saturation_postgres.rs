//! The saturation scenario against the demo target's PostgreSQL-backed pool: a real PostgreSQL
//! cluster, made with `initdb` and started with `pg_ctl` in a temp dir on a free loopback port,
//! behind `deadpool-postgres`. Needs the PostgreSQL server binaries (Debian's `postgresql`
//! package, which `.ci/run` installs); `PG_BIN` may name their directory. As root, the server
//! runs as the `postgres` user (`runuser`), since PostgreSQL refuses to run as root.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::{demo, json, run_out, text};
use tailguard_demo::{DemoConfig, PoolConfig};

/// A throwaway PostgreSQL cluster; stopped when dropped.
struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_root: bool,
    _dir: tempfile::TempDir,
}

fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
        .collect();
    found.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop().unwrap_or_else(|| {
        panic!(
            "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin: \
             install them with `apt-get install -y postgresql` (as .ci/run does) or set PG_BIN"
        )
    })
}

impl Postgres {
    fn start() -> Self {
        let bin = bin_dir();
        let as_root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let dir = tempfile::tempdir().unwrap();
        if as_root {
            let chown = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(chown.success(), "chown of the cluster directory failed");
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pg = Self {
            bin,
            data: dir.path().join("data"),
            port,
            as_root,
            _dir: dir,
        };
        let data = pg.data.to_str().unwrap().to_owned();
        pg.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        let socket_dir = pg.data.parent().unwrap().to_str().unwrap().to_owned();
        let options = format!(
            "-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40"
        );
        let log = format!("{socket_dir}/postgres.log");
        pg.run(
            "pg_ctl",
            &[
                "-D", &data, "-l", &log, "-w", "-t", "60", "-o", &options, "start",
            ],
        );
        pg
    }

    /// A PostgreSQL tool, run as the `postgres` user when we are root.
    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let out = self.command(tool).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}",
            text(&out)
        );
        out
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.data.to_str().unwrap_or_default().to_owned();
        let path = self.bin.join("pg_ctl");
        let mut cmd = if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let _ = cmd
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `tailguard run SCENARIO --target URL --quiet --out OUT`, which must exit 0; returns the result.
fn run(scenario: &Path, target: &str, out: &Path) -> (serde_json::Value, String) {
    let o = run_out(scenario, target, out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    (json(out), text(&o))
}

#[test]
fn postgres_pool_saturates_at_its_measured_capacity_and_fails_with_503() {
    let pg = Postgres::start();
    let size = 5;
    assert_eq!(size * 3, 15, "the probe below runs 15 workers");
    let target = demo(DemoConfig {
        pool: Some(PoolConfig {
            size,
            hold: Duration::from_millis(20),
            acquire_timeout: Duration::from_millis(100),
            database_url: Some(pg.url()),
        }),
        ..DemoConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();

    // The measured capacity: three times as many closed-model workers as connections keep every
    // pooled connection busy (`SELECT pg_sleep(0.02)` plus its round trip to the database) with
    // a short queue that stays well inside the acquire timeout.
    let probe = write(
        dir.path(),
        "probe.toml",
        r#"name = "pg-probe"
target = "http://127.0.0.1:1"
[request]
path = "/db"
[load]
model = "closed"
workers = 15
duration = "2s"
warmup = "300ms"
"#,
    );
    let (probe, output) = run(&probe, &target.url(), &dir.path().join("probe.json"));
    assert_eq!(probe["summary"]["errors"], 0, "{output}");
    let capacity = probe["summary"]["rps"].as_f64().unwrap();
    assert!(
        (100.0..=250.0).contains(&capacity),
        "{size} connections held 20 ms serve at most 250 req/s, measured {capacity}"
    );

    let levels: Vec<String> = [0.6, 0.75, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.3]
        .iter()
        .map(|f| format!("{:.0}", f * capacity))
        .collect();
    let scenario = write(
        dir.path(),
        "pg.toml",
        &format!(
            r#"name = "pg-pool"
target = "http://127.0.0.1:1"
slo = ["p99 < 200ms"]
[request]
path = "/db"
[load]
warmup = "300ms"
connections = 96
timeout = "2s"
[saturation]
levels = [{}]
hold = "1s"
"#,
            levels.join(", ")
        ),
    );
    let (result, stdout) = run(&scenario, &target.url(), &dir.path().join("pg.json"));
    let a = &result["saturation"]["analysis"];
    let detected = a["capacity_rps"].as_f64().unwrap();
    eprintln!(
        "measured capacity {capacity:.1} req/s, detected {detected} req/s: {}",
        a["headline"]
    );
    assert!(
        (detected - capacity).abs() <= 0.15 * capacity,
        "detected {detected} req/s, measured capacity {capacity:.1} req/s\n{stdout}"
    );
    // 503 is how the pool fails; calls still queued when a step's window closed (`unsent`)
    // never lead the signature.
    assert_eq!(a["signature"][0]["label"], "503", "{stdout}");
    assert!(
        a["headline"].as_str().unwrap().contains("fail with 503"),
        "{stdout}"
    );
}
