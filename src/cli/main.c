// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockscope: list sockets and the processes that hold them.
 * One option table drives getopt_long(), the short option string and
 * --help, so the three can never disagree; options mean what they mean in ss.
 */
#include "cli.h"
#include "cli_action.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_JSON = 256,
	OPT_SOURCE,
	OPT_VERBOSE,
	OPT_OWNERS,
};

struct cli_option {
	const char *lng;
	int val; /* short option character, or OPT_* */
	int has_arg;
	const char *arg;
	const char *help;
};

/* Sorted as --help shows them. */
static const struct cli_option options[] = {
	{ "help", 'h', no_argument, NULL, "show this help and exit" },
	{ "version", 'V', no_argument, NULL, "show the version and exit" },
	{ "numeric", 'n', no_argument, NULL, "do not resolve service names" },
	{ "resolve", 'r', no_argument, NULL, "resolve host names" },
	{ "all", 'a', no_argument, NULL, "show sockets in every state" },
	{ "listening", 'l', no_argument, NULL, "show listening and unconnected sockets only" },
	{ "options", 'o', no_argument, NULL, "show timers" },
	{ "extended", 'e', no_argument, NULL, "show uid, inode, cookie, v6only, shutdown, mark" },
	{ "memory", 'm', no_argument, NULL, "show socket memory" },
	{ "processes", 'p', no_argument, NULL, "show every process holding each socket" },
	{ "threads", 'T', no_argument, NULL, "show every thread holding each socket (implies -p)" },
	{ "info", 'i', no_argument, NULL, "show TCP internals" },
	{ "summary", 's', no_argument, NULL, "show socket counts by protocol and state" },
	{ "kill-sockets", 'K', no_argument, NULL,
	  "close the matching TCP and UDP sockets (SOCK_DESTROY) and show them" },
	{ "ipv4", '4', no_argument, NULL, "IPv4 sockets only (-f inet)" },
	{ "ipv6", '6', no_argument, NULL, "IPv6 sockets only (-f inet6)" },
	{ "packet", '0', no_argument, NULL, "PACKET sockets (-f link)" },
	{ "tcp", 't', no_argument, NULL, "TCP sockets" },
	{ "udp", 'u', no_argument, NULL, "UDP sockets" },
	{ "raw", 'w', no_argument, NULL, "RAW sockets" },
	{ "unix", 'x', no_argument, NULL, "UNIX sockets" },
	{ "family", 'f', required_argument, "FAMILY", "inet, inet6, unix, link, netlink" },
	{ "query", 'A', required_argument, "QUERY",
	  "all, inet, tcp, udp, raw, unix, unix_stream, unix_dgram, unix_seqpacket, packet, "
	  "packet_raw, packet_dgram, netlink; comma-separated, '!' removes" },
	{ "socket", 'A', required_argument, "QUERY", "the same as --query" },
	{ "no-header", 'H', no_argument, NULL, "do not print the header line" },
	{ "oneline", 'O', no_argument, NULL, "print each socket on one line" },
	{ "filter", 'F', required_argument, "FILE",
	  "read the filter expression from FILE ('-': standard input)" },
	{ "net", 'N', required_argument, "NETNS",
	  "use a network namespace: a name under /var/run/netns, a path, or a pid" },
	{ "json", OPT_JSON, no_argument, NULL, "print one JSON document (see doc/json.md)" },
	{ "source", OPT_SOURCE, required_argument, "SOURCE",
	  "where sockets come from: auto (default), netlink, proc" },
	{ "owners", OPT_OWNERS, required_argument, "SOURCE",
	  "how owners are found: auto (default: bpf on big hosts when allowed), proc, bpf" },
	{ "verbose", OPT_VERBOSE, no_argument, NULL,
	  "report fallbacks, unsupported tables and collection counts on stderr" },
	/* output.c: formats, columns, order, counts, repetition */
	{ "format", OPT_FORMAT, required_argument, "FORMAT",
	  "table, json, jsonl, csv, tsv, prom or pids" },
	{ "jsonl", OPT_JSONL, no_argument, NULL, "one JSON record per line, streamed (--format=jsonl)" },
	{ "csv", OPT_CSV, no_argument, NULL, "CSV with a header row (--format=csv)" },
	{ "tsv", OPT_TSV, no_argument, NULL, "tab-separated with a header row (--format=tsv)" },
	{ "prom", OPT_PROM, no_argument, NULL, "Prometheus text exposition (--format=prom)" },
	{ "pids", OPT_PIDS, no_argument, NULL, "print only the owner pids, one per line" },
	{ "fields", OPT_FIELDS, required_argument, "LIST",
	  "columns and their order: netid proto family type state recv-q send-q local "
	  "local-addr local-port peer peer-addr peer-port uid inode cookie interface pid "
	  "process user fd netns" },
	{ "sort", OPT_SORT, required_argument, "KEYS",
	  "sort by fields (state, local, peer, local-port, recv-q, pid, process, uid, inode, "
	  "...); -KEY or a last 'reverse' reverses" },
	{ "count-by", OPT_COUNT_BY, required_argument, "KEYS",
	  "count sockets by fields (state, proto, local-port, peer-ip, peer-port, process, "
	  "user, netns), largest first" },
	{ "top", OPT_TOP, required_argument, "N", "show only the first N counts or records" },
	{ "max-series", OPT_MAX_SERIES, required_argument, "N",
	  "Prometheus: series per metric before the rest is summed (default 1000)" },
	{ "continuous", 'c', optional_argument, "SECONDS",
	  "repeat every SECONDS (default 1), flushing each round" },
	{ "exit-status", OPT_EXIT_STATUS, no_argument, NULL, "exit 1 when no socket matched" },
};

