// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Safe signals for `kill`: a holder found by the owner join is pinned (a
 * pidfd plus its /proc/PID directory fd, checked against the start time the
 * scan saw) and, when the caller decides to signal, re-checked -- still the
 * same process, still holding the socket -- and signalled through the
 * pidfd, so a pid that was reused in between is never hit.  pid 1, the
 * caller and the caller's ancestors are refused whatever they hold.
 */
#include "action/action.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define STAT_MAX 2048
#define MAX_ANCESTRY 4096 /* a loop in a fake tree must end */
#define MAX_HOLDS 4096

struct hold {
	uint64_t inode;
	int32_t tid; /* 0: the process's own fd table */
	int32_t fd;
};

struct sks_owner_pin {
	int32_t pid;
	uint64_t start_time;
	int pidfd; /* -1 on kernels without pidfd_open(2): dirfd is signalled through instead */
	int dirfd; /* proc_root/PID: reads through it never reach a process that reused the pid */
	unsigned protect;
	struct hold *holds;
	size_t n_holds, cap_holds;
};

static int pidfd_open(int32_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_send(int fd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
}

/* Parse dirfd/stat; -ESRCH when the process is gone. */
static int read_stat(int dirfd, const char *name, struct sks_act_stat *ret)
{
	char buf[STAT_MAX];
	ssize_t n = sks_read_at(dirfd, name, buf, sizeof(buf));

	if (n == -ENOENT || n == -ESRCH)
		return -ESRCH;
	if (n < 0)
		return (int)n;
	return sks_act_parse_stat(buf, (size_t)n, ret);
}

/* 1 when the proc root's "self" is the calling process, i.e. it shows our pid namespace. */
static int root_is_ours(int rootfd)
{
	char buf[16];
	ssize_t n = readlinkat(rootfd, "self", buf, sizeof(buf) - 1);
	char *end;
	long v;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	return !*end && v == (long)getpid();
}

/* Ancestors come from the proc root: getppid() alone stops at the parent. */
static unsigned protection(int rootfd, int32_t pid)
{
	int32_t p = (int32_t)getppid();
	int i;

	if (pid == 1)
		return SKS_PROTECT_INIT;
	if (pid == (int32_t)getpid())
		return SKS_PROTECT_SELF;
	for (i = 0; i < MAX_ANCESTRY && p > 0; i++) {
		struct sks_act_stat st;
		char name[32];

		if (p == pid)
			return SKS_PROTECT_ANCESTOR;
		snprintf(name, sizeof(name), "%d/stat", (int)p);
		if (read_stat(rootfd, name, &st) < 0)
			break;
		p = st.ppid;
	}
	return SKS_PROTECT_NONE;
}

int sks_owner_pin_add(struct sks_owner_pin *pin, const struct sks_record *rec,
		      const struct sks_owner *owner)
{
	if (!owner || !owner->proc || owner->proc->pid != pin->pid || !rec || !rec->inode)
		return -EINVAL;
	if (pin->n_holds == pin->cap_holds) {
		size_t cap = pin->cap_holds ? pin->cap_holds * 2 : 4;
		struct hold *h;

		if (cap > MAX_HOLDS)
			return -ENOMEM;
		h = realloc(pin->holds, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		pin->holds = h;
		pin->cap_holds = cap;
	}
	pin->holds[pin->n_holds++] = (struct hold){ rec->inode, owner->tid, owner->fd };
	return 0;
}

int sks_owner_pin(const struct sks_ctx *ctx, const struct sks_record *rec,
		  const struct sks_owner *owner, struct sks_owner_pin **ret_pin)
{
	struct sks_owner_pin *pin = NULL;
	struct sks_act_stat st;
	char name[16];
	int rootfd, r;

	if (!rec || !owner || !owner->proc || owner->proc->pid <= 0 || !rec->inode)
		return -EINVAL;
	rootfd = open(sks_act_proc_root(ctx), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	if (!root_is_ours(rootfd)) {
		r = -EXDEV;
		goto fail;
	}
	pin = calloc(1, sizeof(*pin));
	if (!pin) {
		r = -ENOMEM;
		goto fail;
	}
	pin->pid = owner->proc->pid;
	pin->start_time = owner->proc->start_time;
	pin->dirfd = -1;
	/* The pidfd first: if the pid was reused after it, the start time below tells. */
	pin->pidfd = pidfd_open(pin->pid);
	if (pin->pidfd < 0 && errno != ENOSYS) {
		r = errno == ESRCH ? -ESRCH : -errno;
		goto fail;
	}
	snprintf(name, sizeof(name), "%d", (int)pin->pid);
	pin->dirfd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pin->dirfd < 0) {
		r = errno == ENOENT ? -ESRCH : -errno;
		goto fail;
	}
	r = read_stat(pin->dirfd, "stat", &st);
	if (r < 0)
		goto fail;
	if (st.start_time != pin->start_time || st.state == 'Z' || st.state == 'X') {
		r = -ESRCH;
		goto fail;
	}
	pin->protect = protection(rootfd, pin->pid);
	r = sks_owner_pin_add(pin, rec, owner);
	if (r < 0)
		goto fail;
	close(rootfd);
	*ret_pin = pin;
	return 0;
fail:
	sks_owner_pin_free(pin);
	close(rootfd);
	return r;
}

int32_t sks_owner_pin_pid(const struct sks_owner_pin *pin)
{
	return pin->pid;
}

unsigned sks_owner_pin_protected(const struct sks_owner_pin *pin)
{
	return pin->protect;
}

static bool link_is(int dirfd, const char *path, uint64_t inode)
{
	char link[64], want[64];
	ssize_t n = readlinkat(dirfd, path, link, sizeof(link));
	int k = snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)inode);

	return n == k && !memcmp(link, want, (size_t)n);
}

