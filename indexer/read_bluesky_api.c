/*
 * Saved Bluesky API responses (app.bsky.* over XRPC), one response per file
 * or one per line:
 *
 *   searchPosts                  {"posts": [postView...], "cursor", "hitsTotal"}
 *   getAuthorFeed, getTimeline,
 *   getFeed, getListFeed         {"feed": [{"post": postView, "reply", "reason"}...]}
 *   getPostThread                {"thread": {"post", "parent": {...}, "replies": [...]}}
 *   getPostThreadV2              {"thread": [{"uri", "depth", "value": {"post"}}...]}
 *   getPosts                     {"posts": [postView...]}
 *   a postView alone             {"uri", "cid", "author", "record", ...}
 *
 * Each postView (of "posts" and of every node of a thread) and each feed
 * item is a record, stored as the bytes it has in the response.  A
 * postView gives the post with its author's handle and display name and
 * its counts; a feed item whose "reason" is a repost is also the repost
 * (by reason.by, at reason.indexedAt; its id from reason.uri when the
 * response has it, else made from the reposter and the post).  The posts a
 * feed item shows only as context (reply.parent, reply.root) and quoted
 * posts are not read as posts: the file holds them only in part.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bluesky.h"
#include "format.h"
#include "input.h"
#include "reader_util.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

#define NAME "bluesky-api"
/* Deepest thread read (getPostThread's parentHeight goes to 1000). */
#define MAX_THREAD_DEPTH 1000

static int bid(const char *head, size_t n, const char *member)
{
	(void)member;
	if (qr_head_first(head, n) != '{' || !qr_head_has(head, n, "\"at://"))
		return 0;
	if (qr_head_has_key(head, n, "feed") && qr_head_has_key(head, n, "post"))
		return 90;
	if (qr_head_has_key(head, n, "thread") && qr_head_has_key(head, n, "post"))
		return 90;
	if (qr_head_has_key(head, n, "posts") && qr_head_has_key(head, n, "record"))
		return 90;
	/* Post views one per line, as some collectors save them. */
	if (qr_head_has_key(head, n, "uri") && qr_head_has_key(head, n, "record") && qr_head_has_key(head, n, "author"))
		return 85;
	return 0;
}

/* ---- finding the records' bytes in a response ---- */

struct span {
	size_t start, end;
};

struct doc {
	const char *s;
	size_t n;
	struct span *v;
	size_t count, alloc;
	bool bad;
	bool uri, record;           /* the document is itself a post view */
};

static size_t skip_ws(const struct doc *d, size_t i)
{
	while (i < d->n && strchr(" \t\r\n", d->s[i]) && d->s[i])
		i++;
	return i;
}

/* The end of the value at i (after it), or 0 when it is broken.  Framing
 * checked the brackets; this only steps over them. */
static size_t value_end(const struct doc *d, size_t i)
{
	if (i >= d->n)
		return 0;
	if (d->s[i] == '"') {
		for (i++; i < d->n; i++) {
			if (d->s[i] == '\\')
				i++;
			else if (d->s[i] == '"')
				return i + 1;
		}
		return 0;
	}
	if (d->s[i] == '{' || d->s[i] == '[') {
		size_t depth = 0;
		for (; i < d->n; i++) {
			char c = d->s[i];
			if (c == '"') {
				size_t e = value_end(d, i);
				if (!e)
					return 0;
				i = e - 1;
			} else if (c == '{' || c == '[') {
				depth++;
			} else if (c == '}' || c == ']') {
				if (--depth == 0)
					return i + 1;
			}
		}
		return 0;
	}
	size_t start = i;
	while (i < d->n && !strchr(",}] \t\r\n", d->s[i]) && d->s[i])
		i++;
	return i > start ? i : 0;   /* a stray bracket is no value */
}

/* Call fn for each member of the object at i (key without quotes). */
typedef void member_fn(struct doc *d, const char *key, size_t klen, size_t start, size_t end, int depth);

static void members(struct doc *d, size_t i, member_fn *fn, int depth)
{
	i = skip_ws(d, i);
	if (i >= d->n || d->s[i] != '{') {
		d->bad = true;
		return;
	}
	for (i = skip_ws(d, i + 1); i < d->n && d->s[i] != '}'; i = skip_ws(d, i)) {
		if (d->s[i] == ',') {
			i++;
			continue;
		}
		size_t kend = value_end(d, i);
		if (d->s[i] != '"' || !kend) {
			d->bad = true;
			return;
		}
		size_t colon = skip_ws(d, kend);
		if (colon >= d->n || d->s[colon] != ':') {
			d->bad = true;
			return;
		}
		size_t v = skip_ws(d, colon + 1), vend = value_end(d, v);
		if (!vend) {
			d->bad = true;
			return;
		}
		fn(d, d->s + i + 1, kend - i - 2, v, vend, depth);
		i = vend;
	}
}

