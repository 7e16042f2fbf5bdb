#!/usr/bin/env bash
# What the proof gate costs: builds a 10,000-page corpus whose manifest holds 20,000 engagements, with
# `shirube build --timings`, and prints the median time of the gate stage (manifest parse, validation and the
# decision per page, content hashes included) against the median of the whole build.
#
#   bench/gate.sh              # 10000 pages, 20000 engagements, 5 runs
#   RUNS=9 bench/gate.sh 10000 20000
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
gen="$repo/../shared/bench/gen_corpus.py"
pages=${1:-10000}
engagements=${2:-20000}
RUNS=${RUNS:-5}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/shirube-gate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

(cd "$repo" && cargo build --release --quiet)
cp "$repo/target/release/shirube" "$tmp/shirube"

today=$(date -u +%Y-%m-%d)
python3 "$gen" --pages "$pages" --out "$tmp/site" --as-of "$today" >/dev/null
# The generator writes a few thousand engagements; add more, each using 1-4 random playbooks or FAQs, until
# the manifest holds the requested number. Deterministic (seeded).
python3 - "$tmp/site" "$engagements" "$today" <<'PY'
import datetime, os, random, sys
root, target, today = sys.argv[1], int(sys.argv[2]), datetime.date.fromisoformat(sys.argv[3])
text = open(os.path.join(root, "manifest.yaml"), encoding="utf-8").read()
have = text.count("\n  - id:")
gated = []
for base in ("playbooks", "content/faq"):
    for d, _, files in os.walk(os.path.join(root, base)):
        gated += [os.path.relpath(os.path.join(d, f), root) for f in files if f.endswith(".md") and f != "index.md"]
gated.sort()
rng = random.Random(7)
out = [text.rstrip("\n"), ""]
for i in range(have, target):
    date = today - datetime.timedelta(days=rng.randrange(0, 700))
    out.append(f"  - id: BENCH-{i:06d}\n    customer: Bench Customer {i} KK\n    csm: bench\n"
               f"    tier: {rng.choice(['tech', 'low', 'mid', 'high'])}\n    date: {date.isoformat()}\n"
               f"    outcome: {rng.choice(['success', 'success', 'success', 'partial', 'failed'])}\n    used:")
    for p in rng.sample(gated, rng.randint(1, 4)):
        out.append(f"      - {p}")
open(os.path.join(root, "manifest.yaml"), "w", encoding="utf-8").write("\n".join(out) + "\n")
print(f"manifest: {target} engagements over {len(gated)} gated pages", file=sys.stderr)
PY

gate_ms=()
total_ms=()
"$tmp/shirube" build --root "$tmp/site" --out "$tmp/out" >/dev/null 2>&1 # warm-up
for _ in $(seq "$RUNS"); do
    line=$(SHIRUBE_TODAY=$today "$tmp/shirube" build --root "$tmp/site" --out "$tmp/out" --timings 2>&1 | grep '^timings:')
    gate_ms+=("$(sed -E 's/.*gate ([0-9.]+) ms.*/\1/' <<<"$line")")
    total_ms+=("$(python3 -c 'import re,sys; print(sum(float(x) for x in re.findall(r"([0-9.]+) ms", sys.argv[1])))' "$line")")
done
python3 - "${gate_ms[*]}" "${total_ms[*]}" "$pages" "$engagements" <<'PY'
import statistics, sys
g = [float(x) for x in sys.argv[1].split()]
t = [float(x) for x in sys.argv[2].split()]
mg, mt = statistics.median(g), statistics.median(t)
print(f"{sys.argv[3]} pages, {sys.argv[4]} engagements, {len(g)} runs")
print(f"gate stage: median {mg:.1f} ms (min {min(g):.1f}, max {max(g):.1f})")
print(f"whole build (all stages incl. write): median {mt:.1f} ms")
print(f"gate share: {100 * mg / mt:.1f}% of the build")
PY
