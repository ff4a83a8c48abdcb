/*
 * Gnip Activity Streams tweets (PowerTrack, Historical PowerTrack, Search
 * API in "activity streams" format): postedTime, body, actor, object,
 * twitter_entities, long_object for posts past 140 characters, and
 * gnip.matching_rules.  A retweet is a "share" whose object is the
 * original activity.  Gnip's "original format" is v1.1 and read by
 * twitter-v1.  A page of the Search API, {"results": [...], "next"},
 * gives its activities (an empty page none).
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
	char c = qr_head_first(head, n);
	if (c != '{' && c != '[')
		return 0;
	if (!qr_head_has_key(head, n, "postedTime"))
		return 0;
	int score = 50;
	if (qr_head_has_key(head, n, "actor"))
		score += 20;
	if (qr_head_has_key(head, n, "verb"))
		score += 15;
	if (qr_head_has_key(head, n, "objectType"))
		score += 10;
	return score;
}

/* The numeric id at the end of "tag:search.twitter.com,2005:123",
 * "id:twitter.com:123" or "http://twitter.com/x/statuses/123". */
static bool tail_id(const char *s, qr_buf *out)
{
	qr_buf_reset(out);
	if (!s)
		return false;
	size_t n = strlen(s), i = n;
	while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	if (i == n || n - i > 20)
		return false;
	qr_buf_add(out, s + i, n - i);
	return true;
}

/* The text and the entities it goes with: long_object when there is one. */
static const cJSON *text_holder(const cJSON *act)
{
	const cJSON *lo = qr_json_get(act, "long_object");
	return cJSON_IsObject(lo) && qr_json_str(lo, "body") ? lo : act;
}

static const cJSON *media_of(const cJSON *holder, const cJSON *act)
{
	static const char *paths[] = { "twitter_extended_entities.media", "twitter_entities.media" };
	for (int k = 0; k < 2; k++) {
		const cJSON *h = k == 0 ? holder : act;
		for (size_t i = 0; i < 2; i++) {
			const cJSON *m = qr_json_get(h, paths[i]);
			if (cJSON_IsArray(m) && cJSON_GetArraySize(m) > 0)
				return m;
		}
	}
	return NULL;
}

static int activity_to_post(const cJSON *a, qr_posts *out, qr_buf *why)
{
	qr_buf id = QR_BUF_INIT, tmp = QR_BUF_INIT, text = QR_BUF_INIT;
	int64_t created;
	int st = QR_BAD_INPUT;

	if (!tail_id(qr_json_str(a, "id"), &id)) {
		qr_buf_setf(why, "activity has no tweet id (\"id\": \"tag:search.twitter.com,2005:...\")");
		goto out;
	}
	const char *when = qr_json_str(a, "postedTime");
	if (!when || !qr_time_parse_iso(when, &created)) {
		qr_buf_setf(why, "activity %s: postedTime missing or not an ISO 8601 time", id.buf);
		goto out;
	}
	const cJSON *actor = qr_json_get(a, "actor");
	if (!cJSON_IsObject(actor)) {
		qr_buf_setf(why, "activity %s has no actor", id.buf);
		goto out;
	}
	const char *verb = qr_json_str(a, "verb");
	const cJSON *orig = NULL;
	if (verb && strcmp(verb, "share") == 0) {
		orig = qr_json_get(a, "object");
		if (!cJSON_IsObject(orig) || !qr_json_str(orig, "body"))
			orig = NULL;
	}
	const cJSON *src = orig ? orig : a;
	const cJSON *holder = text_holder(src);
	const char *body = qr_json_str(holder, "body");
	if (!body) {
		qr_buf_setf(why, "activity %s has no body", id.buf);
		goto out;
	}
	const cJSON *ents = qr_json_get(holder, "twitter_entities");
	if (!cJSON_IsObject(ents))
		ents = qr_json_get(src, "twitter_entities");
	const cJSON *media = media_of(holder, src);
	qr_buf_adds(&text, body);
	qr_twitter_expand_v1_links(&text, ents, media);

	qr_post *p = qr_posts_add(out);
	qr_post_set_id(p, "twitter", id.buf);
	p->created = created;
	bool author_id = tail_id(qr_json_str(actor, "id"), &tmp);
	qr_twitter_set_author(p, author_id ? tmp.buf : NULL, qr_json_str(actor, "preferredUsername"),
			      qr_json_str(actor, "displayName"));
	const char *lang = qr_json_str(a, "twitter_lang");
	if (lang && *lang)
		qr_set(&p->lang, lang);

	qr_buf_reset(&tmp);
	if (orig) {
		const char *oh = qr_json_str(orig, "actor.preferredUsername");
		qr_buf_addf(&tmp, "RT @%s: ", oh ? oh : "?");
	}
	qr_html_decode(&tmp, text.buf, text.len);
	qr_set(&p->text, tmp.buf);

	/* The post's own entities: the long object's when there is one (the
	 * short body's only add the "see more" link). */
	qr_twitter_add_v1_entities(p, qr_json_get(text_holder(a), "twitter_entities"));
	if (orig)
		qr_twitter_add_v1_entities(p, ents);
	qr_twitter_add_v1_media(p, media);

	if (orig && tail_id(qr_json_str(orig, "id"), &tmp))
		qr_twitter_set_ref(&p->repost_of, tmp.buf);
	const cJSON *q = qr_json_get(a, "twitter_quoted_status");
	if (cJSON_IsObject(q) && tail_id(qr_json_str(q, "id"), &tmp))
		qr_twitter_set_ref(&p->quote_of, tmp.buf);
	if (tail_id(qr_json_str(a, "inReplyTo.link"), &tmp))
		qr_twitter_set_ref(&p->reply_to, tmp.buf);
	qr_set(&p->kind, p->repost_of ? "repost" : p->quote_of ? "quote" : p->reply_to ? "reply" : "original");

	qr_post_metric_json(p, a, "retweetCount", "reposts");
	qr_post_metric_json(p, a, "favoritesCount", "likes");
	const char *place = qr_json_str(a, "location.displayName");
	if (place)
		qr_kvv_set(&p->extra, "place", place);
	qr_twitter_matching_rules(p, qr_json_get(a, "gnip.matching_rules"));
	st = QR_OK;
out:
	qr_buf_release(&id);
	qr_buf_release(&tmp);
	qr_buf_release(&text);
	return st;
}

