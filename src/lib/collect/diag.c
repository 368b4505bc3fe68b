// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The primary collector: one NETLINK_SOCK_DIAG socket (libmnl), one dump
 * request per kernel table and family, replies handed to the pure parser in
 * diag_parse.c.  This file owns the I/O rules: nothing lost silently,
 * interrupted dumps redone, missing diag modules reported as unsupported.
 */
#include "collect/collect.h"
#include "collect/diag_parse.h"
#include "util/readahead.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

/*
 * The kernel builds each dump skb no bigger than the largest read buffer
 * seen, capped at 32 KiB (libmnl >= 1.0.5 calls that MNL_SOCKET_DUMP_SIZE;
 * Debian 12 ships 1.0.4, whose MNL_SOCKET_BUFFER_SIZE is only 8 KiB).  Twice
 * that leaves room for kernels that raise the cap; MSG_TRUNC is still
 * checked by libmnl.
 */
#define DIAG_BUF_SIZE (64 * 1024)
/*
 * Dumps are flow-controlled (the kernel fills the next skb only after we
 * read one), so no dump record is dropped for want of buffer space; 1 MiB,
 * as iproute2 sets, is headroom against a tiny net.core.rmem_default.
 */
#define DIAG_RCVBUF (1 << 20)
/* Redo an interrupted dump this many times before keeping what we have. */
#define DIAG_MAX_RETRIES 3

static uint8_t inet_ext(uint32_t details)
{
	uint8_t ext = 0;

	if (details & SKS_DETAIL_MEMINFO)
		ext |= 1u << (INET_DIAG_SKMEMINFO - 1);
	if (details & SKS_DETAIL_TCPINFO)
		ext |= (1u << (INET_DIAG_INFO - 1)) | (1u << (INET_DIAG_CONG - 1));
	/* v6only, mark and cgroup id come unasked; shutdown is asked for as ss does. */
	if (details & SKS_DETAIL_EXTENDED)
		ext |= 1u << (INET_DIAG_SHUTDOWN - 1);
	return ext;
}

size_t sks_diag_request(void *buf, size_t len, const struct sks_diag_req *req, uint32_t seq)
{
	struct nlmsghdr *nlh;

	if (len < SKS_DIAG_REQ_SIZE(req) || req->bytecode_len > UINT16_MAX - 4)
		return 0;
	memset(buf, 0, SKS_DIAG_REQ_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;

	switch (req->proto) {
	case SKS_PROTO_TCP:
	case SKS_PROTO_UDP:
	case SKS_PROTO_RAW: {
		struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));

		r->sdiag_family = req->family;
		r->sdiag_protocol = req->proto == SKS_PROTO_TCP   ? IPPROTO_TCP
				    : req->proto == SKS_PROTO_UDP ? IPPROTO_UDP
								  : IPPROTO_RAW;
		/*
		 * raw_diag's dump walks the whole raw hash table of the family
		 * and ignores sdiag_raw_protocol (only single-socket lookups
		 * use it), so one IPPROTO_RAW dump returns raw sockets of every
		 * protocol (ICMP, ICMPv6, ...).  It ignores the state mask too.
		 */
		r->idiag_ext = inet_ext(req->details);
		/* Bit 13 (bound-inactive) makes the kernel walk the bind table: only if asked. */
		r->idiag_states = req->states;
		if (req->bytecode_len)
			mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, req->bytecode_len, req->bytecode);
		break;
	}
	case SKS_PROTO_UNIX: {
		struct unix_diag_req *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));

		r->sdiag_family = AF_UNIX;
		/* UNIX states use the TCP numbering, so the mask is the same. */
		r->udiag_states = req->states;
		r->udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
		r->udiag_show |= UDIAG_SHOW_UID;
		if (req->details & SKS_DETAIL_MEMINFO)
			r->udiag_show |= UDIAG_SHOW_MEMINFO;
		break;
	}
	case SKS_PROTO_PACKET: {
		struct packet_diag_req *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));

		r->sdiag_family = AF_PACKET;
		/* MEMINFO always: Recv-Q comes from it. */
		r->pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO;
		break;
	}
	case SKS_PROTO_NETLINK: {
		struct netlink_diag_req *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));

		r->sdiag_family = AF_NETLINK;
		r->sdiag_protocol = NDIAG_PROTO_ALL;
		/* MEMINFO always: Recv-Q and Send-Q come from it. */
		r->ndiag_show = NDIAG_SHOW_GROUPS | NDIAG_SHOW_MEMINFO;
		break;
	}
	default:
		return 0;
	}
	return nlh->nlmsg_len;
}

struct diag_io {
	const struct sks_diag_transport *t;
	uint32_t seq;
	void *buf;
};

static const char *const proto_names[] = {
	[SKS_PROTO_TCP] = "tcp",
	[SKS_PROTO_UDP] = "udp",
	[SKS_PROTO_RAW] = "raw",
	[SKS_PROTO_UNIX] = "unix",
	[SKS_PROTO_PACKET] = "packet",
	[SKS_PROTO_NETLINK] = "netlink",
};

