#include "spread.h"

#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "schema.h"
#include "status.h"
#include "text.h"

bool qr_spread_by_named(const char *name, qr_spread_by *by)
{
	static const struct {
		const char *name;
		qr_spread_by by;
	} names[] = { { "reposted", QR_SPREAD_REPOSTED },
		      { "quoted", QR_SPREAD_QUOTED },
		      { "file", QR_SPREAD_FILE },
		      { "url", QR_SPREAD_URL } };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0) {
			*by = names[i].by;
			return true;
		}
	return false;
}

static xc_valueno slot_of(qr_spread_by by)
{
	switch (by) {
	case QR_SPREAD_REPOSTED: return QR_SLOT_REPOST_OF;
	case QR_SPREAD_QUOTED: return QR_SLOT_QUOTE_OF;
	case QR_SPREAD_FILE: return QR_SLOT_FILES;
	case QR_SPREAD_URL: return QR_SLOT_URLS;
	}
	return QR_SLOT_URLS;
}

void qr_spread_clear(qr_spread *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].value);
		qr_post_clear(&s->v[i].first);
		qr_post_clear(&s->v[i].original);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Read a post by docid; QR_END when the database changed meanwhile. */
static int load(xc_db *db, xc_docid docid, qr_post *p, qr_buf *err)
{
	xc_doc *doc = NULL;
	char *data = NULL;
	size_t len = 0;
	qr_buf why = QR_BUF_INIT;
	int st = 0;
	xc_status x = xc_db_get_document(db, docid, &doc);
	if (x == XC_OK)
		x = xc_doc_get_data(doc, &data, &len);
	if (x != XC_OK)
		st = qr_agg_fail(x, "read a post", doc ? xc_doc_error(doc) : xc_db_error(db), err);
	else if (qr_post_from_json(p, data, len, &why)) {
		qr_buf_setf(err, "document %u holds no valid post: %s", docid, why.buf);
		st = QR_DAMAGED;
	}
	free(data);
	xc_doc_destroy(doc);
	qr_buf_release(&why);
	return st;
}

/* The file's entry among the first post's media. */
static const qr_media *file_in(const qr_post *p, const char *file)
{
	qr_buf id = QR_BUF_INIT;
	const qr_media *m = NULL;
	for (size_t i = 0; !m && i < p->nmedia; i++) {
		qr_media_file_id(&id, &p->media[i]);
		if (strcmp(id.buf, file) == 0)
			m = &p->media[i];
	}
	qr_buf_release(&id);
	return m;
}

/* Reposts (or quotes) among the matches that name no post: a Twitter
 * archive keeps a retweet's text alone, without the id of what it
 * retweeted. */
static int count_unnamed(xc_db *db, const xc_query *q, qr_spread *out, qr_buf *err)
{
	const char *kind = out->by == QR_SPREAD_REPOSTED ? "repost" : "quote";
	qr_buf t = QR_BUF_INIT;
	uint32_t n = 0;
	qr_term(&t, QR_P_KIND, kind, false);
	const char *terms[] = { t.buf };
	xc_query *kq = qr_query_with_terms(q, XC_OP_AND, terms, 1);
	int st = kq ? qr_agg_count(db, kq, &n, err) : QR_NOMEM;
	if (!st)
		out->unnamed = n > out->carrying ? n - out->carrying : 0;
	xc_query_destroy(kq);
	qr_buf_release(&t);
	return st;
}

