/* quire search: run a query, print cited posts. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "corpus.h"
#include "export.h"
#include "page.h"
#include "printer.h"
#include "query.h"
#include "run.h"
#include "schema.h"
#include "status.h"
#include "table.h"
#include "text.h"
#include "timeutil.h"

/* Results are read this many at a time, so memory stays bounded whatever
 * --limit asks. */
#define PAGE 1000
/* Bytes of text a snippet aims for; a tweet fits whole. */
#define SNIPPET_LENGTH 500

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "format", 'f', "NAME", "text (default), json, jsonl, csv, csv-raw, xlsx, ids, csl-json, bibtex, biblatex, ris, apa, mla or chicago" },
	QR_CMD_OUT_OPTION,
	{ "limit", 'n', "N", "print at most N posts (default 10; 0 for all of them)" },
	{ "offset", 0, "N", "skip the first N posts (for paging)" },
	{ "sort", 's', "ORDER", "relevance (default), newest, oldest or reposts (most reposted in the corpus first)" },
	{ "collapse", 0, "repost", "show a post and its reposts once, with the number folded in" },
	{ "since", 0, "WHEN", "only posts from this date or time on (same as date:WHEN..)" },
	{ "until", 0, "WHEN", "only posts up to this date or time, all of it (date:..WHEN)" },
	{ "tz", 0, "ZONE", "read and print dates and times in this IANA zone, e.g. America/Chicago (default UTC)" },
	{ "include-deleted", 0, NULL, "posts their authors deleted match too (is:deleted finds only them)" },
	{ "color", 0, "WHEN", "auto (default: on a terminal, unless NO_COLOR is set), always or never" },
	{ "no-locator", 0, NULL, "leave out the archival locator (corpus, record, sha256)" },
	{ "portable", 0, NULL, "print as quire export writes: without what only this corpus knows (its id, store places, source numbers), posts of the same second in id order, CSV cells untouched" },
	{ "explain", 0, NULL, "print how the query was understood (Xapian's description) on stderr" },
	QR_CMD_PARTIAL_OPTION,
	{ NULL, 0, NULL, NULL },
};

static char details[8192];

static const qr_command_help help = {
	"search",
	"[OPTIONS] QUERY...",
	"Search a corpus and print the matching posts as citations.",
	details,
	"  quire search '#WhiteLivesMatter fancam'\n"
	"  quire search --sort oldest --limit 0 'from:dallas_pd_demo date:2020-05-31..2020-06-01'\n"
	"  quire search --collapse repost --since 2020-06-03 --until 2020-06-04 'media:video #blm'\n"
	"  quire search --tz America/Chicago 'date:2020-06-03 is:original -is:reply'\n"
	"  quire search -f json --limit 100 'iwatch AND app' | jq '.results[].post.url'\n"
	"  quire search -f csv --limit 0 --offset 1000 'lang:ko' > page2.csv\n"
	"  quire search -f xlsx --limit 0 --out wlm.xlsx '#WhiteLivesMatter date:2020-06-03'\n"
	"  quire search --sort reposts -n 20 '#WhiteLivesMatter -is:repost'\n"
	"  quire search -f apa --no-locator 'id:1268381141790130178'\n"
	"  quire search --color always --explain 'black NEAR/5 matter' | less -R\n"
	"  quire search -- '-is:repost fancam'      (a query that starts with -)\n"
	"\nexit status: 0 posts found, 1 none, 2 usage or query error, 3 damaged corpus, 5 internal error",
	options,
};

/* The query language and the output formats, from the parser's and the
 * printers' own tables. */
static void describe(char *out, size_t size)
{
	qr_buf b = QR_BUF_INIT;
	qr_query_language(&b);
	qr_buf_adds(&b, "\n\nOutput formats (--format):\n");
	for (size_t i = 0; qr_printer_backends[i]; i++) {
		qr_buf_addf(&b, "  %-10s", qr_printer_backends[i]->name);
		qr_wrap(&b, qr_printer_backends[i]->description, 12, 12, 88);
		qr_buf_addch(&b, '\n');
	}
	qr_buf_adds(&b, "Every format carries each post's archival locator unless --no-locator.");
	snprintf(out, size, "%s", b.buf);
	qr_buf_release(&b);
}

