#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 1800
#
# The userspace side of the non-transparent VF mode (tools/udev/):
#  - "make install" into a DESTDIR generates the rules with the installed
#    scripts' path and keeps an existing config;
#  - the rules file passes "udevadm test" and its "add" rule runs
#    netvsc-vfattach for the VF (the "change" rule cannot be fed the
#    kernel's NETVSC_* properties by udevadm test: it is checked by
#    reading the rules file);
#  - the RUN commands of the installed rules, run with the environment of
#    the kernel's own uevents (recorded by a netlink listener): the attach
#    script returns at once and brings the VF up after the 2 s delay; the
#    vfup script returns at once and builds the active-backup bond (VF
#    primary), moves the addresses, routes and permanent neighbours, and
#    restarts a (fake) dhclient on the bond;
#  - traffic flows over the bond and the VF, frames the host still sends on
#    the synthetic path reach the bond, and traffic survives the VF's removal:
#    a paced TCP transfer arrives intact and a ping train loses no more
#    than MAX_GAP pings in a row (see there);
#  - a second VF (live migration back) joins the bond the same way;
#  - running the scripts again changes nothing;
#  - a per-device override script runs instead of the stock one;
#  - with vf_transparent=1 the scripts do nothing.
# The detached processes are started with setsid: the VM has no systemd.

# Functions run through check and wait_for; strings run by eval.
# shellcheck disable=SC2317,SC2016

# shellcheck disable=SC2034 # read by nt_kernel.sh
NT_SOURCE_ONLY=1
# shellcheck source=tests/kselftest/nt_kernel.sh
. "$(dirname "$(readlink -f "$0")")/nt_kernel.sh"

T=$NT_TMP
DEST=$T/root
PREFIX=/usr/local
LIBEXEC_INST=$PREFIX/libexec/netvsc
LIBEXEC=$DEST$LIBEXEC_INST
RULES=$DEST/etc/udev/rules.d/90-netvsc-vf.rules
EV=$T/uevents
LOG=$T/log
FAKE_LOG=$T/dhcp.log
MAC2=00:15:5d:00:00:02
MAC3=00:15:5d:00:00:03
VF=$TOPO_VF
VF_NEW=vf1
VF_OVR=vf9
VF_T=vf7
HOST6=2001:db8:9::2
GUEST6=2001:db8:9::1
SECOND_IP=10.9.0.11
LABEL_IP=10.9.5.1
TABLE_NET=10.77.0.0/16
PORT=5201
# The TCP payload and its pace: 3 MiB in 16 KiB writes, 10 ms apart, so
# that the transfer lasts a few seconds and the VF goes away in its middle.
XFER_BYTES=$((3 * 1024 * 1024))
# The ping train: 300 pings 50 ms apart.  Failover takes the kernel's
# switch back to the synthetic path (immediate) plus up to one miimon
# period (100 ms) for the bond to see the synthetic device's carrier and
# make it active: 2 or 3 pings.  MAX_GAP, the most pings in a row that
# may go unanswered, allows 2 s, for a slow (TCG) and busy VM; a
# connection that did not survive would lose all the 200 or so after the
# removal.
PINGS=300
MAX_GAP=40

# The environment of the scripts: the uevent's, udev's PATH, and where
# the test keeps the config, the overrides, the state and the log.
export NETVSC_CONFIG=$T/netvsc.conf
export NETVSC_VFUP_DIR=$T/vfup.d
export NETVSC_RUNDIR=$T/run
export NETVSC_LOG_FILE=$LOG
NT_ENV=(PATH=/usr/sbin:/usr/bin:/sbin:/bin "NETVSC_CONFIG=$NETVSC_CONFIG"
	"NETVSC_VFUP_DIR=$NETVSC_VFUP_DIR" "NETVSC_RUNDIR=$NETVSC_RUNDIR"
	"NETVSC_LOG_FILE=$NETVSC_LOG_FILE")
if [ -d /run/systemd/system ]; then
	NT_ENV+=(NETVSC_DETACH=setsid)
fi

# ------------------------------------------------------------------ helpers

now_ms() {
	local t=${EPOCHREALTIME/[.,]/}

	echo $((t / 1000))
}

# rule_run ACTION: the RUN command of the installed rule for ACTION, as
# written in the rules file.
rule_run() {
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$RULES" | grep -v '^[[:space:]]*#' |
		grep "ACTION==\"$1\"" | sed -n 's/.*RUN+="\([^"]*\)".*/\1/p'
}

