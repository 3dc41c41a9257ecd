#!/bin/bash
# Are masks, split lists and shards byte-identical between a revision and the working tree's
# HEAD? Usage: tools/same-outputs.sh REV [--configfile FILE]. Both revisions run in fresh
# clones under $TMPDIR with this checkout's .venv, up to the tfrecords rule.
set -euo pipefail
rev=$1; shift
repo=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
for side in "$rev" HEAD; do
  dir=$work/$(echo "$side" | tr -c 'A-Za-z0-9\n' _)
  git clone -q "$repo" "$dir" && git -C "$dir" checkout -q "$(git -C "$repo" rev-parse "$side")"
  ln -s "$repo/.venv" "$dir/.venv"
  ln -sfn "$(cd "$repo/.." && pwd)/shared" "$work/shared"  # ../shared as seen from the clone
  (cd "$dir" && .venv/bin/snakemake --cores all "$@" --until tfrecords -q > "$dir.log" 2>&1)
  (cd "$dir" && find results/masks results/splits results/tfrecords -type f \
    \( -name '*.png' -o -name '*.txt' -o -name '*.tfrecord' \) | sort | xargs sha256sum) > "$dir.sha"
done
a=$work/$(echo "$rev" | tr -c 'A-Za-z0-9\n' _).sha
if diff -q "$a" "$work/HEAD.sha" > /dev/null; then
  echo "identical: $(wc -l < "$a") files (masks, split lists, shards)"
else
  diff "$a" "$work/HEAD.sha" | head -20; exit 1
fi
