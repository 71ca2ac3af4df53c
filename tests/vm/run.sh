#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netvsc test VM: boot the Debian kernel that matches $KDIR in QEMU (TCG)
# with the host's root file system shared read-only over virtio-9p, and
# run the kselftests, a command or a shell in it.
#
# Usage:
#   tests/vm/run.sh [TEST...]        run kselftests (default: all), KTAP out
#   tests/vm/run.sh --list [TEST...] list the tests that would run
#   tests/vm/run.sh --cmd "COMMAND"  run COMMAND (bash -c, in the repo) in
#                                    the VM; its output on stdout, its exit
#                                    status as ours
#   tests/vm/run.sh --shell          interactive shell in the VM (Ctrl-A X
#                                    leaves QEMU); exits with the shell's
#                                    status
#
# Options:
#   --timeout S    test mode: default per-test timeout (a test's own
#                  "# timeout: N" line wins); --cmd mode: bound on the
#                  whole VM run (default 3600)
#   -h, --help     this text
#
# TEST is a name from tests/kselftest/ (smoke or smoke.sh) or a path to a
# test file (files outside the repo are copied into the build dir so that
# the VM sees them).  The default is every tests/kselftest/*.sh that starts
# with "#!" but run.sh: files without it are libraries (lib.sh, topo.sh).
#
# Environment: KDIR (kernel headers; default as in the top-level Makefile),
# BUILDDIR (default <repo>/.build), NVS_VM_MEM (MiB, 1024), NVS_VM_SMP (2),
# NVS_VM_APPEND (extra kernel command line), NVS_VM_CHECKS (the kernel's
# memory checks on its command line; default "slub_debug=FZPU
# page_poison=1 init_on_free=1"), NVS_VM_BOOT_TIMEOUT (s, 180),
# NVS_VM_GRACE (s beyond a test's timeout before the VM is killed, 120),
# NVS_KERNEL (kernel image; default /boot/vmlinuz-<release of KDIR>),
# NVS_VM_SLOTS (VMs allowed at once on the machine, across all build
# dirs; default nproc / NVS_VM_SMP, at least 1; 0: no limit).
# Other NVS_* variables (test knobs such as NVS_TEST_TIMEOUT) are exported
# to the tests and commands in the VM.
#
# Files: $BUILDDIR/vm/initramfs.cpio (cached, rebuilt when its inputs
# change), console.log (full console of every boot of the last run),
# results.ktap (the KTAP printed by the last test run); while a VM runs,
# monitor.sock and qmp.sock (QEMU's monitor and QMP) and pci.in, pci.out
# (the guest's PCI hot-plug requests, see "PCI" below and tests/vm/README),
# with every request and its answer in pci.log.
#
# Exit status, test mode: 0 if every test passed or skipped, 1 otherwise
# (also when a kernel splat shows up on the console outside a failing
# test).  --cmd mode: the command's status; 1 if it succeeded but the
# kernel logged a splat; 124 if the VM timed out; 125 if the VM died.

set -euo pipefail

# The whole script is one compound command, read before it runs: editing
# this file (or a git checkout) during a run cannot derail the run.
{

SELF_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)
REPO=$(cd "$SELF_DIR/../.." && pwd -P)
KSFT_DIR=$REPO/tests/kselftest
BUILDDIR=${BUILDDIR:-$REPO/.build}
mkdir -p "$BUILDDIR"
BUILDDIR=$(cd "$BUILDDIR" && pwd -P)
VMDIR=$BUILDDIR/vm

# Boot time grows with the memory size (page_poison, init_on_free).
MEM=${NVS_VM_MEM:-1024}
SMP=${NVS_VM_SMP:-2}
BOOT_TIMEOUT=${NVS_VM_BOOT_TIMEOUT:-180}
GRACE=${NVS_VM_GRACE:-120}
CMD_TIMEOUT=3600
TEST_TIMEOUT=
# Modules the initramfs needs to mount the host root (deps are added).
INITRAMFS_MODULES="virtio_pci 9pnet_virtio 9p"

