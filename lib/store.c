#include "store.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_c_forceAttachDict */
#include <zstd.h>
#define ZDICT_STATIC_LINKING_ONLY /* ZDICT_trainFromBuffer_fastCover */
#include <zdict.h>

#include "io.h"
#include "status.h"
#include "store_header.h"

#define MAX_CONTENT (UINT32_MAX - 1)
#define READ_FDS 16
#define MAX_DICTS 8
#define MAX_SAMPLE (128u << 10) /* of one record, for training */
#define GET_CHUNK (16u << 10)   /* compressed bytes fed per step of a partial read */

static const char *stream_dirs[QR_STREAM_COUNT] = { "", "media/" };

struct stream_state {
	uint32_t segment;        /* segment being written (0: none yet) */
	uint64_t size;           /* its size on disk */
	uint64_t synced;         /* its size at the last fsync (or at open) */
	int fd;
	bool created;            /* segment file made since the last sync */
	bool unsynced;
	bool seal_checked;       /* may the last segment take more blocks? asked once */
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
	ZSTD_DDict *ddict;       /* store/dictionary */
	ZSTD_CDict *cdict;       /* what new blocks are compressed with */
	uint32_t dict_id;        /* of store/dictionary */
	uint32_t cdict_id;
	bool dict_loaded;
	struct {                 /* other dictionaries (dictionary-<id>), loaded when a block needs one */
		uint32_t id;
		ZSTD_DDict *ddict;
	} dicts[MAX_DICTS];
	int ndicts;
	/* the first records, kept to train store/dictionary on */
	struct {
		bool active;
		qr_buf samples;
		size_t *sizes;
		size_t n, alloc;
	} train;
	/* the last block read by qr_store_get: its header and as much of its
	 * content as the records asked for so far needed */
	qr_block cache;
	bool cache_valid;
	qr_buf frame;            /* its data frame */
	size_t frame_pos;        /* how far it is decompressed */
	ZSTD_DCtx *sdctx;        /* streaming, for the partial reads */
};

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

bool qr_store_is_header(const void *p)
{
	const uint8_t *b = p;
	uint32_t magic = qr_le32(b + 8);
	return qr_le32(b) == QR_STORE_SKIPPABLE_MAGIC && (magic == QR_STORE_HEADER_MAGIC || magic == QR_STORE_HEADER_MAGIC_V2);
}

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
	/* Chosen by measurement (bench/RESULTS.md, "The store"): 1 MB blocks
	 * at level 6 with matches of 6 bytes or more and a 1 MB dictionary
	 * trained on the first 16 MB of records come within 1.7x of zstd -19
	 * over the whole input, write at about 190 MB/s and fetch a record in
	 * about 0.3 ms.  Shorter matches are not worth their cost in JSON:
	 * level 6 with them is 2% larger and 8% slower, level 7 1% smaller
	 * and 20% slower.  A 32 MB sample is 0.5% better at 200,000 tweets
	 * and 1.2% worse at 50,000. */
	memset(o, 0, sizeof(*o));
	o->block_size = 1024 * 1024;
	o->level = 6;
	o->min_match = 6;
	o->segment_size = 1024ULL * 1024 * 1024;
	o->dict_size = 1024 * 1024;
	o->dict_sample = 16 * 1024 * 1024;
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

/* The number a segment file name stands for: exactly what
 * qr_store_segment_path would write ("%06u.zst"), else 0. */
static uint32_t segment_number(const char *name)
{
	uint64_t n = 0;
	size_t digits = 0;
	for (; isdigit((unsigned char)name[digits]) && digits < 11; digits++)
		n = n * 10 + (uint64_t)(name[digits] - '0');
	if (digits < 6 || strcmp(name + digits, ".zst") != 0 || n == 0 || n > UINT32_MAX)
		return 0;
	if (digits > 6 && name[0] == '0')
		return 0;
	return (uint32_t)n;
}

/* The lowest and highest segment numbers of a stream (0, 0: none). */
/* The lowest and highest segment numbers of a stream (0 when none), and
 * how many there are (compaction leaves gaps in the numbers). */
