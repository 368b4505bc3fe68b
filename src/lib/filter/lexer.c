// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Filter tokens.  Operators split words, so ss's space-hungry forms
 * "(dport=:22)" and "sport>=:1024" lex the same as their spaced versions.
 * '#' at the start of a word comments to the end of the line (filter files).
 * Quotes ('..' literal, ".." with \-escapes) carry values holding operator bytes.
 */
#include "filter.h"

#include <string.h>

void lexer_init(struct lexer *lx, const char *src, size_t len, struct sks_arena *arena)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->len = len;
	lx->arena = arena;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Bytes that end a bare word: spaces, operators, parentheses, quotes. */
static bool ends_word(unsigned char c)
{
	return is_space(c) || strchr("()!&|=<>\"'", c) != NULL || c == '\0';
}

static struct tok error_tok(struct lexer *lx, const char *msg, size_t pos)
{
	struct tok t = { .kind = TOK_ERROR, .pos = pos };

	lx->err = msg;
	lx->err_pos = pos;
	lx->nomem = !strcmp(msg, "out of memory");
	return t;
}

static struct tok quoted_word(struct lexer *lx, size_t start)
{
	char q = lx->src[start];
	size_t i = start + 1, n = 0;
	struct tok t = { .kind = TOK_WORD, .quoted = true, .pos = start };
	char *out;

	/* First pass: find the closing quote and the unescaped length. */
	for (; i < lx->len && lx->src[i] != q; i++, n++) {
		if (q == '"' && lx->src[i] == '\\' && i + 1 < lx->len)
			i++;
	}
	if (i >= lx->len)
		return error_tok(lx, "unterminated quote", start);
	out = sks_arena_alloc(lx->arena, n + 1);
	if (!out)
		return error_tok(lx, "out of memory", start);
	n = 0;
	for (i = start + 1; lx->src[i] != q; i++) {
		if (q == '"' && lx->src[i] == '\\')
			i++;
		out[n++] = lx->src[i];
	}
	out[n] = '\0';
	lx->pos = i + 1;
	t.text = out;
	t.len = n;
	return t;
}

struct tok lexer_next(struct lexer *lx)
{
	struct tok t = { .kind = TOK_EOF };
	const char *s = lx->src;
	size_t i = lx->pos;
	char c, c2;

	for (;;) {
		while (i < lx->len && is_space((unsigned char)s[i]))
			i++;
		if (i < lx->len && s[i] == '#') {
			while (i < lx->len && s[i] != '\n')
				i++;
			continue;
		}
		break;
	}
	t.pos = i;
	if (i >= lx->len) {
		lx->pos = i;
		return t;
	}
	c = s[i];
	c2 = i + 1 < lx->len ? s[i + 1] : '\0';
	lx->pos = i + 1;
	switch (c) {
	case '\0':
		return error_tok(lx, "unexpected NUL byte", i);
	case '(':
		t.kind = TOK_LPAREN;
		return t;
	case ')':
		t.kind = TOK_RPAREN;
		return t;
	case '!':
		if (c2 == '=') {
			lx->pos++;
			t.kind = TOK_NE;
		} else {
			t.kind = TOK_NOT;
		}
		return t;
	case '&':
		lx->pos += c2 == '&';
		t.kind = TOK_AND;
		return t;
	case '|':
		lx->pos += c2 == '|';
		t.kind = TOK_OR;
		return t;
	case '=':
		lx->pos += c2 == '=';
		t.kind = TOK_EQ;
		return t;
	case '<':
		lx->pos += c2 == '=';
		t.kind = c2 == '=' ? TOK_LE : TOK_LT;
		return t;
	case '>':
		lx->pos += c2 == '=';
		t.kind = c2 == '=' ? TOK_GE : TOK_GT;
		return t;
	case '"':
	case '\'':
		return quoted_word(lx, i);
	}
	while (i < lx->len && !ends_word((unsigned char)s[i]))
		i++;
	if (i < lx->len && s[i] == '\0')
		return error_tok(lx, "unexpected NUL byte", i);
	/* Copy so every word is NUL-terminated for the resolvers and fnmatch(3). */
	t.text = sks_arena_memdup(lx->arena, s + t.pos, i - t.pos);
	if (!t.text)
		return error_tok(lx, "out of memory", t.pos);
	t.kind = TOK_WORD;
	t.len = i - t.pos;
	lx->pos = i;
	return t;
}
