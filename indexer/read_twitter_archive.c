/*
 * The Twitter "Download your archive" zip, read whole (format.h: archive
 * formats).  The .js files in its data/ folder are JavaScript:
 * "window.YTD.tweets.part0 = [ ... ]", an array of {"tweet": {...}} (bare tweet objects in older
 * tweet.js files) in which every number is a string.  What is read:
 *
 *   data/manifest.js      window.__THAR_CONFIG: the account and the list of
 *                         files with their counts (checked at the end)
 *   data/account.js       account id, handle, display name (never the
 *                         e-mail address, which is not even copied)
 *   data/tweets.js, data/tweets-partN.js, data/tweet.js
 *                         the posts: one record per array element
 *   data/note-tweet.js    full texts of long posts; a note's id is not the
 *                         tweet's: matched on creation time and text prefix
 *   data/tweets_media/<tweet id>-<name>
 *                         the posts' media files, kept in the store
 *
 * Everything else in the archive (likes, direct messages, the HTML viewer)
 * is skipped.  Retweets are only "RT @x: ..." text there: they become
 * reposts.  The context record (format.h) is:
 *
 *   {"context": "twitter-archive", "version": 1,
 *    "account": {"id", "handle", "name"},
 *    "notes": {"<tweet id>": <the note-tweet.js element, as it was>},
 *    "media": {"<tweet id>": [{"name", "path", "size", "sha256", "mime",
 *                              "locator"}]}}
 *
 * holding only what the records that follow it need.
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
#include "twitter_common.h"

#define NAME "twitter-archive"
/* Seconds between a tweet and its note tweet still taken as the same post. */
#define NOTE_WINDOW 10
/* Characters of a tweet's text compared with the start of a note. */
#define NOTE_PREFIX 60

struct media_file {
	char *tweet;          /* the tweet id the file name starts with */
	char *name;           /* the rest of the file name */
	char *member;
	qr_blob blob;
	bool used;
};

struct note {
	char *raw;            /* the element, as it was */
	size_t len;
	int64_t created;
	char *text;           /* decoded, for matching */
	bool used;
};

struct listed {
	char *name;           /* "data/tweets-part1.js", from the manifest */
	int64_t count;
};

struct state {
	char *id, *handle, *name;   /* the account */
	bool from_account;          /* account.js read: it wins over the manifest */
	bool manifest;
	struct listed *listed;
	size_t nlisted, alisted;
	struct listed *read;        /* tweet files read and their element counts */
	size_t nread, aread;
	struct note *notes;
	size_t nnotes, anotes;
	struct media_file *media;
	size_t nmedia, amedia;
	qr_held posts;
	bool warned_buffer;
	uint64_t emitted;
};

/* ---- names ---- */

/* The path from its "data/" component on (archives re-zipped from an
 * extracted folder have one more level). */
static const char *data_rel(const char *name)
{
	if (qr_starts_with(name, "data/"))
		return name;
	const char *p = strstr(name, "/data/");
	return p ? p + 1 : name;
}

static bool media_dir(const char *rel)
{
	return qr_starts_with(rel, "data/tweets_media/") || qr_starts_with(rel, "data/tweet_media/");
}

/* "window.<global> = <value>": the global and where the value starts. */
static bool js_global(const char *p, size_t n, qr_buf *global, size_t *value)
{
	size_t i = 0;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t'))
		i++;
	if (n - i < 7 || memcmp(p + i, "window.", 7) != 0)
		return false;
	i += 7;
	size_t start = i;
	while (i < n && i - start < 200 && p[i] != '=' && p[i] != '\n')
		i++;
	if (i >= n || p[i] != '=')
		return false;
	size_t end = i;
	while (end > start && p[end - 1] == ' ')
		end--;
	qr_buf_reset(global);
	qr_buf_add(global, p + start, end - start);
	*value = i + 1;
	return true;
}

enum js_kind { JS_OTHER, JS_MANIFEST, JS_ACCOUNT, JS_TWEETS, JS_NOTES };

static enum js_kind js_kind(const char *global)
{
	if (strcmp(global, "__THAR_CONFIG") == 0)
		return JS_MANIFEST;
	if (qr_starts_with(global, "YTD.account.part"))
		return JS_ACCOUNT;
	if (qr_starts_with(global, "YTD.tweets.part") || qr_starts_with(global, "YTD.tweet.part"))
		return JS_TWEETS;
	if (qr_starts_with(global, "YTD.note_tweet.part"))
		return JS_NOTES;
	return JS_OTHER;
}

