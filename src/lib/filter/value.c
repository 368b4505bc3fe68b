// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Filter operands: ports, addresses and prefixes, unix/link/netlink hosts,
 * devices, marks, cgroups and users, each parsed with range checks and an
 * error pointing at the offending part.  Names go through the injectable
 * resolvers (struct sks_filter_env) so tests never depend on the host.
 */
#include "value.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define ENV_FN(vc, name) ((vc)->env && (vc)->env->name ? (vc)->env->name : resolve_##name)
#define ENV_DATA(vc) ((vc)->env ? (vc)->env->userdata : NULL)

/* The resolvers' names differ from the env members' for three of them. */
#define resolve_dev_index resolve_dev
#define resolve_cgroup_id resolve_cgroup
#define resolve_service_port resolve_service
#define resolve_user_uid resolve_user

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool value_is_number(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return false;
	}
	return true;
}

static int hex_digit(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int value_number(struct value_ctx *vc, const char *s, size_t len, size_t pos, int base,
		 uint64_t max, const char *what, uint64_t *ret)
{
	const char *d = s;
	size_t n = len;
	uint64_t v = 0;
	bool big = false;
	unsigned b = 10;

	if (!len) {
		value_fail(vc, pos, "missing %s", what);
		return -EINVAL;
	}
	if (base == 0 && len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		b = 16;
		d += 2;
		n -= 2;
	}
	for (size_t i = 0; i < n; i++) {
		int x = b == 16 ? hex_digit(d[i]) : (is_digit(d[i]) ? d[i] - '0' : -1);

		if (x < 0) {
			value_fail(vc, pos, "invalid %s \"%s\"", what, value_show(vc, s, len));
			return -EINVAL;
		}
		if (v > (UINT64_MAX - (unsigned)x) / b)
			big = true;
		else
			v = v * b + (unsigned)x;
	}
	if (big || v > max) {
		value_fail(vc, pos, "%s %s out of range", what, value_show(vc, s, len));
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

/* Copy a slice into a NUL-terminated buffer; false when it does not fit. */
static bool slice(char *buf, size_t size, const char *s, size_t len)
{
	if (len >= size)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

int value_port(struct value_ctx *vc, const char *s, size_t len, size_t pos, uint16_t *ret)
{
	const char *name = s;
	size_t n = len;
	char buf[64];
	uint64_t v;
	int r;

	if (n && name[0] == ':') {
		name++;
		n--;
	}
	if (!n) {
		value_fail(vc, pos, "missing port");
		return -EINVAL;
	}
	if (value_is_number(name, n)) {
		if (value_number(vc, name, n, pos, 10, 65535, "port", &v) < 0)
			return -EINVAL;
		*ret = (uint16_t)v;
		return 0;
	}
	r = -ENOENT;
	if (slice(buf, sizeof(buf), name, n))
		r = ENV_FN(vc, service_port)(ENV_DATA(vc), buf, ret);
	if (r < 0) {
		value_fail(vc, pos, "unknown service \"%s\"", value_show(vc, name, n));
		return -EINVAL;
	}
	return 0;
}

/* 1 to 4 dotted decimal parts ("10/8" is 10.0.0.0/8); *ret_parts says how many. */
static bool parse_v4(const char *s, size_t len, uint8_t out[4], unsigned *ret_parts)
{
	unsigned parts = 0, v = 0, digits = 0;

	memset(out, 0, 4);
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (!digits || parts == 4)
				return false;
			out[parts++] = (uint8_t)v;
			v = digits = 0;
			continue;
		}
		if (!is_digit(s[i]) || ++digits > 3)
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > 255)
			return false;
	}
	*ret_parts = parts;
	return true;
}

/*
 * ADDR[/LEN] where ADDR is "*", IPv4 or IPv6; fam restricts the family
 * (AF_UNSPEC: from the text).
 */
static int parse_addr(struct value_ctx *vc, const char *s, size_t len, size_t pos, int fam,
		      const char *pfx, size_t pfx_len, size_t pfx_pos, struct host *h)
{
	bool v6 = memchr(s, ':', len) != NULL;
	unsigned bits, parts = 4;
	char buf[64];
	uint64_t plen;

	if (len == 1 && s[0] == '*') {
		if (pfx) {
			value_fail(vc, pfx_pos, "a prefix length needs an address");
			return -EINVAL;
		}
		h->family = (uint8_t)fam;
		return 0;
	}
	if (fam == AF_INET && v6) {
		value_fail(vc, pos, "\"%s\" is not an IPv4 address", value_show(vc, s, len));
		return -EINVAL;
	}
	if (fam == AF_INET6 && !v6) {
		value_fail(vc, pos, "\"%s\" is not an IPv6 address", value_show(vc, s, len));
		return -EINVAL;
	}
	if (v6) {
		if (!slice(buf, sizeof(buf), s, len) || inet_pton(AF_INET6, buf, h->addr) != 1) {
			value_fail(vc, pos, "invalid IPv6 address \"%s\"", value_show(vc, s, len));
			return -EINVAL;
		}
		h->family = AF_INET6;
		bits = 128;
	} else {
		if (!parse_v4(s, len, h->addr, &parts) || (parts < 4 && !pfx)) {
			value_fail(vc, pos, "invalid address \"%s\" (host names are not resolved)",
				   value_show(vc, s, len));
			return -EINVAL;
		}
		h->family = AF_INET;
		bits = 32;
	}
	h->prefix_len = (uint8_t)bits;
	if (!pfx)
		return 0;
	if (!value_is_number(pfx, pfx_len)) {
		value_fail(vc, pfx_pos, "invalid prefix length \"%s\"",
			   value_show(vc, pfx, pfx_len));
		return -EINVAL;
	}
	if (value_number(vc, pfx, pfx_len, pfx_pos, 10, bits, "prefix length", &plen) < 0)
		return -EINVAL;
	h->prefix_len = (uint8_t)plen;
	return 0;
}

/* Split "ADDR/LEN" into its parts; pfx NULL when there is no '/'. */
static int parse_addr_prefix(struct value_ctx *vc, const char *s, size_t len, size_t pos, int fam,
			     struct host *h)
{
	const char *slash = memchr(s, '/', len);

	if (!slash)
		return parse_addr(vc, s, len, pos, fam, NULL, 0, 0, h);
	return parse_addr(vc, s, (size_t)(slash - s), pos, fam, slash + 1,
			  len - (size_t)(slash - s) - 1, pos + (size_t)(slash - s), h);
}

static int parse_host_port(struct value_ctx *vc, const char *s, size_t len, size_t pos,
			   struct host *h)
{
	uint16_t port;

	if (len == 2 && s[1] == '*')
		return 0;
	if (value_port(vc, s, len, pos, &port) < 0)
		return -EINVAL;
	h->port = port;
	return 0;
}

/* The inet HOST forms; see doc/filter.md. */
static int parse_inet(struct value_ctx *vc, const char *s, size_t len, size_t pos, int fam,
		      struct host *h)
{
	const char *colon;
	size_t ncolons = 0;

	if (!len) {
		value_fail(vc, pos, "missing address");
		return -EINVAL;
	}
	if (s[0] == '[') {
		const char *close = memchr(s, ']', len);
		size_t in_len, rest;
		const char *after, *pfx = NULL, *slash;
		size_t pfx_len = 0, pfx_pos = 0;
		int r;

		if (!close) {
			value_fail(vc, pos, "missing \"]\" in \"%s\"", value_show(vc, s, len));
			return -EINVAL;
		}
		in_len = (size_t)(close - s) - 1;
		after = close + 1;
		rest = len - (size_t)(after - s);
		if (rest && after[0] == '/') {
			const char *c = memchr(after, ':', rest);
			size_t end = c ? (size_t)(c - after) : rest;

			pfx = after + 1;
			pfx_len = end - 1;
			pfx_pos = pos + (size_t)(after - s);
			after += end;
			rest -= end;
		}
		if (rest && after[0] != ':') {
			value_fail(vc, pos + (size_t)(after - s), "unexpected \"%s\" after \"]\"",
				   value_show(vc, after, rest));
			return -EINVAL;
		}
		slash = memchr(s + 1, '/', in_len);
		if (slash && pfx) {
			value_fail(vc, pfx_pos, "two prefix lengths");
			return -EINVAL;
		}
		if (slash)
			r = parse_addr(vc, s + 1, (size_t)(slash - s) - 1, pos + 1, fam, slash + 1,
				       in_len - (size_t)(slash - s), pos + (size_t)(slash - s), h);
		else
			r = parse_addr(vc, s + 1, in_len, pos + 1, fam, pfx, pfx_len, pfx_pos, h);
		if (r < 0)
			return r;
		if (!rest)
			return 0;
		return parse_host_port(vc, after, rest, pos + (size_t)(after - s), h);
	}
	if ((s[0] == ':' && (len < 2 || s[1] != ':')) || (len >= 2 && s[0] == '*' && s[1] == ':')) {
		colon = memchr(s, ':', len);
		h->family = (uint8_t)fam;
		return parse_host_port(vc, colon, len - (size_t)(colon - s), pos + (size_t)(colon - s),
				       h);
	}
	for (size_t i = 0; i < len; i++)
		ncolons += s[i] == ':';
	if (ncolons >= 2) /* a bare IPv6 address; a port needs brackets */
		return parse_addr_prefix(vc, s, len, pos, fam, h);
	if (ncolons == 0)
		return parse_addr_prefix(vc, s, len, pos, fam, h);
	colon = memchr(s, ':', len);
	if (parse_addr_prefix(vc, s, (size_t)(colon - s), pos, fam == AF_UNSPEC ? AF_INET : fam,
			      h) < 0)
		return -EINVAL;
	return parse_host_port(vc, colon, len - (size_t)(colon - s), pos + (size_t)(colon - s), h);
}

static const struct {
	const char *name;
	uint16_t proto;
} link_protos[] = {
	{ "all", 0x0003 },   { "ip", 0x0800 },  { "arp", 0x0806 },   { "ipv6", 0x86dd },
	{ "8021q", 0x8100 }, { "lldp", 0x88cc }, { "802_2", 0x0004 }, { "802_3", 0x0001 },
};

static const struct {
	const char *name;
	uint8_t proto;
} netlink_aliases[] = {
	{ "route", 0 },     { "sock_diag", 4 }, { "inet_diag", 4 },       { "netfilter", 12 },
	{ "generic", 16 },  { "kobject_uevent", 15 }, { "nl", 0 },
};

/* "PROTO" of link: and netlink: hosts; -1 for "*" or nothing. */
static int parse_proto(struct value_ctx *vc, const char *s, size_t len, size_t pos, bool link,
		       int64_t *ret)
{
	char buf[32];
	uint64_t v;

	*ret = -1;
	if (!len || (len == 1 && s[0] == '*'))
		return 0;
	if (value_is_number(s, len) || (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))) {
		if (value_number(vc, s, len, pos, 0, link ? 0xffff : 31, "protocol", &v) < 0)
			return -EINVAL;
		*ret = (int64_t)v;
		return 0;
	}
	if (slice(buf, sizeof(buf), s, len)) {
		if (link) {
			for (size_t i = 0; i < SKS_ARRAY_SIZE(link_protos); i++) {
				if (!strcasecmp(buf, link_protos[i].name)) {
					*ret = link_protos[i].proto;
					return 0;
				}
			}
		} else {
			for (uint32_t i = 0; i < 32; i++) {
				const char *n = sks_netlink_proto_name(i);

				if (n && !strcasecmp(buf, n)) {
					*ret = i;
					return 0;
				}
			}
			for (size_t i = 0; i < SKS_ARRAY_SIZE(netlink_aliases); i++) {
				if (!strcasecmp(buf, netlink_aliases[i].name)) {
					*ret = netlink_aliases[i].proto;
					return 0;
				}
			}
		}
	}
	value_fail(vc, pos, "unknown %s protocol \"%s\"", link ? "link" : "netlink",
		   value_show(vc, s, len));
	return -EINVAL;
}

