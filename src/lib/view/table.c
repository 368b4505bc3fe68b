// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The ss-style table view: the last stage of the pipeline for humans and for
 * scripts that split columns.  Each record is formatted once into a line of
 * fields (netid, state, queues, local address/port, peer address/port,
 * process and details), then written with one fwrite.  With SKS_VIEW_PAD a
 * first pass measures the fields and columns are laid out for the terminal
 * the way ss lays them out; without it fields are separated by one space.
 */
#include "table.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static const struct {
	const char *header;
	const char *delim; /* printed before the field unless it starts the line */
	bool right;        /* right-aligned when padding */
} cols[NCOL] = {
	[COL_NETID] = { "Netid", "", false },
	[COL_STATE] = { "State", " ", false },
	[COL_RQ] = { "Recv-Q", " ", false },
	[COL_SQ] = { "Send-Q", " ", false },
	[COL_LADDR] = { "Local Address:", " ", true },
	[COL_LPORT] = { "Port", "", false },
	[COL_PADDR] = { "Peer Address:", " ", true },
	[COL_PPORT] = { "Port", "", false },
	[COL_PROC] = { "Process", " ", false },
};

/* ---- addresses */

static bool addr_is_zero(const struct sks_endpoint *ep)
{
	static const uint8_t zero[16];

	return !memcmp(ep->addr, zero, ep->family == AF_INET ? 4 : 16);
}

static void put_host(struct sks_table *t, const struct sks_record *rec,
		     const struct sks_endpoint *ep, uint32_t ifindex)
{
	struct sks_buf *b = &t->line;
	const char *host = NULL;

	/* ss shows a dual-stack (not v6only, or unknown) v6 wildcard as "*". */
	if (ep->family == AF_INET6 && rec->inet.v6only <= 0 && addr_is_zero(ep)) {
		wc(t, b, '*');
	} else {
		if (!addr_is_zero(ep))
			host = sks_lookup_host(&t->lk, ep);
		if (host) {
			wesc(t, b, host, strlen(host), " ");
		} else {
			char text[SKS_IP_TEXT_MAX + 2];
			size_t n;

			if (ep->family == AF_INET) {
				n = sks_fmt_ip(text, ep);
			} else {
				text[0] = '[';
				n = 1 + sks_fmt_ip(text + 1, ep);
				text[n++] = ']';
			}
			w(t, b, text, n);
		}
	}
	if (ifindex) {
		const char *dev = sks_lookup_ifname(&t->lk, ifindex);

		wc(t, b, '%');
		wesc(t, b, dev, strlen(dev), " ");
	}
	wc(t, b, ':');
}

static void put_port(struct sks_table *t, const struct sks_record *rec, uint16_t port)
{
	struct sks_buf *b = &t->line;
	const char *name = NULL;

	if (!port) {
		wc(t, b, '*');
		return;
	}
	if (!(t->flags & SKS_VIEW_NUMERIC)) {
		/* A raw socket's "port" is its IP protocol, named from /etc/protocols. */
		if (rec->proto == SKS_PROTO_RAW)
			name = sks_lookup_protocol(&t->lk, port);
		else
			name = sks_lookup_service(&t->lk, port,
						  rec->proto == SKS_PROTO_TCP ? 6 /* tcp */ : 17);
	}
	if (name)
		ws(t, b, name);
	else
		wu(t, b, port);
}

static void put_inet(struct sks_table *t, const struct sks_record *rec)
{
	field(t, COL_LADDR);
	put_host(t, rec, &rec->inet.local, rec->ifindex);
	field(t, COL_LPORT);
	put_port(t, rec, rec->inet.local.port);
	field(t, COL_PADDR);
	put_host(t, rec, &rec->inet.peer, 0);
	field(t, COL_PPORT);
	put_port(t, rec, rec->inet.peer.port);
}

static void put_unix(struct sks_table *t, const struct sks_record *rec)
{
	field(t, COL_LADDR);
	if (!t->err)
		t->err = sks_put_unix_name(&t->line, &rec->unx);
	wc(t, &t->line, ' ');
	field(t, COL_LPORT);
	wu(t, &t->line, rec->inode);
	field(t, COL_PADDR);
	ws(t, &t->line, "* ");
	field(t, COL_PPORT);
	wu(t, &t->line, rec->unx.peer_inode);
}

