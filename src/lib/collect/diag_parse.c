// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * NETLINK_SOCK_DIAG replies to snapshot records: a pure function of the
 * bytes, so unit tests and the fuzzer feed it recorded dumps.  Nothing in
 * the input is trusted: every message, header and attribute length is
 * checked before it is read.  The socket I/O lives in diag.c.
 */
#include "collect/diag_parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <linux/unix_diag.h>

/* The SK_MEMINFO_* vector as far as struct sks_meminfo reads it. */
#define MEMINFO_VARS (SK_MEMINFO_DROPS + 1)

/*
 * Attributes after a fixed header.  libmnl's mnl_attr_for_each() stops
 * silently at an attribute that does not fit; we want to know, so the walk
 * is spelled out with its mnl_attr_ok() check.
 */
struct attr_iter {
	const char *payload;
	size_t off;
	size_t len;
};

static void attr_iter_init(struct attr_iter *it, const struct nlmsghdr *nlh, size_t hdrlen)
{
	it->payload = mnl_nlmsg_get_payload(nlh);
	it->off = MNL_ALIGN(hdrlen);
	it->len = mnl_nlmsg_get_payload_len(nlh);
}

/* 1 and *ret set, 0 at the end, -EBADMSG when the next attribute does not fit. */
static int attr_next(struct attr_iter *it, const struct nlattr **ret)
{
	const struct nlattr *a;

	if (it->off >= it->len)
		return 0;
	a = (const struct nlattr *)(it->payload + it->off);
	if (!mnl_attr_ok(a, (int)(it->len - it->off)))
		return -EBADMSG;
	it->off += MNL_ALIGN(a->nla_len);
	*ret = a;
	return 1;
}

static int attr_u8(const struct nlattr *a, uint8_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return -EBADMSG;
	*v = mnl_attr_get_u8(a);
	return 0;
}

static int attr_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return -EBADMSG;
	*v = mnl_attr_get_u32(a);
	return 0;
}

static int attr_u64(const struct nlattr *a, uint64_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
		return -EBADMSG;
	*v = mnl_attr_get_u64(a);
	return 0;
}

/* Copy up to len bytes of a variable-size attribute; the rest of dst stays zero. */
static void attr_copy(const struct nlattr *a, void *dst, size_t len)
{
	size_t n = mnl_attr_get_payload_len(a);

	memset(dst, 0, len);
	memcpy(dst, mnl_attr_get_payload(a), n < len ? n : len);
}

/*
 * The kernel's SK_MEMINFO_* vector.  Older kernels send fewer entries (no
 * drops before 4.x, no backlog before 3.x): what is missing reads as zero.
 */
static void read_meminfo(const struct nlattr *a, uint32_t v[MEMINFO_VARS])
{
	size_t n = mnl_attr_get_payload_len(a) / sizeof(uint32_t);

	memset(v, 0, MEMINFO_VARS * sizeof(uint32_t));
	if (n > MEMINFO_VARS)
		n = MEMINFO_VARS;
	memcpy(v, mnl_attr_get_payload(a), n * sizeof(uint32_t));
}