/* link:PROTO[:IFACE] and netlink:PROTO[:PORTID] */
static int parse_link(struct value_ctx *vc, const char *s, size_t len, size_t pos, bool link,
		      struct host *h)
{
	const char *colon = memchr(s, ':', len);
	size_t plen = colon ? (size_t)(colon - s) : len;
	const char *id;
	size_t id_len, id_pos;
	uint64_t v;

	h->family = link ? AF_PACKET : AF_NETLINK;
	if (parse_proto(vc, s, plen, pos, link, &h->proto) < 0)
		return -EINVAL;
	if (!colon)
		return 0;
	id = colon + 1;
	id_len = len - plen - 1;
	id_pos = pos + plen + 1;
	if (!id_len || (id_len == 1 && id[0] == '*'))
		return 0;
	if (link) {
		uint32_t idx;

		if (value_dev(vc, id, id_len, id_pos, &idx) < 0)
			return -EINVAL;
		h->port = idx;
		return 0;
	}
	if (id_len == 6 && !memcmp(id, "kernel", 6)) {
		h->port = 0;
		return 0;
	}
	if (value_number(vc, id, id_len, id_pos, 10, UINT32_MAX, "port id", &v) < 0)
		return -EINVAL;
	h->port = (int64_t)v;
	return 0;
}

