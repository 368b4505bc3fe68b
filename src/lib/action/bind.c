// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * "Could a server bind there?": the kernel is asked by a real bind(2) in
 * the context's namespace (with no option, SO_REUSEADDR, SO_REUSEPORT),
 * and sks_bind_conflict() explains which sockets are in the way by the
 * rules of the kernel's inet_rcv_saddr_equal(): wildcards cover specific
 * addresses, a dual-stack [::] covers IPv4, IPV6_V6ONLY opts out.
 */
#include "action/action.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
static const uint8_t zeros[16];

/* One side of the comparison, as the kernel sees a socket's bound address. */
struct side {
	bool v6;        /* an AF_INET6 socket */
	bool any6;      /* v6 and bound to :: */
	bool mapped;    /* AF_INET, or v6 bound to ::ffff:a.b.c.d */
	bool v6only;
	uint32_t v4;    /* the IPv4 address when mapped (network order), 0 for wildcards */
	uint8_t a6[16]; /* the IPv6 address when v6 */
};

static void side_of(struct side *s, const struct sks_endpoint *e, int v6only)
{
	memset(s, 0, sizeof(*s));
	if (e->family == AF_INET) {
		s->mapped = true;
		memcpy(&s->v4, e->addr, 4);
		return;
	}
	s->v6 = true;
	memcpy(s->a6, e->addr, 16);
	s->any6 = !memcmp(e->addr, zeros, 16);
	s->mapped = !memcmp(e->addr, v4mapped, 12);
	if (s->mapped)
		memcpy(&s->v4, e->addr + 12, 4);
	/* inet6_bind() makes any specific, non-mapped address v6-only */
	s->v6only = v6only > 0 || (!s->any6 && !s->mapped);
}

/* The kernel's ipv4_rcv_saddr_equal()/ipv6_rcv_saddr_equal() with wildcards matching. */
static unsigned relation(const struct side *t, const struct side *o)
{
	if (!t->v6) {
		/* the target is IPv4: o must be IPv4, mapped, or a dual-stack [::] */
		if (o->v6 && o->v6only)
			return SKS_BIND_CLEAR;
		if (o->any6)
			return SKS_BIND_DUAL_STACK;
		if (t->v4 == o->v4)
			return SKS_BIND_SAME_ADDRESS;
		if (!o->v4)
			return SKS_BIND_WILDCARD;
		if (!t->v4)
			return SKS_BIND_COVERED;
		return SKS_BIND_CLEAR;
	}
	if (t->mapped && o->mapped) {
		if (o->v6 && o->v6only)
			return SKS_BIND_CLEAR;
		if (t->v4 == o->v4)
			return SKS_BIND_SAME_ADDRESS;
		if (!o->v4)
			return SKS_BIND_WILDCARD;
		if (!t->v4)
			return SKS_BIND_COVERED;
		return SKS_BIND_CLEAR;
	}
	if (t->any6 && o->any6)
		return SKS_BIND_SAME_ADDRESS;
	if (o->any6 && !(o->v6only && t->mapped))
		return SKS_BIND_WILDCARD;
	if (t->any6 && !(t->v6only && o->mapped))
		return o->mapped ? SKS_BIND_DUAL_TARGET : SKS_BIND_COVERED;
	if (o->v6 && !memcmp(t->a6, o->a6, 16))
		return SKS_BIND_SAME_ADDRESS;
	return SKS_BIND_CLEAR;
}

unsigned sks_bind_conflict(const struct sks_record *rec, const struct sks_bind_target *t)
{
	struct side ts, os;
	int v6only;
	unsigned rel;

	if ((t->type == SOCK_STREAM && rec->proto != SKS_PROTO_TCP) ||
	    (t->type == SOCK_DGRAM && rec->proto != SKS_PROTO_UDP) ||
	    rec->inet.local.port != t->addr.port)
		return SKS_BIND_CLEAR;
	/* Request sockets (SYN-RECV) are not in the port's bind bucket. */
	if ((rec->family != AF_INET && rec->family != AF_INET6) ||
	    rec->state == SKS_STATE_NEW_SYN_RECV || rec->state == SKS_STATE_SYN_RECV)
		return SKS_BIND_CLEAR;
	/* Unknown v6only (TIME-WAIT records carry none): the kernel's default, 0. */
	v6only = rec->inet.v6only > 0;
	side_of(&ts, &t->addr, t->v6only);
	side_of(&os, &rec->inet.local, v6only);
	rel = relation(&ts, &os);
	if (rel != SKS_BIND_CLEAR && rec->state == SKS_STATE_TIME_WAIT)
		return SKS_BIND_TIME_WAIT;
	return rel;
}

