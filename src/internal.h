/* Internal interfaces of the mojifix library (not installed).
 * SPDX-License-Identifier: MIT */
#ifndef MOJIFIX_INTERNAL_H
#define MOJIFIX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mojifix.h"

/* ---- growable buffers (buf.c) ---- */
typedef struct {
	char *p;
	size_t n, cap;
	bool failed;            /* an allocation failed; further appends are no-ops */
} mf_buf;

bool mf_buf_reserve(mf_buf *b, size_t extra);
void mf_buf_put(mf_buf *b, const void *data, size_t len);
void mf_buf_putc(mf_buf *b, char c);
void mf_buf_put_utf8(mf_buf *b, uint32_t cp);
void mf_buf_free(mf_buf *b);
/* Room for one more element in an array that doubles (from `first`): ptr
 * is the address of the array's pointer (any element type), *cap its
 * capacity, elem the element size.  False, array untouched, where memory
 * runs out.  The lists' push functions are written over it. */
bool mf_grow(void *ptr, size_t *cap, size_t elem, size_t first);

/* ---- UTF-8 (utf8.c) ---- */
/* A decoded unit of input: a code point, or one byte of invalid UTF-8. */
#define MF_RAW_BYTE 0x110000u            /* cp = MF_RAW_BYTE + byte for invalid bytes */
#define MF_IS_RAW(cp) ((cp) >= MF_RAW_BYTE)

/* Decode one UTF-8 sequence (strict: no overlongs, surrogates, > U+10FFFF).
 * Returns its length (1..4) and sets *cp; on an invalid sequence returns 1
 * and sets *cp = MF_RAW_BYTE + s[0].  n must be > 0. */
size_t mf_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Length of the longest valid UTF-8 prefix (stops before a truncated tail). */
size_t mf_utf8_valid_prefix(const unsigned char *s, size_t n);
size_t mf_utf8_encode(uint32_t cp, char out[4]);
/* Bytes needed to complete a sequence starting with lead byte b (1..4), 0 if b
 * cannot start one.  (Inline: the pre-scan calls these per byte.) */
static inline int mf_utf8_seq_len(unsigned char b)
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
static inline bool mf_utf8_is_cont(unsigned v)
{
	return v >= 0x80 && v <= 0xBF;
}
/* Second-byte limits of a UTF-8 lead byte (no overlongs, no surrogates,
 * nothing above U+10FFFF). */
static inline void mf_utf8_second_range(unsigned lead, unsigned *lo, unsigned *hi)
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

/* ---- legacy charsets through the compiled tables (charset.c) ---- */
/* GBK/CP936/GB18030 two-byte: decode a pair; 0 when unmapped. */
uint32_t mf_gbk_decode_pair(unsigned char lead, unsigned char trail);
/* True when glibc's GBK (the strictest common decoder) maps the pair. */
bool mf_gbk_pair_in_gbk(unsigned char lead, unsigned char trail);
/* repair.c: whether the wrong decoder (GB18030/CP936-like when
 * pua_decoder) reads lead and trail as a pair; whether one that drops what
 * it cannot decode drops exactly lost[p..w) before the byte nb (prefilter.c
 * proves with the same test). */
bool mf_pair_decodes(unsigned lead, unsigned trail, bool pua_decoder);
bool mf_lost_run_ok(const unsigned *lost, int w, int p, unsigned nb, bool pua_decoder);
bool mf_lost_prefix_ok(const unsigned *fill, int pos, int w, bool pua_decoder);
int mf_utf8_char_at(const uint16_t *b, size_t n, size_t p);
int mf_utf8_ahead(const uint16_t *b, size_t n, size_t p, int k);
/* The encode table (tables/gbk.h): per BMP code point, its GBK code (one
 * byte when < 0x100), 0 when none; entries below 0x80 are not used. */
extern const uint16_t *const mf_gbk_enc_bmp;
/* Encode a code point the way a GBK-family decoder could have produced it:
 * writes 1 or 2 bytes to out and returns the count, 0 if not encodable. */
