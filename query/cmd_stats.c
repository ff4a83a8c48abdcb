/* quire stats: what a corpus holds, from its index, store headers and logs. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "run.h"
#include "corpus.h"
#include "events.h"
#include "federation.h"
#include "io.h"
#include "json.h"
#include "schema.h"
#include "status.h"
#include "store.h"
#include "text.h"
#include "timeutil.h"

#define LOG_MAX ((size_t)1 << 30)

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "format", 'f', "NAME", "text (default) or json" },
	QR_CMD_PARTIAL_OPTION,
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"stats",
	"[OPTIONS]",
	"Describe a corpus: posts, authors, time span, platforms, kinds, languages, media,\n"
	"inputs and formats, store and index sizes, events and codes.",
	"Everything comes from the index's term and value statistics, the block headers of\n"
	"the store (no record is decompressed) and sources.jsonl and rejects.jsonl.  'records'\n"
	"is the size of the records as collected (the bytes the store gives back); 'inputs' is\n"
	"the size of the files read, compressed or not.",
	"  quire stats -c june2020\n"
	"  quire stats -c june2020 --format json | jq .posts",
	options,
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	qr_cmd_option(ctx, name, arg);
	return 0;
}

typedef struct named {
	char *name;
	uint64_t n;
} named;

typedef struct list {
	named *v;
	size_t n, alloc;
} list;

static void list_add(list *l, const char *name, size_t len, uint64_t n)
{
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i].name) == len && memcmp(l->v[i].name, name, len) == 0) {
			l->v[i].n += n;
			return;
		}
	l->v = qr_grow_array(l->v, sizeof(*l->v), l->n + 1, &l->alloc);
	l->v[l->n].name = qr_strndup(name, len);
	l->v[l->n].n = n;
	l->n++;
}

static void list_clear(list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int by_count(const void *a, const void *b)
{
	const named *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Every term of a prefix with its number of posts, most first. */
static size_t terms(xc_db *db, const char *prefix, list *out)
{
	xc_termiter *it = NULL;
	const char *t;
	size_t len, plen = strlen(prefix);
	uint32_t freq;
	if (xc_db_allterms(db, prefix, &it) != XC_OK)
		return 0;
	while (xc_termiter_next(it, &t, &len, &freq) == XC_OK)
		list_add(out, t + plen, len - plen, freq);
	xc_termiter_destroy(it);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), by_count);
	return out->n;
}

static uint64_t dir_bytes(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	uint64_t total = 0;
	if (!d)
		return 0;
	struct dirent *e;
	qr_buf path = QR_BUF_INIT;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		struct stat sb;
		qr_buf_setf(&path, "%s/%s", dir, e->d_name);
		if (lstat(path.buf, &sb) < 0)
			continue;
		if (S_ISDIR(sb.st_mode) && depth < 4)
			total += dir_bytes(path.buf, depth + 1);
		else if (S_ISREG(sb.st_mode))
			total += (uint64_t)sb.st_size;
	}
	closedir(d);
	qr_buf_release(&path);
	return total;
}

struct stats {
	uint32_t posts;
	size_t authors;
	int64_t first, last;
	bool has_time;
	list platforms, kinds, langs, media, events, tags;
	/* sources.jsonl */
	uint64_t inputs, complete, incomplete, unchanged, input_bytes;
	list formats, containers;
	/* rejects.jsonl */
	uint64_t rejected;
	/* store headers */
	uint64_t records, record_bytes, media_files, media_bytes;
	bool store_damaged;
	uint64_t store_bytes, index_bytes;
	/* catalogue */
	size_t catalogue;
	bool applied;
};

/* The lines of a sources.jsonl.  `shards` (may be NULL) holds the inputs
 * of the shards read before: each machine of a federation reads the same
 * inputs, which count once. */
