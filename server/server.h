/*
 * quire serve: an HTTP front end on libmicrohttpd, like the command line
 * a caller of the query layer (query/run.h) and its printers.  A request
 * is read on its connection's thread, becomes a job that a worker runs on
 * its own read-only corpus handle (server/pool.h), and its answer (a page,
 * JSON, a download) goes back on the connection.
 *
 *   http.c      the daemon: listening, limits, authentication, routes, log
 *   api.c       /api/...: search, count, facets, timeline, show, raw,
 *               verify, cite, stats, tag
 *   page.c      the page (/), a post's page (/post/ID), the login form
 *   card.c      a post as an HTML citation card (a printer back end)
 *   download.c  long result lists streamed from a thread of their own
 *   tag.c       codes added and removed (--allow-tagging)
 *   assets.c    web/'s files, built into the binary
 */
#ifndef SV_SERVER_H
#define SV_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "corpus.h"
#include "params.h"
#include "query.h"

/* What a run of the server was started with; read-only once it runs. */
typedef struct sv_config {
	const char *corpus;          /* the corpus directory */
	char corpus_id[64];
	char corpus_name[256];       /* its directory's last part, for titles */
	const char *token;           /* NULL: no token (loopback only) */
	char session[65];            /* the login cookie's value: sha256 of the token */
	char form_key[65];           /* hidden in forms that change things (CSRF) */
	bool tagging;                /* --allow-tagging */
	char host[256];              /* as listened on, for the address printed */
	unsigned port;
	bool loopback;
	unsigned workers, heavy;
	unsigned max_connections, max_downloads;
	double deadline;             /* seconds a request may take */
	unsigned facet_limit;        /* the page counts facets of at most this many posts unless asked */
	bool quiet;
	struct sv_pool *pool;
} sv_config;

/* An answer, made on a worker and sent by the connection's thread. */
typedef struct sv_reply {
	int status;                  /* HTTP status; 0: not made yet */
	const char *type;            /* Content-Type */
	qr_buf body;
	qr_buf disposition;          /* Content-Disposition, or empty */
	qr_buf location;             /* redirects */
	qr_buf cookie;               /* Set-Cookie */
	const char *cache;           /* Cache-Control; NULL: no-store */
	const char *csp;             /* a Content-Security-Policy of its own, or NULL */
	char etag[40];
} sv_reply;

void sv_reply_init(sv_reply *r);
void sv_reply_release(sv_reply *r);

/* One request's job: copies of everything it needs, so that a job whose
 * caller gave up can finish on its own. */
typedef struct sv_call sv_call;
struct sv_call {
	const sv_config *cfg;
	int (*work)(qr_corpus *c, sv_call *call);
	char *method;
	char *path;                  /* as requested, without the arguments */
	char *rest;                  /* the path after its route ("twitter:1" of /api/show/twitter:1) */
	sv_params args;              /* the URL's arguments, then a form's fields */
	bool api;                    /* errors as JSON, else as a page */
	qr_buf messages;             /* what the query code said (qr_cli_capture) */
	sv_reply reply;
};

sv_call *sv_call_new(const sv_config *cfg, const char *method, const char *path, const char *rest, bool api);
void sv_call_free(void *call);

/* The HTTP status for a command's exit code (404 for "not found" when
 * the request named one thing, else 200 for no hits). */
int sv_http_status(int exit_code, bool named);
/* An error answer: JSON {"error", "status"[, "column"]} for the API, a
 * page otherwise.  column 0: none. */
void sv_fail(sv_call *call, int status, const char *message, size_t column);
/* The same with the messages the query code left (or fallback). */
void sv_fail_messages(sv_call *call, int status, const char *fallback);

/* The jobs of api.c and page.c: each makes call->reply, or returns an
 * exit code whose status and the captured messages make it. */