static int on_option(void *ctx, const char *name, const char *arg)
{
	qr_search_opts *o = ctx;
	if (qr_cmd_option(&o->c, name, arg))
		return 0;
	if (strcmp(name, "out") == 0)
		o->out = arg;
	else if (strcmp(name, "limit") == 0)
		return qr_cli_uint("search", name, arg, UINT32_MAX, &o->limit) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "offset") == 0)
		return qr_cli_uint("search", name, arg, UINT32_MAX, &o->offset) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "sort") == 0)
		o->sort = arg;
	else if (strcmp(name, "collapse") == 0)
		o->collapse = arg;
	else if (strcmp(name, "color") == 0)
		o->color = arg;
	else if (strcmp(name, "no-locator") == 0)
		o->no_locator = true;
	else if (strcmp(name, "explain") == 0)
		o->explain = true;
	else if (strcmp(name, "portable") == 0)
		o->portable = true;
	return 0;
}

/* Xapian escapes <, > and & in snippets (for HTML); the printers want the
 * text as it was. */
static void unescape_snippet(qr_buf *out, const char *s)
{
	while (*s) {
		if (strncmp(s, "&lt;", 4) == 0) {
			qr_buf_addch(out, '<');
			s += 4;
		} else if (strncmp(s, "&gt;", 4) == 0) {
			qr_buf_addch(out, '>');
			s += 4;
		} else if (strncmp(s, "&amp;", 5) == 0) {
			qr_buf_addch(out, '&');
			s += 5;
		} else {
			qr_buf_addch(out, *s++);
		}
	}
}

/* The post's text with the matched words between \x01 and \x02; false
 * when nothing in it matched (or it has no text). */
static bool snippet(xc_mset *ms, xc_stem *stem, const char *text, qr_buf *out)
{
	if (!text || !*text)
		return false;
	/* The markers must be the only \x01 and \x02 in the text. */
	qr_buf clean = QR_BUF_INIT;
	qr_buf_adds(&clean, text);
	for (size_t i = 0; i < clean.len; i++)
		if (clean.buf[i] == '\x01' || clean.buf[i] == '\x02')
			clean.buf[i] = ' ';
	char *s = NULL;
	xc_status x = xc_mset_snippet(ms, clean.buf, clean.len, SNIPPET_LENGTH, stem,
				      XC_SNIPPET_EXHAUSTIVE | XC_SNIPPET_EMPTY_WITHOUT_MATCH | XC_SNIPPET_CJK_NGRAM,
				      "\x01", "\x02", "…", &s);
	bool ok = x == XC_OK && s && *s;
	if (ok) {
		qr_buf_reset(out);
		unescape_snippet(out, s);
	}
	free(s);
	qr_buf_release(&clean);
	return ok;
}

/*
 * Most reposted first: the number of posts in the whole corpus whose
 * repost_of names the post (the frequency of its XB term), whether or not
 * they match the query; then the oldest first, then by id, so that equal
 * counts come in the same order on every copy of the corpus.
 */
static xc_status sort_by_reposts(xc_db *db, xc_enquire *enq)
{
	xc_keymaker *km = NULL;
	xc_status x = xc_keymaker_create(db, &km);
	if (x == XC_OK && (x = xc_keymaker_add_termfreq(km, QR_P_REPOST_OF, QR_SLOT_ID, 1)) == XC_OK &&
	    (x = xc_keymaker_add_value(km, QR_SLOT_TIME_ORDER, 0)) == XC_OK)
		x = xc_enquire_set_sort_by_key(enq, km, 0, 0);
	xc_keymaker_destroy(km);
	return x;
}

/* The posts in the corpus that repost this one. */
static xc_status reposts_of(xc_db *db, const char *id, uint32_t *n)
{
	qr_buf t = QR_BUF_INIT;
	qr_term(&t, QR_P_REPOST_OF, id, false);
	xc_status x = xc_db_termfreq(db, t.buf, t.len, n);
	qr_buf_release(&t);
	return x;
}

struct run {
	const qr_search_opts *o;
	qr_printer *pr;
	xc_stem *stem;
	const char *text;
	uint32_t doccount;
	uint32_t printed;
	bool begun;
	bool by_reposts;
	bool ids_only; /* the printer needs each post's id alone */
	qr_page *page; /* the documents of a page, read together */
};