static int bid(const char *name, const char *head, size_t n)
{
	qr_buf global = QR_BUF_INIT;
	size_t value;
	int score = 0;
	if (js_global(head, n, &global, &value) &&
	    (qr_starts_with(global.buf, "YTD.") || strcmp(global.buf, "__THAR_CONFIG") == 0))
		score = 100;
	qr_buf_release(&global);
	if (score)
		return score;
	const char *rel = data_rel(name);
	if (media_dir(rel))
		return 60;
	/* Other media of the archive's data folder (direct messages, the
	 * profile): taken, to be skipped. */
	if (qr_starts_with(rel, "data/") && strstr(rel, "_media/") && qr_media_mime(head, n, name))
		return 30;
	return 0;
}

/* ---- reading members ---- */

static int open_archive(qr_archive *a)
{
	struct state *st = qr_calloc(1, sizeof(*st));
	qr_held_init(&st->posts);
	a->state = st;
	return 0;
}

/* A whole small .js file: the JSON value after the assignment. */
static cJSON *read_js(qr_archive *a, const char *member, qr_stream *s)
{
	qr_buf data = QR_BUF_INIT, why = QR_BUF_INIT, global = QR_BUF_INIT;
	size_t value;
	cJSON *v = NULL;
	if (qr_member_read(s, a->max_record, &data, &why)) {
		qr_archive_note(a, QR_FAILED, member, "%s", why.buf);
	} else if (!js_global(data.buf, data.len, &global, &value)) {
		qr_archive_note(a, QR_FAILED, member, "not a \"window.NAME = ...\" assignment");
	} else {
		size_t end = data.len;
		while (end > value && (data.buf[end - 1] == ';' || data.buf[end - 1] == '\n' ||
				       data.buf[end - 1] == ' ' || data.buf[end - 1] == '\r'))
			end--;
		v = qr_parse_record(data.buf + value, end - value, &why);
		if (!v)
			qr_archive_note(a, QR_FAILED, member, "%s", why.buf);
	}
	qr_buf_release(&data);
	qr_buf_release(&why);
	qr_buf_release(&global);
	return v;
}

static void set_account(struct state *st, const char *id, const char *handle, const char *name)
{
	qr_set(&st->id, id);
	qr_set(&st->handle, handle);
	qr_set(&st->name, name);
}

static void read_manifest(qr_archive *a, struct state *st, const char *member, qr_stream *s)
{
	cJSON *m = read_js(a, member, s);
	if (!m)
		return;
	st->manifest = true;
	qr_buf id = QR_BUF_INIT;
	if (!st->from_account && qr_json_id(m, "userInfo.accountId", &id))
		set_account(st, id.buf, qr_json_str(m, "userInfo.userName"), qr_json_str(m, "userInfo.displayName"));
	const cJSON *f;
	cJSON_ArrayForEach(f, qr_json_get(m, "dataTypes.tweets.files")) {
		const char *name = qr_json_str(f, "fileName");
		int64_t count = -1;
		if (!name)
			continue;
		qr_json_int(f, "count", &count);
		st->listed = qr_grow_array(st->listed, sizeof(*st->listed), st->nlisted + 1, &st->alisted);
		st->listed[st->nlisted++] = (struct listed){ qr_strdup(name), count };
	}
	qr_buf_release(&id);
	cJSON_Delete(m);
}

static void read_account(qr_archive *a, struct state *st, const char *member, qr_stream *s)
{
	cJSON *v = read_js(a, member, s);
	const cJSON *acc = qr_json_get(cJSON_GetArrayItem(v, 0), "account");
	qr_buf id = QR_BUF_INIT;
	if (cJSON_IsObject(acc) && qr_json_id(acc, "accountId", &id)) {
		/* Only these three: the e-mail address stays where it was. */
		set_account(st, id.buf, qr_json_str(acc, "username"), qr_json_str(acc, "accountDisplayName"));
		st->from_account = true;
	} else if (v) {
		qr_archive_note(a, QR_WARN, member, "no account object with an accountId");
	}
	qr_buf_release(&id);
	cJSON_Delete(v);
}

/* Collapse white space and decode references, for comparing texts. */
static void plain(qr_buf *out, const char *s)
{
	qr_buf tmp = QR_BUF_INIT;
	qr_html_decode(&tmp, s, strlen(s));
	bool space = false;
	for (size_t i = 0; i < tmp.len; i++) {
		char c = tmp.buf[i];
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
			space = out->len > 0;
			continue;
		}
		if (space)
			qr_buf_addch(out, ' ');
		space = false;
		qr_buf_addch(out, c);
	}
	qr_buf_release(&tmp);
}

