/* quire tag: a researcher's own codes on the posts a query matches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "corpus.h"
#include "federation.h"
#include "ingest.h"
#include "journal.h"
#include "lock.h"
#include "json.h"
#include "query.h"
#include "schema.h"
#include "tags.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "list", 0, NULL, "list the codes with the number of posts that carry each (of QUERY's matches if given)" },
	{ "history", 0, NULL, "who changed which codes when, from the corpus's journal (of QUERY's matches if given)" },
	{ "format", 'f', "NAME", "--list, --history: text (default), json or csv" },
	{ "dry-run", 0, NULL, "count what would change, change nothing" },
	{ "tz", 0, "ZONE", "read dates and times in the query in this IANA zone (default UTC)" },
	{ "include-deleted", 0, NULL, "posts their authors deleted match too (is:deleted finds only them)" },
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"tag",
	"[OPTIONS] +CODE|-CODE... -- QUERY...   or   tag --list|--history [QUERY...]",
	"Add (+CODE) and remove (-CODE) a researcher's codes on every post a query matches.",
	"Codes are kept in lower case: letters, digits, '_', '.', ':', '-', '/', at most 64\n"
	"bytes.  Every change is written first into the corpus's journal (store/journal.zst,\n"
	"beside the original records), then into the index: an index rebuilt from the store\n"
	"('quire check --repair') gets every code back, and --history lists who changed\n"
	"what, when, with which query.  Search them with tag:CODE; they are part of each post's JSON\n"
	"records, counted by 'quire facets --by tag' and 'quire stats', and they stay\n"
	"when a post is ingested again (a new version of its record) or when 'quire events\n"
	"apply' recomputes its events.  Put the query after '--' so that its words are not\n"
	"taken as codes; -c, -f and -h are options, every other -WORD before '--' is a code.\n\n"
	"Exit status: 0 some posts matched, 1 none, 2 usage or query error, 4 locked.",
	"  quire tag +offmessage -- '#WhiteLivesMatter -fancam date:2020-06-03'\n"
	"  quire tag -support +reviewed -- 'id:1267936151012716549'\n"
	"  quire tag --list\n"
	"  quire tag --history 'tag:offmessage'\n"
	"  quire search 'tag:offmessage' --format csv",
	options,
};

struct opts {
	qr_cmd_opts c;
	bool list, history, dry_run;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *o = ctx;
	if (qr_cmd_option(&o->c, name, arg))
		return 0;
	if (strcmp(name, "list") == 0)
		o->list = true;
	else if (strcmp(name, "history") == 0)
		o->history = true;
	else if (strcmp(name, "dry-run") == 0)
		o->dry_run = true;
	return 0;
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
			if (!qr_tag_code(a + 1, &code)) {
				qr_buf safe = QR_BUF_INIT;
				qr_escape_terminal(&safe, a, strlen(a), 0);
				qr_usage_error("tag", "'%s' is not a code: use letters, digits, '_', '.', ':', '-' or '/', "
						      "at most %d bytes (put the query after '--')",
					       safe.buf, QR_TAG_MAX);
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

/* The query's matches (built against the corpus): 0 or an exit code,
 * the message printed. */
static int query_matches(qr_corpus *c, const char *text, const qr_query_opts *qo, xc_docid **ids, size_t *n)
{
	xc_query *q = NULL;
	qr_buf err = QR_BUF_INIT;
	int st = qr_query_build(qr_corpus_db(c), text, qo, &q, &err);
	if (st)
		qr_error("%s", err.buf);
	else
		st = qr_cmd_matches(qr_corpus_db(c), q, ids, n);
	xc_query_destroy(q);
	qr_buf_release(&err);
	return st ? qr_status_exit_code(st) : 0;
}

static void report(const qr_tag_tally *t, const qr_strv *add, const qr_strv *del, bool dry)
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

/* ---- through a federation: each shard's codes by its own journal ---- */

/* The post ids of a shard's matches (its documents among ids), from the
 * time order slot, which ends with the id. */
