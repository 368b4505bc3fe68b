// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the owner join fed by the BPF iterators, with a fake of the
 * kernel: records as iter/task_file and iter/task would write them for the
 * fake tree tests/data/owner/basic must give exactly the owners its /proc
 * scan gives, in process and thread mode; plus what only the kernel can
 * show (threads sharing a private table, a holder gone before its /proc
 * entry was read) and errors of the iterator.
 */
#include "owner_test_util.h"

#include <stdlib.h>

#include "owner/owner_internal.h"

/* fd tables (files_struct addresses to the kernel) */
enum { T100 = 0x100, T101, T200, T300, T301, T302, T303, T400, T500, T502 };

/*
 * The basic tree as the kernel sees it, in its order (by tid).  Broken
 * links of the tree (socket:[12x], ...) are /proc artifacts: no records.
 * 502 unshared its table, which kept a copy of fd 3.  4242 is a socket no
 * record wants; the kernel reports it when its filter is off.
 */
static const struct sks_bpf_fd basic_fds[] = {
	{ 1000, T100, 0, 100, 100, 3, 0 }, { 1001, T100, 0, 100, 100, 4, 0 },
	{ 1000, T101, 0, 101, 101, 3, 0 }, { 1002, T101, 0, 101, 101, 7, 0 },
	{ 2000, T200, 0, 200, 200, 5, 0 }, { 4242, T200, 0, 200, 200, 6, 0 },
	{ 3000, T300, 0, 300, 300, 9, 0 }, { 3001, T301, 0, 301, 301, 1, 0 },
	{ 3002, T302, 0, 302, 302, 2, 0 }, { 3003, T303, 0, 303, 303, 3, 0 },
	{ 4000, T400, 0, 400, 400, 3, 0 }, { 5000, T500, 0, 500, 500, 3, 0 },
	{ 5000, T502, 0, 500, 502, 3, 0 }, { 5002, T502, 0, 500, 502, 8, 0 },
};

static const struct sks_bpf_task basic_tasks[] = {
	{ T100, 100, 100 }, { T101, 101, 101 }, { T200, 200, 200 }, { T300, 300, 300 },
	{ T301, 301, 301 }, { T302, 302, 302 }, { T303, 303, 303 }, { T400, 400, 400 },
	{ T500, 500, 500 }, { T500, 500, 501 }, { T502, 500, 502 },
};

/* What the fake kernel reports next; a test sets it before the join. */
static struct {
	const struct sks_bpf_fd *fds;
	size_t n_fds;
	const struct sks_bpf_task *tasks;
	size_t n_tasks;
	int err;      /* returned instead of running */
	bool reverse; /* report in reverse order (the join must not rely on it) */
	bool saw_tasks;
} fake;

static int fake_run(const struct sks_owner_bpf_req *req, const struct sks_owner_bpf_sink *sink,
		    struct sks_owner_bpf_result *ret_res)
{
	size_t i;
	int r;

	fake.saw_tasks = req->tasks;
	if (fake.err)
		return fake.err;
	for (i = 0; i < fake.n_fds; i++) {
		r = sink->fd(sink->userdata, &fake.fds[fake.reverse ? fake.n_fds - 1 - i : i]);
		if (r < 0)
			return r;
	}
	for (i = 0; req->tasks && i < fake.n_tasks; i++) {
		r = sink->task(sink->userdata,
			       &fake.tasks[fake.reverse ? fake.n_tasks - 1 - i : i]);
		if (r < 0)
			return r;
	}
	*ret_res = (struct sks_owner_bpf_result){ fake.n_fds + 3, fake.n_fds, 0 };
	return 0;
}

static void use_basic(bool reverse)
{
	fake.fds = basic_fds;
	fake.n_fds = sizeof(basic_fds) / sizeof(basic_fds[0]);
	fake.tasks = basic_tasks;
	fake.n_tasks = sizeof(basic_tasks) / sizeof(basic_tasks[0]);
	fake.err = 0;
	fake.reverse = reverse;
}

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
	return s;
}

static void same_owners(const struct sks_snapshot *a, const struct sks_snapshot *b)
{
	size_t i, k;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		const struct sks_record *x = &a->recs[i], *y = &b->recs[i];

		assert_int_equal(x->no_owner, y->no_owner);
		if (x->n_owners != y->n_owners)
			fail_msg("inode %llu: %u owners from /proc, %u from BPF",
				 (unsigned long long)x->inode, x->n_owners, y->n_owners);
		for (k = 0; k < x->n_owners; k++) {
			const struct sks_owner *o = &x->owners[k], *p = &y->owners[k];

			assert_int_equal(o->proc->pid, p->proc->pid);
			assert_int_equal(o->tid, p->tid);
			assert_int_equal(o->fd, p->fd);
			assert_int_equal(o->proc->uid, p->proc->uid);
			assert_int_equal(o->proc->start_time, p->proc->start_time);
			assert_int_equal(o->proc->name_len, p->proc->name_len);
			assert_memory_equal(o->proc->name, p->proc->name, o->proc->name_len);
			assert_int_equal(o->proc->comm_len, p->proc->comm_len);
			assert_memory_equal(o->proc->comm, p->proc->comm, o->proc->comm_len);
		}
	}
}