const char *sks_bind_conflict_text(unsigned why)
{
	switch (why) {
	case SKS_BIND_SAME_ADDRESS:
		return "bound to the same address";
	case SKS_BIND_WILDCARD:
		return "bound to the wildcard address, which covers this one";
	case SKS_BIND_COVERED:
		return "the wildcard address asked for covers its address";
	case SKS_BIND_DUAL_STACK:
		return "a dual-stack IPv6 socket (no IPV6_V6ONLY): [::] covers every IPv4 address";
	case SKS_BIND_DUAL_TARGET:
		return "a dual-stack [::] bind covers its IPv4 address";
	case SKS_BIND_TIME_WAIT:
		return "TIME-WAIT remnant: blocks binds without SO_REUSEADDR until it expires";
	}
	return "";
}

/* One bind(2) attempt: 0 or the errno. */
static int try_bind(const struct sks_bind_target *t, int opt, int *ret_v6only)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, err = 0;

	fd = socket(t->addr.family, t->type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ss, 0, sizeof(ss));
	if (t->addr.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(t->addr.port);
		memcpy(&sin->sin_addr, t->addr.addr, 4);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		int v6only = t->v6only;
		socklen_t olen = sizeof(v6only);

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(t->addr.port);
		memcpy(&sin6->sin6_addr, t->addr.addr, 16);
		sin6->sin6_scope_id = t->addr.scope_id;
		len = sizeof(*sin6);
		if (v6only >= 0 &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0)
			err = errno;
		if (!err && getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &olen) == 0)
			*ret_v6only = v6only;
	}
	/* servers that set SO_REUSEPORT set SO_REUSEADDR too */
	if (!err && opt && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		err = errno;
	if (!err && opt == SO_REUSEPORT &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		err = errno;
	/* bind only: a TCP socket that never listens cannot take a connection */
	if (!err && bind(fd, (struct sockaddr *)&ss, len) < 0)
		err = errno;
	close(fd);
	return err;
}

/* Read a sysctl file of the current namespace into buf; its length or -errno. */
static ssize_t read_sysctl(const char *path, char *buf, size_t cap)
{
	ssize_t n = sks_read_at(AT_FDCWD, path, buf, cap - 1);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static void read_sysctls(const struct sks_bind_target *t, struct sks_bind_result *res)
{
	char buf[4096];
	unsigned long a, b;
	ssize_t n;

	if (read_sysctl("/proc/sys/net/ipv4/ip_unprivileged_port_start", buf, sizeof(buf)) > 0 &&
	    sscanf(buf, "%lu", &a) == 1 && a <= 65536)
		res->unprivileged_port_start = (uint32_t)a;
	if (read_sysctl("/proc/sys/net/ipv4/ip_local_port_range", buf, sizeof(buf)) > 0 &&
	    sscanf(buf, "%lu %lu", &a, &b) == 2 && a <= 65535 && b <= 65535) {
		res->ephemeral_low = (uint16_t)a;
		res->ephemeral_high = (uint16_t)b;
	}
	n = read_sysctl("/proc/sys/net/ipv4/ip_local_reserved_ports", buf, sizeof(buf));
	if (n > 0)
		res->reserved = sks_act_port_reserved(buf, (size_t)n, t->addr.port);
}

int sks_bind_trial(struct sks_ctx *ctx, const struct sks_bind_target *t,
		   struct sks_bind_result *ret)
{
	static const int opts[SKS_BIND_TRIALS] = { 0, SO_REUSEADDR, SO_REUSEPORT };
	struct sks_bind_result res;
	int old, r = 0, i;

	if ((t->type != SOCK_STREAM && t->type != SOCK_DGRAM) || !t->addr.port ||
	    (t->addr.family != AF_INET && t->addr.family != AF_INET6))
		return -EINVAL;
	memset(&res, 0, sizeof(res));
	res.v6only = -1;
	r = sks_netns_enter(ctx, &old);
	if (r < 0)
		return r;
	for (i = 0; i < SKS_BIND_TRIALS; i++) {
		res.err[i] = try_bind(t, opts[i], &res.v6only);
		if (res.err[i] < 0) {
			r = res.err[i];
			break;
		}
	}
	/* /proc/sys/net shows the namespace of the task that opens it */
	if (r >= 0)
		read_sysctls(t, &res);
	{
		int r2 = sks_netns_leave(old);

		if (r >= 0)
			r = r2;
	}
	if (r < 0)
		return r;
	*ret = res;
	return 0;
}
