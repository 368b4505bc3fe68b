// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Table-driven filter tests: every line of cases.txt (argv[1]) becomes one
 * cmocka test.  Socket specs ("tcp estab 10.0.0.1:22 -> 10.0.0.2:51000
 * uid=1000 pid=42 comm=nginx") become records in a snapshot; name lookups go
 * through a fixed fake environment.  Every inet "match" case also compiles
 * the filter and runs the program through the kernel model (bcsim.c): the
 * program must pass the audit and accept whatever the evaluator accepts.
 */
#include "filter/filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

/* ------------------------------------------------------- fake environment */

static const struct {
	const char *name;
	uint32_t value;
} fake_devs[] = { { "lo", 1 }, { "eth0", 2 }, { "wlan0", 3 }, { "br-lan", 7 } },
  fake_services[] = { { "ssh", 22 },  { "http", 80 },   { "https", 443 },
		      { "domain", 53 }, { "ntp", 123 }, { "http-alt", 8080 } },
  fake_users[] = { { "root", 0 }, { "www-data", 33 }, { "alice", 1000 }, { "bob", 1001 } };

static const struct {
	const char *path;
	uint64_t id;
} fake_cgroups[] = { { "/", 1 },
		     { "/system.slice", 100 },
		     { "/system.slice/nginx.service", 1234 },
		     { "/user.slice", 200 } };

#define LOOKUP(table, key, field, out)                                                             \
	do {                                                                                       \
		for (size_t i_ = 0; i_ < sizeof(table) / sizeof(table[0]); i_++) {                 \
			if (!strcmp(table[i_].field, key)) {                                       \
				*(out) = table[i_].value;                                          \
				return 0;                                                          \
			}                                                                          \
		}                                                                                  \
		return -ENOENT;                                                                    \
	} while (0)

static int lookup_service(const char *name, uint32_t *ret)
{
	LOOKUP(fake_services, name, name, ret);
}

static int fake_dev(void *u, const char *name, uint32_t *ret)
{
	(void)u;
	LOOKUP(fake_devs, name, name, ret);
}

static int fake_service(void *u, const char *name, uint16_t *ret)
{
	uint32_t v;
	int r;

	(void)u;
	r = lookup_service(name, &v);
	if (r == 0)
		*ret = (uint16_t)v;
	return r;
}

static int fake_user(void *u, const char *name, uint32_t *ret)
{
	(void)u;
	LOOKUP(fake_users, name, name, ret);
}

static int fake_cgroup(void *u, const char *path, uint64_t *ret)
{
	char norm[256];

	(void)u;
	snprintf(norm, sizeof(norm), "%s%s", path[0] == '/' ? "" : "/", path);
	for (size_t i = 0; i < sizeof(fake_cgroups) / sizeof(fake_cgroups[0]); i++) {
		if (!strcmp(fake_cgroups[i].path, norm)) {
			*ret = fake_cgroups[i].id;
			return 0;
		}
	}
	return -ENOENT;
}

static int fake_range(void *u, uint16_t *lo, uint16_t *hi)
{
	(void)u;
	*lo = 32768;
	*hi = 60999;
	return 0;
}

static const struct sks_filter_env fake_env = {
	.dev_index = fake_dev,
	.cgroup_id = fake_cgroup,
	.service_port = fake_service,
	.user_uid = fake_user,
	.port_range = fake_range,
};

/* ------------------------------------------------------------ socket specs */

static bool parse_u64(const char *s, uint64_t *ret)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*ret = strtoull(s, &end, 0);
	return !errno && !*end;
}

