// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hand-built snapshots for the view tests (see fixture.h): the records a
 * collector and the owner join would produce, including hostile names.
 */
#include "fixture.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must point at tests/data"
#endif

static void must(bool ok)
{
	if (!ok) {
		fprintf(stderr, "fixture: out of memory\n");
		abort();
	}
}

static const struct sks_process *proc(struct sks_snapshot *s, int pid, const char *name,
				      size_t name_len, const char *comm, const char *user)
{
	struct sks_process *p = sks_snap_alloc(s, sizeof(*p));

	must(p);
	p->pid = pid;
	p->uid = user && !strcmp(user, "root") ? 0 : 1000;
	p->start_time = 4242;
	p->name = sks_snap_memdup(s, name, name_len);
	p->name_len = (uint32_t)name_len;
	p->comm = sks_snap_memdup(s, comm, strlen(comm));
	p->comm_len = (uint32_t)strlen(comm);
	p->user = user ? sks_snap_memdup(s, user, strlen(user)) : NULL;
	must(p->name && p->comm);
	return p;
}

/* Give the last record n owners: (proc[i], fd[i]). */
static void own(struct sks_snapshot *s, size_t n, const struct sks_process *const *procs,
		const int32_t *fds, const int32_t *tids)
{
	struct sks_record *r = &s->recs[s->n - 1];
	struct sks_owner *o = sks_snap_alloc(s, n * sizeof(*o));
	size_t i;

	must(o);
	for (i = 0; i < n; i++) {
		o[i].proc = procs[i];
		o[i].fd = fds[i];
		o[i].tid = tids ? tids[i] : 0;
	}
	r->owners = o;
	r->n_owners = (uint32_t)n;
}

static struct sks_record *add(struct sks_snapshot *s, uint8_t proto, uint8_t family, uint8_t type,
			      uint8_t state, uint64_t inode)
{
	struct sks_record *r = sks_snap_add(s);

	must(r);
	r->proto = proto;
	r->family = family;
	r->type = type;
	r->state = state;
	r->inode = inode;
	return r;
}

static void ep(struct sks_endpoint *e, int af, const char *addr, uint16_t port)
{
	e->family = (uint8_t)af;
	must(inet_pton(af, addr, e->addr) == 1);
	e->port = port;
}

static void unix_name(struct sks_snapshot *s, struct sks_record *r, const char *path, size_t len,
		      bool abstract)
{
	r->unx.path = sks_snap_memdup(s, path, len);
	r->unx.path_len = (uint32_t)len;
	r->unx.abstract = abstract;
	must(r->unx.path);
}

static void add_inet(struct sks_snapshot *s)
{
	static const char evil[] = "ev il\")\n\x1b[2J\xff";
	const struct sks_process *sshd, *ng1, *ng2, *bad;
	struct sks_record *r;

	sshd = proc(s, 100, "sshd", 4, "sshd", "root");
	ng1 = proc(s, 200, "nginx", 5, "nginx", "www-data");
	ng2 = proc(s, 201, "nginx", 5, "nginx", "www-data");
	bad = proc(s, 300, evil, sizeof(evil) - 1, "ev il\")", NULL);

	r = add(s, SKS_PROTO_TCP, AF_INET, SOCK_STREAM, SKS_STATE_LISTEN, 1001);
	r->wqueue = 128;
	r->cookie = 0x1f;
	ep(&r->inet.local, AF_INET, "0.0.0.0", 22);
	ep(&r->inet.peer, AF_INET, "0.0.0.0", 0);
	r->inet.protocol = 6;
	r->inet.v6only = -1;
	own(s, 1, (const struct sks_process *[]){ sshd }, (const int32_t[]){ 3 }, NULL);

	r = add(s, SKS_PROTO_TCP, AF_INET6, SOCK_STREAM, SKS_STATE_LISTEN, 1002);
	r->wqueue = 511;
	ep(&r->inet.local, AF_INET6, "::", 80);
	ep(&r->inet.peer, AF_INET6, "::", 0);
	r->inet.v6only = 0;
	own(s, 2, (const struct sks_process *[]){ ng1, ng2 }, (const int32_t[]){ 6, 6 },
	    (const int32_t[]){ 0, 205 }); /* 201's fd sits in thread 205's private table */

	r = add(s, SKS_PROTO_TCP, AF_INET6, SOCK_STREAM, SKS_STATE_LISTEN, 1003);
	ep(&r->inet.local, AF_INET6, "::", 443);
	ep(&r->inet.peer, AF_INET6, "::", 0);
	r->inet.v6only = 1;
	r->no_owner = SKS_NO_OWNER_PERMISSION;

	r = add(s, SKS_PROTO_TCP, AF_INET, SOCK_STREAM, SKS_STATE_ESTABLISHED, 1004);
	r->rqueue = 100;
	r->uid = 1000;
	ep(&r->inet.local, AF_INET, "127.0.0.1", 35330);
	ep(&r->inet.peer, AF_INET, "127.0.0.1", 8080);
	r->inet.timer = 2;
	r->inet.expires_ms = 7140000;
	r->inet.v6only = -1;
	own(s, 1, (const struct sks_process *[]){ bad }, (const int32_t[]){ 7 }, NULL);

	r = add(s, SKS_PROTO_TCP, AF_INET, SOCK_STREAM, SKS_STATE_TIME_WAIT, 0);
	ep(&r->inet.local, AF_INET, "10.0.0.1", 443);
	ep(&r->inet.peer, AF_INET, "10.0.0.2", 51000);
	r->inet.timer = 3;
	r->inet.expires_ms = 59500;
	r->inet.v6only = -1;
	r->no_owner = SKS_NO_OWNER_KERNEL;

	r = add(s, SKS_PROTO_UDP, AF_INET6, SOCK_DGRAM, SKS_STATE_CLOSE, 1006);
	ep(&r->inet.local, AF_INET6, "::1", 53);
	ep(&r->inet.peer, AF_INET6, "::", 0);
	r->inet.v6only = 1;
	r->ifindex = 1; /* lo: index 1 in every network namespace */

	r = add(s, SKS_PROTO_RAW, AF_INET, SOCK_RAW, SKS_STATE_CLOSE, 1007);
	ep(&r->inet.local, AF_INET, "0.0.0.0", 1);
	ep(&r->inet.peer, AF_INET, "0.0.0.0", 0);
	r->inet.protocol = 1;
	r->inet.v6only = -1;
}

