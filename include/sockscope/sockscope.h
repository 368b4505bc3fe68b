/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsockscope: every socket on a Linux machine, with every process that holds it.
 *
 * Sections:
 *   1. constants (protocols, states, owner reasons)
 *   2. records (plain data, owned by a snapshot)
 *   3. context (what to collect and how)
 *   4. snapshot (collect, iterate, free)
 *   5. names and escaping helpers
 *   6. views (table, json)
 *   7. kernel counters (/proc/net/sockstat)
 *   8. filters
 *
 * Conventions, for every function below:
 *   - functions returning int return >= 0 on success and -errno on failure;
 *     ret_* output pointers are written only on success;
 *   - the library never prints on its own and never exits; warnings go to the
 *     callback set with sks_ctx_set_warn();
 *   - every pointer reached from a snapshot (records, strings, owners,
 *     processes) is borrowed: valid until sks_snapshot_free();
 *   - *_free(NULL) is a no-op;
 *   - no function keeps mutable global state; distinct contexts and
 *     snapshots may be used from distinct threads.  Collection in another
 *     network namespace switches the calling thread's namespace for the
 *     duration of sks_snapshot_collect() and switches it back before return.
 */
#ifndef SOCKSCOPE_SOCKSCOPE_H
#define SOCKSCOPE_SOCKSCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SKS_VERSION "0.1.0"

/* ---------------------------------------------------------------- 1. constants */

/* Which kernel table a record came from. */
enum sks_proto {
	SKS_PROTO_TCP = 0,
	SKS_PROTO_UDP,
	SKS_PROTO_RAW,
	SKS_PROTO_UNIX,
	SKS_PROTO_PACKET,
	SKS_PROTO_NETLINK,
	SKS_PROTO_COUNT,
};

/*
 * Selection bits for sks_ctx_set_tables(): one per ss "netid".  UNIX and
 * PACKET split by socket type, as ss does (u_str, u_dgr, u_seq, p_raw, p_dgr).
 */
enum {
	SKS_TABLE_TCP = 1u << 0,
	SKS_TABLE_UDP = 1u << 1,
	SKS_TABLE_RAW = 1u << 2,
	SKS_TABLE_UNIX_STREAM = 1u << 3,
	SKS_TABLE_UNIX_DGRAM = 1u << 4,
	SKS_TABLE_UNIX_SEQPACKET = 1u << 5,
	SKS_TABLE_PACKET_RAW = 1u << 6,
	SKS_TABLE_PACKET_DGRAM = 1u << 7,
	SKS_TABLE_NETLINK = 1u << 8,

	SKS_TABLE_INET = SKS_TABLE_TCP | SKS_TABLE_UDP | SKS_TABLE_RAW,
	SKS_TABLE_UNIX = SKS_TABLE_UNIX_STREAM | SKS_TABLE_UNIX_DGRAM | SKS_TABLE_UNIX_SEQPACKET,
	SKS_TABLE_PACKET = SKS_TABLE_PACKET_RAW | SKS_TABLE_PACKET_DGRAM,
	SKS_TABLE_ALL = SKS_TABLE_INET | SKS_TABLE_UNIX | SKS_TABLE_PACKET | SKS_TABLE_NETLINK,
};

/* Address families for inet tables (sks_ctx_set_inet_families()). */
enum {
	SKS_INET4 = 1u << 0,
	SKS_INET6 = 1u << 1,
};

/*
 * Socket states, numbered as the kernel numbers TCP states (include/net/tcp_states.h),
 * so a state mask is (1u << state), the same mask the kernel's diag requests take.
 * UDP, RAW, PACKET and NETLINK sockets are CLOSE ("UNCONN") or ESTABLISHED;
 * UNIX sockets are CLOSE, LISTEN, ESTABLISHED or SYN_SENT.
 */
