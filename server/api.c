/*
 * /api/...: each endpoint runs the query code of the command it is named
 * after (query/run.h) with the printers of the command line, so that its
 * output is the command's, byte for byte: search (quire search -f FORMAT),
 * count (quire count -f json), facets, timeline (and its SVG chart),
 * show, raw (show --raw), verify (show --verify), cite, stats, and the
 * media files the store keeps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "cli.h"
#include "hash.h"
#include "run.h"
#include "server.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

/* A whole number argument; false with the answer made when it is not. */
static bool arg_uint(sv_call *call, const char *name, unsigned long long dflt, unsigned long long max,
		     unsigned long long *out)
{
	const char *v = sv_params_get(&call->args, name);
	*out = dflt;
	if (!v || !*v)
		return true;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno || *end || v[0] == '-' || v[0] == '+' || n > max) {
		qr_buf why = QR_BUF_INIT;
		qr_buf_setf(&why, "%s takes a whole number from 0 to %llu, not '%s'", name, max, v);
		sv_fail(call, 400, why.buf, 0);
		qr_buf_release(&why);
		return false;
	}
	*out = n;
	return true;
}

static const char *arg_or(const sv_call *call, const char *name, const char *dflt)
{
	const char *v = sv_params_get(&call->args, name);
	return v && *v ? v : dflt;
}

static bool arg_flag(const sv_call *call, const char *name, bool dflt)
{
	return sv_params_flag(&call->args, name, dflt);
}

/* The usage error the query code gave, as a 400. */
static bool usage_failed(sv_call *call, int rc)
{
	if (!rc)
		return false;
	sv_fail_messages(call, 400, "bad request");
	return true;
}

bool sv_search_opts(sv_call *call, qr_search_opts *o, unsigned long long max_limit)
{
	qr_search_opts d = QR_SEARCH_OPTS_INIT;
	*o = d;
	o->c.format = arg_or(call, "format", "json");
	o->c.q = sv_query_opts(&call->args);
	o->sort = arg_or(call, "sort", "relevance");
	o->collapse = arg_or(call, "collapse", NULL);
	o->color = "never";
	o->no_locator = !arg_flag(call, "locator", true);
	if (!arg_uint(call, "limit", 10, UINT32_MAX, &o->limit) || !arg_uint(call, "offset", 0, UINT32_MAX, &o->offset))
		return false;
	if (max_limit && (o->limit == 0 || o->limit > max_limit)) {
		qr_buf why = QR_BUF_INIT;
		qr_buf_setf(&why, "limit takes 1 to %llu here (limit=0 or download=1 streams every post)", max_limit);
		sv_fail(call, 400, why.buf, 0);
		qr_buf_release(&why);
		return false;
	}
	return !usage_failed(call, qr_search_check(o));
}

/* What each search format's output is, and a download's file name. */
static const struct {
	const char *format, *type, *ext;
} formats[] = {
	{ "json", "application/json", "json" },
	{ "jsonl", "application/x-ndjson", "jsonl" },
	{ "csv", "text/csv; charset=utf-8; header=present", "csv" },
	{ "csv-raw", "text/csv; charset=utf-8; header=present", "csv" },
	{ "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx" },
	{ "csl-json", "application/vnd.citationstyles.csl+json", "csl.json" },
	{ "bibtex", "application/x-bibtex; charset=utf-8", "bib" },
	{ "biblatex", "application/x-bibtex; charset=utf-8", "bib" },
	{ "ris", "application/x-research-info-systems; charset=utf-8", "ris" },
};

static size_t format_index(const char *format)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].format, format) == 0)
			return i;
	return (size_t)-1;
}

const char *sv_format_type(const char *format)
{
	size_t i = format_index(format);
	return i == (size_t)-1 ? "text/plain; charset=utf-8" : formats[i].type;
}

