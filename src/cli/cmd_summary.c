// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -s: socket counts.  The kernel's own counters (/proc/net/sockstat) beside
 * counts of what was collected, every table included (ss -s covers only
 * TCP/UDP/RAW and its "closed" figure is a subtraction nobody can read).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

struct counts {
	uint64_t v4, v6;
};

static void row(const char *name, int64_t total, int64_t v4, int64_t v6)
{
	printf("%-9s %-9lld %-9lld %lld\n", name, (long long)total, (long long)v4, (long long)v6);
}

int cmd_summary(struct cli_opts *o)
{
	uint64_t tcp_states[SKS_STATE_MAX + 1] = { 0 };
	struct counts inet[3] = { { 0, 0 } }; /* tcp, udp, raw */
	uint64_t unx[3] = { 0 }, packet[2] = { 0 }, netlink = 0;
	struct sks_snapshot *snap = NULL;
	struct sks_sockstat st;
	struct sks_ctx *ctx = NULL;
	int r, ret = EXIT_ERROR;

	o->states = SKS_STATES_ALL;
	o->owners = SKS_OWNERS_NONE;
	if (cli_ctx_new(o, &ctx) < 0)
		return EXIT_ERROR;
	r = sks_snapshot_collect(ctx, &snap);
	if (r < 0) {
		cli_error("cannot collect sockets: %s", strerror(-r));
		goto out;
	}
	r = sks_sockstat_read(ctx, &st);
	if (r < 0) {
		cli_error("cannot read socket counters: %s", strerror(-r));
		goto out;
	}
	for (size_t i = 0; i < sks_snapshot_count(snap); i++) {
		const struct sks_record *rec = sks_snapshot_record(snap, i);

		switch (rec->proto) {
		case SKS_PROTO_TCP:
		case SKS_PROTO_UDP:
		case SKS_PROTO_RAW:
			if (rec->family == AF_INET6)
				inet[rec->proto].v6++;
			else
				inet[rec->proto].v4++;
			if (rec->proto == SKS_PROTO_TCP && rec->state <= SKS_STATE_MAX)
				tcp_states[rec->state]++;
			break;
		case SKS_PROTO_UNIX:
			unx[rec->type == SOCK_STREAM ? 0 : rec->type == SOCK_DGRAM ? 1 : 2]++;
			break;
		case SKS_PROTO_PACKET:
			packet[rec->type == SOCK_DGRAM]++;
			break;
		case SKS_PROTO_NETLINK:
			netlink++;
			break;
		}
	}

	printf("Total: %lld (kernel: sockets in use)\n", (long long)st.sockets_used);
	printf("TCP:   %llu (", (unsigned long long)(inet[0].v4 + inet[0].v6));
	{
		bool first = true;

		for (unsigned s = 1; s <= SKS_STATE_MAX; s++) {
			if (!tcp_states[s])
				continue;
			printf("%s%s %llu", first ? "" : ", ", sks_state_name(s),
			       (unsigned long long)tcp_states[s]);
			first = false;
		}
		printf("%sorphaned %lld, kernel time-wait %lld)\n", first ? "" : "; ",
		       (long long)st.tcp_orphan, (long long)st.tcp_tw);
	}
	printf("\n%-9s %-9s %-9s %s\n", "Transport", "Total", "IP", "IPv6");
	row("RAW", (int64_t)(inet[2].v4 + inet[2].v6), (int64_t)inet[2].v4, (int64_t)inet[2].v6);
	row("UDP", (int64_t)(inet[1].v4 + inet[1].v6), (int64_t)inet[1].v4, (int64_t)inet[1].v6);
	row("TCP", (int64_t)(inet[0].v4 + inet[0].v6), (int64_t)inet[0].v4, (int64_t)inet[0].v6);
	{
		uint64_t v4 = inet[0].v4 + inet[1].v4 + inet[2].v4;
		uint64_t v6 = inet[0].v6 + inet[1].v6 + inet[2].v6;

		row("INET", (int64_t)(v4 + v6), (int64_t)v4, (int64_t)v6);
	}
	row("FRAG",
	    (st.frag_inuse < 0 ? 0 : st.frag_inuse) + (st.frag6_inuse < 0 ? 0 : st.frag6_inuse),
	    st.frag_inuse, st.frag6_inuse);
	printf("\n%-9s %-9s %-9s %-9s %s\n", "Local", "Total", "stream", "dgram", "seqpacket");
	printf("%-9s %-9llu %-9llu %-9llu %llu\n", "UNIX",
	       (unsigned long long)(unx[0] + unx[1] + unx[2]), (unsigned long long)unx[0],
	       (unsigned long long)unx[1], (unsigned long long)unx[2]);
	printf("%-9s %-9llu raw %llu, dgram %llu\n", "PACKET",
	       (unsigned long long)(packet[0] + packet[1]), (unsigned long long)packet[0],
	       (unsigned long long)packet[1]);
	printf("%-9s %llu\n", "NETLINK", (unsigned long long)netlink);
	if (fflush(stdout) != 0) {
		cli_error("cannot write output");
		goto out;
	}
	ret = 0;
out:
	sks_snapshot_free(snap);
	sks_ctx_free(ctx);
	return ret;
}
