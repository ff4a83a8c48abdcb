#include "shard_answer.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ftw.h>
#include <sys/stat.h>

#include "corpus.h"
#include "events.h"
#include "catalogue.h"
#include "ingest.h"
#include "journal.h"
#include "json.h"
#include "run.h"
#include "schema.h"
#include "shard_read.h"
#include "status.h"
#include "store.h"
#include "tags.h"

/* Headers larger than this are no request of a federation. */
#define MAX_HEAD 16384
#define MAX_BODY ((size_t)256 << 20)

struct sv_shard {
	char *dir;
	bool writes;
	unsigned xapian_port;
	qr_corpus *c;
};

void sv_shard_reply_init(sv_shard_reply *r)
{
	r->status = 0;
	r->type = "text/plain; charset=utf-8";
	qr_buf_init(&r->body);
}

void sv_shard_reply_release(sv_shard_reply *r)
{
	qr_buf_release(&r->body);
}

int sv_shard_open(const char *dir, bool writes, unsigned xapian_port, sv_shard **out, qr_buf *err)
{
	sv_shard *s = qr_calloc(1, sizeof(*s));
	*out = NULL;
	int st = qr_corpus_open(dir, QR_OPEN_READ, &s->c, err);
	if (!st && qr_corpus_federation(s->c)) {
		qr_buf_setf(err, "'%s' is a federation: serve its shards, each with quire serve-shard", dir);
		st = QR_USAGE;
	}
	if (st) {
		sv_shard_close(s);
		return st;
	}
	s->dir = qr_strdup(dir);
	s->writes = writes;
	s->xapian_port = xapian_port;
	*out = s;
	return 0;
}

void sv_shard_close(sv_shard *s)
{
	if (!s)
		return;
	qr_corpus_close(s->c);
	free(s->dir);
	free(s);
}

static void fail(sv_shard_reply *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(sv_shard_reply *r, int status, const char *fmt, ...)
{
	va_list ap;
	r->status = status;
	r->type = "text/plain; charset=utf-8";
	qr_buf_reset(&r->body);
	va_start(ap, fmt);
	qr_buf_vaddf(&r->body, fmt, ap);
	va_end(ap);
	qr_buf_addch(&r->body, '\n');
}

static int status_of(int st)
{
	switch (st) {
	case QR_NOT_FOUND: return 404;
	case QR_USAGE: return 400;
	case QR_LOCKED: return 423;
	case QR_DAMAGED: return 500;
	default: return 500;
	}
}

static uint64_t walked;

static int add_size(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)path, (void)ftw;
	if (type == FTW_F)
		walked += (uint64_t)sb->st_size;
	return 0;
}

/* Bytes of the files under dir/name (one thread: the answers are made
 * one at a time). */
static uint64_t dir_size(const char *dir, const char *name)
{
	qr_buf path = QR_BUF_INIT;
	qr_buf_setf(&path, "%s/%s", dir, name);
	walked = 0;
	nftw(path.buf, add_size, 16, FTW_PHYS);
	qr_buf_release(&path);
	return walked;
}

static void info(sv_shard *s, sv_shard_reply *r)
{
	qr_jw w;
	uint32_t docs = 0;
	const qr_shard_rule *rule = qr_corpus_shard(s->c);
	xc_db_doccount(qr_corpus_db(s->c), &docs);
	qr_jw_init(&w, &r->body, false);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "format", "quire-shard");
	qr_jw_kint(&w, "protocol", 1);
	qr_jw_kstr(&w, "corpus_id", qr_corpus_id(s->c));
	qr_jw_kint(&w, "index_version", QR_INDEX_VERSION);
	qr_jw_kstr(&w, "rule", qr_shard_kind_name(rule->kind));
	qr_jw_kstr(&w, "place", rule->place);
	if (s->xapian_port)
		qr_jw_kint(&w, "xapian_port", s->xapian_port);
	qr_jw_kint(&w, "documents", docs);
	qr_jw_kint(&w, "bytes", (int64_t)(dir_size(s->dir, "store") + dir_size(s->dir, "index")));
	qr_jw_key(&w, "writes");
	qr_jw_bool(&w, s->writes);
	qr_jw_end_object(&w);
	qr_buf_addch(&r->body, '\n');
	r->type = "application/json";
	r->status = 200;
}

static void fetch(sv_shard *s, const char *what, const char *at, sv_shard_reply *r)
{
	qr_buf err = QR_BUF_INIT;
	int st = qr_shard_read(s->c, what, at, &r->body, &err);
	if (st) {
		fail(r, status_of(st), "%s", err.buf);
	} else {
		r->status = 200;
		r->type = strcmp(what, "sources") == 0 || strcmp(what, "contexts") == 0 ? "application/jsonl"
											 : "application/octet-stream";
	}
	qr_buf_release(&err);
}

/* POST /tag: {"add": [...], "remove": [...], "query": "...", "ids": [...],
 * "dry_run": false}: the posts of this shard among ids. */