static int store_meminfo(struct sks_snapshot *s, struct sks_record *rec,
			 const uint32_t v[MEMINFO_VARS])
{
	struct sks_meminfo *m;

	if (!(s->details & SKS_DETAIL_MEMINFO))
		return 0;
	m = sks_snap_alloc(s, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->rmem_alloc = v[SK_MEMINFO_RMEM_ALLOC];
	m->rcvbuf = v[SK_MEMINFO_RCVBUF];
	m->wmem_alloc = v[SK_MEMINFO_WMEM_ALLOC];
	m->sndbuf = v[SK_MEMINFO_SNDBUF];
	m->fwd_alloc = v[SK_MEMINFO_FWD_ALLOC];
	m->wmem_queued = v[SK_MEMINFO_WMEM_QUEUED];
	m->optmem = v[SK_MEMINFO_OPTMEM];
	m->backlog = v[SK_MEMINFO_BACKLOG];
	m->drops = v[SK_MEMINFO_DROPS];
	rec->mem = m;
	rec->has |= SKS_DETAIL_MEMINFO;
	return 0;
}

static int put_meminfo(struct sks_snapshot *s, struct sks_record *rec, const struct nlattr *a)
{
	uint32_t v[MEMINFO_VARS];

	read_meminfo(a, v);
	return store_meminfo(s, rec, v);
}

static uint64_t cookie64(const uint32_t c[2])
{
	return (uint64_t)c[0] | (uint64_t)c[1] << 32;
}

static struct sks_tcpinfo *tcpinfo_get(struct sks_snapshot *s, struct sks_record *rec)
{
	struct sks_tcpinfo *t;

	if (rec->tcp)
		return (struct sks_tcpinfo *)rec->tcp;
	t = sks_snap_alloc(s, sizeof(*t));
	if (!t)
		return NULL;
	rec->tcp = t;
	rec->has |= SKS_DETAIL_TCPINFO;
	return t;
}

/*
 * struct tcp_info grows at its end with each kernel: copy what the
 * attribute covers into a zeroed struct, so fields an older kernel does not
 * send read as zero, and bytes a newer kernel adds are ignored.
 */
static int put_tcpinfo(struct sks_snapshot *s, struct sks_record *rec, const struct nlattr *a)
{
	struct sks_tcpinfo *t;
	struct tcp_info ti;

	attr_copy(a, &ti, sizeof(ti));
	t = tcpinfo_get(s, rec);
	if (!t)
		return -ENOMEM;
	t->ca_state = ti.tcpi_ca_state;
	t->retransmits = ti.tcpi_retransmits;
	t->probes = ti.tcpi_probes;
	t->backoff = ti.tcpi_backoff;
	t->options = ti.tcpi_options;
	t->snd_wscale = ti.tcpi_snd_wscale;
	t->rcv_wscale = ti.tcpi_rcv_wscale;
	t->delivery_rate_app_limited = ti.tcpi_delivery_rate_app_limited;
	t->rto = ti.tcpi_rto;
	t->ato = ti.tcpi_ato;
	t->snd_mss = ti.tcpi_snd_mss;
	t->rcv_mss = ti.tcpi_rcv_mss;
	t->unacked = ti.tcpi_unacked;
	t->sacked = ti.tcpi_sacked;
	t->lost = ti.tcpi_lost;
	t->retrans = ti.tcpi_retrans;
	t->fackets = ti.tcpi_fackets;
	t->last_data_sent_ms = ti.tcpi_last_data_sent;
	t->last_ack_sent_ms = ti.tcpi_last_ack_sent;
	t->last_data_recv_ms = ti.tcpi_last_data_recv;
	t->last_ack_recv_ms = ti.tcpi_last_ack_recv;
	t->pmtu = ti.tcpi_pmtu;
	t->rcv_ssthresh = ti.tcpi_rcv_ssthresh;
	t->rtt = ti.tcpi_rtt;
	t->rttvar = ti.tcpi_rttvar;
	t->snd_ssthresh = ti.tcpi_snd_ssthresh;
	t->snd_cwnd = ti.tcpi_snd_cwnd;
	t->advmss = ti.tcpi_advmss;
	t->reordering = ti.tcpi_reordering;
	t->rcv_rtt = ti.tcpi_rcv_rtt;
	t->rcv_space = ti.tcpi_rcv_space;
	t->total_retrans = ti.tcpi_total_retrans;
	t->pacing_rate = ti.tcpi_pacing_rate;
	t->max_pacing_rate = ti.tcpi_max_pacing_rate;
	t->bytes_acked = ti.tcpi_bytes_acked;
	t->bytes_received = ti.tcpi_bytes_received;
	t->segs_out = ti.tcpi_segs_out;
	t->segs_in = ti.tcpi_segs_in;
	t->notsent_bytes = ti.tcpi_notsent_bytes;
	t->min_rtt = ti.tcpi_min_rtt;
	t->data_segs_in = ti.tcpi_data_segs_in;
	t->data_segs_out = ti.tcpi_data_segs_out;
	t->delivery_rate = ti.tcpi_delivery_rate;
	t->busy_time = ti.tcpi_busy_time;
	t->rwnd_limited = ti.tcpi_rwnd_limited;
	t->sndbuf_limited = ti.tcpi_sndbuf_limited;
	t->delivered = ti.tcpi_delivered;
	t->delivered_ce = ti.tcpi_delivered_ce;
	t->bytes_sent = ti.tcpi_bytes_sent;
	t->bytes_retrans = ti.tcpi_bytes_retrans;
	t->dsack_dups = ti.tcpi_dsack_dups;
	t->reord_seen = ti.tcpi_reord_seen;
	t->rcv_ooopack = ti.tcpi_rcv_ooopack;
	t->snd_wnd = ti.tcpi_snd_wnd;
	return 0;
}

static int put_cong(struct sks_snapshot *s, struct sks_record *rec, const struct nlattr *a)
{
	const char *name = mnl_attr_get_payload(a);
	size_t n = mnl_attr_get_payload_len(a);
	struct sks_tcpinfo *t = tcpinfo_get(s, rec);

	if (!t)
		return -ENOMEM;
	if (n > sizeof(t->cong) - 1)
		n = sizeof(t->cong) - 1;
	n = strnlen(name, n);
	memcpy(t->cong, name, n);
	t->cong[n] = '\0';
	return 0;
}

/* Link-local v6 addresses need their interface to mean anything. */
static bool v6_scoped(const uint8_t *a)
{
	return (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || (a[0] == 0xff && (a[1] & 0x0f) == 0x02);
}

static void put_endpoint(struct sks_endpoint *e, uint8_t family, const uint32_t *addr,
			 uint16_t port_be, uint32_t ifindex)
{
	e->family = family;
	memcpy(e->addr, addr, family == AF_INET ? 4 : 16);
	e->port = ntohs(port_be);
	if (family == AF_INET6 && v6_scoped(e->addr))
		e->scope_id = ifindex;
}

static const uint8_t inet_protocols[] = {
	[SKS_PROTO_TCP] = IPPROTO_TCP,
	[SKS_PROTO_UDP] = IPPROTO_UDP,
	[SKS_PROTO_RAW] = IPPROTO_RAW,
};

static const uint8_t inet_types[] = {
	[SKS_PROTO_TCP] = SOCK_STREAM,
	[SKS_PROTO_UDP] = SOCK_DGRAM,
	[SKS_PROTO_RAW] = SOCK_RAW,
};

static int inet_attr(struct sks_snapshot *s, struct sks_record *rec, const struct nlattr *a)
{
	uint8_t u8;
	int r = 0;

	switch (mnl_attr_get_type(a)) {
	case INET_DIAG_SHUTDOWN:
		r = attr_u8(a, &u8);
		if (!r)
			rec->shutdown = (u8 & 3) + 1;
		break;
	case INET_DIAG_SKV6ONLY:
		r = attr_u8(a, &u8);
		if (!r)
			rec->inet.v6only = !!u8;
		break;
	case INET_DIAG_PROTOCOL:
		/* RAW sockets: the protocol given to socket(2). */
		if (rec->proto == SKS_PROTO_RAW)
			r = attr_u8(a, &rec->inet.protocol);
		break;
	case INET_DIAG_MARK:
		r = attr_u32(a, &rec->mark);
		break;
	case INET_DIAG_CGROUP_ID:
		r = attr_u64(a, &rec->cgroup_id);
		break;
	case INET_DIAG_SKMEMINFO:
		r = put_meminfo(s, rec, a);
		break;
	case INET_DIAG_INFO:
		if (rec->proto == SKS_PROTO_TCP && (s->details & SKS_DETAIL_TCPINFO))
			r = put_tcpinfo(s, rec, a);
		break;
	case INET_DIAG_CONG:
		if (rec->proto == SKS_PROTO_TCP && (s->details & SKS_DETAIL_TCPINFO))
			r = put_cong(s, rec, a);
		break;
	}
	return r;
}

static int parse_inet(struct sks_snapshot *s, const struct nlmsghdr *nlh,
		      const struct sks_diag_dump *d)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct sks_record *rec;
	struct attr_iter it;
	int r;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return -EBADMSG;
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -EBADMSG;
	s->stats.received++;
	if (!sks_snap_wants_state(s, m->idiag_state) || !sks_snap_wants_family(s, m->idiag_family))
		return 0;
	rec = sks_snap_add(s);
	if (!rec)
		return -ENOMEM;
	rec->proto = d->proto;
	rec->family = m->idiag_family;
	rec->type = inet_types[d->proto];
	rec->state = m->idiag_state;
	rec->rqueue = m->idiag_rqueue;
	rec->wqueue = m->idiag_wqueue;
	rec->uid = m->idiag_uid;
	rec->inode = m->idiag_inode;
	rec->cookie = cookie64(m->id.idiag_cookie);
	rec->ifindex = m->id.idiag_if;
	put_endpoint(&rec->inet.local, m->idiag_family, m->id.idiag_src, m->id.idiag_sport,
		     m->id.idiag_if);
	put_endpoint(&rec->inet.peer, m->idiag_family, m->id.idiag_dst, m->id.idiag_dport,
		     m->id.idiag_if);
	/* A raw socket's "port" is its protocol; INET_DIAG_PROTOCOL below confirms it. */
	rec->inet.protocol = d->proto == SKS_PROTO_RAW ? (uint8_t)rec->inet.local.port
						       : inet_protocols[d->proto];
	rec->inet.timer = m->idiag_timer;
	rec->inet.retrans = m->idiag_retrans;
	rec->inet.expires_ms = m->idiag_expires;
	rec->inet.v6only = -1;
	if (s->details & SKS_DETAIL_EXTENDED)
		rec->has |= SKS_DETAIL_EXTENDED;

	attr_iter_init(&it, nlh, sizeof(*m));
	while ((r = attr_next(&it, &a)) > 0) {
		r = inet_attr(s, rec, a);
		if (r < 0)
			break;
	}
	if (r < 0)
		sks_snap_drop_last(s);
	return r;
}

static int put_unix_name(struct sks_snapshot *s, struct sks_record *rec, const struct nlattr *a)
{
	const char *name = mnl_attr_get_payload(a);
	size_t n = mnl_attr_get_payload_len(a);

	if (!n)
		return 0;
	if (name[0] == '\0') {
		/* Abstract: every byte after the NUL is the name, NULs included. */
		rec->unx.abstract = true;
		name++;
		n--;
	} else {
		/* A file system path ends at its first NUL (the kernel sends one). */
		n = strnlen(name, n);
	}
	rec->unx.path = sks_snap_memdup(s, name, n);
	if (!rec->unx.path)
		return -ENOMEM;
	rec->unx.path_len = (uint32_t)n;
	return 0;
}

static int unix_attr(struct sks_snapshot *s, struct sks_record *rec, const struct nlattr *a)
{
	struct unix_diag_rqlen rq;
	uint32_t u32;
	uint8_t u8;
	int r = 0;

	switch (mnl_attr_get_type(a)) {
	case UNIX_DIAG_NAME:
		r = put_unix_name(s, rec, a);
		break;
	case UNIX_DIAG_PEER:
		r = attr_u32(a, &u32);
		if (!r)
			rec->unx.peer_inode = u32;
		break;
	case UNIX_DIAG_RQLEN:
		if (mnl_attr_validate2(a, MNL_TYPE_UNSPEC, sizeof(rq)) < 0)
			return -EBADMSG;
		memcpy(&rq, mnl_attr_get_payload(a), sizeof(rq));
		rec->rqueue = rq.udiag_rqueue;
		rec->wqueue = rq.udiag_wqueue;
		break;
	case UNIX_DIAG_UID:
		r = attr_u32(a, &rec->uid);
		break;
	case UNIX_DIAG_SHUTDOWN:
		r = attr_u8(a, &u8);
		if (!r)
			rec->shutdown = (u8 & 3) + 1;
		break;
	case UNIX_DIAG_MEMINFO:
		r = put_meminfo(s, rec, a);
		break;
	}
	return r;
}

static uint32_t unix_table(uint8_t type)
{
	switch (type) {
	case SOCK_STREAM:
		return SKS_TABLE_UNIX_STREAM;
	case SOCK_DGRAM:
		return SKS_TABLE_UNIX_DGRAM;
	case SOCK_SEQPACKET:
		return SKS_TABLE_UNIX_SEQPACKET;
	}
	return 0;
}

static int parse_unix(struct sks_snapshot *s, const struct nlmsghdr *nlh,
		      const struct sks_diag_dump *d)
{
	const struct unix_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct sks_record *rec;
	struct attr_iter it;
	int r;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return -EBADMSG;
	if (m->udiag_family != AF_UNIX)
		return -EBADMSG;
	s->stats.received++;
	if (!(d->tables & unix_table(m->udiag_type)) ||
	    !sks_snap_wants_state(s, m->udiag_state))
		return 0;
	rec = sks_snap_add(s);
	if (!rec)
		return -ENOMEM;
	rec->proto = SKS_PROTO_UNIX;
	rec->family = AF_UNIX;
	rec->type = m->udiag_type;
	rec->state = m->udiag_state;
	rec->inode = m->udiag_ino;
	rec->cookie = cookie64(m->udiag_cookie);
	if (s->details & SKS_DETAIL_EXTENDED)
		rec->has |= SKS_DETAIL_EXTENDED;

	attr_iter_init(&it, nlh, sizeof(*m));
	while ((r = attr_next(&it, &a)) > 0) {
		r = unix_attr(s, rec, a);
		if (r < 0)
			break;
	}
	if (r < 0)
		sks_snap_drop_last(s);
	return r;
}

static int packet_attr(struct sks_record *rec, const struct nlattr *a, uint32_t *mem, bool *has_mem)
{
	struct packet_diag_info info;

	switch (mnl_attr_get_type(a)) {
	case PACKET_DIAG_INFO:
		if (mnl_attr_get_payload_len(a) < sizeof(info.pdi_index))
			return -EBADMSG;
		attr_copy(a, &info, sizeof(info));
		rec->packet.ifindex = info.pdi_index;
		break;
	case PACKET_DIAG_UID:
		return attr_u32(a, &rec->uid);
	case PACKET_DIAG_MEMINFO:
		read_meminfo(a, mem);
		*has_mem = true;
		break;
	}
	return 0;
}

static int parse_packet(struct sks_snapshot *s, const struct nlmsghdr *nlh,
			const struct sks_diag_dump *d)
{
	const struct packet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	uint32_t mem[MEMINFO_VARS];
	const struct nlattr *a;
	struct sks_record *rec;
	struct attr_iter it;
	bool has_mem = false;
	uint32_t table;
	int r;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return -EBADMSG;
	if (m->pdiag_family != AF_PACKET)
		return -EBADMSG;
	s->stats.received++;
	/* Packet sockets have no connection state; ss shows them UNCONN. */
	table = m->pdiag_type == SOCK_DGRAM ? SKS_TABLE_PACKET_DGRAM : SKS_TABLE_PACKET_RAW;
	if (!(d->tables & table) || !sks_snap_wants_state(s, SKS_STATE_CLOSE))
		return 0;
	rec = sks_snap_add(s);
	if (!rec)
		return -ENOMEM;
	rec->proto = SKS_PROTO_PACKET;
	rec->family = AF_PACKET;
	rec->type = m->pdiag_type;
	rec->state = SKS_STATE_CLOSE;
	rec->inode = m->pdiag_ino;
	rec->cookie = cookie64(m->pdiag_cookie);
	/* diag already converted the protocol to host order (ntohs(po->num)). */
	rec->packet.protocol = m->pdiag_num;
	if (s->details & SKS_DETAIL_EXTENDED)
		rec->has |= SKS_DETAIL_EXTENDED;

	attr_iter_init(&it, nlh, sizeof(*m));
	while ((r = attr_next(&it, &a)) > 0) {
		r = packet_attr(rec, a, mem, &has_mem);
		if (r < 0)
			break;
	}
	if (!r && has_mem) {
		/* As ss: Recv-Q is the receive memory in use. */
		rec->rqueue = mem[SK_MEMINFO_RMEM_ALLOC];
		r = store_meminfo(s, rec, mem);
	}
	if (r < 0)
		sks_snap_drop_last(s);
	return r;
}

/*
 * The kernel sends its whole group bitmap as unsigned longs; the first 32
 * groups are the low bits of the first one, whatever the byte order.
 */
static uint32_t netlink_groups(const struct nlattr *a)
{
	size_t n = mnl_attr_get_payload_len(a);
	unsigned long l;
	uint32_t u;

	if (n >= sizeof(l)) {
		memcpy(&l, mnl_attr_get_payload(a), sizeof(l));
		return (uint32_t)l;
	}
	if (n >= sizeof(u)) {
		memcpy(&u, mnl_attr_get_payload(a), sizeof(u));
		return u;
	}
	return 0;
}

static int parse_netlink(struct sks_snapshot *s, const struct nlmsghdr *nlh,
			 const struct sks_diag_dump *d)
{
	const struct netlink_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	uint32_t mem[MEMINFO_VARS];
	const struct nlattr *a;
	struct sks_record *rec;
	struct attr_iter it;
	bool has_mem = false;
	int r;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return -EBADMSG;
	if (m->ndiag_family != AF_NETLINK)
		return -EBADMSG;
	s->stats.received++;
	/* Netlink sockets are shown UNCONN by ss, connected or not. */
	if (!(d->tables & SKS_TABLE_NETLINK) ||
	    !sks_snap_wants_state(s, SKS_STATE_CLOSE))
		return 0;
	rec = sks_snap_add(s);
	if (!rec)
		return -ENOMEM;
	rec->proto = SKS_PROTO_NETLINK;
	rec->family = AF_NETLINK;
	rec->type = m->ndiag_type;
	rec->state = SKS_STATE_CLOSE;
	rec->inode = m->ndiag_ino;
	rec->cookie = cookie64(m->ndiag_cookie);
	rec->netlink.protocol = m->ndiag_protocol;
	rec->netlink.portid = m->ndiag_portid;
	rec->netlink.dst_portid = m->ndiag_dst_portid;
	rec->netlink.dst_group = m->ndiag_dst_group;
	if (s->details & SKS_DETAIL_EXTENDED)
		rec->has |= SKS_DETAIL_EXTENDED;

	attr_iter_init(&it, nlh, sizeof(*m));
	while ((r = attr_next(&it, &a)) > 0) {
		switch (mnl_attr_get_type(a)) {
		case NETLINK_DIAG_GROUPS:
			rec->netlink.groups = netlink_groups(a);
			break;
		case NETLINK_DIAG_MEMINFO:
			read_meminfo(a, mem);
			has_mem = true;
			break;
		}
	}
	if (!r && has_mem) {
		/* As ss: the queues are the memory in use each way. */
		rec->rqueue = mem[SK_MEMINFO_RMEM_ALLOC];
		rec->wqueue = mem[SK_MEMINFO_WMEM_ALLOC];
		r = store_meminfo(s, rec, mem);
	}
	if (r < 0)
		sks_snap_drop_last(s);
	return r;
}

static int parse_record(struct sks_snapshot *s, const struct nlmsghdr *nlh,
			const struct sks_diag_dump *d)
{
	switch (d->proto) {
	case SKS_PROTO_TCP:
	case SKS_PROTO_UDP:
	case SKS_PROTO_RAW:
		return parse_inet(s, nlh, d);
	case SKS_PROTO_UNIX:
		return parse_unix(s, nlh, d);
	case SKS_PROTO_PACKET:
		return parse_packet(s, nlh, d);
	case SKS_PROTO_NETLINK:
		return parse_netlink(s, nlh, d);
	}
	return -EINVAL;
}

/* The int at the start of NLMSG_ERROR and NLMSG_DONE payloads, as -errno. */
static int parse_errno(const struct nlmsghdr *nlh, bool required, struct sks_diag_dump *d)
{
	int err;

	d->done = true;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return required ? -EBADMSG : 0;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err > 0 || err == INT_MIN)
		return -EPROTO;
	d->error = err;
	return 0;
}

