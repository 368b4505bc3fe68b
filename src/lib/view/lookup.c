// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Number-to-name lookups for the views, loaded once per view call: service
 * names (/etc/services), raw protocol names (/etc/protocols), interface
 * names (cached if_indextoname) and, with SKS_VIEW_RESOLVE only, host names
 * (cached getnameinfo).  ss asks NSS once per record; at 400k records that
 * is most of its run time.
 *
 * /etc/services and /etc/protocols are parsed here rather than walked with
 * getservent()/getprotoent(): those iterate a process-wide cursor, and the
 * library promises that distinct snapshots may be viewed from distinct
 * threads.  The format is a few whitespace-separated words per line.
 */
#include "view.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TABLE_FILE_MAX (8u << 20) /* a services file larger than this is not one */
#define IFS_MAX 4096
#define HOSTS_MAX (1u << 20)

struct sks_svc {
	uint16_t port;
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	uint32_t seq;  /* line order: the first name for a port wins, as getservbyport() */
	const char *name;
};

struct sks_ifname {
	uint32_t index;
	char name[IF_NAMESIZE]; /* "" when the index is unknown */
};

struct sks_host {
	uint8_t used;
	uint8_t family;
	uint8_t addr[16];
	uint32_t scope_id;
	char *name; /* NULL: the address has no name */
};

/* Whole file into b, NUL-terminated; a missing file reads as empty. */
static int read_small_file(const char *path, struct sks_buf *b)
{
	char chunk[16384];
	int fd, r = 0;

	b->max = TABLE_FILE_MAX;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOMEM ? -ENOMEM : 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			break; /* unreadable: use what we have */
		}
		if (n == 0)
			break;
		r = sks_buf_append(b, chunk, (size_t)n);
		if (r < 0)
			break;
	}
	close(fd);
	if (r == 0)
		r = sks_buf_append(b, "", 0);
	return r;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Split line (NUL-terminated, comment removed) into up to max words, in place. */
static size_t split_words(char *line, char **words, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		words[n++] = p;
		while (*p && !is_blank(*p))
			p++;
		if (!*p)
			break;
		*p++ = '\0';
	}
	return n;
}

