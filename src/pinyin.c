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

/* The vowel (or syllabic nasal) under a tone mark, 0 if c carries none. */
static uint32_t untoned(uint32_t c)
{
	static const struct { uint32_t toned, base; } marks[] = {
		{ 0x101, 'a' }, { 0xE1, 'a' }, { 0x1CE, 'a' }, { 0xE0, 'a' },
		{ 0x113, 'e' }, { 0xE9, 'e' }, { 0x11B, 'e' }, { 0xE8, 'e' },
		{ 0x12B, 'i' }, { 0xED, 'i' }, { 0x1D0, 'i' }, { 0xEC, 'i' },
		{ 0x14D, 'o' }, { 0xF3, 'o' }, { 0x1D2, 'o' }, { 0xF2, 'o' },
		{ 0x16B, 'u' }, { 0xFA, 'u' }, { 0x1D4, 'u' }, { 0xF9, 'u' },
		{ 0x1D6, 0xFC }, { 0x1D8, 0xFC }, { 0x1DA, 0xFC }, { 0x1DC, 0xFC },
		{ 0x144, 'n' }, { 0x148, 'n' }, { 0x1F9, 'n' }, { 0x1E3F, 'm' },
	};
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (marks[i].toned == c)
			return marks[i].base;
	return 0;
}

/* Whether syl, written without tone marks (a neutral tone, or a reader's
 * plain spelling), is one of cp's readings with its marks taken off.  The
 * seed garbling copies readings from a table, marks included, so such an
 * annotation is a person's. */
bool mf_pinyin_toneless_match(uint32_t cp, const char *syl, size_t len)
{
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)syl[k] >= 0x80)
			return false;
	int i = py_index(cp);
	if (i < 0)
		return false;
	for (uint32_t k = mf_py_first[i]; k < mf_py_first[i + 1]; k++) {
		const char *s = mf_py_syl_pool + mf_py_syl_off[mf_py_read[k]];
		size_t sl = strlen(s), a = 0, b = 0;
		while (a < sl && b < len) {
			uint32_t c;
			size_t m = mf_utf8_decode((const unsigned char *)s + a, sl - a, &c);
			if (m == 0)
				break;
			uint32_t base = c < 0x80 ? c : untoned(c);
			if (base == 0xFC)
				base = (syl[b] == 'v') ? 'v' : 'u';
			if (base != (unsigned char)syl[b])
				break;
			a += m;
			b++;
		}
		if (a == sl && b == len)
			return true;
	}
	return false;
}

/* Whether syl is a reading of any character (a real syllable). */
bool mf_pinyin_is_syllable(const char *syl, size_t len)
{
	for (size_t k = 0; k < MF_PY_NSYL; k++) {
		const char *s = mf_py_syl_pool + mf_py_syl_off[k];
		if (strlen(s) == len && memcmp(s, syl, len) == 0)
			return true;
	}
	return false;
}

bool mf_pinyin_has_reading(uint32_t cp, const char *syl, size_t len)
{
	return mf_pinyin_rank(cp, syl, len) >= 0;
}
