// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Filter parser: tokens -> AST (struct node), the filter stage's front end.
 *
 * Hand-written recursive descent on purpose: the grammar is ~20 tokens and
 * three precedence levels; no Debian-packaged parser generator (bison, lemon,
 * packcc) would be shorter than these few hundred lines once exact error
 * columns, reentrancy (no globals, no exit) and caps on length and depth are
 * required -- the very things ss's bison grammar gets wrong.
 *
 *   filter := prelude? expr? EOF          prelude: leading state/exclude words
 *   expr   := and { ("or" | "|" | "||") and }
 *   and    := unary { ["and" | "&" | "&&"] unary }      juxtaposition is and
 *   unary  := ("!" | "not") unary | "(" expr ")" | predicate
 */
#include "filter.h"
#include "value.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

struct parser {
	struct lexer lx;
	struct tok cur;
	struct sks_filter *f;
	struct value_ctx vc;
	unsigned depth;
};

/* ------------------------------------------------------------ errors */

void value_fail(struct value_ctx *vc, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (vc->rc)
		return;
	vc->rc = -EINVAL;
	vc->err_pos = pos;
	va_start(ap, fmt);
	vsnprintf(vc->msg, sizeof(vc->msg), fmt, ap);
	va_end(ap);
}

void value_nomem(struct value_ctx *vc, size_t pos)
{
	if (vc->rc)
		return;
	vc->rc = -ENOMEM;
	vc->err_pos = pos;
	snprintf(vc->msg, sizeof(vc->msg), "out of memory");
}