/*
 * The post id that item i's sort key holds, when the printer needs no
 * more: relevance then QR_SLOT_ID (the id, or "#sha256:" and a hash of a
 * long one), or a QR_SLOT_TIME_ORDER value, which ends with it.  The
 * matches carry their sort keys, so no document is read: through remote
 * shards a document is a round trip each.  False when the key holds no id
 * (read the document then).
 */
static bool post_from_sort_key(xc_mset *ms, uint32_t i, bool time_order, qr_post *post, qr_buf *id)
{
	char *key = NULL;
	size_t len = 0;
	bool ok = false;
	qr_buf_reset(id);
	if (xc_mset_sort_key(ms, i, &key, &len) == XC_OK && key && len) {
		if (time_order)
			ok = qr_time_order_id(key, len, id);
		else if (key[0] != '#' && !memchr(key, 0, len))
			ok = (qr_buf_add(id, key, len), true);
	}
	free(key);
	if (ok)
		qr_post_from_id(post, id->buf, id->len);
	return ok;
}

/* Say why a page or a result could not be read; QR_END asks for another
 * pass. */
static int read_failed(xc_status x, const qr_buf *why)
{
	int st = x == XC_ERR_DATABASE_MODIFIED ? QR_END : QR_DAMAGED;
	if (x == XC_ERR_NETWORK) {
		qr_buf msg = QR_BUF_INIT;
		qr_corpus_network_fault(why->buf, &msg);
		qr_error("%s", msg.buf);
		qr_buf_release(&msg);
	} else if (st != QR_END) {
		qr_error("cannot read a result: %s", why->buf);
	}
	return st;
}

static int read_post(qr_corpus *c, qr_page *pg, xc_mset *ms, uint32_t i, qr_post *post, xc_status *x)
{
	char *data = NULL;
	size_t len;
	qr_buf why = QR_BUF_INIT;
	int st = 0;
	if ((*x = qr_corpus_page_data(c, pg, ms, i, &data, &len, &why)) != XC_OK) {
		st = read_failed(*x, &why);
	} else if (qr_post_clear(post), qr_post_from_json(post, data, len, &why)) {
		qr_error("a result holds no valid post: %s", why.buf);
		st = QR_DAMAGED;
	}
	free(data);
	qr_buf_release(&why);
	return st;
}

/* One pass over the results; QR_END asks for a reopen and another pass
 * (another process committed meanwhile).  Returns an exit code otherwise. */
