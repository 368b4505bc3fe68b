// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * --count-by: records grouped by one or more fields and counted, largest
 * group first, in every format.  The one-command answers to "top 20 remote
 * IPs" or "TIME-WAIT per peer" that otherwise take an awk | sort | uniq -c
 * pipeline.  A record held by several processes counts once per distinct
 * owner value (a forked server is one "nginx"); a record without owners
 * counts under its reason ("[kernel]").
 */
#include "jw.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct counts {
	struct sks_agg agg;
	size_t *order; /* entry indices, largest count first */
	size_t n;      /* rows shown (after top) */
	uint64_t total; /* records counted */
	const enum sks_field *keys;
	size_t nk;
};

/* Every combination of the record's key values: one per distinct owner value. */
static int add_values(struct counts *cs, struct sks_buf *key, const struct sks_field_env *env,
		      const struct sks_record *rec, size_t k)
{
	enum sks_field f;
	struct sks_cell c;
	size_t base = key->len, n, i;
	int r;

	if (k == cs->nk) {
		struct sks_agg_entry *e = sks_agg_get(&cs->agg, key->data, key->len);

		if (!e)
			return -ENOMEM;
		e->count++;
		return 0;
	}
	f = cs->keys[k];
	n = sks_field_nvalues(rec, f);
	if (sks_field_is_owner(f) && !n) {
		sks_field_no_owner(rec, &c);
		r = sks_key_put(key, &c);
		return r < 0 ? r : add_values(cs, key, env, rec, k + 1);
	}
	for (i = 0; i < n; i++) {
		if (sks_field_repeats(rec, f, i))
			continue;
		sks_field_value(env, rec, f, i, &c);
		key->len = base;
		r = sks_key_put(key, &c);
		if (r >= 0)
			r = add_values(cs, key, env, rec, k + 1);
		if (r < 0)
			return r;
	}
	key->len = base;
	return 0;
}

static int cmp_entry(const void *pa, const void *pb, void *arg)
{
	const struct sks_agg *a = arg;
	const struct sks_agg_entry *x = &a->e[*(const size_t *)pa], *y = &a->e[*(const size_t *)pb];

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	/* Equal counts: by the values (numbers numerically, text bytewise). */
	return sks_key_cmp(a->keys.data + x->key_off, x->key_len, a->keys.data + y->key_off,
			   y->key_len);
}

static int build(struct counts *cs, const struct sks_snapshot *snap,
		 const struct sks_view_opts *opts, const struct sks_field_env *env)
{
	struct sks_buf key = SKS_BUF_INIT;
	size_t i, n = sks_snapshot_count(snap);
	int r = 0;

	cs->keys = opts->count_by;
	cs->nk = opts->n_count_by;
	for (i = 0; i < n && r >= 0; i++) {
		sks_buf_reset(&key);
		r = add_values(cs, &key, env, sks_snapshot_record(snap, i), 0);
		cs->total++;
	}
	sks_buf_release(&key);
	if (r < 0)
		return r;
	cs->order = malloc((cs->agg.n ? cs->agg.n : 1) * sizeof(*cs->order));
	if (!cs->order)
		return -ENOMEM;
	for (i = 0; i < cs->agg.n; i++)
		cs->order[i] = i;
	qsort_r(cs->order, cs->agg.n, sizeof(*cs->order), cmp_entry, &cs->agg);
	cs->n = cs->agg.n;
	if (opts->top && opts->top < cs->n)
		cs->n = opts->top;
	return 0;
}

static const struct sks_agg_entry *row(const struct counts *cs, size_t i)
{
	return &cs->agg.e[cs->order[i]];
}

/* ---- table, CSV, TSV */