static void compare_with_proc(enum sks_owner_mode mode, bool reverse)
{
	struct sks_snapshot *p = basic_snapshot(), *b = basic_snapshot();

	use_basic(reverse);
	assert_int_equal(sks_owner_join(p, basic_root, mode), 0);
	assert_int_equal(sks_owner_join_fake_bpf(b, basic_root, mode, fake_run), 0);
	assert_int_equal(fake.saw_tasks, mode == SKS_OWNERS_THREADS);
	same_owners(p, b);
	/* The fake kernel saw every file; the stats say so. */
	assert_int_equal(b->stats.socket_fds, fake.n_fds);
	assert_int_equal(b->stats.fds_scanned, fake.n_fds + 3);
	sks_snapshot_free(p);
	sks_snapshot_free(b);
}

static void test_process_mode(void **state)
{
	(void)state;
	compare_with_proc(SKS_OWNERS_PROCESS, false);
	compare_with_proc(SKS_OWNERS_PROCESS, true);
}

static void test_thread_mode(void **state)
{
	(void)state;
	compare_with_proc(SKS_OWNERS_THREADS, false);
	compare_with_proc(SKS_OWNERS_THREADS, true);
}

/*
 * Holders first (a streamed dump): every socket fd found before the
 * records exist, then each record looked up, must give each record the
 * owners and missing-owner reason of the join, from /proc and from BPF.
 */
static void compare_holders(enum sks_owner_mode mode, bool reverse)
{
	struct sks_snapshot *p = basic_snapshot(), *q = basic_snapshot(), *b = basic_snapshot();
	struct sks_holders *hp, *hb;
	struct sks_stats st = { 0 };

	use_basic(reverse);
	assert_int_equal(sks_owner_join(p, basic_root, mode), 0);
	assert_int_equal(sks_holders_collect(sks_snap_new(NULL), basic_root, mode,
					     SKS_OWNER_SOURCE_PROC, NULL, &hp),
			 0);
	assert_int_equal(sks_holders_collect_fake_bpf(sks_snap_new(NULL), basic_root, mode,
						      fake_run, &hb),
			 0);
	sks_holders_prepare(hp, q->recs, q->n);
	sks_holders_prepare(hb, b->recs, b->n);
	same_owners(p, q);
	same_owners(p, b);
	/* The same scan of the tree: the same counts as the join's. */
	sks_holders_add_stats(hp, &st);
	assert_int_equal(st.procs_scanned, p->stats.procs_scanned);
	assert_int_equal(st.procs_vanished, p->stats.procs_vanished);
	assert_int_equal(st.procs_denied, p->stats.procs_denied);
	assert_int_equal(st.fds_scanned, p->stats.fds_scanned);
	assert_int_equal(st.socket_fds, p->stats.socket_fds);
	/* The fake kernel's socket 4242, which no record wants, is counted too. */
	st = (struct sks_stats){ 0 };
	sks_holders_add_stats(hb, &st);
	assert_int_equal(st.socket_fds, fake.n_fds);
	sks_holders_free(hp);
	sks_holders_free(hb);
	sks_snapshot_free(p);
	sks_snapshot_free(q);
	sks_snapshot_free(b);
}

static void test_holders(void **state)
{
	(void)state;
	compare_holders(SKS_OWNERS_PROCESS, false);
	compare_holders(SKS_OWNERS_PROCESS, true);
	compare_holders(SKS_OWNERS_THREADS, false);
	compare_holders(SKS_OWNERS_THREADS, true);
}

/* No socket fd anywhere: every record is "not found", none crashes the lookup. */
static void test_holders_empty(void **state)
{
	struct sks_snapshot *s = basic_snapshot();
	struct sks_holders *h;

	(void)state;
	fake = (typeof(fake)){ NULL, 0, NULL, 0, 0, false, false };
	assert_int_equal(sks_holders_collect_fake_bpf(sks_snap_new(NULL), basic_root,
						      SKS_OWNERS_PROCESS, fake_run, &h),
			 0);
	sks_holders_prepare(h, s->recs, s->n);
	assert_int_equal(rec_by_inode(s, 1000)->n_owners, 0);
	assert_int_equal(rec_by_inode(s, 1000)->no_owner, SKS_NO_OWNER_NOT_FOUND);
	assert_int_equal(s->recs[s->n - 1].no_owner, SKS_NO_OWNER_KERNEL);
	sks_holders_free(h);
	sks_snapshot_free(s);
}

