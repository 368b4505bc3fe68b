/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BPF fast path of the owner join.  owner_bpf.c (built only when clang,
 * bpftool, the libbpf headers and the kernel's BTF were there at build time)
 * loads the iterators of bpf/task_file.bpf.c and hands their records to a
 * sink; join_bpf.c turns the records into owners, exactly as the /proc scan
 * would.
 */
#ifndef SKS_OWNER_BPF_H
#define SKS_OWNER_BPF_H

#include "owner/join.h"

#include <linux/types.h>

#include "owner/bpf/task_file.h"

/* Where the iterators' records go, in this order: every fd record, then every task record. */
struct sks_owner_bpf_sink {
	int (*fd)(void *userdata, const struct sks_bpf_fd *rec);
	int (*task)(void *userdata, const struct sks_bpf_task *rec);
	void *userdata;
};

struct sks_owner_bpf_preload;

struct sks_owner_bpf_req {
	bool tasks; /* also list every task (thread mode) */
	/* A load started earlier with the same tasks, taken over (freed) by the run; or NULL. */
	struct sks_owner_bpf_preload *preload;
	/*
	 * Report only sockets whose inode is a key here; NULL, or more than
	 * SKS_OWNER_BPF_FILTER_MAX keys: all sockets (the caller filters).
	 */
	const struct sks_inode_hash *wanted;
};

/*
 * Largest wanted set given to the kernel.  Measured on 200k sockets over
 * 1000 processes (collect time, medians of 5): with the 1,000 listeners of
 * -tlnp wanted, the filter saves writing 200k records (603 vs 627 ms, within
 * the noise); with all 200k wanted, filling the map and looking each socket
 * up in a hash too big for the cache cost 1.14 s against 0.93 s without it.
 * A small map stays cached: only small sets go to the kernel.
 */
#define SKS_OWNER_BPF_FILTER_MAX SKS_BPF_WANTED_MAX /* 4096, the map's fixed size */

struct sks_owner_bpf_result {
	uint64_t files;	     /* files visited */
	uint64_t sockets;    /* socket files among them */
	uint64_t self_start; /* the caller's start_boottime, ns: calibrates sks_bpf_fd.start */
};

/*
 * Run the iterators in the calling thread's pid namespace and feed sink.
 * 0; -EOPNOTSUPP when built without BPF support; the load's -errno (-EPERM
 * without CAP_BPF and CAP_PERFMON; others, such as -EINVAL or -ENOENT, on
 * kernels without BTF, the iterators or kernel-side CO-RE, before 5.17); a
 * sink's negative return.  Prints nothing.
 */
typedef int (*sks_owner_bpf_run_fn)(const struct sks_owner_bpf_req *req,
				    const struct sks_owner_bpf_sink *sink,
				    struct sks_owner_bpf_result *ret_res);
int sks_owner_bpf_run(const struct sks_owner_bpf_req *req, const struct sks_owner_bpf_sink *sink,
		      struct sks_owner_bpf_result *ret_res);

/* true when this build has the BPF fast path. */
bool sks_owner_bpf_built(void);

/*
 * Start loading the iterators in a thread (signals blocked), to be given to
 * sks_owner_bpf_run() in req->preload, or freed (after the load ends) with
 * sks_owner_bpf_preload_free(), which accepts NULL.  0 and *ret; -ENOMEM,
 * -EAGAIN (no thread), -EOPNOTSUPP without BPF support.  A failed load is
 * reported by the run.
 */
int sks_owner_bpf_preload(bool tasks, struct sks_owner_bpf_preload **ret);
void sks_owner_bpf_preload_free(struct sks_owner_bpf_preload *p);

/*
 * The join from BPF records (join_bpf.c).  rootfd is the procfs of the
 * caller's pid namespace (holders' names, uids and start times are read
 * there; a start time that differs from the iterator's means the pid was
 * reused: the holder counts as vanished).  run is sks_owner_bpf_run() or a
 * test's fake; preload (or NULL) is handed to it.  Pairs (with their proc set) are appended to *pairs, counters
 * added to *cnt.  0 or -errno (run's, -ENOMEM, -EMFILE, -ENFILE).
 */
int sks_owner_join_bpf(const struct sks_join_index *ix, int rootfd, enum sks_owner_mode mode,
		       sks_owner_bpf_run_fn run, struct sks_owner_bpf_preload *preload,
		       struct sks_pairs *pairs, struct sks_join_counts *cnt,
		       struct sks_proc_info *info);

#endif
