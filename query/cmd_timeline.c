/* quire timeline: posts per minute, hour, day or week, as text, CSV, JSON
 * or an SVG chart. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregate.h"
#include "cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "corpus.h"
#include "events.h"
#include "io.h"
#include "json.h"
#include "query.h"
#include "run.h"
#include "schema.h"
#include "status.h"
#include "table.h"
#include "text.h"
#include "timeline.h"
#include "timeutil.h"

#define BAR_WIDTH 50

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "by", 'b', "UNIT", "minute, hour (default), day or week (weeks start on Monday)" },
	{ "tz", 0, "ZONE", "buckets, and dates in the query, in this IANA zone (default UTC)" },
	{ "include-deleted", 0, NULL, "posts their authors deleted match too (is:deleted finds only them)" },
	{ "split-by", 's', "FIELD", "one series per value of hashtag, media, event, tag, lang, kind, author, ..." },
	{ "top", 'n', "N", "with --split-by: the N most frequent values (default 5), the rest as 'other'" },
	{ "stack", 0, NULL, "with --split-by: count each post once, under the first of the values it carries" },
	{ "share", 0, "QUERY", "also count the posts that match QUERY too, and their share of each bucket" },
	{ "format", 'f', "NAME", "text (default), csv, csv-raw, xlsx or json (see quire help search)" },
	QR_CMD_OUT_OPTION,
	{ "svg", 0, "FILE", "also write the chart as SVG to FILE ('-': stdout, instead of the text)" },
	{ "bars", 0, "WHEN", "text bars: auto (default: on a terminal), always or never" },
	{ "since", 0, "WHEN", "only posts from this date or time on; the timeline starts there" },
	{ "until", 0, "WHEN", "only posts up to this date or time (all of it); the timeline ends there" },
	QR_CMD_PARTIAL_OPTION,
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"timeline",
	"[OPTIONS] [QUERY...]",
	"Count the posts a query matches per minute, hour, day or week.",
	"Every bucket from the first post to the last is listed, empty ones included (and from\n"
	"--since to --until when given).  Buckets are read in --tz: days and weeks start at\n"
	"local midnight, hours at the local hour.  The counts are exact and come from the\n"
	"index (a match spy on each post's minute), not from reading the posts.\n\n"
	"--split-by FIELD adds one series per frequent value of the field and an 'other'\n"
	"series for the posts with none of them; a post with two values counts in both,\n"
	"unless --stack, which counts it once, under the first value (most frequent first).\n"
	"--share QUERY adds the posts that also match QUERY, and their share of each bucket.\n"
	"--svg FILE draws the chart: axes with dates and counts, one line (or stacked band)\n"
	"per series, a legend, and the query as the title.\n\n"
	"Exit status: 0 posts matched, 1 none, 2 usage or query error.",
	"  quire timeline --by hour '#WhiteLivesMatter date:2020-06-03'\n"
	"  quire timeline --by hour --split-by media --svg wlm.svg '#WhiteLivesMatter date:2020-06-03'\n"
	"  quire timeline --by hour --share 'media:video OR media:gif' '#WhiteLivesMatter date:2020-06-03'\n"
	"  quire timeline --by day --tz America/Chicago --format csv 'event:iwatch-dallas'",
	options,
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	qr_timeline_opts *o = ctx;
	if (qr_cmd_option(&o->c, name, arg))
		return 0;
	if (strcmp(name, "out") == 0)
		o->out = arg;
	else if (strcmp(name, "by") == 0)
		o->by = arg;
	else if (strcmp(name, "split-by") == 0)
		o->split = arg;
	else if (strcmp(name, "top") == 0)
		return qr_cli_uint("timeline", name, arg, 50, &o->top) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "stack") == 0)
		o->stack = true;
	else if (strcmp(name, "share") == 0)
		o->share = arg;
	else if (strcmp(name, "svg") == 0)
		o->svg = arg;
	else if (strcmp(name, "bars") == 0)
		o->bars = arg;
	return 0;
}

struct result {
	qr_buckets b;
	qr_series *s;           /* s[0]: every post; then split values, other */
	size_t ns;
	qr_series matching;     /* with --share */
	double *share;
	uint32_t total;
};