static void add_unix(struct sks_snapshot *s)
{
	static const char bidi[] = "daemon\xe2\x80\xae"; /* U+202E RIGHT-TO-LEFT OVERRIDE */
	const struct sks_process *d = proc(s, 400, bidi, sizeof(bidi) - 1, "daemon", "root");
	struct sks_record *r;

	r = add(s, SKS_PROTO_UNIX, AF_UNIX, SOCK_STREAM, SKS_STATE_LISTEN, 2001);
	r->wqueue = 4096;
	unix_name(s, r, "/run/a b\nc", 10, false);
	own(s, 1, (const struct sks_process *[]){ d }, (const int32_t[]){ 5 }, NULL);

	r = add(s, SKS_PROTO_UNIX, AF_UNIX, SOCK_STREAM, SKS_STATE_ESTABLISHED, 2002);
	r->unx.peer_inode = 2003;

	r = add(s, SKS_PROTO_UNIX, AF_UNIX, SOCK_DGRAM, SKS_STATE_CLOSE, 2004);
	unix_name(s, r, "evil\x1b[31m\0x", 11, true);

	r = add(s, SKS_PROTO_UNIX, AF_UNIX, SOCK_STREAM, SKS_STATE_LISTEN, 2005);
	unix_name(s, r, "@fake", 5, false);

	r = add(s, SKS_PROTO_UNIX, AF_UNIX, SOCK_SEQPACKET, SKS_STATE_LISTEN, 2006);
	unix_name(s, r, "*", 1, false);
}

static void add_packet(struct sks_snapshot *s)
{
	struct sks_record *r;

	r = add(s, SKS_PROTO_PACKET, AF_PACKET, SOCK_RAW, SKS_STATE_CLOSE, 3001);
	r->rqueue = 5200;
	r->packet.protocol = 3;

	r = add(s, SKS_PROTO_PACKET, AF_PACKET, SOCK_DGRAM, SKS_STATE_CLOSE, 3002);
	r->packet.protocol = 0x0800;
	r->packet.ifindex = 1;

	r = add(s, SKS_PROTO_PACKET, AF_PACKET, SOCK_DGRAM, SKS_STATE_CLOSE, 3003);
	r->packet.protocol = 0x88b5;
}