static void put_packet(struct sks_table *t, const struct sks_record *rec)
{
	const struct sks_packet *p = &rec->packet;
	const char *name = NULL;

	field(t, COL_LADDR);
	if (p->protocol == 3 /* ETH_P_ALL */) {
		wc(t, &t->line, '*');
	} else {
		if (!(t->flags & SKS_VIEW_NUMERIC))
			name = sks_view_ethertype_name(p->protocol);
		if (name) {
			ws(t, &t->line, name);
		} else {
			wc(t, &t->line, '[');
			wu(t, &t->line, p->protocol);
			wc(t, &t->line, ']');
		}
	}
	wc(t, &t->line, ':');
	field(t, COL_LPORT);
	if (p->ifindex) {
		const char *dev = sks_lookup_ifname(&t->lk, p->ifindex);

		wesc(t, &t->line, dev, strlen(dev), " ");
	} else {
		wc(t, &t->line, '*');
	}
	field(t, COL_PADDR);
	wc(t, &t->line, '*');
	field(t, COL_PPORT);
}

/*
 * Like ss, a netlink port id is shown as the process whose pid it is
 * ("comm/pid") -- taken from the record's owners, so only with owners --
 * "kernel" for 0, else the number (negative for kernel-assigned ids).
 */
static void put_netlink_portid(struct sks_table *t, const struct sks_record *rec)
{
	int32_t portid = (int32_t)rec->netlink.portid;
	uint32_t i;

	if (portid == -1) {
		wc(t, &t->line, '*');
		return;
	}
	if (!(t->flags & SKS_VIEW_NUMERIC)) {
		if (!portid) {
			ws(t, &t->line, "kernel");
			return;
		}
		for (i = 0; i < rec->n_owners; i++) {
			const struct sks_process *p = rec->owners[i].proc;

			if (p && p->pid == portid && p->comm) {
				wesc(t, &t->line, p->comm, p->comm_len, " ");
				wc(t, &t->line, '/');
				wi(t, &t->line, portid);
				return;
			}
		}
	}
	wi(t, &t->line, portid);
}

static void put_netlink(struct sks_table *t, const struct sks_record *rec)
{
	const char *name = NULL;

	field(t, COL_LADDR);
	if (!(t->flags & SKS_VIEW_NUMERIC))
		name = sks_netlink_proto_name(rec->netlink.protocol);
	if (name)
		ws(t, &t->line, name);
	else
		wu(t, &t->line, rec->netlink.protocol);
	wc(t, &t->line, ':');
	field(t, COL_LPORT);
	put_netlink_portid(t, rec);
	field(t, COL_PADDR);
	if (rec->state == SKS_STATE_ESTABLISHED) {
		wu(t, &t->line, rec->netlink.dst_group);
		wc(t, &t->line, ':');
		field(t, COL_PPORT);
		wi(t, &t->line, (int32_t)rec->netlink.dst_portid);
	} else {
		wc(t, &t->line, '*');
		field(t, COL_PPORT);
	}
}

/* ---- process column and details */

static void put_owners(struct sks_table *t, const struct sks_record *rec)
{
	struct sks_buf *b;
	uint32_t i;

	if (!rec->n_owners) {
		if (rec->no_owner) {
			b = item(t, false);
			wc(t, b, '[');
			ws(t, b, sks_no_owner_name(rec->no_owner));
			wc(t, b, ']');
		}
		return;
	}
	b = item(t, false);
	ws(t, b, "users:(");
	for (i = 0; i < rec->n_owners; i++) {
		const struct sks_owner *o = &rec->owners[i];
		const struct sks_process *p = o->proc;

		ws(t, b, i ? ",(\"" : "(\"");
		if (p && p->name)
			wesc(t, b, p->name, p->name_len, "\"");
		else if (p && p->comm)
			wesc(t, b, p->comm, p->comm_len, "\"");
		wkv(t, b, "\",pid=", p ? (uint64_t)(uint32_t)p->pid : 0);
		/*
		 * Without -T a tid still shows when the fd belongs to a thread's
		 * own fd table (unshare(CLONE_FILES)): /proc/PID/fd/N is another file.
		 */
		if ((t->flags & SKS_VIEW_THREADS) || o->tid)
			wkv(t, b, ",tid=", (uint32_t)(o->tid ? o->tid : (p ? p->pid : 0)));
		ws(t, b, ",fd=");
		wi(t, b, o->fd);
		wc(t, b, ')');
	}
	wc(t, b, ')');
}

