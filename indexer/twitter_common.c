#include "twitter_common.h"

#include <stdlib.h>
#include <string.h>

#include "reader_util.h"

bool qr_twitter_valid_id(const char *s)
{
	if (!s || !*s || strlen(s) > 20)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool qr_twitter_get_id(const cJSON *o, qr_buf *out)
{
	if (qr_json_id(o, "id_str", out) && qr_twitter_valid_id(out->buf))
		return true;
	return qr_json_id(o, "id", out) && qr_twitter_valid_id(out->buf);
}

void qr_twitter_set_author(qr_post *p, const char *author_id, const char *handle, const char *name)
{
	qr_buf url = QR_BUF_INIT;
	qr_set(&p->author_id, author_id);
	qr_set(&p->author_handle, handle);
	qr_set(&p->author_name, name);
	if (handle)
		qr_buf_setf(&url, "https://twitter.com/%s/status/%s", handle, p->native_id);
	else
		qr_buf_setf(&url, "https://twitter.com/i/web/status/%s", p->native_id);
	qr_set(&p->url, url.buf);
	qr_buf_release(&url);
}

void qr_twitter_set_ref(char **field, const char *id)
{
	qr_post_set_ref(field, "twitter", id);
}

void qr_twitter_replace_all(qr_buf *buf, const char *from, const char *to)
{
	size_t flen = strlen(from);
	if (!flen || !strstr(buf->buf, from))
		return;
	qr_buf out = QR_BUF_INIT;
	const char *p = buf->buf, *hit;
	while ((hit = strstr(p, from))) {
		qr_buf_add(&out, p, (size_t)(hit - p));
		qr_buf_adds(&out, to);
		p = hit + flen;
	}
	qr_buf_adds(&out, p);
	qr_buf_release(buf);
	*buf = out;
}

void qr_twitter_trim_end(qr_buf *text)
{
	while (text->len && (text->buf[text->len - 1] == ' ' || text->buf[text->len - 1] == '\n'))
		qr_buf_setlen(text, text->len - 1);
}

void qr_twitter_add_v1_tags(qr_post *p, const cJSON *ents)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, qr_json_get(ents, "hashtags")) {
		const char *t = qr_json_str(e, "text");
		if (t && *t)
			qr_strv_push_unique(&p->hashtags, t, true);
	}
	cJSON_ArrayForEach(e, qr_json_get(ents, "user_mentions")) {
		const char *t = qr_json_str(e, "screen_name");
		if (t && *t)
			qr_strv_push_unique(&p->mentions, t, true);
	}
}

void qr_twitter_add_v1_entities(qr_post *p, const cJSON *ents)
{
	const cJSON *e;
	qr_twitter_add_v1_tags(p, ents);
	cJSON_ArrayForEach(e, qr_json_get(ents, "urls")) {
		const char *t = qr_json_str(e, "expanded_url");
		if (!t)
			t = qr_json_str(e, "url");
		if (t && *t)
			qr_strv_push_unique(&p->urls, t, false);
	}
}

void qr_twitter_expand_v1_links(qr_buf *text, const cJSON *ents, const cJSON *media)
{
	const cJSON *u;
	cJSON_ArrayForEach(u, qr_json_get(ents, "urls")) {
		const char *tco = qr_json_str(u, "url");
		const char *exp = qr_json_str(u, "expanded_url");
		if (tco && exp)
			qr_twitter_replace_all(text, tco, exp);
	}
	qr_twitter_drop_media_links(text, media);
}

void qr_twitter_drop_media_links(qr_buf *text, const cJSON *media)
{
	const cJSON *u;
	cJSON_ArrayForEach(u, media) {
		const char *tco = qr_json_str(u, "url");
		if (tco)
			qr_twitter_replace_all(text, tco, "");
	}
	qr_twitter_trim_end(text);
}

bool qr_twitter_add_variants(qr_media *md, const cJSON *variants, const char *rate_key)
{
	const cJSON *v;
	int64_t best = -1, rate;
	cJSON_ArrayForEach(v, variants) {
		const char *url = qr_json_str(v, "url");
		const char *ct = qr_json_str(v, "content_type");
		if (!url)
			continue;
		qr_strv_push_unique(&md->variants, url, false);
		if (!qr_json_int(v, rate_key, &rate))
			rate = 0;
		if (ct && strcmp(ct, "video/mp4") == 0 && rate > best) {
			best = rate;
			qr_set(&md->url, url);
			qr_set(&md->mime, ct);
		}
	}
	return best >= 0;
}

qr_media *qr_twitter_add_v1_medium(qr_post *p, const cJSON *m, bool still_variant)
{
	const char *type = qr_json_str(m, "type");
	if (!type)
		return NULL;
	qr_media *md = qr_post_add_media(p);
	qr_set(&md->type, strcmp(type, "animated_gif") == 0 ? "gif" : type);
	qr_buf key = QR_BUF_INIT;
	if (qr_json_id(m, "id_str", &key) || qr_json_id(m, "id", &key))
		qr_set(&md->key, key.buf);
	qr_buf_release(&key);
	const char *alt = qr_json_str(m, "ext_alt_text");
	if (alt && *alt)
		qr_set(&md->alt_text, alt);
	const char *still = qr_json_str(m, "media_url_https");
	if (!still)
		still = qr_json_str(m, "media_url");
	qr_set(&md->url, still);
	/* Video and GIFs: the best MP4 is the URL, every rendition (and the
	 * still, when asked) a variant. */
	if (qr_twitter_add_variants(md, qr_json_get(m, "video_info.variants"), "bitrate") && still_variant && still)
		qr_strv_push_unique(&md->variants, still, false);
	int64_t ms;
	if (qr_json_int(m, "video_info.duration_millis", &ms))
		md->duration_ms = ms;
	return md;
}

void qr_twitter_add_v1_media(qr_post *p, const cJSON *list)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, list)
		qr_twitter_add_v1_medium(p, m, true);
}

void qr_twitter_matching_rules(qr_post *p, const cJSON *rules)
{
	const cJSON *r;
	qr_buf out = QR_BUF_INIT, id = QR_BUF_INIT;
	cJSON_ArrayForEach(r, rules) {
		const char *s = qr_json_str(r, "tag");
		if (!s || !*s)
			s = qr_json_str(r, "value");
		if ((!s || !*s) && (qr_json_id(r, "id_str", &id) || qr_json_id(r, "id", &id)))
			s = id.buf;
		if (!s || !*s)
			continue;
		qr_buf_addf(&out, "%s%s", out.len ? "; " : "", s);
	}
	if (out.len)
		qr_kvv_set(&p->source.provenance, "matching_rules", out.buf);
	qr_buf_release(&out);
	qr_buf_release(&id);
}
