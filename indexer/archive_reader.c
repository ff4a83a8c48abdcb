#include "archive_reader.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "status.h"
#include "text.h"

int qr_member_read(qr_stream *s, size_t max, qr_buf *out, qr_buf *why)
{
	char chunk[65536];
	qr_buf_reset(out);
	for (;;) {
		ssize_t r = qr_stream_read(s, chunk, sizeof(chunk));
		if (r < 0) {
			qr_buf_setf(why, "cannot read: %s", s->err.buf);
			return QR_IO;
		}
		if (r == 0)
			return QR_OK;
		if (out->len + (size_t)r > max) {
			qr_buf_setf(why, "member is longer than %zu bytes (limit max_record)", max);
			qr_buf_reset(out);
			return QR_LIMIT;
		}
		qr_buf_add(out, chunk, (size_t)r);
	}
}

static bool at(const char *head, size_t n, size_t off, const char *magic, size_t len)
{
	return n >= off + len && memcmp(head + off, magic, len) == 0;
}

const char *qr_media_mime(const char *head, size_t n, const char *name)
{
	if (at(head, n, 0, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (at(head, n, 0, "\xFF\xD8\xFF", 3))
		return "image/jpeg";
	if (at(head, n, 0, "GIF87a", 6) || at(head, n, 0, "GIF89a", 6))
		return "image/gif";
	if (at(head, n, 0, "RIFF", 4) && at(head, n, 8, "WEBP", 4))
		return "image/webp";
	if (at(head, n, 0, "RIFF", 4) && at(head, n, 8, "WAVE", 4))
		return "audio/wav";
	if (at(head, n, 4, "ftyp", 4)) {
		if (at(head, n, 8, "M4A ", 4))
			return "audio/mp4";
		if (at(head, n, 8, "qt  ", 4))
			return "video/quicktime";
		if (at(head, n, 8, "avif", 4))
			return "image/avif";
		if (at(head, n, 8, "heic", 4))
			return "image/heic";
		return "video/mp4";
	}
	if (at(head, n, 0, "\x1A\x45\xDF\xA3", 4))
		return "video/webm";
	if (at(head, n, 0, "OggS", 4))
		return "audio/ogg";
	if (at(head, n, 0, "ID3", 3) || (n >= 2 && (unsigned char)head[0] == 0xFF && ((unsigned char)head[1] & 0xE0) == 0xE0))
		return "audio/mpeg";
	static const char *const by_ext[][2] = {
		{ ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" }, { ".png", "image/png" }, { ".gif", "image/gif" },
		{ ".webp", "image/webp" }, { ".mp4", "video/mp4" }, { ".mov", "video/quicktime" },
		{ ".webm", "video/webm" }, { ".m4a", "audio/mp4" }, { ".mp3", "audio/mpeg" }, { ".ogg", "audio/ogg" },
	};
	size_t len;
	const char *base = name ? qr_path_base(name, &len) : NULL;
	const char *dot = base ? memrchr(base, '.', len) : NULL;
	for (size_t i = 0; dot && i < sizeof(by_ext) / sizeof(by_ext[0]); i++)
		if ((size_t)(base + len - dot) == strlen(by_ext[i][0]) && strncasecmp(dot, by_ext[i][0], strlen(by_ext[i][0])) == 0)
			return by_ext[i][1];
	return NULL;
}

const char *qr_mime_media_kind(const char *mime)
{
	if (!mime)
		return "file";
	if (strcmp(mime, "image/gif") == 0)
		return "gif";
	if (strncmp(mime, "image/", 6) == 0)
		return "photo";
	if (strncmp(mime, "video/", 6) == 0)
		return "video";
	if (strncmp(mime, "audio/", 6) == 0)
		return "audio";
	return "file";
}

const char *qr_path_base(const char *s, size_t *len)
{
	size_t end = strcspn(s, "?#");
	const char *slash = memrchr(s, '/', end);
	const char *base = slash ? slash + 1 : s;
	*len = (size_t)(s + end - base);
	return base;
}

void qr_held_init(qr_held *h)
{
	memset(h, 0, sizeof(*h));
	qr_buf_init(&h->bytes);
}

void qr_held_add(qr_held *h, const char *member, const qr_frame *f)
{
	size_t m = h->members.n;
	if (!m || strcmp(h->members.v[m - 1], member ? member : "") != 0)
		qr_strv_push(&h->members, member ? member : "");
	h->v = qr_grow_array(h->v, sizeof(*h->v), h->n + 1, &h->alloc);
	h->v[h->n++] = (qr_held_rec){ h->bytes.len, f->len, f->line, f->byte, h->members.n - 1 };
	qr_buf_add(&h->bytes, f->data, f->len);
}

void qr_held_get(const qr_held *h, size_t i, qr_frame *f, const char **member)
{
	const qr_held_rec *r = &h->v[i];
	f->data = h->bytes.buf + r->off;
	f->len = r->len;
	f->line = r->line;
	f->byte = r->byte;
	*member = h->members.v[r->member];
}

void qr_held_truncate(qr_held *h, size_t from)
{
	if (from >= h->n)
		return;
	if (from == 0) {
		qr_held_release(h);
		return;
	}
	qr_buf_setlen(&h->bytes, h->v[from].off);
	h->n = from;
}

void qr_held_release(qr_held *h)
{
	qr_buf_release(&h->bytes);
	free(h->v);
	qr_strv_clear(&h->members);
	qr_held_init(h);
}

bool qr_held_hold(qr_archive *a, qr_held *h, const char *member, const qr_frame *f, bool *warned,
		  const char *later)
{
	qr_held_add(h, member, f);
	if (h->bytes.len <= a->max_buffer)
		return false;
	if (!*warned) {
		qr_archive_note(a, QR_WARN, member,
				"the archive's posts pass %llu bytes (limit max_archive_buffer): posts are indexed "
				"before the whole archive is read, and %s that come later are not linked to them",
				(unsigned long long)a->max_buffer, later);
		*warned = true;
	}
	return true;
}

int qr_held_send(qr_archive *a, qr_held *h, qr_context_fn *context)
{
	if (!h->n)
		return 0;
	qr_buf ctx = QR_BUF_INIT;
	context(a, &ctx);
	int rc = a->sink->begin(a, ctx.buf, ctx.len);
	for (size_t i = 0; !rc && i < h->n; i++) {
		qr_frame f;
		const char *mem;
		qr_held_get(h, i, &f, &mem);
		rc = a->sink->record(a, mem, &f);
	}
	a->sink->end(a);
	qr_held_truncate(h, 0);
	qr_buf_release(&ctx);
	return rc;
}

cJSON *qr_context_parse(const char *data, size_t len, const char *format, qr_buf *why)
{
	cJSON *root = qr_parse_record(data, len, why);
	if (!root)
		return NULL;
	const char *kind = qr_json_str(root, "context");
	if (!kind || strcmp(kind, format) != 0) {
		qr_buf_setf(why, "not a %s context", format);
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

int qr_context_load(const char *data, size_t len, const char *format, const char *const *keys, void **out,
		    qr_buf *why)
{
	cJSON *root = qr_context_parse(data, len, format, why);
	if (!root)
		return QR_BAD_INPUT;
	qr_context *c = qr_calloc(1, sizeof(*c));
	c->root = root;
	for (size_t i = 0; i < QR_CONTEXT_MAPS && keys[i]; i++)
		qr_json_map_build(&c->map[i], qr_json_get(root, keys[i]));
	*out = c;
	return 0;
}

void qr_context_free(void *context)
{
	qr_context *c = context;
	if (!c)
		return;
	for (size_t i = 0; i < QR_CONTEXT_MAPS; i++)
		qr_json_map_release(&c->map[i]);
	cJSON_Delete(c->root);
	free(c);
}

void qr_archive_note(qr_archive *a, int severity, const char *member, const char *fmt, ...)
{
	qr_buf msg = QR_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	qr_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	a->sink->note(a, severity, member, msg.buf);
	qr_buf_release(&msg);
}

void qr_archive_note_unused(qr_archive *a, size_t n, const char *first)
{
	qr_archive_note(a, QR_WARN, first, "%zu media file%s kept without a post of the archive that shows %s", n,
			n == 1 ? "" : "s", n == 1 ? "it" : "them");
}

void qr_blob_to_json(qr_jw *w, const char *path, const qr_blob *b)
{
	qr_jw_kstr(w, "path", path);
	qr_jw_kint(w, "size", (int64_t)b->size);
	qr_jw_kstr(w, "sha256", b->sha256);
	qr_jw_kstr(w, "mime", b->mime);
	if (b->locator[0])
		qr_jw_kstr(w, "locator", b->locator);
}

void qr_blob_from_json(const cJSON *o, qr_media *m)
{
	int64_t size;
	const char *s;
	if ((s = qr_json_str(o, "path")))
		qr_set(&m->path, s);
	if ((s = qr_json_str(o, "sha256")))
		qr_set(&m->sha256, s);
	if ((s = qr_json_str(o, "locator")))
		qr_set(&m->locator, s);
	if ((s = qr_json_str(o, "mime")) && !m->mime)
		qr_set(&m->mime, s);
	if (qr_json_int(o, "size", &size))
		m->size = size;
}

static size_t key_hash(const char *s)
{
	size_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

void qr_json_map_build(qr_json_map *m, const cJSON *obj)
{
	const cJSON *item;
	size_t n = 0;
	memset(m, 0, sizeof(*m));
	cJSON_ArrayForEach(item, obj)
		n++;
	m->cap = 16;
	while (m->cap < 2 * n)
		m->cap *= 2;
	m->v = qr_calloc(m->cap, sizeof(*m->v));
	cJSON_ArrayForEach(item, obj) {
		if (!item->string)
			continue;
		for (size_t h = key_hash(item->string);; h++) {
			const cJSON **slot = &m->v[h & (m->cap - 1)];
			if (!*slot || strcmp((*slot)->string, item->string) == 0) {
				*slot = item;
				break;
			}
		}
	}
}

const cJSON *qr_json_map_get(const qr_json_map *m, const char *key)
{
	if (!m->cap || !key)
		return NULL;
	for (size_t h = key_hash(key);; h++) {
		const cJSON *slot = m->v[h & (m->cap - 1)];
		if (!slot || strcmp(slot->string, key) == 0)
			return slot;
	}
}

void qr_json_map_release(qr_json_map *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}
