/* libFuzzer target for the command line's file handling: src/main.c is
 * compiled in here with its main renamed, and run on a temporary file the
 * way a user would, in one of several modes chosen by the first input byte
 * (the rest is the file's content).
 * SPDX-License-Identifier: MIT
 *
 * Checked on every input, besides no crash, no undefined behaviour, no leak:
 *   - the exit status is 0, 1 or 2, as mojifix(1) documents for the mode;
 *   - the filter (file, stdin, --explain, --to-utf8) writes exactly what
 *     mf_repair_buffer gives;
 *   - --check exits 1 and names the file exactly when the library finds the
 *     content garbled or unrecoverable;
 *   - --json prints one JSON object with the library's status;
 *   - -i / -i.bak: the file ends as the repair when it changed, untouched
 *     otherwise (binary: exit 2, untouched); the backup holds the original;
 *     no temporary file is left;
 *   - a directory and a missing file: exit 2 and a message naming the file.
 */
#define main mojifix_main
#include "../../src/main.c"
#undef main

#include <dirent.h>
#include <sanitizer/common_interface_defs.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char path[128], bak[160];
static int saved_out = -1, saved_err = -1, saved_in = -1;

static int sweep(void);

static void remove_dir(void)
{
	char p[160];
	snprintf(p, sizeof p, "%s/.stdout", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/.stderr", dir);
	unlink(p);
	sweep();
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *t = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/mojifix-fuzz-XXXXXX", t && strlen(t) < 30 ? t : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	snprintf(path, sizeof path, "%s/t.txt", dir);
	snprintf(bak, sizeof bak, "%s/t.txt.bak", dir);
	atexit(remove_dir);
	saved_err = dup(2);
	/* sanitizer reports go to the real stderr while the CLI's is captured */
	__sanitizer_set_report_fd((void *)(intptr_t)saved_err);
	return 0;
}

static void put_file(const char *p, const void *buf, size_t n)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || (n && write(fd, buf, n) != (ssize_t)n) || close(fd) != 0) {
		perror(p);
		abort();
	}
}

static char *get_file(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *b = malloc(cap + 1);
	size_t r;
	while ((r = fread(b + len, 1, cap - len, f)) > 0) {
		len += r;
		if (len == cap) {
			cap *= 2;
			b = realloc(b, cap + 1);
		}
	}
	fclose(f);
	b[len] = 0;
	*n = len;
	return b;
}

/* Empty the directory; say whether anything but the named files was there. */
static int sweep(void)
{
	int stray = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];
	while (d && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (strcmp(e->d_name, "t.txt") && strcmp(e->d_name, "t.txt.bak") && strcmp(e->d_name, "sub"))
			stray = 1;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		if (unlink(p) != 0)
			rmdir(p);
	}
	if (d)
		closedir(d);
	return stray;
}

/* Run mojifix_main with stdout and stderr captured (stdin from a file). */
static int run(int argc, char **argv, const char *stdin_file)
{
	char o[160], e[160];
	snprintf(o, sizeof o, "%s/.stdout", dir);
	snprintf(e, sizeof e, "%s/.stderr", dir);
	fflush(stdout);
	saved_out = dup(1);
	int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fo, 1);
	dup2(fe, 2);
	close(fo);
	close(fe);
	if (stdin_file) {
		saved_in = dup(0);
		int fi = open(stdin_file, O_RDONLY);
		dup2(fi, 0);
		close(fi);
	}
	struct sigaction old_int, old_term, old_hup, old_pipe;
	sigaction(SIGINT, NULL, &old_int);
	sigaction(SIGTERM, NULL, &old_term);
	sigaction(SIGHUP, NULL, &old_hup);
	sigaction(SIGPIPE, NULL, &old_pipe);
	memset(&cfg, 0, sizeof cfg);
	memset(&stdout_buf, 0, sizeof stdout_buf);
	tmp_live = 0;
	optind = 0;                 /* glibc: rescan from scratch */
	int st = mojifix_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	if (stdin_file) {
		dup2(saved_in, 0);
		close(saved_in);
	}
	/* give libFuzzer its own handlers back */
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return st;
}

