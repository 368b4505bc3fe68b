// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Escaping for the views: reversible terminal-safe text, JSON string bodies,
 * and a UTF-8 validator.  Every string that comes from the system (unix
 * paths, process names, user and host names) passes through here before a
 * view writes it, so a hostile name can neither drive the terminal nor forge
 * a column or a JSON field.
 *
 * Written by hand: no Debian library gives byte-exact, reversible escaping
 * for terminals that also flags bidi/invisible characters (glib's
 * g_strescape is not UTF-8 aware, libunistring validates but does not
 * escape, json-c and jansson reject or silently drop invalid UTF-8 instead
 * of substituting and telling the caller).  Both escapers are table driven
 * and copy runs of safe ASCII at once: the table view calls them for every
 * unix path and process name.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

/* Byte classes.  Values other than these are the letter of a "\X" escape. */
enum {
	C_PASS = 0, /* copied as is */
	C_HEX,      /* text: \xHH; json: \u00HH */
	C_LEAD,     /* may start a multi-byte UTF-8 sequence (0xC2..0xF4) */
	C_BAD,      /* can never start a UTF-8 sequence (0x80..0xC1, 0xF5..0xFF) */
};

#define H C_HEX
#define P C_PASS
#define L C_LEAD
#define B C_BAD

/* 0x80..0xc1 are continuation bytes or overlong leads, 0xf5..0xff never appear in UTF-8. */
static const uint8_t text_class[256] = {
	H, H, H, H, H, H, H, H, H, 't', 'n', H, H, 'r', H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, '\\', P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, H,
	B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
	B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
	B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
	B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
	B, B, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
	L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
	L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
	L, L, L, L, L, B, B, B, B, B, B, B, B, B, B, B,
};

static const uint8_t json_class[256] = {
	H, H, H, H, H, H, H, H, 'b', 't', 'n', H, 'f', 'r', H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	P, P, '"', P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, '\\', P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, H,
	B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
	B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
	B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
	B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
	B, B, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
	L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
	L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
	L, L, L, L, L, B, B, B, B, B, B, B, B, B, B, B,
};

#undef H
#undef P
#undef L
#undef B

/*
 * Length (2..4) of the valid sequence at s, storing its code point, or 0.
 * The range allowed for the second byte is what rules out overlongs (E0,
 * F0), surrogates (ED) and code points above U+10FFFF (F4): Unicode table 3-7.
 */
