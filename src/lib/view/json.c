// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The JSON view: one document {"version":1,"records":[...],"stats":{...}}
 * with one record per line, for scripts (schema in doc/json.md).  Numbers
 * are JSON numbers, the 64-bit socket cookie is a hex string (as ss's sk:),
 * and every string from the system goes through sks_escape_json(); when it
 * had to replace invalid UTF-8, the raw bytes follow as "<field>_hex".
 */
#include "view.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#define DEPTH_MAX 8

struct jw {
	uint32_t flags;
	struct sks_lookup lk;
	struct sks_buf b;
	int depth;
	bool first[DEPTH_MAX]; /* nothing written yet in the object/array at this depth */
	int err;
};

static void raw(struct jw *j, const char *s, size_t n)
{
	if (!j->err)
		j->err = sks_buf_add(&j->b, s, n);
}

static void raws(struct jw *j, const char *s)
{
	raw(j, s, strlen(s));
}

/* Comma before every member but the first. */
static void sep(struct jw *j)
{
	if (!j->first[j->depth])
		raw(j, ",", 1);
	j->first[j->depth] = false;
}

#define KEY_MAX 48 /* our keys are short literals; "<key>_hex" included */

/*
 * `,"k":` into p (KEY_MAX + 4 bytes): each member is then one append, which
 * matters at a few dozen members per record.
 */
static size_t put_key(struct jw *j, char *p, const char *k)
{
	size_t n = 0, kl = strnlen(k, KEY_MAX);

	if (!j->first[j->depth])
		p[n++] = ',';
	j->first[j->depth] = false;
	p[n++] = '"';
	memcpy(p + n, k, kl);
	n += kl;
	p[n++] = '"';
	p[n++] = ':';
	return n;
}

static void key(struct jw *j, const char *k)
{
	char tmp[KEY_MAX + 4];

	raw(j, tmp, put_key(j, tmp, k));
}

static void open_(struct jw *j, const char *k, char bracket)
{
	if (k)
		key(j, k);
	else
		sep(j);
	raw(j, &bracket, 1);
	if (j->depth + 1 < DEPTH_MAX)
		j->depth++;
	j->first[j->depth] = true;
}

static void obj(struct jw *j, const char *k)
{
	open_(j, k, '{');
}

static void arr(struct jw *j, const char *k)
{
	open_(j, k, '[');
}

static void close_(struct jw *j, char bracket)
{
	raw(j, &bracket, 1);
	if (j->depth)
		j->depth--;
}

static void u64(struct jw *j, const char *k, uint64_t v)
{
	char tmp[KEY_MAX + 4 + 20];
	size_t n = put_key(j, tmp, k);

	raw(j, tmp, n + sks_fmt_u64(tmp + n, v));
}

static void i64(struct jw *j, const char *k, int64_t v)
{
	char tmp[KEY_MAX + 4 + 21];
	size_t n = put_key(j, tmp, k);

	if (v < 0) {
		tmp[n++] = '-';
		n += sks_fmt_u64(tmp + n, (uint64_t)0 - (uint64_t)v);
	} else {
		n += sks_fmt_u64(tmp + n, (uint64_t)v);
	}
	raw(j, tmp, n);
}

/* A member whose value is a short literal: true, false, null. */
static void word(struct jw *j, const char *k, const char *v)
{
	char tmp[KEY_MAX + 4 + 8];
	size_t n = put_key(j, tmp, k), vl = strlen(v);

	memcpy(tmp + n, v, vl);
	raw(j, tmp, n + vl);
}

static void boolean(struct jw *j, const char *k, bool v)
{
	word(j, k, v ? "true" : "false");
}

static void null(struct jw *j, const char *k)
{
	word(j, k, "null");
}

/* A string we made (ASCII names): no escaping needed. */
static void lit(struct jw *j, const char *k, const char *s)
{
	char tmp[KEY_MAX + 4 + 1];
	size_t n = 0;

	if (k) {
		n = put_key(j, tmp, k);
	} else {
		if (!j->first[j->depth])
			tmp[n++] = ',';
		j->first[j->depth] = false;
	}
	tmp[n++] = '"';
	raw(j, tmp, n);
	raws(j, s);
	raw(j, "\"", 1);
}

static void hexstr(struct jw *j, const char *k, uint64_t v)
{
	char tmp[KEY_MAX + 4 + 18];
	size_t n = put_key(j, tmp, k);

	tmp[n++] = '"';
	n += sks_fmt_hex(tmp + n, v);
	tmp[n++] = '"';
	raw(j, tmp, n);
}

/*
 * A string from the system.  Invalid UTF-8 comes out with U+FFFD, and the
 * exact bytes follow as "<k>_hex" so nothing is lost.
 */
static void sysstr(struct jw *j, const char *k, const char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char hk[KEY_MAX];
	size_t i;
	int r;

	if (!s) {
		null(j, k);
		return;
	}
	key(j, k);
	raw(j, "\"", 1);
	if (j->err)
		return;
	r = sks_escape_json(&j->b, s, n);
	if (r < 0) {
		j->err = r;
		return;
	}
	raw(j, "\"", 1);
	if (r == 0)
		return;
	snprintf(hk, sizeof(hk), "%s_hex", k);
	key(j, hk);
	raw(j, "\"", 1);
	for (i = 0; i < n && !j->err; i++) {
		char h[2] = { digits[(uint8_t)s[i] >> 4], digits[s[i] & 15] };

		raw(j, h, 2);
	}
	raw(j, "\"", 1);
}

static void endpoint(struct jw *j, const char *k, const struct sks_endpoint *ep, uint32_t ifindex)
{
	char text[SKS_IP_TEXT_MAX + 2];
	const char *host;
	size_t n;

	obj(j, k);
	key(j, "address");
	text[0] = '"';
	n = 1 + sks_fmt_ip(text + 1, ep);
	text[n++] = '"';
	raw(j, text, n);
	u64(j, "port", ep->port);
	if (ep->scope_id)
		u64(j, "scope_id", ep->scope_id);
	if (ifindex) {
		const char *dev = sks_lookup_ifname(&j->lk, ifindex);

		u64(j, "ifindex", ifindex);
		sysstr(j, "interface", dev, strlen(dev));
	}
	host = (j->flags & SKS_VIEW_RESOLVE) ? sks_lookup_host(&j->lk, ep) : NULL;
	if (host)
		sysstr(j, "host", host, strlen(host));
	close_(j, '}');
}

static void inet(struct jw *j, const struct sks_record *rec)
{
	const struct sks_inet *in = &rec->inet;

	endpoint(j, "local", &in->local, rec->ifindex);
	endpoint(j, "peer", &in->peer, 0);
	if (rec->proto == SKS_PROTO_RAW)
		u64(j, "protocol", in->protocol);
	if (rec->family == AF_INET6 && in->v6only >= 0)
		boolean(j, "v6only", in->v6only > 0);
	if (in->timer) {
		obj(j, "timer");
		lit(j, "name", sks_view_timer_name(in->timer));
		u64(j, "expires_ms", in->expires_ms);
		u64(j, "retrans", in->retrans);
		close_(j, '}');
	}
}

static void unx(struct jw *j, const struct sks_record *rec)
{
	obj(j, "unix");
	sysstr(j, "path", rec->unx.path, rec->unx.path_len);
	boolean(j, "abstract", rec->unx.abstract);
	u64(j, "peer_inode", rec->unx.peer_inode);
	close_(j, '}');
}

static void packet(struct jw *j, const struct sks_record *rec)
{
	const struct sks_packet *p = &rec->packet;
	const char *name = sks_view_ethertype_name(p->protocol);

	obj(j, "packet");
	u64(j, "protocol", p->protocol);
	if (name)
		lit(j, "protocol_name", name);
	else
		null(j, "protocol_name");
	u64(j, "ifindex", p->ifindex);
	if (p->ifindex) {
		const char *dev = sks_lookup_ifname(&j->lk, p->ifindex);

		sysstr(j, "interface", dev, strlen(dev));
	} else {
		null(j, "interface");
	}
	close_(j, '}');
}

static void netlink(struct jw *j, const struct sks_record *rec)
{
	const struct sks_netlink *nl = &rec->netlink;
	const char *name = sks_netlink_proto_name(nl->protocol);

	obj(j, "netlink");
	u64(j, "protocol", nl->protocol);
	if (name)
		lit(j, "protocol_name", name);
	else
		null(j, "protocol_name");
	i64(j, "portid", (int32_t)nl->portid);
	i64(j, "dst_portid", (int32_t)nl->dst_portid);
	u64(j, "dst_group", nl->dst_group);
	u64(j, "groups", nl->groups);
	close_(j, '}');
}

static void meminfo(struct jw *j, const struct sks_meminfo *m)
{
	obj(j, "meminfo");
	u64(j, "rmem_alloc", m->rmem_alloc);
	u64(j, "rcvbuf", m->rcvbuf);
	u64(j, "wmem_alloc", m->wmem_alloc);
	u64(j, "sndbuf", m->sndbuf);
	u64(j, "fwd_alloc", m->fwd_alloc);
	u64(j, "wmem_queued", m->wmem_queued);
	u64(j, "optmem", m->optmem);
	u64(j, "backlog", m->backlog);
	u64(j, "drops", m->drops);
	close_(j, '}');
}

/* struct sks_tcpinfo's numeric members, in declaration order, named as in the struct. */
#define TI(f) { #f, offsetof(struct sks_tcpinfo, f), sizeof(((struct sks_tcpinfo *)0)->f) }
static const struct {
	const char *name;
	size_t off;
	size_t size;
} tcpinfo_fields[] = {
	TI(ca_state), TI(retransmits), TI(probes), TI(backoff), TI(snd_wscale), TI(rcv_wscale),
	TI(delivery_rate_app_limited), TI(rto), TI(ato), TI(snd_mss), TI(rcv_mss), TI(unacked),
	TI(sacked), TI(lost), TI(retrans), TI(fackets), TI(last_data_sent_ms),
	TI(last_ack_sent_ms), TI(last_data_recv_ms), TI(last_ack_recv_ms), TI(pmtu),
	TI(rcv_ssthresh), TI(rtt), TI(rttvar), TI(snd_ssthresh), TI(snd_cwnd), TI(advmss),
	TI(reordering), TI(rcv_rtt), TI(rcv_space), TI(total_retrans), TI(pacing_rate),
	TI(max_pacing_rate), TI(bytes_acked), TI(bytes_received), TI(segs_out), TI(segs_in),
	TI(notsent_bytes), TI(min_rtt), TI(data_segs_in), TI(data_segs_out), TI(delivery_rate),
	TI(busy_time), TI(rwnd_limited), TI(sndbuf_limited), TI(delivered), TI(delivered_ce),
	TI(bytes_sent), TI(bytes_retrans), TI(dsack_dups), TI(reord_seen), TI(rcv_ooopack),
	TI(snd_wnd),
};
#undef TI

static void tcpinfo(struct jw *j, const struct sks_tcpinfo *ti)
{
	static const char *const opts[] = { "ts", "sack", "wscale", "ecn", "ecnseen", "fastopen" };
	const char *base = (const char *)ti;
	size_t i;

	obj(j, "tcp_info");
	sysstr(j, "cong", ti->cong[0] ? ti->cong : NULL, strnlen(ti->cong, sizeof(ti->cong)));
	arr(j, "options");
	for (i = 0; i < SKS_ARRAY_SIZE(opts); i++)
		if (ti->options & (1u << i))
			lit(j, NULL, opts[i]);
	close_(j, ']');
	for (i = 0; i < SKS_ARRAY_SIZE(tcpinfo_fields); i++) {
		const char *p = base + tcpinfo_fields[i].off;
		uint64_t v;

		if (tcpinfo_fields[i].size == 1) {
			v = *(const uint8_t *)p;
		} else if (tcpinfo_fields[i].size == 4) {
			uint32_t v32;

			memcpy(&v32, p, 4);
			v = v32;
		} else {
			memcpy(&v, p, 8);
		}
		u64(j, tcpinfo_fields[i].name, v);
	}
	close_(j, '}');
}

static void owners(struct jw *j, const struct sks_record *rec)
{
	uint32_t i;

	arr(j, "owners");
	for (i = 0; i < rec->n_owners; i++) {
		const struct sks_owner *o = &rec->owners[i];
		const struct sks_process *p = o->proc;

		obj(j, NULL);
		i64(j, "pid", p ? p->pid : 0);
		if (o->tid || (j->flags & SKS_VIEW_THREADS))
			i64(j, "tid", o->tid ? o->tid : (p ? p->pid : 0));
		i64(j, "fd", o->fd);
		if (p) {
			sysstr(j, "name", p->name, p->name_len);
			sysstr(j, "comm", p->comm, p->comm_len);
			u64(j, "uid", p->uid);
			sysstr(j, "user", p->user, p->user ? strlen(p->user) : 0);
			u64(j, "start_time", p->start_time);
		}
		close_(j, '}');
	}
	close_(j, ']');
	if (!rec->n_owners && rec->no_owner) {
		obj(j, "no_owner");
		lit(j, "reason", sks_no_owner_name(rec->no_owner));
		lit(j, "detail", sks_no_owner_text(rec->no_owner));
		close_(j, '}');
	}
}

static void record(struct jw *j, const struct sks_record *rec)
{
	obj(j, NULL);
	lit(j, "netid", sks_record_netid(rec));
	lit(j, "proto", sks_view_proto_name(rec->proto));
	lit(j, "family", sks_view_family_name(rec->family));
	lit(j, "type", sks_view_type_name(rec->type));
	lit(j, "state", sks_state_name(rec->state));
	u64(j, "recv_q", rec->rqueue);
	u64(j, "send_q", rec->wqueue);
	u64(j, "inode", rec->inode);
	if (rec->cookie)
		hexstr(j, "cookie", rec->cookie);
	else
		null(j, "cookie");
	u64(j, "uid", rec->uid);
	switch (rec->proto) {
	case SKS_PROTO_TCP:
	case SKS_PROTO_UDP:
	case SKS_PROTO_RAW:
		inet(j, rec);
		break;
	case SKS_PROTO_UNIX:
		unx(j, rec);
		break;
	case SKS_PROTO_PACKET:
		packet(j, rec);
		break;
	case SKS_PROTO_NETLINK:
		netlink(j, rec);
		break;
	}
	if (rec->shutdown) {
		unsigned mask = rec->shutdown - 1u;

		obj(j, "shutdown");
		boolean(j, "recv", mask & 1);
		boolean(j, "send", mask & 2);
		close_(j, '}');
	}
	if (rec->has & SKS_DETAIL_EXTENDED) {
		u64(j, "mark", rec->mark);
		u64(j, "cgroup_id", rec->cgroup_id);
	}
	if (rec->mem)
		meminfo(j, rec->mem);
	if (rec->tcp)
		tcpinfo(j, rec->tcp);
	if ((j->flags & SKS_VIEW_OWNERS) || rec->n_owners || rec->no_owner)
		owners(j, rec);
	close_(j, '}');
}

static void tables(struct jw *j, const char *k, uint32_t mask)
{
	static const struct sks_record probe[] = {
		{ .proto = SKS_PROTO_TCP },
		{ .proto = SKS_PROTO_UDP },
		{ .proto = SKS_PROTO_RAW },
		{ .proto = SKS_PROTO_UNIX, .type = SOCK_STREAM },
		{ .proto = SKS_PROTO_UNIX, .type = SOCK_DGRAM },
		{ .proto = SKS_PROTO_UNIX, .type = SOCK_SEQPACKET },
		{ .proto = SKS_PROTO_PACKET, .type = SOCK_RAW },
		{ .proto = SKS_PROTO_PACKET, .type = SOCK_DGRAM },
		{ .proto = SKS_PROTO_NETLINK },
	};
	size_t i;

	arr(j, k);
	for (i = 0; i < SKS_ARRAY_SIZE(probe); i++)
		if (mask & sks_record_table(&probe[i]))
			lit(j, NULL, sks_record_netid(&probe[i]));
	close_(j, ']');
}

static void stats(struct jw *j, const struct sks_stats *s)
{
	obj(j, "stats");
	u64(j, "records", s->records);
	u64(j, "received", s->received);
	u64(j, "dumps", s->dumps);
	u64(j, "dump_retries", s->dump_retries);
	u64(j, "procs_scanned", s->procs_scanned);
	u64(j, "procs_vanished", s->procs_vanished);
	u64(j, "procs_denied", s->procs_denied);
	u64(j, "fds_scanned", s->fds_scanned);
	u64(j, "socket_fds", s->socket_fds);
	u64(j, "collect_ns", s->collect_ns);
	tables(j, "tables_netlink", s->tables_netlink);
	tables(j, "tables_proc", s->tables_proc);
	tables(j, "tables_unsupported", s->tables_unsupported);
	close_(j, '}');
}

/* Write what is buffered once it is big enough to be worth a call. */
static void flush(struct jw *j, FILE *out, size_t threshold)
{
	if (j->err || j->b.len < threshold)
		return;
	fwrite(j->b.data, 1, j->b.len, out);
	sks_buf_reset(&j->b);
}

int sks_view_json(const struct sks_snapshot *snap, const struct sks_view_opts *opts, FILE *out)
{
	size_t n = sks_snapshot_count(snap), i;
	struct jw j;
	int r;

	memset(&j, 0, sizeof(j));
	j.flags = opts ? opts->flags : 0;
	j.first[0] = true;
	/* JSON is numeric: no service or protocol tables to load. */
	r = sks_lookup_init(&j.lk, j.flags | SKS_VIEW_NUMERIC, NULL, NULL, NULL);
	if (r < 0)
		return r;

	obj(&j, NULL);
	u64(&j, "version", 1);
	arr(&j, "records");
	for (i = 0; i < n && !j.err; i++) {
		/* One record per line: greppable, and still one document for jq. */
		raws(&j, i ? ",\n" : "\n");
		j.first[j.depth] = true;
		record(&j, sks_snapshot_record(snap, i));
		flush(&j, out, 1u << 16);
	}
	if (n)
		raw(&j, "\n", 1);
	close_(&j, ']');
	stats(&j, sks_snapshot_stats(snap));
	close_(&j, '}');
	raw(&j, "\n", 1);
	flush(&j, out, 0);

	r = j.err;
	if (!r && ferror(out))
		r = -EIO;
	sks_lookup_release(&j.lk);
	sks_buf_release(&j.b);
	return r;
}
