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
#include <time.h>

enum { EXIT_NOMATCH = 1, EXIT_ERROR = 2 };

enum cli_format { FMT_TABLE = 0, FMT_JSON };

/* Output options (output.c): formats, columns, order, counts, repetition. */
struct cli_output {
	enum sks_format format;
	bool format_set;      /* --format or a format flag was given */
	enum sks_field fields[SKS_FIELDS_MAX];
	size_t n_fields;
	struct sks_sort_key sort[SKS_FIELDS_MAX];
	size_t n_sort;
	enum sks_field count_by[SKS_FIELDS_MAX];
	size_t n_count_by;
	size_t top;
	size_t max_series;
	bool continuous;
	double interval;      /* seconds between rounds */
	bool exit_status;     /* exit 1 when nothing matched */
	char stamp[40];       /* -c: this round's time, RFC 3339 UTC */
	struct timespec next; /* -c: when the next round starts (CLOCK_MONOTONIC) */
	uint64_t rounds;
};

/* Option codes of output.c's options (main.c's table lists them). */
enum {
	OPT_OUTPUT_FIRST = 1000,
	OPT_FORMAT = OPT_OUTPUT_FIRST,
	OPT_JSONL,
	OPT_CSV,
	OPT_TSV,
	OPT_PROM,
	OPT_PIDS,
	OPT_FIELDS,
	OPT_SORT,
	OPT_COUNT_BY,
	OPT_TOP,
	OPT_MAX_SERIES,
	OPT_EXIT_STATUS,
	OPT_OUTPUT_LAST = OPT_EXIT_STATUS,
};

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
	enum sks_owner_source owner_source; /* --owners */
	enum cli_format format;
	const char *netns;
	bool summary;
	bool verbose;
	bool kill_sockets; /* -K: close the matched TCP/UDP sockets (cli_kill_sockets()) */
	struct cli_output out;
	char **args;       /* positional arguments (filter) */
	int nargs;
	const char *filter_file;   /* -F FILE ("-": stdin) */
	struct sks_filter *filter; /* parsed from args or -F (filter.c); NULL: none */
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

/*
 * output.c.  cli_output_option(): one of the options above or -c; may take
 * the next argument (-c 2).  0, or -EINVAL after printing the error.
 */
int cli_output_option(struct cli_opts *o, int opt, const char *arg, int argc, char **argv);
/* After parsing: owners the fields need, option conflicts.  0 or -EINVAL (printed). */
int cli_output_prepare(struct cli_opts *o);
/* true when records can be written as they are collected (never kept). */
bool cli_output_streams(const struct cli_opts *o, uint32_t view_flags);
/*
 * One round: stream (filter may be NULL) or write a collected snapshot
 * (sorted and cut here).  *ret_matched counts the records shown.  0 or
 * -errno; a stream that could not collect has said so (one line) and
 * returns -ECANCELED, so that only a failed write is left to the caller.
 */
int cli_output_stream(struct cli_opts *o, struct sks_ctx *ctx, const struct sks_view_opts *vo,
		      const struct sks_filter *filter, uint64_t *ret_matched,
		      struct sks_stats *ret_stats);
int cli_output_snapshot(struct cli_opts *o, struct sks_snapshot *snap,
			const struct sks_view_opts *vo, uint64_t *ret_matched);
/* -c: wait for the next round (false: not continuous, stop). */
bool cli_output_next_round(struct cli_opts *o);
int cmd_summary(struct cli_opts *o);
/*
 * filter.c: parse the positional arguments or the -F file into o->filter;
 * apply its states (they win over -l/-a, as in ss), owners and details.
 * 0, or -errno after printing a one-line error.
 */
int cli_filter_prepare(struct cli_opts *o);

/* Print "sockscope: <message>" to stderr; the message is already safe text. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Terminal-safe copy of an operand for a message; static buffer, one at a time. */
const char *cli_quote(const char *s);
/*
 * true once a collection error was printed through the warning callback
 * (--owners=bpf that cannot run): the caller adds no second line.
 */
bool cli_collect_error_shown(void);
/* Build a context from the options (tables, states, source, netns, warnings). */
int cli_ctx_new(const struct cli_opts *o, struct sks_ctx **ret_ctx);
/* Turn -t/-u/-A and -4/-6/-f into the SKS_TABLE_* and SKS_INET* masks. */
void cli_resolve_tables(const struct cli_opts *o, uint32_t *ret_tables, uint32_t *ret_inet);

#endif