/* Format one record into t->line (fields) and t->details. */
static void format_record(struct sks_table *t, const struct sks_record *rec)
{
	struct sks_buf *b = &t->line;

	sks_buf_reset(&t->line);
	sks_buf_reset(&t->details);
	field(t, COL_NETID);
	if (t->enabled[COL_NETID])
		ws(t, b, sks_record_netid(rec));
	field(t, COL_STATE);
	if (t->enabled[COL_STATE])
		ws(t, b, sks_state_name(rec->state));
	field(t, COL_RQ);
	wu(t, b, rec->rqueue);
	field(t, COL_SQ);
	wu(t, b, rec->wqueue);
	switch (rec->proto) {
	case SKS_PROTO_TCP:
	case SKS_PROTO_UDP:
	case SKS_PROTO_RAW:
		put_inet(t, rec);
		break;
	case SKS_PROTO_UNIX:
		put_unix(t, rec);
		break;
	case SKS_PROTO_PACKET:
		put_packet(t, rec);
		break;
	case SKS_PROTO_NETLINK:
		put_netlink(t, rec);
		break;
	default:
		field(t, COL_LADDR);
		ws(t, b, "?:");
		field(t, COL_LPORT);
		wc(t, b, '?');
		field(t, COL_PADDR);
		ws(t, b, "?:");
		field(t, COL_PPORT);
		wc(t, b, '?');
	}
	field(t, COL_PROC);
	if (t->flags & SKS_VIEW_OWNERS)
		put_owners(t, rec);
	sks_table_details(t, rec);
	t->off[NCOL] = t->line.len;
}

/* The header as a "record": same fields, same layout. */
static void format_header(struct sks_table *t)
{
	enum sks_col c;

	sks_buf_reset(&t->line);
	sks_buf_reset(&t->details);
	for (c = 0; c < NCOL; c++) {
		field(t, c);
		if (c == COL_PROC && !(t->flags & SKS_VIEW_OWNERS))
			continue;
		if (t->enabled[c])
			ws(t, &t->line, cols[c].header);
	}
	t->off[NCOL] = t->line.len;
}

/* Terminal columns of valid UTF-8 (escaped text always is): one per code point. */
static unsigned text_width(const char *s, size_t n)
{
	unsigned wdt = 0;
	size_t i;

	for (i = 0; i < n; i++)
		wdt += ((uint8_t)s[i] & 0xc0) != 0x80;
	return wdt;
}

/*
 * In ss the process column has no delimiter of its own: its content starts
 * with a space and the header "Process" does not.  Padded widths follow that
 * arithmetic so the spare space lands where ss puts it.
 */
static unsigned field_width(const struct sks_table *t, enum sks_col c, bool header)
{
	size_t n = t->off[c + 1] - t->off[c];
	unsigned wdt = text_width(t->line.data + t->off[c], n);

	return c == COL_PROC && n && !header ? wdt + 1 : wdt;
}

static void measure(struct sks_table *t, bool header)
{
	enum sks_col c;

	for (c = 0; c < NCOL; c++) {
		unsigned wdt = field_width(t, c, header);

		if (wdt > t->maxw[c])
			t->maxw[c] = wdt;
	}
}

/*
 * Column widths as ss computes them: each column as wide as its widest
 * field plus its delimiter; then, knowing the screen width, the columns
 * that fit on one screen line share the spare space, so the table spans
 * the terminal.  A row wider than the screen wraps where the terminal
 * wraps it, and the columns after the wrap share the next line's space.
 */
static void layout(struct sks_table *t)
{
	unsigned screen = t->screen, len = 0, linecols = 0;
	bool first = true;
	int c, eol = -1;

	for (c = 0; c < NCOL; c++) {
		unsigned wdt = t->enabled[c] ? t->maxw[c] : 0;

		if ((c == COL_RQ || c == COL_SQ) && t->enabled[c] && wdt < 6)
			wdt = 6; /* ss prints queues as %-6d */
		if (!first && wdt && c != COL_PROC)
			wdt += (unsigned)strlen(cols[c].delim);
		if (screen && wdt > screen)
			wdt = screen;
		t->width[c] = wdt;
		if (wdt)
			first = false;
	}
	if (!screen)
		return;
	for (c = 0; c < NCOL; c++) {
		unsigned pad, spacing, rem;
		bool last = true;
		int k;

		if (!t->width[c])
			continue;
		linecols++;
		len += t->width[c];
		for (k = c + 1; k < NCOL; k++)
			if (t->width[k])
				last = false;
		if (!last && len < screen)
			continue;
		if (len > screen && linecols > 1) {
			/* This column starts the next screen line. */
			len -= t->width[c];
			linecols--;
			c--;
			while (c > eol && !t->width[c])
				c--;
		}
		if (len < screen && linecols) {
			pad = screen - len;
			spacing = pad / linecols;
			rem = pad % linecols;
			for (k = c; k > eol; k--) {
				if (!t->width[k])
					continue;
				t->width[k] += spacing;
				if (rem) {
					t->width[k]++;
					rem--;
				}
			}
		}
		eol = c;
		len = 0;
		linecols = 0;
	}
}

