/*
 * The Mastodon account export (a tar.gz, or a zip since Mastodon 4.2), read
 * whole (format.h: archive formats):
 *
 *   outbox.json          an ActivityStreams OrderedCollection whose
 *                        "orderedItems" holds the activities: one record
 *                        each.  Real exports write the key twice, the first
 *                        time empty: the last one wins, as in JavaScript.
 *   actor.json           the account: its URI, preferredUsername, name
 *   media_attachments/   the files, matched to an attachment's URL by the
 *                        end of their paths, and kept in the store
 *
 * likes.json, bookmarks.json, the avatar and header are skipped.  A Create
 * wrapping a Note (or a Question, Article, Page...) is a post: its HTML
 * content becomes text with links and line breaks kept, its summary is the
 * content warning, its visibility (public, unlisted, followers, direct)
 * comes from to/cc.  An Announce is a boost: a repost whose object is only
 * a URI.  Other activities hold no post.
 *
 * Post ids are "mastodon:<server>/<status id>": status ids are only unique
 * on their server.  Handles are user@server.  The context record
 * (format.h) is:
 *
 *   {"context": "mastodon", "version": 1,
 *    "actor": {"id", "handle", "name", "url", "followers"},
 *    "media": {"<attachment URL as in the item>": {"path", "size", "sha256",
 *                                                 "mime", "locator"}}}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_reader.h"
#include "format.h"
#include "html.h"
#include "json.h"
#include "reader_util.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

#define NAME "mastodon"
#define AS_PUBLIC "https://www.w3.org/ns/activitystreams#Public"

struct media_file {
	char *path;           /* from "media_attachments/" on */
	char *member;
	qr_blob blob;
	bool used;
};

struct state {
	char *id, *handle, *name, *url, *followers;   /* the actor */
	qr_held posts;
	unsigned ordered_items;     /* "orderedItems" keys seen */
	struct media_file *media;
	size_t nmedia, amedia;
	bool warned_buffer;
	bool outbox;
	uint64_t emitted;
};

/* ---- names and URIs ---- */

static const char *base_name(const char *name)
{
	const char *slash = strrchr(name, '/');
	return slash ? slash + 1 : name;
}

static const char *media_rel(const char *name)
{
	if (qr_starts_with(name, "media_attachments/"))
		return name;
	const char *p = strstr(name, "/media_attachments/");
	return p ? p + 1 : NULL;
}

/* The host of an http(s) URI, into out. */
static bool uri_host(const char *uri, qr_buf *out)
{
	return uri && (qr_starts_with_ci(uri, "https://") || qr_starts_with_ci(uri, "http://")) && qr_url_host(uri, out);
}

/* "https://host/users/u/statuses/123" (or .../123/activity) -> "host/123";
 * other URIs: host and the last part of their path. */
static bool status_native(const char *uri, qr_buf *out)
{
	qr_buf host = QR_BUF_INIT;
	if (!uri_host(uri, &host)) {
		qr_buf_release(&host);
		return false;
	}
	const char *path = strchr(strstr(uri, "://") + 3, '/');
	size_t n = path ? strcspn(path, "?#") : 0;
	while (n && path[n - 1] == '/')
		n--;
	if (n >= 9 && memcmp(path + n - 9, "/activity", 9) == 0)
		n -= 9;
	size_t last = n;
	while (last && path[last - 1] != '/')
		last--;
	qr_buf_reset(out);
	qr_buf_addf(out, "%s/", host.buf);
	if (n > last)
		qr_buf_add(out, path + last, n - last);
	qr_buf_release(&host);
	return n > last;
}

static void post_id(const char *uri, qr_buf *out)
{
	qr_buf native = QR_BUF_INIT;
	qr_buf_reset(out);
	if (status_native(uri, &native))
		qr_buf_addf(out, "mastodon:%s", native.buf);
	else
		qr_buf_addf(out, "mastodon:%s", uri);
	qr_buf_release(&native);
}

