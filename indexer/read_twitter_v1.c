/*
 * Twitter API v1.1 tweets (REST, streaming and the "original format" that
 * Gnip delivered), one object per line, a JSON array of them (or several
 * arrays, pages saved one after another), or pretty-printed objects one
 * after another.  Search responses ({"statuses": [...]}, premium search's
 * {"results": [...]}) give their tweets; pages that came back empty,
 * account objects (users lookup) and errors sent as pages hold no post and
 * are counted, not rejected.
 */
#include <math.h>
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
	if (!qr_head_has(head, n, "\"id_str\"") || !qr_head_has(head, n, "\"created_at\"")) {
		/* Pages that came back empty hold no tweet to recognise: a
		 * timeline's [] (other readers' arrays hold objects that bid),
		 * a search's {"statuses": [], "search_metadata"}, a premium
		 * search's {"results": [], "requestParameters"} (a Gnip
		 * Activity Streams search page looks the same when empty). */
		if (qr_head_empty_array(head, n))
			return 20;
		if (qr_head_key_empty(head, n, "statuses") && qr_head_has_key(head, n, "search_metadata"))
			return 80;
		if (qr_head_key_empty(head, n, "results") && qr_head_has_key(head, n, "requestParameters"))
			return 60;
		/* An error the API sent as a page: {"errors": [{"code",
		 * "message"}]} or {"error", "request"}. */
		if ((qr_head_has_key(head, n, "errors") && qr_head_has_key(head, n, "code") &&
		     qr_head_has_key(head, n, "message")) ||
		    (qr_head_has_key(head, n, "error") && qr_head_has_key(head, n, "request")))
			return 30;
		return 0;
	}
	int score = 40;
	if (qr_head_has(head, n, "\"user\""))
		score += 20;
	if (qr_head_has(head, n, "\"full_text\"") || qr_head_has(head, n, "\"text\""))
		score += 20;
	if (qr_head_has(head, n, "\"entities\""))
		score += 10;
	/* Activity Streams and API v2 carry their own markers. */
	if (qr_head_has(head, n, "\"postedTime\"") || qr_head_has(head, n, "\"edit_history_tweet_ids\""))
		score -= 50;
	return score > 0 ? score : 0;
}

/* A string member that, when present, must be a string. */
static bool opt_str(const cJSON *o, const char *path, const char **out, qr_buf *why)
{
	const cJSON *v = qr_json_get(o, path);
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsString(v)) {
		qr_buf_setf(why, "%s is not a string", path);
		return false;
	}
	*out = v->valuestring;
	return true;
}

static bool opt_obj(const cJSON *o, const char *path, const cJSON **out, qr_buf *why)
{
	const cJSON *v = qr_json_get(o, path);
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsObject(v)) {
		qr_buf_setf(why, "%s is not an object", path);
		return false;
	}
	*out = v;
	return true;
}

/* The containers the text, entities and media are read from: when present
 * they must be objects, or the post would silently lose what they hold. */
static bool check_containers(const cJSON *st, qr_buf *why)
{
	static const char *paths[] = { "extended_tweet", "entities", "extended_entities", "extended_tweet.entities",
				       "extended_tweet.extended_entities" };
	const cJSON *o;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!opt_obj(st, paths[i], &o, why))
			return false;
	return true;
}

/* The full text of a status: extended_tweet.full_text, full_text, text. */
static const char *full_text(const cJSON *st, qr_buf *why)
{
	static const char *paths[] = { "extended_tweet.full_text", "full_text", "text" };
	for (size_t i = 0; i < 3; i++) {
		const char *s;
		if (!opt_str(st, paths[i], &s, why))
			return NULL;
		if (s)
			return s;
	}
	qr_buf_setf(why, "no text, full_text or extended_tweet.full_text");
	return NULL;
}

/* Entities and media of a status: the extended ones when it has them. */
static const cJSON *entities(const cJSON *st)
{
	const cJSON *e = qr_json_get(st, "extended_tweet.entities");
	return cJSON_IsObject(e) ? e : qr_json_get(st, "entities");
}

