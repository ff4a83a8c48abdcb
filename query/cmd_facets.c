/* quire facets: the top values of one field among a query's posts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "corpus.h"
#include "json.h"
#include "query.h"
#include "schema.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "by", 'b', "FIELD", "hashtag (default), author, mention, media, lang, event, tag, domain, platform or kind" },
	{ "top", 'n', "N", "show the N most frequent values (default 20; 0 for all)" },
	{ "format", 'f', "NAME", "text (default), json or csv" },
	{ "since", 0, "WHEN", "only posts from this date or time on (same as date:WHEN..)" },
	{ "until", 0, "WHEN", "only posts up to this date or time, all of it (date:..WHEN)" },
	{ "tz", 0, "ZONE", "read dates and times in this IANA zone (default UTC)" },
	{ "include-deleted", 0, NULL, "posts their authors deleted match too (is:deleted finds only them)" },
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"facets",
	"[OPTIONS] [QUERY...]",
	"Count the values of one field over the posts a query matches (all posts without one).",
	"Each value comes with the number of matching posts that carry it and their share of\n"
	"the matches; a post with several values counts once for each, so shares may add up\n"
	"past 100%.  The counts are exact and come from the index (Xapian match spies), not\n"
	"from reading the posts.  Values are shown in lower case, as they are indexed.\n"
	"Co-hashtags: the hashtags of the posts that carry one ('#tag' itself shows at 100%).\n"
	"A link to www.example.com counts under www.example.com and under example.com.\n"
	"media counts photo, video, gif, audio, file and none.\n\n"
	"Exit status: 0 posts matched, 1 none, 2 usage or query error.",
	"  quire facets --by hashtag '#WhiteLivesMatter'\n"
	"  quire facets --by media --format csv '#WhiteLivesMatter date:2020-06-03'\n"
	"  quire facets --by author --top 10 'event:iwatch-dallas'",
	options,
};

struct opts {
	qr_cmd_opts c;
	const char *by;
	unsigned long long top;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *o = ctx;
	if (qr_cmd_option(&o->c, name, arg))
		return 0;
	if (strcmp(name, "by") == 0)
		o->by = arg;
	else if (strcmp(name, "top") == 0)
		return qr_cli_uint("facets", name, arg, UINT32_MAX, &o->top) ? 0 : QR_EXIT_USAGE;
	return 0;
}

struct run {
	const struct opts *o;
	const qr_facet_field *f;
	const char *text;
	qr_counts *counts;
};

/* One count over the corpus's revision (QR_END: it changed meanwhile). */
static int count_once(qr_corpus *c, void *ctx, qr_buf *err)
{
	const struct run *r = ctx;
	xc_query *q = NULL;
	int st = qr_query_build(qr_corpus_db(c), r->text, &r->o->c.q, &q, err);
	if (!st)
		st = qr_count_terms(qr_corpus_db(c), q, r->f->prefix, (uint32_t)r->o->top, qr_facet_skip(r->f), r->counts,
				    err);
	xc_query_destroy(q);
	return st;
}

static double share(uint32_t n, uint32_t total)
{
	return total ? (double)n / (double)total : 0.0;
}

static void print_text(const qr_facet_field *f, const char *query, const qr_counts *c, uint64_t top, qr_buf *out)
{
	qr_buf_addf(out, "%s of ", f->plural);
	qr_add_grouped(out, c->total);
	qr_buf_addf(out, " post%s", c->total == 1 ? "" : "s");
	if (*query) {
		qr_buf_adds(out, " matching '");
		qr_escape_terminal(out, query, strlen(query), 0);
		qr_buf_addch(out, '\'');
	}
	qr_buf_addf(out, ": %u distinct", c->distinct);
	if (top && c->distinct > c->n)
		qr_buf_addf(out, ", top %zu", c->n);
	qr_buf_addf(out, "\n%9s %7s  %s\n", "posts", "share", f->name);
	for (size_t i = 0; i < c->n; i++) {
		qr_buf num = QR_BUF_INIT;
		qr_add_grouped(&num, c->v[i].count);
		qr_buf_addf(out, "%9s %6.1f%%  %s", num.buf, 100.0 * share(c->v[i].count, c->total), f->sigil);
		qr_escape_terminal(out, c->v[i].value, strlen(c->v[i].value), 0);
		qr_buf_addch(out, '\n');
		qr_buf_release(&num);
	}
}

static void print_json(const qr_facet_field *f, const char *query, const qr_counts *c, uint64_t top, qr_buf *out)
{
	qr_jw w;
	qr_jw_init(&w, out, true);
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "format_version", 1);
	qr_jw_kstr(&w, "query", query);
	qr_jw_kstr(&w, "by", f->name);
	qr_jw_kint(&w, "posts", c->total);
	qr_jw_kint(&w, "distinct", c->distinct);
	qr_jw_kint(&w, "top", (int64_t)top);
	qr_jw_key(&w, "values");
	qr_jw_begin_array(&w);
	for (size_t i = 0; i < c->n; i++) {
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "value", c->v[i].value);
		qr_jw_kint(&w, "posts", c->v[i].count);
		qr_jw_key(&w, "share");
		qr_jw_double(&w, share(c->v[i].count, c->total));
		qr_jw_end_object(&w);
	}
	qr_jw_end_array(&w);
	qr_jw_end_object(&w);
	qr_buf_addch(out, '\n');
}

static void print_csv(const qr_facet_field *f, const qr_counts *c, qr_buf *out)
{
	qr_buf_addf(out, "%s,posts,share\r\n", f->name);
	for (size_t i = 0; i < c->n; i++) {
		qr_agg_csv_field(out, c->v[i].value);
		qr_buf_addf(out, ",%u,%.6f\r\n", c->v[i].count, share(c->v[i].count, c->total));
	}
}

int cmd_facets(int argc, char **argv)
{
	struct opts o = { { NULL, "text", { NULL, NULL, NULL, false } }, "hashtag", 20 };
	qr_buf text = QR_BUF_INIT, out = QR_BUF_INIT;
	qr_counts counts = { 0 };
	qr_corpus *c = NULL;
	int first, st;

	st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	const qr_facet_field *f = qr_facet_field_by_name(o.by);
	if (!f)
		return qr_usage_error("facets", "--by takes hashtag, author, mention, media, lang, event, tag, domain, "
						"platform or kind, not '%s'", o.by);
	if (strcmp(o.c.format, "text") && strcmp(o.c.format, "json") && strcmp(o.c.format, "csv"))
		return qr_usage_error("facets", "--format takes text, json or csv, not '%s'", o.c.format);
	if ((st = qr_cmd_check_tz("facets", o.c.q.tz)))
		return st;
	qr_cmd_join(&text, argc - first, argv + first);
	if ((st = qr_cmd_open_corpus(o.c.corpus, &c)))
		goto out;
	struct run r = { &o, f, text.buf, &counts };
	if ((st = qr_cmd_retry(c, count_once, &r)))
		goto out;
	if (strcmp(o.c.format, "json") == 0)
		print_json(f, text.buf, &counts, o.top, &out);
	else if (strcmp(o.c.format, "csv") == 0)
		print_csv(f, &counts, &out);
	else
		print_text(f, text.buf, &counts, o.top, &out);
	fputs(out.buf, stdout);
	st = counts.total ? QR_EXIT_OK : QR_EXIT_NO_HITS;
out:
	qr_counts_clear(&counts);
	qr_corpus_close(c);
	qr_buf_release(&text);
	qr_buf_release(&out);
	return st;
}
