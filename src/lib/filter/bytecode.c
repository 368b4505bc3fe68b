// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Filter -> INET_DIAG_REQ_BYTECODE, so the kernel drops unwanted inet
 * sockets before they are copied to user space.  The collector sends the
 * program with its dump request; user space still re-checks every record.
 *
 * The kernel's machine (net/ipv4/inet_diag.c, inet_diag_bc_run()): ops of
 * {code, yes, no}; a test that passes advances `yes` bytes, one that fails
 * advances `no` bytes; landing exactly on the end accepts, running past it
 * rejects.  inet_diag_bc_audit() demands that yes and no are multiples of 4,
 * at least the op's size, at most 4 past the end, and that a jump inside the
 * program lands on an op boundary reachable by following `yes` from the start.
 *
 * Like ss's ssfilter_bytecompile(), every fragment here has two exits: "true"
 * falls off its end (or jumps exactly to it), "false" jumps 4 bytes past its
 * end.  Our ops always have yes == their own size, so the `yes` chain visits
 * every op and any op start is a legal jump target.  Composition:
 *   a and b:  a b            a's false exits are moved to b's false exit
 *   a or b:   a JMP b        a's false exit is b's start; JMP{no} skips b
 *   not a:    a JMP          a's true exit hits JMP{no = 8}: past the end
 * Unlike ss, and/or are n-ary and patched once (linear time), `dev` is
 * compiled, and predicates the kernel cannot test do not disable the whole
 * program: see approx().  We never emit INET_DIAG_BC_AUTO (see N_AUTOBOUND).
 */
#include "filter.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/*
 * nlattr lengths are 16 bits and `no` offsets too; stay well below.  A
 * larger program is dropped (empty: dump everything, filter in user space).
 */
#define BC_MAX 60000

enum frag_kind {
	F_TRUE = 0,
	F_FALSE,
	F_CODE,
};

struct frag {
	enum frag_kind kind;
	struct sks_buf code;
};

struct bcc {
	int family;
	unsigned flags;
	bool exact;
	bool too_big;
};

static int emit_op(struct sks_buf *b, uint8_t code, uint8_t yes, uint16_t no)
{
	struct inet_diag_bc_op op = { .code = code, .yes = yes, .no = no };

	return sks_buf_append(b, &op, sizeof(op));
}

/* A single test of `size` bytes (op + payload): yes = next op, no = false exit. */
static int emit_test(struct frag *fr, uint8_t code, const void *payload, size_t len)
{
	uint8_t size = (uint8_t)(sizeof(struct inet_diag_bc_op) + len);
	int r;

	fr->kind = F_CODE;
	r = emit_op(&fr->code, code, size, (uint16_t)(size + 4));
	if (r >= 0 && len)
		r = sks_buf_append(&fr->code, payload, len);
	return r;
}

static int emit_port(struct frag *fr, uint8_t code, uint16_t port)
{
	struct inet_diag_bc_op arg = { .no = port };

	return emit_test(fr, code, &arg, sizeof(arg));
}

/*
 * A predicate the kernel cannot evaluate (owners, socket uid, nested state
 * words, or a condition the caller asked to leave out).  Where the result
 * must be a superset (`widen`), it becomes "true"; under an odd number of
 * negations it must be a subset, so it becomes "false" (not false = true,
 * again a superset overall).  Only the predicate is lost: `A and PID`
 * still sends A; `A or PID` folds to "true" and sends nothing, because the
 * kernel cannot know which non-A sockets PID would accept -- any program
 * would have to accept them all.
 */
static void approx(struct bcc *c, bool widen, struct frag *fr)
{
	c->exact = false;
	fr->kind = widen ? F_TRUE : F_FALSE;
}

/* Move the false exits of the fragment code[0..len) by delta bytes. */
static void patch_false(uint8_t *code, size_t len, size_t delta)
{
	size_t off = 0;

	while (off + sizeof(struct inet_diag_bc_op) <= len) {
		struct inet_diag_bc_op op;

		memcpy(&op, code + off, sizeof(op));
		if (op.no == len - off + 4) {
			op.no = (uint16_t)(op.no + delta);
			memcpy(code + off, &op, sizeof(op));
		}
		if (!op.yes)
			break; /* cannot happen: our ops are never empty */
		off += op.yes;
	}
}

static int compile(struct bcc *c, const struct node *n, bool widen, struct frag *fr);

static void frags_release(struct frag *frs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sks_buf_release(&frs[i].code);
	free(frs);
}

