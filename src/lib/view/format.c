// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Small formatters shared by the table and JSON views: integers without
 * printf (they run several times per record), addresses, escaped strings
 * with extra bytes to hide, unix socket names, and the name tables (families,
 * ethertypes, timers) both views print.
 */
#include "view.h"

#include <errno.h>
#include <linux/if_ether.h>
#include <string.h>
#include <sys/socket.h>

size_t sks_fmt_u64(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

size_t sks_fmt_hex(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0, i;

	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

int sks_put_u64(struct sks_buf *b, uint64_t v)
{
	char tmp[20];

	return sks_buf_append(b, tmp, sks_fmt_u64(tmp, v));
}

int sks_put_i64(struct sks_buf *b, int64_t v)
{
	char tmp[21];
	size_t n = 0;

	if (v < 0) {
		tmp[n++] = '-';
		n += sks_fmt_u64(tmp + 1, (uint64_t)0 - (uint64_t)v);
	} else {
		n = sks_fmt_u64(tmp, (uint64_t)v);
	}
	return sks_buf_append(b, tmp, n);
}

int sks_put_hex(struct sks_buf *b, uint64_t v)
{
	char tmp[16];

	return sks_buf_append(b, tmp, sks_fmt_hex(tmp, v));
}

int sks_put_str(struct sks_buf *b, const char *s)
{
	return sks_buf_append(b, s, strlen(s));
}

int sks_put_escaped(struct sks_buf *b, const void *src, size_t len, const char *extra)
{
	static const char digits[] = "0123456789abcdef";
	const char *s = src, *end = s + len;
	int r = 0;

	if (!extra || !*extra)
		return sks_escape_text(b, src, len);
	/*
	 * The extra bytes are printable ASCII, which sks_escape_text() copies
	 * and which never occurs inside a multi-byte sequence, so cutting the
	 * input at them escapes exactly as one call would.
	 */
	while (s < end && r >= 0) {
		const char *hit = end, *e;
		char esc[4] = { '\\', 'x' };

		for (e = extra; *e; e++) {
			const char *p = memchr(s, *e, (size_t)(hit - s));

			if (p)
				hit = p;
		}
		r = sks_escape_text(b, s, (size_t)(hit - s));
		if (hit == end || r < 0)
			break;
		esc[2] = digits[(uint8_t)*hit >> 4];
		esc[3] = digits[*hit & 15];
		r = sks_buf_append(b, esc, 4);
		s = hit + 1;
	}
	return r;
}

int sks_put_unix_name(struct sks_buf *b, const struct sks_unix *u)
{
	const char *p = u->path;
	size_t len = u->path_len;
	int r;

	if (!p)
		return sks_buf_putc(b, '*');
	if (u->abstract) {
		r = sks_buf_putc(b, '@');
	} else if (len == 1 && p[0] == '*') {
		return sks_put_str(b, "\\x2a");
	} else if (len && p[0] == '@') {
		r = sks_put_str(b, "\\x40");
		p++;
		len--;
	} else {
		r = 0;
	}
	return r < 0 ? r : sks_put_escaped(b, p, len, " ");
}

static size_t fmt_ip4(char *p, const uint8_t *a)
{
	size_t n = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			p[n++] = '.';
		n += sks_fmt_u64(p + n, a[i]);
	}
	return n;
}

/*
 * IPv6 text exactly as glibc's inet_ntop() writes it (which is what ss
 * shows): the longest run of two or more zero groups becomes "::", and
 * IPv4-mapped/compatible addresses end in dotted quad.  inet_ntop() goes
 * through sprintf() per group, which is most of the table's address cost.
 */
static size_t fmt_ip6(char *p, const uint8_t *a)
{
	int best = -1, best_len = 0, cur = -1, cur_len = 0, i;
	uint16_t words[8];
	size_t n = 0;

	for (i = 0; i < 8; i++) {
		words[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
		if (!words[i]) {
			if (cur < 0)
				cur = i, cur_len = 0;
			cur_len++;
			continue;
		}
		if (cur >= 0 && cur_len > best_len)
			best = cur, best_len = cur_len;
		cur = -1;
	}
	if (cur >= 0 && cur_len > best_len)
		best = cur, best_len = cur_len;
	if (best_len < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				p[n++] = ':';
			continue;
		}
		if (i)
			p[n++] = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)))
			return n + fmt_ip4(p + n, a + 12);
		n += sks_fmt_hex(p + n, words[i]);
	}
	if (best >= 0 && best + best_len == 8)
		p[n++] = ':';
	return n;
}

size_t sks_fmt_ip(char *p, const struct sks_endpoint *ep)
{
	return ep->family == AF_INET ? fmt_ip4(p, ep->addr) : fmt_ip6(p, ep->addr);
}

int sks_put_ip(struct sks_buf *b, const struct sks_endpoint *ep)
{
	char text[SKS_IP_TEXT_MAX];

	return sks_buf_append(b, text, sks_fmt_ip(text, ep));
}

const char *sks_view_family_name(unsigned af)
{
	switch (af) {
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	case AF_UNIX:
		return "unix";
	case AF_PACKET:
		return "packet";
	case AF_NETLINK:
		return "netlink";
	}
	return "unknown";
}

const char *sks_view_type_name(unsigned type)
{
	switch (type) {
	case SOCK_STREAM:
		return "stream";
	case SOCK_DGRAM:
		return "dgram";
	case SOCK_SEQPACKET:
		return "seqpacket";
	case SOCK_RAW:
		return "raw";
	}
	return "unknown";
}

