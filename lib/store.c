#include "store.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_c_forceAttachDict */
#include <zstd.h>

#include "io.h"
#include "status.h"

#define HEADER_FIXED 32
#define MAX_HEADER (256u << 20)
#define MAX_CONTENT (UINT32_MAX - 1)
#define NO_STRING UINT32_MAX
#define READ_FDS 16

static const char *stream_dirs[QR_STREAM_COUNT] = { "", "media/" };

/* The block being filled for one stream. */
struct open_block {
	bool active;
	uint64_t offset;
	qr_buf content;
	qr_record_meta *recs;
	size_t nrecs, recs_alloc;
	char **strings;          /* distinct strings, in index order */
	size_t nstrings, strings_alloc;
	uint32_t *str_idx;       /* per record: format, path, member, ids */
	size_t str_idx_alloc;
};

struct stream_state {
	uint32_t segment;        /* segment being written (0: none yet) */
	uint64_t size;           /* its size on disk */
	uint64_t synced;         /* its size at the last fsync (or at open) */
	int fd;
	bool created;            /* segment file made since the last sync */
	bool unsynced;
	struct open_block blk;
};

struct read_fd {
	int stream;
	uint32_t segment;
	int fd;
	uint64_t used;
};

struct qr_store {
	char *dir;
	bool writable;
	bool failed;             /* a write or fsync failed: no more writes */
	qr_store_options opts;
	qr_buf err;
	struct stream_state st[QR_STREAM_COUNT];
	struct read_fd fds[READ_FDS];
	uint64_t fd_clock;
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
	ZSTD_DDict *ddict;
	ZSTD_CDict *cdict;
	uint32_t dict_id;
	bool dict_loaded;
	/* the last block read, kept decompressed for neighbours */
	qr_block cache;
	bool cache_valid;
};

/* ---- small encoders ---- */

static void put_u16(qr_buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	qr_buf_add(b, x, 2);
}

static void put_u32(qr_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	qr_buf_add(b, x, 4);
}