void sv_format_filename(qr_buf *out, const char *stem, const char *format)
{
	size_t i = format_index(format);
	qr_buf_addf(out, "attachment; filename=\"%s.%s\"", stem, i == (size_t)-1 ? "txt" : formats[i].ext);
}

/* The output of fn, written to a FILE, as the reply's body. */
struct memfile {
	FILE *f;
	char *data;
	size_t len;
};

static FILE *mem_open(struct memfile *m)
{
	m->data = NULL;
	m->len = 0;
	m->f = open_memstream(&m->data, &m->len);
	if (!m->f)
		qr_error("cannot make a buffer: %s", strerror(errno));
	return m->f;
}

static void mem_take(struct memfile *m, sv_reply *r)
{
	fclose(m->f);
	qr_buf_reset(&r->body);
	qr_buf_add(&r->body, m->data, m->len);
	free(m->data);
}

int sv_api_search(qr_corpus *c, sv_call *call)
{
	qr_search_opts o;
	qr_buf text = QR_BUF_INIT;
	struct memfile m;
	int rc = 0;
	if (!sv_search_opts(call, &o, 1000) || !sv_query_of(c, call, &text))
		goto out;
	if (!mem_open(&m)) {
		rc = QR_EXIT_INTERNAL;
		goto out;
	}
	qr_printer *pr = qr_printer_new(o.c.format, m.f, false, !o.no_locator, qr_corpus_id(c));
	pr->tz = o.c.q.tz;
	rc = qr_search_run(c, &o, text.buf, pr);
	qr_printer_free(pr);
	mem_take(&m, &call->reply);
	if (rc == QR_EXIT_OK || rc == QR_EXIT_NO_HITS) {
		call->reply.status = 200;
		call->reply.type = sv_format_type(o.c.format);
		if (arg_flag(call, "download", false))
			sv_format_filename(&call->reply.disposition, "quire-search", o.c.format);
	}
out:
	qr_buf_release(&text);
	return rc;
}

int sv_api_count(qr_corpus *c, sv_call *call)
{
	qr_buf text = QR_BUF_INIT;
	const char *collapse = arg_or(call, "collapse", NULL);
	int rc = 0;
	if (collapse && strcmp(collapse, "repost") != 0) {
		sv_fail(call, 400, "collapse takes repost", 0);
		goto out;
	}
	if (!sv_query_of(c, call, &text))
		goto out;
	qr_query_opts q = sv_query_opts(&call->args);
	uint32_t n = 0;
	rc = qr_count_run(c, text.buf, &q, collapse != NULL, false, &n);
	if (rc == QR_EXIT_OK || rc == QR_EXIT_NO_HITS) {
		call->reply.status = 200;
		call->reply.type = "application/json";
		qr_count_print(&call->reply.body, "json", text.buf, n);
	}
out:
	qr_buf_release(&text);
	return rc;
}

int sv_api_facets(qr_corpus *c, sv_call *call)
{
	qr_facets_opts o = QR_FACETS_OPTS_INIT;
	qr_buf text = QR_BUF_INIT;
	struct memfile m;
	int rc = 0;
	o.c.format = arg_or(call, "format", "json");
	o.c.q = sv_query_opts(&call->args);
	o.by = arg_or(call, "by", "hashtag");
	if (!arg_uint(call, "top", 20, UINT32_MAX, &o.top) || usage_failed(call, qr_facets_check(&o)) ||
	    !sv_query_of(c, call, &text))
		goto out;
	if (!mem_open(&m)) {
		rc = QR_EXIT_INTERNAL;
		goto out;
	}
	rc = qr_facets_write(c, &o, text.buf, m.f);
	mem_take(&m, &call->reply);
	if (rc == QR_EXIT_OK || rc == QR_EXIT_NO_HITS) {
		call->reply.status = 200;
		call->reply.type = sv_format_type(o.c.format);
	}
out:
	qr_buf_release(&text);
	return rc;
}

