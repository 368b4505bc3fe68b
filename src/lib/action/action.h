/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The action stage (after filter and view in the pipeline): process
 * details on demand, peers, safe signals, socket destroy, bind trials.
 * Shared helpers of its files; pure parsers are here so unit tests reach them.
 */
#ifndef SKS_ACTION_H
#define SKS_ACTION_H

#include "internal.h"

#include <sys/types.h>

/* The context's proc root, "/proc" for a NULL context. */
const char *sks_act_proc_root(const struct sks_ctx *ctx);

/* The fields of /proc/PID/stat actions need. */
struct sks_act_stat {
	char state;
	int32_t ppid;
	uint64_t start_time; /* field 22 */
};

/*
 * Parse a stat line: fields after the LAST ')' (comm may hold anything).
 * 0, or -EINVAL when it is not a stat line.
 */
int sks_act_parse_stat(const char *buf, size_t len, struct sks_act_stat *ret);

/* Seconds since boot from the text of /proc/uptime, in milliseconds.  0 or -EINVAL. */
int sks_act_parse_uptime(const char *buf, size_t len, uint64_t *ret_ms);

/*
 * Is port listed in the text of ip_local_reserved_ports ("8080,9000-9010")?
 * Malformed text reserves nothing.
 */
bool sks_act_port_reserved(const char *buf, size_t len, uint16_t port);

#endif
