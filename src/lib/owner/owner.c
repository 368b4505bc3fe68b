// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Owner join, the pipeline's second stage: one pass over proc_root/PID/fd
 * attaches to every record each (process, fd), or (thread, fd), holding its
 * inode.  Each PID directory is opened once and everything is read relative
 * to it, so all reads describe one process even if its pid is reused.  Names,
 * uids and start times are read only for processes that hold a wanted socket.
 */
#include "owner/owner.h"
#include "owner/holders.h"
#include "owner/inode_hash.h"
#include "owner/join.h"
#include "owner/owner_bpf.h"
#include "owner/owner_internal.h"
#include "owner/proc_info.h"
#include "owner/proc_parse.h"

#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/kcmp.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * getdents64(2) straight into buffers allocated once per join, instead of
 * readdir(3): opendir() mallocs a 32 KiB buffer per directory, i.e. once per
 * process (and per thread in thread mode), and a big fd table is read in a
 * few calls here.
 */
#define DENTS_ROOT (32 * 1024)
#define DENTS_TASK (16 * 1024)
#define DENTS_FD (64 * 1024)
#define MAX_TABLES 8 /* distinct fd tables per process remembered for kcmp */
/*
 * Scanning threads, the caller's included.  The scan is syscall-bound
 * (readlinkat() per fd, most of it in the dcache), and processes are
 * independent, so it spreads over cores: on 2 cores, 200k sockets over
 * 1000 processes go from 0.72 s to ~0.4 s of scan.  Past 4 threads procfs
 * lookups contend more than they gain.
 */
#define MAX_SCANNERS 4

/* What happened to one process or fd table; negative values are fatal -errno. */
enum {
	SCAN_OK = 0,
	SCAN_GONE,   /* ENOENT/ESRCH: it exited meanwhile */
	SCAN_DENIED, /* EACCES/EPERM */
	SCAN_SKIP,   /* anything else (not a directory, I/O error): ignored */
};

/* An fd table already read in the current process: pairs[start, end). */
struct table {
	int32_t tid; /* a task using it, for kcmp */
	size_t start, end;
};

/* The pids of one /proc listing, handed out to the scanning threads. */
struct pid_queue {
	char (*names)[12]; /* PID directory names, NUL-terminated */
	size_t n;
	size_t next; /* next index to hand out (atomic) */
	int rootfd;
	bool threaded; /* workers run: take info_lock */
	pthread_mutex_t info_lock; /* sks_proc_info_read() allocates in the snapshot's arena */
	/* The scanners' own tids: in our own PID/task they are not holders. */
	int32_t self, tids[MAX_SCANNERS];
	unsigned n_tids, started; /* atomic */
	bool go; /* atomic: every scanner's tid is known, start */
};

struct scan {
	struct sks_snapshot *s;
	enum sks_owner_mode mode;
	bool kcmp; /* proc_root shows our pid namespace and kcmp(2) is allowed */
	struct sks_join_counts cnt; /* this thread's, added to the snapshot's stats at the end */
	struct sks_proc_info *info_shared; /* a worker's: the main scan's info, under q->info_lock */
	struct pid_queue *q;

	struct sks_join_index ix;
	struct sks_pairs pairs; /* proc is set once the holder's details are read */

	/*
	 * Without kcmp: procfs (Linux >= 6.2) reports an fd dir's open fd count
	 * as its size, the cheap test; else the main table's fd numbers are kept
	 * and compared with each thread's listing.
	 */
	bool fd_counts;       /* proc_root is procfs */
	int64_t main_fd_count; /* -1: unknown */
	bool keep_fds;
	int32_t *fds;
	size_t n_fds, cap_fds;

	struct sks_proc_info info; /* reads holders' details */
	sks_owner_bpf_run_fn bpf_run; /* the kernel's iterators, or a test's fake */
	struct sks_owner_bpf_preload *preload; /* their load, started before the dump */

	_Alignas(8) char root_dents[DENTS_ROOT];
	_Alignas(8) char task_dents[DENTS_TASK];
	_Alignas(8) char fd_dents[DENTS_FD];
};

/*
 * The next entry of a getdents64() result, or NULL at its end.  The kernel
 * never returns a short or zero-length record; checking costs nothing.
 */
static const struct dirent64 *next_dent(const char *buf, size_t len, size_t *off)
{
	const struct dirent64 *d;

	if (*off >= len || len - *off < offsetof(struct dirent64, d_name) + 1)
		return NULL;
	d = (const void *)(buf + *off);
	if (d->d_reclen <= offsetof(struct dirent64, d_name) || d->d_reclen > len - *off)
		return NULL;
	*off += d->d_reclen;
	return d;
}

static int classify(int err)
{
	switch (err) {
	case ENOENT:
	case ESRCH:
		return SCAN_GONE;
	case EACCES:
	case EPERM:
		return SCAN_DENIED;
	case ENOMEM:
	case EMFILE:
	case ENFILE:
		return -err;
	default:
		return SCAN_SKIP;
	}
}

/* p (cap elements of sz bytes, n used) with room for one more, at most max: the array or NULL. */
static void *grow(void *p, size_t *cap, size_t n, size_t sz, size_t max)
{
	size_t ncap;
	void *np;

	if (n < *cap)
		return p;
	if (n >= max)
		return NULL;
	ncap = *cap ? *cap * 2 : 64;
	if (ncap > max)
		ncap = max;
	if (ncap > SIZE_MAX / sz)
		return NULL;
	np = realloc(p, ncap * sz);
	if (np) {
		*cap = ncap;
		sks_advise_huge(np, ncap * sz);
	}
	return np;
}

