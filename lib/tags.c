#include "tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "schema.h"
#include "status.h"
#include "text.h"

/* Posts rewritten between two commits. */
#define BATCH 10000

static bool code_byte(unsigned char ch)
{
	return ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       strchr("_.:-/", ch);
}

bool qr_tag_code(const char *s, qr_buf *out)
{
	size_t n = strlen(s);
	if (n == 0 || n > QR_TAG_MAX || !qr_utf8_valid(s, n, NULL) || s[0] == '-' || s[0] == '+')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!code_byte((unsigned char)s[i]))
			return false;
	qr_buf_reset(out);
	qr_casefold(out, s, n);
	return true;
}

void qr_tag_tally_release(qr_tag_tally *t)
{
	free(t->added);
	free(t->removed);
	t->added = t->removed = NULL;
}

/* Give p the codes of add and take those of del; true when that changed
 * them.  The counters (may be NULL) count per code. */
static bool recode(qr_post *p, const qr_strv *add, const qr_strv *del, uint64_t *added, uint64_t *removed)
{
	bool changed = false;
	for (size_t k = 0; k < add->n; k++) {
		if (!qr_strv_contains(&p->tags, add->v[k], false)) {
			qr_strv_push(&p->tags, add->v[k]);
			if (added)
				added[k]++;
			changed = true;
		}
	}
	for (size_t k = 0; k < del->n; k++) {
		if (qr_strv_remove(&p->tags, del->v[k])) {
			if (removed)
				removed[k]++;
			changed = true;
		}
	}
	return changed;
}

/* Commit every BATCH rewritten posts, so that memory stays bounded. */
static int rewrite(qr_corpus *c, xc_docid id, const qr_post *p)
{
	int st = qr_corpus_update_post(c, id, p);
	if (!st && qr_corpus_pending(c) >= BATCH)
		st = qr_corpus_commit(c);
	return st;
}

/* The change into the journal, in parts of QR_JOURNAL_PART_POSTS posts. */
static int journal_change(qr_corpus *c, const qr_tag_change *ch, uint64_t matched, const qr_strv *posts,
			  int64_t *seq)
{
	qr_journal *j = qr_corpus_journal(c);
	qr_buf buf = QR_BUF_INIT;
	qr_jw w;
	int st = 0;
	size_t parts = (posts->n + QR_JOURNAL_PART_POSTS - 1) / QR_JOURNAL_PART_POSTS;
	*seq = 0;
	for (size_t part = 0; part < parts && !st; part++) {
		qr_journal_begin_as(j, &w, &buf, "tag", ch->who);
		qr_jw_kstr(&w, "query", ch->query);
		qr_jw_kstr(&w, "restored_from", ch->restored_from);
		qr_strv_to_json(ch->add, &w, "add");
		qr_strv_to_json(ch->del, &w, "remove");
		qr_jw_kint(&w, "matched", (int64_t)matched);
		qr_jw_kint(&w, "changed", (int64_t)posts->n);
		if (parts > 1) {
			qr_jw_kint(&w, "part", (int64_t)part + 1);
			qr_jw_kint(&w, "parts", (int64_t)parts);
		}
		qr_jw_key(&w, "posts");
		qr_jw_begin_array(&w);
		size_t end = (part + 1) * QR_JOURNAL_PART_POSTS;
		for (size_t i = part * QR_JOURNAL_PART_POSTS; i < posts->n && i < end; i++)
			qr_jw_string(&w, posts->v[i]);
		qr_jw_end_array(&w);
		if (!*seq)
			*seq = qr_journal_next_seq(j);
		st = qr_journal_append(j, &w, &buf);
	}
	qr_buf_release(&buf);
	return st ? qr_corpus_fail(c, st, "cannot write the journal: %s", qr_journal_error(j)) : 0;
}