static void add_note(qr_archive *a, struct state *st, const char *member, const qr_frame *f)
{
	qr_buf why = QR_BUF_INIT, text = QR_BUF_INIT;
	cJSON *v = qr_parse_record(f->data, f->len, &why);
	const cJSON *note = qr_json_get(v, "noteTweet");
	const char *when = qr_json_str(note, "createdAt");
	const char *body = qr_json_str(note, "core.text");
	int64_t t;
	if (!note || !when || !body || !qr_time_parse_iso(when, &t)) {
		a->sink->reject(a, member, f->line, f->byte,
				why.len ? why.buf : "note tweet without noteTweet.createdAt and core.text");
	} else {
		plain(&text, body);
		st->notes = qr_grow_array(st->notes, sizeof(*st->notes), st->nnotes + 1, &st->anotes);
		st->notes[st->nnotes++] = (struct note){ qr_strndup(f->data, f->len), f->len, t,
							 qr_buf_detach(&text, NULL), false };
	}
	cJSON_Delete(v);
	qr_buf_release(&why);
	qr_buf_release(&text);
}

static int emit(qr_archive *a, struct state *st);

static int hold_post(qr_archive *a, struct state *st, const char *member, const qr_frame *f)
{
	if (!qr_held_hold(a, &st->posts, member, f, &st->warned_buffer, "media files or long texts"))
		return 0;
	return emit(a, st);
}

/* Frame the elements of "window.X = [ ... ]", each to hold_post or add_note. */
static int read_array(qr_archive *a, struct state *st, const char *member, qr_stream *s, enum js_kind kind)
{
	qr_input in;
	qr_frame f = { 0 };
	qr_buf why = QR_BUF_INIT, global = QR_BUF_INIT;
	size_t value;
	int64_t count = 0;
	int rc = 0;

	qr_input_init(&in, s, a->max_record);
	size_t avail = qr_input_fill(&in, 512);
	if (!js_global(in.buf + in.start, avail, &global, &value)) {
		qr_archive_note(a, QR_FAILED, member, "not a \"window.NAME = [...]\" file");
		goto out;
	}
	qr_input_skip(&in, value);
	if (!qr_input_skip_blanks(&in) || in.buf[in.start] != '[') {
		qr_archive_note(a, QR_FAILED, member, "no array after \"window.%s =\"", global.buf);
		goto out;
	}
	qr_input_skip(&in, 1);
	for (;;) {
		if (!qr_input_skip_blanks(&in)) {
			qr_archive_note(a, QR_FAILED, member, "%s after %lld elements",
					in.failed ? in.err.buf : "the file ends before its array closes",
					(long long)count);
			goto out;
		}
		char c = in.buf[in.start];
		if (c == ',') {
			qr_input_skip(&in, 1);
			continue;
		}
		if (c == ']') {
			qr_input_skip(&in, 1);
			break;
		}
		qr_buf_reset(&why);
		int got = qr_input_value(&in, &f, &why);
		if (got == QR_IO) {
			qr_archive_note(a, QR_FAILED, member, "cannot read further: %s", in.err.buf);
			goto out;
		}
		if (got == QR_END)
			continue;
		count++; /* the manifest counts broken elements too */
		if (got != QR_OK) {
			a->sink->reject(a, member, f.line, f.byte, why.buf);
			continue;
		}
		if (kind == JS_NOTES)
			add_note(a, st, member, &f);
		else if ((rc = hold_post(a, st, member, &f)))
			goto out;
	}
	/* Only blanks and a semicolon may follow. */
	while (qr_input_skip_blanks(&in) && in.buf[in.start] == ';')
		qr_input_skip(&in, 1);
	if (qr_input_fill(&in, 1))
		qr_archive_note(a, QR_WARN, member, "bytes after the array, from line %llu, ignored",
				(unsigned long long)in.line);
out:
	if (kind == JS_TWEETS) {
		st->read = qr_grow_array(st->read, sizeof(*st->read), st->nread + 1, &st->aread);
		st->read[st->nread++] = (struct listed){ qr_strdup(member), count };
	}
	qr_input_release(&in);
	qr_buf_release(&why);
	qr_buf_release(&global);
	return rc;
}

static int read_media(qr_archive *a, struct state *st, const char *rel, const char *member, qr_stream *s)
{
	size_t len;
	const char *base = qr_path_base(rel, &len);
	size_t digits = 0;
	while (digits < len && base[digits] >= '0' && base[digits] <= '9')
		digits++;
	if (!digits || digits >= len || base[digits] != '-' || digits + 1 == len) {
		qr_archive_note(a, QR_WARN, member, "media file name is not <tweet id>-<name>: skipped");
		return 0;
	}
	qr_blob blob;
	int rc = a->sink->blob(a, member, s, &blob);
	if (rc || !blob.sha256[0])
		return rc;
	st->media = qr_grow_array(st->media, sizeof(*st->media), st->nmedia + 1, &st->amedia);
	st->media[st->nmedia++] = (struct media_file){ qr_strndup(base, digits),
						       qr_strndup(base + digits + 1, len - digits - 1),
						       qr_strdup(member), blob, false };
	return 0;
}

