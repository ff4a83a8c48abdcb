/*
 * Telegram Desktop exports: result.json of one chat ({name, type, id,
 * messages: [...]}) or of a whole account ({..., chats: {list: [chat,
 * ...]}, left_chats: {list: [...]}}).  The file is one JSON document,
 * often gigabytes: the framing walks into it without loading it and frames
 * each message on its own.
 *
 * A message alone does not say which chat it belongs to, and normalize sees
 * only the record's bytes.  So the record is a small envelope made at
 * framing time, {"chat": {"id", "name", "type"}, "message": <the message
 * bytes exactly as in the file>}: the store keeps the message byte-exact
 * inside it, and the record can be re-read on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_reader.h"
#include "format.h"
#include "json.h"
#include "reader_util.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

#define MAX_DEPTH 16
#define MAX_SCALAR 4096

static int bid(const char *head, size_t n, const char *member)
{
	(void)member;
	if (qr_head_first(head, n) != '{')
		return 0;
	bool messages = qr_head_has_key(head, n, "messages");
	if (messages && (qr_head_has_key(head, n, "date_unixtime") || qr_head_has_key(head, n, "from_id")))
		return 95;
	if (messages && qr_head_has_key(head, n, "name") && qr_head_has_key(head, n, "type") &&
	    qr_head_has_key(head, n, "id"))
		return 80;
	/* A whole-account export opens with its own description. */
	if (qr_head_has_key(head, n, "personal_information") || (qr_head_has_key(head, n, "chats") &&
								  qr_head_has_key(head, n, "list")))
		return 85;
	return 0;
}

enum role { R_ROOT, R_CHATS, R_LIST, R_CHAT, R_MESSAGES };

struct level {
	enum role role;
	bool array;
};

struct walker {
	struct level stack[MAX_DEPTH];
	int depth;
	bool started, done;
	qr_buf name, type, id;     /* the current chat's, as JSON tokens */
	qr_buf rec;                /* the envelope handed out */
};

/* ---- bytes ---- */

static int peek(qr_input *in)
{
	if (qr_input_fill(in, 1) < 1)
		return -1;
	return (unsigned char)in->buf[in->start];
}

static void skip_blanks(qr_input *in, bool commas)
{
	int c;
	while ((c = peek(in)) >= 0) {
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || (commas && c == ',')) {
			qr_input_skip(in, 1);
		} else if (c == 0xEF && in->offset == 0 && qr_input_fill(in, 3) >= 3 &&
			   memcmp(in->buf + in->start, "\xEF\xBB\xBF", 3) == 0) {
			qr_input_skip(in, 3);
		} else {
			break;
		}
	}
}

/* Where a JSON value ends, a byte at a time. */
struct scan {
	int depth;
	bool str, esc;
};

/* One more byte of the value: 0 it goes on, 1 it ends with this byte, -1
 * it ended just before it (a scalar closed by a delimiter or by its
 * container). */
static int scan_byte(struct scan *s, char c)
{
	if (s->str) {
		if (s->esc)
			s->esc = false;
		else if (c == '\\')
			s->esc = true;
		else if (c == '"') {
			s->str = false;
			if (s->depth == 0)
				return 1;
		}
	} else if (c == '"') {
		s->str = true;
	} else if (c == '{' || c == '[') {
		s->depth++;
	} else if (c == '}' || c == ']') {
		if (s->depth == 0)
			return -1;
		if (--s->depth == 0)
			return 1;
	} else if (s->depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
		return -1;
	}
	return 0;
}

/*
 * Length of the JSON value at the current position, loading it whole:
 * 0 when the input ends first, SIZE_MAX past max.
 */
static size_t value_length(qr_input *in, size_t max)
{
	struct scan s = { 0, false, false };
	for (size_t i = 0;; i++) {
		if (i >= in->len - in->start) {
			if (i > max)
				return SIZE_MAX;
			if (qr_input_fill(in, i + 1) <= i)
				return 0;
		}
		int end = scan_byte(&s, in->buf[in->start + i]);
		if (end)
			return end > 0 ? i + 1 : i;
	}
}

/* Skip a value of any size without holding it: false when the input ends
 * inside it. */
static bool skip_value(qr_input *in)
{
	struct scan s = { 0, false, false };
	bool any = false;
	for (;;) {
		size_t avail = qr_input_fill(in, 1);
		if (!avail)
			return any && s.depth == 0 && !s.str;
		size_t i = 0;
		for (; i < avail; i++) {
			bool in_string = s.str;
			int end = scan_byte(&s, in->buf[in->start + i]);
			if (end) {
				qr_input_skip(in, end > 0 ? i + 1 : i);
				return true;
			}
			any |= !in_string;
		}
		qr_input_skip(in, i);
	}
}

