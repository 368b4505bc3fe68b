// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the owner join on fake /proc trees: the committed tree
 * tests/data/owner/basic (shared sockets, cut comms, hostile comm, a thread
 * with a private fd table), and trees built at test time for processes that
 * vanish mid-scan or cannot be inspected, plus the missing-owner reason rule.
 */
#include "owner_test_util.h"

#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "owner/owner_internal.h"

/* ---------------------------------------------------------------- the basic tree */

static struct sks_snapshot *basic_snapshot(void)
{
	static const uint64_t inodes[] = { 1000, 1001, 1001, 1002, 2000, 3000, 3001, 3002,
					   3003, 4000, 5000, 5002, 9999 };
	struct sks_snapshot *s = sks_snap_new(NULL);
	size_t i;

	assert_non_null(s);
	for (i = 0; i < sizeof(inodes) / sizeof(inodes[0]); i++)
		add_rec(s, inodes[i], SKS_STATE_ESTABLISHED);
	add_rec(s, 0, SKS_STATE_TIME_WAIT);
	add_rec(s, 7777, SKS_STATE_SYN_RECV);
	add_rec(s, 0, SKS_STATE_FIN_WAIT1); /* orphaned */
	return s;
}

static void test_basic_process(void **state)
{
	struct sks_snapshot *s = basic_snapshot();
	const struct sks_process *p;
	const struct sks_record *r;

	(void)state;
	assert_int_equal(sks_owner_join(s, basic_root, SKS_OWNERS_PROCESS), 0);

	/* shared across fork: both holders */
	r = rec_by_inode(s, 1000);
	EXPECT_OWNERS(r, { 100, 0, 3 }, { 101, 0, 3 });
	p = r->owners[0].proc;
	expect_bytes(p->comm, p->comm_len, "nginx");
	expect_bytes(p->name, p->name_len, "nginx");
	assert_int_equal(p->uid, 0);
	assert_string_equal(p->user, "root");
	assert_int_equal(p->start_time, 5000);
	p = r->owners[1].proc;
	assert_int_equal(p->uid, 33);
	assert_string_equal(p->user, "www-data");
	assert_int_equal(p->start_time, 5100);

	/* two records with one inode both get the holder; one process struct per process */
	EXPECT_OWNERS(&s->recs[1], { 100, 0, 4 });
	EXPECT_OWNERS(&s->recs[2], { 100, 0, 4 });
	assert_ptr_equal(s->recs[1].owners[0].proc, rec_by_inode(s, 1000)->owners[0].proc);
	EXPECT_OWNERS(rec_by_inode(s, 1002), { 101, 0, 7 });

	/* a 15-byte comm is extended from argv[0], else from exe, else kept */
	r = rec_by_inode(s, 2000);
	EXPECT_OWNERS(r, { 200, 0, 5 });
	expect_bytes(r->owners[0].proc->comm, r->owners[0].proc->comm_len, "systemd-journal");
	expect_bytes(r->owners[0].proc->name, r->owners[0].proc->name_len, "systemd-journald");
	r = rec_by_inode(s, 3000);
	EXPECT_OWNERS(r, { 300, 0, 9 });
	expect_bytes(r->owners[0].proc->name, r->owners[0].proc->name_len,
		     "abcdefghijklmnopqrst");
	assert_int_equal(r->owners[0].proc->uid, 4242424);
	assert_null(r->owners[0].proc->user);
	r = rec_by_inode(s, 3001);
	expect_bytes(r->owners[0].proc->name, r->owners[0].proc->name_len, "zyxwvutsrqponml");
	r = rec_by_inode(s, 3002);
	expect_bytes(r->owners[0].proc->name, r->owners[0].proc->name_len, "qwertyuiopasdfghjkl");
	r = rec_by_inode(s, 3003);
	expect_bytes(r->owners[0].proc->name, r->owners[0].proc->name_len,
		     "emptycmdlinexyz-daemon");

	/* a comm with ')', spaces, a newline and ESC is kept byte for byte */
	r = rec_by_inode(s, 4000);
	EXPECT_OWNERS(r, { 400, 0, 3 });
	expect_bytes(r->owners[0].proc->comm, r->owners[0].proc->comm_len, "a) b\n\x1b[1m)c");
	expect_bytes(r->owners[0].proc->name, r->owners[0].proc->name_len, "a) b\n\x1b[1m)c");

	/*
	 * Thread 502 has its own fd table: its copy of fd 3 adds nothing, its
	 * fd 8 is found and carries the tid.  501 shares the main table.
	 */
	EXPECT_OWNERS(rec_by_inode(s, 5000), { 500, 0, 3 });
	EXPECT_OWNERS(rec_by_inode(s, 5002), { 500, 502, 8 });

	/* "0123" is not a pid; the rest have reasons */
	r = rec_by_inode(s, 9999);
	assert_int_equal(r->n_owners, 0);
	assert_int_equal(r->no_owner, SKS_NO_OWNER_NOT_FOUND);
	assert_int_equal(s->recs[13].no_owner, SKS_NO_OWNER_KERNEL);
	assert_int_equal(s->recs[14].no_owner, SKS_NO_OWNER_KERNEL);
	assert_int_equal(s->recs[15].no_owner, SKS_NO_OWNER_KERNEL);
	assert_int_equal(rec_by_inode(s, 1000)->no_owner, SKS_NO_OWNER_NONE);

	assert_int_equal(s->stats.procs_scanned, 9);
	assert_int_equal(s->stats.procs_denied, 0);
	assert_int_equal(s->stats.procs_vanished, 0);
	/* 100: 9, 101: 2, 200-400: 6, 500: 2 + thread 502's 3 (501's listing is the main one) */
	assert_int_equal(s->stats.fds_scanned, 22);
	assert_int_equal(s->stats.socket_fds, 13);
	sks_snapshot_free(s);
}

