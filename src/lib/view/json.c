// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The JSON view: one document {"version":1,"records":[...],"stats":{...}}
 * with one record per line, for scripts (schema in doc/json.md).  Numbers
 * are JSON numbers, the 64-bit socket cookie is a hex string (as ss's sk:),
 * and every string from the system goes through sks_escape_json(); when it
 * had to replace invalid UTF-8, the raw bytes follow as "<field>_hex".
 */
#include "jw.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

static void endpoint(struct sks_jw *j, const char *k, const struct sks_endpoint *ep, uint32_t ifindex)
{
	char text[SKS_IP_TEXT_MAX + 2];
	const char *host;
	size_t n;

	jw_obj(j, k);
	jw_key(j, "address");
	text[0] = '"';
	n = 1 + sks_fmt_ip(text + 1, ep);
	text[n++] = '"';
	jw_raw(j, text, n);
	jw_u64(j, "port", ep->port);
	if (ep->scope_id)
		jw_u64(j, "scope_id", ep->scope_id);
	if (ifindex) {
		const char *dev = sks_lookup_ifname(&j->lk, ifindex);

		jw_u64(j, "ifindex", ifindex);
		jw_sysstr(j, "interface", dev, strlen(dev));
	}
	host = (j->flags & SKS_VIEW_RESOLVE) ? sks_lookup_host(&j->lk, ep) : NULL;
	if (host)
		jw_sysstr(j, "host", host, strlen(host));
	jw_close_(j, '}');
}

static void inet(struct sks_jw *j, const struct sks_record *rec)
{
	const struct sks_inet *in = &rec->inet;

	endpoint(j, "local", &in->local, rec->ifindex);
	endpoint(j, "peer", &in->peer, 0);
	if (rec->proto == SKS_PROTO_RAW)
		jw_u64(j, "protocol", in->protocol);
	if (rec->family == AF_INET6 && in->v6only >= 0)
		jw_boolean(j, "v6only", in->v6only > 0);
	if (in->timer) {
		jw_obj(j, "timer");
		jw_lit(j, "name", sks_view_timer_name(in->timer));
		jw_u64(j, "expires_ms", in->expires_ms);
		jw_u64(j, "retrans", in->retrans);
		jw_close_(j, '}');
	}
}

static void unx(struct sks_jw *j, const struct sks_record *rec)
{
	jw_obj(j, "unix");
	jw_sysstr(j, "path", rec->unx.path, rec->unx.path_len);
	jw_boolean(j, "abstract", rec->unx.abstract);
	jw_u64(j, "peer_inode", rec->unx.peer_inode);
	jw_close_(j, '}');
}

static void packet(struct sks_jw *j, const struct sks_record *rec)
{
	const struct sks_packet *p = &rec->packet;
	const char *name = sks_view_ethertype_name(p->protocol);

	jw_obj(j, "packet");
	jw_u64(j, "protocol", p->protocol);
	if (name)
		jw_lit(j, "protocol_name", name);
	else
		jw_null(j, "protocol_name");
	jw_u64(j, "ifindex", p->ifindex);
	if (p->ifindex) {
		const char *dev = sks_lookup_ifname(&j->lk, p->ifindex);

		jw_sysstr(j, "interface", dev, strlen(dev));
	} else {
		jw_null(j, "interface");
	}
	jw_close_(j, '}');
}

static void netlink(struct sks_jw *j, const struct sks_record *rec)
{
	const struct sks_netlink *nl = &rec->netlink;
	const char *name = sks_netlink_proto_name(nl->protocol);

	jw_obj(j, "netlink");
	jw_u64(j, "protocol", nl->protocol);
	if (name)
		jw_lit(j, "protocol_name", name);
	else
		jw_null(j, "protocol_name");
	jw_i64(j, "portid", (int32_t)nl->portid);
	jw_i64(j, "dst_portid", (int32_t)nl->dst_portid);
	jw_u64(j, "dst_group", nl->dst_group);
	jw_u64(j, "groups", nl->groups);
	jw_close_(j, '}');
}

static void meminfo(struct sks_jw *j, const struct sks_meminfo *m)
{
	jw_obj(j, "meminfo");
	jw_u64(j, "rmem_alloc", m->rmem_alloc);
	jw_u64(j, "rcvbuf", m->rcvbuf);
	jw_u64(j, "wmem_alloc", m->wmem_alloc);
	jw_u64(j, "sndbuf", m->sndbuf);
	jw_u64(j, "fwd_alloc", m->fwd_alloc);
	jw_u64(j, "wmem_queued", m->wmem_queued);
	jw_u64(j, "optmem", m->optmem);
	jw_u64(j, "backlog", m->backlog);
	jw_u64(j, "drops", m->drops);
	jw_close_(j, '}');
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

static void tcpinfo(struct sks_jw *j, const struct sks_tcpinfo *ti)
{
	static const char *const opts[] = { "ts", "sack", "wscale", "ecn", "ecnseen", "fastopen" };
	const char *base = (const char *)ti;
	size_t i;

	jw_obj(j, "tcp_info");
	jw_sysstr(j, "cong", ti->cong[0] ? ti->cong : NULL, strnlen(ti->cong, sizeof(ti->cong)));
	jw_arr(j, "options");
	for (i = 0; i < SKS_ARRAY_SIZE(opts); i++)
		if (ti->options & (1u << i))
			jw_lit(j, NULL, opts[i]);
	jw_close_(j, ']');
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
		jw_u64(j, tcpinfo_fields[i].name, v);
	}
	jw_close_(j, '}');
}

static void owners(struct sks_jw *j, const struct sks_record *rec)
{
	uint32_t i;

	jw_arr(j, "owners");
	for (i = 0; i < rec->n_owners; i++) {
		const struct sks_owner *o = &rec->owners[i];
		const struct sks_process *p = o->proc;

		jw_obj(j, NULL);
		jw_i64(j, "pid", p ? p->pid : 0);
		if (o->tid || (j->flags & SKS_VIEW_THREADS))
			jw_i64(j, "tid", o->tid ? o->tid : (p ? p->pid : 0));
		jw_i64(j, "fd", o->fd);
		if (p) {
			jw_sysstr(j, "name", p->name, p->name_len);
			jw_sysstr(j, "comm", p->comm, p->comm_len);
			jw_u64(j, "uid", p->uid);
			jw_sysstr(j, "user", p->user, p->user ? strlen(p->user) : 0);
			jw_u64(j, "start_time", p->start_time);
		}
		jw_close_(j, '}');
	}
	jw_close_(j, ']');
	if (!rec->n_owners && rec->no_owner) {
		jw_obj(j, "no_owner");
		jw_lit(j, "reason", sks_no_owner_name(rec->no_owner));
		jw_lit(j, "detail", sks_no_owner_text(rec->no_owner));
		jw_close_(j, '}');
	}
}

void sks_json_record(struct sks_jw *j, const struct sks_record *rec, const char *stamp)
{
	jw_obj(j, NULL);
	if (stamp)
		jw_sysstr(j, "time", stamp, strlen(stamp));
	jw_lit(j, "netid", sks_record_netid(rec));
	jw_lit(j, "proto", sks_view_proto_name(rec->proto));
	jw_lit(j, "family", sks_view_family_name(rec->family));
	jw_lit(j, "type", sks_view_type_name(rec->type));
	jw_lit(j, "state", sks_state_name(rec->state));
	jw_u64(j, "recv_q", rec->rqueue);
	jw_u64(j, "send_q", rec->wqueue);
	jw_u64(j, "inode", rec->inode);
	if (rec->cookie)
		jw_hexstr(j, "cookie", rec->cookie);
	else
		jw_null(j, "cookie");
	jw_u64(j, "uid", rec->uid);
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

		jw_obj(j, "shutdown");
		jw_boolean(j, "recv", mask & 1);
		jw_boolean(j, "send", mask & 2);
		jw_close_(j, '}');
	}
	if (rec->has & SKS_DETAIL_EXTENDED) {
		jw_u64(j, "mark", rec->mark);
		jw_u64(j, "cgroup_id", rec->cgroup_id);
	}
	if (rec->mem)
		meminfo(j, rec->mem);
	if (rec->tcp)
		tcpinfo(j, rec->tcp);
	if ((j->flags & SKS_VIEW_OWNERS) || rec->n_owners || rec->no_owner)
		owners(j, rec);
	jw_close_(j, '}');
}

