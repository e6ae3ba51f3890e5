/*
 * test_tables.c: checks of the generated tables in tables/ (Check framework).
 * SPDX-License-Identifier: MIT
 *
 * Build: make tests/test_tables (rule in tables/tables.mk); run:
 * ./tests/test_tables.  Cross-checks against glibc iconv(3).
 */
#include <check.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbk.h"
#include "lm.h"
#include "pinyin.h"
#include "sbcs.h"

/* ---------- helpers ---------- */

static uint32_t utf8_next(const char **sp)
{
	const unsigned char *s = (const unsigned char *)*sp;
	uint32_t cp;
	int n;
	if (s[0] < 0x80) {
		cp = s[0];
		n = 0;
	} else if ((s[0] & 0xE0) == 0xC0) {
		cp = s[0] & 0x1F;
		n = 1;
	} else if ((s[0] & 0xF0) == 0xE0) {
		cp = s[0] & 0x0F;
		n = 2;
	} else {
		cp = s[0] & 0x07;
		n = 3;
	}
	for (int i = 1; i <= n; i++)
		cp = (cp << 6) | (s[i] & 0x3F);
	*sp += n + 1;
	return cp;
}

static uint32_t cp_of(const char *s)
{
	return utf8_next(&s);
}

/* Convert in[0..n) with cd; return the single code point produced, or -1
 * if the conversion fails or does not produce exactly one character. */
static long iconv_one(iconv_t cd, const unsigned char *in, size_t n)
{
	char inbuf[8], outbuf[16];
	char *ip = inbuf, *op = outbuf;
	size_t il = n, ol = sizeof outbuf;
	memcpy(inbuf, in, n);
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il != 0)
		return -1;
	if (iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
		return -1;
	*op = '\0';
	const char *p = outbuf;
	uint32_t cp = utf8_next(&p);
	if (p != op)
		return -1;
	return (long)cp;
}

static iconv_t open_or_fail(const char *to, const char *from)
{
	iconv_t cd = iconv_open(to, from);
	ck_assert_msg(cd != (iconv_t)-1, "iconv_open(%s, %s): %s", to, from, strerror(errno));
	return cd;
}

static int idx_of(int lead, int trail)
{
	return MF_GBK_INDEX(lead, trail);
}

static uint16_t code_of(int i)
{
	return (uint16_t)(((0x81 + i / MF_GBK_NTRAIL) << 8) | (0x40 + i % MF_GBK_NTRAIL));
}

static int user_area(int lead, int trail)
{
	if (trail == 0x7F)
		return 0;
	return (lead >= 0xAA && lead <= 0xAF && trail >= 0xA1) ||
	       (lead >= 0xF8 && lead <= 0xFE && trail >= 0xA1) ||
	       (lead >= 0xA1 && lead <= 0xA7 && trail <= 0xA0);
}

static int is_han(uint32_t c)
{
	return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
	       (c >= 0xF900 && c <= 0xFAFF);
}

/* ---------- GBK ---------- */

/* Codes whose decoded character encodes to other bytes (documented in gbk.h):
 * A2E3 is U+20AC in GB18030, but U+20AC encodes as CP936's single byte 0x80. */
static const uint16_t gbk_no_roundtrip[] = {0xA2E3};

