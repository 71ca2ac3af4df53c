#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host side of the netvsc benchmark (make bench [QUICK=1]): build the
# helpers, run bench/run.sh in one VM boot, save the raw JSON lines and the
# summary JSON in bench/results/ and print the Markdown table.
#
#   bench/bench.sh [--quick]     (QUICK=1 in the environment does the same)

set -u
dir=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(cd "$dir/.." && pwd)
quick=${QUICK:-}
[ "$quick" = 0 ] && quick=
[ "${1:-}" = --quick ] && quick=1

make -s -C "$dir" || exit 1
[ -x "$repo/tools/vfctl/vfctl" ] || make -s -C "$repo/tools/vfctl" || exit 1
for m in netvsc netvsc_sim; do
	[ -e "$repo/drivers/net/hyperv/$m.ko" ] || { echo "bench: build the modules first (make modules)" >&2; exit 1; }
done

mkdir -p "$dir/results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
tag=${quick:+quick-}$stamp
log=$dir/results/$tag.log
export NVS_BENCH_QUICK=${quick:-0}
"$repo/tests/vm/run.sh" --timeout "${NVS_BENCH_TIMEOUT:-3600}" \
	--cmd "bash $repo/bench/run.sh" >"$log" 2>&1
rc=$?
# Each result is also printed as it is taken ("@@R JSON"), so that a run
# cut short by the timeout still yields what it measured.
sed -n 's/^@@R //p' "$log" >"$dir/results/$tag.jsonl"
if [ ! -s "$dir/results/$tag.jsonl" ]; then
	echo "bench: no results (VM exit status $rc); output in $log" >&2
	tail -n 30 "$log" >&2
	exit 1
fi
python3 "$dir/report.py" --json "$dir/results/$tag.jsonl" >"$dir/results/$tag.json"
[ -n "$quick" ] || cp "$dir/results/$tag.json" "$dir/results/latest.json"
python3 "$dir/report.py" --markdown "$dir/results/$tag.jsonl" | tee "$dir/results/$tag.md"
echo
echo "bench: results in bench/results/$tag.{jsonl,json,md}, log $tag.log"
exit $rc