static int fill_row(qr_corpus *c, xc_spy *spy, qr_spread_by by, qr_spread_row *r, qr_buf *err)
{
	xc_db *db = qr_corpus_db(c);
	xc_docid first = 0;
	xc_status x;
	int st;
	size_t len = strlen(r->value);
	const char *key;
	size_t klen;
	if ((x = xc_spy_distinct(spy, r->value, len, &r->authors)) != XC_OK ||
	    (x = xc_spy_first_key(spy, r->value, len, &key, &klen)) != XC_OK)
		return qr_agg_fail(x, "count", xc_spy_error(spy), err);
	/* The key is the first post's QR_SLOT_TIME_ORDER: a byte 0 (no time)
	 * or 1 and 8 bytes of time, then its id.  The post is found by its
	 * id: over several shards the spy sees each shard's own document
	 * numbers, not the federation's. */
	qr_buf fid = QR_BUF_INIT;
	if (!qr_time_order_id(key, klen, &fid)) {
		qr_buf_setf(err, "cannot count: the first post of '%s' has no time order value (slot %d): "
				 "rebuild the index with quire check --repair", r->value, QR_SLOT_TIME_ORDER);
		qr_buf_release(&fid);
		return QR_DAMAGED;
	}
	int fst = qr_corpus_find(c, fid.buf, &first);
	if (fst) {
		qr_buf_setf(err, "cannot read the first post of '%s' (%s): %s", r->value, fid.buf, qr_corpus_error(c));
		qr_buf_release(&fid);
		return fst == QR_NOT_FOUND ? QR_END : fst;
	}
	qr_buf_release(&fid);
	if ((st = load(db, first, &r->first, err)))
		return st;
	r->has_first = true;
	if (by == QR_SPREAD_FILE)
		r->media = file_in(&r->first, r->value);
	if (by != QR_SPREAD_REPOSTED && by != QR_SPREAD_QUOTED)
		return 0;
	qr_buf id = QR_BUF_INIT;
	xc_docid docid = 0;
	qr_term(&id, QR_P_ID, r->value, false);
	x = xc_db_find_term(db, id.buf, id.len, &docid);
	qr_buf_release(&id);
	if (x == XC_NOT_FOUND)
		return 0;
	if (x != XC_OK)
		return qr_agg_fail(x, "look up a post", xc_db_error(db), err);
	if ((st = load(db, docid, &r->original, err)))
		return st;
	r->has_original = true;
	return 0;
}

int qr_spread_count(qr_corpus *c, const xc_query *q, qr_spread_by by, uint32_t top, qr_spread *out, qr_buf *err)
{
	xc_db *db = qr_corpus_db(c);
	xc_keymaker *oldest = NULL;
	xc_spy *spy = NULL;
	xc_termiter *it = NULL;
	size_t alloc = 0;
	/* Lists (files, links) hold several items; a post reposts one. */
	int sep = by == QR_SPREAD_FILE || by == QR_SPREAD_URL ? (unsigned char)QR_LIST_SEP : -1;
	int st = 0;
	xc_status x;

	qr_spread_clear(out);
	out->by = by;
	if (qr_corpus_remote(c)) {
		qr_buf_setf(err, "what spread is counted by a match spy of quire's own, which Xapian's remote servers "
				 "cannot run: count it on each shard, on a federation of shards on this machine, or on "
				 "one corpus (quire shards merge)");
		return QR_USAGE;
	}
	/* The earliest post of each row: by time, then by id (the value of
	 * QR_SLOT_TIME_ORDER), the same on every copy of the corpus. */
	if ((x = xc_keymaker_create(db, &oldest)) != XC_OK ||
	    (x = xc_keymaker_add_value(oldest, QR_SLOT_TIME_ORDER, 0)) != XC_OK ||
	    (x = xc_spy_value_stats(slot_of(by), sep, QR_SLOT_AUTHOR, oldest, &spy)) != XC_OK) {
		st = qr_agg_fail(x, "count", xc_db_error(db), err);
		goto done;
	}
	if ((st = qr_agg_run_spy(db, q, spy, err)))
		goto done;
	out->total = xc_spy_total(spy);
	out->carrying = xc_spy_total_with(spy);
	if ((x = xc_spy_top(spy, 0, &it)) != XC_OK) {
		st = qr_agg_fail(x, "count", xc_spy_error(spy), err);
		goto done;
	}
	const char *t;
	size_t len;
	uint32_t freq;
	while (!st && xc_termiter_next(it, &t, &len, &freq) == XC_OK) {
		out->distinct++;
		if (top && out->n >= top)
			continue;
		out->v = qr_grow_array(out->v, sizeof(*out->v), out->n + 1, &alloc);
		qr_spread_row *r = &out->v[out->n++];
		memset(r, 0, sizeof(*r));
		qr_post_init(&r->first);
		qr_post_init(&r->original);
		/* Items hold no NUL: the separator, or a C string's end. */
		r->value = qr_strndup(t, len);
		r->posts = freq;
		st = fill_row(c, spy, by, r, err);
	}
	if (!st && (by == QR_SPREAD_REPOSTED || by == QR_SPREAD_QUOTED))
		st = count_unnamed(db, q, out, err);
done:
	xc_termiter_destroy(it);
	xc_spy_destroy(spy);
	xc_keymaker_destroy(oldest);
	return st;
}
