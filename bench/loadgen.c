// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loadgen: build a socket load for the benchmark (bench/run.sh), meant to run
 * inside a fresh network + pid namespace. N established TCP sockets (N/2
 * loopback connections, both ends held) are spread over P holder processes,
 * each with its own listener; optional UDP and unix sockets per holder.
 * Signals readiness through a file, then holds everything until killed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* accept4, pipe2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Port plan, all explicit so no connect() ever searches for an ephemeral
 * port (that search is what makes naive loaders crawl at 100k+ connections):
 *   listeners     127.0.0.1:LISTEN_BASE+h and [::1]:LISTEN_BASE+h
 *   v4 clients    127.1.0.0+(g / V4_PORTS) : V4_BASE + g % V4_PORTS
 *   v6 clients    [::1] : LISTEN_BASE+P+g6 (only one v6 loopback address)
 * Ports below 32768 stay out of the default ephemeral range of UDP.
 */
#define LISTEN_BASE	1024u
#define V4_BASE		32768u
#define V4_PORTS	32768u
#define BATCH		256u
#define FD_SLACK	16u

struct lg_conf {
	unsigned long sockets;	/* established TCP sockets in total */
	unsigned long procs;
	unsigned long v6_pct;
	unsigned long udp;	/* per holder */
	unsigned long unix_socks; /* per holder, rounded up to pairs */
	const char *ready_path;
};

struct lg_share {
	unsigned long conns;	/* connections of this holder */
	unsigned long first;	/* global index of its first v4 connection */
	unsigned long v6;	/* of which over IPv6 */
	unsigned long first6;	/* global index of its first v6 connection */
};

static int parse_ulong(const char *s, unsigned long max, unsigned long *ret)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die_errno(const char *what)
{
	fprintf(stderr, "loadgen[%d]: %s: %s\n", (int)getpid(), what, strerror(errno));
	_exit(1);
}

/* An abortive close (RST) leaves no TIME-WAIT behind: teardown stays quick. */
static void set_linger0(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static int listen_on(int family, unsigned int port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	int one = 1, fd;

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("socket(listen)");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		a6.sin6_port = htons(port);
		if (bind(fd, (struct sockaddr *)&a6, sizeof(a6)) < 0)
			die_errno("bind(listen v6)");
	} else {
		a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a4.sin_port = htons(port);
		if (bind(fd, (struct sockaddr *)&a4, sizeof(a4)) < 0)
			die_errno("bind(listen v4)");
	}
	if (listen(fd, BATCH) < 0)
		die_errno("listen");
	return fd;
}

/* Client g (global index within its family): bind, then connect to lport. */
static int connect_one(int family, unsigned long g, unsigned int lport, unsigned long procs)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr_in6 d6 = s6;
	struct sockaddr_in d4 = s4;
	int fd;

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("socket(client)");
	set_linger0(fd);
	if (family == AF_INET6) {
		s6.sin6_port = htons(LISTEN_BASE + procs + g);
		d6.sin6_port = htons(lport);
		if (bind(fd, (struct sockaddr *)&s6, sizeof(s6)) < 0)
			die_errno("bind(client v6)");
		if (connect(fd, (struct sockaddr *)&d6, sizeof(d6)) < 0)
			die_errno("connect(v6)");
	} else {
		s4.sin_addr.s_addr = htonl(0x7f010000u + g / V4_PORTS);
		s4.sin_port = htons(V4_BASE + g % V4_PORTS);
		d4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		d4.sin_port = htons(lport);
		if (bind(fd, (struct sockaddr *)&s4, sizeof(s4)) < 0)
			die_errno("bind(client v4)");
		if (connect(fd, (struct sockaddr *)&d4, sizeof(d4)) < 0)
			die_errno("connect(v4)");
	}
	return fd;
}

/*
 * Connect in batches no larger than the listen backlog, then accept the
 * batch: on loopback a blocking connect() returns once the handshake is
 * done, so the accept queue holds exactly the batch.
 */
static void make_conns(int family, int lfd, unsigned int lport, unsigned long first,
		       unsigned long n, unsigned long procs)
{
	unsigned long done = 0, i, b;
	int fd;

	while (done < n) {
		b = n - done < BATCH ? n - done : BATCH;
		for (i = 0; i < b; i++)
			connect_one(family, first + done + i, lport, procs);
		for (i = 0; i < b; i++) {
			fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				die_errno("accept");
			set_linger0(fd);
		}
		done += b;
	}
}

static void hold_forever(void)
{
	sigset_t none;

	sigemptyset(&none);
	for (;;)
		sigsuspend(&none);
}