static const cJSON *media_list(const cJSON *st)
{
	static const char *paths[] = { "extended_tweet.extended_entities.media", "extended_entities.media",
				       "extended_tweet.entities.media", "entities.media" };
	for (size_t i = 0; i < 4; i++) {
		const cJSON *m = qr_json_get(st, paths[i]);
		if (cJSON_IsArray(m) && cJSON_GetArraySize(m) > 0)
			return m;
	}
	return NULL;
}

/* v1.1 media, keyed by media_key where the API gives one. */
static void add_media(qr_post *p, const cJSON *list)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, list) {
		qr_media *md = qr_twitter_add_v1_medium(p, m, true);
		const char *mk = qr_json_str(m, "media_key");
		if (md && mk)
			qr_set(&md->key, mk);
	}
}

/* ---- types of every field the reader uses ---- */

/* A field of the wrong type is not skipped silently: the record is
 * rejected and says which field.  null always passes (Twitter writes it
 * for absent values). */
enum ftype { F_STR, F_OBJ, F_BOOL, F_INT, F_ID, F_OBJS };

struct ftable {
	const char *path;
	enum ftype type;
	const struct ftable *items;     /* F_OBJS: the fields of each element */
};

static const struct ftable hashtag_fields[] = { { "text", F_STR, NULL }, { NULL, F_STR, NULL } };
static const struct ftable mention_fields[] = { { "screen_name", F_STR, NULL }, { NULL, F_STR, NULL } };
static const struct ftable url_fields[] = { { "url", F_STR, NULL }, { "expanded_url", F_STR, NULL }, { NULL, F_STR, NULL } };
static const struct ftable variant_fields[] = {
	{ "url", F_STR, NULL }, { "content_type", F_STR, NULL }, { "bitrate", F_INT, NULL }, { NULL, F_STR, NULL },
};
static const struct ftable media_fields[] = {
	{ "type", F_STR, NULL }, { "media_key", F_STR, NULL }, { "id_str", F_ID, NULL }, { "id", F_ID, NULL },
	{ "ext_alt_text", F_STR, NULL }, { "media_url_https", F_STR, NULL }, { "media_url", F_STR, NULL },
	{ "url", F_STR, NULL }, { "video_info", F_OBJ, NULL }, { "video_info.variants", F_OBJS, variant_fields },
	{ "video_info.duration_millis", F_INT, NULL }, { NULL, F_STR, NULL },
};
static const struct ftable entity_fields[] = {
	{ "hashtags", F_OBJS, hashtag_fields }, { "user_mentions", F_OBJS, mention_fields },
	{ "urls", F_OBJS, url_fields }, { "media", F_OBJS, media_fields }, { NULL, F_STR, NULL },
};
static const struct ftable status_fields[] = {
	{ "id_str", F_ID, NULL }, { "id", F_ID, NULL }, { "created_at", F_STR, NULL }, { "lang", F_STR, NULL },
	{ "text", F_STR, NULL }, { "full_text", F_STR, NULL }, { "truncated", F_BOOL, NULL },
	{ "user", F_OBJ, NULL }, { "user.id_str", F_ID, NULL }, { "user.id", F_ID, NULL },
	{ "user.screen_name", F_STR, NULL }, { "user.name", F_STR, NULL },
	{ "extended_tweet", F_OBJ, NULL }, { "extended_tweet.full_text", F_STR, NULL },
	{ "entities", F_OBJ, NULL }, { "extended_entities", F_OBJ, NULL },
	{ "extended_tweet.entities", F_OBJ, NULL }, { "extended_tweet.extended_entities", F_OBJ, NULL },
	{ "retweeted_status", F_OBJ, NULL }, { "quoted_status", F_OBJ, NULL },
	{ "quoted_status_id_str", F_ID, NULL }, { "in_reply_to_status_id_str", F_ID, NULL },
	{ "retweet_count", F_INT, NULL }, { "favorite_count", F_INT, NULL }, { "reply_count", F_INT, NULL },
	{ "quote_count", F_INT, NULL }, { "place", F_OBJ, NULL }, { "place.full_name", F_STR, NULL },
	{ NULL, F_STR, NULL },
};
static const char *const entity_paths[] = { "entities", "extended_entities", "extended_tweet.entities",
					    "extended_tweet.extended_entities" };