static int member(qr_archive *a, const char *name, const char *mem, qr_stream *s)
{
	struct state *st = a->state;
	const char *rel = data_rel(name);
	if (media_dir(rel))
		return read_media(a, st, rel, mem, s);
	const char *head;
	ssize_t n = qr_stream_peek(s, 512, &head);
	qr_buf global = QR_BUF_INIT;
	size_t value;
	int rc = 0;
	if (n > 0 && js_global(head, (size_t)n, &global, &value)) {
		switch (js_kind(global.buf)) {
		case JS_MANIFEST: read_manifest(a, st, mem, s); break;
		case JS_ACCOUNT: read_account(a, st, mem, s); break;
		case JS_TWEETS: rc = read_array(a, st, mem, s, JS_TWEETS); break;
		case JS_NOTES: rc = read_array(a, st, mem, s, JS_NOTES); break;
		case JS_OTHER: break;
		}
	}
	qr_buf_release(&global);
	return rc;
}

/* ---- the context and emitting ---- */

static int cmp_note(const void *x, const void *y)
{
	const struct note *a = x, *b = y;
	return a->created < b->created ? -1 : a->created > b->created;
}

/* Tweet ids are decimal: shorter is smaller. */
static int cmp_id(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

static int cmp_media(const void *x, const void *y)
{
	const struct media_file *a = x, *b = y;
	int c = cmp_id(a->tweet, b->tweet);
	return c ? c : strcmp(a->name, b->name);
}

/* The tweet object of an element: {"tweet": {...}}, or the bare object of
 * older archives. */
static const cJSON *tweet_of(const cJSON *el)
{
	const cJSON *t = qr_json_get(el, "tweet");
	return cJSON_IsObject(t) ? t : el;
}

/* The start of a tweet's text that a note must begin with: up to its first
 * link (links differ), without a closing ellipsis. */
static void note_prefix(qr_buf *out, const char *text)
{
	plain(out, text);
	char *link = strstr(out->buf, "http");
	if (link)
		qr_buf_setlen(out, (size_t)(link - out->buf));
	while (out->len && (out->buf[out->len - 1] == ' '))
		qr_buf_setlen(out, out->len - 1);
	if (out->len >= 3 && memcmp(out->buf + out->len - 3, "\xE2\x80\xA6", 3) == 0)
		qr_buf_setlen(out, out->len - 3);
	/* NOTE_PREFIX characters, cut on a character boundary. */
	size_t chars = 0, i = 0;
	while (i < out->len && chars < NOTE_PREFIX) {
		uint32_t cp;
		i += qr_utf8_decode(out->buf + i, out->len - i, &cp);
		chars++;
	}
	qr_buf_setlen(out, i);
}

static struct note *match_note(struct state *st, int64_t created, const char *text)
{
	if (!st->nnotes)
		return NULL;
	qr_buf prefix = QR_BUF_INIT;
	note_prefix(&prefix, text);
	size_t lo = 0, hi = st->nnotes;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (st->notes[mid].created < created - NOTE_WINDOW)
			lo = mid + 1;
		else
			hi = mid;
	}
	struct note *best = NULL;
	int64_t best_gap = NOTE_WINDOW + 1;
	for (size_t i = lo; i < st->nnotes && st->notes[i].created <= created + NOTE_WINDOW; i++) {
		struct note *nt = &st->notes[i];
		int64_t gap = nt->created > created ? nt->created - created : created - nt->created;
		if (!nt->used && gap < best_gap && qr_starts_with(nt->text, prefix.buf)) {
			best = nt;
			best_gap = gap;
		}
	}
	qr_buf_release(&prefix);
	return best;
}

static void write_media(qr_jw *w, struct state *st, const char *id)
{
	size_t lo = 0, hi = st->nmedia;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cmp_id(st->media[mid].tweet, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= st->nmedia || strcmp(st->media[lo].tweet, id) != 0)
		return;
	qr_jw_key(w, id);
	qr_jw_begin_array(w);
	for (size_t i = lo; i < st->nmedia && strcmp(st->media[i].tweet, id) == 0; i++) {
		qr_jw_begin_object(w);
		qr_jw_kstr(w, "name", st->media[i].name);
		qr_blob_to_json(w, st->media[i].member, &st->media[i].blob);
		qr_jw_end_object(w);
		st->media[i].used = true;
	}
	qr_jw_end_array(w);
}

