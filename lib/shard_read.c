/* What a federation reads of one shard besides its index (shard_read.h). */
#include "shard_read.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "io.h"
#include "journal.h"
#include "json.h"
#include "status.h"

/* Bytes of a file the shard keeps, "" when it has none yet. */
static int read_whole(const char *path, qr_buf *out, qr_buf *err)
{
	int st = qr_io_read_file(path, SIZE_MAX / 2, out, err);
	if (st == QR_NOT_FOUND) {
		qr_buf_reset(out);
		qr_buf_reset(err);
		return 0;
	}
	return st;
}

static int parse_sources(const char *arg, uint32_t **v, size_t *n, qr_buf *err)
{
	size_t alloc = 0;
	*v = NULL;
	*n = 0;
	for (const char *s = arg; s && *s;) {
		char *end = NULL;
		unsigned long k = strtoul(s, &end, 10);
		if (end == s || !k || k > UINT32_MAX || (*end && *end != ',')) {
			qr_buf_setf(err, "source numbers are asked for as 1,4,...: '%s'", arg);
			free(*v);
			*v = NULL;
			*n = 0;
			return QR_USAGE;
		}
		*v = qr_grow_array(*v, sizeof(**v), *n + 1, &alloc);
		(*v)[(*n)++] = (uint32_t)k;
		s = *end ? end + 1 : end;
	}
	return 0;
}

int qr_corpus_contexts(qr_corpus *c, const uint32_t *sources, size_t n, qr_context_at **out, size_t *nout,
		       qr_buf *err)
{
	qr_store *s = qr_corpus_store(c);
	size_t alloc = 0;
	qr_block b;
	int st = 0;
	*out = NULL;
	*nout = 0;
	if (!s) {
		qr_buf_setf(err, "no store here");
		return QR_USAGE;
	}
	qr_block_init(&b);
	uint32_t first = qr_store_first_segment(s, QR_STREAM_RECORDS), last = qr_store_last_segment(s, QR_STREAM_RECORDS);
	for (uint32_t seg = first; seg && seg <= last && !st; seg++) {
		uint64_t size = qr_store_segment_size(s, QR_STREAM_RECORDS, seg);
		for (uint64_t off = 0; off < size && !st;) {
			if ((st = qr_store_read_block(s, QR_STREAM_RECORDS, seg, off, false, &b))) {
				qr_buf_setf(err, "%s", qr_store_error(s));
				break;
			}
			for (uint32_t i = 0; i < b.nrecords; i++) {
				const qr_record_meta *m = &b.records[i];
				bool wanted = false;
				for (size_t k = 0; k < n && !wanted; k++)
					wanted = sources[k] == m->source;
				if (!(m->flags & QR_REC_CONTEXT) || !wanted)
					continue;
				*out = qr_grow_array(*out, sizeof(**out), *nout + 1, &alloc);
				(*out)[(*nout)++] = (qr_context_at){ { QR_STREAM_RECORDS, seg, off, i }, m->source };
			}
			if (b.end <= off)
				break;
			off = b.end;
		}
	}
	qr_block_release(&b);
	if (st) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	return st;
}

static int entry(qr_corpus *c, const qr_locator *loc, qr_buf *out, qr_buf *err)
{
	qr_store *s = qr_corpus_store(c);
	qr_buf data = QR_BUF_INIT, strings = QR_BUF_INIT;
	qr_record_meta m;
	char sha[QR_SHA256_HEX];
	int st = qr_store_get(s, loc, &data, &m, &strings);
	if (st) {
		qr_buf_setf(err, "%s", qr_store_error(s));
	} else {
		qr_jw w;
		qr_hex(m.sha256, QR_SHA256_LEN, sha);
		qr_jw_init(&w, out, false);
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "format", m.format ? m.format : "");
		qr_jw_kstr(&w, "path", m.path ? m.path : "");
		qr_jw_kstr(&w, "member", m.member ? m.member : "");
		qr_jw_kint(&w, "line", (int64_t)m.line);
		qr_jw_kint(&w, "byte", (int64_t)m.byte);
		qr_jw_kint(&w, "source", m.source);
		qr_jw_kint(&w, "flags", m.flags);
		qr_jw_kstr(&w, "sha256", sha);
		qr_jw_end_object(&w);
		qr_buf_addch(out, '\n');
		qr_buf_add(out, data.buf, data.len);
	}
	qr_buf_release(&data);
	qr_buf_release(&strings);
	return st;
}

