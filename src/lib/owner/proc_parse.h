/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pure parsers for the /proc/PID files the owner join reads: stat, status,
 * cmdline, the exe and fd link targets, and numeric directory names.  They
 * take bytes and a length (no NUL needed), never allocate, and are fuzzed
 * (tests/fuzz/fuzz_proc_stat.c).  Returned pointers point into the input.
 */
#ifndef SKS_PROC_PARSE_H
#define SKS_PROC_PARSE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The kernel keeps comm in TASK_COMM_LEN (16) bytes: a 15-byte comm was probably cut. */
#define SKS_COMM_CUT_LEN 15

/* The fields of /proc/PID/stat the join keeps. */
struct sks_proc_stat {
	const char *comm; /* raw bytes between the first '(' and the LAST ')' */
	size_t comm_len;
	uint64_t start_time; /* field 22, clock ticks after boot */
};

/*
 * Parse "PID (COMM) S f4 ... f22 ...".  comm may hold any byte, ')' and
 * newlines included: the kernel prints it raw, and only the last ')' ends it.
 * Returns 0, or -EINVAL when the text is not a stat line or field 22 is
 * missing or out of range.
 */
int sks_proc_parse_stat(const char *buf, size_t len, struct sks_proc_stat *ret);

/*
 * The real uid: the first number of the "Uid:" line of /proc/PID/status.
 * Returns 0, -ENOENT without such a line, -EINVAL when it is malformed.
 */
int sks_proc_parse_status_uid(const char *buf, size_t len, uint32_t *ret_uid);

/*
 * Basename of argv[0]: the first NUL-terminated string of /proc/PID/cmdline
 * (all of buf when it holds no NUL: a process may overwrite its argv area).
 * Returns 0, or -ENOENT when it is empty or ends in '/'.
 */
int sks_proc_cmdline_base(const char *buf, size_t len, const char **ret, size_t *ret_len);

/*
 * Basename of an exe link target, without the " (deleted)" the kernel adds
 * once the file is unlinked.  Returns 0 or -ENOENT as sks_proc_cmdline_base().
 */
int sks_proc_exe_base(const char *buf, size_t len, const char **ret, size_t *ret_len);

/*
 * The display name of a process: comm, or cand when comm looks cut
 * (SKS_COMM_CUT_LEN bytes) and cand begins with it.  true when cand is chosen.
 */
bool sks_proc_name_extends(const char *comm, size_t comm_len, const char *cand, size_t cand_len);

/*
 * A decimal pid, tid or fd directory name: digits only, no sign, no leading
 * zero (except "0"), at most INT32_MAX.  Returns 0 or -EINVAL.
 */
int sks_proc_parse_id(const char *name, int32_t *ret_id);

/*
 * Inode of an fd link target "socket:[INODE]".  Inline: it runs once per
 * open fd on the machine.  false for any other target or a number that does
 * not fit 64 bits.
 */
static inline bool sks_proc_socket_inode(const char *s, size_t n, uint64_t *ret_inode)
{
	uint64_t v = 0;
	size_t i;

	/* "socket:[" + 1..20 digits + "]" */
	if (n < 10 || n > 29 || memcmp(s, "socket:[", 8) != 0 || s[n - 1] != ']')
		return false;
	for (i = 8; i < n - 1; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*ret_inode = v;
	return true;
}

#endif