/*
 * mnl_nlmsg_ok() compares (int)nlmsg_len with the bytes left, so a length
 * of 2 GiB or more turns negative and passes (libmnl 1.0.4, found by
 * fuzz_diag); check the length as the unsigned number it is.
 */
static bool msg_ok(const struct nlmsghdr *nlh, int left)
{
	return mnl_nlmsg_ok(nlh, left) && nlh->nlmsg_len <= (uint32_t)left;
}

int sks_diag_parse(struct sks_snapshot *s, const void *buf, size_t len, struct sks_diag_dump *d)
{
	const struct nlmsghdr *nlh = buf;
	int left, r = 0;

	if (len > INT_MAX || ((uintptr_t)buf & (NLMSG_ALIGNTO - 1)))
		return -EINVAL;
	left = (int)len;
	/*
	 * Walked by hand rather than with mnl_cb_run(): that stops at the first
	 * NLM_F_DUMP_INTR message and ignores the error code in NLMSG_DONE,
	 * and we need both the rest of the dump (to drain it) and the code.
	 */
	for (; left > 0 && !d->done && r >= 0; nlh = mnl_nlmsg_next(nlh, &left)) {
		if (!msg_ok(nlh, left))
			return -EBADMSG;
		if (!mnl_nlmsg_seq_ok(nlh, d->seq) || !mnl_nlmsg_portid_ok(nlh, d->portid))
			return -EPROTO;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			d->intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_ERROR:
			r = parse_errno(nlh, true, d);
			break;
		case NLMSG_DONE:
			r = parse_errno(nlh, false, d);
			break;
		case SOCK_DIAG_BY_FAMILY:
			r = parse_record(s, nlh, d);
			break;
		default:
			r = -EPROTO;
		}
	}
	return r < 0 ? r : 0;
}

