#include "http.h"
#include "listen.h"

#include <microhttpd.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "hash.h"
#include "pool.h"
#include "query.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

/* Bytes of a request body (a form) at most. */
#define MAX_BODY (64 * 1024)
/* Memory for one connection's request line and headers. */
#define CONNECTION_MEMORY (64 * 1024)
/* Seconds an idle connection is kept. */
#define IDLE_SECONDS 30

/* A search longer than this many posts is a heavy job. */
#define LIGHT_LIMIT 100

static const char DEFAULT_CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
				  "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

struct sv_http {
	sv_config *cfg;
	struct MHD_Daemon *d;
};

/* One request, from its first byte to its log line. */
struct req {
	struct timespec start;
	char *method;
	char *path;
	qr_buf body;
	bool too_big;
	unsigned status;
};

static double since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void log_request(const sv_config *cfg, const struct req *r)
{
	if (cfg->quiet)
		return;
	char when[32];
	qr_time_format_iso((int64_t)time(NULL), when);
	qr_buf line = QR_BUF_INIT;
	qr_buf_addf(&line, "%s %u %s ", when, r->status, r->method ? r->method : "?");
	/* The path as sent (its arguments left out: queries are the users'
	 * business), escaped for the terminal. */
	if (r->path)
		qr_escape_terminal(&line, r->path, strlen(r->path), 0);
	qr_buf_addf(&line, " %.1f ms\n", since(&r->start));
	fputs(line.buf, stderr);
	qr_buf_release(&line);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode why)
{
	(void)conn;
	struct req *r = *con_cls;
	if (!r)
		return;
	if (why != MHD_REQUEST_TERMINATED_COMPLETED_OK && !r->status)
		r->status = 499;
	log_request(cls, r);
	free(r->method);
	free(r->path);
	qr_buf_release(&r->body);
	free(r);
	*con_cls = NULL;
}

static void security_headers(struct MHD_Response *resp, const char *csp)
{
	MHD_add_response_header(resp, "Content-Security-Policy", csp ? csp : DEFAULT_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
}

/* Headers an answer of any kind carries, its own after. */
void sv_http_headers(struct MHD_Response *resp, const sv_reply *r)
{
	security_headers(resp, r->csp);
	MHD_add_response_header(resp, "Content-Type", r->type ? r->type : "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", r->cache ? r->cache : "no-store");
	if (r->disposition.len)
		MHD_add_response_header(resp, "Content-Disposition", r->disposition.buf);
	if (r->location.len)
		MHD_add_response_header(resp, "Location", r->location.buf);
	if (r->cookie.len)
		MHD_add_response_header(resp, "Set-Cookie", r->cookie.buf);
	if (r->etag[0])
		MHD_add_response_header(resp, "ETag", r->etag);
	if (r->status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"quire\"");
	if (r->status == 503)
		MHD_add_response_header(resp, "Retry-After", "1");
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct req *rq, const sv_reply *r)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(r->body.len, r->body.buf, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	sv_http_headers(resp, r);
	rq->status = (unsigned)r->status;
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The answer of a call made here (not on a worker), then the call freed. */
static enum MHD_Result send_call(struct MHD_Connection *conn, struct req *rq, sv_call *call)
{
	enum MHD_Result ret = send_reply(conn, rq, &call->reply);
	sv_call_free(call);
	return ret;
}

static enum MHD_Result fail(struct MHD_Connection *conn, struct req *rq, sv_config *cfg, bool api, int status,
			    const char *message)
{
	sv_call *call = sv_call_new(cfg, rq->method, rq->path, NULL, api);
	sv_fail(call, status, message, 0);
	return send_call(conn, rq, call);
}

/* ---- who may ask ---- */

static bool authorised(struct MHD_Connection *conn, const sv_config *cfg)
{
	if (!cfg->token)
		return true;
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (auth && strncmp(auth, "Bearer ", 7) == 0 && sv_same_secret(auth + 7, cfg->token))
		return true;
	const char *cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "quire_session");
	return cookie && sv_same_secret(cookie, cfg->session);
}

/* Without a token the server is on loopback, for this machine's own
 * users: a page elsewhere that makes a browser ask for a name resolving
 * to 127.0.0.1 (DNS rebinding) gets nothing. */
static bool host_ok(struct MHD_Connection *conn, const sv_config *cfg)
{
	if (cfg->token)
		return true;
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (!host)
		return true;  /* HTTP/1.0 */
	size_t n = strlen(host);
	const char *colon = strrchr(host, ':');
	if (colon && !strchr(colon, ']'))
		n = (size_t)(colon - host);
	static const char *const names[] = { "localhost", "[::1]" };
	for (size_t i = 0; i < 2; i++)
		if (strlen(names[i]) == n && strncasecmp(host, names[i], n) == 0)
			return true;
	if (n >= 4 && strncmp(host, "127.", 4) == 0) {
		for (size_t i = 4; i < n; i++)
			if (!((host[i] >= '0' && host[i] <= '9') || host[i] == '.'))
				return false;
		return true;
	}
	return strlen(cfg->host) == n && strncasecmp(host, cfg->host, n) == 0;
}

/* A form sent from another site is refused.  Browsers say where a
 * request comes from (Sec-Fetch-Site; Origin, which is "null" when the
 * page's referrer policy hides it); programs that send neither are not
 * browsers, and a cross-site request needs a browser. */
static bool same_origin(struct MHD_Connection *conn)
{
	const char *site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	if (site)
		return strcmp(site, "same-origin") == 0 || strcmp(site, "none") == 0;
	const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	if (!origin)
		return true;
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	const char *rest = strstr(origin, "://");
	return host && rest && strcmp(rest + 3, host) == 0;
}

/* ---- routes ---- */

static enum MHD_Result copy_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	sv_params_add(cls, key, value);
	return MHD_YES;
}

