#include "catalogue.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "status.h"
#include "text.h"

static void print_problems(const qr_strv *problems)
{
	for (size_t i = 0; i < problems->n; i++)
		qr_error("%s", problems->v[i]);
}

int qr_catalogue_read(const char *const *paths, size_t n, qr_events **out)
{
	qr_strv problems = { 0 };
	int st = qr_events_load(paths, n, out, &problems);
	print_problems(&problems);
	if (st)
		qr_error("the event catalogue has %zu problem%s: nothing was changed", problems.n,
			 problems.n == 1 ? "" : "s");
	qr_strv_clear(&problems);
	return st ? QR_EXIT_DAMAGED : 0;
}

int qr_catalogue_prepare(qr_corpus *c, qr_events *given, bool force, bool quiet, qr_events **out)
{
	qr_events *ev = given;
	qr_buf err = QR_BUF_INIT, applied = QR_BUF_INIT;
	int rc = 0;
	*out = NULL;
	if (given) {
		bool changed = false;
		int st = qr_events_install(c, given, &changed, &err);
		if (st) {
			qr_error("cannot store the event catalogue in the corpus: %s", err.buf);
			rc = qr_status_exit_code(st);
			goto out;
		}
	} else {
		qr_strv problems = { 0 };
		int st = qr_events_load_corpus(c, &ev, &problems);
		print_problems(&problems);
		qr_strv_clear(&problems);
		if (st) {
			qr_error("the corpus's event catalogue has problems: fix it with 'quire events apply --events "
				 "DIR' (see 'quire events check')");
			qr_events_free(ev);
			ev = NULL;
			rc = QR_EXIT_DAMAGED;
			goto out;
		}
	}
	qr_events_applied(c, &applied);
	if (force || strcmp(applied.buf, ev->digest) != 0) {
		qr_events_apply_counts n;
		int st = qr_events_apply_corpus(c, ev, &n, &err);
		if (st) {
			qr_error("cannot apply the event catalogue: %s", err.buf);
			rc = qr_status_exit_code(st);
			goto out;
		}
		if (!quiet && (force || n.posts)) {
			qr_buf line = QR_BUF_INIT;
			qr_buf_addf(&line, "applied %zu event%s to ", ev->n, ev->n == 1 ? "" : "s");
			qr_add_grouped(&line, n.posts);
			qr_buf_addf(&line, " post%s: ", n.posts == 1 ? "" : "s");
			qr_add_grouped(&line, n.changed);
			qr_buf_adds(&line, " changed");
			puts(line.buf);
			qr_buf_release(&line);
		}
	}
	*out = ev;
	ev = NULL;
out:
	if (ev != given)
		qr_events_free(ev);
	if (rc)
		qr_events_free(given);
	qr_buf_release(&err);
	qr_buf_release(&applied);
	return rc;
}
