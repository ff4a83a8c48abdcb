#include "cmdutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "schema.h"
#include "status.h"
#include "json.h"
#include "text.h"
#include "timeutil.h"

bool qr_cmd_option(qr_cmd_opts *o, const char *name, const char *arg)
{
	if (strcmp(name, "corpus") == 0)
		o->corpus = arg;
	else if (strcmp(name, "format") == 0)
		o->format = arg;
	else if (strcmp(name, "tz") == 0)
		o->q.tz = arg;
	else if (strcmp(name, "since") == 0)
		o->q.since = arg;
	else if (strcmp(name, "until") == 0)
		o->q.until = arg;
	else if (strcmp(name, "allow-partial") == 0)
		qr_corpus_allow_partial(true);
	else if (strcmp(name, "include-deleted") == 0)
		o->q.include_deleted = true;
	else
		return false;
	return true;
}

void qr_cmd_partial_json(qr_jw *w)
{
	const qr_strv *m = qr_corpus_missing_shards();
	if (!m->n)
		return;
	qr_jw_key(w, "partial");
	qr_jw_bool(w, true);
	qr_jw_key(w, "missing");
	qr_jw_begin_array(w);
	for (size_t i = 0; i < m->n; i++)
		qr_jw_string(w, m->v[i]);
	qr_jw_end_array(w);
}

int qr_cmd_check_tz(const char *cmd, const char *tz)
{
	if (tz && !qr_tz_valid(tz))
		return qr_usage_error(cmd, "unknown time zone '%s' (use an IANA name such as Europe/Berlin)", tz);
	return 0;
}

int qr_cmd_open(const char *given, qr_corpus **c)
{
	qr_buf err = QR_BUF_INIT;
	int st = qr_corpus_open(qr_cli_corpus(given), QR_OPEN_READ, c, &err);
	if (st)
		qr_error("%s", err.buf);
	qr_buf_release(&err);
	return st;
}

int qr_cmd_open_corpus(const char *given, qr_corpus **c)
{
	int st = qr_cmd_open(given, c);
	if (!st)
		return 0;
	/* A corpus that is not there is the caller's mistake; one that is
	 * there and cannot be read is damaged. */
	return st == QR_NOT_FOUND || st == QR_USAGE ? QR_EXIT_USAGE : qr_status_exit_code(st);
}

int qr_cmd_retry(qr_corpus *c, int (*attempt)(qr_corpus *c, void *ctx, qr_buf *err), void *ctx)
{
	qr_buf err = QR_BUF_INIT;
	int st = QR_END;
	for (int n = 0; n < QR_CMD_RETRIES && st == QR_END; n++) {
		if (n && qr_corpus_reopen(c)) {
			qr_error("%s", qr_corpus_error(c));
			st = QR_INTERNAL;
			break;
		}
		st = attempt(c, ctx, &err);
	}
	if (st)
		qr_error("%s", st == QR_END ? "the corpus kept changing: try again" : err.buf);
	qr_buf_release(&err);
	return st ? qr_status_exit_code(st == QR_END ? QR_INTERNAL : st) : 0;
}

void qr_cmd_explain(const xc_query *q)
{
	char *d = xc_query_describe(q);
	qr_buf safe = QR_BUF_INIT;
	/* The description quotes the user's words: escaped like them. */
	qr_escape_terminal(&safe, d ? d : "?", d ? strlen(d) : 1, 0);
	fprintf(stderr, "%s\n", safe.buf);
	qr_buf_release(&safe);
	free(d);
}

int qr_cmd_find_post(qr_corpus *c, const char *id, xc_docid *docid)
{
	if (strchr(id, ':'))
		return qr_corpus_find(c, id, docid);
	xc_termiter *it = NULL;
	qr_buf full = QR_BUF_INIT;
	int st = QR_NOT_FOUND;
	xc_status x = xc_db_allterms(qr_corpus_db(c), QR_P_PLATFORM, &it);
	if (x == XC_OK) {
		const char *t;
		size_t len, plen = strlen(QR_P_PLATFORM);
		while (st == QR_NOT_FOUND && (x = xc_termiter_next(it, &t, &len, NULL)) == XC_OK) {
			qr_buf_setf(&full, "%.*s:%s", (int)(len - plen), t + plen, id);
			st = qr_corpus_find(c, full.buf, docid);
		}
	}
	/* The list of platforms could not be read (an ingest committed under
	 * it, say): that is no answer, not "no such post"; callers retry. */
	if (st == QR_NOT_FOUND && x != XC_OK && x != XC_END)
		st = QR_INTERNAL;
	xc_termiter_destroy(it);
	qr_buf_release(&full);
	return st;
}

bool qr_cmd_color_valid(const char *when)
{
	return strcmp(when, "auto") == 0 || strcmp(when, "always") == 0 || strcmp(when, "never") == 0;
}

bool qr_cmd_use_color(const char *when, int fd)
{
	if (strcmp(when, "always") == 0)
		return true;
	if (strcmp(when, "never") == 0)
		return false;
	const char *no = getenv("NO_COLOR");
	return (!no || !*no) && isatty(fd);
}