usage() {
	sed -n '/^# Usage:/,/^# Exit status/p' "${BASH_SOURCE[0]}" |
		sed '$d; s/^# \{0,1\}//'
	exit "$1"
}

msg() {
	echo "vm: $*" >&2
}

die() {
	msg "error: $*"
	exit 2
}

mode="test"
cmd=
while [ $# -gt 0 ]; do
	case "$1" in
	--shell) mode=shell; shift ;;
	--cmd)
		[ $# -ge 2 ] || die "--cmd needs an argument"
		mode=cmd; cmd=$2; shift 2
		;;
	--list) mode=list; shift ;;
	--timeout)
		[ $# -ge 2 ] || die "--timeout needs an argument"
		TEST_TIMEOUT=$2; CMD_TIMEOUT=$2; shift 2
		;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	-*) msg "unknown option $1"; usage 2 ;;
	*) break ;;
	esac
done

case "$REPO$BUILDDIR" in
*[[:space:]]*) die "the repo and build paths must not contain white space" ;;
esac

# ---------------------------------------------------------------- tests

resolve_test() {
	local t=$1 f

	case "$t" in
	*/*) f=$(readlink -f "$t") ;;
	*.sh) f=$KSFT_DIR/$t ;;
	*) f=$KSFT_DIR/$t.sh ;;
	esac
	[ -f "$f" ] || die "no such test: $t"
	echo "$f"
}

TESTS=()
if [ $# -eq 0 ]; then
	# Tests start with "#!"; files without it (lib.sh, topo.sh) are
	# libraries that tests source.
	for f in "$KSFT_DIR"/*.sh; do
		case "${f##*/}" in
		lib.sh|run.sh) ;;
		*) [ "$(head -c 2 "$f")" != "#!" ] || TESTS+=("$f") ;;
		esac
	done
else
	for t in "$@"; do
		TESTS+=("$(resolve_test "$t")")
	done
fi

if [ $mode = list ]; then
	for f in "${TESTS[@]}"; do
		basename "$f" .sh
	done
	exit 0
fi

# ---------------------------------------------------------------- kernel

if [ -z "${KDIR:-}" ]; then
	KDIR=$(make --no-print-directory -s -C "$REPO" print-KDIR 2>/dev/null |
		sed -n 's/^KDIR=//p') || :
fi
if [ -z "${KDIR:-}" ]; then
	KDIR=$(find /usr/src -maxdepth 1 -name 'linux-headers-*-amd64' | sort -V | tail -n 1)
fi
[ -n "$KDIR" ] || die "no kernel headers found (scripts/deps.sh installs them)"
uts=$KDIR/include/generated/utsrelease.h
[ -f "$uts" ] || die "$uts not found"
REL=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$uts")
[ -n "$REL" ] || die "no UTS_RELEASE in $uts"
KERNEL=${NVS_KERNEL:-/boot/vmlinuz-$REL}
MODDIR=/lib/modules/$REL
[ -r "$KERNEL" ] || die "kernel image $KERNEL not found (linux-image-$REL)"
[ -f "$MODDIR/modules.dep" ] || die "$MODDIR/modules.dep not found"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found"

mkdir -p "$VMDIR"
exec 9>"$VMDIR/lock"
if ! flock -n 9; then
	msg "waiting for another VM run to finish ($VMDIR/lock)"
	flock 9
fi

# TCG VMs side by side only share the CPUs, and a starved VM times tests
# out: allow nproc / SMP of them on the machine (whatever their build dir)
# and queue the rest.  Not for --shell, idle most of the time.
acquire_vm_slot() {
	local dir=/tmp/netvsc-vm-slots n i waited=0

	n=$(($(nproc) / SMP))
	[ "$n" -ge 1 ] || n=1
	n=${NVS_VM_SLOTS:-$n}
	[ "$n" -ne 0 ] || return 0
	mkdir -p "$dir"
	chmod 1777 "$dir" 2>/dev/null || :
	while :; do
		for ((i = 0; i < n; i++)); do
			exec 7>>"$dir/slot$i"
			if flock -n 7; then
				return 0
			fi
			exec 7>&-
		done
		if [ $waited = 0 ]; then
			msg "waiting for a VM slot ($n on this machine; NVS_VM_SLOTS=N changes that, 0: no limit)"
			waited=1
		fi
		sleep 1
	done
}
[ $mode = shell ] || acquire_vm_slot

