/* The seed family: `(pinyin)` inserted after a per-document set of characters
 * by a byte-level replace over GBK, fullwidth punctuation folded to ASCII on
 * the same bytes, then decoded as GBK (GARBLING.md §1).
 *
 * The text is re-encoded to GBK, which gives back the damaged byte stream:
 * the original bytes, plus the inserted annotations, minus the bytes the
 * decoder lost.  A Viterbi search over that stream reads the original
 * characters, choosing at each place where the garbling may have acted
 * between "nothing happened here" and the undoing of one step; the language
 * model and the reading constraints pay for each choice.
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define N8(x) ((long)((x) * 8))

/* Evidence gathered over the whole document. */
typedef struct {
	uint32_t cp;
	unsigned count;
} setentry;

struct seed_doc {
	setentry *set;              /* characters seen annotated in step */
	unsigned set_total;         /* occurrences of set members */
	unsigned set_annotated;     /* ... followed by an annotation */
	size_t nset, capset;
	unsigned aligned;           /* X(reading of X) */
	unsigned misaligned;        /* ?py) or Y(py) that only a lost byte explains */
	unsigned dropped;           /* ... of them Y(py): a decoder that drops (iconv -c) */
	unsigned han;               /* Han characters seen */
	unsigned after[2][128];     /* ASCII bytes after a Han [0] or other non-ASCII [1] character */
	unsigned after_total[2];
};

struct seed_doc *mf_seed_doc(mf_docstate *d)
{
	if (!d->seed)
		d->seed = calloc(1, sizeof *d->seed);
	return d->seed;
}

static unsigned set_count(const struct seed_doc *sd, uint32_t cp)
{
	for (size_t i = 0; i < sd->nset; i++)
		if (sd->set[i].cp == cp)
			return sd->set[i].count;
	return 0;
}

static void set_add(struct seed_doc *sd, uint32_t cp)
{
	for (size_t i = 0; i < sd->nset; i++)
		if (sd->set[i].cp == cp) {
			sd->set[i].count++;
			return;
		}
	if (sd->nset == sd->capset) {
		size_t cap = sd->capset ? sd->capset * 2 : 32;
		setentry *p = realloc(sd->set, cap * sizeof *p);
		if (!p)
			return;
		sd->set = p;
		sd->capset = cap;
	}
	sd->set[sd->nset].cp = cp;
	sd->set[sd->nset].count = 1;
	sd->nset++;
}

void mf_seed_doc_free(struct seed_doc *sd)
{
	if (sd) {
		free(sd->set);
		free(sd);
	}
}

/* ---- the byte stream ---- */

typedef struct {
	unsigned char *b;
	size_t *unit;               /* unit index of the byte */
	size_t n;
} gbytes;

static bool is_syl_letter(uint32_t c)
{
	return (c >= 'a' && c <= 'z');
}

/* A tone-marked vowel in GBK: A8A1..A8BA (āáǎà … ü ê). */
static bool is_tone_pair(const unsigned char *b, size_t i, size_t n)
{
	return i + 1 < n && b[i] == 0xA8 && b[i + 1] >= 0xA1 && b[i + 1] <= 0xBA;
}

/* At b[i]: '(' or '?', a syllable, ')'.  Returns the pattern length and the
 * syllable in UTF-8 (syl, *sl), 0 if none. */
static size_t pattern_at(const unsigned char *b, size_t i, size_t n, char *syl, size_t *sl)
{
	if (i >= n || (b[i] != '(' && b[i] != '?'))
		return 0;
	size_t j = i + 1, k = 0, letters = 0;
	while (j < n && k < 14) {
		if (is_syl_letter(b[j])) {
			syl[k++] = (char)b[j++];
			letters++;
		} else if (is_tone_pair(b, j, n)) {
			char tmp[4];
			size_t m = mf_utf8_encode(mf_gbk_decode_pair(b[j], b[j + 1]), tmp);
			memcpy(syl + k, tmp, m);
			k += m;
			j += 2;
			letters++;
		} else {
			break;
		}
	}
	if (letters == 0 || letters > 6 || j >= n || b[j] != ')')
		return 0;
	*sl = k;
	return j + 1 - i;
}

static uint32_t pair_char(unsigned char l, unsigned char t)
{
	if (!mf_gbk_pair_in_gbk(l, t))
		return 0;
	return mf_gbk_decode_pair(l, t);
}

/* ---- evidence ---- */

/* What one line's annotations say.  In step: after a character with that
 * reading.  Broken: as '?py)', or after a non-ASCII character without that
 * reading (the decoder broke it); after ASCII, `f(x)` is code, not
 * evidence.  Toneless: after a character whose reading it is without its
 * tone marks, which the garbling (copying a table) never writes. */
typedef struct {
	unsigned in_step, broken, broken_drop, toneless;
} line_ev;

