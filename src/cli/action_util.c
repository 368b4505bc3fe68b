// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the action subcommands share: their option tables, the operand
 * (PORT, ADDR:PORT, PORT/PROTO, unix PATH), and how endpoints, processes
 * and their details are printed -- always escaped, since names, paths and
 * command lines are chosen by whoever runs the process.
 */
#include "cli_action.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

void cli_subopt_init(struct cli_subopt_parser *p, const struct cli_subopt *opts, size_t n)
{
	size_t ns = 0, nl = 0;

	p->shortopts[ns++] = ':'; /* report a missing argument as ':' */
	for (size_t i = 0; i < n && i < CLI_SUBOPT_MAX; i++) {
		p->longopts[nl++] = (struct option){ opts[i].lng, opts[i].has_arg, NULL, opts[i].val };
		if (opts[i].val < 256) {
			p->shortopts[ns++] = (char)opts[i].val;
			if (opts[i].has_arg == required_argument)
				p->shortopts[ns++] = ':';
		}
	}
	p->longopts[nl] = (struct option){ 0 };
	p->shortopts[ns] = '\0';
	opterr = 0;
	optind = 1;
}

void cli_subopt_usage(FILE *out, const char *usage, const char *what,
		      const struct cli_subopt *opts, size_t n)
{
	fprintf(out, "Usage: %s\n%s\n\n", usage, what);
	for (size_t i = 0; i < n; i++) {
		const struct cli_subopt *op = &opts[i];
		char left[64];

		if (op->val < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", op->val, op->lng,
				 op->arg ? "=" : "", op->arg ? op->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", op->lng, op->arg ? "=" : "",
				 op->arg ? op->arg : "");
		fprintf(out, "  %-24s %s\n", left, op->help);
	}
	fputs("\nSee sockscope(8).\n", out);
}

int cli_subopt_error(const char *cmd, int c, char **argv)
{
	if (c == ':')
		cli_error("%s: option %s needs an argument", cmd, cli_quote(argv[optind - 1]));
	else if (optopt && optopt < 256)
		cli_error("%s: unknown option '-%c' (see sockscope %s --help)", cmd, optopt, cmd);
	else
		cli_error("%s: unknown option %s (see sockscope %s --help)", cmd,
			  cli_quote(argv[optind - 1]), cmd);
	return EXIT_ERROR;
}

