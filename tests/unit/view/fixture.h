/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hand-built snapshots for the view tests: a few records of every kind,
 * with hostile unix paths and process names, built with the same internal
 * calls the collectors use (sks_snap_new/sks_snap_add).
 */
#ifndef SKS_TEST_VIEW_FIXTURE_H
#define SKS_TEST_VIEW_FIXTURE_H

#include "internal.h"
#include "view/view.h"

/* Which records fx_snapshot() builds. */
enum {
	FX_INET = 1u << 0,
	FX_UNIX = 1u << 1,
	FX_PACKET = 1u << 2,
	FX_NETLINK = 1u << 3,
	FX_DETAILS = 1u << 4, /* one TCP record with meminfo, tcp_info, -e fields */
	FX_ALL = 0x1f,
};

struct sks_snapshot *fx_snapshot(unsigned which);

/* Render with the test's own lookup tables (tests/data/view); returns malloc'ed text. */
char *fx_table(const struct sks_snapshot *snap, uint32_t flags, unsigned width);
char *fx_json(const struct sks_snapshot *snap, uint32_t flags);

/* Compare and, on mismatch, print both texts before failing. */
void fx_assert_text(const char *got, const char *want, const char *file, int line);
#define FX_ASSERT_TEXT(got, want) fx_assert_text(got, want, __FILE__, __LINE__)

#endif