int sks_pairs_push(struct sks_pairs *p, const struct sks_process *proc, uint64_t key,
		   int32_t tid, int32_t fd)
{
	/* n_owners is 32 bits */
	struct sks_pair *v = grow(p->v, &p->cap, p->n, sizeof(*v), UINT32_MAX);

	if (!v)
		return -ENOMEM;
	p->v = v;
	p->v[p->n++] = (struct sks_pair){ proc, key, tid, fd };
	return 0;
}

int sks_pairs_reserve(struct sks_pairs *p, size_t n)
{
	struct sks_pair *v;

	if (n <= p->cap)
		return 0;
	if (n > UINT32_MAX || n > SIZE_MAX / sizeof(*v))
		return -ENOMEM;
	v = realloc(p->v, n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	sks_advise_huge(v, n * sizeof(*v));
	p->v = v;
	p->cap = n;
	return 0;
}

void sks_pairs_release(struct sks_pairs *p)
{
	free(p->v);
	*p = (struct sks_pairs){ NULL, 0, 0 };
}

static int keep_fd(struct scan *sc, int32_t fd)
{
	int32_t *p = grow(sc->fds, &sc->cap_fds, sc->n_fds, sizeof(*p), SIZE_MAX / 8);

	if (!p)
		return -ENOMEM;
	sc->fds = p;
	sc->fds[sc->n_fds++] = fd;
	return 0;
}

/*
 * Read one fd table, dirfd/path being PID/fd or task/TID/fd, and add a pair,
 * labelled tid, for each fd linking to a socket some record wants.  This is
 * the hot loop: one readlinkat() per fd, no allocation, no stat.
 */
static int scan_fds(struct scan *sc, int dirfd, const char *path, int32_t tid)
{
	struct sks_join_counts *st = &sc->cnt;
	bool closed = false;
	char link[64];
	int fd, r = SCAN_OK;

	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return classify(errno);
	for (;;) {
		ssize_t n = getdents64(fd, sc->fd_dents, sizeof(sc->fd_dents));
		const struct dirent64 *d;
		size_t off = 0;

		if (n <= 0) {
			if (n < 0)
				r = classify(errno);
			break;
		}
		while ((d = next_dent(sc->fd_dents, (size_t)n, &off))) {
			uint64_t ino;
			int32_t num;
			ssize_t len;

			if (sks_proc_parse_id(d->d_name, &num) < 0)
				continue; /* "." and ".." */
			if (sc->keep_fds) {
				r = keep_fd(sc, num);
				if (r < 0)
					goto out;
			}
			len = readlinkat(fd, d->d_name, link, sizeof(link));
			if (len < 0) {
				/* ENOENT: fd closed since the listing, or the task exited */
				if (errno == ENOENT) {
					closed = true;
					continue;
				}
				r = classify(errno);
				if (r == SCAN_SKIP)
					continue;
				goto out;
			}
			st->fds_scanned++;
			if (!sks_proc_socket_inode(link, (size_t)len, &ino))
				continue;
			st->socket_fds++;
			r = sks_join_push_chain(&sc->ix, &sc->pairs, NULL, sks_join_find(&sc->ix, ino),
						tid, num);
			if (r < 0)
				goto out;
		}
	}
out:
	close(fd);
	/* Closed fds are normal; a task that exited meanwhile no longer resolves its fd dir. */
	if (r == SCAN_OK && closed && faccessat(dirfd, path, F_OK, 0) < 0 &&
	    classify(errno) == SCAN_GONE)
		r = SCAN_GONE;
	return r;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/*
 * Without kcmp, a guess that dirfd/path is the main fd table: 1 when it
 * holds as many fds as the main table (procfs counts them for one fstatat)
 * or, without counts, when it lists the very same fd numbers; a private
 * table that matches is missed, the price of not reading its links.
 * Listing costs about as much as scanning, counting almost nothing.
 */
static int same_table(struct scan *sc, int dirfd, const char *path)
{
	size_t i, seen = 0;
	struct stat st;
	int fd, r = 1;

	if (sc->main_fd_count > 0) {
		if (fstatat(dirfd, path, &st, 0) < 0)
			return classify(errno) == SCAN_GONE ? -ENOENT : 0;
		return st.st_size == sc->main_fd_count;
	}
	for (i = 1; i < sc->n_fds && sc->fds[i - 1] < sc->fds[i]; i++)
		;
	if (i < sc->n_fds) /* procfs lists fds in order; other trees need a sort */
		qsort(sc->fds, sc->n_fds, sizeof(*sc->fds), cmp_i32);
	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return classify(errno) == SCAN_GONE ? -ENOENT : 0;
	while (r == 1) {
		ssize_t n = getdents64(fd, sc->fd_dents, sizeof(sc->fd_dents));
		const struct dirent64 *d;
		size_t off = 0;

		if (n <= 0) {
			if (n < 0)
				r = 0;
			break;
		}
		while (r == 1 && (d = next_dent(sc->fd_dents, (size_t)n, &off))) {
			int32_t num;

			if (sks_proc_parse_id(d->d_name, &num) < 0)
				continue;
			if (!bsearch(&num, sc->fds, sc->n_fds, sizeof(*sc->fds), cmp_i32))
				r = 0;
			seen++;
		}
	}
	close(fd);
	return r == 1 && seen == sc->n_fds;
}

/* Index of a table in t[0..n) that tid uses too, or -1 when none (or unknown). */
static int find_table(const struct scan *sc, const struct table *t, size_t n, int32_t tid)
{
	size_t i;

	if (!sc->kcmp)
		return -1;
	for (i = 0; i < n; i++) {
		/* 0: same files_struct.  Errors (ESRCH, EPERM) leave it unknown: read the table. */
		if (syscall(SYS_kcmp, t[i].tid, tid, KCMP_FILES, 0, 0) == 0)
			return (int)i;
	}
	return -1;
}

static int copy_pairs(struct scan *sc, const struct table *t, int32_t tid)
{
	size_t i;
	int r;

	for (i = t->start; i < t->end; i++) {
		r = sks_pairs_push(&sc->pairs, NULL, sc->pairs.v[i].key, tid, sc->pairs.v[i].fd);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Is tid one of our own scanning threads (they share our fds, holding nothing)? */
static bool is_scanner(const struct scan *sc, int32_t pid, int32_t tid)
{
	const struct pid_queue *q = sc->q;

	if (!q || pid != q->self || tid == pid)
		return false;
	for (unsigned i = 0; i < q->n_tids; i++)
		if (q->tids[i] == tid)
			return true;
	return false;
}

/*
 * Walk PID/task.  Thread mode: every thread, one owner per (thread, fd), as
 * ss -T; threads sharing an fd table (kcmp says so) copy its pairs instead of
 * re-reading it.  Process mode: only threads whose table is not the main one
 * (they called unshare(CLONE_FILES), or were cloned without CLONE_FILES), so
 * a socket that only such a thread holds still gets an owner, labelled with
 * the tid because its fd number is only valid in that thread's table.
 * Cost: single-threaded processes never come here (one fstatat of task/);
 * otherwise one kcmp(2) per thread (about a microsecond), or without kcmp
 * one fstatat per thread on procfs >= 6.2 (see same_table()).  Measured:
 * 50 processes x 20 threads x 400 sockets cost the same as 1 thread each.
 */
static int scan_tasks(struct scan *sc, int pfd, int32_t pid, size_t main_start)
{
	struct table tables[MAX_TABLES];
	size_t n_tables = 0;
	int tfd, r = SCAN_OK;

	if (sc->mode == SKS_OWNERS_PROCESS)
		tables[n_tables++] = (struct table){ pid, main_start, sc->pairs.n };
	tfd = openat(pfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0)
		return classify(errno);
	for (;;) {
		ssize_t n = getdents64(tfd, sc->task_dents, sizeof(sc->task_dents));
		const struct dirent64 *d;
		size_t off = 0;

		if (n <= 0) {
			if (n < 0)
				r = classify(errno);
			break;
		}
		while ((d = next_dent(sc->task_dents, (size_t)n, &off))) {
			char path[24];
			size_t start, nlen;
			int32_t tid;
			int k, r2;

			if (sks_proc_parse_id(d->d_name, &tid) < 0)
				continue;
			if (sc->mode == SKS_OWNERS_PROCESS && tid == pid)
				continue;
			if (is_scanner(sc, pid, tid))
				continue;
			k = find_table(sc, tables, n_tables, tid);
			if (k >= 0) {
				if (sc->mode == SKS_OWNERS_THREADS) {
					r = copy_pairs(sc, &tables[k], tid);
					if (r < 0)
						goto out;
				}
				continue;
			}
			nlen = strlen(d->d_name); /* <= 10: parse_id checked it */
			memcpy(path, d->d_name, nlen);
			memcpy(path + nlen, "/fd", 4);
			if (sc->mode == SKS_OWNERS_PROCESS && !sc->kcmp) {
				r2 = same_table(sc, tfd, path);
				if (r2 != 0)
					continue; /* same table, or the thread is gone */
			}
			start = sc->pairs.n;
			r2 = scan_fds(sc, tfd, path, tid);
			if (r2 < 0 || r2 == SCAN_DENIED) {
				r = r2;
				goto out;
			}
			if (r2 != SCAN_OK) {
				/* an exiting thread takes its private table along */
				sc->pairs.n = start;
				continue;
			}
			if (n_tables < MAX_TABLES)
				tables[n_tables++] = (struct table){ tid, start, sc->pairs.n };
		}
	}
out:
	close(tfd);
	return r;
}

static int scan_process(struct scan *sc, int rootfd, const char *dname, int32_t pid)
{
	size_t start = sc->pairs.n, i;
	struct stat st;
	bool threads;
	int pfd, r;

	sc->cnt.procs_scanned++;
	pfd = openat(rootfd, dname, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0) {
		r = classify(errno);
		goto count;
	}
	/*
	 * procfs gives PID/task 2 + (number of threads) links, so one fstatat()
	 * spares single-threaded processes (most of them) the walk of task/.
	 * Other counts (btrfs says 1 for any directory) mean "walk it".
	 */
	threads = fstatat(pfd, "task", &st, 0) == 0 && st.st_nlink != 3;
	if (sc->mode == SKS_OWNERS_THREADS && threads) {
		r = scan_tasks(sc, pfd, pid, start);
	} else {
		sc->main_fd_count = -1;
		if (threads && !sc->kcmp && sc->fd_counts && fstatat(pfd, "fd", &st, 0) == 0)
			sc->main_fd_count = st.st_size;
		sc->keep_fds = threads && !sc->kcmp && sc->main_fd_count <= 0;
		sc->n_fds = 0;
		r = scan_fds(sc, pfd, "fd", sc->mode == SKS_OWNERS_THREADS ? pid : 0);
		sc->keep_fds = false;
		if (r == SCAN_OK && threads)
			r = scan_tasks(sc, pfd, pid, start);
	}
	if (r >= 0 && r != SCAN_GONE && sc->pairs.n > start) {
		const struct sks_process *proc = NULL;
		int r2;

		struct sks_proc_info *info = sc->info_shared ? sc->info_shared : &sc->info;

		if (sc->q && sc->q->threaded) {
			pthread_mutex_lock(&sc->q->info_lock);
			r2 = sks_proc_info_read(info, pfd, pid, &proc);
			pthread_mutex_unlock(&sc->q->info_lock);
		} else {
			r2 = sks_proc_info_read(info, pfd, pid, &proc);
		}

		if (r2 == -ENOENT || r2 == -ESRCH) {
			r = SCAN_GONE;
		} else if (r2 < 0) {
			r = r2;
		} else {
			for (i = start; i < sc->pairs.n; i++)
				sc->pairs.v[i].proc = proc;
		}
	}
	if (r == SCAN_GONE) /* its fds closed with it */
		sc->pairs.n = start;
count:
	if (r == SCAN_GONE)
		sc->cnt.procs_vanished++;
	else if (r == SCAN_DENIED)
		sc->cnt.procs_denied++;
	if (pfd >= 0)
		close(pfd);
	return r < 0 ? r : 0;
}

/* Scan processes from the queue until it is empty: 0 or -errno. */
static int scan_queue(struct scan *sc)
{
	struct pid_queue *q = sc->q;

	for (;;) {
		size_t i = __atomic_fetch_add(&q->next, 1, __ATOMIC_RELAXED);
		int32_t pid;
		int r;

		if (i >= q->n)
			return 0;
		if (sks_proc_parse_id(q->names[i], &pid) < 0)
			continue;
		r = scan_process(sc, q->rootfd, q->names[i], pid);
		if (r < 0) {
			/* stop the others too */
			__atomic_store_n(&q->next, q->n, __ATOMIC_RELAXED);
			return r;
		}
	}
}

struct worker {
	pthread_t thread;
	struct scan *sc;
	int r;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pid_queue *q = w->sc->q;

	/* Every scanner's tid is known before anyone reads our own PID/task. */
	q->tids[__atomic_fetch_add(&q->n_tids, 1, __ATOMIC_ACQ_REL)] = (int32_t)gettid();
	__atomic_fetch_add(&q->started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&q->go, __ATOMIC_ACQUIRE))
		sched_yield();
	w->r = scan_queue(w->sc);
	return NULL;
}

/* Every PID directory name of proc_root, in the order the kernel lists them. */
static int list_pids(struct scan *sc, struct pid_queue *q)
{
	size_t cap = 0;

	for (;;) {
		ssize_t n = getdents64(q->rootfd, sc->root_dents, sizeof(sc->root_dents));
		const struct dirent64 *d;
		size_t off = 0;

		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		while ((d = next_dent(sc->root_dents, (size_t)n, &off))) {
			size_t len = strlen(d->d_name);
			int32_t pid;

			if (len >= sizeof(q->names[0]) || sks_proc_parse_id(d->d_name, &pid) < 0)
				continue;
			if (q->n == cap) {
				void *v = grow(q->names, &cap, q->n, sizeof(q->names[0]), SIZE_MAX / 16);

				if (!v)
					return -ENOMEM;
				q->names = v;
			}
			memcpy(q->names[q->n++], d->d_name, len + 1);
		}
	}
}

/* A worker's scan: the main scan's settings and index, its own buffers and pairs. */
static struct scan *worker_scan(const struct scan *main)
{
	struct scan *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->s = main->s;
	w->mode = main->mode;
	w->kcmp = main->kcmp;
	w->fd_counts = main->fd_counts;
	w->ix = main->ix; /* read-only while scanning; main frees it */
	w->info_shared = (struct sks_proc_info *)&main->info;
	w->q = main->q;
	return w;
}

/* Merge a worker's pairs and counts into the main scan, then free it. */
static int worker_merge(struct scan *sc, struct scan *w)
{
	int r = 0;

	for (size_t i = 0; i < w->pairs.n && r >= 0; i++) {
		const struct sks_pair *p = &w->pairs.v[i];

		r = sks_pairs_push(&sc->pairs, p->proc, p->key, p->tid, p->fd);
	}
	sc->cnt.procs_scanned += w->cnt.procs_scanned;
	sc->cnt.procs_vanished += w->cnt.procs_vanished;
	sc->cnt.procs_denied += w->cnt.procs_denied;
	sc->cnt.fds_scanned += w->cnt.fds_scanned;
	sc->cnt.socket_fds += w->cnt.socket_fds;
	sks_pairs_release(&w->pairs);
	free(w->fds);
	free(w);
	return r;
}

static unsigned scanners(size_t n_pids)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus < 2 || n_pids < 2)
		return 1;
	return (unsigned)(cpus < MAX_SCANNERS ? cpus : MAX_SCANNERS);
}

/*
 * List proc_root's pids, then scan them with one thread per core (at most
 * MAX_SCANNERS), each taking the next pid.  Workers keep their own pairs and
 * counters; only reading a holder's details shares state (the snapshot's
 * arena, the user-name cache), under a lock: once per holding process.
 */
static int scan_root(struct scan *sc, int rootfd)
{
	struct pid_queue q = { .rootfd = rootfd, .self = (int32_t)getpid() };
	struct worker w[MAX_SCANNERS - 1];
	unsigned n_workers = 0, n, i;
	sigset_t all, old;
	int r;

	r = list_pids(sc, &q);
	if (r < 0)
		goto out;
	pthread_mutex_init(&q.info_lock, NULL);
	sc->q = &q;
	n = scanners(q.n);
	/* The caller's signals are for the caller's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	q.threaded = n > 1;
	for (i = 0; i + 1 < n; i++) {
		w[n_workers].sc = worker_scan(sc);
		if (!w[n_workers].sc)
			break;
		if (pthread_create(&w[n_workers].thread, NULL, worker_main, &w[n_workers])) {
			free(w[n_workers].sc);
			break; /* fewer threads, same result */
		}
		n_workers++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	while (__atomic_load_n(&q.started, __ATOMIC_ACQUIRE) < n_workers)
		sched_yield();
	__atomic_store_n(&q.go, true, __ATOMIC_RELEASE);
	r = scan_queue(sc);
	for (i = 0; i < n_workers; i++) {
		int r2;

		pthread_join(w[i].thread, NULL);
		r2 = worker_merge(sc, w[i].sc);
		if (r >= 0)
			r = w[i].r < 0 ? w[i].r : r2;
	}
	sc->q = NULL;
	pthread_mutex_destroy(&q.info_lock);
out:
	free(q.names);
	return r;
}

