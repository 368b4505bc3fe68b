// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Output options of the listing: formats (--format, --jsonl, --csv, --tsv,
 * --prom, --pids), columns (--fields), order (--sort, --top), counts
 * (--count-by), repetition (-c) and --exit-status.  Records stream
 * straight from the kernel's replies to the writer when nothing needs the
 * whole snapshot (no owners, sort, counts or top), so JSONL of any number
 * of sockets runs in flat memory.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOP_MAX 1000000000ull
#define SERIES_MAX 1000000ull
#define INTERVAL_MAX 86400.0

/* A decimal in [1, max]; -EINVAL after printing the error. */
static int parse_count(const char *opt, const char *arg, unsigned long long max, size_t *ret)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (!*arg || *end || errno || arg[0] == '-' || v < 1 || v > max) {
		cli_error("%s needs a number from 1 to %llu, not %s", opt, max, cli_quote(arg));
		return -EINVAL;
	}
	*ret = (size_t)v;
	return 0;
}

static bool is_interval(const char *s)
{
	char *end;
	double v;

	if (!s || !*s || (*s < '0' || *s > '9'))
		return false;
	v = strtod(s, &end);
	return !*end && v > 0;
}

static int parse_interval(struct cli_output *out, const char *arg)
{
	char *end;
	double v;

	if (!arg) {
		out->interval = 1.0;
		return 0;
	}
	errno = 0;
	v = strtod(arg, &end);
	if (!*arg || *end || errno || !(v >= 0.1 && v <= INTERVAL_MAX)) {
		cli_error("-c needs seconds from 0.1 to %.0f, not %s", INTERVAL_MAX, cli_quote(arg));
		return -EINVAL;
	}
	out->interval = v;
	return 0;
}

/*
 * A comma-separated list of fields.  For --sort, "-KEY" reverses one key
 * and the word "reverse" reverses every key before it.
 */
static int parse_fields(const char *opt, const char *arg, enum sks_field *fields,
			struct sks_sort_key *keys, size_t *ret_n)
{
	const char *p = arg;
	size_t n = 0;

	while (*p) {
		size_t len = strcspn(p, ",");
		bool rev = false;
		enum sks_field f;

		if (keys && len && *p == '-') {
			rev = true;
			p++;
			len--;
		}
		if (keys && len == 7 && !strncmp(p, "reverse", 7)) {
			for (size_t i = 0; i < n; i++)
				keys[i].reverse = !keys[i].reverse;
			p += len;
			p += *p == ',';
			continue;
		}
		if (!len || sks_field_parse(p, len, &f) < 0) {
			char word[64];

			snprintf(word, sizeof(word), "%.*s", (int)(len < 60 ? len : 60), p);
			cli_error("unknown field %s in %s (see --help)", cli_quote(word), opt);
			return -EINVAL;
		}
		if (n == SKS_FIELDS_MAX) {
			cli_error("too many fields in %s (at most %d)", opt, SKS_FIELDS_MAX);
			return -EINVAL;
		}
		/* A column or count key twice: duplicate JSON members and Prometheus labels. */
		for (size_t i = 0; fields && i < n; i++) {
			if (fields[i] == f) {
				cli_error("field %s given twice in %s", cli_quote(sks_field_name(f)),
					  opt);
				return -EINVAL;
			}
		}
		if (keys)
			keys[n] = (struct sks_sort_key){ f, rev };
		else
			fields[n] = f;
		n++;
		p += len;
		p += *p == ',';
	}
	if (!n) {
		cli_error("%s needs at least one field", opt);
		return -EINVAL;
	}
	*ret_n = n;
	return 0;
}

static void set_format(struct cli_output *out, enum sks_format f)
{
	out->format = f;
	out->format_set = true;
}