static void line(struct sks_rows *rw, const struct counts *cs, const struct sks_view_opts *opts,
		 const struct sks_agg_entry *e)
{
	struct sks_cell c = { .kind = SKS_CELL_U64 };
	size_t pos = 0, k;

	sks_rows_start(rw);
	if (opts->stamp) {
		c.kind = SKS_CELL_STR;
		c.s = opts->stamp;
		c.len = strlen(opts->stamp);
		sks_rows_begin(rw, false);
		if (e)
			sks_rows_value(rw, &c, false);
		else
			sks_rows_text(rw, "Time");
		sks_rows_end(rw);
	}
	if (!e) { /* the header */
		sks_rows_begin(rw, true);
		sks_rows_text(rw, "Count");
		sks_rows_end(rw);
		for (k = 0; k < cs->nk; k++) {
			sks_rows_begin(rw, false);
			sks_rows_text(rw, sks_field_info(cs->keys[k])->header);
			sks_rows_end(rw);
		}
		return;
	}
	c.kind = SKS_CELL_U64;
	c.u = e->count;
	sks_rows_begin(rw, true);
	sks_rows_value(rw, &c, false);
	sks_rows_end(rw);
	for (k = 0; k < cs->nk; k++) {
		sks_key_get(cs->agg.keys.data + e->key_off, e->key_len, &pos, &c);
		sks_rows_begin(rw, c.kind == SKS_CELL_U64 || c.kind == SKS_CELL_I64);
		sks_rows_value(rw, &c, false);
		sks_rows_end(rw);
	}
}

static int counts_rows(const struct counts *cs, enum sks_format fmt,
		       const struct sks_view_opts *opts, FILE *out)
{
	bool header = !(opts->flags & SKS_VIEW_NO_HEADER);
	struct sks_rows rw;
	size_t i;
	int r;

	sks_rows_init(&rw, fmt, opts->flags & SKS_VIEW_PAD);
	if (rw.pad) {
		if (header) {
			line(&rw, cs, opts, NULL);
			sks_rows_measure(&rw);
		}
		for (i = 0; i < cs->n; i++) {
			line(&rw, cs, opts, row(cs, i));
			sks_rows_measure(&rw);
		}
	}
	if (header) {
		line(&rw, cs, opts, NULL);
		sks_rows_emit(&rw, out);
	}
	for (i = 0; i < cs->n && !rw.err; i++) {
		line(&rw, cs, opts, row(cs, i));
		sks_rows_emit(&rw, out);
	}
	r = rw.err;
	sks_rows_release(&rw);
	return r;
}

/* ---- JSON, JSONL */

static void json_group(struct sks_jw *j, const struct counts *cs, const struct sks_agg_entry *e)
{
	struct sks_cell c;
	size_t pos = 0, k;

	jw_u64(j, "count", e->count);
	for (k = 0; k < cs->nk; k++) {
		sks_key_get(cs->agg.keys.data + e->key_off, e->key_len, &pos, &c);
		sks_json_cell(j, sks_field_info(cs->keys[k])->key, &c);
	}
}

static int counts_json(const struct counts *cs, const struct sks_snapshot *snap, bool lines,
		       const struct sks_view_opts *opts, FILE *out)
{
	struct sks_jw j;
	size_t i, k;

	memset(&j, 0, sizeof(j));
	j.first[0] = true;
	if (lines) {
		for (i = 0; i < cs->n && !j.err; i++) {
			jw_obj(&j, NULL);
			if (opts->stamp)
				jw_sysstr(&j, "time", opts->stamp, strlen(opts->stamp));
			json_group(&j, cs, row(cs, i));
			jw_close_(&j, '}');
			jw_raw(&j, "\n", 1);
			j.first[0] = true;
			if (j.b.len >= 1u << 16)
				jw_flush(&j, out, 0);
		}
	} else {
		jw_obj(&j, NULL);
		jw_u64(&j, "version", 1);
		if (opts->stamp)
			jw_sysstr(&j, "time", opts->stamp, strlen(opts->stamp));
		jw_arr(&j, "count_by");
		for (k = 0; k < cs->nk; k++)
			jw_lit(&j, NULL, sks_field_info(cs->keys[k])->key);
		jw_close_(&j, ']');
		jw_arr(&j, "counts");
		for (i = 0; i < cs->n && !j.err; i++) {
			jw_raw(&j, i ? ",\n" : "\n", i ? 2 : 1);
			j.first[j.depth] = true;
			jw_obj(&j, NULL);
			json_group(&j, cs, row(cs, i));
			jw_close_(&j, '}');
		}
		if (cs->n)
			jw_raw(&j, "\n", 1);
		jw_close_(&j, ']');
		jw_u64(&j, "groups", cs->agg.n);
		jw_u64(&j, "total", cs->total);
		sks_json_stats(&j, sks_snapshot_stats(snap));
		jw_close_(&j, '}');
		jw_raw(&j, "\n", 1);
	}
	jw_flush(&j, out, 0);
	sks_buf_release(&j.b);
	return j.err;
}

/* ---- Prometheus */

