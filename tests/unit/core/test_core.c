// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for the pieces every stage stands on: the arena, the capped
 * buffer, the snapshot record array and ss's names for tables and states.
 */
#include "internal.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

static void test_arena_stable_pointers(void **state)
{
	struct sks_arena a = { 0 };
	char *first = sks_arena_memdup(&a, "hello", 5);
	void *ptrs[20000];

	(void)state;
	assert_non_null(first);
	/* Many allocations across many chunks: earlier pointers never move. */
	for (size_t i = 0; i < SKS_ARRAY_SIZE(ptrs); i++) {
		ptrs[i] = sks_arena_alloc(&a, (i % 97) + 1);
		assert_non_null(ptrs[i]);
		assert_int_equal((uintptr_t)ptrs[i] % 8, 0);
		memset(ptrs[i], 0xab, (i % 97) + 1);
	}
	assert_string_equal(first, "hello");
	/* A block larger than a chunk still works. */
	assert_non_null(sks_arena_alloc(&a, 5u << 20));
	sks_arena_release(&a);
	assert_null(a.head);
}

static void test_arena_memdup_nul(void **state)
{
	struct sks_arena a = { 0 };
	char *p = sks_arena_memdup(&a, "a\0b", 3);

	(void)state;
	assert_memory_equal(p, "a\0b", 4);
	sks_arena_release(&a);
}

static void test_buf_cap(void **state)
{
	struct sks_buf b = { .max = 16 };

	(void)state;
	assert_int_equal(sks_buf_append(&b, "0123456789", 10), 0);
	assert_int_equal(sks_buf_printf(&b, "%d", 12345), 0);
	assert_string_equal(b.data, "012345678912345");
	/* One more byte would pass the cap (15 bytes + NUL = 16). */
	assert_int_equal(sks_buf_putc(&b, 'x'), -ENOMEM);
	assert_int_equal(b.len, 15);
	sks_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	sks_buf_release(&b);
	sks_buf_release(&b); /* twice is harmless */
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(sks_state_name(SKS_STATE_ESTABLISHED), "ESTAB");
	assert_string_equal(sks_state_name(SKS_STATE_CLOSE), "UNCONN");
	assert_string_equal(sks_state_name(SKS_STATE_TIME_WAIT), "TIME-WAIT");
	assert_string_equal(sks_state_name(SKS_STATE_NEW_SYN_RECV), "SYN-RECV");
	assert_string_equal(sks_state_name(200), "UNKNOWN");
}

static void test_state_parse(void **state)
{
	uint32_t m = 0;

	(void)state;
	assert_int_equal(sks_state_parse("ESTABLISHED", &m), 0);
	assert_int_equal(m, 1u << SKS_STATE_ESTABLISHED);
	assert_int_equal(sks_state_parse("Time-Wait", &m), 0);
	assert_int_equal(m, 1u << SKS_STATE_TIME_WAIT);
	assert_int_equal(sks_state_parse("connected", &m), 0);
	assert_int_equal(m, SKS_STATES_CONNECTED);
	assert_false(m & (1u << SKS_STATE_LISTEN));
	assert_false(m & (1u << SKS_STATE_TIME_WAIT));
	assert_int_equal(sks_state_parse("all", &m), 0);
	assert_false(m & (1u << SKS_STATE_BOUND_INACTIVE)); /* costly: only when asked */
	assert_int_equal(sks_state_parse("bucket", &m), 0);
	assert_true(m & (1u << SKS_STATE_TIME_WAIT));
	assert_int_equal(sks_state_parse("synchronized", &m), 0);
	assert_false(m & (1u << SKS_STATE_SYN_SENT));
	m = 42;
	assert_int_equal(sks_state_parse("bogus", &m), -EINVAL);
	assert_int_equal(m, 42); /* not written on failure */
}

static void test_netids(void **state)
{
	struct sks_record r = { 0 };

	(void)state;
	r.proto = SKS_PROTO_UNIX;
	r.type = SOCK_SEQPACKET;
	assert_string_equal(sks_record_netid(&r), "u_seq");
	r.type = SOCK_DGRAM;
	assert_string_equal(sks_record_netid(&r), "u_dgr");
	r.proto = SKS_PROTO_PACKET;
	assert_string_equal(sks_record_netid(&r), "p_dgr");
	r.type = SOCK_RAW;
	assert_string_equal(sks_record_netid(&r), "p_raw");
	r.proto = SKS_PROTO_NETLINK;
	assert_string_equal(sks_record_netid(&r), "nl");
	r.proto = 99;
	assert_string_equal(sks_record_netid(&r), "???");
}

static void test_snapshot_add_sort(void **state)
{
	struct sks_snapshot *s = sks_snap_new(NULL);

	(void)state;
	assert_non_null(s);
	for (unsigned i = 0; i < 1000; i++) {
		struct sks_record *r = sks_snap_add(s);

		assert_non_null(r);
		r->proto = (i % 2) ? SKS_PROTO_UDP : SKS_PROTO_TCP;
		r->family = AF_INET;
		r->inet.local.family = AF_INET;
		r->inet.local.port = (uint16_t)(1000 - i);
		r->inode = i + 1;
	}
	sks_snap_drop_last(s);
	assert_int_equal(sks_snapshot_count(s), 999);
	assert_int_equal(sks_snapshot_stats(s)->records, 999);
	sks_snapshot_sort(s);
	for (size_t i = 1; i < sks_snapshot_count(s); i++) {
		const struct sks_record *a = sks_snapshot_record(s, i - 1);
		const struct sks_record *b = sks_snapshot_record(s, i);

		if (a->proto == b->proto)
			assert_true(a->inet.local.port <= b->inet.local.port);
		else
			assert_true(a->proto == SKS_PROTO_TCP); /* tcp table before udp */
	}
	assert_null(sks_snapshot_record(s, 999));
	sks_snapshot_free(s);
	sks_snapshot_free(NULL);
}

static void test_ctx_validation(void **state)
{
	struct sks_ctx *ctx;

	(void)state;
	assert_int_equal(sks_ctx_new(&ctx), 0);
	assert_int_equal(sks_ctx_set_tables(ctx, 1u << 30), -EINVAL);
	assert_int_equal(sks_ctx_set_inet_families(ctx, 0), -EINVAL);
	assert_int_equal(sks_ctx_set_states(ctx, 1u << 20), -EINVAL);
	assert_int_equal(sks_ctx_set_source(ctx, (enum sks_source)7), -EINVAL);
	assert_int_equal(sks_ctx_set_proc_root(ctx, ""), -EINVAL);
	assert_int_equal(sks_ctx_set_netns(ctx, "/nonexistent/netns"), -ENOENT);
	assert_int_equal(sks_ctx_set_netns(ctx, "/etc/passwd"), -EINVAL);
	assert_int_equal(sks_ctx_set_netns(ctx, "99999999999"), -EINVAL);
	{
		char pid[16];

		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		assert_int_equal(sks_ctx_set_netns(ctx, pid), 0); /* our own namespace */
	}
	assert_int_equal(sks_ctx_set_netns(ctx, NULL), 0);
	sks_ctx_free(ctx);
	sks_ctx_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_stable_pointers),
		cmocka_unit_test(test_arena_memdup_nul),
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_state_parse),
		cmocka_unit_test(test_netids),
		cmocka_unit_test(test_snapshot_add_sort),
		cmocka_unit_test(test_ctx_validation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
