#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>
#include <zstd_errors.h>

#include "io.h"
#include "lock.h"
#include "status.h"
#include "timeutil.h"

/* Entries are small JSON; level 3 is plenty and fast. */
#define LEVEL 3
/* What a frame around QR_JOURNAL_MAX_ENTRY can take at most. */
#define MAX_FRAME (QR_JOURNAL_MAX_ENTRY + (QR_JOURNAL_MAX_ENTRY >> 7) + 4096)

struct qr_journal {
	char *dir;              /* the store directory */
	char *path;
	bool writable;
	int fd;                 /* for appending; -1 until the first */
	bool created, dirty;
	uint64_t size;
	int64_t next_seq;       /* 0: not known yet */
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
	qr_buf frame;
	qr_buf err;
};

static int jerr(qr_journal *j, int st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int jerr(qr_journal *j, int st, const char *fmt, ...)
{
	va_list ap;
	qr_buf_reset(&j->err);
	va_start(ap, fmt);
	qr_buf_vaddf(&j->err, fmt, ap);
	va_end(ap);
	return st;
}

static uint64_t file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

int qr_journal_open(const char *store_dir, bool writable, qr_journal **out, qr_buf *err)
{
	qr_journal *j = qr_calloc(1, sizeof(*j));
	qr_buf path = QR_BUF_INIT;
	qr_buf_setf(&path, "%s/" QR_JOURNAL_FILE, store_dir);
	j->dir = qr_strdup(store_dir);
	j->path = qr_buf_detach(&path, NULL);
	j->writable = writable;
	j->fd = -1;
	j->size = file_size(j->path);
	qr_buf_init(&j->frame);
	qr_buf_init(&j->err);
	j->dctx = ZSTD_createDCtx();
	if (!j->dctx || (writable && !(j->cctx = ZSTD_createCCtx()))) {
		qr_buf_setf(err, "out of memory");
		qr_journal_close(j);
		*out = NULL;
		return QR_NOMEM;
	}
	*out = j;
	return 0;
}

void qr_journal_close(qr_journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	ZSTD_freeCCtx(j->cctx);
	ZSTD_freeDCtx(j->dctx);
	qr_buf_release(&j->frame);
	qr_buf_release(&j->err);
	free(j->dir);
	free(j->path);
	free(j);
}

const char *qr_journal_error(const qr_journal *j) { return j ? j->err.buf : ""; }
const char *qr_journal_path(const qr_journal *j) { return j->path; }
uint64_t qr_journal_size(const qr_journal *j) { return j->size; }
bool qr_journal_dirty(const qr_journal *j) { return j->dirty; }

/* ---- reading ---- */

void qr_journal_stats_init(qr_journal_stats *w)
{
	memset(w, 0, sizeof(*w));
	qr_buf_init(&w->damage);
}

void qr_journal_stats_release(qr_journal_stats *w)
{
	qr_buf_release(&w->damage);
}

/* Reading frame after frame with pread: the file may be cut back by a
 * writer's recovery while a reader reads it, so it is never mapped. */
struct frames {
	qr_journal *j;
	int fd;
	uint64_t off, size;
	qr_buf in, out;
};

enum { FRAME_OK, FRAME_BAD, FRAME_TORN, FRAME_LOST, FRAME_END, FRAME_ERROR };

static void damage(qr_journal_stats *w, uint64_t off, const char *why)
{
	w->damaged++;
	w->damaged_live++;
	if (!w->damage.len)
		qr_buf_setf(&w->damage, "%s at byte %" PRIu64, why, off);
}

/* The next frame's content into f->out; *next is where the frame after it
 * starts.  FRAME_LOST: nothing after this point can be found. */
static int next_frame(struct frames *f, uint64_t *next, qr_buf *why)
{
	size_t want = 65536;
	if (f->off >= f->size)
		return FRAME_END;
	for (;;) {
		uint64_t left = f->size - f->off;
		size_t n = left < want ? (size_t)left : want;
		qr_buf_reset(&f->in);
		qr_buf_grow(&f->in, n);
		if (qr_io_pread_all(f->fd, f->in.buf, n, f->off, f->j->path, why))
			return FRAME_ERROR;
		f->in.len = n;
		size_t fsize = ZSTD_findFrameCompressedSize(f->in.buf, n);
		if (!ZSTD_isError(fsize)) {
			*next = f->off + fsize;
			unsigned long long csize = ZSTD_getFrameContentSize(f->in.buf, fsize);
			if (csize == ZSTD_CONTENTSIZE_ERROR || csize == ZSTD_CONTENTSIZE_UNKNOWN ||
			    csize > QR_JOURNAL_MAX_ENTRY) {
				qr_buf_setf(why, "a frame of no entry");
				return FRAME_BAD;
			}
			qr_buf_reset(&f->out);
			qr_buf_grow(&f->out, (size_t)csize + 1);
			size_t got = ZSTD_decompressDCtx(f->j->dctx, f->out.buf, (size_t)csize + 1, f->in.buf, fsize);
			if (ZSTD_isError(got) || got != csize) {
				qr_buf_setf(why, "a frame that fails its checksum (%s)",
					    ZSTD_isError(got) ? ZSTD_getErrorName(got) : "wrong size");
				return FRAME_BAD;
			}
			f->out.len = got;
			f->out.buf[got] = '\0';
			return FRAME_OK;
		}
		if (ZSTD_getErrorCode(fsize) == ZSTD_error_srcSize_wrong) {
			if (n < left && want < MAX_FRAME) {
				want = want * 4 < MAX_FRAME ? want * 4 : MAX_FRAME;
				continue;
			}
			if (n == left)
				return FRAME_TORN;
		}
		qr_buf_setf(why, "no zstd frame (%s)", ZSTD_getErrorName(fsize));
		return FRAME_LOST;
	}
}

/* Where the next zstd frame magic after f->off is; 0 when there is none. */
static uint64_t next_magic(struct frames *f)
{
	static const uint8_t magic[4] = { 0x28, 0xB5, 0x2F, 0xFD };
	enum { CHUNK = 65536 };
	uint8_t *buf = qr_malloc(CHUNK + 3);
	uint64_t found = 0;
	for (uint64_t at = f->off + 1; at + 4 <= f->size && !found; at += CHUNK) {
		size_t n = (size_t)(f->size - at < CHUNK + 3 ? f->size - at : CHUNK + 3);
		if (qr_io_pread_all(f->fd, buf, n, at, f->j->path, NULL) != 0)
			break;
		for (size_t i = 0; i + 4 <= n; i++) {
			if (memcmp(buf + i, magic, 4) == 0) {
				found = at + i;
				break;
			}
		}
	}
	free(buf);
	return found;
}

/* The frame's content as an entry (its JSON parsed into *json). */
static bool parse_entry(const qr_buf *content, qr_journal_entry *e, cJSON **json, qr_buf *why)
{
	if (!content->len || content->buf[content->len - 1] != '\n') {
		qr_buf_setf(why, "an entry that is not one JSON line");
		return false;
	}
	cJSON *j = qr_json_parse(content->buf, content->len - 1, why);
	if (!j)
		return false;
	const char *op = qr_json_str(j, "op");
	if (!cJSON_IsObject(j) || !qr_json_int(j, "seq", &e->seq) || !op) {
		qr_buf_setf(why, "an entry without seq or op");
		cJSON_Delete(j);
		return false;
	}
	e->op = op;
	if (!qr_json_int(j, "part", &e->part) || !qr_json_int(j, "parts", &e->parts) || e->part < 1 ||
	    e->parts < e->part) {
		e->part = 1;
		e->parts = 1;
	}
	e->json = j;
	*json = j;
	return true;
}

/*
 * One pass from `from`: counts, damage, the end of whole frames, and where
 * an operation whose last part never came starts; entries before `stop`
 * go to fn (when given).
 */
static int walk(qr_journal *j, uint64_t from, uint64_t stop, qr_journal_fn fn, void *ctx, qr_journal_stats *w,
		int64_t *last_seq)
{
	struct frames f = { j, -1, from, 0, QR_BUF_INIT, QR_BUF_INIT };
	qr_buf why = QR_BUF_INIT;
	int64_t expect = 0; /* the part the open operation needs next */
	int st = 0;
	w->end = from;
	f.fd = open(j->path, O_RDONLY | O_CLOEXEC);
	if (f.fd < 0) {
		if (errno == ENOENT)
			return 0;
		return jerr(j, QR_IO, "cannot open '%s': %s", j->path, strerror(errno));
	}
	struct stat sb;
	f.size = fstat(f.fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	while (!st) {
		uint64_t next = 0;
		qr_buf_reset(&why);
		int r = next_frame(&f, &next, &why);
		if (r == FRAME_END)
			break;
		if (r == FRAME_ERROR) {
			st = jerr(j, QR_IO, "%s", why.buf);
			break;
		}
		if (r == FRAME_TORN) {
			w->torn = f.size - f.off;
			break;
		}
		if (r == FRAME_LOST) {
			/* Garbage where a frame should start: the next frame
			 * after it, if any, goes on; none means a write cut
			 * short at the end. */
			uint64_t at = next_magic(&f);
			if (!at) {
				w->torn = f.size - f.off;
				break;
			}
			damage(w, f.off, why.buf);
			expect = 0;
			w->unfinished = false;
			f.off = at;
			w->end = at;
			continue;
		}
		qr_journal_entry e = { f.off, next, 0, NULL, 1, 1, NULL };
		cJSON *json = NULL;
		if (r == FRAME_BAD || !parse_entry(&f.out, &e, &json, &why)) {
			damage(w, f.off, why.buf);
			expect = 0;
			w->unfinished = false;
		} else {
			if (last_seq)
				*last_seq = e.seq;
			if (e.part == 1 && strcmp(e.op, "snapshot") == 0)
				w->damaged_live = 0;
			if (e.part == 1) {
				if (expect)
					damage(w, f.off, "an operation without its last parts");
				expect = e.parts > 1 ? 2 : 0;
				w->unfinished = expect != 0;
				w->unfinished_at = f.off;
			} else {
				if (e.part != expect)
					damage(w, f.off, "an operation's parts out of order");
				expect = e.part == e.parts ? 0 : e.part + 1;
				if (!expect)
					w->unfinished = false;
			}
			if (fn && f.off < stop) {
				w->entries++;
				st = fn(ctx, &e);
			}
			cJSON_Delete(json);
		}
		f.off = next;
		w->end = next;
	}
	close(f.fd);
	qr_buf_release(&f.in);
	qr_buf_release(&f.out);
	qr_buf_release(&why);
	return st;
}

int qr_journal_walk(qr_journal *j, uint64_t from, qr_journal_fn fn, void *ctx, qr_journal_stats *w)
{
	/* First where the last whole operation ends, then the entries up to
	 * there: an operation cut short is never handed out. */
	qr_journal_stats first;
	qr_journal_stats_init(&first);
	int st = walk(j, from, 0, NULL, NULL, &first, NULL);
	uint64_t stop = first.unfinished ? first.unfinished_at : first.end;
	qr_journal_stats_release(&first);
	if (!st)
		st = walk(j, from, stop, fn, ctx, w, NULL);
	return st;
}

int qr_journal_recover(qr_journal *j, uint64_t applied, qr_buf *what)
{
	qr_journal_stats w;
	qr_buf keep = QR_BUF_INIT;
	int64_t last = 0;
	int st;
	qr_buf_reset(what);
	qr_journal_stats_init(&w);
	if ((st = walk(j, 0, 0, NULL, NULL, &w, &last)))
		goto out;
	j->next_seq = last + 1;
	bool cutting = w.unfinished || w.torn;
	uint64_t cut = w.unfinished ? w.unfinished_at : w.end;
	if (cutting && cut < applied) {
		/* The index committed past it: synced once, so damage now. */
		st = jerr(j, QR_DAMAGED, "'%s' is damaged at byte %" PRIu64 ", before the %" PRIu64
				      " bytes the index has applied",
			  j->path, cut, applied);
		goto out;
	}
	if (cutting) {
		uint64_t size = file_size(j->path);
		qr_buf_setf(&keep, "%s/lost+found", j->dir);
		if ((st = qr_io_mkdir(keep.buf, &j->err)))
			goto out;
		qr_buf_setf(&keep, "%s/lost+found/" QR_JOURNAL_FILE ".%" PRIu64 "-%" PRIu64, j->dir, cut, size);
		if ((st = qr_io_cut_keep(j->path, cut, keep.buf, &j->err)))
			goto out;
		qr_buf_setf(what, "cut '%s' back to byte %" PRIu64 " (%s, never applied); the %" PRIu64
			    " bytes cut off are kept in '%s'",
			    j->path, cut, w.unfinished ? "an operation whose last parts were never written"
						       : "an entry cut short",
			    size - cut, keep.buf);
		if (w.unfinished) {
			/* The seq numbers of the dropped entries are free again. */
			qr_journal_stats_release(&w);
			qr_journal_stats_init(&w);
			last = 0;
			if ((st = walk(j, 0, 0, NULL, NULL, &w, &last)))
				goto out;
			j->next_seq = last + 1;
		}
	}
	j->size = file_size(j->path);
out:
	qr_journal_stats_release(&w);
	qr_buf_release(&keep);
	return st;
}

const cJSON *qr_journal_list(const qr_journal_entry *e, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e->json, key);
	return cJSON_IsArray(v) ? v : NULL;
}

/* ---- writing ---- */

static void user_name(char *out, size_t size)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res && res->pw_name)
		snprintf(out, size, "%s", res->pw_name);
	else
		snprintf(out, size, "uid %ld", (long)geteuid());
}