/*
 * kcmp(2) takes pids of our pid namespace: usable only when proc_root is a
 * procfs of that namespace (its "self" is us), and when the kernel has it and
 * no seccomp filter forbids it.
 */
static bool kcmp_usable(int rootfd)
{
	char buf[16];
	ssize_t n = readlinkat(rootfd, "self", buf, sizeof(buf) - 1);
	int32_t self;

	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (sks_proc_parse_id(buf, &self) < 0 || self != getpid())
		return false;
	return syscall(SYS_kcmp, self, self, KCMP_FILES, 0, 0) == 0;
}

static int build_index(struct scan *sc)
{
	struct sks_snapshot *s = sc->s;
	size_t i;
	int r;

	if (s->n >= SKS_NO_REC)
		return -ENOMEM;
	sc->ix.next = malloc((s->n ? s->n : 1) * sizeof(*sc->ix.next));
	if (!sc->ix.next)
		return -ENOMEM;
	r = sks_inode_hash_reserve(&sc->ix.inodes, s->n);
	if (r < 0)
		return r;
	for (i = 0; i < s->n; i++) {
		uint32_t old;

		sc->ix.next[i] = SKS_NO_REC;
		if (!s->recs[i].inode)
			continue;
		/*
		 * Inodes should be unique, but a dump retried after
		 * NLM_F_DUMP_INTR, or inode numbers wrapping at 2^32, can
		 * repeat one: chain such records so each gets the holders.
		 */
		r = sks_inode_hash_put(&sc->ix.inodes, s->recs[i].inode, (uint32_t)i, &old);
		if (r < 0)
			return r;
		if (r == 1)
			sc->ix.next[i] = old;
	}
	return 0;
}

