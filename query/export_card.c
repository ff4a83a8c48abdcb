/*
 * What a bag says about itself (export.h): the inputs the posts came from,
 * the events and codes they carry, the Frictionless Data Package, the data
 * card (data/README.md), CITATION.cff and the labels of bag-info.txt.
 * Counts come from the index's terms (exact, no post loaded); nothing that
 * only this corpus knows goes into the payload.
 */
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "events.h"
#include "hash.h"
#include "export.h"
#include "federation.h"
#include "io.h"
#include "journal.h"
#include "json.h"
#include "schema.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"
#include "version.h"

/* Hashtags taken as keywords, the most frequent first. */
#define KEYWORD_HASHTAGS 10
/* Rows of the data card's per-day table before it is cut. */
#define CARD_DAYS 400

/* ---- sources ---- */

static bool has_source(const qr_export *x, uint32_t shard, uint32_t n)
{
	uint64_t key = (uint64_t)shard << 32 | n;
	size_t lo = 0, hi = x->nsources;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (x->sources[mid] == key)
			return true;
		if (x->sources[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void copy_strings(qr_jw *w, const cJSON *o, const char *key)
{
	const cJSON *a = qr_json_get(o, key), *item;
	if (!cJSON_IsArray(a))
		return;
	qr_jw_key(w, key);
	qr_jw_begin_array(w);
	cJSON_ArrayForEach(item, a)
		if (cJSON_IsString(item))
			qr_jw_string(w, item->valuestring);
	qr_jw_end_array(w);
}

/*
 * A sources.jsonl line without what only this corpus knows (its number,
 * the times of the reading).  An input restored from a bag keeps the
 * status it had where it was collected ("collected_status"; its own status
 * is "restored"), so the line reads the same in both corpora.
 */
static void portable_source(qr_buf *out, const cJSON *o)
{
	static const char *const counts[] = { "records", "posts_added", "posts_updated", "duplicates", "rejected",
					       "skipped", NULL };
	qr_jw w;
	int64_t v;
	qr_jw_init(&w, out, false);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "path", qr_json_str(o, "path"));
	if (qr_json_int(o, "size", &v))
		qr_jw_kint(&w, "size", v);
	qr_jw_kstr(&w, "sha256", qr_json_str(o, "sha256"));
	copy_strings(&w, o, "formats");
	copy_strings(&w, o, "containers");
	const char *status = qr_json_str(o, "status");
	if (status && strcmp(status, "restored") == 0)
		status = qr_json_str(o, "collected_status");
	qr_jw_kstr(&w, "status", status);
	for (size_t i = 0; counts[i]; i++)
		if (qr_json_int(o, counts[i], &v))
			qr_jw_kint(&w, counts[i], v);
	copy_strings(&w, o, "notes");
	qr_jw_end_object(&w);
}

static int by_line(const void *a, const void *b)
{
	const qr_export_source *x = a, *y = b;
	int c = strcmp(x->line, y->line);
	return c ? c : (x->number > y->number) - (x->number < y->number);
}

int qr_export_sources(qr_export *x)
{
	qr_buf line = QR_BUF_INIT;
	size_t alloc = 0;
	if (x->nsources > 1)
		qsort(x->sources, x->nsources, sizeof(*x->sources), cmp_u64);
	size_t n = 0;
	for (size_t i = 0; i < x->nsources; i++)
		if (!n || x->sources[n - 1] != x->sources[i])
			x->sources[n++] = x->sources[i];
	x->nsources = n;
	qr_export_lines lines;
	int st = x->nsources ? qr_export_read_sources(x, &lines) : 0;
	for (size_t i = 0; x->nsources && !st && i < lines.n; i++) {
		const qr_export_line *l = &lines.v[i];
		int64_t num;
		if (!qr_json_int(l->o, "number", &num) || num <= 0 || num > UINT32_MAX ||
		    !has_source(x, l->shard, (uint32_t)num))
			continue;
		/* a federation's input: what its shards read of it together */
		const cJSON *o = l->whole ? l->whole : l->o;
		qr_buf_reset(&line);
		portable_source(&line, o);
		x->inputs = qr_grow_array(x->inputs, sizeof(*x->inputs), x->ninputs + 1, &alloc);
		qr_export_source *in = &x->inputs[x->ninputs++];
		in->shard = l->shard;
		in->number = (uint32_t)num;
		in->line = qr_strdup(line.buf);
		in->sha256 = qr_json_str(o, "sha256") ? qr_strdup(qr_json_str(o, "sha256")) : NULL;
	}
	if (x->nsources)
		qr_export_lines_free(&lines);
	if (x->ninputs > 1)
		qsort(x->inputs, x->ninputs, sizeof(*x->inputs), by_line);
	qr_buf_release(&line);
	return st;
}

static int write_sources(qr_export *x)
{
	qr_bag_file *f = qr_bag_open(x->bag, "sources.jsonl", &x->err);
	if (!f)
		return QR_IO;
	for (size_t i = 0; i < x->ninputs; i++)
		if (i == 0 || strcmp(x->inputs[i - 1].line, x->inputs[i].line) != 0)
			fprintf(f->f, "%s\n", x->inputs[i].line);
	return qr_bag_close(x->bag, f, &x->err);
}

/* ---- counts ---- */

struct card {
	qr_export *x;
	qr_counts platforms, kinds, langs, events, codes, hashtags;
	qr_counts days;              /* "YYYY-MM-DD" */
	qr_events *catalogue;
	qr_strv event_files;         /* data/events/ files written */
	qr_buf text;
};

static int count(struct card *k, const char *prefix, uint32_t top, qr_counts *out)
{
	int st = qr_count_terms(qr_corpus_db(k->x->c), k->x->q, prefix, top, NULL, out, &k->x->err);
	return st;
}

/* Posts per day from the minute slot (minutes come in time order). */
static int count_days(struct card *k)
{
	qr_counts minutes = { 0 };
	int st = qr_count_values(qr_corpus_db(k->x->c), k->x->q, QR_SLOT_MINUTE, &minutes, &k->x->err);
	size_t alloc = 0;
	for (size_t i = 0; !st && i < minutes.n; i++) {
		const char *m = minutes.v[i].value;
		if (strlen(m) < 8)
			continue;
		char day[16];
		snprintf(day, sizeof(day), "%.4s-%.2s-%.2s", m, m + 4, m + 6);
		if (k->days.n && strcmp(k->days.v[k->days.n - 1].value, day) == 0) {
			k->days.v[k->days.n - 1].count += minutes.v[i].count;
			continue;
		}
		k->days.v = qr_grow_array(k->days.v, sizeof(*k->days.v), k->days.n + 1, &alloc);
		k->days.v[k->days.n++] = (qr_count){ qr_strdup(day), minutes.v[i].count };
	}
	qr_counts_clear(&minutes);
	return st;
}

static int count_all(struct card *k)
{
	int st;
	if ((st = count(k, QR_P_PLATFORM, 0, &k->platforms)) || (st = count(k, QR_P_KIND, 0, &k->kinds)) ||
	    (st = count(k, QR_P_LANG, 0, &k->langs)) || (st = count(k, QR_P_EVENT, 0, &k->events)) ||
	    (st = count(k, QR_P_TAG, 0, &k->codes)) || (st = count(k, QR_P_HASHTAG, KEYWORD_HASHTAGS, &k->hashtags)))
		return st;
	return count_days(k);
}

/* ---- events and codes ---- */

static int write_events(struct card *k)
{
	qr_strv problems = { 0 };
	int st = 0;
	qr_events_load_corpus(k->x->c, &k->catalogue, &problems);
	qr_strv_clear(&problems);
	for (size_t i = 0; i < k->events.n && !st; i++) {
		const qr_event *e = k->catalogue ? qr_events_find(k->catalogue, k->events.v[i].value) : NULL;
		if (!e || !e->file)
			continue;
		for (size_t f = 0; f < k->catalogue->names.n && !st; f++) {
			if (strcmp(k->catalogue->names.v[f], e->file) != 0 || qr_strv_contains(&k->event_files, e->file, false))
				continue;
			qr_buf rel = QR_BUF_INIT;
			qr_buf_setf(&rel, "events/%s", e->file);
			const char *body = k->catalogue->contents.v[f];
			st = qr_bag_write(k->x->bag, rel.buf, body, strlen(body), &k->x->err);
			qr_strv_push(&k->event_files, e->file);
			qr_buf_release(&rel);
		}
	}
	return st;
}

static int by_value(const void *a, const void *b)
{
	return strcmp(((const qr_count *)a)->value, ((const qr_count *)b)->value);
}

/* Codes in byte order with their counts.  The history of each code (the
 * tag journal) will sit beside "codes". */
static int write_codebook(struct card *k)
{
	qr_buf out = QR_BUF_INIT;
	qr_jw w;
	if (k->codes.n > 1)
		qsort(k->codes.v, k->codes.n, sizeof(*k->codes.v), by_value);
	qr_jw_init(&w, &out, true);
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "codebook_version", 1);
	qr_jw_key(&w, "codes");
	qr_jw_begin_array(&w);
	for (size_t i = 0; i < k->codes.n; i++) {
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "code", k->codes.v[i].value);
		qr_jw_kint(&w, "posts", k->codes.v[i].count);
		qr_jw_end_object(&w);
	}
	qr_jw_end_array(&w);
	qr_jw_end_object(&w);
	qr_buf_addch(&out, '\n');
	int st = qr_bag_write(k->x->bag, "codebook.json", out.buf, out.len, &k->x->err);
	qr_buf_release(&out);
	return st;
}

