/* quire search: run a query, print cited posts. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "corpus.h"
#include "printer.h"
#include "query.h"
#include "schema.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

#define PAGE 1000
#define MAX_RETRIES 5

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "limit", 'n', "N", "print at most N posts (default 10; 0 for all)" },
	{ "offset", 0, "N", "skip the first N posts" },
	{ "format", 'f', "NAME", "text (default), json, jsonl or ids" },
	{ "sort", 's', "ORDER", "relevance (default), newest or oldest" },
	{ "since", 0, "WHEN", "only posts from this date or time on (same as date:WHEN..)" },
	{ "until", 0, "WHEN", "only posts up to this date or time, all of it (date:..WHEN)" },
	{ "tz", 0, "ZONE", "read dates and times in this IANA zone (default UTC)" },
	{ "color", 0, "WHEN", "auto (default: on a terminal, unless NO_COLOR is set), always or never" },
	{ "no-locator", 0, NULL, "leave out the archival locator (corpus, record, sha256)" },
	{ "explain", 0, NULL, "print how the query was understood (Xapian's description) on stderr" },
	{ NULL, 0, NULL, NULL },
};

const char qr_search_language[] =
	"Query language (Xapian's query parser, configured for posts):\n"
	"  words              all of them (stemmed: 'protest' finds 'protests')\n"
	"  \"a phrase\"         the words in this order\n"
	"  a NEAR b, a ADJ b  within 10 words (ADJ: in this order)\n"
	"  AND OR NOT XOR ()  boolean operators, upper case; +word must, -word must not\n"
	"  fanc*              words starting so (at most 1000 expansions, else an error)\n"
	"  #tag, hashtag:tag  a hashtag, any capitalisation\n"
	"  @user, mention:u   posts that mention the account\n"
	"  from:handle        posts by an account (handle or numeric id)\n"
	"  media:KIND         photo, video, gif, audio, file, any or none; media:sha256:HEX\n"
	"  is:KIND            original, repost, reply or quote\n"
	"  lang:en  platform:twitter  domain:nytimes.com  url:URL  id:ID\n"
	"  event:ID  tag:CODE  source:N|SHA256\n"
	"  date:2020-06-03                 that whole day (UTC unless --tz)\n"
	"  date:2020-06-03..2020-06-04     both days, all of the last one\n"
	"  date:2020-06-03..  date:..2020-06-03   open ends\n"
	"  2020-06-03T14:00..2020-06-03T18:00     times, to the minute (all of 18:00)";

static const qr_command_help help = {
	"search",
	"[OPTIONS] QUERY...",
	"Search a corpus and print the matching posts as citations.",
	qr_search_language,
	"  quire search '#WhiteLivesMatter fancam'\n"
	"  quire search --sort oldest 'from:dallas_pd_demo date:2020-05-31..2020-06-01'\n"
	"  quire search -f json --limit 100 'iwatch AND app' | jq '.results[].post.url'\n"
	"\nexit status: 0 posts found, 1 none, 2 usage or query error, 3 damaged corpus",
	options,
};

struct opts {
	const char *corpus;
	unsigned long long limit, offset;
	const char *format;
	const char *sort;
	const char *color;
	bool no_locator;
	bool explain;
	qr_query_opts q;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *o = ctx;
	if (strcmp(name, "corpus") == 0)
		o->corpus = arg;
	else if (strcmp(name, "limit") == 0)
		return qr_cli_uint("search", name, arg, UINT32_MAX, &o->limit) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "offset") == 0)
		return qr_cli_uint("search", name, arg, UINT32_MAX, &o->offset) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "format") == 0)
		o->format = arg;
	else if (strcmp(name, "sort") == 0)
		o->sort = arg;
	else if (strcmp(name, "since") == 0)
		o->q.since = arg;
	else if (strcmp(name, "until") == 0)
		o->q.until = arg;
	else if (strcmp(name, "tz") == 0)
		o->q.tz = arg;
	else if (strcmp(name, "color") == 0)
		o->color = arg;
	else if (strcmp(name, "no-locator") == 0)
		o->no_locator = true;
	else if (strcmp(name, "explain") == 0)
		o->explain = true;
	return 0;
}

static bool use_color(const char *when, int fd)
{
	if (strcmp(when, "always") == 0)
		return true;
	if (strcmp(when, "never") == 0)
		return false;
	const char *no = getenv("NO_COLOR");
	return (!no || !*no) && isatty(fd);
}

static int open_corpus(const char *dir, qr_corpus **c)
{
	qr_buf err = QR_BUF_INIT;
	int st = qr_corpus_open(dir, QR_OPEN_READ, c, &err);
	if (st)
		qr_error("%s", err.buf);
	qr_buf_release(&err);
	return st;
}

/* One pass over the results; QR_END asks for a reopen and another pass. */
static int run(qr_corpus *c, xc_query *q, const struct opts *o, qr_printer *pr, const char *query_text,
	       uint32_t *printed)
{
	xc_enquire *enq = NULL;
	xc_mset *ms = NULL;
	qr_post post;
	int st = 0;
	xc_status x;
	uint32_t want = o->limit ? (uint32_t)o->limit : UINT32_MAX;
	uint32_t pos = (uint32_t)o->offset + *printed;

	qr_post_init(&post);
	if ((x = xc_enquire_create(qr_corpus_db(c), &enq)) != XC_OK)
		goto xfail;
	xc_enquire_set_query(enq, q);
	if (strcmp(o->sort, "newest") == 0)
		xc_enquire_set_sort_by_value(enq, QR_SLOT_TIME, 1, 0);
	else if (strcmp(o->sort, "oldest") == 0)
		xc_enquire_set_sort_by_value(enq, QR_SLOT_TIME, 0, 0);
	/* Equal weights (filters alone) keep the order of ingest. */
	while (*printed < want) {
		uint32_t page = want - *printed < PAGE ? want - *printed : PAGE;
		xc_mset_destroy(ms);
		ms = NULL;
		if ((x = xc_enquire_get_mset(enq, pos, page, 0, &ms)) != XC_OK)
			goto xfail_enq;
		if (*printed == 0 && pos == o->offset) {
			qr_result_info info = { query_text, qr_corpus_id(c), qr_corpus_dir(c),
						xc_mset_matches_estimated(ms), xc_mset_matches_lower_bound(ms),
						xc_mset_matches_upper_bound(ms), (uint32_t)o->offset,
						(uint32_t)o->limit, o->sort };
			pr->begin(pr, &info);
		}
		uint32_t n = xc_mset_size(ms);
		if (n == 0)
			break;
		xc_mset_fetch(ms);
		for (uint32_t i = 0; i < n; i++) {
			xc_doc *doc = NULL;
			char *data = NULL;
			size_t len;
			double w = 0;
			qr_buf why = QR_BUF_INIT;
			if ((x = xc_mset_document(ms, i, &doc)) != XC_OK || (x = xc_doc_get_data(doc, &data, &len)) != XC_OK) {
				xc_doc_destroy(doc);
				qr_buf_release(&why);
				if (x == XC_ERR_DATABASE_MODIFIED)
					goto modified;
				qr_error("cannot read a result: %s", xc_mset_error(ms));
				st = QR_DAMAGED;
				goto out;
			}
			xc_doc_destroy(doc);
			qr_post_clear(&post);
			if (qr_post_from_json(&post, data, len, &why)) {
				qr_error("a result holds no valid post: %s", why.buf);
				free(data);
				qr_buf_release(&why);
				st = QR_DAMAGED;
				goto out;
			}
			free(data);
			qr_buf_release(&why);
			xc_mset_weight(ms, i, &w);
			qr_hit hit = { &post, pos + i + 1, w, 0, NULL };
			pr->hit(pr, &hit);
			(*printed)++;
		}
		pos += n;
		if (n < page)
			break;
	}
	goto out;
modified:
	st = QR_END;
	goto out;
xfail_enq:
	if (x == XC_ERR_DATABASE_MODIFIED) {
		st = QR_END;
		goto out;
	}
	if (x == XC_ERR_WILDCARD) {
		qr_error("cannot search: a wildcard matches more than %d words: make it longer", QR_MAX_WILDCARD);
		st = QR_USAGE;
		goto out;
	}
	qr_error("cannot search: %s", xc_enquire_error(enq));
	st = QR_INTERNAL;
	goto out;
xfail:
	qr_error("cannot search: %s", xc_db_error(qr_corpus_db(c)));
	st = QR_INTERNAL;
out:
	qr_post_clear(&post);
	xc_mset_destroy(ms);
	xc_enquire_destroy(enq);
	return st;
}

