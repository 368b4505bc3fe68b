// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The table view's optional details, as ss prints them: timers (-o), the
 * extended socket fields (-e), socket memory (-m) and the tcp_info line
 * (-i).  Timers and -e go in the process column; -m and -i on a following
 * line that starts with a tab, or on the record's line with -O.
 */
#include "table.h"

#include <sys/socket.h>

/* tcp_info option bits (linux/tcp.h TCPI_OPT_*), kept here to avoid a libc/uapi clash. */
#define OPT_TIMESTAMPS 1
#define OPT_SACK 2
#define OPT_WSCALE 4
#define OPT_ECN 8
#define OPT_ECN_SEEN 16
#define OPT_SYN_DATA 32

static bool is_inet(const struct sks_record *rec)
{
	return rec->proto == SKS_PROTO_TCP || rec->proto == SKS_PROTO_UDP ||
	       rec->proto == SKS_PROTO_RAW;
}

static void put_timer(struct sks_table *t, const struct sks_record *rec)
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

static void put_shutdown(struct sks_table *t, const struct sks_record *rec)
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

static void put_extended(struct sks_table *t, const struct sks_record *rec)
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

static void put_meminfo(struct sks_table *t, const struct sks_meminfo *m)
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

static void tcp_word(struct sks_table *t, const char *s)
{
	ws(t, item(t, true), s);
}

static void tcp_u(struct sks_table *t, const char *key, uint64_t v)
{
	if (v)
		wkv(t, item(t, true), key, v);
}

static void tcp_g(struct sks_table *t, const char *fmt, double v)
{
	if (v != 0)
		wfmt(t, item(t, true), fmt, v);
}

static void tcp_bw(struct sks_table *t, const char *key, double bps)
{
	struct sks_buf *b = item(t, true);

	ws(t, b, key);
	if (!t->err)
		t->err = sks_put_bw(b, bps, t->flags & SKS_VIEW_NUMERIC);
	ws(t, b, "bps");
}

static void tcp_limited(struct sks_table *t, const char *key, uint64_t us, uint64_t busy)
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
static void put_tcpinfo(struct sks_table *t, const struct sks_record *rec)
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

void sks_table_details(struct sks_table *t, const struct sks_record *rec)
{
	if ((t->flags & SKS_VIEW_TIMERS) && is_inet(rec))
		put_timer(t, rec);
	if (t->flags & SKS_VIEW_EXTENDED)
		put_extended(t, rec);
	if ((t->flags & SKS_VIEW_MEMINFO) && rec->mem)
		put_meminfo(t, rec->mem);
	if ((t->flags & SKS_VIEW_TCPINFO) && rec->tcp)
		put_tcpinfo(t, rec);
}
