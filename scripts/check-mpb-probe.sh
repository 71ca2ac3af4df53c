#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The build's probe for vmbus_sendpacket_mpb_desc() with several ranges
# (drivers/net/hyperv/Makefile, probe/vmbus_pagebuffer.c), both ways.
# vmbus.o is built in a copy of the sources, and the modinfo it carries
# (vmbus_multi_range=0|1) read back:
#   - the probe on KDIR's headers answers 1 exactly when <linux/hyperv.h>
#     no longer declares vmbus_sendpacket_pagebuffer();
#   - the probe on those headers with vmbus_sendpacket_pagebuffer()
#     declared again, as before Linux 6.1.140, answers 0;
#   - NETVSC_FORCE_MPB=0 and =1 build, and say so;
#   - NETVSC_FORCE_MPB=2 fails with a message.
# KTAP output; exit status 0 if every check passed.
# Environment: KDIR (default: the top-level Makefile's), BUILDDIR.

set -uo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
BUILDDIR=${BUILDDIR:-$REPO/.build}
OUT=$BUILDDIR/mpb-probe
if [ -z "${KDIR:-}" ]; then
	KDIR=$(make --no-print-directory -s -C "$REPO" print-KDIR 2>/dev/null |
		sed -n 's/^KDIR=//p')
fi

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n $1"
	shift
	printf '%s\n' "$@" | sed 's/^/# /'
}

echo "KTAP version 1"
echo "1..5"
if [ -z "$KDIR" ] || [ ! -f "$KDIR/Makefile" ]; then
	for t in probe_headers probe_old_headers force_0 force_1 force_bad; do
		n=$((n + 1))
		echo "ok $n $t # SKIP no kernel build tree (KDIR='$KDIR')"
	done
	exit 0
fi

# build NAME MAKEARGS...: vmbus.o in a fresh copy; print its
# vmbus_multi_range, or "failed" and the log.
build() {
	local d=$OUT/$1

	shift
	rm -rf "$d"
	mkdir -p "$d"
	cp -r "$REPO/Kbuild" "$REPO/drivers" "$REPO/include" "$d/" || return 1
	find "$d" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \) -delete
	if ! make -C "$KDIR" M="$d" "$@" drivers/net/hyperv/vmbus.o \
		>"$d/build.log" 2>&1; then
		echo failed
		return 1
	fi
	tr '\0' '\n' <"$d/drivers/net/hyperv/vmbus.o" |
		sed -n 's/^vmbus_multi_range=//p' | head -n 1
}

# Debian's per-flavour tree includes the common one, which has the headers.
hyperv_h=$KDIR/include/linux/hyperv.h
if [ ! -f "$hyperv_h" ]; then
	common=$(sed -n 's|^include \(.*\)/Makefile$|\1|p' "$KDIR/Makefile" | head -n 1)
	hyperv_h=$common/include/linux/hyperv.h
fi
if grep -q 'vmbus_sendpacket_pagebuffer' "$hyperv_h" 2>/dev/null; then
	want=0
else
	want=1
fi

got=$(build probe)
if [ "$got" = "$want" ]; then
	ok "probe_headers: vmbus_multi_range=$got for $hyperv_h"
else
	not_ok "probe_headers: vmbus_multi_range '$got', expected $want" \
		"$(tail -n 20 "$OUT/probe/build.log")"
fi

mkdir -p "$OUT"
cat >"$OUT/old-hyperv.h" <<'EOH'
/* The declaration kernels before 6.1.140 have (check-mpb-probe.sh). */
#include <linux/hyperv.h>
int vmbus_sendpacket_pagebuffer(struct vmbus_channel *channel,
				struct hv_page_buffer pagebuffers[],
				u32 pagecount, void *buffer, u32 bufferlen,
				u64 requestid);
EOH
got=$(build old KCFLAGS="-include $OUT/old-hyperv.h")
if [ "$got" = 0 ]; then
	ok "probe_old_headers: vmbus_multi_range=0"
else
	not_ok "probe_old_headers: vmbus_multi_range '$got', expected 0" \
		"$(tail -n 20 "$OUT/old/build.log")"
fi

for v in 0 1; do
	got=$(build "force$v" NETVSC_FORCE_MPB=$v)
	if [ "$got" = "$v" ]; then
		ok "force_$v: NETVSC_FORCE_MPB=$v builds, vmbus_multi_range=$v"
	else
		not_ok "force_$v: vmbus_multi_range '$got', expected $v" \
			"$(tail -n 20 "$OUT/force$v/build.log")"
	fi
done

got=$(build force2 NETVSC_FORCE_MPB=2)
if [ "$got" = failed ] &&
   grep -q 'NETVSC_FORCE_MPB=2: expected 0 or 1' "$OUT/force2/build.log"; then
	ok "force_bad: NETVSC_FORCE_MPB=2 fails with a message"
else
	not_ok "force_bad: NETVSC_FORCE_MPB=2 gave '$got'" \
		"$(tail -n 20 "$OUT/force2/build.log")"
fi

rm -rf "$OUT"
echo "# mpb probe: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