static int compile_nary(struct bcc *c, const struct node *n, bool widen, struct frag *fr)
{
	bool is_and = n->kind == N_AND;
	enum frag_kind absorb = is_and ? F_FALSE : F_TRUE; /* decides the result alone */
	size_t count = 0, total = 0, used = 0, off = 0;
	const struct node *k;
	struct frag *frs;
	int r = 0;

	for (k = n->kid; k; k = k->next)
		count++;
	frs = calloc(count ? count : 1, sizeof(*frs));
	if (!frs)
		return -ENOMEM;
	fr->kind = is_and ? F_TRUE : F_FALSE; /* the neutral element */
	count = 0;
	for (k = n->kid; k; k = k->next) {
		struct frag *x = &frs[count++];

		r = compile(c, k, widen, x);
		if (r < 0)
			goto out;
		if (x->kind == absorb) {
			fr->kind = absorb;
			goto out;
		}
		if (x->kind == F_CODE) {
			used++;
			total += x->code.len;
		}
	}
	if (!used)
		goto out;
	if (!is_and)
		total += 4 * (used - 1); /* a JMP between alternatives */
	if (total > BC_MAX) {
		c->too_big = true;
		goto out;
	}
	fr->kind = F_CODE;
	for (size_t i = 0; i < count && r >= 0; i++) {
		struct frag *x = &frs[i];

		if (x->kind != F_CODE)
			continue;
		used--;
		if (is_and) {
			patch_false((uint8_t *)x->code.data, x->code.len,
				    total - off - x->code.len);
			r = sks_buf_append(&fr->code, x->code.data, x->code.len);
			off += x->code.len;
			continue;
		}
		r = sks_buf_append(&fr->code, x->code.data, x->code.len);
		off += x->code.len;
		if (r >= 0 && used) {
			/* JMP always "fails": its `no` skips to the end, i.e. true. */
			r = emit_op(&fr->code, INET_DIAG_BC_JMP, 4, (uint16_t)(total - off));
			off += 4;
		}
	}
out:
	frags_release(frs, count);
	return r;
}

static int compile_host(struct bcc *c, const struct node *n, struct frag *fr)
{
	const struct host *h = &n->u.host;
	uint8_t code = n->dir == DIR_SRC ? INET_DIAG_BC_S_COND : INET_DIAG_BC_D_COND;
	struct inet_diag_hostcond cond = { 0 };
	uint8_t hc[sizeof(cond) + 16];
	size_t alen = 0;

	switch (h->family) {
	case AF_UNSPEC:
		if (h->port < 0) {
			fr->kind = F_TRUE;
			return 0;
		}
		break;
	case AF_INET:
		/* Also in AF_INET6 dumps: the kernel matches v4-mapped addresses. */
		alen = 4;
		break;
	case AF_INET6:
		if (c->family == AF_INET) {
			fr->kind = F_FALSE; /* exact: no IPv4 socket has an IPv6 address */
			return 0;
		}
		alen = 16;
		break;
	default:
		fr->kind = F_FALSE; /* exact: unix/link/netlink hosts never match inet sockets */
		return 0;
	}
	cond.family = h->family;
	cond.prefix_len = alen ? h->prefix_len : 0;
	cond.port = h->port < 0 ? -1 : (int)h->port;
	memcpy(hc, &cond, sizeof(cond));
	memcpy(hc + sizeof(cond), h->addr, alen);
	return emit_test(fr, code, hc, sizeof(cond) + alen);
}

static int compile_port(struct bcc *c, const struct node *n, struct frag *fr)
{
	bool src = n->dir == DIR_SRC;
	uint16_t port = (uint16_t)n->u.num;
	int r;

	switch (n->cmp) {
	case CMP_GE:
		if (!port) {
			fr->kind = F_TRUE;
			return 0;
		}
		return emit_port(fr, src ? INET_DIAG_BC_S_GE : INET_DIAG_BC_D_GE, port);
	case CMP_LE:
		if (port == 65535) {
			fr->kind = F_TRUE;
			return 0;
		}
		return emit_port(fr, src ? INET_DIAG_BC_S_LE : INET_DIAG_BC_D_LE, port);
	}
	if (!(c->flags & SKS_FILTER_BC_NO_EQ))
		return emit_port(fr, src ? INET_DIAG_BC_S_EQ : INET_DIAG_BC_D_EQ, port);
	/* GE then LE, an "and" of two tests: GE's false exit skips LE too. */
	fr->kind = F_CODE;
	r = emit_op(&fr->code, src ? INET_DIAG_BC_S_GE : INET_DIAG_BC_D_GE, 8, 20);
	if (r >= 0)
		r = emit_op(&fr->code, 0, 0, port);
	if (r >= 0)
		r = emit_op(&fr->code, src ? INET_DIAG_BC_S_LE : INET_DIAG_BC_D_LE, 8, 12);
	if (r >= 0)
		r = emit_op(&fr->code, 0, 0, port);
	return r;
}

