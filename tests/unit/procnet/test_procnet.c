// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the /proc/net fallback collector: real files captured in a
 * private namespace (tests/data/procnet/real, see capture.py), hand-made
 * malformed ones (crafted, see make_crafted.py), a tree without the optional
 * files (no6), chunked feeding, sockstat, and one live check against the
 * running kernel.
 */
#include "collect/collect.h"
#include "collect/procnet.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char *data_dir(void)
{
	const char *d = getenv("SKS_TEST_DATA");

	return d ? d : "tests/data/procnet";
}

static void tree_path(char *buf, size_t len, const char *tree, const char *file)
{
	int n = snprintf(buf, len, "%s/%s/net%s%s", data_dir(), tree, file ? "/" : "",
			 file ? file : "");

	assert_true(n > 0 && (size_t)n < len);
}

static char *read_whole(const char *tree, const char *file, size_t *ret_len)
{
	char path[PATH_MAX];
	struct stat st;
	char *buf;
	int fd;

	tree_path(path, sizeof(path), tree, file);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*ret_len = (size_t)st.st_size;
	return buf;
}

struct warn_log {
	int n;
	int kind;
	char last[512];
};

static void on_warn(void *data, enum sks_warn kind, int err, const char *msg)
{
	struct warn_log *w = data;

	(void)err;
	w->n++;
	w->kind = (int)kind;
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

static struct sks_snapshot *snap(uint32_t families, uint32_t states, struct warn_log *w)
{
	struct sks_snapshot *s = sks_snap_new(NULL);

	assert_non_null(s);
	s->families = families;
	s->states = states;
	if (w) {
		memset(w, 0, sizeof(*w));
		s->warn = on_warn;
		s->warn_data = w;
	}
	return s;
}

static struct sks_snapshot *collect(const char *tree, uint32_t tables, uint32_t *ret_done,
				    struct warn_log *w)
{
	struct sks_snapshot *s = snap(SKS_INET4 | SKS_INET6, SKS_STATES_ALL, w);
	char path[PATH_MAX];

	tree_path(path, sizeof(path), tree, NULL);
	assert_int_equal(sks_procnet_collect(s, path, tables, ret_done), 0);
	return s;
}

static const struct sks_record *find(const struct sks_snapshot *s, unsigned proto, uint64_t inode)
{
	const struct sks_record *found = NULL;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->recs[i].proto == proto && s->recs[i].inode == inode) {
			assert_null(found); /* inodes are unique in these files */
			found = &s->recs[i];
		}
	return found;
}

static size_t count(const struct sks_snapshot *s, unsigned proto)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += s->recs[i].proto == proto;
	return n;
}

static void assert_ep(const struct sks_endpoint *ep, const char *addr, uint16_t port)
{
	uint8_t want[16] = { 0 };
	int af = strchr(addr, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(af, addr, want), 1);
	assert_int_equal(ep->family, af);
	assert_memory_equal(ep->addr, want, af == AF_INET ? 4 : 16);
	assert_int_equal(ep->port, port);
}

static void assert_path(const struct sks_record *r, const char *path, bool abstract)
{
	assert_non_null(r->unx.path);
	assert_int_equal(r->unx.path_len, strlen(path));
	assert_memory_equal(r->unx.path, path, strlen(path));
	assert_int_equal(r->unx.path[r->unx.path_len], '\0');
	assert_int_equal(r->unx.abstract, abstract);
}

/* ---------------------------------------------------------------- real capture */

