// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The compiled bytecode against the running kernel.  In a network namespace
 * of its own (skipped when it cannot make one), the test opens TCP and UDP
 * sockets on loopback and free-bound addresses, then for each expression
 * dumps them with the program and checks the kernel returned exactly what
 * the evaluator accepts (or a superset, where the compiler had to widen).
 * It also checks the kernel model (bcsim.c) against the kernel: bc_run()
 * per socket, and bc_audit() on randomly corrupted programs.
 */
#include "filter/filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define MAX_RECS 128

struct krec {
	struct sks_record rec;
	uint64_t cookie;
};

struct kset {
	struct krec r[MAX_RECS];
	size_t n;
};

struct dump_ctx {
	struct kset *set;
};

/* --------------------------------------------------------------- netlink dump */

static int parse_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct dump_ctx *d = data;
	struct krec *k;
	struct nlattr *a;
	size_t alen;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || d->set->n == MAX_RECS)
		return MNL_CB_OK;
	k = &d->set->r[d->set->n++];
	memset(k, 0, sizeof(*k));
	alen = m->idiag_family == AF_INET ? 4 : 16;
	k->rec.family = m->idiag_family;
	k->rec.state = m->idiag_state;
	k->rec.inet.local.family = m->idiag_family;
	k->rec.inet.peer.family = m->idiag_family;
	k->rec.inet.local.port = ntohs(m->id.idiag_sport);
	k->rec.inet.peer.port = ntohs(m->id.idiag_dport);
	memcpy(k->rec.inet.local.addr, m->id.idiag_src, alen);
	memcpy(k->rec.inet.peer.addr, m->id.idiag_dst, alen);
	k->rec.ifindex = m->id.idiag_if;
	k->rec.uid = m->idiag_uid;
	k->rec.inode = m->idiag_inode;
	k->cookie = (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];
	mnl_attr_for_each(a, nlh, sizeof(*m)) {
		if (mnl_attr_get_type(a) == INET_DIAG_MARK)
			k->rec.mark = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == INET_DIAG_CGROUP_ID)
			k->rec.cgroup_id = mnl_attr_get_u64(a);
	}
	return MNL_CB_OK;
}

/* Dump one table; returns 0 or the kernel's -errno (e.g. -EINVAL for a refused program). */
static int dump(int proto, int family, const void *bc, size_t bc_len, struct kset *set)
{
	char buf[32768];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *req;
	struct dump_ctx d = { .set = set };
	unsigned seq = (unsigned)time(NULL), portid;
	ssize_t n;
	int r = 0;

	assert_non_null(nl);
	assert_int_equal(mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID), 0);
	portid = mnl_socket_get_portid(nl);
	set->n = 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = (uint8_t)proto;
	req->idiag_states = SKS_STATES_ALL;
	if (bc_len)
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, bc_len, bc);
	assert_true(mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0);
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n <= 0) {
			r = -EIO;
			break;
		}
		r = mnl_cb_run(buf, (size_t)n, seq, portid, parse_msg, &d);
		if (r <= MNL_CB_STOP) {
			r = r < 0 ? -errno : 0;
			break;
		}
	}
	mnl_socket_close(nl);
	return r;
}

/* ----------------------------------------------------------------- sockets */

static int fds[64];
static unsigned nfds;
static char cgroup_path[1024];

static int keep(int fd)
{
	assert_true(fd >= 0);
	assert_true(nfds < 64);
	fds[nfds++] = fd;
	return fd;
}

static void addr_of(int family, const char *ip, uint16_t port, struct sockaddr_storage *ss,
		    socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		assert_int_equal(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		assert_int_equal(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1);
		*len = sizeof(*sin6);
	}
}

enum { OPT_V6ONLY = 1, OPT_LO = 2, OPT_MARK42 = 4, OPT_FREEBIND = 8, OPT_MARK43 = 16 };

static int sock(int family, int type, const char *ip, uint16_t port, unsigned opts)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0), one = 1, zero = 0;
	struct sockaddr_storage ss;
	socklen_t len;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
					    opts & OPT_V6ONLY ? &one : &zero, sizeof(one)), 0);
	if (opts & OPT_LO)
		assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3), 0);
	if (opts & (OPT_MARK42 | OPT_MARK43)) {
		unsigned mark = opts & OPT_MARK42 ? 0x42 : 0x43;

		assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)), 0);
	}
	if (opts & OPT_FREEBIND)
		assert_int_equal(setsockopt(fd, SOL_IP, IP_FREEBIND, &one, sizeof(one)), 0);
	if (ip) {
		addr_of(family, ip, port, &ss, &len);
		assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	}
	return keep(fd);
}

