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
 *   9. actions (process details, peers, signals, socket destroy, bind trials)
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

/* Where the owner join finds holders (sks_ctx_set_owner_source()). */
enum sks_owner_source {
	SKS_OWNER_SOURCE_AUTO = 0, /* BPF when it can run and the snapshot is big enough */
	SKS_OWNER_SOURCE_PROC,     /* scan /proc/PID/fd */
	SKS_OWNER_SOURCE_BPF,      /* a BPF iter/task_file program (CAP_BPF, kernel BTF) */
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
	int32_t tid; /* thread id in thread mode; else 0, or the thread whose private fd table
		      * (unshare(CLONE_FILES)) holds fd when the main table does not */
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
	SKS_WARN_BPF,             /* SKS_OWNER_SOURCE_BPF: the BPF owner iterator cannot run */
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
/*
 * How owners are found; default SKS_OWNER_SOURCE_AUTO, which takes the BPF
 * iterator when the library has it, the caller has CAP_BPF and CAP_PERFMON
 * (or CAP_SYS_ADMIN), the kernel has BTF, the proc root is the procfs of the
 * caller's pid namespace and there are enough sockets (wanted, or in the
 * caller's network namespace) to repay its 50-100 ms load; else (or when it fails: SKS_WARN_FALLBACK) the /proc scan.  Owners
 * and their details are the same either way; the procs_* and *fds stats
 * then count the holders read and the files the iterator visited.  With
 * SKS_OWNER_SOURCE_BPF a snapshot whose iterator cannot run warns
 * (SKS_WARN_BPF, with the reason) and fails with its -errno (-EPERM without
 * the capabilities, -EXDEV when the proc root is another namespace's,
 * -ENOENT or -EINVAL on kernels without BTF or the iterator).  -EINVAL for
 * an unknown source, -EOPNOTSUPP for SKS_OWNER_SOURCE_BPF in a library built
 * without BPF support.
 */
int sks_ctx_set_owner_source(struct sks_ctx *ctx, enum sks_owner_source source);
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

struct sks_filter;
/*
 * Keep only records the filter (section 8) accepts.  The filter is borrowed:
 * it must outlive every collection made with the context.  Its inet part is
 * sent to the kernel as bytecode; every record is checked again in user
 * space; records are dropped before the owner join unless the filter tests
 * owners.  The filter's states are NOT applied: pass sks_filter_states() to
 * sks_ctx_set_states().  NULL removes the filter.
 */
void sks_ctx_set_filter(struct sks_ctx *ctx, const struct sks_filter *filter);

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
	uint64_t warnings;         /* warnings reported through the context's callback */
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

/*
 * A record handed over by sks_snapshot_stream(), borrowed for the duration
 * of the call only.  Return 0 to go on; a negative value stops the
 * collection and is returned by sks_snapshot_stream().
 */
typedef int (*sks_record_fn)(void *userdata, const struct sks_record *rec);

/*
 * Collect like sks_snapshot_collect(), but hand every record to fn in
 * batches as the kernel's replies are parsed, then forget it: memory stays
 * flat however many sockets there are.  With owners, every process's
 * socket fds are found first (30-55 bytes of memory per socket fd) and
 * each record gets its owners as it streams by: a socket opened between
 * that scan and its record shows no owner (SKS_NO_OWNER_NOT_FOUND), as in
 * ss, which also reads /proc first.  The price: no sorting, an interrupted
 * netlink dump is kept as it is (warning) instead of being redone, and
 * there is no fallback to /proc/net once a record was handed over.
 * Records come in collection order.  *ret_stats (may be NULL) gets the
 * collection's stats, records = records handed over.
 */
int sks_snapshot_stream(struct sks_ctx *ctx, sks_record_fn fn, void *userdata,
			struct sks_stats *ret_stats);

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

/*
 * Columns for --fields, keys for sorting and counting.  Owner fields (pid,
 * process, user, fd) have one value per holder of the socket.
 */
enum sks_field {
	SKS_FIELD_NETID = 0,
	SKS_FIELD_PROTO,
	SKS_FIELD_FAMILY,
	SKS_FIELD_TYPE,
	SKS_FIELD_STATE,
	SKS_FIELD_RECV_Q,
	SKS_FIELD_SEND_Q,
	SKS_FIELD_LOCAL,      /* "ADDR:PORT" ([v6]:port), unix path, ... */
	SKS_FIELD_LOCAL_ADDR, /* numeric address; unix: the path */
	SKS_FIELD_LOCAL_PORT, /* inet only */
	SKS_FIELD_PEER,
	SKS_FIELD_PEER_ADDR,
	SKS_FIELD_PEER_PORT,
	SKS_FIELD_UID,
	SKS_FIELD_INODE,
	SKS_FIELD_COOKIE,
	SKS_FIELD_INTERFACE, /* bound device */
	SKS_FIELD_PID,
	SKS_FIELD_PROCESS,
	SKS_FIELD_USER,
	SKS_FIELD_FD,
	SKS_FIELD_NETNS, /* inode of the network namespace (sks_view_opts.netns) */
	SKS_FIELD_COUNT,
};
#define SKS_FIELDS_MAX 32 /* columns, sort keys or count keys in one list */

/*
 * Field by name (len bytes, no NUL needed): "state", "recv-q", "local-addr"
 * (or "local-ip"), "peer-port", "process", ...; -EINVAL if unknown.
 */
int sks_field_parse(const char *name, size_t len, enum sks_field *ret_field);
/* Canonical name ("recv-q"), or NULL. */
const char *sks_field_name(enum sks_field f);
/* true for pid, process, user, fd: the snapshot needs owners. */
bool sks_field_is_owner(enum sks_field f);

/* Output formats of sks_view_write(). */
enum sks_format {
	SKS_FORMAT_TABLE = 0, /* ss's table, or columns with `fields` */
	SKS_FORMAT_JSON,      /* one document (doc/json.md) */
	SKS_FORMAT_JSONL,     /* one record (or count) per line */
	SKS_FORMAT_CSV,       /* RFC 4180, header row */
	SKS_FORMAT_TSV,       /* tab-separated, header row */
	SKS_FORMAT_PROM,      /* Prometheus text exposition */
	SKS_FORMAT_PIDS,      /* owner pids, one per line, each once */
};
/* "table", "json", "jsonl", "csv", "tsv", "prom", "pids"; -EINVAL if unknown. */
int sks_format_parse(const char *name, enum sks_format *ret_format);

struct sks_view_opts {
	uint32_t flags; /* SKS_VIEW_* */
	unsigned width; /* terminal width when SKS_VIEW_PAD, else ignored */
	/* Columns (table, CSV, TSV) or members (JSON, JSONL), in order; NULL: the default. */
	const enum sks_field *fields;
	size_t n_fields;
	/* Non-zero: print counts of records by these keys, largest first, instead of records. */
	const enum sks_field *count_by;
	size_t n_count_by;
	size_t top;         /* at most this many counts; 0: all (records: sks_snapshot_truncate()) */
	size_t max_series;  /* Prometheus: series per metric before the rest is summed; 0: 1000 */
	uint64_t netns;     /* inode of the namespace collected, for SKS_FIELD_NETNS; 0: unknown */
	const char *stamp;  /* non-NULL: a "time" member/column with this text on every line */
};

/* ss-style table.  Returns 0, or -errno from writing (-EIO) or -ENOMEM. */
int sks_view_table(const struct sks_snapshot *snap, const struct sks_view_opts *opts, FILE *out);
/* One JSON document; schema in doc/json.md.  Returns as sks_view_table(). */
int sks_view_json(const struct sks_snapshot *snap, const struct sks_view_opts *opts, FILE *out);
/*
 * Any format, records or (with opts->count_by) counts.  Every string from
 * the system is escaped by the format's rules: JSON strings (plus "_hex"
 * when not UTF-8), CSV quoting of terminal-safe text, Prometheus label
 * escaping of terminal-safe text; the terminal-safe escaping is reversible,
 * so nothing is lost.  Returns 0, -EINVAL (a field the format cannot show),
 * -ENOMEM, -EIO.
 */
int sks_view_write(const struct sks_snapshot *snap, enum sks_format fmt,
		   const struct sks_view_opts *opts, FILE *out);

/* A sort key: a field, ascending unless reverse. */
struct sks_sort_key {
	enum sks_field field;
	bool reverse;
};
/*
 * Stable sort by the keys, in order.  Addresses sort numerically (family,
 * then bytes), unix paths bytewise, owner fields by the first owner (records
 * without owners first), states in the kernel's order.  -ENOMEM, -EINVAL.
 */
int sks_snapshot_sort_by(struct sks_snapshot *snap, const struct sks_sort_key *keys, size_t n);
/* Keep the first n records (a no-op if there are fewer). */
void sks_snapshot_truncate(struct sks_snapshot *snap, size_t n);

/*
 * Incremental writer for records that are not kept (sks_snapshot_stream()):
 * JSONL, CSV, TSV, and TABLE without SKS_VIEW_PAD (-EINVAL otherwise;
 * never counts).  opts is copied; its arrays must
 * outlive the writer.  The header (if any) is written by the first record
 * or by finish.
 */
struct sks_view_writer;
int sks_view_writer_new(enum sks_format fmt, const struct sks_view_opts *opts, FILE *out,
			struct sks_view_writer **ret_writer);
int sks_view_writer_record(struct sks_view_writer *w, const struct sks_record *rec);
/* Write what is buffered.  0, -ENOMEM, -EIO. */
int sks_view_writer_finish(struct sks_view_writer *w);
void sks_view_writer_free(struct sks_view_writer *w);

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
	/*
	 * How a HOST without a family prefix reads, as in ss: 0 (AF_UNSPEC)
	 * an inet address; AF_UNIX a path glob ("unix:" implied) when only
	 * UNIX sockets are listed (sockscope -x 'src *.sock').
	 */
	int default_family;
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
 * bytecode is a superset.  `autobound` means "local port in the ephemeral
 * range read at parse time" (as ss checks in user space): records carry no
 * bind lock, and the kernel's own test also counts accepted connections.
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

/* ------------------------------------------------------------------- 9. actions */

/*
 * Actions work on records a snapshot selected: details of the processes
 * holding them, the other end of local connections, signalling holders
 * safely, closing sockets (SOCK_DESTROY), and asking the kernel whether a
 * bind would succeed.  Where a function takes a context it uses the
 * context's proc root and network namespace; where ctx "may be NULL", NULL
 * means /proc and the caller's own namespace.  Pids are pids of the caller's
 * pid namespace: the proc root must be a procfs of that namespace for pins.
 */

/* One process, read on demand (not during the owner join). */
struct sks_process_details {
	int32_t pid;
	int32_t ppid;        /* 0 for the top of a pid namespace */
	char state;          /* R, S, D, Z, T, ... from /proc/PID/stat */
	uint64_t start_time; /* clock ticks after boot, as sks_process.start_time */
	uint64_t age_ms;     /* how long it has been running */
	int64_t start_epoch; /* when it started, seconds since the epoch */
};

/*
 * Read proc_root/PID/stat (and proc_root/uptime for the age).  ctx may be
 * NULL.  Returns 0, -ENOENT or -ESRCH (no such process), -EINVAL (not a
 * stat line), -EACCES.
 */
int sks_process_details_read(const struct sks_ctx *ctx, int32_t pid,
			     struct sks_process_details *ret);

#define SKS_CMDLINE_MAX 4096 /* default cap of sks_process_cmdline() */

/*
 * The arguments of a process: raw bytes, separated by one NUL, without the
 * final NUL, at most max bytes (0: SKS_CMDLINE_MAX), replacing out's
 * contents.  ctx may be NULL.  Returns 1 when cut at max, 0 when complete
 * (empty for kernel threads and zombies), -ENOENT/-ESRCH, -EACCES, -ENOMEM.
 */
int sks_process_cmdline(const struct sks_ctx *ctx, int32_t pid, size_t max, struct sks_buf *out);

/* Where a process runs, from /proc/PID/cgroup.  Empty strings when unknown. */
struct sks_cgroup {
	char path[512];      /* cgroup v2 path, else systemd's v1 path; cut if longer */
	char unit[256];      /* innermost systemd unit: "nginx.service", "session-2.scope" */
	char container[128]; /* container id (64 hex digits) or name (lxc) */
	char runtime[32];    /* what put it there: "docker", "libpod", "containerd", "crio", "lxc" */
};

/*
 * Parse the text of /proc/PID/cgroup (len bytes, no NUL needed).  Bytes of
 * the path are copied as they are; the caller escapes them.  Returns 0, or
 * -ENOENT when no line names a cgroup.
 */
int sks_cgroup_parse(const char *buf, size_t len, struct sks_cgroup *ret);
/* Read and parse proc_root/PID/cgroup.  ctx may be NULL.  -ENOENT, -ESRCH, -EACCES. */
int sks_process_cgroup(const struct sks_ctx *ctx, int32_t pid, struct sks_cgroup *ret);

/*
 * The other end of a local connection, when it is in snap: for UNIX, the
 * record whose inode is rec's peer inode; for TCP and UDP, the connected
 * record whose local and peer endpoints are rec's swapped (a v4-mapped IPv6
 * address equals its IPv4 address).  NULL when rec is not connected or the
 * other end is not in snap (another host, another namespace, not
 * collected).  Linear in the size of the snapshot.
 */
const struct sks_record *sks_snapshot_peer(const struct sks_snapshot *snap,
					   const struct sks_record *rec);

/*
 * Keep only the records keep() returns true for, in their order.  keep()
 * sees each record once, before any is moved.  Record pointers taken
 * before the call are invalid after it; strings and owners stay valid.
 */
void sks_snapshot_retain(struct sks_snapshot *snap,
			 bool (*keep)(void *userdata, const struct sks_record *rec), void *userdata);

/* A network namespace some process is in. */
struct sks_netns_ref {
	uint64_t inode; /* the namespace's inode, as in "net:[INODE]" */
	int32_t pid;    /* a process in it: its decimal pid is a spec for sks_ctx_set_netns() */
};

/*
 * The network namespaces of the processes under the context's proc root,
 * except the context's own, each once (the lowest pid in it), sorted by
 * inode; the first max go to out.  *ret_denied (may be NULL) gets the number
 * of processes whose namespace could not be read.  Returns the number of
 * namespaces found (may exceed max), -ENOMEM, or -errno from the proc root.
 */
int sks_netns_list(const struct sks_ctx *ctx, struct sks_netns_ref *out, size_t max,
		   size_t *ret_denied);

/* Why a process is never signalled (sks_owner_pin_protected()). */
enum sks_protect {
	SKS_PROTECT_NONE = 0,
	SKS_PROTECT_INIT,     /* pid 1 of the caller's pid namespace */
	SKS_PROTECT_SELF,     /* the calling process */
	SKS_PROTECT_ANCESTOR, /* the caller's parent, grandparent, ... */
};

/* What sks_owner_signal() did. */
enum sks_signal_status {
	SKS_SIGNAL_SENT = 0,
	SKS_SIGNAL_GONE,      /* the pinned process exited; its pid may be another's now */
	SKS_SIGNAL_RELEASED,  /* it runs but no longer holds any pinned socket */
	SKS_SIGNAL_PROTECTED, /* never signalled: pid 1, the caller or its ancestor */
	SKS_SIGNAL_DENIED,    /* the kernel refused: another user's process, no CAP_KILL */
};

/*
 * A holder pinned for signalling: a pidfd (pidfd_open(2); the proc_root/PID
 * directory on kernels without it) opened right after the scan, the start
 * time the scan saw, and the (fd, inode) pairs it held.
 */
struct sks_owner_pin;

/*
 * Pin owner->proc, a holder of rec seen by the owner join (process or
 * thread mode).  Returns 0; -ESRCH when the process is already gone or its
 * pid now names a process that started at another time; -EXDEV when the
 * context's proc root is not a procfs of the caller's pid namespace;
 * -EINVAL; -ENOMEM; -EMFILE.
 */
int sks_owner_pin(const struct sks_ctx *ctx, const struct sks_record *rec,
		  const struct sks_owner *owner, struct sks_owner_pin **ret_pin);
/* Remember one more socket the same process holds.  -EINVAL for another pid, -ENOMEM. */
int sks_owner_pin_add(struct sks_owner_pin *pin, const struct sks_record *rec,
		      const struct sks_owner *owner);
int32_t sks_owner_pin_pid(const struct sks_owner_pin *pin);
/* enum sks_protect, decided when the pin was made (ancestors read from the proc root). */
unsigned sks_owner_pin_protected(const struct sks_owner_pin *pin);
/*
 * Send sig, safely: refuse protected processes; check through the pidfd
 * that the pinned process still exists, that proc_root/PID is still the
 * process that started at the pinned time, and that it still holds one of
 * the pinned socket inodes (at the pinned fd, or at any fd); then signal
 * through the pidfd, so a pid reused meanwhile is never hit.  Returns an
 * enum sks_signal_status, or -EINVAL (bad signal), -errno.  On kernels
 * before 5.1 (no pidfd_send_signal) it falls back to kill(2) after the
 * checks.
 */
int sks_owner_signal(struct sks_owner_pin *pin, int sig);
/* 1 when the pinned process has exited, 0 if it still runs after timeout_ms (0: no wait). */
int sks_owner_pin_wait(struct sks_owner_pin *pin, int timeout_ms);
void sks_owner_pin_free(struct sks_owner_pin *pin);
/* "pid 1 of the pid namespace", "sockscope itself"-style text ("" for NONE). */
const char *sks_protect_text(unsigned why);
/* "signalled", "the process is gone", ... */
const char *sks_signal_status_text(unsigned status);

/*
 * Close a TCP or UDP socket as ss -K does: a SOCK_DESTROY request over
 * NETLINK_SOCK_DIAG, in the context's network namespace, naming the socket
 * by its addresses and its cookie, so a socket that replaced it is never
 * hit.  The owner sees ECONNABORTED; a TCP peer gets a reset.  Returns 0;
 * -EPERM without CAP_NET_ADMIN; -EOPNOTSUPP when the kernel lacks
 * CONFIG_INET_DIAG_DESTROY; -ENOENT when the socket is gone; -ESTALE when
 * another socket holds its addresses now; -EINVAL for other records or a
 * record without a cookie (/proc/net source).
 */
int sks_socket_destroy(struct sks_ctx *ctx, const struct sks_record *rec);

/* A bind a server would make (sks_bind_trial(), sks_bind_conflict()). */
struct sks_bind_target {
	int type;                    /* SOCK_STREAM (TCP) or SOCK_DGRAM (UDP) */
	struct sks_endpoint addr;    /* AF_INET or AF_INET6; port != 0 */
	int v6only;                  /* AF_INET6: 1, 0, or -1 for the system's default */
};

/* The trials: a bind with no option, with SO_REUSEADDR, with SO_REUSEPORT and SO_REUSEADDR. */
enum { SKS_BIND_PLAIN = 0, SKS_BIND_REUSEADDR, SKS_BIND_REUSEPORT, SKS_BIND_TRIALS };

struct sks_bind_result {
	int err[SKS_BIND_TRIALS]; /* 0: bind() succeeded; else its errno (EADDRINUSE, ...) */
	int v6only;               /* AF_INET6: the IPV6_V6ONLY the trials had */
	/* the namespace's sysctls; 0 (and high 0) when unreadable */
	uint32_t unprivileged_port_start; /* net.ipv4.ip_unprivileged_port_start */
	uint16_t ephemeral_low, ephemeral_high; /* net.ipv4.ip_local_port_range */
	bool reserved;            /* the port is in net.ipv4.ip_local_reserved_ports */
};

/*
 * Ask the kernel: bind a socket of t->type to t->addr, in the context's
 * network namespace, as the caller, three times (SKS_BIND_*), closing each
 * socket at once.  TCP sockets never listen, so no connection can reach
 * them; a UDP socket that joins a SO_REUSEADDR/SO_REUSEPORT group exists
 * for microseconds, and a datagram that arrives then is lost.  Returns 0
 * (the outcome is in *ret), -EINVAL (bad target), -errno from socket(2)
 * or setns(2).
 */
int sks_bind_trial(struct sks_ctx *ctx, const struct sks_bind_target *t,
		   struct sks_bind_result *ret);

/* How a socket stands in the way of a bind (sks_bind_conflict()). */
enum sks_bind_conflict {
	SKS_BIND_CLEAR = 0,    /* not in the way */
	SKS_BIND_SAME_ADDRESS, /* bound to the very same address */
	SKS_BIND_WILDCARD,     /* bound to the wildcard address, which covers the target's */
	SKS_BIND_COVERED,      /* the target is the wildcard address, which covers its address */
	SKS_BIND_DUAL_STACK,   /* IPv6 without IPV6_V6ONLY: its [::] covers every IPv4 address */
	SKS_BIND_DUAL_TARGET,  /* the target is dual-stack [::], which covers its IPv4 address */
	SKS_BIND_TIME_WAIT,    /* a TIME-WAIT remnant on an overlapping address */
};

/*
 * Would a socket like rec stand in the way of binding t?  rec must be of
 * t's protocol and port.  Decided from addresses, families, v6only and
 * state the way the kernel's bind conflict check compares them; records do
 * not carry SO_REUSEADDR/SO_REUSEPORT, so whether they actually block is
 * for sks_bind_trial() to say.  Returns an enum sks_bind_conflict.
 */
unsigned sks_bind_conflict(const struct sks_record *rec, const struct sks_bind_target *t);
/* One line of explanation for an enum sks_bind_conflict ("" for CLEAR). */
const char *sks_bind_conflict_text(unsigned why);

#ifdef __cplusplus
}
#endif
#endif /* SOCKSCOPE_SOCKSCOPE_H */
