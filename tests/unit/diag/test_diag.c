// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for the netlink diag collector: the parser fed dumps recorded
 * from a real kernel (tests/data/diag/, made by record_dump.c, whose
 * manifest.txt names each socket's inode), hand-built hostile messages,
 * request encoding, and one live dump of a socket this process holds.
 */
#include "collect/collect.h"
#include "collect/diag_parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include <cmocka.h>

#define ALL_DETAILS (SKS_DETAIL_MEMINFO | SKS_DETAIL_TCPINFO | SKS_DETAIL_EXTENDED)

/* ------------------------------------------------------------ fixtures */

struct blob {
	void *data;
	size_t len;
};

static struct blob load(const char *name)
{
	const char *dir = getenv("SKS_TEST_DATA");
	struct blob b = { 0 };
	char path[4096];
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/diag/%s", dir ? dir : "tests/data", name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	assert_true(n > 0);
	b.len = (size_t)n;
	b.data = malloc(b.len); /* malloc's alignment satisfies NLMSG_ALIGNTO */
	assert_non_null(b.data);
	assert_int_equal(fread(b.data, 1, b.len, f), b.len);
	fclose(f);
	return b;
}

struct entry {
	char label[32];
	uint64_t inode;
	unsigned long extra;
};

static struct entry manifest[64];
static size_t n_manifest;

static int load_manifest(void **state)
{
	const char *dir = getenv("SKS_TEST_DATA");
	char path[4096], line[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/diag/manifest.txt", dir ? dir : "tests/data");
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && n_manifest < SKS_ARRAY_SIZE(manifest)) {
		struct entry *e = &manifest[n_manifest];
		char *sp, *end;

		if (line[0] == '#')
			continue;
		sp = strchr(line, ' ');
		if (!sp || (size_t)(sp - line) >= sizeof(e->label))
			continue;
		memcpy(e->label, line, (size_t)(sp - line));
		e->label[sp - line] = '\0';
		errno = 0;
		e->inode = strtoull(sp + 1, &end, 10);
		if (errno || *end != ' ')
			continue;
		e->extra = strtoul(end + 1, &end, 10);
		if (errno || (*end != '\n' && *end))
			continue;
		n_manifest++;
	}
	fclose(f);
	return n_manifest ? 0 : -1;
}

static const struct entry *entry(const char *label)
{
	for (size_t i = 0; i < n_manifest; i++)
		if (!strcmp(manifest[i].label, label))
			return &manifest[i];
	fail_msg("no %s in manifest.txt", label);
	return NULL;
}

static uint64_t ino(const char *label)
{
	return entry(label)->inode;
}

static struct sks_snapshot *snap(uint32_t details)
{
	struct sks_snapshot *s = sks_snap_new(NULL);

	assert_non_null(s);
	s->details = details;
	return s;
}

/* Parse a whole recorded dump; the dump must end in it. */
static int parse_file(struct sks_snapshot *s, const char *name, uint8_t proto, uint32_t tables,
		      struct sks_diag_dump *d)
{
	struct blob b = load(name);
	int r;

	memset(d, 0, sizeof(*d));
	d->proto = proto;
	d->tables = tables;
	r = sks_diag_parse(s, b.data, b.len, d);
	free(b.data);
	return r;
}

static const struct sks_record *by_inode(const struct sks_snapshot *s, uint64_t inode)
{
	const struct sks_record *found = NULL;

	for (size_t i = 0; i < s->n; i++) {
		if (s->recs[i].inode == inode) {
			assert_null(found); /* one record per socket */
			found = &s->recs[i];
		}
	}
	if (!found)
		fail_msg("no record with inode %llu", (unsigned long long)inode);
	return found;
}

static const struct sks_record *by_ports(const struct sks_snapshot *s, uint16_t lport,
					 uint16_t pport)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->recs[i].inet.local.port == lport && s->recs[i].inet.peer.port == pport)
			return &s->recs[i];
	fail_msg("no record %u -> %u", lport, pport);
	return NULL;
}

static void assert_ep4(const struct sks_endpoint *e, const char *addr, uint16_t port)
{
	uint8_t a[4];

	assert_int_equal(inet_pton(AF_INET, addr, a), 1);
	assert_int_equal(e->family, AF_INET);
	assert_memory_equal(e->addr, a, 4);
	assert_int_equal(e->port, port);
}

static void assert_ep6(const struct sks_endpoint *e, const char *addr, uint16_t port)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(AF_INET6, addr, a), 1);
	assert_int_equal(e->family, AF_INET6);
	assert_memory_equal(e->addr, a, 16);
	assert_int_equal(e->port, port);
	assert_int_equal(e->scope_id, 0);
}

/* Hand-built messages: a buffer of whole netlink messages, 4-byte aligned. */
struct msgbuf {
	union {
		char bytes[8192];
		uint64_t align;
	};
	size_t len;
};

static struct nlmsghdr *msg_put(struct msgbuf *m, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m->bytes + m->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return nlh;
}

static void msg_end(struct msgbuf *m, struct nlmsghdr *nlh)
{
	m->len += MNL_ALIGN(nlh->nlmsg_len);
	assert_true(m->len < sizeof(m->bytes) - 512);
}

static struct inet_diag_msg *put_inet(struct msgbuf *m, struct nlmsghdr **ret, uint8_t family,
				      uint8_t state)
{
	struct nlmsghdr *nlh = msg_put(m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI);
	struct inet_diag_msg *d = mnl_nlmsg_put_extra_header(nlh, sizeof(*d));

	d->idiag_family = family;
	d->idiag_state = state;
	d->idiag_inode = 4242;
	*ret = nlh;
	return d;
}

static void put_done(struct msgbuf *m, int err)
{
	struct nlmsghdr *nlh = msg_put(m, NLMSG_DONE, NLM_F_MULTI);
	int *p = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*p = err;
	msg_end(m, nlh);
}

static int parse_msgs(struct sks_snapshot *s, struct msgbuf *m, uint8_t proto,
		      struct sks_diag_dump *d)
{
	memset(d, 0, sizeof(*d));
	d->proto = proto;
	d->tables = SKS_TABLE_ALL;
	return sks_diag_parse(s, m->bytes, m->len, d);
}

/* ------------------------------------------------------- recorded dumps */