static void test_basic_threads(void **state)
{
	struct sks_snapshot *s = basic_snapshot();
	const struct sks_record *r;

	(void)state;
	assert_int_equal(sks_owner_join(s, basic_root, SKS_OWNERS_THREADS), 0);
	EXPECT_OWNERS(rec_by_inode(s, 1000), { 100, 100, 3 }, { 101, 101, 3 });
	EXPECT_OWNERS(rec_by_inode(s, 5000), { 500, 500, 3 }, { 500, 501, 3 }, { 500, 502, 3 });
	EXPECT_OWNERS(rec_by_inode(s, 5002), { 500, 502, 8 });
	r = rec_by_inode(s, 5000);
	assert_ptr_equal(r->owners[0].proc, r->owners[2].proc);
	assert_int_equal(rec_by_inode(s, 9999)->no_owner, SKS_NO_OWNER_NOT_FOUND);
	sks_snapshot_free(s);
}

/* A second join on the same snapshot replaces the owners, it does not add to them. */
static void test_basic_rejoin(void **state)
{
	struct sks_snapshot *s = basic_snapshot();

	(void)state;
	assert_int_equal(sks_owner_join(s, basic_root, SKS_OWNERS_THREADS), 0);
	assert_int_equal(sks_owner_join(s, basic_root, SKS_OWNERS_PROCESS), 0);
	EXPECT_OWNERS(rec_by_inode(s, 1000), { 100, 0, 3 }, { 101, 0, 3 });
	sks_snapshot_free(s);
}

static void test_errors_and_none(void **state)
{
	struct sks_snapshot *s = sks_snap_new(NULL);

	(void)state;
	add_rec(s, 1000, SKS_STATE_ESTABLISHED);
	assert_int_equal(sks_owner_join(s, "/nonexistent-proc-root", SKS_OWNERS_PROCESS), -ENOENT);
	assert_int_equal(sks_owner_join(s, basic_root, (enum sks_owner_mode)7), -EINVAL);
	assert_int_equal(sks_owner_join(s, "/nonexistent-proc-root", SKS_OWNERS_NONE), 0);
	assert_int_equal(s->recs[0].n_owners, 0);
	assert_int_equal(s->recs[0].no_owner, SKS_NO_OWNER_NONE);
	sks_snapshot_free(s);
}