static int shard_ids(qr_corpus *c, const xc_docid *ids, size_t n, const qr_fed_shard *sh, qr_strv *out)
{
	qr_federation *f = qr_corpus_federation(c);
	for (size_t i = 0; i < n; i++) {
		if (qr_federation_shard_of(f, ids[i]) != sh)
			continue;
		xc_doc *doc = NULL;
		char *v = NULL;
		size_t len = 0;
		qr_buf id = QR_BUF_INIT;
		xc_status x = xc_db_get_document(qr_corpus_db(c), ids[i], &doc);
		if (x == XC_OK)
			x = xc_doc_get_value(doc, QR_SLOT_TIME_ORDER, &v, &len);
		bool named = x == XC_OK && qr_time_order_id(v, len, &id);
		if (named)
			qr_strv_push(out, id.buf);
		qr_buf_release(&id);
		free(v);
		xc_doc_destroy(doc);
		/* A match whose post cannot be named would go uncoded: stop
		 * before any shard is changed. */
		if (x != XC_OK) {
			qr_error("cannot read a match: %s", xc_db_error(qr_corpus_db(c)));
			return QR_EXIT_DAMAGED;
		}
		if (!named) {
			qr_error("cannot tag: document %u has no time order value (slot %d) to name its post: "
				 "rebuild its shard's index with quire check --repair",
				 ids[i], QR_SLOT_TIME_ORDER);
			return QR_EXIT_DAMAGED;
		}
	}
	return 0;
}

/* One shard's share, by a quire process on the shard's machine: this one
 * for a path, the shard's endpoint for the others. */
static int tag_shard(qr_federation *f, qr_fed_shard *sh, const qr_strv *ids, const qr_tag_change *ch, bool dry,
		     qr_tag_tally *sum)
{
	qr_buf err = QR_BUF_INIT, name = QR_BUF_INIT;
	int st = 0;
	qr_fed_shard_name(f, sh, &name);
	if (sh->kind == QR_LOC_PATH) {
		qr_corpus *c = NULL;
		xc_docid *docids = qr_calloc(ids->n ? ids->n : 1, sizeof(*docids));
		size_t k = 0;
		qr_tag_tally t;
		memset(&t, 0, sizeof(t));
		if ((st = qr_ingest_open_corpus(sh->path, false, &c))) {
			qr_error("%s: cannot open it for writing", name.buf);
		} else {
			for (size_t i = 0; i < ids->n; i++)
				if (qr_corpus_find(c, ids->v[i], &docids[k]) == 0)
					k++;
			if ((st = qr_tags_apply(c, docids, k, ch, dry, &t)))
				qr_error("%s: cannot tag: %s", name.buf, qr_corpus_error(c));
		}
		if (!st) {
			sum->matched += t.matched;
			sum->changed += t.changed;
			for (size_t i = 0; i < ch->add->n; i++)
				sum->added[i] += t.added[i];
			for (size_t i = 0; i < ch->del->n; i++)
				sum->removed[i] += t.removed[i];
		}
		qr_tag_tally_release(&t);
		qr_corpus_close(c);
		free(docids);
	} else {
		qr_buf body = QR_BUF_INIT, resp = QR_BUF_INIT;
		qr_jw w;
		qr_jw_init(&w, &body, false);
		qr_jw_begin_object(&w);
		qr_jw_key(&w, "add");
		qr_jw_begin_array(&w);
		for (size_t i = 0; i < ch->add->n; i++)
			qr_jw_string(&w, ch->add->v[i]);
		qr_jw_end_array(&w);
		qr_jw_key(&w, "remove");
		qr_jw_begin_array(&w);
		for (size_t i = 0; i < ch->del->n; i++)
			qr_jw_string(&w, ch->del->v[i]);
		qr_jw_end_array(&w);
		qr_jw_kstr(&w, "query", ch->query);
		/* The shard's journal names who asked, not the server. */
		char user[64], host[256];
		qr_journal_whoami(user, host);
		qr_jw_kstr(&w, "user", user);
		qr_jw_kstr(&w, "host", host);
		qr_jw_kstr(&w, "command", qr_lock_command());
		qr_jw_key(&w, "dry_run");
		qr_jw_bool(&w, dry);
		qr_jw_key(&w, "ids");
		qr_jw_begin_array(&w);
		for (size_t i = 0; i < ids->n; i++)
			qr_jw_string(&w, ids->v[i]);
		qr_jw_end_array(&w);
		qr_jw_end_object(&w);
		cJSON *j = NULL;
		if ((st = qr_fed_shard_post(f, sh, "/tag", body.buf, body.len, &resp, &err))) {
			qr_error("cannot tag: %s", err.buf);
		} else if (!(j = qr_json_parse(resp.buf, resp.len, &err))) {
			qr_error("cannot tag: %s answered: %s", name.buf, err.buf);
			st = QR_DAMAGED;
		} else {
			int64_t v;
			const cJSON *e;
			size_t i = 0;
			if (qr_json_int(j, "matched", &v))
				sum->matched += (uint64_t)v;
			if (qr_json_int(j, "changed", &v))
				sum->changed += (uint64_t)v;
			cJSON_ArrayForEach(e, qr_json_get(j, "added"))
				if (i < ch->add->n && cJSON_IsNumber(e))
					sum->added[i++] += (uint64_t)e->valuedouble;
			i = 0;
			cJSON_ArrayForEach(e, qr_json_get(j, "removed"))
				if (i < ch->del->n && cJSON_IsNumber(e))
					sum->removed[i++] += (uint64_t)e->valuedouble;
		}
		cJSON_Delete(j);
		qr_buf_release(&body);
		qr_buf_release(&resp);
	}
	qr_buf_release(&err);
	qr_buf_release(&name);
	return st;
}

