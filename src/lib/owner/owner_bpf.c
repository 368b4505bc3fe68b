// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loader of the owner join's BPF fast path: loads the light skeleton of
 * bpf/task_file.bpf.c (its loader program has the kernel CO-RE relocate it
 * against the kernel's own BTF, Linux >= 5.17: no libbpf, no BTF parsed in
 * user space, ~3 ms), gives the kernel the wanted inodes, runs the iterators
 * and hands their fixed-size records to the join (join_bpf.c).
 */
#include "owner/owner_bpf.h"

#include <errno.h>

#ifdef SKS_HAVE_BPF

#include <linux/bpf.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "task_file.lskel.h"
#include "util/readahead.h"

#define READ_BUF (256 * 1024) /* a few read() calls for 200k sockets */

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif

bool sks_owner_bpf_built(void)
{
	return true;
}

/* bpf(2) through skel_internal.h's wrapper: the result, or -errno. */
static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr, unsigned int size)
{
	int r = skel_sys_bpf(cmd, attr, size);

	return r < 0 ? -errno : r;
}

/* Fill the wanted map (SKS_OWNER_BPF_FILTER_MAX entries, h->n <= that); 0 or -errno. */
static int fill_wanted(int fd, const struct sks_inode_hash *h)
{
	const size_t attr_sz = offsetofend(union bpf_attr, batch);
	union bpf_attr attr;
	uint8_t *vals = NULL;
	uint64_t *keys;
	size_t i, n = 0;
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
	memset(&attr, 0, attr_sz);
	attr.batch.map_fd = (__u32)fd;
	attr.batch.keys = (uintptr_t)keys;
	attr.batch.values = (uintptr_t)vals;
	attr.batch.count = (__u32)n;
	if (sys_bpf(BPF_MAP_UPDATE_BATCH, &attr, attr_sz) == 0 && attr.batch.count == n)
		goto out;
	/* Kernels before 5.6 have no batch update: one syscall per key. */
	for (i = 0; i < n; i++) {
		if (skel_map_update_elem(fd, &keys[i], &vals[i], BPF_ANY) < 0) {
			r = -errno;
			goto out;
		}
	}
out:
	free(keys);
	free(vals);
	return r;
}

/* The iterator as a read-ahead source: the dump is "asked for" by creating it. */
static int iter_start(void *userdata, const void *msg, size_t len)
{
	(void)userdata;
	(void)msg;
	(void)len;
	return 0;
}

static ssize_t iter_read(void *userdata, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(*(int *)userdata, buf, len);

		/* EAGAIN: a program stuck in an endless restart; never seen */
		if (n >= 0 || errno != EINTR)
			return n < 0 ? -errno : n;
	}
}

/*
 * Run one iterator to its end, handing each record of size sz to emit: a
 * link (BPF_LINK_CREATE), then a seq_file from it (BPF_ITER_CREATE), read
 * in a thread (util/readahead.c) so that the kernel runs the program over
 * the next files while this thread takes in the last read: at 400k
 * sockets that hides most of the ~50 ms spent here behind the ~110 ms of
 * the program.  A read may end inside a record: its head waits in carry.
 */
static int drain(int prog_fd, char *buf, size_t sz, int (*emit)(void *userdata, const void *rec),
		 void *userdata)
{
	const size_t attr_sz = offsetofend(union bpf_attr, iter_create);
	struct sks_readahead_io io = { iter_start, iter_read, NULL, NULL }, rio;
	_Alignas(8) char carry[sizeof(struct sks_bpf_fd) > sizeof(struct sks_bpf_task)
				       ? sizeof(struct sks_bpf_fd)
				       : sizeof(struct sks_bpf_task)];
	struct sks_readahead *ra = NULL;
	union bpf_attr attr;
	size_t have = 0;
	int link, fd, r = 0;

	if (sz > sizeof(carry))
		return -EINVAL;
	link = skel_link_create(prog_fd, 0, BPF_TRACE_ITER);
	if (link < 0)
		return -errno;
	memset(&attr, 0, attr_sz);
	attr.iter_create.link_fd = (__u32)link;
	fd = sys_bpf(BPF_ITER_CREATE, &attr, attr_sz);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	io.userdata = &fd;
	/* No thread: read in line. */
	if (sks_readahead_start(&io, READ_BUF, &ra, &rio) < 0)
		rio = io;
	r = rio.send(rio.userdata, NULL, 0);
	while (r >= 0) {
		ssize_t n = rio.recv(rio.userdata, buf, READ_BUF);
		size_t off = 0, len;

		if (n <= 0) {
			r = (int)n;
			break;
		}
		len = (size_t)n;
		if (have) {
			size_t take = sz - have < len ? sz - have : len;

			memcpy(carry + have, buf, take);
			have += take;
			off = take;
			if (have < sz)
				continue;
			have = 0;
			r = emit(userdata, carry);
			if (r < 0)
				break;
			/* Records are read in place: keep them aligned. */
			if (off % 8) {
				memmove(buf, buf + off, len - off);
				len -= off;
				off = 0;
			}
		}
		for (; len - off >= sz; off += sz) {
			r = emit(userdata, buf + off);
			if (r < 0)
				break;
		}
		if (r < 0)
			break;
		have = len - off;
		memcpy(carry, buf + off, have);
	}
	sks_readahead_stop(ra);
out:
	if (fd >= 0)
		close(fd);
	close(link);
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

/* CAP_PERFMON or CAP_SYS_ADMIN is effective (or capget() cannot tell). */
static bool perfmon_capable(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return true;
#define HAS(cap) (d[(cap) / 32].effective & (1u << ((cap) % 32)))
	return HAS(CAP_SYS_ADMIN) || HAS(CAP_PERFMON);
#undef HAS
}

/*
 * Open and load the skeleton: 0 and *ret, or -errno.  Both iterators are
 * loaded whatever the mode: a light skeleton loads all its programs, and
 * iter/task takes ~0.3 ms to verify (task_file.bpf.c says why so little).
 */
static int load(struct task_file_bpf **ret)
{
	struct task_file_bpf *skel;
	int r;

	skel = task_file_bpf__open();
	if (!skel)
		return -ENOMEM;
	r = task_file_bpf__load(skel);
	if (r < 0) {
		task_file_bpf__destroy(skel);
		/*
		 * With CAP_BPF alone the verifier refuses the loader program's
		 * bpf_probe_read_kernel() with EINVAL, which reads as an old
		 * kernel: say what is missing, as a regular load's EPERM would.
		 */
		return r != -EPERM && !perfmon_capable() ? -EPERM : r;
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

	p->err = load(&p->skel);
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
	r = req->preload ? preload_take(req->preload, &skel) : load(&skel);
	if (r < 0)
		return r;
	buf = malloc(READ_BUF);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	skel->bss->filter_on = filter;
	if (filter) {
		r = fill_wanted(skel->maps.wanted.map_fd, req->wanted);
		if (r < 0)
			goto out;
	}
	r = drain(skel->progs.sks_task_file.prog_fd, buf, sizeof(struct sks_bpf_fd), emit_fd, &ec);
	if (r < 0)
		goto out;
	if (req->tasks) {
		r = drain(skel->progs.sks_task.prog_fd, buf, sizeof(struct sks_bpf_task), emit_task,
			  &ec);
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
