// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockscope bind-check ADDR:PORT[/PROTO]: could a server bind there now?
 * The kernel decides (sks_bind_trial(): real binds in the namespace, with
 * and without SO_REUSEADDR and SO_REUSEPORT); the sockets in the way and
 * why come from the snapshot (sks_bind_conflict()), plus what the port
 * sysctls say.  Exit 0 when the bind would succeed, 1 when not.
 */
#include "cli_action.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum { OPT_JSON = 256, OPT_REUSEADDR, OPT_REUSEPORT, OPT_V6ONLY, OPT_DUAL_STACK };

static const struct cli_subopt bind_opts[] = {
	{ "help", 'h', no_argument, NULL, "show this help and exit" },
	{ "reuseaddr", OPT_REUSEADDR, no_argument, NULL,
	  "judge a server that sets SO_REUSEADDR (most do)" },
	{ "reuseport", OPT_REUSEPORT, no_argument, NULL,
	  "judge a server that sets SO_REUSEPORT (and SO_REUSEADDR)" },
	{ "v6only", OPT_V6ONLY, no_argument, NULL, "IPv6: the server sets IPV6_V6ONLY" },
	{ "dual-stack", OPT_DUAL_STACK, no_argument, NULL,
	  "IPv6: the server clears IPV6_V6ONLY (default: the system's setting)" },
	{ "json", OPT_JSON, no_argument, NULL, "print one JSON document" },
	{ "net", 'N', required_argument, "NETNS",
	  "check in a network namespace: a name under /var/run/netns, a path, or a pid" },
};

static const char *const trial_names[SKS_BIND_TRIALS] = { "plain", "reuseaddr", "reuseport" };
static const char *const trial_texts[SKS_BIND_TRIALS] = { "no option", "SO_REUSEADDR",
							  "SO_REUSEPORT" };

static const char *errname(int err)
{
	const char *n = err ? strerrorname_np(err) : "ok";

	return n ? n : "error";
}

/* Does this process have CAP_NET_BIND_SERVICE (bit 10 of CapEff)? */
static bool have_bind_cap(void)
{
	char line[256];
	bool cap = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (!strncmp(line, "CapEff:", 7) && sscanf(line + 7, "%llx", &v) == 1) {
			cap = v & (1ull << 10);
			break;
		}
	}
	fclose(f);
	return cap;
}

struct check {
	struct cli_target t;
	struct sks_bind_target bt;
	struct sks_bind_result res;
	int asked; /* SKS_BIND_* the verdict is about */
	bool json;
	const char *netns;
	struct sks_snapshot *snap;
	size_t *sel; /* records in the way */
	size_t n_sel;
};

static void print_owners(const struct sks_record *rec)
{
	struct sks_buf b = SKS_BUF_INIT;

	for (uint32_t i = 0; i < rec->n_owners; i++) {
		const struct sks_owner *ow = &rec->owners[i];

		sks_buf_reset(&b);
		cli_format_name(&b, ow->proc);
		printf("      pid %d %s, user ", (int)ow->proc->pid, b.data ? b.data : "?");
		sks_buf_reset(&b);
		cli_format_user(&b, ow->proc);
		printf("%s, fd %d\n", b.data ? b.data : "?", (int)ow->fd);
	}
	if (!rec->n_owners)
		printf("      no visible owner: %s\n", sks_no_owner_text(rec->no_owner));
	sks_buf_release(&b);
}