/* ---- the codes' history ---- */

/* One operation of the journal as the bag gives it: its changes of codes
 * on the bag's posts alone (parts of one operation gathered). */
struct hist_op {
	bool open;
	char *time, *user, *command, *query;
	qr_strv add, del, posts;
	/* a snapshot: each code and its posts */
	qr_strv codes;
	qr_strv *code_posts;
};

struct hist {
	qr_export *x;                /* post_keys sorted */
	struct hist_op op;
	qr_buf out;
	uint64_t last_snapshot;      /* offset of the last snapshot, first pass */
	bool any_snapshot;
	uint64_t lines;
};

void qr_export_post_key(const char *id, uint8_t key[QR_EXPORT_KEY])
{
	uint8_t sum[QR_SHA256_LEN];
	qr_sha256(id, strlen(id), sum);
	memcpy(key, sum, QR_EXPORT_KEY);
}

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, QR_EXPORT_KEY);
}

/* Whether a post is in the bag: its key among the bag's (two ids with the
 * same 128 bits of sha256 are not to be met). */
static bool in_bag(const struct hist *h, const char *id)
{
	uint8_t key[QR_EXPORT_KEY];
	if (!h->x->nposts_keys)
		return false;
	qr_export_post_key(id, key);
	return bsearch(key, h->x->post_keys, h->x->nposts_keys, QR_EXPORT_KEY, cmp_key) != NULL;
}

static void hist_op_clear(struct hist_op *op)
{
	free(op->time);
	free(op->user);
	free(op->command);
	free(op->query);
	qr_strv_clear(&op->add);
	qr_strv_clear(&op->del);
	qr_strv_clear(&op->posts);
	for (size_t i = 0; i < op->codes.n; i++)
		qr_strv_clear(&op->code_posts[i]);
	free(op->code_posts);
	qr_strv_clear(&op->codes);
	memset(op, 0, sizeof(*op));
}

static void push_strings(qr_strv *sv, const cJSON *arr)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it))
			qr_strv_push(sv, it->valuestring);
	}
}

static void push_bag_posts(const struct hist *h, qr_strv *sv, const cJSON *arr)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it) && in_bag(h, it->valuestring))
			qr_strv_push(sv, it->valuestring);
	}
}

/* A line: {"time", "user", "command", "query", "add", "remove", "posts"}
 * (no host: a deposit need not say which machine coded). */
static void hist_line(struct hist *h, const qr_strv *add, const qr_strv *del, const qr_strv *posts)
{
	struct hist_op *op = &h->op;
	qr_jw w;
	if (!posts->n)
		return;
	qr_jw_init(&w, &h->out, false);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "time", op->time);
	qr_jw_kstr(&w, "user", op->user);
	qr_jw_kstr(&w, "command", op->command);
	qr_jw_kstr(&w, "query", op->query ? op->query : "");
	qr_strv_to_json(add, &w, "add");
	qr_strv_to_json(del, &w, "remove");
	qr_strv_to_json(posts, &w, "posts");
	qr_jw_end_object(&w);
	qr_buf_addch(&h->out, '\n');
	h->lines++;
}