static void put_u64(qr_buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

static void put_varint(qr_buf *b, uint64_t v)
{
	uint8_t x[10];
	size_t n = 0;
	do {
		x[n] = (uint8_t)(v & 0x7F);
		v >>= 7;
		if (v)
			x[n] |= 0x80;
		n++;
	} while (v);
	qr_buf_add(b, x, n);
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
	return get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

struct cursor {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t take_varint(struct cursor *c)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (c->p >= c->end) {
			c->bad = true;
			return 0;
		}
		uint8_t byte = *c->p++;
		v |= (uint64_t)(byte & 0x7F) << shift;
		if (!(byte & 0x80))
			return v;
	}
	c->bad = true;
	return 0;
}

static const uint8_t *take_bytes(struct cursor *c, uint64_t n)
{
	if (c->bad || (uint64_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *p = c->p;
	c->p += n;
	return p;
}

/* ---- locators ---- */

void qr_locator_format(const qr_locator *loc, char *buf)
{
	snprintf(buf, 64, "%s%06" PRIu32 ".zst:%" PRIu64 ":%" PRIu32, loc->stream < QR_STREAM_COUNT ? stream_dirs[loc->stream] : "?/",
		 loc->segment, loc->offset, loc->index);
}

/* Decimal digits only: strtoull alone also takes blanks, '+' and '-'
 * (and turns "-1" into a huge number). */
static bool take_number(const char **s, uint64_t max, uint64_t *out)
{
	const char *p = *s;
	char *end;
	if (!isdigit((unsigned char)*p))
		return false;
	errno = 0;
	unsigned long long v = strtoull(p, &end, 10);
	if (errno || v > max)
		return false;
	*out = v;
	*s = end;
	return true;
}

bool qr_locator_parse(const char *s, qr_locator *loc)
{
	uint64_t seg, off, idx;
	memset(loc, 0, sizeof(*loc));
	if (strncmp(s, "media/", 6) == 0) {
		loc->stream = QR_STREAM_MEDIA;
		s += 6;
	}
	if (!take_number(&s, UINT32_MAX, &seg) || seg == 0 || strncmp(s, ".zst:", 5) != 0)
		return false;
	s += 5;
	if (!take_number(&s, UINT64_MAX, &off) || *s++ != ':')
		return false;
	if (!take_number(&s, UINT32_MAX, &idx) || *s)
		return false;
	loc->segment = (uint32_t)seg;
	loc->offset = off;
	loc->index = (uint32_t)idx;
	return true;
}

void qr_store_pos_format(const qr_store_pos *pos, char *buf)
{
	snprintf(buf, 48, "%" PRIu32 ":%" PRIu64, pos->segment, pos->size);
}

bool qr_store_pos_parse(const char *s, qr_store_pos *pos)
{
	uint64_t seg, size;
	if (!take_number(&s, UINT32_MAX, &seg) || *s++ != ':')
		return false;
	if (!take_number(&s, UINT64_MAX, &size) || *s)
		return false;
	pos->segment = (uint32_t)seg;
	pos->size = size;
	return true;
}

int qr_store_pos_cmp(const qr_store_pos *a, const qr_store_pos *b)
{
	if (a->segment != b->segment)
		return a->segment < b->segment ? -1 : 1;
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return 0;
}

/* ---- blocks ---- */

void qr_block_init(qr_block *b)
{
	memset(b, 0, sizeof(*b));
	qr_buf_init(&b->strings);
	qr_buf_init(&b->content);
}

void qr_block_release(qr_block *b)
{
	free(b->records);
	qr_buf_release(&b->strings);
	qr_buf_release(&b->content);
	qr_block_init(b);
}

void qr_store_options_default(qr_store_options *o)
{
	o->block_size = 64 * 1024;
	o->level = 3;
	o->segment_size = 1024ULL * 1024 * 1024;
}

void qr_store_segment_path(const qr_store *s, int stream, uint32_t segment, qr_buf *out)
{
	qr_buf_setf(out, "%s/%s%06" PRIu32 ".zst", s->dir, stream_dirs[stream], segment);
}

static int set_err(qr_store *s, int st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int set_err(qr_store *s, int st, const char *fmt, ...)
{
	va_list ap;
	qr_buf_reset(&s->err);
	va_start(ap, fmt);
	qr_buf_vaddf(&s->err, fmt, ap);
	va_end(ap);
	return st;
}

uint32_t qr_store_last_segment(qr_store *s, int stream)
{
	qr_buf path = QR_BUF_INIT;
	struct stat sb;
	uint32_t n = 0;
	/* Segments are numbered without gaps from 1. */
	for (;;) {
		qr_store_segment_path(s, stream, n + 1, &path);
		if (stat(path.buf, &sb) < 0)
			break;
		n++;
	}
	qr_buf_release(&path);
	return n;
}

uint64_t qr_store_segment_size(qr_store *s, int stream, uint32_t segment)
{
	qr_buf path = QR_BUF_INIT;
	struct stat sb;
	qr_store_segment_path(s, stream, segment, &path);
	uint64_t size = stat(path.buf, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	qr_buf_release(&path);
	return size;
}

static int load_dictionary(qr_store *s)
{
	if (s->dict_loaded)
		return 0;
	s->dict_loaded = true;
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT;
	qr_buf_setf(&path, "%s/dictionary", s->dir);
	int st = qr_io_read_file(path.buf, 64u << 20, &data, &s->err);
	if (st == QR_NOT_FOUND) {
		st = 0;
		goto out;
	}
	if (st)
		goto out;
	s->dict_id = ZSTD_getDictID_fromDict(data.buf, data.len);
	s->ddict = ZSTD_createDDict(data.buf, data.len);
	if (s->writable)
		s->cdict = ZSTD_createCDict(data.buf, data.len, s->opts.level);
	if (!s->ddict || (s->writable && !s->cdict))
		st = set_err(s, QR_DAMAGED, "cannot load zstd dictionary '%s'", path.buf);
out:
	qr_buf_release(&path);
	qr_buf_release(&data);
	return st;
}

int qr_store_open(const char *dir, bool writable, const qr_store_options *opts, qr_store **out, qr_buf *err)
{
	qr_store *s = qr_calloc(1, sizeof(*s));
	qr_buf path = QR_BUF_INIT;
	int st = 0;

	*out = NULL;
	s->dir = qr_strdup(dir);
	s->writable = writable;
	qr_buf_init(&s->err);
	if (opts)
		s->opts = *opts;
	else
		qr_store_options_default(&s->opts);
	qr_block_init(&s->cache);
	for (int i = 0; i < READ_FDS; i++)
		s->fds[i].fd = -1;
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		s->st[i].fd = -1;
		qr_buf_init(&s->st[i].blk.content);
	}
	if (writable) {
		qr_buf_setf(&path, "%s/media", dir);
		if ((st = qr_io_mkdir(dir, err)) || (st = qr_io_mkdir(path.buf, err)))
			goto fail;
	}
	s->dctx = ZSTD_createDCtx();
	if (writable)
		s->cctx = ZSTD_createCCtx();
	if (!s->dctx || (writable && !s->cctx)) {
		st = QR_NOMEM;
		qr_buf_setf(err, "cannot create zstd contexts");
		goto fail;
	}
	if ((st = load_dictionary(s))) {
		qr_buf_setf(err, "%s", s->err.buf);
		goto fail;
	}
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		s->st[i].segment = qr_store_last_segment(s, i);
		s->st[i].size = s->st[i].segment ? qr_store_segment_size(s, i, s->st[i].segment) : 0;
		s->st[i].synced = s->st[i].size;
	}
	qr_buf_release(&path);
	*out = s;
	return 0;
fail:
	qr_buf_release(&path);
	qr_store_close(s);
	return st;
}

static void open_block_release(struct open_block *b)
{
	for (size_t i = 0; i < b->nstrings; i++)
		free(b->strings[i]);
	free(b->strings);
	free(b->recs);
	free(b->str_idx);
	qr_buf_release(&b->content);
}

void qr_store_close(qr_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		if (s->st[i].fd >= 0)
			close(s->st[i].fd);
		open_block_release(&s->st[i].blk);
	}
	for (int i = 0; i < READ_FDS; i++)
		if (s->fds[i].fd >= 0)
			close(s->fds[i].fd);
	ZSTD_freeCCtx(s->cctx);
	ZSTD_freeDCtx(s->dctx);
	ZSTD_freeDDict(s->ddict);
	ZSTD_freeCDict(s->cdict);
	qr_block_release(&s->cache);
	qr_buf_release(&s->err);
	free(s->dir);
	free(s);
}

const char *qr_store_error(const qr_store *s)
{
	return s ? s->err.buf : "";
}

const char *qr_store_dir(const qr_store *s)
{
	return s->dir;
}

/* ---- writing ---- */

static uint32_t intern(struct open_block *b, const char *str)
{
	if (!str)
		return NO_STRING;
	for (size_t i = 0; i < b->nstrings; i++)
		if (strcmp(b->strings[i], str) == 0)
			return (uint32_t)i;
	b->strings = qr_grow_array(b->strings, sizeof(*b->strings), b->nstrings + 1, &b->strings_alloc);
	b->strings[b->nstrings] = qr_strdup(str);
	return (uint32_t)b->nstrings++;
}

/*
 * After a failed write or fsync nothing written since the last good fsync
 * can be vouched for: the kernel may have dropped the dirty pages and a
 * later fsync would report success without them.  So those bytes are cut
 * off (they were never committed: the index only records synced data, and
 * the input still holds them), rather than left for recovery to index.
 */
static void discard_unsynced(qr_store *s, int stream)
{
	struct stream_state *w = &s->st[stream];
	qr_buf path = QR_BUF_INIT;
	if (!w->segment || w->size <= w->synced)
		return;
	qr_store_segment_path(s, stream, w->segment, &path);
	int fd = open(path.buf, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && ftruncate(fd, (off_t)w->synced) == 0) {
		qr_buf_addf(&s->err, "; the %" PRIu64 " bytes written since the last fsync were discarded",
			    w->size - w->synced);
		w->size = w->synced;
	}
	if (fd >= 0)
		close(fd);
	qr_buf_release(&path);
}

/* Start the segment that the next block goes to, if the current is full. */
static int ensure_segment(qr_store *s, int stream)
{
	struct stream_state *w = &s->st[stream];
	qr_buf path = QR_BUF_INIT;
	int st = 0;

	if (w->segment && w->size < s->opts.segment_size) {
		if (w->fd < 0) {
			qr_store_segment_path(s, stream, w->segment, &path);
			st = qr_io_open(path.buf, O_WRONLY, 0, &w->fd, &s->err);
		}
		goto out;
	}
	if (w->fd >= 0) {
		/* The full segment is synced before the next one starts, so that
		 * only the last segment can ever have a torn end. */
		qr_store_segment_path(s, stream, w->segment, &path);
		if (w->unsynced && (st = qr_io_fsync(w->fd, path.buf, &s->err))) {
			s->failed = true;
			discard_unsynced(s, stream);
			goto out;
		}
		close(w->fd);
		w->fd = -1;
		w->unsynced = false;
	}
	w->segment++;
	w->size = 0;
	w->synced = 0;
	qr_store_segment_path(s, stream, w->segment, &path);
	st = qr_io_open(path.buf, O_WRONLY | O_CREAT | O_EXCL, 0644, &w->fd, &s->err);
	if (!st)
		w->created = true;
out:
	qr_buf_release(&path);
	return st;
}

static void encode_header(qr_store *s, struct open_block *b, uint32_t csize, qr_buf *h)
{
	uint8_t check[QR_SHA256_LEN];
	qr_buf_reset(h);
	put_u32(h, QR_STORE_SKIPPABLE_MAGIC);
	put_u32(h, 0); /* frame size, patched below */
	size_t start = h->len;
	put_u32(h, QR_STORE_HEADER_MAGIC);
	put_u16(h, QR_STORE_HEADER_VERSION);
	put_u16(h, 0);
	put_u64(h, (uint64_t)time(NULL));
	put_u32(h, (uint32_t)b->nrecs);
	put_u32(h, csize);
	put_u32(h, (uint32_t)b->content.len);
	put_u32(h, s->cdict ? s->dict_id : 0);
	put_varint(h, b->nstrings);
	for (size_t i = 0; i < b->nstrings; i++) {
		size_t n = strlen(b->strings[i]);
		put_varint(h, n);
		qr_buf_add(h, b->strings[i], n);
	}
	for (size_t i = 0; i < b->nrecs; i++) {
		const qr_record_meta *r = &b->recs[i];
		const uint32_t *idx = &b->str_idx[4 * i];
		put_varint(h, r->length);
		qr_buf_add(h, r->sha256, QR_SHA256_LEN);
		put_varint(h, r->source);
		for (int k = 0; k < 4; k++)
			put_varint(h, idx[k] == NO_STRING ? 0 : (uint64_t)idx[k] + 1);
		put_varint(h, r->line);
		put_varint(h, r->byte);
		put_varint(h, r->flags);
	}
	qr_sha256(h->buf + start, h->len - start, check);
	qr_buf_add(h, check, 8);
	uint32_t size = (uint32_t)(h->len - start);
	uint8_t *p = (uint8_t *)h->buf + 4;
	p[0] = (uint8_t)size;
	p[1] = (uint8_t)(size >> 8);
	p[2] = (uint8_t)(size >> 16);
	p[3] = (uint8_t)(size >> 24);
}

static int compress_content(qr_store *s, const qr_buf *content, qr_buf *out)
{
	size_t bound = ZSTD_compressBound(content->len);
	qr_buf_reset(out);
	qr_buf_grow(out, bound);
	ZSTD_CCtx_reset(s->cctx, ZSTD_reset_session_and_parameters);
	ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_contentSizeFlag, 1);
	if (s->cdict) {
		/* Attach rather than copy the dictionary: copying it into every
		 * block's context made compression three times slower. */
		ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_forceAttachDict, ZSTD_dictForceAttach);
		ZSTD_CCtx_refCDict(s->cctx, s->cdict);
	} else {
		ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_compressionLevel, s->opts.level);
	}
	size_t n = ZSTD_compress2(s->cctx, out->buf, bound, content->buf, content->len);
	if (ZSTD_isError(n))
		return set_err(s, QR_INTERNAL, "zstd compression failed: %s", ZSTD_getErrorName(n));
	out->len = n;
	return 0;
}

