// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Records the NETLINK_SOCK_DIAG dumps under tests/data/diag/.  Run as root
 * in a namespace of its own, so only its sockets are there:
 *   unshare --net --pid --fork --mount-proc record_dump tests/data/diag
 * It makes one socket of each kind, writes their inodes to manifest.txt and
 * the raw reply bytes of each dump (the requests the library sends) to *.bin.
 */
#include "collect/diag_parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

static void die(const char *what)
{
	fprintf(stderr, "record_dump: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int xsocket(int family, int type, int proto)
{
	int fd = socket(family, type | SOCK_CLOEXEC, proto);

	if (fd < 0)
		die("socket");
	return fd;
}

static void note(FILE *m, const char *label, int fd, unsigned long extra)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		die("fstat");
	fprintf(m, "%s %lu %lu\n", label, (unsigned long)st.st_ino, extra);
}

static void lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = xsocket(AF_INET, SOCK_DGRAM, 0);

	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		die("SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		die("SIOCSIFFLAGS");
	close(fd);
}

static void sin4(struct sockaddr_in *a, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static void sin6(struct sockaddr_in6 *a, uint16_t port, bool any)
{
	memset(a, 0, sizeof(*a));
	a->sin6_family = AF_INET6;
	a->sin6_port = htons(port);
	a->sin6_addr = any ? in6addr_any : in6addr_loopback;
}

static int tcp4(uint16_t port, int backlog)
{
	struct sockaddr_in a;
	int one = 1, fd = xsocket(AF_INET, SOCK_STREAM, 0);

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin4(&a, port);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind tcp4");
	if (backlog && listen(fd, backlog) < 0)
		die("listen");
	return fd;
}

static void connect4(int fd, uint16_t port)
{
	struct sockaddr_in a;

	sin4(&a, port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("connect4");
}

static int tcp6(uint16_t port, bool any, int v6only, int backlog)
{
	struct sockaddr_in6 a;
	int fd = xsocket(AF_INET6, SOCK_STREAM, 0);

	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	sin6(&a, port, any);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind tcp6");
	if (backlog && listen(fd, backlog) < 0)
		die("listen6");
	return fd;
}

static void make_inet(FILE *m)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a;
	int l4, c4, s4, p4, t4, ts, l6, c6, s6, any6, u4, u4c, u6, r;

	l4 = tcp4(5001, 8);
	note(m, "tcp4_listen", l4, 5001);
	c4 = tcp4(5011, 0);
	connect4(c4, 5001);
	s4 = accept4(l4, NULL, NULL, SOCK_CLOEXEC);
	if (s4 < 0)
		die("accept");
	if (write(c4, "hello", 5) != 5)
		die("write");
	note(m, "tcp4_cli", c4, 5011);
	note(m, "tcp4_srv", s4, 5001);
	/* Closed first by the client, which then sits in TIME-WAIT. */
	t4 = tcp4(5012, 0);
	connect4(t4, 5001);
	ts = accept4(l4, NULL, NULL, SOCK_CLOEXEC);
	if (ts < 0)
		die("accept tw");
	close(t4);
	usleep(50000);
	close(ts);
	usleep(50000);
	/* Left in the accept queue: the listener's Recv-Q is 1. */
	p4 = tcp4(5013, 0);
	connect4(p4, 5001);
	note(m, "tcp4_pending", p4, 5013);

	l6 = tcp6(5002, false, 1, 16);
	note(m, "tcp6_listen", l6, 5002);
	any6 = tcp6(5003, true, 0, 4);
	note(m, "tcp6_any", any6, 5003);
	c6 = tcp6(5014, false, 1, 0);
	sin6(&a6, 5002, false);
	if (connect(c6, (struct sockaddr *)&a6, sizeof(a6)) < 0)
		die("connect6");
	s6 = accept4(l6, NULL, NULL, SOCK_CLOEXEC);
	if (s6 < 0)
		die("accept6");
	note(m, "tcp6_cli", c6, 5014);
	note(m, "tcp6_srv", s6, 5002);

	u4 = xsocket(AF_INET, SOCK_DGRAM, 0);
	sin4(&a, 5004);
	if (bind(u4, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind udp");
	note(m, "udp4", u4, 5004);
	u4c = xsocket(AF_INET, SOCK_DGRAM, 0);
	sin4(&a, 5005);
	if (bind(u4c, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind udp2");
	connect4(u4c, 5004);
	if (write(u4c, "ping", 4) != 4)
		die("write udp");
	note(m, "udp4_conn", u4c, 5005);
	u6 = xsocket(AF_INET6, SOCK_DGRAM, 0);
	sin6(&a6, 5006, false);
	if (bind(u6, (struct sockaddr *)&a6, sizeof(a6)) < 0)
		die("bind udp6");
	note(m, "udp6", u6, 5006);

	r = xsocket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	note(m, "raw4_icmp", r, IPPROTO_ICMP);
	r = xsocket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	note(m, "raw6_icmp", r, IPPROTO_ICMPV6);
	r = xsocket(AF_INET, SOCK_RAW, 253);
	sin4(&a, 0);
	if (bind(r, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind raw");
	note(m, "raw4_253", r, 253);
}

static int unix_bind(int type, const char *name, size_t len, int backlog)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	int fd = xsocket(AF_UNIX, type, 0);

	memcpy(a.sun_path, name, len);
	if (bind(fd, (struct sockaddr *)&a, alen) < 0)
		die("bind unix");
	if (backlog && listen(fd, backlog) < 0)
		die("listen unix");
	return fd;
}

static void make_unix(FILE *m)
{
	static const char path[] = "sks\nsock", abs[] = "\0sks-abs\0tail";
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int l, c, acc, al, pair[2], d, u, au;

	l = unix_bind(SOCK_STREAM, path, sizeof(path) - 1, 4);
	note(m, "ustr_listen", l, 0);
	c = xsocket(AF_UNIX, SOCK_STREAM, 0);
	memcpy(a.sun_path, path, sizeof(path) - 1);
	if (connect(c, (struct sockaddr *)&a,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof(path) - 1)) < 0)
		die("connect unix");
	acc = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (acc < 0)
		die("accept unix");
	if (write(c, "hello", 5) != 5)
		die("write unix");
	note(m, "ustr_cli", c, 0);
	note(m, "ustr_acc", acc, 0);

	al = unix_bind(SOCK_STREAM, abs, sizeof(abs) - 1, 2);
	note(m, "uabs_listen", al, 0);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		die("socketpair");
	note(m, "useq_a", pair[0], 0);
	note(m, "useq_b", pair[1], 0);

	d = unix_bind(SOCK_DGRAM, "dgram.sock", 10, 0);
	note(m, "udgr_bound", d, 0);
	u = xsocket(AF_UNIX, SOCK_DGRAM, 0);
	note(m, "udgr_unbound", u, 0);
	/* An address of the family alone asks the kernel to autobind (5 hex digits). */
	au = xsocket(AF_UNIX, SOCK_DGRAM, 0);
	if (bind(au, (struct sockaddr *)&a, sizeof(sa_family_t)) < 0)
		die("autobind");
	note(m, "udgr_auto", au, 0);
}

static void make_packet_netlink(FILE *m)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET };
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(nl);
	int p, d, n;

	p = xsocket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	ll.sll_protocol = htons(ETH_P_ALL);
	ll.sll_ifindex = (int)if_nametoindex("lo");
	if (bind(p, (struct sockaddr *)&ll, sizeof(ll)) < 0)
		die("bind packet");
	note(m, "pkt_raw", p, (unsigned long)ll.sll_ifindex);
	d = xsocket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	note(m, "pkt_dgr", d, ETH_P_IP);

	n = xsocket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	nl.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR;
	if (bind(n, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		die("bind netlink");
	if (getsockname(n, (struct sockaddr *)&nl, &len) < 0)
		die("getsockname");
	note(m, "nl_route", n, nl.nl_pid);
}

/* Send one request and append every reply byte, up to the end of the dump, to a file. */
static void record(int dir, const char *file, uint8_t proto, uint8_t family, uint32_t details)
{
	struct sks_diag_req req = { .proto = proto, .family = family, .details = details };
	static union {
		char bytes[65536];
		struct nlmsghdr align;
	} buf, msg;
	struct mnl_socket *nl;
	size_t len;
	int fd, done = 0;

	req.states = SKS_STATES_ALL;
	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink socket");
	len = sks_diag_request(msg.bytes, sizeof(msg.bytes), &req, 1);
	if (!len || mnl_socket_sendto(nl, msg.bytes, len) < 0)
		die("send");
	fd = openat(dir, file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(file);
	while (!done) {
		ssize_t n = mnl_socket_recvfrom(nl, buf.bytes, sizeof(buf.bytes));
		const struct nlmsghdr *h = &buf.align;
		int left = (int)n;

		if (n <= 0)
			die("recv");
		if (write(fd, buf.bytes, (size_t)n) != n)
			die("write dump");
		for (; mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left))
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				done = 1;
	}
	close(fd);
	mnl_socket_close(nl);
}

int main(int argc, char **argv)
{
	const uint32_t all = SKS_DETAIL_MEMINFO | SKS_DETAIL_TCPINFO | SKS_DETAIL_EXTENDED;
	char tmpl[] = "/tmp/sks-record-XXXXXX";
	FILE *m;
	int dir;

	if (argc != 2) {
		fprintf(stderr, "usage: record_dump OUTDIR (root, in a new network namespace)\n");
		return 2;
	}
	dir = open(argv[1], O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dir < 0)
		die(argv[1]);
	m = fdopen(openat(dir, "manifest.txt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644),
		   "w");
	if (!m)
		die("manifest.txt");
	/* Relative UNIX paths keep the recorded names the same on every run. */
	if (!mkdtemp(tmpl) || chdir(tmpl) < 0)
		die("mkdtemp");
	lo_up();
	fprintf(m, "# label inode extra(port, protocol, ifindex or portid)\n");
	make_inet(m);
	make_unix(m);
	make_packet_netlink(m);
	fclose(m);
	usleep(100000);

	record(dir, "tcp4.bin", SKS_PROTO_TCP, AF_INET, all);
	record(dir, "tcp6.bin", SKS_PROTO_TCP, AF_INET6, all);
	record(dir, "tcp4_plain.bin", SKS_PROTO_TCP, AF_INET, 0);
	record(dir, "udp4.bin", SKS_PROTO_UDP, AF_INET, all);
	record(dir, "udp6.bin", SKS_PROTO_UDP, AF_INET6, all);
	record(dir, "raw4.bin", SKS_PROTO_RAW, AF_INET, all);
	record(dir, "raw6.bin", SKS_PROTO_RAW, AF_INET6, all);
	record(dir, "unix.bin", SKS_PROTO_UNIX, 0, all);
	record(dir, "packet.bin", SKS_PROTO_PACKET, 0, all);
	record(dir, "netlink.bin", SKS_PROTO_NETLINK, 0, all);

	unlink("sks\nsock");
	unlink("dgram.sock");
	if (chdir("/") == 0)
		rmdir(tmpl);
	return 0;
}
