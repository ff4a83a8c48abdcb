/*
 * quire shards merge: one ordinary corpus of a federation's shards.
 *
 *   1. every shard is a path on this machine and answers; the shards read
 *      the same inputs under the same source numbers (the block headers
 *      name inputs by number, and they are copied byte for byte)
 *   2. the store segments are copied byte for byte, shard after shard,
 *      numbered on; each shard's dictionary goes along as dictionary-<id>
 *   3. the indexes are merged by Xapian's compactor; each document's
 *      locators (record, older versions, media) are rewritten to the new
 *      segment numbers, and the store tails, contexts and identity set
 *   4. the codes and the catalogue last applied go into the new corpus's
 *      journal (a snapshot), so they survive a rebuild of its index
 *   5. every record and media file is read back and checked against its
 *      sha256
 *
 * The new corpus is built in OUT.tmp and renamed to OUT at the end: a
 * merge cut short leaves no corpus that looks whole.
 */
#include "merge.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zdict.h>

#include "cli.h"
#include "corpus.h"
#include "federation.h"
#include "ingest.h"
#include "io.h"
#include "json.h"
#include "schema.h"
#include "status.h"
#include "store.h"
#include "tags.h"
#include "text.h"

/* Segment numbers of one shard's stream in the new store. */
struct segmap {
	uint32_t first, last;    /* the shard's */
	uint32_t base;           /* new number of `first` */
};

struct merge {
	qr_federation *f;
	const char *out;         /* OUT.tmp while building */
	struct segmap (*map)[QR_STREAM_COUNT];
	uint32_t next[QR_STREAM_COUNT];
	qr_buf err;
};

static int fail(struct merge *m, int st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct merge *m, int st, const char *fmt, ...)
{
	va_list ap;
	qr_buf_reset(&m->err);
	va_start(ap, fmt);
	qr_buf_vaddf(&m->err, fmt, ap);
	va_end(ap);
	return st;
}

/* Copy a file byte for byte and sync it. */
static int copy_file(const char *from, const char *to, qr_buf *err)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, st = 0;
	char buf[1 << 16];
	if (in < 0) {
		qr_buf_setf(err, "cannot read '%s': %s", from, strerror(errno));
		return QR_IO;
	}
	if ((st = qr_io_open(to, O_WRONLY | O_CREAT | O_EXCL, 0644, &out, err))) {
		close(in);
		return st;
	}
	for (;;) {
		ssize_t r = read(in, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			qr_buf_setf(err, "cannot read '%s': %s", from, strerror(errno));
			st = QR_IO;
			break;
		}
		if (r == 0 || (st = qr_io_write_all(out, buf, (size_t)r, to, err)))
			break;
	}
	if (!st)
		st = qr_io_fsync(out, to, err);
	close(in);
	close(out);
	return st;
}

/* ---- 1. what can be merged ---- */

/* The source numbers of every shard name the same inputs. */
static int check_sources(struct merge *m)
{
	qr_strv shas = { 0 };
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT;
	int st = 0;
	for (size_t k = 0; k < m->f->n && !st; k++) {
		qr_buf_setf(&path, "%s/sources.jsonl", m->f->v[k].path);
		qr_buf_reset(&data);
		if (qr_io_read_file(path.buf, (size_t)1 << 30, &data, &m->err) == QR_NOT_FOUND)
			continue;
		for (char *line = data.buf; line && line < data.buf + data.len && !st;) {
			char *end = memchr(line, '\n', (size_t)(data.buf + data.len - line));
			cJSON *o = qr_json_parse(line, end ? (size_t)(end - line) : strlen(line), NULL);
			int64_t num = 0;
			const char *sha = o ? qr_json_str(o, "sha256") : NULL;
			if (sha && qr_json_int(o, "number", &num) && num > 0) {
				while (shas.n < (size_t)num)
					qr_strv_push(&shas, "");
				if (!*shas.v[num - 1]) {
					free(shas.v[num - 1]);
					shas.v[num - 1] = qr_strdup(sha);
				} else if (strcmp(shas.v[num - 1], sha) != 0) {
					st = fail(m, QR_USAGE,
						  "the shards read different inputs as source %lld (%s has %.12s..., another "
						  "%.12s...): their stores cannot be merged byte for byte",
						  (long long)num, m->f->v[k].location, sha, shas.v[num - 1]);
				}
			}
			cJSON_Delete(o);
			line = end ? end + 1 : NULL;
		}
	}
	qr_strv_clear(&shas);
	qr_buf_release(&path);
	qr_buf_release(&data);
	return st;
}