static int run(qr_corpus *c, xc_query *q, struct run *r)
{
	const qr_search_opts *o = r->o;
	xc_enquire *enq = NULL;
	xc_mset *ms = NULL;
	qr_post post;
	qr_buf snip = QR_BUF_INIT, idbuf = QR_BUF_INIT, why = QR_BUF_INIT;
	int st = 0;
	xc_status x;
	bool time_order = strcmp(o->sort, "newest") == 0 || strcmp(o->sort, "oldest") == 0;
	uint32_t want = o->limit ? (uint32_t)o->limit : UINT32_MAX;
	uint32_t offset = o->offset > r->doccount ? r->doccount : (uint32_t)o->offset;
	uint32_t pos = offset + r->printed;
	/* Exact totals when collapsing, so that the folded counts are exact
	 * too; estimates otherwise. */
	uint32_t check = o->collapse ? r->doccount : 0;

	qr_post_init(&post);
	if ((x = xc_enquire_create(qr_corpus_db(c), &enq)) != XC_OK) {
		st = qr_cmd_search_failed(x, xc_db_error(qr_corpus_db(c)));
		goto out;
	}
	xc_enquire_set_query(enq, q);
	/* Ties go by post id, never by document number: the same order on
	 * one corpus and on a federation of shards (docs/SCALE.md). */
	if (strcmp(o->sort, "newest") == 0)
		xc_enquire_set_sort_by_value(enq, QR_SLOT_TIME_ORDER, 1, 0);
	else if (strcmp(o->sort, "oldest") == 0)
		xc_enquire_set_sort_by_value(enq, QR_SLOT_TIME_ORDER, 0, 0);
	else if (!r->by_reposts)
		xc_enquire_set_sort_by_relevance_then_value(enq, QR_SLOT_ID, 0);
	else if (qr_corpus_remote(c)) {
		qr_error("cannot search: --sort reposts counts with a sort key of quire's own, which Xapian's remote "
			 "servers cannot run: sort on each shard, on a federation of shards on this machine, or on one "
			 "corpus (quire shards merge)");
		st = QR_EXIT_USAGE;
		goto out;
	} else if ((x = sort_by_reposts(qr_corpus_db(c), enq)) != XC_OK) {
		st = qr_cmd_search_failed(x, xc_enquire_error(enq));
		goto out;
	}
	if (o->collapse)
		xc_enquire_set_collapse_key(enq, QR_SLOT_COLLAPSE, 1);
	while (r->printed < want) {
		uint32_t page = want - r->printed < PAGE ? want - r->printed : PAGE;
		xc_mset_destroy(ms);
		ms = NULL;
		if ((x = xc_enquire_get_mset(enq, pos, page, check, &ms)) != XC_OK) {
			st = x == XC_ERR_DATABASE_MODIFIED ? QR_END : qr_cmd_search_failed(x, xc_enquire_error(enq));
			goto out;
		}
		if (!r->begun) {
			uint32_t lo = xc_mset_matches_lower_bound(ms), hi = xc_mset_matches_upper_bound(ms);
			/* A workbook that cannot hold them all is refused before
			 * anything is read, not after. */
			uint64_t rows = lo > offset ? lo - offset : 0;
			if (qr_printer_binary(o->c.format) && (rows < want ? rows : want) > QR_TABLE_XLSX_ROWS) {
				qr_error("too many rows for xlsx: at least %llu posts match, a sheet holds %u (use --limit, "
					 "or -f csv)", (unsigned long long)rows, QR_TABLE_XLSX_ROWS);
				st = QR_EXIT_USAGE;
				goto out;
			}
			qr_result_info info = { r->text, qr_corpus_id(c), qr_corpus_dir(c),
						xc_mset_matches_estimated(ms), lo, hi, offset, (uint32_t)o->limit,
						o->sort, o->collapse, lo == hi };
			r->pr->begin(r->pr, &info);
			r->begun = true;
		}
		uint32_t n = xc_mset_size(ms);
		if (n == 0)
			break;
		/* Ask for the page's documents at once (xapian-c avoids Xapian
		 * 1.4's fetch() bug past page 1). */
		if (!r->ids_only && (x = qr_corpus_page_fetch(c, ms, r->page, &why)) != XC_OK) {
			st = read_failed(x, &why);
			if (st != QR_END)
				st = qr_status_exit_code(st);
			goto out;
		}
		for (uint32_t i = 0; i < n; i++) {
			if (!(r->ids_only && post_from_sort_key(ms, i, time_order, &post, &idbuf)) &&
			    (st = read_post(c, r->page, ms, i, &post, &x))) {
				if (st != QR_END)
					st = qr_status_exit_code(st);
				goto out;
			}
			double w = 0;
			uint32_t folded = 0;
			xc_mset_weight(ms, i, &w);
			if (o->collapse)
				xc_mset_collapse_count(ms, i, &folded);
			bool snipped = r->stem && snippet(ms, r->stem, post.text, &snip);
			uint32_t reposts = 0;
			if (r->by_reposts && (x = reposts_of(qr_corpus_db(c), post.id, &reposts)) != XC_OK) {
				st = x == XC_ERR_DATABASE_MODIFIED ? QR_END
								   : qr_cmd_search_failed(x, xc_db_error(qr_corpus_db(c)));
				goto out;
			}
			qr_hit hit = { &post, pos + i + 1, w, folded, snipped ? snip.buf : NULL, r->by_reposts, reposts };
			r->pr->hit(r->pr, &hit);
			r->printed++;
			/* Nobody reads any more (a closed pipe, a client gone). */
			if (ferror(r->pr->out)) {
				st = QR_EXIT_INTERNAL;
				goto out;
			}
		}
		pos += n;
		if (n < page)
			break;
	}
out:
	qr_post_clear(&post);
	qr_buf_release(&snip);
	qr_buf_release(&idbuf);
	qr_buf_release(&why);
	xc_mset_destroy(ms);
	xc_enquire_destroy(enq);
	return st;
}