static void test_real_tcp(void **state)
{
	uint32_t done = 0;
	struct sks_snapshot *s = collect("real", SKS_TABLE_TCP, &done, NULL);
	const struct sks_record *r;
	size_t i;

	(void)state;
	assert_int_equal(done, SKS_TABLE_TCP);
	assert_int_equal(s->n, 10 + 6);
	assert_int_equal(s->stats.received, 16);

	r = find(s, SKS_PROTO_TCP, 11990); /* 127.0.0.1:8080, two queued connections */
	assert_non_null(r);
	assert_int_equal(r->family, AF_INET);
	assert_int_equal(r->type, SOCK_STREAM);
	assert_int_equal(r->state, SKS_STATE_LISTEN);
	assert_int_equal(r->rqueue, 2);
	assert_int_equal(r->cookie, 0);
	assert_int_equal(r->inet.protocol, IPPROTO_TCP);
	assert_int_equal(r->inet.v6only, -1);
	assert_ep(&r->inet.local, "127.0.0.1", 8080);
	assert_ep(&r->inet.peer, "0.0.0.0", 0);

	r = find(s, SKS_PROTO_TCP, 15256); /* accepted, 1000 unread bytes */
	assert_non_null(r);
	assert_int_equal(r->state, SKS_STATE_ESTABLISHED);
	assert_int_equal(r->rqueue, 1000);
	assert_ep(&r->inet.peer, "127.0.0.1", 40516);

	r = find(s, SKS_PROTO_TCP, 15261); /* keepalive: 0xEA54 ticks */
	assert_non_null(r);
	assert_int_equal(r->inet.timer, 2);
	assert_int_equal(r->inet.expires_ms, 0xEA54 * 1000 / sysconf(_SC_CLK_TCK));
	assert_int_equal(r->inet.retrans, 0);

	/* TIME-WAIT: inode 0, timer 3 */
	for (r = NULL, i = 0; i < s->n; i++)
		if (s->recs[i].state == SKS_STATE_TIME_WAIT)
			r = &s->recs[i];
	assert_non_null(r);
	assert_int_equal(r->inode, 0);
	assert_int_equal(r->inet.timer, 3);
	assert_int_equal(r->inet.expires_ms, 0x1764 * 1000 / sysconf(_SC_CLK_TCK));
	assert_ep(&r->inet.peer, "127.0.0.1", 8081);

	r = find(s, SKS_PROTO_TCP, 15262);
	assert_non_null(r);
	assert_int_equal(r->family, AF_INET6);
	assert_ep(&r->inet.local, "::1", 9090);
	r = find(s, SKS_PROTO_TCP, 15265);
	assert_non_null(r);
	assert_ep(&r->inet.local, "2001:db8:1234:5678:9abc:def0:1357:2468", 9191);
	r = find(s, SKS_PROTO_TCP, 15268);
	assert_non_null(r);
	assert_ep(&r->inet.local, "::ffff:127.0.0.1", 9292);
	assert_ep(&r->inet.peer, "::ffff:127.0.0.1", 59344);
	sks_snapshot_free(s);
}

static void test_real_udp_raw(void **state)
{
	uint32_t done = 0;
	struct sks_snapshot *s = collect("real", SKS_TABLE_UDP | SKS_TABLE_RAW, &done, NULL);
	const struct sks_record *r;

	(void)state;
	assert_int_equal(done, SKS_TABLE_UDP | SKS_TABLE_RAW);
	assert_int_equal(s->n, 2 + 1 + 1 + 1);

	r = find(s, SKS_PROTO_UDP, 15269);
	assert_non_null(r);
	assert_int_equal(r->state, SKS_STATE_CLOSE);
	assert_int_equal(r->type, SOCK_DGRAM);
	assert_int_equal(r->rqueue, 832);
	assert_ep(&r->inet.local, "127.0.0.1", 5353);
	r = find(s, SKS_PROTO_UDP, 15270);
	assert_non_null(r);
	assert_int_equal(r->state, SKS_STATE_ESTABLISHED);
	assert_ep(&r->inet.peer, "127.0.0.1", 5353);
	r = find(s, SKS_PROTO_UDP, 15271);
	assert_non_null(r);
	assert_ep(&r->inet.local, "::", 5354);

	r = find(s, SKS_PROTO_RAW, 15272);
	assert_non_null(r);
	assert_int_equal(r->family, AF_INET);
	assert_int_equal(r->type, SOCK_RAW);
	assert_int_equal(r->inet.protocol, IPPROTO_ICMP);
	assert_int_equal(r->inet.local.port, IPPROTO_ICMP);
	r = find(s, SKS_PROTO_RAW, 15273);
	assert_non_null(r);
	assert_int_equal(r->family, AF_INET6);
	assert_int_equal(r->inet.protocol, IPPROTO_ICMPV6);
	sks_snapshot_free(s);
}