static inline int mf_gbk_encode(uint32_t cp, unsigned char out[2])
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp > 0xFFFF)
		return 0;
	uint16_t v = mf_gbk_enc_bmp[cp];
	if (v == 0)
		return 0;
	if (v < 0x100) {
		out[0] = (unsigned char)v;
		return 1;
	}
	out[0] = (unsigned char)(v >> 8);
	out[1] = (unsigned char)(v & 0xFF);
	return 2;
}
bool mf_gbk_is_lead(unsigned char b);
bool mf_gbk_is_trail(unsigned char b);
/* Latin-1 / CP1252 (as one reverse map; holes come back as C1 controls). */
int mf_sbcs_encode(uint32_t cp, bool *cp1252_only);  /* byte, or -1 */
uint32_t mf_cp1252_decode(unsigned char b);

/* ---- character language model (lm.c) ---- */
/* Costs are in 1/8 nat (MF_LM_SCALE); lower is more plausible. */
#define MF_LM_COST_SCALE 8.0
/* 1.5 nats: a lost byte is filled only when the best candidate beats the
 * next by this much (cost units) */
#define FILL_MARGIN 12
/* how unsure a fill is (repair.c) */
long mf_fill_doubt(long best_cost, double mass);
/* find_unrecoverable reads '?' as a GBK-as-UTF-8 decoder's debris from
 * this many on (prefilter.c opens such lines) */
#define MF_QMARK_DEBRIS_MIN 6
typedef enum { MF_SCRIPT_SIMP = 0, MF_SCRIPT_TRAD = 1 } mf_script;
int mf_lm_cost(mf_script sc, uint32_t prev, uint32_t c);
/* Cost of a sequence of code points under the better of the two scripts;
 * prev/next are context (0 for none). */
long mf_lm_seq_cost(const uint32_t *cps, size_t n, uint32_t prev, uint32_t next);
/* The same under one script (script < 0: the better of the two). */
long mf_lm_seq_cost_in(int script, const uint32_t *cps, size_t n, uint32_t prev, uint32_t next);
/* What GB18030 and CP936 decode the GBK user-defined areas to: in
 * garbled text, evidence that the wrong decoder was one of them. */
static inline bool mf_is_user_pua(uint32_t cp)
{
	return cp >= 0xE000 && cp <= 0xE765;
}

/* Which script's model reads cps better. */
int mf_lm_script_of(const uint32_t *cps, size_t n);
/* Han above the BMP: the supplementary and tertiary planes (the pre-scan's
 * bound on CJK-like characters relies on nothing else lying there) */
#define MF_HAN_SUPP_FIRST 0x20000u
#define MF_HAN_SUPP_LAST 0x3FFFFu
static inline bool mf_is_han(uint32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= MF_HAN_SUPP_FIRST && cp <= MF_HAN_SUPP_LAST);
}
bool mf_lm_known(uint32_t cp);      /* in the model's vocabulary */
int mf_lm_unigram(uint32_t cp);      /* best unigram cost of a Han char, or -1 */

/* ---- pinyin readings (pinyin.c) ---- */
/* Readings of cp: returns the count, fills up to max syllable pointers
 * (NUL-terminated UTF-8 with tone marks), customary first. */
int mf_pinyin_readings(uint32_t cp, const char **out, int max);
bool mf_pinyin_has_reading(uint32_t cp, const char *syl, size_t len);
int mf_pinyin_rank(uint32_t cp, const char *syl, size_t len);
bool mf_pinyin_toneless_match(uint32_t cp, const char *syl, size_t len);
bool mf_pinyin_is_syllable(const char *syl, size_t len);

/* ---- the repair core (repair.c) ---- */
/* A block of input decoded into units, with their byte offsets. */
typedef struct {
	uint32_t *cp;
	uint32_t *off;      /* byte offset of unit i in the block; off[n] = length */
	size_t n, cap;
} mf_units;