static bool parse_endpoint(const char *s, struct sks_endpoint *ep)
{
	char addr[64];
	const char *colon;
	uint64_t port;
	size_t n;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return false;
		n = (size_t)(close - s - 1);
		if (n >= sizeof(addr))
			return false;
		memcpy(addr, s + 1, n);
		addr[n] = '\0';
		ep->family = AF_INET6;
		if (inet_pton(AF_INET6, addr, ep->addr) != 1)
			return false;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return false;
		n = (size_t)(colon - s);
		if (n >= sizeof(addr))
			return false;
		memcpy(addr, s, n);
		addr[n] = '\0';
		ep->family = AF_INET;
		if (strcmp(addr, "*") && inet_pton(AF_INET, addr, ep->addr) != 1)
			return false;
	}
	if (!strcmp(colon + 1, "*"))
		port = 0;
	else if (!parse_u64(colon + 1, &port) || port > 65535)
		return false;
	ep->port = (uint16_t)port;
	return true;
}

/* "\xHH" escapes in unix paths, so specs can hold NUL and control bytes. */
static size_t unescape(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s && n < size; s++) {
		unsigned v;

		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
			out[n++] = (char)v;
			s += 3;
		} else {
			out[n++] = *s;
		}
	}
	return n;
}

/* Build the record described by spec in s; false (and a message) on a bad spec. */
static bool build_record(struct sks_snapshot *s, char *spec, const struct sks_record **ret)
{
	struct sks_process *procs[16];
	unsigned nprocs = 0;
	struct sks_record *r = sks_snap_add(s);
	char *save = NULL, *w;
	bool peer_next = false, have_local = false;
	uint32_t mask;

	assert_non_null(r);
	w = strtok_r(spec, " ", &save);
	if (!w)
		return false;
	if (!strcmp(w, "tcp") || !strcmp(w, "udp") || !strcmp(w, "raw")) {
		r->proto = w[0] == 't' ? SKS_PROTO_TCP : w[0] == 'u' ? SKS_PROTO_UDP : SKS_PROTO_RAW;
		r->type = w[0] == 't' ? SOCK_STREAM : w[0] == 'u' ? SOCK_DGRAM : SOCK_RAW;
		r->family = AF_INET;
		r->state = w[0] == 't' ? SKS_STATE_ESTABLISHED : SKS_STATE_CLOSE;
	} else if (!strcmp(w, "unix") || !strncmp(w, "u_", 2)) {
		r->proto = SKS_PROTO_UNIX;
		r->family = AF_UNIX;
		r->type = !strcmp(w, "u_dgr") ? SOCK_DGRAM
			  : !strcmp(w, "u_seq") ? SOCK_SEQPACKET : SOCK_STREAM;
		r->state = SKS_STATE_ESTABLISHED;
	} else if (!strcmp(w, "packet") || !strncmp(w, "p_", 2)) {
		r->proto = SKS_PROTO_PACKET;
		r->family = AF_PACKET;
		r->type = !strcmp(w, "p_dgr") ? SOCK_DGRAM : SOCK_RAW;
		r->state = SKS_STATE_CLOSE;
	} else if (!strcmp(w, "nl") || !strcmp(w, "netlink")) {
		r->proto = SKS_PROTO_NETLINK;
		r->family = AF_NETLINK;
		r->type = SOCK_RAW;
		r->state = SKS_STATE_CLOSE;
	} else {
		print_error("bad protocol \"%s\"\n", w);
		return false;
	}
	while ((w = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(w, '=');
		uint64_t v = 0;

		if (!strcmp(w, "->")) {
			peer_next = true;
			continue;
		}
		if (!eq && sks_state_parse(w, &mask) == 0 && mask) {
			unsigned st = 0;

			while (!(mask & (1u << st)))
				st++;
			r->state = (uint8_t)st;
			continue;
		}
		if (!eq && r->proto == SKS_PROTO_UNIX && !have_local) {
			char path[300];
			size_t n;

			have_local = true;
			if (!strcmp(w, "*"))
				continue;
			r->unx.abstract = w[0] == '@';
			n = unescape(w + r->unx.abstract, path, sizeof(path));
			r->unx.path = sks_snap_memdup(s, path, n);
			r->unx.path_len = (uint32_t)n;
			continue;
		}
		if (!eq) {
			struct sks_endpoint *ep = peer_next ? &r->inet.peer : &r->inet.local;

			if (!parse_endpoint(w, ep)) {
				print_error("bad endpoint \"%s\"\n", w);
				return false;
			}
			if (!peer_next)
				r->family = ep->family;
			have_local = true;
			continue;
		}
		*eq = '\0';
		if (!strcmp(w, "comm") || !strcmp(w, "name") || !strcmp(w, "user")) {
			char text[300];
			size_t n = unescape(eq + 1, text, sizeof(text));
			struct sks_process *p;

			if (!nprocs)
				return false;
			p = procs[nprocs - 1];
			if (w[0] == 'c') {
				p->comm = sks_snap_memdup(s, text, n);
				p->comm_len = (uint32_t)n;
			} else if (w[0] == 'n') {
				p->name = sks_snap_memdup(s, text, n);
				p->name_len = (uint32_t)n;
			} else {
				p->user = sks_snap_memdup(s, text, n);
			}
			continue;
		}
		if (!parse_u64(eq + 1, &v)) {
			print_error("bad number in \"%s=%s\"\n", w, eq + 1);
			return false;
		}
		if (!strcmp(w, "uid")) {
			r->uid = (uint32_t)v;
		} else if (!strcmp(w, "ino")) {
			r->inode = v;
		} else if (!strcmp(w, "dev")) {
			r->ifindex = (uint32_t)v;
		} else if (!strcmp(w, "mark")) {
			r->mark = (uint32_t)v;
		} else if (!strcmp(w, "cgroup")) {
			r->cgroup_id = v;
		} else if (!strcmp(w, "proto")) {
			if (r->proto == SKS_PROTO_PACKET)
				r->packet.protocol = (uint16_t)v;
			else
				r->netlink.protocol = (uint32_t)v;
		} else if (!strcmp(w, "ifindex")) {
			r->packet.ifindex = (uint32_t)v;
		} else if (!strcmp(w, "portid")) {
			r->netlink.portid = (uint32_t)v;
		} else if (!strcmp(w, "dportid")) {
			r->netlink.dst_portid = (uint32_t)v;
		} else if (!strcmp(w, "pid")) {
			struct sks_process *p = sks_snap_alloc(s, sizeof(*p));

			assert_non_null(p);
			assert_true(nprocs < 16);
			p->pid = (int32_t)v;
			procs[nprocs++] = p;
		} else if (!strcmp(w, "puid")) {
			if (!nprocs)
				return false;
			procs[nprocs - 1]->uid = (uint32_t)v;
		} else {
			print_error("bad key \"%s\"\n", w);
			return false;
		}
	}
	if (nprocs) {
		struct sks_owner *o = sks_snap_alloc(s, nprocs * sizeof(*o));

		assert_non_null(o);
		for (unsigned i = 0; i < nprocs; i++) {
			o[i].proc = procs[i];
			o[i].fd = (int32_t)(3 + i);
		}
		r->owners = o;
		r->n_owners = nprocs;
	}
	if ((r->family == AF_INET || r->family == AF_INET6) && !r->inet.peer.family)
		r->inet.peer.family = r->family;
	*ret = r;
	return true;
}

/* ------------------------------------------------------------------- cases */

enum case_kind {
	C_MATCH,
	C_ERROR,
	C_AST,
	C_STATES,
	C_OWNERS,
	C_BYTECODE,
};

struct fcase {
	enum case_kind kind;
	unsigned line;
	char *expr;
	char *a; /* spec, message, canonical text, ... */
	char *b; /* yes/no, column, family */
	char *buf; /* the line all of the above point into */
	char name[96];
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Split at the last " | " (expressions may hold '|'): returns the right part. */
static char *split_last(char *s)
{
	char *bar = NULL;

	for (char *p = strstr(s, " | "); p; p = strstr(p + 1, " | "))
		bar = p;
	if (!bar)
		return NULL;
	*bar = '\0';
	return bar + 3;
}

static struct sks_filter *parse_ok(const struct fcase *c)
{
	struct sks_filter_error err = { 0 };
	struct sks_filter *f = NULL;
	int r = sks_filter_parse(c->expr, strlen(c->expr), &fake_env, &f, &err);

	if (r < 0)
		fail_msg("line %u: \"%s\" did not parse: %s at column %u", c->line, c->expr,
			 err.message, err.column);
	return f;
}

static void entry_from_record(const struct sks_record *r, struct bc_entry *e)
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
	e->autobound = r->inet.local.port >= 32768 && r->inet.local.port <= 60999;
}

/* The compiled program must be valid and accept at least what the evaluator accepts. */
static void check_bytecode(const struct fcase *c, const struct sks_filter *f,
			   const struct sks_record *r, bool match)
{
	static const unsigned flag_sets[] = { 0, SKS_FILTER_BC_NO_EQ,
					      SKS_FILTER_BC_NO_MARK | SKS_FILTER_BC_NO_CGROUP };
	struct sks_filter no_prelude = *f;
	bool match_all_states;
	struct bc_entry e;

	if (r->family != AF_INET && r->family != AF_INET6)
		return;
	no_prelude.has_states = false;
	match_all_states = sks_filter_match(&no_prelude, r);
	/* The kernel sees only the states asked for: states live outside the program. */
	entry_from_record(r, &e);
	for (size_t i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		struct sks_buf bc = SKS_BUF_INIT;
		bool exact = false, accepted;

		assert_int_equal(filter_bytecode(f, r->family, flag_sets[i], &bc, &exact), 0);
		if (!bc.len) {
			sks_buf_release(&bc);
			continue;
		}
		if (bc_audit(bc.data, bc.len) < 0)
			fail_msg("line %u: program for \"%s\" fails the audit", c->line, c->expr);
		accepted = bc_run(bc.data, bc.len, &e);
		if (match && !accepted)
			fail_msg("line %u: program rejects a record the filter accepts (flags %u)",
				 c->line, flag_sets[i]);
		/* Exact programs agree with the evaluator, prelude states aside. */
		if (exact && accepted != match_all_states)
			fail_msg("line %u: exact program accepts a rejected record (flags %u)",
				 c->line, flag_sets[i]);
		sks_buf_release(&bc);
	}
}

static void run_match(const struct fcase *c)
{
	struct sks_snapshot *s = sks_snap_new(NULL);
	const struct sks_record *r = NULL;
	struct sks_filter *f = parse_ok(c);
	char *spec = strdup(c->a);
	bool want = !strcmp(c->b, "yes"), got;

	assert_non_null(s);
	assert_non_null(spec);
	if (strcmp(c->b, "yes") && strcmp(c->b, "no"))
		fail_msg("line %u: expected yes or no, got \"%s\"", c->line, c->b);
	if (!build_record(s, spec, &r))
		fail_msg("line %u: bad socket spec \"%s\"", c->line, c->a);
	got = sks_filter_match(f, r);
	if (got != want)
		fail_msg("line %u: \"%s\" on \"%s\": got %s, want %s", c->line, c->expr, c->a,
			 got ? "yes" : "no", c->b);
	check_bytecode(c, f, r, got);
	free(spec);
	sks_filter_free(f);
	sks_snapshot_free(s);
}

static void run_error(const struct fcase *c)
{
	struct sks_filter_error err = { 0 };
	struct sks_filter *f = NULL;
	uint64_t col;
	int r = sks_filter_parse(c->expr, strlen(c->expr), &fake_env, &f, &err);

	if (r == 0) {
		sks_filter_free(f);
		fail_msg("line %u: \"%s\" parsed, expected an error", c->line, c->expr);
	}
	assert_int_equal(r, -EINVAL);
	assert_true(parse_u64(c->b, &col));
	if (strcmp(err.message, c->a) || err.column != col)
		fail_msg("line %u: got \"%s\" at column %u, want \"%s\" at column %s", c->line,
			 err.message, err.column, c->a, c->b);
}

static void run_ast(const struct fcase *c)
{
	struct sks_filter *f = parse_ok(c);
	struct sks_buf b = SKS_BUF_INIT;

	assert_int_equal(sks_filter_format(f, &b), 0);
	if (strcmp(b.data, c->a))
		fail_msg("line %u: \"%s\" reads as \"%s\", want \"%s\"", c->line, c->expr, b.data,
			 c->a);
	sks_buf_release(&b);
	sks_filter_free(f);
}

static void run_states(const struct fcase *c)
{
	struct sks_filter *f = parse_ok(c);
	uint32_t got = 0, want = 0;
	bool has = sks_filter_states(f, &got);
	char *list = strdup(c->a), *save = NULL;

	assert_non_null(list);
	if (!strcmp(c->a, "none")) {
		if (has)
			fail_msg("line %u: states 0x%x, want none", c->line, got);
	} else {
		for (char *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
			uint32_t m;

			bool minus = w[0] == '-';

			if (!strcmp(w, "empty"))
				continue;
			if (sks_state_parse(w + minus, &m) < 0)
				fail_msg("line %u: bad state \"%s\"", c->line, w);
			want = minus ? want & ~m : want | m;
		}
		if (!has || got != want)
			fail_msg("line %u: states %s0x%x, want 0x%x", c->line, has ? "" : "none ", got,
				 want);
	}
	free(list);
	sks_filter_free(f);
}

static void run_owners(const struct fcase *c)
{
	struct sks_filter *f = parse_ok(c);

	assert_int_equal(sks_filter_needs_owners(f), !strcmp(c->a, "yes"));
	sks_filter_free(f);
}

static void run_bytecode(const struct fcase *c)
{
	struct sks_filter *f = parse_ok(c);
	struct sks_buf bc = SKS_BUF_INIT;
	int family = !strcmp(c->b, "inet6") ? AF_INET6 : AF_INET;
	char want[32];

	assert_int_equal(sks_filter_bytecode(f, family, 0, &bc), 0);
	if (!bc.len)
		snprintf(want, sizeof(want), "empty");
	else if (bc.len == 4 && bc.data[0] == 1 /* JMP */)
		snprintf(want, sizeof(want), "reject");
	else
		snprintf(want, sizeof(want), "%zu", bc.len);
	if (strcmp(want, c->a))
		fail_msg("line %u: \"%s\" compiles to %s, want %s", c->line, c->expr, want, c->a);
	if (bc.len)
		assert_int_equal(bc_audit(bc.data, bc.len), 0);
	sks_buf_release(&bc);
	sks_filter_free(f);
}

static void run_case(void **state)
{
	const struct fcase *c = *state;

	switch (c->kind) {
	case C_MATCH:
		run_match(c);
		break;
	case C_ERROR:
		run_error(c);
		break;
	case C_AST:
		run_ast(c);
		break;
	case C_STATES:
		run_states(c);
		break;
	case C_OWNERS:
		run_owners(c);
		break;
	case C_BYTECODE:
		run_bytecode(c);
		break;
	}
}

static bool read_case(char *line, unsigned lineno, struct fcase *c)
{
	static const struct {
		const char *word;
		enum case_kind kind;
		int parts; /* after the expression */
	} kinds[] = {
		{ "match", C_MATCH, 2 },  { "error", C_ERROR, 2 },   { "ast", C_AST, 1 },
		{ "states", C_STATES, 1 }, { "owners", C_OWNERS, 1 }, { "bytecode", C_BYTECODE, 2 },
	};
	char *sp = strchr(line, ' ');

	if (!sp)
		return false;
	*sp = '\0';
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char *rest = sp + 1, *p1, *p2 = NULL;

		if (strcmp(line, kinds[i].word))
			continue;
		p1 = split_last(rest);
		if (!p1)
			return false;
		if (kinds[i].parts == 2) {
			p2 = p1;
			p1 = split_last(rest);
			if (!p1)
				return false;
		}
		c->kind = kinds[i].kind;
		c->line = lineno;
		c->expr = trim(rest);
		c->a = trim(p1);
		c->b = p2 ? trim(p2) : NULL;
		snprintf(c->name, sizeof(c->name), "line %u: %s %.60s", lineno, kinds[i].word,
			 c->expr);
		return true;
	}
	return false;
}

