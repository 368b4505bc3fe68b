// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one escaping layer of the text formats, on top of util/escape.c:
 * every string from the system first becomes reversible terminal-safe text
 * (sks_escape_text(): no control byte, no invalid UTF-8, '\' doubled), then
 * gets its format's own quoting -- spaces hidden for tables, RFC 4180
 * quoting for CSV, '\' and '"' escaped for Prometheus label values.  JSON
 * goes through sks_escape_json() instead (jw.h).  So a hostile name can
 * neither drive a terminal nor forge a column, a row, a label or a series,
 * and undoing the two layers gives back its exact bytes.
 */
#include "view.h"

#include <errno.h>
#include <string.h>

int sks_quote_text(struct sks_buf *b, enum sks_quote q, const void *src, size_t len, bool list)
{
	struct sks_buf tmp = SKS_BUF_INIT;
	size_t i, run;
	int r;

	switch (q) {
	case SKS_QUOTE_TABLE:
		return sks_put_escaped(b, src, len, list ? " ," : " ");
	case SKS_QUOTE_TSV:
	case SKS_QUOTE_CSV:
		return list ? sks_put_escaped(b, src, len, ",") : sks_escape_text(b, src, len);
	case SKS_QUOTE_PROM:
		break;
	default:
		return -EINVAL;
	}
	/* Prometheus: the text format escapes only '\', '"' and newline (none is left). */
	r = list ? sks_put_escaped(&tmp, src, len, ",") : sks_escape_text(&tmp, src, len);
	for (i = 0; r >= 0 && i < tmp.len; i += run) {
		run = strcspn(tmp.data + i, "\\\"");
		if (run) {
			r = sks_buf_append(b, tmp.data + i, run);
			continue;
		}
		r = sks_buf_append(b, tmp.data[i] == '\\' ? "\\\\" : "\\\"", 2);
		run = 1;
	}
	if (r >= 0 && !b->data)
		r = sks_buf_append(b, "", 0);
	sks_buf_release(&tmp);
	return r;
}

/* A unix name: '@' marks an abstract one, so a real path's leading '@' is escaped. */
static int quote_unix(struct sks_buf *b, enum sks_quote q, const struct sks_cell *c, bool list)
{
	const char *p = c->s;
	size_t len = c->len;
	int r = 0;

	if (c->abstract) {
		r = sks_buf_putc(b, '@');
	} else if (len == 1 && p[0] == '*' && q == SKS_QUOTE_TABLE) {
		return sks_put_str(b, "\\x2a"); /* not "*", which means "none" in tables */
	} else if (len && p[0] == '@') {
		r = sks_put_str(b, q == SKS_QUOTE_PROM ? "\\\\x40" : "\\x40");
		p++;
		len--;
	}
	return r < 0 ? r : sks_quote_text(b, q, p, len, list);
}

int sks_quote_cell(struct sks_buf *b, enum sks_quote q, const struct sks_cell *c, bool list)
{
	switch (c->kind) {
	case SKS_CELL_NONE:
		return q == SKS_QUOTE_TABLE ? sks_buf_putc(b, '*') : sks_buf_append(b, "", 0);
	case SKS_CELL_U64:
		return sks_put_u64(b, c->u);
	case SKS_CELL_I64:
		return sks_put_i64(b, c->i);
	case SKS_CELL_HEX:
		return sks_put_hex(b, c->u);
	case SKS_CELL_LIT:
		return sks_buf_append(b, c->s, c->len);
	case SKS_CELL_STR:
		if (c->unix_path)
			return quote_unix(b, q, c, list);
		return sks_quote_text(b, q, c->s, c->len, list);
	}
	return -EINVAL;
}

int sks_quote_csv_cell(struct sks_buf *b, const char *cell, size_t len)
{
	size_t i;
	int r;

	/* Terminal-safe text has no CR or LF left: only these two force quotes. */
	if (!memchr(cell, ',', len) && !memchr(cell, '"', len))
		return sks_buf_append(b, cell, len);
	r = sks_buf_putc(b, '"');
	for (i = 0; r >= 0 && i < len; i++) {
		if (cell[i] == '"')
			r = sks_buf_putc(b, '"');
		if (r >= 0)
			r = sks_buf_putc(b, cell[i]);
	}
	return r < 0 ? r : sks_buf_putc(b, '"');
}
