#!/usr/bin/env bash
# The generator's CPU per request for a plain HTTP/1.1 request before and after the checks /
# journeys change (issue 18), and with checks, against the same loopback demo target.
#
#   BEFORE=/path/to/old/bin AFTER=/path/to/new/bin bash benches/compare-checks.sh
#
# BEFORE and AFTER are directories holding release builds of `tailguard` (AFTER also
# `tailguard-demo`), e.g. `cargo build --release -p tailguard -p tailguard-demo` on each commit,
# the binaries copied aside. The demo (one thread, no delay) is pinned to SERVER_CPU on a free
# 127.0.0.1 port; each run is a closed model of CONCURRENCY workers for DURATION seconds on one
# generator thread pinned to CLIENT_CPU; the runs alternate before / after / after-with-checks
# ROUNDS times so drift in the machine's other work hits all three alike. CPU µs/request =
# (user + sys of the whole `tailguard run` process) × 10⁶ / requests completed. Only 127.0.0.1
# is contacted; every run is bounded in time.
#
# Knobs: DURATION=10 CONCURRENCY=64 ROUNDS=3 PAUSE=3 SERVER_CPU=0 CLIENT_CPU=1 OUT_DIR=...
set -euo pipefail

DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-64}
ROUNDS=${ROUNDS:-3}
PAUSE=${PAUSE:-3}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/tailguard-checks.XXXXXX)}
mkdir -p "$OUT_DIR"

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
[[ -n ${BEFORE:-} && -n ${AFTER:-} ]] || die "set BEFORE and AFTER to directories of release binaries"
[[ -x $BEFORE/tailguard && -x $AFTER/tailguard && -x $AFTER/tailguard-demo ]] || die "missing binaries"
[[ -x /usr/bin/time ]] || die "missing /usr/bin/time -- apt-get install -y time"
pin() {
    if command -v taskset >/dev/null 2>&1; then taskset -c "$1" "${@:2}"; else "${@:2}"; fi
}

PORT=""
for p in $(seq 19080 19999); do
    if [[ -z $(ss -Hltn "sport = :$p" 2>/dev/null) ]]; then PORT=$p; break; fi
done
[[ -n $PORT ]] || die "no free port in 19080-19999"
URL="http://127.0.0.1:$PORT"

pin "$SERVER_CPU" "$AFTER/tailguard-demo" --port "$PORT" --threads 1 >"$OUT_DIR/demo.log" 2>&1 &
DEMO_PID=$!
trap 'kill "$DEMO_PID" 2>/dev/null || true; wait "$DEMO_PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$OUT_DIR/demo.log" && break; sleep 0.1; done

load="[load]
model = \"closed\"
workers = $CONCURRENCY
duration = \"${DURATION}s\"
threads = 1"
cat >"$OUT_DIR/plain.toml" <<EOF
name = "bench-plain"
target = "$URL"
[request]
path = "/users/42"
$load
EOF
cat >"$OUT_DIR/checks.toml" <<EOF
name = "bench-checks"
target = "$URL"
[request]
path = "/users/42"
checks = [{ status = [200] }, { json = "/ok", equals = true }]
$load
EOF

printf '%-8s %-14s %10s %14s\n' round run "req/s" "CPU µs/req" | tee "$OUT_DIR/table.txt"
for round in $(seq "$ROUNDS"); do
    for run in before after after-checks; do
        case $run in
            before) tg=$BEFORE/tailguard; toml=plain ;;
            after) tg=$AFTER/tailguard; toml=plain ;;
            *) tg=$AFTER/tailguard; toml=checks ;;
        esac
        sleep "$PAUSE"
        name="$run-$round"
        out="$OUT_DIR/$name.json"
        pin "$CLIENT_CPU" /usr/bin/time -f '%U %S %M' -o "$OUT_DIR/$name.time" \
            "$tg" run "$OUT_DIR/$toml.toml" --quiet --out "$out" >"$OUT_DIR/$name.txt" 2>&1 || true
        read -r user sys _rss <"$OUT_DIR/$name.time"
        read -r requests errors rps < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["requests"], s["errors"], s["rps"])' "$out")
        ((errors == 0)) || log "$name: $errors errors (see $OUT_DIR/$name.txt)"
        us=$(python3 -c "print(f'{($user + $sys) * 1e6 / $requests:.2f}')")
        printf '%-8s %-14s %10.0f %14s\n' "$round" "$run" "$rps" "$us" | tee -a "$OUT_DIR/table.txt"
    done
done
log "results in $OUT_DIR"
