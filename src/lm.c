/* Character language model: the generated Han unigram/bigram tables, plus a
 * small class model for everything else, so that any two texts can be
 * compared.  Costs are -ln(p) in 1/8 nat units.
 * SPDX-License-Identifier: MIT */
#include "internal.h"

#include "lm.h"

#define N(x) ((int)((x) * MF_LM_SCALE))   /* nats -> cost units */
_Static_assert(MF_LM_SCALE == 8, "internal.h's MF_LM_COST_SCALE");

static int vocab_id(uint32_t cp)
{
	if (cp >= MF_LM_HAN_FIRST && cp <= MF_LM_HAN_LAST) {
		unsigned id = mf_lm_han_id[cp - MF_LM_HAN_FIRST];
		return id == 0xFFFF ? -1 : (int)id;
	}
	size_t lo = 0, hi = MF_LM_NVOCAB;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (mf_lm_vocab[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < MF_LM_NVOCAB && mf_lm_vocab[lo] == cp) ? (int)lo : -1;
}

bool mf_lm_known(uint32_t cp)
{
	return mf_is_han(cp) && vocab_id(cp) >= 0;
}

int mf_lm_unigram(uint32_t cp)
{
	int id = mf_is_han(cp) ? vocab_id(cp) : -1;
	if (id < 0)
		return -1;
	int a = mf_lm_uni_simp[id], b = mf_lm_uni_trad[id];
	return a < b ? a : b;
}

/* The pair's cost, searched in its history's row only. */
static int bigram(const uint32_t *keys, const uint8_t *vals, const uint32_t *row, uint32_t key)
{
	size_t lo = row[key >> 16], hi = row[(key >> 16) + 1], n = hi;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < n && keys[lo] == key) ? vals[lo] : -1;
}

/* Character classes for the non-Han part of the model. */
enum cls {
	C_NONE, C_HAN, C_HAN_OOV, C_ALNUM, C_SPACE, C_PUNCT, C_CJK_PUNCT,
	C_LATIN, C_LATIN_SYM, C_CP1252_RARE, C_C1, C_PUA,
	C_FFFD, C_KANA, C_HANGUL, C_GREEK_CYR, C_OTHER_SCRIPT, C_SYMBOL,
	C_CONTROL, C_RAW, C_OTHER, C_CJK_RARE_PUNCT
};

/* The punctuation Chinese text actually uses; the rest of the CJK symbol
 * blocks is rare. */
static bool common_cjk_punct(uint32_t c)
{
	switch (c) {
	case 0x3000: case 0x3001: case 0x3002: case 0x300A: case 0x300B: case 0x300C:
	case 0x300D: case 0x300E: case 0x300F: case 0x3010: case 0x3011: case 0xFF01:
	case 0xFF08: case 0xFF09: case 0xFF0C: case 0xFF1A: case 0xFF1B: case 0xFF1F:
	case 0xFF0E: case 0xFF05: case 0xFF0F: case 0xFF5E: case 0xFF0D:
		return true;
	}
	return (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A);
}

