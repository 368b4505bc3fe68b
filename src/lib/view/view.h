/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the views (table.c, json.c): name lookups loaded once per view
 * call (services, raw protocols, interfaces, host names), and formatters for
 * numbers, addresses and escaped strings that append to an sks_buf.
 * Internal to src/lib/view; tests include it to check the pieces.
 */
#ifndef SKS_VIEW_VIEW_H
#define SKS_VIEW_VIEW_H

#include "internal.h"

#include <string.h>

struct sks_svc;
struct sks_ifname;
struct sks_host;

/*
 * Everything a view looks up by number, loaded or cached once per call so
 * that formatting a record never reaches NSS, DNS or an ioctl again.
 */
struct sks_lookup {
	uint32_t flags;            /* SKS_VIEW_* */
	struct sks_svc *svc;       /* sorted by (port, proto), first name wins */
	size_t n_svc;
	char *svc_text;            /* names point into it */
	const char *raw_names[256]; /* IPPROTO_* -> /etc/protocols name */
	char *proto_text;
	uint32_t eph_lo, eph_hi;   /* ephemeral port range: never shown as a service */
	struct sks_ifname *ifs;
	size_t n_ifs, cap_ifs;
	struct sks_host *hosts;    /* open addressing, SKS_VIEW_RESOLVE only */
	size_t n_hosts, cap_hosts;
	char ifbuf[24];            /* "if%u" for an unknown interface */
};

/*
 * Load the tables the flags need: services and protocols unless
 * SKS_VIEW_NUMERIC.  Missing files are not errors (numbers are shown).
 * -ENOMEM.  The *_path arguments override /etc/services, /etc/protocols
 * and /proc/sys/net/ipv4/ip_local_port_range (tests); NULL for the default.
 */
int sks_lookup_init(struct sks_lookup *l, uint32_t flags, const char *services_path,
		    const char *protocols_path, const char *port_range_path);
void sks_lookup_release(struct sks_lookup *l);
/* Service name of a TCP/UDP port (proto IPPROTO_TCP or IPPROTO_UDP), or NULL. */
const char *sks_lookup_service(const struct sks_lookup *l, uint16_t port, uint8_t proto);
/* /etc/protocols name of an IP protocol number, or NULL. */
const char *sks_lookup_protocol(const struct sks_lookup *l, unsigned proto);
/* Interface name, cached; "if<N>" when the index is unknown.  Never NULL. */
const char *sks_lookup_ifname(struct sks_lookup *l, uint32_t ifindex);
/* Host name of an address (SKS_VIEW_RESOLVE), cached; NULL when it has none. */
const char *sks_lookup_host(struct sks_lookup *l, const struct sks_endpoint *ep);

/* ---- formatting: every function appends and returns 0 or -ENOMEM */

/* Decimal and lowercase hex digits of v into p (>= 20 bytes); returns the length. */
size_t sks_fmt_u64(char *p, uint64_t v);
size_t sks_fmt_hex(char *p, uint64_t v);
int sks_put_u64(struct sks_buf *b, uint64_t v);
int sks_put_i64(struct sks_buf *b, int64_t v);
int sks_put_hex(struct sks_buf *b, uint64_t v);
int sks_put_str(struct sks_buf *b, const char *s);

/*
 * sks_escape_text(), and also each byte of `extra` (printable ASCII only)
 * as \xHH: the table view escapes ' ' so columns split on whitespace, '"'
 * inside quoted names.
 */
int sks_put_escaped(struct sks_buf *b, const void *src, size_t len, const char *extra);

/*
 * A unix socket name as the table shows it: "@name" for abstract names;
 * a path starting with '@' gets it escaped (\x40) so it never reads as an
 * abstract name, a path that is exactly "*" becomes \x2a (not "unbound");
 * spaces are escaped.  "*" when unbound.
 */
int sks_put_unix_name(struct sks_buf *b, const struct sks_unix *u);

/* Numeric address as inet_ntop() writes it (no brackets); p holds SKS_IP_TEXT_MAX. */
#define SKS_IP_TEXT_MAX 46
size_t sks_fmt_ip(char *p, const struct sks_endpoint *ep);
int sks_put_ip(struct sks_buf *b, const struct sks_endpoint *ep);

/*
 * Append without a call when the buffer has room (the views append several
 * small pieces per field); else sks_buf_append() grows it.
 */
static inline int sks_buf_add(struct sks_buf *b, const void *p, size_t n)
{
	if (b->data && b->cap - b->len > n) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return 0;
	}
	return sks_buf_append(b, p, n);
}

/* JSON names: "inet", "stream", "tcp"...; "unknown" for numbers they do not know. */
const char *sks_view_family_name(unsigned af);
const char *sks_view_type_name(unsigned type);
const char *sks_view_proto_name(unsigned proto);
/* Ethertype name as ss prints it ("ip", "arp", "ipv6", ...), or NULL. */
const char *sks_view_ethertype_name(uint16_t proto);
/* ss's timer names: off on keepalive timewait persist unknown. */
const char *sks_view_timer_name(unsigned timer);

/* ss's print_ms_timer(): "119min", "5min30sec", "3.500ms", "950ms". */
int sks_put_ms_timer(struct sks_buf *b, uint32_t ms);

/* ss's bandwidth: plain bits/s with SKS_VIEW_NUMERIC, else %.3g with k/M/G/T. */
int sks_put_bw(struct sks_buf *b, double bps, bool numeric);

/* sks_view_table() with the caller's lookup tables (tests load their own). */
int sks_view_table_lookup(const struct sks_snapshot *snap, const struct sks_view_opts *opts,
			  FILE *out, struct sks_lookup *lk);

#endif
