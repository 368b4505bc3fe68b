// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sockfarm: the socket farm of the end-to-end tests.  Run inside a private
 * network + pid namespace, it creates one socket of every kind sockscope must
 * list (and the awkward holders: a forked child, a thread with its own fd
 * table, a process with a hostile name), holds them, writes a manifest of
 * what it made -- the ground truth the tests hold sockscope, ss, netstat and
 * lsof to -- and prints READY.  It exits on SIGTERM or when stdin closes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Hostile names.  The comm stays under 15 bytes so the kernel does not cut
 * it (the tests compare it byte for byte); both are valid UTF-8, so JSON can
 * carry them exactly.
 */
static const char hostile_comm[] = "\x1b[31mevil\nfarm";
static const char hostile_argv0[] = "\x1b[31mevil\nfarm-argv0\x1b[0m";
/* ss and fuser cut a comm at ')'; a '"' ends the quoted name in ss-style lists. */
static const char paren_comm[] = "sf) \"q\" (x";
static const char paren_argv0[] = "sockfarm-paren";
/* A path with a newline, an ESC sequence and a space; one with a byte that is not UTF-8. */
static const char hostile_path[] = "nl\nesc\x1b[7m sp.sock";
static const char badutf8_path[] = "bad\xff.sock";
/* A real (relative) path that starts with '@': ss shows it as if it were abstract. */
static const char at_path[] = "@fake.sock";
/* An abstract name with an embedded NUL (ss shows the NUL as '@'). */
static const char nul_abstract[] = "sockfarm\0nul";
/* Longer than the kernel's 15-byte comm: the whole name is only in argv[0]. */
static const char long_name[] = "sockfarm-long-process-name";

#define MAX_KEEP 8

struct holder {
	pid_t pid;
	pid_t tid;
	int fd;
};

struct farm {
	FILE *man; /* manifest, built in memory and written at the end */
	char *man_buf;
	size_t man_len;
	const char *dir;
	pid_t pid;
	pid_t children[8];
	int n_children;
};

/* Socket made by the thread that has its own fd table. */
struct thread_socks {
	int notify_fd;
	pid_t tid;
	int tcp_fd;
	int unix_fd;
	unsigned long long tcp_ino, unix_ino; /* fstat'ed by the thread: not in our table */
	int err;
};

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	fputs("sockfarm: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static unsigned long long inode_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		die("fstat %d", fd);
	return (unsigned long long)st.st_ino;
}

static void put_hex(FILE *f, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	if (!len) {
		fputc('-', f);
		return;
	}
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
}

