/* The clean-text pre-scan: a cheap and sound proof that the repair passes
 * (repair.c) cannot find anything on a line, so that clean text never reaches
 * the expensive search.  "Sound" means: when mf_prefilter_line says false,
 * mf_analyse_block finds no candidate of any channel on that line and no
 * unrecoverable span there, whatever the language model, the script, the
 * context or the rest of the block.  It is not a threshold: lines it cannot
 * prove clean go to the full analysis.
 *
 * What the proof rests on (repair.c):
 *  - find_channel works on runs of units the wrong decoder's table encodes,
 *    never across a newline; a candidate starts at a non-ASCII unit and is
 *    what decoding the re-encoded bytes from there yields, up to a character
 *    end; the decoder stops at the first place it cannot go on.  In a
 *    拼音码 run that holds a pair read plainly (a byte >= 0x80 followed by
 *    its GBK trail >= 0x80, a digit or a '?'; the sbcs test below opens the
 *    line for any GBK trail), a candidate may also start at a '?' or an
 *    ASCII byte, and the reading may assume bytes a CP1252 decoder dropped.
 *  - plausible_output: a candidate needs a non-ASCII character in its output;
 *    with a GBK-family or UTF-8-from-GBK target, more CJK-like characters
 *    than other non-ASCII ones, unless unwrap_sbcs_layers reads the output
 *    once more (then it holds a character U+00C2..U+00F4).
 *  - lost bytes (holes) are only ever solved at a U+FFFD, at a '?' where the
 *    UTF-8 decoder needs a byte (a '?' right after it may be a second
 *    error: such windows open the line), or (virtual holes) after two
 *    complete multibyte characters of the same decode, or in a character
 *    cut short after its second byte, or after one character, where plain
 *    UTF-8 follows (two of the next three characters complete), or after
 *    one character where the run ends or ASCII follows.  A virtual hole's fill is up to three bytes, at
 *    any place inside the character, that a decoder dropping what it cannot
 *    decode would drop (repair.c: mf_lost_run_ok).
 *  - One exception, where this proof is short of repair.c: there a stray
 *    continuation byte right after a character read plainly takes that
 *    character back into its window (是三 losing AF E4 reads 昸 and a stray
 *    89).  Random bytes pass such windows too often for the proof to
 *    follow it; a line garbled there is opened by its other starts (the
 *    garbled characters before the loss), and a line the proof clears is
 *    left unchanged, never changed wrongly.
 *  - find_unrecoverable only starts at U+FFFD or U+951F; gbk-island needs
 *    raw bytes (invalid UTF-8); such lines always go to the full analysis.
 *
 * mf_prescan_block gives the same answer for each line of a block of UTF-8
 * bytes without decoding it into units first (the stream's clean-text
 * path); it makes the same slots where a decode may start and hands them to
 * the same gbk_decode_may, and leaves out only starts for which that
 * function gives false within the next character (fast_tab's N_ bits).
 * SPDX-License-Identifier: MIT */
#include <string.h>

#include "internal.h"

#define S_MAYBE 0x200u     /* the slot is a literal '?' (repair.c: MAYBE_HOLE) */
#define S_START 0x400u     /* the slot starts a non-ASCII unit: a decode start */
#define S_UNIT 0x800u      /* the slot starts a unit: a candidate may end before it */
#define S_BYTES 0x2FFu     /* what repair.c compares */

/* mf_cjk_like below U+10000, as bits, and fast_tab (mf_prescan_block):
 * worked out once per thread (tables_init), like the caches below. */
static _Thread_local uint64_t cjk_bits[0x10000 / 64];
static _Thread_local bool tables_done;
static void tables_init(void);

static inline bool cjk_like(uint32_t cp)
{
	return cp < 0x10000 ? cjk_bits[cp >> 6] >> (cp & 63) & 1 : mf_cjk_like(cp);
}

/* A lost-byte window of the UTF-8 decoder (repair.c: solve_hole, enum_fill,
 * consider): the bytes before it (pre, starting with a lead byte, or none),
 * a fill of 1 or 2 bytes, continuation bytes after it (suf), then the byte
 * after the window.  Fills take the shapes enum_fill gives them and must pass
 * consider's test that the wrong decoder could have lost them (under either
 * decoder family).  window_cjk gives -1 when no fill passes (the decoder
 * stops there), else the most CJK-like characters a passing fill gives. */
typedef struct {
	unsigned q[12];
	int npre, nsuf;
	unsigned after;
	bool any;
	int cjk;
	int cap;               /* the most CJK-like characters a window can hold */
	bool virt;             /* no marker: repair.c's virtual hole rules */
} window;