enum sks_state {
	SKS_STATE_UNKNOWN = 0,
	SKS_STATE_ESTABLISHED = 1,
	SKS_STATE_SYN_SENT,
	SKS_STATE_SYN_RECV,
	SKS_STATE_FIN_WAIT1,
	SKS_STATE_FIN_WAIT2,
	SKS_STATE_TIME_WAIT,
	SKS_STATE_CLOSE,
	SKS_STATE_CLOSE_WAIT,
	SKS_STATE_LAST_ACK,
	SKS_STATE_LISTEN,
	SKS_STATE_CLOSING,
	SKS_STATE_NEW_SYN_RECV,
	SKS_STATE_BOUND_INACTIVE,
	SKS_STATE_MAX = SKS_STATE_BOUND_INACTIVE,
};

#define SKS_STATES_ALL (((1u << (SKS_STATE_MAX + 1)) - 1) & ~(1u << SKS_STATE_BOUND_INACTIVE))
/* ss's default: connected sockets only. */
#define SKS_STATES_CONNECTED                                                                       \
	(SKS_STATES_ALL & ~((1u << SKS_STATE_LISTEN) | (1u << SKS_STATE_CLOSE) |                   \
			    (1u << SKS_STATE_TIME_WAIT) | (1u << SKS_STATE_SYN_RECV) |             \
			    (1u << SKS_STATE_NEW_SYN_RECV)))
/* ss -l: listening and unconnected (bound datagram) sockets. */
#define SKS_STATES_LISTENING ((1u << SKS_STATE_LISTEN) | (1u << SKS_STATE_CLOSE))

/* Where socket records come from. */
enum sks_source {
	SKS_SOURCE_AUTO = 0, /* netlink diag, falling back to /proc/net per table */
	SKS_SOURCE_NETLINK,  /* netlink diag only; a table without diag support is skipped */
	SKS_SOURCE_PROC,     /* /proc/net text only */
};

/* How much owner information to gather. */
enum sks_owner_mode {
	SKS_OWNERS_NONE = 0, /* no /proc/PID scan */
	SKS_OWNERS_PROCESS,  /* one owner per (process, fd) */
	SKS_OWNERS_THREADS,  /* one owner per (thread, fd), from /proc/PID/task/TID/fd */
};

/* Why a record has no owner. */
enum sks_no_owner {
	SKS_NO_OWNER_NONE = 0,    /* it has owners, or owners were not asked for */
	SKS_NO_OWNER_KERNEL,      /* held by the kernel only: TIME-WAIT, SYN-RECV, orphaned */
	SKS_NO_OWNER_PERMISSION,  /* some processes could not be inspected (need CAP_SYS_PTRACE
				   * and CAP_DAC_READ_SEARCH) */
	SKS_NO_OWNER_VANISHED,    /* the holder exited or closed it during the scan */
	SKS_NO_OWNER_NOT_FOUND,   /* no visible process holds it (another pid namespace) */
};

/* Optional details: sks_ctx_set_details() bits; the same bits in sks_record.has. */
enum {
	SKS_DETAIL_MEMINFO = 1u << 0, /* socket memory (ss -m) */
	SKS_DETAIL_TCPINFO = 1u << 1, /* tcp_info and congestion control (ss -i) */
	SKS_DETAIL_EXTENDED = 1u << 2, /* v6only, shutdown, mark, cgroup (ss -e) */
};

/* ------------------------------------------------------------------ 2. records */

/* An inet endpoint.  family is AF_INET (addr[0..3] used) or AF_INET6. */
struct sks_endpoint {
	uint8_t family;
	uint8_t addr[16]; /* network byte order */
	uint16_t port;    /* host byte order */
	uint32_t scope_id;
};

struct sks_inet {
	struct sks_endpoint local;
	struct sks_endpoint peer;
	uint8_t protocol; /* IPPROTO_* (RAW: the raw protocol) */
	uint8_t timer;    /* 0 none, 1 on (retransmit), 2 keepalive, 3 timewait, 4 persist */
	uint8_t retrans;  /* timer retransmissions */
	int8_t v6only;    /* -1 unknown */
	uint32_t expires_ms;
};

