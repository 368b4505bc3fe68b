// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The ss-style table view: the last stage of the pipeline for humans and for
 * scripts that split columns.  Each record is formatted once into a line of
 * fields (netid, state, queues, local address/port, peer address/port,
 * process and details), then written with one fwrite.  With SKS_VIEW_PAD a
 * first pass measures the fields and columns are laid out for the terminal
 * the way ss lays them out; without it fields are separated by one space.
 */
#include "view.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/* tcp_info option bits (linux/tcp.h TCPI_OPT_*), kept here to avoid a libc/uapi clash. */
#define OPT_TIMESTAMPS 1
#define OPT_SACK 2
#define OPT_WSCALE 4
#define OPT_ECN 8
#define OPT_ECN_SEEN 16
#define OPT_SYN_DATA 32

enum col {
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

struct table {
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

static void w(struct table *t, struct sks_buf *b, const void *p, size_t n)
{
	if (!t->err)
		t->err = sks_buf_append(b, p, n);
}

static void ws(struct table *t, struct sks_buf *b, const char *s)
{
	w(t, b, s, strlen(s));
}

static void wc(struct table *t, struct sks_buf *b, char c)
{
	w(t, b, &c, 1);
}

static void wu(struct table *t, struct sks_buf *b, uint64_t v)
{
	char tmp[20];

	w(t, b, tmp, sks_fmt_u64(tmp, v));
}

static void wi(struct table *t, struct sks_buf *b, int64_t v)
{
	if (!t->err)
		t->err = sks_put_i64(b, v);
}

static void wx(struct table *t, struct sks_buf *b, uint64_t v)
{
	char tmp[16];

	w(t, b, tmp, sks_fmt_hex(tmp, v));
}

static void wesc(struct table *t, struct sks_buf *b, const void *p, size_t n, const char *extra)
{
	if (!t->err)
		t->err = sks_put_escaped(b, p, n, extra);
}

static void wkv(struct table *t, struct sks_buf *b, const char *key, uint64_t v)
{
	ws(t, b, key);
	wu(t, b, v);
}

static void wfmt(struct table *t, struct sks_buf *b, const char *fmt, double v)
{
	if (!t->err)
		t->err = sks_buf_printf(b, fmt, v);
}

static void field(struct table *t, enum col c)
{
	t->off[c] = t->line.len;
}

/*
 * Start one item of the process column, or of the details: those go on the
 * record's line with SKS_VIEW_ONELINE, else on a following line that starts
 * with a tab, each item after a space, as ss prints them.
 */
static struct sks_buf *item(struct table *t, bool detail)
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

/* ---- addresses */

static bool addr_is_zero(const struct sks_endpoint *ep)
{
	static const uint8_t zero[16];

	return !memcmp(ep->addr, zero, ep->family == AF_INET ? 4 : 16);
}

static void put_host(struct table *t, const struct sks_record *rec, const struct sks_endpoint *ep,
		     uint32_t ifindex)
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
		} else if (ep->family == AF_INET) {
			if (!t->err)
				t->err = sks_put_ip(b, ep);
		} else {
			wc(t, b, '[');
			if (!t->err)
				t->err = sks_put_ip(b, ep);
			wc(t, b, ']');
		}
	}
	if (ifindex) {
		const char *dev = sks_lookup_ifname(&t->lk, ifindex);

		wc(t, b, '%');
		wesc(t, b, dev, strlen(dev), " ");
	}
	wc(t, b, ':');
}

static void put_port(struct table *t, const struct sks_record *rec, uint16_t port)
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

static void put_inet(struct table *t, const struct sks_record *rec)
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

static void put_unix(struct table *t, const struct sks_record *rec)
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

static void put_packet(struct table *t, const struct sks_record *rec)
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
static void put_netlink_portid(struct table *t, const struct sks_record *rec)
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

static void put_netlink(struct table *t, const struct sks_record *rec)
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

static void put_owners(struct table *t, const struct sks_record *rec)
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
		if (t->flags & SKS_VIEW_THREADS)
			wkv(t, b, ",tid=", (uint32_t)(o->tid ? o->tid : (p ? p->pid : 0)));
		ws(t, b, ",fd=");
		wi(t, b, o->fd);
		wc(t, b, ')');
	}
	wc(t, b, ')');
}