static void put_holders(FILE *f, const struct holder *h, size_t n)
{
	size_t i;

	fputs(" holders=", f);
	if (!n)
		fputc('-', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%d/%d/%d", i ? "," : "", (int)h[i].pid, (int)h[i].tid, h[i].fd);
}

static void man_inet_ino(struct farm *f, const char *id, const char *netid, const char *state,
			 const char *local, const char *peer, unsigned long long ino,
			 const struct holder *h, size_t n)
{
	fprintf(f->man, "sock id=%s netid=%s state=%s local=%s peer=%s inode=%llu", id, netid,
		state, local, peer, ino);
	put_holders(f->man, h, n);
	if (!n)
		fputs(" noowner=kernel", f->man);
	fputc('\n', f->man);
}

static void man_unix_ino(struct farm *f, const char *id, const char *netid, const char *state,
			 const char *path, size_t path_len, bool abstract, unsigned long long ino,
			 unsigned long long peer_ino, const struct holder *h, size_t n)
{
	fprintf(f->man, "sock id=%s netid=%s state=%s path_hex=", id, netid, state);
	put_hex(f->man, path, path ? path_len : 0);
	fprintf(f->man, " abstract=%d inode=%llu peer_inode=%llu", abstract ? 1 : 0, ino, peer_ino);
	put_holders(f->man, h, n);
	fputc('\n', f->man);
}

/* fd < 0: no socket (TIME-WAIT: inode 0). */
static void man_inet(struct farm *f, const char *id, const char *netid, const char *state,
		     const char *local, const char *peer, int fd, const struct holder *h, size_t n)
{
	man_inet_ino(f, id, netid, state, local, peer, fd >= 0 ? inode_of(fd) : 0ULL, h, n);
}

static void man_unix(struct farm *f, const char *id, const char *netid, const char *state,
		     const char *path, size_t path_len, bool abstract, int fd, int peer_fd,
		     const struct holder *h, size_t n)
{
	man_unix_ino(f, id, netid, state, path, path_len, abstract, inode_of(fd),
		     peer_fd >= 0 ? inode_of(peer_fd) : 0ULL, h, n);
}

static void man_proc(struct farm *f, const char *role, pid_t pid, pid_t tid, const char *comm,
		     size_t comm_len, const char *argv0, size_t argv0_len)
{
	fprintf(f->man, "proc role=%s pid=%d tid=%d comm_hex=", role, (int)pid, (int)tid);
	put_hex(f->man, comm, comm_len);
	fputs(" argv0_hex=", f->man);
	put_hex(f->man, argv0, argv0_len);
	fputc('\n', f->man);
}

/* One holder: this process's main fd table. */
static struct holder me(const struct farm *f, int fd)
{
	struct holder h = { f->pid, f->pid, fd };

	return h;
}

static int inet_sock(int family, int type, int proto, const char *addr, int port, int v6only)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} sa;
	socklen_t len;
	int one = 1;
	int fd;

	fd = socket(family, type, proto);
	if (fd < 0)
		die("socket(%d, %d, %d)", family, type, proto);
	if (type == SOCK_RAW)
		return fd;
	memset(&sa, 0, sizeof(sa));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("SO_REUSEADDR");
	if (family == AF_INET6) {
		if (v6only >= 0 &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0)
			die("IPV6_V6ONLY");
		sa.in6.sin6_family = AF_INET6;
		sa.in6.sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &sa.in6.sin6_addr) != 1)
			die("bad address %s", addr);
		len = sizeof(sa.in6);
	} else {
		sa.in4.sin_family = AF_INET;
		sa.in4.sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &sa.in4.sin_addr) != 1)
			die("bad address %s", addr);
		len = sizeof(sa.in4);
	}
	if (bind(fd, &sa.sa, len) < 0)
		die("bind %s port %d", addr, port);
	return fd;
}

static int tcp_listen(int family, const char *addr, int port, int v6only)
{
	int fd = inet_sock(family, SOCK_STREAM, 0, addr, port, v6only);

	if (listen(fd, 16) < 0)
		die("listen %s:%d", addr, port);
	return fd;
}

static void inet_connect(int fd, int family, const char *addr, int port)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} sa;
	socklen_t len;

	memset(&sa, 0, sizeof(sa));
	if (family == AF_INET6) {
		sa.in6.sin6_family = AF_INET6;
		sa.in6.sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, addr, &sa.in6.sin6_addr);
		len = sizeof(sa.in6);
	} else {
		sa.in4.sin_family = AF_INET;
		sa.in4.sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, addr, &sa.in4.sin_addr);
		len = sizeof(sa.in4);
	}
	if (connect(fd, &sa.sa, len) < 0)
		die("connect %s:%d", addr, port);
}

static int xaccept(int lfd)
{
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		die("accept");
	return fd;
}

/* path == NULL: unbound.  abstract names are given without their leading NUL. */
static int unix_sock(int type, const char *path, size_t len, bool abstract, bool do_listen)
{
	struct sockaddr_un sun;
	socklen_t alen;
	int fd;

	fd = socket(AF_UNIX, type, 0);
	if (fd < 0)
		die("socket(AF_UNIX, %d)", type);
	if (!path)
		return fd;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (len + 2 > sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		die("unix path");
	}
	if (abstract) {
		memcpy(sun.sun_path + 1, path, len);
		alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
	} else {
		memcpy(sun.sun_path, path, len);
		alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	}
	if (bind(fd, (struct sockaddr *)&sun, alen) < 0)
		die("bind unix");
	if (do_listen && listen(fd, 16) < 0)
		die("listen unix");
	return fd;
}

static void unix_connect(int fd, const char *path, size_t len, bool abstract)
{
	struct sockaddr_un sun;
	socklen_t alen;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (abstract) {
		memcpy(sun.sun_path + 1, path, len);
		alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
	} else {
		memcpy(sun.sun_path, path, len);
		alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	}
	if (connect(fd, (struct sockaddr *)&sun, alen) < 0)
		die("connect unix");
}

static void wait_byte(int fd, const char *what)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		errno = n < 0 ? errno : EPIPE;
		die("%s did not report ready", what);
	}
}

