#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

const qr_field qr_fields[] = {
	{ "id", QR_P_ID, false },
	{ "hashtag", QR_P_HASHTAG, true },
	{ "author", QR_P_AUTHOR, true },
	{ "authorid", QR_P_AUTHOR_ID, false },
	{ "mention", QR_P_MENTION, true },
	{ "media", QR_P_MEDIA, true },
	{ "mediahash", QR_P_MEDIA_SHA, true },
	{ "mediaurl", QR_P_MEDIA_URL, false },
	{ "lang", QR_P_LANG, true },
	{ "platform", QR_P_PLATFORM, true },
	{ "kind", QR_P_KIND, true },
	{ "domain", QR_P_DOMAIN, true },
	{ "url", QR_P_URL, false },
	{ "event", QR_P_EVENT, true },
	{ "tag", QR_P_TAG, true },
	{ "source", QR_P_SOURCE, true },
	{ "record", QR_P_RECORD, true },
	{ "visibility", QR_P_VISIBILITY, true },
	{ "community", QR_P_COMMUNITY, true },
	{ "repostof", QR_P_REPOST_OF, false },
	{ "quoteof", QR_P_QUOTE_OF, false },
	{ NULL, NULL, false },
};

const qr_field *qr_field_by_name(const char *name)
{
	for (const qr_field *f = qr_fields; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static const struct {
	const char *prefix;
	xc_valueno slot;
} facet_slots[] = {
	{ QR_P_HASHTAG, QR_SLOT_FACET_HASHTAG },
	{ QR_P_AUTHOR, QR_SLOT_FACET_AUTHOR },
	{ QR_P_MENTION, QR_SLOT_FACET_MENTION },
	{ QR_P_MEDIA, QR_SLOT_FACET_MEDIA },
	{ QR_P_LANG, QR_SLOT_FACET_LANG },
	{ QR_P_EVENT, QR_SLOT_FACET_EVENT },
	{ QR_P_TAG, QR_SLOT_FACET_TAG },
	{ QR_P_DOMAIN, QR_SLOT_FACET_DOMAIN },
	{ QR_P_PLATFORM, QR_SLOT_FACET_PLATFORM },
	{ QR_P_KIND, QR_SLOT_FACET_KIND },
};

#define NFACETS (sizeof(facet_slots) / sizeof(facet_slots[0]))

xc_valueno qr_facet_slot(const char *prefix)
{
	for (size_t i = 0; i < NFACETS; i++)
		if (strcmp(facet_slots[i].prefix, prefix) == 0)
			return facet_slots[i].slot;
	return QR_NO_FACET;
}

void qr_term(qr_buf *out, const char *prefix, const char *value, bool casefold)
{
	size_t start = out->len;
	qr_buf_adds(out, prefix);
	size_t vstart = out->len;
	if (casefold)
		qr_casefold(out, value, strlen(value));
	else
		qr_buf_adds(out, value);
	if (out->len - start > QR_TERM_MAX) {
		/* Long values (URLs, mostly) are searched by their hash. */
		uint8_t sha[QR_SHA256_LEN];
		char hex[QR_SHA256_HEX];
		qr_sha256(out->buf + vstart, out->len - vstart, sha);
		qr_hex(sha, QR_SHA256_LEN, hex);
		qr_buf_setlen(out, vstart);
		qr_buf_adds(out, "#sha256:");
		qr_buf_adds(out, hex);
	}
}

struct qr_indexer {
	xc_termgen *tg;
	xc_stem *stem;
	qr_buf term;
	qr_buf scratch;
};

int qr_indexer_new(qr_indexer **out, qr_buf *err)
{
	qr_indexer *ix = qr_calloc(1, sizeof(*ix));
	char *msg = NULL;
	*out = NULL;
	qr_buf_init(&ix->term);
	qr_buf_init(&ix->scratch);
	if (xc_stem_create("english", &ix->stem, &msg) != XC_OK || xc_termgen_create(&ix->tg) != XC_OK) {
		qr_buf_setf(err, "cannot set up the term generator: %s", msg ? msg : "out of memory");
		free(msg);
		qr_indexer_free(ix);
		return QR_INTERNAL;
	}
	xc_termgen_set_stemmer(ix->tg, ix->stem);
	xc_termgen_set_stemming_strategy(ix->tg, XC_STEM_SOME);
	xc_termgen_set_flags(ix->tg, XC_TG_FLAG_CJK_NGRAM);
	*out = ix;
	return 0;
}

void qr_indexer_free(qr_indexer *ix)
{
	if (!ix)
		return;
	xc_termgen_destroy(ix->tg);
	xc_stem_destroy(ix->stem);
	qr_buf_release(&ix->term);
	qr_buf_release(&ix->scratch);
	free(ix);
}

static int add_bool(qr_indexer *ix, xc_doc *doc, const char *prefix, const char *value, bool casefold)
{
	if (!value || !*value)
		return 0;
	qr_buf_reset(&ix->term);
	qr_term(&ix->term, prefix, value, casefold);
	return xc_doc_add_boolean_term(doc, ix->term.buf, ix->term.len) == XC_OK ? 0 : QR_INTERNAL;
}

/* The domain and every parent domain of two labels or more, so that
 * domain:nytimes.com finds www.nytimes.com. */
static int add_domains(qr_indexer *ix, xc_doc *doc, const char *url)
{
	if (!qr_url_host(url, &ix->scratch))
		return 0;
	const char *host = ix->scratch.buf;
	int st = 0;
	for (const char *p = host; p && !st; ) {
		if (strchr(p, '.') || p == host)
			st = add_bool(ix, doc, QR_P_DOMAIN, p, true);
		p = strchr(p, '.');
		if (p)
			p++;
	}
	return st;
}

void qr_media_file_id(qr_buf *out, const qr_media *m)
{
	qr_buf_reset(out);
	if (m->sha256 && *m->sha256) {
		qr_buf_adds(out, QR_FILE_SHA256);
		qr_casefold(out, m->sha256, strlen(m->sha256));
	} else if (m->url && *m->url) {
		qr_buf_adds(out, m->url);
	} else if (m->key && *m->key) {
		qr_buf_addf(out, "%s%s", QR_FILE_KEY, m->key);
	}
}

/* A list slot: the items, each once, QR_LIST_SEP between. */
static void set_list(qr_indexer *ix, xc_doc *doc, xc_valueno slot, const qr_strv *items)
{
	qr_buf_reset(&ix->scratch);
	for (size_t i = 0; i < items->n; i++) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(items->v[k], items->v[i]) == 0;
		if (seen || !*items->v[i])
			continue;
		if (ix->scratch.len)
			qr_buf_addch(&ix->scratch, QR_LIST_SEP);
		qr_buf_adds(&ix->scratch, items->v[i]);
	}
	if (ix->scratch.len)
		xc_doc_set_value(doc, slot, ix->scratch.buf, ix->scratch.len);
}

/* What spread: what the post reposts or quotes, its files and links, as
 * values (one pass of a match spy over many posts reads them far faster
 * than term lists). */
static void add_spread_values(qr_indexer *ix, xc_doc *doc, const qr_post *p)
{
	if (p->repost_of)
		xc_doc_set_value(doc, QR_SLOT_REPOST_OF, p->repost_of, strlen(p->repost_of));
	else if (p->quote_of)
		xc_doc_set_value(doc, QR_SLOT_QUOTE_OF, p->quote_of, strlen(p->quote_of));
	qr_strv files = { NULL, 0, 0 };
	qr_buf id = QR_BUF_INIT;
	for (size_t i = 0; i < p->nmedia; i++) {
		qr_media_file_id(&id, &p->media[i]);
		qr_strv_push(&files, id.buf);
	}
	set_list(ix, doc, QR_SLOT_FILES, &files);
	set_list(ix, doc, QR_SLOT_URLS, &p->urls);
	qr_strv_clear(&files);
	qr_buf_release(&id);
}

static int add_text(qr_indexer *ix, const char *text)
{
	if (!text || !*text)
		return 0;
	if (xc_termgen_index_text(ix->tg, text, strlen(text), 1, "") != XC_OK)
		return QR_INTERNAL;
	/* A gap, so that phrases never match across two fields. */
	xc_termgen_increase_termpos(ix->tg, 100);
	return 0;
}

/*
 * Each facet slot from the document's own terms, so that the slot and the
 * terms cannot disagree: the term list is in byte order, and no prefix is
 * the start of another (a K term is never taken for an XK one: free-text
 * terms are lower case, prefixes upper).
 */
static int add_facet_values(qr_indexer *ix, xc_doc *doc)
{
	for (size_t i = 0; i < NFACETS; i++) {
		const char *prefix = facet_slots[i].prefix;
		size_t plen = strlen(prefix);
		xc_termiter *it = NULL;
		const char *t;
		size_t len;
		uint32_t freq;
		if (xc_doc_termlist(doc, &it) != XC_OK)
			return QR_INTERNAL;
		qr_buf_reset(&ix->scratch);
		xc_status x = xc_termiter_skip_to(it, prefix, plen);
		while (x == XC_OK && (x = xc_termiter_next(it, &t, &len, &freq)) == XC_OK) {
			if (len < plen || memcmp(t, prefix, plen) != 0)
				break;
			if (ix->scratch.len)
				qr_buf_addch(&ix->scratch, QR_LIST_SEP);
			qr_buf_add(&ix->scratch, t + plen, len - plen);
		}
		xc_termiter_destroy(it);
		if (x != XC_OK && x != XC_END)
			return QR_INTERNAL;
		if (ix->scratch.len &&
		    xc_doc_set_value(doc, facet_slots[i].slot, ix->scratch.buf, ix->scratch.len) != XC_OK)
			return QR_INTERNAL;
	}
	return 0;
}

/* The time order slot (QR_SLOT_TIME_ORDER). */
static void add_time_order(qr_indexer *ix, xc_doc *doc, const qr_post *p)
{
	qr_buf_reset(&ix->scratch);
	if (p->created == QR_TIME_UNKNOWN) {
		qr_buf_addch(&ix->scratch, 0);
	} else {
		uint64_t u = (uint64_t)p->created ^ (UINT64_C(1) << 63);
		qr_buf_addch(&ix->scratch, 1);
		for (int i = 7; i >= 0; i--)
			qr_buf_addch(&ix->scratch, (char)(u >> (8 * i)));
	}
	qr_buf_adds(&ix->scratch, p->id);
	xc_doc_set_value(doc, QR_SLOT_TIME_ORDER, ix->scratch.buf, ix->scratch.len);
}

bool qr_time_order_id(const char *v, size_t len, qr_buf *id)
{
	size_t skip = len && v[0] ? 9 : 1;
	qr_buf_reset(id);
	if (len <= skip)
		return false;
	qr_buf_add(id, v + skip, len - skip);
	return true;
}

static int add_values(xc_doc *doc, const qr_post *p)
{
	char buf[32];
	if (p->created != QR_TIME_UNKNOWN) {
		size_t n = xc_sortable_serialise((double)p->created, buf);
		xc_doc_set_value(doc, QR_SLOT_TIME, buf, n);
		qr_civil c;
		qr_time_to_civil(p->created, &c);
		snprintf(buf, sizeof(buf), "%04d%02d%02d%02d%02d", c.year, c.month, c.day, c.hour, c.minute);
		xc_doc_set_value(doc, QR_SLOT_MINUTE, buf, strlen(buf));
	}
	const char *author = p->author_id ? p->author_id : p->author_handle;
	if (author)
		xc_doc_set_value(doc, QR_SLOT_AUTHOR, author, strlen(author));
	const char *key = p->repost_of ? p->repost_of : p->id;
	xc_doc_set_value(doc, QR_SLOT_COLLAPSE, key, strlen(key));
	uint8_t sha[QR_SHA256_LEN];
	if (p->record.sha256 && qr_unhex(p->record.sha256, sha, QR_SHA256_LEN))
		xc_doc_set_value(doc, QR_SLOT_RECORD, (const char *)sha, QR_SHA256_LEN);
	return 0;
}

int qr_indexer_document(qr_indexer *ix, const qr_post *p, xc_doc **out, qr_buf *err)
{
	xc_doc *doc = NULL;
	int st = 0;
	char num[24];

	*out = NULL;
	if (!p->id || !p->platform) {
		qr_buf_setf(err, "post has no id or platform");
		return QR_BAD_INPUT;
	}
	if (xc_doc_create(&doc) != XC_OK) {
		qr_buf_setf(err, "out of memory");
		return QR_NOMEM;
	}
	xc_termgen_set_document(ix->tg, doc);
	st |= add_text(ix, p->text);
	for (size_t i = 0; i < p->nmedia; i++)
		st |= add_text(ix, p->media[i].alt_text);

	st |= add_bool(ix, doc, QR_P_ID, p->id, false);
	st |= add_bool(ix, doc, QR_P_PLATFORM, p->platform, true);
	st |= add_bool(ix, doc, QR_P_AUTHOR, p->author_handle, true);
	st |= add_bool(ix, doc, QR_P_AUTHOR_ID, p->author_id, false);
	st |= add_bool(ix, doc, QR_P_LANG, p->lang, true);
	st |= add_bool(ix, doc, QR_P_KIND, p->kind, true);
	if (p->deleted)
		st |= add_bool(ix, doc, QR_P_KIND, QR_KIND_DELETED, false);
	for (size_t i = 0; i < p->hashtags.n; i++)
		st |= add_bool(ix, doc, QR_P_HASHTAG, p->hashtags.v[i], true);
	for (size_t i = 0; i < p->mentions.n; i++)
		st |= add_bool(ix, doc, QR_P_MENTION, p->mentions.v[i], true);
	for (size_t i = 0; i < p->urls.n; i++) {
		st |= add_bool(ix, doc, QR_P_URL, p->urls.v[i], false);
		st |= add_domains(ix, doc, p->urls.v[i]);
	}
	st |= add_bool(ix, doc, QR_P_MEDIA, p->nmedia ? "any" : "none", false);
	for (size_t i = 0; i < p->nmedia; i++) {
		const qr_media *m = &p->media[i];
		st |= add_bool(ix, doc, QR_P_MEDIA, m->type, true);
		st |= add_bool(ix, doc, QR_P_MEDIA_SHA, m->sha256, true);
		st |= add_bool(ix, doc, QR_P_MEDIA_URL, m->url, false);
		st |= add_bool(ix, doc, QR_P_MEDIA_URL, m->key, false);
	}
	for (size_t i = 0; i < p->events.n; i++)
		st |= add_bool(ix, doc, QR_P_EVENT, p->events.v[i], true);
	for (size_t i = 0; i < p->tags.n; i++)
		st |= add_bool(ix, doc, QR_P_TAG, p->tags.v[i], true);
	if (p->source.number) {
		snprintf(num, sizeof(num), "%u", p->source.number);
		st |= add_bool(ix, doc, QR_P_SOURCE, num, false);
	}
	st |= add_bool(ix, doc, QR_P_SOURCE, p->source.input_sha256, true);
	st |= add_bool(ix, doc, QR_P_RECORD, p->record.sha256, true);
	for (size_t i = 0; i < p->record.versions.n; i++)
		st |= add_bool(ix, doc, QR_P_RECORD, p->record.versions.v[i].key, true);
	st |= add_bool(ix, doc, QR_P_VISIBILITY, qr_kvv_get(&p->extra, "visibility"), true);
	st |= add_bool(ix, doc, QR_P_COMMUNITY, qr_kvv_get(&p->extra, "community"), true);
	/* What a post reposts or quotes, whatever the reader: counts of reposts
	 * come from these terms alone. */
	st |= add_bool(ix, doc, QR_P_REPOST_OF, p->repost_of, false);
	/* A retweet of a quote carries the quoted id too: it is no quote. */
	if (!p->repost_of)
		st |= add_bool(ix, doc, QR_P_QUOTE_OF, p->quote_of, false);
	add_spread_values(ix, doc, p);
	st |= add_values(doc, p);
	/* The id as a term of a two-letter prefix holds it (hashed past
	 * QR_TERM_MAX): a stable key for ties in relevance, and the id as the
	 * reposts' terms (QR_P_REPOST_OF) name it, so that a sort can look up
	 * how many there are. */
	qr_buf_reset(&ix->term);
	qr_term(&ix->term, QR_P_REPOST_OF, p->id, false);
	xc_doc_set_value(doc, QR_SLOT_ID, ix->term.buf + 2, ix->term.len - 2);
	add_time_order(ix, doc, p);
	st |= add_facet_values(ix, doc);

	qr_buf data = QR_BUF_INIT;
	qr_jw w;
	qr_jw_init(&w, &data, false);
	qr_post_to_data(p, &w);
	if (xc_doc_set_data(doc, data.buf, data.len) != XC_OK)
		st = QR_INTERNAL;
	qr_buf_release(&data);
	if (st) {
		qr_buf_setf(err, "cannot build the index document for %s: %s", p->id,
			    *xc_doc_error(doc) ? xc_doc_error(doc) : xc_termgen_error(ix->tg));
		xc_doc_destroy(doc);
		return QR_INTERNAL;
	}
	*out = doc;
	return 0;
}
