/* The repair core: find spans whose re-encoding under a wrong decoder's
 * table decodes validly under the right one, resolve lost bytes with the
 * language model, and keep a reversal only when the model finds it far more
 * plausible.  Layers are undone by repeating the same pass on its output.
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <iconv.h>

#include "internal.h"

#define NATS(c) ((double)(c) / 8.0)

/* Priors, in nats: the evidence a reversal must bring before we believe it. */
#define PRIOR_NATS 7.0
#define CONF_SCALE 2.5          /* nats of gain per logit unit of confidence */
#define MAX_PASSES 3
#define KEEP_GAIN 1.0           /* nats a pass needs to keep a candidate */
/* A decoder that drops bytes silently (iconv -c, errors='ignore') drops some
 * where nothing shows: each drop found costs the repair's exactness a nat. */
#define VIRT_DOUBT 8
/* An ASCII byte swallowed with a lead byte whose trail it could not be
 * (glibc's GB18030 eats the newline after 。 cut short): rare for most
 * decoders, the rule for some.  Each lost byte votes, as the model alone
 * sees it, capped; a document whose votes say so is read as such. */
#define EAT_PRIOR 48
#define EAT_PRIOR_EATER (-8)
#define EAT_VOTE_CAP 32
#define EAT_VOTES_NEEDED 48

/* That evidence, as a reading gathers it: the votes, and the line ends
 * right after a loss, followed by text or by a blank line (doc_eater). */
typedef struct {
	long votes;                /* 1/8 nat */
	unsigned ends_single, ends_blank;
} eat_evidence;

static void eat_add(eat_evidence *to, const eat_evidence *from)
{
	to->votes += from->votes;
	to->ends_single += from->ends_single;
	to->ends_blank += from->ends_blank;
}

