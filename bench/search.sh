#!/usr/bin/env bash
# Search benchmark: shirube's index against Pagefind on the same generated sites (1,000 and 10,000 pages, mixed
# Japanese and English, from ../shared/bench/gen_corpus.py). For each size: build with the release binary, run
# Pagefind 1.6 (npm devDependency) on the built HTML, then bench/search-bench.mjs, which runs 20 typical queries
# cold through both runtimes in Node and prints index size, bytes fetched per query and time to first result.
#
#   bench/search.sh               # 1000 and 10000 pages
#   bench/search.sh 2000          # other sizes
#
# Needs python3, node 18+ and `npm ci` (for pagefind). See bench/README.md for how to read the table.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
gen="$repo/../shared/bench/gen_corpus.py"
bin="$repo/target/release/shirube"
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
    site="$tmp/site-$n"
    echo "bench: generating $n pages" >&2
    python3 "$gen" --pages "$n" --out "$site" >/dev/null
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

printf '%6s %6s %-9s %10s %11s %10s %10s %9s %9s %8s %11s\n' N pages engine index_KB q_KB_med q_KB_max q_gz_KB ttfr_ms p95_ms cpu_ms build_s
for row in "${rows[@]}"; do
    read -r n pages build_ms pf_ms json <<<"$row"
    python3 - "$n" "$pages" "$build_ms" "$pf_ms" "$json" <<'PY'
import json, sys
n, pages, build_ms, pf_ms, j = sys.argv[1:]
r = json.loads(j)
kb = lambda b: f"{b / 1024:.0f}"
secs = (int(build_ms) if r["engine"] == "shirube" else int(pf_ms)) / 1000
print(f'{n:>6} {pages:>6} {r["engine"]:<9} {kb(r["index_bytes"]):>10} {kb(r["query_bytes_median"]):>11} '
      f'{kb(r["query_bytes_max"]):>10} {kb(r["query_gzip_median"]):>10} {r["first_result_ms_median"]:>9} '
      f'{r["first_result_ms_p95"]:>9} {r["cpu_ms_median"]:>8} {secs:>11.1f}')
PY
done
