/*
 * An export from a federation (export.h): what a bag takes from its
 * corpus's own files (the records, their contexts, the inputs, the
 * journal) is read from each shard, through the federation's reader of
 * shards (federation.h, shard_read.h), and made one.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "federation.h"
#include "io.h"
#include "json.h"
#include "status.h"

int qr_export_shard_read(qr_export *x, uint32_t shard, const char *what, const char *arg, qr_buf *out)
{
	if (!x->fed || !shard || shard > x->fed->n || !x->fed->v[shard - 1].up) {
		qr_buf_setf(&x->err, "%s of the federation is not open", qr_export_shard_name(x, shard));
		return QR_INTERNAL;
	}
	qr_buf_reset(&x->err);
	int st = qr_fed_shard_fetch(x->fed, &x->fed->v[shard - 1], what, arg, out, &x->err);
	/* a shard that does not answer is a fault of the network, exit 3 */
	return st == QR_NOT_FOUND || st == QR_USAGE ? QR_DAMAGED : st;
}

const char *qr_export_shard_name(qr_export *x, uint32_t shard)
{
	qr_buf_reset(&x->shard_name);
	if (x->fed && shard && shard <= x->fed->n)
		qr_fed_shard_name(x->fed, &x->fed->v[shard - 1], &x->shard_name);
	else
		qr_buf_addf(&x->shard_name, "shard %u", shard);
	return x->shard_name.buf;
}

/* ---- inputs ---- */

static int add_lines(qr_export_lines *l, uint32_t shard, const qr_buf *data)
{
	for (char *s = data->buf, *end; s && s < data->buf + data->len; s = end + 1) {
		end = memchr(s, '\n', (size_t)(data->buf + data->len - s));
		if (!end)
			end = data->buf + data->len;
		cJSON *o = qr_json_parse(s, (size_t)(end - s), NULL);
		if (!o)
			continue;
		/* the input: its sha256 and path (which reading of them is
		 * added when all are read) */
		const char *sha = qr_json_str(o, "sha256"), *path = qr_json_str(o, "path");
		qr_buf k = QR_BUF_INIT;
		qr_buf_addf(&k, "%s\t%s", sha ? sha : "", path ? path : "");
		l->v = qr_grow_array(l->v, sizeof(*l->v), l->n + 1, &l->alloc);
		l->v[l->n++] = (qr_export_line){ shard, o, qr_buf_detach(&k, NULL), NULL, false, 0 };
	}
	return 0;
}

static const qr_export_lines *sorting;

/* By shard, input, then place in its file. */
static int by_reading(const void *pa, const void *pb)
{
	const qr_export_line *a = &sorting->v[*(const size_t *)pa], *b = &sorting->v[*(const size_t *)pb];
	if (a->shard != b->shard)
		return a->shard < b->shard ? -1 : 1;
	int c = strcmp(a->key, b->key);
	return c ? c : (*(const size_t *)pa > *(const size_t *)pb) - (*(const size_t *)pa < *(const size_t *)pb);
}

/* By input and reading, then shard and place. */
static int by_key(const void *pa, const void *pb)
{
	const qr_export_line *a = &sorting->v[*(const size_t *)pa], *b = &sorting->v[*(const size_t *)pb];
	int c = strcmp(a->key, b->key);
	return c ? c : (*(const size_t *)pa > *(const size_t *)pb) - (*(const size_t *)pa < *(const size_t *)pb);
}

static void set_count(cJSON *o, const char *name, int64_t v)
{
	cJSON *item = cJSON_GetObjectItemCaseSensitive(o, name);
	if (item)
		cJSON_SetNumberValue(item, (double)v);
}

/* What the shards that read one input say of it together: a shard counts
 * its own share of the posts; every shard that read the input read all
 * of its records, and rejected and skipped the same ones. */