void qr_cmd_join(qr_buf *out, int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		qr_buf_addf(out, "%s%s", i ? " " : "", argv[i]);
}

int qr_cmd_build_query(qr_corpus *c, const char *text, const qr_query_opts *o, xc_query **q)
{
	qr_buf err = QR_BUF_INIT;
	size_t where;
	int st = qr_query_build_at(qr_corpus_db(c), text, o, q, &err, &where);
	if (st)
		qr_query_print_error(stderr, text, err.buf, where);
	qr_buf_release(&err);
	return st ? qr_status_exit_code(st) : 0;
}

int qr_cmd_search_failed(xc_status x, const char *why)
{
	if (x == XC_ERR_WILDCARD) {
		qr_error("cannot search: a wildcard matches more than %d words: make it longer", QR_MAX_WILDCARD);
		return QR_EXIT_USAGE;
	}
	if (x == XC_ERR_NETWORK) {
		/* A shard of a federation: named, never a smaller answer. */
		qr_buf msg = QR_BUF_INIT;
		qr_corpus_network_fault(why, &msg);
		qr_error("%s", msg.buf);
		qr_buf_release(&msg);
		return QR_EXIT_DAMAGED;
	}
	qr_error("cannot search: %s", why && *why ? why : xc_status_string(x));
	return x == XC_ERR_DATABASE_CORRUPT || x == XC_ERR_DATABASE ? QR_EXIT_DAMAGED : QR_EXIT_INTERNAL;
}

int qr_cmd_out_open(qr_cmd_out *o, const char *cmd, const char *path, bool binary)
{
	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		if (binary && isatty(STDOUT_FILENO))
			return qr_usage_error(cmd, "will not write a binary workbook to a terminal: use --out FILE or "
						   "redirect the output (> FILE)");
		o->fp = stdout;
		return 0;
	}
	qr_buf tmp = QR_BUF_INIT;
	qr_buf_setf(&tmp, "%s.tmp-XXXXXX", path);
	int fd = mkstemp(tmp.buf);
	/* The file gets the mode any file the user writes gets. */
	mode_t mask = umask(0);
	umask(mask);
	if (fd >= 0)
		fchmod(fd, 0666 & ~mask);
	if (fd < 0 || !(o->fp = fdopen(fd, "wb"))) {
		qr_error("cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp.buf);
		}
		qr_buf_release(&tmp);
		return QR_EXIT_USAGE;
	}
	o->path = qr_strdup(path);
	o->tmp = qr_buf_detach(&tmp, NULL);
	return 0;
}

int qr_cmd_out_close(qr_cmd_out *o, bool ok)
{
	int st = 0;
	if (!o->fp)
		return 0;
	if (fflush(o->fp) != 0 || ferror(o->fp)) {
		qr_error("cannot write %s%s%s: %s", o->path ? "'" : "the output", o->path ? o->path : "",
			 o->path ? "'" : "", "output error");
		st = QR_EXIT_INTERNAL;
	}
	if (o->path) {
		if (fsync(fileno(o->fp)) != 0 && ok && !st) {
			qr_error("cannot write '%s': %s", o->path, strerror(errno));
			st = QR_EXIT_INTERNAL;
		}
		fclose(o->fp);
		if (ok && !st && rename(o->tmp, o->path) != 0) {
			qr_error("cannot write '%s': %s", o->path, strerror(errno));
			st = QR_EXIT_INTERNAL;
		}
		if (!ok || st)
			unlink(o->tmp);
		free(o->path);
		free(o->tmp);
	}
	memset(o, 0, sizeof(*o));
	return st;
}

int qr_cmd_matches(xc_db *db, const xc_query *q, xc_docid **ids, size_t *n)
{
	enum { PAGE = 10000 };
	xc_enquire *enq = NULL;
	xc_mset *ms = NULL;
	size_t alloc = 0;
	int st = 0;
	*ids = NULL;
	*n = 0;
	if (xc_enquire_create(db, &enq) != XC_OK)
		return QR_NOMEM;
	xc_enquire_set_query(enq, q);
	xc_enquire_set_weighting_bool(enq);
	for (uint32_t first = 0;; first += PAGE) {
		xc_mset_destroy(ms);
		ms = NULL;
		xc_status x = xc_enquire_get_mset(enq, first, PAGE, 0, &ms);
		if (x != XC_OK) {
			if (x == XC_ERR_WILDCARD)
				qr_error("cannot search: a wildcard matches more than %d words: make it longer",
					 QR_MAX_WILDCARD);
			else
				qr_error("cannot search: %s", xc_enquire_error(enq));
			st = x == XC_ERR_WILDCARD ? QR_USAGE : QR_INTERNAL;
			break;
		}
		uint32_t k = xc_mset_size(ms);
		for (uint32_t i = 0; i < k; i++) {
			*ids = qr_grow_array(*ids, sizeof(**ids), *n + 1, &alloc);
			xc_mset_docid(ms, i, &(*ids)[(*n)++]);
		}
		if (k < PAGE)
			break;
	}
	xc_mset_destroy(ms);
	xc_enquire_destroy(enq);
	return st;
}
