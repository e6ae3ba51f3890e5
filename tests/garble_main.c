/*
 * tests/garble: garble clean UTF-8 text the way real round trips do.
 * SPDX-License-Identifier: MIT
 *
 *   tests/garble --channel utf8-as-gbk --decoder gb18030 --repl fffd < clean > garbled
 *   tests/garble --variant 'utf8-as-gbk decoder=cp936 repl=? consume=2 partial=0.3'
 *   tests/garble --random --seed 7 < clean > garbled   (description on stderr)
 *   tests/garble --list
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "garble.h"

static void usage(FILE *f)
{
	fputs("usage: tests/garble [options] < clean > garbled\n"
	      "  --channel NAME      channel (see --list); default utf8-as-gbk\n"
	      "  --layers A,B[,C]    chain of channels applied in order (same options each)\n"
	      "  --variant DESC      full description, as printed by --list or --describe\n"
	      "  --random            pick a random variant from --seed (printed on stderr)\n"
	      "  --decoder D         gbk gb18030 cp936 python-gbk python-gb18030 whatwg icu\n"
	      "  --repl R            ? fffd drop native        (GBK-family decode)\n"
	      "  --consume C         1 2 native                (bytes one error swallows)\n"
	      "  --holes R           c1 ? fffd drop            (CP1252 holes 81 8D 8F 90 9D)\n"
	      "  --urepl R, --uconsume native|1               (UTF-8 decode of gbk-as-utf8)\n"
	      "  --enc gbk|gb18030   encoder of gbk-as-*, kunkao, gbk-island\n"
	      "  --charset C         legacy: gbk gb18030 big5 cp950 sjis cp932 euc-kr\n"
	      "  --frac F            gbk-island: line fraction; pinyin: fraction of characters in X\n"
	      "  --set-size K        pinyin: size of the annotated set X\n"
	      "  --set CHARS         pinyin: explicit X (UTF-8 characters)\n"
	      "  --ufrac F           pinyin: chance a character seen only across a boundary joins X\n"
	      "  --policy eat|drop   pinyin: decoder behaviour at lead + '('\n"
	      "  --fold 0|1          pinyin: fold fullwidth punctuation on raw bytes\n"
	      "  --fold-set S        pinyin: folded targets, subset of ,:;!?()  (default ,;?())\n"
	      "  --fold-after 0|1    pinyin: fold after the insertion instead of before\n"
	      "  --plus 0|1          pinyin: '+' became ' '\n"
	      "  --partial F         garble only a fraction F of the lines\n"
	      "  --pmode lines|span  partial: whole lines, or a random sub-span of each\n"
	      "  --bom 0|1           the original starts with a UTF-8 BOM (Notepad)\n"
	      "  --crlf 0|1          the original has CRLF line ends\n"
	      "  --seed N            seed of every random choice (default 1)\n"
	      "  --ref FILE          also write what a perfect repair gives\n"
	      "  --describe          print the description on stderr\n"
	      "  --list              list channels, decoders and preset variants\n"
	      "exit: 0 ok, 1 error, 2 usage, 3 channel not applicable to this text\n",
	      f);
}

static void list(void)
{
	puts("channels:");
	for (int i = 0; i < GR_CH_COUNT; i++)
		printf("  %-15s %s\n", gr_channel_name((gr_channel)i),
		       gr_channel_about((gr_channel)i));
	puts("decoders (--decoder):");
	for (int i = 0; i < GR_DEC_COUNT; i++)
		printf("  %-15s %s\n", gr_decoder_name((gr_decoder)i),
		       gr_decoder_about((gr_decoder)i));
	puts("preset variants (--variant):");
	for (size_t i = 0; i < gr_nvariants; i++)
		printf("  %s\n", gr_variants[i]);
}

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *p = malloc(cap);
	if (!p)
		return NULL;
	for (;;) {
		if (n == cap) {
			char *q = realloc(p, cap *= 2);
			if (!q) {
				free(p);
				return NULL;
			}
			p = q;
		}
		size_t r = fread(p + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(p);
		return NULL;
	}
	*len = n;
	return p;
}

/* options that set the same key on every layer, as "key=value" */
#define MAXKV 64

