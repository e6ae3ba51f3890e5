/* Strict UTF-8 decoding and encoding.
 * SPDX-License-Identifier: MIT */
#include "internal.h"

int mf_utf8_seq_len(unsigned char b)
{
	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF)
		return 2;
	if (b >= 0xE0 && b <= 0xEF)
		return 3;
	if (b >= 0xF0 && b <= 0xF4)
		return 4;
	return 0;
}

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
	unsigned char lo = 0x80, hi = 0xBF;
	if (b == 0xE0)
		lo = 0xA0;
	else if (b == 0xED)
		hi = 0x9F;
	else if (b == 0xF0)
		lo = 0x90;
	else if (b == 0xF4)
		hi = 0x8F;
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

bool mf_utf8_is_cont(unsigned v)
{
	return v >= 0x80 && v <= 0xBF;
}

/* Second-byte limits of a UTF-8 lead byte (no overlongs, no surrogates,
 * nothing above U+10FFFF). */
void mf_utf8_second_range(unsigned lead, unsigned *lo, unsigned *hi)
{
	*lo = 0x80;
	*hi = 0xBF;
	if (lead == 0xE0)
		*lo = 0xA0;
	else if (lead == 0xED)
		*hi = 0x9F;
	else if (lead == 0xF0)
		*lo = 0x90;
	else if (lead == 0xF4)
		*hi = 0x8F;
}