static int in_list(const uint16_t *v, size_t n, uint16_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

START_TEST(test_gbk_roundtrip)
{
	long n = 0;
	ck_assert_uint_eq(mf_gbk_enc[0x20AC], 0x0080);
	for (int i = 0; i < MF_GBK_NLEAD * MF_GBK_NTRAIL; i++) {
		uint16_t code = code_of(i), cp = mf_gbk_dec[i];
		if ((code & 0xFF) == 0x7F) {
			ck_assert_uint_eq(cp, 0);
			ck_assert_uint_eq(mf_gbk_src[i], 0);
			continue;
		}
		if (mf_gbk_src[i] & MF_GBK_IN_GBK)
			ck_assert_msg(cp != 0, "GBK code %04X has no character", code);
		if (cp == 0)
			continue;
		n++;
		if (in_list(gbk_no_roundtrip, sizeof gbk_no_roundtrip / sizeof gbk_no_roundtrip[0], code))
			continue;
		ck_assert_msg(mf_gbk_enc[cp] == code, "%04X -> U+%04X -> %04X", code, cp, mf_gbk_enc[cp]);
	}
	ck_assert_int_eq(n, 23940);
}
END_TEST

START_TEST(test_gbk_enc_consistent)
{
	/* every encodable code point encodes to a code that decodes */
	for (uint32_t cp = 0; cp < 0x80; cp++)
		ck_assert_uint_eq(mf_gbk_enc[cp], 0);
	for (uint32_t cp = 0x80; cp < 65536; cp++) {
		uint16_t code = mf_gbk_enc[cp];
		if (!code || cp == 0x20AC)
			continue;
		int lead = code >> 8, trail = code & 0xFF;
		ck_assert_msg(lead >= 0x81 && lead <= 0xFE && trail >= 0x40 && trail <= 0xFE && trail != 0x7F,
		              "U+%04X -> bad code %04X", cp, code);
		ck_assert_msg(mf_gbk_dec[idx_of(lead, trail)] != 0, "U+%04X -> %04X unmapped", cp, code);
	}
	for (int i = 0; i < MF_GBK_NASTRAL; i++) {
		int lead = mf_gbk_astral_code[i] >> 8, trail = mf_gbk_astral_code[i] & 0xFF;
		ck_assert(mf_gbk_astral_cp[i] > 0xFFFF);
		ck_assert(i == 0 || mf_gbk_astral_cp[i - 1] < mf_gbk_astral_cp[i]);
		ck_assert(mf_gbk_src[idx_of(lead, trail)] & MF_GBK_IN_GB18030);
	}
}
END_TEST

START_TEST(test_gbk_iconv_gbk)
{
	iconv_t cd = open_or_fail("UTF-8", "GBK");
	long mapped = 0;
	unsigned char b[2];
	b[0] = 0x80;
	ck_assert_int_eq(iconv_one(cd, b, 1), 0x20AC);
	for (int lead = 0x81; lead <= 0xFE; lead++)
		for (int trail = 0x40; trail <= 0xFE; trail++) {
			if (trail == 0x7F)
				continue;
			b[0] = (unsigned char)lead;
			b[1] = (unsigned char)trail;
			long cp = iconv_one(cd, b, 2);
			int i = idx_of(lead, trail);
			if (cp < 0) {
				ck_assert_msg(!(mf_gbk_src[i] & MF_GBK_IN_GBK), "%02X%02X: iconv GBK fails", lead, trail);
				continue;
			}
			mapped++;
			ck_assert_msg(mf_gbk_src[i] & MF_GBK_IN_GBK, "%02X%02X: iconv GBK maps it", lead, trail);
			ck_assert_msg(mf_gbk_dec[i] == cp, "%02X%02X: table U+%04X, iconv U+%04lX",
			              lead, trail, mf_gbk_dec[i], cp);
		}
	ck_assert_int_eq(mapped, 21791);
	iconv_close(cd);
}
END_TEST

START_TEST(test_gbk_iconv_gb18030)
{
	iconv_t cd = open_or_fail("UTF-8", "GB18030");
	long mapped = 0, ua = 0;
	unsigned char b[2];
	for (int lead = 0x81; lead <= 0xFE; lead++)
		for (int trail = 0x40; trail <= 0xFE; trail++) {
			if (trail == 0x7F)
				continue;
			b[0] = (unsigned char)lead;
			b[1] = (unsigned char)trail;
			long cp = iconv_one(cd, b, 2);
			int i = idx_of(lead, trail);
			int in18 = (mf_gbk_src[i] & MF_GBK_IN_GB18030) != 0;
			ck_assert_msg(in18 == (cp >= 0), "%02X%02X: GB18030 flag %d, iconv %ld", lead, trail, in18, cp);
			ck_assert_msg(((mf_gbk_src[i] & MF_GBK_USER_AREA) != 0) == user_area(lead, trail),
			              "%02X%02X: user-area flag", lead, trail);
			if (cp < 0)
				continue;
			mapped++;
			if (user_area(lead, trail)) {
				ua++;
				ck_assert_msg(cp >= 0xE000 && cp <= 0xF8FF, "%02X%02X: not PUA", lead, trail);
				ck_assert_msg(mf_gbk_dec[i] == cp, "%02X%02X: table U+%04X, iconv U+%04lX",
				              lead, trail, mf_gbk_dec[i], cp);
			}
			/* every character GB18030 produces encodes back */
			if (cp > 0xFFFF) {
				int found = 0;
				for (int k = 0; k < MF_GBK_NASTRAL; k++)
					found |= mf_gbk_astral_cp[k] == (uint32_t)cp &&
					         mf_gbk_astral_code[k] == ((lead << 8) | trail);
				ck_assert_msg(found, "%02X%02X: U+%04lX not in mf_gbk_astral", lead, trail, cp);
			} else if (cp != 0x20AC) {
				ck_assert_msg(mf_gbk_enc[cp] == ((lead << 8) | trail), "%02X%02X: U+%04lX encodes as %04X",
				              lead, trail, cp, mf_gbk_enc[cp]);
			}
			if (!(mf_gbk_src[i] & MF_GBK_IN_GBK) && cp <= 0xFFFF)
				ck_assert_msg(mf_gbk_dec[i] == cp, "%02X%02X: dec should follow GB18030", lead, trail);
		}
	ck_assert_int_eq(mapped, 23940);
	ck_assert_int_eq(ua, 1894);
	iconv_close(cd);
}
END_TEST

/* Mappings other decoders produce (CP936 / GB18030-2005 / WHATWG). */
static const struct {
	uint32_t cp;
	uint16_t code;
} gbk_alt[] = {
	{0x00B7, 0xA1A4}, {0x2014, 0xA1AA}, /* the same in every GBK table */
	{0xE5E5, 0xA3A0},                   /* A3A0, user area */
	{0xE7C7, 0xA8BC}, {0x1E3F, 0xA8BC}, /* ḿ: CP936 PUA / GB18030-2005 */
	{0xE7C8, 0xA8BF}, {0x01F9, 0xA8BF}, /* ǹ */
	{0xE78D, 0xA6D9}, {0xFE10, 0xA6D9}, /* vertical forms, 2005 PUA / 2022 */
	{0xE796, 0xA6F3}, {0xFE19, 0xA6F3},
	{0xE81E, 0xFE59}, {0x9FB4, 0xFE59},
	{0xE864, 0xFEA0}, {0x9FBB, 0xFEA0},
	{0xE816, 0xFE51},                   /* U+20087 in glibc: mf_gbk_astral */
	{0xE7E7, 0xA989}, {0x303E, 0xA989},
	{0xE000, 0xAAA1}, {0xE4C5, 0xFEFE}, {0xE4C6, 0xA140}, {0xE765, 0xA7A0},
};

START_TEST(test_gbk_alternates)
{
	for (size_t i = 0; i < sizeof gbk_alt / sizeof gbk_alt[0]; i++)
		ck_assert_msg(mf_gbk_enc[gbk_alt[i].cp] == gbk_alt[i].code, "U+%04X: %04X, want %04X",
		              gbk_alt[i].cp, mf_gbk_enc[gbk_alt[i].cp], gbk_alt[i].code);
	ck_assert_uint_eq(mf_gbk_dec[idx_of(0xA1, 0xA4)], 0x00B7);
	ck_assert_uint_eq(mf_gbk_dec[idx_of(0xFE, 0x51)], 0xE816);
	ck_assert_uint_eq(mf_gbk_dec[idx_of(0xA8, 0xBC)], 0x1E3F);
}
END_TEST

/* ---------- CP1252 ---------- */

START_TEST(test_cp1252)
{
	iconv_t cd = open_or_fail("UTF-8", "CP1252");
	int holes = 0;
	for (int b = 0; b < 256; b++) {
		unsigned char c = (unsigned char)b;
		long cp = iconv_one(cd, &c, 1);
		if (cp < 0) {
			holes++;
			ck_assert_msg(b >= 0x80 && b <= 0x9F, "%02X unmapped", b);
			ck_assert_uint_eq(mf_cp1252_dec[b], b); /* C1 control */
		} else {
			ck_assert_msg(mf_cp1252_dec[b] == cp, "%02X: U+%04X vs iconv U+%04lX", b, mf_cp1252_dec[b], cp);
		}
		if (b < 0x80 || b >= 0xA0)
			ck_assert_uint_eq(mf_cp1252_dec[b], b);
	}
	ck_assert_int_eq(holes, 5);
	ck_assert_uint_eq(mf_cp1252_dec[0x81], 0x81);
	ck_assert_uint_eq(mf_cp1252_dec[0x8D], 0x8D);
	ck_assert_uint_eq(mf_cp1252_dec[0x8F], 0x8F);
	ck_assert_uint_eq(mf_cp1252_dec[0x90], 0x90);
	ck_assert_uint_eq(mf_cp1252_dec[0x9D], 0x9D);
	ck_assert_int_eq(MF_CP1252_NENC, 27);
	for (int i = 0; i < MF_CP1252_NENC; i++) {
		ck_assert(i == 0 || mf_cp1252_enc_cp[i - 1] < mf_cp1252_enc_cp[i]);
		ck_assert_uint_eq(mf_cp1252_dec[mf_cp1252_enc_byte[i]], mf_cp1252_enc_cp[i]);
	}
	iconv_close(cd);
}
END_TEST

/* ---------- pinyin ---------- */

static int py_find(uint32_t cp)
{
	int lo = 0, hi = MF_PY_NCHARS - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (mf_py_cp[mid] == cp)
			return mid;
		if (mf_py_cp[mid] < cp)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static const char *py_reading(int ci, uint32_t k)
{
	return mf_py_syl_pool + mf_py_syl_off[mf_py_read[mf_py_first[ci] + k]];
}

/* first reading = Unihan kMandarin; the seeds annotate with exactly these */
static const struct {
	const char *ch, *first, *also;
} py_spot[] = {
	{"報", "bào", "fù"},   {"請", "qǐng", NULL}, {"關", "guān", NULL},
	{"為", "wèi", "wéi"},  {"驗", "yàn", NULL},  {"堅", "jiān", NULL},
	{"調", "diào", "tiáo"}, {"長", "zhǎng", "cháng"}, {"中", "zhōng", "zhòng"},
	{"行", "xíng", "háng"}, {"动", "dòng", NULL},  {"了", "le", "liǎo"},
	{"女", "nǚ", NULL},    {"绿", "lǜ", "lù"},
};

START_TEST(test_pinyin_spot)
{
	for (size_t i = 0; i < sizeof py_spot / sizeof py_spot[0]; i++) {
		int ci = py_find(cp_of(py_spot[i].ch));
		ck_assert_msg(ci >= 0, "%s: no readings", py_spot[i].ch);
		ck_assert_str_eq(py_reading(ci, 0), py_spot[i].first);
		if (py_spot[i].also) {
			int found = 0;
			for (uint32_t k = 0; k < mf_py_first[ci + 1] - mf_py_first[ci]; k++)
				found |= strcmp(py_reading(ci, k), py_spot[i].also) == 0;
			ck_assert_msg(found, "%s: no reading %s", py_spot[i].ch, py_spot[i].also);
		}
	}
}
END_TEST

START_TEST(test_pinyin_structure)
{
	ck_assert_uint_eq(mf_py_first[0], 0);
	ck_assert_uint_eq(mf_py_first[MF_PY_NCHARS], MF_PY_NREAD);
	for (int i = 0; i < MF_PY_NCHARS; i++) {
		ck_assert(i == 0 || mf_py_cp[i - 1] < mf_py_cp[i]);
		ck_assert(mf_py_first[i] < mf_py_first[i + 1]); /* >= 1 reading */
		for (uint32_t k = mf_py_first[i]; k < mf_py_first[i + 1]; k++) {
			ck_assert(mf_py_read[k] < MF_PY_NSYL);
			for (uint32_t j = mf_py_first[i]; j < k; j++)
				ck_assert(mf_py_read[j] != mf_py_read[k]); /* no duplicates */
		}
	}
	for (int s = 0; s < MF_PY_NSYL; s++) {
		ck_assert(mf_py_syl_off[s] < MF_PY_POOL_SIZE);
		if (s > 0) {
			ck_assert(mf_py_syl_off[s - 1] < mf_py_syl_off[s]);
			ck_assert(strcmp(mf_py_syl_pool + mf_py_syl_off[s - 1], mf_py_syl_pool + mf_py_syl_off[s]) < 0);
		}
		ck_assert(strlen(mf_py_syl_pool + mf_py_syl_off[s]) > 0);
	}
	ck_assert(mf_py_syl_pool[MF_PY_POOL_SIZE - 1] == '\0');
}
END_TEST

/* GBK Han characters for which no input (Unihan readings, go-pinyin) has
 * any reading: unit characters (兙 decagram ...), a Japanese kokuji, and
 * CJK compatibility ideographs. */
static const uint32_t py_no_reading[] = {
	0x5159, 0x5161, 0x55E7, 0x685B, 0x70EA, 0x74E7, 0x74F0, 0x74F1, 0x74FC, 0x7505,
	0xF92C, 0xF979, 0xF995, 0xF9E7, 0xF9F1, 0xFA0C, 0xFA0D, 0xFA0E, 0xFA0F, 0xFA11,
	0xFA13, 0xFA14, 0xFA1F, 0xFA20, 0xFA21, 0xFA23, 0xFA24, 0xFA27, 0xFA28, 0xFA29,
};

START_TEST(test_pinyin_gbk_han)
{
	long han = 0, without = 0;
	for (int i = 0; i < MF_GBK_NLEAD * MF_GBK_NTRAIL; i++) {
		uint32_t cp = mf_gbk_dec[i];
		if (!(mf_gbk_src[i] & MF_GBK_IN_GBK) || !is_han(cp))
			continue;
		han++;
		int listed = 0;
		for (size_t k = 0; k < sizeof py_no_reading / sizeof py_no_reading[0]; k++)
			listed |= py_no_reading[k] == cp;
		if (listed) {
			without++;
			ck_assert_msg(py_find(cp) < 0, "U+%04X has a reading now: drop it from the list", cp);
		} else {
			ck_assert_msg(py_find(cp) >= 0, "GBK Han U+%04X has no reading", cp);
		}
	}
	ck_assert_int_eq(han, 20923); /* glibc GBK leaves FE50-FEA0 unmapped */
	ck_assert_int_eq(without, 30);
}
END_TEST

/* ---------- language model ---------- */

static int lm_id(uint32_t cp)
{
	int lo = 0, hi = MF_LM_NVOCAB - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (mf_lm_vocab[mid] == cp)
			return mid;
		if (mf_lm_vocab[mid] < cp)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

typedef struct {
	const uint8_t *uni, *bo, *val;
	const uint32_t *key;
	int n, oov;
} lm_script;

static const lm_script lm_simp = {mf_lm_uni_simp, mf_lm_bo_simp, mf_lm_bi_simp_val,
                                  mf_lm_bi_simp_key, MF_LM_NBI_SIMP, MF_LM_OOV_SIMP};
static const lm_script lm_trad = {mf_lm_uni_trad, mf_lm_bo_trad, mf_lm_bi_trad_val,
                                  mf_lm_bi_trad_key, MF_LM_NBI_TRAD, MF_LM_OOV_TRAD};

static int lm_pair(const lm_script *m, int a, int b)
{
	uint32_t k = (uint32_t)a << 16 | (uint32_t)b;
	int lo = 0, hi = m->n - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (m->key[mid] == k)
			return m->val[mid];
		if (m->key[mid] < k)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return m->bo[a] + m->uni[b];
}

/* total cost of a UTF-8 string: characters outside the vocabulary (CJK or
 * not) cost the OOV cost and break the chain */
static long lm_score(const lm_script *m, const char *s)
{
	long cost = 0;
	int prev = -1;
	while (*s) {
		int id = lm_id(utf8_next(&s));
		if (id < 0)
			cost += m->oov;
		else
			cost += prev < 0 ? m->uni[id] : lm_pair(m, prev, id);
		prev = id;
	}
	return cost;
}

static long lm_best(const char *s)
{
	long a = lm_score(&lm_simp, s), b = lm_score(&lm_trad, s);
	return a < b ? a : b;
}

/* UTF-8 bytes of s decoded as GBK with mf_gbk_dec ('?' for invalid) */
static void mojibake(const char *s, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	while (*p && o + 5 < cap) {
		uint32_t cp = '?';
		if (*p < 0x80) {
			cp = *p++;
		} else if (*p >= 0x81 && *p <= 0xFE && p[1] >= 0x40 && p[1] <= 0xFE && p[1] != 0x7F &&
		           mf_gbk_dec[idx_of(p[0], p[1])]) {
			cp = mf_gbk_dec[idx_of(p[0], p[1])];
			p += 2;
		} else {
			p++;
		}
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xC0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		} else {
			out[o++] = (char)(0xE0 | (cp >> 12));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	out[o] = '\0';
}

static const char *const lm_real[] = {
	"由月要好好学习天天向上",
	"大眾日報評論丨以堅強組織領導確保取得實效",
	"正是因為堅持高位推進",
	"確保基層",
	"开展好第二批主题教育",
	"事關基層黨組織凝聚力戰斗力",
	"文件不存在",
	"無法開啟檔案",
	"请输入密码",
	"中文",
};

START_TEST(test_lm_real_beats_mojibake)
{
	char buf[512];
	mojibake("由月要好好学习天天向上", buf, sizeof buf);
	/* GARBLING.md's 古文码, with the PUA character GB18030 and CP936 give
	 * for E5 AD (U+E11F), which the table there leaves out */
	ck_assert_str_eq(buf, "鐢辨湀瑕佸ソ濂藉" "\xEE\x84\x9F" "涔犲ぉ澶╁悜涓?");
	for (size_t i = 0; i < sizeof lm_real / sizeof lm_real[0]; i++) {
		mojibake(lm_real[i], buf, sizeof buf);
		long r = lm_best(lm_real[i]), g = lm_best(buf);
		ck_assert_msg(r < g, "%s (%ld) vs %s (%ld)", lm_real[i], r, buf, g);
	}
	/* the right fill for a lost byte: 確保基 over other B1xx characters */
	ck_assert(lm_score(&lm_trad, "確保基") < lm_score(&lm_trad, "確鼻基"));
	ck_assert(lm_score(&lm_trad, "因為堅") < lm_score(&lm_trad, "因爲堅") + 16);
}
END_TEST

START_TEST(test_lm_structure)
{
	size_t bytes = sizeof mf_lm_vocab + sizeof mf_lm_uni_simp + sizeof mf_lm_uni_trad +
	               sizeof mf_lm_bo_simp + sizeof mf_lm_bo_trad + sizeof mf_lm_bi_simp_key +
	               sizeof mf_lm_bi_simp_val + sizeof mf_lm_bi_trad_key + sizeof mf_lm_bi_trad_val;
	ck_assert_uint_eq(bytes, MF_LM_DATA_BYTES);
	/* the brief's bound, for both scripts, with the indexes the generator
	 * makes to look entries up */
	size_t all = bytes + sizeof mf_lm_han_id + sizeof mf_lm_bi_simp_row + sizeof mf_lm_bi_trad_row;
	ck_assert_msg(all <= 2000000u, "the model is %zu bytes", all);
	ck_assert_int_lt(MF_LM_NVOCAB, 65536);
	ck_assert_int_eq(MF_LM_SCALE, 8);
	for (int i = 0; i < MF_LM_NVOCAB; i++) {
		uint32_t c = mf_lm_vocab[i];
		ck_assert(i == 0 || mf_lm_vocab[i - 1] < c);
		ck_assert_msg(is_han(c) || (c >= 0x20000 && c <= 0x3FFFF), "U+%04X not CJK", c);
		ck_assert_int_le(mf_lm_uni_simp[i], MF_LM_OOV_SIMP);
		ck_assert_int_le(mf_lm_uni_trad[i], MF_LM_OOV_TRAD);
	}
	const lm_script *ms[2] = {&lm_simp, &lm_trad};
	for (int s = 0; s < 2; s++) {
		const lm_script *m = ms[s];
		ck_assert_int_gt(m->n, 10000);
		for (int i = 0; i < m->n; i++) {
			uint32_t k = m->key[i];
			ck_assert(i == 0 || m->key[i - 1] < k);
			ck_assert_int_lt(k >> 16, MF_LM_NVOCAB);
			ck_assert_int_lt(k & 0xFFFF, MF_LM_NVOCAB);
			/* a stored pair is cheaper than backing off, or it would not be kept */
			ck_assert_int_lt(m->val[i], m->bo[k >> 16] + m->uni[k & 0xFFFF]);
		}
	}
	/* the indexes agree with the arrays they index */
	const uint32_t *rows[2] = {mf_lm_bi_simp_row, mf_lm_bi_trad_row};
	for (int s = 0; s < 2; s++) {
		ck_assert_uint_eq(rows[s][0], 0);
		ck_assert_uint_eq(rows[s][MF_LM_NVOCAB], (uint32_t)ms[s]->n);
		for (int id = 0; id < MF_LM_NVOCAB; id++)
			for (uint32_t i = rows[s][id]; i < rows[s][id + 1]; i++)
				ck_assert_uint_eq(ms[s]->key[i] >> 16, (uint32_t)id);
	}
	size_t indexed = 0;
	for (uint32_t cp = MF_LM_HAN_FIRST; cp <= MF_LM_HAN_LAST; cp++) {
		unsigned id = mf_lm_han_id[cp - MF_LM_HAN_FIRST];
		if (id != 0xFFFF) {
			ck_assert_uint_eq(mf_lm_vocab[id], cp);
			indexed++;
		}
	}
	size_t in_range = 0;
	for (int i = 0; i < MF_LM_NVOCAB; i++)
		in_range += mf_lm_vocab[i] >= MF_LM_HAN_FIRST && mf_lm_vocab[i] <= MF_LM_HAN_LAST;
	ck_assert_uint_eq(indexed, in_range);
	/* frequent characters are cheap, in their own script */
	ck_assert_int_lt(mf_lm_uni_simp[lm_id(cp_of("的"))], 40);
	ck_assert_int_lt(mf_lm_uni_trad[lm_id(cp_of("們"))], mf_lm_uni_simp[lm_id(cp_of("們"))]);
	ck_assert_int_lt(mf_lm_uni_simp[lm_id(cp_of("们"))], mf_lm_uni_trad[lm_id(cp_of("们"))]);
}
END_TEST

static Suite *tables_suite(void)
{
	Suite *s = suite_create("tables");
	TCase *tc = tcase_create("gbk");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_gbk_roundtrip);
	tcase_add_test(tc, test_gbk_enc_consistent);
	tcase_add_test(tc, test_gbk_iconv_gbk);
	tcase_add_test(tc, test_gbk_iconv_gb18030);
	tcase_add_test(tc, test_gbk_alternates);
	suite_add_tcase(s, tc);
	tc = tcase_create("sbcs");
	tcase_add_test(tc, test_cp1252);
	suite_add_tcase(s, tc);
	tc = tcase_create("pinyin");
	tcase_add_test(tc, test_pinyin_spot);
	tcase_add_test(tc, test_pinyin_structure);
	tcase_add_test(tc, test_pinyin_gbk_han);
	suite_add_tcase(s, tc);
	tc = tcase_create("lm");
	tcase_add_test(tc, test_lm_structure);
	tcase_add_test(tc, test_lm_real_beats_mojibake);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tables_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
