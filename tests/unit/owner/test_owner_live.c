// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Live tests of the owner join against the real /proc: a socket shared with
 * a forked child lists both processes; a socket only a thread holds (after
 * unshare(CLONE_FILES)) is found in process and thread mode, with and without
 * kcmp; and, when run as root, an unprivileged scan reports "permission".
 * The binary's name is longer than 15 bytes so its comm is cut.
 */
#include "owner_test_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "owner/owner_internal.h"
#include "owner/proc_parse.h"

static uint64_t inode_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static int tcp_listener(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static void test_live_fork(void **state)
{
	int sp[2], ready[2], go[2], lfd, status;
	struct sks_snapshot *s = sks_snap_new(NULL);
	const struct sks_process *p;
	struct sks_proc_stat ps;
	struct passwd *pw;
	char buf[2048], c;
	pid_t child;
	ssize_t n;
	int fd;

	(void)state;
	lfd = tcp_listener();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/*
		 * Move the listener to another fd number and drop sp[1].  Close
		 * the pipe ends it does not use, so it sees EOF (and exits) if
		 * the parent dies on a failed assertion.
		 */
		close(go[1]);
		close(ready[0]);
		if (dup2(lfd, 100) < 0 || close(lfd) < 0 || close(sp[1]) < 0 ||
		    write(ready[1], "r", 1) != 1)
			_exit(1);
		n = read(go[0], &c, 1);
		_exit(n == 1 ? 0 : 2);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);

	add_rec(s, inode_of(lfd), SKS_STATE_LISTEN);
	add_rec(s, inode_of(sp[0]), SKS_STATE_ESTABLISHED);
	add_rec(s, inode_of(sp[1]), SKS_STATE_ESTABLISHED);
	assert_int_equal(sks_owner_join(s, "/proc", SKS_OWNERS_PROCESS), 0);

	/* the child's dup2 copy is at 100; CLOEXEC does not matter across fork */
	EXPECT_OWNERS(&s->recs[0], { getpid(), 0, lfd }, { child, 0, 100 });
	EXPECT_OWNERS(&s->recs[1], { getpid(), 0, sp[0] }, { child, 0, sp[0] });
	EXPECT_OWNERS(&s->recs[2], { getpid(), 0, sp[1] });
	assert_true(s->stats.procs_scanned >= 2);
	assert_true(s->stats.fds_scanned >= 6);
	assert_true(s->stats.socket_fds >= 5);

	p = s->recs[0].owners[0].proc;
	expect_bytes(p->comm, p->comm_len, "test_owner_live");
	expect_bytes(p->name, p->name_len, "test_owner_live_proc");
	assert_int_equal(p->uid, getuid());
	pw = getpwuid(getuid());
	if (pw)
		assert_string_equal(p->user, pw->pw_name);
	fd = open("/proc/self/stat", O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 0);
	assert_int_equal(sks_proc_parse_stat(buf, (size_t)n, &ps), 0);
	assert_int_equal(p->start_time, ps.start_time);
	assert_ptr_equal(s->recs[1].owners[0].proc, p);

	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(lfd);
	close(sp[0]);
	close(sp[1]);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	sks_snapshot_free(s);
}

/* ---------------------------------------------------------------- threads */

struct thr {
	bool unshare_files;
	pid_t tid;
	int fd; /* the private socket, -1 without one */
	int ready[2], go[2];
	pthread_t th;
};

static void *thr_main(void *arg)
{
	struct thr *t = arg;
	char c;

	t->tid = (pid_t)syscall(SYS_gettid);
	t->fd = -1;
	if (t->unshare_files) {
		if (unshare(CLONE_FILES) < 0)
			return NULL;
		/* only this thread's table holds it */
		t->fd = socket(AF_INET, SOCK_DGRAM, 0);
		/*
		 * Without kcmp the join tells tables apart by their fd count:
		 * keep this one well away from the main table's (the scan's
		 * own few fds live there).
		 */
		for (int i = 0; i < 8; i++)
			if (dup(0) < 0)
				return NULL;
	}
	if (write(t->ready[1], "r", 1) != 1)
		return NULL;
	if (read(t->go[0], &c, 1) != 1)
		return NULL;
	if (t->fd >= 0)
		close(t->fd);
	return NULL;
}

static void thr_start(struct thr *t, bool unshare_files)
{
	char c;

	memset(t, 0, sizeof(*t));
	t->unshare_files = unshare_files;
	assert_int_equal(pipe(t->ready), 0);
	assert_int_equal(pipe(t->go), 0);
	assert_int_equal(pthread_create(&t->th, NULL, thr_main, t), 0);
	assert_int_equal(read(t->ready[0], &c, 1), 1);
}

