// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The JSON view against hand-built snapshots with hostile names: the output
 * is one valid document (checked by a small strict parser here, and by jq
 * when the build found it), strings are valid UTF-8 with the raw bytes kept
 * in "<field>_hex", and the schema's fields carry the snapshot's values.
 */
#include "fixture.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* ---- a strict JSON checker (RFC 8259), enough to reject what jq would */

struct parser {
	const char *p, *end;
	int depth;
};

static bool parse_value(struct parser *ps);

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && strchr(" \t\n\r", *ps->p) && *ps->p)
		ps->p++;
}

static bool parse_string(struct parser *ps)
{
	const char *start;

	if (ps->p >= ps->end || *ps->p != '"')
		return false;
	start = ++ps->p;
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;

		if (c < 0x20)
			return false;
		if (c == '\\') {
			ps->p++;
			if (ps->p >= ps->end)
				return false;
			if (*ps->p == 'u') {
				int k;

				if (ps->end - ps->p < 5)
					return false;
				for (k = 1; k <= 4; k++)
					if (!isxdigit((unsigned char)ps->p[k]))
						return false;
				ps->p += 4;
			} else if (!strchr("\"\\/bfnrt", *ps->p) || !*ps->p) {
				return false;
			}
		}
		ps->p++;
	}
	if (ps->p >= ps->end)
		return false;
	if (!sks_utf8_valid(start, (size_t)(ps->p - start)))
		return false;
	ps->p++;
	return true;
}

static bool parse_number(struct parser *ps)
{
	const char *s = ps->p;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
		return false;
	if (*ps->p == '0' && ps->p + 1 < ps->end && ps->p[1] >= '0' && ps->p[1] <= '9')
		return false; /* leading zero */
	while (ps->p < ps->end && ((*ps->p >= '0' && *ps->p <= '9') || strchr(".eE+-", *ps->p)))
		ps->p++;
	return ps->p > s;
}

static bool parse_seq(struct parser *ps, char close, bool members)
{
	bool first = true;

	ps->p++;
	if (++ps->depth > 64)
		return false;
	for (;;) {
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == close && first)
			break;
		if (!first) {
			if (ps->p >= ps->end)
				return false;
			if (*ps->p == close)
				break;
			if (*ps->p++ != ',')
				return false;
			skip_ws(ps);
		}
		if (members) {
			if (!parse_string(ps))
				return false;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p++ != ':')
				return false;
			skip_ws(ps);
		}
		if (!parse_value(ps))
			return false;
		first = false;
	}
	ps->p++;
	ps->depth--;
	return true;
}

static bool parse_value(struct parser *ps)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return false;
	switch (*ps->p) {
	case '{':
		return parse_seq(ps, '}', true);
	case '[':
		return parse_seq(ps, ']', false);
	case '"':
		return parse_string(ps);
	case 't':
		return ps->end - ps->p >= 4 && !memcmp(ps->p, "true", 4) && (ps->p += 4);
	case 'f':
		return ps->end - ps->p >= 5 && !memcmp(ps->p, "false", 5) && (ps->p += 5);
	case 'n':
		return ps->end - ps->p >= 4 && !memcmp(ps->p, "null", 4) && (ps->p += 4);
	}
	return parse_number(ps);
}

static bool json_valid(const char *text)
{
	struct parser ps = { text, text + strlen(text), 0 };

	if (!parse_value(&ps))
		return false;
	skip_ws(&ps);
	return ps.p == ps.end;
}