/* The context of the held posts, into out. */
static void build_context(qr_archive *a, qr_buf *out)
{
	struct state *st = a->state;
	qr_buf notes = QR_BUF_INIT, media = QR_BUF_INIT, id = QR_BUF_INIT;
	qr_jw w, wn, wm;
	if (st->nnotes)
		qsort(st->notes, st->nnotes, sizeof(*st->notes), cmp_note);
	if (st->nmedia)
		qsort(st->media, st->nmedia, sizeof(*st->media), cmp_media);
	qr_jw_init(&wn, &notes, false);
	qr_jw_init(&wm, &media, false);
	qr_jw_begin_object(&wn);
	qr_jw_begin_object(&wm);
	for (size_t i = 0; i < st->posts.n; i++) {
		qr_frame f;
		const char *mem;
		qr_held_get(&st->posts, i, &f, &mem);
		cJSON *el = qr_json_parse(f.data, f.len, NULL);
		const cJSON *t = tweet_of(el);
		const char *when = qr_json_str(t, "created_at"), *text = qr_json_str(t, "full_text");
		int64_t created;
		if (!text)
			text = qr_json_str(t, "text");
		if (qr_json_id(t, "id_str", &id) || qr_json_id(t, "id", &id)) {
			struct note *nt = when && text && qr_time_parse_twitter(when, &created) ?
						  match_note(st, created, text) : NULL;
			if (nt) {
				nt->used = true;
				qr_jw_key(&wn, id.buf);
				qr_jw_raw(&wn, nt->raw, nt->len);
			}
			write_media(&wm, st, id.buf);
		}
		cJSON_Delete(el);
	}
	qr_jw_end_object(&wn);
	qr_jw_end_object(&wm);
	qr_jw_init(&w, out, false);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "context", NAME);
	qr_jw_kint(&w, "version", 1);
	if (st->id || st->handle) {
		qr_jw_key(&w, "account");
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "id", st->id);
		qr_jw_kstr(&w, "handle", st->handle);
		qr_jw_kstr(&w, "name", st->name);
		qr_jw_end_object(&w);
	}
	qr_jw_key(&w, "notes");
	qr_jw_raw(&w, notes.buf, notes.len);
	qr_jw_key(&w, "media");
	qr_jw_raw(&w, media.buf, media.len);
	qr_jw_end_object(&w);
	qr_buf_release(&notes);
	qr_buf_release(&media);
	qr_buf_release(&id);
}

static int emit(qr_archive *a, struct state *st)
{
	st->emitted += st->posts.n;
	return qr_held_send(a, &st->posts, build_context);
}

/* What the manifest promised against what the archive held. */
static void check_manifest(qr_archive *a, struct state *st)
{
	for (size_t i = 0; i < st->nlisted; i++) {
		const struct listed *l = &st->listed[i];
		const struct listed *r = NULL;
		for (size_t k = 0; k < st->nread && !r; k++)
			if (strcmp(data_rel(st->read[k].name), data_rel(l->name)) == 0 ||
			    qr_ends_with(st->read[k].name, l->name))
				r = &st->read[k];
		if (!r)
			qr_archive_note(a, QR_WARN, NULL, "%s, listed in data/manifest.js, is not in the archive",
					l->name);
		else if (l->count >= 0 && r->count != l->count)
			qr_archive_note(a, QR_WARN, r->name, "data/manifest.js lists %lld tweets, the file holds %lld",
					(long long)l->count, (long long)r->count);
	}
}

static int finish(qr_archive *a)
{
	struct state *st = a->state;
	int rc = emit(a, st);
	if (rc)
		return rc;
	check_manifest(a, st);
	if (st->emitted && !st->id && !st->handle)
		qr_archive_note(a, QR_WARN, NULL, "no data/account.js or data/manifest.js: the posts have no author");
	size_t unused = 0;
	const char *first = NULL;
	for (size_t i = 0; i < st->nmedia; i++)
		if (!st->media[i].used && !unused++)
			first = st->media[i].member;
	if (unused)
		qr_archive_note_unused(a, unused, first);
	size_t lost = 0;
	for (size_t i = 0; i < st->nnotes; i++)
		lost += !st->notes[i].used;
	if (lost)
		qr_archive_note(a, QR_WARN, NULL, "%zu note tweet%s (long texts) matched no post of the archive", lost,
				lost == 1 ? "" : "s");
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
	for (size_t i = 0; i < st->nlisted; i++)
		free(st->listed[i].name);
	free(st->listed);
	for (size_t i = 0; i < st->nread; i++)
		free(st->read[i].name);
	free(st->read);
	for (size_t i = 0; i < st->nnotes; i++) {
		free(st->notes[i].raw);
		free(st->notes[i].text);
	}
	free(st->notes);
	for (size_t i = 0; i < st->nmedia; i++) {
		free(st->media[i].tweet);
		free(st->media[i].name);
		free(st->media[i].member);
	}
	free(st->media);
	qr_held_release(&st->posts);
	free(st);
	a->state = NULL;
}

