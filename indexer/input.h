/*
 * Buffered reading of a leaf stream with record framing: lines, and JSON
 * values (one per line, an array of them, or pretty-printed ones one after
 * another).  Positions are tracked so that every record knows its line and
 * byte offset, and a record longer than the limit is skipped, not loaded.
 */
#ifndef QR_INPUT_H
#define QR_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "stream.h"

typedef struct qr_input {
	qr_stream *s;
	char *buf;
	size_t start, len, alloc;   /* unconsumed bytes are buf[start..len) */
	bool eof;
	bool failed;
	uint64_t offset;            /* byte offset of buf[start] in the stream */
	uint64_t line;              /* line number of buf[start], 1-based */
	size_t max_record;
	int json_mode;              /* framing chosen for JSON values */
	qr_buf err;                 /* the stream's error, when failed */
} qr_input;

/* A framed record; data stays valid until the next call. */
typedef struct qr_frame {
	const char *data;
	size_t len;
	uint64_t line;
	uint64_t byte;
} qr_frame;

void qr_input_init(qr_input *in, qr_stream *s, size_t max_record);
void qr_input_release(qr_input *in);

/* Make at least n bytes available from the current position (fewer at the
 * end); returns how many are there. */
size_t qr_input_fill(qr_input *in, size_t n);

/*
 * The next line (without its line ending).  Returns QR_OK, QR_END,
 * QR_LIMIT (the line was longer than max_record: skipped, frame tells where
 * it started) or QR_IO (the stream failed: err says why).  A last line
 * without a newline is returned as it is; `partial` is set for it.
 */
int qr_input_line(qr_input *in, qr_frame *f, bool *partial);

/*
 * The next top-level JSON value.  The first call looks at the input: an
 * array opening it is read element by element; otherwise values follow
 * one another (JSON lines or pretty-printed).  Returns QR_OK, QR_END,
 * QR_LIMIT (too long, skipped), QR_BAD_INPUT (a value that does not close
 * before the input ends, or a stray byte; frame says where, `why` says
 * what) or QR_IO.
 */
int qr_input_json(qr_input *in, qr_frame *f, qr_buf *why);

/* For readers that walk a document's structure themselves (a JSON object
 * whose members hold the records, a JavaScript assignment before an
 * array): skip n bytes made available by qr_input_fill, counting lines;
 * skip blanks; frame the one JSON value that starts at the current
 * position (same returns as qr_input_json). */
void qr_input_skip(qr_input *in, size_t n);
/* false at the end of the input. */
bool qr_input_skip_blanks(qr_input *in);
int qr_input_value(qr_input *in, qr_frame *f, qr_buf *why);

#endif