static void sources_text(const char *text, size_t len, struct stats *s, qr_strv *seen, const qr_strv *shards)
{
	qr_buf data = QR_BUF_INIT;
	qr_buf_add(&data, text, len);
	{
		char *line = data.buf, *end;
		for (; line < data.buf + data.len; line = end + 1) {
			end = memchr(line, '\n', (size_t)(data.buf + data.len - line));
			if (!end)
				end = data.buf + data.len;
			cJSON *o = qr_json_parse(line, (size_t)(end - line), NULL);
			const char *status = qr_json_str(o, "status"), *sha = qr_json_str(o, "sha256");
			int64_t size = 0;
			if (o && sha && shards && qr_strv_contains(shards, sha, false)) {
				cJSON_Delete(o);
				continue;
			}
			if (o) {
				s->inputs++;
				if (status && strcmp(status, "complete") == 0)
					s->complete++;
				else if (status && strcmp(status, "unchanged") == 0)
					s->unchanged++;
				else
					s->incomplete++;
				/* The same bytes read twice count once. */
				if (sha && !qr_strv_contains(seen, sha, false) && qr_json_int(o, "size", &size) && size > 0) {
					qr_strv_push(seen, sha);
					s->input_bytes += (uint64_t)size;
				}
				const cJSON *f;
				if (!status || strcmp(status, "unchanged") != 0) {
					cJSON_ArrayForEach(f, qr_json_get(o, "formats"))
						if (cJSON_IsString(f))
							list_add(&s->formats, f->valuestring, strlen(f->valuestring), 1);
					cJSON_ArrayForEach(f, qr_json_get(o, "containers"))
						if (cJSON_IsString(f))
							list_add(&s->containers, f->valuestring, strlen(f->valuestring), 1);
				}
			}
			cJSON_Delete(o);
		}
	}
	if (s->formats.n > 1)
		qsort(s->formats.v, s->formats.n, sizeof(named), by_count);
	if (s->containers.n > 1)
		qsort(s->containers.v, s->containers.n, sizeof(named), by_count);
	qr_buf_release(&data);
}

static uint64_t rejected_records(qr_corpus *c)
{
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT, err = QR_BUF_INIT;
	uint64_t n = 0;
	qr_corpus_path(c, "rejects.jsonl", &path);
	if (qr_io_read_file(path.buf, LOG_MAX, &data, &err) == 0) {
		for (const char *p = data.buf; (p = strstr(p, "\"severity\":\"record\"")); p++)
			n++;
	}
	qr_buf_release(&path);
	qr_buf_release(&data);
	qr_buf_release(&err);
	return n;
}

static void read_sources(qr_corpus *c, struct stats *s)
{
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT, err = QR_BUF_INIT;
	qr_strv seen = { 0 };
	qr_corpus_path(c, "sources.jsonl", &path);
	if (qr_io_read_file(path.buf, LOG_MAX, &data, &err) == 0)
		sources_text(data.buf, data.len, s, &seen, NULL);
	s->rejected = rejected_records(c);
	qr_strv_clear(&seen);
	qr_buf_release(&path);
	qr_buf_release(&data);
	qr_buf_release(&err);
}

/* Record counts and sizes from the block headers, up to what the index
 * has committed (a running ingest may be writing past it). */
static void read_store(qr_corpus *c, struct stats *s)
{
	qr_store *st = qr_corpus_store(c);
	qr_block b;
	qr_block_init(&b);
	for (int stream = 0; stream < QR_STREAM_COUNT; stream++) {
		qr_store_pos tail;
		if (qr_corpus_committed_tail(c, stream, &tail))
			continue;
		for (uint32_t seg = 1; seg <= tail.segment; seg++) {
			uint64_t end = seg == tail.segment ? tail.size : qr_store_segment_size(st, stream, seg);
			for (uint64_t off = 0; off < end;) {
				if (qr_store_read_block(st, stream, seg, off, false, &b)) {
					s->store_damaged = true;
					break;
				}
				for (uint32_t i = 0; i < b.nrecords; i++) {
					if (stream == QR_STREAM_RECORDS) {
						s->records++;
						s->record_bytes += b.records[i].length;
					} else {
						s->media_files++;
						s->media_bytes += b.records[i].length;
					}
				}
				if (b.end <= off)
					break;
				off = b.end;
			}
		}
	}
	qr_block_release(&b);
	s->store_bytes = qr_store_bytes(st);
	qr_buf path = QR_BUF_INIT;
	qr_corpus_path(c, "index", &path);
	s->index_bytes = dir_bytes(path.buf, 0);
	qr_buf_release(&path);
}

