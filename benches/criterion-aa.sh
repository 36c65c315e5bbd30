#!/usr/bin/env bash
# criterion through the gate, run-level trials (issue 14's criterion targets): "an unchanged rerun
# (A/A over >= 30 benchmark comparisons) gives no fail; a real 1.3x slowdown of one benchmark
# fails".
#
# The fixture crate's bench executable (runner/tests/fixtures/criterion-fixture: checksum_1k,
# checksum/100, checksum/10000) is built once and run as both sides, RUNS interleaved runs per side
# (base, head, head, base, ... as gate.yml does), each saved as a named criterion baseline; then
# `tailguard criterion --which pr-1..pr-RUNS --baseline-which main-1..main-RUNS` judges the round.
# AA_ROUNDS rounds are A/A (3 comparisons each); SLOW_ROUNDS rounds run the head side with
# FIXTURE_SLOW_1K=1.3, which makes checksum_1k do 1.3x the work (the other two unchanged).
# Prints one line per comparison and a summary; exits 1 when an A/A comparison fails or a slowed
# round does not fail checksum_1k.
#
# Knobs: AA_ROUNDS=10 SLOW_ROUNDS=3 RUNS=5 WARMUP=0.3 MEASURE=0.7 TG=path/to/tailguard OUT_DIR=...
set -euo pipefail
AA_ROUNDS=${AA_ROUNDS:-10}
SLOW_ROUNDS=${SLOW_ROUNDS:-3}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-0.3}
MEASURE=${MEASURE:-0.7}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET="$ROOT/target/criterion-fixture"
if [ -z "${TG:-}" ]; then
  cargo build --locked -q -p tailguard
  TG="${CARGO_TARGET_DIR:-$ROOT/target}/debug/tailguard"
fi
EXE="$(CARGO_TARGET_DIR="$TARGET" cargo bench --locked -q -p criterion-fixture --bench fixture \
  --no-run --message-format=json \
  | jq -r 'select(.reason == "compiler-artifact" and .executable != null) | .executable' | tail -n 1)"
OUT="${OUT_DIR:-$(mktemp -d)}"
mkdir -p "$OUT"
echo "results in $OUT; $AA_ROUNDS A/A rounds, $SLOW_ROUNDS rounds with checksum_1k 1.3x slower"

# One round: RUNS interleaved runs a side into $OUT/round-N; the head side with env "$2".
round() {
  local n=$1 slow=$2 base=() head=() i side order
  export CRITERION_HOME="$OUT/round-$n"
  for i in $(seq "$RUNS"); do
    if [ $((i % 2)) = 1 ]; then order=(main pr); else order=(pr main); fi
    for side in "${order[@]}"; do
      if [ "$side" = pr ]; then
        FIXTURE_SLOW_1K="$slow" "$EXE" --bench --save-baseline "pr-$i" \
          --warm-up-time "$WARMUP" --measurement-time "$MEASURE" > /dev/null 2>&1
      else
        "$EXE" --bench --save-baseline "main-$i" \
          --warm-up-time "$WARMUP" --measurement-time "$MEASURE" > /dev/null 2>&1
      fi
    done
    base+=("main-$i"); head+=("pr-$i")
  done
  "$TG" criterion --dir "$CRITERION_HOME" --which "$(IFS=,; echo "${head[*]}")" \
    --baseline-which "$(IFS=,; echo "${base[*]}")" --out "$OUT/round-$n.json" \
    > "$OUT/round-$n.txt" 2>&1 || true
}

n=0
for _ in $(seq "$AA_ROUNDS"); do n=$((n + 1)); round "$n" 1; done
for _ in $(seq "$SLOW_ROUNDS"); do n=$((n + 1)); round "$n" 1.3; done

python3 - "$OUT" "$AA_ROUNDS" "$n" <<'P'
import json, sys
out, aa_rounds, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
aa = {"fail": 0, "pass": 0, "inconclusive": 0}
slow_caught, bad = 0, []
for r in range(1, rounds + 1):
    v = json.load(open(f"{out}/round-{r}.json"))
    slowed = r > aa_rounds
    for s in v["scenarios"]:
        gated = [m for m in s["metrics"] if m["gated"]]
        verdict = max((m["verdict"] for m in gated), key=["pass", "inconclusive", "fail"].index)
        noise = max((m.get("noise") or 0 for m in gated), default=0)
        change = next((m.get("change") for m in gated if m.get("change") is not None), None)
        change = "–" if change is None else "%+.1f %%" % (100 * change)
        kind = "1.3x" if slowed and s["scenario"].endswith("checksum_1k") else "A/A"
        print(f"round {r:2} {kind:4} {s['scenario']:28} noise {100 * noise:5.1f} %  change {change:>8}  {verdict}")
        if kind == "A/A":
            aa[verdict] += 1
            if verdict == "fail":
                bad.append(f"round {r} {s['scenario']}: an unchanged benchmark failed")
        elif verdict == "fail":
            slow_caught += 1
        else:
            bad.append(f"round {r} {s['scenario']}: the 1.3x slowdown was {verdict}")
total = sum(aa.values())
print(f"A/A comparisons: {total}: {aa['fail']} fail, {aa['pass']} pass, {aa['inconclusive']} inconclusive")
print(f"1.3x slowdown of checksum_1k: failed in {slow_caught} of {rounds - aa_rounds} rounds")
for line in bad:
    print("MISSED:", line)
sys.exit(1 if bad else 0)
P
