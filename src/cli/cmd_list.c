// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The default command: collect the selected sockets (and owners with -p),
 * then print them in the chosen format (output.c), once or every -c
 * seconds.
 */
#include "cli.h"
#include "cli_action.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static unsigned terminal_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	if (cols) {
		char *end;
		unsigned long v = strtoul(cols, &end, 10);

		if (*cols && !*end && v >= 20 && v <= 10000)
			return (unsigned)v;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

static bool single_bit(uint32_t v)
{
	return v && !(v & (v - 1));
}

int cmd_list(struct cli_opts *o)
{
	static char outbuf[1 << 16];
	struct sks_view_opts vo = { .flags = o->view };
	struct sks_snapshot *snap = NULL;
	struct sks_ctx *ctx = NULL;
	uint32_t tables, inet, states;
	uint64_t matched = 0;
	bool killed_all = true;
	int r, ret = EXIT_ERROR;

	cli_resolve_tables(o, &tables, &inet);
	if (!tables) {
		cli_error("no socket tables to show with such filter");
		return 0;
	}
	if (cli_output_prepare(o) < 0)
		return EXIT_ERROR;
	if (cli_ctx_new(o, &ctx) < 0)
		return EXIT_ERROR;
	/* ss shows Netid only for several tables and State only for several states. */
	if (!single_bit(tables))
		vo.flags |= SKS_VIEW_NETID;
	states = o->states & ~(1u << SKS_STATE_NEW_SYN_RECV);
	if (!single_bit(states))
		vo.flags |= SKS_VIEW_STATE;
	if (isatty(STDOUT_FILENO)) {
		vo.flags |= SKS_VIEW_PAD;
		vo.width = terminal_width();
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	do {
		struct sks_stats streamed;
		const struct sks_stats *st = &streamed;

		if (!o->kill_sockets && cli_output_streams(o, vo.flags)) {
			r = cli_output_stream(o, ctx, &vo, NULL, &matched, &streamed);
		} else {
			r = sks_snapshot_collect(ctx, &snap);
			if (r < 0) {
				if (!cli_collect_error_shown())
					cli_error("cannot collect sockets: %s", strerror(-r));
				goto out;
			}
			st = sks_snapshot_stats(snap);
			/* -K: close them first; the view then shows those closed. */
			if (o->kill_sockets && cli_kill_sockets(ctx, snap) < 0)
				killed_all = false;
			r = cli_output_snapshot(o, snap, &vo, &matched);
		}
		if (r >= 0 && fflush(stdout) != 0)
			r = -EIO;
		if (r < 0) {
			if (r != -ECANCELED)
				cli_error("cannot write output: %s", strerror(-r));
			goto out;
		}
		if (o->verbose) {
			fprintf(stderr,
				"sockscope: %llu records (%llu received, %llu dumps, %llu retries), "
				"%llu processes scanned (%llu vanished, %llu denied), %llu fds, "
				"%llu socket fds, %.3f ms\n",
				(unsigned long long)st->records, (unsigned long long)st->received,
				(unsigned long long)st->dumps, (unsigned long long)st->dump_retries,
				(unsigned long long)st->procs_scanned,
				(unsigned long long)st->procs_vanished,
				(unsigned long long)st->procs_denied,
				(unsigned long long)st->fds_scanned,
				(unsigned long long)st->socket_fds, st->collect_ns / 1e6);
		}
		sks_snapshot_free(snap);
		snap = NULL;
	} while (cli_output_next_round(o));
	ret = !killed_all ? EXIT_ERROR : o->out.exit_status && !matched ? EXIT_NOMATCH : 0;
out:
	sks_snapshot_free(snap);
	sks_ctx_free(ctx);
	return ret;
}