static bool owner_lt_ptf(const struct sks_owner *a, const struct sks_owner *b)
{
	if (a->proc->pid != b->proc->pid)
		return a->proc->pid < b->proc->pid;
	if (a->tid != b->tid)
		return a->tid < b->tid;
	return a->fd < b->fd;
}

static bool owner_lt_pft(const struct sks_owner *a, const struct sks_owner *b)
{
	if (a->proc->pid != b->proc->pid)
		return a->proc->pid < b->proc->pid;
	if (a->fd != b->fd)
		return a->fd < b->fd;
	return a->tid < b->tid;
}

static int cmp_ptf(const void *a, const void *b)
{
	return owner_lt_ptf(a, b) ? -1 : owner_lt_ptf(b, a);
}

static int cmp_pft(const void *a, const void *b)
{
	return owner_lt_pft(a, b) ? -1 : owner_lt_pft(b, a);
}

/* Sort unless already sorted: scan order (pid, tid, fd ascending) usually is. */
static void sort_owners(struct sks_owner *o, size_t n,
			bool (*lt)(const struct sks_owner *, const struct sks_owner *),
			int (*cmp)(const void *, const void *))
{
	size_t i;

	for (i = 1; i < n && !lt(&o[i], &o[i - 1]); i++)
		;
	if (i < n)
		qsort(o, n, sizeof(*o), cmp);
}

