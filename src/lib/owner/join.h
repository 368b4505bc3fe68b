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

/* One holder found; grouped per record once the scan is over. */
struct sks_pair {
	const struct sks_process *proc;
	uint32_t rec;
	int32_t tid;
	int32_t fd;
};

struct sks_pairs {
	struct sks_pair *v;
	size_t n, cap;
};

/* Append one pair; 0 or -ENOMEM (at most UINT32_MAX: n_owners is 32 bits). */
int sks_pairs_push(struct sks_pairs *p, const struct sks_process *proc, uint32_t rec,
		   int32_t tid, int32_t fd);
void sks_pairs_release(struct sks_pairs *p);

/* What the join looks for: inode -> first record; next[] chains records sharing an inode. */
struct sks_join_index {
	struct sks_inode_hash inodes;
	uint32_t *next; /* next record with the same inode, or SKS_NO_REC */
};

/* The first record of inode ino, or SKS_NO_REC. */
static inline uint32_t sks_join_first(const struct sks_join_index *ix, uint64_t ino)
{
	uint32_t rec;

	return sks_inode_hash_get(&ix->inodes, ino, &rec) ? rec : SKS_NO_REC;
}

/* Append a pair for every record of the chain starting at rec. */
static inline int sks_join_push_chain(const struct sks_join_index *ix, struct sks_pairs *p,
				      const struct sks_process *proc, uint32_t rec, int32_t tid,
				      int32_t fd)
{
	for (; rec != SKS_NO_REC; rec = ix->next[rec]) {
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

#endif