static enum cls classify(uint32_t c)
{
	if (c == 0)
		return C_NONE;
	if (MF_IS_RAW(c))
		return C_RAW;
	if (c < 0x80) {
		if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			return C_ALNUM;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			return C_SPACE;
		if (c < 0x20 || c == 0x7F)
			return C_CONTROL;
		return C_PUNCT;
	}
	if (mf_is_han(c))
		return C_HAN;
	if (c < 0xA0)
		return C_C1;
	if (c < 0xC0 || c == 0xD7 || c == 0xF7)
		return C_LATIN_SYM;
	if (c < 0x250)
		return C_LATIN;
	if (c >= 0x370 && c < 0x530)
		return C_GREEK_CYR;
	if (c >= 0x530 && c < 0x1100)
		return C_OTHER_SCRIPT;
	if (c >= 0x1E00 && c < 0x1F00)
		return C_LATIN;                   /* Vietnamese etc. */
	switch (c) {
	case 0x2018: case 0x2019: case 0x201C: case 0x201D: case 0x2013:
	case 0x2014: case 0x2026: case 0x00B7: case 0x2022:
		return C_CJK_PUNCT;          /* common in Chinese and Western text */
	case 0x201A: case 0x201E: case 0x2020: case 0x2021: case 0x2030:
	case 0x2039: case 0x203A: case 0x20AC: case 0x2122: case 0x02C6:
	case 0x02DC: case 0x0192:
		return C_CP1252_RARE;
	}
	if (c >= 0x2000 && c < 0x3000)
		return C_SYMBOL;
	if ((c >= 0x3000 && c < 0x3040) || (c >= 0xFF01 && c <= 0xFF65) ||
	    (c >= 0xFE30 && c < 0xFE50))
		return common_cjk_punct(c) ? C_CJK_PUNCT : C_CJK_RARE_PUNCT;
	if (c >= 0x3040 && c < 0x3100)
		return C_KANA;
	if (c >= 0x3100 && c < 0x3400)
		return C_SYMBOL;                 /* bopomofo, CJK compatibility */
	if ((c >= 0xAC00 && c < 0xD7A4) || (c >= 0x1100 && c < 0x1200) ||
	    (c >= 0x3130 && c < 0x3190))
		return C_HANGUL;
	if (c >= 0xE000 && c < 0xF900)
		return C_PUA;
	if (c == 0xFFFD)
		return C_FFFD;
	if ((c >= 0xA000 && c < 0xAC00) || (c >= 0xD7A4 && c < 0xE000))
		return C_OTHER_SCRIPT;
	if (c >= 0x10000)
		return C_OTHER;
	return C_SYMBOL;
}

/* Cost of a non-Han character given the class of the one before it.  The
 * figures are rough -ln(p) of each class in the kind of text mojifix sees;
 * what matters is that real text in any script is cheap and the debris of
 * wrong decodes (isolated Latin-1 symbols, C1 controls, PUA, lone letters of
 * other scripts between Han characters) is dear. */
static int class_cost(enum cls c, enum cls prev)
{
	switch (c) {
	case C_ALNUM:
		/* mixed Chinese/Latin text mostly puts a space between */
		if (prev == C_HAN || prev == C_HAN_OOV)
			return N(5.5);
		return prev == C_ALNUM ? N(2.0) : prev == C_SPACE ? N(3.0) : N(3.5);
	case C_SPACE:
		return N(2.5);
	case C_PUNCT:
		return prev == C_HAN ? N(4.5) : N(3.5);
	case C_CJK_PUNCT:
		/* what punct_nats does not price: fullwidth digits, letters and
		 * signs (／－％), which run together but are rare after Han */
		if (prev == C_CJK_PUNCT)
			return N(3.0);
		return prev == C_HAN || prev == C_HAN_OOV ? N(5.5) : N(5.0);
	case C_CJK_RARE_PUNCT:
		return N(9.0);
	case C_LATIN:
		if (prev == C_ALNUM)
			return N(4.0);
		return prev == C_LATIN ? N(7.0) : N(8.0);
	case C_LATIN_SYM:
		return N(10.0);
	case C_CP1252_RARE:
		return N(11.0);
	case C_C1:
		return N(20.0);
	case C_PUA:
		return N(18.0);
	case C_FFFD:
		return N(14.0);
	case C_KANA:
		return prev == C_KANA ? N(3.5) : N(6.0);
	case C_HANGUL:
		/* Korean writes Hangul and Han apart: a syllable inside Chinese
		 * text is what GBK bytes read as UTF-8 make of it */
		if (prev == C_HAN || prev == C_HAN_OOV)
			return N(11.0);
		return prev == C_HANGUL ? N(4.5) : N(7.0);
	case C_GREEK_CYR:
		return prev == C_GREEK_CYR ? N(4.5) : N(9.0);
	case C_OTHER_SCRIPT:
		return prev == C_OTHER_SCRIPT ? N(6.0) : N(11.0);
	case C_SYMBOL:
		return N(9.0);
	case C_CONTROL:
		return N(16.0);
	case C_RAW:
		return N(20.0);
	case C_HAN_OOV:
		return N(17.0);
	default:
		return N(12.0);
	}
}

