/*
 * garble: a generator of Chinese mojibake for mojifix's tests.
 * SPDX-License-Identifier: MIT
 *
 * Every channel models a real round trip: text encoded by one program and
 * decoded by another.  Encodes and decodes go through glibc iconv(3) where
 * glibc has the codec; what real decoders do at an invalid or unmapped byte
 * sequence (the replacement character, how many bytes one error swallows,
 * private-use fallbacks, quirks such as Python's gbk not knowing 0x80) is
 * modelled around iconv's EILSEQ/EINVAL stops.  All randomness comes from an
 * explicitly seeded splitmix64 generator: the same input, parameters and
 * seed always give the same bytes.
 *
 * A garbling is described by a line of text (gr_describe/gr_parse), e.g.
 *   utf8-as-gbk decoder=gb18030 repl=fffd consume=2
 *   utf8-as-gbk decoder=gbk repl=? consume=native > utf8-as-cp1252 holes=c1 partial=0.3 pmode=lines
 * so that every generated case can be named and regenerated.
 */
#ifndef MF_GARBLE_H
#define MF_GARBLE_H

#include <stddef.h>
#include <stdint.h>

/* ---- deterministic PRNG (splitmix64) ---- */
typedef struct {
	uint64_t s;
} gr_rng;

void gr_rng_seed(gr_rng *r, uint64_t seed);
uint64_t gr_rng_next(gr_rng *r);
uint64_t gr_rng_below(gr_rng *r, uint64_t n);   /* uniform in [0, n), n > 0 */
double gr_rng_unit(gr_rng *r);                  /* uniform in [0, 1) */

/* ---- channels ---- */
typedef enum {
	GR_CH_UTF8_AS_GBK = 0,  /* 古文码: UTF-8 bytes decoded by a GBK-family decoder */
	GR_CH_UTF8_AS_LATIN1,   /* 符号码: UTF-8 bytes decoded as ISO-8859-1 */
	GR_CH_UTF8_AS_CP1252,   /* 符号码: UTF-8 bytes decoded as Windows-1252 */
	GR_CH_GBK_AS_LATIN1,    /* 拼音码: GBK bytes decoded as ISO-8859-1 */
	GR_CH_GBK_AS_CP1252,    /* 拼音码: GBK bytes decoded as Windows-1252 */
	GR_CH_GBK_AS_UTF8,      /* 口字码: GBK bytes decoded as UTF-8 (lossy) */
	GR_CH_KUNKAO,           /* 锟拷码: 口字码 saved as UTF-8, decoded as GBK */
	GR_CH_GBK_ISLAND,       /* some lines left as raw GBK inside UTF-8 */
	GR_CH_LEGACY,           /* whole text in a legacy charset */
	GR_CH_PINYIN,           /* seed family: (pinyin) inserted into GBK bytes */
	GR_CH_COUNT
} gr_channel;

/* GBK-family decoders (the step "bytes decoded as GBK"). */
typedef enum {
	GR_DEC_GBK = 0,     /* glibc GBK (= CP936 in glibc; user areas unmapped; 0x80 = €) */
	GR_DEC_GB18030,     /* glibc GB18030 (every two-byte code mapped, UDAs to PUA) */
	GR_DEC_CP936,       /* Windows CP936: GBK + every other two-byte code to PUA
	                       (user areas as GB18030, the 255 others E766..E864),
	                       0xFF = U+F8F5; '?' eats the lead and the next byte */
	GR_DEC_PY_GBK,      /* Python gbk: GBK table, 0x80 invalid, errors 1 byte each */
	GR_DEC_PY_GB18030,  /* Python gb18030: 25 codes in PUA (older table), errors 1 byte */
	GR_DEC_WHATWG,      /* browsers (WHATWG gb18030): ASCII trail not swallowed */
	GR_DEC_ICU,         /* ICU windows-936 (Node.js TextDecoder('gbk')): CP936
	                       table, U+FFFD, a bad trail byte is read again */
	GR_DEC_COUNT
} gr_decoder;

/* What a decoder emits for an invalid or unmapped sequence. */
typedef enum {
	GR_REPL_NATIVE = 0, /* what the decoder itself does (see gr_decoder) */
	GR_REPL_QMARK,      /* '?' */
	GR_REPL_FFFD,       /* U+FFFD */
	GR_REPL_DROP,       /* nothing (iconv -c, errors='ignore') */
	GR_REPL_C1          /* CP1252 holes only: the C1 control U+0080+byte (Windows) */
} gr_repl;

/* How many bytes one decoding error swallows. */
#define GR_CONSUME_NATIVE 0  /* the decoder's own rule */
#define GR_CONSUME_1      1  /* the lead byte only */
#define GR_CONSUME_2      2  /* lead byte and the next byte, whatever it is */

typedef enum { GR_ENC_GBK = 0, GR_ENC_GB18030 } gr_encoder;
typedef enum {
	GR_LEG_GBK = 0, GR_LEG_GB18030, GR_LEG_BIG5, GR_LEG_CP950, GR_LEG_SJIS, GR_LEG_CP932,
	GR_LEG_EUCKR,
	GR_LEG_COUNT
} gr_legacy;
typedef enum { GR_PY_EAT = 0, GR_PY_DROP } gr_py_policy;
typedef enum { GR_PART_LINES = 0, GR_PART_SPAN } gr_pmode;

#define GR_MAX_LAYERS 3

