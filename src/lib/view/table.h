/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to the table view (table.c, table_details.c): the per-call state
 * that holds one record's fields while it is formatted, and the writers that
 * append to it and keep the first error.
 */
#ifndef SKS_VIEW_TABLE_H
#define SKS_VIEW_TABLE_H

#include "view.h"

#include <string.h>

enum sks_col {
	COL_NETID,
	COL_STATE,
	COL_RQ,
	COL_SQ,
	COL_LADDR,
	COL_LPORT,
	COL_PADDR,
	COL_PPORT,
	COL_PROC,
	NCOL,
};

struct sks_table {
	uint32_t flags;
	unsigned screen; /* 0: pad to the widest field only */
	struct sks_lookup lk;
	struct sks_buf line;    /* the fields of one record, back to back */
	size_t off[NCOL + 1];   /* field c is line.data[off[c] .. off[c + 1]) */
	struct sks_buf details; /* "\t skmem:(...) ts sack ..." or empty */
	struct sks_buf out;     /* the rendered line(s) */
	bool enabled[NCOL];
	unsigned maxw[NCOL];
	unsigned width[NCOL];
	int err;
};

/* ---- sticky-error writers: the first failure is kept, later writes are no-ops */

static inline void w(struct sks_table *t, struct sks_buf *b, const void *p, size_t n)
{
	if (!t->err)
		t->err = sks_buf_add(b, p, n);
}

static inline void ws(struct sks_table *t, struct sks_buf *b, const char *s)
{
	w(t, b, s, strlen(s));
}

static inline void wc(struct sks_table *t, struct sks_buf *b, char c)
{
	w(t, b, &c, 1);
}

static inline void wu(struct sks_table *t, struct sks_buf *b, uint64_t v)
{
	char tmp[20];

	w(t, b, tmp, sks_fmt_u64(tmp, v));
}

static inline void wi(struct sks_table *t, struct sks_buf *b, int64_t v)
{
	if (!t->err)
		t->err = sks_put_i64(b, v);
}

static inline void wx(struct sks_table *t, struct sks_buf *b, uint64_t v)
{
	char tmp[16];

	w(t, b, tmp, sks_fmt_hex(tmp, v));
}

static inline void wesc(struct sks_table *t, struct sks_buf *b, const void *p, size_t n,
			const char *extra)
{
	if (!t->err)
		t->err = sks_put_escaped(b, p, n, extra);
}

static inline void wkv(struct sks_table *t, struct sks_buf *b, const char *key, uint64_t v)
{
	ws(t, b, key);
	wu(t, b, v);
}

static inline void wfmt(struct sks_table *t, struct sks_buf *b, const char *fmt, double v)
{
	if (!t->err)
		t->err = sks_buf_printf(b, fmt, v);
}

static inline void field(struct sks_table *t, enum sks_col c)
{
	t->off[c] = t->line.len;
}

/*
 * Start one item of the process column, or of the details: those go on the
 * record's line with SKS_VIEW_ONELINE, else on a following line that starts
 * with a tab, each item after a space, as ss prints them.
 */
static inline struct sks_buf *item(struct sks_table *t, bool detail)
{
	if (detail && !(t->flags & SKS_VIEW_ONELINE)) {
		wc(t, &t->details, t->details.len ? ' ' : '\t');
		if (t->details.len == 1)
			wc(t, &t->details, ' ');
		return &t->details;
	}
	if (t->line.len > t->off[COL_PROC])
		wc(t, &t->line, ' ');
	return &t->line;
}

/* -o -e -m -i for one record: the process column and the details line (table_details.c). */
void sks_table_details(struct sks_table *t, const struct sks_record *rec);

/*
 * The ss-style table a record at a time, for a caller that streams records
 * (without SKS_VIEW_PAD: column widths are known only at the end).  init
 * takes over lk (its caches grow in t->lk; release it with t->lk);
 * header prints nothing with SKS_VIEW_NO_HEADER; errors stick in t->err.
 */
void sks_table_init(struct sks_table *t, const struct sks_view_opts *opts,
		    const struct sks_lookup *lk);
void sks_table_header(struct sks_table *t, FILE *out);
void sks_table_record(struct sks_table *t, FILE *out, const struct sks_record *rec);
void sks_table_release(struct sks_table *t);

#endif