static int compile(struct bcc *c, const struct node *n, bool widen, struct frag *fr)
{
	struct frag sub = { 0 };
	int r;

	fr->kind = F_TRUE;
	switch (n->kind) {
	case N_TRUE:
		return 0;
	case N_FALSE:
		fr->kind = F_FALSE;
		return 0;
	case N_AND:
	case N_OR:
		return compile_nary(c, n, widen, fr);
	case N_NOT:
		r = compile(c, n->kid, !widen, &sub);
		if (r >= 0) {
			if (sub.kind != F_CODE) {
				fr->kind = sub.kind == F_TRUE ? F_FALSE : F_TRUE;
			} else if (sub.code.len + 4 > BC_MAX) {
				c->too_big = true;
			} else {
				/* a's true exit hits JMP, whose no (8) lands past the end. */
				fr->kind = F_CODE;
				fr->code = sub.code;
				sub.code = (struct sks_buf)SKS_BUF_INIT;
				r = emit_op(&fr->code, INET_DIAG_BC_JMP, 4, 8);
			}
		}
		sks_buf_release(&sub.code);
		return r;
	case N_HOST:
		return compile_host(c, n, fr);
	case N_PORT:
		return compile_port(c, n, fr);
	case N_DEV:
		return emit_test(fr, INET_DIAG_BC_DEV_COND, &n->u.num, sizeof(uint32_t));
	case N_MARK: {
		struct inet_diag_markcond mc = { .mark = n->u.mark.value, .mask = n->u.mark.mask };

		if (c->flags & SKS_FILTER_BC_NO_MARK) {
			approx(c, widen, fr);
			return 0;
		}
		return emit_test(fr, INET_DIAG_BC_MARK_COND, &mc, sizeof(mc));
	}
	case N_CGROUP:
		if (c->flags & SKS_FILTER_BC_NO_CGROUP) {
			approx(c, widen, fr);
			return 0;
		}
		return emit_test(fr, INET_DIAG_BC_CGROUP_COND, &n->u.cgroup, sizeof(uint64_t));
	case N_AUTOBOUND:
		/*
		 * Not INET_DIAG_BC_AUTO: the kernel's test (no SOCK_BINDPORT_LOCK)
		 * also holds for every accepted connection, since children drop
		 * the listener's bind lock (inet_csk_clone_lock()), so it would
		 * disagree with sks_filter_match() and with /proc-collected
		 * records.  Left to user space, where autobound means "local port
		 * in the ephemeral range", wherever the records come from.
		 */
		approx(c, widen, fr);
		return 0;
	case N_STATE: /* states travel in idiag_states, not in bytecode */
	case N_PID:
	case N_UID:
	case N_USER:
	case N_COMM:
		approx(c, widen, fr);
		return 0;
	}
	return 0;
}

int filter_bytecode(const struct sks_filter *f, int family, unsigned flags, struct sks_buf *out,
		    bool *ret_exact)
{
	const unsigned known = SKS_FILTER_BC_NO_MARK | SKS_FILTER_BC_NO_CGROUP | SKS_FILTER_BC_NO_EQ;
	struct bcc c = { .family = family, .flags = flags, .exact = true };
	struct frag fr = { 0 };
	int r;

	if ((family != AF_INET && family != AF_INET6) || (flags & ~known))
		return -EINVAL;
	sks_buf_reset(out);
	r = compile(&c, f->root, true, &fr);
	if (r < 0)
		goto out;
	if (c.too_big) {
		c.exact = false;
		goto out;
	}
	if (fr.kind == F_FALSE)
		/* Reject everything: a lone JMP whose `no` lands 4 past the end. */
		r = emit_op(out, INET_DIAG_BC_JMP, 4, 8);
	else if (fr.kind == F_CODE)
		r = sks_buf_append(out, fr.code.data, fr.code.len);
	if (r < 0)
		goto out;
	/* Never hand out a program the kernel would refuse: it would fail the whole dump. */
	if (out->len && bc_audit(out->data, out->len) < 0) {
		sks_buf_reset(out);
		c.exact = false;
	}
out:
	sks_buf_release(&fr.code);
	if (r < 0)
		sks_buf_reset(out);
	if (ret_exact)
		*ret_exact = c.exact;
	return r;
}

int sks_filter_bytecode(const struct sks_filter *f, int family, unsigned flags,
			struct sks_buf *out)
{
	return filter_bytecode(f, family, flags, out, NULL);
}
