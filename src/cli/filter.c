// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The filter expression: from the words after the options (joined with
 * spaces, as ss does) or from -F FILE, parsed by the library, reported as
 * "sockscope: filter: MESSAGE at column N".
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int read_file(const char *path, struct sks_buf *b)
{
	char chunk[4096];
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	int r = 0;

	if (fd < 0) {
		r = -errno;
		cli_error("filter file %s: %s", cli_quote(path), strerror(-r));
		return r;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			cli_error("filter file %s: %s", cli_quote(path), strerror(-r));
			break;
		}
		if (n == 0)
			break;
		if (sks_buf_append(b, chunk, (size_t)n) < 0) {
			r = -EFBIG;
			cli_error("filter file %s: longer than %d bytes", cli_quote(path),
				  SKS_FILTER_MAX_LEN);
			break;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return r;
}

int cli_filter_prepare(struct cli_opts *o)
{
	struct sks_buf text = { .max = SKS_FILTER_MAX_LEN + 1 };
	struct sks_filter_error err;
	uint32_t states;
	int r = 0;

	if (o->filter_file && o->nargs) {
		cli_error("filter: give the expression either as arguments or with -F, not both");
		return -EINVAL;
	}
	if (o->filter_file) {
		r = read_file(o->filter_file, &text);
	} else {
		for (int i = 0; i < o->nargs && r >= 0; i++) {
			if (i)
				r = sks_buf_putc(&text, ' ');
			if (r >= 0)
				r = sks_buf_append(&text, o->args[i], strlen(o->args[i]));
		}
		if (r < 0)
			cli_error("filter: longer than %d bytes", SKS_FILTER_MAX_LEN);
	}
	if (r < 0)
		goto out;
	if (!o->filter_file && !o->nargs)
		goto out;
	{
		struct sks_filter_env env = { 0 };
		uint32_t tables, inet;

		/* As in ss: with only UNIX tables listed, a bare HOST is a path glob. */
		cli_resolve_tables(o, &tables, &inet);
		if (tables && !(tables & ~(uint32_t)SKS_TABLE_UNIX))
			env.default_family = AF_UNIX;
		r = sks_filter_parse(text.data ? text.data : "", text.len, &env, &o->filter, &err);
	}
	if (r == -EINVAL) {
		if (err.line > 1)
			cli_error("filter: %s at line %u, column %u", err.message, err.line,
				  err.column);
		else
			cli_error("filter: %s at column %u", err.message, err.column);
		goto out;
	}
	if (r < 0) {
		cli_error("filter: %s", strerror(-r));
		goto out;
	}
	if (sks_filter_states(o->filter, &states)) {
		o->states = states;
		o->states_set = true;
	}
	/* Owner tests need owners even when -p does not show them. */
	if (sks_filter_needs_owners(o->filter) && o->owners == SKS_OWNERS_NONE)
		o->owners = SKS_OWNERS_PROCESS;
	o->details |= sks_filter_details(o->filter);
out:
	sks_buf_release(&text);
	return r;
}