static void test_tcp4(void **state)
{
	struct sks_snapshot *s = snap(ALL_DETAILS);
	const struct sks_record *r;
	struct sks_diag_dump d;

	(void)state;
	assert_int_equal(parse_file(s, "tcp4.bin", SKS_PROTO_TCP, SKS_TABLE_TCP, &d), 0);
	assert_true(d.done);
	assert_false(d.intr);
	assert_int_equal(d.error, 0);
	assert_int_equal(s->stats.received, 6);
	assert_int_equal(s->n, 6);
	assert_int_equal(s->stats.records, 6);

	r = by_inode(s, ino("tcp4_listen"));
	assert_int_equal(r->proto, SKS_PROTO_TCP);
	assert_int_equal(r->family, AF_INET);
	assert_int_equal(r->type, SOCK_STREAM);
	assert_int_equal(r->state, SKS_STATE_LISTEN);
	assert_ep4(&r->inet.local, "127.0.0.1", 5001);
	assert_ep4(&r->inet.peer, "0.0.0.0", 0);
	assert_int_equal(r->inet.protocol, IPPROTO_TCP);
	assert_int_equal(r->rqueue, 1); /* tcp4_pending waits in the accept queue */
	assert_int_equal(r->wqueue, 8); /* listen(fd, 8) */
	assert_int_equal(r->inet.v6only, -1);
	assert_int_equal(r->shutdown, 1);
	assert_int_equal(r->uid, 0);
	assert_int_equal(r->cgroup_id, 1);
	assert_true(r->cookie != 0);
	assert_int_equal(r->has, ALL_DETAILS);
	assert_non_null(r->mem);
	assert_true(r->mem->rcvbuf > 0);
	assert_non_null(r->tcp);
	assert_string_equal(r->tcp->cong, "bbr"); /* the recording machine's default */

	r = by_inode(s, ino("tcp4_srv"));
	assert_int_equal(r->state, SKS_STATE_ESTABLISHED);
	assert_ep4(&r->inet.local, "127.0.0.1", 5001);
	assert_ep4(&r->inet.peer, "127.0.0.1", 5011);
	assert_int_equal(r->rqueue, 5); /* "hello", unread */
	assert_int_equal(r->wqueue, 0);
	assert_non_null(r->tcp);
	assert_true(r->tcp->snd_mss > 0);
	assert_true(r->tcp->rtt > 0);
	assert_true(r->tcp->segs_in > 0);
	assert_true(r->mem->rmem_alloc > 0);

	r = by_inode(s, ino("tcp4_cli"));
	assert_int_equal(r->state, SKS_STATE_ESTABLISHED);
	assert_ep4(&r->inet.local, "127.0.0.1", 5011);
	assert_ep4(&r->inet.peer, "127.0.0.1", 5001);
	assert_true(r->tcp->bytes_acked >= 5);

	r = by_inode(s, ino("tcp4_pending"));
	assert_int_equal(r->state, SKS_STATE_ESTABLISHED);
	assert_int_equal(r->inet.local.port, 5013);

	/* Closed by the client first: a TIME-WAIT mini-socket, no inode, timer 3. */
	r = by_ports(s, 5012, 5001);
	assert_int_equal(r->state, SKS_STATE_TIME_WAIT);
	assert_int_equal(r->inode, 0);
	assert_int_equal(r->inet.timer, 3);
	assert_true(r->inet.expires_ms > 0 && r->inet.expires_ms <= 60000);
	assert_null(r->mem);
	assert_null(r->tcp);
	assert_int_equal(r->shutdown, 0);

	/* Accepted by nobody yet: a full socket without a file, so no inode. */
	r = by_ports(s, 5001, 5013);
	assert_int_equal(r->inode, 0);
	assert_int_equal(r->state, SKS_STATE_ESTABLISHED);

	for (size_t i = 0; i < s->n; i++)
		for (size_t j = i + 1; j < s->n; j++)
			assert_true(s->recs[i].cookie != s->recs[j].cookie);
	sks_snapshot_free(s);
}

static void test_tcp_details_off(void **state)
{
	struct sks_snapshot *s = snap(0);
	struct sks_diag_dump d;

	(void)state;
	/* Attributes present but not asked for are not kept. */
	assert_int_equal(parse_file(s, "tcp4.bin", SKS_PROTO_TCP, SKS_TABLE_TCP, &d), 0);
	for (size_t i = 0; i < s->n; i++) {
		assert_null(s->recs[i].mem);
		assert_null(s->recs[i].tcp);
		assert_int_equal(s->recs[i].has, 0);
	}
	sks_snapshot_free(s);

	/* The plain request got no memory or tcp_info at all. */
	s = snap(ALL_DETAILS);
	assert_int_equal(parse_file(s, "tcp4_plain.bin", SKS_PROTO_TCP, SKS_TABLE_TCP, &d), 0);
	assert_int_equal(s->n, 6);
	for (size_t i = 0; i < s->n; i++) {
		assert_null(s->recs[i].mem);
		assert_null(s->recs[i].tcp);
		assert_int_equal(s->recs[i].has, SKS_DETAIL_EXTENDED);
	}
	assert_int_equal(by_inode(s, ino("tcp4_listen"))->state, SKS_STATE_LISTEN);
	sks_snapshot_free(s);
}

static void test_tcp6(void **state)
{
	struct sks_snapshot *s = snap(ALL_DETAILS);
	const struct sks_record *r;
	struct sks_diag_dump d;

	(void)state;
	assert_int_equal(parse_file(s, "tcp6.bin", SKS_PROTO_TCP, SKS_TABLE_TCP, &d), 0);
	assert_true(d.done);
	assert_int_equal(s->n, 4);

	r = by_inode(s, ino("tcp6_listen"));
	assert_int_equal(r->family, AF_INET6);
	assert_int_equal(r->state, SKS_STATE_LISTEN);
	assert_ep6(&r->inet.local, "::1", 5002);
	assert_ep6(&r->inet.peer, "::", 0);
	assert_int_equal(r->inet.v6only, 1);
	assert_int_equal(r->wqueue, 16);

	r = by_inode(s, ino("tcp6_any"));
	assert_ep6(&r->inet.local, "::", 5003);
	assert_int_equal(r->inet.v6only, 0); /* dual-stack */
	assert_int_equal(r->wqueue, 4);

	r = by_inode(s, ino("tcp6_cli"));
	assert_int_equal(r->state, SKS_STATE_ESTABLISHED);
	assert_ep6(&r->inet.local, "::1", 5014);
	assert_ep6(&r->inet.peer, "::1", 5002);
	assert_int_equal(r->inet.v6only, -1); /* the kernel says only for LISTEN and CLOSE */

	r = by_inode(s, ino("tcp6_srv"));
	assert_ep6(&r->inet.peer, "::1", 5014);
	sks_snapshot_free(s);
}

static void test_udp(void **state)
{
	struct sks_snapshot *s = snap(ALL_DETAILS);
	const struct sks_record *r;
	struct sks_diag_dump d;

	(void)state;
	assert_int_equal(parse_file(s, "udp4.bin", SKS_PROTO_UDP, SKS_TABLE_UDP, &d), 0);
	assert_int_equal(s->n, 2);
	r = by_inode(s, ino("udp4"));
	assert_int_equal(r->proto, SKS_PROTO_UDP);
	assert_int_equal(r->type, SOCK_DGRAM);
	assert_int_equal(r->state, SKS_STATE_CLOSE);
	assert_int_equal(r->inet.protocol, IPPROTO_UDP);
	assert_ep4(&r->inet.local, "127.0.0.1", 5004);
	assert_true(r->rqueue > 0); /* one unread datagram */
	assert_non_null(r->mem);
	assert_null(r->tcp);
	r = by_inode(s, ino("udp4_conn"));
	assert_int_equal(r->state, SKS_STATE_ESTABLISHED);
	assert_ep4(&r->inet.peer, "127.0.0.1", 5004);

	assert_int_equal(parse_file(s, "udp6.bin", SKS_PROTO_UDP, SKS_TABLE_UDP, &d), 0);
	assert_int_equal(s->n, 3);
	r = by_inode(s, ino("udp6"));
	assert_int_equal(r->family, AF_INET6);
	assert_ep6(&r->inet.local, "::1", 5006);
	assert_int_equal(r->inet.v6only, 1); /* bound to a v6 address */
	sks_snapshot_free(s);
}