/* "https://host/users/alice" or ".../@alice" -> "alice@host". */
static bool handle_of(const char *uri, qr_buf *out)
{
	qr_buf host = QR_BUF_INIT;
	bool ok = false;
	if (uri_host(uri, &host)) {
		size_t len;
		const char *base = qr_path_base(uri, &len);
		if (len && *base == '@') {
			base++;
			len--;
		}
		if (len) {
			qr_buf_reset(out);
			qr_buf_add(out, base, len);
			qr_buf_addf(out, "@%s", host.buf);
			ok = true;
		}
	}
	qr_buf_release(&host);
	return ok;
}

/* The path part of an attachment URL that names a file of the archive:
 * without scheme, host, query, leading slashes and "system/". */
static const char *url_path(const char *url, size_t *len)
{
	const char *p = url;
	const char *scheme = strstr(url, "://");
	if (scheme) {
		p = strchr(scheme + 3, '/');
		if (!p)
			p = url + strlen(url);
	}
	while (*p == '/')
		p++;
	if (qr_starts_with(p, "system/"))
		p += 7;
	*len = strcspn(p, "?#");
	return p;
}

/* ---- bids and members ---- */

static int bid(const char *name, const char *head, size_t n)
{
	const char *base = base_name(name);
	bool collection = qr_head_has(head, n, "\"OrderedCollection\"") && qr_head_has(head, n, "\"orderedItems\"");
	if (strcmp(base, "outbox.json") == 0 && (collection || qr_head_has(head, n, "\"orderedItems\"")))
		return 100;
	if (collection && qr_head_has(head, n, "\"@context\"") && qr_head_has(head, n, "activitystreams") &&
	    qr_head_has(head, n, "\"Create\""))
		return 95;
	if (strcmp(base, "actor.json") == 0 && qr_head_has(head, n, "\"preferredUsername\""))
		return 95;
	if (media_rel(name) && qr_media_mime(head, n, name))
		return 60;
	if ((strcmp(base, "likes.json") == 0 || strcmp(base, "bookmarks.json") == 0) && collection)
		return 40;
	return 0;
}

static int open_archive(qr_archive *a)
{
	struct state *st = qr_calloc(1, sizeof(*st));
	qr_held_init(&st->posts);
	a->state = st;
	return 0;
}

static void read_actor(qr_archive *a, struct state *st, const char *member, qr_stream *s)
{
	qr_buf data = QR_BUF_INIT, why = QR_BUF_INIT, handle = QR_BUF_INIT, host = QR_BUF_INIT;
	cJSON *v = NULL;
	if (qr_member_read(s, a->max_record, &data, &why) || !(v = qr_parse_record(data.buf, data.len, &why))) {
		qr_archive_note(a, QR_FAILED, member, "%s", why.buf);
		goto out;
	}
	const char *id = qr_json_str(v, "id"), *user = qr_json_str(v, "preferredUsername");
	if (!id) {
		qr_archive_note(a, QR_WARN, member, "actor without an id");
		goto out;
	}
	qr_set(&st->id, id);
	if (user && uri_host(id, &host))
		qr_buf_setf(&handle, "%s@%s", user, host.buf);
	else
		handle_of(id, &handle);
	qr_set(&st->handle, handle.len ? handle.buf : NULL);
	qr_set(&st->name, qr_json_str(v, "name"));
	qr_set(&st->url, qr_json_str(v, "url"));
	qr_set(&st->followers, qr_json_str(v, "followers"));
out:
	cJSON_Delete(v);
	qr_buf_release(&data);
	qr_buf_release(&why);
	qr_buf_release(&handle);
	qr_buf_release(&host);
}

static int emit(qr_archive *a, struct state *st);

static int hold_post(qr_archive *a, struct state *st, const char *member, const qr_frame *f)
{
	if (!qr_held_hold(a, &st->posts, member, f, &st->warned_buffer, "the account or media files"))
		return 0;
	return emit(a, st);
}

/* The length of the JSON string at the current position (quotes
 * included), 0 when it does not close within max bytes. */
