#!/usr/bin/env bash
# What the proof gate costs: builds a 10,000-page corpus whose manifest holds 20,000 engagements, with
# `shirube build --timings`, and prints the median time of the gate stage (manifest parse, validation and the
# decision per page, content hashes included) against the median of the whole build, with the build's CPU time.
#
#   bench/gate.sh              # 10000 pages, 20000 engagements, 5 runs
#   RUNS=9 bench/gate.sh 10000 20000
#   CORPUS=/tmp/gate-corpus bench/gate.sh   # keep the generated site there and reuse it next time
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
# CORPUS=DIR keeps the generated site in DIR and reuses it on the next run (same size and day only).
site=${CORPUS:-$tmp/site}
stamp="$pages pages, $engagements engagements, as of $today"
if [[ ! -f "$site/.gate-corpus" || "$(cat "$site/.gate-corpus")" != "$stamp" ]]; then
if [[ -e "$site" && ! -f "$site/.gate-corpus" && -n "$(ls -A "$site")" ]]; then
    echo "CORPUS=$site is not empty and was not made by this script; not touching it" >&2
    exit 2
fi
rm -rf "$site"
python3 "$gen" --pages "$pages" --out "$site" --as-of "$today" >/dev/null
# The generator writes a few thousand engagements; add more, each using 1-4 random playbooks or FAQs, until
# the manifest holds the requested number. Deterministic (seeded).
python3 - "$site" "$engagements" "$today" <<'PY'
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
echo "$stamp" >"$site/.gate-corpus"
fi

"$tmp/shirube" build --root "$site" --out "$tmp/out" >/dev/null 2>&1 # warm-up
# Each timed build runs under python, which reads its wall time, its CPU time (user + system, all threads) and
# the `--timings` line; the gate is one stage of the build (it does not overlap other stages), so its wall time
# is what it adds to the build.
SHIRUBE_TODAY=$today python3 - "$tmp/shirube" "$site" "$tmp/out" "$RUNS" "$pages" "$engagements" <<'PY'
import os, re, resource, statistics, subprocess, sys, time
binary, site, out, runs, pages, engagements = sys.argv[1:4] + [int(x) for x in sys.argv[4:]]
gate, stages, wall, cpu = [], [], [], []
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run([binary, "build", "--root", site, "--out", out, "--timings"],
                       stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    wall.append((time.perf_counter() - t) * 1000)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    if p.returncode != 0:
        sys.exit("build failed:\n" + "\n".join(p.stderr.splitlines()[:30]))
    line = next(l for l in p.stderr.splitlines() if l.startswith("timings:"))
    gate.append(float(re.search(r"gate ([0-9.]+) ms", line).group(1)))
    # Stages are laps: sum them, but not what is measured inside one ("of which index", in parallel with
    # rendering) nor the write stage's details in parentheses.
    laps = re.findall(r"(?:timings: |, )([a-z+ ]+?) ([0-9.]+) ms", line.split(" (")[0])
    stages.append(sum(float(ms) for name, ms in laps if not name.startswith("of which")))
    print(f"run: gate {gate[-1]:.1f} ms, stages {stages[-1]:.1f} ms, wall {wall[-1]:.1f} ms, cpu {cpu[-1]:.1f} ms",
          file=sys.stderr)
m = statistics.median
print(f"{pages} pages, {engagements} engagements, {runs} runs, {os.cpu_count()} CPUs, "
      f"load average {os.getloadavg()[0]:.2f}")
print(f"gate stage:  median {m(gate):.1f} ms (min {min(gate):.1f}, max {max(gate):.1f})")
print(f"whole build: median {m(stages):.1f} ms (sum of the --timings stages, write included); "
      f"process wall {m(wall):.1f} ms, CPU {m(cpu):.1f} ms (user + system, all threads)")
print(f"gate share:  {100 * m(gate) / m(stages):.1f}% of the build (median gate / median build, wall time)")
PY