/* In a forked child: keep only stdio and the listed fds. */
static void close_all_but(const int *keep, size_t n)
{
	int fd;
	size_t i;

	for (fd = 3; fd < 1024; fd++) {
		for (i = 0; i < n; i++)
			if (keep[i] == fd)
				break;
		if (i == n)
			close(fd);
	}
}

/* Children must not outlive the farm, even if the pid namespace is not torn down. */
static void die_with_parent(pid_t parent)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		die("PR_SET_PDEATHSIG");
	if (getppid() != parent)
		_exit(1);
}

static void __attribute__((noreturn)) hold_forever(void)
{
	for (;;)
		pause();
}

static void *thread_main(void *arg)
{
	struct thread_socks *ts = arg;
	char c = 1;

	ts->tid = gettid();
	/*
	 * Give this thread its own fd table: what it opens from now on is in
	 * /proc/PID/task/TID/fd only, not in /proc/PID/fd.
	 */
	if (unshare(CLONE_FILES) < 0) {
		ts->err = errno;
	} else {
		ts->tcp_fd = tcp_listen(AF_INET, "127.0.0.1", 47007, -1);
		ts->unix_fd = unix_sock(SOCK_STREAM, "sockfarm-thread", 15, true, true);
		ts->tcp_ino = inode_of(ts->tcp_fd);
		ts->unix_ino = inode_of(ts->unix_fd);
	}
	if (write(ts->notify_fd, &c, 1) != 1)
		die("thread notify");
	close(ts->notify_fd);
	hold_forever();
	return NULL;
}

static void start_thread(struct farm *f, struct thread_socks *ts)
{
	pthread_t th;
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe");
	ts->notify_fd = p[1];
	ts->tcp_fd = ts->unix_fd = -1;
	if (pthread_create(&th, NULL, thread_main, ts) != 0)
		die("pthread_create");
	wait_byte(p[0], "thread");
	close(p[0]);
	/* The thread's table has its own copy of p[1] and closed it; close ours. */
	close(p[1]);
	if (ts->err) {
		errno = ts->err;
		die("unshare(CLONE_FILES)");
	}
	man_proc(f, "thread", f->pid, ts->tid, NULL, 0, NULL, 0);
}