static size_t string_length(qr_input *in, size_t max)
{
	bool escaped = false;
	for (size_t i = 1; i < max; i++) {
		if (qr_input_fill(in, i + 1) <= i)
			return 0;
		char c = in->buf[in->start + i];
		if (escaped)
			escaped = false;
		else if (c == '\\')
			escaped = true;
		else if (c == '"')
			return i + 1;
		else if (c == '\n')
			return 0;
	}
	return 0;
}

/* Skip the value at the current position (not blank); false when it is
 * broken (why says how). */
static bool skip_value(qr_input *in, qr_buf *why)
{
	char c = in->buf[in->start];
	if (c == '"') {
		size_t n = string_length(in, in->max_record);
		if (!n) {
			qr_buf_setf(why, "unterminated string");
			return false;
		}
		qr_input_skip(in, n);
		return true;
	}
	if (c == '{' || c == '[') {
		qr_frame f;
		return qr_input_value(in, &f, why) == QR_OK;
	}
	size_t i = 0;
	while (qr_input_fill(in, i + 1) > i && !strchr(",}] \t\r\n", in->buf[in->start + i]))
		i++;
	qr_input_skip(in, i);
	return i > 0;
}

/* The items of one "orderedItems" array. */
static int read_items(qr_archive *a, struct state *st, const char *member, qr_input *in)
{
	qr_buf why = QR_BUF_INIT;
	qr_frame f = { 0 };
	int rc = 0;
	qr_input_skip(in, 1);
	for (;;) {
		if (!qr_input_skip_blanks(in)) {
			qr_archive_note(a, QR_FAILED, member, "%s",
					in->failed ? in->err.buf : "the file ends inside orderedItems");
			rc = -1;
			break;
		}
		char c = in->buf[in->start];
		if (c == ',') {
			qr_input_skip(in, 1);
			continue;
		}
		if (c == ']') {
			qr_input_skip(in, 1);
			break;
		}
		qr_buf_reset(&why);
		int got = qr_input_value(in, &f, &why);
		if (got == QR_IO || got == QR_END) {
			qr_archive_note(a, QR_FAILED, member, "cannot read further: %s",
					in->err.len ? in->err.buf : "end of file");
			rc = -1;
			break;
		}
		if (got != QR_OK) {
			a->sink->reject(a, member, f.line, f.byte, why.buf);
			continue;
		}
		if ((rc = hold_post(a, st, member, &f)))
			break;
	}
	qr_buf_release(&why);
	return rc;
}

/* outbox.json, streamed: the top-level object's members are walked, the
 * items of "orderedItems" framed one by one. */
static int read_outbox(qr_archive *a, struct state *st, const char *member, qr_stream *s)
{
	qr_input in;
	qr_buf why = QR_BUF_INIT;
	int rc = 0;
	size_t first = st->posts.n;    /* where this outbox's items start */
	qr_input_init(&in, s, a->max_record);
	st->outbox = true;
	if (!qr_input_skip_blanks(&in) || in.buf[in.start] != '{') {
		qr_archive_note(a, QR_FAILED, member, "not a JSON object");
		goto out;
	}
	qr_input_skip(&in, 1);
	for (;;) {
		if (!qr_input_skip_blanks(&in)) {
			qr_archive_note(a, QR_FAILED, member, "%s",
					in.failed ? in.err.buf : "the file ends inside the object");
			goto out;
		}
		char c = in.buf[in.start];
		if (c == ',') {
			qr_input_skip(&in, 1);
			continue;
		}
		if (c == '}')
			break;
		size_t klen = c == '"' ? string_length(&in, 1024) : 0;
		if (!klen) {
			qr_archive_note(a, QR_FAILED, member, "expected a member name at line %llu, byte %llu",
					(unsigned long long)in.line, (unsigned long long)in.offset);
			goto out;
		}
		bool items = klen == 14 && memcmp(in.buf + in.start, "\"orderedItems\"", 14) == 0;
		qr_input_skip(&in, klen);
		if (!qr_input_skip_blanks(&in) || in.buf[in.start] != ':') {
			qr_archive_note(a, QR_FAILED, member, "expected ':' at line %llu", (unsigned long long)in.line);
			goto out;
		}
		qr_input_skip(&in, 1);
		if (!qr_input_skip_blanks(&in)) {
			qr_archive_note(a, QR_FAILED, member, "the file ends after a member name");
			goto out;
		}
		if (items && in.buf[in.start] == '[') {
			/* A later "orderedItems" replaces an earlier one. */
			if (st->ordered_items++ && st->posts.n > first) {
				qr_archive_note(a, QR_WARN, member,
						"\"orderedItems\" appears again: the last one wins, %zu items "
						"of an earlier one are dropped", st->posts.n - first);
				qr_held_truncate(&st->posts, first);
			}
			if (read_items(a, st, member, &in))
				goto out;
			continue;
		}
		qr_buf_reset(&why);
		if (!skip_value(&in, &why)) {
			qr_archive_note(a, QR_FAILED, member, "broken value at line %llu: %s",
					(unsigned long long)in.line, why.len ? why.buf : "unexpected byte");
			goto out;
		}
	}
out:
	if (!st->ordered_items)
		qr_archive_note(a, QR_WARN, member, "no \"orderedItems\": the outbox holds no posts");
	qr_input_release(&in);
	qr_buf_release(&why);
	return rc;
}

