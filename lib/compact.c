#include "compact.h"

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "io.h"
#include "json.h"
#include "post.h"
#include "progress.h"
#include "schema.h"
#include "status.h"
#include "store.h"

#include <zstd.h>

#define META_NEW "quire.compact.new"
#define META_OLD "quire.compact.old"
#define META_CONTEXT "quire.context."
#define NO_STR SIZE_MAX
#define MAX_SAMPLE (128u << 10)

static const char *const stream_names[QR_STREAM_COUNT] = { "records", "media" };
static const char *const tail_keys[QR_STREAM_COUNT] = { "quire.store.tail.records", "quire.store.tail.media" };

void qr_compact_opts_default(qr_compact_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->block_size = 1u << 20;
	o->level = 19;
	o->dict_size = 1u << 20;
	o->dict_sample = 32u << 20;
	o->window = 256u << 20;
}

/* Tests stop the process at a step of the protocol
 * (QUIRE_COMPACT_CRASH=<step>) to check that a crash there leaves a
 * consistent corpus.  Only for tests. */
static void crash_point(const char *step)
{
	const char *want = getenv("QUIRE_COMPACT_CRASH");
	if (want && strcmp(want, step) == 0)
		_exit(99);
}

/* A record of the window being regrouped: its bytes and header fields
 * (strings as offsets into the window's string arena), where it was and
 * where it went. */
struct wrec {
	size_t data;
	uint32_t len;
	qr_record_meta meta;    /* its string pointers unset: see str[] */
	size_t str[4];          /* format, path, member, ids */
	qr_locator old, to;
	uint64_t key;
	size_t rank;
};

struct job {
	qr_corpus *c;
	xc_db *db;
	qr_store *in;
	qr_store *out[QR_STREAM_COUNT];
	const qr_compact_opts *o;
	qr_compact_stats *st;
	qr_buf *err;
	uint32_t old_first[QR_STREAM_COUNT], old_last[QR_STREAM_COUNT];  /* 0: nothing to compact */
	uint32_t new_first[QR_STREAM_COUNT];
	bool in_txn;
	qr_buf dict;            /* the new dictionary */
	uint32_t dict_id;
	bool dict_created;      /* its file is this compaction's */
	/* records counted and sampled for the dictionary */
	uint64_t records, record_bytes, stride, seen, want;
	qr_buf samples;
	size_t *sizes;
	size_t nsamples, sizes_alloc;
	/* progress, in content bytes */
	uint64_t total_bytes, done_bytes;
	qr_progress progress;
	/* what was written, in order: sha256 of the records' sha256s */
	qr_sha256_ctx *written[QR_STREAM_COUNT];
	uint64_t nwritten[QR_STREAM_COUNT];
	/* the window */
	qr_buf arena, strings;
	struct wrec *w;
	size_t nw, walloc, wbytes;
	/* sources with an archive context: their records keep their place */
	struct {
		uint32_t source;
		bool has;
	} *ctx;
	size_t nctx, ctx_alloc;
	qr_buf term;
};

static int jerr(struct job *j, int st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int jerr(struct job *j, int st, const char *fmt, ...)
{
	va_list ap;
	qr_buf_reset(j->err);
	va_start(ap, fmt);
	qr_buf_vaddf(j->err, fmt, ap);
	va_end(ap);
	return st;
}

static int set_meta(xc_db *db, const char *key, const char *value, qr_buf *err)
{
	if (xc_db_set_metadata(db, key, value, strlen(value)) != XC_OK) {
		qr_buf_setf(err, "cannot write the index metadata: %s", xc_db_error(db));
		return QR_INTERNAL;
	}
	return 0;
}

/* Commit outside a transaction (the intent, and the end). */
static int commit(xc_db *db, qr_buf *err)
{
	int e = qr_io_fault(QR_IO_COMMIT);
	if (e) {
		qr_buf_setf(err, "cannot commit the index: %s", strerror(e));
		return QR_IO;
	}
	if (xc_db_commit(db) != XC_OK) {
		qr_buf_setf(err, "cannot commit the index: %s", xc_db_error(db));
		return QR_IO;
	}
	return 0;
}

/* ---- planning ---- */

static bool segment_exists(qr_store *s, int stream, uint32_t seg)
{
	qr_buf path = QR_BUF_INIT;
	struct stat sb;
	qr_store_segment_path(s, stream, seg, &path);
	bool yes = stat(path.buf, &sb) == 0;
	qr_buf_release(&path);
	return yes;
}

/* The first block of a segment says whether compaction wrote it.  A
 * number with no segment (one a compaction replaced) counts as one. */
static bool compacted(qr_store *s, int stream, uint32_t seg)
{
	qr_block b;
	if (!segment_exists(s, stream, seg))
		return true;
	qr_block_init(&b);
	bool yes = qr_store_segment_size(s, stream, seg) > 0 &&
		   qr_store_read_block(s, stream, seg, 0, false, &b) == 0 && (b.flags & QR_BLOCK_COMPACTED);
	qr_block_release(&b);
	return yes;
}

/* The segments to compact: from the first one no compaction wrote to the
 * last.  The index must cover all of them. */
static int plan(struct job *j)
{
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		uint32_t first = qr_store_first_segment(j->in, i), last = qr_store_last_segment(j->in, i);
		qr_store_pos tail;
		int st = qr_corpus_committed_tail(j->c, i, &tail);
		if (st)
			return jerr(j, st, "%s", qr_corpus_error(j->c));
		uint64_t size = last ? qr_store_segment_size(j->in, i, last) : 0;
		if (last && (tail.segment != last || tail.size != size))
			return jerr(j, QR_DAMAGED,
				    "the index covers the %s store to %" PRIu32 ":%" PRIu64 " but the store ends at %" PRIu32
				    ":%" PRIu64,
				    stream_names[i], tail.segment, tail.size, last, size);
		uint32_t from = first;
		while (from && from <= last && compacted(j->in, i, from))
			from++;
		if (!first || from > last)
			continue;
		j->old_first[i] = from;
		j->old_last[i] = last;
		j->new_first[i] = last + 1;
		for (uint32_t seg = from; seg <= last; seg++) {
			if (!segment_exists(j->in, i, seg))
				continue;
			j->st->bytes_in += qr_store_segment_size(j->in, i, seg);
			j->st->segments_in++;
		}
	}
	return j->old_first[QR_STREAM_RECORDS] || j->old_first[QR_STREAM_MEDIA] ? 0 : QR_NOT_FOUND;
}