static void connect_to(int fd, int family, const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;

	addr_of(family, ip, port, &ss, &len);
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, len), 0);
}

static void tcp_pair(int lfd, int family, const char *src, uint16_t sport, const char *dst,
		     uint16_t dport, unsigned opts)
{
	int c = sock(family, SOCK_STREAM, src, sport, opts);

	connect_to(c, family, dst, dport);
	keep(accept4(lfd, NULL, NULL, SOCK_CLOEXEC));
}

static int listener(int family, const char *ip, uint16_t port, unsigned opts)
{
	int fd = sock(family, SOCK_STREAM, ip, port, opts);

	assert_int_equal(listen(fd, 16), 0);
	return fd;
}

static void make_sockets(void)
{
	int l1, l2, l3, l5, c, a;

	l1 = listener(AF_INET, "127.0.0.1", 2001, 0);
	l2 = listener(AF_INET6, "::", 2002, 0); /* dual stack: v4 peers are v4-mapped */
	l3 = listener(AF_INET6, "::1", 2003, OPT_V6ONLY);
	listener(AF_INET, "127.0.0.2", 2004, OPT_LO);
	l5 = listener(AF_INET, "127.0.0.3", 2005, OPT_MARK42);
	listener(AF_INET, "192.0.2.1", 2006, OPT_FREEBIND);
	listener(AF_INET6, "2001:db8::1", 2007, OPT_FREEBIND | OPT_V6ONLY);
	tcp_pair(l1, AF_INET, NULL, 0, "127.0.0.1", 2001, 0);
	tcp_pair(l2, AF_INET, NULL, 0, "127.0.0.1", 2002, 0);
	tcp_pair(l3, AF_INET6, NULL, 0, "::1", 2003, 0);
	tcp_pair(l1, AF_INET, "127.0.0.1", 3000, "127.0.0.1", 2001, 0); /* explicit port */
	tcp_pair(l5, AF_INET, "127.0.0.5", 0, "127.0.0.3", 2005, OPT_MARK43);
	tcp_pair(l2, AF_INET6, "::1", 3001, "::1", 2002, OPT_LO);
	/* one TIME-WAIT: the client closes first */
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	connect_to(c, AF_INET, "127.0.0.1", 2001);
	a = accept4(l1, NULL, NULL, SOCK_CLOEXEC);
	close(c);
	usleep(20000);
	close(a);
	usleep(50000);
	/* UDP */
	sock(AF_INET, SOCK_DGRAM, "127.0.0.1", 5001, 0);
	sock(AF_INET6, SOCK_DGRAM, "::", 5002, 0);
	c = sock(AF_INET, SOCK_DGRAM, NULL, 0, 0);
	connect_to(c, AF_INET, "127.0.0.1", 5001);
	sock(AF_INET6, SOCK_DGRAM, "::1", 5004, OPT_V6ONLY | OPT_MARK42 | OPT_LO);
}

static bool link_up_lo(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
	ifr.ifr_flags |= IFF_UP;
	ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	close(fd);
	return ok;
}

/* Our own cgroup (v2) path, from /proc/self/cgroup's "0::PATH" line. */
static void find_cgroup(void)
{
	char line[1024];
	FILE *fp = fopen("/proc/self/cgroup", "re");

	cgroup_path[0] = '\0';
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(cgroup_path, sizeof(cgroup_path), "%s", line + 3);
		}
	}
	fclose(fp);
}

static void write_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, value, strlen(value)) < 0) {
		/* an older kernel: the namespace shares the host's tables */
	}
	close(fd);
}

static int setup(void **state)
{
	(void)state;
	/*
	 * Namespaces share the host's TCP and UDP hash tables unless their
	 * parent asks for private ones, and a dump walks the whole table: with
	 * a busy host (a 400k-socket benchmark) each dump would take long.  So
	 * make a namespace, ask it for small child tables, and use a child.
	 */
	if (unshare(CLONE_NEWNET) == 0) {
		write_sysctl("/proc/sys/net/ipv4/tcp_child_ehash_entries", "1024");
		write_sysctl("/proc/sys/net/ipv4/udp_child_hash_entries", "1024");
	}
	if (unshare(CLONE_NEWNET) < 0 || !link_up_lo()) {
		print_message("cannot make a network namespace (%s): skipping\n", strerror(errno));
		return 0;
	}
	make_sockets();
	find_cgroup();
	{
		static struct kset all;
		unsigned n[4];

		assert_int_equal(dump(IPPROTO_TCP, AF_INET, NULL, 0, &all), 0);
		n[0] = (unsigned)all.n;
		assert_int_equal(dump(IPPROTO_TCP, AF_INET6, NULL, 0, &all), 0);
		n[1] = (unsigned)all.n;
		assert_int_equal(dump(IPPROTO_UDP, AF_INET, NULL, 0, &all), 0);
		n[2] = (unsigned)all.n;
		assert_int_equal(dump(IPPROTO_UDP, AF_INET6, NULL, 0, &all), 0);
		n[3] = (unsigned)all.n;
		print_message("sockets: tcp %u + tcp6 %u, udp %u + udp6 %u\n", n[0], n[1], n[2],
			      n[3]);
	}
	*state = (void *)1;
	return 0;
}

