// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fields: the named columns that --fields shows, --sort orders by and
 * --count-by groups by.  Each field turns a record into typed values
 * (numbers, text we made, bytes from the system) so that every format can
 * write them by its own rules; owner fields have one value per holder.
 */
#include "jw.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static const struct sks_field_info infos[SKS_FIELD_COUNT] = {
	[SKS_FIELD_NETID] = { "netid", "Netid", "netid", false, false },
	[SKS_FIELD_PROTO] = { "proto", "Proto", "proto", false, false },
	[SKS_FIELD_FAMILY] = { "family", "Family", "family", false, false },
	[SKS_FIELD_TYPE] = { "type", "Type", "type", false, false },
	[SKS_FIELD_STATE] = { "state", "State", "state", false, false },
	[SKS_FIELD_RECV_Q] = { "recv-q", "Recv-Q", "recv_q", false, false },
	[SKS_FIELD_SEND_Q] = { "send-q", "Send-Q", "send_q", false, false },
	[SKS_FIELD_LOCAL] = { "local", "Local", "local", false, false },
	[SKS_FIELD_LOCAL_ADDR] = { "local-addr", "Local-Address", "local_address", false, false },
	[SKS_FIELD_LOCAL_PORT] = { "local-port", "Local-Port", "local_port", false, false },
	[SKS_FIELD_PEER] = { "peer", "Peer", "peer", false, false },
	[SKS_FIELD_PEER_ADDR] = { "peer-addr", "Peer-Address", "peer_address", false, false },
	[SKS_FIELD_PEER_PORT] = { "peer-port", "Peer-Port", "peer_port", false, false },
	[SKS_FIELD_UID] = { "uid", "UID", "uid", false, false },
	[SKS_FIELD_INODE] = { "inode", "Inode", "inode", false, false },
	[SKS_FIELD_COOKIE] = { "cookie", "Cookie", "cookie", false, false },
	[SKS_FIELD_INTERFACE] = { "interface", "Interface", "interface", false, false },
	[SKS_FIELD_PID] = { "pid", "PID", "pid", true, true },
	[SKS_FIELD_PROCESS] = { "process", "Process", "process", true, true },
	[SKS_FIELD_USER] = { "user", "User", "user", true, true },
	[SKS_FIELD_FD] = { "fd", "FD", "fd", true, false },
	[SKS_FIELD_NETNS] = { "netns", "NetNS", "netns", false, false },
};

static const struct {
	const char *name;
	enum sks_field f;
} aliases[] = {
	{ "recvq", SKS_FIELD_RECV_Q },		{ "rq", SKS_FIELD_RECV_Q },
	{ "sendq", SKS_FIELD_SEND_Q },		{ "sq", SKS_FIELD_SEND_Q },
	{ "local-ip", SKS_FIELD_LOCAL_ADDR },	{ "local-address", SKS_FIELD_LOCAL_ADDR },
	{ "src", SKS_FIELD_LOCAL_ADDR },	{ "sport", SKS_FIELD_LOCAL_PORT },
	{ "peer-ip", SKS_FIELD_PEER_ADDR },	{ "peer-address", SKS_FIELD_PEER_ADDR },
	{ "dst", SKS_FIELD_PEER_ADDR },		{ "dport", SKS_FIELD_PEER_PORT },
	{ "pids", SKS_FIELD_PID },		{ "comm", SKS_FIELD_PROCESS },
	{ "name", SKS_FIELD_PROCESS },		{ "users", SKS_FIELD_USER },
	{ "ino", SKS_FIELD_INODE },		{ "dev", SKS_FIELD_INTERFACE },
	{ "recv_q", SKS_FIELD_RECV_Q },		{ "send_q", SKS_FIELD_SEND_Q },
	{ "local_address", SKS_FIELD_LOCAL_ADDR }, { "local_port", SKS_FIELD_LOCAL_PORT },
	{ "peer_address", SKS_FIELD_PEER_ADDR }, { "peer_port", SKS_FIELD_PEER_PORT },
};