double mf_sigmoid(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

/* ------------------------------------------------------------------ */
/* Reversible channels                                                 */

typedef enum { TGT_UTF8, TGT_GBK } target_cs;

typedef struct {
	mf_channel ch;            /* as reported (sbcs ones refined later) */
	target_cs target;
	bool sbcs;                /* wrong decoder was Latin-1/CP1252 */
	bool island;              /* raw GBK bytes the UTF-8 reader kept as they were */
	bool euro_pair;           /* € as GB18030's A2 E3, not CP936's 80 */
} chan_def;

static const chan_def CHANNELS[] = {
	{ MF_CH_UTF8_AS_GBK, TGT_UTF8, false, false, false },
	{ MF_CH_UTF8_AS_LATIN1, TGT_UTF8, true, false, false },
	{ MF_CH_GBK_AS_LATIN1, TGT_GBK, true, false, false },
	{ MF_CH_GBK_ISLAND, TGT_GBK, false, true, false },
	/* GB18030's decoders (WHATWG's gbk too) read A2 E3 as € as well: a
	 * character ending in A2 before 、 or 。 (E3 80 ..) leaves one.  Each
	 * € that two continuation bytes follow is read as A2 E3 (慢　, E6 85
	 * A2 E3 80 80, reads 鎱€€€ in WHATWG's), only in runs that hold one */
	{ MF_CH_UTF8_AS_GBK, TGT_UTF8, false, false, true },
};
#define NCHANNELS (sizeof CHANNELS / sizeof CHANNELS[0])

/* The doubt of a newline taken for the ASCII byte a decoder swallowed
 * under a 符号码 layer, in a document whose decoder swallows them (doc_eater:
 * blank lines after lines with a loss are missing), 1/8 nat */
#define EAT_GUESS_DOUBT 2

#define HOLE 0x100                /* a byte (or two) lost behind a replacement */
#define MAYBE_HOLE 0x200          /* a literal '?' that may stand for lost bytes */

/* CP1252's five undefined bytes, which its decoders replace or drop */
static const unsigned char CP1252_HOLES[] = { 0x81, 0x8D, 0x8F, 0x90, 0x9D };

static bool cp1252_hole_byte(unsigned b)
{
	return b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D;
}

/* Re-encode one unit under the wrong decoder's table.  Returns the number of
 * byte slots written (0: not encodable), marks cp1252-only characters. */
static int encode_unit(const chan_def *cd, uint32_t cp, uint16_t out[4], bool *c1252, bool dense)
{
	*c1252 = false;
	if (cd->island) {
		/* the bytes as they were in the file: invalid ones kept raw, the
		 * rest (GBK pairs that happen to be valid UTF-8, too) as UTF-8 */
		if (MF_IS_RAW(cp)) {
			out[0] = (uint16_t)(cp - MF_RAW_BYTE);
			return 1;
		}
		char u[4];
		size_t k = mf_utf8_encode(cp, u);
		for (size_t i = 0; i < k; i++)
			out[i] = (unsigned char)u[i];
		return (int)k;
	}
	if (cp == 0xFFFD) {
		if (dense)
			return 0;     /* 口字码 debris, not a lost byte: a barrier */
		out[0] = HOLE;
		return 1;
	}
	if (cp == '?') {
		out[0] = '?' | MAYBE_HOLE;
		return 1;
	}
	if (MF_IS_RAW(cp))
		return 0;
	if (cd->sbcs) {
		int b = mf_sbcs_encode(cp, c1252);
		if (b < 0)
			return 0;
		out[0] = (uint16_t)b;
		return 1;
	}
	unsigned char g[2];
	int k = mf_gbk_encode(cp, g);
	for (int i = 0; i < k; i++)
		out[i] = g[i];
	return k;
}

/* ------------------------------------------------------------------ */
/* Scratch vectors                                                     */

typedef struct {
	uint32_t *v;
	size_t n, cap;
	bool failed;
} cpvec;

static void cv_push(cpvec *c, uint32_t x)
{
	if (c->failed || (c->n == c->cap && !mf_grow(&c->v, &c->cap, sizeof *c->v, 64)))
		c->failed = true;
	else
		c->v[c->n++] = x;
}

/* ------------------------------------------------------------------ */
/* Decoding the re-encoded bytes under the right charset               */

/* A U+FFFD a reading under a 符号码 layer wrote (unwrap_lossy), and the
 * bytes of the layer under it that it may stand for. */
typedef struct {
	size_t at;
	uint32_t bytes[8];
} lost_under;

typedef struct {
	lost_under *v;
	size_t n, cap;
} lost_under_list;

static bool lu_push(lost_under_list *l, const lost_under *x)
{
	if (l->n == l->cap && !mf_grow(&l->v, &l->cap, sizeof *l->v, 16))
		return false;
	l->v[l->n++] = *x;
	return true;
}

/* What a reading reads of the document besides the block (its decoder's
 * flags) and of the cache: equal inputs, equal readings. */
typedef struct {
	bool cache_ready;                  /* (the probe reads without the cache: false) */
	bool kept, dropped, eater;         /* cp1252_kept, cp1252_dropped, doc_eater */
	unsigned spelled;                  /* the document's spelled */
} reading_inputs;
_Static_assert(sizeof(reading_inputs) == 4 * sizeof(bool) + sizeof(unsigned), "compared with memcmp: no padding");

/* The probe (one_pass) reads without the cache, so every reading of a block
 * probes its first pass alike where the document's flags stand as they did:
 * what it found serves the next reading.  Inputs, then findings. */
typedef struct {
	bool valid;
	reading_inputs in;                 /* what it read with */
	bool kept_after, dropped_after;    /* the flags as it left them */
	bool fills_matter;                 /* it set that */
	unsigned holes;                    /* holes it met */
	bool found;                        /* it had candidates: script and live hold */
	int script;
	bool *live;                        /* lines to read, per unit */
	bool *residue;                     /* what it marked, per unit */
} probe_memo;

static void probe_memo_clear(probe_memo *m)
{
	free(m->live);
	free(m->residue);
	*m = (probe_memo){ 0 };
}

/* How a block is read: with lost bytes solved (against the document cache)
 * or left as U+FFFD (the skeleton the cache is read from). */
typedef struct {
	mf_cache *cache;
	bool skeleton;
	bool probe;                /* a first reading that only decides the script */
	bool forced;               /* skeleton: a loss only one fill passes is that fill */
	lost_under_list under;     /* (and the others, where that tells) */
	unsigned holes_met;
	bool fills_matter;         /* skeleton: reading the holes met may change what is kept */
	bool drops_read;           /* skeleton: a 拼音码 run was read for dropped bytes (costed by the cache) */
	struct candlist *holed;    /* skeleton: the spans read through a hole that might gain (fill_gain_bound) */
	bool *residue;             /* per unit: a lossy reading there is 符号码 under it */
	bool eater;                /* the document's decoder swallows an ASCII byte with a bad lead */
	eat_evidence eat;          /* evidence for that, from the candidates taken */
	unsigned residue_lines;    /* lines with one that nothing repaired */
	mf_docstate *doc;          /* what the document showed so far (CP1252 drops) */
	probe_memo *memo;          /* the block's (NULL: none kept) */
	bool first_pass;           /* the memo serves only the first pass: later ones read its output */
	const bool *foreign_line;  /* per unit of the pass's text: its line holds another script (foreign_lines) */
} readmode;

typedef struct {
	const uint16_t *b;        /* byte slots (with HOLE / MAYBE_HOLE flags) */
	size_t n;
	uint32_t prev;            /* context before */
	bool sbcs;                /* holes are CP1252's five undefined bytes */
	bool drops;               /* GBK under a CP1252 decoder that may have dropped them */
	bool pua_decoder;         /* the wrong decoder mapped user areas to PUA */
	int script;               /* the block's script for filling holes (-1: either) */
	uint32_t after_run;       /* the character after the run (context at its end) */
	uint32_t after_run2;      /* and the one after that */
	bool run_tabs;            /* the run (its line) holds a tab: the document's separators there */
	unsigned nmb;             /* multibyte characters decoded so far */
	unsigned nvirt;           /* holes assumed where a decoder dropped bytes */
	bool single_q;            /* a '?' after a '?' marker is a literal one */
	unsigned lost;            /* characters left as U+FFFD */
	unsigned open_sites;      /* skeleton: literal '?' the reading may take for a lost byte */
	unsigned filled;          /* holes filled from the model */
	long fill_cost;           /* doubt of the fills: -ln P(fill right), summed, 1/8 nat */
	eat_evidence eat;         /* from the holes of this decode */
	readmode *rm;
} decoder;


/* Parse bytes q[0..n) as complete UTF-8 characters; return count or -1. */
static int parse_utf8_exact(const unsigned *q, int n, uint32_t *out)
{
	int i = 0, k = 0;
	while (i < n) {
		unsigned b = q[i];
		int len = mf_utf8_seq_len((unsigned char)b);
		if (b > 0xFF || len == 0 || i + len > n)
			return -1;
		if (len == 1) {
			out[k++] = b;
			i++;
			continue;
		}
		unsigned lo, hi;
		mf_utf8_second_range(b, &lo, &hi);
		if (q[i + 1] < lo || q[i + 1] > hi)
			return -1;
		uint32_t v = b & (0x7Fu >> len);
		for (int j = 1; j < len; j++) {
			if (!mf_utf8_is_cont(q[i + j]))
				return -1;
			v = (v << 6) | (q[i + j] & 0x3F);
		}
		out[k++] = v;
		i += len;
	}
	return k;
}

#define NEXT_Y 12

/* One filled candidate for a hole window. */
typedef struct {
	uint32_t cps[6];
	int ncp;
	long cost;
} fill_cand;

typedef struct {
	fill_cand best, second;
	bool have_best, have_second;
	uint32_t prev, next;
	unsigned next_part[3];     /* next == 0: the next character's bytes when it */
	int next_npart;            /* lacks only its last, lost too (else 0) */
	uint32_t next_y[NEXT_Y];   /* the likeliest characters they can begin */
	int next_ny;               /* (-1: not yet worked out) */
	unsigned pre[4];
	int npre;
	unsigned suf[4];
	int nsuf;
	unsigned after;            /* byte after the window (for the decoder test), 0x100 if none */
	int nholes;                /* consecutive replacement markers in the window */
	bool virt;                 /* no marker: the decoder dropped the bytes silently */
	long eat_prior;            /* cost of an ASCII byte swallowed with a lead (1/8 nat) */
	bool eater;                /* the document's decoder swallows it always */
	long best_eat, best_plain; /* the model's best cost with and without one, priors apart */
	bool sbcs;
	bool pua_decoder;          /* GB18030/CP936-like: only invalid bytes were replaced */
	bool run_tabs;             /* decoder.run_tabs */
	bool sep_known;            /* sep_cost[] worked out (for next, run_tabs) */
	int16_t sep_cost[MF_SEP_BYTES];   /* the document's word on a swallowed byte (mf_cache_sep_costs) */
	mf_cache *cache;
	int script;
	int pass;                  /* 1: find the best; 2: see where near rivals differ;
	                            * 3: whether the fills that pass spell one text */
	uint32_t under[8];         /* pass 3: the bytes of the layer under it they spell */
	bool under_unknown;        /* (not one character each) */
	bool under_eaten, under_plain;   /* fills with an ASCII byte swallowed, without */
	double mass;               /* every candidate's probability, summed (pass 1) */
	unsigned brackets;         /* openers decoded before (bit k), closers after (bit 16+k) */
	bool differ_len;           /* a near rival has another number of characters */
	unsigned differ_mask;      /* positions where a near rival has another character */
} fill_search;

/* Brackets and quotes come in pairs within a line: a lost byte read as a
 * closing one with no opening one before it in the run (or the reverse)
 * is unlikely, whatever the two characters around it say. */
static const uint32_t BRACKETS[][2] = {
	{ 0x300C, 0x300D }, { 0x300E, 0x300F }, { 0xFF08, 0xFF09 }, { 0x300A, 0x300B },
	{ 0x3010, 0x3011 }, { 0x201C, 0x201D }, { 0x2018, 0x2019 }, { 0x3014, 0x3015 },
	{ 0x3008, 0x3009 }, { 0xFF3B, 0xFF3D }, { 0xFF5B, 0xFF5D },
};

static long unpaired_cost(const fill_search *fs, uint32_t c)
{
	for (unsigned k = 0; k < sizeof BRACKETS / sizeof BRACKETS[0]; k++) {
		if (c == BRACKETS[k][1])
			return fs->brackets & (1u << k) ? 0 : 24;
		if (c == BRACKETS[k][0])
			return fs->brackets & (1u << (16 + k)) ? 0 : 24;
	}
	return 0;
}

/* Which openers the run has decoded so far, which closers its bytes after
 * the window spell; within BRACKET_REACH, so a long line costs no more per
 * lost byte than a short one. */
#define BRACKET_REACH 512
static unsigned bracket_context(const cpvec *before, const uint16_t *rest, size_t nrest)
{
	unsigned m = 0;
	size_t from = before->n > BRACKET_REACH ? before->n - BRACKET_REACH : 0;
	if (nrest > 3 * BRACKET_REACH)
		nrest = 3 * BRACKET_REACH;
	for (unsigned k = 0; k < sizeof BRACKETS / sizeof BRACKETS[0]; k++) {
		for (size_t i = from; i < before->n; i++)
			if (before->v[i] == BRACKETS[k][0]) {
				m |= 1u << k;
				break;
			}
		char u[4];
		size_t len = mf_utf8_encode(BRACKETS[k][1], u);
		for (size_t i = 0; i + len <= nrest; i++) {
			size_t j = 0;
			while (j < len && (rest[i + j] & 0xFF) == (unsigned char)u[j])
				j++;
			if (j == len) {
				m |= 1u << (16 + k);
				break;
			}
		}
	}
	return m;
}

/* Where the candidates nearly as good as the best differ from it. */
static void near_rival(fill_search *fs, const fill_cand *c)
{
	if (c->cost >= fs->best.cost + FILL_MARGIN)
		return;
	if (c->ncp != fs->best.ncp) {
		fs->differ_len = true;
		return;
	}
	for (int i = 0; i < c->ncp; i++)
		if (c->cps[i] != fs->best.cps[i])
			fs->differ_mask |= 1u << i;
}

/* The first pass keeps the candidates within FILL_MARGIN of the best so far
 * (the others can never come within it of the final best), so the second
 * pass need not enumerate again.  When they do not fit, it does. */
#define RIVALS 1024
static _Thread_local struct {
	fill_cand v[RIVALS];
	size_t n;
	bool overflow;
} rivals;

static void keep_rival(const fill_cand *c, long best)
{
	if (c->cost >= best + FILL_MARGIN || rivals.overflow)
		return;
	if (rivals.n == RIVALS) {
		size_t m = 0;
		for (size_t i = 0; i < rivals.n; i++)
			if (rivals.v[i].cost < best + FILL_MARGIN)
				rivals.v[m++] = rivals.v[i];
		rivals.n = m;
		if (m == RIVALS) {
			rivals.overflow = true;
			return;
		}
	}
	rivals.v[rivals.n++] = *c;
}

/* exp(-cost / MF_LM_COST_SCALE), the probability of a cost: every fill
 * candidate needs one; worked out once per thread for the usual range (the
 * same arithmetic, so the same value). */
#define PROB_MAX 4096
static _Thread_local struct {
	bool done;
	double p[PROB_MAX];
} prob_tab;

static double cost_prob(long cost)
{
	if (cost < 0 || cost >= PROB_MAX)
		return exp(-(double)cost / MF_LM_COST_SCALE);
	if (!prob_tab.done) {
		for (int k = 0; k < PROB_MAX; k++)
			prob_tab.p[k] = exp(-(double)k / MF_LM_COST_SCALE);
		prob_tab.done = true;
	}
	return prob_tab.p[cost];
}

bool mf_pair_decodes(unsigned lead, unsigned trail, bool pua_decoder)
{
	if (trail > 0xFF)
		return false;
	return pua_decoder ? mf_gbk_decode_pair((unsigned char)lead, (unsigned char)trail) != 0
	                   : mf_gbk_pair_in_gbk((unsigned char)lead, (unsigned char)trail);
}

/* Whether a decoder that drops what it cannot decode (iconv -c,
 * errors='ignore') drops exactly lost[p..w) before the byte nb: as a series
 * of errors, each a byte that starts nothing (80, FF) or a lead byte whose
 * next byte is no trail for it, dropped alone or (glibc's GB18030) with
 * that byte: 。 before a newline, E3 80 82 0A, loses 80 and then 82 0A. */
bool mf_lost_run_ok(const unsigned *lost, int w, int p, unsigned nb, bool pua_decoder)
{
	if (p == w)
		return true;
	unsigned b = lost[p];
	if (b < 0x80)
		return false;
	if (b == 0x80 || b == 0xFF)
		return mf_lost_run_ok(lost, w, p + 1, nb, pua_decoder);
	unsigned t = p + 1 < w ? lost[p + 1] : nb;
	if (mf_pair_decodes(b, t, pua_decoder))
		return false;
	if (p + 1 == w)
		return true;
	return mf_lost_run_ok(lost, w, p + 2, nb, pua_decoder) ||
	       (lost[p + 1] >= 0x80 && mf_lost_run_ok(lost, w, p + 1, nb, pua_decoder));
}

/* Whether lost[p..w) splits into exactly `markers` errors of a decoder that
 * writes a marker per error: each a byte that starts nothing (80, FF), or a
 * lead byte whose next byte is no trail for it, that byte swallowed with it
 * or not (consume 2 or 1).  nb: the byte after the window.  Two markers after
 * 　's first two bytes (E3 80) are its 80 and 李's lead, never 。's 82: 82
 * and that lead are a pair GBK reads. */
static bool marked_run_ok(const unsigned *lost, int w, int p, int markers, unsigned nb, bool pua_decoder)
{
	if (p == w || markers == 0)
		return p == w && markers == 0;
	unsigned b = lost[p];
	if (b < 0x80)
		return false;
	if (b == 0x80 || b == 0xFF)
		return marked_run_ok(lost, w, p + 1, markers - 1, nb, pua_decoder);
	unsigned t = p + 1 < w ? lost[p + 1] : nb;
	if (mf_pair_decodes(b, t, pua_decoder))
		return false;
	return marked_run_ok(lost, w, p + 1, markers - 1, nb, pua_decoder) ||
	       (p + 1 < w && marked_run_ok(lost, w, p + 2, markers - 1, nb, pua_decoder));
}

/* The byte after a window: the continuation byte after the fill, the byte
 * after those, or at a run's end its newline (an ASCII character after). */
static unsigned fill_nb(const fill_search *fs)
{
	unsigned nb = fs->nsuf > 0 ? fs->suf[0] : fs->after;
	if (nb > 0xFF && fs->next && fs->next < 0x80)
		nb = fs->next;
	return nb;
}

/* A decoder that swallows the ASCII byte after a bad lead (the document's,
 * when fs->eater) does not lose the lead alone before one: the fill's last
 * byte a lead, not the trail of a pair lost whole, and ASCII after it. */
static bool lead_alone_before_ascii(const fill_search *fs, const unsigned *fill, int w)
{
	if (!fs->eater || fill[w - 1] < 0x81 || fill[w - 1] > 0xFE || fill_nb(fs) >= 0x80)
		return false;
	return !(w >= 2 && fill[w - 2] >= 0x81 && fill[w - 2] <= 0xFE &&
	         !mf_pair_decodes(fill[w - 2], fill[w - 1], fs->pua_decoder) &&
	         mf_lost_run_ok(fill, w - 2, 0, fill[w - 2], fs->pua_decoder));
}

/* The cost of what follows x where the next character lost its last byte
 * too (议题 losing the last byte of each): -ln of the model's probability,
 * after x, of any character its known bytes can begin.  Two lost bytes in a
 * row are then filled as a pair would be, not each blind to the other. */
static long partial_next_cost(fill_search *fs, uint32_t x)
{
	if (fs->next_ny < 0) {
		/* the completions, the NEXT_Y likeliest alone (the rest add
		 * little mass, and each costs a model query per fill) */
		unsigned char q[4];
		/* (all its bytes but the last known, the second among them:
		 * the last is any continuation byte) */
		int n = fs->next_npart;
		for (int i = 0; i < n; i++)
			q[i] = (unsigned char)fs->next_part[i];
		long cost[NEXT_Y];
		fs->next_ny = 0;
		for (unsigned b = 0x80; b <= 0xBF; b++) {
			if (fs->sbcs && !cp1252_hole_byte(b))
				continue;      /* CP1252 loses only its five */
			q[n] = (unsigned char)b;
			uint32_t y;
			mf_utf8_decode(q, (size_t)n + 1, &y);
			long c = mf_cache_seq_cost(fs->cache, fs->script, &y, 1, 0, 0);
			int k = fs->next_ny;
			if (k == NEXT_Y) {
				if (cost[k - 1] <= c)
					continue;
				k--;           /* the last one gives way */
			} else {
				fs->next_ny++;
			}
			for (; k > 0 && cost[k - 1] > c; k--) {
				cost[k] = cost[k - 1];
				fs->next_y[k] = fs->next_y[k - 1];
			}
			cost[k] = c;
			fs->next_y[k] = y;
		}
	}
	double mass = 0.0;
	for (int k = 0; k < fs->next_ny; k++)
		mass += cost_prob(mf_cache_seq_cost(fs->cache, fs->script, &fs->next_y[k], 1, x, 0));
	return mass > 0.0 ? lround(-log(mass) * MF_LM_COST_SCALE) : 0;
}

static void consider(fill_search *fs, const unsigned *fill, int w, long prior)
{
	unsigned q[12];
	int n = 0;
	for (int i = 0; i < fs->npre; i++)
		q[n++] = fs->pre[i];
	for (int i = 0; i < w; i++)
		q[n++] = fill[i];
	for (int i = 0; i < fs->nsuf; i++)
		q[n++] = fs->suf[i];
	fill_cand c;
	c.ncp = parse_utf8_exact(q, n, c.cps);
	if (c.ncp <= 0)
		return;
	/* The wrong decoder must have failed on these bytes: a pair it maps
	 * would have been decoded, not replaced. */
	if (fs->sbcs) {
		for (int i = 0; i < w; i++)
			if (!cp1252_hole_byte(fill[i]))
				return;
	} else if (fs->virt) {
		if (!mf_lost_run_ok(fill, w, 0, fill_nb(fs), fs->pua_decoder))
			return;
	} else if (fs->nholes > 1) {
		if (!marked_run_ok(fill, w, 0, fs->nholes, fill_nb(fs), fs->pua_decoder))
			return;
	} else if (w == 1) {
		if (fill[0] < 0x80)
			return;
		unsigned nb = fs->nsuf > 0 ? fs->suf[0] : fs->after;
		if (nb <= 0xFF && (fs->pua_decoder ? mf_gbk_decode_pair((unsigned char)fill[0], (unsigned char)nb) != 0
		                                   : mf_gbk_pair_in_gbk((unsigned char)fill[0], (unsigned char)nb)))
			return;
	} else {
		if (fill[0] < 0x81 || mf_gbk_pair_in_gbk((unsigned char)fill[0], (unsigned char)fill[1]))
			return;
		if (fs->pua_decoder && mf_gbk_decode_pair((unsigned char)fill[0], (unsigned char)fill[1]))
			return;
	}
	if (fs->pass == 0) {
		fs->have_best = true;      /* some fill exists: enough for a skeleton */
		return;
	}
	if (fs->pass == 3) {
		/* read under a 符号码 layer: the character the fill completes (a
		 * swallowed ASCII byte apart) is one of Latin-1's or CP1252's,
		 * which stands for a byte of the layer under it */
		bool one = c.ncp == 1 || (c.ncp == 2 && fill[w - 1] < 0x80 && c.cps[1] < 0x80), only1252;
		int sb = c.cps[0] < 0x80 ? -1 : mf_sbcs_encode(c.cps[0], &only1252);
		if (one && sb < 0)
			return;            /* no such layer would have written it */
		if (lead_alone_before_ascii(fs, fill, w))
			return;            /* the document's decoder swallows that ASCII byte */
		if (fill[w - 1] < 0x80)
			fs->under_eaten = true;
		else
			fs->under_plain = true;
		if (one)
			fs->under[sb >> 5] |= 1u << (sb & 31);
		else
			fs->under_unknown = true;
		if (!fs->have_best) {
			fs->best = c;
			fs->have_best = true;
		} else if (c.ncp != fs->best.ncp || memcmp(c.cps, fs->best.cps, (size_t)c.ncp * sizeof c.cps[0])) {
			fs->have_second = true;
		}
		return;
	}
	c.cost = (fs->sbcs ? mf_cache_choice_cost : mf_cache_seq_cost)(fs->cache, fs->script, c.cps, (size_t)c.ncp,
	                                                             fs->prev, fs->next) + prior;
	if (fs->next_npart)
		c.cost += partial_next_cost(fs, c.cps[c.ncp - 1]);
	/* (as unlikely as a swallowed byte is for the others: where the byte
	 * swallowed is none the search tries, the lead alone still reads) */
	if (!fs->sbcs && lead_alone_before_ascii(fs, fill, w))
		c.cost += EAT_PRIOR;
	for (int i = 0; i < c.ncp; i++)
		c.cost += unpaired_cost(fs, c.cps[i]);
	/* which ASCII byte was swallowed: the document's own separators say
	 * (not whether one was: the votes for that stay the model's) */
	bool eat = !fs->sbcs && fill[w - 1] < 0x80;
	int si = eat ? mf_sep_index(fill[w - 1]) : -1;
	long sep = 0;
	if (si >= 0) {
		if (!fs->sep_known) {
			mf_cache_sep_costs(fs->cache, fs->next, fs->run_tabs, fs->sep_cost);
			fs->sep_known = true;
		}
		sep = fs->sep_cost[si];
	}
	c.cost += sep;
	if (fs->pass == 2) {
		near_rival(fs, &c);
		return;
	}
	fs->mass += cost_prob(c.cost);
	{
		long *slot = eat ? &fs->best_eat : &fs->best_plain;
		if (*slot < 0 || c.cost - prior - sep < *slot)
			*slot = c.cost - prior - sep;
	}
	keep_rival(&c, fs->have_best && fs->best.cost < c.cost ? fs->best.cost : c.cost);
	if (!fs->have_best || c.cost < fs->best.cost) {
		if (fs->have_best) {
			/* the old best becomes second unless it spells the same text */
			fs->second = fs->best;
			fs->have_second = true;
		}
		fs->best = c;
		fs->have_best = true;
	} else if (!fs->have_second || c.cost < fs->second.cost) {
		fs->second = c;
		fs->have_second = true;
	}
}

/* How unsure a fill is: -ln of its share of all candidates' probability
 * under the model (its posterior), in 1/8 nat. */
long mf_fill_doubt(long best_cost, double mass)
{
	if (mass <= 0)
		return 0;
	double lp = -(double)best_cost / MF_LM_COST_SCALE - log(mass);
	return lp >= 0 ? 0 : lround(-lp * MF_LM_COST_SCALE);
}

/* Whether fill[0..pos] of w bytes can begin a silent loss (mf_lost_run_ok,
 * checked early so that a search skips what it would refuse): a loss
 * starting with a pair the decoder reads was no loss, and three bytes lost
 * silently are a byte that starts nothing and then a pair (80, then 82 and
 * a newline, of 。). */
bool mf_lost_prefix_ok(const unsigned *fill, int pos, int w, bool pua_decoder)
{
	if (pos == 0)
		return w < 3 || fill[0] == 0x80 || fill[0] == 0xFF;
	if (pos == 1)
		return !(fill[0] >= 0x81 && fill[0] <= 0xFE && mf_pair_decodes(fill[0], fill[1], pua_decoder));
	/* three bytes: after the lone first, a pair (or two lone bytes) */
	if (pos == 2 && w == 3) {
		if (fill[1] < 0x80)
			return false;
		if (fill[1] == 0x80 || fill[1] == 0xFF)
			return fill[2] >= 0x80;
		return !mf_pair_decodes(fill[1], fill[2], pua_decoder);
	}
	return true;
}

static bool virt_prefix_ok(const fill_search *fs, const unsigned *fill, int pos, int w)
{
	return !fs->virt || mf_lost_prefix_ok(fill, pos, w, fs->pua_decoder);
}

/* Enumerate fills of width w byte by byte, keeping UTF-8 structure. */
static void enum_fill(fill_search *fs, unsigned *fill, int pos, int w, int need,
                      unsigned lead, int seqpos, long prior)
{
	/* The bytes after the window are continuation bytes: the character open
	 * at the end of the fill must take exactly those, or consider() would
	 * fail to parse it (leaving such fills out changes nothing, it is fast). */
	if (pos == w) {
		if (need == fs->nsuf)
			consider(fs, fill, w, prior);
		return;
	}
	if (fs->pass == 0 && fs->have_best)
		return;
	/* two markers: the first is its own error, alone or with the next byte
	 * (marked_run_ok at the end); the pair can tell already */
	if (pos == 2 && fs->nholes == 2 && !fs->virt && !fs->sbcs && fill[0] != 0x80 && fill[0] != 0xFF &&
	    (fill[0] < 0x80 || mf_pair_decodes(fill[0], fill[1], fs->pua_decoder)))
		return;
	if (need > 0) {
		if (need >= w - pos && need - (w - pos) != fs->nsuf)
			return;
		unsigned lo = 0x80, hi = 0xBF;
		if (seqpos == 1)
			mf_utf8_second_range(lead, &lo, &hi);
		for (unsigned b = lo; b <= hi; b++) {
			fill[pos] = b;
			if (virt_prefix_ok(fs, fill, pos, w))
				enum_fill(fs, fill, pos + 1, w, need - 1, lead, seqpos + 1, prior);
		}
		return;
	}
	/* at a character boundary: a lead byte, or (last byte of a two-byte
	 * loss) an ASCII byte the wrong decoder swallowed with the lead */
	for (unsigned b = 0xC2; b <= 0xF4; b++) {
		int len = mf_utf8_seq_len((unsigned char)b);
		if (len - 1 >= w - pos - 1 && len - 1 - (w - pos - 1) != fs->nsuf)
			continue;
		fill[pos] = b;
		if (virt_prefix_ok(fs, fill, pos, w))
			enum_fill(fs, fill, pos + 1, w, len - 1, b, 1, prior);
	}
	if (pos == w - 1 && pos > 0 && !fs->sbcs && fs->nsuf == 0) {
		for (int j = 0; j < MF_SEP_BYTES; j++) {
			fill[pos] = mf_sep_byte(j);
			if (virt_prefix_ok(fs, fill, pos, w))
				enum_fill(fs, fill, pos + 1, w, 0, 0, 0, prior + fs->eat_prior);
		}
	}
}

/* Each marker stands for one byte, or (some decoders) for two: 64^3 fills
 * at most.  (Two markers of two bytes each would be 16 * 64^3: a few in a
 * thousand windows need that, and are left lost.) */
static int max_fill_width(const fill_search *fs)
{
	return fs->sbcs ? fs->nholes : (fs->nholes == 1 && !fs->virt ? 2 : 3);
}

static void run_search(fill_search *fs, int need, unsigned lead)
{
	unsigned fill[4];
	int wmax = max_fill_width(fs);
	fs->pass = 1;
	rivals.n = 0;
	rivals.overflow = false;
	for (int w = fs->nholes; w <= wmax; w++)
		enum_fill(fs, fill, 0, w, need, lead, fs->npre, 8 * (w - fs->nholes));
	if (!fs->have_best)
		return;
	/* Second pass: every candidate nearly as good as the best.  Where they
	 * all agree (the character, or the ASCII byte swallowed with it) the
	 * model has decided; where one differs, a U+FFFD marks the loss. */
	fs->pass = 2;
	if (!rivals.overflow) {
		for (size_t i = 0; i < rivals.n; i++)
			near_rival(fs, &rivals.v[i]);
		return;
	}
	for (int w = fs->nholes; w <= wmax; w++)
		enum_fill(fs, fill, 0, w, need, lead, fs->npre, 8 * (w - fs->nholes));
}

/* Whether any fill passes the wrong decoder's test (no model needed).  The
 * answer depends on the window's bytes alone, and where none passes every
 * fill is tried: recent answers are remembered, per thread (clean text
 * brings the same windows back line after line). */
#define EXIST_CACHE 4096
static _Thread_local struct {
	uint64_t k1, k2;
	bool exists;
} exist_cache[EXIST_CACHE];

static bool fills_exist(fill_search *fs, int need, unsigned lead)
{
	uint64_t k1 = 1, k2 = 0;       /* k1 never 0: an empty slot never matches */
	for (int i = 0; i < fs->npre; i++)
		k1 = k1 << 8 | (fs->pre[i] & 0xFF);
	k1 = k1 << 3 | (unsigned)fs->npre;
	for (int i = 0; i < fs->nsuf; i++)
		k2 = k2 << 8 | (fs->suf[i] & 0xFF);
	k2 = (k2 << 3 | (unsigned)fs->nsuf) << 9 | fs->after;
	k2 = ((k2 << 3 | (unsigned)fs->nholes) << 3 | (unsigned)fs->virt << 2) | (unsigned)fs->sbcs << 1 |
	     (unsigned)fs->pua_decoder;
	size_t h = (size_t)(((k1 * 0x9E3779B97F4A7C15u) ^ (k2 * 0xC2B2AE3D27D4EB4Fu)) >> 52) % EXIST_CACHE;
	if (exist_cache[h].k1 == k1 && exist_cache[h].k2 == k2)
		return exist_cache[h].exists;
	unsigned fill[4];
	int wmax = max_fill_width(fs);
	fs->pass = 0;
	for (int w = fs->nholes; w <= wmax && !fs->have_best; w++)
		enum_fill(fs, fill, 0, w, need, lead, fs->npre, 0);
	exist_cache[h].k1 = k1;
	exist_cache[h].k2 = k2;
	exist_cache[h].exists = fs->have_best;
	return fs->have_best;
}

/* The search depends only on the window, its context (the characters
 * around it, the brackets of its run, the document cache), and the same window
 * comes back from every decode start before it: recent searches are
 * remembered, per thread (a speed-up only; the answer is the same). */
typedef struct {
	uint32_t prev, next;
	unsigned next_part[3];
	int next_npart;
	unsigned pre[4], suf[4], after;
	int npre, nsuf, nholes, script;
	unsigned brackets;
	unsigned long cache_generation;   /* the document cache's counts */
	long eat_prior;
	bool sbcs, pua_decoder, virt, eater, run_tabs, used;
} fill_key;

#define FILL_CACHE 512
static _Thread_local struct {
	fill_key k;
	fill_search fs;
} fill_cache[FILL_CACHE];

static bool search_fills(fill_search *fs, int need, unsigned lead)
{
	fill_key k;
	memset(&k, 0, sizeof k);
	k.prev = fs->prev;
	k.next = fs->next;
	memcpy(k.next_part, fs->next_part, sizeof k.next_part);
	k.next_npart = fs->next_npart;
	memcpy(k.pre, fs->pre, sizeof k.pre);
	memcpy(k.suf, fs->suf, sizeof k.suf);
	k.after = fs->after;
	k.npre = fs->npre;
	k.nsuf = fs->nsuf;
	k.nholes = fs->nholes;
	k.script = fs->script;
	k.brackets = fs->brackets;
	k.cache_generation = mf_cache_ready(fs->cache) ? mf_cache_generation(fs->cache) : 0;
	k.sbcs = fs->sbcs;
	k.pua_decoder = fs->pua_decoder;
	k.virt = fs->virt;
	k.eat_prior = fs->eat_prior;
	k.eater = fs->eater;
	k.run_tabs = fs->run_tabs;
	k.used = true;
	uint64_t h = 1469598103934665603u;
	const unsigned char *kb = (const unsigned char *)&k;
	for (size_t i = 0; i < sizeof k; i++)
		h = (h ^ kb[i]) * 1099511628211u;
	size_t slot = (size_t)(h % FILL_CACHE);
	if (memcmp(&fill_cache[slot].k, &k, sizeof k) == 0) {
		*fs = fill_cache[slot].fs;
		return fs->have_best;
	}
	run_search(fs, need, lead);
	memcpy(&fill_cache[slot].k, &k, sizeof k);
	fill_cache[slot].fs = *fs;
	return fs->have_best;
}

/* The search window of a hole at h: pre = bytes of the incomplete character
 * from start, the hole, then continuation bytes.  Returns the index after
 * the window; *need and *lead say what the character before still needs.
 * The context after the window (the next character, the brackets) only
 * where the model will score fills, and the same for every place of a hole
 * in one character: from ctx when given. */
static size_t hole_window(const decoder *d, size_t start, size_t h, const cpvec *out, bool virt,
                          const fill_search *ctx, fill_search *fs, int *need, unsigned *lead)
{
	memset(fs, 0, sizeof *fs);
	fs->next_ny = -1;
	fs->prev = out->n ? out->v[out->n - 1] : d->prev;
	fs->sbcs = d->sbcs;
	fs->pua_decoder = d->pua_decoder;
	fs->run_tabs = d->run_tabs;
	fs->virt = virt;
	fs->best_eat = fs->best_plain = -1;
	fs->cache = d->rm->cache;
	fs->script = d->script;
	for (size_t i = start; i < h; i++)
		fs->pre[fs->npre++] = d->b[i] & 0xFF;
	/* a virtual hole (bytes a decoder dropped without a marker) takes no slot */
	size_t e = virt ? h : h + 1;
	fs->nholes = 1;
	/* CP1252's holes as '?': a '?' right after is a second lost byte where
	 * the character still needs one (坐, E5 9D 90, read as å??).  A GBK
	 * decoder's '?' after a '?' is its second error (纪要 losing AA E8
	 * and A6 81 reads 绾??), unless solve_hole finds it is not */
	int after_first = fs->npre ? mf_utf8_seq_len((unsigned char)fs->pre[0]) - fs->npre - 1 : 0;
	bool q_pair = !d->sbcs && !d->single_q && (d->b[h] & MAYBE_HOLE);
	while (!virt && e < d->n && fs->nholes < 2 &&
	       ((d->b[e] & HOLE) ||
	        ((d->b[e] & MAYBE_HOLE) && (d->sbcs ? after_first >= fs->nholes : q_pair)))) {
		fs->nholes++;
		e++;
	}
	while (e < d->n && fs->nsuf < 3 && !(d->b[e] & (HOLE | MAYBE_HOLE)) && mf_utf8_is_cont(d->b[e]))
		fs->suf[fs->nsuf++] = d->b[e++];
	fs->after = e < d->n && !(d->b[e] & HOLE) ? (d->b[e] & 0xFF) : 0x100;
	fs->eat_prior = d->rm->eater ? EAT_PRIOR_EATER : EAT_PRIOR;
	fs->eater = d->rm->eater;
	if (ctx || d->rm->skeleton) {
		if (ctx) {
			fs->brackets = ctx->brackets;
			fs->next = ctx->next;
			fs->next_npart = ctx->next_npart;
			memcpy(fs->next_part, ctx->next_part, sizeof fs->next_part);
		}
		goto needs;
	}
	fs->brackets = bracket_context(out, d->b + e, d->n - e);
	/* the character after the window, for context */
	fs->next = e >= d->n ? d->after_run : 0;
	if (e < d->n && !(d->b[e] & HOLE)) {
		unsigned char tmp[4];
		size_t k = 0;
		while (k < 4 && e + k < d->n && !(d->b[e + k] & HOLE)) {
			tmp[k] = (unsigned char)(d->b[e + k] & 0xFF);
			k++;
		}
		uint32_t cp;
		mf_utf8_decode(tmp, k, &cp);
		if (!MF_IS_RAW(cp)) {
			fs->next = cp;
		} else if (mf_utf8_seq_len(tmp[0]) >= 3) {
			/* the next character lacks its last byte, behind a marker
			 * or (GBK's decoders) dropped: CP1252 drops bytes anywhere
			 * in a character */
			size_t len = (size_t)mf_utf8_seq_len(tmp[0]), m = 1;
			unsigned lo, hi;
			mf_utf8_second_range(tmp[0], &lo, &hi);
			while (m < len - 1 && e + m < d->n && !(d->b[e + m] & (HOLE | MAYBE_HOLE)) &&
			       (m == 1 ? tmp[1] >= lo && tmp[1] <= hi : mf_utf8_is_cont(tmp[m])))
				m++;
			if (m == len - 1 && ((e + m < d->n && (d->b[e + m] & (HOLE | MAYBE_HOLE))) ||
			                     (!d->sbcs && (e + m >= d->n || !mf_utf8_is_cont(d->b[e + m] & 0xFF))))) {
				fs->next_npart = (int)m;
				for (size_t i = 0; i < m; i++)
					fs->next_part[i] = tmp[i];
			}
		}
	}
needs:
	*need = 0;
	*lead = 0;
	if (fs->npre) {
		*lead = fs->pre[0];
		*need = mf_utf8_seq_len((unsigned char)*lead) - fs->npre;
	}
	return e;
}

/* The fills the wrong decoder could have lost in the window ending at e (at
 * each place from lowest to h), read under a 符号码 layer (unwrap_lossy):
 * true where they all spell one text, *only (GB18030's decoders read a lone
 * 80 as U+FFFD: no doubt at all).  Otherwise under[] gets the bytes of the
 * layer under it that the character they complete may stand for, unless
 * *under_unknown.  No model: the layer under it judges. */
static bool forced_fill(decoder *d, size_t start, size_t h, cpvec *out, bool virt, size_t lowest, size_t e,
                        fill_cand *only, uint32_t under[8], bool *under_unknown, bool *eaten_only)
{
	bool have = false, several = false, eaten = false, plain = false;
	memset(under, 0, 8 * sizeof *under);
	*under_unknown = false;
	for (size_t p = h + 1; p-- > lowest;) {
		fill_search fs;
		int need;
		unsigned lead;
		if (hole_window(d, start, p, out, virt, NULL, &fs, &need, &lead) != e)
			continue;
		if (e >= d->n)
			fs.next = d->after_run;    /* (a skeleton's window leaves it out) */
		unsigned fill[4];
		fs.pass = 3;
		if (have) {
			fs.best = *only;
			fs.have_best = true;
		}
		for (int w = fs.nholes; w <= max_fill_width(&fs); w++)
			enum_fill(&fs, fill, 0, w, need, lead, fs.npre, 0);
		several |= fs.have_second;
		eaten |= fs.under_eaten;
		plain |= fs.under_plain;
		*under_unknown |= fs.under_unknown;
		for (int k = 0; k < 8; k++)
			under[k] |= fs.under[k];
		if (fs.have_best) {
			*only = fs.best;
			have = true;
		}
	}
	*eaten_only = eaten && !plain;
	return have && !several;
}

/* Resolve a hole at h (the incomplete character before it starts at start).
 * Appends the chosen characters (or U+FFFD) and returns the index after the
 * window, or 0 on failure.  A virtual hole may lie anywhere inside the
 * character it cuts (。 loses its middle byte 80 to GB18030): every place is
 * searched, and where two places spell different text nearly as well, the
 * difference is a U+FFFD. */
static size_t solve_hole_at(decoder *d, size_t start, size_t h, cpvec *out, bool virt)
{
	fill_search fs, alt;
	int need, need_alt;
	unsigned lead, lead_alt;
	size_t e = hole_window(d, start, h, out, virt, NULL, &fs, &need, &lead);
	size_t lowest = virt && start < h ? start + 1 : h;
	d->rm->holes_met++;
	if (d->rm->skeleton) {
		/* the skeleton goes on where a fill exists, as the reading does */
		bool any = fills_exist(&fs, need, lead);
		for (size_t p = h; !any && p-- > lowest;) {
			if (hole_window(d, start, p, out, virt, &fs, &alt, &need_alt, &lead_alt) == e)
				any = fills_exist(&alt, need_alt, lead_alt);
		}
		if (!any)
			return 0;
		fill_cand only;
		lost_under lu;
		bool unknown, eaten_only = false;
		if (d->rm->forced) {
			if (forced_fill(d, start, h, out, virt, lowest, e, &only, lu.bytes, &unknown, &eaten_only)) {
				for (int i = 0; i < only.ncp; i++)
					cv_push(out, only.cps[i]);
				d->filled++;
				return e;
			}
			lu.at = out->n;
			if (!unknown && !lu_push(&d->rm->under, &lu))
				out->failed = true;
		}
		cv_push(out, 0xFFFD);
		d->lost++;
		if (eaten_only && !unknown) {
			/* and the ASCII byte swallowed with it: at a line's end
			 * before a newline, the newline of a blank line (what
			 * doc_eater saw); elsewhere not known */
			bool nl = e >= d->n && d->after_run == '\n';
			cv_push(out, nl ? '\n' : 0xFFFD);
			if (nl)
				d->fill_cost += EAT_GUESS_DOUBT;
		}
		return e;
	}
	fill_search ctx = fs;
	bool found = search_fills(&fs, need, lead);
	double mass = fs.mass;
	fill_cand rival[3];
	int nrival = 0;
	for (size_t p = h; p-- > lowest;) {
		/* (a place whose window ends elsewhere, its continuation bytes
		 * cut at three, is not the same loss) */
		if (hole_window(d, start, p, out, virt, &ctx, &alt, &need_alt, &lead_alt) != e ||
		    !search_fills(&alt, need_alt, lead_alt))
			continue;
		mass += alt.mass;
		if (!found || alt.best.cost < fs.best.cost) {
			if (found && nrival < 3)
				rival[nrival++] = fs.best;
			fs = alt;
			found = true;
		} else if (nrival < 3) {
			rival[nrival++] = alt.best;
		}
	}
	if (!found)
		return 0;
	/* what the model alone says of a swallowed byte here, for the document
	 * (where the run goes on, only a clear case for one counts: a byte 80
	 * lost inside a run of GB18030's says nothing either way; and a plain
	 * reading that wins says little, as 。 and a newline eaten before a
	 * blank line read as well without) */
	unsigned nb_vote = fs.nsuf ? fs.suf[0] : fs.after;
	if (e >= d->n && d->after_run == '\n') {
		nb_vote = '\n';
		if (d->after_run2 == '\n')
			d->eat.ends_blank++;
		else
			d->eat.ends_single++;
	}
	if (fs.best_eat >= 0 && fs.best_plain >= 0) {
		long v = fs.best_plain - fs.best_eat;
		if (nb_vote >= 0x80)
			v = v > EAT_VOTE_CAP / 2 ? v - EAT_VOTE_CAP / 2 : 0;
		d->eat.votes += v > EAT_VOTE_CAP ? EAT_VOTE_CAP : v < -EAT_VOTE_CAP / 4 ? -EAT_VOTE_CAP / 4 : v;
	}
	for (int k = 0; k < nrival; k++)
		near_rival(&fs, &rival[k]);
	fs.mass = mass;
	if (fs.differ_len) {
		cv_push(out, 0xFFFD);
		d->lost++;
	} else {
		for (int i = 0; i < fs.best.ncp; i++) {
			if (fs.differ_mask & (1u << i)) {
				cv_push(out, 0xFFFD);
				d->lost++;
			} else {
				cv_push(out, fs.best.cps[i]);
			}
		}
		if (!fs.differ_mask)
			d->filled++;
		if (!fs.differ_mask)
			d->fill_cost += mf_fill_doubt(fs.best.cost, fs.mass);
	}
	return e;
}

static size_t solve_hole(decoder *d, size_t start, size_t h, cpvec *out, bool virt)
{
	size_t e = solve_hole_at(d, start, h, out, virt);
	if (!e && !virt && !d->sbcs && (d->b[h] & MAYBE_HOLE) && h + 1 < d->n && (d->b[h + 1] & MAYBE_HOLE)) {
		/* no two errors give the window: the second '?' is the text's */
		d->single_q = true;
		e = solve_hole_at(d, start, h, out, virt);
		d->single_q = false;
	}
	return e;
}

/* The length of the complete multibyte character at slot p (p < n): 0 where
 * none starts there, -1 where it would end past the n slots. */
int mf_utf8_char_at(const uint16_t *b, size_t n, size_t p)
{
	unsigned v = b[p] & 0x3FF;
	int len = (v & (HOLE | MAYBE_HOLE)) ? 0 : mf_utf8_seq_len((unsigned char)v);
	if (len < 2)
		return 0;
	unsigned lo, hi;
	mf_utf8_second_range(v, &lo, &hi);
	for (int j = 1; j < len; j++) {
		if (p + (size_t)j >= n)
			return -1;
		unsigned c = b[p + (size_t)j] & 0x3FF;
		if ((c & (HOLE | MAYBE_HOLE)) || (j == 1 ? c < lo || c > hi : !mf_utf8_is_cont(c)))
			return 0;
	}
	return len;
}

/* Whether the byte slots from p on go on as UTF-8: k complete multibyte
 * characters among the next k + 1 (a run that lost more bytes on the way
 * still counts), where bytes lost at the run's start can be assumed.  -1
 * where the answer lies past the n slots (prefilter.c then reads more). */
int mf_utf8_ahead(const uint16_t *b, size_t n, size_t p, int k)
{
	int seen = 0, good = 0;
	while (seen <= k && good < k) {
		if (p >= n)
			return -1;
		unsigned v = b[p] & 0x3FF;
		if ((v & (HOLE | MAYBE_HOLE)) || v < 0x80)
			return 0;
		if (mf_utf8_is_cont(v)) {
			p++;
			continue;
		}
		seen++;
		int len = mf_utf8_char_at(b, n, p);
		if (len < 0)
			return -1;
		if (len > 0) {
			good++;
			p += (size_t)len;
		} else
			p++;
	}
	return 1;
}

/* Whether k complete multibyte characters follow from p on, one after
 * another (mf_utf8_ahead skips what it cannot read: GBK's bytes pass it). */
static bool utf8_plain_ahead(const uint16_t *b, size_t n, size_t p, int k)
{
	for (int got = 0; got < k; got++) {
		int len = p < n ? mf_utf8_char_at(b, n, p) : 0;
		if (len <= 0)
			return false;
		p += (size_t)len;
	}
	return true;
}

/* Decode d->b[from..to) as UTF-8 with holes.  Stops at the first position it
 * cannot decode; returns that position.  ends[] receives, for every slot
 * index where a character ended, the output length at that point (or -1). */
static size_t decode_utf8_slots(decoder *d, size_t from, size_t to, cpvec *out, long *ends)
{
	size_t i = from;
	size_t last_mb = SIZE_MAX, last_mb_out = 0;   /* the last character read plainly */
	while (i < to) {
		unsigned v = d->b[i];
		if (v & HOLE) {
			size_t e = solve_hole(d, i, i, out, false);
			if (!e || e > to)
				return i;
			last_mb = SIZE_MAX;
			i = e;
			ends[i] = (long)out->n;
			continue;
		}
		/* Inside a run that is plainly UTF-8, a sequence cut short or a
		 * stray continuation byte means a decoder dropped bytes there
		 * without a marker (iconv -c, errors='ignore'): solve it as a hole. */
		/* (or at a run's start, where plain UTF-8 follows: after the
		 * lead and a second byte of a character cut short, or after one
		 * character (below); prefilter.c mirrors this.  A stray byte after a
		 * first character only where the decode starts after ASCII or
		 * at the line's start and three characters follow plainly, as
		 * 潭中 losing AD E4 reads 澸 and a stray AD: clean text has those
		 * everywhere, and a long line of it paid for each; this one is
		 * prefilter.c's exception) */
#define VIRT_OK(start_ok) (d->nvirt < 64 && (d->nmb >= 2 || (start_ok)))
		unsigned b = v & 0xFF;
		int len = mf_utf8_seq_len((unsigned char)b);
		if (len == 1) {
			cv_push(out, b);
			i++;
			ends[i] = (long)out->n;
			continue;
		}
		if (len == 0) {
			if (!mf_utf8_is_cont(b) ||
			    !VIRT_OK(d->nmb == 1 && last_mb < i && d->prev < 0x80 && utf8_plain_ahead(d->b, to, i + 1, 3)))
				return i;
			/* the bytes lost may have ended the character just read
			 * (是三, E6 98 AF E4 B8 89, losing AF E4, reads 昸 and a stray
			 * 89): that character goes back into the window */
			size_t start = i, n0 = out->n;
			uint32_t popped = 0;
			if (last_mb < i && out->n == last_mb_out && out->n > 0) {
				start = last_mb;
				popped = out->v[--out->n];
				d->nmb--;
			}
			size_t e = solve_hole(d, start, i, out, true);
			if (!e || e > to || e == i) {
				if (popped) {
					out->n = n0 - 1;
					cv_push(out, popped);
					d->nmb++;
				}
				return i;
			}
			if (popped)
				ends[i] = -1;
			last_mb = SIZE_MAX;
			d->nvirt++;
			d->fill_cost += VIRT_DOUBT;
			i = e;
			ends[i] = (long)out->n;
			continue;
		}
		/* gather the sequence; a hole (or a '?' where a byte must be) inside
		 * it goes to the solver */
		size_t j = i + 1;
		unsigned lo, hi;
		mf_utf8_second_range(b, &lo, &hi);
		bool ok = true;
		for (int k = 1; k < len; k++, j++) {
			if (j >= to) {
				ok = false;
				break;
			}
			unsigned c = d->b[j];
			if ((c & (HOLE | MAYBE_HOLE)) != 0 && !(k == 1 ? (c & 0xFF) >= lo && (c & 0xFF) <= hi : mf_utf8_is_cont(c & 0xFF))) {
				size_t e = solve_hole(d, i, j, out, false);
				if (!e || e > to)
					return i;
				last_mb = SIZE_MAX;
				i = e;
				ends[i] = (long)out->n;
				goto next;
			}
			if (k == 1 ? (c < lo || c > hi) : !mf_utf8_is_cont(c)) {
				ok = false;
				break;
			}
		}
		if (!ok) {
			/* (after a character, one cut short where a character
			 * follows plainly, the run ends or ASCII follows: 李姐
			 * losing A7 90 at a line's start, 妈妈 losing A6 88 before
			 * a newline) */
			bool run_end = j >= to || (d->b[j] & (0xFF | HOLE | MAYBE_HOLE)) < 0x80;
			if (!VIRT_OK((j >= i + 2 && mf_utf8_ahead(d->b, to, i + 1, 2) > 0) ||
			             (d->nmb >= 1 && (run_end || utf8_plain_ahead(d->b, to, j, 1)))))
				return i;
			size_t e = solve_hole(d, i, j, out, true);
			if (!e || e > to)
				return i;
			last_mb = SIZE_MAX;
			d->nvirt++;
			d->fill_cost += VIRT_DOUBT;
			i = e;
			ends[i] = (long)out->n;
			continue;
		}
		d->nmb++;
		{
			unsigned char tmp[4];
			for (int k = 0; k < len; k++)
				tmp[k] = (unsigned char)(d->b[i + k] & 0xFF);
			uint32_t cp;
			mf_utf8_decode(tmp, (size_t)len, &cp);
			cv_push(out, cp);
			last_mb = i;
			last_mb_out = out->n;
		}
		i += (size_t)len;
		ends[i] = (long)out->n;
	next:;
	}
#undef VIRT_OK
	return i;
}

/* The likeliest of several characters for one lost place, in context: each
 * candidate comes with its cost; sure where it beats the next by
 * FILL_MARGIN, with its doubt from every candidate's share. */
typedef struct {
	long best, second;         /* -1: none yet */
	double mass;               /* every candidate's probability, summed */
	uint32_t cp;               /* the best */
	unsigned tag;              /* the caller's mark of it (the byte it takes) */
} char_choice;

#define CHAR_CHOICE_INIT { .best = -1, .second = -1 }

static void choice_add(char_choice *ch, uint32_t cp, long cost, unsigned tag)
{
	ch->mass += cost_prob(cost);
	if (ch->best < 0 || cost < ch->best) {
		ch->second = ch->best;
		ch->best = cost;
		ch->cp = cp;
		ch->tag = tag;
	} else if (ch->second < 0 || cost < ch->second) {
		ch->second = cost;
	}
}

static bool choice_sure(const char_choice *ch)
{
	return ch->best >= 0 && (ch->second < 0 || ch->second - ch->best >= FILL_MARGIN);
}

/* The character a lost byte of a GBK pair most likely completes: the other
 * byte is fixed (lead or trail >= 0), the lost one is one of cands (all
 * bytes when cands is NULL), scored in context.  Returns 0 when nothing fits;
 * *sure says whether it beats the next candidate by FILL_MARGIN. */
uint32_t mf_gbk_choose_pair(int lead, int trail, const unsigned char *cands, size_t ncands, bool han_only,
                            mf_cache *cache, uint32_t prev, uint32_t next, bool *sure, unsigned char *byte,
                            long *doubt)
{
	char_choice ch = CHAR_CHOICE_INIT;
	size_t n = cands ? ncands : 0xFF - 0x40;
	for (size_t k = 0; k < n; k++) {
		unsigned char v = cands ? cands[k] : (unsigned char)(0x40 + k);
		unsigned char l = lead >= 0 ? (unsigned char)lead : v;
		unsigned char t = trail >= 0 ? (unsigned char)trail : v;
		if (!mf_gbk_pair_in_gbk(l, t))
			continue;
		uint32_t c = mf_gbk_decode_pair(l, t);
		if (!c || (han_only && !mf_is_han(c)))
			continue;
		/* each step under the better script: a lone character gives no
		 * grounds to pick one script for both of its neighbours */
		long cost = mf_cache_seq_cost(cache, -1, &c, 1, prev, 0) +
		            (next ? mf_cache_seq_cost(cache, -1, &next, 1, c, 0) : 0);
		choice_add(&ch, c, cost, v);
	}
	bool any = ch.best >= 0;
	if (any && byte)
		*byte = (unsigned char)ch.tag;
	*sure = choice_sure(&ch);
	if (doubt)
		*doubt = any ? mf_fill_doubt(ch.best, ch.mass) : 0;
	return any ? ch.cp : 0;
}

/* A GBK pair with one byte lost where a CP1252 decoder met one of its five
 * undefined bytes, between the characters prev and next. */
static uint32_t cp1252_choose(const decoder *d, int lead, int trail, uint32_t prev, uint32_t next, bool *sure,
                              long *doubt)
{
	d->rm->holes_met++;
	return mf_gbk_choose_pair(lead, trail, CP1252_HOLES, sizeof CP1252_HOLES, false, d->rm->cache, prev, next,
	                          sure, NULL, doubt);
}

/* The same where the pair's bytes start at b[i]: the character after it, at
 * b[i+2], is the context. */
static uint32_t cp1252_hole_pair(const decoder *d, size_t i, size_t to, int lead, int trail, uint32_t prev,
                                 bool *sure, long *doubt)
{
	uint32_t nx = i + 3 < to ? mf_gbk_decode_pair((unsigned char)d->b[i + 2], (unsigned char)d->b[i + 3]) : 0;
	return cp1252_choose(d, lead, trail, prev, nx, sure, doubt);
}

/* Emit such a pair's character; a U+FFFD where the model is unsure. */
static void put_fill(decoder *d, cpvec *out, uint32_t c, bool sure, long doubt)
{
	if (d->rm->skeleton)
		sure = false;
	cv_push(out, sure ? c : 0xFFFD);
	if (sure) {
		d->filled++;
		d->fill_cost += doubt;
	} else
		d->lost++;
}

/* ... for a pair at b[i..i+2) */
static size_t put_hole_pair(decoder *d, cpvec *out, long *ends, size_t i, uint32_t c, bool sure, long doubt)
{
	put_fill(d, out, c, sure, doubt);
	ends[i + 2] = (long)out->n;
	return i + 2;
}

/* A GB18030 four-byte sequence (what GB18030 writes for characters GBK
 * lacks: emoji, ¥, rare Han), through iconv(3); 0 if b[0..4) is not one. */
static uint32_t gb18030_four(const uint16_t *b)
{
	unsigned char in[4];
	for (int k = 0; k < 4; k++) {
		if (b[k] & (HOLE | MAYBE_HOLE))
			return 0;
		in[k] = (unsigned char)(b[k] & 0xFF);
	}
	if (in[1] < 0x30 || in[1] > 0x39 || in[2] < 0x81 || in[2] > 0xFE || in[3] < 0x30 || in[3] > 0x39)
		return 0;
	iconv_t cd = iconv_open("UTF-32LE", "GB18030");
	if (cd == (iconv_t)-1)
		return 0;
	unsigned char o[8];
	char *ip = (char *)in, *op = (char *)o;
	size_t il = 4, ol = sizeof o;
	size_t r = iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	if (r == (size_t)-1 || il != 0 || sizeof o - ol != 4)
		return 0;
	uint32_t cp = (uint32_t)o[0] | (uint32_t)o[1] << 8 | (uint32_t)o[2] << 16 | (uint32_t)o[3] << 24;
	return cp >= 0x80 && cp <= 0x10FFFF && !(cp >= 0xE000 && cp < 0xF900) ? cp : 0;
}

/* A CP1252 decoder that drops its five undefined bytes without a marker
 * (errors='ignore') leaves the other byte of a GBK pair alone: a trail
 * read as ASCII (滿, 9D 4D, as M) or pairing with the next byte, a lead
 * pairing with the next; the text reads misaligned until a byte that is
 * no part of any pair.  Such a run is read by its cheapest path under the
 * model, where a pair may have lost its lead or its trail for DROP_PRIOR.
 * A byte below 0x30 is read as itself on every path, so the search
 * settles there and keeps no more than a chunk of states. */
#define DROP_PRIOR 24           /* 3 nats, where the run or document shows drops */
#define DROP_PRIOR_UNSEEN 64    /* 8 nats before it does */
/* Where a byte was lost is rarely in doubt here (a misaligned reading is
 * garbage, a lone letter stands out); which byte it was, the fill's own
 * doubt says.  Measured: 37 of 43 held-out documents exact. */
#define DROP_DOUBT 1
/* In a document that lost bytes, an ASCII byte alone between characters of GBK
 * is a trail whose lead was lost far more often than text: the model, which
 * prices ASCII by class, would keep 裝M舊 for 裝滿舊.  Not after an opening
 * bracket or quote, where a lone letter is what text quotes (「u」). */
#define LONE_ASCII_PRIOR 80

static bool opening_mark(uint32_t c)
{
	for (unsigned k = 0; k < sizeof BRACKETS / sizeof BRACKETS[0]; k++)
		if (c == BRACKETS[k][0])
			return true;
	return c == 0x3008 || c == 0x300A;
}
#define DROP_BEAM 120           /* paths this far behind the best at a byte are dropped */
#define DROP_STATES 8           /* paths kept per byte (each ends in another character) */
#define DROP_CHUNK 1024

typedef struct {
	long cost;
	uint32_t c;                /* the character this step read */
	int32_t back;              /* the state before, -1 at the chunk's start */
	uint8_t width;             /* bytes it read */
	int8_t lost;               /* -1 none; 0 a lead lost before them, 1 a trail after */
} drop_state;

static _Thread_local struct {
	drop_state s[(DROP_CHUNK + 4) * DROP_STATES];
	uint8_t n[DROP_CHUNK + 4];
} drop_tab;

static void drop_offer(int q, uint32_t c, long cost, int32_t back, int width, int lost)
{
	drop_state *row = drop_tab.s + (size_t)q * DROP_STATES;
	int n = drop_tab.n[q], worst = -1;
	for (int k = 0; k < n; k++) {
		if (row[k].c == c) {
			if (cost < row[k].cost)
				row[k] = (drop_state){ cost, c, back, (uint8_t)width, (int8_t)lost };
			return;
		}
		if (worst < 0 || row[k].cost > row[worst].cost)
			worst = k;
	}
	if (n < DROP_STATES)
		row[drop_tab.n[q]++] = (drop_state){ cost, c, back, (uint8_t)width, (int8_t)lost };
	else if (cost < row[worst].cost)
		row[worst] = (drop_state){ cost, c, back, (uint8_t)width, (int8_t)lost };
}

/* Emit the path that ends in state `last` (chunk starting at slot base);
 * `next` is the character after it, 0 if not known. */
static void drop_emit(decoder *d, size_t base, int32_t last, uint32_t next, cpvec *out, long *ends)
{
	int32_t path[DROP_CHUNK + 4];
	int np = 0;
	for (int32_t k = last; k >= 0; k = drop_tab.s[k].back)
		path[np++] = k;
	size_t i = base;
	while (np--) {
		const drop_state *st = &drop_tab.s[path[np]];
		if (st->lost < 0) {
			cv_push(out, st->c);
		} else {
			uint32_t prev = out->n ? out->v[out->n - 1] : d->prev;
			uint32_t nx = np ? drop_tab.s[path[np - 1]].c : next;
			unsigned b = d->b[i] & 0xFF;
			bool sure;
			long doubt = 0;
			uint32_t c = cp1252_choose(d, st->lost == 1 ? (int)b : -1, st->lost == 0 ? (int)b : -1, prev, nx,
			                           &sure, &doubt);
			put_fill(d, out, c, sure, doubt);
			d->nvirt++;
			d->fill_cost += DROP_DOUBT;
		}
		i += st->width;
		ends[i] = (long)out->n;
	}
}

/* An ASCII byte is read as a trail whose lead was lost only next to a
 * byte of GBK (裝M舊 for 裝滿舊): elsewhere that would be a character of
 * GBK/3, rare in itself, standing alone among ASCII (the r of
 * "promenade").  Not looking for one there keeps a run of Latin text read
 * at a state a byte, not forty. */
static bool ascii_among_ascii(const decoder *d, size_t i, size_t from, size_t to)
{
	return (d->b[i] & 0xFF) < 0x80 && i > from && i + 1 < to && d->b[i - 1] < 0x80 && d->b[i + 1] < 0x80;
}

static size_t decode_gbk_dropped(decoder *d, size_t from, size_t to, cpvec *out, long *ends, bool evidence)
{
	long drop_prior = evidence ? DROP_PRIOR : DROP_PRIOR_UNSEEN;
	long lone_prior = evidence ? LONE_ASCII_PRIOR : 0;
	size_t base = from;
	uint32_t start_c = out->n ? out->v[out->n - 1] : d->prev;
	while (base < to) {
		memset(drop_tab.n, 0, sizeof drop_tab.n);
		/* the chunk's start: one state (-1), the character before */
		int far = 0, end = -1;
		bool dead = false;
		for (int p = 0;; p++) {
			size_t i = base + (size_t)p;
			const drop_state *row = drop_tab.s + (size_t)p * DROP_STATES;
			int nrow = p ? drop_tab.n[p] : 1;
			if (p > far) {
				dead = true;                    /* no path reaches further */
				break;
			}
			if (p && nrow && (i >= to || (d->b[i - 1] & 0xFF) < 0x30 || p >= DROP_CHUNK)) {
				end = p;
				break;
			}
			if (!nrow)
				continue;
			long best = -1;
			for (int k = 0; k < nrow && p; k++)
				if (best < 0 || row[k].cost < best)
					best = row[k].cost;
			unsigned b = d->b[i] & 0xFF;
			for (int k = 0; k < nrow; k++) {
				long cost0 = p ? row[k].cost : 0;
				uint32_t prevc = p ? row[k].c : start_c;
				int32_t me = p ? (int32_t)((size_t)p * DROP_STATES + (size_t)k) : -1;
				if (p && cost0 > best + DROP_BEAM)
					continue;
				uint32_t cand[12];
				int wid[12], lost[12], nc = 0;
				long lone = 0;
				if (b < 0x80) {
					cand[nc] = b, wid[nc] = 1, lost[nc++] = -1;
					if (b >= 0x40 && b < 0x7F && i + 1 < to && (d->b[i + 1] & 0xFF) > 0x80 &&
					    (prevc == 0 || prevc == '\n' || prevc == ' ' || prevc == '\t' ||
					     (prevc >= 0x80 && !opening_mark(prevc))))
						lone = lone_prior;
				} else if (b == 0x80) {
					cand[nc] = 0x20AC, wid[nc] = 1, lost[nc++] = -1;
				} else if (b < 0xFF) {
					uint32_t four = i + 3 < to ? gb18030_four(d->b + i) : 0;
					if (four)
						cand[nc] = four, wid[nc] = 4, lost[nc++] = -1;
					unsigned t = i + 1 < to ? d->b[i + 1] & 0xFF : 0;
					if (t && mf_gbk_pair_in_gbk((unsigned char)b, (unsigned char)t))
						cand[nc] = mf_gbk_decode_pair((unsigned char)b, (unsigned char)t), wid[nc] = 2,
						lost[nc++] = -1;
					for (size_t h = 0; h < sizeof CP1252_HOLES; h++)
						if (mf_gbk_pair_in_gbk((unsigned char)b, CP1252_HOLES[h]))
							cand[nc] = mf_gbk_decode_pair((unsigned char)b, CP1252_HOLES[h]), wid[nc] = 1,
							lost[nc++] = 1;
				}
				if (b >= 0x40 && b != 0x7F && b < 0xFF && !ascii_among_ascii(d, i, from, to))
					for (size_t h = 0; h < sizeof CP1252_HOLES; h++)
						if (mf_gbk_pair_in_gbk(CP1252_HOLES[h], (unsigned char)b))
							cand[nc] = mf_gbk_decode_pair(CP1252_HOLES[h], (unsigned char)b), wid[nc] = 1,
							lost[nc++] = 0;
				for (int m = 0; m < nc; m++) {
					if (!cand[m] || i + (size_t)wid[m] > to)
						continue;
					long cost = cost0 + mf_cache_seq_cost(d->rm->cache, d->script, &cand[m], 1, prevc, 0) +
					            (lost[m] >= 0 ? drop_prior : wid[m] == 1 ? lone : 0);
					int q = p + wid[m];
					drop_offer(q, cand[m], cost, me, wid[m], lost[m]);
					if (q > far)
						far = q;
				}
			}
		}
		/* where no path went on, the reading stops at the furthest byte one reached */
		if (dead)
			end = far;
		if (end <= 0)
			return base;
		bool last_chunk = base + (size_t)end >= to;
		uint32_t next = last_chunk ? d->after_run : 0;
		int32_t pick = -1;
		long pick_cost = 0;
		for (int k = 0; k < drop_tab.n[end]; k++) {
			const drop_state *st = &drop_tab.s[(size_t)end * DROP_STATES + (size_t)k];
			long cost = st->cost + (next ? mf_cache_seq_cost(d->rm->cache, d->script, &next, 1, st->c, 0) : 0);
			if (pick < 0 || cost < pick_cost) {
				pick = (int32_t)((size_t)end * DROP_STATES + (size_t)k);
				pick_cost = cost;
			}
		}
		drop_emit(d, base, pick, next, out, ends);
		start_c = out->n ? out->v[out->n - 1] : start_c;
		base += (size_t)end;
		if (dead)
			return base;
	}
	return base;
}

/* GBK decode (for 拼音码): lead+trail pairs through the table, ASCII as is. */
static size_t decode_gbk_plain(decoder *d, size_t from, size_t to, cpvec *out, long *ends)
{
	size_t i = from;
	while (i < to) {
		unsigned v = d->b[i];
		uint32_t prev = out->n ? out->v[out->n - 1] : d->prev;
		bool sure;
		long doubt = 0;
		if (v & HOLE) {
			/* a lost lead byte: the next byte is its trail */
			if (!d->sbcs || i + 1 >= to || (d->b[i + 1] & (HOLE | MAYBE_HOLE)))
				return i;
			uint32_t c = cp1252_hole_pair(d, i, to, -1, d->b[i + 1] & 0xFF, prev, &sure, &doubt);
			if (!c)
				return i;
			i = put_hole_pair(d, out, ends, i, c, sure, doubt);
			continue;
		}
		unsigned b = v & 0xFF;
		if ((v & MAYBE_HOLE) && d->sbcs && i + 1 < to && !(d->b[i + 1] & (HOLE | MAYBE_HOLE)) &&
		    mf_gbk_is_trail((unsigned char)d->b[i + 1])) {
			/* '?' then a trail byte: a literal '?', or a lead byte the
			 * decoder could not map; the model tells which */
			uint32_t c = cp1252_hole_pair(d, i, to, -1, d->b[i + 1] & 0xFF, prev, &sure, &doubt);
			/* where the byte after it cannot go on as GBK, the '?' is no
			 * literal: a lost lead, filled or marked */
			unsigned t = d->b[i + 1] & 0xFF;
			if (c && t > 0x80 &&
			    (i + 2 >= to || (d->b[i + 2] & (HOLE | MAYBE_HOLE)) ||
			     !mf_gbk_pair_in_gbk((unsigned char)t, (unsigned char)(d->b[i + 2] & 0xFF)))) {
				i = put_hole_pair(d, out, ends, i, c, sure, doubt);
				continue;
			}
			if (c && d->rm->skeleton)
				d->open_sites++;      /* the reading proper may decide otherwise */
			if (c && !d->rm->skeleton) {
				uint32_t nx = i + 3 < to ? mf_gbk_decode_pair((unsigned char)d->b[i + 2], (unsigned char)d->b[i + 3]) : 0;
				uint32_t lit[2] = { '?', d->b[i + 1] & 0xFF };
				long cf = mf_lm_seq_cost(&c, 1, prev, nx), cl = mf_lm_seq_cost(lit, 2, prev, nx);
				/* (a letter alone after it, before GBK: see LONE_ASCII_PRIOR) */
				if (lit[1] < 0x80 && nx >= 0x80)
					cl += LONE_ASCII_PRIOR;
				/* two readings of the same bytes, the model decides; what
				 * it leaves to the other is doubt either way */
				bool fill = sure && cf < cl;
				long taken = fill ? cf : cl, other = fill ? cl : cf;
				double p_taken = 1.0 / (1.0 + exp((double)(taken - other) / MF_LM_COST_SCALE));
				d->fill_cost += lround(-log(p_taken) * MF_LM_COST_SCALE);
				if (fill) {
					i = put_hole_pair(d, out, ends, i, c, true, doubt);
					continue;
				}
			}
		}
		uint32_t four = 0;
		if (b >= 0x81 && i + 3 < to && !(d->b[i + 1] & (HOLE | MAYBE_HOLE)) && (four = gb18030_four(d->b + i)) != 0) {
			cv_push(out, four);
			i += 4;
		} else if (b < 0x80) {
			cv_push(out, b);
			i++;
		} else if (b == 0x80) {
			cv_push(out, 0x20AC);
			i++;
		} else {
			if (i + 1 >= to)
				return i;
			unsigned t = d->b[i + 1];
			if ((t & (HOLE | MAYBE_HOLE)) && d->sbcs) {
				/* a lost trail byte ('?' or U+FFFD where the decoder failed) */
				uint32_t c = cp1252_hole_pair(d, i, to, (int)b, -1, prev, &sure, &doubt);
				if (!c)
					return i;
				i = put_hole_pair(d, out, ends, i, c, sure, doubt);
				continue;
			}
			if (t & HOLE)
				return i;
			uint32_t cp = mf_gbk_decode_pair((unsigned char)b, (unsigned char)(t & 0xFF));
			if (!cp || !mf_gbk_pair_in_gbk((unsigned char)b, (unsigned char)(t & 0xFF)))
				return i;
			cv_push(out, cp);
			i += 2;
		}
		ends[i] = (long)out->n;
	}
	return i;
}

/* Whether a plain GBK reading shows what a lost byte leaves or hides: a
 * character outside GB2312 (every pair with one of CP1252's five
 * undefined bytes is; a misaligned reading is full of them), or an ASCII
 * byte alone between two characters of GBK (a trail whose lead was lost). */
static bool drop_suspect(const uint32_t *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (v[k] >= 0x80) {
			unsigned char g[2];
			if (mf_gbk_encode(v[k], g) == 2 && (g[0] < 0xA1 || g[1] < 0xA1))
				return true;
		} else if (v[k] >= 0x40 && v[k] < 0x7F && k > 0 && k + 1 < n && v[k - 1] >= 0x80 && v[k + 1] >= 0x80) {
			return true;
		}
	}
	return false;
}

