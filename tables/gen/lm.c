/*
 * lm.c: generate tables/lm.h, a character unigram + bigram language model
 * for simplified and traditional Chinese.
 * SPDX-License-Identifier: MIT
 *
 * usage: lm [-B BYTES] [-W WEIGHT] [-o OUT] DESC jieba/dict.txt DESC essay.txt
 *           DESC s2t.json DESC t2s.json DESC t2tw.json DESC t2hk.json
 *           DESC MANLIST DESC FORTUNELIST
 * (MANLIST, FORTUNELIST: files naming the zh_CN man pages (troff, .gz) and
 * the fortune files, one path a line; tables/generate.sh writes them)
 *
 * Corpora: word lists with counts, and running text.
 *   simplified  = jieba + t2s(essay) + text
 *   traditional = essay + s2t(jieba) + s2t(text)
 * converted with OpenCC word by word, counts kept; essay counts are scaled by
 * mass(jieba)/mass(essay) so both sources weigh the same in both models.
 * Word lists know only the pairs inside words; the running text (man pages
 * and fortunes: runs of adjacent CJK characters, each run counted once)
 * brings the pairs across word boundaries (沙沙响。 not 沙沙品。).  Its
 * counts are scaled so that its pair mass is WEIGHT (-W, default
 * TEXT_WEIGHT) times the word lists' pair mass, per script.
 * Traditional text comes in three orthographies: OpenCC's (which essay and
 * s2t use: 爲 裏 衆 啓), Taiwan's (為 裡 眾 啟) and Hong Kong's (為 裏 眾 啓).
 * Each traditional word's count is split equally among its distinct forms
 * {w, t2tw(w), t2hk(w)}, so the model knows all three.
 * A word's count is added to each of its CJK characters (unigram) and to each
 * adjacent pair of CJK characters inside it (bigram).
 *
 * Model, per script, costs = round(-ln p * MF_LM_SCALE) clamped to 0..255:
 *   P(c)     = (u(c) + 0.5) / (N + 0.5 V)                 add-0.5 unigram
 *   lambda(a)= n(a) / (n(a) + T(a))                       Witten-Bell
 *   P(b|a)   = lambda(a) c(ab)/n(a) + (1 - lambda(a)) P(b)
 *   bo[a]    = cost(1 - lambda(a)); unstored pair: bo[a] + uni[b]
 * Pruning: all bigrams of both scripts compete for the byte budget (-B,
 * default 1774000 bytes of array data, unigram arrays included: with the
 * row and code point indexes, 225,800 bytes, the model stays under the
 * 2 MB the brief allows).  A bigram's
 * value is c(ab) * (bo[a] + uni[b] - stored cost), in quantised costs: the
 * total cost the stored entry saves on the training counts.  The highest
 * values are kept (ties: simplified first, then key order).  The default
 * budget and weight were chosen by fill accuracy of lossy repairs and held-
 * out .mo text (tables/README.md).
 */
/* the code point range the generated index covers directly: CJK Extension A
 * and the URO (ids fit 16 bits: the vocabulary has fewer than 65535) */
#define MF_LM_HAN_FIRST 0x3400u
#define MF_LM_HAN_LAST 0x9FFFu
#include "genutil.h"

#include <math.h>
#include <opencc.h>
#include <stdlib.h>
#include <string.h>

#define SCALE 8
/* default -W: running text pair mass / word-list pair mass (README sweep) */
#define TEXT_WEIGHT 1.0
#define MAXCP 0x40000

static int is_cjk(uint32_t c)
{
	return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF);
}

static int quant(double nlp)
{
	if (nlp != nlp)
		gen_die("cost of NaN");
	double x = floor(nlp * SCALE + 0.5);
	if (x < 0)
		return 0;
	if (x > 255)
		return 255;
	return (int)x;
}

typedef struct {
	char **w;
	double *c;
	size_t n, cap;
	double mass;
} wordlist;

static void wl_push(wordlist *l, char *w, double c)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->w = gen_xrealloc(l->w, l->cap * sizeof *l->w);
		l->c = gen_xrealloc(l->c, l->cap * sizeof *l->c);
	}
	l->w[l->n] = w;
	l->c[l->n++] = c;
	l->mass += c;
}