/* Visit every block of the segments to compact of a stream. */
typedef int (*block_fn)(struct job *j, int stream, qr_block *b);

static int each_block(struct job *j, int stream, bool decompress, block_fn fn)
{
	qr_block b;
	int st = 0;
	qr_block_init(&b);
	for (uint32_t seg = j->old_first[stream]; seg && seg <= j->old_last[stream] && !st; seg++) {
		uint64_t size = qr_store_segment_size(j->in, stream, seg);
		for (uint64_t off = 0; off < size && !st; off = b.end) {
			if ((st = qr_store_read_block(j->in, stream, seg, off, decompress, &b))) {
				jerr(j, st, "%s", qr_store_error(j->in));
				break;
			}
			st = fn(j, stream, &b);
		}
	}
	qr_block_release(&b);
	return st;
}

/* ---- the dictionary, trained on records spread over the segments ---- */

static int count_block(struct job *j, int stream, qr_block *b)
{
	for (uint32_t i = 0; stream == QR_STREAM_RECORDS && i < b->nrecords; i++) {
		if (b->records[i].flags)
			continue;
		j->records++;
		j->record_bytes += b->records[i].length;
	}
	j->total_bytes += b->usize;
	return 0;
}

static int sample_block(struct job *j, int stream, qr_block *b)
{
	(void)stream;
	for (uint32_t i = 0; i < b->nrecords && j->nsamples < j->want; i++) {
		const qr_record_meta *r = &b->records[i];
		if (r->flags || j->seen++ % j->stride)
			continue;
		size_t len = r->length < MAX_SAMPLE ? r->length : MAX_SAMPLE;
		qr_buf_add(&j->samples, b->content.buf + r->offset, len);
		j->sizes = qr_grow_array(j->sizes, sizeof(size_t), j->nsamples + 1, &j->sizes_alloc);
		j->sizes[j->nsamples++] = len;
	}
	return 0;
}

/* Train the dictionary of the new record segments on every stride-th
 * record.  Records that will not train leave the segments without one. */
static int train(struct job *j)
{
	qr_buf why = QR_BUF_INIT, path = QR_BUF_INIT;
	struct stat sb;
	int st;

	if (!j->old_first[QR_STREAM_RECORDS] || !j->o->dict_size || !j->records)
		return 0;
	j->want = j->o->dict_sample / (j->record_bytes / j->records + 1) + 1;
	j->stride = j->records / j->want + 1;
	/* A dictionary is stored once for all the records it serves: past a
	 * sixty-fourth of them it costs more than it saves. */
	size_t size = j->o->dict_size < j->record_bytes / 64 ? j->o->dict_size : (size_t)(j->record_bytes / 64);
	if (!(st = each_block(j, QR_STREAM_RECORDS, true, sample_block)) &&
	    qr_store_train_dictionary(j->samples.buf, j->sizes, j->nsamples, size, &j->dict, &why) == 0) {
		j->dict_id = ZSTD_getDictID_fromDict(j->dict.buf, j->dict.len);
		qr_buf_setf(&path, "%s/dictionary-%" PRIu32, qr_store_dir(j->in), j->dict_id);
		j->dict_created = stat(path.buf, &sb) < 0;
	}
	qr_buf_release(&j->samples);
	qr_buf_release(&why);
	qr_buf_release(&path);
	return st;
}

/* ---- pointing the index at the new places ---- */

static int load_post(struct job *j, xc_docid id, xc_doc **doc, qr_post *p)
{
	char *data = NULL;
	size_t len = 0;
	qr_buf why = QR_BUF_INIT;
	int st = 0;
	*doc = NULL;
	xc_status x = xc_db_get_document(j->db, id, doc);
	if (x == XC_OK)
		x = xc_doc_get_data(*doc, &data, &len);
	if (x != XC_OK)
		st = jerr(j, QR_INTERNAL, "cannot read document %u: %s", id, *doc ? xc_doc_error(*doc) : xc_db_error(j->db));
	else if (qr_post_from_json(p, data, len, &why))
		st = jerr(j, QR_DAMAGED, "document %u holds no valid post: %s", id, why.buf);
	free(data);
	qr_buf_release(&why);
	return st;
}

/* Point what in p names `old` at `to`; the record's sha256 must be the
 * one the post gives for it. */