static void print_text(const struct check *c)
{
	const struct sks_bind_result *res = &c->res;
	int err = res->err[c->asked];
	uint16_t port = c->bt.addr.port;
	const char *who = c->asked == SKS_BIND_PLAIN	 ? "a server"
			  : c->asked == SKS_BIND_REUSEADDR ? "a server setting SO_REUSEADDR"
							   : "a server setting SO_REUSEPORT";

	if (!err)
		printf("%s: yes, %s can bind there now\n", c->t.text, who);
	else
		printf("%s: no, %s cannot bind there now (%s: %s)\n", c->t.text, who, errname(err),
		       strerror(err));
	printf("trial binds:");
	for (int i = 0; i < SKS_BIND_TRIALS; i++)
		printf("%s %s %s", i ? ";" : "", trial_texts[i], res->err[i] ? errname(res->err[i]) : "ok");
	putchar('\n');
	if (c->n_sel)
		printf("%s:\n", err ? "in the way" : "sharing the port");
	for (size_t i = 0; i < c->n_sel; i++) {
		const struct sks_record *rec = sks_snapshot_record(c->snap, c->sel[i]);
		struct sks_buf b = SKS_BUF_INIT;

		cli_format_local(&b, rec);
		printf("  %s %s %s", sks_record_netid(rec), sks_state_name(rec->state), b.data);
		if (rec->inet.peer.port) {
			sks_buf_reset(&b);
			cli_format_peer(&b, rec);
			printf(" <-> %s", b.data);
		}
		if (rec->family == AF_INET6 && rec->inet.v6only >= 0)
			printf(" (v6only %d)", rec->inet.v6only);
		printf(": %s\n", sks_bind_conflict_text(sks_bind_conflict(rec, &c->bt)));
		sks_buf_release(&b);
		print_owners(rec);
	}
	if (err == EADDRINUSE && !c->n_sel)
		printf("the kernel says the address is in use, but no visible socket covers it "
		       "(a socket bound without listening is listed only by newer kernels)\n");
	if (err == EADDRNOTAVAIL)
		printf("the address is not one of this network namespace's "
		       "(net.ipv4.ip_nonlocal_bind or IP_FREEBIND would allow it)\n");
	if (res->err[SKS_BIND_PLAIN] == EADDRINUSE) {
		if (!res->err[SKS_BIND_REUSEADDR])
			printf("with SO_REUSEADDR (most servers set it) a server could bind: only "
			       "sockets that allow sharing are in the way\n");
		else if (!res->err[SKS_BIND_REUSEPORT])
			printf("with SO_REUSEPORT a server could join the sockets in the way (they "
			       "set it and belong to the same user); the kernel then spreads "
			       "traffic over all of them\n");
	}
	if (res->unprivileged_port_start && port < res->unprivileged_port_start) {
		if (err == EACCES)
			printf("port %u is below net.ipv4.ip_unprivileged_port_start (%u): binding "
			       "it needs CAP_NET_BIND_SERVICE\n",
			       port, res->unprivileged_port_start);
		else if (have_bind_cap())
			printf("note: port %u is below net.ipv4.ip_unprivileged_port_start (%u): a "
			       "server without CAP_NET_BIND_SERVICE gets EACCES\n",
			       port, res->unprivileged_port_start);
	}
	if (res->ephemeral_high && port >= res->ephemeral_low && port <= res->ephemeral_high)
		printf("note: port %u is in the ephemeral range %u-%u (net.ipv4.ip_local_port_range): "
		       "outgoing connections may take it%s\n",
		       port, res->ephemeral_low, res->ephemeral_high,
		       res->reserved ? "" :
				       "; list it in net.ipv4.ip_local_reserved_ports to keep it free");
	if (res->reserved)
		printf("note: port %u is in net.ipv4.ip_local_reserved_ports: never handed out to "
		       "outgoing connections\n",
		       port);
}