/* What a shard tells of its store and logs (serve-shard's /stats). */
void qr_stats_shard_json(qr_corpus *c, qr_buf *out)
{
	struct stats one;
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT, err = QR_BUF_INIT;
	qr_jw w;
	memset(&one, 0, sizeof(one));
	read_store(c, &one);
	qr_corpus_path(c, "sources.jsonl", &path);
	qr_io_read_file(path.buf, LOG_MAX, &data, &err);
	qr_jw_init(&w, out, false);
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "records", (int64_t)one.records);
	qr_jw_kint(&w, "record_bytes", (int64_t)one.record_bytes);
	qr_jw_kint(&w, "media_files", (int64_t)one.media_files);
	qr_jw_kint(&w, "media_bytes", (int64_t)one.media_bytes);
	qr_jw_kint(&w, "store_bytes", (int64_t)one.store_bytes);
	qr_jw_kint(&w, "index_bytes", (int64_t)one.index_bytes);
	qr_jw_key(&w, "store_damaged");
	qr_jw_bool(&w, one.store_damaged);
	qr_jw_kint(&w, "rejected", (int64_t)rejected_records(c));
	qr_jw_key(&w, "sources");
	qr_jw_stringn(&w, data.buf, data.len);
	qr_jw_end_object(&w);
	qr_buf_addch(out, '\n');
	qr_buf_release(&path);
	qr_buf_release(&data);
	qr_buf_release(&err);
}

/*
 * A federation's store and logs: the sum of its shards' stores; its inputs
 * once each (every shard reads the same inputs), its rejected records as
 * the shard that rejected most (the same inputs give each shard the same
 * rejects: a record that cannot be read has no post to send anywhere).
 */
static void collect_shards(qr_corpus *c, struct stats *s)
{
	qr_federation *f = qr_corpus_federation(c);
	qr_strv seen = { 0 }, earlier = { 0 };
	qr_buf info = QR_BUF_INIT, err = QR_BUF_INIT;
	for (size_t k = 0; k < f->nup; k++) {
		qr_fed_shard *sh = &f->v[f->up[k]];
		struct stats one;
		memset(&one, 0, sizeof(one));
		qr_buf_reset(&info);
		cJSON *j = NULL;
		if (sh->local) {
			qr_stats_shard_json(sh->local, &info);
		} else if (qr_fed_shard_fetch(f, sh, "stats", "", &info, &err)) {
			qr_warning("%s", err.buf);
			s->store_damaged = true;
			continue;
		}
		int64_t v;
		if (!(j = qr_json_parse(info.buf, info.len, &err))) {
			s->store_damaged = true;
			continue;
		}
#define SUM(field) (qr_json_int(j, #field, &v) ? (s->field += (uint64_t)v) : 0)
		SUM(records);
		SUM(record_bytes);
		SUM(media_files);
		SUM(media_bytes);
		SUM(store_bytes);
		SUM(index_bytes);
#undef SUM
		if (qr_json_true(j, "store_damaged"))
			s->store_damaged = true;
		if (qr_json_int(j, "rejected", &v) && (uint64_t)v > s->rejected)
			s->rejected = (uint64_t)v;
		const char *text = qr_json_str(j, "sources");
		if (text) {
			sources_text(text, strlen(text), s, &seen, &earlier);
			/* This shard's inputs are the earlier ones of the next. */
			qr_strv_clear(&earlier);
			for (size_t i = 0; i < seen.n; i++)
				qr_strv_push(&earlier, seen.v[i]);
		}
		cJSON_Delete(j);
	}
	qr_strv_clear(&seen);
	qr_strv_clear(&earlier);
	qr_buf_release(&info);
	qr_buf_release(&err);
}