static bool relink_post(qr_post *p, const char *old, const char *to, const char *sha, bool *mismatch)
{
	bool changed = false;
	if (p->record.locator && strcmp(p->record.locator, old) == 0) {
		*mismatch |= !p->record.sha256 || strcasecmp(p->record.sha256, sha) != 0;
		qr_set(&p->record.locator, to);
		changed = true;
	}
	for (size_t i = 0; i < p->record.versions.n; i++) {
		qr_kv *kv = &p->record.versions.v[i];
		if (kv->value && strcmp(kv->value, old) == 0) {
			*mismatch |= strcasecmp(kv->key, sha) != 0;
			qr_set(&kv->value, to);
			changed = true;
		}
	}
	for (size_t i = 0; i < p->nmedia; i++) {
		qr_media *m = &p->media[i];
		if (m->locator && strcmp(m->locator, old) == 0) {
			*mismatch |= !m->sha256 || strcasecmp(m->sha256, sha) != 0;
			qr_set(&m->locator, to);
			changed = true;
		}
	}
	return changed;
}

static int relink_doc(struct job *j, xc_docid id, const char *old, const char *to, const char *sha)
{
	xc_doc *doc = NULL;
	qr_post p;
	bool mismatch = false;
	qr_post_init(&p);
	int st = load_post(j, id, &doc, &p);
	if (!st && relink_post(&p, old, to, sha, &mismatch)) {
		if (mismatch) {
			st = jerr(j, QR_DAMAGED, "the index gives %s another sha256 than the store's record at %s", p.id, old);
		} else {
			qr_buf data = QR_BUF_INIT;
			qr_jw w;
			qr_jw_init(&w, &data, false);
			qr_post_to_json(&p, &w);
			if (xc_doc_set_data(doc, data.buf, data.len) != XC_OK || xc_db_replace_document(j->db, id, doc) != XC_OK)
				st = jerr(j, QR_INTERNAL, "cannot update document %u: %s", id, xc_db_error(j->db));
			else
				j->st->documents++;
			qr_buf_release(&data);
		}
	}
	qr_post_clear(&p);
	xc_doc_destroy(doc);
	return st;
}

/* Every document (and archive context) that names the record at `old`. */
static int relink(struct job *j, int stream, const qr_record_meta *m, const qr_locator *old, const qr_locator *to)
{
	char from[64], where[64], sha[QR_SHA256_HEX], key[48];
	int st = 0;
	qr_locator_format(old, from);
	qr_locator_format(to, where);
	qr_hex(m->sha256, QR_SHA256_LEN, sha);
	if (m->flags & QR_REC_CONTEXT) {
		char *v = NULL;
		snprintf(key, sizeof(key), META_CONTEXT "%" PRIu32, m->source);
		if (xc_db_get_metadata(j->db, key, &v, NULL) == XC_OK && strcmp(v, from) == 0)
			st = set_meta(j->db, key, where, j->err);
		free(v);
		return st;
	}
	if (stream == QR_STREAM_MEDIA) {
		/* A media file is named by the posts that carry it. */
		xc_postiter *it = NULL;
		xc_docid id;
		qr_buf_reset(&j->term);
		qr_term(&j->term, QR_P_MEDIA_SHA, sha, true);
		if (xc_db_postlist(j->db, j->term.buf, j->term.len, &it) != XC_OK)
			return jerr(j, QR_INTERNAL, "cannot look up media %s: %s", sha, xc_db_error(j->db));
		while (!st && xc_postiter_next(it, &id) == XC_OK)
			st = relink_doc(j, id, from, where, sha);
		xc_postiter_destroy(it);
		return st;
	}
	/* A post record: the posts whose ids it lists (their current record,
	 * or an older version). */
	for (const char *p = m->ids ? m->ids : ""; *p && !st;) {
		size_t n = strcspn(p, " ");
		char *id = qr_strndup(p, n);
		xc_docid docid;
		int f = qr_corpus_find(j->c, id, &docid);
		if (f == 0)
			st = relink_doc(j, docid, from, where, sha);
		else if (f != QR_NOT_FOUND)
			st = jerr(j, f, "%s", qr_corpus_error(j->c));
		free(id);
		p += n;
		p += strspn(p, " ");
	}
	return st;
}

/* ---- regrouping a window of records ---- */

static uint64_t hash_key(const char *s)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

/* Does this source have an archive context (its records must stay after
 * it, and in their order)? */
static bool has_context(struct job *j, uint32_t source)
{
	for (size_t i = 0; i < j->nctx; i++)
		if (j->ctx[i].source == source)
			return j->ctx[i].has;
	char key[48], *v = NULL;
	snprintf(key, sizeof(key), META_CONTEXT "%" PRIu32, source);
	bool has = xc_db_get_metadata(j->db, key, &v, NULL) == XC_OK;
	free(v);
	j->ctx = qr_grow_array(j->ctx, sizeof(*j->ctx), j->nctx + 1, &j->ctx_alloc);
	j->ctx[j->nctx].source = source;
	j->ctx[j->nctx].has = has;
	j->nctx++;
	return has;
}

static const char *wstr(const struct job *j, size_t at)
{
	return at == NO_STR ? NULL : j->strings.buf + at;
}

/*
 * What a record is grouped by.  A record may move when it holds one post
 * whose only record it is (no older versions) and its source has no
 * archive context: its key is the original a repost or quote embeds, else
 * the post itself.  Any other record stays where it is, but a record of a
 * post still anchors that post's group, so that retweets join it.  So the
 * order of versions of a post, and of an archive's records after their
 * context, never changes: the store alone gives back the same corpus.
 */