static int write_block(qr_store *s, int stream)
{
	struct stream_state *w = &s->st[stream];
	struct open_block *b = &w->blk;
	qr_buf frame = QR_BUF_INIT, header = QR_BUF_INIT, path = QR_BUF_INIT;
	int st;

	if (!b->active || !b->nrecs)
		return 0;
	if ((st = compress_content(s, &b->content, &frame)))
		goto out;
	encode_header(s, b, (uint32_t)frame.len, &header);
	qr_store_segment_path(s, stream, w->segment, &path);
	/* Header and data go out in one write where they fit together. */
	qr_buf_add(&header, frame.buf, frame.len);
	st = qr_io_pwrite_all(w->fd, header.buf, header.len, w->size, path.buf, &s->err);
	if (st) {
		s->failed = true;
		/* A short write may have left part of the block behind. */
		w->size += header.len;
		discard_unsynced(s, stream);
		goto out;
	}
	w->size += header.len;
	w->unsynced = true;
	for (size_t i = 0; i < b->nstrings; i++)
		free(b->strings[i]);
	b->nstrings = 0;
	b->nrecs = 0;
	qr_buf_reset(&b->content);
	b->active = false;
out:
	qr_buf_release(&frame);
	qr_buf_release(&header);
	qr_buf_release(&path);
	return st;
}

