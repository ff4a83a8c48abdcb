/*
 * Twitter API v2 as twarc2 writes it: one response page per line (data[]
 * with includes{users,tweets,media,places,polls}, meta, __twarc), filtered
 * stream lines where data is one tweet, and the flattened form (one tweet
 * per line with author, media and referenced tweets inlined).  A record may
 * hold many tweets (a page) or none (counts, compliance, errors).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "json.h"
#include "reader_util.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"
#include "twitter_common.h"

static int bid(const char *head, size_t n, const char *member)
{
	(void)member;
	if (qr_head_first(head, n) != '{')
		return 0;
	if (qr_head_has_key(head, n, "__twarc"))
		return 95;
	if (qr_head_has_key(head, n, "data") &&
	    (qr_head_has_key(head, n, "includes") || qr_head_has_key(head, n, "meta") ||
	     qr_head_has_key(head, n, "errors") || qr_head_has_key(head, n, "matching_rules")))
		return 90;
	if (qr_head_has_key(head, n, "edit_history_tweet_ids") ||
	    (qr_head_has_key(head, n, "author_id") && qr_head_has_key(head, n, "conversation_id")))
		return 85;
	/* An empty search page: {"meta": {"result_count": 0}}; an empty
	 * list, {"data": []}; a users lookup, accounts and no tweets. */
	if (qr_head_has_key(head, n, "meta") && qr_head_has_key(head, n, "result_count"))
		return 70;
	if (qr_head_key_empty(head, n, "data"))
		return 60;
	if (qr_head_has_key(head, n, "data") && qr_head_has_key(head, n, "username") &&
	    !qr_head_has_key(head, n, "screen_name"))
		return 40;
	if (qr_head_has(head, n, "api.twitter.com/2/problems"))
		return 60;
	/* Batch compliance results: {"id", "action", "created_at", "reason"}. */
	if (qr_head_has_key(head, n, "action") && qr_head_has_key(head, n, "id") && qr_head_has_key(head, n, "reason") &&
	    !qr_head_has_key(head, n, "text"))
		return 50;
	return 0;
}

/* What a page offers to resolve references. */
struct page {
	const cJSON *users, *tweets, *media, *places, *polls;
};

static const cJSON *find_by(const cJSON *arr, const char *key, const char *value)
{
	const cJSON *e;
	qr_buf id = QR_BUF_INIT;
	const cJSON *found = NULL;
	if (!value)
		return NULL;
	cJSON_ArrayForEach(e, arr) {
		if (qr_json_id(e, key, &id) && strcmp(id.buf, value) == 0) {
			found = e;
			break;
		}
	}
	qr_buf_release(&id);
	return found;
}

static bool is_tweet(const cJSON *t)
{
	return cJSON_IsObject(t) && qr_json_get(t, "id") &&
	       (cJSON_IsString(qr_json_get(t, "text")) || cJSON_IsString(qr_json_get(t, "note_tweet.text")));
}

/* The author: inlined (flattened form) or from includes.users. */
static const cJSON *author_of(const struct page *pg, const cJSON *t)
{
	const cJSON *a = qr_json_get(t, "author");
	if (cJSON_IsObject(a))
		return a;
	qr_buf id = QR_BUF_INIT;
	const cJSON *u = qr_json_id(t, "author_id", &id) ? find_by(pg->users, "id", id.buf) : NULL;
	qr_buf_release(&id);
	return u;
}

/* A referenced tweet: inlined when it has a text (flattened), else from
 * includes.tweets; NULL when the page does not hold it. */
static const cJSON *resolve_ref(const struct page *pg, const cJSON *ref)
{
	if (is_tweet(ref))
		return ref;
	qr_buf id = QR_BUF_INIT;
	const cJSON *t = qr_json_id(ref, "id", &id) ? find_by(pg->tweets, "id", id.buf) : NULL;
	qr_buf_release(&id);
	return is_tweet(t) ? t : NULL;
}

/* Long posts keep their whole text in note_tweet. */
static const char *full_text(const cJSON *t)
{
	const char *s = qr_json_str(t, "note_tweet.text");
	return s ? s : qr_json_str(t, "text");
}

static const cJSON *entities_of(const cJSON *t)
{
	const cJSON *e = qr_json_get(t, "note_tweet.entities");
	return cJSON_IsObject(e) ? e : qr_json_get(t, "entities");
}

