// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Plumbing of the action stage: the proc root, and the pure parsers for
 * stat, uptime and the reserved-ports list.
 */
#include "action/action.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *sks_act_proc_root(const struct sks_ctx *ctx)
{
	return ctx && ctx->proc_root ? ctx->proc_root : "/proc";
}

/* A decimal number at *p (no sign), advancing p; false when none or past max. */
static bool take_u64(const char **p, const char *end, uint64_t max, uint64_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;

	if (s >= end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*p = s;
	*ret = v;
	return true;
}

int sks_act_parse_stat(const char *buf, size_t len, struct sks_act_stat *ret)
{
	const char *end = buf + len, *p = NULL, *q;
	uint64_t ppid, start;
	unsigned field;

	for (q = buf; q < end; q++)
		if (*q == ')')
			p = q;
	/* ") S PPID" at least */
	if (!p || end - p < 5 || p[1] != ' ' || p[3] != ' ')
		return -EINVAL;
	q = p + 4;
	if (!take_u64(&q, end, INT32_MAX, &ppid))
		return -EINVAL;
	/* field 4 was ppid; skip to field 22 */
	for (field = 4; field < 22; field++) {
		while (q < end && *q != ' ')
			q++;
		if (q >= end)
			return -EINVAL;
		q++;
	}
	if (!take_u64(&q, end, UINT64_MAX, &start))
		return -EINVAL;
	ret->state = p[2];
	ret->ppid = (int32_t)ppid;
	ret->start_time = start;
	return 0;
}

int sks_act_parse_uptime(const char *buf, size_t len, uint64_t *ret_ms)
{
	const char *p = buf, *end = buf + len;
	uint64_t sec, frac = 0, scale = 1000;

	/* "12345.67 890.12\n" */
	if (!take_u64(&p, end, UINT64_MAX / 1000 - 1, &sec))
		return -EINVAL;
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
		}
	}
	if (p < end && *p != ' ' && *p != '\n')
		return -EINVAL;
	*ret_ms = sec * 1000 + frac;
	return 0;
}

bool sks_act_port_reserved(const char *buf, size_t len, uint16_t port)
{
	const char *p = buf, *end = buf + len;

	while (p < end && *p != '\n') {
		uint64_t lo, hi;

		if (!take_u64(&p, end, 65535, &lo))
			return false;
		hi = lo;
		if (p < end && *p == '-') {
			p++;
			if (!take_u64(&p, end, 65535, &hi))
				return false;
		}
		if (port >= lo && port <= hi)
			return true;
		if (p < end && *p == ',')
			p++;
		else if (p < end && *p != '\n')
			return false;
	}
	return false;
}
