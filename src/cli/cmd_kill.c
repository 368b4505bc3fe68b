// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockscope kill PORT | unix PATH | FILTER: signal the processes holding
 * the matching listening sockets (connected ones too with --clients or a
 * filter naming their states), after showing them and asking.  Holders are
 * pinned right after the scan and re-checked before the signal, which goes
 * through a pidfd (sks_owner_signal()).  Also -K of the listing, which
 * closes sockets instead of signalling processes.
 */
#include "cli_action.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum { OPT_CLIENTS = 256, OPT_WAIT };

static const struct cli_subopt kill_opts[] = {
	{ "help", 'h', no_argument, NULL, "show this help and exit" },
	{ "signal", 's', required_argument, "SIG",
	  "the signal: a name (TERM, KILL, HUP, ...) or a number; default TERM" },
	{ "clients", OPT_CLIENTS, no_argument, NULL,
	  "also signal the holders of connected sockets on the port" },
	{ "dry-run", 'n', no_argument, NULL, "show what would be signalled, signal nothing" },
	{ "yes", 'y', no_argument, NULL, "do not ask (needed without a terminal)" },
	{ "wait", OPT_WAIT, required_argument, "SECONDS",
	  "then wait up to SECONDS for the sockets to close and say whether they did" },
	{ "tcp", 't', no_argument, NULL, "TCP sockets only" },
	{ "udp", 'u', no_argument, NULL, "UDP sockets only" },
	{ "unix", 'x', no_argument, NULL, "UNIX sockets only" },
	{ "net", 'N', required_argument, "NETNS",
	  "look in a network namespace: a name under /var/run/netns, a path, or a pid" },
};

#define MAX_WAIT_S 3600
#define LISTENING_STATES SKS_STATES_LISTENING

/* One process to signal, with the first socket it was seen holding. */
struct target {
	const struct sks_process *proc;
	const struct sks_record *rec;
	const struct sks_owner *owner;
	struct sks_owner_pin *pin; /* NULL when pinning failed: see pin_err */
	int pin_err;
	size_t n_sockets;
	int status; /* enum sks_signal_status once signalled, or -errno */
};

struct killer {
	/* what to match */
	bool port_mode;
	struct cli_target t;
	struct sks_filter *filter;
	uint32_t tables;
	uint32_t states;
	bool clients;
	/* what to do */
	int sig;
	bool dry_run, yes;
	long wait_s;
	const char *netns;
	struct cli_opts o;
	struct sks_ctx *ctx;
	/* what was found */
	struct target *v;
	size_t n, cap;
	size_t unowned;
	unsigned unowned_reason;
	size_t hidden; /* unowned for lack of permission: holders that cannot be signalled */
	struct cli_procs procs;
};

