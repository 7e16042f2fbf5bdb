#!/usr/bin/env bash
# Byte-identity check for refactors: two shirube binaries must write the same output trees.
#
#   bench/same-output.sh OLD_BINARY NEW_BINARY [PAGES...]
#   bench/same-output.sh /tmp/shirube-before target/release/shirube          # sample site and 10,000 pages
#   bench/same-output.sh /tmp/shirube-before target/release/shirube 1000
#
# A binary of an earlier commit: `git worktree add /tmp/before <commit> && (cd /tmp/before && cargo build
# --release) && cp /tmp/before/target/release/shirube /tmp/shirube-before`.
#
# For the sample site (the repository root) and a generated corpus of each size, both binaries build the site
# in publish mode and with --preview, and `check` it; every output file and the diagnostics must be identical.
# Prints one line per comparison and exits 1 on the first difference (with `diff -rq`'s list).
set -euo pipefail

if (($# < 2)); then
    sed -n '2,13p' "$0" >&2
    exit 2
fi
old=$(realpath "$1")
new=$(realpath "$2")
shift 2
if (($# > 0)); then sizes=("$@"); else sizes=(10000); fi
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
gen="$repo/../shared/bench/gen_corpus.py"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/shirube-same.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

mkdir "$tmp/sample"
for part in shirube.yaml manifest.yaml playbooks content themes static; do
    [[ -e $repo/$part ]] && cp -r "$repo/$part" "$tmp/sample/"
done
sites=("$tmp/sample")
for n in "${sizes[@]}"; do
    python3 "$gen" --pages "$n" --out "$tmp/corpus-$n" >/dev/null
    sites+=("$tmp/corpus-$n")
done

export SHIRUBE_TODAY=2026-11-25 NO_COLOR=1
status=0
for site in "${sites[@]}"; do
    for mode in publish preview; do
        flags=()
        [[ $mode == preview ]] && flags=(--preview)
        for which in old new; do
            bin=$old
            [[ $which == new ]] && bin=$new
            # Diagnostics name the output folder: give both the same name, one after the other.
            rm -rf "$site/out"
            (cd "$site" && "$bin" build --out out "${flags[@]}" >"$tmp/$which.stdout" 2>"$tmp/$which.stderr") || true
            # The timing in the last line differs from run to run.
            sed -i -E 's/ in [0-9]+ ms/ in N ms/' "$tmp/$which.stderr"
            rm -rf "$tmp/$which-out"
            [[ -d $site/out ]] && mv "$site/out" "$tmp/$which-out"
            mkdir -p "$tmp/$which-out"
        done
        label="$(basename "$site") $mode"
        if ! diff -rq "$tmp/old-out" "$tmp/new-out" >"$tmp/diff"; then
            echo "DIFFERENT: $label: output trees"
            head -20 "$tmp/diff"
            status=1
        elif ! diff -u "$tmp/old.stderr" "$tmp/new.stderr" >"$tmp/diff"; then
            echo "DIFFERENT: $label: diagnostics"
            head -40 "$tmp/diff"
            status=1
        else
            echo "same: $label ($(find "$tmp/new-out" -type f | wc -l) files, $(du -sb "$tmp/new-out" | cut -f1) bytes)"
        fi
    done
    for which in old new; do
        bin=$old
        [[ $which == new ]] && bin=$new
        (cd "$site" && "$bin" check --format json >"$tmp/$which.check" 2>&1) || true
    done
    if diff -u "$tmp/old.check" "$tmp/new.check" >"$tmp/diff"; then
        echo "same: $(basename "$site") check"
    else
        echo "DIFFERENT: $(basename "$site") check"
        head -40 "$tmp/diff"
        status=1
    fi
done
exit $status
