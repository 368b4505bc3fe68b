// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Growing byte buffer with a hard cap (struct sks_buf): the one place output
 * and escaped text are assembled, so no caller sizes a char array by guess.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct sks_buf *b, size_t extra)
{
	size_t max = b->max ? b->max : SKS_BUF_DEFAULT_MAX;
	size_t want, cap;
	char *p;

	if (extra > max || b->len > max - extra - 1)
		return -ENOMEM;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap > max / 2 ? max : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int sks_buf_append(struct sks_buf *b, const void *data, size_t len)
{
	int r = grow(b, len);

	if (r < 0)
		return r;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int sks_buf_putc(struct sks_buf *b, char c)
{
	return sks_buf_append(b, &c, 1);
}

int sks_buf_printf(struct sks_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	r = grow(b, (size_t)n);
	if (r < 0)
		return r;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void sks_buf_reset(struct sks_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void sks_buf_release(struct sks_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
