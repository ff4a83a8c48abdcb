#include "bluesky.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reader_util.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

#define PLATFORM "bluesky"
#define CDN_IMAGE "https://cdn.bsky.app/img/feed_fullsize/plain/"
#define CDN_VIDEO "https://video.bsky.app/watch/"

bool qr_bsky_makes_post(const char *collection)
{
	return collection && (strcmp(collection, QR_BSKY_POST) == 0 || strcmp(collection, QR_BSKY_REPOST) == 0);
}

bool qr_bsky_at_uri(const char *uri, qr_buf *out, const char **authority, const char **collection,
		    const char **rkey)
{
	if (!uri || !qr_starts_with(uri, "at://"))
		return false;
	const char *a = uri + 5, *s1 = strchr(a, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	if (!s1 || !s2 || s1 == a || s2 == s1 + 1 || !s2[1] || strchr(s2 + 1, '/') || strpbrk(a, "?# \t\n"))
		return false;
	qr_buf_reset(out);
	qr_buf_add(out, a, (size_t)(s1 - a));
	qr_buf_addch(out, 0);
	size_t c = out->len;
	qr_buf_add(out, s1 + 1, (size_t)(s2 - s1 - 1));
	qr_buf_addch(out, 0);
	size_t k = out->len;
	qr_buf_adds(out, s2 + 1);
	*authority = out->buf;
	*collection = out->buf + c;
	*rkey = out->buf + k;
	return true;
}

static void native_id(qr_buf *out, const char *did, const char *rkey)
{
	qr_buf_reset(out);
	qr_buf_addf(out, "%s/%s", did, rkey);
}

bool qr_bsky_ref(char **field, const char *uri)
{
	qr_buf parts = QR_BUF_INIT, id = QR_BUF_INIT;
	const char *a, *c, *k;
	bool ok = qr_bsky_at_uri(uri, &parts, &a, &c, &k);
	if (ok) {
		native_id(&id, a, k);
		qr_post_set_ref(field, PLATFORM, id.buf);
	}
	qr_buf_release(&parts);
	qr_buf_release(&id);
	return ok;
}

void qr_bsky_url(qr_buf *out, const char *who, const char *rkey)
{
	qr_buf_reset(out);
	qr_buf_addf(out, "https://bsky.app/profile/%s", who);
	if (rkey)
		qr_buf_addf(out, "/post/%s", rkey);
}

/* The URL of a post known by its at-uri. */
static bool at_uri_url(const char *uri, qr_buf *out)
{
	qr_buf parts = QR_BUF_INIT;
	const char *a, *c, *k;
	bool ok = qr_bsky_at_uri(uri, &parts, &a, &c, &k) && strcmp(c, QR_BSKY_POST) == 0;
	if (ok)
		qr_bsky_url(out, a, k);
	qr_buf_release(&parts);
	return ok;
}

static qr_post *new_post(qr_posts *out, const qr_bsky_where *w)
{
	qr_buf b = QR_BUF_INIT;
	qr_post *p = qr_posts_add(out);
	native_id(&b, w->did, w->rkey);
	qr_post_set_id(p, PLATFORM, b.buf);
	qr_set(&p->author_id, w->did);
	/* No handle known (a repo export, a capture without the account's
	 * identity event): the DID stands for it, as the app's links do. */
	qr_set(&p->author_handle, w->handle ? w->handle : w->did);
	qr_set(&p->author_name, w->name && *w->name ? w->name : NULL);
	qr_bsky_url(&b, w->handle ? w->handle : w->did, w->rkey);
	qr_set(&p->url, b.buf);
	qr_buf_reset(&b);
	qr_buf_addf(&b, "at://%s/%s/%s", w->did, w->collection, w->rkey);
	qr_kvv_set(&p->extra, "at_uri", b.buf);
	if (w->cid)
		qr_kvv_set(&p->source.provenance, "cid", w->cid);
	qr_buf_release(&b);
	return p;
}

/* A record key that is a TID (13 base32-sortable characters) holds the
 * microseconds since 1970 when it was made: the time of a record whose
 * createdAt is missing or broken. */
static bool tid_time(const char *rkey, int64_t *t)
{
	static const char alphabet[] = "234567abcdefghijklmnopqrstuvwxyz";
	uint64_t v = 0;
	if (!rkey || strlen(rkey) != 13)
		return false;
	for (int i = 0; i < 13; i++) {
		const char *at = strchr(alphabet, rkey[i]);
		if (!at || !rkey[i])
			return false;
		v = v << 5 | (uint64_t)(at - alphabet);
	}
	if (v >> 63)
		return false;
	*t = (int64_t)((v >> 10) / 1000000);
	return true;
}

static void set_time(qr_post *p, const cJSON *record, const char *rkey)
{
	const char *when = qr_json_str(record, "createdAt");
	int64_t t;
	if (when && qr_time_parse_iso(when, &t)) {
		p->created = t;
	} else if (tid_time(rkey, &t)) {
		p->created = t;
		qr_kvv_set(&p->extra, "time_from", "rkey");
	}
}

/* The array v, or NULL when v is something else. */
static const cJSON *array_of(const cJSON *v)
{
	return cJSON_IsArray(v) ? v : NULL;
}

/* ---- facets ---- */

struct span {
	size_t start, end;
	const char *uri;        /* a link's full address */
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* The byte range [start, end) of text a facet or entity names, when it
 * is one (inside the text, on character boundaries). */
static bool byte_range(const cJSON *index, const char *skey, const char *ekey, const char *text, size_t len,
		       size_t *start, size_t *end)
{
	int64_t s, e;
	if (!qr_json_int(index, skey, &s) || !qr_json_int(index, ekey, &e) || s < 0 || e <= s || (uint64_t)e > len)
		return false;
	*start = (size_t)s;
	*end = (size_t)e;
	return ((unsigned char)text[s] & 0xc0) != 0x80 && (e == (int64_t)len || ((unsigned char)text[e] & 0xc0) != 0x80);
}

/* A byte offset for an offset in UTF-16 units; false past the end or
 * inside a character. */
static bool utf16_to_byte(const char *text, size_t len, int64_t units, size_t *out)
{
	size_t at = 0;
	int64_t u = 0;
	while (u < units && at < len) {
		uint32_t cp;
		size_t k = qr_utf8_decode(text + at, len - at, &cp);
		if (!k)
			return false;
		at += k;
		u += cp >= 0x10000 ? 2 : 1;
	}
	*out = at;
	return u == units;
}

static bool utf16_range(const cJSON *index, const char *text, size_t len, size_t *start, size_t *end)
{
	int64_t s, e;
	return qr_json_int(index, "start", &s) && qr_json_int(index, "end", &e) && s >= 0 && e > s &&
	       utf16_to_byte(text, len, s, start) && utf16_to_byte(text, len, e, end);
}

static void add_mention(qr_post *p, const char *text, size_t s, size_t e, const char *did)
{
	if (text && e > s) {
		if (text[s] == '@')
			s++;
		if (e > s) {
			char *h = qr_strndup(text + s, e - s);
			qr_strv_push_unique(&p->mentions, h, true);
			free(h);
		}
	}
	if (did && *did)
		qr_strv_push_unique(&p->mentions, did, false);
}

static void add_link(qr_post *p, struct span **links, size_t *n, size_t *alloc, size_t s, size_t e, const char *uri)
{
	if (!uri || !*uri)
		return;
	qr_strv_push_unique(&p->urls, uri, false);
	if (e > s) {
		*links = qr_grow_array(*links, sizeof(**links), *n + 1, alloc);
		(*links)[(*n)++] = (struct span){ s, e, uri };
	}
}

/* Is text[start, end) the app's shortened display of uri: the address
 * without its scheme (and "www."), cut and ended by "..." or "…"?  Other
 * linked words ("this article", as some clients write) stay as written. */
static bool shortened(const char *text, size_t start, size_t end, const char *uri)
{
	size_t n = end - start;
	const char *d = text + start;
	if (n >= 3 && memcmp(d + n - 3, "...", 3) == 0)
		n -= 3;
	else if (n >= 3 && memcmp(d + n - 3, "\xe2\x80\xa6", 3) == 0)
		n -= 3;
	for (const char *prefix = uri;;) {
		if (n && strlen(prefix) >= n && strncasecmp(prefix, d, n) == 0)
			return true;
		if (qr_starts_with_ci(prefix, "https://"))
			prefix += 8;
		else if (qr_starts_with_ci(prefix, "http://"))
			prefix += 7;
		else if (qr_starts_with_ci(prefix, "www."))
			prefix += 4;
		else
			return false;
	}
}

/* The text with each link's shortened display replaced by its address,
 * as the source says it (the app shows "example.com/long-pa..."). */
static void expand_links(qr_buf *out, const char *text, size_t len, struct span *links, size_t n)
{
	size_t at = 0;
	qsort(links, n, sizeof(*links), cmp_span);
	for (size_t i = 0; i < n; i++) {
		if (links[i].start < at || !shortened(text, links[i].start, links[i].end, links[i].uri))
			continue;   /* overlapping, or words of the author's */
		qr_buf_add(out, text + at, links[i].start - at);
		qr_buf_adds(out, links[i].uri);
		at = links[i].end;
	}
	qr_buf_add(out, text + at, len - at);
}

static void read_facets(qr_post *p, const cJSON *record, const char *text)
{
	size_t len = text ? strlen(text) : 0, nlinks = 0, alinks = 0;
	struct span *links = NULL;
	const cJSON *facets = qr_json_get(record, "facets"), *one;
	cJSON_ArrayForEach(one, array_of(facets))
	{
		size_t s = 0, e = 0;
		bool ranged = text && byte_range(qr_json_get(one, "index"), "byteStart", "byteEnd", text, len, &s, &e);
		const cJSON *features = qr_json_get(one, "features"), *f;
		cJSON_ArrayForEach(f, array_of(features))
		{
			const char *type = qr_json_str(f, "$type");
			if (!type)
				continue;
			if (strcmp(type, "app.bsky.richtext.facet#tag") == 0) {
				const char *tag = qr_json_str(f, "tag");
				if (tag && *tag)
					qr_strv_push_unique(&p->hashtags, tag[0] == '#' ? tag + 1 : tag, true);
			} else if (strcmp(type, "app.bsky.richtext.facet#mention") == 0) {
				add_mention(p, ranged ? text : NULL, s, e, qr_json_str(f, "did"));
			} else if (strcmp(type, "app.bsky.richtext.facet#link") == 0) {
				add_link(p, &links, &nlinks, &alinks, ranged ? s : 0, ranged ? e : 0,
					 qr_json_str(f, "uri"));
			}
		}
	}
	/* Records written before facets (2023) mark mentions and links as
	 * "entities", their places counted in UTF-16 units (JavaScript's). */
	const cJSON *entities = qr_json_get(record, "entities");
	cJSON_ArrayForEach(one, array_of(entities))
	{
		size_t s = 0, e = 0;
		bool ranged = text && utf16_range(qr_json_get(one, "index"), text, len, &s, &e);
		const char *type = qr_json_str(one, "type"), *v = qr_json_str(one, "value");
		if (!type || !v)
			continue;
		if (strcmp(type, "mention") == 0)
			add_mention(p, ranged ? text : NULL, s, e, v);
		else if (strcmp(type, "link") == 0)
			add_link(p, &links, &nlinks, &alinks, ranged ? s : 0, ranged ? e : 0, v);
	}
	/* Tags outside the text (up to eight). */
	const cJSON *tags = qr_json_get(record, "tags");
	cJSON_ArrayForEach(one, array_of(tags))
		if (cJSON_IsString(one) && one->valuestring[0])
			qr_strv_push_unique(&p->hashtags, one->valuestring[0] == '#' ? one->valuestring + 1 : one->valuestring,
					    true);
	if (text && nlinks) {
		qr_buf full = QR_BUF_INIT;
		expand_links(&full, text, len, links, nlinks);
		qr_set(&p->text, full.buf);
		qr_buf_release(&full);
	}
	free(links);
}

/* ---- embeds ---- */

/* A blob's CID: {"$type": "blob", "ref": {"$link": CID}} or, in records
 * written before 2023, {"cid": CID}. */
static const char *blob_cid(const cJSON *blob)
{
	const char *cid = qr_json_str(blob, "ref.$link");
	return cid ? cid : qr_json_str(blob, "cid");
}

static void add_blob(qr_post *p, const cJSON *blob, const char *type, const char *alt, const char *did)
{
	qr_media *m = qr_post_add_media(p);
	const char *cid = blob_cid(blob);
	int64_t size;
	qr_set(&m->type, type);
	qr_set(&m->key, cid);
	qr_set(&m->mime, qr_json_str(blob, "mimeType"));
	qr_set(&m->alt_text, alt && *alt ? alt : NULL);
	if (qr_json_int(blob, "size", &size))
		m->size = size;
	if (cid && did) {
		qr_buf url = QR_BUF_INIT;
		if (strcmp(type, "video") == 0)
			qr_buf_addf(&url, CDN_VIDEO "%s/%s/playlist.m3u8", did, cid);
		else
			qr_buf_addf(&url, CDN_IMAGE "%s/%s@jpeg", did, cid);
		qr_set(&m->url, url.buf);
		qr_buf_release(&url);
	}
}

/* A link card; a GIF picked in the app is a card of a Tenor GIF. */
static void add_external(qr_post *p, const cJSON *ext)
{
	const char *uri = qr_json_str(ext, "uri");
	if (!uri || !*uri)
		return;
	qr_buf host = QR_BUF_INIT;
	qr_url_host(uri, &host);
	bool gif = strcmp(host.buf, "media.tenor.com") == 0 || qr_ends_with(uri, ".gif");
	qr_media *m = qr_post_add_media(p);
	qr_set(&m->type, gif ? "gif" : "link");
	qr_set(&m->url, uri);
	const char *title = qr_json_str(ext, "title"), *desc = qr_json_str(ext, "description");
	qr_set(&m->alt_text, title && *title ? title : desc && *desc ? desc : NULL);
	qr_strv_push_unique(&p->urls, uri, false);
	qr_buf_release(&host);
}

static void add_media(qr_post *p, const cJSON *media, const char *did)
{
	const char *type = qr_json_str(media, "$type");
	if (!type)
		return;
	if (strcmp(type, "app.bsky.embed.images") == 0) {
		const cJSON *img;
		cJSON_ArrayForEach(img, qr_json_get(media, "images"))
			add_blob(p, qr_json_get(img, "image"), "photo", qr_json_str(img, "alt"), did);
	} else if (strcmp(type, "app.bsky.embed.video") == 0) {
		add_blob(p, qr_json_get(media, "video"), "video", qr_json_str(media, "alt"), did);
	} else if (strcmp(type, "app.bsky.embed.external") == 0) {
		add_external(p, qr_json_get(media, "external"));
	}
}

/* A quoted record: a post is quoted; a feed, list or starter pack is
 * linked. */
static void add_quoted(qr_post *p, const char *uri)
{
	qr_buf url = QR_BUF_INIT;
	if (at_uri_url(uri, &url) && qr_bsky_ref(&p->quote_of, uri))
		qr_strv_push_unique(&p->urls, url.buf, false);
	else if (uri)
		qr_kvv_set(&p->extra, "embedded_record", uri);
	qr_buf_release(&url);
}

static void read_embed(qr_post *p, const cJSON *embed, const char *did)
{
	const char *type = qr_json_str(embed, "$type");
	if (!type)
		return;
	if (strcmp(type, "app.bsky.embed.record") == 0) {
		add_quoted(p, qr_json_str(embed, "record.uri"));
	} else if (strcmp(type, "app.bsky.embed.recordWithMedia") == 0) {
		add_quoted(p, qr_json_str(embed, "record.record.uri"));
		add_media(p, qr_json_get(embed, "media"), did);
	} else {
		add_media(p, embed, did);
	}
}

static void read_labels(qr_post *p, const cJSON *record)
{
	qr_buf vals = QR_BUF_INIT;
	const cJSON *one;
	cJSON_ArrayForEach(one, qr_json_get(record, "labels.values"))
	{
		const char *v = qr_json_str(one, "val");
		if (v && *v)
			qr_buf_addf(&vals, "%s%s", vals.len ? " " : "", v);
	}
	if (vals.len)
		qr_kvv_set(&p->extra, "labels", vals.buf);
	qr_buf_release(&vals);
}

static void read_langs(qr_post *p, const cJSON *record)
{
	const cJSON *langs = qr_json_get(record, "langs"), *one;
	qr_buf all = QR_BUF_INIT;
	cJSON_ArrayForEach(one, array_of(langs))
		if (cJSON_IsString(one) && one->valuestring[0])
			qr_buf_addf(&all, "%s%s", all.len ? " " : "", one->valuestring);
	if (all.len) {
		qr_setn(&p->lang, all.buf, strcspn(all.buf, " "));
		if (strchr(all.buf, ' '))
			qr_kvv_set(&p->extra, "langs", all.buf);
	}
	qr_buf_release(&all);
}

static int post_record(const cJSON *record, const qr_bsky_where *w, qr_posts *out, qr_buf *why)
{
	const cJSON *text = qr_json_get(record, "text");
	if (text && !cJSON_IsString(text)) {
		qr_buf_setf(why, "text is not a string");
		return QR_BAD_INPUT;
	}
	qr_post *p = new_post(out, w);
	set_time(p, record, w->rkey);
	qr_set(&p->text, text ? text->valuestring : "");
	read_facets(p, record, text ? text->valuestring : NULL);
	read_langs(p, record);
	read_embed(p, qr_json_get(record, "embed"), w->did);
	read_labels(p, record);
	const char *parent = qr_json_str(record, "reply.parent.uri"), *root = qr_json_str(record, "reply.root.uri");
	if (parent)
		qr_bsky_ref(&p->reply_to, parent);
	if (root) {
		char *rid = NULL;
		if (qr_bsky_ref(&rid, root))
			qr_kvv_set(&p->extra, "reply_root", rid);
		free(rid);
	}
	qr_set(&p->kind, p->quote_of ? "quote" : p->reply_to ? "reply" : "original");
	return QR_OK;
}

static int repost_record(const cJSON *record, const qr_bsky_where *w, qr_posts *out, qr_buf *why)
{
	const char *subject = qr_json_str(record, "subject.uri");
	qr_buf url = QR_BUF_INIT;
	if (!subject || !at_uri_url(subject, &url)) {
		qr_buf_setf(why, "repost without a post's at-uri as its subject");
		qr_buf_release(&url);
		return QR_BAD_INPUT;
	}
	qr_post *p = new_post(out, w);
	set_time(p, record, w->rkey);
	qr_bsky_ref(&p->repost_of, subject);
	qr_set(&p->kind, "repost");
	/* A repost has no page of its own: it shows the post. */
	qr_set(&p->url, url.buf);
	qr_set(&p->text, url.buf);
	qr_strv_push(&p->urls, url.buf);
	qr_kvv_set(&p->extra, "subject", subject);
	qr_buf_release(&url);
	return QR_OK;
}

int qr_bsky_record(const cJSON *record, const qr_bsky_where *w, qr_posts *out, qr_buf *why)
{
	const char *type = qr_json_str(record, "$type");
	const char *collection = w->collection ? w->collection : type;
	if (!cJSON_IsObject(record)) {
		qr_buf_setf(why, "the record is not an object");
		return QR_BAD_INPUT;
	}
	if (!qr_bsky_makes_post(collection)) {
		qr_buf_setf(why, "a %.80s record holds no post", collection ? collection : "untyped");
		return QR_SKIP;
	}
	if (!w->did || !w->rkey || !*w->did || !*w->rkey) {
		qr_buf_setf(why, "a record without its account or record key");
		return QR_BAD_INPUT;
	}
	if (strcmp(collection, QR_BSKY_POST) == 0)
		return post_record(record, w, out, why);
	return repost_record(record, w, out, why);
}

void qr_bsky_tombstone(qr_posts *out, const char *did, const char *collection, const char *rkey, const char *handle,
		       int64_t when)
{
	qr_bsky_where w = { did, collection, rkey, NULL, handle, NULL };
	qr_post *p = new_post(out, &w);
	p->deleted = true;
	p->deleted_at = when;
	p->tombstone = true;
}