int sv_api_search(qr_corpus *c, sv_call *call);
int sv_api_count(qr_corpus *c, sv_call *call);
int sv_api_facets(qr_corpus *c, sv_call *call);
int sv_api_timeline(qr_corpus *c, sv_call *call);
int sv_api_show(qr_corpus *c, sv_call *call);
int sv_api_raw(qr_corpus *c, sv_call *call);
int sv_api_verify(qr_corpus *c, sv_call *call);
int sv_api_cite(qr_corpus *c, sv_call *call);
int sv_api_stats(qr_corpus *c, sv_call *call);
int sv_api_media(qr_corpus *c, sv_call *call);
int sv_page_search(qr_corpus *c, sv_call *call);
int sv_page_post(qr_corpus *c, sv_call *call);
/* Run a job on the query code's terms (messages captured, an answer made
 * whatever happens): what the pool's workers call. */
int sv_call_run(qr_corpus *c, void *call);

/* The query of a request's state (params.h) into text, checked against
 * the corpus: 0, or the HTTP status with the reason in err and, for a
 * parse error in q, the byte offset in q where it went wrong in *where
 * (else QR_QUERY_NOWHERE). */
int sv_query_check(qr_corpus *c, const sv_params *args, qr_buf *text, qr_buf *err, size_t *where);
/* The same, making the call's answer (400 with the column) on failure. */
bool sv_query_of(qr_corpus *c, sv_call *call, qr_buf *text);
/* tz, since and until of the arguments (empty ones as none). */
qr_query_opts sv_query_opts(const sv_params *args);
/* The search options of a request's arguments; false with the call's
 * answer made (400) when one is wrong.  Limits past max_limit are
 * refused. */
struct qr_search_opts;
bool sv_search_opts(sv_call *call, struct qr_search_opts *o, unsigned long long max_limit);

/* The media type of a search format's output ("text/csv; ..."), and the
 * Content-Disposition of a download of it. */
const char *sv_format_type(const char *format);
void sv_format_filename(qr_buf *out, const char *stem, const char *format);

/* A link to the state with one more filter (a facet value clicked): the
 * page's path and arguments, without the offset; false (nothing written)
 * when the value cannot be a filter. */
bool sv_filter_href(qr_buf *out, const sv_params *state, const char *param, const char *value);
/* A post's time as the page shows it, in zone tz (NULL: UTC). */
void sv_post_time(qr_buf *out, int64_t t, const char *tz);

/* A printer back end (query/printer.h) that writes each post as an HTML
 * citation card (server/card.c); state is the page's, for the links. */
struct qr_printer;
struct qr_printer *sv_card_printer(FILE *out, const sv_config *cfg, const sv_params *state, const char *tz);
/* One card, for a post's own page. */
void sv_card(qr_buf *out, const sv_config *cfg, const sv_params *state, const qr_post *p, const char *tz,
	     const char *snippet, bool full);

/* Codes: add and remove on one post or on every post of a query
 * (server/tag.c).  Runs on the connection's thread (it opens the corpus
 * for writing itself); answers 409 when another writer holds it. */
void sv_tag(sv_call *call);

/* Stream a search's output from a thread of its own (server/download.c);
 * the reply when it could not start. */
struct MHD_Connection;
int sv_download(struct MHD_Connection *conn, sv_call *call, int *status);
/* Whether a search asks for a stream: limit=0 (every post) or past a
 * thousand. */
bool sv_download_wanted(const sv_params *args);
/* Wait, at most that long, for the downloads still running to end. */
void sv_download_drain(double seconds);

/* The login form and the page of an error (page.c). */
void sv_page_login(sv_call *call, bool failed);
void sv_page_error(sv_call *call, int status, const char *message);
void sv_page_tagged(sv_call *call, const char *summary);

/* web/'s files by name ("quire.css"): the bytes, length and type; false
 * when there is none. */
bool sv_asset(const char *name, const char **data, size_t *len, const char **type);

#endif
