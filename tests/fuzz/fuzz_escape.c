// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the escapers (src/lib/util/escape.c): arbitrary bytes
 * through sks_escape_text(), sks_escape_json() and sks_utf8_valid().  The
 * text form must hold no C0 control byte or DEL and be valid UTF-8; the
 * JSON form must be valid UTF-8 with no raw control byte, and report
 * replacement exactly when the input was not valid UTF-8.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sks_buf t = SKS_BUF_INIT, j = SKS_BUF_INIT;
	bool valid = sks_utf8_valid(data, size);
	size_t i;
	int r;

	if (sks_escape_text(&t, data, size) < 0)
		abort();
	for (i = 0; i < t.len; i++)
		if ((uint8_t)t.data[i] < 0x20 || (uint8_t)t.data[i] == 0x7f)
			abort();
	if (!sks_utf8_valid(t.data, t.len))
		abort();
	/* Nothing to escape means nothing changed. */
	if (t.len == size && memcmp(t.data, data, size) && size)
		abort();

	r = sks_escape_json(&j, data, size);
	if (r < 0 || r != (valid ? 0 : 1))
		abort();
	if (!sks_utf8_valid(j.data, j.len))
		abort();
	for (i = 0; i < j.len; i++)
		if ((uint8_t)j.data[i] < 0x20)
			abort();

	sks_buf_release(&t);
	sks_buf_release(&j);
	return 0;
}
