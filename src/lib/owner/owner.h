/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Owner join: the second stage.  Maps each record's inode to every process
 * (or thread) holding it by scanning proc_root/PID/fd.
 */
#ifndef SKS_OWNER_H
#define SKS_OWNER_H

#include "internal.h"

struct sks_owner_bpf_preload; /* owner_bpf.h */

/*
 * Fill rec->owners / n_owners / no_owner for every record in s, scanning
 * proc_root (e.g. "/proc").  Only processes holding a recorded inode have
 * their name, uid and start time read.  Updates the procs_* and *fds stats,
 * warns once (SKS_WARN_PERMISSION) if processes could not be inspected.
 * -errno only if proc_root itself cannot be read.
 */
int sks_owner_join(struct sks_snapshot *s, const char *proc_root, enum sks_owner_mode mode);

/*
 * sks_owner_join() with the holders found by the BPF iterators (SKS_OWNER_SOURCE_BPF:
 * or fail with their -errno after a SKS_WARN_BPF warning), by the /proc
 * scan, or (AUTO) by BPF when it is available and pays, else /proc.
 * preload (or NULL, see sks_owner_prepare()) is taken over.
 */
int sks_owner_join_source(struct sks_snapshot *s, const char *proc_root, enum sks_owner_mode mode,
			  enum sks_owner_source source, struct sks_owner_bpf_preload *preload);

/*
 * Before the dump: start loading the BPF iterators in a thread when the
 * join will want them (SKS_OWNER_SOURCE_BPF, or AUTO on a host with enough
 * sockets), so the ~75 ms load overlaps the dump.  *ret is NULL when not
 * started; give it to sks_owner_join_source(), which takes it over, or free
 * it with sks_owner_bpf_preload_free().
 */
void sks_owner_prepare(const char *proc_root, enum sks_owner_mode mode,
		       enum sks_owner_source source, struct sks_owner_bpf_preload **ret);

#endif