static int counts_prom(const struct counts *cs, const struct sks_snapshot *snap,
		       const struct sks_view_opts *opts, FILE *out)
{
	size_t max = opts->max_series ? opts->max_series : SKS_PROM_MAX_SERIES;
	size_t shown = cs->n < max ? cs->n : max, i, k;
	struct sks_buf b = SKS_BUF_INIT;
	uint64_t rest = 0;
	char help[256];
	size_t hl = 0;
	int r;

	hl += (size_t)snprintf(help, sizeof(help), "Sockets counted by");
	for (k = 0; k < cs->nk && hl < sizeof(help) - 40; k++)
		hl += (size_t)snprintf(help + hl, sizeof(help) - hl, "%s%s", k ? ", " : " ",
				       sks_field_info(cs->keys[k])->key);
	r = sks_prom_help(&b, "sockscope_sockets_grouped", help);
	for (i = 0; i < cs->n && r >= 0; i++) {
		const struct sks_agg_entry *e = row(cs, i);
		struct sks_cell c;
		size_t pos = 0;

		if (i >= shown) {
			rest += e->count;
			continue;
		}
		r = sks_put_str(&b, "sockscope_sockets_grouped{");
		for (k = 0; k < cs->nk && r >= 0; k++) {
			sks_key_get(cs->agg.keys.data + e->key_off, e->key_len, &pos, &c);
			r = sks_prom_label(&b, !k, sks_field_info(cs->keys[k])->key, &c);
		}
		if (r >= 0)
			r = sks_buf_printf(&b, "} %llu\n", (unsigned long long)e->count);
	}
	if (r >= 0 && cs->n > shown) {
		/* The rest, summed into one series that says it is the overflow. */
		r = sks_put_str(&b, "sockscope_sockets_grouped{");
		for (k = 0; r >= 0 && k < cs->nk; k++)
			r = sks_buf_printf(&b, "%s=\"(other)\",", sks_field_info(cs->keys[k])->key);
		if (r >= 0)
			r = sks_buf_printf(&b, "overflow=\"true\"} %llu\n", (unsigned long long)rest);
	}
	if (r >= 0)
		r = sks_prom_capped(&b, "sockscope_sockets_grouped", cs->n - shown, max);
	if (r >= 0)
		r = sks_prom_capped_family(&b, (const char *const[]){ "sockscope_sockets_grouped" }, 1,
					   cs->n - shown);
	if (r >= 0)
		r = sks_prom_collection(&b, sks_snapshot_stats(snap));
	if (r >= 0 && b.len)
		fwrite(b.data, 1, b.len, out);
	sks_buf_release(&b);
	return r;
}

int sks_view_counts(const struct sks_snapshot *snap, enum sks_format fmt,
		    const struct sks_view_opts *opts, FILE *out)
{
	struct sks_field_env env = { .netns = opts->netns };
	struct sks_lookup lk;
	struct counts cs;
	size_t k;
	int r;

	if (!opts->n_count_by || opts->n_count_by > SKS_FIELDS_MAX || fmt == SKS_FORMAT_PIDS)
		return -EINVAL;
	for (k = 0; k < opts->n_count_by; k++) {
		if (!sks_field_info(opts->count_by[k]))
			return -EINVAL;
		/* A key twice would be a duplicate JSON member or Prometheus label. */
		for (size_t i = 0; i < k; i++)
			if (opts->count_by[i] == opts->count_by[k])
				return -EINVAL;
	}
	memset(&cs, 0, sizeof(cs));
	r = sks_lookup_init(&lk, SKS_VIEW_NUMERIC, NULL, NULL, NULL);
	if (r < 0)
		return r;
	env.lk = &lk;
	r = build(&cs, snap, opts, &env);
	if (r >= 0) {
		switch (fmt) {
		case SKS_FORMAT_JSON:
		case SKS_FORMAT_JSONL:
			r = counts_json(&cs, snap, fmt == SKS_FORMAT_JSONL, opts, out);
			break;
		case SKS_FORMAT_PROM:
			r = counts_prom(&cs, snap, opts, out);
			break;
		default:
			r = counts_rows(&cs, fmt, opts, out);
			break;
		}
	}
	if (r >= 0 && ferror(out))
		r = -EIO;
	free(cs.order);
	sks_agg_release(&cs.agg);
	sks_lookup_release(&lk);
	return r;
}
