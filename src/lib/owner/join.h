/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals shared by the owner join's two sources of holders, the /proc
 * scan (owner.c) and the BPF iterator (join_bpf.c): the inode index they
 * look records up in, the (holder, record) pairs they produce, and their
 * counters.  Grouping pairs into records and the missing-owner reasons are
 * common (owner.c).
 */
#ifndef SKS_OWNER_JOIN_H
#define SKS_OWNER_JOIN_H

#include "owner/inode_hash.h"
#include "owner/owner.h"
#include "owner/proc_info.h"

#define SKS_NO_REC UINT32_MAX
#define SKS_NO_REF UINT64_MAX

/*
 * One holder found; grouped once the scan is over.  key is a record index
 * when the records are known first (sks_owner_join()), or the socket inode
 * when every socket is wanted (sks_holders_collect(), before a streamed dump).
 */
struct sks_pair {
	const struct sks_process *proc;
	uint64_t key;
	int32_t tid;
	int32_t fd;
};

struct sks_pairs {
	struct sks_pair *v;
	size_t n, cap;
};

/* Append one pair; 0 or -ENOMEM (at most UINT32_MAX: n_owners is 32 bits). */
int sks_pairs_push(struct sks_pairs *p, const struct sks_process *proc, uint64_t key,
		   int32_t tid, int32_t fd);
/* Room for n pairs in all (one allocation instead of doublings); 0 or -ENOMEM. */
int sks_pairs_reserve(struct sks_pairs *p, size_t n);
void sks_pairs_release(struct sks_pairs *p);

/*
 * What the join looks for: inode -> first record; next[] chains records
 * sharing an inode.  With all set there are no records yet: every socket
 * is wanted and the index is empty.
 */
struct sks_join_index {
	struct sks_inode_hash inodes;
	uint32_t *next; /* next record with the same inode, or SKS_NO_REC */
	bool all;
};

/* What to pair a socket fd with: its first record, the inode itself (all), or SKS_NO_REF. */
static inline uint64_t sks_join_find(const struct sks_join_index *ix, uint64_t ino)
{
	uint32_t rec;

	if (ix->all)
		return ino;
	return sks_inode_hash_get(&ix->inodes, ino, &rec) ? rec : SKS_NO_REF;
}

/* Append a pair for ref (sks_join_find()): for every record of its chain, or for the inode. */
static inline int sks_join_push_chain(const struct sks_join_index *ix, struct sks_pairs *p,
				      const struct sks_process *proc, uint64_t ref, int32_t tid,
				      int32_t fd)
{
	if (ref == SKS_NO_REF)
		return 0;
	if (ix->all)
		return sks_pairs_push(p, proc, ref, tid, fd);
	for (uint32_t rec = (uint32_t)ref; rec != SKS_NO_REC; rec = ix->next[rec]) {
		int r = sks_pairs_push(p, proc, rec, tid, fd);

		if (r < 0)
			return r;
	}
	return 0;
}

/* Counters of one source (or one worker thread), added to the snapshot's stats. */
struct sks_join_counts {
	uint64_t procs_scanned, procs_vanished, procs_denied, fds_scanned, socket_fds;
};

/*
 * Group the pairs by key (< n_groups) with a counting sort (linear,
 * stable) into slab (pairs.n entries), each group sorted by pid, tid, fd
 * and, in process mode, each (process, fd) once; group g's owners end up
 * in slab[g ? end[g - 1] : 0, end[g]).  end has n_groups entries.
 */
void sks_owner_group_pairs(const struct sks_pairs *p, size_t n_groups, enum sks_owner_mode mode,
			   struct sks_owner *slab, uint32_t *end);
/* Add one source's counters to st. */
void sks_owner_add_counts(struct sks_stats *st, const struct sks_join_counts *c);

#endif