static int read_media(qr_archive *a, struct state *st, const char *rel, const char *member, qr_stream *s)
{
	qr_blob blob;
	int rc = a->sink->blob(a, member, s, &blob);
	if (rc || !blob.sha256[0])
		return rc;
	st->media = qr_grow_array(st->media, sizeof(*st->media), st->nmedia + 1, &st->amedia);
	st->media[st->nmedia++] = (struct media_file){ qr_strdup(rel), qr_strdup(member), blob, false };
	return 0;
}

static int member(qr_archive *a, const char *name, const char *mem, qr_stream *s)
{
	struct state *st = a->state;
	const char *rel = media_rel(name);
	if (rel)
		return read_media(a, st, rel, mem, s);
	const char *base = base_name(name);
	if (strcmp(base, "actor.json") == 0) {
		read_actor(a, st, mem, s);
		return 0;
	}
	const char *head;
	ssize_t n = qr_stream_peek(s, 4096, &head);
	if (strcmp(base, "outbox.json") == 0 || (n > 0 && bid(name, head, (size_t)n) >= QR_BID_CLAIM &&
						  strcmp(base, "likes.json") && strcmp(base, "bookmarks.json")))
		return read_outbox(a, st, mem, s);
	return 0;
}

/* ---- the context and emitting ---- */

static int cmp_media(const void *x, const void *y)
{
	const struct media_file *a = x, *b = y;
	return strcmp(base_name(a->path), base_name(b->path));
}

/* The archive's file for an attachment URL: same file name, and one path
 * ends with the other. */
static struct media_file *find_file(struct state *st, const char *url)
{
	size_t plen, blen;
	const char *path = url_path(url, &plen);
	const char *base = qr_path_base(path, &blen);
	size_t lo = 0, hi = st->nmedia;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *b = base_name(st->media[mid].path);
		int c = strncmp(b, base, blen);
		if (c < 0 || (c == 0 && strlen(b) < blen))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < st->nmedia; i++) {
		const char *fp = st->media[i].path;
		const char *b = base_name(fp);
		if (strlen(b) != blen || memcmp(b, base, blen) != 0)
			break;
		size_t flen = strlen(fp);
		if ((flen <= plen && memcmp(path + plen - flen, fp, flen) == 0 && (flen == plen || path[plen - flen - 1] == '/')) ||
		    (plen < flen && memcmp(fp + flen - plen, path, plen) == 0 && fp[flen - plen - 1] == '/'))
			return &st->media[i];
	}
	return NULL;
}

/* The items of a member that may be one object or a list of them. */
static const cJSON *first_of(const cJSON *v)
{
	return cJSON_IsArray(v) ? v->child : cJSON_IsObject(v) ? v : NULL;
}

