// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The snapshot: a growing array of plain records plus the arena their
 * strings live in.  Collectors append here; the owner join fills owners in;
 * views and the CLI only read it.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

uint64_t sks_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct sks_snapshot *sks_snap_new(const struct sks_ctx *ctx)
{
	struct sks_snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (ctx) {
		s->tables = ctx->tables;
		s->families = ctx->families;
		s->states = ctx->states;
		s->details = ctx->details;
		s->warn = ctx->warn;
		s->warn_data = ctx->warn_data;
	} else {
		s->tables = SKS_TABLE_ALL;
		s->families = SKS_INET4 | SKS_INET6;
		s->states = SKS_STATES_ALL;
	}
	return s;
}

struct sks_record *sks_snap_add(struct sks_snapshot *s)
{
	struct sks_record *r;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct sks_record *p;

		if (cap > SIZE_MAX / sizeof(*p))
			return NULL;
		p = realloc(s->recs, cap * sizeof(*p));
		if (!p)
			return NULL;
		s->recs = p;
		s->cap = cap;
	}
	r = &s->recs[s->n++];
	memset(r, 0, sizeof(*r));
	s->stats.records = s->streamed + s->n;
	return r;
}

void sks_snap_drop_last(struct sks_snapshot *s)
{
	if (s->n) {
		s->n--;
		s->stats.records = s->streamed + s->n;
	}
}

int sks_snap_stream_point(struct sks_snapshot *s, bool force)
{
	size_t i;

	if (!s->sink || !s->n || (!force && s->n < SKS_STREAM_BATCH))
		return 0;
	if (s->prepare)
		s->prepare(s->prepare_data, s->recs, s->n);
	for (i = 0; i < s->n; i++) {
		int r = s->sink(s->sink_data, &s->recs[i]);

		if (r < 0)
			return r;
	}
	s->streamed += s->n;
	s->n = 0;
	sks_arena_release(&s->arena);
	return 0;
}

bool sks_snap_wants_state(const struct sks_snapshot *s, unsigned state)
{
	return state <= SKS_STATE_MAX && (s->states & (1u << state));
}

bool sks_snap_wants_family(const struct sks_snapshot *s, unsigned af)
{
	if (af == AF_INET)
		return s->families & SKS_INET4;
	if (af == AF_INET6)
		return s->families & SKS_INET6;
	return true;
}

void *sks_snap_alloc(struct sks_snapshot *s, size_t n)
{
	return sks_arena_alloc(&s->arena, n);
}

char *sks_snap_memdup(struct sks_snapshot *s, const void *src, size_t n)
{
	return sks_arena_memdup(&s->arena, src, n);
}

void sks_snap_warn(struct sks_snapshot *s, enum sks_warn kind, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	s->stats.warnings++;
	if (!s->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->warn(s->warn_data, kind, err, msg);
}

void sks_snapshot_free(struct sks_snapshot *snap)
{
	if (!snap)
		return;
	sks_arena_release(&snap->arena);
	sks_buf_release(&snap->bytecode4);
	sks_buf_release(&snap->bytecode6);
	free(snap->recs);
	free(snap);
}

size_t sks_snapshot_count(const struct sks_snapshot *snap)
{
	return snap->n;
}

const struct sks_record *sks_snapshot_record(const struct sks_snapshot *snap, size_t i)
{
	return i < snap->n ? &snap->recs[i] : NULL;
}

const struct sks_stats *sks_snapshot_stats(const struct sks_snapshot *snap)
{
	return &snap->stats;
}

uint32_t sks_record_table(const struct sks_record *rec)
{
	switch (rec->proto) {
	case SKS_PROTO_TCP:
		return SKS_TABLE_TCP;
	case SKS_PROTO_UDP:
		return SKS_TABLE_UDP;
	case SKS_PROTO_RAW:
		return SKS_TABLE_RAW;
	case SKS_PROTO_UNIX:
		if (rec->type == SOCK_STREAM)
			return SKS_TABLE_UNIX_STREAM;
		if (rec->type == SOCK_DGRAM)
			return SKS_TABLE_UNIX_DGRAM;
		if (rec->type == SOCK_SEQPACKET)
			return SKS_TABLE_UNIX_SEQPACKET;
		return 0;
	case SKS_PROTO_PACKET:
		return rec->type == SOCK_DGRAM ? SKS_TABLE_PACKET_DGRAM : SKS_TABLE_PACKET_RAW;
	case SKS_PROTO_NETLINK:
		return SKS_TABLE_NETLINK;
	}
	return 0;
}

static int cmp_endpoint(const struct sks_endpoint *a, const struct sks_endpoint *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
	if (c)
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_record(const void *pa, const void *pb)
{
	const struct sks_record *a = pa, *b = pb;
	uint32_t ta = sks_record_table(a), tb = sks_record_table(b);
	int c;

	if (ta != tb)
		return ta < tb ? -1 : 1;
	switch (a->proto) {
	case SKS_PROTO_TCP:
	case SKS_PROTO_UDP:
	case SKS_PROTO_RAW:
		c = cmp_endpoint(&a->inet.local, &b->inet.local);
		if (!c)
			c = cmp_endpoint(&a->inet.peer, &b->inet.peer);
		break;
	case SKS_PROTO_UNIX: {
		size_t la = a->unx.path_len, lb = b->unx.path_len;

		c = memcmp(a->unx.path ? a->unx.path : "", b->unx.path ? b->unx.path : "",
			   la < lb ? la : lb);
		if (!c)
			c = cmp_u64(la, lb);
		break;
	}
	case SKS_PROTO_NETLINK:
		c = cmp_u64(a->netlink.protocol, b->netlink.protocol);
		if (!c)
			c = cmp_u64(a->netlink.portid, b->netlink.portid);
		break;
	default:
		c = 0;
	}
	return c ? c : cmp_u64(a->inode, b->inode);
}

void sks_snapshot_sort(struct sks_snapshot *snap)
{
	if (snap->n > 1)
		qsort(snap->recs, snap->n, sizeof(*snap->recs), cmp_record);
}