# ---------------------------------------------------------------- initramfs

# Module files (relative to $MODDIR) needed for $INITRAMFS_MODULES, in
# load order; built-in ones are left out.
initramfs_module_files() {
	local builtin=/dev/null

	[ ! -f "$MODDIR/modules.builtin" ] || builtin=$MODDIR/modules.builtin
	awk -v roots="$INITRAMFS_MODULES" -v builtin_file="$builtin" '
	function norm(s) {
		sub(/.*\//, "", s)
		sub(/\.ko(\.(xz|zst|gz))?$/, "", s)
		gsub(/-/, "_", s)
		return s
	}
	function visit(m,    d, k, i) {
		if (m in seen)
			return
		seen[m] = 1
		if (m in builtin)
			return
		if (!(m in path)) {
			print "MISSING " m
			return
		}
		k = split(deps[m], d, " ")
		for (i = k; i >= 1; i--)
			visit(d[i])
		print path[m]
	}
	FILENAME == builtin_file { builtin[norm($1)] = 1; next }
	{
		f = $1
		sub(/:$/, "", f)
		m = norm(f)
		path[m] = f
		deps[m] = ""
		for (i = 2; i <= NF; i++)
			deps[m] = deps[m] " " norm($i)
	}
	END {
		k = split(roots, r, " ")
		for (i = 1; i <= k; i++)
			visit(norm(r[i]))
	}' "$builtin" "$MODDIR/modules.dep"
}

find_busybox() {
	local bb

	for bb in /bin/busybox /usr/bin/busybox "$(command -v busybox || :)"; do
		[ -x "$bb" ] || continue
		# It runs before any libc is around: it must be static.
		if ! ldd "$bb" >/dev/null 2>&1; then
			echo "$bb"
			return 0
		fi
	done
	return 1
}

build_initramfs() {
	local out=$VMDIR/initramfs.cpio bb mods m key stage name

	bb=$(find_busybox) || die "no static busybox (install busybox-static)"
	mods=$(initramfs_module_files)
	case "$mods" in
	*MISSING*) die "modules not found in $MODDIR: $(echo "$mods" | grep MISSING)" ;;
	esac

	key=$({
		echo "$REL"
		sha256sum "$bb" "$SELF_DIR/initramfs-init"
		for m in $mods; do
			stat -c '%n %s %Y' "$MODDIR/$m"
		done
	} | sha256sum | cut -d' ' -f1)
	if [ -f "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi

	msg "building initramfs for $REL"
	stage=$VMDIR/initramfs.d
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,dev,etc,lib/modules,newroot,proc,sys}
	cp "$bb" "$stage/bin/busybox"
	cp "$SELF_DIR/initramfs-init" "$stage/init"
	chmod 755 "$stage/init" "$stage/bin/busybox"
	: >"$stage/etc/nvs-modules"
	for m in $mods; do
		name=$(basename "$m")
		case "$name" in
		*.ko.xz) xz -dc "$MODDIR/$m" >"$stage/lib/modules/${name%.xz}" ;;
		*.ko.zst) zstd -qdc "$MODDIR/$m" >"$stage/lib/modules/${name%.zst}" ;;
		*.ko.gz) gzip -dc "$MODDIR/$m" >"$stage/lib/modules/${name%.gz}" ;;
		*) cp "$MODDIR/$m" "$stage/lib/modules/" ;;
		esac
		echo "${name%.ko*}.ko" >>"$stage/etc/nvs-modules"
	done
	(cd "$stage" && find . | LC_ALL=C sort | "$bb" cpio -o -H newc -R 0:0) \
		>"$out.tmp" 2>/dev/null
	mv "$out.tmp" "$out"
	echo "$key" >"$out.key"
	rm -rf "$stage"
}

