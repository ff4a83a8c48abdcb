/*
 * Jetstream captures: the Bluesky firehose as JSON lines, one event each,
 * as Jetstream serves them and a capture saves them:
 *
 *   {"did", "time_us", "kind": "commit", "commit": {"rev", "operation":
 *      "create"|"update"|"delete", "collection", "rkey", "record", "cid"}}
 *   {"did", "time_us", "kind": "identity", "identity": {"did", "handle", ...}}
 *   {"did", "time_us", "kind": "account", "account": {"active", ...}}
 *
 * (early captures wrote "type": "com"|"id"|"acc" and commit.type "c"|"u"|"d";
 * both are read).  Each line is a record, stored as it came.  A create of a
 * post or a repost is a post; an update is a new version of it (as an
 * edited tweet is); a delete is a tombstone that marks the post deleted at
 * the event's time, whether the corpus holds the post or not, and stays
 * when the post is read later (lib/post.c qr_post_inherit).  Likes,
 * follows, blocks, the other collections, identity and account events are
 * records without posts, counted.
 *
 * An identity event says an account's handle: the posts of that account
 * that come after it carry it.  So that the store alone can give them
 * their handles again, the handles travel in context records (format.h)
 * written when a post needs a handle the last one does not say:
 *
 *   {"context": "bluesky-jetstream", "version": 1,
 *    "handles": {"<did>": "<handle>"}}
 *
 * holding the needed one and up to MAX_CONTEXT_HANDLES others recently
 * needed.  Each capture starts with an empty context, so that a record is
 * never read back with handles it did not have.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_reader.h"
#include "bluesky.h"
#include "format.h"
#include "input.h"
#include "reader_util.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

#define NAME "bluesky-jetstream"
#define MAX_CONTEXT_HANDLES 256

/* ---- a string map (did -> handle) ---- */

typedef struct str_map {
	struct entry {
		char *key, *value;
	} *v;
	size_t cap, n;
} str_map;

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct entry *map_slot(const str_map *m, const char *key)
{
	for (size_t h = hash_str(key);; h++) {
		struct entry *e = &m->v[h & (m->cap - 1)];
		if (!e->key || strcmp(e->key, key) == 0)
			return e;
	}
}

static const char *map_get(const str_map *m, const char *key)
{
	return m->cap && key ? map_slot(m, key)->value : NULL;
}

static void map_set(str_map *m, const char *key, const char *value)
{
	if (2 * (m->n + 1) > m->cap) {
		str_map bigger = { qr_calloc(m->cap ? 2 * m->cap : 64, sizeof(struct entry)), m->cap ? 2 * m->cap : 64,
				   m->n };
		for (size_t i = 0; i < m->cap; i++)
			if (m->v[i].key)
				*map_slot(&bigger, m->v[i].key) = m->v[i];
		free(m->v);
		*m = bigger;
	}
	struct entry *e = map_slot(m, key);
	if (!e->key) {
		e->key = qr_strdup(key);
		m->n++;
	}
	free(e->value);
	e->value = value ? qr_strdup(value) : NULL;
}

static void map_clear(str_map *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->v[i].key);
		free(m->v[i].value);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* ---- events ---- */

/* The kind of an event, in either spelling. */
static const char *event_kind(const cJSON *ev)
{
	const char *k = qr_json_str(ev, "kind");
	if (!k)
		k = qr_json_str(ev, "type");
	if (!k)
		return NULL;
	if (strcmp(k, "commit") == 0 || strcmp(k, "com") == 0)
		return "commit";
	if (strcmp(k, "identity") == 0 || strcmp(k, "id") == 0)
		return "identity";
	if (strcmp(k, "account") == 0 || strcmp(k, "acc") == 0)
		return "account";
	return k;
}

static char operation(const cJSON *commit)
{
	const char *op = qr_json_str(commit, "operation");
	if (!op)
		op = qr_json_str(commit, "type");
	if (!op)
		return 0;
	if (strcmp(op, "create") == 0 || strcmp(op, "c") == 0)
		return 'c';
	if (strcmp(op, "update") == 0 || strcmp(op, "u") == 0)
		return 'u';
	if (strcmp(op, "delete") == 0 || strcmp(op, "d") == 0)
		return 'd';
	return '?';
}

/* ---- bids and members ---- */