/* ---- normalizing ---- */

/* The context record: the maps of its "notes" and "media". */
static const char *const context_keys[] = { "notes", "media", NULL };
enum { MAP_NOTES, MAP_MEDIA };

static int load_context(const char *data, size_t len, void **out, qr_buf *why)
{
	return qr_context_load(data, len, NAME, context_keys, out, why);
}

/* The first string member of o among keys. */
static const char *first_str(const cJSON *o, const char *const *keys)
{
	for (; *keys; keys++) {
		const char *s = qr_json_str(o, *keys);
		if (s && *s)
			return s;
	}
	return NULL;
}

static const cJSON *media_list(const cJSON *t)
{
	const cJSON *m = qr_json_get(t, "extended_entities.media");
	if (cJSON_IsArray(m) && cJSON_GetArraySize(m) > 0)
		return m;
	m = qr_json_get(t, "entities.media");
	return cJSON_IsArray(m) ? m : NULL;
}

/* Links expanded as the entities say; the links to the post's own media
 * dropped (the media are listed on the post). */
static void expand_links(qr_buf *text, const cJSON *urls, const cJSON *media)
{
	static const char *const shorts[] = { "url", "shortUrl", "short_url", NULL };
	static const char *const longs[] = { "expanded_url", "expandedUrl", NULL };
	const cJSON *u;
	cJSON_ArrayForEach(u, urls) {
		const char *from = first_str(u, shorts), *to = first_str(u, longs);
		if (from && to)
			qr_twitter_replace_all(text, from, to);
	}
	qr_twitter_drop_media_links(text, media);
}

static void add_urls(qr_post *p, const cJSON *urls)
{
	static const char *const keys[] = { "expanded_url", "expandedUrl", "url", NULL };
	const cJSON *u;
	cJSON_ArrayForEach(u, urls) {
		const char *s = first_str(u, keys);
		if (s)
			qr_strv_push_unique(&p->urls, s, false);
	}
}

static bool word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* Hashtags of a text that came without entities: '#' after a space or at
 * the start, then word characters, not digits only. */
static void scan_hashtags(qr_post *p, const char *text)
{
	for (const char *s = text; (s = strchr(s, '#')); s++) {
		if (s != text && word_byte((unsigned char)s[-1]))
			continue;
		size_t n = 0;
		bool letter = false;
		while (word_byte((unsigned char)s[1 + n])) {
			letter |= !(s[1 + n] >= '0' && s[1 + n] <= '9');
			n++;
		}
		if (n && letter) {
			qr_buf tag = QR_BUF_INIT;
			qr_buf_add(&tag, s + 1, n);
			qr_strv_push_unique(&p->hashtags, tag.buf, true);
			qr_buf_release(&tag);
		}
	}
}

/* The text, hashtags, mentions and links of a long post, from its note. */
static void apply_note(qr_post *p, const cJSON *note, qr_buf *text)
{
	static const char *const tag_keys[] = { "text", "hashtag", "tag", NULL };
	static const char *const who_keys[] = { "screenName", "screen_name", "text", NULL };
	const cJSON *core = qr_json_get(note, "noteTweet.core");
	const char *body = qr_json_str(core, "text");
	qr_buf_reset(text);
	qr_buf_adds(text, body ? body : "");
	expand_links(text, qr_json_get(core, "urls"), NULL);
	add_urls(p, qr_json_get(core, "urls"));
	const cJSON *e;
	const cJSON *tags = qr_json_get(core, "hashtags");
	if (cJSON_IsArray(tags)) {
		cJSON_ArrayForEach(e, tags) {
			const char *t = cJSON_IsString(e) ? e->valuestring : first_str(e, tag_keys);
			if (t)
				qr_strv_push_unique(&p->hashtags, t[0] == '#' ? t + 1 : t, true);
		}
	} else {
		scan_hashtags(p, text->buf);
	}
	cJSON_ArrayForEach(e, qr_json_get(core, "mentions")) {
		const char *t = cJSON_IsString(e) ? e->valuestring : first_str(e, who_keys);
		if (t)
			qr_strv_push_unique(&p->mentions, t[0] == '@' ? t + 1 : t, true);
	}
	const char *nid = qr_json_str(note, "noteTweet.noteTweetId");
	if (nid)
		qr_kvv_set(&p->extra, "note_tweet_id", nid);
}

/* Does this file (context entry) belong to this media entry?  The file is
 * named after the last part of the media URL or of a video variant. */
