/*
 * The pages: the search (/), a post with its original record (/post/ID),
 * the login form, errors.  Rendered on the server, so that a plain search
 * works without JavaScript (web/quire.js only adds copying citations to
 * the clipboard and the like).  The URL is the whole state; facet values,
 * hashtags, authors and timeline buckets are plain links that add a filter
 * to it; the results, facets, timeline, downloads and the JSON twin all
 * come from the query code of the command line (query/run.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "cli.h"
#include "escape.h"
#include "printer.h"
#include "run.h"
#include "server.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

#define PAGE_DEFAULT 20
#define PAGE_MAX 100
#define FACET_TOP 10
/* A timeline by hour over more than this many hours is drawn by day. */
#define HOURS_MAX (24 * 14)

/* The facet panels, in order. */
static const struct {
	const char *field, *title;
} panels[] = {
	{ "hashtag", "Hashtags" }, { "author", "Authors" },   { "mention", "Mentions" }, { "media", "Media" },
	{ "domain", "Link domains" }, { "event", "Events" }, { "tag", "Codes" },       { "lang", "Languages" },
	{ "kind", "Kinds" },        { "platform", "Platforms" },
};

static const char *const examples[] = {
	"#WhiteLivesMatter fancam", "\"black lives matter\"", "from:dallas_pd_demo",
	"media:video date:2020-06-03", "iwatch NEAR app", "fanc* -is:repost",
};

static const char *const zones[] = { "UTC", "America/Chicago", "America/New_York", "America/Los_Angeles",
				     "Europe/London", "Europe/Berlin", "Asia/Seoul", "Asia/Tokyo" };

static void head(qr_buf *out, const sv_config *cfg, const char *title)
{
	qr_buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			 "<meta name=\"referrer\" content=\"no-referrer\">\n");
	qr_buf_adds(out, "<title>");
	if (title && *title) {
		sv_html_text(out, title);
		qr_buf_adds(out, " \xE2\x80\x93 ");
	}
	qr_buf_adds(out, "quire \xE2\x80\x93 ");
	sv_html_text(out, cfg->corpus_name);
	qr_buf_adds(out, "</title>\n<link rel=\"stylesheet\" href=\"/assets/quire.css\">\n"
			 "<link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">\n"
			 "<script src=\"/assets/quire.js\" defer></script>\n</head>\n<body>\n");
	qr_buf_adds(out, "<header class=\"top\"><a class=\"brand\" href=\"/\">quire</a> ");
	sv_open(out, "span", "class", "corpus", "title", cfg->corpus_id, NULL);
	sv_html_text(out, cfg->corpus_name);
	qr_buf_adds(out, "</span><nav><a href=\"/api/stats?format=text\">corpus</a> "
			 "<a href=\"/api/\">API</a></nav></header>\n<main>\n");
}

static void foot(qr_buf *out, const sv_config *cfg)
{
	qr_buf_adds(out, "</main>\n<footer class=\"bottom\">quire serve \xC2\xB7 corpus ");
	sv_html_text(out, cfg->corpus_id);
	qr_buf_addf(out, " \xC2\xB7 %s</footer>\n</body>\n</html>\n", cfg->tagging ? "coding allowed" : "read-only");
}

static void page_reply(sv_call *call, qr_buf *out, int status)
{
	qr_buf_reset(&call->reply.body);
	qr_buf_add(&call->reply.body, out->buf, out->len);
	call->reply.status = status;
	call->reply.type = "text/html; charset=utf-8";
	call->reply.cache = "no-cache";
}

void sv_page_error(sv_call *call, int status, const char *message)
{
	qr_buf out = QR_BUF_INIT, title = QR_BUF_INIT;
	qr_buf_addf(&title, "error %d", status);
	head(&out, call->cfg, title.buf);
	sv_open(&out, "section", "class", "error", NULL);
	sv_elem(&out, "h1", title.buf, NULL);
	sv_elem(&out, "p", message, NULL);
	qr_buf_adds(&out, "<p><a href=\"/\">Search the corpus</a></p></section>\n");
	foot(&out, call->cfg);
	page_reply(call, &out, status);
	qr_buf_release(&out);
	qr_buf_release(&title);
}

