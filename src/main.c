/* mojifix(1): the command line around the library.  It reads, writes and
 * reports; every decision about text is the library's.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "mojifix.h"

enum { EXIT_CLEAN = 0, EXIT_FOUND = 1, EXIT_TROUBLE = 2 };

static struct {
	int in_place;
	const char *suffix;
	int check, json, explain, quiet, verbose, preserve_time;
	mf_options opt;
} cfg;

static const char *progname = "mojifix";

static void msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: mojifix [options] [FILE...]\n"
	        "Repair Chinese text garbled by GBK/UTF-8 accidents; with no FILE, or -, read stdin.\n"
	        "\n"
	        "  -i, --in-place[=SUFFIX]  rewrite files that need repair (keep FILE SUFFIX as backup)\n"
	        "      --check              change nothing; list garbled files, exit 1 if any\n"
	        "      --json               change nothing; one JSON report per input per line\n"
	        "      --explain            show each repaired span, its chain and confidence on stderr\n"
	        "      --min-confidence=X   change nothing below confidence X (default %.2f)\n"
	        "      --to-utf8            convert whole files in a legacy encoding to UTF-8\n"
	        "      --simplified         convert the output to simplified Chinese (OpenCC)\n"
	        "      --preserve-time      with -i, keep the file's modification time\n"
	        "  -q, --quiet              no per-file messages\n"
	        "  -v, --verbose            a summary line per file on stderr\n"
	        "  -h, --help               this help\n"
	        "  -V, --version            version and table sources\n"
	        "\n"
	        "Exit status: 0 nothing garbled (or all repaired with -i), 1 garbling found with\n"
	        "--check, 2 usage or I/O error.  See mojifix(1).\n",
	        MF_DEFAULT_MIN_CONFIDENCE);
}

/* ---- signals: never leave a temporary file behind ---- */

static char tmp_path[PATH_MAX + 32];
static volatile sig_atomic_t tmp_live;

