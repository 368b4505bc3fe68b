/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Filter values: the operands of predicates (addresses, ports, devices,
 * marks, cgroups, users) parsed with range checks, and the name resolvers
 * behind them (struct sks_filter_env, or the running system's).
 */
#ifndef SKS_FILTER_VALUE_H
#define SKS_FILTER_VALUE_H

#include "filter.h"

/* Parse state shared by the parser and value parsers: environment and first error. */
struct value_ctx {
	const struct sks_filter_env *env;
	struct sks_arena *arena;
	int rc;         /* first error: -EINVAL or -ENOMEM */
	size_t err_pos; /* its byte offset */
	char msg[160];
	char show[3][48]; /* value_show() buffers */
	unsigned show_next;
};

void value_fail(struct value_ctx *vc, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void value_nomem(struct value_ctx *vc, size_t pos);
/* A printable, bounded rendering of s for an error message (valid for 3 calls). */
const char *value_show(struct value_ctx *vc, const char *s, size_t len);

/* All functions below return 0, or -EINVAL/-ENOMEM after value_fail(). */

bool value_is_number(const char *s, size_t len);
/* Unsigned number <= max; base 10, or 0 for decimal or 0x hex.  what names it in errors. */
int value_number(struct value_ctx *vc, const char *s, size_t len, size_t pos, int base,
		 uint64_t max, const char *what, uint64_t *ret);
/* [:]NUMBER or [:]SERVICE. */
int value_port(struct value_ctx *vc, const char *s, size_t len, size_t pos, uint16_t *ret);
/* The HOST of src/dst: see doc/filter.md. */
int value_host(struct value_ctx *vc, const char *s, size_t len, size_t pos, enum dir dir,
	       struct host *h);
int value_dev(struct value_ctx *vc, const char *s, size_t len, size_t pos, uint32_t *ret);
/* MARK[/MASK] */
int value_mark(struct value_ctx *vc, const char *s, size_t len, size_t pos, uint32_t *ret_mark,
	       uint32_t *ret_mask);
int value_cgroup(struct value_ctx *vc, const char *s, size_t len, size_t pos, uint64_t *ret);
int value_user(struct value_ctx *vc, const char *s, size_t len, size_t pos, uint32_t *ret);
/* The ephemeral port range; the kernel default when it cannot be read. */
void value_port_range(struct value_ctx *vc, uint16_t *ret_low, uint16_t *ret_high);

/* The running system's resolvers (resolve.c), same contract as struct sks_filter_env. */
int resolve_dev(void *userdata, const char *name, uint32_t *ret_ifindex);
int resolve_cgroup(void *userdata, const char *path, uint64_t *ret_id);
int resolve_service(void *userdata, const char *name, uint16_t *ret_port);
int resolve_user(void *userdata, const char *name, uint32_t *ret_uid);
int resolve_port_range(void *userdata, uint16_t *ret_low, uint16_t *ret_high);

#endif