static void tag(sv_shard *s, const char *body, size_t len, sv_shard_reply *r)
{
	qr_buf why = QR_BUF_INIT;
	cJSON *j = qr_json_parse(body ? body : "", len, &why);
	qr_strv add = { 0 }, del = { 0 };
	xc_docid *ids = NULL;
	size_t n = 0, missing = 0;
	qr_corpus *c = NULL;
	qr_tag_tally t;
	memset(&t, 0, sizeof(t));
	const cJSON *a = j ? qr_json_get(j, "add") : NULL, *d = j ? qr_json_get(j, "remove") : NULL;
	const cJSON *list = j ? qr_json_get(j, "ids") : NULL, *e;
	if (!j || !cJSON_IsArray(list) || (a && !cJSON_IsArray(a)) || (d && !cJSON_IsArray(d))) {
		fail(r, 400, "a tag request is {\"add\", \"remove\", \"ids\", \"query\"}: %s", j ? "fields missing" : why.buf);
		goto out;
	}
	cJSON_ArrayForEach(e, a) {
		qr_buf_reset(&why);
		if (!cJSON_IsString(e) || !qr_tag_code(e->valuestring, &why)) {
			fail(r, 400, "not a code: %s", cJSON_IsString(e) ? e->valuestring : "(not a string)");
			goto out;
		}
		qr_strv_push(&add, why.buf);
	}
	cJSON_ArrayForEach(e, d) {
		qr_buf_reset(&why);
		if (!cJSON_IsString(e) || !qr_tag_code(e->valuestring, &why)) {
			fail(r, 400, "not a code: %s", cJSON_IsString(e) ? e->valuestring : "(not a string)");
			goto out;
		}
		qr_strv_push(&del, why.buf);
	}
	int st = qr_ingest_open_corpus(s->dir, false, &c);
	if (st) {
		fail(r, status_of(st), "cannot open the shard for writing");
		goto out;
	}
	size_t alloc = 0;
	cJSON_ArrayForEach(e, list) {
		xc_docid docid;
		if (!cJSON_IsString(e) || qr_corpus_find(c, e->valuestring, &docid)) {
			missing++;
			continue;
		}
		ids = qr_grow_array(ids, sizeof(*ids), n + 1, &alloc);
		ids[n++] = docid;
	}
	/* The journal names the user, host and command of the federation
	 * that asked (the time is the shard's). */
	qr_journal_who who = { NULL, qr_json_str(j, "user"), qr_json_str(j, "host"), qr_json_str(j, "command") };
	qr_tag_change ch = { &add, &del, qr_json_str(j, "query"), &who, NULL };
	if ((st = qr_tags_apply(c, ids, n, &ch, qr_json_true(j, "dry_run"), &t))) {
		fail(r, status_of(st), "%s", qr_corpus_error(c));
		goto out;
	}
	qr_jw w;
	qr_jw_init(&w, &r->body, false);
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "matched", (int64_t)t.matched);
	qr_jw_kint(&w, "changed", (int64_t)t.changed);
	qr_jw_kint(&w, "missing", (int64_t)missing);
	qr_jw_key(&w, "added");
	qr_jw_begin_array(&w);
	for (size_t i = 0; i < add.n; i++)
		qr_jw_int(&w, (int64_t)t.added[i]);
	qr_jw_end_array(&w);
	qr_jw_key(&w, "removed");
	qr_jw_begin_array(&w);
	for (size_t i = 0; i < del.n; i++)
		qr_jw_int(&w, (int64_t)t.removed[i]);
	qr_jw_end_array(&w);
	qr_jw_end_object(&w);
	qr_buf_addch(&r->body, '\n');
	r->status = 200;
	r->type = "application/json";
out:
	qr_corpus_close(c);
	qr_tag_tally_release(&t);
	free(ids);
	qr_strv_clear(&add);
	qr_strv_clear(&del);
	cJSON_Delete(j);
	qr_buf_release(&why);
}

/* POST /events: {"digest", "files": [{"name", "content"}]}, applied to
 * every post of the shard through its journal, and kept as its catalogue. */
static void events(sv_shard *s, const char *body, size_t len, sv_shard_reply *r)
{
	qr_buf why = QR_BUF_INIT;
	qr_strv problems = { 0 };
	qr_events *ev = NULL, *used = NULL;
	qr_corpus *c = NULL;
	cJSON *j = qr_json_parse(body ? body : "", len, &why);
	int st;
	if (!j || qr_events_from_journal(j, &ev, &problems)) {
		fail(r, 400, "not an event catalogue: %s", j ? (problems.n ? problems.v[0] : "no files") : why.buf);
	} else if ((st = qr_ingest_open_corpus(s->dir, false, &c))) {
		fail(r, status_of(st), "cannot open the shard for writing");
	} else if ((st = qr_catalogue_prepare(c, ev, true, true, &used))) {
		ev = NULL;
		fail(r, 500, "cannot apply the catalogue (exit %d): see the shard's messages", st);
	} else {
		ev = NULL;
		uint32_t docs = 0;
		xc_db_doccount(qr_corpus_db(c), &docs);
		qr_buf_addf(&r->body, "applied %zu event%s to %u posts\n", used->n, used->n == 1 ? "" : "s", docs);
		r->status = 200;
	}
	qr_events_free(ev);
	qr_events_free(used);
	qr_corpus_close(c);
	cJSON_Delete(j);
	qr_strv_clear(&problems);
	qr_buf_release(&why);
}

