#!/usr/bin/env bash
# Run-to-run noise of the service's CPU per request next to p95 and p99 (issue 20): an A/A gate
# (the same build on both sides, started by the gate with --baseline-cmd/--candidate-cmd) on two
# targets, a fixed number of interleaved pairs, the open model at RATE req/s for DURATION each.
#   demo:  tailguard-demo (its default 2 ms delay; no noise knobs)
#   nginx: nginx with one worker serving a static 612-byte page (a real, CPU-light server)
# Prints, per target and metric, the per-pair noise (sd of the log ratio between the two sides'
# trials, as the verdict reports it), the A/A change and its interval.
# Knobs: PAIRS=10 RATE=1000 DURATION=3s SKIP_BUILD=1. Results stay in the temp dir it prints.
set -euo pipefail
PAIRS=${PAIRS:-10}
RATE=${RATE:-1000}
DURATION=${DURATION:-3s}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -q -p tailguard -p tailguard-demo --manifest-path "$ROOT/Cargo.toml"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release"
OUT="$(mktemp -d)"
echo "results in $OUT"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cat > "$OUT/aa.toml" <<T
name = "aa"
target = "http://127.0.0.1:1"
[request]
path = "/"
[load]
rate = $RATE
duration = "$DURATION"
warmup = "500ms"
connections = 32
T
nginx_conf() { # port dir
  mkdir -p "$2/html"
  printf '%0612d' 0 > "$2/html/index.html"
  local user=""
  [ "$(id -u)" != 0 ] || user="user root;"
  cat > "$2/nginx.conf" <<N
$user
worker_processes 1;
daemon off;
pid $2/nginx.pid;
error_log $2/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $2; proxy_temp_path $2; fastcgi_temp_path $2; uwsgi_temp_path $2; scgi_temp_path $2;
  server { listen 127.0.0.1:$1; root $2/html; }
}
N
}
gate() { # name baseline-cmd candidate-cmd bport cport
  "$BIN/tailguard" gate "$OUT/aa.toml" \
    --baseline-target "http://127.0.0.1:$4" --candidate-target "http://127.0.0.1:$5" \
    --baseline-cmd "$2" --candidate-cmd "$3" --service-logs "$OUT/$1-logs" \
    --trials "$PAIRS" --max-trials "$PAIRS" --quiet --out "$OUT/$1.json" > "$OUT/$1.txt" 2>&1 || true
  python3 - "$OUT/$1.json" "$1" <<'P'
import json, sys
v = json.load(open(sys.argv[1]))
for m in v["scenarios"][0]["metrics"]:
    name = m["metric"] if isinstance(m["metric"], str) else "p%g" % (100 * m["metric"]["quantile"])
    if name not in ("p95", "p99", "cpu_per_request", "throughput"):
        continue
    pct = lambda x: "–" if x is None else "%+.1f %%" % (100 * x)
    noise = "–" if m.get("noise") is None else "%.1f %%" % (100 * m["noise"])
    print(f"{sys.argv[2]:6} {name:16} noise {noise:>8}  change {pct(m.get('change')):>9}  "
          f"[{pct(m.get('ci_low'))}, {pct(m.get('ci_high'))}]  {m['verdict']}  ({m['baseline_trials']} pairs)")
P
}
bp=$(free_port); cp=$(free_port)
gate demo "exec $BIN/tailguard-demo --port $bp" "exec $BIN/tailguard-demo --port $cp" "$bp" "$cp"
bp=$(free_port); cp=$(free_port)
nginx_conf "$bp" "$OUT/nginx-b"; nginx_conf "$cp" "$OUT/nginx-c"
gate nginx "exec nginx -c $OUT/nginx-b/nginx.conf" "exec nginx -c $OUT/nginx-c/nginx.conf" "$bp" "$cp"
