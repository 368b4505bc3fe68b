// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A parsed filter back to text, fully parenthesised with every name resolved
 * (ports, devices, users numeric): what the parser understood, for
 * "explain" output and for tests of precedence and value parsing.
 */
#include "filter.h"

#include <arpa/inet.h>
#include <sys/socket.h>

static const char *const cmp_text[] = { [CMP_EQ] = "==", [CMP_GE] = ">=", [CMP_LE] = "<=" };

static int put_states(struct sks_buf *b, uint32_t mask)
{
	int r = sks_buf_append(b, "state(", 6);
	bool first = true;

	for (unsigned s = 0; s <= SKS_STATE_MAX && r >= 0; s++) {
		if (!(mask & (1u << s)))
			continue;
		/* SYN-RECV and NEW_SYN_RECV share ss's name; show the pair once. */
		if (s == SKS_STATE_NEW_SYN_RECV && (mask & (1u << SKS_STATE_SYN_RECV)))
			continue;
		r = sks_buf_printf(b, "%s%s", first ? "" : "|", sks_state_name(s));
		first = false;
	}
	return r < 0 ? r : sks_buf_putc(b, ')');
}

/* User text, quoted: control bytes, quotes and backslashes escaped (terminal-safe). */
static int put_text(struct sks_buf *b, const char *s)
{
	int r = sks_buf_putc(b, '"');

	for (; *s && r >= 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			r = sks_buf_printf(b, "\\x%02x", c);
		else if (c == '"' || c == '\\')
			r = sks_buf_printf(b, "\\%c", c);
		else
			r = sks_buf_putc(b, (char)c);
	}
	return r < 0 ? r : sks_buf_putc(b, '"');
}

static int put_id(struct sks_buf *b, int64_t v)
{
	return v < 0 ? sks_buf_putc(b, '*') : sks_buf_printf(b, "%lld", (long long)v);
}

static int put_host(struct sks_buf *b, const struct host *h)
{
	char addr[INET6_ADDRSTRLEN];
	int r;

	switch (h->family) {
	case AF_UNIX:
		r = sks_buf_append(b, "unix:", 5);
		return r < 0 ? r : put_text(b, h->glob);
	case AF_PACKET:
	case AF_NETLINK:
		r = sks_buf_printf(b, "%s:", h->family == AF_PACKET ? "link" : "netlink");
		if (r >= 0)
			r = h->proto < 0 || h->family == AF_NETLINK
				    ? put_id(b, h->proto)
				    : sks_buf_printf(b, "0x%04llx", (long long)h->proto);
		if (r >= 0)
			r = sks_buf_putc(b, ':');
		return r < 0 ? r : put_id(b, h->port);
	case AF_INET:
	case AF_INET6:
		inet_ntop(h->family, h->addr, addr, sizeof(addr));
		if (!h->prefix_len)
			r = sks_buf_printf(b, "%s:*", h->family == AF_INET ? "inet" : "inet6");
		else if (h->family == AF_INET)
			r = sks_buf_printf(b, "%s/%u", addr, h->prefix_len);
		else
			r = sks_buf_printf(b, "[%s]/%u", addr, h->prefix_len);
		break;
	default:
		r = sks_buf_putc(b, '*');
	}
	if (r >= 0 && h->port >= 0)
		r = sks_buf_printf(b, ":%lld", (long long)h->port);
	return r;
}

static int put_node(struct sks_buf *b, const struct node *n)
{
	const char *dir = n->dir == DIR_SRC ? "s" : "d";
	int r = 0;

	switch (n->kind) {
	case N_TRUE:
		return sks_buf_append(b, "true", 4);
	case N_FALSE:
		return sks_buf_append(b, "false", 5);
	case N_AND:
	case N_OR:
		r = sks_buf_putc(b, '(');
		for (const struct node *k = n->kid; k && r >= 0; k = k->next) {
			if (k != n->kid)
				r = sks_buf_printf(b, " %s ", n->kind == N_AND ? "and" : "or");
			if (r >= 0)
				r = put_node(b, k);
		}
		return r < 0 ? r : sks_buf_putc(b, ')');
	case N_NOT:
		r = sks_buf_append(b, "not ", 4);
		return r < 0 ? r : put_node(b, n->kid);
	case N_STATE:
		return put_states(b, n->u.states);
	case N_HOST:
		r = sks_buf_printf(b, "%s ", n->dir == DIR_SRC ? "src" : "dst");
		return r < 0 ? r : put_host(b, &n->u.host);
	case N_PORT:
		return sks_buf_printf(b, "%sport %s %u", dir, cmp_text[n->cmp], n->u.num);
	case N_DEV:
		return sks_buf_printf(b, "dev == %u", n->u.num);
	case N_MARK:
		return sks_buf_printf(b, "fwmark 0x%x/0x%x", n->u.mark.value, n->u.mark.mask);
	case N_CGROUP:
		return sks_buf_printf(b, "cgroup %llu", (unsigned long long)n->u.cgroup);
	case N_AUTOBOUND:
		return sks_buf_printf(b, "autobound(%u-%u)", n->u.range.low, n->u.range.high);
	case N_PID:
		return sks_buf_printf(b, "pid %s %u", cmp_text[n->cmp], n->u.num);
	case N_UID:
		return sks_buf_printf(b, "uid %s %u", cmp_text[n->cmp], n->u.num);
	case N_USER:
		return sks_buf_printf(b, "user %s %u", cmp_text[n->cmp], n->u.num);
	case N_COMM:
		r = sks_buf_append(b, "comm ", 5);
		return r < 0 ? r : put_text(b, n->u.glob);
	}
	return r;
}

int sks_filter_format(const struct sks_filter *f, struct sks_buf *out)
{
	int r = 0;

	sks_buf_reset(out);
	if (f->has_states) {
		r = put_states(out, f->states);
		if (r >= 0)
			r = sks_buf_putc(out, ' ');
	}
	return r < 0 ? r : put_node(out, f->root);
}
