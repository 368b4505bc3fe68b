// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Escaping: every single byte through both escapers with exact expected
 * output, bad UTF-8 (overlong, surrogate, truncated, > U+10FFFF), C1 and
 * bidi controls, and two properties over random inputs: unescaping the text
 * form gives the original bytes back, and decoding the JSON form of valid
 * UTF-8 gives the original string back.
 */
#include "internal.h"
#include "view/view.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

static char *text_of(const void *src, size_t len)
{
	struct sks_buf b = SKS_BUF_INIT;

	assert_int_equal(sks_escape_text(&b, src, len), 0);
	assert_non_null(b.data);
	assert_int_equal(strlen(b.data), b.len);
	return b.data;
}

static char *json_of(const void *src, size_t len, int want_ret)
{
	struct sks_buf b = SKS_BUF_INIT;

	assert_int_equal(sks_escape_json(&b, src, len), want_ret);
	assert_non_null(b.data);
	return b.data;
}

#define CHECK_TEXT(in, want)                                                                       \
	do {                                                                                       \
		char *got_ = text_of(in, sizeof(in) - 1);                                          \
		assert_string_equal(got_, want);                                                   \
		free(got_);                                                                        \
	} while (0)

#define CHECK_JSON(in, want, ret)                                                                  \
	do {                                                                                       \
		char *got_ = json_of(in, sizeof(in) - 1, ret);                                     \
		assert_string_equal(got_, want);                                                   \
		free(got_);                                                                        \
	} while (0)

static void test_text_all_bytes(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0; c < 256; c++) {
		uint8_t in = (uint8_t)c;
		char want[8];
		char *got = text_of(&in, 1);

		if (c == '\\')
			snprintf(want, sizeof(want), "\\\\");
		else if (c == '\n')
			snprintf(want, sizeof(want), "\\n");
		else if (c == '\t')
			snprintf(want, sizeof(want), "\\t");
		else if (c == '\r')
			snprintf(want, sizeof(want), "\\r");
		else if (c >= 0x20 && c < 0x7f)
			snprintf(want, sizeof(want), "%c", c);
		else /* C0, DEL, and every lone byte >= 0x80 (invalid on its own) */
			snprintf(want, sizeof(want), "\\x%02x", c);
		assert_string_equal(got, want);
		free(got);
	}
	/* A few spelled out, so the rule above cannot hide a shared mistake. */
	CHECK_TEXT("\x1b", "\\x1b");
	CHECK_TEXT("\x7f", "\\x7f");
	CHECK_TEXT("\xff", "\\xff");
	CHECK_TEXT("\x80", "\\x80");
	CHECK_TEXT("a b", "a b");
}

static void test_json_all_bytes(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0; c < 256; c++) {
		uint8_t in = (uint8_t)c;
		char want[8];
		int ret = 0;
		char *got;

		switch (c) {
		case '"':
			snprintf(want, sizeof(want), "\\\"");
			break;
		case '\\':
			snprintf(want, sizeof(want), "\\\\");
			break;
		case '\b':
			snprintf(want, sizeof(want), "\\b");
			break;
		case '\f':
			snprintf(want, sizeof(want), "\\f");
			break;
		case '\n':
			snprintf(want, sizeof(want), "\\n");
			break;
		case '\r':
			snprintf(want, sizeof(want), "\\r");
			break;
		case '\t':
			snprintf(want, sizeof(want), "\\t");
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				snprintf(want, sizeof(want), "\\u%04x", c);
			} else if (c < 0x80) {
				snprintf(want, sizeof(want), "%c", c);
			} else {
				snprintf(want, sizeof(want), "\xef\xbf\xbd");
				ret = 1;
			}
		}
		got = json_of(&in, 1, ret);
		assert_string_equal(got, want);
		free(got);
	}
	CHECK_JSON("\x00", "\\u0000", 0);
	CHECK_JSON("\x1f", "\\u001f", 0);
}

