/* quire count: the exact number of posts a query matches. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "json.h"
#include "run.h"
#include "schema.h"
#include "status.h"
#include "timeutil.h"

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "collapse", 0, "repost", "count a post and its reposts once" },
	{ "format", 'f', "NAME", "text (default: the number alone) or json ({\"query\": ..., \"count\": N})" },
	{ "since", 0, "WHEN", "only posts from this date or time on (same as date:WHEN..)" },
	{ "until", 0, "WHEN", "only posts up to this date or time, all of it (date:..WHEN)" },
	{ "tz", 0, "ZONE", "read dates and times in this IANA zone (default UTC)" },
	{ "include-deleted", 0, NULL, "posts their authors deleted match too (is:deleted finds only them)" },
	{ "explain", 0, NULL, "print how the query was understood on stderr" },
	QR_CMD_PARTIAL_OPTION,
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"count",
	"[OPTIONS] QUERY...",
	"Print the exact number of posts that match a query (the language of 'quire help search').",
	"Every matching post is counted, not estimated.  With no query, every post\n"
	"in the corpus.",
	"  quire count '#WhiteLivesMatter'\n"
	"  quire count --collapse repost 'media:video date:2020-06-03'\n"
	"  quire count --tz Asia/Seoul --since 2020-06-04 --until 2020-06-04 'lang:ko'\n"
	"  quire count --explain 'fancam* NOT is:repost'\n"
	"  quire count -f json 'lang:ko' | jq .count\n"
	"\nexit status: 0 some posts match, 1 none (0 is printed), 2 usage or query error, 3 damaged corpus",
	options,
};

struct opts {
	qr_cmd_opts c;
	const char *collapse;
	bool explain;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *o = ctx;
	if (qr_cmd_option(&o->c, name, arg))
		return 0;
	if (strcmp(name, "collapse") == 0)
		o->collapse = arg;
	else if (strcmp(name, "explain") == 0)
		o->explain = true;
	return 0;
}

/* One exact count; XC_ERR_DATABASE_MODIFIED asks for a reopen. */
static xc_status count(qr_corpus *c, xc_query *q, bool collapse, uint32_t *n, qr_buf *why)
{
	xc_enquire *enq = NULL;
	xc_mset *ms = NULL;
	uint32_t docs = 0;
	xc_status x = xc_db_doccount(qr_corpus_db(c), &docs);
	if (x == XC_OK)
		x = xc_enquire_create(qr_corpus_db(c), &enq);
	if (x != XC_OK) {
		qr_buf_setf(why, "%s", xc_db_error(qr_corpus_db(c)));
		return x;
	}
	xc_enquire_set_query(enq, q);
	xc_enquire_set_weighting_bool(enq);
	if (collapse)
		xc_enquire_set_collapse_key(enq, QR_SLOT_COLLAPSE, 1);
	/* Checking at least every document makes the estimate the count,
	 * collapsed or not, without keeping any result in memory. */
	x = xc_enquire_get_mset(enq, 0, 0, docs, &ms);
	if (x == XC_OK)
		*n = xc_mset_matches_estimated(ms);
	else
		qr_buf_setf(why, "%s", xc_enquire_error(enq));
	xc_mset_destroy(ms);
	xc_enquire_destroy(enq);
	return x;
}

int qr_count_run(qr_corpus *c, const char *text, const qr_query_opts *qo, bool collapse, bool explain, uint32_t *n)
{
	qr_buf why = QR_BUF_INIT;
	xc_query *q = NULL;
	int st = 0;
	xc_status x = XC_ERR_DATABASE_MODIFIED;
	*n = 0;
	for (int attempt = 0; attempt < QR_CMD_RETRIES && x == XC_ERR_DATABASE_MODIFIED; attempt++) {
		if (attempt && qr_corpus_reopen(c))
			break;
		xc_query_destroy(q);
		q = NULL;
		if ((st = qr_cmd_build_query(c, text, qo, &q)))
			goto out;
		if (explain && attempt == 0)
			qr_cmd_explain(q);
		x = count(c, q, collapse, n, &why);
	}
	if (x != XC_OK)
		st = qr_cmd_search_failed(x, why.buf);
	else
		st = *n ? QR_EXIT_OK : QR_EXIT_NO_HITS;
out:
	xc_query_destroy(q);
	qr_buf_release(&why);
	return st;
}

void qr_count_print(qr_buf *out, const char *format, const char *text, uint32_t n)
{
	if (strcmp(format, "json") != 0) {
		qr_buf_addf(out, "%u\n", n);
		return;
	}
	qr_jw w;
	qr_jw_init(&w, out, true);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "query", text);
	qr_jw_kint(&w, "count", n);
	qr_cmd_partial_json(&w);
	qr_jw_end_object(&w);
	qr_buf_addch(out, '\n');
}

int cmd_count(int argc, char **argv)
{
	struct opts o = { { NULL, "text", { NULL, NULL, NULL, false } }, NULL, false };
	qr_buf text = QR_BUF_INIT, out = QR_BUF_INIT;
	qr_corpus *c = NULL;
	uint32_t n = 0;
	int first, st;

	st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	if (o.collapse && strcmp(o.collapse, "repost") != 0)
		return qr_usage_error("count", "--collapse takes repost, not '%s'", o.collapse);
	if (strcmp(o.c.format, "text") && strcmp(o.c.format, "json"))
		return qr_usage_error("count", "--format takes text or json, not '%s'", o.c.format);
	if ((st = qr_cmd_check_tz("count", o.c.q.tz)))
		return st;
	qr_cmd_join(&text, argc - first, argv + first);
	if ((st = qr_cmd_open_corpus(o.c.corpus, &c)))
		goto out;
	st = qr_count_run(c, text.buf, &o.c.q, o.collapse != NULL, o.explain, &n);
	if (st == QR_EXIT_OK || st == QR_EXIT_NO_HITS) {
		qr_count_print(&out, o.c.format, text.buf, n);
		fputs(out.buf, stdout);
	}
out:
	qr_corpus_close(c);
	qr_buf_release(&text);
	qr_buf_release(&out);
	return st;
}