static void add_span(struct doc *d, size_t start, size_t end)
{
	d->v = qr_grow_array(d->v, sizeof(*d->v), d->count + 1, &d->alloc);
	d->v[d->count++] = (struct span){ start, end };
}

/* Each element of the array at [start, end) that is an object. */
static void elements(struct doc *d, size_t start, size_t end, void (*fn)(struct doc *d, size_t s, size_t e, int depth),
		     int depth)
{
	if (d->s[start] != '[')
		return;
	for (size_t i = skip_ws(d, start + 1); i < end && d->s[i] != ']'; i = skip_ws(d, i)) {
		if (d->s[i] == ',') {
			i++;
			continue;
		}
		size_t e = value_end(d, i);
		if (!e || e > end) {
			d->bad = true;
			return;
		}
		if (d->s[i] == '{')
			fn(d, i, e, depth);
		i = e;
	}
}

static bool key_is(const char *key, size_t klen, const char *name)
{
	return klen == strlen(name) && memcmp(key, name, klen) == 0;
}

static void one_record(struct doc *d, size_t s, size_t e, int depth)
{
	(void)depth;
	add_span(d, s, e);
}

static void thread_node(struct doc *d, size_t s, size_t e, int depth);

static void thread_member(struct doc *d, const char *key, size_t klen, size_t s, size_t e, int depth)
{
	if (key_is(key, klen, "post") && d->s[s] == '{')
		add_span(d, s, e);
	else if (key_is(key, klen, "parent") && d->s[s] == '{')
		thread_node(d, s, e, depth + 1);
	else if (key_is(key, klen, "replies"))
		elements(d, s, e, thread_node, depth + 1);
	else if (key_is(key, klen, "value") && d->s[s] == '{')
		thread_node(d, s, e, depth + 1);    /* getPostThreadV2's items */
}

static void thread_node(struct doc *d, size_t s, size_t e, int depth)
{
	(void)e;
	if (depth > MAX_THREAD_DEPTH) {
		d->bad = true;
		return;
	}
	members(d, s, thread_member, depth);
}

static void top_member(struct doc *d, const char *key, size_t klen, size_t s, size_t e, int depth)
{
	if (key_is(key, klen, "posts") || key_is(key, klen, "feed"))
		elements(d, s, e, one_record, depth);
	else if (key_is(key, klen, "thread") && d->s[s] == '{')
		thread_node(d, s, e, depth + 1);
	else if (key_is(key, klen, "thread"))
		elements(d, s, e, thread_node, depth + 1);
	else if (key_is(key, klen, "uri"))
		d->uri = true;
	else if (key_is(key, klen, "record"))
		d->record = true;
}

/* ---- framing ---- */

struct state {
	qr_buf doc;
	qr_frame at;                /* where the response starts */
	struct span *v;
	size_t count, next;
	uint64_t line, line_pos;    /* the line at byte line_pos of doc */
};

static void state_free(qr_reader *r)
{
	struct state *st = r->state;
	if (!st)
		return;
	qr_buf_release(&st->doc);
	free(st->v);
	free(st);
	r->state = NULL;
}

static int next(qr_reader *r, qr_frame *f, qr_buf *why)
{
	struct state *st = r->state;
	if (!st) {
		st = r->state = qr_calloc(1, sizeof(*st));
		qr_buf_init(&st->doc);
	}
	while (st->next == st->count) {
		qr_frame doc;
		int got = qr_input_json(&r->in, &doc, why);
		if (got != QR_OK) {
			*f = doc;
			if (got == QR_END || got == QR_IO)
				state_free(r);
			return got;
		}
		qr_buf_reset(&st->doc);
		qr_buf_add(&st->doc, doc.data, doc.len);
		st->at = doc;
		struct doc d = { st->doc.buf, st->doc.len, NULL, 0, 0, false, false, false };
		members(&d, 0, top_member, 0);
		if (!d.count && !d.bad && d.uri && d.record)
			add_span(&d, 0, d.n);
		free(st->v);
		st->v = d.v;
		st->count = d.count;
		st->next = 0;
		st->line = doc.line;
		st->line_pos = 0;
		if (d.bad && !d.count) {
			*f = doc;
			qr_buf_setf(why, "not a Bluesky API response: %s",
				    doc.len && doc.data[0] == '{' ? "malformed" : "not a JSON object");
			return QR_BAD_INPUT;
		}
		if (!d.count) {
			/* An empty page ("feed": []) or a response of another
			 * kind: nothing to read in it. */
			continue;
		}
	}
	struct span sp = st->v[st->next++];
	for (; st->line_pos < sp.start; st->line_pos++)
		if (st->doc.buf[st->line_pos] == '\n')
			st->line++;
	f->data = st->doc.buf + sp.start;
	f->len = sp.end - sp.start;
	f->line = st->line;
	f->byte = st->at.byte + sp.start;
	return QR_OK;
}

/* ---- normalizing ---- */

