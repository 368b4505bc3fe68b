// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Growing open-addressing hash (linear probing) that maps socket inodes to
 * record indices for the owner join, and uids to cached user names.  Keys and
 * values live in separate arrays so a probe touches one cache line of keys.
 * Written by hand: glibc's hsearch is global/fixed-size and the join needs
 * "insert or tell me the old value" to chain records that share an inode.
 */
#include "owner/inode_hash.h"

#include <errno.h>
#include <stdlib.h>

#define MIN_CAP ((size_t)16)
/* Far above any real size; keeps cap * sizeof(key) from overflowing size_t. */
#define MAX_CAP ((size_t)1 << (sizeof(size_t) * 8 - 5))

/*
 * murmur3's 64-bit finaliser: every key bit reaches the top bits we index
 * with, so sequential inodes (get_next_ino() hands them out in per-cpu
 * batches) spread evenly.
 */
static uint64_t mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

static size_t home(const struct sks_inode_hash *h, uint64_t key)
{
	return (size_t)(mix(key) >> h->shift);
}

static int rehash(struct sks_inode_hash *h, size_t cap, unsigned bits)
{
	uint64_t *keys = calloc(cap, sizeof(*keys));
	uint32_t *vals = malloc(cap * sizeof(*vals));
	struct sks_inode_hash nh = { keys, vals, cap, h->n, 64 - bits };
	size_t i;

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (i = 0; i < h->cap; i++) {
		size_t j;

		if (!h->keys[i])
			continue;
		j = home(&nh, h->keys[i]);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = h->keys[i];
		vals[j] = h->vals[i];
	}
	free(h->keys);
	free(h->vals);
	*h = nh;
	return 0;
}

int sks_inode_hash_reserve(struct sks_inode_hash *h, size_t expect)
{
	size_t cap = MIN_CAP;
	unsigned bits = 4;

	/* Keep the load at or below 70%: linear probing degrades fast past that. */
	while (cap / 10 * 7 < expect) {
		if (cap >= MAX_CAP)
			return -ENOMEM;
		cap <<= 1;
		bits++;
	}
	if (cap <= h->cap)
		return 0;
	return rehash(h, cap, bits);
}

void sks_inode_hash_release(struct sks_inode_hash *h)
{
	free(h->keys);
	free(h->vals);
	*h = (struct sks_inode_hash)SKS_INODE_HASH_INIT;
}

int sks_inode_hash_put(struct sks_inode_hash *h, uint64_t key, uint32_t val, uint32_t *ret_old)
{
	size_t i;
	int r;

	if (!key)
		return -EINVAL;
	if (h->n >= h->cap / 10 * 7) {
		r = sks_inode_hash_reserve(h, h->n + 1);
		if (r < 0)
			return r;
	}
	for (i = home(h, key); h->keys[i]; i = (i + 1) & (h->cap - 1)) {
		if (h->keys[i] == key) {
			if (ret_old)
				*ret_old = h->vals[i];
			h->vals[i] = val;
			return 1;
		}
	}
	h->keys[i] = key;
	h->vals[i] = val;
	h->n++;
	return 0;
}

bool sks_inode_hash_get(const struct sks_inode_hash *h, uint64_t key, uint32_t *ret_val)
{
	size_t i;

	if (!key || !h->cap)
		return false;
	for (i = home(h, key); h->keys[i]; i = (i + 1) & (h->cap - 1)) {
		if (h->keys[i] == key) {
			*ret_val = h->vals[i];
			return true;
		}
	}
	return false;
}

size_t sks_inode_hash_max_probe(const struct sks_inode_hash *h)
{
	size_t i, max = 0;

	for (i = 0; i < h->cap; i++) {
		size_t d;

		if (!h->keys[i])
			continue;
		d = ((i - home(h, h->keys[i])) & (h->cap - 1)) + 1;
		if (d > max)
			max = d;
	}
	return max;
}