static void join_args(qr_buf *out, int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		qr_buf_addf(out, "%s%s", i ? " " : "", argv[i]);
}

int cmd_search(int argc, char **argv)
{
	struct opts o = { NULL, 10, 0, "text", "relevance", "auto", false, false, { NULL, NULL, NULL } };
	qr_buf text = QR_BUF_INIT, err = QR_BUF_INIT;
	qr_corpus *c = NULL;
	xc_query *q = NULL;
	qr_printer *pr = NULL;
	uint32_t printed = 0;
	int first, st;

	st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	if (strcmp(o.sort, "relevance") && strcmp(o.sort, "newest") && strcmp(o.sort, "oldest"))
		return qr_usage_error("search", "--sort takes relevance, newest or oldest, not '%s'", o.sort);
	if (strcmp(o.color, "auto") && strcmp(o.color, "always") && strcmp(o.color, "never"))
		return qr_usage_error("search", "--color takes auto, always or never, not '%s'", o.color);
	if (o.q.tz && !qr_tz_valid(o.q.tz))
		return qr_usage_error("search", "unknown time zone '%s' (use an IANA name such as Europe/Berlin)", o.q.tz);
	join_args(&text, argc - first, argv + first);
	if (open_corpus(qr_cli_corpus(o.corpus), &c)) {
		st = QR_EXIT_USAGE;
		goto out;
	}
	pr = qr_printer_new(o.format, stdout, use_color(o.color, STDOUT_FILENO), !o.no_locator, qr_corpus_id(c));
	if (!pr) {
		st = qr_usage_error("search", "unknown format '%s' (text, json, jsonl or ids)", o.format);
		goto out;
	}
	for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
		xc_query_destroy(q);
		q = NULL;
		int b = qr_query_build(qr_corpus_db(c), text.buf, &o.q, &q, &err);
		if (b) {
			qr_error("%s", err.buf);
			st = qr_status_exit_code(b);
			goto out;
		}
		if (o.explain && attempt == 0) {
			char *d = xc_query_describe(q);
			qr_buf safe = QR_BUF_INIT;
			qr_escape_terminal(&safe, d ? d : "?", d ? strlen(d) : 1, 0);
			fprintf(stderr, "%s\n", safe.buf);
			qr_buf_release(&safe);
			free(d);
		}
		st = run(c, q, &o, pr, text.buf, &printed);
		if (st != QR_END)
			break;
		/* Another process committed: read the newest revision. */
		if (qr_corpus_reopen(c)) {
			qr_error("%s", qr_corpus_error(c));
			st = QR_INTERNAL;
			break;
		}
	}
	if (st) {
		st = qr_status_exit_code(st);
		goto out;
	}
	pr->end(pr, printed);
	fflush(stdout);
	st = printed ? QR_EXIT_OK : QR_EXIT_NO_HITS;
out:
	qr_printer_free(pr);
	xc_query_destroy(q);
	qr_corpus_close(c);
	qr_buf_release(&text);
	qr_buf_release(&err);
	return st;
}
