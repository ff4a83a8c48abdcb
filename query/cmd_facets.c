/* quire facets: the top values of one field among a query's posts, and
 * what spread most among them (query/spread.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "cite.h"
#include "cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "corpus.h"
#include "json.h"
#include "query.h"
#include "run.h"
#include "schema.h"
#include "spread.h"
#include "status.h"
#include "table.h"
#include "text.h"
#include "timeutil.h"

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "by", 'b', "FIELD", "hashtag (default), author, mention, media, lang, event, tag, domain, platform, kind, "
			      "or what spread: reposted, quoted, file, url" },
	{ "top", 'n', "N", "show the N most frequent values (default 20; 0 for all)" },
	{ "format", 'f', "NAME", "text (default), json, csv, csv-raw or xlsx (see quire help search)" },
	QR_CMD_OUT_OPTION,
	{ "since", 0, "WHEN", "only posts from this date or time on (same as date:WHEN..)" },
	{ "until", 0, "WHEN", "only posts up to this date or time, all of it (date:..WHEN)" },
	{ "tz", 0, "ZONE", "read dates and times in this IANA zone (default UTC)" },
	QR_CMD_PARTIAL_OPTION,
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
	"media counts video, gif, photo, sticker, audio, file and none.\n\n"
	"What spread, among the matching posts:\n"
	"  reposted  the posts most reposted (retweets, boosts, shares, crossposts: every post\n"
	"            whose repost_of names one), with their author, time and text when the\n"
	"            corpus holds them, and the first repost; 'repost_of:ID' lists the reposts\n"
	"  quoted    the posts most quoted, the same way ('quote_of:ID')\n"
	"  file      media files posted again and again: the same file by its sha256 when the\n"
	"            archive held it, else by its URL; posts, distinct authors, the first post\n"
	"            (reposts carry their original's files: add -is:repost for uploads alone)\n"
	"  url       whole links (domain counts their sites), with posts and distinct authors\n"
	"The counts come from the index: posts, their distinct authors and the earliest post\n"
	"of each value are exact; only the rows shown are read.\n\n"
	"Exit status: 0 posts matched, 1 none, 2 usage or query error.",
	"  quire facets --by hashtag '#WhiteLivesMatter'\n"
	"  quire facets --by media --format csv '#WhiteLivesMatter date:2020-06-03'\n"
	"  quire facets --by author --top 10 'event:iwatch-dallas'\n"
	"  quire facets --by reposted --top 10 '#WhiteLivesMatter'\n"
	"  quire facets --by file '#WhiteLivesMatter -is:repost'\n"
	"  quire facets --by url -f xlsx --out links.xlsx 'event:kpop-hashtag-flood'",
	options,
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	qr_facets_opts *o = ctx;
	if (qr_cmd_option(&o->c, name, arg))
		return 0;
	if (strcmp(name, "out") == 0)
		o->out = arg;
	else if (strcmp(name, "by") == 0)
		o->by = arg;
	else if (strcmp(name, "top") == 0)
		return qr_cli_uint("facets", name, arg, UINT32_MAX, &o->top) ? 0 : QR_EXIT_USAGE;
	return 0;
}

struct run {
	const qr_query_opts *q;
	uint32_t top;
	const qr_facet_field *f;   /* a field, or NULL for what spread */
	qr_spread_by by;
	const char *text;
	qr_counts *counts;
	qr_spread *spread;
};

/* One count over the corpus's revision (QR_END: it changed meanwhile). */
static int count_once(qr_corpus *c, void *ctx, qr_buf *err)
{
	const struct run *r = ctx;
	xc_query *q = NULL;
	if (r->f)
		qr_counts_clear(r->counts);
	else
		qr_spread_clear(r->spread);
	int st = qr_query_build(qr_corpus_db(c), r->text, r->q, &q, err);
	if (!st && r->f)
		st = qr_count_terms(qr_corpus_db(c), q, r->f->prefix, r->top, qr_facet_skip(r->f), r->counts, err);
	else if (!st)
		st = qr_spread_count(c, q, r->by, r->top, r->spread, err);
	xc_query_destroy(q);
	return st;
}

static double share(uint32_t n, uint32_t total)
{
	return total ? (double)n / (double)total : 0.0;
}

