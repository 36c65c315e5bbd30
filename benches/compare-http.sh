#!/usr/bin/env bash
# Compare tailguard's HTTP/1.1 load generator with wrk and oha against the same loopback nginx.
#
#   bash benches/compare-http.sh
#
# What it does: builds the release binary, checks (and with INSTALL=1 installs) nginx, wrk and oha,
# starts nginx (one worker, pinned to SERVER_CPU) on a free 127.0.0.1 port, runs each generator
# pinned to CLIENT_CPU with CONNS connections for DURATION, and prints requests/s, CPU
# microseconds per request (user+sys of the whole generator process / requests it completed) and
# peak RSS, with ratios against wrk. Then stops nginx. Only 127.0.0.1 is ever contacted, and every
# run is bounded in time.
#
# Knobs (environment):
#   DURATION=10      seconds per run (wrk, oha, tailguard closed, tailguard open)
#   LONG_DURATION=60 seconds of the extra tailguard closed run for the memory-flat check (0 = skip)
#   CONNS=64         connections (wrk -c, oha -c, tailguard workers / connections)
#   OPEN_RATE=50000  offered rate of the open-model runs (tailguard open, oha -q), req/s (0 = skip)
#   SERVER_CPU=0     core for nginx;  CLIENT_CPU=1  core for the generator
#   PAUSE=3          seconds of rest between runs
#   TOOLS="wrk oha tailguard"   which generators to run
#   SKIP_BUILD=1     use the existing target/release/tailguard
#   INSTALL=1        apt-get install nginx wrk time / cargo install oha when missing
#   OUT_DIR=...      where logs, configs and JSON go (default: a fresh temp dir, kept)
set -euo pipefail

DURATION=${DURATION:-10}
LONG_DURATION=${LONG_DURATION:-60}
CONNS=${CONNS:-64}
OPEN_RATE=${OPEN_RATE:-50000}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PAUSE=${PAUSE:-3}
TOOLS=${TOOLS:-"wrk oha tailguard"}
SKIP_BUILD=${SKIP_BUILD:-0}
INSTALL=${INSTALL:-0}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TG="$ROOT/target/release/tailguard"
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/tailguard-compare.XXXXXX)}
mkdir -p "$OUT_DIR"

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
has() { command -v "$1" >/dev/null 2>&1; }
want() { [[ " $TOOLS " == *" $1 "* ]]; }

# ---------------------------------------------------------------- tools
[[ $(uname -s) == Linux ]] || die "Linux only (taskset, /usr/bin/time -f %M)"
NPROC=$(nproc)
((NPROC >= 2)) || die "need at least 2 cores to pin server and generator apart (nproc=$NPROC)"