static void set_author(qr_bsky_where *w, const cJSON *author)
{
	const char *handle = qr_json_str(author, "handle");
	w->did = qr_json_str(author, "did");
	w->handle = handle && *handle && strcmp(handle, "handle.invalid") ? handle : NULL;
	w->name = qr_json_str(author, "displayName");
}

/* A postView into a post; returns its status. */
static int post_view(const cJSON *view, qr_posts *out, qr_buf *why)
{
	qr_buf parts = QR_BUF_INIT;
	const char *authority, *collection, *rkey;
	const char *uri = qr_json_str(view, "uri");
	const cJSON *record = qr_json_get(view, "record");
	int st = QR_BAD_INPUT;
	if (!uri || !qr_bsky_at_uri(uri, &parts, &authority, &collection, &rkey)) {
		qr_buf_setf(why, "a post view without a post's at-uri");
		goto out;
	}
	if (!cJSON_IsObject(record)) {
		qr_buf_setf(why, "a post view without its record");
		goto out;
	}
	qr_bsky_where w = { NULL, collection, rkey, qr_json_str(view, "cid"), NULL, NULL };
	set_author(&w, qr_json_get(view, "author"));
	if (!w.did)
		w.did = authority;
	if ((st = qr_bsky_record(record, &w, out, why)) != QR_OK)
		goto out;
	qr_post *p = &out->v[out->n - 1];
	qr_post_metric_json(p, view, "likeCount", "likes");
	qr_post_metric_json(p, view, "repostCount", "reposts");
	qr_post_metric_json(p, view, "replyCount", "replies");
	qr_post_metric_json(p, view, "quoteCount", "quotes");
	const char *indexed = qr_json_str(view, "indexedAt");
	if (indexed)
		qr_kvv_set(&p->source.provenance, "indexed_at", indexed);
out:
	qr_buf_release(&parts);
	return st;
}

/* A feed item's reason, when it is a repost: the repost as a post. */
static int repost_reason(const cJSON *item, const cJSON *post, qr_posts *out, qr_buf *why)
{
	const cJSON *reason = qr_json_get(item, "reason");
	const char *type = qr_json_str(reason, "$type");
	if (!type || strcmp(type, "app.bsky.feed.defs#reasonRepost") != 0)
		return QR_OK;
	qr_bsky_where w = { NULL, QR_BSKY_REPOST, NULL, qr_json_str(reason, "cid"), NULL, NULL };
	set_author(&w, qr_json_get(reason, "by"));
	qr_buf parts = QR_BUF_INIT, made = QR_BUF_INIT, op = QR_BUF_INIT;
	const char *a, *c, *k;
	const char *uri = qr_json_str(post, "uri");
	if (qr_bsky_at_uri(qr_json_str(reason, "uri"), &parts, &a, &c, &k)) {
		w.rkey = k;
	} else if (qr_bsky_at_uri(uri, &op, &a, &c, &k)) {
		/* Older responses do not name the repost record: an id made
		 * of the post's author and key, the same in every response. */
		qr_buf_addf(&made, "repost-%s-%s", a, k);
		for (char *s = made.buf; *s; s++)
			if (*s == ':' || *s == '/')
				*s = '_';
		w.rkey = made.buf;
	}
	cJSON *record = cJSON_CreateObject();
	cJSON_AddStringToObject(record, "$type", QR_BSKY_REPOST);
	cJSON *subject = cJSON_AddObjectToObject(record, "subject");
	cJSON_AddStringToObject(subject, "uri", uri ? uri : "");
	const char *when = qr_json_str(reason, "indexedAt");
	if (when)
		cJSON_AddStringToObject(record, "createdAt", when);
	int st = w.did && w.rkey ? qr_bsky_record(record, &w, out, why) : QR_BAD_INPUT;
	if (!w.did || !w.rkey)
		qr_buf_setf(why, "a repost reason without its account or post");
	cJSON_Delete(record);
	qr_buf_release(&parts);
	qr_buf_release(&made);
	qr_buf_release(&op);
	return st;
}

static int normalize(const char *data, size_t len, qr_posts *out, qr_buf *why)
{
	cJSON *v = qr_parse_object(data, len, why);
	if (!v)
		return QR_BAD_INPUT;
	int st;
	const cJSON *post = qr_json_get(v, "post");
	if (!qr_json_get(v, "uri") && cJSON_IsObject(post)) {
		st = post_view(post, out, why);
		if (st == QR_OK)
			st = repost_reason(v, post, out, why);
	} else {
		st = post_view(v, out, why);
	}
	cJSON_Delete(v);
	return st;
}

const qr_format qr_format_bluesky_api = {
	.name = NAME,
	.description = "Bluesky API responses (searchPosts, getAuthorFeed, getTimeline, getPostThread): post views "
		       "with handles and counts, reposts from feed reasons",
	.bid = bid,
	.next = next,
	.normalize = normalize,
};