/* ---------------------------------------------------- tests not in the table */

static void test_limits(void **state)
{
	struct sks_filter_error err;
	struct sks_filter *f = NULL;
	size_t n = SKS_FILTER_MAX_LEN + 1;
	char *big = malloc(n + 1);

	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	assert_int_equal(sks_filter_parse(big, n, &fake_env, &f, &err), -EINVAL);
	assert_string_equal(err.message, "filter longer than 65536 bytes");
	/* 65536 bytes of "sport = 1 or " chains: long but legal, linear time. */
	n = 0;
	while (n + 13 + 9 <= SKS_FILTER_MAX_LEN) {
		memcpy(big + n, "sport = 1 or ", 13);
		n += 13;
	}
	memcpy(big + n, "sport = 2", 9);
	n += 9;
	assert_int_equal(sks_filter_parse(big, n, &fake_env, &f, &err), 0);
	{
		struct sks_buf bc = SKS_BUF_INIT;

		/* ~5000 tests: too big for one attribute, so no program (user space filters). */
		assert_int_equal(sks_filter_bytecode(f, AF_INET, 0, &bc), 0);
		assert_int_equal(bc.len, 0);
		sks_buf_release(&bc);
	}
	sks_filter_free(f);
	/* NUL in the middle of the text */
	assert_int_equal(sks_filter_parse("sport = 1\0", 10, &fake_env, &f, &err), -EINVAL);
	assert_string_equal(err.message, "unexpected NUL byte");
	assert_int_equal(err.column, 10);
	/* NULL with length 0 is the empty filter */
	assert_int_equal(sks_filter_parse(NULL, 0, &fake_env, &f, NULL), 0);
	sks_filter_free(f);
	sks_filter_free(NULL);
	free(big);
}