/* A key: its raw bytes between the quotes (keys here are plain ASCII). */
static bool read_key(qr_input *in, qr_buf *key)
{
	size_t n = value_length(in, MAX_SCALAR);
	if (n < 2 || n == SIZE_MAX || in->buf[in->start] != '"')
		return false;
	qr_buf_reset(key);
	qr_buf_add(key, in->buf + in->start + 1, n - 2);
	qr_input_skip(in, n);
	skip_blanks(in, false);
	if (peek(in) != ':')
		return false;
	qr_input_skip(in, 1);
	skip_blanks(in, false);
	return true;
}

/* A scalar token kept as JSON text (a name, a type, an id). */
static bool read_scalar(qr_input *in, qr_buf *out)
{
	int c = peek(in);
	if (c == '{' || c == '[')
		return skip_value(in);
	size_t n = value_length(in, MAX_SCALAR);
	if (n == SIZE_MAX)
		return skip_value(in);
	if (n == 0)
		return false;
	qr_buf_reset(out);
	qr_buf_add(out, in->buf + in->start, n);
	qr_input_skip(in, n);
	return true;
}

static bool push(struct walker *w, enum role role, bool array)
{
	if (w->depth >= MAX_DEPTH)
		return false;
	w->stack[w->depth++] = (struct level){ role, array };
	return true;
}

static void reset_chat(struct walker *w)
{
	qr_buf_reset(&w->name);
	qr_buf_reset(&w->type);
	qr_buf_reset(&w->id);
}

static void walker_free(qr_reader *r)
{
	struct walker *w = r->state;
	if (!w)
		return;
	qr_buf_release(&w->name);
	qr_buf_release(&w->type);
	qr_buf_release(&w->id);
	qr_buf_release(&w->rec);
	free(w);
	r->state = NULL;
}

static int fail(qr_reader *r, qr_frame *f, qr_buf *why, const char *msg)
{
	struct walker *w = r->state;
	f->line = r->in.line;
	f->byte = r->in.offset;
	qr_buf_setf(why, "%s", msg);
	w->done = true;
	return QR_BAD_INPUT;
}

/* Enter a container expected after a key; anything else is skipped. */
static int enter(qr_reader *r, qr_frame *f, qr_buf *why, enum role role, bool array)
{
	struct walker *w = r->state;
	if (peek(&r->in) != (array ? '[' : '{'))
		return skip_value(&r->in) ? QR_OK : fail(r, f, why, "input ends inside the export");
	qr_input_skip(&r->in, 1);
	if (!push(w, role, array))
		return fail(r, f, why, "export nested too deep");
	return QR_OK;
}

static int frame_message(qr_reader *r, qr_frame *f, qr_buf *why)
{
	struct walker *w = r->state;
	qr_input *in = &r->in;
	f->line = in->line;
	f->byte = in->offset;
	if (peek(in) != '{') {
		if (!skip_value(in))
			return fail(r, f, why, "input ends inside the messages array");
		qr_buf_setf(why, "message is not a JSON object");
		return QR_BAD_INPUT;
	}
	size_t n = value_length(in, in->max_record);
	if (n == SIZE_MAX || (n > in->max_record && n != 0)) {
		if (n == SIZE_MAX)
			skip_value(in);
		else
			qr_input_skip(in, n);
		qr_buf_setf(why, "message is longer than %zu bytes (limit max_record)", in->max_record);
		return QR_LIMIT;
	}
	if (n == 0) {
		if (in->failed)
			return QR_IO;
		qr_input_skip(in, in->len - in->start);
		return fail(r, f, why, "input ends inside a message (the export is cut off)");
	}
	qr_buf_reset(&w->rec);
	qr_buf_addf(&w->rec, "{\"chat\":{\"id\":%s,\"name\":%s,\"type\":%s},\"message\":", w->id.len ? w->id.buf : "null",
		    w->name.len ? w->name.buf : "null", w->type.len ? w->type.buf : "null");
	qr_buf_add(&w->rec, in->buf + in->start, n);
	qr_buf_addch(&w->rec, '}');
	qr_input_skip(in, n);
	f->data = w->rec.buf;
	f->len = w->rec.len;
	return QR_OK;
}

