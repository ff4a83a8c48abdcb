#include "post.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "status.h"
#include "timeutil.h"

void qr_strv_pushn(qr_strv *sv, const char *s, size_t n)
{
	sv->v = qr_grow_array(sv->v, sizeof(*sv->v), sv->n + 1, &sv->alloc);
	sv->v[sv->n++] = qr_strndup(s, n);
}

void qr_strv_push(qr_strv *sv, const char *s)
{
	qr_strv_pushn(sv, s, strlen(s));
}

bool qr_strv_contains(const qr_strv *sv, const char *s, bool ci)
{
	for (size_t i = 0; i < sv->n; i++)
		if (ci ? strcasecmp(sv->v[i], s) == 0 : strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

void qr_strv_push_unique(qr_strv *sv, const char *s, bool ci)
{
	if (!qr_strv_contains(sv, s, ci))
		qr_strv_push(sv, s);
}

bool qr_strv_remove(qr_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++) {
		if (strcmp(sv->v[i], s) == 0) {
			free(sv->v[i]);
			memmove(sv->v + i, sv->v + i + 1, (sv->n - i - 1) * sizeof(*sv->v));
			sv->n--;
			return true;
		}
	}
	return false;
}

void qr_strv_clear(qr_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

void qr_strv_to_json(const qr_strv *sv, qr_jw *w, const char *key)
{
	qr_jw_key(w, key);
	qr_jw_begin_array(w);
	for (size_t i = 0; i < sv->n; i++)
		qr_jw_string(w, sv->v[i]);
	qr_jw_end_array(w);
}

void qr_kvv_set(qr_kvv *kv, const char *key, const char *value)
{
	for (size_t i = 0; i < kv->n; i++) {
		if (strcmp(kv->v[i].key, key) == 0) {
			qr_set(&kv->v[i].value, value);
			return;
		}
	}
	kv->v = qr_grow_array(kv->v, sizeof(*kv->v), kv->n + 1, &kv->alloc);
	kv->v[kv->n].key = qr_strdup(key);
	kv->v[kv->n].value = qr_strdup(value ? value : "");
	kv->n++;
}

const char *qr_kvv_get(const qr_kvv *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (strcmp(kv->v[i].key, key) == 0)
			return kv->v[i].value;
	return NULL;
}

void qr_kvv_clear(qr_kvv *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->v[i].key);
		free(kv->v[i].value);
	}
	free(kv->v);
	memset(kv, 0, sizeof(*kv));
}

void qr_set(char **field, const char *s)
{
	char *old = *field;
	*field = s ? qr_strdup(s) : NULL;
	free(old);
}

void qr_setn(char **field, const char *s, size_t n)
{
	char *old = *field;
	*field = s ? qr_strndup(s, n) : NULL;
	free(old);
}

/* The platform and native id that "<platform>:<native_id>" says. */
static void id_parts(qr_post *p)
{
	const char *colon = p->id ? strchr(p->id, ':') : NULL;
	if (colon) {
		qr_setn(&p->platform, p->id, (size_t)(colon - p->id));
		qr_set(&p->native_id, colon + 1);
	}
}

void qr_post_from_id(qr_post *p, const char *id, size_t len)
{
	qr_post_clear(p);
	qr_setn(&p->id, id, len);
	id_parts(p);
}

void qr_post_init(qr_post *p)
{
	memset(p, 0, sizeof(*p));
	p->created = QR_TIME_UNKNOWN;
	p->deleted_at = QR_TIME_UNKNOWN;
}

static void media_clear(qr_media *m)
{
	free(m->type);
	free(m->url);
	free(m->key);
	free(m->alt_text);
	free(m->mime);
	free(m->sha256);
	free(m->path);
	free(m->locator);
	qr_strv_clear(&m->variants);
}

void qr_post_clear(qr_post *p)
{
	char **strings[] = { &p->id, &p->platform, &p->native_id, &p->url, &p->author_id, &p->author_handle,
			     &p->author_name, &p->kind, &p->text, &p->lang, &p->reply_to, &p->repost_of,
			     &p->quote_of, &p->source.input_sha256, &p->source.path, &p->source.member,
			     &p->source.format, &p->record.sha256, &p->record.locator };
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		free(*strings[i]);
	qr_strv_clear(&p->hashtags);
	qr_strv_clear(&p->mentions);
	qr_strv_clear(&p->urls);
	qr_strv_clear(&p->events);
	qr_strv_clear(&p->tags);
	for (size_t i = 0; i < p->nmedia; i++)
		media_clear(&p->media[i]);
	free(p->media);
	for (size_t i = 0; i < p->nmetrics; i++)
		free(p->metrics[i].name);
	free(p->metrics);
	qr_kvv_clear(&p->extra);
	qr_kvv_clear(&p->source.provenance);
	qr_kvv_clear(&p->record.versions);
	qr_post_init(p);
}

