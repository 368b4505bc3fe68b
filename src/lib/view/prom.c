// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The Prometheus view: the text exposition format (version 0.0.4) for a
 * node_exporter textfile or a scrape wrapper.  Gauges only -- every value
 * describes this one collection: sockets, Recv-Q and Send-Q sums by
 * protocol and state; listeners by address, port, owner and user with
 * their accept queues; the collection's own duration, warnings and blind
 * spots.  Label sets with hostile names are escaped by quote.c; past
 * max_series a metric's remaining series are summed into one marked
 * overflow="true", and sockscope_series_capped says how many.
 */
#include "view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sks_prom_help(struct sks_buf *b, const char *name, const char *help)
{
	return sks_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

int sks_prom_label(struct sks_buf *b, bool first, const char *name, const struct sks_cell *c)
{
	int r = sks_buf_printf(b, "%s%s=\"", first ? "" : ",", name);

	if (r >= 0)
		r = sks_quote_cell(b, SKS_QUOTE_PROM, c, false);
	return r < 0 ? r : sks_buf_putc(b, '"');
}

int sks_prom_capped(struct sks_buf *b, const char *metric, size_t dropped, size_t max)
{
	if (!dropped)
		return 0;
	return sks_buf_printf(b,
			      "# sockscope: %zu series of %s past the cap of %zu are summed into "
			      "its overflow=\"true\" series\n",
			      dropped, metric, max);
}

int sks_prom_capped_family(struct sks_buf *b, const char *const *metrics, size_t n,
			   size_t dropped)
{
	size_t i;
	int r;

	r = sks_prom_help(b, "sockscope_series_capped",
			  "Series of a metric summed into its overflow series (cardinality cap).");
	for (i = 0; i < n && r >= 0; i++)
		r = sks_buf_printf(b, "sockscope_series_capped{metric=\"%s\"} %zu\n", metrics[i],
				   dropped);
	return r;
}

/* ---- sockets by protocol and state */

static int by_state(struct sks_buf *b, const struct sks_snapshot *snap)
{
	static const struct {
		const char *name, *help;
	} metrics[] = {
		{ "sockscope_sockets", "Sockets by protocol (ss netid) and state." },
		{ "sockscope_recv_queue", "Sum of Recv-Q by protocol and state (bytes; listeners: "
					  "connections waiting for accept)." },
		{ "sockscope_send_queue", "Sum of Send-Q by protocol and state (bytes; listeners: "
					  "the accept backlog)." },
	};
	struct sks_agg agg = { 0 };
	struct sks_buf key = SKS_BUF_INIT;
	size_t n = sks_snapshot_count(snap), i, m;
	int r = 0;

	for (i = 0; i < n && r >= 0; i++) {
		const struct sks_record *rec = sks_snapshot_record(snap, i);
		struct sks_agg_entry *e;

		/* "netid=\"tcp\",state=\"ESTAB\"": names we made, no escaping needed. */
		sks_buf_reset(&key);
		r = sks_buf_printf(&key, "netid=\"%s\",state=\"%s\"", sks_record_netid(rec),
				   sks_state_name(rec->state));
		e = r < 0 ? NULL : sks_agg_get(&agg, key.data, key.len);
		if (!e) {
			r = -ENOMEM;
			break;
		}
		e->count++;
		e->sum[0] += rec->rqueue;
		e->sum[1] += rec->wqueue;
	}
	for (m = 0; m < SKS_ARRAY_SIZE(metrics) && r >= 0; m++) {
		r = sks_prom_help(b, metrics[m].name, metrics[m].help);
		for (i = 0; i < agg.n && r >= 0; i++) {
			const struct sks_agg_entry *e = &agg.e[i];

			r = sks_buf_printf(b, "%s{%.*s} %llu\n", metrics[m].name, (int)e->key_len,
					   agg.keys.data + e->key_off,
					   (unsigned long long)(m ? e->sum[m - 1] : e->count));
		}
	}
	sks_buf_release(&key);
	sks_agg_release(&agg);
	return r;
}

/* ---- listeners */

/* Distinct owner values of a field as one label value, "[reason]" without owners. */
static int owner_label(struct sks_buf *b, const struct sks_record *rec, enum sks_field f)
{
	struct sks_cell c;
	bool first = true;
	size_t i;
	int r = 0;

	if (!rec->n_owners) {
		sks_field_no_owner(rec, &c);
		return sks_quote_cell(b, SKS_QUOTE_PROM, &c, false);
	}
	for (i = 0; i < rec->n_owners && r >= 0; i++) {
		if (sks_field_repeats(rec, f, i))
			continue;
		if (!first)
			r = sks_buf_putc(b, ',');
		first = false;
		sks_field_value(NULL, rec, f, i, &c);
		if (r >= 0)
			r = sks_quote_cell(b, SKS_QUOTE_PROM, &c, true);
	}
	return r;
}

static int listener_key(struct sks_buf *key, const struct sks_record *rec)
{
	struct sks_cell c;
	int r;

	sks_buf_reset(key);
	r = sks_buf_printf(key, "netid=\"%s\",", sks_record_netid(rec));
	sks_field_value(NULL, rec, SKS_FIELD_LOCAL_ADDR, 0, &c);
	if (r >= 0)
		r = sks_prom_label(key, true, "address", &c);
	sks_field_value(NULL, rec, SKS_FIELD_LOCAL_PORT, 0, &c);
	if (r >= 0)
		r = sks_prom_label(key, false, "port", &c);
	if (r >= 0)
		r = sks_put_str(key, ",process=\"");
	if (r >= 0)
		r = owner_label(key, rec, SKS_FIELD_PROCESS);
	if (r >= 0)
		r = sks_put_str(key, "\",user=\"");
	if (r >= 0)
		r = owner_label(key, rec, SKS_FIELD_USER);
	return r < 0 ? r : sks_buf_putc(key, '"');
}

/* Fullest accept queues first: the series worth keeping under the cap. */
static int cmp_listener(const void *pa, const void *pb, void *arg)
{
	const struct sks_agg *a = arg;
	const struct sks_agg_entry *x = &a->e[*(const size_t *)pa], *y = &a->e[*(const size_t *)pb];
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c;

	if (x->sum[0] != y->sum[0])
		return x->sum[0] > y->sum[0] ? -1 : 1;
	c = memcmp(a->keys.data + x->key_off, a->keys.data + y->key_off, n);
	return c ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

static int listeners(struct sks_buf *b, const struct sks_snapshot *snap, size_t max,
		     size_t *ret_dropped)
{
	static const struct {
		const char *name, *help;
	} metrics[] = {
		{ "sockscope_listeners", "Listening sockets by address, port, owner and user." },
		{ "sockscope_listen_queue", "Connections waiting for accept() (Recv-Q of listeners)." },
		{ "sockscope_listen_backlog", "Accept backlog limit (Send-Q of listeners)." },
	};
	struct sks_agg agg = { 0 };
	struct sks_buf key = SKS_BUF_INIT;
	size_t n = sks_snapshot_count(snap), i, m, shown;
	uint64_t rest[3] = { 0 };
	size_t *order = NULL;
	int r = 0;

	for (i = 0; i < n && r >= 0; i++) {
		const struct sks_record *rec = sks_snapshot_record(snap, i);
		struct sks_agg_entry *e;

		if (rec->state != SKS_STATE_LISTEN)
			continue;
		r = listener_key(&key, rec);
		e = r < 0 ? NULL : sks_agg_get(&agg, key.data, key.len);
		if (!e) {
			r = -ENOMEM;
			break;
		}
		/* SO_REUSEPORT groups share one label set: summed, never duplicated. */
		e->count++;
		e->sum[0] += rec->rqueue;
		e->sum[1] += rec->wqueue;
	}
	if (r >= 0) {
		order = malloc((agg.n ? agg.n : 1) * sizeof(*order));
		if (!order)
			r = -ENOMEM;
	}
	if (r < 0)
		goto out;
	for (i = 0; i < agg.n; i++)
		order[i] = i;
	qsort_r(order, agg.n, sizeof(*order), cmp_listener, &agg);
	shown = agg.n < max ? agg.n : max;
	for (i = shown; i < agg.n; i++) {
		rest[0] += agg.e[order[i]].count;
		rest[1] += agg.e[order[i]].sum[0];
		rest[2] += agg.e[order[i]].sum[1];
	}
	for (m = 0; m < SKS_ARRAY_SIZE(metrics) && r >= 0; m++) {
		r = sks_prom_help(b, metrics[m].name, metrics[m].help);
		for (i = 0; i < shown && r >= 0; i++) {
			const struct sks_agg_entry *e = &agg.e[order[i]];

			r = sks_buf_printf(b, "%s{%.*s} %llu\n", metrics[m].name, (int)e->key_len,
					   agg.keys.data + e->key_off,
					   (unsigned long long)(m ? e->sum[m - 1] : e->count));
		}
		if (r >= 0 && shown < agg.n)
			r = sks_buf_printf(b,
					   "%s{netid=\"(other)\",address=\"(other)\",port=\"(other)\","
					   "process=\"(other)\",user=\"(other)\",overflow=\"true\"} "
					   "%llu\n",
					   metrics[m].name, (unsigned long long)rest[m]);
	}
	for (m = 0; m < SKS_ARRAY_SIZE(metrics) && r >= 0; m++)
		r = sks_prom_capped(b, metrics[m].name, agg.n - shown, max);
	*ret_dropped = agg.n - shown;
out:
	free(order);
	sks_buf_release(&key);
	sks_agg_release(&agg);
	return r;
}

/* ---- the collection itself */

int sks_prom_collection(struct sks_buf *b, const struct sks_stats *st)
{
	const struct {
		const char *name, *help;
		uint64_t v;
	} gauges[] = {
		{ "sockscope_records", "Sockets collected (before any filter).", st->records },
		{ "sockscope_warnings", "Warnings during the collection.", st->warnings },
		{ "sockscope_dump_retries", "Netlink dumps redone after NLM_F_DUMP_INTR.",
		  st->dump_retries },
		{ "sockscope_procs_scanned", "Processes whose file descriptors were read.",
		  st->procs_scanned },
		{ "sockscope_procs_denied",
		  "Processes that could not be inspected (their sockets show no owner).",
		  st->procs_denied },
		{ "sockscope_procs_vanished", "Processes that exited during the scan.",
		  st->procs_vanished },
	};
	size_t i;
	int r;

	r = sks_prom_help(b, "sockscope_collect_duration_seconds",
			  "Wall time of the collection (sockets and owners).");
	if (r >= 0)
		r = sks_buf_printf(b, "sockscope_collect_duration_seconds %.9f\n",
				   (double)st->collect_ns / 1e9);
	for (i = 0; i < SKS_ARRAY_SIZE(gauges) && r >= 0; i++) {
		r = sks_prom_help(b, gauges[i].name, gauges[i].help);
		if (r >= 0)
			r = sks_buf_printf(b, "%s %llu\n", gauges[i].name,
					   (unsigned long long)gauges[i].v);
	}
	return r;
}

int sks_view_prom(const struct sks_snapshot *snap, const struct sks_view_opts *opts, FILE *out)
{
	static const char *const capped[] = { "sockscope_listeners", "sockscope_listen_queue",
					      "sockscope_listen_backlog" };
	size_t max = opts && opts->max_series ? opts->max_series : SKS_PROM_MAX_SERIES;
	struct sks_buf b = SKS_BUF_INIT;
	size_t dropped = 0;
	int r;

	r = by_state(&b, snap);
	if (r >= 0)
		r = listeners(&b, snap, max, &dropped);
	if (r >= 0)
		r = sks_prom_capped_family(&b, capped, SKS_ARRAY_SIZE(capped), dropped);
	if (r >= 0)
		r = sks_prom_collection(&b, sks_snapshot_stats(snap));
	if (r >= 0 && b.len)
		fwrite(b.data, 1, b.len, out);
	sks_buf_release(&b);
	if (r >= 0 && ferror(out))
		r = -EIO;
	return r;
}
