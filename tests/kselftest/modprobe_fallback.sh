#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The modprobe rule of tools/modprobe: hv_netvsc loads through
# netvsc-load, which falls back to the kernel's own hv_netvsc when ours
# does not load, as on an isolated (confidential) VM, where ours refuses.
#
# modprobe itself reads the generated rule (a dry run for the VMBus NIC's
# modalias).  netvsc-load runs with modprobe, insmod and rmmod replaced
# by stand-ins that log their arguments and fail on demand, and a module
# directory holding this kernel's real in-tree hv_netvsc.ko (so that
# modinfo reads its real dependencies): ours loading, ours refusing,
# a compressed in-tree module, neither loading, no in-tree module.
# Not here: hv_netvsc's own refusal on an isolated VM, and ours loading
# on a normal one, need Hyper-V (this VM has no VMBus; hv_vmbus does not
# load).
# timeout: 60

# shellcheck disable=SC2016  # eval's checks expand when they run
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"

SRC=$NETVSC_DIR/tools/modprobe
INTREE=/lib/modules/$(uname -r)/kernel/drivers/net/hyperv/hv_netvsc.ko

ktap_plan 9

T=$(mktemp -d) || exit 1
on_exit rm -rf "$T"

# ------------------------------------------------------------------ the rule

cp -r "$SRC" "$T/src" &&
	make -s -C "$T/src" netvsc.conf LIBEXECDIR="$T/libexec" >"$T/make.log" 2>&1
check_eq "the rule: install hv_netvsc through netvsc-load, with the options" \
	"install hv_netvsc $T/libexec/netvsc-load \$CMDLINE_OPTS" \
	"$(grep -v '^#' "$T/src/netvsc.conf" 2>/dev/null)"

alias=$(modinfo -F alias "$INTREE" 2>/dev/null | head -n 1)
if [ -z "$alias" ]; then
	ktap_skip "modprobe: the VMBus NIC's modalias runs netvsc-load" \
		"no in-tree hv_netvsc.ko in $INTREE"
else
	res=$(modprobe -n -v -C "$T/src/netvsc.conf" "$alias" 2>&1)
	check "modprobe: the VMBus NIC's modalias ($alias) runs netvsc-load" \
		grep -q "^install $T/libexec/netvsc-load " <<<"$res"
fi

# ------------------------------------------------------------------ netvsc-load

# (check has a local \$out: the results below are in \$res.)
# Stand-ins: each logs "NAME ARGS" to $T/log; modprobe fails for
# "--ignore-install hv_netvsc" when $T/ours-fails exists, insmod when
# $T/intree-fails does.
mkdir -p "$T/bin"
for cmd in modprobe insmod rmmod; do
	cat >"$T/bin/$cmd" <<EOF
#!/bin/sh
echo "$cmd \$*" >>"$T/log"
case "$cmd \$1 \$2" in
"modprobe --ignore-install hv_netvsc") [ ! -e "$T/ours-fails" ] ;;
"insmod "*) [ ! -e "$T/intree-fails" ] ;;
esac
EOF
	chmod +x "$T/bin/$cmd"
done

# load MODDIR: run netvsc-load with options "a=1 b=2"; print its exit
# status, then the stand-ins' log, then what went to the kernel log.
load() {
	local rc

	rm -f "$T/log" "$T/kmsg"
	touch "$T/log" "$T/kmsg"
	NETVSC_LOAD_MODPROBE=$T/bin/modprobe NETVSC_LOAD_INSMOD=$T/bin/insmod \
	NETVSC_LOAD_RMMOD=$T/bin/rmmod NETVSC_LOAD_MODDIR=$1 \
	NETVSC_LOAD_KMSG=$T/kmsg "$SRC/netvsc-load" a=1 b=2 2>/dev/null
	rc=$?
	echo "rc $rc"
	cat "$T/log"
	sed 's/^<4>netvsc-load: \(.*\);.*/kmsg \1/' "$T/kmsg"
}

mods=$T/modules
mkdir -p "$mods/kernel/drivers/net/hyperv"
if [ -f "$INTREE" ]; then
	ln -s "$INTREE" "$mods/kernel/drivers/net/hyperv/hv_netvsc.ko"
	deps=$(modinfo -F depends "$INTREE" | tr ',' ' ')
else
	# A stand-in without dependencies: the dependency loop stays empty.
	: >"$mods/kernel/drivers/net/hyperv/hv_netvsc.ko"
	deps=
fi
dep_lines=
for d in $deps; do
	dep_lines+="modprobe $d"$'\n'
done
ko=$mods/kernel/drivers/net/hyperv/hv_netvsc.ko

check_eq "ours loads: nothing else runs" \
	"rc 0
modprobe --ignore-install hv_netvsc a=1 b=2" "$(load "$mods")"

touch "$T/ours-fails"
check_eq "ours refuses: the in-tree module, after its dependencies (${deps:-none}), with the options" \
	"rc 0
modprobe --ignore-install hv_netvsc a=1 b=2
rmmod netvsc
${dep_lines}insmod $ko a=1 b=2
kmsg hv_netvsc from updates did not load (isolated VM, or see the kernel log)" \
	"$(load "$mods")"

xz=$T/modules-xz
mkdir -p "$xz/kernel/drivers/net/hyperv"
: >"$xz/kernel/drivers/net/hyperv/hv_netvsc.ko.xz"
res=$(NETVSC_LOAD_MODINFO=true load "$xz")
check "ours refuses: a compressed in-tree module (.ko.xz) is loaded" \
	eval '[ "$(head -n 1 <<<"$res")" = "rc 0" ] &&
		grep -qx "insmod $xz/kernel/drivers/net/hyperv/hv_netvsc.ko.xz a=1 b=2" <<<"$res"'

touch "$T/intree-fails"
res=$(load "$mods")
check "neither loads: exit status not 0, the in-tree module was tried" \
	eval '[ "$(head -n 1 <<<"$res")" != "rc 0" ] &&
		grep -qx "insmod $ko a=1 b=2" <<<"$res"'
rm -f "$T/intree-fails"

mkdir -p "$T/empty"
res=$(load "$T/empty")
check "no in-tree module: exit status not 0, nothing loaded, a log line" \
	eval '[ "$(head -n 1 <<<"$res")" != "rc 0" ] &&
		! grep -q "^insmod" <<<"$res" &&
		grep -q "^<4>netvsc-load: hv_netvsc did not load, and the kernel has none" "$T/kmsg"'

ktap_skip "hv_netvsc refuses to load on an isolated VM, with a log line" \
	"needs a confidential Hyper-V VM"
ktap_skip "hv_netvsc loads on a normal VM" \
	"needs Hyper-V: hv_vmbus does not load in this VM"

ktap_finished