typedef struct {
	gr_channel ch;
	/* GBK-family decode step (utf8-as-gbk, kunkao) */
	gr_decoder dec;
	gr_repl repl;
	int consume;
	/* CP1252 holes 81 8D 8F 90 9D (utf8-as-cp1252, gbk-as-cp1252);
	 * GR_REPL_NATIVE = GR_REPL_C1 (Windows, WHATWG) */
	gr_repl holes;
	/* UTF-8 decode step of gbk-as-utf8: repl NATIVE = U+FFFD; consume
	 * NATIVE = one replacement per maximal subpart (Python, WHATWG), 1 =
	 * one per byte */
	gr_repl urepl;
	int uconsume;
	/* encode step of gbk-as-*, kunkao, gbk-island: characters the charset
	 * lacks become '?' */
	gr_encoder enc;
	gr_legacy legacy;
	double island_frac;   /* gbk-island: probability a line is left as GBK */
	/* pinyin (seed family) */
	int set_size;         /* size of the annotated set X; 0: use set_frac */
	double set_frac;      /* fraction of the document's distinct characters */
	double unaligned_frac;/* probability that a character spelled only by an
	                         unaligned byte pair (trail + next lead) joins X */
	gr_py_policy policy;  /* eat: lead + '(' -> '?'; drop: lone lead vanishes */
	int fold;             /* fold fullwidth punctuation on raw bytes */
	char fold_set[8];     /* ASCII targets folded, from ",:;!?()" */
	int fold_after;       /* fold after the insertion (default: before) */
	int plus_space;       /* '+' became ' ' (URL-decoding accident) */
	char xset[1024];      /* explicit X as UTF-8 characters (overrides random) */
} gr_layer;

typedef struct {
	int nlayers;                  /* 1..GR_MAX_LAYERS, applied in order */
	gr_layer layer[GR_MAX_LAYERS];
	double partial;               /* 0: whole text; else fraction of lines garbled */
	gr_pmode pmode;               /* lines: whole lines; span: a random sub-span of each chosen line */
	int bom;                      /* the original starts with a UTF-8 BOM (Notepad) */
	int crlf;                     /* the original has CRLF line ends (Windows) */
	uint64_t seed;                /* drives every random choice of gr_garble */
} gr_params;

typedef enum {
	GR_EXPECT_REPAIR = 0,   /* repair should give res.ref exactly */
	GR_EXPECT_UNRECOVERABLE,/* should be detected and reported (口字码, 锟拷码) */
	GR_EXPECT_LEGACY        /* legacy charset: status legacy; to_utf8 gives res.ref */
} gr_expect;

typedef enum {
	GR_OK = 0,
	GR_ENOMEM,
	GR_EARG,      /* bad parameters (message in res.note / err) */
	GR_ENA,       /* channel not applicable to this text (reason in res.note) */
	GR_EICONV     /* iconv cannot open a codec */
} gr_rc;

typedef struct {
	char *out;        /* garbled bytes (malloc'd, NUL-terminated for convenience) */
	size_t outlen;
	char *ref;        /* what a perfect repair returns (malloc'd): the input
	                     (with the BOM / CRLF asked for), less what the round
	                     trip destroys for sure (characters the legacy charset
	                     lacks -> '?', folded punctuation, '+' -> ' ') */
	size_t reflen;
	gr_expect expect;
	int changed;      /* out differs from the input */
	char desc[1400];  /* gr_describe of the parameters used, with seed */
	char note[200];
} gr_result;

void gr_params_init(gr_params *p, gr_channel ch);
void gr_layer_init(gr_layer *l, gr_channel ch);
gr_rc gr_garble(const gr_params *p, const char *in, size_t len, gr_result *res);
void gr_result_free(gr_result *res);

/* Description <-> parameters.  gr_describe returns the length written (the
 * text is truncated to n-1 bytes if longer). */
size_t gr_describe(const gr_params *p, char *buf, size_t n);
gr_rc gr_parse(const char *desc, gr_params *p, char *err, size_t errlen);
/* A random realistic variant (channel, decoder, policies, layers, partial). */
void gr_random_params(gr_params *p, uint64_t seed);

const char *gr_channel_name(gr_channel ch);
int gr_channel_from_name(const char *name);      /* -1 if unknown */
const char *gr_decoder_name(gr_decoder d);
int gr_decoder_from_name(const char *name);      /* -1 if unknown */
const char *gr_repl_name(gr_repl r);
const char *gr_decoder_about(gr_decoder d);
const char *gr_channel_about(gr_channel ch);

/* Preset variants: the cases the evaluation runs by default. */
extern const char *const gr_variants[];
extern const size_t gr_nvariants;

/* ---- building blocks (exposed for tests) ----
 * All output is malloc'd into *out (NUL-terminated, length in *outlen). */
/* bytes -> UTF-8 through a GBK-family decoder with a replacement policy */
gr_rc gr_decode_gbk(gr_decoder d, gr_repl repl, int consume,
                    const char *in, size_t len, char **out, size_t *outlen);
/* bytes -> UTF-8, single-byte: cp1252 = 0 (Latin-1) or 1 (CP1252) */
gr_rc gr_decode_sbcs(int cp1252, gr_repl holes,
                     const char *in, size_t len, char **out, size_t *outlen);
/* bytes -> UTF-8 as UTF-8, invalid sequences replaced */
gr_rc gr_decode_utf8(gr_repl repl, int consume,
                     const char *in, size_t len, char **out, size_t *outlen);
/* UTF-8 -> charset (iconv name); characters it lacks become '?' when
 * qmark, else the call fails with GR_ENA. */
gr_rc gr_encode(const char *charset, int qmark,
                const char *in, size_t len, char **out, size_t *outlen);
/* First Mandarin reading (UTF-8, tone marks) of a code point, or NULL. */
const char *gr_pinyin_first(uint32_t cp);

#endif
