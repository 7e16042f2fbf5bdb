#!/usr/bin/env bash
# Search benchmark: shirube's index against Pagefind on the same generated sites (1,000 and 10,000 pages, mixed
# Japanese and English, from ../shared/bench/gen_corpus.py). For each size: build with the release binary, run
# Pagefind 1.6 (npm devDependency) on the built HTML, then bench/search-bench.mjs, which runs 60 distinct typical
# queries cold and warm through both runtimes in Node (see the top of that file for what cold and warm mean) and
# prints index size, bytes read per query and time to first result (medians and p95).
#
#   bench/search.sh               # 1000 and 10000 pages
#   bench/search.sh 2000          # other sizes
#   SHIRUBE_BENCH_CORPORA=/tmp/corpora bench/search.sh   # generate each corpus there once, and reuse it
#
# Needs python3, node 18+ and `npm ci` (for pagefind). See bench/README.md for how to read the table.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
gen="$repo/../shared/bench/gen_corpus.py"
bin="${CARGO_TARGET_DIR:-$repo/target}/release/shirube"
pagefind="$repo/node_modules/.bin/pagefind"

if (($# > 0)); then sizes=("$@"); else sizes=(1000 10000); fi
for n in "${sizes[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench: page counts must be positive integers, got '$n'" >&2; exit 2; }
done
[[ -f $gen ]] || { echo "bench: corpus generator not found at $gen" >&2; exit 2; }
[[ -x $pagefind ]] || { echo "bench: $pagefind not found; run \`npm ci\` first" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/shirube-search-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

echo "bench: cargo build --release" >&2
(cd "$repo" && cargo build --release --quiet)

rows=()
for n in "${sizes[@]}"; do
    if [[ -n ${SHIRUBE_BENCH_CORPORA:-} ]]; then
        corpus="$SHIRUBE_BENCH_CORPORA/site-$n"
        if [[ ! -f $corpus/shirube.yaml ]]; then
            echo "bench: generating $n pages into $corpus" >&2
            python3 "$gen" --pages "$n" --out "$corpus" >/dev/null
        fi
        site="$tmp/site-$n"
        mkdir -p "$site"
        cp -r "$corpus"/. "$site"/
    else
        site="$tmp/site-$n"
        echo "bench: generating $n pages" >&2
        python3 "$gen" --pages "$n" --out "$site" >/dev/null
    fi
    echo "bench: shirube build" >&2
    start=$(date +%s%N)
    "$bin" build --root "$site" --out "$site/public" >/dev/null 2>"$tmp/build.log" || { head -30 "$tmp/build.log" >&2; exit 1; }
    build_ms=$((($(date +%s%N) - start) / 1000000))
    echo "bench: pagefind" >&2
    start=$(date +%s%N)
    "$pagefind" --site "$site/public" --root-selector main --output-subdir pagefind >"$tmp/pagefind.log" 2>&1 || { tail -30 "$tmp/pagefind.log" >&2; exit 1; }
    pf_ms=$((($(date +%s%N) - start) / 1000000))
    pages=$(grep -o 'built [0-9]* pages' "$tmp/build.log" | grep -o '[0-9]*' || echo "?")
    echo "bench: queries" >&2
    while IFS= read -r line; do
        rows+=("$n $pages $build_ms $pf_ms $line")
    done < <(node "$script_dir/search-bench.mjs" "$site/public" 2>/dev/null)
done

printf '%6s %6s %-13s %9s %9s %9s %8s %8s %8s %8s %8s %8s %8s %8s\n' \
    N pages engine index_KB q_KB_med q_KB_max q_gz_KB cold_ms cold_p95 warm_ms warm_p95 cpu_ms import build_s
for row in "${rows[@]}"; do
    read -r n pages build_ms pf_ms json <<<"$row"
    python3 - "$n" "$pages" "$build_ms" "$pf_ms" "$json" <<'PY'
import json, sys
n, pages, build_ms, pf_ms, j = sys.argv[1:]
r = json.loads(j)
kb = lambda b: f"{b / 1024:.0f}"
secs = (int(pf_ms) if r["engine"] == "pagefind" else int(build_ms)) / 1000
print(f'{n:>6} {pages:>6} {r["engine"]:<13} {kb(r["index_bytes"]):>9} {kb(r["query_bytes_median"]):>9} '
      f'{kb(r["query_bytes_max"]):>9} {kb(r["query_gzip_median"]):>8} {r["cold_ms_median"]:>8} '
      f'{r["cold_ms_p95"]:>8} {r["warm_ms_median"]:>8} {r["warm_ms_p95"]:>8} {r["cold_cpu_ms_median"]:>8} '
      f'{r["import_ms_median"]:>8} {secs:>8.1f}')
PY
done