static uint32_t segment_range(qr_store *s, int stream, uint32_t *first, uint32_t *last)
{
	qr_buf path = QR_BUF_INIT;
	uint32_t count = 0;
	qr_buf_setf(&path, "%s/%s", s->dir, stream_dirs[stream]);
	*first = *last = 0;
	DIR *d = opendir(path.buf);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		uint32_t n = segment_number(e->d_name);
		if (!n)
			continue;
		count++;
		if (!*first || n < *first)
			*first = n;
		if (n > *last)
			*last = n;
	}
	if (d)
		closedir(d);
	qr_buf_release(&path);
	return count;
}

uint32_t qr_store_segment_count(qr_store *s, int stream)
{
	uint32_t first, last;
	return segment_range(s, stream, &first, &last);
}

uint32_t qr_store_last_segment(qr_store *s, int stream)
{
	uint32_t first, last;
	segment_range(s, stream, &first, &last);
	return last;
}

uint32_t qr_store_first_segment(qr_store *s, int stream)
{
	uint32_t first, last;
	segment_range(s, stream, &first, &last);
	return first;
}

int qr_store_remove_segment(qr_store *s, int stream, uint32_t segment)
{
	qr_buf path = QR_BUF_INIT;
	int st = 0;
	qr_store_segment_path(s, stream, segment, &path);
	/* A reader's cached descriptor would still see the old file. */
	for (int i = 0; i < READ_FDS; i++) {
		if (s->fds[i].fd >= 0 && s->fds[i].stream == stream && s->fds[i].segment == segment) {
			close(s->fds[i].fd);
			s->fds[i].fd = -1;
		}
	}
	if (s->cache_valid && (int)s->cache.stream == stream && s->cache.segment == segment)
		s->cache_valid = false;
	if (unlink(path.buf) < 0)
		st = errno == ENOENT ? QR_NOT_FOUND : set_err(s, QR_IO, "cannot remove '%s': %s", path.buf, strerror(errno));
	qr_buf_release(&path);
	return st;
}