static bool has_prefix(const char *s, size_t len, const char *pfx)
{
	size_t n = strlen(pfx);

	return len >= n && !strncasecmp(s, pfx, n);
}

int value_host(struct value_ctx *vc, const char *s, size_t len, size_t pos, enum dir dir,
	       struct host *h)
{
	memset(h, 0, sizeof(*h));
	bool unix_default = vc->env && vc->env->default_family == AF_UNIX;
	size_t skip = has_prefix(s, len, "unix:") ? 5 : 0;

	h->port = -1;
	h->proto = -1;
	if (skip || (unix_default && !has_prefix(s, len, "inet:") && !has_prefix(s, len, "inet6:") &&
		     !has_prefix(s, len, "link:") && !has_prefix(s, len, "netlink:"))) {
		if (dir == DIR_DST) {
			value_fail(vc, pos,
				   "dst cannot test unix paths: records carry only the peer's inode");
			return -EINVAL;
		}
		if (len == skip) {
			value_fail(vc, pos, "empty unix path pattern");
			return -EINVAL;
		}
		h->family = AF_UNIX;
		h->glob = s + skip; /* a suffix of a NUL-terminated word */
		return 0;
	}
	if (has_prefix(s, len, "link:")) {
		if (dir == DIR_DST) {
			value_fail(vc, pos, "packet sockets have no remote end: use src link:");
			return -EINVAL;
		}
		return parse_link(vc, s + 5, len - 5, pos + 5, true, h);
	}
	if (has_prefix(s, len, "netlink:"))
		return parse_link(vc, s + 8, len - 8, pos + 8, false, h);
	if (has_prefix(s, len, "inet:"))
		return parse_inet(vc, s + 5, len - 5, pos + 5, AF_INET, h);
	if (has_prefix(s, len, "inet6:"))
		return parse_inet(vc, s + 6, len - 6, pos + 6, AF_INET6, h);
	return parse_inet(vc, s, len, pos, AF_UNSPEC, h);
}