/* A link entity that points at the tweet's own media. */
static bool media_link(const cJSON *u)
{
	const char *disp = qr_json_str(u, "display_url");
	return qr_json_get(u, "media_key") || (disp && qr_starts_with(disp, "pic.twitter.com/")) ||
	       (disp && qr_starts_with(disp, "pic.x.com/"));
}

static void expand_links(qr_buf *text, const cJSON *ents)
{
	const cJSON *u;
	cJSON_ArrayForEach(u, qr_json_get(ents, "urls")) {
		const char *tco = qr_json_str(u, "url");
		const char *exp = qr_json_str(u, "expanded_url");
		if (!tco)
			continue;
		if (media_link(u))
			qr_twitter_replace_all(text, tco, "");
		else if (exp)
			qr_twitter_replace_all(text, tco, exp);
	}
	qr_twitter_trim_end(text);
}

static void add_entities(qr_post *p, const cJSON *ents)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, qr_json_get(ents, "hashtags")) {
		const char *t = qr_json_str(e, "tag");
		if (t && *t)
			qr_strv_push_unique(&p->hashtags, t, true);
	}
	cJSON_ArrayForEach(e, qr_json_get(ents, "mentions")) {
		const char *t = qr_json_str(e, "username");
		if (t && *t)
			qr_strv_push_unique(&p->mentions, t, true);
	}
	cJSON_ArrayForEach(e, qr_json_get(ents, "urls")) {
		if (media_link(e))
			continue;
		const char *t = qr_json_str(e, "unwound_url");
		if (!t)
			t = qr_json_str(e, "expanded_url");
		if (!t)
			t = qr_json_str(e, "url");
		if (t && *t)
			qr_strv_push_unique(&p->urls, t, false);
	}
}

static void add_one_media(qr_post *p, const cJSON *m)
{
	const char *type = qr_json_str(m, "type");
	if (!type)
		return;
	qr_media *md = qr_post_add_media(p);
	qr_set(&md->type, strcmp(type, "animated_gif") == 0 ? "gif" : type);
	qr_set(&md->key, qr_json_str(m, "media_key"));
	const char *alt = qr_json_str(m, "alt_text");
	if (alt && *alt)
		qr_set(&md->alt_text, alt);
	const char *still = qr_json_str(m, "url");
	if (!still)
		still = qr_json_str(m, "preview_image_url");
	qr_set(&md->url, still);
	/* Video and GIFs: the best MP4 is the URL; every rendition and the
	 * preview are variants. */
	bool video = qr_twitter_add_variants(md, qr_json_get(m, "variants"), "bit_rate");
	const char *preview = qr_json_str(m, "preview_image_url");
	if (video && preview)
		qr_strv_push_unique(&md->variants, preview, false);
	int64_t ms;
	if (qr_json_int(m, "duration_ms", &ms))
		md->duration_ms = ms;
}

static void add_media(qr_post *p, const struct page *pg, const cJSON *t)
{
	const cJSON *m;
	/* Flattened: the media objects are inlined. */
	const cJSON *inl = qr_json_get(t, "attachments.media");
	if (cJSON_IsArray(inl)) {
		cJSON_ArrayForEach(m, inl)
			add_one_media(p, m);
		return;
	}
	cJSON_ArrayForEach(m, qr_json_get(t, "attachments.media_keys")) {
		if (!cJSON_IsString(m))
			continue;
		const cJSON *md = find_by(pg->media, "media_key", m->valuestring);
		if (md) {
			add_one_media(p, md);
		} else {
			/* Keep the key: the file may be found later by it. */
			qr_media *x = qr_post_add_media(p);
			qr_set(&x->type, "unknown");
			qr_set(&x->key, m->valuestring);
		}
	}
}

static void add_poll(qr_post *p, const struct page *pg, const cJSON *t)
{
	const cJSON *pid, *opt;
	qr_buf out = QR_BUF_INIT;
	int64_t votes;
	cJSON_ArrayForEach(pid, qr_json_get(t, "attachments.poll_ids")) {
		if (!cJSON_IsString(pid))
			continue;
		const cJSON *poll = find_by(pg->polls, "id", pid->valuestring);
		cJSON_ArrayForEach(opt, qr_json_get(poll, "options")) {
			const char *label = qr_json_str(opt, "label");
			if (!label)
				continue;
			qr_buf_addf(&out, "%s%s", out.len ? "; " : "", label);
			if (qr_json_int(opt, "votes", &votes))
				qr_buf_addf(&out, " (%lld)", (long long)votes);
		}
	}
	if (out.len)
		qr_kvv_set(&p->extra, "poll", out.buf);
	qr_buf_release(&out);
}

