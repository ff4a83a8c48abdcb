/*
 * Codes from the page and the API (--allow-tagging): +code and -code on
 * one post or on every post of a search.  The corpus is opened for
 * writing only for this, one request at a time, and closed again; when
 * another writer holds it (an ingest), the answer is 409 and nothing
 * changed.  The change itself is lib/tags.c's, as for quire tag: written
 * to the corpus's journal, then to the posts, then committed.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmdutil.h"
#include "ingest.h"
#include "json.h"
#include "server.h"
#include "status.h"
#include "tags.h"
#include "text.h"

static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;

/* Every post q matches gets add and loses del, journaled and committed by
 * lib/tags.c, as quire tag does it. */
static int retag(qr_corpus *c, xc_query *q, const char *text, const qr_strv *add, const qr_strv *del,
		 qr_tag_tally *t)
{
	xc_docid *ids = NULL;
	size_t n = 0;
	int st = qr_cmd_matches(qr_corpus_db(c), q, &ids, &n);
	qr_tag_change ch = { add, del, text, NULL, NULL };
	if (!st && (st = qr_tags_apply(c, ids, n, &ch, false, t)))
		qr_error("cannot code the posts: %s", qr_corpus_error(c));
	free(ids);
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
		if (!(ok = qr_tag_code(call->args.v[i].value, &code)))
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

static void summary(qr_buf *out, const qr_tag_tally *t, const qr_strv *add, const qr_strv *del)
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
	qr_tag_tally t = { 0, 0, NULL, NULL, 0 };
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
		} else if ((st = retag(c, q, text.buf, &add, &del, &t))) {
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
	qr_tag_tally_release(&t);
	xc_query_destroy(q);
	qr_strv_clear(&add);
	qr_strv_clear(&del);
	qr_buf_release(&text);
	qr_buf_release(&err);
}
