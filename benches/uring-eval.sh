#!/usr/bin/env bash
# Issue 19's io_uring evaluation: the same HTTP/1.1 keep-alive GET workload against the same
# loopback nginx over tokio (the engine's transport), the raw io-uring crate (multishot receive
# with a provided-buffer ring; single-shot receive into reused buffers), monoio and compio, with
# wrk as the reference, and tailguard's own engine for scale; closed-loop, and at fixed rates
# (tokio, io-uring and the engine).
#
#   bash benches/uring-eval.sh                       # 3 rounds, 10 s a run, about 8 minutes
#   ROUNDS=1 DURATION=3 bash benches/uring-eval.sh   # a quick look
#
# What it does: checks for nginx, taskset, /usr/bin/time and wrk, builds
# `tailguard-uring-eval --features eval` (release; the runtimes compile only here), prints the
# io_uring probe (what an engine would check at start), starts nginx (one worker, pinned to
# SERVER_CPU) on a free 127.0.0.1 port and runs every case pinned to CLIENT_CPU, ROUNDS times,
# the cases interleaved within a round so that a change in the machine's load spreads over all of
# them. With ENGINE=1 `tailguard run` (release, one engine thread, as open-model.sh) runs the same
# closed and fixed-rate loads, to compare the minimal loops with the engine. CPU per request is user+sys of the whole process (/usr/bin/time) / responses, as in
# open-model.sh; "sleeps" are the generator's voluntary context switches per request (from
# getrusage). The table gives each case's median and range over the rounds. Only 127.0.0.1 is
# contacted; every run is bounded in time (timeout DURATION + 30 s).
#
# Knobs (environment):
#   DURATION=10  seconds per run         ROUNDS=3      CONNS=64
#   RATES="5000 10000"  fixed rates in req/s (tokio, io-uring exact and on a 1 ms tick)
#   CLOSED="wrk tokio uring uring-single monoio compio"   the closed-loop cases
#   RATE_CASES="tokio uring uring+tick1ms"   the cases run at each rate of RATES
#   ENGINE=0     1: also tailguard's engine (needs jq; TG=... the binary, default
#                target/release/tailguard, built unless SKIP_BUILD=1)
#   BEFORE=...   with ENGINE=1: also this other tailguard binary (cases "before", "before@RATE"),
#                to compare two builds of the engine in one sitting
#   SERVER_CPU=0  CLIENT_CPU=1  PAUSE=1  SKIP_BUILD=0
#   OUT_DIR=...  raw outputs and table.md (default: a fresh temp dir, kept)
set -euo pipefail

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
RATES=${RATES:-"5000 10000"}
CLOSED=${CLOSED:-"wrk tokio uring uring-single monoio compio"}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PAUSE=${PAUSE:-1}
SKIP_BUILD=${SKIP_BUILD:-0}
ENGINE=${ENGINE:-0}
RATE_CASES=${RATE_CASES:-"tokio uring uring+tick1ms"}
BEFORE=${BEFORE:-}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# benches/uring-eval is a workspace of its own (its own Cargo.lock and target directory).
EVAL="$ROOT/benches/uring-eval"
BIN="${CARGO_TARGET_DIR:-$EVAL/target}/release/uring-eval"
TG=${TG:-"${CARGO_TARGET_DIR:-$ROOT/target}/release/tailguard"}
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/tailguard-uring.XXXXXX)}
mkdir -p "$OUT_DIR"

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }
has() { command -v "$1" >/dev/null 2>&1; }