static void inet_sockets(struct farm *f)
{
	static const struct {
		const char *id;
		int family;
		const char *addr;
		int port;
		int v6only;
		const char *local, *peer;
	} l[] = {
		{ "tcp4_any", AF_INET, "0.0.0.0", 47001, -1, "0.0.0.0:47001", "0.0.0.0:*" },
		{ "tcp4_lo", AF_INET, "127.0.0.1", 47002, -1, "127.0.0.1:47002", "0.0.0.0:*" },
		{ "tcp6_any_v6only", AF_INET6, "::", 47003, 1, "[::]:47003", "[::]:*" },
		{ "tcp6_lo", AF_INET6, "::1", 47004, 1, "[::1]:47004", "[::]:*" },
		{ "tcp6_any_dual", AF_INET6, "::", 47005, 0, "*:47005", "*:*" },
	};
	/* Established pairs: v4, v6, and v4 into the dual-stack listener (v4-mapped). */
	static const struct {
		const char *id;
		int family;
		const char *addr;
		int port;
		size_t listener;
		const char *cl_local, *cl_peer, *sv_local, *sv_peer;
	} e[] = {
		{ "tcp4_est", AF_INET, "127.0.0.1", 47101, 1, "127.0.0.1:47101", "127.0.0.1:47002",
		  "127.0.0.1:47002", "127.0.0.1:47101" },
		{ "tcp6_est", AF_INET6, "::1", 47102, 3, "[::1]:47102", "[::1]:47004", "[::1]:47004",
		  "[::1]:47102" },
		{ "tcp_mapped_est", AF_INET, "127.0.0.1", 47103, 4, "127.0.0.1:47103",
		  "127.0.0.1:47005", "[::ffff:127.0.0.1]:47005", "[::ffff:127.0.0.1]:47103" },
	};
	static const struct {
		const char *id;
		int family;
		const char *addr;
		int port;
		int v6only;
		const char *to;
		int to_port;
		const char *local, *peer;
	} u[] = {
		{ "udp4_any", AF_INET, "0.0.0.0", 47201, -1, NULL, 0, "0.0.0.0:47201", "0.0.0.0:*" },
		{ "udp6_lo", AF_INET6, "::1", 47202, 1, NULL, 0, "[::1]:47202", "[::]:*" },
		{ "udp4_conn", AF_INET, "127.0.0.1", 47203, -1, "127.0.0.1", 47201,
		  "127.0.0.1:47203", "127.0.0.1:47201" },
		{ "udp6_conn", AF_INET6, "::1", 47204, 1, "::1", 47202, "[::1]:47204",
		  "[::1]:47202" },
		{ "udp6_any_dual", AF_INET6, "::", 47205, 0, NULL, 0, "*:47205", "*:*" },
	};
	int lfd[sizeof(l) / sizeof(l[0])];
	struct holder h;
	size_t i;
	int fd, c, a;

	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
		lfd[i] = tcp_listen(l[i].family, l[i].addr, l[i].port, l[i].v6only);
		h = me(f, lfd[i]);
		man_inet(f, l[i].id, "tcp", "LISTEN", l[i].local, l[i].peer, lfd[i], &h, 1);
	}
	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		const char *laddr = l[e[i].listener].addr;

		c = inet_sock(e[i].family, SOCK_STREAM, 0, e[i].addr, e[i].port,
			      e[i].family == AF_INET6 ? 1 : -1);
		inet_connect(c, e[i].family, e[i].family == AF_INET && !strcmp(laddr, "::") ?
			     "127.0.0.1" : laddr, l[e[i].listener].port);
		a = xaccept(lfd[e[i].listener]);
		h = me(f, c);
		man_inet(f, e[i].id, "tcp", "ESTAB", e[i].cl_local, e[i].cl_peer, c, &h, 1);
		h = me(f, a);
		man_inet(f, e[i].id, "tcp", "ESTAB", e[i].sv_local, e[i].sv_peer, a, &h, 1);
	}
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		fd = inet_sock(u[i].family, SOCK_DGRAM, 0, u[i].addr, u[i].port, u[i].v6only);
		if (u[i].to)
			inet_connect(fd, u[i].family, u[i].to, u[i].to_port);
		h = me(f, fd);
		man_inet(f, u[i].id, "udp", u[i].to ? "ESTAB" : "UNCONN", u[i].local, u[i].peer, fd,
			 &h, 1);
	}

	/* ss shows a raw socket's protocol as its port; ICMPv6 raw is dual-stack. */
	fd = inet_sock(AF_INET, SOCK_RAW, IPPROTO_ICMP, NULL, 0, -1);
	h = me(f, fd);
	man_inet(f, "raw4_icmp", "raw", "UNCONN", "0.0.0.0:1", "0.0.0.0:*", fd, &h, 1);
	fd = inet_sock(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, NULL, 0, -1);
	h = me(f, fd);
	man_inet(f, "raw6_icmp", "raw", "UNCONN", "*:58", "*:*", fd, &h, 1);
}

static void packet_sockets(struct farm *f)
{
	struct sockaddr_ll sll;
	struct holder h;
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		die("socket(AF_PACKET)");
	h = me(f, fd);
	man_inet(f, "packet_raw_all", "p_raw", "UNCONN", "*:*", "*", fd, &h, 1);

	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0)
		die("socket(AF_PACKET)");
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)if_nametoindex("lo");
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind packet to lo");
	h = me(f, fd);
	man_inet(f, "packet_dgram_ip_lo", "p_dgr", "UNCONN", "[2048]:lo", "*", fd, &h, 1);
}

/* DIR/name into buf (a unix path); returns its length. */
static size_t in_dir(const struct farm *f, const char *name, size_t name_len, char *buf,
		     size_t size)
{
	size_t dlen = strlen(f->dir);

	if (dlen + 1 + name_len + 1 > size) {
		errno = ENAMETOOLONG;
		die("unix path in %s", f->dir);
	}
	memcpy(buf, f->dir, dlen);
	buf[dlen] = '/';
	memcpy(buf + dlen + 1, name, name_len);
	buf[dlen + 1 + name_len] = '\0';
	return dlen + 1 + name_len;
}