/* Whether the client closed its end (it gave up on the answer). */
static bool client_gone(void *arg)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(arg, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!info)
		return false;
	struct pollfd pfd = { info->connect_fd, POLLRDHUP, 0 };
	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Run a call's work on a worker, and answer. */
static enum MHD_Result dispatch(struct MHD_Connection *conn, struct req *rq, sv_config *cfg, sv_call *call, int lane,
				int (*work)(qr_corpus *, sv_call *))
{
	int rc = 0;
	bool api = call->api;
	call->work = work;
	int outcome =
		sv_pool_run(cfg->pool, lane, sv_call_run, call, sv_call_free, cfg->deadline, client_gone, conn, &rc);
	if (outcome == SV_RAN)
		return send_call(conn, rq, call);
	if (outcome != SV_LATE)
		sv_call_free(call);
	/* SV_LATE: the call is the pool's now. */
	const char *why = outcome == SV_BUSY ? "the server is busy: try again in a moment"
			  : outcome == SV_LATE ? "the request took too long: narrow the query"
					       : "the corpus cannot be opened";
	return fail(conn, rq, cfg, api, 503, why);
}

static const char API_INDEX[] =
	"{\n  \"endpoints\": [\n"
	"    \"/api/search?q=QUERY&limit=N&offset=N&sort=relevance|newest|oldest&tz=ZONE&format=json|jsonl|csv|ids|csl-json|bibtex|biblatex|ris|apa|mla|chicago|text\",\n"
	"    \"/api/count?q=QUERY\",\n"
	"    \"/api/facets?q=QUERY&by=FIELD&top=N&format=json|csv|text\",\n"
	"    \"/api/timeline?q=QUERY&by=minute|hour|day|week&svg=1&format=json|csv|text\",\n"
	"    \"/api/show/ID\", \"/api/raw/ID\", \"/api/verify/ID\", \"/api/cite/ID?style=apa|mla|chicago|bibtex|ris|csl-json\",\n"
	"    \"/api/stats\", \"/api/help\", \"POST /api/tag\"\n  ],\n"
	"  \"documentation\": \"docs/API.md\"\n}\n";

static bool prefix(const char *path, const char *p, const char **rest)
{
	size_t n = strlen(p);
	if (strncmp(path, p, n) != 0)
		return false;
	*rest = path + n;
	return true;
}