/*
 * Process mode lists each (process, fd) once: a private thread table copied
 * from the main one holds the same socket at the same fd; the main table's
 * entry (tid 0) wins.  Returns the new count.
 */
static size_t tidy_owners(struct sks_owner *o, size_t n, enum sks_owner_mode mode)
{
	size_t i, k;

	if (n < 2)
		return n;
	if (mode == SKS_OWNERS_PROCESS) {
		sort_owners(o, n, owner_lt_pft, cmp_pft);
		for (i = 1, k = 1; i < n; i++)
			if (o[i].proc->pid != o[k - 1].proc->pid || o[i].fd != o[k - 1].fd)
				o[k++] = o[i];
		n = k;
	}
	sort_owners(o, n, owner_lt_ptf, cmp_ptf);
	return n;
}

/*
 * Group the pairs by key (< n_groups) with a counting sort (linear,
 * stable) into slab, tidy each group and pack them: group g's owners end
 * up in slab[g ? end[g - 1] : 0, end[g]).  end has n_groups entries.
 */
#define GROUP_PREFETCH 16

void sks_owner_group_pairs(const struct sks_pairs *p, size_t n_groups, enum sks_owner_mode mode,
			struct sks_owner *slab, uint32_t *end)
{
	uint32_t from = 0, to = 0;
	size_t i;