/* Decimal in [0, max], whole string; -1 otherwise. */
static long parse_num(const char *s, const char *end, long max)
{
	long v = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* Walk the lines of a table file, handing each one's words to fn. */
static int for_each_line(char *text, int (*fn)(void *, char **, size_t), void *data)
{
	char *line = text;

	while (line && *line) {
		char *nl = strchr(line, '\n'), *hash, *words[2];
		size_t n;
		int r;

		if (nl)
			*nl = '\0';
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		n = split_words(line, words, 2);
		if (n == 2) {
			r = fn(data, words, n);
			if (r < 0)
				return r;
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

struct svc_load {
	struct sks_lookup *l;
	size_t cap;
};

/*
 * Names are printed without escaping, so a table entry with anything but
 * printable ASCII (or a space-free word) is ignored.
 */
static bool plain_word(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static int svc_line(void *data, char **w, size_t n)
{
	struct svc_load *ld = data;
	struct sks_lookup *l = ld->l;
	char *slash = strchr(w[1], '/');
	uint8_t proto;
	long port;

	(void)n;
	if (!slash || !plain_word(w[0]))
		return 0;
	if (!strcmp(slash + 1, "tcp"))
		proto = IPPROTO_TCP;
	else if (!strcmp(slash + 1, "udp"))
		proto = IPPROTO_UDP;
	else
		return 0;
	port = parse_num(w[1], slash, 65535);
	if (port < 0)
		return 0;
	if (l->n_svc == ld->cap) {
		size_t cap = ld->cap ? ld->cap * 2 : 512;
		struct sks_svc *p = realloc(l->svc, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->svc = p;
		ld->cap = cap;
	}
	l->svc[l->n_svc] = (struct sks_svc){ (uint16_t)port, proto, (uint32_t)l->n_svc, w[0] };
	l->n_svc++;
	return 0;
}

static int svc_cmp(const void *pa, const void *pb)
{
	const struct sks_svc *a = pa, *b = pb;

	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int load_services(struct sks_lookup *l, const char *path)
{
	struct sks_buf b = SKS_BUF_INIT;
	struct svc_load ld = { .l = l };
	size_t i, out = 0;
	int r;

	r = read_small_file(path, &b);
	if (r < 0 || !b.data)
		goto out;
	l->svc_text = b.data;
	b.data = NULL;
	r = for_each_line(l->svc_text, svc_line, &ld);
	if (r < 0)
		goto out;
	if (l->n_svc > 1)
		qsort(l->svc, l->n_svc, sizeof(*l->svc), svc_cmp);
	for (i = 0; i < l->n_svc; i++) {
		if (out && l->svc[out - 1].port == l->svc[i].port &&
		    l->svc[out - 1].proto == l->svc[i].proto)
			continue;
		l->svc[out++] = l->svc[i];
	}
	l->n_svc = out;
out:
	sks_buf_release(&b);
	return r;
}

static int proto_line(void *data, char **w, size_t n)
{
	struct sks_lookup *l = data;
	long num = parse_num(w[1], w[1] + strlen(w[1]), 255);

	(void)n;
	if (num >= 0 && !l->raw_names[num] && plain_word(w[0]))
		l->raw_names[num] = w[0];
	return 0;
}

static int load_protocols(struct sks_lookup *l, const char *path)
{
	struct sks_buf b = SKS_BUF_INIT;
	int r;

	r = read_small_file(path, &b);
	if (r < 0 || !b.data)
		goto out;
	l->proto_text = b.data;
	b.data = NULL;
	r = for_each_line(l->proto_text, proto_line, l);
out:
	sks_buf_release(&b);
	return r;
}

static int load_port_range(struct sks_lookup *l, const char *path)
{
	struct sks_buf b = SKS_BUF_INIT;
	char *w[2];
	int r;

	/* ss's fallback when the file cannot be read. */
	l->eph_lo = 1024;
	l->eph_hi = 4999;
	r = read_small_file(path, &b);
	if (r < 0 || !b.data)
		goto out;
	{
		char *nl = strchr(b.data, '\n');

		if (nl)
			*nl = '\0';
	}
	if (split_words(b.data, w, 2) == 2) {
		long lo = parse_num(w[0], w[0] + strlen(w[0]), 65535);
		long hi = parse_num(w[1], w[1] + strlen(w[1]), 65535);

		if (lo >= 0 && hi >= lo) {
			l->eph_lo = (uint32_t)lo;
			l->eph_hi = (uint32_t)hi;
		}
	}
out:
	sks_buf_release(&b);
	return r;
}

int sks_lookup_init(struct sks_lookup *l, uint32_t flags, const char *services_path,
		    const char *protocols_path, const char *port_range_path)
{
	int r = 0;

	memset(l, 0, sizeof(*l));
	l->flags = flags;
	if (flags & SKS_VIEW_NUMERIC)
		return 0;
	r = load_services(l, services_path ? services_path : "/etc/services");
	if (r >= 0)
		r = load_protocols(l, protocols_path ? protocols_path : "/etc/protocols");
	if (r >= 0)
		r = load_port_range(l, port_range_path ? port_range_path
						       : "/proc/sys/net/ipv4/ip_local_port_range");
	if (r < 0)
		sks_lookup_release(l);
	return r;
}

void sks_lookup_release(struct sks_lookup *l)
{
	size_t i;

	free(l->svc);
	free(l->svc_text);
	free(l->proto_text);
	free(l->ifs);
	for (i = 0; i < l->cap_hosts; i++)
		free(l->hosts[i].name);
	free(l->hosts);
	memset(l, 0, sizeof(*l));
}

const char *sks_lookup_service(const struct sks_lookup *l, uint16_t port, uint8_t proto)
{
	size_t lo = 0, hi = l->n_svc;

	/* ss never names ephemeral ports: /etc/services is full of stale claims there. */
	if (port >= l->eph_lo && port <= l->eph_hi)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct sks_svc *s = &l->svc[mid];

		if (s->port == port && s->proto == proto)
			return s->name;
		if (s->port < port || (s->port == port && s->proto < proto))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *sks_lookup_protocol(const struct sks_lookup *l, unsigned proto)
{
	return proto < 256 ? l->raw_names[proto] : NULL;
}

const char *sks_lookup_ifname(struct sks_lookup *l, uint32_t ifindex)
{
	struct sks_ifname *e = NULL;
	char name[IF_NAMESIZE];
	size_t i, n;

	for (i = 0; i < l->n_ifs; i++) {
		if (l->ifs[i].index == ifindex) {
			e = &l->ifs[i];
			goto found;
		}
	}
	if (!if_indextoname(ifindex, name))
		name[0] = '\0';
	if (l->n_ifs == l->cap_ifs && l->cap_ifs < IFS_MAX) {
		size_t cap = l->cap_ifs ? l->cap_ifs * 2 : 16;
		struct sks_ifname *p = realloc(l->ifs, cap * sizeof(*p));

		if (p) {
			l->ifs = p;
			l->cap_ifs = cap;
		}
	}
	if (l->n_ifs < l->cap_ifs) {
		e = &l->ifs[l->n_ifs++];
		e->index = ifindex;
		memcpy(e->name, name, sizeof(name));
		goto found;
	}
	if (name[0]) {
		/* Cache full (or no memory): the name fits the scratch buffer. */
		memcpy(l->ifbuf, name, sizeof(name));
		return l->ifbuf;
	}
	goto unknown;
found:
	if (e->name[0])
		return e->name;
unknown:
	/* ss prints "if<N>" for an index it cannot name. */
	memcpy(l->ifbuf, "if", 2);
	n = sks_fmt_u64(l->ifbuf + 2, ifindex);
	l->ifbuf[2 + n] = '\0';
	return l->ifbuf;
}

static size_t host_hash(const struct sks_endpoint *ep, size_t mask)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	size_t i, n = ep->family == AF_INET ? 4 : 16;

	for (i = 0; i < n; i++)
		h = (h ^ ep->addr[i]) * 1099511628211ull;
	h ^= ep->scope_id;
	return (size_t)(h ^ (h >> 29)) & mask;
}

static bool host_eq(const struct sks_host *h, const struct sks_endpoint *ep)
{
	return h->family == ep->family && h->scope_id == ep->scope_id &&
	       !memcmp(h->addr, ep->addr, ep->family == AF_INET ? 4 : 16);
}

static int hosts_grow(struct sks_lookup *l)
{
	size_t cap = l->cap_hosts ? l->cap_hosts * 2 : 256, i;
	struct sks_host *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (i = 0; i < l->cap_hosts; i++) {
		struct sks_host *h = &l->hosts[i];
		struct sks_endpoint ep = { .family = h->family, .scope_id = h->scope_id };
		size_t j;

		if (!h->used)
			continue;
		memcpy(ep.addr, h->addr, sizeof(ep.addr));
		for (j = host_hash(&ep, cap - 1); t[j].used; j = (j + 1) & (cap - 1))
			;
		t[j] = *h;
	}
	free(l->hosts);
	l->hosts = t;
	l->cap_hosts = cap;
	return 0;
}

static char *resolve(const struct sks_endpoint *ep)
{
	char host[NI_MAXHOST];
	struct sockaddr_storage ss = { 0 };
	socklen_t len;

	if (ep->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, ep->addr, 4);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, ep->addr, 16);
		sin6->sin6_scope_id = ep->scope_id;
		len = sizeof(*sin6);
	}
	if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), NULL, 0, NI_NAMEREQD))
		return NULL;
	return strdup(host);
}

const char *sks_lookup_host(struct sks_lookup *l, const struct sks_endpoint *ep)
{
	struct sks_host *h;
	size_t i, mask;

	if (!(l->flags & SKS_VIEW_RESOLVE) || (ep->family != AF_INET && ep->family != AF_INET6))
		return NULL;
	if ((l->n_hosts + 1) * 2 > l->cap_hosts && l->cap_hosts < HOSTS_MAX) {
		if (hosts_grow(l) < 0 && !l->cap_hosts)
			return NULL;
	}
	mask = l->cap_hosts - 1;
	for (i = host_hash(ep, mask); l->hosts[i].used; i = (i + 1) & mask)
		if (host_eq(&l->hosts[i], ep))
			return l->hosts[i].name;
	if ((l->n_hosts + 1) * 4 > l->cap_hosts * 3)
		return NULL; /* table full at its cap: show the number rather than stall */
	h = &l->hosts[i];
	h->used = 1;
	h->family = ep->family;
	h->scope_id = ep->scope_id;
	memcpy(h->addr, ep->addr, sizeof(h->addr));
	h->name = resolve(ep);
	l->n_hosts++;
	return h->name;
}
