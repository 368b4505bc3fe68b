// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Process details read on demand for the few processes an action shows:
 * start time and age, the whole command line (capped), the cgroup, and the
 * network namespaces processes are in.  The owner join reads none of this:
 * it would cost a file per process on machines with thousands of them.
 */
#include "action/action.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STAT_MAX 2048
#define UPTIME_MAX 128
#define CGROUP_MAX 8192 /* enough for every v1 hierarchy's line */
#define CMDLINE_HARD_MAX (1u << 20)

static int open_pid_dir(const struct sks_ctx *ctx, int32_t pid)
{
	char path[PATH_MAX];
	int fd;

	if (pid <= 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%d", sks_act_proc_root(ctx), (int)pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int sks_process_details_read(const struct sks_ctx *ctx, int32_t pid,
			     struct sks_process_details *ret)
{
	char buf[STAT_MAX], up[UPTIME_MAX];
	struct sks_process_details d = { .pid = pid };
	struct sks_act_stat st;
	uint64_t uptime_ms, start_ms;
	long hz = sysconf(_SC_CLK_TCK);
	int dirfd, rootfd;
	ssize_t n;

	dirfd = open_pid_dir(ctx, pid);
	if (dirfd < 0)
		return dirfd;
	n = sks_read_at(dirfd, "stat", buf, sizeof(buf));
	close(dirfd);
	if (n < 0)
		return (int)n;
	if (sks_act_parse_stat(buf, (size_t)n, &st) < 0)
		return -EINVAL;
	d.ppid = st.ppid;
	d.state = st.state;
	d.start_time = st.start_time;
	if (hz <= 0)
		hz = 100;
	/* Overflow is impossible for real tick counts; cap instead of wrapping for fakes. */
	start_ms = st.start_time > UINT64_MAX / 1000 ? UINT64_MAX : st.start_time * 1000 / (uint64_t)hz;
	rootfd = open(sks_act_proc_root(ctx), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd >= 0) {
		n = sks_read_at(rootfd, "uptime", up, sizeof(up));
		close(rootfd);
		if (n > 0 && sks_act_parse_uptime(up, (size_t)n, &uptime_ms) == 0) {
			d.age_ms = uptime_ms > start_ms ? uptime_ms - start_ms : 0;
			d.start_epoch = (int64_t)time(NULL) - (int64_t)(d.age_ms / 1000);
		}
	}
	*ret = d;
	return 0;
}

int sks_process_cmdline(const struct sks_ctx *ctx, int32_t pid, size_t max, struct sks_buf *out)
{
	char chunk[4096];
	bool cut = false;
	int dirfd, fd, r = 0;

	if (!max)
		max = SKS_CMDLINE_MAX;
	if (max > CMDLINE_HARD_MAX)
		return -EINVAL;
	sks_buf_reset(out);
	dirfd = open_pid_dir(ctx, pid);
	if (dirfd < 0)
		return dirfd;
	fd = openat(dirfd, "cmdline", O_RDONLY | O_CLOEXEC);
	close(dirfd);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		size_t take;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		take = (size_t)n;
		if (out->len + take > max) {
			take = max - out->len;
			cut = true;
		}
		r = sks_buf_append(out, chunk, take);
		if (r < 0 || cut)
			goto out;
	}
	/* A process may rewrite its argv area: keep what is there, minus the final NUL. */
	if (out->len && out->data[out->len - 1] == '\0')
		out->len--;
	if (out->data)
		out->data[out->len] = '\0';
out:
	close(fd);
	if (r < 0) {
		sks_buf_reset(out);
		return r;
	}
	return cut ? 1 : 0;
}

int sks_process_cgroup(const struct sks_ctx *ctx, int32_t pid, struct sks_cgroup *ret)
{
	char *buf;
	int dirfd, r;
	ssize_t n;

	dirfd = open_pid_dir(ctx, pid);
	if (dirfd < 0)
		return dirfd;
	buf = malloc(CGROUP_MAX);
	if (!buf) {
		close(dirfd);
		return -ENOMEM;
	}
	n = sks_read_at(dirfd, "cgroup", buf, CGROUP_MAX);
	close(dirfd);
	r = n < 0 ? (int)n : sks_cgroup_parse(buf, (size_t)n, ret);
	free(buf);
	return r;
}

/* The inode of the network namespace behind a "net:[INODE]" link, 0 if none. */
static uint64_t netns_link_inode(int dirfd, const char *path)
{
	char link[64];
	uint64_t v = 0;
	ssize_t n = readlinkat(dirfd, path, link, sizeof(link) - 1);
	ssize_t i;

	if (n < 7 || memcmp(link, "net:[", 5) != 0 || link[n - 1] != ']')
		return 0;
	for (i = 5; i < n - 1; i++) {
		unsigned d = (unsigned)(link[i] - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	return v;
}

static uint64_t own_netns_inode(const struct sks_ctx *ctx)
{
	struct stat st;

	if (ctx && ctx->netns_fd >= 0)
		return fstat(ctx->netns_fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
	return stat("/proc/thread-self/ns/net", &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct sks_netns_ref *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

int sks_netns_list(const struct sks_ctx *ctx, struct sks_netns_ref *out, size_t max,
		   size_t *ret_denied)
{
	struct sks_netns_ref *all = NULL;
	size_t n = 0, cap = 0, denied = 0, k, i;
	uint64_t own = own_netns_inode(ctx);
	struct dirent *de;
	DIR *dir;

	dir = opendir(sks_act_proc_root(ctx));
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char path[64];
		uint64_t ino;
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (*end || !pid || pid > INT32_MAX || de->d_name[0] == '0')
			continue;
		snprintf(path, sizeof(path), "%lu/ns/net", pid);
		errno = 0;
		ino = netns_link_inode(dirfd(dir), path);
		if (!ino) {
			if (errno == EACCES || errno == EPERM)
				denied++;
			continue;
		}
		if (ino == own)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct sks_netns_ref *p;

			if (ncap > SIZE_MAX / sizeof(*p) || !(p = realloc(all, ncap * sizeof(*p)))) {
				free(all);
				closedir(dir);
				return -ENOMEM;
			}
			all = p;
			cap = ncap;
		}
		all[n++] = (struct sks_netns_ref){ ino, (int32_t)pid };
	}
	closedir(dir);
	if (n)
		qsort(all, n, sizeof(*all), cmp_ref);
	/* one per namespace: sorted by (inode, pid), the first is the lowest pid */
	for (i = 0, k = 0; i < n; i++) {
		if (i && all[i].inode == all[i - 1].inode)
			continue;
		if (k < max)
			out[k] = all[i];
		k++;
	}
	free(all);
	if (ret_denied)
		*ret_denied = denied;
	return k > INT32_MAX ? INT32_MAX : (int)k;
}
