/*
 * Byte streams: an input file, stdin, the decompressed content of a zstd
 * stream, or a member of an archive.  The container layer stacks them; the
 * readers see only the innermost one.
 */
#ifndef QR_STREAM_H
#define QR_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

typedef struct qr_stream qr_stream;

struct qr_stream {
	/* Bytes read into buf, 0 at the end, -1 on error (message in err). */
	ssize_t (*read)(qr_stream *s, void *buf, size_t n);
	/* Optional: absolute seek of the underlying data (files only). */
	int64_t (*seek)(qr_stream *s, int64_t offset, int whence);
	void (*close)(qr_stream *s);
	void *ctx;
	qr_buf err;
	/* Bytes handed out so far (after decompression). */
	uint64_t produced;
	/* Bytes pushed back by peek, served before read. */
	qr_buf peeked;
	size_t peek_pos;
};

/* Read through the peek buffer; -1 on error. */
ssize_t qr_stream_read(qr_stream *s, void *buf, size_t n);
/* Make up to n bytes available at *p without consuming them; returns how
 * many (fewer only at the end), -1 on error. */
ssize_t qr_stream_peek(qr_stream *s, size_t n, const char **p);
void qr_stream_free(qr_stream *s);

/* A stream over a file descriptor (owned when own_fd). */
qr_stream *qr_stream_fd(int fd, bool own_fd);
/* A stream decompressing a zstd stream read from `inner` (freed with it when own_inner),
 * with windows up to 2^window_log_max bytes. */
qr_stream *qr_stream_zstd(qr_stream *inner, bool own_inner, int window_log_max);

/* True when the bytes start like a zstd frame. */
bool qr_is_zstd_magic(const char *p, size_t n);

#endif