# ---------------------------------------------------------------- PCI

# Real PCI NICs for the tests (tests/kselftest/pci.lib), hot-plugged as a
# Hyper-V host hot-adds a VF.  The VM has:
# - an always-present virtio-net NIC with MAC $PCI_HOST_MAC whose QEMU
#   netdev is a port of network hub 0: the tests put it in their host
#   netns, where it stands for the wire of the VFs;
# - a PCIe root port for each slot number in $PCI_SLOTS, with native
#   PCIe hot-plug (pciehp): a NIC plugged into slot N is alone on root
#   port N's bus and its slot is /sys/bus/pci/slots/N, the name a
#   host's VF association carries as its serial number;
# - the QEMU monitor ($MON, human) and QMP ($QMP) on unix sockets;
# - a fourth serial port (the guest's ttyS3) on the FIFOs $PCI_PIPE.in
#   (to the guest) and $PCI_PIPE.out (from it).
# The guest asks on ttyS3, a line per request:
#   SEQ plug ID MODEL MAC SLOT   netdev hubport n_ID on hub 0 (kept for
#                                the next plug of ID), device MODEL with
#                                id ID and MAC on root port SLOT
#   SEQ unplug ID                device_del ID
# and pci_server answers "SEQ ok SLOT" once QMP accepted the request, or
# "SEQ err MESSAGE".  The guest then waits for the device to come or go.
PCI_SLOTS="5 6 7 8"
PCI_HOST_MAC=52:54:00:00:00:fe
PCI_MODELS="e1000e virtio-net-pci"

pci_qemu_args() {
	local n addr=16

	# shellcheck disable=SC2054  # commas of QEMU options
	QEMU+=(-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
	       -netdev hubport,id=nvshost,hubid=0
	       -device "virtio-net-pci,netdev=nvshost,mac=$PCI_HOST_MAC")
	for n in $PCI_SLOTS; do
		QEMU+=(-device "pcie-root-port,id=rp$n,chassis=$n,slot=$n,bus=pcie.0,addr=$(printf 0x%x $addr)")
		addr=$((addr + 1))
	done
}

qmp() {
	"$PCI_PY" "$SELF_DIR/qmp.py" "$QMP" "$@"
}

pci_present() {
	qmp qom-list '{"path": "/machine/peripheral"}' 2>/dev/null |
		grep -q "\"name\": \"$1\""
}

pci_wait_gone() {
	local i

	for ((i = 0; i < 150; i++)); do
		pci_present "$1" || return 0
		sleep 0.2
	done
	return 1
}

# pci_request SEQ OP ID [MODEL MAC SLOT]: the answer to one request, in
# PCI_ANSWER (not in a subshell: PCI_SLOT_OF remembers the slots).
pci_request() {
	local seq=$1 op=$2 id=$3 model=$4 mac=$5 slot=$6 out

	case "$id" in
	'' | *[!a-z0-9]* | [!a-z]*) PCI_ANSWER="$seq err bad id '$id'"; return ;;
	esac
	case "$op" in
	plug)
		case " $PCI_MODELS " in
		*" $model "*) ;;
		*) PCI_ANSWER="$seq err model '$model' is not one of: $PCI_MODELS"; return ;;
		esac
		[[ $mac =~ ^[0-9a-f]{2}(:[0-9a-f]{2}){5}$ ]] ||
			{ PCI_ANSWER="$seq err bad MAC '$mac'"; return; }
		case " $PCI_SLOTS " in
		*" $slot "*) ;;
		*) PCI_ANSWER="$seq err slot '$slot' is not one of: $PCI_SLOTS"; return ;;
		esac
		if ! out=$(qmp netdev_add "{\"type\": \"hubport\", \"id\": \"n_$id\", \"hubid\": 0}" 2>&1) &&
		   [[ $out != *Duplicate* ]]; then
			PCI_ANSWER="$seq err netdev_add: $out"
			return
		fi
		if ! out=$(qmp device_add "{\"driver\": \"$model\", \"id\": \"$id\", \"netdev\": \"n_$id\", \"mac\": \"$mac\", \"bus\": \"rp$slot\"}" 2>&1); then
			PCI_ANSWER="$seq err device_add: $out"
			return
		fi
		PCI_SLOT_OF[$id]=$slot
		;;
	unplug)
		if ! out=$(qmp device_del "{\"id\": \"$id\"}" 2>&1); then
			PCI_ANSWER="$seq err device_del: $out"
			return
		fi
		slot=${PCI_SLOT_OF[$id]:-}
		# The guest sees the device go before QEMU frees it (when the
		# guest powers the slot off): answer once it is gone, so that
		# ID can be plugged again at once.
		if ! pci_wait_gone "$id"; then
			PCI_ANSWER="$seq err $id still there 30 s after device_del"
			return
		fi
		;;
	*)
		PCI_ANSWER="$seq err unknown request '$op'"
		return
		;;
	esac
	PCI_ANSWER="$seq ok $slot"
}

