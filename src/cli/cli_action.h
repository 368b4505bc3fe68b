/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The action subcommands (who, kill, bind-check) and -K: their entry
 * points, and what they share (action_util.c): a small option table per
 * subcommand, the PORT | ADDR:PORT | PORT/PROTO | unix PATH operand, and
 * printing of endpoints, processes and JSON strings.
 */
#ifndef SKS_CLI_ACTION_H
#define SKS_CLI_ACTION_H

#include "cli.h"

#include <getopt.h>

int cmd_who(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_bind_check(int argc, char **argv);
/*
 * -K: close the TCP and UDP sockets of snap (SOCK_DESTROY); snap keeps
 * only those closed, for the view to print.  Prints one error line and
 * returns -errno if some could not be closed.
 */
int cli_kill_sockets(struct sks_ctx *ctx, struct sks_snapshot *snap);

/* One option of a subcommand; the table drives getopt_long() and --help. */
struct cli_subopt {
	const char *lng;
	int val; /* short option character, or >= 256 */
	int has_arg;
	const char *arg;
	const char *help;
};

#define CLI_SUBOPT_MAX 16
struct cli_subopt_parser {
	struct option longopts[CLI_SUBOPT_MAX + 1];
	char shortopts[2 * CLI_SUBOPT_MAX + 2];
};

/* Build the getopt tables (n <= CLI_SUBOPT_MAX). */
void cli_subopt_init(struct cli_subopt_parser *p, const struct cli_subopt *opts, size_t n);
/* Usage line, description, then one line per option. */
void cli_subopt_usage(FILE *out, const char *usage, const char *what,
		      const struct cli_subopt *opts, size_t n);
/* The one-line message for getopt's '?' or ':' in a subcommand; returns EXIT_ERROR. */
int cli_subopt_error(const char *cmd, int c, char **argv);

/* What who, kill and bind-check are asked about. */
struct cli_target {
	bool is_unix;
	const char *path;          /* unix: the name (without '@' when abstract) */
	size_t path_len;
	bool abstract;
	uint32_t tables;           /* SKS_TABLE_TCP and/or UDP, or SKS_TABLE_UNIX */
	bool has_addr;             /* an address was given (not "*" or none) */
	struct sks_endpoint addr;  /* family and address when has_addr; port always */
	char text[128];            /* how messages name it: "8080/tcp", "[::1]:53/udp" */
};

/*
 * Parse the operand: PORT, :PORT, *:PORT, ADDR:PORT, [V6]:PORT, each with an
 * optional /tcp or /udp; "unix PATH" (two words) or unix:PATH, @name for
 * abstract names.  services: also accept a service name for PORT.
 * *ret_used gets the number of argv words used.  Returns 0 or -EINVAL
 * (after printing one line naming the operand).
 */
int cli_target_parse(int argc, char **argv, bool services, struct cli_target *t, int *ret_used);
/* Does the record's own (local) side fall on the target? */
bool cli_target_local(const struct cli_target *t, const struct sks_record *rec);
/* Does the record's peer side fall on the target (inet only)? */
bool cli_target_peer(const struct cli_target *t, const struct sks_record *rec);

/* Text of a record's local or peer side: "127.0.0.1:80", "[::]:*", "/run/x.sock", "@abs". */
void cli_format_local(struct sks_buf *b, const struct sks_record *rec);
void cli_format_peer(struct sks_buf *b, const struct sks_record *rec);
/* "5m12s", "3h04m", "2d07h" */
void cli_format_age(char *buf, size_t len, uint64_t ms);
/* A process name, escaped for a terminal. */
void cli_format_name(struct sks_buf *b, const struct sks_process *p);
/* A process's user name, escaped, or its uid when it has none. */
void cli_format_user(struct sks_buf *b, const struct sks_process *p);
/* The arguments of a process (NUL-separated) as one escaped line. */
void cli_format_cmdline(struct sks_buf *b, const char *args, size_t len);
/* Print a JSON string, quotes included. */
void cli_json_string(FILE *out, const void *s, size_t len);

/* Process details gathered once per pid for who and kill. */
struct cli_proc {
	const struct sks_process *proc;
	bool have_details, have_cgroup;
	struct sks_process_details det;
	struct sks_cgroup cg;
	struct sks_buf cmdline;
	bool cmdline_cut;
	bool shown; /* the details were printed already */
};

struct cli_procs {
	struct cli_proc **v;
	size_t n, cap;
};
/* Details of p, read on first use (stable pointer); NULL only on ENOMEM. */
struct cli_proc *cli_procs_get(struct cli_procs *list, const struct sks_ctx *ctx,
			       const struct sks_process *p);
void cli_procs_free(struct cli_procs *list);
/* Indented lines: command line, start time and age, unit / container / cgroup. */
void cli_proc_print_details(FILE *out, const struct cli_proc *cp, const char *indent);
/* Members "cmdline", "start_time", ... of a JSON object (each preceded by a comma). */
void cli_proc_json_details(FILE *out, const struct cli_proc *cp);

#endif