static void collect(qr_corpus *c, struct stats *s)
{
	xc_db *db = qr_corpus_db(c);
	char *lo = NULL, *hi = NULL;
	size_t lolen = 0, hilen = 0;
	list authors = { 0 };
	xc_db_doccount(db, &s->posts);
	s->authors = terms(db, QR_P_AUTHOR, &authors);
	list_clear(&authors);
	if (xc_db_value_bounds(db, QR_SLOT_TIME, &lo, &lolen, &hi, &hilen) == XC_OK) {
		s->first = (int64_t)xc_sortable_unserialise(lo, lolen);
		s->last = (int64_t)xc_sortable_unserialise(hi, hilen);
		s->has_time = true;
	}
	free(lo);
	free(hi);
	terms(db, QR_P_PLATFORM, &s->platforms);
	terms(db, QR_P_KIND, &s->kinds);
	terms(db, QR_P_LANG, &s->langs);
	terms(db, QR_P_MEDIA, &s->media);
	terms(db, QR_P_EVENT, &s->events);
	terms(db, QR_P_TAG, &s->tags);
	/* "any" is the sum of the media kinds, not one of them. */
	for (size_t i = 0; i < s->media.n; i++)
		if (strcmp(s->media.v[i].name, "any") == 0) {
			free(s->media.v[i].name);
			memmove(s->media.v + i, s->media.v + i + 1, (s->media.n - i - 1) * sizeof(named));
			s->media.n--;
			break;
		}
	if (qr_corpus_federation(c)) {
		collect_shards(c, s);
	} else {
		read_sources(c, s);
		read_store(c, s);
	}
	qr_events *ev = NULL;
	qr_strv problems = { 0 };
	qr_buf applied = QR_BUF_INIT;
	qr_events_load_corpus(c, &ev, &problems);
	qr_events_applied(c, &applied);
	s->catalogue = ev ? ev->n : 0;
	s->applied = ev && !problems.n && strcmp(applied.buf, ev->digest) == 0;
	qr_events_free(ev);
	qr_strv_clear(&problems);
	qr_buf_release(&applied);
}

static void stats_clear(struct stats *s)
{
	list_clear(&s->platforms);
	list_clear(&s->kinds);
	list_clear(&s->langs);
	list_clear(&s->media);
	list_clear(&s->events);
	list_clear(&s->tags);
	list_clear(&s->formats);
	list_clear(&s->containers);
}

static void add_bytes(qr_buf *out, uint64_t n)
{
	if (n >= 10 * 1000 * 1000)
		qr_buf_addf(out, "%.0f MB", (double)n / 1e6);
	else if (n >= 1000 * 1000)
		qr_buf_addf(out, "%.1f MB", (double)n / 1e6);
	else if (n >= 1000)
		qr_buf_addf(out, "%.1f kB", (double)n / 1e3);
	else
		qr_buf_addf(out, "%llu bytes", (unsigned long long)n);
}

static void text_list(qr_buf *out, const char *label, const list *l, size_t max, const char *none)
{
	qr_buf_addf(out, "%-12s", label);
	if (!l->n)
		qr_buf_adds(out, none);
	for (size_t i = 0; i < l->n && i < max; i++) {
		qr_buf_adds(out, i ? ", " : "");
		qr_escape_terminal(out, l->v[i].name, strlen(l->v[i].name), 0);
		qr_buf_addch(out, ' ');
		qr_add_grouped(out, l->v[i].n);
	}
	if (l->n > max)
		qr_buf_addf(out, ", ... (%zu in all)", l->n);
	qr_buf_addch(out, '\n');
}

