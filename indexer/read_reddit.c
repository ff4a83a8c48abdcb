/*
 * Reddit dumps as Pushshift and Arctic Shift publish them: NDJSON of
 * comments (RC_*) or submissions (RS_*), usually zstd-compressed with a
 * 2 GiB window (the container layer reads those).  Fields changed over the
 * years: created_utc is a number or a string, edited is false, true or a
 * time, ids come with or without their t1_/t3_ prefix.  The API's pages
 * ({"kind": "Listing"}, as a WARC of API responses holds them) are read
 * too: their comments and submissions, nothing when they come back empty.
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

static int bid(const char *head, size_t n, const char *member)
{
	if (qr_head_first(head, n) != '{')
		return 0;
	/* The API's pages: {"kind": "Listing", "data": {"children": [...]}},
	 * empty past the last page. */
	if (qr_head_has(head, n, "\"Listing\"") && qr_head_has_key(head, n, "children"))
		return 90;
	if (!qr_head_has_key(head, n, "subreddit") || !qr_head_has_key(head, n, "created_utc"))
		return 0;
	int score = 85;
	const char *base = member ? strrchr(member, '/') : NULL;
	base = base ? base + 1 : member;
	if (base && (qr_starts_with(base, "RC_") || qr_starts_with(base, "RS_")))
		score += 10;
	return score;
}

/* A time as a number or a string of digits (possibly with a fraction). */
static bool epoch(const cJSON *v, int64_t *t)
{
	double d;
	if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
	} else if (cJSON_IsString(v) && v->valuestring[0]) {
		char *end;
		d = strtod(v->valuestring, &end);
		if (*end)
			return false;
	} else {
		return false;
	}
	if (!isfinite(d) || d < 0 || d > 1e11)
		return false;
	*t = (int64_t)d;
	return true;
}

/* "[deleted]" and "[removed]" stand where the text or author was. */
static const char *gone(const char *s)
{
	if (!s)
		return NULL;
	if (strcmp(s, "[deleted]") == 0)
		return "deleted";
	if (strcmp(s, "[removed]") == 0)
		return "removed";
	return NULL;
}

/* "u/name" and "/u/name" in text. */
static void add_user_mentions(qr_post *p, const char *text)
{
	for (const char *s = text; s && (s = strstr(s, "u/")); s += 2) {
		bool start = s == text || s[-1] == ' ' || s[-1] == '\n' || s[-1] == '(' ||
			     (s[-1] == '/' && (s - 1 == text || s[-2] == ' ' || s[-2] == '\n' || s[-2] == '('));
		if (!start)
			continue;
		const char *e = s + 2;
		while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9') || *e == '_' ||
		       *e == '-')
			e++;
		if (e - (s + 2) >= 3) {
			qr_buf b = QR_BUF_INIT;
			qr_buf_add(&b, s + 2, (size_t)(e - (s + 2)));
			qr_strv_push_unique(&p->mentions, b.buf, true);
			qr_buf_release(&b);
		}
	}
}

static void add_media_url(qr_post *p, const char *type, const char *url)
{
	if (!url || !*url)
		return;
	qr_buf dec = QR_BUF_INIT;
	qr_html_decode(&dec, url, strlen(url));
	for (size_t i = 0; i < p->nmedia; i++) {
		if (p->media[i].url && strcmp(p->media[i].url, dec.buf) == 0) {
			qr_buf_release(&dec);
			return;
		}
	}
	qr_media *m = qr_post_add_media(p);
	qr_set(&m->type, type);
	qr_set(&m->url, dec.buf);
	qr_buf_release(&dec);
}

static bool image_url(const char *u)
{
	static const char *ext[] = { ".jpg", ".jpeg", ".png", ".gif", ".webp" };
	for (size_t i = 0; u && i < sizeof(ext) / sizeof(ext[0]); i++)
		if (qr_ends_with(u, ext[i]))
			return true;
	return false;
}

