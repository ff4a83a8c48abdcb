/*
 * The original records of an export (export.h): read from the store in
 * store order (a block is decompressed once however many of its records
 * are asked for), each checked against its sha256, written as one zstd
 * frame each, so that `zstd -d` on a file prints them and a frame cut out
 * by its offset and length decompresses on its own.  Records of archive
 * formats travel with the context record they are read with (the nearest
 * one of their source before them in the store, format.h), and the media
 * files the store keeps for the posts go to data/media/.
 */
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <zstd.h>

#include "export.h"
#include "hash.h"
#include "json.h"
#include "shard_read.h"
#include "status.h"

/* A new originals file past this many bytes. */
#define FILE_BYTES ((uint64_t)1 << 30)
/* zstd's own default level: fast, and what `zstd` writes. */
#define LEVEL 3

static int cmp_loc(const qr_locator *a, const qr_locator *b)
{
	if (a->stream != b->stream)
		return a->stream < b->stream ? -1 : 1;
	if (a->segment != b->segment)
		return a->segment < b->segment ? -1 : 1;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	if (a->index != b->index)
		return a->index < b->index ? -1 : 1;
	return 0;
}

/* Store order; a context before the records of its place (never the
 * same place), the posts of one record in id order. */
static const char *sort_ids;

static int by_place(const void *pa, const void *pb)
{
	const qr_export_record *a = pa, *b = pb;
	if (a->shard != b->shard)
		return a->shard < b->shard ? -1 : 1;
	int c = cmp_loc(&a->loc, &b->loc);
	if (c || a->id == b->id)
		return c;
	if (a->id == UINT32_MAX || b->id == UINT32_MAX)
		return a->id == UINT32_MAX ? -1 : 1;
	return strcmp(sort_ids + a->id, sort_ids + b->id);
}

/* ---- contexts ---- */

static bool wanted(const uint32_t *v, size_t n, uint32_t source)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == source)
			return true;
	return false;
}

/* Sources asked for in one request (a request line of a few kilobytes). */
#define CONTEXTS_ASKED 500

static int by_context_place(const void *a, const void *b)
{
	return cmp_loc(&((const qr_context_at *)a)->loc, &((const qr_context_at *)b)->loc);
}

/* A shard's answer to "contexts": JSON lines {"at", "source"}. */
static int take_contexts(qr_export *x, uint32_t shard, const qr_buf *data, qr_context_at **out, size_t *n,
			 size_t *alloc)
{
	int st = 0;
	for (char *s = data->buf, *end; !st && s && s < data->buf + data->len; s = end + 1) {
		end = memchr(s, '\n', (size_t)(data->buf + data->len - s));
		if (!end)
			end = data->buf + data->len;
		cJSON *o = qr_json_parse(s, (size_t)(end - s), NULL);
		int64_t source;
		qr_context_at c;
		if (!o || !qr_json_str(o, "at") || !qr_locator_parse(qr_json_str(o, "at"), &c.loc) ||
		    !qr_json_int(o, "source", &source) || source <= 0 || source > UINT32_MAX) {
			int shown = end - s > 100 ? 100 : (int)(end - s);
			qr_buf_setf(&x->err, "%s sent a context that is not one: %.*s", qr_export_shard_name(x, shard), shown,
				    s);
			st = QR_DAMAGED;
		} else {
			c.source = (uint32_t)source;
			*out = qr_grow_array(*out, sizeof(**out), *n + 1, alloc);
			(*out)[(*n)++] = c;
		}
		cJSON_Delete(o);
	}
	return st;
}

/* Every context record of the given sources in a shard (0: this corpus),
 * in store order. */
static int find_contexts(qr_export *x, uint32_t shard, const uint32_t *sources, size_t nsources, qr_context_at **out,
			 size_t *n)
{
	if (!shard) {
		int st = qr_corpus_contexts(x->c, sources, nsources, out, n, &x->err);
		return st;
	}
	qr_buf arg = QR_BUF_INIT, data = QR_BUF_INIT;
	size_t alloc = 0;
	int st = 0;
	*out = NULL;
	*n = 0;
	/* the sources a part at a time, the contexts put in store order
	 * after */
	for (size_t from = 0; from < nsources && !st; from += CONTEXTS_ASKED) {
		qr_buf_reset(&arg);
		for (size_t i = from; i < nsources && i < from + CONTEXTS_ASKED; i++)
			qr_buf_addf(&arg, "%s%u", i > from ? "," : "", sources[i]);
		if (!(st = qr_export_shard_read(x, shard, "contexts", arg.buf, &data)))
			st = take_contexts(x, shard, &data, out, n, &alloc);
	}
	if (!st && *n > 1)
		qsort(*out, *n, sizeof(**out), by_context_place);
	if (st) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	qr_buf_release(&arg);
	qr_buf_release(&data);
	return st;
}