/*
 * quire tag on a federation: the query runs on the shards as one; each
 * shard's matches are tagged by a quire process on its machine, through
 * its journal.  Not atomic across shards: a shard that fails is named,
 * with the ones done before it.
 */
static int tag_federation(const struct opts *o, const char *text, const qr_strv *add, const qr_strv *del)
{
	qr_corpus *c = NULL;
	xc_query *q = NULL;
	xc_docid *ids = NULL;
	size_t n = 0;
	qr_buf err = QR_BUF_INIT;
	qr_tag_tally sum;
	memset(&sum, 0, sizeof(sum));
	sum.added = qr_calloc(add->n + 1, sizeof(*sum.added));
	sum.removed = qr_calloc(del->n + 1, sizeof(*sum.removed));
	/* Codes go to every shard or to none that is down. */
	qr_corpus_allow_partial(false);
	int rc = qr_cmd_open_corpus(o->c.corpus, &c), st;
	if (rc || (rc = query_matches(c, text, &o->c.q, &ids, &n)))
		goto out;
	qr_federation *f = qr_corpus_federation(c);
	/* Every shard must take codes before any gets them. */
	for (size_t k = 0; k < f->nup && !rc; k++) {
		qr_fed_shard *sh = &f->v[f->up[k]];
		cJSON *j = sh->info ? qr_json_parse(sh->info, strlen(sh->info), &err) : NULL;
		if (sh->kind != QR_LOC_PATH && !qr_json_true(j, "writes")) {
			qr_buf name = QR_BUF_INIT;
			qr_fed_shard_name(f, sh, &name);
			qr_error("cannot tag: %s is served read-only (quire serve-shard --allow-writes): no shard was changed",
				 name.buf);
			qr_buf_release(&name);
			rc = QR_EXIT_DAMAGED;
		}
		cJSON_Delete(j);
	}
	qr_tag_change ch = { add, del, text, NULL, NULL };
	/* Every match named, shard by shard, before any shard is changed. */
	qr_strv *pids = qr_calloc(f->nup ? f->nup : 1, sizeof(*pids));
	for (size_t k = 0; k < f->nup && !rc; k++)
		rc = shard_ids(c, ids, n, &f->v[f->up[k]], &pids[k]);
	size_t done = 0;
	for (size_t k = 0; k < f->nup && !rc; k++) {
		if (!pids[k].n)
			continue;
		if ((st = tag_shard(f, &f->v[f->up[k]], &pids[k], &ch, o->dry_run, &sum))) {
			rc = st == QR_LOCKED ? QR_EXIT_LOCKED : QR_EXIT_DAMAGED;
			if (done)
				qr_error("%zu shard%s before it got the codes; run the same command again to finish "
					 "(codes already there do not change)",
					 done, done == 1 ? "" : "s");
		} else {
			done++;
		}
	}
	for (size_t k = 0; k < f->nup; k++)
		qr_strv_clear(&pids[k]);
	free(pids);
	if (!rc) {
		report(&sum, add, del, o->dry_run);
		rc = n ? 0 : QR_EXIT_NO_HITS;
	}
out:
	free(sum.added);
	free(sum.removed);
	free(ids);
	xc_query_destroy(q);
	qr_corpus_close(c);
	qr_buf_release(&err);
	return rc;
}