static line_ev scan_line(const gbytes *g, const mf_units *u)
{
	line_ev ev = { 0, 0, 0, 0 };
	char syl[16];
	size_t sl;
	for (size_t i = 0; i < g->n; i++) {
		size_t plen = pattern_at(g->b, i, g->n, syl, &sl);
		if (!plen)
			continue;
		size_t ui = g->unit[i];
		uint32_t before = ui > 0 ? u->cp[ui - 1] : 0;
		if (before == 0xFFFD) {
			/* after a character lost already: whose reading it is, and
			 * so whether the decoder broke it, nobody can tell */
			i += plen - 1;
			continue;
		}
		if (g->b[i] == '?') {
			ev.broken += mf_pinyin_is_syllable(syl, sl);
		} else if (mf_is_han(before) && mf_pinyin_rank(before, syl, sl) >= 0) {
			ev.in_step++;
		} else {
			ev.toneless += mf_is_han(before) && mf_pinyin_toneless_match(before, syl, sl);
			unsigned br = before >= 0x80 && mf_pinyin_is_syllable(syl, sl);
			ev.broken += br;
			ev.broken_drop += br;
		}
		i += plen - 1;
	}
	return ev;
}

/* What an annotation is written in, even damaged: letters, tone-marked
 * vowels (U+00E0..U+01DC), and what an accident leaves of them (Latin-1
 * mojibake, C1 controls, U+FFFD, '?'). */
static bool annotation_unit(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 0x80 && c <= 0x24F) || c == 0xFFFD || c == '?';
}

/* Han characters of the line around unit k, and how many of them an
 * annotation follows, counting ones a later accident damaged ("(hu�)",
 * "(shuÅ)"): a person's annotations stay a reading aid when some lost a
 * tone mark, which the GBK bytes (g) cannot show. */
static void line_cover(const mf_units *u, size_t k, unsigned *han, unsigned *annotated)
{
	size_t a = k, e = k;
	while (a > 0 && u->cp[a - 1] != '\n')
		a--;
	while (e < u->n && u->cp[e] != '\n')
		e++;
	*han = *annotated = 0;
	for (size_t i = a; i < e; i++) {
		if (!mf_is_han(u->cp[i]))
			continue;
		(*han)++;
		if (i + 2 < e && u->cp[i + 1] == '(') {
			size_t j = i + 2;
			while (j < e && j - i - 2 < 7 && annotation_unit(u->cp[j]))
				j++;
			*annotated += j > i + 2 && j < e && u->cp[j] == ')';
		}
	}
}

/* A line that annotates three in four of its Han characters, or annotates
 * them without tone marks, is a reading aid (a children's text, a gloss
 * list): a person wrote it, and it is neither evidence nor repaired. */
static bool reading_aid(const line_ev *ev, const gbytes *g, const mf_units *u)
{
	if (ev->toneless > 0)
		return true;
	unsigned han = 0, annotated = 0;
	line_cover(u, g->unit[0], &han, &annotated);
	if (annotated >= 3 && annotated * 4 >= han * 3)
		return true;
	if (ev->in_step < 3)
		return false;
	han = 0;
	for (size_t k = g->unit[0]; k <= g->unit[g->n - 1]; k++)
		han += mf_is_han(u->cp[k]);
	return ev->in_step * 4 >= han * 3;
}

static bool reading_aid_line(const gbytes *g, const mf_units *u)
{
	line_ev ev = scan_line(g, u);
	return reading_aid(&ev, g, u);
}

/* The document's evidence from one line (see scan_line); the characters
 * annotated in step join the set. */
static void gather(struct seed_doc *sd, const gbytes *g, const mf_units *u)
{
	line_ev ev = scan_line(g, u);
	if (reading_aid(&ev, g, u))
		return;
	sd->aligned += ev.in_step;
	sd->misaligned += ev.broken;
	sd->dropped += ev.broken_drop;
	if (ev.in_step == 0)
		return;
	char syl[16];
	size_t sl;
	for (size_t i = 0; i < g->n; i++) {
		size_t plen = pattern_at(g->b, i, g->n, syl, &sl);
		if (!plen)
			continue;
		size_t ui = g->unit[i];
		uint32_t before = ui > 0 ? u->cp[ui - 1] : 0;
		if (g->b[i] == '(' && mf_is_han(before) && mf_pinyin_rank(before, syl, sl) >= 0)
			set_add(sd, before);
		i += plen - 1;
	}
}

#define KBEST 12

/* A search state: the original bytes read so far end either at a character
 * boundary (pending 0) or after a lead byte (pending = that byte). */
typedef struct {
	long cost;
	uint32_t last;              /* last character emitted (model context) */
	unsigned char pending;
	unsigned char lastbyte;     /* last original byte (for reading constraints) */
	unsigned char before;       /* pending: the original byte before it */
	int back_pos, back_k;
	uint32_t emit[2];
	int nemit;
	unsigned lost;
	long doubt;                 /* -ln P(the bytes this step inferred are right), 1/8 nat */
	bool valid;
} vstate;