/* Add, for each record of an archive format among records [from, to) (of
 * one shard), the context it is read with. */
static int add_contexts_of(qr_export *x, size_t from, size_t to)
{
	uint32_t *sources = NULL, shard = x->records[from].shard;
	size_t nsources = 0, alloc = 0, ncontexts = 0;
	qr_context_at *contexts = NULL;
	for (size_t i = from; i < to; i++) {
		if (x->records[i].archive && !wanted(sources, nsources, x->records[i].source)) {
			sources = qr_grow_array(sources, sizeof(*sources), nsources + 1, &alloc);
			sources[nsources++] = x->records[i].source;
		}
	}
	int st = nsources ? find_contexts(x, shard, sources, nsources, &contexts, &ncontexts) : 0;
	/* records and contexts are both in store order: one walk matches
	 * each record with the last context of its source before it */
	size_t at = 0;
	bool *used = ncontexts ? qr_calloc(ncontexts, sizeof(*used)) : NULL;
	size_t *last = nsources ? qr_calloc(nsources, sizeof(*last)) : NULL;
	for (size_t k = 0; k < nsources; k++)
		last[k] = SIZE_MAX;
	for (size_t i = from; i < to && !st; i++) {
		qr_export_record *r = &x->records[i];
		while (at < ncontexts && cmp_loc(&contexts[at].loc, &r->loc) < 0) {
			for (size_t k = 0; k < nsources; k++)
				if (sources[k] == contexts[at].source)
					last[k] = at;
			at++;
		}
		if (!r->archive)
			continue;
		for (size_t k = 0; k < nsources; k++)
			if (sources[k] == r->source && last[k] != SIZE_MAX)
				used[last[k]] = true;
	}
	for (size_t k = 0; k < ncontexts && !st; k++) {
		if (!used[k])
			continue;
		qr_export_record c = { contexts[k].loc, { 0 }, contexts[k].source, shard, UINT32_MAX, false };
		x->records = qr_grow_array(x->records, sizeof(*x->records), x->nrecords + 1, &x->records_alloc);
		x->records[x->nrecords++] = c;
		x->contexts++;
	}
	free(used);
	free(last);
	free(contexts);
	free(sources);
	return st;
}

/* The same for every shard's records (sorted by place: a shard's are
 * together). */
static int add_contexts(qr_export *x)
{
	size_t n = x->nrecords;
	int st = 0;
	for (size_t from = 0, to; from < n && !st; from = to) {
		for (to = from + 1; to < n && x->records[to].shard == x->records[from].shard; to++)
			;
		st = add_contexts_of(x, from, to);
	}
	return st;
}

/* ---- writing ---- */

static const char *input_sha(const qr_export *x, uint32_t shard, uint32_t source)
{
	for (size_t i = 0; i < x->ninputs; i++)
		if (x->inputs[i].shard == shard && x->inputs[i].number == source)
			return x->inputs[i].sha256;
	return NULL;
}

struct out {
	qr_export *x;
	qr_bag_file *file, *index;
	char name[32];
	uint32_t number;
	uint64_t offset;
	ZSTD_CCtx *cctx;
	qr_buf frame, data, strings, line;
	/* the frame last written, for the other posts of its record */
	qr_locator last;
	uint32_t last_shard;
	bool have_last;
	uint64_t last_offset, last_length, last_size;
	qr_record_meta meta;
	char sha[QR_SHA256_HEX];
	/* the context each archive source's records are read with */
	uint32_t ctx_shard;          /* of the shard whose records are written */
	uint32_t *ctx_source;
	char (*ctx_sha)[QR_SHA256_HEX];
	size_t nctx, ctx_alloc;
	/* a federation: the contexts written, by what they are and whose */
	qr_strv ctx_written;
	uint32_t *ctx_written_shard;
	size_t ctx_written_alloc;
	bool skip;                   /* the record is written already */
	/* a federation: a shard's records asked for together, in order */
	qr_buf batch;
	size_t *bstart, *blen;
	qr_locator *bloc;
	uint32_t bshard;
	size_t bn, bnext, balloc;
};

/* A context one shard of a federation holds as another did (each shard
 * that reads an archive keeps its context): written once, as one corpus
 * would. */