typedef struct mf_found {
	size_t start, end;             /* unit range in the block */
	uint32_t *rep;                 /* replacement code points (malloc'd) */
	size_t nrep;
	int nchain;
	mf_channel chain[MF_MAX_CHAIN];
	double detect;                 /* P(the span is garbled): decides whether it changes */
	double exact;                  /* P(the repair is exactly the original | garbled) */
	double confidence;             /* detect * exact, as reported */
	double gain;                   /* cost(original) - cost(repair), nats */
	unsigned lost;
	bool unrecoverable;            /* report only */
} mf_found;

typedef struct {
	mf_found *v;
	size_t n, cap;
} mf_found_list;

/* Per-document state carried between blocks (seed family set, etc.). */
struct seed_doc;                 /* seedfix.c's evidence */
/* ---- the document cache (cache.c) ---- */
typedef struct mf_cache mf_cache;
mf_cache *mf_cache_new(void);
void mf_cache_free(mf_cache *c);
/* Count a text the document spells intact (U+FFFD and raw bytes skipped);
 * weight -1 takes back a text counted before. */
void mf_cache_add(mf_cache *c, const uint32_t *cps, size_t n, int weight);
bool mf_cache_ready(const mf_cache *c);
/* Whether it may be, once cps[0..n) is added (c may be NULL: none yet). */
bool mf_cache_ready_with(const mf_cache *c, const uint32_t *cps, size_t n);
/* Identifies the cache's current counts (0 for none), unique per process. */
unsigned long mf_cache_generation(const mf_cache *c);
/* mf_lm_seq_cost_in with the document's own characters mixed in. */
long mf_cache_seq_cost(mf_cache *c, int script, const uint32_t *cps, size_t n, uint32_t prev,
                       uint32_t next);
long mf_cache_choice_cost(mf_cache *c, int script, const uint32_t *cps, size_t n, uint32_t prev,
                          uint32_t next);
/* The bytes a decoder may swallow with a bad lead byte (no GBK trail:
 * \t \n \r and 0x20..0x3F), as 0..MF_SEP_BYTES-1 (mf_sep_index; -1 for
 * others), and what the document says of each after a character beyond
 * ASCII, before next, on a line with a tab or without: costs added to the
 * model's (may be < 0; c may be NULL). */
#define MF_SEP_BYTES 35
int mf_sep_index(uint32_t b);
unsigned mf_sep_byte(int j);         /* the byte of index j */
void mf_cache_sep_costs(const mf_cache *c, uint32_t next, bool line_tabs, int16_t cost[MF_SEP_BYTES]);

typedef struct mf_docstate {
	struct seed_doc *seed;       /* made on first use */
	mf_cache *cache;             /* made when a block first has lost bytes */
	bool pua_decoder;            /* 古文码 here came from a GB18030/CP936-like decoder */
	unsigned seed_residual;      /* seed-family annotations left in lines not undone */
	unsigned layer_residual;     /* lines where a 符号码 layer under a lossy reading was left */
	long eat_votes;              /* lost bytes' evidence of a decoder that swallows ASCII (repair.c) */
	bool cp1252_kept;            /* 拼音码 here shows CP1252's undefined bytes (or U+FFFD for them) */
	bool cp1252_dropped;         /* a 拼音码 run read only with bytes a CP1252 decoder dropped */
	unsigned spelled;            /* single-byte channel families whose kept readings spell text
	                              * (repair.c: spells_text) */
	unsigned long line_ends, line_ends_blank;             /* non-empty lines; followed by a blank one */
	unsigned long loss_ends_single, loss_ends_blank;      /* those ending in a lost byte */
	unsigned long cache_readings;  /* blocks read again with the cache (mf_analyse_block) */
	unsigned long readings;        /* readings of blocks, each with the cache or not */
	unsigned long probes;          /* first passes' probes read, not taken from the memo */
	bool cache_always;             /* tests: read as without the shortcuts: with the cache wherever
	                                * a hole was met, as if fills mattered; both rounds; every
	                                * probe afresh */
	/* The block's lines the repair passes do not read (the pre-scan
	 * cleared them), for the cache: mf_analyse_block calls this once where
	 * the block is garbled with lost bytes to fill, so that the cache
	 * knows the whole block whichever of its lines are garbled, and a
	 * second run over the output (its lines now clear) fills as the
	 * first did. */
	void (*add_cleared)(void *arg, mf_cache *cache);
	void *add_cleared_arg;
} mf_docstate;
struct seed_doc *mf_seed_doc(mf_docstate *d);
void mf_seed_doc_free(struct seed_doc *sd);
mf_docstate *mf_docstate_new(void);
void mf_docstate_free(mf_docstate *d);

