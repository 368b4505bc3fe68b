/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading replies ahead of the caller, in a thread (readahead.c), so that
 * the kernel builds the next reply (a sock_diag dump's, a BPF iterator's)
 * while the caller parses this one.
 */
#ifndef SKS_UTIL_READAHEAD_H
#define SKS_UTIL_READAHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * send() starts a dump; recv() reads one reply (0: the end, or -errno);
 * ends() (may be NULL) says whether a reply is the dump's last.
 */
struct sks_readahead_io {
	int (*send)(void *userdata, const void *msg, size_t len);
	ssize_t (*recv)(void *userdata, void *buf, size_t len);
	bool (*ends)(const void *buf, size_t len);
	void *userdata;
};

struct sks_readahead;

/*
 * Start reading ahead on inner with replies of at most size bytes; *ret_io
 * is what to use instead of inner until sks_readahead_stop() (its recv()
 * fails with -EPROTO past a dump's end).  0, or -ENOMEM / -EAGAIN (no
 * thread): then use inner itself.
 */
int sks_readahead_start(const struct sks_readahead_io *inner, size_t size,
			struct sks_readahead **ret, struct sks_readahead_io *ret_io);
/* Stop the reader and free everything (NULL is fine); inner is left open. */
void sks_readahead_stop(struct sks_readahead *ra);

#endif