/*
 * The kernel has no diag module (or no family) for this request.  Missing
 * inet handlers answer in NLMSG_DONE, missing families in NLMSG_ERROR.
 */
static bool is_unsupported(int err)
{
	return err == -ENOENT || err == -EOPNOTSUPP || err == -EPROTONOSUPPORT;
}

static void forget_since(struct sks_snapshot *s, size_t start)
{
	/* A streamed snapshot may have handed them over already: nothing to forget. */
	if (start > s->n)
		return;
	s->n = start;
	s->stats.records = s->streamed + s->n;
}

/* One dump, redone while interrupted, encoded in msg.  0 done, 1 unsupported, -errno. */
static int dump_retrying(struct diag_io *io, struct sks_snapshot *s,
			 const struct sks_diag_req *req, uint32_t tables, char *msg, size_t size)
{
	unsigned attempt;

	for (attempt = 0;; attempt++) {
		struct sks_diag_dump d = {
			.proto = req->proto,
			.tables = tables,
			.seq = ++io->seq,
			.portid = io->t->portid,
		};
		size_t start = s->n;
		size_t len = sks_diag_request(msg, size, req, d.seq);
		int r;

		if (!len)
			return -EINVAL;
		r = io->t->send(io->t->userdata, msg, len);
		if (r < 0)
			return r;
		s->stats.dumps++;
		while (!d.done) {
			ssize_t n = io->t->recv(io->t->userdata, io->buf, DIAG_BUF_SIZE);

			if (n < 0)
				return (int)n;
			if (n == 0)
				return -EPROTO;
			r = sks_diag_parse(s, io->buf, (size_t)n, &d);
			/* Netlink records are deduplicated per dump: keep them until the end. */
			if (r >= 0 && req->proto != SKS_PROTO_NETLINK)
				r = sks_snap_stream_point(s, false);
			if (r < 0)
				return r;
		}
		if (d.error)
			return is_unsupported(d.error) ? 1 : d.error;
		if (!d.intr)
			return 0;
		/* Streamed records cannot be taken back: keep them, as ss does. */
		if (attempt == DIAG_MAX_RETRIES || s->sink) {
			sks_snap_warn(s, SKS_WARN_DUMP_INTR, EINTR,
				      "%s dump interrupted %u times; records may be inconsistent",
				      proto_names[req->proto], attempt + 1);
			return 0;
		}
		/* The table changed under the dump: forget its records and ask again. */
		forget_since(s, start);
		s->stats.dump_retries++;
	}
}

/* One dump (see dump_retrying()) in a buffer big enough for its bytecode. */
static int dump(struct diag_io *io, struct sks_snapshot *s, const struct sks_diag_req *req,
		uint32_t tables)
{
	union {
		char bytes[SKS_DIAG_REQ_MAX];
		struct nlmsghdr align;
	} small;
	size_t size = SKS_DIAG_REQ_SIZE(req);
	char *msg = small.bytes;
	int ret;

	/* A filter's bytecode can be large; the common request fits the stack. */
	if (size > sizeof(small.bytes)) {
		msg = malloc(size);
		if (!msg)
			return -ENOMEM;
	}
	ret = dump_retrying(io, s, req, tables, msg, size);
	if (msg != small.bytes)
		free(msg);
	return ret;
}

/* Every family of one inet table.  0 done, 1 unsupported, -errno. */
static int dump_inet(struct diag_io *io, struct sks_snapshot *s, uint8_t proto, uint32_t table)
{
	static const struct {
		uint32_t bit;
		uint8_t af;
	} fams[] = { { SKS_INET4, AF_INET }, { SKS_INET6, AF_INET6 } };
	size_t start = s->n, i;
	unsigned asked = 0, unsupported = 0;

	for (i = 0; i < SKS_ARRAY_SIZE(fams); i++) {
		const struct sks_buf *bc = fams[i].af == AF_INET ? &s->bytecode4 : &s->bytecode6;
		struct sks_diag_req req = {
			.proto = proto,
			.family = fams[i].af,
			.states = s->states,
			.details = s->details,
			.bytecode = bc->len ? bc->data : NULL,
			.bytecode_len = (uint32_t)bc->len,
		};
		int r;

		if (!(s->families & fams[i].bit))
			continue;
		asked++;
		r = dump(io, s, &req, table);
		if (r < 0)
			return r;
		unsupported += (unsigned)r;
	}
	/*
	 * A family alone missing means the kernel has none of its sockets
	 * (IPv6 not built in); the table is unsupported only when no family
	 * answered, and then it keeps no records, so a fallback starts clean.
	 */
	if (asked && unsupported == asked) {
		forget_since(s, start);
		return 1;
	}
	return 0;
}