static int group_key(struct job *j, struct wrec *r, bool *keyed, bool *movable)
{
	const char *ids = wstr(j, r->str[3]);
	xc_docid docid;
	*keyed = *movable = false;
	if (r->meta.flags || !ids || !*ids)
		return 0;
	size_t n = strcspn(ids, " ");
	char *id = qr_strndup(ids, n);
	int st = qr_corpus_find(j->c, id, &docid);
	free(id);
	if (st == QR_NOT_FOUND)
		return 0;
	if (st)
		return jerr(j, st, "%s", qr_corpus_error(j->c));
	xc_doc *doc = NULL;
	qr_post p;
	qr_post_init(&p);
	if ((st = load_post(j, docid, &doc, &p)) == 0 && p.id) {
		char old[64];
		qr_locator_format(&r->old, old);
		*keyed = true;
		*movable = !ids[n] && p.record.locator && strcmp(p.record.locator, old) == 0 && !p.record.versions.n &&
			   !has_context(j, r->meta.source);
		const char *k = *movable && p.repost_of ? p.repost_of : *movable && p.quote_of ? p.quote_of : p.id;
		r->key = hash_key(k);
	}
	qr_post_clear(&p);
	xc_doc_destroy(doc);
	return st;
}

struct order {
	uint64_t key;
	size_t i;
};