int value_dev(struct value_ctx *vc, const char *s, size_t len, size_t pos, uint32_t *ret)
{
	char buf[64];
	uint64_t v;
	int r = -ENOENT;

	if (value_is_number(s, len)) {
		if (value_number(vc, s, len, pos, 10, INT32_MAX, "device index", &v) < 0)
			return -EINVAL;
		*ret = (uint32_t)v;
		return 0;
	}
	if (len && slice(buf, sizeof(buf), s, len))
		r = ENV_FN(vc, dev_index)(ENV_DATA(vc), buf, ret);
	if (r < 0) {
		value_fail(vc, pos, "unknown device \"%s\"", value_show(vc, s, len));
		return -EINVAL;
	}
	return 0;
}

int value_mark(struct value_ctx *vc, const char *s, size_t len, size_t pos, uint32_t *ret_mark,
	       uint32_t *ret_mask)
{
	const char *slash = memchr(s, '/', len);
	size_t mlen = slash ? (size_t)(slash - s) : len;
	uint64_t mark, mask = UINT32_MAX;

	if (value_number(vc, s, mlen, pos, 0, UINT32_MAX, "mark", &mark) < 0)
		return -EINVAL;
	if (slash && value_number(vc, slash + 1, len - mlen - 1, pos + mlen + 1, 0, UINT32_MAX,
				  "mask", &mask) < 0)
		return -EINVAL;
	if (mark & ~mask) {
		value_fail(vc, pos, "mark 0x%x has bits outside mask 0x%x", (unsigned)mark,
			   (unsigned)mask);
		return -EINVAL;
	}
	*ret_mark = (uint32_t)mark;
	*ret_mask = (uint32_t)mask;
	return 0;
}

int value_cgroup(struct value_ctx *vc, const char *s, size_t len, size_t pos, uint64_t *ret)
{
	int r;

	if (!len) {
		value_fail(vc, pos, "empty cgroup path");
		return -EINVAL;
	}
	r = ENV_FN(vc, cgroup_id)(ENV_DATA(vc), s, ret);
	if (r < 0) {
		value_fail(vc, pos, "unknown cgroup \"%s\"", value_show(vc, s, len));
		return -EINVAL;
	}
	return 0;
}

int value_user(struct value_ctx *vc, const char *s, size_t len, size_t pos, uint32_t *ret)
{
	int r = -ENOENT;

	if (len && len < 256)
		r = ENV_FN(vc, user_uid)(ENV_DATA(vc), s, ret);
	if (r < 0) {
		value_fail(vc, pos, "unknown user \"%s\"", value_show(vc, s, len));
		return -EINVAL;
	}
	return 0;
}

void value_port_range(struct value_ctx *vc, uint16_t *ret_low, uint16_t *ret_high)
{
	uint16_t lo, hi;

	if (ENV_FN(vc, port_range)(ENV_DATA(vc), &lo, &hi) < 0 || lo > hi) {
		lo = 32768; /* the kernel's default ip_local_port_range */
		hi = 60999;
	}
	*ret_low = lo;
	*ret_high = hi;
}
