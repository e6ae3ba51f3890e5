/*
 * pinyin.c: generate tables/pinyin.h, character -> Mandarin readings.
 * SPDX-License-Identifier: MIT
 *
 * usage: pinyin [-o OUT] DESC Unihan_Readings.txt.bz2 DESC pinyin_dict.go
 *                        DESC GBK.gz DESC BIG5.gz
 *
 * Characters: every code point glibc's GBK or BIG5 charmap decodes to that
 * has a reading.  Readings, deduplicated, in this order: kMandarin (the
 * customary reading first), kHanyuPinlu (highest count first), kHanyuPinyin,
 * kXHC1983, kTGHZ2013 (each in file order), then go-pinyin's PinyinDict.
 * Syllables are stored as the sources write them (NFC: precomposed letters
 * where Unicode has them; neutral tone unmarked).
 */
#include "genutil.h"

#include <stdlib.h>
#include <string.h>

enum { F_MANDARIN, F_PINLU, F_HANYU, F_XHC, F_TGHZ, F_GO, NF };
static const char *const field_name[NF] = {"kMandarin", "kHanyuPinlu",
                                           "kHanyuPinyin", "kXHC1983",
                                           "kTGHZ2013", NULL};

static char *field[NF][65536];
static uint8_t in_set[65536];

typedef struct {
	char **v;
	size_t n, cap;
} strvec;

static void sv_push(strvec *s, char *x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = gen_xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = x;
}

static void check_syllable(const char *s, uint32_t cp)
{
	const char *p = s, *e = s + strlen(s);
	if (p == e)
		gen_die("U+%04lX: empty reading", (unsigned long)cp);
	while (p < e) {
		uint32_t c = gen_utf8_next(&p, e);
		int ok = (c >= 'a' && c <= 'z') || (c >= 0xC0 && c <= 0x24F) ||
		         (c >= 0x300 && c <= 0x30C) || (c >= 0x1E00 && c <= 0x1EFF);
		if (!ok)
			gen_die("U+%04lX: bad reading \"%s\"", (unsigned long)cp, s);
	}
}

static void read_unihan(const char *path)
{
	FILE *fp = gen_open(path);
	char *line = NULL;
	size_t cap = 0;
	while (gen_getline(&line, &cap, fp) >= 0) {
		if (strncmp(line, "U+", 2) != 0)
			continue;
		char *tab1 = strchr(line, '\t');
		char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		if (!tab2)
			gen_die("%s: bad line: %s", path, line);
		*tab1 = *tab2 = '\0';
		unsigned long cp = strtoul(line + 2, NULL, 16);
		if (cp > 0xFFFF)
			continue; /* GBK and Big5 decode to the BMP only */
		for (int f = 0; f < F_GO; f++)
			if (strcmp(tab1 + 1, field_name[f]) == 0) {
				if (field[f][cp])
					gen_die("%s: U+%04lX %s twice", path, cp, field_name[f]);
				field[f][cp] = gen_xstrdup(tab2 + 1);
			}
	}
	free(line);
	gen_close(fp, path);
}

/* lines like:	0x5831: "bào,fù", */
static void read_go(const char *path)
{
	FILE *fp = gen_open(path);
	char *line = NULL;
	size_t cap = 0;
	long n = 0;
	while (gen_getline(&line, &cap, fp) >= 0) {
		char *p = line;
		while (*p == '\t' || *p == ' ')
			p++;
		if (strncmp(p, "0x", 2) != 0)
			continue;
		char *q;
		unsigned long cp = strtoul(p + 2, &q, 16);
		if (strncmp(q, ": \"", 3) != 0)
			gen_die("%s: bad line: %s", path, line);
		q += 3;
		char *end = strchr(q, '"');
		if (!end)
			gen_die("%s: bad line: %s", path, line);
		*end = '\0';
		n++;
		if (cp > 0xFFFF)
			continue;
		if (field[F_GO][cp])
			gen_die("%s: U+%04lX twice", path, cp);
		field[F_GO][cp] = gen_xstrdup(q);
	}
	if (n < 1000)
		gen_die("%s: no PinyinDict entries", path);
	free(line);
	gen_close(fp, path);
}

static void on_charmap(void *ctx, uint32_t cp, const uint8_t *b, int nb, int kind)
{
	(void)ctx;
	(void)b;
	(void)nb;
	if (kind == 1) /* commented out: not decoded */
		return;
	if (cp > 0xFFFF)
		gen_die("charmap: U+%04lX outside the BMP", (unsigned long)cp);
	in_set[cp] = 1;
}