static void print_text(qr_corpus *c, const struct stats *s, qr_buf *out)
{
	char a[32], b[32];
	qr_buf_adds(out, "corpus      ");
	qr_escape_terminal(out, qr_corpus_dir(c), strlen(qr_corpus_dir(c)), 0);
	qr_buf_addf(out, " (id %s)\nposts       ", qr_corpus_id(c));
	qr_add_grouped(out, s->posts);
	qr_buf_adds(out, ", by ");
	qr_add_grouped(out, s->authors);
	qr_buf_addf(out, " author%s\n", s->authors == 1 ? "" : "s");
	if (s->has_time) {
		qr_time_format_iso(s->first, a);
		qr_time_format_iso(s->last, b);
		qr_buf_addf(out, "time span   %s to %s (%.1f days)\n", a, b, (double)(s->last - s->first) / 86400.0);
	}
	text_list(out, "platforms", &s->platforms, 10, "none");
	text_list(out, "kinds", &s->kinds, 10, "none");
	text_list(out, "languages", &s->langs, 8, "none");
	text_list(out, "media", &s->media, 10, "none");
	qr_buf_adds(out, "inputs      ");
	qr_add_grouped(out, s->inputs);
	qr_buf_addf(out, " read (%llu complete", (unsigned long long)s->complete);
	if (s->incomplete)
		qr_buf_addf(out, ", %llu not read to the end", (unsigned long long)s->incomplete);
	if (s->unchanged)
		qr_buf_addf(out, ", %llu unchanged, skipped", (unsigned long long)s->unchanged);
	qr_buf_adds(out, "), ");
	add_bytes(out, s->input_bytes);
	qr_buf_adds(out, "\n");
	text_list(out, "formats", &s->formats, 10, "none");
	text_list(out, "containers", &s->containers, 10, "none");
	qr_buf_adds(out, "records     ");
	qr_add_grouped(out, s->records);
	qr_buf_adds(out, " kept, ");
	add_bytes(out, s->record_bytes);
	qr_buf_adds(out, " as collected; ");
	qr_add_grouped(out, s->rejected);
	qr_buf_addf(out, " rejected%s\n", s->store_damaged ? " (the store could not be read to its end: run quire check)" : "");
	if (s->media_files) {
		qr_buf_adds(out, "media files ");
		qr_add_grouped(out, s->media_files);
		qr_buf_adds(out, ", ");
		add_bytes(out, s->media_bytes);
		qr_buf_addch(out, '\n');
	}
	qr_buf_adds(out, "store       ");
	add_bytes(out, s->store_bytes);
	if (s->store_bytes && s->record_bytes + s->media_bytes)
		qr_buf_addf(out, " (%.1fx smaller than the records and files)",
			    (double)(s->record_bytes + s->media_bytes) / (double)s->store_bytes);
	qr_buf_adds(out, "\nindex       ");
	add_bytes(out, s->index_bytes);
	qr_buf_addch(out, '\n');
	qr_buf_addf(out, "events      %zu in the catalogue%s", s->catalogue,
		    !s->catalogue ? "" : s->applied ? " (applied)" : " (not applied to every post: run quire events apply)");
	for (size_t i = 0; i < s->events.n; i++) {
		qr_buf_addf(out, "%s", i ? ", " : ": ");
		qr_escape_terminal(out, s->events.v[i].name, strlen(s->events.v[i].name), 0);
		qr_buf_addch(out, ' ');
		qr_add_grouped(out, s->events.v[i].n);
	}
	qr_buf_addch(out, '\n');
	text_list(out, "codes", &s->tags, 20, "none (quire tag +CODE -- QUERY)");
}

static void json_list(qr_jw *w, const char *key, const list *l)
{
	qr_jw_key(w, key);
	qr_jw_begin_object(w);
	for (size_t i = 0; i < l->n; i++)
		qr_jw_kint(w, l->v[i].name, (int64_t)l->v[i].n);
	qr_jw_end_object(w);
}

