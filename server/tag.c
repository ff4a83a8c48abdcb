/*
 * Codes from the page and the API (--allow-tagging): +code and -code on
 * one post or on every post of a search.  The corpus is opened for
 * writing only for this, one request at a time, and closed again; when
 * another writer holds it (an ingest), the answer is 409 and nothing
 * changed.  Every change is committed at once, at the end, or not at all.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ingest.h"
#include "json.h"
#include "server.h"
#include "status.h"
#include "text.h"

#define MAX_CODE 64
#define PAGE 10000

static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;

/* What quire tag takes as a code, lower-cased into out. */
static bool code_of(const char *s, qr_buf *out)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_CODE || !qr_utf8_valid(s, n, NULL) || s[0] == '-' || s[0] == '+')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (!(ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      strchr("_.:-/", ch)))
			return false;
	}
	qr_buf_reset(out);
	qr_casefold(out, s, n);
	return true;
}

struct tally {
	uint64_t matched, changed;
};

/*
 * The one place that changes codes: every post q matches gets add and
 * loses del, committed once at the end.  (It becomes a call of the
 * corpus's journaled codes API when lib/ has one.)
 */
static int retag(qr_corpus *c, xc_query *q, const qr_strv *add, const qr_strv *del, struct tally *t)
{
	xc_enquire *enq = NULL;
	xc_mset *ms = NULL;
	xc_docid *ids = NULL;
	size_t n = 0, alloc = 0;
	qr_post p;
	int st = 0;
	if (xc_enquire_create(qr_corpus_db(c), &enq) != XC_OK)
		return QR_NOMEM;
	xc_enquire_set_query(enq, q);
	xc_enquire_set_weighting_bool(enq);
	for (uint32_t first = 0; !st; first += PAGE) {
		xc_mset_destroy(ms);
		ms = NULL;
		if (xc_enquire_get_mset(enq, first, PAGE, 0, &ms) != XC_OK) {
			qr_error("cannot search: %s", xc_enquire_error(enq));
			st = QR_INTERNAL;
			break;
		}
		uint32_t k = xc_mset_size(ms);
		for (uint32_t i = 0; i < k; i++) {
			ids = qr_grow_array(ids, sizeof(*ids), n + 1, &alloc);
			xc_mset_docid(ms, i, &ids[n++]);
		}
		if (k < PAGE)
			break;
	}
	qr_post_init(&p);
	for (size_t i = 0; i < n && !st; i++) {
		qr_post_clear(&p);
		qr_post_init(&p);
		if ((st = qr_corpus_load_post(c, ids[i], &p))) {
			qr_error("%s", qr_corpus_error(c));
			break;
		}
		t->matched++;
		bool changed = false;
		for (size_t k = 0; k < add->n; k++)
			if (!qr_strv_contains(&p.tags, add->v[k], false)) {
				qr_strv_push(&p.tags, add->v[k]);
				changed = true;
			}
		for (size_t k = 0; k < del->n; k++)
			changed |= qr_strv_remove(&p.tags, del->v[k]);
		if (!changed)
			continue;
		t->changed++;
		if ((st = qr_corpus_update_post(c, ids[i], &p)))
			qr_error("cannot code %s: %s", p.id ? p.id : "a post", qr_corpus_error(c));
	}
	if (!st && t->changed && (st = qr_corpus_commit(c)))
		qr_error("cannot commit: %s", qr_corpus_error(c));
	qr_post_clear(&p);
	free(ids);
	xc_mset_destroy(ms);
	xc_enquire_destroy(enq);
	return st;
}

/* The codes to add and remove: add=CODE and remove=CODE (the API), or
 * code=CODE with action=add|remove (the forms). */