const struct sks_field_info *sks_field_info(enum sks_field f)
{
	return (unsigned)f < SKS_FIELD_COUNT ? &infos[f] : NULL;
}

int sks_field_parse(const char *name, size_t len, enum sks_field *ret_field)
{
	size_t i;

	for (i = 0; i < SKS_FIELD_COUNT; i++) {
		if (strlen(infos[i].name) == len && !strncasecmp(infos[i].name, name, len)) {
			*ret_field = (enum sks_field)i;
			return 0;
		}
	}
	for (i = 0; i < SKS_ARRAY_SIZE(aliases); i++) {
		if (strlen(aliases[i].name) == len && !strncasecmp(aliases[i].name, name, len)) {
			*ret_field = aliases[i].f;
			return 0;
		}
	}
	return -EINVAL;
}

const char *sks_field_name(enum sks_field f)
{
	return (unsigned)f < SKS_FIELD_COUNT ? infos[f].name : NULL;
}

bool sks_field_is_owner(enum sks_field f)
{
	return (unsigned)f < SKS_FIELD_COUNT && infos[f].owner;
}

static bool is_inet(const struct sks_record *rec)
{
	return rec->proto == SKS_PROTO_TCP || rec->proto == SKS_PROTO_UDP ||
	       rec->proto == SKS_PROTO_RAW;
}

size_t sks_field_nvalues(const struct sks_record *rec, enum sks_field f)
{
	return sks_field_is_owner(f) ? rec->n_owners : 1;
}

static void lit(struct sks_cell *c, const char *s)
{
	c->kind = SKS_CELL_LIT;
	c->s = s;
	c->len = strlen(s);
}

static void u64(struct sks_cell *c, uint64_t v)
{
	c->kind = SKS_CELL_U64;
	c->u = v;
}

/* "ADDR" or, with a port, "ADDR:PORT" ("[v6]:PORT"), into c->text. */
static void endpoint_text(struct sks_cell *c, const struct sks_endpoint *ep, bool port)
{
	size_t n = 0;

	if (port && ep->family == AF_INET6)
		c->text[n++] = '[';
	n += sks_fmt_ip(c->text + n, ep);
	if (port) {
		if (ep->family == AF_INET6)
			c->text[n++] = ']';
		c->text[n++] = ':';
		/* As the ss table (and ss) write it: no port is "*", not ":0". */
		if (ep->port)
			n += sks_fmt_u64(c->text + n, ep->port);
		else
			c->text[n++] = '*';
	}
	c->text[n] = '\0';
	c->kind = SKS_CELL_LIT;
	c->s = c->text;
	c->len = n;
}

/* The "address" of a record that has none in the inet sense. */
static void other_local(const struct sks_record *rec, struct sks_cell *c)
{
	const char *name;

	switch (rec->proto) {
	case SKS_PROTO_UNIX:
		if (!rec->unx.path)
			return;
		c->kind = SKS_CELL_STR;
		c->s = rec->unx.path;
		c->len = rec->unx.path_len;
		c->unix_path = true;
		c->abstract = rec->unx.abstract;
		return;
	case SKS_PROTO_PACKET:
		name = sks_view_ethertype_name(rec->packet.protocol);
		if (name) {
			lit(c, name);
		} else {
			c->text[sks_fmt_u64(c->text, rec->packet.protocol)] = '\0';
			lit(c, c->text);
		}
		return;
	case SKS_PROTO_NETLINK:
		name = sks_netlink_proto_name(rec->netlink.protocol);
		if (name) {
			lit(c, name);
		} else {
			c->text[sks_fmt_u64(c->text, rec->netlink.protocol)] = '\0';
			lit(c, c->text);
		}
		return;
	}
}

static void owner_value(const struct sks_record *rec, enum sks_field f, size_t i,
			struct sks_cell *c)
{
	const struct sks_owner *o = &rec->owners[i];
	const struct sks_process *p = o->proc;