static const unsigned char FOLD_CHARS[] = { ',', ':', ';', '!', '?', '(', ')' };

static long lm2(uint32_t p, uint32_t c)
{
	long a = mf_lm_cost(MF_SCRIPT_TRAD, p, c), b = mf_lm_cost(MF_SCRIPT_SIMP, p, c);
	return a < b ? a : b;
}

typedef struct {
	vstate *V;
	size_t n;
} lattice;

static void relax(lattice *L, size_t pos, const vstate *from, int bp, int bk, long add, uint32_t last,
                  unsigned char pending, unsigned char lastbyte, const uint32_t *emit, int nemit,
                  unsigned lost, long doubt)
{
	/* states that wait for a trail have paid no model cost for their
	 * character yet: they compete for places among themselves, never with
	 * states that end a character */
	vstate *dst = &L->V[pos * KBEST + (pending ? KBEST / 2 : 0)];
	long cost = from->cost + add;
	int slot = -1;
	for (int k = 0; k < KBEST / 2; k++)
		if (dst[k].valid && dst[k].last == last && dst[k].pending == pending) {
			if (dst[k].cost <= cost)
				return;
			slot = k;
			break;
		}
	if (slot < 0)
		for (int k = 0; k < KBEST / 2; k++)
			if (!dst[k].valid) {
				slot = k;
				break;
			}
	if (slot < 0) {
		int worst = 0;
		for (int k = 1; k < KBEST / 2; k++)
			if (dst[k].cost > dst[worst].cost)
				worst = k;
		if (dst[worst].cost <= cost)
			return;
		slot = worst;
	}
	vstate *s = &dst[slot];
	s->cost = cost;
	s->last = last;
	s->pending = pending;
	s->lastbyte = lastbyte;
	s->before = !pending ? 0 : from->pending ? from->before : from->lastbyte;
	s->back_pos = bp;
	s->back_k = bk;
	if (nemit)
		memcpy(s->emit, emit, (size_t)nemit * sizeof *emit);
	s->nemit = nemit;
	s->lost = lost;
	s->doubt = doubt;
	s->valid = true;
}

/* The character (if any) the next bytes of g spell at i, for context. */
static uint32_t peek_char(const gbytes *g, size_t i)
{
	if (i >= g->n)
		return 0;
	if (g->b[i] < 0x80)
		return g->b[i];
	return i + 1 < g->n ? pair_char(g->b[i], g->b[i + 1]) : 0;
}

static unsigned char trail_of(uint32_t c, unsigned char fallback)
{
	unsigned char t[2];
	int k = mf_gbk_encode(c, t);
	return k == 2 ? t[1] : (k == 1 ? t[0] : fallback);
}

typedef struct cpvec_s {
	uint32_t *v;
	size_t n, cap;
} cpvec_s;

static bool cvs_push(cpvec_s *c, uint32_t x)
{
	if (c->n == c->cap && !mf_grow(&c->v, &c->cap, sizeof *c->v, 64))
		return false;
	c->v[c->n++] = x;
	return true;
}

/* What an annotation of x with its reading of rank r costs: a reading
 * other than the first, a character not yet seen annotated. */
static long annotation_prior(const struct seed_doc *sd, uint32_t x, int r)
{
	return (r == 0 ? 0 : N8(2)) + (set_count(sd, x) ? 0 : N8(3));
}

/* ASCII bytes a GBK decoder eats with a lead byte (no trail can be one):
 * the ones text holds between Chinese characters. */
static const unsigned char EATEN[] = { '\n', ' ', ',', '.', ':', ';', '!', '?', '"', '\'', '-', '/', '\t',
                                       '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' };

/* The document's habits count the bytes a decoder may eat, but '?', which
 * in a damaged text is as often the decoder's mark. */
static bool eaten_kind(uint32_t c)
{
	return c != '?' && c < 0x80 && memchr(EATEN, (int)c, sizeof EATEN);
}

/* What each byte a decoder may eat costs after x (cost[k] for EATEN[k]):
 * the document's own habit after such a character (a farm that folds ， to
 * ',' writes ',' after Han characters where the model expects a newline),
 * the model's where it has none. */
#define HABIT_WEIGHT 4.0
static void eaten_costs(const struct seed_doc *sd, uint32_t x, long cost[sizeof EATEN])
{
	int cl = !mf_is_han(x);
	double p_lm[sizeof EATEN], z = 0;
	for (size_t k = 0; k < sizeof EATEN; k++)
		z += p_lm[k] = exp(-(double)lm2(x, EATEN[k]) / MF_LM_COST_SCALE);
	for (size_t k = 0; k < sizeof EATEN; k++) {
		double p = (sd->after[cl][EATEN[k]] + HABIT_WEIGHT * p_lm[k] / z) / (sd->after_total[cl] + HABIT_WEIGHT);
		cost[k] = N8(-log(p));
	}
}