struct sks_unix {
	const char *path;   /* NULL when unbound; abstract names WITHOUT the leading NUL */
	uint32_t path_len;  /* bytes in path; paths may hold any byte, including NUL */
	bool abstract;      /* the name lives in the abstract namespace */
	uint64_t peer_inode; /* 0 when not connected */
};

struct sks_packet {
	uint16_t protocol; /* ethertype, host byte order (ETH_P_ALL = 3) */
	uint32_t ifindex;  /* 0: all interfaces */
};

struct sks_netlink {
	uint32_t protocol; /* NETLINK_ROUTE, ... */
	uint32_t portid;
	uint32_t dst_portid;
	uint32_t dst_group;
	uint32_t groups; /* first 32 multicast groups joined (bitmask) */
};

/* ss -m: kernel's SK_MEMINFO_* vector. */
struct sks_meminfo {
	uint32_t rmem_alloc, rcvbuf, wmem_alloc, sndbuf, fwd_alloc, wmem_queued, optmem, backlog,
		drops;
};

/*
 * ss -i: a stable subset of the kernel's struct tcp_info.  Times are in
 * microseconds unless named _ms.  Fields the running kernel does not report
 * are zero.
 */
struct sks_tcpinfo {
	uint8_t ca_state, retransmits, probes, backoff, options, snd_wscale, rcv_wscale;
	uint8_t delivery_rate_app_limited;
	uint32_t rto, ato, snd_mss, rcv_mss, unacked, sacked, lost, retrans, fackets;
	uint32_t last_data_sent_ms, last_ack_sent_ms, last_data_recv_ms, last_ack_recv_ms;
	uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd, advmss, reordering;
	uint32_t rcv_rtt, rcv_space, total_retrans;
	uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
	uint32_t segs_out, segs_in, notsent_bytes, min_rtt, data_segs_in, data_segs_out;
	uint64_t delivery_rate, busy_time, rwnd_limited, sndbuf_limited;
	uint32_t delivered, delivered_ce;
	uint64_t bytes_sent, bytes_retrans;
	uint32_t dsack_dups, reord_seen, rcv_ooopack, snd_wnd;
	char cong[16]; /* congestion control algorithm, "" if unknown */
};

/* A process seen holding at least one socket. */
struct sks_process {
	int32_t pid;
	uint32_t uid;           /* real uid */
	uint64_t start_time;    /* clock ticks after boot (/proc/PID/stat field 22) */
	const char *comm;       /* kernel's 15-byte name, raw bytes */
	uint32_t comm_len;
	const char *name;       /* best full program name (see sks_owner docs), raw bytes */
	uint32_t name_len;
	const char *user;       /* user name, or NULL when the uid has none */
};

/*
 * One holder of a socket: a (process, fd) pair, or (thread, fd) in thread mode.
 * name: comm, extended from argv[0] or the exe link when comm was cut at 15 bytes.
 */
struct sks_owner {
	const struct sks_process *proc;
	int32_t tid; /* thread id in thread mode, else 0 */
	int32_t fd;
};

struct sks_record {
	uint8_t proto;  /* enum sks_proto */
	uint8_t family; /* AF_INET, AF_INET6, AF_UNIX, AF_PACKET, AF_NETLINK */
	uint8_t type;   /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW */
	uint8_t state;  /* enum sks_state */
	uint8_t no_owner; /* enum sks_no_owner, set when owners were asked for and none found */
	uint8_t shutdown; /* SHUT_* bits + 1 when known (0: unknown), -e */
	uint16_t has;   /* SKS_DETAIL_* bits present in this record */
	uint32_t rqueue; /* Recv-Q (listeners: accept backlog) */
	uint32_t wqueue; /* Send-Q (listeners: max backlog) */
	uint32_t uid;
	uint32_t ifindex; /* bound device (SO_BINDTODEVICE), 0 none */
	uint32_t mark;    /* SO_MARK, with SKS_DETAIL_EXTENDED and CAP_NET_ADMIN */
	uint64_t inode;
	uint64_t cookie; /* 0 when unknown (/proc source) */
	uint64_t cgroup_id;
	union {
		struct sks_inet inet;       /* TCP, UDP, RAW */
		struct sks_unix unx;        /* UNIX */
		struct sks_packet packet;   /* PACKET */
		struct sks_netlink netlink; /* NETLINK */
	};
	const struct sks_meminfo *mem; /* NULL unless SKS_DETAIL_MEMINFO */
	const struct sks_tcpinfo *tcp; /* NULL unless SKS_DETAIL_TCPINFO and TCP */
	const struct sks_owner *owners; /* n_owners entries, sorted by pid, tid, fd */
	uint32_t n_owners;
};

