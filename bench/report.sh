#!/usr/bin/env bash
# What `shirube report` costs at scale: a 10,000-page corpus whose manifest holds 20,000 engagements, with a
# feedback export of 20,000 answers, reported RUNS times with the release binary. Prints every run's wall and
# CPU time and the median (target: under 2 s). A benchmark, not a test: nothing fails on the figure.
#
#   bench/report.sh                  # 10000 pages, 20000 engagements, 20000 answers, 5 runs
#   RUNS=9 bench/report.sh 10000 20000 20000
#   CORPUS=/tmp/report-corpus bench/report.sh   # keep the generated site there and reuse it next time
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
gen=${SHIRUBE_GEN_CORPUS:-"$repo/../shared/bench/gen_corpus.py"}
pages=${1:-10000}
engagements=${2:-20000}
answers=${3:-20000}
RUNS=${RUNS:-5}
target=${CARGO_TARGET_DIR:-"$repo/target"}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/shirube-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

(cd "$repo" && cargo build --release --quiet)
cp "$target/release/shirube" "$tmp/shirube"

# The corpus's proofs are dated up to 2026-11-01; the report is judged on 2027-06-01, when some expire soon.
today=2027-06-01
site=${CORPUS:-$tmp/site}
stamp="$pages pages, $engagements engagements, $answers answers"
if [[ ! -f "$site/.report-corpus" || "$(cat "$site/.report-corpus")" != "$stamp" ]]; then
if [[ -e "$site" && ! -f "$site/.report-corpus" && -n "$(ls -A "$site")" ]]; then
    echo "CORPUS=$site is not empty and was not made by this script; not touching it" >&2
    exit 2
fi
rm -rf "$site"
python3 "$gen" --pages "$pages" --out "$site" --as-of 2026-11-01 >/dev/null
# More engagements, each using 1-4 random playbooks or FAQs, until the manifest holds the requested number; and
# a Google Forms export of answers about random pages. Deterministic (seeded).
python3 - "$site" "$engagements" "$answers" <<'PY'
import datetime, os, random, re, sys
root, target, answers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
as_of = datetime.date(2026, 11, 1)
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
    date = as_of - datetime.timedelta(days=rng.randrange(0, 700))
    out.append(f"  - id: BENCH-{i:06d}\n    customer: Bench Customer {i} KK\n    csm: bench\n"
               f"    tier: {rng.choice(['tech', 'low', 'mid', 'high'])}\n    date: {date.isoformat()}\n"
               f"    outcome: {rng.choice(['success', 'success', 'success', 'partial', 'failed'])}\n    used:")
    for p in rng.sample(gated, rng.randint(1, 4)):
        out.append(f"      - {p}")
open(os.path.join(root, "manifest.yaml"), "w", encoding="utf-8").write("\n".join(out) + "\n")
base = re.search(r"^base_url:\s*(\S+)", open(os.path.join(root, "shirube.yaml"), encoding="utf-8").read(), re.M)
base = (base.group(1).strip("\"'") if base else "https://guide.example.com/").rstrip("/") + "/"
def url(path):
    stem = path[:-3]
    return base + (stem[len("content/"):] if stem.startswith("content/") else stem) + "/"
rows = ['"Timestamp","Page URL","Was this page helpful?","Comment (optional)"']
for i in range(answers):
    day = as_of - datetime.timedelta(days=rng.randrange(0, 365))
    comment = rng.choice(["", "", "", "Step 2 is out of date", "Worked, thanks", "手順が分かりにくい"])
    rows.append(f'"{day:%Y/%m/%d} 10:00:00 AM GMT+9","{url(rng.choice(gated))}","{rng.choice(["Yes", "Yes", "No"])}","{comment}"')
open(os.path.join(root, "feedback.csv"), "w", encoding="utf-8-sig", newline="").write("\r\n".join(rows) + "\r\n")
print(f"manifest: {target} engagements over {len(gated)} gated pages; feedback: {answers} answers", file=sys.stderr)
PY
echo "$stamp" >"$site/.report-corpus"
fi

SHIRUBE_TODAY=$today "$tmp/shirube" report --root "$site" --out "$tmp/report.html" --feedback "$site/feedback.csv" \
    >/dev/null 2>&1 # warm-up
SHIRUBE_TODAY=$today python3 - "$tmp/shirube" "$site" "$tmp/report.html" "$RUNS" "$pages" "$engagements" "$answers" <<'PY'
import os, resource, statistics, subprocess, sys, time
binary, site, out = sys.argv[1:4]
runs, pages, engagements, answers = (int(x) for x in sys.argv[4:])
def timed(extra):
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        p = subprocess.run([binary, "report", "--root", site, "--out", out] + extra,
                           stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        wall.append((time.perf_counter() - t) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        if p.returncode != 0:
            sys.exit("report failed:\n" + "\n".join(p.stderr.splitlines()[:30]))
        print(f"run{' --feedback' if extra else ''}: wall {wall[-1]:.1f} ms, cpu {cpu[-1]:.1f} ms", file=sys.stderr)
    return wall, cpu
m = statistics.median
print(f"{pages} pages, {engagements} engagements, {runs} runs, {os.cpu_count()} CPUs, "
      f"load average {os.getloadavg()[0]:.2f}")
wall, cpu = timed([])
print(f"report:                         median wall {m(wall):.1f} ms (min {min(wall):.1f}, max {max(wall):.1f}), "
      f"CPU {m(cpu):.1f} ms; target under 2000 ms")
wall, cpu = timed(["--feedback", os.path.join(site, "feedback.csv")])
print(f"report --feedback ({answers} answers): median wall {m(wall):.1f} ms (min {min(wall):.1f}, max {max(wall):.1f}), "
      f"CPU {m(cpu):.1f} ms")
print(f"report size: {os.path.getsize(out) / 1e6:.1f} MB")
PY