/* The recording kernel has no CONFIG_INET_RAW_DIAG: the dump ends in DONE with -ENOENT. */
static void test_raw_unsupported(void **state)
{
	struct sks_snapshot *s = snap(0);
	struct sks_diag_dump d;

	(void)state;
	assert_int_equal(parse_file(s, "raw4.bin", SKS_PROTO_RAW, SKS_TABLE_RAW, &d), 0);
	assert_true(d.done);
	assert_int_equal(d.error, -ENOENT);
	assert_int_equal(s->n, 0);
	assert_int_equal(parse_file(s, "raw6.bin", SKS_PROTO_RAW, SKS_TABLE_RAW, &d), 0);
	assert_int_equal(d.error, -ENOENT);
	sks_snapshot_free(s);
}

/* Raw records as raw_diag sends them (built by hand, see above). */
static void test_raw_records(void **state)
{
	struct sks_snapshot *s = snap(0);
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct inet_diag_msg *dm;
	struct nlmsghdr *nlh;
	struct sks_diag_dump d;

	(void)state;
	dm = put_inet(m, &nlh, AF_INET, SKS_STATE_CLOSE);
	dm->id.idiag_sport = htons(IPPROTO_ICMP); /* a raw socket's "port" is its protocol */
	dm->id.idiag_src[0] = htonl(INADDR_LOOPBACK);
	mnl_attr_put_u8(nlh, INET_DIAG_PROTOCOL, IPPROTO_ICMP);
	msg_end(m, nlh);
	dm = put_inet(m, &nlh, AF_INET6, SKS_STATE_CLOSE);
	dm->idiag_inode = 4243;
	dm->id.idiag_sport = htons(IPPROTO_ICMPV6);
	dm->id.idiag_if = 7;
	((uint8_t *)dm->id.idiag_src)[0] = 0xfe; /* fe80::1: scoped */
	((uint8_t *)dm->id.idiag_src)[1] = 0x80;
	((uint8_t *)dm->id.idiag_src)[15] = 1;
	mnl_attr_put_u8(nlh, INET_DIAG_PROTOCOL, IPPROTO_ICMPV6);
	msg_end(m, nlh);
	put_done(m, 0);

	assert_int_equal(parse_msgs(s, m, SKS_PROTO_RAW, &d), 0);
	assert_true(d.done);
	assert_int_equal(s->n, 2);
	assert_int_equal(s->recs[0].proto, SKS_PROTO_RAW);
	assert_int_equal(s->recs[0].type, SOCK_RAW);
	assert_int_equal(s->recs[0].inet.protocol, IPPROTO_ICMP);
	assert_ep4(&s->recs[0].inet.local, "127.0.0.1", IPPROTO_ICMP);
	assert_int_equal(s->recs[1].family, AF_INET6);
	assert_int_equal(s->recs[1].inet.protocol, IPPROTO_ICMPV6);
	assert_int_equal(s->recs[1].ifindex, 7);
	assert_int_equal(s->recs[1].inet.local.scope_id, 7);
	assert_int_equal(s->recs[1].inet.peer.scope_id, 0);
	sks_snapshot_free(s);
	free(m);
}

static void test_unix(void **state)
{
	static const char abs_name[] = "sks-abs\0tail";
	struct sks_snapshot *s = snap(ALL_DETAILS);
	const struct sks_record *r, *cli, *acc;
	struct sks_diag_dump d;

	(void)state;
	assert_int_equal(parse_file(s, "unix.bin", SKS_PROTO_UNIX, SKS_TABLE_UNIX, &d), 0);
	assert_true(d.done);
	assert_int_equal(s->stats.received, 9);
	assert_int_equal(s->n, 9);

	r = by_inode(s, ino("ustr_listen"));
	assert_int_equal(r->proto, SKS_PROTO_UNIX);
	assert_int_equal(r->family, AF_UNIX);
	assert_int_equal(r->type, SOCK_STREAM);
	assert_int_equal(r->state, SKS_STATE_LISTEN);
	assert_int_equal(r->unx.path_len, 8);
	assert_memory_equal(r->unx.path, "sks\nsock", 9); /* NUL-terminated copy */
	assert_false(r->unx.abstract);
	assert_int_equal(r->unx.peer_inode, 0);
	assert_int_equal(r->wqueue, 4); /* listen(fd, 4) */
	assert_int_equal(r->shutdown, 1);
	assert_true(r->cookie != 0);
	assert_non_null(r->mem);

	cli = by_inode(s, ino("ustr_cli"));
	acc = by_inode(s, ino("ustr_acc"));
	assert_int_equal(cli->state, SKS_STATE_ESTABLISHED);
	assert_null(cli->unx.path);
	assert_int_equal(cli->unx.peer_inode, acc->inode);
	assert_int_equal(acc->unx.peer_inode, cli->inode);
	assert_int_equal(acc->unx.path_len, 8); /* accepted sockets carry the listener's name */
	assert_int_equal(acc->rqueue, 5);

	r = by_inode(s, ino("uabs_listen"));
	assert_true(r->unx.abstract);
	assert_int_equal(r->unx.path_len, sizeof(abs_name) - 1);
	assert_memory_equal(r->unx.path, abs_name, sizeof(abs_name));

	r = by_inode(s, ino("useq_a"));
	assert_int_equal(r->type, SOCK_SEQPACKET);
	assert_int_equal(r->unx.peer_inode, ino("useq_b"));
	assert_int_equal(by_inode(s, ino("useq_b"))->unx.peer_inode, ino("useq_a"));

	r = by_inode(s, ino("udgr_bound"));
	assert_int_equal(r->type, SOCK_DGRAM);
	assert_int_equal(r->state, SKS_STATE_CLOSE);
	assert_int_equal(r->unx.path_len, 10);
	assert_string_equal(r->unx.path, "dgram.sock");

	r = by_inode(s, ino("udgr_unbound"));
	assert_null(r->unx.path);
	assert_int_equal(r->unx.path_len, 0);

	r = by_inode(s, ino("udgr_auto"));
	assert_true(r->unx.abstract);
	assert_int_equal(r->unx.path_len, 5); /* autobind: five hex digits */
	for (unsigned i = 0; i < 5; i++)
		assert_non_null(strchr("0123456789abcdef", r->unx.path[i]));
	sks_snapshot_free(s);
}

static void test_unix_tables(void **state)
{
	struct sks_snapshot *s = snap(0);
	struct sks_diag_dump d;

	(void)state;
	/* One dump answers every UNIX type; only the tables asked for are kept. */
	assert_int_equal(parse_file(s, "unix.bin", SKS_PROTO_UNIX, SKS_TABLE_UNIX_DGRAM, &d), 0);
	assert_int_equal(s->stats.received, 9);
	assert_int_equal(s->n, 3);
	for (size_t i = 0; i < s->n; i++)
		assert_int_equal(s->recs[i].type, SOCK_DGRAM);
	assert_null(s->recs[0].mem);
	sks_snapshot_free(s);
}