static bool type_ok(const cJSON *v, enum ftype type, const char **what)
{
	switch (type) {
	case F_STR:
		*what = "is not a string";
		return cJSON_IsString(v);
	case F_OBJ:
		*what = "is not an object";
		return cJSON_IsObject(v);
	case F_BOOL:
		*what = "is not true or false";
		return cJSON_IsBool(v);
	case F_OBJS:
		*what = "is not an array";
		return cJSON_IsArray(v);
	case F_INT:
		if (cJSON_IsString(v) || cJSON_IsNumber(v)) {
			int64_t x;
			*what = "is not a whole number within range";
			return qr_json_int(v, "", &x) || (cJSON_IsString(v) && !v->valuestring[0]);
		}
		*what = "is not a number";
		return false;
	case F_ID:
		if (cJSON_IsString(v)) {
			*what = "is not an id (digits)";
			return v->valuestring[0] == '\0' || qr_twitter_valid_id(v->valuestring);
		}
		/* Large ids as numbers lose digits: they are not used, but a
		 * number that is no id at all is wrong. */
		*what = cJSON_IsNumber(v) ? "is out of range for an id" : "is not an id";
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= 0 &&
		       v->valuedouble < 1.8446744073709552e19 && v->valuedouble == floor(v->valuedouble);
	}
	return false;
}

/* Where a field is, spelled out only when something is wrong with it:
 * "retweeted_status.entities.hashtags[0]." */
struct where {
	const struct where *up;
	const char *name;
	int index;                     /* in an array; -1: none */
};

static void spell(const struct where *at, qr_buf *out)
{
	if (!at)
		return;
	spell(at->up, out);
	qr_buf_adds(out, at->name);
	if (at->index >= 0)
		qr_buf_addf(out, "[%d]", at->index);
	qr_buf_addch(out, '.');
}

static bool check_fields(const cJSON *o, const struct ftable *fields, const struct where *at, qr_buf *why)
{
	for (const struct ftable *f = fields; f->path; f++) {
		const cJSON *v = qr_json_get(o, f->path);
		const char *what;
		if (!v || cJSON_IsNull(v))
			continue;
		if (!type_ok(v, f->type, &what)) {
			qr_buf_reset(why);
			spell(at, why);
			qr_buf_addf(why, "%s %s", f->path, what);
			return false;
		}
		if (f->type != F_OBJS)
			continue;
		int i = 0;
		for (const cJSON *e = v->child; e; e = e->next, i++) {
			struct where item = { at, f->path, i };
			if (!cJSON_IsObject(e)) {
				qr_buf_reset(why);
				spell(&item, why);
				qr_buf_setlen(why, why->len - 1); /* the '.' */
				qr_buf_adds(why, " is not an object");
				return false;
			}
			if (!check_fields(e, f->items, &item, why))
				return false;
		}
	}
	return true;
}

static bool check_status(const cJSON *t, const struct where *at, int depth, qr_buf *why)
{
	bool good = check_fields(t, status_fields, at, why);
	for (size_t i = 0; good && i < sizeof(entity_paths) / sizeof(entity_paths[0]); i++) {
		const cJSON *e = qr_json_get(t, entity_paths[i]);
		struct where in = { at, entity_paths[i], -1 };
		if (e && !cJSON_IsNull(e))
			good = check_fields(e, entity_fields, &in, why);
	}
	/* The retweeted and quoted statuses are read too (one level down). */
	static const char *const inner[] = { "retweeted_status", "quoted_status" };
	for (size_t i = 0; good && depth == 0 && i < 2; i++) {
		const cJSON *e = qr_json_get(t, inner[i]);
		struct where in = { at, inner[i], -1 };
		if (cJSON_IsObject(e))
			good = check_status(e, &in, depth + 1, why);
	}
	return good;
}