void sv_page_login(sv_call *call, bool failed)
{
	qr_buf out = QR_BUF_INIT;
	head(&out, call->cfg, "sign in");
	qr_buf_adds(&out, "<section class=\"login\"><h1>Sign in</h1>\n"
			  "<p>This server asks for the token it was started with.</p>\n");
	if (failed)
		qr_buf_adds(&out, "<p class=\"error\" role=\"alert\">That is not the token.</p>\n");
	qr_buf_adds(&out, "<form method=\"post\" action=\"/login\">"
			  "<label>Token <input type=\"password\" name=\"token\" required autocomplete=\"current-password\">"
			  "</label> <button type=\"submit\">Sign in</button></form></section>\n");
	foot(&out, call->cfg);
	page_reply(call, &out, failed ? 403 : 401);
	qr_buf_release(&out);
}

void sv_page_tagged(sv_call *call, const char *summary)
{
	qr_buf out = QR_BUF_INIT;
	const char *back = sv_params_get(&call->args, "back");
	/* Back to a page of this server only. */
	if (!back || back[0] != '/' || back[1] == '/' || back[1] == '\\')
		back = "/";
	head(&out, call->cfg, "codes");
	qr_buf_adds(&out, "<section class=\"tagged\"><h1>Codes changed</h1>\n");
	sv_elem(&out, "p", summary, "role", "status", NULL);
	sv_open(&out, "p", NULL);
	sv_elem(&out, "a", "Back to the results", "href", back, "class", "back", NULL);
	qr_buf_adds(&out, "</p></section>\n");
	foot(&out, call->cfg);
	page_reply(call, &out, 200);
	qr_buf_release(&out);
}

/* ---- the search page ---- */

struct view {
	sv_call *call;
	qr_corpus *c;
	const sv_params *state;
	qr_buf text;                 /* the query run */
	qr_query_opts q;
	unsigned long long n, offset;
	const char *sort;
	uint32_t total;
};

/* The state's arguments for the API: the page's own (n, by, offset)
 * taken out. */
static void api_params(sv_params *out, const sv_params *state)
{
	sv_params_copy(out, state);
	sv_params_del(out, "n", NULL);
	sv_params_del(out, "by", NULL);
	sv_params_del(out, "offset", NULL);
	sv_params_del(out, "facets", NULL);
}

static void hidden(qr_buf *out, const char *name, const char *value)
{
	if (value && *value)
		sv_open(out, "input", "type", "hidden", "name", name, "value", value, NULL);
}

static void form(qr_buf *out, const struct view *v)
{
	const sv_params *s = v->state;
	const char *q = sv_params_get(s, "q");
	qr_buf_adds(out, "<form class=\"search\" method=\"get\" action=\"/\" role=\"search\">\n<div class=\"row\">");
	sv_open(out, "input", "type", "search", "name", "q", "value", q ? q : "", "aria-label", "query", "placeholder",
		"words, \"phrases\", #hashtags, from:handle, media:video, date:2020-06-03 ...", "autofocus", "",
		"spellcheck", "false", NULL);
	qr_buf_adds(out, "<button type=\"submit\">Search</button></div>\n<div class=\"row options\">");
	const char *since = sv_params_get(s, "since"), *until = sv_params_get(s, "until");
	qr_buf_adds(out, "<label>From ");
	sv_open(out, "input", "type", "text", "name", "since", "value", since ? since : "", "placeholder", "YYYY-MM-DD",
		"size", "16", NULL);
	qr_buf_adds(out, "</label><label>to ");
	sv_open(out, "input", "type", "text", "name", "until", "value", until ? until : "", "placeholder",
		"YYYY-MM-DDTHH:MM", "size", "16", NULL);
	qr_buf_adds(out, "</label><label>Time zone ");
	sv_open(out, "input", "type", "text", "name", "tz", "value", v->q.tz ? v->q.tz : "", "placeholder", "UTC",
		"list", "zones", "size", "18", NULL);
	qr_buf_adds(out, "<datalist id=\"zones\">");
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		sv_open(out, "option", "value", zones[i], NULL);
	qr_buf_adds(out, "</datalist></label><label>Sort <select name=\"sort\">");
	static const char *const sorts[] = { "relevance", "newest", "oldest" };
	for (size_t i = 0; i < 3; i++)
		sv_elem(out, "option", sorts[i], "value", sorts[i], "selected",
			strcmp(v->sort, sorts[i]) == 0 ? "" : NULL, NULL);
	qr_buf_adds(out, "</select></label><label>Per page <select name=\"n\">");
	static const char *const sizes[] = { "10", "20", "50", "100" };
	char n[24];
	snprintf(n, sizeof(n), "%llu", v->n);
	for (size_t i = 0; i < 4; i++)
		sv_elem(out, "option", sizes[i], "value", sizes[i], "selected", strcmp(n, sizes[i]) == 0 ? "" : NULL, NULL);
	qr_buf_adds(out, "</select></label>");
	/* The filters stay when the words change. */
	for (size_t i = 0; i < s->n; i++)
		if (sv_filter_named(s->v[i].key))
			hidden(out, s->v[i].key, s->v[i].value);
	hidden(out, "by", sv_params_get(s, "by"));
	qr_buf_adds(out, "</div>\n<p class=\"examples\">Examples: ");
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		qr_buf href = QR_BUF_INIT;
		qr_buf_adds(&href, "/?q=");
		sv_url_part(&href, examples[i]);
		sv_elem(out, "a", examples[i], "href", href.buf, NULL);
		qr_buf_adds(out, i + 1 < sizeof(examples) / sizeof(examples[0]) ? " \xC2\xB7 " : "");
		qr_buf_release(&href);
	}
	qr_buf_adds(out, " \xC2\xB7 <a href=\"/api/help\">the whole language</a></p>\n</form>\n");
}