static int parse_port(const char *s, size_t len, bool services, const char *proto,
		      uint16_t *ret)
{
	char tmp[64];
	unsigned long v;
	char *end;

	if (!len || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (tmp[0] >= '0' && tmp[0] <= '9') {
		errno = 0;
		v = strtoul(tmp, &end, 10);
		if (*end || errno || v == 0 || v > 65535)
			return -EINVAL;
		*ret = (uint16_t)v;
		return 0;
	}
	if (services) {
		/* The services database is read-only data; getservbyname_r needs no buffer guess. */
		struct servent se, *res = NULL;
		char buf[1024];

		if (getservbyname_r(tmp, proto, &se, buf, sizeof(buf), &res) == 0 && res) {
			*ret = ntohs((uint16_t)res->s_port);
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_inet(const char *arg, bool services, struct cli_target *t)
{
	const char *slash = strrchr(arg, '/'), *port, *colon;
	size_t len = strlen(arg), alen = 0;
	const char *proto = NULL;
	char abuf[INET6_ADDRSTRLEN + 1];

	t->tables = SKS_TABLE_TCP | SKS_TABLE_UDP;
	if (slash && (!strcmp(slash, "/tcp") || !strcmp(slash, "/udp"))) {
		proto = slash + 1;
		t->tables = proto[0] == 't' ? SKS_TABLE_TCP : SKS_TABLE_UDP;
		len = (size_t)(slash - arg);
	} else if (slash) {
		return -EINVAL;
	}
	if (arg[0] == '[') {
		const char *close = memchr(arg, ']', len);

		if (!close || close + 1 >= arg + len || close[1] != ':')
			return -EINVAL;
		alen = (size_t)(close - arg - 1);
		if (alen >= sizeof(abuf))
			return -EINVAL;
		memcpy(abuf, arg + 1, alen);
		abuf[alen] = '\0';
		if (inet_pton(AF_INET6, abuf, t->addr.addr) != 1)
			return -EINVAL;
		t->addr.family = AF_INET6;
		t->has_addr = true;
		port = close + 2;
	} else {
		colon = memrchr(arg, ':', len);
		port = colon ? colon + 1 : arg;
		alen = colon ? (size_t)(colon - arg) : 0;
		if (colon && memchr(arg, ':', alen))
			return -EINVAL; /* a bare IPv6 address: it needs brackets */
		if (alen && !(alen == 1 && arg[0] == '*')) {
			if (alen >= sizeof(abuf))
				return -EINVAL;
			memcpy(abuf, arg, alen);
			abuf[alen] = '\0';
			if (inet_pton(AF_INET, abuf, t->addr.addr) != 1)
				return -EINVAL;
			t->addr.family = AF_INET;
			t->has_addr = true;
		}
	}
	if (parse_port(port, (size_t)(arg + len - port), services, proto, &t->addr.port) < 0)
		return -EINVAL;
	if (t->has_addr) {
		char txt[INET6_ADDRSTRLEN];

		inet_ntop(t->addr.family, t->addr.addr, txt, sizeof(txt));
		snprintf(t->text, sizeof(t->text), t->addr.family == AF_INET6 ? "[%s]:%u%s%s" :
					 "%s:%u%s%s", txt, t->addr.port, proto ? "/" : "",
			 proto ? proto : "");
	} else {
		snprintf(t->text, sizeof(t->text), "port %u%s%s", t->addr.port, proto ? "/" : "",
			 proto ? proto : "");
	}
	return 0;
}

int cli_target_parse(int argc, char **argv, bool services, struct cli_target *t, int *ret_used)
{
	const char *path = NULL;
	int used = 1;

	memset(t, 0, sizeof(*t));
	if (argc < 1) {
		cli_error("missing PORT, ADDR:PORT, PORT/PROTO or unix PATH");
		return -EINVAL;
	}
	if (!strcmp(argv[0], "unix")) {
		if (argc < 2) {
			cli_error("unix needs a socket path");
			return -EINVAL;
		}
		path = argv[1];
		used = 2;
	} else if (!strncmp(argv[0], "unix:", 5)) {
		path = argv[0] + 5;
	}
	if (path) {
		struct sks_buf b = { .max = 200 };

		if (!*path || (path[0] == '@' && !path[1])) {
			cli_error("empty unix socket name");
			return -EINVAL;
		}
		t->is_unix = true;
		t->tables = SKS_TABLE_UNIX;
		t->abstract = path[0] == '@';
		t->path = path + t->abstract;
		t->path_len = strlen(t->path);
		if (sks_escape_text(&b, path, strlen(path)) == 0)
			snprintf(t->text, sizeof(t->text), "unix %s", b.data);
		else
			snprintf(t->text, sizeof(t->text), "unix socket");
		sks_buf_release(&b);
		*ret_used = used;
		return 0;
	}
	if (parse_inet(argv[0], services, t) < 0) {
		cli_error("bad socket address %s (PORT, ADDR:PORT, [IPV6]:PORT, optionally /tcp or "
			  "/udp, or unix PATH)",
			  cli_quote(argv[0]));
		return -EINVAL;
	}
	*ret_used = used;
	return 0;
}

/* Whether an inet endpoint e (as a record's side) falls on the target's address. */
static bool on_target(const struct cli_target *t, const struct sks_record *rec,
		      const struct sks_endpoint *e)
{
	struct sks_bind_target bt = {
		.type = rec->proto == SKS_PROTO_TCP ? SOCK_STREAM : SOCK_DGRAM,
		.addr = t->addr,
		.v6only = -1,
	};
	struct sks_record tmp = *rec;

	if (e->port != t->addr.port)
		return false;
	if (!t->has_addr)
		return true;
	/* The same overlap rules as a bind: wildcards and dual-stack [::] cover addresses. */
	tmp.inet.local = *e;
	if (e != &rec->inet.local) {
		tmp.state = SKS_STATE_ESTABLISHED;
		tmp.inet.v6only = 1;
	}
	return sks_bind_conflict(&tmp, &bt) != SKS_BIND_CLEAR;
}

static bool inet_table(const struct cli_target *t, const struct sks_record *rec)
{
	return (rec->proto == SKS_PROTO_TCP && (t->tables & SKS_TABLE_TCP)) ||
	       (rec->proto == SKS_PROTO_UDP && (t->tables & SKS_TABLE_UDP));
}

bool cli_target_local(const struct cli_target *t, const struct sks_record *rec)
{
	if (t->is_unix)
		return rec->proto == SKS_PROTO_UNIX && rec->unx.path &&
		       rec->unx.abstract == t->abstract && rec->unx.path_len == t->path_len &&
		       !memcmp(rec->unx.path, t->path, t->path_len);
	return inet_table(t, rec) && on_target(t, rec, &rec->inet.local);
}

bool cli_target_peer(const struct cli_target *t, const struct sks_record *rec)
{
	if (t->is_unix || !inet_table(t, rec) || !rec->inet.peer.port)
		return false;
	return on_target(t, rec, &rec->inet.peer);
}

static void format_endpoint(struct sks_buf *b, const struct sks_endpoint *e)
{
	char txt[INET6_ADDRSTRLEN];

	if (!inet_ntop(e->family, e->addr, txt, sizeof(txt)))
		snprintf(txt, sizeof(txt), "?");
	if (e->family == AF_INET6)
		sks_buf_printf(b, "[%s]", txt);
	else
		sks_buf_printf(b, "%s", txt);
	if (e->port)
		sks_buf_printf(b, ":%u", e->port);
	else
		sks_buf_printf(b, ":*");
}

void cli_format_local(struct sks_buf *b, const struct sks_record *rec)
{
	switch (rec->proto) {
	case SKS_PROTO_TCP:
	case SKS_PROTO_UDP:
	case SKS_PROTO_RAW:
		format_endpoint(b, &rec->inet.local);
		return;
	case SKS_PROTO_UNIX:
		if (!rec->unx.path) {
			sks_buf_printf(b, "*");
			return;
		}
		if (rec->unx.abstract)
			sks_buf_putc(b, '@');
		sks_escape_text(b, rec->unx.path, rec->unx.path_len);
		return;
	default:
		sks_buf_printf(b, "*");
	}
}

void cli_format_peer(struct sks_buf *b, const struct sks_record *rec)
{
	switch (rec->proto) {
	case SKS_PROTO_TCP:
	case SKS_PROTO_UDP:
	case SKS_PROTO_RAW:
		format_endpoint(b, &rec->inet.peer);
		return;
	case SKS_PROTO_UNIX:
		if (rec->unx.peer_inode)
			sks_buf_printf(b, "socket %llu", (unsigned long long)rec->unx.peer_inode);
		else
			sks_buf_printf(b, "*");
		return;
	default:
		sks_buf_printf(b, "*");
	}
}

void cli_format_age(char *buf, size_t len, uint64_t ms)
{
	uint64_t s = ms / 1000;

	if (s < 60)
		snprintf(buf, len, "%llu.%llus", (unsigned long long)s,
			 (unsigned long long)(ms % 1000 / 100));
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%llud%02lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
}

void cli_format_name(struct sks_buf *b, const struct sks_process *p)
{
	if (p->name && p->name_len)
		sks_escape_text(b, p->name, p->name_len);
	else
		sks_buf_printf(b, "?");
}

void cli_format_user(struct sks_buf *b, const struct sks_process *p)
{
	if (p->user)
		sks_escape_text(b, p->user, strlen(p->user));
	else
		sks_buf_printf(b, "%u", p->uid);
}

void cli_format_cmdline(struct sks_buf *b, const char *args, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *nul = memchr(args + i, '\0', len - i);
		size_t n = nul ? (size_t)(nul - (args + i)) : len - i;

		if (i)
			sks_buf_putc(b, ' ');
		/*
		 * An argument with a space would read as two: show its spaces
		 * escaped; escape the runs between them whole, so UTF-8 stays.
		 */
		for (size_t k = 0; k < n;) {
			const char *sp = memchr(args + i + k, ' ', n - k);
			size_t run = sp ? (size_t)(sp - (args + i + k)) : n - k;

			sks_escape_text(b, args + i + k, run);
			k += run;
			if (sp) {
				sks_buf_printf(b, "\\x20");
				k++;
			}
		}
		i += n + 1;
	}
}

void cli_json_string(FILE *out, const void *s, size_t len)
{
	struct sks_buf b = SKS_BUF_INIT;

	fputc('"', out);
	if (sks_escape_json(&b, s, len) >= 0 && b.data)
		fputs(b.data, out);
	fputc('"', out);
	sks_buf_release(&b);
}

struct cli_proc *cli_procs_get(struct cli_procs *list, const struct sks_ctx *ctx,
			       const struct sks_process *p)
{
	struct cli_proc *cp;
	int r;

	for (size_t i = 0; i < list->n; i++)
		if (list->v[i]->proc->pid == p->pid)
			return list->v[i];
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 8;
		struct cli_proc **v = realloc(list->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		list->v = v;
		list->cap = cap;
	}
	cp = calloc(1, sizeof(*cp));
	if (!cp)
		return NULL;
	list->v[list->n++] = cp;
	cp->proc = p;
	cp->cmdline.max = 2 * SKS_CMDLINE_MAX;
	/* Details of a process that exited since the scan are simply not shown. */
	cp->have_details = sks_process_details_read(ctx, p->pid, &cp->det) == 0 &&
			   cp->det.start_time == p->start_time;
	if (cp->have_details) {
		r = sks_process_cmdline(ctx, p->pid, SKS_CMDLINE_MAX, &cp->cmdline);
		cp->cmdline_cut = r == 1;
		cp->have_cgroup = sks_process_cgroup(ctx, p->pid, &cp->cg) == 0;
	}
	return cp;
}

void cli_procs_free(struct cli_procs *list)
{
	for (size_t i = 0; i < list->n; i++) {
		sks_buf_release(&list->v[i]->cmdline);
		free(list->v[i]);
	}
	free(list->v);
	memset(list, 0, sizeof(*list));
}

static void start_text(char *buf, size_t len, int64_t epoch)
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "?");
}

void cli_proc_print_details(FILE *out, const struct cli_proc *cp, const char *indent)
{
	struct sks_buf b = SKS_BUF_INIT;
	char when[64], age[32];

	if (!cp->have_details) {
		fprintf(out, "%s(exited since the scan)\n", indent);
		return;
	}
	if (cp->cmdline.len) {
		cli_format_cmdline(&b, cp->cmdline.data, cp->cmdline.len);
		fprintf(out, "%scommand: %s%s\n", indent, b.data ? b.data : "",
			cp->cmdline_cut ? " ..." : "");
		sks_buf_reset(&b);
	}
	start_text(when, sizeof(when), cp->det.start_epoch);
	cli_format_age(age, sizeof(age), cp->det.age_ms);
	fprintf(out, "%sstarted: %s (%s ago)\n", indent, when, age);
	if (cp->have_cgroup) {
		if (cp->cg.container[0]) {
			size_t n = strlen(cp->cg.container);

			/* runtime and name come from cgroup path components: escaped too */
			sks_escape_text(&b, cp->cg.runtime, strlen(cp->cg.runtime));
			sks_buf_putc(&b, ' ');
			/* a 64-hex id shows as its usual 12-digit short form */
			sks_escape_text(&b, cp->cg.container, n == 64 ? 12 : n);
			fprintf(out, "%scontainer: %s\n", indent, b.data);
			sks_buf_reset(&b);
		}
		if (cp->cg.unit[0]) {
			sks_escape_text(&b, cp->cg.unit, strlen(cp->cg.unit));
			fprintf(out, "%sunit: %s\n", indent, b.data);
			sks_buf_reset(&b);
		} else if (cp->cg.path[0] && strcmp(cp->cg.path, "/")) {
			sks_escape_text(&b, cp->cg.path, strlen(cp->cg.path));
			fprintf(out, "%scgroup: %s\n", indent, b.data);
			sks_buf_reset(&b);
		}
	}
	sks_buf_release(&b);
}

void cli_proc_json_details(FILE *out, const struct cli_proc *cp)
{
	size_t i = 0;

	if (!cp->have_details) {
		fputs(",\"exited\":true", out);
		return;
	}
	fputs(",\"cmdline\":[", out);
	while (i < cp->cmdline.len) {
		const char *a = cp->cmdline.data + i;
		const char *nul = memchr(a, '\0', cp->cmdline.len - i);
		size_t n = nul ? (size_t)(nul - a) : cp->cmdline.len - i;

		if (i)
			fputc(',', out);
		cli_json_string(out, a, n);
		i += n + 1;
	}
	fprintf(out, "],\"cmdline_truncated\":%s,\"ppid\":%d,\"start_time\":%lld,"
		     "\"age_seconds\":%.1f",
		cp->cmdline_cut ? "true" : "false", (int)cp->det.ppid,
		(long long)cp->det.start_epoch, cp->det.age_ms / 1000.0);
	if (cp->have_cgroup) {
		fputs(",\"cgroup\":", out);
		cli_json_string(out, cp->cg.path, strlen(cp->cg.path));
		fputs(",\"unit\":", out);
		if (cp->cg.unit[0])
			cli_json_string(out, cp->cg.unit, strlen(cp->cg.unit));
		else
			fputs("null", out);
		fputs(",\"container\":", out);
		if (cp->cg.container[0]) {
			cli_json_string(out, cp->cg.container, strlen(cp->cg.container));
			fputs(",\"container_runtime\":", out);
			cli_json_string(out, cp->cg.runtime, strlen(cp->cg.runtime));
		} else {
			fputs("null", out);
		}
	}
}