int qr_tags_apply(qr_corpus *c, const xc_docid *ids, size_t n, const qr_tag_change *ch, bool dry_run,
		  qr_tag_tally *t)
{
	xc_docid *chg = qr_calloc(n ? n : 1, sizeof(*chg));
	qr_strv post_ids = { 0 };
	size_t nchg = 0;
	qr_post p;
	int st = 0;

	memset(t, 0, sizeof(*t));
	t->added = qr_calloc(ch->add->n + 1, sizeof(*t->added));
	t->removed = qr_calloc(ch->del->n + 1, sizeof(*t->removed));
	qr_post_init(&p);
	/* First which posts change, with nothing written... */
	for (size_t i = 0; i < n && !st; i++) {
		qr_post_clear(&p);
		qr_post_init(&p);
		if ((st = qr_corpus_load_post(c, ids[i], &p)))
			break;
		t->matched++;
		if (!recode(&p, ch->add, ch->del, t->added, t->removed))
			continue;
		t->changed++;
		chg[nchg++] = ids[i];
		qr_strv_push(&post_ids, p.id ? p.id : "");
	}
	if (st || dry_run || !nchg)
		goto out;
	/* ...then the journal, which the first commit syncs before the
	 * index commits anything... */
	if ((st = journal_change(c, ch, t->matched, &post_ids, &t->seq)))
		goto out;
	/* ...then the posts. */
	for (size_t i = 0; i < nchg && !st; i++) {
		qr_post_clear(&p);
		qr_post_init(&p);
		if (!(st = qr_corpus_load_post(c, chg[i], &p)) && recode(&p, ch->add, ch->del, NULL, NULL))
			st = rewrite(c, chg[i], &p);
	}
	if (!st && !(st = qr_corpus_set_journal_applied(c, qr_journal_size(qr_corpus_journal(c)))))
		st = qr_corpus_commit(c);
out:
	qr_post_clear(&p);
	qr_strv_clear(&post_ids);
	free(chg);
	return st;
}

/* The strings of a JSON array into sv (codes are checked again: the
 * journal is read like any input). */
static bool codes_of(const cJSON *arr, qr_strv *sv)
{
	qr_buf code = QR_BUF_INIT;
	bool ok = true;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it) || !qr_tag_code(it->valuestring, &code)) {
			ok = false;
			break;
		}
		qr_strv_push(sv, code.buf);
	}
	qr_buf_release(&code);
	return ok;
}

/* Apply add and del to the corpus's post named id. */
static int recode_post(qr_corpus *c, const char *id, const qr_strv *add, const qr_strv *del, uint64_t *changed,
		       uint64_t *missing)
{
	xc_docid docid;
	qr_post p;
	int st = qr_corpus_find(c, id, &docid);
	if (st == QR_NOT_FOUND) {
		if (missing)
			(*missing)++;
		return 0;
	}
	if (st)
		return st;
	qr_post_init(&p);
	if (!(st = qr_corpus_load_post(c, docid, &p)) && recode(&p, add, del, NULL, NULL)) {
		st = rewrite(c, docid, &p);
		if (!st && changed)
			(*changed)++;
	}
	qr_post_clear(&p);
	return st;
}

int qr_tags_replay(qr_corpus *c, const qr_journal_entry *e, uint64_t *changed, uint64_t *missing)
{
	qr_strv add = { 0 }, del = { 0 };
	const cJSON *posts = qr_journal_list(e, "posts"), *it;
	int st = 0;
	if (!posts || !codes_of(qr_journal_list(e, "add"), &add) || !codes_of(qr_journal_list(e, "remove"), &del)) {
		st = qr_corpus_fail(c, QR_DAMAGED, "journal entry %lld (byte %llu) is not a valid change of codes",
				    (long long)e->seq, (unsigned long long)e->offset);
		goto out;
	}
	cJSON_ArrayForEach(it, posts)
	{
		if (cJSON_IsString(it) && (st = recode_post(c, it->valuestring, &add, &del, changed, missing)))
			break;
	}
out:
	qr_strv_clear(&add);
	qr_strv_clear(&del);
	return st;
}