/* ------------------------------------------------------------------ checks */

static uint16_t port_lo = 32768, port_hi = 60999;

static void entry_of(const struct sks_record *r, struct bc_entry *e)
{
	size_t alen = r->family == AF_INET ? 4 : 16;

	memset(e, 0, sizeof(*e));
	e->family = r->family;
	memcpy(e->saddr, r->inet.local.addr, alen);
	memcpy(e->daddr, r->inet.peer.addr, alen);
	e->sport = r->inet.local.port;
	e->dport = r->inet.peer.port;
	e->ifindex = r->ifindex;
	e->mark = r->mark;
	e->cgroup_id = r->cgroup_id;
	e->autobound = r->inet.local.port >= port_lo && r->inet.local.port <= port_hi;
}

static bool in_set(const struct kset *s, uint64_t cookie)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->r[i].cookie == cookie)
			return true;
	}
	return false;
}

static unsigned checked_exprs, checked_programs, checked_sockets, exact_programs;

static void check_expr(const char *expr)
{
	static const int protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	static const int families[] = { AF_INET, AF_INET6 };
	static const unsigned flag_sets[] = { 0, SKS_FILTER_BC_NO_EQ };
	struct sks_filter_error err;
	struct sks_filter *f = NULL;
	static struct kset all, got;

	if (sks_filter_parse(expr, strlen(expr), NULL, &f, &err) < 0)
		fail_msg("\"%s\": %s at column %u", expr, err.message, err.column);
	checked_exprs++;
	if (getenv("SKS_TEST_VERBOSE"))
		print_message("expr: %s\n", expr);
	for (size_t p = 0; p < 2; p++) {
		for (size_t fa = 0; fa < 2; fa++) {
			assert_int_equal(dump(protos[p], families[fa], NULL, 0, &all), 0);
			for (size_t fl = 0; fl < 2; fl++) {
				struct sks_buf bc = SKS_BUF_INIT;
				bool exact;
				int r;

				assert_int_equal(filter_bytecode(f, families[fa], flag_sets[fl], &bc,
								 &exact), 0);
				r = dump(protos[p], families[fa], bc.data, bc.len, &got);
				if (r < 0)
					fail_msg("\"%s\": kernel refused the program: %s", expr,
						 strerror(-r));
				checked_programs++;
				exact_programs += exact;
				for (size_t i = 0; i < all.n; i++) {
					const struct sks_record *rec = &all.r[i].rec;
					bool user = sks_filter_match(f, rec);
					bool kern = in_set(&got, all.r[i].cookie);
					struct bc_entry e;

					checked_sockets++;
					if (user && !kern)
						fail_msg("\"%s\": kernel dropped a matching socket "
							 "(port %u)", expr, rec->inet.local.port);
					if (exact && user != kern)
						fail_msg("\"%s\": kernel kept a non-matching socket "
							 "(port %u) from an exact program", expr,
							 rec->inet.local.port);
					entry_of(rec, &e);
					if (bc.len && bc_run(bc.data, bc.len, &e) != kern)
						fail_msg("\"%s\": the kernel model disagrees on port %u",
							 expr, rec->inet.local.port);
				}
				sks_buf_release(&bc);
			}
		}
	}
	sks_filter_free(f);
}