static void unix_pair(struct farm *f, const char *id, const char *netid, int type,
		      const char *path, size_t len, bool abstract)
{
	struct holder h;
	char buf[108];
	int l, c, a;

	if (!abstract) {
		len = in_dir(f, path, len, buf, sizeof(buf));
		path = buf;
	}

	l = unix_sock(type, path, len, abstract, true);
	c = unix_sock(type, NULL, 0, false, false);
	unix_connect(c, path, len, abstract);
	a = xaccept(l);
	h = me(f, l);
	man_unix(f, id, netid, "LISTEN", path, len, abstract, l, -1, &h, 1);
	h = me(f, c);
	man_unix(f, id, netid, "ESTAB", NULL, 0, false, c, a, &h, 1);
	h = me(f, a);
	man_unix(f, id, netid, "ESTAB", path, len, abstract, a, c, &h, 1);
}

static void unix_sockets(struct farm *f)
{
	struct holder h;
	char path[108];
	size_t len;
	int sv[2];
	int fd, c;

	unix_pair(f, "unix_stream_named", "u_str", SOCK_STREAM, "stream.sock", 11, false);
	unix_pair(f, "unix_seq_named", "u_seq", SOCK_SEQPACKET, "seq.sock", 8, false);
	unix_pair(f, "unix_stream_abstract", "u_str", SOCK_STREAM, "sockfarm-abs-stream", 19, true);

	len = in_dir(f, "dgram.sock", 10, path, sizeof(path));
	fd = unix_sock(SOCK_DGRAM, path, len, false, false);
	c = unix_sock(SOCK_DGRAM, NULL, 0, false, false);
	unix_connect(c, path, len, false);
	/* Since Linux 5.15 (83301b5367a9) the target of a datagram connect is ESTAB too. */
	h = me(f, fd);
	man_unix(f, "unix_dgram_named", "u_dgr", "ESTAB", path, len, false, fd, -1, &h, 1);
	h = me(f, c);
	man_unix(f, "unix_dgram_client", "u_dgr", "ESTAB", NULL, 0, false, c, fd, &h, 1);

	fd = unix_sock(SOCK_DGRAM, "sockfarm-abs-dgram", 18, true, false);
	h = me(f, fd);
	man_unix(f, "unix_dgram_abstract", "u_dgr", "UNCONN", "sockfarm-abs-dgram", 18, true, fd,
		 -1, &h, 1);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("socketpair");
	h = me(f, sv[0]);
	man_unix(f, "unix_socketpair", "u_str", "ESTAB", NULL, 0, false, sv[0], sv[1], &h, 1);
	h = me(f, sv[1]);
	man_unix(f, "unix_socketpair", "u_str", "ESTAB", NULL, 0, false, sv[1], sv[0], &h, 1);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		die("socketpair");
	h = me(f, sv[0]);
	man_unix(f, "unix_socketpair_dgram", "u_dgr", "ESTAB", NULL, 0, false, sv[0], sv[1], &h,
		 1);
	h = me(f, sv[1]);
	man_unix(f, "unix_socketpair_dgram", "u_dgr", "ESTAB", NULL, 0, false, sv[1], sv[0], &h,
		 1);

	len = in_dir(f, hostile_path, sizeof(hostile_path) - 1, path, sizeof(path));
	fd = unix_sock(SOCK_STREAM, path, len, false, true);
	h = me(f, fd);
	man_unix(f, "unix_hostile_path", "u_str", "LISTEN", path, len, false, fd, -1, &h, 1);
	len = in_dir(f, badutf8_path, sizeof(badutf8_path) - 1, path, sizeof(path));
	fd = unix_sock(SOCK_DGRAM, path, len, false, false);
	h = me(f, fd);
	man_unix(f, "unix_badutf8_path", "u_dgr", "UNCONN", path, len, false, fd, -1, &h, 1);
	/* Bound relative to the cwd (DIR), so the kernel reports it starting with '@'. */
	fd = unix_sock(SOCK_DGRAM, at_path, sizeof(at_path) - 1, false, false);
	h = me(f, fd);
	man_unix(f, "unix_at_path", "u_dgr", "UNCONN", at_path, sizeof(at_path) - 1, false, fd, -1,
		 &h, 1);
	fd = unix_sock(SOCK_STREAM, nul_abstract, sizeof(nul_abstract) - 1, true, true);
	h = me(f, fd);
	man_unix(f, "unix_nul_abstract", "u_str", "LISTEN", nul_abstract, sizeof(nul_abstract) - 1,
		 true, fd, -1, &h, 1);
}

