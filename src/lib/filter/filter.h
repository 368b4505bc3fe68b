/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Filter stage, private definitions: tokens, the AST the parser builds, and
 * the entry points the evaluator, the bytecode compiler and the kernel model
 * (bcsim.c, used by tests and the fuzzer to check the compiler) share.
 */
#ifndef SKS_FILTER_FILTER_H
#define SKS_FILTER_FILTER_H

#include "internal.h"

/* --------------------------------------------------------------- tokens */

enum tok_kind {
	TOK_EOF = 0,
	TOK_WORD,   /* bare or quoted word: keyword or value */
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_NOT,    /* ! */
	TOK_AND,    /* & && */
	TOK_OR,     /* | || */
	TOK_EQ,     /* = == */
	TOK_NE,     /* != */
	TOK_LT,     /* < */
	TOK_GT,     /* > */
	TOK_LE,     /* <= */
	TOK_GE,     /* >= */
	TOK_ERROR,  /* lexing failed; the lexer's error is set */
};

struct tok {
	enum tok_kind kind;
	bool quoted;
	size_t pos;       /* byte offset of the token in the expression */
	const char *text; /* WORD: its value, NUL-terminated (a copy when quoted) */
	size_t len;       /* bytes in text */
};

struct lexer {
	const char *src;
	size_t len;
	size_t pos;
	struct sks_arena *arena; /* unquoted copies of quoted words */
	const char *err;         /* static message when TOK_ERROR */
	size_t err_pos;
	bool nomem;              /* the error is an allocation failure */
};

void lexer_init(struct lexer *lx, const char *src, size_t len, struct sks_arena *arena);
/* Next token; TOK_ERROR with lx->err set on a lexical error (or ENOMEM). */
struct tok lexer_next(struct lexer *lx);

/* ------------------------------------------------------------------ AST */

enum node_kind {
	N_TRUE = 0,
	N_FALSE,
	N_AND,       /* n-ary: kid, kid->next, ... */
	N_OR,        /* n-ary */
	N_NOT,
	N_STATE,     /* record state in u.states */
	N_HOST,      /* src/dst address, port, unix path, packet, netlink */
	N_PORT,      /* sport/dport compared with u.num */
	N_DEV,       /* bound device == u.num */
	N_MARK,      /* (mark & u.mark.mask) == u.mark.value */
	N_CGROUP,    /* cgroup id == u.cgroup */
	N_AUTOBOUND, /* local port picked by the kernel */
	N_PID,       /* some owner's pid compared with u.num */
	N_UID,       /* socket uid compared with u.num */
	N_USER,      /* some owner's process uid compared with u.num */
	N_COMM,      /* some owner's comm or name matches the glob u.glob */
};

/* Comparison of N_PORT, N_PID, N_UID, N_USER; != and < > are rewritten at parse time. */
enum cmp {
	CMP_EQ = 0,
	CMP_GE,
	CMP_LE,
};

enum dir {
	DIR_SRC = 0, /* local end */
	DIR_DST,     /* remote end */
};

struct host {
	uint8_t family;     /* AF_UNSPEC (any socket), AF_INET, AF_INET6, AF_UNIX, AF_PACKET,
			     * AF_NETLINK */
	uint8_t prefix_len; /* AF_INET/AF_INET6: bits compared; 0 = any address of the family */
	int64_t port;       /* inet port, packet ifindex, netlink portid; -1 = any */
	int64_t proto;      /* packet ethertype, netlink protocol; -1 = any */
	uint8_t addr[16];   /* network byte order */
	const char *glob;   /* AF_UNIX: fnmatch(3) pattern on the path ("@name" if abstract) */
};

struct node {
	uint8_t kind; /* enum node_kind */
	uint8_t dir;  /* enum dir: N_HOST, N_PORT */
	uint8_t cmp;  /* enum cmp */
	struct node *kid;  /* first operand (N_AND, N_OR, N_NOT) */
	struct node *next; /* next operand of the parent */
	union {
		uint32_t states;
		uint32_t num;
		uint64_t cgroup;
		struct {
			uint32_t value, mask;
		} mark;
		struct {
			uint16_t low, high;
		} range; /* N_AUTOBOUND: the ephemeral port range at parse time */
		const char *glob;
		struct host host;
	} u;
};

struct sks_filter {
	struct sks_arena arena; /* every node and string */
	struct node *root;      /* never NULL; N_TRUE for an empty filter */
	bool has_states;        /* a leading state/exclude prelude was given */
	uint32_t states;        /* the prelude's state set */
	bool owners;            /* some predicate reads owners */
	uint32_t details;       /* SKS_DETAIL_* the predicates read */
};

/* ---------------------------------------------------------------- stages */

/* The states any record matching n can be in (a superset), SKS_STATES_ALL if unknown. */
uint32_t filter_node_states(const struct node *n);
/* true when the subtree holds an N_STATE node. */
bool filter_node_has_state(const struct node *n);

/*
 * Compile like sks_filter_bytecode(); *ret_exact tells whether the kernel's
 * answer equals the user-space evaluator's on every inet record (false when
 * some predicate was widened or narrowed to true/false).
 */
int filter_bytecode(const struct sks_filter *f, int family, unsigned flags, struct sks_buf *out,
		    bool *ret_exact);

/* --------------------------------------------- kernel model (bcsim.c) */

/* What the kernel's inet_diag_bc_run() sees of a socket (struct inet_diag_entry). */
struct bc_entry {
	uint8_t family;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	uint32_t ifindex;
	uint32_t mark;
	uint64_t cgroup_id;
	bool autobound; /* !(userlocks & SOCK_BINDPORT_LOCK) */
};

/* A model of net/ipv4/inet_diag.c inet_diag_bc_audit(): 0 or -EINVAL. */
int bc_audit(const void *bc, size_t len);
/* A model of inet_diag_bc_run(): true when the socket is accepted. */
bool bc_run(const void *bc, size_t len, const struct bc_entry *e);

#endif
