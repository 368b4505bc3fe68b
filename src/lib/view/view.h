/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the views (table.c, json.c): name lookups loaded once per view
 * call (services, raw protocols, interfaces, host names), and formatters for
 * numbers, addresses and escaped strings that append to an sks_buf.
 * Internal to src/lib/view; tests include it to check the pieces.
 */
#ifndef SKS_VIEW_VIEW_H
#define SKS_VIEW_VIEW_H

#include "internal.h"

#include <stdio.h>
#include <string.h>

struct sks_svc;
struct sks_ifname;
struct sks_host;

/*
 * Everything a view looks up by number, loaded or cached once per call so
 * that formatting a record never reaches NSS, DNS or an ioctl again.
 */
struct sks_lookup {
	uint32_t flags;            /* SKS_VIEW_* */
	struct sks_svc *svc;       /* sorted by (port, proto), first name wins */
	size_t n_svc;
	char *svc_text;            /* names point into it */
	const char *raw_names[256]; /* IPPROTO_* -> /etc/protocols name */
	char *proto_text;
	uint32_t eph_lo, eph_hi;   /* ephemeral port range: never shown as a service */
	struct sks_ifname *ifs;
	size_t n_ifs, cap_ifs;
	struct sks_host *hosts;    /* open addressing, SKS_VIEW_RESOLVE only */
	size_t n_hosts, cap_hosts;
	char ifbuf[24];            /* "if%u" for an unknown interface */
};

/*
 * Load the tables the flags need: services and protocols unless
 * SKS_VIEW_NUMERIC.  Missing files are not errors (numbers are shown).
 * -ENOMEM.  The *_path arguments override /etc/services, /etc/protocols
 * and /proc/sys/net/ipv4/ip_local_port_range (tests); NULL for the default.
 */
int sks_lookup_init(struct sks_lookup *l, uint32_t flags, const char *services_path,
		    const char *protocols_path, const char *port_range_path);
void sks_lookup_release(struct sks_lookup *l);
/* Service name of a TCP/UDP port (proto IPPROTO_TCP or IPPROTO_UDP), or NULL. */
const char *sks_lookup_service(const struct sks_lookup *l, uint16_t port, uint8_t proto);
/* /etc/protocols name of an IP protocol number, or NULL. */
const char *sks_lookup_protocol(const struct sks_lookup *l, unsigned proto);
/* Interface name, cached; "if<N>" when the index is unknown.  Never NULL. */
const char *sks_lookup_ifname(struct sks_lookup *l, uint32_t ifindex);
/* Host name of an address (SKS_VIEW_RESOLVE), cached; NULL when it has none. */
const char *sks_lookup_host(struct sks_lookup *l, const struct sks_endpoint *ep);

/* ---- formatting: every function appends and returns 0 or -ENOMEM */

/* Decimal and lowercase hex digits of v into p (>= 20 bytes); returns the length. */
size_t sks_fmt_u64(char *p, uint64_t v);
size_t sks_fmt_hex(char *p, uint64_t v);
int sks_put_u64(struct sks_buf *b, uint64_t v);
int sks_put_i64(struct sks_buf *b, int64_t v);
int sks_put_hex(struct sks_buf *b, uint64_t v);
int sks_put_str(struct sks_buf *b, const char *s);

/*
 * sks_escape_text(), and also each byte of `extra` (printable ASCII only)
 * as \xHH: the table view escapes ' ' so columns split on whitespace, '"'
 * inside quoted names.
 */
int sks_put_escaped(struct sks_buf *b, const void *src, size_t len, const char *extra);

/*
 * A unix socket name as the table shows it: "@name" for abstract names;
 * a path starting with '@' gets it escaped (\x40) so it never reads as an
 * abstract name, a path that is exactly "*" becomes \x2a (not "unbound");
 * spaces are escaped.  "*" when unbound.
 */
int sks_put_unix_name(struct sks_buf *b, const struct sks_unix *u);

/* Numeric address as inet_ntop() writes it (no brackets); p holds SKS_IP_TEXT_MAX. */
#define SKS_IP_TEXT_MAX 46
size_t sks_fmt_ip(char *p, const struct sks_endpoint *ep);
int sks_put_ip(struct sks_buf *b, const struct sks_endpoint *ep);

/*
 * Append without a call when the buffer has room (the views append several
 * small pieces per field); else sks_buf_append() grows it.
 */
static inline int sks_buf_add(struct sks_buf *b, const void *p, size_t n)
{
	if (b->data && b->cap - b->len > n) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return 0;
	}
	return sks_buf_append(b, p, n);
}