static int next(qr_reader *r, qr_frame *f, qr_buf *why)
{
	qr_input *in = &r->in;
	struct walker *w = r->state;
	qr_buf key = QR_BUF_INIT;
	int st = QR_END;
	if (!w) {
		w = r->state = qr_calloc(1, sizeof(*w));
		qr_buf_init(&w->name);
		qr_buf_init(&w->type);
		qr_buf_init(&w->id);
		qr_buf_init(&w->rec);
	}
	for (;;) {
		if (w->done)
			break;
		skip_blanks(in, w->started);
		f->line = in->line;
		f->byte = in->offset;
		int c = peek(in);
		if (c < 0) {
			if (in->failed) {
				st = QR_IO;
			} else if (w->depth > 0 || !w->started) {
				st = fail(r, f, why, w->started ? "input ends inside the export (cut off?)" : "empty input");
			}
			w->done = true;
			break;
		}
		if (!w->started) {
			w->started = true;
			if (c != '{') {
				st = fail(r, f, why, "not a Telegram export: the top level is not a JSON object");
				break;
			}
			qr_input_skip(in, 1);
			push(w, R_ROOT, false);
			continue;
		}
		if (w->depth == 0) {
			/* Past the document: nothing more to read. */
			w->done = true;
			break;
		}
		struct level *lv = &w->stack[w->depth - 1];
		if (c == '}' || c == ']') {
			qr_input_skip(in, 1);
			w->depth--;
			continue;
		}
		if (lv->array) {
			if (lv->role == R_MESSAGES) {
				st = frame_message(r, f, why);
				break;
			}
			if (lv->role == R_LIST && c == '{') {
				qr_input_skip(in, 1);
				reset_chat(w);
				push(w, R_CHAT, false);
				continue;
			}
			if (!skip_value(in)) {
				st = fail(r, f, why, "input ends inside the export");
				break;
			}
			continue;
		}
		if (c != '"' || !read_key(in, &key)) {
			st = fail(r, f, why, "malformed JSON in the export (expected a key)");
			break;
		}
		bool chat = lv->role == R_ROOT || lv->role == R_CHAT;
		int est = QR_OK;
		if (chat && strcmp(key.buf, "name") == 0) {
			if (!read_scalar(in, &w->name))
				est = fail(r, f, why, "input ends inside the export");
		} else if (chat && strcmp(key.buf, "type") == 0) {
			if (!read_scalar(in, &w->type))
				est = fail(r, f, why, "input ends inside the export");
		} else if (chat && strcmp(key.buf, "id") == 0) {
			if (!read_scalar(in, &w->id))
				est = fail(r, f, why, "input ends inside the export");
		} else if (chat && strcmp(key.buf, "messages") == 0) {
			est = enter(r, f, why, R_MESSAGES, true);
		} else if (lv->role == R_ROOT && (strcmp(key.buf, "chats") == 0 || strcmp(key.buf, "left_chats") == 0)) {
			est = enter(r, f, why, R_CHATS, false);
		} else if (lv->role == R_CHATS && strcmp(key.buf, "list") == 0) {
			est = enter(r, f, why, R_LIST, true);
		} else if (!skip_value(in)) {
			est = fail(r, f, why, "input ends inside the export");
		}
		if (est != QR_OK) {
			st = est;
			break;
		}
	}
	qr_buf_release(&key);
	if (st == QR_END || st == QR_IO)
		walker_free(r);
	return st;
}

/* ---- normalize ---- */

static bool epoch(const cJSON *v, int64_t *t)
{
	/* A number, or digits in a string: qr_json_int reads both. */
	return v && qr_json_int(v, "", t);
}

/* What a file is: Telegram's media_type, set for the kinds its apps show
 * apart, else the file's mime type (a document that is a PNG is a photo).
 * README has the table. */
static const char *media_type(const char *mt, const char *mime)
{
	static const char *const kinds[][2] = {
		{ "sticker", "sticker" },      { "animation", "gif" },	       { "video_file", "video" },
		{ "video_message", "video" },  { "voice_message", "audio" }, { "audio_file", "audio" },
	};
	for (size_t i = 0; mt && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(mt, kinds[i][0]) == 0)
			return kinds[i][1];
	return qr_mime_media_kind(mime);
}

/* A file field: a path in the export, or a "(File not included ...)"
 * marker when the export left it out. */