/* The active filters as chips, each with a link that removes it. */
static void active_chips(qr_buf *out, const sv_params *s)
{
	bool any = false;
	for (size_t i = 0; i < s->n; i++) {
		const sv_filter *f = sv_filter_named(s->v[i].key);
		bool date = strcmp(s->v[i].key, "since") == 0 || strcmp(s->v[i].key, "until") == 0;
		if ((!f && !date) || !*s->v[i].value)
			continue;
		if (!any)
			qr_buf_adds(out, "<ul class=\"active\" aria-label=\"filters\">");
		any = true;
		sv_params rest = { 0 };
		qr_buf href = QR_BUF_INIT, label = QR_BUF_INIT;
		sv_params_copy(&rest, s);
		sv_params_del(&rest, s->v[i].key, s->v[i].value);
		sv_params_del(&rest, "offset", NULL);
		sv_params_href(&href, "/", &rest);
		qr_buf_addf(&label, "%s: ", f ? f->label : strcmp(s->v[i].key, "since") == 0 ? "from" : "to");
		qr_buf_adds(out, "<li class=\"chip\">");
		sv_elem(out, "span", label.buf, "class", "what", NULL);
		sv_elem(out, "bdi", s->v[i].value, NULL);
		sv_elem(out, "a", "\xC3\x97", "href", href.buf, "class", "remove", "title", "remove this filter",
			"aria-label", "remove this filter", NULL);
		qr_buf_adds(out, "</li>");
		sv_params_clear(&rest);
		qr_buf_release(&href);
		qr_buf_release(&label);
	}
	if (any)
		qr_buf_adds(out, "</ul>\n");
}

/* The query with the place of its error marked. */
static void query_error(qr_buf *out, const char *q, const char *err, size_t where)
{
	qr_buf_adds(out, "<section class=\"query-error\" role=\"alert\"><h2>The query cannot be read</h2>");
	sv_elem(out, "p", err, NULL);
	size_t len = q ? strlen(q) : 0;
	if (q && where != QR_QUERY_NOWHERE && where <= len) {
		size_t n = 1;
		uint32_t cp;
		if (where < len)
			n = qr_utf8_decode(q + where, len - where, &cp);
		qr_buf_adds(out, "<pre class=\"marked\">");
		sv_html_textn(out, q, where);
		qr_buf_adds(out, "<mark title=\"here\">");
		if (where < len)
			sv_html_textn(out, q + where, n);
		else
			qr_buf_adds(out, "&#160;");
		qr_buf_adds(out, "</mark>");
		if (where < len)
			sv_html_textn(out, q + where + n, len - where - n);
		qr_buf_adds(out, "</pre>");
	}
	qr_buf_adds(out, "</section>\n");
}

/* A shell word: single quotes, a quote inside as '\''. */
static void shell_word(qr_buf *out, const char *s)
{
	qr_buf_addch(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			qr_buf_adds(out, "'\\''");
		else
			qr_buf_addch(out, *s);
	}
	qr_buf_addch(out, '\'');
}

