// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The context (what to collect) and sks_snapshot_collect(), which runs the
 * pipeline's first two stages: collectors (netlink diag, /proc/net fallback
 * per table) inside the chosen network namespace, then the owner join.
 */
#include "internal.h"
#include "collect/collect.h"
#include "owner/owner.h"
#include "owner/owner_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>

int sks_ctx_new(struct sks_ctx **ret_ctx)
{
	struct sks_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->tables = SKS_TABLE_ALL;
	c->families = SKS_INET4 | SKS_INET6;
	c->states = SKS_STATES_CONNECTED;
	c->netns_fd = -1;
	*ret_ctx = c;
	return 0;
}

void sks_ctx_free(struct sks_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->netns_fd >= 0)
		close(ctx->netns_fd);
	free(ctx->proc_root);
	free(ctx);
}

int sks_ctx_set_tables(struct sks_ctx *ctx, uint32_t tables)
{
	if (tables & ~(uint32_t)SKS_TABLE_ALL)
		return -EINVAL;
	ctx->tables = tables;
	return 0;
}

int sks_ctx_set_inet_families(struct sks_ctx *ctx, uint32_t families)
{
	if (!families || (families & ~(uint32_t)(SKS_INET4 | SKS_INET6)))
		return -EINVAL;
	ctx->families = families;
	return 0;
}

int sks_ctx_set_states(struct sks_ctx *ctx, uint32_t states)
{
	if (states & ~((1u << (SKS_STATE_MAX + 1)) - 1))
		return -EINVAL;
	ctx->states = states;
	return 0;
}

int sks_ctx_set_source(struct sks_ctx *ctx, enum sks_source source)
{
	if (source != SKS_SOURCE_AUTO && source != SKS_SOURCE_NETLINK && source != SKS_SOURCE_PROC)
		return -EINVAL;
	ctx->source = source;
	return 0;
}

int sks_ctx_set_owners(struct sks_ctx *ctx, enum sks_owner_mode mode)
{
	if (mode != SKS_OWNERS_NONE && mode != SKS_OWNERS_PROCESS && mode != SKS_OWNERS_THREADS)
		return -EINVAL;
	ctx->owners = mode;
	return 0;
}

int sks_ctx_set_owner_source(struct sks_ctx *ctx, enum sks_owner_source source)
{
	if (source != SKS_OWNER_SOURCE_AUTO && source != SKS_OWNER_SOURCE_PROC &&
	    source != SKS_OWNER_SOURCE_BPF)
		return -EINVAL;
	if (source == SKS_OWNER_SOURCE_BPF && !sks_owner_bpf_built())
		return -EOPNOTSUPP;
	ctx->owner_source = source;
	return 0;
}

int sks_ctx_set_details(struct sks_ctx *ctx, uint32_t details)
{
	if (details & ~(uint32_t)(SKS_DETAIL_MEMINFO | SKS_DETAIL_TCPINFO | SKS_DETAIL_EXTENDED))
		return -EINVAL;
	ctx->details = details;
	return 0;
}

int sks_ctx_set_proc_root(struct sks_ctx *ctx, const char *path)
{
	char *p;

	if (!path || !*path || strlen(path) >= PATH_MAX - 64)
		return -EINVAL;
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	free(ctx->proc_root);
	ctx->proc_root = p;
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int sks_ctx_set_netns(struct sks_ctx *ctx, const char *spec)
{
	char path[PATH_MAX];
	int fd, type;

	if (!spec) {
		if (ctx->netns_fd >= 0)
			close(ctx->netns_fd);
		ctx->netns_fd = -1;
		return 0;
	}
	if (!*spec || strlen(spec) >= sizeof(path) - 32)
		return -EINVAL;
	if (all_digits(spec)) {
		if (strlen(spec) > 10)
			return -EINVAL;
		snprintf(path, sizeof(path), "%s/%s/ns/net", ctx->proc_root ? ctx->proc_root : "/proc",
			 spec);
	} else if (strchr(spec, '/')) {
		snprintf(path, sizeof(path), "%s", spec);
	} else {
		snprintf(path, sizeof(path), "/var/run/netns/%s", spec);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* NS_GET_NSTYPE tells a network namespace from any other file. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET) {
		close(fd);
		return -EINVAL;
	}
	if (ctx->netns_fd >= 0)
		close(ctx->netns_fd);
	ctx->netns_fd = fd;
	return 0;
}

void sks_ctx_set_filter(struct sks_ctx *ctx, const struct sks_filter *filter)
{
	ctx->filter = filter;
}

void sks_ctx_set_warn(struct sks_ctx *ctx, sks_warn_fn fn, void *userdata)
{
	ctx->warn = fn;
	ctx->warn_data = userdata;
}

static const char *proc_root(const struct sks_ctx *ctx)
{
	return ctx->proc_root ? ctx->proc_root : "/proc";
}

static void proc_net_path(const struct sks_ctx *ctx, char *buf, size_t len)
{
	/*
	 * With the real /proc, read the calling thread's view: after setns()
	 * /proc/net (= /proc/self/net, the thread-group leader) may still show
	 * the old namespace in a multi-threaded caller.
	 */
	if (!ctx->proc_root)
		snprintf(buf, len, "/proc/thread-self/net");
	else
		snprintf(buf, len, "%s/net", ctx->proc_root);
}

/* "raw, p_dgr" for a SKS_TABLE_* mask, for warnings. */
static const char *table_names(uint32_t tables, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (uint32_t bit = 1; bit && bit <= SKS_TABLE_ALL; bit <<= 1) {
		struct sks_record probe = { 0 };
		int n;

		if (!(tables & bit))
			continue;
		/* Find the netid of this table through a probe record. */
		for (probe.proto = 0; probe.proto < SKS_PROTO_COUNT; probe.proto++) {
			static const uint8_t types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET,
							 SOCK_RAW };
			bool found = false;

			for (size_t t = 0; t < SKS_ARRAY_SIZE(types); t++) {
				probe.type = types[t];
				if (sks_record_table(&probe) == bit) {
					found = true;
					break;
				}
			}
			if (found)
				break;
		}
		n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
			     sks_record_netid(&probe));
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	return buf;
}