static void try_fill(window *wd, const unsigned *fill, int w)
{
	/* the decoder test, as in consider() with one marker (or none) */
	bool ok_plain, ok_pua;
	if (wd->virt) {
		unsigned nb = wd->nsuf > 0 ? wd->q[wd->npre + w] : wd->after;
		ok_plain = mf_lost_run_ok(fill, w, 0, nb, false);
		ok_pua = mf_lost_run_ok(fill, w, 0, nb, true);
	} else if (w == 1) {
		if (fill[0] < 0x80)
			return;
		unsigned nb = wd->nsuf > 0 ? wd->q[wd->npre + 1] : wd->after;
		ok_plain = !(nb <= 0xFF && mf_gbk_pair_in_gbk((unsigned char)fill[0], (unsigned char)nb));
		ok_pua = !(nb <= 0xFF && mf_gbk_decode_pair((unsigned char)fill[0], (unsigned char)nb) != 0);
	} else {
		if (fill[0] < 0x81 || mf_gbk_pair_in_gbk((unsigned char)fill[0], (unsigned char)fill[1]))
			return;
		ok_plain = true;
		ok_pua = mf_gbk_decode_pair((unsigned char)fill[0], (unsigned char)fill[1]) == 0;
	}
	if (!ok_plain && !ok_pua)
		return;
	unsigned q[12];
	int n = 0;
	for (int i = 0; i < wd->npre; i++)
		q[n++] = wd->q[i];
	for (int i = 0; i < w; i++)
		q[n++] = fill[i];
	for (int i = 0; i < wd->nsuf; i++)
		q[n++] = wd->q[wd->npre + w + i];
	/* parse as complete UTF-8 characters */
	int i = 0, cjk = 0;
	while (i < n) {
		unsigned b = q[i];
		int len = mf_utf8_seq_len((unsigned char)b);
		if (b > 0xFF || len == 0 || i + len > n)
			return;
		if (len == 1) {
			i++;
			continue;
		}
		unsigned lo, hi;
		mf_utf8_second_range(b, &lo, &hi);
		if (q[i + 1] < lo || q[i + 1] > hi)
			return;
		uint32_t v = b & (0x7Fu >> len);
		for (int j = 1; j < len; j++) {
			if (!mf_utf8_is_cont(q[i + j]))
				return;
			v = (v << 6) | (q[i + j] & 0x3F);
		}
		cjk += cjk_like(v);
		i += len;
	}
	wd->any = true;
	if (cjk > wd->cjk)
		wd->cjk = cjk;
}

/* Two fill bytes a, b pass the decoder test when a >= 0x81 and GBK does not
 * map the pair.  Per first byte, the second bytes that pass: worked out once
 * per first byte used (256 bits each). */
static _Thread_local struct {
	bool done;
	uint64_t bits[4];
} lost_mask[256];

static const uint64_t *pair_lost_mask(unsigned a)
{
	if (!lost_mask[a].done) {
		for (unsigned b = 0; b < 256; b++)
			if (a >= 0x81 && !mf_gbk_pair_in_gbk((unsigned char)a, (unsigned char)b))
				lost_mask[a].bits[b >> 6] |= (uint64_t)1 << (b & 63);
		lost_mask[a].done = true;
	}
	return lost_mask[a].bits;
}

/* repair.c: virt_prefix_ok, refusing only what both decoder families
 * refuse (a pair GBK maps PUA-decoders map too: the GBK family's test). */
static bool virt_prefix_may(const window *wd, const unsigned *fill, int pos, int w)
{
	return !wd->virt || mf_lost_prefix_ok(fill, pos, w, false);
}

/* enum_fill's shapes, leaving out those that cannot parse: every byte after
 * the fill is a continuation byte, so the character open at the end of the
 * fill must take exactly the nsuf bytes after it. */
static void enum_window(window *wd, unsigned *fill, int pos, int w, int need, unsigned lead, int seqpos)
{
	if (wd->any && wd->cjk >= wd->cap)
		return;                /* nothing can give more */
	if (pos == w) {
		if (need == wd->nsuf)
			try_fill(wd, fill, w);
		return;
	}
	if (need > 0) {
		if (need - (w - pos) > wd->nsuf || (need >= w - pos && need - (w - pos) != wd->nsuf))
			return;
		unsigned lo = 0x80, hi = 0xBF;
		if (seqpos == 1)
			mf_utf8_second_range(lead, &lo, &hi);
		const uint64_t *ok = pos == 1 && w == 2 && !wd->virt ? pair_lost_mask(fill[0]) : NULL;
		for (unsigned b = lo; b <= hi; b++) {
			if (ok && !(ok[b >> 6] >> (b & 63) & 1))
				continue;      /* try_fill would refuse it */
			if (pos == 0 && w == 2 && b < 0x81 && !wd->virt)
				continue;      /* likewise */
			fill[pos] = b;
			if (!virt_prefix_may(wd, fill, pos, w))
				continue;
			enum_window(wd, fill, pos + 1, w, need - 1, lead, seqpos + 1);
		}
		return;
	}
	const uint64_t *ok = pos == 1 && w == 2 && !wd->virt ? pair_lost_mask(fill[0]) : NULL;
#define REFUSED(b) (ok && !(ok[(b) >> 6] >> ((b) & 63) & 1))
	for (unsigned b = 0xC2; b <= 0xF4; b++) {
		int len = mf_utf8_seq_len((unsigned char)b);
		if (len - 1 - (w - pos - 1) != wd->nsuf || REFUSED(b))
			continue;
		fill[pos] = b;
		if (virt_prefix_may(wd, fill, pos, w))
			enum_window(wd, fill, pos + 1, w, len - 1, b, 1);
	}
	if (pos == w - 1 && pos > 0 && wd->nsuf == 0) {
		for (unsigned b = 0x20; b < 0x40; b++) {
			if (REFUSED(b))
				continue;
			fill[pos] = b;
			if (virt_prefix_may(wd, fill, pos, w))
				enum_window(wd, fill, pos + 1, w, 0, 0, 0);
		}
		static const unsigned ctl[] = { '\n', '\t', '\r' };
		for (unsigned c = 0; c < sizeof ctl / sizeof ctl[0]; c++) {
			fill[pos] = ctl[c];
			if (!REFUSED(ctl[c]) && virt_prefix_may(wd, fill, pos, w))
				enum_window(wd, fill, pos + 1, w, 0, 0, 0);
		}
	}
#undef REFUSED
}

