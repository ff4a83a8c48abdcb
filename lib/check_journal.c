/*
 * The journal's part of `quire check`: its frames, how far the index has
 * applied it, and whether the index's codes and events are the ones the
 * journal gives (tags.h): the codes an index rebuilt from the store would
 * get back.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "events.h"
#include "journal.h"
#include "schema.h"
#include "status.h"
#include "tags.h"

/* At most this many differences are named one by one. */
#define SHOW 10

struct pair {
	char *post, *code;
	uint64_t order;
	bool present;
};

struct jcheck {
	qr_corpus *c;
	qr_finding_fn fn;
	void *ctx;
	qr_check_stats *st;
	qr_buf msg;
	struct pair *v;         /* what the journal says, in its order */
	size_t n, alloc;
	uint64_t order;
	char *events;           /* the digest of the last catalogue */
	bool any_events;
};

static void jfound(struct jcheck *k, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void jfound(struct jcheck *k, int kind, const char *fmt, ...)
{
	va_list ap;
	if (kind == QR_FOUND_DAMAGE)
		k->st->damage++;
	else if (kind == QR_FOUND_NOTE)
		k->st->notes++;
	qr_buf_reset(&k->msg);
	va_start(ap, fmt);
	qr_buf_vaddf(&k->msg, fmt, ap);
	va_end(ap);
	if (k->fn)
		k->fn(k->ctx, kind, k->msg.buf);
}

static void push(struct jcheck *k, const char *post, const char *code, bool present)
{
	k->v = qr_grow_array(k->v, sizeof(*k->v), k->n + 1, &k->alloc);
	k->v[k->n++] = (struct pair){ qr_strdup(post), qr_strdup(code), k->order++, present };
}

static void clear_pairs(struct pair *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].post);
		free(v[i].code);
	}
}

static void push_list(struct jcheck *k, const cJSON *posts, const cJSON *codes, bool present)
{
	const cJSON *p, *c;
	cJSON_ArrayForEach(p, posts)
	{
		cJSON_ArrayForEach(c, codes)
		{
			if (cJSON_IsString(p) && cJSON_IsString(c))
				push(k, p->valuestring, c->valuestring, present);
		}
	}
}

static int collect(void *ctx, const qr_journal_entry *e)
{
	struct jcheck *k = ctx;
	k->st->journal_entries++;
	if (strcmp(e->op, "tag") == 0) {
		const cJSON *posts = qr_journal_list(e, "posts");
		push_list(k, posts, qr_journal_list(e, "add"), true);
		push_list(k, posts, qr_journal_list(e, "remove"), false);
	} else if (strcmp(e->op, "snapshot") == 0) {
		const cJSON *codes = cJSON_GetObjectItemCaseSensitive(e->json, "codes"), *code, *p;
		if (e->part == 1) {
			/* Replaying a snapshot takes every code off first. */
			clear_pairs(k->v, k->n);
			k->n = 0;
		}
		cJSON_ArrayForEach(code, codes)
		{
			cJSON_ArrayForEach(p, code)
			{
				if (code->string && cJSON_IsString(p))
					push(k, p->valuestring, code->string, true);
			}
		}
	} else if (strcmp(e->op, "events") == 0) {
		const char *d = qr_json_str(e->json, "digest");
		free(k->events);
		k->events = qr_strdup(d ? d : "");
		k->any_events = true;
	}
	return 0;
}

static int cmp_key(const struct pair *x, const struct pair *y)
{
	int d = strcmp(x->post, y->post);
	return d ? d : strcmp(x->code, y->code);
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int d = cmp_key(x, y);
	return d ? d : x->order < y->order ? -1 : x->order > y->order;
}

/* The journal's last word on each (post, code), kept where it is present;
 * sorted, unique. */
static size_t settle(struct pair *v, size_t n)
{
	size_t out = 0;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_pair);
	for (size_t i = 0; i < n; i++) {
		bool last = i + 1 == n || strcmp(v[i].post, v[i + 1].post) || strcmp(v[i].code, v[i + 1].code);
		if (last && v[i].present) {
			v[out++] = v[i];
			continue;
		}
		free(v[i].post);
		free(v[i].code);
	}
	return out;
}

/* Every (post, code) of the index, sorted. */
static int index_pairs(struct jcheck *k, struct pair **out, size_t *nout)
{
	xc_db *db = qr_corpus_db(k->c);
	qr_strv terms = { 0 };
	struct pair *v = NULL;
	size_t n = 0, alloc = 0, plen = strlen(QR_P_TAG);
	int st = qr_tags_terms(k->c, &terms);
	for (size_t i = 0; i < terms.n && !st; i++) {
		xc_postiter *pi = NULL;
		xc_docid id;
		if (xc_db_postlist(db, terms.v[i], strlen(terms.v[i]), &pi) != XC_OK) {
			st = qr_corpus_fail(k->c, QR_INTERNAL, "cannot list the posts of a code: %s", xc_db_error(db));
			break;
		}
		while (!st && xc_postiter_next(pi, &id) == XC_OK) {
			qr_post p;
			qr_post_init(&p);
			if (!(st = qr_corpus_load_post(k->c, id, &p)) && p.id) {
				v = qr_grow_array(v, sizeof(*v), n + 1, &alloc);
				v[n++] = (struct pair){ qr_strdup(p.id), qr_strdup(terms.v[i] + plen), 0, true };
			}
			qr_post_clear(&p);
		}
		xc_postiter_destroy(pi);
	}
	qr_strv_clear(&terms);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_pair);
	*out = v;
	*nout = n;
	return st;
}