# Answer the guest's requests until killed (the FIFOs are open read-write:
# no EOF between two runs of QEMU's).
pci_server() {
	local line seq op id model mac slot PCI_ANSWER

	declare -A PCI_SLOT_OF=()
	exec 5<>"$PCI_PIPE.out" 6<>"$PCI_PIPE.in"
	while IFS= read -r line <&5; do
		line=${line//$'\r'/}
		[ -n "$line" ] || continue
		read -r seq op id model mac slot _ <<<"$line"
		pci_request "$seq" "$op" "$id" "$model" "$mac" "$slot"
		PCI_ANSWER=${PCI_ANSWER//$'\n'/ }
		printf '%s %s\n' "$(date -u +%T)" "$line -> $PCI_ANSWER" >>"$PCI_LOG"
		printf '%s\n' "$PCI_ANSWER" >&6
	done
}

# Make the FIFOs and start pci_server (ppid).
pci_start() {
	rm -f "$PCI_PIPE.in" "$PCI_PIPE.out" "$MON" "$QMP"
	mkfifo "$PCI_PIPE.in" "$PCI_PIPE.out"
	: >"$PCI_LOG"
	pci_server </dev/null >/dev/null 2>>"$PCI_LOG" 7>&- 9>&- &
	ppid=$!
}

pci_stop() {
	[ -z "$ppid" ] || kill "$ppid" 2>/dev/null || :
	wait "$ppid" 2>/dev/null || :
	ppid=
}

PCI_PY=/usr/bin/python3
[ -x "$PCI_PY" ] || PCI_PY=python3

# ---------------------------------------------------------------- VM

SPLAT_RE=$(sed -n "s/^SPLAT_RE='\(.*\)'\$/\1/p" "$KSFT_DIR/run.sh")
[ -n "$SPLAT_RE" ] || die "cannot read SPLAT_RE from $KSFT_DIR/run.sh"

CONSOLE=$VMDIR/console.log
BOOT_CONSOLE=$VMDIR/console.boot.log
OUT=$VMDIR/out.log
CTL=$VMDIR/ctl.log
JOB=$VMDIR/job

MON=$VMDIR/monitor.sock
QMP=$VMDIR/qmp.sock
PCI_PIPE=$VMDIR/pci
PCI_LOG=$VMDIR/pci.log

qpid=
spid=
ppid=
VM_BOOTS=0
# shellcheck disable=SC2317
cleanup() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || :
	[ -z "$spid" ] || kill "$spid" 2>/dev/null || :
	[ -z "$ppid" ] || kill "$ppid" 2>/dev/null || :
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() {
	date +%s.%N
}

elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}

# write_job MODE [FIRST PLAN TEST...]
write_job() {
	local mode=$1

	{
		echo "NVS_MODE=$mode"
		printf 'NVS_CMD=%q\n' "$cmd"
		if [ "$mode" = test ]; then
			echo "NVS_FIRST=$2"
			echo "NVS_PLAN=$3"
			shift 3
			printf 'NVS_TESTS=('
			printf ' %q' "$@"
			printf ' )\n'
		fi
		echo "export NVS_EXPECTED_RELEASE=$REL"
		# What tests/kselftest/pci.lib may ask for.
		echo "export NVS_PCI_SLOTS='$PCI_SLOTS' NVS_PCI_HOST_MAC=$PCI_HOST_MAC"
		# Pass the caller's NVS_* settings (test knobs) on to the VM.
		local v
		for v in $(compgen -e NVS_); do
			case "$v" in
			NVS_VM_*|NVS_KERNEL|NVS_MODE|NVS_CMD|NVS_TESTS|NVS_FIRST|NVS_PLAN|NVS_PCI_*) ;;
			*) printf 'export %s=%q\n' "$v" "${!v}" ;;
			esac
		done
		if [ -n "$TEST_TIMEOUT" ]; then
			echo "export NVS_TEST_TIMEOUT=$TEST_TIMEOUT"
		fi
		if [ "$mode" = shell ]; then
			# shellcheck disable=SC2046
			set -- $(stty size 2>/dev/null || echo "")
			[ $# -ne 2 ] || printf 'NVS_ROWS=%s\nNVS_COLS=%s\n' "$1" "$2"
			printf 'export TERM=%q\n' "${TERM:-vt100}"
		fi
	} >"$JOB"
}

