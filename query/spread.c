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

static const char *prefix_of(qr_spread_by by)
{
	switch (by) {
	case QR_SPREAD_REPOSTED: return QR_P_REPOST_OF;
	case QR_SPREAD_QUOTED: return QR_P_QUOTE_OF;
	case QR_SPREAD_FILE: return QR_P_FILE;
	case QR_SPREAD_URL: return QR_P_URL;
	}
	return QR_P_URL;
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

static bool same_term(qr_buf *scratch, const char *prefix, const char *value, const char *term, size_t tlen)
{
	qr_buf_reset(scratch);
	qr_term(scratch, prefix, value, false);
	return scratch->len == tlen && memcmp(scratch->buf, term, tlen) == 0;
}

/* What the earliest post says of the row's value: the file's media entry,
 * and the value itself when its term was too long to hold it (a hash). */
static void from_first(qr_spread_by by, qr_spread_row *r, const char *term, size_t tlen)
{
	const qr_post *p = &r->first;
	qr_buf t = QR_BUF_INIT, id = QR_BUF_INIT;
	const char *whole = NULL;
	if (by == QR_SPREAD_REPOSTED)
		whole = p->repost_of;
	else if (by == QR_SPREAD_QUOTED)
		whole = p->quote_of;
	for (size_t i = 0; by == QR_SPREAD_URL && !whole && i < p->urls.n; i++)
		if (same_term(&t, QR_P_URL, p->urls.v[i], term, tlen))
			whole = p->urls.v[i];
	for (size_t i = 0; by == QR_SPREAD_FILE && !r->media && i < p->nmedia; i++) {
		qr_media_file_id(&id, &p->media[i]);
		if (same_term(&t, QR_P_FILE, id.buf, term, tlen)) {
			r->media = &p->media[i];
			whole = id.buf;
		}
	}
	if (whole && qr_starts_with(r->value, "#sha256:")) {
		free(r->value);
		r->value = qr_strdup(whole);
	}
	qr_buf_release(&t);
	qr_buf_release(&id);
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

static int fill_row(qr_corpus *c, xc_spy *spy, qr_spread_by by, const char *term, size_t tlen, qr_spread_row *r,
		    qr_buf *err)
{
	xc_db *db = qr_corpus_db(c);
	xc_docid first = 0;
	xc_status x;
	int st;
	if ((x = xc_spy_distinct(spy, term, tlen, &r->authors)) != XC_OK ||
	    (x = xc_spy_first(spy, term, tlen, &first)) != XC_OK)
		return qr_agg_fail(x, "count", xc_spy_error(spy), err);
	if ((st = load(db, first, &r->first, err)))
		return st;
	r->has_first = true;
	from_first(by, r, term, tlen);
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
	const char *prefix = prefix_of(by);
	size_t plen = strlen(prefix), alloc = 0;
	int st = 0;
	xc_status x;

	qr_spread_clear(out);
	out->by = by;
	/* The earliest post of each row: by time, then by id, the same on
	 * every copy of the corpus. */
	if ((x = xc_keymaker_create(db, &oldest)) != XC_OK || (x = xc_keymaker_add_value(oldest, QR_SLOT_TIME, 0)) != XC_OK ||
	    (x = xc_keymaker_add_value(oldest, QR_SLOT_ID, 0)) != XC_OK ||
	    (x = xc_spy_term_stats(prefix, QR_SLOT_AUTHOR, oldest, &spy)) != XC_OK) {
		st = qr_agg_fail(x, "count", xc_db_error(db), err);
		goto done;
	}
	if ((st = qr_agg_run_spy(db, q, spy, err)))
		goto done;
	out->total = xc_spy_total(spy);
	out->carrying = xc_spy_total_with_term(spy);
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
		r->value = qr_strndup(t + plen, len - plen);
		r->posts = freq;
		st = fill_row(c, spy, by, t, len, r, err);
	}
	if (!st && (by == QR_SPREAD_REPOSTED || by == QR_SPREAD_QUOTED))
		st = count_unnamed(db, q, out, err);
done:
	xc_termiter_destroy(it);
	xc_spy_destroy(spy);
	xc_keymaker_destroy(oldest);
	return st;
}