/* --list: every code with its posts; among QUERY's matches when given. */
static int cmp_code(const void *a, const void *b)
{
	return strcmp(((const qr_count *)a)->value, ((const qr_count *)b)->value);
}

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
	xc_query *q = NULL;
	qr_counts counts = { 0 };
	uint32_t total = 0;
	int rc = 0;
	if (*text) {
		if ((st = qr_query_build(db, text, &o->c.q, &q, &err)) ||
		    (st = qr_count_terms(db, q, QR_P_TAG, 0, NULL, &counts, &err))) {
			qr_error("%s", err.buf);
			rc = qr_status_exit_code(st);
			goto out;
		}
		total = counts.total;
		/* Listed in the codes' order, as without a query. */
		qsort(counts.v, counts.n, sizeof(*counts.v), cmp_code);
	} else {
		const char *t;
		size_t tl;
		uint32_t freq;
		xc_db_doccount(db, &total);
		if (xc_db_allterms(db, QR_P_TAG, &it) != XC_OK) {
			qr_error("cannot list the codes: %s", xc_db_error(db));
			rc = QR_EXIT_INTERNAL;
			goto out;
		}
		while (xc_termiter_next(it, &t, &tl, &freq) == XC_OK) {
			counts.v = qr_grow_array(counts.v, sizeof(*counts.v), counts.n + 1, &counts.alloc);
			counts.v[counts.n].value = qr_strndup(t + strlen(QR_P_TAG), tl - strlen(QR_P_TAG));
			counts.v[counts.n++].count = freq;
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
	size_t shown = 0;
	for (size_t i = 0; i < counts.n; i++) {
		uint32_t freq = counts.v[i].count;
		qr_buf_reset(&v);
		qr_buf_adds(&v, counts.v[i].value);
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
	qr_counts_clear(&counts);
	xc_query_destroy(q);
	qr_corpus_close(c);
	qr_buf_release(&err);
	return rc;
}

/* ---- --history: the journal, an operation a line ---- */

struct op {
	const char *kind;        /* "tag", "snapshot", "events" */
	int64_t seq;
	char *time, *user, *host, *command, *query, *digest, *restored_from;
	qr_strv add, del;
	uint64_t posts, matching, events;
	qr_strv ids;             /* of the matching posts (json) */
};

struct history {
	const struct opts *o;
	const qr_strv *want;     /* sorted post ids QUERY matches; NULL: all */
	struct op op;            /* the operation being read (parts) */
	bool open;
	qr_buf out;
	qr_jw w;
	uint64_t shown;
};

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool wanted(const struct history *h, const char *id)
{
	return !h->want || bsearch(&id, h->want->v, h->want->n, sizeof(char *), cmp_strp) != NULL;
}

static char *str_of(const cJSON *e, const char *key)
{
	const char *v = qr_json_str(e, key);
	return qr_strdup(v ? v : "");
}

static void op_clear(struct op *op)
{
	free(op->time);
	free(op->user);
	free(op->host);
	free(op->command);
	free(op->query);
	free(op->digest);
	free(op->restored_from);
	qr_strv_clear(&op->add);
	qr_strv_clear(&op->del);
	qr_strv_clear(&op->ids);
	memset(op, 0, sizeof(*op));
}

static void add_strings(qr_strv *sv, const cJSON *arr)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it))
			qr_strv_push(sv, it->valuestring);
	}
}

/* A post id of the operation: counted, and kept when QUERY matches it. */
static void op_post(struct history *h, const char *id)
{
	h->op.posts++;
	if (h->want && wanted(h, id)) {
		h->op.matching++;
		qr_strv_push(&h->op.ids, id);
	}
}