int main(int argc, char **argv)
{
	const char *channel = "utf8-as-gbk", *layers = NULL, *variant = NULL;
	const char *ref_path = NULL;
	int random = 0, describe = 0;
	char kv[MAXKV][1100];
	int nkv = 0;
	char gl[8][64];
	int ngl = 0;

	static const struct { const char *opt, *key; } map[] = {
		{"--decoder", "decoder"}, {"--repl", "repl"}, {"--consume", "consume"},
		{"--holes", "holes"}, {"--urepl", "urepl"}, {"--uconsume", "uconsume"},
		{"--enc", "enc"}, {"--charset", "charset"}, {"--frac", "frac"},
		{"--set-size", "size"}, {"--set", "set"}, {"--ufrac", "ufrac"},
		{"--policy", "policy"}, {"--fold", "fold"}, {"--fold-set", "foldset"},
		{"--fold-after", "foldafter"}, {"--plus", "plus"},
	};
	static const struct { const char *opt, *key; } gmap[] = {
		{"--partial", "partial"}, {"--pmode", "pmode"}, {"--seed", "seed"},
		{"--bom", "bom"}, {"--crlf", "crlf"},
	};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int done = 0;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--list")) {
			list();
			return 0;
		}
		if (!strcmp(a, "--random")) {
			random = 1;
			continue;
		}
		if (!strcmp(a, "--describe")) {
			describe = 1;
			continue;
		}
		if (!v) {
			fprintf(stderr, "garble: %s: unknown option or missing value\n", a);
			usage(stderr);
			return 2;
		}
		if (!strcmp(a, "--channel"))
			channel = v, done = 1;
		else if (!strcmp(a, "--layers"))
			layers = v, done = 1;
		else if (!strcmp(a, "--variant"))
			variant = v, done = 1;
		else if (!strcmp(a, "--ref"))
			ref_path = v, done = 1;
		for (size_t k = 0; !done && k < sizeof map / sizeof map[0]; k++)
			if (!strcmp(a, map[k].opt)) {
				if (nkv == MAXKV || strlen(v) > 1024) {
					fprintf(stderr, "garble: %s: too long\n", a);
					return 2;
				}
				snprintf(kv[nkv++], sizeof kv[0], "%s=%s", map[k].key, v);
				done = 1;
			}
		for (size_t k = 0; !done && k < sizeof gmap / sizeof gmap[0]; k++)
			if (!strcmp(a, gmap[k].opt)) {
				if (ngl == 8 || strlen(v) > 40) {
					fprintf(stderr, "garble: %s: bad value\n", a);
					return 2;
				}
				snprintf(gl[ngl++], sizeof gl[0], "%s=%s", gmap[k].key, v);
				done = 1;
			}
		if (!done) {
			fprintf(stderr, "garble: unknown option %s\n", a);
			usage(stderr);
			return 2;
		}
		i++;
	}

	gr_params p;
	char err[256] = "";
	if (random) {
		unsigned long long seed = 1;
		for (int i = 0; i < ngl; i++)
			if (!strncmp(gl[i], "seed=", 5))
				seed = strtoull(gl[i] + 5, NULL, 0);
		gr_random_params(&p, seed);
	} else {
		/* build a description and parse it: one code path for everything */
		size_t cap = 1 << 15;
		char *d = malloc(cap);
		if (!d)
			return 1;
		d[0] = 0;
		if (variant)
			snprintf(d, cap, "%s", variant);
		else {
			char names[256];
			snprintf(names, sizeof names, "%s", layers ? layers : channel);
			char *save = NULL;
			int first = 1;
			for (char *w = strtok_r(names, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
				if (!first)
					strncat(d, " > ", cap - strlen(d) - 1);
				first = 0;
				strncat(d, w, cap - strlen(d) - 1);
				for (int i = 0; i < nkv; i++) {
					strncat(d, " ", cap - strlen(d) - 1);
					strncat(d, kv[i], cap - strlen(d) - 1);
				}
			}
		}
		for (int i = 0; i < ngl; i++) {
			strncat(d, " ", cap - strlen(d) - 1);
			strncat(d, gl[i], cap - strlen(d) - 1);
		}
		gr_rc rc = gr_parse(d, &p, err, sizeof err);
		free(d);
		if (rc != GR_OK) {
			fprintf(stderr, "garble: %s\n", err);
			return 2;
		}
	}

	size_t len = 0;
	char *in = read_all(stdin, &len);
	if (!in) {
		fprintf(stderr, "garble: reading stdin: %s\n", strerror(errno));
		return 1;
	}
	gr_result res;
	gr_rc rc = gr_garble(&p, in, len, &res);
	if (random || describe)
		fprintf(stderr, "%s\n", res.desc);
	free(in);
	if (rc == GR_ENA) {
		fprintf(stderr, "garble: not applicable: %s\n", res.note);
		return 3;
	}
	if (rc != GR_OK) {
		fprintf(stderr, "garble: failed (%d)%s%s\n", (int)rc, res.note[0] ? ": " : "",
		        res.note);
		return 1;
	}
	if (!res.changed)
		fprintf(stderr, "garble: note: %s\n", res.note);
	int ok = fwrite(res.out, 1, res.outlen, stdout) == res.outlen && fflush(stdout) == 0;
	if (ok && ref_path) {
		FILE *f = fopen(ref_path, "wb");
		ok = f && fwrite(res.ref, 1, res.reflen, f) == res.reflen;
		if (f && fclose(f) != 0)
			ok = 0;
	}
	gr_result_free(&res);
	if (!ok) {
		fprintf(stderr, "garble: write failed: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