static int cmp_order(const void *a, const void *b)
{
	const struct order *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* The order to write the window in: groups in the order of their first
 * record, each group's records in their own order. */
static int window_order(struct job *j, size_t *order)
{
	struct order *o = qr_malloc((j->nw ? j->nw : 1) * sizeof(*o));
	bool *movable = qr_calloc(j->nw ? j->nw : 1, sizeof(bool));
	size_t n = 0;
	int st = 0;
	for (size_t i = 0; i < j->nw && !st; i++) {
		bool keyed;
		j->w[i].rank = i;
		if (!(st = group_key(j, &j->w[i], &keyed, &movable[i])) && keyed)
			o[n++] = (struct order){ j->w[i].key, i };
	}
	if (!st) {
		qsort(o, n, sizeof(*o), cmp_order);
		for (size_t k = 0; k < n;) {
			size_t e = k;
			while (e < n && o[e].key == o[k].key)
				e++;
			/* o[k] is the group's first record */
			for (size_t x = k + 1; x < e; x++) {
				if (movable[o[x].i]) {
					j->w[o[x].i].rank = o[k].i;
					j->st->grouped++;
				}
			}
			k = e;
		}
		for (size_t i = 0; i < j->nw; i++)
			o[i] = (struct order){ j->w[i].rank, i };
		qsort(o, j->nw, sizeof(*o), cmp_order);
		for (size_t i = 0; i < j->nw; i++)
			order[i] = o[i].i;
	}
	free(o);
	free(movable);
	return st;
}

/* The window's record i with its string pointers set. */
static qr_record_meta wmeta(const struct job *j, const struct wrec *r)
{
	qr_record_meta m = r->meta;
	m.format = wstr(j, r->str[0]);
	m.path = wstr(j, r->str[1]);
	m.member = wstr(j, r->str[2]);
	m.ids = wstr(j, r->str[3]);
	return m;
}

/* Write one record to the new segments; remember it for the check. */
static int put(struct job *j, int stream, const char *data, const qr_record_meta *m, qr_locator *to)
{
	if (qr_store_append(j->out[stream], stream, data, m->length, m, to))
		return jerr(j, QR_IO, "%s", qr_store_error(j->out[stream]));
	if (!j->nwritten[stream] && to->segment != j->new_first[stream])
		return jerr(j, QR_INTERNAL, "compaction output went to segment %" PRIu32 ", not %" PRIu32, to->segment,
			    j->new_first[stream]);
	qr_sha256_update(j->written[stream], m->sha256, QR_SHA256_LEN);
	j->nwritten[stream]++;
	return 0;
}

static int flush_window(struct job *j, int stream)
{
	size_t *order = qr_malloc((j->nw ? j->nw : 1) * sizeof(size_t));
	int st = j->o->window && stream == QR_STREAM_RECORDS ? window_order(j, order) : 0;
	if (!(j->o->window && stream == QR_STREAM_RECORDS))
		for (size_t i = 0; i < j->nw; i++)
			order[i] = i;
	for (size_t k = 0; k < j->nw && !st; k++) {
		struct wrec *r = &j->w[order[k]];
		qr_record_meta m = wmeta(j, r);
		st = put(j, stream, j->arena.buf + r->data, &m, &r->to);
	}
	for (size_t i = 0; i < j->nw && !st; i++) {
		qr_record_meta m = wmeta(j, &j->w[i]);
		st = relink(j, stream, &m, &j->w[i].old, &j->w[i].to);
	}
	free(order);
	j->nw = j->wbytes = 0;
	qr_buf_reset(&j->arena);
	qr_buf_reset(&j->strings);
	crash_point("written");
	return st;
}

static size_t keep_str(struct job *j, const char *s)
{
	if (!s)
		return NO_STR;
	size_t at = j->strings.len;
	qr_buf_adds(&j->strings, s);
	qr_buf_addch(&j->strings, '\0');
	return at;
}

/* Every record of an old block, checked against its sha256, into the
 * window (the window is written when full). */
static int take_block(struct job *j, int stream, qr_block *b)
{
	uint8_t sha[QR_SHA256_LEN];
	int st = 0;
	for (uint32_t i = 0; i < b->nrecords && !st; i++) {
		const qr_record_meta *m = &b->records[i];
		qr_sha256(b->content.buf + m->offset, m->length, sha);
		if (memcmp(sha, m->sha256, QR_SHA256_LEN) != 0) {
			char where[64];
			qr_locator loc = { b->stream, b->segment, b->offset, i };
			qr_locator_format(&loc, where);
			return jerr(j, QR_DAMAGED, "record %s does not match its sha256: nothing was changed", where);
		}
		j->w = qr_grow_array(j->w, sizeof(*j->w), j->nw + 1, &j->walloc);
		struct wrec *r = &j->w[j->nw++];
		memset(r, 0, sizeof(*r));
		r->data = j->arena.len;
		r->len = m->length;
		r->meta = *m;
		r->str[0] = keep_str(j, m->format);
		r->str[1] = keep_str(j, m->path);
		r->str[2] = keep_str(j, m->member);
		r->str[3] = keep_str(j, m->ids);
		r->old = (qr_locator){ b->stream, b->segment, b->offset, i };
		qr_buf_add(&j->arena, b->content.buf + m->offset, m->length);
		j->wbytes += m->length + 1;
		j->st->record_bytes += m->length;
		if (stream == QR_STREAM_MEDIA)
			j->st->media++;
		else
			j->st->records++;
		bool full = stream == QR_STREAM_MEDIA || !j->o->window || j->wbytes >= j->o->window;
		if (full)
			st = flush_window(j, stream);
	}
	j->done_bytes += b->usize;
	qr_progress_update(&j->progress, j->st->records + j->st->media, j->done_bytes);
	return st;
}

/* ---- checking what was written ---- */

static int check_block(struct job *j, int stream, qr_block *b, qr_sha256_ctx *seq, uint64_t *n)
{
	uint8_t sha[QR_SHA256_LEN];
	for (uint32_t i = 0; i < b->nrecords; i++) {
		const qr_record_meta *m = &b->records[i];
		qr_sha256(b->content.buf + m->offset, m->length, sha);
		if (memcmp(sha, m->sha256, QR_SHA256_LEN) != 0)
			return jerr(j, QR_INTERNAL, "a record written to %s segment %" PRIu32 " does not read back: nothing was changed",
				    stream_names[stream], b->segment);
		qr_sha256_update(seq, sha, QR_SHA256_LEN);
		(*n)++;
	}
	return 0;
}

/* Read every new segment back: every record must match its sha256, and
 * the records must be the ones written, in the order written. */
static int check_output(struct job *j, int stream)
{
	qr_sha256_ctx *seq = qr_sha256_new();
	uint8_t want[QR_SHA256_LEN], got[QR_SHA256_LEN];
	uint32_t last = qr_store_last_segment(j->in, stream);
	uint64_t n = 0;
	qr_block b;
	int st = 0;
	qr_block_init(&b);
	for (uint32_t seg = j->new_first[stream]; seg <= last && !st; seg++) {
		uint64_t size = qr_store_segment_size(j->in, stream, seg);
		j->st->segments_out++;
		j->st->bytes_out += size;
		for (uint64_t off = 0; off < size && !st; off = b.end) {
			if ((st = qr_store_read_block(j->in, stream, seg, off, true, &b)))
				jerr(j, QR_INTERNAL, "a block written does not read back (%s): nothing was changed",
				     qr_store_error(j->in));
			else
				st = check_block(j, stream, &b, seq, &n);
		}
	}
	qr_sha256_final(seq, got);
	qr_sha256_final(j->written[stream], want);
	if (!st && (n != j->nwritten[stream] || memcmp(got, want, QR_SHA256_LEN) != 0))
		st = jerr(j, QR_INTERNAL, "the new %s segments do not hold the records written: nothing was changed",
			  stream_names[stream]);
	qr_sha256_free(seq);
	qr_block_release(&b);
	return st;
}

/* Does a locator name a segment this compaction replaces? */
static bool names_old(const struct job *j, const char *where)
{
	qr_locator loc;
	return where && qr_locator_parse(where, &loc) && loc.stream < QR_STREAM_COUNT && j->old_first[loc.stream] &&
	       loc.segment >= j->old_first[loc.stream] && loc.segment <= j->old_last[loc.stream];
}

/* The safety net before the switch: no document may still name a segment
 * about to go (a record whose header did not list the post, say). */
static int check_documents(struct job *j)
{
	xc_docid last = 0;
	int st = 0;
	if (xc_db_lastdocid(j->db, &last) != XC_OK)
		return jerr(j, QR_INTERNAL, "cannot read the index: %s", xc_db_error(j->db));
	for (xc_docid id = 1; id <= last && !st; id++) {
		xc_doc *doc = NULL;
		char *data = NULL;
		size_t len = 0;
		qr_buf why = QR_BUF_INIT;
		qr_post p;
		qr_post_init(&p);
		xc_status x = xc_db_get_document(j->db, id, &doc);
		if (x == XC_OK)
			x = xc_doc_get_data(doc, &data, &len);
		if (x != XC_OK && x != XC_NOT_FOUND) /* not found: a number no document has now */
			st = jerr(j, QR_INTERNAL, "cannot read document %u: %s", id, xc_db_error(j->db));
		else if (x == XC_OK && qr_post_from_json(&p, data, len, &why))
			st = jerr(j, QR_DAMAGED, "document %u holds no valid post: %s", id, why.buf);
		free(data);
		qr_buf_release(&why);
		if (!st && x == XC_OK) {
			const char *bad = names_old(j, p.record.locator) ? p.record.locator : NULL;
			for (size_t i = 0; !bad && i < p.record.versions.n; i++)
				if (names_old(j, p.record.versions.v[i].value))
					bad = p.record.versions.v[i].value;
			for (size_t i = 0; !bad && i < p.nmedia; i++)
				if (names_old(j, p.media[i].locator))
					bad = p.media[i].locator;
			if (bad)
				st = jerr(j, QR_DAMAGED, "%s still names %s after its record was moved: nothing was changed",
					  p.id ? p.id : "a post", bad);
		}
		qr_post_clear(&p);
		xc_doc_destroy(doc);
	}
	return st;
}

/* ---- the protocol ---- */

static void span_list(const struct job *j, const uint32_t *first, const uint32_t *last, qr_buf *out)
{
	qr_buf_reset(out);
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		if (!first[i])
			continue;
		qr_buf_addf(out, "%s%s:%" PRIu32, out->len ? " " : "", stream_names[i], first[i]);
		if (last)
			qr_buf_addf(out, "-%" PRIu32, last[i]);
	}
	if (!last && j->dict_created)
		qr_buf_addf(out, " dictionary:%" PRIu32, j->dict_id);
}

