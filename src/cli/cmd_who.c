// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockscope who PORT | ADDR:PORT | PORT/PROTO | unix PATH: every socket on
 * it and every process holding it, with the details an operator asks next
 * (command line, start time, unit or container, the process at the other
 * end of a local connection), or, when nobody holds it, what is there
 * instead.  Exit 0 when held, 1 when free.
 */
#include "cli_action.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_JSON = 256 };

static const struct cli_subopt who_opts[] = {
	{ "help", 'h', no_argument, NULL, "show this help and exit" },
	{ "json", OPT_JSON, no_argument, NULL, "print one JSON document" },
	{ "net", 'N', required_argument, "NETNS",
	  "look in a network namespace: a name under /var/run/netns, a path, or a pid" },
};

#define MAX_NETNS 1024 /* other namespaces searched when the port is free here */
#define MAX_TIME_WAIT_SHOWN 8

struct who {
	struct cli_target t;
	bool json;
	const char *netns;
	struct sks_ctx *ctx;
	struct cli_procs procs;
};

/* A socket found in another network namespace. */
struct elsewhere {
	struct sks_netns_ref ref;
	struct sks_snapshot *snap;
	struct sks_ctx *ctx;
};

static int make_ctx(const struct who *w, struct cli_opts *o, const char *netns,
		    enum sks_owner_mode owners, struct sks_ctx **ret)
{
	memset(o, 0, sizeof(*o));
	o->dbs = w->t.tables;
	o->states = SKS_STATES_ALL;
	o->owners = owners;
	o->netns = netns;
	return cli_ctx_new(o, ret);
}

static bool is_remnant(const struct sks_record *rec)
{
	return rec->state == SKS_STATE_TIME_WAIT;
}

/* ------------------------------------------------------------------ text */

static void print_owner_line(struct who *w, FILE *out, const char *label,
			     const struct sks_owner *ow, const char *indent)
{
	struct sks_buf b = SKS_BUF_INIT;
	const struct sks_process *p = ow->proc;
	struct cli_proc *cp;

	cli_format_name(&b, p);
	fprintf(out, "%s%spid %d %s, user ", indent, label, (int)p->pid, b.data ? b.data : "?");
	sks_buf_reset(&b);
	cli_format_user(&b, p);
	fprintf(out, "%s, fd %d", b.data ? b.data : "?", (int)ow->fd);
	if (ow->tid)
		fprintf(out, " (thread %d)", (int)ow->tid);
	fputc('\n', out);
	sks_buf_release(&b);
	cp = cli_procs_get(&w->procs, w->ctx, p);
	if (cp && !cp->shown) {
		char deeper[32];

		snprintf(deeper, sizeof(deeper), "%s    ", indent);
		cli_proc_print_details(out, cp, deeper);
		cp->shown = true;
	}
}

static void print_record(struct who *w, FILE *out, const struct sks_snapshot *snap,
			 const struct sks_record *rec)
{
	struct sks_buf b = SKS_BUF_INIT;
	const struct sks_record *peer = sks_snapshot_peer(snap, rec);

	cli_format_local(&b, rec);
	fprintf(out, "%s %s %s", sks_record_netid(rec), sks_state_name(rec->state), b.data);
	sks_buf_reset(&b);
	if (rec->proto != SKS_PROTO_UNIX && rec->inet.peer.port) {
		cli_format_peer(&b, rec);
		fprintf(out, " <-> %s", b.data);
	}
	fputc('\n', out);
	sks_buf_release(&b);
	for (uint32_t i = 0; i < rec->n_owners; i++)
		print_owner_line(w, out, "", &rec->owners[i], "    ");
	if (!rec->n_owners)
		fprintf(out, "    no visible owner: %s\n", sks_no_owner_text(rec->no_owner));
	if (peer) {
		for (uint32_t i = 0; i < peer->n_owners; i++)
			print_owner_line(w, out, "peer: ", &peer->owners[i], "    ");
		if (!peer->n_owners && rec->proto == SKS_PROTO_UNIX)
			fprintf(out, "    peer: no visible owner (%s)\n",
				sks_no_owner_name(peer->no_owner));
	} else if (rec->proto == SKS_PROTO_UNIX && rec->unx.peer_inode) {
		fprintf(out, "    peer: socket %llu (not found)\n",
			(unsigned long long)rec->unx.peer_inode);
	}
}

