/* Streams: cut the input into blocks of whole lines, decide once what kind
 * of input this is (text, binary, a legacy encoding), repair each block and
 * hand the output on at once, so memory stays bounded.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uchardet.h>

#include "internal.h"

#ifdef MF_HAVE_OPENCC
#include <opencc.h>
#endif

#define BLOCK_TARGET (64u * 1024)      /* process once this much is pending */
#define BLOCK_HARD (256u * 1024)       /* a line longer than this is cut (bounds memory) */
#define SNIFF_BYTES (64u * 1024)       /* what the input-kind decision looks at */

typedef enum { MODE_UNDECIDED, MODE_TEXT, MODE_BINARY, MODE_LEGACY } mode_t_;

struct mf_stream {
	mf_options opt;
	mf_write_fn write;
	void *ctx;
	mode_t_ mode;
	mf_buf pending;
	mf_buf outb;
	mf_units units;
	mf_units sub;                  /* the lines the pre-scan could not clear */
	uint16_t *slots;               /* pre-scan scratch */
	size_t slots_cap;
	uint32_t *starts;              /* pre-scan scratch (of bytes) */
	size_t starts_cap;
	uint32_t *open;                /* pre-scan: the lines it could not clear */
	size_t open_cap;
	const char *blk;               /* the block analysed, and the starts of */
	size_t blk_n;                  /* the lines the repair passes read */
	uint32_t *read_at;
	size_t nread_at, read_at_cap;
	uint32_t *cleared;             /* scratch: a cleared line decoded */
	size_t cleared_cap;
	mf_found_list found;
	mf_docstate *doc;
	uint32_t prev;                 /* last code point emitted (context) */
	uint64_t in_pos, out_pos, line;
	mf_report rep;
	double det_none;               /* product of (1 - detection) over applied spans */
	double exact;                  /* product of exactness over applied spans */
	double max_rejected;           /* best confidence of a span left unchanged */
	double max_unrec;
	iconv_t cd;                    /* legacy --to-utf8 */
	bool finished, failed;
	char err[256];
#ifdef MF_HAVE_OPENCC
	opencc_t cc;
#endif
};

static mf_rc fail(mf_stream *s, mf_rc rc, const char *msg)
{
	s->failed = true;
	snprintf(s->err, sizeof s->err, "%s", msg ? msg : mf_rc_message(rc));
	return rc;
}

void mf_options_init(mf_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->min_confidence = MF_DEFAULT_MIN_CONFIDENCE;
}

mf_rc mf_stream_new(mf_stream **out, const mf_options *opt, mf_write_fn write, void *ctx)
{
	if (!out)
		return MF_ERR_ARG;
	*out = NULL;
	mf_stream *s = calloc(1, sizeof *s);
	if (!s)
		return MF_ERR_NOMEM;
	if (opt)
		s->opt = *opt;
	else
		mf_options_init(&s->opt);
	s->write = write;
	s->ctx = ctx;
	s->cd = (iconv_t)-1;
	s->det_none = 1.0;
	s->exact = 1.0;
	s->line = 1;
	s->doc = mf_docstate_new();
	if (!s->doc) {
		free(s);
		return MF_ERR_NOMEM;
	}
	if (s->opt.keep_spans) {
		s->rep.spans = calloc(MF_KEEP_SPANS, sizeof *s->rep.spans);
		if (!s->rep.spans) {
			mf_docstate_free(s->doc);
			free(s);
			return MF_ERR_NOMEM;
		}
	}
	if (s->opt.simplified) {
#ifdef MF_HAVE_OPENCC
		s->cc = opencc_open("t2s.json");
		if (s->cc == (opencc_t)-1) {
			free(s->rep.spans);
			mf_docstate_free(s->doc);
			free(s);
			return MF_ERR_OPENCC;
		}
#else
		free(s->rep.spans);
		mf_docstate_free(s->doc);
		free(s);
		return MF_ERR_OPENCC;
#endif
	}
	*out = s;
	return MF_OK;
}

void mf_stream_free(mf_stream *s)
{
	if (!s)
		return;
	mf_buf_free(&s->pending);
	mf_buf_free(&s->outb);
	free(s->units.cp);
	free(s->units.off);
	free(s->slots);
	free(s->starts);
	free(s->open);
	free(s->read_at);
	free(s->cleared);
	free(s->sub.cp);
	free(s->sub.off);
	mf_found_list_free(&s->found);
	mf_docstate_free(s->doc);
	if (s->cd != (iconv_t)-1)
		iconv_close(s->cd);
#ifdef MF_HAVE_OPENCC
	if (s->opt.simplified && s->cc && s->cc != (opencc_t)-1)
		opencc_close(s->cc);
#endif
	free(s->rep.spans);
	free(s);
}

