// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names users see: ss's netids and state names, state groups for filters,
 * and the wording of missing-owner reasons.  Pure tables, no state.
 */
#include "internal.h"

#include <errno.h>
#include <linux/netlink.h>
#include <strings.h>
#include <sys/socket.h>

const char *sks_record_netid(const struct sks_record *rec)
{
	switch (sks_record_table(rec)) {
	case SKS_TABLE_TCP:
		return "tcp";
	case SKS_TABLE_UDP:
		return "udp";
	case SKS_TABLE_RAW:
		return "raw";
	case SKS_TABLE_UNIX_STREAM:
		return "u_str";
	case SKS_TABLE_UNIX_DGRAM:
		return "u_dgr";
	case SKS_TABLE_UNIX_SEQPACKET:
		return "u_seq";
	case SKS_TABLE_PACKET_RAW:
		return "p_raw";
	case SKS_TABLE_PACKET_DGRAM:
		return "p_dgr";
	case SKS_TABLE_NETLINK:
		return "nl";
	}
	return "???";
}

static const char *const state_names[SKS_STATE_MAX + 1] = {
	[SKS_STATE_UNKNOWN] = "UNKNOWN",
	[SKS_STATE_ESTABLISHED] = "ESTAB",
	[SKS_STATE_SYN_SENT] = "SYN-SENT",
	[SKS_STATE_SYN_RECV] = "SYN-RECV",
	[SKS_STATE_FIN_WAIT1] = "FIN-WAIT-1",
	[SKS_STATE_FIN_WAIT2] = "FIN-WAIT-2",
	[SKS_STATE_TIME_WAIT] = "TIME-WAIT",
	[SKS_STATE_CLOSE] = "UNCONN",
	[SKS_STATE_CLOSE_WAIT] = "CLOSE-WAIT",
	[SKS_STATE_LAST_ACK] = "LAST-ACK",
	[SKS_STATE_LISTEN] = "LISTEN",
	[SKS_STATE_CLOSING] = "CLOSING",
	[SKS_STATE_NEW_SYN_RECV] = "SYN-RECV",
	[SKS_STATE_BOUND_INACTIVE] = "BOUND-INACTIVE",
};

const char *sks_state_name(unsigned state)
{
	return state <= SKS_STATE_MAX ? state_names[state] : "UNKNOWN";
}

#define B(s) (1u << SKS_STATE_##s)

static const struct {
	const char *word;
	uint32_t mask;
} state_words[] = {
	{ "all", SKS_STATES_ALL },
	{ "connected", SKS_STATES_CONNECTED },
	{ "synchronized", SKS_STATES_CONNECTED & ~B(SYN_SENT) },
	{ "bucket", B(SYN_RECV) | B(NEW_SYN_RECV) | B(TIME_WAIT) },
	{ "big", SKS_STATES_ALL & ~(B(SYN_RECV) | B(NEW_SYN_RECV) | B(TIME_WAIT)) },
	{ "established", B(ESTABLISHED) },
	{ "estab", B(ESTABLISHED) },
	{ "syn-sent", B(SYN_SENT) },
	{ "syn-recv", B(SYN_RECV) | B(NEW_SYN_RECV) },
	{ "fin-wait-1", B(FIN_WAIT1) },
	{ "fin-wait-2", B(FIN_WAIT2) },
	{ "time-wait", B(TIME_WAIT) },
	{ "closed", B(CLOSE) },
	{ "close", B(CLOSE) },
	{ "unconn", B(CLOSE) },
	{ "close-wait", B(CLOSE_WAIT) },
	{ "last-ack", B(LAST_ACK) },
	{ "listening", B(LISTEN) },
	{ "listen", B(LISTEN) },
	{ "closing", B(CLOSING) },
	{ "bound-inactive", B(BOUND_INACTIVE) },
};

int sks_state_parse(const char *word, uint32_t *ret_mask)
{
	for (size_t i = 0; i < SKS_ARRAY_SIZE(state_words); i++) {
		if (!strcasecmp(word, state_words[i].word)) {
			*ret_mask = state_words[i].mask;
			return 0;
		}
	}
	return -EINVAL;
}

const char *sks_no_owner_name(unsigned reason)
{
	switch (reason) {
	case SKS_NO_OWNER_KERNEL:
		return "kernel";
	case SKS_NO_OWNER_PERMISSION:
		return "permission";
	case SKS_NO_OWNER_VANISHED:
		return "vanished";
	case SKS_NO_OWNER_NOT_FOUND:
		return "not-found";
	}
	return "";
}

const char *sks_no_owner_text(unsigned reason)
{
	switch (reason) {
	case SKS_NO_OWNER_KERNEL:
		return "held by the kernel, no process has it open";
	case SKS_NO_OWNER_PERMISSION:
		return "owner hidden: inspecting other users' processes needs CAP_SYS_PTRACE and "
		       "CAP_DAC_READ_SEARCH";
	case SKS_NO_OWNER_VANISHED:
		return "the holder exited or closed it during the scan";
	case SKS_NO_OWNER_NOT_FOUND:
		return "no visible process holds it (another pid namespace?)";
	}
	return "";
}

const char *sks_netlink_proto_name(uint32_t protocol)
{
	static const char *const names[] = {
		[NETLINK_ROUTE] = "rtnl",
		[NETLINK_UNUSED] = "unused",
		[NETLINK_USERSOCK] = "usersock",
		[NETLINK_FIREWALL] = "fw",
		[NETLINK_SOCK_DIAG] = "tcpdiag",
		[NETLINK_NFLOG] = "nflog",
		[NETLINK_XFRM] = "xfrm",
		[NETLINK_SELINUX] = "selinux",
		[NETLINK_ISCSI] = "iscsi",
		[NETLINK_AUDIT] = "audit",
		[NETLINK_FIB_LOOKUP] = "fiblookup",
		[NETLINK_CONNECTOR] = "connector",
		[NETLINK_NETFILTER] = "nft",
		[NETLINK_IP6_FW] = "ip6fw",
		[NETLINK_DNRTMSG] = "dec-rt",
		[NETLINK_KOBJECT_UEVENT] = "uevent",
		[NETLINK_GENERIC] = "genl",
		[NETLINK_SCSITRANSPORT] = "scsi-trans",
		[NETLINK_ECRYPTFS] = "ecryptfs",
		[NETLINK_RDMA] = "rdma",
		[NETLINK_CRYPTO] = "crypto",
	};

	return protocol < SKS_ARRAY_SIZE(names) ? names[protocol] : NULL;
}