/* Only kernel-held records: nothing to look for, so no scan at all. */
static void test_nothing_to_find(void **state)
{
	struct sks_snapshot *s = sks_snap_new(NULL);

	(void)state;
	add_rec(s, 0, SKS_STATE_TIME_WAIT);
	add_rec(s, 0, SKS_STATE_NEW_SYN_RECV);
	assert_int_equal(sks_owner_join(s, basic_root, SKS_OWNERS_PROCESS), 0);
	assert_int_equal(s->stats.procs_scanned, 0);
	assert_int_equal(s->recs[0].no_owner, SKS_NO_OWNER_KERNEL);
	assert_int_equal(s->recs[1].no_owner, SKS_NO_OWNER_KERNEL);
	sks_snapshot_free(s);
}

static void test_reason_rule(void **state)
{
	static const struct {
		uint64_t inode;
		unsigned state;
		uint64_t denied, vanished;
		unsigned want;
	} t[] = {
		{ 5, SKS_STATE_ESTABLISHED, 0, 0, SKS_NO_OWNER_NOT_FOUND },
		{ 5, SKS_STATE_ESTABLISHED, 0, 3, SKS_NO_OWNER_VANISHED },
		{ 5, SKS_STATE_ESTABLISHED, 1, 3, SKS_NO_OWNER_PERMISSION },
		{ 5, SKS_STATE_LISTEN, 1, 0, SKS_NO_OWNER_PERMISSION },
		{ 5, SKS_STATE_TIME_WAIT, 1, 1, SKS_NO_OWNER_KERNEL },
		{ 5, SKS_STATE_SYN_RECV, 0, 0, SKS_NO_OWNER_KERNEL },
		{ 5, SKS_STATE_NEW_SYN_RECV, 0, 0, SKS_NO_OWNER_KERNEL },
		{ 0, SKS_STATE_ESTABLISHED, 1, 1, SKS_NO_OWNER_KERNEL },
		{ 0, SKS_STATE_CLOSE, 0, 0, SKS_NO_OWNER_KERNEL },
	};
	struct sks_record rec;
	struct sks_owner o = { NULL, 0, 3 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&rec, 0, sizeof(rec));
		rec.inode = t[i].inode;
		rec.state = (uint8_t)t[i].state;
		assert_int_equal(sks_owner_reason(&rec, t[i].denied, t[i].vanished), t[i].want);
		rec.owners = &o;
		rec.n_owners = 1;
		assert_int_equal(sks_owner_reason(&rec, t[i].denied, t[i].vanished),
				 SKS_NO_OWNER_NONE);
	}
	/* The kernel's own netlink end (portid 0) vs a process's (portid = pid). */
	memset(&rec, 0, sizeof(rec));
	rec.proto = SKS_PROTO_NETLINK;
	rec.inode = 7;
	rec.state = SKS_STATE_CLOSE;
	assert_int_equal(sks_owner_reason(&rec, 1, 0), SKS_NO_OWNER_KERNEL);
	rec.netlink.portid = 4242;
	assert_int_equal(sks_owner_reason(&rec, 0, 0), SKS_NO_OWNER_NOT_FOUND);
}

/* -------------------------------------------------- trees built at test time */

static void mkpath(const char *root, const char *rel, mode_t mode)
{
	char path[4096], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	assert_true(mkdir(path, mode) == 0 || errno == EEXIST);
	assert_int_equal(chmod(path, mode), 0);
}