static void test_bad_utf8(void **state)
{
	(void)state;
	/* overlong '/' */
	CHECK_TEXT("\xc0\xaf", "\\xc0\\xaf");
	CHECK_TEXT("\xe0\x80\xaf", "\\xe0\\x80\\xaf");
	CHECK_TEXT("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf");
	/* UTF-16 surrogate U+D800 */
	CHECK_TEXT("\xed\xa0\x80", "\\xed\\xa0\\x80");
	/* U+110000 */
	CHECK_TEXT("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	CHECK_TEXT("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
	/* truncated: at the end, and followed by ASCII */
	CHECK_TEXT("ab\xe2\x82", "ab\\xe2\\x82");
	CHECK_TEXT("\xe2\x82" "A", "\\xe2\\x82A");
	CHECK_TEXT("\xf0\x9f\x98", "\\xf0\\x9f\\x98");
	CHECK_TEXT("\xc3", "\\xc3");
	/* stray continuation after a valid character */
	CHECK_TEXT("\xc3\xa9\xa9", "\xc3\xa9\\xa9");

	CHECK_JSON("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", 1);
	CHECK_JSON("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 1);
	CHECK_JSON("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 1);
	CHECK_JSON("x\xe2\x82", "x\xef\xbf\xbd\xef\xbf\xbd", 1);

	assert_false(sks_utf8_valid("\xc0\xaf", 2));
	assert_false(sks_utf8_valid("\xed\xa0\x80", 3));
	assert_false(sks_utf8_valid("\xf4\x90\x80\x80", 4));
	assert_false(sks_utf8_valid("abcdefgh\xe2\x82", 10));
	assert_false(sks_utf8_valid("\xff", 1));
	assert_true(sks_utf8_valid("", 0));
	assert_true(sks_utf8_valid("plain ascii, longer than eight", 30));
	assert_true(sks_utf8_valid("\xf4\x8f\xbf\xbf", 4)); /* U+10FFFF */
	assert_true(sks_utf8_valid("\xed\x9f\xbf", 3));     /* U+D7FF */
	assert_true(sks_utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14));
}

static void test_valid_utf8_passes(void **state)
{
	(void)state;
	CHECK_TEXT("caf\xc3\xa9", "caf\xc3\xa9");
	CHECK_TEXT("\xe2\x82\xac", "\xe2\x82\xac");             /* EURO SIGN */
	CHECK_TEXT("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");     /* emoji */
	CHECK_TEXT("\xe4\xb8\xad\xe6\x96\x87", "\xe4\xb8\xad\xe6\x96\x87");
	CHECK_TEXT("\xc2\xa0", "\xc2\xa0");                     /* NBSP: visible as a space */
	CHECK_JSON("caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80", 0);
}

static void test_bidi_c1_invisible(void **state)
{
	(void)state;
	CHECK_TEXT("\xc2\x85", "\\u{0085}");     /* NEL */
	CHECK_TEXT("\xc2\x9b", "\\u{009b}");     /* CSI */
	CHECK_TEXT("\xd8\x9c", "\\u{061c}");     /* ARABIC LETTER MARK */
	CHECK_TEXT("\xe2\x80\x8e", "\\u{200e}"); /* LRM */
	CHECK_TEXT("\xe2\x80\x8f", "\\u{200f}"); /* RLM */
	CHECK_TEXT("\xe2\x80\xaa", "\\u{202a}");
	CHECK_TEXT("\xe2\x80\xae", "\\u{202e}"); /* RLO */
	CHECK_TEXT("\xe2\x81\xa6", "\\u{2066}");
	CHECK_TEXT("\xe2\x81\xa9", "\\u{2069}");
	CHECK_TEXT("\xe2\x80\xa8", "\\u{2028}");
	CHECK_TEXT("\xe2\x80\xa9", "\\u{2029}");
	CHECK_TEXT("\xe2\x80\x8b", "\\u{200b}");
	CHECK_TEXT("\xe2\x80\x8d", "\\u{200d}");
	CHECK_TEXT("\xef\xbb\xbf", "\\u{feff}");
	CHECK_TEXT("\xf3\xa0\x81\x81", "\\u{e0041}"); /* TAG LATIN CAPITAL LETTER A */
	CHECK_TEXT("ls\xe2\x80\xaetxt.exe", "ls\\u{202e}txt.exe");

	CHECK_JSON("\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029", 0);
	CHECK_JSON("\xc2\x85", "\\u0085", 0);
	CHECK_JSON("a\xe2\x80\xae", "a\\u202e", 0);
	CHECK_JSON("\xf3\xa0\x81\x81", "\\udb40\\udc41", 0);
}

static void test_empty_and_long(void **state)
{
	struct sks_buf b = SKS_BUF_INIT;
	char in[5000];
	size_t i;

	(void)state;
	assert_int_equal(sks_escape_text(&b, "", 0), 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	sks_buf_release(&b);
	assert_int_equal(sks_escape_json(&b, "", 0), 0);
	assert_string_equal(b.data, "");
	sks_buf_release(&b);

	/* Longer than the escapers' internal chunk, with escapes spread through it. */
	for (i = 0; i < sizeof(in); i++)
		in[i] = i % 7 == 0 ? '\x01' : 'a' + (char)(i % 26);
	assert_int_equal(sks_escape_text(&b, in, sizeof(in)), 0);
	assert_int_equal(b.len, sizeof(in) + 3 * ((sizeof(in) + 6) / 7));
	sks_buf_release(&b);

	/* The cap is honoured: -ENOMEM, not a truncated success. */
	b.max = 100;
	assert_int_equal(sks_escape_text(&b, in, sizeof(in)), -ENOMEM);
	sks_buf_release(&b);
}

/* ---- property tests */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static size_t put_utf8(uint8_t *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (uint8_t)(0xc0 | cp >> 6);
		p[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (uint8_t)(0xe0 | cp >> 12);
		p[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (uint8_t)(0xf0 | cp >> 18);
	p[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	p[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	p[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* The tiny unescaper: \\ \n \t \r \xHH \u{H...}; returns the length or -1. */
static long unescape_text(const char *s, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		if (s[i] != '\\') {
			out[o++] = (uint8_t)s[i++];
			continue;
		}
		if (++i >= n)
			return -1;
		switch (s[i++]) {
		case '\\':
			out[o++] = '\\';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 'x':
			if (i + 2 > n || hexval(s[i]) < 0 || hexval(s[i + 1]) < 0)
				return -1;
			out[o++] = (uint8_t)(hexval(s[i]) << 4 | hexval(s[i + 1]));
			i += 2;
			break;
		case 'u': {
			uint32_t cp = 0;

			if (i >= n || s[i++] != '{')
				return -1;
			while (i < n && s[i] != '}') {
				if (hexval(s[i]) < 0)
					return -1;
				cp = cp << 4 | (uint32_t)hexval(s[i++]);
			}
			if (i++ >= n)
				return -1;
			o += put_utf8(out + o, cp);
			break;
		}
		default:
			return -1;
		}
	}
	return (long)o;
}

/* JSON string body decoder (escapes as JSON defines them); returns the length or -1. */
static long unescape_json(const char *s, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		uint32_t cp = 0;
		int k;

		if ((uint8_t)s[i] < 0x20 || s[i] == '"')
			return -1; /* must have been escaped */
		if (s[i] != '\\') {
			out[o++] = (uint8_t)s[i++];
			continue;
		}
		if (++i >= n)
			return -1;
		switch (s[i++]) {
		case '"':
			out[o++] = '"';
			break;
		case '\\':
			out[o++] = '\\';
			break;
		case '/':
			out[o++] = '/';
			break;
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'u':
			for (k = 0; k < 4; k++) {
				if (i >= n || hexval(s[i]) < 0)
					return -1;
				cp = cp << 4 | (uint32_t)hexval(s[i++]);
			}
			if (cp >= 0xd800 && cp < 0xdc00) {
				uint32_t lo = 0;

				if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u')
					return -1;
				i += 2;
				for (k = 0; k < 4; k++) {
					if (hexval(s[i]) < 0)
						return -1;
					lo = lo << 4 | (uint32_t)hexval(s[i++]);
				}
				if (lo < 0xdc00 || lo > 0xdfff)
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			o += put_utf8(out + o, cp);
			break;
		default:
			return -1;
		}
	}
	return (long)o;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* Random bytes biased towards the interesting ones: controls, '\\', '"', UTF-8 pieces. */
static size_t random_input(uint8_t *p, size_t max)
{
	static const char *const pieces[] = {
		"\\", "\"", "\n", "\x1b", "\x7f", "\xc3\xa9", "\xe2\x80\xae", "\xf0\x9f\x98\x80",
		"\xc2\x85", "\xed\xa0\x80", "\xc0\xaf", "\xe2\x82", "\xf4\x90\x80\x80", "\\x41",
		"\\u{202e}", "\xef\xbb\xbf", "\xf3\xa0\x81\x81",
	};
	size_t len = rnd() % max, n = 0;

	while (n < len) {
		uint32_t r = rnd() % 4;

		if (r == 0) {
			const char *pc = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t l = strlen(pc);

			if (n + l > max)
				break;
			memcpy(p + n, pc, l);
			n += l;
		} else if (r == 1) {
			p[n++] = (uint8_t)rnd();
		} else {
			p[n++] = (uint8_t)(0x20 + rnd() % 0x5f);
		}
	}
	return n;
}

static void test_roundtrip_property(void **state)
{
	static uint8_t in[2048], back[2048 * 4];
	int iter;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		size_t n = random_input(in, iter % 50 == 0 ? sizeof(in) : 64), i;
		struct sks_buf t = SKS_BUF_INIT, j = SKS_BUF_INIT;
		bool valid = sks_utf8_valid(in, n);
		long m;
		int r;

		assert_int_equal(sks_escape_text(&t, in, n), 0);
		for (i = 0; i < t.len; i++)
			assert_true((uint8_t)t.data[i] >= 0x20 && (uint8_t)t.data[i] != 0x7f);
		assert_true(sks_utf8_valid(t.data, t.len));
		m = unescape_text(t.data, t.len, back);
		assert_int_equal(m, (long)n);
		assert_memory_equal(back, in, n);

		r = sks_escape_json(&j, in, n);
		assert_int_equal(r, valid ? 0 : 1);
		assert_true(sks_utf8_valid(j.data, j.len));
		m = unescape_json(j.data, j.len, back);
		assert_true(m >= 0);
		if (valid) {
			assert_int_equal(m, (long)n);
			assert_memory_equal(back, in, n);
		}
		sks_buf_release(&t);
		sks_buf_release(&j);
	}
}

static void test_put_escaped_extra(void **state)
{
	struct sks_buf b = SKS_BUF_INIT;
	struct sks_unix u = { 0 };

	(void)state;
	assert_int_equal(sks_put_escaped(&b, "a b\"c d\xff", 8, " \""), 0);
	assert_string_equal(b.data, "a\\x20b\\x22c\\x20d\\xff");
	sks_buf_reset(&b);
	/* A cut at an extra byte must not change how a broken sequence escapes. */
	assert_int_equal(sks_put_escaped(&b, "\xe2\x82 x", 4, " "), 0);
	assert_string_equal(b.data, "\\xe2\\x82\\x20x");
	sks_buf_reset(&b);

	assert_int_equal(sks_put_unix_name(&b, &u), 0);
	assert_string_equal(b.data, "*");
	sks_buf_reset(&b);
	u = (struct sks_unix){ .path = "@x y", .path_len = 4 };
	assert_int_equal(sks_put_unix_name(&b, &u), 0);
	assert_string_equal(b.data, "\\x40x\\x20y");
	sks_buf_reset(&b);
	u = (struct sks_unix){ .path = "@x", .path_len = 2, .abstract = true };
	assert_int_equal(sks_put_unix_name(&b, &u), 0);
	assert_string_equal(b.data, "@@x");
	sks_buf_reset(&b);
	u = (struct sks_unix){ .path = "*", .path_len = 1 };
	assert_int_equal(sks_put_unix_name(&b, &u), 0);
	assert_string_equal(b.data, "\\x2a");
	sks_buf_release(&b);
}

static void test_numbers_and_timers(void **state)
{
	struct sks_buf b = SKS_BUF_INIT;
	static const struct {
		uint32_t ms;
		const char *want;
	} timers[] = {
		{ 7140000, "119min" }, { 330000, "5min30sec" }, { 3500, "3.500ms" },
		{ 59500, "59sec" },    { 950, "950ms" },         { 50, "050ms" },
		{ 0, "" },             { 61000, "1min1sec" },
	};
	size_t i;

	(void)state;
	assert_int_equal(sks_put_u64(&b, 0), 0);
	assert_int_equal(sks_put_u64(&b, UINT64_MAX), 0);
	assert_int_equal(sks_put_i64(&b, INT64_MIN), 0);
	assert_int_equal(sks_put_hex(&b, 0xdeadbeef), 0);
	assert_string_equal(b.data, "018446744073709551615-9223372036854775808deadbeef");
	for (i = 0; i < sizeof(timers) / sizeof(timers[0]); i++) {
		sks_buf_reset(&b);
		assert_int_equal(sks_put_ms_timer(&b, timers[i].ms), 0);
		assert_string_equal(b.data ? b.data : "", timers[i].want);
	}
	sks_buf_reset(&b);
	assert_int_equal(sks_put_bw(&b, 93018838710.0, false), 0);
	assert_string_equal(b.data, "93G");
	sks_buf_reset(&b);
	assert_int_equal(sks_put_bw(&b, 93018838710.0, true), 0);
	assert_string_equal(b.data, "93018838710");
	sks_buf_release(&b);
}

/* The views format addresses without inet_ntop() (it is printf-based); same text required. */
static void test_ip_matches_inet_ntop(void **state)
{
	struct sks_endpoint ep = { 0 };
	char want[INET6_ADDRSTRLEN], got[SKS_IP_TEXT_MAX + 1];
	int iter, i;

	(void)state;
	for (iter = 0; iter < 200000; iter++) {
		ep.family = iter % 5 == 0 ? AF_INET : AF_INET6;
		for (i = 0; i < 8; i++) {
			/* mostly zero groups, to exercise "::" placement and ties */
			uint32_t r = rnd();
			uint16_t g = r % 3 ? 0 : (uint16_t)(r >> 8);

			if (r % 7 == 0)
				g = 0xffff;
			ep.addr[2 * i] = (uint8_t)(g >> 8);
			ep.addr[2 * i + 1] = (uint8_t)g;
		}
		if (iter % 11 == 0) /* v4-mapped */
			memcpy(ep.addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);
		if (iter % 13 == 0) /* v4-compatible */
			memset(ep.addr, 0, 12);
		assert_non_null(inet_ntop(ep.family, ep.addr, want, sizeof(want)));
		got[sks_fmt_ip(got, &ep)] = '\0';
		assert_string_equal(got, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_all_bytes),
		cmocka_unit_test(test_json_all_bytes),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_valid_utf8_passes),
		cmocka_unit_test(test_bidi_c1_invisible),
		cmocka_unit_test(test_empty_and_long),
		cmocka_unit_test(test_roundtrip_property),
		cmocka_unit_test(test_put_escaped_extra),
		cmocka_unit_test(test_numbers_and_timers),
		cmocka_unit_test(test_ip_matches_inet_ntop),
	};

	return cmocka_run_group_tests_name("view_escape", tests, NULL, NULL);
}