/* Punctuation Chinese text uses, each with its own cost after a Han
 * character (nats), so that a lost byte of 。 is not filled as 〃.  -1: not
 * one of these. */
static double punct_nats(uint32_t c)
{
	switch (c) {
	case 0xFF0C: return 1.8;   /* ， */
	case 0x3002: return 2.0;   /* 。 */
	case 0x3001: return 3.0;   /* 、 */
	case 0x201C: case 0x201D: return 3.5;
	case 0xFF1A: return 3.5;   /* ： */
	case 0xFF1F: return 3.8;   /* ？ */
	case 0xFF01: return 4.0;   /* ！ */
	case 0x300D: return 4.0;   /* 」 */
	case 0x300C: case 0x300A: case 0x300B: case 0xFF08: case 0xFF09: case 0x2026: return 4.5;
	case 0xFF1B: case 0x2014: case 0x3000: return 5.0;
	case 0x2018: case 0x2019: case 0x3010: case 0x3011: case 0x00B7: return 5.5;
	case 0x300E: case 0x300F: case 0xFF5E: return 6.0;
	}
	return -1.0;
}

static bool sentence_final(uint32_t c)
{
	switch (c) {
	case 0x3002: case 0xFF01: case 0xFF1F: case 0x300D: case 0x300F: case 0x201D:
	case 0xFF09: case 0x300B: case 0x3011: case 0x2026: case 0xFF1A:
		return true;
	}
	return false;
}

/* Where a sentence stops (。！？…), before any closing mark */
static bool full_stop(uint32_t c)
{
	return c == 0x3002 || c == 0xFF01 || c == 0xFF1F || c == 0x2026;
}

static bool closing(uint32_t c)
{
	switch (c) {
	case 0x300D: case 0x300F: case 0x201D: case 0xFF09: case 0x300B: case 0x3011: case 0x2019:
		return true;
	}
	return false;
}

/* Modal particles end a sentence: the stop after them is the rule (吗？),
 * where after other Han characters it costs what punct_nats says. */
static bool modal_particle(uint32_t c)
{
	switch (c) {
	case 0x5417: case 0x5462: case 0x5427: case 0x554A: case 0x5440: case 0x561B: case 0x54E6: case 0x5566:
		return true;      /* 吗 呢 吧 啊 呀 嘛 哦 啦 */
	}
	return false;
}

static bool opening(uint32_t c)
{
	switch (c) {
	case 0x300C: case 0x300E: case 0x201C: case 0xFF08: case 0x300A: case 0x3010: case 0x2018:
		return true;
	}
	return false;
}

/* A Han character not in the vocabulary costs more than any known one. */
#define HAN_OOV_COST N(17.0)
#ifndef BACKOFF_CAP
#define BACKOFF_CAP N(1.5)
#endif
/* A Han character after a non-Han one: its unigram plus a small switch cost. */
#define HAN_START_COST N(0.5)

