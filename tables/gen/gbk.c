/*
 * gbk.c: generate tables/gbk.h from glibc's GBK and GB18030 charmaps.
 * SPDX-License-Identifier: MIT
 *
 * usage: gbk [-o OUT] DESC GBK.gz DESC GB18030.gz
 *
 * Decode table (mf_gbk_dec), per two-byte code:
 *   1. the glibc GBK (= CP936) mapping;
 *   2. else the glibc GB18030 two-byte mapping, if it is in the BMP;
 *   3. else the CP936 Private Use mapping that GBK.gz lists commented out
 *      ("% <UE816> /xfe/x51"): the six codes GB18030 maps outside the BMP.
 * Encode table (mf_gbk_enc) is the inverse of every mapping a common decoder
 * produces, so it is many-to-one.  Sources, first claim wins for a code point:
 *   0x80 <-> U+20AC; glibc GBK; glibc GB18030 two-byte (BMP); the CP936 PUA
 *   mappings commented out in GBK.gz (95: A8BC, A8BF, A989-A995, FE50-FEA0);
 *   the GB18030-2005 PUA mappings commented out in GB18030.gz (24: A6D9-A6F3,
 *   FE51-FEA0).  GB18030's non-BMP two-byte mappings go to mf_gbk_astral_*.
 * Code points claimed twice are listed in the header (they do not round-trip).
 */
#include "genutil.h"

#include <stdlib.h>
#include <string.h>

#define NLEAD 126
#define NTRAIL 191
#define NCODES (NLEAD * NTRAIL)

enum { SRC_GBK = 0, SRC_GB18030 = 1, SRC_CP936_PUA = 2, SRC_2005_PUA = 3, NSRC };
static const char *const src_name[NSRC] = {"GBK", "GB18030", "CP936 PUA",
                                           "GB18030-2005 PUA"};

typedef struct {
	uint32_t map[NSRC][NCODES]; /* code point per source, 0 = none */
	uint32_t euro;              /* GBK single byte 0x80 */
	int file;                   /* 0: GBK.gz, 1: GB18030.gz */
} state;

static int code_index(const uint8_t *b)
{
	if (b[0] < 0x81 || b[0] > 0xFE || b[1] < 0x40 || b[1] > 0xFE || b[1] == 0x7F)
		return -1;
	return (b[0] - 0x81) * NTRAIL + (b[1] - 0x40);
}

static void on_entry(void *ctx, uint32_t cp, const uint8_t *b, int nb, int kind)
{
	state *st = ctx;
	if (nb == 1) {
		if (st->file == 0 && kind == 0 && b[0] >= 0x80)
			st->euro = cp;
		return;
	}
	if (nb != 2)
		return;
	int i = code_index(b);
	if (i < 0)
		gen_die("two-byte code %02X%02X out of range", b[0], b[1]);
	int src;
	if (st->file == 0)
		src = kind == 0 ? SRC_GBK : SRC_CP936_PUA;
	else
		src = kind == 0 ? SRC_GB18030 : SRC_2005_PUA;
	if (kind == 2)
		gen_die("unexpected irreversible entry");
	if (st->map[src][i] && st->map[src][i] != cp)
		gen_die("%s: code %02X%02X mapped twice", src_name[src], b[0], b[1]);
	st->map[src][i] = cp;
}

