/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The synthetic path under netvsc: what a transport provides and the
 * up-calls it makes.
 *
 * A transport (the VMBus one in hv_netvsc.ko, the simulated host in
 * netvsc_sim.ko) allocates its device with netvsc_alloc(), fills in the
 * MAC address and registers it with netvsc_register().  The core owns
 * the net_device and everything about the VF; the transport only moves
 * frames over the synthetic path and talks to the host.
 *
 * Context rules for the operations:
 *  - open, close, set_mtu, get_caps, set_datapath and get_drvinfo are
 *    called under RTNL; all but get_drvinfo may sleep;
 *  - xmit is called from ndo_start_xmit (BH disabled, tx queue locked);
 *  - set_rx_filter is called with the address list lock held and must
 *    not sleep; a transport that needs to sleep defers the work.
 *
 * Up-calls may be made from any context except where noted, and must
 * have stopped before netvsc_unregister() is called.
 * netvsc_vf_assoc() reports the host's VF association (NVSP 4): the VF
 * whose PCI slot is named after @serial is preferred as the device's VF,
 * and a registered device without a VF looks for it again at once.  It
 * sleeps and takes RTNL: call it from process context without RTNL.
 */
#ifndef _NETVSC_TRANSPORT_H
#define _NETVSC_TRANSPORT_H

#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <uapi/linux/netvsc.h>

/* Receive filter bits, as in the NDIS packet filter. */
#define NETVSC_RX_DIRECTED	BIT(0)
#define NETVSC_RX_MULTICAST	BIT(1)
#define NETVSC_RX_ALLMULTI	BIT(2)
#define NETVSC_RX_BROADCAST	BIT(3)
#define NETVSC_RX_PROMISC	BIT(4)

/**
 * struct netvsc_caps - what the synthetic path can do
 * @features: offloads of the synthetic path (NETIF_F_*)
 * @tso_max_size: largest TSO frame the host accepts
 * @tso_max_segs: most segments in one TSO frame
 * @min_mtu: smallest MTU
 * @max_mtu: largest MTU
 * @max_channels: number of channels (queues) the host offers
 */
struct netvsc_caps {
	netdev_features_t features;
	unsigned int tso_max_size;
	unsigned int tso_max_segs;
	unsigned int min_mtu;
	unsigned int max_mtu;
	unsigned int max_channels;
};

/**
 * struct netvsc_transport_ops - operations of the synthetic path
 * @open: start the synthetic path; frames may be received afterwards
 * @close: stop it
 * @xmit: send one frame; returns NETDEV_TX_OK (the skb is consumed,
 *	whether or not it reached the host) or NETDEV_TX_BUSY (it is not,
 *	and the transport has stopped the queue).  The device is
 *	IFF_NO_QUEUE: without a qdisc above it, a stopped queue drops
 *	frames, so a transport then never stops it nor returns
 *	NETDEV_TX_BUSY, but holds a frame the host has no room for, or
 *	drops it.  The transport counts each frame when it hands it to the
 *	host, with netvsc_synth_tx_sent(), and each it drops, with
 *	netvsc_synth_tx_dropped(); a frame it holds counts when it goes
 * @set_rx_filter: set the receive filter (NETVSC_RX_*)
 * @set_mtu: tell the host the new MTU
 * @get_caps: fill in the capabilities of the synthetic path
 * @set_datapath: ask the host to send the traffic of this device over
 *	@path; returns 0 if the request was sent, and the transport
 *	then reports its outcome with netvsc_datapath_done() and @cookie
 * @get_drvinfo: fill in @info->driver with the name of the module that
 *	drives the device (hv_netvsc over VMBus, as the in-tree driver;
 *	netvsc_sim for the simulated host): ethtool -i reports it, and udev
 *	takes ID_NET_DRIVER, which .link and .network files match with
 *	Driver=, from it.  @info->bus_info may be left empty: the core then
 *	reports the name of the device's parent
 */
struct netvsc_transport_ops {
	int (*open)(struct net_device *dev);
	void (*close)(struct net_device *dev);
	netdev_tx_t (*xmit)(struct sk_buff *skb, struct net_device *dev);
	void (*set_rx_filter)(struct net_device *dev, u32 filter);
	int (*set_mtu)(struct net_device *dev, unsigned int mtu);
	void (*get_caps)(struct net_device *dev, struct netvsc_caps *caps);
	int (*set_datapath)(struct net_device *dev,
			    enum netvsc_datapath path, u32 cookie);
	void (*get_drvinfo)(struct net_device *dev,
			    struct ethtool_drvinfo *info);
};

struct net_device *netvsc_alloc(const struct netvsc_transport_ops *ops,
				size_t priv_size, struct device *parent);
int netvsc_register(struct net_device *dev);
void netvsc_unregister(struct net_device *dev);
void netvsc_free(struct net_device *dev);
void *netvsc_transport_priv(const struct net_device *dev);

void netvsc_rx(struct net_device *dev, struct sk_buff *skb);
void netvsc_synth_tx_sent(struct net_device *dev, unsigned int len);
void netvsc_synth_tx_dropped(struct net_device *dev);
void netvsc_link_change(struct net_device *dev, bool up);
void netvsc_network_change(struct net_device *dev);
void netvsc_datapath_done(struct net_device *dev, u32 cookie, int err);
void netvsc_caps_changed(struct net_device *dev);
void netvsc_vf_assoc(struct net_device *dev, bool allocated, u32 serial);

#endif /* _NETVSC_TRANSPORT_H */