/* Several entries, each framed by its length. */
static int entries(qr_corpus *c, const char *arg, qr_buf *out, qr_buf *err)
{
	qr_buf one = QR_BUF_INIT, loc_text = QR_BUF_INIT;
	size_t n = 0;
	int st = 0;
	for (const char *s = arg; *s && !st; n++) {
		size_t len = strcspn(s, ",");
		qr_locator loc;
		qr_buf_reset(&loc_text);
		qr_buf_add(&loc_text, s, len);
		if (n >= QR_SHARD_MAX_ENTRIES) {
			qr_buf_setf(err, "at most %d records a request", QR_SHARD_MAX_ENTRIES);
			st = QR_USAGE;
		} else if (!qr_locator_parse(loc_text.buf, &loc) || loc.stream != QR_STREAM_RECORDS) {
			qr_buf_setf(err, "'%.100s' is not a locator of a record", loc_text.buf);
			st = QR_USAGE;
		} else {
			qr_buf_reset(&one);
			if (!(st = entry(c, &loc, &one, err))) {
				qr_buf_addf(out, "%zu\n", one.len);
				qr_buf_add(out, one.buf, one.len);
				qr_buf_addch(out, '\n');
			}
		}
		s += len;
		if (*s == ',')
			s++;
	}
	qr_buf_release(&one);
	qr_buf_release(&loc_text);
	return st;
}

int qr_shard_entries_next(const char **p, const char *end, const char **entry, size_t *len)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	char head[24], *e;
	if (!nl || nl == *p || (size_t)(nl - *p) >= sizeof(head))
		return QR_DAMAGED;
	memcpy(head, *p, (size_t)(nl - *p));
	head[nl - *p] = '\0';
	unsigned long long n = strtoull(head, &e, 10);
	if (*e || head[0] < '0' || head[0] > '9' || n >= (unsigned long long)(end - nl - 1) || nl[1 + n] != '\n')
		return QR_DAMAGED;
	*entry = nl + 1;
	*len = (size_t)n;
	*p = nl + 2 + n;
	return 0;
}

static int contexts(qr_corpus *c, const char *arg, qr_buf *out, qr_buf *err)
{
	uint32_t *v;
	size_t n, nctx = 0;
	qr_context_at *ctx = NULL;
	int st = parse_sources(arg, &v, &n, err);
	if (!st && n)
		st = qr_corpus_contexts(c, v, n, &ctx, &nctx, err);
	for (size_t i = 0; i < nctx; i++) {
		char at[64];
		qr_jw w;
		qr_locator_format(&ctx[i].loc, at);
		qr_jw_init(&w, out, false);
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "at", at);
		qr_jw_kint(&w, "source", ctx[i].source);
		qr_jw_end_object(&w);
		qr_buf_addch(out, '\n');
	}
	free(ctx);
	free(v);
	return st;
}

static int documents(qr_corpus *c, const char *arg, qr_buf *out, qr_buf *err)
{
	uint32_t *v;
	size_t n;
	int st = parse_sources(arg, &v, &n, err);
	if (st) {
		qr_buf_setf(err, "documents are asked for by their numbers, 1,4,...");
		return st;
	}
	if (n > QR_SHARD_MAX_DOCUMENTS) {
		free(v);
		qr_buf_setf(err, "at most %d documents a request", QR_SHARD_MAX_DOCUMENTS);
		return QR_USAGE;
	}
	for (size_t i = 0; i < n && !st; i++) {
		xc_doc *doc = NULL;
		char *data = NULL;
		size_t len = 0;
		xc_status x = xc_db_get_document(qr_corpus_db(c), v[i], &doc);
		if (x == XC_OK)
			x = xc_doc_get_data(doc, &data, &len);
		if (x == XC_OK) {
			qr_buf_addf(out, "%u %zu\n", v[i], len);
			qr_buf_add(out, data, len);
			qr_buf_addch(out, '\n');
		} else if (x == XC_NOT_FOUND) {
			qr_buf_addf(out, "%u -\n", v[i]);
		} else {
			qr_buf_setf(err, "cannot read document %u: %s", v[i], doc ? xc_doc_error(doc) : xc_db_error(qr_corpus_db(c)));
			st = QR_DAMAGED;
		}
		free(data);
		xc_doc_destroy(doc);
	}
	free(v);
	return st;
}