/* A lead byte whose trail the decoder, out of step, ate with the ASCII byte
 * after it into one '?': the character and that byte, chosen together
 * between p and next.  Each is sure when every reading within FILL_MARGIN
 * of the best agrees on it; returns the best cost (-1: none). */
static long choose_eaten(const struct seed_doc *sd, unsigned char lead, uint32_t p, uint32_t next, uint32_t *c,
                         bool *sure_c, unsigned char *trail, unsigned char *eaten, bool *sure_e, long *doubt)
{
	double mass = 0;
	long best = -1, rival_c = -1, rival_e = -1, ce[sizeof EATEN], cnext[sizeof EATEN];
	for (size_t k = 0; k < sizeof EATEN; k++)
		cnext[k] = next ? lm2(EATEN[k], next) : 0;
	for (unsigned v = 0x40; v <= 0xFE; v++) {
		uint32_t x = pair_char(lead, (unsigned char)v);
		if (!x)
			continue;
		long cx = lm2(p, x);
		eaten_costs(sd, x, ce);
		for (size_t k = 0; k < sizeof EATEN; k++) {
			uint32_t e = EATEN[k];
			long cost = cx + ce[k] + cnext[k];
			mass += exp(-(double)cost / MF_LM_COST_SCALE);
			if (best < 0 || cost < best) {
				if (best >= 0) {
					if (x != *c && (rival_c < 0 || best < rival_c))
						rival_c = best;
					if (e != *eaten && (rival_e < 0 || best < rival_e))
						rival_e = best;
				}
				best = cost;
				*c = x;
				*trail = (unsigned char)v;
				*eaten = (unsigned char)e;
				continue;
			}
			if (x != *c && (rival_c < 0 || cost < rival_c))
				rival_c = cost;
			if (e != *eaten && (rival_e < 0 || cost < rival_e))
				rival_e = cost;
		}
	}
	if (best < 0)
		return -1;
	*sure_c = rival_c < 0 || rival_c - best >= FILL_MARGIN;
	*sure_e = rival_e < 0 || rival_e - best >= FILL_MARGIN;
	*doubt = mf_fill_doubt(best, mass);
	return best;
}

/* The decoder out of step (a pending lead where a damaged character
 * starts) met the pending character's trail t and the next one's lead l as
 * a pair GBK leaves unmapped, and iconv -c dropped both: the byte here is
 * l's trail.  The likeliest trails first: each l costs a model query. */
#define DROP_TRAILS 4
static void dropped_pair(lattice *L, size_t i, const vstate *s, int k, const gbytes *g)
{
	unsigned char b = g->b[i];
	unsigned char tv[DROP_TRAILS];
	uint32_t cv[DROP_TRAILS];
	long costv[DROP_TRAILS];
	int nt = 0;
	for (unsigned t = 0x81; t <= 0xFE; t++) {
		uint32_t c = pair_char(s->pending, (unsigned char)t);
		if (!c || !mf_is_han(c))
			continue;
		/* the pair (t, l) must be unmapped for some lead l b can follow */
		bool any = false;
		for (unsigned l = 0x81; l <= 0xFE && !any; l++)
			any = !mf_gbk_pair_in_gbk((unsigned char)t, (unsigned char)l) && pair_char((unsigned char)l, b);
		if (!any)
			continue;
		long cost = lm2(s->last, c);
		int at = nt < DROP_TRAILS ? nt++ : DROP_TRAILS;
		while (at > 0 && costv[at - 1] > cost) {
			if (at < DROP_TRAILS) {
				tv[at] = tv[at - 1];
				cv[at] = cv[at - 1];
				costv[at] = costv[at - 1];
			}
			at--;
		}
		if (at < DROP_TRAILS) {
			tv[at] = (unsigned char)t;
			cv[at] = c;
			costv[at] = cost;
		}
	}
	for (int j = 0; j < nt; j++) {
		for (unsigned l = 0x81; l <= 0xFE; l++) {
			uint32_t d = pair_char((unsigned char)l, b);
			if (!d || !mf_is_han(d) || mf_gbk_pair_in_gbk(tv[j], (unsigned char)l))
				continue;
			uint32_t e[2] = { cv[j], d };
			relax(L, i + 1, s, (int)i, k, costv[j] + lm2(cv[j], d) + N8(3), d, 0, b, e, 2, 0, N8(1));
		}
	}
}

