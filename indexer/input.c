#include "input.h"

#include <stdlib.h>
#include <string.h>

#include "status.h"

#define CHUNK 65536

enum { JSON_UNKNOWN, JSON_STREAM, JSON_LINES, JSON_ARRAY, JSON_ARRAY_DONE };

void qr_input_init(qr_input *in, qr_stream *s, size_t max_record)
{
	memset(in, 0, sizeof(*in));
	in->s = s;
	in->line = 1;
	in->max_record = max_record;
	qr_buf_init(&in->err);
}

void qr_input_release(qr_input *in)
{
	free(in->buf);
	qr_buf_release(&in->err);
	memset(in, 0, sizeof(*in));
}

static void consume(qr_input *in, size_t n, uint64_t lines)
{
	in->start += n;
	in->offset += n;
	in->line += lines;
}

size_t qr_input_fill(qr_input *in, size_t n)
{
	while (in->len - in->start < n && !in->eof && !in->failed) {
		if (in->start && (in->start > in->alloc / 2 || in->len == in->alloc)) {
			memmove(in->buf, in->buf + in->start, in->len - in->start);
			in->len -= in->start;
			in->start = 0;
		}
		if (in->alloc - in->len < CHUNK) {
			in->buf = qr_grow_array(in->buf, 1, in->len + CHUNK, &in->alloc);
		}
		ssize_t r = qr_stream_read(in->s, in->buf + in->len, in->alloc - in->len);
		if (r < 0) {
			in->failed = true;
			qr_buf_setf(&in->err, "%s", in->s->err.buf);
		} else if (r == 0) {
			in->eof = true;
		} else {
			in->len += (size_t)r;
		}
	}
	return in->len - in->start;
}

/* Skip to just past the next newline without keeping what is skipped. */
static int skip_line(qr_input *in)
{
	for (;;) {
		size_t avail = qr_input_fill(in, 1);
		if (!avail)
			return in->failed ? QR_IO : QR_END;
		char *nl = memchr(in->buf + in->start, '\n', avail);
		if (nl) {
			consume(in, (size_t)(nl - (in->buf + in->start)) + 1, 1);
			return 0;
		}
		consume(in, avail, 0);
	}
}

int qr_input_line(qr_input *in, qr_frame *f, bool *partial)
{
	size_t scanned = 0;
	*partial = false;
	for (;;) {
		size_t avail = qr_input_fill(in, scanned + 1);
		f->line = in->line;
		f->byte = in->offset;
		if (avail == 0)
			return in->failed ? QR_IO : QR_END;
		char *p = in->buf + in->start;
		char *nl = avail > scanned ? memchr(p + scanned, '\n', avail - scanned) : NULL;
		if (nl) {
			size_t n = (size_t)(nl - p);
			if (n > in->max_record) {
				consume(in, n + 1, 1);
				return QR_LIMIT;
			}
			f->data = p;
			f->len = n && p[n - 1] == '\r' ? n - 1 : n;
			consume(in, n + 1, 1);
			return 0;
		}
		scanned = avail;
		if (avail > in->max_record) {
			int st = skip_line(in);
			return st == QR_IO ? QR_IO : QR_LIMIT;
		}
		if (in->eof || in->failed) {
			if (in->failed)
				return QR_IO;
			f->data = p;
			f->len = avail && p[avail - 1] == '\r' ? avail - 1 : avail;
			*partial = true;
			consume(in, avail, 0);
			return 0;
		}
	}
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Skip blanks (and, between array elements, commas); false at the end. */
static bool skip_blanks(qr_input *in, bool commas)
{
	for (;;) {
		size_t avail = qr_input_fill(in, 1);
		if (!avail)
			return false;
		char c = in->buf[in->start];
		if (is_space(c) || (commas && c == ',')) {
			consume(in, 1, c == '\n');
			continue;
		}
		/* A byte order mark before the first value. */
		if (in->offset == 0 && (unsigned char)c == 0xEF && qr_input_fill(in, 3) >= 3 &&
		    memcmp(in->buf + in->start, "\xEF\xBB\xBF", 3) == 0) {
			consume(in, 3, 0);
			continue;
		}
		return true;
	}
}

/*
 * Find where the value starting at the current position ends: depth and
 * strings are tracked, nothing else is checked (cJSON does that later).
 * Returns the length, 0 when the input ended first, or SIZE_MAX when the
 * limit was passed.  *resync is where a line inside the value starts with
 * '{' (0: nowhere), with *resync_lines the lines before it: the start of
 * the next record when this one never closes.
 */
static size_t value_length(qr_input *in, uint64_t *lines, size_t *resync, uint64_t *resync_lines)
{
	size_t i = 0;
	int depth = 0;
	bool in_string = false, escaped = false;
	*lines = 0;
	*resync = 0;
	*resync_lines = 0;
	char first = in->buf[in->start];
	bool scalar = first != '{' && first != '[';
	for (;;) {
		if (i >= in->len - in->start) {
			if (i > in->max_record)
				return SIZE_MAX;
			if (qr_input_fill(in, i + 1) <= i)
				return scalar && i ? i : 0;
		}
		char c = in->buf[in->start + i];
		if (c == '\n')
			(*lines)++;
		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
			else if (c == '\n')
				return i; /* a string never spans lines: the value is broken here */
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			/* Pretty-printed values indent what is inside them; a line
			 * that starts with '{' is a new record. */
			if (c == '{' && depth > 0 && !*resync && in->buf[in->start + i - 1] == '\n') {
				*resync = i;
				*resync_lines = *lines;
			}
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth <= 0)
				return i + 1;
		} else if (scalar && (is_space(c) || c == ',')) {
			return i;
		}
		i++;
	}
}

