/*
 * genutil.c: helpers shared by the table generators (see genutil.h).
 * SPDX-License-Identifier: MIT
 */
#include "genutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

void gen_die(const char *fmt, ...)
{
	va_list ap;
	fputs("gen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void *gen_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		gen_die("out of memory (%zu bytes)", n);
	return p;
}

void *gen_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		gen_die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *gen_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		gen_die("out of memory (%zu bytes)", n);
	return p;
}

char *gen_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(gen_xmalloc(n), s, n);
}

void gen_parse_args(gen_args *a, int argc, char **argv, int ninputs,
                    const char *usage)
{
	int i = 1;
	memset(a, 0, sizeof *a);
	if (i + 1 < argc && strcmp(argv[i], "-o") == 0) {
		a->out = argv[i + 1];
		i += 2;
	}
	if (argc - i != 2 * ninputs || ninputs > 16)
		gen_die("usage: %s [-o OUT] %s", argv[0], usage);
	for (; i < argc; i += 2) {
		a->in[a->ninputs].desc = argv[i];
		a->in[a->ninputs].path = argv[i + 1];
		a->ninputs++;
	}
}

static char *tmp_name(const char *out)
{
	size_t n = strlen(out);
	char *t = gen_xmalloc(n + 5);
	memcpy(t, out, n);
	memcpy(t + n, ".tmp", 5);
	return t;
}

void gen_open_output(gen_args *a)
{
	if (!a->out) {
		a->fp = stdout;
		return;
	}
	char *t = tmp_name(a->out);
	a->fp = fopen(t, "w");
	if (!a->fp)
		gen_die("%s: %s", t, strerror(errno));
	free(t);
}

void gen_finish(gen_args *a)
{
	if (fflush(a->fp) != 0 || ferror(a->fp))
		gen_die("write error: %s", strerror(errno));
	if (!a->out)
		return;
	char *t = tmp_name(a->out);
	if (fclose(a->fp) != 0)
		gen_die("%s: %s", t, strerror(errno));
	if (rename(t, a->out) != 0)
		gen_die("rename %s: %s", t, strerror(errno));
	free(t);
}

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

FILE *gen_open(const char *path)
{
	const char *tool = NULL;
	FILE *fp;
	if (ends_with(path, ".gz"))
		tool = "gzip -dc";
	else if (ends_with(path, ".bz2"))
		tool = "bzip2 -dc";
	if (!tool) {
		fp = fopen(path, "r");
		if (!fp)
			gen_die("%s: %s", path, strerror(errno));
		return fp;
	}
	if (strchr(path, '\''))
		gen_die("%s: quote in file name", path);
	/* popen does not report a missing file; check first */
	fp = fopen(path, "r");
	if (!fp)
		gen_die("%s: %s", path, strerror(errno));
	fclose(fp);
	size_t n = strlen(tool) + strlen(path) + 16;
	char *cmd = gen_xmalloc(n);
	snprintf(cmd, n, "%s -- '%s'", tool, path);
	fp = popen(cmd, "r");
	if (!fp)
		gen_die("%s: %s", cmd, strerror(errno));
	free(cmd);
	return fp;
}

void gen_close(FILE *fp, const char *path)
{
	if (ends_with(path, ".gz") || ends_with(path, ".bz2")) {
		int st = pclose(fp);
		if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			gen_die("%s: decompression failed", path);
	} else {
		if (ferror(fp))
			gen_die("%s: read error", path);
		fclose(fp);
	}
}

long gen_getline(char **buf, size_t *cap, FILE *fp)
{
	ssize_t n = getline(buf, cap, fp);
	if (n < 0)
		return -1;
	while (n > 0 && ((*buf)[n - 1] == '\n' || (*buf)[n - 1] == '\r'))
		(*buf)[--n] = '\0';
	return (long)n;
}

void gen_banner(gen_args *a, const char *header, const char *generator,
                const char *what)
{
	FILE *f = a->fp;
	fprintf(f, "/*\n * %s: %s\n *\n", header, what);
	fprintf(f, " * GENERATED FILE, do not edit.  Generator: %s\n", generator);
	fprintf(f, " * Regenerate with `make tables`; `make tables-check` proves this file\n"
	           " * matches its generator and inputs.\n *\n * Inputs:\n");
	for (int i = 0; i < a->ninputs; i++)
		fprintf(f, " *   %s\n *     (%s)\n", a->in[i].path, a->in[i].desc);
	fprintf(f, " *\n * SPDX-License-Identifier: MIT\n"
	           " * The data is derived from the inputs above; their licences are\n"
	           " * listed in tables/SOURCES.\n */\n");
}

void gen_guard_open(gen_args *a, const char *guard)
{
	fprintf(a->fp, "#ifndef %s\n#define %s\n\n#include <stdint.h>\n\n", guard,
	        guard);
}

void gen_source_macro(gen_args *a, const char *name)
{
	fprintf(a->fp, "#define %s \"", name);
	for (int i = 0; i < a->ninputs; i++) {
		const char *base = strrchr(a->in[i].path, '/');
		const char *d = a->in[i].desc;
		size_t dn = strcspn(d, ",");
		for (const char *p = base ? base + 1 : a->in[i].path; *p; p++)
			if (*p != '"' && *p != '\\')
				fputc(*p, a->fp);
		fputs(" (", a->fp);
		for (size_t k = 0; k < dn; k++)
			if (d[k] != '"' && d[k] != '\\')
				fputc(d[k], a->fp);
		fputs(i + 1 < a->ninputs ? "), " : ")", a->fp);
	}
	fputs("\"\n", a->fp);
}