#define WCACHE_BITS 14
/* the key of a window (bit 63 set, bits 61 and 62 clear) with its
 * window_cjk() + 1 in bits 61 and 62 */
static _Thread_local uint64_t wcache[1u << WCACHE_BITS];

static int window_cjk(window *wd, const unsigned *suf);

/* The window over b[i..j) (pre), fill, then continuation bytes from e0;
 * sets *e past it.  False: no fill passes. */
/* A walk may be given only the first n slots of its run (cut non-NULL):
 * where the run's end would decide something, it sets *cut and gives up
 * (false); run_may then gives it the whole run. */
#define CUT_AT(x) ((x) >= n && cut && (*cut = true))

/* The most CJK-like characters a passing fill of the window over b[i..j)
 * (pre), fill, continuation bytes from e0 gives: -1 if none passes, -2
 * where the window's end lies past the slots given (cut set).  Sets *e past
 * the window.  Recent answers are remembered (they depend on these bytes
 * only); virtual windows apart, in vcache. */
static _Thread_local uint64_t vcache[1u << WCACHE_BITS];

static int window_at(const uint16_t *b, size_t n, size_t i, size_t j, size_t e0, bool virt, size_t *e,
                     bool *cut)
{
	int npre = (int)(j - i);
	if (npre > 3)
		return 2;              /* cannot happen; stay generous */
	uint64_t key = (uint64_t)1 << 63 | (uint64_t)npre << 50;
	for (int q = 0; q < npre; q++)
		key |= (uint64_t)(b[i + (size_t)q] & 0xFF) << (24 + 8 * q);
	int nsuf = 0;
	size_t x = e0;
	while (x < n && nsuf < 3 && !(b[x] & S_MAYBE) && mf_utf8_is_cont(b[x] & 0xFF))
		key |= (uint64_t)(b[x++] & 0xFF) << (8 * nsuf++);
	if (CUT_AT(x))
		return -2;
	unsigned after = x < n ? (b[x] & 0xFF) : 0x100;
	key |= (uint64_t)after << 52 | (uint64_t)nsuf << 48;
	*e = x;
	/* two ways per set: two windows a text uses a lot may share a set */
	uint64_t *set = &(virt ? vcache : wcache)[((key * 0x9E3779B97F4A7C15u) >> (64 - WCACHE_BITS)) & ~(uint64_t)1];
	const uint64_t mask = ~((uint64_t)3 << 61);
	uint64_t got = set[0];
	if ((got & mask) != key && ((got = set[1]) & mask) != key) {
		window wd;
		wd.npre = npre;
		wd.nsuf = nsuf;
		wd.any = false;
		wd.cjk = 0;
		wd.cap = npre ? 2 : 1;
		wd.after = after;
		wd.virt = virt;
		for (int q = 0; q < npre; q++)
			wd.q[q] = b[i + (size_t)q] & 0xFF;
		unsigned suf[3];
		for (int q = 0; q < nsuf; q++)
			suf[q] = b[e0 + (size_t)q] & 0xFF;
		got = key | (uint64_t)(window_cjk(&wd, suf) + 1) << 61;
		set[1] = set[0];
		set[0] = got;
	}
	return (int)(got >> 61 & 3) - 1;
}

static bool hole_window(const uint16_t *b, size_t n, size_t i, size_t j, size_t e0, size_t *e,
                        long *k, long *cu, bool *cut)
{
	int cjk = window_at(b, n, i, j, e0, false, e, cut);
	if (cjk < 0)
		return false;
	if (j > i && (b[i] & 0xFF) <= 0xE1)
		(*k)++;                /* the character of the known lead: below U+2000 */
	*cu += cjk;
	return true;
}

/* repair.c: solve_hole with virt.  Bytes a decoder dropped without a marker
 * in the character from start, cut at h: the fill may sit at every place
 * inside it (pre b[start..p), continuation bytes from p on), each window
 * ending where the first does. */
static bool virt_hole(const uint16_t *b, size_t n, size_t start, size_t h, size_t *e, long *k, long *cu,
                      bool *cut)
{
	int best = window_at(b, n, start, h, h, true, e, cut);
	if (best == -2)
		return false;
	for (size_t p = h; p-- > start + 1;) {
		size_t x;
		int c = window_at(b, n, start, p, p, true, &x, cut);
		if (c == -2)
			return false;
		if (x == *e && c > best)
			best = c;
	}
	if (best < 0)
		return false;
	if (h > start && (b[start] & 0xFF) <= 0xE1)
		(*k)++;                /* the character of the known lead: below U+2000 */
	*cu += best;
	return true;
}

/* Whether the character whose first npre bytes are q[0..npre) can be
 * CJK-like, whatever bytes complete it: its code points span [lo, hi].
 * Above the BMP, only Han is CJK-like (mf_cjk_like), in one range; in it,
 * cjk_bits. */
