#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# proto_traffic over a channel that sends one range of pages per packet,
# as VMBus does before Linux 6.1.140 (a build with NETVSC_FORCE_MPB=0, or
# the probe's answer on such a kernel): the engine's fallback, a linear
# copy of each frame whose pages don't chain, carries all the traffic,
# and the host refuses (bad_msgs) any packet it would have got truncated.
# The VMBus side of the fallback (vmbus.c: one multi-page range) needs
# Hyper-V and is not run here; scripts/check-mpb-probe.sh builds it.
# timeout: 300

NVS_SIM_ONE_RANGE=1 exec "$(dirname "$(readlink -f "$0")")/proto_traffic.sh"