qemu_cmdline() {
	local console=$1
	local append="console=ttyS0 panic=-1 panic_on_warn=1 oops=panic"

	append+=" ${NVS_VM_CHECKS-slub_debug=FZPU page_poison=1 init_on_free=1}"
	append+=" loglevel=5 printk.devkmsg=on log_buf_len=8M edd=off"
	# The IO-APIC timer check fails when TCG is starved of CPU.
	append+=" no_timer_check"
	append+=" nvs_repo=$REPO nvs_build=$BUILDDIR nvs_job=$JOB"
	append+=" ${NVS_VM_APPEND:-}"

	QEMU=(qemu-system-x86_64 -machine q35 -accel "tcg,thread=multi" -cpu max
	      -smp "$SMP" -m "$MEM" -nodefaults -nographic -no-reboot
	      -monitor "unix:$MON,server=on,wait=off"
	      -qmp "unix:$QMP,server=on,wait=off"
	      -kernel "$KERNEL" -initrd "$VMDIR/initramfs.cpio"
	      -append "$append"
	      -virtfs "local,path=/,mount_tag=nvsroot,security_model=none,readonly=on,multidevs=remap"
	      -serial "$console" -serial "file:$OUT" -serial "file:$CTL"
	      -chardev "pipe,id=nvspci,path=$PCI_PIPE" -serial chardev:nvspci)
	pci_qemu_args
}

# Print the last complete line of the control log.
ctl_last() {
	[ ! -f "$CTL" ] || tr -d '\r' <"$CTL" | sed -n '$p'
}

ctl_lines() {
	[ ! -f "$CTL" ] || tr -d '\r' <"$CTL" | grep -E "^$1( |\$)" || :
}