static int collect_sockets(struct sks_ctx *ctx, struct sks_snapshot *s)
{
	uint32_t want = ctx->tables, done = 0, unsupported = 0;
	char pnet[PATH_MAX], names[128];
	int r = 0;

	if (ctx->source != SKS_SOURCE_PROC) {
		r = sks_diag_collect(s, want, &done, &unsupported);
		/* Streamed records cannot be taken back for a fallback. */
		if (r < 0 && (ctx->source == SKS_SOURCE_NETLINK || s->streamed))
			return r;
		if (r < 0) {
			sks_snap_warn(s, SKS_WARN_FALLBACK, -r,
				      "netlink sock_diag unavailable (%s), reading /proc/net",
				      strerror(-r));
			/* Drop a partial dump: the fallback reads every table again. */
			s->n = 0;
			s->stats.records = 0;
			done = unsupported = 0;
		}
		s->stats.tables_netlink = done;
		want &= ~done;
		if (ctx->source == SKS_SOURCE_NETLINK) {
			s->stats.tables_unsupported = want;
			if (want)
				sks_snap_warn(s, SKS_WARN_UNSUPPORTED, EOPNOTSUPP,
					      "netlink sock_diag does not offer %s on this kernel: "
					      "not listed",
					      table_names(want, names, sizeof(names)));
			return 0;
		}
		if (want && r >= 0)
			sks_snap_warn(s, SKS_WARN_FALLBACK, EOPNOTSUPP,
				      "netlink sock_diag does not offer %s on this kernel: "
				      "reading /proc/net",
				      table_names(want, names, sizeof(names)));
	}
	if (want) {
		uint32_t pdone = 0;

		proc_net_path(ctx, pnet, sizeof(pnet));
		r = sks_procnet_collect(s, pnet, want, &pdone);
		if (r < 0)
			return r;
		s->stats.tables_proc = pdone;
		s->stats.tables_unsupported = want & ~pdone;
		if (want & ~pdone)
			sks_snap_warn(s, SKS_WARN_UNSUPPORTED, ENOENT,
				      "this kernel offers no %s sockets: not listed",
				      table_names(want & ~pdone, names, sizeof(names)));
	}
	return 0;
}

/* The kernel reports and tests socket marks only for CAP_NET_ADMIN (else -EPERM). */
static bool have_net_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32));
}

/* Compile the context's filter for the inet dumps of s. */
static int compile_bytecode(const struct sks_ctx *ctx, struct sks_snapshot *s)
{
	unsigned flags = have_net_admin() ? 0 : SKS_FILTER_BC_NO_MARK;
	int r;

	if (!ctx->filter || !(ctx->tables & SKS_TABLE_INET))
		return 0;
	r = sks_filter_bytecode(ctx->filter, AF_INET, flags, &s->bytecode4);
	if (r >= 0)
		r = sks_filter_bytecode(ctx->filter, AF_INET6, flags, &s->bytecode6);
	return r;
}

/* The kernel's bytecode is a superset: every record is checked again here. */
static void keep_matching(struct sks_snapshot *s, const struct sks_filter *f)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (!sks_filter_match(f, &s->recs[i]))
			continue;
		if (n != i)
			s->recs[n] = s->recs[i];
		n++;
	}
	s->n = n;
	s->stats.records = s->streamed + n;
}

/* A streaming sink that passes on only the records the filter accepts. */
struct filtered_sink {
	sks_record_fn fn;
	void *userdata;
	const struct sks_filter *filter;
	uint64_t kept;
};