/* UNIX, PACKET or NETLINK: one dump for every socket type.  0, 1 unsupported, -errno. */
static int dump_other(struct diag_io *io, struct sks_snapshot *s, uint8_t proto, uint32_t want)
{
	struct sks_diag_req req = {
		.proto = proto,
		.states = s->states,
		.details = s->details,
	};
	size_t start = s->n;
	int r;

	/* Packet and netlink sockets are all CLOSE: nothing to ask for otherwise. */
	if (proto != SKS_PROTO_UNIX && !sks_snap_wants_state(s, SKS_STATE_CLOSE))
		return 0;
	r = dump(io, s, &req, want);
	if (r == 1)
		forget_since(s, start);
	if (r == 0 && proto == SKS_PROTO_NETLINK) {
		r = sks_diag_dedup(s, start);
		if (r > 0)
			r = 0;
	}
	return r;
}

int sks_diag_collect_with(struct sks_snapshot *s, const struct sks_diag_transport *t,
			  uint32_t tables, uint32_t *ret_done, uint32_t *ret_unsupported)
{
	static const struct {
		uint8_t proto;
		uint32_t tables;
	} order[] = {
		{ SKS_PROTO_TCP, SKS_TABLE_TCP },       { SKS_PROTO_UDP, SKS_TABLE_UDP },
		{ SKS_PROTO_RAW, SKS_TABLE_RAW },       { SKS_PROTO_UNIX, SKS_TABLE_UNIX },
		{ SKS_PROTO_PACKET, SKS_TABLE_PACKET }, { SKS_PROTO_NETLINK, SKS_TABLE_NETLINK },
	};
	struct diag_io io = { .t = t };
	uint32_t done = 0, unsupported = 0;
	size_t i;
	int r = 0;

	io.buf = malloc(DIAG_BUF_SIZE);
	if (!io.buf)
		return -ENOMEM;
	for (i = 0; i < SKS_ARRAY_SIZE(order); i++) {
		uint32_t want = tables & order[i].tables;
		uint8_t proto = order[i].proto;

		if (!want)
			continue;
		if (proto <= SKS_PROTO_RAW)
			r = dump_inet(&io, s, proto, want);
		else
			r = dump_other(&io, s, proto, want);
		if (r < 0)
			goto out;
		if (r == 1)
			unsupported |= want;
		else
			done |= want;
	}
	r = 0;
	*ret_done = done;
	*ret_unsupported = unsupported;
out:
	free(io.buf);
	return r;
}

static int mnl_send(void *userdata, const void *msg, size_t len)
{
	return mnl_socket_sendto(userdata, msg, len) < 0 ? -errno : 0;
}

/* Does this reply end its dump?  A malformed one does too: the parser will say why. */
static bool ends_dump(const void *buf, size_t n)
{
	const struct nlmsghdr *h = buf;

	while (n >= sizeof(*h)) {
		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > n)
			return true;
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
			return true;
		n -= NLMSG_ALIGN(h->nlmsg_len) < n ? NLMSG_ALIGN(h->nlmsg_len) : n;
		h = (const struct nlmsghdr *)((const char *)h + NLMSG_ALIGN(h->nlmsg_len));
	}
	return false;
}

static ssize_t mnl_recv(void *userdata, void *buf, size_t len)
{
	for (;;) {
		/* libmnl checks MSG_TRUNC and reports it as ENOSPC. */
		ssize_t n = mnl_socket_recvfrom(userdata, buf, len);

		if (n >= 0)
			return n;
		if (errno != EINTR)
			return -errno;
	}
}

int sks_diag_collect(struct sks_snapshot *s, uint32_t tables, uint32_t *ret_done,
		     uint32_t *ret_unsupported)
{
	struct sks_diag_transport t = { .send = mnl_send, .recv = mnl_recv };
	struct sks_readahead_io io = { mnl_send, mnl_recv, ends_dump, NULL }, rio;
	struct sks_readahead *ra = NULL;
	int rcvbuf = DIAG_RCVBUF, fd, r;
	struct mnl_socket *nl;

	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	fd = mnl_socket_get_fd(nl);
	/* FORCE needs CAP_NET_ADMIN; without it the plain option is capped by rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	t.userdata = nl;
	io.userdata = nl;
	t.portid = mnl_socket_get_portid(nl);
	/* No thread (or no memory for it): the same dump, unhurried. */
	if (sks_readahead_start(&io, DIAG_BUF_SIZE, &ra, &rio) == 0) {
		struct sks_diag_transport rt = { rio.send, rio.recv, rio.userdata, t.portid };

		r = sks_diag_collect_with(s, &rt, tables & SKS_TABLE_ALL, ret_done,
					  ret_unsupported);
	} else
		r = sks_diag_collect_with(s, &t, tables & SKS_TABLE_ALL, ret_done,
					  ret_unsupported);
	sks_readahead_stop(ra);
out:
	mnl_socket_close(nl);
	return r;
}
