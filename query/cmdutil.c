#include "cmdutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "schema.h"
#include "status.h"

int qr_cmd_open_corpus(const char *dir, qr_corpus **c)
{
	qr_buf err = QR_BUF_INIT;
	int st = qr_corpus_open(dir, QR_OPEN_READ, c, &err);
	if (st)
		qr_error("%s", err.buf);
	qr_buf_release(&err);
	if (!st)
		return 0;
	/* A corpus that is not there is the caller's mistake; one that is
	 * there and cannot be read is damaged. */
	return st == QR_NOT_FOUND || st == QR_USAGE ? QR_EXIT_USAGE : qr_status_exit_code(st);
}

int qr_cmd_find_post(qr_corpus *c, const char *id, xc_docid *docid)
{
	if (strchr(id, ':'))
		return qr_corpus_find(c, id, docid);
	xc_termiter *it = NULL;
	qr_buf full = QR_BUF_INIT;
	int st = QR_NOT_FOUND;
	if (xc_db_allterms(qr_corpus_db(c), QR_P_PLATFORM, &it) == XC_OK) {
		const char *t;
		size_t len, plen = strlen(QR_P_PLATFORM);
		while (st == QR_NOT_FOUND && xc_termiter_next(it, &t, &len, NULL) == XC_OK) {
			qr_buf_setf(&full, "%.*s:%s", (int)(len - plen), t + plen, id);
			st = qr_corpus_find(c, full.buf, docid);
		}
	}
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
	qr_error("cannot search: %s", why && *why ? why : xc_status_string(x));
	return x == XC_ERR_DATABASE_CORRUPT || x == XC_ERR_DATABASE ? QR_EXIT_DAMAGED : QR_EXIT_INTERNAL;
}