static void submission_media(qr_post *p, const cJSON *o)
{
	const char *url = qr_json_str(o, "url");
	const char *hint = qr_json_str(o, "post_hint");
	const char *video = qr_json_str(o, "media.reddit_video.fallback_url");
	if (!video)
		video = qr_json_str(o, "secure_media.reddit_video.fallback_url");
	if (video)
		add_media_url(p, "video", video);
	/* post_hint "image" without a url (a removed post) has no image to name. */
	if (url && ((hint && strcmp(hint, "image") == 0) || (!qr_json_true(o, "is_self") && image_url(url))))
		add_media_url(p, qr_ends_with(url, ".gif") ? "gif" : "photo", url);
	/* Galleries: media_metadata in the order gallery_data gives. */
	const cJSON *meta = qr_json_get(o, "media_metadata"), *it;
	cJSON_ArrayForEach(it, qr_json_get(o, "gallery_data.items")) {
		const char *mid = qr_json_str(it, "media_id");
		const cJSON *m = NULL;
		for (const cJSON *c = meta ? meta->child : NULL; c && mid; c = c->next)
			if (c->string && strcmp(c->string, mid) == 0)
				m = c;
		const char *u = qr_json_str(m, "s.u");
		if (!u)
			u = qr_json_str(m, "s.gif");
		add_media_url(p, qr_json_str(m, "s.gif") ? "gif" : "photo", u);
		if (p->nmedia && mid)
			qr_set(&p->media[p->nmedia - 1].key, mid);
	}
}

/* What only a submission has: its link, domain, flags and media. */
static void submission_fields(qr_post *p, const cJSON *o)
{
	qr_buf tmp = QR_BUF_INIT;
	qr_set(&p->kind, "original");
	const char *url = qr_json_str(o, "url");
	if (url && *url && !qr_json_true(o, "is_self")) {
		qr_buf_reset(&tmp);
		qr_html_decode(&tmp, url, strlen(url));
		qr_strv_push_unique(&p->urls, tmp.buf, false);
	}
	const char *domain = qr_json_str(o, "domain");
	if (domain && *domain)
		qr_kvv_set(&p->extra, "domain", domain);
	if (qr_json_true(o, "over_18"))
		qr_kvv_set(&p->extra, "nsfw", "true");
	if (qr_json_true(o, "spoiler"))
		qr_kvv_set(&p->extra, "spoiler", "true");
	const char *flair = qr_json_str(o, "link_flair_text");
	if (flair && *flair)
		qr_kvv_set(&p->extra, "flair", flair);
	submission_media(p, o);
	qr_post_metric_json(p, o, "num_comments", "replies");
	const cJSON *cp = qr_json_get(o, "crosspost_parent");
	if (cJSON_IsString(cp) && qr_starts_with(cp->valuestring, "t3_")) {
		qr_post_set_ref(&p->repost_of, "reddit", cp->valuestring);
		qr_set(&p->kind, "repost");
	}
	qr_buf_release(&tmp);
}

/* What only a comment has: its parent and thread. */
static void comment_fields(qr_post *p, const cJSON *o)
{
	qr_buf tmp = QR_BUF_INIT;
	const char *link = qr_json_str(o, "link_id");
	const char *parent = qr_json_str(o, "parent_id");
	if (parent && (qr_starts_with(parent, "t1_") || qr_starts_with(parent, "t3_")))
		qr_post_set_ref(&p->reply_to, "reddit", parent);
	if (link && qr_starts_with(link, "t3_")) {
		qr_buf_setf(&tmp, "reddit:%s", link);
		qr_kvv_set(&p->extra, "thread", tmp.buf);
	}
	qr_set(&p->kind, p->reply_to ? "reply" : "original");
	const char *flair = qr_json_str(o, "author_flair_text");
	if (flair && *flair)
		qr_kvv_set(&p->extra, "author_flair", flair);
	qr_buf_release(&tmp);
}