/* jieba: "word count tag"; essay: "word\tcount" */
static void read_words(const char *path, int jieba, wordlist *l)
{
	FILE *fp = gen_open(path);
	char *line = NULL;
	size_t cap = 0;
	long ln = 0;
	while (gen_getline(&line, &cap, fp) >= 0) {
		ln++;
		if (!line[0])
			continue;
		char *sep = strchr(line, jieba ? ' ' : '\t');
		if (!sep || sep == line)
			gen_die("%s:%ld: bad line", path, ln);
		*sep = '\0';
		char *end;
		double c = strtod(sep + 1, &end);
		if (end == sep + 1 || c < 0 || (jieba ? *end != ' ' : *end != '\0'))
			gen_die("%s:%ld: bad count", path, ln);
		wl_push(l, gen_xstrdup(line), c);
	}
	free(line);
	gen_close(fp, path);
	if (l->n == 0 || l->mass <= 0)
		gen_die("%s: no words", path);
}

/* OpenCC-convert every word; words are joined by newlines in batches (no
 * OpenCC dictionary entry contains a newline, so this equals converting
 * word by word) and converted one at a time if a batch does not split
 * back into as many lines. */
static char **convert(const char *config, const wordlist *l)
{
	opencc_t cc = opencc_open(config);
	if (cc == (opencc_t)-1)
		gen_die("opencc_open(%s): %s", config, opencc_error());
	char **out = gen_xcalloc(l->n, sizeof *out);
	size_t batch = 4096;
	for (size_t i = 0; i < l->n; i += batch) {
		size_t m = l->n - i < batch ? l->n - i : batch, len = 0;
		for (size_t k = 0; k < m; k++)
			len += strlen(l->w[i + k]) + 1;
		char *buf = gen_xmalloc(len + 1), *p = buf;
		for (size_t k = 0; k < m; k++) {
			size_t wl = strlen(l->w[i + k]);
			memcpy(p, l->w[i + k], wl);
			p += wl;
			*p++ = '\n';
		}
		*p = '\0';
		char *res = opencc_convert_utf8(cc, buf, len);
		if (!res)
			gen_die("opencc: %s", opencc_error());
		size_t k = 0;
		char *s = res, *nl;
		while (k < m && (nl = strchr(s, '\n'))) {
			*nl = '\0';
			out[i + k++] = gen_xstrdup(s);
			s = nl + 1;
		}
		if (k != m || *s) {
			for (size_t j = 0; j < k; j++)
				free(out[i + j]);
			for (k = 0; k < m; k++) {
				const char *w = l->w[i + k];
				char *r = opencc_convert_utf8(cc, w, strlen(w));
				if (!r)
					gen_die("opencc: %s", opencc_error());
				out[i + k] = gen_xstrdup(r);
				opencc_convert_utf8_free(r);
			}
		}
		opencc_convert_utf8_free(res);
		free(buf);
	}
	opencc_close(cc);
	return out;
}

/* Running text.  Each list file names text files, one path a line; only runs
 * of adjacent CJK characters are kept (as "words" with count 1), since the
 * model has no other symbols.  troff: comment lines are skipped, request
 * lines (. or ') and blank lines end a run, font and spacing escapes (\fB,
 * \s-1, \&, \, ...) are zero-width, any other escape ends a run.  Plain
 * (fortune) text: ANSI colour sequences are zero-width, a single newline
 * between two CJK characters joins them (text wrapped at a fixed width), a
 * blank line or a "%" line ends a run. */
typedef struct {
	char *b;
	size_t n, cap;
} strbuf;

static void sb_put(strbuf *s, const char *p, size_t n)
{
	if (s->n + n + 1 > s->cap) {
		s->cap = 2 * (s->n + n + 1) + 256;
		s->b = gen_xrealloc(s->b, s->cap);
	}
	memcpy(s->b + s->n, p, n);
	s->n += n;
	s->b[s->n] = '\0';
}