static void thr_stop(struct thr *t)
{
	assert_int_equal(write(t->go[1], "g", 1), 1);
	assert_int_equal(pthread_join(t->th, NULL), 0);
	close(t->ready[0]);
	close(t->ready[1]);
	close(t->go[0]);
	close(t->go[1]);
}

/*
 * The private socket's inode: the main table cannot fstat it, so look it up
 * through the thread's fd dir, which is what the join does too.
 */
static uint64_t thread_fd_inode(pid_t tid, int fd)
{
	char path[64], link[64];
	uint64_t ino = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/fd/%d", (int)tid, fd);
	n = readlink(path, link, sizeof(link));
	assert_true(n > 0);
	assert_true(sks_proc_socket_inode(link, (size_t)n, &ino));
	return ino;
}

static void run_threads(unsigned flags)
{
	struct sks_snapshot *s;
	struct thr shared, priv;
	int sp[2];
	pid_t me = getpid();

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	thr_start(&shared, false);
	thr_start(&priv, true);
	assert_true(priv.fd >= 0);

	s = sks_snap_new(NULL);
	add_rec(s, inode_of(sp[0]), SKS_STATE_ESTABLISHED);
	add_rec(s, thread_fd_inode(priv.tid, priv.fd), SKS_STATE_CLOSE);
	assert_int_equal(sks_owner_join_flags(s, "/proc", SKS_OWNERS_PROCESS, flags), 0);
	/* the private table's copy of sp[0] is the same (process, fd): listed once */
	EXPECT_OWNERS(&s->recs[0], { me, 0, sp[0] });
	EXPECT_OWNERS(&s->recs[1], { me, priv.tid, priv.fd });

	assert_int_equal(sks_owner_join_flags(s, "/proc", SKS_OWNERS_THREADS, flags), 0);
	/* ss -T: every thread holding it, tids in order (created in this order) */
	EXPECT_OWNERS(&s->recs[0], { me, me, sp[0] }, { me, shared.tid, sp[0] },
		      { me, priv.tid, sp[0] });
	EXPECT_OWNERS(&s->recs[1], { me, priv.tid, priv.fd });
	sks_snapshot_free(s);

	thr_stop(&priv);
	thr_stop(&shared);
	close(sp[0]);
	close(sp[1]);
}

static void test_live_threads_kcmp(void **state)
{
	(void)state;
	run_threads(0);
}

static void test_live_threads_no_kcmp(void **state)
{
	(void)state;
	run_threads(SKS_OWNER_NO_KCMP);
}

/* -------------------------------------------------------------- permission */

struct perm_result {
	int rc;
	uint64_t denied;
	uint8_t reason;
	uint32_t n_owners;
	int warns;
};

static void on_warn(void *data, enum sks_warn kind, int err, const char *msg)
{
	struct perm_result *res = data;

	(void)err;
	(void)msg;
	if (kind == SKS_WARN_PERMISSION)
		res->warns++;
}

static void test_live_permission(void **state)
{
	struct perm_result res;
	int lfd, pfd[2], status;
	uint64_t ino;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip(); /* needs a process it cannot inspect: run as root to make one */
	lfd = tcp_listener();
	ino = inode_of(lfd);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sks_snapshot *s = sks_snap_new(NULL);

		memset(&res, 0, sizeof(res));
		/* nobody cannot read root's /proc/PID/fd; drop the inherited socket too */
		close(lfd);
		if (!s || setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			_exit(3);
		s->warn = on_warn;
		s->warn_data = &res;
		sks_snap_add(s)->inode = ino;
		s->recs[0].state = SKS_STATE_LISTEN;
		res.rc = sks_owner_join(s, "/proc", SKS_OWNERS_PROCESS);
		res.denied = s->stats.procs_denied;
		res.reason = s->recs[0].no_owner;
		res.n_owners = s->recs[0].n_owners;
		sks_snapshot_free(s);
		_exit(write(pfd[1], &res, sizeof(res)) == (ssize_t)sizeof(res) ? 0 : 4);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &res, sizeof(res)), (ssize_t)sizeof(res));
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(lfd);
	assert_int_equal(res.rc, 0);
	assert_true(res.denied >= 1);
	assert_int_equal(res.n_owners, 0);
	assert_int_equal(res.reason, SKS_NO_OWNER_PERMISSION);
	assert_int_equal(res.warns, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_fork),
		cmocka_unit_test(test_live_threads_kcmp),
		cmocka_unit_test(test_live_threads_no_kcmp),
		cmocka_unit_test(test_live_permission),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