/* The permalink, or one made from the subreddit and ids. */
static void set_url(qr_post *p, const cJSON *o, const char *id, bool submission)
{
	qr_buf tmp = QR_BUF_INIT;
	const char *sub = qr_json_str(o, "subreddit");
	const char *perma = qr_json_str(o, "permalink");
	const char *link = qr_json_str(o, "link_id");
	if (perma && perma[0] == '/') {
		qr_buf_setf(&tmp, "https://www.reddit.com%s", perma);
		qr_set(&p->url, tmp.buf);
	} else if (perma && qr_starts_with(perma, "https://")) {
		qr_set(&p->url, perma);
	} else if (sub && submission) {
		qr_buf_setf(&tmp, "https://www.reddit.com/r/%s/comments/%s/", sub, id + 3);
		qr_set(&p->url, tmp.buf);
	} else if (sub && link && qr_starts_with(link, "t3_")) {
		qr_buf_setf(&tmp, "https://www.reddit.com/r/%s/comments/%s/_/%s/", sub, link + 3, id + 3);
		qr_set(&p->url, tmp.buf);
	}
	qr_buf_release(&tmp);
}

/* The base36 id with its kind prefix ("t1_abc"). */
static bool fullname(const cJSON *o, const char *prefix, qr_buf *out)
{
	const char *id = qr_json_str(o, "id");
	const char *name = qr_json_str(o, "name");
	qr_buf_reset(out);
	if (id && qr_starts_with(id, prefix))
		qr_buf_adds(out, id);
	else if (id && *id)
		qr_buf_addf(out, "%s%s", prefix, id);
	else if (name && qr_starts_with(name, prefix))
		qr_buf_adds(out, name);
	else
		return false;
	for (const char *c = out->buf + 3; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z')))
			return false;
	return out->len > 3 && out->len < 32;
}

static int thing_to_post(const cJSON *o, qr_posts *out, qr_buf *why)
{
	qr_buf id = QR_BUF_INIT, tmp = QR_BUF_INIT, text = QR_BUF_INIT;
	int64_t created, t;
	int st = QR_BAD_INPUT;
	bool submission = qr_json_get(o, "title") && !qr_json_get(o, "body");
	const char *name = qr_json_str(o, "name");
	if (!qr_json_get(o, "title") && !qr_json_get(o, "body") && name && qr_starts_with(name, "t3_"))
		submission = true;

	if (!fullname(o, submission ? "t3_" : "t1_", &id)) {
		qr_buf_setf(why, "no valid id");
		goto out;
	}
	if (!epoch(qr_json_get(o, "created_utc"), &created)) {
		qr_buf_setf(why, "%s: created_utc is missing or not a time in seconds", id.buf);
		goto out;
	}
	const char *title = qr_json_str(o, "title");
	const char *body = qr_json_str(o, submission ? "selftext" : "body");
	if (!submission && !body) {
		qr_buf_setf(why, "%s: comment without a body", id.buf);
		goto out;
	}
	if (submission && !title) {
		qr_buf_setf(why, "%s: submission without a title", id.buf);
		goto out;
	}
	if (submission) {
		qr_buf_adds(&text, title);
		if (body && *body)
			qr_buf_addf(&text, "\n\n%s", body);
	} else {
		qr_buf_adds(&text, body);
	}

	qr_post *p = qr_posts_add(out);
	qr_post_set_id(p, "reddit", id.buf);
	p->created = created;
	const char *author = qr_json_str(o, "author");
	qr_set(&p->author_handle, author);
	const char *afull = qr_json_str(o, "author_fullname");
	if (afull && *afull)
		qr_set(&p->author_id, afull);
	qr_html_decode(&tmp, text.buf, text.len);
	qr_set(&p->text, tmp.buf);
	/* Reddit has no hashtags of its own, but people write them. */
	qr_extract_hashtags(p->text, &p->hashtags);
	qr_extract_urls(p->text, &p->urls);
	add_user_mentions(p, p->text);

	const char *sub = qr_json_str(o, "subreddit");
	if (sub && *sub)
		qr_kvv_set(&p->extra, "community", sub);
	const char *subid = qr_json_str(o, "subreddit_id");
	if (subid && *subid)
		qr_kvv_set(&p->extra, "subreddit_id", subid);

	set_url(p, o, id.buf, submission);

	const char *g;
	if ((g = gone(body)))
		qr_kvv_set(&p->extra, submission ? "selftext_status" : "body_status", g);
	if ((g = gone(author)))
		qr_kvv_set(&p->extra, "author_status", g);
	const char *removed_by = qr_json_str(o, "removed_by_category");
	if (removed_by)
		qr_kvv_set(&p->extra, "removed_by", removed_by);
	const cJSON *edited = qr_json_get(o, "edited");
	if (cJSON_IsTrue(edited)) {
		qr_kvv_set(&p->extra, "edited", "true");
	} else if (epoch(edited, &t) && t > 0) {
		char iso[32];
		qr_time_format_iso(t, iso);
		qr_kvv_set(&p->extra, "edited", iso);
	}

	if (submission)
		submission_fields(p, o);
	else
		comment_fields(p, o);
	qr_post_metric_json(p, o, "score", "score");
	qr_post_metric_json(p, o, "gilded", "gilded");
	const char *dist = qr_json_str(o, "distinguished");
	if (dist)
		qr_kvv_set(&p->extra, "distinguished", dist);
	if (qr_json_true(o, "stickied"))
		qr_kvv_set(&p->extra, "stickied", "true");
	st = QR_OK;
out:
	qr_buf_release(&id);
	qr_buf_release(&tmp);
	qr_buf_release(&text);
	return st;
}

/* A page of the API: the comments and submissions among its children
 * (a listing may hold other things too: accounts, subreddits, "more"). */
static int listing(const cJSON *children, qr_posts *out, qr_buf *why)
{
	const cJSON *c;
	size_t bad = 0, other = 0;
	qr_buf first = QR_BUF_INIT;
	cJSON_ArrayForEach(c, children) {
		const char *kind = qr_json_str(c, "kind");
		if (!kind || (strcmp(kind, "t1") != 0 && strcmp(kind, "t3") != 0) ||
		    !cJSON_IsObject(qr_json_get(c, "data"))) {
			other++;
			continue;
		}
		qr_buf_reset(why);
		if (thing_to_post(qr_json_get(c, "data"), out, why) != QR_OK && bad++ == 0)
			qr_buf_setf(&first, "%s", why->buf);
	}
	int st = qr_page_result(out, bad, first.buf, "no valid comment or submission in the listing: ",
				other ? "listing without comments or submissions" : "empty listing", why);
	qr_buf_release(&first);
	return st;
}

static int normalize(const char *data, size_t len, qr_posts *out, qr_buf *why)
{
	cJSON *o = qr_parse_object(data, len, why);
	if (!o)
		return QR_BAD_INPUT;
	int st;
	const char *kind = qr_json_str(o, "kind");
	if (kind && strcmp(kind, "Listing") == 0) {
		st = listing(qr_json_get(o, "data.children"), out, why);
	} else if (cJSON_IsObject(qr_json_get(o, "data")) && kind) {
		/* The API's {"kind": "t1", "data": {...}} wrapper. */
		st = thing_to_post(qr_json_get(o, "data"), out, why);
	} else {
		st = thing_to_post(o, out, why);
	}
	cJSON_Delete(o);
	return st;
}

const qr_format qr_format_reddit = {
	.name = "reddit",
	.description = "Reddit comments and submissions, Pushshift / Arctic Shift NDJSON dumps (RC_*, RS_*, .zst)",
	.bid = bid,
	.next = NULL,
	.normalize = normalize,
};
