// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the filter stage: parse the input as an expression
 * (fake resolvers, so no host lookups), match fixed records, format it, and
 * compile bytecode for both families.  Aborts when a program fails the model
 * of the kernel's audit or rejects a record the evaluator accepts.
 */
#include "filter/filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int fake_dev(void *u, const char *name, uint32_t *ret)
{
	(void)u;
	if (!strcmp(name, "lo") || !strcmp(name, "eth0")) {
		*ret = name[0] == 'l' ? 1 : 2;
		return 0;
	}
	return -ENOENT;
}

static int fake_cgroup(void *u, const char *path, uint64_t *ret)
{
	(void)u;
	*ret = 1000 + strlen(path);
	return path[0] == '/' ? 0 : -ENOENT;
}

static int fake_service(void *u, const char *name, uint16_t *ret)
{
	(void)u;
	if (!strcmp(name, "ssh") || !strcmp(name, "https")) {
		*ret = name[0] == 's' ? 22 : 443;
		return 0;
	}
	return -ENOENT;
}

static int fake_user(void *u, const char *name, uint32_t *ret)
{
	(void)u;
	if (!strcmp(name, "root")) {
		*ret = 0;
		return 0;
	}
	return -ENOENT;
}

static int fake_range(void *u, uint16_t *lo, uint16_t *hi)
{
	(void)u;
	*lo = 32768;
	*hi = 60999;
	return 0;
}

static const struct sks_filter_env env = {
	.dev_index = fake_dev,
	.cgroup_id = fake_cgroup,
	.service_port = fake_service,
	.user_uid = fake_user,
	.port_range = fake_range,
};

static const struct sks_process procs[] = {
	{ .pid = 42, .uid = 33, .comm = "nginx", .comm_len = 5, .name = "nginx: worker",
	  .name_len = 13 },
	{ .pid = 1, .uid = 0, .comm = "systemd", .comm_len = 7, .name = "systemd", .name_len = 7 },
};

static const struct sks_owner owners[] = {
	{ .proc = &procs[0], .fd = 3 },
	{ .proc = &procs[1], .fd = 7 },
};

static struct sks_record recs[6];

static void init_records(void)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 };
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	struct sks_record *r;

	r = &recs[0]; /* tcp 10.0.0.1:22 -> 10.0.0.2:51000, owned */
	r->proto = SKS_PROTO_TCP;
	r->family = AF_INET;
	r->type = SOCK_STREAM;
	r->state = SKS_STATE_ESTABLISHED;
	r->inet.local = (struct sks_endpoint){ .family = AF_INET, .addr = { 10, 0, 0, 1 },
					       .port = 22 };
	r->inet.peer = (struct sks_endpoint){ .family = AF_INET, .addr = { 10, 0, 0, 2 },
					      .port = 51000 };
	r->uid = 1000;
	r->ifindex = 2;
	r->mark = 0x42;
	r->cgroup_id = 1005;
	r->owners = owners;
	r->n_owners = 2;

	r = &recs[1]; /* tcp6 v4-mapped listener */
	r->proto = SKS_PROTO_TCP;
	r->family = AF_INET6;
	r->type = SOCK_STREAM;
	r->state = SKS_STATE_LISTEN;
	r->inet.local = (struct sks_endpoint){ .family = AF_INET6, .port = 443 };
	memcpy(r->inet.local.addr, mapped, 16);
	r->inet.peer = (struct sks_endpoint){ .family = AF_INET6 };

	r = &recs[2]; /* udp6 2001:db8::5:40000 */
	r->proto = SKS_PROTO_UDP;
	r->family = AF_INET6;
	r->type = SOCK_DGRAM;
	r->state = SKS_STATE_CLOSE;
	r->inet.local = (struct sks_endpoint){ .family = AF_INET6, .port = 40000 };
	memcpy(r->inet.local.addr, v6, 16);
	r->inet.peer = (struct sks_endpoint){ .family = AF_INET6 };

	r = &recs[3]; /* unix abstract with a NUL inside */
	r->proto = SKS_PROTO_UNIX;
	r->family = AF_UNIX;
	r->type = SOCK_STREAM;
	r->state = SKS_STATE_ESTABLISHED;
	r->unx.path = "run\0x.sock";
	r->unx.path_len = 10;
	r->unx.abstract = true;
	r->owners = owners + 1;
	r->n_owners = 1;

	r = &recs[4]; /* packet */
	r->proto = SKS_PROTO_PACKET;
	r->family = AF_PACKET;
	r->type = SOCK_RAW;
	r->packet.protocol = 0x0800;
	r->packet.ifindex = 2;

	r = &recs[5]; /* netlink */
	r->proto = SKS_PROTO_NETLINK;
	r->family = AF_NETLINK;
	r->type = SOCK_RAW;
	r->netlink.protocol = 0;
	r->netlink.portid = 1234;
}

static void entry_of(const struct sks_record *r, struct bc_entry *e)
{
	size_t alen = r->family == AF_INET ? 4 : 16;

	memset(e, 0, sizeof(*e));
	e->family = r->family;
	memcpy(e->saddr, r->inet.local.addr, alen);
	memcpy(e->daddr, r->inet.peer.addr, alen);
	e->sport = r->inet.local.port;
	e->dport = r->inet.peer.port;
	e->ifindex = r->ifindex;
	e->mark = r->mark;
	e->cgroup_id = r->cgroup_id;
}

static void check_programs(const struct sks_filter *f)
{
	static const int families[] = { AF_INET, AF_INET6 };
	static const unsigned flags[] = { 0, SKS_FILTER_BC_NO_EQ | SKS_FILTER_BC_NO_MARK };
	struct sks_filter whole = *f;
	struct sks_buf bc = SKS_BUF_INIT;

	whole.has_states = false; /* states travel outside the program */
	for (size_t i = 0; i < 2; i++) {
		for (size_t j = 0; j < 2; j++) {
			bool exact;

			if (filter_bytecode(f, families[i], flags[j], &bc, &exact) < 0)
				continue; /* -ENOMEM */
			if (bc.len && bc_audit(bc.data, bc.len) < 0)
				abort();
			for (size_t k = 0; k < 3; k++) {
				struct bc_entry e;
				bool user, kern;

				if (recs[k].family != families[i])
					continue;
				entry_of(&recs[k], &e);
				user = sks_filter_match(&whole, &recs[k]);
				kern = !bc.len || bc_run(bc.data, bc.len, &e);
				if ((user && !kern) || (exact && user != kern))
					abort();
			}
		}
	}
	sks_buf_release(&bc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sks_filter_error err;
	struct sks_filter *f = NULL;
	struct sks_buf text = SKS_BUF_INIT;
	uint32_t states;

	if (!recs[0].family)
		init_records();
	if (sks_filter_parse((const char *)data, size, &env, &f, &err) < 0) {
		if (!err.column || !err.line || !err.message[0] || err.offset > size)
			abort();
		return 0;
	}
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		(void)sks_filter_match(f, &recs[i]);
	(void)sks_filter_states(f, &states);
	(void)sks_filter_needs_owners(f);
	(void)sks_filter_format(f, &text);
	sks_buf_release(&text);
	check_programs(f);
	sks_filter_free(f);
	return 0;
}
