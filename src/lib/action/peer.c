// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The other end of a local connection (what lsof -E shows): UNIX sockets
 * name their peer's inode, inet connections are found by their swapped
 * address tuple.  Also sks_snapshot_retain(), which actions use to narrow a
 * snapshot to what they acted on before a view prints it.
 */
#include "action/action.h"

#include <string.h>
#include <sys/socket.h>

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* An endpoint as (4 or 16 address bytes, port), v4-mapped IPv6 folded to IPv4. */
static const uint8_t *fold(const struct sks_endpoint *e, size_t *ret_len)
{
	if (e->family == AF_INET6 && !memcmp(e->addr, v4mapped, sizeof(v4mapped))) {
		*ret_len = 4;
		return e->addr + 12;
	}
	*ret_len = e->family == AF_INET ? 4 : 16;
	return e->addr;
}

static bool same_endpoint(const struct sks_endpoint *a, const struct sks_endpoint *b)
{
	size_t la, lb;
	const uint8_t *pa = fold(a, &la), *pb = fold(b, &lb);

	return a->port == b->port && la == lb && !memcmp(pa, pb, la);
}

static bool connected(const struct sks_record *rec)
{
	return rec->state != SKS_STATE_LISTEN && rec->state != SKS_STATE_CLOSE &&
	       rec->state != SKS_STATE_TIME_WAIT && rec->state != SKS_STATE_UNKNOWN &&
	       rec->inet.peer.port != 0;
}

const struct sks_record *sks_snapshot_peer(const struct sks_snapshot *snap,
					   const struct sks_record *rec)
{
	size_t i;

	switch (rec->proto) {
	case SKS_PROTO_UNIX:
		if (!rec->unx.peer_inode)
			return NULL;
		for (i = 0; i < snap->n; i++) {
			const struct sks_record *o = &snap->recs[i];

			if (o != rec && o->proto == SKS_PROTO_UNIX && o->inode == rec->unx.peer_inode)
				return o;
		}
		return NULL;
	case SKS_PROTO_TCP:
	case SKS_PROTO_UDP:
		if (!connected(rec))
			return NULL;
		for (i = 0; i < snap->n; i++) {
			const struct sks_record *o = &snap->recs[i];

			if (o != rec && o->proto == rec->proto && connected(o) &&
			    same_endpoint(&o->inet.local, &rec->inet.peer) &&
			    same_endpoint(&o->inet.peer, &rec->inet.local))
				return o;
		}
		return NULL;
	default:
		return NULL;
	}
}

void sks_snapshot_retain(struct sks_snapshot *snap,
			 bool (*keep)(void *userdata, const struct sks_record *rec), void *userdata)
{
	size_t i, k = 0;

	for (i = 0; i < snap->n; i++) {
		if (!keep(userdata, &snap->recs[i]))
			continue;
		if (k != i)
			snap->recs[k] = snap->recs[i];
		k++;
	}
	snap->n = k;
	snap->stats.records = k;
}