static void usage(FILE *out)
{
	fputs("Usage: sockscope [OPTIONS] [FILTER]\n"
	      "       sockscope who|kill|bind-check [OPTIONS] OPERAND  (see sockscope CMD --help)\n"
	      "List sockets and every process that holds them.\n\n",
	      out);
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		const struct cli_option *op = &options[i];
		char left[64];

		if (!op->help)
			continue;
		const char *eq = !op->arg ? "" : op->has_arg == optional_argument ? "[=" : "=";
		const char *end = op->has_arg == optional_argument ? "]" : "";

		if (op->val < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s%s", op->val, op->lng, eq,
				 op->arg ? op->arg : "", end);
		else
			snprintf(left, sizeof(left), "    --%s%s%s%s", op->lng, eq,
				 op->arg ? op->arg : "", end);
		fprintf(out, "  %-24s %s\n", left, op->help);
	}
	fputs("\nFILTER := [ state STATE ]... [ exclude STATE ]... [ EXPRESSION ]\n"
	      "STATE := all | connected | synchronized | bucket | big | established |\n"
	      "  syn-sent | syn-recv | fin-wait-1 | fin-wait-2 | time-wait | closed |\n"
	      "  close-wait | last-ack | listening | closing\n"
	      "EXPRESSION := TEST | ! EXPRESSION | EXPRESSION [and|&&] EXPRESSION |\n"
	      "  EXPRESSION or|'||' EXPRESSION | ( EXPRESSION )      (and binds tighter)\n"
	      "TEST := src|dst [=] HOST | sport|dport OP :PORT | dev [=|!=] NAME |\n"
	      "  fwmark [=|!=] MARK[/MASK] | cgroup [=|!=] PATH | autobound |\n"
	      "  pid = N | user = NAME | uid = N | comm|process = GLOB\n"
	      "OP := = == != < <= > >= eq ne lt le gt ge\n"
	      "HOST := ADDR[/PREFIX][:PORT] | [ADDR6][/PREFIX][:PORT] | * | unix:GLOB\n"
	      "\nSee sockscope(8) and doc/filter.md.\n",
	      out);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} subcommands[] = {
	{ "who", cmd_who },
	{ "kill", cmd_kill },
	{ "bind-check", cmd_bind_check },
};