static int parse_signal(const char *s, int *ret)
{
	char *end;

	if (*s >= '0' && *s <= '9') {
		unsigned long v;

		errno = 0;
		v = strtoul(s, &end, 10);
		if (*end || errno || v < 1 || v >= (unsigned long)NSIG)
			return -EINVAL;
		*ret = (int)v;
		return 0;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *name = sigabbrev_np(i);

		if (name && !strcasecmp(name, s)) {
			*ret = i;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *signal_name(int sig, char *buf, size_t len)
{
	const char *name = sigabbrev_np(sig);

	if (name)
		snprintf(buf, len, "SIG%s", name);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}

/* ------------------------------------------------------------------ selection */

static bool is_listening(const struct sks_record *rec)
{
	return rec->state == SKS_STATE_LISTEN || rec->state == SKS_STATE_CLOSE;
}

static uint32_t table_bit(const struct sks_record *rec)
{
	switch (rec->proto) {
	case SKS_PROTO_TCP:
		return SKS_TABLE_TCP;
	case SKS_PROTO_UDP:
		return SKS_TABLE_UDP;
	case SKS_PROTO_UNIX:
		return SKS_TABLE_UNIX;
	}
	return 0;
}

static bool selected(const struct killer *k, const struct sks_snapshot *snap,
		     const struct sks_record *rec)
{
	const struct sks_record *peer;

	if (rec->state > SKS_STATE_MAX || !(k->states & (1u << rec->state)))
		return false;
	if (!(k->tables & table_bit(rec)))
		return false;
	if (!k->port_mode)
		return sks_filter_match(k->filter, rec);
	if (is_listening(rec))
		return cli_target_local(&k->t, rec);
	/* a connected socket: the server's side, or a client's (its peer is on the target) */
	if (cli_target_local(&k->t, rec) || cli_target_peer(&k->t, rec))
		return true;
	peer = rec->proto == SKS_PROTO_UNIX ? sks_snapshot_peer(snap, rec) : NULL;
	return peer && cli_target_local(&k->t, peer);
}

static struct target *find_target(struct killer *k, int32_t pid)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->v[i].proc->pid == pid)
			return &k->v[i];
	return NULL;
}

static int add_holder(struct killer *k, const struct sks_record *rec, const struct sks_owner *ow)
{
	struct target *t = find_target(k, ow->proc->pid);
	int r;

	if (t) {
		t->n_sockets++;
		if (t->pin) {
			r = sks_owner_pin_add(t->pin, rec, ow);
			if (r < 0)
				return r;
		}
		return 0;
	}
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 16;
		struct target *v = realloc(k->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		k->v = v;
		k->cap = cap;
	}
	t = &k->v[k->n++];
	memset(t, 0, sizeof(*t));
	t->proc = ow->proc;
	t->rec = rec;
	t->owner = ow;
	t->n_sockets = 1;
	t->status = -1;
	/* Pinned now, right after the scan: the start time check covers the gap. */
	r = sks_owner_pin(k->ctx, rec, ow, &t->pin);
	if (r == -EXDEV || r == -ENOMEM || r == -EMFILE)
		return r;
	t->pin_err = r;
	return 0;
}

static int cmp_target(const void *a, const void *b)
{
	const struct target *x = a, *y = b;

	return (x->proc->pid > y->proc->pid) - (x->proc->pid < y->proc->pid);
}

static int scan(struct killer *k, const struct sks_snapshot *snap)
{
	int r;

	for (size_t i = 0; i < sks_snapshot_count(snap); i++) {
		const struct sks_record *rec = sks_snapshot_record(snap, i);

		if (!selected(k, snap, rec))
			continue;
		if (!rec->n_owners) {
			if (rec->state != SKS_STATE_TIME_WAIT) {
				k->unowned++;
				k->unowned_reason = rec->no_owner;
				k->hidden += rec->no_owner == SKS_NO_OWNER_PERMISSION;
			}
			continue;
		}
		for (uint32_t j = 0; j < rec->n_owners; j++) {
			r = add_holder(k, rec, &rec->owners[j]);
			if (r < 0)
				return r;
		}
	}
	if (k->n > 1)
		qsort(k->v, k->n, sizeof(*k->v), cmp_target);
	return 0;
}

/* Sockets still matching (kernel-held remnants aside), for --wait. */
static size_t remaining(const struct killer *k, const struct sks_snapshot *snap)
{
	size_t n = 0;

	for (size_t i = 0; i < sks_snapshot_count(snap); i++) {
		const struct sks_record *rec = sks_snapshot_record(snap, i);

		n += rec->inode && rec->state != SKS_STATE_TIME_WAIT && selected(k, snap, rec);
	}
	return n;
}

/* ------------------------------------------------------------------ output */

static void print_target(struct killer *k, const struct target *t, const char *why)
{
	struct sks_buf b = SKS_BUF_INIT;
	struct cli_proc *cp;

	cli_format_name(&b, t->proc);
	printf("  pid %d %s (user ", (int)t->proc->pid, b.data ? b.data : "?");
	sks_buf_reset(&b);
	cli_format_user(&b, t->proc);
	printf("%s", b.data ? b.data : "?");
	sks_buf_reset(&b);
	cli_format_local(&b, t->rec);
	printf("): %s %s %s fd %d", sks_record_netid(t->rec), sks_state_name(t->rec->state),
	       b.data, (int)t->owner->fd);
	if (t->n_sockets > 1)
		printf(" and %zu more", t->n_sockets - 1);
	if (why)
		printf(" -- %s", why);
	putchar('\n');
	sks_buf_release(&b);
	cp = cli_procs_get(&k->procs, k->ctx, t->proc);
	if (cp && cp->have_details && cp->cmdline.len) {
		struct sks_buf c = SKS_BUF_INIT;

		cli_format_cmdline(&c, cp->cmdline.data, cp->cmdline.len);
		printf("      %s%s\n", c.data ? c.data : "", cp->cmdline_cut ? " ..." : "");
		sks_buf_release(&c);
	}
}

/* List the plan; returns how many processes can be signalled. */
static size_t print_plan(struct killer *k)
{
	char sname[32];
	size_t ok = 0, refused = 0, gone = 0;

	for (size_t i = 0; i < k->n; i++) {
		const struct target *t = &k->v[i];

		if (!t->pin)
			gone++;
		else if (sks_owner_pin_protected(t->pin))
			refused++;
		else
			ok++;
	}
	signal_name(k->sig, sname, sizeof(sname));
	if (ok) {
		printf("%s %s to:\n", k->dry_run ? "would send" : "will send", sname);
		for (size_t i = 0; i < k->n; i++)
			if (k->v[i].pin && !sks_owner_pin_protected(k->v[i].pin))
				print_target(k, &k->v[i], NULL);
	}
	if (refused) {
		printf("never signalled:\n");
		for (size_t i = 0; i < k->n; i++)
			if (k->v[i].pin && sks_owner_pin_protected(k->v[i].pin))
				print_target(k, &k->v[i],
					     sks_protect_text(sks_owner_pin_protected(k->v[i].pin)));
	}
	if (gone) {
		printf("already gone:\n");
		for (size_t i = 0; i < k->n; i++)
			if (!k->v[i].pin)
				print_target(k, &k->v[i],
					     k->v[i].pin_err == -ESRCH
						     ? "exited since the scan"
						     : strerror(-k->v[i].pin_err));
	}
	if (k->unowned)
		printf("no visible owner: %zu matching socket%s (%s)\n", k->unowned,
		       k->unowned == 1 ? "" : "s", sks_no_owner_text(k->unowned_reason));
	return ok;
}

/* Ask on the terminal; EOF or anything but y/yes is no. */
static bool confirm(size_t n, const char *sname)
{
	char line[64];

	fprintf(stderr, "send %s to %zu process%s? [y/N] ", sname, n, n == 1 ? "" : "es");
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin)) {
		fputc('\n', stderr);
		return false;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return !strcasecmp(line, "y") || !strcasecmp(line, "yes");
}

