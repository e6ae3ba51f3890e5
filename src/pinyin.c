/* Character -> Mandarin readings, from the generated table.
 * SPDX-License-Identifier: MIT */
#include <string.h>

#include "internal.h"

#include "pinyin.h"

static int py_index(uint32_t cp)
{
	size_t lo = 0, hi = MF_PY_NCHARS;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (mf_py_cp[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < MF_PY_NCHARS && mf_py_cp[lo] == cp) ? (int)lo : -1;
}

int mf_pinyin_readings(uint32_t cp, const char **out, int max)
{
	int i = py_index(cp);
	if (i < 0)
		return 0;
	int n = (int)(mf_py_first[i + 1] - mf_py_first[i]);
	for (int k = 0; k < n && k < max; k++)
		out[k] = mf_py_syl_pool + mf_py_syl_off[mf_py_read[mf_py_first[i] + (uint32_t)k]];
	return n;
}

/* Rank of syl among cp's readings (0 = customary), -1 if not a reading. */
int mf_pinyin_rank(uint32_t cp, const char *syl, size_t len)
{
	int i = py_index(cp);
	if (i < 0)
		return -1;
	for (uint32_t k = mf_py_first[i]; k < mf_py_first[i + 1]; k++) {
		const char *s = mf_py_syl_pool + mf_py_syl_off[mf_py_read[k]];
		if (strlen(s) == len && memcmp(s, syl, len) == 0)
			return (int)(k - mf_py_first[i]);
	}
	return -1;
}

bool mf_pinyin_has_reading(uint32_t cp, const char *syl, size_t len)
{
	return mf_pinyin_rank(cp, syl, len) >= 0;
}
