/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-process details for the owner join (proc_info.c): a reader holding
 * the uid -> user name cache and the read buffers, reused for every holder.
 */
#ifndef SKS_PROC_INFO_H
#define SKS_PROC_INFO_H

#include "internal.h"
#include "owner/inode_hash.h"

#define SKS_PROC_STAT_MAX 2048 /* a stat line is < 1200 bytes even with a 64-byte kthread name */
#define SKS_PROC_FILE_MAX 4096 /* status (Uid: is in its first lines), cmdline (argv[0]), exe */

/* Zero-initialise, set s; release with sks_proc_info_release(). */
struct sks_proc_info {
	struct sks_snapshot *s;     /* whose arena holds the results */
	struct sks_inode_hash uids; /* uid + 1 -> index in users */
	const char **users;         /* arena strings, NULL for a uid without a name */
	size_t n_users, cap_users;
	char *pwbuf;
	size_t pwbuf_len;
	char stat_buf[SKS_PROC_STAT_MAX];
	char file_buf[SKS_PROC_FILE_MAX];
};

/*
 * Read the process behind pid_dirfd (proc_root/PID, opened by the caller)
 * into a struct sks_process in s's arena.  Returns 0, -ENOENT or -ESRCH when
 * the process exited meanwhile, -ENOMEM, -EMFILE or -ENFILE.  A stat that does not parse (never
 * seen from a real kernel) leaves comm empty; a missing Uid: line gives uid
 * UINT32_MAX and no user.
 */
int sks_proc_info_read(struct sks_proc_info *pi, int pid_dirfd, int32_t pid,
		       const struct sks_process **ret);
void sks_proc_info_release(struct sks_proc_info *pi);

#endif