static void test_real_unix(void **state)
{
	uint32_t done = 0;
	struct sks_snapshot *s = collect("real", SKS_TABLE_UNIX, &done, NULL);
	const struct sks_record *r;
	const char *dir = "/tmp/sks-capture-p3por3co";
	char path[128];

	(void)state;
	assert_int_equal(done, SKS_TABLE_UNIX);
	/* 12 lines; the queued embryo has inode 0 and is skipped, as unix_diag does */
	assert_int_equal(s->n, 11);
	assert_int_equal(s->stats.received, 11);

	r = find(s, SKS_PROTO_UNIX, 15274);
	assert_non_null(r);
	assert_int_equal(r->family, AF_UNIX);
	assert_int_equal(r->type, SOCK_STREAM);
	assert_int_equal(r->state, SKS_STATE_LISTEN);
	snprintf(path, sizeof(path), "%s/stream.sock", dir);
	assert_path(r, path, false);

	r = find(s, SKS_PROTO_UNIX, 15280); /* the path holds a newline */
	assert_non_null(r);
	assert_int_equal(r->type, SOCK_DGRAM);
	assert_int_equal(r->state, SKS_STATE_CLOSE);
	snprintf(path, sizeof(path), "%s/new\nline", dir);
	assert_path(r, path, false);

	r = find(s, SKS_PROTO_UNIX, 15284);
	assert_non_null(r);
	snprintf(path, sizeof(path), "%s/has space", dir);
	assert_path(r, path, false);

	r = find(s, SKS_PROTO_UNIX, 15281);
	assert_non_null(r);
	assert_int_equal(r->type, SOCK_SEQPACKET);
	assert_int_equal(r->state, SKS_STATE_LISTEN);

	r = find(s, SKS_PROTO_UNIX, 15278);
	assert_non_null(r);
	assert_path(r, "sks-abstract", true);
	r = find(s, SKS_PROTO_UNIX, 15279); /* "\0with\0nul": inner NUL printed as '@' */
	assert_non_null(r);
	assert_path(r, "with@nul", true);

	r = find(s, SKS_PROTO_UNIX, 15282); /* socketpair */
	assert_non_null(r);
	assert_int_equal(r->state, SKS_STATE_ESTABLISHED);
	assert_null(r->unx.path);
	assert_int_equal(r->unx.path_len, 0);
	r = find(s, SKS_PROTO_UNIX, 15276); /* accepted: carries the listener's path */
	assert_non_null(r);
	assert_int_equal(r->state, SKS_STATE_ESTABLISHED);
	snprintf(path, sizeof(path), "%s/stream.sock", dir);
	assert_path(r, path, false);
	sks_snapshot_free(s);
}

static void test_real_packet_netlink(void **state)
{
	uint32_t done = 0;
	struct sks_snapshot *s =
		collect("real", SKS_TABLE_PACKET | SKS_TABLE_NETLINK, &done, NULL);
	const struct sks_record *r;

	(void)state;
	assert_int_equal(done, SKS_TABLE_PACKET | SKS_TABLE_NETLINK);
	assert_int_equal(count(s, SKS_PROTO_PACKET), 2);
	assert_int_equal(count(s, SKS_PROTO_NETLINK), 10);

	r = find(s, SKS_PROTO_PACKET, 15285);
	assert_non_null(r);
	assert_int_equal(r->family, AF_PACKET);
	assert_int_equal(r->type, SOCK_RAW);
	assert_int_equal(r->packet.protocol, 0x0003);
	assert_int_equal(r->packet.ifindex, 0);
	r = find(s, SKS_PROTO_PACKET, 15286);
	assert_non_null(r);
	assert_int_equal(r->type, SOCK_DGRAM);
	assert_int_equal(r->packet.protocol, 0x0800);
	assert_int_equal(r->packet.ifindex, 1);

	r = find(s, SKS_PROTO_NETLINK, 15287);
	assert_non_null(r);
	assert_int_equal(r->family, AF_NETLINK);
	assert_int_equal(r->netlink.protocol, 0);
	assert_int_equal(r->netlink.portid, 3);
	assert_int_equal(r->netlink.groups, 0x11);
	r = find(s, SKS_PROTO_NETLINK, 15288);
	assert_non_null(r);
	assert_int_equal(r->netlink.protocol, 16);
	assert_int_equal(r->netlink.portid, 4242);
	sks_snapshot_free(s);
}

/* ---------------------------------------------------------------- selection */

static void test_select_tables(void **state)
{
	uint32_t done = 0;
	struct sks_snapshot *s = collect("real", SKS_TABLE_UNIX_DGRAM | SKS_TABLE_PACKET_DGRAM,
					 &done, NULL);
	size_t i;

	(void)state;
	assert_int_equal(done, SKS_TABLE_UNIX_DGRAM | SKS_TABLE_PACKET_DGRAM);
	assert_int_equal(s->n, 3 + 1);
	for (i = 0; i < s->n; i++)
		assert_int_equal(s->recs[i].type, SOCK_DGRAM);
	sks_snapshot_free(s);
}

static void test_select_family_state(void **state)
{
	struct sks_snapshot *s = snap(SKS_INET6, 1u << SKS_STATE_LISTEN, NULL);
	char path[PATH_MAX];
	uint32_t done = 0;
	size_t i;

	(void)state;
	tree_path(path, sizeof(path), "real", NULL);
	assert_int_equal(sks_procnet_collect(s, path, SKS_TABLE_TCP | SKS_TABLE_UNIX, &done), 0);
	assert_int_equal(done, SKS_TABLE_TCP | SKS_TABLE_UNIX);
	assert_int_equal(s->stats.received, 6 + 11); /* tcp (v4) not read at all */
	assert_int_equal(count(s, SKS_PROTO_TCP), 3);
	assert_int_equal(count(s, SKS_PROTO_UNIX), 3);
	for (i = 0; i < s->n; i++) {
		assert_int_equal(s->recs[i].state, SKS_STATE_LISTEN);
		if (s->recs[i].proto == SKS_PROTO_TCP)
			assert_int_equal(s->recs[i].family, AF_INET6);
	}
	sks_snapshot_free(s);
}

