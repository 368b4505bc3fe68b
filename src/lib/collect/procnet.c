// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The /proc/net fallback collector, for kernels and sandboxes without
 * NETLINK_SOCK_DIAG, and the sockstat reader.  This file does the I/O only:
 * it streams each file in fixed chunks into the line parser
 * (procnet_parse.c), so memory stays flat however many sockets there are.
 */
#include "collect.h"
#include "procnet.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * seq_file hands out about a page per read() whatever we ask for; a larger
 * buffer only saves calls when the kernel does fill it.
 */
#define CHUNK_SIZE (64u * 1024)

struct procnet_source {
	enum sks_procnet_file file;
	uint32_t tables; /* SKS_TABLE_* held in the file */
	uint32_t family; /* SKS_INET4 / SKS_INET6, 0: not an inet file */
};

static const struct procnet_source sources[] = {
	{ SKS_PROCNET_TCP, SKS_TABLE_TCP, SKS_INET4 },
	{ SKS_PROCNET_TCP6, SKS_TABLE_TCP, SKS_INET6 },
	{ SKS_PROCNET_UDP, SKS_TABLE_UDP, SKS_INET4 },
	{ SKS_PROCNET_UDP6, SKS_TABLE_UDP, SKS_INET6 },
	{ SKS_PROCNET_RAW, SKS_TABLE_RAW, SKS_INET4 },
	{ SKS_PROCNET_RAW6, SKS_TABLE_RAW, SKS_INET6 },
	{ SKS_PROCNET_UNIX, SKS_TABLE_UNIX, 0 },
	{ SKS_PROCNET_PACKET, SKS_TABLE_PACKET, 0 },
	{ SKS_PROCNET_NETLINK, SKS_TABLE_NETLINK, 0 },
};

/* Stream dirfd/name into a parser that init already set up.  -errno from open/read. */
static int read_into(int dirfd, const char *name, struct sks_procnet_parser *p, char *buf)
{
	int fd, r = 0;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK_SIZE);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		r = sks_procnet_parser_feed(p, buf, (size_t)n);
		/* A unix path may go on in the next chunk: its record stays until the end. */
		if (r >= 0 && p->s && p->file != SKS_PROCNET_UNIX)
			r = sks_snap_stream_point(p->s, false);
		if (r < 0)
			break;
	}
	if (r >= 0)
		r = sks_procnet_parser_finish(p);
	close(fd);
	return r;
}

static int open_dir(const char *proc_net)
{
	int fd = open(proc_net, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int sks_procnet_collect(struct sks_snapshot *s, const char *proc_net, uint32_t tables,
			uint32_t *ret_done)
{
	uint32_t done = 0;
	char *buf = NULL;
	size_t i;
	int dirfd, r = 0;

	/* No /proc/net at all is an error, unlike one missing file. */
	dirfd = open_dir(proc_net);
	if (dirfd < 0)
		return dirfd;
	buf = malloc(CHUNK_SIZE);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < SKS_ARRAY_SIZE(sources); i++) {
		const struct procnet_source *src = &sources[i];
		uint32_t want = tables & src->tables;
		struct sks_procnet_parser p;

		if (!want || (src->family && !(s->families & src->family)))
			continue;
		sks_procnet_parser_init(&p, s, NULL, src->file, want);
		r = read_into(dirfd, sks_procnet_file_name(src->file), &p, buf);
		sks_procnet_parser_release(&p);
		if (r == -ENOENT) {
			/* IPv6 disabled, af_packet not loaded: the table is just not there. */
			r = 0;
			continue;
		}
		if (r < 0)
			goto out;
		done |= want;
	}
	*ret_done = done;
out:
	free(buf);
	close(dirfd);
	return r;
}

int sks_procnet_sockstat(const char *proc_net, struct sks_sockstat *ret_stat)
{
	static const char *const names[] = { "sockstat", "sockstat6" };
	struct sks_sockstat st;
	bool found = false;
	char *buf;
	size_t i;
	int dirfd, r = 0;

	dirfd = open_dir(proc_net);
	if (dirfd < 0)
		return dirfd;
	buf = malloc(CHUNK_SIZE);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	sks_sockstat_clear(&st);
	for (i = 0; i < SKS_ARRAY_SIZE(names); i++) {
		struct sks_procnet_parser p;

		sks_procnet_parser_init(&p, NULL, &st, SKS_PROCNET_SOCKSTAT, 0);
		r = read_into(dirfd, names[i], &p, buf);
		sks_procnet_parser_release(&p);
		if (r == -ENOENT) {
			/* sockstat6 is missing when IPv6 is disabled: leave -1s. */
			r = 0;
			continue;
		}
		if (r < 0)
			goto out;
		found = true;
	}
	if (!found) {
		r = -ENOENT;
		goto out;
	}
	*ret_stat = st;
out:
	free(buf);
	close(dirfd);
	return r;
}