int sv_api_timeline(qr_corpus *c, sv_call *call)
{
	qr_timeline_opts o = QR_TIMELINE_OPTS_INIT;
	qr_buf text = QR_BUF_INIT;
	qr_timeline *t = NULL;
	bool svg = arg_flag(call, "svg", false);
	int rc = 0;
	o.c.format = arg_or(call, "format", "json");
	o.c.q = sv_query_opts(&call->args);
	o.by = arg_or(call, "by", "hour");
	o.split = arg_or(call, "split_by", NULL);
	o.stack = arg_flag(call, "stack", false);
	o.share = arg_or(call, "share", NULL);
	o.bars = "never";
	if (!arg_uint(call, "top", 5, 50, &o.top) || usage_failed(call, qr_timeline_check(&o)) ||
	    !sv_query_of(c, call, &text))
		goto out;
	rc = qr_timeline_run(c, &o, text.buf, &t);
	if (rc != QR_EXIT_OK && rc != QR_EXIT_NO_HITS)
		goto out;
	if (!svg) {
		struct memfile m;
		int found = rc;
		if (!mem_open(&m)) {
			rc = QR_EXIT_INTERNAL;
			goto out;
		}
		rc = qr_timeline_write(c, t, o.c.format, false, m.f);
		mem_take(&m, &call->reply);
		if (!rc) {
			rc = found;
			call->reply.status = 200;
			call->reply.type = sv_format_type(o.c.format);
		}
	} else if (qr_timeline_svg(t, &call->reply.body)) {
		call->reply.status = 200;
		call->reply.type = "image/svg+xml";
		/* Drawn with inline styles, never with scripts. */
		call->reply.csp = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'";
	} else {
		sv_fail(call, 404, "no posts matched: no chart", 0);
	}
out:
	qr_timeline_free(t);
	qr_buf_release(&text);
	return rc;
}

/* show, raw and verify: quire show's output for one id. */
static int show(qr_corpus *c, sv_call *call, int mode, const char *type)
{
	struct memfile m;
	if (!*call->rest) {
		sv_fail(call, 404, "no post id given", 0);
		return 0;
	}
	if (!mem_open(&m))
		return QR_EXIT_INTERNAL;
	int rc = qr_show_one(c, call->rest, mode, false, m.f);
	mem_take(&m, &call->reply);
	if (rc == QR_EXIT_OK) {
		call->reply.status = 200;
		call->reply.type = type;
	} else {
		sv_fail_messages(call, sv_http_status(rc, true), "no such post");
	}
	return rc;
}

int sv_api_show(qr_corpus *c, sv_call *call)
{
	return show(c, call, QR_SHOW_POST, "application/json");
}

int sv_api_raw(qr_corpus *c, sv_call *call)
{
	int rc = show(c, call, QR_SHOW_RAW, "application/octet-stream");
	if (rc == QR_EXIT_OK && arg_flag(call, "download", false))
		qr_buf_setf(&call->reply.disposition, "attachment; filename=\"record.raw\"");
	return rc;
}

int sv_api_verify(qr_corpus *c, sv_call *call)
{
	return show(c, call, QR_SHOW_VERIFY, "text/plain; charset=utf-8");
}