/* ---- 2. the store ---- */

static int copy_dictionaries(struct merge *m, const char *from)
{
	qr_buf src = QR_BUF_INIT, dst = QR_BUF_INIT, data = QR_BUF_INIT;
	struct dirent *e;
	int st = 0;
	DIR *d = opendir(from);
	if (!d)
		return 0;
	while (!st && (e = readdir(d))) {
		const char *n = e->d_name;
		if (strcmp(n, "dictionary") != 0 && strncmp(n, "dictionary-", 11) != 0)
			continue;
		qr_buf_setf(&src, "%s/%s", from, n);
		qr_buf_reset(&data);
		if ((st = qr_io_read_file(src.buf, (size_t)1 << 30, &data, &m->err)))
			break;
		/* Blocks name their dictionary by id: the file's name says it. */
		unsigned id = ZDICT_getDictID(data.buf, data.len);
		if (!id) {
			st = fail(m, QR_DAMAGED, "'%s' is not a zstd dictionary", src.buf);
			break;
		}
		qr_buf_setf(&dst, "%s/store/dictionary-%u", m->out, id);
		struct stat sb;
		if (stat(dst.buf, &sb) == 0)
			continue;
		st = copy_file(src.buf, dst.buf, &m->err);
	}
	closedir(d);
	qr_buf_release(&src);
	qr_buf_release(&dst);
	qr_buf_release(&data);
	return st;
}

static int copy_store(struct merge *m)
{
	qr_buf from = QR_BUF_INIT, to = QR_BUF_INIT, dir = QR_BUF_INIT;
	int st = 0;
	qr_buf_setf(&dir, "%s/store/media", m->out);
	if ((st = qr_io_mkdir(dir.buf, &m->err)))
		goto out;
	for (size_t k = 0; k < m->f->n && !st; k++) {
		qr_fed_shard *s = &m->f->v[k];
		qr_store *store = qr_corpus_store(s->local);
		for (int stream = 0; stream < QR_STREAM_COUNT && !st; stream++) {
			struct segmap *sm = &m->map[k][stream];
			sm->first = qr_store_first_segment(store, stream);
			sm->last = qr_store_last_segment(store, stream);
			sm->base = m->next[stream];
			for (uint32_t seg = sm->first; seg && seg <= sm->last && !st; seg++) {
				qr_buf_reset(&from);
				qr_store_segment_path(store, stream, seg, &from);
				qr_buf_setf(&to, "%s/store/%s%06u.zst", m->out, stream == QR_STREAM_MEDIA ? "media/" : "",
					    sm->base + (seg - sm->first));
				struct stat sb;
				if (stat(from.buf, &sb) < 0)
					continue; /* a number compaction left unused */
				st = copy_file(from.buf, to.buf, &m->err);
			}
			if (sm->first)
				m->next[stream] = sm->base + (sm->last - sm->first) + 1;
		}
		qr_buf_setf(&from, "%s/store", s->path);
		if (!st)
			st = copy_dictionaries(m, from.buf);
	}
	for (int stream = 0; !st && stream < QR_STREAM_COUNT; stream++) {
		qr_buf_setf(&dir, "%s/store%s", m->out, stream == QR_STREAM_MEDIA ? "/media" : "");
		st = qr_io_fsync_dir(dir.buf, &m->err);
	}
out:
	qr_buf_release(&from);
	qr_buf_release(&to);
	qr_buf_release(&dir);
	return st;
}

/* ---- 3. the index ---- */

/* A locator of shard k in the new store; false when it is not one. */
static bool relocate(const struct merge *m, size_t k, const char *loc, char out[64])
{
	qr_locator l;
	if (!loc || !qr_locator_parse(loc, &l) || l.stream >= QR_STREAM_COUNT)
		return false;
	const struct segmap *sm = &m->map[k][l.stream];
	if (!sm->first || l.segment < sm->first || l.segment > sm->last)
		return false;
	l.segment = sm->base + (l.segment - sm->first);
	qr_locator_format(&l, out);
	return true;
}

/* The shard that owns a post: rules never overlap. */
static size_t owner(const struct merge *m, const qr_post *p)
{
	for (size_t k = 0; k < m->f->n; k++)
		if (qr_shard_keeps(&m->f->v[k].rule, p->id, p->created))
			return k;
	return m->f->n;
}