static void test_file_syntax(void **state)
{
	static const char text[] = "# web traffic, from a -F file\n"
				   "state established\n"
				   "( dport = :https   # TLS\n"
				   "  or sport = :ssh )\n"
				   "and not src 10.0.0.0/8\n";
	static const char bad[] = "# comment\n"
				  "dport = :http\n"
				  "  or sport = :99999\n";
	struct sks_filter_error err;
	struct sks_filter *f = NULL;
	struct sks_buf b = SKS_BUF_INIT;

	(void)state;
	assert_int_equal(sks_filter_parse(text, sizeof(text) - 1, &fake_env, &f, &err), 0);
	assert_int_equal(sks_filter_format(f, &b), 0);
	assert_string_equal(b.data,
			    "state(ESTAB) ((dport == 443 or sport == 22) and not src 10.0.0.0/8)");
	sks_buf_release(&b);
	sks_filter_free(f);
	assert_int_equal(sks_filter_parse(bad, sizeof(bad) - 1, &fake_env, &f, &err), -EINVAL);
	assert_string_equal(err.message, "port 99999 out of range");
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 14);
	assert_int_equal(err.offset, 10 + 14 + 13);
}

static void test_bad_bytecode_args(void **state)
{
	struct sks_filter *f = NULL;
	struct sks_buf bc = SKS_BUF_INIT;

	(void)state;
	assert_int_equal(sks_filter_parse("sport = 1", 9, &fake_env, &f, NULL), 0);
	assert_int_equal(sks_filter_bytecode(f, AF_UNIX, 0, &bc), -EINVAL);
	assert_int_equal(sks_filter_bytecode(f, AF_INET, 1u << 20, &bc), -EINVAL);
	assert_int_equal(sks_filter_details(f), 0);
	sks_filter_free(f);
	assert_int_equal(sks_filter_parse("fwmark 1 and cgroup /", 21, &fake_env, &f, NULL), 0);
	assert_int_equal(sks_filter_details(f), SKS_DETAIL_EXTENDED);
	sks_filter_free(f);
	sks_buf_release(&bc);
}