int qr_store_append(qr_store *s, int stream, const void *data, size_t len, const qr_record_meta *meta,
		    qr_locator *loc)
{
	struct stream_state *w;
	struct open_block *b;
	int st;

	if (!s->writable)
		return set_err(s, QR_USAGE, "store is open read-only");
	if (s->failed)
		return set_err(s, QR_IO, "store refuses writes after an earlier write or fsync failure");
	if (stream < 0 || stream >= QR_STREAM_COUNT)
		return set_err(s, QR_USAGE, "no such store stream");
	if (len >= MAX_CONTENT - 1)
		return set_err(s, QR_LIMIT, "record of %zu bytes is too large for the store", len);
	w = &s->st[stream];
	b = &w->blk;
	if (b->active && b->content.len && b->content.len + len + 1 > MAX_CONTENT && (st = write_block(s, stream)))
		return st;
	if (!b->active) {
		if ((st = ensure_segment(s, stream)))
			return st;
		b->active = true;
		b->offset = w->size;
	}
	b->recs = qr_grow_array(b->recs, sizeof(*b->recs), b->nrecs + 1, &b->recs_alloc);
	b->str_idx = qr_grow_array(b->str_idx, 4 * sizeof(*b->str_idx), b->nrecs + 1, &b->str_idx_alloc);
	qr_record_meta *r = &b->recs[b->nrecs];
	*r = *meta;
	r->length = (uint32_t)len;
	r->offset = (uint32_t)b->content.len;
	r->format = r->path = r->member = r->ids = NULL;
	uint32_t *idx = &b->str_idx[4 * b->nrecs];
	idx[0] = intern(b, meta->format);
	idx[1] = intern(b, meta->path);
	idx[2] = intern(b, meta->member);
	idx[3] = intern(b, meta->ids);
	qr_buf_add(&b->content, data, len);
	qr_buf_addch(&b->content, '\n');
	loc->stream = (uint32_t)stream;
	loc->segment = w->segment;
	loc->offset = b->offset;
	loc->index = (uint32_t)b->nrecs;
	b->nrecs++;
	if (b->content.len >= s->opts.block_size)
		return write_block(s, stream);
	return 0;
}