/* Append the readings of one field value to out (dedup), in source order. */
static void add_reading(strvec *out, char *r, uint32_t cp)
{
	check_syllable(r, cp);
	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->v[i], r) == 0)
			return;
	sv_push(out, r);
}

typedef struct {
	char *r;
	long count;
	int pos;
} pinlu;

static int cmp_pinlu(const void *x, const void *y)
{
	const pinlu *a = x, *b = y;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->pos - b->pos;
}

static void readings_of(uint32_t cp, strvec *out)
{
	char *s, *tok, *save;
	out->n = 0;
	if ((s = field[F_MANDARIN][cp]))
		for (tok = strtok_r(s, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			add_reading(out, tok, cp);
	if ((s = field[F_PINLU][cp])) {
		/* "zhōng(4875) zhòng(66)" */
		pinlu v[32];
		int n = 0;
		for (tok = strtok_r(s, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			char *par = strchr(tok, '(');
			if (!par || n == 32)
				gen_die("U+%04lX: bad kHanyuPinlu", (unsigned long)cp);
			*par = '\0';
			v[n].r = tok;
			v[n].count = strtol(par + 1, NULL, 10);
			v[n].pos = n;
			n++;
		}
		qsort(v, (size_t)n, sizeof v[0], cmp_pinlu);
		for (int i = 0; i < n; i++)
			add_reading(out, v[i].r, cp);
	}
	/* "10028.100:zhōng,zhòng 10029.010:zhòng", "1092.070*,1092.071:sóng" */
	for (int f = F_HANYU; f <= F_TGHZ; f++) {
		if (!(s = field[f][cp]))
			continue;
		for (tok = strtok_r(s, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			char *colon = strchr(tok, ':'), *save2, *r;
			if (!colon)
				gen_die("U+%04lX: bad %s", (unsigned long)cp, field_name[f]);
			for (r = strtok_r(colon + 1, ",", &save2); r; r = strtok_r(NULL, ",", &save2))
				add_reading(out, r, cp);
		}
	}
	if ((s = field[F_GO][cp]))
		for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			add_reading(out, tok, cp);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int main(int argc, char **argv)
{
	gen_args a;
	gen_parse_args(&a, argc, argv, 4,
	               "DESC Unihan_Readings.txt.bz2 DESC pinyin_dict.go DESC GBK.gz DESC BIG5.gz");
	read_unihan(a.in[0].path);
	read_go(a.in[1].path);
	gen_read_charmap(a.in[2].path, on_charmap, NULL);
	gen_read_charmap(a.in[3].path, on_charmap, NULL);

	/* readings per character (strtok_r splits the field strings in place) */
	strvec *rd = gen_xcalloc(65536, sizeof *rd);
	strvec all = {0};
	long nchars = 0, nread = 0, nfirst_go_differs = 0, nhan_norm = 0;
	for (uint32_t cp = 0; cp < 65536; cp++) {
		if (!in_set[cp])
			continue;
		char *go_first = NULL;
		if (field[F_GO][cp]) {
			size_t k = strcspn(field[F_GO][cp], ",");
			go_first = gen_xmalloc(k + 1);
			memcpy(go_first, field[F_GO][cp], k);
			go_first[k] = '\0';
		}
		int from_unihan = field[F_MANDARIN][cp] != NULL;
		readings_of(cp, &rd[cp]);
		if (rd[cp].n) {
			nchars++;
			nread += (long)rd[cp].n;
			for (size_t i = 0; i < rd[cp].n; i++)
				sv_push(&all, rd[cp].v[i]);
			if (go_first && from_unihan && strcmp(go_first, rd[cp].v[0]) != 0)
				nfirst_go_differs++;
			if (!from_unihan)
				nhan_norm++;
		}
		free(go_first);
	}
	/* syllable ids: sorted, unique */
	qsort(all.v, all.n, sizeof *all.v, cmp_str);
	size_t nsyl = 0;
	for (size_t i = 0; i < all.n; i++)
		if (nsyl == 0 || strcmp(all.v[nsyl - 1], all.v[i]) != 0)
			all.v[nsyl++] = all.v[i];
	if (nsyl > 65535)
		gen_die("too many syllables");
	uint32_t *cps = gen_xmalloc((size_t)nchars * sizeof *cps);
	uint32_t *first = gen_xmalloc(((size_t)nchars + 1) * sizeof *first);
	uint16_t *read = gen_xmalloc((size_t)nread * sizeof *read);
	uint32_t *off = gen_xmalloc(nsyl * sizeof *off);
	size_t pool_len = 0, ci = 0, ri = 0;
	for (size_t i = 0; i < nsyl; i++) {
		off[i] = (uint32_t)pool_len;
		pool_len += strlen(all.v[i]) + 1;
	}
	for (uint32_t cp = 0; cp < 65536; cp++) {
		if (!in_set[cp] || rd[cp].n == 0)
			continue;
		cps[ci] = cp;
		first[ci++] = (uint32_t)ri;
		for (size_t k = 0; k < rd[cp].n; k++) {
			char **hit = bsearch(&rd[cp].v[k], all.v, nsyl, sizeof *all.v, cmp_str);
			read[ri++] = (uint16_t)(hit - all.v);
		}
	}
	first[ci] = (uint32_t)ri;

	long nset = 0, nhan_missing = 0;
	char missing[1024] = "";
	for (uint32_t cp = 0; cp < 65536; cp++) {
		nset += in_set[cp];
		int han = (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
		          (cp >= 0xF900 && cp <= 0xFAFF);
		if (in_set[cp] && han && rd[cp].n == 0) {
			if (strlen(missing) < sizeof missing - 16)
				snprintf(missing + strlen(missing), sizeof missing - strlen(missing),
				         "%s U+%04lX", nhan_missing % 8 ? "" : "\n *  ",
				         (unsigned long)cp);
			nhan_missing++;
		}
	}

	gen_open_output(&a);
	gen_banner(&a, "tables/pinyin.h", "tables/gen/pinyin.c",
	           "Mandarin readings (pinyin with tone marks) of GBK and Big5 characters.");
	gen_guard_open(&a, "MF_TABLES_PINYIN_H");
	fprintf(a.fp,
	        "/*\n"
	        " * %ld characters with readings, of the %ld code points glibc's GBK and\n"
	        " * BIG5 decode to; %ld readings; %zu distinct syllables.\n"
	        " * Han characters without any reading: %ld:%s\n"
	        " * Reading order: kMandarin (customary first), kHanyuPinlu (by count),\n"
	        " * kHanyuPinyin, kXHC1983, kTGHZ2013, go-pinyin; duplicates dropped.\n"
	        " * Characters whose first Unihan reading differs from go-pinyin's: %ld;\n"
	        " * characters with readings but no kMandarin: %ld.\n"
	        " */\n\n",
	        nchars, nset, nread, nsyl, nhan_missing, missing, nfirst_go_differs,
	        nhan_norm);
	gen_source_macro(&a, "MF_PY_SOURCE");
	fprintf(a.fp, "#define MF_PY_NCHARS %ld\n#define MF_PY_NSYL %zu\n"
	              "#define MF_PY_NREAD %ld\n#define MF_PY_POOL_SIZE %zu\n\n",
	        nchars, nsyl, nread, pool_len);
	fprintf(a.fp, "/* sorted code points */\n");
	gen_array_u32(&a, "mf_py_cp", "MF_PY_NCHARS", cps, (size_t)nchars, 1);
	fprintf(a.fp, "/* readings of char i are mf_py_read[mf_py_first[i] .. mf_py_first[i+1]) */\n");
	gen_array_u32(&a, "mf_py_first", "MF_PY_NCHARS + 1", first, (size_t)nchars + 1, 0);
	fprintf(a.fp, "/* syllable ids (index into mf_py_syl_off) */\n");
	gen_array_u16(&a, "mf_py_read", "MF_PY_NREAD", read, (size_t)nread, 0);
	fprintf(a.fp, "/* offset of syllable i in mf_py_syl_pool; syllables sorted bytewise */\n");
	gen_array_u32(&a, "mf_py_syl_off", "MF_PY_NSYL", off, nsyl, 0);
	fprintf(a.fp, "/* NUL-separated UTF-8 syllables with tone marks */\n"
	              "static const char mf_py_syl_pool[MF_PY_POOL_SIZE] =\n");
	size_t col = 0;
	for (size_t i = 0; i < nsyl; i++) {
		if (col == 0)
			fputc('"', a.fp);
		/* "\0" followed by a letter is safe: letters are not octal digits */
		fprintf(a.fp, "%s%s", all.v[i], i + 1 < nsyl ? "\\0" : "");
		col++;
		if (col == 10 || i + 1 == nsyl) {
			fputs(i + 1 == nsyl ? "\";\n\n" : "\"\n", a.fp);
			col = 0;
		}
	}
	gen_guard_close(&a, "MF_TABLES_PINYIN_H");
	gen_finish(&a);
	return 0;
}
