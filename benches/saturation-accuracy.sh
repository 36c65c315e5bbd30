#!/usr/bin/env bash
# Detection accuracy of saturation scenarios: N runs of a step load against the demo target's
# in-memory pool (5 connections held 20 ms: 250 req/s), levels 150..330 req/s in steps of 20,
# 1 s each. Prints one line per run: run, detected capacity, breach level, first failure label.
# Knobs: N=10 SKIP_BUILD=1. Results stay in the temp dir it prints.
set -euo pipefail
N=${N:-10}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -q -p tailguard -p tailguard-demo --manifest-path "$ROOT/Cargo.toml"
BIN="$ROOT/target/release"
OUT="$(mktemp -d)"
echo "results in $OUT"
"$BIN/tailguard-demo" --port 0 --pool-size 5 --pool-hold 20ms --pool-acquire-timeout 100ms > "$OUT/demo.log" 2>&1 &
DEMO=$!
trap 'kill $DEMO' EXIT
for _ in $(seq 50); do grep -q listening "$OUT/demo.log" && break; sleep 0.1; done
URL="$(sed -n 's/^listening on //p' "$OUT/demo.log")"
cat > "$OUT/accuracy.toml" <<T
name = "pool-accuracy"
target = "$URL"
slo = ["p99 < 200ms"]
[request]
path = "/db"
[load]
warmup = "200ms"
connections = 128
timeout = "2s"
[saturation]
from = 150
to = 330
steps = 10
hold = "1s"
T
for i in $(seq 1 "$N"); do
  "$BIN/tailguard" run "$OUT/accuracy.toml" --quiet --out "$OUT/run-$i.json" > /dev/null 2>&1 || true
  python3 -c "
import json, sys
a = json.load(open(sys.argv[1]))['saturation']['analysis']
sig = a.get('signature') or [{'label': '-'}]
print(sys.argv[2], a.get('capacity_rps'), a.get('breach_level'), sig[0]['label'])" "$OUT/run-$i.json" "$i"
done