static int rewrite_post(struct merge *m, xc_db *db, xc_docid docid, qr_post *p, qr_buf *json)
{
	xc_doc *doc = NULL;
	char *data = NULL, loc[64];
	size_t len = 0;
	qr_buf why = QR_BUF_INIT;
	int st = 0;
	if (xc_db_get_document(db, docid, &doc) != XC_OK || xc_doc_get_data(doc, &data, &len) != XC_OK) {
		st = fail(m, QR_DAMAGED, "cannot read document %u of the merged index: %s", docid, xc_db_error(db));
		goto out;
	}
	qr_post_clear(p);
	if (qr_post_from_json(p, data, len, &why)) {
		st = fail(m, QR_DAMAGED, "document %u holds no valid post: %s", docid, why.buf);
		goto out;
	}
	size_t k = owner(m, p);
	if (k == m->f->n || !relocate(m, k, p->record.locator, loc)) {
		st = fail(m, QR_DAMAGED, "post %s has a locator no shard's store holds (%s)", p->id,
			  p->record.locator ? p->record.locator : "none");
		goto out;
	}
	qr_set(&p->record.locator, loc);
	for (size_t i = 0; i < p->record.versions.n; i++)
		if (relocate(m, k, p->record.versions.v[i].value, loc))
			qr_set(&p->record.versions.v[i].value, loc);
	for (size_t i = 0; i < p->nmedia; i++)
		if (p->media[i].locator && relocate(m, k, p->media[i].locator, loc))
			qr_set(&p->media[i].locator, loc);
	qr_jw w;
	qr_buf_reset(json);
	qr_jw_init(&w, json, false);
	qr_post_to_data(p, &w);
	if (xc_doc_set_data(doc, json->buf, json->len) != XC_OK || xc_db_replace_document(db, docid, doc) != XC_OK)
		st = fail(m, QR_IO, "cannot rewrite document %u: %s", docid, xc_db_error(db));
out:
	free(data);
	xc_doc_destroy(doc);
	qr_buf_release(&why);
	return st;
}

static int set_meta(xc_db *db, const char *key, const char *value)
{
	return xc_db_set_metadata(db, key, value, strlen(value)) == XC_OK ? 0 : QR_IO;
}

/* Store tails, identity, source contexts; the journal is written anew. */
static int merged_metadata(struct merge *m, xc_db *db, const char *id)
{
	char buf[64], key[48];
	qr_store_pos pos;
	qr_buf path = QR_BUF_INIT;
	static const char *const tails[QR_STREAM_COUNT] = { "quire.store.tail.records", "quire.store.tail.media" };
	int st = 0;
	for (int stream = 0; stream < QR_STREAM_COUNT && !st; stream++) {
		pos.segment = m->next[stream] > 1 ? m->next[stream] - 1 : 0;
		pos.size = 0;
		if (pos.segment) {
			struct stat sb;
			qr_buf_setf(&path, "%s/store/%s%06u.zst", m->out, stream == QR_STREAM_MEDIA ? "media/" : "",
				    pos.segment);
			pos.size = stat(path.buf, &sb) == 0 ? (uint64_t)sb.st_size : 0;
		}
		qr_store_pos_format(&pos, buf);
		st = set_meta(db, tails[stream], buf);
	}
	/* A context for each source: the first shard's that has one. */
	uint32_t sources = 0;
	for (size_t k = 0; k < m->f->n && !st; k++) {
		qr_buf v = QR_BUF_INIT;
		if (qr_corpus_get_metadata(m->f->v[k].local, "quire.sources.next", &v) == 0 &&
		    (uint32_t)strtoul(v.buf, NULL, 10) > sources)
			sources = (uint32_t)strtoul(v.buf, NULL, 10);
		qr_buf_release(&v);
	}
	for (uint32_t n = 1; n < sources && !st; n++) {
		snprintf(key, sizeof(key), "quire.context.%u", n);
		bool found = false;
		for (size_t k = 0; k < m->f->n && !found; k++) {
			qr_buf v = QR_BUF_INIT;
			if (qr_corpus_get_metadata(m->f->v[k].local, key, &v) == 0 && relocate(m, k, v.buf, buf)) {
				st = set_meta(db, key, buf);
				found = true;
			}
			qr_buf_release(&v);
		}
	}
	snprintf(buf, sizeof(buf), "%u", sources ? sources : 1);
	if (!st)
		st = set_meta(db, "quire.sources.next", buf);
	if (!st)
		st = set_meta(db, "quire.corpus.id", id);
	/* The new journal starts empty: it gets the codes as a snapshot. */
	if (!st)
		st = set_meta(db, "quire.journal.applied", "0");
	qr_buf_release(&path);
	return st ? fail(m, st, "cannot write the merged index's metadata: %s", xc_db_error(db)) : 0;
}