/* The characters of GB2312 (both bytes >= 0xA1) among v[0..n). */
static size_t gb2312_chars(const uint32_t *v, size_t n)
{
	size_t m = 0;
	for (size_t k = 0; k < n; k++) {
		unsigned char g[2];
		m += v[k] >= 0x80 && mf_gbk_encode(v[k], g) == 2 && g[0] >= 0xA1 && g[1] >= 0xA1;
	}
	return m;
}

/* A run that may have lost bytes silently is read plainly first: where
 * that reads through and shows nothing a loss leaves, it stands (the model
 * alone would sometimes take a rare character for a lost byte and an ASCII
 * one, and the search costs more than the reading). */
static size_t decode_gbk_slots(decoder *d, size_t from, size_t to, cpvec *out, long *ends)
{
	size_t n0 = out->n;
	size_t stop = decode_gbk_plain(d, from, to, out, ends);
	if (!d->drops || (stop >= to && !drop_suspect(out->v + n0, out->n - n0)))
		return stop;
	out->n = n0;
	for (size_t k = from + 1; k <= stop; k++)
		ends[k] = -1;
	/* a run whose plain reading failed, or a document where one did,
	 * shows a decoder that drops bytes: there a loss is likelier */
	unsigned nvirt = d->nvirt;
	if (!d->rm->probe)
		d->rm->drops_read = true;      /* its paths are costed against the cache */
	size_t e = decode_gbk_dropped(d, from, to, out, ends, stop < to || d->rm->doc->cp1252_dropped);
	/* (what shows the document's decoder drops bytes is Chinese read so,
	 * two characters of GB2312 at least: not 棗 and a lost byte for the
	 * ——” of clean text) */
	if (stop < to && e > stop && d->nvirt > nvirt && gb2312_chars(out->v + n0, out->n - n0) >= 2)
		d->rm->doc->cp1252_dropped = true;
	return e;
}