static void test_missing_files(void **state)
{
	struct sks_snapshot *s;
	char path[PATH_MAX];
	uint32_t done = 0;
	int r;

	(void)state;
	/* no tcp6/udp6/raw6/packet: not an error, packet is just not done */
	s = collect("no6", SKS_TABLE_ALL, &done, NULL);
	assert_int_equal(done, SKS_TABLE_ALL & ~SKS_TABLE_PACKET);
	assert_int_equal(count(s, SKS_PROTO_TCP), 10);
	assert_int_equal(count(s, SKS_PROTO_PACKET), 0);
	sks_snapshot_free(s);

	/* IPv6 only and no tcp6: TCP not done */
	s = snap(SKS_INET6, SKS_STATES_ALL, NULL);
	tree_path(path, sizeof(path), "no6", NULL);
	assert_int_equal(sks_procnet_collect(s, path, SKS_TABLE_TCP | SKS_TABLE_UNIX, &done), 0);
	assert_int_equal(done, SKS_TABLE_UNIX);
	assert_int_equal(count(s, SKS_PROTO_TCP), 0);
	sks_snapshot_free(s);

	/* no /proc/net at all is an error */
	s = snap(SKS_INET4 | SKS_INET6, SKS_STATES_ALL, NULL);
	done = 0x55;
	tree_path(path, sizeof(path), "does-not-exist", NULL);
	r = sks_procnet_collect(s, path, SKS_TABLE_ALL, &done);
	assert_int_equal(r, -ENOENT);
	assert_int_equal(done, 0x55);
	sks_snapshot_free(s);
}

/* ---------------------------------------------------------------- crafted */

static void test_crafted_tcp(void **state)
{
	struct warn_log w;
	uint32_t done = 0;
	struct sks_snapshot *s = collect("crafted", SKS_TABLE_TCP, &done, &w);
	const struct sks_record *r;
	size_t i;

	(void)state;
	assert_int_equal(s->n, 4 + 3);
	assert_int_equal(w.n, 2); /* once per file: tcp and tcp6 */
	assert_int_equal(w.kind, SKS_WARN_OTHER);
	assert_non_null(strstr(w.last, "tcp6: skipped 3 malformed lines"));

	r = find(s, SKS_PROTO_TCP, 101);
	assert_non_null(r);
	assert_int_equal(r->uid, 1000);
	assert_int_equal(r->rqueue, 5);
	assert_int_equal(r->state, SKS_STATE_LISTEN);

	r = find(s, SKS_PROTO_TCP, 102); /* extra spaces and a tab */
	assert_non_null(r);
	assert_ep(&r->inet.local, "127.0.0.1", 22);
	assert_ep(&r->inet.peer, "127.0.0.1", 50000);
	assert_int_equal(r->wqueue, 0x10);
	assert_int_equal(r->rqueue, 0x20);
	assert_int_equal(r->inet.timer, 1);
	assert_int_equal(r->inet.expires_ms, 300 * 1000 / sysconf(_SC_CLK_TCK));
	assert_int_equal(r->inet.retrans, 3);

	r = find(s, SKS_PROTO_TCP, UINT64_MAX);
	assert_non_null(r);
	assert_int_equal(r->inet.timer, 4);
	assert_int_equal(r->inet.expires_ms, UINT32_MAX);
	assert_int_equal(r->inet.retrans, 7); /* probes, as inet_diag reports for timer 4 */

	for (r = NULL, i = 0; i < s->n; i++)
		if (s->recs[i].state == SKS_STATE_TIME_WAIT)
			r = &s->recs[i];
	assert_non_null(r); /* the last line, with no newline */
	assert_int_equal(r->inet.expires_ms, 3000 * 1000 / sysconf(_SC_CLK_TCK));

	r = find(s, SKS_PROTO_TCP, 201);
	assert_non_null(r);
	assert_ep(&r->inet.local, "::1", 22);
	r = find(s, SKS_PROTO_TCP, 202);
	assert_non_null(r);
	assert_ep(&r->inet.local, "::ffff:127.0.0.1", 443);
	assert_ep(&r->inet.peer, "::ffff:127.0.0.2", 54321);
	r = find(s, SKS_PROTO_TCP, 203);
	assert_non_null(r);
	assert_ep(&r->inet.local, "2001:db8:1234:5678:9abc:def0:1357:2468", 8080);
	sks_snapshot_free(s);
}