# boot_vm MODE DEADLINE_S FILTER: start QEMU in the background, stream the
# results port through FILTER (a sed script; sed -u, as mawk would hold
# its input back) to stdout, and watch the
# control port.  The VM is killed when it makes no progress in time: in
# test mode the bound is the running test's timeout plus $GRACE, and
# $BOOT_TIMEOUT before the first test starts; in cmd mode DEADLINE_S bounds
# the whole run.  Sets VM_TIMED_OUT, VM_BOOT_S; counts VM_BOOTS.
boot_vm() {
	local mode=$1 limit=$2 filter=$3 t0 deadline last="" line tmo

	rm -f "$OUT" "$CTL" "$BOOT_CONSOLE"
	qemu_cmdline "file:$BOOT_CONSOLE"
	VM_TIMED_OUT=0
	VM_BOOT_S=
	VM_BOOTS=$((VM_BOOTS + 1))
	t0=$(now)
	pci_start
	"${QEMU[@]}" </dev/null >>"$VMDIR/qemu.log" 2>&1 7>&- 9>&- &
	qpid=$!
	tail -n +1 -F --pid="$qpid" "$OUT" 2>/dev/null |
		sed -u -e "$filter" 7>&- 9>&- &
	spid=$!

	deadline=$((SECONDS + limit))
	while kill -0 "$qpid" 2>/dev/null; do
		line=$(ctl_last)
		if [ "$line" != "$last" ] && [ "$mode" = test ]; then
			last=$line
			case "$line" in
			start\ *)
				read -r _ _ _ tmo <<<"$line"
				deadline=$((SECONDS + tmo + GRACE))
				;;
			*)
				deadline=$((SECONDS + GRACE))
				;;
			esac
		fi
		if [ -z "$VM_BOOT_S" ] && [ -n "$(ctl_lines boot)" ]; then
			VM_BOOT_S=$(elapsed "$t0" "$(now)")
			[ "$mode" != test ] ||
				echo "# vm boot $VM_BOOTS: userspace up after ${VM_BOOT_S}s"
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			VM_TIMED_OUT=1
			kill "$qpid" 2>/dev/null || :
			break
		fi
		sleep 0.2
	done
	wait "$qpid" 2>/dev/null || :
	qpid=
	wait "$spid" 2>/dev/null || :
	spid=
	pci_stop
	{
		echo "===== netvsc VM boot ($(date -u '+%F %T') UTC): $mode ====="
		[ ! -f "$BOOT_CONSOLE" ] || tr -d '\r' <"$BOOT_CONSOLE"
	} >>"$CONSOLE"
}

console_tail() {
	[ ! -f "$BOOT_CONSOLE" ] || tr -d '\r' <"$BOOT_CONSOLE" | tail -n "${1:-50}"
}

# The part of this boot's console worth showing after a crash: from a
# little before the first splat (80 lines at most), else the last lines.
console_excerpt() {
	local first

	first=$(console_tail 100000 | grep -n -m 1 -E "$SPLAT_RE" | cut -d: -f1)
	if [ -n "$first" ]; then
		[ "$first" -gt 5 ] && first=$((first - 5)) || first=1
		console_tail 100000 | sed -n "$first,\$p" | head -n 80
	else
		console_tail 40
	fi
}

# Print the arguments as KTAP diagnostics.
diag() {
	local arg line

	for arg in "$@"; do
		while IFS= read -r line; do
			printf '# %s\n' "$line"
		done <<<"$arg"
	done
}

# Drop the per-boot KTAP header of the in-VM runner: the host prints one
# for the whole run.
KTAP_FILTER='s/\r$//; /^KTAP version [0-9][0-9]*$/d; /^1\.\.[0-9][0-9]*$/d'
RAW_FILTER='s/\r$//'

build_initramfs
: >"$CONSOLE"
: >"$VMDIR/qemu.log"

# ---------------------------------------------------------------- shell

if [ $mode = shell ]; then
	[ -t 0 ] || die "--shell needs a terminal"
	write_job shell
	rm -f "$OUT" "$CTL"
	qemu_cmdline mon:stdio
	msg "booting $REL; Ctrl-A X quits QEMU"
	pci_start
	"${QEMU[@]}" 7>&- 9>&- || :
	pci_stop
	status=$(ctl_lines status | tail -n 1 | cut -d' ' -f2)
	exit "${status:-125}"
fi

# ---------------------------------------------------------------- cmd

if [ $mode = cmd ]; then
	write_job cmd
	boot_vm cmd "$CMD_TIMEOUT" "$RAW_FILTER"
	status=$(ctl_lines status | tail -n 1 | cut -d' ' -f2)
	if [ -n "$(ctl_lines splat)" ]; then
		msg "kernel splat while running the command (see $CONSOLE)"
	fi
	if [ -n "$status" ]; then
		exit "$status"
	fi
	if [ $VM_TIMED_OUT = 1 ]; then
		msg "VM timed out after ${CMD_TIMEOUT}s; console tail:"
		rc=124
	else
		msg "VM died; console tail:"
		rc=125
	fi
	console_excerpt >&2
	exit $rc