/* ------------------------------------------------------------------ 3. context */

struct sks_ctx;

enum sks_warn {
	SKS_WARN_UNSUPPORTED = 1, /* a table is not available from the chosen source */
	SKS_WARN_PERMISSION,      /* processes could not be inspected (once per snapshot) */
	SKS_WARN_DUMP_INTR,       /* a dump kept being interrupted; records may be inconsistent */
	SKS_WARN_FALLBACK,        /* netlink diag unavailable, /proc/net used */
	SKS_WARN_OTHER,
};

/* msg is one line without a newline, valid only during the call. */
typedef void (*sks_warn_fn)(void *userdata, enum sks_warn kind, int err, const char *msg);

int sks_ctx_new(struct sks_ctx **ret_ctx);
void sks_ctx_free(struct sks_ctx *ctx);

/* SKS_TABLE_* mask; default SKS_TABLE_ALL.  -EINVAL on unknown bits. */
int sks_ctx_set_tables(struct sks_ctx *ctx, uint32_t tables);
/* SKS_INET4|SKS_INET6 mask for inet tables; default both.  -EINVAL if 0 or unknown bits. */
int sks_ctx_set_inet_families(struct sks_ctx *ctx, uint32_t families);
/* (1u << enum sks_state) mask; default SKS_STATES_CONNECTED. -EINVAL on unknown bits. */
int sks_ctx_set_states(struct sks_ctx *ctx, uint32_t states);
int sks_ctx_set_source(struct sks_ctx *ctx, enum sks_source source);
int sks_ctx_set_owners(struct sks_ctx *ctx, enum sks_owner_mode mode);
/* SKS_DETAIL_* mask; default 0. */
int sks_ctx_set_details(struct sks_ctx *ctx, uint32_t details);
/* Root of the proc file system (default "/proc"); copied. -ENOMEM, -EINVAL on "". */
int sks_ctx_set_proc_root(struct sks_ctx *ctx, const char *path);
/*
 * Collect in another network namespace.  spec is a name under /var/run/netns,
 * a path to a namespace file, or a decimal pid.  The namespace is opened now:
 * -ENOENT, -EACCES, ... from open(2); -EINVAL if it is not a network namespace.
 * NULL returns to the caller's own namespace.
 */
int sks_ctx_set_netns(struct sks_ctx *ctx, const char *spec);
void sks_ctx_set_warn(struct sks_ctx *ctx, sks_warn_fn fn, void *userdata);

/* ----------------------------------------------------------------- 4. snapshot */

struct sks_snapshot;

/* What a collection saw, and what it could not see. */
struct sks_stats {
	uint64_t records;          /* records kept */
	uint64_t received;         /* records received from the kernel before user-space checks */
	uint64_t dumps;            /* netlink dump requests made */
	uint64_t dump_retries;     /* dumps restarted after NLM_F_DUMP_INTR */
	uint64_t procs_scanned;
	uint64_t procs_vanished;   /* exited during the scan */
	uint64_t procs_denied;     /* /proc/PID/fd not readable */
	uint64_t fds_scanned;
	uint64_t socket_fds;
	uint64_t collect_ns;       /* wall time of sks_snapshot_collect() */
	uint32_t tables_proc;      /* SKS_TABLE_* read from /proc/net */
	uint32_t tables_netlink;   /* SKS_TABLE_* read from netlink diag */
	uint32_t tables_unsupported; /* SKS_TABLE_* the kernel does not offer */
};

