/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sockscope command line: one option table (main.c) fills struct
 * cli_opts; each subcommand (cmd_*.c) turns it into library calls.
 * Only sockscope.h is used from the library.
 */
#ifndef SKS_CLI_H
#define SKS_CLI_H

#include <sockscope/sockscope.h>

#include <stdbool.h>

enum { EXIT_NOMATCH = 1, EXIT_ERROR = 2 };

enum cli_format { FMT_TABLE = 0, FMT_JSON };

struct cli_opts {
	uint32_t dbs;      /* SKS_TABLE_* asked for with -t -u -w -x -0 -A; 0: default */
	uint32_t dbs_off;  /* removed with -A '!x' */
	uint32_t families; /* CLI_FAM_* from -4 -6 -f; 0: all */
	uint32_t states;   /* from -l -a or state words */
	bool states_set;   /* state words were given: they win over -l/-a */
	uint32_t details;  /* SKS_DETAIL_* */
	uint32_t view;     /* SKS_VIEW_* */
	enum sks_owner_mode owners;
	enum sks_source source;
	enum cli_format format;
	const char *netns;
	bool summary;
	bool verbose;
	char **args;       /* positional arguments (filter) */
	int nargs;
};

enum {
	CLI_FAM_INET4 = 1u << 0,
	CLI_FAM_INET6 = 1u << 1,
	CLI_FAM_UNIX = 1u << 2,
	CLI_FAM_PACKET = 1u << 3,
	CLI_FAM_NETLINK = 1u << 4,
	CLI_FAM_ALL = (1u << 5) - 1,
};

int cmd_list(struct cli_opts *o);
int cmd_summary(struct cli_opts *o);

/* Print "sockscope: <message>" to stderr; the message is already safe text. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Terminal-safe copy of an operand for a message; static buffer, one at a time. */
const char *cli_quote(const char *s);
/* Build a context from the options (tables, states, source, netns, warnings). */
int cli_ctx_new(const struct cli_opts *o, struct sks_ctx **ret_ctx);
/* Turn -t/-u/-A and -4/-6/-f into the SKS_TABLE_* and SKS_INET* masks. */
void cli_resolve_tables(const struct cli_opts *o, uint32_t *ret_tables, uint32_t *ret_inet);

#endif