static void test_packet(void **state)
{
	struct sks_snapshot *s = snap(ALL_DETAILS);
	const struct sks_record *r;
	struct sks_diag_dump d;

	(void)state;
	assert_int_equal(parse_file(s, "packet.bin", SKS_PROTO_PACKET, SKS_TABLE_PACKET, &d), 0);
	assert_true(d.done);
	assert_int_equal(s->n, 2);
	r = by_inode(s, ino("pkt_raw"));
	assert_int_equal(r->proto, SKS_PROTO_PACKET);
	assert_int_equal(r->family, AF_PACKET);
	assert_int_equal(r->type, SOCK_RAW);
	assert_int_equal(r->state, SKS_STATE_CLOSE);
	assert_int_equal(r->packet.protocol, 3); /* ETH_P_ALL, host order */
	assert_int_equal(r->packet.ifindex, entry("pkt_raw")->extra);
	assert_non_null(r->mem);
	r = by_inode(s, ino("pkt_dgr"));
	assert_int_equal(r->type, SOCK_DGRAM);
	assert_int_equal(r->packet.protocol, 0x0800);
	assert_int_equal(r->packet.ifindex, 0);
	sks_snapshot_free(s);

	s = snap(0);
	assert_int_equal(parse_file(s, "packet.bin", SKS_PROTO_PACKET, SKS_TABLE_PACKET_DGRAM, &d),
			 0);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->recs[0].inode, ino("pkt_dgr"));
	assert_null(s->recs[0].mem);
	sks_snapshot_free(s);
}

static void test_netlink(void **state)
{
	struct sks_snapshot *s = snap(0);
	const struct sks_record *r;
	struct sks_diag_dump d;
	bool diag_seen = false;

	(void)state;
	assert_int_equal(parse_file(s, "netlink.bin", SKS_PROTO_NETLINK, SKS_TABLE_NETLINK, &d), 0);
	assert_true(d.done);
	assert_int_equal(s->stats.received, 11);
	/* The kernel lists the multicast member nl_route twice. */
	assert_int_equal(s->n, 11);
	assert_int_equal(sks_diag_dedup(s, 0), 1);
	assert_int_equal(s->n, 10);
	assert_int_equal(s->stats.records, 10);

	r = by_inode(s, ino("nl_route"));
	assert_int_equal(r->proto, SKS_PROTO_NETLINK);
	assert_int_equal(r->family, AF_NETLINK);
	assert_int_equal(r->type, SOCK_RAW);
	assert_int_equal(r->state, SKS_STATE_CLOSE);
	assert_int_equal(r->netlink.protocol, NETLINK_ROUTE);
	assert_int_equal(r->netlink.portid, entry("nl_route")->extra);
	assert_int_equal(r->netlink.groups, 0x11); /* RTMGRP_LINK | RTMGRP_IPV4_IFADDR */
	assert_int_equal(r->netlink.dst_portid, 0);
	for (size_t i = 0; i < s->n; i++) {
		r = &s->recs[i];
		/* The recorder's own sock_diag socket, still holding the reply. */
		if (r->netlink.protocol == NETLINK_SOCK_DIAG && r->netlink.portid) {
			diag_seen = true;
			assert_true(r->rqueue > 0);
		}
	}
	assert_true(diag_seen);
	sks_snapshot_free(s);
}

static void test_state_recheck(void **state)
{
	struct sks_snapshot *s = snap(0);
	struct sks_diag_dump d;

	(void)state;
	s->states = 1u << SKS_STATE_LISTEN;
	assert_int_equal(parse_file(s, "tcp4.bin", SKS_PROTO_TCP, SKS_TABLE_TCP, &d), 0);
	assert_int_equal(s->stats.received, 6);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->recs[0].inode, ino("tcp4_listen"));

	assert_int_equal(parse_file(s, "unix.bin", SKS_PROTO_UNIX, SKS_TABLE_UNIX, &d), 0);
	assert_int_equal(s->n, 3);
	assert_int_equal(s->recs[1].state, SKS_STATE_LISTEN);
	assert_int_equal(s->recs[2].state, SKS_STATE_LISTEN);

	/* Packet and netlink sockets are all CLOSE. */
	assert_int_equal(parse_file(s, "packet.bin", SKS_PROTO_PACKET, SKS_TABLE_PACKET, &d), 0);
	assert_int_equal(parse_file(s, "netlink.bin", SKS_PROTO_NETLINK, SKS_TABLE_NETLINK, &d), 0);
	assert_int_equal(s->n, 3);
	assert_int_equal(s->stats.received, 6 + 9 + 2 + 11);
	sks_snapshot_free(s);
}

static void test_family_recheck(void **state)
{
	struct sks_snapshot *s = snap(0);
	struct sks_diag_dump d;

	(void)state;
	s->families = SKS_INET6;
	assert_int_equal(parse_file(s, "tcp4.bin", SKS_PROTO_TCP, SKS_TABLE_TCP, &d), 0);
	assert_int_equal(s->stats.received, 6);
	assert_int_equal(s->n, 0);
	assert_int_equal(parse_file(s, "tcp6.bin", SKS_PROTO_TCP, SKS_TABLE_TCP, &d), 0);
	assert_int_equal(s->n, 4);
	sks_snapshot_free(s);
}

/* Offset of the end of the first n messages of a buffer. */
static size_t msg_boundary(const struct blob *b, unsigned n)
{
	const struct nlmsghdr *nlh = b->data;
	int left = (int)b->len;

	while (n-- && mnl_nlmsg_ok(nlh, left))
		nlh = mnl_nlmsg_next(nlh, &left);
	return b->len - (size_t)left;
}

static void test_split_buffers(void **state)
{
	struct blob b = load("unix.bin");
	struct sks_snapshot *s = snap(0);
	struct sks_diag_dump d = { .proto = SKS_PROTO_UNIX, .tables = SKS_TABLE_UNIX };
	size_t cut = msg_boundary(&b, 4);

	(void)state;
	/* A dump arrives in several reads; each holds whole messages. */
	assert_int_equal(sks_diag_parse(s, b.data, cut, &d), 0);
	assert_false(d.done);
	assert_int_equal(s->n, 4);
	assert_int_equal(sks_diag_parse(s, (char *)b.data + cut, b.len - cut, &d), 0);
	assert_true(d.done);
	assert_int_equal(s->n, 9);
	sks_snapshot_free(s);
	free(b.data);
}

static void test_truncated(void **state)
{
	static const struct {
		const char *file;
		uint8_t proto;
	} files[] = {
		{ "tcp4.bin", SKS_PROTO_TCP },	     { "tcp6.bin", SKS_PROTO_TCP },
		{ "udp4.bin", SKS_PROTO_UDP },	     { "unix.bin", SKS_PROTO_UNIX },
		{ "packet.bin", SKS_PROTO_PACKET }, { "netlink.bin", SKS_PROTO_NETLINK },
	};

	(void)state;
	for (size_t f = 0; f < SKS_ARRAY_SIZE(files); f++) {
		struct blob b = load(files[f].file);

		/* Every prefix: whole messages parse, a cut one is -EBADMSG, never more. */
		for (size_t len = 0; len < b.len; len++) {
			struct sks_snapshot *s = snap(ALL_DETAILS);
			struct sks_diag_dump d = { .proto = files[f].proto };
			void *copy = malloc(len ? len : 1);
			int r;

			d.tables = SKS_TABLE_ALL;
			memcpy(copy, b.data, len);
			r = sks_diag_parse(s, copy, len, &d);
			if (r != 0 && r != -EBADMSG)
				fail_msg("%s cut at %zu: %d", files[f].file, len, r);
			assert_false(d.done);
			sks_snapshot_free(s);
			free(copy);
		}
		free(b.data);
	}
}

