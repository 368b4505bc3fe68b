/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A growing open-addressing hash from a non-zero 64-bit key (a socket inode,
 * or a uid + 1) to a 32-bit value (a record index).  It doubles before it is
 * 70% full, so lookups stay O(1) at any size: the fixed 211/256-bucket tables
 * of netstat and ss are why their -p goes quadratic.
 */
#ifndef SKS_INODE_HASH_H
#define SKS_INODE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sks_inode_hash {
	uint64_t *keys; /* 0 marks an empty slot */
	uint32_t *vals;
	size_t cap;     /* slots, a power of two (0 before the first insert) */
	size_t n;       /* keys stored */
	unsigned shift; /* 64 - log2(cap) */
};

#define SKS_INODE_HASH_INIT { NULL, NULL, 0, 0, 0 }

/* Reserve room for expect keys.  Returns 0 or -ENOMEM. */
int sks_inode_hash_reserve(struct sks_inode_hash *h, size_t expect);
void sks_inode_hash_release(struct sks_inode_hash *h);

/*
 * Map key to val.  Returns 0 when key was new, 1 when it was present (its
 * previous value is stored in *ret_old, if not NULL, and replaced), -EINVAL
 * for key 0, -ENOMEM.
 */
int sks_inode_hash_put(struct sks_inode_hash *h, uint64_t key, uint32_t val, uint32_t *ret_old);

/* true and *ret_val when key is present. */
bool sks_inode_hash_get(const struct sks_inode_hash *h, uint64_t key, uint32_t *ret_val);

/*
 * The longest probe sequence any stored key needs (1: found in its home
 * slot).  Walks the table: for tests and diagnostics, not the hot path.
 */
size_t sks_inode_hash_max_probe(const struct sks_inode_hash *h);

#endif