/* Printable, bounded copy of user text for messages (CLIs print them as is). */
const char *value_show(struct value_ctx *vc, const char *s, size_t len)
{
	char *o = vc->show[vc->show_next];
	size_t n = 0, max = sizeof(vc->show[0]) - 4;

	vc->show_next = (vc->show_next + 1) % SKS_ARRAY_SIZE(vc->show);
	for (size_t i = 0; i < len && n < max; i++) {
		unsigned char c = (unsigned char)s[i];

		o[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (len > max) {
		memcpy(o + n, "...", 3);
		n += 3;
	}
	o[n] = '\0';
	return o;
}

static const char *tok_show(struct parser *p, const struct tok *t)
{
	switch (t->kind) {
	case TOK_WORD:
		return value_show(&p->vc, t->text, t->len);
	case TOK_LPAREN:
		return "(";
	case TOK_RPAREN:
		return ")";
	case TOK_NOT:
		return "!";
	case TOK_AND:
		return "&";
	case TOK_OR:
		return "|";
	case TOK_EQ:
		return "=";
	case TOK_NE:
		return "!=";
	case TOK_LT:
		return "<";
	case TOK_GT:
		return ">";
	case TOK_LE:
		return "<=";
	case TOK_GE:
		return ">=";
	default:
		return "";
	}
}

static void *fail_unexpected(struct parser *p, const char *what)
{
	if (p->cur.kind == TOK_EOF)
		value_fail(&p->vc, p->cur.pos, "unexpected end of filter, expected %s", what);
	else
		value_fail(&p->vc, p->cur.pos, "unexpected \"%s\", expected %s",
			   tok_show(p, &p->cur), what);
	return NULL;
}

/* ------------------------------------------------------------ tokens */

static void advance(struct parser *p)
{
	if (p->vc.rc)
		return;
	p->cur = lexer_next(&p->lx);
	if (p->cur.kind == TOK_ERROR) {
		if (p->lx.nomem)
			value_nomem(&p->vc, p->lx.err_pos);
		else
			value_fail(&p->vc, p->lx.err_pos, "%s", p->lx.err);
	}
}

static bool word_is(const struct tok *t, const char *kw)
{
	return t->kind == TOK_WORD && !t->quoted && strlen(kw) == t->len &&
	       !strncasecmp(t->text, kw, t->len);
}

static bool is_or(const struct tok *t)
{
	return t->kind == TOK_OR || word_is(t, "or");
}

static bool is_and(const struct tok *t)
{
	return t->kind == TOK_AND || word_is(t, "and");
}

static bool is_state_word(const struct tok *t)
{
	return word_is(t, "state") || word_is(t, "exclude") || word_is(t, "excl");
}

static bool starts_unary(const struct tok *t)
{
	return t->kind == TOK_NOT || t->kind == TOK_LPAREN ||
	       (t->kind == TOK_WORD && !is_or(t) && !is_and(t));
}

/* -------------------------------------------------------------- nodes */

static struct node *new_node(struct parser *p, enum node_kind kind, size_t pos)
{
	struct node *n = sks_arena_alloc(&p->f->arena, sizeof(*n));

	if (!n) {
		value_nomem(&p->vc, pos);
		return NULL;
	}
	n->kind = kind;
	return n;
}

static struct node *negate(struct parser *p, struct node *kid, size_t pos)
{
	struct node *n;

	if (!kid)
		return NULL;
	n = new_node(p, N_NOT, pos);
	if (n)
		n->kid = kid;
	return n;
}

/* ---------------------------------------------------------- operators */

enum op {
	OP_NONE = 0, /* no operator written: equality */
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_GT,
	OP_LE,
	OP_GE,
};

#define OPS_EQ ((1u << OP_NONE) | (1u << OP_EQ) | (1u << OP_NE))
#define OPS_ALL 0x7fu

static enum op tok_op(const struct tok *t)
{
	switch (t->kind) {
	case TOK_EQ:
		return OP_EQ;
	case TOK_NE:
		return OP_NE;
	case TOK_LT:
		return OP_LT;
	case TOK_GT:
		return OP_GT;
	case TOK_LE:
		return OP_LE;
	case TOK_GE:
		return OP_GE;
	default:
		break;
	}
	if (word_is(t, "eq"))
		return OP_EQ;
	if (word_is(t, "ne"))
		return OP_NE;
	if (word_is(t, "lt"))
		return OP_LT;
	if (word_is(t, "gt"))
		return OP_GT;
	if (word_is(t, "le"))
		return OP_LE;
	if (word_is(t, "ge"))
		return OP_GE;
	return OP_NONE;
}

/* An optional comparison operator after keyword kw; -1 on error. */
static int parse_op(struct parser *p, const char *kw, unsigned allowed)
{
	enum op op = tok_op(&p->cur);

	if (op == OP_NONE)
		return OP_NONE;
	if (!(allowed & (1u << op))) {
		value_fail(&p->vc, p->cur.pos, "operator \"%s\" cannot follow \"%s\"",
			   tok_show(p, &p->cur), kw);
		return -1;
	}
	advance(p);
	return p->vc.rc ? -1 : (int)op;
}

/* The value word after a keyword, or NULL with an error naming what was expected. */
static const struct tok *value_tok(struct parser *p, const char *kw, const char *what)
{
	if (p->cur.kind != TOK_WORD) {
		char want[64];

		snprintf(want, sizeof(want), "%s after \"%s\"", what, kw);
		return fail_unexpected(p, want);
	}
	return &p->cur;
}

/*
 * A numeric comparison node for value v in [0, max]: != becomes not(==),
 * > v becomes >= v+1 and < v becomes <= v-1 (false when out of range).
 */
static struct node *cmp_node(struct parser *p, enum node_kind kind, enum op op, uint64_t v,
			     uint64_t max, size_t pos)
{
	struct node *n;

	if ((op == OP_GT && v == max) || (op == OP_LT && v == 0))
		return new_node(p, N_FALSE, pos);
	n = new_node(p, kind, pos);
	if (!n)
		return NULL;
	switch (op) {
	case OP_GT:
		v++;
		/* fall through */
	case OP_GE:
		n->cmp = CMP_GE;
		break;
	case OP_LT:
		v--;
		/* fall through */
	case OP_LE:
		n->cmp = CMP_LE;
		break;
	default:
		n->cmp = CMP_EQ;
	}
	n->u.num = (uint32_t)v;
	return op == OP_NE ? negate(p, n, pos) : n;
}

/* --------------------------------------------------------- predicates */

/* state X / exclude X, and every such clause that follows: ss's accumulation. */
static bool parse_states(struct parser *p, uint32_t *ret_mask)
{
	uint32_t mask = 0;
	bool first = true;

	while (is_state_word(&p->cur)) {
		bool excl = !word_is(&p->cur, "state");
		const char *kw = excl ? "exclude" : "state";
		const struct tok *t;
		uint32_t m;

		if (first)
			mask = excl ? SKS_STATES_ALL : 0;
		first = false;
		advance(p);
		if (p->vc.rc)
			return false;
		t = value_tok(p, kw, "a state name");
		if (!t)
			return false;
		if (t->len > 32 || sks_state_parse(t->text, &m) < 0) {
			value_fail(&p->vc, t->pos, "unknown state \"%s\"",
				   value_show(&p->vc, t->text, t->len));
			return false;
		}
		mask = excl ? mask & ~m : mask | m;
		advance(p);
		if (p->vc.rc)
			return false;
	}
	*ret_mask = mask;
	return true;
}

static struct node *parse_host_pred(struct parser *p, enum dir dir)
{
	const char *kw = dir == DIR_SRC ? "src" : "dst";
	int op = parse_op(p, kw, OPS_EQ);
	const struct tok *t;
	struct node *n;

	if (op < 0)
		return NULL;
	t = value_tok(p, kw, "an address");
	if (!t)
		return NULL;
	n = new_node(p, N_HOST, t->pos);
	if (!n)
		return NULL;
	n->dir = dir;
	if (value_host(&p->vc, t->text, t->len, t->pos, dir, &n->u.host) < 0)
		return NULL;
	n = op == OP_NE ? negate(p, n, t->pos) : n;
	advance(p);
	return n;
}

static struct node *parse_port_pred(struct parser *p, enum dir dir)
{
	const char *kw = dir == DIR_SRC ? "sport" : "dport";
	int op = parse_op(p, kw, OPS_ALL);
	const struct tok *t;
	struct node *n;
	uint16_t port;

	if (op < 0)
		return NULL;
	t = value_tok(p, kw, "a port");
	if (!t)
		return NULL;
	if (value_port(&p->vc, t->text, t->len, t->pos, &port) < 0)
		return NULL;
	n = cmp_node(p, N_PORT, (enum op)op, port, 65535, t->pos);
	if (!n)
		return NULL;
	(n->kind == N_NOT ? n->kid : n)->dir = dir;
	advance(p);
	return n;
}

static struct node *parse_num_pred(struct parser *p, const char *kw, enum node_kind kind,
				   uint64_t max)
{
	int op = parse_op(p, kw, OPS_ALL);
	const struct tok *t;
	struct node *n;
	uint64_t v;

	if (op < 0)
		return NULL;
	t = value_tok(p, kw, "a number");
	if (!t)
		return NULL;
	if (kind == N_USER && !value_is_number(t->text, t->len)) {
		uint32_t uid;

		if (op != OP_NONE && op != OP_EQ && op != OP_NE) {
			value_fail(&p->vc, t->pos, "a user name can only be compared with = or !=");
			return NULL;
		}
		if (value_user(&p->vc, t->text, t->len, t->pos, &uid) < 0)
			return NULL;
		v = uid;
	} else if (value_number(&p->vc, t->text, t->len, t->pos, 10, max, kw, &v) < 0) {
		return NULL;
	}
	n = cmp_node(p, kind, (enum op)op, v, max, t->pos);
	advance(p);
	return n;
}

static struct node *parse_dev_pred(struct parser *p)
{
	int op = parse_op(p, "dev", OPS_EQ);
	const struct tok *t;
	struct node *n;

	if (op < 0)
		return NULL;
	t = value_tok(p, "dev", "a device name or index");
	if (!t)
		return NULL;
	n = new_node(p, N_DEV, t->pos);
	if (!n || value_dev(&p->vc, t->text, t->len, t->pos, &n->u.num) < 0)
		return NULL;
	n = op == OP_NE ? negate(p, n, t->pos) : n;
	advance(p);
	return n;
}

static struct node *parse_mark_pred(struct parser *p)
{
	int op = parse_op(p, "fwmark", OPS_EQ);
	const struct tok *t;
	struct node *n;

	if (op < 0)
		return NULL;
	t = value_tok(p, "fwmark", "a mark");
	if (!t)
		return NULL;
	n = new_node(p, N_MARK, t->pos);
	if (!n || value_mark(&p->vc, t->text, t->len, t->pos, &n->u.mark.value,
			     &n->u.mark.mask) < 0)
		return NULL;
	p->f->details |= SKS_DETAIL_EXTENDED;
	n = op == OP_NE ? negate(p, n, t->pos) : n;
	advance(p);
	return n;
}

static struct node *parse_cgroup_pred(struct parser *p)
{
	int op = parse_op(p, "cgroup", OPS_EQ);
	const struct tok *t;
	struct node *n;

	if (op < 0)
		return NULL;
	t = value_tok(p, "cgroup", "a cgroup path");
	if (!t)
		return NULL;
	n = new_node(p, N_CGROUP, t->pos);
	if (!n || value_cgroup(&p->vc, t->text, t->len, t->pos, &n->u.cgroup) < 0)
		return NULL;
	p->f->details |= SKS_DETAIL_EXTENDED;
	n = op == OP_NE ? negate(p, n, t->pos) : n;
	advance(p);
	return n;
}

static struct node *parse_comm_pred(struct parser *p, const char *kw)
{
	int op = parse_op(p, kw, OPS_EQ);
	const struct tok *t;
	struct node *n;

	if (op < 0)
		return NULL;
	t = value_tok(p, kw, "a name or pattern");
	if (!t)
		return NULL;
	if (!t->len) {
		value_fail(&p->vc, t->pos, "empty pattern after \"%s\"", kw);
		return NULL;
	}
	n = new_node(p, N_COMM, t->pos);
	if (!n)
		return NULL;
	n->u.glob = t->text;
	p->f->owners = true;
	n = op == OP_NE ? negate(p, n, t->pos) : n;
	advance(p);
	return n;
}

static struct node *parse_pred(struct parser *p)
{
	struct tok kw = p->cur;
	struct node *n;

	if (kw.kind != TOK_WORD)
		return fail_unexpected(p, "a test such as src, dport or state");
	if (kw.quoted) {
		value_fail(&p->vc, kw.pos, "unknown word \"%s\"",
			   value_show(&p->vc, kw.text, kw.len));
		return NULL;
	}
	if (is_state_word(&kw)) {
		n = new_node(p, N_STATE, kw.pos);
		if (!n || !parse_states(p, &n->u.states))
			return NULL;
		return n;
	}
	advance(p);
	if (p->vc.rc)
		return NULL;
	if (word_is(&kw, "src"))
		return parse_host_pred(p, DIR_SRC);
	if (word_is(&kw, "dst"))
		return parse_host_pred(p, DIR_DST);
	if (word_is(&kw, "sport"))
		return parse_port_pred(p, DIR_SRC);
	if (word_is(&kw, "dport"))
		return parse_port_pred(p, DIR_DST);
	if (word_is(&kw, "dev"))
		return parse_dev_pred(p);
	if (word_is(&kw, "fwmark"))
		return parse_mark_pred(p);
	if (word_is(&kw, "cgroup"))
		return parse_cgroup_pred(p);
	if (word_is(&kw, "autobound")) {
		n = new_node(p, N_AUTOBOUND, kw.pos);
		if (n)
			value_port_range(&p->vc, &n->u.range.low, &n->u.range.high);
		return n;
	}
	if (word_is(&kw, "pid")) {
		p->f->owners = true;
		return parse_num_pred(p, "pid", N_PID, INT32_MAX);
	}
	if (word_is(&kw, "uid"))
		return parse_num_pred(p, "uid", N_UID, UINT32_MAX);
	if (word_is(&kw, "user")) {
		p->f->owners = true;
		return parse_num_pred(p, "user", N_USER, UINT32_MAX);
	}
	if (word_is(&kw, "comm"))
		return parse_comm_pred(p, "comm");
	if (word_is(&kw, "process"))
		return parse_comm_pred(p, "process");
	value_fail(&p->vc, kw.pos, "unknown word \"%s\"", value_show(&p->vc, kw.text, kw.len));
	return NULL;
}

/* -------------------------------------------------------- expressions */

static struct node *parse_or(struct parser *p);

static bool enter(struct parser *p)
{
	if (++p->depth > SKS_FILTER_MAX_DEPTH) {
		value_fail(&p->vc, p->cur.pos, "nesting deeper than %d levels",
			   SKS_FILTER_MAX_DEPTH);
		return false;
	}
	return true;
}

static struct node *parse_unary(struct parser *p)
{
	struct node *n;
	size_t pos = p->cur.pos;

	if (p->cur.kind == TOK_NOT || word_is(&p->cur, "not")) {
		if (!enter(p))
			return NULL;
		advance(p);
		if (p->vc.rc)
			return NULL;
		if (!starts_unary(&p->cur))
			return fail_unexpected(p, "a test after \"not\"");
		n = negate(p, parse_unary(p), pos);
		p->depth--;
		return n;
	}
	if (p->cur.kind == TOK_LPAREN) {
		if (!enter(p))
			return NULL;
		advance(p);
		if (p->vc.rc)
			return NULL;
		if (p->cur.kind == TOK_RPAREN) {
			value_fail(&p->vc, pos, "empty parentheses");
			return NULL;
		}
		n = parse_or(p);
		if (!n)
			return NULL;
		if (p->cur.kind != TOK_RPAREN) {
			if (p->cur.kind == TOK_EOF)
				value_fail(&p->vc, pos, "\"(\" is never closed");
			else
				fail_unexpected(p, "\")\"");
			return NULL;
		}
		advance(p);
		p->depth--;
		return n;
	}
	return parse_pred(p);
}

/* Append kid to an n-ary node, turning `first` into one when needed. */
static struct node *join(struct parser *p, enum node_kind kind, struct node *first,
			 struct node **tail, struct node *kid, size_t pos)
{
	if (!kid)
		return NULL;
	if (first->kind != kind || !*tail) {
		struct node *n = new_node(p, kind, pos);

		if (!n)
			return NULL;
		n->kid = first;
		*tail = first;
		first = n;
	}
	(*tail)->next = kid;
	*tail = kid;
	return first;
}

static struct node *parse_and(struct parser *p)
{
	struct node *n = parse_unary(p), *tail = NULL;

	while (n && !p->vc.rc) {
		size_t pos = p->cur.pos;

		if (is_and(&p->cur)) {
			advance(p);
			if (p->vc.rc)
				return NULL;
			if (!starts_unary(&p->cur))
				return fail_unexpected(p, "a test after \"and\"");
		} else if (!starts_unary(&p->cur)) {
			break;
		}
		n = join(p, N_AND, n, &tail, parse_unary(p), pos);
	}
	return p->vc.rc ? NULL : n;
}

static struct node *parse_or(struct parser *p)
{
	struct node *n = parse_and(p), *tail = NULL;

	while (n && !p->vc.rc && is_or(&p->cur)) {
		size_t pos = p->cur.pos;

		advance(p);
		if (p->vc.rc)
			return NULL;
		if (!starts_unary(&p->cur))
			return fail_unexpected(p, "a test after \"or\"");
		n = join(p, N_OR, n, &tail, parse_and(p), pos);
	}
	return p->vc.rc ? NULL : n;
}

static void set_error(struct sks_filter_error *err, const char *src, size_t len,
		      const struct value_ctx *vc)
{
	size_t line_start = 0;
	unsigned line = 1;

	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	for (size_t i = 0; i < vc->err_pos && i < len; i++) {
		if (src[i] == '\n') {
			line++;
			line_start = i + 1;
		}
	}
	err->line = line;
	err->column = (unsigned)(vc->err_pos - line_start + 1);
	err->offset = vc->err_pos;
	snprintf(err->message, sizeof(err->message), "%s", vc->msg);
}

int sks_filter_parse(const char *expr, size_t len, const struct sks_filter_env *env,
		     struct sks_filter **ret_filter, struct sks_filter_error *ret_err)
{
	struct parser p = { 0 };
	struct node *root = NULL;
	int r;

	p.vc.env = env;
	if (!expr && len) {
		value_fail(&p.vc, 0, "no filter text");
		goto out;
	}
	if (len > SKS_FILTER_MAX_LEN) {
		value_fail(&p.vc, SKS_FILTER_MAX_LEN, "filter longer than %d bytes",
			   SKS_FILTER_MAX_LEN);
		goto out;
	}
	p.f = calloc(1, sizeof(*p.f));
	if (!p.f) {
		value_nomem(&p.vc, 0);
		goto out;
	}
	p.vc.arena = &p.f->arena;
	lexer_init(&p.lx, expr ? expr : "", len, &p.f->arena);
	advance(&p);
	if (is_state_word(&p.cur)) {
		p.f->has_states = true;
		if (!parse_states(&p, &p.f->states))
			goto out;
		/* "state established and dport = :22" reads naturally; allow it. */
		if (is_and(&p.cur)) {
			advance(&p);
			if (!p.vc.rc && !starts_unary(&p.cur)) {
				fail_unexpected(&p, "a test after \"and\"");
				goto out;
			}
		}
	}
	if (p.vc.rc)
		goto out;
	if (p.cur.kind == TOK_EOF)
		root = new_node(&p, N_TRUE, 0);
	else if (!starts_unary(&p.cur))
		fail_unexpected(&p, "a test such as src, dport or state");
	else
		root = parse_or(&p);
	if (root && !p.vc.rc && p.cur.kind != TOK_EOF) {
		if (p.cur.kind == TOK_RPAREN)
			value_fail(&p.vc, p.cur.pos, "unexpected \")\" without \"(\"");
		else
			fail_unexpected(&p, "\"and\", \"or\" or the end of the filter");
	}
out:
	r = p.vc.rc;
	if (r < 0 || !root) {
		if (!r)
			r = -ENOMEM;
		set_error(ret_err, expr, len, &p.vc);
		sks_filter_free(p.f);
		return r;
	}
	p.f->root = root;
	*ret_filter = p.f;
	return 0;
}

void sks_filter_free(struct sks_filter *f)
{
	if (!f)
		return;
	sks_arena_release(&f->arena);
	free(f);
}