static int wait_free(struct killer *k)
{
	struct timespec step = { 0, 100 * 1000 * 1000 };
	uint64_t deadline = (uint64_t)time(NULL) + (uint64_t)k->wait_s;
	struct sks_snapshot *snap = NULL;
	size_t left = 0;
	int r;

	for (;;) {
		r = sks_snapshot_collect(k->ctx, &snap);
		if (r < 0) {
			cli_error("kill: cannot collect sockets: %s", strerror(-r));
			return EXIT_ERROR;
		}
		left = remaining(k, snap);
		sks_snapshot_free(snap);
		if (!left || (uint64_t)time(NULL) >= deadline)
			break;
		nanosleep(&step, NULL);
	}
	if (!left) {
		if (k->port_mode)
			printf("%s is free\n", k->t.text);
		else
			printf("every matching socket is closed\n");
		return 0;
	}
	printf("after %lds, %zu matching socket%s still open\n", k->wait_s, left,
	       left == 1 ? " is" : "s are");
	return EXIT_ERROR;
}

/* ------------------------------------------------------------------ main */

static const char *kill_usage =
	"sockscope kill [OPTIONS] PORT | ADDR:PORT | PORT/PROTO | unix PATH | FILTER";

static int parse_operands(struct killer *k, int argc, char **argv, uint32_t only_tables)
{
	int used;

	if (argc < 1) {
		cli_error("kill: missing PORT, unix PATH or FILTER");
		return -EINVAL;
	}
	/* Filters start with a word or '(': a digit, ':', '*' or '[' is an address. */
	if (!strcmp(argv[0], "unix") || !strncmp(argv[0], "unix:", 5) ||
	    strchr("0123456789:*[", argv[0][0])) {
		if (cli_target_parse(argc, argv, false, &k->t, &used) < 0)
			return -EINVAL;
		if (used != argc) {
			cli_error("kill: unexpected %s after the address", cli_quote(argv[used]));
			return -EINVAL;
		}
		k->port_mode = true;
		k->tables = k->t.tables & (only_tables ? only_tables : SKS_TABLE_ALL);
		k->states = LISTENING_STATES | (k->clients ? SKS_STATES_CONNECTED : 0);
	} else {
		struct sks_buf expr = { .max = SKS_FILTER_MAX_LEN };
		struct sks_filter_error err;
		uint32_t mask;
		int r = 0;

		for (int i = 0; i < argc && r >= 0; i++) {
			if (i)
				r = sks_buf_putc(&expr, ' ');
			if (r >= 0)
				r = sks_buf_append(&expr, argv[i], strlen(argv[i]));
		}
		if (r >= 0)
			r = sks_filter_parse(expr.data, expr.len, NULL, &k->filter, &err);
		sks_buf_release(&expr);
		if (r == -EINVAL) {
			cli_error("kill: filter: %s at column %u", err.message, err.column);
			return r;
		}
		if (r < 0) {
			cli_error("kill: filter: %s", strerror(-r));
			return r;
		}
		k->tables = only_tables ? only_tables : SKS_TABLE_TCP | SKS_TABLE_UDP | SKS_TABLE_UNIX;
		if (sks_filter_states(k->filter, &mask))
			k->states = mask;
		else
			k->states = LISTENING_STATES | (k->clients ? SKS_STATES_CONNECTED : 0);
		snprintf(k->t.text, sizeof(k->t.text), "the matching sockets");
	}
	return 0;
}