static cJSON *input_whole(const qr_export_lines *l, const size_t *group, size_t n)
{
	static const char *const summed[] = { "posts_added", "posts_updated", "duplicates", NULL };
	static const char *const alike[] = { "records", "rejected", "skipped", NULL };
	cJSON *o = cJSON_Duplicate(l->v[group[0]].o, 1);
	for (int sum = 0; sum < 2; sum++) {
		const char *const *names = sum ? summed : alike;
		for (size_t k = 0; names[k]; k++) {
			int64_t total, v;
			if (!qr_json_int(o, names[k], &total))
				continue;
			for (size_t j = 1; j < n; j++) {
				if (!qr_json_int(l->v[group[j]].o, names[k], &v))
					continue;
				total = sum ? total + v : (v > total ? v : total);
			}
			set_count(o, names[k], total);
		}
	}
	/* a reading one shard did not finish is not finished */
	const char *first = qr_json_str(o, "status");
	for (size_t j = 1; j < n && first; j++) {
		const char *st = qr_json_str(l->v[group[j]].o, "status");
		if (st && strcmp(st, first) != 0 && strcmp(first, "complete") == 0) {
			cJSON_ReplaceItemInObjectCaseSensitive(o, "status", cJSON_CreateString(st));
			first = qr_json_str(o, "status");
		}
	}
	return o;
}

/* Each line's key gets which reading of its input it is in its shard;
 * a federation's lines of one input share what they say together. */
static void finish_lines(qr_export_lines *l, bool fed)
{
	size_t *idx = qr_calloc(l->n ? l->n : 1, sizeof(*idx));
	for (size_t i = 0; i < l->n; i++)
		idx[i] = i;
	sorting = l;
	if (l->n > 1)
		qsort(idx, l->n, sizeof(*idx), by_reading);
	for (size_t i = 0, seen = 0; i < l->n; i++) {
		qr_export_line *a = &l->v[idx[i]];
		const qr_export_line *prev = i ? &l->v[idx[i - 1]] : NULL;
		seen = prev && prev->shard == a->shard && strcmp(prev->key, a->key) == 0 ? seen + 1 : 0;
		a->reading = seen;
	}
	qr_buf k = QR_BUF_INIT;
	for (size_t i = 0; i < l->n; i++) {
		qr_export_line *a = &l->v[i];
		qr_buf_setf(&k, "%s\t%zu", a->key, a->reading);
		free(a->key);
		a->key = qr_strdup(k.buf);
	}
	qr_buf_release(&k);
	if (fed && l->n > 1)
		qsort(idx, l->n, sizeof(*idx), by_key);
	for (size_t from = 0, to; fed && from < l->n; from = to) {
		for (to = from + 1; to < l->n && strcmp(l->v[idx[to]].key, l->v[idx[from]].key) == 0; to++)
			;
		cJSON *whole = input_whole(l, idx + from, to - from);
		l->v[idx[from]].owns_whole = true;
		for (size_t j = from; j < to; j++)
			l->v[idx[j]].whole = whole;
	}
	sorting = NULL;
	free(idx);
}

int qr_export_read_sources(qr_export *x, qr_export_lines *out)
{
	qr_buf data = QR_BUF_INIT, path = QR_BUF_INIT, err = QR_BUF_INIT;
	int st = 0;
	memset(out, 0, sizeof(*out));
	if (!x->fed) {
		/* a corpus without the file has no inputs to name */
		qr_corpus_path(x->c, "sources.jsonl", &path);
		if (qr_io_read_file(path.buf, SIZE_MAX / 2, &data, &err) == 0)
			add_lines(out, 0, &data);
	}
	for (size_t i = 0; x->fed && i < x->fed->n && !st; i++) {
		if (!x->fed->v[i].up)
			continue;
		if (!(st = qr_export_shard_read(x, (uint32_t)i + 1, "sources", NULL, &data)))
			add_lines(out, (uint32_t)i + 1, &data);
	}
	qr_buf_release(&data);
	qr_buf_release(&path);
	qr_buf_release(&err);
	if (st)
		qr_export_lines_free(out);
	else
		finish_lines(out, x->fed != NULL);
	return st;
}

