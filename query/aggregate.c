#include "aggregate.h"

#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "schema.h"
#include "status.h"
#include "table.h"
#include "text.h"

const qr_facet_field qr_facet_fields[] = {
	{ "hashtag", QR_P_HASHTAG, "#", "hashtags" },
	{ "author", QR_P_AUTHOR, "@", "authors" },
	{ "mention", QR_P_MENTION, "@", "mentions" },
	{ "media", QR_P_MEDIA, "", "media" },
	{ "lang", QR_P_LANG, "", "languages" },
	{ "event", QR_P_EVENT, "", "events" },
	{ "tag", QR_P_TAG, "", "codes" },
	{ "domain", QR_P_DOMAIN, "", "link domains" },
	{ "platform", QR_P_PLATFORM, "", "platforms" },
	{ "kind", QR_P_KIND, "", "kinds" },
	{ NULL, NULL, NULL, NULL },
};

const qr_facet_field *qr_facet_field_by_name(const char *name)
{
	for (const qr_facet_field *f = qr_facet_fields; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

const char *const *qr_facet_skip(const qr_facet_field *f)
{
	static const char *const media[] = { "any", NULL };
	return strcmp(f->prefix, QR_P_MEDIA) == 0 ? media : NULL;
}

void qr_counts_clear(qr_counts *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].value);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static void push(qr_counts *c, const char *v, size_t len, uint32_t count)
{
	c->v = qr_grow_array(c->v, sizeof(*c->v), c->n + 1, &c->alloc);
	c->v[c->n].value = qr_strndup(v, len);
	c->v[c->n].count = count;
	c->n++;
}

int qr_agg_fail(xc_status x, const char *what, const char *why, qr_buf *err)
{
	if (x == XC_ERR_DATABASE_MODIFIED)
		return QR_END;
	if (x == XC_ERR_WILDCARD) {
		qr_buf_setf(err, "a wildcard matches too many words: make it longer");
		return QR_USAGE;
	}
	if (x == XC_ERR_NETWORK) {
		qr_corpus_network_fault(why, err);
		return QR_DAMAGED;
	}
	qr_buf_setf(err, "cannot %s: %s", what, why && *why ? why : xc_status_string(x));
	return x == XC_ERR_NOMEM ? QR_NOMEM : QR_INTERNAL;
}

/* Run q over every document, with the spy when there is one; *count
 * (may be NULL) gets the exact number of matches. */
static int run_all(xc_db *db, const xc_query *q, xc_spy *spy, uint32_t *count, qr_buf *err)
{
	xc_enquire *enq = NULL;
	xc_mset *ms = NULL;
	uint32_t docs = 0;
	xc_status x = xc_db_doccount(db, &docs);
	if (x != XC_OK)
		return qr_agg_fail(x, "count the posts", xc_db_error(db), err);
	if ((x = xc_enquire_create(db, &enq)) != XC_OK)
		return qr_agg_fail(x, "search", NULL, err);
	int st = 0;
	/* Checking every document makes the counts exact. */
	if ((x = xc_enquire_set_query(enq, q)) != XC_OK || (x = xc_enquire_set_weighting_bool(enq)) != XC_OK ||
	    (spy && (x = xc_enquire_add_spy(enq, spy)) != XC_OK) ||
	    (x = xc_enquire_get_mset(enq, 0, 0, docs ? docs : 1, &ms)) != XC_OK)
		st = qr_agg_fail(x, "search", xc_enquire_error(enq), err);
	else if (count)
		*count = xc_mset_matches_estimated(ms);
	xc_mset_destroy(ms);
	xc_enquire_destroy(enq);
	return st;
}

int qr_agg_run_spy(xc_db *db, const xc_query *q, xc_spy *spy, qr_buf *err)
{
	return run_all(db, q, spy, NULL, err);
}

int qr_agg_count(xc_db *db, const xc_query *q, uint32_t *n, qr_buf *err)
{
	*n = 0;
	return run_all(db, q, NULL, n, err);
}

void qr_agg_heading(qr_buf *out, const char *what, uint32_t total, const char *query, uint32_t distinct, size_t shown,
		    uint64_t top)
{
	qr_buf_adds(out, what);
	qr_add_grouped(out, total);
	qr_buf_addf(out, " post%s", total == 1 ? "" : "s");
	if (*query) {
		qr_buf_adds(out, " matching '");
		qr_escape_terminal(out, query, strlen(query), 0);
		qr_buf_addch(out, '\'');
	}
	qr_buf_addf(out, ": %u distinct", distinct);
	if (top && distinct > shown)
		qr_buf_addf(out, ", top %zu", shown);
}

/* Run q with the spy and read its counts into out: by frequency (most
 * first) or in value order, without the first plen bytes of each, leaving
 * out the `skip` values, at most `top` (0: all).  Destroys the spy. */
static int spy_counts(xc_db *db, const xc_query *q, xc_spy *spy, bool by_freq, size_t plen, uint32_t top,
		      const char *const *skip, qr_counts *out, qr_buf *err)
{
	xc_termiter *it = NULL;
	xc_status x;
	int st = qr_agg_run_spy(db, q, spy, err);
	if (!st && (x = by_freq ? xc_spy_top(spy, 0, &it) : xc_spy_all(spy, &it)) != XC_OK)
		st = qr_agg_fail(x, "count", xc_spy_error(spy), err);
	if (!st) {
		const char *t;
		size_t len;
		uint32_t freq;
		out->total = xc_spy_total(spy);
		while (xc_termiter_next(it, &t, &len, &freq) == XC_OK) {
			bool skipped = false;
			for (size_t i = 0; skip && skip[i] && !skipped; i++)
				skipped = strlen(skip[i]) == len - plen && memcmp(skip[i], t + plen, len - plen) == 0;
			if (skipped)
				continue;
			out->distinct++;
			if (!top || out->n < top)
				push(out, t + plen, len - plen, freq);
		}
	}
	xc_termiter_destroy(it);
	xc_spy_destroy(spy);
	return st;
}

/* One value of a facet slot and the posts that carry it. */
struct item {
	const char *v;
	size_t len;
	uint32_t count;
};

static int cmp_value(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = memcmp(x->v, y->v, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Most frequent first, ties in byte order (as the counts always came). */
static int cmp_count(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return cmp_value(a, b);
}

/*
 * The spy counted each combination of values a post carries (a facet slot
 * holds them all); a value's count is the sum over the combinations that
 * hold it, exact since a post holds a value once.
 */
static int split_counts(xc_spy *spy, uint32_t top, const char *const *skip, qr_counts *out, qr_buf *err)
{
	xc_termiter *it = NULL;
	struct item *combos = NULL, *items = NULL;
	size_t ncombos = 0, calloc_ = 0, n = 0, alloc = 0;
	const char *t;
	size_t len;
	uint32_t freq;
	xc_status x = xc_spy_all(spy, &it);
	if (x != XC_OK)
		return qr_agg_fail(x, "count", xc_spy_error(spy), err);
	/* Copied: the iterator's text does not outlive its next step. */
	while (xc_termiter_next(it, &t, &len, &freq) == XC_OK) {
		combos = qr_grow_array(combos, sizeof(*combos), ncombos + 1, &calloc_);
		combos[ncombos++] = (struct item){ qr_strndup(t, len), len, freq };
	}
	xc_termiter_destroy(it);
	for (size_t c = 0; c < ncombos; c++) {
		const char *p = combos[c].v, *end = p + combos[c].len;
		while (p < end) {
			const char *sep = memchr(p, QR_LIST_SEP, (size_t)(end - p));
			const char *stop = sep ? sep : end;
			items = qr_grow_array(items, sizeof(*items), n + 1, &alloc);
			items[n++] = (struct item){ p, (size_t)(stop - p), combos[c].count };
			p = sep ? sep + 1 : end;
		}
	}
	if (n)
		qsort(items, n, sizeof(*items), cmp_value);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && cmp_value(&items[m - 1], &items[i]) == 0)
			items[m - 1].count += items[i].count;
		else
			items[m++] = items[i];
	}
	if (m)
		qsort(items, m, sizeof(*items), cmp_count);
	out->total = xc_spy_total(spy);
	for (size_t i = 0; i < m; i++) {
		bool skipped = false;
		for (size_t k = 0; skip && skip[k] && !skipped; k++)
			skipped = strlen(skip[k]) == items[i].len && memcmp(skip[k], items[i].v, items[i].len) == 0;
		if (skipped)
			continue;
		out->distinct++;
		if (!top || out->n < top)
			push(out, items[i].v, items[i].len, items[i].count);
	}
	free(items);
	for (size_t c = 0; c < ncombos; c++)
		free((char *)combos[c].v);
	free(combos);
	return 0;
}

int qr_count_terms(xc_db *db, const xc_query *q, const char *prefix, uint32_t top, const char *const *skip,
		   qr_counts *out, qr_buf *err)
{
	xc_spy *spy = NULL;
	qr_counts_clear(out);
	xc_valueno slot = qr_facet_slot(prefix);
	if (slot == QR_NO_FACET) {
		qr_buf_setf(err, "cannot count the values of prefix '%s': no facet slot holds them", prefix);
		return QR_INTERNAL;
	}
	xc_status x = xc_spy_value_count(slot, &spy);
	if (x != XC_OK)
		return qr_agg_fail(x, "count", NULL, err);
	int st = qr_agg_run_spy(db, q, spy, err);
	if (!st)
		st = split_counts(spy, top, skip, out, err);
	xc_spy_destroy(spy);
	return st;
}

int qr_count_values(xc_db *db, const xc_query *q, xc_valueno slot, qr_counts *out, qr_buf *err)
{
	xc_spy *spy = NULL;
	qr_counts_clear(out);
	xc_status x = xc_spy_value_count(slot, &spy);
	if (x != XC_OK)
		return qr_agg_fail(x, "count", NULL, err);
	return spy_counts(db, q, spy, false, 0, 0, NULL, out, err);
}

xc_query *qr_query_with_terms(const xc_query *q, xc_query_op op, const char *const *terms, size_t n)
{
	xc_query **ts = qr_calloc(n ? n : 1, sizeof(*ts));
	xc_query *any = NULL, *out = NULL;
	size_t k = 0;
	for (; k < n; k++)
		if (xc_query_term(terms[k], strlen(terms[k]), &ts[k]) != XC_OK)
			break;
	if (k == n && n && xc_query_combine(XC_OP_OR, ts, n, 0, &any) == XC_OK) {
		const xc_query *both[2] = { q, any };
		if (xc_query_combine(op, (xc_query *const *)both, 2, 0, &out) != XC_OK)
			out = NULL;
	}
	for (size_t i = 0; i < k; i++)
		xc_query_destroy(ts[i]);
	free(ts);
	xc_query_destroy(any);
	return out;
}

xc_query *qr_query_and(const xc_query *q, const xc_query *other)
{
	const xc_query *both[2] = { q, other };
	xc_query *out = NULL;
	if (xc_query_combine(XC_OP_AND, (xc_query *const *)both, 2, 0, &out) != XC_OK)
		return NULL;
	return out;
}

void qr_agg_csv_field(qr_buf *out, const char *s)
{
	qr_csv_field(out, s, false, false);
}