/* The command line that prints these results. */
static void command(qr_buf *out, const struct view *v)
{
	qr_buf_adds(out, "quire search");
	if (strcmp(v->sort, "relevance"))
		qr_buf_addf(out, " --sort %s", v->sort);
	const char *opt[3] = { "tz", "since", "until" }, *val[3] = { v->q.tz, v->q.since, v->q.until };
	for (int i = 0; i < 3; i++)
		if (val[i]) {
			qr_buf_addf(out, " --%s ", opt[i]);
			shell_word(out, val[i]);
		}
	qr_buf_addf(out, " --limit %llu", v->n);
	if (v->offset)
		qr_buf_addf(out, " --offset %llu", v->offset);
	qr_buf_adds(out, v->text.len && v->text.buf[0] == '-' ? " -- " : " ");
	shell_word(out, v->text.buf);
}

static void download_links(qr_buf *out, const struct view *v)
{
	static const struct {
		const char *format, *label;
	} formats[] = { { "csv", "CSV" }, { "jsonl", "JSON lines" }, { "csl-json", "CSL-JSON" } };
	sv_params p = { 0 };
	qr_buf href = QR_BUF_INIT;
	char num[24];
	qr_buf_adds(out, "<p class=\"downloads\">Download ");
	for (int all = 0; all < 2; all++) {
		qr_buf_adds(out, all ? "; all " : "this page: ");
		if (all) {
			qr_add_grouped(out, v->total);
			qr_buf_adds(out, " posts: ");
		}
		for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
			api_params(&p, v->state);
			sv_params_set(&p, "format", formats[i].format);
			snprintf(num, sizeof(num), "%llu", all ? 0ULL : v->n);
			sv_params_set(&p, "limit", num);
			snprintf(num, sizeof(num), "%llu", v->offset);
			if (!all)
				sv_params_set(&p, "offset", v->offset ? num : NULL);
			sv_params_set(&p, "download", "1");
			qr_buf_reset(&href);
			sv_params_href(&href, "/api/search", &p);
			sv_elem(out, "a", formats[i].label, "href", href.buf, "class", "download", "data-format",
				formats[i].format, "data-scope", all ? "all" : "page", "download", "", NULL);
			qr_buf_adds(out, i + 1 < sizeof(formats) / sizeof(formats[0]) ? ", " : "");
		}
	}
	api_params(&p, v->state);
	snprintf(num, sizeof(num), "%llu", v->n);
	sv_params_set(&p, "limit", num);
	snprintf(num, sizeof(num), "%llu", v->offset);
	sv_params_set(&p, "offset", v->offset ? num : NULL);
	qr_buf_reset(&href);
	sv_params_href(&href, "/api/search", &p);
	qr_buf_adds(out, ". This page as ");
	sv_elem(out, "a", "JSON", "href", href.buf, "class", "json-twin", "type", "application/json", NULL);
	qr_buf_adds(out, ".</p>\n");
	sv_params_clear(&p);
	qr_buf_release(&href);
}

static void tag_all_form(qr_buf *out, const struct view *v)
{
	qr_buf back = QR_BUF_INIT, label = QR_BUF_INIT;
	sv_params_href(&back, "/", v->state);
	qr_buf_adds(out, "<details class=\"tag-all\"><summary>Code all ");
	qr_add_grouped(out, v->total);
	qr_buf_adds(out, " posts</summary>");
	sv_open(out, "form", "method", "post", "action", "/tag", "class", "tag-form", "data-count", NULL, NULL);
	hidden(out, "scope", "query");
	for (size_t i = 0; i < v->state->n; i++) {
		const char *k = v->state->v[i].key;
		if (strcmp(k, "q") == 0 || sv_filter_named(k) || strcmp(k, "since") == 0 || strcmp(k, "until") == 0 ||
		    strcmp(k, "tz") == 0)
			hidden(out, k, v->state->v[i].value);
	}
	hidden(out, "back", back.buf);
	sv_open(out, "input", "type", "text", "name", "code", "placeholder", "code", "aria-label",
		"a code for every post of the search", "required", "", "maxlength", "64", NULL);
	qr_add_grouped(&label, v->total);
	sv_elem(out, "button", "Add to all", "type", "submit", "name", "action", "value", "add", "data-confirm",
		label.buf, NULL);
	sv_elem(out, "button", "Remove from all", "type", "submit", "name", "action", "value", "remove",
		"data-confirm", label.buf, NULL);
	qr_buf_adds(out, "</form></details>\n");
	qr_buf_release(&back);
	qr_buf_release(&label);
}

