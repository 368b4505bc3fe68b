// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Pure parsers for /proc/PID/{stat,status,cmdline,exe}, used by the owner
 * join (owner.c) once per process that holds a wanted socket.  Bytes in,
 * fields out, no I/O and no allocation, so they are unit-tested and fuzzed
 * on hostile input: a comm can hold ')', spaces, newlines and escape codes.
 */
#include "owner/proc_parse.h"

#include <limits.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits only, at least one, value <= max. */
static int parse_u64(const char *s, size_t n, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

int sks_proc_parse_stat(const char *buf, size_t len, struct sks_proc_stat *ret)
{
	const char *end = buf + len, *p = buf, *open, *close, *tok = NULL;
	unsigned field;
	uint64_t v;

	while (p < end && is_digit(*p))
		p++;
	if (p == buf || end - p < 2 || p[0] != ' ' || p[1] != '(')
		return -EINVAL;
	open = p + 1;
	/*
	 * The kernel prints comm raw, so "(a) S 1 (b)" is a legal comm; nothing
	 * after comm contains ')', hence the last one closes it.
	 */
	close = memrchr(open + 1, ')', (size_t)(end - open - 1));
	if (!close)
		return -EINVAL;
	p = close + 1;
	/* Fields 3 (state) to 22 (starttime), one space before each. */
	for (field = 3; field <= 22; field++) {
		if (p >= end || *p != ' ')
			return -EINVAL;
		tok = ++p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
		if (p == tok)
			return -EINVAL;
	}
	if (parse_u64(tok, (size_t)(p - tok), UINT64_MAX, &v) < 0)
		return -EINVAL;
	ret->comm = open + 1;
	ret->comm_len = (size_t)(close - open - 1);
	ret->start_time = v;
	return 0;
}

int sks_proc_parse_status_uid(const char *buf, size_t len, uint32_t *ret_uid)
{
	const char *end = buf + len, *p = buf, *num;
	uint64_t v;

	/* Name: is escaped in status (unlike stat), so a line start is a real line start. */
	while (p < end) {
		const char *nl;

		if (end - p >= 4 && memcmp(p, "Uid:", 4) == 0)
			break;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return -ENOENT;
		p = nl + 1;
	}
	if (p >= end)
		return -ENOENT;
	p += 4;
	while (p < end && (*p == '\t' || *p == ' '))
		p++;
	num = p;
	while (p < end && is_digit(*p))
		p++;
	if (p < end && *p != '\t' && *p != ' ' && *p != '\n')
		return -EINVAL;
	if (parse_u64(num, (size_t)(p - num), UINT32_MAX, &v) < 0)
		return -EINVAL;
	*ret_uid = (uint32_t)v;
	return 0;
}

/* The part of s[0..n) after its last '/'; -ENOENT if that is empty. */
static int base_of(const char *s, size_t n, const char **ret, size_t *ret_len)
{
	const char *slash = n ? memrchr(s, '/', n) : NULL;
	const char *base = slash ? slash + 1 : s;
	size_t blen = (size_t)(s + n - base);

	if (blen == 0)
		return -ENOENT;
	*ret = base;
	*ret_len = blen;
	return 0;
}

int sks_proc_cmdline_base(const char *buf, size_t len, const char **ret, size_t *ret_len)
{
	const char *nul = len ? memchr(buf, '\0', len) : NULL;

	return base_of(buf, nul ? (size_t)(nul - buf) : len, ret, ret_len);
}

int sks_proc_exe_base(const char *buf, size_t len, const char **ret, size_t *ret_len)
{
	static const char deleted[] = " (deleted)";
	const size_t dlen = sizeof(deleted) - 1;

	if (len > dlen && memcmp(buf + len - dlen, deleted, dlen) == 0)
		len -= dlen;
	return base_of(buf, len, ret, ret_len);
}

bool sks_proc_name_extends(const char *comm, size_t comm_len, const char *cand, size_t cand_len)
{
	return comm_len == SKS_COMM_CUT_LEN && cand_len > comm_len &&
	       memcmp(cand, comm, comm_len) == 0;
}

int sks_proc_parse_id(const char *name, int32_t *ret_id)
{
	size_t n = strnlen(name, 12);
	uint64_t v;

	if (n == 0 || n > 10 || (n > 1 && name[0] == '0'))
		return -EINVAL;
	if (parse_u64(name, n, INT32_MAX, &v) < 0)
		return -EINVAL;
	*ret_id = (int32_t)v;
	return 0;
}