int sv_api_cite(qr_corpus *c, sv_call *call)
{
	struct memfile m;
	const char *style = arg_or(call, "style", "apa");
	if (!*call->rest) {
		sv_fail(call, 404, "no post id given", 0);
		return 0;
	}
	if (!qr_printer_exists(style)) {
		qr_buf why = QR_BUF_INIT;
		qr_buf_setf(&why, "unknown style '%s' (%s)", style, qr_printer_names());
		sv_fail(call, 400, why.buf, 0);
		qr_buf_release(&why);
		return 0;
	}
	qr_query_opts q = sv_query_opts(&call->args);
	if (q.tz && !qr_tz_valid(q.tz)) {
		sv_fail(call, 400, "unknown time zone (use an IANA name such as Europe/Berlin)", 0);
		return 0;
	}
	if (!mem_open(&m))
		return QR_EXIT_INTERNAL;
	qr_printer *pr = qr_printer_new(style, m.f, false, arg_flag(call, "locator", true), qr_corpus_id(c));
	pr->tz = q.tz;
	uint32_t rank = 0;
	qr_cite_begin(c, pr, call->rest);
	int rc = qr_cite_one(c, pr, call->rest, &rank);
	pr->end(pr, rank);
	qr_printer_free(pr);
	mem_take(&m, &call->reply);
	if (rc == QR_EXIT_OK) {
		call->reply.status = 200;
		call->reply.type = sv_format_type(style);
	} else {
		sv_fail_messages(call, sv_http_status(rc, true), "no such post");
	}
	return rc;
}

int sv_api_stats(qr_corpus *c, sv_call *call)
{
	struct memfile m;
	const char *format = arg_or(call, "format", "json");
	if (strcmp(format, "json") && strcmp(format, "text")) {
		sv_fail(call, 400, "format takes json or text", 0);
		return 0;
	}
	if (!mem_open(&m))
		return QR_EXIT_INTERNAL;
	int rc = qr_stats_run(c, format, m.f);
	mem_take(&m, &call->reply);
	call->reply.status = 200;
	call->reply.type = sv_format_type(format);
	if (rc)
		sv_fail_messages(call, sv_http_status(rc, false), "the corpus is damaged");
	return rc;
}

/* What a media file is, from its first bytes (never from what a post
 * says): the types a browser may show; anything else is downloaded. */
static const char *media_type(const unsigned char *b, size_t n)
{
	if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && memcmp(b, "\xff\xd8\xff", 3) == 0)
		return "image/jpeg";
	if (n >= 6 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0))
		return "image/gif";
	if (n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (n >= 12 && memcmp(b + 4, "ftyp", 4) == 0)
		return "video/mp4";
	if (n >= 4 && memcmp(b, "\x1a\x45\xdf\xa3", 4) == 0)
		return "video/webm";
	return NULL;
}

int sv_api_media(qr_corpus *c, sv_call *call)
{
	uint8_t bin[QR_SHA256_LEN];
	char hex[QR_SHA256_HEX];
	qr_buf loc = QR_BUF_INIT;
	if (strlen(call->rest) != 2 * QR_SHA256_LEN || !qr_unhex(call->rest, bin, QR_SHA256_LEN)) {
		sv_fail(call, 404, "a media file is named by its sha256 (64 hex digits)", 0);
		return 0;
	}
	qr_hex(bin, QR_SHA256_LEN, hex);
	int st = qr_corpus_find_media(c, hex, &loc);
	qr_media m = { .sha256 = hex, .locator = loc.buf };
	if (!st)
		st = qr_corpus_get_media(c, &m, &call->reply.body);
	qr_buf_release(&loc);
	if (st == QR_NOT_FOUND) {
		sv_fail(call, 404, "no media file with that sha256 is kept in the corpus", 0);
		return QR_EXIT_NO_HITS;
	}
	if (st) {
		qr_buf why = QR_BUF_INIT;
		qr_buf_setf(&why, "cannot read the media file: %s", qr_corpus_error(c));
		sv_fail(call, sv_http_status(qr_status_exit_code(st), true), why.buf, 0);
		qr_buf_release(&why);
		return qr_status_exit_code(st);
	}
	const char *type = media_type((const unsigned char *)call->reply.body.buf, call->reply.body.len);
	call->reply.status = 200;
	call->reply.type = type ? type : "application/octet-stream";
	/* Named by its content: it never changes. */
	call->reply.cache = "public, max-age=31536000, immutable";
	call->reply.csp = "default-src 'none'; sandbox";
	if (!type)
		qr_buf_setf(&call->reply.disposition, "attachment; filename=\"%s\"", hex);
	return 0;
}