static int filtered_sink(void *userdata, const struct sks_record *rec)
{
	struct filtered_sink *fs = userdata;

	if (!sks_filter_match(fs->filter, rec))
		return 0;
	fs->kept++;
	return fs->fn(fs->userdata, rec);
}

int sks_snapshot_collect(struct sks_ctx *ctx, struct sks_snapshot **ret_snap)
{
	struct sks_owner_bpf_preload *preload = NULL;
	uint64_t t0 = sks_now_ns();
	struct sks_snapshot *s;
	int old, r;

	s = sks_snap_new(ctx);
	if (!s)
		return -ENOMEM;
	r = compile_bytecode(ctx, s);
	if (r < 0)
		goto fail;
	/* The BPF owner iterator, if it will be used, loads while the sockets are dumped. */
	sks_owner_prepare(proc_root(ctx), ctx->owners, ctx->owner_source, &preload);
	r = sks_netns_enter(ctx, &old);
	if (r < 0)
		goto fail;
	r = collect_sockets(ctx, s);
	{
		int r2 = sks_netns_leave(old);

		if (r >= 0)
			r = r2;
	}
	if (r < 0)
		goto fail;
	/*
	 * Drop what the filter rejects before the owner join when it can, so
	 * only the selected inodes are resolved (names, uids, per-process reads).
	 */
	if (ctx->filter && !sks_filter_needs_owners(ctx->filter))
		keep_matching(s, ctx->filter);
	if (ctx->owners != SKS_OWNERS_NONE) {
		r = sks_owner_join_source(s, proc_root(ctx), ctx->owners, ctx->owner_source,
					  preload);
		preload = NULL; /* taken over */
		if (r < 0)
			goto fail;
	}
	if (ctx->filter && sks_filter_needs_owners(ctx->filter))
		keep_matching(s, ctx->filter);
	s->stats.collect_ns = sks_now_ns() - t0;
	*ret_snap = s;
	return 0;
fail:
	sks_owner_bpf_preload_free(preload);
	sks_snapshot_free(s);
	return r;
}

int sks_snapshot_stream(struct sks_ctx *ctx, sks_record_fn fn, void *userdata,
			struct sks_stats *ret_stats)
{
	struct sks_holders *holders = NULL;
	uint64_t t0 = sks_now_ns();
	struct sks_snapshot *s;
	int old, r;

	struct filtered_sink fs = { fn, userdata, ctx->filter, 0 };

	if (!fn || (ctx->owners == SKS_OWNERS_NONE && ctx->filter &&
		    sks_filter_needs_owners(ctx->filter)))
		return -EINVAL;
	if (ctx->owners != SKS_OWNERS_NONE) {
		/*
		 * Holders first: the records are not kept for a join afterwards.
		 * Nothing runs before the scan, so the BPF load is not started
		 * early (sks_owner_prepare()): the scan loads it in line.
		 */
		struct sks_snapshot *own = sks_snap_new(ctx);

		if (!own)
			return -ENOMEM;
		r = sks_holders_collect(own, proc_root(ctx), ctx->owners, ctx->owner_source, NULL,
					&holders);
		if (r < 0)
			return r;
	}
	s = sks_snap_new(ctx);
	if (!s) {
		sks_holders_free(holders);
		return -ENOMEM;
	}
	if (holders) {
		s->prepare = sks_holders_prepare;
		s->prepare_data = holders;
		sks_holders_add_stats(holders, &s->stats);
	}
	s->sink = ctx->filter ? filtered_sink : fn;
	s->sink_data = ctx->filter ? (void *)&fs : userdata;
	r = compile_bytecode(ctx, s);
	if (r < 0)
		goto out;
	r = sks_netns_enter(ctx, &old);
	if (r < 0)
		goto out;
	r = collect_sockets(ctx, s);
	{
		int r2 = sks_netns_leave(old);

		if (r >= 0)
			r = r2;
	}
	if (r >= 0)
		r = sks_snap_stream_point(s, true);
	s->stats.records = ctx->filter ? fs.kept : s->streamed;
	s->stats.collect_ns = sks_now_ns() - t0;
	if (r >= 0 && ret_stats)
		*ret_stats = s->stats;
out:
	sks_snapshot_free(s);
	sks_holders_free(holders);
	return r;
}

int sks_sockstat_read(struct sks_ctx *ctx, struct sks_sockstat *ret_stat)
{
	char pnet[PATH_MAX];
	int old, r;

	r = sks_netns_enter(ctx, &old);
	if (r < 0)
		return r;
	proc_net_path(ctx, pnet, sizeof(pnet));
	r = sks_procnet_sockstat(pnet, ret_stat);
	{
		int r2 = sks_netns_leave(old);

		if (r >= 0)
			r = r2;
	}
	return r;
}
