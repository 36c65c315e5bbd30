#!/usr/bin/env bash
# The open model's cost next to the closed model's, and HTTP/2 next to h2load, against the same
# loopback nginx (issue 19).
#
#   bash benches/open-model.sh            # the sweep and HTTP/2, about 2 minutes
#   CHECK=1 bash benches/open-model.sh    # the short check: exits 1 when the open model's CPU
#                                         # per request exceeds LIMIT x the closed model's
#
# What it does: checks for nginx, taskset, /usr/bin/time and jq (and h2load for the HTTP/2 part),
# starts nginx (one worker, pinned to SERVER_CPU) on a free 127.0.0.1 port, and runs
# `tailguard run` pinned to CLIENT_CPU with one engine thread: the closed model with CONNS workers
# (its throughput is the maximum), then the open model at each rate of RATES on the same CONNS
# connections. For each run it prints requests/s, CPU microseconds per request (user+sys of the
# whole process / requests completed), the ratio to the closed model, the late share, the
# CO-correct p99 and the generator's own scheduling lag (p99) and CPU. Then, unless H2=0, nginx
# restarts with cleartext HTTP/2 and h2load and tailguard's closed model run with H2_CONNS
# connections x H2_STREAMS streams. Only 127.0.0.1 is contacted; every run is bounded in time.
#
# Knobs (environment):
#   DURATION=10   seconds per run
#   RATES="5000 20000 35000 50000"   open-model rates in req/s, or "N%" of the closed model's
#                 throughput measured first in the same sitting (e.g. RATES="1000 20% 50% 80%")
#   CONNS=64      connections               LIMIT=1.5   CHECK: the largest ratio allowed
#   GRID=...      the open model's load.send_grid (e.g. "0": every call at its own time;
#                 default: the scenario default, 1 ms)
#   H2=1          run the HTTP/2 part       H2_CONNS=8  H2_STREAMS=8
#   OHA=1         also run oha (a peer) the same way: closed on CONNS connections, then
#                 `-q RATE --latency-correction` at each rate; its ratio is to its own closed run
#   SERVER_CPU=0  CLIENT_CPU=1              PAUSE=2     seconds of rest between runs
#   TG=...        the tailguard binary (default: target/release/tailguard, built unless SKIP_BUILD=1)
#   OUT_DIR=...   where configs, JSON and the table go (default: a fresh temp dir, kept)
# CHECK=1 defaults to DURATION=3 RATES="5000 20000" H2=0 (about 20 s on top of the build).
set -euo pipefail

CHECK=${CHECK:-0}
if [[ $CHECK == 1 ]]; then
    DURATION=${DURATION:-3}
    RATES=${RATES:-"5000 20000"}
    H2=${H2:-0}
fi
DURATION=${DURATION:-10}
RATES=${RATES:-"5000 20000 35000 50000"}
CONNS=${CONNS:-64}
LIMIT=${LIMIT:-1.5}
H2=${H2:-1}
H2_CONNS=${H2_CONNS:-8}
H2_STREAMS=${H2_STREAMS:-8}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PAUSE=${PAUSE:-2}
GRID=${GRID:-}
OHA=${OHA:-0}
SKIP_BUILD=${SKIP_BUILD:-0}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TG=${TG:-"${CARGO_TARGET_DIR:-$ROOT/target}/release/tailguard"}
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/tailguard-open.XXXXXX)}
mkdir -p "$OUT_DIR"

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }
has() { command -v "$1" >/dev/null 2>&1; }
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }

[[ $(uname -s) == Linux ]] || die "Linux only (taskset, /usr/bin/time -f)"
(($(nproc) >= 2)) || die "need at least 2 cores to pin server and generator apart"
missing=()
has nginx || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
[[ -x /usr/bin/time ]] || missing+=(time)
has jq || missing+=(jq)
has taskset || missing+=(util-linux)
[[ $H2 == 1 ]] && ! has h2load && missing+=(nghttp2-client)
OHA_BIN=$(command -v oha || echo "$HOME/.cargo/bin/oha")
[[ $OHA != 1 || -x $OHA_BIN ]] || die "OHA=1: no oha -- run: cargo install oha --locked"
((${#missing[@]} == 0)) || die "missing: ${missing[*]} -- run: apt-get install -y ${missing[*]}"
if [[ $SKIP_BUILD != 1 ]]; then
    log "building tailguard (release)"
    (cd "$ROOT" && cargo build --release -p tailguard)
fi
[[ -x $TG ]] || die "no $TG (build with: cargo build --release -p tailguard)"

# shellcheck source=benches/nginx.sh
. "$ROOT/benches/nginx.sh"
trap nginx_stop EXIT
trap 'exit 130' INT TERM

timed() { # name command... : user+sys seconds and peak RSS in NAME.time
    local name=$1
    shift
    /usr/bin/time -o "$OUT_DIR/$name.time" -f '%e %U %S %M' taskset -c "$CLIENT_CPU" "$@" \
        >"$OUT_DIR/$name.out" 2>"$OUT_DIR/$name.err"
}
cpu_s() { local u s; read -r _ u s _ <"$OUT_DIR/$1.time"; calc "$u + $s"; }
rss_mb() { local m; read -r _ _ _ m <"$OUT_DIR/$1.time"; calc "$m / 1024"; }

tg() { # name url load-lines [http-lines]
    cat >"$OUT_DIR/$1.toml" <<EOF
name = "$1"
target = "${2%/}"
${4:-}
[request]
path = "/"
[load]
duration = "${DURATION}s"
warmup = "0s"
threads = 1
$3
EOF
    # A saturated generator exits 0 with a warning; any other failure stops the script.
    timed "$1" "$TG" run "$OUT_DIR/$1.toml" --quiet --out "$OUT_DIR/$1.json" ||
        die "tailguard run $1 failed: $(tail -5 "$OUT_DIR/$1.err")"
}

# | run | req/s | CPU µs/req | ÷ closed | late | p99 | generator lag p99 | generator CPU | RSS |
ROWS=()
row() { # label name base-us
    local j="$OUT_DIR/$2.json" req rps us
    req=$(jq '.summary.requests' "$j")
    rps=$(jq '.summary.rps' "$j")
    us=$(calc "$(cpu_s "$2") * 1000000 / $req")
    local late lag gcpu
    late=$(jq '100 * .summary.late / ([.summary.requests, 1] | max)' "$j")
    lag=$(jq -r '.generator.lag_us.p99 // "-"' "$j")
    gcpu=$(jq -r '.generator.cpu_per_thread // "-"' "$j")
    ROWS+=("$(printf '| %s | %.0f | %.2f | %s | %.1f %% | %s µs | %s µs | %s | %.1f MB |' "$1" "$rps" \
        "$us" "${3:+$(printf '%.2f×' "$(calc "$us / $3")")}" "$late" \
        "$(jq '.summary.latency_us.p99' "$j")" "$lag" "$gcpu" "$(rss_mb "$2")")")
    LAST_US=$us
}

oha_run() { # name [extra oha flags...]: oha on CONNS connections for DURATION, one row
    local name=$1 base=${OHA_BASE:-} req us
    shift
    timed "$name" "$OHA_BIN" -z "${DURATION}s" -c "$CONNS" --no-tui --output-format json "$@" "$NGINX_URL" ||
        die "oha $name failed: $(tail -5 "$OUT_DIR/$name.err")"
    req=$(jq '[.statusCodeDistribution[]] | add // 0' "$OUT_DIR/$name.out")
    [[ -n $req && $req != 0 ]] || die "cannot parse oha output: $(head -c 2000 "$OUT_DIR/$name.out")"
    us=$(calc "$(cpu_s "$name") * 1000000 / $req")
    ROWS+=("$(printf '| %s | %.0f | %.2f | %s | – | %.0f µs | – | – | %.1f MB |' "$name" \
        "$(jq '.summary.requestsPerSec' "$OUT_DIR/$name.out")" "$us" \
        "${base:+$(printf '%.2f×' "$(calc "$us / $base")")}" \
        "$(jq '.latencyPercentiles.p99 * 1000000' "$OUT_DIR/$name.out")" "$(rss_mb "$name")")")
    LAST_US=$us
}

log "starting nginx (HTTP/1.1) on core $SERVER_CPU"
nginx_start "$OUT_DIR" "$SERVER_CPU" || die "nginx did not start"
log "tailguard closed, $CONNS workers, ${DURATION}s"
tg closed "$NGINX_URL" "model = \"closed\"
workers = $CONNS"
row "closed, $CONNS workers" closed ""
BASE=$LAST_US
WORST=0
OPEN_RATES=()
MAX_RPS=$(jq '.summary.rps' "$OUT_DIR/closed.json")
for rate in $RATES; do
    # "40%" is 40 % of the closed model's throughput in this sitting.
    [[ $rate == *% ]] && rate=$(awk -v m="$MAX_RPS" -v p="${rate%\%}" 'BEGIN { printf "%d", m * p / 100 }')
    sleep "$PAUSE"
    log "tailguard open, $rate req/s on $CONNS connections, ${DURATION}s"
    tg "open-$rate" "$NGINX_URL" "model = \"open\"
rate = $rate
connections = $CONNS${GRID:+
send_grid = \"$GRID\"}"
    row "open $rate/s" "open-$rate" "$BASE"
    WORST=$(awk -v a="$WORST" -v b="$(calc "$LAST_US / $BASE")" 'BEGIN { print (b > a ? b : a) }')
    OPEN_RATES+=("$rate")
done
if [[ $OHA == 1 ]]; then
    sleep "$PAUSE"
    log "oha closed, $CONNS connections, ${DURATION}s"
    OHA_BASE="" oha_run oha-closed
    OHA_BASE=$LAST_US
    for rate in "${OPEN_RATES[@]}"; do
        sleep "$PAUSE"
        log "oha -q $rate --latency-correction, $CONNS connections, ${DURATION}s"
        oha_run "oha-open-$rate" -q "$rate" --latency-correction
    done
fi
nginx_stop

if [[ $H2 == 1 ]]; then
    log "starting nginx (HTTP/2, h2c) on core $SERVER_CPU"
    nginx_start "$OUT_DIR" "$SERVER_CPU" http2 || die "nginx (http2) did not start"
    sleep "$PAUSE"
    log "h2load -c $H2_CONNS -m $H2_STREAMS -D $DURATION"
    timed h2load h2load -c "$H2_CONNS" -m "$H2_STREAMS" -D "$DURATION" "$NGINX_URL"
    req=$(awk '/^requests:/ {print $8}' "$OUT_DIR/h2load.out")   # "requests: N total, N started, N done, N succeeded"
    rps=$(awk '/^finished in/ {print $4}' "$OUT_DIR/h2load.out")
    [[ -n $req && $req != 0 ]] || die "cannot parse h2load output: $(head -20 "$OUT_DIR/h2load.out")"
    H2LOAD_US=$(calc "$(cpu_s h2load) * 1000000 / $req")
    ROWS+=("$(printf '| h2load %s×%s | %.0f | %.2f | – | – | – | – | – | %.1f MB |' "$H2_CONNS" "$H2_STREAMS" \
        "$rps" "$H2LOAD_US" "$(rss_mb h2load)")")
    sleep "$PAUSE"
    log "tailguard closed HTTP/2, $H2_CONNS connections x $H2_STREAMS streams"
    tg h2-closed "$NGINX_URL" "model = \"closed\"
workers = $((H2_CONNS * H2_STREAMS))
streams_per_connection = $H2_STREAMS" '[http]
version = "2"'
    row "closed HTTP/2 ${H2_CONNS}×${H2_STREAMS} (÷ h2load)" h2-closed "$H2LOAD_US"
    nginx_stop
fi

{
    echo "tailguard $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); nginx 1 worker on core $SERVER_CPU, generator on core $CLIENT_CPU, 1 engine thread, ${DURATION}s per run"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), kernel $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC'); loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| run | req/s | CPU µs/req | ÷ closed | late | p99 | generator lag p99 | generator CPU/thread | peak RSS |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
} | tee "$OUT_DIR/table.md"
echo "raw outputs: $OUT_DIR"

if [[ $CHECK == 1 ]]; then
    if awk -v w="$WORST" -v l="$LIMIT" 'BEGIN { exit !(w > l) }'; then
        echo "FAIL: the open model costs ${WORST}x the closed model's CPU per request (limit ${LIMIT}x)" >&2
        exit 1
    fi
    echo "ok: the open model costs at most ${WORST}x the closed model's CPU per request (limit ${LIMIT}x)"
fi