static void test_bad_lengths(void **state)
{
	struct blob b = load("tcp4.bin");
	struct sks_snapshot *s = snap(ALL_DETAILS);
	struct sks_diag_dump d = { .proto = SKS_PROTO_TCP, .tables = SKS_TABLE_ALL };
	struct nlmsghdr *nlh = b.data;
	uint32_t len = nlh->nlmsg_len;

	(void)state;
	/* A message longer than the buffer. */
	nlh->nlmsg_len = (uint32_t)b.len + 4;
	assert_int_equal(sks_diag_parse(s, b.data, b.len, &d), -EBADMSG);
	/* A record shorter than struct inet_diag_msg. */
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 8;
	assert_int_equal(sks_diag_parse(s, b.data, nlh->nlmsg_len, &d), -EBADMSG);
	/* A length past 2 GiB, which libmnl's (int) comparison lets through. */
	nlh->nlmsg_len = 0x9407007c;
	assert_int_equal(sks_diag_parse(s, b.data, b.len, &d), -EBADMSG);
	/* A message shorter than its own header. */
	nlh->nlmsg_len = 8;
	assert_int_equal(sks_diag_parse(s, b.data, b.len, &d), -EBADMSG);
	nlh->nlmsg_len = len;
	assert_int_equal(s->n, 0);
	assert_int_equal(sks_diag_parse(s, b.data, b.len, &d), 0);
	assert_int_equal(s->n, 6);
	/* Misaligned buffers are refused rather than read unaligned. */
	assert_int_equal(sks_diag_parse(s, (char *)b.data + 1, b.len - 1, &d), -EINVAL);
	sks_snapshot_free(s);
	free(b.data);
}

static void test_bad_attributes(void **state)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct sks_snapshot *s = snap(ALL_DETAILS);
	struct nlmsghdr *nlh;
	struct nlattr *a;
	struct sks_diag_dump d;
	uint16_t two = 0;

	(void)state;
	/* An attribute whose length runs past its message: the record is dropped. */
	put_inet(m, &nlh, AF_INET, SKS_STATE_LISTEN);
	a = (struct nlattr *)((char *)nlh + nlh->nlmsg_len);
	mnl_attr_put_u32(nlh, INET_DIAG_MARK, 7);
	a->nla_len = 64;
	msg_end(m, nlh);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_TCP, &d), -EBADMSG);
	assert_int_equal(s->n, 0);
	assert_int_equal(s->stats.received, 1);

	/* A trailing fragment too short for an attribute header. */
	m->len = 0;
	put_inet(m, &nlh, AF_INET, SKS_STATE_LISTEN);
	nlh->nlmsg_len += 4;
	msg_end(m, nlh);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_TCP, &d), -EBADMSG);

	/* A u8 attribute two bytes long. */
	m->len = 0;
	put_inet(m, &nlh, AF_INET, SKS_STATE_LISTEN);
	mnl_attr_put(nlh, INET_DIAG_SHUTDOWN, sizeof(two), &two);
	msg_end(m, nlh);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_TCP, &d), -EBADMSG);

	/* A u64 cgroup id of four bytes. */
	m->len = 0;
	put_inet(m, &nlh, AF_INET, SKS_STATE_LISTEN);
	mnl_attr_put_u32(nlh, INET_DIAG_CGROUP_ID, 1);
	msg_end(m, nlh);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_TCP, &d), -EBADMSG);
	assert_int_equal(s->n, 0);

	/* Short variable-size blocks (older kernels) are fine: the rest reads zero. */
	m->len = 0;
	put_inet(m, &nlh, AF_INET, SKS_STATE_ESTABLISHED);
	{
		uint32_t mem[2] = { 11, 22 };
		uint8_t ti[12] = { 1, 2, 3, 4, 5, 6, 0x98, 0, 0x10, 0x27, 0, 0 };

		mnl_attr_put(nlh, INET_DIAG_SKMEMINFO, sizeof(mem), mem);
		mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), ti);
		mnl_attr_put_strz(nlh, INET_DIAG_CONG, "a-very-long-congestion-name");
		mnl_attr_put_u32(nlh, 200, 0); /* unknown: ignored */
	}
	msg_end(m, nlh);
	put_done(m, 0);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_TCP, &d), 0);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->recs[0].mem->rmem_alloc, 11);
	assert_int_equal(s->recs[0].mem->rcvbuf, 22);
	assert_int_equal(s->recs[0].mem->drops, 0);
	assert_int_equal(s->recs[0].tcp->ca_state, 2);
	assert_int_equal(s->recs[0].tcp->options, 6);
	assert_int_equal(s->recs[0].tcp->snd_wscale, 8);
	assert_int_equal(s->recs[0].tcp->rcv_wscale, 9);
	assert_int_equal(s->recs[0].tcp->rto, 10000);
	assert_int_equal(s->recs[0].tcp->ato, 0);
	assert_string_equal(s->recs[0].tcp->cong, "a-very-long-con"); /* 15 bytes kept */

	/* UNIX_DIAG_RQLEN must be exactly two u32s. */
	m->len = 0;
	nlh = msg_put(m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI);
	{
		struct unix_diag_msg *um = mnl_nlmsg_put_extra_header(nlh, sizeof(*um));

		um->udiag_family = AF_UNIX;
		um->udiag_type = SOCK_STREAM;
		um->udiag_state = SKS_STATE_ESTABLISHED;
		mnl_attr_put_u32(nlh, UNIX_DIAG_RQLEN, 5);
	}
	msg_end(m, nlh);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_UNIX, &d), -EBADMSG);
	assert_int_equal(s->n, 1);

	/* A record of the wrong family for the dump is malformed. */
	m->len = 0;
	put_inet(m, &nlh, AF_UNIX, SKS_STATE_LISTEN);
	msg_end(m, nlh);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_TCP, &d), -EBADMSG);
	sks_snapshot_free(s);
	free(m);
}

static void test_nlmsg_error(void **state)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct sks_snapshot *s = snap(0);
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	struct sks_diag_dump d;

	(void)state;
	nlh = msg_put(m, NLMSG_ERROR, 0);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EPERM;
	msg_end(m, nlh);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_UNIX, &d), 0);
	assert_true(d.done);
	assert_int_equal(d.error, -EPERM);

	/* An ACK (error 0) ends without an error. */
	e->error = 0;
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_UNIX, &d), 0);
	assert_true(d.done);
	assert_int_equal(d.error, 0);

	/* A positive error is nonsense. */
	e->error = 5;
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_UNIX, &d), -EPROTO);

	/* Too short to hold the error. */
	m->len = 0;
	nlh = msg_put(m, NLMSG_ERROR, 0);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
	msg_end(m, nlh);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_UNIX, &d), -EBADMSG);

	/* NLMSG_DONE carries the dump's error; without a payload it is fine. */
	m->len = 0;
	put_done(m, -ENOMEM);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_TCP, &d), 0);
	assert_int_equal(d.error, -ENOMEM);
	m->len = 0;
	nlh = msg_put(m, NLMSG_DONE, 0);
	msg_end(m, nlh);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_TCP, &d), 0);
	assert_true(d.done);
	assert_int_equal(d.error, 0);

	/* Messages after the end are ignored; unknown types are refused. */
	put_done(m, -EIO);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_TCP, &d), 0);
	assert_int_equal(d.error, 0);
	m->len = 0;
	nlh = msg_put(m, 99, 0);
	msg_end(m, nlh);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_TCP, &d), -EPROTO);
	/* NOOP is skipped. */
	m->len = 0;
	nlh = msg_put(m, NLMSG_NOOP, 0);
	msg_end(m, nlh);
	assert_int_equal(parse_msgs(s, m, SKS_PROTO_TCP, &d), 0);
	assert_false(d.done);
	sks_snapshot_free(s);
	free(m);
}

