// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the netlink diag parser.  The first byte picks the
 * table kind (low 3 bits, mod 6), the details kept (next 3 bits) and a
 * state filter (top bits); the rest is fed as one received datagram.
 */
#include "collect/diag_parse.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sks_diag_dump d = { .tables = SKS_TABLE_ALL };
	struct sks_snapshot *s;
	volatile uint64_t sink = 0;
	void *buf;

	if (size < 1)
		return 0;
	d.proto = (data[0] & 7) % SKS_PROTO_COUNT;
	s = sks_snap_new(NULL);
	if (!s)
		return 0;
	s->details = (data[0] >> 3) & 7;
	if (data[0] & 0x40)
		s->states = 1u << SKS_STATE_LISTEN;
	if (data[0] & 0x80)
		s->families = SKS_INET6;
	/* The parser wants netlink's 4-byte alignment, which a receive buffer has. */
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf) {
		sks_snapshot_free(s);
		return 0;
	}
	memcpy(buf, data + 1, size - 1);
	if (sks_diag_parse(s, buf, size - 1, &d) == 0 && d.proto == SKS_PROTO_NETLINK)
		sks_diag_dedup(s, 0);

	/* Touch everything a record points at, so ASan checks it. */
	for (size_t i = 0; i < s->n; i++) {
		const struct sks_record *r = &s->recs[i];

		if (r->proto == SKS_PROTO_UNIX && r->unx.path)
			for (uint32_t j = 0; j <= r->unx.path_len; j++)
				sink += (uint8_t)r->unx.path[j];
		if (r->mem)
			sink += r->mem->drops;
		if (r->tcp)
			sink += r->tcp->snd_wnd + strlen(r->tcp->cong);
	}
	(void)sink;
	free(buf);
	sks_snapshot_free(s);
	return 0;
}