int qr_store_flush(qr_store *s)
{
	if (!s->writable)
		return 0;
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		int st = write_block(s, i);
		if (st)
			return st;
	}
	return 0;
}

int qr_store_sync(qr_store *s)
{
	qr_buf path = QR_BUF_INIT;
	int st = 0;

	if (!s->writable)
		return 0;
	if (s->failed)
		return set_err(s, QR_IO, "store refuses to sync after an earlier write or fsync failure");
	if ((st = qr_store_flush(s)))
		goto out;
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		struct stream_state *w = &s->st[i];
		if (!w->unsynced && !w->created)
			continue;
		qr_store_segment_path(s, i, w->segment, &path);
		if (w->unsynced && (st = qr_io_fsync(w->fd, path.buf, &s->err))) {
			/* Never retried: after a failed fsync the kernel may have
			 * dropped the dirty pages, and a second fsync would
			 * succeed without them. */
			s->failed = true;
			discard_unsynced(s, i);
			goto out;
		}
		w->unsynced = false;
		w->synced = w->size;
		if (w->created) {
			qr_buf_setf(&path, "%s/%s", s->dir, stream_dirs[i]);
			if ((st = qr_io_fsync_dir(path.buf, &s->err))) {
				s->failed = true;
				goto out;
			}
			w->created = false;
		}
	}
out:
	qr_buf_release(&path);
	return st;
}

void qr_store_tail(const qr_store *s, int stream, qr_store_pos *pos)
{
	pos->segment = s->st[stream].segment;
	pos->size = s->st[stream].size;
}

bool qr_store_dirty(const qr_store *s)
{
	for (int i = 0; i < QR_STREAM_COUNT; i++)
		if (s->st[i].blk.nrecs || s->st[i].unsynced || s->st[i].created)
			return true;
	return false;
}

/* ---- reading ---- */

static int read_fd(qr_store *s, int stream, uint32_t segment, int *fd)
{
	struct read_fd *slot = NULL;
	for (int i = 0; i < READ_FDS; i++) {
		if (s->fds[i].fd >= 0 && s->fds[i].stream == stream && s->fds[i].segment == segment) {
			s->fds[i].used = ++s->fd_clock;
			*fd = s->fds[i].fd;
			return 0;
		}
		if (!slot || s->fds[i].fd < 0 || (slot->fd >= 0 && s->fds[i].used < slot->used))
			slot = &s->fds[i];
	}
	if (slot->fd >= 0)
		close(slot->fd);
	slot->fd = -1;
	qr_buf path = QR_BUF_INIT;
	qr_store_segment_path(s, stream, segment, &path);
	int f = open(path.buf, O_RDONLY | O_CLOEXEC);
	if (f < 0) {
		int e = errno;
		set_err(s, e == ENOENT ? QR_DAMAGED : QR_IO, "cannot open '%s': %s", path.buf, strerror(e));
		qr_buf_release(&path);
		return e == ENOENT ? QR_DAMAGED : QR_IO;
	}
	qr_buf_release(&path);
	slot->fd = f;
	slot->stream = stream;
	slot->segment = segment;
	slot->used = ++s->fd_clock;
	*fd = f;
	return 0;
}

static int damaged(qr_store *s, int stream, uint32_t segment, uint64_t offset, const char *why)
{
	qr_buf path = QR_BUF_INIT;
	qr_store_segment_path(s, stream, segment, &path);
	set_err(s, QR_DAMAGED, "damaged block in '%s' at byte %" PRIu64 ": %s", path.buf, offset, why);
	qr_buf_release(&path);
	return QR_DAMAGED;
}

