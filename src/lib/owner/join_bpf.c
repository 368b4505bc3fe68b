// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The owner join from the BPF iterators' records (owner_bpf.c): the same
 * (holder, record) pairs the /proc scan of owner.c makes, with the same
 * labels: in process mode tid 0 for the process's main fd table and the
 * first thread's tid for a private one; in thread mode one pair per thread
 * using the table.  Holders' details are still read from /proc/PID.
 */
#include "owner/owner_bpf.h"
#include "owner/proc_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One wanted socket in one fd table. */
struct fdrec {
	uint64_t table, start;
	uint64_t ref; /* sks_join_find(): first record of its inode, or the inode */
	int32_t pid, tid, fd;
};

struct taskrec {
	uint64_t table;
	int32_t pid, tid;
};

/* A holder's details, read while the iterator still runs (early_read()). */
struct holder {
	const struct sks_process *proc;
	int status; /* HOLDER_* */
};

struct gather {
	const struct sks_join_index *ix;
	struct fdrec *fds;
	size_t n_fds, cap_fds;
	struct taskrec *tasks;
	size_t n_tasks, cap_tasks;
	/* holders by pid: pid + 1 -> index in holders */
	int rootfd;
	struct sks_proc_info *info;
	struct sks_inode_hash pids;
	struct holder *holders;
	size_t n_holders, cap_holders;
	int32_t last_pid;
};

static int early_read(struct gather *g, int32_t pid);

/* Room for one more element of sz bytes in *p; 0 or -ENOMEM (at most UINT32_MAX elements). */
static int reserve(void **p, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *np;

	if (n < *cap)
		return 0;
	if (n >= UINT32_MAX)
		return -ENOMEM;
	ncap = *cap ? *cap * 2 : 1024;
	if (ncap > SIZE_MAX / sz)
		return -ENOMEM;
	np = realloc(*p, ncap * sz);
	if (!np)
		return -ENOMEM;
	sks_advise_huge(np, ncap * sz);
	*p = np;
	*cap = ncap;
	return 0;
}

static int on_fd(void *userdata, const struct sks_bpf_fd *r)
{
	struct gather *g = userdata;
	uint64_t ref = sks_join_find(g->ix, r->ino);
	int err;

	/* The kernel's filter is a superset, or off: the index decides. */
	if (ref == SKS_NO_REF || r->pid > INT32_MAX || r->tid > INT32_MAX || r->fd > INT32_MAX)
		return 0;
	err = reserve((void **)&g->fds, &g->cap_fds, g->n_fds, sizeof(*g->fds));
	if (err < 0)
		return err;
	g->fds[g->n_fds++] = (struct fdrec){ r->table, r->start, ref, (int32_t)r->pid,
					     (int32_t)r->tid, (int32_t)r->fd };
	/* A new holder: its details now, while the kernel iterates on. */
	if ((int32_t)r->pid != g->last_pid) {
		g->last_pid = (int32_t)r->pid;
		return early_read(g, g->last_pid);
	}
	return 0;
}

static int on_task(void *userdata, const struct sks_bpf_task *r)
{
	struct gather *g = userdata;
	int err;

	if (r->pid > INT32_MAX || r->tid > INT32_MAX)
		return 0;
	err = reserve((void **)&g->tasks, &g->cap_tasks, g->n_tasks, sizeof(*g->tasks));
	if (err < 0)
		return err;
	g->tasks[g->n_tasks++] = (struct taskrec){ r->table, (int32_t)r->pid, (int32_t)r->tid };
	return 0;
}

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static int cmp_fd(const void *pa, const void *pb)
{
	const struct fdrec *a = pa, *b = pb;

	if (a->pid != b->pid)
		return CMP(a->pid, b->pid);
	if (a->table != b->table)
		return CMP(a->table, b->table);
	if (a->tid != b->tid)
		return CMP(a->tid, b->tid);
	return CMP(a->fd, b->fd);
}

static int cmp_task(const void *pa, const void *pb)
{
	const struct taskrec *a = pa, *b = pb;

	if (a->pid != b->pid)
		return CMP(a->pid, b->pid);
	if (a->table != b->table)
		return CMP(a->table, b->table);
	return CMP(a->tid, b->tid);
}

/*
 * qsort() unless already sorted: the iterators visit tasks in tid order, so
 * without threads of their own (most hosts) the records are in order.
 */
static void sort(void *v, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
	size_t i;

	for (i = 1; i < n && cmp((char *)v + (i - 1) * sz, (char *)v + i * sz) <= 0; i++)
		;
	if (i < n)
		qsort(v, n, sz, cmp);
}

