// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Filter evaluation in user space: the last word on every record, whether
 * or not the kernel already ran the compiled bytecode (which only ever
 * accepts a superset).  Also the static questions the collector asks
 * before collecting: which states, whether owners and details are needed.
 */
#include "filter.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static bool is_inet(const struct sks_record *r)
{
	return r->family == AF_INET || r->family == AF_INET6;
}

static bool cmp_ok(enum cmp c, uint64_t a, uint64_t b)
{
	switch (c) {
	case CMP_GE:
		return a >= b;
	case CMP_LE:
		return a <= b;
	default:
		return a == b;
	}
}

/* The first `bits` bits of a and b agree (the kernel's bitstring_match()). */
static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned bytes = bits / 8, rem = bits % 8;

	if (memcmp(a, b, bytes))
		return false;
	if (!rem)
		return true;
	return !((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - rem)));
}

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static bool match_inet_host(const struct host *h, const struct sks_record *r, enum dir dir)
{
	const struct sks_endpoint *ep = dir == DIR_SRC ? &r->inet.local : &r->inet.peer;
	unsigned fam = ep->family ? ep->family : r->family;

	if (h->port >= 0 && ep->port != h->port)
		return false;
	if (h->family == AF_UNSPEC)
		return true;
	if (h->family == AF_INET) {
		/* An IPv4 rule also matches IPv4-mapped IPv6 addresses, as the kernel does. */
		if (fam == AF_INET)
			return prefix_eq(ep->addr, h->addr, h->prefix_len);
		return fam == AF_INET6 && !memcmp(ep->addr, v4mapped, sizeof(v4mapped)) &&
		       prefix_eq(ep->addr + 12, h->addr, h->prefix_len);
	}
	return fam == AF_INET6 && prefix_eq(ep->addr, h->addr, h->prefix_len);
}

/*
 * fnmatch(3) wants a C string; paths may hold NUL bytes (abstract names
 * always start with one).  Like ss, show an abstract name as "@name" and
 * every NUL as '@'; an unbound socket is "*".
 */
static bool match_unix_path(const char *glob, const struct sks_record *r)
{
	char stack[256], *buf = stack;
	size_t n = r->unx.path_len, len = 0;
	bool ok;

	if (!r->unx.path || !n)
		return !fnmatch(glob, "*", 0);
	if (n + 2 > sizeof(stack)) {
		buf = malloc(n + 2);
		if (!buf)
			return false;
	}
	if (r->unx.abstract)
		buf[len++] = '@';
	for (size_t i = 0; i < n; i++)
		buf[len++] = r->unx.path[i] ? r->unx.path[i] : '@';
	buf[len] = '\0';
	ok = !fnmatch(glob, buf, 0);
	if (buf != stack)
		free(buf);
	return ok;
}

static bool match_host(const struct host *h, const struct sks_record *r, enum dir dir)
{
	switch (h->family) {
	case AF_UNSPEC:
		if (h->port < 0)
			return true;
		return is_inet(r) && match_inet_host(h, r, dir);
	case AF_INET:
	case AF_INET6:
		return is_inet(r) && match_inet_host(h, r, dir);
	case AF_UNIX:
		return r->proto == SKS_PROTO_UNIX && dir == DIR_SRC && match_unix_path(h->glob, r);
	case AF_PACKET:
		return r->proto == SKS_PROTO_PACKET && dir == DIR_SRC &&
		       (h->proto < 0 || h->proto == r->packet.protocol) &&
		       (h->port < 0 || h->port == r->packet.ifindex);
	case AF_NETLINK:
		return r->proto == SKS_PROTO_NETLINK &&
		       (h->proto < 0 || h->proto == r->netlink.protocol) &&
		       (h->port < 0 ||
			h->port == (dir == DIR_SRC ? r->netlink.portid : r->netlink.dst_portid));
	}
	return false;
}