static void test_dump_intr(void **state)
{
	struct blob b = load("tcp4.bin");
	struct sks_snapshot *s = snap(0);
	struct sks_diag_dump d = { .proto = SKS_PROTO_TCP, .tables = SKS_TABLE_TCP };
	struct nlmsghdr *nlh = b.data;

	(void)state;
	/* The parser flags it and reads on, so the caller can drain and redo the dump. */
	nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
	assert_int_equal(sks_diag_parse(s, b.data, b.len, &d), 0);
	assert_true(d.intr);
	assert_true(d.done);
	assert_int_equal(s->n, 6);
	sks_snapshot_free(s);
	free(b.data);
}

static void test_seq_portid(void **state)
{
	struct blob b = load("tcp4.bin");
	struct sks_snapshot *s = snap(0);
	const struct nlmsghdr *nlh = b.data;
	struct sks_diag_dump d = { .proto = SKS_PROTO_TCP, .tables = SKS_TABLE_TCP };

	(void)state;
	d.seq = nlh->nlmsg_seq + 1;
	assert_int_equal(sks_diag_parse(s, b.data, b.len, &d), -EPROTO);
	d.seq = nlh->nlmsg_seq;
	d.portid = nlh->nlmsg_pid + 1;
	assert_int_equal(sks_diag_parse(s, b.data, b.len, &d), -EPROTO);
	d.portid = nlh->nlmsg_pid;
	assert_int_equal(sks_diag_parse(s, b.data, b.len, &d), 0);
	assert_int_equal(s->n, 6);
	sks_snapshot_free(s);
	free(b.data);
}

static void test_dedup(void **state)
{
	static const uint64_t cookies[] = { 5, 7, 5, 0, 0, 7, 9, 5 };
	static const uint64_t left[] = { 1, 5, 7, 0, 0, 9 };
	struct sks_snapshot *s = snap(0);
	struct sks_record *r;

	(void)state;
	r = sks_snap_add(s);
	r->cookie = 1; /* before start: never touched */
	r = sks_snap_add(s);
	r->cookie = 1;
	for (size_t i = 0; i < SKS_ARRAY_SIZE(cookies); i++) {
		r = sks_snap_add(s);
		r->cookie = cookies[i];
		r->inode = i;
	}
	assert_int_equal(sks_diag_dedup(s, 1), 3);
	assert_int_equal(s->n, 1 + SKS_ARRAY_SIZE(left));
	assert_int_equal(s->recs[0].cookie, 1);
	for (size_t i = 0; i < SKS_ARRAY_SIZE(left); i++)
		assert_int_equal(s->recs[1 + i].cookie, left[i]);
	assert_int_equal(s->recs[2].inode, 0); /* the first of each cookie is kept */
	assert_int_equal(s->recs[3].inode, 1);
	sks_snapshot_free(s);
}

static void test_request(void **state)
{
	union {
		char bytes[SKS_DIAG_REQ_MAX];
		struct nlmsghdr align;
	} u = { { 0 } };
	char *buf = u.bytes;
	struct sks_diag_req req = { .proto = SKS_PROTO_TCP, .family = AF_INET6 };
	const struct nlmsghdr *nlh = &u.align;
	const struct inet_diag_req_v2 *ir = mnl_nlmsg_get_payload(nlh);
	const struct unix_diag_req *ur = mnl_nlmsg_get_payload(nlh);
	const struct packet_diag_req *pr = mnl_nlmsg_get_payload(nlh);
	const struct netlink_diag_req *nr = mnl_nlmsg_get_payload(nlh);

	(void)state;
	req.states = SKS_STATES_ALL;
	assert_int_equal(sks_diag_request(buf, sizeof(u.bytes), &req, 77),
			 MNL_NLMSG_HDRLEN + sizeof(*ir));
	assert_int_equal(nlh->nlmsg_type, SOCK_DIAG_BY_FAMILY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(nlh->nlmsg_seq, 77);
	assert_int_equal(ir->sdiag_family, AF_INET6);
	assert_int_equal(ir->sdiag_protocol, IPPROTO_TCP);
	assert_int_equal(ir->idiag_ext, 0);
	assert_int_equal(ir->idiag_states, SKS_STATES_ALL);
	assert_int_equal(ir->idiag_states & (1u << SKS_STATE_BOUND_INACTIVE), 0);

	req.states |= 1u << SKS_STATE_BOUND_INACTIVE;
	req.details = SKS_DETAIL_TCPINFO | SKS_DETAIL_MEMINFO;
	sks_diag_request(buf, sizeof(u.bytes), &req, 1);
	assert_true(ir->idiag_states & (1u << SKS_STATE_BOUND_INACTIVE));
	assert_int_equal(ir->idiag_ext, (1u << (INET_DIAG_INFO - 1)) |
						(1u << (INET_DIAG_CONG - 1)) |
						(1u << (INET_DIAG_SKMEMINFO - 1)));

	req.proto = SKS_PROTO_RAW;
	req.family = AF_INET;
	sks_diag_request(buf, sizeof(u.bytes), &req, 1);
	assert_int_equal(ir->sdiag_protocol, IPPROTO_RAW);
	req.proto = SKS_PROTO_UDP;
	sks_diag_request(buf, sizeof(u.bytes), &req, 1);
	assert_int_equal(ir->sdiag_protocol, IPPROTO_UDP);

	req.proto = SKS_PROTO_UNIX;
	req.states = 1u << SKS_STATE_LISTEN;
	assert_int_equal(sks_diag_request(buf, sizeof(u.bytes), &req, 1),
			 MNL_NLMSG_HDRLEN + sizeof(*ur));
	assert_int_equal(ur->sdiag_family, AF_UNIX);
	assert_int_equal(ur->udiag_states, 1u << SKS_STATE_LISTEN);
	assert_int_equal(ur->udiag_show, UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN |
						 UDIAG_SHOW_UID | UDIAG_SHOW_MEMINFO);

	req.proto = SKS_PROTO_PACKET;
	sks_diag_request(buf, sizeof(u.bytes), &req, 1);
	assert_int_equal(pr->sdiag_family, AF_PACKET);
	assert_int_equal(pr->pdiag_show, PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO);

	req.proto = SKS_PROTO_NETLINK;
	sks_diag_request(buf, sizeof(u.bytes), &req, 1);
	assert_int_equal(nr->sdiag_family, AF_NETLINK);
	assert_int_equal(nr->sdiag_protocol, NDIAG_PROTO_ALL);
	assert_int_equal(nr->ndiag_show, NDIAG_SHOW_GROUPS | NDIAG_SHOW_MEMINFO);

	req.proto = SKS_PROTO_COUNT;
	assert_int_equal(sks_diag_request(buf, sizeof(u.bytes), &req, 1), 0);
	req.proto = SKS_PROTO_TCP;
	assert_int_equal(sks_diag_request(buf, SKS_DIAG_REQ_MAX - 1, &req, 1), 0);
}


/* ------------------------------------------- the I/O loop, over a fake kernel */

/* Answers each request with the recorded dump for it, a few messages per read. */
struct fake {
	int intr[SKS_PROTO_COUNT][2];  /* mark this many answers NLM_F_DUMP_INTR */
	int error[SKS_PROTO_COUNT][2]; /* answer NLMSG_ERROR with this */
	int recv_error;
	unsigned requests;
	struct blob reply;
	size_t off;
	unsigned warnings;
};

static void fake_warn(void *userdata, enum sks_warn kind, int err, const char *msg)
{
	struct fake *f = userdata;

	assert_int_equal(kind, SKS_WARN_DUMP_INTR);
	assert_int_equal(err, EINTR);
	assert_non_null(strstr(msg, "tcp dump interrupted 4 times"));
	f->warnings++;
}

static int fake_send(void *userdata, const void *msg, size_t len)
{
	static const char *const inet_files[][2] = {
		[SKS_PROTO_TCP] = { "tcp4.bin", "tcp6.bin" },
		[SKS_PROTO_UDP] = { "udp4.bin", "udp6.bin" },
		[SKS_PROTO_RAW] = { "raw4.bin", "raw6.bin" },
	};
	struct fake *f = userdata;
	const struct nlmsghdr *req = msg;
	const uint8_t *p = mnl_nlmsg_get_payload(req);
	struct nlmsghdr *nlh;
	const char *file;
	uint8_t proto;
	int v6 = p[0] == AF_INET6, left;

	assert_int_equal(len, req->nlmsg_len);
	assert_int_equal(f->off, f->reply.len); /* the last dump was read to its end */
	f->requests++;
	switch (p[0]) {
	case AF_INET:
	case AF_INET6:
		proto = p[1] == IPPROTO_TCP ? SKS_PROTO_TCP
			: p[1] == IPPROTO_UDP ? SKS_PROTO_UDP
					      : SKS_PROTO_RAW;
		file = inet_files[proto][v6];
		break;
	case AF_UNIX:
		proto = SKS_PROTO_UNIX;
		file = "unix.bin";
		break;
	case AF_PACKET:
		proto = SKS_PROTO_PACKET;
		file = "packet.bin";
		break;
	default:
		assert_int_equal(p[0], AF_NETLINK);
		proto = SKS_PROTO_NETLINK;
		file = "netlink.bin";
	}
	free(f->reply.data);
	f->off = 0;
	if (f->error[proto][v6]) {
		struct nlmsgerr *e;

		f->reply.data = calloc(1, 64);
		nlh = mnl_nlmsg_put_header(f->reply.data);
		nlh->nlmsg_type = NLMSG_ERROR;
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
		e->error = f->error[proto][v6];
		f->reply.len = nlh->nlmsg_len;
	} else {
		f->reply = load(file);
	}
	nlh = f->reply.data;
	left = (int)f->reply.len;
	if (f->intr[proto][v6] > 0) {
		f->intr[proto][v6]--;
		nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
	}
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		nlh->nlmsg_seq = req->nlmsg_seq;
		nlh->nlmsg_pid = 4711;
	}
	return 0;
}