static void result_clear(struct result *r)
{
	qr_buckets_clear(&r->b);
	for (size_t k = 0; k < r->ns; k++) {
		free(r->s[k].name);
		free(r->s[k].count);
	}
	free(r->s);
	free(r->matching.name);
	free(r->matching.count);
	free(r->share);
	memset(r, 0, sizeof(*r));
}

static qr_series *add_series(struct result *r, const char *name)
{
	r->s = qr_realloc(r->s, (r->ns + 1) * sizeof(*r->s));
	qr_series *s = &r->s[r->ns++];
	memset(s, 0, sizeof(*s));
	s->name = qr_strdup(name);
	s->count = qr_calloc(r->b.n ? r->b.n : 1, sizeof(*s->count));
	return s;
}

/* Posts per minute into the buckets of s, and their sum into its total. */
static void add_minutes(const qr_buckets *b, const qr_counts *minutes, qr_series *s)
{
	qr_buckets_add(b, minutes, s->count);
	for (size_t i = 0; i < b->n; i++)
		s->total += s->count[i];
}

/* Per-bucket counts of q's posts into s. */
static int fill(xc_db *db, const xc_query *q, const qr_buckets *b, qr_series *s, qr_buf *err)
{
	qr_counts minutes = { 0 };
	int st = qr_count_values(db, q, QR_SLOT_MINUTE, &minutes, err);
	if (!st)
		add_minutes(b, &minutes, s);
	qr_counts_clear(&minutes);
	return st;
}

static int split(xc_db *db, const xc_query *q, const qr_facet_field *f, const qr_timeline_opts *o, struct result *r,
		 qr_buf *err)
{
	qr_counts top = { 0 };
	qr_strv terms = { 0 };
	qr_buf name = QR_BUF_INIT;
	int st = qr_count_terms(db, q, f->prefix, (uint32_t)o->top, qr_facet_skip(f), &top, err);
	for (size_t i = 0; i < top.n && !st; i++) {
		qr_buf t = QR_BUF_INIT;
		qr_buf_setf(&t, "%s%s", f->prefix, top.v[i].value);
		qr_buf_setf(&name, "%s%s", f->sigil, top.v[i].value);
		/* Stacked: this value, and none of the ones before it. */
		xc_query *sub = NULL, *only = NULL;
		const char *one[1] = { t.buf };
		if (o->stack && terms.n) {
			sub = qr_query_with_terms(q, XC_OP_AND_NOT, (const char *const *)terms.v, terms.n);
			only = sub ? qr_query_with_terms(sub, XC_OP_AND, one, 1) : NULL;
		} else {
			only = qr_query_with_terms(q, XC_OP_AND, one, 1);
		}
		if (!only) {
			qr_buf_setf(err, "cannot build the query for %s", name.buf);
			st = QR_INTERNAL;
		} else {
			st = fill(db, only, &r->b, add_series(r, name.buf), err);
		}
		xc_query_destroy(sub);
		xc_query_destroy(only);
		qr_strv_push(&terms, t.buf);
		qr_buf_release(&t);
	}
	if (!st && terms.n) {
		xc_query *rest = qr_query_with_terms(q, XC_OP_AND_NOT, (const char *const *)terms.v, terms.n);
		qr_series *s = add_series(r, "other");
		s->other = true;
		st = rest ? fill(db, rest, &r->b, s, err) : QR_INTERNAL;
		xc_query_destroy(rest);
		/* No post without a top value: no 'other' line. */
		if (!st && s->total == 0) {
			free(s->name);
			free(s->count);
			r->ns--;
		}
	}
	qr_counts_clear(&top);
	qr_strv_clear(&terms);
	qr_buf_release(&name);
	return st;
}