static void add_place(qr_post *p, const struct page *pg, const cJSON *t)
{
	const char *name = qr_json_str(t, "geo.full_name"); /* flattened */
	if (!name) {
		const cJSON *pl = find_by(pg->places, "id", qr_json_str(t, "geo.place_id"));
		name = qr_json_str(pl, "full_name");
	}
	if (name)
		qr_kvv_set(&p->extra, "place", name);
	const cJSON *c = qr_json_get(t, "geo.coordinates.coordinates");
	if (cJSON_IsArray(c) && cJSON_GetArraySize(c) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(c, 0)) &&
	    cJSON_IsNumber(cJSON_GetArrayItem(c, 1))) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%.8g,%.8g", cJSON_GetArrayItem(c, 0)->valuedouble,
			 cJSON_GetArrayItem(c, 1)->valuedouble);
		qr_kvv_set(&p->extra, "coordinates", buf);
	}
}

static void add_edits(qr_post *p, const cJSON *t, const char *id)
{
	const cJSON *hist = qr_json_get(t, "edit_history_tweet_ids"), *e;
	if (cJSON_GetArraySize(hist) < 2)
		return;
	qr_buf chain = QR_BUF_INIT;
	cJSON_ArrayForEach(e, hist)
		if (cJSON_IsString(e))
			qr_buf_addf(&chain, "%s%s", chain.len ? "," : "", e->valuestring);
	qr_kvv_set(&p->extra, "edit_history", chain.buf);
	const cJSON *first = cJSON_GetArrayItem(hist, 0);
	if (cJSON_IsString(first) && strcmp(first->valuestring, id) != 0) {
		qr_buf_setf(&chain, "twitter:%s", first->valuestring);
		qr_kvv_set(&p->extra, "edit_of", chain.buf);
	}
	qr_buf_release(&chain);
}

