/* GBK family and Latin-1/CP1252 through the generated tables.
 * SPDX-License-Identifier: MIT */
#include "internal.h"

#include "gbk.h"
#include "sbcs.h"

bool mf_gbk_is_lead(unsigned char b) { return b >= 0x81 && b <= 0xFE; }
bool mf_gbk_is_trail(unsigned char b) { return b >= 0x40 && b <= 0xFE && b != 0x7F; }

static size_t gbk_index(unsigned char lead, unsigned char trail)
{
	return (size_t)(lead - 0x81) * MF_GBK_NTRAIL + (size_t)(trail - 0x40);
}

uint32_t mf_gbk_decode_pair(unsigned char lead, unsigned char trail)
{
	if (!mf_gbk_is_lead(lead) || !mf_gbk_is_trail(trail))
		return 0;
	return mf_gbk_dec[gbk_index(lead, trail)];
}

bool mf_gbk_pair_in_gbk(unsigned char lead, unsigned char trail)
{
	if (!mf_gbk_is_lead(lead) || !mf_gbk_is_trail(trail))
		return false;
	return (mf_gbk_src[gbk_index(lead, trail)] & 1) != 0;
}

const uint16_t *const mf_gbk_enc_bmp = mf_gbk_enc;

int mf_sbcs_encode(uint32_t cp, bool *cp1252_only)
{
	*cp1252_only = false;
	if (cp <= 0xFF)
		return (int)cp;
	if (cp < mf_cp1252_enc_cp[0] || cp > mf_cp1252_enc_cp[MF_CP1252_NENC - 1])
		return -1;
	size_t lo = 0, hi = MF_CP1252_NENC;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (mf_cp1252_enc_cp[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < MF_CP1252_NENC && mf_cp1252_enc_cp[lo] == cp) {
		*cp1252_only = true;
		return mf_cp1252_enc_byte[lo];
	}
	return -1;
}

uint32_t mf_cp1252_decode(unsigned char b)
{
	return mf_cp1252_dec[b];
}