static void test_crafted_malformed_counts(void **state)
{
	static const struct {
		enum sks_procnet_file file;
		const char *name;
		uint64_t records, malformed, continued;
	} cases[] = {
		{ SKS_PROCNET_TCP, "tcp", 4, 12, 0 },
		{ SKS_PROCNET_TCP6, "tcp6", 3, 3, 0 },
		{ SKS_PROCNET_UDP, "udp", 2, 0, 0 },
		{ SKS_PROCNET_UNIX, "unix", 12, 6, 3 },
		{ SKS_PROCNET_PACKET, "packet", 3, 2, 0 },
		{ SKS_PROCNET_NETLINK, "netlink", 2, 2, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < SKS_ARRAY_SIZE(cases); i++) {
		struct sks_snapshot *s = snap(SKS_INET4 | SKS_INET6, SKS_STATES_ALL, NULL);
		struct sks_procnet_parser p;
		size_t len;
		char *buf = read_whole("crafted", cases[i].name, &len);

		sks_procnet_parser_init(&p, s, NULL, cases[i].file, SKS_TABLE_ALL);
		assert_int_equal(sks_procnet_parser_feed(&p, buf, len), 0);
		assert_int_equal(sks_procnet_parser_finish(&p), 0);
		assert_int_equal(s->n, cases[i].records);
		assert_int_equal(p.malformed, cases[i].malformed);
		assert_int_equal(p.continued, cases[i].continued);
		sks_procnet_parser_release(&p);
		sks_snapshot_free(s);
		free(buf);
	}
}

static void test_crafted_unix(void **state)
{
	uint32_t done = 0;
	struct sks_snapshot *s = collect("crafted", SKS_TABLE_UNIX, &done, NULL);
	const struct sks_record *r;
	char path[112];

	(void)state;
	r = find(s, SKS_PROTO_UNIX, 301);
	assert_non_null(r);
	assert_int_equal(r->state, SKS_STATE_LISTEN);
	assert_path(r, "/run/a.sock", false);
	r = find(s, SKS_PROTO_UNIX, 302);
	assert_non_null(r);
	assert_path(r, "/tmp/two\nlines\nand a third", false);
	r = find(s, SKS_PROTO_UNIX, 303);
	assert_non_null(r);
	assert_int_equal(r->state, SKS_STATE_ESTABLISHED);
	assert_null(r->unx.path);
	r = find(s, SKS_PROTO_UNIX, 304);
	assert_non_null(r);
	assert_path(r, "/tmp/empty-next\n", false);
	r = find(s, SKS_PROTO_UNIX, 305);
	assert_non_null(r);
	assert_int_equal(r->type, SOCK_SEQPACKET);
	assert_path(r, "abstract name", true);
	r = find(s, SKS_PROTO_UNIX, 306);
	assert_non_null(r);
	assert_path(r, "", true);
	/* a newline then a well-formed line: indistinguishable from a record */
	r = find(s, SKS_PROTO_UNIX, 307);
	assert_non_null(r);
	assert_path(r, "/tmp/forge", false);
	assert_non_null(find(s, SKS_PROTO_UNIX, 999));
	/* the continuation would pass 108 bytes: path left as is, line counted */
	r = find(s, SKS_PROTO_UNIX, 308);
	assert_non_null(r);
	assert_path(r, "/x", false);
	assert_null(find(s, SKS_PROTO_UNIX, 390));
	assert_null(find(s, SKS_PROTO_UNIX, 391));
	assert_null(find(s, SKS_PROTO_UNIX, 0));
	r = find(s, SKS_PROTO_UNIX, 309);
	assert_non_null(r);
	assert_path(r, "/tmp/sp", false);
	r = find(s, SKS_PROTO_UNIX, 310);
	assert_non_null(r);
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[108] = '\0';
	assert_path(r, path, false);
	assert_null(find(s, SKS_PROTO_UNIX, 311));
	r = find(s, SKS_PROTO_UNIX, 312);
	assert_non_null(r);
	assert_int_equal(r->state, SKS_STATE_CLOSE);
	sks_snapshot_free(s);
}

/* The continuation of a path whose record the selection dropped is consumed silently. */
static void test_unix_continuation_of_dropped(void **state)
{
	static const char text[] =
		"0000000000000000: 00000002 00000000 00000000 0002 01 700 /a\nb\n"
		"0000000000000000: 00000002 00000000 00000000 0001 01 701 /c\nd\n";
	struct sks_snapshot *s = snap(SKS_INET4, SKS_STATES_ALL, NULL);
	struct sks_procnet_parser p;

	(void)state;
	sks_procnet_parser_init(&p, s, NULL, SKS_PROCNET_UNIX, SKS_TABLE_UNIX_STREAM);
	assert_int_equal(sks_procnet_parser_feed(&p, text, sizeof(text) - 1), 0);
	assert_int_equal(sks_procnet_parser_finish(&p), 0);
	assert_int_equal(p.malformed, 0);
	assert_int_equal(p.continued, 2);
	assert_int_equal(s->n, 1);
	assert_path(&s->recs[0], "/c\nd", false);
	sks_procnet_parser_release(&p);
	sks_snapshot_free(s);
}

static void test_crafted_packet_netlink(void **state)
{
	uint32_t done = 0;
	struct sks_snapshot *s =
		collect("crafted", SKS_TABLE_PACKET | SKS_TABLE_NETLINK, &done, NULL);
	const struct sks_record *r;

	(void)state;
	r = find(s, SKS_PROTO_PACKET, 402);
	assert_non_null(r);
	assert_int_equal(r->packet.protocol, 0x88cc);
	assert_int_equal(r->packet.ifindex, 2);
	assert_int_equal(r->rqueue, 1280);
	assert_int_equal(r->uid, 1000);
	r = find(s, SKS_PROTO_PACKET, 404); /* SOCK_PACKET: the p_raw table */
	assert_non_null(r);
	assert_int_equal(r->type, 10);
	assert_int_equal(sks_record_table(r), SKS_TABLE_PACKET_RAW);
	assert_null(find(s, SKS_PROTO_PACKET, 403));

	r = find(s, SKS_PROTO_NETLINK, 501);
	assert_non_null(r);
	assert_int_equal(r->netlink.portid, 4242);
	assert_int_equal(r->netlink.groups, 0x11);
	assert_int_equal(r->rqueue, 832);
	r = find(s, SKS_PROTO_NETLINK, 502);
	assert_non_null(r);
	assert_int_equal(r->netlink.protocol, 16);
	assert_int_equal(r->netlink.portid, UINT32_MAX);
	assert_int_equal(r->netlink.groups, UINT32_MAX);
	assert_int_equal(r->rqueue, 0); /* -1 clamped */
	assert_null(find(s, SKS_PROTO_NETLINK, 503));
	sks_snapshot_free(s);
}

/* ---------------------------------------------------------------- chunking */

static void parse_chunked(struct sks_snapshot *s, enum sks_procnet_file file, const char *buf,
			  size_t len, size_t chunk, uint64_t *ret_malformed)
{
	struct sks_procnet_parser p;
	size_t off;

	sks_procnet_parser_init(&p, s, NULL, file, SKS_TABLE_ALL);
	for (off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		assert_int_equal(sks_procnet_parser_feed(&p, buf + off, n), 0);
	}
	assert_int_equal(sks_procnet_parser_finish(&p), 0);
	*ret_malformed = p.malformed;
	sks_procnet_parser_release(&p);
}

static void test_chunked(void **state)
{
	static const struct {
		const char *tree, *name;
		enum sks_procnet_file file;
	} files[] = {
		{ "real", "tcp6", SKS_PROCNET_TCP6 },
		{ "real", "unix", SKS_PROCNET_UNIX },
		{ "crafted", "unix", SKS_PROCNET_UNIX },
		{ "crafted", "tcp", SKS_PROCNET_TCP },
	};
	static const size_t chunks[] = { 1, 2, 3, 7, 61, 4096 };
	size_t f, c, i;

	(void)state;
	for (f = 0; f < SKS_ARRAY_SIZE(files); f++) {
		struct sks_snapshot *whole = snap(SKS_INET4 | SKS_INET6, SKS_STATES_ALL, NULL);
		uint64_t bad_whole, bad;
		size_t len;
		char *buf = read_whole(files[f].tree, files[f].name, &len);

		parse_chunked(whole, files[f].file, buf, len, len, &bad_whole);
		for (c = 0; c < SKS_ARRAY_SIZE(chunks); c++) {
			struct sks_snapshot *s = snap(SKS_INET4 | SKS_INET6, SKS_STATES_ALL, NULL);

			parse_chunked(s, files[f].file, buf, len, chunks[c], &bad);
			assert_int_equal(bad, bad_whole);
			assert_int_equal(s->n, whole->n);
			for (i = 0; i < s->n; i++) {
				const struct sks_record *a = &s->recs[i], *b = &whole->recs[i];

				assert_int_equal(a->inode, b->inode);
				assert_int_equal(a->state, b->state);
				if (a->proto == SKS_PROTO_UNIX) {
					assert_int_equal(a->unx.path_len, b->unx.path_len);
					if (a->unx.path_len)
						assert_memory_equal(a->unx.path, b->unx.path,
								    a->unx.path_len);
				} else {
					assert_memory_equal(&a->inet, &b->inet, sizeof(a->inet));
				}
			}
			sks_snapshot_free(s);
		}
		sks_snapshot_free(whole);
		free(buf);
	}
}

/* A line longer than SKS_PROCNET_LINE_MAX split over chunks: one malformed line, not stored. */
static void test_overlong_line(void **state)
{
	static const char good[] = "0: 0100007F:0050 00000000:0000 0A 00000000:00000000 "
				   "00:00000000 00000000 0 0 77\n";
	size_t big = SKS_PROCNET_LINE_MAX * 3, len = big + 1 + sizeof(good) - 1;
	struct sks_snapshot *s = snap(SKS_INET4 | SKS_INET6, SKS_STATES_ALL, NULL);
	char *buf = malloc(len);
	uint64_t bad;
	size_t chunks[] = { 100, SKS_PROCNET_LINE_MAX, len }, c;

	(void)state;
	assert_non_null(buf);
	memset(buf, 'x', big);
	buf[big] = '\n';
	memcpy(buf + big + 1, good, sizeof(good) - 1);
	for (c = 0; c < SKS_ARRAY_SIZE(chunks); c++) {
		s->n = 0;
		parse_chunked(s, SKS_PROCNET_TCP, buf, len, chunks[c], &bad);
		assert_int_equal(bad, 1);
		assert_int_equal(s->n, 1);
		assert_int_equal(s->recs[0].inode, 77);
	}
	/* and unterminated at the end of the file */
	s->n = 0;
	parse_chunked(s, SKS_PROCNET_TCP, buf, big, 1000, &bad);
	assert_int_equal(bad, 1);
	assert_int_equal(s->n, 0);
	free(buf);
	sks_snapshot_free(s);
}

static void test_parse_api(void **state)
{
	static const char text[] = "  sl  local_address\n"
				   "0: 0100007F:0050 00000000:0000 0A 00000000:00000000 "
				   "00:00000000 00000000 0 0 78";
	struct sks_snapshot *s = snap(SKS_INET4 | SKS_INET6, SKS_STATES_ALL, NULL);

	(void)state;
	assert_int_equal(sks_procnet_parse(s, SKS_PROCNET_TCP, SKS_TABLE_TCP, text,
					   sizeof(text) - 1), 0);
	assert_int_equal(s->n, 1);
	/* not the table asked for: counted, not kept */
	assert_int_equal(sks_procnet_parse(s, SKS_PROCNET_TCP, SKS_TABLE_UDP, text,
					   sizeof(text) - 1), 0);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->stats.received, 2);
	assert_int_equal(sks_procnet_parse(s, SKS_PROCNET_SOCKSTAT, 0, text, 1), -EINVAL);
	assert_int_equal(sks_procnet_parse(s, SKS_PROCNET_TCP, SKS_TABLE_TCP, "", 0), 0);
	assert_string_equal(sks_procnet_file_name(SKS_PROCNET_NETLINK), "netlink");
	sks_snapshot_free(s);
}