int cmd_kill(int argc, char **argv)
{
	struct killer k = { .sig = SIGTERM };
	struct cli_subopt_parser p;
	struct sks_snapshot *snap = NULL;
	uint32_t only = 0;
	size_t ok, failed = 0;
	char sname[32];
	int c, r, ret = EXIT_ERROR;

	cli_subopt_init(&p, kill_opts, sizeof(kill_opts) / sizeof(kill_opts[0]));
	while ((c = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_subopt_usage(stdout, kill_usage,
					 "Signal the processes holding matching listening sockets "
					 "(connected ones with --clients or a filter naming them).",
					 kill_opts, sizeof(kill_opts) / sizeof(kill_opts[0]));
			return 0;
		case 's':
			if (parse_signal(optarg, &k.sig) < 0) {
				cli_error("kill: unknown signal %s", cli_quote(optarg));
				return EXIT_ERROR;
			}
			break;
		case OPT_CLIENTS:
			k.clients = true;
			break;
		case 'n':
			k.dry_run = true;
			break;
		case 'y':
			k.yes = true;
			break;
		case OPT_WAIT: {
			char *end;

			errno = 0;
			k.wait_s = strtol(optarg, &end, 10);
			if (*end || errno || !*optarg || k.wait_s < 0 || k.wait_s > MAX_WAIT_S) {
				cli_error("kill: bad --wait %s (0 to %d seconds)", cli_quote(optarg),
					  MAX_WAIT_S);
				return EXIT_ERROR;
			}
			break;
		}
		case 't':
			only |= SKS_TABLE_TCP;
			break;
		case 'u':
			only |= SKS_TABLE_UDP;
			break;
		case 'x':
			only |= SKS_TABLE_UNIX;
			break;
		case 'N':
			k.netns = optarg;
			break;
		default:
			return cli_subopt_error("kill", c, argv);
		}
	}
	if (parse_operands(&k, argc - optind, argv + optind, only) < 0)
		goto out;
	if (!k.tables) {
		cli_error("kill: no socket tables left to look in");
		goto out;
	}
	/* Every state: a UNIX client is found through its peer, whatever the selection. */
	k.o.dbs = k.tables;
	k.o.states = SKS_STATES_ALL;
	k.o.owners = SKS_OWNERS_PROCESS;
	k.o.netns = k.netns;
	if (cli_ctx_new(&k.o, &k.ctx) < 0)
		goto out;
	r = sks_snapshot_collect(k.ctx, &snap);
	if (r < 0) {
		cli_error("kill: cannot collect sockets: %s", strerror(-r));
		goto out;
	}
	sks_snapshot_sort(snap);
	r = scan(&k, snap);
	if (r == -EXDEV) {
		cli_error("kill: /proc shows another pid namespace: refusing to signal by pid");
		goto out;
	}
	if (r < 0) {
		cli_error("kill: %s", strerror(-r));
		goto out;
	}
	if (!k.n && !k.unowned) {
		printf("nothing to signal: no process holds %s%s\n",
		       k.port_mode ? "a listening socket on " : "", k.t.text);
		ret = EXIT_NOMATCH;
		goto out;
	}
	ok = print_plan(&k);
	/* Holders hidden for lack of permission cannot be signalled either. */
	failed = k.hidden;
	for (size_t i = 0; i < k.n; i++)
		failed += !k.v[i].pin || sks_owner_pin_protected(k.v[i].pin);
	fflush(stdout);
	signal_name(k.sig, sname, sizeof(sname));
	if (!ok) {
		/* only kernel-held sockets: nothing to signal, not a failure */
		ret = failed ? EXIT_ERROR : EXIT_NOMATCH;
		goto out;
	}
	if (k.dry_run) {
		ret = 0;
		goto out;
	}
	if (!k.yes) {
		if (!isatty(STDIN_FILENO)) {
			cli_error("kill: no terminal to ask on: nothing signalled (use --yes)");
			goto out;
		}
		if (!confirm(ok, sname)) {
			printf("nothing signalled\n");
			ret = EXIT_NOMATCH;
			goto out;
		}
	}
	for (size_t i = 0; i < k.n; i++) {
		struct target *t = &k.v[i];
		struct sks_buf b = SKS_BUF_INIT;

		if (!t->pin || sks_owner_pin_protected(t->pin))
			continue;
		t->status = sks_owner_signal(t->pin, k.sig);
		cli_format_name(&b, t->proc);
		if (t->status == SKS_SIGNAL_SENT)
			printf("pid %d (%s): sent %s\n", (int)t->proc->pid, b.data, sname);
		else if (t->status >= 0)
			printf("pid %d (%s): not signalled: %s\n", (int)t->proc->pid, b.data,
			       sks_signal_status_text((unsigned)t->status));
		else
			printf("pid %d (%s): not signalled: %s\n", (int)t->proc->pid, b.data,
			       strerror(-t->status));
		failed += t->status != SKS_SIGNAL_SENT;
		sks_buf_release(&b);
	}
	fflush(stdout);
	ret = failed ? EXIT_ERROR : 0;
	if (k.wait_s > 0) {
		int w = wait_free(&k);

		if (w)
			ret = w;
	}
	if (failed)
		cli_error("kill: %zu holder%s not signalled", failed, failed == 1 ? " was" : "s were");
out:
	fflush(stdout);
	for (size_t i = 0; i < k.n; i++)
		sks_owner_pin_free(k.v[i].pin);
	free(k.v);
	cli_procs_free(&k.procs);
	sks_filter_free(k.filter);
	sks_snapshot_free(snap);
	sks_ctx_free(k.ctx);
	return ret;
}

