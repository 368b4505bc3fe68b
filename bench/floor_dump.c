// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * floor_dump: the floor for `-tan`. One bare NETLINK_SOCK_DIAG dump of TCP,
 * v4 then v6, all states but bound-inactive, no extensions; it only counts
 * the messages. Nothing that lists TCP sockets through netlink can be faster.
 */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ss -a's mask: bits 1..11; the kernel adds NEW_SYN_RECV for SYN_RECV itself. */
#define ALL_STATES 0xffeu

static int dump(int fd, int family, unsigned long *count)
{
	static char buf[64 * 1024];
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = {
			.nlmsg_len = sizeof(msg),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = (unsigned int)family,
		},
		.req = {
			.sdiag_family = (unsigned char)family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = ALL_STATES,
		},
	};
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	struct nlmsghdr *h;
	ssize_t n;

	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -EIO;
			(*count)++;
		}
	}
}

int main(void)
{
	unsigned long count = 0;
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		perror("floor_dump: socket");
		return 2;
	}
	err = dump(fd, AF_INET, &count);
	if (!err)
		err = dump(fd, AF_INET6, &count);
	if (err) {
		fprintf(stderr, "floor_dump: %s\n", strerror(-err));
		return 2;
	}
	printf("%lu\n", count);
	return 0;
}