/* ---------------------------------------------------------------- sockstat */

static void test_sockstat(void **state)
{
	struct sks_sockstat st;
	char path[PATH_MAX];

	(void)state;
	tree_path(path, sizeof(path), "real", NULL);
	assert_int_equal(sks_procnet_sockstat(path, &st), 0);
	assert_int_equal(st.sockets_used, 36);
	assert_int_equal(st.tcp_inuse, 9);
	assert_int_equal(st.tcp_orphan, 0);
	assert_int_equal(st.tcp_tw, 1);
	assert_int_equal(st.tcp_alloc, 16);
	assert_int_equal(st.tcp_mem, 269);
	assert_int_equal(st.udp_inuse, 2);
	assert_int_equal(st.udp_mem, 0);
	assert_int_equal(st.udplite_inuse, 0);
	assert_int_equal(st.raw_inuse, 1);
	assert_int_equal(st.frag_inuse, 0);
	assert_int_equal(st.frag_memory, 0);
	assert_int_equal(st.tcp6_inuse, 6);
	assert_int_equal(st.udp6_inuse, 1);
	assert_int_equal(st.udplite6_inuse, 0);
	assert_int_equal(st.raw6_inuse, 1);
	assert_int_equal(st.frag6_inuse, 0);
	assert_int_equal(st.frag6_memory, 0);

	/* no sockstat6: -1 for IPv6 fields */
	tree_path(path, sizeof(path), "no6", NULL);
	assert_int_equal(sks_procnet_sockstat(path, &st), 0);
	assert_int_equal(st.tcp_inuse, 9);
	assert_int_equal(st.tcp6_inuse, -1);
	assert_int_equal(st.frag6_memory, -1);

	/* malformed lines leave their fields at -1 */
	tree_path(path, sizeof(path), "crafted", NULL);
	assert_int_equal(sks_procnet_sockstat(path, &st), 0);
	assert_int_equal(st.sockets_used, 12);
	assert_int_equal(st.tcp_inuse, 3);
	assert_int_equal(st.tcp_orphan, 1);
	assert_int_equal(st.tcp_tw, 2);
	assert_int_equal(st.tcp_alloc, 4);
	assert_int_equal(st.tcp_mem, 5);
	assert_int_equal(st.udp_inuse, -1);
	assert_int_equal(st.udp_mem, -1);
	assert_int_equal(st.udplite_inuse, -1);
	assert_int_equal(st.raw_inuse, -1);
	assert_int_equal(st.frag_inuse, 0);
	assert_int_equal(st.frag_memory, 0);
	assert_int_equal(st.tcp6_inuse, -1);

	/* neither file: -ENOENT, output untouched */
	memset(&st, 0x5a, sizeof(st));
	tree_path(path, sizeof(path), "does-not-exist", NULL);
	assert_int_equal(sks_procnet_sockstat(path, &st), -ENOENT);
	assert_int_equal(st.tcp_inuse, 0x5a5a5a5a5a5a5a5a);
	tree_path(path, sizeof(path), "real", "tcp"); /* a file, not a directory */
	assert_int_equal(sks_procnet_sockstat(path, &st), -ENOTDIR);
}