/* ---- snapshots: every code of the index at once ---- */

int qr_tags_terms(qr_corpus *c, qr_strv *terms)
{
	xc_db *db = qr_corpus_db(c);
	xc_termiter *it = NULL;
	const char *t;
	size_t tl;
	if (xc_db_allterms(db, QR_P_TAG, &it) != XC_OK)
		return qr_corpus_fail(c, QR_INTERNAL, "cannot list the codes: %s", xc_db_error(db));
	while (xc_termiter_next(it, &t, &tl, NULL) == XC_OK)
		qr_strv_pushn(terms, t, tl);
	xc_termiter_destroy(it);
	return 0;
}

/* Take every code off every post that has one. */
static int clear_codes(qr_corpus *c, uint64_t *changed)
{
	xc_db *db = qr_corpus_db(c);
	qr_strv terms = { 0 };
	int st = qr_tags_terms(c, &terms);
	size_t plen = strlen(QR_P_TAG);
	for (size_t k = 0; k < terms.n && !st; k++) {
		/* Posts are rewritten as they go: their ids first. */
		xc_postiter *pi = NULL;
		xc_docid *ids = NULL, id;
		size_t n = 0, alloc = 0;
		if (xc_db_postlist(db, terms.v[k], strlen(terms.v[k]), &pi) != XC_OK) {
			st = qr_corpus_fail(c, QR_INTERNAL, "cannot list the posts of a code: %s", xc_db_error(db));
			break;
		}
		while (xc_postiter_next(pi, &id) == XC_OK) {
			ids = qr_grow_array(ids, sizeof(*ids), n + 1, &alloc);
			ids[n++] = id;
		}
		xc_postiter_destroy(pi);
		qr_strv none = { 0 }, del = { 0 };
		qr_strv_push(&del, terms.v[k] + plen);
		for (size_t i = 0; i < n && !st; i++) {
			qr_post p;
			qr_post_init(&p);
			if (!(st = qr_corpus_load_post(c, ids[i], &p)) && recode(&p, &none, &del, NULL, NULL)) {
				st = rewrite(c, ids[i], &p);
				if (!st && changed)
					(*changed)++;
			}
			qr_post_clear(&p);
		}
		qr_strv_clear(&del);
		free(ids);
	}
	qr_strv_clear(&terms);
	return st;
}

/* A "snapshot" entry: {"codes": {"code": [post ids], ...}} (its first part
 * takes every code off first). */
static int replay_snapshot(qr_corpus *c, const qr_journal_entry *e, uint64_t *changed, uint64_t *missing)
{
	const cJSON *codes = cJSON_GetObjectItemCaseSensitive(e->json, "codes"), *code, *it;
	qr_strv add = { 0 }, none = { 0 };
	qr_buf name = QR_BUF_INIT;
	int st = 0;
	if (!cJSON_IsObject(codes))
		return qr_corpus_fail(c, QR_DAMAGED, "journal entry %lld (byte %llu) is not a valid snapshot of codes",
				      (long long)e->seq, (unsigned long long)e->offset);
	if (e->part == 1 && (st = clear_codes(c, changed)))
		return st;
	cJSON_ArrayForEach(code, codes)
	{
		if (!code->string || !qr_tag_code(code->string, &name) || !cJSON_IsArray(code)) {
			st = qr_corpus_fail(c, QR_DAMAGED, "journal entry %lld (byte %llu) holds a malformed code",
					    (long long)e->seq, (unsigned long long)e->offset);
			break;
		}
		qr_strv_clear(&add);
		qr_strv_push(&add, name.buf);
		cJSON_ArrayForEach(it, code)
		{
			if (cJSON_IsString(it) && (st = recode_post(c, it->valuestring, &add, &none, changed, missing)))
				break;
		}
		if (st)
			break;
	}
	qr_strv_clear(&add);
	qr_buf_release(&name);
	return st;
}

