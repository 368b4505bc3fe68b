// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The views' front door: sks_view_write() picks the format (table, JSON,
 * JSONL, CSV, TSV, Prometheus, pids) and whether records or counts are
 * shown, and the record writer that JSONL, CSV, TSV, the fields table and
 * the unpadded ss table share -- one record at a time, so that sks_snapshot_stream() can feed it
 * records that are never kept.
 */
#include "jw.h"
#include "table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Columns of CSV, TSV and JSON-with-fields when none were chosen. */
static const enum sks_field default_fields[] = {
	SKS_FIELD_NETID,      SKS_FIELD_STATE,	   SKS_FIELD_RECV_Q,	SKS_FIELD_SEND_Q,
	SKS_FIELD_LOCAL_ADDR, SKS_FIELD_LOCAL_PORT, SKS_FIELD_PEER_ADDR, SKS_FIELD_PEER_PORT,
	SKS_FIELD_PROCESS,    SKS_FIELD_PID,
};
#define N_DEFAULT_PLAIN 8 /* without SKS_VIEW_OWNERS: the owner columns are left out */

static const char *const format_names[] = {
	[SKS_FORMAT_TABLE] = "table", [SKS_FORMAT_JSON] = "json", [SKS_FORMAT_JSONL] = "jsonl",
	[SKS_FORMAT_CSV] = "csv",     [SKS_FORMAT_TSV] = "tsv",	  [SKS_FORMAT_PROM] = "prom",
	[SKS_FORMAT_PIDS] = "pids",
};

int sks_format_parse(const char *name, enum sks_format *ret_format)
{
	size_t i;

	for (i = 0; i < SKS_ARRAY_SIZE(format_names); i++) {
		if (!strcmp(name, format_names[i])) {
			*ret_format = (enum sks_format)i;
			return 0;
		}
	}
	if (!strcmp(name, "prometheus")) {
		*ret_format = SKS_FORMAT_PROM;
		return 0;
	}
	return -EINVAL;
}

struct sks_view_writer {
	enum sks_format fmt;
	struct sks_view_opts opts;
	const enum sks_field *fields; /* NULL: JSONL's whole record */
	size_t n_fields;
	struct sks_lookup lk;
	struct sks_field_env env;
	struct sks_rows rows;
	struct sks_jw j;
	bool classic; /* the ss table (table.c) in tab, which owns the lookup caches */
	struct sks_table tab;
	bool header_done;
	FILE *out;
};

static void resolve_fields(const struct sks_view_opts *opts, enum sks_format fmt,
			   const enum sks_field **ret_fields, size_t *ret_n)
{
	if (opts->fields && opts->n_fields) {
		*ret_fields = opts->fields;
		*ret_n = opts->n_fields;
	} else if (fmt == SKS_FORMAT_JSONL || fmt == SKS_FORMAT_JSON) {
		*ret_fields = NULL;
		*ret_n = 0;
	} else {
		*ret_fields = default_fields;
		*ret_n = (opts->flags & SKS_VIEW_OWNERS) ? SKS_ARRAY_SIZE(default_fields)
							 : N_DEFAULT_PLAIN;
	}
}

static int check_fields(const enum sks_field *fields, size_t n)
{
	size_t i;

	if (n > SKS_FIELDS_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!sks_field_info(fields[i]))
			return -EINVAL;
	return 0;
}

int sks_view_writer_new(enum sks_format fmt, const struct sks_view_opts *opts, FILE *out,
			struct sks_view_writer **ret_writer)
{
	static const struct sks_view_opts none;
	struct sks_view_writer *w;
	int r;

	if (!opts)
		opts = &none;
	if (fmt != SKS_FORMAT_JSONL && fmt != SKS_FORMAT_CSV && fmt != SKS_FORMAT_TSV &&
	    !(fmt == SKS_FORMAT_TABLE && !(opts->flags & SKS_VIEW_PAD)))
		return -EINVAL;
	r = check_fields(opts->fields, opts->n_fields);
	if (r < 0)
		return r;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->classic = fmt == SKS_FORMAT_TABLE && !opts->n_fields;
	/* Machine formats print numbers; the ss table names services unless -n. */
	r = sks_lookup_init(&w->lk, w->classic ? opts->flags : SKS_VIEW_NUMERIC, NULL, NULL, NULL);
	if (r < 0) {
		free(w);
		return r;
	}
	if (w->classic)
		sks_table_init(&w->tab, opts, &w->lk);
	w->fmt = fmt;
	w->opts = *opts;
	w->out = out;
	w->env.lk = &w->lk;
	w->env.netns = opts->netns;
	resolve_fields(opts, fmt, &w->fields, &w->n_fields);
	sks_rows_init(&w->rows, fmt, false);
	w->j.flags = opts->flags;
	w->j.first[0] = true;
	/* JSONL's whole records look up interfaces in the JSON writer's own table. */
	if (fmt == SKS_FORMAT_JSONL && !w->fields) {
		r = sks_lookup_init(&w->j.lk, opts->flags | SKS_VIEW_NUMERIC, NULL, NULL, NULL);
		if (r < 0) {
			sks_view_writer_free(w);
			return r;
		}
	}
	*ret_writer = w;
	return 0;
}

