#include "stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

ssize_t qr_stream_read(qr_stream *s, void *buf, size_t n)
{
	if (s->peek_pos < s->peeked.len) {
		size_t avail = s->peeked.len - s->peek_pos;
		if (n > avail)
			n = avail;
		memcpy(buf, s->peeked.buf + s->peek_pos, n);
		s->peek_pos += n;
		if (s->peek_pos == s->peeked.len) {
			qr_buf_reset(&s->peeked);
			s->peek_pos = 0;
		}
		return (ssize_t)n;
	}
	ssize_t r = s->read(s, buf, n);
	if (r > 0)
		s->produced += (uint64_t)r;
	return r;
}

ssize_t qr_stream_peek(qr_stream *s, size_t n, const char **p)
{
	if (s->peek_pos) {
		/* Keep the unread part at the front. */
		size_t rest = s->peeked.len - s->peek_pos;
		memmove(s->peeked.buf, s->peeked.buf + s->peek_pos, rest);
		qr_buf_setlen(&s->peeked, rest);
		s->peek_pos = 0;
	}
	while (s->peeked.len < n) {
		qr_buf_grow(&s->peeked, n - s->peeked.len);
		ssize_t r = s->read(s, s->peeked.buf + s->peeked.len, n - s->peeked.len);
		if (r < 0) {
			/* Hand out what came before the failure (a stream cut
			 * short still holds records); the next read fails again. */
			if (s->peeked.len)
				break;
			return -1;
		}
		if (r == 0)
			break;
		s->produced += (uint64_t)r;
		qr_buf_setlen(&s->peeked, s->peeked.len + (size_t)r);
	}
	*p = s->peeked.buf;
	return (ssize_t)(s->peeked.len < n ? s->peeked.len : n);
}

void qr_stream_free(qr_stream *s)
{
	if (!s)
		return;
	if (s->close)
		s->close(s);
	qr_buf_release(&s->err);
	qr_buf_release(&s->peeked);
	free(s);
}

static qr_stream *stream_new(void)
{
	qr_stream *s = qr_calloc(1, sizeof(*s));
	qr_buf_init(&s->err);
	qr_buf_init(&s->peeked);
	return s;
}

/* ---- file descriptors ---- */

struct fd_ctx {
	int fd;
	bool own;
};

static ssize_t fd_read(qr_stream *s, void *buf, size_t n)
{
	struct fd_ctx *c = s->ctx;
	for (;;) {
		ssize_t r = read(c->fd, buf, n);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		qr_buf_setf(&s->err, "read error: %s", strerror(errno));
		return -1;
	}
}

static int64_t fd_seek(qr_stream *s, int64_t offset, int whence)
{
	struct fd_ctx *c = s->ctx;
	/* The descriptor is ahead of the reader by what was peeked and not
	 * yet read; a seek discards that. */
	if (whence == SEEK_CUR)
		offset -= (int64_t)(s->peeked.len - s->peek_pos);
	qr_buf_reset(&s->peeked);
	s->peek_pos = 0;
	off_t r = lseek(c->fd, (off_t)offset, whence);
	if (r < 0)
		qr_buf_setf(&s->err, "seek error: %s", strerror(errno));
	return (int64_t)r;
}

static void fd_close(qr_stream *s)
{
	struct fd_ctx *c = s->ctx;
	if (c->own)
		close(c->fd);
	free(c);
}

qr_stream *qr_stream_fd(int fd, bool own_fd)
{
	qr_stream *s = stream_new();
	struct fd_ctx *c = qr_malloc(sizeof(*c));
	c->fd = fd;
	c->own = own_fd;
	s->ctx = c;
	s->read = fd_read;
	s->close = fd_close;
	/* Seeking works on regular files only; lseek tells. */
	if (lseek(fd, 0, SEEK_CUR) >= 0)
		s->seek = fd_seek;
	return s;
}

/* ---- zstd ---- */

struct zstd_ctx {
	qr_stream *inner;
	bool own_inner;
	ZSTD_DCtx *dctx;
	char *in;
	size_t in_size;
	ZSTD_inBuffer input;
	bool inner_eof;
	bool frame_done;    /* the last decompress call ended a frame */
};

static ssize_t zstd_read(qr_stream *s, void *buf, size_t n)
{
	struct zstd_ctx *c = s->ctx;
	ZSTD_outBuffer out = { buf, n, 0 };
	while (out.pos == 0) {
		if (c->input.pos == c->input.size) {
			if (c->inner_eof) {
				if (!c->frame_done) {
					qr_buf_setf(&s->err, "truncated zstd stream (input ends inside a frame)");
					return -1;
				}
				return 0;
			}
			ssize_t r = qr_stream_read(c->inner, c->in, c->in_size);
			if (r < 0) {
				qr_buf_setf(&s->err, "%s", c->inner->err.buf);
				return -1;
			}
			if (r == 0) {
				c->inner_eof = true;
				continue;
			}
			c->input.src = c->in;
			c->input.size = (size_t)r;
			c->input.pos = 0;
		}
		size_t ret = ZSTD_decompressStream(c->dctx, &out, &c->input);
		if (ZSTD_isError(ret)) {
			qr_buf_setf(&s->err, "zstd: %s", ZSTD_getErrorName(ret));
			return -1;
		}
		c->frame_done = ret == 0;
		if (out.pos == out.size)
			break;
	}
	return (ssize_t)out.pos;
}

static void zstd_close(qr_stream *s)
{
	struct zstd_ctx *c = s->ctx;
	if (c->own_inner)
		qr_stream_free(c->inner);
	ZSTD_freeDCtx(c->dctx);
	free(c->in);
	free(c);
}

qr_stream *qr_stream_zstd(qr_stream *inner, bool own_inner, int window_log_max)
{
	qr_stream *s = stream_new();
	struct zstd_ctx *c = qr_calloc(1, sizeof(*c));
	c->inner = inner;
	c->own_inner = own_inner;
	c->dctx = ZSTD_createDCtx();
	if (!c->dctx) {
		fprintf(stderr, "quire: out of memory: zstd context\n");
		abort();
	}
	/* Reddit dumps are written with --long=31: a 2 GiB window. */
	ZSTD_DCtx_setParameter(c->dctx, ZSTD_d_windowLogMax, window_log_max);
	c->in_size = ZSTD_DStreamInSize();
	c->in = qr_malloc(c->in_size);
	c->frame_done = true;
	s->ctx = c;
	s->read = zstd_read;
	s->close = zstd_close;
	return s;
}

bool qr_is_zstd_magic(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	if (n < 4)
		return false;
	if (u[0] == 0x28 && u[1] == 0xB5 && u[2] == 0x2F && u[3] == 0xFD)
		return true;
	/* A skippable frame (0x184D2A50-5F) may open a zstd file. */
	return (u[0] & 0xF0) == 0x50 && u[1] == 0x2A && u[2] == 0x4D && u[3] == 0x18;
}
