#!/usr/bin/env bash
# The generator's CPU cost per request for HTTP/1.1, HTTP/2, GraphQL and gRPC unary against the
# same loopback demo target.
#
#   bash benches/compare-protocols.sh
#
# What it does: builds the release binaries, starts tailguard-demo (one thread, no delay) pinned
# to SERVER_CPU on a free 127.0.0.1 port, runs `tailguard run` pinned to CLIENT_CPU for DURATION
# per protocol -- open model at RATE req/s (MODE=open, the default: every protocol does the same
# work per second, so CPU per request compares the generator's cost) or closed model with
# CONCURRENCY calls in flight (MODE=closed: the most each protocol gets out of the demo) -- and
# prints requests/s and CPU microseconds per request (user+sys of the whole generator process /
# requests completed), with ratios against HTTP/1.1. Then stops the demo. Only 127.0.0.1 is
# contacted; every run is bounded in time.
#
# ghz (the usual gRPC load tool) is not compared: it is not packaged in Debian bookworm, PyPI or
# npm, the only registries reachable here (see docs/benchmarks.md).
#
# Knobs (environment):
#   DURATION=10       seconds per run
#   MODE=open         open (fixed RATE) or closed (as fast as the demo answers)
#   RATE=8000         req/s of the open model (below the slowest protocol's maximum here)
#   CONCURRENCY=64    connections (open) or calls in flight (closed) (HTTP/1.1: connections; HTTP/2, GraphQL h2, gRPC:
#                     CONNECTIONS connections x CONCURRENCY/CONNECTIONS streams)
#   CONNECTIONS=4     HTTP/2 connections
#   SERVER_CPU=0  CLIENT_CPU=1   cores to pin to (needs taskset; unpinned without it)
#   PAUSE=3           seconds of rest between runs
#   SKIP_BUILD=1      use the existing target/release binaries
#   OUT_DIR=...       where scenario files and results go (default: a fresh temp dir, kept)
set -euo pipefail

DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-64}
CONNECTIONS=${CONNECTIONS:-4}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PAUSE=${PAUSE:-3}
SKIP_BUILD=${SKIP_BUILD:-0}
MODE=${MODE:-open}
RATE=${RATE:-8000}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TG="$ROOT/target/release/tailguard"
DEMO="$ROOT/target/release/tailguard-demo"
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/tailguard-protocols.XXXXXX)}
mkdir -p "$OUT_DIR"

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
[[ -x /usr/bin/time ]] || die "missing /usr/bin/time -- apt-get install -y time"
pin() {
    if command -v taskset >/dev/null 2>&1; then taskset -c "$1" "${@:2}"; else "${@:2}"; fi
}

if [[ $SKIP_BUILD != 1 ]]; then
    log "building tailguard and tailguard-demo (release)"
    (cd "$ROOT" && cargo build --release -p tailguard -p tailguard-demo)
fi
[[ -x $TG && -x $DEMO ]] || die "build first: cargo build --release -p tailguard -p tailguard-demo"

PORT=""
for p in $(seq 19080 19999); do
    if [[ -z $(ss -Hltn "sport = :$p" 2>/dev/null) ]]; then PORT=$p; break; fi
done
[[ -n $PORT ]] || die "no free port in 19080-19999"
URL="http://127.0.0.1:$PORT"

pin "$SERVER_CPU" "$DEMO" --port "$PORT" --threads 1 >"$OUT_DIR/demo.log" 2>&1 &
DEMO_PID=$!
trap 'kill "$DEMO_PID" 2>/dev/null || true; wait "$DEMO_PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$OUT_DIR/demo.log" && break; sleep 0.1; done

STREAMS=$((CONCURRENCY / CONNECTIONS))
if [[ $MODE == open ]]; then
    pace="model = \"open\"
rate = $RATE
connections = $CONCURRENCY"
    pace_h2="model = \"open\"
rate = $RATE
connections = $CONNECTIONS
streams_per_connection = $STREAMS"
else
    pace="model = \"closed\"
workers = $CONCURRENCY"
    pace_h2="$pace
streams_per_connection = $STREAMS"
fi
load_h1="[load]
$pace
duration = \"${DURATION}s\"
threads = 1"
load_h2="[load]
$pace_h2
duration = \"${DURATION}s\"
threads = 1"

cat >"$OUT_DIR/http1.toml" <<EOF
name = "bench-http1"
target = "$URL"
[request]
path = "/users/42"
$load_h1
EOF
cat >"$OUT_DIR/http2.toml" <<EOF
name = "bench-http2"
target = "$URL"
[http]
version = "2"
[request]
path = "/users/42"
$load_h2
EOF
graphql_toml() { # name, variables
    cat >"$OUT_DIR/$1.toml" <<EOF
name = "bench-$1"
protocol = "graphql"
target = "$URL/graphql"
[request]
query = "query User(\$id: ID!) { user(id: \$id) { id name email } }"
variables = $2
$load_h1
EOF
}
grpc_toml() { # name, message
    cat >"$OUT_DIR/$1.toml" <<EOF
name = "bench-$1"
protocol = "grpc"
target = "$URL"
[grpc]
proto = ["$ROOT/scenarios/proto/demo.proto"]
[request]
method = "tailguard.demo.v1.Demo/GetUser"
message = $2
$load_h2
EOF
}
graphql_toml graphql '{ id = "42" }'
graphql_toml graphql-templated '{ id = "{{random_int 1 1000}}" }'
grpc_toml grpc '{ id = 42 }'
grpc_toml grpc-templated '{ id = "{{random_int 1 1000}}" }'

printf '%-22s %10s %14s %12s %10s\n' run "req/s" "CPU µs/req" "user+sys s" "÷ http1" | tee "$OUT_DIR/table.txt"
base=""
for name in http1 http2 graphql graphql-templated grpc grpc-templated; do
    sleep "$PAUSE"
    out="$OUT_DIR/$name.json"
    pin "$CLIENT_CPU" /usr/bin/time -f '%U %S %M' -o "$OUT_DIR/$name.time" \
        "$TG" run "$OUT_DIR/$name.toml" --quiet --out "$out" >"$OUT_DIR/$name.txt" 2>&1 || true
    read -r user sys _rss <"$OUT_DIR/$name.time"
    read -r requests errors rps < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["requests"], s["errors"], s["rps"])' "$out")
    ((errors == 0)) || log "$name: $errors errors (see $OUT_DIR/$name.txt)"
    us=$(python3 -c "print(f'{($user + $sys) * 1e6 / $requests:.2f}')")
    [[ -z $base ]] && base=$us
    ratio=$(python3 -c "print(f'{$us / $base:.2f}')")
    printf '%-22s %10.0f %14s %12s %9sx\n' "$name" "$rps" "$us" "$(python3 -c "print(f'{$user + $sys:.2f}')")" "$ratio" | tee -a "$OUT_DIR/table.txt"
done
log "results in $OUT_DIR"
