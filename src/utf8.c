/* Strict UTF-8 decoding and encoding.
 * SPDX-License-Identifier: MIT */
#include "internal.h"

size_t mf_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char b = s[0];
	int len = mf_utf8_seq_len(b);
	if (len == 1) {
		*cp = b;
		return 1;
	}
	if (len == 0 || (size_t)len > n)
		goto bad;
	/* the second byte's range excludes overlongs, surrogates and > U+10FFFF */
	unsigned lo, hi;
	mf_utf8_second_range(b, &lo, &hi);
	if (s[1] < lo || s[1] > hi)
		goto bad;
	uint32_t v = b & (0x7F >> len);
	for (int i = 1; i < len; i++) {
		if (i > 1 && (s[i] & 0xC0) != 0x80)
			goto bad;
		v = (v << 6) | (s[i] & 0x3F);
	}
	*cp = v;
	return (size_t)len;
bad:
	*cp = MF_RAW_BYTE + b;
	return 1;
}

size_t mf_utf8_valid_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = mf_utf8_decode(s + i, n - i, &cp);
		if (MF_IS_RAW(cp))
			break;
		i += k;
	}
	return i;
}

size_t mf_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}