static void codes_text(qr_buf *b, const struct op *op)
{
	for (size_t i = 0; i < op->add.n; i++)
		qr_buf_addf(b, "%s+%s", b->len ? " " : "", op->add.v[i]);
	for (size_t i = 0; i < op->del.n; i++)
		qr_buf_addf(b, "%s-%s", b->len ? " " : "", op->del.v[i]);
}

static void print_op(struct history *h)
{
	struct op *op = &h->op;
	if (h->want && !op->matching && strcmp(op->kind, "events") != 0)
		return;
	h->shown++;
	const char *fmt = h->o->c.format;
	qr_buf codes = QR_BUF_INIT, line = QR_BUF_INIT;
	codes_text(&codes, op);
	if (strcmp(fmt, "json") == 0) {
		qr_jw *w = &h->w;
		qr_jw_begin_object(w);
		qr_jw_kint(w, "seq", op->seq);
		qr_jw_kstr(w, "time", op->time);
		qr_jw_kstr(w, "op", op->kind);
		qr_jw_kstr(w, "user", op->user);
		qr_jw_kstr(w, "host", op->host);
		qr_jw_kstr(w, "command", op->command);
		if (strcmp(op->kind, "events") == 0) {
			qr_jw_kstr(w, "digest", op->digest);
			qr_jw_kint(w, "events", (int64_t)op->events);
		} else {
			if (strcmp(op->kind, "tag") == 0)
				qr_jw_kstr(w, "query", op->query);
			if (*op->restored_from)
				qr_jw_kstr(w, "restored_from", op->restored_from);
			qr_strv_to_json(&op->add, w, "add");
			qr_strv_to_json(&op->del, w, "remove");
			qr_jw_kint(w, "posts", (int64_t)op->posts);
			if (h->want) {
				qr_jw_kint(w, "matching", (int64_t)op->matching);
				qr_strv_to_json(&op->ids, w, "matching_ids");
			}
		}
		qr_jw_end_object(w);
	} else if (strcmp(fmt, "csv") == 0) {
		/* seq,time,op,user,host,command,add,remove,posts,matching,query */
		qr_buf add = QR_BUF_INIT, del = QR_BUF_INIT;
		for (size_t i = 0; i < op->add.n; i++)
			qr_buf_addf(&add, "%s%s", i ? " " : "", op->add.v[i]);
		for (size_t i = 0; i < op->del.n; i++)
			qr_buf_addf(&del, "%s%s", i ? " " : "", op->del.v[i]);
		qr_buf_addf(&line, "%lld,%s,%s,", (long long)op->seq, op->time, op->kind);
		const char *cells[] = { op->user, op->host, op->command, add.buf, del.buf };
		for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
			qr_agg_csv_field(&line, cells[i]);
			qr_buf_addch(&line, ',');
		}
		qr_buf_addf(&line, "%llu,%llu,", (unsigned long long)op->posts,
			    (unsigned long long)(h->want ? op->matching : op->posts));
		qr_agg_csv_field(&line, op->query ? op->query : "");
		qr_buf_adds(&line, "\r\n");
		qr_buf_add(&h->out, line.buf, line.len);
		qr_buf_release(&add);
		qr_buf_release(&del);
	} else {
		qr_buf_addf(&line, "#%-4lld %s  %s@%s  %s  ", (long long)op->seq, op->time, op->user, op->host, op->command);
		if (strcmp(op->kind, "events") == 0) {
			qr_buf_addf(&line, "applied the event catalogue %.12s (%llu event%s)", op->digest[0] ? op->digest : "(empty)",
				    (unsigned long long)op->events, op->events == 1 ? "" : "s");
		} else {
			qr_buf_addf(&line, "%s on ", op->kind[0] == 's' ? "the index's codes written:" : codes.buf);
			qr_add_grouped(&line, op->posts);
			qr_buf_addf(&line, " post%s", op->posts == 1 ? "" : "s");
			if (h->want) {
				qr_buf_adds(&line, " (");
				qr_add_grouped(&line, op->matching);
				qr_buf_adds(&line, " of these)");
			}
			if (op->query && *op->query)
				qr_buf_addf(&line, ": %s", op->query);
			if (*op->restored_from)
				qr_buf_addf(&line, " (restored from %s)", op->restored_from);
		}
		qr_escape_terminal(&h->out, line.buf, line.len, 0);
		qr_buf_addch(&h->out, '\n');
	}
	qr_buf_release(&codes);
	qr_buf_release(&line);
}

