/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to the netlink diag collector and its tests: encoding of dump
 * requests and the pure parser from reply bytes to snapshot records.  The
 * socket I/O in diag.c is the only other user.
 */
#ifndef SKS_DIAG_PARSE_H
#define SKS_DIAG_PARSE_H

#include "internal.h"

#include <sys/types.h>

/* What one dump request asks for. */
struct sks_diag_req {
	uint8_t proto;    /* enum sks_proto */
	uint8_t family;   /* AF_INET or AF_INET6 for TCP, UDP, RAW; ignored otherwise */
	uint32_t states;  /* (1u << enum sks_state) mask, sent to the kernel as is */
	uint32_t details; /* SKS_DETAIL_* to ask the kernel for */
	const void *bytecode; /* inet only: INET_DIAG_REQ_BYTECODE payload, or NULL */
	uint32_t bytecode_len;
};

/* Bytes a request needs at most, without bytecode. */
#define SKS_DIAG_REQ_MAX 128
/* Bytes a request needs with req's bytecode. */
#define SKS_DIAG_REQ_SIZE(req)                                                                    \
	(SKS_DIAG_REQ_MAX + ((req)->bytecode_len ? MNL_ALIGN((req)->bytecode_len) + 4 : 0))

/*
 * Encode a SOCK_DIAG_BY_FAMILY dump request with sequence number seq into
 * buf.  Returns its length, or 0 if len < SKS_DIAG_REQ_SIZE(req) or
 * req->proto is unknown.
 */
size_t sks_diag_request(void *buf, size_t len, const struct sks_diag_req *req, uint32_t seq);

/*
 * State of one dump while its replies are parsed: the caller fills the
 * first block and zeroes the rest once per dump, then passes every buffer
 * received to sks_diag_parse() until done.
 */
struct sks_diag_dump {
	uint8_t proto;   /* enum sks_proto: how to read the records */
	uint32_t tables; /* SKS_TABLE_* to keep: selects UNIX and PACKET socket types */
	uint32_t seq;    /* expected nlmsg_seq; 0 accepts any */
	uint32_t portid; /* expected nlmsg_pid; 0 accepts any */

	bool done;  /* NLMSG_DONE or NLMSG_ERROR ended the dump */
	bool intr;  /* a message carried NLM_F_DUMP_INTR: the dump may be inconsistent */
	int error;  /* -errno reported by the kernel in NLMSG_ERROR or NLMSG_DONE, else 0 */
};

/*
 * Append the records in buf (whole netlink messages, 4-byte aligned) to s.
 * Every record counts in s->stats.received; records whose state, inet
 * family or table s (or d->tables) does not want are dropped.  Messages
 * after the one that ends the dump are ignored.
 *
 * Returns 0, -EINVAL (buf misaligned or too long), -EBADMSG (a message or
 * attribute does not fit its length), -EPROTO (unexpected sequence number,
 * port id or message type), -ENOMEM.  After an error the records appended
 * so far stay in s.
 */
int sks_diag_parse(struct sks_snapshot *s, const void *buf, size_t len, struct sks_diag_dump *d);

/*
 * How sks_diag_collect() talks to the kernel; tests stand in for it.
 * send returns 0 or -errno; recv returns the bytes of one datagram (whole
 * messages) or -errno, -ENOSPC when the datagram did not fit.
 */
struct sks_diag_transport {
	int (*send)(void *userdata, const void *msg, size_t len);
	ssize_t (*recv)(void *userdata, void *buf, size_t len);
	void *userdata;
	uint32_t portid; /* ours, checked against replies; 0 checks nothing */
};

/* sks_diag_collect() over a given transport; same contract. */
int sks_diag_collect_with(struct sks_snapshot *s, const struct sks_diag_transport *t,
			  uint32_t tables, uint32_t *ret_done, uint32_t *ret_unsupported);

/*
 * Remove records in s->recs[start..n) whose socket cookie an earlier one in
 * that range already has, keeping the first.  The kernel's netlink dump
 * lists every socket that joined a multicast group twice (its mc_list pass
 * skips only sockets with sk_hashed(), never true for netlink's rhashtable).
 * Returns the number removed, or -ENOMEM.
 */
int sks_diag_dedup(struct sks_snapshot *s, size_t start);

#endif