/* Run `jq -r FILTER` on text (when the build found jq); returns its output or NULL. */
static char *jq(const char *text, const char *filter)
{
	const char *jq_path = getenv("JQ");
	char path[] = "/tmp/sks-json-XXXXXX", cmd[512], *out = NULL;
	size_t cap = 0, len = 0;
	FILE *f;
	int fd;

	if (!jq_path || !*jq_path)
		return NULL;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(cmd, sizeof(cmd), "'%s' -e -r '%s' < %s", jq_path, filter, path);
	f = popen(cmd, "r");
	assert_non_null(f);
	for (;;) {
		if (len + 256 > cap) {
			cap = cap * 2 + 512;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		size_t n = fread(out + len, 1, cap - len - 1, f);

		if (!n)
			break;
		len += n;
	}
	out[len] = '\0';
	assert_int_equal(pclose(f), 0);
	unlink(path);
	return out;
}

static void check_jq(const char *text, const char *filter, const char *want)
{
	char *got = jq(text, filter);

	if (!got)
		return;
	FX_ASSERT_TEXT(got, want);
	free(got);
}

static void test_document_valid(void **state)
{
	struct sks_snapshot *s = fx_snapshot(FX_ALL);
	char *text = fx_json(s, SKS_VIEW_OWNERS);
	size_t lines = 0;
	const char *p;

	(void)state;
	assert_true(json_valid(text));
	for (p = text; (p = strstr(p, "\n{\"netid\":")); p++)
		lines++;
	assert_int_equal(lines, sks_snapshot_count(s)); /* one record per line */
	check_jq(text, ".records | length", "20\n");
	check_jq(text, ".version", "1\n");
	free(text);
	sks_snapshot_free(s);
}

static void test_hostile_strings(void **state)
{
	struct sks_snapshot *s = fx_snapshot(FX_INET | FX_UNIX);
	char *text = fx_json(s, SKS_VIEW_OWNERS);

	(void)state;
	assert_true(json_valid(text));
	/* invalid UTF-8 in a name: replaced, and the raw bytes kept */
	assert_non_null(strstr(text, "\"name\":\"ev il\\\")\\n\\u001b[2J\xef\xbf\xbd\","
				     "\"name_hex\":\"657620696c22290a1b5b324aff\""));
	/* valid names carry no _hex twin */
	assert_null(strstr(text, "\"comm_hex\""));
	assert_non_null(strstr(text, "\"name\":\"daemon\\u202e\""));
	assert_non_null(strstr(text, "\"unix\":{\"path\":\"/run/a b\\nc\",\"abstract\":false,"
				     "\"peer_inode\":0}"));
	assert_non_null(strstr(text, "\"path\":\"evil\\u001b[31m\\u0000x\",\"abstract\":true"));
	assert_non_null(strstr(text, "\"path\":\"@fake\",\"abstract\":false"));
	assert_non_null(strstr(text, "\"path\":null"));
	check_jq(text, ".records[3].owners[0].name_hex", "657620696c22290a1b5b324aff\n");
	check_jq(text, "[.records[] | select(.unix.abstract) | .unix.path | length] | @csv",
		 "11\n");
	free(text);
	sks_snapshot_free(s);
}

static void test_fields(void **state)
{
	struct sks_snapshot *s = fx_snapshot(FX_ALL);
	char *text = fx_json(s, SKS_VIEW_OWNERS | SKS_VIEW_THREADS);

	(void)state;
	assert_true(json_valid(text));
	assert_non_null(strstr(text, "{\"netid\":\"tcp\",\"proto\":\"tcp\",\"family\":\"inet\","
				     "\"type\":\"stream\",\"state\":\"LISTEN\",\"recv_q\":0,"
				     "\"send_q\":128,\"inode\":1001,\"cookie\":\"1f\",\"uid\":0,"
				     "\"local\":{\"address\":\"0.0.0.0\",\"port\":22},"
				     "\"peer\":{\"address\":\"0.0.0.0\",\"port\":0},"
				     "\"owners\":[{\"pid\":100,\"tid\":100,\"fd\":3,"
				     "\"name\":\"sshd\",\"comm\":\"sshd\",\"uid\":0,"
				     "\"user\":\"root\",\"start_time\":4242}]}"));
	assert_non_null(strstr(text, "\"no_owner\":{\"reason\":\"kernel\",\"detail\":"));
	assert_non_null(strstr(text, "\"timer\":{\"name\":\"timewait\",\"expires_ms\":59500,"
				     "\"retrans\":0}"));
	assert_non_null(strstr(text, "\"local\":{\"address\":\"::1\",\"port\":53,\"ifindex\":1,"
				     "\"interface\":\"lo\"}"));
	assert_non_null(strstr(text, "\"packet\":{\"protocol\":3,\"protocol_name\":\"all\","
				     "\"ifindex\":0,\"interface\":null}"));
	assert_non_null(strstr(text, "\"netlink\":{\"protocol\":16,\"protocol_name\":\"genl\","
				     "\"portid\":-4097,\"dst_portid\":0,\"dst_group\":0,"
				     "\"groups\":0}"));
	assert_non_null(strstr(text, "\"cookie\":\"deadbeef12345678\""));
	assert_non_null(strstr(text, "\"shutdown\":{\"recv\":false,\"send\":true},\"mark\":42,"
				     "\"cgroup_id\":7777,\"meminfo\":{\"rmem_alloc\":932,"));
	assert_non_null(strstr(text, "\"tcp_info\":{\"cong\":\"cubic\",\"options\":[\"ts\","
				     "\"sack\",\"wscale\"],\"ca_state\":0,"));
	assert_non_null(strstr(text, "\"snd_wnd\":65536}"));
	assert_non_null(strstr(text, "\"stats\":{\"records\":20,\"received\":20,\"dumps\":9,"));
	assert_non_null(strstr(text, "\"tables_proc\":[\"u_seq\"],\"tables_unsupported\":[]}}\n"));
	check_jq(text, "[.records[] | select(.no_owner) | .no_owner.reason] | join(\",\")",
		 "permission,kernel\n");
	check_jq(text, ".stats.tables_netlink | length", "8\n");
	free(text);
	sks_snapshot_free(s);
}

static void test_empty(void **state)
{
	struct sks_snapshot *s = sks_snap_new(NULL);
	char *text = fx_json(s, 0);

	(void)state;
	assert_true(json_valid(text));
	assert_string_equal(text, "{\"version\":1,\"records\":[],\"stats\":{\"records\":0,"
				  "\"received\":0,\"dumps\":0,\"dump_retries\":0,"
				  "\"procs_scanned\":0,\"procs_vanished\":0,\"procs_denied\":0,"
				  "\"fds_scanned\":0,\"socket_fds\":0,\"collect_ns\":0,\"warnings\":0,"
				  "\"tables_netlink\":[],\"tables_proc\":[],"
				  "\"tables_unsupported\":[]}}\n");
	free(text);
	sks_snapshot_free(s);
}

/* The checker itself must reject what it is there to catch. */
static void test_checker(void **state)
{
	(void)state;
	assert_true(json_valid("{\"a\":[1,-2.5e3,true,null,\"\\u00e9\"]}"));
	assert_false(json_valid("{\"a\":1,}"));
	assert_false(json_valid("{\"a\":\"\n\"}"));
	assert_false(json_valid("{\"a\":\"\xff\"}"));
	assert_false(json_valid("[01]"));
	assert_false(json_valid("{} x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker),
		cmocka_unit_test(test_document_valid),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests_name("view_json", tests, NULL, NULL);
}
