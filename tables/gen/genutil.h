/*
 * genutil.h: helpers shared by the table generators in tables/gen/.
 * SPDX-License-Identifier: MIT
 *
 * Every generator is called as
 *     gen [-o OUT] DESC PATH [DESC PATH ...]
 * where each input is a pair: DESC names the Debian package, version and
 * sha256 (printed in the banner), PATH is the file (.gz and .bz2 are read
 * through gzip -dc / bzip2 -dc).  tables/generate.sh builds the pairs from
 * tables/inputs.sh.  Output goes to OUT (written to OUT.tmp, then renamed)
 * or stdout.  Output is a pure function of the inputs: no timestamps, no
 * host names, everything sorted.
 */
#ifndef MF_GENUTIL_H
#define MF_GENUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
	const char *desc;
	const char *path;
} gen_input;

typedef struct {
	const char *out;     /* NULL: stdout */
	int ninputs;
	gen_input in[16];
	FILE *fp;            /* output stream */
} gen_args;

#if defined(__GNUC__)
#define GEN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define GEN_NORETURN __attribute__((noreturn))
#else
#define GEN_PRINTF(a, b)
#define GEN_NORETURN
#endif

void gen_die(const char *fmt, ...) GEN_PRINTF(1, 2) GEN_NORETURN;
void *gen_xmalloc(size_t n);
void *gen_xcalloc(size_t n, size_t size);
void *gen_xrealloc(void *p, size_t n);
char *gen_xstrdup(const char *s);

/* Parse argv; die unless exactly `ninputs` DESC PATH pairs were given. */
void gen_parse_args(gen_args *a, int argc, char **argv, int ninputs,
                    const char *usage);
/* Open the output (OUT.tmp or stdout); gen_finish renames it into place. */
void gen_open_output(gen_args *a);
void gen_finish(gen_args *a);

/* Open an input for reading, decompressing .gz/.bz2; close with gen_close. */
FILE *gen_open(const char *path);
void gen_close(FILE *fp, const char *path);
/* Read one line (without the newline) into *buf; returns length or -1. */
long gen_getline(char **buf, size_t *cap, FILE *fp);

/* Banner: first lines of every generated header. */
void gen_banner(gen_args *a, const char *header, const char *generator,
                const char *what);
void gen_guard_open(gen_args *a, const char *guard);
/* #define NAME "file (package version), ..." naming every input */
void gen_source_macro(gen_args *a, const char *name);
void gen_guard_close(gen_args *a, const char *guard);

/* Arrays: "static const TYPE NAME[DIM] = { ... };" with n values. */
void gen_array_u8(gen_args *a, const char *name, const char *dim,
                  const uint8_t *v, size_t n, int hex);
void gen_array_u16(gen_args *a, const char *name, const char *dim,
                   const uint16_t *v, size_t n, int hex);
void gen_array_u32(gen_args *a, const char *name, const char *dim,
                   const uint32_t *v, size_t n, int hex);

/* UTF-8 */
size_t gen_utf8_put(char *out, uint32_t cp);               /* 1..4 bytes */
/* Decode the next code point at *s (advancing it); 0xFFFFFFFF if invalid. */
uint32_t gen_utf8_next(const char **s, const char *end);

/*
 * glibc charmap reader: calls fn for every "<Uxxxx> /xNN[/xNN..]" line
 * between CHARMAP and END CHARMAP.  kind is 0 for an active line, 1 for a
 * commented-out mapping ("% <Uxxxx> /x.."), 2 for "%IRREVERSIBLE%<U..>"
 * (decode-only).  Range lines ("<U..>..<U..>") are skipped: the generators
 * only need one- and two-byte codes, which glibc lists one per line.
 */
typedef void (*gen_charmap_fn)(void *ctx, uint32_t cp, const uint8_t *bytes,
                               int nbytes, int kind);
void gen_read_charmap(const char *path, gen_charmap_fn fn, void *ctx);

#endif
