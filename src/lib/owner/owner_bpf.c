// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loader of the owner join's BPF fast path: opens the skeleton embedded at
 * build time (bpf/task_file.bpf.c), gives the kernel the wanted inodes, runs
 * the iter/task_file (and, for thread mode, iter/task) iterators and hands
 * their fixed-size records to the join (join_bpf.c).  The load (~75 ms, most
 * of it libbpf parsing the kernel's BTF) may run in a thread while the
 * sockets are dumped.  Built without libbpf, it only says so.
 */
#include "owner/owner_bpf.h"

#include <errno.h>

#ifdef SKS_HAVE_BPF

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "task_file.skel.h"

#define READ_BUF (256 * 1024) /* a few read() calls for 200k sockets */

bool sks_owner_bpf_built(void)
{
	return true;
}

/* libbpf prints through one process-wide callback: a library must not. */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/*
 * The print callback is process-wide; the lock keeps two concurrent joins
 * from restoring each other's "quiet" as the caller's callback.
 */
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

/* Fill the wanted map (SKS_OWNER_BPF_FILTER_MAX entries, h->n <= that); 0 or -errno. */
static int fill_wanted(struct task_file_bpf *skel, const struct sks_inode_hash *h)
{
	int fd = bpf_map__fd(skel->maps.wanted);
	uint8_t *vals = NULL;
	uint64_t *keys;
	size_t i, n = 0;
	__u32 count;
	int r = 0;

	keys = malloc(h->n * sizeof(*keys));
	vals = calloc(h->n, 1);
	if (!keys || !vals) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < h->cap; i++)
		if (h->keys[i])
			keys[n++] = h->keys[i];
	count = (__u32)n;
	if (bpf_map_update_batch(fd, keys, vals, &count, NULL) == 0 && count == n)
		goto out;
	/* Kernels before 5.6 have no batch update: one syscall per key. */
	for (i = 0; i < n; i++) {
		if (bpf_map_update_elem(fd, &keys[i], &vals[i], BPF_ANY) < 0) {
			r = -errno;
			goto out;
		}
	}
out:
	free(keys);
	free(vals);
	return r;
}

/*
 * Run one iterator to its end, handing each record of size sz to emit.
 * seq_file reads may end inside a record: the tail is kept for the next read.
 */
static int drain(struct bpf_program *prog, char *buf, size_t sz,
		 int (*emit)(void *userdata, const void *rec), void *userdata)
{
	struct bpf_link *link;
	size_t have = 0;
	int fd, r = 0;

	link = bpf_program__attach_iter(prog, NULL);
	if (!link)
		return -errno ? -errno : -EINVAL;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + have, READ_BUF - have);
		size_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN: a program stuck in an endless restart; never seen */
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		for (; have - off >= sz; off += sz) {
			r = emit(userdata, buf + off);
			if (r < 0)
				goto out;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
out:
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	return r;
}

struct emit_ctx {
	const struct sks_owner_bpf_sink *sink;
};

/* Records start at multiples of their size in a malloc()ed buffer: aligned. */
static int emit_fd(void *userdata, const void *rec)
{
	const struct sks_owner_bpf_sink *sink = ((struct emit_ctx *)userdata)->sink;

	return sink->fd(sink->userdata, rec);
}

static int emit_task(void *userdata, const void *rec)
{
	const struct sks_owner_bpf_sink *sink = ((struct emit_ctx *)userdata)->sink;

	return sink->task(sink->userdata, rec);
}

/* Open and load the skeleton: 0 and *ret, or -errno.  Takes print_lock. */
static int load(bool tasks, struct task_file_bpf **ret)
{
	struct task_file_bpf *skel;
	libbpf_print_fn_t old;
	int r;

	pthread_mutex_lock(&print_lock);
	old = libbpf_set_print(quiet);
	skel = task_file_bpf__open();
	if (!skel) {
		r = -errno ? -errno : -EINVAL;
		goto out;
	}
	/* Sized for the largest filter now, so loading never waits for the records. */
	r = bpf_map__set_max_entries(skel->maps.wanted, SKS_OWNER_BPF_FILTER_MAX);
	if (r == 0 && !tasks)
		r = bpf_program__set_autoload(skel->progs.sks_task, false);
	if (r == 0)
		r = task_file_bpf__load(skel);
out:
	libbpf_set_print(old);
	pthread_mutex_unlock(&print_lock);
	if (r < 0) {
		task_file_bpf__destroy(skel);
		return r;
	}
	*ret = skel;
	return 0;
}