static void pager(qr_buf *out, const struct view *v)
{
	if (v->total <= v->n && !v->offset)
		return;
	sv_params p = { 0 };
	qr_buf href = QR_BUF_INIT;
	char num[24];
	qr_buf_adds(out, "<nav class=\"pager\" aria-label=\"pages\">");
	if (v->offset) {
		sv_params_copy(&p, v->state);
		unsigned long long prev = v->offset > v->n ? v->offset - v->n : 0;
		snprintf(num, sizeof(num), "%llu", prev);
		sv_params_set(&p, "offset", prev ? num : NULL);
		sv_params_href(&href, "/", &p);
		sv_elem(out, "a", "\xE2\x86\x90 previous", "href", href.buf, "rel", "prev", NULL);
	}
	qr_buf_adds(out, "<span>");
	unsigned long long last = v->offset + v->n < v->total ? v->offset + v->n : v->total;
	qr_buf_addf(out, "%llu\xE2\x80\x93%llu of ", v->offset + 1 < last ? v->offset + 1 : last, last);
	qr_add_grouped(out, v->total);
	qr_buf_adds(out, "</span>");
	if (v->offset + v->n < v->total) {
		sv_params_copy(&p, v->state);
		snprintf(num, sizeof(num), "%llu", v->offset + v->n);
		sv_params_set(&p, "offset", num);
		qr_buf_reset(&href);
		sv_params_href(&href, "/", &p);
		sv_elem(out, "a", "next \xE2\x86\x92", "href", href.buf, "rel", "next", NULL);
	}
	qr_buf_adds(out, "</nav>\n");
	sv_params_clear(&p);
	qr_buf_release(&href);
}

/* The results: quire search's code with the card printer. */
static int results(qr_buf *out, struct view *v)
{
	qr_search_opts o = QR_SEARCH_OPTS_INIT;
	char *data = NULL;
	size_t len = 0;
	o.c.q = v->q;
	o.limit = v->n;
	o.offset = v->offset;
	o.sort = v->sort;
	o.color = "never";
	FILE *f = open_memstream(&data, &len);
	if (!f)
		return QR_EXIT_INTERNAL;
	qr_printer *pr = sv_card_printer(f, v->call->cfg, v->state, v->q.tz);
	int rc = qr_search_run(v->c, &o, v->text.buf, pr);
	qr_printer_free(pr);
	fclose(f);
	if (rc == QR_EXIT_OK)
		qr_buf_add(out, data, len);
	else if (rc == QR_EXIT_NO_HITS)
		qr_buf_adds(out, "<p class=\"none\">No post matches.</p>\n");
	free(data);
	return rc == QR_EXIT_NO_HITS ? 0 : rc;
}

static void timeline_section(qr_buf *out, struct view *v)
{
	const char *by = sv_params_get(v->state, "by");
	bool chosen = by && (strcmp(by, "hour") == 0 || strcmp(by, "day") == 0);
	qr_timeline_opts o = QR_TIMELINE_OPTS_INIT;
	qr_timeline *t = NULL;
	o.c.q = v->q;
	o.by = chosen ? by : "hour";
	o.bars = "never";
	if (qr_timeline_run(v->c, &o, v->text.buf, &t) != QR_EXIT_OK)
		goto out;
	if (!chosen && qr_timeline_buckets(t) > HOURS_MAX) {
		qr_timeline_free(t);
		t = NULL;
		o.by = "day";
		if (qr_timeline_run(v->c, &o, v->text.buf, &t) != QR_EXIT_OK)
			goto out;
	}
	size_t nb = qr_timeline_buckets(t);
	if (!nb)
		goto out;
	sv_params p = { 0 };
	qr_buf href = QR_BUF_INIT, alt = QR_BUF_INIT;
	api_params(&p, v->state);
	sv_params_set(&p, "sort", NULL);
	sv_params_set(&p, "by", o.by);
	sv_params_set(&p, "svg", "1");
	sv_params_href(&href, "/api/timeline", &p);
	qr_buf_addf(out, "<section class=\"timeline\"><h2>Posts per %s <small>(", o.by);
	sv_html_text(out, v->q.tz ? v->q.tz : "UTC");
	qr_buf_adds(out, ")</small></h2>\n");
	qr_buf_addf(&alt, "chart of the posts per %s", o.by);
	sv_open(out, "img", "class", "chart", "src", href.buf, "alt", alt.buf, "width", "1100", "height", "600", NULL);
	/* Switch the unit; each bucket narrows the search to itself. */
	sv_params_copy(&p, v->state);
	sv_params_set(&p, "offset", NULL);
	sv_params_set(&p, "by", strcmp(o.by, "hour") == 0 ? "day" : "hour");
	qr_buf_reset(&href);
	sv_params_href(&href, "/", &p);
	qr_buf_adds(out, "<p class=\"chart-links\">");
	sv_elem(out, "a", strcmp(o.by, "hour") == 0 ? "per day" : "per hour", "href", href.buf, NULL);
	api_params(&p, v->state);
	sv_params_set(&p, "sort", NULL);
	sv_params_set(&p, "by", o.by);
	sv_params_set(&p, "format", "csv");
	qr_buf_reset(&href);
	sv_params_href(&href, "/api/timeline", &p);
	qr_buf_adds(out, " \xC2\xB7 ");
	sv_elem(out, "a", "counts as CSV", "href", href.buf, NULL);
	qr_buf_adds(out, "</p>\n<details class=\"counts\"><summary>Counts</summary><table><thead><tr><th>start</th>"
			 "<th>posts</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < nb; i++) {
		char label[40], iso[40], when[40];
		uint64_t posts;
		qr_timeline_bucket(t, i, label, iso, &posts);
		qr_buf_adds(out, "<tr><td>");
		/* The bucket as a date or an hour the query language reads:
		 * the local time of its start, cut to the unit. */
		snprintf(when, sizeof(when), "%.*s", strcmp(o.by, "hour") == 0 ? 13 : 10, iso);
		if (posts) {
			sv_params_copy(&p, v->state);
			sv_params_set(&p, "offset", NULL);
			sv_params_set(&p, "since", when);
			sv_params_set(&p, "until", when);
			qr_buf_reset(&href);
			sv_params_href(&href, "/", &p);
			sv_elem(out, "a", iso, "href", href.buf, NULL);
		} else {
			sv_html_text(out, iso);
		}
		qr_buf_addf(out, "</td><td>%llu</td></tr>\n", (unsigned long long)posts);
	}
	qr_buf_adds(out, "</tbody></table></details></section>\n");
	sv_params_clear(&p);
	qr_buf_release(&href);
	qr_buf_release(&alt);
out:
	qr_timeline_free(t);
}