static int find_snapshot(void *ctx, const qr_journal_entry *e)
{
	struct hist *h = ctx;
	if (e->part == 1 && strcmp(e->op, "snapshot") == 0) {
		h->last_snapshot = e->offset;
		h->any_snapshot = true;
	}
	return 0;
}

static int hist_entry(void *ctx, const qr_journal_entry *e)
{
	struct hist *h = ctx;
	struct hist_op *op = &h->op;
	bool tag = strcmp(e->op, "tag") == 0, snapshot = strcmp(e->op, "snapshot") == 0;
	if (!tag && !snapshot)
		return 0;
	if (e->part == 1) {
		hist_op_clear(op);
		op->open = true;
		op->time = qr_strdup(qr_json_str(e->json, "time") ? qr_json_str(e->json, "time") : "");
		op->user = qr_strdup(qr_json_str(e->json, "user") ? qr_json_str(e->json, "user") : "");
		op->command = qr_strdup(qr_json_str(e->json, "command") ? qr_json_str(e->json, "command") : "");
		op->query = qr_strdup(qr_json_str(e->json, "query") ? qr_json_str(e->json, "query") : "");
		push_strings(&op->add, qr_journal_list(e, "add"));
		push_strings(&op->del, qr_journal_list(e, "remove"));
	}
	if (!op->open)
		return 0;
	if (tag) {
		push_bag_posts(h, &op->posts, qr_journal_list(e, "posts"));
	} else {
		const cJSON *code;
		cJSON_ArrayForEach(code, cJSON_GetObjectItemCaseSensitive(e->json, "codes"))
		{
			if (!code->string)
				continue;
			size_t k = 0;
			while (k < op->codes.n && strcmp(op->codes.v[k], code->string) != 0)
				k++;
			if (k == op->codes.n) {
				qr_strv_push(&op->codes, code->string);
				op->code_posts = qr_realloc(op->code_posts, op->codes.n * sizeof(*op->code_posts));
				memset(&op->code_posts[k], 0, sizeof(*op->code_posts));
			}
			push_bag_posts(h, &op->code_posts[k], code);
		}
	}
	if (e->part != e->parts)
		return 0;
	if (tag) {
		hist_line(h, &op->add, &op->del, &op->posts);
	} else {
		/* A snapshot says which codes the posts had: a line adding each. */
		qr_strv none = { 0 };
		for (size_t k = 0; k < op->codes.n; k++) {
			qr_strv one = { 0 };
			qr_strv_push(&one, op->codes.v[k]);
			hist_line(h, &one, &none, &op->code_posts[k]);
			qr_strv_clear(&one);
		}
	}
	hist_op_clear(op);
	return 0;
}

/*
 * data/codes-history.jsonl: the journal's changes of codes on the bag's
 * posts, one operation a line, in the order they were made.  A snapshot
 * (written where the journal had to be made anew) sums up everything
 * before it, so the history starts at the last one.  quire ingest replays
 * it, keeping when and by whom, so that a bag exported again from the
 * corpus it was loaded into has the same lines.
 */
/* One journal's lines into h->out. */
static int history_of(struct hist *h, qr_journal *j, const char *where)
{
	qr_export *x = h->x;
	qr_journal_stats w;
	int st = 0;
	hist_op_clear(&h->op);
	h->last_snapshot = 0;
	h->any_snapshot = false;
	qr_journal_stats_init(&w);
	if (j && qr_journal_size(j)) {
		if (!(st = qr_journal_walk(j, 0, find_snapshot, h, &w))) {
			qr_journal_stats_release(&w);
			qr_journal_stats_init(&w);
			st = qr_journal_walk(j, h->any_snapshot ? h->last_snapshot : 0, hist_entry, h, &w);
		}
		if (st)
			qr_buf_setf(&x->err, "cannot read the journal%s: %s", where, qr_journal_error(j));
		else if (w.damaged)
			qr_buf_setf(&x->err, "the journal%s is damaged (%s): run 'quire check'", where, w.damage.buf);
		if (!st && w.damaged)
			st = QR_DAMAGED;
	}
	hist_op_clear(&h->op);
	qr_journal_stats_release(&w);
	return st;
}

/* A federation's history: each shard's lines (a code given through the
 * federation is a line in each shard that holds posts of it, at that
 * shard's time), all in the order of their times. */
static int fed_history(struct hist *h)
{
	qr_export *x = h->x;
	qr_buf *outs = qr_calloc(x->fed->n ? x->fed->n : 1, sizeof(*outs));
	qr_buf name = QR_BUF_INIT;
	int st = 0;
	for (size_t i = 0; i < x->fed->n && !st; i++) {
		qr_buf_init(&outs[i]);
		if (!x->fed->v[i].up)
			continue;
		qr_export_journal ej;
		if ((st = qr_export_journal_open(x, (uint32_t)i + 1, &ej)))
			break;
		qr_buf_reset(&name);
		qr_buf_adds(&name, " of ");
		qr_fed_shard_name(x->fed, &x->fed->v[i], &name);
		qr_buf_reset(&h->out);
		st = history_of(h, ej.j, name.buf);
		qr_export_journal_close(&ej);
		qr_buf tmp = outs[i];
		outs[i] = h->out;
		h->out = tmp;
	}
	if (!st)
		qr_export_merge_by_time(outs, x->fed->n, &h->out);
	for (size_t i = 0; i < x->fed->n; i++)
		qr_buf_release(&outs[i]);
	free(outs);
	qr_buf_release(&name);
	return st;
}

static int write_history(struct card *k)
{
	qr_export *x = k->x;
	struct hist h;
	memset(&h, 0, sizeof(h));
	qr_buf_init(&h.out);
	if (x->nposts_keys > 1)
		qsort(x->post_keys, x->nposts_keys, QR_EXPORT_KEY, cmp_key);
	h.x = x;
	int st = x->fed ? fed_history(&h) : history_of(&h, qr_corpus_journal(x->c), "");
	if (!st)
		st = qr_bag_write(x->bag, "codes-history.jsonl", h.out.buf, h.out.len, &x->err);
	hist_op_clear(&h.op);
	qr_buf_release(&h.out);
	return st;
}

