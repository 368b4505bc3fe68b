// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ss -K: close a TCP or UDP socket from outside its process with a
 * SOCK_DESTROY request over NETLINK_SOCK_DIAG (libmnl).  The kernel finds
 * the socket by its address tuple and refuses it unless the cookie matches,
 * so a socket that took the same addresses since the snapshot is safe.
 */
#include "action/action.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

static void put_addr(uint32_t dst[4], const struct sks_endpoint *e, int family)
{
	memset(dst, 0, 16);
	memcpy(dst, e->addr, family == AF_INET ? 4 : 16);
}

int sks_socket_destroy(struct sks_ctx *ctx, const struct sks_record *rec)
{
	char buf[8192]; /* an ack, or an error echoing the request */
	struct inet_diag_req_v2 *req;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL), portid;
	int old, r;
	ssize_t n;

	if ((rec->proto != SKS_PROTO_TCP && rec->proto != SKS_PROTO_UDP) || !rec->cookie ||
	    (rec->family != AF_INET && rec->family != AF_INET6))
		return -EINVAL;
	r = sks_netns_enter(ctx, &old);
	if (r < 0)
		return r;
	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	r = nl ? 0 : -errno;
	{
		int r2 = sks_netns_leave(old);

		if (r >= 0 && r2 < 0) {
			mnl_socket_close(nl);
			return r2;
		}
	}
	if (r < 0)
		return r;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DESTROY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = rec->family;
	req->sdiag_protocol = rec->proto == SKS_PROTO_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	req->idiag_states = ~0u;
	req->id.idiag_sport = htons(rec->inet.local.port);
	req->id.idiag_dport = htons(rec->inet.peer.port);
	put_addr(req->id.idiag_src, &rec->inet.local, rec->family);
	put_addr(req->id.idiag_dst, &rec->inet.peer, rec->family);
	req->id.idiag_if = rec->ifindex;
	req->id.idiag_cookie[0] = (uint32_t)rec->cookie;
	req->id.idiag_cookie[1] = (uint32_t)(rec->cookie >> 32);

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			r = errno == EINTR ? 0 : -errno;
			if (r == 0)
				continue;
			goto out;
		}
		/* The ack: MNL_CB_STOP for error 0, MNL_CB_ERROR with errno for a refusal. */
		r = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
		if (r == MNL_CB_ERROR) {
			r = errno ? -errno : -EIO;
			goto out;
		}
		if (r == MNL_CB_STOP) {
			r = 0;
			goto out;
		}
	}
out:
	mnl_socket_close(nl);
	return r;
}
