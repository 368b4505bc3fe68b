// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the /proc/net text parser.  The first byte picks the
 * file kind (tcp ... netlink, sockstat) and how the rest is chunked, so the
 * line splitter's carry-over between reads is fuzzed as well as the fields.
 */
#include "collect/procnet.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed(struct sks_procnet_parser *p, const char *buf, size_t len, size_t chunk)
{
	size_t off;

	for (off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		if (sks_procnet_parser_feed(p, buf + off, n) < 0)
			return;
	}
	sks_procnet_parser_finish(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum sks_procnet_file file;
	struct sks_procnet_parser p;
	struct sks_snapshot *s;
	struct sks_sockstat st;
	size_t chunk, i, sum = 0;

	if (size < 1)
		return 0;
	file = (enum sks_procnet_file)(data[0] % SKS_PROCNET_FILE_COUNT);
	chunk = data[0] / SKS_PROCNET_FILE_COUNT; /* 0: the whole input at once */
	data++;
	size--;
	if (!chunk)
		chunk = size ? size : 1;

	if (file == SKS_PROCNET_SOCKSTAT) {
		sks_sockstat_clear(&st);
		sks_procnet_parser_init(&p, NULL, &st, file, 0);
		feed(&p, (const char *)data, size, chunk);
		sks_procnet_parser_release(&p);
		return 0;
	}
	s = sks_snap_new(NULL);
	if (!s)
		return 0;
	sks_procnet_parser_init(&p, s, NULL, file, SKS_TABLE_ALL);
	feed(&p, (const char *)data, size, chunk);
	sks_procnet_parser_release(&p);
	/* Touch every string so ASan checks the bounds the records claim. */
	for (i = 0; i < s->n; i++) {
		const struct sks_record *r = &s->recs[i];

		if (r->proto == SKS_PROTO_UNIX && r->unx.path) {
			if (r->unx.path_len > 108 || r->unx.path[r->unx.path_len] != '\0')
				abort();
			sum += (size_t)memchr(r->unx.path, '\n', r->unx.path_len);
		}
		if (r->state == 0 || r->state > SKS_STATE_MAX)
			abort();
	}
	(void)sum;
	sks_snapshot_free(s);
	return 0;
}
