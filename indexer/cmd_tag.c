/* quire tag: a researcher's own codes on the posts a query matches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "corpus.h"
#include "ingest.h"
#include "json.h"
#include "query.h"
#include "schema.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

#define MAX_CODE 64
#define BATCH 10000
#define PAGE 10000

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "list", 0, NULL, "list the codes with the number of posts that carry each (of QUERY's matches if given)" },
	{ "format", 'f', "NAME", "--list: text (default), json or csv" },
	{ "dry-run", 0, NULL, "count what would change, change nothing" },
	{ "tz", 0, "ZONE", "read dates and times in the query in this IANA zone (default UTC)" },
	{ "include-deleted", 0, NULL, "posts their authors deleted match too (is:deleted finds only them)" },
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"tag",
	"[OPTIONS] +CODE|-CODE... -- QUERY...   or   tag --list [QUERY...]",
	"Add (+CODE) and remove (-CODE) a researcher's codes on every post a query matches.",
	"Codes are kept in the index, in lower case: letters, digits, '_', '.', ':', '-', '/',\n"
	"at most 64 bytes.  Search them with tag:CODE; they are part of each post's JSON\n"
	"records, counted by 'quire facets --by tag' and 'quire stats', and they stay\n"
	"when a post is ingested again (a new version of its record) or when 'quire events\n"
	"apply' recomputes its events.  Put the query after '--' so that its words are not\n"
	"taken as codes; -c, -f and -h are options, every other -WORD before '--' is a code.\n\n"
	"Exit status: 0 some posts matched, 1 none, 2 usage or query error, 4 locked.",
	"  quire tag +offmessage -- '#WhiteLivesMatter -fancam date:2020-06-03'\n"
	"  quire tag -support +reviewed -- 'id:1267936151012716549'\n"
	"  quire tag --list\n"
	"  quire search 'tag:offmessage' --format csv",
	options,
};

struct opts {
	qr_cmd_opts c;
	bool list, dry_run;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *o = ctx;
	if (qr_cmd_option(&o->c, name, arg))
		return 0;
	if (strcmp(name, "list") == 0)
		o->list = true;
	else if (strcmp(name, "dry-run") == 0)
		o->dry_run = true;
	return 0;
}

static bool code_byte(unsigned char ch)
{
	return ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       strchr("_.:-/", ch);
}

/* A code as the user typed it, lower-cased into out; false when it is not
 * one. */
static bool make_code(const char *s, qr_buf *out)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_CODE || !qr_utf8_valid(s, n, NULL) || s[0] == '-' || s[0] == '+')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!code_byte((unsigned char)s[i]))
			return false;
	qr_buf_reset(out);
	qr_casefold(out, s, n);
	return true;
}

static bool is_option_word(const char *a)
{
	return strcmp(a, "-c") == 0 || strcmp(a, "-f") == 0 || strcmp(a, "-h") == 0;
}

/* Take the +CODE and -CODE words before '--' out of argv (kept in order
 * otherwise); false with a message on a malformed code. */
static bool split_codes(int *argc, char **argv, qr_strv *add, qr_strv *del)
{
	int out = 1;
	bool codes = true;
	qr_buf code = QR_BUF_INIT;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		if (codes && strcmp(a, "--") == 0)
			codes = false;
		bool plus = a[0] == '+', minus = a[0] == '-' && a[1] && a[1] != '-' && !is_option_word(a);
		if (codes && (plus || minus)) {
			/* The value of -c or -f is never a code. */
			if (i > 1 && is_option_word(argv[i - 1])) {
				argv[out++] = argv[i];
				continue;
			}
			if (!make_code(a + 1, &code)) {
				qr_buf safe = QR_BUF_INIT;
				qr_escape_terminal(&safe, a, strlen(a), 0);
				qr_usage_error("tag", "'%s' is not a code: use letters, digits, '_', '.', ':', '-' or '/', "
						      "at most %d bytes (put the query after '--')",
					       safe.buf, MAX_CODE);
				qr_buf_release(&safe);
				qr_buf_release(&code);
				return false;
			}
			qr_strv_push_unique(plus ? add : del, code.buf, false);
			continue;
		}
		argv[out++] = argv[i];
	}
	*argc = out;
	qr_buf_release(&code);
	for (size_t i = 0; i < add->n; i++)
		if (qr_strv_contains(del, add->v[i], false)) {
			qr_usage_error("tag", "code '%s' is both added and removed", add->v[i]);
			return false;
		}
	return true;
}