static void pad(struct sks_table *t, int n)
{
	static const char spaces[] = "                                                        ";

	while (n > 0) {
		int k = n < (int)sizeof(spaces) - 1 ? n : (int)sizeof(spaces) - 1;

		w(t, &t->out, spaces, (size_t)k);
		n -= k;
	}
}

/* Render the fields in t->line (and t->details) as one output line. */
static void emit(struct sks_table *t, FILE *out, bool header)
{
	bool padded = t->flags & SKS_VIEW_PAD, started = false;
	int c, last = -1, spare = 1;

	sks_buf_reset(&t->out);
	for (c = 0; c < NCOL; c++)
		if (t->enabled[c] && t->off[c + 1] > t->off[c])
			last = c;
	for (c = 0; c <= last; c++) {
		const char *s = t->line.data + t->off[c];
		size_t n = t->off[c + 1] - t->off[c];
		int used = 0;

		if (!t->enabled[c])
			continue;
		if (started && padded && c == COL_PROC) {
			/* ss's layout (see field_width), but never "PortProcess". */
			if (!header || !spare)
				wc(t, &t->out, ' ');
			used = header ? 0 : 1;
		} else if (started) {
			ws(t, &t->out, cols[c].delim);
			used = (int)strlen(cols[c].delim);
		}
		started = true;
		if (padded) {
			used += (int)text_width(s, n);
			if (cols[c].right)
				pad(t, (int)t->width[c] - used);
			w(t, &t->out, s, n);
			spare = (int)t->width[c] - used;
			/* No trailing blanks: the last field is never padded. */
			if (!cols[c].right && c != last)
				pad(t, spare);
		} else {
			w(t, &t->out, s, n);
		}
	}
	wc(t, &t->out, '\n');
	if (t->details.len) {
		w(t, &t->out, t->details.data, t->details.len);
		wc(t, &t->out, '\n');
	}
	if (!t->err)
		fwrite(t->out.data, 1, t->out.len, out);
}

void sks_table_init(struct sks_table *t, const struct sks_view_opts *opts,
		    const struct sks_lookup *lk)
{
	memset(t, 0, sizeof(*t));
	t->flags = opts ? opts->flags : 0;
	t->screen = (t->flags & SKS_VIEW_PAD) && opts ? opts->width : 0;
	t->lk = *lk;
	for (size_t i = 0; i < NCOL; i++)
		t->enabled[i] = true;
	t->enabled[COL_NETID] = t->flags & SKS_VIEW_NETID;
	t->enabled[COL_STATE] = t->flags & SKS_VIEW_STATE;
}

void sks_table_header(struct sks_table *t, FILE *out)
{
	if (t->flags & SKS_VIEW_NO_HEADER)
		return;
	format_header(t);
	emit(t, out, true);
}

void sks_table_record(struct sks_table *t, FILE *out, const struct sks_record *rec)
{
	format_record(t, rec);
	emit(t, out, false);
}

void sks_table_release(struct sks_table *t)
{
	sks_buf_release(&t->line);
	sks_buf_release(&t->details);
	sks_buf_release(&t->out);
}

int sks_view_table_lookup(const struct sks_snapshot *snap, const struct sks_view_opts *opts,
			  FILE *out, struct sks_lookup *lk)
{
	size_t n = sks_snapshot_count(snap), i;
	struct sks_table t;
	int r;

	sks_table_init(&t, opts, lk);
	/* Padding needs every field's width first: format everything twice. */
	if (t.flags & SKS_VIEW_PAD) {
		if (!(t.flags & SKS_VIEW_NO_HEADER)) {
			format_header(&t);
			measure(&t, true);
		}
		for (i = 0; i < n && !t.err; i++) {
			format_record(&t, sks_snapshot_record(snap, i));
			measure(&t, false);
		}
		layout(&t);
	}
	sks_table_header(&t, out);
	for (i = 0; i < n && !t.err; i++)
		sks_table_record(&t, out, sks_snapshot_record(snap, i));

	r = t.err;
	if (!r && ferror(out))
		r = -EIO;
	*lk = t.lk; /* the caches grew */
	sks_table_release(&t);
	return r;
}

int sks_view_table(const struct sks_snapshot *snap, const struct sks_view_opts *opts, FILE *out)
{
	struct sks_lookup lk;
	int r;

	r = sks_lookup_init(&lk, opts ? opts->flags : 0, NULL, NULL, NULL);
	if (r < 0)
		return r;
	r = sks_view_table_lookup(snap, opts, out, &lk);
	sks_lookup_release(&lk);
	return r;
}
