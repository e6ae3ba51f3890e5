/* Growable byte buffer: an allocation failure is sticky, checked once at the end.
 * SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

bool mf_buf_reserve(mf_buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (b->n + extra <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->n + extra) {
		if (cap > SIZE_MAX / 2) {
			b->failed = true;
			return false;
		}
		cap *= 2;
	}
	char *p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

bool mf_grow(void *ptr, size_t *cap, size_t elem, size_t first)
{
	size_t c = *cap ? *cap * 2 : first;
	if (c < *cap || c > SIZE_MAX / elem)
		return false;
	void *v;
	memcpy(&v, ptr, sizeof v);     /* (the pointer, whatever it points to) */
	void *p = realloc(v, c * elem);
	if (!p)
		return false;
	memcpy(ptr, &p, sizeof p);
	*cap = c;
	return true;
}

void mf_buf_put(mf_buf *b, const void *data, size_t len)
{
	if (len == 0 || !mf_buf_reserve(b, len))
		return;
	memcpy(b->p + b->n, data, len);
	b->n += len;
}

void mf_buf_putc(mf_buf *b, char c)
{
	if (!mf_buf_reserve(b, 1))
		return;
	b->p[b->n++] = c;
}

void mf_buf_put_utf8(mf_buf *b, uint32_t cp)
{
	char tmp[4];
	if (MF_IS_RAW(cp)) {
		mf_buf_putc(b, (char)(cp - MF_RAW_BYTE));
		return;
	}
	mf_buf_put(b, tmp, mf_utf8_encode(cp, tmp));
}

void mf_buf_free(mf_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
	b->failed = false;
}