static int lm_cost(mf_script sc, uint32_t prev, uint32_t c)
{
	enum cls cc = classify(c), pc = classify(prev);
	int cid = -1, pid = -1;
	if (cc == C_HAN) {
		cid = vocab_id(c);
		if (cid < 0)
			cc = C_HAN_OOV;
	}
	if (pc == C_HAN) {
		pid = vocab_id(prev);
		if (pid < 0)
			pc = C_HAN_OOV;
	}
	if (cc != C_HAN) {
		double pn = punct_nats(c);
		if (pn >= 0) {
			/* a quotation or a bracket closes after its sentence's
			 * stop (。」, ！”): likelier there than a second stop */
			if (closing(c) && full_stop(prev))
				return N(1.5);
			if (full_stop(c) && c != 0x2026 && modal_particle(prev))
				return N(c == 0xFF1F && prev == 0x5417 ? 0.3 : 1.0);
			return N(pn) + (pc == C_HAN ? 0 : N(1.0));
		}
		/* how lines end: after closing punctuation a newline is the rule,
		 * after an opening bracket it never is */
		if (c == '\n' && pc == C_CJK_PUNCT)
			return sentence_final(prev) ? N(0.8) : opening(prev) ? N(9.0) : N(3.0);
		if (c < 0x80 && c != '\n' && pc == C_CJK_PUNCT && sentence_final(prev))
			return class_cost(cc, pc) + N(1.5);
		return class_cost(cc, pc);
	}
	const uint8_t *uni = sc == MF_SCRIPT_SIMP ? mf_lm_uni_simp : mf_lm_uni_trad;
	if (pc != C_HAN)
		return uni[cid] + HAN_START_COST + (pc == C_HAN_OOV ? N(2.0) : 0) + (pc == C_HANGUL ? N(6.0) : 0);
	uint32_t key = ((uint32_t)pid << 16) | (uint32_t)cid;
	int v = sc == MF_SCRIPT_SIMP
		? bigram(mf_lm_bi_simp_key, mf_lm_bi_simp_val, mf_lm_bi_simp_row, key)
		: bigram(mf_lm_bi_trad_key, mf_lm_bi_trad_val, mf_lm_bi_trad_row, key);
	/* The bigrams come from inside words; running text crosses a word
	 * boundary at every other character, so the way out of a word is never
	 * dearer than BACKOFF_CAP (the tables' Witten-Bell weight alone would
	 * make 例項時 cost more than its mojibake) */
	const uint8_t *bo = sc == MF_SCRIPT_SIMP ? mf_lm_bo_simp : mf_lm_bo_trad;
	int out = (bo[pid] < BACKOFF_CAP ? bo[pid] : BACKOFF_CAP) + uni[cid];
	return v >= 0 && v < out ? v : out;
}

/* The repair search asks for the same pairs over and over (every candidate
 * fill of a lost byte against the same neighbours, twice): a small cache of
 * recent answers, per thread.  A fixed size, nothing at start-up. */
#define LM_CACHE_BITS 14
static _Thread_local struct {
	uint64_t key;
	int cost;
} lm_cache[1u << LM_CACHE_BITS];

int mf_lm_cost(mf_script sc, uint32_t prev, uint32_t c)
{
	/* code points (and raw bytes) fit in 22 bits */
	if ((prev | c) >> 22)
		return lm_cost(sc, prev, c);
	uint64_t key = (uint64_t)1 << 63 | (uint64_t)sc << 44 | (uint64_t)prev << 22 | c;
	uint32_t h = (uint32_t)((key * 0x9E3779B97F4A7C15u) >> (64 - LM_CACHE_BITS));
	if (lm_cache[h].key == key)
		return lm_cache[h].cost;
	int cost = lm_cost(sc, prev, c);
	lm_cache[h].key = key;
	lm_cache[h].cost = cost;
	return cost;
}

long mf_lm_seq_cost(const uint32_t *cps, size_t n, uint32_t prev, uint32_t next)
{
	return mf_lm_seq_cost_in(-1, cps, n, prev, next);
}

/* One loop serves both: the model alone is the cache's sum with no cache. */
long mf_lm_seq_cost_in(int script, const uint32_t *cps, size_t n, uint32_t prev, uint32_t next)
{
	return mf_cache_seq_cost(NULL, script, cps, n, prev, next);
}

int mf_lm_script_of(const uint32_t *cps, size_t n)
{
	long c[2] = { 0, 0 };
	for (int sc = 0; sc < 2; sc++)
		for (size_t i = 1; i < n; i++)
			c[sc] += mf_lm_cost((mf_script)sc, cps[i - 1], cps[i]);
	return c[1] < c[0] ? MF_SCRIPT_TRAD : MF_SCRIPT_SIMP;
}