/*
 * Collect every socket the context selects, then (if asked) every owner.
 * Returns -errno when nothing could be collected (e.g. -EPROTONOSUPPORT,
 * -EACCES, -ENOMEM); partial problems are warnings, counted in the stats.
 */
int sks_snapshot_collect(struct sks_ctx *ctx, struct sks_snapshot **ret_snap);
void sks_snapshot_free(struct sks_snapshot *snap);

size_t sks_snapshot_count(const struct sks_snapshot *snap);
/* i < sks_snapshot_count(); records are in collection order. */
const struct sks_record *sks_snapshot_record(const struct sks_snapshot *snap, size_t i);
const struct sks_stats *sks_snapshot_stats(const struct sks_snapshot *snap);
/* Sort records in place, in ss's order: table, then local address, then peer. */
void sks_snapshot_sort(struct sks_snapshot *snap);

/* ------------------------------------------------------ 5. names and escaping */

/* "tcp", "udp", "raw", "u_str", "u_dgr", "u_seq", "p_raw", "p_dgr", "nl", or "???" */
const char *sks_record_netid(const struct sks_record *rec);
/* ss's state names: "ESTAB", "LISTEN", "UNCONN", "TIME-WAIT", ... */
const char *sks_state_name(unsigned state);
/* Parse an ss state name or group ("established", "syn-sent", "connected", "all",
 * "synchronized", "bucket", "big"), case-insensitive, into a mask.  -EINVAL if unknown. */
int sks_state_parse(const char *word, uint32_t *ret_mask);
/* "kernel", "permission", "vanished", "not-found", or "" */
const char *sks_no_owner_name(unsigned reason);
/* One-line human explanation of a missing owner. */
const char *sks_no_owner_text(unsigned reason);
/* "NETLINK_ROUTE"-style short names ("rtnl", "sock_diag", ...) or NULL */
const char *sks_netlink_proto_name(uint32_t protocol);

/*
 * Growing byte buffer with a cap.  Functions return 0 or -ENOMEM (also when
 * growing would pass the cap).  Initialise with SKS_BUF_INIT or zero; release
 * with sks_buf_release().  data is NUL-terminated after any successful append.
 */