	switch (f) {
	case SKS_FIELD_PID:
		c->kind = SKS_CELL_I64;
		c->i = p ? p->pid : 0;
		break;
	case SKS_FIELD_FD:
		c->kind = SKS_CELL_I64;
		c->i = o->fd;
		break;
	case SKS_FIELD_PROCESS:
		if (p && (p->name || p->comm)) {
			c->kind = SKS_CELL_STR;
			c->s = p->name ? p->name : p->comm;
			c->len = p->name ? p->name_len : p->comm_len;
		}
		break;
	case SKS_FIELD_USER:
		if (p && p->user) {
			c->kind = SKS_CELL_STR;
			c->s = p->user;
			c->len = strlen(p->user);
		} else if (p) {
			u64(c, p->uid);
		}
		break;
	default:
		break;
	}
}

void sks_field_value(const struct sks_field_env *env, const struct sks_record *rec,
		     enum sks_field f, size_t i, struct sks_cell *c)
{
	bool inet = is_inet(rec);

	memset(c, 0, offsetof(struct sks_cell, text));
	c->text[0] = '\0';
	if (sks_field_is_owner(f)) {
		if (i < rec->n_owners)
			owner_value(rec, f, i, c);
		return;
	}
	switch (f) {
	case SKS_FIELD_NETID:
		lit(c, sks_record_netid(rec));
		break;
	case SKS_FIELD_PROTO:
		lit(c, sks_view_proto_name(rec->proto));
		break;
	case SKS_FIELD_FAMILY:
		lit(c, sks_view_family_name(rec->family));
		break;
	case SKS_FIELD_TYPE:
		lit(c, sks_view_type_name(rec->type));
		break;
	case SKS_FIELD_STATE:
		lit(c, sks_state_name(rec->state));
		break;
	case SKS_FIELD_RECV_Q:
		u64(c, rec->rqueue);
		break;
	case SKS_FIELD_SEND_Q:
		u64(c, rec->wqueue);
		break;
	case SKS_FIELD_LOCAL:
	case SKS_FIELD_LOCAL_ADDR:
		if (inet)
			endpoint_text(c, &rec->inet.local, f == SKS_FIELD_LOCAL);
		else
			other_local(rec, c);
		break;
	case SKS_FIELD_PEER:
	case SKS_FIELD_PEER_ADDR:
		if (inet)
			endpoint_text(c, &rec->inet.peer, f == SKS_FIELD_PEER);
		break;
	case SKS_FIELD_LOCAL_PORT:
		if (inet)
			u64(c, rec->inet.local.port);
		break;
	case SKS_FIELD_PEER_PORT:
		if (inet)
			u64(c, rec->inet.peer.port);
		break;
	case SKS_FIELD_UID:
		u64(c, rec->uid);
		break;
	case SKS_FIELD_INODE:
		u64(c, rec->inode);
		break;
	case SKS_FIELD_COOKIE:
		if (rec->cookie) {
			c->kind = SKS_CELL_HEX;
			c->u = rec->cookie;
		}
		break;
	case SKS_FIELD_INTERFACE: {
		uint32_t ifindex = rec->proto == SKS_PROTO_PACKET ? rec->packet.ifindex
								  : rec->ifindex;

		if (ifindex && env && env->lk) {
			const char *dev = sks_lookup_ifname(env->lk, ifindex);

			/* Interface names are the system's: escaped like any such string. */
			c->kind = SKS_CELL_STR;
			c->s = dev;
			c->len = strlen(dev);
		}
		break;
	}
	case SKS_FIELD_NETNS:
		if (env && env->netns)
			u64(c, env->netns);
		break;
	default:
		break;
	}
}

static bool same_owner_value(const struct sks_record *rec, enum sks_field f, size_t a, size_t b)
{
	const struct sks_process *p = rec->owners[a].proc, *q = rec->owners[b].proc;
	struct sks_cell ca, cb;

	if (p == q)
		return f != SKS_FIELD_FD || rec->owners[a].fd == rec->owners[b].fd;
	memset(&ca, 0, sizeof(ca));
	memset(&cb, 0, sizeof(cb));
	owner_value(rec, f, a, &ca);
	owner_value(rec, f, b, &cb);
	if (ca.kind != cb.kind)
		return false;
	switch (ca.kind) {
	case SKS_CELL_STR:
		return ca.len == cb.len && !memcmp(ca.s, cb.s, ca.len);
	case SKS_CELL_I64:
		return ca.i == cb.i;
	case SKS_CELL_U64:
		return ca.u == cb.u;
	}
	return true;
}