static void put_timer(struct table *t, const struct sks_record *rec)
{
	struct sks_buf *b;

	if (!rec->inet.timer)
		return;
	b = item(t, false);
	ws(t, b, "timer:(");
	ws(t, b, sks_view_timer_name(rec->inet.timer));
	wc(t, b, ',');
	if (!t->err)
		t->err = sks_put_ms_timer(b, rec->inet.expires_ms);
	wkv(t, b, ",", rec->inet.retrans);
	wc(t, b, ')');
}

static void put_shutdown(struct table *t, const struct sks_record *rec)
{
	unsigned mask;
	struct sks_buf *b;

	if (!rec->shutdown)
		return;
	mask = rec->shutdown - 1u; /* kernel's RCV_SHUTDOWN=1, SEND_SHUTDOWN=2 */
	b = item(t, false);
	wc(t, b, mask & 1 ? '-' : '<');
	wc(t, b, '-');
	wc(t, b, mask & 2 ? '-' : '>');
}

static void put_extended(struct table *t, const struct sks_record *rec)
{
	struct sks_buf *b;

	if (rec->proto == SKS_PROTO_UNIX) {
		/* ss -e shows only the shutdown state: the inode is the port column. */
		put_shutdown(t, rec);
		return;
	}
	if (rec->uid)
		wkv(t, item(t, false), "uid:", rec->uid);
	wkv(t, item(t, false), "ino:", rec->inode);
	if (rec->cookie) {
		b = item(t, false);
		ws(t, b, "sk:");
		wx(t, b, rec->cookie);
	}
	if (rec->mark) {
		b = item(t, false);
		ws(t, b, "fwmark:0x");
		wx(t, b, rec->mark);
	}
	if (rec->cgroup_id)
		wkv(t, item(t, false), "cgroup_id:", rec->cgroup_id);
	switch (rec->proto) {
	case SKS_PROTO_TCP:
	case SKS_PROTO_UDP:
	case SKS_PROTO_RAW:
		if (rec->family == AF_INET6 && rec->inet.v6only >= 0)
			wkv(t, item(t, false), "v6only:", (uint64_t)rec->inet.v6only);
		put_shutdown(t, rec);
		break;
	case SKS_PROTO_NETLINK: {
		static const char digits[] = "0123456789abcdef";
		char hex[8];
		int i;

		for (i = 0; i < 8; i++)
			hex[i] = digits[(rec->netlink.groups >> (28 - 4 * i)) & 15];
		b = item(t, false);
		ws(t, b, "groups=0x");
		w(t, b, hex, 8);
		break;
	}
	}
}

static void put_meminfo(struct table *t, const struct sks_meminfo *m)
{
	struct sks_buf *b = item(t, true);

	wkv(t, b, "skmem:(r", m->rmem_alloc);
	wkv(t, b, ",rb", m->rcvbuf);
	wkv(t, b, ",t", m->wmem_alloc);
	wkv(t, b, ",tb", m->sndbuf);
	wkv(t, b, ",f", m->fwd_alloc);
	wkv(t, b, ",w", m->wmem_queued);
	wkv(t, b, ",o", m->optmem);
	wkv(t, b, ",bl", m->backlog);
	wkv(t, b, ",d", m->drops);
	wc(t, b, ')');
}

static void tcp_word(struct table *t, const char *s)
{
	ws(t, item(t, true), s);
}

static void tcp_u(struct table *t, const char *key, uint64_t v)
{
	if (v)
		wkv(t, item(t, true), key, v);
}

static void tcp_g(struct table *t, const char *fmt, double v)
{
	if (v != 0)
		wfmt(t, item(t, true), fmt, v);
}

static void tcp_bw(struct table *t, const char *key, double bps)
{
	struct sks_buf *b = item(t, true);

	ws(t, b, key);
	if (!t->err)
		t->err = sks_put_bw(b, bps, t->flags & SKS_VIEW_NUMERIC);
	ws(t, b, "bps");
}

static void tcp_limited(struct table *t, const char *key, uint64_t us, uint64_t busy)
{
	struct sks_buf *b;

	if (!us)
		return;
	b = item(t, true);
	wkv(t, b, key, us / 1000);
	ws(t, b, "ms");
	wfmt(t, b, "(%.1f%%)", 100.0 * (double)us / (double)busy);
}

/*
 * ss -i, field for field in ss's order.  Unlike ss, the ts/sack/ecn options
 * are shown without -o or -e: they are tcp_info, not timers or extras.
 */
