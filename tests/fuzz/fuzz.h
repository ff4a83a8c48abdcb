/*
 * Shared by the fuzz targets: the libFuzzer entry points, a qr_stream over
 * bytes in memory (so that every target reads its input as the ingest
 * would read a file), and a stream format's work on one input.
 */
#ifndef QR_FUZZ_H
#define QR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "buf.h"
#include "format.h"
#include "input.h"
#include "json.h"
#include "post.h"
#include "status.h"
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

/* Every post the reader makes must survive its own JSON. */
static inline void fuzz_roundtrip(const qr_posts *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		qr_buf json = QR_BUF_INIT, why = QR_BUF_INIT;
		qr_jw w;
		qr_post back;
		qr_jw_init(&w, &json, false);
		qr_post_to_json(&ps->v[i], &w);
		qr_post_init(&back);
		if (qr_post_from_json(&back, json.buf, json.len, &why) != 0)
			abort();
		qr_post_clear(&back);
		qr_buf_release(&json);
		qr_buf_release(&why);
	}
}

/* A stream format's whole work on the bytes: its bid, the bytes as one
 * record, then framed as a file read in uneven pieces, every record
 * normalized and every post written to JSON and read back. */
static inline void fuzz_stream_format(const qr_format *f, const uint8_t *data, size_t size)
{
	qr_posts ps = { 0 };
	qr_buf why = QR_BUF_INIT;

	f->bid((const char *)data, size, NULL);
	f->normalize((const char *)data, size, &ps, &why);
	fuzz_roundtrip(&ps);
	qr_posts_clear(&ps);

	struct fuzz_mem m;
	qr_stream *s = fuzz_mem_stream(&m, data, size, size ? 1 + data[0] % 97 : 0);
	qr_reader r = { f, { 0 }, "fuzz", NULL, NULL };
	qr_input_init(&r.in, s, 1u << 16);
	for (int i = 0; i < 100000; i++) {
		qr_frame fr;
		qr_buf_reset(&why);
		int st = qr_format_next(&r, &fr, &why);
		if (st == QR_END || st == QR_IO)
			break;
		if (st != QR_OK)
			continue;
		if (fr.len > (1u << 16))
			abort(); /* the record cap holds */
		f->normalize(fr.data, fr.len, &ps, &why);
		fuzz_roundtrip(&ps);
		qr_posts_clear(&ps);
	}
	qr_input_release(&r.in);
	qr_stream_free(s);
	qr_buf_release(&why);
}

#endif
