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

struct mf_cache {
	uint32_t ukey[UNI_SLOTS];   /* 0 = empty */
	uint32_t ucnt[UNI_SLOTS];
	uint64_t bkey[BI_SLOTS];
	uint32_t bcnt[BI_SLOTS];
	unsigned nuni, nbi;
	unsigned long han;          /* Han characters counted */
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

/* Every character is counted, pairs only where one side is Han: that is
 * what lost bytes are filled with.  weight -1 takes a text back out. */
void mf_cache_add(mf_cache *c, const uint32_t *cps, size_t n, int weight)
{
	c->generation = atomic_fetch_add(&next_generation, 1);
	for (size_t i = 0; i < n; i++) {
		uint32_t x = cps[i];
		if (x == 0xFFFD || MF_IS_RAW(x))
			continue;
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
