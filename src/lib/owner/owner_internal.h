/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Seams of the owner join for its unit tests: the missing-owner reason rule
 * and a join that can be told not to use kcmp(2), so the fallback that
 * compares fd listings is tested on a live /proc too.
 */
#ifndef SKS_OWNER_INTERNAL_H
#define SKS_OWNER_INTERNAL_H

#include "owner/owner.h"

enum {
	/* Never use kcmp(2) to tell whether two threads share an fd table. */
	SKS_OWNER_NO_KCMP = 1u << 0,
};

/* sks_owner_join() with SKS_OWNER_* flags. */
int sks_owner_join_flags(struct sks_snapshot *s, const char *proc_root, enum sks_owner_mode mode,
			 unsigned flags);

/*
 * enum sks_no_owner for rec after a scan that could not inspect procs_denied
 * processes and saw procs_vanished exit: NONE when it has owners; KERNEL for
 * TIME-WAIT, SYN-RECV, NEW-SYN-RECV or inode 0 (orphaned); then PERMISSION,
 * VANISHED, NOT_FOUND in that order.
 */
unsigned sks_owner_reason(const struct sks_record *rec, uint64_t procs_denied,
			  uint64_t procs_vanished);

#endif