# udev_run [VAR=VALUE...] ENVFILE: run the RUN command of the rule the
# uevent in ENVFILE (KEY=VALUE lines) matches, in the guest, with that
# environment and udev's substitutions ($name, $env{KEY}), the installed
# path mapped into DESTDIR.  VAR=VALUE are added to the environment.
# Killed after UDEV_RUN_TIMEOUT (default 300) seconds.
udev_run() {
	local extra=() envfile cmd action name key val w words=()

	while [ $# -gt 1 ]; do
		extra+=("$1")
		shift
	done
	envfile=$1
	action=$(sed -n 's/^ACTION=//p' "$envfile")
	name=$(sed -n 's/^INTERFACE=//p' "$envfile")
	cmd=$(rule_run "$action")
	[ -n "$cmd" ] || { echo "no rule for $action"; return 1; }
	cmd=${cmd//\$name/$name}
	while [[ $cmd =~ \$env\{([A-Z_]+)\} ]]; do
		key=${BASH_REMATCH[1]}
		val=$(sed -n "s/^$key=//p" "$envfile")
		cmd=${cmd//"\$env{$key}"/$val}
	done
	for w in $cmd; do
		words+=("${w/#$LIBEXEC_INST\//$LIBEXEC/}")
	done
	mapfile -t uenv <"$envfile"
	timeout "${UDEV_RUN_TIMEOUT:-300}" ip netns exec "$TOPO_G" env -i "${uenv[@]}" "${NT_ENV[@]}" \
		"${extra[@]}" "${words[@]}"
}

# save_env FILE CMD...: CMD's output (an uevent's environment) to FILE,
# which must not be empty.
save_env() {
	local file=$1

	shift
	"$@" >"$file" && [ -s "$file" ]
}

is_up() {
	local f

	f=$(in_g cat "/sys/class/net/$1/flags") || return 1
	[ $((f & 1)) -ne 0 ]
}

# vflist lists the VFs of the reader's netns: read it in the guest's.
vflist() {
	in_g cat /sys/module/netvsc/parameters/vflist
}

vf_listed() {
	vflist | tr ' ' '\n' | grep -qx "$1"
}

bond_attr() {
	in_g cat "/sys/class/net/$BOND/bonding/$1" 2>/dev/null
}

# bond_is SLAVES PRIMARY [ACTIVE]: the bond is active-backup, has exactly
# SLAVES (sorted, space separated), PRIMARY is its primary and ACTIVE
# (default: PRIMARY) its active slave.
bond_is() {
	local slaves

	slaves=$(bond_attr slaves | tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ')
	[ "$(bond_attr mode)" = "active-backup 1" ] &&
		[ "${slaves% }" = "$1" ] &&
		[ "$(bond_attr primary)" = "$2" ] &&
		[ "$(bond_attr active_slave)" = "${3-$2}" ]
}

bond_state() {
	echo "mode=$(bond_attr mode) slaves=$(bond_attr slaves)" \
		"primary=$(bond_attr primary) active=$(bond_attr active_slave)" \
		"miimon=$(bond_attr miimon) fail_over_mac=$(bond_attr fail_over_mac)"
}

# addrs DEV: DEV's global addresses, "ADDR/LEN [label L]" sorted.
addrs() {
	in_g ip -o addr show dev "$1" scope global |
		awk '{
			l = ""
			for (i = 5; i <= NF; i++)
				if ($i ~ /\\$/) {
					l = $i
					sub(/\\$/, "", l)
				}
			printf "%s%s\n", $4, (l ~ /:/ ? " label " l : "")
		}' |
		sort | tr '\n' ' ' | sed 's/ $//'
}

# The whole configuration of the guest, for before/after comparisons.
state() {
	in_g ip -d addr
	in_g ip -d link show
	in_g ip -4 route show table all
	in_g ip -6 route show table all
	in_g ip neigh show nud permanent
	bond_state
	ls "$NETVSC_RUNDIR"
	cat "$FAKE_LOG"
}

# The fake DHCP client: an ELF binary, so that its command line is its
# own, as dhclient's is.  It logs its arguments, writes its -pf pid file
# and waits for a signal.
FAKE_DHCP_C='
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	FILE *f = fopen(LOG, "a");
	int i;

	for (i = 0; f && i < argc; i++)
		fprintf(f, "%s%s", i ? " " : "", argv[i]);
	if (f) {
		fprintf(f, "\n");
		fclose(f);
	}
	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "-pf") && (f = fopen(argv[i + 1], "w"))) {
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		}
	for (;;)
		pause();
}
'

