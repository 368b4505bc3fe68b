// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the owner join's pure parsers (owner/proc_parse.h): stat
 * lines with hostile comms, the status Uid: line, cmdline and exe basenames,
 * the cut-comm rule, numeric directory names and socket link targets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "owner/proc_parse.h"

#define TAIL22 " S 1 42 42 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 777 1111 333 0 0 0\n"

static int parse_stat_str(const char *s, struct sks_proc_stat *ps)
{
	return sks_proc_parse_stat(s, strlen(s), ps);
}

static void expect_comm(const struct sks_proc_stat *ps, const char *comm, size_t len)
{
	assert_int_equal(ps->comm_len, len);
	assert_memory_equal(ps->comm, comm, len);
}

static void test_stat_plain(void **state)
{
	struct sks_proc_stat ps;

	(void)state;
	assert_int_equal(parse_stat_str("42 (bash)" TAIL22, &ps), 0);
	expect_comm(&ps, "bash", 4);
	assert_int_equal(ps.start_time, 777);
}

static void test_stat_hostile_comm(void **state)
{
	static const char line[] = "42 (a) S 1 (b\n\x1b[31m) x)" TAIL22;
	struct sks_proc_stat ps;

	(void)state;
	/* the last ')' ends comm; spaces, newline, ESC and ')' stay raw */
	assert_int_equal(parse_stat_str(line, &ps), 0);
	expect_comm(&ps, "a) S 1 (b\n\x1b[31m) x", 18);
	assert_int_equal(ps.start_time, 777);
	/* an empty comm is a comm */
	assert_int_equal(parse_stat_str("7 ()" TAIL22, &ps), 0);
	assert_int_equal(ps.comm_len, 0);
}

static void test_stat_comm_15(void **state)
{
	struct sks_proc_stat ps;

	(void)state;
	assert_int_equal(parse_stat_str("9 (systemd-journal)" TAIL22, &ps), 0);
	expect_comm(&ps, "systemd-journal", SKS_COMM_CUT_LEN);
}

static void test_stat_garbage(void **state)
{
	static const char *const bad[] = {
		"",
		"42",
		"42 (",
		"42 (abc",
		"(abc)" TAIL22,
		"x (abc)" TAIL22,
		"42(abc)" TAIL22,
		"42 (abc) S 1 2 3",                           /* stops before field 22 */
		"42 (abc)  S 1 42 42 0 -1 4 1 0 0 0 1 2 0 0 20 0 1 0 777 1", /* double space */
		"42 (abc) S 1 42 42 0 -1 4 1 0 0 0 1 2 0 0 20 0 1 0 x77 1",
		"42 (abc) S 1 42 42 0 -1 4 1 0 0 0 1 2 0 0 20 0 1 0 18446744073709551616 1",
		"42 (abc) S 1 42 42 0 -1 4 1 0 0 0 1 2 0 0 20 0 1 0 -5 1",
		"42 (abc)S 1 42 42 0 -1 4 1 0 0 0 1 2 0 0 20 0 1 0 5 1",
	};
	struct sks_proc_stat ps;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_stat_str(bad[i], &ps), -EINVAL);
	/* field 22 may end the buffer, and may be the largest u64 */
	assert_int_equal(parse_stat_str("42 (abc) S 1 42 42 0 -1 4 1 0 0 0 1 2 0 0 20 0 1 0 "
					"18446744073709551615", &ps), 0);
	assert_true(ps.start_time == UINT64_MAX);
	/* a length that cuts the line short is honoured (no NUL needed) */
	assert_int_equal(sks_proc_parse_stat("42 (bash)" TAIL22, 9, &ps), -EINVAL);
}

static void test_stat_self(void **state)
{
	struct sks_proc_stat ps;
	char buf[2048];
	ssize_t n;
	int fd;

	(void)state;
	fd = open("/proc/self/stat", O_RDONLY);
	if (fd < 0)
		skip();
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 0);
	assert_int_equal(sks_proc_parse_stat(buf, (size_t)n, &ps), 0);
	assert_true(ps.comm_len > 0 && ps.comm_len <= 64);
}

