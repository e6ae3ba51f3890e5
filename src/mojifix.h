/*
 * mojifix: find and repair Chinese text garbled by GBK/UTF-8 accidents.
 * SPDX-License-Identifier: MIT
 *
 * The library never prints and never exits.  Every entry point returns a
 * status code (MF_OK or an MF_ERR_*); a stream keeps a message for the last
 * error (mf_stream_error).
 *
 * A stream repairs one input (one file).  Feed it bytes in any chunking; it
 * hands repaired bytes to the write callback as soon as a block (a run of
 * whole lines, bounded in size) is decided, so memory does not grow with the
 * input.  The report is complete after mf_stream_finish.
 */
#ifndef MOJIFIX_H
#define MOJIFIX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MOJIFIX_VERSION "0.1.0"

typedef enum {
	MF_OK = 0,
	MF_ERR_NOMEM,     /* out of memory */
	MF_ERR_ARG,       /* bad argument */
	MF_ERR_WRITE,     /* the write callback failed */
	MF_ERR_ICONV,     /* iconv(3) cannot convert as asked */
	MF_ERR_OPENCC,    /* OpenCC missing or failed (--simplified) */
	MF_ERR_STATE      /* call out of order */
} mf_rc;

/* Per-input verdict.  Order matters: a later value wins when merging. */
typedef enum {
	MF_STATUS_CLEAN = 0,
	MF_STATUS_GARBLED,         /* repairable garbling found */
	MF_STATUS_UNRECOVERABLE,   /* 口字码, 锟拷码: garbled, not repairable */
	MF_STATUS_LEGACY,          /* the whole input is in a legacy encoding */
	MF_STATUS_BINARY           /* NUL bytes or not text: passed through */
} mf_status;

/*
 * Channels: one wrong decode each.  A chain is the list of channels applied
 * to the original text, outermost (last applied) last; repairing undoes
 * them from the last backwards.  Names are stable (used in --json).
 */
typedef enum {
	MF_CH_UTF8_AS_GBK = 0,   /* 古文码: UTF-8 bytes decoded as GBK/CP936/GB18030 */
	MF_CH_UTF8_AS_LATIN1,    /* 符号码: UTF-8 decoded as ISO-8859-1 */
	MF_CH_UTF8_AS_CP1252,    /* 符号码: UTF-8 decoded as Windows-1252 */
	MF_CH_GBK_AS_LATIN1,     /* 拼音码: GBK decoded as ISO-8859-1 */
	MF_CH_GBK_AS_CP1252,     /* 拼音码: GBK decoded as Windows-1252 */
	MF_CH_GBK_ISLAND,        /* raw GBK bytes inside UTF-8 (invalid UTF-8) */
	MF_CH_PINYIN_INSERT,     /* seed family: (pinyin) inserted into GBK bytes */
	MF_CH_GBK_AS_UTF8,       /* 口字码: GBK decoded as UTF-8 (unrecoverable) */
	MF_CH_KUNKAO,            /* 锟拷码: 口字码 then decoded as GBK (unrecoverable) */
	MF_CH_COUNT
} mf_channel;

#define MF_MAX_CHAIN 4

/* One repaired (or reported) span. Offsets are in input/output bytes. */
typedef struct {
	uint64_t in_offset, in_length;
	uint64_t out_offset, out_length;
	uint64_t line;                  /* 1-based input line of the start */
	int nchain;
	mf_channel chain[MF_MAX_CHAIN]; /* applied order: chain[0] first */
	double confidence;              /* that this span is garbled and the repair right */
	unsigned lost;                  /* characters that could not be recovered (U+FFFD left) */
	int applied;                    /* 0: reported only (below bar, or unrecoverable) */
} mf_span;

typedef struct {
	mf_status status;
	double confidence;      /* P(input is garbled [and repair right]) */
	unsigned channels;      /* bit set of mf_channel seen in applied spans */
	uint64_t nspans;        /* spans found (applied or not) */
	uint64_t napplied;      /* spans changed in the output */
	uint64_t lost;          /* unrecovered characters (U+FFFD left) over all spans */
	uint64_t bytes_in, bytes_out;
	int changed;            /* output differs from input */
	char encoding[32];      /* MF_STATUS_LEGACY: the detected charset */
	/* recent spans, for --explain and tests; at most MF_KEEP_SPANS kept */
	mf_span *spans;
	size_t nkept;
} mf_report;

#define MF_KEEP_SPANS 4096

typedef struct {
	double min_confidence;  /* spans below this are reported, not changed */
	int to_utf8;            /* legacy-encoded input: convert to UTF-8 */
	int simplified;         /* convert repaired output to simplified (OpenCC) */
	int keep_spans;         /* record spans in the report (for --explain) */
} mf_options;

#define MF_DEFAULT_MIN_CONFIDENCE 0.5

typedef int (*mf_write_fn)(void *ctx, const char *buf, size_t len);

typedef struct mf_stream mf_stream;

void mf_options_init(mf_options *opt);

/* Create a stream; write may be NULL (nothing is written: --check, --json). */
mf_rc mf_stream_new(mf_stream **out, const mf_options *opt,
                    mf_write_fn write, void *ctx);
mf_rc mf_stream_feed(mf_stream *s, const void *buf, size_t len);
mf_rc mf_stream_finish(mf_stream *s);
const mf_report *mf_stream_report(const mf_stream *s);
const char *mf_stream_error(const mf_stream *s);
void mf_stream_free(mf_stream *s);

/* Whole-buffer convenience: *out is malloc'd (caller frees); rep may be NULL.
 * rep->spans, when kept, is owned by the caller too (free it). */
mf_rc mf_repair_buffer(const mf_options *opt, const char *in, size_t len,
                       char **out, size_t *outlen, mf_report *rep);

const char *mf_channel_name(mf_channel ch);      /* "utf8-as-gbk" */
const char *mf_channel_steps(mf_channel ch);     /* "encode GBK, decode UTF-8" */
const char *mf_status_name(mf_status st);        /* "clean" */
const char *mf_rc_message(mf_rc rc);
const char *mf_tables_version(void);             /* sources of compiled tables */

#ifdef __cplusplus
}
#endif
#endif