/* ---- datapackage.json ---- */

struct field {
	const char *name, *type, *description;
};

/* What each column of posts.csv holds (print_csv.c writes them): the
 * schema lists the columns of the header actually written, in its order,
 * so it cannot say more or less than the file holds. */
static const struct field fields[] = {
	{ "rank", "integer", "Position of the post in the bag's order, from 1" },
	{ "id", "string", "The post's id in quire: <platform>:<native id>" },
	{ "platform", "string", "Platform the post was made on" },
	{ "native_id", "string", "The platform's own id of the post, as text (ids are longer than a float keeps)" },
	{ "url", "string", "Permalink of the post" },
	{ "created_at", "datetime", "When the post was made, in UTC (ISO 8601); empty when the source has no time" },
	{ "author_id", "string", "The platform's id of the author, as text" },
	{ "author_handle", "string", "The author's handle, without @" },
	{ "author_name", "string", "The author's display name" },
	{ "kind", "string", "original, repost, reply or quote" },
	{ "lang", "string", "Language of the text as the platform or the source gives it (BCP 47, 'und' unknown)" },
	{ "text", "string", "Full text of the post, entities decoded, links expanded where the source says" },
	{ "hashtags", "string", "Hashtags without #, as written, separated by a space" },
	{ "mentions", "string", "Handles mentioned, without @, separated by a space" },
	{ "urls", "string", "Links in the post, expanded where the source says, separated by a space" },
	{ "media_types", "string", "Type of each attached media file (photo, video, gif, audio, file), separated by a space" },
	{ "media_urls", "string", "The platform's URL of each attached media file, separated by a space" },
	{ "reply_to", "string", "Id of the post this one answers" },
	{ "repost_of", "string", "Id of the post this one reposts" },
	{ "quote_of", "string", "Id of the post this one quotes" },
	{ "folded", "integer", "Reposts folded into this post (0 in a bag: nothing is folded)" },
	{ "events", "string", "Ids of the events the post belongs to (data/events/), separated by a space" },
	{ "tags", "string", "The researchers' codes on the post (data/codebook.json), separated by a space" },
	{ "record_sha256", "string", "sha256 of the original record (data/originals/index.jsonl; quire show --verify)" },
	{ NULL, NULL, NULL },
};

/* The header row of posts.csv as written. */
static bool csv_header(qr_export *x, qr_strv *cols)
{
	qr_buf path = QR_BUF_INIT;
	qr_buf_setf(&path, "%s/data/posts.csv", qr_bag_dir(x->bag));
	FILE *f = fopen(path.buf, "r");
	qr_buf_release(&path);
	if (!f)
		return false;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);
	fclose(f);
	if (n > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		for (char *p = line; *p;) {
			size_t k = strcspn(p, ",");
			qr_strv_pushn(cols, p, k);
			p += k;
			if (*p)
				p++;
		}
	}
	free(line);
	return n > 0;
}

static void table_schema(qr_export *x, qr_jw *w)
{
	qr_strv cols = { 0 };
	csv_header(x, &cols);
	qr_jw_key(w, "schema");
	qr_jw_begin_object(w);
	qr_jw_key(w, "fields");
	qr_jw_begin_array(w);
	for (size_t i = 0; i < cols.n; i++) {
		const struct field *f = fields;
		while (f->name && strcmp(f->name, cols.v[i]) != 0)
			f++;
		qr_jw_begin_object(w);
		qr_jw_kstr(w, "name", cols.v[i]);
		qr_jw_kstr(w, "type", f->name ? f->type : "string");
		if (f->name)
			qr_jw_kstr(w, "description", f->description);
		if (strcmp(cols.v[i], "id") == 0 || strcmp(cols.v[i], "rank") == 0 ||
		    strcmp(cols.v[i], "record_sha256") == 0) {
			qr_jw_key(w, "constraints");
			qr_jw_begin_object(w);
			qr_jw_key(w, "required");
			qr_jw_bool(w, true);
			if (strcmp(cols.v[i], "rank") != 0) {
				qr_jw_key(w, "unique");
				qr_jw_bool(w, true);
			}
			if (strcmp(cols.v[i], "record_sha256") == 0)
				qr_jw_kstr(w, "pattern", "[0-9a-f]{64}");
			qr_jw_end_object(w);
		}
		qr_jw_end_object(w);
	}
	qr_jw_end_array(w);
	qr_jw_kstr(w, "primaryKey", "id");
	qr_jw_key(w, "missingValues");
	qr_jw_begin_array(w);
	qr_jw_string(w, "");
	qr_jw_end_array(w);
	qr_jw_end_object(w);
	qr_strv_clear(&cols);
}

/* One resource: a payload file with its size and sha256. */
static void resource(qr_export *x, qr_jw *w, const char *name, const char *rel, const char *format,
		     const char *mediatype, const char *title)
{
	char sha[QR_SHA256_HEX];
	uint64_t size;
	if (!qr_bag_file_sum(x->bag, rel, sha, &size))
		return;
	qr_buf hash = QR_BUF_INIT;
	qr_buf_setf(&hash, "sha256:%s", sha);
	qr_jw_begin_object(w);
	qr_jw_kstr(w, "name", name);
	qr_jw_kstr(w, "path", rel);
	qr_jw_kstr(w, "title", title);
	qr_jw_kstr(w, "format", format);
	qr_jw_kstr(w, "mediatype", mediatype);
	qr_jw_kstr(w, "encoding", "utf-8");
	qr_jw_kint(w, "bytes", (int64_t)size);
	qr_jw_kstr(w, "hash", hash.buf);
	if (strcmp(rel, "posts.csv") == 0) {
		qr_jw_kstr(w, "profile", "tabular-data-resource");
		qr_jw_key(w, "dialect");
		qr_jw_begin_object(w);
		qr_jw_kstr(w, "delimiter", ",");
		qr_jw_kstr(w, "lineTerminator", "\r\n");
		qr_jw_kstr(w, "quoteChar", "\"");
		qr_jw_key(w, "doubleQuote");
		qr_jw_bool(w, true);
		qr_jw_key(w, "header");
		qr_jw_bool(w, true);
		qr_jw_end_object(w);
		table_schema(x, w);
	}
	qr_jw_end_object(w);
	qr_buf_release(&hash);
}