static void on_signal(int sig)
{
	if (tmp_live)
		unlink(tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A signal ignored when we started (nohup, a background job of a
 * non-interactive shell) stays ignored. */
static void catch_signal(int sig)
{
	struct sigaction was;
	if (sigaction(sig, NULL, &was) == 0 && was.sa_handler == SIG_IGN)
		return;
	signal(sig, on_signal);
}

/* ---- output sinks ---- */

typedef struct {
	int fd;
	int err;          /* errno of the first failed write */
} fd_sink;

static int write_fd(void *ctx, const char *buf, size_t len)
{
	fd_sink *s = ctx;
	while (len > 0) {
		ssize_t w = write(s->fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			s->err = errno;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* stdout is buffered by hand so that output starts before input ends */
typedef struct {
	char buf[65536];
	size_t n;
	int err;
} out_buf;

static out_buf stdout_buf;

static int flush_stdout(void)
{
	fd_sink s = { 1, 0 };
	if (stdout_buf.n && write_fd(&s, stdout_buf.buf, stdout_buf.n) != 0) {
		stdout_buf.err = s.err;
		stdout_buf.n = 0;
		return -1;
	}
	stdout_buf.n = 0;
	return 0;
}

static int write_stdout(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	if (stdout_buf.err)
		return -1;
	if (len >= sizeof stdout_buf.buf) {
		if (flush_stdout() != 0)
			return -1;
		fd_sink s = { 1, 0 };
		if (write_fd(&s, buf, len) != 0) {
			stdout_buf.err = s.err;
			return -1;
		}
		return 0;
	}
	if (stdout_buf.n + len > sizeof stdout_buf.buf && flush_stdout() != 0)
		return -1;
	memcpy(stdout_buf.buf + stdout_buf.n, buf, len);
	stdout_buf.n += len;
	return 0;
}

static void closed_pipe_exit(void)
{
	/* a reader that went away (mojifix | head) ends us quietly */
	_exit(EXIT_CLEAN);
}

/* ---- reports ---- */

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void print_json(const char *name, const mf_report *r, const char *error)
{
	FILE *f = stdout;
	fputs("{\"file\":", f);
	json_string(f, name);
	if (error) {
		fputs(",\"status\":\"error\",\"confidence\":0,\"channels\":[],\"spans\":0,\"lost\":0,\"error\":", f);
		json_string(f, error);
		fputs("}\n", f);
		return;
	}
	fprintf(f, ",\"status\":\"%s\",\"confidence\":%.3f,\"channels\":[", mf_status_name(r->status),
	        r->confidence);
	int first = 1;
	for (int c = 0; c < MF_CH_COUNT; c++) {
		if (r->channels & (1u << c)) {
			fprintf(f, "%s\"%s\"", first ? "" : ",", mf_channel_name((mf_channel)c));
			first = 0;
		}
	}
	if (r->status == MF_STATUS_UNRECOVERABLE && r->spans) {
		unsigned seen = r->channels;
		for (size_t i = 0; i < r->nkept; i++)
			for (int j = 0; j < r->spans[i].nchain; j++) {
				unsigned bit = 1u << r->spans[i].chain[j];
				if (!(seen & bit)) {
					seen |= bit;
					fprintf(f, "%s\"%s\"", first ? "" : ",", mf_channel_name(r->spans[i].chain[j]));
					first = 0;
				}
			}
	}
	fprintf(f, "],\"spans\":%llu,\"lost\":%llu", (unsigned long long)r->nspans,
	        (unsigned long long)r->lost);
	if (r->status == MF_STATUS_LEGACY)
		fprintf(f, ",\"encoding\":\"%s\"", r->encoding);
	fputs("}\n", f);
}

static void explain(const char *name, const mf_report *r)
{
	for (size_t i = 0; i < r->nkept; i++) {
		const mf_span *sp = &r->spans[i];
		fprintf(stderr, "%s:%llu: bytes %llu+%llu: ", name, (unsigned long long)sp->line,
		        (unsigned long long)sp->in_offset, (unsigned long long)sp->in_length);
		for (int j = 0; j < sp->nchain; j++)
			fprintf(stderr, "%s%s", j ? " > " : "", mf_channel_name(sp->chain[j]));
		fprintf(stderr, " [");
		for (int j = sp->nchain - 1; j >= 0; j--)
			fprintf(stderr, "%s%s", j == sp->nchain - 1 ? "" : "; then ", mf_channel_steps(sp->chain[j]));
		fprintf(stderr, "] confidence %.3f", sp->confidence);
		if (sp->lost)
			fprintf(stderr, ", %u byte(s) lost", sp->lost);
		if (!sp->applied)
			fprintf(stderr, ", not changed");
		fputc('\n', stderr);
	}
	if (r->nspans > r->nkept)
		fprintf(stderr, "%s: %llu more span(s) not listed\n", name,
		        (unsigned long long)(r->nspans - r->nkept));
}

static void summary_line(FILE *f, const char *name, const mf_report *r)
{
	fprintf(f, "%s: %s (confidence %.2f", name, mf_status_name(r->status), r->confidence);
	for (int c = 0; c < MF_CH_COUNT; c++)
		if (r->channels & (1u << c))
			fprintf(f, ", %s", mf_channel_name((mf_channel)c));
	if (r->status == MF_STATUS_LEGACY)
		fprintf(f, ", %s", r->encoding);
	if (r->lost)
		fprintf(f, ", %llu byte(s) lost", (unsigned long long)r->lost);
	fprintf(f, ")\n");
}

/* ---- one input ---- */

/* Feed fd through a stream; returns MF_OK or the failing code, with errno-ish
 * detail in *read_err when reading failed. */
static mf_rc run_stream(mf_stream *s, int fd, int *read_err)
{
	static char buf[65536];
	*read_err = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			*read_err = errno;
			return MF_ERR_ARG;
		}
		if (r == 0)
			break;
		mf_rc rc = mf_stream_feed(s, buf, (size_t)r);
		if (rc != MF_OK)
			return rc;
	}
	return mf_stream_finish(s);
}

static int garbled(const mf_report *r)
{
	return r->status == MF_STATUS_GARBLED || r->status == MF_STATUS_UNRECOVERABLE;
}

/* Report what a finished stream found, as asked. */
static void report(const char *name, const mf_report *r)
{
	if (cfg.json)
		print_json(name, r, NULL);
	if (cfg.explain)
		explain(name, r);
	if (cfg.check && !cfg.quiet && garbled(r))
		summary_line(stdout, name, r);
	else if (cfg.verbose)
		summary_line(stderr, name, r);
}

static int file_error(const char *name, const char *what, int err)
{
	if (cfg.json)
		print_json(name, NULL, err ? strerror(err) : what);
	msg("%s: %s%s%s", name, what, err ? ": " : "", err ? strerror(err) : "");
	return EXIT_TROUBLE;
}

/* Filter, --check and --json: read fd, write the repair to stdout (or not). */
static int do_stream(const char *name, int fd)
{
	mf_stream *s;
	int writes = !(cfg.check || cfg.json);
	mf_rc rc = mf_stream_new(&s, &cfg.opt, writes ? write_stdout : NULL, NULL);
	if (rc != MF_OK)
		return file_error(name, mf_rc_message(rc), 0);
	int read_err;
	rc = run_stream(s, fd, &read_err);
	if (writes && rc == MF_OK)
		flush_stdout();
	if (stdout_buf.err == EPIPE)
		closed_pipe_exit();
	int status;
	if (read_err)
		status = file_error(name, "cannot read", read_err);
	else if (stdout_buf.err)
		status = file_error("standard output", "cannot write", stdout_buf.err);
	else if (rc != MF_OK)
		status = file_error(name, mf_stream_error(s) ? mf_stream_error(s) : mf_rc_message(rc), 0);
	else {
		const mf_report *r = mf_stream_report(s);
		report(name, r);
		status = cfg.check && garbled(r) ? EXIT_FOUND : EXIT_CLEAN;
	}
	mf_stream_free(s);
	return status;
}

/* -i: has path stopped being the file we read (st)?  Then say so. */
static int changed_since(const char *arg, const char *path, const struct stat *st, int *status)
{
	struct stat now;
	if (stat(path, &now) != 0) {
		if (errno == ENOENT)
			*status = file_error(arg, "disappeared while being repaired, not recreated", 0);
		else
			*status = file_error(arg, "cannot stat it again before replacing it", errno);
		return 1;
	}
	if (now.st_ino != st->st_ino || now.st_dev != st->st_dev) {
		*status = file_error(arg, "was replaced by another file while being repaired, left as it is", 0);
		return 1;
	}
	if (now.st_size != st->st_size || now.st_mtim.tv_sec != st->st_mtim.tv_sec ||
	    now.st_mtim.tv_nsec != st->st_mtim.tv_nsec || now.st_ctim.tv_sec != st->st_ctim.tv_sec ||
	    now.st_ctim.tv_nsec != st->st_ctim.tv_nsec) {
		*status = file_error(arg, "changed while being repaired, left as it is", 0);
		return 1;
	}
	return 0;
}

/* -i: repair into a temporary file beside the original, then rename it over
 * the original only when something changed and nothing failed. */
static int do_in_place(const char *arg)
{
	char path[PATH_MAX];
	struct stat lst, st;
	if (lstat(arg, &lst) != 0)
		return file_error(arg, "cannot stat", errno);
	/* a symlink: repair its target, the link stays a link */
	if (S_ISLNK(lst.st_mode)) {
		if (!realpath(arg, path))
			return file_error(arg, "cannot resolve symbolic link", errno);
	} else {
		if (strlen(arg) >= sizeof path)
			return file_error(arg, "path too long", 0);
		strcpy(path, arg);
	}
	int fd = open(path, O_RDONLY | O_NOCTTY);
	if (fd < 0)
		return file_error(arg, "cannot open", errno);
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return file_error(arg, "cannot stat", e);
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return file_error(arg, "is a directory, skipped", 0);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return file_error(arg, "not a regular file, skipped", 0);
	}
	if (st.st_nlink > 1) {
		close(fd);
		return file_error(arg, "has several hard links, skipped (rewriting would split them)", 0);
	}
	/* temporary file in the same directory, so rename is atomic */
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	snprintf(tmp_path, sizeof tmp_path, "%.*s.%s.mojifix-XXXXXX", dirlen, path,
	         slash ? slash + 1 : path);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	int tfd = mkstemp(tmp_path);
	if (tfd >= 0)
		tmp_live = 1;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (tfd < 0) {
		int e = errno;
		close(fd);
		return file_error(arg, "cannot create a temporary file in its directory", e);
	}
	fd_sink sink = { tfd, 0 };
	mf_stream *s;
	int status = EXIT_CLEAN;
	mf_rc rc = mf_stream_new(&s, &cfg.opt, write_fd, &sink);
	if (rc != MF_OK) {
		status = file_error(arg, mf_rc_message(rc), 0);
		goto discard;
	}
	int read_err;
	rc = run_stream(s, fd, &read_err);
	const mf_report *r = mf_stream_report(s);
	if (read_err) {
		status = file_error(arg, "cannot read", read_err);
	} else if (sink.err) {
		status = file_error(arg, "cannot write the repaired copy", sink.err);
	} else if (rc != MF_OK) {
		status = file_error(arg, mf_stream_error(s) ? mf_stream_error(s) : mf_rc_message(rc), 0);
	} else if (r->status == MF_STATUS_BINARY) {
		report(arg, r);
		status = file_error(arg, "binary file (NUL bytes), skipped", 0);
	} else {
		report(arg, r);
		if (!r->changed)
			goto discard_ok;
		/* the file must not have changed, been replaced or removed while
		 * we read it; checked again as late as possible, just below */
		if (changed_since(arg, path, &st, &status))
			goto discard;
		if (fchmod(tfd, st.st_mode & 07777) != 0) {
			status = file_error(arg, "cannot set the mode of the repaired copy", errno);
			goto discard;
		}
		if (geteuid() == 0 && fchown(tfd, st.st_uid, st.st_gid) != 0) {
			status = file_error(arg, "cannot set the owner of the repaired copy", errno);
			goto discard;
		}
		if (cfg.preserve_time) {
			struct timespec ts[2] = { st.st_atim, st.st_mtim };
			if (futimens(tfd, ts) != 0) {
				status = file_error(arg, "cannot set the time of the repaired copy", errno);
				goto discard;
			}
		}
		if (fsync(tfd) != 0) {
			status = file_error(arg, "cannot write the repaired copy", errno);
			goto discard;
		}
		if (close(tfd) != 0) {
			tfd = -1;
			status = file_error(arg, "cannot write the repaired copy", errno);
			goto discard;
		}
		tfd = -1;
		/* from the last look at the original to the rename, no signal
		 * handler runs: the file is either replaced or left as it was */
		sigprocmask(SIG_BLOCK, &block, &old);
		if (changed_since(arg, path, &st, &status)) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			goto discard;
		}
		char bak[PATH_MAX + 64];
		bak[0] = '\0';
		if (cfg.suffix && *cfg.suffix) {
			snprintf(bak, sizeof bak, "%s%s", path, cfg.suffix);
			unlink(bak);
			if (link(path, bak) != 0) {
				int e = errno;
				sigprocmask(SIG_SETMASK, &old, NULL);
				status = file_error(arg, "cannot keep a backup", e);
				goto discard;
			}
		}
		if (rename(tmp_path, path) != 0) {
			int e = errno;
			if (bak[0])
				unlink(bak);
			sigprocmask(SIG_SETMASK, &old, NULL);
			status = file_error(arg, "cannot replace the file", e);
			goto discard;
		}
		tmp_live = 0;
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (!cfg.quiet && !cfg.json && !cfg.explain && !cfg.verbose)
			fprintf(stderr, "%s: repaired %s (confidence %.2f)\n", progname, arg, r->confidence);
		goto done;
	}
	goto discard;
discard_ok:
	status = EXIT_CLEAN;
discard:
	sigprocmask(SIG_BLOCK, &block, &old);
	if (tfd >= 0)
		close(tfd);
	unlink(tmp_path);
	tmp_live = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
done:
	mf_stream_free(s);
	close(fd);
	return status;
}

static int do_file(const char *name)
{
	if (strcmp(name, "-") == 0) {
		if (cfg.in_place)
			return file_error("-", "cannot repair standard input in place", 0);
		return do_stream("-", 0);
	}
	if (cfg.in_place)
		return do_in_place(name);
	struct stat st;
	int fd = open(name, O_RDONLY | O_NOCTTY);
	if (fd < 0)
		return file_error(name, "cannot open", errno);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return file_error(name, "is a directory", 0);
	}
	int status = do_stream(name, fd);
	close(fd);
	return status;
}

