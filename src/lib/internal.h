/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal definitions shared by the library's stages: the context, the
 * snapshot that collectors append to and the owner join fills in, and the
 * arena that owns every string and detail block a record points at.
 * Only src/lib/ includes this; the CLI sees sockscope.h alone.
 */
#ifndef SKS_INTERNAL_H
#define SKS_INTERNAL_H

#include <sockscope/sockscope.h>

#include <stdarg.h>
#include <sys/types.h>

#define SKS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Chunked bump allocator: pointers stay valid until sks_arena_release(),
 * which is what lets records hand out borrowed strings.
 */
struct sks_arena_chunk;
struct sks_arena {
	struct sks_arena_chunk *head;
	size_t used;  /* bytes used in head */
	size_t size;  /* bytes available in head */
	size_t total; /* bytes allocated in all chunks */
};

/* Zeroed, 8-byte aligned memory, or NULL on ENOMEM. */
void *sks_arena_alloc(struct sks_arena *a, size_t n);
/* Copy of n bytes plus a NUL, or NULL. */
char *sks_arena_memdup(struct sks_arena *a, const void *src, size_t n);
void sks_arena_release(struct sks_arena *a);

/* util/sysio.c.  Read at most cap bytes of dirfd/name: the length, or -errno. */
ssize_t sks_read_at(int dirfd, const char *name, char *buf, size_t cap);
/*
 * Ask for transparent huge pages over the 2 MiB-aligned middle of a big,
 * freshly allocated block p[0..len) (the owner join's arrays of 10-20 MiB
 * at 400k sockets).  Advice only: small blocks and failures are ignored.
 */
void sks_advise_huge(void *p, size_t len);
/*
 * Enter ctx's network namespace (a no-op for NULL or the caller's own);
 * *ret_old is what sks_netns_leave() needs to switch back.  0 or -errno.
 */
struct sks_ctx;
int sks_netns_enter(const struct sks_ctx *ctx, int *ret_old);
int sks_netns_leave(int old);

struct sks_ctx {
	uint32_t tables;
	uint32_t families;
	uint32_t states;
	uint32_t details;
	enum sks_source source;
	enum sks_owner_mode owners;
	enum sks_owner_source owner_source;
	char *proc_root;
	int netns_fd; /* -1: the caller's namespace */
	sks_warn_fn warn;
	void *warn_data;
	const struct sks_filter *filter; /* borrowed; NULL: everything */
};

struct sks_snapshot {
	struct sks_record *recs;
	size_t n;
	size_t cap;
	struct sks_arena arena;
	struct sks_stats stats;
	/* collection parameters, copied from the context (tests fill them directly) */
	uint32_t tables;
	uint32_t families;
	uint32_t states;
	uint32_t details;
	sks_warn_fn warn;
	void *warn_data;
	/*
	 * INET_DIAG_REQ_BYTECODE payloads for AF_INET / AF_INET6 dumps, compiled
	 * by the driver from the context's filter (empty: no kernel filter).
	 * Collectors attach them as opaque bytes; they never see the filter.
	 */
	struct sks_buf bytecode4;
	struct sks_buf bytecode6;
	/* sks_snapshot_stream(): records go to sink in batches and are forgotten */
	sks_record_fn sink;
	void *sink_data;
	uint64_t streamed; /* records handed to sink so far */
	/* Called on each batch before the sink sees it (the owners of a streamed dump). */
	void (*prepare)(const void *data, struct sks_record *recs, size_t n);
	const void *prepare_data;
};

/* An empty snapshot with the context's parameters (ctx may be NULL: select everything). */
struct sks_snapshot *sks_snap_new(const struct sks_ctx *ctx);
/*
 * Append a zeroed record.  The pointer is valid until the next sks_snap_add():
 * the record array grows by realloc.  NULL on ENOMEM.
 */
struct sks_record *sks_snap_add(struct sks_snapshot *s);
/* Forget the last record added (it failed a user-space check). */
void sks_snap_drop_last(struct sks_snapshot *s);
/*
 * Streaming only (a no-op without a sink): once SKS_STREAM_BATCH records
 * are held, or always with `force`, hand recs[0..n) to the sink, then forget
 * them and the arena their strings live in.  Collectors call it between
 * replies, where they hold no record pointer or index.  0 or the sink's
 * negative return.
 */
#define SKS_STREAM_BATCH 512
int sks_snap_stream_point(struct sks_snapshot *s, bool force);
/* true when the context wants records of this state / inet family. */
bool sks_snap_wants_state(const struct sks_snapshot *s, unsigned state);
bool sks_snap_wants_family(const struct sks_snapshot *s, unsigned af);
void *sks_snap_alloc(struct sks_snapshot *s, size_t n);
char *sks_snap_memdup(struct sks_snapshot *s, const void *src, size_t n);
void sks_snap_warn(struct sks_snapshot *s, enum sks_warn kind, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Map a record's (proto, type) to its SKS_TABLE_* bit, 0 if none. */
uint32_t sks_record_table(const struct sks_record *rec);

/* Monotonic nanoseconds. */
uint64_t sks_now_ns(void);

#endif