static int parse_query(struct cli_opts *o, const char *arg)
{
	static const struct {
		const char *name;
		uint32_t dbs;
	} q[] = {
		{ "all", SKS_TABLE_ALL },
		{ "inet", SKS_TABLE_INET },
		{ "tcp", SKS_TABLE_TCP },
		{ "udp", SKS_TABLE_UDP },
		{ "raw", SKS_TABLE_RAW },
		{ "unix", SKS_TABLE_UNIX },
		{ "unix_stream", SKS_TABLE_UNIX_STREAM },
		{ "u_str", SKS_TABLE_UNIX_STREAM },
		{ "unix_dgram", SKS_TABLE_UNIX_DGRAM },
		{ "u_dgr", SKS_TABLE_UNIX_DGRAM },
		{ "unix_seqpacket", SKS_TABLE_UNIX_SEQPACKET },
		{ "u_seq", SKS_TABLE_UNIX_SEQPACKET },
		{ "packet", SKS_TABLE_PACKET },
		{ "packet_raw", SKS_TABLE_PACKET_RAW },
		{ "p_raw", SKS_TABLE_PACKET_RAW },
		{ "packet_dgram", SKS_TABLE_PACKET_DGRAM },
		{ "p_dgr", SKS_TABLE_PACKET_DGRAM },
		{ "netlink", SKS_TABLE_NETLINK },
		{ "nl", SKS_TABLE_NETLINK },
	};
	const char *p = arg;

	while (*p) {
		size_t len = strcspn(p, ",");
		bool neg = false, found = false;
		const char *w = p;

		if (*w == '!') {
			neg = true;
			w++;
			len--;
		}
		for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
			if (strlen(q[i].name) == len && !strncmp(q[i].name, w, len)) {
				if (neg)
					o->dbs_off |= q[i].dbs;
				else
					o->dbs |= q[i].dbs;
				found = true;
				break;
			}
		}
		if (!found || len == 0) {
			cli_error("unknown socket table %s in -A", cli_quote(arg));
			return -EINVAL;
		}
		p = w + len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int parse_family(struct cli_opts *o, const char *arg)
{
	if (!strcmp(arg, "inet"))
		o->families |= CLI_FAM_INET4;
	else if (!strcmp(arg, "inet6"))
		o->families |= CLI_FAM_INET6;
	else if (!strcmp(arg, "unix") || !strcmp(arg, "local"))
		o->families |= CLI_FAM_UNIX;
	else if (!strcmp(arg, "link") || !strcmp(arg, "packet"))
		o->families |= CLI_FAM_PACKET;
	else if (!strcmp(arg, "netlink"))
		o->families |= CLI_FAM_NETLINK;
	else {
		cli_error("unknown family %s (inet, inet6, unix, link, netlink)", cli_quote(arg));
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct option longopts[sizeof(options) / sizeof(options[0]) + 1];
	char shortopts[3 * sizeof(options) / sizeof(options[0]) + 3];
	struct cli_opts o = { .states = SKS_STATES_CONNECTED };
	size_t ns = 0, nl = 0;
	bool all = false, listening = false;
	int c;

	/* Subcommands first: their options are their own. */
	if (argc > 1) {
		for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
			if (!strcmp(argv[1], subcommands[i].name))
				return subcommands[i].fn(argc - 1, argv + 1);
	}
	/* Permuting, as ss: options may follow the filter ("state established -p"). */
	shortopts[ns++] = ':'; /* report a missing argument as ':' */
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		const struct cli_option *op = &options[i];

		longopts[nl++] = (struct option){ op->lng, op->has_arg, NULL, op->val };
		if (op->val < 256 && !memchr(shortopts, op->val, ns)) {
			shortopts[ns++] = (char)op->val;
			if (op->has_arg != no_argument)
				shortopts[ns++] = ':';
			if (op->has_arg == optional_argument)
				shortopts[ns++] = ':';
		}
	}
	longopts[nl] = (struct option){ 0 };
	shortopts[ns] = '\0';

	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sockscope %s\n", SKS_VERSION);
			return 0;
		case 'n':
			o.view |= SKS_VIEW_NUMERIC;
			break;
		case 'r':
			o.view |= SKS_VIEW_RESOLVE;
			break;
		case 'a':
			all = true;
			break;
		case 'l':
			listening = true;
			break;
		case 'o':
			o.view |= SKS_VIEW_TIMERS;
			break;
		case 'e':
			/* as in ss, -e shows timers too */
			o.view |= SKS_VIEW_EXTENDED | SKS_VIEW_TIMERS;
			o.details |= SKS_DETAIL_EXTENDED;
			break;
		case 'm':
			o.view |= SKS_VIEW_MEMINFO;
			o.details |= SKS_DETAIL_MEMINFO;
			break;
		case 'T':
			o.view |= SKS_VIEW_THREADS | SKS_VIEW_OWNERS;
			o.owners = SKS_OWNERS_THREADS;
			break;
		case 'p':
			o.view |= SKS_VIEW_OWNERS;
			if (o.owners == SKS_OWNERS_NONE)
				o.owners = SKS_OWNERS_PROCESS;
			break;
		case 'i':
			o.view |= SKS_VIEW_TCPINFO;
			o.details |= SKS_DETAIL_TCPINFO;
			break;
		case 's':
			o.summary = true;
			break;
		case 'K':
			o.kill_sockets = true;
			break;
		case '4':
			o.families |= CLI_FAM_INET4;
			break;
		case '6':
			o.families |= CLI_FAM_INET6;
			break;
		case '0':
			o.dbs |= SKS_TABLE_PACKET;
			break;
		case 't':
			o.dbs |= SKS_TABLE_TCP;
			break;
		case 'u':
			o.dbs |= SKS_TABLE_UDP;
			break;
		case 'w':
			o.dbs |= SKS_TABLE_RAW;
			break;
		case 'x':
			o.dbs |= SKS_TABLE_UNIX;
			break;
		case 'f':
			if (parse_family(&o, optarg) < 0)
				return EXIT_ERROR;
			break;
		case 'A':
			if (parse_query(&o, optarg) < 0)
				return EXIT_ERROR;
			break;
		case 'H':
			o.view |= SKS_VIEW_NO_HEADER;
			break;
		case 'O':
			o.view |= SKS_VIEW_ONELINE;
			break;
		case 'N':
			o.netns = optarg;
			break;
		case 'F':
			o.filter_file = optarg;
			break;
		case OPT_JSON:
			o.format = FMT_JSON;
			break;
		case OPT_SOURCE:
			if (!strcmp(optarg, "auto"))
				o.source = SKS_SOURCE_AUTO;
			else if (!strcmp(optarg, "netlink"))
				o.source = SKS_SOURCE_NETLINK;
			else if (!strcmp(optarg, "proc"))
				o.source = SKS_SOURCE_PROC;
			else {
				cli_error("unknown source %s (auto, netlink, proc)",
					  cli_quote(optarg));
				return EXIT_ERROR;
			}
			break;
		case OPT_VERBOSE:
			o.verbose = true;
			break;
		case OPT_OWNERS:
			if (!strcmp(optarg, "auto"))
				o.owner_source = SKS_OWNER_SOURCE_AUTO;
			else if (!strcmp(optarg, "proc"))
				o.owner_source = SKS_OWNER_SOURCE_PROC;
			else if (!strcmp(optarg, "bpf"))
				o.owner_source = SKS_OWNER_SOURCE_BPF;
			else {
				cli_error("unknown owner source %s (auto, proc, bpf)",
					  cli_quote(optarg));
				return EXIT_ERROR;
			}
			break;
		case 'c':
		case OPT_OUTPUT_FIRST ... OPT_OUTPUT_LAST:
			if (cli_output_option(&o, c, optarg, argc, argv) < 0)
				return EXIT_ERROR;
			break;
		case ':':
			cli_error("option %s needs an argument", cli_quote(argv[optind - 1]));
			return EXIT_ERROR;
		default:
			if (optopt && optopt < 256)
				cli_error("unknown option '-%c' (see --help)", optopt);
			else
				cli_error("unknown option %s (see --help)",
					  cli_quote(argv[optind - 1]));
			return EXIT_ERROR;
		}
	}
	/* ss: -a wins over -l, which wins over the default (connected). */
	if (all)
		o.states = SKS_STATES_ALL;
	else if (listening)
		o.states = SKS_STATES_LISTENING;
	o.args = argv + optind;
	o.nargs = argc - optind;
	if (cli_filter_prepare(&o) < 0)
		return EXIT_ERROR;
	if (o.kill_sockets && o.summary) {
		cli_error("-K cannot be combined with -s");
		sks_filter_free(o.filter);
		return EXIT_ERROR;
	}
	c = o.summary ? cmd_summary(&o) : cmd_list(&o);
	sks_filter_free(o.filter);
	return c;
}