static void holder(const struct lg_conf *c, unsigned long h, const struct lg_share *s, int wfd)
{
	unsigned int lport = LISTEN_BASE + h;
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	char name[32];	/* the kernel keeps 15 bytes; h < 30000 fits */
	int lfd, fd, sv[2];
	unsigned long i;

	/* Standalone use: never outlive the parent that reports readiness. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(name, sizeof(name), "sks-hold-%lu", h);
	prctl(PR_SET_NAME, name);

	lfd = listen_on(AF_INET, lport);
	make_conns(AF_INET, lfd, lport, s->first, s->conns - s->v6, c->procs);
	if (s->v6) {
		lfd = listen_on(AF_INET6, lport);
		make_conns(AF_INET6, lfd, lport, s->first6, s->v6, c->procs);
	}
	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < c->udp; i++) {
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a4, sizeof(a4)) < 0)
			die_errno("udp socket");
	}
	for (i = 0; i < c->unix_socks; i += 2)
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			die_errno("socketpair");
	if (write(wfd, "k", 1) != 1)
		die_errno("write(ready pipe)");
	close(wfd);
	hold_forever();
}

static int write_ready(const struct lg_conf *c, unsigned long listeners, double secs)
{
	char tmp[4096];
	FILE *f;
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", c->ready_path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "tcp_established=%lu listeners=%lu procs=%lu udp=%lu unix=%lu build_s=%.2f\n",
		c->sockets, listeners, c->procs, c->udp * c->procs,
		(c->unix_socks + (c->unix_socks & 1)) * c->procs, secs);
	if (fclose(f) != 0)
		return -errno;
	if (rename(tmp, c->ready_path) < 0)
		return -errno;
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: loadgen -n SOCKETS -p PROCS [-6 PCT] [-u UDP] [-x UNIX] [-r READY_FILE]\n"
		"  SOCKETS  established TCP sockets in total (SOCKETS/2 loopback connections,\n"
		"           both ends held), plus one listener per holder (two with -6)\n"
		"  PROCS    holder processes; each must stay under the open-file limit\n"
		"  -6 PCT   percent of connections over [::1] (at most 31744-PROCS of them)\n"
		"  -u UDP   bound UDP sockets per holder;  -x UNIX  unix sockets per holder\n"
		"Run it in a network namespace: it binds 127.1.0.0/16 and ports 1024-65535.\n");
	exit(2);
}

static int plan(struct lg_conf *c, struct lg_share *sh, unsigned long *listeners)
{
	unsigned long conns = c->sockets / 2, conns6, h, per, extra, done = 0, done6 = 0;
	unsigned long need, maxfd;
	struct rlimit rl;

	conns6 = conns * c->v6_pct / 100;
	if (conns6 && LISTEN_BASE + c->procs + conns6 > V4_BASE) {
		fprintf(stderr, "loadgen: too many v6 connections (%lu)\n", conns6);
		return -EINVAL;
	}
	if (LISTEN_BASE + c->procs > V4_BASE) {
		fprintf(stderr, "loadgen: too many holders (%lu)\n", c->procs);
		return -EINVAL;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	maxfd = rl.rlim_cur == RLIM_INFINITY ? ~0ul : (unsigned long)rl.rlim_cur;

	*listeners = 0;
	for (h = 0; h < c->procs; h++) {
		per = conns / c->procs + (h < conns % c->procs);
		extra = conns6 / c->procs + (h < conns6 % c->procs);
		if (extra > per)
			extra = per;
		sh[h].conns = per;
		sh[h].v6 = extra;
		sh[h].first = done;
		sh[h].first6 = done6;
		done += per - extra;
		done6 += extra;
		*listeners += 1 + (extra > 0);
		need = 2 * per + 2 + c->udp + c->unix_socks + 1 + FD_SLACK;
		if (need > maxfd) {
			fprintf(stderr, "loadgen: holder %lu needs %lu fds, limit is %lu: "
				"use more processes\n", h, need, maxfd);
			return -EMFILE;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct lg_conf c = { .ready_path = NULL };
	unsigned long h, got = 0, listeners = 0;
	struct lg_share *sh;
	int p[2], opt, have_n = 0, have_p = 0;
	double t0 = now_s();
	sigset_t set;
	ssize_t r;
	char ch;

	while ((opt = getopt(argc, argv, "n:p:6:u:x:r:h")) != -1) {
		switch (opt) {
		case 'n':
			if (parse_ulong(optarg, 4000000, &c.sockets))
				usage();
			have_n = 1;
			break;
		case 'p':
			if (parse_ulong(optarg, 30000, &c.procs) || !c.procs)
				usage();
			have_p = 1;
			break;
		case '6':
			if (parse_ulong(optarg, 100, &c.v6_pct))
				usage();
			break;
		case 'u':
			if (parse_ulong(optarg, 10000, &c.udp))
				usage();
			break;
		case 'x':
			if (parse_ulong(optarg, 10000, &c.unix_socks))
				usage();
			break;
		case 'r':
			c.ready_path = optarg;
			break;
		default:
			usage();
		}
	}
	if (!have_n || !have_p || optind != argc)
		usage();
	c.sockets &= ~1ul;

	sh = calloc(c.procs, sizeof(*sh));
	if (!sh || plan(&c, sh, &listeners))
		return 1;
	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno("pipe");

	/* The parent waits for SIGTERM/SIGINT with sigwait(); holders must not inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	for (h = 0; h < c.procs; h++) {
		pid_t pid = fork();

		if (pid < 0)
			die_errno("fork");
		if (pid == 0) {
			close(p[0]);
			holder(&c, h, &sh[h], p[1]);
		}
	}
	close(p[1]);
	sigprocmask(SIG_BLOCK, &set, NULL);

	/* EOF before P bytes means a holder died; the others die with us (PDEATHSIG). */
	while (got < c.procs && (r = read(p[0], &ch, 1)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_errno("read(ready pipe)");
		got++;
	}
	if (got < c.procs) {
		fprintf(stderr, "loadgen: only %lu of %lu holders got ready\n", got, c.procs);
		return 1;
	}
	fprintf(stderr, "loadgen: ready: %lu TCP established + %lu listeners in %lu procs, %.2f s\n",
		c.sockets, listeners, c.procs, now_s() - t0);
	if (c.ready_path && write_ready(&c, listeners, now_s() - t0) < 0)
		die_errno("ready file");

	sigwait(&set, &opt);
	/* Holders die with us through PDEATHSIG. */
	free(sh);
	return 0;
}