static int compute(xc_db *db, const xc_query *q, const xc_query *q2, int unit, const qr_facet_field *f,
		   const qr_timeline_opts *o, struct result *r, qr_buf *err)
{
	qr_counts minutes = { 0 };
	const char *zone = o->c.q.tz ? o->c.q.tz : "UTC";
	r->b.unit = unit;
	r->b.tz = zone;
	int st = qr_count_values(db, q, QR_SLOT_MINUTE, &minutes, err);
	if (st)
		goto out;
	r->total = minutes.total;
	int64_t lo = INT64_MAX, hi = INT64_MIN, t;
	for (size_t i = 0; i < minutes.n; i++)
		if (qr_minute_parse(minutes.v[i].value, strlen(minutes.v[i].value), &t)) {
			lo = t < lo ? t : lo;
			hi = t > hi ? t : hi;
		}
	/* The span also covers --since and --until, so that a day's
	 * timeline shows all of the day. */
	if (o->c.q.since && qr_event_time(o->c.q.since, zone, false, &t))
		lo = t < lo ? t : lo;
	if (o->c.q.until && qr_event_time(o->c.q.until, zone, true, &t))
		hi = t - 1 > hi ? t - 1 : hi;
	if (lo > hi)
		goto out;   /* no post has a time */
	if (!qr_buckets_span(&r->b, unit, zone, lo, hi, err)) {
		st = QR_USAGE;
		goto out;
	}
	qr_series *all = add_series(r, "all posts");
	add_minutes(&r->b, &minutes, all);
	if (f && (st = split(db, q, f, o, r, err)))
		goto out;
	if (q2) {
		xc_query *both = qr_query_and(q, q2);
		r->matching.name = qr_strdup(o->share);
		r->matching.count = qr_calloc(r->b.n, sizeof(*r->matching.count));
		st = both ? fill(db, both, &r->b, &r->matching, err) : QR_INTERNAL;
		xc_query_destroy(both);
		if (st)
			goto out;
		r->share = qr_calloc(r->b.n, sizeof(*r->share));
		for (size_t i = 0; i < r->b.n; i++)
			r->share[i] = all->count[i] ? (double)r->matching.count[i] / (double)all->count[i] : NAN;
	}
out:
	qr_counts_clear(&minutes);
	return st;
}

static const char *const unit_names[] = { "minute", "hour", "day", "week" };

/* ---- printing ---- */

static void bar(qr_buf *out, uint64_t v, uint64_t max)
{
	static const char *const eighths[] = { "", "\xE2\x96\x8F", "\xE2\x96\x8E", "\xE2\x96\x8D", "\xE2\x96\x8C",
					       "\xE2\x96\x8B", "\xE2\x96\x8A", "\xE2\x96\x89" };
	if (!max)
		return;
	uint64_t units = (v * BAR_WIDTH * 8 + max / 2) / max;
	if (v && !units)
		units = 1;
	for (uint64_t i = 0; i < units / 8; i++)
		qr_buf_adds(out, "\xE2\x96\x88");
	qr_buf_adds(out, eighths[units % 8]);
}