/* Counting facets reads every matching post's terms (about 15 us a post
 * and field): past the server's limit the page offers it rather than
 * doing it on every load. */
static bool facets_offered(qr_buf *out, const struct view *v)
{
	const char *asked = sv_params_get(v->state, "facets");
	if (v->total <= v->call->cfg->facet_limit || (asked && strcmp(asked, "all") == 0))
		return false;
	sv_params p = { 0 };
	qr_buf href = QR_BUF_INIT;
	sv_params_copy(&p, v->state);
	sv_params_set(&p, "facets", "all");
	sv_params_href(&href, "/", &p);
	qr_buf_adds(out, "<aside class=\"facets\" aria-label=\"facets\"><section class=\"facet offer\"><h2>Facets</h2><p>");
	qr_add_grouped(out, v->total);
	qr_buf_adds(out, " posts are more than this server counts on every page. Narrow the search, or ");
	sv_elem(out, "a", "count their hashtags, authors, media, events and codes", "href", href.buf, "class",
		"count-facets", NULL);
	qr_buf_adds(out, " (it takes a while).</p></section></aside>\n");
	sv_params_clear(&p);
	qr_buf_release(&href);
	return true;
}

static void facet_panels(qr_buf *out, struct view *v)
{
	qr_buf href = QR_BUF_INIT;
	sv_params p = { 0 };
	if (facets_offered(out, v))
		return;
	qr_buf_adds(out, "<aside class=\"facets\" aria-label=\"facets\">\n");
	for (size_t k = 0; k < sizeof(panels) / sizeof(panels[0]); k++) {
		const qr_facet_field *f = qr_facet_field_by_name(panels[k].field);
		qr_counts counts = { 0 };
		if (!f || qr_facets_run(v->c, v->text.buf, &v->q, f, FACET_TOP, &counts) != QR_EXIT_OK || !counts.n) {
			qr_counts_clear(&counts);
			continue;
		}
		bool co = strcmp(f->name, "hashtag") == 0 && sv_params_get(v->state, "hashtag");
		sv_open(out, "section", "class", "facet", "data-facet", f->name, NULL);
		sv_elem(out, "h2", co ? "Co-hashtags" : panels[k].title, NULL);
		qr_buf_adds(out, "<ul>");
		for (size_t i = 0; i < counts.n; i++) {
			const char *val = counts.v[i].value;
			qr_buf label = QR_BUF_INIT;
			qr_buf_addf(&label, "%s%s", f->sigil, val);
			qr_buf_reset(&href);
			bool active = sv_params_has(v->state, f->name, val);
			qr_buf_adds(out, "<li>");
			if (!active && sv_filter_href(&href, v->state, f->name, val)) {
				sv_open(out, "a", "href", href.buf, NULL);
				sv_elem(out, "bdi", label.buf, NULL);
				qr_buf_adds(out, "</a>");
			} else {
				sv_elem(out, "bdi", label.buf, "class", active ? "active" : NULL, NULL);
			}
			qr_buf_addf(out, " <span class=\"n\">%u</span></li>", counts.v[i].count);
			qr_buf_release(&label);
		}
		qr_buf_adds(out, "</ul>");
		api_params(&p, v->state);
		sv_params_set(&p, "sort", NULL);
		sv_params_set(&p, "by", f->name);
		sv_params_set(&p, "top", "0");
		qr_buf_reset(&href);
		sv_params_href(&href, "/api/facets", &p);
		qr_buf_addf(out, "<p class=\"more\">%u distinct \xC2\xB7 ", counts.distinct);
		sv_elem(out, "a", "all as JSON", "href", href.buf, NULL);
		qr_buf_adds(out, "</p></section>\n");
		qr_counts_clear(&counts);
	}
	qr_buf_adds(out, "</aside>\n");
	sv_params_clear(&p);
	qr_buf_release(&href);
}

