/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * JSON writer primitives shared by the JSON-speaking views (json.c for
 * records, fields.c/count.c for columns and counts): members appended to
 * one sks_buf with a sticky error, commas tracked per nesting level.
 * Inline because they run a few dozen times per record.
 */
#ifndef SKS_VIEW_JW_H
#define SKS_VIEW_JW_H

#include "view.h"

#include <stdio.h>
#include <string.h>

#define DEPTH_MAX 8

struct sks_jw {
	uint32_t flags;
	struct sks_lookup lk;
	struct sks_buf b;
	int depth;
	bool first[DEPTH_MAX]; /* nothing written yet in the object/array at this depth */
	int err;
};

static inline void jw_raw(struct sks_jw *j, const char *s, size_t n)
{
	if (!j->err)
		j->err = sks_buf_add(&j->b, s, n);
}

static inline void jw_raws(struct sks_jw *j, const char *s)
{
	jw_raw(j, s, strlen(s));
}

/* Write out what is buffered once it holds threshold bytes (0: whatever there is). */
static inline void jw_flush(struct sks_jw *j, FILE *out, size_t threshold)
{
	if (j->err || !j->b.len || j->b.len < threshold)
		return;
	fwrite(j->b.data, 1, j->b.len, out);
	sks_buf_reset(&j->b);
}

/* Comma before every member but the first. */
static inline void jw_sep(struct sks_jw *j)
{
	if (!j->first[j->depth])
		jw_raw(j, ",", 1);
	j->first[j->depth] = false;
}

#define KEY_MAX 48 /* our keys are short literals; "<key>_hex" included */

/*
 * `,"k":` into p (KEY_MAX + 4 bytes): each member is then one append, which
 * matters at a few dozen members per record.  k NULL: an array element.
 */
static inline size_t jw_put_key(struct sks_jw *j, char *p, const char *k)
{
	size_t n = 0, kl;

	if (!j->first[j->depth])
		p[n++] = ',';
	j->first[j->depth] = false;
	if (!k)
		return n; /* an array element */
	kl = strnlen(k, KEY_MAX);
	p[n++] = '"';
	memcpy(p + n, k, kl);
	n += kl;
	p[n++] = '"';
	p[n++] = ':';
	return n;
}

static inline void jw_key(struct sks_jw *j, const char *k)
{
	char tmp[KEY_MAX + 4];

	jw_raw(j, tmp, jw_put_key(j, tmp, k));
}

/* The bytes of s as a JSON string of lowercase hex. */
static inline void jw_hexbytes(struct sks_jw *j, const char *k, const char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	jw_key(j, k);
	jw_raw(j, "\"", 1);
	for (i = 0; i < n && !j->err; i++) {
		char h[2] = { digits[(uint8_t)s[i] >> 4], digits[s[i] & 15] };

		jw_raw(j, h, 2);
	}
	jw_raw(j, "\"", 1);
}

static inline void jw_open_(struct sks_jw *j, const char *k, char bracket)
{
	if (k)
		jw_key(j, k);
	else
		jw_sep(j);
	jw_raw(j, &bracket, 1);
	if (j->depth + 1 < DEPTH_MAX)
		j->depth++;
	j->first[j->depth] = true;
}

static inline void jw_obj(struct sks_jw *j, const char *k)
{
	jw_open_(j, k, '{');
}

static inline void jw_arr(struct sks_jw *j, const char *k)
{
	jw_open_(j, k, '[');
}

static inline void jw_close_(struct sks_jw *j, char bracket)
{
	jw_raw(j, &bracket, 1);
	if (j->depth)
		j->depth--;
}

static inline void jw_u64(struct sks_jw *j, const char *k, uint64_t v)
{
	char tmp[KEY_MAX + 4 + 20];
	size_t n = jw_put_key(j, tmp, k);

	jw_raw(j, tmp, n + sks_fmt_u64(tmp + n, v));
}

static inline void jw_i64(struct sks_jw *j, const char *k, int64_t v)
{
	char tmp[KEY_MAX + 4 + 21];
	size_t n = jw_put_key(j, tmp, k);

	if (v < 0) {
		tmp[n++] = '-';
		n += sks_fmt_u64(tmp + n, (uint64_t)0 - (uint64_t)v);
	} else {
		n += sks_fmt_u64(tmp + n, (uint64_t)v);
	}
	jw_raw(j, tmp, n);
}

/* A member whose value is a short literal: true, false, null. */
static inline void jw_word(struct sks_jw *j, const char *k, const char *v)
{
	char tmp[KEY_MAX + 4 + 8];
	size_t n = jw_put_key(j, tmp, k), vl = strlen(v);

	memcpy(tmp + n, v, vl);
	jw_raw(j, tmp, n + vl);
}

static inline void jw_boolean(struct sks_jw *j, const char *k, bool v)
{
	jw_word(j, k, v ? "true" : "false");
}

static inline void jw_null(struct sks_jw *j, const char *k)
{
	jw_word(j, k, "null");
}

/* A string we made (ASCII names): no escaping needed. */
static inline void jw_lit(struct sks_jw *j, const char *k, const char *s)
{
	char tmp[KEY_MAX + 4 + 1];
	size_t n = 0;

	if (k) {
		n = jw_put_key(j, tmp, k);
	} else {
		if (!j->first[j->depth])
			tmp[n++] = ',';
		j->first[j->depth] = false;
	}
	tmp[n++] = '"';
	jw_raw(j, tmp, n);
	jw_raws(j, s);
	jw_raw(j, "\"", 1);
}

static inline void jw_hexstr(struct sks_jw *j, const char *k, uint64_t v)
{
	char tmp[KEY_MAX + 4 + 18];
	size_t n = jw_put_key(j, tmp, k);

	tmp[n++] = '"';
	n += sks_fmt_hex(tmp + n, v);
	tmp[n++] = '"';
	jw_raw(j, tmp, n);
}

/*
 * A string from the system.  Invalid UTF-8 comes out with U+FFFD, and the
 * exact bytes follow as "<k>_hex" so nothing is lost (array elements, k
 * NULL, get no companion: the caller adds one for the whole array).
 */
static inline void jw_sysstr(struct sks_jw *j, const char *k, const char *s, size_t n)
{
	char hk[KEY_MAX];
	int r;

	if (!s) {
		jw_null(j, k);
		return;
	}
	jw_key(j, k);
	jw_raw(j, "\"", 1);
	if (j->err)
		return;
	r = sks_escape_json(&j->b, s, n);
	if (r < 0) {
		j->err = r;
		return;
	}
	jw_raw(j, "\"", 1);
	if (r == 0 || !k)
		return;
	snprintf(hk, sizeof(hk), "%s_hex", k);
	jw_hexbytes(j, hk, s, n);
}

#endif