static int history_entry(void *ctx, const qr_journal_entry *e)
{
	struct history *h = ctx;
	const cJSON *it;
	if (e->part == 1) {
		op_clear(&h->op);
		h->op.kind = strcmp(e->op, "tag") == 0 ? "tag" : strcmp(e->op, "snapshot") == 0 ? "snapshot"
			   : strcmp(e->op, "events") == 0 ? "events" : NULL;
		h->op.seq = e->seq;
		h->op.time = str_of(e->json, "time");
		h->op.user = str_of(e->json, "user");
		h->op.host = str_of(e->json, "host");
		h->op.command = str_of(e->json, "command");
		h->op.query = str_of(e->json, "query");
		h->op.digest = str_of(e->json, "digest");
		h->op.restored_from = str_of(e->json, "restored_from");
		add_strings(&h->op.add, qr_journal_list(e, "add"));
		add_strings(&h->op.del, qr_journal_list(e, "remove"));
	}
	if (!h->op.kind)
		return 0; /* an operation of a later quire */
	if (strcmp(e->op, "tag") == 0) {
		cJSON_ArrayForEach(it, qr_journal_list(e, "posts"))
		{
			if (cJSON_IsString(it))
				op_post(h, it->valuestring);
		}
	} else if (strcmp(e->op, "snapshot") == 0) {
		const cJSON *code;
		cJSON_ArrayForEach(code, cJSON_GetObjectItemCaseSensitive(e->json, "codes"))
		{
			if (code->string && !qr_strv_contains(&h->op.add, code->string, false))
				qr_strv_push(&h->op.add, code->string);
			cJSON_ArrayForEach(it, code)
			{
				if (cJSON_IsString(it))
					op_post(h, it->valuestring);
			}
		}
	} else {
		h->op.events = (uint64_t)cJSON_GetArraySize(qr_journal_list(e, "files"));
	}
	if (e->part == e->parts)
		print_op(h);
	return 0;
}

/* The ids of the posts QUERY matches, sorted. */
static int matching_ids(qr_corpus *c, const struct opts *o, const char *text, qr_strv *ids)
{
	qr_buf err = QR_BUF_INIT;
	xc_query *q = NULL;
	xc_docid *docs = NULL;
	size_t n = 0;
	int st = qr_query_build(qr_corpus_db(c), text, &o->c.q, &q, &err);
	if (st) {
		qr_error("%s", err.buf);
		goto out;
	}
	if ((st = qr_cmd_matches(qr_corpus_db(c), q, &docs, &n)))
		goto out;
	for (size_t i = 0; i < n && !st; i++) {
		qr_post p;
		qr_post_init(&p);
		if (!(st = qr_corpus_load_post(c, docs[i], &p)) && p.id)
			qr_strv_push(ids, p.id);
		else if (st)
			qr_error("%s", qr_corpus_error(c));
		qr_post_clear(&p);
	}
	if (ids->n > 1)
		qsort(ids->v, ids->n, sizeof(char *), cmp_strp);
out:
	free(docs);
	xc_query_destroy(q);
	qr_buf_release(&err);
	return st;
}

