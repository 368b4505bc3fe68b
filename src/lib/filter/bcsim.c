// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A user-space model of the kernel's bytecode checker and interpreter
 * (net/ipv4/inet_diag.c: inet_diag_bc_audit(), inet_diag_bc_run()),
 * written from their documented behaviour.  The compiler runs every program
 * through bc_audit() before handing it out; tests and the fuzzer use bc_run()
 * to check that programs accept a superset of what the evaluator accepts.
 * The kernel test (tests/unit/filter) checks the model against the real thing.
 */
#include "filter.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <string.h>
#include <sys/socket.h>

#define OP_SIZE sizeof(struct inet_diag_bc_op)

static struct inet_diag_bc_op op_at(const uint8_t *bc, size_t off)
{
	struct inet_diag_bc_op op;

	memcpy(&op, bc + off, sizeof(op));
	return op;
}

/* Is `target` an op boundary on the chain of `yes` jumps from the start? */
static bool on_yes_chain(const uint8_t *bc, size_t len, size_t target)
{
	size_t off = 0;

	while (off < target && off + OP_SIZE <= len) {
		struct inet_diag_bc_op op = op_at(bc, off);

		if (op.yes < 4 || (op.yes & 3))
			return false;
		off += op.yes;
	}
	return off == target;
}

int bc_audit(const void *bc_, size_t len)
{
	const uint8_t *bc = bc_;
	size_t off = 0;

	if (len < OP_SIZE || len > 65535)
		return -EINVAL;
	while (off < len) {
		size_t rem = len - off, min = OP_SIZE;
		struct inet_diag_bc_op op;

		if (rem < OP_SIZE)
			return -EINVAL;
		op = op_at(bc, off);
		switch (op.code) {
		case INET_DIAG_BC_S_COND:
		case INET_DIAG_BC_D_COND: {
			struct inet_diag_hostcond hc;
			size_t alen;

			min += sizeof(hc);
			if (rem < min)
				return -EINVAL;
			memcpy(&hc, bc + off + OP_SIZE, sizeof(hc));
			if (hc.family == AF_UNSPEC)
				alen = 0;
			else if (hc.family == AF_INET)
				alen = 4;
			else if (hc.family == AF_INET6)
				alen = 16;
			else
				return -EINVAL;
			min += alen;
			if (rem < min || hc.prefix_len > 8 * alen)
				return -EINVAL;
			break;
		}
		case INET_DIAG_BC_DEV_COND:
			min += sizeof(uint32_t);
			break;
		case INET_DIAG_BC_S_EQ:
		case INET_DIAG_BC_S_GE:
		case INET_DIAG_BC_S_LE:
		case INET_DIAG_BC_D_EQ:
		case INET_DIAG_BC_D_GE:
		case INET_DIAG_BC_D_LE:
			min += OP_SIZE;
			break;
		case INET_DIAG_BC_MARK_COND:
			min += sizeof(struct inet_diag_markcond);
			break;
		case INET_DIAG_BC_CGROUP_COND:
			min += sizeof(uint64_t);
			break;
		case INET_DIAG_BC_AUTO:
		case INET_DIAG_BC_JMP:
		case INET_DIAG_BC_NOP:
			break;
		default:
			return -EINVAL;
		}
		if (rem < min)
			return -EINVAL;
		if (op.code != INET_DIAG_BC_NOP) {
			if (op.no < min || op.no > rem + 4 || (op.no & 3))
				return -EINVAL;
			if (op.no < rem && !on_yes_chain(bc, len, off + op.no))
				return -EINVAL;
		}
		if (op.yes < min || op.yes > rem || (op.yes & 3))
			return -EINVAL;
		off += op.yes;
	}
	return off == len ? 0 : -EINVAL;
}

static bool bits_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned bytes = bits / 8, rem = bits % 8;

	if (memcmp(a, b, bytes))
		return false;
	return !rem || !((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - rem)));
}

static bool host_ok(const uint8_t *payload, const struct bc_entry *e, bool src)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct inet_diag_hostcond hc;
	const uint8_t *cond_addr = payload + sizeof(hc);
	const uint8_t *addr = src ? e->saddr : e->daddr;

	memcpy(&hc, payload, sizeof(hc));
	if (hc.port != -1 && hc.port != (src ? e->sport : e->dport))
		return false;
	if (hc.family != AF_UNSPEC && hc.family != e->family) {
		return e->family == AF_INET6 && hc.family == AF_INET && !memcmp(addr, mapped, 12) &&
		       bits_eq(addr + 12, cond_addr, hc.prefix_len);
	}
	return !hc.prefix_len || bits_eq(addr, cond_addr, hc.prefix_len);
}

bool bc_run(const void *bc_, size_t len, const struct bc_entry *e)
{
	const uint8_t *bc = bc_;
	size_t off = 0;

	/* Audited programs only: every step moves forward, so this ends. */
	while (off < len) {
		struct inet_diag_bc_op op = op_at(bc, off);
		const uint8_t *arg = bc + off + OP_SIZE;
		uint16_t port = 0;
		bool yes = true;

		if ((op.code >= INET_DIAG_BC_S_GE && op.code <= INET_DIAG_BC_D_LE) ||
		    op.code == INET_DIAG_BC_S_EQ || op.code == INET_DIAG_BC_D_EQ)
			port = op_at(bc, off + OP_SIZE).no; /* the argument op's `no` */
		switch (op.code) {
		case INET_DIAG_BC_JMP:
			yes = false;
			break;
		case INET_DIAG_BC_S_EQ:
			yes = e->sport == port;
			break;
		case INET_DIAG_BC_S_GE:
			yes = e->sport >= port;
			break;
		case INET_DIAG_BC_S_LE:
			yes = e->sport <= port;
			break;
		case INET_DIAG_BC_D_EQ:
			yes = e->dport == port;
			break;
		case INET_DIAG_BC_D_GE:
			yes = e->dport >= port;
			break;
		case INET_DIAG_BC_D_LE:
			yes = e->dport <= port;
			break;
		case INET_DIAG_BC_AUTO:
			yes = e->autobound;
			break;
		case INET_DIAG_BC_S_COND:
		case INET_DIAG_BC_D_COND:
			yes = host_ok(arg, e, op.code == INET_DIAG_BC_S_COND);
			break;
		case INET_DIAG_BC_DEV_COND: {
			uint32_t ifindex;

			memcpy(&ifindex, arg, sizeof(ifindex));
			yes = ifindex == e->ifindex;
			break;
		}
		case INET_DIAG_BC_MARK_COND: {
			struct inet_diag_markcond mc;

			memcpy(&mc, arg, sizeof(mc));
			yes = (e->mark & mc.mask) == mc.mark;
			break;
		}
		case INET_DIAG_BC_CGROUP_COND: {
			uint64_t id;

			memcpy(&id, arg, sizeof(id));
			yes = id == e->cgroup_id;
			break;
		}
		}
		off += yes ? op.yes : op.no;
		if (!(yes ? op.yes : op.no))
			return false; /* not an audited program */
	}
	return off == len;
}
