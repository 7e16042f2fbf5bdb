#!/usr/bin/env bash
# Build-time benchmark for shirube: how long `shirube build` takes on generated sites.
#
#   bench/build.sh                # 1000 and 10000 pages, 5 timed runs each
#   bench/build.sh 1000 5000      # other sizes
#   RUNS=9 bench/build.sh 10000   # more timed runs
#
# See bench/README.md for how to read the output.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
gen="$repo/../shared/bench/gen_corpus.py"

RUNS=${RUNS:-5}
if ! [[ $RUNS =~ ^[1-9][0-9]*$ ]]; then
    echo "bench: RUNS must be a positive integer, got '$RUNS'" >&2
    exit 2
fi
if (($# > 0)); then sizes=("$@"); else sizes=(1000 10000); fi
for n in "${sizes[@]}"; do
    if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
        echo "bench: page counts must be positive integers, got '$n'" >&2
        exit 2
    fi
done
if [[ ! -f $gen ]]; then
    echo "bench: corpus generator not found at $gen" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/shirube-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

echo "bench: cargo build --release" >&2
(cd "$repo" && cargo build --release --quiet)
# Benchmark a private copy: a concurrent `cargo build` must not swap the binary mid-run.
cp "$repo/target/release/shirube" "$tmp/shirube"
bin="$tmp/shirube"

# Times one command; prints "wall_ms cpu_ms" and exits with the command's status.
# Wall time by time.perf_counter, started after Python's own start-up. CPU time
# (user + system, all threads) from getrusage: much less disturbed than wall time
# when other jobs share the CPUs, so it helps tell a slow build from a busy machine.
cat >"$tmp/timer.py" <<'EOF'
import resource, subprocess, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
c0, t0 = cpu(), time.perf_counter()
rc = subprocess.run(sys.argv[1:]).returncode
t1, c1 = time.perf_counter(), cpu()
print(f"{(t1 - t0) * 1000:.3f} {(c1 - c0) * 1000:.3f}")
sys.exit(rc)
EOF

# Prints "median min max" of the numbers given as arguments.
stats() {
    python3 -c 'import statistics, sys
x = sorted(float(a) for a in sys.argv[1:])
print(f"{statistics.median(x):.1f} {x[0]:.1f} {x[-1]:.1f}")' "$@"
}

# Shows why a build failed and stops the benchmark.
build_failed() { # N, stderr file
    echo "bench: shirube build FAILED on the $1-page corpus; first 30 lines of stderr:" >&2
    head -n 30 "$2" >&2
    exit 1
}

have_gnu_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
    have_gnu_time=1
fi

# Corpus options. gen_corpus.py writes no deliberate errors: the site builds
# with 0 errors using its defaults, which we keep:
#   --seed 1 --lang mixed --words 600: the defaults, spelled out so runs compare;
#     about half the pages are Japanese, ~600 words per page, every link points
#     to a generated page.
#   no --hashes: with hashes in the manifest, whether a page counts as stale
#     depends on how shirube hashes files; without them no page is stale.
#   no --hugo: no Hugo comparison here.
#   --as-of today: proof dates are relative to it, so successful proofs stay
#     within max_age_days (540) whenever the benchmark runs; the fixed default
#     (2026-11-01) would let them expire from mid-2027 and change what is built.
# About 20% of gated pages are deliberately unproven (never used, failed only,
# wrong tier, expired). That is content, not an error: the proof gate holds
# them back. The generator links pages without regard to proof, so links to
# held-back pages give warnings (about 0.8 per page; no generator option avoids
# them). They go to a file here, and the build still exits 0.
as_of=$(date -u +%F)
corpus_opts=(--seed 1 --lang mixed --words 600 --as-of "$as_of")

echo "shirube build benchmark: $("$bin" --version), $(nproc) CPUs, RUNS=$RUNS (+1 warm-up), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "corpus: gen_corpus.py --pages N ${corpus_opts[*]}"
if ((have_gnu_time == 0)); then
    echo "peak RSS: not measured (/usr/bin/time -v missing; apt-get install time)"
fi
echo

results=()
for n in "${sizes[@]}"; do
    corpus="$tmp/corpus-$n"
    out="$tmp/out-$n"
    err="$tmp/stderr-$n"

    echo "bench: generating $n pages" >&2
    python3 "$gen" --pages "$n" --out "$corpus" "${corpus_opts[@]}" | sed 's/^/  /'

    # Warm-up: fills the page cache and creates the out folder, which shirube marks
    # as its own, so the timed runs can write into it again.
    echo "bench: warm-up build" >&2
    "$bin" build --root "$corpus" --out "$out" 2>"$err" || build_failed "$n" "$err"

    times=()
    cpus=()
    for ((i = 1; i <= RUNS; i++)); do
        res=$(python3 "$tmp/timer.py" "$bin" build --root "$corpus" --out "$out" 2>"$err") ||
            build_failed "$n" "$err"
        read -r ms cpu_ms <<<"$res"
        times+=("$ms")
        cpus+=("$cpu_ms")
        echo "bench: N=$n run $i/$RUNS: $ms ms wall, $cpu_ms ms CPU" >&2
    done

    pages=$(sed -n 's/^built \([0-9][0-9]*\) pages.*/\1/p' "$err" | tail -n 1)
    pages=${pages:-?}
    # Anything besides the summary line means the build is not clean: say so.
    # (sed -n, not head: head would close the pipe early and pipefail would stop us.)
    extra=$(grep -vc '^built [0-9]' "$err" || true)
    if ((extra > 0)); then
        warnings=$(grep -c ': warning: ' "$err" || true)
        echo "  note: shirube printed $warnings warning(s) ($extra lines besides 'built') on stderr; the first:"
        grep -v '^built [0-9]' "$err" | sed -n '1,5s/^/    /p'
    fi

    read -r median min max < <(stats "${times[@]}")
    read -r cpu_median _ < <(stats "${cpus[@]}")
    if [[ $pages == "?" ]]; then
        pps="?"
    else
        pps=$(python3 -c "import sys; print(round(int(sys.argv[1]) / (float(sys.argv[2]) / 1000)))" "$pages" "$median")
    fi

    rss="n/a"
    if ((have_gnu_time == 1)); then
        /usr/bin/time -v -o "$tmp/time-$n" "$bin" build --root "$corpus" --out "$out" 2>"$err" ||
            build_failed "$n" "$err"
        kb=$(sed -n 's/.*Maximum resident set size (kbytes): *\([0-9]*\).*/\1/p' "$tmp/time-$n")
        [[ -n $kb ]] && rss=$(python3 -c "import sys; print(f'{int(sys.argv[1]) / 1024:.1f}')" "$kb")
    fi

    results+=("$(printf '%8s %8s %11s %9s %9s %9s %12s %12s' "$n" "$pages" "$median" "$min" "$max" "$pps" "$cpu_median" "$rss")")
    echo
done

printf '%8s %8s %11s %9s %9s %9s %12s %12s\n' "N" "pages" "median_ms" "min_ms" "max_ms" "pages/s" "cpu_med_ms" "peak_RSS_MB"
printf '%s\n' "${results[@]}"