/* ------------------------------------------------------------------ -K */

struct destroy_run {
	struct sks_ctx *ctx;
	int fatal;  /* an error every further attempt would repeat (EPERM, EOPNOTSUPP) */
	int err;    /* the first other error */
	size_t failed;
};

static bool destroy_one(void *userdata, const struct sks_record *rec)
{
	struct destroy_run *d = userdata;
	int r;

	if (rec->proto != SKS_PROTO_TCP && rec->proto != SKS_PROTO_UDP)
		return false;
	if (d->fatal) {
		d->failed++;
		return false;
	}
	r = sks_socket_destroy(d->ctx, rec);
	if (r == 0)
		return true;
	/* gone since the dump, or its addresses now belong to another socket: nothing to do */
	if (r == -ENOENT || r == -ESTALE)
		return false;
	d->failed++;
	if (r == -EPERM || r == -EACCES || r == -EOPNOTSUPP || r == -EPROTONOSUPPORT)
		d->fatal = r;
	else if (!d->err)
		d->err = r;
	return false;
}

int cli_kill_sockets(struct sks_ctx *ctx, struct sks_snapshot *snap)
{
	struct destroy_run d = { .ctx = ctx };
	int r;

	sks_snapshot_retain(snap, destroy_one, &d);
	if (!d.failed)
		return 0;
	r = d.fatal ? d.fatal : d.err;
	if (r == -EPERM || r == -EACCES)
		cli_error("cannot close %zu socket%s: permission denied (closing sockets needs "
			  "CAP_NET_ADMIN)",
			  d.failed, d.failed == 1 ? "" : "s");
	else if (r == -EINVAL)
		cli_error("cannot close %zu socket%s: no socket cookie (--source=proc cannot name "
			  "sockets to close)",
			  d.failed, d.failed == 1 ? "" : "s");
	else if (r == -EOPNOTSUPP || r == -EPROTONOSUPPORT)
		cli_error("cannot close %zu socket%s: the kernel cannot destroy sockets (it needs "
			  "CONFIG_INET_DIAG_DESTROY)",
			  d.failed, d.failed == 1 ? "" : "s");
	else
		cli_error("cannot close %zu socket%s: %s", d.failed, d.failed == 1 ? "" : "s",
			  strerror(-r));
	return r;
}