static void test_kernel_agrees(void **state)
{
	static const char *const exprs[] = {
		"sport = :2001",
		"dport = :2001",
		"sport >= :2003",
		"sport < :2003",
		"sport > 2002 and sport <= 2005",
		"src 127.0.0.1",
		"src 127.0.0.0/8",
		"dst 127.0.0.1:2001",
		"src 127.0.0.1:2002",
		"src ::ffff:127.0.0.1",
		"src [::1]",
		"src ::/0",
		"src inet:*",
		"src inet6:*",
		"src 192.0.2.0/24 or src 2001:db8::/32",
		"dst *:2001",
		"!(src 127.0.0.1)",
		"not dport = :2001 and not sport = :2001",
		"dev lo",
		"dev != lo",
		"fwmark = 0x42",
		"fwmark 0x40/0xf0",
		"fwmark 0x43 or dev lo",
		"cgroup = /",
		"autobound",
		"not autobound",
		"sport = :2001 or dport = :2001 and src 127.0.0.5",
		"uid = 0 and sport = :2001",
		"sport = :2001 or pid = 1",
		"not (uid = 0) or dport = :2001",
		"not (sport = :2001 or uid = 1)",
		"(state listening) or sport = :2001",
		"dst 127.0.0.1 and (sport = :2001 or sport = :2002 or sport = :2005)",
		"not (sport = :2001 or not dport = :2001)",
		"src 127.0.0.2/31 and not (sport = :2004 and dev lo) or sport = :5004",
		"sport = :5001 or dport = :5001",
		"src unix:/x or sport = :2002",
		"sport > 65535",
	};
	char cg[1100];

	if (!*state) {
		skip();
		return;
	}
	{
		struct sks_filter_env env = { 0 };
		struct sks_filter *f = NULL;

		/* the same range the evaluator reads, for the kernel model */
		assert_int_equal(sks_filter_parse("autobound", 9, &env, &f, NULL), 0);
		port_lo = f->root->u.range.low;
		port_hi = f->root->u.range.high;
		sks_filter_free(f);
	}
	for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++)
		check_expr(exprs[i]);
	if (cgroup_path[0]) {
		snprintf(cg, sizeof(cg), "cgroup = \"%s\"", cgroup_path);
		check_expr(cg);
		snprintf(cg, sizeof(cg), "not cgroup \"%s\" or sport = :2001", cgroup_path);
		check_expr(cg);
	}
	print_message("%u expressions, %u programs (%u exact), %u socket checks agree with the "
		      "kernel\n", checked_exprs, checked_programs, exact_programs, checked_sockets);
	assert_true(exact_programs > checked_programs / 2);
}

/* Corrupt valid programs at random: the kernel and bc_audit() must agree on each. */
static void test_audit_agrees(void **state)
{
	static const char *const seeds[] = {
		"dst 127.0.0.1 and (sport = :2001 or sport = :2002 or sport = :2005)",
		"not (sport = :2001 or not dport = :2001) and dev lo",
		"src ::1 or src 10.0.0.0/8:22 or fwmark 1/3 or cgroup / or dport >= 5",
	};
	unsigned agree = 0, refused = 0;
	static struct kset got;

	if (!*state) {
		skip();
		return;
	}
	srand(1);
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		struct sks_filter *f = NULL;
		struct sks_buf bc = SKS_BUF_INIT;

		assert_int_equal(sks_filter_parse(seeds[s], strlen(seeds[s]), NULL, &f, NULL), 0);
		assert_int_equal(sks_filter_bytecode(f, AF_INET6, 0, &bc), 0);
		assert_true(bc.len > 0);
		for (unsigned i = 0; i < 200; i++) {
			uint8_t prog[512];
			size_t len = bc.len;
			int k, m;

			assert_true(len <= sizeof(prog));
			memcpy(prog, bc.data, len);
			switch (rand() % 4) {
			case 0: /* a random byte */
				prog[(size_t)rand() % len] = (uint8_t)rand();
				break;
			case 1: /* a yes or no offset moved by a multiple of 4 */
				prog[((size_t)rand() % (len / 4)) * 4 + 1 + (size_t)(rand() % 2)] +=
					(uint8_t)(4 * (rand() % 5 - 2));
				break;
			case 2: /* truncated */
				len = 4 * (1 + (size_t)rand() % (len / 4));
				break;
			default: /* an opcode changed */
				prog[((size_t)rand() % (len / 4)) * 4] = (uint8_t)(rand() % 16);
			}
			k = dump(IPPROTO_TCP, AF_INET, prog, len, &got);
			m = bc_audit(prog, len);
			if ((k == 0) != (m == 0))
				fail_msg("kernel says %d, model says %d for a %zu-byte program", k, m,
					 len);
			agree++;
			refused += k != 0;
		}
		sks_buf_release(&bc);
		sks_filter_free(f);
	}
	print_message("%u corrupted programs: kernel and model agree (%u refused)\n", agree,
		      refused);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_agrees),
		cmocka_unit_test(test_audit_agrees),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
