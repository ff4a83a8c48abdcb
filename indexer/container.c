#include "container.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libarchive.h"
#include "status.h"
#include "text.h"

#define PEEK 1024
#define ARC_BUF 65536

void qr_limits_default(qr_limits *lim)
{
	lim->max_depth = 8;
	lim->max_member_bytes = 64ULL << 30;
	lim->max_input_bytes = 1ULL << 40;
	lim->max_ratio = 1000;
	lim->bomb_floor = 64ULL << 20;
	lim->max_entries = 1000000;
	lim->max_record = 16u << 20;
	lim->max_media = 256u << 20;
	lim->max_archive_buffer = 1ULL << 30;
}

struct walk {
	const char *path;
	const qr_limits *lim;
	const qr_container_cb *cb;
	uint64_t (*raw_read)(void *);
	void *raw_ctx;
	uint64_t produced;       /* bytes handed to readers, all leaves */
	bool incomplete;
	bool capped;             /* a cap on the whole input was reached */
	int stop;
	uint64_t archives;       /* archives begun so far */
};

static void note(struct walk *w, int sev, const char *member, uint64_t byte, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void note(struct walk *w, int sev, const char *member, uint64_t byte, const char *fmt, ...)
{
	qr_buf msg = QR_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	qr_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (sev >= QR_FAILED)
		w->incomplete = true;
	if (w->cb->note)
		w->cb->note(w->cb->ctx, sev, w->path, member, byte, msg.buf);
	qr_buf_release(&msg);
}

/* ---- the guard every leaf reads through: caps and the bomb check ---- */

struct guard {
	qr_stream *inner;
	struct walk *w;
};

static ssize_t guard_read(qr_stream *s, void *buf, size_t n)
{
	struct guard *g = s->ctx;
	const qr_limits *lim = g->w->lim;
	ssize_t r = qr_stream_read(g->inner, buf, n);
	if (r < 0) {
		qr_buf_setf(&s->err, "%s", g->inner->err.buf);
		return -1;
	}
	g->w->produced += (uint64_t)r;
	if (s->produced + (uint64_t)r > lim->max_member_bytes) {
		qr_buf_setf(&s->err, "member is larger than %llu bytes (limit max_member_bytes)",
			    (unsigned long long)lim->max_member_bytes);
		return -1;
	}
	if (g->w->produced > lim->max_input_bytes) {
		qr_buf_setf(&s->err, "input decompresses to more than %llu bytes (limit max_input_bytes)",
			    (unsigned long long)lim->max_input_bytes);
		g->w->capped = true;
		return -1;
	}
	if (g->w->produced > lim->bomb_floor && g->w->raw_read) {
		uint64_t raw = g->w->raw_read(g->w->raw_ctx);
		if (raw == 0 || g->w->produced / raw > lim->max_ratio) {
			qr_buf_setf(&s->err,
				    "input expands more than %llu:1 past %llu MB: a compression bomb? (limit max_ratio)",
				    (unsigned long long)lim->max_ratio, (unsigned long long)(lim->bomb_floor >> 20));
			g->w->capped = true;
			return -1;
		}
	}
	return r;
}

static qr_stream *guard_new(qr_stream *inner, struct walk *w)
{
	qr_stream *s = qr_calloc(1, sizeof(*s));
	struct guard *g = qr_malloc(sizeof(*g));
	qr_buf_init(&s->err);
	qr_buf_init(&s->peeked);
	g->inner = inner;
	g->w = w;
	s->ctx = g;
	s->read = guard_read;
	s->close = NULL;
	return s;
}

static void guard_free(qr_stream *s)
{
	free(s->ctx);
	s->ctx = NULL;
	qr_stream_free(s);
}

/* ---- libarchive over a qr_stream ---- */

struct arc_src {
	qr_stream *s;
	char buf[ARC_BUF];
};

static la_ssize_t arc_read(struct archive *a, void *ud, const void **buf)
{
	struct arc_src *src = ud;
	ssize_t r = qr_stream_read(src->s, src->buf, sizeof(src->buf));
	if (r < 0) {
		archive_set_error(a, EIO, "%s", src->s->err.buf);
		return -1;
	}
	*buf = src->buf;
	return r;
}

static la_int64_t arc_seek(struct archive *a, void *ud, la_int64_t offset, int whence)
{
	struct arc_src *src = ud;
	int64_t r = src->s->seek(src->s, offset, whence);
	if (r < 0)
		archive_set_error(a, EIO, "%s", src->s->err.buf);
	return r < 0 ? ARCHIVE_FATAL : r;
}

static la_int64_t arc_skip(struct archive *a, void *ud, la_int64_t request)
{
	(void)a;
	struct arc_src *src = ud;
	if (!src->s->seek || src->s->peeked.len)
		return 0; /* libarchive reads through instead */
	int64_t cur = src->s->seek(src->s, 0, SEEK_CUR);
	if (cur < 0 || src->s->seek(src->s, request, SEEK_CUR) < 0)
		return 0;
	return request;
}

struct member {
	struct archive *a;
};

static ssize_t member_read(qr_stream *s, void *buf, size_t n)
{
	struct member *m = s->ctx;
	la_ssize_t r = archive_read_data(m->a, buf, n);
	if (r < 0) {
		const char *e = archive_error_string(m->a);
		qr_buf_setf(&s->err, "%s", e ? e : "archive read error");
		return -1;
	}
	return (ssize_t)r;
}

/* ---- what is this stream? ---- */

enum kind { KIND_LEAF, KIND_ZSTD, KIND_COMPRESSED, KIND_ARCHIVE };

static enum kind sniff(const unsigned char *p, size_t n)
{
	if (qr_is_zstd_magic((const char *)p, n))
		return KIND_ZSTD;
	if (n >= 2 && p[0] == 0x1F && (p[1] == 0x8B || p[1] == 0x9D))
		return KIND_COMPRESSED;
	if (n >= 3 && memcmp(p, "BZh", 3) == 0)
		return KIND_COMPRESSED;
	if (n >= 6 && memcmp(p, "\xFD" "7zXZ\0", 6) == 0)
		return KIND_COMPRESSED;
	if (n >= 4 && memcmp(p, "\x04\x22\x4D\x18", 4) == 0)
		return KIND_COMPRESSED;
	if (n >= 4 && (memcmp(p, "PK\x03\x04", 4) == 0 || memcmp(p, "PK\x05\x06", 4) == 0 ||
		       memcmp(p, "PK\x07\x08", 4) == 0))
		return KIND_ARCHIVE;
	if (n >= 6 && memcmp(p, "7z\xBC\xAF\x27\x1C", 6) == 0)
		return KIND_ARCHIVE;
	if (n >= 262 && memcmp(p + 257, "ustar", 5) == 0)
		return KIND_ARCHIVE;
	if (n >= 6 && (memcmp(p, "070707", 6) == 0 || memcmp(p, "070701", 6) == 0 || memcmp(p, "070702", 6) == 0))
		return KIND_ARCHIVE;
	return KIND_LEAF;
}

/* Where a stream sits: its member chain, the innermost archive holding it
 * and its name there. */
struct place {
	const char *member;
	uint64_t archive;
	const char *entry;
};

static void process(struct walk *w, qr_stream *s, const struct place *at, unsigned depth, const char *kinds, bool top);

static const char *entry_type_name(mode_t type)
{
	switch (type) {
	case AE_IFLNK: return "symbolic link";
	case AE_IFCHR: return "character device";
	case AE_IFBLK: return "block device";
	case AE_IFIFO: return "fifo";
	case AE_IFSOCK: return "socket";
	default: return "special file";
	}
}

static void join_kinds(qr_buf *out, const char *kinds, const char *kind)
{
	qr_buf_setf(out, "%s%s%s", kinds ? kinds : "", kinds && *kinds ? "+" : "", kind);
}

/* The container kinds libarchive went through, outermost first, in the
 * short names sources.jsonl uses: "gzip+tar", "zip", "bzip2". */
static void add_kind(qr_buf *out, const char *kind)
{
	qr_buf_addf(out, "%s%s", out->len ? "+" : "", kind);
}

static void archive_kinds(struct archive *a, const char *kinds, bool raw, qr_buf *out)
{
	qr_buf_setf(out, "%s", kinds ? kinds : "");
	for (int i = archive_filter_count(a) - 1; i >= 0; i--)
		if (archive_filter_code(a, i) != ARCHIVE_FILTER_NONE)
			add_kind(out, archive_filter_name(a, i));
	if (raw)
		return;
	const char *format;
	switch (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) {
	case ARCHIVE_FORMAT_ZIP: format = "zip"; break;
	case ARCHIVE_FORMAT_TAR: format = "tar"; break;
	case ARCHIVE_FORMAT_CPIO: format = "cpio"; break;
	case ARCHIVE_FORMAT_7ZIP: format = "7z"; break;
	default: format = archive_format_name(a); break;
	}
	add_kind(out, format);
}

static void process_archive(struct walk *w, qr_stream *s, const struct place *at, unsigned depth, const char *kinds,
			    bool compressed_only, bool top)
{
	const char *member = at->member;
	uint64_t id = 0;
	qr_buf why = QR_BUF_INIT;
	if (qr_libarchive(&why)) {
		note(w, QR_FATAL, member, 0, "%s", why.buf);
		qr_buf_release(&why);
		return;
	}
	struct archive *a = archive_read_new();
	struct arc_src *src = qr_malloc(sizeof(*src));
	struct archive_entry *e;
	qr_buf chain = QR_BUF_INIT, name = QR_BUF_INIT, k = QR_BUF_INIT;
	uint64_t entries = 0;

	src->s = s;
	archive_read_support_filter_all(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_7zip(a);
	if (compressed_only)
		archive_read_support_format_raw(a);
	archive_read_set_callback_data(a, src);
	archive_read_set_read_callback(a, arc_read);
	archive_read_set_skip_callback(a, arc_skip);
	if (top && s->seek)
		archive_read_set_seek_callback(a, arc_seek);
	if (archive_read_open1(a) != ARCHIVE_OK) {
		note(w, QR_FATAL, member, 0, "cannot open as an archive: %s",
		     archive_error_string(a) ? archive_error_string(a) : "unknown error");
		goto out;
	}
	for (;;) {
		int r = archive_read_next_header(a, &e);
		for (int tries = 0; r == ARCHIVE_RETRY && tries < 3; tries++)
			r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		const char *err = archive_error_string(a);
		if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY) {
			note(w, QR_FATAL, member, 0, "archive is damaged: %s", err ? err : "unknown error");
			break;
		}
		if (r == ARCHIVE_FAILED) {
			note(w, QR_FAILED, member, 0, "entry skipped: %s", err ? err : "unknown error");
			continue;
		}
		if (r == ARCHIVE_WARN && err)
			note(w, QR_WARN, member, 0, "%s", err);
		if (++entries > w->lim->max_entries) {
			note(w, QR_FATAL, member, 0, "archive has more than %llu entries (limit max_entries)",
			     (unsigned long long)w->lim->max_entries);
			break;
		}
		qr_stream *ms = qr_calloc(1, sizeof(*ms));
		struct member m = { a };
		qr_buf_init(&ms->err);
		qr_buf_init(&ms->peeked);
		ms->ctx = &m;
		ms->read = member_read;
		if (archive_format(a) == ARCHIVE_FORMAT_RAW) {
			/* A compressed single file: same member, one layer deeper. */
			archive_kinds(a, kinds, true, &k);
			process(w, ms, at, depth + 1, k.buf, false);
			ms->ctx = NULL;
			qr_stream_free(ms);
			continue;
		}
		if (!id) {
			id = ++w->archives;
			if (w->cb->archive)
				w->cb->archive(w->cb->ctx, true, id, member);
		}
		const char *path = archive_entry_pathname(e);
		qr_buf_reset(&name);
		qr_buf_adds(&name, path ? path : "(unnamed entry)");
		qr_buf_setf(&chain, "%s%s%s", member ? member : "", member ? "!" : "", name.buf);
		mode_t type = archive_entry_filetype(e);
		if (archive_entry_hardlink(e)) {
			note(w, QR_WARN, chain.buf, 0, "hard link entry skipped");
		} else if (type == AE_IFDIR) {
			/* nothing to read */
		} else if (type != AE_IFREG) {
			note(w, QR_WARN, chain.buf, 0, "%s entry skipped", entry_type_name(type));
		} else if (archive_entry_is_encrypted(e)) {
			note(w, QR_FAILED, chain.buf, 0, "encrypted entry skipped");
		} else {
			archive_kinds(a, kinds, false, &k);
			struct place in = { chain.buf, id, name.buf };
			process(w, ms, &in, depth + 1, k.buf, false);
		}
		ms->ctx = NULL;
		qr_stream_free(ms);
		/* Past a cap on the whole input, the other members would only
		 * trip it again. */
		if (w->stop || w->capped)
			break;
	}
out:
	if (id && w->cb->archive)
		w->cb->archive(w->cb->ctx, false, id, member);
	archive_read_free(a);
	free(src);
	qr_buf_release(&chain);
	qr_buf_release(&name);
	qr_buf_release(&k);
}

static void process(struct walk *w, qr_stream *s, const struct place *at, unsigned depth, const char *kinds, bool top)
{
	const char *member = at->member;
	const char *head;
	if (w->stop || w->capped)
		return;
	if (depth > w->lim->max_depth) {
		note(w, QR_FAILED, member, 0, "nested more than %u levels deep (limit max_depth)", w->lim->max_depth);
		return;
	}
	ssize_t n = qr_stream_peek(s, PEEK, &head);
	if (n < 0) {
		note(w, QR_FATAL, member, 0, "cannot read: %s", s->err.buf);
		return;
	}
	if (n == 0) {
		note(w, QR_WARN, member, 0, "empty %s", member ? "member" : "input");
		return;
	}
	enum kind kind = sniff((const unsigned char *)head, (size_t)n);
	qr_buf k = QR_BUF_INIT;
	switch (kind) {
	case KIND_ZSTD: {
		qr_stream *z = qr_stream_zstd(s, false, 31);
		join_kinds(&k, kinds, "zstd");
		process(w, z, at, depth + 1, k.buf, false);
		qr_stream_free(z);
		break;
	}
	case KIND_COMPRESSED:
	case KIND_ARCHIVE:
		process_archive(w, s, at, depth, kinds, kind == KIND_COMPRESSED, top);
		break;
	case KIND_LEAF: {
		qr_stream *g = guard_new(s, w);
		qr_leaf leaf = { .s = g, .path = w->path, .member = member, .depth = depth,
				 .container = kinds && *kinds ? kinds : "plain", .archive = at->archive, .entry = at->entry };
		int st = w->cb->leaf(w->cb->ctx, &leaf);
		if (st)
			w->stop = st;
		guard_free(g);
		break;
	}
	}
	qr_buf_release(&k);
}

int qr_container_walk(const char *path, qr_stream *top, const qr_limits *lim, uint64_t (*raw_read)(void *),
		      void *raw_ctx, const qr_container_cb *cb)
{
	struct walk w = { path, lim, cb, raw_read, raw_ctx, 0, false, false, 0, 0 };
	struct place at = { NULL, 0, NULL };
	process(&w, top, &at, 0, "", true);
	if (w.stop)
		return w.stop;
	return w.incomplete ? QR_BAD_INPUT : 0;
}