static void end_run(strbuf *run, size_t *ncjk, wordlist *runs)
{
	if (*ncjk >= 1)
		wl_push(runs, gen_xstrdup(run->b), 1);
	run->n = 0;
	if (run->b)
		run->b[0] = '\0';
	*ncjk = 0;
}

/* length of the zero-width troff escape at p (p[0] == '\\'), or 0 when the
 * escape prints something (it ends a run) */
static size_t troff_zero_width(const char *p, const char *e)
{
	if (e - p < 2)
		return 0;
	switch (p[1]) {
	case '&': case ',': case '/': case 'c': case '%': case ':': case '|':
	case '^':
		return 2;
	case 'f':
	case 's':
		if (e - p >= 3 && p[2] == '(')
			return e - p >= 5 ? 5 : 0;
		if (e - p >= 3 && p[2] == '[') {
			const char *q = memchr(p + 3, ']', (size_t)(e - p - 3));
			return q ? (size_t)(q - p + 1) : 0;
		}
		if (p[1] == 's') {
			const char *q = p + 2;
			if (q < e && (*q == '+' || *q == '-'))
				q++;
			while (q < e && *q >= '0' && *q <= '9')
				q++;
			return q > p + 2 ? (size_t)(q - p) : 0;
		}
		/* a font name is one ASCII character ("\\f、" is a typo: drop \\f) */
		return e - p >= 3 && (unsigned char)p[2] < 0x80 ? 3 : 2;
	}
	return 0;
}

static void read_text(const char *path, int troff, wordlist *runs)
{
	FILE *fp = gen_open(path);
	char *line = NULL;
	size_t cap = 0, ncjk = 0;
	long ln = 0;
	strbuf run = {0};
	int last_cjk = 0; /* the run's last character is CJK (joinable) */
	while (gen_getline(&line, &cap, fp) >= 0) {
		ln++;
		const char *p = line, *e = line + strlen(line);
		if (troff && (p[0] == '.' || p[0] == '\'')) {
			end_run(&run, &ncjk, runs);
			continue; /* requests, comments: .\" '\" */
		}
		if (p == e || (!troff && strcmp(line, "%") == 0)) {
			end_run(&run, &ncjk, runs);
			continue;
		}
		while (p < e) {
			size_t z = 0;
			if (troff && *p == '\\')
				z = troff_zero_width(p, e);
			else if (!troff && *p == 0x1B && p + 1 < e && p[1] == '[') {
				const char *q = p + 2;
				while (q < e && ((*q >= '0' && *q <= '9') || *q == ';'))
					q++;
				if (q < e)
					z = (size_t)(q + 1 - p);
			}
			if (z) {
				p += z;
				continue;
			}
			const char *s = p;
			uint32_t cp = gen_utf8_next(&p, e);
			if (cp == 0xFFFFFFFFu)
				gen_die("%s:%ld: invalid UTF-8", path, ln);
			if (is_cjk(cp)) {
				sb_put(&run, s, (size_t)(p - s));
				ncjk++;
				last_cjk = 1;
			} else {
				end_run(&run, &ncjk, runs);
				last_cjk = 0;
				if (troff && cp == '\\' && p < e && (unsigned char)*p < 0x80)
					p++; /* the escaped character */
			}
		}
		/* troff joins text lines with a space, which ends a run; wrapped
		 * plain text continues on the next line */
		if (troff || !last_cjk)
			end_run(&run, &ncjk, runs);
	}
	end_run(&run, &ncjk, runs);
	free(line);
	free(run.b);
	gen_close(fp, path);
}

/* every file the list names, in the list's order (tables/inputs.sh sorts);
 * *label = "DIR/{N files}", DIR the files' common directory: the banner
 * names that, not the list (a temporary file) */
