// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Lines of cells for the column formats: the table with chosen fields
 * (blank-separated, padded on a terminal), CSV (RFC 4180) and TSV.  A line
 * is built in one buffer with cell offsets, then written with one fwrite;
 * the table pads from widths measured in a first pass, as table.c does.
 */
#include "view.h"

#include <errno.h>
#include <string.h>

void sks_rows_init(struct sks_rows *r, enum sks_format fmt, bool pad)
{
	memset(r, 0, sizeof(*r));
	r->fmt = fmt;
	r->q = fmt == SKS_FORMAT_CSV ? SKS_QUOTE_CSV
	       : fmt == SKS_FORMAT_TSV ? SKS_QUOTE_TSV
				       : SKS_QUOTE_TABLE;
	r->pad = pad && fmt == SKS_FORMAT_TABLE;
}

void sks_rows_release(struct sks_rows *r)
{
	sks_buf_release(&r->line);
	sks_buf_release(&r->out);
}

static void keep(struct sks_rows *r, int err)
{
	if (!r->err && err < 0)
		r->err = err;
}

void sks_rows_start(struct sks_rows *r)
{
	sks_buf_reset(&r->line);
	r->ncol = 0;
}

void sks_rows_begin(struct sks_rows *r, bool right)
{
	if (r->ncol >= SKS_ROWS_MAX) {
		r->err = r->err ? r->err : -E2BIG;
		return;
	}
	r->right[r->ncol] = right;
	r->off[r->ncol] = r->line.len;
	r->cell_start = r->line.len;
}

void sks_rows_value(struct sks_rows *r, const struct sks_cell *c, bool list)
{
	if (!r->err)
		keep(r, sks_quote_cell(&r->line, r->q, c, list));
}

void sks_rows_text(struct sks_rows *r, const char *s)
{
	if (!r->err)
		keep(r, sks_buf_append(&r->line, s, strlen(s)));
}

void sks_rows_end(struct sks_rows *r)
{
	size_t start = r->cell_start, len;
	struct sks_buf quoted = SKS_BUF_INIT;

	if (r->err || r->ncol >= SKS_ROWS_MAX)
		return;
	/* CSV quotes the cell as a whole (a list is one cell). */
	len = r->line.len - start;
	if (r->fmt == SKS_FORMAT_CSV && r->line.data &&
	    (memchr(r->line.data + start, ',', len) || memchr(r->line.data + start, '"', len))) {
		keep(r, sks_quote_csv_cell(&quoted, r->line.data + start, len));
		r->line.len = start;
		if (!r->err)
			keep(r, sks_buf_append(&r->line, quoted.data, quoted.len));
		sks_buf_release(&quoted);
	}
	r->ncol++;
	r->off[r->ncol] = r->line.len;
}

void sks_rows_field(struct sks_rows *r, const struct sks_field_env *env,
		    const struct sks_record *rec, enum sks_field f)
{
	size_t n = sks_field_nvalues(rec, f), i;
	bool owner = sks_field_is_owner(f), first = true;
	struct sks_cell c;

	sks_field_value(env, rec, f, 0, &c);
	sks_rows_begin(r, !owner && (c.kind == SKS_CELL_U64 || c.kind == SKS_CELL_I64));
	if (!owner) {
		sks_rows_value(r, &c, false);
	} else {
		for (i = 0; i < n; i++) {
			if (sks_field_repeats(rec, f, i))
				continue;
			if (!first)
				sks_rows_text(r, ",");
			first = false;
			sks_field_value(env, rec, f, i, &c);
			sks_rows_value(r, &c, true);
		}
		if (first && r->q == SKS_QUOTE_TABLE)
			sks_rows_text(r, "*"); /* a table cell is never empty */
	}
	sks_rows_end(r);
}

/* Terminal columns of escaped text (valid UTF-8): one per code point. */
static unsigned text_width(const char *s, size_t n)
{
	unsigned w = 0;
	size_t i;

	for (i = 0; i < n; i++)
		w += ((uint8_t)s[i] & 0xc0) != 0x80;
	return w;
}

void sks_rows_measure(struct sks_rows *r)
{
	size_t c;

	for (c = 0; c < r->ncol; c++) {
		unsigned w = text_width(r->line.data + r->off[c], r->off[c + 1] - r->off[c]);

		if (w > r->width[c])
			r->width[c] = w;
		r->numeric[c] |= r->right[c];
	}
}

static void spaces(struct sks_rows *r, unsigned n)
{
	static const char blanks[] = "                                ";

	while (n && !r->err) {
		unsigned k = n < sizeof(blanks) - 1 ? n : (unsigned)sizeof(blanks) - 1;

		keep(r, sks_buf_append(&r->out, blanks, k));
		n -= k;
	}
}

void sks_rows_emit(struct sks_rows *r, FILE *out)
{
	char sep = r->fmt == SKS_FORMAT_CSV ? ',' : r->fmt == SKS_FORMAT_TSV ? '\t' : ' ';
	size_t c;

	if (r->err)
		return;
	sks_buf_reset(&r->out);
	for (c = 0; c < r->ncol && !r->err; c++) {
		const char *s = r->line.data + r->off[c];
		size_t n = r->off[c + 1] - r->off[c];
		unsigned w = r->pad ? text_width(s, n) : 0;

		if (c)
			keep(r, sks_buf_putc(&r->out, sep));
		if (r->pad && r->numeric[c] && r->width[c] > w)
			spaces(r, r->width[c] - w);
		if (n)
			keep(r, sks_buf_append(&r->out, s, n));
		/* No trailing blanks: the last column is not padded. */
		if (r->pad && !r->numeric[c] && c + 1 < r->ncol && r->width[c] > w)
			spaces(r, r->width[c] - w);
	}
	keep(r, sks_buf_putc(&r->out, '\n'));
	if (!r->err)
		fwrite(r->out.data, 1, r->out.len, out);
}