/* A TCP listener and a unix datagram socket held by this process and a forked child. */
static void shared_sockets(struct farm *f)
{
	struct holder h[2];
	int p[2], keep[3];
	pid_t pid;

	keep[0] = tcp_listen(AF_INET, "127.0.0.1", 47006, -1);
	keep[1] = unix_sock(SOCK_DGRAM, "sockfarm-shared", 15, true, false);
	if (pipe(p) < 0)
		die("pipe");
	keep[2] = p[1];
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		die_with_parent(f->pid);
		close_all_but(keep, 3);
		if (write(p[1], "", 1) != 1)
			_exit(1);
		close(p[1]);
		hold_forever();
	}
	f->children[f->n_children++] = pid;
	close(p[1]);
	wait_byte(p[0], "shared child");
	close(p[0]);
	man_proc(f, "shared-child", pid, pid, "sockfarm", 8, NULL, 0);
	h[0] = me(f, keep[0]);
	h[1] = (struct holder){ pid, pid, keep[0] };
	man_inet(f, "tcp_shared", "tcp", "LISTEN", "127.0.0.1:47006", "0.0.0.0:*", keep[0], h, 2);
	h[0] = me(f, keep[1]);
	h[1] = (struct holder){ pid, pid, keep[1] };
	man_unix(f, "unix_shared", "u_dgr", "UNCONN", "sockfarm-shared", 15, true, keep[1], -1, h,
		 2);
}

static int parse_fd(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 1023) {
		errno = EINVAL;
		die("bad fd '%s'", s);
	}
	return (int)v;
}

/*
 * Fork a child that executes PATH (this program) with ARGV0, renames itself
 * to COMM (unless NULL) and alone holds fds[0..n): our copies are closed
 * once it reports ready.  Returns its pid.
 */
static pid_t exec_child(struct farm *f, const char *what, const char *path, const char *argv0,
			const char *comm, const int *fds, size_t n)
{
	char s_notify[16], s_comm[40], ppid[16];
	int p[2], keep[MAX_KEEP];
	size_t i;
	pid_t pid;

	if (n + 1 > MAX_KEEP || (comm && 2 * strlen(comm) + 1 > sizeof(s_comm))) {
		errno = EINVAL;
		die("exec_child %s", what);
	}
	if (pipe(p) < 0)
		die("pipe");
	memcpy(keep, fds, n * sizeof(*fds));
	keep[n] = p[1];
	snprintf(s_notify, sizeof(s_notify), "%d", p[1]);
	snprintf(ppid, sizeof(ppid), "%d", (int)f->pid);
	s_comm[0] = '-';
	s_comm[1] = '\0';
	for (i = 0; comm && comm[i]; i++)
		snprintf(s_comm + 2 * i, 3, "%02x", (unsigned char)comm[i]);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		char *argv[] = { (char *)argv0, (char *)"--child", s_comm, s_notify, NULL };

		setenv("SOCKFARM_PARENT", ppid, 1);
		die_with_parent(f->pid);
		close_all_but(keep, n + 1);
		execv(path, argv);
		_exit(127);
	}
	f->children[f->n_children++] = pid;
	close(p[1]);
	wait_byte(p[0], what);
	close(p[0]);
	for (i = 0; i < n; i++)
		close(fds[i]);
	return pid;
}

/* After the re-exec: ARGV0 --child COMM_HEX|- NOTIFYFD.  Report ready and hold. */
static int child_main(char **argv)
{
	const char *parent = getenv("SOCKFARM_PARENT");
	const char *hex = argv[2];
	int notify = parse_fd(argv[3]);
	char comm[16] = "";
	size_t i;

	for (i = 0; hex[0] != '-' && hex[2 * i] && i < sizeof(comm) - 1; i++) {
		char byte[3] = { hex[2 * i], hex[2 * i + 1], '\0' };

		comm[i] = (char)strtol(byte, NULL, 16);
	}
	if (comm[0] && prctl(PR_SET_NAME, comm) < 0)
		die("PR_SET_NAME");
	/* The death signal survives execve, but the parent may be gone already. */
	if (!parent || getppid() != (pid_t)strtol(parent, NULL, 10))
		return 1;
	if (write(notify, "", 1) != 1)
		die("notify");
	close(notify);
	hold_forever();
}

/*
 * Children alone holding sockets, with awkward names: an ESC sequence and a
 * newline in comm and argv[0]; ')' '"' '(' and spaces in comm (ss cuts comm
 * at ')'); a name longer than comm's 15 bytes, run through a symlink so only
 * argv[0] has it whole.
 */