/* One v2 tweet into one post. */
static int tweet_to_post(const struct page *pg, const cJSON *t, qr_posts *out, qr_buf *why)
{
	qr_buf id = QR_BUF_INIT, tmp = QR_BUF_INIT, text = QR_BUF_INIT, rid = QR_BUF_INIT;
	int64_t created = QR_TIME_UNKNOWN;
	int st = QR_BAD_INPUT;

	if (!qr_json_id(t, "id", &id) || !qr_twitter_valid_id(id.buf)) {
		qr_buf_setf(why, "tweet has no valid id");
		goto out;
	}
	const cJSON *when = qr_json_get(t, "created_at");
	if (when && !cJSON_IsNull(when) && (!cJSON_IsString(when) || !qr_time_parse_iso(when->valuestring, &created))) {
		qr_buf_setf(why, "tweet %s: created_at is not an ISO 8601 time", id.buf);
		goto out;
	}
	const char *body = full_text(t);
	if (!body) {
		qr_buf_setf(why, "tweet %s has no text", id.buf);
		goto out;
	}

	/* References: a retweet shows the original's full text. */
	const cJSON *ref, *rt = NULL, *rt_ref = NULL;
	cJSON_ArrayForEach(ref, qr_json_get(t, "referenced_tweets")) {
		const char *type = qr_json_str(ref, "type");
		if (type && strcmp(type, "retweeted") == 0) {
			rt_ref = ref;
			rt = resolve_ref(pg, ref);
		}
	}
	const cJSON *src = rt ? rt : t;
	bool truncated = false;
	if (rt) {
		const cJSON *ra = author_of(pg, rt);
		const char *h = qr_json_str(ra, "username");
		qr_buf_addf(&text, "RT @%s: ", h ? h : "?");
		qr_buf tail = QR_BUF_INIT;
		qr_buf_adds(&tail, full_text(rt));
		expand_links(&tail, entities_of(rt));
		qr_buf_add(&text, tail.buf, tail.len);
		qr_buf_release(&tail);
	} else {
		qr_buf_adds(&text, body);
		expand_links(&text, entities_of(t));
		/* A retweet whose original the page does not hold keeps the
		 * API's cut text: say so. */
		if (rt_ref && qr_ends_with(body, "\xE2\x80\xA6"))
			truncated = true;
	}

	qr_post *p = qr_posts_add(out);
	qr_post_set_id(p, "twitter", id.buf);
	p->created = created;
	const cJSON *author = author_of(pg, t);
	bool author_id = qr_json_id(t, "author_id", &tmp) || qr_json_id(author, "id", &tmp);
	qr_twitter_set_author(p, author_id ? tmp.buf : NULL, qr_json_str(author, "username"),
			      qr_json_str(author, "name"));
	const char *lang = qr_json_str(t, "lang");
	if (lang && *lang)
		qr_set(&p->lang, lang);
	qr_buf_reset(&tmp);
	qr_html_decode(&tmp, text.buf, text.len);
	qr_set(&p->text, tmp.buf);

	add_entities(p, entities_of(t));
	if (rt)
		add_entities(p, entities_of(rt));
	add_media(p, pg, src);
	add_poll(p, pg, src);

	cJSON_ArrayForEach(ref, qr_json_get(t, "referenced_tweets")) {
		const char *type = qr_json_str(ref, "type");
		if (!type || !qr_json_id(ref, "id", &rid) || !qr_twitter_valid_id(rid.buf))
			continue;
		if (strcmp(type, "retweeted") == 0)
			qr_twitter_set_ref(&p->repost_of, rid.buf);
		else if (strcmp(type, "quoted") == 0)
			qr_twitter_set_ref(&p->quote_of, rid.buf);
		else if (strcmp(type, "replied_to") == 0)
			qr_twitter_set_ref(&p->reply_to, rid.buf);
	}
	qr_set(&p->kind, p->repost_of ? "repost" : p->quote_of ? "quote" : p->reply_to ? "reply" : "original");

	const cJSON *metrics = qr_json_get(src, "public_metrics");
	qr_post_metric_json(p, metrics, "retweet_count", "reposts");
	qr_post_metric_json(p, metrics, "like_count", "likes");
	qr_post_metric_json(p, metrics, "reply_count", "replies");
	qr_post_metric_json(p, metrics, "quote_count", "quotes");
	qr_post_metric_json(p, metrics, "impression_count", "impressions");
	qr_post_metric_json(p, metrics, "bookmark_count", "bookmarks");

	add_place(p, pg, t);
	add_edits(p, t, id.buf);
	if (qr_json_id(t, "conversation_id", &tmp))
		qr_kvv_set(&p->extra, "conversation_id", tmp.buf);
	if (qr_json_true(t, "possibly_sensitive"))
		qr_kvv_set(&p->extra, "sensitive", "true");
	if (qr_json_get(t, "note_tweet.text"))
		qr_kvv_set(&p->extra, "long_post", "true");
	const cJSON *cc = qr_json_get(t, "withheld.country_codes"), *c;
	qr_buf_reset(&tmp);
	cJSON_ArrayForEach(c, cc)
		if (cJSON_IsString(c))
			qr_buf_addf(&tmp, "%s%s", tmp.len ? "," : "", c->valuestring);
	if (tmp.len)
		qr_kvv_set(&p->extra, "withheld_in", tmp.buf);
	if (truncated)
		qr_kvv_set(&p->extra, "text_truncated", "true");
	st = QR_OK;
out:
	qr_buf_release(&id);
	qr_buf_release(&tmp);
	qr_buf_release(&text);
	qr_buf_release(&rid);
	return st;
}

static void provenance(qr_posts *out, size_t from, const cJSON *root)
{
	const cJSON *tw = qr_json_get(root, "__twarc");
	const cJSON *rules = qr_json_get(root, "matching_rules");
	for (size_t i = from; i < out->n; i++) {
		qr_post *p = &out->v[i];
		const char *s;
		if ((s = qr_json_str(tw, "url")))
			qr_kvv_set(&p->source.provenance, "request_url", s);
		if ((s = qr_json_str(tw, "version")))
			qr_kvv_set(&p->source.provenance, "twarc_version", s);
		if ((s = qr_json_str(tw, "retrieved_at")))
			qr_kvv_set(&p->source.provenance, "retrieved_at", s);
		qr_twitter_matching_rules(p, rules);
	}
}

/* Earlier versions of an edited tweet that the page carries in includes:
 * each is a post of its own (its own id), tied by edit_history. */