static const cJSON *next_of(const cJSON *v, const cJSON *cur)
{
	return cJSON_IsArray(v) ? cur->next : NULL;
}

/* The URL of an attachment: a string, a Link object or a list of them. */
static const char *attachment_url(const cJSON *att)
{
	const cJSON *u = qr_json_get(att, "url");
	if (cJSON_IsArray(u))
		u = cJSON_GetArrayItem(u, 0);
	if (cJSON_IsString(u))
		return u->valuestring;
	return qr_json_str(u, "href");
}

static void build_context(qr_archive *a, qr_buf *out)
{
	struct state *st = a->state;
	qr_jw w;
	if (st->nmedia)
		qsort(st->media, st->nmedia, sizeof(*st->media), cmp_media);
	qr_jw_init(&w, out, false);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "context", NAME);
	qr_jw_kint(&w, "version", 1);
	if (st->id) {
		qr_jw_key(&w, "actor");
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "id", st->id);
		qr_jw_kstr(&w, "handle", st->handle);
		qr_jw_kstr(&w, "name", st->name);
		qr_jw_kstr(&w, "url", st->url);
		qr_jw_kstr(&w, "followers", st->followers);
		qr_jw_end_object(&w);
	}
	qr_jw_key(&w, "media");
	qr_jw_begin_object(&w);
	for (size_t i = 0; st->nmedia && i < st->posts.n; i++) {
		qr_frame f;
		const char *mem;
		qr_held_get(&st->posts, i, &f, &mem);
		cJSON *item = qr_json_parse(f.data, f.len, NULL);
		const cJSON *att = qr_json_get(qr_json_get(item, "object"), "attachment");
		for (const cJSON *one = first_of(att); one; one = next_of(att, one)) {
			const char *url = attachment_url(one);
			struct media_file *mf = url ? find_file(st, url) : NULL;
			if (!mf)
				continue;
			/* A URL twice writes its key twice: the same value. */
			mf->used = true;
			qr_jw_key(&w, url);
			qr_jw_begin_object(&w);
			qr_blob_to_json(&w, mf->member, &mf->blob);
			qr_jw_end_object(&w);
		}
		cJSON_Delete(item);
	}
	qr_jw_end_object(&w);
	qr_jw_end_object(&w);
}

static int emit(qr_archive *a, struct state *st)
{
	st->emitted += st->posts.n;
	return qr_held_send(a, &st->posts, build_context);
}

static int finish(qr_archive *a)
{
	struct state *st = a->state;
	int rc = emit(a, st);
	if (rc)
		return rc;
	if (!st->outbox)
		qr_archive_note(a, QR_WARN, NULL, "no outbox.json: the archive holds no posts");
	else if (st->emitted && !st->id)
		qr_archive_note(a, QR_WARN, NULL, "no actor.json: authors are taken from the activities' actor URIs");
	size_t unused = 0;
	const char *first = NULL;
	for (size_t i = 0; i < st->nmedia; i++)
		if (!st->media[i].used && !unused++)
			first = st->media[i].member;
	if (unused)
		qr_archive_note_unused(a, unused, first);
	return 0;
}

static void close_archive(qr_archive *a)
{
	struct state *st = a->state;
	if (!st)
		return;
	free(st->id);
	free(st->handle);
	free(st->name);
	free(st->url);
	free(st->followers);
	for (size_t i = 0; i < st->nmedia; i++) {
		free(st->media[i].path);
		free(st->media[i].member);
	}
	free(st->media);
	qr_held_release(&st->posts);
	free(st);
	a->state = NULL;
}

/* ---- normalizing ---- */

/* The context record: the maps of its "media". */
static const char *const context_keys[] = { "media", NULL };
enum { MAP_MEDIA };

static int load_context(const char *data, size_t len, void **out, qr_buf *why)
{
	return qr_context_load(data, len, NAME, context_keys, out, why);
}