static int user_area(int lead, int trail)
{
	if (trail == 0x7F)
		return 0;
	if (lead >= 0xAA && lead <= 0xAF && trail >= 0xA1)
		return 1;
	if (lead >= 0xF8 && lead <= 0xFE && trail >= 0xA1)
		return 1;
	if (lead >= 0xA1 && lead <= 0xA7 && trail <= 0xA0)
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	gen_args a;
	gen_parse_args(&a, argc, argv, 2, "DESC GBK.gz DESC GB18030.gz");
	state *st = gen_xcalloc(1, sizeof *st);
	st->file = 0;
	gen_read_charmap(a.in[0].path, on_entry, st);
	st->file = 1;
	gen_read_charmap(a.in[1].path, on_entry, st);
	if (st->euro != 0x20AC)
		gen_die("GBK.gz: 0x80 is not U+20AC");

	uint16_t *dec = gen_xcalloc(NCODES, sizeof *dec);
	uint8_t *src = gen_xcalloc(NCODES, 1);
	uint16_t *enc = gen_xcalloc(65536, sizeof *enc);
	uint8_t *enc_src = gen_xcalloc(65536, 1);
	uint32_t astral_cp[64];
	uint16_t astral_code[64];
	int nastral = 0;
	long n_gbk = 0, n_18 = 0, n_ua = 0, n_dec = 0, n_pua_dec = 0;
	char conflicts[64][160];
	int nconf = 0;

	for (int i = 0; i < NCODES; i++) {
		int lead = 0x81 + i / NTRAIL, trail = 0x40 + i % NTRAIL;
		uint32_t g = st->map[SRC_GBK][i], e = st->map[SRC_GB18030][i];
		uint32_t d = g ? g : (e && e <= 0xFFFF) ? e : st->map[SRC_CP936_PUA][i];
		if (d > 0xFFFF)
			gen_die("code %02X%02X: no BMP mapping", lead, trail);
		dec[i] = (uint16_t)d;
		src[i] = (uint8_t)((g ? 1 : 0) | (e ? 2 : 0) | (user_area(lead, trail) ? 4 : 0));
		n_gbk += g != 0;
		n_18 += e != 0;
		n_ua += user_area(lead, trail);
		n_dec += d != 0;
		n_pua_dec += d >= 0xE000 && d <= 0xF8FF;
	}

	enc[0x20AC] = 0x0080;
	enc_src[0x20AC] = 0xFF;
	for (int s = 0; s < NSRC; s++) {
		for (int i = 0; i < NCODES; i++) {
			uint32_t cp = st->map[s][i];
			uint16_t code = (uint16_t)(((0x81 + i / NTRAIL) << 8) | (0x40 + i % NTRAIL));
			if (!cp)
				continue;
			if (cp > 0xFFFF) {
				int k;
				for (k = 0; k < nastral; k++)
					if (astral_cp[k] == cp)
						break;
				if (k < nastral) {
					if (astral_code[k] != code)
						gen_die("U+%04lX encoded twice", (unsigned long)cp);
					continue;
				}
				if (nastral == 64)
					gen_die("too many non-BMP codes");
				astral_cp[nastral] = cp;
				astral_code[nastral++] = code;
				continue;
			}
			if (enc[cp] == 0) {
				enc[cp] = code;
				enc_src[cp] = (uint8_t)s;
			} else if (enc[cp] != code) {
				if (nconf == 64)
					gen_die("too many conflicts");
				snprintf(conflicts[nconf++], sizeof conflicts[0],
				         "%04X -> U+%04lX (%s) encodes as %04X (%s)",
				         code, (unsigned long)cp, src_name[s], enc[cp],
				         enc_src[cp] == 0xFF ? "CP936 0x80" : src_name[enc_src[cp]]);
			}
		}
	}
	/* sort the astral list (few entries) */
	for (int i = 1; i < nastral; i++)
		for (int j = i; j > 0 && astral_cp[j - 1] > astral_cp[j]; j--) {
			uint32_t t = astral_cp[j];
			astral_cp[j] = astral_cp[j - 1];
			astral_cp[j - 1] = t;
			uint16_t u = astral_code[j];
			astral_code[j] = astral_code[j - 1];
			astral_code[j - 1] = u;
		}
	long n_enc = 0, n_pua_enc = 0;
	for (int cp = 0; cp < 65536; cp++) {
		n_enc += enc[cp] != 0;
		n_pua_enc += enc[cp] != 0 && cp >= 0xE000 && cp <= 0xF8FF;
	}

	gen_open_output(&a);
	gen_banner(&a, "tables/gbk.h",
	           "tables/gen/gbk.c",
	           "GBK (CP936) and GB18030 two-byte decode and encode tables.");
	gen_guard_open(&a, "MF_TABLES_GBK_H");
	FILE *f = a.fp;
	fprintf(f,
	        "/*\n"
	        " * Counts: %ld codes mapped by glibc GBK (plus 0x80 = U+20AC), %ld by\n"
	        " * glibc GB18030 two-byte; %ld codes in mf_gbk_dec; %ld user-defined-area\n"
	        " * codes; %ld codes decode to the Private Use Area.  mf_gbk_enc holds\n"
	        " * %ld BMP code points (%ld in the PUA), mf_gbk_astral_* %d more.\n"
	        " *\n"
	        " * mf_gbk_dec: glibc GBK; else glibc GB18030 (BMP); else the CP936 PUA\n"
	        " * mapping (the six codes GB18030 maps outside the BMP; see\n"
	        " * mf_gbk_astral_*).  mf_gbk_enc accepts, in this order of precedence,\n"
	        " * U+20AC = 0x80, glibc GBK, glibc GB18030 two-byte, the CP936 PUA\n"
	        " * mappings GBK.gz lists commented out, and the GB18030-2005 PUA mappings\n"
	        " * GB18030.gz lists commented out.  Code points claimed twice keep the\n"
	        " * first claim; these codes therefore do not round-trip:\n",
	        n_gbk, n_18, n_dec, n_ua, n_pua_dec, n_enc, n_pua_enc, nastral);
	for (int i = 0; i < nconf; i++)
		fprintf(f, " *   %s\n", conflicts[i]);
	fprintf(f,
	        " * A decoder following the current WHATWG index also maps A3A0 to\n"
	        " * U+3000, which encodes as A1A1 here (A3A0 keeps U+E5E5).\n"
	        " */\n\n");
	gen_source_macro(&a, "MF_GBK_SOURCE");
	fprintf(f,
	        "#define MF_GBK_NLEAD 126            /* leads 0x81..0xFE */\n"
	        "#define MF_GBK_NTRAIL 191           /* trails 0x40..0xFE (0x7F slot always 0) */\n"
	        "#define MF_GBK_INDEX(lead, trail) (((lead) - 0x81) * MF_GBK_NTRAIL + ((trail) - 0x40))\n"
	        "#define MF_GBK_IN_GBK     0x01      /* mapped by glibc GBK (= CP936) */\n"
	        "#define MF_GBK_IN_GB18030 0x02      /* mapped by glibc GB18030 (two-byte) */\n"
	        "#define MF_GBK_USER_AREA  0x04      /* AAA1-AFFE, F8A1-FEFE, A140-A7A0 */\n"
	        "#define MF_GBK_NASTRAL %d            /* GB18030 two-byte codes outside the BMP */\n\n",
	        nastral);
	fprintf(f, "/* index (lead-0x81)*191+(trail-0x40) -> BMP code point, 0 = unmapped everywhere */\n");
	gen_array_u16(&a, "mf_gbk_dec", "MF_GBK_NLEAD * MF_GBK_NTRAIL", dec, NCODES, 1);
	fprintf(f, "/* same index -> MF_GBK_IN_GBK | MF_GBK_IN_GB18030 | MF_GBK_USER_AREA */\n");
	gen_array_u8(&a, "mf_gbk_src", "MF_GBK_NLEAD * MF_GBK_NTRAIL", src, NCODES, 0);
	fprintf(f, "/* BMP code point -> (lead<<8|trail); 0x0080 for U+20AC; 0 = not\n"
	           " * encodable.  ASCII entries are 0 (identity is handled by code). */\n");
	gen_array_u16(&a, "mf_gbk_enc", "65536", enc, 65536, 1);
	fprintf(f, "/* GB18030 (glibc) two-byte codes whose character is outside the BMP,\n"
	           " * sorted by code point; mf_gbk_dec has their CP936 PUA form. */\n");
	uint32_t acp[64];
	memcpy(acp, astral_cp, sizeof acp);
	gen_array_u32(&a, "mf_gbk_astral_cp", "MF_GBK_NASTRAL", acp, (size_t)nastral, 1);
	gen_array_u16(&a, "mf_gbk_astral_code", "MF_GBK_NASTRAL", astral_code,
	              (size_t)nastral, 1);
	gen_guard_close(&a, "MF_TABLES_GBK_H");
	gen_finish(&a);

	free(dec);
	free(src);
	free(enc);
	free(enc_src);
	free(st);
	return 0;
}
