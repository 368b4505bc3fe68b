// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * The owner join's fast path, in the kernel: iter/task_file visits every fd
 * of every task of the reader's pid namespace and writes one record per
 * socket file (inode, pid, tid, fd, table); iter/task lists each task's fd
 * table for thread mode.  Compiled once with clang -target bpf, CO-RE
 * relocated at load time by the kernel (owner_bpf.c runs a light skeleton's
 * loader program); no /proc, no readlink, no d_path.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "task_file.h"

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define MAX_PID_NS_LEVEL 32

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Set by user space after load, before the run: 1 reports only the inodes
 * in wanted (not a load-time constant: the load may start before the
 * records are known).
 */
__u32 filter_on;

/*
 * The inodes of the records the library wants owners for; the size is fixed
 * (a light skeleton cannot resize it).  Not preallocated: most runs leave it
 * empty or nearly so.  Preallocation cost ~0.5 ms at every load; without it,
 * filling all 4096 entries costs 1.1 ms more (1.5 vs 0.4 ms), lookups the same.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SKS_BPF_WANTED_MAX);
	__type(key, __u64);
	__type(value, __u8);
} wanted SEC(".maps");

/* Read back by user space (the snapshot's stats, the start time calibration). */
__u64 files_seen;
__u64 socket_files;
__u64 self_start; /* the reader's leader's start_boottime */

/*
 * Why the current task and iter/task's task are read with BPF_CORE_READ():
 * they are trusted pointers, and each plain load of a pointer field through
 * one makes the verifier search the kernel's BTF for "<type>__safe_trusted"
 * and similar names, linearly (~1 ms a load on Linux 6.18: 7 of the 10 ms
 * this object took to load).  Probe reads are not checked that way; they
 * cost a helper call each, a few per task.  iter/task_file's task is not
 * trusted: plain loads from it are cheap to verify.
 */

/*
 * The level of the reader's pid namespace: the iterators visit the tasks of
 * that namespace (the one of the task that read()s), so their numbers there
 * are the pids the reader's /proc shows.
 */
static __always_inline __u32 reader_level(void)
{
	struct task_struct *me = (struct task_struct *)bpf_get_current_task();

	self_start = BPF_CORE_READ(me, group_leader, start_boottime);
	return BPF_CORE_READ(me, thread_pid, level);
}

/* The pid number of p at level lvl; 0 when it has none there. */
static __always_inline __u32 ns_nr(struct pid *p, __u32 lvl)
{
	int nr = 0;

	if (!p || lvl >= MAX_PID_NS_LEVEL || BPF_CORE_READ(p, level) < lvl)
		return 0;
	bpf_core_read(&nr, sizeof(nr), &p->numbers[lvl].nr);
	return nr > 0 ? (__u32)nr : 0;
}

/*
 * The last visited task's share of each record: the iterator visits one
 * task's fds in a row, so it is computed once per task, not once per fd.
 * A global, not a static: clang splits a static struct into scalars whose
 * BTF the kernel refuses.
 */
struct sks_bpf_task_cache cur;

static __always_inline void task_info_fill(struct task_struct *task)
{
	struct task_struct *leader = task->group_leader;
	__u32 lvl = reader_level();

	cur.task = (__u64)task;
	cur.table = (__u64)task->files;
	/*
	 * The kernel (skip_if_dup_files) already skips threads sharing the
	 * leader's table; keep the check so each table is reported once by
	 * its process on any kernel.
	 */
	cur.skip = leader != task && cur.table == (__u64)leader->files;
	cur.start = leader->start_boottime;
	cur.pid = ns_nr(leader->thread_pid, lvl);
	cur.tid = ns_nr(task->thread_pid, lvl);
	if (!cur.pid || !cur.tid)
		cur.skip = 1;
}

SEC("iter/task_file")
int sks_task_file(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct sks_bpf_fd out;
	struct inode *inode;

	if (!task || !file)
		return 0;
	files_seen++;
	inode = file->f_inode;
	if (!inode || (inode->i_mode & S_IFMT) != S_IFSOCK)
		return 0;
	socket_files++;
	out.ino = inode->i_ino;
	if (filter_on && !bpf_map_lookup_elem(&wanted, &out.ino))
		return 0;
	if (cur.task != (__u64)task)
		task_info_fill(task);
	if (cur.skip)
		return 0;
	out.table = cur.table;
	out.start = cur.start;
	out.pid = cur.pid;
	out.tid = cur.tid;
	out.fd = ctx->fd;
	out.pad = 0;
	/*
	 * A full seq_file buffer (-EOVERFLOW) drops this record; the kernel
	 * runs the program on the same file again at the next read(): count
	 * the file then, not twice.
	 */
	if (bpf_seq_write(ctx->meta->seq, &out, sizeof(out)) < 0) {
		files_seen--;
		socket_files--;
	}
	return 0;
}

SEC("iter/task")
int sks_task(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct sks_bpf_task out = {};
	__u32 lvl;

	if (!task)
		return 0;
	lvl = reader_level();
	out.table = (__u64)BPF_CORE_READ(task, files);
	out.pid = ns_nr(BPF_CORE_READ(task, group_leader, thread_pid), lvl);
	out.tid = ns_nr(BPF_CORE_READ(task, thread_pid), lvl);
	if (!out.table || !out.pid || !out.tid)
		return 0;
	bpf_seq_write(ctx->meta->seq, &out, sizeof(out));
	return 0;
}
