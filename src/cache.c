/* A document cache for the language model: the characters and character
 * pairs this document already spells intact.
 *
 * A lost byte leaves a choice between characters the general model may
 * barely tell apart (在 or 地, 設 or 言); the document itself usually
 * decides, because texts repeat their words.  The cache is read from the
 * repair made with every lost byte left as U+FFFD, so a fill never votes
 * for itself, and mixed into the model's probability (Kuhn and De Mori's
 * cache model).  Bounded: fixed tables, full tables stop counting.
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define UNI_SLOTS (1u << 14)
#define BI_SLOTS (1u << 16)
#define MIN_HAN 40              /* fewer Han characters say nothing */
#define W_UNI 0.10              /* mixture weights of the cache */
#define W_BI 0.20
#define SEP_NEXT 5              /* sep_next_class */
#define SEP_ALPHA 4.0           /* counts the uniform prior is worth */

struct mf_cache {
	uint32_t ukey[UNI_SLOTS];   /* 0 = empty */
	uint32_t ucnt[UNI_SLOTS];
	uint64_t bkey[BI_SLOTS];
	uint32_t bcnt[BI_SLOTS];
	unsigned nuni, nbi;
	unsigned long han;          /* Han characters counted */
	/* the ASCII byte after a character >= U+0080 (not U+FFFD), by what
	 * follows it (mf_cache_sep_costs) */
	uint32_t sep[2][SEP_NEXT][MF_SEP_BYTES];   /* [the line holds another tab] */
	uint32_t sep_total[2][SEP_NEXT];
	unsigned long generation;   /* changes with every change of the counts */
};

/* Generations are unique over the process, so a memo of answers made with
 * one state of one cache never serves another. */
static atomic_ulong next_generation = 1;

unsigned long mf_cache_generation(const mf_cache *c)
{
	return c ? c->generation : 0;
}

mf_cache *mf_cache_new(void)
{
	mf_cache *c = calloc(1, sizeof(mf_cache));
	if (c)
		c->generation = atomic_fetch_add(&next_generation, 1);
	return c;
}

void mf_cache_free(mf_cache *c)
{
	free(c);
}

