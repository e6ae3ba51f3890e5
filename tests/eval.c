/*
 * tests/eval: garble clean documents with every channel variant, repair them
 * with libmojifix, and count exact repairs.
 * SPDX-License-Identifier: MIT
 *
 *   tests/eval                       presets x tests/text x 3 seeds
 *   tests/eval --channel utf8-as-gbk --seeds 10 -v
 *   tests/eval --random 200 /tmp/debian-text      random variants, extra docs
 *   tests/eval --assert --min-rate utf8-as-cp1252=0.95 --min-rate all=0.8
 *
 * A case is (document, variant, seed).  Its garbling comes from
 * tests/garble.c, which also says what a perfect repair returns (the
 * reference) and what to expect: an exact repair, a report of unrecoverable
 * damage (口字码, 锟拷码), or a legacy-charset verdict (with --to-utf8
 * output compared).  Clean documents are also fed unchanged: any change, or
 * any status but clean, is a false positive.  Files named neg-* (Japanese,
 * Korean, English, pinyin glosses...) are only fed unchanged and converted
 * whole to legacy charsets.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "garble.h"
#include "mojifix.h"

typedef struct {
	char *name;      /* path */
	char *text;
	size_t len;
	int negative;    /* neg-*: false-positive checks only */
} doc;

typedef struct {
	char *key;
	long cases, na, unchanged, ok, detected, failed_run, timeouts, crashes;
	double conf_sum;
} row;

typedef struct {
	row *v;
	size_t n, cap;
} rows;

#define NBUCKET 10

static struct {
	long n[NBUCKET], ok[NBUCKET];
} calib;

static int verbose, progress;
static double timeout_sec = 120;

/* the slowest repairs, to find where the engine spends its time */
#define NSLOW 5
static struct {
	double sec;
	char what[300];
} slow[NSLOW];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void note_time(double sec, const char *docname, const char *desc)
{
	int k = -1;
	for (int i = 0; i < NSLOW; i++)
		if (sec > slow[i].sec && (k < 0 || slow[i].sec < slow[k].sec))
			k = i;
	if (k < 0)
		return;
	slow[k].sec = sec;
	snprintf(slow[k].what, sizeof slow[k].what, "%.120s [%.170s]", docname, desc);
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "eval: out of memory\n");
		exit(1);
	}
	return q;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p) {
		fprintf(stderr, "eval: out of memory\n");
		exit(1);
	}
	return p;
}


enum { RP_OK, RP_ERR, RP_TIMEOUT, RP_CRASH };

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* read exactly n bytes before the deadline; 0 ok, -1 eof/error, -2 timeout */
static int read_all(int fd, void *p, size_t n, double deadline)
{
	char *c = p;
	while (n) {
		double left = deadline - now();
		if (left <= 0)
			return -2;
		struct pollfd pf = {fd, POLLIN, 0};
		int r = poll(&pf, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return -2;
		ssize_t k = read(fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

struct reply {
	int mrc, status;
	double confidence;
	uint64_t outlen;
};

/* mf_repair_buffer, in a child process when a timeout is set, so that a
 * hang or a crash of the engine is counted instead of stopping the run */
static int repair(const mf_options *opt, const char *in, size_t len, char **out,
                  size_t *outlen, mf_report *rep, mf_rc *mrc)
{
	if (timeout_sec <= 0) {
		*mrc = mf_repair_buffer(opt, in, len, out, outlen, rep);
		return *mrc == MF_OK ? RP_OK : RP_ERR;
	}
	int fd[2];
	if (pipe(fd) != 0) {
		perror("eval: pipe");
		exit(1);
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		perror("eval: fork");
		exit(1);
	}
	if (pid == 0) {
		close(fd[0]);
		char *o = NULL;
		size_t ol = 0;
		mf_report r;
		memset(&r, 0, sizeof r);
		struct reply rp = {0, 0, 0, 0};
		rp.mrc = (int)mf_repair_buffer(opt, in, len, &o, &ol, &r);
		rp.status = (int)r.status;
		rp.confidence = r.confidence;
		rp.outlen = rp.mrc == MF_OK ? ol : 0;
		if (write_all(fd[1], &rp, sizeof rp) || write_all(fd[1], o, (size_t)rp.outlen))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	double deadline = now() + timeout_sec;
	struct reply rp;
	int r = read_all(fd[0], &rp, sizeof rp, deadline);
	char *o = NULL;
	if (r == 0) {
		o = xrealloc(NULL, (size_t)rp.outlen + 1);
		r = read_all(fd[0], o, (size_t)rp.outlen, deadline);
	}
	close(fd[0]);
	if (r == -2)
		kill(pid, SIGKILL);
	int wst = 0;
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	if (r != 0) {
		free(o);
		return r == -2 ? RP_TIMEOUT : RP_CRASH;
	}
	*out = o;
	*outlen = (size_t)rp.outlen;
	rep->status = (mf_status)rp.status;
	rep->confidence = rp.confidence;
	*mrc = (mf_rc)rp.mrc;
	return *mrc == MF_OK ? RP_OK : RP_ERR;
}

static row *row_get(rows *r, const char *key)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].key, key))
			return &r->v[i];
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = xrealloc(r->v, r->cap * sizeof *r->v);
	}
	row *w = &r->v[r->n++];
	memset(w, 0, sizeof *w);
	w->key = xstrdup(key);
	return w;
}

