/*
 * A growable byte buffer.  Rules: buf is never NULL (an empty buffer points
 * at a shared empty string), it is always NUL-terminated, and len excludes
 * the terminator.  Allocation failure aborts the process with a message:
 * running on after a failed malloc would only move the failure somewhere
 * harder to see.
 */
#ifndef QR_BUF_H
#define QR_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct qr_buf {
	char *buf;
	size_t len;
	size_t alloc;
} qr_buf;

extern char qr_buf_empty[];
#define QR_BUF_INIT { qr_buf_empty, 0, 0 }

void qr_buf_init(qr_buf *b);
void qr_buf_release(qr_buf *b);
/* Make room for at least `extra` more bytes. */
void qr_buf_grow(qr_buf *b, size_t extra);
void qr_buf_reset(qr_buf *b);
void qr_buf_setlen(qr_buf *b, size_t len);
void qr_buf_add(qr_buf *b, const void *data, size_t len);
void qr_buf_adds(qr_buf *b, const char *s);
void qr_buf_addch(qr_buf *b, int c);
void qr_buf_addf(qr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void qr_buf_vaddf(qr_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Replace the contents with a formatted string. */
void qr_buf_setf(qr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the malloc'd string to the caller; the buffer is left empty. */
char *qr_buf_detach(qr_buf *b, size_t *len);

/* malloc helpers that abort on failure, for the same reason. */
void *qr_malloc(size_t n);
void *qr_calloc(size_t n, size_t size);
void *qr_realloc(void *p, size_t n);
char *qr_strdup(const char *s);
char *qr_strndup(const char *s, size_t n);
/* Grow an array of `size`-byte items to hold at least `need` items. */
void *qr_grow_array(void *p, size_t size, size_t need, size_t *alloc);

#endif