const char *sks_view_proto_name(unsigned proto)
{
	static const char *const names[SKS_PROTO_COUNT] = {
		[SKS_PROTO_TCP] = "tcp",       [SKS_PROTO_UDP] = "udp",
		[SKS_PROTO_RAW] = "raw",       [SKS_PROTO_UNIX] = "unix",
		[SKS_PROTO_PACKET] = "packet", [SKS_PROTO_NETLINK] = "netlink",
	};

	return proto < SKS_PROTO_COUNT ? names[proto] : "unknown";
}

/* iproute2's ll_proto names, which ss prints for packet sockets. */
static const struct {
	uint16_t proto;
	const char *name;
} ethertypes[] = {
	{ ETH_P_LOOP, "loop" },	      { ETH_P_PUP, "pup" },
	{ ETH_P_PUPAT, "pupat" },     { ETH_P_IP, "ip" },
	{ ETH_P_X25, "x25" },	      { ETH_P_ARP, "arp" },
	{ ETH_P_BPQ, "bpq" },	      { ETH_P_IEEEPUP, "ieeepup" },
	{ ETH_P_IEEEPUPAT, "ieeepupat" }, { ETH_P_DEC, "dec" },
	{ ETH_P_DNA_DL, "dna_dl" },   { ETH_P_DNA_RC, "dna_rc" },
	{ ETH_P_DNA_RT, "dna_rt" },   { ETH_P_LAT, "lat" },
	{ ETH_P_DIAG, "diag" },	      { ETH_P_CUST, "cust" },
	{ ETH_P_SCA, "sca" },	      { ETH_P_RARP, "rarp" },
	{ ETH_P_ATALK, "atalk" },     { ETH_P_AARP, "aarp" },
	{ ETH_P_IPX, "ipx" },	      { ETH_P_IPV6, "ipv6" },
	{ ETH_P_PPP_DISC, "ppp_disc" }, { ETH_P_PPP_SES, "ppp_ses" },
	{ ETH_P_ATMMPOA, "atmmpoa" }, { ETH_P_ATMFATE, "atmfate" },
	{ ETH_P_802_3, "802_3" },     { ETH_P_AX25, "ax25" },
	{ ETH_P_ALL, "all" },	      { ETH_P_802_2, "802_2" },
	{ ETH_P_SNAP, "snap" },	      { ETH_P_DDCMP, "ddcmp" },
	{ ETH_P_WAN_PPP, "wan_ppp" }, { ETH_P_PPP_MP, "ppp_mp" },
	{ ETH_P_LOCALTALK, "localtalk" }, { ETH_P_PPPTALK, "ppptalk" },
	{ ETH_P_TR_802_2, "tr_802_2" }, { ETH_P_MOBITEX, "mobitex" },
	{ ETH_P_CONTROL, "control" }, { ETH_P_IRDA, "irda" },
	{ ETH_P_ECONET, "econet" },   { ETH_P_TIPC, "tipc" },
	{ ETH_P_AOE, "aoe" },	      { ETH_P_CAN, "can" },
	{ ETH_P_8021Q, "802.1Q" },    { ETH_P_8021AD, "802.1ad" },
	{ ETH_P_MPLS_UC, "mpls_uc" }, { ETH_P_MPLS_MC, "mpls_mc" },
	{ ETH_P_TEB, "teb" },	      { ETH_P_LLDP, "lldp" },
};

const char *sks_view_ethertype_name(uint16_t proto)
{
	size_t i;

	for (i = 0; i < SKS_ARRAY_SIZE(ethertypes); i++)
		if (ethertypes[i].proto == proto)
			return ethertypes[i].name;
	return NULL;
}

const char *sks_view_timer_name(unsigned timer)
{
	static const char *const names[] = { "off", "on", "keepalive", "timewait", "persist" };

	return timer < SKS_ARRAY_SIZE(names) ? names[timer] : "unknown";
}

int sks_put_ms_timer(struct sks_buf *b, uint32_t ms)
{
	uint32_t secs = ms / 1000, minutes = secs / 60, msecs = ms % 1000;
	char tmp[48];
	size_t n = 0;

	/* ss drops the precision that no longer matters at each scale. */
	secs %= 60;
	if (minutes) {
		msecs = 0;
		n += sks_fmt_u64(tmp + n, minutes);
		memcpy(tmp + n, "min", 3);
		n += 3;
		if (minutes > 9)
			secs = 0;
	}
	if (secs) {
		if (secs > 9)
			msecs = 0;
		n += sks_fmt_u64(tmp + n, secs);
		if (msecs) {
			tmp[n++] = '.';
		} else {
			memcpy(tmp + n, "sec", 3);
			n += 3;
		}
	}
	if (msecs) {
		tmp[n++] = (char)('0' + msecs / 100);
		tmp[n++] = (char)('0' + msecs / 10 % 10);
		tmp[n++] = (char)('0' + msecs % 10);
		memcpy(tmp + n, "ms", 2);
		n += 2;
	}
	return sks_buf_append(b, tmp, n);
}

int sks_put_bw(struct sks_buf *b, double bps, bool numeric)
{
	if (numeric)
		return sks_buf_printf(b, "%.0f", bps);
	if (bps >= 1e12)
		return sks_buf_printf(b, "%.3gT", bps / 1e12);
	if (bps >= 1e9)
		return sks_buf_printf(b, "%.3gG", bps / 1e9);
	if (bps >= 1e6)
		return sks_buf_printf(b, "%.3gM", bps / 1e6);
	if (bps >= 1e3)
		return sks_buf_printf(b, "%.3gk", bps / 1e3);
	return sks_buf_printf(b, "%g", bps);
}