static bool written_before(struct out *o, uint32_t shard)
{
	qr_buf key = QR_BUF_INIT;
	const char *in = input_sha(o->x, shard, o->meta.source);
	qr_buf_addf(&key, "%s\t%s\t%s\t%s", o->sha, in ? in : "", o->meta.path ? o->meta.path : "",
		    o->meta.member ? o->meta.member : "");
	bool seen = false;
	for (size_t i = 0; i < o->ctx_written.n && !seen; i++)
		seen = o->ctx_written_shard[i] != shard && strcmp(o->ctx_written.v[i], key.buf) == 0;
	if (!seen) {
		o->ctx_written_shard = qr_grow_array(o->ctx_written_shard, sizeof(*o->ctx_written_shard),
						     o->ctx_written.n + 1, &o->ctx_written_alloc);
		o->ctx_written_shard[o->ctx_written.n] = shard;
		qr_strv_push(&o->ctx_written, key.buf);
	}
	qr_buf_release(&key);
	return seen;
}

static int next_file(struct out *o)
{
	qr_export *x = o->x;
	int st = qr_bag_close(x->bag, o->file, &x->err);
	o->file = NULL;
	if (st)
		return st;
	snprintf(o->name, sizeof(o->name), "records-%06u.zst", ++o->number);
	char rel[64];
	snprintf(rel, sizeof(rel), "originals/%s", o->name);
	if (!(o->file = qr_bag_open(x->bag, rel, &x->err)))
		return QR_IO;
	o->offset = 0;
	return 0;
}

static void remember_context(struct out *o, uint32_t source, const char *sha)
{
	for (size_t i = 0; i < o->nctx; i++) {
		if (o->ctx_source[i] == source) {
			memcpy(o->ctx_sha[i], sha, QR_SHA256_HEX);
			return;
		}
	}
	size_t a = o->ctx_alloc;
	o->ctx_source = qr_grow_array(o->ctx_source, sizeof(*o->ctx_source), o->nctx + 1, &a);
	o->ctx_sha = qr_grow_array(o->ctx_sha, sizeof(*o->ctx_sha), o->nctx + 1, &o->ctx_alloc);
	o->ctx_source[o->nctx] = source;
	memcpy(o->ctx_sha[o->nctx++], sha, QR_SHA256_HEX);
}

static const char *context_of(const struct out *o, uint32_t source)
{
	for (size_t i = 0; i < o->nctx; i++)
		if (o->ctx_source[i] == source)
			return o->ctx_sha[i];
	return NULL;
}

static void index_line(struct out *o, const qr_export_record *r)
{
	qr_export *x = o->x;
	qr_jw w;
	qr_buf_reset(&o->line);
	qr_jw_init(&w, &o->line, false);
	qr_jw_begin_object(&w);
	bool context = r->id == UINT32_MAX;
	qr_jw_kstr(&w, "kind", context ? "context" : "record");
	if (!context)
		qr_jw_kstr(&w, "post", x->ids.buf + r->id);
	qr_jw_kstr(&w, "file", o->name);
	qr_jw_kint(&w, "offset", (int64_t)o->last_offset);
	qr_jw_kint(&w, "length", (int64_t)o->last_length);
	qr_jw_kint(&w, "size", (int64_t)o->last_size);
	qr_jw_kstr(&w, "sha256", o->sha);
	qr_jw_kstr(&w, "format", o->meta.format);
	qr_jw_key(&w, "source");
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "input_sha256", input_sha(x, r->shard, o->meta.source));
	qr_jw_kstr(&w, "path", o->meta.path);
	if (o->meta.member && *o->meta.member)
		qr_jw_kstr(&w, "member", o->meta.member);
	if (o->meta.line)
		qr_jw_kint(&w, "line", (int64_t)o->meta.line);
	qr_jw_kint(&w, "byte", (int64_t)o->meta.byte);
	qr_jw_end_object(&w);
	if (!context && r->archive)
		qr_jw_kstr(&w, "context", context_of(o, o->meta.source));
	qr_jw_end_object(&w);
	qr_buf_addch(&o->line, '\n');
	fwrite(o->line.buf, 1, o->line.len, o->index->f);
}

/* A record and what the store says of it, from this corpus's store or
 * its shard's. */
/* The records of a shard from record i on, up to QR_SHARD_MAX_ENTRIES
 * places, in one request. */