/* Viterbi over the damaged byte stream; see the file comment. */
static int run_viterbi(const struct seed_doc *sd, const gbytes *g, uint32_t prev0, uint32_t seg_next,
                       cpvec_s *out, unsigned *lost_out, long *doubt_out)
{
	size_t n = g->n;
	lattice L = { calloc((n + 2) * KBEST, sizeof(vstate)), n + 1 };
	/* where the document's decoder drops bytes rather than marking them */
	bool drops = sd->dropped * 2 > sd->misaligned;
	if (!L.V)
		return -1;
	L.V[0].valid = true;
	L.V[0].last = prev0;
	L.V[0].lastbyte = (unsigned char)trail_of(prev0, 0);
	L.V[0].back_pos = -1;
	char syl[16];
	size_t sl;
	for (size_t i = 0; i < n; i++) {
		size_t plen = pattern_at(g->b, i, n, syl, &sl);
		for (int k = 0; k < KBEST; k++) {
			vstate *s = &L.V[i * KBEST + k];
			if (!s->valid)
				continue;
			uint32_t p = s->last;
			uint32_t e[2];
			unsigned char b = g->b[i];
			if (!s->pending) {
				if (b < 0x80) {
					/* an ASCII byte as it is */
					e[0] = b;
					relax(&L, i + 1, s, (int)i, k, lm2(p, b), b, 0, b, e, 1, 0, 0);
				} else if (b >= 0x81) {
					relax(&L, i + 1, s, (int)i, k, 0, p, b, b, e, 0, 0, 0);
				}
			} else if (b >= 0x40 && b != 0x7F && b != 0xFF) {
				/* the trail of the pending character */
				uint32_t c = pair_char(s->pending, b);
				if (c) {
					e[0] = c;
					relax(&L, i + 1, s, (int)i, k, lm2(p, c), c, 0, b, e, 1, 0, 0);
				}
			}
			if (drops && s->pending && b >= 0x81 && g->unit[i] != g->unit[i - 1])
				dropped_pair(&L, i, s, k, g);
			if (s->pending && (b < 0x40 || b == '?')) {
				/* the decoder, out of step, lost this character's trail
				 * before an ASCII byte (or ate both into '?') */
				bool sure = false, sure_e = false;
				unsigned char t = 0, eaten = 0;
				uint32_t c = 0;
				long doubt = 0;
				if (b == '?') {
					long cost = choose_eaten(sd, s->pending, p, peek_char(g, i + 1), &c, &sure, &t, &eaten,
					                         &sure_e, &doubt);
					if (cost >= 0) {
						e[0] = sure ? c : 0xFFFD;
						e[1] = sure_e ? eaten : 0xFFFD;
						relax(&L, i + 1, s, (int)i, k, cost + N8(6), e[1], 0, eaten, e, 2,
						      (unsigned)!sure + (unsigned)!sure_e, doubt);
					}
				} else {
					c = mf_gbk_choose_pair(s->pending, -1, NULL, 0, false, NULL, p, b, &sure, &t, &doubt);
					if (c) {
						/* and the ASCII byte, read here: a state left at i
						 * would compete for its places with the pending
						 * ones it came from */
						e[0] = sure ? c : 0xFFFD;
						e[1] = b;
						relax(&L, i + 1, s, (int)i, k, lm2(p, c) + N8(3) + lm2(c, b), b, 0, b, e, 2,
						      sure ? 0 : 1, sure ? doubt : 0);
					}
				}
			}
			if (plen) {
				bool eat = b == '?';
				/* the annotation of the character just read, in step */
				if (!eat && !s->pending && mf_is_han(p)) {
					int r = mf_pinyin_rank(p, syl, sl);
					if (r >= 0) {
						long prior = annotation_prior(sd, p, r);
						relax(&L, i + plen, s, (int)i, k, prior, p, 0, s->lastbyte, e, 0, 0, 0);
					}
				}
				/* or of the pair the decoder, out of step, read across two
				 * characters: the last one's trail and the pending lead
				 * (手机 = CA D6 BB FA, read ..只(zhǐ)..); nothing lost */
				uint32_t across = s->pending && s->before ? pair_char(s->before, s->pending) : 0;
				if (!eat && across && mf_is_han(across)) {
					int r = mf_pinyin_rank(across, syl, sl);
					if (r >= 0) {
						long prior = annotation_prior(sd, across, r);
						relax(&L, i + plen, s, (int)i, k, prior, p, s->pending, s->pending, e, 0, 0, 0);
					}
				}
				/* an annotation whose character ends in a byte the decoder
				 * lost before the '(' (dropped, or eaten into '?'); the
				 * reading all but fixes the byte: no doubt counted */
				for (unsigned v = 0x40; v <= 0xFE; v++) {
					uint32_t x = pair_char(s->lastbyte, (unsigned char)v);
					if (!x)
						continue;
					int r = mf_pinyin_rank(x, syl, sl);
					if (r < 0)
						continue;
					long prior = annotation_prior(sd, x, r) + (eat ? 0 : N8(1));
					if (s->pending) {
						uint32_t c = pair_char(s->pending, (unsigned char)v);
						if (!c)
							continue;
						e[0] = c;
						relax(&L, i + plen, s, (int)i, k, prior + lm2(p, c), c, 0, (unsigned char)v, e, 1, 0, 0);
					} else if (v >= 0x81) {
						relax(&L, i + plen, s, (int)i, k, prior, p, (unsigned char)v, (unsigned char)v, e, 0, 0, 0);
					}
				}
			}
			/* a fold that cut two characters: L A3 | (c|0x80) ..., with L
			 * lost before the ASCII it became (or eaten with it into '?') */
			if (!s->pending && b < 0x80) {
				for (size_t f = 0; f < sizeof FOLD_CHARS; f++) {
					if (FOLD_CHARS[f] != b && b != '?')
						continue;
					unsigned char hi = (unsigned char)(FOLD_CHARS[f] | 0x80);
					bool sure;
					unsigned char lb;
					long doubt;
					uint32_t c1 = mf_gbk_choose_pair(-1, 0xA3, NULL, 0, true, NULL, p,
					                                 peek_char(g, i + 1) ? pair_char(hi, g->b[i + 1]) : 0,
					                                 &sure, &lb, &doubt);
					if (!c1)
						continue;
					e[0] = sure ? c1 : 0xFFFD;
					long prior = b == '?' ? N8(6) : N8(4);
					relax(&L, i + 1, s, (int)i, k, prior + lm2(p, c1), c1, hi, hi, e, 1, sure ? 0 : 1,
					      sure ? doubt : 0);
				}
			}
		}
	}
	/* the segment's end: a lead byte left pending lost its trail before
	 * the newline (or the end of the text), as before any ASCII byte */
	for (int k = 0; k < KBEST; k++) {
		vstate *s = &L.V[n * KBEST + k];
		if (!s->valid)
			continue;
		if (!s->pending) {
			relax(&L, n + 1, s, (int)n, k, 0, s->last, 0, s->lastbyte, NULL, 0, 0, 0);
			continue;
		}
		bool sure;
		unsigned char t;
		long doubt;
		uint32_t c = mf_gbk_choose_pair(s->pending, -1, NULL, 0, false, NULL, s->last, seg_next, &sure, &t,
		                                &doubt);
		if (c) {
			uint32_t e = sure ? c : 0xFFFD;
			relax(&L, n + 1, s, (int)n, k, lm2(s->last, c) + N8(3), c, 0, t, &e, 1, sure ? 0 : 1,
			      sure ? doubt : 0);
		}
	}
	n++;
	int bk = -1;
	for (int k = 0; k < KBEST; k++) {
		vstate *s = &L.V[n * KBEST + k];
		if (s->valid && (bk < 0 || s->cost < L.V[n * KBEST + bk].cost))
			bk = k;
	}
	if (bk < 0) {
		free(L.V);
		return 1;                /* no reading: leave the line alone */
	}
	size_t cnt = 0;
	unsigned lost = 0;
	long doubt = 0;
	for (int pos = (int)n, k = bk; L.V[pos * KBEST + k].back_pos >= 0;) {
		vstate *s = &L.V[pos * KBEST + k];
		cnt += (size_t)s->nemit;
		lost += s->lost;
		doubt += s->doubt;
		int bp = s->back_pos;
		k = s->back_k;
		pos = bp;
	}
	out->n = 0;
	for (size_t t = 0; t < cnt; t++)
		if (!cvs_push(out, 0)) {
			free(L.V);
			return -1;
		}
	size_t w = cnt;
	for (int pos = (int)n, k = bk; L.V[pos * KBEST + k].back_pos >= 0;) {
		vstate *s = &L.V[pos * KBEST + k];
		for (int t = s->nemit - 1; t >= 0; t--)
			out->v[--w] = s->emit[t];
		int bp = s->back_pos;
		k = s->back_k;
		pos = bp;
	}
	*lost_out = lost;
	*doubt_out = doubt;
	free(L.V);
	return 0;
}

