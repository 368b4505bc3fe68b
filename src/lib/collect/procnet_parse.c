// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/net text -> socket records: the parsing half of the fallback
 * collector (procnet.c does the I/O).  A pure function of the bytes fed in,
 * line by line, so unit tests and the fuzzer drive it without a kernel.
 * Formats follow the kernel's seq_show functions: tcp_ipv4.c get_tcp4_sock,
 * tcp_ipv6.c get_tcp6_sock, udp.c, raw.c, af_unix.c unix_seq_show,
 * af_packet.c packet_seq_show, af_netlink.c netlink_seq_show.
 */
#include "procnet.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* unix_seq_show prints the listening flag as __SO_ACCEPTCON. */
#define UNIX_FLAG_ACCEPTCON 0x10000u
/* Bytes of sun_path: the most a (possibly newline-split) unix path can hold. */
#define UNIX_PATH_BYTES 108u

struct tok {
	const char *p;
	size_t n;
};

static const char *const file_names[SKS_PROCNET_FILE_COUNT] = {
	[SKS_PROCNET_TCP] = "tcp",	   [SKS_PROCNET_TCP6] = "tcp6",
	[SKS_PROCNET_UDP] = "udp",	   [SKS_PROCNET_UDP6] = "udp6",
	[SKS_PROCNET_RAW] = "raw",	   [SKS_PROCNET_RAW6] = "raw6",
	[SKS_PROCNET_UNIX] = "unix",	   [SKS_PROCNET_PACKET] = "packet",
	[SKS_PROCNET_NETLINK] = "netlink", [SKS_PROCNET_SOCKSTAT] = "sockstat",
};

const char *sks_procnet_file_name(enum sks_procnet_file file)
{
	return (unsigned)file < SKS_PROCNET_FILE_COUNT ? file_names[file] : "?";
}

/* ------------------------------------------------------------ numbers */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Whole token, no sign or prefix, value <= max. */
static bool hex_u64(const char *p, size_t n, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		int d = hexval(p[i]);

		if (d < 0 || (uint64_t)d > max || v > (max - (uint64_t)d) / 16)
			return false;
		v = v * 16 + (uint64_t)d;
	}
	*ret = v;
	return true;
}

static bool dec_u64(const char *p, size_t n, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)p[i] - '0';

		if (d > 9 || d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*ret = v;
	return true;
}

/* Signed decimal in [min, max]; the kernel prints some counters with %d. */
static bool dec_i64(const char *p, size_t n, int64_t min, int64_t max, int64_t *ret)
{
	uint64_t v;

	if (n && p[0] == '-') {
		if (!dec_u64(p + 1, n - 1, (uint64_t)INT64_MAX + 1, &v))
			return false;
		if (v > (uint64_t)INT64_MAX) {
			if (min != INT64_MIN)
				return false;
			*ret = INT64_MIN;
			return true;
		}
		if (-(int64_t)v < min)
			return false;
		*ret = -(int64_t)v;
		return true;
	}
	if (!dec_u64(p, n, (uint64_t)max, &v))
		return false;
	if ((int64_t)v < min)
		return false;
	*ret = (int64_t)v;
	return true;
}

static bool tok_hex(struct tok t, uint64_t max, uint64_t *ret)
{
	return hex_u64(t.p, t.n, max, ret);
}

static bool tok_dec(struct tok t, uint64_t max, uint64_t *ret)
{
	return dec_u64(t.p, t.n, max, ret);
}

static bool tok_eq(struct tok t, const char *s)
{
	size_t n = strlen(s);

	return t.n == n && !memcmp(t.p, s, n);
}

/* "A:B" -> A, B (both non-empty). */
static bool tok_pair(struct tok t, struct tok *a, struct tok *b)
{
	const char *c = memchr(t.p, ':', t.n);

	if (!c)
		return false;
	a->p = t.p;
	a->n = (size_t)(c - t.p);
	b->p = c + 1;
	b->n = t.n - a->n - 1;
	return a->n && b->n;
}