static void add_netlink(struct sks_snapshot *s)
{
	const struct sks_process *sshd = proc(s, 100, "/usr/sbin/sshd", 14, "sshd", "root");
	struct sks_record *r;

	r = add(s, SKS_PROTO_NETLINK, AF_NETLINK, SOCK_RAW, SKS_STATE_CLOSE, 4001);
	r->netlink.protocol = NETLINK_ROUTE;

	r = add(s, SKS_PROTO_NETLINK, AF_NETLINK, SOCK_RAW, SKS_STATE_CLOSE, 4002);
	r->netlink.protocol = NETLINK_ROUTE;
	r->netlink.portid = 100;
	r->netlink.groups = 0x51;
	own(s, 1, (const struct sks_process *[]){ sshd }, (const int32_t[]){ 4 }, NULL);

	r = add(s, SKS_PROTO_NETLINK, AF_NETLINK, SOCK_RAW, SKS_STATE_CLOSE, 4003);
	r->netlink.protocol = NETLINK_GENERIC;
	r->netlink.portid = (uint32_t)-4097;

	r = add(s, SKS_PROTO_NETLINK, AF_NETLINK, SOCK_DGRAM, SKS_STATE_ESTABLISHED, 4004);
	r->netlink.protocol = 31; /* no name */
	r->netlink.portid = 77;
	r->netlink.dst_group = 2;
	r->netlink.dst_portid = 0;
}

static void add_details(struct sks_snapshot *s)
{
	struct sks_meminfo *m = sks_snap_alloc(s, sizeof(*m));
	struct sks_tcpinfo *ti = sks_snap_alloc(s, sizeof(*ti));
	struct sks_record *r;

	must(m && ti);
	*m = (struct sks_meminfo){ 932, 131072, 0, 3939840, 3164, 0, 0, 0, 0 };
	*ti = (struct sks_tcpinfo){
		.options = 1 | 2 | 4, .snd_wscale = 7, .rcv_wscale = 10,
		.rto = 204000, .rtt = 31, .rttvar = 17, .ato = 40000,
		.snd_mss = 32768, .pmtu = 65535, .rcv_mss = 536, .advmss = 65483,
		.snd_cwnd = 10, .snd_ssthresh = 0x7fffffff, .reordering = 3,
		.bytes_sent = 100, .bytes_acked = 101, .segs_out = 3, .segs_in = 2,
		.data_segs_out = 1, .last_data_sent_ms = 924, .pacing_rate = 1000000,
		.delivery_rate = 2500, .delivered = 2, .delivery_rate_app_limited = 1,
		.retrans = 1, .total_retrans = 5, .rcv_space = 65495,
		.min_rtt = 12, .snd_wnd = 65536,
	};
	memcpy(ti->cong, "cubic", 6);

	r = add(s, SKS_PROTO_TCP, AF_INET6, SOCK_STREAM, SKS_STATE_ESTABLISHED, 5001);
	r->uid = 1000;
	r->cookie = 0xdeadbeef12345678ull;
	r->mark = 0x2a;
	r->cgroup_id = 7777;
	r->shutdown = 1 + 2; /* SEND_SHUTDOWN */
	r->has = SKS_DETAIL_MEMINFO | SKS_DETAIL_TCPINFO | SKS_DETAIL_EXTENDED;
	ep(&r->inet.local, AF_INET6, "fe80::1", 22);
	ep(&r->inet.peer, AF_INET6, "2001:db8::2", 50000);
	r->inet.peer.scope_id = 0;
	r->inet.v6only = 0;
	r->mem = m;
	r->tcp = ti;
}

struct sks_snapshot *fx_snapshot(unsigned which)
{
	struct sks_snapshot *s = sks_snap_new(NULL);

	must(s);
	if (which & FX_INET)
		add_inet(s);
	if (which & FX_UNIX)
		add_unix(s);
	if (which & FX_PACKET)
		add_packet(s);
	if (which & FX_NETLINK)
		add_netlink(s);
	if (which & FX_DETAILS)
		add_details(s);
	s->stats.received = s->n;
	s->stats.dumps = 9;
	s->stats.tables_netlink = SKS_TABLE_ALL & ~SKS_TABLE_UNIX_SEQPACKET;
	s->stats.tables_proc = SKS_TABLE_UNIX_SEQPACKET;
	return s;
}

char *fx_table(const struct sks_snapshot *snap, uint32_t flags, unsigned width)
{
	struct sks_view_opts opts = { .flags = flags, .width = width };
	struct sks_lookup lk;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(sks_lookup_init(&lk, flags, TEST_DATA_DIR "/view/services",
					 TEST_DATA_DIR "/view/protocols",
					 TEST_DATA_DIR "/view/port_range"),
			 0);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(sks_view_table_lookup(snap, &opts, f, &lk), 0);
	assert_int_equal(fclose(f), 0);
	sks_lookup_release(&lk);
	return text;
}

char *fx_json(const struct sks_snapshot *snap, uint32_t flags)
{
	struct sks_view_opts opts = { .flags = flags };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(sks_view_json(snap, &opts, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

void fx_assert_text(const char *got, const char *want, const char *file, int line)
{
	if (strcmp(got, want)) {
		fprintf(stderr, "%s:%d: text differs\n--- want\n%s--- got\n%s---\n", file, line,
			want, got);
		fail();
	}
}