/* A name for the package: the title's letters and digits, lower case. */
static void slug(qr_buf *out, const char *title)
{
	bool dash = false;
	for (const char *s = title ? title : ""; *s && out->len < 80; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && out->len)
				qr_buf_addch(out, '-');
			qr_buf_addch(out, c);
			dash = false;
		} else {
			dash = true;
		}
	}
	if (!out->len)
		qr_buf_adds(out, "quire-export");
}

static const char *title_of(struct card *k, qr_buf *tmp)
{
	if (k->x->o->title)
		return k->x->o->title;
	qr_buf_reset(tmp);
	qr_buf_addf(tmp, "Posts matching '%.200s'", k->x->o->query);
	return tmp->buf;
}

static void keywords(struct card *k, qr_strv *out)
{
	for (size_t i = 0; i < k->events.n; i++)
		qr_strv_push_unique(out, k->events.v[i].value, false);
	for (size_t i = 0; i < k->hashtags.n; i++) {
		qr_buf h = QR_BUF_INIT;
		qr_buf_addf(&h, "#%s", k->hashtags.v[i].value);
		qr_strv_push_unique(out, h.buf, false);
		qr_buf_release(&h);
	}
}

static int write_datapackage(struct card *k)
{
	qr_export *x = k->x;
	qr_buf out = QR_BUF_INIT, tmp = QR_BUF_INIT, name = QR_BUF_INIT, rel = QR_BUF_INIT;
	qr_strv kw = { 0 };
	qr_jw w;
	const char *title = title_of(k, &tmp);
	slug(&name, title);
	qr_jw_init(&w, &out, true);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "profile", "data-package");
	qr_jw_kstr(&w, "name", name.buf);
	qr_jw_kstr(&w, "title", title);
	qr_jw_kstr(&w, "version", x->o->version);
	qr_buf_reset(&rel);
	qr_buf_addf(&rel, "%llu posts exported by quire (content level '%s') from the query: %s",
		    (unsigned long long)x->posts, qr_content_names[x->o->content], x->o->query);
	qr_jw_kstr(&w, "description", rel.buf);
	if (x->o->license) {
		qr_jw_key(&w, "licenses");
		qr_jw_begin_array(&w);
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "name", x->o->license);
		qr_jw_end_object(&w);
		qr_jw_end_array(&w);
	}
	if (x->o->authors.n) {
		qr_jw_key(&w, "contributors");
		qr_jw_begin_array(&w);
		for (size_t i = 0; i < x->o->authors.n; i++) {
			qr_jw_begin_object(&w);
			qr_jw_kstr(&w, "title", x->o->authors.v[i]);
			qr_jw_kstr(&w, "role", "author");
			qr_jw_end_object(&w);
		}
		qr_jw_end_array(&w);
	}
	keywords(k, &kw);
	if (kw.n)
		qr_strv_to_json(&kw, &w, "keywords");
	qr_jw_key(&w, "resources");
	qr_jw_begin_array(&w);
	resource(x, &w, "posts", "posts.csv", "csv", "text/csv", "The posts, one row each");
	resource(x, &w, "posts-json", "posts.jsonl", "jsonl", "application/jsonl",
		 "The posts as JSON lines: quire's normalized posts (schemas/post.schema.json) with their events and codes");
	resource(x, &w, "citations", "citations.csl.json", "json", "application/vnd.citationstyles.csl+json",
		 "A CSL-JSON item per post, for Zotero or pandoc --citeproc");
	for (size_t i = 0; i < k->platforms.n; i++) {
		qr_export_ids_file(k->platforms.v[i].value, &rel);
		qr_buf_setf(&tmp, "ids-%.*s", (int)(rel.len - 8), rel.buf + 4);
		resource(x, &w, tmp.buf, rel.buf, "txt", "text/plain", "Native ids of the posts, one a line");
	}
	resource(x, &w, "originals-index", "originals/index.jsonl", "jsonl", "application/jsonl",
		 "Where each post's original record is in data/originals/ (zstd frames), with its sha256");
	resource(x, &w, "sources", "sources.jsonl", "jsonl", "application/jsonl",
		 "The inputs the posts were collected from, as quire read them");
	resource(x, &w, "codebook", "codebook.json", "json", "application/json", "The codes on the posts, with counts");
	resource(x, &w, "codes-history", "codes-history.jsonl", "jsonl", "application/jsonl",
		 "Each change of the codes on these posts: when, by whom, with which query, codes added and removed, posts");
	for (size_t i = 0; i < k->event_files.n; i++) {
		qr_buf_setf(&rel, "events/%s", k->event_files.v[i]);
		qr_buf_reset(&tmp);
		slug(&tmp, k->event_files.v[i]);
		qr_buf_setf(&name, "event-%s", tmp.buf);
		resource(x, &w, name.buf, rel.buf, "json", "application/json", "The definition of an event");
	}
	qr_jw_end_array(&w);
	qr_jw_end_object(&w);
	qr_buf_addch(&out, '\n');
	int st = qr_bag_write(x->bag, "datapackage.json", out.buf, out.len, &x->err);
	qr_strv_clear(&kw);
	qr_buf_release(&out);
	qr_buf_release(&tmp);
	qr_buf_release(&name);
	qr_buf_release(&rel);
	return st;
}

/* ---- the data card ---- */

/* Text from outside (titles, queries, paths) made inert in Markdown. */
static void md(qr_buf *out, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("\\`*_[]<>#|!", *s))
			qr_buf_addch(out, '\\');
		qr_buf_addch(out, (unsigned char)*s < 0x20 ? ' ' : *s);
	}
}

/* A fenced block around text exactly as given: the fence is longer than
 * any run of backticks inside. */
static void md_block(qr_buf *out, const char *s)
{
	size_t run = 0, longest = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	size_t fence = longest < 3 ? 3 : longest + 1;
	for (size_t i = 0; i < fence; i++)
		qr_buf_addch(out, '`');
	qr_buf_addf(out, "\n%s\n", s);
	for (size_t i = 0; i < fence; i++)
		qr_buf_addch(out, '`');
	qr_buf_addch(out, '\n');
}