static int parse_header(qr_store *s, qr_block *b, const uint8_t *h, size_t n, uint32_t *csize, uint32_t *usize)
{
	uint8_t check[QR_SHA256_LEN];
	if (n < HEADER_FIXED + 8)
		return damaged(s, (int)b->stream, b->segment, b->offset, "block header too short");
	qr_sha256(h, n - 8, check);
	if (memcmp(check, h + n - 8, 8) != 0)
		return damaged(s, (int)b->stream, b->segment, b->offset, "block header checksum mismatch");
	if (get_u32(h) != QR_STORE_HEADER_MAGIC)
		return damaged(s, (int)b->stream, b->segment, b->offset, "not a quire block header");
	if ((h[4] | h[5] << 8) != QR_STORE_HEADER_VERSION)
		return damaged(s, (int)b->stream, b->segment, b->offset, "unknown block header version");
	b->written = (int64_t)get_u64(h + 8);
	b->nrecords = get_u32(h + 16);
	*csize = get_u32(h + 20);
	*usize = get_u32(h + 24);
	b->dict_id = get_u32(h + 28);

	struct cursor c = { h + HEADER_FIXED, h + n - 8, false };
	uint64_t nstrings = take_varint(&c);
	if (c.bad || nstrings > n)
		return damaged(s, (int)b->stream, b->segment, b->offset, "bad string table");
	/* Strings are copied NUL-terminated into b->strings; their offsets are
	 * resolved once the buffer stops moving. */
	size_t *offs = qr_calloc(nstrings + 1, sizeof(size_t));
	qr_buf_reset(&b->strings);
	for (uint64_t i = 0; i < nstrings; i++) {
		uint64_t len = take_varint(&c);
		const uint8_t *p = take_bytes(&c, len);
		if (!p)
			break;
		offs[i] = b->strings.len;
		qr_buf_add(&b->strings, p, len);
		qr_buf_addch(&b->strings, '\0');
	}
	if (c.bad) {
		free(offs);
		return damaged(s, (int)b->stream, b->segment, b->offset, "bad string table");
	}
	/* Each record takes at least its sha256 and seven varints: a count
	 * past that is garbage, and must not size an allocation. */
	if (b->nrecords > (n - HEADER_FIXED) / (QR_SHA256_LEN + 7)) {
		free(offs);
		return damaged(s, (int)b->stream, b->segment, b->offset, "bad record count");
	}
	b->records = qr_grow_array(b->records, sizeof(*b->records), b->nrecords ? b->nrecords : 1, &b->records_alloc);
	uint64_t pos = 0;
	for (uint32_t i = 0; i < b->nrecords && !c.bad; i++) {
		qr_record_meta *r = &b->records[i];
		memset(r, 0, sizeof(*r));
		uint64_t len = take_varint(&c);
		const uint8_t *sha = take_bytes(&c, QR_SHA256_LEN);
		if (!sha || len > UINT32_MAX)
			break;
		memcpy(r->sha256, sha, QR_SHA256_LEN);
		r->length = (uint32_t)len;
		r->offset = (uint32_t)pos;
		pos += len + 1;
		r->source = (uint32_t)take_varint(&c);
		const char **fields[4] = { &r->format, &r->path, &r->member, &r->ids };
		for (int k = 0; k < 4; k++) {
			uint64_t idx = take_varint(&c);
			if (idx > nstrings) {
				c.bad = true;
				break;
			}
			/* Stash the index; turned into a pointer below. */
			*fields[k] = idx ? (const char *)(uintptr_t)idx : NULL;
		}
		r->line = take_varint(&c);
		r->byte = take_varint(&c);
		r->flags = (uint32_t)take_varint(&c);
	}
	if (c.bad || c.p != c.end || pos != *usize) {
		free(offs);
		return damaged(s, (int)b->stream, b->segment, b->offset, "bad record table");
	}
	for (uint32_t i = 0; i < b->nrecords; i++) {
		qr_record_meta *r = &b->records[i];
		const char **fields[4] = { &r->format, &r->path, &r->member, &r->ids };
		for (int k = 0; k < 4; k++) {
			uintptr_t idx = (uintptr_t)*fields[k];
			*fields[k] = idx ? b->strings.buf + offs[idx - 1] : (k == 2 ? "" : NULL);
		}
	}
	free(offs);
	return 0;
}

static int decompress(qr_store *s, qr_block *b, const uint8_t *frame, size_t csize, uint32_t usize)
{
	if (b->dict_id) {
		int st = load_dictionary(s);
		if (st)
			return st;
		if (!s->ddict || s->dict_id != b->dict_id)
			return damaged(s, (int)b->stream, b->segment, b->offset, "block needs a zstd dictionary the store does not have");
	}
	size_t fsize = ZSTD_findFrameCompressedSize(frame, csize);
	if (ZSTD_isError(fsize) || fsize != csize)
		return damaged(s, (int)b->stream, b->segment, b->offset, "data frame is not one complete zstd frame");
	qr_buf_reset(&b->content);
	qr_buf_grow(&b->content, usize);
	size_t n = b->dict_id ? ZSTD_decompress_usingDDict(s->dctx, b->content.buf, usize + 1, frame, csize, s->ddict)
			      : ZSTD_decompressDCtx(s->dctx, b->content.buf, usize + 1, frame, csize);
	if (ZSTD_isError(n)) {
		qr_buf why = QR_BUF_INIT;
		qr_buf_addf(&why, "zstd: %s", ZSTD_getErrorName(n));
		int st = damaged(s, (int)b->stream, b->segment, b->offset, why.buf);
		qr_buf_release(&why);
		return st;
	}
	if (n != usize)
		return damaged(s, (int)b->stream, b->segment, b->offset, "content size differs from the block header");
	qr_buf_setlen(&b->content, n);
	for (uint32_t i = 0; i < b->nrecords; i++) {
		const qr_record_meta *r = &b->records[i];
		if (b->content.buf[r->offset + r->length] != '\n')
			return damaged(s, (int)b->stream, b->segment, b->offset, "record separator missing");
	}
	return 0;
}