static bool page_uint(sv_call *call, const char *name, unsigned long long dflt, unsigned long long max,
		      unsigned long long *out)
{
	const char *s = sv_params_get(&call->args, name);
	char *end;
	*out = dflt;
	if (!s || !*s)
		return true;
	unsigned long long n = strtoull(s, &end, 10);
	if (*end || s[0] == '-' || n > max) {
		qr_buf why = QR_BUF_INIT;
		qr_buf_setf(&why, "%s takes a whole number from 0 to %llu", name, max);
		sv_fail(call, 400, why.buf, 0);
		qr_buf_release(&why);
		return false;
	}
	*out = n;
	return true;
}

int sv_page_search(qr_corpus *c, sv_call *call)
{
	struct view v = { call, c, &call->args, QR_BUF_INIT, sv_query_opts(&call->args), 0, 0, NULL, 0 };
	qr_buf out = QR_BUF_INIT, err = QR_BUF_INIT, title = QR_BUF_INIT;
	int rc = 0;
	v.sort = sv_params_get(&call->args, "sort");
	if (!v.sort || !*v.sort)
		v.sort = "relevance";
	if (strcmp(v.sort, "relevance") && strcmp(v.sort, "newest") && strcmp(v.sort, "oldest")) {
		sv_fail(call, 400, "sort takes relevance, newest or oldest", 0);
		goto done;
	}
	if (!page_uint(call, "n", PAGE_DEFAULT, PAGE_MAX, &v.n) || !page_uint(call, "offset", 0, UINT32_MAX, &v.offset))
		goto done;
	if (!v.n)
		v.n = PAGE_DEFAULT;
	size_t where;
	int status = sv_query_check(c, &call->args, &v.text, &err, &where);
	const char *q = sv_params_get(&call->args, "q");
	qr_buf_adds(&title, q && *q ? q : v.text.len ? v.text.buf : "search");
	head(&out, call->cfg, title.buf);
	form(&out, &v);
	active_chips(&out, v.state);
	if (status) {
		query_error(&out, q, err.buf, where);
		foot(&out, call->cfg);
		page_reply(call, &out, status);
		goto done;
	}
	if ((rc = qr_count_run(c, v.text.buf, &v.q, false, false, &v.total)) > QR_EXIT_NO_HITS)
		goto done;
	qr_buf_adds(&out, "<section class=\"summary\"><p><strong>");
	qr_add_grouped(&out, v.total);
	qr_buf_addf(&out, " post%s</strong> match", v.total == 1 ? "" : "s");
	if (v.text.len) {
		qr_buf_adds(&out, " <code class=\"query\">");
		sv_html_text(&out, v.text.buf);
		qr_buf_adds(&out, "</code>");
	}
	qr_buf_adds(&out, " \xC2\xB7 times in <span class=\"zone\">");
	sv_html_text(&out, v.q.tz ? v.q.tz : "UTC");
	qr_buf_adds(&out, "</span></p>\n<details class=\"cli\"><summary>On the command line</summary><code>");
	qr_buf cmd = QR_BUF_INIT;
	command(&cmd, &v);
	sv_html_text(&out, cmd.buf);
	qr_buf_release(&cmd);
	qr_buf_adds(&out, "</code></details>\n");
	download_links(&out, &v);
	if (call->cfg->tagging && v.total)
		tag_all_form(&out, &v);
	qr_buf_adds(&out, "</section>\n");
	timeline_section(&out, &v);
	qr_buf_adds(&out, "<div class=\"layout\"><section class=\"results\" aria-label=\"results\">\n");
	if ((rc = results(&out, &v)))
		goto done;
	pager(&out, &v);
	qr_buf_adds(&out, "</section>\n");
	facet_panels(&out, &v);
	qr_buf_adds(&out, "</div>\n");
	foot(&out, call->cfg);
	page_reply(call, &out, 200);
done:
	qr_buf_release(&v.text);
	qr_buf_release(&out);
	qr_buf_release(&err);
	qr_buf_release(&title);
	return rc;
}