fi

# ---------------------------------------------------------------- tests

# Tests outside the repo may live where the VM has a tmpfs (/tmp): stage
# copies under $VMDIR, next to links to the libraries they source (lib.sh,
# topo.sh, *.lib).
stage=$VMDIR/stage
rm -rf "$stage"
for i in "${!TESTS[@]}"; do
	case "${TESTS[$i]}" in
	"$REPO"/*) ;;
	*)
		mkdir -p "$stage"
		for f in "$KSFT_DIR"/lib.sh "$KSFT_DIR"/topo.sh "$KSFT_DIR"/*.lib; do
			[ ! -e "$f" ] || ln -sf "$f" "$stage/"
		done
		cp "${TESTS[$i]}" "$stage/"
		TESTS[i]=$stage/$(basename "${TESTS[$i]}")
		;;
	esac
done

RESULTS=$VMDIR/results.ktap
total=${#TESTS[@]}
plan=$((total + 1))
failed=0
unblamed=()
boot=0
first=1

exec 8>&1
exec > >(tee "$RESULTS")
tee_pid=$!

echo "KTAP version 1"
echo "1..$plan"

boot_retries=0
remaining=("${TESTS[@]}")
while [ ${#remaining[@]} -gt 0 ]; do
	boot=$((boot + 1))
	write_job test "$first" "$plan" "${remaining[@]}"
	boot_vm test "$BOOT_TIMEOUT" "$KTAP_FILTER"

	ended=$(ctl_lines end | wc -l)
	boot_failed=$(ctl_lines end | awk '$4 == "fail"' | wc -l)
	started=$(ctl_lines start | wc -l)

	consumed=$ended
	if [ "$started" -gt "$ended" ]; then
		# The VM went away while a test was running: blame it.
		idx=$ended
		name=$(basename "${remaining[$idx]}" .sh)
		if [ "$VM_TIMED_OUT" = 1 ]; then
			diag "VM stopped responding during $name (no progress for its timeout + ${GRACE}s); killed it"
		else
			diag "VM died during $name"
		fi
		diag "console (full log in $CONSOLE):" "$(console_excerpt)"
		echo "not ok $((first + idx)) $name"
		boot_failed=$((boot_failed + 1))
		consumed=$((consumed + 1))
	elif [ "$consumed" -eq 0 ]; then
		# No progress at all.  Try once more (a starved host can upset
		# the boot), then give up on the rest rather than loop.
		diag "VM failed to boot (timed out: $VM_TIMED_OUT); console:" \
			"$(console_excerpt)"
		boot_retries=$((boot_retries + 1))
		if [ "$boot_retries" -le 1 ]; then
			diag "trying again"
			continue
		fi
		for i in "${!remaining[@]}"; do
			echo "not ok $((first + i)) $(basename "${remaining[$i]}" .sh)"
		done
		failed=$((failed + ${#remaining[@]}))
		break
	fi
	failed=$((failed + boot_failed))

	if [ "$boot_failed" -eq 0 ]; then
		splat=$(console_tail 100000 | grep -E "$SPLAT_RE" || :)
		[ -z "$splat" ] || unblamed+=("boot $boot:" "$splat")
	fi

	remaining=("${remaining[@]:$consumed}")
	first=$((first + consumed))
done

if [ ${#unblamed[@]} -eq 0 ]; then
	echo "ok $plan vm_kernel_log"
else
	diag "kernel splat on the console outside of a failing test:" \
		"${unblamed[@]}" "full console log: $CONSOLE"
	echo "not ok $plan vm_kernel_log"
	failed=$((failed + 1))
fi

exec >&8 8>&-
wait "$tee_pid" 2>/dev/null || :

read -r p f s < <(awk -f "$SELF_DIR/ktap-count.awk" "$RESULTS")
echo "# totals: pass:$p fail:$f skip:$s" | tee -a "$RESULTS"

[ "$failed" -eq 0 ]
exit
}