static void test_sockstat_parse(void **state)
{
	static const char text[] = "TCP6: inuse 4\r\n"  /* CR: not a number */
				   "RAW6: inuse 2\n"
				   "FRAG6: inuse 1 memory -3\n" /* negative: rejected */
				   "sockets: used 9223372036854775807";
	struct sks_sockstat st;

	(void)state;
	sks_sockstat_clear(&st);
	assert_int_equal(sks_procnet_sockstat_parse(&st, text, sizeof(text) - 1), 0);
	assert_int_equal(st.tcp6_inuse, -1);
	assert_int_equal(st.raw6_inuse, 2);
	assert_int_equal(st.frag6_inuse, -1);
	assert_int_equal(st.sockets_used, INT64_MAX);
}

/* ---------------------------------------------------------------- live */

static void test_live(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/sks-procnet-XXXXXX";
	socklen_t sl = sizeof(sin);
	struct sks_snapshot *s;
	const struct sks_record *r;
	struct stat st, ust;
	uint32_t done = 0;
	int fd, ufd;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 7), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	assert_int_equal(fstat(fd, &st), 0);

	/* a unix socket whose path holds a newline, straight from the kernel */
	assert_non_null(mkdtemp(dir));
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/a\nb", dir);
	ufd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(ufd >= 0);
	assert_int_equal(bind(ufd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(fstat(ufd, &ust), 0);

	s = snap(SKS_INET4 | SKS_INET6, SKS_STATES_ALL, NULL);
	assert_int_equal(sks_procnet_collect(s, "/proc/thread-self/net",
					     SKS_TABLE_TCP | SKS_TABLE_UNIX, &done), 0);
	assert_true(done & SKS_TABLE_TCP);
	r = find(s, SKS_PROTO_TCP, st.st_ino);
	assert_non_null(r);
	assert_int_equal(r->state, SKS_STATE_LISTEN);
	assert_int_equal(r->uid, getuid());
	assert_ep(&r->inet.local, "127.0.0.1", ntohs(sin.sin_port));
	r = find(s, SKS_PROTO_UNIX, ust.st_ino);
	assert_non_null(r);
	assert_path(r, sun.sun_path, false);
	sks_snapshot_free(s);

	close(fd);
	close(ufd);
	unlink(sun.sun_path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_tcp),
		cmocka_unit_test(test_real_udp_raw),
		cmocka_unit_test(test_real_unix),
		cmocka_unit_test(test_real_packet_netlink),
		cmocka_unit_test(test_select_tables),
		cmocka_unit_test(test_select_family_state),
		cmocka_unit_test(test_missing_files),
		cmocka_unit_test(test_crafted_tcp),
		cmocka_unit_test(test_crafted_malformed_counts),
		cmocka_unit_test(test_crafted_unix),
		cmocka_unit_test(test_unix_continuation_of_dropped),
		cmocka_unit_test(test_crafted_packet_netlink),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_parse_api),
		cmocka_unit_test(test_sockstat),
		cmocka_unit_test(test_sockstat_parse),
		cmocka_unit_test(test_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
