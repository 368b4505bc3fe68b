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
 * sockets), so the load (~3 ms with the light skeleton) overlaps the
 * dump.  *ret is NULL when not
 * started; give it to sks_owner_join_source(), which takes it over, or free
 * it with sks_owner_bpf_preload_free().
 */
void sks_owner_prepare(const char *proc_root, enum sks_owner_mode mode,
		       enum sks_owner_source source, struct sks_owner_bpf_preload **ret);

/*
 * Holders first, for records still to come (a streamed dump): every socket
 * fd of every process under proc_root, found as sks_owner_join_source()
 * would, grouped per inode.  Details are read for every process holding a
 * socket, since which ones are wanted is not known yet.  own (a snapshot
 * of the context, holding no records) keeps the processes' details, takes
 * the warnings and is freed with the result, or on failure, as is preload.
 * 0 and *ret, or -errno as sks_owner_join_source().
 */
struct sks_holders;
int sks_holders_collect(struct sks_snapshot *own, const char *proc_root, enum sks_owner_mode mode,
			enum sks_owner_source source, struct sks_owner_bpf_preload *preload,
			struct sks_holders **ret);
/* Set rec's owners (borrowed from h) and no_owner, as sks_owner_join() would. */
void sks_holders_attach(const struct sks_holders *h, struct sks_record *rec);
/* The same for recs[0..n), as a snapshot's prepare hook (data: the holders). */
void sks_holders_prepare(const void *data, struct sks_record *recs, size_t n);
/* Add the scan's procs_* and *fds counters to st. */
void sks_holders_add_stats(const struct sks_holders *h, struct sks_stats *st);
void sks_holders_free(struct sks_holders *h);

#endif