static void print_json(const struct check *c)
{
	const struct sks_bind_result *res = &c->res;
	char addr[64];
	struct sks_buf b = SKS_BUF_INIT;
	struct sks_record fake = { 0 };

	fake.proto = SKS_PROTO_TCP;
	fake.inet.local = c->bt.addr;
	cli_format_local(&b, &fake);
	snprintf(addr, sizeof(addr), "%s", b.data ? b.data : "");
	sks_buf_release(&b);
	fputs("{\"target\":", stdout);
	cli_json_string(stdout, c->t.text, strlen(c->t.text));
	printf(",\"proto\":\"%s\",\"address\":", c->bt.type == SOCK_STREAM ? "tcp" : "udp");
	cli_json_string(stdout, addr, strlen(addr));
	printf(",\"port\":%u", c->bt.addr.port);
	if (c->bt.addr.family == AF_INET6)
		printf(",\"v6only\":%s", res->v6only > 0 ? "true" : "false");
	printf(",\"asked\":\"%s\",\"bindable\":%s,\"trials\":{", trial_names[c->asked],
	       res->err[c->asked] ? "false" : "true");
	for (int i = 0; i < SKS_BIND_TRIALS; i++)
		printf("%s\"%s\":{\"ok\":%s,\"errno\":\"%s\"}", i ? "," : "", trial_names[i],
		       res->err[i] ? "false" : "true", errname(res->err[i]));
	fputs("},\"in_the_way\":[", stdout);
	for (size_t i = 0; i < c->n_sel; i++) {
		const struct sks_record *rec = sks_snapshot_record(c->snap, c->sel[i]);
		unsigned why = sks_bind_conflict(rec, &c->bt);
		static const char *const whys[] = { "", "same-address", "wildcard", "covered",
						    "dual-stack", "dual-stack-target", "time-wait" };

		b = (struct sks_buf)SKS_BUF_INIT;
		cli_format_local(&b, rec);
		printf("%s{\"netid\":\"%s\",\"state\":\"%s\",\"local\":", i ? "," : "",
		       sks_record_netid(rec), sks_state_name(rec->state));
		cli_json_string(stdout, b.data, b.len);
		sks_buf_reset(&b);
		cli_format_peer(&b, rec);
		fputs(",\"peer\":", stdout);
		cli_json_string(stdout, b.data, b.len);
		sks_buf_release(&b);
		printf(",\"reason\":\"%s\",\"explanation\":",
		       why < sizeof(whys) / sizeof(whys[0]) ? whys[why] : "");
		cli_json_string(stdout, sks_bind_conflict_text(why), strlen(sks_bind_conflict_text(why)));
		fputs(",\"owners\":[", stdout);
		for (uint32_t j = 0; j < rec->n_owners; j++) {
			const struct sks_owner *ow = &rec->owners[j];

			printf("%s{\"pid\":%d,\"fd\":%d,\"name\":", j ? "," : "", (int)ow->proc->pid,
			       (int)ow->fd);
			cli_json_string(stdout, ow->proc->name ? ow->proc->name : "",
					ow->proc->name_len);
			printf(",\"uid\":%u}", ow->proc->uid);
		}
		fputs("]}", stdout);
	}
	printf("],\"unprivileged_port_start\":%u,\"ephemeral_range\":[%u,%u],\"reserved\":%s}\n",
	       res->unprivileged_port_start, res->ephemeral_low, res->ephemeral_high,
	       res->reserved ? "true" : "false");
}

static const char *bind_usage = "sockscope bind-check [OPTIONS] ADDR:PORT[/PROTO]";