static void count_list(qr_buf *out, const char *what, const qr_counts *c)
{
	if (!c->n)
		return;
	qr_buf_addf(out, "- %s: ", what);
	for (size_t i = 0; i < c->n; i++) {
		if (i)
			qr_buf_adds(out, ", ");
		md(out, c->v[i].value);
		qr_buf_addf(out, " %u", c->v[i].count);
	}
	qr_buf_addch(out, '\n');
}

static const char *const level_text[] = {
	"**ids**: the native ids of the posts (data/ids/), this card, the codebook and the events, as platform "
	"terms let researchers share; the posts themselves are to be collected again from the platform (\"rehydrated\")",
	"**posts**: the normalized posts (JSON lines, CSV) and their citations, without the original records and "
	"media files",
	"**originals**: the normalized posts, the original records byte-exact and the media files quire keeps, so "
	"that `quire ingest` loads the posts back",
};

static void card_summary(struct card *k, qr_buf *b)
{
	qr_export *x = k->x;
	char first[32], last[32];
	qr_buf_adds(b, "## What this is\n\n");
	qr_buf_addf(b, "%llu posts from a quire corpus that match this query, exactly as given:\n\n",
		    (unsigned long long)x->posts);
	md_block(b, x->o->query);
	if (x->o->q.since || x->o->q.until || x->o->q.tz) {
		qr_buf_adds(b, "\nwith");
		if (x->o->q.since)
			qr_buf_addf(b, " `--since %s`", x->o->q.since);
		if (x->o->q.until)
			qr_buf_addf(b, " `--until %s`", x->o->q.until);
		if (x->o->q.tz)
			qr_buf_addf(b, " `--tz %s`", x->o->q.tz);
		qr_buf_addch(b, '\n');
	}
	qr_buf_addf(b, "\nin %s order (`--sort %s`; posts of the same second in id order).\n\n",
		    strcmp(x->o->sort, "relevance") == 0 ? "relevance" : "time", x->o->sort);
	qr_buf_addf(b, "Content level %s.\n\n", level_text[x->o->content]);
	qr_buf_adds(b, "The corpus's id, the query and the date of this bag are in `bag-info.txt` (Quire-Corpus-Id, "
		       "Quire-Query, Bagging-Date), outside the payload: the same posts give the same payload wherever "
		       "they are exported from.\n\n");
	qr_buf_adds(b, "## Counts\n\n");
	qr_buf_addf(b, "- posts: %llu\n", (unsigned long long)x->posts);
	if (x->first != QR_TIME_UNKNOWN) {
		qr_time_format_iso(x->first, first);
		qr_time_format_iso(x->last, last);
		qr_buf_addf(b, "- time span (UTC): %s to %s\n", first, last);
	}
	count_list(b, "platforms", &k->platforms);
	count_list(b, "kinds", &k->kinds);
	count_list(b, "languages", &k->langs);
	if (x->o->content == QR_CONTENT_ORIGINALS) {
		qr_buf_addf(b, "- original records: %llu (%llu bytes)", (unsigned long long)x->originals,
			    (unsigned long long)x->original_bytes);
		if (x->contexts)
			qr_buf_addf(b, ", and %llu archive context records", (unsigned long long)x->contexts);
		qr_buf_addf(b, "\n- media files: %zu\n", x->nmedia);
	}
	if (k->days.n) {
		qr_buf_adds(b, "\nPosts per day (UTC):\n\n| day | posts |\n| --- | ---: |\n");
		for (size_t i = 0; i < k->days.n && i < CARD_DAYS; i++)
			qr_buf_addf(b, "| %s | %u |\n", k->days.v[i].value, k->days.v[i].count);
		if (k->days.n > CARD_DAYS)
			qr_buf_addf(b, "| ... %zu more days | |\n", k->days.n - CARD_DAYS);
	}
	qr_buf_addch(b, '\n');
}

static void card_events(struct card *k, qr_buf *b)
{
	qr_buf_adds(b, "## Events and codes\n\n");
	if (!k->events.n)
		qr_buf_adds(b, "No post belongs to an event of the corpus's catalogue.\n");
	else
		qr_buf_adds(b, "| event | title | posts |\n| --- | --- | ---: |\n");
	for (size_t i = 0; i < k->events.n; i++) {
		const qr_event *e = k->catalogue ? qr_events_find(k->catalogue, k->events.v[i].value) : NULL;
		qr_buf_adds(b, "| ");
		md(b, k->events.v[i].value);
		qr_buf_adds(b, " | ");
		if (e)
			md(b, e->title);
		else
			qr_buf_adds(b, "(no longer in the catalogue: no definition in data/events/)");
		qr_buf_addf(b, " | %u |\n", k->events.v[i].count);
	}
	qr_buf_adds(b, "\nThe definitions (time window, hashtags, terms, accounts, references) are in `data/events/`.\n\n");
	if (!k->codes.n)
		qr_buf_adds(b, "No post carries a code.\n\n");
	else
		qr_buf_adds(b, "Codes (a researcher's own tags; `data/codebook.json`):\n\n| code | posts |\n| --- | ---: |\n");
	for (size_t i = 0; i < k->codes.n; i++) {
		qr_buf_adds(b, "| ");
		md(b, k->codes.v[i].value);
		qr_buf_addf(b, " | %u |\n", k->codes.v[i].count);
	}
	if (k->codes.n)
		qr_buf_adds(b, "\nHow each code came to be on its posts, who gave it and with which query, is in "
			       "`data/codes-history.jsonl`; `quire ingest` replays it.\n\n");
}