# pids_of PATTERN: pids of the processes whose command line (spaces
# between arguments) is PATTERN exactly.
pids_of() {
	local d

	for d in /proc/[0-9]*; do
		[ "$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null | sed 's/ $//')" = "$1" ] &&
			echo "${d#/proc/}"
	done
}

running() {
	[ -n "$(pids_of "$1")" ]
}

# The TCP receiver (host) and sender (guest).  The receiver writes how
# much it has got to FILE.progress as it goes, and "BYTES SHA256" to FILE
# at the end.
RECV_PY='
import hashlib, os, socket, sys
addr, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((addr, port))
l.listen(1)
open(out + ".ready", "w").close()
l.settimeout(120)
c, _ = l.accept()
c.settimeout(120)
h = hashlib.sha256()
n = 0
while True:
    b = c.recv(65536)
    if not b:
        break
    h.update(b)
    n += len(b)
    with open(out + ".progress.tmp", "w") as f:
        f.write("%d\n" % n)
    os.rename(out + ".progress.tmp", out + ".progress")
with open(out + ".tmp", "w") as f:
    f.write("%d %s\n" % (n, h.hexdigest()))
os.rename(out + ".tmp", out)
'

# The sender stops halfway until the file GATE exists (at most 300 s), so
# that the VF goes away in the middle of the transfer however slow the VM.
SEND_PY='
import os, socket, sys, time
addr, port, path, gate = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
data = open(path, "rb").read()
s = socket.create_connection((addr, port), timeout=120)
for i in range(0, len(data), 16384):
    if i == len(data) // 2 // 16384 * 16384:
        end = time.monotonic() + 300
        while not os.path.exists(gate) and time.monotonic() < end:
            time.sleep(0.05)
    s.sendall(data[i:i + 16384])
    time.sleep(0.01)
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
'

# detached_vfup: the pid of the netvsc-vfup run for SYN that udev_run left.
detached_vfup() {
	pgrep -f "netvsc-vfup --now $SYN" | head -n 1 | grep .
}

progress_at_least() {
	[ "$(cat "$1.progress" 2>/dev/null || echo 0)" -ge "$2" ]
}

ping_replies_at_least() {
	[ "$(grep -c 'bytes from' "$1" 2>/dev/null)" -ge "$2" ]
}

# A uevent we cause ourselves: once it is in the listener's file, all
# the uevents before it are too.
uevent_barrier() {
	local n

	n=$(grep -c "DEVPATH=.*/net/lo " "$EV" 2>/dev/null)
	in_g sh -c 'echo change >/sys/class/net/lo/uevent'
	_barrier_seen() {
		[ "$(grep -c "DEVPATH=.*/net/lo " "$EV" 2>/dev/null)" -gt "$n" ]
	}
	wait_for 60 _barrier_seen
}

# ------------------------------------------------------------------ setup

nvs_require_modules
ktap_plan 49

if ! command -v python3 >/dev/null; then
	echo "# SKIP: python3 is needed"
	exit 4
fi
if [ ! -d /sys/module/bonding ]; then
	# No bond0 in the initial netns: the test makes its own.
	if modprobe bonding max_bonds=0; then
		on_exit modprobe -r bonding
	else
		echo "# SKIP: no bonding module"
		exit 4
	fi
fi

mkdir -p "$NETVSC_VFUP_DIR" "$NETVSC_RUNDIR" "$T/bin" "$T/lib"
: >"$LOG"
: >"$FAKE_LOG"

# 1-3: install
cp -r "$NETVSC_DIR/tools/udev" "$T/src"
rm -f "$T/src/90-netvsc-vf.rules" "$T/src/.paths"
if out=$(make -C "$T/src" install DESTDIR="$DEST" PREFIX="$PREFIX" 2>&1); then
	ktap_ok "make install into DESTDIR"
else
	ktap_fail "make install into DESTDIR" "$out"
fi
check "the rules run the installed scripts" \
	grep -q "RUN+=\"$LIBEXEC_INST/netvsc-vfup \$name \$env{NETVSC_VF}\"" "$RULES"