static bool pre_may_cjk(const unsigned *q, int npre)
{
	int len = mf_utf8_seq_len((unsigned char)q[0]);
	if (len < 3 || npre > len)
		return len == 0;       /* (not a lead: stay generous) */
	uint32_t lo = q[0] & (0x7Fu >> len), hi;
	for (int k = 1; k < npre; k++)
		lo = lo << 6 | (q[k] & 0x3F);
	hi = lo;
	for (int k = npre; k < len; k++) {
		lo <<= 6;
		hi = hi << 6 | 0x3F;
	}
	if (hi >= MF_HAN_SUPP_FIRST && lo <= MF_HAN_SUPP_LAST)
		return true;
	if (lo > 0xFFFF)
		return false;
	if (hi > 0xFFFF)
		hi = 0xFFFF;
	for (uint32_t w = lo >> 6; w <= hi >> 6; w++) {
		uint64_t m = cjk_bits[w];
		if (w == lo >> 6)
			m &= ~(uint64_t)0 << (lo & 63);
		if (w == hi >> 6)
			m &= ~(uint64_t)0 >> (63 - (hi & 63));
		if (m)
			return true;
	}
	return false;
}

/* The most CJK-like characters a passing fill gives, -1 if none passes. */
static int window_cjk(window *wd, const unsigned *suf)
{
	window wdv = *wd;
	int need = 0;
	unsigned lead = 0;
	if (wdv.npre) {
		lead = wdv.q[0];
		need = mf_utf8_seq_len((unsigned char)lead) - wdv.npre;
	}
	unsigned fill[4];
	int cap = wdv.cap;
	bool pre_cjk = wdv.npre && pre_may_cjk(wdv.q, wdv.npre);
	for (int w = 1; w <= (wdv.virt ? 3 : 2); w++) {
		/* The most CJK-like characters a fill of w bytes can give:
		 * CJK-like characters lie at U+2000 and above (mf_cjk_like), so
		 * each takes three bytes or more.  The pre character may be one
		 * where its code points reach them (pre_may_cjk); a new one starts in
		 * the fill (suffix bytes only continue) and takes the rest of
		 * the fill and of the suffix.  Once that many are found, and a
		 * fill passed, w is done: the answer cannot change. */
		int most = cap;
		if (!wdv.npre || need >= 0) {
			int rest = wdv.npre ? (w > need ? w - need : 0) : w;
			int fresh = (rest + wdv.nsuf) / 3;
			most = pre_cjk + (fresh < rest ? fresh : rest);
		}
		wdv.cap = most < cap ? most : cap;
		if (wdv.any && wdv.cjk >= wdv.cap)
			continue;
		/* suffix after the fill */
		for (int q = 0; q < wdv.nsuf; q++)
			wdv.q[wdv.npre + w + q] = suf[q];
		/* the decoder test reads the byte after the fill at q[npre + 1]
		 * only for w == 1 */
		enum_window(&wdv, fill, 0, w, need, lead, wdv.npre);
	}
	return wdv.any ? wdv.cjk : -1;
}

/* A Latin-1/CP1252 byte for cp, or -1 (repair.c: encode_unit, sbcs). */
static inline int sbcs_byte(uint32_t cp)
{
	if (cp <= 0xFF)
		return (int)cp;
	if (cp < 0x152 || cp > 0x2122)
		return -1;
	bool c1252;
	return mf_sbcs_encode(cp, &c1252);
}

#define MAX_STEPS 256

/* repair.c: find_unrecoverable reads '?' as a GBK-as-UTF-8 decoder's
 * debris with enough of them and a character U+0100..U+07FF in its window */
#define QMARK_DEBRIS(nq, odd) ((nq) >= MF_QMARK_DEBRIS_MIN && (odd))

/* utf8-as-gbk from slot i: can some prefix of the decode that ends at a unit
 * boundary (where find_channel cuts candidates) hold more CJK-like characters
 * (counted generously) than other non-ASCII ones? */