/* One tweet object into one post. */
static int status_to_post(const cJSON *t, qr_posts *out, qr_buf *why)
{
	qr_buf id = QR_BUF_INIT, uid = QR_BUF_INIT, tmp = QR_BUF_INIT, text = QR_BUF_INIT;
	const char *s, *handle, *name, *when, *lang;
	const cJSON *user, *rt, *quoted;
	int64_t created;
	int st = QR_BAD_INPUT;
	bool truncated = false;

	if (!cJSON_IsObject(t)) {
		qr_buf_setf(why, "tweet is not a JSON object");
		goto out;
	}
	if (!check_status(t, NULL, 0, why))
		goto out;
	if (!qr_twitter_get_id(t, &id)) {
		qr_buf_setf(why, "no valid id_str");
		goto out;
	}
	if (!opt_str(t, "created_at", &when, why))
		goto out;
	if (!when) {
		qr_buf_setf(why, "no created_at");
		goto out;
	}
	if (!qr_time_parse_twitter(when, &created) && !qr_time_parse_iso(when, &created)) {
		qr_buf_setf(why, "created_at is not a Twitter time: \"%.40s\"", when);
		goto out;
	}
	if (!opt_obj(t, "user", &user, why) || !opt_obj(t, "retweeted_status", &rt, why) ||
	    !opt_obj(t, "quoted_status", &quoted, why))
		goto out;
	if (!user) {
		qr_buf_setf(why, "no user object");
		goto out;
	}
	if (!opt_str(user, "screen_name", &handle, why) || !opt_str(user, "name", &name, why) ||
	    !opt_str(t, "lang", &lang, why))
		goto out;

	if (!check_containers(t, why) || (rt && !check_containers(rt, why)))
		goto out;
	const cJSON *src = rt ? rt : t;
	const char *body = full_text(src, why);
	if (!body)
		goto out;
	if (!rt && (s = qr_json_str(t, "text")) && !qr_json_get(t, "extended_tweet") && !qr_json_get(t, "full_text") &&
	    qr_json_true(t, "truncated")) {
		/* Compat mode without the full text: keep what there is, and
		 * say that it is cut. */
		body = s;
		truncated = true;
	}
	/* Entities decoded before the links go in: expanded URLs are not
	 * HTML-escaped, so "&amp;" in one is part of the URL. */
	qr_html_decode(&text, body, strlen(body));
	qr_twitter_expand_v1_links(&text, entities(src), media_list(src));

	qr_post *p = qr_posts_add(out);
	qr_post_set_id(p, "twitter", id.buf);
	p->created = created;
	qr_twitter_set_author(p, qr_twitter_get_id(user, &uid) ? uid.buf : NULL, handle, name);
	if (lang && *lang)
		qr_set(&p->lang, lang);

	qr_buf_reset(&tmp);
	if (rt) {
		const char *rt_handle = qr_json_str(rt, "user.screen_name");
		qr_buf_addf(&tmp, "RT @%s: ", rt_handle ? rt_handle : "?");
	}
	qr_buf_add(&tmp, text.buf, text.len);
	qr_set(&p->text, tmp.buf);

	qr_twitter_add_v1_entities(p, entities(t));
	if (rt)
		qr_twitter_add_v1_entities(p, entities(rt));
	add_media(p, media_list(src));

	if (rt && qr_twitter_get_id(rt, &tmp)) {
		qr_twitter_set_ref(&p->repost_of, tmp.buf);
		qr_set(&p->kind, "repost");
	}
	if ((qr_json_id(t, "quoted_status_id_str", &tmp) && qr_twitter_valid_id(tmp.buf)) ||
	    (quoted && qr_twitter_get_id(quoted, &tmp))) {
		qr_twitter_set_ref(&p->quote_of, tmp.buf);
		if (!p->kind)
			qr_set(&p->kind, "quote");
	}
	if (qr_json_id(t, "in_reply_to_status_id_str", &tmp) && qr_twitter_valid_id(tmp.buf)) {
		qr_twitter_set_ref(&p->reply_to, tmp.buf);
		if (!p->kind)
			qr_set(&p->kind, "reply");
	}
	if (!p->kind)
		qr_set(&p->kind, "original");
	qr_post_metric_json(p, t, "retweet_count", "reposts");
	qr_post_metric_json(p, t, "favorite_count", "likes");
	qr_post_metric_json(p, t, "reply_count", "replies");
	qr_post_metric_json(p, t, "quote_count", "quotes");
	const char *place = qr_json_str(t, "place.full_name");
	if (place)
		qr_kvv_set(&p->extra, "place", place);
	if (truncated)
		qr_kvv_set(&p->extra, "text_truncated", "true");
	qr_set(&p->source.format, "twitter-v1");
	/* Gnip's original format: the rules a tweet matched. */
	qr_twitter_matching_rules(p, qr_json_get(t, "matching_rules"));
	st = QR_OK;
out:
	qr_buf_release(&id);
	qr_buf_release(&uid);
	qr_buf_release(&tmp);
	qr_buf_release(&text);
	return st;
}