static int fill_batch(struct out *o, size_t i)
{
	qr_export *x = o->x;
	uint32_t shard = x->records[i].shard;
	qr_buf arg = QR_BUF_INIT;
	size_t a1 = o->balloc, a2 = o->balloc;
	o->bn = o->bnext = 0;
	o->bshard = shard;
	for (size_t k = i; k < x->nrecords && x->records[k].shard == shard && o->bn < QR_SHARD_MAX_ENTRIES; k++) {
		const qr_export_record *r = &x->records[k];
		if (o->bn && cmp_loc(&o->bloc[o->bn - 1], &r->loc) == 0)
			continue;
		o->bloc = qr_grow_array(o->bloc, sizeof(*o->bloc), o->bn + 1, &a1);
		o->bstart = qr_grow_array(o->bstart, sizeof(*o->bstart), o->bn + 1, &a2);
		o->blen = qr_grow_array(o->blen, sizeof(*o->blen), o->bn + 1, &o->balloc);
		a1 = a2 = o->balloc;
		o->bloc[o->bn++] = r->loc;
		char where[64];
		qr_locator_format(&r->loc, where);
		qr_buf_addf(&arg, "%s%s", o->bn > 1 ? "," : "", where);
	}
	int st = qr_export_shard_read(x, shard, "entries", arg.buf, &o->batch);
	const char *p = o->batch.buf, *end = o->batch.buf + o->batch.len, *e;
	for (size_t k = 0; k < o->bn && !st; k++) {
		if (qr_shard_entries_next(&p, end, &e, &o->blen[k])) {
			qr_buf_setf(&x->err, "%s sent records that are not the ones asked for (record %zu of the %zu)",
				    qr_export_shard_name(x, shard), k + 1, o->bn);
			st = QR_DAMAGED;
		} else {
			o->bstart[k] = (size_t)(e - o->batch.buf);
		}
	}
	if (!st && p != end) {
		qr_buf_setf(&x->err, "%s sent more records than the %zu asked for", qr_export_shard_name(x, shard), o->bn);
		st = QR_DAMAGED;
	}
	if (st)
		o->bn = 0;
	qr_buf_release(&arg);
	return st;
}

/* Record i and what the store says of it, from this corpus's store or its
 * shard's (a batch at a time). */
static int read_entry(struct out *o, size_t i, const char *where)
{
	qr_export *x = o->x;
	const qr_export_record *r = &x->records[i];
	int st;
	if (!r->shard) {
		qr_store *s = qr_corpus_store(x->c);
		if ((st = qr_store_get(s, &r->loc, &o->data, &o->meta, &o->strings)))
			qr_buf_setf(&x->err, "cannot read record %s: %s", where, qr_store_error(s));
		return st;
	}
	if ((o->bshard != r->shard || o->bnext >= o->bn || cmp_loc(&o->bloc[o->bnext], &r->loc) != 0) &&
	    (st = fill_batch(o, i)))
		return st;
	size_t k = o->bnext++;
	qr_buf why = QR_BUF_INIT;
	if ((st = qr_shard_entry_parse(o->batch.buf + o->bstart[k], o->blen[k], &o->data, &o->meta, &o->strings, &why)))
		qr_buf_setf(&x->err, "%s, record %s: %s", qr_export_shard_name(x, r->shard), where, why.buf);
	qr_buf_release(&why);
	uint8_t sum[QR_SHA256_LEN];
	qr_sha256(o->data.buf, o->data.len, sum);
	if (!st && memcmp(sum, o->meta.sha256, QR_SHA256_LEN) != 0) {
		qr_buf_setf(&x->err, "%s, record %s: the bytes do not match their sha256", qr_export_shard_name(x, r->shard),
			    where);
		st = QR_DAMAGED;
	}
	return st;
}