static enum MHD_Result route_get(struct MHD_Connection *conn, struct req *rq, sv_config *cfg)
{
	const char *path = rq->path, *rest = NULL;
	static const struct {
		const char *path;
		bool exact;
		int lane;
		int (*work)(qr_corpus *, sv_call *);
	} jobs[] = {
		{ "/api/count", true, SV_LIGHT, sv_api_count },
		{ "/api/facets", true, SV_HEAVY, sv_api_facets },
		{ "/api/timeline", true, SV_HEAVY, sv_api_timeline },
		{ "/api/stats", true, SV_HEAVY, sv_api_stats },
		{ "/api/show/", false, SV_LIGHT, sv_api_show },
		{ "/api/raw/", false, SV_LIGHT, sv_api_raw },
		{ "/api/verify/", false, SV_LIGHT, sv_api_verify },
		{ "/api/cite/", false, SV_LIGHT, sv_api_cite },
		{ "/media/", false, SV_LIGHT, sv_api_media },
		{ "/post/", false, SV_LIGHT, sv_page_post },
		{ "/", true, SV_HEAVY, sv_page_search },
	};
	bool api = strncmp(path, "/api/", 5) == 0;
	if (prefix(path, "/assets/", &rest)) {
		const char *data, *type;
		size_t len;
		if (!sv_asset(rest, &data, &len, &type))
			return fail(conn, rq, cfg, false, 404, "no such file");
		sv_reply r;
		sv_reply_init(&r);
		uint8_t sum[QR_SHA256_LEN];
		char hex[QR_SHA256_HEX];
		qr_sha256(data, len, sum);
		qr_hex(sum, 8, hex);
		snprintf(r.etag, sizeof(r.etag), "\"%.16s\"", hex);
		const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
		r.status = inm && strcmp(inm, r.etag) == 0 ? 304 : 200;
		r.type = type;
		r.cache = "public, max-age=3600";
		if (r.status == 200)
			qr_buf_add(&r.body, data, len);
		enum MHD_Result ret = send_reply(conn, rq, &r);
		sv_reply_release(&r);
		return ret;
	}
	if (strcmp(path, "/login") == 0) {
		sv_call *call = sv_call_new(cfg, rq->method, path, NULL, false);
		sv_page_login(call, false);
		call->reply.status = 200;
		return send_call(conn, rq, call);
	}
	if (strcmp(path, "/api/") == 0 || strcmp(path, "/api") == 0 || strcmp(path, "/api/help") == 0) {
		sv_call *call = sv_call_new(cfg, rq->method, path, NULL, true);
		call->reply.status = 200;
		bool help = strcmp(path, "/api/help") == 0;
		call->reply.type = help ? "text/plain; charset=utf-8" : "application/json";
		if (help) {
			qr_query_language(&call->reply.body);
			qr_buf_addch(&call->reply.body, '\n');
		} else {
			qr_buf_adds(&call->reply.body, API_INDEX);
		}
		return send_call(conn, rq, call);
	}
	sv_call *call = NULL;
	if (strcmp(path, "/api/search") == 0) {
		call = sv_call_new(cfg, rq->method, path, NULL, true);
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, copy_arg, &call->args);
		if (sv_download_wanted(&call->args)) {
			int status = 0;
			if (sv_download(conn, call, &status) == 0) {
				rq->status = (unsigned)status;
				return MHD_YES;
			}
			return send_call(conn, rq, call);
		}
		const char *limit = sv_params_get(&call->args, "limit");
		bool light = !limit || !*limit || strtoull(limit, NULL, 10) <= LIGHT_LIMIT;
		return dispatch(conn, rq, cfg, call, light ? SV_LIGHT : SV_HEAVY, sv_api_search);
	}
	for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
		if (jobs[i].exact ? strcmp(path, jobs[i].path) != 0 : !prefix(path, jobs[i].path, &rest))
			continue;
		call = sv_call_new(cfg, rq->method, path, jobs[i].exact ? NULL : rest, api);
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, copy_arg, &call->args);
		return dispatch(conn, rq, cfg, call, jobs[i].lane, jobs[i].work);
	}
	return fail(conn, rq, cfg, api, 404, "no such page");
}

