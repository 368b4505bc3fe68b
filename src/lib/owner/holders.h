/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Holders before records (holders.c): every socket fd the owner scan found,
 * grouped per inode, for the records of a streamed dump.  owner.c fills it
 * (sks_holders_collect() in owner.h); the streaming driver looks records up.
 */
#ifndef SKS_OWNER_HOLDERS_H
#define SKS_OWNER_HOLDERS_H

#include "owner/join.h"

/* Empty holders whose processes live in own (taken over, freed on failure too). */
int sks_holders_new(struct sks_snapshot *own, struct sks_holders **ret);
struct sks_snapshot *sks_holders_snapshot(struct sks_holders *h);
void sks_holders_set_counts(struct sks_holders *h, const struct sks_join_counts *cnt);
const struct sks_join_counts *sks_holders_counts(const struct sks_holders *h);
/* Group pairs (keys: inodes) per inode; their keys are overwritten.  0 or -ENOMEM. */
int sks_holders_build(struct sks_holders *h, struct sks_pairs *p, enum sks_owner_mode mode);

#endif