static void print_json(qr_corpus *c, const struct stats *s, qr_buf *out)
{
	char t[32];
	qr_jw w;
	qr_jw_init(&w, out, true);
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "format_version", 1);
	qr_jw_kstr(&w, "corpus", qr_corpus_dir(c));
	qr_jw_kstr(&w, "corpus_id", qr_corpus_id(c));
	qr_jw_kint(&w, "posts", s->posts);
	qr_cmd_partial_json(&w);
	qr_jw_kint(&w, "authors", (int64_t)s->authors);
	if (s->has_time) {
		qr_time_format_iso(s->first, t);
		qr_jw_kstr(&w, "first", t);
		qr_time_format_iso(s->last, t);
		qr_jw_kstr(&w, "last", t);
	}
	json_list(&w, "platforms", &s->platforms);
	json_list(&w, "kinds", &s->kinds);
	json_list(&w, "languages", &s->langs);
	json_list(&w, "media", &s->media);
	qr_jw_key(&w, "inputs");
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "read", (int64_t)s->inputs);
	qr_jw_kint(&w, "complete", (int64_t)s->complete);
	qr_jw_kint(&w, "incomplete", (int64_t)s->incomplete);
	qr_jw_kint(&w, "unchanged", (int64_t)s->unchanged);
	qr_jw_kint(&w, "bytes", (int64_t)s->input_bytes);
	json_list(&w, "formats", &s->formats);
	json_list(&w, "containers", &s->containers);
	qr_jw_end_object(&w);
	qr_jw_key(&w, "records");
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "kept", (int64_t)s->records);
	qr_jw_kint(&w, "bytes", (int64_t)s->record_bytes);
	qr_jw_kint(&w, "rejected", (int64_t)s->rejected);
	qr_jw_kint(&w, "media_files", (int64_t)s->media_files);
	qr_jw_kint(&w, "media_bytes", (int64_t)s->media_bytes);
	qr_jw_end_object(&w);
	qr_jw_kint(&w, "store_bytes", (int64_t)s->store_bytes);
	qr_jw_kint(&w, "index_bytes", (int64_t)s->index_bytes);
	qr_jw_key(&w, "store_damaged");
	qr_jw_bool(&w, s->store_damaged);
	qr_jw_key(&w, "catalogue");
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "events", (int64_t)s->catalogue);
	qr_jw_key(&w, "applied");
	qr_jw_bool(&w, s->applied);
	qr_jw_end_object(&w);
	json_list(&w, "events", &s->events);
	json_list(&w, "tags", &s->tags);
	qr_jw_end_object(&w);
	qr_buf_addch(out, '\n');
}

int qr_stats_run(qr_corpus *c, const char *format, FILE *f)
{
	struct stats s;
	qr_buf out = QR_BUF_INIT;
	memset(&s, 0, sizeof(s));
	collect(c, &s);
	if (strcmp(format, "json") == 0)
		print_json(c, &s, &out);
	else
		print_text(c, &s, &out);
	fputs(out.buf, f);
	bool damaged = s.store_damaged;
	stats_clear(&s);
	qr_buf_release(&out);
	return damaged ? QR_EXIT_DAMAGED : 0;
}

int cmd_stats(int argc, char **argv)
{
	qr_cmd_opts o = { NULL, "text", { NULL, NULL, NULL, false } };
	qr_corpus *c = NULL;
	int first;
	int st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	if (strcmp(o.format, "text") && strcmp(o.format, "json"))
		return qr_usage_error("stats", "--format takes text or json, not '%s'", o.format);
	if (first < argc)
		return qr_usage_error("stats", "stats takes no arguments (use --corpus DIR)");
	int open_st = qr_cmd_open_corpus(o.corpus, &c);
	if (open_st)
		return open_st;
	st = qr_stats_run(c, o.format, stdout);
	qr_corpus_close(c);
	return st;
}
