/*
 * Shared by the fuzz targets: the libFuzzer entry points, and a qr_stream
 * over bytes in memory (so that every target reads its input as the
 * ingest would read a file).
 */
#ifndef QR_FUZZ_H
#define QR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "buf.h"
#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct fuzz_mem {
	const uint8_t *data;
	size_t size, pos;
	size_t chunk;      /* bytes per read, to vary the reads' boundaries */
};

static ssize_t fuzz_mem_read(qr_stream *s, void *buf, size_t n)
{
	struct fuzz_mem *m = s->ctx;
	size_t left = m->size - m->pos;
	if (n > left)
		n = left;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static inline qr_stream *fuzz_mem_stream(struct fuzz_mem *m, const uint8_t *data, size_t size, size_t chunk)
{
	qr_stream *s = qr_calloc(1, sizeof(*s));
	m->data = data;
	m->size = size;
	m->pos = 0;
	m->chunk = chunk;
	qr_buf_init(&s->err);
	qr_buf_init(&s->peeked);
	s->ctx = m;
	s->read = fuzz_mem_read;
	return s;
}

#endif