static int open_writers(struct job *j)
{
	const qr_store_options *co = qr_corpus_store_options(j->c);
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		if (!j->old_first[i])
			continue;
		qr_store_options o;
		qr_store_options_default(&o);
		o.block_size = j->o->block_size;
		/* Media files are compressed formats already: a high level only
		 * costs time. */
		o.level = i == QR_STREAM_MEDIA && j->o->level > 3 ? 3 : j->o->level;
		o.min_match = 0;
		o.segment_size = co->segment_size;
		o.block_flags = QR_BLOCK_COMPACTED;
		o.new_segment = true;
		/* Compaction's blocks use its own dictionary, or none: never
		 * store/dictionary, which ingest trained. */
		o.dict_explicit = true;
		if (qr_store_open(qr_store_dir(j->in), true, &o, &j->out[i], j->err))
			return QR_IO;
		j->written[i] = qr_sha256_new();
	}
	if (j->dict.len && j->out[QR_STREAM_RECORDS] &&
	    qr_store_use_dictionary(j->out[QR_STREAM_RECORDS], j->dict.buf, j->dict.len, NULL))
		return jerr(j, QR_IO, "%s", qr_store_error(j->out[QR_STREAM_RECORDS]));
	j->st->dict_id = j->dict.len ? j->dict_id : 0;
	j->st->dict_bytes = j->dict.len;
	return 0;
}

/* Remove segments first..last of a stream that exist, then sync the
 * directory. */
static int remove_segments(qr_store *s, int stream, uint32_t first, uint32_t last, uint32_t *removed, qr_buf *err,
			   const char *crash)
{
	int st = 0;
	for (uint32_t seg = first; seg && seg <= last && !st; seg++) {
		st = qr_store_remove_segment(s, stream, seg);
		if (st == QR_NOT_FOUND) {
			st = 0;
			continue;
		}
		if (st)
			qr_buf_setf(err, "%s", qr_store_error(s));
		else if (removed)
			(*removed)++;
		if (crash)
			crash_point(crash);
	}
	if (!st && (st = qr_store_sync_dir(s, stream)))
		qr_buf_setf(err, "%s", qr_store_error(s));
	return st;
}

/* Remove every store/dictionary-<id> that no block of the store names
 * any more (a compaction's, once the segments it wrote were compacted
 * again).  store/dictionary, ingest's, stays.  Best effort. */
static void drop_unused_dictionaries(qr_store *s)
{
	uint32_t *used = NULL;
	size_t nused = 0, alloc = 0;
	qr_block b;
	qr_block_init(&b);
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		uint32_t first = qr_store_first_segment(s, i), last = qr_store_last_segment(s, i);
		for (uint32_t seg = first; seg && seg <= last; seg++) {
			uint64_t size = qr_store_segment_size(s, i, seg);
			for (uint64_t off = 0; off < size; off = b.end) {
				if (qr_store_read_block(s, i, seg, off, false, &b)) {
					/* an unreadable block: its dictionary is unknown */
					free(used);
					qr_block_release(&b);
					return;
				}
				if (b.dict_id && (!nused || used[nused - 1] != b.dict_id)) {
					used = qr_grow_array(used, sizeof(*used), nused + 1, &alloc);
					used[nused++] = b.dict_id;
				}
			}
		}
	}
	qr_block_release(&b);
	qr_buf path = QR_BUF_INIT;
	DIR *d = opendir(qr_store_dir(s));
	struct dirent *e;
	while (d && (e = readdir(d))) {
		const char *n = e->d_name;
		char *end;
		if (strncmp(n, "dictionary-", 11) != 0 || !isdigit((unsigned char)n[11]))
			continue;
		unsigned long id = strtoul(n + 11, &end, 10);
		if (*end || id > UINT32_MAX)
			continue;
		bool in_use = false;
		for (size_t k = 0; k < nused && !in_use; k++)
			in_use = used[k] == id;
		qr_buf_setf(&path, "%s/%s", qr_store_dir(s), n);
		if (!in_use)
			unlink(path.buf);
	}
	if (d)
		closedir(d);
	qr_buf_release(&path);
	free(used);
}