const mf_report *mf_stream_report(const mf_stream *s) { return &s->rep; }
const char *mf_stream_error(const mf_stream *s) { return s->err[0] ? s->err : NULL; }

static mf_rc emit(mf_stream *s, const char *p, size_t n)
{
	if (n == 0)
		return MF_OK;
	s->rep.bytes_out += n;
	s->out_pos += n;
	if (s->write && s->write(s->ctx, p, n) != 0)
		return fail(s, MF_ERR_WRITE, "write failed");
	return MF_OK;
}

/* Output of text blocks goes through OpenCC when asked. */
static mf_rc emit_text(mf_stream *s, const char *p, size_t n)
{
#ifdef MF_HAVE_OPENCC
	/* text blocks hold no NUL (that input is binary); OpenCC's result is a
	 * C string */
	if (s->opt.simplified && n > 0 && memchr(p, 0, n) == NULL) {
		char *conv = opencc_convert_utf8(s->cc, p, n);
		if (!conv)
			return fail(s, MF_ERR_OPENCC, "OpenCC conversion failed");
		mf_rc rc = emit(s, conv, strlen(conv));
		opencc_convert_utf8_free(conv);
		return rc;
	}
#endif
	return emit(s, p, n);
}

/* ---- deciding the kind of input ---- */

static bool has_nul(const char *p, size_t n) { return memchr(p, 0, n) != NULL; }

/* Counts of valid multibyte sequences and of invalid bytes; and of lines
 * with multibyte characters and no invalid byte (clean) or some (broken). */
typedef struct {
	size_t valid_mb, invalid, lines_clean, lines_broken;
} census;

