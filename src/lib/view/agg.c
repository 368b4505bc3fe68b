// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Aggregation for --count-by and the Prometheus view: records are grouped
 * by a key -- a byte string of encoded cells that sorts the way the values
 * do -- in an open-addressing hash that grows, each group with a count and
 * a few sums.  Keys live back to back in one buffer.
 */
#include "view.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define AGG_MAX_GROUPS ((size_t)1 << 26)

static uint64_t hash(const void *key, size_t len)
{
	/* FNV-1a: keys are short; collisions only cost a compare. */
	const uint8_t *p = key;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h ^ (h >> 29);
}

static int grow(struct sks_agg *a)
{
	size_t nslots = a->nslots ? a->nslots * 2 : 64, i;
	size_t *slots;

	slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < a->n; i++) {
		size_t s = hash(a->keys.data + a->e[i].key_off, a->e[i].key_len) & (nslots - 1);

		while (slots[s])
			s = (s + 1) & (nslots - 1);
		slots[s] = i + 1;
	}
	free(a->slots);
	a->slots = slots;
	a->nslots = nslots;
	return 0;
}

struct sks_agg_entry *sks_agg_get(struct sks_agg *a, const void *key, size_t len)
{
	struct sks_agg_entry *e;
	size_t s;

	if ((a->n + 1) * 2 > a->nslots && grow(a) < 0)
		return NULL;
	s = hash(key, len) & (a->nslots - 1);
	while (a->slots[s]) {
		e = &a->e[a->slots[s] - 1];
		if (e->key_len == len && !memcmp(a->keys.data + e->key_off, key, len))
			return e;
		s = (s + 1) & (a->nslots - 1);
	}
	if (a->n >= AGG_MAX_GROUPS)
		return NULL;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		struct sks_agg_entry *p = realloc(a->e, cap * sizeof(*p));

		if (!p)
			return NULL;
		a->e = p;
		a->cap = cap;
	}
	e = &a->e[a->n];
	memset(e, 0, sizeof(*e));
	e->key_off = a->keys.len;
	e->key_len = len;
	if (sks_buf_append(&a->keys, key, len) < 0)
		return NULL;
	a->slots[s] = ++a->n;
	return e;
}

void sks_agg_release(struct sks_agg *a)
{
	free(a->e);
	free(a->slots);
	sks_buf_release(&a->keys);
	memset(a, 0, sizeof(*a));
}

/*
 * Encoding: a kind byte, then numbers as 8 big-endian bytes (signed ones
 * offset by 2^63) and strings as a 4-byte big-endian length, a flags byte
 * and the bytes.  Equal values encode equally; the length prefix makes
 * memcmp order "shorter string first", so keys are ordered by
 * sks_key_cmp(), which compares cell by cell.
 */
static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

int sks_key_put(struct sks_buf *b, const struct sks_cell *c)
{
	uint8_t h[14];
	size_t n = 1;
	int r;

	h[0] = c->kind;
	switch (c->kind) {
	case SKS_CELL_U64:
	case SKS_CELL_HEX:
		put_be(h + 1, c->u, 8);
		n += 8;
		break;
	case SKS_CELL_I64:
		put_be(h + 1, (uint64_t)c->i ^ (1ull << 63), 8);
		n += 8;
		break;
	case SKS_CELL_LIT:
	case SKS_CELL_STR:
		if (c->len > UINT32_MAX)
			return -E2BIG;
		put_be(h + 1, c->len, 4);
		h[5] = (uint8_t)(c->unix_path | c->abstract << 1);
		n += 5;
		break;
	}
	r = sks_buf_append(b, h, n);
	if (r >= 0 && (c->kind == SKS_CELL_LIT || c->kind == SKS_CELL_STR))
		r = sks_buf_append(b, c->s, c->len);
	return r;
}

void sks_key_get(const char *key, size_t len, size_t *pos, struct sks_cell *c)
{
	const uint8_t *p = (const uint8_t *)key + *pos;
	size_t left = len - *pos;

	memset(c, 0, offsetof(struct sks_cell, text));
	c->kind = p[0];
	switch (c->kind) {
	case SKS_CELL_U64:
	case SKS_CELL_HEX:
	case SKS_CELL_I64:
		if (left < 9)
			break;
		c->u = get_be(p + 1, 8);
		if (c->kind == SKS_CELL_I64) {
			c->i = (int64_t)(c->u ^ (1ull << 63));
			c->u = 0;
		}
		*pos += 9;
		return;
	case SKS_CELL_LIT:
	case SKS_CELL_STR:
		if (left < 6)
			break;
		c->len = get_be(p + 1, 4);
		c->unix_path = p[5] & 1;
		c->abstract = p[5] & 2;
		if (c->len > left - 6)
			break;
		c->s = key + *pos + 6;
		*pos += 6 + c->len;
		if (c->kind == SKS_CELL_LIT) {
			/* LIT values are short ASCII; copy so they are NUL-terminated. */
			size_t n = c->len < sizeof(c->text) - 1 ? c->len : sizeof(c->text) - 1;

			memcpy(c->text, c->s, n);
			c->text[n] = '\0';
			c->s = c->text;
			c->len = n;
		}
		return;
	case SKS_CELL_NONE:
		*pos += 1;
		return;
	}
	/* Malformed (never produced by sks_key_put): stop. */
	c->kind = SKS_CELL_NONE;
	*pos = len;
}

int sks_key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t pa = 0, pb = 0;

	while (pa < alen && pb < blen) {
		struct sks_cell x, y;
		size_t n;
		int c;

		sks_key_get(a, alen, &pa, &x);
		sks_key_get(b, blen, &pb, &y);
		if (x.kind != y.kind)
			return x.kind < y.kind ? -1 : 1;
		switch (x.kind) {
		case SKS_CELL_U64:
		case SKS_CELL_HEX:
			if (x.u != y.u)
				return x.u < y.u ? -1 : 1;
			break;
		case SKS_CELL_I64:
			if (x.i != y.i)
				return x.i < y.i ? -1 : 1;
			break;
		case SKS_CELL_LIT:
		case SKS_CELL_STR:
			n = x.len < y.len ? x.len : y.len;
			c = n ? memcmp(x.s, y.s, n) : 0;
			if (c)
				return c;
			if (x.len != y.len)
				return x.len < y.len ? -1 : 1;
			if (x.abstract != y.abstract)
				return x.abstract ? 1 : -1;
			break;
		}
	}
	return (pa < alen) - (pb < blen);
}