static void tables(struct sks_jw *j, const char *k, uint32_t mask)
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

	jw_arr(j, k);
	for (i = 0; i < SKS_ARRAY_SIZE(probe); i++)
		if (mask & sks_record_table(&probe[i]))
			jw_lit(j, NULL, sks_record_netid(&probe[i]));
	jw_close_(j, ']');
}

void sks_json_stats(struct sks_jw *j, const struct sks_stats *s)
{
	jw_obj(j, "stats");
	jw_u64(j, "records", s->records);
	jw_u64(j, "received", s->received);
	jw_u64(j, "dumps", s->dumps);
	jw_u64(j, "dump_retries", s->dump_retries);
	jw_u64(j, "procs_scanned", s->procs_scanned);
	jw_u64(j, "procs_vanished", s->procs_vanished);
	jw_u64(j, "procs_denied", s->procs_denied);
	jw_u64(j, "fds_scanned", s->fds_scanned);
	jw_u64(j, "socket_fds", s->socket_fds);
	jw_u64(j, "collect_ns", s->collect_ns);
	jw_u64(j, "warnings", s->warnings);
	tables(j, "tables_netlink", s->tables_netlink);
	tables(j, "tables_proc", s->tables_proc);
	tables(j, "tables_unsupported", s->tables_unsupported);
	jw_close_(j, '}');
}

