// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the read-ahead dump transport (readahead.c) over a fake
 * kernel: replies come out whole and in order, reading stops at each
 * dump's NLMSG_DONE or NLMSG_ERROR (a recv() past it fails at once instead
 * of blocking), recv() errors reach the caller, and stopping in the middle
 * of a dump neither hangs nor leaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <string.h>

#include "util/readahead.h"

#define REPLY_MAX 256

/* The fake kernel: a dump of n_replies replies, the last one ending it. */
static struct {
	pthread_mutex_t lock;
	unsigned n_replies;
	unsigned next;	    /* replies handed out in this dump */
	unsigned sends;
	unsigned recvs;
	unsigned end_type; /* NLMSG_DONE or NLMSG_ERROR */
	int fail_at;	    /* recv() number (1-based) failing with -EIO; 0: never */
	bool endless;	    /* never end the dump (a caller that stops early) */
} k = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Reply i of a dump: two messages, the second NLMSG_DONE/ERROR for the last reply. */
static size_t make_reply(char *buf, unsigned i, bool last, unsigned end_type)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	size_t len = NLMSG_ALIGN(NLMSG_LENGTH(8));

	memset(buf, 0, 2 * len);
	h->nlmsg_len = NLMSG_LENGTH(8);
	h->nlmsg_type = 20; /* SOCK_DIAG_BY_FAMILY */
	h->nlmsg_seq = i;
	memcpy(NLMSG_DATA(h), &i, sizeof(i));
	h = (struct nlmsghdr *)(buf + len);
	h->nlmsg_len = NLMSG_LENGTH(8);
	h->nlmsg_type = last ? end_type : 20;
	h->nlmsg_seq = i;
	return 2 * len;
}

static int fake_send(void *userdata, const void *msg, size_t len)
{
	(void)userdata;
	(void)msg;
	(void)len;
	pthread_mutex_lock(&k.lock);
	k.sends++;
	k.next = 0;
	pthread_mutex_unlock(&k.lock);
	return 0;
}

static ssize_t fake_recv(void *userdata, void *buf, size_t len)
{
	unsigned i;
	bool last;
	int fail;

	(void)userdata;
	assert_true(len >= REPLY_MAX);
	pthread_mutex_lock(&k.lock);
	k.recvs++;
	fail = k.fail_at && (int)k.recvs == k.fail_at;
	i = k.next++;
	last = !k.endless && k.next >= k.n_replies;
	/* A reader past the dump's end would block in the real kernel. */
	assert_true(k.endless || i < k.n_replies);
	pthread_mutex_unlock(&k.lock);
	if (fail)
		return -EIO;
	return (ssize_t)make_reply(buf, i, last, k.end_type);
}

/* The netlink end test, as diag.c's: the reply holding NLMSG_DONE or NLMSG_ERROR. */
static bool fake_ends(const void *buf, size_t n)
{
	const struct nlmsghdr *h = buf;

	while (n >= sizeof(*h) && h->nlmsg_len >= sizeof(*h) && h->nlmsg_len <= n) {
		size_t step = NLMSG_ALIGN(h->nlmsg_len) < n ? NLMSG_ALIGN(h->nlmsg_len) : n;

		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
			return true;
		n -= step;
		h = (const void *)((const char *)h + step);
	}
	return false;
}

static const struct sks_readahead_io fake = { fake_send, fake_recv, fake_ends, NULL };

static void reset(unsigned n_replies, unsigned end_type)
{
	pthread_mutex_lock(&k.lock);
	k.n_replies = n_replies;
	k.next = k.sends = k.recvs = 0;
	k.end_type = end_type;
	k.fail_at = 0;
	k.endless = false;
	pthread_mutex_unlock(&k.lock);
}