/* The kernel-model audit rejects what the kernel rejects (checked for real in the kernel test). */
static void test_audit_model(void **state)
{
	/* {code, yes, no} triples as bytes; little-endian `no`. */
	static const uint8_t jmp_reject[] = { 1, 4, 8, 0 };
	static const uint8_t no_too_far[] = { 1, 4, 12, 0 };
	static const uint8_t yes_short[] = { 6, 0, 8, 0 };
	static const uint8_t unknown[] = { 99, 4, 8, 0 };
	static const uint8_t port_trunc[] = { 2, 8, 12, 0 };
	/* S_GE 22 whose `no` lands inside its own argument: not on the yes chain */
	static const uint8_t mid_jump[] = { 2, 8, 4, 0, 0, 0, 22, 0, 6, 4, 8, 0 };

	(void)state;
	assert_int_equal(bc_audit(jmp_reject, sizeof(jmp_reject)), 0);
	assert_int_equal(bc_audit(no_too_far, sizeof(no_too_far)), -EINVAL);
	assert_int_equal(bc_audit(yes_short, sizeof(yes_short)), -EINVAL);
	assert_int_equal(bc_audit(unknown, sizeof(unknown)), -EINVAL);
	assert_int_equal(bc_audit(port_trunc, sizeof(port_trunc)), -EINVAL);
	assert_int_equal(bc_audit(mid_jump, sizeof(mid_jump)), -EINVAL);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_file_syntax),
		cmocka_unit_test(test_bad_bytecode_args),
		cmocka_unit_test(test_audit_model),
	};
	const char *path = argc > 1 ? argv[1] : getenv("FILTER_CASES");
	struct CMUnitTest *tests = NULL;
	struct fcase *cases = NULL;
	size_t n = 0, cap = 0, lineno = 0, len = 0;
	char *line = NULL;
	FILE *fp;
	int fails;

	fails = cmocka_run_group_tests_name("filter api", fixed, NULL, NULL);
	if (!path) {
		fprintf(stderr, "usage: %s cases.txt\n", argv[0]);
		return 1;
	}
	fp = fopen(path, "re");
	if (!fp) {
		perror(path);
		return 1;
	}
	while (getline(&line, &len, fp) >= 0) {
		char *l = trim(line);

		lineno++;
		if (!*l || *l == '#')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			cases = realloc(cases, cap * sizeof(*cases));
			tests = realloc(tests, cap * sizeof(*tests));
			assert_non_null(cases);
			assert_non_null(tests);
		}
		l = strdup(l);
		assert_non_null(l);
		cases[n].buf = l;
		if (!read_case(l, (unsigned)lineno, &cases[n])) {
			fprintf(stderr, "%s:%zu: cannot read this case\n", path, lineno);
			return 1;
		}
		n++;
	}
	free(line);
	fclose(fp);
	for (size_t i = 0; i < n; i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = &cases[i];
	}
	fails += _cmocka_run_group_tests("filter cases", tests, n, NULL, NULL);
	free(tests);
	for (size_t i = 0; i < n; i++)
		free(cases[i].buf);
	free(cases);
	return fails;
}