/* An id-like member: a string, or an object with an "id". */
static const char *ref(const cJSON *v)
{
	if (cJSON_IsString(v))
		return v->valuestring;
	return qr_json_str(v, "id");
}

static bool addressed(const cJSON *list, const char *who)
{
	if (!who)
		return false;
	if (cJSON_IsString(list))
		return strcmp(list->valuestring, who) == 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, list) {
		const char *s = ref(e);
		if (s && strcmp(s, who) == 0)
			return true;
	}
	return false;
}

static bool addressed_public(const cJSON *list)
{
	return addressed(list, AS_PUBLIC) || addressed(list, "as:Public") || addressed(list, "Public");
}

static bool addressed_followers(const cJSON *list, const char *followers)
{
	if (addressed(list, followers))
		return true;
	const cJSON *e;
	cJSON_ArrayForEach(e, list) {
		const char *s = ref(e);
		if (s && qr_ends_with(s, "/followers"))
			return true;
	}
	return cJSON_IsString(list) && qr_ends_with(list->valuestring, "/followers");
}

/* Mastodon's four visibilities, from who an activity is addressed to. */
static const char *visibility(const cJSON *o, const char *followers)
{
	const cJSON *to = qr_json_get(o, "to"), *cc = qr_json_get(o, "cc");
	if (addressed_public(to))
		return "public";
	if (addressed_public(cc))
		return "unlisted";
	if (addressed_followers(to, followers) || addressed_followers(cc, followers))
		return "followers";
	return "direct";
}

/* Author of a post: the context's actor when it is the activity's. */
static void set_author(qr_post *p, const qr_context *ctx, const char *actor)
{
	const cJSON *a = ctx ? qr_json_get(ctx->root, "actor") : NULL;
	const char *id = qr_json_str(a, "id");
	if (id && (!actor || strcmp(id, actor) == 0)) {
		qr_set(&p->author_id, id);
		qr_set(&p->author_handle, qr_json_str(a, "handle"));
		qr_set(&p->author_name, qr_json_str(a, "name"));
		return;
	}
	qr_buf handle = QR_BUF_INIT;
	qr_set(&p->author_id, actor);
	if (actor && handle_of(actor, &handle))
		qr_set(&p->author_handle, handle.buf);
	qr_buf_release(&handle);
}

static const char *media_type(const char *mime, const char *as_type)
{
	if (mime)
		return qr_mime_media_kind(mime);
	if (as_type && strcmp(as_type, "Image") == 0)
		return "photo";
	if (as_type && strcmp(as_type, "Video") == 0)
		return "video";
	if (as_type && strcmp(as_type, "Audio") == 0)
		return "audio";
	return "file";
}

static void add_attachment(qr_post *p, const qr_context *ctx, const cJSON *att)
{
	if (!cJSON_IsObject(att))
		return;
	qr_media *m = qr_post_add_media(p);
	const char *mime = qr_json_str(att, "mediaType"), *url = attachment_url(att), *alt = qr_json_str(att, "name");
	qr_set(&m->mime, mime);
	qr_set(&m->type, media_type(mime, qr_json_str(att, "type")));
	qr_set(&m->url, url);
	if (alt && *alt)
		qr_set(&m->alt_text, alt);
	const cJSON *file = ctx && url ? qr_json_map_get(&ctx->map[MAP_MEDIA], url) : NULL;
	if (file)
		qr_blob_from_json(file, m);
}

static void add_tags(qr_post *p, const cJSON *tags, const char *host)
{
	qr_buf who = QR_BUF_INIT;
	for (const cJSON *t = first_of(tags); t; t = next_of(tags, t)) {
		const char *type = qr_json_str(t, "type"), *name = qr_json_str(t, "name");
		if (!type || !name || !*name)
			continue;
		if (strcmp(type, "Hashtag") == 0) {
			qr_strv_push_unique(&p->hashtags, name[0] == '#' ? name + 1 : name, true);
		} else if (strcmp(type, "Mention") == 0) {
			const char *h = name[0] == '@' ? name + 1 : name;
			qr_buf_reset(&who);
			qr_buf_adds(&who, h);
			/* Local accounts are written without their server. */
			if (!strchr(h, '@') && host)
				qr_buf_addf(&who, "@%s", host);
			qr_strv_push_unique(&p->mentions, who.buf, true);
		}
	}
	qr_buf_release(&who);
}