/* Every matching document, in docid order, before anything is changed. */
static int matches(xc_db *db, xc_query *q, xc_docid **ids, size_t *n)
{
	xc_enquire *enq = NULL;
	xc_mset *ms = NULL;
	size_t alloc = 0;
	int st = 0;
	*ids = NULL;
	*n = 0;
	if (xc_enquire_create(db, &enq) != XC_OK)
		return QR_NOMEM;
	xc_enquire_set_query(enq, q);
	xc_enquire_set_weighting_bool(enq);
	for (uint32_t first = 0;; first += PAGE) {
		xc_mset_destroy(ms);
		ms = NULL;
		xc_status x = xc_enquire_get_mset(enq, first, PAGE, 0, &ms);
		if (x != XC_OK) {
			if (x == XC_ERR_WILDCARD)
				qr_error("cannot search: a wildcard matches more than %d words: make it longer",
					 QR_MAX_WILDCARD);
			else
				qr_error("cannot search: %s", xc_enquire_error(enq));
			st = x == XC_ERR_WILDCARD ? QR_USAGE : QR_INTERNAL;
			break;
		}
		uint32_t k = xc_mset_size(ms);
		for (uint32_t i = 0; i < k; i++) {
			*ids = qr_grow_array(*ids, sizeof(**ids), *n + 1, &alloc);
			xc_mset_docid(ms, i, &(*ids)[(*n)++]);
		}
		if (k < PAGE)
			break;
	}
	xc_mset_destroy(ms);
	xc_enquire_destroy(enq);
	return st;
}

struct tally {
	uint64_t matched, changed;
	uint64_t *added, *removed;
};

static int retag(qr_corpus *c, const xc_docid *ids, size_t n, const qr_strv *add, const qr_strv *del, bool dry,
		 struct tally *t)
{
	qr_post p;
	int st = 0;
	qr_post_init(&p);
	for (size_t i = 0; i < n && !st; i++) {
		qr_post_clear(&p);
		qr_post_init(&p);
		if ((st = qr_corpus_load_post(c, ids[i], &p))) {
			qr_error("%s", qr_corpus_error(c));
			break;
		}
		t->matched++;
		bool changed = false;
		for (size_t k = 0; k < add->n; k++)
			if (!qr_strv_contains(&p.tags, add->v[k], false)) {
				qr_strv_push(&p.tags, add->v[k]);
				t->added[k]++;
				changed = true;
			}
		for (size_t k = 0; k < del->n; k++)
			if (qr_strv_remove(&p.tags, del->v[k])) {
				t->removed[k]++;
				changed = true;
			}
		if (!changed)
			continue;
		t->changed++;
		if (dry)
			continue;
		if ((st = qr_corpus_update_post(c, ids[i], &p)) ||
		    (qr_corpus_pending(c) >= BATCH && (st = qr_corpus_commit(c))))
			qr_error("cannot tag %s: %s", p.id ? p.id : "a post", qr_corpus_error(c));
	}
	qr_post_clear(&p);
	if (!st && !dry && (st = qr_corpus_commit(c)))
		qr_error("cannot commit: %s", qr_corpus_error(c));
	return st;
}