static void header(struct sks_view_writer *w)
{
	struct sks_rows *r = &w->rows;
	size_t i;

	w->header_done = true;
	if (w->classic) {
		sks_table_header(&w->tab, w->out);
		return;
	}
	if (w->fmt == SKS_FORMAT_JSONL || (w->opts.flags & SKS_VIEW_NO_HEADER))
		return;
	sks_rows_start(r);
	if (w->opts.stamp) {
		sks_rows_begin(r, false);
		sks_rows_text(r, "Time");
		sks_rows_end(r);
	}
	for (i = 0; i < w->n_fields; i++) {
		sks_rows_begin(r, false);
		sks_rows_text(r, sks_field_info(w->fields[i])->header);
		sks_rows_end(r);
	}
	sks_rows_emit(r, w->out);
}

/* One record's cells into w->rows (not yet written). */
static void row(struct sks_view_writer *w, const struct sks_record *rec)
{
	struct sks_rows *r = &w->rows;
	size_t i;

	sks_rows_start(r);
	if (w->opts.stamp) {
		struct sks_cell c = { .kind = SKS_CELL_STR };

		c.s = w->opts.stamp;
		c.len = strlen(c.s);
		sks_rows_begin(r, false);
		sks_rows_value(r, &c, false);
		sks_rows_end(r);
	}
	for (i = 0; i < w->n_fields; i++)
		sks_rows_field(r, &w->env, rec, w->fields[i]);
}

int sks_view_writer_record(struct sks_view_writer *w, const struct sks_record *rec)
{
	if (!w->header_done)
		header(w);
	if (w->classic) {
		sks_table_record(&w->tab, w->out, rec);
		return w->tab.err;
	}
	if (w->fmt != SKS_FORMAT_JSONL) {
		row(w, rec);
		sks_rows_emit(&w->rows, w->out);
		return w->rows.err;
	}
	if (w->fields) {
		jw_obj(&w->j, NULL);
		if (w->opts.stamp)
			jw_sysstr(&w->j, "time", w->opts.stamp, strlen(w->opts.stamp));
		sks_json_fields(&w->j, &w->env, rec, w->fields, w->n_fields);
		jw_close_(&w->j, '}');
	} else {
		sks_json_record(&w->j, rec, w->opts.stamp);
	}
	jw_raw(&w->j, "\n", 1);
	w->j.first[0] = true;
	jw_flush(&w->j, w->out, 1u << 16);
	return w->j.err;
}

int sks_view_writer_finish(struct sks_view_writer *w)
{
	int r;

	if (!w->header_done)
		header(w);
	jw_flush(&w->j, w->out, 0);
	r = w->j.err ? w->j.err : w->rows.err ? w->rows.err : w->tab.err;
	if (!r && ferror(w->out))
		r = -EIO;
	return r;
}

void sks_view_writer_free(struct sks_view_writer *w)
{
	if (!w)
		return;
	sks_rows_release(&w->rows);
	sks_buf_release(&w->j.b);
	sks_lookup_release(&w->j.lk);
	if (w->classic) {
		sks_table_release(&w->tab);
		sks_lookup_release(&w->tab.lk);
	} else {
		sks_lookup_release(&w->lk);
	}
	free(w);
}

/* ---- whole snapshots */

static int write_lines(const struct sks_snapshot *snap, enum sks_format fmt,
		       const struct sks_view_opts *opts, FILE *out)
{
	struct sks_view_writer *w;
	size_t n = sks_snapshot_count(snap), i;
	int r;

	r = sks_view_writer_new(fmt, opts, out, &w);
	if (r < 0)
		return r;
	for (i = 0; r >= 0 && i < n; i++)
		r = sks_view_writer_record(w, sks_snapshot_record(snap, i));
	if (r >= 0)
		r = sks_view_writer_finish(w);
	sks_view_writer_free(w);
	return r;
}

/* The table with chosen fields, padded to the widest cell on a terminal. */
static int table_fields(const struct sks_snapshot *snap, const struct sks_view_opts *opts,
			FILE *out)
{
	struct sks_view_opts o = *opts;
	struct sks_view_writer *w;
	size_t n = sks_snapshot_count(snap), i;
	int r;

	if (!(opts->flags & SKS_VIEW_PAD))
		return write_lines(snap, SKS_FORMAT_TABLE, opts, out);
	o.flags &= ~(uint32_t)SKS_VIEW_PAD;
	r = sks_view_writer_new(SKS_FORMAT_TABLE, &o, out, &w);
	if (r < 0)
		return r;
	w->rows.pad = true;
	/* First pass: measure the header and every record. */
	if (!(o.flags & SKS_VIEW_NO_HEADER)) {
		sks_rows_start(&w->rows);
		if (o.stamp) {
			sks_rows_begin(&w->rows, false);
			sks_rows_text(&w->rows, "Time");
			sks_rows_end(&w->rows);
		}
		for (i = 0; i < w->n_fields; i++) {
			sks_rows_begin(&w->rows, false);
			sks_rows_text(&w->rows, sks_field_info(w->fields[i])->header);
			sks_rows_end(&w->rows);
		}
		sks_rows_measure(&w->rows);
	}
	for (i = 0; i < n && !w->rows.err; i++) {
		row(w, sks_snapshot_record(snap, i));
		sks_rows_measure(&w->rows);
	}
	for (i = 0; i < n && r >= 0; i++)
		r = sks_view_writer_record(w, sks_snapshot_record(snap, i));
	if (r >= 0)
		r = sks_view_writer_finish(w);
	sks_view_writer_free(w);
	return r;
}