static bool gbk_decode_may(const uint16_t *b, size_t n, size_t i, bool *cut)
{
	unsigned nmb = 0, nvirt = 0;
	long k = 0, cu = 0;           /* sure non-CJK non-ASCII; possibly CJK */
	bool sbcs_lead = false;       /* the last character decoded is a Latin-1 lead */
	/* repair.c: unwrap_sbcs_layers also reads a lossless output that is
	 * all Latin-1/CP1252 as GBK (拼音码 under the layer): whether the
	 * output so far is that, its bytes pairing up as GBK, two pairs or more */
	bool sb_bad = false;
	int sb_lead = -1, sb_pairs = 0;
	int steps = 0;
	while (!CUT_AT(i) && i < n) {
		if (++steps > MAX_STEPS)
			return true;
		unsigned v = b[i] & S_BYTES;
		unsigned byte = v & 0xFF;
		int len = mf_utf8_seq_len((unsigned char)byte);
		if (len == 1) {
			i++;               /* ASCII: a candidate may end after it */
			if (sb_lead >= 0) {
				sb_bad |= !mf_gbk_pair_in_gbk((unsigned char)sb_lead, (unsigned char)byte);
				sb_pairs++;
			}
			sb_lead = -1;
			if ((cu > k || (sb_pairs >= 2 && !sb_bad)) && (i >= n ? !CUT_AT(i) : (b[i] & S_UNIT) != 0))
				return true;
			continue;
		}
		if (len == 0) {
			if (!mf_utf8_is_cont(byte) || nvirt >= 64)
				return false;
			/* a virtual hole before stray continuation bytes, after two
			 * characters.  (The one place this proof is short of
			 * repair.c: there the character read just before a stray
			 * byte goes back into the window, which random bytes pass
			 * too often to be worth proving; a line garbled there opens
			 * on its other starts.) */
			if (nmb < 2)
				return false;
			sb_bad = true;     /* a lossy reading is not read again */
			size_t e;
			if (!virt_hole(b, n, i, i, &e, &k, &cu, cut))
				return false;
			nvirt++;
			i = e;
			if (cu > k && (i >= n ? !CUT_AT(i) : (b[i] & S_UNIT) != 0))
				return true;
			continue;
		}
		size_t j = i + 1;
		unsigned lo, hi;
		mf_utf8_second_range(byte, &lo, &hi);
		bool ok = true, hole = false;
		for (int q = 1; q < len; q++, j++) {
			if (j >= n) {
				if (CUT_AT(j))
					return false;
				ok = false;
				break;
			}
			unsigned c = b[j] & S_BYTES;
			bool in = q == 1 ? (c & 0xFF) >= lo && (c & 0xFF) <= hi : mf_utf8_is_cont(c & 0xFF);
			if ((c & S_MAYBE) && !in) {
				hole = true;
				break;
			}
			if (q == 1 ? (c < lo || c > hi) : !mf_utf8_is_cont(c)) {
				ok = false;
				break;
			}
		}
		if (hole || !ok) {
			sb_bad = true;
			size_t e;
			if (!hole) {
				/* a virtual hole in a character cut short (repair.c:
				 * VIRT_OK: the lead and a second byte before it, or a
				 * character read before the lead) */
				if (nvirt >= 64)
					return false;
				if (nmb < 2 && !(nmb >= 1 && (j >= n || (b[j] & S_BYTES) < 0x80))) {
					/* (repair.c: mf_utf8_ahead; past the slots given,
					 * the whole run decides; or after a character, at
					 * the run's end, before ASCII or before a complete
					 * character) */
					int a = j >= i + 2 ? mf_utf8_ahead(b, n, i + 1, 2) : 0;
					if (a <= 0 && nmb >= 1) {
						int c = mf_utf8_char_at(b, n, j);
						a = c > 0 ? 1 : c < 0 ? -1 : a;
					}
					if (a < 0 && !CUT_AT(n))
						a = 0;
					if (a <= 0)
						return false;
				}
				if (!virt_hole(b, n, i, j, &e, &k, &cu, cut))
					return false;
			} else if (j + 1 < n && (b[j + 1] & S_MAYBE)) {
				return true;       /* repair.c may take "??" as two errors */
			} else if (!hole_window(b, n, i, j, j + 1, &e, &k, &cu, cut))
				return false;
			if (!hole)
				nvirt++;
			i = e;
			if (cu > k && (i >= n ? !CUT_AT(i) : (b[i] & S_UNIT) != 0))
				return true;
			continue;
		}
		nmb++;
		uint32_t cp = byte & (0x7Fu >> len);     /* (valid UTF-8: as mf_utf8_decode) */
		for (int q = 1; q < len; q++)
			cp = cp << 6 | (b[i + (size_t)q] & 0x3F);
		if (!sb_bad) {
			int sbb = sbcs_byte(cp);
			if (sbb < 0x80) {
				sb_bad = true;
			} else if (sb_lead >= 0) {
				sb_bad = !mf_gbk_pair_in_gbk((unsigned char)sb_lead, (unsigned char)sbb);
				sb_lead = -1;
				sb_pairs++;
			} else {
				sb_lead = sbb;
			}
		}
		/* repair.c: unwrap_sbcs_layers reads the output again as UTF-8 in
		 * Latin-1/CP1252, and any script may come out of that; it needs a
		 * lead byte (U+00C2..U+00F4) and a continuation byte after it, and
		 * a decode without lost bytes (a fill never makes one) */
		int sb = cp >= 0x80 ? sbcs_byte(cp) : -1;
		if (sbcs_lead && sb >= 0x80 && sb <= 0xBF)
			return true;
		sbcs_lead = sb >= 0xC2 && sb <= 0xF4;
		if (cjk_like(cp))
			cu++;
		else
			k++;
		i += (size_t)len;
		if ((cu > k || (sb_pairs >= 2 && !sb_bad && sb_lead < 0)) && (i >= n ? !CUT_AT(i) : (b[i] & S_UNIT) != 0))
			return true;
	}
	return false;
}

/* The sbcs channels: can the byte of a unit (>= 0) continue the byte of the
 * unit before it (prev >= 0x80) in a first decode step? */
static inline bool sbcs_pair_may(int prev, int byte)
{
	if (byte == '?')
		return true;
	if (prev >= 0xC2 && prev <= 0xF4 && mf_utf8_is_cont((unsigned)byte))
		return true;
	if (prev >= 0x81 && mf_gbk_pair_in_gbk((unsigned char)prev, (unsigned char)byte))
		return true;
	/* repair.c: gb18030_four, a lead then a digit */
	if (prev >= 0x81 && byte >= 0x30 && byte <= 0x39)
		return true;
	return false;
}