struct dedup_key {
	uint64_t cookie;
	size_t idx;
};

static int cmp_key(const void *pa, const void *pb)
{
	const struct dedup_key *a = pa, *b = pb;

	if (a->cookie != b->cookie)
		return a->cookie < b->cookie ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

int sks_diag_dedup(struct sks_snapshot *s, size_t start)
{
	size_t n, i, j;
	struct dedup_key *k;
	int removed = 0;

	if (start >= s->n || s->n - start < 2)
		return 0;
	n = s->n - start;
	k = malloc(n * sizeof(*k));
	if (!k)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		k[i].cookie = s->recs[start + i].cookie;
		k[i].idx = start + i;
	}
	/* Sorted by (cookie, index): every repeat follows the first of its cookie. */
	qsort(k, n, sizeof(*k), cmp_key);
	for (i = 1; i < n; i++)
		if (k[i].cookie && k[i].cookie == k[i - 1].cookie)
			s->recs[k[i].idx].proto = SKS_PROTO_COUNT;
	free(k);
	for (i = j = start; i < s->n; i++) {
		if (s->recs[i].proto == SKS_PROTO_COUNT) {
			removed++;
			continue;
		}
		if (i != j)
			s->recs[j] = s->recs[i];
		j++;
	}
	s->n = j;
	s->stats.records = s->n;
	return removed;
}
