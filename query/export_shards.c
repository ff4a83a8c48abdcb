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
		qr_buf_setf(&x->err, "shard %u of the federation is not open", shard);
		return QR_INTERNAL;
	}
	qr_buf_reset(&x->err);
	int st = qr_fed_shard_fetch(x->fed, &x->fed->v[shard - 1], what, arg, out, &x->err);
	/* a shard that does not answer is a fault of the network, exit 3 */
	return st == QR_NOT_FOUND || st == QR_USAGE ? QR_DAMAGED : st;
}

/* ---- inputs ---- */

/* The identity of an input within one corpus's sources.jsonl: its sha256
 * and path, and which reading of them it is (the same file read twice is
 * two lines). */
static char *input_key(const cJSON *o, const qr_export_lines *l, size_t from)
{
	const char *sha = qr_json_str(o, "sha256"), *path = qr_json_str(o, "path");
	qr_buf k = QR_BUF_INIT;
	qr_buf_addf(&k, "%s\t%s\t", sha ? sha : "", path ? path : "");
	size_t base = k.len, seen = 0;
	for (size_t i = from; i < l->n; i++)
		seen += strncmp(l->v[i].key, k.buf, base) == 0;
	qr_buf_addf(&k, "%zu", seen);
	return qr_buf_detach(&k, NULL);
}

static int add_lines(qr_export_lines *l, uint32_t shard, const qr_buf *data)
{
	size_t from = l->n;
	for (char *s = data->buf, *end; s && s < data->buf + data->len; s = end + 1) {
		end = memchr(s, '\n', (size_t)(data->buf + data->len - s));
		if (!end)
			end = data->buf + data->len;
		cJSON *o = qr_json_parse(s, (size_t)(end - s), NULL);
		if (!o)
			continue;
		char *key = input_key(o, l, from);
		l->v = qr_grow_array(l->v, sizeof(*l->v), l->n + 1, &l->alloc);
		l->v[l->n++] = (qr_export_line){ shard, o, key };
	}
	return 0;
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
	return st;
}

void qr_export_lines_free(qr_export_lines *l)
{
	for (size_t i = 0; i < l->n; i++) {
		cJSON_Delete(l->v[i].o);
		free(l->v[i].key);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void set_count(cJSON *o, const char *name, int64_t v)
{
	cJSON *item = cJSON_GetObjectItemCaseSensitive(o, name);
	if (item)
		cJSON_SetNumberValue(item, (double)v);
}

cJSON *qr_export_input_whole(const qr_export_lines *l, size_t i)
{
	/* a shard counts its own share of the posts; every shard that read
	 * the input read all of its records, and rejected and skipped the
	 * same ones */
	static const char *const summed[] = { "posts_added", "posts_updated", "duplicates", NULL };
	static const char *const alike[] = { "records", "rejected", "skipped", NULL };
	const char *key = l->v[i].key;
	size_t first = 0;
	while (strcmp(l->v[first].key, key) != 0)
		first++;
	cJSON *o = cJSON_Duplicate(l->v[first].o, 1);
	for (size_t k = 0; summed[k] || alike[k]; k++) {
		for (int sum = 0; sum < 2; sum++) {
			const char *name = sum ? summed[k] : alike[k];
			int64_t total = 0, v;
			if (!name || !qr_json_int(o, name, &total))
				continue;
			for (size_t j = first + 1; j < l->n; j++) {
				if (strcmp(l->v[j].key, key) != 0 || !qr_json_int(l->v[j].o, name, &v))
					continue;
				total = sum ? total + v : (v > total ? v : total);
			}
			set_count(o, name, total);
		}
	}
	return o;
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
			qr_buf_setf(&x->err, "cannot keep shard %u's journal: %s", shard, err.buf);
	}
	if (!st && (st = qr_journal_open(ej->tmp, false, &ej->j, &err)))
		qr_buf_setf(&x->err, "cannot read shard %u's journal: %s", shard, err.buf);
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

struct timed {
	const char *line;
	size_t len;
	const char *time;            /* the value of its "time", not ended */
	size_t tlen;
	size_t order;                /* which output, then where in it */
};

static int by_time(const void *pa, const void *pb)
{
	const struct timed *a = pa, *b = pb;
	size_t n = a->tlen < b->tlen ? a->tlen : b->tlen;
	int c = memcmp(a->time, b->time, n);
	if (c)
		return c;
	if (a->tlen != b->tlen)
		return a->tlen < b->tlen ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

void qr_export_merge_by_time(const qr_buf *outs, size_t n, qr_buf *merged)
{
	static const char lead[] = "{\"time\":\"";
	struct timed *v = NULL;
	size_t nv = 0, alloc = 0;
	for (size_t i = 0; i < n; i++) {
		const char *b = outs[i].buf, *e = outs[i].buf + outs[i].len;
		for (const char *s = b, *end; b && s < e; s = end + 1) {
			end = memchr(s, '\n', (size_t)(e - s));
			if (!end)
				end = e;
			struct timed t = { s, (size_t)(end - s), s, 0, nv };
			if ((size_t)(end - s) > sizeof(lead) - 1 && memcmp(s, lead, sizeof(lead) - 1) == 0) {
				t.time = s + sizeof(lead) - 1;
				const char *q = memchr(t.time, '"', (size_t)(end - t.time));
				t.tlen = q ? (size_t)(q - t.time) : 0;
			}
			v = qr_grow_array(v, sizeof(*v), nv + 1, &alloc);
			v[nv++] = t;
		}
	}
	if (nv > 1)
		qsort(v, nv, sizeof(*v), by_time);
	qr_buf_reset(merged);
	for (size_t i = 0; i < nv; i++) {
		qr_buf_add(merged, v[i].line, v[i].len);
		qr_buf_addch(merged, '\n');
	}
	free(v);
}
