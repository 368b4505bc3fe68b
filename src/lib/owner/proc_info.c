// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Details of a process that holds a wanted socket, for the owner join: stat
 * (comm, start time), status (real uid), cmdline or exe (the name a 15-byte
 * comm was cut from), and the user name, cached per uid.  Read once per
 * holder, relative to its PID directory fd; parsing is in proc_parse.c.
 */
#include "owner/proc_info.h"
#include "owner/proc_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PWBUF_MIN 4096
#define PWBUF_MAX (1 << 20)

/* Cached getpwuid_r(): one lookup per distinct uid and join. */
static int lookup_user(struct sks_proc_info *pi, uint32_t uid, const char **ret)
{
	const char *name = NULL, **users;
	uint32_t idx;
	int r;

	if (sks_inode_hash_get(&pi->uids, (uint64_t)uid + 1, &idx)) {
		*ret = pi->users[idx];
		return 0;
	}
	for (;;) {
		struct passwd pw, *res = NULL;
		int e;

		if (!pi->pwbuf) {
			pi->pwbuf = malloc(PWBUF_MIN);
			if (!pi->pwbuf)
				return -ENOMEM;
			pi->pwbuf_len = PWBUF_MIN;
		}
		e = getpwuid_r(uid, &pw, pi->pwbuf, pi->pwbuf_len, &res);
		if (e == ERANGE && pi->pwbuf_len < PWBUF_MAX) {
			char *p = realloc(pi->pwbuf, pi->pwbuf_len * 2);

			if (!p)
				return -ENOMEM;
			pi->pwbuf = p;
			pi->pwbuf_len *= 2;
			continue;
		}
		if (e == 0 && res && res->pw_name) {
			name = sks_snap_memdup(pi->s, res->pw_name, strlen(res->pw_name));
			if (!name)
				return -ENOMEM;
		}
		break; /* no entry, or NSS failed: no name */
	}
	if (pi->n_users == pi->cap_users) {
		size_t cap = pi->cap_users ? pi->cap_users * 2 : 16;

		if (cap > UINT32_MAX)
			return -ENOMEM;
		users = realloc(pi->users, cap * sizeof(*users));
		if (!users)
			return -ENOMEM;
		pi->users = users;
		pi->cap_users = cap;
	}
	r = sks_inode_hash_put(&pi->uids, (uint64_t)uid + 1, (uint32_t)pi->n_users, NULL);
	if (r < 0)
		return r;
	pi->users[pi->n_users++] = name;
	*ret = name;
	return 0;
}

/* Errors of reading stat or status that stop the read: exited, or out of memory/fds. */
static bool fatal(ssize_t n)
{
	return n == -ENOENT || n == -ESRCH || n == -ENOMEM || n == -EMFILE || n == -ENFILE;
}

int sks_proc_info_read(struct sks_proc_info *pi, int pfd, int32_t pid,
		       const struct sks_process **ret)
{
	struct sks_proc_stat ps = { "", 0, 0 };
	const char *cand, *name;
	size_t cand_len, name_len;
	struct sks_process *p;
	uint32_t uid = UINT32_MAX;
	ssize_t n;
	char *comm;
	int r;

	n = sks_read_at(pfd, "stat", pi->stat_buf, sizeof(pi->stat_buf));
	if (fatal(n))
		return (int)n;
	if (n < 0 || sks_proc_parse_stat(pi->stat_buf, (size_t)n, &ps) < 0)
		ps = (struct sks_proc_stat){ "", 0, 0 };
	n = sks_read_at(pfd, "status", pi->file_buf, sizeof(pi->file_buf));
	if (fatal(n))
		return (int)n;
	if (n < 0 || sks_proc_parse_status_uid(pi->file_buf, (size_t)n, &uid) < 0)
		uid = UINT32_MAX;

	p = sks_snap_alloc(pi->s, sizeof(*p));
	comm = sks_snap_memdup(pi->s, ps.comm, ps.comm_len);
	if (!p || !comm)
		return -ENOMEM;
	name = comm;
	name_len = ps.comm_len;
	if (ps.comm_len == SKS_COMM_CUT_LEN) {
		/* Kernel threads and zombies have neither; that is not an error. */
		bool found = false;

		n = sks_read_at(pfd, "cmdline", pi->file_buf, sizeof(pi->file_buf));
		if (n > 0 && sks_proc_cmdline_base(pi->file_buf, (size_t)n, &cand, &cand_len) == 0)
			found = sks_proc_name_extends(comm, ps.comm_len, cand, cand_len);
		if (!found) {
			n = readlinkat(pfd, "exe", pi->file_buf, sizeof(pi->file_buf));
			if (n > 0 &&
			    sks_proc_exe_base(pi->file_buf, (size_t)n, &cand, &cand_len) == 0)
				found = sks_proc_name_extends(comm, ps.comm_len, cand, cand_len);
		}
		if (found) {
			name = sks_snap_memdup(pi->s, cand, cand_len);
			if (!name)
				return -ENOMEM;
			name_len = cand_len;
		}
	}
	p->pid = pid;
	p->uid = uid;
	p->start_time = ps.start_time;
	p->comm = comm;
	p->comm_len = (uint32_t)ps.comm_len;
	p->name = name;
	p->name_len = (uint32_t)name_len;
	p->user = NULL;
	if (uid != UINT32_MAX) {
		r = lookup_user(pi, uid, &p->user);
		if (r < 0)
			return r;
	}
	*ret = p;
	return 0;
}

void sks_proc_info_release(struct sks_proc_info *pi)
{
	sks_inode_hash_release(&pi->uids);
	free(pi->users);
	free(pi->pwbuf);
	pi->users = NULL;
	pi->pwbuf = NULL;
	pi->n_users = pi->cap_users = pi->pwbuf_len = 0;
}