/* The index's codes as (code, post ids), appended to the journal as a
 * snapshot in parts of at most QR_JOURNAL_PART_POSTS posts. */
static int journal_snapshot(qr_corpus *c, uint64_t *codes_out, uint64_t *pairs_out)
{
	xc_db *db = qr_corpus_db(c);
	qr_journal *j = qr_corpus_journal(c);
	qr_strv terms = { 0 }, entries = { 0 };
	qr_buf buf = QR_BUF_INIT, part = QR_BUF_INIT;
	size_t plen = strlen(QR_P_TAG), in_part = 0;
	*codes_out = *pairs_out = 0;
	int st = qr_tags_terms(c, &terms);
	/* Each part's "codes" object, as JSON text, built first: the number
	 * of parts goes into every part. */
	qr_jw w;
	qr_jw_init(&w, &part, false);
	qr_jw_begin_object(&w);
	for (size_t k = 0; k < terms.n && !st; k++) {
		xc_postiter *pi = NULL;
		xc_docid id;
		bool open = false;
		if (xc_db_postlist(db, terms.v[k], strlen(terms.v[k]), &pi) != XC_OK) {
			st = qr_corpus_fail(c, QR_INTERNAL, "cannot list the posts of a code: %s", xc_db_error(db));
			break;
		}
		(*codes_out)++;
		while (!st && xc_postiter_next(pi, &id) == XC_OK) {
			qr_post p;
			qr_post_init(&p);
			if (!(st = qr_corpus_load_post(c, id, &p)) && p.id) {
				if (in_part == QR_JOURNAL_PART_POSTS) {
					if (open)
						qr_jw_end_array(&w);
					qr_jw_end_object(&w);
					qr_strv_pushn(&entries, part.buf, part.len);
					qr_buf_reset(&part);
					qr_jw_init(&w, &part, false);
					qr_jw_begin_object(&w);
					open = false;
					in_part = 0;
				}
				if (!open) {
					qr_jw_key(&w, terms.v[k] + plen);
					qr_jw_begin_array(&w);
					open = true;
				}
				qr_jw_string(&w, p.id);
				in_part++;
				(*pairs_out)++;
			}
			qr_post_clear(&p);
		}
		if (open)
			qr_jw_end_array(&w);
		xc_postiter_destroy(pi);
	}
	qr_jw_end_object(&w);
	qr_strv_pushn(&entries, part.buf, part.len);
	for (size_t i = 0; i < entries.n && !st; i++) {
		qr_journal_begin(j, &w, &buf, "snapshot");
		if (entries.n > 1) {
			qr_jw_kint(&w, "part", (int64_t)i + 1);
			qr_jw_kint(&w, "parts", (int64_t)entries.n);
		}
		qr_jw_key(&w, "codes");
		qr_jw_raw(&w, entries.v[i], strlen(entries.v[i]));
		if ((st = qr_journal_append(j, &w, &buf)))
			st = qr_corpus_fail(c, st, "cannot write the journal: %s", qr_journal_error(j));
	}
	qr_strv_clear(&terms);
	qr_strv_clear(&entries);
	qr_buf_release(&buf);
	qr_buf_release(&part);
	return st;
}