static void print_text(const struct result *r, const char *query, const qr_timeline_opts *o, bool bars, qr_buf *out)
{
	const qr_buckets *b = &r->b;
	qr_buf_addf(out, "posts per %s (%s)", unit_names[b->unit], b->tz);
	if (*query) {
		qr_buf_adds(out, " matching '");
		qr_escape_terminal(out, query, strlen(query), 0);
		qr_buf_addch(out, '\'');
	}
	qr_buf_adds(out, ": ");
	qr_add_grouped(out, r->total);
	qr_buf_addf(out, " post%s in %zu %s%s", r->total == 1 ? "" : "s", b->n, unit_names[b->unit],
		    b->n == 1 ? "" : "s");
	uint64_t timed = r->ns ? r->s[0].total : 0;
	if (timed < r->total)
		qr_buf_addf(out, " (%llu without a time, in no %s)", (unsigned long long)(r->total - timed),
			    unit_names[b->unit]);
	qr_buf_addch(out, '\n');
	if (!b->n)
		return;
	char label[40];
	uint64_t max = 0;
	for (size_t i = 0; i < b->n; i++)
		max = r->s[0].count[i] > max ? r->s[0].count[i] : max;
	/* Header of the columns, names cut to 14 columns. */
	qr_buf_addf(out, "%-16s %8s", b->unit == QR_BY_MINUTE || b->unit == QR_BY_HOUR ? "start" : "day", "posts");
	for (size_t k = 1; k < r->ns; k++) {
		qr_buf cut = QR_BUF_INIT;
		qr_escape_terminal(&cut, r->s[k].name, strlen(r->s[k].name), 0);
		size_t w = qr_utf8_length(cut.buf, cut.len);
		qr_buf_adds(out, "  ");
		for (size_t pad = w < 14 ? 14 - w : 0; pad > 0; pad--)
			qr_buf_addch(out, ' ');
		if (w > 14) {
			size_t keep = 0, cps = 0;
			while (keep < cut.len && cps < 13) {
				uint32_t cp;
				keep += qr_utf8_decode(cut.buf + keep, cut.len - keep, &cp);
				cps++;
			}
			qr_buf_add(out, cut.buf, keep);
			qr_buf_adds(out, "\xE2\x80\xA6");
		} else {
			qr_buf_add(out, cut.buf, cut.len);
		}
		qr_buf_release(&cut);
	}
	if (r->share)
		qr_buf_addf(out, "  %8s  %6s", "matching", "share");
	qr_buf_addch(out, '\n');
	for (size_t i = 0; i < b->n; i++) {
		qr_bucket_label(b, i, label);
		qr_buf_addf(out, "%-16s %8llu", label, (unsigned long long)r->s[0].count[i]);
		for (size_t k = 1; k < r->ns; k++)
			qr_buf_addf(out, "  %14llu", (unsigned long long)r->s[k].count[i]);
		if (r->share) {
			qr_buf_addf(out, "  %8llu", (unsigned long long)r->matching.count[i]);
			if (isnan(r->share[i]))
				qr_buf_addf(out, "  %6s", "-");
			else
				qr_buf_addf(out, "  %5.1f%%", 100.0 * r->share[i]);
		}
		if (bars) {
			qr_buf_adds(out, "  ");
			bar(out, r->s[0].count[i], max);
		}
		qr_buf_addch(out, '\n');
	}
	(void)o;
}

static int print_table(const struct result *r, const char *query, const qr_timeline_opts *o, qr_corpus *c, qr_table *t,
		       qr_buf *err)
{
	const qr_buckets *b = &r->b;
	char iso[40];
	size_t n = 0;
	qr_col *cols = qr_calloc(r->ns + 3, sizeof(*cols));
	cols[n++] = (qr_col){ "start", QR_COL_TIME };
	cols[n++] = (qr_col){ "posts", QR_COL_INT };
	for (size_t k = 1; k < r->ns; k++)
		cols[n++] = (qr_col){ r->s[k].name, QR_COL_INT };
	if (r->share) {
		cols[n++] = (qr_col){ "matching", QR_COL_INT };
		cols[n++] = (qr_col){ "share", QR_COL_SHARE };
	}
	qr_table_about_corpus(t, query, qr_corpus_id(c), qr_corpus_dir(c));
	qr_table_about(t, "by", unit_names[b->unit]);
	qr_table_about(t, "split by", o->split);
	qr_table_about(t, "share of", o->share);
	int st = qr_table_begin(t, "timeline", cols, n, err);
	for (size_t i = 0; !st && i < b->n; i++) {
		qr_bucket_iso(b, i, iso);
		qr_table_time_text(t, b->start[i], iso);
		for (size_t k = 0; k < r->ns; k++)
			qr_table_int(t, (int64_t)r->s[k].count[i]);
		if (r->share) {
			qr_table_int(t, (int64_t)r->matching.count[i]);
			qr_table_share(t, r->share[i]);
		}
		qr_table_row_end(t);
	}
	free(cols);
	return st;
}