/* Write what is buffered once it is big enough to be worth a call. */
void sks_json_doc_end(struct sks_jw *j, size_t n, const struct sks_stats *stats)
{
	if (n)
		jw_raw(j, "\n", 1);
	jw_close_(j, ']');
	sks_json_stats(j, stats);
	jw_close_(j, '}');
	jw_raw(j, "\n", 1);
}

int sks_view_json(const struct sks_snapshot *snap, const struct sks_view_opts *opts, FILE *out)
{
	size_t n = sks_snapshot_count(snap), i;
	struct sks_jw j;
	int r;

	memset(&j, 0, sizeof(j));
	j.flags = opts ? opts->flags : 0;
	j.first[0] = true;
	/* JSON is numeric: no service or protocol tables to load. */
	r = sks_lookup_init(&j.lk, j.flags | SKS_VIEW_NUMERIC, NULL, NULL, NULL);
	if (r < 0)
		return r;

	jw_obj(&j, NULL);
	jw_u64(&j, "version", 1);
	if (opts && opts->stamp)
		jw_sysstr(&j, "time", opts->stamp, strlen(opts->stamp));
	jw_arr(&j, "records");
	for (i = 0; i < n && !j.err; i++) {
		/* One record per line: greppable, and still one document for jq. */
		jw_raws(&j, i ? ",\n" : "\n");
		j.first[j.depth] = true;
		sks_json_record(&j, sks_snapshot_record(snap, i), NULL);
		jw_flush(&j, out, 1u << 16);
	}
	sks_json_doc_end(&j, n, sks_snapshot_stats(snap));
	jw_flush(&j, out, 0);

	r = j.err;
	if (!r && ferror(out))
		r = -EIO;
	sks_lookup_release(&j.lk);
	sks_buf_release(&j.b);
	return r;
}