static bool file_of(const cJSON *m, const char *name)
{
	size_t len, nlen = strlen(name);
	const char *url = qr_json_str(m, "media_url_https");
	if (!url)
		url = qr_json_str(m, "media_url");
	const char *base = url ? qr_path_base(url, &len) : NULL;
	if (base && len == nlen && memcmp(base, name, len) == 0)
		return true;
	const cJSON *v;
	cJSON_ArrayForEach(v, qr_json_get(m, "video_info.variants")) {
		const char *vu = qr_json_str(v, "url");
		base = vu ? qr_path_base(vu, &len) : NULL;
		if (base && len == nlen && memcmp(base, name, len) == 0)
			return true;
	}
	return false;
}

static void add_media(qr_post *p, const cJSON *list, const cJSON *files)
{
	const cJSON *m, *file;
	size_t nfiles = (size_t)cJSON_GetArraySize(files);
	bool *used = qr_calloc(nfiles ? nfiles : 1, sizeof(*used));
	cJSON_ArrayForEach(m, list) {
		qr_media *md = qr_twitter_add_v1_medium(p, m, false);
		if (!md)
			continue;
		size_t i = 0;
		cJSON_ArrayForEach(file, files) {
			const char *name = qr_json_str(file, "name");
			if (!used[i] && name && file_of(m, name)) {
				used[i] = true;
				qr_blob_from_json(file, md);
				break;
			}
			i++;
		}
	}
	/* Files the entities do not show (or an archive without entities). */
	size_t i = 0;
	cJSON_ArrayForEach(file, files) {
		if (!used[i++]) {
			qr_media *md = qr_post_add_media(p);
			qr_blob_from_json(file, md);
			qr_set(&md->type, qr_mime_media_kind(md->mime));
		}
	}
	free(used);
}

/* A link to a post of Twitter: its id into id. */
static bool status_link(const char *url, qr_buf *id)
{
	const char *host = strstr(url, "://");
	if (!host)
		return false;
	host += 3;
	if (qr_starts_with(host, "www.") || qr_starts_with(host, "mobile."))
		host = strchr(host, '.') + 1;
	if (!qr_starts_with(host, "twitter.com/") && !qr_starts_with(host, "x.com/"))
		return false;
	const char *st = strstr(host, "/status/");
	if (!st)
		return false;
	st += 8;
	size_t n = strspn(st, "0123456789");
	if (!n || (st[n] && st[n] != '?' && st[n] != '/' && st[n] != '#'))
		return false;
	qr_buf_reset(id);
	qr_buf_add(id, st, n);
	return true;
}

/* A long post links to itself ("show more"): not one of its links. */
static void drop_self_links(qr_post *p)
{
	qr_buf id = QR_BUF_INIT;
	for (size_t i = 0; i < p->urls.n;) {
		if (status_link(p->urls.v[i], &id) && strcmp(id.buf, p->native_id) == 0)
			qr_strv_remove(&p->urls, p->urls.v[i]);
		else
			i++;
	}
	qr_buf_release(&id);
}

/* Quotes show as a link to the quoted post. */
static bool quoted_id(const cJSON *urls, const char *self, qr_buf *id)
{
	const cJSON *u;
	cJSON_ArrayForEach(u, urls) {
		const char *s = qr_json_str(u, "expanded_url");
		if (s && status_link(s, id) && strcmp(id->buf, self) != 0)
			return true;
	}
	return false;
}

/* Id, author (from the context's account), permalink. */
static void set_identity(qr_post *p, const qr_context *ctx, const char *id)
{
	qr_post_set_id(p, "twitter", id);
	const cJSON *acc = ctx ? qr_json_get(ctx->root, "account") : NULL;
	qr_twitter_set_author(p, qr_json_str(acc, "id"), qr_json_str(acc, "handle"), qr_json_str(acc, "name"));
	if (!ctx)
		qr_kvv_set(&p->extra, "archive_context", "missing");
}

/* Text, hashtags, mentions and links: the note's for a long post. */
static void set_text(qr_post *p, const qr_context *ctx, const cJSON *t, const char *body)
{
	qr_buf text = QR_BUF_INIT, decoded = QR_BUF_INIT;
	const cJSON *ents = qr_json_get(t, "entities");
	qr_twitter_add_v1_tags(p, ents);
	add_urls(p, qr_json_get(ents, "urls"));
	const cJSON *note = ctx ? qr_json_map_get(&ctx->map[MAP_NOTES], p->native_id) : NULL;
	if (note) {
		apply_note(p, note, &text);
	} else {
		qr_buf_adds(&text, body);
		expand_links(&text, qr_json_get(ents, "urls"), media_list(t));
	}
	qr_html_decode(&decoded, text.buf, text.len);
	qr_set(&p->text, decoded.buf);
	drop_self_links(p);
	qr_buf_release(&text);
	qr_buf_release(&decoded);
}

