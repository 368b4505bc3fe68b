// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The running system's answers to the names a filter may hold: devices,
 * cgroups, services, users and the ephemeral port range.  Only reentrant
 * calls (the _r variants), since filters may be parsed from several threads.
 * Tests replace all of these through struct sks_filter_env.
 */
#include "value.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int resolve_dev(void *userdata, const char *name, uint32_t *ret_ifindex)
{
	unsigned idx;

	(void)userdata;
	if (strlen(name) >= IF_NAMESIZE)
		return -ENOENT;
	idx = if_nametoindex(name);
	if (!idx)
		return errno == ENODEV || errno == ENXIO || !errno ? -ENOENT : -errno;
	*ret_ifindex = idx;
	return 0;
}

/*
 * A cgroup v2 id is the inode number of its directory in the cgroup2 file
 * system (kernfs node id), which is what the kernel reports and what
 * CGROUP_COND compares.
 */
int resolve_cgroup(void *userdata, const char *path, uint64_t *ret_id)
{
	char full[4096];
	struct stat st;
	int n;

	(void)userdata;
	n = snprintf(full, sizeof(full), "/sys/fs/cgroup%s%s", path[0] == '/' ? "" : "/", path);
	if (n < 0 || (size_t)n >= sizeof(full))
		return -ENAMETOOLONG;
	if (stat(full, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*ret_id = st.st_ino;
	return 0;
}

int resolve_service(void *userdata, const char *name, uint16_t *ret_port)
{
	static const char *const protos[] = { "tcp", "udp" };
	char buf[1024];

	(void)userdata;
	for (size_t i = 0; i < SKS_ARRAY_SIZE(protos); i++) {
		struct servent se, *res = NULL;

		if (getservbyname_r(name, protos[i], &se, buf, sizeof(buf), &res) == 0 && res) {
			*ret_port = ntohs((uint16_t)res->s_port);
			return 0;
		}
	}
	return -ENOENT;
}

int resolve_user(void *userdata, const char *name, uint32_t *ret_uid)
{
	char buf[4096];
	struct passwd pw, *res = NULL;
	int r;

	(void)userdata;
	r = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (r)
		return -r;
	if (!res)
		return -ENOENT;
	*ret_uid = res->pw_uid;
	return 0;
}

/* A decimal number <= 65535 at *p, skipping leading blanks; advances *p. */
static bool read_port(const char **p, unsigned *ret)
{
	const char *s = *p;
	unsigned v = 0;
	int digits = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (++digits > 5 || v > 65535)
			return false;
	}
	*p = s;
	*ret = v;
	return digits > 0;
}

int resolve_port_range(void *userdata, uint16_t *ret_low, uint16_t *ret_high)
{
	char buf[64];
	const char *p = buf;
	unsigned lo, hi;
	ssize_t n;
	int fd;

	(void)userdata;
	fd = open("/proc/sys/net/ipv4/ip_local_port_range", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* "LOW\tHIGH\n" */
	if (!read_port(&p, &lo) || !read_port(&p, &hi) || lo > hi)
		return -EINVAL;
	*ret_low = (uint16_t)lo;
	*ret_high = (uint16_t)hi;
	return 0;
}