/* Undo a compaction that failed before the switch: its output goes. */
static void undo(struct job *j)
{
	qr_buf ignored = QR_BUF_INIT;
	if (j->in_txn)
		xc_db_cancel_transaction(j->db);
	j->in_txn = false;
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		qr_store_close(j->out[i]);
		j->out[i] = NULL;
		if (j->old_first[i])
			remove_segments(j->in, i, j->new_first[i], qr_store_last_segment(j->in, i), NULL, &ignored, NULL);
	}
	if (j->dict_created) {
		qr_buf path = QR_BUF_INIT;
		qr_buf_setf(&path, "%s/dictionary-%" PRIu32, qr_store_dir(j->in), j->dict_id);
		unlink(path.buf);
		qr_buf_release(&path);
	}
	if (set_meta(j->db, META_NEW, "", &ignored) == 0)
		commit(j->db, &ignored);
	qr_buf_release(&ignored);
}

/* 3. every record into the new segments, the documents pointed at them
 * inside the open transaction, the new segments synced and read back. */
static int rewrite(struct job *j)
{
	int st = 0;
	if (xc_db_begin_transaction(j->db, 1) != XC_OK)
		return jerr(j, QR_INTERNAL, "cannot start an index transaction: %s", xc_db_error(j->db));
	j->in_txn = true;
	for (int i = 0; i < QR_STREAM_COUNT && !st; i++) {
		if (!j->old_first[i])
			continue;
		if (!(st = each_block(j, i, true, take_block)) && j->nw)
			st = flush_window(j, i);
		if (!st && qr_store_sync(j->out[i]))
			st = jerr(j, QR_IO, "%s", qr_store_error(j->out[i]));
		if (!st)
			st = check_output(j, i);
	}
	qr_progress_clear(&j->progress);
	return st ? st : check_documents(j);
}

/* 4. the switch: one commit makes the index name the new segments only.
 * A failure before the commit leaves the transaction to be cancelled;
 * *committed_unknown says when the commit itself failed. */
static int switch_index(struct job *j, bool *committed_unknown)
{
	qr_buf list = QR_BUF_INIT;
	int st = 0;
	for (int i = 0; i < QR_STREAM_COUNT && !st; i++) {
		char pos[48];
		qr_store_pos tail;
		if (!j->old_first[i])
			continue;
		qr_store_tail(j->out[i], i, &tail);
		qr_store_pos_format(&tail, pos);
		st = set_meta(j->db, tail_keys[i], pos, j->err);
	}
	span_list(j, j->old_first, j->old_last, &list);
	if (!st && !(st = set_meta(j->db, META_OLD, list.buf, j->err)) && !(st = set_meta(j->db, META_NEW, "", j->err))) {
		int e = qr_io_fault(QR_IO_COMMIT);
		if (e) {
			st = jerr(j, QR_IO, "cannot commit the index: %s", strerror(e));
		} else if (xc_db_commit_transaction(j->db) != XC_OK) {
			/* Whether the switch reached the disk is for the index to
			 * say: the next writable open reads quire.compact.new or
			 * .old from what was committed and removes the segments
			 * nobody needs. */
			j->in_txn = false;
			*committed_unknown = true;
			st = jerr(j, QR_IO, "cannot commit the index: %s", xc_db_error(j->db));
		} else {
			j->in_txn = false;
		}
	}
	qr_buf_release(&list);
	return st;
}

static int run(struct job *j)
{
	qr_buf list = QR_BUF_INIT;
	bool unknown = false;
	int st;

	/* 1. intent */
	span_list(j, j->new_first, NULL, &list);
	st = set_meta(j->db, META_NEW, list.buf, j->err);
	qr_buf_release(&list);
	if (st || (st = commit(j->db, j->err)))
		return st;
	crash_point("intent");
	/* 2. the dictionary, 3. the records, 4. the switch */
	if ((st = open_writers(j)))
		goto undo;
	crash_point("dictionary");
	if ((st = rewrite(j)))
		goto undo;
	crash_point("verified");
	if ((st = switch_index(j, &unknown)))
		goto undo;
	crash_point("switch");
	/* 5. the old segments go */
	for (int i = 0; i < QR_STREAM_COUNT && !st; i++)
		if (j->old_first[i])
			st = remove_segments(j->in, i, j->old_first[i], j->old_last[i], NULL, j->err, "removed");
	if (!st && !(st = set_meta(j->db, META_OLD, "", j->err)))
		st = commit(j->db, j->err);
	if (!st)
		drop_unused_dictionaries(j->in);
	/* 6. the index, whose updated documents left their old blocks as
	 * free space, is rewritten compacted when they are many (a crash
	 * before its swap leaves the index as it was, whole). */
	uint32_t docs = 0;
	if (!st && xc_db_doccount(j->db, &docs) != XC_OK)
		st = jerr(j, QR_INTERNAL, "cannot count the documents of the index: %s", xc_db_error(j->db));
	j->db = NULL;
	if (!st && j->st->documents && j->st->documents >= docs / 4) {
		if (qr_corpus_compact_index(j->c, crash_point))
			st = jerr(j, QR_IO, "%s", qr_corpus_error(j->c));
		else
			j->st->index_compacted = true;
	}
	return st;
undo:
	if (!unknown)
		undo(j);
	return st;
}