/* strict UTF-8, no NUL: a text document */
static int is_text(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned char b = p[i];
		if (b == 0)
			return 0;
		if (b < 0x80) {
			i++;
			continue;
		}
		size_t k = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
		if (!k || b > 0xF4 || i + k > n)
			return 0;
		unsigned char lo = 0x80, hi = 0xBF;
		if (b == 0xE0) lo = 0xA0;
		if (b == 0xED) hi = 0x9F;
		if (b == 0xF0) lo = 0x90;
		if (b == 0xF4) hi = 0x8F;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (size_t j = 2; j < k; j++)
			if (p[i + j] < 0x80 || p[i + j] > 0xBF)
				return 0;
		i += k;
	}
	return 1;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 14, n = 0, r;
	char *p = xrealloc(NULL, cap + 1);
	while ((r = fread(p + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			p = xrealloc(p, (cap *= 2) + 1);
	}
	int err = ferror(f);
	fclose(f);
	if (err) {
		free(p);
		return NULL;
	}
	p[n] = 0;
	*len = n;
	return p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_dir(const char *dir, doc **docs, size_t *ndocs, size_t max_bytes,
                     long *skipped)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "eval: %s: %s\n", dir, strerror(errno));
		exit(2);
	}
	char **names = NULL;
	size_t nn = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "README.md"))
			continue;
		names = xrealloc(names, (nn + 1) * sizeof *names);
		names[nn++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (nn > 1)
		qsort(names, nn, sizeof *names, cmp_str);
	for (size_t i = 0; i < nn; i++) {
		size_t pl = strlen(dir) + strlen(names[i]) + 2;
		char *path = xrealloc(NULL, pl);
		snprintf(path, pl, "%s/%s", dir, names[i]);
		struct stat st;
		size_t len;
		char *t = NULL;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max_bytes ||
		    st.st_size == 0 || !(t = slurp(path, &len)) || !is_text(t, len)) {
			(*skipped)++;
			free(t);
			free(path);
			free(names[i]);
			continue;
		}
		*docs = xrealloc(*docs, (*ndocs + 1) * sizeof **docs);
		doc *dd = &(*docs)[(*ndocs)++];
		dd->name = path;
		dd->text = t;
		dd->len = len;
		dd->negative = strncmp(names[i], "neg-", 4) == 0;
		free(names[i]);
	}
	free(names);
}

static void shell_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static const char *expect_name(gr_expect e)
{
	return e == GR_EXPECT_UNRECOVERABLE ? "detect-unrecoverable"
	       : e == GR_EXPECT_LEGACY ? "legacy" : "exact-repair";
}