/* The two sorted lists side by side. */
static void compare(struct jcheck *k, const struct pair *want, size_t nw, const struct pair *have, size_t nh)
{
	uint64_t lacking = 0, extra = 0, absent = 0;
	size_t i = 0, j = 0;
	while (i < nw || j < nh) {
		int d = i == nw ? 1 : j == nh ? -1 : cmp_key(&want[i], &have[j]);
		if (!d) {
			i++, j++;
			continue;
		}
		if (d < 0) {
			xc_docid docid;
			if (qr_corpus_find(k->c, want[i].post, &docid) == QR_NOT_FOUND) {
				absent++;
			} else if (++lacking <= SHOW) {
				jfound(k, QR_FOUND_DAMAGE, "post %s lacks the code '%s' that the journal gives it", want[i].post,
				       want[i].code);
			}
			i++;
		} else {
			if (++extra <= SHOW)
				jfound(k, QR_FOUND_DAMAGE, "post %s has the code '%s', which the journal does not give it",
				       have[j].post, have[j].code);
			j++;
		}
	}
	if (lacking > SHOW || extra > SHOW)
		jfound(k, QR_FOUND_DAMAGE, "%" PRIu64 " codes the journal gives are not in the index, %" PRIu64
		       " codes of the index are not in the journal", lacking, extra);
	if (absent)
		jfound(k, QR_FOUND_INFO, "%" PRIu64 " codes the journal gives belong to posts the corpus does not hold",
		       absent);
	k->st->code_differences = lacking + extra;
}

int qr_check_journal(qr_corpus *c, qr_finding_fn fn, void *ctx, qr_check_stats *stats)
{
	struct jcheck k = { c, fn, ctx, stats, QR_BUF_INIT, NULL, 0, 0, 0, NULL, false };
	qr_journal *j = qr_corpus_journal(c);
	uint64_t size = qr_journal_size(j), applied = qr_corpus_journal_applied(c);
	struct pair *have = NULL;
	size_t nhave = 0;
	qr_journal_stats w;
	int st;
	qr_journal_stats_init(&w);
	stats->journal_bytes = size;
	if ((st = qr_journal_walk(j, 0, collect, &k, &w)))
		goto out;
	stats->journal_damaged = w.damaged_live;
	if (w.damaged_live)
		jfound(&k, QR_FOUND_DAMAGE, "the journal '%s' has %" PRIu64 " damaged entr%s (the first: %s): "
		       "'quire check --repair' writes the index's codes into it again",
		       qr_journal_path(j), w.damaged, w.damaged == 1 ? "y" : "ies", w.damage.buf);
	else if (w.damaged)
		jfound(&k, QR_FOUND_NOTE, "the journal '%s' has %" PRIu64 " damaged entr%s (the first: %s), before "
		       "a snapshot of the codes that a repair wrote after them: they no longer count",
		       qr_journal_path(j), w.damaged, w.damaged == 1 ? "y" : "ies", w.damage.buf);
	if (w.torn || w.unfinished)
		jfound(&k, QR_FOUND_NOTE, "the journal '%s' ends with %s (an interrupted 'quire tag' or 'events "
		       "apply' whose changes never reached the index; the next writer cuts it off)",
		       qr_journal_path(j), w.unfinished ? "an operation without its last parts" : "an entry cut short");
	if (applied > size) {
		jfound(&k, QR_FOUND_DAMAGE, "the journal '%s' holds %" PRIu64 " bytes, fewer than the %" PRIu64
		       " the index has applied: 'quire check --repair' writes the index's codes into it again",
		       qr_journal_path(j), size, applied);
		goto out;
	}
	if (applied < w.end && !w.damaged_live)
		jfound(&k, QR_FOUND_NOTE, "the index has applied %" PRIu64 " of the journal's %" PRIu64
		       " bytes (a writer stopped half way; the next writer applies the rest)",
		       applied, w.end);
	if ((st = index_pairs(&k, &have, &nhave)))
		goto out;
	if (!size) {
		/* A corpus from before the journal: nothing to compare yet. */
		if (nhave)
			jfound(&k, QR_FOUND_NOTE, "the index holds codes that the journal does not yet (a corpus from "
			       "before the journal: the next writer writes them into it)");
		goto out;
	}
	k.n = settle(k.v, k.n);
	if (!w.damaged_live && applied == w.end)
		compare(&k, k.v, k.n, have, nhave);
	qr_buf digest = QR_BUF_INIT;
	qr_events_applied(c, &digest);
	if (k.any_events && applied == w.end && strcmp(digest.buf, k.events) != 0)
		jfound(&k, QR_FOUND_DAMAGE, "the posts' events are not those of the catalogue the journal last applied "
		       "('quire check --repair' or 'quire events apply' applies it again)");
	qr_buf_release(&digest);
out:
	if (st)
		jfound(&k, QR_FOUND_DAMAGE, "cannot check the journal: %s",
		       *qr_corpus_error(c) ? qr_corpus_error(c) : qr_journal_error(j));
	clear_pairs(k.v, k.n);
	free(k.v);
	clear_pairs(have, nhave);
	free(have);
	free(k.events);
	qr_buf_release(&k.msg);
	qr_journal_stats_release(&w);
	return 0;
}