static void print_text(const qr_facet_field *f, const char *query, const qr_counts *c, uint64_t top, qr_buf *out)
{
	qr_buf what = QR_BUF_INIT;
	qr_buf_setf(&what, "%s of ", f->plural);
	qr_agg_heading(out, what.buf, c->total, query, c->distinct, c->n, top);
	qr_buf_release(&what);
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
	qr_cmd_partial_json(&w);
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

static void table_about(qr_table *t, const qr_facets_opts *o, const char *by, const char *query, qr_corpus *c)
{
	char num[32];
	qr_table_about_corpus(t, query, qr_corpus_id(c), qr_corpus_dir(c));
	qr_table_about(t, "by", by);
	snprintf(num, sizeof(num), "%llu", o->top);
	qr_table_about(t, "top", o->top ? num : "all");
}

static int print_table(qr_table *t, const qr_facet_field *f, const qr_counts *c, qr_buf *err)
{
	const qr_col cols[] = { { f->name, QR_COL_TEXT }, { "posts", QR_COL_INT }, { "share", QR_COL_SHARE } };
	int st = qr_table_begin(t, f->plural, cols, 3, err);
	for (size_t i = 0; !st && i < c->n; i++) {
		qr_table_str(t, c->v[i].value);
		qr_table_int(t, c->v[i].count);
		qr_table_share(t, share(c->v[i].count, c->total));
		qr_table_row_end(t);
	}
	return st;
}

int qr_facets_run(qr_corpus *c, const char *text, const qr_query_opts *q, const qr_facet_field *f, uint32_t top,
		  qr_counts *out)
{
	struct run r = { q, top, f, QR_SPREAD_REPOSTED, text, out, NULL };
	int st = qr_cmd_retry(c, count_once, &r);
	if (st)
		return st;
	return out->total ? QR_EXIT_OK : QR_EXIT_NO_HITS;
}

int qr_facets_check(const qr_facets_opts *o)
{
	qr_spread_by by;
	qr_table_form form;
	if (!qr_facet_field_by_name(o->by) && !qr_spread_by_named(o->by, &by))
		return qr_usage_error("facets", "--by takes hashtag, author, mention, media, lang, event, tag, domain, "
						"platform, kind, reposted, quoted, file or url, not '%s'", o->by);
	if (!qr_table_form_named(o->c.format, &form) && strcmp(o->c.format, "text") && strcmp(o->c.format, "json"))
		return qr_usage_error("facets", "--format takes text, json, csv, csv-raw or xlsx, not '%s'", o->c.format);
	if (o->top > UINT32_MAX)
		return qr_usage_error("facets", "--top takes at most %u", UINT32_MAX);
	return qr_cmd_check_tz("facets", o->c.q.tz);
}

int qr_facets_write(qr_corpus *c, const qr_facets_opts *o, const char *text, FILE *f)
{
	qr_buf out = QR_BUF_INIT, err = QR_BUF_INIT;
	qr_counts counts = { 0 };
	qr_spread spread = { 0 };
	qr_table *table = NULL;
	qr_table_form form;
	bool tabular = qr_table_form_named(o->c.format, &form);
	struct run r = { &o->c.q, (uint32_t)o->top, qr_facet_field_by_name(o->by), QR_SPREAD_REPOSTED, text, &counts,
			 &spread };
	int st;
	if (!r.f)
		qr_spread_by_named(o->by, &r.by);
	if ((st = qr_cmd_retry(c, count_once, &r)))
		goto out;
	if (tabular) {
		table = qr_table_new(form, f, o->c.q.tz);
		table_about(table, o, o->by, text, c);
		st = r.f ? print_table(table, r.f, &counts, &err) : qr_spread_print_table(&spread, table, &err);
		if (!st)
			st = qr_table_finish(table, &err);
		if (st) {
			qr_error("%s", err.buf);
			goto out;
		}
	} else if (strcmp(o->c.format, "json") == 0) {
		if (r.f)
			print_json(r.f, text, &counts, o->top, &out);
		else
			qr_spread_print_json(&spread, text, o->top, &out);
	} else if (r.f) {
		print_text(r.f, text, &counts, o->top, &out);
	} else {
		qr_spread_print_text(&spread, text, o->top, o->c.q.tz, &out);
	}
	fwrite(out.buf, 1, out.len, f);
	st = (r.f ? counts.total : spread.total) ? QR_EXIT_OK : QR_EXIT_NO_HITS;
out:
	qr_table_free(table);
	qr_counts_clear(&counts);
	qr_spread_clear(&spread);
	qr_buf_release(&out);
	qr_buf_release(&err);
	return st;
}

int cmd_facets(int argc, char **argv)
{
	qr_facets_opts o = QR_FACETS_OPTS_INIT;
	qr_buf text = QR_BUF_INIT;
	qr_corpus *c = NULL;
	qr_cmd_out dest = { NULL, NULL, NULL };
	qr_table_form form;
	int first, st;

	st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	if ((st = qr_facets_check(&o)))
		return st;
	qr_cmd_join(&text, argc - first, argv + first);
	if ((st = qr_cmd_open_corpus(o.c.corpus, &c)))
		goto out;
	bool xlsx = qr_table_form_named(o.c.format, &form) && form == QR_TABLE_XLSX;
	if ((st = qr_cmd_out_open(&dest, "facets", o.out, xlsx)))
		goto out;
	st = qr_facets_write(c, &o, text.buf, dest.fp);
	if (st <= QR_EXIT_NO_HITS) {
		int cl = qr_cmd_out_close(&dest, true);
		st = cl ? cl : st;
	}
out:
	qr_cmd_out_close(&dest, false);
	qr_corpus_close(c);
	qr_buf_release(&text);
	return st;
}
