/*
 * sbcs.c: generate tables/sbcs.h (Windows-1252) from glibc's CP1252 charmap.
 * SPDX-License-Identifier: MIT
 *
 * usage: sbcs [-o OUT] DESC CP1252.gz
 */
#include "genutil.h"

#include <string.h>

static void on_entry(void *ctx, uint32_t cp, const uint8_t *b, int nb, int kind)
{
	uint32_t *map = ctx;
	if (kind != 0)
		return;
	if (nb != 1)
		gen_die("CP1252: multi-byte entry");
	if (map[b[0]] != 0xFFFFFFFFu)
		gen_die("CP1252: byte %02X mapped twice", b[0]);
	map[b[0]] = cp;
}

int main(int argc, char **argv)
{
	gen_args a;
	uint32_t map[256];
	uint16_t dec[256];
	uint32_t enc_cp[32];
	uint8_t enc_byte[32];
	int nenc = 0, nholes = 0;
	char holes[64] = "";

	gen_parse_args(&a, argc, argv, 1, "DESC CP1252.gz");
	for (int i = 0; i < 256; i++)
		map[i] = 0xFFFFFFFFu;
	gen_read_charmap(a.in[0].path, on_entry, map);
	for (int b = 0; b < 256; b++) {
		if (map[b] == 0xFFFFFFFFu) {
			if (b < 0x80 || b > 0x9F)
				gen_die("CP1252: byte %02X unmapped", b);
			map[b] = (uint32_t)b; /* hole: the C1 control of the same value */
			nholes++;
			snprintf(holes + strlen(holes), sizeof holes - strlen(holes),
			         " %02X", b);
		} else if ((b < 0x80 || b >= 0xA0) && map[b] != (uint32_t)b) {
			gen_die("CP1252: byte %02X is not Latin-1", b);
		} else if (b >= 0x80 && b < 0xA0) {
			if (map[b] >= 0x80 && map[b] < 0xA0)
				gen_die("CP1252: byte %02X maps to a C1 control", b);
			enc_cp[nenc] = map[b];
			enc_byte[nenc++] = (uint8_t)b;
		}
		if (map[b] > 0xFFFF)
			gen_die("CP1252: byte %02X outside the BMP", b);
		dec[b] = (uint16_t)map[b];
	}
	if (nenc != 27 || nholes != 5)
		gen_die("CP1252: expected 27 characters and 5 holes at 80-9F");
	for (int i = 1; i < nenc; i++) /* insertion sort by code point */
		for (int j = i; j > 0 && enc_cp[j - 1] > enc_cp[j]; j--) {
			uint32_t t = enc_cp[j];
			enc_cp[j] = enc_cp[j - 1];
			enc_cp[j - 1] = t;
			uint8_t u = enc_byte[j];
			enc_byte[j] = enc_byte[j - 1];
			enc_byte[j - 1] = u;
		}
	uint16_t cp16[32];
	for (int i = 0; i < nenc; i++)
		cp16[i] = (uint16_t)enc_cp[i];

	gen_open_output(&a);
	gen_banner(&a, "tables/sbcs.h", "tables/gen/sbcs.c",
	           "Windows-1252 single-byte table.");
	gen_guard_open(&a, "MF_TABLES_SBCS_H");
	fprintf(a.fp,
	        "/*\n"
	        " * ISO-8859-1 (Latin-1) needs no table: byte 0xNN is U+00NN, both\n"
	        " * ways.  Windows-1252 is Latin-1 except at 0x80-0x9F, where 27 bytes\n"
	        " * are characters and the five holes (%s) are decoded, as\n"
	        " * Windows and WHATWG do, to the C1 control of the same value.\n"
	        " */\n\n",
	        holes + 1);
	gen_source_macro(&a, "MF_SBCS_SOURCE");
	fprintf(a.fp, "/* byte -> code point (0x00-0x7F identity, 0xA0-0xFF = Latin-1) */\n");
	gen_array_u16(&a, "mf_cp1252_dec", "256", dec, 256, 1);
	fprintf(a.fp, "#define MF_CP1252_NENC %d\n", nenc);
	fprintf(a.fp, "/* sorted code points of the 27 characters at 0x80-0x9F that are not C1 */\n");
	gen_array_u16(&a, "mf_cp1252_enc_cp", "MF_CP1252_NENC", cp16, (size_t)nenc, 1);
	fprintf(a.fp, "/* their bytes */\n");
	gen_array_u8(&a, "mf_cp1252_enc_byte", "MF_CP1252_NENC", enc_byte, (size_t)nenc, 1);
	gen_guard_close(&a, "MF_TABLES_SBCS_H");
	gen_finish(&a);
	return 0;
}