static void card_sources(struct card *k, qr_buf *b)
{
	qr_export *x = k->x;
	uint64_t rejected = 0, incomplete = 0;
	size_t distinct = 0;
	/* the same line twice is one input (each shard of a federation has
	 * its own number for it) */
	for (size_t i = 0; i < x->ninputs; i++)
		distinct += !i || strcmp(x->inputs[i - 1].line, x->inputs[i].line) != 0;
	qr_buf_adds(b, "## How it was collected\n\n");
	qr_buf_addf(b, "The posts were read by quire from %zu input%s (`data/sources.jsonl` has every detail):\n\n",
		    distinct, distinct == 1 ? "" : "s");
	qr_buf_adds(b, "| input | sha256 | formats | records read | rejected | status |\n| --- | --- | --- | ---: | ---: | --- |\n");
	for (size_t i = 0; i < x->ninputs; i++) {
		if (i && strcmp(x->inputs[i - 1].line, x->inputs[i].line) == 0)
			continue;
		cJSON *o = qr_json_parse(x->inputs[i].line, strlen(x->inputs[i].line), NULL);
		int64_t rec = 0, rej = 0;
		const cJSON *f, *formats = qr_json_get(o, "formats");
		const char *status = qr_json_str(o, "status");
		qr_json_int(o, "records", &rec);
		qr_json_int(o, "rejected", &rej);
		rejected += (uint64_t)rej;
		incomplete += status && strcmp(status, "incomplete") == 0;
		qr_buf_adds(b, "| ");
		md(b, qr_json_str(o, "path"));
		qr_buf_addf(b, " | `%s` | ", qr_json_str(o, "sha256") ? qr_json_str(o, "sha256") : "?");
		bool any = false;
		cJSON_ArrayForEach(f, formats)
			if (cJSON_IsString(f)) {
				qr_buf_adds(b, any ? ", " : "");
				md(b, f->valuestring);
				any = true;
			}
		qr_buf_addf(b, " | %lld | %lld | ", (long long)rec, (long long)rej);
		md(b, status ? status : "?");
		qr_buf_adds(b, " |\n");
		cJSON_Delete(o);
	}
	qr_buf_adds(b, "\nKnown gaps:\n\n");
	qr_buf_addf(b, "- records rejected while reading these inputs (unreadable, malformed): %llu; the corpus's "
		       "`rejects.jsonl` says where and why\n", (unsigned long long)rejected);
	qr_buf_addf(b, "- inputs that could not be read to their end: %llu\n", (unsigned long long)incomplete);
	if (x->o->content == QR_CONTENT_ORIGINALS)
		qr_buf_addf(b, "- media files the posts name but the corpus does not hold (their URLs are in the posts): %zu\n",
			    x->media_missing);
	qr_buf_adds(b, "- the posts are what the inputs held when they were collected: later edits and deletions on the "
		       "platform are not here\n\n");
}

static void card_files(struct card *k, qr_buf *b)
{
	qr_export *x = k->x;
	qr_buf_adds(b, "## Files\n\n| file | what |\n| --- | --- |\n");
	if (x->o->content >= QR_CONTENT_POSTS)
		qr_buf_adds(b, "| `posts.jsonl` | the posts as JSON lines (quire's normalized posts, with events and codes) |\n"
			       "| `posts.csv` | the same as CSV for programs (`datapackage.json` describes every column) |\n"
			       "| `citations.csl.json` | a CSL-JSON item per post (Zotero, `pandoc --citeproc`) |\n");
	qr_buf_adds(b, "| `ids/<platform>.txt` | the native ids of the posts, one a line |\n");
	if (x->o->content == QR_CONTENT_ORIGINALS)
		qr_buf_adds(b, "| `originals/records-NNNNNN.zst` | each original record byte-exact, one zstd frame each "
			       "(`zstd -dc` prints them) |\n"
			       "| `originals/index.jsonl` | per post: file, offset, length, size and sha256 of its record, its "
			       "format and source; archive records name their context record |\n"
			       "| `media/<sha256>.<ext>` | the media files of the posts that the corpus holds |\n");
	qr_buf_adds(b, "| `events/` | the definitions of the events the posts belong to |\n"
		       "| `codebook.json` | the codes on the posts and how many posts carry each |\n"
		       "| `codes-history.jsonl` | each change of those codes: when, by whom (the login name), with which query, codes added and removed, the posts |\n"
		       "| `sources.jsonl` | the inputs the posts came from |\n"
		       "| `datapackage.json` | Frictionless Data Package: the resources, the Table Schema of posts.csv |\n"
		       "| `CITATION.cff` | how to cite this dataset |\n\n");
}

static void card_verify(struct card *k, qr_buf *b)
{
	qr_buf_adds(b, "## How to verify it\n\n"
		       "This folder is a BagIt bag (RFC 8493). From the bag's folder (the one that holds `bagit.txt`):\n\n"
		       "    sha256sum -c manifest-sha256.txt && sha512sum -c manifest-sha512.txt\n"
		       "    quire export --verify .\n\n");
	if (k->x->o->content == QR_CONTENT_ORIGINALS)
		qr_buf_adds(b, "Any original record, by its post's id (here `ID`), with jq and zstd:\n\n"
			       "    jq -r 'select(.post == \"ID\") | \"\\(.file) \\(.offset) \\(.length)\"' data/originals/index.jsonl |\n"
			       "      { read f o n; tail -c +$((o + 1)) \"data/originals/$f\" | head -c \"$n\" | zstd -dc; }\n\n"
			       "Its `sha256sum` is the `sha256` of its line, and the post's `record.sha256` in posts.jsonl. "
			       "`quire ingest` loads this bag back into a corpus: the same posts, records, media, events and "
			       "codes.\n\n");
}

static void card_cite(struct card *k, qr_buf *b, const char *title)
{
	const qr_export_opts *o = k->x->o;
	qr_buf_adds(b, "## How to cite it\n\n`CITATION.cff` holds the citation (Citation File Format 1.2.0):\n\n> ");
	if (o->authors.n) {
		for (size_t i = 0; i < o->authors.n; i++) {
			qr_buf_adds(b, i == 0 ? "" : i + 1 == o->authors.n ? " & " : "; ");
			md(b, o->authors.v[i]);
		}
		qr_buf_adds(b, ". ");
	}
	md(b, title);
	if (o->version) {
		qr_buf_adds(b, " (version ");
		md(b, o->version);
		qr_buf_adds(b, ")");
	}
	qr_buf_adds(b, " [Data set].\n\nCite a single post with its line in `citations.csl.json`; its record's "
		       "sha256 lets anyone check it against the original.\n");
}