/* ---- a post's page ---- */

/* quire show's output for the post, into out; its exit code. */
static int shown(qr_corpus *c, const char *id, int mode, qr_buf *out)
{
	char *data = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);
	if (!f)
		return QR_EXIT_INTERNAL;
	int rc = qr_show_one(c, id, mode, false, f);
	fclose(f);
	qr_buf_add(out, data, len);
	free(data);
	return rc;
}

int sv_page_post(qr_corpus *c, sv_call *call)
{
	const char *id = call->rest;
	qr_buf out = QR_BUF_INIT, json = QR_BUF_INIT, raw = QR_BUF_INIT, check = QR_BUF_INIT, href = QR_BUF_INIT;
	qr_post p;
	xc_docid docid;
	qr_post_init(&p);
	int rc = qr_cmd_find_post(c, id, &docid);
	if (rc == QR_NOT_FOUND) {
		sv_fail(call, 404, "no such post in the corpus", 0);
		rc = QR_EXIT_NO_HITS;
		goto out;
	}
	if (rc || (rc = qr_corpus_load_post(c, docid, &p))) {
		qr_error("cannot read the post: %s", qr_corpus_error(c));
		rc = qr_status_exit_code(rc);
		goto out;
	}
	qr_query_opts q = sv_query_opts(&call->args);
	if (q.tz && !qr_tz_valid(q.tz))
		q.tz = NULL;
	rc = shown(c, p.id, QR_SHOW_VERIFY, &check);
	int raw_rc = rc ? rc : shown(c, p.id, QR_SHOW_RAW, &raw);
	shown(c, p.id, QR_SHOW_POST, &json);
	head(&out, call->cfg, p.id);
	sv_params state = { 0 };
	sv_card(&out, call->cfg, &state, &p, q.tz, NULL, true);
	bool ok = rc == 0 && raw_rc == 0;
	qr_buf_adds(&out, "<section class=\"record\">\n<h2>Original record</h2>\n");
	sv_open(&out, "p", "class", ok ? "verified" : "damaged", NULL);
	qr_buf_adds(&out, ok ? "sha256 checked: the record in the store matches the sha256 the index holds. "
			     : "DAMAGED: the record in the store does not match its sha256. ");
	qr_buf_adds(&out, "<code>");
	sv_html_text(&out, check.buf);
	qr_buf_adds(&out, "</code></p>\n");
	qr_buf_adds(&href, "/api/raw/");
	sv_url_part(&href, p.id);
	qr_buf_adds(&out, "<p>As collected (<code>quire show --raw</code>): ");
	sv_elem(&out, "a", "download", "href", href.buf, "download", "", NULL);
	qr_buf_adds(&out, "</p>\n<pre class=\"raw\">");
	sv_html_text(&out, raw.buf);
	qr_buf_adds(&out, "</pre>\n<h2>Normalized post</h2>\n<p>");
	qr_buf_reset(&href);
	qr_buf_adds(&href, "/api/show/");
	sv_url_part(&href, p.id);
	sv_elem(&out, "a", "as JSON", "href", href.buf, "type", "application/json", NULL);
	qr_buf_adds(&out, " (<code>quire show</code>)</p>\n<pre class=\"json\">");
	sv_html_text(&out, json.buf);
	qr_buf_adds(&out, "</pre>\n</section>\n");
	foot(&out, call->cfg);
	page_reply(call, &out, ok ? 200 : 503);
	rc = ok ? 0 : rc ? rc : raw_rc;
out:
	qr_post_clear(&p);
	qr_buf_release(&out);
	qr_buf_release(&json);
	qr_buf_release(&raw);
	qr_buf_release(&check);
	qr_buf_release(&href);
	return rc;
}