static void named_children(struct farm *f)
{
	unsigned long long ino[2];
	char link[108], exe[4096];
	struct holder h[2];
	int fds[2];
	size_t len;
	ssize_t n;
	pid_t pid;

	fds[0] = tcp_listen(AF_INET, "127.0.0.1", 47008, -1);
	fds[1] = unix_sock(SOCK_STREAM, "sockfarm-hostile", 16, true, true);
	ino[0] = inode_of(fds[0]);
	ino[1] = inode_of(fds[1]);
	h[0] = (struct holder){ 0, 0, fds[0] };
	h[1] = (struct holder){ 0, 0, fds[1] };
	pid = exec_child(f, "hostile child", "/proc/self/exe", hostile_argv0, hostile_comm, fds, 2);
	man_proc(f, "hostile-child", pid, pid, hostile_comm, sizeof(hostile_comm) - 1,
		 hostile_argv0, sizeof(hostile_argv0) - 1);
	h[0].pid = h[0].tid = h[1].pid = h[1].tid = pid;
	man_inet_ino(f, "tcp_hostile_child", "tcp", "LISTEN", "127.0.0.1:47008", "0.0.0.0:*",
		     ino[0], &h[0], 1);
	man_unix_ino(f, "unix_hostile_child", "u_str", "LISTEN", "sockfarm-hostile", 16, true,
		     ino[1], 0, &h[1], 1);

	fds[0] = inet_sock(AF_INET, SOCK_DGRAM, 0, "127.0.0.1", 47206, -1);
	ino[0] = inode_of(fds[0]);
	h[0] = (struct holder){ 0, 0, fds[0] };
	pid = exec_child(f, "paren child", "/proc/self/exe", paren_argv0, paren_comm, fds, 1);
	man_proc(f, "paren-child", pid, pid, paren_comm, sizeof(paren_comm) - 1, paren_argv0,
		 sizeof(paren_argv0) - 1);
	h[0].pid = h[0].tid = pid;
	man_inet_ino(f, "udp_paren_child", "udp", "UNCONN", "127.0.0.1:47206", "0.0.0.0:*", ino[0],
		     &h[0], 1);

	len = in_dir(f, long_name, sizeof(long_name) - 1, link, sizeof(link));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		die("readlink /proc/self/exe");
	exe[n] = '\0';
	if (symlink(exe, link) < 0)
		die("symlink %s", link);
	fds[0] = tcp_listen(AF_INET, "127.0.0.1", 47010, -1);
	ino[0] = inode_of(fds[0]);
	h[0] = (struct holder){ 0, 0, fds[0] };
	pid = exec_child(f, "long-name child", link, link, NULL, fds, 1);
	man_proc(f, "long-name", pid, pid, long_name, 15, link, len);
	h[0].pid = h[0].tid = pid;
	man_inet_ino(f, "tcp_long_name_child", "tcp", "LISTEN", "127.0.0.1:47010", "0.0.0.0:*",
		     ino[0], &h[0], 1);
}

/*
 * Connect to a listener from a fixed port and close from the client side
 * first: the client's end sits in TIME-WAIT for 60 s, owned by the kernel.
 */
