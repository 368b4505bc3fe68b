/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the BPF iterators of task_file.bpf.c write into their seq_file, read
 * back by owner_bpf.c.  Shared by the BPF program (vmlinux.h types) and user
 * space (linux/types.h): fixed-size fields only, no padding holes.
 */
#ifndef SKS_OWNER_BPF_TASK_FILE_H
#define SKS_OWNER_BPF_TASK_FILE_H

/*
 * One socket file in one fd table (iter/task_file).  Tables shared with the
 * thread-group leader are reported once, by the leader; a thread with a
 * table of its own (unshare(CLONE_FILES)) reports it under its tid.
 */
struct sks_bpf_fd {
	__u64 ino;   /* socket inode */
	__u64 table; /* identity of the fd table (files_struct), never shown */
	__u64 start; /* the leader's start time, ns after boot (pid reuse check) */
	__u32 pid;   /* thread-group id, in the reader's pid namespace */
	__u32 tid;   /* the task that was visited */
	__u32 fd;
	__u32 pad;
};

/* One task (iter/task), for thread mode: which table each thread uses. */
struct sks_bpf_task {
	__u64 table; /* 0: no files (exiting, kernel thread) */
	__u32 pid;
	__u32 tid;
};

/*
 * max_entries of the wanted map, fixed in the object: a light skeleton
 * cannot resize a map before load.  owner_bpf.h says why this size.
 */
#define SKS_BPF_WANTED_MAX 4096

/* Private to the BPF program (its per-task cache); here so the skeleton compiles. */
struct sks_bpf_task_cache {
	__u64 task; /* the task_struct this is about, 0: none yet */
	__u64 table;
	__u64 start;
	__u32 pid;
	__u32 tid;
	__u32 skip; /* nothing to report for this task */
	__u32 pad;
};

#endif
