#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Userspace tests of netvsc's wire parsers (drivers/net/hyperv/parse.c):
#   parse_test   a table of well-formed and malformed inputs, built with
#                AddressSanitizer and UBSan (gcc)
#   fuzz_parse   a libFuzzer target (clang -fsanitize=fuzzer,address), run
#                for $FUZZ_SECONDS (default 60) from the corpus in
#                $BUILDDIR/unit/corpus
# Prints KTAP: one result per parse_test case, one for the fuzzer.
#
# Needs: gcc, clang and libclang-rt-14-dev (libFuzzer's runtime).
# Environment: BUILDDIR (default <repo>/.build), FUZZ_SECONDS.

set -u

UNIT_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(cd "$UNIT_DIR/../.." && pwd)
SRC=$REPO/drivers/net/hyperv
OUT=${BUILDDIR:-$REPO/.build}/unit
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CFLAGS=(-g -O1 -Wall -Wextra -Werror -I"$UNIT_DIR/shim" -I"$SRC")

mkdir -p "$OUT/corpus"

echo "KTAP version 1"
echo "1..2"

rc=0
pass=0
fail=0
skip=0
if gcc "${CFLAGS[@]}" -fsanitize=address,undefined -fno-sanitize-recover=all \
	-o "$OUT/parse_test" "$UNIT_DIR/parse_test.c" "$SRC/parse.c" \
	>"$OUT/parse_test.build.log" 2>&1 &&
   "$OUT/parse_test" >"$OUT/parse_test.ktap" 2>&1; then
	sed 's/^/    /' "$OUT/parse_test.ktap"
	echo "ok 1 parse_test"
	pass=$((pass + 1))
else
	sed 's/^/    # /' "$OUT/parse_test.build.log"
	sed 's/^/    /' "$OUT/parse_test.ktap" 2>/dev/null
	echo "not ok 1 parse_test"
	fail=$((fail + 1))
	rc=1
fi

if ! command -v clang >/dev/null; then
	echo "ok 2 fuzz_parse # SKIP clang not installed"
	skip=1
elif ! clang "${CFLAGS[@]}" -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -o "$OUT/fuzz_parse" \
	"$UNIT_DIR/fuzz_parse.c" "$SRC/parse.c" >"$OUT/fuzz.build.log" 2>&1; then
	if grep -q 'libclang_rt.fuzzer\|fuzzer.*not found\|cannot find' "$OUT/fuzz.build.log"; then
		echo "ok 2 fuzz_parse # SKIP libFuzzer runtime missing (libclang-rt-14-dev)"
		skip=1
	else
		sed 's/^/# /' "$OUT/fuzz.build.log"
		echo "not ok 2 fuzz_parse"
		fail=$((fail + 1))
		rc=1
	fi
elif (cd "$OUT" && ./fuzz_parse -max_total_time="$FUZZ_SECONDS" \
	-rss_limit_mb=1024 -timeout=10 -print_final_stats=1 corpus) \
	>"$OUT/fuzz.log" 2>&1; then
	echo "# $(grep -m1 'stat::number_of_executed_units' "$OUT/fuzz.log")"
	echo "ok 2 fuzz_parse"
	pass=$((pass + 1))
else
	tail -n 40 "$OUT/fuzz.log" | sed 's/^/# /'
	echo "not ok 2 fuzz_parse"
	fail=$((fail + 1))
	rc=1
fi

echo "# totals: pass:$pass fail:$fail skip:$skip"
exit $rc