static int cmp_pid(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Distinct pids among the owners of the selected records (owners, on ENOMEM). */
static size_t count_processes(const struct sks_snapshot *snap, const size_t *sel, size_t n)
{
	size_t total = 0, k = 0, distinct = 0;
	int32_t *pids;

	for (size_t i = 0; i < n; i++)
		total += sks_snapshot_record(snap, sel[i])->n_owners;
	if (!total)
		return 0;
	pids = calloc(total, sizeof(*pids));
	if (!pids)
		return total;
	for (size_t i = 0; i < n; i++) {
		const struct sks_record *rec = sks_snapshot_record(snap, sel[i]);

		for (uint32_t j = 0; j < rec->n_owners; j++)
			pids[k++] = rec->owners[j].proc->pid;
	}
	qsort(pids, k, sizeof(*pids), cmp_pid);
	for (size_t i = 0; i < k; i++)
		distinct += !i || pids[i] != pids[i - 1];
	free(pids);
	return distinct;
}

static void print_remnants(FILE *out, const struct sks_snapshot *snap, const size_t *sel,
			   size_t n)
{
	size_t tw = 0, shown = 0;

	for (size_t i = 0; i < n; i++)
		tw += is_remnant(sks_snapshot_record(snap, sel[i]));
	if (!tw)
		return;
	fprintf(out, "TIME-WAIT: %zu closed connection%s the kernel keeps for up to 60 s:\n", tw,
		tw == 1 ? "" : "s");
	for (size_t i = 0; i < n && shown < MAX_TIME_WAIT_SHOWN; i++) {
		const struct sks_record *rec = sks_snapshot_record(snap, sel[i]);
		struct sks_buf b = SKS_BUF_INIT;

		if (!is_remnant(rec))
			continue;
		cli_format_local(&b, rec);
		sks_buf_printf(&b, " <-> ");
		cli_format_peer(&b, rec);
		fprintf(out, "    %s %s (expires in %us)\n", sks_record_netid(rec), b.data,
			(rec->inet.expires_ms + 999) / 1000);
		sks_buf_release(&b);
		shown++;
	}
	if (tw > shown)
		fprintf(out, "    ... and %zu more\n", tw - shown);
}

static void print_elsewhere(struct who *w, FILE *out, const struct elsewhere *e)
{
	for (size_t i = 0; i < sks_snapshot_count(e->snap); i++) {
		const struct sks_record *rec = sks_snapshot_record(e->snap, i);

		if (!rec->inode || !cli_target_local(&w->t, rec))
			continue;
		fprintf(out, "in network namespace net:[%llu] (that of pid %d): ",
			(unsigned long long)e->ref.inode, (int)e->ref.pid);
		print_record(w, out, e->snap, rec);
	}
}

/* ------------------------------------------------------------------ json */

static void json_owners(FILE *out, const struct sks_record *rec)
{
	fputc('[', out);
	for (uint32_t i = 0; i < rec->n_owners; i++) {
		const struct sks_owner *ow = &rec->owners[i];

		fprintf(out, "%s{\"pid\":%d,\"fd\":%d", i ? "," : "", (int)ow->proc->pid,
			(int)ow->fd);
		if (ow->tid)
			fprintf(out, ",\"tid\":%d", (int)ow->tid);
		fputc('}', out);
	}
	fputc(']', out);
}

static void json_text(FILE *out, void (*fmt)(struct sks_buf *, const struct sks_record *),
		      const struct sks_record *rec)
{
	struct sks_buf b = SKS_BUF_INIT;

	fmt(&b, rec);
	cli_json_string(out, b.data ? b.data : "", b.len);
	sks_buf_release(&b);
}

static void json_record(struct who *w, FILE *out, const struct sks_snapshot *snap,
			const struct sks_record *rec)
{
	const struct sks_record *peer = sks_snapshot_peer(snap, rec);

	fprintf(out, "{\"netid\":\"%s\",\"state\":\"%s\",\"local\":", sks_record_netid(rec),
		sks_state_name(rec->state));
	json_text(out, cli_format_local, rec);
	fputs(",\"peer\":", out);
	json_text(out, cli_format_peer, rec);
	fprintf(out, ",\"inode\":%llu,\"cookie\":%llu,\"owners\":", (unsigned long long)rec->inode,
		(unsigned long long)rec->cookie);
	json_owners(out, rec);
	if (rec->n_owners)
		fputs(",\"no_owner\":null", out);
	else
		fprintf(out, ",\"no_owner\":\"%s\"", sks_no_owner_name(rec->no_owner));
	if (rec->state == SKS_STATE_TIME_WAIT)
		fprintf(out, ",\"expires_ms\":%u", rec->inet.expires_ms);
	if (peer) {
		fputs(",\"peer_socket\":{\"local\":", out);
		json_text(out, cli_format_local, peer);
		fprintf(out, ",\"inode\":%llu,\"owners\":", (unsigned long long)peer->inode);
		json_owners(out, peer);
		fputc('}', out);
		for (uint32_t i = 0; i < peer->n_owners; i++)
			cli_procs_get(&w->procs, w->ctx, peer->owners[i].proc);
	}
	for (uint32_t i = 0; i < rec->n_owners; i++)
		cli_procs_get(&w->procs, w->ctx, rec->owners[i].proc);
	fputc('}', out);
}

static void json_processes(struct who *w, FILE *out)
{
	fputs(",\"processes\":[", out);
	for (size_t i = 0; i < w->procs.n; i++) {
		const struct cli_proc *cp = w->procs.v[i];
		const struct sks_process *p = cp->proc;

		fprintf(out, "%s{\"pid\":%d,\"name\":", i ? "," : "", (int)p->pid);
		cli_json_string(out, p->name ? p->name : "", p->name_len);
		fprintf(out, ",\"uid\":%u,\"user\":", p->uid);
		if (p->user)
			cli_json_string(out, p->user, strlen(p->user));
		else
			fputs("null", out);
		cli_proc_json_details(out, cp);
		fputc('}', out);
	}
	fputc(']', out);
}

/* ------------------------------------------------------------------ search */

/* Other namespaces, searched only when the port is free here: one collection each. */
static size_t search_elsewhere(struct who *w, struct elsewhere **ret, size_t *ret_denied)
{
	struct sks_netns_ref *refs;
	struct elsewhere *found = NULL;
	size_t n_found = 0, denied = 0;
	int n;

	*ret = NULL;
	*ret_denied = 0;
	refs = calloc(MAX_NETNS, sizeof(*refs));
	if (!refs)
		return 0;
	n = sks_netns_list(w->ctx, refs, MAX_NETNS, &denied);
	if (n > MAX_NETNS)
		n = MAX_NETNS;
	for (int i = 0; i < n; i++) {
		struct sks_snapshot *snap = NULL;
		struct sks_ctx *ctx = NULL;
		struct cli_opts o;
		char spec[16];
		bool hit = false;

		snprintf(spec, sizeof(spec), "%d", (int)refs[i].pid);
		/* A cheap look first; the owner scan only where the port is used. */
		if (sks_ctx_new(&ctx) < 0)
			break;
		if (sks_ctx_set_tables(ctx, w->t.tables) < 0 ||
		    sks_ctx_set_states(ctx, SKS_STATES_ALL) < 0 || sks_ctx_set_netns(ctx, spec) < 0 ||
		    sks_snapshot_collect(ctx, &snap) < 0) {
			denied++;
			sks_ctx_free(ctx);
			continue;
		}
		for (size_t k = 0; k < sks_snapshot_count(snap) && !hit; k++) {
			const struct sks_record *rec = sks_snapshot_record(snap, k);

			hit = rec->inode && cli_target_local(&w->t, rec);
		}
		sks_snapshot_free(snap);
		sks_ctx_free(ctx);
		snap = NULL;
		ctx = NULL;
		if (!hit)
			continue;
		if (make_ctx(w, &o, spec, SKS_OWNERS_PROCESS, &ctx) < 0)
			continue;
		if (sks_snapshot_collect(ctx, &snap) < 0) {
			sks_ctx_free(ctx);
			continue;
		}
		sks_snapshot_sort(snap);
		{
			struct elsewhere *p = realloc(found, (n_found + 1) * sizeof(*p));

			if (!p) {
				sks_snapshot_free(snap);
				sks_ctx_free(ctx);
				break;
			}
			found = p;
			found[n_found++] = (struct elsewhere){ refs[i], snap, ctx };
		}
	}
	free(refs);
	*ret = found;
	*ret_denied = denied;
	return n_found;
}

/* ------------------------------------------------------------------ main */

static const char *who_usage = "sockscope who [OPTIONS] PORT | ADDR:PORT | PORT/PROTO | unix PATH";

int cmd_who(int argc, char **argv)
{
	struct who w = { 0 };
	struct cli_subopt_parser p;
	struct sks_snapshot *snap = NULL;
	struct elsewhere *others = NULL;
	size_t n_others = 0, denied_ns = 0, *sel = NULL, n_sel = 0, n_tw = 0, n_kernel = 0;
	size_t n_hidden = 0, n_procs;
	bool held = false;
	struct cli_opts o;
	FILE *out = stdout;
	int c, used, r, ret = EXIT_ERROR;
	const char *what;

	cli_subopt_init(&p, who_opts, sizeof(who_opts) / sizeof(who_opts[0]));
	while ((c = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_subopt_usage(stdout, who_usage,
					 "Show every socket on a port or UNIX path and every process "
					 "holding it.",
					 who_opts, sizeof(who_opts) / sizeof(who_opts[0]));
			return 0;
		case OPT_JSON:
			w.json = true;
			break;
		case 'N':
			w.netns = optarg;
			break;
		default:
			return cli_subopt_error("who", c, argv);
		}
	}
	if (cli_target_parse(argc - optind, argv + optind, true, &w.t, &used) < 0)
		return EXIT_ERROR;
	if (optind + used != argc) {
		cli_error("who: unexpected %s", cli_quote(argv[optind + used]));
		return EXIT_ERROR;
	}
	if (make_ctx(&w, &o, w.netns, SKS_OWNERS_PROCESS, &w.ctx) < 0)
		return EXIT_ERROR;
	r = sks_snapshot_collect(w.ctx, &snap);
	if (r < 0) {
		cli_error("who: cannot collect sockets: %s", strerror(-r));
		goto out;
	}
	sks_snapshot_sort(snap);
	sel = calloc(sks_snapshot_count(snap) + 1, sizeof(*sel));
	if (!sel) {
		cli_error("who: %s", strerror(ENOMEM));
		goto out;
	}
	for (size_t i = 0; i < sks_snapshot_count(snap); i++) {
		const struct sks_record *rec = sks_snapshot_record(snap, i);

		if (!cli_target_local(&w.t, rec))
			continue;
		sel[n_sel++] = i;
		if (is_remnant(rec))
			n_tw++;
		else if (!rec->inode)
			n_kernel++;
		else
			held = true;
		if (rec->inode && !rec->n_owners && !is_remnant(rec))
			n_hidden++;
	}
	if (!held && !w.netns)
		n_others = search_elsewhere(&w, &others, &denied_ns);
	n_procs = count_processes(snap, sel, n_sel);

	if (w.json) {
		bool first = true;

		fputs("{\"target\":", out);
		cli_json_string(out, w.t.text, strlen(w.t.text));
		fprintf(out, ",\"held\":%s,\"sockets\":[", held ? "true" : "false");
		for (size_t i = 0; i < n_sel; i++) {
			fputs(first ? "" : ",", out);
			json_record(&w, out, snap, sks_snapshot_record(snap, sel[i]));
			first = false;
		}
		fprintf(out, "],\"time_wait\":%zu,\"kernel_held\":%zu,\"hidden_owners\":%zu", n_tw,
			n_kernel, n_hidden);
		fputs(",\"other_netns\":[", out);
		first = true;
		for (size_t k = 0; k < n_others; k++) {
			for (size_t i = 0; i < sks_snapshot_count(others[k].snap); i++) {
				const struct sks_record *rec = sks_snapshot_record(others[k].snap, i);

				if (!rec->inode || !cli_target_local(&w.t, rec))
					continue;
				fprintf(out, "%s{\"netns\":%llu,\"netns_pid\":%d,\"socket\":",
					first ? "" : ",", (unsigned long long)others[k].ref.inode,
					(int)others[k].ref.pid);
				json_record(&w, out, others[k].snap, rec);
				fputc('}', out);
				first = false;
			}
		}
		fprintf(out, "],\"netns_unsearched\":%zu", denied_ns);
		json_processes(&w, out);
		fputs("}\n", out);
		ret = held ? 0 : EXIT_NOMATCH;
		goto flush;
	}

	what = w.t.text;
	if (held && n_procs)
		fprintf(out, "%s is held by %zu process%s:\n", what, n_procs,
			n_procs == 1 ? "" : "es");
	else if (held)
		fprintf(out, "%s is in use, but no visible process holds it:\n", what);
	else if (n_tw && !n_kernel)
		fprintf(out, "%s is free: no process holds it, only TIME-WAIT remnants remain\n",
			what);
	else if (n_kernel)
		fprintf(out, "%s is free: no process holds it; the kernel still holds %zu closing "
			     "connection%s\n",
			what, n_kernel, n_kernel == 1 ? "" : "s");
	else if (n_others)
		fprintf(out, "%s is free in this network namespace, but used in another:\n", what);
	else
		fprintf(out, "%s is free: no socket uses it\n", what);
	for (size_t i = 0; i < n_sel; i++) {
		const struct sks_record *rec = sks_snapshot_record(snap, sel[i]);

		if (!is_remnant(rec))
			print_record(&w, out, snap, rec);
	}
	print_remnants(out, snap, sel, n_sel);
	if (n_hidden) {
		const struct sks_stats *st = sks_snapshot_stats(snap);

		if (st->procs_denied)
			fprintf(out, "owners hidden: could not inspect %llu process%s (reading "
				     "/proc/PID/fd needs CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH)\n",
				(unsigned long long)st->procs_denied,
				st->procs_denied == 1 ? "" : "es");
	}
	for (size_t k = 0; k < n_others; k++)
		print_elsewhere(&w, out, &others[k]);
	if (!held && denied_ns)
		fprintf(out, "could not look into %zu other network namespace%s (entering one "
			     "needs CAP_SYS_ADMIN and access to a process in it)\n",
			denied_ns, denied_ns == 1 ? "" : "s");
	ret = held ? 0 : EXIT_NOMATCH;
flush:
	if (fflush(out) != 0) {
		cli_error("who: cannot write output: %s", strerror(errno));
		ret = EXIT_ERROR;
	}
out:
	for (size_t k = 0; k < n_others; k++) {
		sks_snapshot_free(others[k].snap);
		sks_ctx_free(others[k].ctx);
	}
	free(others);
	free(sel);
	cli_procs_free(&w.procs);
	sks_snapshot_free(snap);
	sks_ctx_free(w.ctx);
	return ret;
}
