/* A request as a job: its copies, its answer, its errors. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "query.h"
#include "run.h"
#include "server.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

void sv_reply_init(sv_reply *r)
{
	memset(r, 0, sizeof(*r));
	qr_buf_init(&r->body);
	qr_buf_init(&r->disposition);
	qr_buf_init(&r->location);
	qr_buf_init(&r->cookie);
}

void sv_reply_release(sv_reply *r)
{
	qr_buf_release(&r->body);
	qr_buf_release(&r->disposition);
	qr_buf_release(&r->location);
	qr_buf_release(&r->cookie);
}

sv_call *sv_call_new(const sv_config *cfg, const char *method, const char *path, const char *rest, bool api)
{
	sv_call *call = qr_calloc(1, sizeof(*call));
	call->cfg = cfg;
	call->method = qr_strdup(method);
	call->path = qr_strdup(path);
	call->rest = qr_strdup(rest ? rest : "");
	call->api = api;
	qr_buf_init(&call->messages);
	sv_reply_init(&call->reply);
	return call;
}

void sv_call_free(void *p)
{
	sv_call *call = p;
	if (!call)
		return;
	free(call->method);
	free(call->path);
	free(call->rest);
	sv_params_clear(&call->args);
	qr_buf_release(&call->messages);
	sv_reply_release(&call->reply);
	free(call);
}

int sv_http_status(int exit_code, bool named)
{
	switch (exit_code) {
	case QR_EXIT_OK: return 200;
	case QR_EXIT_NO_HITS: return named ? 404 : 200;
	case QR_EXIT_USAGE: return 400;
	case QR_EXIT_DAMAGED: return 503;
	case QR_EXIT_LOCKED: return 409;
	default: return 500;
	}
}

void sv_fail(sv_call *call, int status, const char *message, size_t column)
{
	sv_reply *r = &call->reply;
	qr_buf_reset(&r->body);
	r->status = status;
	r->cache = NULL;
	if (!call->api) {
		sv_page_error(call, status, message);
		return;
	}
	qr_jw w;
	r->type = "application/json";
	qr_jw_init(&w, &r->body, true);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "error", message);
	qr_jw_kint(&w, "status", status);
	if (column)
		qr_jw_kint(&w, "column", (int64_t)column);
	qr_jw_end_object(&w);
	qr_buf_addch(&r->body, '\n');
}

void sv_fail_messages(sv_call *call, int status, const char *fallback)
{
	/* The first line says what failed; more lines only repeat it for
	 * each post. */
	qr_buf first = QR_BUF_INIT;
	const char *nl = strchr(call->messages.buf, '\n');
	qr_buf_add(&first, call->messages.buf, nl ? (size_t)(nl - call->messages.buf) : call->messages.len);
	sv_fail(call, status, first.len ? first.buf : fallback, 0);
	qr_buf_release(&first);
}

int sv_call_run(qr_corpus *c, void *p)
{
	sv_call *call = p;
	qr_cli_capture(&call->messages);
	int rc = call->work(c, call);
	qr_cli_capture(NULL);
	if (!call->reply.status)
		sv_fail_messages(call, sv_http_status(rc, false),
				 rc == QR_EXIT_DAMAGED ? "the corpus is damaged" : "internal error");
	return rc;
}

qr_query_opts sv_query_opts(const sv_params *args)
{
	qr_query_opts o = { sv_params_get(args, "tz"), sv_params_get(args, "since"), sv_params_get(args, "until"),
			    sv_params_flag(args, "include_deleted", false) };
	/* An empty field of the form is no value. */
	if (o.tz && !*o.tz)
		o.tz = NULL;
	if (o.since && !*o.since)
		o.since = NULL;
	if (o.until && !*o.until)
		o.until = NULL;
	return o;
}

int sv_query_check(qr_corpus *c, const sv_params *args, qr_buf *text, qr_buf *err, size_t *where)
{
	*where = QR_QUERY_NOWHERE;
	if (!sv_compose_query(args, text, err))
		return 400;
	qr_query_opts o = sv_query_opts(args);
	if (o.tz && !qr_tz_valid(o.tz)) {
		qr_buf_setf(err, "unknown time zone '%s' (use an IANA name such as Europe/Berlin)", o.tz);
		return 400;
	}
	/* The user's own words are parsed first, alone, so that the place of
	 * an error is one of theirs. */
	const char *q = sv_params_get(args, "q");
	xc_query *xq = NULL;
	int st = qr_query_build_at(qr_corpus_db(c), q ? q : "", &o, &xq, err, where);
	xc_query_destroy(xq);
	if (!st) {
		xq = NULL;
		st = qr_query_build_at(qr_corpus_db(c), text->buf, &o, &xq, err, where);
		xc_query_destroy(xq);
		*where = QR_QUERY_NOWHERE;
	}
	return st == 0 ? 0 : st == QR_USAGE ? 400 : 500;
}

bool sv_query_of(qr_corpus *c, sv_call *call, qr_buf *text)
{
	qr_buf err = QR_BUF_INIT;
	size_t where;
	int status = sv_query_check(c, &call->args, text, &err, &where);
	if (status) {
		const char *q = sv_params_get(&call->args, "q");
		sv_fail(call, status, err.buf, where == QR_QUERY_NOWHERE ? 0 : qr_utf8_length(q, where) + 1);
	}
	qr_buf_release(&err);
	return status == 0;
}