/* Annotations the reading left in place, "(rèn)" after a character that
 * does not read so: a line only partly undone.  In a line not undone at
 * all, every annotation counts (any_reading): the document has insertions,
 * and the line is no reading aid. */
static unsigned residual_annotations(const uint32_t *r, size_t n, bool any_reading)
{
	unsigned k = 0;
	for (size_t i = 0; i < n; i++) {
		if (r[i] != '(')
			continue;
		char syl[32];
		size_t sl = 0, j = i + 1;
		bool toned = false;
		while (j < n && sl + 4 < sizeof syl && r[j] != ')' && r[j] >= 'a' - 32 && r[j] < 0x300) {
			toned |= r[j] >= 0x80;
			sl += mf_utf8_encode(r[j], syl + sl);
			j++;
		}
		if (j < n && r[j] == ')' && toned && sl > 0 && mf_pinyin_is_syllable(syl, sl) &&
		    (any_reading || !(i > 0 && mf_pinyin_rank(r[i - 1], syl, sl) >= 0 && mf_is_han(r[i - 1]))))
			k++;
	}
	return k;
}

/* ---- per block ---- */

static bool seed_mode(const struct seed_doc *sd)
{
	/* A text that annotates most of its characters is a reading aid, and a
	 * few annotations are glosses.  The garbling shows itself by
	 * annotations the decoder broke, or by a set of characters annotated at
	 * every one of their occurrences (a byte-level replace misses none). */
	if (sd->aligned + sd->misaligned < 3 || sd->aligned * 2 >= sd->han)
		return false;
	if (sd->misaligned >= 1)
		return true;
	return sd->nset >= 5 && sd->set_annotated * 10 >= sd->set_total * 9;
}