/*
 * /proc/PID/stat's start time is the kernel's start_boottime in clock ticks
 * plus the reader's time namespace offset.  The offset is learnt from the
 * reader itself: its own stat against the start_boottime the iterator saw.
 */
struct clock_cal {
	uint64_t ns_per_tick;
	int64_t offset; /* ticks */
	bool known;
};

static void calibrate(struct clock_cal *c, int rootfd, uint64_t self_start)
{
	long hz = sysconf(_SC_CLK_TCK);
	struct sks_proc_stat ps;
	char buf[SKS_PROC_STAT_MAX];
	ssize_t n;

	c->known = false;
	if (hz <= 0 || 1000000000L % hz || !self_start)
		return;
	c->ns_per_tick = 1000000000ULL / (uint64_t)hz;
	n = sks_read_at(rootfd, "self/stat", buf, sizeof(buf));
	if (n <= 0 || sks_proc_parse_stat(buf, (size_t)n, &ps) < 0)
		return;
	c->offset = (int64_t)ps.start_time - (int64_t)(self_start / c->ns_per_tick);
	c->known = true;
}

/*
 * false when /proc/PID is another process than the one the iterator saw
 * (the pid was reused meanwhile).  With a time namespace offset the two
 * roundings may differ by a tick.
 */
static bool same_process(const struct clock_cal *c, uint64_t start_ns, uint64_t proc_ticks)
{
	int64_t d;

	if (!c->known)
		return true;
	d = (int64_t)proc_ticks - ((int64_t)(start_ns / c->ns_per_tick) + c->offset);
	return d == 0 || (c->offset != 0 && (d == 1 || d == -1));
}

/* What opening /proc/PID or reading its details says about the holder. */
enum { HOLDER_OK, HOLDER_GONE, HOLDER_DENIED, HOLDER_SKIP };

/* Open /proc/PID and read its details: HOLDER_*, or -errno (out of memory or fds). */
static int holder_read(int rootfd, int32_t pid, struct sks_proc_info *info,
		       const struct sks_process **ret)
{
	char name[16];
	int pfd, r;

	snprintf(name, sizeof(name), "%d", (int)pid);
	pfd = openat(rootfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0) {
		switch (errno) {
		case ENOENT:
		case ESRCH:
			return HOLDER_GONE;
		case EACCES:
		case EPERM:
			return HOLDER_DENIED;
		case ENOMEM:
		case EMFILE:
		case ENFILE:
			return -errno;
		default:
			return HOLDER_SKIP;
		}
	}
	r = sks_proc_info_read(info, pfd, pid, ret);
	close(pfd);
	if (r == -ENOENT || r == -ESRCH)
		return HOLDER_GONE;
	return r < 0 ? r : HOLDER_OK;
}

/*
 * The details of a holder seen by the iterator, read once per pid in the
 * sink: the iterator runs in the read-ahead thread meanwhile, so the ~15 us
 * per process of /proc reads (15 ms for 1000 processes) cost no time.
 */
static int early_read(struct gather *g, int32_t pid)
{
	const struct sks_process *proc = NULL;
	uint32_t idx;
	int r;

	if (sks_inode_hash_get(&g->pids, (uint64_t)pid + 1, &idx))
		return 0;
	r = reserve((void **)&g->holders, &g->cap_holders, g->n_holders, sizeof(*g->holders));
	if (r < 0)
		return r;
	r = holder_read(g->rootfd, pid, g->info, &proc);
	if (r < 0)
		return r;
	g->holders[g->n_holders] = (struct holder){ proc, r };
	r = sks_inode_hash_put(&g->pids, (uint64_t)pid + 1, (uint32_t)g->n_holders, NULL);
	if (r < 0)
		return r;
	g->n_holders++;
	return 0;
}

/*
 * The holder of pid as on_fd() read it, checked against the start time the
 * iterator saw: the pid may have been reused since.
 */
static int holder_get(struct gather *g, int32_t pid, uint64_t start, const struct clock_cal *cal,
		      const struct sks_process **ret)
{
	uint32_t idx;
	int r;

	/* Every fd record passed on_fd(), which read its holder. */
	if (!sks_inode_hash_get(&g->pids, (uint64_t)pid + 1, &idx))
		return -EINVAL;
	*ret = g->holders[idx].proc;
	r = g->holders[idx].status;
	if (r == HOLDER_OK && !same_process(cal, start, (*ret)->start_time))
		r = HOLDER_GONE;
	return r;
}