int64_t qr_journal_next_seq(qr_journal *j)
{
	if (!j->next_seq) {
		qr_journal_stats ws;
		int64_t last = 0;
		qr_journal_stats_init(&ws);
		walk(j, 0, 0, NULL, NULL, &ws, &last);
		qr_journal_stats_release(&ws);
		j->next_seq = last + 1;
	}
	return j->next_seq;
}

static const char *given(const char *v, const char *otherwise)
{
	return v && *v ? v : otherwise;
}

void qr_journal_whoami(char user[64], char host[256])
{
	user_name(user, 64);
	if (gethostname(host, 256) < 0)
		host[0] = '\0';
	host[255] = '\0';
}

void qr_journal_begin_as(qr_journal *j, qr_jw *w, qr_buf *buf, const char *op, const qr_journal_who *who)
{
	char when[32], user[64], host[256];
	qr_time_format_iso((int64_t)time(NULL), when);
	qr_journal_whoami(user, host);
	qr_buf_reset(buf);
	qr_jw_init(w, buf, false);
	qr_jw_begin_object(w);
	qr_jw_kint(w, "seq", qr_journal_next_seq(j));
	qr_jw_kstr(w, "time", given(who ? who->time : NULL, when));
	qr_jw_kstr(w, "op", op);
	qr_jw_kstr(w, "user", given(who ? who->user : NULL, user));
	qr_jw_kstr(w, "host", given(who ? who->host : NULL, host));
	qr_jw_kstr(w, "command", given(who ? who->command : NULL, qr_lock_command()));
}