enum { M_FILTER, M_CHECK, M_JSON, M_INPLACE, M_INPLACE_BAK, M_TOUTF8, M_EXPLAIN, M_STDIN, M_DIR, M_MISSING, M_COUNT };
static const char *const mode_name[M_COUNT] = { "filter", "--check", "--json", "-i", "-i.bak", "--to-utf8",
                                                "--explain", "stdin", "directory", "missing file" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int mode = data[0] % M_COUNT;
	const char *content = (const char *)data + 1;
	size_t n = size - 1;
	char o[160], e[160];
	snprintf(o, sizeof o, "%s/.stdout", dir);
	snprintf(e, sizeof e, "%s/.stderr", dir);
	sweep();
	put_file(path, content, n);

	/* what the library says */
	mf_options opt;
	mf_options_init(&opt);
	opt.to_utf8 = mode == M_TOUTF8;
	char *ref = NULL;
	size_t reflen = 0;
	mf_report rep;
	mf_rc rc = mf_repair_buffer(&opt, content, n, &ref, &reflen, &rep);
	free(rep.spans);
	int lib_garbled = rc == MF_OK && (rep.status == MF_STATUS_GARBLED || rep.status == MF_STATUS_UNRECOVERABLE);

	char a0[] = "mojifix", a1[16], a2[160];
	char *argv[4] = { a0, a1, a2, NULL };
	int argc = 3;
	const char *stdin_file = NULL;
	switch (mode) {
	case M_FILTER: argc = 2; argv[1] = path; break;
	case M_CHECK: strcpy(a1, "--check"); snprintf(a2, sizeof a2, "%s", path); break;
	case M_JSON: strcpy(a1, "--json"); snprintf(a2, sizeof a2, "%s", path); break;
	case M_INPLACE: strcpy(a1, "-i"); snprintf(a2, sizeof a2, "%s", path); break;
	case M_INPLACE_BAK: strcpy(a1, "-i.bak"); snprintf(a2, sizeof a2, "%s", path); break;
	case M_TOUTF8: strcpy(a1, "--to-utf8"); snprintf(a2, sizeof a2, "%s", path); break;
	case M_EXPLAIN: strcpy(a1, "--explain"); snprintf(a2, sizeof a2, "%s", path); break;
	case M_STDIN: argc = 1; argv[1] = NULL; stdin_file = path; break;
	case M_DIR:
		strcpy(a1, n % 2 ? "--check" : "-i");
		snprintf(a2, sizeof a2, "%s/sub", dir);
		mkdir(a2, 0755);
		break;
	case M_MISSING: strcpy(a1, n % 2 ? "--json" : "-i"); snprintf(a2, sizeof a2, "%s/none.txt", dir); break;
	}
	int st = run(argc, argv, stdin_file);
	size_t outn, errn, filen, bakn;
	char *out = get_file(o, &outn);
	char *err = get_file(e, &errn);
	char *file = get_file(path, &filen);
	char *bk = get_file(bak, &bakn);
	const char *m = mode_name[mode];

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "mode %s, exit %d\n", m, st);     \
			fz_dump("content", content, n);                   \
			fz_dump("stdout", out, outn);                     \
			fz_dump("stderr", err, errn);                     \
			FZ_FAIL(__VA_ARGS__);                             \
		}                                                         \
	} while (0)

	CHECK(st >= 0 && st <= 2, "exit status out of 0..2");
	switch (mode) {
	case M_FILTER:
	case M_TOUTF8:
	case M_EXPLAIN:
	case M_STDIN:
		if (rc != MF_OK) {
			CHECK(st == 2 && errn > 0, "library failed (%s) but the CLI did not say so", mf_rc_message(rc));
			break;
		}
		CHECK(st == 0, "filter exit status");
		CHECK(outn == reflen && memcmp(out, ref, reflen) == 0, "filter output is not the library's repair");
		CHECK(mode == M_EXPLAIN || errn == 0, "filter printed on stderr");
		break;
	case M_CHECK:
		CHECK(rc == MF_OK, "library failed: %s", mf_rc_message(rc));
		CHECK(st == (lib_garbled ? 1 : 0), "--check exit status does not match the library (%s)",
		      mf_status_name(rep.status));
		CHECK(lib_garbled ? outn > 0 && strstr(out, path) != NULL : outn == 0, "--check listing");
		break;
	case M_JSON: {
		CHECK(rc == MF_OK, "library failed: %s", mf_rc_message(rc));
		CHECK(st == 0, "--json exit status");
		char want[64];
		snprintf(want, sizeof want, "\"status\":\"%s\"", mf_status_name(rep.status));
		CHECK(outn > 2 && !strncmp(out, "{\"file\":\"", 9) && !strcmp(out + outn - 2, "}\n") &&
		              memchr(out, '\n', outn) == out + outn - 1 && strstr(out, want),
		      "--json line");
		break;
	}
	case M_INPLACE:
	case M_INPLACE_BAK:
		CHECK(rc == MF_OK, "library failed: %s", mf_rc_message(rc));
		CHECK(file != NULL, "-i lost the file");
		if (rep.status == MF_STATUS_BINARY) {
			CHECK(st == 2 && strstr(err, "binary"), "-i on binary input: exit 2 and a message");
			CHECK(filen == n && !memcmp(file, content, n), "-i changed a binary file");
			CHECK(!bk, "-i kept a backup of a file it did not change");
		} else if (rep.changed) {
			CHECK(st == 0, "-i exit status");
			CHECK(filen == reflen && !memcmp(file, ref, reflen), "-i wrote something else than the repair");
			if (mode == M_INPLACE_BAK)
				CHECK(bk && bakn == n && !memcmp(bk, content, n), "-i.bak: the backup is not the original");
		} else {
			CHECK(st == 0, "-i exit status");
			CHECK(filen == n && !memcmp(file, content, n), "-i changed a file that needed no repair");
			CHECK(!bk, "-i kept a backup of a file it did not change");
		}
		break;
	case M_DIR:
		CHECK(st == 2 && strstr(err, "sub") && strstr(err, "directory"), "directory: exit 2 and a message");
		break;
	case M_MISSING:
		CHECK(st == 2 && strstr(err, "none.txt") && strstr(err, "No such file"),
		      "missing file: exit 2 and a message");
		break;
	}
	unlink(o);
	unlink(e);
	CHECK(!sweep(), "a temporary file was left in the directory");
	free(out);
	free(err);
	free(file);
	free(bk);
	free(ref);
	return 0;
}
