// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Chunked bump allocator for a snapshot's strings and detail blocks.
 * Chunks double up to 1 MiB so a 400k-socket snapshot costs a few hundred
 * mallocs, and nothing moves once handed out.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct sks_arena_chunk {
	struct sks_arena_chunk *next;
	size_t size;
	_Alignas(16) unsigned char data[];
};

#define CHUNK_MIN ((size_t)4096)
#define CHUNK_MAX ((size_t)1 << 20)

void *sks_arena_alloc(struct sks_arena *a, size_t n)
{
	size_t need = (n + 7) & ~(size_t)7;
	void *p;

	if (need < n)
		return NULL;
	if (!a->head || a->size - a->used < need) {
		size_t sz = a->head ? a->head->size * 2 : CHUNK_MIN;
		struct sks_arena_chunk *c;

		if (sz > CHUNK_MAX)
			sz = CHUNK_MAX;
		if (sz < need)
			sz = need;
		c = malloc(sizeof(*c) + sz);
		if (!c)
			return NULL;
		c->next = a->head;
		c->size = sz;
		a->head = c;
		a->used = 0;
		a->size = sz;
		a->total += sz;
	}
	p = a->head->data + a->used;
	a->used += need;
	memset(p, 0, n);
	return p;
}

char *sks_arena_memdup(struct sks_arena *a, const void *src, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = sks_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, src, n);
	p[n] = '\0';
	return p;
}

void sks_arena_release(struct sks_arena *a)
{
	struct sks_arena_chunk *c = a->head;

	while (c) {
		struct sks_arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	memset(a, 0, sizeof(*a));
}