int cli_output_option(struct cli_opts *o, int opt, const char *arg, int argc, char **argv)
{
	struct cli_output *out = &o->out;

	switch (opt) {
	case OPT_FORMAT:
		if (sks_format_parse(arg, &out->format) < 0) {
			cli_error("unknown format %s (table, json, jsonl, csv, tsv, prom, pids)",
				  cli_quote(arg));
			return -EINVAL;
		}
		out->format_set = true;
		return 0;
	case OPT_JSONL:
		set_format(out, SKS_FORMAT_JSONL);
		return 0;
	case OPT_CSV:
		set_format(out, SKS_FORMAT_CSV);
		return 0;
	case OPT_TSV:
		set_format(out, SKS_FORMAT_TSV);
		return 0;
	case OPT_PROM:
		set_format(out, SKS_FORMAT_PROM);
		return 0;
	case OPT_PIDS:
		set_format(out, SKS_FORMAT_PIDS);
		return 0;
	case OPT_FIELDS:
		return parse_fields("--fields", arg, out->fields, NULL, &out->n_fields);
	case OPT_SORT:
		return parse_fields("--sort", arg, NULL, out->sort, &out->n_sort);
	case OPT_COUNT_BY:
		return parse_fields("--count-by", arg, out->count_by, NULL, &out->n_count_by);
	case OPT_TOP:
		return parse_count("--top", arg, TOP_MAX, &out->top);
	case OPT_MAX_SERIES:
		return parse_count("--max-series", arg, SERIES_MAX, &out->max_series);
	case OPT_EXIT_STATUS:
		out->exit_status = true;
		return 0;
	case 'c':
		out->continuous = true;
		/* "-c 2" as netstat takes it: a number right after -c is its argument. */
		if (!arg && optind < argc && is_interval(argv[optind]))
			arg = argv[optind++];
		return parse_interval(out, arg);
	}
	return -EINVAL;
}

static bool any_owner(const enum sks_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sks_field_is_owner(f[i]))
			return true;
	return false;
}

int cli_output_prepare(struct cli_opts *o)
{
	struct cli_output *out = &o->out;
	bool owners = out->format == SKS_FORMAT_PIDS || any_owner(out->fields, out->n_fields) ||
		      any_owner(out->count_by, out->n_count_by);

	if (!out->format_set && o->format == FMT_JSON)
		set_format(out, SKS_FORMAT_JSON);
	for (size_t i = 0; i < out->n_sort; i++)
		owners |= sks_field_is_owner(out->sort[i].field);
	if (owners && o->owners == SKS_OWNERS_NONE)
		o->owners = SKS_OWNERS_PROCESS;
	if (out->format == SKS_FORMAT_PIDS && out->n_count_by) {
		cli_error("--pids and --count-by do not combine");
		return -EINVAL;
	}
	if ((out->format == SKS_FORMAT_PIDS || out->format == SKS_FORMAT_PROM) &&
	    out->n_fields) {
		cli_error("--fields does not apply to --format=%s",
			  out->format == SKS_FORMAT_PIDS ? "pids" : "prom");
		return -EINVAL;
	}
	return 0;
}

bool cli_output_streams(const struct cli_opts *o, uint32_t view_flags)
{
	const struct cli_output *out = &o->out;
	/* The table too, unless padded: widths are known only after the last record. */
	bool line_format = out->format == SKS_FORMAT_JSONL || out->format == SKS_FORMAT_CSV ||
			   out->format == SKS_FORMAT_TSV ||
			   (out->format == SKS_FORMAT_TABLE && !(view_flags & SKS_VIEW_PAD));

	/*
	 * With owners a stream finds every holder first (sks_snapshot_stream()),
	 * which costs a full scan whatever the filter keeps.  An address or port
	 * filter is left to the kernel and a join for the few records it keeps;
	 * without one, or with one on owners (pid, user, comm), streaming keeps
	 * memory flat instead of holding every record for the join.
	 */
	bool owners_ok = o->owners == SKS_OWNERS_NONE || !o->filter ||
			 sks_filter_needs_owners(o->filter);

	return line_format && owners_ok && !out->n_sort && !out->n_count_by && !out->top;
}

/*
 * Inode of the network namespace collected, for the netns field: records
 * carry none, and the one -N names (or ours) is the only one in a run.
 */