static void test_status_uid(void **state)
{
	static const char st[] = "Name:\tUid:\t5 tricky\nUmask:\t0022\nState:\tS (sleeping)\n"
				 "Tgid:\t1\nUid:\t1000\t1001\t1000\t1000\nGid:\t0\t0\t0\t0\n";
	uint32_t uid = 0;

	(void)state;
	assert_int_equal(sks_proc_parse_status_uid(st, strlen(st), &uid), 0);
	assert_int_equal(uid, 1000);
	assert_int_equal(sks_proc_parse_status_uid("Uid:\t0\t0\t0\t0\n", 13, &uid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(sks_proc_parse_status_uid("Uid:\t4294967295", 15, &uid), 0);
	assert_true(uid == UINT32_MAX);
	assert_int_equal(sks_proc_parse_status_uid("Uid:\t4294967296\t", 16, &uid), -EINVAL);
	assert_int_equal(sks_proc_parse_status_uid("Uid:\tabc\n", 9, &uid), -EINVAL);
	assert_int_equal(sks_proc_parse_status_uid("Uid:\t12x\n", 9, &uid), -EINVAL);
	assert_int_equal(sks_proc_parse_status_uid("Uid:", 4, &uid), -EINVAL);
	assert_int_equal(sks_proc_parse_status_uid("Name:\tx\nGid:\t0\n", 15, &uid), -ENOENT);
	assert_int_equal(sks_proc_parse_status_uid("", 0, &uid), -ENOENT);
	/* the Uid: line is cut off by the length */
	assert_int_equal(sks_proc_parse_status_uid(st, 30, &uid), -ENOENT);
}

typedef int (*base_fn)(const char *, size_t, const char **, size_t *);

static void expect_base(base_fn fn, const char *in, size_t len, const char *want)
{
	const char *got = NULL;
	size_t got_len = 0;

	assert_int_equal(fn(in, len, &got, &got_len), 0);
	assert_int_equal(got_len, strlen(want));
	assert_memory_equal(got, want, got_len);
}

static void test_cmdline(void **state)
{
	const char *b;
	size_t n;

	(void)state;
	expect_base(sks_proc_cmdline_base, "/usr/bin/foo\0-x\0", 16, "foo");
	expect_base(sks_proc_cmdline_base, "foo", 3, "foo");
	/* no NUL: a process rewrote its argv area; all of it is argv[0] */
	expect_base(sks_proc_cmdline_base, "/usr/bin/foo bar", 16, "foo bar");
	assert_int_equal(sks_proc_cmdline_base("", 0, &b, &n), -ENOENT);
	assert_int_equal(sks_proc_cmdline_base("\0abc", 4, &b, &n), -ENOENT);
	assert_int_equal(sks_proc_cmdline_base("/usr/bin/\0", 10, &b, &n), -ENOENT);
}

static void test_exe(void **state)
{
	const char *b;
	size_t n;

	(void)state;
	expect_base(sks_proc_exe_base, "/usr/bin/foo", 12, "foo");
	expect_base(sks_proc_exe_base, "/usr/bin/foo (deleted)", 22, "foo");
	expect_base(sks_proc_exe_base, "foo", 3, "foo");
	assert_int_equal(sks_proc_exe_base("/", 1, &b, &n), -ENOENT);
	assert_int_equal(sks_proc_exe_base("", 0, &b, &n), -ENOENT);
}

static void test_name_extends(void **state)
{
	(void)state;
	assert_true(sks_proc_name_extends("systemd-journal", 15, "systemd-journald", 16));
	assert_false(sks_proc_name_extends("systemd-journal", 15, "systemd-journal", 15));
	assert_false(sks_proc_name_extends("systemd-journal", 15, "python3", 7));
	assert_false(sks_proc_name_extends("systemd-journa", 14, "systemd-journald", 16));
	assert_false(sks_proc_name_extends("systemd-journal", 15, "Systemd-journald", 16));
}

static void test_parse_id(void **state)
{
	static const char *const bad[] = { "", ".", "..", "-1", "+1", "0123", "12a", " 1",
					   "2147483648", "99999999999", "self" };
	int32_t id;
	size_t i;

	(void)state;
	assert_int_equal(sks_proc_parse_id("0", &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(sks_proc_parse_id("4194304", &id), 0);
	assert_int_equal(id, 4194304);
	assert_int_equal(sks_proc_parse_id("2147483647", &id), 0);
	assert_int_equal(id, INT32_MAX);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sks_proc_parse_id(bad[i], &id), -EINVAL);
}

static void test_socket_link(void **state)
{
	static const char *const bad[] = {
		"socket:[]", "socket:[12", "socket:12]", "pipe:[12]", "socket:[1a]", "socket:[-1]",
		"socket:[18446744073709551616]", "socket:[123456789012345678901]", "socket:[ 1]",
		"anon_inode:[eventpoll]", "/dev/null", "",
	};
	uint64_t ino = 0;
	size_t i;

	(void)state;
	assert_true(sks_proc_socket_inode("socket:[123]", 12, &ino));
	assert_true(ino == 123);
	assert_true(sks_proc_socket_inode("socket:[0]", 10, &ino));
	assert_true(ino == 0);
	assert_true(sks_proc_socket_inode("socket:[18446744073709551615]", 29, &ino));
	assert_true(ino == UINT64_MAX);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(sks_proc_socket_inode(bad[i], strlen(bad[i]), &ino));
	/* the length counts, not a NUL */
	assert_false(sks_proc_socket_inode("socket:[123]", 11, &ino));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_plain),
		cmocka_unit_test(test_stat_hostile_comm),
		cmocka_unit_test(test_stat_comm_15),
		cmocka_unit_test(test_stat_garbage),
		cmocka_unit_test(test_stat_self),
		cmocka_unit_test(test_status_uid),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_exe),
		cmocka_unit_test(test_name_extends),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_socket_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