/* run one case and add it to its row */
static void run_case(const doc *d, const gr_params *p, const char *key, rows *rs,
                     const mf_options *base)
{
	row *w = row_get(rs, key);
	gr_result res;
	gr_rc rc = gr_garble(p, d->text, d->len, &res);
	if (rc == GR_ENA) {
		w->na++;
		return;
	}
	if (rc != GR_OK) {
		fprintf(stderr, "eval: garble failed (%d) on %s: %s [%s]\n", (int)rc, d->name,
		        res.note, res.desc);
		w->failed_run++;
		return;
	}
	if (!res.changed) {
		w->unchanged++;
		gr_result_free(&res);
		return;
	}
	mf_options opt = *base;
	if (res.expect == GR_EXPECT_LEGACY)
		opt.to_utf8 = 1;
	char *out = NULL;
	size_t outlen = 0;
	mf_report rep;
	memset(&rep, 0, sizeof rep);
	if (progress)
		fprintf(stderr, "eval: %s [%s] ...", d->name, res.desc);
	double t0 = now();
	mf_rc mrc = MF_OK;
	int how = repair(&opt, res.out, res.outlen, &out, &outlen, &rep, &mrc);
	double dt = now() - t0;
	if (progress)
		fprintf(stderr, " %.3f s%s\n", dt, how == RP_TIMEOUT ? " TIMEOUT" : how == RP_CRASH ? " CRASH" : "");
	note_time(dt, d->name, res.desc);
	w->cases++;
	if (how != RP_OK) {
		if (how == RP_TIMEOUT)
			w->timeouts++;
		else if (how == RP_CRASH)
			w->crashes++;
		else
			w->failed_run++;
		if (verbose || how != RP_ERR)
			fprintf(stderr, "%s %s [%s]%s%s\n",
			        how == RP_TIMEOUT ? "TIMEOUT" : how == RP_CRASH ? "CRASH" : "FAIL",
			        d->name, res.desc, how == RP_ERR ? ": " : "",
			        how == RP_ERR ? mf_rc_message(mrc) : "");
		free(out);
		free(rep.spans);
		gr_result_free(&res);
		return;
	}
	int exact = outlen == res.reflen && memcmp(out, res.ref, outlen) == 0;
	int ok;
	switch (res.expect) {
	case GR_EXPECT_UNRECOVERABLE:
		ok = rep.status == MF_STATUS_UNRECOVERABLE;
		break;
	case GR_EXPECT_LEGACY:
		ok = rep.status == MF_STATUS_LEGACY && exact;
		break;
	default:
		ok = exact;
		break;
	}
	w->ok += ok;
	w->detected += rep.status != MF_STATUS_CLEAN;
	w->conf_sum += rep.confidence;
	if (res.expect == GR_EXPECT_REPAIR) {
		int b = (int)(rep.confidence * NBUCKET);
		if (b < 0)
			b = 0;
		if (b >= NBUCKET)
			b = NBUCKET - 1;
		calib.n[b]++;
		calib.ok[b] += exact;
	}
	if (!ok && verbose) {
		size_t i = 0;
		while (i < outlen && i < res.reflen && out[i] == res.ref[i])
			i++;
		fprintf(stderr, "FAIL %s: want %s, status %s, confidence %.3f, first difference "
		        "at byte %zu\n  reproduce: tests/garble --variant ",
		        d->name, expect_name(res.expect), mf_status_name(rep.status),
		        rep.confidence, i);
		shell_quote(stderr, res.desc);
		fprintf(stderr, " < %s | ./mojifix\n", d->name);
		if (verbose > 1) {
			size_t a = i > 40 ? i - 40 : 0;
			size_t e1 = i + 40 < outlen ? i + 40 : outlen;
			size_t e2 = i + 40 < res.reflen ? i + 40 : res.reflen;
			fprintf(stderr, "  got:  %.*s\n  want: %.*s\n", (int)(e1 - a), out + a,
			        (int)(e2 - a), res.ref + a);
		}
	}
	free(out);
	free(rep.spans);
	gr_result_free(&res);
}

typedef struct {
	char *name;
	double rate;
} threshold;