static bool match_name(const char *glob, const char *s, uint32_t len)
{
	char stack[256], *buf = stack;
	bool ok;

	if (!s)
		return false;
	if ((size_t)len + 1 > sizeof(stack)) {
		buf = malloc((size_t)len + 1);
		if (!buf)
			return false;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	ok = !fnmatch(glob, buf, 0);
	if (buf != stack)
		free(buf);
	return ok;
}

static bool match_owner(const struct node *n, const struct sks_process *p)
{
	switch (n->kind) {
	case N_PID:
		return p->pid >= 0 && cmp_ok(n->cmp, (uint64_t)p->pid, n->u.num);
	case N_USER:
		return cmp_ok(n->cmp, p->uid, n->u.num);
	case N_COMM:
		return match_name(n->u.glob, p->comm, p->comm_len) ||
		       match_name(n->u.glob, p->name, p->name_len);
	}
	return false;
}

static bool match_node(const struct node *n, const struct sks_record *r)
{
	const struct node *k;

	switch (n->kind) {
	case N_TRUE:
		return true;
	case N_FALSE:
		return false;
	case N_AND:
		for (k = n->kid; k; k = k->next) {
			if (!match_node(k, r))
				return false;
		}
		return true;
	case N_OR:
		for (k = n->kid; k; k = k->next) {
			if (match_node(k, r))
				return true;
		}
		return false;
	case N_NOT:
		return !match_node(n->kid, r);
	case N_STATE:
		return r->state <= SKS_STATE_MAX && (n->u.states & (1u << r->state));
	case N_HOST:
		return match_host(&n->u.host, r, (enum dir)n->dir);
	case N_PORT:
		return is_inet(r) &&
		       cmp_ok(n->cmp, n->dir == DIR_SRC ? r->inet.local.port : r->inet.peer.port,
			      n->u.num);
	case N_DEV:
		return (r->proto == SKS_PROTO_PACKET && !r->ifindex ? r->packet.ifindex
								     : r->ifindex) == n->u.num;
	case N_MARK:
		return (r->mark & n->u.mark.mask) == n->u.mark.value;
	case N_CGROUP:
		return r->cgroup_id == n->u.cgroup;
	case N_AUTOBOUND:
		/*
		 * Records carry no SOCK_BINDPORT_LOCK, and the kernel's own test
		 * counts accepted connections too: "autobound" is the local port
		 * lying in the ephemeral range, as in ss's user-space check.
		 */
		return is_inet(r) && r->inet.local.port >= n->u.range.low &&
		       r->inet.local.port <= n->u.range.high;
	case N_UID:
		return cmp_ok(n->cmp, r->uid, n->u.num);
	case N_PID:
	case N_USER:
	case N_COMM:
		for (uint32_t i = 0; i < r->n_owners; i++) {
			const struct sks_process *p = r->owners[i].proc;

			if (p && match_owner(n, p))
				return true;
		}
		return false;
	}
	return false;
}

bool sks_filter_match(const struct sks_filter *f, const struct sks_record *rec)
{
	if (f->has_states && (rec->state > SKS_STATE_MAX || !(f->states & (1u << rec->state))))
		return false;
	return match_node(f->root, rec);
}

#define STATES_UNIVERSE ((1u << (SKS_STATE_MAX + 1)) - 1)
#define BOUND_INACTIVE (1u << SKS_STATE_BOUND_INACTIVE)

uint32_t filter_node_states(const struct node *n)
{
	const struct node *k;
	uint32_t m;

	switch (n->kind) {
	case N_STATE:
		return n->u.states;
	case N_FALSE:
		return 0;
	case N_AND:
		m = STATES_UNIVERSE;
		for (k = n->kid; k; k = k->next)
			m &= filter_node_states(k);
		return m;
	case N_OR:
		m = 0;
		for (k = n->kid; k; k = k->next)
			m |= filter_node_states(k);
		return m;
	default:
		/* Unconstrained; under "not" we do not try to be clever. */
		return STATES_UNIVERSE;
	}
}

/* Does a state word in the subtree name state bit `bit`? */
static bool names_state(const struct node *n, uint32_t bit)
{
	if (n->kind == N_STATE)
		return n->u.states & bit;
	for (const struct node *k = n->kid; k; k = k->next) {
		if (names_state(k, bit))
			return true;
	}
	return false;
}

bool filter_node_has_state(const struct node *n)
{
	if (n->kind == N_STATE)
		return true;
	for (const struct node *k = n->kid; k; k = k->next) {
		if (filter_node_has_state(k))
			return true;
	}
	return false;
}

bool sks_filter_states(const struct sks_filter *f, uint32_t *ret_mask)
{
	uint32_t m;

	if (!f->has_states && !filter_node_has_state(f->root))
		return false;
	m = filter_node_states(f->root);
	if (f->has_states)
		m &= f->states;
	/*
	 * Asking for bound-inactive sockets makes the kernel walk the bind
	 * table: only when a state word names them, never as "any state".
	 */
	if (!(f->has_states && (f->states & BOUND_INACTIVE)) && !names_state(f->root, BOUND_INACTIVE))
		m &= ~BOUND_INACTIVE;
	*ret_mask = m;
	return true;
}

bool sks_filter_needs_owners(const struct sks_filter *f)
{
	return f->owners;
}

uint32_t sks_filter_details(const struct sks_filter *f)
{
	return f->details;
}