/* The text of an object: its HTML content (or the first of contentMap),
 * a title before it, a poll's options after it. */
static void object_text(qr_post *p, const cJSON *obj, qr_buf *out)
{
	const char *html = qr_json_str(obj, "content");
	const cJSON *map = qr_json_get(obj, "contentMap");
	if (!html && cJSON_IsObject(map) && cJSON_IsString(map->child))
		html = map->child->valuestring;
	if (cJSON_IsObject(map) && map->child && !map->child->next && map->child->string)
		qr_set(&p->lang, map->child->string);
	const char *type = qr_json_str(obj, "type");
	const char *title = qr_json_str(obj, "name");
	if (title && type && strcmp(type, "Note") != 0 && strcmp(type, "Question") != 0) {
		qr_html_to_text(out, title, strlen(title), NULL);
		if (html)
			qr_buf_adds(out, "\n\n");
	}
	if (html)
		qr_html_to_text(out, html, strlen(html), &p->urls);
	const cJSON *opts = qr_json_get(obj, "oneOf"), *o;
	if (!cJSON_IsArray(opts))
		opts = qr_json_get(obj, "anyOf");
	cJSON_ArrayForEach(o, opts) {
		const char *name = qr_json_str(o, "name");
		if (name)
			qr_buf_addf(out, "%s- %s", out->len ? "\n" : "", name);
	}
}

/* "mastodon:<server>/<status id>" of the status at uri into *field. */
static void set_ref(char **field, const char *uri)
{
	qr_buf id = QR_BUF_INIT;
	post_id(uri, &id);
	qr_set(field, id.buf);
	qr_buf_release(&id);
}

/* A new post for the status at uri. */
static qr_post *add_post(qr_posts *out, const char *uri, int64_t created)
{
	qr_buf id = QR_BUF_INIT;
	qr_post *p = qr_posts_add(out);
	post_id(uri, &id);
	qr_post_set_id(p, "mastodon", id.buf + strlen("mastodon:"));
	p->created = created;
	qr_buf_release(&id);
	return p;
}

static int object_to_post(const qr_context *ctx, const cJSON *act, const cJSON *obj, qr_posts *out, qr_buf *why)
{
	const char *uri = qr_json_str(obj, "id");
	if (!uri) {
		qr_buf_setf(why, "object without an id");
		return QR_BAD_INPUT;
	}
	const char *when = qr_json_str(obj, "published");
	if (!when)
		when = qr_json_str(act, "published");
	int64_t created = QR_TIME_UNKNOWN;
	if (when && !qr_time_parse_iso(when, &created)) {
		qr_buf_setf(why, "published is not an ISO 8601 time: \"%.40s\"", when);
		return QR_BAD_INPUT;
	}
	qr_buf text = QR_BUF_INIT, host = QR_BUF_INIT;
	qr_post *p = add_post(out, uri, created);
	const char *actor = ref(qr_json_get(obj, "attributedTo"));
	if (!actor)
		actor = ref(qr_json_get(act, "actor"));
	set_author(p, ctx, actor);
	const cJSON *url = qr_json_get(obj, "url");
	const char *u = cJSON_IsString(url) ? url->valuestring : qr_json_str(cJSON_IsArray(url) ? url->child : url, "href");
	qr_set(&p->url, u ? u : uri);
	object_text(p, obj, &text);
	qr_set(&p->text, text.buf);
	uri_host(actor ? actor : uri, &host);
	add_tags(p, qr_json_get(obj, "tag"), host.len ? host.buf : NULL);
	const cJSON *att = qr_json_get(obj, "attachment");
	for (const cJSON *one = first_of(att); one; one = next_of(att, one))
		add_attachment(p, ctx, one);
	const char *reply = ref(qr_json_get(obj, "inReplyTo"));
	if (reply)
		set_ref(&p->reply_to, reply);
	qr_set(&p->kind, reply ? "reply" : "original");
	const char *cw = qr_json_str(obj, "summary");
	if (cw && *cw) {
		qr_buf_reset(&text);
		qr_html_to_text(&text, cw, strlen(cw), NULL);
		qr_kvv_set(&p->extra, "content_warning", text.buf);
	}
	if (qr_json_true(obj, "sensitive"))
		qr_kvv_set(&p->extra, "sensitive", "true");
	const char *followers = ctx ? qr_json_str(ctx->root, "actor.followers") : NULL;
	qr_kvv_set(&p->extra, "visibility", visibility(qr_json_get(obj, "to") || qr_json_get(obj, "cc") ? obj : act,
						       followers));
	qr_buf_release(&text);
	qr_buf_release(&host);
	return QR_OK;
}