qr_media *qr_post_add_media(qr_post *p)
{
	p->media = qr_grow_array(p->media, sizeof(*p->media), p->nmedia + 1, &p->media_alloc);
	qr_media *m = &p->media[p->nmedia++];
	memset(m, 0, sizeof(*m));
	m->size = -1;
	m->duration_ms = -1;
	return m;
}

void qr_post_set_metric(qr_post *p, const char *name, int64_t value)
{
	for (size_t i = 0; i < p->nmetrics; i++) {
		if (strcmp(p->metrics[i].name, name) == 0) {
			p->metrics[i].value = value;
			return;
		}
	}
	p->metrics = qr_grow_array(p->metrics, sizeof(*p->metrics), p->nmetrics + 1, &p->metrics_alloc);
	p->metrics[p->nmetrics].name = qr_strdup(name);
	p->metrics[p->nmetrics].value = value;
	p->nmetrics++;
}

const qr_media_kind qr_media_kinds[] = {
	{ "video", "Video" }, { "gif", "GIF" },	    { "photo", "Image" }, { "sticker", "Sticker" },
	{ "audio", "Audio" }, { "file", "File" }, { NULL, NULL },
};

const qr_media_kind *qr_media_kind_find(const char *name, size_t n)
{
	for (const qr_media_kind *k = qr_media_kinds; k->name; k++)
		if (strlen(k->name) == n && strncasecmp(name, k->name, n) == 0)
			return k;
	return NULL;
}

bool qr_post_has_media_type(const qr_post *p, const char *type)
{
	for (size_t i = 0; i < p->nmedia; i++)
		if (p->media[i].type && strcmp(p->media[i].type, type) == 0)
			return true;
	return false;
}

/* p becomes a copy of old, its own record (sha256 -> locator) one of
 * old's versions. */
static void keep_old(qr_post *p, const qr_post *old)
{
	qr_buf json = QR_BUF_INIT, why = QR_BUF_INIT;
	qr_jw w;
	char *sha = p->record.sha256, *loc = p->record.locator;
	p->record.sha256 = p->record.locator = NULL;
	qr_jw_init(&w, &json, false);
	qr_post_to_json(old, &w);
	qr_post_clear(p);
	qr_post_init(p);
	if (qr_post_from_json(p, json.buf, json.len, &why) != 0)
		abort(); /* a post's own JSON always reads back */
	if (sha && loc)
		qr_kvv_set(&p->record.versions, sha, loc);
	free(sha);
	free(loc);
	qr_buf_release(&json);
	qr_buf_release(&why);
}

/* A deletion of a post the corpus holds: the post stays as it was, marked
 * deleted, and the deletion's record is one of its versions (so that
 * reading it again is a duplicate). */
static void mark_deleted(qr_post *p, const qr_post *old)
{
	int64_t when = p->deleted_at;
	keep_old(p, old);
	p->deleted = true;
	p->deleted_at = old->deleted ? old->deleted_at : when;
}

/* Is this post's record the content-addressed block its CID names? */
static bool is_block(const qr_post *p)
{
	return p->source.format && strcmp(p->source.format, QR_POST_BLOCK_FORMAT) == 0 &&
	       qr_kvv_get(&p->source.provenance, "cid");
}

static bool same_cid(const qr_post *a, const qr_post *b)
{
	const char *x = qr_kvv_get(&a->source.provenance, "cid"), *y = qr_kvv_get(&b->source.provenance, "cid");
	return x && y && strcmp(x, y) == 0;
}

/* A handle that is only the account id standing in for an unknown one. */
static bool real_handle(const qr_post *p)
{
	return p->author_handle && (!p->author_id || strcmp(p->author_handle, p->author_id) != 0);
}

/* What a view of the same content knows that the block does not: the
 * handle (and so the permalink), the display name, the counts. */