static bool jetstream_head(const char *head, size_t n)
{
	return qr_head_first(head, n) == '{' && qr_head_has_key(head, n, "did") &&
	       qr_head_has_key(head, n, "time_us") && (qr_head_has_key(head, n, "kind") || qr_head_has_key(head, n, "type"));
}

static int bid(const char *name, const char *head, size_t n)
{
	(void)name;
	return jetstream_head(head, n) ? 95 : 0;
}

struct state {
	str_map handles;      /* every handle the capture said so far */
	str_map ctx;          /* the handles of the open context */
	qr_strv order;        /* ctx's keys, oldest first */
};

static int open_archive(qr_archive *a)
{
	a->state = qr_calloc(1, sizeof(struct state));
	return 0;
}

static int begin_context(qr_archive *a, struct state *st)
{
	qr_buf out = QR_BUF_INIT;
	qr_jw w;
	qr_jw_init(&w, &out, false);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "context", NAME);
	qr_jw_kint(&w, "version", 1);
	qr_jw_key(&w, "handles");
	qr_jw_begin_object(&w);
	for (size_t i = 0; i < st->order.n; i++) {
		const char *h = map_get(&st->ctx, st->order.v[i]);
		if (h)
			qr_jw_kstr(&w, st->order.v[i], h);
	}
	qr_jw_end_object(&w);
	qr_jw_end_object(&w);
	int rc = a->sink->begin(a, out.buf, out.len);
	qr_buf_release(&out);
	return rc;
}

/* The post of did needs its handle: a new context when the open one does
 * not say it (or says an older one). */
static int need_handle(qr_archive *a, struct state *st, const char *did)
{
	const char *known = map_get(&st->handles, did), *said = map_get(&st->ctx, did);
	if (!known && !said)
		return 0;
	if (known && said && strcmp(known, said) == 0)
		return 0;
	if (st->order.n >= MAX_CONTEXT_HANDLES) {
		map_clear(&st->ctx);
		qr_strv_clear(&st->order);
	}
	if (!map_get(&st->ctx, did) && known)
		qr_strv_push(&st->order, did);
	map_set(&st->ctx, did, known);
	return begin_context(a, st);
}

/* Look at an event before it goes to the sink: an identity event's handle
 * is remembered, a post's author's handle put in the context. */
static int look(qr_archive *a, struct state *st, const qr_frame *f)
{
	qr_buf why = QR_BUF_INIT;
	cJSON *ev = qr_parse_object(f->data, f->len, &why);
	int rc = 0;
	qr_buf_release(&why);
	if (!ev)
		return 0;   /* normalize says why */
	const char *kind = event_kind(ev), *did = qr_json_str(ev, "did");
	if (kind && did && strcmp(kind, "identity") == 0) {
		const char *handle = qr_json_str(ev, "identity.handle");
		/* "handle.invalid" is what the network says of a handle that
		 * no longer resolves: not a handle. */
		map_set(&st->handles, did, handle && *handle && strcmp(handle, "handle.invalid") ? handle : NULL);
	} else if (kind && did && strcmp(kind, "commit") == 0 &&
		   qr_bsky_makes_post(qr_json_str(ev, "commit.collection"))) {
		rc = need_handle(a, st, did);
	}
	cJSON_Delete(ev);
	return rc;
}

static int member(qr_archive *a, const char *name, const char *mem, qr_stream *s)
{
	struct state *st = a->state;
	const char *head;
	ssize_t n = qr_stream_peek(s, 4096, &head);
	if (n <= 0 || !jetstream_head(head, (size_t)n)) {
		if (n > 0)
			qr_archive_note(a, QR_WARN, mem, "not a Jetstream capture: skipped");
		return 0;
	}
	(void)name;
	qr_input in;
	qr_buf why = QR_BUF_INIT;
	qr_frame f;
	int rc;
	qr_input_init(&in, s, a->max_record);
	map_clear(&st->ctx);
	qr_strv_clear(&st->order);
	rc = begin_context(a, st);
	while (!rc) {
		qr_buf_reset(&why);
		int got = qr_input_json(&in, &f, &why);
		if (got == QR_END)
			break;
		if (got == QR_IO) {
			qr_archive_note(a, QR_FAILED, mem, "cannot read further: %s",
					in.err.len ? in.err.buf : s->err.buf);
			break;
		}
		if (got != QR_OK) {
			a->sink->reject(a, mem, f.line, f.byte, why.len ? why.buf : "malformed record");
			continue;
		}
		if (!(rc = look(a, st, &f)))
			rc = a->sink->record(a, mem, &f);
	}
	a->sink->end(a);
	qr_input_release(&in);
	qr_buf_release(&why);
	return rc;
}