static void add_versions(const struct page *pg, const cJSON *data, bool one, qr_posts *out)
{
	const cJSON *t, *v;
	qr_buf id = QR_BUF_INIT;
	size_t count = one ? 1 : (size_t)cJSON_GetArraySize(data);
	cJSON_ArrayForEach(t, pg->tweets) {
		if (!is_tweet(t) || !qr_json_id(t, "id", &id))
			continue;
		bool in_data = false, version = false;
		for (size_t i = 0; i < count; i++) {
			const cJSON *d = one ? data : cJSON_GetArrayItem(data, (int)i);
			qr_buf did = QR_BUF_INIT;
			if (qr_json_id(d, "id", &did) && strcmp(did.buf, id.buf) == 0)
				in_data = true;
			qr_buf_release(&did);
			cJSON_ArrayForEach(v, qr_json_get(d, "edit_history_tweet_ids"))
				if (cJSON_IsString(v) && strcmp(v->valuestring, id.buf) == 0)
					version = true;
		}
		if (version && !in_data) {
			qr_buf ignored = QR_BUF_INIT;
			tweet_to_post(pg, t, out, &ignored);
			qr_buf_release(&ignored);
		}
	}
	qr_buf_release(&id);
}

static int page_to_posts(const cJSON *root, qr_posts *out, qr_buf *why)
{
	struct page pg = {
		qr_json_get(root, "includes.users"),  qr_json_get(root, "includes.tweets"),
		qr_json_get(root, "includes.media"),  qr_json_get(root, "includes.places"),
		qr_json_get(root, "includes.polls"),
	};
	const cJSON *data = qr_json_get(root, "data");
	if (data && !cJSON_IsArray(data) && !cJSON_IsObject(data) && !cJSON_IsNull(data)) {
		qr_buf_setf(why, "\"data\" is neither an array nor an object");
		return QR_BAD_INPUT;
	}
	/* A stream line holds one tweet, a page an array of them. */
	bool one = cJSON_IsObject(data);
	size_t count = one ? 1 : (size_t)cJSON_GetArraySize(data);
	size_t bad = 0, other = 0;
	qr_buf first = QR_BUF_INIT;
	for (size_t i = 0; i < count; i++) {
		const cJSON *t = one ? data : cJSON_GetArrayItem(data, (int)i);
		if (!is_tweet(t)) {
			other++;
			continue;
		}
		qr_buf_reset(why);
		if (tweet_to_post(&pg, t, out, why) != QR_OK && bad++ == 0)
			qr_buf_setf(&first, "%s", why->buf);
	}
	if (out->n)
		add_versions(&pg, data, one, out);
	int st = qr_page_result(out, bad, first.buf, "",
				other			       ? "response page holds items that are not tweets (counts, users?)"
				: qr_json_get(root, "errors") ? "response page holds errors only"
							      : "response page holds no tweets",
				why);
	qr_buf_release(&first);
	return st;
}

static int normalize(const char *data, size_t len, qr_posts *out, qr_buf *why)
{
	cJSON *root = qr_parse_record(data, len, why);
	if (!root) {
		/* twarc2 cut off mid-write leaves a last line without its end. */
		size_t n = len;
		while (n && (data[n - 1] == ' ' || data[n - 1] == '\r' || data[n - 1] == '\n'))
			n--;
		if (n && data[n - 1] != '}') {
			qr_buf detail = QR_BUF_INIT;
			qr_buf_setf(&detail, "%s", why->buf);
			qr_buf_setf(why, "record is cut off after %zu bytes (%s)", len, detail.buf);
			qr_buf_release(&detail);
		}
		return QR_BAD_INPUT;
	}
	int st = QR_BAD_INPUT;
	if (!cJSON_IsObject(root)) {
		qr_buf_setf(why, "record is not a JSON object");
		goto out;
	}
	if (qr_json_get(root, "data") || (qr_json_get(root, "meta") && !qr_json_get(root, "id"))) {
		st = page_to_posts(root, out, why);
	} else if (is_tweet(root)) {
		struct page none = { 0 };
		st = tweet_to_post(&none, root, out, why);
	} else if (qr_json_get(root, "action") && qr_json_get(root, "id")) {
		qr_buf_setf(why, "compliance result '%s'", qr_json_str(root, "action") ? qr_json_str(root, "action") : "?");
		st = QR_SKIP;
	} else if (qr_json_get(root, "errors") || qr_json_get(root, "title")) {
		qr_buf_setf(why, "API error response");
		st = QR_SKIP;
	} else {
		qr_buf_setf(why, "not a Twitter API v2 object (no data, no id and text)");
	}
	if (st == QR_OK)
		provenance(out, 0, root);
out:
	cJSON_Delete(root);
	return st;
}

const qr_format qr_format_twitter_v2 = {
	.name = "twitter-v2",
	.description = "Twitter API v2 as twarc2 writes it: response pages, stream lines, flattened tweets",
	.bid = bid,
	.next = NULL,
	.normalize = normalize,
};
