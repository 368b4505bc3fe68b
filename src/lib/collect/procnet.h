/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The /proc/net text parser, kept apart from file I/O (procnet.c) so unit
 * tests and the fuzzer feed it bytes.  It is a line-at-a-time state machine:
 * text may arrive in chunks of any size, so a 100 MB /proc/net/tcp is never
 * held in memory whole.
 */
#ifndef SKS_PROCNET_H
#define SKS_PROCNET_H

#include "internal.h"

/* The files under /proc/net the fallback collector reads. */
enum sks_procnet_file {
	SKS_PROCNET_TCP = 0,
	SKS_PROCNET_TCP6,
	SKS_PROCNET_UDP,
	SKS_PROCNET_UDP6,
	SKS_PROCNET_RAW,
	SKS_PROCNET_RAW6,
	SKS_PROCNET_UNIX,
	SKS_PROCNET_PACKET,
	SKS_PROCNET_NETLINK,
	SKS_PROCNET_SOCKSTAT, /* sockstat or sockstat6: same "LABEL: key value ..." syntax */
	SKS_PROCNET_FILE_COUNT,
};

/*
 * No line the kernel prints is near this long (tcp6 lines are padded to
 * ~180 bytes, unix lines end in at most 108 path bytes); a longer line is
 * counted as malformed and skipped without being stored.
 */
#define SKS_PROCNET_LINE_MAX 4096

struct sks_procnet_parser {
	struct sks_snapshot *s;    /* record files: records go here */
	struct sks_sockstat *stat; /* SKS_PROCNET_SOCKSTAT: fields found are set */
	enum sks_procnet_file file;
	uint32_t tables; /* SKS_TABLE_* to keep */
	long hz;         /* USER_HZ: /proc/net/tcp prints timers as clock_t */
	uint64_t lines;
	uint64_t malformed;  /* lines skipped */
	uint64_t continued;  /* unix lines taken as the rest of a path with a newline */
	bool header_done;
	bool overlong;       /* the line being assembled passed SKS_PROCNET_LINE_MAX */
	/* unix: the last record line had a path a newline may continue */
	bool cont_open;
	bool cont_keep;      /* ... and its record was kept at s->recs[cont_idx] */
	size_t cont_idx;
	size_t cont_len;     /* path bytes so far, kept or not */
	struct sks_buf carry; /* an unterminated line from the previous chunk */
};

/* Start parsing one file.  s may be NULL only for SKS_PROCNET_SOCKSTAT. */
void sks_procnet_parser_init(struct sks_procnet_parser *p, struct sks_snapshot *s,
			     struct sks_sockstat *stat, enum sks_procnet_file file,
			     uint32_t tables);
/* Feed the next len bytes.  0, or -ENOMEM (records are then incomplete). */
int sks_procnet_parser_feed(struct sks_procnet_parser *p, const char *buf, size_t len);
/*
 * End of file: parse a last line without a newline, and warn once
 * (SKS_WARN_OTHER) with the number of malformed lines skipped.  0 or -ENOMEM.
 */
int sks_procnet_parser_finish(struct sks_procnet_parser *p);
void sks_procnet_parser_release(struct sks_procnet_parser *p);

/*
 * One whole file in memory: init, feed, finish, release.  Appends the
 * records of `tables` (SKS_TABLE_*) found in buf to s.  0 or -ENOMEM.
 */
int sks_procnet_parse(struct sks_snapshot *s, enum sks_procnet_file file, uint32_t tables,
		      const char *buf, size_t len);
/* sockstat or sockstat6 text: sets the fields found, leaves the others alone. */
int sks_procnet_sockstat_parse(struct sks_sockstat *st, const char *buf, size_t len);
/* "tcp", "tcp6", ..., "sockstat" */
const char *sks_procnet_file_name(enum sks_procnet_file file);
/* Set every field to -1 (not reported). */
void sks_sockstat_clear(struct sks_sockstat *st);

#endif
