/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Collectors: the first stage.  Each appends records to a snapshot and says
 * which tables it handled, so the caller can fall back per table.
 */
#ifndef SKS_COLLECT_H
#define SKS_COLLECT_H

#include "internal.h"

/*
 * Dump the tables in `tables` (SKS_TABLE_*) over NETLINK_SOCK_DIAG in the
 * calling thread's network namespace.  *ret_done gets the tables dumped;
 * *ret_unsupported the tables the kernel has no diag module for.
 * -errno if no diag socket could be opened (e.g. -EPROTONOSUPPORT), or if a
 * dump failed in a way that may have lost records.
 */
int sks_diag_collect(struct sks_snapshot *s, uint32_t tables, uint32_t *ret_done,
		     uint32_t *ret_unsupported);

/*
 * Parse /proc/net text files under proc_net (e.g. "/proc/net") for the tables
 * in `tables`.  A missing file (IPv6 disabled, no packet module) is not an
 * error: the table is left out of *ret_done.
 */
int sks_procnet_collect(struct sks_snapshot *s, const char *proc_net, uint32_t tables,
			uint32_t *ret_done);

/* Parse sockstat and sockstat6 under proc_net; missing files leave -1s (-ENOENT if both are). */
int sks_procnet_sockstat(const char *proc_net, struct sks_sockstat *ret_stat);

#endif