static int merge_index(struct merge *m, const char *id)
{
	xc_db *all = NULL, *db = NULL;
	qr_buf path = QR_BUF_INIT, json = QR_BUF_INIT;
	char *msg = NULL;
	qr_post p;
	int st = 0;
	qr_post_init(&p);
	if (xc_db_create_empty(&all) != XC_OK)
		return fail(m, QR_NOMEM, "out of memory");
	for (size_t k = 0; k < m->f->n && !st; k++)
		if (xc_db_add_shard(all, qr_corpus_db(m->f->v[k].local)) != XC_OK)
			st = fail(m, QR_INTERNAL, "%s", xc_db_error(all));
	qr_buf_setf(&path, "%s/index", m->out);
	if (!st && xc_db_compact(all, path.buf, XC_COMPACT_MULTIPASS) != XC_OK)
		st = fail(m, QR_IO, "cannot merge the indexes: %s", xc_db_error(all));
	xc_db_destroy(all);
	if (!st && xc_db_open(path.buf, XC_DB_OPEN, &db, &msg) != XC_OK)
		st = fail(m, QR_IO, "cannot open the merged index: %s", msg ? msg : "");
	free(msg);
	xc_docid last = 0;
	if (!st)
		xc_db_lastdocid(db, &last);
	xc_db_begin_transaction(db, 1);
	for (xc_docid d = 1; d <= last && !st; d++) {
		xc_doc *probe = NULL;
		xc_status x = xc_db_get_document(db, d, &probe);
		xc_doc_destroy(probe);
		if (x == XC_NOT_FOUND)
			continue;
		st = rewrite_post(m, db, d, &p, &json);
		if (!st && d % 20000 == 0 && (xc_db_commit_transaction(db) != XC_OK || xc_db_begin_transaction(db, 1) != XC_OK))
			st = fail(m, QR_IO, "cannot commit the merged index: %s", xc_db_error(db));
	}
	if (!st)
		st = merged_metadata(m, db, id);
	if (!st && xc_db_commit_transaction(db) != XC_OK)
		st = fail(m, QR_IO, "cannot commit the merged index: %s", xc_db_error(db));
	xc_db_destroy(db);
	qr_post_clear(&p);
	qr_buf_release(&path);
	qr_buf_release(&json);
	return st;
}

/* ---- the logs ---- */

/* sources.jsonl: one line per input number (the first shard's), its post
 * counts summed over the shards; rejects.jsonl: the shard with the most
 * (each rejected the same records). */