int qr_store_read_block(qr_store *s, int stream, uint32_t segment, uint64_t offset, bool decompress_it,
			qr_block *b)
{
	uint8_t hdr[8];
	int fd, st;
	qr_buf path = QR_BUF_INIT, raw = QR_BUF_INIT;

	b->stream = (uint32_t)stream;
	b->segment = segment;
	b->offset = offset;
	b->nrecords = 0;
	b->end = 0; /* unknown until the header is read */
	if ((st = read_fd(s, stream, segment, &fd)))
		return st;
	qr_store_segment_path(s, stream, segment, &path);
	uint64_t fsize = qr_store_segment_size(s, stream, segment);
	if (offset + 8 > fsize) {
		st = damaged(s, stream, segment, offset, "block header cut short");
		goto out;
	}
	if ((st = qr_io_pread_all(fd, hdr, 8, offset, path.buf, &s->err)))
		goto out;
	uint32_t hsize = get_u32(hdr + 4);
	if (get_u32(hdr) != QR_STORE_SKIPPABLE_MAGIC) {
		st = damaged(s, stream, segment, offset, "no block header frame here");
		goto out;
	}
	if (hsize > MAX_HEADER || offset + 8 + hsize > fsize) {
		st = damaged(s, stream, segment, offset, "block header cut short");
		goto out;
	}
	qr_buf_grow(&raw, hsize);
	if ((st = qr_io_pread_all(fd, raw.buf, hsize, offset + 8, path.buf, &s->err)))
		goto out;
	uint32_t csize = 0, usize = 0;
	if ((st = parse_header(s, b, (const uint8_t *)raw.buf, hsize, &csize, &usize)))
		goto out;
	b->end = offset + 8 + hsize + csize;
	if (b->end > fsize) {
		st = damaged(s, stream, segment, offset, "data frame cut short");
		goto out;
	}
	if (decompress_it) {
		qr_buf_reset(&raw);
		qr_buf_grow(&raw, csize);
		if ((st = qr_io_pread_all(fd, raw.buf, csize, offset + 8 + hsize, path.buf, &s->err)))
			goto out;
		st = decompress(s, b, (const uint8_t *)raw.buf, csize, usize);
	}
out:
	qr_buf_release(&path);
	qr_buf_release(&raw);
	return st;
}

int qr_store_get(qr_store *s, const qr_locator *loc, qr_buf *data, qr_record_meta *meta_out, qr_buf *strings)
{
	int st;
	uint8_t sha[QR_SHA256_LEN];
	qr_block *b = &s->cache;

	if (loc->stream >= QR_STREAM_COUNT)
		return set_err(s, QR_USAGE, "bad locator");
	if (!s->cache_valid || b->stream != loc->stream || b->segment != loc->segment || b->offset != loc->offset) {
		s->cache_valid = false;
		if ((st = qr_store_read_block(s, (int)loc->stream, loc->segment, loc->offset, true, b)))
			return st;
		s->cache_valid = true;
	}
	if (loc->index >= b->nrecords)
		return set_err(s, QR_NOT_FOUND, "block has no record %" PRIu32, loc->index);
	const qr_record_meta *r = &b->records[loc->index];
	qr_sha256(b->content.buf + r->offset, r->length, sha);
	if (memcmp(sha, r->sha256, QR_SHA256_LEN) != 0) {
		char where[64];
		qr_locator_format(loc, where);
		return set_err(s, QR_DAMAGED, "record %s does not match its sha256", where);
	}
	qr_buf_reset(data);
	qr_buf_add(data, b->content.buf + r->offset, r->length);
	if (meta_out) {
		*meta_out = *r;
		if (strings) {
			/* Copy the strings so that they outlive the cache. */
			const char *src[4] = { r->format, r->path, r->member, r->ids };
			size_t off[4];
			qr_buf_reset(strings);
			for (int k = 0; k < 4; k++) {
				off[k] = strings->len;
				qr_buf_adds(strings, src[k] ? src[k] : "");
				qr_buf_addch(strings, '\0');
			}
			meta_out->format = strings->buf + off[0];
			meta_out->path = strings->buf + off[1];
			meta_out->member = strings->buf + off[2];
			meta_out->ids = strings->buf + off[3];
		}
	}
	return 0;
}

/* ---- recovery ---- */