/* JSON names: "inet", "stream", "tcp"...; "unknown" for numbers they do not know. */
const char *sks_view_family_name(unsigned af);
const char *sks_view_type_name(unsigned type);
const char *sks_view_proto_name(unsigned proto);
/* Ethertype name as ss prints it ("ip", "arp", "ipv6", ...), or NULL. */
const char *sks_view_ethertype_name(uint16_t proto);
/* ss's timer names: off on keepalive timewait persist unknown. */
const char *sks_view_timer_name(unsigned timer);

/* ss's print_ms_timer(): "119min", "5min30sec", "3.500ms", "950ms". */
int sks_put_ms_timer(struct sks_buf *b, uint32_t ms);

/* ss's bandwidth: plain bits/s with SKS_VIEW_NUMERIC, else %.3g with k/M/G/T. */
int sks_put_bw(struct sks_buf *b, double bps, bool numeric);

/* ---- fields (fields.c): one value of one column of a record */

enum sks_cell_kind {
	SKS_CELL_NONE = 0, /* no value: null, empty, "*" in tables */
	SKS_CELL_U64,
	SKS_CELL_I64,
	SKS_CELL_HEX, /* u as lowercase hex (cookies) */
	SKS_CELL_LIT, /* s: NUL-terminated ASCII we made; never needs escaping */
	SKS_CELL_STR, /* s, len: bytes from the system (names, paths): always escaped */
};

struct sks_cell {
	uint8_t kind;
	bool unix_path; /* STR: a unix socket name ('@' rules in text formats) */
	bool abstract;  /* ... in the abstract namespace */
	uint64_t u;
	int64_t i;
	const char *s;
	size_t len;
	char text[SKS_IP_TEXT_MAX + 24]; /* storage for LIT values we format */
};

struct sks_field_info {
	const char *name;   /* canonical --fields name */
	const char *header; /* table, CSV and TSV header */
	const char *key;    /* JSON member, Prometheus label */
	bool owner;         /* one value per owner */
	bool distinct;      /* owner values shown once per record (names, users, pids) */
};
const struct sks_field_info *sks_field_info(enum sks_field f);

/* What a field needs besides the record: interface names, the namespace. */
struct sks_field_env {
	struct sks_lookup *lk;
	uint64_t netns;
};

/* Number of values: 1, or for owner fields the number of owners (maybe 0). */
size_t sks_field_nvalues(const struct sks_record *rec, enum sks_field f);
/* Value i (< sks_field_nvalues()). */
void sks_field_value(const struct sks_field_env *env, const struct sks_record *rec,
		     enum sks_field f, size_t i, struct sks_cell *c);
/* true when owner value i of a `distinct` field equals an earlier one: skip it. */
bool sks_field_repeats(const struct sks_record *rec, enum sks_field f, size_t i);
/* An owner field of a record without owners, as a count key: "[kernel]", ... or NONE. */
void sks_field_no_owner(const struct sks_record *rec, struct sks_cell *c);

/* ---- quoting (quote.c): the one escaping layer, per output format */

enum sks_quote {
	SKS_QUOTE_TABLE, /* terminal-safe text, spaces escaped: columns split on blanks */
	SKS_QUOTE_TSV,   /* terminal-safe text (no raw tab or newline can remain) */
	SKS_QUOTE_CSV,   /* terminal-safe text; the cell is then quoted by sks_quote_csv_cell() */
	SKS_QUOTE_PROM,  /* terminal-safe text, then Prometheus label escaping (\\ and \") */
};

/*
 * One value as text for a format.  list: the value is an item of a
 * comma-separated list, so a ',' in it is escaped too.  NONE is "*" in
 * tables, empty elsewhere.  0 or -ENOMEM.
 */
int sks_quote_cell(struct sks_buf *b, enum sks_quote q, const struct sks_cell *c, bool list);
/*
 * Terminal-safe text of src for q (sks_escape_text() plus what q needs).
 * Reversible: unescape the format's own quoting, then the \\, \xHH,
 * \u{...} escapes.
 */
int sks_quote_text(struct sks_buf *b, enum sks_quote q, const void *src, size_t len, bool list);
/* RFC 4180: cell[0..len) as is, or in double quotes with '"' doubled when it must be. */
int sks_quote_csv_cell(struct sks_buf *b, const char *cell, size_t len);

/* ---- rows (rows.c): table-with-fields, CSV and TSV lines */

#define SKS_ROWS_MAX (SKS_FIELDS_MAX + 2) /* fields, plus time and count */

