#!/usr/bin/env bash
# What a one-page edit costs the output folder, and what a first search query downloads.
#
#   bench/search_churn.sh              # 10,000 pages
#   bench/search_churn.sh 1000 50000   # other sizes
#   SHIRUBE_BIN=target/debug/shirube bench/search_churn.sh    # another binary (file counts do not depend on it)
#   SHIRUBE_BENCH_CORPORA=/tmp/corpora bench/search_churn.sh  # generate each corpus there once, and reuse it
#   LONG_PAGES=2000 bench/search_churn.sh 10000               # also a site of 2,000 long pages (about 6,000 words)
#
# For each size: generate a site with ../shared/bench/gen_corpus.py, build it, then edit one published English
# playbook the way an author fixes a sentence (one word added after the first word of a paragraph in the middle of the page) and
# build again into the same output folder. Files are compared before and after by inode and modification time
# (every file shirube writes is a new inode, renamed into place; unchanged files are not touched), and the
# script prints the files written and deleted, under search/ and elsewhere, and the largest of the written
# files under search/. Then bench/search-bench.mjs runs its 60 cold queries on the edited site through the Node
# runtime and the script prints the bytes each first query reads (median and max; gzip as a static host sends
# them) and the cold time to the first five results.
#
# Needs python3 and node 18+. Temporary folders are removed when the script exits.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
gen="$repo/../shared/bench/gen_corpus.py"
[[ -f $gen ]] || gen="/work/shared/bench/gen_corpus.py"
[[ -f $gen ]] || { echo "churn: corpus generator not found at $gen" >&2; exit 2; }

if (($# > 0)); then sizes=("$@"); else sizes=(10000); fi
for n in "${sizes[@]}" ${LONG_PAGES:-}; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "churn: page counts must be positive integers, got '$n'" >&2; exit 2; }
done

if [[ -n ${SHIRUBE_BIN:-} ]]; then
    bin=$SHIRUBE_BIN
else
    echo "churn: cargo build --release" >&2
    (cd "$repo" && cargo build --release --quiet)
    bin="${CARGO_TARGET_DIR:-$repo/target}/release/shirube"
fi
[[ -x $bin ]] || { echo "churn: no shirube binary at $bin" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/shirube-churn.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# corpus NAME PAGES [generator options...]: a fresh copy of a generated site in $tmp/NAME.
corpus() {
    local name=$1 n=$2
    shift 2
    local site="$tmp/$name"
    if [[ -n ${SHIRUBE_BENCH_CORPORA:-} ]]; then
        local keep="$SHIRUBE_BENCH_CORPORA/$name"
        if [[ ! -f $keep/shirube.yaml ]]; then
            echo "churn: generating $n pages into $keep" >&2
            python3 "$gen" --pages "$n" "$@" --out "$keep" >/dev/null
        fi
        mkdir -p "$site"
        cp -r "$keep"/. "$site"/
        rm -rf "$site/public"
    else
        echo "churn: generating $n pages" >&2
        python3 "$gen" --pages "$n" "$@" --out "$site" >/dev/null
    fi
    echo "$site"
}

build() {
    "$bin" build --root "$1" --out "$1/public" >/dev/null 2>"$tmp/build.log" || { head -30 "$tmp/build.log" >&2; exit 1; }
}

# Every file of the output with its inode and modification time.
snapshot() {
    (cd "$1" && find . -type f -printf '%P\t%i\t%T@\n' | sort)
}

# Adds one word to a paragraph line in the middle of a published English playbook; prints its path.
edit_one_page() {
    python3 - "$1" <<'PY'
import json, os, re, sys
site = sys.argv[1]
pages = json.load(open(os.path.join(site, 'public', 'manifest.json'), encoding='utf-8'))['pages']
for p in pages:
    if p.get('kind') != 'playbook' or p.get('state') != 'published':
        continue
    m = re.search(r'/playbooks/([^/]+)/([^/]+)/$', p['url'])
    if not m:
        continue
    src = os.path.join(site, 'playbooks', m.group(1), m.group(2) + '.md')
    if not os.path.isfile(src):
        continue
    lines = open(src, encoding='utf-8').read().split('\n')
    body = [i for i, l in enumerate(lines) if re.match(r'^[A-Z][a-z].* [a-z]+.*\.$', l)]
    if len(body) < 3 or not p['title'].isascii():
        continue
    i = body[len(body) // 2]
    first, rest = lines[i].split(' ', 1)
    lines[i] = first + ' today ' + rest
    open(src, 'w', encoding='utf-8').write('\n'.join(lines))
    print(src)
    break
else:
    sys.exit('churn: no published English playbook with paragraphs to edit')
PY
}

printf '%7s %7s %12s %12s %12s %12s %14s %10s %10s %10s %9s\n' \
    pages built search_wrote search_del other_wrote other_del largest_wr_KB q_KB_med q_KB_max q_gz_KB cold_ms
run() {
    local site=$1 n=$2
    echo "churn: build" >&2
    build "$site"
    local built
    built=$(grep -o 'built [0-9]* pages' "$tmp/build.log" | grep -o '[0-9]*' || echo "?")
    snapshot "$site/public" >"$tmp/before"
    local edited
    edited=$(edit_one_page "$site")
    echo "churn: edited ${edited#"$site"/}; build again" >&2
    build "$site"
    snapshot "$site/public" >"$tmp/after"
    # Written: in the new output, and new or not the same (inode, mtime) as before. Deleted: only before.
    local counts
    counts=$(python3 - "$tmp/before" "$tmp/after" "$site/public" <<'PY'
import os, sys
def read(p):
    out = {}
    for line in open(p, encoding='utf-8'):
        path, ino, mtime = line.rstrip('\n').split('\t')
        out[path] = (ino, mtime)
    return out
before, after = read(sys.argv[1]), read(sys.argv[2])
written = [p for p, v in after.items() if before.get(p) != v and p != '.shirube-output']
deleted = [p for p in before if p not in after]
s = lambda ps: [p for p in ps if p.startswith('search/')]
o = lambda ps: [p for p in ps if not p.startswith('search/')]
largest = max((os.path.getsize(os.path.join(sys.argv[3], p)) for p in s(written)), default=0)
print(len(s(written)), len(s(deleted)), len(o(written)), len(o(deleted)), f'{largest / 1024:.1f}')
for p in sorted(o(written)):
    print('  other file written:', p, file=sys.stderr)
PY
)
    echo "churn: queries" >&2
    local q
    q=$(BENCH_ENGINES=shirube node "$script_dir/search-bench.mjs" "$site/public")
    read -r sw sd ow od largest <<<"$counts"
    python3 - "$n" "$built" "$sw" "$sd" "$ow" "$od" "$largest" "$q" <<'PY'
import json, sys
n, built, sw, sd, ow, od, largest, q = sys.argv[1:]
r = json.loads(q)
kb = lambda b: f'{b / 1024:.1f}'
print(f'{n:>7} {built:>7} {sw:>12} {sd:>12} {ow:>12} {od:>12} {largest:>14} {kb(r["query_bytes_median"]):>10} '
      f'{kb(r["query_bytes_max"]):>10} {kb(r["query_gzip_median"]):>10} {r["cold_ms_median"]:>9}')
PY
}

for n in "${sizes[@]}"; do
    run "$(corpus "site-$n" "$n")" "$n"
done
if [[ -n ${LONG_PAGES:-} ]]; then
    run "$(corpus "long-$LONG_PAGES" "$LONG_PAGES" --words 6000)" "${LONG_PAGES}L"
fi
