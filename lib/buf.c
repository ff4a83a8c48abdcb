#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char qr_buf_empty[1];

static void out_of_memory(size_t n)
{
	fprintf(stderr, "quire: out of memory: cannot allocate %zu bytes\n", n);
	abort();
}

void *qr_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory(n);
	return p;
}

void *qr_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory(n * size);
	return p;
}

void *qr_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory(n);
	return q;
}

char *qr_strndup(const char *s, size_t n)
{
	char *p = qr_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *qr_strdup(const char *s)
{
	return s ? qr_strndup(s, strlen(s)) : NULL;
}

void *qr_grow_array(void *p, size_t size, size_t need, size_t *alloc)
{
	if (need <= *alloc)
		return p;
	size_t n = *alloc ? *alloc : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			out_of_memory(SIZE_MAX);
		n *= 2;
	}
	p = qr_realloc(p, n * size);
	*alloc = n;
	return p;
}

void qr_buf_init(qr_buf *b)
{
	b->buf = qr_buf_empty;
	b->len = 0;
	b->alloc = 0;
}

void qr_buf_release(qr_buf *b)
{
	if (b->alloc)
		free(b->buf);
	qr_buf_init(b);
}

void qr_buf_grow(qr_buf *b, size_t extra)
{
	if (extra >= SIZE_MAX - b->len - 1)
		out_of_memory(SIZE_MAX);
	size_t need = b->len + extra + 1;
	if (need <= b->alloc)
		return;
	size_t n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n < SIZE_MAX / 2 ? n * 2 : need;
	if (b->alloc) {
		b->buf = qr_realloc(b->buf, n);
	} else {
		b->buf = qr_malloc(n);
		b->buf[0] = '\0';
	}
	b->alloc = n;
}

void qr_buf_reset(qr_buf *b)
{
	qr_buf_setlen(b, 0);
}

void qr_buf_setlen(qr_buf *b, size_t len)
{
	if (!b->alloc) {
		if (len)
			qr_buf_grow(b, len);
		else
			return;
	}
	if (len >= b->alloc)
		qr_buf_grow(b, len - b->len);
	b->len = len;
	b->buf[len] = '\0';
}

void qr_buf_add(qr_buf *b, const void *data, size_t len)
{
	if (!len)
		return;
	qr_buf_grow(b, len);
	memmove(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void qr_buf_adds(qr_buf *b, const char *s)
{
	qr_buf_add(b, s, strlen(s));
}

void qr_buf_addch(qr_buf *b, int c)
{
	qr_buf_grow(b, 1);
	b->buf[b->len++] = (char)c;
	b->buf[b->len] = '\0';
}

void qr_buf_vaddf(qr_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	qr_buf_grow(b, 64);
	int n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->alloc - b->len) {
		qr_buf_grow(b, (size_t)n);
		n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
		if (n < 0)
			return;
	}
	b->len += (size_t)n;
}

void qr_buf_addf(qr_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	qr_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void qr_buf_setf(qr_buf *b, const char *fmt, ...)
{
	va_list ap;
	qr_buf_reset(b);
	va_start(ap, fmt);
	qr_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

char *qr_buf_detach(qr_buf *b, size_t *len)
{
	char *p;
	if (len)
		*len = b->len;
	if (b->alloc) {
		p = b->buf;
	} else {
		p = qr_malloc(1);
		p[0] = '\0';
	}
	qr_buf_init(b);
	return p;
}