/*
 * Pairs for one fd table, fds[0..n) (one process, one table, sorted by tid
 * then fd).  Every task using a table other than its leader's reports it:
 * the first tid (the one task/ lists first) stands for them all, as in the
 * /proc scan.
 */
static int push_table(const struct sks_join_index *ix, struct sks_pairs *pairs,
		      const struct sks_process *proc, const struct fdrec *fds, size_t n,
		      enum sks_owner_mode mode, const struct taskrec *tasks, size_t n_tasks)
{
	int32_t first = fds[0].tid;
	size_t i, t;
	int r;

	for (i = 0; i < n && fds[i].tid == first; i++) {
		if (mode == SKS_OWNERS_PROCESS) {
			/* tid 0: the main table, whose fd numbers are the process's own */
			r = sks_join_push_chain(ix, pairs, proc, fds[i].ref,
						first == fds[i].pid ? 0 : first, fds[i].fd);
			if (r < 0)
				return r;
			continue;
		}
		for (t = 0; t < n_tasks; t++) {
			r = sks_join_push_chain(ix, pairs, proc, fds[i].ref, tasks[t].tid,
						fds[i].fd);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int make_pairs(struct gather *g, enum sks_owner_mode mode, const struct clock_cal *cal,
		      struct sks_pairs *pairs, struct sks_join_counts *cnt)
{
	size_t i = 0, j, k, m, t = 0, u;

	while (i < g->n_fds) {
		const struct sks_process *proc = NULL;
		int32_t pid = g->fds[i].pid;
		int r;

		for (j = i; j < g->n_fds && g->fds[j].pid == pid; j++)
			;
		cnt->procs_scanned++;
		r = holder_get(g, pid, g->fds[i].start, cal, &proc);
		if (r < 0)
			return r;
		if (r == HOLDER_GONE)
			cnt->procs_vanished++;
		else if (r == HOLDER_DENIED)
			cnt->procs_denied++;
		for (k = i; r == HOLDER_OK && k < j; k = m) {
			for (m = k; m < j && g->fds[m].table == g->fds[k].table; m++)
				;
			/* The tasks using this table: a merge, both lists are sorted alike. */
			while (t < g->n_tasks &&
			       (g->tasks[t].pid < pid ||
				(g->tasks[t].pid == pid && g->tasks[t].table < g->fds[k].table)))
				t++;
			for (u = t; u < g->n_tasks && g->tasks[u].pid == pid &&
				    g->tasks[u].table == g->fds[k].table;
			     u++)
				;
			r = push_table(g->ix, pairs, proc, &g->fds[k], m - k, mode, &g->tasks[t],
				       u - t);
			if (r < 0)
				return r;
		}
		i = j;
	}
	return 0;
}

int sks_owner_join_bpf(const struct sks_join_index *ix, int rootfd, enum sks_owner_mode mode,
		       sks_owner_bpf_run_fn run, struct sks_owner_bpf_preload *preload,
		       struct sks_pairs *pairs, struct sks_join_counts *cnt,
		       struct sks_proc_info *info)
{
	/* Everything wanted (ix->all): no kernel-side filter. */
	struct sks_owner_bpf_req req = { mode == SKS_OWNERS_THREADS, preload,
					 ix->all ? NULL : &ix->inodes };
	struct gather g = { .ix = ix, .rootfd = rootfd, .info = info };
	struct sks_owner_bpf_sink sink = { on_fd, on_task, &g };
	struct sks_owner_bpf_result res = { 0, 0, 0 };
	struct clock_cal cal;
	int r;

	r = run(&req, &sink, &res);
	if (r < 0)
		goto out;
	cnt->fds_scanned += res.files;
	cnt->socket_fds += res.sockets;
	/* Iterator order is by tid: group by process and table. */
	sort(g.fds, g.n_fds, sizeof(*g.fds), cmp_fd);
	sort(g.tasks, g.n_tasks, sizeof(*g.tasks), cmp_task);
	calibrate(&cal, rootfd, res.self_start);
	/* Process mode makes at most one pair per record (per chain record when records repeat). */
	if (mode == SKS_OWNERS_PROCESS && ix->all) {
		r = sks_pairs_reserve(pairs, pairs->n + g.n_fds);
		if (r < 0)
			goto out;
	}
	r = make_pairs(&g, mode, &cal, pairs, cnt);
out:
	free(g.fds);
	free(g.tasks);
	free(g.holders);
	sks_inode_hash_release(&g.pids);
	return r;
}