int qr_journal_adopt(qr_corpus *c, bool force, qr_buf *report)
{
	qr_journal *j = qr_corpus_journal(c);
	uint64_t codes = 0, pairs = 0, size = qr_journal_size(j), applied = qr_corpus_journal_applied(c);
	bool events = false;
	int st;
	if (!force && size && size >= applied)
		return 0;
	if (!size && !applied) {
		/* Nothing to adopt in a corpus without codes or events. */
		qr_strv terms = { 0 };
		qr_buf digest = QR_BUF_INIT;
		qr_tags_terms(c, &terms);
		qr_events_applied(c, &digest);
		bool any = terms.n || digest.len;
		qr_strv_clear(&terms);
		qr_buf_release(&digest);
		if (!any)
			return 0;
	}
	if ((st = journal_snapshot(c, &codes, &pairs)))
		return st;
	/* The catalogue the posts' events came from, when the corpus's copy
	 * is still it. */
	qr_events *ev = NULL;
	qr_strv problems = { 0 };
	qr_buf digest = QR_BUF_INIT, err = QR_BUF_INIT;
	qr_events_applied(c, &digest);
	if (digest.len && qr_events_load_corpus(c, &ev, &problems) == 0 && strcmp(ev->digest, digest.buf) == 0) {
		if ((st = qr_events_journal(c, ev, &err)))
			qr_corpus_fail(c, st, "%s", err.buf);
		events = !st;
	}
	qr_events_free(ev);
	qr_strv_clear(&problems);
	qr_buf_release(&digest);
	qr_buf_release(&err);
	if (st)
		return st;
	if ((st = qr_corpus_set_journal_applied(c, qr_journal_size(j))) || (st = qr_corpus_commit(c)))
		return st;
	if (report)
		qr_buf_addf(report, "%swrote the index's %llu codes (on %llu posts)%s into the journal '%s'",
			    report->len ? "; " : "", (unsigned long long)codes, (unsigned long long)pairs,
			    events ? " and its event catalogue" : "", qr_journal_path(j));
	return 0;
}

/* ---- replay ---- */

struct replay {
	qr_corpus *c;
	uint64_t entries, changed, missing;
	cJSON *events;          /* the last catalogue entry, a copy */
};

static int replay_entry(void *ctx, const qr_journal_entry *e)
{
	struct replay *r = ctx;
	r->entries++;
	if (strcmp(e->op, "tag") == 0)
		return qr_tags_replay(r->c, e, &r->changed, &r->missing);
	if (strcmp(e->op, "snapshot") == 0)
		return replay_snapshot(r->c, e, &r->changed, &r->missing);
	if (strcmp(e->op, "events") == 0) {
		/* Each catalogue gives every post its events: the last wins. */
		cJSON_Delete(r->events);
		r->events = cJSON_Duplicate(e->json, true);
		return 0;
	}
	/* An operation of a later quire: nothing this one can do with it. */
	return 0;
}

int qr_journal_replay(qr_corpus *c, bool from_start, qr_buf *report)
{
	qr_journal *j = qr_corpus_journal(c);
	uint64_t from = from_start ? 0 : qr_corpus_journal_applied(c);
	struct replay r = { c, 0, 0, 0, NULL };
	qr_journal_stats w;
	int st;
	if (!j)
		return 0;
	if (from > qr_journal_size(j))
		return qr_corpus_fail(c, QR_DAMAGED,
				      "the journal '%s' holds %llu bytes, fewer than the %llu the index has applied "
				      "('quire check --repair' writes the index's codes into it again)",
				      qr_journal_path(j), (unsigned long long)qr_journal_size(j), (unsigned long long)from);
	if (from == qr_journal_size(j))
		return 0;
	qr_journal_stats_init(&w);
	st = qr_journal_walk(j, from, replay_entry, &r, &w);
	qr_events_apply_counts ec = { 0, 0 };
	if (!st && r.events) {
		qr_events *ev = NULL;
		qr_strv problems = { 0 };
		qr_buf err = QR_BUF_INIT;
		if ((st = qr_events_from_journal(r.events, &ev, &problems)) == 0)
			st = qr_events_reapply_corpus(c, ev, &ec, &err);
		else
			qr_buf_setf(&err, "the event catalogue in the journal cannot be read: %s",
				    problems.n ? problems.v[0] : "no files");
		if (st)
			qr_corpus_fail(c, st, "%s", err.buf);
		qr_events_free(ev);
		qr_strv_clear(&problems);
		qr_buf_release(&err);
	}
	if (!st && !(st = qr_corpus_set_journal_applied(c, w.end)))
		st = qr_corpus_commit(c);
	if (!st && report && w.entries) {
		qr_buf_addf(report, "%sreplayed %llu journal entr%s: codes rewritten on %llu posts (%llu not in the corpus)",
			    report->len ? "; " : "", (unsigned long long)w.entries, w.entries == 1 ? "y" : "ies",
			    (unsigned long long)r.changed, (unsigned long long)r.missing);
		if (r.events)
			qr_buf_addf(report, ", the event catalogue applied to %llu posts (%llu changed)",
				    (unsigned long long)ec.posts, (unsigned long long)ec.changed);
	}
	if (!st && report && w.damaged)
		qr_buf_addf(report, "%sthe journal is damaged (%s; %llu damaged entr%s skipped: 'quire check' tells more)",
			    report->len ? "; " : "", w.damage.buf, (unsigned long long)w.damaged,
			    w.damaged == 1 ? "y" : "ies");
	cJSON_Delete(r.events);
	qr_journal_stats_release(&w);
	return st;
}