static int one_activity(const cJSON *a, qr_posts *out, qr_buf *why)
{
	if (qr_json_get(a, "info") && !qr_json_get(a, "postedTime")) {
		/* Replay and Historical PowerTrack close with an info activity. */
		const char *msg = qr_json_str(a, "info.message");
		qr_buf_setf(why, "Gnip info message '%s'", msg ? msg : "?");
		return QR_SKIP;
	}
	if (qr_json_get(a, "error") && !qr_json_get(a, "postedTime")) {
		qr_buf_setf(why, "Gnip error message");
		return QR_SKIP;
	}
	const char *verb = qr_json_str(a, "verb");
	if (verb && strcmp(verb, "delete") == 0) {
		qr_buf_setf(why, "delete activity");
		return QR_SKIP;
	}
	return activity_to_post(a, out, why);
}

/* A search API page, {"results": [activities], "next", ...}: every
 * activity in it; an empty page holds no post. */
static int search_page(const cJSON *results, qr_posts *out, qr_buf *why)
{
	const cJSON *a;
	size_t bad = 0;
	qr_buf first = QR_BUF_INIT;
	cJSON_ArrayForEach(a, results) {
		qr_buf_reset(why);
		if (one_activity(a, out, why) == QR_BAD_INPUT && bad++ == 0)
			qr_buf_setf(&first, "%s", why->buf);
	}
	int st = qr_page_result(out, bad, first.buf, "no valid activity in the search page: ",
				"search page without activities", why);
	qr_buf_release(&first);
	return st;
}

static int normalize(const char *data, size_t len, qr_posts *out, qr_buf *why)
{
	cJSON *a = qr_parse_object(data, len, why);
	if (!a)
		return QR_BAD_INPUT;
	const cJSON *results = qr_json_get(a, "results");
	int st = cJSON_IsArray(results) && !qr_json_get(a, "postedTime") ? search_page(results, out, why)
									  : one_activity(a, out, why);
	cJSON_Delete(a);
	return st;
}

const qr_format qr_format_gnip_activity = {
	.name = "gnip-activity",
	.description = "Gnip Activity Streams tweets (postedTime, body, actor, object, long_object, matching_rules)",
	.bid = bid,
	.next = NULL,
	.normalize = normalize,
};