/* Read one record, check it, write its frame. */
static int write_record(struct out *o, size_t i)
{
	qr_export *x = o->x;
	const qr_export_record *r = &x->records[i];
	char where[64];
	qr_locator_format(&r->loc, where);
	int st = read_entry(o, i, where);
	if (st)
		return st;
	if (o->ctx_shard != r->shard) {
		/* a shard's sources are numbered its own way */
		o->nctx = 0;
		o->ctx_shard = r->shard;
	}
	bool context = r->id == UINT32_MAX;
	if (!context && memcmp(o->meta.sha256, r->sha256, QR_SHA256_LEN) != 0) {
		qr_buf_setf(&x->err, "record %s of post %s does not match the sha256 in the index", where, x->ids.buf + r->id);
		return QR_DAMAGED;
	}
	if (context != ((o->meta.flags & QR_REC_CONTEXT) != 0)) {
		qr_buf_setf(&x->err, "record %s is not what the index says it is", where);
		return QR_DAMAGED;
	}
	qr_hex(o->meta.sha256, QR_SHA256_LEN, o->sha);
	o->skip = false;
	if (context && r->shard && written_before(o, r->shard)) {
		remember_context(o, o->meta.source, o->sha);
		o->skip = true;
		x->contexts--;
		return 0;
	}
	if (o->offset >= FILE_BYTES && (st = next_file(o)))
		return st;
	size_t bound = ZSTD_compressBound(o->data.len);
	qr_buf_reset(&o->frame);
	qr_buf_grow(&o->frame, bound);
	size_t n = ZSTD_compress2(o->cctx, o->frame.buf, bound, o->data.buf, o->data.len);
	if (ZSTD_isError(n)) {
		qr_buf_setf(&x->err, "cannot compress record %s: %s", where, ZSTD_getErrorName(n));
		return QR_INTERNAL;
	}
	fwrite(o->frame.buf, 1, n, o->file->f);
	o->last = r->loc;
	o->last_shard = r->shard;
	o->have_last = true;
	o->last_offset = o->offset;
	o->last_length = n;
	o->last_size = o->data.len;
	o->offset += n;
	if (context)
		remember_context(o, o->meta.source, o->sha);
	else
		x->originals++;
	x->original_bytes += o->data.len;
	return 0;
}