static int finish(qr_archive *a)
{
	(void)a;
	return 0;
}

static void close_archive(qr_archive *a)
{
	struct state *st = a->state;
	if (!st)
		return;
	map_clear(&st->handles);
	map_clear(&st->ctx);
	qr_strv_clear(&st->order);
	free(st);
	a->state = NULL;
}

/* ---- normalizing an event ---- */

/* The context record: the maps of its "handles". */
static const char *const context_keys[] = { "handles", NULL };
enum { MAP_HANDLES };

static int load_context(const char *data, size_t len, void **out, qr_buf *why)
{
	return qr_context_load(data, len, NAME, context_keys, out, why);
}

static int commit_event(const qr_context *ctx, const cJSON *ev, const char *did, qr_posts *out, qr_buf *why)
{
	const cJSON *commit = qr_json_get(ev, "commit");
	const char *collection = qr_json_str(commit, "collection"), *rkey = qr_json_str(commit, "rkey");
	char op = operation(commit);
	if (!cJSON_IsObject(commit) || !collection || !rkey || !op) {
		qr_buf_setf(why, "a commit event without its collection, record key or operation");
		return QR_BAD_INPUT;
	}
	if (!qr_bsky_makes_post(collection)) {
		qr_buf_setf(why, "a %.80s record holds no post", collection);
		return QR_SKIP;
	}
	const cJSON *h = ctx ? qr_json_map_get(&ctx->map[MAP_HANDLES], did) : NULL;
	const char *handle = cJSON_IsString(h) ? h->valuestring : NULL;
	int64_t us;
	bool timed = qr_json_int(ev, "time_us", &us);
	if (op == 'd') {
		qr_bsky_tombstone(out, did, collection, rkey, handle, timed ? us / 1000000 : QR_TIME_UNKNOWN);
		return QR_OK;
	}
	if (op == '?') {
		qr_buf_setf(why, "a commit operation that is not create, update or delete");
		return QR_BAD_INPUT;
	}
	const cJSON *record = qr_json_get(commit, "record");
	if (!cJSON_IsObject(record)) {
		qr_buf_setf(why, "a %s without a record", op == 'c' ? "create" : "update");
		return QR_BAD_INPUT;
	}
	qr_bsky_where w = { did, collection, rkey, qr_json_str(commit, "cid"), handle, NULL };
	int st = qr_bsky_record(record, &w, out, why);
	if (st == QR_OK && out->n) {
		qr_post *p = &out->v[out->n - 1];
		if (qr_json_str(commit, "rev"))
			qr_kvv_set(&p->source.provenance, "rev", qr_json_str(commit, "rev"));
		if (timed) {
			char t[32];
			snprintf(t, sizeof(t), "%lld", (long long)us);
			qr_kvv_set(&p->source.provenance, "time_us", t);
		}
		if (op == 'u')
			qr_kvv_set(&p->extra, "edited", "true");
	}
	return st;
}

static int normalize(const void *context, const char *data, size_t len, qr_posts *out, qr_buf *why)
{
	cJSON *ev = qr_parse_object(data, len, why);
	if (!ev)
		return QR_BAD_INPUT;
	const char *kind = event_kind(ev), *did = qr_json_str(ev, "did");
	int st;
	if (!kind || !did || !*did) {
		qr_buf_setf(why, "not a Jetstream event: no did or kind");
		st = QR_BAD_INPUT;
	} else if (strcmp(kind, "commit") == 0) {
		st = commit_event(context, ev, did, out, why);
	} else {
		qr_buf_setf(why, "a %.40s event holds no post", kind);
		st = QR_SKIP;
	}
	cJSON_Delete(ev);
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
	.bulk = true,
};

const qr_format qr_format_bluesky_jetstream = {
	.name = NAME,
	.description = "Bluesky Jetstream capture (JSON lines of commit, identity and account events): posts, "
		       "reposts, edits, deletions",
	.archive = &ops,
};