static void mkfile(const char *root, const char *rel, const char *data)
{
	char path[4096];
	size_t len = strlen(data);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void mklink(const char *root, const char *rel, const char *target)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* A process dir with stat, status, an fd dir and (optionally) one socket fd. */
static void mkproc(const char *root, int pid, uint64_t sock_inode, int fd)
{
	char rel[64], data[256];

	snprintf(rel, sizeof(rel), "%d/fd", pid);
	mkpath(root, rel, 0755);
	snprintf(rel, sizeof(rel), "%d/stat", pid);
	snprintf(data, sizeof(data),
		 "%d (proc%d) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %d 0 0\n", pid, pid, pid);
	mkfile(root, rel, data);
	snprintf(rel, sizeof(rel), "%d/status", pid);
	mkfile(root, rel, "Name:\tx\nUid:\t0\t0\t0\t0\n");
	if (sock_inode) {
		snprintf(rel, sizeof(rel), "%d/fd/%d", pid, fd);
		snprintf(data, sizeof(data), "socket:[%llu]", (unsigned long long)sock_inode);
		mklink(root, rel, data);
	}
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int chmod_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR)
		chmod(path, 0755);
	(void)st;
	return 0;
}

static void rmtree(const char *root)
{
	nftw(root, chmod_entry, 16, FTW_PHYS);
	nftw(root, chmod_entry, 16, FTW_PHYS); /* dirs under a just-unlocked dir */
	assert_int_equal(nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void mktree(char *root, size_t len)
{
	snprintf(root, len, "%s/sks-owner-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(root));
	assert_int_equal(chmod(root, 0755), 0); /* the denied test reads it as nobody */
}

static void test_vanished(void **state)
{
	struct sks_snapshot *s = sks_snap_new(NULL);
	char root[256];

	(void)state;
	mktree(root, sizeof(root));
	/* listed, but gone when opened */
	mklink(root, "600", "no-such-process");
	/* its fds were read, then it exited before its stat could be */
	mkproc(root, 601, 6001, 3);
	{
		char p[300];

		snprintf(p, sizeof(p), "%s/601/stat", root);
		assert_int_equal(unlink(p), 0);
	}
	mkproc(root, 602, 6002, 4);
	/* "fd" is not a directory: skipped quietly, neither denied nor vanished */
	mkproc(root, 603, 0, 0);
	{
		char p[300];

		snprintf(p, sizeof(p), "%s/603/fd", root);
		assert_int_equal(rmdir(p), 0);
	}
	mkfile(root, "603/fd", "not a directory");

	add_rec(s, 6001, SKS_STATE_ESTABLISHED);
	add_rec(s, 6002, SKS_STATE_ESTABLISHED);
	add_rec(s, 6003, SKS_STATE_LISTEN);
	add_rec(s, 0, SKS_STATE_TIME_WAIT);
	assert_int_equal(sks_owner_join(s, root, SKS_OWNERS_PROCESS), 0);
	assert_int_equal(s->recs[0].n_owners, 0);
	assert_int_equal(s->recs[0].no_owner, SKS_NO_OWNER_VANISHED);
	EXPECT_OWNERS(&s->recs[1], { 602, 0, 4 });
	expect_bytes(s->recs[1].owners[0].proc->comm, s->recs[1].owners[0].proc->comm_len,
		     "proc602");
	assert_int_equal(s->recs[2].no_owner, SKS_NO_OWNER_VANISHED);
	assert_int_equal(s->recs[3].no_owner, SKS_NO_OWNER_KERNEL);
	assert_int_equal(s->stats.procs_scanned, 4);
	assert_int_equal(s->stats.procs_vanished, 2);
	assert_int_equal(s->stats.procs_denied, 0);
	sks_snapshot_free(s);
	rmtree(root);
}

struct denied_result {
	int rc;
	uint64_t denied, vanished, scanned;
	uint8_t reason[3];
	uint32_t n_owners;
	int32_t owner_pid;
	int warns;
	int warn_kind, warn_err;
	char msg[512];
};

static void on_warn(void *data, enum sks_warn kind, int err, const char *msg)
{
	struct denied_result *res = data;

	res->warns++;
	res->warn_kind = kind;
	res->warn_err = err;
	snprintf(res->msg, sizeof(res->msg), "%s", msg);
}

/*
 * Mode 000 on an fd dir denies a process without CAP_DAC_OVERRIDE and
 * CAP_DAC_READ_SEARCH, so root runs the join in a child that became nobody:
 * the same EACCES a real unprivileged user gets from /proc/PID/fd.
 */
static void run_denied_child(const char *root, int wfd)
{
	struct denied_result res;
	struct sks_snapshot *s = sks_snap_new(NULL);
	size_t i;

	memset(&res, 0, sizeof(res));
	if (geteuid() == 0 &&
	    (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	     setresuid(65534, 65534, 65534) < 0))
		_exit(3);
	if (!s)
		_exit(4);
	s->warn = on_warn;
	s->warn_data = &res;
	for (i = 0; i < 3; i++)
		sks_snap_add(s);
	s->recs[0].inode = 7001;
	s->recs[0].state = SKS_STATE_ESTABLISHED;
	s->recs[1].inode = 7002;
	s->recs[1].state = SKS_STATE_ESTABLISHED;
	s->recs[2].inode = 0;
	s->recs[2].state = SKS_STATE_TIME_WAIT;
	res.rc = sks_owner_join(s, root, SKS_OWNERS_PROCESS);
	res.denied = s->stats.procs_denied;
	res.vanished = s->stats.procs_vanished;
	res.scanned = s->stats.procs_scanned;
	for (i = 0; i < 3; i++)
		res.reason[i] = s->recs[i].no_owner;
	res.n_owners = s->recs[0].n_owners;
	res.owner_pid = res.n_owners ? s->recs[0].owners[0].proc->pid : -1;
	sks_snapshot_free(s);
	if (write(wfd, &res, sizeof(res)) != (ssize_t)sizeof(res))
		_exit(5);
	_exit(0);
}

static void test_denied(void **state)
{
	struct denied_result res;
	char root[256];
	int pfd[2], status;
	pid_t pid;

	(void)state;
	mktree(root, sizeof(root));
	mkproc(root, 700, 7002, 3);
	mkpath(root, "700/fd", 0);
	mkproc(root, 701, 7001, 5);
	mkproc(root, 702, 7002, 6);
	mkpath(root, "702/fd", 0);

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		run_denied_child(root, pfd[1]);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &res, sizeof(res)), (ssize_t)sizeof(res));
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	rmtree(root);

	assert_int_equal(res.rc, 0);
	assert_int_equal(res.scanned, 3);
	assert_int_equal(res.denied, 2);
	assert_int_equal(res.vanished, 0);
	assert_int_equal(res.n_owners, 1);
	assert_int_equal(res.owner_pid, 701);
	assert_int_equal(res.reason[0], SKS_NO_OWNER_NONE);
	assert_int_equal(res.reason[1], SKS_NO_OWNER_PERMISSION);
	assert_int_equal(res.reason[2], SKS_NO_OWNER_KERNEL);
	/* one warning for the snapshot, naming both capabilities and the count */
	assert_int_equal(res.warns, 1);
	assert_int_equal(res.warn_kind, SKS_WARN_PERMISSION);
	assert_int_equal(res.warn_err, EACCES);
	assert_non_null(strstr(res.msg, "CAP_SYS_PTRACE"));
	assert_non_null(strstr(res.msg, "CAP_DAC_READ_SEARCH"));
	assert_non_null(strstr(res.msg, "2 processes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_process),
		cmocka_unit_test(test_basic_threads),
		cmocka_unit_test(test_basic_rejoin),
		cmocka_unit_test(test_errors_and_none),
		cmocka_unit_test(test_nothing_to_find),
		cmocka_unit_test(test_reason_rule),
		cmocka_unit_test(test_vanished),
		cmocka_unit_test(test_denied),
	};

	return cmocka_run_group_tests(tests, setup_basic, NULL);
}
