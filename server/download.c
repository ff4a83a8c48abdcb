/*
 * Long result lists (limit=0 for every post, or past a thousand):
 * streamed as quire search prints them, from a thread of their own with a
 * corpus handle of its own, through a pipe to the connection, so that
 * memory stays bounded whatever the corpus holds and a download never
 * takes a worker from the searches.  At most max_downloads at once.  A
 * reader that goes away closes the pipe, and the search stops at its next
 * write; a search that fails half-way ends the transfer without its last
 * chunk, so that the client sees it cut, not complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "http.h"
#include "run.h"
#include "server.h"
#include "status.h"

#define BLOCK (64 * 1024)

enum { STARTING, STREAMING, FAILED };

struct dl {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int refs;
	int state;
	bool ok;                  /* the search ran to its end */
	int rd;
	FILE *wr;
	sv_call *call;            /* the thread's own copy of the request */
	qr_search_opts o;
};

static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slots_cond = PTHREAD_COND_INITIALIZER;
static unsigned active;

bool sv_download_wanted(const sv_params *args)
{
	const char *limit = sv_params_get(args, "limit");
	if (!limit || !*limit)
		return false;
	char *end;
	unsigned long long n = strtoull(limit, &end, 10);
	return !*end && limit[0] != '-' && (n == 0 || n > 1000);
}

static void unref(struct dl *d)
{
	pthread_mutex_lock(&d->lock);
	bool last = --d->refs == 0;
	pthread_mutex_unlock(&d->lock);
	if (!last)
		return;
	if (d->rd >= 0)
		close(d->rd);
	if (d->wr)
		fclose(d->wr);
	sv_call_free(d->call);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->cond);
	free(d);
}

static void set_state(struct dl *d, int state)
{
	pthread_mutex_lock(&d->lock);
	d->state = state;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

static void *stream(void *arg)
{
	struct dl *d = arg;
	sv_call *call = d->call;
	qr_corpus *c = NULL;
	qr_buf err = QR_BUF_INIT, text = QR_BUF_INIT;
	qr_cli_capture(&call->messages);
	if (qr_corpus_open(call->cfg->corpus, QR_OPEN_READ, &c, &err)) {
		sv_fail(call, 503, err.buf, 0);
		set_state(d, FAILED);
	} else if (!sv_search_opts(call, &d->o, 0) || !sv_query_of(c, call, &text)) {
		set_state(d, FAILED);
	} else {
		set_state(d, STREAMING);
		qr_printer *pr = qr_printer_new(d->o.c.format, d->wr, false, !d->o.no_locator, qr_corpus_id(c));
		pr->tz = d->o.c.q.tz;
		int rc = qr_search_run(c, &d->o, text.buf, pr);
		qr_printer_free(pr);
		pthread_mutex_lock(&d->lock);
		d->ok = rc == QR_EXIT_OK || rc == QR_EXIT_NO_HITS;
		fclose(d->wr);
		d->wr = NULL;
		pthread_mutex_unlock(&d->lock);
	}
	qr_cli_capture(NULL);
	qr_corpus_close(c);
	qr_buf_release(&err);
	qr_buf_release(&text);
	unref(d);
	pthread_mutex_lock(&slots_lock);
	active--;
	pthread_cond_broadcast(&slots_cond);
	pthread_mutex_unlock(&slots_lock);
	return NULL;
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct dl *d = cls;
	ssize_t n;
	do
		n = read(d->rd, buf, max);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		return n;
	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	/* The pipe is closed: the search ended, well or not. */
	pthread_mutex_lock(&d->lock);
	bool ok = d->ok;
	pthread_mutex_unlock(&d->lock);
	return ok ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void reader_done(void *cls)
{
	struct dl *d = cls;
	/* The client went away or got it all: the writer stops at its next
	 * write (EPIPE). */
	close(d->rd);
	d->rd = -1;
	unref(d);
}

int sv_download(struct MHD_Connection *conn, sv_call *call, int *status)
{
	const sv_config *cfg = call->cfg;
	pthread_mutex_lock(&slots_lock);
	bool slot = active < cfg->max_downloads;
	if (slot)
		active++;
	pthread_mutex_unlock(&slots_lock);
	if (!slot) {
		sv_fail(call, 503, "the server is busy with other downloads: try again in a moment", 0);
		return -1;
	}
	struct dl *d = qr_calloc(1, sizeof(*d));
	int fds[2];
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	d->rd = -1;
	d->refs = 2;
	d->call = sv_call_new(cfg, call->method, call->path, NULL, true);
	sv_params_copy(&d->call->args, &call->args);
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	bool started = pipe2(fds, O_CLOEXEC) == 0;
	if (started) {
		d->rd = fds[0];
		d->wr = fdopen(fds[1], "w");
		started = d->wr && pthread_create(&t, &attr, stream, d) == 0;
	}
	pthread_attr_destroy(&attr);
	if (!started) {
		sv_fail(call, 500, "cannot start a download", 0);
		d->refs = 1;
		unref(d);
		pthread_mutex_lock(&slots_lock);
		active--;
		pthread_mutex_unlock(&slots_lock);
		return -1;
	}
	pthread_mutex_lock(&d->lock);
	while (d->state == STARTING)
		pthread_cond_wait(&d->cond, &d->lock);
	int state = d->state;
	pthread_mutex_unlock(&d->lock);
	if (state == FAILED) {
		/* The thread's answer (400 for a bad query, ...) is this one's. */
		sv_reply *mine = &call->reply, *its = &d->call->reply;
		mine->status = its->status;
		mine->type = its->type;
		qr_buf_reset(&mine->body);
		qr_buf_add(&mine->body, its->body.buf, its->body.len);
		unref(d);
		return -1;
	}
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, BLOCK, reader, d, reader_done);
	if (!resp) {
		/* The thread writes into a pipe nobody reads: close it. */
		close(d->rd);
		d->rd = -1;
		unref(d);
		sv_fail(call, 500, "cannot answer", 0);
		return -1;
	}
	sv_reply r;
	sv_reply_init(&r);
	r.status = 200;
	r.type = sv_format_type(d->o.c.format);
	const char *dl = sv_params_get(&call->args, "download");
	if (dl && *dl && strcmp(dl, "0") != 0)
		sv_format_filename(&r.disposition, "quire-search", d->o.c.format);
	sv_http_headers(resp, &r);
	sv_reply_release(&r);
	MHD_queue_response(conn, 200, resp);
	MHD_destroy_response(resp);
	*status = 200;
	sv_call_free(call);
	return 0;
}

void sv_download_drain(double seconds)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)seconds;
	pthread_mutex_lock(&slots_lock);
	while (active && pthread_cond_timedwait(&slots_cond, &slots_lock, &until) == 0)
		;
	pthread_mutex_unlock(&slots_lock);
}