struct sks_rows {
	enum sks_format fmt; /* TABLE, CSV or TSV */
	enum sks_quote q;
	bool pad;            /* table only: columns padded to the widest cell */
	struct sks_buf line;
	size_t off[SKS_ROWS_MAX + 1];
	size_t ncol;
	size_t cell_start;   /* CSV: where the open cell's text begins */
	unsigned width[SKS_ROWS_MAX];
	bool right[SKS_ROWS_MAX]; /* this line's cell is a number */
	bool numeric[SKS_ROWS_MAX]; /* measured column held numbers: right-aligned */
	struct sks_buf out;
	int err;
};

void sks_rows_init(struct sks_rows *r, enum sks_format fmt, bool pad);
void sks_rows_release(struct sks_rows *r);
/* Start a line; then for each column: begin, values (and/or text), end. */
void sks_rows_start(struct sks_rows *r);
void sks_rows_begin(struct sks_rows *r, bool right);
void sks_rows_value(struct sks_rows *r, const struct sks_cell *c, bool list);
void sks_rows_text(struct sks_rows *r, const char *s); /* ASCII we made, e.g. a header */
void sks_rows_end(struct sks_rows *r);
/* The record's values of one field (owner fields: a comma-separated list). */
void sks_rows_field(struct sks_rows *r, const struct sks_field_env *env,
		    const struct sks_record *rec, enum sks_field f);
/* Widen the columns to this line (padding pass). */
void sks_rows_measure(struct sks_rows *r);
/* Write the line (padded if asked) and a newline to out. */
void sks_rows_emit(struct sks_rows *r, FILE *out);

/* ---- aggregation (agg.c): a hash of byte-string keys with a count and sums */

struct sks_agg_entry {
	size_t key_off; /* into sks_agg.keys */
	size_t key_len;
	uint64_t count;
	uint64_t sum[3];
};

struct sks_agg {
	struct sks_agg_entry *e;
	size_t n, cap;
	size_t *slots; /* open addressing: index + 1, 0 empty */
	size_t nslots;
	struct sks_buf keys;
};

/* The entry for key (added with zero counts if new), or NULL on ENOMEM. */
struct sks_agg_entry *sks_agg_get(struct sks_agg *a, const void *key, size_t len);
void sks_agg_release(struct sks_agg *a);

/* Key encoding: cells appended to a byte string that sorts like the values. */
int sks_key_put(struct sks_buf *b, const struct sks_cell *c);
/* Decode the next cell at *pos (< len); cell strings point into key. */
void sks_key_get(const char *key, size_t len, size_t *pos, struct sks_cell *c);
/* Order of two keys: cell by cell, numbers numerically, strings bytewise (<0, 0, >0). */
int sks_key_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* ---- shared by the writers */

/* The whole JSON record (json.c), as sks_view_json() writes it; stamp: a "time" member. */
struct sks_jw;
void sks_json_record(struct sks_jw *j, const struct sks_record *rec, const char *stamp);
void sks_json_stats(struct sks_jw *j, const struct sks_stats *s);
/* After the "records" array's n members: close it, add "stats", close the document. */
void sks_json_doc_end(struct sks_jw *j, size_t n, const struct sks_stats *stats);
/* A JSON object with the chosen fields only (fields.c). */
void sks_json_fields(struct sks_jw *j, const struct sks_field_env *env,
		     const struct sks_record *rec, const enum sks_field *fields, size_t n);
/* One cell as a JSON member (k NULL: an array element). */
void sks_json_cell(struct sks_jw *j, const char *k, const struct sks_cell *c);

/* Prometheus pieces (prom.c): "# HELP"/"# TYPE gauge" lines; one label `name="value"`. */
int sks_prom_help(struct sks_buf *b, const char *name, const char *help);
int sks_prom_label(struct sks_buf *b, bool first, const char *name, const struct sks_cell *c);
/* A comment saying how many series of metric were summed into its overflow series. */
int sks_prom_capped(struct sks_buf *b, const char *metric, size_t dropped, size_t max);
/* The collection's own gauges: duration, warnings, records, processes. */
int sks_prom_collection(struct sks_buf *b, const struct sks_stats *st);
/* The sockscope_series_capped family: `dropped` for each metric. */
int sks_prom_capped_family(struct sks_buf *b, const char *const *metrics, size_t n,
			   size_t dropped);
#define SKS_PROM_MAX_SERIES 1000

/* Counts instead of records (count.c), Prometheus (prom.c). */
int sks_view_counts(const struct sks_snapshot *snap, enum sks_format fmt,
		    const struct sks_view_opts *opts, FILE *out);
int sks_view_prom(const struct sks_snapshot *snap, const struct sks_view_opts *opts, FILE *out);

/* sks_view_table() with the caller's lookup tables (tests load their own). */
int sks_view_table_lookup(const struct sks_snapshot *snap, const struct sks_view_opts *opts,
			  FILE *out, struct sks_lookup *lk);

#endif