static void add_file(qr_post *p, const char *type, const char *path, const cJSON *m)
{
	qr_media *md = qr_post_add_media(p);
	qr_set(&md->type, type);
	if (path[0] == '(') {
		qr_kvv_set(&p->extra, "media_missing", path);
	} else {
		qr_set(&md->path, path);
	}
	qr_set(&md->mime, qr_json_str(m, "mime_type"));
	int64_t secs;
	if (qr_json_int(m, "duration_seconds", &secs))
		md->duration_ms = secs * 1000;
	int64_t size;
	if (qr_json_int(m, "file_size", &size))
		md->size = size;
	/* A sticker stands for an emoji, which is what it says to a reader
	 * who cannot see it. */
	const char *emoji = qr_json_str(m, "sticker_emoji");
	if (strcmp(type, "sticker") == 0 && emoji && *emoji)
		qr_set(&md->alt_text, emoji);
}

/* The entities of a text: hashtags, mentions and links. */
static void add_entity(qr_post *p, const cJSON *e)
{
	const char *type = qr_json_str(e, "type");
	const char *t = qr_json_str(e, "text");
	if (!type || !t)
		return;
	if (strcmp(type, "hashtag") == 0 && t[0] == '#' && t[1])
		qr_strv_push_unique(&p->hashtags, t + 1, true);
	else if (strcmp(type, "mention") == 0 && t[0] == '@' && t[1])
		qr_strv_push_unique(&p->mentions, t + 1, true);
	else if (strcmp(type, "link") == 0 && *t)
		qr_strv_push_unique(&p->urls, t, false);
	else if (strcmp(type, "text_link") == 0 && qr_json_str(e, "href"))
		qr_strv_push_unique(&p->urls, qr_json_str(e, "href"), false);
}

/* Text: a string, or an array mixing strings and entity objects; newer
 * exports also list the entities in text_entities. */
static void read_text(qr_post *p, const cJSON *m, qr_buf *out)
{
	const cJSON *text = qr_json_get(m, "text"), *e;
	const cJSON *ents = qr_json_get(m, "text_entities");
	if (cJSON_IsString(text)) {
		qr_buf_adds(out, text->valuestring);
	} else if (cJSON_IsArray(text)) {
		cJSON_ArrayForEach(e, text) {
			if (cJSON_IsString(e)) {
				qr_buf_adds(out, e->valuestring);
			} else if (qr_json_str(e, "text")) {
				qr_buf_adds(out, qr_json_str(e, "text"));
				add_entity(p, e);
			}
		}
	} else {
		cJSON_ArrayForEach(e, ents)
			if (qr_json_str(e, "text"))
				qr_buf_adds(out, qr_json_str(e, "text"));
	}
	cJSON_ArrayForEach(e, ents)
		add_entity(p, e);
}