static void utf8_census(const unsigned char *p, size_t n, census *c, bool at_end)
{
	memset(c, 0, sizeof *c);
	size_t i = 0;
	bool mb = false, bad = false;
	while (i < n) {
		if (p[i] < 0x80) {
			if (p[i] == '\n') {
				c->lines_clean += mb && !bad;
				c->lines_broken += bad;
				mb = bad = false;
			}
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = mf_utf8_decode(p + i, n - i, &cp);
		if (MF_IS_RAW(cp)) {
			/* a sequence cut by the sniff window is not an error */
			if (!at_end && n - i < 4 && mf_utf8_seq_len(p[i]) > (int)(n - i))
				break;
			c->invalid++;
			bad = true;
		} else {
			c->valid_mb++;
			mb = true;
		}
		i += k;
	}
	c->lines_clean += mb && !bad;
	c->lines_broken += bad;
}

static void decide_mode(mf_stream *s, bool at_end)
{
	const char *p = s->pending.p;
	size_t n = s->pending.n < SNIFF_BYTES ? s->pending.n : SNIFF_BYTES;
	if (has_nul(p, n)) {
		s->mode = MODE_BINARY;
		s->rep.status = MF_STATUS_BINARY;
		return;
	}
	/* decide on the same window however the input is fed: the whole
	 * window, or the whole input when it is shorter (text is not processed
	 * before BLOCK_TARGET bytes are pending anyway) */
	if (!at_end && s->pending.n < SNIFF_BYTES)
		return;
	census c;
	utf8_census((const unsigned char *)p, n, &c, at_end || n < s->pending.n);
	size_t invalid = c.invalid;
	/* Mostly not UTF-8, and not UTF-8 text with lines of another charset
	 * pasted in (those are repaired as islands; converting the whole file
	 * would garble its UTF-8 lines): ask uchardet which legacy charset it is */
	if (invalid >= 2 && invalid * 2 >= c.valid_mb && c.lines_clean * 4 <= c.lines_broken) {
		uchardet_t ud = uchardet_new();
		if (ud) {
			uchardet_handle_data(ud, p, n);
			uchardet_data_end(ud);
			const char *cs = uchardet_get_charset(ud);
			if (cs && *cs && strcmp(cs, "UTF-8") != 0 && strcmp(cs, "ASCII") != 0) {
				s->mode = MODE_LEGACY;
				s->rep.status = MF_STATUS_LEGACY;
				snprintf(s->rep.encoding, sizeof s->rep.encoding, "%s", cs);
				/* uchardet 0.0.7 gives no confidence; how decisive the
				 * byte census is stands in for it */
				s->rep.confidence = 1.0 - 1.0 / (double)(invalid + 2);
			}
			uchardet_delete(ud);
		}
		if (s->mode == MODE_LEGACY)
			return;
	}
	s->mode = MODE_TEXT;
}

/* ---- legacy conversion ---- */

static mf_rc legacy_block(mf_stream *s, const char *p, size_t n, bool at_end, size_t *used)
{
	*used = n;
	if (!s->opt.to_utf8)
		return emit(s, p, n);
	if (s->cd == (iconv_t)-1) {
		const char *from = s->rep.encoding;
		/* uchardet names GB18030 for GBK text; GB18030 is the superset */
		s->cd = iconv_open("UTF-8", from);
		if (s->cd == (iconv_t)-1) {
			char msg[128];
			snprintf(msg, sizeof msg, "iconv cannot convert from %s", from);
			return fail(s, MF_ERR_ICONV, msg);
		}
	}
	char out[16384];
	char *ip = (char *)p;
	size_t il = n;
	while (il > 0) {
		char *op = out;
		size_t ol = sizeof out;
		size_t r = iconv(s->cd, &ip, &il, &op, &ol);
		mf_rc rc = emit(s, out, (size_t)(op - out));
		if (rc != MF_OK)
			return rc;
		if (r == (size_t)-1) {
			if (errno == E2BIG)
				continue;
			if (errno == EINVAL && !at_end) {
				*used = n - il;        /* keep the cut sequence for the next block */
				return MF_OK;
			}
			char msg[160];
			snprintf(msg, sizeof msg, "input is not valid %s at byte %llu", s->rep.encoding,
			         (unsigned long long)(s->in_pos + (uint64_t)(ip - p)));
			return fail(s, MF_ERR_ICONV, msg);
		}
	}
	return MF_OK;
}

/* ---- text blocks ---- */

/* Room in u for n units and the end offset after them: exact at first,
 * doubling as lines are added. */
static bool units_room(mf_units *u, size_t n)
{
	if (u->cap >= n + 1)
		return true;
	size_t cap = 2 * u->cap > n + 1 ? 2 * u->cap : n + 1;
	uint32_t *c = realloc(u->cp, cap * sizeof *c);
	if (!c)
		return false;
	u->cp = c;
	uint32_t *o = realloc(u->off, cap * sizeof *o);
	if (!o)
		return false;
	u->off = o;
	u->cap = cap;
	return true;
}

/* Add the units of q[a..end) to u, each with its byte offset (the room is
 * the caller's). */
static void decode_into(mf_units *u, const unsigned char *q, size_t a, size_t end)
{
	size_t i = a, k = u->n;
	while (i < end) {
		uint32_t cp;
		size_t len;
		unsigned char b = q[i];
		if (b < 0x80) {
			cp = b;
			len = 1;
		} else if (b >= 0xE1 && b <= 0xEF && b != 0xED && i + 2 < end && (q[i + 1] & 0xC0) == 0x80 &&
		           (q[i + 2] & 0xC0) == 0x80) {
			/* the common three-byte case (what mf_utf8_decode gives) */
			cp = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(q[i + 1] & 0x3F) << 6 | (q[i + 2] & 0x3F);
			len = 3;
		} else {
			len = mf_utf8_decode(q + i, end - i, &cp);
		}
		u->cp[k] = cp;
		u->off[k] = (uint32_t)i;
		k++;
		i += len;
	}
	u->n = k;
}

static mf_rc decode_units(mf_stream *s, const char *p, size_t n)
{
	mf_units *u = &s->units;
	if (!units_room(u, n))
		return fail(s, MF_ERR_NOMEM, NULL);
	u->n = 0;
	decode_into(u, (const unsigned char *)p, 0, n);
	u->off[u->n] = (uint32_t)n;
	return MF_OK;
}

static void record_span(mf_stream *s, const mf_found *f, uint64_t in_off, uint64_t in_len,
                        uint64_t out_off, uint64_t out_len, uint64_t line, bool applied)
{
	s->rep.nspans++;
	if (applied) {
		s->rep.napplied++;
		for (int j = 0; j < f->nchain; j++)
			s->rep.channels |= 1u << f->chain[j];
	}
	s->rep.lost += applied ? f->lost : 0;
	if (!s->rep.spans || s->rep.nkept >= MF_KEEP_SPANS)
		return;
	mf_span *sp = &s->rep.spans[s->rep.nkept++];
	sp->in_offset = in_off;
	sp->in_length = in_len;
	sp->out_offset = out_off;
	sp->out_length = out_len;
	sp->line = line;
	sp->nchain = f->nchain;
	memcpy(sp->chain, f->chain, sizeof sp->chain);
	sp->confidence = f->confidence;
	sp->lost = f->lost;
	sp->applied = applied;
}

/* The last character of output p[0..n) (n > 0), the next block's context;
 * 0 for an invalid byte. */
static uint32_t last_cp(const char *p, size_t n)
{
	uint32_t cp = 0;
	size_t j = n;
	while (j > 0 && ((unsigned char)p[j - 1] & 0xC0) == 0x80 && n - j < 3)
		j--;
	if (j > 0)
		j--;
	mf_utf8_decode((const unsigned char *)p + j, n - j, &cp);
	return MF_IS_RAW(cp) ? 0 : cp;
}

static uint64_t count_lines(const char *p, size_t n)
{
	uint64_t c = 0;
	for (const char *q = p; (q = memchr(q, '\n', n - (size_t)(q - p))) != NULL; q++)
		c++;
	return c;
}

/* Room for n entries in a scratch array of the stream. */
static bool u32_room(uint32_t **a, size_t *cap, size_t n)
{
	if (*cap >= n)
		return true;
	uint32_t *p = realloc(*a, n * sizeof *p);
	if (!p)
		return false;
	*a = p;
	*cap = n;
	return true;
}

/* mf_docstate.add_cleared: the block's lines other than those read (the
 * starts in read_at, ascending), decoded, into the cache. */
static void add_cleared_lines(void *arg, mf_cache *cache)
{
	mf_stream *s = arg;
	const unsigned char *p = (const unsigned char *)s->blk;
	size_t n = s->blk_n, k = 0;
	for (size_t a = 0; a < n;) {
		const unsigned char *nl = memchr(p + a, '\n', n - a);
		size_t e = nl ? (size_t)(nl - p) + 1 : n;
		while (k < s->nread_at && s->read_at[k] < a)
			k++;
		if (!(k < s->nread_at && s->read_at[k] == a) && u32_room(&s->cleared, &s->cleared_cap, e - a)) {
			size_t m = 0;
			for (size_t i = a; i < e; m++) {
				size_t l = mf_utf8_decode(p + i, e - i, &s->cleared[m]);
				i += l ? l : 1;
			}
			mf_cache_add(cache, s->cleared, m, 1);
		}
		a = e;
	}
}

/* The repair passes on this block.  A pre-scan proves, line by line, that
 * they can find nothing on most lines of clean text; only the other lines
 * are analysed, as one block of their own.  That gives the same spans: a
 * span never crosses a line, lines the pre-scan clears contribute no
 * candidate whatever the script or context, and each analysed line keeps its
 * context (a newline before it, its own newline after it).  The one effect
 * mf_analyse_block has beyond its spans, the document's PUA evidence, is
 * taken from the whole block here. */
static mf_rc analyse(mf_stream *s)
{
	const mf_units *u = &s->units;
	if (s->slots_cap < 2 * u->n + 1) {
		uint16_t *a = realloc(s->slots, (2 * u->n + 1) * sizeof *a);
		if (!a)
			return fail(s, MF_ERR_NOMEM, NULL);
		s->slots = a;
		s->slots_cap = 2 * u->n + 1;
	}
	mf_units *sub = &s->sub;
	sub->n = 0;
	s->nread_at = 0;
	size_t nlines = 0, ncand = 0;
	size_t a = 0;
	for (size_t i = 0; i <= u->n; i++) {
		if (i < u->n && u->cp[i] != '\n')
			continue;
		nlines++;
		size_t e = i < u->n ? i + 1 : i;       /* with its newline */
		if (e > a && mf_prefilter_line(u->cp + a, i - a, s->slots)) {
			ncand++;
			if (!u32_room(&s->read_at, &s->read_at_cap, s->nread_at + 1))
				return fail(s, MF_ERR_NOMEM, NULL);
			s->read_at[s->nread_at++] = u->off[a];
			/* sub->off here: the unit's index in the block;
			 * with a blank line right after it: how lines end matters
			 * to the newline-eater decision (repair.c: doc_eater) */
			size_t b = e;
			if (b < u->n && u->cp[b] == '\r')
				b++;
			b = b < u->n && u->cp[b] == '\n' ? b + 1 : e;
			if (!units_room(sub, sub->n + (b - a)))
				return fail(s, MF_ERR_NOMEM, NULL);
			for (size_t j = a; j < b; j++) {
				sub->cp[sub->n] = u->cp[j];
				sub->off[sub->n] = (uint32_t)j;
				sub->n++;
			}
		}
		a = i + 1;
	}
	for (size_t i = 0; i < u->n && !s->doc->pua_decoder; i++)
		s->doc->pua_decoder = mf_is_user_pua(u->cp[i]);
	if (ncand == 0)
		return MF_OK;
	if (ncand == nlines)        /* all: the block as it is */
		return mf_analyse_block(u, u->off[0] == 0 ? s->prev : '\n', s->doc, &s->found);
	uint32_t prev = u->off[sub->off[0]] == 0 ? s->prev : '\n';
	size_t first = s->found.n;
	mf_rc rc = mf_analyse_block(sub, prev, s->doc, &s->found);
	for (size_t k = first; k < s->found.n; k++) {
		mf_found *f = &s->found.v[k];
		size_t st = f->start, en = f->end;
		f->start = sub->off[st];
		f->end = en > st ? sub->off[en - 1] + 1 : f->start;
	}
	return rc;
}

/* Decode the lines of p[0..n) that begin at open[0..nopen) into s->units,
 * each with its newline: units of the block's other lines are left out, and
 * off[] keeps each unit's byte offset in the block. */
static mf_rc decode_lines(mf_stream *s, const char *p, size_t n, const uint32_t *open, size_t nopen)
{
	mf_units *u = &s->units;
	u->n = 0;
	size_t end = 0;
	for (size_t k = 0; k < nopen; k++) {
		size_t a = open[k];
		const char *nl = memchr(p + a, '\n', n - a);
		end = nl ? (size_t)(nl - p) + 1 : n;
		/* with a blank line right after it, as analyse() takes it */
		size_t b = end;
		if (b < n && p[b] == '\r')
			b++;
		if (b < n && p[b] == '\n')
			end = b + 1;
		if (!units_room(u, u->n + (end - a)))
			return fail(s, MF_ERR_NOMEM, NULL);
		decode_into(u, (const unsigned char *)p, a, end);
	}
	u->off[u->n] = (uint32_t)end;
	return MF_OK;
}

/* Clean text, the common case, without decoding all of the block: the
 * pre-scan (mf_prescan_block, the proof of mf_prefilter_line on the bytes)
 * clears most lines, and only the others are decoded, into s->units, for the
 * repair passes (analyse).  Where none of those lines holds an annotation
 * the seed family could count, and the block leaves it out of seed mode,
 * the seed pass would change nothing but its counts: this makes them, and
 * the PUA evidence, and sets *quiet (no line to read: *lines is the block's
 * newlines) or *sparse (s->units holds the lines to read).  Else neither
 * (nothing changed): the block needs the full passes.  The input-kind
 * census (utf8_census) needs nothing from here: decide_mode takes it once,
 * from the sniff window's raw bytes. */
static mf_rc quiet_block(mf_stream *s, const char *p, size_t n, bool *quiet, bool *sparse, unsigned *lines)
{
	*quiet = *sparse = false;
	if (s->slots_cap < n + 1) {
		uint16_t *a = realloc(s->slots, (n + 1) * sizeof *a);
		if (!a)
			return fail(s, MF_ERR_NOMEM, NULL);
		s->slots = a;
		s->slots_cap = n + 1;
	}
	if (!u32_room(&s->starts, &s->starts_cap, n / 2 + 1) || !u32_room(&s->open, &s->open_cap, n + 1))
		return fail(s, MF_ERR_NOMEM, NULL);
	const unsigned char *q = (const unsigned char *)p;
	mf_prescan f = { .open = s->open };
	if (mf_prescan_block(q, n, s->slots, s->starts, &f))
		return MF_OK;
	/* many lines to read: the whole block is decoded anyway */
	if (f.nopen > f.lines / 4 + 1)
		return MF_OK;
	unsigned han = f.han;
	bool pua = f.pua;
	if (f.nopen) {
		mf_rc rc = decode_lines(s, p, n, f.open, f.nopen);
		if (rc != MF_OK)
			return rc;
		const mf_units *u = &s->units;
		bool after_na = false;
		for (size_t k = 0; k < u->n; k++) {
			uint32_t c = u->cp[k];
			unsigned char g[2];
			/* what mf_seed_analyse counts, and what the pre-scan did not
			 * look at: the rest of each line after what opened it */
			han += mf_is_han(c) && mf_gbk_encode(c, g) > 0;
			pua |= mf_is_user_pua(c);
			size_t at = u->off[k];
			if ((c == '?' || (c == '(' && after_na)) && mf_seed_annotation_may(q, n, at + 1))
				return MF_OK;
			after_na = c >= 0x80 && c != '\n';
		}
	}
	bool applied;
	mf_rc rc = mf_seed_quiet_block(s->doc, q, n, han, &applied);
	if (rc != MF_OK)
		return fail(s, rc, NULL);
	if (!applied)
		return MF_OK;
	if (pua)
		s->doc->pua_decoder = true;
	*lines = f.lines;
	*quiet = f.nopen == 0;
	*sparse = f.nopen > 0;
	return MF_OK;
}

static mf_rc text_block(mf_stream *s, const char *p, size_t n)
{
	/* pure ASCII blocks need no analysis (the common case in code and logs) */
	size_t i = 0;
	for (uint64_t w; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		if (w & 0x8080808080808080u)
			break;
	}
	while (i < n && (unsigned char)p[i] < 0x80)
		i++;
	if (i == n) {
		if (n)
			s->prev = (unsigned char)p[n - 1];
		s->line += count_lines(p, n);
		s->in_pos += n;
		return emit_text(s, p, n);
	}
	bool quiet, sparse;
	unsigned lines;
	mf_rc rc = quiet_block(s, p, n, &quiet, &sparse, &lines);
	if (rc != MF_OK)
		return rc;
	mf_found_list_clear(&s->found);
	if (quiet) {
		s->line += lines;
		s->prev = last_cp(p, n);
		s->in_pos += n;
		return emit_text(s, p, n);
	}
	if (!sparse) {
		rc = decode_units(s, p, n);
		if (rc != MF_OK)
			return rc;
	}
	s->blk = p;
	s->blk_n = n;
	s->doc->add_cleared = add_cleared_lines;
	s->doc->add_cleared_arg = s;
	rc = analyse(s);
	s->doc->add_cleared = NULL;
	if (rc == MF_OK && !sparse)
		rc = mf_seed_analyse(&s->units, s->prev, s->doc, &s->found);
	mf_found_list_sort(&s->found);
	if (rc != MF_OK)
		return fail(s, rc, NULL);
	if (s->found.n == 0) {
		/* nothing to change: the block goes out as it came in */
		s->line += count_lines(p, n);
		if (n)
			s->prev = last_cp(p, n);
		s->in_pos += n;
		return emit_text(s, p, n);
	}
	mf_buf *o = &s->outb;
	o->n = 0;
	size_t at = 0;                 /* next byte to copy (units may be of some lines only) */
	const mf_units *u = &s->units;
	uint64_t line = s->line;
	for (size_t k = 0; k < s->found.n; k++) {
		const mf_found *f = &s->found.v[k];
		if (u->off[f->start] < at)
			continue;          /* overlaps an earlier span */
		size_t b0 = at, b1 = u->off[f->start];
		line += count_lines(p + b0, b1 - b0);
		mf_buf_put(o, p + b0, b1 - b0);
		bool apply = !f->unrecoverable && f->detect >= s->opt.min_confidence && f->rep;
		uint64_t out_off = s->out_pos + o->n;
		size_t in_b = u->off[f->start], in_e = u->off[f->end];
		if (apply) {
			for (size_t j = 0; j < f->nrep; j++)
				mf_buf_put_utf8(o, f->rep[j]);
			s->det_none *= 1.0 - f->detect;
			s->exact *= f->exact;
		} else {
			mf_buf_put(o, p + in_b, in_e - in_b);
			if (f->unrecoverable) {
				if (f->confidence > s->max_unrec)
					s->max_unrec = f->confidence;
			} else if (f->detect > s->max_rejected) {
				s->max_rejected = f->detect;
			}
		}
		record_span(s, f, s->in_pos + in_b, in_e - in_b, out_off, s->out_pos + o->n - out_off, line, apply);
		line += count_lines(p + in_b, in_e - in_b);
		at = in_e;
	}
	size_t b0 = at;
	mf_buf_put(o, p + b0, n - b0);
	line += count_lines(p + b0, n - b0);
	if (o->failed)
		return fail(s, MF_ERR_NOMEM, NULL);
	if (o->n != n || memcmp(o->p, p, n) != 0)
		s->rep.changed = 1;
	if (o->n)
		s->prev = last_cp(o->p, o->n);
	s->line = line;
	s->in_pos += n;
	return emit_text(s, o->p, o->n);
}

/* Where to cut the pending input: after the last newline within limit, else
 * (one huge line) at a character boundary. */
static size_t cut_point(const char *p, size_t n, size_t limit)
{
	size_t end = n;
	if (n > limit)
		n = limit;
	for (size_t i = n; i > 0; i--)
		if (p[i - 1] == '\n')
			return i;
	/* p[end] is past the data: a cut there splits no character */
	size_t i = n;
	while (i > 0 && i < end && n - i < 4 && ((unsigned char)p[i] & 0xC0) == 0x80)
		i--;
	return i ? i : n;
}

static mf_rc process(mf_stream *s, bool at_end)
{
	while (s->pending.n > 0) {
		if (s->mode == MODE_UNDECIDED) {
			decide_mode(s, at_end);
			if (s->mode == MODE_UNDECIDED) {
				/* all ASCII: pass complete lines on, wait for more */
				size_t c = cut_point(s->pending.p, s->pending.n, s->pending.n);
				if (s->pending.n < BLOCK_TARGET || c == 0 || c == s->pending.n)
					return MF_OK;
				mf_rc rc = text_block(s, s->pending.p, c);
				if (rc != MF_OK)
					return rc;
				memmove(s->pending.p, s->pending.p + c, s->pending.n - c);
				s->pending.n -= c;
				continue;
			}
		}
		if (!at_end && s->pending.n < BLOCK_TARGET)
			return MF_OK;
		size_t c;
		mf_rc rc;
		if (s->mode == MODE_BINARY) {
			c = s->pending.n;
			rc = emit(s, s->pending.p, c);
			s->in_pos += c;
		} else if (s->mode == MODE_LEGACY) {
			rc = legacy_block(s, s->pending.p, s->pending.n, at_end, &c);
			s->in_pos += c;
			if (rc == MF_OK && c == 0)
				return MF_OK;
		} else {
			c = at_end && s->pending.n <= BLOCK_HARD ? s->pending.n
			                                        : cut_point(s->pending.p, s->pending.n, BLOCK_HARD);
			if (!at_end && c == s->pending.n && s->pending.p[c - 1] != '\n' && c < BLOCK_HARD)
				return MF_OK;
			/* a NUL later in the input: binary after all; pass the rest through */
			if (has_nul(s->pending.p, c)) {
				s->mode = MODE_BINARY;
				s->rep.status = MF_STATUS_BINARY;
				continue;
			}
			rc = text_block(s, s->pending.p, c);
		}
		if (rc != MF_OK)
			return rc;
		memmove(s->pending.p, s->pending.p + c, s->pending.n - c);
		s->pending.n -= c;
	}
	return MF_OK;
}

mf_rc mf_stream_feed(mf_stream *s, const void *buf, size_t len)
{
	if (!s || (!buf && len))
		return MF_ERR_ARG;
	if (s->failed || s->finished)
		return s->failed ? MF_ERR_STATE : fail(s, MF_ERR_STATE, "stream already finished");
	s->rep.bytes_in += len;
	const char *p = buf;
	while (len > 0) {
		size_t take = len < BLOCK_TARGET ? len : BLOCK_TARGET;
		mf_buf_put(&s->pending, p, take);
		if (s->pending.failed)
			return fail(s, MF_ERR_NOMEM, NULL);
		p += take;
		len -= take;
		mf_rc rc = process(s, false);
		if (rc != MF_OK)
			return rc;
	}
	return MF_OK;
}

mf_rc mf_stream_finish(mf_stream *s)
{
	if (!s)
		return MF_ERR_ARG;
	if (s->failed)
		return MF_ERR_STATE;
	if (s->finished)
		return MF_OK;
	mf_rc rc = process(s, true);
	s->finished = true;
	if (rc != MF_OK)
		return rc;
	mf_report *r = &s->rep;
	if (r->status == MF_STATUS_BINARY || r->status == MF_STATUS_LEGACY) {
		if (r->status == MF_STATUS_BINARY)
			r->confidence = 0.0;
		if (r->status == MF_STATUS_LEGACY && s->opt.to_utf8)
			r->changed = 1;
		return MF_OK;
	}
	if (r->napplied > 0) {
		r->status = MF_STATUS_GARBLED;
		/* annotations of the seed family, or layers under a lossy reading,
		 * left in place: not all undone */
		r->confidence = (1.0 - s->det_none) * s->exact *
		                pow(0.2, (double)(s->doc->seed_residual + s->doc->layer_residual));
	} else {
		r->status = MF_STATUS_CLEAN;
		r->confidence = s->max_rejected;
	}
	if (s->max_unrec >= 0.5) {
		r->status = MF_STATUS_UNRECOVERABLE;
		if (s->max_unrec > r->confidence)
			r->confidence = s->max_unrec;
	}
	return MF_OK;
}

/* ---- whole buffers ---- */

static int buf_sink(void *ctx, const char *p, size_t n)
{
	mf_buf *b = ctx;
	mf_buf_put(b, p, n);
	return b->failed ? -1 : 0;
}

mf_rc mf_repair_buffer(const mf_options *opt, const char *in, size_t len, char **out, size_t *outlen,
                       mf_report *rep)
{
	if (!out || !outlen || (!in && len))
		return MF_ERR_ARG;
	mf_buf b = { 0 };
	mf_stream *s;
	mf_rc rc = mf_stream_new(&s, opt, buf_sink, &b);
	if (rc != MF_OK)
		return rc;
	rc = mf_stream_feed(s, in, len);
	if (rc == MF_OK)
		rc = mf_stream_finish(s);
	if (rc == MF_OK && b.failed)
		rc = MF_ERR_NOMEM;
	if (rc == MF_OK) {
		mf_buf_putc(&b, 0);            /* NUL-terminate for convenience */
		if (b.failed) {
			rc = MF_ERR_NOMEM;
		} else {
			*out = b.p;
			*outlen = b.n - 1;
			b.p = NULL;
		}
	}
	if (rep) {
		*rep = s->rep;
		s->rep.spans = NULL;           /* ownership passes to the caller */
	}
	mf_stream_free(s);
	mf_buf_free(&b);
	return rc;
}

/* ---- names ---- */

const char *mf_channel_name(mf_channel ch)
{
	static const char *const names[MF_CH_COUNT] = {
		"utf8-as-gbk", "utf8-as-latin1", "utf8-as-cp1252", "gbk-as-latin1",
		"gbk-as-cp1252", "gbk-island", "pinyin-insert", "gbk-as-utf8", "kunkao",
	};
	return (unsigned)ch < MF_CH_COUNT ? names[ch] : "unknown";
}

const char *mf_channel_steps(mf_channel ch)
{
	static const char *const steps[MF_CH_COUNT] = {
		"encode GBK, decode UTF-8",
		"encode Latin-1, decode UTF-8",
		"encode CP1252, decode UTF-8",
		"encode Latin-1, decode GBK",
		"encode CP1252, decode GBK",
		"decode the raw bytes as GBK",
		"encode GBK, remove inserted (pinyin), solve lost bytes, decode GBK",
		"GBK bytes were decoded as UTF-8: the replaced bytes are lost",
		"GBK read as UTF-8, then as GBK (锟斤拷): the replaced bytes are lost",
	};
	return (unsigned)ch < MF_CH_COUNT ? steps[ch] : "unknown";
}

const char *mf_status_name(mf_status st)
{
	switch (st) {
	case MF_STATUS_CLEAN: return "clean";
	case MF_STATUS_GARBLED: return "garbled";
	case MF_STATUS_UNRECOVERABLE: return "unrecoverable";
	case MF_STATUS_LEGACY: return "legacy-encoding";
	case MF_STATUS_BINARY: return "binary";
	}
	return "error";
}

const char *mf_rc_message(mf_rc rc)
{
	switch (rc) {
	case MF_OK: return "success";
	case MF_ERR_NOMEM: return "out of memory";
	case MF_ERR_ARG: return "invalid argument";
	case MF_ERR_WRITE: return "write failed";
	case MF_ERR_ICONV: return "iconv cannot convert";
	case MF_ERR_OPENCC: return "OpenCC is not available (mojifix was built without libopencc, or its data is missing)";
	case MF_ERR_STATE: return "stream used after an error or after finish";
	}
	return "unknown error";
}