int qr_search_check(const qr_search_opts *o)
{
	if (strcmp(o->sort, "relevance") && strcmp(o->sort, "newest") && strcmp(o->sort, "oldest") &&
	    strcmp(o->sort, "reposts"))
		return qr_usage_error("search", "--sort takes relevance, newest, oldest or reposts, not '%s'", o->sort);
	if (!qr_cmd_color_valid(o->color))
		return qr_usage_error("search", "--color takes auto, always or never, not '%s'", o->color);
	if (o->collapse && strcmp(o->collapse, "repost") != 0)
		return qr_usage_error("search", "--collapse takes repost, not '%s'", o->collapse);
	if (qr_cmd_check_tz("search", o->c.q.tz))
		return QR_EXIT_USAGE;
	if (!qr_printer_exists(o->c.format))
		return qr_usage_error("search", "unknown format '%s' (%s)", o->c.format, qr_printer_names());
	return 0;
}

int qr_search_run(qr_corpus *c, const qr_search_opts *o, const char *text, qr_printer *pr)
{
	xc_query *q = NULL;
	struct run r = { o, pr, NULL, text, 0, 0, false, strcmp(o->sort, "reposts") == 0, false, qr_page_new() };
	r.ids_only = strcmp(pr->name, "ids") == 0 && !pr->wrap && !r.by_reposts;
	int st = 0;

	if (qr_printer_wants_snippets(pr))
		r.stem = qr_query_stemmer();
	for (int attempt = 0; attempt < QR_CMD_RETRIES; attempt++) {
		xc_query_destroy(q);
		q = NULL;
		if ((st = qr_cmd_build_query(c, text, &o->c.q, &q)))
			goto out;
		if (o->explain && attempt == 0)
			qr_cmd_explain(q);
		xc_db_doccount(qr_corpus_db(c), &r.doccount);
		st = run(c, q, &r);
		if (st != QR_END)
			break;
		/* Another process committed: read the newest revision and go
		 * on from where this pass stopped. */
		if (qr_corpus_reopen(c)) {
			qr_error("%s", qr_corpus_error(c));
			st = QR_EXIT_INTERNAL;
			break;
		}
	}
	if (st == QR_END) {
		qr_error("cannot search: the corpus kept changing while it was read");
		st = QR_EXIT_INTERNAL;
	}
	if (st)
		goto out;
	if (!r.begun) {
		qr_result_info info = { text, qr_corpus_id(c), qr_corpus_dir(c), 0, 0, 0, 0, (uint32_t)o->limit,
					o->sort, o->collapse, true };
		pr->begin(pr, &info);
	}
	pr->end(pr, r.printed);
	if (pr->status) {
		qr_error("%s", pr->err.buf);
		st = pr->status;
		goto out;
	}
	if (fflush(pr->out) != 0 || ferror(pr->out)) {
		qr_error("cannot write the results: %s", "output error");
		st = QR_EXIT_INTERNAL;
		goto out;
	}
	st = r.printed ? QR_EXIT_OK : QR_EXIT_NO_HITS;
out:
	xc_stem_destroy(r.stem);
	qr_page_free(r.page);
	xc_query_destroy(q);
	return st;
}

int cmd_search(int argc, char **argv)
{
	qr_search_opts o = QR_SEARCH_OPTS_INIT;
	qr_buf text = QR_BUF_INIT;
	qr_corpus *c = NULL;
	qr_printer *pr = NULL;
	qr_cmd_out dest = { NULL, NULL, NULL };
	int first, st;

	describe(details, sizeof(details));
	st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	if ((st = qr_search_check(&o)))
		return st;
	qr_cmd_join(&text, argc - first, argv + first);
	if ((st = qr_cmd_open_corpus(o.c.corpus, &c)))
		goto out;
	if ((st = qr_cmd_out_open(&dest, "search", o.out, qr_printer_binary(o.c.format))))
		goto out;
	pr = qr_printer_new(o.c.format, dest.fp, qr_cmd_use_color(o.color, o.out ? -1 : STDOUT_FILENO), !o.no_locator,
			    qr_corpus_id(c));
	pr->tz = o.c.q.tz;
	if (o.portable)
		qr_export_printer(pr, o.sort);
	st = qr_search_run(c, &o, text.buf, pr);
	if (st <= QR_EXIT_NO_HITS) {
		int cl = qr_cmd_out_close(&dest, true);
		st = cl ? cl : st;
	}
out:
	qr_cmd_out_close(&dest, false);
	qr_printer_free(pr);
	qr_corpus_close(c);
	qr_buf_release(&text);
	return st;
}