echo "NETVSC_VF_DELAY=2" >>"$DEST/etc/default/netvsc"
cp "$DEST/etc/default/netvsc" "$T/conf.before"
make -C "$T/src" install DESTDIR="$DEST" PREFIX="$PREFIX" >/dev/null 2>&1
check "make install keeps an existing config" \
	cmp "$T/conf.before" "$DEST/etc/default/netvsc"
cp "$DEST/etc/default/netvsc" "$NETVSC_CONFIG"

# 4-5
if nt_load; then
	ktap_ok "netvsc loaded with vf_transparent=0"
else
	ktap_fail "netvsc loaded with vf_transparent=0"
	ktap_finished
fi
if topo_setup; then
	ktap_ok "topology"
else
	ktap_fail "topology"
	ktap_finished
fi
SYN=$TOPO_DEV
BOND=bond${SYN##*[!0-9]}

# The synthetic device's configuration, beyond topo_setup's address and
# permanent neighbour: a secondary and a labelled address, IPv6, a default
# route for each family and a route in another table.
in_g ip addr add "$SECOND_IP/24" dev "$SYN"
in_g ip addr add "$LABEL_IP/24" dev "$SYN" label "$SYN:5"
in_g ip addr add "$GUEST6/64" dev "$SYN" nodad
in_g ip route add default via "$TOPO_HOST_IP" dev "$SYN"
in_g ip route add "$TABLE_NET" via "$TOPO_HOST_IP" dev "$SYN" table 100
in_g ip -6 route add default via "$HOST6" dev "$SYN"
in_h ip addr add "$HOST6/64" dev br0 nodad
ADDRS_BEFORE=$(addrs "$SYN")

# A DHCP client on the synthetic device, as ifupdown starts dhclient.
printf '%s\n' "$FAKE_DHCP_C" >"$T/fake.c"
if cc -O -DLOG="\"$FAKE_LOG\"" -o "$T/bin/dhclient" "$T/fake.c" 2>"$T/cc.err"; then
	echo "lease of $SYN" >"$T/lib/dhclient.$SYN.leases"
	DHCP_SYN="$T/bin/dhclient -4 -pf $T/run/dhclient.$SYN.pid -lf $T/lib/dhclient.$SYN.leases $SYN"
	DHCP_BOND="$T/bin/dhclient -4 -pf $T/run/dhclient.$BOND.pid -lf $T/lib/dhclient.$BOND.leases $BOND"
	# shellcheck disable=SC2086
	setsid -f $DHCP_SYN </dev/null >/dev/null 2>&1
	wait_for 60 running "$DHCP_SYN"
	on_exit sh -c "kill \$(cat $T/run/dhclient.*.pid) 2>/dev/null"
else
	DHCP_SYN=
	ktap_diag "no C compiler: no DHCP client test" "$(cat "$T/cc.err")"
fi

# 6: udevadm
nt_uevents_start "$TOPO_G" "$EV" || ktap_diag "no uevent listener"
topo_vf_add "$VF"
wait_for 10 vf_listed "$VF"
if ! command -v udevadm >/dev/null; then
	ktap_skip "udevadm test: the add rule runs netvsc-vfattach" "no udevadm"
else
	mkdir -p /run/udev/rules.d
	cp "$RULES" /run/udev/rules.d/
	on_exit rm -f /run/udev/rules.d/90-netvsc-vf.rules
	out=$(in_g udevadm test --action=add "/sys/class/net/$VF" 2>&1)
	if grep -q "run: '$LIBEXEC_INST/netvsc-vfattach $VF'" <<<"$out" &&
	   ! grep -i '90-netvsc-vf.rules.*\(invalid\|error\|unknown\|ignor\)' <<<"$out"; then
		ktap_ok "udevadm test: the add rule runs netvsc-vfattach"
	else
		ktap_fail "udevadm test: the add rule runs netvsc-vfattach" \
			"$(tail -n 30 <<<"$out")"
	fi
	rm -f /run/udev/rules.d/90-netvsc-vf.rules
fi
# 7: the change rule, read from the file.
ktap_diag "udevadm test cannot give the device the kernel's NETVSC_* properties:" \
	"the change rule is checked by reading it"
change_rule=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$RULES" | grep 'ACTION=="change"')
check "the change rule matches NETVSC_EVENT=VF_UP on net devices only" \
	eval '[[ $change_rule == *"ENV{NETVSC_EVENT}==\"VF_UP\""* ]] &&
		grep -q "^SUBSYSTEM!=\"net\", GOTO=\"netvsc_vf_end\"" "$RULES" &&
		grep -q "^LABEL=\"netvsc_vf_end\"" "$RULES"'

# ------------------------------------------------------------------ attach

# 8-11
check "the kernel's add uevent of the VF was seen" \
	save_env "$T/add.env" nt_uevent_add_env "$EV" "$VF"
# The hand-off to systemd, with a systemd-run that only records its
# arguments.
mkdir -p "$T/stub"
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"%s"\n' "$T/systemd-run.args" \
	>"$T/stub/systemd-run"
chmod +x "$T/stub/systemd-run"
STUB_ENV=(NETVSC_DETACH=systemd "PATH=$T/stub:/usr/sbin:/usr/bin:/sbin:/bin")
udev_run "${STUB_ENV[@]}" "$T/add.env"
check "attach under systemd: systemd-run --no-block --collect, our environment" \
	eval 'grep -qx -- --no-block "$T/systemd-run.args" &&
	      grep -qx -- --collect "$T/systemd-run.args" &&
	      grep -qx -- "--setenv=NETVSC_CONFIG=$NETVSC_CONFIG" "$T/systemd-run.args" &&
	      [ "$(tail -n 3 "$T/systemd-run.args" | tr "\n" " ")" = "$LIBEXEC/netvsc-vfattach --delayed $VF " ] &&
	      ! is_up "$VF"'

ktap_diag "attach at $(date +%T)"
t0=$(now_ms)
udev_run "$T/add.env"
rc=$?
up_at_return=$(is_up "$VF" && echo up || echo down)
t1=$(now_ms)
check_eq "attach: returns at once (status 0, the VF still down)" \
	"0 down" "$rc $up_at_return"
check "attach: the VF comes up" wait_for 120 is_up "$VF"
t2=$(now_ms)
check_eq "attach: not before the 2 s delay" 1 "$((t2 - t0 >= 2000))"
ktap_diag "attach: returned after $((t1 - t0)) ms, VF up after $((t2 - t0)) ms"

# ------------------------------------------------------------------ vfup

# 12-24
check "the kernel's VF_UP uevent was seen" nt_uevent_wait "$EV" VF_UP "$VF" 1
save_env "$T/vfup.env" nt_uevent_env "$EV" VF_UP "$VF" 1
rm -f "$T/systemd-run.args"
udev_run "${STUB_ENV[@]}" "$T/vfup.env"
check "vfup under systemd: systemd-run --no-block --collect, udev's environment" \
	eval 'grep -qx -- --no-block "$T/systemd-run.args" &&
	      grep -qx -- --collect "$T/systemd-run.args" &&
	      grep -qx -- "--setenv=NETVSC_EVENT=VF_UP" "$T/systemd-run.args" &&
	      grep -qx -- "--setenv=NETVSC_VF=$VF" "$T/systemd-run.args" &&
	      [ "$(tail -n 4 "$T/systemd-run.args" | tr "\n" " ")" = "$LIBEXEC/netvsc-vfup --now $SYN $VF " ] &&
	      ! in_g test -e "/sys/class/net/$BOND"'
# With the device's lock held here, the script can only return if it
# left the work to another process.
ktap_diag "vfup at $(date +%T)"
exec 8>"$NETVSC_RUNDIR/$SYN.lock"
flock 8
t0=$(now_ms)
udev_run "$T/vfup.env" 8>&-
rc=$?
bond_at_return=$(in_g test -e "/sys/class/net/$BOND" && echo bond || echo "no bond")
if wait_for 60 detached_vfup; then
	pid=$(detached_vfup)
	sid=$(ps -o sid= -p "$pid" | tr -d ' ')
	own=$(ps -o sid= -p $$ | tr -d ' ')
	detached="detached $((sid == pid && sid != own))"
else
	detached="no process"
fi
check_eq "vfup: returns at once, the work waits in a process of its own session" \
	"0 no bond detached 1" "$rc $bond_at_return $detached"
flock -u 8
exec 8>&-
check "vfup: bond $BOND, active-backup, slaves $SYN and $VF, primary and active $VF" \
	wait_for 180 bond_is "$SYN $VF" "$VF"
ktap_diag "vfup: the bond was ready after $(($(now_ms) - t0)) ms" "$(bond_state)"
wait_for 60 test ! -e "$NETVSC_RUNDIR/$SYN.pending"
check_eq "vfup: miimon 100, fail_over_mac active" "100 active 1" \
	"$(bond_attr miimon) $(bond_attr fail_over_mac)"
check_eq "vfup: the addresses moved to the bond" "$ADDRS_BEFORE" \
	"$(addrs "$BOND" | sed "s/label $BOND:/label $SYN:/")"
check_eq "vfup: no address left on $SYN" "" "$(addrs "$SYN")"
check_eq "vfup: the labelled address keeps its label" "$LABEL_IP/24 label $BOND:5" \
	"$(addrs "$BOND" | grep -o "$LABEL_IP/24 label [^ ]*")"
check "vfup: the default routes are on the bond" eval \
	'in_g ip -4 route show default | grep -q "via $TOPO_HOST_IP dev $BOND" &&
	 in_g ip -6 route show default | grep -q "via $HOST6 dev $BOND"'
check "vfup: the route of table 100 is on the bond" eval \
	'in_g ip route show table 100 | grep -q "^$TABLE_NET via $TOPO_HOST_IP dev $BOND"'
check "vfup: the permanent neighbour is on the bond" eval \
	'in_g ip neigh show dev "$BOND" nud permanent | grep -q "^$TOPO_HOST_IP lladdr $TOPO_BR_MAC"'
check_eq "vfup: nothing left on $SYN" "" \
	"$(in_g ip route show table all dev "$SYN"; in_g ip neigh show dev "$SYN" nud permanent)"
if [ -n "$DHCP_SYN" ]; then
	check "vfup: dhclient stopped on $SYN, started on $BOND" \
		wait_for 60 eval '! running "$DHCP_SYN" && running "$DHCP_BOND"'
	check "vfup: with a copy of its lease" \
		cmp "$T/lib/dhclient.$SYN.leases" "$T/lib/dhclient.$BOND.leases"
else
	ktap_skip "vfup: dhclient stopped on $SYN, started on $BOND" "no C compiler"
	ktap_skip "vfup: with a copy of its lease" "no C compiler"
fi
check_eq "vfup: nothing went wrong (log)" "" "$(grep -E ': (err|warning): ' "$LOG")"

# ------------------------------------------------------------------ traffic

ktap_diag "traffic at $(date +%T)"

# 25-27
tx0=$(in_g cat "/sys/class/net/$VF/statistics/tx_packets")
check "traffic: IPv4 ping over the bond" in_g ping -c 3 -i 0.2 -W 2 "$TOPO_HOST_IP"
check "traffic: IPv6 ping over the bond" in_g ping -6 -c 3 -i 0.2 -W 2 "$HOST6"
tx1=$(in_g cat "/sys/class/net/$VF/statistics/tx_packets")
check_eq "traffic: it went out of the VF" 1 "$((tx1 - tx0 >= 6))"
# Frames the host still sends on the synthetic path: relabelled as the
# VF's, the bond takes them as its active slave's and delivers them (it
# would drop them as an inactive slave's, the synthetic device's).
bond_rx() {
	local got

	nt_rx_start "$TOPO_G" "$T/rx" "$BOND" || return 1
	nt_tx "$TOPO_H" "$(sim_host_ifname "$TOPO_ID")" "$TOPO_MAC" 9 || return 1
	nt_rx_wait "$T/rx" || { echo "the end marker never arrived"; return 1; }
	got=$(tr '\n' ' ' <"$T/rx")
	[ "$got" = "$BOND 9 end 1 " ] || { echo "got: $got"; return 1; }
}
check "traffic: frames on the synthetic path are the bond's" bond_rx

# ------------------------------------------------------------------ again

ktap_diag "again at $(date +%T)"

# 28-29: everything again, in the foreground this time so that we know
# when it is over; with the uevent listener watching for VF flaps.
uevent_barrier
downs=$(nt_uevent_count "$EV" VF_DOWN "$VF")
state >"$T/state.1" 2>&1
udev_run NETVSC_DETACH=none "$T/add.env"
udev_run NETVSC_DETACH=none "$T/vfup.env"
uevent_barrier
state >"$T/state.2" 2>&1
check "again: nothing changed (addresses, links, routes, neighbours, bond, DHCP)" \
	diff -u "$T/state.1" "$T/state.2"
check_eq "again: the VF was not bounced" "$downs" "$(nt_uevent_count "$EV" VF_DOWN "$VF")"

# ------------------------------------------------------------------ removal

ktap_diag "removal at $(date +%T)"

# 30-35: the VF goes away under a TCP transfer and a ping train.
head -c "$XFER_BYTES" /dev/urandom >"$T/payload"
want="$XFER_BYTES $(sha256sum <"$T/payload" | cut -d' ' -f1)"
in_g ping -i 0.05 -c "$PINGS" -W 1 "$TOPO_HOST_IP" >"$T/ping" 2>&1 &
ping_pid=$!
rm -f "$T/recv" "$T/recv.ready" "$T/recv.progress" "$T/removed"
in_h python3 -c "$RECV_PY" "$TOPO_HOST_IP" "$PORT" "$T/recv" &
recv_pid=$!
wait_for 60 test -e "$T/recv.ready"
wait_for 60 ping_replies_at_least "$T/ping" 40
in_g python3 -c "$SEND_PY" "$TOPO_HOST_IP" "$PORT" "$T/payload" "$T/removed" &
send_pid=$!
wait_for 60 progress_at_least "$T/recv" $((XFER_BYTES / 4))
got=$(cat "$T/recv.progress" 2>/dev/null || echo 0)
topo_vf_del "$VF"
touch "$T/removed"
check_eq "removal: the VF went away in the middle of the transfer" 1 \
	"$((got >= XFER_BYTES / 4 && got < XFER_BYTES))"
ktap_diag "removal: $got of $XFER_BYTES bytes had arrived"
wait "$send_pid"
send_rc=$?
wait "$recv_pid"
check_eq "removal: the transfer completed intact" "0 $want" \
	"$send_rc $(cat "$T/recv" 2>/dev/null)"
wait "$ping_pid"
gap=$(sed -n 's/.*icmp_seq=\([0-9]*\) .*/\1/p' "$T/ping" | sort -n | uniq |
	awk -v n="$PINGS" '
	BEGIN { prev = 0; max = 0 }
	{ if ($1 - prev - 1 > max) max = $1 - prev - 1; prev = $1 }
	END { if (n - prev > max) max = n - prev; print max }')
check_eq "removal: at most $MAX_GAP pings in a row lost" 1 "$((gap <= MAX_GAP))"
ktap_diag "removal: at most $gap pings in a row lost;" "$(tail -n 2 "$T/ping")"
check "removal: the bond runs on $SYN alone, active" \
	wait_for 60 bond_is "$SYN" "" "$SYN"
check_eq "removal: data path synthetic, vflist empty" "synthetic " \
	"$(topo_datapath) $(vflist | tr -d ' \n')"
check_eq "removal: the addresses stayed on the bond" "$ADDRS_BEFORE" \
	"$(addrs "$BOND" | sed "s/label $BOND:/label $SYN:/")"

# ------------------------------------------------------------------ back

ktap_diag "back at $(date +%T)"

# 36-39: a new VF arrives (back from a live migration).
topo_vf_add "$VF_NEW"
wait_for 10 vf_listed "$VF_NEW"
check "back: attach brings $VF_NEW up" eval \
	'wait_for 10 save_env "$T/add2.env" nt_uevent_add_env "$EV" "$VF_NEW" &&
	 udev_run "$T/add2.env" && wait_for 120 is_up "$VF_NEW"'
check "back: vfup puts $VF_NEW in the bond as primary and active" eval \
	'nt_uevent_wait "$EV" VF_UP "$VF_NEW" 1 &&
	 save_env "$T/vfup2.env" nt_uevent_env "$EV" VF_UP "$VF_NEW" 1 &&
	 udev_run "$T/vfup2.env" && wait_for 180 bond_is "$SYN $VF_NEW" "$VF_NEW"'
check "back: data path VF, ping over the bond" eval \
	'wait_for 10 topo_joined && in_g ping -c 3 -i 0.2 -W 2 "$TOPO_HOST_IP"'
check_eq "back: the addresses did not move" "$ADDRS_BEFORE" \
	"$(addrs "$BOND" | sed "s/label $BOND:/label $SYN:/")"

# ------------------------------------------------------------------ override

ktap_diag "override at $(date +%T)"

# 40-42: a second synthetic device with an override script.
sim_new 1 "$MAC2"
# Named so that the stock script would make bond7 for it.
SYN2=syn7
ip link set "$(sim_ifname 1)" name "$SYN2"
ip link set "$SYN2" netns "$TOPO_G"
in_g ip link set "$SYN2" up
cat >"$NETVSC_VFUP_DIR/vfup.$SYN2" <<EOF
#!/bin/sh
echo "\$* \$NETVSC_EVENT" >"$T/override.out"
EOF
chmod +x "$NETVSC_VFUP_DIR/vfup.$SYN2"
ip link add "$VF_OVR" netns "$TOPO_G" address "$MAC2" type veth \
	peer name "${VF_OVR}p" netns "$TOPO_H"
in_h ip link set "${VF_OVR}p" up
wait_for 10 vf_listed "$VF_OVR"
in_g ip link set "$VF_OVR" up
check "override: the kernel's VF_UP uevent was seen" \
	nt_uevent_wait "$EV" VF_UP "$VF_OVR" 1
save_env "$T/vfup3.env" nt_uevent_env "$EV" VF_UP "$VF_OVR" 1
udev_run "$T/vfup3.env"
check "override: vfup.$SYN2 ran, with the devices and the environment" eval \
	'wait_for 120 test -s "$T/override.out" &&
	 [ "$(cat "$T/override.out")" = "$SYN2 $VF_OVR VF_UP" ]'
check_eq "override: instead of the stock script (no bond7, $VF_OVR free)" \
	"no bond7, no master" \
	"$(in_g test -e /sys/class/net/bond7 && echo bond7 || echo no bond7), $(in_g test -e "/sys/class/net/$VF_OVR/master" && echo master || echo no master)"

# ------------------------------------------------------------------ transparent

ktap_diag "transparent at $(date +%T)"

# 43-45: vf_transparent=1
sim_del 1
sim_del "$TOPO_ID"
nvs_unload
nvs_load
check_eq "transparent: netvsc reloaded with vf_transparent=1" Y \
	"$(cat /sys/module/netvsc/parameters/vf_transparent)"
sim_new 2 "$MAC3"
SYN3=$(sim_ifname 2)
ip link set "$SYN3" netns "$TOPO_G"
ip link add "$VF_T" netns "$TOPO_G" address "$MAC3" type veth \
	peer name "${VF_T}p" netns "$TOPO_H"
wait_for 10 vf_listed "$VF_T"
# Claimed by the synthetic device: the kernel has nothing left to do.
wait_for 10 eval '[ "$(topo_vf_master "$VF_T")" = "$SYN3" ]'
printf '%s\n' ACTION=add SUBSYSTEM=net "INTERFACE=$VF_T" \
	"DEVPATH=/devices/virtual/net/$VF_T" >"$T/add3.env"
printf '%s\n' ACTION=change SUBSYSTEM=net "INTERFACE=$SYN3" \
	"DEVPATH=/devices/netvsc_sim2/net/$SYN3" NETVSC_EVENT=VF_UP \
	"NETVSC_VF=$VF_T" >"$T/vfup3.env"
# In the foreground and with a delay of 10 minutes: an attach script that
# went ahead would be killed by udev_run's time-out (status 124).
echo "NETVSC_VF_DELAY=600" >"$T/long.conf"
lines=$(wc -l <"$LOG")
links=$(in_g ip -d link show)
UDEV_RUN_TIMEOUT=60 udev_run NETVSC_DETACH=none "NETVSC_CONFIG=$T/long.conf" \
	"$T/add3.env"
rc=$?
check_eq "transparent: attach does nothing (status 0 at once, VF down, no log)" \
	"0 down $lines" \
	"$rc $(is_up "$VF_T" && echo up || echo down) $(wc -l <"$LOG")"
udev_run NETVSC_DETACH=none "$T/vfup3.env"
rc=$?
check_eq "transparent: vfup does nothing (status 0, no link changed)" \
	"0 $links" "$rc $(in_g ip -d link show)"

# shellcheck disable=SC2154 # lib.sh's count of failures
if [ "$_ktap_fail" -ne 0 ]; then
	ktap_diag "the scripts' log:" "$(cat "$LOG")"
fi
ktap_finished