struct sks_owner_bpf_preload {
	pthread_t thread;
	bool tasks;
	int err;
	struct task_file_bpf *skel;
};

static void *preload_main(void *arg)
{
	struct sks_owner_bpf_preload *p = arg;

	p->err = load(p->tasks, &p->skel);
	return NULL;
}

int sks_owner_bpf_preload(bool tasks, struct sks_owner_bpf_preload **ret)
{
	struct sks_owner_bpf_preload *p = calloc(1, sizeof(*p));
	sigset_t all, old;
	int r;

	if (!p)
		return -ENOMEM;
	p->tasks = tasks;
	/* The caller's signals are for the caller's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&p->thread, NULL, preload_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		free(p);
		return -r;
	}
	*ret = p;
	return 0;
}

/* Wait for the load; 0 and *ret (which the caller destroys), or its -errno.  Frees p. */
static int preload_take(struct sks_owner_bpf_preload *p, struct task_file_bpf **ret)
{
	int r;

	pthread_join(p->thread, NULL);
	r = p->err;
	if (r == 0)
		*ret = p->skel;
	free(p);
	return r;
}

void sks_owner_bpf_preload_free(struct sks_owner_bpf_preload *p)
{
	struct task_file_bpf *skel;

	if (p && preload_take(p, &skel) == 0)
		task_file_bpf__destroy(skel);
}

int sks_owner_bpf_run(const struct sks_owner_bpf_req *req, const struct sks_owner_bpf_sink *sink,
		      struct sks_owner_bpf_result *ret_res)
{
	bool filter = req->wanted && req->wanted->n && req->wanted->n <= SKS_OWNER_BPF_FILTER_MAX;
	struct emit_ctx ec = { sink };
	struct task_file_bpf *skel = NULL;
	char *buf;
	int r;

	if (req->preload && req->preload->tasks != req->tasks) {
		sks_owner_bpf_preload_free(req->preload);
		return -EINVAL;
	}
	r = req->preload ? preload_take(req->preload, &skel) : load(req->tasks, &skel);
	if (r < 0)
		return r;
	buf = malloc(READ_BUF);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	skel->bss->filter_on = filter;
	if (filter) {
		r = fill_wanted(skel, req->wanted);
		if (r < 0)
			goto out;
	}
	r = drain(skel->progs.sks_task_file, buf, sizeof(struct sks_bpf_fd), emit_fd, &ec);
	if (r < 0)
		goto out;
	if (req->tasks) {
		r = drain(skel->progs.sks_task, buf, sizeof(struct sks_bpf_task), emit_task, &ec);
		if (r < 0)
			goto out;
	}
	ret_res->files = skel->bss->files_seen;
	ret_res->sockets = skel->bss->socket_files;
	ret_res->self_start = skel->bss->self_start;
out:
	task_file_bpf__destroy(skel);
	free(buf);
	return r < 0 ? r : 0;
}

#else

bool sks_owner_bpf_built(void)
{
	return false;
}

int sks_owner_bpf_preload(bool tasks, struct sks_owner_bpf_preload **ret)
{
	(void)tasks;
	(void)ret;
	return -EOPNOTSUPP;
}

void sks_owner_bpf_preload_free(struct sks_owner_bpf_preload *p)
{
	(void)p;
}

int sks_owner_bpf_run(const struct sks_owner_bpf_req *req, const struct sks_owner_bpf_sink *sink,
		      struct sks_owner_bpf_result *ret_res)
{
	(void)req;
	(void)sink;
	(void)ret_res;
	return -EOPNOTSUPP;
}

#endif
