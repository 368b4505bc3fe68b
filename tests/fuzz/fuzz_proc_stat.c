// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the owner join's /proc parsers (owner/proc_parse.h):
 * the same bytes go through the stat, status, cmdline, exe, socket-link and
 * directory-name parsers.  Results must point inside the input, basenames
 * hold no '/', and accepted numbers must print back to the text they came from.
 */
#include "owner/proc_parse.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_inside(const uint8_t *data, size_t size, const char *p, size_t n)
{
	if (p < (const char *)data || n > size || p + n > (const char *)data + size)
		abort();
}

static void check_base(const uint8_t *data, size_t size, const char *p, size_t n)
{
	check_inside(data, size, p, n);
	if (n == 0 || memchr(p, '/', n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *b;
	struct sks_proc_stat ps;
	char id[16], back[16];
	uint64_t ino;
	uint32_t uid;
	int32_t num;
	size_t n;

	if (sks_proc_parse_stat(s, size, &ps) == 0) {
		check_inside(data, size, ps.comm, ps.comm_len);
		/* comm is followed by the ')' that closed it */
		if (ps.comm + ps.comm_len >= s + size || ps.comm[ps.comm_len] != ')')
			abort();
		/* the last ')' closed it */
		if (memchr(ps.comm + ps.comm_len + 1, ')',
			   (size_t)(s + size - (ps.comm + ps.comm_len + 1))))
			abort();
	}
	if (sks_proc_parse_status_uid(s, size, &uid) == 0 && size < 5)
		abort();
	if (sks_proc_cmdline_base(s, size, &b, &n) == 0) {
		check_base(data, size, b, n);
		if (memchr(b, '\0', n))
			abort();
		if (sks_proc_name_extends(s, size < SKS_COMM_CUT_LEN ? size : SKS_COMM_CUT_LEN, b,
					  n) &&
		    memcmp(b, s, SKS_COMM_CUT_LEN) != 0)
			abort();
	}
	if (sks_proc_exe_base(s, size, &b, &n) == 0)
		check_base(data, size, b, n);
	if (sks_proc_socket_inode(s, size, &ino)) {
		uint64_t v = 0;
		size_t i;

		if (size < 10 || s[size - 1] != ']')
			abort();
		for (i = 8; i < size - 1; i++) {
			if (s[i] < '0' || s[i] > '9')
				abort();
			v = v * 10 + (uint64_t)(s[i] - '0');
		}
		if (v != ino)
			abort();
	}
	n = size < sizeof(id) - 1 ? size : sizeof(id) - 1;
	memcpy(id, data, n);
	id[n] = '\0';
	if (sks_proc_parse_id(id, &num) == 0) {
		snprintf(back, sizeof(back), "%d", (int)num);
		if (num < 0 || strcmp(back, id) != 0)
			abort();
	}
	return 0;
}