int qr_shard_read(qr_corpus *c, const char *what, const char *arg, qr_buf *out, qr_buf *err)
{
	qr_locator loc;
	qr_buf_reset(out);
	if (strcmp(what, "sources") == 0) {
		qr_buf path = QR_BUF_INIT;
		qr_corpus_path(c, "sources.jsonl", &path);
		int st = read_whole(path.buf, out, err);
		qr_buf_release(&path);
		return st;
	}
	if (strcmp(what, "journal") == 0) {
		qr_journal *j = qr_corpus_journal(c);
		return j ? read_whole(qr_journal_path(j), out, err) : 0;
	}
	if (!arg || !*arg) {
		qr_buf_setf(err, "which %s? (?at=...)", what);
		return QR_USAGE;
	}
	if (strcmp(what, "contexts") == 0)
		return contexts(c, arg, out, err);
	if (strcmp(what, "documents") == 0)
		return documents(c, arg, out, err);
	if (strcmp(what, "context") == 0) {
		char *end = NULL;
		unsigned long n = strtoul(arg, &end, 10);
		if (!end || *end || !n || n > UINT32_MAX) {
			qr_buf_setf(err, "a context is asked for by its source number");
			return QR_USAGE;
		}
		int st = qr_corpus_get_context(c, (uint32_t)n, out);
		if (st)
			qr_buf_setf(err, "%s", st == QR_NOT_FOUND ? "no such context" : qr_corpus_error(c));
		return st;
	}
	if (strcmp(what, "entries") == 0)
		return entries(c, arg, out, err);
	bool media = strcmp(what, "media") == 0;
	if (!media && strcmp(what, "record") != 0 && strcmp(what, "entry") != 0) {
		qr_buf_setf(err, "a shard has no '%s' to read", what);
		return QR_USAGE;
	}
	if (!qr_locator_parse(arg, &loc) || loc.stream != (media ? QR_STREAM_MEDIA : QR_STREAM_RECORDS)) {
		qr_buf_setf(err, "'%s' is not a locator of a %s", arg, media ? "media file" : "record");
		return QR_USAGE;
	}
	if (strcmp(what, "entry") == 0)
		return entry(c, &loc, out, err);
	qr_store *s = qr_corpus_store(c);
	int st = qr_store_get(s, &loc, out, NULL, NULL);
	if (st)
		qr_buf_setf(err, "%s", qr_store_error(s));
	return st;
}

int qr_shard_entry_parse(const char *buf, size_t len, qr_buf *data, qr_record_meta *meta, qr_buf *strings,
			 qr_buf *err)
{
	const char *nl = memchr(buf, '\n', len);
	cJSON *j = nl ? qr_json_parse(buf, (size_t)(nl - buf), NULL) : NULL;
	int64_t line, byte, source, flags;
	const char *sha = j ? qr_json_str(j, "sha256") : NULL;
	memset(meta, 0, sizeof(*meta));
	if (!j || !qr_json_int(j, "line", &line) || !qr_json_int(j, "byte", &byte) || !qr_json_int(j, "source", &source) ||
	    !qr_json_int(j, "flags", &flags) || !sha || !qr_unhex(sha, meta->sha256, QR_SHA256_LEN) || line < 0 ||
	    byte < 0 || source < 0 || source > UINT32_MAX || flags < 0 || flags > UINT32_MAX) {
		cJSON_Delete(j);
		qr_buf_setf(err, "not a record with what the store says of it");
		return QR_DAMAGED;
	}
	static const char *const keys[3] = { "format", "path", "member" };
	size_t at[3];
	qr_buf_reset(strings);
	for (int k = 0; k < 3; k++) {
		const char *v = qr_json_str(j, keys[k]);
		at[k] = strings->len;
		qr_buf_adds(strings, v ? v : "");
		qr_buf_addch(strings, '\0');
	}
	meta->format = strings->buf + at[0];
	meta->path = strings->buf + at[1];
	meta->member = strings->buf + at[2];
	meta->line = (uint64_t)line;
	meta->byte = (uint64_t)byte;
	meta->source = (uint32_t)source;
	meta->flags = (uint32_t)flags;
	size_t head = (size_t)(nl - buf) + 1;
	meta->length = (uint32_t)(len - head);
	qr_buf_reset(data);
	qr_buf_add(data, nl + 1, len - head);
	cJSON_Delete(j);
	return 0;
}