static size_t read_text_list(const char *list, int troff, wordlist *runs,
                             const char **label)
{
	FILE *fp = gen_open(list);
	char *line = NULL, *dir = NULL;
	size_t cap = 0, nfiles = 0, dl = 0;
	while (gen_getline(&line, &cap, fp) >= 0) {
		if (!line[0])
			continue;
		read_text(line, troff, runs);
		if (!dir) {
			dir = gen_xstrdup(line);
			char *sl = strrchr(dir, '/');
			dl = sl ? (size_t)(sl - dir) : 0;
		}
		while (dl && (strncmp(line, dir, dl) != 0 || line[dl] != '/')) {
			while (dl && dir[--dl] != '/')
				;
		}
		nfiles++;
	}
	free(line);
	gen_close(fp, list);
	if (!nfiles || !runs->n)
		gen_die("%s: no text", list);
	size_t n = dl + 32;
	char *l = gen_xmalloc(n);
	snprintf(l, n, "%.*s/{%zu files}", (int)dl, dir, nfiles);
	*label = l;
	free(dir);
	return nfiles;
}

typedef struct {
	uint64_t key; /* a << 18 | b */
	double c;
	uint64_t seq;
} pairrec;

typedef struct {
	double *uni;           /* [MAXCP] */
	pairrec *pr;
	size_t npr, cap;
	uint64_t seq;
	long bad_words;
} model;

static void add_word(model *m, const char *w, double c)
{
	const char *p = w, *e = w + strlen(w);
	uint32_t prev = 0;
	if (c <= 0)
		return; /* essay lists some words with count 0 */
	while (p < e) {
		uint32_t cp = gen_utf8_next(&p, e);
		if (cp == 0xFFFFFFFFu) {
			m->bad_words++;
			return;
		}
		if (!is_cjk(cp)) {
			prev = 0;
			continue;
		}
		m->uni[cp] += c;
		if (prev) {
			if (m->npr == m->cap) {
				m->cap = m->cap ? 2 * m->cap : 1 << 20;
				m->pr = gen_xrealloc(m->pr, m->cap * sizeof *m->pr);
			}
			m->pr[m->npr].key = (uint64_t)prev << 18 | cp;
			m->pr[m->npr].c = c;
			m->pr[m->npr].seq = m->seq++;
			m->npr++;
		}
		prev = cp;
	}
}

/* a traditional word: its count is shared by its distinct orthographies */
static void add_trad(model *m, const char *w, const char *tw, const char *hk,
                     double c)
{
	int dtw = strcmp(tw, w) != 0;
	int dhk = strcmp(hk, w) != 0 && strcmp(hk, tw) != 0;
	double share = c / (1 + dtw + dhk);
	add_word(m, w, share);
	if (dtw)
		add_word(m, tw, share);
	if (dhk)
		add_word(m, hk, share);
}

static double pair_mass(const model *m)
{
	double t = 0;
	for (size_t i = 0; i < m->npr; i++)
		t += m->pr[i].c;
	return t;
}

/* add src's counts times k to dst (src's pairs after dst's: deterministic) */
static void add_scaled(model *dst, const model *src, double k)
{
	for (uint32_t c = 0; c < MAXCP; c++)
		dst->uni[c] += src->uni[c] * k;
	if (dst->npr + src->npr > dst->cap) {
		dst->cap = dst->npr + src->npr;
		dst->pr = gen_xrealloc(dst->pr, dst->cap * sizeof *dst->pr);
	}
	for (size_t i = 0; i < src->npr; i++) {
		pairrec *r = &dst->pr[dst->npr++];
		r->key = src->pr[i].key;
		r->c = src->pr[i].c * k;
		r->seq = dst->seq++;
	}
}