static void print_json(const struct result *r, const char *query, const qr_timeline_opts *o, qr_buf *out)
{
	const qr_buckets *b = &r->b;
	char iso[40];
	qr_jw w;
	qr_jw_init(&w, out, true);
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "format_version", 1);
	qr_jw_kstr(&w, "query", query);
	qr_jw_kstr(&w, "by", unit_names[b->unit]);
	qr_jw_kstr(&w, "tz", b->tz ? b->tz : (o->c.q.tz ? o->c.q.tz : "UTC"));
	qr_jw_kint(&w, "posts", r->total);
	qr_cmd_partial_json(&w);
	qr_jw_kint(&w, "posts_without_time", (int64_t)(r->total - (r->ns ? r->s[0].total : 0)));
	if (o->split) {
		qr_jw_kstr(&w, "split_by", o->split);
		qr_jw_key(&w, "stacked");
		qr_jw_bool(&w, o->stack);
		qr_jw_key(&w, "series");
		qr_jw_begin_array(&w);
		for (size_t k = 1; k < r->ns; k++) {
			qr_jw_begin_object(&w);
			qr_jw_kstr(&w, "name", r->s[k].name);
			qr_jw_kint(&w, "posts", (int64_t)r->s[k].total);
			qr_jw_end_object(&w);
		}
		qr_jw_end_array(&w);
	}
	if (r->share) {
		qr_jw_kstr(&w, "share_query", o->share);
		qr_jw_kint(&w, "matching", (int64_t)r->matching.total);
	}
	qr_jw_key(&w, "buckets");
	qr_jw_begin_array(&w);
	for (size_t i = 0; i < b->n; i++) {
		qr_bucket_iso(b, i, iso);
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "start", iso);
		qr_jw_kint(&w, "posts", (int64_t)r->s[0].count[i]);
		if (r->ns > 1) {
			qr_jw_key(&w, "split");
			qr_jw_begin_object(&w);
			for (size_t k = 1; k < r->ns; k++)
				qr_jw_kint(&w, r->s[k].name, (int64_t)r->s[k].count[i]);
			qr_jw_end_object(&w);
		}
		if (r->share) {
			qr_jw_kint(&w, "matching", (int64_t)r->matching.count[i]);
			qr_jw_key(&w, "share");
			if (isnan(r->share[i]))
				qr_jw_null(&w);
			else
				qr_jw_double(&w, r->share[i]);
		}
		qr_jw_end_object(&w);
	}
	qr_jw_end_array(&w);
	qr_jw_end_object(&w);
	qr_buf_addch(out, '\n');
}

static void chart(const struct result *r, const char *query, const qr_timeline_opts *o, qr_buf *out)
{
	qr_buf sub = QR_BUF_INIT;
	char a[40], z[40];
	qr_bucket_label(&r->b, 0, a);
	qr_bucket_label(&r->b, r->b.n - 1, z);
	qr_buf_addf(&sub, "posts per %s (%s), %s to %s: ", unit_names[r->b.unit], r->b.tz, a, z);
	qr_add_grouped(&sub, r->total);
	qr_buf_addf(&sub, " post%s", r->total == 1 ? "" : "s");
	if (o->split)
		qr_buf_addf(&sub, ", split by %s%s", o->split, o->stack ? " (stacked)" : "");
	qr_buf note = QR_BUF_INIT;
	if (r->share) {
		qr_add_grouped(&note, r->matching.total);
		qr_buf_addf(&note, " of them also match \xE2\x80\x9C%s\xE2\x80\x9D", o->share);
	}
	/* With --share the chart shows every post, those that match too,
	 * and the share on its own axis. */
	qr_series two[2];
	qr_chart ch = { query, sub.buf, NULL, &r->b, r->s, r->ns, o->stack && r->ns > 1, NULL, NULL };
	if (r->share) {
		two[0] = r->s[0];
		two[1] = r->matching;
		two[1].name = (char *)"also matching";
		two[1].other = false;
		ch.note = note.buf;
		ch.series = two;
		ch.nseries = 2;
		ch.stacked = false;
		ch.share = r->share;
		ch.share_label = o->share;
	}
	qr_chart_svg(&ch, out);
	qr_buf_release(&sub);
	qr_buf_release(&note);
}