int qr_journal_catch_up(qr_corpus *c, bool repair, bool from_start, qr_buf *report)
{
	qr_journal *j = qr_corpus_journal(c);
	uint64_t applied = qr_corpus_journal_applied(c);
	qr_buf what = QR_BUF_INIT, damage = QR_BUF_INIT;
	qr_journal_stats w;
	int st = qr_journal_recover(j, applied, &what);
	if (st == QR_DAMAGED) {
		qr_buf_setf(&damage, "%s", qr_journal_error(j));
		st = 0;
	} else if (st) {
		qr_corpus_fail(c, st, "%s", qr_journal_error(j));
		goto out;
	}
	if (what.len && report)
		qr_buf_addf(report, "%s%s", report->len ? "; " : "", what.buf);
	qr_journal_stats_init(&w);
	if (!damage.len && !(st = qr_journal_walk(j, 0, NULL, NULL, &w))) {
		if (w.damaged_live)
			qr_buf_setf(&damage, "the journal '%s' is damaged: %s", qr_journal_path(j), w.damage.buf);
		else if (qr_journal_size(j) < applied)
			qr_buf_setf(&damage, "the journal '%s' holds %llu bytes, fewer than the %llu the index has applied",
				    qr_journal_path(j), (unsigned long long)qr_journal_size(j), (unsigned long long)applied);
	}
	qr_journal_stats_release(&w);
	if (st) {
		qr_corpus_fail(c, st, "%s", qr_journal_error(j));
		goto out;
	}
	if (!damage.len) {
		if (!repair)
			st = qr_journal_adopt(c, false, report);
		if (!st)
			st = qr_journal_replay(c, from_start, report);
		goto out;
	}
	if (!repair) {
		st = qr_corpus_fail(c, QR_DAMAGED, "%s ('quire check --repair' writes the index's codes into it again)",
				    damage.buf);
		goto out;
	}
	/* A damaged journal cannot be replayed safely over an index that has
	 * the codes (an entry lost between an addition and a removal would
	 * bring a code back); an index rebuilt from nothing gets what the
	 * journal still holds.  Either way the index's codes are then written
	 * into the journal whole, so that it is sound from here on. */
	if (report)
		qr_buf_addf(report, "%s%s", report->len ? "; " : "", damage.buf);
	if (!applied && qr_journal_size(j)) {
		qr_buf_reset(&what);
		st = qr_journal_replay(c, true, &what);
		if (!st && report && what.len)
			qr_buf_addf(report, "; %s (what the damaged journal still holds: codes of its damaged entries are lost)",
				    what.buf);
	}
	if (!st)
		st = qr_journal_adopt(c, true, report);
out:
	qr_buf_release(&what);
	qr_buf_release(&damage);
	return st;
}