	memset(end, 0, n_groups * sizeof(*end));
	/* Keys come in scan order, random to end[] and slab: prefetch ahead. */
	for (i = 0; i < p->n; i++) {
		if (i + GROUP_PREFETCH < p->n)
			__builtin_prefetch(&end[p->v[i + GROUP_PREFETCH].key], 1);
		end[p->v[i].key]++;
	}
	/* end[g] becomes where group g starts; filling advances it to where g ends */
	for (i = 0; i < n_groups; i++) {
		uint32_t c = end[i];

		end[i] = from;
		from += c;
	}
	for (i = 0; i < p->n; i++) {
		const struct sks_pair *q = &p->v[i];

		if (i + GROUP_PREFETCH < p->n)
			__builtin_prefetch(&end[p->v[i + GROUP_PREFETCH].key], 1);
		slab[end[q->key]++] = (struct sks_owner){ q->proc, q->tid, q->fd };
	}
	for (i = 0, from = 0; i < n_groups; i++) {
		size_t n = tidy_owners(slab + from, end[i] - from, mode);

		if (to != from)
			memmove(slab + to, slab + from, n * sizeof(*slab));
		from = end[i];
		to += (uint32_t)n;
		end[i] = to;
	}
}

/* The pairs (keys: record indexes) grouped per record, into one arena block sliced per record. */
static int attach(struct scan *sc)
{
	struct sks_snapshot *s = sc->s;
	struct sks_owner *slab;
	uint32_t *end;
	size_t i;

	if (!sc->pairs.n)
		return 0;
	if (sc->pairs.n > SIZE_MAX / sizeof(*slab))
		return -ENOMEM;
	end = malloc(s->n * sizeof(*end));
	slab = sks_snap_alloc(s, sc->pairs.n * sizeof(*slab));
	if (!end || !slab) {
		free(end);
		return -ENOMEM;
	}
	sks_owner_group_pairs(&sc->pairs, s->n, sc->mode, slab, end);
	for (i = 0; i < s->n; i++) {
		uint32_t first = i ? end[i - 1] : 0;

		s->recs[i].owners = slab + first;
		s->recs[i].n_owners = end[i] - first;
	}
	free(end);
	return 0;
}

unsigned sks_owner_reason(const struct sks_record *rec, uint64_t procs_denied,
			  uint64_t procs_vanished)
{
	if (rec->n_owners)
		return SKS_NO_OWNER_NONE;
	if (!rec->inode || rec->state == SKS_STATE_TIME_WAIT || rec->state == SKS_STATE_SYN_RECV ||
	    rec->state == SKS_STATE_NEW_SYN_RECV)
		return SKS_NO_OWNER_KERNEL;
	/* Netlink portid 0 is the kernel's own end (rtnl:kernel): no file. */
	if (rec->proto == SKS_PROTO_NETLINK && rec->netlink.portid == 0)
		return SKS_NO_OWNER_KERNEL;
	if (procs_denied)
		return SKS_NO_OWNER_PERMISSION;
	if (procs_vanished)
		return SKS_NO_OWNER_VANISHED;
	return SKS_NO_OWNER_NOT_FOUND;
}

static void scan_free(struct scan *sc)
{
	sks_inode_hash_release(&sc->ix.inodes);
	sks_proc_info_release(&sc->info);
	free(sc->ix.next);
	sks_pairs_release(&sc->pairs);
	sks_owner_bpf_preload_free(sc->preload);
	free(sc->fds);
	free(sc);
}

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/*
 * Below this many wanted sockets, auto keeps the /proc scan.  The regular
 * skeleton cost ~75 ms and ~11 MiB to load (libbpf parsed the kernel BTF)
 * and put the crossover at ~30k sockets.  The light skeleton loads in ~3
 * ms; measured since (sockscope -tanp, TCP sockets over processes, medians
 * of 9, Linux 6.18, 2 cores, proc vs bpf): 500/5 13 vs 16 ms, 2k/10 21 vs
 * 19 ms, 5k/50 31 vs 26 ms, 20k/100 79 vs 50 ms, 400k/1000 1.24 vs 0.59 s;
 * -tlnp alike (2k: 18 vs 16 ms).  They cross at ~2k; 5k keeps a margin.
 */
#define BPF_MIN_SOCKETS 5000

/* CAP_BPF and CAP_PERFMON (Linux >= 5.8), or CAP_SYS_ADMIN, are effective. */
static bool bpf_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
#define HAS(cap) (d[(cap) / 32].effective & (1u << ((cap) % 32)))
	return HAS(CAP_SYS_ADMIN) || (HAS(CAP_BPF) && HAS(CAP_PERFMON));
#undef HAS
}

/*
 * The iterators number tasks in our pid namespace: rootfd must be the
 * procfs of that namespace (its "self" is us), or pids would not match.
 */