static uint32_t mix32(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

static uint32_t *uni_slot(mf_cache *c, uint32_t cp, bool insert)
{
	for (uint32_t h = mix32(cp) & (UNI_SLOTS - 1);; h = (h + 1) & (UNI_SLOTS - 1)) {
		if (c->ukey[h] == cp)
			return &c->ucnt[h];
		if (c->ukey[h] == 0) {
			if (!insert || c->nuni >= UNI_SLOTS / 2)
				return NULL;
			c->ukey[h] = cp;
			c->nuni++;
			return &c->ucnt[h];
		}
	}
}

static uint32_t *bi_slot(mf_cache *c, uint64_t key, bool insert)
{
	for (uint32_t h = mix32(key) & (BI_SLOTS - 1);; h = (h + 1) & (BI_SLOTS - 1)) {
		if (c->bkey[h] == key)
			return &c->bcnt[h];
		if (c->bkey[h] == 0) {
			if (!insert || c->nbi >= BI_SLOTS / 2)
				return NULL;
			c->bkey[h] = key;
			c->nbi++;
			return &c->bcnt[h];
		}
	}
}

static uint64_t pair_key(uint32_t p, uint32_t c)
{
	return ((uint64_t)p << 32) | c;
}

/* The bytes a decoder may swallow after a bad lead (those that are no GBK
 * trail byte: repair.c's enum_fill tries them, in this order): 0x20..0x3F,
 * then the controls that end a line or a cell (CRLF's CR). */
static const unsigned char SEP_CONTROLS[] = { '\n', '\t', '\r' };
_Static_assert(0x40 - 0x20 + sizeof SEP_CONTROLS == MF_SEP_BYTES, "internal.h's MF_SEP_BYTES");

int mf_sep_index(uint32_t b)
{
	if (b >= 0x20 && b < 0x40)
		return (int)(b - 0x20);
	for (unsigned k = 0; k < sizeof SEP_CONTROLS; k++)
		if (b == SEP_CONTROLS[k])
			return 0x40 - 0x20 + (int)k;
	return -1;
}

unsigned mf_sep_byte(int j)
{
	return j < 0x40 - 0x20 ? 0x20u + (unsigned)j : SEP_CONTROLS[j - (0x40 - 0x20)];
}

/* What follows a separator: a line's end, a digit, a letter, other ASCII,
 * other text. */
static int sep_next_class(uint32_t x)
{
	if (x == 0 || x == '\n' || x == '\r')
		return 0;
	if (x >= '0' && x <= '9')
		return 1;
	if ((x | 0x20) >= 'a' && (x | 0x20) <= 'z')
		return 2;
	return x < 0x80 ? 3 : 4;
}

/* Every character is counted, pairs only where one side is Han: that is
 * what lost bytes are filled with; and the ASCII byte after a character
 * beyond ASCII, which is what a decoder swallows with a lost lead byte.
 * weight -1 takes a text back out. */
void mf_cache_add(mf_cache *c, const uint32_t *cps, size_t n, int weight)
{
	c->generation = atomic_fetch_add(&next_generation, 1);
	size_t line_end = 0, tabs = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t x = cps[i];
		if (i >= line_end) {
			/* the tabs of the line starting here */
			tabs = 0;
			for (line_end = i; line_end < n && cps[line_end] != '\n'; line_end++)
				tabs += cps[line_end] == '\t';
			line_end++;
		}
		if (x == 0xFFFD || MF_IS_RAW(x))
			continue;
		int si;
		/* ('?' after such a character may be a decoder's marker) */
		if (x < 0x80 && x != '?' && i > 0 && cps[i - 1] >= 0x80 && cps[i - 1] != 0xFFFD && !MF_IS_RAW(cps[i - 1]) &&
		    (si = mf_sep_index(x)) >= 0) {
			int k = sep_next_class(i + 1 < n ? cps[i + 1] : 0), t = tabs > (x == '\t');
			c->sep[t][k][si] += (uint32_t)weight;
			c->sep_total[t][k] += (uint32_t)weight;
		}
		uint32_t *u = uni_slot(c, x, true);
		if (u)
			*u += (uint32_t)weight;
		if (!mf_is_han(x))
			continue;
		if (u)
			c->han += (unsigned long)(long)weight;
		if (i > 0 && cps[i - 1] != 0xFFFD && !MF_IS_RAW(cps[i - 1])) {
			uint32_t *b = bi_slot(c, pair_key(cps[i - 1], x), true);
			if (b)
				*b += (uint32_t)weight;
		}
		if (i + 1 < n && !mf_is_han(cps[i + 1]) && cps[i + 1] != 0xFFFD && !MF_IS_RAW(cps[i + 1])) {
			uint32_t *b = bi_slot(c, pair_key(x, cps[i + 1]), true);
			if (b)
				*b += (uint32_t)weight;
		}
	}
}

/* Where the cache knows neither the character nor the pair (most candidate
 * fills), the mixture is the model's probability scaled by a constant: its
 * cost per model cost and weight, worked out once with the same arithmetic
 * (so the same value), per thread. */
#define SCALED_MAX 1024
static _Thread_local struct {
	bool done;
	int16_t cost[4][SCALED_MAX];   /* [has unigram weight | has bigram weight << 1][model cost] */
} scaled;

static long scaled_cost(int lm, double wu, double wb)
{
	double pl = exp(-(double)lm / MF_LM_COST_SCALE);
	return lround(-log((1.0 - wu - wb) * pl) * MF_LM_COST_SCALE);
}

/* The cost of c after p, the model's probability mixed with the cache's;
 * without floor, x's own share of the cache left out (mf_cache_choice_cost). */
static long mixed_cost(mf_cache *c, mf_script sc, uint32_t p, uint32_t x, bool floor)
{
	int lm = mf_lm_cost(sc, p, x);
	if (!mf_is_han(x) && !mf_is_han(p))
		return lm;
	double pu = 0.0, pb = 0.0, wb = 0.0;
	if (floor && mf_is_han(x)) {
		uint32_t *u = uni_slot(c, x, false);
		pu = u ? (double)*u / (double)c->han : 0.0;
	}
	uint32_t *pc = uni_slot(c, p, false);
	if (pc && *pc) {
		uint32_t *b = bi_slot(c, pair_key(p, x), false);
		wb = W_BI;
		pb = b ? (double)*b / (double)*pc : 0.0;
	}
	double wu = floor && mf_is_han(x) ? W_UNI : 0.0;
	if (pu == 0.0 && pb == 0.0 && lm >= 0 && lm < SCALED_MAX) {
		if (!scaled.done) {
			for (int k = 0; k < 4; k++)
				for (int v = 0; v < SCALED_MAX; v++)
					scaled.cost[k][v] = (int16_t)scaled_cost(v, k & 1 ? W_UNI : 0.0, k & 2 ? W_BI : 0.0);
			scaled.done = true;
		}
		return scaled.cost[(wu != 0.0) | (wb != 0.0) << 1][lm];
	}
	double pl = exp(-(double)lm / MF_LM_COST_SCALE);
	double pm = (1.0 - wu - wb) * pl + wu * pu + wb * pb;
	return lround(-log(pm) * MF_LM_COST_SCALE);
}