/* Analyse one block; appends found spans (sorted, non-overlapping).
 * prev is the code point before the block (context), 0 at start. */
mf_rc mf_analyse_block(const mf_units *u, uint32_t prev, mf_docstate *doc,
                       mf_found_list *out);
void mf_found_list_clear(mf_found_list *l);
void mf_found_list_sort(mf_found_list *l);
void mf_found_list_free(mf_found_list *l);

/* Seed family (pinyin.c / seedfix.c): tries the pinyin-insertion channel on
 * a block; appends spans. */
mf_rc mf_seed_analyse(const mf_units *u, uint32_t prev, mf_docstate *doc,
                      mf_found_list *out);
/* For a block of clean text (stream.c): at a '?', or at a '(' after a
 * non-ASCII character, could what follows from p[j] be an annotation the
 * seed family counts as evidence (mf_seed_annotation_may)?  Where none can,
 * mf_seed_analyse gathers only the block's count of GBK-encodable Han
 * characters (han); mf_seed_quiet_block then does to the document what
 * mf_seed_analyse would (it would find nothing) and sets *applied, or, when
 * the block is to be read (seed mode), changes nothing: mf_seed_analyse
 * must run. */
bool mf_seed_annotation_may(const unsigned char *p, size_t n, size_t j);
mf_rc mf_seed_quiet_block(mf_docstate *doc, const unsigned char *p, size_t n, unsigned han, bool *applied);

/* The character a lost byte of a GBK pair most likely completes (repair.c):
 * lead or trail >= 0 is the known byte, the other is one of cands (all when
 * NULL); *sure when it beats the runner-up clearly; *byte gets the lost byte. */
uint32_t mf_gbk_choose_pair(int lead, int trail, const unsigned char *cands, size_t ncands, bool han_only,
                            mf_cache *cache, uint32_t prev, uint32_t next, bool *sure, unsigned char *byte,
                            long *doubt);

/* ---- the clean-text pre-scan (prefilter.c) ---- */
/* False only when mf_analyse_block can find nothing on this line (units of
 * one line, without its newline) whatever the rest of the block: no channel
 * can produce a candidate, no unrecoverable span starts there.  slots is
 * scratch of 2 * n + 1 entries. */
bool mf_prefilter_line(const uint32_t *cps, size_t n, uint16_t *slots);
/* The clean-text path (stream.c) on a block of n bytes of UTF-8, without
 * decoding it first: true when a line holds what mf_seed_annotation_may
 * calls a possible annotation (the block needs the full passes).  Else
 * false, with the lines mf_prescan_block cannot clear (the proof of
 * mf_prefilter_line, as the stream decodes them: an invalid byte is a raw
 * unit) in out->open, and in *out what the repair passes would gather from
 * the other lines.  out->open has room for a line per byte; slots and
 * starts are scratch of n + 1 and n / 2 + 1 entries. */
typedef struct {
	unsigned han;           /* GBK-encodable Han characters outside open lines (the seed family's count) */
	bool pua;               /* a code point in U+E000..U+E765 (the PUA evidence), maybe in an open line */
	unsigned lines;         /* newlines */
	uint32_t *open;         /* byte offsets where the lines to read begin */
	size_t nopen;
} mf_prescan;
bool mf_prescan_block(const unsigned char *p, size_t n, uint16_t *slots, uint32_t *starts, mf_prescan *out);

/* ---- confidence (repair.c) ---- */
double mf_sigmoid(double x);
double mf_exactness(unsigned lost, long fill_cost);
/* What a Chinese text repair produces: Han, CJK punctuation and fullwidth
 * forms, Hangul, general punctuation (repair.c; the pre-scan relies on it). */
bool mf_cjk_like(uint32_t cp);

#endif