static void put_tcpinfo(struct table *t, const struct sks_record *rec)
{
	const struct sks_tcpinfo *i = rec->tcp;
	struct sks_buf *b;

	if (i->options & OPT_TIMESTAMPS)
		tcp_word(t, "ts");
	if (i->options & OPT_SACK)
		tcp_word(t, "sack");
	if (i->options & OPT_ECN)
		tcp_word(t, "ecn");
	if (i->options & OPT_ECN_SEEN)
		tcp_word(t, "ecnseen");
	if (i->options & OPT_SYN_DATA)
		tcp_word(t, "fastopen");
	if (i->cong[0])
		wesc(t, item(t, true), i->cong, strnlen(i->cong, sizeof(i->cong)), " ");
	if (i->options & OPT_WSCALE) {
		b = item(t, true);
		wkv(t, b, "wscale:", i->snd_wscale);
		wkv(t, b, ",", i->rcv_wscale);
	}
	if (i->rto && i->rto != 3000000)
		tcp_g(t, "rto:%g", i->rto / 1000.0);
	tcp_u(t, "backoff:", i->backoff);
	if (i->rtt) {
		b = item(t, true);
		wfmt(t, b, "rtt:%g", i->rtt / 1000.0);
		wfmt(t, b, "/%g", i->rttvar / 1000.0);
	}
	tcp_g(t, "ato:%g", i->ato / 1000.0);
	tcp_u(t, "mss:", i->snd_mss);
	tcp_u(t, "pmtu:", i->pmtu);
	tcp_u(t, "rcvmss:", i->rcv_mss);
	tcp_u(t, "advmss:", i->advmss);
	tcp_u(t, "cwnd:", i->snd_cwnd);
	if (i->snd_ssthresh < 0xffff)
		tcp_u(t, "ssthresh:", i->snd_ssthresh);
	tcp_u(t, "bytes_sent:", i->bytes_sent);
	tcp_u(t, "bytes_retrans:", i->bytes_retrans);
	tcp_u(t, "bytes_acked:", i->bytes_acked);
	tcp_u(t, "bytes_received:", i->bytes_received);
	tcp_u(t, "segs_out:", i->segs_out);
	tcp_u(t, "segs_in:", i->segs_in);
	tcp_u(t, "data_segs_out:", i->data_segs_out);
	tcp_u(t, "data_segs_in:", i->data_segs_in);
	if (i->rtt && i->snd_mss && i->snd_cwnd)
		tcp_bw(t, "send ", (double)i->snd_cwnd * i->snd_mss * 8000000.0 / i->rtt);
	tcp_u(t, "lastsnd:", i->last_data_sent_ms);
	tcp_u(t, "lastrcv:", i->last_data_recv_ms);
	tcp_u(t, "lastack:", i->last_ack_recv_ms);
	if (i->pacing_rate && i->pacing_rate != UINT64_MAX) {
		tcp_bw(t, "pacing_rate ", (double)i->pacing_rate * 8.0);
		if (i->max_pacing_rate && i->max_pacing_rate != UINT64_MAX) {
			b = &t->details;
			if (t->flags & SKS_VIEW_ONELINE)
				b = &t->line;
			wc(t, b, '/');
			if (!t->err)
				t->err = sks_put_bw(b, (double)i->max_pacing_rate * 8.0,
						    t->flags & SKS_VIEW_NUMERIC);
			ws(t, b, "bps");
		}
	}
	if (i->delivery_rate)
		tcp_bw(t, "delivery_rate ", (double)i->delivery_rate * 8.0);
	tcp_u(t, "delivered:", i->delivered);
	tcp_u(t, "delivered_ce:", i->delivered_ce);
	if (i->delivery_rate_app_limited)
		tcp_word(t, "app_limited");
	if (i->busy_time) {
		b = item(t, true);
		wkv(t, b, "busy:", i->busy_time / 1000);
		ws(t, b, "ms");
		tcp_limited(t, "rwnd_limited:", i->rwnd_limited, i->busy_time);
		tcp_limited(t, "sndbuf_limited:", i->sndbuf_limited, i->busy_time);
	}
	tcp_u(t, "unacked:", i->unacked);
	if (i->retrans || i->total_retrans) {
		b = item(t, true);
		wkv(t, b, "retrans:", i->retrans);
		wkv(t, b, "/", i->total_retrans);
	}
	tcp_u(t, "lost:", i->lost);
	if (rec->state != SKS_STATE_LISTEN)
		tcp_u(t, "sacked:", i->sacked);
	tcp_u(t, "dsack_dups:", i->dsack_dups);
	tcp_u(t, "fackets:", i->fackets);
	if (i->reordering != 3)
		wkv(t, item(t, true), "reordering:", i->reordering);
	tcp_u(t, "reord_seen:", i->reord_seen);
	tcp_g(t, "rcv_rtt:%g", i->rcv_rtt / 1000.0);
	tcp_u(t, "rcv_space:", i->rcv_space);
	tcp_u(t, "rcv_ssthresh:", i->rcv_ssthresh);
	tcp_u(t, "notsent:", i->notsent_bytes);
	if (i->min_rtt != UINT32_MAX)
		tcp_g(t, "minrtt:%g", i->min_rtt / 1000.0);
	tcp_u(t, "rcv_ooopack:", i->rcv_ooopack);
	tcp_u(t, "snd_wnd:", i->snd_wnd);
}