/* "NUM:" with NUM in the given base: the line's index column. */
static bool tok_index(struct tok t, bool hex)
{
	uint64_t v;

	if (t.n < 2 || t.p[t.n - 1] != ':')
		return false;
	return hex ? hex_u64(t.p, t.n - 1, UINT64_MAX, &v) : dec_u64(t.p, t.n - 1, UINT64_MAX, &v);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Split up to max whitespace-separated tokens.  *ret_end points just past
 * the last token taken (the unix path starts one byte after it).
 */
static size_t split(const char *line, size_t len, struct tok *t, size_t max, size_t *ret_end)
{
	size_t i = 0, n = 0;

	*ret_end = 0;
	while (n < max) {
		size_t start;

		while (i < len && is_space(line[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_space(line[i]))
			i++;
		t[n].p = line + start;
		t[n].n = i - start;
		n++;
		*ret_end = i;
	}
	return n;
}

/* ------------------------------------------------------------ records */

/* Count a record the kernel gave us; true if the selection keeps it. */
static bool wanted(struct sks_procnet_parser *p, const struct sks_record *rec)
{
	struct sks_snapshot *s = p->s;

	s->stats.received++;
	return (p->tables & sks_record_table(rec)) && sks_snap_wants_family(s, rec->family) &&
	       sks_snap_wants_state(s, rec->state);
}

static int add(struct sks_procnet_parser *p, const struct sks_record *tmp)
{
	struct sks_record *rec = sks_snap_add(p->s);

	if (!rec)
		return -ENOMEM;
	*rec = *tmp;
	return 0;
}

/*
 * "HHHHHHHH:PPPP" or 32 hex digits for IPv6.  The kernel prints each 32-bit
 * word of the address (s_addr, s6_addr32[i]) as a host-endian integer, so
 * storing the parsed word back in host order restores the network-order bytes.
 */
static bool parse_endpoint(struct tok t, int family, struct sks_endpoint *ep)
{
	size_t words = family == AF_INET ? 1 : 4, i;
	struct tok a, port;
	uint64_t v;

	if (!tok_pair(t, &a, &port) || a.n != words * 8)
		return false;
	for (i = 0; i < words; i++) {
		uint32_t w;

		if (!hex_u64(a.p + i * 8, 8, UINT32_MAX, &v))
			return false;
		w = (uint32_t)v;
		memcpy(ep->addr + i * 4, &w, sizeof(w));
	}
	if (!tok_hex(port, 0xffff, &v))
		return false;
	ep->family = (uint8_t)family;
	ep->port = (uint16_t)v;
	return true;
}

static uint32_t clock_t_to_ms(uint64_t ticks, long hz)
{
	uint64_t ms;

	if (ticks > UINT64_MAX / 1000)
		return UINT32_MAX;
	ms = ticks * 1000 / (uint64_t)hz;
	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/*
 * tcp, udp, raw (v4 and v6):
 *   sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
 * TIME-WAIT and SYN-RECV lines have the same leading columns (inode 0).
 */
static int parse_inet(struct sks_procnet_parser *p, const char *line, size_t len, bool *ret_bad)
{
	enum sks_procnet_file f = p->file;
	int family = (f == SKS_PROCNET_TCP6 || f == SKS_PROCNET_UDP6 || f == SKS_PROCNET_RAW6)
			     ? AF_INET6
			     : AF_INET;
	struct sks_record rec = { 0 };
	struct tok t[10], tx, rx, tr, when;
	uint64_t st, txq, rxq, timer, ticks, retr, uid, inode;
	int64_t probes;
	size_t end;

	*ret_bad = true;
	if (split(line, len, t, 10, &end) != 10 || !tok_index(t[0], false))
		return 0;
	if (!parse_endpoint(t[1], family, &rec.inet.local) ||
	    !parse_endpoint(t[2], family, &rec.inet.peer))
		return 0;
	if (!tok_hex(t[3], 0xff, &st) || st == 0 || st > SKS_STATE_MAX)
		return 0;
	if (!tok_pair(t[4], &tx, &rx) || !tok_hex(tx, UINT32_MAX, &txq) ||
	    !tok_hex(rx, UINT32_MAX, &rxq))
		return 0;
	if (!tok_pair(t[5], &tr, &when) || !tok_hex(tr, 4, &timer) ||
	    !tok_hex(when, UINT64_MAX, &ticks))
		return 0;
	if (!tok_hex(t[6], UINT32_MAX, &retr) || !tok_dec(t[7], UINT32_MAX, &uid) ||
	    !dec_i64(t[8].p, t[8].n, INT32_MIN, INT32_MAX, &probes) ||
	    !tok_dec(t[9], UINT64_MAX, &inode))
		return 0;

	rec.family = (uint8_t)family;
	rec.state = (uint8_t)st;
	/* As ss shows them: rx_queue is Recv-Q (a listener's accept backlog). */
	rec.rqueue = (uint32_t)rxq;
	rec.wqueue = (uint32_t)txq;
	rec.uid = (uint32_t)uid;
	rec.inode = inode;
	rec.inet.v6only = -1;
	rec.inet.timer = (uint8_t)timer;
	rec.inet.expires_ms = timer ? clock_t_to_ms(ticks, p->hz) : 0;
	/*
	 * Match inet_diag: retransmits for the retransmit timer, probes
	 * ("timeout" column, icsk_probes_out) for keepalive and zero-window probes.
	 */
	if (timer == 1)
		rec.inet.retrans = retr > 255 ? 255 : (uint8_t)retr;
	else if ((timer == 2 || timer == 4) && probes > 0)
		rec.inet.retrans = probes > 255 ? 255 : (uint8_t)probes;

	switch (f) {
	case SKS_PROCNET_TCP:
	case SKS_PROCNET_TCP6:
		rec.proto = SKS_PROTO_TCP;
		rec.type = SOCK_STREAM;
		rec.inet.protocol = IPPROTO_TCP;
		break;
	case SKS_PROCNET_UDP:
	case SKS_PROCNET_UDP6:
		rec.proto = SKS_PROTO_UDP;
		rec.type = SOCK_DGRAM;
		rec.inet.protocol = IPPROTO_UDP;
		break;
	default:
		/* raw: the local "port" is the socket's protocol (inet_num). */
		if (rec.inet.local.port > 255)
			return 0;
		rec.proto = SKS_PROTO_RAW;
		rec.type = SOCK_RAW;
		rec.inet.protocol = (uint8_t)rec.inet.local.port;
		break;
	}
	*ret_bad = false;
	return wanted(p, &rec) ? add(p, &rec) : 0;
}

/*
 * A line after a unix record with a path, that is not itself a record: the
 * kernel prints path bytes raw, so a path holding '\n' spills onto the next
 * line(s).  We glue it back with the '\n' as long as the whole path still
 * fits in sun_path (108 bytes); past that it cannot be a path and is counted
 * as malformed.  A path whose continuation happens to be a well-formed
 * record line cannot be told from a real record (a local user can forge a
 * line this way); the inode of such a fake usually has no owner.
 */
static int unix_continue(struct sks_procnet_parser *p, const char *line, size_t len,
			 bool *ret_bad)
{
	struct sks_record *rec;
	char *np;

	*ret_bad = true;
	if (len > UNIX_PATH_BYTES || p->cont_len + 1 + len > UNIX_PATH_BYTES) {
		p->cont_open = false;
		return 0;
	}
	*ret_bad = false;
	p->continued++;
	p->cont_len += 1 + len;
	if (!p->cont_keep || p->cont_idx >= p->s->n)
		return 0;
	rec = &p->s->recs[p->cont_idx];
	np = sks_snap_alloc(p->s, (size_t)rec->unx.path_len + 1 + len + 1);
	if (!np)
		return -ENOMEM;
	memcpy(np, rec->unx.path, rec->unx.path_len);
	np[rec->unx.path_len] = '\n';
	memcpy(np + rec->unx.path_len + 1, line, len);
	np[rec->unx.path_len + 1 + len] = '\0';
	rec->unx.path = np;
	rec->unx.path_len += 1 + (uint32_t)len;
	return 0;
}

/*
 * unix: "Num: RefCount Protocol Flags Type St Inode[ Path]".
 * St is the struct socket state: 01 unconnected, 03 connected, and for
 * sockets without a struct socket (a connection still in a listener's
 * queue, or an orphan) 02 "connecting" / 04 "disconnecting".  Those have
 * no inode, and unix_diag (so ss) skips inode-0 sockets; so do we, keeping
 * both sources alike.  The state is the kernel's sk_state, as unix_diag
 * reports it: LISTEN (Flags __SO_ACCEPTCON), ESTABLISHED (St 03) or CLOSE.
 */
static int parse_unix(struct sks_procnet_parser *p, const char *line, size_t len, bool *ret_bad)
{
	struct sks_record rec = { 0 };
	struct tok t[7];
	uint64_t v, flags, type, st, inode;
	const char *path = NULL;
	size_t end, plen = 0;
	int r;

	*ret_bad = true;
	if (split(line, len, t, 7, &end) != 7 || !tok_index(t[0], true) ||
	    !tok_hex(t[1], UINT32_MAX, &v) || !tok_hex(t[2], UINT32_MAX, &v) ||
	    !tok_hex(t[3], UINT32_MAX, &flags) || !tok_hex(t[4], 0xffff, &type) ||
	    !tok_hex(t[5], 0xff, &st) || !tok_dec(t[6], UINT64_MAX, &inode))
		goto not_record;
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		goto not_record;
	if (st < 1 || st > 4)
		goto not_record;
	if (end < len) {
		/* One space, then the path: every byte to the end of the line. */
		path = line + end + 1;
		plen = len - end - 1;
		if (!plen || plen > UNIX_PATH_BYTES)
			goto not_record;
	}

	*ret_bad = false;
	p->cont_open = path != NULL;
	p->cont_keep = false;
	p->cont_len = plen;
	if (!inode)
		return 0;

	rec.proto = SKS_PROTO_UNIX;
	rec.family = AF_UNIX;
	rec.type = (uint8_t)type;
	rec.inode = inode;
	if (flags & UNIX_FLAG_ACCEPTCON)
		rec.state = SKS_STATE_LISTEN;
	else if (st == 3)
		rec.state = SKS_STATE_ESTABLISHED;
	else
		rec.state = SKS_STATE_CLOSE;
	if (path && path[0] == '@') {
		/*
		 * The kernel prints an abstract name's leading NUL, and every
		 * NUL inside any name, as '@'.  So "@x" is either the abstract
		 * name "\0x" or a relative path "@x" bound in some cwd; we
		 * take it as abstract, which is what it nearly always is.
		 * NULs inside abstract names stay '@': the bytes are lost.
		 */
		rec.unx.abstract = true;
		path++;
		plen--;
		p->cont_len = plen;
	}
	if (!wanted(p, &rec))
		return 0;
	if (path) {
		rec.unx.path = sks_snap_memdup(p->s, path, plen);
		if (!rec.unx.path)
			return -ENOMEM;
		rec.unx.path_len = (uint32_t)plen;
	}
	r = add(p, &rec);
	if (r < 0)
		return r;
	if (path) {
		p->cont_keep = true;
		p->cont_idx = p->s->n - 1;
	}
	return 0;

not_record:
	if (p->cont_open)
		return unix_continue(p, line, len, ret_bad);
	return 0;
}

/* packet: "sk RefCnt Type Proto Iface R Rmem User Inode" (newer kernels add Drops). */
static int parse_packet(struct sks_procnet_parser *p, const char *line, size_t len, bool *ret_bad)
{
	struct sks_record rec = { 0 };
	struct tok t[9];
	uint64_t v, type, proto, rmem, uid, inode;
	int64_t iv, ifindex;
	size_t end;

	*ret_bad = true;
	if (split(line, len, t, 9, &end) != 9 || !tok_hex(t[0], UINT64_MAX, &v) ||
	    !dec_i64(t[1].p, t[1].n, INT32_MIN, INT32_MAX, &iv) || !tok_dec(t[2], 255, &type) ||
	    !type || !tok_hex(t[3], 0xffff, &proto) ||
	    !dec_i64(t[4].p, t[4].n, 0, INT32_MAX, &ifindex) || !tok_dec(t[5], 1, &v) ||
	    !tok_dec(t[6], UINT32_MAX, &rmem) || !tok_dec(t[7], UINT32_MAX, &uid) ||
	    !tok_dec(t[8], UINT64_MAX, &inode))
		return 0;
	*ret_bad = false;
	rec.proto = SKS_PROTO_PACKET;
	rec.family = AF_PACKET;
	rec.type = (uint8_t)type;
	rec.state = SKS_STATE_CLOSE;
	rec.rqueue = (uint32_t)rmem;
	rec.uid = (uint32_t)uid;
	rec.inode = inode;
	rec.packet.protocol = (uint16_t)proto; /* printed after ntohs() */
	rec.packet.ifindex = (uint32_t)ifindex;
	return wanted(p, &rec) ? add(p, &rec) : 0;
}

/*
 * netlink: "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode".  The file
 * has no socket type, state or peer: records get SOCK_RAW (nearly every
 * netlink socket's type) and CLOSE, as ss shows unconnected ones.
 */
static int parse_netlink(struct sks_procnet_parser *p, const char *line, size_t len,
			 bool *ret_bad)
{
	struct sks_record rec = { 0 };
	struct tok t[10];
	uint64_t v, proto, portid, groups, drops, inode;
	int64_t rmem, wmem, iv;
	size_t end;

	*ret_bad = true;
	if (split(line, len, t, 10, &end) != 10 || !tok_hex(t[0], UINT64_MAX, &v) ||
	    !tok_dec(t[1], 255, &proto) || !tok_dec(t[2], UINT32_MAX, &portid) ||
	    !tok_hex(t[3], UINT32_MAX, &groups) ||
	    !dec_i64(t[4].p, t[4].n, INT32_MIN, INT32_MAX, &rmem) ||
	    !dec_i64(t[5].p, t[5].n, INT32_MIN, INT32_MAX, &wmem) ||
	    !dec_i64(t[6].p, t[6].n, INT32_MIN, INT32_MAX, &iv) ||
	    !dec_i64(t[7].p, t[7].n, INT32_MIN, INT32_MAX, &iv) ||
	    !tok_dec(t[8], UINT32_MAX, &drops) || !tok_dec(t[9], UINT64_MAX, &inode))
		return 0;
	*ret_bad = false;
	rec.proto = SKS_PROTO_NETLINK;
	rec.family = AF_NETLINK;
	rec.type = SOCK_RAW;
	rec.state = SKS_STATE_CLOSE;
	rec.rqueue = rmem > 0 ? (uint32_t)rmem : 0;
	rec.wqueue = wmem > 0 ? (uint32_t)wmem : 0;
	rec.inode = inode;
	rec.netlink.protocol = (uint32_t)proto;
	rec.netlink.portid = (uint32_t)portid;
	rec.netlink.groups = (uint32_t)groups;
	return wanted(p, &rec) ? add(p, &rec) : 0;
}

/* ------------------------------------------------------------ sockstat */

struct sockstat_field {
	const char *label;
	const char *key;
	size_t off;
};

#define SOCKSTAT(l, k, f) { l, k, offsetof(struct sks_sockstat, f) }
static const struct sockstat_field sockstat_fields[] = {
	SOCKSTAT("sockets", "used", sockets_used), SOCKSTAT("TCP", "inuse", tcp_inuse),
	SOCKSTAT("TCP", "orphan", tcp_orphan),	   SOCKSTAT("TCP", "tw", tcp_tw),
	SOCKSTAT("TCP", "alloc", tcp_alloc),	   SOCKSTAT("TCP", "mem", tcp_mem),
	SOCKSTAT("UDP", "inuse", udp_inuse),	   SOCKSTAT("UDP", "mem", udp_mem),
	SOCKSTAT("UDPLITE", "inuse", udplite_inuse), SOCKSTAT("RAW", "inuse", raw_inuse),
	SOCKSTAT("FRAG", "inuse", frag_inuse),	   SOCKSTAT("FRAG", "memory", frag_memory),
	SOCKSTAT("TCP6", "inuse", tcp6_inuse),	   SOCKSTAT("UDP6", "inuse", udp6_inuse),
	SOCKSTAT("UDPLITE6", "inuse", udplite6_inuse), SOCKSTAT("RAW6", "inuse", raw6_inuse),
	SOCKSTAT("FRAG6", "inuse", frag6_inuse),   SOCKSTAT("FRAG6", "memory", frag6_memory),
};

void sks_sockstat_clear(struct sks_sockstat *st)
{
	size_t i;

	for (i = 0; i < SKS_ARRAY_SIZE(sockstat_fields); i++)
		*(int64_t *)((char *)st + sockstat_fields[i].off) = -1;
}

/* "LABEL: key value key value ..."; unknown labels and keys are future fields. */
static void parse_sockstat(struct sks_procnet_parser *p, const char *line, size_t len,
			   bool *ret_bad)
{
	struct tok t[17], label;
	int64_t vals[8];
	size_t n, end, i, j;

	*ret_bad = true;
	n = split(line, len, t, SKS_ARRAY_SIZE(t), &end);
	if (n < 3 || !(n & 1) || end != len || t[0].n < 2 || t[0].p[t[0].n - 1] != ':')
		return;
	for (i = 1; i < n; i += 2)
		if (!dec_i64(t[i + 1].p, t[i + 1].n, 0, INT64_MAX, &vals[i / 2]))
			return;
	*ret_bad = false;
	label.p = t[0].p;
	label.n = t[0].n - 1;
	for (i = 1; i < n; i += 2)
		for (j = 0; j < SKS_ARRAY_SIZE(sockstat_fields); j++) {
			const struct sockstat_field *f = &sockstat_fields[j];

			if (tok_eq(label, f->label) && tok_eq(t[i], f->key))
				*(int64_t *)((char *)p->stat + f->off) = vals[i / 2];
		}
}

/* ------------------------------------------------------------ lines */

/* The column header the kernel prints first; anything else there is data. */
static bool is_header(const struct sks_procnet_parser *p, const char *line, size_t len)
{
	struct tok t;
	size_t end;

	if (split(line, len, &t, 1, &end) != 1)
		return false;
	switch (p->file) {
	case SKS_PROCNET_UNIX:
		return tok_eq(t, "Num");
	case SKS_PROCNET_PACKET:
	case SKS_PROCNET_NETLINK:
		return tok_eq(t, "sk");
	case SKS_PROCNET_SOCKSTAT:
		return false;
	default:
		return tok_eq(t, "sl");
	}
}

static int parse_line(struct sks_procnet_parser *p, const char *line, size_t len)
{
	bool bad = true;
	int r = 0;

	p->lines++;
	if (len > SKS_PROCNET_LINE_MAX) {
		p->cont_open = false;
		p->malformed++;
		return 0;
	}
	if (!p->header_done) {
		p->header_done = true;
		if (is_header(p, line, len))
			return 0;
	}
	switch (p->file) {
	case SKS_PROCNET_TCP:
	case SKS_PROCNET_TCP6:
	case SKS_PROCNET_UDP:
	case SKS_PROCNET_UDP6:
	case SKS_PROCNET_RAW:
	case SKS_PROCNET_RAW6:
		r = parse_inet(p, line, len, &bad);
		break;
	case SKS_PROCNET_UNIX:
		r = parse_unix(p, line, len, &bad);
		break;
	case SKS_PROCNET_PACKET:
		r = parse_packet(p, line, len, &bad);
		break;
	case SKS_PROCNET_NETLINK:
		r = parse_netlink(p, line, len, &bad);
		break;
	case SKS_PROCNET_SOCKSTAT:
		parse_sockstat(p, line, len, &bad);
		break;
	default:
		break;
	}
	if (bad)
		p->malformed++;
	return r;
}

void sks_procnet_parser_init(struct sks_procnet_parser *p, struct sks_snapshot *s,
			     struct sks_sockstat *stat, enum sks_procnet_file file,
			     uint32_t tables)
{
	long hz = sysconf(_SC_CLK_TCK);

	memset(p, 0, sizeof(*p));
	p->s = s;
	p->stat = stat;
	p->file = file;
	p->tables = tables;
	p->hz = hz > 0 ? hz : 100;
	p->carry.max = SKS_PROCNET_LINE_MAX + 1;
}

/* Hold a piece of a line that continues in the next chunk. */
static int stash(struct sks_procnet_parser *p, const char *buf, size_t len)
{
	if (p->overlong)
		return 0;
	if (len > SKS_PROCNET_LINE_MAX - p->carry.len) {
		p->overlong = true;
		sks_buf_reset(&p->carry);
		return 0;
	}
	return sks_buf_append(&p->carry, buf, len);
}

/* The stashed line is complete. */
static int flush(struct sks_procnet_parser *p)
{
	int r;

	if (p->overlong) {
		p->lines++;
		p->malformed++;
		p->cont_open = false;
		p->overlong = false;
		return 0;
	}
	r = parse_line(p, p->carry.data ? p->carry.data : "", p->carry.len);
	sks_buf_reset(&p->carry);
	return r;
}

int sks_procnet_parser_feed(struct sks_procnet_parser *p, const char *buf, size_t len)
{
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n;
		int r;

		if (!nl)
			return stash(p, buf, len);
		n = (size_t)(nl - buf);
		if (p->carry.len || p->overlong) {
			r = stash(p, buf, n);
			if (r >= 0)
				r = flush(p);
		} else {
			r = parse_line(p, buf, n);
		}
		if (r < 0)
			return r;
		buf += n + 1;
		len -= n + 1;
	}
	return 0;
}

int sks_procnet_parser_finish(struct sks_procnet_parser *p)
{
	int r = 0;

	if (p->carry.len || p->overlong)
		r = flush(p);
	if (p->s && p->malformed)
		sks_snap_warn(p->s, SKS_WARN_OTHER, EBADMSG,
			      "/proc/net/%s: skipped %" PRIu64 " malformed line%s",
			      sks_procnet_file_name(p->file), p->malformed,
			      p->malformed == 1 ? "" : "s");
	return r;
}

void sks_procnet_parser_release(struct sks_procnet_parser *p)
{
	sks_buf_release(&p->carry);
}

int sks_procnet_parse(struct sks_snapshot *s, enum sks_procnet_file file, uint32_t tables,
		      const char *buf, size_t len)
{
	struct sks_procnet_parser p;
	int r;

	if (file == SKS_PROCNET_SOCKSTAT || (unsigned)file >= SKS_PROCNET_FILE_COUNT)
		return -EINVAL;
	sks_procnet_parser_init(&p, s, NULL, file, tables);
	r = sks_procnet_parser_feed(&p, buf, len);
	if (r >= 0)
		r = sks_procnet_parser_finish(&p);
	sks_procnet_parser_release(&p);
	return r;
}

int sks_procnet_sockstat_parse(struct sks_sockstat *st, const char *buf, size_t len)
{
	struct sks_procnet_parser p;
	int r;

	sks_procnet_parser_init(&p, NULL, st, SKS_PROCNET_SOCKSTAT, 0);
	r = sks_procnet_parser_feed(&p, buf, len);
	if (r >= 0)
		r = sks_procnet_parser_finish(&p);
	sks_procnet_parser_release(&p);
	return r;
}