static bool codes(sv_call *call, qr_strv *add, qr_strv *del)
{
	qr_buf code = QR_BUF_INIT;
	const char *action = sv_params_get(&call->args, "action");
	bool ok = true;
	for (size_t i = 0; i < call->args.n && ok; i++) {
		const char *k = call->args.v[i].key;
		bool plus = strcmp(k, "add") == 0 || (strcmp(k, "code") == 0 && action && strcmp(action, "add") == 0);
		bool minus = strcmp(k, "remove") == 0 || (strcmp(k, "code") == 0 && action && strcmp(action, "remove") == 0);
		if (!plus && !minus)
			continue;
		if (!(ok = code_of(call->args.v[i].value, &code)))
			break;
		qr_strv_push_unique(plus ? add : del, code.buf, false);
	}
	qr_buf_release(&code);
	if (!ok)
		sv_fail(call, 400, "a code is letters, digits, '_', '.', ':', '-' or '/', at most 64 bytes", 0);
	else if (!add->n && !del->n)
		sv_fail(call, 400, "no code given (add=CODE or remove=CODE)", 0);
	for (size_t i = 0; ok && i < add->n; i++)
		if (qr_strv_contains(del, add->v[i], false)) {
			sv_fail(call, 400, "a code is both added and removed", 0);
			ok = false;
		}
	return ok && (add->n || del->n);
}

static void summary(qr_buf *out, const struct tally *t, const qr_strv *add, const qr_strv *del)
{
	qr_add_grouped(out, t->matched);
	qr_buf_addf(out, " post%s matched", t->matched == 1 ? "" : "s");
	for (size_t k = 0; k < add->n; k++)
		qr_buf_addf(out, "; +%s", add->v[k]);
	for (size_t k = 0; k < del->n; k++)
		qr_buf_addf(out, "; -%s", del->v[k]);
	qr_buf_adds(out, "; ");
	qr_add_grouped(out, t->changed);
	qr_buf_addf(out, " post%s changed", t->changed == 1 ? "" : "s");
}

void sv_tag(sv_call *call)
{
	qr_strv add = { 0 }, del = { 0 };
	qr_buf text = QR_BUF_INIT, err = QR_BUF_INIT;
	qr_corpus *c = NULL;
	xc_query *q = NULL;
	struct tally t = { 0, 0 };
	const char *id = sv_params_get(&call->args, "id");
	if (!codes(call, &add, &del))
		goto out;
	if (id && *id) {
		if (!sv_filter_value_ok(id) || strchr(id, ' ')) {
			sv_fail(call, 400, "not a post id", 0);
			goto out;
		}
		qr_buf_setf(&text, "id:%s", id);
	} else if (!sv_compose_query(&call->args, &text, &err)) {
		sv_fail(call, 400, err.buf, 0);
		goto out;
	} else if (!text.len && !sv_params_get(&call->args, "since") && !sv_params_get(&call->args, "until")) {
		sv_fail(call, 400, "no query given: say which posts to code (id=ID, or q and filters)", 0);
		goto out;
	}
	pthread_mutex_lock(&writer);
	qr_cli_capture(&call->messages);
	int st = qr_ingest_open_corpus(call->cfg->corpus, false, &c);
	if (st == QR_LOCKED) {
		sv_fail(call, 409, "the corpus is locked by another writer (an ingest?): nothing changed, try again later",
			0);
	} else if (st) {
		sv_fail_messages(call, sv_http_status(qr_status_exit_code(st), false), "cannot open the corpus");
	} else {
		qr_query_opts o = sv_query_opts(&call->args);
		size_t where;
		if ((st = qr_query_build_at(qr_corpus_db(c), text.buf, &o, &q, &err, &where))) {
			sv_fail(call, 400, err.buf, 0);
		} else if ((st = retag(c, q, &add, &del, &t))) {
			sv_fail_messages(call, sv_http_status(qr_status_exit_code(st), false), "nothing changed");
		}
	}
	qr_cli_capture(NULL);
	qr_corpus_close(c);
	pthread_mutex_unlock(&writer);
	if (call->reply.status)
		goto out;
	qr_buf line = QR_BUF_INIT;
	summary(&line, &t, &add, &del);
	if (call->api) {
		qr_jw w;
		call->reply.status = 200;
		call->reply.type = "application/json";
		qr_jw_init(&w, &call->reply.body, true);
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "query", text.buf);
		qr_jw_kint(&w, "matched", (int64_t)t.matched);
		qr_jw_kint(&w, "changed", (int64_t)t.changed);
		qr_strv_to_json(&add, &w, "added");
		qr_strv_to_json(&del, &w, "removed");
		qr_jw_end_object(&w);
		qr_buf_addch(&call->reply.body, '\n');
	} else {
		sv_page_tagged(call, line.buf);
	}
	qr_buf_release(&line);
out:
	xc_query_destroy(q);
	qr_strv_clear(&add);
	qr_strv_clear(&del);
	qr_buf_release(&text);
	qr_buf_release(&err);
}