/* ------------------------------------------------------------------ */
/* Candidates                                                          */

typedef struct {
	size_t start, end;         /* unit range */
	uint32_t *rep;
	size_t nrep;
	mf_channel ch;
	double gain;               /* nats */
	unsigned lost, filled;
	unsigned open_sites;       /* skeleton reading: see decoder */
	long fill_cost;
	eat_evidence eat;
	int ninner;                /* 符号码 layers undone inside this one, outermost first */
	mf_channel inner[MF_MAX_CHAIN - 1];
	bool holed;                /* skeleton: read through a hole, so fills may read it otherwise */
	bool spells_known, spells; /* cand_spells, once asked */
} cand;

typedef struct candlist {
	cand *v;
	size_t n, cap;
} candlist;

static bool cl_push(candlist *l, const cand *c)
{
	if (l->n == l->cap && !mf_grow(&l->v, &l->cap, sizeof *l->v, 16))
		return false;
	l->v[l->n++] = *c;
	return true;
}

static bool non_ascii(uint32_t cp) { return cp >= 0x80; }

/* Pushes c with a copy of its reading v[0..c->nrep) (false: no memory). */
static bool push_copy(candlist *l, cand *c, const uint32_t *v)
{
	c->rep = malloc((c->nrep + 1) * sizeof *c->rep);
	if (!c->rep)
		return false;
	memcpy(c->rep, v, c->nrep * sizeof *c->rep);
	if (cl_push(l, c))
		return true;
	free(c->rep);
	return false;
}