bool mf_prefilter_line(const uint32_t *cps, size_t n, uint16_t *slots)
{
	if (!tables_done)
		tables_init();
	size_t i, nq = 0;
	bool nonascii = false, odd = false;
	for (i = 0; i < n; i++) {
		uint32_t c = cps[i];
		if (c < 0x80) {
			nq += c == '?';
			continue;
		}
		if (c == 0xFFFD || c == 0x951F || MF_IS_RAW(c))
			return true;
		odd |= c >= 0x100 && c < 0x800;
		nonascii = true;
	}
	if (!nonascii)
		return false;
	if (QMARK_DEBRIS(nq, odd))
		return true;

	/* utf8-as-latin1/cp1252 and gbk-as-latin1/cp1252: a decode's first step
	 * needs a non-ASCII unit the table encodes followed, in the same run, by
	 * a '?' or by a byte that continues it (UTF-8 continuation, GBK trail,
	 * the digit of a GB18030 four-byte sequence). */
	int prev = -1;                 /* byte of the previous unit, -1: a barrier */
	for (i = 0; i < n; i++) {
		int byte = sbcs_byte(cps[i]);
		if (prev >= 0x80 && byte >= 0 && sbcs_pair_may(prev, byte))
			return true;
		if (byte == 0x80)
			return true;
		prev = byte;
	}

	/* utf8-as-gbk: re-encode each run, try every decode start */
	i = 0;
	while (i < n) {
		size_t ns = 0;
		bool any = false;
		while (i < n) {
			uint32_t c = cps[i];
			if (c == '?') {
				slots[ns++] = '?' | S_MAYBE | S_UNIT;
			} else {
				unsigned char g[2];
				int k = mf_gbk_encode(c, g);
				if (k == 0)
					break;
				slots[ns++] = g[0] | S_UNIT | (c >= 0x80 ? S_START : 0);
				if (k == 2)
					slots[ns++] = g[1];
				any |= c >= 0x80;
			}
			i++;
		}
		if (i < n)
			i++;           /* the barrier */
		if (!any)
			continue;
		for (size_t s = 0; s < ns; s++) {
			if (!(slots[s] & S_START))
				continue;
			/* most starts fail at once: no lead byte, or a two-byte lead
			 * whose next byte neither continues it nor is a '?' */
			unsigned lb = slots[s] & 0xFF;
			if (lb < 0xC2 || lb > 0xF4)
				continue;
			if (lb <= 0xDF && s + 1 < ns && !(slots[s + 1] & S_MAYBE) && !mf_utf8_is_cont(slots[s + 1] & 0xFF))
				continue;
			if (gbk_decode_may(slots, ns, s, NULL))
				return true;
		}
	}
	return false;
}

/* The slots of a run's units from byte a on (valid UTF-8 that GBK encodes,
 * up to e), as mf_prefilter_line makes them, for at most max units; *stop
 * gets where they end. */
static size_t run_slots(const unsigned char *p, size_t a, size_t e, size_t max, uint16_t *slots, size_t *stop)
{
	const uint16_t *enc = mf_gbk_enc_bmp;
	uint16_t *sl = slots;
	for (; a < e && max > 0; max--) {
		unsigned b0 = p[a];
		uint32_t c;
		if (b0 >= 0xE0) {
			c = (b0 & 0x0Fu) << 12 | (p[a + 1] & 0x3Fu) << 6 | (p[a + 2] & 0x3Fu);
			a += 3;            /* (four-byte characters end a run) */
		} else if (b0 >= 0x80) {
			c = (b0 & 0x1Fu) << 6 | (p[a + 1] & 0x3Fu);
			a += 2;
		} else {
			*sl++ = (uint16_t)(b0 | S_UNIT | (b0 == '?' ? S_MAYBE : 0));
			a++;
			continue;
		}
		unsigned v = enc[c];
		if (v < 0x100) {
			*sl++ = (uint16_t)(v | S_UNIT | S_START);
		} else {
			sl[0] = (uint16_t)(v >> 8 | S_UNIT | S_START);
			sl[1] = (uint16_t)(v & 0xFF);
			sl += 2;
		}
	}
	*stop = a;
	return (size_t)(sl - slots);
}

/* The utf8-as-gbk starts recorded in one run, p[..e): their byte offsets.
 * A decode reads the slots from its start on, most only a few: each is
 * first given those of the next RUN_PEEK units, the whole rest of the run
 * when that is cut short. */
#define RUN_PEEK 8
static bool run_may(const unsigned char *p, size_t e, uint16_t *slots, const uint32_t *starts, size_t nst)
{
	for (size_t k = 0; k < nst; k++) {
		size_t stop;
		size_t ns = run_slots(p, starts[k], e, RUN_PEEK, slots, &stop);
		bool cut = false;
		bool may = gbk_decode_may(slots, ns, 0, stop < e ? &cut : NULL);
		if (cut) {
			ns = run_slots(p, starts[k], e, SIZE_MAX, slots, &stop);
			may = gbk_decode_may(slots, ns, 0, NULL);
		}
		if (may)
			return true;
	}
	return false;
}

/* Per GBK lead byte: the trails with which it starts a first UTF-8
 * character that may decode (its second-byte range, lo | (hi - lo) << 9),
 * an empty range (lo 0x100) when the lead starts none. */
#define SR_(l, lo, hi) ((uint32_t)(lo) | (uint32_t)((hi) - (lo)) << 9)
#define SR(l) ((l) < 0xC2 || (l) > 0xF4 ? SR_(l, 0x100, 0x100) : (l) == 0xE0 ? SR_(l, 0xA0, 0xBF) :      \
               (l) == 0xED ? SR_(l, 0x80, 0x9F) : (l) == 0xF0 ? SR_(l, 0x90, 0xBF) :                    \
               (l) == 0xF4 ? SR_(l, 0x80, 0x8F) : SR_(l, 0x80, 0xBF))