void gen_guard_close(gen_args *a, const char *guard)
{
	fprintf(a->fp, "#endif /* %s */\n", guard);
}

/* Values are written without spaces, a fixed number per line. */
static void array_head(gen_args *a, const char *type, const char *name,
                       const char *dim)
{
	fprintf(a->fp, "static const %s %s[%s] = {\n", type, name, dim);
}

static void array_tail(gen_args *a)
{
	fputs("};\n\n", a->fp);
}

static void array_sep(gen_args *a, size_t i, size_t n, size_t per_line)
{
	if (i + 1 == n)
		fputc('\n', a->fp);
	else if ((i + 1) % per_line == 0)
		fputs(",\n", a->fp);
	else
		fputc(',', a->fp);
}

void gen_array_u8(gen_args *a, const char *name, const char *dim,
                  const uint8_t *v, size_t n, int hex)
{
	array_head(a, "uint8_t", name, dim);
	for (size_t i = 0; i < n; i++) {
		fprintf(a->fp, hex ? "0x%02X" : "%u", (unsigned)v[i]);
		array_sep(a, i, n, hex ? 16 : 24);
	}
	array_tail(a);
}

void gen_array_u16(gen_args *a, const char *name, const char *dim,
                   const uint16_t *v, size_t n, int hex)
{
	array_head(a, "uint16_t", name, dim);
	for (size_t i = 0; i < n; i++) {
		if (hex)
			fprintf(a->fp, "0x%04X", (unsigned)v[i]);
		else
			fprintf(a->fp, "%u", (unsigned)v[i]);
		array_sep(a, i, n, hex ? 12 : 16);
	}
	array_tail(a);
}

void gen_array_u32(gen_args *a, const char *name, const char *dim,
                   const uint32_t *v, size_t n, int hex)
{
	array_head(a, "uint32_t", name, dim);
	for (size_t i = 0; i < n; i++) {
		if (hex)
			fprintf(a->fp, "0x%05lX", (unsigned long)v[i]);
		else
			fprintf(a->fp, "%lu", (unsigned long)v[i]);
		array_sep(a, i, n, hex ? 10 : 10);
	}
	array_tail(a);
}

size_t gen_utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

uint32_t gen_utf8_next(const char **sp, const char *end)
{
	const unsigned char *s = (const unsigned char *)*sp;
	const unsigned char *e = (const unsigned char *)end;
	uint32_t cp;
	int n;
	if (s >= e)
		return 0xFFFFFFFFu;
	if (s[0] < 0x80) {
		*sp += 1;
		return s[0];
	} else if ((s[0] & 0xE0) == 0xC0) {
		cp = s[0] & 0x1F;
		n = 1;
	} else if ((s[0] & 0xF0) == 0xE0) {
		cp = s[0] & 0x0F;
		n = 2;
	} else if ((s[0] & 0xF8) == 0xF0) {
		cp = s[0] & 0x07;
		n = 3;
	} else {
		*sp += 1;
		return 0xFFFFFFFFu;
	}
	if (e - s <= n) {
		*sp = end;
		return 0xFFFFFFFFu;
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*sp += i;
			return 0xFFFFFFFFu;
		}
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	*sp += n + 1;
	return cp;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void gen_read_charmap(const char *path, gen_charmap_fn fn, void *ctx)
{
	FILE *fp = gen_open(path);
	char *line = NULL;
	size_t cap = 0;
	int in_map = 0, seen = 0;
	while (gen_getline(&line, &cap, fp) >= 0) {
		const char *p = line;
		int kind = 0;
		if (!in_map) {
			if (strcmp(line, "CHARMAP") == 0)
				in_map = seen = 1;
			continue;
		}
		if (strcmp(line, "END CHARMAP") == 0) {
			in_map = 0;
			continue;
		}
		if (strncmp(p, "%IRREVERSIBLE%", 14) == 0) {
			kind = 2;
			p += 14;
		} else if (strncmp(p, "% <U", 4) == 0) {
			kind = 1;
			p += 2;
		}
		if (strncmp(p, "<U", 2) != 0)
			continue;
		char *q;
		unsigned long cp = strtoul(p + 2, &q, 16);
		if (q == p + 2 || *q != '>')
			gen_die("%s: bad line: %s", path, line);
		if (q[1] == '.')
			continue; /* range (four-byte GB18030) */
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		uint8_t bytes[4];
		int nb = 0;
		while (q[0] == '/' && q[1] == 'x') {
			int h = hexval(q[2]), l = hexval(q[3]);
			if (h < 0 || l < 0 || nb == 4)
				gen_die("%s: bad bytes: %s", path, line);
			bytes[nb++] = (uint8_t)(h * 16 + l);
			q += 4;
		}
		if (nb == 0)
			gen_die("%s: no bytes: %s", path, line);
		if (cp > 0x10FFFF)
			gen_die("%s: bad code point: %s", path, line);
		fn(ctx, (uint32_t)cp, bytes, nb, kind);
	}
	free(line);
	gen_close(fp, path);
	if (!seen)
		gen_die("%s: no CHARMAP section", path);
}
