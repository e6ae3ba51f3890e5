/*
 * garble.c: the garbling generator (see garble.h).
 * SPDX-License-Identifier: MIT
 */
#include "garble.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinyin.h"   /* tables/pinyin.h: mf_py_cp, mf_py_first, mf_py_read, ... */

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64 */

void gr_rng_seed(gr_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t gr_rng_next(gr_rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

uint64_t gr_rng_below(gr_rng *r, uint64_t n)
{
	if (n <= 1)
		return 0;
	/* rejection sampling: no modulo bias */
	uint64_t lim = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;
	do
		x = gr_rng_next(r);
	while (x >= lim);
	return x % n;
}

double gr_rng_unit(gr_rng *r)
{
	return (double)(gr_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* ------------------------------------------------------------------ */
/* growable byte buffer */

typedef struct {
	char *p;
	size_t n, cap;
	int oom;
} gbuf;

static void gb_reserve(gbuf *b, size_t extra)
{
	if (b->oom)
		return;
	if (b->n + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->n + extra + 1)
		cap *= 2;
	char *q = realloc(b->p, cap);
	if (!q) {
		b->oom = 1;
		return;
	}
	b->p = q;
	b->cap = cap;
}

static void gb_put(gbuf *b, const void *d, size_t len)
{
	gb_reserve(b, len);
	if (b->oom)
		return;
	if (len)
		memcpy(b->p + b->n, d, len);
	b->n += len;
	b->p[b->n] = 0;
}

static void gb_putc(gbuf *b, int c)
{
	unsigned char ch = (unsigned char)c;
	gb_put(b, &ch, 1);
}

static void gb_puts(gbuf *b, const char *s)
{
	gb_put(b, s, strlen(s));
}

static void gb_put_utf8(gbuf *b, uint32_t cp)
{
	unsigned char s[4];
	size_t n;
	if (cp < 0x80) {
		s[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (unsigned char)(0xC0 | (cp >> 6));
		s[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (unsigned char)(0xE0 | (cp >> 12));
		s[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		s[0] = (unsigned char)(0xF0 | (cp >> 18));
		s[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		s[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		s[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	gb_put(b, s, n);
}

static void gb_free(gbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

/* hand the buffer over as a NUL-terminated malloc'd string */
static gr_rc gb_take(gbuf *b, char **out, size_t *outlen)
{
	gb_reserve(b, 0);
	if (b->oom) {
		gb_free(b);
		return GR_ENOMEM;
	}
	b->p[b->n] = 0;
	*out = b->p;
	if (outlen)
		*outlen = b->n;
	b->p = NULL;
	b->n = b->cap = 0;
	return GR_OK;
}

/* ------------------------------------------------------------------ */
/* UTF-8 helpers */

/* Length of the maximal subpart of an ill-formed sequence at s (Unicode
 * 3.9, table 3-7), or of the well-formed sequence; at least 1. */
static size_t utf8_subpart(const unsigned char *s, size_t n)
{
	unsigned char b = s[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF;
	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF)
		need = 1;
	else if (b >= 0xE0 && b <= 0xEF) {
		need = 2;
		if (b == 0xE0)
			lo = 0xA0;
		else if (b == 0xED)
			hi = 0x9F;
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 3;
		if (b == 0xF0)
			lo = 0x90;
		else if (b == 0xF4)
			hi = 0x8F;
	} else
		return 1;
	size_t i = 1;
	for (; i <= need && i < n; i++) {
		unsigned char c = s[i];
		unsigned char l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
		if (c < l || c > h)
			break;
	}
	return i;
}

/* Decode one strict UTF-8 character; returns its length, or 0 if invalid. */
static size_t utf8_get(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t k = utf8_subpart(s, n);
	unsigned char b = s[0];
	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	size_t need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
	if (k != need || b < 0xC2 || b > 0xF4)
		return 0;
	uint32_t c = b & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
	for (size_t i = 1; i < need; i++)
		c = (c << 6) | (s[i] & 0x3F);
	*cp = c;
	return need;
}

/* length of the character at s for scanning clean input (1 if invalid) */
static size_t utf8_step(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t k = utf8_get(s, n, &cp);
	return k ? k : 1;
}

/* ------------------------------------------------------------------ */
/* iconv plumbing */

typedef struct {
	char key[64];
	iconv_t cd;
} cd_slot;

static cd_slot cd_cache[24];

static iconv_t get_cd(const char *to, const char *from)
{
	char key[64];
	snprintf(key, sizeof key, "%s<%s", to, from);
	for (size_t i = 0; i < sizeof cd_cache / sizeof cd_cache[0]; i++) {
		if (cd_cache[i].key[0] && strcmp(cd_cache[i].key, key) == 0)
			return cd_cache[i].cd;
		if (!cd_cache[i].key[0]) {
			iconv_t cd = iconv_open(to, from);
			if (cd == (iconv_t)-1)
				return cd;
			snprintf(cd_cache[i].key, sizeof cd_cache[i].key, "%s", key);
			cd_cache[i].cd = cd;
			return cd;
		}
	}
	return (iconv_t)-1;
}

/* Convert exactly one character at in[0..len) with a decoder to UCS-4LE:
 * returns the bytes it used (>0) and sets *cp, or 0 when glibc stops there
 * (EILSEQ: invalid or unmapped; EINVAL: incomplete at the end). */
static size_t tok(iconv_t cd, const unsigned char *in, size_t len, uint32_t *cp)
{
	unsigned char ob[4];
	char *ip = (char *)in, *op = (char *)ob;
	size_t il = len, ol = sizeof ob;
	iconv(cd, NULL, NULL, NULL, NULL);
	iconv(cd, &ip, &il, &op, &ol);
	if (ol != 0)
		return 0;
	*cp = (uint32_t)ob[0] | (uint32_t)ob[1] << 8 | (uint32_t)ob[2] << 16 |
	      (uint32_t)ob[3] << 24;
	return len - il;
}

/* //IGNORE conversion of a window: output bytes into ob, returns their
 * count; *left gets the input bytes it did not consume */
static size_t ign_run(iconv_t cd, const unsigned char *in, size_t len,
                      char *ob, size_t obn, size_t *left)
{
	char *ip = (char *)in, *op = ob;
	size_t il = len, ol = obn;
	iconv(cd, NULL, NULL, NULL, NULL);
	iconv(cd, &ip, &il, &op, &ol);
	*left = il;
	return obn - ol;
}

/* How many bytes glibc's own `iconv -c` (//IGNORE) skips for the error at
 * in[0]: the smallest j such that converting in[0..W) with //IGNORE gives
 * what converting in[j..W) gives (glibc resumes right after what it
 * skipped).  Checked against iconv -c on random bytes. */
static size_t glibc_skip(const char *charset, const unsigned char *in, size_t len)
{
	iconv_t cd = get_cd("UTF-8//IGNORE", charset);
	if (cd == (iconv_t)-1)
		return 1;
	size_t w = len < 12 ? len : 12;
	char full[128], part[128];
	size_t lf, lp;
	size_t nf = ign_run(cd, in, w, full, sizeof full, &lf);
	/* an incomplete sequence at the very end: iconv -c loses all of it */
	if (w == len && nf == 0 && lf == w)
		return w;
	for (size_t j = 1; j < w; j++) {
		size_t np = ign_run(cd, in + j, w - j, part, sizeof part, &lp);
		if (np == nf && lp == lf && memcmp(full, part, nf) == 0)
			return j;
	}
	return w ? w - lf : 1;
}

/* ------------------------------------------------------------------ */
/* GBK-family decoders */

static const char *const dec_names[GR_DEC_COUNT] = {
	"gbk", "gb18030", "cp936", "python-gbk", "python-gb18030", "whatwg", "icu"
};

static const char *const dec_about[GR_DEC_COUNT] = {
	"glibc iconv GBK (CP936 alias; 0x80=EUR; user-defined areas unmapped); "
	"native: dropped as iconv -c (1 byte for a bad trail, 2 for an unmapped pair)",
	"glibc iconv GB18030 (all two-byte codes mapped, user areas to PUA; 4-byte "
	"forms); native: dropped as iconv -c",
	"Windows CP936 (MultiByteToWideChar): GBK table, the other 2149 two-byte "
	"codes to PUA (GB18030-2000), 0xFF=U+F8F5; an invalid lead and the byte "
	"after it become one '?'",
	"Python codec gbk: GBK table, 0x80 invalid; errors='replace' gives one "
	"U+FFFD per byte",
	"Python codec gb18030 (25 codes still in PUA); one U+FFFD per byte",
	"WHATWG gb18030 decoder (browsers, label gbk): 0x80=EUR, an ASCII trail "
	"byte is not swallowed; U+FFFD",
	"ICU windows-936 as in Node.js TextDecoder('gbk'): CP936 table, U+FFFD, "
	"a lead before a bad trail byte is one error and the trail is read again",
};

const char *gr_decoder_name(gr_decoder d)
{
	return (unsigned)d < GR_DEC_COUNT ? dec_names[d] : "?";
}

const char *gr_decoder_about(gr_decoder d)
{
	return (unsigned)d < GR_DEC_COUNT ? dec_about[d] : "?";
}

int gr_decoder_from_name(const char *name)
{
	for (int i = 0; i < GR_DEC_COUNT; i++)
		if (strcmp(name, dec_names[i]) == 0)
			return i;
	if (strcmp(name, "windows") == 0)
		return GR_DEC_CP936;
	if (strcmp(name, "browser") == 0)
		return GR_DEC_WHATWG;
	if (strcmp(name, "node") == 0 || strcmp(name, "windows-936") == 0)
		return GR_DEC_ICU;
	return -1;
}

static gr_repl dec_native_repl(gr_decoder d)
{
	switch (d) {
	case GR_DEC_GBK:
	case GR_DEC_GB18030:
		return GR_REPL_DROP;
	case GR_DEC_CP936:
		return GR_REPL_QMARK;
	default:
		return GR_REPL_FFFD;
	}
}

/* Python's gb18030 codec keeps these two-byte codes in the PUA where glibc
 * (GB18030-2005/2022) maps them to real characters. */
static const uint16_t py18030_pua[][2] = {
	{0xA6D9, 0xE78D}, {0xA6DA, 0xE78E}, {0xA6DB, 0xE78F}, {0xA6DC, 0xE790},
	{0xA6DD, 0xE791}, {0xA6DE, 0xE792}, {0xA6DF, 0xE793}, {0xA6EC, 0xE794},
	{0xA6ED, 0xE795}, {0xA6F3, 0xE796}, {0xA8BC, 0xE7C7}, {0xFE51, 0xE816},
	{0xFE52, 0xE817}, {0xFE53, 0xE818}, {0xFE59, 0xE81E}, {0xFE61, 0xE826},
	{0xFE66, 0xE82B}, {0xFE67, 0xE82C}, {0xFE6C, 0xE831}, {0xFE6D, 0xE832},
	{0xFE76, 0xE83B}, {0xFE7E, 0xE843}, {0xFE90, 0xE854}, {0xFE91, 0xE855},
	{0xFEA0, 0xE864},
};

/* The three user-defined areas of GBK, which Windows maps to the PUA
 * exactly as GB18030 does: AAA1-AFFE, F8A1-FEFE, A140-A7A0. */
static int gbk_uda(unsigned a, unsigned b)
{
	if (a >= 0xAA && a <= 0xAF && b >= 0xA1 && b <= 0xFE)
		return 1;
	if (a >= 0xF8 && a <= 0xFE && b >= 0xA1 && b <= 0xFE)
		return 1;
	if (a >= 0xA1 && a <= 0xA7 && b >= 0x40 && b <= 0xA0 && b != 0x7F)
		return 1;
	return 0;
}

/* Microsoft's CP936 (and ICU's windows-936) maps the 255 two-byte codes
 * that are neither GBK nor user-defined to U+E766.. in code order (the
 * GB18030-2000 assignment; later GB18030 editions moved some of them). */
static uint16_t cp936_rest[256];
static size_t ncp936_rest;

static int cp936_rest_init(iconv_t gbk)
{
	if (ncp936_rest)
		return 0;
	for (unsigned a = 0x81; a <= 0xFE; a++)
		for (unsigned b = 0x40; b <= 0xFE; b++) {
			unsigned char pr[2] = {(unsigned char)a, (unsigned char)b};
			uint32_t cp;
			if (b == 0x7F || gbk_uda(a, b) || tok(gbk, pr, 2, &cp) == 2)
				continue;
			if (ncp936_rest == sizeof cp936_rest / sizeof cp936_rest[0])
				return -1;
			cp936_rest[ncp936_rest++] = (uint16_t)(a << 8 | b);
		}
	return ncp936_rest == 255 ? 0 : -1;
}

static uint32_t cp936_rest_lookup(unsigned a, unsigned b)
{
	unsigned code = a << 8 | b;
	size_t lo = 0, hi = ncp936_rest;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp936_rest[mid] == code)
			return 0xE766 + (uint32_t)mid;
		if (cp936_rest[mid] < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int in_range(unsigned c, unsigned lo, unsigned hi)
{
	return c >= lo && c <= hi;
}

/* bytes one error at in[p] swallows */
static size_t err_len(gr_decoder d, int consume, const unsigned char *in,
                      size_t len, size_t p, int protect_nul)
{
	size_t rest = len - p, k = 1;
	unsigned b = in[p];
	int lead = in_range(b, 0x81, 0xFE);
	if (consume == GR_CONSUME_1)
		k = 1;
	else if (consume == GR_CONSUME_2)
		k = lead && rest >= 2 ? 2 : 1;
	else {
		switch (d) {
		case GR_DEC_GBK:
			k = glibc_skip("GBK", in + p, rest);
			break;
		case GR_DEC_GB18030:
			k = glibc_skip("GB18030", in + p, rest);
			break;
		case GR_DEC_CP936:
			k = lead && rest >= 2 ? 2 : 1;
			break;
		case GR_DEC_ICU:
			k = 1;
			break;
		case GR_DEC_PY_GBK:
			k = 1;
			break;
		case GR_DEC_PY_GB18030:
			/* a possible four-byte form cut by the end: one error to the end */
			k = lead && rest >= 2 && rest < 4 && in_range(in[p + 1], 0x30, 0x39)
			            ? rest : 1;
			break;
		case GR_DEC_WHATWG:
			if (!lead || rest < 2)
				k = 1;
			else if (in_range(in[p + 1], 0x30, 0x39)) {
				/* four-byte form: a bad third or fourth byte is pushed
				 * back; only an unmapped complete form is swallowed */
				if (rest >= 4 && in_range(in[p + 2], 0x81, 0xFE) &&
				    in_range(in[p + 3], 0x30, 0x39))
					k = 4;
				else
					k = 1;
			} else
				k = in[p + 1] < 0x80 ? 1 : 2;
			break;
		default:
			k = 1;
		}
	}
	if (k > rest)
		k = rest;
	if (k < 1)
		k = 1;
	/* a NUL is a placeholder of the pinyin channel: never swallowed */
	for (size_t i = 1; protect_nul && i < k; i++)
		if (in[p + i] == 0) {
			k = i;
			break;
		}
	return k;
}

static void put_repl(gbuf *o, gr_repl r)
{
	if (r == GR_REPL_QMARK)
		gb_putc(o, '?');
	else if (r == GR_REPL_FFFD)
		gb_put_utf8(o, 0xFFFD);
}

static gr_rc decode_gbk_ex(gr_decoder d, gr_repl repl, int consume, int protect_nul,
                           const char *in_, size_t len, char **out, size_t *outlen)
{
	const unsigned char *in = (const unsigned char *)in_;
	if ((unsigned)d >= GR_DEC_COUNT)
		return GR_EARG;
	int ms = d == GR_DEC_CP936 || d == GR_DEC_ICU;   /* Microsoft table */
	const char *cs = (d == GR_DEC_GBK || ms || d == GR_DEC_PY_GBK) ? "GBK" : "GB18030";
	iconv_t cd = get_cd("UCS-4LE", cs);
	iconv_t cd18 = get_cd("UCS-4LE", "GB18030");
	if (cd == (iconv_t)-1 || cd18 == (iconv_t)-1)
		return GR_EICONV;
	if (ms && cp936_rest_init(cd) != 0)
		return GR_EICONV;
	if (repl == GR_REPL_NATIVE || repl == GR_REPL_C1)
		repl = dec_native_repl(d);
	gbuf o = {0};
	size_t p = 0;
	while (p < len) {
		unsigned b = in[p];
		uint32_t cp;
		if (b < 0x80) {
			gb_putc(&o, (int)b);
			p++;
			continue;
		}
		if (b == 0x80) {
			/* glibc GBK, Windows and WHATWG: euro sign; Python and
			 * glibc GB18030: invalid */
			if (d == GR_DEC_GBK || ms || d == GR_DEC_WHATWG) {
				gb_put_utf8(&o, 0x20AC);
				p++;
				continue;
			}
		} else if (d == GR_DEC_PY_GB18030 && p + 1 < len) {
			unsigned code = b << 8 | in[p + 1];
			int hit = 0;
			for (size_t i = 0; i < sizeof py18030_pua / sizeof py18030_pua[0]; i++)
				if (py18030_pua[i][0] == code) {
					gb_put_utf8(&o, py18030_pua[i][1]);
					hit = 1;
					break;
				}
			if (hit) {
				p += 2;
				continue;
			}
		}
		if (b == 0xFF && ms) {
			gb_put_utf8(&o, 0xF8F5);   /* Microsoft best fit */
			p++;
			continue;
		}
		if (b != 0x80) {
			size_t k = tok(cd, in + p, len - p, &cp);
			if (k) {
				gb_put_utf8(&o, cp);
				p += k;
				continue;
			}
			if (ms && p + 1 < len) {
				unsigned t = in[p + 1];
				uint32_t pua = 0;
				if (gbk_uda(b, t) && tok(cd18, in + p, 2, &cp) == 2)
					pua = cp;
				else if (b >= 0x81 && b <= 0xFE && t >= 0x40 && t <= 0xFE && t != 0x7F)
					pua = cp936_rest_lookup(b, t);
				if (pua) {
					gb_put_utf8(&o, pua);
					p += 2;
					continue;
				}
			}
		}
		size_t k = err_len(d, consume, in, len, p, protect_nul);
		put_repl(&o, repl);
		p += k;
	}
	return gb_take(&o, out, outlen);
}

gr_rc gr_decode_gbk(gr_decoder d, gr_repl repl, int consume,
                    const char *in, size_t len, char **out, size_t *outlen)
{
	return decode_gbk_ex(d, repl, consume, 0, in, len, out, outlen);
}

gr_rc gr_decode_sbcs(int cp1252, gr_repl holes, const char *in_, size_t len,
                     char **out, size_t *outlen)
{
	const unsigned char *in = (const unsigned char *)in_;
	iconv_t cd = get_cd("UCS-4LE", cp1252 ? "CP1252" : "ISO-8859-1");
	if (cd == (iconv_t)-1)
		return GR_EICONV;
	if (holes == GR_REPL_NATIVE)
		holes = GR_REPL_C1;
	gbuf o = {0};
	for (size_t p = 0; p < len; p++) {
		uint32_t cp;
		if (in[p] < 0x80) {
			gb_putc(&o, in[p]);
			continue;
		}
		if (tok(cd, in + p, 1, &cp) == 1) {
			gb_put_utf8(&o, cp);
			continue;
		}
		/* glibc CP1252 leaves 81 8D 8F 90 9D undefined */
		if (holes == GR_REPL_C1)
			gb_put_utf8(&o, in[p]);
		else
			put_repl(&o, holes);
	}
	return gb_take(&o, out, outlen);
}

gr_rc gr_decode_utf8(gr_repl repl, int consume, const char *in_, size_t len,
                     char **out, size_t *outlen)
{
	/* Strict UTF-8 as Unicode defines it (Python, WHATWG, Java): not glibc's
	 * decoder, which still accepts 5- and 6-byte forms (F9 B1 BE BF BF ->
	 * U+1C7EFFF), something no real reader of GBK-as-UTF-8 text does. */
	const unsigned char *in = (const unsigned char *)in_;
	if (repl == GR_REPL_NATIVE || repl == GR_REPL_C1)
		repl = GR_REPL_FFFD;
	gbuf o = {0};
	size_t p = 0;
	while (p < len) {
		uint32_t cp;
		size_t k = utf8_get(in + p, len - p, &cp);
		if (k) {
			gb_put(&o, in + p, k);
			p += k;
			continue;
		}
		k = consume == GR_CONSUME_NATIVE ? utf8_subpart(in + p, len - p) : 1;
		put_repl(&o, repl);
		p += k;
	}
	return gb_take(&o, out, outlen);
}

/* ------------------------------------------------------------------ */
/* encoding */

enum { ENC_QMARK, ENC_FAIL, ENC_PLACEHOLDER };

/* UTF-8 -> charset.  A character the charset lacks becomes '?'
 * (ENC_QMARK), fails the call (ENC_FAIL), or becomes a NUL byte whose
 * original bytes are appended to *side (ENC_PLACEHOLDER). */
static gr_rc encode_ex(const char *charset, int mode, const char *in, size_t len,
                       gbuf *o, gbuf *side)
{
	iconv_t cd = get_cd(charset, "UTF-8");
	if (cd == (iconv_t)-1)
		return GR_EICONV;
	iconv(cd, NULL, NULL, NULL, NULL);
	char *ip = (char *)in;
	size_t il = len;
	while (il > 0) {
		gb_reserve(o, il * 2 + 16);
		if (o->oom)
			return GR_ENOMEM;
		char *op = o->p + o->n;
		size_t ol = o->cap - o->n - 1;
		size_t r = iconv(cd, &ip, &il, &op, &ol);
		o->n = (size_t)(op - o->p);
		o->p[o->n] = 0;
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		/* EILSEQ (not encodable or invalid UTF-8) or EINVAL (truncated) */
		size_t k = utf8_step((const unsigned char *)ip, il);
		if (mode == ENC_FAIL)
			return GR_ENA;
		if (mode == ENC_QMARK)
			gb_putc(o, '?');
		else {
			gb_putc(o, 0);
			gb_put(side, ip, k);
			gb_putc(side, 0);
		}
		ip += k;
		il -= k;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	/* flush the shift state (none for these charsets, but be correct) */
	gb_reserve(o, 16);
	if (o->oom)
		return GR_ENOMEM;
	char *op = o->p + o->n;
	size_t ol = o->cap - o->n - 1;
	iconv(cd, NULL, NULL, &op, &ol);
	o->n = (size_t)(op - o->p);
	o->p[o->n] = 0;
	return GR_OK;
}

gr_rc gr_encode(const char *charset, int qmark, const char *in, size_t len,
                char **out, size_t *outlen)
{
	gbuf o = {0};
	gr_rc rc = encode_ex(charset, qmark ? ENC_QMARK : ENC_FAIL, in, len, &o, NULL);
	if (rc != GR_OK) {
		gb_free(&o);
		return rc;
	}
	return gb_take(&o, out, outlen);
}

/* can the character at s be encoded in charset? */
static int encodable(const char *charset, const char *s, size_t k)
{
	iconv_t cd = get_cd(charset, "UTF-8");
	if (cd == (iconv_t)-1)
		return 0;
	char ob[16];
	char *ip = (char *)s, *op = ob;
	size_t il = k, ol = sizeof ob;
	iconv(cd, NULL, NULL, NULL, NULL);
	return iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && il == 0;
}

static const char *enc_charset(gr_encoder e)
{
	return e == GR_ENC_GB18030 ? "GB18030" : "GBK";
}

static const char *const leg_names[GR_LEG_COUNT] = {
	"gbk", "gb18030", "big5", "cp950", "sjis", "cp932", "euc-kr"
};
static const char *const leg_charsets[GR_LEG_COUNT] = {
	"GBK", "GB18030", "BIG5", "CP950", "SHIFT_JIS", "CP932", "EUC-KR"
};

/* ------------------------------------------------------------------ */
/* pinyin readings (tables/pinyin.h) */

const char *gr_pinyin_first(uint32_t cp)
{
	size_t lo = 0, hi = MF_PY_NCHARS;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t c = (uint32_t)mf_py_cp[mid];
		if (c == cp) {
			size_t r = (size_t)mf_py_first[mid];
			if (r >= (size_t)mf_py_first[mid + 1])
				return NULL;
			size_t syl = (size_t)mf_py_read[r];
			if (syl >= MF_PY_NSYL)
				return NULL;
			return mf_py_syl_pool + mf_py_syl_off[syl];
		}
		if (c < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* names */

static const char *const ch_names[GR_CH_COUNT] = {
	"utf8-as-gbk", "utf8-as-latin1", "utf8-as-cp1252", "gbk-as-latin1",
	"gbk-as-cp1252", "gbk-as-utf8", "kunkao", "gbk-island", "legacy", "pinyin"
};

static const char *const ch_about[GR_CH_COUNT] = {
	"古文码: UTF-8 bytes decoded by a GBK-family decoder, saved as UTF-8",
	"符号码: UTF-8 bytes decoded as ISO-8859-1, saved as UTF-8",
	"符号码: UTF-8 bytes decoded as Windows-1252, saved as UTF-8",
	"拼音码: text encoded GBK ('?' for what GBK lacks), decoded as ISO-8859-1",
	"拼音码: text encoded GBK ('?' for what GBK lacks), decoded as Windows-1252",
	"口字码: text encoded GBK, decoded as UTF-8 with replacement (unrecoverable)",
	"锟拷码: 口字码 saved as UTF-8 and decoded as GBK (unrecoverable)",
	"some lines left as raw GBK bytes inside UTF-8 (invalid UTF-8)",
	"whole text converted to a legacy charset (skipped if not encodable)",
	"seed family: GBK bytes with (pinyin) inserted by byte-level replace, "
	"punctuation folded, decoded as GBK",
};

const char *gr_channel_name(gr_channel ch)
{
	return (unsigned)ch < GR_CH_COUNT ? ch_names[ch] : "?";
}

const char *gr_channel_about(gr_channel ch)
{
	return (unsigned)ch < GR_CH_COUNT ? ch_about[ch] : "?";
}

int gr_channel_from_name(const char *name)
{
	for (int i = 0; i < GR_CH_COUNT; i++)
		if (strcmp(name, ch_names[i]) == 0)
			return i;
	if (strcmp(name, "pinyin-insert") == 0)
		return GR_CH_PINYIN;
	return -1;
}

const char *gr_repl_name(gr_repl r)
{
	switch (r) {
	case GR_REPL_NATIVE: return "native";
	case GR_REPL_QMARK: return "?";
	case GR_REPL_FFFD: return "fffd";
	case GR_REPL_DROP: return "drop";
	case GR_REPL_C1: return "c1";
	}
	return "?";
}

static int repl_from_name(const char *s)
{
	if (!strcmp(s, "native")) return GR_REPL_NATIVE;
	if (!strcmp(s, "?") || !strcmp(s, "qmark")) return GR_REPL_QMARK;
	if (!strcmp(s, "fffd") || !strcmp(s, "FFFD") || !strcmp(s, "U+FFFD")) return GR_REPL_FFFD;
	if (!strcmp(s, "drop") || !strcmp(s, "ignore")) return GR_REPL_DROP;
	if (!strcmp(s, "c1")) return GR_REPL_C1;
	return -1;
}

static const char *consume_name(int c)
{
	return c == 1 ? "1" : c == 2 ? "2" : "native";
}

/* ------------------------------------------------------------------ */
/* parameters */

void gr_layer_init(gr_layer *l, gr_channel ch)
{
	memset(l, 0, sizeof *l);
	l->ch = ch;
	l->dec = GR_DEC_GBK;
	l->repl = GR_REPL_NATIVE;
	l->consume = GR_CONSUME_NATIVE;
	l->holes = GR_REPL_NATIVE;
	l->urepl = GR_REPL_NATIVE;
	l->uconsume = GR_CONSUME_NATIVE;
	l->enc = GR_ENC_GBK;
	l->legacy = GR_LEG_GBK;
	l->island_frac = 0.3;
	l->set_size = 0;
	l->set_frac = 0.1;
	l->unaligned_frac = 0.02;
	l->policy = GR_PY_EAT;
	l->fold = 1;
	/* the seeds fold ，；？（） but keep ！ and ： (003 keeps unaligned A3 A1
	 * and A3 BA while folding an unaligned A3 BB) */
	snprintf(l->fold_set, sizeof l->fold_set, ",;?()");
	l->fold_after = 0;
	l->plus_space = 0;
}

void gr_params_init(gr_params *p, gr_channel ch)
{
	memset(p, 0, sizeof *p);
	p->nlayers = 1;
	gr_layer_init(&p->layer[0], ch);
	p->partial = 0;
	p->pmode = GR_PART_LINES;
	p->seed = 1;
}

static void fmt_double(char *b, size_t n, double v)
{
	snprintf(b, n, "%.4g", v);
}

static void describe_layer(const gr_layer *l, gbuf *o)
{
	char t[64];
	gb_puts(o, gr_channel_name(l->ch));
	switch (l->ch) {
	case GR_CH_UTF8_AS_GBK:
		gb_puts(o, " decoder=");
		gb_puts(o, gr_decoder_name(l->dec));
		gb_puts(o, " repl=");
		gb_puts(o, gr_repl_name(l->repl == GR_REPL_NATIVE ? dec_native_repl(l->dec) : l->repl));
		gb_puts(o, " consume=");
		gb_puts(o, consume_name(l->consume));
		break;
	case GR_CH_UTF8_AS_LATIN1:
		break;
	case GR_CH_UTF8_AS_CP1252:
		gb_puts(o, " holes=");
		gb_puts(o, gr_repl_name(l->holes == GR_REPL_NATIVE ? GR_REPL_C1 : l->holes));
		break;
	case GR_CH_GBK_AS_LATIN1:
		gb_puts(o, " enc=");
		gb_puts(o, l->enc == GR_ENC_GB18030 ? "gb18030" : "gbk");
		break;
	case GR_CH_GBK_AS_CP1252:
		gb_puts(o, " enc=");
		gb_puts(o, l->enc == GR_ENC_GB18030 ? "gb18030" : "gbk");
		gb_puts(o, " holes=");
		gb_puts(o, gr_repl_name(l->holes == GR_REPL_NATIVE ? GR_REPL_C1 : l->holes));
		break;
	case GR_CH_GBK_AS_UTF8:
		gb_puts(o, " enc=");
		gb_puts(o, l->enc == GR_ENC_GB18030 ? "gb18030" : "gbk");
		gb_puts(o, " urepl=");
		gb_puts(o, gr_repl_name(l->urepl == GR_REPL_NATIVE ? GR_REPL_FFFD : l->urepl));
		gb_puts(o, " uconsume=");
		gb_puts(o, l->uconsume == 1 ? "1" : "native");
		break;
	case GR_CH_KUNKAO:
		gb_puts(o, " enc=");
		gb_puts(o, l->enc == GR_ENC_GB18030 ? "gb18030" : "gbk");
		gb_puts(o, " decoder=");
		gb_puts(o, gr_decoder_name(l->dec));
		gb_puts(o, " repl=");
		gb_puts(o, gr_repl_name(l->repl == GR_REPL_NATIVE ? dec_native_repl(l->dec) : l->repl));
		gb_puts(o, " consume=");
		gb_puts(o, consume_name(l->consume));
		break;
	case GR_CH_GBK_ISLAND:
		gb_puts(o, " enc=");
		gb_puts(o, l->enc == GR_ENC_GB18030 ? "gb18030" : "gbk");
		fmt_double(t, sizeof t, l->island_frac);
		gb_puts(o, " frac=");
		gb_puts(o, t);
		break;
	case GR_CH_LEGACY:
		gb_puts(o, " charset=");
		gb_puts(o, (unsigned)l->legacy < GR_LEG_COUNT ? leg_names[l->legacy] : "?");
		break;
	case GR_CH_PINYIN:
		gb_puts(o, l->policy == GR_PY_DROP ? " policy=drop" : " policy=eat");
		if (l->xset[0]) {
			gb_puts(o, " set=");
			gb_puts(o, l->xset);
		} else if (l->set_size > 0) {
			snprintf(t, sizeof t, " size=%d", l->set_size);
			gb_puts(o, t);
		} else {
			fmt_double(t, sizeof t, l->set_frac);
			gb_puts(o, " frac=");
			gb_puts(o, t);
		}
		if (!l->xset[0]) {
			fmt_double(t, sizeof t, l->unaligned_frac);
			gb_puts(o, " ufrac=");
			gb_puts(o, t);
		}
		gb_puts(o, l->fold ? " fold=1" : " fold=0");
		if (l->fold) {
			gb_puts(o, " foldset=");
			gb_puts(o, l->fold_set);
			gb_puts(o, l->fold_after ? " foldafter=1" : " foldafter=0");
		}
		if (l->plus_space)
			gb_puts(o, " plus=1");
		break;
	default:
		break;
	}
}

size_t gr_describe(const gr_params *p, char *buf, size_t n)
{
	gbuf o = {0};
	char t[64];
	for (int i = 0; i < p->nlayers && i < GR_MAX_LAYERS; i++) {
		if (i)
			gb_puts(&o, " > ");
		describe_layer(&p->layer[i], &o);
	}
	if (p->partial > 0) {
		fmt_double(t, sizeof t, p->partial);
		gb_puts(&o, " partial=");
		gb_puts(&o, t);
		gb_puts(&o, p->pmode == GR_PART_SPAN ? " pmode=span" : " pmode=lines");
	}
	if (p->bom)
		gb_puts(&o, " bom=1");
	if (p->crlf)
		gb_puts(&o, " crlf=1");
	snprintf(t, sizeof t, " seed=%llu", (unsigned long long)p->seed);
	gb_puts(&o, t);
	size_t len = o.oom ? 0 : o.n;
	if (n) {
		size_t k = len < n - 1 ? len : n - 1;
		if (k)
			memcpy(buf, o.p, k);
		buf[k] = 0;
	}
	gb_free(&o);
	return len;
}

static int parse_double(const char *s, double *v)
{
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	if (errno || end == s || *end)
		return -1;
	*v = d;
	return 0;
}

static int parse_ll(const char *s, unsigned long long *v)
{
	char *end;
	errno = 0;
	unsigned long long d = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		return -1;
	*v = d;
	return 0;
}

static gr_rc perr(char *err, size_t errlen, const char *fmt, const char *a)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a);
	return GR_EARG;
}

/* one key=value of a layer (or a global key) */
static gr_rc parse_kv(gr_params *p, gr_layer *l, const char *k, const char *v,
                      char *err, size_t errlen)
{
	double d;
	unsigned long long u;
	int x;
	if (!strcmp(k, "decoder")) {
		if ((x = gr_decoder_from_name(v)) < 0)
			return perr(err, errlen, "unknown decoder '%s'", v);
		l->dec = (gr_decoder)x;
	} else if (!strcmp(k, "repl")) {
		if ((x = repl_from_name(v)) < 0)
			return perr(err, errlen, "unknown repl '%s'", v);
		l->repl = (gr_repl)x;
	} else if (!strcmp(k, "consume")) {
		if (!strcmp(v, "native"))
			l->consume = GR_CONSUME_NATIVE;
		else if (!strcmp(v, "1") || !strcmp(v, "2"))
			l->consume = v[0] - '0';
		else
			return perr(err, errlen, "bad consume '%s' (native, 1, 2)", v);
	} else if (!strcmp(k, "holes")) {
		if ((x = repl_from_name(v)) < 0)
			return perr(err, errlen, "unknown holes policy '%s'", v);
		l->holes = (gr_repl)x;
	} else if (!strcmp(k, "urepl")) {
		if ((x = repl_from_name(v)) < 0 || x == GR_REPL_C1)
			return perr(err, errlen, "bad urepl '%s'", v);
		l->urepl = (gr_repl)x;
	} else if (!strcmp(k, "uconsume")) {
		if (!strcmp(v, "native") || !strcmp(v, "subpart"))
			l->uconsume = GR_CONSUME_NATIVE;
		else if (!strcmp(v, "1"))
			l->uconsume = 1;
		else
			return perr(err, errlen, "bad uconsume '%s' (native, 1)", v);
	} else if (!strcmp(k, "enc")) {
		if (!strcmp(v, "gbk") || !strcmp(v, "cp936"))
			l->enc = GR_ENC_GBK;
		else if (!strcmp(v, "gb18030"))
			l->enc = GR_ENC_GB18030;
		else
			return perr(err, errlen, "bad enc '%s' (gbk, gb18030)", v);
	} else if (!strcmp(k, "charset")) {
		for (x = 0; x < GR_LEG_COUNT; x++)
			if (!strcmp(v, leg_names[x]))
				break;
		if (x == GR_LEG_COUNT)
			return perr(err, errlen, "unknown legacy charset '%s'", v);
		l->legacy = (gr_legacy)x;
	} else if (!strcmp(k, "frac")) {
		if (parse_double(v, &d) || d < 0 || d > 1)
			return perr(err, errlen, "bad frac '%s'", v);
		if (l->ch == GR_CH_GBK_ISLAND)
			l->island_frac = d;
		else
			l->set_frac = d;
	} else if (!strcmp(k, "size")) {
		if (parse_ll(v, &u) || u > 100000)
			return perr(err, errlen, "bad size '%s'", v);
		l->set_size = (int)u;
	} else if (!strcmp(k, "ufrac")) {
		if (parse_double(v, &d) || d < 0 || d > 1)
			return perr(err, errlen, "bad ufrac '%s'", v);
		l->unaligned_frac = d;
	} else if (!strcmp(k, "policy")) {
		if (!strcmp(v, "eat"))
			l->policy = GR_PY_EAT;
		else if (!strcmp(v, "drop"))
			l->policy = GR_PY_DROP;
		else
			return perr(err, errlen, "bad policy '%s' (eat, drop)", v);
	} else if (!strcmp(k, "fold")) {
		if (strcmp(v, "0") && strcmp(v, "1"))
			return perr(err, errlen, "bad fold '%s'", v);
		l->fold = v[0] == '1';
	} else if (!strcmp(k, "foldset")) {
		if (strlen(v) >= sizeof l->fold_set || strspn(v, ",:;!?()") != strlen(v))
			return perr(err, errlen, "bad foldset '%s' (subset of ,:;!?())", v);
		snprintf(l->fold_set, sizeof l->fold_set, "%s", v);
	} else if (!strcmp(k, "foldafter")) {
		l->fold_after = v[0] == '1';
	} else if (!strcmp(k, "plus")) {
		l->plus_space = v[0] == '1';
	} else if (!strcmp(k, "set")) {
		if (strlen(v) >= sizeof l->xset)
			return perr(err, errlen, "set too long: %s", v);
		snprintf(l->xset, sizeof l->xset, "%s", v);
	} else if (!strcmp(k, "partial")) {
		if (parse_double(v, &d) || d < 0 || d > 1)
			return perr(err, errlen, "bad partial '%s'", v);
		p->partial = d;
	} else if (!strcmp(k, "pmode")) {
		if (!strcmp(v, "lines"))
			p->pmode = GR_PART_LINES;
		else if (!strcmp(v, "span"))
			p->pmode = GR_PART_SPAN;
		else
			return perr(err, errlen, "bad pmode '%s' (lines, span)", v);
	} else if (!strcmp(k, "bom")) {
		p->bom = v[0] == '1';
	} else if (!strcmp(k, "crlf")) {
		p->crlf = v[0] == '1';
	} else if (!strcmp(k, "seed")) {
		if (parse_ll(v, &u))
			return perr(err, errlen, "bad seed '%s'", v);
		p->seed = u;
	} else
		return perr(err, errlen, "unknown key '%s'", k);
	return GR_OK;
}

gr_rc gr_parse(const char *desc, gr_params *p, char *err, size_t errlen)
{
	char *s = strdup(desc);
	if (!s)
		return GR_ENOMEM;
	gr_params_init(p, GR_CH_UTF8_AS_GBK);
	p->nlayers = 0;
	gr_rc rc = GR_OK;
	char *save = NULL;
	int expect_channel = 1;
	for (char *w = strtok_r(s, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		if (!strcmp(w, ">")) {
			if (expect_channel) {
				rc = perr(err, errlen, "%s", "empty layer before '>'");
				break;
			}
			expect_channel = 1;
			continue;
		}
		char *eq = strchr(w, '=');
		if (expect_channel && !eq) {
			int ch = gr_channel_from_name(w);
			if (ch < 0) {
				rc = perr(err, errlen, "unknown channel '%s'", w);
				break;
			}
			if (p->nlayers >= GR_MAX_LAYERS) {
				rc = perr(err, errlen, "%s", "too many layers (at most 3)");
				break;
			}
			gr_layer_init(&p->layer[p->nlayers++], (gr_channel)ch);
			expect_channel = 0;
			continue;
		}
		if (!eq) {
			rc = perr(err, errlen, "expected key=value, got '%s'", w);
			break;
		}
		*eq = 0;
		/* global keys may come first (before any channel) */
		gr_layer dummy;
		gr_layer *l = p->nlayers ? &p->layer[p->nlayers - 1] : &dummy;
		if (!p->nlayers)
			gr_layer_init(&dummy, GR_CH_UTF8_AS_GBK);
		rc = parse_kv(p, l, w, eq + 1, err, errlen);
		if (rc != GR_OK)
			break;
	}
	free(s);
	if (rc == GR_OK && p->nlayers == 0)
		rc = perr(err, errlen, "%s", "no channel named");
	if (rc == GR_OK && expect_channel)
		rc = perr(err, errlen, "%s", "dangling '>'");
	return rc;
}

/* ------------------------------------------------------------------ */
/* channels */

typedef struct {
	const gr_layer *l;
	gr_rng *rng;
	char *note;
	size_t notelen;
} ctx;

static gr_rc note(ctx *c, gr_rc rc, const char *msg)
{
	if (c->note && c->notelen && !c->note[0])
		snprintf(c->note, c->notelen, "%s", msg);
	return rc;
}

/* characters the encoder lacks -> '?' (what a perfect repair can give) */
static gr_rc ref_qmark(const char *charset, const char *in, size_t len, gbuf *o)
{
	const unsigned char *s = (const unsigned char *)in;
	for (size_t i = 0; i < len;) {
		size_t k = utf8_step(s + i, len - i);
		if (s[i] < 0x80 || encodable(charset, in + i, k))
			gb_put(o, in + i, k);
		else
			gb_putc(o, '?');
		i += k;
	}
	return o->oom ? GR_ENOMEM : GR_OK;
}

/* fold on raw GBK bytes: A3 xx -> xx - 0x80 for xx in the fold set */
static void fold_bytes(gbuf *b, const char *set)
{
	size_t j = 0;
	unsigned char *s = (unsigned char *)b->p;
	for (size_t i = 0; i < b->n;) {
		if (s[i] == 0xA3 && i + 1 < b->n && s[i + 1] >= 0xA1 &&
		    strchr(set, s[i + 1] - 0x80) && s[i + 1] - 0x80 != 0) {
			s[j++] = (unsigned char)(s[i + 1] - 0x80);
			i += 2;
		} else
			s[j++] = s[i++];
	}
	b->n = j;
	if (b->p)
		b->p[j] = 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int has_u32(const uint32_t *v, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/* GBK bytes of one code point (2 bytes) or 0 */
static int gbk_pair(uint32_t cp, unsigned char b[2])
{
	gbuf t = {0};
	gb_put_utf8(&t, cp);
	char *out = NULL;
	size_t n = 0;
	int ok = t.p && gr_encode("GBK", 0, t.p, t.n, &out, &n) == GR_OK && n == 2;
	if (ok) {
		b[0] = (unsigned char)out[0];
		b[1] = (unsigned char)out[1];
	}
	free(out);
	gb_free(&t);
	return ok;
}

static gr_rc ch_pinyin(ctx *c, const char *in, size_t len, gbuf *out)
{
	const gr_layer *l = c->l;
	gr_rc rc;
	if (memchr(in, 0, len))
		return note(c, GR_ENA, "pinyin: input contains NUL");
	gbuf text = {0}, b = {0}, side = {0}, ins = {0};
	uint32_t *pool = NULL, *upool = NULL, *x = NULL;
	char *dec = NULL;
	size_t np = 0, nup = 0, nx = 0, declen = 0;
	iconv_t cd = get_cd("UCS-4LE", "GBK");
	if (cd == (iconv_t)-1)
		return GR_EICONV;

	/* 1. '+' -> ' ' (URL decoding), then GBK; what GBK lacks stays as is */
	gb_put(&text, in, len);
	if (l->plus_space)
		for (size_t i = 0; i < text.n; i++)
			if (text.p[i] == '+')
				text.p[i] = ' ';
	if (text.oom) {
		rc = GR_ENOMEM;
		goto done;
	}
	rc = encode_ex("GBK", ENC_PLACEHOLDER, text.p ? text.p : "", text.n, &b, &side);
	if (rc != GR_OK)
		goto done;
	const unsigned char *s = (const unsigned char *)b.p;
	size_t n = b.n;

	/* 2. the annotated set X */
	if (l->xset[0]) {
		const unsigned char *xs = (const unsigned char *)l->xset;
		size_t xl = strlen(l->xset);
		x = malloc((xl + 1) * sizeof *x);
		if (!x) {
			rc = GR_ENOMEM;
			goto done;
		}
		for (size_t i = 0; i < xl;) {
			uint32_t cp;
			size_t k = utf8_get(xs + i, xl - i, &cp);
			if (!k) {
				rc = note(c, GR_EARG, "pinyin: set is not UTF-8");
				goto done;
			}
			if (cp > 0x7F && !has_u32(x, nx, cp))
				x[nx++] = cp;
			i += k;
		}
	} else {
		pool = malloc((n / 2 + 1) * sizeof *pool);
		upool = malloc((n / 2 + 1) * sizeof *upool);
		if (!pool || !upool) {
			rc = GR_ENOMEM;
			goto done;
		}
		/* aligned characters, in order of first appearance */
		for (size_t i = 0; i < n;) {
			if (s[i] < 0x80) {
				i++;
				continue;
			}
			uint32_t cp;
			if (i + 1 < n && tok(cd, s + i, 2, &cp) == 2 && gr_pinyin_first(cp) &&
			    !has_u32(pool, np, cp))
				pool[np++] = cp;
			i += 2;
		}
		/* byte pairs across a boundary: trail of one character + first
		 * byte of the next */
		for (size_t i = 0; i + 2 < n;) {
			if (s[i] < 0x80) {
				i++;
				continue;
			}
			uint32_t cp;
			if (s[i + 2] != 0 && tok(cd, s + i + 1, 2, &cp) == 2 &&
			    gr_pinyin_first(cp) && !has_u32(pool, np, cp) &&
			    !has_u32(upool, nup, cp))
				upool[nup++] = cp;
			i += 2;
		}
		if (np == 0) {
			rc = note(c, GR_ENA, "pinyin: no character with a reading");
			goto done;
		}
		size_t k = l->set_size > 0 ? (size_t)l->set_size
		                           : (size_t)llround(l->set_frac * (double)np);
		if (k < 1)
			k = 1;
		if (k > np)
			k = np;
		x = malloc((k + nup + 1) * sizeof *x);
		if (!x) {
			rc = GR_ENOMEM;
			goto done;
		}
		for (size_t i = 0; i < k; i++) {  /* partial Fisher-Yates */
			size_t j = i + (size_t)gr_rng_below(c->rng, np - i);
			uint32_t t = pool[i];
			pool[i] = pool[j];
			pool[j] = t;
			x[nx++] = pool[i];
		}
		for (size_t i = 0; i < nup; i++)
			if (gr_rng_unit(c->rng) < l->unaligned_frac)
				x[nx++] = upool[i];
	}
	/* the replace runs once per character of X, in code point order (the
	 * seeds need 報 replaced before 請: 日報 = C8 D5 88 F3, 請 = D5 88) */
	qsort(x, nx, sizeof *x, cmp_u32);

	/* 3. fold before the insertion (default) */
	if (l->fold && !l->fold_after)
		fold_bytes(&b, l->fold_set);

	/* 4. byte-level search and replace, one character of X at a time,
	 * non-overlapping, left to right, blind to character boundaries */
	for (size_t xi = 0; xi < nx; xi++) {
		unsigned char xb[2];
		const char *py = gr_pinyin_first(x[xi]);
		char *pyg = NULL;
		size_t pyn = 0;
		if (!py || !gbk_pair(x[xi], xb))
			continue;
		if (gr_encode("GBK", 0, py, strlen(py), &pyg, &pyn) != GR_OK) {
			free(pyg);
			continue;
		}
		ins.n = 0;
		const unsigned char *t = (const unsigned char *)b.p;
		for (size_t i = 0; i < b.n;) {
			if (i + 1 < b.n && t[i] == xb[0] && t[i + 1] == xb[1]) {
				gb_put(&ins, xb, 2);
				gb_putc(&ins, '(');
				gb_put(&ins, pyg, pyn);
				gb_putc(&ins, ')');
				i += 2;
			} else
				gb_putc(&ins, t[i++]);
		}
		free(pyg);
		gbuf tmp = b;
		b = ins;
		ins = tmp;
		if (b.oom) {
			rc = GR_ENOMEM;
			goto done;
		}
	}

	/* 5. fold after the insertion (if asked) */
	if (l->fold && l->fold_after)
		fold_bytes(&b, l->fold_set);

	/* 6. decode as GBK: eat = Windows CP936 ('?' for the lead and the
	 * byte after it), drop = iconv -c (a lone lead byte vanishes) */
	if (l->policy == GR_PY_EAT)
		rc = decode_gbk_ex(GR_DEC_CP936, GR_REPL_QMARK, GR_CONSUME_2, 1,
		                   b.p ? b.p : "", b.n, &dec, &declen);
	else
		rc = decode_gbk_ex(GR_DEC_GBK, GR_REPL_DROP, GR_CONSUME_NATIVE, 1,
		                   b.p ? b.p : "", b.n, &dec, &declen);
	if (rc != GR_OK)
		goto done;

	/* 7. the characters GBK lacks come back in place of their NULs */
	{
		size_t si = 0;
		for (size_t i = 0; i < declen; i++) {
			if (dec[i] != 0) {
				gb_putc(out, dec[i]);
				continue;
			}
			if (si < side.n) {
				gb_puts(out, side.p + si);
				si += strlen(side.p + si) + 1;
			}
		}
	}
	rc = out->oom ? GR_ENOMEM : GR_OK;
done:
	gb_free(&text);
	gb_free(&b);
	gb_free(&side);
	gb_free(&ins);
	free(pool);
	free(upool);
	free(x);
	free(dec);
	return rc;
}

static gr_rc ref_pinyin(const gr_layer *l, const char *in, size_t len, gbuf *o)
{
	const unsigned char *s = (const unsigned char *)in;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_get(s + i, len - i, &cp);
		if (!k) {
			gb_putc(o, s[i]);
			i++;
			continue;
		}
		if (l->plus_space && cp == '+')
			gb_putc(o, ' ');
		else if (l->fold && cp >= 0xFF01 && cp <= 0xFF5E && cp - 0xFEE0 < 0x80 &&
		         strchr(l->fold_set, (int)(cp - 0xFEE0)))
			gb_putc(o, (int)(cp - 0xFEE0));
		else
			gb_put(o, in + i, k);
		i += k;
	}
	return o->oom ? GR_ENOMEM : GR_OK;
}

/* line [a, b) of text: b excludes the '\n' */
static int line_has_nonascii(const char *s, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

static gr_rc ch_island(ctx *c, const char *in, size_t len, gbuf *out)
{
	const gr_layer *l = c->l;
	const char *cs = enc_charset(l->enc);
	/* candidate lines: non-ASCII and wholly encodable */
	size_t nl = 1;
	for (size_t i = 0; i < len; i++)
		nl += in[i] == '\n';
	size_t *st = malloc(nl * sizeof *st), *en = malloc(nl * sizeof *en);
	char *pick = calloc(nl, 1);
	gr_rc rc = GR_OK;
	if (!st || !en || !pick) {
		rc = GR_ENOMEM;
		goto done;
	}
	size_t k = 0, a = 0;
	for (size_t i = 0; i <= len; i++)
		if (i == len || in[i] == '\n') {
			st[k] = a;
			en[k] = i;
			k++;
			a = i + 1;
		}
	size_t ncand = 0, npick = 0;
	for (size_t i = 0; i < k; i++) {
		char *tmp = NULL;
		if (!line_has_nonascii(in, st[i], en[i]))
			continue;
		if (gr_encode(cs, 0, in + st[i], en[i] - st[i], &tmp, NULL) != GR_OK) {
			free(tmp);
			continue;
		}
		free(tmp);
		pick[i] = 2;  /* candidate */
		ncand++;
		if (gr_rng_unit(c->rng) < l->island_frac) {
			pick[i] = 1;
			npick++;
		}
	}
	if (ncand == 0) {
		rc = note(c, GR_ENA, "gbk-island: no non-ASCII line encodable");
		goto done;
	}
	if (npick == 0) {
		size_t want = (size_t)gr_rng_below(c->rng, ncand);
		for (size_t i = 0; i < k; i++)
			if (pick[i] == 2 && want-- == 0) {
				pick[i] = 1;
				break;
			}
	}
	for (size_t i = 0; i < k; i++) {
		if (pick[i] == 1) {
			char *tmp = NULL;
			size_t tl = 0;
			rc = gr_encode(cs, 0, in + st[i], en[i] - st[i], &tmp, &tl);
			if (rc != GR_OK) {
				free(tmp);
				goto done;
			}
			gb_put(out, tmp, tl);
			free(tmp);
		} else
			gb_put(out, in + st[i], en[i] - st[i]);
		if (en[i] < len)
			gb_putc(out, '\n');
	}
	rc = out->oom ? GR_ENOMEM : GR_OK;
done:
	free(st);
	free(en);
	free(pick);
	return rc;
}

static gr_rc append_owned(gbuf *out, char *p, size_t n, gr_rc rc)
{
	if (rc == GR_OK)
		gb_put(out, p, n);
	free(p);
	if (rc == GR_OK && out->oom)
		rc = GR_ENOMEM;
	return rc;
}

/* apply one layer to a piece of text */
static gr_rc apply_layer(ctx *c, const char *in, size_t len, gbuf *out)
{
	const gr_layer *l = c->l;
	char *t = NULL, *u = NULL;
	size_t tl = 0, ul = 0;
	gr_rc rc;
	switch (l->ch) {
	case GR_CH_UTF8_AS_GBK:
		rc = gr_decode_gbk(l->dec, l->repl, l->consume, in, len, &t, &tl);
		return append_owned(out, t, tl, rc);
	case GR_CH_UTF8_AS_LATIN1:
		rc = gr_decode_sbcs(0, GR_REPL_NATIVE, in, len, &t, &tl);
		return append_owned(out, t, tl, rc);
	case GR_CH_UTF8_AS_CP1252:
		rc = gr_decode_sbcs(1, l->holes, in, len, &t, &tl);
		return append_owned(out, t, tl, rc);
	case GR_CH_GBK_AS_LATIN1:
	case GR_CH_GBK_AS_CP1252:
		rc = gr_encode(enc_charset(l->enc), 1, in, len, &t, &tl);
		if (rc == GR_OK)
			rc = gr_decode_sbcs(l->ch == GR_CH_GBK_AS_CP1252, l->holes, t, tl, &u, &ul);
		free(t);
		return append_owned(out, u, ul, rc);
	case GR_CH_GBK_AS_UTF8:
		rc = gr_encode(enc_charset(l->enc), 1, in, len, &t, &tl);
		if (rc == GR_OK)
			rc = gr_decode_utf8(l->urepl, l->uconsume, t, tl, &u, &ul);
		free(t);
		return append_owned(out, u, ul, rc);
	case GR_CH_KUNKAO:
		/* 口字码 (GBK read as UTF-8, U+FFFD per maximal subpart), saved as
		 * UTF-8, then read as GBK: EF BF BD EF BF BD -> 锟斤拷 */
		rc = gr_encode(enc_charset(l->enc), 1, in, len, &t, &tl);
		if (rc == GR_OK)
			rc = gr_decode_utf8(GR_REPL_FFFD, GR_CONSUME_NATIVE, t, tl, &u, &ul);
		free(t);
		t = NULL;
		if (rc == GR_OK)
			rc = gr_decode_gbk(l->dec, l->repl, l->consume, u, ul, &t, &tl);
		free(u);
		return append_owned(out, t, tl, rc);
	case GR_CH_GBK_ISLAND:
		return ch_island(c, in, len, out);
	case GR_CH_LEGACY:
		if ((unsigned)l->legacy >= GR_LEG_COUNT)
			return GR_EARG;
		rc = gr_encode(leg_charsets[l->legacy], 0, in, len, &t, &tl);
		if (rc == GR_ENA) {
			free(t);
			return note(c, GR_ENA, "legacy: text not encodable in that charset");
		}
		return append_owned(out, t, tl, rc);
	case GR_CH_PINYIN:
		return ch_pinyin(c, in, len, out);
	default:
		return GR_EARG;
	}
}

/* the reference (perfect repair) after one layer */
static gr_rc ref_layer(const gr_layer *l, const char *in, size_t len, gbuf *o)
{
	switch (l->ch) {
	case GR_CH_GBK_AS_LATIN1:
	case GR_CH_GBK_AS_CP1252:
	case GR_CH_GBK_AS_UTF8:
	case GR_CH_KUNKAO:
		return ref_qmark(enc_charset(l->enc), in, len, o);
	case GR_CH_PINYIN:
		return ref_pinyin(l, in, len, o);
	default:
		gb_put(o, in, len);
		return o->oom ? GR_ENOMEM : GR_OK;
	}
}

/* run the chain on one segment; appends garbled bytes and reference */
static gr_rc run_chain(const gr_params *p, gr_rng *rng, const char *in, size_t len,
                       gbuf *out, gbuf *ref, char *notebuf, size_t notelen)
{
	gbuf cur = {0}, nxt = {0}, rcur = {0}, rnxt = {0};
	gr_rc rc = GR_OK;
	gb_put(&cur, in, len);
	gb_put(&rcur, in, len);
	for (int i = 0; i < p->nlayers && rc == GR_OK; i++) {
		ctx c = {&p->layer[i], rng, notebuf, notelen};
		nxt.n = 0;
		rnxt.n = 0;
		rc = apply_layer(&c, cur.p ? cur.p : "", cur.n, &nxt);
		if (rc == GR_OK)
			rc = ref_layer(&p->layer[i], rcur.p ? rcur.p : "", rcur.n, &rnxt);
		gbuf t = cur;
		cur = nxt;
		nxt = t;
		t = rcur;
		rcur = rnxt;
		rnxt = t;
	}
	if (rc == GR_OK) {
		gb_put(out, cur.p, cur.n);
		gb_put(ref, rcur.p, rcur.n);
		if (out->oom || ref->oom)
			rc = GR_ENOMEM;
	}
	gb_free(&cur);
	gb_free(&nxt);
	gb_free(&rcur);
	gb_free(&rnxt);
	return rc;
}

void gr_result_free(gr_result *res)
{
	if (!res)
		return;
	free(res->out);
	free(res->ref);
	res->out = res->ref = NULL;
	res->outlen = res->reflen = 0;
}

static size_t utf8_char_count(const char *s, size_t a, size_t b)
{
	size_t n = 0;
	for (size_t i = a; i < b;) {
		i += utf8_step((const unsigned char *)s + i, b - i);
		n++;
	}
	return n;
}

/* byte offset of the k-th character boundary after a */
static size_t utf8_offset(const char *s, size_t a, size_t b, size_t k)
{
	size_t i = a;
	while (k-- > 0 && i < b)
		i += utf8_step((const unsigned char *)s + i, b - i);
	return i;
}

static gr_rc garble_src(const gr_params *p, const char *in, size_t len, gr_result *res);

gr_rc gr_garble(const gr_params *p, const char *in, size_t len, gr_result *res)
{
	if (!p->bom && !p->crlf)
		return garble_src(p, in, len, res);
	/* the original as a Windows editor saved it */
	gbuf src = {0};
	if (p->bom && !(len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0))
		gb_put(&src, "\xEF\xBB\xBF", 3);
	for (size_t i = 0; i < len; i++) {
		if (p->crlf && in[i] == '\n' && !(i > 0 && in[i - 1] == '\r'))
			gb_putc(&src, '\r');
		gb_putc(&src, in[i]);
	}
	if (src.oom) {
		gb_free(&src);
		memset(res, 0, sizeof *res);
		return GR_ENOMEM;
	}
	gr_rc rc = garble_src(p, src.p ? src.p : "", src.n, res);
	if (rc == GR_OK)
		res->changed = 1;   /* differs from the caller's input anyway */
	gb_free(&src);
	return rc;
}

static gr_rc garble_src(const gr_params *p, const char *in, size_t len, gr_result *res)
{
	memset(res, 0, sizeof *res);
	gr_describe(p, res->desc, sizeof res->desc);
	if (p->nlayers < 1 || p->nlayers > GR_MAX_LAYERS) {
		snprintf(res->note, sizeof res->note, "need 1..%d layers", GR_MAX_LAYERS);
		return GR_EARG;
	}
	int unrec = 0;
	for (int i = 0; i < p->nlayers; i++) {
		gr_channel ch = p->layer[i].ch;
		if ((unsigned)ch >= GR_CH_COUNT)
			return GR_EARG;
		if ((ch == GR_CH_LEGACY || ch == GR_CH_GBK_ISLAND) && i != p->nlayers - 1) {
			snprintf(res->note, sizeof res->note,
			         "%s must be the last layer (its output is not UTF-8)",
			         gr_channel_name(ch));
			return GR_EARG;
		}
		if (ch == GR_CH_GBK_AS_UTF8 || ch == GR_CH_KUNKAO)
			unrec = 1;
	}
	gr_channel last = p->layer[p->nlayers - 1].ch;
	if (last == GR_CH_LEGACY && p->partial > 0) {
		snprintf(res->note, sizeof res->note, "legacy is whole-text (use gbk-island)");
		return GR_EARG;
	}
	/* every line left in GBK is a whole file in GBK: a legacy encoding */
	int all_gbk = last == GR_CH_GBK_ISLAND && p->layer[p->nlayers - 1].island_frac >= 1.0;
	res->expect = unrec ? GR_EXPECT_UNRECOVERABLE
	              : last == GR_CH_LEGACY || all_gbk ? GR_EXPECT_LEGACY : GR_EXPECT_REPAIR;

	gr_rng rng;
	gr_rng_seed(&rng, p->seed);
	gbuf out = {0}, ref = {0};
	gr_rc rc = GR_OK;

	if (p->partial <= 0) {
		rc = run_chain(p, &rng, in, len, &out, &ref, res->note, sizeof res->note);
	} else {
		/* lines; choose which are garbled (at least one non-ASCII one) */
		size_t nl = 1;
		for (size_t i = 0; i < len; i++)
			nl += in[i] == '\n';
		size_t *st = malloc(nl * sizeof *st), *en = malloc(nl * sizeof *en);
		char *pick = calloc(nl, 1);
		if (!st || !en || !pick) {
			free(st);
			free(en);
			free(pick);
			return GR_ENOMEM;
		}
		size_t k = 0, a = 0, ncand = 0, npick = 0;
		for (size_t i = 0; i <= len; i++)
			if (i == len || in[i] == '\n') {
				st[k] = a;
				en[k] = i;
				k++;
				a = i + 1;
			}
		for (size_t i = 0; i < k; i++) {
			if (!line_has_nonascii(in, st[i], en[i]))
				continue;
			ncand++;
			pick[i] = 2;
			if (gr_rng_unit(&rng) < p->partial) {
				pick[i] = 1;
				npick++;
			}
		}
		if (ncand == 0) {
			snprintf(res->note, sizeof res->note, "partial: no non-ASCII line");
			rc = GR_ENA;
		} else if (npick == 0) {
			size_t want = (size_t)gr_rng_below(&rng, ncand);
			for (size_t i = 0; i < k; i++)
				if (pick[i] == 2 && want-- == 0) {
					pick[i] = 1;
					break;
				}
		}
		for (size_t i = 0; i < k && rc == GR_OK; i++) {
			size_t s0 = st[i], s1 = en[i];
			if (pick[i] == 1 && p->pmode == GR_PART_SPAN) {
				/* a random sub-span [x, y) at character boundaries that
				 * holds at least one non-ASCII character */
				size_t nc = utf8_char_count(in, s0, s1);
				for (int tries = 0; tries < 16; tries++) {
					size_t x = (size_t)gr_rng_below(&rng, nc);
					size_t y = x + 1 + (size_t)gr_rng_below(&rng, nc - x);
					size_t bx = utf8_offset(in, s0, s1, x);
					size_t by = utf8_offset(in, s0, s1, y);
					if (line_has_nonascii(in, bx, by) || tries == 15) {
						s0 = bx;
						s1 = by;
						break;
					}
				}
			}
			gb_put(&out, in + st[i], s0 - st[i]);
			gb_put(&ref, in + st[i], s0 - st[i]);
			if (pick[i] == 1)
				rc = run_chain(p, &rng, in + s0, s1 - s0, &out, &ref,
				               res->note, sizeof res->note);
			else {
				gb_put(&out, in + s0, s1 - s0);
				gb_put(&ref, in + s0, s1 - s0);
			}
			gb_put(&out, in + s1, en[i] - s1);
			gb_put(&ref, in + s1, en[i] - s1);
			if (en[i] < len) {
				gb_putc(&out, '\n');
				gb_putc(&ref, '\n');
			}
		}
		free(st);
		free(en);
		free(pick);
	}
	if (rc == GR_OK && (out.oom || ref.oom))
		rc = GR_ENOMEM;
	if (rc != GR_OK) {
		gb_free(&out);
		gb_free(&ref);
		return rc;
	}
	gb_take(&out, &res->out, &res->outlen);
	gb_take(&ref, &res->ref, &res->reflen);
	res->changed = res->outlen != len || memcmp(res->out, in, len) != 0;
	if (!res->changed && !res->note[0])
		snprintf(res->note, sizeof res->note, "garbling left the text unchanged");
	return GR_OK;
}

/* ------------------------------------------------------------------ */
/* random variants */

static void random_layer(gr_layer *l, gr_rng *r, gr_channel ch)
{
	gr_layer_init(l, ch);
	static const gr_repl reps[] = {GR_REPL_NATIVE, GR_REPL_QMARK, GR_REPL_FFFD, GR_REPL_DROP};
	static const gr_repl holes[] = {GR_REPL_C1, GR_REPL_C1, GR_REPL_QMARK, GR_REPL_FFFD, GR_REPL_DROP};
	switch (ch) {
	case GR_CH_UTF8_AS_GBK:
	case GR_CH_KUNKAO:
		l->dec = (gr_decoder)gr_rng_below(r, GR_DEC_COUNT);
		/* mostly the decoder's own behaviour */
		if (gr_rng_unit(r) < 0.6) {
			l->repl = GR_REPL_NATIVE;
			l->consume = GR_CONSUME_NATIVE;
		} else {
			l->repl = reps[gr_rng_below(r, 4)];
			l->consume = (int)gr_rng_below(r, 3);
		}
		break;
	case GR_CH_UTF8_AS_CP1252:
	case GR_CH_GBK_AS_CP1252:
		l->holes = holes[gr_rng_below(r, 5)];
		break;
	case GR_CH_GBK_AS_UTF8:
		l->urepl = gr_rng_unit(r) < 0.8 ? GR_REPL_FFFD : GR_REPL_QMARK;
		l->uconsume = gr_rng_unit(r) < 0.7 ? GR_CONSUME_NATIVE : 1;
		break;
	case GR_CH_GBK_ISLAND:
		l->island_frac = 0.1 + 0.5 * gr_rng_unit(r);
		break;
	case GR_CH_LEGACY:
		l->legacy = (gr_legacy)gr_rng_below(r, GR_LEG_COUNT);
		break;
	case GR_CH_PINYIN:
		l->policy = gr_rng_unit(r) < 0.5 ? GR_PY_EAT : GR_PY_DROP;
		l->set_frac = 0.03 + 0.2 * gr_rng_unit(r);
		l->unaligned_frac = 0.05 * gr_rng_unit(r);
		l->fold = gr_rng_unit(r) < 0.7;
		l->fold_after = gr_rng_unit(r) < 0.3;
		l->plus_space = gr_rng_unit(r) < 0.2;
		break;
	default:
		break;
	}
	if (ch == GR_CH_GBK_AS_LATIN1 || ch == GR_CH_GBK_AS_CP1252 ||
	    ch == GR_CH_GBK_AS_UTF8 || ch == GR_CH_KUNKAO || ch == GR_CH_GBK_ISLAND)
		l->enc = gr_rng_unit(r) < 0.85 ? GR_ENC_GBK : GR_ENC_GB18030;
}

void gr_random_params(gr_params *p, uint64_t seed)
{
	gr_rng r;
	gr_rng_seed(&r, seed ^ 0x6A09E667F3BCC909ull);
	gr_params_init(p, GR_CH_UTF8_AS_GBK);
	p->seed = seed;
	/* weights: what shows up in the wild most */
	static const struct { gr_channel ch; int w; } tab[] = {
		{GR_CH_UTF8_AS_GBK, 34}, {GR_CH_UTF8_AS_LATIN1, 5}, {GR_CH_UTF8_AS_CP1252, 8},
		{GR_CH_GBK_AS_LATIN1, 5}, {GR_CH_GBK_AS_CP1252, 5}, {GR_CH_GBK_AS_UTF8, 4},
		{GR_CH_KUNKAO, 3}, {GR_CH_GBK_ISLAND, 5}, {GR_CH_LEGACY, 5}, {GR_CH_PINYIN, 10},
	};
	int total = 12;  /* the rest: layers */
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		total += tab[i].w;
	int pick = (int)gr_rng_below(&r, (uint64_t)total);
	int layered = 1;
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		if (pick < tab[i].w) {
			random_layer(&p->layer[0], &r, tab[i].ch);
			layered = 0;
			break;
		}
		pick -= tab[i].w;
	}
	if (layered) {
		/* 2 or 3 wrong decodes in a row; all keep the text UTF-8 */
		static const gr_channel stack[] = {
			GR_CH_UTF8_AS_GBK, GR_CH_UTF8_AS_GBK, GR_CH_UTF8_AS_CP1252,
			GR_CH_UTF8_AS_LATIN1, GR_CH_GBK_AS_LATIN1, GR_CH_GBK_AS_CP1252
		};
		p->nlayers = 2 + (int)gr_rng_below(&r, 2);
		for (int i = 0; i < p->nlayers; i++)
			random_layer(&p->layer[i], &r,
			             stack[gr_rng_below(&r, sizeof stack / sizeof stack[0])]);
	}
	p->bom = gr_rng_unit(&r) < 0.1;
	p->crlf = gr_rng_unit(&r) < 0.15;
	gr_channel ch = p->layer[p->nlayers - 1].ch;
	if (ch != GR_CH_LEGACY && ch != GR_CH_GBK_ISLAND && gr_rng_unit(&r) < 0.25) {
		p->partial = 0.1 + 0.6 * gr_rng_unit(&r);
		p->pmode = gr_rng_unit(&r) < 0.5 ? GR_PART_LINES : GR_PART_SPAN;
	}
}

/* ------------------------------------------------------------------ */
/* presets */

const char *const gr_variants[] = {
	/* 古文码 */
	"utf8-as-gbk decoder=gbk repl=drop consume=native",       /* iconv -c -f GBK */
	"utf8-as-gbk decoder=gbk repl=? consume=native",
	"utf8-as-gbk decoder=gb18030 repl=drop consume=native",   /* iconv -c -f GB18030 */
	"utf8-as-gbk decoder=gb18030 repl=fffd consume=2",
	"utf8-as-gbk decoder=cp936 repl=? consume=2",             /* Windows ANSI */
	"utf8-as-gbk decoder=cp936 repl=? consume=1",
	"utf8-as-gbk decoder=python-gbk repl=fffd consume=1",     /* errors='replace' */
	"utf8-as-gbk decoder=python-gbk repl=drop consume=1",     /* errors='ignore' */
	"utf8-as-gbk decoder=python-gb18030 repl=fffd consume=1",
	"utf8-as-gbk decoder=whatwg repl=fffd consume=native",    /* browsers */
	"utf8-as-gbk decoder=icu repl=fffd consume=native",       /* Node.js TextDecoder('gbk') */
	/* 符号码 */
	"utf8-as-latin1",
	"utf8-as-cp1252 holes=c1",
	"utf8-as-cp1252 holes=fffd",
	"utf8-as-cp1252 holes=?",
	"utf8-as-cp1252 holes=drop",
	/* 拼音码 */
	"gbk-as-latin1 enc=gbk",
	"gbk-as-latin1 enc=gb18030",
	"gbk-as-cp1252 enc=gbk holes=c1",
	"gbk-as-cp1252 enc=gbk holes=?",
	"gbk-as-cp1252 enc=gbk holes=fffd",                       /* errors='replace' */
	"gbk-as-cp1252 enc=gbk holes=drop",                       /* errors='ignore' */
	/* unrecoverable */
	"gbk-as-utf8 enc=gbk urepl=fffd uconsume=native",
	"gbk-as-utf8 enc=gbk urepl=fffd uconsume=1",
	"gbk-as-utf8 enc=gbk urepl=? uconsume=native",            /* '?' for U+FFFD: ?װ???С?꣺ */
	"kunkao enc=gbk decoder=gbk repl=? consume=native",
	"kunkao enc=gbk decoder=cp936 repl=? consume=2",
	/* mixed encodings */
	"gbk-island enc=gbk frac=0.3",
	"gbk-island enc=gbk frac=1",
	"legacy charset=gbk",
	"legacy charset=gb18030",
	"legacy charset=big5",
	"legacy charset=sjis",     /* negatives: Japanese */
	"legacy charset=euc-kr",   /* negatives: Korean */
	/* seed family */
	"pinyin policy=eat frac=0.1 ufrac=0.02 fold=1 foldset=,;?() foldafter=0",
	"pinyin policy=drop frac=0.1 ufrac=0.02 fold=1 foldset=,;?() foldafter=0",
	"pinyin policy=eat frac=0.2 ufrac=0.05 fold=0",
	"pinyin policy=drop frac=0.05 ufrac=0 fold=1 foldset=,:;!?() foldafter=1 plus=1",
	/* layers */
	"utf8-as-gbk decoder=gbk repl=? consume=native > utf8-as-gbk decoder=gbk repl=? consume=native",
	"utf8-as-gbk decoder=gb18030 repl=drop consume=native > utf8-as-gbk decoder=gb18030 repl=drop consume=native",
	"utf8-as-gbk decoder=gb18030 repl=drop consume=native > utf8-as-cp1252 holes=c1",
	"utf8-as-cp1252 holes=c1 > utf8-as-gbk decoder=gb18030 repl=drop consume=native",
	"utf8-as-gbk decoder=cp936 repl=? consume=2 > utf8-as-gbk decoder=cp936 repl=? consume=2 > utf8-as-gbk decoder=cp936 repl=? consume=2",
	"utf8-as-latin1 > utf8-as-latin1",                           /* 符号码 twice */
	"utf8-as-latin1 > utf8-as-gbk decoder=gb18030 repl=fffd consume=2",   /* 符号码 read as GBK */
	"gbk-as-cp1252 enc=gbk holes=c1 > utf8-as-latin1",
	"gbk-as-latin1 enc=gbk > utf8-as-gbk decoder=gbk repl=? consume=native",   /* 拼音码 read as GBK */
	/* partial */
	"utf8-as-gbk decoder=cp936 repl=? consume=2 partial=0.3 pmode=lines",
	"utf8-as-gbk decoder=gb18030 repl=drop consume=native partial=0.5 pmode=span",
	"utf8-as-cp1252 holes=c1 partial=0.3 pmode=span",
	"gbk-as-latin1 enc=gbk partial=0.3 pmode=lines",
	/* saved by Windows Notepad: BOM, CRLF */
	"utf8-as-gbk decoder=cp936 repl=? consume=2 bom=1 crlf=1",
	"utf8-as-gbk decoder=gbk repl=drop consume=native bom=1",
	"utf8-as-cp1252 holes=c1 bom=1 crlf=1",
};

const size_t gr_nvariants = sizeof gr_variants / sizeof gr_variants[0];