/* Strict GBK reading of bytes[0..n) (ASCII and mapped pairs only) into out;
 * returns the characters, or 0 when any byte is left over. */
static size_t gbk_exact(const unsigned char *bytes, size_t n, uint32_t *out)
{
	size_t m = 0, j = 0;
	while (j < n) {
		if (bytes[j] < 0x80) {
			out[m++] = bytes[j++];
			continue;
		}
		if (j + 1 >= n || !mf_gbk_pair_in_gbk(bytes[j], bytes[j + 1]))
			return 0;
		out[m++] = mf_gbk_decode_pair(bytes[j], bytes[j + 1]);
		j += 2;
	}
	return m;
}

/* One UTF-8 character at b[0..n) whose bytes after the lead may be unknown
 * (lost in a layer above): its length, with U+FFFD in *cp where a byte is
 * unknown; 0 where the known bytes are not UTF-8.  An unknown byte stands
 * for one or more, so the character may end early after it. */
static size_t lossy_utf8_char(const unsigned char *b, const bool *unknown, size_t n, uint32_t *cp)
{
	int len = mf_utf8_seq_len(b[0]);
	if (len == 0)
		return 0;
	size_t k = 1;
	while (k < (size_t)len && k < n && !unknown[k])
		k++;
	if (k == (size_t)len || k == n) {
		size_t l = mf_utf8_decode(b, k, cp);
		return MF_IS_RAW(*cp) || l != k ? 0 : l;
	}
	/* the known bytes before the unknown one must begin a character */
	unsigned lo, hi;
	mf_utf8_second_range(b[0], &lo, &hi);
	for (size_t q = 1; q < k; q++)
		if (q == 1 ? b[q] < lo || b[q] > hi : !mf_utf8_is_cont(b[q]))
			return 0;
	k++;
	while (k < (size_t)len && k < n && !unknown[k] && mf_utf8_is_cont(b[k]))
		k++;
	*cp = 0xFFFD;
	return k;
}

/* A character whose one byte a layer above lost: its bytes, and which. */
typedef struct {
	unsigned char b[4];
	signed char len;           /* 0: not of this kind */
	signed char unknown;
	const uint32_t *may;       /* the bytes it may be (lost_under), or NULL: any */
} lost_char;

/* Fill each character of v[] that lost one byte (lc[i].len) where the model
 * clearly prefers one completion in its context, as solve_hole_at does for
 * the layer read first; the rest stay U+FFFD.  Adds the fills and their
 * doubt (1/8 nat) to *filled and *fill_cost. */
static void fill_lost_chars(uint32_t *v, size_t n, const lost_char *lc, uint32_t prev, uint32_t next,
                            mf_cache *cache, int script, unsigned *filled, long *fill_cost)
{
	for (size_t i = 0; i < n; i++) {
		/* (a byte the layer above does not narrow down is left lost: 64
		 * guesses are too many for two characters of context) */
		if (v[i] != 0xFFFD || lc[i].len == 0 || !lc[i].may)
			continue;
		unsigned char q[4];
		memcpy(q, lc[i].b, sizeof q);
		unsigned lo = 0x80, hi = 0xBF;
		if (lc[i].unknown == 1)
			mf_utf8_second_range(q[0], &lo, &hi);
		uint32_t p = i ? v[i - 1] : prev, nx = i + 1 < n ? v[i + 1] : next;
		if (nx == 0xFFFD)
			nx = 0;
		char_choice ch = CHAR_CHOICE_INIT;
		for (unsigned x = lo; x <= hi; x++) {
			if (!(lc[i].may[x >> 5] & (1u << (x & 31))))
				continue;
			q[(int)lc[i].unknown] = (unsigned char)x;
			uint32_t cp;
			if (mf_utf8_decode(q, (size_t)lc[i].len, &cp) != (size_t)lc[i].len || MF_IS_RAW(cp))
				continue;
			choice_add(&ch, cp, mf_cache_seq_cost(cache, script, &cp, 1, p, nx), x);
		}
		if (!choice_sure(&ch))
			continue;
		v[i] = ch.cp;
		++*filled;
		*fill_cost += mf_fill_doubt(ch.best, ch.mass);
	}
}

/* The single-byte channels' families, as bits of mf_docstate.spelled. */
enum { FAMILY_PINYIN = 1, FAMILY_SYMBOL = 2 };

static unsigned sbcs_family(mf_channel ch)
{
	switch (ch) {
	case MF_CH_GBK_AS_LATIN1: case MF_CH_GBK_AS_CP1252:
		return FAMILY_PINYIN;
	case MF_CH_UTF8_AS_LATIN1: case MF_CH_UTF8_AS_CP1252:
		return FAMILY_SYMBOL;
	default:
		return 0;
	}
}

/* A character of a script European text does not write: what a stray pair
 * of its letters and signs reads as through GBK (a Han character, an
 * ideographic space, a user-area character) or as UTF-8 (a letter of
 * Mongolian or NKo, or of IPA: « É » gives ɠ).  Latin, Greek, Cyrillic,
 * punctuation and symbols (–, ☺) are not. */
static bool rare_latin(uint32_t c)
{
	/* IPA and Latin Extended-B: phonetics and the letters of a few
	 * languages; kept are ə ɛ ɔ, ƒ, Vietnamese ơ ư, the Croatian digraphs and
	 * pinyin's ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ, Romanian ș ț */
	if (c < 0x0180 || c >= 0x02B0)
		return false;
	switch (c) {
	case 0x0259: case 0x025B: case 0x0254: case 0x0192: case 0x01A0: case 0x01A1: case 0x01AF: case 0x01B0:
		return false;
	}
	return !(c >= 0x01C4 && c <= 0x01DC) && !(c >= 0x0218 && c <= 0x021B);
}

static bool foreign_script(uint32_t c)
{
	return rare_latin(c) || (c >= 0x0530 && c < 0x1D00) || (c >= 0x2E80 && c < 0xA4D0) || (c >= 0xA960 && c < 0xA980) ||
	       (c >= 0xAC00 && c < 0xD800) || (c >= 0xE000 && c < 0xFB00) || (c >= 0xFE30 && c < 0xFE50) ||
	       (c >= 0xFF00 && c < 0xFFF0) || c >= 0x20000;
}

#define SPELL_NATS 9.5     /* the model's mean cost per character of a run that spells Chinese */
#define LOST_NATS 14.0     /* what the model charges a U+FFFD (src/lm.c) */

/* Does a single-byte channel's reading spell text in another script, not a
 * character here and there?  Chinese read as Latin-1 or CP1252 is runs of
 * accented letters and signs that read as runs of characters; European text
 * holds the odd pair of them («\u00A0, ¡¡, ¿É, Láá, „e, é\u00A0») that reads
 * as one character between ASCII.  A run of three characters of another
 * script (foreign_script), three of them different (not 牋牋牋 from a row of
 * no-break spaces; not »ß«, which is European text), shows it; for 拼音码, which reads
 * the text itself, the model must also find the run Chinese (not 珷島牷 from
 * « 島 », nor 懒旅呐魄壬仕 from a list of accented letters, nor 彔彔彔爋牆
 * from no-break spaces between words), where 符号码 may
 * read the 古文码 of a layer under it.  (A U+FFFD, a lost character, is
 * priced apart: what the rest spells counts.) */
static bool spells_text(const uint32_t *rep, size_t n, bool chinese)
{
	for (size_t i = 0; i < n;) {
		if (!foreign_script(rep[i]) && rep[i] != 0xFFFD) {
			i++;
			continue;
		}
		size_t a = i, lost = 0;
		uint32_t seen[3] = { 0 };
		int nseen = 0;
		for (; i < n && (foreign_script(rep[i]) || rep[i] == 0xFFFD); i++) {
			uint32_t c = rep[i];
			lost += c == 0xFFFD;
			if (c != 0xFFFD && nseen < 3 && c != seen[0] && c != seen[1])
				seen[nseen++] = c;
		}
		if (nseen < 3)
			continue;
		if (!chinese)
			return true;
		/* (a character repeated counts once: the model finds 彔彔彔彔
		 * cheap, as it does 哈哈) */
		long cost[2] = { 0, 0 };
		size_t m = 0;
		uint32_t prev = 0;
		lost = 0;
		for (size_t q = a; q < i; q++) {
			if (q > a && rep[q] == rep[q - 1])
				continue;
			for (int sc = 0; sc < 2; sc++)
				cost[sc] += mf_lm_cost((mf_script)sc, prev, rep[q]);
			prev = rep[q];
			lost += rep[q] == 0xFFFD;
			m++;
		}
		double nats = NATS(cost[0] < cost[1] ? cost[0] : cost[1]) - LOST_NATS * (double)lost;
		if (nats <= SPELL_NATS * (double)(m - lost))
			return true;
	}
	return false;
}

/* A candidate's family: its innermost layer's, the one whose reading its
 * text is (符号码 undone down to 拼音码 reads as 拼音码 does). */
static unsigned cand_family(const cand *c)
{
	return sbcs_family(c->ninner ? c->inner[c->ninner - 1] : c->ch);
}

/* Whether a candidate spells text in its family's sense (spells_text);
 * asked of each several times a pass, answered once. */
static bool cand_spells(cand *c)
{
	if (!c->spells_known) {
		c->spells = spells_text(c->rep, c->nrep, cand_family(c) == FAMILY_PINYIN);
		c->spells_known = true;
	}
	return c->spells;
}

/* A single-byte channel's reading that needs the document to show its
 * family spelling text elsewhere: one on a line of European text (no
 * character of another script around it: foreign_script) that gives such a
 * character and spells no text.  (An en dash from 拼音码's ¨C, an é from
 * 符号码's Ã©, read alone as well as anywhere; a word garbled among Chinese
 * has Chinese around it.) */
static bool reads_alone(cand *c, const bool *foreign_line)
{
	if (!cand_family(c) || foreign_line[c->start] || cand_spells(c))
		return false;
	for (size_t i = 0; i < c->nrep; i++)
		if (foreign_script(c->rep[i]))
			return true;
	return false;
}

/* Per unit, whether its line holds a character of another script than
 * European text's (NULL: no memory). */
static bool *foreign_lines(const uint32_t *cps, size_t n)
{
	bool *fl = malloc((n + 1) * sizeof *fl);
	if (!fl)
		return NULL;
	for (size_t a = 0, i = 0; i <= n; i++) {
		if (i < n && cps[i] != '\n')
			continue;
		bool any = false;
		for (size_t j = a; j < i && !any; j++)
			any = foreign_script(cps[j]);
		for (size_t j = a; j <= i && j < n; j++)
			fl[j] = any;
		a = i + 1;
	}
	return fl;
}

/* Whether a reversal's output holds a Latin-1 character that is a UTF-8
 * lead byte: most outputs (Chinese) hold none, so no layer is under them. */
static bool holds_utf8_lead(const uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] >= 0xC2 && v[i] <= 0xF4)
			return true;
	return false;
}

/* A reversal whose output is itself UTF-8 read as Latin-1 or CP1252 (å°\x8f
 * for 小) is undone further here, while the whole output re-encodes to valid
 * UTF-8 with a multibyte character in it.  Judged alone, such a layer is full
 * of C1 controls and loses to the 拼音码 reading of the same bytes (氓掳聫);
 * judged with the layers under it, it is what it is.  Bytes that are valid
 * GBK as well (×£: 祝, or Hebrew ף) are read as the model prefers, a GBK
 * reading ending the chain.  Returns the layers undone, outermost first, in
 * inner[]. */
static int unwrap_sbcs_layers(cpvec *rep, uint32_t prev, uint32_t next, mf_channel *inner, int room,
                              const lost_under_list *under, mf_cache *cache, int script, unsigned *filled,
                              long *fill_cost)
{
	int k = 0;
	unsigned char *bytes = NULL;
	bool *unknown = NULL, fillable = false;
	uint32_t *dec = NULL, *gdec = NULL;
	lost_char *lc = NULL, *lc_rep = NULL;     /* per character decoded, per character of rep */
	const uint32_t **may = NULL;              /* per U+FFFD of the first layer: lost_under */
	if (rep->n == 0 || rep->failed)
		return 0;
	if (!holds_utf8_lead(rep->v, rep->n))
		return 0;
	bytes = malloc(rep->n);
	unknown = malloc(rep->n);
	dec = malloc(rep->n * sizeof *dec);
	gdec = malloc(rep->n * sizeof *gdec);
	lc = malloc(rep->n * sizeof *lc);
	lc_rep = malloc(rep->n * sizeof *lc_rep);
	may = calloc(rep->n, sizeof *may);
	if (!bytes || !unknown || !dec || !gdec || !lc || !lc_rep || !may) {
		rep->failed = true;
		goto out;
	}
	for (size_t q = 0; under && q < under->n; q++)
		if (under->v[q].at < rep->n && rep->v[under->v[q].at] == 0xFFFD)
			may[under->v[q].at] = under->v[q].bytes;
	while (k < room) {
		bool any1252 = false, lossy = false;
		size_t j;
		for (j = 0; j < rep->n; j++) {
			uint32_t c = rep->v[j];
			bool only1252 = false;
			/* a character the layer above lost (U+FFFD) is a byte here,
			 * known where one byte alone could have been lost */
			unknown[j] = c == 0xFFFD;
			int b = c < 0x80 || unknown[j] ? (int)(c & 0x7F) : mf_sbcs_encode(c, &only1252);
			if (unknown[j] && k > 0)
				may[j] = NULL;
			if (unknown[j] && may[j]) {
				int nb = 0, last = 0;
				for (int x = 0; x < 256; x++)
					if (may[j][x >> 5] & (1u << (x & 31))) {
						nb++;
						last = x;
					}
				if (nb == 1) {
					unknown[j] = false;
					b = last;
				}
			}
			lossy |= unknown[j];
			if (b < 0)
				break;
			any1252 |= only1252;
			bytes[j] = (unsigned char)b;
		}
		if (j < rep->n)
			break;
		size_t m = 0, nmulti = 0;
		for (j = 0; j < rep->n;) {
			size_t l = unknown[j] ? 0 : lossy_utf8_char(bytes + j, unknown + j, rep->n - j, &dec[m]);
			lc[m].len = 0;
			if (!unknown[j] && l > 1 && dec[m] == 0xFFFD && (size_t)mf_utf8_seq_len(bytes[j]) == l) {
				/* all its bytes there, one of them lost: fill_lost_chars */
				int nu = 0;
				for (size_t q = 0; q < l; q++) {
					lc[m].b[q] = bytes[j + q];
					if (unknown[j + q]) {
						lc[m].unknown = (signed char)q;
						lc[m].may = may[j + q];
						nu++;
					}
				}
				lc[m].len = nu == 1 ? (signed char)l : 0;
			}
			if (unknown[j]) {
				/* with a lost lead go the continuation bytes after it */
				dec[m] = 0xFFFD;
				l = 1;
				while (l < 4 && j + l < rep->n && !unknown[j + l] && mf_utf8_is_cont(bytes[j + l]))
					l++;
			} else if (l == 0) {
				break;
			}
			nmulti += l > 1 && dec[m] != 0xFFFD;
			m++;
			j += l;
		}
		bool utf8 = j == rep->n && nmulti > 0;
		/* The GBK reading against the UTF-8 one; where the bytes are not
		 * UTF-8 (脟脳掳庐 is 拼音码 Ç×°® saved as UTF-8 and read as GBK),
		 * against the layer as it stands, and two characters or more (one
		 * pair of Latin letters is too common a reading of clean text for
		 * the pre-scan) */
		size_t mg = lossy ? 0 : gbk_exact(bytes, rep->n, gdec);
		size_t npairs = 0;
		for (size_t q = 0; q < mg; q++)
			npairs += gdec[q] >= 0x80;
		if (mg && (utf8 || npairs >= 2) &&
		    mf_lm_seq_cost(gdec, mg, prev, next) <
		            (utf8 ? mf_lm_seq_cost(dec, m, prev, next) : mf_lm_seq_cost(rep->v, rep->n, prev, next))) {
			memcpy(rep->v, gdec, mg * sizeof *gdec);
			rep->n = mg;
			inner[k++] = any1252 ? MF_CH_GBK_AS_CP1252 : MF_CH_GBK_AS_LATIN1;
			break;
		}
		if (!utf8)
			break;
		memcpy(rep->v, dec, m * sizeof *dec);
		memcpy(lc_rep, lc, m * sizeof *lc);
		fillable = lossy;
		rep->n = m;
		inner[k++] = any1252 ? MF_CH_UTF8_AS_CP1252 : MF_CH_UTF8_AS_LATIN1;
	}
	/* the losses as the innermost layer reads them */
	if (fillable && filled)
		fill_lost_chars(rep->v, rep->n, lc_rep, prev, next, cache, script, filled, fill_cost);
out:
	free(bytes);
	free(unknown);
	free(dec);
	free(gdec);
	free(lc);
	free(lc_rep);
	free(may);
	return k;
}

/* CJK output: what a Chinese text repair should produce. */
/* (all at U+2000 or above, and above the BMP Han alone: the pre-scan's
 * window bound rests on it, prefilter.c: window_cjk) */
bool mf_cjk_like(uint32_t cp)
{
	return mf_is_han(cp) || (cp >= 0x3000 && cp < 0x3400) || (cp >= 0xFF00 && cp < 0xFFF0) ||
	       (cp >= 0xAC00 && cp < 0xD7A4) || (cp >= 0x2000 && cp < 0x2070);
}

/* Latin-1/CP1252 characters that spell a UTF-8 lead and continuation byte
 * (å° in å°\x8f): the mark of a 符号码 layer under a reading. */