/* How many occurrences of the set's characters carry an annotation. */
static void count_consistency(struct seed_doc *sd, const mf_units *u)
{
	for (size_t i = 0; i < u->n; i++) {
		if (!mf_is_han(u->cp[i]) || !set_count(sd, u->cp[i]))
			continue;
		sd->set_total++;
		if (i + 1 < u->n && u->cp[i + 1] == '(')
			sd->set_annotated++;
	}
}

/* ---- clean text (stream.c) ---- */

/* An annotation is evidence only as '?py)', or as '(py)' after a non-ASCII
 * character, and only where py is a pinyin syllable (scan_line); without
 * one, gather() changes nothing.  Could one start at the '(' or '?' before
 * p[j]?  As pattern_at sees it (units re-encoded to GBK): one to six letters
 * a-z or tone vowels GBK puts at A8A1..A8BA (all two-byte UTF-8, the same
 * bytes pattern_at writes into the syllable), then ')', spelling a
 * syllable.  So `重新引导(reboot)`, common in Chinese technical writing,
 * leaves its block on the clean-text path. */
bool mf_seed_annotation_may(const unsigned char *p, size_t n, size_t j)
{
	char syl[16];
	size_t letters = 0, k = 0;
	while (j < n && letters <= 6) {
		if (p[j] >= 'a' && p[j] <= 'z') {
			syl[k++] = (char)p[j++];
		} else if (p[j] >= 0xC2 && p[j] <= 0xDF && j + 1 < n) {
			uint32_t c = (uint32_t)(p[j] & 0x1F) << 6 | (p[j + 1] & 0x3F);
			unsigned v = mf_gbk_enc_bmp[c];
			if (!(v >= 0xA8A1 && v <= 0xA8BA))
				break;
			syl[k++] = (char)p[j];
			syl[k++] = (char)p[j + 1];
			j += 2;
		} else {
			break;
		}
		letters++;
	}
	return letters > 0 && letters <= 6 && j < n && p[j] == ')' && mf_pinyin_is_syllable(syl, k);
}

mf_rc mf_seed_quiet_block(mf_docstate *doc, const unsigned char *p, size_t n, unsigned han, bool *applied)
{
	*applied = false;
	struct seed_doc *sd = mf_seed_doc(doc);
	if (!sd)
		return MF_ERR_NOMEM;
	/* what mf_seed_analyse would leave: the first phase adds han, then
	 * count_consistency runs; the second phase reads lines (and adds to
	 * doc->seed_residual) only in seed mode */
	struct seed_doc t = *sd;
	t.han += han;
	if (t.nset) {
		size_t i = 0;
		while (i < n) {
			unsigned b0 = p[i];
			if (b0 < 0x80) {
				i++;
				continue;
			}
			size_t len = (size_t)mf_utf8_seq_len((unsigned char)b0);
			uint32_t cp;
			mf_utf8_decode(p + i, n - i, &cp);
			if (mf_is_han(cp) && set_count(sd, cp)) {
				t.set_total++;
				if (i + len < n && p[i + len] == '(')
					t.set_annotated++;
			}
			i += len;
		}
	}
	if (seed_mode(&t))
		return MF_OK;
	*sd = t;
	*applied = true;
	return MF_OK;
}