static int message_to_post(const cJSON *chat, const cJSON *m, qr_posts *out, qr_buf *why)
{
	qr_buf id = QR_BUF_INIT, tmp = QR_BUF_INIT, text = QR_BUF_INIT;
	int64_t mid, created, t;
	int st = QR_BAD_INPUT;
	const char *type = qr_json_str(m, "type");
	if (type && strcmp(type, "service") == 0) {
		const char *action = qr_json_str(m, "action");
		qr_buf_setf(why, "service message '%s'", action ? action : "?");
		st = QR_SKIP;
		goto out;
	}
	if (!qr_json_int(m, "id", &mid)) {
		qr_buf_setf(why, "message has no numeric id");
		goto out;
	}
	bool have_chat = qr_json_id(chat, "id", &tmp) || qr_json_int(chat, "id", &t);
	if (have_chat && !tmp.len)
		qr_buf_setf(&tmp, "%lld", (long long)t);
	if (have_chat)
		qr_buf_setf(&id, "%s/%lld", tmp.buf, (long long)mid);
	else
		qr_buf_setf(&id, "%lld", (long long)mid);
	bool local_time = false;
	if (!epoch(qr_json_get(m, "date_unixtime"), &created)) {
		/* Older exports: local time of the exporting computer, no zone. */
		const char *d = qr_json_str(m, "date");
		if (!d || !qr_time_parse_iso(d, &created)) {
			qr_buf_setf(why, "message %lld has neither date_unixtime nor a readable date", (long long)mid);
			goto out;
		}
		local_time = true;
	}

	qr_post *p = qr_posts_add(out);
	qr_post_set_id(p, "telegram", id.buf);
	p->created = created;
	const char *from_id = qr_json_str(m, "from_id");
	if (!from_id)
		from_id = qr_json_str(m, "actor_id");
	qr_set(&p->author_id, from_id);
	qr_set(&p->author_name, qr_json_str(m, "from"));
	read_text(p, m, &text);
	/* Polls carry their question and answers outside the text. */
	const char *question = qr_json_str(m, "poll.question");
	if (question) {
		qr_buf_addf(&text, "%s%s", text.len ? "\n\n" : "", question);
		const cJSON *a;
		cJSON_ArrayForEach(a, qr_json_get(m, "poll.answers")) {
			const char *at = qr_json_str(a, "text");
			if (at)
				qr_buf_addf(&text, "\n- %s", at);
		}
	}
	qr_set(&p->text, text.buf);

	const char *photo = qr_json_str(m, "photo");
	if (photo)
		add_file(p, "photo", photo, m);
	const char *file = qr_json_str(m, "file");
	const char *mt = qr_json_str(m, "media_type");
	if (file)
		add_file(p, media_type(mt, qr_json_str(m, "mime_type")), file, m);
	/* Kept as Telegram says it: a voice message is audio, and still
	 * told apart from a music file. */
	if (file && mt && *mt)
		qr_kvv_set(&p->extra, "media_type", mt);

	const char *chat_type = qr_json_str(chat, "type");
	const char *chat_name = qr_json_str(chat, "name");
	if (chat_name && *chat_name)
		qr_kvv_set(&p->extra, "community", chat_name);
	if (chat_type)
		qr_kvv_set(&p->extra, "chat_type", chat_type);
	if (have_chat && chat_type && (strstr(chat_type, "channel") || strstr(chat_type, "supergroup"))) {
		/* id.buf is "<chat>/<message>": the link wants the chat alone. */
		qr_buf_setf(&tmp, "https://t.me/c/%.*s/%lld", (int)strcspn(id.buf, "/"), id.buf, (long long)mid);
		qr_set(&p->url, tmp.buf);
	}
	if (qr_json_int(m, "reply_to_message_id", &t)) {
		if (have_chat)
			qr_buf_setf(&tmp, "%.*s/%lld", (int)strcspn(id.buf, "/"), id.buf, (long long)t);
		else
			qr_buf_setf(&tmp, "%lld", (long long)t);
		qr_post_set_ref(&p->reply_to, "telegram", tmp.buf);
	}
	const char *fwd = qr_json_str(m, "forwarded_from");
	if (fwd)
		qr_kvv_set(&p->extra, "forwarded_from", fwd);
	qr_set(&p->kind, qr_json_get(m, "forwarded_from") ? "repost" : p->reply_to ? "reply" : "original");
	if (epoch(qr_json_get(m, "edited_unixtime"), &t)) {
		char iso[32];
		qr_time_format_iso(t, iso);
		qr_kvv_set(&p->extra, "edited", iso);
	}
	const char *sig = qr_json_str(m, "author");
	if (sig)
		qr_kvv_set(&p->extra, "signature", sig);
	const char *via = qr_json_str(m, "via_bot");
	if (via)
		qr_kvv_set(&p->extra, "via_bot", via);
	if (local_time)
		qr_kvv_set(&p->extra, "time_zone", "unknown: local time of the exporting computer, read as UTC");
	const cJSON *r;
	cJSON_ArrayForEach(r, qr_json_get(m, "reactions")) {
		int64_t count;
		if (qr_json_int(r, "count", &count)) {
			bool found = false;
			for (size_t i = 0; i < p->nmetrics; i++)
				if (strcmp(p->metrics[i].name, "reactions") == 0) {
					p->metrics[i].value += count;
					found = true;
				}
			if (!found)
				qr_post_set_metric(p, "reactions", count);
		}
	}
	st = QR_OK;
out:
	qr_buf_release(&id);
	qr_buf_release(&tmp);
	qr_buf_release(&text);
	return st;
}

static int normalize(const char *data, size_t len, qr_posts *out, qr_buf *why)
{
	cJSON *o = qr_parse_object(data, len, why);
	if (!o)
		return QR_BAD_INPUT;
	int st = QR_BAD_INPUT;
	const cJSON *m = qr_json_get(o, "message");
	if (cJSON_IsObject(m)) {
		st = message_to_post(qr_json_get(o, "chat"), m, out, why);
	} else if (qr_json_get(o, "id") && (qr_json_get(o, "date") || qr_json_get(o, "date_unixtime"))) {
		/* A bare message (read with --format telegram): no chat known. */
		st = message_to_post(NULL, o, out, why);
	} else {
		qr_buf_setf(why, "not a Telegram message");
	}
	cJSON_Delete(o);
	return st;
}

const qr_format qr_format_telegram = {
	.name = "telegram",
	.description = "Telegram Desktop export result.json (one chat, or a whole account with chats.list)",
	.bid = bid,
	.next = next,
	.normalize = normalize,
};
