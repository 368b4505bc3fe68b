// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Small system plumbing every stage shares: reading a short file relative
 * to a directory fd (the /proc readers: owners, actions), and entering the
 * context's network namespace around socket creation (collectors, actions).
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * Faulting in 4 KiB pages one at a time is what big arrays cost most to
 * fill on a VM: at 400k sockets / 1000 processes the owner join's arrays
 * take ~40 MiB, ~10k faults, and huge pages took -tanp --owners=bpf from
 * 0.84 to 0.72 s (medians of 7) for ~4 MiB more peak RSS.  Only blocks of
 * HUGE_MIN and more, where the rounding costs little.
 */
#define HUGE_PAGE ((uintptr_t)2 << 20)
#define HUGE_MIN ((size_t)8 << 20)

void sks_advise_huge(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t b = ((uintptr_t)p + len) & ~(HUGE_PAGE - 1);

	if (p && len >= HUGE_MIN && b > a)
		(void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

ssize_t sks_read_at(int dirfd, const char *name, char *buf, size_t cap)
{
	size_t len = 0;
	int fd, err = 0;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	return err ? err : (ssize_t)len;
}

/*
 * Sockets opened inside keep the namespace after we switch back, so only
 * their creation needs it; the thread's own namespace is restored after.
 */
int sks_netns_enter(const struct sks_ctx *ctx, int *ret_old)
{
	int old;

	*ret_old = -1;
	if (!ctx || ctx->netns_fd < 0)
		return 0;
	old = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (old < 0)
		return -errno;
	if (setns(ctx->netns_fd, CLONE_NEWNET) < 0) {
		int r = -errno;

		close(old);
		return r;
	}
	*ret_old = old;
	return 0;
}

int sks_netns_leave(int old)
{
	int r = 0;

	if (old < 0)
		return 0;
	if (setns(old, CLONE_NEWNET) < 0)
		r = -errno;
	close(old);
	return r;
}