int qr_store_sync_dir(qr_store *s, int stream)
{
	qr_buf path = QR_BUF_INIT;
	qr_buf_setf(&path, "%s/%s", s->dir, stream_dirs[stream]);
	int st = qr_io_fsync_dir(path.buf, &s->err);
	qr_buf_release(&path);
	return st;
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

/* A dictionary for compression with the store's level and shortest
 * match (a CDict's parameters supersede the context's). */
static ZSTD_CDict *new_cdict(const qr_store *s, const void *dict, size_t len)
{
	if (!s->opts.min_match)
		return ZSTD_createCDict(dict, len, s->opts.level);
	ZSTD_CCtx_params *p = ZSTD_createCCtxParams();
	ZSTD_CDict *cd = NULL;
	if (p && !ZSTD_isError(ZSTD_CCtxParams_init(p, s->opts.level)) &&
	    !ZSTD_isError(ZSTD_CCtxParams_setParameter(p, ZSTD_c_minMatch, s->opts.min_match)))
		cd = ZSTD_createCDict_advanced2(dict, len, ZSTD_dlm_byCopy, ZSTD_dct_auto, p, ZSTD_defaultCMem);
	ZSTD_freeCCtxParams(p);
	return cd;
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
	if (s->writable && !s->opts.dict_explicit) {
		s->cdict = new_cdict(s, data.buf, data.len);
		s->cdict_id = s->dict_id;
	}
	if (!s->dict_id || !s->ddict || (s->writable && !s->opts.dict_explicit && !s->cdict))
		st = set_err(s, QR_DAMAGED, "cannot load zstd dictionary '%s'", path.buf);
out:
	qr_buf_release(&path);
	qr_buf_release(&data);
	return st;
}

/* The dictionary a block names: store/dictionary, or dictionary-<id>. */
static ZSTD_DDict *ddict_for(qr_store *s, uint32_t id)
{
	if (load_dictionary(s) == 0 && s->ddict && s->dict_id == id)
		return s->ddict;
	for (int i = 0; i < s->ndicts; i++)
		if (s->dicts[i].id == id)
			return s->dicts[i].ddict;
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT, err = QR_BUF_INIT;
	ZSTD_DDict *d = NULL;
	qr_buf_setf(&path, "%s/dictionary-%" PRIu32, s->dir, id);
	if (qr_io_read_file(path.buf, 64u << 20, &data, &err) == 0 && ZSTD_getDictID_fromDict(data.buf, data.len) == id)
		d = ZSTD_createDDict(data.buf, data.len);
	if (d) {
		/* A handful at most: one per compaction still in the store. */
		if (s->ndicts == MAX_DICTS) {
			ZSTD_freeDDict(s->dicts[0].ddict);
			memmove(&s->dicts[0], &s->dicts[1], sizeof(s->dicts[0]) * (MAX_DICTS - 1));
			s->ndicts--;
		}
		s->dicts[s->ndicts].id = id;
		s->dicts[s->ndicts].ddict = d;
		s->ndicts++;
	}
	qr_buf_release(&path);
	qr_buf_release(&data);
	qr_buf_release(&err);
	return d;
}

int qr_store_train_dictionary(const void *samples, const size_t *sizes, size_t n, size_t size, qr_buf *dict,
			      qr_buf *err)
{
	/* fastCover with fixed parameters rather than ZDICT_trainFromBuffer's
	 * search over them: on tweets it trains the same dictionary size 3-4
	 * times faster and compresses 1% better (bench/RESULTS.md, "The
	 * store").  k = 2000 is the top of that search's range, where it
	 * ended on tweets; d and f are its defaults. */
	ZDICT_fastCover_params_t p;
	memset(&p, 0, sizeof(p));
	p.k = 2000;
	p.d = 8;
	p.f = 20;
	p.accel = 4;
	p.splitPoint = 1.0;
	p.zParams.compressionLevel = 6;
	qr_buf_reset(dict);
	/* A dictionary pays off when it is small beside what it was trained
	 * on (zstd's advice: about a hundredth; a sixteenth at most here). */
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += sizes[i];
	if (size > total / 16)
		size = total / 16;
	if (n < 8 || n > UINT_MAX || size < 1024) {
		qr_buf_setf(err, "too few samples (%zu records, %zu bytes) to train a dictionary on", n, total);
		return QR_BAD_INPUT;
	}
	if (p.k > size)
		p.k = (unsigned)size; /* a segment never larger than the dictionary */
	qr_buf_grow(dict, size);
	size_t got = ZDICT_trainFromBuffer_fastCover(dict->buf, size, samples, sizes, (unsigned)n, p);
	if (ZDICT_isError(got)) {
		qr_buf_setf(err, "cannot train a dictionary: %s", ZDICT_getErrorName(got));
		return QR_BAD_INPUT;
	}
	qr_buf_setlen(dict, got);
	return 0;
}

/* Compress new blocks with dict from now on (it is on disk already). */
static int set_cdict(qr_store *s, const void *dict, size_t len, uint32_t id)
{
	ZSTD_CDict *cd = new_cdict(s, dict, len);
	if (!cd)
		return set_err(s, QR_INTERNAL, "cannot load a zstd dictionary for compression");
	ZSTD_freeCDict(s->cdict);
	s->cdict = cd;
	s->cdict_id = id;
	return 0;
}

int qr_store_use_dictionary(qr_store *s, const void *dict, size_t len, uint32_t *id_out)
{
	qr_buf path = QR_BUF_INIT;
	struct stat sb;
	int st = 0;
	uint32_t id = ZSTD_getDictID_fromDict(dict, len);
	if (!s->writable)
		return set_err(s, QR_USAGE, "store is open read-only");
	if (!id)
		return set_err(s, QR_USAGE, "not a zstd dictionary with an id");
	qr_buf_setf(&path, "%s/dictionary-%" PRIu32, s->dir, id);
	/* The file is on disk and synced before any frame names its id. */
	if (stat(path.buf, &sb) < 0 && (st = qr_io_write_file_atomic(path.buf, dict, len, &s->err)))
		s->failed = true;
	if (!st)
		st = set_cdict(s, dict, len, id);
	if (!st) {
		/* the dictionary given stays: no training replaces it */
		s->train.active = false;
		qr_buf_release(&s->train.samples);
	}
	if (!st && id_out)
		*id_out = id;
	qr_buf_release(&path);
	return st;
}

uint32_t qr_store_dictionary_id(const qr_store *s)
{
	return s->cdict ? s->cdict_id : 0;
}

/* Keep a record as a training sample; once there are dict_sample bytes,
 * train store/dictionary, write it (synced, with the directory) and
 * compress every later block with it.  Blocks written before stay as they
 * are: the dictionary never has to exist before a frame that needs it. */
static int train_on(qr_store *s, const void *data, size_t len)
{
	qr_buf dict = QR_BUF_INIT, why = QR_BUF_INIT, path = QR_BUF_INIT;
	int st = 0;
	if (!len)
		return 0;
	if (len > MAX_SAMPLE)
		len = MAX_SAMPLE;
	qr_buf_add(&s->train.samples, data, len);
	s->train.sizes = qr_grow_array(s->train.sizes, sizeof(size_t), s->train.n + 1, &s->train.alloc);
	s->train.sizes[s->train.n++] = len;
	if (s->train.samples.len < s->opts.dict_sample)
		return 0;
	s->train.active = false;
	/* Data that will not train (too alike, too few records) just goes on
	 * without a dictionary. */
	if (qr_store_train_dictionary(s->train.samples.buf, s->train.sizes, s->train.n, s->opts.dict_size, &dict,
				      &why) == 0) {
		uint32_t id = ZSTD_getDictID_fromDict(dict.buf, dict.len);
		qr_buf_setf(&path, "%s/dictionary", s->dir);
		if ((st = qr_io_write_file_atomic(path.buf, dict.buf, dict.len, &s->err))) {
			s->failed = true;
		} else if (!(st = set_cdict(s, dict.buf, dict.len, id))) {
			ZSTD_freeDDict(s->ddict);
			s->ddict = ZSTD_createDDict(dict.buf, dict.len);
			s->dict_id = id;
			s->dict_loaded = true;
		}
	}
	qr_buf_release(&s->train.samples);
	free(s->train.sizes);
	s->train.sizes = NULL;
	s->train.n = s->train.alloc = 0;
	qr_buf_release(&dict);
	qr_buf_release(&why);
	qr_buf_release(&path);
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
	qr_buf_init(&s->frame);
	qr_buf_init(&s->train.samples);
	for (int i = 0; i < READ_FDS; i++)
		s->fds[i].fd = -1;
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		s->st[i].fd = -1;
		qr_buf_init(&s->st[i].blk.content);
		qr_buf_init(&s->st[i].blk.ids);
	}
	if (writable) {
		qr_buf_setf(&path, "%s/media", dir);
		if ((st = qr_io_mkdir(dir, err)) || (st = qr_io_mkdir(path.buf, err)))
			goto fail;
	}
	s->dctx = ZSTD_createDCtx();
	s->sdctx = ZSTD_createDCtx();
	if (writable)
		s->cctx = ZSTD_createCCtx();
	if (!s->dctx || !s->sdctx || (writable && !s->cctx)) {
		st = QR_NOMEM;
		qr_buf_setf(err, "cannot create zstd contexts");
		goto fail;
	}
	/* A writer needs the dictionary now (to compress with it, or to know
	 * it must train one); a reader loads it with the first block that
	 * names it, so that a search that prints no record never reads it. */
	if (writable && (st = load_dictionary(s))) {
		qr_buf_setf(err, "%s", s->err.buf);
		goto fail;
	}
	s->train.active = writable && !s->cdict && !s->opts.dict_explicit && s->opts.dict_size && s->opts.dict_sample;
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
	free(b->ids_at);
	qr_buf_release(&b->ids);
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
	ZSTD_freeDCtx(s->sdctx);
	ZSTD_freeDDict(s->ddict);
	ZSTD_freeCDict(s->cdict);
	for (int i = 0; i < s->ndicts; i++)
		ZSTD_freeDDict(s->dicts[i].ddict);
	qr_buf_release(&s->train.samples);
	free(s->train.sizes);
	qr_block_release(&s->cache);
	qr_buf_release(&s->frame);
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

/* Must the next block go to a new segment although the last one has room?
 * Yes when compaction wrote it (a compacted segment stays as compaction
 * left it) and for a writer that asked for new segments.  Asked once. */
static bool segment_sealed(qr_store *s, int stream)
{
	struct stream_state *w = &s->st[stream];
	if (w->seal_checked || !w->segment)
		return false;
	w->seal_checked = true;
	if (s->opts.new_segment)
		return true;
	if (!w->size)
		return false;
	qr_block b;
	qr_block_init(&b);
	bool sealed = qr_store_read_block(s, stream, w->segment, 0, false, &b) == 0 && (b.flags & QR_BLOCK_COMPACTED);
	qr_block_release(&b);
	return sealed;
}

/* Start the segment that the next block goes to, if the current is full. */
static int ensure_segment(qr_store *s, int stream)
{
	struct stream_state *w = &s->st[stream];
	qr_buf path = QR_BUF_INIT;
	int st = 0;

	if (w->segment && w->size < s->opts.segment_size && !segment_sealed(s, stream)) {
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
		if (s->opts.min_match)
			ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_minMatch, s->opts.min_match);
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
	if ((st = compress_content(s, &b->content, &frame)) || (st = qr_header_encode(b, (uint16_t)s->opts.block_flags, s->cdict ? s->cdict_id : 0, s->opts.level,
							     (uint32_t)frame.len, s->cctx, &header, &s->err)))
		goto out;
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
	qr_buf_reset(&b->ids);
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
	if (s->train.active && stream == QR_STREAM_RECORDS && !(meta->flags & (QR_REC_BLOB | QR_REC_CONTEXT)) &&
	    (st = train_on(s, data, len)))
		return st;
	b->recs = qr_grow_array(b->recs, sizeof(*b->recs), b->nrecs + 1, &b->recs_alloc);
	b->str_idx = qr_grow_array(b->str_idx, 3 * sizeof(*b->str_idx), b->nrecs + 1, &b->str_idx_alloc);
	b->ids_at = qr_grow_array(b->ids_at, sizeof(*b->ids_at), b->nrecs + 1, &b->ids_at_alloc);
	qr_record_meta *r = &b->recs[b->nrecs];
	*r = *meta;
	r->length = (uint32_t)len;
	r->offset = (uint32_t)b->content.len;
	r->format = r->path = r->member = r->ids = NULL;
	uint32_t *idx = &b->str_idx[3 * b->nrecs];
	idx[0] = intern(b, meta->format);
	idx[1] = intern(b, meta->path);
	idx[2] = intern(b, meta->member);
	/* Ids differ from record to record: kept as they are, not interned. */
	b->ids_at[b->nrecs] = meta->ids ? (uint32_t)b->ids.len : NO_STRING;
	if (meta->ids) {
		qr_buf_adds(&b->ids, meta->ids);
		qr_buf_addch(&b->ids, '\0');
	}
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
	const char *why = qr_header_parse(b, h, n, csize, usize, s->dctx);
	return why ? damaged(s, (int)b->stream, b->segment, b->offset, why) : 0;
}

/* The dictionary a block's data frame needs, NULL for none. */
static int block_ddict(qr_store *s, const qr_block *b, ZSTD_DDict **out)
{
	*out = NULL;
	if (!b->dict_id)
		return 0;
	if (!(*out = ddict_for(s, b->dict_id))) {
		qr_buf why = QR_BUF_INIT;
		qr_buf_addf(&why, "block needs zstd dictionary %" PRIu32 ", which the store does not have", b->dict_id);
		int st = damaged(s, (int)b->stream, b->segment, b->offset, why.buf);
		qr_buf_release(&why);
		return st;
	}
	return 0;
}

static int decompress(qr_store *s, qr_block *b, const uint8_t *frame, size_t csize, uint32_t usize)
{
	ZSTD_DDict *dd;
	int st = block_ddict(s, b, &dd);
	if (st)
		return st;
	size_t fsize = ZSTD_findFrameCompressedSize(frame, csize);
	if (ZSTD_isError(fsize) || fsize != csize)
		return damaged(s, (int)b->stream, b->segment, b->offset, "data frame is not one complete zstd frame");
	qr_buf_reset(&b->content);
	qr_buf_grow(&b->content, usize);
	size_t n = dd ? ZSTD_decompress_usingDDict(s->dctx, b->content.buf, usize + 1, frame, csize, dd)
		      : ZSTD_decompressDCtx(s->dctx, b->content.buf, usize + 1, frame, csize);
	if (ZSTD_isError(n)) {
		qr_buf why = QR_BUF_INIT;
		qr_buf_addf(&why, "zstd: %s", ZSTD_getErrorName(n));
		st = damaged(s, (int)b->stream, b->segment, b->offset, why.buf);
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
	/* offset comes from a locator, which may be anything: no sum that
	 * can wrap. */
	if (offset > fsize || fsize - offset < 8) {
		st = damaged(s, stream, segment, offset, "block header cut short");
		goto out;
	}
	if ((st = qr_io_pread_all(fd, hdr, 8, offset, path.buf, &s->err)))
		goto out;
	uint32_t hsize = qr_le32(hdr + 4);
	if (qr_le32(hdr) != QR_STORE_SKIPPABLE_MAGIC) {
		st = damaged(s, stream, segment, offset, "no block header frame here");
		goto out;
	}
	if (hsize > MAX_HEADER || hsize > fsize - offset - 8) {
		st = damaged(s, stream, segment, offset, "block header cut short");
		goto out;
	}
	qr_buf_grow(&raw, hsize);
	if ((st = qr_io_pread_all(fd, raw.buf, hsize, offset + 8, path.buf, &s->err)))
		goto out;
	uint32_t csize = 0, usize = 0;
	if ((st = parse_header(s, b, (const uint8_t *)raw.buf, hsize, &csize, &usize)))
		goto out;
	b->csize = csize;
	b->usize = usize;
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

/* Make the block at loc the cached one: its header, its data frame, and a
 * streaming decompression that has not started yet. */
static int cache_block(qr_store *s, const qr_locator *loc)
{
	qr_block *b = &s->cache;
	qr_buf path = QR_BUF_INIT;
	ZSTD_DDict *dd;
	int fd, st;

	s->cache_valid = false;
	if ((st = qr_store_read_block(s, (int)loc->stream, loc->segment, loc->offset, false, b)))
		return st;
	if ((st = block_ddict(s, b, &dd)) || (st = read_fd(s, (int)loc->stream, loc->segment, &fd)))
		return st;
	qr_store_segment_path(s, (int)loc->stream, loc->segment, &path);
	qr_buf_reset(&s->frame);
	qr_buf_grow(&s->frame, b->csize);
	st = qr_io_pread_all(fd, s->frame.buf, b->csize, b->end - b->csize, path.buf, &s->err);
	qr_buf_release(&path);
	if (st)
		return st;
	qr_buf_setlen(&s->frame, b->csize);
	size_t fsize = ZSTD_findFrameCompressedSize(s->frame.buf, b->csize);
	if (ZSTD_isError(fsize) || fsize != b->csize)
		return damaged(s, (int)b->stream, b->segment, b->offset, "data frame is not one complete zstd frame");
	ZSTD_DCtx_reset(s->sdctx, ZSTD_reset_session_and_parameters);
	ZSTD_DCtx_refDDict(s->sdctx, dd);
	/* Straight into the content buffer, which stays put and holds the
	 * whole block: no copy out of zstd's own window. */
	ZSTD_DCtx_setParameter(s->sdctx, ZSTD_d_stableOutBuffer, 1);
	qr_buf_reset(&b->content);
	qr_buf_grow(&b->content, b->usize);
	s->frame_pos = 0;
	s->cache_valid = true;
	return 0;
}

/*
 * Decompress the cached block until its content reaches `need` bytes.
 * A record is fetched by decompressing the block only up to its end, not
 * the whole block: half the work on average, which keeps 1 MB blocks
 * within half a millisecond a record.  The record's own sha256 vouches
 * for its bytes; zstd's frame checksum is checked when the end is reached.
 */
static int cache_upto(qr_store *s, size_t need)
{
	qr_block *b = &s->cache;
	while (b->content.len < need) {
		size_t end = s->frame_pos + GET_CHUNK < b->csize ? s->frame_pos + GET_CHUNK : b->csize;
		ZSTD_inBuffer in = { s->frame.buf, end, s->frame_pos };
		ZSTD_outBuffer out = { b->content.buf, b->usize, b->content.len };
		size_t ret = ZSTD_decompressStream(s->sdctx, &out, &in);
		bool stuck = !ZSTD_isError(ret) && ret && in.pos == b->csize && out.pos == b->content.len;
		if (ZSTD_isError(ret) || stuck) {
			s->cache_valid = false;
			qr_buf why = QR_BUF_INIT;
			qr_buf_addf(&why, "zstd: %s", stuck ? "data frame cut short" : ZSTD_getErrorName(ret));
			int st = damaged(s, (int)b->stream, b->segment, b->offset, why.buf);
			qr_buf_release(&why);
			return st;
		}
		s->frame_pos = in.pos;
		qr_buf_setlen(&b->content, out.pos);
		if (ret == 0 && out.pos != b->usize) {
			s->cache_valid = false;
			return damaged(s, (int)b->stream, b->segment, b->offset, "content size differs from the block header");
		}
		if (ret == 0)
			break;
	}
	if (b->content.len < need) {
		s->cache_valid = false;
		return damaged(s, (int)b->stream, b->segment, b->offset, "content size differs from the block header");
	}
	return 0;
}

int qr_store_get(qr_store *s, const qr_locator *loc, qr_buf *data, qr_record_meta *meta_out, qr_buf *strings)
{
	int st;
	uint8_t sha[QR_SHA256_LEN];
	qr_block *b = &s->cache;

	if (loc->stream >= QR_STREAM_COUNT)
		return set_err(s, QR_USAGE, "bad locator");
	if (!s->cache_valid || b->stream != loc->stream || b->segment != loc->segment || b->offset != loc->offset) {
		if ((st = cache_block(s, loc)))
			return st;
	}
	if (loc->index >= b->nrecords)
		return set_err(s, QR_NOT_FOUND, "block has no record %" PRIu32, loc->index);
	const qr_record_meta *r = &b->records[loc->index];
	if ((st = cache_upto(s, (size_t)r->offset + r->length + 1)))
		return st;
	if (b->content.buf[r->offset + r->length] != '\n')
		return damaged(s, (int)b->stream, b->segment, b->offset, "record separator missing");
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
			found = qr_store_is_header(buf + i);
	}
	qr_buf_release(&path);
	free(buf);
	return found;
}

int qr_store_recover(qr_store *s, int stream, const qr_store_pos *from, qr_store_block_fn fn, void *ctx,
		     qr_buf *report)
{
	uint32_t first, last;
	int st = 0;
	qr_block b;

	segment_range(s, stream, &first, &last);
	if (from->segment > first)
		first = from->segment;
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
		uint32_t first, last;
		segment_range(s, i, &first, &last);
		for (uint32_t seg = first; seg && seg <= last; seg++)
			total += qr_store_segment_size(s, i, seg);
	}
	/* store/dictionary and every dictionary-<id> */
	qr_buf path = QR_BUF_INIT;
	struct stat sb;
	DIR *d = opendir(s->dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		const char *n = e->d_name;
		if (strncmp(n, "dictionary", 10) != 0 || (n[10] && (n[10] != '-' || strspn(n + 11, "0123456789") != strlen(n + 11))))
			continue;
		qr_buf_setf(&path, "%s/%s", s->dir, n);
		if (stat(path.buf, &sb) == 0)
			total += (uint64_t)sb.st_size;
	}
	if (d)
		closedir(d);
	qr_buf_release(&path);
	return total;
}