static void report(const struct tally *t, const qr_strv *add, const qr_strv *del, bool dry)
{
	qr_buf line = QR_BUF_INIT;
	qr_add_grouped(&line, t->matched);
	qr_buf_addf(&line, " post%s matched", t->matched == 1 ? "" : "s");
	for (size_t k = 0; k < add->n; k++) {
		qr_buf_addf(&line, "; +%s on ", add->v[k]);
		qr_add_grouped(&line, t->added[k]);
	}
	for (size_t k = 0; k < del->n; k++) {
		qr_buf_addf(&line, "; -%s off ", del->v[k]);
		qr_add_grouped(&line, t->removed[k]);
	}
	qr_buf_adds(&line, "; ");
	qr_add_grouped(&line, t->changed);
	qr_buf_addf(&line, " post%s %s", t->changed == 1 ? "" : "s", dry ? "would change (dry run)" : "changed");
	qr_buf safe = QR_BUF_INIT;
	qr_escape_terminal(&safe, line.buf, line.len, 0);
	puts(safe.buf);
	qr_buf_release(&safe);
	qr_buf_release(&line);
}

/* --list: every code with its posts; among QUERY's matches when given. */
static int list_codes(const struct opts *o, const char *text)
{
	qr_corpus *c = NULL;
	qr_buf err = QR_BUF_INIT;
	int st;
	int open_st = qr_cmd_open_corpus(o->c.corpus, &c);
	if (open_st)
		return open_st;
	xc_db *db = qr_corpus_db(c);
	xc_termiter *it = NULL;
	xc_spy *spy = NULL;
	xc_query *q = NULL;
	xc_enquire *enq = NULL;
	xc_mset *ms = NULL;
	uint32_t total = 0;
	int rc = 0;
	if (*text) {
		if ((st = qr_query_build(db, text, &o->c.q, &q, &err))) {
			qr_error("%s", err.buf);
			rc = qr_status_exit_code(st);
			goto out;
		}
		uint32_t docs = 0;
		xc_db_doccount(db, &docs);
		if (xc_enquire_create(db, &enq) != XC_OK || xc_spy_term_count(QR_P_TAG, &spy) != XC_OK ||
		    xc_enquire_set_query(enq, q) != XC_OK || xc_enquire_set_weighting_bool(enq) != XC_OK ||
		    xc_enquire_add_spy(enq, spy) != XC_OK || xc_enquire_get_mset(enq, 0, 0, docs, &ms) != XC_OK ||
		    xc_spy_all(spy, &it) != XC_OK) {
			qr_error("cannot count the codes: %s", enq ? xc_enquire_error(enq) : "out of memory");
			rc = QR_EXIT_INTERNAL;
			goto out;
		}
		total = xc_spy_total(spy);
	} else {
		xc_db_doccount(db, &total);
		if (xc_db_allterms(db, QR_P_TAG, &it) != XC_OK) {
			qr_error("cannot list the codes: %s", xc_db_error(db));
			rc = QR_EXIT_INTERNAL;
			goto out;
		}
	}
	qr_buf out = QR_BUF_INIT, v = QR_BUF_INIT;
	qr_jw w;
	bool json = strcmp(o->c.format, "json") == 0, csv = strcmp(o->c.format, "csv") == 0;
	if (json) {
		qr_jw_init(&w, &out, true);
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "query", text);
		qr_jw_kint(&w, "posts", total);
		qr_jw_key(&w, "codes");
		qr_jw_begin_array(&w);
	} else if (csv) {
		qr_buf_adds(&out, "code,posts\r\n");
	}
	const char *t;
	size_t tl;
	uint32_t freq;
	size_t shown = 0;
	size_t plen = strlen(QR_P_TAG);
	while (xc_termiter_next(it, &t, &tl, &freq) == XC_OK) {
		qr_buf_reset(&v);
		qr_buf_add(&v, t + plen, tl - plen);
		shown++;
		if (json) {
			qr_jw_begin_object(&w);
			qr_jw_kstr(&w, "code", v.buf);
			qr_jw_kint(&w, "posts", freq);
			qr_jw_end_object(&w);
		} else if (csv) {
			/* Codes hold no comma, quote or newline, and start with a
			 * letter or digit: nothing to quote or neutralise. */
			qr_buf_addf(&out, "%s,%u\r\n", v.buf, freq);
		} else {
			qr_buf_addf(&out, "%8u  ", freq);
			qr_escape_terminal(&out, v.buf, v.len, 0);
			qr_buf_addch(&out, '\n');
		}
	}
	if (json) {
		qr_jw_end_array(&w);
		qr_jw_end_object(&w);
		qr_buf_addch(&out, '\n');
	} else if (!csv && !shown) {
		qr_buf_adds(&out, "no codes yet (add some with 'quire tag +CODE -- QUERY')\n");
	}
	fputs(out.buf, stdout);
	qr_buf_release(&out);
	qr_buf_release(&v);
