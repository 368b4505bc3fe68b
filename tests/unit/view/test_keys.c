// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Count keys (agg.c): encoded cells decode to what was put, and keys order
 * the way their values do -- numbers numerically, text bytewise (not
 * shorter first, as a plain memcmp of the length-prefixed encoding would),
 * cell by cell -- which is the tie order of --count-by.
 */
#include "internal.h"
#include "view/view.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static void put_str(struct sks_buf *b, const char *s, bool lit)
{
	struct sks_cell c = { .kind = lit ? SKS_CELL_LIT : SKS_CELL_STR, .s = s, .len = strlen(s) };

	assert_int_equal(sks_key_put(b, &c), 0);
}

static void put_u64(struct sks_buf *b, uint64_t v)
{
	struct sks_cell c = { .kind = SKS_CELL_U64, .u = v };

	assert_int_equal(sks_key_put(b, &c), 0);
}

static int cmp(const struct sks_buf *a, const struct sks_buf *b)
{
	int c = sks_key_cmp(a->data, a->len, b->data, b->len);

	return (c > 0) - (c < 0);
}

static void test_text_order(void **state)
{
	struct sks_buf a = SKS_BUF_INIT, b = SKS_BUF_INIT;

	(void)state;
	put_str(&a, "aaa", false);
	put_str(&b, "b", false);
	assert_int_equal(cmp(&a, &b), -1);
	assert_int_equal(cmp(&b, &a), 1);
	sks_buf_reset(&a);
	sks_buf_reset(&b);
	/* A prefix sorts first; equal keys compare equal. */
	put_str(&a, "gold", true);
	put_str(&b, "gold-web", true);
	assert_int_equal(cmp(&a, &b), -1);
	assert_int_equal(cmp(&a, &a), 0);
	/* Bytes above 0x7f sort after ASCII, NUL before everything. */
	sks_buf_reset(&a);
	sks_buf_reset(&b);
	assert_int_equal(sks_key_put(&a, &(struct sks_cell){ .kind = SKS_CELL_STR, .s = "a\0z",
							      .len = 3 }), 0);
	put_str(&b, "a\xff", false);
	assert_int_equal(cmp(&a, &b), -1);
	sks_buf_release(&a);
	sks_buf_release(&b);
}

static void test_numbers_and_cells(void **state)
{
	struct sks_buf a = SKS_BUF_INIT, b = SKS_BUF_INIT;
	struct sks_cell c;
	size_t pos = 0;

	(void)state;
	put_u64(&a, 9);
	put_u64(&b, 10);
	assert_int_equal(cmp(&a, &b), -1);
	/* Cell by cell: the first differing cell decides. */
	put_str(&a, "zzz", false);
	sks_buf_reset(&b);
	put_u64(&b, 9);
	put_str(&b, "zz", false);
	assert_int_equal(cmp(&a, &b), 1);
	/* Decoding gives back the cells. */
	sks_key_get(a.data, a.len, &pos, &c);
	assert_int_equal(c.kind, SKS_CELL_U64);
	assert_int_equal(c.u, 9);
	sks_key_get(a.data, a.len, &pos, &c);
	assert_int_equal(c.kind, SKS_CELL_STR);
	assert_int_equal(c.len, 3);
	assert_memory_equal(c.s, "zzz", 3);
	assert_int_equal(pos, a.len);
	sks_buf_release(&a);
	sks_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_order),
		cmocka_unit_test(test_numbers_and_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