void sv_shard_answer(sv_shard *s, const char *method, const char *path, const char *at, const char *body, size_t len,
		     sv_shard_reply *r)
{
	bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
	/* A shard being ingested into is read at its newest commit. */
	if (get && qr_corpus_reopen(s->c))
		return fail(r, 500, "%s", qr_corpus_error(s->c));
	if (get && strcmp(path, "/info") == 0)
		return info(s, r);
	static const char *const reads[] = { "/record", "/media", "/context", "/entry", "/entries", "/contexts", "/sources", "/journal",
					     "/documents", NULL };
	for (size_t i = 0; get && reads[i]; i++)
		if (strcmp(path, reads[i]) == 0)
			return fetch(s, path + 1, at, r);
	if (get && strcmp(path, "/stats") == 0) {
		qr_stats_shard_json(s->c, &r->body);
		r->status = 200;
		r->type = "application/json";
		return;
	}
	if (post && (strcmp(path, "/tag") == 0 || strcmp(path, "/events") == 0)) {
		if (!s->writes)
			return fail(r, 403, "this shard is served read-only (quire serve-shard --allow-writes)");
		if (strcmp(path, "/tag") == 0)
			return tag(s, body, len, r);
		return events(s, body, len, r);
	}
	fail(r, 404, "no such request: %s %s", method, path);
}

/* ---- standard input and output ---- */

/* One request from in: 0, QR_END at the end of in, QR_BAD_INPUT. */
static int read_request(FILE *in, qr_buf *method, qr_buf *path, qr_buf *at, qr_buf *body)
{
	char line[MAX_HEAD];
	size_t clen = 0;
	if (!fgets(line, sizeof(line), in))
		return QR_END;
	char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2)
		return QR_BAD_INPUT;
	qr_buf_reset(method);
	qr_buf_add(method, line, (size_t)(sp1 - line));
	qr_buf_reset(path);
	qr_buf_reset(at);
	char *target = sp1 + 1, *q = memchr(target, '?', (size_t)(sp2 - target));
	qr_buf_add(path, target, (size_t)((q ? q : sp2) - target));
	if (q && strncmp(q, "?at=", 4) == 0) {
		/* %-decoded */
		for (const char *p = q + 4; p < sp2; p++) {
			if (*p == '%' && p + 2 < sp2) {
				char hex[3] = { p[1], p[2], 0 };
				qr_buf_addch(at, (char)strtol(hex, NULL, 16));
				p += 2;
			} else {
				qr_buf_addch(at, *p);
			}
		}
	}
	for (;;) {
		if (!fgets(line, sizeof(line), in))
			return QR_BAD_INPUT;
		if (strcmp(line, "\r\n") == 0 || strcmp(line, "\n") == 0)
			break;
		if (strncasecmp(line, "Content-Length:", 15) == 0)
			clen = (size_t)strtoull(line + 15, NULL, 10);
	}
	if (clen > MAX_BODY)
		return QR_BAD_INPUT;
	qr_buf_reset(body);
	if (clen) {
		char *b = qr_calloc(1, clen);
		size_t got = fread(b, 1, clen, in);
		qr_buf_add(body, b, got);
		free(b);
		if (got != clen)
			return QR_BAD_INPUT;
	}
	return 0;
}

int sv_shard_stdio(sv_shard *s, FILE *in, FILE *out)
{
	qr_buf method = QR_BUF_INIT, path = QR_BUF_INIT, at = QR_BUF_INIT, body = QR_BUF_INIT;
	int st;
	while ((st = read_request(in, &method, &path, &at, &body)) == 0) {
		sv_shard_reply r;
		sv_shard_reply_init(&r);
		sv_shard_answer(s, method.buf, path.buf, at.len ? at.buf : NULL, body.buf, body.len, &r);
		fprintf(out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n", r.status,
			r.status == 200 ? "OK" : "Error", r.type, r.body.len);
		fwrite(r.body.buf, 1, r.body.len, out);
		bool ok = fflush(out) == 0;
		sv_shard_reply_release(&r);
		if (!ok)
			break;
	}
	qr_buf_release(&method);
	qr_buf_release(&path);
	qr_buf_release(&at);
	qr_buf_release(&body);
	return st == QR_END || st == 0 ? 0 : QR_EXIT_DAMAGED;
}