out:
	xc_termiter_destroy(it);
	xc_mset_destroy(ms);
	xc_spy_destroy(spy);
	xc_enquire_destroy(enq);
	xc_query_destroy(q);
	qr_corpus_close(c);
	qr_buf_release(&err);
	return rc;
}

int cmd_tag(int argc, char **argv)
{
	struct opts o = { { NULL, "text", { NULL, NULL, NULL, false } }, false, false };
	qr_strv add = { 0 }, del = { 0 };
	qr_buf text = QR_BUF_INIT, err = QR_BUF_INIT;
	xc_docid *ids = NULL;
	size_t n = 0;
	xc_query *q = NULL;
	qr_corpus *c = NULL;
	struct tally t = { 0, 0, NULL, NULL };
	int first, rc;

	if (!split_codes(&argc, argv, &add, &del)) {
		rc = QR_EXIT_USAGE;
		goto out;
	}
	rc = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (rc) {
		rc = rc < 0 ? 0 : rc;
		goto out;
	}
	if (strcmp(o.c.format, "text") && strcmp(o.c.format, "json") && strcmp(o.c.format, "csv")) {
		rc = qr_usage_error("tag", "--format takes text, json or csv, not '%s'", o.c.format);
		goto out;
	}
	if ((rc = qr_cmd_check_tz("tag", o.c.q.tz)))
		goto out;
	qr_cmd_join(&text, argc - first, argv + first);
	if (o.list) {
		if (add.n || del.n)
			rc = qr_usage_error("tag", "--list takes no codes");
		else
			rc = list_codes(&o, text.buf);
		goto out;
	}
	if (!add.n && !del.n) {
		rc = qr_usage_error("tag", "no code given: +CODE adds one, -CODE removes one");
		goto out;
	}
	const char *s = text.buf;
	while (*s == ' ')
		s++;
	if (!*s) {
		rc = qr_usage_error("tag", "no query given: say which posts to tag after '--'");
		goto out;
	}
	int st = qr_ingest_open_corpus(qr_cli_corpus(o.c.corpus), false, &c);
	if (st) {
		rc = qr_status_exit_code(st);
		goto out;
	}
	if ((st = qr_query_build(qr_corpus_db(c), text.buf, &o.c.q, &q, &err))) {
		qr_error("%s", err.buf);
		rc = qr_status_exit_code(st);
		goto out;
	}
	if ((st = matches(qr_corpus_db(c), q, &ids, &n))) {
		rc = qr_status_exit_code(st);
		goto out;
	}
	t.added = qr_calloc(add.n + 1, sizeof(*t.added));
	t.removed = qr_calloc(del.n + 1, sizeof(*t.removed));
	if ((st = retag(c, ids, n, &add, &del, o.dry_run, &t))) {
		rc = qr_status_exit_code(st);
		goto out;
	}
	report(&t, &add, &del, o.dry_run);
	rc = n ? 0 : QR_EXIT_NO_HITS;
out:
	free(t.added);
	free(t.removed);
	free(ids);
	xc_query_destroy(q);
	qr_corpus_close(c);
	qr_strv_clear(&add);
	qr_strv_clear(&del);
	qr_buf_release(&text);
	qr_buf_release(&err);
	return rc;
}