static unsigned sbcs_utf8_pairs(const uint32_t *v, size_t n)
{
	unsigned k = 0;
	int prev = -1;
	for (size_t i = 0; i < n; i++) {
		bool only1252;
		int b = v[i] >= 0x80 && v[i] != 0xFFFD ? mf_sbcs_encode(v[i], &only1252) : -1;
		if (prev >= 0xC2 && prev <= 0xF4 && b >= 0x80 && b <= 0xBF)
			k++;
		prev = b;
	}
	return k;
}

/* Is the reversal a sensible text at all?  Reject outputs that are mostly
 * letters of unrelated scripts: that is what clean Chinese re-encoded and
 * decoded wrongly looks like, never what a real repair gives. */
static bool plausible_output(const chan_def *cd, const uint32_t *rep, size_t n, bool probe)
{
	/* U+FFFD here marks a lost byte the model could not decide: part of
	 * the reading, not evidence against it, as long as it is the minority */
	size_t na = 0, ncjk = 0, nbad = 0, nlost = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = rep[i];
		if (!non_ascii(c))
			continue;
		if (c == 0xFFFD) {
			nlost++;
			continue;
		}
		na++;
		if (mf_cjk_like(c))
			ncjk++;
		else if ((c >= 0x80 && c < 0xA0) || (c >= 0xE000 && c < 0xF900))
			nbad++;
	}
	if (na == 0 || (nlost * 2 > na && !probe))
		return false;
	if (nbad * 4 > na)
		return false;
	if (cd->sbcs && cd->target == TGT_UTF8)
		return true;       /* 符号码 may hide any script (ftfy's domain) */
	return ncjk * 2 > na;
}

/* Invalid UTF-8 is as often a line in Latin-1 or CP1252 as in GBK: the GBK
 * reading of the raw bytes must beat the single-byte reading of the same
 * bytes (Café), not just the raw bytes. */
static bool island_beats_sbcs(const uint16_t *b, size_t nb, const uint32_t *rep, size_t nrep, uint32_t prev,
                              uint32_t next)
{
	uint32_t *alt = malloc((nb + 1) * sizeof *alt);
	if (!alt)
		return false;
	for (size_t i = 0; i < nb; i++)
		alt[i] = mf_cp1252_decode((unsigned char)(b[i] & 0xFF));
	long ca = mf_lm_seq_cost(alt, nb, prev, next), cg = mf_lm_seq_cost(rep, nrep, prev, next);
	free(alt);
	return cg + (long)(PRIOR_NATS * MF_LM_COST_SCALE) < ca;
}

/* Whether the two bytes after unit i (€ as 80) are continuation bytes or
 * lost ones: then a € there is A2 E3 (chan_def.euro_pair). */
static bool euro_before_conts(const chan_def *cd, const uint32_t *cps, size_t n, size_t i, const bool *dense)
{
	int got = 0;
	for (size_t k = i + 1; k < n && cps[k] != '\n' && got < 2; k++) {
		uint16_t tmp[4];
		bool c1252;
		int m = encode_unit(cd, cps[k], tmp, &c1252, dense[k]);
		if (m == 0)
			return false;
		for (int j = 0; j < m && got < 2; j++, got++)
			if (!(tmp[j] & HOLE) && !mf_utf8_is_cont(tmp[j] & 0xFF))
				return false;
	}
	return got == 2;
}

/* A lossy reading whose output shows a 符号码 layer under it (鈥 and a
 * U+FFFD: a line of CP1252 mojibake read by GB18030, its last byte lost).
 * Fills chosen by the model for the layer above say nothing of the text
 * under it, so the reading is redone with its losses left as U+FFFD, and
 * those go through the layers under it as lost characters.  On success
 * the candidate's reading (in *rep) is the innermost layer's. */
static mf_rc unwrap_lossy(const decoder *d0, size_t from, size_t ns, size_t upto, cpvec *rep, cpvec *skel,
                          long *ends, uint32_t prev, uint32_t next, cand *c)
{
	decoder d = *d0;
	readmode *rm = d.rm;
	bool skeleton = rm->skeleton;
	unsigned holes_met = rm->holes_met;
	d.lost = d.filled = d.nvirt = d.open_sites = d.nmb = 0;
	d.fill_cost = 0;
	memset(&d.eat, 0, sizeof d.eat);
	skel->n = 0;
	rm->skeleton = rm->forced = true;
	rm->under = (lost_under_list){ 0 };
	size_t stop = decode_utf8_slots(&d, from, ns, skel, ends);
	lost_under_list under = rm->under;
	rm->under = (lost_under_list){ 0 };
	rm->skeleton = skeleton;
	rm->forced = false;
	rm->holes_met = holes_met;
	long nout = upto <= stop ? ends[upto] : -1;
	for (size_t k = from; k <= stop && k <= ns; k++)
		ends[k] = -1;
	unsigned filled = 0;
	long fill_cost = 0;
	if (!skel->failed && nout > 0) {
		skel->n = (size_t)nout;
		c->ninner = unwrap_sbcs_layers(skel, prev, next, c->inner, MF_MAX_CHAIN - 1, &under, rm->cache,
		                               d.script, &filled, &fill_cost);
	}
	free(under.v);
	if (skel->failed)
		return MF_ERR_NOMEM;
	if (!c->ninner)
		return MF_OK;
	cpvec t = *rep;
	*rep = *skel;
	*skel = t;
	c->nrep = rep->n;
	c->lost = 0;
	for (size_t k = 0; k < rep->n; k++)
		c->lost += rep->v[k] == 0xFFFD;
	c->filled = d.filled + filled;
	c->fill_cost = d.fill_cost + fill_cost;
	c->open_sites = d.open_sites;
	/* where the lines with a loss end, as the first reading saw it; not
	 * its votes, the model's view of the layer above */
	c->eat = d0->eat;
	c->eat.votes = 0;
	return MF_OK;
}

/* The most the candidate c of a skeleton reading (its lost bytes U+FFFD in
 * rep) can gain once they are filled.  The reading proper decodes the same
 * bytes from the same start to the same end, with fills where the U+FFFD
 * are: its model cost is at least that of the terms between known
 * characters (every term is >= 0).  A last character lost is not bounded:
 * a fill there may be an ASCII byte that the reading trims off. */
static double fill_gain_bound(const uint32_t *cps, size_t n, uint32_t prev0, const cand *c, const uint32_t *rep)
{
	if (c->nrep == 0 || rep[c->nrep - 1] == 0xFFFD)
		return HUGE_VAL;
	uint32_t p = c->start ? cps[c->start - 1] : prev0;
	uint32_t nx = c->end < n ? cps[c->end] : 0;
	long least = -1;
	for (int sc = 0; sc < 2; sc++) {
		long sum = 0;
		uint32_t x = p;
		for (size_t i = 0; i <= c->nrep; i++) {
			if (i == c->nrep && !nx)
				break;
			uint32_t y = i < c->nrep ? rep[i] : nx;
			if (x != 0xFFFD && y != 0xFFFD)
				sum += mf_lm_cost((mf_script)sc, x, y);
			x = y;
		}
		if (least < 0 || sum < least)
			least = sum;
	}
	return NATS(mf_lm_seq_cost(cps + c->start, c->end - c->start, p, nx) - least);
}

/* Find all candidate reversals of one channel in units cps[0..n) (dense:
 * text_survey). */
static mf_rc find_channel(const chan_def *cd, const uint32_t *cps, size_t n, const bool *dense, uint32_t prev0,
                          bool pua_decoder, int script, readmode *rm, const bool *live, candlist *out)
{
	mf_rc rc = MF_OK;
	uint16_t *slots = malloc((4 * n + 1) * sizeof *slots);
	size_t *ustart = malloc((n + 1) * sizeof *ustart);
	long *ends = malloc((4 * n + 2) * sizeof *ends);     /* one per byte slot */
	long *ends2 = malloc((4 * n + 2) * sizeof *ends2);   /* the same, for unwrap_lossy */
	bool *c1252 = malloc((n + 1) * sizeof *c1252);
	cpvec rep = { 0 }, skel = { 0 }, outer = { 0 };
	size_t outer_end = 0;
	if (!slots || !ustart || !ends || !ends2 || !c1252) {
		rc = MF_ERR_NOMEM;
		goto done;
	}
	size_t i = 0;
	while (i < n) {
		/* a run of encodable units containing something non-ASCII */
		size_t a = i, ns = 0;
		bool any = false, euro = false, run_tabs = false;
		while (i < n) {
			uint16_t tmp[4];
			/* lines are repaired on their own: a span never crosses one */
			int k = cps[i] == '\n' ? 0 : encode_unit(cd, cps[i], tmp, &c1252[i], dense[i]);
			if (cd->euro_pair && cps[i] == 0x20AC && euro_before_conts(cd, cps, n, i, dense)) {
				tmp[0] = 0xA2;
				tmp[1] = 0xE3;
				k = 2;
				euro = true;
			}
			if (k == 0)
				break;
			ustart[i - a] = ns;
			for (int j = 0; j < k; j++)
				slots[ns++] = tmp[j];
			if (cd->island ? MF_IS_RAW(cps[i]) : non_ascii(cps[i]))
				any = true;
			run_tabs |= cps[i] == '\t';
			i++;
		}
		size_t b = i;
		ustart[b - a] = ns;
		if (i < n)
			i++;       /* skip the barrier */
		if (!any || b == a || (cd->euro_pair && !euro))
			continue;
		/* A run of 拼音码 where nothing marks a loss and none of CP1252's
		 * five undefined bytes shows may have lost them silently.  Such
		 * losses (and a '?' that starts a run) are looked for only in a run
		 * that holds a pair read plainly: prefilter.c's proof rests on it.
		 * A lead with an ASCII trail (é and a letter: Latin text) is no
		 * such pair: GB2312, and most of GBK, has trails >= 0x80, and a
		 * run without one is Latin text far more often than Chinese. */
		bool opened = false, drops = false;
		if (cd->sbcs && cd->target == TGT_GBK) {
			drops = true;
			for (size_t k = 0; k < ns; k++) {
				unsigned p = slots[k], q = k + 1 < ns ? slots[k + 1] : HOLE;
				if (!(p & (HOLE | MAYBE_HOLE)) && p >= 0x80 && p < 0xFF && !(q & HOLE) &&
				    (p == 0x80 || (q & MAYBE_HOLE) ||
				     (q >= 0x80 && mf_gbk_pair_in_gbk((unsigned char)p, (unsigned char)q)) || (q >= '0' && q <= '9')))
					opened = true;
				/* a decoder that kept or marked them drops none */
				bool kept = (p & HOLE) || (!(p & MAYBE_HOLE) && cp1252_hole_byte(p & 0xFF));
				if (kept || (p & MAYBE_HOLE))
					drops = false;
				if (opened && kept)
					rm->doc->cp1252_kept = true;
			}
			drops = drops && opened && !rm->doc->cp1252_kept;
		}
		/* scan for valid segments starting at unit boundaries; ends[] is
		 * all -1 between decodes, each decode clearing what it wrote, so a
		 * long line costs what its decodes read, not its length per start */
		for (size_t k = 0; k <= ns; k++)
			ends[k] = ends2[k] = -1;
		size_t s = a;
		while (s < b) {
			/* (拼音码 may start with a lead CP1252 left as '?', or in a
			 * document that drops them, with the trail a lost lead left) */
			bool qstart = opened && (cps[s] == '?' ||
			                         (drops && rm->doc->cp1252_dropped && cps[s] >= 0x40 && cps[s] < 0x7F &&
			                          s + 1 < b && cps[s + 1] >= 0x80 && (s == a || cps[s - 1] == ' ')));
			if ((!non_ascii(cps[s]) && !qstart) || (live && !live[s])) {
				s++;
				continue;
			}
			decoder d = { .b = slots, .n = ns, .prev = s > 0 ? cps[s - 1] : prev0, .sbcs = cd->sbcs, .drops = drops,
			              .pua_decoder = pua_decoder && !cd->sbcs, .script = script,
			              .after_run = b < n ? cps[b] : 0, .after_run2 = b + 1 < n ? cps[b + 1] : 0,
			              .run_tabs = run_tabs, .rm = rm };
			rep.n = 0;
			unsigned holes0 = rm->holes_met;
			size_t from = ustart[s - a];
			size_t stop = cd->target == TGT_UTF8
				? decode_utf8_slots(&d, from, ns, &rep, ends)
				: decode_gbk_slots(&d, from, ns, &rep, ends);
			if (rep.failed) {
				rc = MF_ERR_NOMEM;
				goto done;
			}
			/* the last unit boundary that is also a character end: the
			 * decode wrote ends[] only in (from, stop] */
			size_t lo = s, hi = b;        /* last unit u in (s, b] with ustart <= stop */
			while (lo < hi) {
				size_t mid = lo + (hi - lo + 1) / 2;
				if (ustart[mid - a] <= stop)
					lo = mid;
				else
					hi = mid - 1;
			}
			size_t e = s;
			long nout = 0;
			for (size_t u = lo; u > s; u--) {
				size_t pos = ustart[u - a];
				if (ends[pos] >= 0) {
					e = u;
					nout = ends[pos];
					break;
				}
			}
			for (size_t k = from; k <= stop && k <= ns; k++)
				ends[k] = -1;
			/* trim trailing ASCII that maps to itself (but for a 拼音码
			 * layer under it, whose last GBK trail it may be) */
			size_t e_full = e;
			long nout_full = nout;
			while (e > s && !non_ascii(cps[e - 1]) && nout > 0 && rep.v[nout - 1] == cps[e - 1] &&
			       !(cps[e - 1] == '?')) {
				e--;
				nout--;
			}
			if (e > s && nout > 0) {
				cand c = { 0 };
				c.start = s;
				c.end = e;
				c.nrep = (size_t)nout;
				c.ch = cd->ch;
				c.lost = d.lost;
				c.open_sites = d.open_sites;
				c.filled = d.filled;
				c.fill_cost = d.fill_cost;
				c.eat = d.eat;
				if (cd->sbcs) {
					bool any1252 = false;
					for (size_t u = s; u < e; u++)
						any1252 |= c1252[u];
					if (any1252)
						c.ch = cd->target == TGT_UTF8 ? MF_CH_UTF8_AS_CP1252 : MF_CH_GBK_AS_CP1252;
					else
						c.ch = cd->target == TGT_UTF8 ? MF_CH_UTF8_AS_LATIN1 : MF_CH_GBK_AS_LATIN1;
				}
				const chan_def *judge = cd;
				/* only a lossless reading: what a fill was chosen to be
				 * says nothing of the layer under it */
				bool lossy = d.lost || d.filled || d.nvirt || d.open_sites;
				/* a lossy reading cannot be read further, but where it
				 * shows a 符号码 layer under it the line is not clean */
				if (cd->target == TGT_UTF8 && lossy && sbcs_utf8_pairs(rep.v, (size_t)nout) >= 2) {
					rm->fills_matter = true;   /* the layers under it are filled against the cache */
					/* (a lossy 符号码 reading is read again in the next
					 * pass, its fills judged there by the model) */
					if (!cd->sbcs) {
						rc = unwrap_lossy(&d, from, ns, ustart[e - a], &rep, &skel, ends2,
						                  s > 0 ? cps[s - 1] : prev0, e < n ? cps[e] : 0, &c);
						if (rc != MF_OK)
							goto done;
					}
					if (c.ninner)
						judge = &CHANNELS[1];
					else if (rm->residue)
						rm->residue[s] = true;
				}
				if (cd->target == TGT_UTF8 && !lossy) {
					rep.n = (size_t)nout;
					/* on a line of European text, the layers above a GBK
					 * one are a reading too, for one_pass to take where the
					 * chain reads alone (reads_alone: Après « a » is
					 * 符号码 of French, not of 拼音码 Apr鑣 珷a牷) */
					outer.n = 0;
					if (cd->sbcs && !rm->foreign_line[s] && holds_utf8_lead(rep.v, rep.n))
						for (size_t q = 0; q < rep.n; q++)
							cv_push(&outer, rep.v[q]);
					if (outer.failed) {
						rc = MF_ERR_NOMEM;
						goto done;
					}
					c.ninner = unwrap_sbcs_layers(&rep, s > 0 ? cps[s - 1] : prev0, e < n ? cps[e] : 0, c.inner,
					                              MF_MAX_CHAIN - 1, NULL, NULL, -1, NULL, NULL);
					outer_end = e;
					if (!c.ninner && e_full > e) {
						rep.n = (size_t)nout_full;
						c.ninner = unwrap_sbcs_layers(&rep, s > 0 ? cps[s - 1] : prev0,
						                              e_full < n ? cps[e_full] : 0, c.inner, MF_MAX_CHAIN - 1,
						                              NULL, NULL, -1, NULL, NULL);
						if (c.ninner)
							c.end = e = e_full;
						else
							rep.n = (size_t)nout;
					}
					c.nrep = rep.n;
					if (rep.failed) {
						rc = MF_ERR_NOMEM;
						goto done;
					}
					/* judged as what the innermost layer reads */
					if (c.ninner)
						judge = &CHANNELS[c.inner[c.ninner - 1] == MF_CH_UTF8_AS_LATIN1 ||
						                          c.inner[c.ninner - 1] == MF_CH_UTF8_AS_CP1252 ? 1 : 2];
				}
				if (rm->holed && !rm->probe && (rm->holes_met != holes0 || d.open_sites)) {
					/* read through a hole: the readings with the cache
					 * fill it, and it gains at most its bound (holes_lose);
					 * a '?' left open may be read there as a loss, another
					 * decode, not bounded */
					c.holed = true;
					cand h = { .start = c.start, .end = c.end, .gain = fill_gain_bound(cps, n, prev0, &c, rep.v) };
					if (d.open_sites || (h.gain > KEEP_GAIN && !cl_push(rm->holed, &h)))
						rm->fills_matter = true;
				}
				bool same = c.nrep == e - s && memcmp(rep.v, cps + s, c.nrep * sizeof(uint32_t)) == 0;
				if (!same && cd->island && !island_beats_sbcs(slots + ustart[s - a], ustart[e - a] - ustart[s - a],
				                                              rep.v, c.nrep, s > 0 ? cps[s - 1] : prev0,
				                                              e < n ? cps[e] : 0))
					same = true;
				if (!same && plausible_output(judge, rep.v, c.nrep, rm->probe)) {
					if (!push_copy(out, &c, rep.v)) {
						rc = MF_ERR_NOMEM;
						goto done;
					}
					if (c.ninner && outer.n && cand_family(&c) == FAMILY_PINYIN && reads_alone(&c, rm->foreign_line)) {
						/* the layers above the GBK one, which ends a chain */
						cand o = c;
						o.spells_known = false;
						o.end = outer_end;
						o.ninner = c.ninner > 1 ? unwrap_sbcs_layers(&outer, s > 0 ? cps[s - 1] : prev0,
						                                             o.end < n ? cps[o.end] : 0, o.inner,
						                                             c.ninner - 1, NULL, NULL, -1, NULL, NULL)
						                        : 0;
						if (outer.failed) {
							rc = MF_ERR_NOMEM;
							goto done;
						}
						o.nrep = outer.n;
						bool o_same = o.nrep == o.end - s && memcmp(outer.v, cps + s, o.nrep * sizeof(uint32_t)) == 0;
						if (!o_same && plausible_output(cd, outer.v, o.nrep, rm->probe) && !push_copy(out, &o, outer.v)) {
							rc = MF_ERR_NOMEM;
							goto done;
						}
					}
				}
				s = e;
			} else {
				s++;
			}
		}
	}
done:
	free(slots);
	free(ustart);
	free(ends);
	free(ends2);
	free(c1252);
	free(rep.v);
	free(skel.v);
	free(outer.v);
	return rc;
}

/* ------------------------------------------------------------------ */
/* A block's working text: units plus, per unit, where it came from.   */

typedef struct {
	uint32_t cp;
	uint32_t origin;       /* index of the original unit range (group) */
} wunit;

typedef struct {
	size_t ostart, oend;   /* original unit range */
	int nchain;
	mf_channel chain[MF_MAX_CHAIN];
	unsigned lost, filled;
	long fill_cost;
	bool touched;
} group;