bool sks_field_repeats(const struct sks_record *rec, enum sks_field f, size_t i)
{
	size_t k;

	if (!sks_field_is_owner(f) || !infos[f].distinct)
		return false;
	for (k = 0; k < i; k++)
		if (same_owner_value(rec, f, k, i))
			return true;
	return false;
}

void sks_field_no_owner(const struct sks_record *rec, struct sks_cell *c)
{
	size_t n = 0;
	const char *why = sks_no_owner_name(rec->no_owner);

	memset(c, 0, offsetof(struct sks_cell, text));
	if (!rec->no_owner || !*why)
		return;
	c->text[n++] = '[';
	memcpy(c->text + n, why, strnlen(why, 16));
	n += strnlen(why, 16);
	c->text[n++] = ']';
	c->text[n] = '\0';
	lit(c, c->text);
}

/* ---- JSON */

void sks_json_cell(struct sks_jw *j, const char *k, const struct sks_cell *c)
{
	char hk[KEY_MAX];

	switch (c->kind) {
	case SKS_CELL_NONE:
		jw_null(j, k);
		break;
	case SKS_CELL_U64:
		jw_u64(j, k, c->u);
		break;
	case SKS_CELL_I64:
		jw_i64(j, k, c->i);
		break;
	case SKS_CELL_HEX:
		jw_hexstr(j, k, c->u);
		break;
	case SKS_CELL_LIT:
		jw_lit(j, k, c->s);
		break;
	case SKS_CELL_STR:
		jw_sysstr(j, k, c->s, c->len);
		/* JSON has no '@' convention: say it, as doc/json.md's unix.abstract does. */
		if (k && c->abstract) {
			snprintf(hk, sizeof(hk), "%s_abstract", k);
			jw_boolean(j, hk, true);
		}
		break;
	}
}

/* Owner fields: an array of the values, each once where the field says so. */
static void json_owner_list(struct sks_jw *j, const struct sks_record *rec, enum sks_field f)
{
	const char *k = infos[f].key;
	bool bad = false;
	struct sks_cell c;
	char hk[KEY_MAX];
	size_t i;

	jw_arr(j, k);
	for (i = 0; i < rec->n_owners; i++) {
		if (sks_field_repeats(rec, f, i))
			continue;
		sks_field_value(NULL, rec, f, i, &c);
		sks_json_cell(j, NULL, &c);
		if (c.kind == SKS_CELL_STR && !sks_utf8_valid(c.s, c.len))
			bad = true;
	}
	jw_close_(j, ']');
	if (!bad)
		return;
	/* Some name was not UTF-8: the exact bytes of every item, in the same order. */
	snprintf(hk, sizeof(hk), "%s_hex", k);
	jw_arr(j, hk);
	for (i = 0; i < rec->n_owners; i++) {
		if (sks_field_repeats(rec, f, i))
			continue;
		sks_field_value(NULL, rec, f, i, &c);
		if (c.kind == SKS_CELL_STR)
			jw_hexbytes(j, NULL, c.s, c.len);
		else
			jw_null(j, NULL);
	}
	jw_close_(j, ']');
}

void sks_json_fields(struct sks_jw *j, const struct sks_field_env *env,
		     const struct sks_record *rec, const enum sks_field *fields, size_t n)
{
	struct sks_cell c;
	size_t i;

	for (i = 0; i < n; i++) {
		if (sks_field_is_owner(fields[i])) {
			json_owner_list(j, rec, fields[i]);
			continue;
		}
		sks_field_value(env, rec, fields[i], 0, &c);
		sks_json_cell(j, infos[fields[i]].key, &c);
	}
}