static int merge_logs(struct merge *m)
{
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT, out = QR_BUF_INIT, best = QR_BUF_INIT;
	int st = 0;
	cJSON **lines = NULL;
	size_t nlines = 0;
	for (size_t k = 0; k < m->f->n; k++) {
		qr_buf_setf(&path, "%s/sources.jsonl", m->f->v[k].path);
		qr_buf_reset(&data);
		if (qr_io_read_file(path.buf, (size_t)1 << 30, &data, &m->err))
			continue;
		for (char *line = data.buf; line && line < data.buf + data.len;) {
			char *end = memchr(line, '\n', (size_t)(data.buf + data.len - line));
			cJSON *o = qr_json_parse(line, end ? (size_t)(end - line) : strlen(line), NULL);
			int64_t num = 0;
			line = end ? end + 1 : NULL;
			if (!o || !qr_json_int(o, "number", &num) || num < 1 || num > 10000000) {
				cJSON_Delete(o);
				continue;
			}
			if ((size_t)num > nlines) {
				lines = realloc(lines, (size_t)num * sizeof(*lines));
				memset(lines + nlines, 0, ((size_t)num - nlines) * sizeof(*lines));
				nlines = (size_t)num;
			}
			cJSON *have = lines[num - 1];
			if (!have) {
				cJSON_DeleteItemFromObjectCaseSensitive(o, "elsewhere");
				lines[num - 1] = o;
				continue;
			}
			static const char *const sums[] = { "posts_added", "posts_updated", "duplicates" };
			for (size_t i = 0; i < 3; i++) {
				int64_t a = 0, b = 0;
				if (qr_json_int(have, sums[i], &a) && qr_json_int(o, sums[i], &b))
					cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(have, sums[i]), (double)(a + b));
			}
			cJSON_Delete(o);
		}
	}
	for (size_t i = 0; i < nlines; i++) {
		if (!lines[i])
			continue;
		char *s = cJSON_PrintUnformatted(lines[i]);
		if (s) {
			qr_buf_adds(&out, s);
			qr_buf_addch(&out, '\n');
		}
		free(s);
		cJSON_Delete(lines[i]);
	}
	free(lines);
	qr_buf_setf(&path, "%s/sources.jsonl", m->out);
	if (out.len)
		st = qr_io_write_file_atomic(path.buf, out.buf, out.len, &m->err);
	for (size_t k = 0; k < m->f->n && !st; k++) {
		qr_buf_setf(&path, "%s/rejects.jsonl", m->f->v[k].path);
		qr_buf_reset(&data);
		if (qr_io_read_file(path.buf, (size_t)1 << 30, &data, &m->err) == 0 && data.len > best.len) {
			qr_buf_reset(&best);
			qr_buf_add(&best, data.buf, data.len);
		}
	}
	qr_buf_setf(&path, "%s/rejects.jsonl", m->out);
	if (!st && best.len)
		st = qr_io_write_file_atomic(path.buf, best.buf, best.len, &m->err);
	qr_buf_reset(&m->err);
	qr_buf_release(&path);
	qr_buf_release(&data);
	qr_buf_release(&out);
	qr_buf_release(&best);
	return st;
}

/* ---- 4 and 5: the journal, and every record read back ---- */

static int finish(struct merge *m, uint64_t *records, uint64_t *media)
{
	qr_corpus *c = NULL;
	qr_buf report = QR_BUF_INIT, data = QR_BUF_INIT;
	qr_post p;
	int st;
	qr_post_init(&p);
	/* The codes and the catalogue into the new journal (what a corpus
	 * from before the journal gets: a snapshot), committed. */
	if ((st = qr_corpus_open(m->out, QR_OPEN_WRITE, &c, &m->err)))
		goto out;
	if ((st = qr_journal_adopt(c, false, &report)) || (st = qr_corpus_commit(c)))
		fail(m, st, "cannot write the merged corpus's journal: %s", qr_corpus_error(c));
	qr_corpus_close(c);
	c = NULL;
	if (st)
		goto out;
	if ((st = qr_corpus_open(m->out, QR_OPEN_READ, &c, &m->err)))
		goto out;
	xc_docid last = 0;
	xc_db_lastdocid(qr_corpus_db(c), &last);
	for (xc_docid d = 1; d <= last && !st; d++) {
		qr_post_clear(&p);
		int ls = qr_corpus_load_post(c, d, &p);
		if (ls == QR_NOT_FOUND)
			continue;
		if (ls || (st = qr_corpus_get_record(c, &p, &data))) {
			st = fail(m, QR_DAMAGED, "%s", qr_corpus_error(c));
			break;
		}
		(*records)++;
		for (size_t i = 0; i < p.nmedia && !st; i++) {
			if (!p.media[i].locator)
				continue;
			if ((st = qr_corpus_get_media(c, &p.media[i], &data)))
				fail(m, QR_DAMAGED, "%s", qr_corpus_error(c));
			else
				(*media)++;
		}
	}
out:
	qr_post_clear(&p);
	qr_corpus_close(c);
	qr_buf_release(&report);
	qr_buf_release(&data);
	return st;
}