int main(int argc, char **argv)
{
	enum { OPT_CHECK = 256, OPT_JSON, OPT_EXPLAIN, OPT_MINCONF, OPT_TOUTF8, OPT_SIMPLIFIED, OPT_PTIME };
#ifdef __GLIBC__
	/* The repair of a long line allocates and frees arrays of its size
	 * block after block; glibc would raise its mmap threshold after the
	 * first free and keep the later ones on the heap, fragmented among
	 * small blocks, in the RSS.  A fixed threshold hands each back when
	 * freed; fixing it also fixes the trim threshold, which is set high so
	 * that small files do not pay a heap trim each. */
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
#endif
	static const struct option longopts[] = {
		{ "in-place", optional_argument, NULL, 'i' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		{ "min-confidence", required_argument, NULL, OPT_MINCONF },
		{ "to-utf8", no_argument, NULL, OPT_TOUTF8 },
		{ "simplified", no_argument, NULL, OPT_SIMPLIFIED },
		{ "preserve-time", no_argument, NULL, OPT_PTIME },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	mf_options_init(&cfg.opt);
	int c;
	while ((c = getopt_long(argc, argv, "i::qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			cfg.in_place = 1;
			cfg.suffix = optarg;
			break;
		case OPT_CHECK: cfg.check = 1; break;
		case OPT_JSON: cfg.json = 1; break;
		case OPT_EXPLAIN: cfg.explain = 1; break;
		case OPT_MINCONF: {
			char *end;
			errno = 0;
			double x = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(x >= 0.0 && x <= 1.0)) {
				msg("--min-confidence wants a number from 0 to 1, not '%s'", optarg);
				return EXIT_TROUBLE;
			}
			cfg.opt.min_confidence = x;
			break;
		}
		case OPT_TOUTF8: cfg.opt.to_utf8 = 1; break;
		case OPT_SIMPLIFIED: cfg.opt.simplified = 1; break;
		case OPT_PTIME: cfg.preserve_time = 1; break;
		case 'q': cfg.quiet = 1; break;
		case 'v': cfg.verbose = 1; break;
		case 'h':
			usage(stdout);
			return EXIT_CLEAN;
		case 'V':
			printf("mojifix %s\ntables: %s\n", MOJIFIX_VERSION, mf_tables_version());
			return EXIT_CLEAN;
		default:
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	if (cfg.in_place + cfg.check + cfg.json > 1) {
		msg("-i, --check and --json exclude each other");
		return EXIT_TROUBLE;
	}
	if (cfg.preserve_time && !cfg.in_place) {
		msg("--preserve-time works with -i only");
		return EXIT_TROUBLE;
	}
	if (cfg.in_place && optind >= argc) {
		msg("-i needs file names");
		return EXIT_TROUBLE;
	}
	cfg.opt.keep_spans = cfg.explain || cfg.json;
	signal(SIGPIPE, SIG_IGN);
	/* a file size limit (ulimit -f) makes write() fail with EFBIG, reported
	 * like a full disk, instead of killing us with a temporary file left */
	signal(SIGXFSZ, SIG_IGN);
	catch_signal(SIGINT);
	catch_signal(SIGTERM);
	catch_signal(SIGHUP);

	if (cfg.opt.simplified) {
		/* fail early and clearly where OpenCC is missing */
		mf_stream *probe;
		mf_rc rc = mf_stream_new(&probe, &cfg.opt, NULL, NULL);
		if (rc != MF_OK) {
			msg("--simplified: %s", mf_rc_message(rc));
			return EXIT_TROUBLE;
		}
		mf_stream_free(probe);
	}

	int worst = EXIT_CLEAN;
	if (optind >= argc) {
		worst = do_file("-");
	} else {
		for (int k = optind; k < argc; k++) {
			int st = do_file(argv[k]);
			fflush(stdout);
			if (st > worst)
				worst = st;
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			closed_pipe_exit();
		msg("cannot write standard output: %s", strerror(errno));
		return EXIT_TROUBLE;
	}
	return worst;
}
