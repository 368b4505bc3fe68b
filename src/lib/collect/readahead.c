// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A dump transport that reads ahead of its caller in a thread.  A netlink
 * dump is flow-controlled: the kernel fills the next reply only inside the
 * recvmsg() that asks for it, so a single thread alternates between the
 * kernel building replies (~0.36 s for 400k TCP sockets) and parsing and
 * printing them (~0.1 s).  Here a reader thread keeps up to RA_SLOTS
 * replies ready while the caller parses, so on two cores the two overlap.
 *
 * The reader reads only while a dump is in flight: from a successful
 * send() to the reply holding NLMSG_DONE or NLMSG_ERROR (or a failed
 * recv()), so it never blocks in recv() waiting for a reply that is not
 * coming.  Written by hand: libmnl has no such thing, and it is a ring of
 * four buffers under one mutex.
 */
#include "collect/readahead.h"

#include <errno.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define RA_SLOTS 4

struct slot {
	char *buf;
	ssize_t n;
};

struct sks_readahead {
	struct sks_diag_transport inner;
	size_t size;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct slot slots[RA_SLOTS];
	unsigned head, tail; /* filled by the reader / taken by the caller; head - tail ready */
	bool in_flight;	     /* a dump was asked for and its last reply not read */
	bool stop;
};

/* Does this reply end its dump?  A malformed one does too: the parser will say why. */
static bool ends_dump(const void *buf, size_t n)
{
	const struct nlmsghdr *h = buf;

	while (n >= sizeof(*h)) {
		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > n)
			return true;
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
			return true;
		n -= NLMSG_ALIGN(h->nlmsg_len) < n ? NLMSG_ALIGN(h->nlmsg_len) : n;
		h = (const struct nlmsghdr *)((const char *)h + NLMSG_ALIGN(h->nlmsg_len));
	}
	return false;
}

static void *reader(void *arg)
{
	struct sks_readahead *ra = arg;

	pthread_mutex_lock(&ra->lock);
	for (;;) {
		struct slot *sl;
		ssize_t n;

		while (!ra->stop && (!ra->in_flight || ra->head - ra->tail == RA_SLOTS))
			pthread_cond_wait(&ra->cond, &ra->lock);
		if (ra->stop)
			break;
		sl = &ra->slots[ra->head % RA_SLOTS];
		pthread_mutex_unlock(&ra->lock);
		n = ra->inner.recv(ra->inner.userdata, sl->buf, ra->size);
		pthread_mutex_lock(&ra->lock);
		sl->n = n;
		ra->head++;
		if (n <= 0 || ends_dump(sl->buf, (size_t)n))
			ra->in_flight = false;
		pthread_cond_broadcast(&ra->cond);
	}
	pthread_mutex_unlock(&ra->lock);
	return NULL;
}

static int ra_send(void *userdata, const void *msg, size_t len)
{
	struct sks_readahead *ra = userdata;
	int r = ra->inner.send(ra->inner.userdata, msg, len);

	if (r < 0)
		return r;
	pthread_mutex_lock(&ra->lock);
	ra->in_flight = true;
	pthread_cond_broadcast(&ra->cond);
	pthread_mutex_unlock(&ra->lock);
	return 0;
}

static ssize_t ra_recv(void *userdata, void *buf, size_t len)
{
	struct sks_readahead *ra = userdata;
	struct slot *sl;
	ssize_t n;

	pthread_mutex_lock(&ra->lock);
	/* Nothing in flight and nothing ready: the caller reads past a dump's end. */
	while (ra->head == ra->tail && ra->in_flight)
		pthread_cond_wait(&ra->cond, &ra->lock);
	if (ra->head == ra->tail) {
		pthread_mutex_unlock(&ra->lock);
		return -EPROTO;
	}
	sl = &ra->slots[ra->tail % RA_SLOTS];
	n = sl->n;
	pthread_mutex_unlock(&ra->lock);
	/* Copied out of the lock: the reader does not refill a slot until tail passes it. */
	if (n > 0 && (size_t)n > len)
		n = -ENOSPC;
	else if (n > 0)
		memcpy(buf, sl->buf, (size_t)n);
	pthread_mutex_lock(&ra->lock);
	ra->tail++;
	pthread_cond_broadcast(&ra->cond);
	pthread_mutex_unlock(&ra->lock);
	return n;
}

int sks_readahead_start(const struct sks_diag_transport *inner, size_t size,
			struct sks_readahead **ret, struct sks_diag_transport *ret_t)
{
	struct sks_readahead *ra = calloc(1, sizeof(*ra));
	sigset_t all, old;
	unsigned i;
	int r;

	*ret = NULL;
	if (!ra)
		return -ENOMEM;
	ra->inner = *inner;
	ra->size = size;
	for (i = 0; i < RA_SLOTS; i++) {
		ra->slots[i].buf = malloc(size);
		if (!ra->slots[i].buf) {
			while (i--)
				free(ra->slots[i].buf);
			free(ra);
			return -ENOMEM;
		}
	}
	pthread_mutex_init(&ra->lock, NULL);
	pthread_cond_init(&ra->cond, NULL);
	/* The caller's signals are for the caller's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&ra->thread, NULL, reader, ra);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		sks_readahead_stop(ra);
		return -r;
	}
	ra->started = true;
	*ret = ra;
	*ret_t = (struct sks_diag_transport){ ra_send, ra_recv, ra, inner->portid };
	return 0;
}

void sks_readahead_stop(struct sks_readahead *ra)
{
	unsigned i;

	if (!ra)
		return;
	if (ra->started) {
		pthread_mutex_lock(&ra->lock);
		ra->stop = true;
		pthread_cond_broadcast(&ra->cond);
		pthread_mutex_unlock(&ra->lock);
		/*
		 * A reader inside recv() returns: a dump in flight always has
		 * another reply coming (the kernel builds it for that recv()).
		 */
		pthread_join(ra->thread, NULL);
	}
	pthread_mutex_destroy(&ra->lock);
	pthread_cond_destroy(&ra->cond);
	for (i = 0; i < RA_SLOTS; i++)
		free(ra->slots[i].buf);
	free(ra);
}