/* One JSON document whose records hold the chosen fields only. */
static int json_fields(const struct sks_snapshot *snap, const struct sks_view_opts *opts,
		       FILE *out)
{
	struct sks_field_env env = { .netns = opts->netns };
	size_t n = sks_snapshot_count(snap), i;
	struct sks_lookup lk;
	struct sks_jw j;
	int r;

	memset(&j, 0, sizeof(j));
	j.first[0] = true;
	r = sks_lookup_init(&lk, SKS_VIEW_NUMERIC, NULL, NULL, NULL);
	if (r < 0)
		return r;
	env.lk = &lk;
	jw_obj(&j, NULL);
	jw_u64(&j, "version", 1);
	if (opts->stamp)
		jw_sysstr(&j, "time", opts->stamp, strlen(opts->stamp));
	jw_arr(&j, "fields");
	for (i = 0; i < opts->n_fields; i++)
		jw_lit(&j, NULL, sks_field_info(opts->fields[i])->key);
	jw_close_(&j, ']');
	jw_arr(&j, "records");
	for (i = 0; i < n && !j.err; i++) {
		jw_raw(&j, i ? ",\n" : "\n", i ? 2 : 1);
		j.first[j.depth] = true;
		jw_obj(&j, NULL);
		sks_json_fields(&j, &env, sks_snapshot_record(snap, i), opts->fields,
				opts->n_fields);
		jw_close_(&j, '}');
		jw_flush(&j, out, 1u << 16);
	}
	sks_json_doc_end(&j, n, sks_snapshot_stats(snap));
	jw_flush(&j, out, 0);
	r = j.err;
	if (!r && ferror(out))
		r = -EIO;
	sks_buf_release(&j.b);
	sks_lookup_release(&lk);
	return r;
}

static int cmp_pid(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Every owner pid once, ascending: `kill $(sockscope --pids ...)`. */
static int pids(const struct sks_snapshot *snap, FILE *out)
{
	size_t n = sks_snapshot_count(snap), i, k, np = 0, cap = 0;
	struct sks_buf b = SKS_BUF_INIT;
	int32_t *v = NULL;
	int r = 0;

	for (i = 0; i < n; i++) {
		const struct sks_record *rec = sks_snapshot_record(snap, i);

		for (k = 0; k < rec->n_owners; k++) {
			const struct sks_process *p = rec->owners[k].proc;

			if (!p || p->pid <= 0)
				continue;
			if (np == cap) {
				size_t nc = cap ? cap * 2 : 256;
				int32_t *nv = realloc(v, nc * sizeof(*nv));

				if (!nv) {
					free(v);
					return -ENOMEM;
				}
				v = nv;
				cap = nc;
			}
			v[np++] = p->pid;
		}
	}
	if (np)
		qsort(v, np, sizeof(*v), cmp_pid);
	for (i = 0; i < np && r >= 0; i++) {
		if (i && v[i] == v[i - 1])
			continue;
		r = sks_put_i64(&b, v[i]);
		if (r >= 0)
			r = sks_buf_putc(&b, '\n');
	}
	if (r >= 0 && b.len)
		fwrite(b.data, 1, b.len, out);
	free(v);
	sks_buf_release(&b);
	if (r >= 0 && ferror(out))
		r = -EIO;
	return r;
}

int sks_view_write(const struct sks_snapshot *snap, enum sks_format fmt,
		   const struct sks_view_opts *opts, FILE *out)
{
	static const struct sks_view_opts none;
	int r;

	if (!opts)
		opts = &none;
	r = check_fields(opts->fields, opts->n_fields);
	if (r < 0)
		return r;
	if (opts->n_count_by)
		return sks_view_counts(snap, fmt, opts, out);
	switch (fmt) {
	case SKS_FORMAT_TABLE:
		if (opts->n_fields)
			return table_fields(snap, opts, out);
		return sks_view_table(snap, opts, out);
	case SKS_FORMAT_JSON:
		if (opts->n_fields)
			return json_fields(snap, opts, out);
		return sks_view_json(snap, opts, out);
	case SKS_FORMAT_JSONL:
	case SKS_FORMAT_CSV:
	case SKS_FORMAT_TSV:
		return write_lines(snap, fmt, opts, out);
	case SKS_FORMAT_PROM:
		return sks_view_prom(snap, opts, out);
	case SKS_FORMAT_PIDS:
		return pids(snap, out);
	}
	return -EINVAL;
}