/* Does the fd table at dirfd/path (".../fd") hold any pinned inode, at any fd? */
static int table_holds(const struct sks_owner_pin *pin, const char *path)
{
	struct dirent *de;
	DIR *dir;
	int fd, r = 0;

	fd = openat(pin->dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES || errno == EPERM ? -EACCES : 0;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while (!r && (de = readdir(dir))) {
		size_t i;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		for (i = 0; i < pin->n_holds && !r; i++)
			if (link_is(fd, de->d_name, pin->holds[i].inode))
				r = 1;
	}
	closedir(dir);
	return r;
}

/* 1 when the process still holds a pinned socket, 0 when not, -EACCES. */
static int still_holds(const struct sks_owner_pin *pin)
{
	char path[64];
	size_t i;
	int r;

	for (i = 0; i < pin->n_holds; i++) {
		const struct hold *h = &pin->holds[i];

		if (h->tid)
			snprintf(path, sizeof(path), "task/%d/fd/%d", (int)h->tid, (int)h->fd);
		else
			snprintf(path, sizeof(path), "fd/%d", (int)h->fd);
		if (link_is(pin->dirfd, path, h->inode))
			return 1;
	}
	/* Moved to another fd (dup2), or only a thread's private table has it. */
	r = table_holds(pin, "fd");
	for (i = 0; !r && i < pin->n_holds; i++) {
		if (!pin->holds[i].tid)
			continue;
		snprintf(path, sizeof(path), "task/%d/fd", (int)pin->holds[i].tid);
		r = table_holds(pin, path);
	}
	return r;
}

int sks_owner_signal(struct sks_owner_pin *pin, int sig)
{
	struct sks_act_stat st;
	int r;

	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	if (pin->protect)
		return SKS_SIGNAL_PROTECTED;
	if (pin->pidfd >= 0 && pidfd_send(pin->pidfd, 0) < 0) {
		if (errno == ESRCH)
			return SKS_SIGNAL_GONE;
		if (errno == EPERM)
			return SKS_SIGNAL_DENIED;
		if (errno != ENOSYS)
			return -errno;
	}
	r = read_stat(pin->dirfd, "stat", &st);
	if (r == -ESRCH || (r == 0 && st.start_time != pin->start_time))
		return SKS_SIGNAL_GONE;
	if (r < 0)
		return r;
	r = still_holds(pin);
	if (r == -EACCES)
		return SKS_SIGNAL_DENIED;
	if (r < 0)
		return r;
	if (r == 0)
		return st.state == 'Z' || st.state == 'X' ? SKS_SIGNAL_GONE : SKS_SIGNAL_RELEASED;
	/*
	 * A /proc/PID directory fd is a pidfd to pidfd_send_signal() too.
	 * Before Linux 5.1 there is no such call: kill(2) right after the
	 * checks is the best that kernel offers.
	 */
	if (pidfd_send(pin->pidfd >= 0 ? pin->pidfd : pin->dirfd, sig) < 0) {
		if (errno == ENOSYS && kill(pin->pid, sig) == 0)
			return SKS_SIGNAL_SENT;
		if (errno == ESRCH)
			return SKS_SIGNAL_GONE;
		if (errno == EPERM)
			return SKS_SIGNAL_DENIED;
		return -errno;
	}
	return SKS_SIGNAL_SENT;
}

int sks_owner_pin_wait(struct sks_owner_pin *pin, int timeout_ms)
{
	struct sks_act_stat st;

	if (pin->pidfd >= 0) {
		/* A pidfd polls readable once the process has exited. */
		struct pollfd p = { .fd = pin->pidfd, .events = POLLIN };
		int n;

		do
			n = poll(&p, 1, timeout_ms < 0 ? 0 : timeout_ms);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
		return n > 0;
	}
	for (int waited = 0;; waited += 10) {
		int r = read_stat(pin->dirfd, "stat", &st);

		if (r == -ESRCH || (r == 0 && (st.state == 'Z' || st.state == 'X')))
			return 1;
		if (waited >= timeout_ms)
			return 0;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
}

void sks_owner_pin_free(struct sks_owner_pin *pin)
{
	if (!pin)
		return;
	if (pin->pidfd >= 0)
		close(pin->pidfd);
	if (pin->dirfd >= 0)
		close(pin->dirfd);
	free(pin->holds);
	free(pin);
}

const char *sks_protect_text(unsigned why)
{
	switch (why) {
	case SKS_PROTECT_INIT:
		return "pid 1 of the pid namespace";
	case SKS_PROTECT_SELF:
		return "the calling process itself";
	case SKS_PROTECT_ANCESTOR:
		return "an ancestor of the calling process";
	}
	return "";
}

const char *sks_signal_status_text(unsigned status)
{
	switch (status) {
	case SKS_SIGNAL_SENT:
		return "signalled";
	case SKS_SIGNAL_GONE:
		return "the holder is gone (it exited; its pid may belong to another process now)";
	case SKS_SIGNAL_RELEASED:
		return "the process no longer holds the socket";
	case SKS_SIGNAL_PROTECTED:
		return "never signalled";
	case SKS_SIGNAL_DENIED:
		return "permission denied";
	}
	return "unknown";
}
