// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Holders before records, for a streamed dump (sks_snapshot_stream()): the
 * scan of owner.c finds every socket fd of every process, and this groups
 * them per inode in one open-addressing table whose entry points straight
 * at the inode's owners.  Each record then costs one probe as it streams
 * by, and only the holders are ever in memory (~55 bytes per socket fd at
 * peak, while the scan's pairs and the table coexist; ~30 after), never
 * all the records.
 *
 * Not sks_inode_hash: that one keeps keys and values apart and maps to an
 * index, i.e. three cache misses per record (key, value, owners) on tables
 * far bigger than the cache; here one entry holds all a record needs, and a
 * batch of records is prefetched before it is resolved.
 */
#include "owner/holders.h"
#include "owner/owner_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Socket inodes are 32 bits: the kernel numbers them with get_next_ino(),
 * and inet_diag carries them as __u32.  Most sockets have one owner, kept
 * in the entry itself; an inode with several (MULTI set in n) points into
 * the slab, where they are grouped and sorted.
 */
#define MULTI (UINT32_C(1) << 31)

struct entry {
	uint32_t ino; /* 0: empty */
	uint32_t n;   /* owner count, | MULTI */
	union {
		struct sks_owner one;
		struct {
			const struct sks_owner *owners;
			uint32_t group; /* while building: its group in the slab */
		} multi;
	} u;
};

/* How many pairs ahead building prefetches their slots (a few hundred ns of misses). */
#define PREFETCH 16

struct sks_holders {
	struct sks_snapshot *s; /* the processes' and user names' arena; warnings */
	struct entry *tab;
	size_t mask;		/* slots - 1; slots a power of two */
	unsigned bits;		/* log2(slots) */
	struct sks_owner *slab; /* the owners of inodes with several, grouped */
	struct sks_join_counts cnt;
};

/*
 * Nearly the identity: the kernel hands out inodes in increasing runs, so
 * a process that made its sockets in a row has its fds land side by side
 * in the table.  Where processes made them at once (bench/loadgen.c: 1000
 * at a time) the runs interleave and it gains little over Fibonacci
 * hashing (86 -> 80 ms of building at 400k sockets); prefetching does the
 * rest.  A run shorter than the table cannot collide; the high bits
 * folded in spread runs that are far apart.
 */
static size_t home(const struct sks_holders *h, uint32_t ino)
{
	return (size_t)(ino ^ (h->bits < 32 ? ino >> h->bits : 0)) & h->mask;
}

static size_t find(const struct sks_holders *h, uint32_t ino)
{
	size_t i = home(h, ino);

	while (h->tab[i].ino && h->tab[i].ino != ino)
		i = (i + 1) & h->mask;
	return i;
}

int sks_holders_new(struct sks_snapshot *own, struct sks_holders **ret)
{
	struct sks_holders *h = calloc(1, sizeof(*h));

	*ret = h;
	if (!h) {
		sks_snapshot_free(own);
		return -ENOMEM;
	}
	h->s = own;
	return 0;
}

struct sks_snapshot *sks_holders_snapshot(struct sks_holders *h)
{
	return h->s;
}

void sks_holders_set_counts(struct sks_holders *h, const struct sks_join_counts *cnt)
{
	h->cnt = *cnt;
}

const struct sks_join_counts *sks_holders_counts(const struct sks_holders *h)
{
	return &h->cnt;
}

/* Move entry e's single owner to the extra pairs, which group its owners. */
static int make_multi(struct entry *e, uint32_t *n_groups, struct sks_pairs *extra)
{
	const struct sks_owner *o = &e->u.one;
	int r = sks_pairs_push(extra, o->proc, *n_groups, o->tid, o->fd);

	if (r < 0)
		return r;
	e->u.multi.group = (*n_groups)++;
	e->n |= MULTI;
	return 0;
}

int sks_holders_build(struct sks_holders *h, struct sks_pairs *p, enum sks_owner_mode mode)
{
	struct sks_pairs extra = { NULL, 0, 0 };
	size_t slots = 16, i;
	uint32_t n_groups = 0, *end = NULL;
	int r = 0;

	if (!p->n)
		return 0;
	/* At most 80% full: a probe stays within a cache line or two. */
	while (slots - slots / 5 < p->n) {
		if (slots > SIZE_MAX / 2 / sizeof(*h->tab))
			return -ENOMEM;
		slots *= 2;
	}
	h->tab = calloc(slots, sizeof(*h->tab));
	if (!h->tab)
		return -ENOMEM;
	sks_advise_huge(h->tab, slots * sizeof(*h->tab));
	h->mask = slots - 1;
	while (((size_t)1 << h->bits) < slots)
		h->bits++;
	/*
	 * One pass: a first owner goes into its entry, and any further one
	 * (shared sockets, threads) into extra, keyed by its inode's group.
	 * An inode past 32 bits is no socket's.
	 */
	for (i = 0; i < p->n; i++) {
		const struct sks_pair *q = &p->v[i];
		struct entry *e;

		/* The table is far bigger than the cache: ask for slots ahead. */
		if (i + PREFETCH < p->n && p->v[i + PREFETCH].key <= UINT32_MAX)
			__builtin_prefetch(&h->tab[home(h, (uint32_t)p->v[i + PREFETCH].key)], 1);
		if (!q->key || q->key > UINT32_MAX)
			continue;
		e = &h->tab[find(h, (uint32_t)q->key)];
		if (!e->ino) {
			e->ino = (uint32_t)q->key;
			e->n = 1;
			e->u.one = (struct sks_owner){ q->proc, q->tid, q->fd };
			continue;
		}
		if (!(e->n & MULTI)) {
			r = make_multi(e, &n_groups, &extra);
			if (r < 0)
				goto out;
		}
		r = sks_pairs_push(&extra, q->proc, e->u.multi.group, q->tid, q->fd);
		if (r < 0)
			goto out;
		e->n++;
	}
	sks_pairs_release(p);
	if (!n_groups)
		goto out;
	h->slab = malloc(extra.n * sizeof(*h->slab));
	end = malloc(n_groups * sizeof(*end));
	if (!h->slab || !end) {
		r = -ENOMEM;
		goto out;
	}
	sks_owner_group_pairs(&extra, n_groups, mode, h->slab, end);
	for (i = 0; i < slots; i++) {
		struct entry *e = &h->tab[i];
		uint32_t g, first;

		if (!(e->n & MULTI))
			continue;
		g = e->u.multi.group;
		first = g ? end[g - 1] : 0;
		e->u.multi.owners = h->slab + first;
		e->n = MULTI | (end[g] - first);
	}
out:
	free(end);
	sks_pairs_release(&extra);
	return r;
}

void sks_holders_attach(const struct sks_holders *h, struct sks_record *rec)
{
	rec->owners = NULL;
	rec->n_owners = 0;
	if (rec->inode && h->tab && rec->inode <= UINT32_MAX) {
		const struct entry *e = &h->tab[find(h, (uint32_t)rec->inode)];

		if (e->ino) {
			rec->owners = e->n & MULTI ? e->u.multi.owners : &e->u.one;
			rec->n_owners = e->n & ~MULTI;
		}
	}
	rec->no_owner = (uint8_t)sks_owner_reason(rec, h->cnt.procs_denied, h->cnt.procs_vanished);
}

void sks_holders_prepare(const void *data, struct sks_record *recs, size_t n)
{
	const struct sks_holders *h = data;
	size_t i;

	/*
	 * The table is far bigger than the cache and the dump's order is
	 * random to it: start every miss of the batch before waiting on one.
	 */
	if (h->tab)
		for (i = 0; i < n; i++)
			if (recs[i].inode && recs[i].inode <= UINT32_MAX)
				__builtin_prefetch(&h->tab[home(h, (uint32_t)recs[i].inode)]);
	for (i = 0; i < n; i++)
		sks_holders_attach(h, &recs[i]);
}

void sks_holders_add_stats(const struct sks_holders *h, struct sks_stats *st)
{
	sks_owner_add_counts(st, &h->cnt);
}

void sks_holders_free(struct sks_holders *h)
{
	if (!h)
		return;
	free(h->tab);
	free(h->slab);
	sks_snapshot_free(h->s);
	free(h);
}