#define SR4(l) SR(l), SR((l) + 1), SR((l) + 2), SR((l) + 3)
#define SR16(l) SR4(l), SR4((l) + 4), SR4((l) + 8), SR4((l) + 12)
#define SR64(l) SR16(l), SR16((l) + 16), SR16((l) + 32), SR16((l) + 48)
static const uint32_t start_range[256] = { SR64(0), SR64(64), SR64(128), SR64(192) };

static inline bool starts_char(unsigned lead, unsigned trail)
{
	uint32_t r = start_range[lead];
	return trail - (r & 0x1FF) <= r >> 9;
}

/* Per BMP code point, for the common case of mf_prescan_block: F_FAST when
 * GBK encodes it in two bytes (lead, trail) and no test treats it apart (not
 * sbcs-encodable, not U+FFFD or U+951F, outside the PUA evidence range);
 * then F_HAN for mf_is_han, F_START when it is a start whose trail can
 * follow its lead (starts_char), F_LEAD and F_TRAIL when its lead and its
 * trail are UTF-8 continuation bytes.
 *
 * The N_ bits say what the next character of the run must be (F_ bits, 3
 * places up) for gbk_decode_may from such a start not to give false at
 * once.  The first character's trail is in its second-byte range.  A
 * two-byte lead: the character is complete and not CJK-like (k = 1, nmb =
 * 1), the walk goes on at the next lead, which must start a character whose
 * trail can follow it (F_START); else it ends there (no hole: a trail is
 * never '?'; no virtual hole before two multibyte characters).  A three-
 * or four-byte lead: the character needs the next lead (and trail) as
 * continuation bytes, or it ends there.  Such a start is dropped as soon as
 * the next character says so. */
#define F_FAST 1u
#define F_HAN_SHIFT 1
#define F_HAN 2u
#define F_START 4u
#define F_LEAD 8u
#define F_TRAIL 16u
#define N_SHIFT 3
#define N_START (F_START << N_SHIFT)
#define N_LEAD (F_LEAD << N_SHIFT)
#define N_TRAIL (F_TRAIL << N_SHIFT)
static _Thread_local uint8_t fast_tab[0x10000];

static void tables_init(void)
{
	tables_done = true;
	for (uint32_t c = 0; c <= 0xFFFF; c++)
		if (mf_cjk_like(c))
			cjk_bits[c >> 6] |= (uint64_t)1 << (c & 63);
	for (uint32_t c = 0x2123; c <= 0xFFFF; c++) {
		unsigned v = mf_gbk_enc_bmp[c];
		if (v < 0x100 || c == 0x951F || c == 0xFFFD || mf_is_user_pua(c))
			continue;
		unsigned lead = v >> 8, trail = v & 0xFF;
		unsigned f = F_FAST | (unsigned)mf_is_han(c) << F_HAN_SHIFT;
		if (mf_utf8_is_cont(lead))
			f |= F_LEAD;
		if (mf_utf8_is_cont(trail))
			f |= F_TRAIL;
		if (starts_char(lead, trail)) {
			f |= F_START;
			int len = mf_utf8_seq_len((unsigned char)lead);
			if (len == 2 && !cjk_like((lead & 0x1Fu) << 6 | (trail & 0x3Fu)))
				f |= N_START;
			else if (len >= 3)
				f |= N_LEAD | (len == 4 ? N_TRAIL : 0);
		}
		fast_tab[c] = (uint8_t)f;
	}
}

/* Does the word hold a byte >= 0x80, a '\n' or a '?' (or a false hit after
 * one of them)? */
static inline bool word_stops(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	uint64_t nl = w ^ (ones * '\n'), qm = w ^ (ones * '?');
	return ((w | ((nl - ones) & ~nl) | ((qm - ones) & ~qm)) & high) != 0;
}