struct run {
	const qr_timeline_opts *o;
	const char *text;
	int unit;
	const qr_facet_field *f;
	struct result *r;
};

struct qr_timeline {
	struct result r;
	const qr_timeline_opts *o;
	const char *text;
};

/* One timeline of the corpus's revision (QR_END: it changed meanwhile). */
static int compute_once(qr_corpus *c, void *ctx, qr_buf *err)
{
	const struct run *run = ctx;
	const qr_timeline_opts *o = run->o;
	xc_query *q = NULL, *q2 = NULL;
	result_clear(run->r);
	int st = qr_query_build(qr_corpus_db(c), run->text, &o->c.q, &q, err);
	if (!st && o->share) {
		qr_query_opts only_tz = { o->c.q.tz, NULL, NULL, o->c.q.include_deleted };
		if ((st = qr_query_build(qr_corpus_db(c), o->share, &only_tz, &q2, err))) {
			qr_buf why = QR_BUF_INIT;
			qr_buf_setf(&why, "--share: %s", err->buf);
			qr_buf_setf(err, "%s", why.buf);
			qr_buf_release(&why);
		}
	}
	if (!st)
		st = compute(qr_corpus_db(c), q, q2, run->unit, run->f, o, run->r, err);
	xc_query_destroy(q);
	xc_query_destroy(q2);
	return st;
}

static bool want_bars(const char *when)
{
	if (strcmp(when, "always") == 0)
		return true;
	if (strcmp(when, "never") == 0)
		return false;
	return isatty(STDOUT_FILENO);
}

static int unit_named(const char *by)
{
	for (int u = 0; u < 4; u++)
		if (strcmp(by, unit_names[u]) == 0)
			return u;
	return -1;
}

int qr_timeline_check(const qr_timeline_opts *o)
{
	qr_table_form form;
	if (unit_named(o->by) < 0)
		return qr_usage_error("timeline", "--by takes minute, hour, day or week, not '%s'", o->by);
	if (o->split && !qr_facet_field_by_name(o->split))
		return qr_usage_error("timeline", "--split-by takes hashtag, media, event, tag, lang, kind, author, "
						  "mention, domain or platform, not '%s'", o->split);
	if (o->stack && !o->split)
		return qr_usage_error("timeline", "--stack needs --split-by");
	if (o->share && o->split)
		return qr_usage_error("timeline", "--share and --split-by do not go together: run them one at a time");
	if (!qr_table_form_named(o->c.format, &form) && strcmp(o->c.format, "text") && strcmp(o->c.format, "json"))
		return qr_usage_error("timeline", "--format takes text, csv, csv-raw, xlsx or json, not '%s'", o->c.format);
	if (strcmp(o->bars, "auto") && strcmp(o->bars, "always") && strcmp(o->bars, "never"))
		return qr_usage_error("timeline", "--bars takes auto, always or never, not '%s'", o->bars);
	if (qr_cmd_check_tz("timeline", o->c.q.tz))
		return QR_EXIT_USAGE;
	if (o->svg && !*o->svg)
		return qr_usage_error("timeline", "--svg needs a file name");
	return 0;
}

int qr_timeline_run(qr_corpus *c, const qr_timeline_opts *o, const char *text, qr_timeline **out)
{
	qr_timeline *t = qr_calloc(1, sizeof(*t));
	t->o = o;
	t->text = text;
	struct run run = { o, text, unit_named(o->by), o->split ? qr_facet_field_by_name(o->split) : NULL, &t->r };
	int st = qr_cmd_retry(c, compute_once, &run);
	if (st) {
		qr_timeline_free(t);
		return st;
	}
	*out = t;
	return t->r.total ? QR_EXIT_OK : QR_EXIT_NO_HITS;
}