apt_missing=()
has nginx || [[ -x /usr/sbin/nginx ]] || apt_missing+=(nginx)
want wrk && ! has wrk && apt_missing+=(wrk)
[[ -x /usr/bin/time ]] || apt_missing+=(time)
has jq || apt_missing+=(jq)
has taskset || apt_missing+=(util-linux)
if ((${#apt_missing[@]})); then
    if [[ $INSTALL == 1 ]]; then
        log "installing ${apt_missing[*]} (apt)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}" >/dev/null
    else
        die "missing: ${apt_missing[*]} -- run: apt-get update && apt-get install -y ${apt_missing[*]}  (or INSTALL=1 $0)"
    fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
OHA=$(command -v oha || true)
[[ -z $OHA && -x $HOME/.cargo/bin/oha ]] && OHA=$HOME/.cargo/bin/oha
if want oha && [[ -z $OHA ]]; then
    if [[ $INSTALL == 1 ]]; then
        log "installing oha (cargo install oha --locked; several minutes on 2 cores)"
        cargo install oha --locked
        OHA=$HOME/.cargo/bin/oha
    else
        log "oha not found: skipping it (install with: cargo install oha --locked, or INSTALL=1)"
        TOOLS=${TOOLS//oha/}
    fi
fi

if want tailguard; then
    if [[ $SKIP_BUILD != 1 ]]; then
        log "building tailguard (release)"
        (cd "$ROOT" && cargo build --release -p tailguard)
    fi
    [[ -x $TG ]] || die "no $TG (build with: cargo build --release -p tailguard)"
fi

# ---------------------------------------------------------------- nginx
# shellcheck source=benches/nginx.sh
. "$ROOT/benches/nginx.sh"
trap nginx_stop EXIT
trap 'exit 130' INT TERM
log "starting nginx, pinned to core $SERVER_CPU (logs in $OUT_DIR)"
nginx_start "$OUT_DIR" "$SERVER_CPU" || die "nginx did not start"
PORT=$NGINX_PORT
URL=$NGINX_URL

# ---------------------------------------------------------------- runs
# Each run: /usr/bin/time writes "elapsed user sys maxrss_kb" to NAME.time.
ROWS=()   # "label|requests|rps|cpu_s|rss_kb|note|user_s|sys_s"
timed() { # name, command...
    local name=$1
    shift
    /usr/bin/time -o "$OUT_DIR/$name.time" -f '%e %U %S %M' taskset -c "$CLIENT_CPU" "$@" \
        >"$OUT_DIR/$name.out" 2>"$OUT_DIR/$name.err"
}
add_row() { # label requests rps name note
    local u s m
    read -r _ u s m <"$OUT_DIR/$4.time"   # elapsed (unused), user, system, max RSS
    ROWS+=("$1|$2|$3|$(calc "$u + $s")|$m|$5|$u|$s")
}
rest() { sleep "$PAUSE"; }
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }

if want wrk; then
    log "wrk -t1 -c$CONNS -d${DURATION}s"
    timed wrk wrk -t1 -c"$CONNS" -d"${DURATION}s" "$URL"
    # "1234567 requests in 10.00s, ..." and "Requests/sec: 123456.78"
    req=$(awk '/requests in/ {print $1}' "$OUT_DIR/wrk.out")
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$OUT_DIR/wrk.out")
    errs=$(awk '/Non-2xx|Socket errors/ {print}' "$OUT_DIR/wrk.out" | tr -s ' ' | paste -sd';' -)
    [[ -n $req && -n $rps ]] || die "cannot parse wrk output: $(cat "$OUT_DIR/wrk.out")"
    add_row "wrk" "$req" "$rps" wrk "${errs:-}"
    rest
fi

if want oha; then
    log "oha -z ${DURATION}s -c $CONNS --no-tui"
    timed oha "$OHA" -z "${DURATION}s" -c "$CONNS" --no-tui --output-format json "$URL"
    req=$(jq '[.statusCodeDistribution[]] | add // 0' "$OUT_DIR/oha.out")
    rps=$(jq '.summary.requestsPerSec' "$OUT_DIR/oha.out")
    ok=$(jq '.summary.successRate' "$OUT_DIR/oha.out")
    [[ -n $req && $req != 0 ]] || die "cannot parse oha output: $(head -c 2000 "$OUT_DIR/oha.out")"
    add_row "oha" "$req" "$rps" oha "success rate $ok"
    rest
    if ((OPEN_RATE > 0)); then
        # oha's own open model: -q paces the sends, --latency-correction counts from the due time.
        log "oha -z ${DURATION}s -c $CONNS -q $OPEN_RATE --latency-correction --no-tui"
        timed oha-open "$OHA" -z "${DURATION}s" -c "$CONNS" -q "$OPEN_RATE" --latency-correction \
            --no-tui --output-format json "$URL"
        req=$(jq '[.statusCodeDistribution[]] | add // 0' "$OUT_DIR/oha-open.out")
        rps=$(jq '.summary.requestsPerSec' "$OUT_DIR/oha-open.out")
        p99=$(jq '.latencyPercentiles.p99 * 1000000 | floor' "$OUT_DIR/oha-open.out")
        [[ -n $req && $req != 0 ]] || die "cannot parse oha output: $(head -c 2000 "$OUT_DIR/oha-open.out")"
        add_row "oha open ${OPEN_RATE}/s" "$req" "$rps" oha-open "p99 ${p99}us"
        rest
    fi
fi

tg_run() { # name model duration extra-load-lines
    local name=$1 model=$2 dur=$3 extra=$4
    cat >"$OUT_DIR/$name.toml" <<EOF
name = "$name"
target = "http://127.0.0.1:$PORT"
[request]
path = "/"
[load]
model = "$model"
duration = "${dur}s"
warmup = "0s"
threads = 1
$extra
EOF
    timed "$name" "$TG" run "$OUT_DIR/$name.toml" --quiet --out "$OUT_DIR/$name.json"
    local req rps errs late
    req=$(jq '.summary.requests' "$OUT_DIR/$name.json")
    rps=$(jq '.summary.rps' "$OUT_DIR/$name.json")
    errs=$(jq '.summary.errors' "$OUT_DIR/$name.json")
    late=$(jq '.summary.late' "$OUT_DIR/$name.json")
    local note="errors $errs"
    [[ $model == open ]] && note="$note, late $late, p99 $(jq '.summary.latency_us.p99' "$OUT_DIR/$name.json")us"
    add_row "$5" "$req" "$rps" "$name" "$note"
}

if want tailguard; then
    log "tailguard closed, $CONNS workers, ${DURATION}s"
    tg_run tg-closed closed "$DURATION" "workers = $CONNS" "tailguard closed"
    rest
    if ((OPEN_RATE > 0)); then
        log "tailguard open, $OPEN_RATE req/s on $CONNS connections, ${DURATION}s"
        tg_run tg-open open "$DURATION" "rate = $OPEN_RATE
connections = $CONNS" "tailguard open ${OPEN_RATE}/s"
        rest
    fi
    if ((LONG_DURATION > 0)); then
        log "tailguard closed, $CONNS workers, ${LONG_DURATION}s (memory flat in run length)"
        tg_run tg-closed-long closed "$LONG_DURATION" "workers = $CONNS" "tailguard closed ${LONG_DURATION}s"
    fi
fi

nginx_stop

# ---------------------------------------------------------------- table
base_rps="" base_cpu="" base_rss=""
for r in "${ROWS[@]}"; do
    IFS='|' read -r label req rps cpu rss note _ _ <<<"$r"
    if [[ $label == wrk ]]; then
        base_rps=$rps
        base_cpu=$(calc "$cpu * 1000000 / $req")
        base_rss=$rss
    fi
done
ratio() { [[ -n $2 ]] && printf '%.2fx' "$(calc "$1 / $2")" || printf '%s' -; }

echo
echo "HTTP/1.1 GET $URL  nginx 1 worker on core $SERVER_CPU, generator on core $CLIENT_CPU, $CONNS connections"
# Uncommitted source changes (other than this script and its write-up) change what was measured.
dirty=$(git -C "$ROOT" status --porcelain --untracked-files=no -- . ':!benches/compare-http.sh' ':!docs/benchmarks.md' 2>/dev/null |
    awk '{print $2}' | paste -sd' ' -)
echo "tailguard: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')${dirty:+ + uncommitted: $dirty}; wrk $(wrk -v 2>&1 | awk 'NR==1 {print $2}'); ${OHA:+oha $("$OHA" --version | awk '{print $2}'); }$("$NGINX" -v 2>&1 | awk '{print $3}')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), kernel $(uname -r); loadavg before table: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '| %-26s | %9s | %10s | %8s | %10s | %13s | %9s | %9s | %9s | %9s | %s\n' \
    tool requests 'req/s' 'CPU s' 'CPU us/req' 'user+sys us' 'peak RSS' 'req/s/wrk' 'us/wrk' 'RSS/wrk' notes
echo '|----------------------------|-----------|------------|----------|------------|---------------|-----------|-----------|-----------|-----------|-------'
for r in "${ROWS[@]}"; do
    IFS='|' read -r label req rps cpu rss note user sys <<<"$r"
    us=$(calc "$cpu * 1000000 / $req")
    split=$(printf '%.1f + %.1f' "$(calc "$user * 1000000 / $req")" "$(calc "$sys * 1000000 / $req")")
    printf '| %-26s | %9d | %10.0f | %8.2f | %10.2f | %13s | %6.1f MB | %9s | %9s | %9s | %s\n' \
        "$label" "$req" "$rps" "$cpu" "$us" "$split" "$(calc "$rss / 1024")" \
        "$(ratio "$rps" "$base_rps")" "$(ratio "$us" "$base_cpu")" "$(ratio "$rss" "$base_rss")" "$note"
done
echo
echo "raw outputs: $OUT_DIR"