mf_rc mf_seed_analyse(const mf_units *u, uint32_t prev, mf_docstate *doc, mf_found_list *out)
{
	struct seed_doc *sd = mf_seed_doc(doc);
	if (!sd)
		return MF_ERR_NOMEM;
	size_t n = u->n;
	gbytes g = { 0 };
	g.b = malloc(2 * n + 1);
	g.unit = malloc((2 * n + 1) * sizeof *g.unit);
	cpvec_s rep = { 0 };
	mf_rc rc = MF_OK;
	if (!g.b || !g.unit) {
		rc = MF_ERR_NOMEM;
		goto done;
	}
	/* segments: lines, cut at characters GBK cannot encode */
	for (int phase = 0; phase < 2; phase++) {
		if (phase == 1)
			count_consistency(sd, u);
		if (phase == 1 && !seed_mode(sd))
			break;             /* it stays so for the whole phase: nothing to read */
		size_t i = 0;
		while (i < n) {
			size_t a = i;
			g.n = 0;
			bool site = false;
			while (i < n && u->cp[i] != '\n') {
				unsigned char tmp[2];
				int k = mf_gbk_encode(u->cp[i], tmp);
				if (k == 0)
					break;
				if (phase == 0 && mf_is_han(u->cp[i]))
					sd->han++;
				if (phase == 0 && u->cp[i] >= 0x80 && i + 1 < n && eaten_kind(u->cp[i + 1])) {
					int cl = !mf_is_han(u->cp[i]);
					sd->after[cl][u->cp[i + 1]]++;
					sd->after_total[cl]++;
				}
				for (int j = 0; j < k; j++) {
					g.unit[g.n] = i;
					g.b[g.n++] = tmp[j];
				}
				if (u->cp[i] == '(' || u->cp[i] == '?' || u->cp[i] == ',' || u->cp[i] == ':' ||
				    u->cp[i] == ';' || u->cp[i] == '!' || u->cp[i] == ')')
					site = true;
				i++;
			}
			size_t b = i;
			if (i < n)
				i++;
			if (g.n == 0 || !site)
				continue;
			if (phase == 0) {
				gather(sd, &g, u);
				continue;
			}
			if (!seed_mode(sd) || reading_aid_line(&g, u))
				continue;
			unsigned lost = 0;
			long doubt = 0;
			uint32_t p = a ? u->cp[a - 1] : prev;
			int r = run_viterbi(sd, &g, p, b < n ? u->cp[b] : 0, &rep, &lost, &doubt);
			if (r < 0) {
				rc = MF_ERR_NOMEM;
				goto done;
			}
			/* a line left as it was keeps what annotations it had */
			if (r > 0 || (rep.n == b - a && memcmp(rep.v, u->cp + a, rep.n * sizeof(uint32_t)) == 0)) {
				doc->seed_residual += residual_annotations(u->cp + a, b - a, true);
				continue;
			}
			/* trim the common head and tail so the span is what changed */
			size_t h = 0;
			while (h < rep.n && a + h < b && rep.v[h] == u->cp[a + h])
				h++;
			size_t t = 0;
			while (t < rep.n - h && b - t > a + h && rep.v[rep.n - 1 - t] == u->cp[b - 1 - t])
				t++;
			mf_found f;
			memset(&f, 0, sizeof f);
			f.start = a + h;
			f.end = b - t;
			f.nrep = rep.n - h - t;
			f.rep = malloc((f.nrep + 1) * sizeof(uint32_t));
			if (!f.rep) {
				rc = MF_ERR_NOMEM;
				goto done;
			}
			memcpy(f.rep, rep.v + h, f.nrep * sizeof(uint32_t));
			f.nchain = 1;
			f.chain[0] = MF_CH_PINYIN_INSERT;
			f.lost = lost;
			uint32_t pc = f.start ? u->cp[f.start - 1] : prev;
			uint32_t nc = f.end < n ? u->cp[f.end] : 0;
			long co = mf_lm_seq_cost(u->cp + f.start, f.end - f.start, pc, nc);
			long cr = mf_lm_seq_cost(f.rep, f.nrep, pc, nc);
			f.gain = (double)(co - cr) / 8.0;
			/* the document's evidence counts as much as the line's own gain */
			double consistent = sd->set_total && sd->set_annotated * 10 >= sd->set_total * 9
				? (double)sd->nset / 2.0 : 0.0;
			double ev = 1.0 - 1.0 / (1.0 + sd->misaligned + consistent);
			f.detect = mf_sigmoid((f.gain - 4.0) / 2.5) * (0.5 + 0.5 * ev);
			f.exact = mf_exactness(lost, doubt) * pow(0.2, (double)residual_annotations(f.rep, f.nrep, false));
			f.confidence = f.detect * f.exact;
			if (f.gain <= 0) {
				doc->seed_residual += residual_annotations(u->cp + f.start, f.end - f.start, true);
				free(f.rep);
				continue;
			}
			/* spans the other channels found inside this line yield to it */
			for (size_t j = 0; j < out->n; j++)
				if (out->v[j].start < f.end && f.start < out->v[j].end) {
					free(out->v[j].rep);
					out->v[j] = out->v[--out->n];
					j--;
				}
			if (out->n == out->cap) {
				size_t cap = out->cap ? out->cap * 2 : 16;
				mf_found *np = realloc(out->v, cap * sizeof *np);
				if (!np) {
					free(f.rep);
					rc = MF_ERR_NOMEM;
					goto done;
				}
				out->v = np;
				out->cap = cap;
			}
			out->v[out->n++] = f;
		}
	}
done:
	free(g.b);
	free(g.unit);
	free(rep.v);
	return rc;
}
