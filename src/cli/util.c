// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Shared CLI plumbing: one-line error messages with safely quoted operands,
 * and the translation of ss-style table/family options into a library
 * context.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sockscope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *cli_quote(const char *s)
{
	static struct sks_buf b = { .max = 4096 };

	sks_buf_reset(&b);
	if (sks_buf_putc(&b, '\'') < 0 || sks_escape_text(&b, s, strlen(s)) < 0 ||
	    sks_buf_putc(&b, '\'') < 0)
		return "'...'";
	return b.data;
}

static bool collect_error_shown;

bool cli_collect_error_shown(void)
{
	return collect_error_shown;
}

static void warn_cb(void *userdata, enum sks_warn kind, int err, const char *msg)
{
	const struct cli_opts *o = userdata;
	struct sks_buf b = { .max = 4096 };

	(void)err;
	/* The collection fails right after: this is its error line, not a warning. */
	if (kind == SKS_WARN_BPF) {
		if (sks_escape_text(&b, msg, strlen(msg)) == 0)
			cli_error("--owners=bpf: %s", b.data);
		sks_buf_release(&b);
		collect_error_shown = true;
		return;
	}
	/* A table the kernel does not offer is not news unless asked for. */
	if (kind == SKS_WARN_FALLBACK && !o->verbose)
		return;
	/* Under the default source a missing table is simply absent (no noise). */
	if (kind == SKS_WARN_UNSUPPORTED && !o->verbose && o->source == SKS_SOURCE_AUTO)
		return;
	if (sks_escape_text(&b, msg, strlen(msg)) == 0)
		fprintf(stderr, "sockscope: warning: %s\n", b.data);
	sks_buf_release(&b);
}

void cli_resolve_tables(const struct cli_opts *o, uint32_t *ret_tables, uint32_t *ret_inet)
{
	uint32_t dbs = o->dbs ? o->dbs : SKS_TABLE_ALL;
	uint32_t fam = o->families ? o->families : CLI_FAM_ALL;
	uint32_t by_fam = 0;

	if (!o->dbs && o->dbs_off)
		dbs = SKS_TABLE_ALL;
	dbs &= ~o->dbs_off;
	if (fam & (CLI_FAM_INET4 | CLI_FAM_INET6))
		by_fam |= SKS_TABLE_INET;
	if (fam & CLI_FAM_UNIX)
		by_fam |= SKS_TABLE_UNIX;
	if (fam & CLI_FAM_PACKET)
		by_fam |= SKS_TABLE_PACKET;
	if (fam & CLI_FAM_NETLINK)
		by_fam |= SKS_TABLE_NETLINK;
	*ret_tables = dbs & by_fam;
	*ret_inet = 0;
	if (fam & CLI_FAM_INET4)
		*ret_inet |= SKS_INET4;
	if (fam & CLI_FAM_INET6)
		*ret_inet |= SKS_INET6;
	if (!*ret_inet)
		*ret_inet = SKS_INET4 | SKS_INET6;
}

int cli_ctx_new(const struct cli_opts *o, struct sks_ctx **ret_ctx)
{
	uint32_t tables, inet;
	struct sks_ctx *ctx;
	int r;

	r = sks_ctx_new(&ctx);
	if (r < 0) {
		cli_error("%s", strerror(-r));
		return r;
	}
	cli_resolve_tables(o, &tables, &inet);
	sks_ctx_set_warn(ctx, warn_cb, (void *)o);
	r = sks_ctx_set_tables(ctx, tables);
	if (r >= 0)
		r = sks_ctx_set_inet_families(ctx, inet);
	if (r >= 0)
		r = sks_ctx_set_states(ctx, o->states);
	if (r >= 0)
		r = sks_ctx_set_source(ctx, o->source);
	if (r >= 0)
		r = sks_ctx_set_owners(ctx, o->owners);
	if (r >= 0) {
		r = sks_ctx_set_owner_source(ctx, o->owner_source);
		if (r == -EOPNOTSUPP) {
			cli_error("--owners=bpf: this sockscope was built without BPF support");
			goto fail;
		}
	}
	if (r >= 0)
		r = sks_ctx_set_details(ctx, o->details);
	sks_ctx_set_filter(ctx, o->filter);
	if (r < 0) {
		cli_error("invalid options: %s", strerror(-r));
		goto fail;
	}
	if (o->netns) {
		r = sks_ctx_set_netns(ctx, o->netns);
		if (r < 0) {
			cli_error("network namespace %s: %s", cli_quote(o->netns),
				  r == -EINVAL ? "not a network namespace" : strerror(-r));
			goto fail;
		}
	}
	*ret_ctx = ctx;
	return 0;
fail:
	sks_ctx_free(ctx);
	return r;
}