static void time_wait_socket(struct farm *f)
{
	char line[512], want[64];
	bool found = false;
	int l, c, a, i;
	struct holder h;
	char buf[16];

	l = tcp_listen(AF_INET, "127.0.0.1", 47009, -1);
	h = me(f, l);
	man_inet(f, "tcp_tw_listener", "tcp", "LISTEN", "127.0.0.1:47009", "0.0.0.0:*", l, &h, 1);
	c = inet_sock(AF_INET, SOCK_STREAM, 0, "127.0.0.1", 47109, -1);
	inet_connect(c, AF_INET, "127.0.0.1", 47009);
	a = xaccept(l);
	close(c);
	if (read(a, buf, sizeof(buf)) != 0)
		die("expected EOF on the accepted socket");
	close(a);
	/* Wait for the client end to reach TIME-WAIT (state 06 in /proc/net/tcp). */
	snprintf(want, sizeof(want), "0100007F:%04X 0100007F:%04X 06 ", 47109, 47009);
	for (i = 0; i < 200 && !found; i++) {
		FILE *tcp = fopen("/proc/net/tcp", "r");

		if (!tcp)
			die("/proc/net/tcp");
		while (fgets(line, sizeof(line), tcp))
			if (strstr(line, want))
				found = true;
		fclose(tcp);
		if (!found)
			nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	if (!found) {
		errno = ETIMEDOUT;
		die("no TIME-WAIT socket");
	}
	man_inet(f, "tcp_time_wait", "tcp", "TIME-WAIT", "127.0.0.1:47109", "127.0.0.1:47009", -1,
		 NULL, 0);
}

static void write_manifest(struct farm *f, const char *path)
{
	char tmp[4096];
	FILE *out;

	if (fflush(f->man) != 0)
		die("manifest");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	out = fopen(tmp, "w");
	if (!out)
		die("open %s", tmp);
	if (fwrite(f->man_buf, 1, f->man_len, out) != f->man_len || fclose(out) != 0)
		die("write %s", tmp);
	if (rename(tmp, path) < 0)
		die("rename %s", tmp);
}

/* Hold everything until SIGTERM/SIGINT/SIGHUP or EOF on stdin. */
static void hold_until_told(int sfd)
{
	struct pollfd pfd[2] = { { 0, POLLIN, 0 }, { sfd, POLLIN, 0 } };
	char buf[256];

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (pfd[1].revents)
			return;
		if (pfd[0].revents) {
			ssize_t n = read(0, buf, sizeof(buf));

			if (n <= 0)
				return;
		}
	}
}

static int usage(void)
{
	fputs("usage: sockfarm MANIFEST DIR     (the full farm; unix sockets under DIR)\n"
	      "       sockfarm --mini MANIFEST  (a TCP and a unix listener, for -N tests)\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	struct thread_socks ts = { 0 };
	struct farm f = { 0 };
	struct holder th;
	bool mini;
	sigset_t set;
	int sfd, i;

	if (argc == 4 && !strcmp(argv[1], "--child"))
		return child_main(argv);
	mini = argc == 3 && !strcmp(argv[1], "--mini");
	if (!mini && argc != 3)
		return usage();

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask");
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		die("signalfd");
	signal(SIGPIPE, SIG_IGN);

	f.pid = getpid();
	f.man = open_memstream(&f.man_buf, &f.man_len);
	if (!f.man)
		die("open_memstream");
	man_proc(&f, "main", f.pid, f.pid, "sockfarm", 8, NULL, 0);

	if (mini) {
		int fd = tcp_listen(AF_INET, "0.0.0.0", 47901, -1);

		th = me(&f, fd);
		man_inet(&f, "mini_tcp", "tcp", "LISTEN", "0.0.0.0:47901", "0.0.0.0:*", fd, &th, 1);
		fd = unix_sock(SOCK_STREAM, "sockfarm-mini", 13, true, true);
		th = me(&f, fd);
		man_unix(&f, "mini_unix", "u_str", "LISTEN", "sockfarm-mini", 13, true, fd, -1, &th,
			 1);
		write_manifest(&f, argv[2]);
	} else {
		f.dir = argv[2];
		if (f.dir[0] != '/' || argv[1][0] != '/') {
			errno = EINVAL;
			die("MANIFEST and DIR must be absolute paths");
		}
		if (chdir(f.dir) < 0)
			die("chdir %s", f.dir);
		/* First, while the fd table holds only stdio: the thread copies it. */
		start_thread(&f, &ts);
		th = (struct holder){ f.pid, ts.tid, ts.tcp_fd };
		man_inet_ino(&f, "tcp_thread_only", "tcp", "LISTEN", "127.0.0.1:47007",
			     "0.0.0.0:*", ts.tcp_ino, &th, 1);
		th.fd = ts.unix_fd;
		man_unix_ino(&f, "unix_thread_only", "u_str", "LISTEN", "sockfarm-thread", 15, true,
			     ts.unix_ino, 0, &th, 1);
		shared_sockets(&f);
		named_children(&f);
		inet_sockets(&f);
		packet_sockets(&f);
		unix_sockets(&f);
		time_wait_socket(&f);
		write_manifest(&f, argv[1]);
	}
	fclose(f.man);
	free(f.man_buf);
	fputs("READY\n", stdout);
	fflush(stdout);

	hold_until_told(sfd);
	for (i = 0; i < f.n_children; i++) {
		kill(f.children[i], SIGKILL);
		waitpid(f.children[i], NULL, 0);
	}
	return 0;
}