static int cmp_pair(const void *x, const void *y)
{
	const pairrec *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* sort by key and merge duplicates (sums in input order: deterministic) */
static void merge_pairs(model *m)
{
	qsort(m->pr, m->npr, sizeof *m->pr, cmp_pair);
	size_t o = 0;
	for (size_t i = 0; i < m->npr; i++) {
		if (o && m->pr[o - 1].key == m->pr[i].key)
			m->pr[o - 1].c += m->pr[i].c;
		else
			m->pr[o++] = m->pr[i];
	}
	m->npr = o;
}

typedef struct {
	double gain;
	uint32_t key;  /* id(a) << 16 | id(b) */
	uint8_t script;
	uint8_t val;
} cand;

static int cmp_cand(const void *x, const void *y)
{
	const cand *a = x, *b = y;
	if (a->gain != b->gain)
		return a->gain > b->gain ? -1 : 1;
	if (a->script != b->script)
		return a->script - b->script;
	return a->key < b->key ? -1 : a->key > b->key;
}

static int cmp_cand_key(const void *x, const void *y)
{
	const cand *a = x, *b = y;
	return a->key < b->key ? -1 : a->key > b->key;
}

typedef struct {
	uint8_t *uni, *bo;
	double N;
	size_t npairs;     /* distinct pairs before pruning */
	size_t kept;
	int oov;           /* cost of a character outside the vocabulary */
	cand *bi;
} script_out;

int main(int argc, char **argv)
{
	long budget = 1774000;
	double alpha = TEXT_WEIGHT;
	while (argc > 2 && (strcmp(argv[1], "-B") == 0 || strcmp(argv[1], "-W") == 0)) {
		if (argv[1][1] == 'B')
			budget = strtol(argv[2], NULL, 10);
		else
			alpha = strtod(argv[2], NULL);
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}
	gen_args a;
	gen_parse_args(&a, argc, argv, 8,
	               "DESC dict.txt DESC essay.txt DESC s2t.json DESC t2s.json "
	               "DESC t2tw.json DESC t2hk.json DESC MANLIST DESC FORTUNELIST");

	wordlist jieba = {0}, essay = {0};
	read_words(a.in[0].path, 1, &jieba);
	read_words(a.in[1].path, 0, &essay);
	char **jieba_t = convert(a.in[2].path, &jieba);
	char **essay_s = convert(a.in[3].path, &essay);
	wordlist jt = {0};
	for (size_t i = 0; i < jieba.n; i++)
		wl_push(&jt, jieba_t[i], jieba.c[i]);
	char **jieba_tw = convert(a.in[4].path, &jt);
	char **jieba_hk = convert(a.in[5].path, &jt);
	char **essay_tw = convert(a.in[4].path, &essay);
	char **essay_hk = convert(a.in[5].path, &essay);
	double we = jieba.mass / essay.mass;

	model ms = {0}, mt = {0};
	ms.uni = gen_xcalloc(MAXCP, sizeof(double));
	mt.uni = gen_xcalloc(MAXCP, sizeof(double));
	for (size_t i = 0; i < jieba.n; i++) {
		add_word(&ms, jieba.w[i], jieba.c[i]);
		add_trad(&mt, jieba_t[i], jieba_tw[i], jieba_hk[i], jieba.c[i]);
	}
	for (size_t i = 0; i < essay.n; i++) {
		add_word(&ms, essay_s[i], essay.c[i] * we);
		add_trad(&mt, essay.w[i], essay_tw[i], essay_hk[i], essay.c[i] * we);
	}
	if (ms.bad_words || mt.bad_words)
		gen_die("invalid UTF-8 in %ld words", ms.bad_words + mt.bad_words);

	/* running text: CJK runs of the man pages and fortunes, converted and
	 * split into orthographies as the words are, then scaled so that its
	 * pair mass is alpha times the word lists' in each script */
	wordlist text = {0};
	size_t nman = read_text_list(a.in[6].path, 1, &text, &a.in[6].path);
	size_t nfort = read_text_list(a.in[7].path, 0, &text, &a.in[7].path);
	char **text_t = convert(a.in[2].path, &text);
	wordlist tt = {0};
	for (size_t i = 0; i < text.n; i++)
		wl_push(&tt, text_t[i], 1);
	char **text_tw = convert(a.in[4].path, &tt);
	char **text_hk = convert(a.in[5].path, &tt);
	model rs = {0}, rt = {0};
	rs.uni = gen_xcalloc(MAXCP, sizeof(double));
	rt.uni = gen_xcalloc(MAXCP, sizeof(double));
	for (size_t i = 0; i < text.n; i++) {
		add_word(&rs, text.w[i], 1);
		add_trad(&rt, text_t[i], text_tw[i], text_hk[i], 1);
	}
	if (rs.bad_words || rt.bad_words)
		gen_die("invalid UTF-8 in %ld runs", rs.bad_words + rt.bad_words);
	double text_pairs = pair_mass(&rs), ks = 0, kt = 0;
	if (alpha > 0) {
		ks = alpha * pair_mass(&ms) / text_pairs;
		kt = alpha * pair_mass(&mt) / pair_mass(&rt);
		add_scaled(&ms, &rs, ks);
		add_scaled(&mt, &rt, kt);
	}
	merge_pairs(&ms);
	merge_pairs(&mt);

	/* vocabulary: union of both scripts, sorted */
	static uint16_t id[MAXCP];
	uint32_t *vocab = gen_xmalloc(MAXCP * sizeof *vocab);
	size_t V = 0;
	for (uint32_t c = 0; c < MAXCP; c++)
		if (ms.uni[c] > 0 || mt.uni[c] > 0) {
			if (V == 65535)
				gen_die("vocabulary does not fit uint16 ids");
			id[c] = (uint16_t)V;
			vocab[V++] = c;
		}

	model *mm[2] = {&ms, &mt};
	script_out so[2];
	size_t ncand = 0;
	cand *cands = gen_xmalloc((ms.npr + mt.npr) * sizeof *cands);
	for (int s = 0; s < 2; s++) {
		model *m = mm[s];
		script_out *o = &so[s];
		double *pu = gen_xmalloc(V * sizeof *pu);
		o->uni = gen_xmalloc(V);
		o->bo = gen_xcalloc(V, 1);
		o->N = 0;
		for (size_t i = 0; i < V; i++)
			o->N += m->uni[vocab[i]];
		double denom = o->N + 0.5 * (double)V;
		for (size_t i = 0; i < V; i++) {
			pu[i] = (m->uni[vocab[i]] + 0.5) / denom;
			o->uni[i] = (uint8_t)quant(-log(pu[i]));
		}
		o->oov = quant(-log(0.5 / denom));
		o->npairs = m->npr;
		/* per history: n(a), T(a), then every pair */
		for (size_t i = 0; i < m->npr;) {
			uint32_t ca = (uint32_t)(m->pr[i].key >> 18);
			size_t j = i;
			double n = 0;
			while (j < m->npr && (uint32_t)(m->pr[j].key >> 18) == ca)
				n += m->pr[j++].c;
			double T = (double)(j - i);
			double lam = n / (n + T);
			int bo = quant(-log(1 - lam));
			uint16_t ia = id[ca];
			o->bo[ia] = (uint8_t)bo;
			for (size_t k = i; k < j; k++) {
				uint16_t ib = id[(uint32_t)(m->pr[k].key & 0x3FFFF)];
				double p = lam * m->pr[k].c / n + (1 - lam) * pu[ib];
				int v = quant(-log(p));
				int back = bo + o->uni[ib];
				if (back - v <= 0)
					continue;
				cand *c = &cands[ncand++];
				c->gain = m->pr[k].c * (double)(back - v);
				c->key = (uint32_t)ia << 16 | ib;
				c->script = (uint8_t)s;
				c->val = (uint8_t)v;
			}
			i = j;
		}
		free(pu);
	}

	long fixed = (long)V * (4 + 4);
	long K = (budget - fixed) / 5;
	if (K < 0)
		gen_die("budget too small");
	qsort(cands, ncand, sizeof *cands, cmp_cand);
	size_t keep = (size_t)K < ncand ? (size_t)K : ncand;
	double min_gain = keep ? cands[keep - 1].gain : 0;
	for (int s = 0; s < 2; s++) {
		so[s].bi = gen_xmalloc((keep ? keep : 1) * sizeof(cand));
		so[s].kept = 0;
	}
	for (size_t i = 0; i < keep; i++)
		so[cands[i].script].bi[so[cands[i].script].kept++] = cands[i];
	for (int s = 0; s < 2; s++)
		qsort(so[s].bi, so[s].kept, sizeof(cand), cmp_cand_key);
	long total = fixed + 5 * (long)keep;

	gen_open_output(&a);
	gen_banner(&a, "tables/lm.h", "tables/gen/lm.c (linked with libopencc)",
	           "character unigram + bigram model, simplified and traditional.");
	gen_guard_open(&a, "MF_TABLES_LM_H");
	FILE *f = a.fp;
	fprintf(f,
	        "/*\n"
	        " * Corpora: simplified = jieba + t2s(essay), traditional = essay +\n"
	        " * s2t(jieba), OpenCC per word, counts kept; essay counts scaled by\n"
	        " * mass(jieba)/mass(essay) = %.0f/%.0f.  A traditional word's count\n"
	        " * is shared equally by its distinct forms {w, t2tw(w), t2hk(w)}\n"
	        " * (OpenCC, Taiwan and Hong Kong orthography).  Each word's count goes\n"
	        " * to its CJK characters and to the adjacent CJK pairs inside it.\n"
	        " * Running text: the runs of adjacent CJK characters in %zu man pages\n"
	        " * (troff markup stripped) and %zu fortune files, %zu runs, %.0f pairs;\n"
	        " * traditional = s2t(text), orthographies shared as for words.  Its\n"
	        " * counts are scaled so that its pair mass is %g times the word lists'\n"
	        " * (factor %.4g simplified, %.4g traditional): it brings the pairs\n"
	        " * across word boundaries that word lists lack.\n"
	        " *\n"
	        " * cost(x) = round(-ln(x) * MF_LM_SCALE), clamped to 0..255.\n"
	        " * uni[c]  = cost((u(c) + 0.5) / (N + 0.5 V))\n"
	        " * bo[a]   = cost(1 - lambda(a)), lambda(a) = n(a) / (n(a) + T(a))\n"
	        " *           (Witten-Bell; n = pair count with first char a, T = distinct\n"
	        " *           followers; 0 for a character never seen first in a pair)\n"
	        " * bi[ab]  = cost(lambda(a) c(ab)/n(a) + (1 - lambda(a)) P(b))\n"
	        " * A pair not stored costs bo[a] + uni[b]; a character outside the\n"
	        " * vocabulary costs MF_LM_OOV_SIMP / MF_LM_OOV_TRAD.\n"
	        " *\n"
	        " * Pruning: the bigrams of both scripts compete for a budget of %ld bytes\n"
	        " * of array data.  Each is worth c(ab) * (bo[a] + uni[b] - bi[ab]) in\n"
	        " * quantised costs (the cost it saves on the training counts); pairs\n"
	        " * worth nothing are dropped, the most valuable kept (smallest kept\n"
	        " * value %.1f).\n"
	        " *   simplified:  N = %.0f, %zu distinct pairs, %zu kept\n"
	        " *   traditional: N = %.0f, %zu distinct pairs, %zu kept\n"
	        " *   vocabulary %zu characters; array data %ld bytes\n"
	        " */\n\n",
	        jieba.mass, essay.mass, nman, nfort, text.n, text_pairs, alpha, ks, kt, budget, min_gain, so[0].N, so[0].npairs,
	        so[0].kept, so[1].N, so[1].npairs, so[1].kept, V, total);
	gen_source_macro(&a, "MF_LM_SOURCE");
	fprintf(f, "#define MF_LM_SCALE 8                  /* costs are round(-ln(p) * 8), clamped to 0..255 */\n");
	fprintf(f, "#define MF_LM_NVOCAB %zu\n", V);
	fprintf(f, "#define MF_LM_OOV_SIMP %d              /* cost of a CJK character outside the vocabulary */\n", so[0].oov);
	fprintf(f, "#define MF_LM_OOV_TRAD %d\n", so[1].oov);
	fprintf(f, "#define MF_LM_NBI_SIMP %zu\n#define MF_LM_NBI_TRAD %zu\n"
	           "#define MF_LM_DATA_BYTES %ld           /* sum of sizeof of the arrays below */\n\n",
	        so[0].kept, so[1].kept, total);
	fprintf(f, "/* sorted code points (union of both scripts); id = index */\n");
	gen_array_u32(&a, "mf_lm_vocab", "MF_LM_NVOCAB", vocab, V, 1);
	static const char *const sname[2] = {"simp", "trad"};
	static const char *const SNAME[2] = {"SIMP", "TRAD"};
	char name[64], dim[64];
	for (int s = 0; s < 2; s++) {
		snprintf(name, sizeof name, "mf_lm_uni_%s", sname[s]);
		fprintf(f, "/* unigram cost, %s model */\n", s ? "traditional" : "simplified");
		gen_array_u8(&a, name, "MF_LM_NVOCAB", so[s].uni, V, 0);
	}
	for (int s = 0; s < 2; s++) {
		snprintf(name, sizeof name, "mf_lm_bo_%s", sname[s]);
		fprintf(f, "/* backoff cost of history a, %s model */\n", s ? "traditional" : "simplified");
		gen_array_u8(&a, name, "MF_LM_NVOCAB", so[s].bo, V, 0);
	}
	for (int s = 0; s < 2; s++) {
		size_t n = so[s].kept;
		uint32_t *keys = gen_xmalloc((n ? n : 1) * sizeof *keys);
		uint8_t *vals = gen_xmalloc(n ? n : 1);
		for (size_t i = 0; i < n; i++) {
			keys[i] = so[s].bi[i].key;
			vals[i] = so[s].bi[i].val;
		}
		snprintf(dim, sizeof dim, "MF_LM_NBI_%s", SNAME[s]);
		snprintf(name, sizeof name, "mf_lm_bi_%s_key", sname[s]);
		fprintf(f, "/* (id(a)<<16)|id(b), ascending, %s model */\n", s ? "traditional" : "simplified");
		gen_array_u32(&a, name, dim, keys, n, 0);
		snprintf(name, sizeof name, "mf_lm_bi_%s_val", sname[s]);
		fprintf(f, "/* cost of the interpolated P(b|a) */\n");
		gen_array_u8(&a, name, dim, vals, n, 0);
		/* where each history's pairs start, so a lookup searches one row */
		uint32_t *row = gen_xmalloc((V + 1) * sizeof *row);
		for (size_t hist = 0, i = 0; hist <= V; hist++) {
			while (i < n && (keys[i] >> 16) < hist)
				i++;
			row[hist] = (uint32_t)i;
		}
		snprintf(name, sizeof name, "mf_lm_bi_%s_row", sname[s]);
		fprintf(f, "/* index: the pairs with id(a) = k are [row[k], row[k+1]) (not in the budget) */\n");
		gen_array_u32(&a, name, "MF_LM_NVOCAB + 1", row, V + 1, 0);
		free(row);
		free(keys);
		free(vals);
	}
	/* index: the id of each character of the main CJK blocks, by code point */
	uint16_t *hid = gen_xmalloc((MF_LM_HAN_LAST - MF_LM_HAN_FIRST + 1) * sizeof *hid);
	for (uint32_t cp = MF_LM_HAN_FIRST; cp <= MF_LM_HAN_LAST; cp++)
		hid[cp - MF_LM_HAN_FIRST] = 0xFFFF;
	for (size_t k = 0; k < V; k++)
		if (vocab[k] >= MF_LM_HAN_FIRST && vocab[k] <= MF_LM_HAN_LAST)
			hid[vocab[k] - MF_LM_HAN_FIRST] = (uint16_t)k;
	fprintf(f, "#define MF_LM_HAN_FIRST 0x%X\n#define MF_LM_HAN_LAST 0x%X\n\n", MF_LM_HAN_FIRST, MF_LM_HAN_LAST);
	fprintf(f, "/* index: id of code point MF_LM_HAN_FIRST + k, 0xFFFF outside the\n"
	           " * vocabulary (not in the budget; others by search in mf_lm_vocab) */\n");
	gen_array_u16(&a, "mf_lm_han_id", "MF_LM_HAN_LAST - MF_LM_HAN_FIRST + 1", hid,
	              MF_LM_HAN_LAST - MF_LM_HAN_FIRST + 1, 0);
	free(hid);
	gen_guard_close(&a, "MF_TABLES_LM_H");
	gen_finish(&a);
	return 0;
}