static enum MHD_Result route_post(struct MHD_Connection *conn, struct req *rq, sv_config *cfg)
{
	bool api = strncmp(rq->path, "/api/", 5) == 0;
	if (!same_origin(conn))
		return fail(conn, rq, cfg, api, 403, "a form from another site is refused");
	if (rq->too_big)
		return fail(conn, rq, cfg, api, 413, "the request is too large");
	sv_call *call = sv_call_new(cfg, rq->method, rq->path, NULL, api);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, copy_arg, &call->args);
	if (!sv_params_parse_form(&call->args, rq->body.buf, rq->body.len)) {
		sv_call_free(call);
		return fail(conn, rq, cfg, api, 400, "the form cannot be read");
	}
	if (strcmp(rq->path, "/login") == 0) {
		const char *token = sv_params_get(&call->args, "token");
		if (!cfg->token || !token || !sv_same_secret(token, cfg->token)) {
			sv_page_login(call, true);
			return send_call(conn, rq, call);
		}
		call->reply.status = 303;
		qr_buf_adds(&call->reply.location, "/");
		qr_buf_addf(&call->reply.cookie, "quire_session=%s; Path=/; HttpOnly; SameSite=Strict", cfg->session);
		return send_call(conn, rq, call);
	}
	if (strcmp(rq->path, "/tag") == 0 || strcmp(rq->path, "/api/tag") == 0) {
		if (!cfg->tagging) {
			sv_fail(call, 403, "this server is read-only (start it with --allow-tagging to add codes)", 0);
			return send_call(conn, rq, call);
		}
		sv_tag(call);
		return send_call(conn, rq, call);
	}
	sv_call_free(call);
	return fail(conn, rq, cfg, api, 404, "no such page");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			       const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	(void)version;
	sv_config *cfg = cls;
	struct req *rq = *con_cls;
	if (!rq) {
		rq = qr_calloc(1, sizeof(*rq));
		clock_gettime(CLOCK_MONOTONIC, &rq->start);
		rq->method = qr_strdup(method);
		rq->path = qr_strdup(url);
		qr_buf_init(&rq->body);
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		if (rq->body.len + *upload_size > MAX_BODY)
			rq->too_big = true;
		else
			qr_buf_add(&rq->body, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	bool api = strncmp(url, "/api/", 5) == 0;
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	if (!get && strcmp(method, "POST") != 0)
		return fail(conn, rq, cfg, api, 405, "this server answers GET, HEAD and POST");
	if (!host_ok(conn, cfg))
		return fail(conn, rq, cfg, api, 403, "this server answers to its own address only");
	bool open = strncmp(url, "/assets/", 8) == 0 || strcmp(url, "/login") == 0;
	if (!open && !authorised(conn, cfg)) {
		sv_call *call = sv_call_new(cfg, method, url, NULL, api);
		if (api) {
			sv_fail(call, 401, "this server needs its token (Authorization: Bearer TOKEN)", 0);
		} else {
			sv_page_login(call, false);
		}
		return send_call(conn, rq, call);
	}
	return get ? route_get(conn, rq, cfg) : route_post(conn, rq, cfg);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	qr_buf raw = QR_BUF_INIT;
	qr_buf_vaddf(&raw, fmt, ap);
	while (raw.len && raw.buf[raw.len - 1] == '\n')
		qr_buf_setlen(&raw, raw.len - 1);
	qr_warning("http: %s", raw.buf);
	qr_buf_release(&raw);
}

int sv_http_start(sv_config *cfg, int fd, sv_http **out, qr_buf *err)
{
	sv_http *h = qr_calloc(1, sizeof(*h));
	h->cfg = cfg;
	h->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
					MHD_USE_ERROR_LOG,
				0, NULL, NULL, handler, cfg, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned)IDLE_SECONDS, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
				MHD_OPTION_NOTIFY_COMPLETED, completed, cfg, MHD_OPTION_END);
	if (!h->d) {
		qr_buf_setf(err, "the HTTP daemon did not start");
		free(h);
		return QR_INTERNAL;
	}
	*out = h;
	return 0;
}

void sv_http_stop(sv_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