void qr_export_lines_free(qr_export_lines *l)
{
	for (size_t i = 0; i < l->n; i++) {
		cJSON_Delete(l->v[i].o);
		if (l->v[i].owns_whole)
			cJSON_Delete(l->v[i].whole);
		free(l->v[i].key);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- the journal ---- */

int qr_export_journal_open(qr_export *x, uint32_t shard, qr_export_journal *ej)
{
	qr_fed_shard *s = &x->fed->v[shard - 1];
	memset(ej, 0, sizeof(*ej));
	if (s->local) {
		ej->j = qr_corpus_journal(s->local);
		return 0;
	}
	/* a remote shard's journal, as its file, read here where journal.h
	 * can walk it */
	qr_buf data = QR_BUF_INIT, path = QR_BUF_INIT, err = QR_BUF_INIT;
	const char *tmp = getenv("TMPDIR");
	qr_buf_setf(&path, "%s/quire-journal-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int st = qr_export_shard_read(x, shard, "journal", NULL, &data);
	if (!st && !mkdtemp(path.buf)) {
		qr_buf_setf(&x->err, "cannot make a directory for a shard's journal in %s", tmp && *tmp ? tmp : "/tmp");
		st = QR_IO;
	}
	if (!st) {
		ej->tmp = qr_strdup(path.buf);
		qr_buf_adds(&path, "/" QR_JOURNAL_FILE);
		if ((st = qr_io_write_file_atomic(path.buf, data.buf, data.len, &err)))
			qr_buf_setf(&x->err, "cannot keep the journal of %s: %s", qr_export_shard_name(x, shard), err.buf);
	}
	if (!st && (st = qr_journal_open(ej->tmp, false, &ej->j, &err)))
		qr_buf_setf(&x->err, "cannot read the journal of %s: %s", qr_export_shard_name(x, shard), err.buf);
	if (!st)
		ej->owned = true;
	else
		qr_export_journal_close(ej);
	qr_buf_release(&data);
	qr_buf_release(&path);
	qr_buf_release(&err);
	return st;
}

void qr_export_journal_close(qr_export_journal *ej)
{
	if (ej->owned)
		qr_journal_close(ej->j);
	if (ej->tmp) {
		qr_buf err = QR_BUF_INIT;
		qr_io_remove_tree(ej->tmp, &err);
		qr_buf_release(&err);
		free(ej->tmp);
	}
	memset(ej, 0, sizeof(*ej));
}

/* ---- lines in time order ---- */

/* The value of a line's leading "time" ("" when it has none). */
static void line_time(const char *s, const char *end, const char **t, size_t *tlen)
{
	static const char lead[] = "{\"time\":\"";
	*t = s;
	*tlen = 0;
	if ((size_t)(end - s) > sizeof(lead) - 1 && memcmp(s, lead, sizeof(lead) - 1) == 0) {
		*t = s + sizeof(lead) - 1;
		const char *q = memchr(*t, '"', (size_t)(end - *t));
		*tlen = q ? (size_t)(q - *t) : 0;
	}
}

static int cmp_time(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	return c ? c : (alen > blen) - (alen < blen);
}

/* Each output keeps its own order (a journal's times need not rise: a
 * bag's history replays the times it was made at); the heads are taken
 * earliest first, ties in the order of the outputs. */
void qr_export_merge_by_time(const qr_buf *outs, size_t n, qr_buf *merged)
{
	size_t *at = qr_calloc(n ? n : 1, sizeof(*at));
	qr_buf_reset(merged);
	for (;;) {
		size_t best = SIZE_MAX, blen = 0, btl = 0;
		const char *bt = NULL;
		for (size_t i = 0; i < n; i++) {
			if (!outs[i].buf || at[i] >= outs[i].len)
				continue;
			const char *s = outs[i].buf + at[i], *e = outs[i].buf + outs[i].len;
			const char *nl = memchr(s, '\n', (size_t)(e - s));
			const char *end = nl ? nl : e;
			const char *t;
			size_t tl;
			line_time(s, end, &t, &tl);
			if (best == SIZE_MAX || cmp_time(t, tl, bt, btl) < 0) {
				best = i;
				bt = t;
				btl = tl;
				blen = (size_t)(end - s);
			}
		}
		if (best == SIZE_MAX)
			break;
		qr_buf_add(merged, outs[best].buf + at[best], blen);
		qr_buf_addch(merged, '\n');
		at[best] += blen + 1;
	}
	free(at);
}
