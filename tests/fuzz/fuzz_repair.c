/* libFuzzer target for the repair core (mf_repair_buffer, mf_stream_*).
 * SPDX-License-Identifier: MIT
 *
 * Invariants checked on every input (besides no crash, no undefined
 * behaviour and no leak, which the sanitizers check):
 *   1. the library accepts any bytes: MF_OK with the default options;
 *   2. the report agrees with the output: bytes_in/bytes_out, `changed`;
 *   3. valid UTF-8 in -> valid UTF-8 out;
 *   4. clean in -> output byte-identical (also binary and legacy input
 *      without --to-utf8, which are passed through);
 *   5. idempotence: repairing the output again changes nothing (except,
 *      as tests/test_repair.c allows, where a pass applied the seed
 *      family's pinyin-insert repair, or where the input was not valid
 *      UTF-8: counted and printed at exit);
 *   6. chunking: the stream API fed in random pieces gives the same output
 *      and verdict as the whole buffer (spans kept or not).
 * Set MF_FUZZ_SKIP to a list of invariant numbers (e.g. "5,6") to skip them
 * while a known finding is open.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mojifix.h"
#include "fuzz_common.h"

static int skip[8];
static unsigned long idem_checked, idem_seed, idem_invalid;

static void stats(void)
{
	if (idem_checked)
		fprintf(stderr, "fuzz_repair: idempotence checked on %lu changed inputs; %lu seed-family "
		        "(pinyin-insert) and %lu from invalid UTF-8 input changed again by a second run "
		        "(tolerated)\n", idem_checked, idem_seed, idem_invalid);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *e = getenv("MF_FUZZ_SKIP");
	for (; e && *e; e++)
		if (*e >= '1' && *e <= '7')
			skip[*e - '0'] = 1;
	atexit(stats);
	return 0;
}

typedef struct {
	char *p;
	size_t n, cap;
} sink;

static int sink_write(void *ctx, const char *buf, size_t len)
{
	sink *s = ctx;
	if (s->n + len > s->cap) {
		size_t cap = (s->n + len) * 2;
		char *q = realloc(s->p, cap);
		if (!q)
			return -1;
		s->p = q;
		s->cap = cap;
	}
	memcpy(s->p + s->n, buf, len);
	s->n += len;
	return 0;
}

/* Feed in pieces whose sizes come from a small PRNG seeded by the input. */
static mf_rc stream_chunked(const uint8_t *data, size_t size, sink *out, mf_report *rep)
{
	mf_options opt;
	mf_options_init(&opt);
	mf_stream *s;
	mf_rc rc = mf_stream_new(&s, &opt, sink_write, out);
	if (rc != MF_OK)
		return rc;
	uint32_t x = 2166136261u;
	for (size_t i = 0; i < size; i++)
		x = (x ^ data[i]) * 16777619u;
	size_t at = 0;
	while (rc == MF_OK && at < size) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		size_t piece = x % 8 == 0 ? 0 : 1 + x % 97;   /* empty feeds too */
		if (piece > size - at)
			piece = size - at;
		rc = mf_stream_feed(s, data + at, piece);
		at += piece;
	}
	if (rc == MF_OK)
		rc = mf_stream_finish(s);
	*rep = *mf_stream_report(s);
	rep->spans = NULL;
	mf_stream_free(s);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	mf_options opt;
	mf_options_init(&opt);
	opt.keep_spans = 1;
	char *out = NULL;
	size_t outlen = 0;
	mf_report rep;
	memset(&rep, 0, sizeof rep);
	mf_rc rc = mf_repair_buffer(&opt, in, size, &out, &outlen, &rep);
	free(rep.spans);
	if (!skip[1] && rc != MF_OK)
		FZ_FAIL("mf_repair_buffer failed: %s", mf_rc_message(rc));
	if (rc != MF_OK)
		return 0;
	int same = outlen == size && memcmp(out, in, size) == 0;
	if (!skip[2]) {
		if (rep.bytes_in != size || rep.bytes_out != outlen)
			FZ_FAIL("report counts %llu in, %llu out; really %zu, %zu",
			        (unsigned long long)rep.bytes_in, (unsigned long long)rep.bytes_out, size, outlen);
		if (rep.changed == same)
			FZ_FAIL("report says changed=%d but output %s input", rep.changed,
			        same ? "equals" : "differs from");
		if (rep.nkept > rep.nspans || rep.napplied > rep.nspans)
			FZ_FAIL("span counts inconsistent");
		if (!(rep.confidence >= 0.0 && rep.confidence <= 1.0))
			FZ_FAIL("confidence %g out of [0,1]", rep.confidence);
	}
	if (!skip[3] && fz_valid_utf8(data, size) && !fz_valid_utf8((const unsigned char *)out, outlen)) {
		fz_dump("input", in, size);
		fz_dump("output", out, outlen);
		FZ_FAIL("valid UTF-8 in, invalid UTF-8 out");
	}
	if (!skip[4] && !same &&
	    (rep.status == MF_STATUS_CLEAN || rep.status == MF_STATUS_BINARY || rep.status == MF_STATUS_LEGACY)) {
		fz_dump("input", in, size);
		fz_dump("output", out, outlen);
		FZ_FAIL("status %s but the output differs from the input", mf_status_name(rep.status));
	}
	if (!skip[5] && !same) {
		char *out2 = NULL;
		size_t outlen2 = 0;
		mf_report rep2;
		rc = mf_repair_buffer(&opt, out, outlen, &out2, &outlen2, &rep2);
		free(rep2.spans);
		if (rc != MF_OK)
			FZ_FAIL("second repair failed: %s", mf_rc_message(rc));
		unsigned seed = 1u << MF_CH_PINYIN_INSERT;
		int differs = outlen2 != outlen || memcmp(out2, out, outlen) != 0;
		idem_checked++;
		/* the project's own rule (tests/test_repair.c): a partly undone
		 * seed-family document may still carry evidence a second run acts
		 * on; counted, not fatal */
		if (differs && ((rep.channels & seed) || rep2.channels == seed)) {
			idem_seed++;
			differs = 0;
		}
		/* like tests/test_repair.c, the promise is made for valid UTF-8
		 * input; invalid input that a second run changes is counted */
		if (differs && !fz_valid_utf8(data, size)) {
			idem_invalid++;
			differs = 0;
		}
		if (differs) {
			fz_dump("input", in, size);
			fz_dump("repaired once", out, outlen);
			fz_dump("repaired twice", out2, outlen2);
			FZ_FAIL("repair is not idempotent (second pass: %s)", mf_status_name(rep2.status));
		}
		free(out2);
	}
	if (!skip[6]) {
		sink s = { 0 };
		mf_report rep3;
		rc = stream_chunked(data, size, &s, &rep3);
		if (rc != MF_OK)
			FZ_FAIL("chunked stream failed: %s", mf_rc_message(rc));
		if (s.n != outlen || (outlen && memcmp(s.p, out, outlen) != 0) || rep3.status != rep.status) {
			fz_dump("input", in, size);
			fz_dump("whole buffer", out, outlen);
			fz_dump("chunked", s.p, s.n);
			FZ_FAIL("chunked stream differs from the whole buffer (status %s vs %s)",
			        mf_status_name(rep3.status), mf_status_name(rep.status));
		}
		free(s.p);
	}
	free(out);
	return 0;
}