static ssize_t fake_recv(void *userdata, void *buf, size_t len)
{
	struct fake *f = userdata;
	const struct nlmsghdr *nlh = (const void *)((char *)f->reply.data + f->off);
	int left = (int)(f->reply.len - f->off);
	size_t n = 0;

	if (f->recv_error)
		return f->recv_error;
	assert_true(left > 0);
	/* Three messages per read, as the kernel splits a dump over skbs. */
	for (int i = 0; i < 3 && mnl_nlmsg_ok(nlh, left); i++) {
		n += MNL_ALIGN(nlh->nlmsg_len);
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	if (n > f->reply.len - f->off)
		n = f->reply.len - f->off;
	assert_true(n <= len);
	memcpy(buf, (char *)f->reply.data + f->off, n);
	f->off += n;
	return (ssize_t)n;
}

static int fake_collect(struct fake *f, struct sks_snapshot *s, uint32_t tables,
			uint32_t *done, uint32_t *unsupported)
{
	struct sks_diag_transport t = {
		.send = fake_send, .recv = fake_recv, .userdata = f, .portid = 4711,
	};
	int r;

	s->warn = fake_warn;
	s->warn_data = f;
	r = sks_diag_collect_with(s, &t, tables, done, unsupported);
	free(f->reply.data);
	f->reply.data = NULL;
	f->reply.len = f->off = 0;
	return r;
}

static void test_collect_all(void **state)
{
	struct sks_snapshot *s = snap(ALL_DETAILS);
	uint32_t done = 0, unsupported = 0;
	struct fake f = { 0 };

	(void)state;
	assert_int_equal(fake_collect(&f, s, SKS_TABLE_ALL, &done, &unsupported), 0);
	/* raw answers ENOENT in NLMSG_DONE for both families: unsupported, not an error. */
	assert_int_equal(done, SKS_TABLE_ALL & ~SKS_TABLE_RAW);
	assert_int_equal(unsupported, SKS_TABLE_RAW);
	assert_int_equal(f.requests, 9);
	assert_int_equal(s->stats.dumps, 9);
	assert_int_equal(s->stats.received, 6 + 4 + 2 + 1 + 9 + 2 + 11);
	assert_int_equal(s->n, 6 + 4 + 2 + 1 + 9 + 2 + 10); /* netlink's duplicate is gone */
	assert_int_equal(s->stats.records, s->n);
	assert_int_equal(f.warnings, 0);
	by_inode(s, ino("nl_route"));
	by_inode(s, ino("tcp6_any"));
	by_inode(s, ino("useq_b"));
	sks_snapshot_free(s);

	/* Only the families asked for; packet and netlink skipped when CLOSE is not wanted. */
	s = snap(0);
	s->families = SKS_INET4;
	s->states = 1u << SKS_STATE_ESTABLISHED;
	f.requests = 0;
	assert_int_equal(fake_collect(&f, s, SKS_TABLE_ALL, &done, &unsupported), 0);
	assert_int_equal(f.requests, 4); /* tcp4 udp4 raw4 unix */
	assert_int_equal(done, SKS_TABLE_ALL & ~SKS_TABLE_RAW);
	for (size_t i = 0; i < s->n; i++) {
		assert_int_equal(s->recs[i].state, SKS_STATE_ESTABLISHED);
		assert_true(s->recs[i].family == AF_INET || s->recs[i].family == AF_UNIX);
	}
	sks_snapshot_free(s);
}

static void test_collect_intr(void **state)
{
	struct sks_snapshot *s = snap(0);
	uint32_t done = 0, unsupported = 0;
	struct fake f = { 0 };

	(void)state;
	/* Interrupted once: the dump's records are dropped and it is redone. */
	f.intr[SKS_PROTO_TCP][0] = 1;
	assert_int_equal(fake_collect(&f, s, SKS_TABLE_TCP, &done, &unsupported), 0);
	assert_int_equal(done, SKS_TABLE_TCP);
	assert_int_equal(s->stats.dumps, 3);
	assert_int_equal(s->stats.dump_retries, 1);
	assert_int_equal(s->n, 10);
	assert_int_equal(f.warnings, 0);
	by_inode(s, ino("tcp4_listen"));
	sks_snapshot_free(s);

	/* Always interrupted: three retries, one warning, the last result kept. */
	s = snap(0);
	f.intr[SKS_PROTO_TCP][1] = 100;
	assert_int_equal(fake_collect(&f, s, SKS_TABLE_TCP, &done, &unsupported), 0);
	assert_int_equal(done, SKS_TABLE_TCP);
	assert_int_equal(s->stats.dumps, 1 + 4);
	assert_int_equal(s->stats.dump_retries, 3);
	assert_int_equal(f.warnings, 1);
	assert_int_equal(s->n, 10);
	by_inode(s, ino("tcp6_any"));
	sks_snapshot_free(s);
}

static void test_collect_errors(void **state)
{
	struct sks_snapshot *s = snap(0);
	uint32_t done = 0, unsupported = 0;
	struct fake f = { 0 };

	(void)state;
	/* No IPv6 in the kernel: the table is still done, with its v4 records. */
	f.error[SKS_PROTO_UDP][1] = -ENOENT;
	assert_int_equal(fake_collect(&f, s, SKS_TABLE_UDP, &done, &unsupported), 0);
	assert_int_equal(done, SKS_TABLE_UDP);
	assert_int_equal(unsupported, 0);
	assert_int_equal(s->n, 2);
	sks_snapshot_free(s);

	/* No family answers: unsupported, and the table keeps nothing. */
	s = snap(0);
	f.error[SKS_PROTO_UDP][0] = -EOPNOTSUPP;
	assert_int_equal(fake_collect(&f, s, SKS_TABLE_UDP | SKS_TABLE_TCP, &done, &unsupported),
			 0);
	assert_int_equal(done, SKS_TABLE_TCP);
	assert_int_equal(unsupported, SKS_TABLE_UDP);
	assert_int_equal(s->n, 10);
	sks_snapshot_free(s);

	s = snap(0);
	f.error[SKS_PROTO_UNIX][0] = -ENOENT;
	assert_int_equal(fake_collect(&f, s, SKS_TABLE_UNIX_STREAM, &done, &unsupported), 0);
	assert_int_equal(unsupported, SKS_TABLE_UNIX_STREAM);
	assert_int_equal(done, 0);

	/* Any other error fails the collection, outputs untouched. */
	done = unsupported = 77;
	f.error[SKS_PROTO_UNIX][0] = -EPERM;
	assert_int_equal(fake_collect(&f, s, SKS_TABLE_UNIX, &done, &unsupported), -EPERM);
	assert_int_equal(done, 77);
	assert_int_equal(unsupported, 77);
	f.recv_error = -ENOSPC;
	assert_int_equal(fake_collect(&f, s, SKS_TABLE_PACKET, &done, &unsupported), -ENOSPC);
	sks_snapshot_free(s);
}

/* ----------------------------------------------------------------- live */

static void test_live(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct sks_snapshot *s = snap(SKS_DETAIL_MEMINFO);
	uint32_t done = 0, unsupported = 0;
	const struct sks_record *r;
	int fd, pair[2], ret;
	struct stat st, pst;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 3), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
	assert_int_equal(fstat(pair[0], &pst), 0);

	s->states = SKS_STATES_ALL;
	s->families = SKS_INET4;
	ret = sks_diag_collect(s, SKS_TABLE_TCP | SKS_TABLE_UNIX_STREAM, &done, &unsupported);
	if (ret == -EPROTONOSUPPORT || ret == -EAFNOSUPPORT || ret == -EACCES) {
		close(fd);
		sks_snapshot_free(s);
		skip(); /* a sandbox without sock_diag */
	}
	assert_int_equal(ret, 0);
	assert_int_equal(done, SKS_TABLE_TCP | SKS_TABLE_UNIX_STREAM);
	assert_int_equal(unsupported, 0);
	assert_int_equal(s->stats.dumps, 2); /* tcp v4 only, unix */
	assert_int_equal(s->stats.dump_retries, 0);
	assert_true(s->stats.received >= s->n);

	r = by_inode(s, st.st_ino);
	assert_int_equal(r->proto, SKS_PROTO_TCP);
	assert_int_equal(r->state, SKS_STATE_LISTEN);
	assert_ep4(&r->inet.local, "127.0.0.1", ntohs(a.sin_port));
	assert_int_equal(r->wqueue, 3);
	assert_int_equal(r->uid, getuid());
	assert_non_null(r->mem);

	r = by_inode(s, pst.st_ino);
	assert_int_equal(r->proto, SKS_PROTO_UNIX);
	assert_int_equal(r->type, SOCK_STREAM);
	assert_int_equal(r->state, SKS_STATE_ESTABLISHED);
	assert_true(r->unx.peer_inode != 0);
	for (size_t i = 0; i < s->n; i++) {
		assert_true(s->recs[i].proto == SKS_PROTO_TCP || s->recs[i].type == SOCK_STREAM);
		assert_true(s->recs[i].proto != SKS_PROTO_TCP || s->recs[i].family == AF_INET);
	}
	sks_snapshot_free(s);

	/* Every table: each one either dumped or reported unsupported, never both. */
	s = snap(0);
	s->states = SKS_STATES_ALL;
	assert_int_equal(sks_diag_collect(s, SKS_TABLE_ALL, &done, &unsupported), 0);
	assert_int_equal(done | unsupported, SKS_TABLE_ALL);
	assert_int_equal(done & unsupported, 0);
	assert_true(done & SKS_TABLE_TCP);
	by_inode(s, st.st_ino);
	for (size_t i = 0; i < s->n; i++)
		assert_true(sks_record_table(&s->recs[i]) & done);
	sks_snapshot_free(s);

	/* States the request excludes never come back. */
	s = snap(0);
	s->states = 1u << SKS_STATE_ESTABLISHED;
	assert_int_equal(sks_diag_collect(s, SKS_TABLE_ALL, &done, &unsupported), 0);
	for (size_t i = 0; i < s->n; i++)
		assert_int_equal(s->recs[i].state, SKS_STATE_ESTABLISHED);
	by_inode(s, pst.st_ino);
	sks_snapshot_free(s);

	close(pair[0]);
	close(pair[1]);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4),
		cmocka_unit_test(test_tcp_details_off),
		cmocka_unit_test(test_tcp6),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_raw_unsupported),
		cmocka_unit_test(test_raw_records),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_unix_tables),
		cmocka_unit_test(test_packet),
		cmocka_unit_test(test_netlink),
		cmocka_unit_test(test_state_recheck),
		cmocka_unit_test(test_family_recheck),
		cmocka_unit_test(test_split_buffers),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_bad_attributes),
		cmocka_unit_test(test_nlmsg_error),
		cmocka_unit_test(test_dump_intr),
		cmocka_unit_test(test_seq_portid),
		cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_collect_all),
		cmocka_unit_test(test_collect_intr),
		cmocka_unit_test(test_collect_errors),
		cmocka_unit_test(test_live),
	};

	return cmocka_run_group_tests_name("diag", tests, load_manifest, NULL);
}