static bool is_inet(const struct sks_record *rec)
{
	return rec->proto == SKS_PROTO_TCP || rec->proto == SKS_PROTO_UDP ||
	       rec->proto == SKS_PROTO_RAW;
}

/* Format one record into t->line (fields) and t->details. */
static void format_record(struct table *t, const struct sks_record *rec)
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
	if ((t->flags & SKS_VIEW_TIMERS) && is_inet(rec))
		put_timer(t, rec);
	if (t->flags & SKS_VIEW_EXTENDED)
		put_extended(t, rec);
	if ((t->flags & SKS_VIEW_MEMINFO) && rec->mem)
		put_meminfo(t, rec->mem);
	if ((t->flags & SKS_VIEW_TCPINFO) && rec->tcp)
		put_tcpinfo(t, rec);
	t->off[NCOL] = t->line.len;
}

/* The header as a "record": same fields, same layout. */
static void format_header(struct table *t)
{
	enum col c;

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
static unsigned field_width(const struct table *t, enum col c, bool header)
{
	size_t n = t->off[c + 1] - t->off[c];
	unsigned wdt = text_width(t->line.data + t->off[c], n);

	return c == COL_PROC && n && !header ? wdt + 1 : wdt;
}

static void measure(struct table *t, bool header)
{
	enum col c;

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
static void layout(struct table *t)
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

static void pad(struct table *t, int n)
{
	static const char spaces[] = "                                                                ";

	while (n > 0) {
		int k = n < (int)sizeof(spaces) - 1 ? n : (int)sizeof(spaces) - 1;

		w(t, &t->out, spaces, (size_t)k);
		n -= k;
	}
}

/* Render the fields in t->line (and t->details) as one output line. */
static void emit(struct table *t, FILE *out, bool header)
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

int sks_view_table_lookup(const struct sks_snapshot *snap, const struct sks_view_opts *opts,
			  FILE *out, struct sks_lookup *lk)
{
	size_t n = sks_snapshot_count(snap), i;
	bool header;
	struct table t;
	int r;

	memset(&t, 0, sizeof(t));
	t.flags = opts ? opts->flags : 0;
	t.screen = (t.flags & SKS_VIEW_PAD) && opts ? opts->width : 0;
	t.lk = *lk;
	header = !(t.flags & SKS_VIEW_NO_HEADER);
	for (i = 0; i < NCOL; i++)
		t.enabled[i] = true;
	t.enabled[COL_NETID] = t.flags & SKS_VIEW_NETID;
	t.enabled[COL_STATE] = t.flags & SKS_VIEW_STATE;

	if (t.flags & SKS_VIEW_PAD) {
		if (header) {
			format_header(&t);
			measure(&t, true);
		}
		for (i = 0; i < n && !t.err; i++) {
			format_record(&t, sks_snapshot_record(snap, i));
			measure(&t, false);
		}
		layout(&t);
	}
	if (header) {
		format_header(&t);
		emit(&t, out, true);
	}
	for (i = 0; i < n && !t.err; i++) {
		format_record(&t, sks_snapshot_record(snap, i));
		emit(&t, out, false);
	}

	r = t.err;
	if (!r && ferror(out))
		r = -EIO;
	*lk = t.lk; /* the caches grew */
	sks_buf_release(&t.line);
	sks_buf_release(&t.details);
	sks_buf_release(&t.out);
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