/* A boost: a repost of a post known only by its URI. */
static int announce_to_post(const qr_context *ctx, const cJSON *act, qr_posts *out, qr_buf *why)
{
	const char *uri = qr_json_str(act, "id"), *target = ref(qr_json_get(act, "object"));
	const char *when = qr_json_str(act, "published");
	int64_t created = QR_TIME_UNKNOWN;
	if (!uri || !target) {
		qr_buf_setf(why, "Announce without an id or an object");
		return QR_BAD_INPUT;
	}
	if (when && !qr_time_parse_iso(when, &created)) {
		qr_buf_setf(why, "published is not an ISO 8601 time: \"%.40s\"", when);
		return QR_BAD_INPUT;
	}
	qr_post *p = add_post(out, uri, created);
	set_author(p, ctx, ref(qr_json_get(act, "actor")));
	set_ref(&p->repost_of, target);
	qr_set(&p->kind, "repost");
	qr_set(&p->url, target);
	qr_set(&p->text, target);
	qr_strv_push(&p->urls, target);
	const char *followers = ctx ? qr_json_str(ctx->root, "actor.followers") : NULL;
	qr_kvv_set(&p->extra, "visibility", visibility(act, followers));
	return QR_OK;
}

static int normalize(const void *context, const char *data, size_t len, qr_posts *out, qr_buf *why)
{
	static const char *const objects[] = { "Note", "Question", "Article", "Page", "Video", "Image", "Audio", "Event" };
	cJSON *item = qr_parse_record(data, len, why);
	if (!item)
		return QR_BAD_INPUT;
	int st = QR_BAD_INPUT;
	const char *type = qr_json_str(item, "type");
	const cJSON *obj = qr_json_get(item, "object");
	if (!cJSON_IsObject(item)) {
		qr_buf_setf(why, "outbox item is not a JSON object");
	} else if (!type) {
		qr_buf_setf(why, "outbox item without a type");
	} else if (strcmp(type, "Create") == 0) {
		if (cJSON_IsObject(obj))
			st = object_to_post(context, item, obj, out, why);
		else
			qr_buf_setf(why, "Create without an object");
	} else if (strcmp(type, "Announce") == 0) {
		st = announce_to_post(context, item, out, why);
	} else {
		for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
			if (strcmp(type, objects[i]) == 0)
				st = object_to_post(context, NULL, item, out, why);
		if (st != QR_OK && !why->len) {
			qr_buf_setf(why, "activity '%.40s' holds no post", type);
			st = QR_SKIP;
		}
	}
	cJSON_Delete(item);
	return st;
}

static const qr_archive_ops ops = {
	.bid = bid,
	.open = open_archive,
	.member = member,
	.finish = finish,
	.close = close_archive,
	.load_context = load_context,
	.free_context = qr_context_free,
	.normalize = normalize,
};

const qr_format qr_format_mastodon = {
	.name = NAME,
	.description = "Mastodon account export (tar.gz or zip): outbox.json with actor.json and media_attachments/",
	.archive = &ops,
};