int qr_merge_command(const char *fed_dir, const char *out)
{
	struct merge m;
	qr_buf tmp = QR_BUF_INIT, path = QR_BUF_INIT;
	qr_corpus *fresh = NULL;
	struct stat sb;
	int st = 0, rc = 0;
	memset(&m, 0, sizeof(m));
	qr_buf_init(&m.err);
	for (int s = 0; s < QR_STREAM_COUNT; s++)
		m.next[s] = 1;
	if (stat(out, &sb) == 0)
		return qr_usage_error("shards", "'%s' exists: merge makes a new corpus", out);
	if ((st = qr_federation_read(fed_dir, &m.f, &m.err))) {
		qr_error("%s", m.err.buf);
		return st == QR_USAGE ? QR_EXIT_USAGE : QR_EXIT_DAMAGED;
	}
	for (size_t k = 0; k < m.f->n && !rc; k++) {
		qr_fed_shard *s = &m.f->v[k];
		qr_buf name = QR_BUF_INIT;
		qr_fed_shard_name(m.f, s, &name);
		if (s->kind != QR_LOC_PATH)
			rc = qr_usage_error("shards", "%s is not on this machine: merge reads every shard's files (copy it "
						      "here, e.g. with rsync, and list it by its path)",
					    name.buf);
		else if (qr_fed_shard_connect(m.f, s, true)) {
			qr_error("%s: %s", name.buf, s->why);
			rc = QR_EXIT_DAMAGED;
		}
		qr_buf_release(&name);
	}
	if (rc)
		goto out;
	if (!m.f->n) {
		rc = qr_usage_error("shards", "the federation has no shards to merge");
		goto out;
	}
	qr_buf errcov = QR_BUF_INIT;
	if ((st = qr_federation_open(m.f, false, &errcov))) {
		qr_error("%s", errcov.buf);
		qr_buf_release(&errcov);
		rc = QR_EXIT_DAMAGED;
		goto out;
	}
	qr_buf_release(&errcov);
	if ((st = check_sources(&m))) {
		qr_error("cannot merge: %s", m.err.buf);
		rc = QR_EXIT_USAGE;
		goto out;
	}
	m.map = qr_calloc(m.f->n, sizeof(*m.map));
	qr_buf_setf(&tmp, "%s.tmp", out);
	if ((st = qr_io_remove_tree(tmp.buf, &m.err)))
		goto failed;
	m.out = tmp.buf;
	/* A new corpus (its own id), its index left to the merge. */
	if ((st = qr_corpus_open(tmp.buf, QR_OPEN_CREATE, &fresh, &m.err)))
		goto failed;
	char *id = qr_strdup(qr_corpus_id(fresh));
	qr_corpus_close(fresh);
	qr_buf_setf(&path, "%s/index", tmp.buf);
	if (!(st = qr_io_remove_tree(path.buf, &m.err)) && !(st = copy_store(&m)) && !(st = merge_index(&m, id)))
		st = merge_logs(&m);
	free(id);
	/* The catalogue the shards applied (the first shard's copy). */
	qr_buf ev = QR_BUF_INIT;
	qr_buf_setf(&ev, "%s/events", m.f->v[0].path);
	if (!st && stat(ev.buf, &sb) == 0) {
		qr_buf_setf(&path, "%s/events", tmp.buf);
		if (!(st = qr_io_mkdir(path.buf, &m.err))) {
			DIR *d = opendir(ev.buf);
			struct dirent *e;
			while (!st && d && (e = readdir(d))) {
				if (e->d_name[0] == '.')
					continue;
				qr_buf from = QR_BUF_INIT, to = QR_BUF_INIT;
				qr_buf_setf(&from, "%s/%s", ev.buf, e->d_name);
				qr_buf_setf(&to, "%s/%s", path.buf, e->d_name);
				st = copy_file(from.buf, to.buf, &m.err);
				qr_buf_release(&from);
				qr_buf_release(&to);
			}
			if (d)
				closedir(d);
		}
	}
	qr_buf_release(&ev);
	uint64_t records = 0, media = 0;
	if (!st)
		st = finish(&m, &records, &media);
	if (!st && (st = qr_io_rename(tmp.buf, out, &m.err)) == 0)
		qr_io_fsync_dir(".", NULL);
	if (st)
		goto failed;
	uint32_t docs = 0;
	xc_db_doccount(m.f->db, &docs);
	printf("merged %zu shards into %s: %u posts; %llu records and %llu media files read back and checked against "
	       "their sha256\n",
	       m.f->n, out, docs, (unsigned long long)records, (unsigned long long)media);
	goto out;
failed:
	qr_error("cannot merge into '%s': %s", out, m.err.buf);
	rc = qr_status_exit_code(st);
out:
	free(m.map);
	qr_federation_free(m.f);
	qr_buf_release(&m.err);
	qr_buf_release(&tmp);
	qr_buf_release(&path);
	return rc;
}