/* A user object: an account with its counts, no tweet around it (its
 * latest tweet may be inside, as "status"). */
static bool is_user(const cJSON *o)
{
	return qr_json_get(o, "screen_name") && qr_json_get(o, "followers_count") && !qr_json_get(o, "user") &&
	       !qr_json_get(o, "text") && !qr_json_get(o, "full_text");
}

static int normalize(const char *data, size_t len, qr_posts *out, qr_buf *why)
{
	int st = QR_BAD_INPUT;
	cJSON *t = qr_parse_object(data, len, why);
	if (!t)
		return QR_BAD_INPUT;
	/* Streaming notices hold no post. */
	static const char *notices[] = { "delete", "limit", "scrub_geo", "status_withheld", "user_withheld",
					 "warning", "disconnect", "friends", "event" };
	for (size_t i = 0; i < sizeof(notices) / sizeof(notices[0]); i++) {
		if (qr_json_get(t, notices[i]) && !qr_json_get(t, "created_at")) {
			qr_buf_setf(why, "stream notice '%s'", notices[i]);
			st = QR_SKIP;
			goto out;
		}
	}
	/* A search API response: the tweets are in "statuses" (premium and
	 * enterprise search: "results"). */
	const cJSON *statuses = qr_json_get(t, "statuses");
	if (!cJSON_IsArray(statuses) && qr_json_get(t, "requestParameters"))
		statuses = qr_json_get(t, "results");
	if (cJSON_IsArray(statuses) && !qr_json_get(t, "id_str")) {
		/* A bad tweet there does not cost the good ones (the record is
		 * kept whole in the store either way). */
		const cJSON *s;
		size_t bad = 0;
		qr_buf first = QR_BUF_INIT;
		cJSON_ArrayForEach(s, statuses) {
			qr_buf_reset(why);
			if (status_to_post(s, out, why) != QR_OK && bad++ == 0)
				qr_buf_setf(&first, "%s", why->buf);
		}
		st = qr_page_result(out, bad, first.buf, "no valid tweet in the search response: ",
				    "search response without tweets", why);
		qr_buf_release(&first);
		goto out;
	}
	if (!qr_json_get(t, "id_str") && (cJSON_IsArray(qr_json_get(t, "errors")) ||
					  (qr_json_get(t, "error") && qr_json_get(t, "request")))) {
		const char *msg = qr_json_str(t, "error");
		if (!msg)
			msg = qr_json_str(cJSON_GetArrayItem(qr_json_get(t, "errors"), 0), "message");
		qr_buf_setf(why, "API error response '%s'", msg ? msg : "?");
		st = QR_SKIP;
		goto out;
	}
	if (is_user(t)) {
		/* users/lookup and users/show answer with accounts. */
		qr_buf_setf(why, "account object (a users lookup), not a tweet");
		st = QR_SKIP;
		goto out;
	}
	st = status_to_post(t, out, why);
out:
	cJSON_Delete(t);
	return st;
}

const qr_format qr_format_twitter_v1 = {
	.name = "twitter-v1",
	.description = "Twitter API v1.1 tweets: REST, streaming, Gnip original format (JSON lines, array or objects)",
	.bid = bid,
	.next = NULL,
	.normalize = normalize,
};