/*
 * Threads 502 and 503 share a private table (503 was cloned by 502 with
 * CLONE_FILES): the kernel reports it twice.  Process mode lists it once,
 * under the first tid, as the /proc scan does; thread mode under both.
 */
static const struct sks_bpf_fd shared_private_fds[] = {
	{ 5000, T500, 0, 500, 500, 3, 0 }, { 5002, T502, 0, 500, 502, 8, 0 },
	{ 5002, T502, 0, 500, 503, 8, 0 },
};

static const struct sks_bpf_task shared_private_tasks[] = {
	{ T500, 500, 500 }, { T500, 500, 501 }, { T502, 500, 502 }, { T502, 500, 503 },
};

static void test_shared_private_table(void **state)
{
	struct sks_snapshot *s = basic_snapshot();

	(void)state;
	fake = (typeof(fake)){ shared_private_fds, 3, shared_private_tasks, 4, 0, false, false };
	assert_int_equal(sks_owner_join_fake_bpf(s, basic_root, SKS_OWNERS_PROCESS, fake_run), 0);
	EXPECT_OWNERS(rec_by_inode(s, 5000), { 500, 0, 3 });
	EXPECT_OWNERS(rec_by_inode(s, 5002), { 500, 502, 8 });
	assert_int_equal(sks_owner_join_fake_bpf(s, basic_root, SKS_OWNERS_THREADS, fake_run), 0);
	EXPECT_OWNERS(rec_by_inode(s, 5000), { 500, 500, 3 }, { 500, 501, 3 });
	EXPECT_OWNERS(rec_by_inode(s, 5002), { 500, 502, 8 }, { 500, 503, 8 });
	sks_snapshot_free(s);
}

/* Pid 777 held 9999 when the iterator ran but has no /proc entry: it exited. */
static void test_vanished_holder(void **state)
{
	static const struct sks_bpf_fd fds[] = { { 9999, 0x777, 0, 777, 777, 3, 0 },
						 { 1000, T100, 0, 100, 100, 3, 0 } };
	struct sks_snapshot *s = basic_snapshot();

	(void)state;
	fake = (typeof(fake)){ fds, 2, NULL, 0, 0, false, false };
	assert_int_equal(sks_owner_join_fake_bpf(s, basic_root, SKS_OWNERS_PROCESS, fake_run), 0);
	assert_int_equal(rec_by_inode(s, 9999)->n_owners, 0);
	assert_int_equal(rec_by_inode(s, 9999)->no_owner, SKS_NO_OWNER_VANISHED);
	EXPECT_OWNERS(rec_by_inode(s, 1000), { 100, 0, 3 });
	assert_int_equal(s->stats.procs_vanished, 1);
	assert_int_equal(s->stats.procs_scanned, 2);
	sks_snapshot_free(s);
}

static void count_warn(void *userdata, enum sks_warn kind, int err, const char *msg)
{
	int *n = userdata;

	assert_int_equal(kind, SKS_WARN_BPF);
	assert_int_equal(err, EPERM);
	assert_non_null(strstr(msg, "CAP_BPF"));
	(*n)++;
}

/* A forced BPF join that cannot run fails with the iterator's error and warns once. */
static void test_run_error(void **state)
{
	struct sks_snapshot *s = basic_snapshot();
	int warned = 0;

	(void)state;
	s->warn = count_warn;
	s->warn_data = &warned;
	fake = (typeof(fake)){ NULL, 0, NULL, 0, -EPERM, false, false };
	assert_int_equal(sks_owner_join_fake_bpf(s, basic_root, SKS_OWNERS_PROCESS, fake_run),
			 -EPERM);
	assert_int_equal(warned, 1);
	sks_snapshot_free(s);
}

/* Without this build's BPF support, the real iterator says so. */
static void test_built(void **state)
{
	struct sks_owner_bpf_req req = { false, NULL, NULL };
	struct sks_owner_bpf_result res;

	(void)state;
	if (!sks_owner_bpf_built())
		assert_int_equal(sks_owner_bpf_run(&req, NULL, &res), -EOPNOTSUPP);
	else
		skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process_mode),
		cmocka_unit_test(test_thread_mode),
		cmocka_unit_test(test_holders),
		cmocka_unit_test(test_holders_empty),
		cmocka_unit_test(test_shared_private_table),
		cmocka_unit_test(test_vanished_holder),
		cmocka_unit_test(test_run_error),
		cmocka_unit_test(test_built),
	};

	return cmocka_run_group_tests(tests, setup_basic, NULL);
}