[[ $(uname -s) == Linux ]] || die "Linux only (io_uring, taskset)"
(($(nproc) >= 2)) || die "need at least 2 cores to pin server and generator apart"
missing=()
has nginx || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
[[ -x /usr/bin/time ]] || missing+=(time)
has taskset || missing+=(util-linux)
[[ " $CLOSED " == *" wrk "* ]] && ! has wrk && missing+=(wrk)
[[ $ENGINE == 1 ]] && ! has jq && missing+=(jq)
((${#missing[@]} == 0)) || die "missing: ${missing[*]} -- run: apt-get install -y ${missing[*]}"
if [[ $SKIP_BUILD != 1 ]]; then
    log "building uring-eval (release, feature eval)"
    cargo build --locked --release --manifest-path "$EVAL/Cargo.toml" --features eval
    if [[ $ENGINE == 1 ]]; then
        log "building tailguard (release)"
        (cd "$ROOT" && cargo build --release -p tailguard)
    fi
fi
[[ -x $BIN ]] || die "no $BIN (build with: cargo build --release --manifest-path benches/uring-eval/Cargo.toml --features eval)"
[[ $ENGINE != 1 || -x $TG ]] || die "no $TG (build with: cargo build --release -p tailguard)"
[[ -z $BEFORE || -x $BEFORE ]] || die "BEFORE=$BEFORE is not an executable"

PROBE=$("$BIN" probe)
log "$PROBE"

# shellcheck source=benches/nginx.sh
. "$ROOT/benches/nginx.sh"
trap nginx_stop EXIT
trap 'exit 130' INT TERM

# case name -> command line (after the binary); wrk is special-cased.
CASES=()
for c in $CLOSED; do CASES+=("$c"); done
[[ $ENGINE == 1 ]] && CASES+=(engine)
[[ $ENGINE == 1 && -n $BEFORE ]] && CASES+=(before)
for r in $RATES; do
    for c in $RATE_CASES; do
        [[ $c == *+* ]] && CASES+=("${c%%+*}@$r+${c#*+}") || CASES+=("$c@$r")
    done
    [[ $ENGINE == 1 ]] && CASES+=("engine@$r")
    [[ $ENGINE == 1 && -n $BEFORE ]] && CASES+=("before@$r")
done

engine_cmd() { # case file binary : the tailguard run of this load (config written to FILE.toml)
    local load="model = \"closed\"
workers = $CONNS"
    [[ $1 == *@* ]] && load="model = \"open\"
rate = ${1#*@}
connections = $CONNS"
    printf 'name = "uring-eval"\ntarget = "http://127.0.0.1:%s"\n[request]\npath = "/"\n[load]\nduration = "%ss"\nwarmup = "0s"\nthreads = 1\n%s\n' \
        "$NGINX_PORT" "$DURATION" "$load" >"$2.toml"
    echo "$3 run $2.toml --quiet --out $2.json"
}

run_case() { # case round : appends "rps cpu_us user_us sys_us sleeps late%" to OUT_DIR/CASE.rows
    local c=$1 n=$2 f="$OUT_DIR/${1//[@+]/_}.$2" addr="127.0.0.1:$NGINX_PORT" cmd
    if [[ $c == wrk ]]; then
        cmd=(wrk -t1 -c"$CONNS" -d"${DURATION}s" "$NGINX_URL")
    elif [[ $c == engine* ]]; then
        read -ra cmd <<<"$(engine_cmd "$c" "$f" "$TG")"
    elif [[ $c == before* ]]; then
        read -ra cmd <<<"$(engine_cmd "$c" "$f" "$BEFORE")"
    else
        local mode=${c%%@*} rest=""
        cmd=("$BIN" "$mode" "$addr" --conns "$CONNS" --duration "$DURATION")
        [[ $c == *@* ]] && rest=${c#*@} && cmd+=(--rate "${rest%%+*}")
        [[ $c == *+tick1ms ]] && cmd+=(--tick-us 1000)
    fi
    timeout $((DURATION + 30)) /usr/bin/time -o "$f.time" -f '%e %U %S %M' \
        taskset -c "$CLIENT_CPU" "${cmd[@]}" >"$f.out" 2>"$f.err" || die "$c failed: $(tail -3 "$f.err")"
    local req rps sleeps=- late=- u s
    if [[ $c == wrk ]]; then
        req=$(awk '/requests in/ {print $1}' "$f.out")
        rps=$(awk '/^Requests\/sec/ {print $2}' "$f.out")
    elif [[ $c == engine* || $c == before* ]]; then
        req=$(jq '.summary.requests' "$f.json")
        rps=$(jq '.summary.rps' "$f.json")
        [[ $c == *@* ]] && late=$(jq '100 * .summary.late / ([.summary.requests, 1] | max)' "$f.json")
    else
        req=$(grep -o 'requests=[0-9]*' "$f.out" | cut -d= -f2)
        rps=$(grep -o ' rps=[0-9.]*' "$f.out" | cut -d= -f2)
        sleeps=$(grep -o 'sleeps_per_req=[0-9.]*' "$f.out" | cut -d= -f2)
        late=$(awk -v r="$req" -F'late=' '{split($2, a, " "); printf "%.1f", 100 * a[1] / r}' "$f.out")
        [[ $c == *@* ]] || late=-
    fi
    [[ -n $req && $req != 0 ]] || die "$c: no requests in $(head -5 "$f.out")"
    read -r _ u s _ <"$f.time"
    echo "$rps $(awk -v u="$u" -v s="$s" -v r="$req" 'BEGIN { printf "%.2f %.2f %.2f", (u + s) * 1e6 / r, u * 1e6 / r, s * 1e6 / r }') $sleeps $late" \
        >>"$OUT_DIR/${c//[@+]/_}.rows"
}

log "starting nginx (HTTP/1.1) on core $SERVER_CPU"
nginx_start "$OUT_DIR" "$SERVER_CPU" || die "nginx did not start"
for n in $(seq "$ROUNDS"); do
    for c in "${CASES[@]}"; do
        log "round $n/$ROUNDS: $c, ${DURATION}s"
        run_case "$c" "$n"
        sleep "$PAUSE"
    done
done
nginx_stop

# column k of CASE's rows: "median (min–max)"
stat() {
    sort -n -k"$2" "$OUT_DIR/$1.rows" | awk -v k="$2" -v p="$3" '{ v[NR] = $k }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              if (v[1] == "-") { print "–"; exit }
              if (NR == 1) printf "%." p "f\n", m; else printf "%." p "f (%." p "f–%." p "f)\n", m, v[1], v[NR] }'
}
{
    echo "uring-eval $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); nginx 1 worker on core $SERVER_CPU, generator on core $CLIENT_CPU, $CONNS connections, ${DURATION}s per run, $ROUNDS rounds (median (min–max))"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), kernel $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC'); loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "probe: $PROBE"
    echo
    echo "| case | req/s | CPU µs/req | user | sys | sleeps/req | late (>1 ms) % |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for c in "${CASES[@]}"; do
        k=${c//[@+]/_}
        echo "| $c | $(stat "$k" 1 0) | $(stat "$k" 2 2) | $(stat "$k" 3 2) | $(stat "$k" 4 2) | $(stat "$k" 5 3) | $(stat "$k" 6 1) |"
    done
} | tee "$OUT_DIR/table.md"
echo "raw outputs: $OUT_DIR"