static void take_view(qr_post *p, const qr_post *view)
{
	if (real_handle(view) && !real_handle(p)) {
		qr_set(&p->author_handle, view->author_handle);
		qr_set(&p->url, view->url);
	}
	if (view->author_name && !p->author_name)
		qr_set(&p->author_name, view->author_name);
	for (size_t i = 0; i < view->nmetrics; i++)
		qr_post_set_metric(p, view->metrics[i].name, view->metrics[i].value);
}

void qr_post_inherit(qr_post *p, const qr_post *old)
{
	if (p->tombstone && !old->tombstone) {
		mark_deleted(p, old);
		return;
	}
	if (is_block(old) && !is_block(p) && same_cid(p, old)) {
		/* The same content read again as JSON (an API view, a
		 * Jetstream event): the block stays the record, checkable
		 * against its CID, the view one of its versions. */
		qr_post view;
		qr_post_init(&view);
		qr_set(&view.author_id, p->author_id);
		qr_set(&view.author_handle, p->author_handle);
		qr_set(&view.author_name, p->author_name);
		qr_set(&view.url, p->url);
		for (size_t i = 0; i < p->nmetrics; i++)
			qr_post_set_metric(&view, p->metrics[i].name, p->metrics[i].value);
		keep_old(p, old);
		take_view(p, &view);
		qr_post_clear(&view);
		return;
	}
	if (is_block(p) && !is_block(old) && same_cid(p, old))
		take_view(p, old);
	/* A later record of a deleted post (a first ingest after the delete,
	 * an edit) keeps the mark. */
	if (old->deleted && (!p->deleted || p->tombstone)) {
		p->deleted = true;
		p->deleted_at = old->deleted_at;
	}
	for (size_t k = 0; k < old->record.versions.n; k++)
		qr_kvv_set(&p->record.versions, old->record.versions.v[k].key, old->record.versions.v[k].value);
	if (old->record.sha256 && old->record.locator)
		qr_kvv_set(&p->record.versions, old->record.sha256, old->record.locator);
	for (size_t k = 0; k < old->tags.n; k++)
		qr_strv_push_unique(&p->tags, old->tags.v[k], false);
}

static void write_kvv(qr_jw *w, const char *key, const qr_kvv *kv)
{
	qr_jw_key(w, key);
	qr_jw_begin_object(w);
	for (size_t i = 0; i < kv->n; i++)
		qr_jw_kstr(w, kv->v[i].key, kv->v[i].value);
	qr_jw_end_object(w);
}

static void write_media(qr_jw *w, const qr_media *m)
{
	qr_jw_begin_object(w);
	qr_jw_kstr(w, "type", m->type);
	qr_jw_kstr(w, "url", m->url);
	qr_jw_kstr(w, "key", m->key);
	qr_jw_kstr(w, "alt_text", m->alt_text);
	qr_jw_kstr(w, "mime", m->mime);
	qr_jw_kstr(w, "sha256", m->sha256);
	qr_jw_kstr(w, "path", m->path);
	qr_jw_kstr(w, "locator", m->locator);
	if (m->size >= 0)
		qr_jw_kint(w, "size", m->size);
	if (m->duration_ms >= 0)
		qr_jw_kint(w, "duration_ms", m->duration_ms);
	if (m->variants.n)
		qr_strv_to_json(&m->variants, w, "variants");
	qr_jw_end_object(w);
}

