// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the owner join's growing inode hash: a million inodes in
 * sequential, strided and power-of-two patterns, all found, misses missed,
 * and probe sequences that stay short (i.e. lookups are O(1), the join linear).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "owner/inode_hash.h"

#define N 1000000u

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Insert key_of(i) -> i for i < N, look all up, check misses, return max probe. */
static size_t fill_and_check(uint64_t (*key_of)(uint32_t), uint64_t (*miss_of)(uint32_t),
			     const char *what)
{
	struct sks_inode_hash h = SKS_INODE_HASH_INIT;
	double t0 = now_s(), t1, t2;
	size_t probe;
	uint32_t i, v;

	for (i = 0; i < N; i++)
		assert_int_equal(sks_inode_hash_put(&h, key_of(i), i, NULL), 0);
	t1 = now_s();
	assert_int_equal(h.n, N);
	for (i = 0; i < N; i++) {
		assert_true(sks_inode_hash_get(&h, key_of(i), &v));
		assert_int_equal(v, i);
	}
	for (i = 0; i < N; i += 7)
		assert_false(sks_inode_hash_get(&h, miss_of(i), &v));
	t2 = now_s();
	probe = sks_inode_hash_max_probe(&h);
	/* informational only: no timing asserts, the probe bound is the check */
	printf("# %s: %u keys in %zu slots, insert %.0f ns/key, lookup %.0f ns/key, "
	       "max probe %zu\n",
	       what, N, h.cap, (t1 - t0) * 1e9 / N, (t2 - t1) * 1e9 / (N + N / 7), probe);
	assert_true(h.n * 10 <= h.cap * 7);
	sks_inode_hash_release(&h);
	assert_null(h.keys);
	return probe;
}

static uint64_t seq_key(uint32_t i)
{
	return 10000 + (uint64_t)i;
}

static uint64_t seq_miss(uint32_t i)
{
	return 10000 + (uint64_t)N + i;
}

/* every 64K-th inode: a table indexed by low bits would put all in a few buckets */
static uint64_t pow2_key(uint32_t i)
{
	return ((uint64_t)i + 1) << 16;
}

static uint64_t pow2_miss(uint32_t i)
{
	return (((uint64_t)i + 1) << 16) + 1;
}

static uint64_t big_key(uint32_t i)
{
	return UINT64_MAX - (uint64_t)i * 3;
}

static uint64_t big_miss(uint32_t i)
{
	return UINT64_MAX - (uint64_t)i * 3 - 1;
}

static void test_million_sequential(void **state)
{
	(void)state;
	assert_true(fill_and_check(seq_key, seq_miss, "sequential") <= 64);
}

static void test_million_pow2(void **state)
{
	(void)state;
	assert_true(fill_and_check(pow2_key, pow2_miss, "multiples of 2^16") <= 64);
}

static void test_million_high(void **state)
{
	(void)state;
	assert_true(fill_and_check(big_key, big_miss, "near 2^64") <= 64);
}

static void test_duplicates_and_zero(void **state)
{
	struct sks_inode_hash h = SKS_INODE_HASH_INIT;
	uint32_t old = 0, v = 0;

	(void)state;
	assert_false(sks_inode_hash_get(&h, 5, &v)); /* empty, never allocated */
	assert_int_equal(sks_inode_hash_put(&h, 0, 1, NULL), -EINVAL);
	assert_int_equal(sks_inode_hash_put(&h, 5, 1, &old), 0);
	assert_int_equal(sks_inode_hash_put(&h, 5, 2, &old), 1);
	assert_int_equal(old, 1);
	assert_true(sks_inode_hash_get(&h, 5, &v));
	assert_int_equal(v, 2);
	assert_false(sks_inode_hash_get(&h, 0, &v));
	assert_int_equal(h.n, 1);
	assert_int_equal(sks_inode_hash_max_probe(&h), 1);
	sks_inode_hash_release(&h);
	sks_inode_hash_release(&h);
}

static void test_reserve(void **state)
{
	struct sks_inode_hash h = SKS_INODE_HASH_INIT;
	size_t cap;
	uint32_t i;

	(void)state;
	assert_int_equal(sks_inode_hash_reserve(&h, 1000), 0);
	cap = h.cap;
	assert_true(cap * 7 / 10 >= 1000);
	for (i = 1; i <= 1000; i++)
		assert_int_equal(sks_inode_hash_put(&h, i, i, NULL), 0);
	assert_int_equal(h.cap, cap); /* reserved: no rehash */
	assert_int_equal(sks_inode_hash_reserve(&h, 10), 0);
	assert_int_equal(h.cap, cap); /* never shrinks */
	sks_inode_hash_release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duplicates_and_zero),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_million_sequential),
		cmocka_unit_test(test_million_pow2),
		cmocka_unit_test(test_million_high),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