static bool proc_root_is_ours(int rootfd)
{
	char buf[16];
	ssize_t n = readlinkat(rootfd, "self", buf, sizeof(buf) - 1);
	struct statfs sfs;
	int32_t self;

	if (n <= 0 || fstatfs(rootfd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return false;
	buf[n] = '\0';
	return sks_proc_parse_id(buf, &self) == 0 && self == getpid();
}

/* "sockets: used N" of rootfd/net/sockstat: the sockets of our network namespace; 0: unknown. */
static uint64_t sockets_used(int rootfd)
{
	static const char key[] = "sockets: used ";
	char buf[256], *end;
	unsigned long long n;
	ssize_t len;

	len = sks_read_at(rootfd, "net/sockstat", buf, sizeof(buf) - 1);
	if (len <= (ssize_t)(sizeof(key) - 1) || memcmp(buf, key, sizeof(key) - 1))
		return 0;
	buf[len] = '\0';
	errno = 0;
	n = strtoull(buf + sizeof(key) - 1, &end, 10);
	return errno || end == buf + sizeof(key) - 1 ? 0 : n;
}

/*
 * The /proc scan costs per fd of every process, whatever is wanted (-tlnp
 * on a host with 200k connections still reads 200k links), so the host's
 * socket count decides, or the wanted count when it is larger (sockets of
 * other namespaces).
 */
static bool bpf_pays(const struct scan *sc, int rootfd)
{
	uint64_t n = sc->ix.inodes.n;

	if (!sks_owner_bpf_built() || !bpf_caps() || access("/sys/kernel/btf/vmlinux", R_OK) ||
	    !proc_root_is_ours(rootfd))
		return false;
	if (n < BPF_MIN_SOCKETS)
		n = sockets_used(rootfd);
	return n >= BPF_MIN_SOCKETS;
}

static const char *bpf_why(int err)
{
	switch (err) {
	case EOPNOTSUPP:
		return "this libsockscope was built without BPF support";
	case EPERM:
	case EACCES:
		return "needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN";
	case EXDEV:
		return "the proc root is not the procfs of this pid namespace";
	default:
		return "the kernel lacks BTF or the task_file iterator, or refused the program";
	}
}

/* The BPF iterators instead of the /proc scan; on failure nothing is kept. */
static int join_bpf(struct scan *sc, int rootfd)
{
	int r;

	if (sc->bpf_run == sks_owner_bpf_run && !proc_root_is_ours(rootfd))
		return sks_owner_bpf_built() ? -EXDEV : -EOPNOTSUPP;
	r = sks_owner_join_bpf(&sc->ix, rootfd, sc->mode, sc->bpf_run, sc->preload, &sc->pairs,
			       &sc->cnt, &sc->info);
	sc->preload = NULL; /* the run took it */
	if (r < 0) {
		sc->pairs.n = 0;
		sc->cnt = (struct sks_join_counts){ 0, 0, 0, 0, 0 };
		return r;
	}
	return 0;
}

/* Where the holders come from: BPF when asked or when it pays, else /proc. */
static int find_holders(struct scan *sc, int rootfd, unsigned flags)
{
	struct statfs sfs;
	int r;

	/* A load already under way is paid for: auto takes it. */
	if ((flags & SKS_OWNER_BPF) ||
	    ((flags & SKS_OWNER_BPF_AUTO) && (sc->preload || bpf_pays(sc, rootfd)))) {
		r = join_bpf(sc, rootfd);
		if (r == -ENOMEM || r == -EMFILE || r == -ENFILE)
			return r;
		if (r < 0 && (flags & SKS_OWNER_BPF)) {
			sks_snap_warn(sc->s, SKS_WARN_BPF, -r,
				      "BPF owner iterator unavailable: %s (%s)", strerror(-r),
				      bpf_why(-r));
			return r;
		}
		if (r == 0)
			return 0;
		sks_snap_warn(sc->s, SKS_WARN_FALLBACK, -r,
			      "BPF owner iterator failed: %s (%s); reading /proc instead",
			      strerror(-r), bpf_why(-r));
	}
	sc->kcmp = !(flags & SKS_OWNER_NO_KCMP) && kcmp_usable(rootfd);
	sc->fd_counts = fstatfs(rootfd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
	return scan_root(sc, rootfd);
}

/*
 * A scan of proc_root for s, in *ret_sc and *ret_rootfd; preload is taken
 * over (freed on failure).  0 or -errno.
 */
static int scan_open(struct sks_snapshot *s, const char *proc_root, enum sks_owner_mode mode,
		     sks_owner_bpf_run_fn bpf_run, struct sks_owner_bpf_preload *preload,
		     struct scan **ret_sc, int *ret_rootfd)
{
	struct scan *sc;
	int rootfd, r;

	rootfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	sc = rootfd < 0 ? NULL : calloc(1, sizeof(*sc));
	if (!sc) {
		r = rootfd < 0 ? -errno : -ENOMEM;
		if (rootfd >= 0)
			close(rootfd);
		sks_owner_bpf_preload_free(preload);
		return r;
	}
	sc->s = s;
	sc->mode = mode;
	sc->info.s = s;
	sc->bpf_run = bpf_run;
	sc->preload = preload;
	*ret_sc = sc;
	*ret_rootfd = rootfd;
	return 0;
}

void sks_owner_add_counts(struct sks_stats *st, const struct sks_join_counts *c)
{
	st->procs_scanned += c->procs_scanned;
	st->procs_vanished += c->procs_vanished;
	st->procs_denied += c->procs_denied;
	st->fds_scanned += c->fds_scanned;
	st->socket_fds += c->socket_fds;
}

static void warn_denied(struct sks_snapshot *s, uint64_t denied)
{
	if (!denied)
		return;
	sks_snap_warn(s, SKS_WARN_PERMISSION, EACCES,
		      "could not inspect %llu process%s (reading /proc/PID/fd needs "
		      "CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH): their sockets may show "
		      "no owner",
		      (unsigned long long)denied, denied == 1 ? "" : "es");
}

static int join(struct sks_snapshot *s, const char *proc_root, enum sks_owner_mode mode,
		unsigned flags, sks_owner_bpf_run_fn bpf_run, struct sks_owner_bpf_preload *preload)
{
	struct scan *sc = NULL;
	int rootfd = -1, r;
	size_t i;

	if (mode != SKS_OWNERS_PROCESS && mode != SKS_OWNERS_THREADS) {
		sks_owner_bpf_preload_free(preload);
		return mode == SKS_OWNERS_NONE ? 0 : -EINVAL;
	}
	r = scan_open(s, proc_root, mode, bpf_run, preload, &sc, &rootfd);
	if (r < 0)
		return r;
	r = build_index(sc);
	if (r < 0)
		goto out;
	for (i = 0; i < s->n; i++) {
		s->recs[i].owners = NULL;
		s->recs[i].n_owners = 0;
	}
	/* Nothing to look for (e.g. only TIME-WAIT): skip the costly scan. */
	if (sc->ix.inodes.n) {
		r = find_holders(sc, rootfd, flags);
		if (r < 0)
			goto out;
		r = attach(sc);
		if (r < 0)
			goto out;
	}
	sks_owner_add_counts(&s->stats, &sc->cnt);
	for (i = 0; i < s->n; i++)
		s->recs[i].no_owner = (uint8_t)sks_owner_reason(&s->recs[i], sc->cnt.procs_denied,
								sc->cnt.procs_vanished);
	warn_denied(s, sc->cnt.procs_denied);
out:
	scan_free(sc);
	close(rootfd);
	return r < 0 ? r : 0;
}

int sks_owner_join_flags(struct sks_snapshot *s, const char *proc_root, enum sks_owner_mode mode,
			 unsigned flags)
{
	return join(s, proc_root, mode, flags, sks_owner_bpf_run, NULL);
}

int sks_owner_join_fake_bpf(struct sks_snapshot *s, const char *proc_root,
			    enum sks_owner_mode mode, sks_owner_bpf_run_fn run)
{
	return join(s, proc_root, mode, SKS_OWNER_BPF, run, NULL);
}

void sks_owner_prepare(const char *proc_root, enum sks_owner_mode mode,
		       enum sks_owner_source source, struct sks_owner_bpf_preload **ret)
{
	bool likely = false;
	int rootfd;

	*ret = NULL;
	if (mode == SKS_OWNERS_NONE || source == SKS_OWNER_SOURCE_PROC || !sks_owner_bpf_built())
		return;
	rootfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return;
	if (source == SKS_OWNER_SOURCE_BPF)
		likely = proc_root_is_ours(rootfd);
	else if (source == SKS_OWNER_SOURCE_AUTO)
		likely = bpf_caps() && access("/sys/kernel/btf/vmlinux", R_OK) == 0 &&
			 proc_root_is_ours(rootfd) && sockets_used(rootfd) >= BPF_MIN_SOCKETS;
	close(rootfd);
	/* Not started: the join loads it itself, or finds why it cannot. */
	if (likely && sks_owner_bpf_preload(mode == SKS_OWNERS_THREADS, ret) < 0)
		*ret = NULL;
}

/* SKS_OWNER_* flags for a source, or -EINVAL. */
static int source_flags(enum sks_owner_source source)
{
	switch (source) {
	case SKS_OWNER_SOURCE_AUTO:
		return SKS_OWNER_BPF_AUTO;
	case SKS_OWNER_SOURCE_PROC:
		return 0;
	case SKS_OWNER_SOURCE_BPF:
		return SKS_OWNER_BPF;
	}
	return -EINVAL;
}

int sks_owner_join_source(struct sks_snapshot *s, const char *proc_root, enum sks_owner_mode mode,
			  enum sks_owner_source source, struct sks_owner_bpf_preload *preload)
{
	int flags = source_flags(source);

	if (flags < 0) {
		sks_owner_bpf_preload_free(preload);
		return flags;
	}
	return join(s, proc_root, mode, (unsigned)flags, sks_owner_bpf_run, preload);
}

int sks_owner_join(struct sks_snapshot *s, const char *proc_root, enum sks_owner_mode mode)
{
	return sks_owner_join_flags(s, proc_root, mode, 0);
}

static int holders_collect(struct sks_snapshot *own, const char *proc_root,
			   enum sks_owner_mode mode, unsigned flags, sks_owner_bpf_run_fn bpf_run,
			   struct sks_owner_bpf_preload *preload, struct sks_holders **ret)
{
	struct sks_holders *h;
	struct scan *sc = NULL;
	int rootfd = -1, r;

	*ret = NULL;
	if (mode != SKS_OWNERS_PROCESS && mode != SKS_OWNERS_THREADS) {
		sks_snapshot_free(own);
		sks_owner_bpf_preload_free(preload);
		return -EINVAL;
	}
	r = sks_holders_new(own, &h);
	if (r >= 0)
		r = scan_open(own, proc_root, mode, bpf_run, preload, &sc, &rootfd);
	else
		sks_owner_bpf_preload_free(preload);
	if (r < 0) {
		sks_holders_free(h);
		return r;
	}
	sc->ix.all = true;
	r = find_holders(sc, rootfd, flags);
	if (r >= 0)
		r = sks_holders_build(h, &sc->pairs, mode);
	sks_holders_set_counts(h, &sc->cnt);
	scan_free(sc);
	close(rootfd);
	if (r < 0) {
		sks_holders_free(h);
		return r;
	}
	warn_denied(own, sks_holders_counts(h)->procs_denied);
	*ret = h;
	return 0;
}

int sks_holders_collect(struct sks_snapshot *own, const char *proc_root, enum sks_owner_mode mode,
			enum sks_owner_source source, struct sks_owner_bpf_preload *preload,
			struct sks_holders **ret)
{
	int flags = source_flags(source);

	if (flags < 0) {
		*ret = NULL;
		sks_snapshot_free(own);
		sks_owner_bpf_preload_free(preload);
		return flags;
	}
	return holders_collect(own, proc_root, mode, (unsigned)flags, sks_owner_bpf_run, preload,
			       ret);
}

int sks_holders_collect_fake_bpf(struct sks_snapshot *own, const char *proc_root,
				 enum sks_owner_mode mode, sks_owner_bpf_run_fn run,
				 struct sks_holders **ret)
{
	return holders_collect(own, proc_root, mode, SKS_OWNER_BPF, run, NULL, ret);
}