static void write_post(const qr_post *p, qr_jw *w, bool lean)
{
	char when[32];
	qr_jw_begin_object(w);
	qr_jw_kstr(w, "id", p->id);
	/* The id says both, most often: then the data need not. */
	bool implied = lean && p->id && p->platform && p->native_id && strncmp(p->id, p->platform, strlen(p->platform)) == 0 &&
		       p->id[strlen(p->platform)] == ':' && strcmp(p->id + strlen(p->platform) + 1, p->native_id) == 0;
	if (!implied) {
		qr_jw_kstr(w, "platform", p->platform);
		qr_jw_kstr(w, "native_id", p->native_id);
	}
	qr_jw_kstr(w, "url", p->url);
	qr_jw_key(w, "author");
	qr_jw_begin_object(w);
	qr_jw_kstr(w, "id", p->author_id);
	qr_jw_kstr(w, "handle", p->author_handle);
	qr_jw_kstr(w, "name", p->author_name);
	qr_jw_end_object(w);
	if (p->created != QR_TIME_UNKNOWN) {
		qr_time_format_iso(p->created, when);
		qr_jw_kstr(w, "created_at", when);
	}
	qr_jw_kstr(w, "kind", p->kind);
	qr_jw_kstr(w, "text", p->text ? p->text : "");
	qr_jw_kstr(w, "lang", p->lang);
	if (!lean || p->hashtags.n)
		qr_strv_to_json(&p->hashtags, w, "hashtags");
	if (!lean || p->mentions.n)
		qr_strv_to_json(&p->mentions, w, "mentions");
	if (!lean || p->urls.n)
		qr_strv_to_json(&p->urls, w, "urls");
	if (p->nmedia || !lean) {
		qr_jw_key(w, "media");
		qr_jw_begin_array(w);
		for (size_t i = 0; i < p->nmedia; i++)
			write_media(w, &p->media[i]);
		qr_jw_end_array(w);
	}
	qr_jw_kstr(w, "reply_to", p->reply_to);
	qr_jw_kstr(w, "repost_of", p->repost_of);
	qr_jw_kstr(w, "quote_of", p->quote_of);
	if (p->deleted) {
		qr_jw_key(w, "deleted");
		qr_jw_begin_object(w);
		if (p->deleted_at != QR_TIME_UNKNOWN) {
			qr_time_format_iso(p->deleted_at, when);
			qr_jw_kstr(w, "at", when);
		}
		if (p->tombstone) {
			qr_jw_key(w, "tombstone");
			qr_jw_bool(w, true);
		}
		qr_jw_end_object(w);
	}
	if (p->nmetrics || !lean) {
		qr_jw_key(w, "metrics");
		qr_jw_begin_object(w);
		for (size_t i = 0; i < p->nmetrics; i++)
			qr_jw_kint(w, p->metrics[i].name, p->metrics[i].value);
		qr_jw_end_object(w);
	}
	if (p->extra.n)
		write_kvv(w, "extra", &p->extra);
	if (!lean || p->events.n)
		qr_strv_to_json(&p->events, w, "events");
	if (!lean || p->tags.n)
		qr_strv_to_json(&p->tags, w, "tags");

	qr_jw_key(w, "source");
	qr_jw_begin_object(w);
	if (p->source.number)
		qr_jw_kint(w, "number", p->source.number);
	qr_jw_kstr(w, "input_sha256", p->source.input_sha256);
	qr_jw_kstr(w, "path", p->source.path);
	qr_jw_kstr(w, "member", p->source.member);
	if (p->source.line)
		qr_jw_kint(w, "line", p->source.line);
	qr_jw_kint(w, "byte", p->source.byte);
	qr_jw_kstr(w, "format", p->source.format);
	if (p->source.provenance.n)
		write_kvv(w, "provenance", &p->source.provenance);
	qr_jw_end_object(w);

	qr_jw_key(w, "record");
	qr_jw_begin_object(w);
	qr_jw_kstr(w, "sha256", p->record.sha256);
	qr_jw_kstr(w, "locator", p->record.locator);
	if (p->record.versions.n) {
		qr_jw_key(w, "versions");
		qr_jw_begin_array(w);
		for (size_t i = 0; i < p->record.versions.n; i++) {
			qr_jw_begin_object(w);
			qr_jw_kstr(w, "sha256", p->record.versions.v[i].key);
			qr_jw_kstr(w, "locator", p->record.versions.v[i].value);
			qr_jw_end_object(w);
		}
		qr_jw_end_array(w);
	}
	qr_jw_end_object(w);
	qr_jw_end_object(w);
}

void qr_post_to_json(const qr_post *p, qr_jw *w)
{
	write_post(p, w, false);
}

void qr_post_to_data(const qr_post *p, qr_jw *w)
{
	write_post(p, w, true);
}

static void get_str(const cJSON *obj, const char *path, char **field)
{
	const char *s = qr_json_str(obj, path);
	if (s)
		qr_set(field, s);
}

static void get_strv(const cJSON *obj, const char *key, qr_strv *sv)
{
	const cJSON *a = qr_json_get(obj, key);
	const cJSON *item;
	cJSON_ArrayForEach(item, a)
		if (cJSON_IsString(item))
			qr_strv_push(sv, item->valuestring);
}

static void get_kvv(const cJSON *obj, const char *key, qr_kvv *kv)
{
	const cJSON *o = qr_json_get(obj, key);
	const cJSON *item;
	cJSON_ArrayForEach(item, o)
		if (item->string && cJSON_IsString(item))
			qr_kvv_set(kv, item->string, item->valuestring);
}

