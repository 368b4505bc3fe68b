/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BPF fast path of the owner join.  owner_bpf.c (built only when clang,
 * bpftool, libbpf and the kernel's BTF were there at build time) loads the
 * iterators of bpf/task_file.bpf.c and hands their records to a sink;
 * join_bpf.c turns the records into owners, exactly as the /proc scan would.
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

struct sks_owner_bpf_req {
	bool tasks; /* also list every task (thread mode) */
	/*
	 * Report only sockets whose inode is a key here; NULL, or more than
	 * SKS_OWNER_BPF_FILTER_MAX keys: all sockets (the caller filters).
	 */
	const struct sks_inode_hash *wanted;
};

/*
 * Largest wanted set given to the kernel.  The filter pays when few of the
 * host's sockets are wanted (listeners among 200k connections: 1,000 keys
 * instead of 200k records).  When all are wanted it is a wash: measured
 * with 200k keys on 200k sockets, filling the map and the lookups cost what
 * the records not written save (collect 1.21 s with it, 1.22 s without,
 * medians of 5).  Past this size the caller wants most sockets anyway.
 */
#define SKS_OWNER_BPF_FILTER_MAX 65536

struct sks_owner_bpf_result {
	uint64_t files;	     /* files visited */
	uint64_t sockets;    /* socket files among them */
	uint64_t self_start; /* the caller's start_boottime, ns: calibrates sks_bpf_fd.start */
};

/*
 * Run the iterators in the calling thread's pid namespace and feed sink.
 * 0; -EOPNOTSUPP when built without BPF support; the load's -errno (-EPERM
 * without CAP_BPF and CAP_PERFMON, -EINVAL or -ENOENT on kernels without
 * the iterators or BTF); a sink's negative return.  libbpf's messages are
 * silenced while it runs (its print callback is process-wide: it is put
 * back before return).
 */
typedef int (*sks_owner_bpf_run_fn)(const struct sks_owner_bpf_req *req,
				    const struct sks_owner_bpf_sink *sink,
				    struct sks_owner_bpf_result *ret_res);
int sks_owner_bpf_run(const struct sks_owner_bpf_req *req, const struct sks_owner_bpf_sink *sink,
		      struct sks_owner_bpf_result *ret_res);

/* true when this build has the BPF fast path. */
bool sks_owner_bpf_built(void);

/*
 * The join from BPF records (join_bpf.c).  rootfd is the procfs of the
 * caller's pid namespace (holders' names, uids and start times are read
 * there; a start time that differs from the iterator's means the pid was
 * reused: the holder counts as vanished).  run is sks_owner_bpf_run() or a
 * test's fake.  Pairs (with their proc set) are appended to *pairs, counters
 * added to *cnt.  0 or -errno (run's, -ENOMEM, -EMFILE, -ENFILE).
 */
int sks_owner_join_bpf(const struct sks_join_index *ix, int rootfd, enum sks_owner_mode mode,
		       sks_owner_bpf_run_fn run, struct sks_pairs *pairs,
		       struct sks_join_counts *cnt, struct sks_proc_info *info);

#endif
