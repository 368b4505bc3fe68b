// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * --sort: a stable sort of the snapshot by a list of fields, each
 * ascending or reversed.  Values compare by meaning, not by text:
 * addresses numerically, queues and ids as numbers, states in the
 * kernel's order.  Sorting an index array keeps it stable (qsort is not)
 * and moves each record once.
 */
#include "view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct sort_ctx {
	const struct sks_record *recs;
	const struct sks_sort_key *keys;
	size_t n;
};

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static int cmp_bytes(const void *a, size_t la, const void *b, size_t lb)
{
	int c = memcmp(a ? a : "", b ? b : "", la < lb ? la : lb);

	return c ? c : cmp_u64(la, lb);
}

static bool is_inet(const struct sks_record *r)
{
	return r->proto <= SKS_PROTO_RAW;
}

/* Inet records first, by (family, address[, port]); then the others by their own "address". */
static int cmp_where(const struct sks_record *a, const struct sks_record *b, bool local,
		     bool addr, bool port)
{
	int c;

	if (is_inet(a) != is_inet(b))
		return is_inet(a) ? -1 : 1;
	if (is_inet(a)) {
		const struct sks_endpoint *x = local ? &a->inet.local : &a->inet.peer;
		const struct sks_endpoint *y = local ? &b->inet.local : &b->inet.peer;

		c = 0;
		if (addr) {
			c = cmp_u64(x->family, y->family);
			if (!c)
				c = memcmp(x->addr, y->addr, x->family == AF_INET ? 4 : 16);
		}
		return c || !port ? c : cmp_u64(x->port, y->port);
	}
	c = cmp_u64(a->proto, b->proto);
	if (c)
		return c;
	if (a->proto == SKS_PROTO_UNIX)
		return local ? cmp_bytes(a->unx.path, a->unx.path_len, b->unx.path, b->unx.path_len)
			     : cmp_u64(a->unx.peer_inode, b->unx.peer_inode);
	if (a->proto == SKS_PROTO_NETLINK && local)
		return cmp_u64(a->netlink.protocol, b->netlink.protocol);
	if (a->proto == SKS_PROTO_PACKET && local)
		return cmp_u64(a->packet.protocol, b->packet.protocol);
	return 0;
}

static const char *name_of(const struct sks_process *p)
{
	return !p ? NULL : p->name ? p->name : p->comm;
}

/* The first owner's value: records without owners sort first. */
static int cmp_owner(const struct sks_record *a, const struct sks_record *b, enum sks_field f)
{
	const struct sks_process *p = a->n_owners ? a->owners[0].proc : NULL;
	const struct sks_process *q = b->n_owners ? b->owners[0].proc : NULL;

	if (!a->n_owners || !b->n_owners)
		return cmp_u64(a->n_owners != 0, b->n_owners != 0);
	switch (f) {
	case SKS_FIELD_PID:
		return cmp_u64((uint64_t)(p ? p->pid : 0), (uint64_t)(q ? q->pid : 0));
	case SKS_FIELD_FD:
		return cmp_u64((uint32_t)a->owners[0].fd, (uint32_t)b->owners[0].fd);
	case SKS_FIELD_PROCESS:
		return cmp_bytes(name_of(p), p && p->name ? p->name_len : p ? p->comm_len : 0,
				 name_of(q), q && q->name ? q->name_len : q ? q->comm_len : 0);
	case SKS_FIELD_USER:
		if (p && q && p->user && q->user)
			return strcmp(p->user, q->user);
		return cmp_u64(p ? p->uid : 0, q ? q->uid : 0);
	default:
		return 0;
	}
}

static int cmp_key(const struct sks_record *a, const struct sks_record *b, enum sks_field f)
{
	switch (f) {
	case SKS_FIELD_NETID:
		return cmp_u64(sks_record_table(a), sks_record_table(b));
	case SKS_FIELD_PROTO:
		return cmp_u64(a->proto, b->proto);
	case SKS_FIELD_FAMILY:
		return cmp_u64(a->family, b->family);
	case SKS_FIELD_TYPE:
		return cmp_u64(a->type, b->type);
	case SKS_FIELD_STATE:
		return cmp_u64(a->state, b->state);
	case SKS_FIELD_RECV_Q:
		return cmp_u64(a->rqueue, b->rqueue);
	case SKS_FIELD_SEND_Q:
		return cmp_u64(a->wqueue, b->wqueue);
	case SKS_FIELD_LOCAL:
		return cmp_where(a, b, true, true, true);
	case SKS_FIELD_LOCAL_ADDR:
		return cmp_where(a, b, true, true, false);
	case SKS_FIELD_LOCAL_PORT:
		return cmp_where(a, b, true, false, true);
	case SKS_FIELD_PEER:
		return cmp_where(a, b, false, true, true);
	case SKS_FIELD_PEER_ADDR:
		return cmp_where(a, b, false, true, false);
	case SKS_FIELD_PEER_PORT:
		return cmp_where(a, b, false, false, true);
	case SKS_FIELD_UID:
		return cmp_u64(a->uid, b->uid);
	case SKS_FIELD_INODE:
		return cmp_u64(a->inode, b->inode);
	case SKS_FIELD_COOKIE:
		return cmp_u64(a->cookie, b->cookie);
	case SKS_FIELD_INTERFACE: /* the device fields.c shows: packet sockets' own */
		return cmp_u64(a->proto == SKS_PROTO_PACKET ? a->packet.ifindex : a->ifindex,
			       b->proto == SKS_PROTO_PACKET ? b->packet.ifindex : b->ifindex);
	case SKS_FIELD_PID:
	case SKS_FIELD_PROCESS:
	case SKS_FIELD_USER:
	case SKS_FIELD_FD:
		return cmp_owner(a, b, f);
	default:
		return 0;
	}
}

static int cmp_index(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *sc = arg;
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb, k;

	for (k = 0; k < sc->n; k++) {
		int c = cmp_key(&sc->recs[ia], &sc->recs[ib], sc->keys[k].field);

		if (c)
			return sc->keys[k].reverse ? -c : c;
	}
	return cmp_u64(ia, ib); /* stable */
}

int sks_snapshot_sort_by(struct sks_snapshot *snap, const struct sks_sort_key *keys, size_t n)
{
	struct sort_ctx sc = { snap->recs, keys, n };
	struct sks_record *sorted;
	size_t *idx, i;

	for (i = 0; i < n; i++)
		if ((unsigned)keys[i].field >= SKS_FIELD_COUNT)
			return -EINVAL;
	if (snap->n < 2 || !n)
		return 0;
	idx = malloc(snap->n * sizeof(*idx));
	sorted = malloc(snap->n * sizeof(*sorted));
	if (!idx || !sorted) {
		free(idx);
		free(sorted);
		return -ENOMEM;
	}
	for (i = 0; i < snap->n; i++)
		idx[i] = i;
	qsort_r(idx, snap->n, sizeof(*idx), cmp_index, &sc);
	for (i = 0; i < snap->n; i++)
		sorted[i] = snap->recs[idx[i]];
	free(snap->recs);
	snap->recs = sorted;
	snap->cap = snap->n;
	free(idx);
	return 0;
}

void sks_snapshot_truncate(struct sks_snapshot *snap, size_t n)
{
	/* The stats still describe the collection: records = what was collected. */
	if (n < snap->n)
		snap->n = n;
}
