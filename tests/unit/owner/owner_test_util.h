/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the owner join tests: the fake /proc tree, build a
 * snapshot of records by inode, find a record, compare its owners with an
 * expected list.
 */
#ifndef SKS_OWNER_TEST_UTIL_H
#define SKS_OWNER_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The fake /proc tree tests/data/owner/basic; setup_basic() fills it in. */
static char basic_root[4096] __attribute__((unused));

/* Group setup: basic_root under $SKS_TEST_DATA (meson sets it), else tests/data. */
static inline int setup_basic(void **state)
{
	const char *dir = getenv("SKS_TEST_DATA");

	(void)state;
	if (!dir)
		dir = "tests/data";
	snprintf(basic_root, sizeof(basic_root), "%s/owner/basic", dir);
	return 0;
}

struct want_owner {
	int32_t pid, tid, fd;
};

static inline size_t add_rec(struct sks_snapshot *s, uint64_t inode, unsigned state)
{
	struct sks_record *r = sks_snap_add(s);

	assert_non_null(r);
	r->proto = SKS_PROTO_TCP;
	r->family = 2; /* AF_INET */
	r->state = (uint8_t)state;
	r->inode = inode;
	return s->n - 1;
}

/* The first record with this inode. */
static inline const struct sks_record *rec_by_inode(const struct sks_snapshot *s, uint64_t inode)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->recs[i].inode == inode)
			return &s->recs[i];
	fail_msg("no record with inode %llu", (unsigned long long)inode);
	return NULL;
}

static inline void expect_owners(const struct sks_record *r, const struct want_owner *w, size_t n)
{
	size_t i;

	if (r->n_owners != n) {
		for (i = 0; i < r->n_owners; i++)
			printf("# inode %llu owner %d tid %d fd %d\n", (unsigned long long)r->inode,
			       r->owners[i].proc->pid, r->owners[i].tid, r->owners[i].fd);
	}
	assert_int_equal(r->n_owners, n);
	for (i = 0; i < n; i++) {
		assert_non_null(r->owners[i].proc);
		assert_int_equal(r->owners[i].proc->pid, w[i].pid);
		assert_int_equal(r->owners[i].tid, w[i].tid);
		assert_int_equal(r->owners[i].fd, w[i].fd);
	}
	assert_int_equal(r->no_owner, n ? SKS_NO_OWNER_NONE : r->no_owner);
}

#define EXPECT_OWNERS(rec, ...)                                                                    \
	do {                                                                                       \
		const struct want_owner w_[] = { __VA_ARGS__ };                                    \
		expect_owners((rec), w_, sizeof(w_) / sizeof(w_[0]));                              \
	} while (0)

static inline void expect_bytes(const char *got, uint32_t got_len, const char *want)
{
	assert_non_null(got);
	assert_int_equal(got_len, strlen(want));
	assert_memory_equal(got, want, got_len);
	assert_int_equal(got[got_len], '\0');
}

#endif