int qr_compact(qr_corpus *c, const qr_compact_opts *o, qr_compact_stats *stats, qr_buf *err)
{
	struct job j;
	double t0 = qr_now();
	memset(&j, 0, sizeof(j));
	memset(stats, 0, sizeof(*stats));
	j.c = c;
	j.db = qr_corpus_db(c);
	j.in = qr_corpus_store(c);
	j.o = o;
	j.st = stats;
	j.err = err;
	qr_buf_init(&j.dict);
	qr_buf_init(&j.samples);
	qr_buf_init(&j.arena);
	qr_buf_init(&j.strings);
	qr_buf_init(&j.term);

	int st = plan(&j);
	if (st == QR_NOT_FOUND)
		jerr(&j, st, "nothing to compact: every segment of '%s' is compacted", qr_store_dir(j.in));
	for (int i = 0; i < QR_STREAM_COUNT && !st; i++)
		st = each_block(&j, i, false, count_block);
	if (!st && !(st = train(&j))) {
		qr_progress_init(&j.progress, j.total_bytes, "records");
		if (!o->progress)
			j.progress.enabled = false;
		st = run(&j);
	}
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		qr_store_close(j.out[i]);
		qr_sha256_free(j.written[i]);
	}
	qr_buf_release(&j.dict);
	qr_buf_release(&j.samples);
	qr_buf_release(&j.arena);
	qr_buf_release(&j.strings);
	qr_buf_release(&j.term);
	free(j.sizes);
	free(j.w);
	free(j.ctx);
	stats->seconds = qr_now() - t0;
	return st;
}

/* "records:7 media:3 dictionary:123" or "records:1-6" into per-stream
 * first (and last) numbers and the dictionary id. */
static bool parse_spans(const char *v, uint32_t *first, uint32_t *last, uint32_t *dict)
{
	memset(first, 0, sizeof(uint32_t) * QR_STREAM_COUNT);
	memset(last, 0, sizeof(uint32_t) * QR_STREAM_COUNT);
	*dict = 0;
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ":");
		const char *num = p + n + (p[n] == ':');
		char *end;
		unsigned long a = strtoul(num, &end, 10), b = 0;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (!p[n] || end == num || a > UINT32_MAX || b > UINT32_MAX || (*end && *end != ' '))
			return false;
		bool known = false;
		for (int i = 0; i < QR_STREAM_COUNT; i++) {
			if (strlen(stream_names[i]) == n && strncmp(p, stream_names[i], n) == 0) {
				first[i] = (uint32_t)a;
				last[i] = (uint32_t)b;
				known = true;
			}
		}
		if (n == 10 && strncmp(p, "dictionary", 10) == 0) {
			*dict = (uint32_t)a;
			known = true;
		}
		if (!known)
			return false;
		p = end + strspn(end, " ");
	}
	return true;
}

int qr_compact_recover(qr_corpus *c, qr_buf *report, qr_buf *err)
{
	xc_db *db = qr_corpus_db(c);
	qr_store *s = qr_corpus_store(c);
	uint32_t first[QR_STREAM_COUNT], last[QR_STREAM_COUNT], dict;
	char *v = NULL;
	int st = 0;

	/* A compaction stopped before its switch: its output is unreferenced. */
	if (xc_db_get_metadata(db, META_NEW, &v, NULL) == XC_OK && *v) {
		uint32_t removed = 0;
		if (!parse_spans(v, first, last, &dict)) {
			qr_buf_setf(err, "the index records a malformed %s: '%s'", META_NEW, v);
			st = QR_DAMAGED;
		}
		for (int i = 0; i < QR_STREAM_COUNT && !st; i++)
			if (first[i])
				st = remove_segments(s, i, first[i], qr_store_last_segment(s, i), &removed, err, NULL);
		if (!st && dict) {
			qr_buf path = QR_BUF_INIT;
			qr_buf_setf(&path, "%s/dictionary-%" PRIu32, qr_store_dir(s), dict);
			unlink(path.buf);
			qr_buf_release(&path);
		}
		if (!st && !(st = set_meta(db, META_NEW, "", err)) && !(st = commit(db, err)) && report)
			qr_buf_addf(report, "%sremoved %" PRIu32 " segments of a compaction that did not finish",
				    report->len ? "; " : "", removed);
	}
	free(v);
	v = NULL;
	/* A compaction stopped after it: the segments it replaced can go. */
	if (!st && xc_db_get_metadata(db, META_OLD, &v, NULL) == XC_OK && *v) {
		uint32_t removed = 0;
		if (!parse_spans(v, first, last, &dict) || dict) {
			qr_buf_setf(err, "the index records a malformed %s: '%s'", META_OLD, v);
			st = QR_DAMAGED;
		}
		for (int i = 0; i < QR_STREAM_COUNT && !st; i++)
			if (first[i])
				st = remove_segments(s, i, first[i], last[i], &removed, err, NULL);
		if (!st && !(st = set_meta(db, META_OLD, "", err)) && !(st = commit(db, err)) && report)
			qr_buf_addf(report, "%sremoved %" PRIu32 " segments a compaction had replaced",
				    report->len ? "; " : "", removed);
		if (!st)
			drop_unused_dictionaries(s);
	}
	free(v);
	return st;
}