/* Read one dump through t, checking each reply against the fake's. */
static void read_dump(const struct sks_readahead_io *t, unsigned n_replies, unsigned end_type)
{
	char buf[REPLY_MAX], want[REPLY_MAX];
	unsigned i;

	assert_int_equal(t->send(t->userdata, "q", 1), 0);
	for (i = 0; i < n_replies; i++) {
		ssize_t n = t->recv(t->userdata, buf, sizeof(buf));
		size_t w = make_reply(want, i, i + 1 == n_replies, end_type);

		assert_int_equal(n, (ssize_t)w);
		assert_memory_equal(buf, want, w);
	}
	/* Past the end: no reply is coming, and the caller is told so at once. */
	assert_int_equal(t->recv(t->userdata, buf, sizeof(buf)), -EPROTO);
}

static void test_replies_in_order(void **state)
{
	struct sks_readahead_io t;
	struct sks_readahead *ra;

	(void)state;
	reset(50, NLMSG_DONE);
	assert_int_equal(sks_readahead_start(&fake, REPLY_MAX, &ra, &t), 0);
	read_dump(&t, 50, NLMSG_DONE);
	/* A second dump on the same transport; this one ends in an error. */
	reset(3, NLMSG_ERROR);
	read_dump(&t, 3, NLMSG_ERROR);
	/* A one-reply dump. */
	reset(1, NLMSG_DONE);
	read_dump(&t, 1, NLMSG_DONE);
	sks_readahead_stop(ra);
	assert_int_equal(k.recvs, 1);
}

static void test_recv_error(void **state)
{
	struct sks_readahead_io t;
	struct sks_readahead *ra;
	char buf[REPLY_MAX];

	(void)state;
	reset(10, NLMSG_DONE);
	k.fail_at = 3;
	assert_int_equal(sks_readahead_start(&fake, REPLY_MAX, &ra, &t), 0);
	assert_int_equal(t.send(t.userdata, "q", 1), 0);
	assert_true(t.recv(t.userdata, buf, sizeof(buf)) > 0);
	assert_true(t.recv(t.userdata, buf, sizeof(buf)) > 0);
	assert_int_equal(t.recv(t.userdata, buf, sizeof(buf)), -EIO);
	/* The error ended the dump: the reader stopped there. */
	assert_int_equal(t.recv(t.userdata, buf, sizeof(buf)), -EPROTO);
	assert_int_equal(k.recvs, 3);
	sks_readahead_stop(ra);
}

static void test_short_buffer(void **state)
{
	struct sks_readahead_io t;
	struct sks_readahead *ra;
	char buf[REPLY_MAX];

	(void)state;
	reset(2, NLMSG_DONE);
	assert_int_equal(sks_readahead_start(&fake, REPLY_MAX, &ra, &t), 0);
	assert_int_equal(t.send(t.userdata, "q", 1), 0);
	assert_int_equal(t.recv(t.userdata, buf, 8), -ENOSPC);
	sks_readahead_stop(ra);
}

/* A caller that gives up mid-dump (a parse error): stop returns, nothing leaks (ASan). */
static void test_stop_mid_dump(void **state)
{
	struct sks_readahead_io t;
	struct sks_readahead *ra;
	char buf[REPLY_MAX];

	(void)state;
	reset(0, NLMSG_DONE);
	k.endless = true;
	assert_int_equal(sks_readahead_start(&fake, REPLY_MAX, &ra, &t), 0);
	assert_int_equal(t.send(t.userdata, "q", 1), 0);
	assert_true(t.recv(t.userdata, buf, sizeof(buf)) > 0);
	sks_readahead_stop(ra);
	/* The ring bounds what was read ahead. */
	assert_true(k.recvs <= 1 + 8 + 1);
}

/* Started and stopped without a dump: no recv() at all. */
static void test_idle(void **state)
{
	struct sks_readahead_io t;
	struct sks_readahead *ra;

	(void)state;
	reset(5, NLMSG_DONE);
	assert_int_equal(sks_readahead_start(&fake, REPLY_MAX, &ra, &t), 0);
	sks_readahead_stop(ra);
	assert_int_equal(k.recvs, 0);
	sks_readahead_stop(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replies_in_order), cmocka_unit_test(test_recv_error),
		cmocka_unit_test(test_short_buffer),	 cmocka_unit_test(test_stop_mid_dump),
		cmocka_unit_test(test_idle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