int cmd_bind_check(int argc, char **argv)
{
	struct check c = { .bt = { .v6only = -1 } };
	struct cli_subopt_parser p;
	struct sks_ctx *ctx = NULL;
	struct cli_opts o = { 0 };
	int ch, used, r, ret = EXIT_ERROR;

	cli_subopt_init(&p, bind_opts, sizeof(bind_opts) / sizeof(bind_opts[0]));
	while ((ch = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			cli_subopt_usage(stdout, bind_usage,
					 "Say whether a server could bind ADDR:PORT now, as the kernel "
					 "decides, and which sockets are in the way.",
					 bind_opts, sizeof(bind_opts) / sizeof(bind_opts[0]));
			return 0;
		case OPT_REUSEADDR:
			c.asked = SKS_BIND_REUSEADDR;
			break;
		case OPT_REUSEPORT:
			c.asked = SKS_BIND_REUSEPORT;
			break;
		case OPT_V6ONLY:
			c.bt.v6only = 1;
			break;
		case OPT_DUAL_STACK:
			c.bt.v6only = 0;
			break;
		case OPT_JSON:
			c.json = true;
			break;
		case 'N':
			c.netns = optarg;
			break;
		default:
			return cli_subopt_error("bind-check", ch, argv);
		}
	}
	if (cli_target_parse(argc - optind, argv + optind, true, &c.t, &used) < 0)
		return EXIT_ERROR;
	if (optind + used != argc) {
		cli_error("bind-check: unexpected %s", cli_quote(argv[optind + used]));
		return EXIT_ERROR;
	}
	if (c.t.is_unix) {
		cli_error("bind-check: UNIX paths are not supported, only ADDR:PORT[/PROTO]");
		return EXIT_ERROR;
	}
	/* TCP unless /udp; no address is 0.0.0.0 */
	c.bt.type = c.t.tables == SKS_TABLE_UDP ? SOCK_DGRAM : SOCK_STREAM;
	c.bt.addr = c.t.addr;
	if (!c.t.has_addr)
		c.bt.addr.family = AF_INET;
	{
		/* The text names exactly what is tried: "0.0.0.0:80/tcp", "[::1]:53/udp". */
		char txt[INET6_ADDRSTRLEN];

		if (!inet_ntop(c.bt.addr.family, c.bt.addr.addr, txt, sizeof(txt)))
			snprintf(txt, sizeof(txt), "?");
		snprintf(c.t.text, sizeof(c.t.text),
			 c.bt.addr.family == AF_INET6 ? "[%s]:%u/%s" : "%s:%u/%s", txt,
			 c.bt.addr.port, c.bt.type == SOCK_STREAM ? "tcp" : "udp");
	}

	o.dbs = c.bt.type == SOCK_STREAM ? SKS_TABLE_TCP : SKS_TABLE_UDP;
	/* bound-inactive: sockets bound but neither listening nor connected (Linux 6.8+) */
	o.states = SKS_STATES_ALL | (c.bt.type == SOCK_STREAM ? 1u << SKS_STATE_BOUND_INACTIVE : 0);
	o.owners = SKS_OWNERS_PROCESS;
	o.netns = c.netns;
	if (cli_ctx_new(&o, &ctx) < 0)
		return EXIT_ERROR;
	r = sks_bind_trial(ctx, &c.bt, &c.res);
	if (r < 0) {
		cli_error("bind-check: cannot try a bind: %s", strerror(-r));
		goto out;
	}
	if (c.bt.addr.family == AF_INET6)
		c.bt.v6only = c.res.v6only;
	r = sks_snapshot_collect(ctx, &c.snap);
	if (r < 0) {
		cli_error("bind-check: cannot collect sockets: %s", strerror(-r));
		goto out;
	}
	sks_snapshot_sort(c.snap);
	c.sel = calloc(sks_snapshot_count(c.snap) + 1, sizeof(*c.sel));
	if (!c.sel) {
		cli_error("bind-check: %s", strerror(ENOMEM));
		goto out;
	}
	for (size_t i = 0; i < sks_snapshot_count(c.snap); i++)
		if (sks_bind_conflict(sks_snapshot_record(c.snap, i), &c.bt) != SKS_BIND_CLEAR)
			c.sel[c.n_sel++] = i;
	if (c.json)
		print_json(&c);
	else
		print_text(&c);
	ret = c.res.err[c.asked] ? EXIT_NOMATCH : 0;
	if (fflush(stdout) != 0) {
		cli_error("bind-check: cannot write output: %s", strerror(errno));
		ret = EXIT_ERROR;
	}
out:
	free(c.sel);
	sks_snapshot_free(c.snap);
	sks_ctx_free(ctx);
	return ret;
}