int qr_post_from_cjson(qr_post *p, const cJSON *obj, qr_buf *why)
{
	int64_t n;
	const cJSON *item;

	if (!cJSON_IsObject(obj)) {
		if (why)
			qr_buf_setf(why, "post is not a JSON object");
		return QR_BAD_INPUT;
	}
	get_str(obj, "id", &p->id);
	get_str(obj, "platform", &p->platform);
	get_str(obj, "native_id", &p->native_id);
	/* Document data leaves them out when the id says them. */
	if (!p->platform && !p->native_id)
		id_parts(p);
	get_str(obj, "url", &p->url);
	get_str(obj, "author.id", &p->author_id);
	get_str(obj, "author.handle", &p->author_handle);
	get_str(obj, "author.name", &p->author_name);
	const char *when = qr_json_str(obj, "created_at");
	if (when && !qr_time_parse_iso(when, &p->created))
		p->created = QR_TIME_UNKNOWN;
	get_str(obj, "kind", &p->kind);
	get_str(obj, "text", &p->text);
	get_str(obj, "lang", &p->lang);
	get_strv(obj, "hashtags", &p->hashtags);
	get_strv(obj, "mentions", &p->mentions);
	get_strv(obj, "urls", &p->urls);
	cJSON_ArrayForEach(item, qr_json_get(obj, "media")) {
		qr_media *m = qr_post_add_media(p);
		get_str(item, "type", &m->type);
		get_str(item, "url", &m->url);
		get_str(item, "key", &m->key);
		get_str(item, "alt_text", &m->alt_text);
		get_str(item, "mime", &m->mime);
		get_str(item, "sha256", &m->sha256);
		get_str(item, "path", &m->path);
		get_str(item, "locator", &m->locator);
		if (qr_json_int(item, "size", &n))
			m->size = n;
		if (qr_json_int(item, "duration_ms", &n))
			m->duration_ms = n;
		get_strv(item, "variants", &m->variants);
	}
	get_str(obj, "reply_to", &p->reply_to);
	get_str(obj, "repost_of", &p->repost_of);
	get_str(obj, "quote_of", &p->quote_of);
	const cJSON *deleted = qr_json_get(obj, "deleted");
	if (cJSON_IsObject(deleted)) {
		p->deleted = true;
		when = qr_json_str(deleted, "at");
		if (!when || !qr_time_parse_iso(when, &p->deleted_at))
			p->deleted_at = QR_TIME_UNKNOWN;
		p->tombstone = qr_json_true(deleted, "tombstone");
	}
	cJSON_ArrayForEach(item, qr_json_get(obj, "metrics"))
		if (item->string && cJSON_IsNumber(item))
			qr_post_set_metric(p, item->string, (int64_t)item->valuedouble);
	get_kvv(obj, "extra", &p->extra);
	get_strv(obj, "events", &p->events);
	get_strv(obj, "tags", &p->tags);
	if (qr_json_int(obj, "source.number", &n) && n > 0 && n <= UINT32_MAX)
		p->source.number = (uint32_t)n;
	get_str(obj, "source.input_sha256", &p->source.input_sha256);
	get_str(obj, "source.path", &p->source.path);
	get_str(obj, "source.member", &p->source.member);
	if (qr_json_int(obj, "source.line", &n))
		p->source.line = n;
	if (qr_json_int(obj, "source.byte", &n))
		p->source.byte = n;
	get_str(obj, "source.format", &p->source.format);
	get_kvv(obj, "source.provenance", &p->source.provenance);
	get_str(obj, "record.sha256", &p->record.sha256);
	get_str(obj, "record.locator", &p->record.locator);
	cJSON_ArrayForEach(item, qr_json_get(obj, "record.versions")) {
		const char *sha = qr_json_str(item, "sha256");
		const char *loc = qr_json_str(item, "locator");
		if (sha && loc)
			qr_kvv_set(&p->record.versions, sha, loc);
	}
	if (!p->id) {
		if (why)
			qr_buf_setf(why, "post has no id");
		return QR_BAD_INPUT;
	}
	return QR_OK;
}

int qr_post_from_json(qr_post *p, const char *json, size_t len, qr_buf *why)
{
	cJSON *obj = qr_json_parse(json, len, why);
	if (!obj)
		return QR_BAD_INPUT;
	int st = qr_post_from_cjson(p, obj, why);
	cJSON_Delete(obj);
	return st;
}