bool mf_prescan_block(const unsigned char *p, size_t n, uint16_t *slots, uint32_t *starts, mf_prescan *out)
{
	if (!tables_done)
		tables_init();
	const uint8_t *fast = fast_tab;
	const uint16_t *enc = mf_gbk_enc_bmp;
	unsigned han = 0, lines = 0;
	bool pua = false;
	/* per line: the sbcs byte of the previous unit (-1: a barrier), whether
	 * that unit is non-ASCII, the utf8-as-gbk starts recorded in the
	 * current run (run_may) */
	int prev = -1;
	bool after_na = false;
	size_t nst = 0;
	size_t i = 0;
	size_t line_start = 0;         /* where the current line began */
	unsigned han_line = 0;         /* han before it */
	size_t line_q = 0;             /* its '?' */
	bool line_odd = false;         /* and whether it holds a U+0100..U+07FF */
	out->nopen = 0;
scan:
	while (i < n) {
		unsigned b0 = p[i];
		if (i + 2 < n && (b0 & 0xF0) == 0xE0) {
			/* the common case: three-byte characters GBK encodes in two
			 * bytes, none of which any test below treats apart */
			const unsigned char *q = p + i, *end = p + n - 2;
			unsigned han2 = 0;     /* twice the count */
			unsigned pf = 0;       /* the character before: its flags */
			do {
				unsigned t1 = q[1] ^ 0x80u, t2 = q[2] ^ 0x80u;
				if ((t1 | t2) > 0x3F)
					break;     /* not continuation bytes */
				unsigned f = fast[(q[0] & 0x0Fu) << 12 | t1 << 6 | t2];
				if (!(f & F_FAST))
					break;
				han2 += f & F_HAN;
				/* the start before this character is tried unless this
				 * one ends its walk (N_ bits) */
				if (pf & F_START && !(pf >> N_SHIFT & ~f & (F_START | F_LEAD | F_TRAIL)))
					starts[nst++] = (uint32_t)(q - p) - 3;
				pf = f;
				q += 3;
			} while (q < end && (*q & 0xF0) == 0xE0);
			if (pf & F_START)
				starts[nst++] = (uint32_t)(q - p) - 3;
			if (q > p + i) {
				prev = -1;         /* sbcs_byte() of each */
				after_na = true;
				han += han2 >> F_HAN_SHIFT;
				i = (size_t)(q - p);
				continue;
			}
		}
		if (b0 < 0x80) {
			if (b0 == '\n') {
				if ((nst && run_may(p, i, slots, starts, nst)) || QMARK_DEBRIS(line_q, line_odd))
					goto open_line;
				line_q = 0;
				line_odd = false;
				nst = 0;
				prev = -1;
				after_na = false;
				lines++;
				i++;
				line_start = i;
				han_line = han;
				continue;
			}
			if (prev >= 0x80 && sbcs_pair_may(prev, (int)b0))
				goto open_line;
			if ((b0 == '?' || (b0 == '(' && after_na)) && mf_seed_annotation_may(p, n, i + 1))
				return true;
			line_q += b0 == '?';
			after_na = false;
			i++;
			/* more ASCII: none of the tests above applies before a '\n',
			 * a '?' or a non-ASCII byte */
			while (i + 8 <= n) {
				uint64_t w;
				memcpy(&w, p + i, 8);
				if (word_stops(w))
					break;
				i += 8;
			}
			while (i < n && p[i] < 0x80 && p[i] != '\n' && p[i] != '?')
				i++;
			prev = (int)p[i - 1];
			continue;
		}
		/* strict UTF-8 (mf_utf8_decode); an invalid byte is a raw unit */
		size_t at = i;
		uint32_t c;
		unsigned b1 = i + 1 < n ? p[i + 1] : 0;
		if (b0 >= 0xE0 && b0 <= 0xEF) {
			unsigned lo, hi;
			mf_utf8_second_range(b0, &lo, &hi);
			if (i + 2 >= n || b1 < lo || b1 > hi || !mf_utf8_is_cont(p[i + 2]))
				goto open_line;
			c = (b0 & 0x0Fu) << 12 | (b1 & 0x3Fu) << 6 | (p[i + 2] & 0x3Fu);
			i += 3;
		} else if (b0 >= 0xC2 && b0 <= 0xDF) {
			if (i + 1 >= n || !mf_utf8_is_cont(b1))
				goto open_line;
			c = (b0 & 0x1Fu) << 6 | (b1 & 0x3Fu);
			i += 2;
			line_odd |= c >= 0x100;
		} else if (b0 >= 0xF0 && b0 <= 0xF4) {
			unsigned lo, hi;
			mf_utf8_second_range(b0, &lo, &hi);
			if (i + 3 >= n || b1 < lo || b1 > hi || !mf_utf8_is_cont(p[i + 2]) || !mf_utf8_is_cont(p[i + 3]))
				goto open_line;
			c = (b0 & 0x07u) << 18 | (b1 & 0x3Fu) << 12 | (p[i + 2] & 0x3Fu) << 6 | (p[i + 3] & 0x3Fu);
			i += 4;
		} else {
			goto open_line;
		}
		after_na = true;
		if (c == 0xFFFD || c == 0x951F)
			goto open_line;
		int byte = sbcs_byte(c);
		if (byte >= 0 && ((prev >= 0x80 && sbcs_pair_may(prev, byte)) || byte == 0x80))
			goto open_line;
		prev = byte;
		unsigned v = c <= 0xFFFF ? enc[c] : 0;
		han += mf_is_han(c) && v != 0;
		pua |= mf_is_user_pua(c);
		if (v == 0) {
			/* a barrier: the run ends */
			if (nst && run_may(p, at, slots, starts, nst))
				goto open_line;
			nst = 0;
			continue;
		}
		/* a start whose second byte (the trail, or the next unit's first)
		 * cannot follow the lead fails at once */
		if (v < 0x100 ? v >= 0xC2 && v <= 0xF4 : starts_char(v >> 8, v & 0xFF))
			starts[nst++] = (uint32_t)at;
	}
	if ((nst && run_may(p, n, slots, starts, nst)) || QMARK_DEBRIS(line_q, line_odd)) {
		i = n;
		goto open_line;
	}
	goto done;
open_line:
	/* the repair passes must read this line: note it, leave its Han
	 * count to them, go on after its newline */
	out->open[out->nopen++] = (uint32_t)line_start;
	han = han_line;
	{
		const unsigned char *nl = i < n ? memchr(p + i, '\n', n - i) : NULL;
		i = nl ? (size_t)(nl - p) + 1 : n;
		lines += nl != NULL;
	}
	line_start = i;
	nst = 0;
	prev = -1;
	after_na = false;
	line_q = 0;
	line_odd = false;
	if (i < n)
		goto scan;
done:
	out->han = han;
	out->pua = pua;
	out->lines = lines;
	return false;
}