static uint64_t netns_inode(const struct cli_opts *o)
{
	char path[PATH_MAX];
	const char *spec = o->netns;
	struct stat st;

	if (!spec)
		snprintf(path, sizeof(path), "/proc/self/ns/net");
	else if (strspn(spec, "0123456789") == strlen(spec))
		snprintf(path, sizeof(path), "/proc/%s/ns/net", spec);
	else if (strchr(spec, '/'))
		snprintf(path, sizeof(path), "%s", spec);
	else
		snprintf(path, sizeof(path), "/var/run/netns/%s", spec);
	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static bool wants_netns(const struct cli_output *out)
{
	for (size_t i = 0; i < out->n_fields; i++)
		if (out->fields[i] == SKS_FIELD_NETNS)
			return true;
	for (size_t i = 0; i < out->n_count_by; i++)
		if (out->count_by[i] == SKS_FIELD_NETNS)
			return true;
	return false;
}

/* The caller's view options plus ours, and this round's stamp. */
static void view_opts(struct cli_opts *o, const struct sks_view_opts *vo, struct sks_view_opts *ret)
{
	struct cli_output *out = &o->out;

	*ret = *vo;
	ret->fields = out->n_fields ? out->fields : NULL;
	ret->n_fields = out->n_fields;
	ret->count_by = out->n_count_by ? out->count_by : NULL;
	ret->n_count_by = out->n_count_by;
	ret->top = out->top;
	ret->max_series = out->max_series;
	ret->netns = wants_netns(out) ? netns_inode(o) : 0;
	ret->stamp = NULL;
	/* CSV and TSV rounds make one table (the Time column tells them apart). */
	if (out->rounds && (out->format == SKS_FORMAT_CSV || out->format == SKS_FORMAT_TSV))
		ret->flags |= SKS_VIEW_NO_HEADER;
	if (o->out.continuous) {
		struct timespec ts;
		struct tm tm;
		size_t n;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n = strftime(out->stamp, sizeof(out->stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(out->stamp + n, sizeof(out->stamp) - n, ".%03dZ",
			 (int)(ts.tv_nsec / 1000000 % 1000));
		/* Machine formats carry it on every line; people see the screen redrawn. */
		if (out->format != SKS_FORMAT_TABLE && out->format != SKS_FORMAT_PROM &&
		    out->format != SKS_FORMAT_PIDS)
			ret->stamp = out->stamp;
	}
	/* A redrawn dashboard on a terminal, as watch(1) shows it. */
	if (out->continuous && isatty(STDOUT_FILENO) && out->format == SKS_FORMAT_TABLE)
		printf("\033[H\033[2J");
}

struct stream_state {
	struct sks_view_writer *w;
	const struct sks_filter *filter;
	uint64_t matched;
	int write_err;
};

static int on_record(void *userdata, const struct sks_record *rec)
{
	struct stream_state *st = userdata;

	if (st->filter && !sks_filter_match(st->filter, rec))
		return 0;
	st->matched++;
	st->write_err = sks_view_writer_record(st->w, rec);
	return st->write_err;
}

int cli_output_stream(struct cli_opts *o, struct sks_ctx *ctx, const struct sks_view_opts *vo,
		      const struct sks_filter *filter, uint64_t *ret_matched,
		      struct sks_stats *ret_stats)
{
	struct stream_state st = { .filter = filter };
	struct sks_view_opts v;
	int r;

	view_opts(o, vo, &v);
	v.flags &= ~(uint32_t)SKS_VIEW_PAD; /* lines are written before the widest is known */
	r = sks_view_writer_new(o->out.format, &v, stdout, &st.w);
	if (r < 0)
		return r;
	r = sks_snapshot_stream(ctx, on_record, &st, ret_stats);
	if (r < 0 && !st.write_err) {
		if (!cli_collect_error_shown())
			cli_error("cannot collect sockets: %s", strerror(-r));
		r = -ECANCELED;
	}
	if (r >= 0)
		r = sks_view_writer_finish(st.w);
	sks_view_writer_free(st.w);
	*ret_matched = st.matched;
	return r;
}

int cli_output_snapshot(struct cli_opts *o, struct sks_snapshot *snap,
			const struct sks_view_opts *vo, uint64_t *ret_matched)
{
	struct cli_output *out = &o->out;
	enum sks_format fmt = out->format_set ? out->format : SKS_FORMAT_TABLE;
	struct sks_view_opts v;
	int r;

	if (out->n_sort) {
		r = sks_snapshot_sort_by(snap, out->sort, out->n_sort);
		if (r < 0)
			return r;
	}
	if (out->top && !out->n_count_by)
		sks_snapshot_truncate(snap, out->top);
	*ret_matched = sks_snapshot_count(snap);
	view_opts(o, vo, &v);
	return sks_view_write(snap, fmt, &v, stdout);
}

static void ts_add(struct timespec *ts, double secs)
{
	long long ns = (long long)(secs * 1e9);

	ts->tv_sec += (time_t)(ns / 1000000000);
	ts->tv_nsec += (long)(ns % 1000000000);
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

bool cli_output_next_round(struct cli_opts *o)
{
	struct cli_output *out = &o->out;
	struct timespec now;

	if (!out->continuous)
		return false;
	/* Rounds start every interval, however long a round took (unless longer). */
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!out->rounds++)
		out->next = now;
	ts_add(&out->next, out->interval);
	if (now.tv_sec > out->next.tv_sec ||
	    (now.tv_sec == out->next.tv_sec && now.tv_nsec > out->next.tv_nsec))
		out->next = now;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &out->next, NULL) == EINTR)
		;
	return true;
}