static int cut_segment(qr_store *s, int stream, uint32_t segment, uint64_t at, uint64_t size, qr_buf *report)
{
	qr_buf path = QR_BUF_INIT;
	int fd, st;
	qr_store_segment_path(s, stream, segment, &path);
	if ((st = qr_io_open(path.buf, O_WRONLY, 0, &fd, &s->err)))
		goto out;
	if (ftruncate(fd, (off_t)at) < 0) {
		st = set_err(s, QR_IO, "cannot truncate '%s': %s", path.buf, strerror(errno));
	} else {
		st = qr_io_fsync(fd, path.buf, &s->err);
	}
	close(fd);
	if (!st && report)
		qr_buf_addf(report, "cut a torn block of %" PRIu64 " bytes at the end of '%s' (byte %" PRIu64 ")",
			    size - at, path.buf, at);
	/* Cached read descriptors still see the file; nothing else to do. */
	s->cache_valid = false;
out:
	qr_buf_release(&path);
	return st;
}

/* Is there a block header anywhere in (off, size) of a segment?  Used when
 * a damaged block's own header cannot say where it ends: a torn write has
 * nothing after it, damage in the middle has whole blocks after it. */
static bool block_after(qr_store *s, int stream, uint32_t segment, uint64_t off, uint64_t size)
{
	enum { CHUNK = 65536, OVERLAP = 11 };
	uint8_t *buf = qr_malloc(CHUNK + OVERLAP);
	qr_buf path = QR_BUF_INIT;
	bool found = false;
	int fd;
	if (read_fd(s, stream, segment, &fd) != 0) {
		free(buf);
		return true; /* unreadable: not a case for cutting */
	}
	qr_store_segment_path(s, stream, segment, &path);
	for (uint64_t at = off + 1; at + 12 <= size && !found; at += CHUNK) {
		size_t n = (size_t)(size - at < CHUNK + OVERLAP ? size - at : CHUNK + OVERLAP);
		if (qr_io_pread_all(fd, buf, n, at, path.buf, NULL) != 0) {
			found = true;
			break;
		}
		for (size_t i = 0; i + 12 <= n && !found; i++)
			found = get_u32(buf + i) == QR_STORE_SKIPPABLE_MAGIC && get_u32(buf + i + 8) == QR_STORE_HEADER_MAGIC;
	}
	qr_buf_release(&path);
	free(buf);
	return found;
}

int qr_store_recover(qr_store *s, int stream, const qr_store_pos *from, qr_store_block_fn fn, void *ctx,
		     qr_buf *report)
{
	uint32_t last = qr_store_last_segment(s, stream);
	uint32_t first = from->segment ? from->segment : 1;
	int st = 0;
	qr_block b;

	if (!s->writable)
		return set_err(s, QR_USAGE, "store is open read-only");
	if (from->segment > last && from->size > 0)
		return set_err(s, QR_DAMAGED, "store segment %06" PRIu32 ".zst is missing, the index needs it",
			       from->segment);
	qr_block_init(&b);
	for (uint32_t seg = first; seg <= last; seg++) {
		uint64_t size = qr_store_segment_size(s, stream, seg);
		uint64_t off = seg == from->segment ? from->size : 0;
		if (size < off) {
			st = set_err(s, QR_DAMAGED,
				     "store segment %s%06" PRIu32 ".zst is %" PRIu64 " bytes, shorter than the %" PRIu64
				     " the index has committed",
				     stream_dirs[stream], seg, size, off);
			goto out;
		}
		while (off < size) {
			st = qr_store_read_block(s, stream, seg, off, true, &b);
			if (st == QR_DAMAGED && seg == last &&
			    (b.end >= size || (b.end == 0 && !block_after(s, stream, seg, off, size)))) {
				/* A block cut short or garbled at the very end was never
				 * committed: the index only records synced data.  A bad
				 * block with whole blocks after it is not a torn write
				 * but damage, and cutting would lose the blocks after. */
				st = cut_segment(s, stream, seg, off, size, report);
				if (st)
					goto out;
				break;
			}
			if (st)
				goto out;
			if (fn && (st = fn(ctx, &b)))
				goto out;
			off = b.end;
		}
	}
	/* The writer continues from what is on disk now. */
	s->st[stream].segment = last;
	s->st[stream].size = last ? qr_store_segment_size(s, stream, last) : 0;
	s->st[stream].synced = s->st[stream].size;
	if (s->st[stream].fd >= 0) {
		close(s->st[stream].fd);
		s->st[stream].fd = -1;
	}
out:
	qr_block_release(&b);
	return st;
}

uint64_t qr_store_bytes(qr_store *s)
{
	uint64_t total = 0;
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		uint32_t last = qr_store_last_segment(s, i);
		for (uint32_t seg = 1; seg <= last; seg++)
			total += qr_store_segment_size(s, i, seg);
	}
	qr_buf path = QR_BUF_INIT;
	struct stat sb;
	qr_buf_setf(&path, "%s/dictionary", s->dir);
	if (stat(path.buf, &sb) == 0)
		total += (uint64_t)sb.st_size;
	qr_buf_release(&path);
	return total;
}