static size_t utf8_decode(const uint8_t *s, size_t avail, uint32_t *ret_cp)
{
	uint8_t b = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t cp;

	if (b < 0xc2 || b > 0xf4)
		return 0;
	if (b < 0xe0) {
		len = 2;
	} else if (b < 0xf0) {
		len = 3;
		if (b == 0xe0)
			lo = 0xa0;
		else if (b == 0xed)
			hi = 0x9f;
	} else {
		len = 4;
		if (b == 0xf0)
			lo = 0x90;
		else if (b == 0xf4)
			hi = 0x8f;
	}
	if (avail < len || s[1] < lo || s[1] > hi)
		return 0;
	cp = b & (0x7fu >> len);
	for (i = 1; i < len; i++) {
		if (i > 1 && (s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	*ret_cp = cp;
	return len;
}

/*
 * Valid code points that must not reach a terminal raw: C1 controls, bidi
 * embeddings/overrides/isolates and marks (Trojan Source), zero-width and
 * other invisible format or filler characters that let two different names
 * look the same, line/paragraph separators, and tag characters.  Sorted.
 */
static const struct {
	uint32_t lo, hi;
} hidden_ranges[] = {
	{ 0x0080, 0x009f },   /* C1 controls */
	{ 0x00ad, 0x00ad },   /* soft hyphen */
	{ 0x034f, 0x034f },   /* combining grapheme joiner */
	{ 0x061c, 0x061c },   /* arabic letter mark */
	{ 0x115f, 0x1160 },   /* hangul fillers */
	{ 0x17b4, 0x17b5 },   /* khmer inherent vowels */
	{ 0x180b, 0x180f },   /* mongolian selectors and vowel separator */
	{ 0x200b, 0x200f },   /* zero width space/joiners, LRM, RLM */
	{ 0x2028, 0x202e },   /* line/paragraph separator, LRE RLE PDF LRO RLO */
	{ 0x2060, 0x206f },   /* word joiner, invisible operators, LRI RLI FSI PDI */
	{ 0x3164, 0x3164 },   /* hangul filler */
	{ 0xfeff, 0xfeff },   /* zero width no-break space (BOM) */
	{ 0xffa0, 0xffa0 },   /* halfwidth hangul filler */
	{ 0xfff9, 0xfffb },   /* interlinear annotation */
	{ 0x1d173, 0x1d17a }, /* musical format characters */
	{ 0xe0000, 0xe007f }, /* tags */
};

static bool cp_hidden(uint32_t cp)
{
	size_t lo = 0, hi = SKS_ARRAY_SIZE(hidden_ranges);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cp < hidden_ranges[mid].lo)
			hi = mid;
		else if (cp > hidden_ranges[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/*
 * Output goes through a small stack chunk so an escape costs a store, not
 * a call into sks_buf; long safe runs bypass the chunk.
 */
struct out {
	struct sks_buf *buf;
	size_t n;
	int err;
	char tmp[512];
};

static void out_flush(struct out *o)
{
	if (o->n && !o->err)
		o->err = sks_buf_append(o->buf, o->tmp, o->n);
	o->n = 0;
}

static void out_put(struct out *o, const void *p, size_t n)
{
	if (n > sizeof(o->tmp) - o->n) {
		out_flush(o);
		if (n > sizeof(o->tmp)) {
			if (!o->err)
				o->err = sks_buf_append(o->buf, p, n);
			return;
		}
	}
	memcpy(o->tmp + o->n, p, n);
	o->n += n;
}

static const char hexdig[] = "0123456789abcdef";

/* Room for the longest single escape ("\u{10ffff}", "\ud83d\ude00"). */
#define ESC_MAX 16

static char *out_reserve(struct out *o)
{
	if (sizeof(o->tmp) - o->n < ESC_MAX)
		out_flush(o);
	return o->tmp + o->n;
}

static void put_hex_byte(struct out *o, const char *prefix, uint8_t b)
{
	char *p = out_reserve(o);
	size_t i = 0;

	while (*prefix)
		p[i++] = *prefix++;
	p[i++] = hexdig[b >> 4];
	p[i++] = hexdig[b & 15];
	o->n += i;
}

static void put_pair(struct out *o, char letter)
{
	char *p = out_reserve(o);

	p[0] = '\\';
	p[1] = letter;
	o->n += 2;
}

/* \u{XXXX}: at least four hex digits, more for code points above U+FFFF. */
static void put_text_cp(struct out *o, uint32_t cp)
{
	char *p = out_reserve(o);
	int digits = cp > 0xfffff ? 6 : cp > 0xffff ? 5 : 4;
	size_t i = 0;

	p[i++] = '\\';
	p[i++] = 'u';
	p[i++] = '{';
	while (digits--)
		p[i++] = hexdig[(cp >> (digits * 4)) & 15];
	p[i++] = '}';
	o->n += i;
}

static void put_json_u16(char *p, uint32_t u)
{
	p[0] = '\\';
	p[1] = 'u';
	p[2] = hexdig[(u >> 12) & 15];
	p[3] = hexdig[(u >> 8) & 15];
	p[4] = hexdig[(u >> 4) & 15];
	p[5] = hexdig[u & 15];
}

/* \uXXXX, as a surrogate pair above U+FFFF (JSON has no longer form). */
static void put_json_cp(struct out *o, uint32_t cp)
{
	char *p = out_reserve(o);

	if (cp > 0xffff) {
		cp -= 0x10000;
		put_json_u16(p, 0xd800 | (cp >> 10));
		put_json_u16(p + 6, 0xdc00 | (cp & 0x3ff));
		o->n += 12;
	} else {
		put_json_u16(p, cp);
		o->n += 6;
	}
}

int sks_escape_text(struct sks_buf *out, const void *src, size_t len)
{
	const uint8_t *s = src, *end = s + len;
	struct out o = { .buf = out };

	while (s < end) {
		const uint8_t *run = s;
		uint8_t c;

		while (s < end && text_class[*s] == C_PASS)
			s++;
		if (s > run)
			out_put(&o, run, (size_t)(s - run));
		if (s == end)
			break;
		c = text_class[*s];
		if (c == C_LEAD) {
			uint32_t cp;
			size_t n = utf8_decode(s, (size_t)(end - s), &cp);

			if (!n) {
				put_hex_byte(&o, "\\x", *s++);
			} else {
				if (cp_hidden(cp))
					put_text_cp(&o, cp);
				else
					out_put(&o, s, n);
				s += n;
			}
		} else if (c == C_HEX || c == C_BAD) {
			put_hex_byte(&o, "\\x", *s++);
		} else {
			put_pair(&o, (char)c);
			s++;
		}
	}
	out_flush(&o);
	if (!o.err && !out->data)
		o.err = sks_buf_append(out, "", 0); /* NUL-terminated even when empty */
	return o.err;
}

int sks_escape_json(struct sks_buf *out, const void *src, size_t len)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const uint8_t *s = src, *end = s + len;
	struct out o = { .buf = out };
	int replaced = 0;

	while (s < end) {
		const uint8_t *run = s;
		uint8_t c;

		while (s < end && json_class[*s] == C_PASS)
			s++;
		if (s > run)
			out_put(&o, run, (size_t)(s - run));
		if (s == end)
			break;
		c = json_class[*s];
		if (c == C_LEAD) {
			uint32_t cp;
			size_t n = utf8_decode(s, (size_t)(end - s), &cp);

			if (!n) {
				out_put(&o, replacement, 3);
				replaced = 1;
				s++;
			} else {
				/* Lossless in JSON, and keeps a raw `cat` of the output safe. */
				if (cp_hidden(cp))
					put_json_cp(&o, cp);
				else
					out_put(&o, s, n);
				s += n;
			}
		} else if (c == C_BAD) {
			out_put(&o, replacement, 3);
			replaced = 1;
			s++;
		} else if (c == C_HEX) {
			put_hex_byte(&o, "\\u00", *s++);
		} else {
			put_pair(&o, (char)c);
			s++;
		}
	}
	out_flush(&o);
	if (!o.err && !out->data)
		o.err = sks_buf_append(out, "", 0);
	return o.err ? o.err : replaced;
}

bool sks_utf8_valid(const void *src, size_t len)
{
	const uint8_t *s = src, *end = s + len;

	while (s < end) {
		uint64_t w;
		uint32_t cp;
		size_t n;

		/* Eight ASCII bytes at a time: most names are plain ASCII. */
		if ((size_t)(end - s) >= 8) {
			memcpy(&w, s, 8);
			if (!(w & 0x8080808080808080ull)) {
				s += 8;
				continue;
			}
		}
		if (*s < 0x80) {
			s++;
			continue;
		}
		n = utf8_decode(s, (size_t)(end - s), &cp);
		if (!n)
			return false;
		s += n;
	}
	return true;
}