/* Repost, reply, quote or original. */
static void set_kind(qr_post *p, const cJSON *t, const char *body)
{
	qr_buf ref = QR_BUF_INIT;
	const cJSON *e;
	/* A retweet is only its text here: "RT @handle: ...". */
	if (qr_starts_with(body, "RT @")) {
		qr_set(&p->kind, "repost");
		size_t n = strcspn(body + 4, ": ");
		if (n && body[4 + n] == ':') {
			qr_buf_add(&ref, body + 4, n);
			qr_kvv_set(&p->extra, "repost_of_handle", ref.buf);
		}
		/* Media of a retweet name the post they came from. */
		cJSON_ArrayForEach(e, media_list(t)) {
			if (qr_json_id(e, "source_status_id_str", &ref) && qr_twitter_valid_id(ref.buf)) {
				qr_twitter_set_ref(&p->repost_of, ref.buf);
				break;
			}
		}
	}
	if (qr_json_id(t, "in_reply_to_status_id_str", &ref) && qr_twitter_valid_id(ref.buf)) {
		qr_twitter_set_ref(&p->reply_to, ref.buf);
		if (!p->kind)
			qr_set(&p->kind, "reply");
	}
	if (!p->kind && quoted_id(qr_json_get(t, "entities.urls"), p->native_id, &ref)) {
		qr_twitter_set_ref(&p->quote_of, ref.buf);
		qr_set(&p->kind, "quote");
	}
	if (!p->kind)
		qr_set(&p->kind, "original");
	qr_buf_release(&ref);
}

static int tweet_to_post(const qr_context *ctx, const cJSON *t, qr_posts *out, qr_buf *why)
{
	qr_buf id = QR_BUF_INIT;
	int64_t created;
	int st = QR_BAD_INPUT;
	const char *when = qr_json_str(t, "created_at");
	const char *body = qr_json_str(t, "full_text");
	if (!body)
		body = qr_json_str(t, "text");
	if (!qr_twitter_get_id(t, &id))
		qr_buf_setf(why, "no valid id_str");
	else if (!when)
		qr_buf_setf(why, "no created_at");
	else if (!qr_time_parse_twitter(when, &created) && !qr_time_parse_iso(when, &created))
		qr_buf_setf(why, "created_at is not a Twitter time: \"%.40s\"", when);
	else if (!body)
		qr_buf_setf(why, "no full_text or text");
	else
		st = QR_OK;
	if (st) {
		qr_buf_release(&id);
		return st;
	}
	qr_post *p = qr_posts_add(out);
	set_identity(p, ctx, id.buf);
	p->created = created;
	const char *lang = qr_json_str(t, "lang");
	if (lang && *lang)
		qr_set(&p->lang, lang);
	set_text(p, ctx, t, body);
	add_media(p, media_list(t), ctx ? qr_json_map_get(&ctx->map[MAP_MEDIA], id.buf) : NULL);
	set_kind(p, t, body);
	qr_post_metric_json(p, t, "retweet_count", "reposts");
	qr_post_metric_json(p, t, "favorite_count", "likes");
	const char *sensitive = qr_json_str(t, "possibly_sensitive");
	if (qr_json_true(t, "possibly_sensitive") || (sensitive && strcmp(sensitive, "true") == 0))
		qr_kvv_set(&p->extra, "sensitive", "true");
	if (qr_json_id(t, "edit_info.edit.initialTweetId", &id) && qr_twitter_valid_id(id.buf) &&
	    strcmp(id.buf, p->native_id))
		qr_kvv_set(&p->extra, "edit_of", id.buf);
	qr_buf_release(&id);
	return QR_OK;
}

static int normalize(const void *context, const char *data, size_t len, qr_posts *out, qr_buf *why)
{
	cJSON *el = qr_parse_record(data, len, why);
	if (!el)
		return QR_BAD_INPUT;
	int st = QR_BAD_INPUT;
	if (!cJSON_IsObject(el))
		qr_buf_setf(why, "array element is not a JSON object");
	else if (!cJSON_IsObject(qr_json_get(el, "tweet")) && !qr_json_get(el, "id_str"))
		qr_buf_setf(why, "neither a {\"tweet\": {...}} element nor a tweet object");
	else
		st = tweet_to_post(context, tweet_of(el), out, why);
	cJSON_Delete(el);
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

const qr_format qr_format_twitter_archive = {
	.name = NAME,
	.description = "Twitter \"Download your archive\" zip: data/tweets.js with its account, long texts and media",
	.archive = &ops,
};
