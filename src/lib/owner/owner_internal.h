/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Seams of the owner join for its unit tests: the missing-owner reason rule,
 * a join that can be told not to use kcmp(2), so the fallback that compares
 * fd listings is tested on a live /proc too, and one fed by a fake BPF
 * iterator, so the BPF join is tested against the /proc scan of a fake tree.
 */
#ifndef SKS_OWNER_INTERNAL_H
#define SKS_OWNER_INTERNAL_H

#include "owner/owner.h"
#include "owner/owner_bpf.h"

enum {
	/* Never use kcmp(2) to tell whether two threads share an fd table. */
	SKS_OWNER_NO_KCMP = 1u << 0,
	/* Holders from the BPF iterators; fail (and warn) when they cannot run. */
	SKS_OWNER_BPF = 1u << 1,
	/* The BPF iterators when they can run and the snapshot is big enough. */
	SKS_OWNER_BPF_AUTO = 1u << 2,
};

/* sks_owner_join() with SKS_OWNER_* flags. */
int sks_owner_join_flags(struct sks_snapshot *s, const char *proc_root, enum sks_owner_mode mode,
			 unsigned flags);

/*
 * sks_owner_join_flags(SKS_OWNER_BPF) with the iterators' records made by
 * run, a test's fake of the kernel (proc_root may then be any tree).
 */
int sks_owner_join_fake_bpf(struct sks_snapshot *s, const char *proc_root,
			    enum sks_owner_mode mode, sks_owner_bpf_run_fn run);

/* sks_holders_collect() with SKS_OWNER_SOURCE_BPF and the iterators' records made by run. */
int sks_holders_collect_fake_bpf(struct sks_snapshot *own, const char *proc_root,
				 enum sks_owner_mode mode, sks_owner_bpf_run_fn run,
				 struct sks_holders **ret);

/*
 * enum sks_no_owner for rec after a scan that could not inspect procs_denied
 * processes and saw procs_vanished exit: NONE when it has owners; KERNEL for
 * TIME-WAIT, SYN-RECV, NEW-SYN-RECV or inode 0 (orphaned); then PERMISSION,
 * VANISHED, NOT_FOUND in that order.
 */
unsigned sks_owner_reason(const struct sks_record *rec, uint64_t procs_denied,
			  uint64_t procs_vanished);

#endif