typedef struct {
	wunit *u;
	size_t n, cap;
	group *g;
	size_t ng, gcap;
} work;

static int cmp_gain_desc(const void *a, const void *b)
{
	const cand *x = a, *y = b;
	if (x->gain > y->gain)
		return -1;
	if (x->gain < y->gain)
		return 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_start(const void *a, const void *b)
{
	const cand *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* The model's cost of the working text, as prefix sums per script: the
 * cost of any of its spans in place (mf_lm_seq_cost with the characters
 * around it as context) is a difference of two, which candidates of every
 * channel and start over the same text need again and again. */
typedef struct {
	long *sum[2];          /* sum[sc][i]: the terms of units 0..i-1, each given the one before */
	size_t n;
} text_cost;

static bool text_cost_init(text_cost *t, const uint32_t *cps, size_t n, uint32_t prev0)
{
	t->n = n;
	t->sum[0] = malloc(2 * (n + 1) * sizeof(long));
	if (!t->sum[0])
		return false;
	t->sum[1] = t->sum[0] + n + 1;
	for (int sc = 0; sc < 2; sc++) {
		long acc = 0;
		uint32_t p = prev0;
		t->sum[sc][0] = 0;
		for (size_t i = 0; i < n; i++) {
			acc += mf_lm_cost((mf_script)sc, p, cps[i]);
			t->sum[sc][i + 1] = acc;
			p = cps[i];
		}
	}
	return true;
}

/* = mf_lm_seq_cost(cps + s, e - s, s ? cps[s - 1] : prev0, e < n ? cps[e] : 0) */
static long text_cost_span(const text_cost *t, const uint32_t *cps, size_t s, size_t e)
{
	size_t last = e < t->n && cps[e] ? e + 1 : e;      /* with the term of the character after */
	long a = t->sum[0][last] - t->sum[0][s], b = t->sum[1][last] - t->sum[1][s];
	return a < b ? a : b;
}

/* What a candidate gains over the text it replaces, in nats. */
static double cand_gain(const cand *c, const text_cost *tc, const uint32_t *cps, size_t n, uint32_t prev0)
{
	uint32_t p = c->start ? cps[c->start - 1] : prev0;
	uint32_t nx = c->end < n ? cps[c->end] : 0;
	long co = text_cost_span(tc, cps, c->start, c->end);
	long cr = mf_lm_seq_cost(c->rep, c->nrep, p, nx);
	return NATS(co - cr);
}

/* What every channel's reading of a pass needs to know of its text first.
 * dense: per unit, whether its line is mostly U+FFFD (口字码 debris: what
 * GBK read as UTF-8 leaves, not a few lost bytes; they stop a span).
 * may: per channel, whether it can find a run at all (find_channel needs a
 * non-ASCII unit its table encodes: for the Latin-1/CP1252 channels one of
 * theirs or a U+FFFD, for gbk-island a raw byte, for the € reading a €). */
static void text_survey(const uint32_t *cps, size_t n, bool *dense, bool *may)
{
	bool raw = false, sbcs = false, euro = false;
	for (size_t a = 0, k = 0; k <= n; k++) {
		if (k < n && cps[k] != '\n')
			continue;
		size_t nfffd = 0, nnon = 0;
		for (size_t q = a; q < k; q++) {
			uint32_t c = cps[q];
			if (c < 0x80)
				continue;
			nnon++;
			nfffd += c == 0xFFFD;
			raw |= MF_IS_RAW(c);
			euro |= c == 0x20AC;
			bool c1252;
			sbcs |= c == 0xFFFD || (!MF_IS_RAW(c) && mf_sbcs_encode(c, &c1252) >= 0);
		}
		for (size_t q = a; q <= k && q < n; q++)
			dense[q] = nfffd >= 3 && nfffd * 4 > nnon;
		a = k + 1;
	}
	for (size_t k = 0; k < NCHANNELS; k++) {
		const chan_def *cd = &CHANNELS[k];
		may[k] = cd->island ? raw : cd->euro_pair ? euro : cd->sbcs ? sbcs : true;
	}
}

/* Does every span a skeleton reading read through a hole (holed, gains at
 * most their bound) lose to a candidate kept (in kept, by start) that
 * overlaps it, read without one and gaining more?  Then filling its holes
 * changes nothing kept: taken in the order of their gains, each such span
 * comes after a candidate that is kept as before and stops it. */
static bool holes_lose(const candlist *holed, const candlist *kept)
{
	for (size_t k = 0; k < holed->n; k++) {
		const cand *h = &holed->v[k];
		size_t lo = 0, hi = kept->n;      /* the first kept one ending after h starts */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (kept->v[mid].end <= h->start)
				lo = mid + 1;
			else
				hi = mid;
		}
		bool beaten = false;
		for (size_t j = lo; j < kept->n && kept->v[j].start < h->end && !beaten; j++)
			beaten = !kept->v[j].holed && kept->v[j].gain > h->gain;
		if (!beaten)
			return false;
	}
	return true;
}

/* The script of what a first reading's candidates read (-1: no memory). */
static int cands_script(const candlist *cl)
{
	size_t tot = 0;
	for (size_t k = 0; k < cl->n; k++)
		tot += cl->v[k].nrep;
	uint32_t *all = malloc((tot + 1) * sizeof *all);
	if (!all)
		return -1;
	size_t m = 0;
	for (size_t k = 0; k < cl->n; k++) {
		memcpy(all + m, cl->v[k].rep, cl->v[k].nrep * sizeof *all);
		m += cl->v[k].nrep;
	}
	int script = mf_lm_script_of(all, m);
	free(all);
	return script;
}

/* The units of the lines where a first reading found something (NULL: no
 * memory).  A candidate without lost bytes reads the same in full: if it
 * gains nothing now, it never will. */
static bool *live_lines(const candlist *cl, const text_cost *tc, const uint32_t *cps, size_t n, uint32_t prev0)
{
	bool *live = calloc(n + 1, sizeof *live);
	if (!live)
		return NULL;
	for (size_t k = 0; k < cl->n; k++) {
		const cand *c = &cl->v[k];
		if (c->lost > 0 || c->open_sites > 0 || cand_gain(c, tc, cps, n, prev0) > KEEP_GAIN)
			live[c->start] = true;
	}
	for (size_t a = 0, i = 0; i <= n; i++) {
		if (i < n && cps[i] != '\n')
			continue;
		bool hit = false;
		for (size_t j = a; j < i && !hit; j++)
			hit = live[j];
		for (size_t j = a; j < i; j++)
			live[j] = hit;
		a = i + 1;
	}
	return live;
}

/* European quotation marks, by kind: an opening one of either tradition
 * pairs with any of its kind (French «…», German »…« and „…“, English “…”). */
enum { QUOTE_KINDS = 3 };
#define UNPAIRED_NATS 10.0   /* a quotation mark a reading takes from its partner */

static int quote_kind(uint32_t c)
{
	switch (c) {
	case 0x00AB: case 0x00BB: return 1;
	case 0x201E: case 0x201C: case 0x201D: return 2;
	case 0x2039: case 0x203A: return 3;
	}
	return 0;
}

/* Per line of the pass's text, how many quotation marks of each kind it
 * holds, and per unit its line (made on first use: most passes need none). */
typedef struct {
	uint32_t *line;        /* per unit */
	unsigned (*count)[QUOTE_KINDS];
	bool made, failed;
} quote_lines;

static bool quote_lines_make(quote_lines *q, const uint32_t *cps, size_t n)
{
	if (q->made)
		return !q->failed;
	q->made = true;
	size_t nlines = 1;
	for (size_t i = 0; i < n; i++)
		nlines += cps[i] == '\n';
	q->line = malloc((n + 1) * sizeof *q->line);
	q->count = calloc(nlines, sizeof *q->count);
	if (!q->line || !q->count) {
		q->failed = true;
		return false;
	}
	uint32_t l = 0;
	for (size_t i = 0; i < n; i++) {
		q->line[i] = l;
		int k = quote_kind(cps[i]);
		if (k)
			q->count[l][k - 1]++;
		l += cps[i] == '\n';
	}
	return true;
}

/* Does a single-byte channel's reading take a quotation mark whose partner
 * stands on its line outside it (»Ä« read as UTF-8: »ī; „e“ read as GBK:
 * 別“)?  A real repair keeps the marks of the text it repairs (Â«Papa'!Â»:
 * «Papa'!»), and a mark a real repair takes (Ã« for ë) has no partner. */
static bool takes_paired_quote(const cand *c, const uint32_t *cps, size_t n, quote_lines *q, bool *nomem)
{
	unsigned in[QUOTE_KINDS] = { 0 }, out[QUOTE_KINDS] = { 0 };
	bool any = false;
	for (size_t i = c->start; i < c->end; i++) {
		int k = quote_kind(cps[i]);
		if (k) {
			in[k - 1]++;
			any = true;
		}
	}
	if (!any)
		return false;
	for (size_t i = 0; i < c->nrep; i++) {
		int k = quote_kind(c->rep[i]);
		if (k)
			out[k - 1]++;
	}
	for (int k = 0; k < QUOTE_KINDS; k++) {
		if (out[k] >= in[k])
			continue;
		if (!quote_lines_make(q, cps, n)) {
			*nomem = true;
			return false;
		}
		if (q->count[q->line[c->start]][k] > in[k])
			return true;
	}
	return false;
}

#define RARE_NATS 11.0     /* a Han character's unigram cost above which it is rare */

/* Does a single-byte channel's reading give one rare character over and
 * over and nothing else (彔彔彔 from a row of no-break spaces, each read as
 * a trail whose lead CP1252 dropped; 牋牋 from pairs of them)?  Text never
 * repeats a rare character so, whatever surrounds it. */
static bool repeats_rare(const cand *c)
{
	uint32_t only = 0;
	size_t times = 0;
	for (size_t i = 0; i < c->nrep; i++) {
		uint32_t x = c->rep[i];
		if (x < 0x80)
			continue;
		if (times && x != only)
			return false;
		only = x;
		times++;
	}
	if (times < 2 || !mf_is_han(only))
		return false;
	int u = mf_lm_unigram(only);
	return u < 0 || u > RARE_NATS * MF_LM_COST_SCALE;
}

/* Does a candidate read text an earlier pass repaired (a layer under one)?
 * What the document showed of a family (mf_docstate.spelled) is of the
 * layer it garbled: »ß« repaired out of 符号码 is not 符号码 again (߫). */
static bool layered(const work *w, const cand *c)
{
	for (size_t j = c->start; j < c->end; j++)
		if (w->g[w->u[j].origin].touched)
			return true;
	return false;
}

/* Does c overlap any of v[0..n)? */
static bool overlaps_any(const cand *c, const cand *v, size_t n)
{
	for (size_t j = 0; j < n; j++)
		if (c->start < v[j].end && v[j].start < c->end)
			return true;
	return false;
}

/* Is a single-byte channel's reading no reading here: one rare character
 * over and over (repeats_rare), or one that reads alone (reads_alone) where
 * neither this pass (spelled) nor, for text no pass repaired yet (layered),
 * the document shows its family spelling text? */
static bool withheld(cand *c, unsigned spelled, const mf_docstate *doc, const work *w, const bool *foreign_line)
{
	if (sbcs_family(c->ch) && repeats_rare(c))
		return true;
	unsigned f = cand_family(c);
	if (!f || ((spelled | (layered(w, c) ? 0 : doc->spelled)) & f))
		return false;
	return reads_alone(c, foreign_line);
}

/* One pass over the working text: every channel, best non-overlapping gains. */
static mf_rc one_pass(work *w, uint32_t prev0, bool pua_decoder, readmode *rm, int *script, bool *changed)
{
	*changed = false;
	size_t n = w->n;
	uint32_t *cps = malloc((n + 1) * sizeof *cps);
	if (!cps)
		return MF_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		cps[i] = w->u[i].cp;
	bool *dense = malloc((n + 1) * sizeof *dense);
	if (!dense) {
		free(cps);
		return MF_ERR_NOMEM;
	}
	bool may[NCHANNELS];
	text_survey(cps, n, dense, may);
	bool *foreign_line = foreign_lines(cps, n);
	if (!foreign_line) {
		free(cps);
		free(dense);
		return MF_ERR_NOMEM;
	}
	rm->foreign_line = foreign_line;
	candlist cl = { 0 }, holed = { 0 };
	if (rm->skeleton)
		rm->holed = &holed;
	text_cost tc = { 0 };
	mf_rc rc = MF_OK;
	/* With the script still open, this first reading only decides it: lost
	 * bytes are left as U+FFFD (what the intact characters say is the
	 * script; a fill should not vote for its own script), and may be as
	 * many as the intact characters, since the reading proper fills them.
	 * It reads without the document cache, the same in every reading of
	 * the block (mf_analyse_block: what the skeleton found stands where no
	 * fill can change it). */
	bool skeleton = rm->skeleton, probe = *script < 0;
	mf_docstate *doc = rm->doc;
	probe_memo *memo = probe && rm->first_pass ? rm->memo : NULL;
	bool *live = NULL;
	reading_inputs in = { false, doc->cp1252_kept, doc->cp1252_dropped, rm->eater, doc->spelled };
	if (memo && memo->valid && !doc->cache_always && memcmp(&memo->in, &in, sizeof in) == 0) {
		/* as the probe read it before: its findings and what it left */
		doc->cp1252_kept = memo->kept_after;
		doc->cp1252_dropped = memo->dropped_after;
		rm->fills_matter |= memo->fills_matter;
		rm->holes_met += memo->holes;
		if (rm->residue)
			memcpy(rm->residue, memo->residue, (n + 1) * sizeof *rm->residue);
		if (memo->found) {
			*script = memo->script;
			live = memo->live;
		}
	} else {
		mf_cache *cache = rm->cache;
		bool fills_matter = rm->fills_matter;
		unsigned holes = rm->holes_met;
		probe_memo m = { .in = in };
		doc->probes += memo != NULL;
		rm->skeleton = skeleton || probe;
		rm->probe = probe;
		if (probe)
			rm->cache = NULL;
		for (size_t k = 0; k < NCHANNELS && rc == MF_OK; k++)
			if (may[k])
				rc = find_channel(&CHANNELS[k], cps, n, dense, prev0, pua_decoder, *script, rm, NULL, &cl);
		rm->skeleton = skeleton;
		rm->probe = false;
		rm->cache = cache;
		if (rc != MF_OK)
			goto out;
		if (probe && cl.n) {
			/* Decide the script once, from a first reading of every
			 * candidate, and read again: a lost byte is then filled in
			 * the text's own script, never with a character of the
			 * other one. */
			if (!text_cost_init(&tc, cps, n, prev0)) {
				rc = MF_ERR_NOMEM;
				goto out;
			}
			*script = cands_script(&cl);
			if (*script < 0 || !(live = live_lines(&cl, &tc, cps, n, prev0))) {
				rc = MF_ERR_NOMEM;
				goto out;
			}
		}
		if (memo) {
			probe_memo_clear(memo);
			m.valid = true;
			m.kept_after = doc->cp1252_kept;
			m.dropped_after = doc->cp1252_dropped;
			m.fills_matter = !fills_matter && rm->fills_matter;
			m.holes = rm->holes_met - holes;
			m.found = live != NULL;
			m.script = *script;
			m.live = live;
			m.residue = calloc(n + 1, sizeof *m.residue);
			if (!m.residue) {
				free(live);
				rc = MF_ERR_NOMEM;
				goto out;
			}
			if (rm->residue)
				memcpy(m.residue, rm->residue, (n + 1) * sizeof *m.residue);
			*memo = m;
		}
	}
	if (live) {
		for (size_t k = 0; k < cl.n; k++)
			free(cl.v[k].rep);
		cl.n = 0;
		for (size_t k = 0; k < NCHANNELS && rc == MF_OK; k++)
			if (may[k])
				rc = find_channel(&CHANNELS[k], cps, n, dense, prev0, pua_decoder, *script, rm, live, &cl);
		if (!memo)
			free(live);
		if (rc != MF_OK)
			goto out;
	}
	if (cl.n && !tc.sum[0] && !text_cost_init(&tc, cps, n, prev0)) {
		rc = MF_ERR_NOMEM;
		goto out;
	}
	quote_lines quotes = { 0 };
	bool nomem = false;
	for (size_t k = 0; k < cl.n; k++) {
		cl.v[k].gain = cand_gain(&cl.v[k], &tc, cps, n, prev0);
		if (sbcs_family(cl.v[k].ch) && takes_paired_quote(&cl.v[k], cps, n, &quotes, &nomem))
			cl.v[k].gain -= UNPAIRED_NATS;
	}
	free(quotes.line);
	free(quotes.count);
	if (nomem) {
		rc = MF_ERR_NOMEM;
		goto out;
	}
	/* A single-byte channel's reading that reads alone (reads_alone) is
	 * European text more often than not: it stands where this pass shows
	 * its family spelling text, or the document does and it reads text no
	 * pass repaired yet (layered) */
	if (cl.n)
		qsort(cl.v, cl.n, sizeof *cl.v, cmp_gain_desc);
	/* (what this pass would keep, none withheld: a reading that loses to
	 * another, 氓聛拧 for 符号码 twice, shows nothing) */
	unsigned spelled = 0;
	cand *first = malloc((cl.n + 1) * sizeof *first);
	size_t nfirst = 0;
	if (!first) {
		rc = MF_ERR_NOMEM;
		goto out;
	}
	for (size_t k = 0; k < cl.n; k++) {
		cand *c = &cl.v[k];
		if (c->gain <= KEEP_GAIN || overlaps_any(c, first, nfirst))
			continue;
		first[nfirst++] = *c;
		if (c->gain >= PRIOR_NATS && cand_spells(c))
			spelled |= cand_family(c);
	}
	free(first);
	/* greedy: keep the best gains that do not overlap; a pass keeps any real
	 * improvement, the final decision is made on whole chains */
	size_t kept = 0;
	for (size_t k = 0; k < cl.n; k++) {
		cand *c = &cl.v[k];
		bool ok = c->gain > KEEP_GAIN && !withheld(c, spelled, doc, w, foreign_line) &&
		          !overlaps_any(c, cl.v, kept);
		if (ok) {
			cand t = cl.v[kept];
			cl.v[kept] = *c;
			*c = t;
			kept++;
		}
	}
	for (size_t k = kept; k < cl.n; k++)
		free(cl.v[k].rep);
	cl.n = kept;
	for (size_t k = 0; k < kept; k++)
		if (cand_spells(&cl.v[k]))
			doc->spelled |= cand_family(&cl.v[k]);
	if (kept)
		qsort(cl.v, cl.n, sizeof *cl.v, cmp_start);
	if (!rm->fills_matter && !holes_lose(&holed, &cl))
		rm->fills_matter = true;
	if (kept == 0)
		goto out;
	/* rebuild the working text */
	size_t extra = 0;
	for (size_t k = 0; k < cl.n; k++)
		extra += cl.v[k].nrep;
	wunit *nu = malloc((n + extra + 1) * sizeof *nu);
	if (!nu) {
		rc = MF_ERR_NOMEM;
		goto out;
	}
	size_t m = 0, i = 0;
	for (size_t k = 0; k < cl.n; k++) {
		cand *c = &cl.v[k];
		while (i < c->start)
			nu[m++] = w->u[i++];
		/* merge the groups the span touches into one */
		uint32_t g0 = w->u[c->start].origin;
		group *G = &w->g[g0];
		for (size_t j = c->start; j < c->end; j++) {
			group *H = &w->g[w->u[j].origin];
			if (H->ostart < G->ostart)
				G->ostart = H->ostart;
			if (H->oend > G->oend)
				G->oend = H->oend;
			if (H != G) {
				uint32_t hid = w->u[j].origin;
				/* a group no earlier pass touched is this one unit alone:
				 * relabelling it needs no scan (a long line stays linear) */
				if (!H->touched)
					w->u[j].origin = g0;
				else
					for (size_t q = 0; q < n; q++)
						if (w->u[q].origin == hid)
							w->u[q].origin = g0;
				if (H->nchain > G->nchain) {
					G->nchain = H->nchain;
					memcpy(G->chain, H->chain, sizeof G->chain);
				}
				G->lost += H->lost;
				G->filled += H->filled;
				G->fill_cost += H->fill_cost;
			}
		}
		if (G->nchain < MF_MAX_CHAIN)
			G->chain[G->nchain++] = c->ch;
		for (int j = 0; j < c->ninner && G->nchain < MF_MAX_CHAIN; j++)
			G->chain[G->nchain++] = c->inner[j];
		G->lost += c->lost;
		G->filled += c->filled;
		G->fill_cost += c->fill_cost;
		eat_add(&rm->eat, &c->eat);
		G->touched = true;
		for (size_t j = 0; j < c->nrep; j++) {
			nu[m].cp = c->rep[j];
			nu[m].origin = g0;
			m++;
		}
		i = c->end;
	}
	while (i < n)
		nu[m++] = w->u[i++];
	free(w->u);
	w->u = nu;
	w->n = m;
	w->cap = n + extra + 1;
	*changed = true;
out:
	for (size_t k = 0; k < cl.n; k++)
		free(cl.v[k].rep);
	free(cl.v);
	free(tc.sum[0]);
	free(dense);
	free(cps);
	free(holed.v);
	free(foreign_line);
	rm->holed = NULL;
	rm->foreign_line = NULL;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Unrecoverable garbling: 口字码 and 锟拷码                            */

static void find_unrecoverable(const uint32_t *cps, size_t n, mf_found_list *out);

/* ------------------------------------------------------------------ */

mf_docstate *mf_docstate_new(void)
{
	return calloc(1, sizeof(mf_docstate));
}

void mf_docstate_free(mf_docstate *d)
{
	if (d) {
		mf_seed_doc_free(d->seed);
		mf_cache_free(d->cache);
	}
	free(d);
}

static bool found_push(mf_found_list *l, const mf_found *f)
{
	if (l->n == l->cap && !mf_grow(&l->v, &l->cap, sizeof *l->v, 16))
		return false;
	l->v[l->n++] = *f;
	return true;
}

void mf_found_list_clear(mf_found_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].rep);
	l->n = 0;
}