static int write_all(qr_export *x)
{
	struct out o = { 0 };
	int st;
	o.x = x;
	o.cctx = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(o.cctx, ZSTD_c_compressionLevel, LEVEL);
	ZSTD_CCtx_setParameter(o.cctx, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(o.cctx, ZSTD_c_contentSizeFlag, 1);
	qr_buf_init(&o.frame);
	qr_buf_init(&o.data);
	qr_buf_init(&o.strings);
	qr_buf_init(&o.line);
	qr_buf_init(&o.batch);
	if (!(o.index = qr_bag_open(x->bag, "originals/index.jsonl", &x->err))) {
		st = QR_IO;
		goto out;
	}
	if ((st = next_file(&o)))
		goto out;
	for (size_t i = 0; i < x->nrecords && !st; i++) {
		const qr_export_record *r = &x->records[i];
		/* the other posts of a record share its frame */
		o.skip = false;
		if (!o.have_last || o.last_shard != r->shard || cmp_loc(&o.last, &r->loc) != 0)
			st = write_record(&o, i);
		if (!st && !o.skip)
			index_line(&o, r);
		qr_progress_update(&x->progress, i + 1, x->original_bytes);
	}
out:
	if (o.file) {
		int c = qr_bag_close(x->bag, o.file, st ? &o.line : &x->err);
		st = st ? st : c;
	}
	if (o.index) {
		int c = qr_bag_close(x->bag, o.index, st ? &o.line : &x->err);
		st = st ? st : c;
	}
	qr_progress_clear(&x->progress);
	ZSTD_freeCCtx(o.cctx);
	qr_buf_release(&o.frame);
	qr_buf_release(&o.data);
	qr_buf_release(&o.strings);
	qr_buf_release(&o.line);
	free(o.ctx_source);
	free(o.ctx_sha);
	qr_strv_clear(&o.ctx_written);
	free(o.ctx_written_shard);
	qr_buf_release(&o.batch);
	free(o.bstart);
	free(o.blen);
	free(o.bloc);
	return st;
}

/* ---- media ---- */

/* The file ending of a media file: its path's, its URL's, else its
 * type's. */
static char *media_ext(const qr_media *m)
{
	const char *from[2] = { m->path, m->url };
	for (int k = 0; k < 2; k++) {
		const char *s = from[k];
		if (!s)
			continue;
		size_t end = strcspn(s, "?#");
		const char *dot = NULL;
		for (size_t i = 0; i < end; i++)
			if (s[i] == '.')
				dot = s + i;
			else if (s[i] == '/')
				dot = NULL;
		if (!dot)
			continue;
		size_t n = (size_t)(s + end - dot - 1);
		bool ok = n >= 1 && n <= 5;
		for (size_t i = 1; ok && i <= n; i++)
			ok = (dot[i] >= 'a' && dot[i] <= 'z') || (dot[i] >= 'A' && dot[i] <= 'Z') || (dot[i] >= '0' && dot[i] <= '9');
		if (ok) {
			char *e = qr_strndup(dot + 1, n);
			for (char *c = e; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			return e;
		}
	}
	const char *slash = m->mime ? strchr(m->mime, '/') : NULL;
	if (slash && strlen(slash + 1) <= 8 && !strpbrk(slash + 1, "/.;+ "))
		return qr_strdup(slash + 1);
	return qr_strdup("bin");
}

void qr_export_note_media(qr_export *x, const qr_post *p, uint32_t shard)
{
	for (size_t i = 0; i < p->nmedia; i++) {
		const qr_media *m = &p->media[i];
		if (!m->sha256 || strlen(m->sha256) != QR_SHA256_HEX - 1)
			continue;
		if (!m->locator) {
			x->media_missing++;
			continue;
		}
		bool seen = false;
		/* posts rarely share files: a look back over the last few is
		 * enough here, duplicates are dropped after sorting */
		for (size_t k = x->nmedia > 8 ? x->nmedia - 8 : 0; k < x->nmedia && !seen; k++)
			seen = strcmp(x->media[k].sha256, m->sha256) == 0;
		if (seen)
			continue;
		x->media = qr_grow_array(x->media, sizeof(*x->media), x->nmedia + 1, &x->media_alloc);
		qr_export_media *e = &x->media[x->nmedia++];
		memcpy(e->sha256, m->sha256, QR_SHA256_HEX);
		for (char *c = e->sha256; *c; c++)
			if (*c >= 'A' && *c <= 'F')
				*c = (char)(*c - 'A' + 'a');
		e->locator = qr_strdup(m->locator);
		e->ext = media_ext(m);
		e->shard = shard;
	}
}

static int by_sha(const void *a, const void *b)
{
	return strcmp(((const qr_export_media *)a)->sha256, ((const qr_export_media *)b)->sha256);
}

static int write_media(qr_export *x)
{
	qr_buf data = QR_BUF_INIT, rel = QR_BUF_INIT;
	size_t n = 0;
	int st = 0;
	if (x->nmedia > 1)
		qsort(x->media, x->nmedia, sizeof(*x->media), by_sha);
	for (size_t i = 0; i < x->nmedia; i++) {
		if (n && strcmp(x->media[n - 1].sha256, x->media[i].sha256) == 0) {
			free(x->media[i].locator);
			free(x->media[i].ext);
			continue;
		}
		x->media[n++] = x->media[i];
	}
	x->nmedia = n;
	for (size_t i = 0; i < x->nmedia && !st; i++) {
		qr_media m = { 0 };
		m.sha256 = x->media[i].sha256;
		m.locator = x->media[i].locator;
		if (x->media[i].shard) {
			if ((st = qr_export_shard_read(x, x->media[i].shard, "media", m.locator, &data)))
				break;
			uint8_t want[QR_SHA256_LEN], got[QR_SHA256_LEN];
			qr_sha256(data.buf, data.len, got);
			if (!qr_unhex(m.sha256, want, QR_SHA256_LEN) || memcmp(want, got, QR_SHA256_LEN) != 0) {
				qr_buf_setf(&x->err, "media %s from %s does not match its sha256", m.sha256,
					    qr_export_shard_name(x, x->media[i].shard));
				st = QR_DAMAGED;
				break;
			}
		} else if ((st = qr_corpus_get_media(x->c, &m, &data))) {
			qr_buf_setf(&x->err, "cannot read media %s: %s", m.sha256, qr_corpus_error(x->c));
			break;
		}
		qr_buf_setf(&rel, "media/%s.%s", x->media[i].sha256, x->media[i].ext);
		st = qr_bag_write(x->bag, rel.buf, data.buf, data.len, &x->err);
	}
	qr_buf_release(&data);
	qr_buf_release(&rel);
	return st;
}

/* CPU seconds of this process: on a shared machine, the wall clock says
 * as much about the others as about the export. */
static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

int qr_export_originals(qr_export *x)
{
	sort_ids = x->ids.buf;
	if (x->nrecords > 1)
		qsort(x->records, x->nrecords, sizeof(*x->records), by_place);
	int st = add_contexts(x);
	if (!st && x->contexts)
		if (x->nrecords > 1)
			qsort(x->records, x->nrecords, sizeof(*x->records), by_place);
	double t0 = qr_now(), c0 = cpu_seconds();
	if (!st)
		st = write_all(x);
	x->originals_seconds = qr_now() - t0;
	x->originals_cpu = cpu_seconds() - c0;
	if (!st)
		st = write_media(x);
	sort_ids = NULL;
	return st;
}