static int write_card(struct card *k)
{
	qr_buf b = QR_BUF_INIT, tmp = QR_BUF_INIT;
	const char *title = title_of(k, &tmp);
	qr_buf_adds(&b, "# ");
	md(&b, title);
	qr_buf_adds(&b, "\n\n");
	if (k->x->o->version) {
		qr_buf_adds(&b, "Version ");
		md(&b, k->x->o->version);
		qr_buf_adds(&b, ". ");
	}
	if (k->x->o->license) {
		qr_buf_adds(&b, "Licence ");
		md(&b, k->x->o->license);
		qr_buf_adds(&b, ". ");
	}
	qr_buf_addf(&b, "Made with quire %s.\n\n", QR_VERSION);
	card_summary(k, &b);
	card_events(k, &b);
	card_sources(k, &b);
	card_files(k, &b);
	card_verify(k, &b);
	card_cite(k, &b, title);
	int st = qr_bag_write(k->x->bag, "README.md", b.buf, b.len, &k->x->err);
	qr_buf_release(&b);
	qr_buf_release(&tmp);
	return st;
}

/* ---- CITATION.cff ---- */

/* A YAML scalar: JSON's double-quoted string is one. */
static void yq(qr_buf *out, const char *s)
{
	qr_json_quote(out, s, strlen(s));
}

static int write_cff(struct card *k)
{
	const qr_export_opts *o = k->x->o;
	qr_buf b = QR_BUF_INIT, tmp = QR_BUF_INIT, abstract = QR_BUF_INIT;
	qr_strv kw = { 0 };
	qr_buf_adds(&b, "cff-version: 1.2.0\nmessage: \"If you use this dataset, please cite it as below.\"\n"
		       "type: dataset\ntitle: ");
	yq(&b, title_of(k, &tmp));
	qr_buf_adds(&b, "\nauthors:\n");
	for (size_t i = 0; i < o->authors.n; i++) {
		const char *a = o->authors.v[i], *comma = strchr(a, ',');
		if (comma && comma[1]) {
			qr_buf_reset(&tmp);
			qr_buf_add(&tmp, a, (size_t)(comma - a));
			qr_buf_adds(&b, "  - family-names: ");
			yq(&b, tmp.buf);
			const char *given = comma + 1;
			while (*given == ' ')
				given++;
			qr_buf_adds(&b, "\n    given-names: ");
			yq(&b, given);
		} else {
			qr_buf_adds(&b, "  - name: ");
			yq(&b, a);
		}
		qr_buf_addch(&b, '\n');
	}
	if (!o->authors.n)
		qr_buf_adds(&b, "  - name: \"Unknown\"\n");
	if (o->version) {
		qr_buf_adds(&b, "version: ");
		yq(&b, o->version);
		qr_buf_addch(&b, '\n');
	}
	if (o->license) {
		qr_buf_adds(&b, "license: ");
		yq(&b, o->license);
		qr_buf_addch(&b, '\n');
	}
	qr_buf_addf(&abstract, "%llu social-media posts matching the query '%s', exported by quire (content level '%s').",
		    (unsigned long long)k->x->posts, o->query, qr_content_names[o->content]);
	qr_buf_adds(&b, "abstract: ");
	yq(&b, abstract.buf);
	qr_buf_addch(&b, '\n');
	keywords(k, &kw);
	if (kw.n)
		qr_buf_adds(&b, "keywords:\n");
	for (size_t i = 0; i < kw.n; i++) {
		qr_buf_adds(&b, "  - ");
		yq(&b, kw.v[i]);
		qr_buf_addch(&b, '\n');
	}
	int st = qr_bag_write(k->x->bag, "CITATION.cff", b.buf, b.len, &k->x->err);
	qr_strv_clear(&kw);
	qr_buf_release(&b);
	qr_buf_release(&tmp);
	qr_buf_release(&abstract);
	return st;
}

/* ---- bag-info.txt ---- */

static void bag_info(struct card *k, qr_kvv *info)
{
	const qr_export_opts *o = k->x->o;
	qr_buf v = QR_BUF_INIT;
	if (o->org)
		qr_kvv_set(info, "Source-Organization", o->org);
	if (o->contact_name)
		qr_kvv_set(info, "Contact-Name", o->contact_name);
	if (o->contact_email)
		qr_kvv_set(info, "Contact-Email", o->contact_email);
	qr_buf_addf(&v, "%llu social-media posts matching the query '%s' (quire export, content level %s)",
		    (unsigned long long)k->x->posts, o->query, qr_content_names[o->content]);
	qr_kvv_set(info, "External-Description", v.buf);
	qr_buf_setf(&v, "quire %s", QR_VERSION);
	qr_kvv_set(info, "Bag-Software-Agent", v.buf);
	qr_kvv_set(info, "Quire-Corpus-Id", qr_corpus_id(k->x->c));
	qr_buf_reset(&v);
	qr_json_quote(&v, o->query, strlen(o->query)); /* exact, on one line */
	qr_kvv_set(info, "Quire-Query", v.buf);
	if (o->q.since)
		qr_kvv_set(info, "Quire-Since", o->q.since);
	if (o->q.until)
		qr_kvv_set(info, "Quire-Until", o->q.until);
	if (o->q.tz)
		qr_kvv_set(info, "Quire-Tz", o->q.tz);
	qr_kvv_set(info, "Quire-Sort", o->sort);
	qr_buf_setf(&v, "%llu", (unsigned long long)k->x->posts);
	qr_kvv_set(info, "Quire-Posts", v.buf);
	qr_kvv_set(info, "Quire-Content", qr_content_names[o->content]);
	qr_buf_release(&v);
}

int qr_export_card(qr_export *x, qr_kvv *info)
{
	struct card k = { 0 };
	int st;
	k.x = x;
	qr_buf_init(&k.text);
	if ((st = count_all(&k)) || (st = write_sources(x)) || (st = write_events(&k)) || (st = write_codebook(&k)) || (st = write_history(&k)) ||
	    (st = write_datapackage(&k)) || (st = write_card(&k)) || (st = write_cff(&k)))
		goto out;
	bag_info(&k, info);
out:
	qr_counts_clear(&k.platforms);
	qr_counts_clear(&k.kinds);
	qr_counts_clear(&k.langs);
	qr_counts_clear(&k.events);
	qr_counts_clear(&k.codes);
	qr_counts_clear(&k.hashtags);
	qr_counts_clear(&k.days);
	qr_events_free(k.catalogue);
	qr_strv_clear(&k.event_files);
	qr_buf_release(&k.text);
	return st;
}