struct sks_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* 0: SKS_BUF_DEFAULT_MAX */
};
#define SKS_BUF_INIT { NULL, 0, 0, 0 }
#define SKS_BUF_DEFAULT_MAX ((size_t)1 << 30)
int sks_buf_append(struct sks_buf *b, const void *data, size_t len);
int sks_buf_putc(struct sks_buf *b, char c);
int sks_buf_printf(struct sks_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sks_buf_reset(struct sks_buf *b);
void sks_buf_release(struct sks_buf *b);

/*
 * Terminal-safe text: printable ASCII and valid printable UTF-8 pass through;
 * control bytes become \n \t \r \\ or \xHH, DEL and invalid UTF-8 bytes \xHH,
 * C1 controls, bidi overrides/isolates and other format characters \u{XXXX}.
 * A backslash becomes "\\", so the escaping is reversible.
 */
int sks_escape_text(struct sks_buf *out, const void *src, size_t len);
/*
 * JSON string body (no quotes): valid UTF-8 passes through, with JSON's
 * mandatory escapes and \u00XX for controls; each invalid UTF-8 byte becomes
 * U+FFFD.  Returns 1 if a byte was replaced (the caller then also emits the
 * raw bytes, e.g. as hex), 0 if the text was valid, -ENOMEM.
 */
int sks_escape_json(struct sks_buf *out, const void *src, size_t len);
/* true when src holds only valid UTF-8 (no overlongs, surrogates, > U+10FFFF). */
bool sks_utf8_valid(const void *src, size_t len);

/* -------------------------------------------------------------------- 6. views */

/* Columns and details for the table and JSON views. */
enum {
	SKS_VIEW_NUMERIC = 1u << 0,   /* -n: no service names */
	SKS_VIEW_RESOLVE = 1u << 1,   /* -r: resolve host names */
	SKS_VIEW_OWNERS = 1u << 2,    /* -p: process column */
	SKS_VIEW_THREADS = 1u << 3,   /* -T: tids in owners */
	SKS_VIEW_EXTENDED = 1u << 4,  /* -e: uid, inode, cookie, ... */
	SKS_VIEW_TIMERS = 1u << 5,    /* -o */
	SKS_VIEW_MEMINFO = 1u << 6,   /* -m */
	SKS_VIEW_TCPINFO = 1u << 7,   /* -i */
	SKS_VIEW_NO_HEADER = 1u << 8, /* -H */
	SKS_VIEW_ONELINE = 1u << 9,   /* -O: details on the record's line */
	SKS_VIEW_NETID = 1u << 10,    /* show the Netid column */
	SKS_VIEW_STATE = 1u << 11,    /* show the State column */
	SKS_VIEW_PAD = 1u << 12,      /* pad columns to fit `width` (terminal) */
};

struct sks_view_opts {
	uint32_t flags; /* SKS_VIEW_* */
	unsigned width; /* terminal width when SKS_VIEW_PAD, else ignored */
};

/* ss-style table.  Returns 0, or -errno from writing (-EIO) or -ENOMEM. */
int sks_view_table(const struct sks_snapshot *snap, const struct sks_view_opts *opts, FILE *out);
/* One JSON document; schema in doc/json.md.  Returns as sks_view_table(). */
int sks_view_json(const struct sks_snapshot *snap, const struct sks_view_opts *opts, FILE *out);

/* ---------------------------------------------------------- 7. kernel counters */

/* /proc/net/sockstat and sockstat6; -1 where the kernel did not report a value. */
struct sks_sockstat {
	int64_t sockets_used;
	int64_t tcp_inuse, tcp_orphan, tcp_tw, tcp_alloc, tcp_mem;
	int64_t udp_inuse, udp_mem, udplite_inuse, raw_inuse, frag_inuse, frag_memory;
	int64_t tcp6_inuse, udp6_inuse, udplite6_inuse, raw6_inuse, frag6_inuse, frag6_memory;
};

/* Read the counters of the context's network namespace. */
int sks_sockstat_read(struct sks_ctx *ctx, struct sks_sockstat *ret_stat);

/* ------------------------------------------------------------------- 8. filters */

/*
 * ss's filter language, fixed where ss is wrong (doc/filter.md): state and
 * exclude words, src/dst/sport/dport/dev/fwmark/cgroup/autobound tests, owner
 * tests (pid, user, uid, comm, process), not/and/or (and binds tighter than
 * or) and parentheses.  A parsed filter is immutable: it may be shared by
 * threads.
 */
struct sks_filter;

#define SKS_FILTER_MAX_LEN 65536 /* bytes in an expression */
#define SKS_FILTER_MAX_DEPTH 64  /* nested parentheses and negations */

struct sks_filter_error {
	unsigned line;   /* 1-based line of the error (expressions read from files span lines) */
	unsigned column; /* 1-based byte column within that line */
	size_t offset;   /* 0-based byte offset in the expression */
	char message[160]; /* one line, lower case, no trailing period */
};

/*
 * Names resolved at parse time.  Pass NULL (or leave members NULL) for the
 * running system: if_nametoindex(3) in the caller's network namespace,
 * the inode of /sys/fs/cgroup/PATH, getservbyname_r(3) (tcp, then udp),
 * getpwnam_r(3), /proc/sys/net/ipv4/ip_local_port_range.  Each callback
 * returns 0 or -errno (-ENOENT: no such name).
 */
struct sks_filter_env {
	int (*dev_index)(void *userdata, const char *name, uint32_t *ret_ifindex);
	int (*cgroup_id)(void *userdata, const char *path, uint64_t *ret_id);
	int (*service_port)(void *userdata, const char *name, uint16_t *ret_port);
	int (*user_uid)(void *userdata, const char *name, uint32_t *ret_uid);
	int (*port_range)(void *userdata, uint16_t *ret_low, uint16_t *ret_high);
	void *userdata;
};

/*
 * Parse len bytes of expr (no NUL needed; NUL bytes are an error).  '#'
 * starting a word comments to the end of the line and newlines are spaces,
 * so the text of a filter file (-F FILE) can be passed as is.  An empty
 * expression matches everything.  Returns 0, -EINVAL for a bad expression
 * (ret_err, if not NULL, says what and where), -ENOMEM.
 */
int sks_filter_parse(const char *expr, size_t len, const struct sks_filter_env *env,
		     struct sks_filter **ret_filter, struct sks_filter_error *ret_err);
void sks_filter_free(struct sks_filter *f);

/*
 * Does the record pass?  Reads only the record (and its owners and their
 * processes).  Records the kernel already filtered must still be checked:
 * bytecode is a superset.  Known approximation (as in ss): user space sees
 * no SOCK_BINDPORT_LOCK, so `autobound` tests that the local port is in the
 * ephemeral range read at parse time.
 */
bool sks_filter_match(const struct sks_filter *f, const struct sks_record *rec);

/*
 * States the filter can match.  false: the filter names no state (use your
 * default, e.g. SKS_STATES_CONNECTED).  true: *ret_mask is a superset of the
 * states of matching records (maybe 0: nothing can match); ask the kernel
 * for exactly these.
 */
bool sks_filter_states(const struct sks_filter *f, uint32_t *ret_mask);
/* true when a predicate reads owners (pid, user, comm, process): collect them. */
bool sks_filter_needs_owners(const struct sks_filter *f);
/* SKS_DETAIL_* the predicates read (fwmark, cgroup: SKS_DETAIL_EXTENDED). */
uint32_t sks_filter_details(const struct sks_filter *f);

/* sks_filter_bytecode() flags: leave a condition the kernel would refuse out. */
enum {
	SKS_FILTER_BC_NO_MARK = 1u << 0,   /* MARK_COND needs CAP_NET_ADMIN, else -EPERM */
	SKS_FILTER_BC_NO_CGROUP = 1u << 1, /* older kernels refuse CGROUP_COND (-EINVAL) */
	SKS_FILTER_BC_NO_EQ = 1u << 2,     /* older kernels refuse S_EQ/D_EQ: use GE and LE */
};

/*
 * Compile the filter into an INET_DIAG_REQ_BYTECODE attribute payload for an
 * inet dump of `family` (AF_INET or AF_INET6), replacing out's contents.
 * The program accepts a superset of the records sks_filter_match() accepts:
 * tests the kernel cannot run (owners, uid, nested state words) are widened
 * to "true" where that keeps a superset and narrowed to "false" under a
 * negation.  Returns 0 (out->len == 0: nothing worth sending, dump
 * unfiltered), -EINVAL (bad family or flags), -ENOMEM.  Every program is
 * checked against a model of the kernel's inet_diag_bc_audit() before it is
 * returned.  The prelude's states are not in the program: pass
 * sks_filter_states() as the request's idiag_states.
 */
int sks_filter_bytecode(const struct sks_filter *f, int family, unsigned flags,
			struct sks_buf *out);

/*
 * The parsed filter as canonical text, fully parenthesised, ports and users
 * numeric, e.g. "(dport == 22 or (sport >= 1024 and src 10.0.0.0/8))".
 * For --explain style output and tests.  0 or -ENOMEM.
 */
int sks_filter_format(const struct sks_filter *f, struct sks_buf *out);

#ifdef __cplusplus
}
#endif
#endif /* SOCKSCOPE_SOCKSCOPE_H */