/* What the document says of each byte a decoder may swallow after a
 * character, before next: -ln(P(b) * MF_SEP_BYTES), P(b | next's class,
 * whether the line holds a tab) from the document's own counts, with
 * SEP_ALPHA counts of a uniform prior (0 without counts).  A table's cells
 * end in tabs, a log's words in spaces before digits, prose lines in
 * newlines: the general model prices all of them alike.  Before text beyond
 * ASCII, only on a line with a tab, and never below 0 (relative to the
 * likeliest byte): there, whether a byte was swallowed at all is the
 * general model's to say, as it prices the two characters side by side. */
void mf_cache_sep_costs(const mf_cache *c, uint32_t next, bool line_tabs, int16_t cost[MF_SEP_BYTES])
{
	int k = sep_next_class(next), t = line_tabs;
	double p[MF_SEP_BYTES], most = 0.0;
	if (k == SEP_NEXT - 1 && !t) {
		/* (before text beyond ASCII, off a table's lines: Xī'ān's
		 * apostrophes would outvote the newlines 。 lost) */
		memset(cost, 0, MF_SEP_BYTES * sizeof *cost);
		return;
	}
	for (int j = 0; j < MF_SEP_BYTES; j++) {
		p[j] = c ? ((double)c->sep[t][k][j] + SEP_ALPHA / MF_SEP_BYTES) / ((double)c->sep_total[t][k] + SEP_ALPHA)
		         : 1.0 / MF_SEP_BYTES;
		if (p[j] > most)
			most = p[j];
	}
	for (int j = 0; j < MF_SEP_BYTES; j++)
		cost[j] = (int16_t)lround(-log(k == SEP_NEXT - 1 ? p[j] / most : p[j] * MF_SEP_BYTES) * MF_LM_COST_SCALE);
}

bool mf_cache_ready(const mf_cache *c)
{
	return c && c->han >= MIN_HAN;
}

bool mf_cache_ready_with(const mf_cache *c, const uint32_t *cps, size_t n)
{
	unsigned long han = c ? c->han : 0;
	for (size_t i = 0; i < n && han < MIN_HAN; i++)
		han += mf_is_han(cps[i]);
	return han >= MIN_HAN;
}

static long seq_cost(mf_cache *c, int script, const uint32_t *cps, size_t n, uint32_t prev, uint32_t next,
                     bool next_floor)
{
	bool ready = mf_cache_ready(c);
	long best = -1;
	for (int sc = 0; sc < 2; sc++) {
		if (script >= 0 && sc != script)
			continue;
		long sum = 0;
		uint32_t p = prev;
		for (size_t i = 0; i <= n; i++) {
			if (i == n && !next)
				break;          /* no context after */
			uint32_t x = i < n ? cps[i] : next;
			sum += ready ? mixed_cost(c, (mf_script)sc, p, x, i < n || next_floor)
			             : mf_lm_cost((mf_script)sc, p, x);
			p = x;
		}
		if (best < 0 || sum < best)
			best = sum;
	}
	return best;
}

long mf_cache_seq_cost(mf_cache *c, int script, const uint32_t *cps, size_t n, uint32_t prev, uint32_t next)
{
	return seq_cost(c, script, cps, n, prev, next, true);
}

/* For a choice between texts before the same next character: that
 * character's own share of the cache is the same for every choice, and as a
 * floor under each transition into it, it levels the model's preference
 * between them (小周 or 台周, in a document that spells
 * 周 often and 小, always garbled, never): it is left out. */
long mf_cache_choice_cost(mf_cache *c, int script, const uint32_t *cps, size_t n, uint32_t prev, uint32_t next)
{
	return seq_cost(c, script, cps, n, prev, next, false);
}