void qr_journal_begin(qr_journal *j, qr_jw *w, qr_buf *buf, const char *op)
{
	qr_journal_begin_as(j, w, buf, op, NULL);
}

static int open_for_append(qr_journal *j)
{
	if (j->fd >= 0)
		return 0;
	if (!j->writable)
		return jerr(j, QR_USAGE, "the journal is open read-only");
	struct stat sb;
	j->created = stat(j->path, &sb) < 0;
	int st = qr_io_open(j->path, O_RDWR | O_CREAT, 0644, &j->fd, &j->err);
	if (st)
		return st;
	/* Whatever recovery left is the end: appends go there. */
	j->size = fstat(j->fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	return 0;
}

int qr_journal_append(qr_journal *j, qr_jw *w, qr_buf *buf)
{
	int st;
	qr_jw_end_object(w);
	qr_buf_addch(buf, '\n');
	if (buf->len > QR_JOURNAL_MAX_ENTRY)
		return jerr(j, QR_LIMIT, "a journal entry of %zu bytes is longer than %u", buf->len,
			    QR_JOURNAL_MAX_ENTRY);
	if ((st = open_for_append(j)))
		return st;
	qr_buf_reset(&j->frame);
	qr_buf_grow(&j->frame, ZSTD_compressBound(buf->len));
	ZSTD_CCtx_reset(j->cctx, ZSTD_reset_session_and_parameters);
	ZSTD_CCtx_setParameter(j->cctx, ZSTD_c_compressionLevel, LEVEL);
	ZSTD_CCtx_setParameter(j->cctx, ZSTD_c_checksumFlag, 1);
	size_t n = ZSTD_compress2(j->cctx, j->frame.buf, j->frame.alloc, buf->buf, buf->len);
	if (ZSTD_isError(n))
		return jerr(j, QR_INTERNAL, "cannot compress a journal entry: %s", ZSTD_getErrorName(n));
	if ((st = qr_io_pwrite_all(j->fd, j->frame.buf, n, j->size, j->path, &j->err)))
		return st;
	j->size += n;
	j->next_seq++;
	j->dirty = true;
	return 0;
}

int qr_journal_sync(qr_journal *j)
{
	int st;
	if (!j || !j->dirty)
		return 0;
	if ((st = qr_io_fsync(j->fd, j->path, &j->err)))
		return st;
	if (j->created && (st = qr_io_fsync_dir(j->dir, &j->err)))
		return st;
	j->created = false;
	j->dirty = false;
	return 0;
}
