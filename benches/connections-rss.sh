#!/usr/bin/env bash
# The generator's peak memory by the number of connections it holds (issue 19: <= 16 MB at 64
# connections, <= 64 MB holding 10 000), against a loopback nginx.
#
#   bash benches/connections-rss.sh       # about 40 s plus the release build
#
# What it does: starts nginx (one worker pinned to SERVER_CPU, room for 12 000 connections) on a
# free 127.0.0.1 port and runs `tailguard run` pinned to CLIENT_CPU with one engine thread, for
# each number of connections in CONNS_LIST: the open model at RATE req/s on that many
# connections (at a low rate most of them stay idle: a worker task each, never dialled), then
# the closed model with that many workers (every connection dialled and busy). For each run it
# prints the peak RSS (/usr/bin/time's maximum resident set) and requests/s, then the memory per
# connection between the first and the last size. Only 127.0.0.1 is contacted; every run is
# bounded in time. Needs nginx, taskset, /usr/bin/time, jq and an fd limit above the largest
# size (the engine raises its soft limit to the hard one).
#
# Knobs (environment):
#   CONNS_LIST="64 1000 5000 10000"   DURATION=4 (seconds per run)   RATE=1000
#   MODELS="open closed"   SERVER_CPU=0 CLIENT_CPU=1
#   TG=...        the tailguard binary (default: target/release/tailguard, built unless SKIP_BUILD=1)
#   OUT_DIR=...   where configs, JSON and the table go (default: a fresh temp dir, kept)
#   WRAP="heaptrack -o FILE"   run the generator under a profiler (its RSS is then the profiler's)
set -euo pipefail

CONNS_LIST=${CONNS_LIST:-"64 1000 5000 10000"}
DURATION=${DURATION:-4}
RATE=${RATE:-1000}
MODELS=${MODELS:-"open closed"}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
SKIP_BUILD=${SKIP_BUILD:-0}
WRAP=${WRAP:-}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TG=${TG:-"${CARGO_TARGET_DIR:-$ROOT/target}/release/tailguard"}
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/tailguard-rss.XXXXXX)}
mkdir -p "$OUT_DIR"

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }
has() { command -v "$1" >/dev/null 2>&1; }

[[ $(uname -s) == Linux ]] || die "Linux only (taskset, /usr/bin/time -f)"
missing=()
has nginx || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
[[ -x /usr/bin/time ]] || missing+=(time)
has jq || missing+=(jq)
has taskset || missing+=(util-linux)
((${#missing[@]} == 0)) || die "missing: ${missing[*]} -- run: apt-get install -y ${missing[*]}"
read -r -a SIZES <<<"$CONNS_LIST"
((${#SIZES[@]} > 0)) || die "CONNS_LIST is empty"
largest=$(printf '%s\n' "${SIZES[@]}" | sort -n | tail -1)
hard=$(ulimit -Hn)
[[ $hard == unlimited ]] || ((hard > largest + 64)) ||
    die "the hard fd limit ($hard) is below $largest connections + 64; raise it (ulimit -Hn) or lower CONNS_LIST"
if [[ $SKIP_BUILD != 1 ]]; then
    log "building tailguard (release)"
    (cd "$ROOT" && cargo build --release -p tailguard)
fi
[[ -x $TG ]] || die "no $TG (build with: cargo build --release -p tailguard)"

export NGINX_WORKER_CONNECTIONS=$((largest + 2000))
# shellcheck source=benches/nginx.sh
. "$ROOT/benches/nginx.sh"
trap nginx_stop EXIT
trap 'exit 130' INT TERM
log "starting nginx on core $SERVER_CPU"
nginx_start "$OUT_DIR" "$SERVER_CPU" || die "nginx did not start"

ROWS=()
declare -A PEAK
for model in $MODELS; do
    for c in "${SIZES[@]}"; do
        name=$model-$c
        case $model in
            open) load="model = \"open\"
rate = $RATE
connections = $c" ;;
            closed) load="model = \"closed\"
workers = $c" ;;
            *) die "MODELS: unknown model $model (open, closed)" ;;
        esac
        cat >"$OUT_DIR/$name.toml" <<EOF
name = "$name"
target = "${NGINX_URL%/}"
[request]
path = "/"
[load]
duration = "${DURATION}s"
warmup = "0s"
threads = 1
$load
EOF
        log "tailguard $model, $c connections, ${DURATION}s"
        # shellcheck disable=SC2086 # WRAP is a command line
        /usr/bin/time -o "$OUT_DIR/$name.time" -f '%M' taskset -c "$CLIENT_CPU" $WRAP \
            "$TG" run "$OUT_DIR/$name.toml" --quiet --out "$OUT_DIR/$name.json" \
            >"$OUT_DIR/$name.out" 2>"$OUT_DIR/$name.err" ||
            die "tailguard run $name failed: $(tail -5 "$OUT_DIR/$name.err")"
        kb=$(tail -1 "$OUT_DIR/$name.time")
        PEAK[$name]=$kb
        ROWS+=("$(printf '| %s | %s | %.0f | %.1f MB |' "$model" "$c" \
            "$(jq '.summary.rps' "$OUT_DIR/$name.json")" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')")")
    done
done

first=${SIZES[0]}
last=${SIZES[-1]}
{
    echo "tailguard $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); nginx 1 worker on core $SERVER_CPU, generator on core $CLIENT_CPU, 1 engine thread, ${DURATION}s per run, open model at $RATE req/s"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), kernel $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC'); loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| model | connections | req/s | peak RSS |"
    echo "|---|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    if [[ $first != "$last" ]]; then
        echo
        for model in $MODELS; do
            awk -v a="${PEAK[$model-$first]}" -v b="${PEAK[$model-$last]}" -v n="$((last - first))" -v m="$model" \
                'BEGIN { printf "%s: %.2f KB per connection from %s to %s\n", m, (b - a) * 1.024 / n, "'"$first"'", "'"$last"'" }'
        done
    fi
} | tee "$OUT_DIR/table.md"
echo "raw outputs: $OUT_DIR"
