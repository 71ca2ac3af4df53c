// SPDX-License-Identifier: GPL-2.0
/*
 * Kbuild compile probe (drivers/net/hyperv/Makefile), never built into a
 * module: it compiles only against a kernel whose <linux/hyperv.h> still
 * declares vmbus_sendpacket_pagebuffer().
 *
 * The stable update that let vmbus_sendpacket_mpb_desc() send several
 * page ranges ("Drivers: hv: Allow vmbus_sendpacket_mpb_desc() to create
 * multiple ranges") removed vmbus_sendpacket_pagebuffer() with it
 * ("Drivers: hv: vmbus: Remove vmbus_sendpacket_pagebuffer()"): both are
 * in Linux 6.1.140, Debian's 6.1.0-37.  A kernel that still declares it
 * predates them, and its vmbus_sendpacket_mpb_desc() sends one range.
 */
#include <linux/hyperv.h>

int netvsc_probe_pagebuffer(struct vmbus_channel *channel);

int netvsc_probe_pagebuffer(struct vmbus_channel *channel)
{
	return vmbus_sendpacket_pagebuffer(channel, NULL, 0, NULL, 0, 0);
}
