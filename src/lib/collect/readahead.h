/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A sock_diag transport that reads dump replies ahead of its caller, in a
 * thread (readahead.c), so that the kernel builds the next reply while the
 * caller parses this one.
 */
#ifndef SKS_COLLECT_READAHEAD_H
#define SKS_COLLECT_READAHEAD_H

#include "collect/diag_parse.h"

struct sks_readahead;

/*
 * Start reading ahead on inner with replies of at most size bytes; *ret_t
 * is the transport to use instead of inner until sks_readahead_stop().
 * 0, or -ENOMEM / -EAGAIN (no thread): then use inner itself.
 */
int sks_readahead_start(const struct sks_diag_transport *inner, size_t size,
			struct sks_readahead **ret, struct sks_diag_transport *ret_t);
/* Stop the reader and free everything (NULL is fine); inner is left open. */
void sks_readahead_stop(struct sks_readahead *ra);

#endif