void mf_found_list_free(mf_found_list *l)
{
	mf_found_list_clear(l);
	free(l->v);
	l->v = NULL;
	l->cap = 0;
}

/* How sure we are that a span is garbled: its total gain against a prior. */
static double span_detect(double gain)
{
	return mf_sigmoid((gain - PRIOR_NATS) / CONF_SCALE);
}

/* How likely the repair is the original exactly: a character left as U+FFFD
 * rules that out, a fill the model only just preferred makes it less sure. */
double mf_exactness(unsigned lost, long fill_cost)
{
	if (lost)
		return 0.1 * pow(0.5, (double)(lost - 1));
	return exp(-(double)fill_cost / MF_LM_COST_SCALE);
}

static int cmp_found(const void *a, const void *b)
{
	const mf_found *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

void mf_found_list_sort(mf_found_list *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof *l->v, cmp_found);
}

/* Read a block once: every layer's channels, then the touched groups as
 * spans, judged on their whole chain.  text (if not NULL) receives the
 * block as read. */
static mf_rc read_block(const mf_units *bu, uint32_t prev, mf_docstate *doc, readmode *rm,
                        mf_found_list *out, cpvec *text)
{
	size_t n = bu->n;
	const uint32_t *cps = bu->cp;
	mf_rc rc = MF_OK;
	size_t i;
	work w = { 0 };
	doc->readings++;
	w.u = malloc((n + 1) * sizeof *w.u);
	w.g = malloc((n + 1) * sizeof *w.g);
	if (!w.u || !w.g) {
		free(w.u);
		free(w.g);
		return MF_ERR_NOMEM;
	}
	w.n = n;
	w.ng = n;
	for (i = 0; i < n; i++) {
		w.u[i].cp = cps[i];
		w.u[i].origin = (uint32_t)i;
		memset(&w.g[i], 0, sizeof w.g[i]);
		w.g[i].ostart = i;
		w.g[i].oend = i + 1;
	}
	bool *residue = calloc(n + 1, sizeof *residue);
	if (!residue) {
		rc = MF_ERR_NOMEM;
		goto done;
	}
	for (int pass = 0; pass < MAX_PASSES; pass++) {
		bool changed;
		int script = -1;           /* each layer decides its own */
		rm->residue = pass == 0 ? residue : NULL;   /* positions are the input's */
		rm->first_pass = pass == 0;
		/* a layer's own user-area characters say its decoder was
		 * GB18030-like, as the document's do for the outermost layer (and
		 * for a second run over this run's output) */
		bool pua = pass == 0 && doc->pua_decoder;
		for (size_t q = 0; q < w.n && pass > 0 && !pua; q++)
			pua = mf_is_user_pua(w.u[q].cp);
		rc = one_pass(&w, prev, pua, rm, &script, &changed);
		rm->residue = NULL;
		if (rc != MF_OK || !changed)
			break;
	}
	if (rc != MF_OK)
		goto done;
	/* lines where a lossy reading showed a layer under it and nothing was
	 * repaired: garbling the repair leaves behind */
	for (size_t g = 0; g < w.ng; g++)
		if (w.g[g].touched)
			for (size_t q = w.g[g].ostart; q < w.g[g].oend; q++)
				residue[q] = false;      /* repaired there */
	rm->residue_lines = 0;
	for (size_t a = 0, q = 0; q <= n; q++) {
		if (q < n && cps[q] != '\n')
			continue;
		bool left = false;
		for (size_t j = a; j < q; j++)
			left |= residue[j];
		rm->residue_lines += left;
		a = q + 1;
	}
	if (text) {
		for (size_t k = 0; k < w.n; k++)
			cv_push(text, w.u[k].cp);
		if (text->failed) {
			rc = MF_ERR_NOMEM;
			goto done;
		}
	}

	/* Collect the touched groups as spans: the final text of each against
	 * the original, judged once on the whole chain. */
	size_t k = 0;
	while (k < w.n) {
		uint32_t g0 = w.u[k].origin;
		group *G = &w.g[g0];
		if (!G->touched) {
			k++;
			continue;
		}
		size_t a = k;
		while (k < w.n && w.u[k].origin == g0)
			k++;
		mf_found f;
		memset(&f, 0, sizeof f);
		f.start = G->ostart;
		f.end = G->oend;
		f.nrep = k - a;
		f.rep = malloc((f.nrep + 1) * sizeof(uint32_t));
		if (!f.rep) {
			rc = MF_ERR_NOMEM;
			goto done;
		}
		for (size_t j = 0; j < f.nrep; j++)
			f.rep[j] = w.u[a + j].cp;
		/* chain in applied order: passes undo the outermost first */
		f.nchain = G->nchain;
		for (int j = 0; j < G->nchain; j++)
			f.chain[j] = G->chain[G->nchain - 1 - j];
		/* in the context as repaired, which is what a second run over the
		 * output sees: so it judges the span as this run did */
		uint32_t p = a > 0 ? w.u[a - 1].cp : prev;
		uint32_t nx = k < w.n ? w.u[k].cp : 0;
		long co = mf_lm_seq_cost(cps + f.start, f.end - f.start, p, nx);
		long cr = mf_lm_seq_cost(f.rep, f.nrep, p, nx);
		f.gain = NATS(co - cr) - 2.0 * (G->nchain - 1);
		f.lost = G->lost;
		f.detect = span_detect(f.gain);
		f.exact = mf_exactness(G->lost, G->fill_cost);
		f.confidence = f.detect * f.exact;
		if (f.gain <= 0.0) {
			free(f.rep);
			continue;
		}
		if (!found_push(out, &f)) {
			free(f.rep);
			rc = MF_ERR_NOMEM;
			goto done;
		}
	}
done:
	free(residue);
	free(w.u);
	free(w.g);
	return rc;
}

/* Of the document's lines that did not end in a loss, the share followed by
 * a blank line (smoothed; 0 where the counts disagree). */
static double doc_blank_share(const mf_docstate *doc)
{
	unsigned long hs = doc->loss_ends_single, hb = doc->loss_ends_blank;
	if (doc->line_ends < hs + hb || doc->line_ends_blank < hb)
		return 0.0;
	double ends = (double)(doc->line_ends - hs - hb), blank = (double)(doc->line_ends_blank - hb);
	return (blank + 0.5) / (ends + 1.0);
}

/* Whether the document's decoder swallows the ASCII byte after a lead it
 * could not complete: the lost bytes' votes say so, or its layout does.  A
 * text whose lines are followed by a blank line where nothing was lost, but
 * never where a line ended in a loss, had the first newline eaten there
 * (。, a newline, a blank line, read by glibc's GB18030 with -c; where no
 * blank line followed, the eaten newline joined two lines). */
static bool doc_eater(const mf_docstate *doc)
{
	if (doc->eat_votes > EAT_VOTES_NEEDED)
		return true;
	unsigned long hs = doc->loss_ends_single, hb = doc->loss_ends_blank;
	if (hs < 3 || hb * 10 > hs)
		return false;
	/* the lines without a loss say how often a blank line follows (pb);
	 * were nothing eaten, as many of the lines with one would show it:
	 * that none does must be unlikely, (1 - pb)^(hs + hb) < e^-3 */
	return (double)(hs + hb) * -log(1.0 - doc_blank_share(doc)) > 3.0;
}

/* What a block's reading showed of a decoder that swallows ASCII. */
static void doc_learn_eating(mf_docstate *doc, const eat_evidence *eat)
{
	doc->eat_votes += eat->votes;
	doc->loss_ends_single += eat->ends_single;
	doc->loss_ends_blank += eat->ends_blank;
}

mf_rc mf_analyse_block(const mf_units *bu, uint32_t prev, mf_docstate *doc, mf_found_list *out)
{
	size_t n = bu->n;
	const uint32_t *cps = bu->cp;
	/* quick exit: nothing outside ASCII, nothing to repair */
	size_t i = 0;
	while (i < n && cps[i] < 0x80)
		i++;
	if (i == n)
		return MF_OK;
	/* User-area PUA characters in the text mean the wrong decoder was
	 * GB18030/CP936-like: it replaced only invalid bytes, never a pair of
	 * the user areas.  The evidence holds for the whole document. */
	for (i = 0; i < n && !doc->pua_decoder; i++)
		doc->pua_decoder = mf_is_user_pua(cps[i]);

	/* First the skeleton: lost bytes left unsolved.  Without any, it is
	 * the reading itself.  With some, what it spells intact goes to the
	 * document cache and the block is read with the cache; then once more
	 * with the cache holding that reading instead, which is what a second
	 * run over the output would see: so a second run changes nothing. */
	probe_memo memo = { 0 };
	readmode rm = { .cache = NULL, .skeleton = true, .doc = doc, .memo = &memo };
	/* how the lines read lay out: non-empty ones, and those followed by a
	 * blank line (the stream hands each line read with a blank line right
	 * after it), for doc_eater */
	for (size_t q = 1; q + 1 < n; q++)
		if (cps[q] == '\n' && cps[q - 1] != '\n' && cps[q - 1] != '\r') {
			doc->line_ends++;
			doc->line_ends_blank += cps[q + 1] == '\n' || (cps[q + 1] == '\r' && q + 2 < n && cps[q + 2] == '\n');
		}
	size_t first = out->n;
	cpvec text = { 0 }, text2 = { 0 };
	bool kept0 = doc->cp1252_kept, dropped0 = doc->cp1252_dropped;
	mf_rc rc = read_block(bu, prev, doc, &rm, out, &text);
	/* Where no hole the skeleton met can change what is kept (no span read
	 * through one could gain enough, or more than what stops it:
	 * holes_lose; and nothing else there reads against the cache, or the
	 * cache will hold too little text to speak: a 拼音码 run read for
	 * dropped bytes in Latin text), the readings with the cache would read
	 * the block as the skeleton did: it is the reading, and the cache
	 * learns it as they would have left it. */
	bool cleared = doc->add_cleared && out->n > first;
	bool same = !rm.fills_matter && !doc->cache_always && kept0 == doc->cp1252_kept &&
	            dropped0 == doc->cp1252_dropped &&
	            !(rm.drops_read && (cleared || mf_cache_ready_with(doc->cache, text.v, text.n)));
	if (rc == MF_OK && rm.holes_met) {
		if (!doc->cache)
			doc->cache = mf_cache_new();
		if (!doc->cache)
			rc = MF_ERR_NOMEM;
		rm.skeleton = false;
		rm.cache = doc->cache;
		/* (only where the skeleton found garbling: clean lines meet
		 * holes in the decodes they try, and need no cache) */
		if (rc == MF_OK && cleared)
			doc->add_cleared(doc->add_cleared_arg, doc->cache);
		if (rc == MF_OK && same) {
			mf_cache_add(doc->cache, text.v, text.n, 1);
			doc_learn_eating(doc, &rm.eat);
		} else if (rc == MF_OK) {
			doc->cache_readings++;
			bool redone = false;
			reading_inputs before = { 0 };
			for (int round = 0; round < 2 && rc == MF_OK; round++) {
				mf_cache_add(doc->cache, text.v, text.n, 1);
				/* A cache with too little text to speak leaves the model
				 * alone: where the document's decoder flags stand as the
				 * reading before found them, this one would repeat it */
				reading_inputs now = { mf_cache_ready(doc->cache), doc->cp1252_kept, doc->cp1252_dropped,
				                       doc_eater(doc), doc->spelled };
				if (round == 1 && !now.cache_ready && !doc->cache_always && memcmp(&now, &before, sizeof now) == 0)
					break;
				before = now;
				for (size_t k = first; k < out->n; k++)
					free(out->v[k].rep);
				out->n = first;
				text2.n = 0;
				rm.eater = now.eater;
				rm.eat = (eat_evidence){ 0 };
				rc = read_block(bu, prev, doc, &rm, out, &text2);
				if (round == 0 && !redone) {
					doc_learn_eating(doc, &rm.eat);
					/* the first reading showed a decoder that swallows ASCII:
					 * read once more as such before the cache learns from it */
					if (rc == MF_OK && !rm.eater && doc_eater(doc)) {
						mf_cache_add(doc->cache, text.v, text.n, -1);
						redone = true;
						round--;
						continue;
					}
				}
				if (rc != MF_OK || round == 1)
					break;
				mf_cache_add(doc->cache, text.v, text.n, -1);
				cpvec t = text;
				text = text2;
				text2 = t;
			}
		}
	}
	probe_memo_clear(&memo);
	free(text2.v);
	free(text.v);
	if (rc != MF_OK)
		return rc;
	doc->layer_residual += rm.residue_lines;     /* as the last reading found them */
	find_unrecoverable(cps, n, out);
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, cmp_found);
	return MF_OK;
}

/* 口字码: GBK bytes read as UTF-8 leave runs dense in U+FFFD, broken by the odd
 * pair that happened to be valid UTF-8 (Cyrillic, Greek, Hebrew letters).
 * 锟拷码: the same then read as GBK: EF BF BD triplets spell 锟斤拷.
 * Neither can be reversed; report the span. */
static void find_unrecoverable(const uint32_t *cps, size_t n, mf_found_list *out)
{
	size_t i = 0;
	while (i < n) {
		/* a window of non-ASCII-letter units with replacement debris */
		if (!(cps[i] == 0xFFFD || cps[i] == 0x951F || cps[i] == '?')) {
			i++;
			continue;
		}
		size_t a = i, nfffd = 0, nadj = 0, nkun = 0, nother = 0, last = i;
		size_t nq = 0, nqadj = 0, nodd = 0, noddrun = 0, lastq = i, hanrun = 0;
		while (i < n) {
			uint32_t c = cps[i];
			/* three Han characters in a row: the text goes on clean (a
			 * 3-byte character now and then is all the debris holds) */
			hanrun = mf_is_han(c) && c != 0x951F && c != 0x65A4 && c != 0x62F7 ? hanrun + 1 : 0;
			if (hanrun >= 3)
				break;
			if (c == 0xFFFD) {
				nfffd++;
				nadj += i > a && cps[i - 1] == 0xFFFD;
				last = i;
			} else if (c == 0x951F || c == 0x65A4 || c == 0x62F7) {   /* 锟 斤 拷 */
				nkun++;
				last = i;
			} else if (c >= 0x80 && c < 0x800) {
				nother++;
				nodd += c >= 0x100;
				noddrun += c >= 0x100 && cps[i - 1] >= 0x100 && cps[i - 1] < 0x800;
			} else if (c < 0x80) {
				/* ASCII survives both; allow short stretches.  A '?' is
				 * the same debris where the decoder writes '?' for U+FFFD */
				size_t j = i, q = 0, qadj = 0, qlast = 0;
				while (j < n && cps[j] < 0x80 && cps[j] != '\n') {
					if (cps[j] == '?') {
						q++;
						qadj += j > a && cps[j - 1] == '?';
						qlast = j;
					}
					j++;
				}
				if (j - i - q > 8 || (j < n && cps[j] == '\n'))
					break;
				nq += q;
				nqadj += qadj;
				if (q)
					lastq = qlast;
				i = j;
				continue;
			} else if (!mf_is_han(c)) {
				break;
			} else {
				nother++;
			}
			i++;
		}
		size_t e = last + 1;    /* (for '?' debris: set below) */
		bool kunkao = nkun >= 3;
		/* GBK read as UTF-8 loses both bytes of most characters: its
		 * U+FFFD come in pairs; a GBK decoder's own U+FFFD (lost bytes of
		 * 古文码) stand alone between the characters it did decode */
		bool kouzi = nfffd >= 3 && nfffd * 2 >= nfffd + nother && nadj * 3 >= nfffd;
		/* with '?' for U+FFFD, which text uses too: more of them, and
		 * letters of the scripts GBK's bytes spell as UTF-8 (Ҫ ѧ С, Hebrew,
		 * Armenian) among them, each alone, not words (Что???).
		 * prefilter.c opens a line with six '?' and a character
		 * U+0100..U+07FF */
		bool kouzi_q = !kouzi && !kunkao && nq >= MF_QMARK_DEBRIS_MIN && nq >= nother && nqadj * 3 >= nq && nodd >= 2 &&
		               noddrun * 4 <= nodd;
		if (kouzi_q)
			e = (lastq > last ? lastq : last) + 1;
		if (kunkao || kouzi || kouzi_q) {
			mf_found f;
			memset(&f, 0, sizeof f);
			f.start = a;
			f.end = e;
			f.unrecoverable = true;
			f.nchain = 1;
			f.chain[0] = kunkao ? MF_CH_KUNKAO : MF_CH_GBK_AS_UTF8;
			size_t cnt = kunkao ? nkun : kouzi ? nfffd : nq / 2;
			f.confidence = f.detect = 1.0 - exp(-(double)cnt / 4.0);
			f.exact = 0.0;
			/* A repair mostly inside the debris is a chance reading of it
			 * (two Latin-1 letters read as GBK); the debris wins.  A
			 * repair reaching well outside it explains its U+FFFD as lost
			 * bytes and takes precedence. */
			bool overlap = false;
			for (size_t j = 0; j < out->n; j++) {
				mf_found *r = &out->v[j];
				if (r->unrecoverable || !(r->start < f.end && f.start < r->end))
					continue;
				size_t in_a = r->start > f.start ? r->start : f.start;
				size_t in_b = r->end < f.end ? r->end : f.end;
				if ((in_b - in_a) * 2 >= r->end - r->start) {
					free(r->rep);
					*r = out->v[--out->n];
					j--;
				} else {
					overlap = true;
				}
			}
			if (!overlap)
				found_push(out, &f);
		}
		if (i == a)
			i++;
	}
}