static void usage(FILE *f)
{
	fputs("usage: tests/eval [options] [DIR...]\n"
	      "  --text DIR          clean documents (default tests/text); DIRs given as\n"
	      "                      arguments are added (files named neg-* are negatives)\n"
	      "  --channel NAME      only variants whose description starts with NAME (repeatable)\n"
	      "  --variant DESC      run this variant instead of the presets (repeatable)\n"
	      "  --random N          also N random variants per document (tests/garble --random)\n"
	      "  --no-presets        run no preset variant\n"
	      "  --seeds N           seeds per document and variant (default 3)\n"
	      "  --seed0 S           first seed (default 1)\n"
	      "  --max-bytes N       skip documents larger than N bytes (default 1000000)\n"
	      "  --min-confidence X  passed to the library (default its own)\n"
	      "  --min-rate NAME=R   require a success rate >= R for the variants whose\n"
	      "                      description starts with NAME (\"all\": every case)\n"
	      "  --min-calibration R require that of the exact-repair cases reported at\n"
	      "                      confidence >= 0.9, a share >= R is repaired exactly\n"
	      "  --max-fp N          allow at most N false positives (default 0 with --assert)\n"
	      "  --assert            exit 1 when a --min-rate or --max-fp bound fails\n"
	      "  --list              print the preset variants and exit\n"
	      "  -v, -vv             print failing cases (and the differing text)\n"
	      "  --progress          print each case and its repair time on stderr\n"
	      "  --timeout SEC       repair each case in a child process, killed after SEC\n"
	      "                      seconds (default 120; 0: in process, no protection)\n"
	      "Success: exact-repair cases must return the reference byte for byte;\n"
	      "unrecoverable cases (gbk-as-utf8, kunkao) must get status unrecoverable;\n"
	      "legacy cases must get status legacy and, converted to UTF-8, the reference.\n",
	      f);
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int main(int argc, char **argv)
{
	const char *textdir = "tests/text";
	char **extra = NULL, **only = NULL, **variants = NULL;
	size_t nextra = 0, nonly = 0, nvariants = 0;
	threshold *th = NULL;
	size_t nth = 0;
	long seeds = 3, nrandom = 0, max_fp = -1;
	double min_calib = -1;
	unsigned long long seed0 = 1;
	size_t max_bytes = 1000000;
	int do_assert = 0, presets = 1;
	double min_conf = -1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDV() do { if (!v) { fprintf(stderr, "eval: %s needs a value\n", a); return 2; } i++; } while (0)
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--list")) {
			for (size_t k = 0; k < gr_nvariants; k++)
				puts(gr_variants[k]);
			return 0;
		} else if (!strcmp(a, "-v")) {
			verbose = verbose > 1 ? verbose : 1;
		} else if (!strcmp(a, "-vv")) {
			verbose = 2;
		} else if (!strcmp(a, "--timeout")) {
			NEEDV();
			timeout_sec = strtod(v, NULL);
		} else if (!strcmp(a, "--progress")) {
			progress = 1;
		} else if (!strcmp(a, "--assert")) {
			do_assert = 1;
		} else if (!strcmp(a, "--no-presets")) {
			presets = 0;
		} else if (!strcmp(a, "--text")) {
			NEEDV();
			textdir = v;
		} else if (!strcmp(a, "--channel")) {
			NEEDV();
			only = xrealloc(only, (nonly + 1) * sizeof *only);
			only[nonly++] = (char *)v;
		} else if (!strcmp(a, "--variant")) {
			NEEDV();
			variants = xrealloc(variants, (nvariants + 1) * sizeof *variants);
			variants[nvariants++] = (char *)v;
		} else if (!strcmp(a, "--random")) {
			NEEDV();
			nrandom = strtol(v, NULL, 10);
		} else if (!strcmp(a, "--seeds")) {
			NEEDV();
			seeds = strtol(v, NULL, 10);
		} else if (!strcmp(a, "--seed0")) {
			NEEDV();
			seed0 = strtoull(v, NULL, 0);
		} else if (!strcmp(a, "--max-bytes")) {
			NEEDV();
			max_bytes = (size_t)strtoull(v, NULL, 10);
		} else if (!strcmp(a, "--min-confidence")) {
			NEEDV();
			min_conf = strtod(v, NULL);
		} else if (!strcmp(a, "--min-calibration")) {
			NEEDV();
			min_calib = strtod(v, NULL);
		} else if (!strcmp(a, "--max-fp")) {
			NEEDV();
			max_fp = strtol(v, NULL, 10);
		} else if (!strcmp(a, "--min-rate")) {
			NEEDV();
			const char *eq = strrchr(v, '=');
			if (!eq || eq == v) {
				fprintf(stderr, "eval: --min-rate NAME=RATE\n");
				return 2;
			}
			th = xrealloc(th, (nth + 1) * sizeof *th);
			th[nth].name = xrealloc(NULL, (size_t)(eq - v) + 1);
			memcpy(th[nth].name, v, (size_t)(eq - v));
			th[nth].name[eq - v] = 0;
			th[nth].rate = strtod(eq + 1, NULL);
			nth++;
		} else if (a[0] == '-') {
			fprintf(stderr, "eval: unknown option %s\n", a);
			usage(stderr);
			return 2;
		} else {
			extra = xrealloc(extra, (nextra + 1) * sizeof *extra);
			extra[nextra++] = (char *)a;
		}
#undef NEEDV
	}
	if (seeds < 1)
		seeds = 1;
	if (do_assert && max_fp < 0)
		max_fp = 0;

	/* documents */
	doc *docs = NULL;
	size_t ndocs = 0;
	long skipped = 0;
	load_dir(textdir, &docs, &ndocs, max_bytes, &skipped);
	for (size_t i = 0; i < nextra; i++)
		load_dir(extra[i], &docs, &ndocs, max_bytes, &skipped);
	if (!ndocs) {
		fprintf(stderr, "eval: no documents\n");
		return 2;
	}

	/* variants */
	const char **vl = NULL;
	size_t nvl = 0;
	if (nvariants) {
		vl = (const char **)variants;
		nvl = nvariants;
	} else if (presets) {
		vl = (const char **)gr_variants;
		nvl = gr_nvariants;
	}
	gr_params *vp = xrealloc(NULL, (nvl + 1) * sizeof *vp);
	size_t nvp = 0;
	const char **vkeys = xrealloc(NULL, (nvl + 1) * sizeof *vkeys);
	for (size_t i = 0; i < nvl; i++) {
		int keep = nonly == 0;
		for (size_t k = 0; k < nonly; k++)
			keep |= starts_with(vl[i], only[k]);
		if (!keep)
			continue;
		char err[200];
		if (gr_parse(vl[i], &vp[nvp], err, sizeof err) != GR_OK) {
			fprintf(stderr, "eval: variant '%s': %s\n", vl[i], err);
			return 2;
		}
		vkeys[nvp++] = vl[i];
	}

	mf_options base;
	mf_options_init(&base);
	if (min_conf >= 0)
		base.min_confidence = min_conf;

	rows rs = {0};
	size_t npos = 0;
	for (size_t di = 0; di < ndocs; di++) {
		const doc *d = &docs[di];
		if (!d->negative)
			npos++;
		for (size_t vi = 0; vi < nvp; vi++)
			for (long s = 0; s < seeds; s++) {
				/* negatives: only whole-text legacy charsets (Shift_JIS
				 * Japanese, EUC-KR Korean must be told apart too) */
				if (d->negative && (vp[vi].nlayers != 1 || vp[vi].layer[0].ch != GR_CH_LEGACY))
					continue;
				gr_params p = vp[vi];
				p.seed = seed0 + (unsigned long long)s;
				run_case(d, &p, vkeys[vi], &rs, &base);
			}
		for (long r = 0; r < nrandom && !d->negative; r++) {
			gr_params p;
			gr_random_params(&p, seed0 + (unsigned long long)r * 7919u +
			                       (unsigned long long)di * 1000003u);
			char key[200] = "random:";
			for (int l = 0; l < p.nlayers; l++) {
				if (l)
					strncat(key, ">", sizeof key - strlen(key) - 1);
				strncat(key, gr_channel_name(p.layer[l].ch), sizeof key - strlen(key) - 1);
			}
			if (p.partial > 0)
				strncat(key, " partial", sizeof key - strlen(key) - 1);
			int keep = nonly == 0;
			for (size_t k = 0; k < nonly; k++)
				keep |= starts_with(key + 7, only[k]);
			if (keep)
				run_case(d, &p, key, &rs, &base);
		}
	}

	/* false positives: every document, unchanged */
	long fp = 0;
	double fp_conf = 0;
	for (size_t di = 0; di < ndocs; di++) {
		const doc *d = &docs[di];
		char *out = NULL;
		size_t outlen = 0;
		mf_report rep;
		memset(&rep, 0, sizeof rep);
		mf_rc mrc = MF_OK;
		int how = repair(&base, d->text, d->len, &out, &outlen, &rep, &mrc);
		if (how == RP_TIMEOUT || how == RP_CRASH) {
			fp++;
			printf("false positive: %s (%s)\n", d->name, how == RP_TIMEOUT ? "timeout" : "crash");
			continue;
		}
		int bad = mrc != MF_OK || outlen != d->len || memcmp(out, d->text, d->len) != 0 ||
		          rep.status != MF_STATUS_CLEAN;
		fp_conf += rep.confidence;
		if (bad) {
			fp++;
			printf("false positive: %s (status %s, confidence %.3f, %s)\n", d->name,
			       mrc == MF_OK ? mf_status_name(rep.status) : mf_rc_message(mrc),
			       rep.confidence,
			       mrc == MF_OK && (outlen != d->len || memcmp(out, d->text, d->len))
			               ? "output changed" : "output unchanged");
		}
		free(out);
		free(rep.spans);
	}

	/* report */
	printf("\n%zu documents (%zu garbled, %zu negatives), %ld skipped; %ld seed(s)\n\n",
	       ndocs, npos, ndocs - npos, skipped, seeds);
	printf("%6s %5s %5s %4s %6s %7s %8s %6s  %s\n", "cases", "n/a", "same", "err", "ok",
	       "rate", "detected", "conf", "variant");
	long tc = 0, tok = 0, tto = 0, tcr = 0;
	for (size_t i = 0; i < rs.n; i++) {
		row *w = &rs.v[i];
		tc += w->cases;
		tok += w->ok;
		tto += w->timeouts;
		tcr += w->crashes;
		printf("%6ld %5ld %5ld %4ld %6ld %6.1f%% %7.1f%% %6.3f  %s\n", w->cases, w->na,
		       w->unchanged, w->failed_run + w->timeouts + w->crashes, w->ok, w->cases ? 100.0 * (double)w->ok / (double)w->cases : 0.0,
		       w->cases ? 100.0 * (double)w->detected / (double)w->cases : 0.0,
		       w->cases ? w->conf_sum / (double)w->cases : 0.0, w->key);
	}
	printf("%6ld %5s %5s %4s %6ld %6.1f%% %8s %6s  %s\n", tc, "", "", "", tok,
	       tc ? 100.0 * (double)tok / (double)tc : 0.0, "", "", "all");
	if (tto || tcr)
		printf("engine timeouts (%.0f s): %ld, crashes: %ld\n", timeout_sec, tto, tcr);
	printf("\nclean documents: %zu, false positives: %ld, mean confidence %.3f\n",
	       ndocs, fp, ndocs ? fp_conf / (double)ndocs : 0.0);

	printf("\ncalibration (exact-repair cases): confidence bucket, cases, exactly repaired\n");
	for (int b = 0; b < NBUCKET; b++)
		if (calib.n[b])
			printf("  [%.1f, %.1f%c %6ld  %6.1f%%\n", (double)b / NBUCKET,
			       (double)(b + 1) / NBUCKET, b == NBUCKET - 1 ? ']' : ')', calib.n[b],
			       100.0 * (double)calib.ok[b] / (double)calib.n[b]);

	printf("\nslowest repairs:\n");
	for (int printed = 0; printed < NSLOW; printed++) {
		int k = -1;
		for (int i = 0; i < NSLOW; i++)
			if (slow[i].sec > 0 && (k < 0 || slow[i].sec > slow[k].sec))
				k = i;
		if (k < 0)
			break;
		printf("  %8.3f s  %s\n", slow[k].sec, slow[k].what);
		slow[k].sec = 0;
	}

	/* thresholds */
	int passed = 0, failed = 0;
	for (size_t t = 0; t < nth; t++) {
		long c = 0, k = 0;
		for (size_t i = 0; i < rs.n; i++) {
			const char *key = rs.v[i].key;
			if (!strcmp(th[t].name, "all") || starts_with(key, th[t].name) ||
			    (starts_with(key, "random:") && starts_with(key + 7, th[t].name))) {
				c += rs.v[i].cases;
				k += rs.v[i].ok;
			}
		}
		double rate = c ? (double)k / (double)c : 0.0;
		int ok = c > 0 && rate + 1e-12 >= th[t].rate;
		printf("%s: min-rate %s=%.3f: %.3f over %ld cases\n", ok ? "PASS" : "FAIL",
		       th[t].name, th[t].rate, rate, c);
		ok ? passed++ : failed++;
	}
	if (max_fp >= 0) {
		int ok = fp <= max_fp;
		printf("%s: false positives %ld (at most %ld)\n", ok ? "PASS" : "FAIL", fp, max_fp);
		ok ? passed++ : failed++;
	}
	if (min_calib >= 0) {
		/* of the files reported at 0.9 or more, the share repaired exactly */
		long c = calib.n[NBUCKET - 1], k = calib.ok[NBUCKET - 1];
		double rate = c ? (double)k / (double)c : 0.0;
		int ok = c > 0 && rate + 1e-12 >= min_calib;
		printf("%s: calibration: %.3f of %ld cases at confidence >= 0.9 exact (at least %.3f)\n",
		       ok ? "PASS" : "FAIL", rate, c, min_calib);
		ok ? passed++ : failed++;
	}
	if (nth || max_fp >= 0 || min_calib >= 0)
		printf("eval: %d passed, %d failed\n", passed, failed);

	for (size_t i = 0; i < ndocs; i++) {
		free(docs[i].name);
		free(docs[i].text);
	}
	free(docs);
	for (size_t i = 0; i < rs.n; i++)
		free(rs.v[i].key);
	free(rs.v);
	for (size_t t = 0; t < nth; t++)
		free(th[t].name);
	free(th);
	free(vp);
	free(vkeys);
	free(extra);
	free(only);
	free(variants);
	return do_assert && failed ? 1 : 0;
}
