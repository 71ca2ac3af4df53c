// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc_sim: the host end of the synthetic wire, nvshID, and the wire
 * itself in both directions.
 *
 * Towards the guest the host honours the guest's receive filter and the
 * link knob, as Hyper-V's virtual switch port does.  In protocol mode
 * frames towards the guest go through sim_proto.c instead, and frames
 * from the guest arrive here once sim_proto.c took them out of RNDIS.
 *
 * Locking: lockless.  The wire runs in the transmit paths of the two
 * netdevices.  The host end is unregistered before the guest, so a frame
 * towards the guest never finds it gone; a frame towards the host finds
 * the host end down at worst, and is dropped.
 */

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>

#include "sim.h"

struct netvsc_sim_host {
	struct netvsc_sim_dev *sim;
};

/**
 * netvsc_sim_filter_pass - does the guest's receive filter take a frame?
 * @sim: the device
 * @skb: the frame, with its MAC header set
 */
bool netvsc_sim_filter_pass(const struct netvsc_sim_dev *sim,
			    const struct sk_buff *skb)
{
	const struct ethhdr *eth = eth_hdr(skb);
	u32 filter = READ_ONCE(sim->rx_filter);
	const struct net_device *guest = READ_ONCE(sim->guest);

	if (filter & NETVSC_RX_PROMISC)
		return true;
	if (is_broadcast_ether_addr(eth->h_dest))
		return filter & NETVSC_RX_BROADCAST;
	/* In protocol mode the bits are the guest's NDIS packet filter:
	 * NDIS_PACKET_TYPE_MULTICAST passes only the groups of the multicast
	 * list (NDIS's OID_802_3_MULTICAST_LIST: an address in the list is
	 * enabled to receive multicast frames), and this host keeps none.
	 * In direct mode the core's "some groups" bit passes them.
	 */
	if (is_multicast_ether_addr(eth->h_dest))
		return (filter & NETVSC_RX_ALLMULTI) ||
		       (!sim->proto && (filter & NETVSC_RX_MULTICAST));
	return (filter & NETVSC_RX_DIRECTED) &&
	       ether_addr_equal(eth->h_dest, guest ? guest->dev_addr : sim->mac);
}

/**
 * netvsc_sim_host_to_guest - carry a frame from the host to the guest
 * @sim: the device
 * @skb: the frame, starting at its Ethernet header
 */
void netvsc_sim_host_to_guest(struct netvsc_sim_dev *sim, struct sk_buff *skb)
{
	struct net_device *guest = sim->guest;

	skb_reset_mac_header(skb);
	if (!READ_ONCE(sim->link) || !READ_ONCE(sim->guest_open) ||
	    !netvsc_sim_filter_pass(sim, skb) ||
	    skb_orphan_frags_rx(skb, GFP_ATOMIC))
		goto drop;
	if (!skb_is_gso(skb) &&
	    skb->len > guest->mtu + guest->hard_header_len + VLAN_HLEN)
		goto drop;

	skb_scrub_packet(skb, !net_eq(dev_net(sim->host), dev_net(guest)));
	skb->priority = 0;
	netvsc_rx(guest, skb);
	return;

drop:
	dev_core_stats_tx_dropped_inc(sim->host);
	kfree_skb(skb);
}

/**
 * netvsc_sim_guest_to_host - carry a frame from the guest to the host
 * @sim: the device
 * @skb: the frame, starting at its Ethernet header
 */
void netvsc_sim_guest_to_host(struct netvsc_sim_dev *sim, struct sk_buff *skb)
{
	struct net_device *host = sim->host;
	unsigned int len = skb->len;

	if (!READ_ONCE(sim->link) ||
	    atomic_dec_if_positive(&sim->drop_tx) >= 0) {
		dev_core_stats_rx_dropped_inc(host);
		kfree_skb(skb);
		return;
	}
	if (dev_forward_skb(host, skb) == NET_RX_SUCCESS)
		dev_sw_netstats_rx_add(host, len);
}

static netdev_tx_t netvsc_sim_host_xmit(struct sk_buff *skb,
					struct net_device *host)
{
	struct netvsc_sim_host *h = netdev_priv(host);

	dev_sw_netstats_tx_add(host, 1, skb->len);
	if (h->sim->proto)
		netvsc_sim_proto_host_to_guest(h->sim, skb);
	else
		netvsc_sim_host_to_guest(h->sim, skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops netvsc_sim_host_ops = {
	.ndo_start_xmit		= netvsc_sim_host_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static void netvsc_sim_host_setup(struct net_device *host)
{
	ether_setup(host);
	host->netdev_ops = &netvsc_sim_host_ops;
	host->needs_free_netdev = false;
	host->priv_flags |= IFF_NO_QUEUE | IFF_LIVE_ADDR_CHANGE;
	host->features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM |
			 NETIF_F_HIGHDMA | NETIF_F_GSO_SOFTWARE | NETIF_F_LLTX;
	host->hw_features = host->features & ~NETIF_F_LLTX;
	host->max_mtu = ETH_MAX_MTU;
	eth_hw_addr_random(host);
}

/**
 * netvsc_sim_host_new - allocate the host end of a device
 * @sim: the device
 *
 * Return: nvshID, not yet registered, or an ERR_PTR().
 */
struct net_device *netvsc_sim_host_new(struct netvsc_sim_dev *sim)
{
	struct netvsc_sim_host *h;
	struct net_device *host;
	char name[IFNAMSIZ];

	snprintf(name, sizeof(name), "nvsh%u", sim->id);
	host = alloc_netdev(sizeof(*h), name, NET_NAME_PREDICTABLE,
			    netvsc_sim_host_setup);
	if (!host)
		return ERR_PTR(-ENOMEM);

	host->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!host->tstats) {
		free_netdev(host);
		return ERR_PTR(-ENOMEM);
	}
	h = netdev_priv(host);
	h->sim = sim;
	return host;
}

/**
 * netvsc_sim_host_free - free the host end
 * @host: nvshID, unregistered or never registered
 */
void netvsc_sim_host_free(struct net_device *host)
{
	free_percpu(host->tstats);
	free_netdev(host);
}