int qr_timeline_write(qr_corpus *c, const qr_timeline *t, const char *format, bool bars, FILE *f)
{
	qr_table_form form;
	qr_buf out = QR_BUF_INIT, err = QR_BUF_INIT;
	int st = 0;
	if (qr_table_form_named(format, &form)) {
		qr_table *table = qr_table_new(form, f, t->r.b.tz);
		if ((st = print_table(&t->r, t->text, t->o, c, table, &err)) || (st = qr_table_finish(table, &err)))
			qr_error("%s", err.buf);
		qr_table_free(table);
	} else if (strcmp(format, "json") == 0) {
		print_json(&t->r, t->text, t->o, &out);
	} else {
		print_text(&t->r, t->text, t->o, bars, &out);
	}
	fwrite(out.buf, 1, out.len, f);
	qr_buf_release(&out);
	qr_buf_release(&err);
	return st;
}

bool qr_timeline_svg(const qr_timeline *t, qr_buf *out)
{
	if (!t->r.b.n)
		return false;
	chart(&t->r, t->text, t->o, out);
	return true;
}

uint32_t qr_timeline_total(const qr_timeline *t)
{
	return t->r.total;
}

size_t qr_timeline_buckets(const qr_timeline *t)
{
	return t->r.ns ? t->r.b.n : 0;
}

void qr_timeline_bucket(const qr_timeline *t, size_t i, char label[40], char iso[40], uint64_t *posts)
{
	qr_bucket_label(&t->r.b, i, label);
	qr_bucket_iso(&t->r.b, i, iso);
	*posts = t->r.s[0].count[i];
}

void qr_timeline_free(qr_timeline *t)
{
	if (!t)
		return;
	result_clear(&t->r);
	free(t);
}

int cmd_timeline(int argc, char **argv)
{
	qr_timeline_opts o = QR_TIMELINE_OPTS_INIT;
	qr_buf text = QR_BUF_INIT, err = QR_BUF_INIT;
	qr_timeline *t = NULL;
	qr_corpus *c = NULL;
	qr_cmd_out dest = { NULL, NULL, NULL };
	qr_table_form form;
	int first, st;

	st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	if ((st = qr_timeline_check(&o)))
		return st;
	qr_cmd_join(&text, argc - first, argv + first);
	if ((st = qr_cmd_open_corpus(o.c.corpus, &c)))
		goto out;
	if ((st = qr_timeline_run(c, &o, text.buf, &t)) > QR_EXIT_NO_HITS)
		goto out;
	int found = st;
	bool svg_stdout = o.svg && strcmp(o.svg, "-") == 0;
	if (o.svg) {
		qr_buf svg = QR_BUF_INIT;
		if (!qr_timeline_svg(t, &svg)) {
			qr_warning("no posts matched: no chart written");
		} else if (svg_stdout) {
			fputs(svg.buf, stdout);
		} else if (qr_io_write_file_atomic(o.svg, svg.buf, svg.len, &err)) {
			qr_error("cannot write the chart: %s", err.buf);
			st = QR_EXIT_USAGE;
		}
		qr_buf_release(&svg);
		if (st == QR_EXIT_USAGE)
			goto out;
	}
	if (!svg_stdout) {
		bool xlsx = qr_table_form_named(o.c.format, &form) && form == QR_TABLE_XLSX;
		if ((st = qr_cmd_out_open(&dest, "timeline", o.out, xlsx)))
			goto out;
		if ((st = qr_timeline_write(c, t, o.c.format, !o.out && want_bars(o.bars), dest.fp)))
			goto out;
		if ((st = qr_cmd_out_close(&dest, true)))
			goto out;
	}
	st = found;
out:
	qr_cmd_out_close(&dest, false);
	qr_timeline_free(t);
	qr_corpus_close(c);
	qr_buf_release(&text);
	qr_buf_release(&err);
	return st;
}