static int history(const struct opts *o, const char *text)
{
	qr_corpus *c = NULL;
	qr_strv ids = { 0 };
	qr_journal_stats w;
	struct history h;
	int rc = qr_cmd_open_corpus(o->c.corpus, &c);
	if (rc)
		return rc;
	if (qr_corpus_federation(c)) {
		qr_corpus_close(c);
		return qr_usage_error("tag", "each shard keeps its own history: quire tag --history --corpus SHARD");
	}
	memset(&h, 0, sizeof(h));
	h.o = o;
	qr_buf_init(&h.out);
	qr_journal_stats_init(&w);
	bool query = *text != '\0';
	if (query) {
		int st = matching_ids(c, o, text, &ids);
		if (st) {
			rc = qr_status_exit_code(st);
			goto out;
		}
		h.want = &ids;
	}
	bool json = strcmp(o->c.format, "json") == 0;
	if (json) {
		qr_jw_init(&h.w, &h.out, true);
		qr_jw_begin_object(&h.w);
		qr_jw_kstr(&h.w, "corpus", qr_corpus_id(c));
		if (query)
			qr_jw_kstr(&h.w, "query", text);
		qr_jw_key(&h.w, "operations");
		qr_jw_begin_array(&h.w);
	} else if (strcmp(o->c.format, "csv") == 0) {
		qr_buf_adds(&h.out, "seq,time,op,user,host,command,add,remove,posts,matching,query\r\n");
	}
	int st = qr_journal_walk(qr_corpus_journal(c), 0, history_entry, &h, &w);
	if (st) {
		qr_error("cannot read the journal: %s", qr_journal_error(qr_corpus_journal(c)));
		rc = qr_status_exit_code(st);
		goto out;
	}
	if (json) {
		qr_jw_end_array(&h.w);
		qr_jw_end_object(&h.w);
		qr_buf_addch(&h.out, '\n');
	} else if (!h.shown && strcmp(o->c.format, "csv") != 0) {
		qr_buf_adds(&h.out, query ? "no change of codes touched these posts\n" : "no codes changed yet\n");
	}
	fputs(h.out.buf, stdout);
	if (w.damaged)
		qr_warning("the journal is damaged (%s): %llu entr%s could not be read ('quire check')", w.damage.buf,
			   (unsigned long long)w.damaged, w.damaged == 1 ? "y" : "ies");
	rc = w.damaged ? QR_EXIT_DAMAGED : h.shown ? 0 : QR_EXIT_NO_HITS;
out:
	op_clear(&h.op);
	qr_strv_clear(&ids);
	qr_buf_release(&h.out);
	qr_journal_stats_release(&w);
	qr_corpus_close(c);
	return rc;
}

int cmd_tag(int argc, char **argv)
{
	struct opts o = { { NULL, "text", { NULL, NULL, NULL, false } }, false, false, false };
	qr_strv add = { 0 }, del = { 0 };
	qr_buf text = QR_BUF_INIT, err = QR_BUF_INIT;
	xc_docid *ids = NULL;
	size_t n = 0;
	xc_query *q = NULL;
	qr_corpus *c = NULL;
	qr_tag_tally t = { 0, 0, NULL, NULL, 0 };
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
	if (o.list || o.history) {
		if (add.n || del.n)
			rc = qr_usage_error("tag", "--%s takes no codes", o.list ? "list" : "history");
		else if (o.list && o.history)
			rc = qr_usage_error("tag", "--list and --history go one at a time");
		else
			rc = o.list ? list_codes(&o, text.buf) : history(&o, text.buf);
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
	if (qr_federation_is(qr_cli_corpus(o.c.corpus))) {
		rc = tag_federation(&o, text.buf, &add, &del);
		goto out;
	}
	int st = qr_ingest_open_corpus(qr_cli_corpus(o.c.corpus), false, &c);
	if (st) {
		rc = qr_status_exit_code(st);
		goto out;
	}
	if ((rc = query_matches(c, text.buf, &o.c.q, &ids, &n)))
		goto out;
	qr_tag_change ch = { &add, &del, text.buf, NULL, NULL };
	if ((st = qr_tags_apply(c, ids, n, &ch, o.dry_run, &t))) {
		qr_error("cannot tag: %s", qr_corpus_error(c));
		rc = qr_status_exit_code(st);
		goto out;
	}
	report(&t, &add, &del, o.dry_run);
	rc = n ? 0 : QR_EXIT_NO_HITS;
out:
	qr_tag_tally_release(&t);
	free(ids);
	xc_query_destroy(q);
	qr_corpus_close(c);
	qr_strv_clear(&add);
	qr_strv_clear(&del);
	qr_buf_release(&text);
	qr_buf_release(&err);
	return rc;
}
