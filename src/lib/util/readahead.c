// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A transport that reads ahead of its caller in a thread.  A netlink dump
 * is flow-controlled: the kernel fills the next reply only inside the
 * recvmsg() that asks for it, so a single thread alternates between the
 * kernel building replies (~0.36 s for 400k TCP sockets) and parsing and
 * printing them (~0.1 s); a BPF iterator likewise runs its program inside
 * read().  Here a reader thread keeps up to RA_SLOTS replies ready while
 * the caller parses, so on two cores the two overlap.
 *
 * The reader reads only while a dump is in flight: from a successful
 * send() to the reply the caller's end test accepts (or a recv() of 0 or
 * an error), so it never blocks in recv() waiting for a reply that is not
 * coming.  Written by hand: libmnl and libbpf have no such thing, and it
 * is a ring of eight buffers under one mutex.
 */
#include "util/readahead.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define RA_SLOTS 8
/*
 * A caller with nothing to parse sleeps until this many replies are ready
 * (or the dump ended): a futex wake per reply cost more than the parsing
 * on a VM (5% of -tanp's CPU at 400k sockets, ~2,000 replies).
 */
#define RA_BATCH 4

struct slot {
	char *buf;
	ssize_t n;
};

struct sks_readahead {
	struct sks_readahead_io inner;
	size_t size;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t has_data, has_room; /* the caller's and the reader's sleep */
	bool caller_waits, reader_waits;
	struct slot slots[RA_SLOTS];
	unsigned head, tail; /* filled by the reader / taken by the caller; head - tail ready */
	bool in_flight;	     /* a dump was asked for and its last reply not read */
	bool stop;
};

static void *reader(void *arg)
{
	struct sks_readahead *ra = arg;

	pthread_mutex_lock(&ra->lock);
	for (;;) {
		struct slot *sl;
		ssize_t n;

		while (!ra->stop && (!ra->in_flight || ra->head - ra->tail == RA_SLOTS)) {
			ra->reader_waits = true;
			pthread_cond_wait(&ra->has_room, &ra->lock);
			ra->reader_waits = false;
		}
		if (ra->stop)
			break;
		sl = &ra->slots[ra->head % RA_SLOTS];
		pthread_mutex_unlock(&ra->lock);
		n = ra->inner.recv(ra->inner.userdata, sl->buf, ra->size);
		pthread_mutex_lock(&ra->lock);
		sl->n = n;
		ra->head++;
		if (n <= 0 || (ra->inner.ends && ra->inner.ends(sl->buf, (size_t)n)))
			ra->in_flight = false;
		if (ra->caller_waits && (ra->head - ra->tail >= RA_BATCH || !ra->in_flight))
			pthread_cond_signal(&ra->has_data);
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
	if (ra->reader_waits)
		pthread_cond_signal(&ra->has_room);
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
	if (ra->head == ra->tail && ra->in_flight) {
		ra->caller_waits = true;
		while (ra->head - ra->tail < RA_BATCH && ra->in_flight)
			pthread_cond_wait(&ra->has_data, &ra->lock);
		ra->caller_waits = false;
	}
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
	if (ra->reader_waits)
		pthread_cond_signal(&ra->has_room);
	pthread_mutex_unlock(&ra->lock);
	return n;
}

int sks_readahead_start(const struct sks_readahead_io *inner, size_t size,
			struct sks_readahead **ret, struct sks_readahead_io *ret_io)
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
	pthread_cond_init(&ra->has_data, NULL);
	pthread_cond_init(&ra->has_room, NULL);
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
	*ret_io = (struct sks_readahead_io){ ra_send, ra_recv, NULL, ra };
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
		pthread_cond_signal(&ra->has_room);
		pthread_mutex_unlock(&ra->lock);
		/*
		 * A reader inside recv() returns: a dump in flight always has
		 * another reply coming (the kernel builds it for that recv()).
		 */
		pthread_join(ra->thread, NULL);
	}
	pthread_mutex_destroy(&ra->lock);
	pthread_cond_destroy(&ra->has_data);
	pthread_cond_destroy(&ra->has_room);
	for (i = 0; i < RA_SLOTS; i++)
		free(ra->slots[i].buf);
	free(ra);
}
