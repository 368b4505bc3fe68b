// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Holders before records, for a streamed dump (sks_snapshot_stream()): the
 * scan of owner.c finds every socket fd of every process, and this groups
 * them per inode in one open-addressing table whose entry points straight
 * at the inode's owners.  Each record then costs one probe as it streams
 * by, and only the holders are ever in memory (~40 bytes per socket fd at
 * peak, ~30 after), never all the records.
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
 * and inet_diag carries them as __u32.  n is the inode's owner count.
 */
struct entry {
	uint32_t ino; /* 0: empty */
	uint32_t n;
	const struct sks_owner *owners;
};

/* How many pairs ahead building prefetches their slots (a few hundred ns of misses). */
#define PREFETCH 16

struct sks_holders {
	struct sks_snapshot *s; /* the processes' and user names' arena; warnings */
	struct entry *tab;
	size_t mask;		/* slots - 1; slots a power of two */
	unsigned bits;		/* log2(slots) */
	struct sks_owner *slab; /* every inode's owners, packed */
	struct sks_join_counts cnt;
};

/*
 * Nearly the identity: the kernel hands out inodes in increasing runs, and
 * a process's fds, which the scan visits in a row, hold runs of them, so
 * building touches the table in order instead of missing the cache for
 * each fd (measured at 400k sockets: 86 ms of a 0.89 s -tanp went to
 * building with Fibonacci hashing).  A run longer than the table cannot
 * collide; the high bits folded in spread runs that are far apart.
 */
static size_t home(const struct sks_holders *h, uint32_t ino)
{
	return (size_t)(ino ^ (ino >> h->bits)) & h->mask;
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

int sks_holders_build(struct sks_holders *h, struct sks_pairs *p, enum sks_owner_mode mode)
{
	size_t slots = 16, i, k;
	uint32_t *end;

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
	/* Each pair's key becomes its inode's slot; an inode past 32 bits is no socket's. */
	for (i = 0, k = 0; i < p->n; i++) {
		size_t e;

		/* The table is far bigger than the cache: ask for slots ahead. */
		if (i + PREFETCH < p->n && p->v[i + PREFETCH].key <= UINT32_MAX)
			__builtin_prefetch(&h->tab[home(h, (uint32_t)p->v[i + PREFETCH].key)], 1);
		if (!p->v[i].key || p->v[i].key > UINT32_MAX)
			continue;
		e = find(h, (uint32_t)p->v[i].key);
		h->tab[e].ino = (uint32_t)p->v[i].key;
		p->v[k] = p->v[i];
		p->v[k++].key = e;
	}
	p->n = k;
	h->slab = malloc((p->n ? p->n : 1) * sizeof(*h->slab));
	end = malloc(slots * sizeof(*end));
	if (!h->slab || !end) {
		free(end);
		return -ENOMEM;
	}
	sks_advise_huge(h->slab, p->n * sizeof(*h->slab));
	sks_advise_huge(end, slots * sizeof(*end));
	sks_owner_group_pairs(p, slots, mode, h->slab, end);
	for (i = 0; i < slots; i++) {
		uint32_t first = i ? end[i - 1] : 0;

		h->tab[i].owners = h->slab + first;
		h->tab[i].n = end[i] - first;
	}
	free(end);
	return 0;
}

void sks_holders_attach(const struct sks_holders *h, struct sks_record *rec)
{
	rec->owners = NULL;
	rec->n_owners = 0;
	if (rec->inode && h->tab && rec->inode <= UINT32_MAX) {
		const struct entry *e = &h->tab[find(h, (uint32_t)rec->inode)];

		if (e->ino) {
			rec->owners = e->owners;
			rec->n_owners = e->n;
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
	for (i = 0; i < n; i++) {
		sks_holders_attach(h, &recs[i]);
		if (recs[i].n_owners)
			__builtin_prefetch(recs[i].owners);
	}
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