/* Frame the value starting at the current position (not blank). */
static int frame_value(qr_input *in, qr_frame *f, qr_buf *why, uint64_t *lines)
{
	char c = in->buf[in->start];
	uint64_t resync_lines;
	size_t resync;
	size_t n = value_length(in, lines, &resync, &resync_lines);
	if ((n == SIZE_MAX || (n == 0 && !in->failed)) && resync) {
		/* A value that never closes costs itself, not the records
		 * after it (a broken first line of JSON lines, say). */
		qr_buf_setf(why, "JSON value not closed before the next record on line %llu",
			    (unsigned long long)(f->line + resync_lines));
		f->data = in->buf + in->start;
		f->len = resync;
		consume(in, resync, resync_lines);
		return QR_BAD_INPUT;
	}
	if (n == SIZE_MAX) {
		qr_buf_setf(why, "record is longer than %zu bytes (limit max_record)", in->max_record);
		skip_line(in);
		return QR_LIMIT;
	}
	if (n == 0) {
		if (in->failed)
			return QR_IO;
		size_t avail = in->len - in->start;
		qr_buf_setf(why, "input ends inside a JSON value (%zu bytes cut off)", avail);
		consume(in, avail, 0);
		return QR_BAD_INPUT;
	}
	f->data = in->buf + in->start;
	f->len = n;
	char last = f->data[n - 1];
	if ((c == '{' && last != '}') || (c == '[' && last != ']')) {
		/* Broken inside a string: give the bytes up to the end of the
		 * line to the caller, who rejects them, and go on after it. */
		consume(in, n, 0);
		skip_line(in);
		qr_buf_setf(why, "unterminated string");
		return QR_BAD_INPUT;
	}
	consume(in, n, *lines);
	return 0;
}

/* JSON lines: once the first value fits on its line, every line is one
 * record, so that a broken line costs that line and no more. */
static int json_line(qr_input *in, qr_frame *f, qr_buf *why)
{
	for (;;) {
		bool partial;
		int st = qr_input_line(in, f, &partial);
		if (st == QR_LIMIT) {
			qr_buf_setf(why, "record is longer than %zu bytes (limit max_record)", in->max_record);
			return QR_LIMIT;
		}
		if (st)
			return st;
		while (f->len && is_space(f->data[f->len - 1]))
			f->len--;
		while (f->len && is_space(f->data[0])) {
			f->data++;
			f->len--;
			f->byte++;
		}
		if (f->len)
			return 0;
	}
}

int qr_input_json(qr_input *in, qr_frame *f, qr_buf *why)
{
	if (in->json_mode == JSON_LINES)
		return json_line(in, f, why);
	for (;;) {
		bool more = skip_blanks(in, in->json_mode == JSON_ARRAY);
		f->line = in->line;
		f->byte = in->offset;
		if (!more)
			return in->failed ? QR_IO : QR_END;
		char c = in->buf[in->start];
		if (in->json_mode == JSON_UNKNOWN) {
			if (c == '[') {
				in->json_mode = JSON_ARRAY;
				consume(in, 1, 0);
				continue;
			}
			in->json_mode = JSON_STREAM;
		}
		if (in->json_mode == JSON_ARRAY && c == ']') {
			in->json_mode = JSON_ARRAY_DONE;
			consume(in, 1, 0);
			continue;
		}
		/* Pages of an API saved one after another: [...] [...] [] */
		if (in->json_mode == JSON_ARRAY_DONE && c == '[') {
			in->json_mode = JSON_ARRAY;
			consume(in, 1, 0);
			continue;
		}
		if (in->json_mode == JSON_ARRAY_DONE) {
			qr_buf_setf(why, "data after the end of the JSON array");
			skip_line(in);
			return QR_BAD_INPUT;
		}
		uint64_t lines;
		int st = frame_value(in, f, why, &lines);
		if (st)
			return st;
		/* A first value that fits on its line means JSON lines; the rest of
		 * that line is left to json_line. */
		if (in->json_mode == JSON_STREAM && lines == 0 && f->line == 1)
			in->json_mode = JSON_LINES;
		return 0;
	}
}

void qr_input_skip(qr_input *in, size_t n)
{
	uint64_t lines = 0;
	if (n > in->len - in->start)
		n = in->len - in->start;
	for (size_t i = 0; i < n; i++)
		lines += in->buf[in->start + i] == '\n';
	consume(in, n, lines);
}

bool qr_input_skip_blanks(qr_input *in)
{
	return skip_blanks(in, false);
}

int qr_input_value(qr_input *in, qr_frame *f, qr_buf *why)
{
	bool more = skip_blanks(in, false);
	f->line = in->line;
	f->byte = in->offset;
	if (!more)
		return in->failed ? QR_IO : QR_END;
	uint64_t lines;
	return frame_value(in, f, why, &lines);
}
