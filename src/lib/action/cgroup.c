// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/PID/cgroup -> systemd unit and container: a pure parser (fuzzed by
 * unit tests with arbitrary bytes).  The names follow the conventions of
 * systemd (".service", ".scope"), docker, podman (libpod), containerd and
 * cri-o ("<runtime>-<64 hex>.scope" or "/docker/<64 hex>"), lxc and
 * systemd-nspawn (machine.slice/machine-NAME.scope).
 */
#include "action/action.h"

#include <errno.h>
#include <string.h>

#define ID_LEN 64

/* Copy n bytes of src into a char array of size cap, cutting; always NUL-terminated. */
static void put(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static bool starts_with(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(s, prefix, k) == 0;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Offset of a run of exactly ID_LEN lower-case hex digits in s[0..n), or -1. */
static long find_id(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && is_hex(s[j]))
			j++;
		if (j - i == ID_LEN)
			return (long)i;
		i = j + 1;
	}
	return -1;
}

/* The line to use: "0::" (cgroup v2), else systemd's v1 hierarchy, else the first. */
static bool pick_line(const char *buf, size_t len, const char **ret_path, size_t *ret_n)
{
	const char *p = buf, *end = buf + len, *best = NULL, *systemd = NULL, *first = NULL;
	size_t best_n = 0, systemd_n = 0, first_n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *c1, *c2;

		c1 = memchr(p, ':', (size_t)(le - p));
		c2 = c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1)) : NULL;
		if (c2 && c2 + 1 < le && c2[1] == '/') {
			const char *path = c2 + 1;
			size_t n = (size_t)(le - path);

			if (c1 - p == 1 && p[0] == '0' && c2 == c1 + 1 && !best) {
				best = path;
				best_n = n;
			} else if ((size_t)(c2 - c1 - 1) == 12 && !memcmp(c1 + 1, "name=systemd", 12) &&
				   !systemd) {
				systemd = path;
				systemd_n = n;
			} else if (!first && n > 1) {
				first = path;
				first_n = n;
			}
		}
		p = le + 1;
	}
	if (!best && systemd) {
		best = systemd;
		best_n = systemd_n;
	}
	if (!best && first) {
		best = first;
		best_n = first_n;
	}
	if (!best)
		return false;
	*ret_path = best;
	*ret_n = best_n;
	return true;
}

static void set_runtime(struct sks_cgroup *cg, const char *s, size_t n)
{
	while (n && (s[n - 1] == '-' || s[n - 1] == '_' || s[n - 1] == '.'))
		n--;
	put(cg->runtime, sizeof(cg->runtime), s, n);
}

/* A container named by one path component comp[0..n), its parent parent[0..pn). */
static bool container_from(struct sks_cgroup *cg, const char *comp, size_t n, const char *parent,
			   size_t pn)
{
	long id = find_id(comp, n);

	if (id >= 0) {
		put(cg->container, sizeof(cg->container), comp + id, ID_LEN);
		if (id > 0)
			set_runtime(cg, comp, (size_t)id);
		else if (pn && (starts_with(parent, pn, "docker") || starts_with(parent, pn, "lxc")))
			set_runtime(cg, parent, pn);
		else
			set_runtime(cg, "container", 9);
		return true;
	}
	if (starts_with(comp, n, "lxc.payload.") && n > 12) {
		put(cg->container, sizeof(cg->container), comp + 12, n - 12);
		set_runtime(cg, "lxc", 3);
		return true;
	}
	if (pn == 3 && !memcmp(parent, "lxc", 3) && n) {
		put(cg->container, sizeof(cg->container), comp, n);
		set_runtime(cg, "lxc", 3);
		return true;
	}
	if (pn == 13 && !memcmp(parent, "machine.slice", 13) && starts_with(comp, n, "machine-") &&
	    ends_with(comp, n, ".scope") && n > 14) {
		put(cg->container, sizeof(cg->container), comp + 8, n - 14);
		set_runtime(cg, "machine", 7);
		return true;
	}
	return false;
}

int sks_cgroup_parse(const char *buf, size_t len, struct sks_cgroup *ret)
{
	struct sks_cgroup cg;
	const char *path, *p, *end, *parent = "";
	size_t n, pn = 0;

	memset(&cg, 0, sizeof(cg));
	if (!pick_line(buf, len, &path, &n))
		return -ENOENT;
	put(cg.path, sizeof(cg.path), path, n);
	/* Walk the components; the innermost unit and the innermost container win. */
	for (p = path, end = path + n; p < end;) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *ce = slash ? slash : end;
		size_t cn = (size_t)(ce - p);

		if (cn) {
			if (ends_with(p, cn, ".service") || ends_with(p, cn, ".scope"))
				put(cg.unit, sizeof(cg.unit), p, cn);
			if (find_id(p, cn) >= 0 || !cg.container[0])
				container_from(&cg, p, cn, parent, pn);
			parent = p;
			pn = cn;
		}
		p = ce + 1;
	}
	*ret = cg;
	return 0;
}
