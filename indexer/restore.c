/* Restoring a bag that quire export wrote into a corpus (restore.h). */
#include "restore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "bag.h"
#include "catalogue.h"
#include "cli.h"
#include "format.h"
#include "hash.h"
#include "io.h"
#include "json.h"
#include "progress.h"
#include "status.h"
#include "tags.h"
#include "text.h"
#include "timeutil.h"

/* Bytes a bag may unpack to. */
#define MAX_UNPACK ((uint64_t)1 << 42)
/* The longest record taken from a bag (a store record is at most
 * --max-record; contexts may be larger). */
#define MAX_RECORD ((size_t)1 << 30)

bool qr_restore_is_bag(const char *path)
{
	struct stat sb;
	if (strcmp(path, "-") == 0 || stat(path, &sb) < 0)
		return false;
	if (S_ISDIR(sb.st_mode))
		return qr_bag_sniff_dir(path);
	return S_ISREG(sb.st_mode) && qr_bag_kind_of(path) != QR_BAG_DIR && qr_bag_sniff_archive(path);
}

/* An input the bag's records came from, and its number here. */
struct input {
	char *key;               /* sha256 TAB path */
	uint32_t number;
	char *line;              /* for sources.jsonl, written after the commit */
};

/* A context record loaded, by its sha256. */
struct context {
	char sha[QR_SHA256_HEX];
	const qr_format *f;
	void *ctx;
};

struct media {
	char sha[QR_SHA256_HEX];
	char *locator;
};

struct restore {
	qr_corpus *c;
	const char *path;        /* the bag as given */
	const char *dir;         /* the bag's folder (unpacked) */
	const qr_ingest_opts *o;
	qr_events *events;
	qr_restore_stats *stats;
	qr_progress progress;
	uint32_t bag_source;
	char bag_sha[QR_SHA256_HEX];
	struct input *inputs;
	size_t ninputs, inputs_alloc;
	struct context *contexts;
	size_t ncontexts, contexts_alloc;
	const char *open_context;        /* sha of the context open in the corpus */
	uint32_t open_source;
	struct media *media;
	size_t nmedia, media_alloc;
	qr_buf why;
	ZSTD_DCtx *dctx;
	int fatal;
};

static int fail(struct restore *r, int st, const char *what, const char *why)
{
	qr_progress_clear(&r->progress);
	qr_error("cannot restore the bag: %s: %s (%s)", what, why, r->path);
	r->fatal = st;
	return st;
}

/* ---- opening and checking ---- */

static void print_problem(void *ctx, const char *file, const char *why)
{
	qr_error("bad bag: %s: %s (%s)", file, why, (const char *)ctx);
}

static void sha_of_file(const char *path, char *hex)
{
	qr_buf data = QR_BUF_INIT, err = QR_BUF_INIT;
	uint8_t d[QR_SHA256_LEN];
	qr_io_read_file(path, SIZE_MAX / 2, &data, &err);
	qr_sha256(data.buf, data.len, d);
	qr_hex(d, sizeof(d), hex);
	qr_buf_release(&data);
	qr_buf_release(&err);
}

/* Was this very bag restored before (its tag manifest names every other
 * file, so its sha256 names the bag)? */
static bool restored_before(struct restore *r)
{
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT, err = QR_BUF_INIT;
	bool seen = false;
	qr_corpus_path(r->c, "sources.jsonl", &path);
	if (qr_io_read_file(path.buf, SIZE_MAX / 2, &data, &err) == 0) {
		for (char *s = data.buf, *end; s < data.buf + data.len && !seen; s = end + 1) {
			end = memchr(s, '\n', (size_t)(data.buf + data.len - s));
			if (!end)
				end = data.buf + data.len;
			cJSON *o = qr_json_parse(s, (size_t)(end - s), NULL);
			const char *sha = qr_json_str(o, "sha256"), *st = qr_json_str(o, "status");
			const cJSON *f = qr_json_get(o, "formats");
			seen = sha && st && strcmp(sha, r->bag_sha) == 0 && strcmp(st, "complete") == 0 && cJSON_IsArray(f) &&
			       cJSON_GetArraySize(f) == 1 && cJSON_IsString(cJSON_GetArrayItem(f, 0)) &&
			       strcmp(cJSON_GetArrayItem(f, 0)->valuestring, "bagit") == 0;
			cJSON_Delete(o);
		}
	}
	qr_buf_release(&path);
	qr_buf_release(&data);
	qr_buf_release(&err);
	return seen;
}

/* ---- events ---- */

/* The text of a catalogue's file ("" when it has none of that name). */
static const char *file_of(const qr_events *ev, const char *name)
{
	for (size_t i = 0; name && i < ev->names.n; i++)
		if (strcmp(ev->names.v[i], name) == 0)
			return ev->contents.v[i];
	return "";
}

/* The bag's events the catalogue lacks are added to it (the corpus's own
 * definition of an event wins, with a warning when it differs). */
static int merge_events(struct restore *r)
{
	qr_buf bagev = QR_BUF_INIT, tmp = QR_BUF_INIT, err = QR_BUF_INIT, file = QR_BUF_INIT;
	qr_strv problems = { 0 };
	qr_events *theirs = NULL, *ours = NULL;
	int rc = 0;
	struct stat sb;
	qr_buf_setf(&bagev, "%s/data/events", r->dir);
	if (stat(bagev.buf, &sb) < 0)
		goto out;
	const char *paths[1] = { bagev.buf };
	if (qr_events_load(paths, 1, &theirs, &problems)) {
		for (size_t i = 0; i < problems.n; i++)
			qr_warning("an event of the bag is not valid, left out: %s", problems.v[i]);
	}
	qr_strv_clear(&problems);
	qr_events_load_corpus(r->c, &ours, &problems);
	size_t added = 0;
	qr_buf_setf(&tmp, "%s.events", r->dir);
	qr_io_remove_tree(tmp.buf, &err);
	for (size_t i = 0; i < theirs->n; i++) {
		const qr_event *e = &theirs->v[i];
		const qr_event *mine = qr_events_find(ours, e->id);
		if (mine) {
			if (strcmp(file_of(theirs, e->file), file_of(ours, mine->file)) != 0)
				qr_warning("event '%s' of the bag is not the corpus's: the corpus's definition is kept (%s)", e->id,
					   r->path);
			continue;
		}
		if (!added && (rc = qr_io_mkdir(tmp.buf, &err))) {
			rc = fail(r, QR_IO, "events", err.buf);
			goto out;
		}
		const char *text = file_of(theirs, e->file);
		qr_buf_setf(&file, "%s/%s.json", tmp.buf, e->id);
		if ((rc = qr_io_write_file_atomic(file.buf, text, strlen(text), &err))) {
			rc = fail(r, QR_IO, "events", err.buf);
			goto out;
		}
		added++;
	}
	if (added) {
		qr_buf corpus_ev = QR_BUF_INIT;
		qr_events_corpus_dir(r->c, &corpus_ev);
		const char *both[2] = { corpus_ev.buf, tmp.buf };
		size_t n = stat(corpus_ev.buf, &sb) == 0 ? 2 : 1;
		qr_events *given = NULL, *now = NULL;
		rc = qr_catalogue_read(n == 2 ? both : both + 1, n, &given);
		qr_buf_release(&corpus_ev);
		if (!rc)
			rc = qr_catalogue_prepare(r->c, given, false, r->o->quiet, &now);
		else
			qr_events_free(given);
		if (rc) {
			r->fatal = QR_INTERNAL;
			goto out;
		}
		qr_events_free(r->events);
		r->events = now;
		r->stats->events += added;
	}
out:
	qr_io_remove_tree(tmp.buf, &err);
	qr_events_free(theirs);
	qr_events_free(ours);
	qr_strv_clear(&problems);
	qr_buf_release(&bagev);
	qr_buf_release(&tmp);
	qr_buf_release(&err);
	qr_buf_release(&file);
	return rc;
}

/* ---- sources ---- */

static void key_of(qr_buf *out, const char *sha, const char *path)
{
	qr_buf_setf(out, "%s\t%s", sha ? sha : "", path ? path : "");
}

static struct input *find_input(struct restore *r, const char *key)
{
	for (size_t i = 0; i < r->ninputs; i++)
		if (strcmp(r->inputs[i].key, key) == 0)
			return &r->inputs[i];
	return NULL;
}

/* A restored input: its line as the bag gives it, with this corpus's
 * number and the status "restored" (the one it had where it was read
 * kept as collected_status: it holds only the bag's posts, so reading the
 * input itself later is not skipped). */
static struct input *add_input(struct restore *r, const char *key, const cJSON *line)
{
	char now[32];
	qr_buf out = QR_BUF_INIT, meta = QR_BUF_INIT;
	qr_time_format_iso((int64_t)time(NULL), now);
	uint32_t number = qr_corpus_new_source(r->c);
	cJSON *o = line ? cJSON_Duplicate(line, true) : cJSON_CreateObject();
	const char *status = qr_json_str(o, "status");
	char *collected = qr_strdup(status ? status : "complete");
	cJSON_DeleteItemFromObject(o, "number");
	cJSON_DeleteItemFromObject(o, "status");
	cJSON_DeleteItemFromObject(o, "collected_status");
	cJSON_AddItemToObject(o, "status", cJSON_CreateString("restored"));
	cJSON_AddItemToObject(o, "collected_status", cJSON_CreateString(collected));
	cJSON_AddItemToObject(o, "restored_from", cJSON_CreateString(r->path));
	cJSON_AddItemToObject(o, "started", cJSON_CreateString(now));
	char *text = cJSON_PrintUnformatted(o);
	qr_buf_setf(&out, "{\"number\":%u", number);
	if (text && text[0] == '{' && text[1] != '}')
		qr_buf_addf(&out, ",%s", text + 1);
	else
		qr_buf_addch(&out, '}');
	free(text);
	free(collected);
	const char *sha = qr_json_str(o, "sha256");
	if (sha) {
		qr_buf_setf(&meta, "%s%u", QR_META_SOURCE, number);
		qr_corpus_set_metadata(r->c, meta.buf, sha);
	}
	cJSON_Delete(o);
	r->inputs = qr_grow_array(r->inputs, sizeof(*r->inputs), r->ninputs + 1, &r->inputs_alloc);
	struct input *in = &r->inputs[r->ninputs++];
	in->key = qr_strdup(key);
	in->number = number;
	in->line = qr_buf_detach(&out, NULL);
	qr_buf_release(&meta);
	return in;
}

static void read_sources(struct restore *r)
{
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT, err = QR_BUF_INIT, key = QR_BUF_INIT;
	qr_buf_setf(&path, "%s/data/sources.jsonl", r->dir);
	if (qr_io_read_file(path.buf, SIZE_MAX / 2, &data, &err) == 0) {
		for (char *s = data.buf, *end; s < data.buf + data.len; s = end + 1) {
			end = memchr(s, '\n', (size_t)(data.buf + data.len - s));
			if (!end)
				end = data.buf + data.len;
			cJSON *o = qr_json_parse(s, (size_t)(end - s), NULL);
			if (o) {
				key_of(&key, qr_json_str(o, "sha256"), qr_json_str(o, "path"));
				if (!find_input(r, key.buf))
					add_input(r, key.buf, o);
			}
			cJSON_Delete(o);
		}
	}
	qr_buf_release(&path);
	qr_buf_release(&data);
	qr_buf_release(&err);
	qr_buf_release(&key);
}

/* ---- media ---- */

static int by_sha(const void *a, const void *b)
{
	return strcmp(((const struct media *)a)->sha, ((const struct media *)b)->sha);
}

static const char *media_locator(struct restore *r, const char *sha)
{
	struct media key;
	snprintf(key.sha, sizeof(key.sha), "%s", sha);
	for (char *c = key.sha; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	struct media *m = r->nmedia ? bsearch(&key, r->media, r->nmedia, sizeof(*r->media), by_sha) : NULL;
	return m ? m->locator : NULL;
}

/* One data/media/<sha256>.<ext> file into the store (unless the corpus
 * holds it already). */
static int restore_media_file(struct restore *r, const char *name, qr_buf *data)
{
	qr_buf path = QR_BUF_INIT, err = QR_BUF_INIT, loc = QR_BUF_INIT, member = QR_BUF_INIT;
	char sha[QR_SHA256_HEX];
	uint8_t d[QR_SHA256_LEN];
	int st = 0;
	if (strlen(name) < 65 || name[64] != '.') {
		qr_warning("'data/media/%s' is not named <sha256>.<ext>: left out (%s)", name, r->path);
		return 0;
	}
	qr_buf_setf(&path, "%s/data/media/%s", r->dir, name);
	if ((st = qr_io_read_file(path.buf, (size_t)r->o->limits.max_media, data, &err))) {
		qr_warning("media file 'data/media/%s' left out: %s (%s)", name, err.buf, r->path);
		st = 0;
		goto out;
	}
	qr_sha256(data->buf, data->len, d);
	qr_hex(d, sizeof(d), sha);
	if (strncmp(sha, name, 64) != 0) {
		qr_warning("'data/media/%s' does not match the sha256 it is named by: left out (%s)", name, r->path);
		goto out;
	}
	st = qr_corpus_find_media(r->c, sha, &loc);
	if (st == QR_NOT_FOUND) {
		qr_record_meta meta = { 0 };
		qr_locator where;
		char text[64];
		memcpy(meta.sha256, d, sizeof(d));
		meta.source = r->bag_source;
		meta.format = "bagit";
		meta.path = r->path;
		qr_buf_setf(&member, "data/media/%s", name);
		meta.member = member.buf;
		meta.ids = "";
		if ((st = qr_corpus_add_blob(r->c, data->buf, data->len, &meta, &where))) {
			fail(r, st, "media", qr_corpus_error(r->c));
			goto out;
		}
		qr_locator_format(&where, text);
		qr_buf_setf(&loc, "%s", text);
		r->stats->media++;
	} else if (st) {
		fail(r, st, "media", qr_corpus_error(r->c));
		goto out;
	}
	r->media = qr_grow_array(r->media, sizeof(*r->media), r->nmedia + 1, &r->media_alloc);
	memcpy(r->media[r->nmedia].sha, sha, sizeof(sha));
	r->media[r->nmedia++].locator = qr_strdup(loc.buf);
out:
	qr_buf_release(&path);
	qr_buf_release(&err);
	qr_buf_release(&loc);
	qr_buf_release(&member);
	return st;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int restore_media(struct restore *r)
{
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT;
	qr_strv names = { 0 };
	int st = 0;
	qr_buf_setf(&path, "%s/data/media", r->dir);
	DIR *d = opendir(path.buf);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			qr_strv_push(&names, e->d_name);
	if (d)
		closedir(d);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	for (size_t i = 0; i < names.n && !st; i++)
		st = restore_media_file(r, names.v[i], &data);
	if (r->nmedia > 1)
		qsort(r->media, r->nmedia, sizeof(*r->media), by_sha);
	qr_strv_clear(&names);
	qr_buf_release(&path);
	qr_buf_release(&data);
	return st;
}

/* ---- records ---- */

/* The record a line of index.jsonl points at, checked against its
 * sha256. */
static bool read_record(struct restore *r, const cJSON *line, int *fd, char **fname, qr_buf *frame, qr_buf *data)
{
	const char *file = qr_json_str(line, "file");
	int64_t off, len;
	if (!file || strchr(file, '/') || file[0] == '.' || !qr_json_int(line, "offset", &off) ||
	    !qr_json_int(line, "length", &len)) {
		qr_buf_setf(&r->why, "the line lacks file, offset, length or sha256");
		return false;
	}
	if (!*fname || strcmp(*fname, file) != 0) {
		qr_buf path = QR_BUF_INIT;
		if (*fd >= 0)
			close(*fd);
		free(*fname);
		*fname = qr_strdup(file);
		qr_buf_setf(&path, "%s/data/originals/%s", r->dir, file);
		*fd = open(path.buf, O_RDONLY | O_CLOEXEC);
		qr_buf_release(&path);
	}
	qr_buf why = QR_BUF_INIT;
	bool ok = qr_bag_original(*fd, off, len, qr_json_str(line, "sha256"), r->dctx, frame, data, &why);
	if (!ok)
		qr_buf_setf(&r->why, "data/originals/%s: %s", file, why.buf);
	qr_buf_release(&why);
	return ok;
}

/* The record's place of origin, as the index line gives it. */
static void line_meta(struct restore *r, const cJSON *line, qr_record_meta *meta, qr_buf *key)
{
	int64_t v;
	memset(meta, 0, sizeof(*meta));
	const char *sha = qr_json_str(line, "source.input_sha256"), *path = qr_json_str(line, "source.path");
	key_of(key, sha, path);
	struct input *in = find_input(r, key->buf);
	if (!in) {
		/* sources.jsonl did not name it: a line of its own */
		cJSON *o = cJSON_CreateObject();
		if (path)
			cJSON_AddItemToObject(o, "path", cJSON_CreateString(path));
		if (sha)
			cJSON_AddItemToObject(o, "sha256", cJSON_CreateString(sha));
		in = add_input(r, key->buf, o);
		cJSON_Delete(o);
	}
	meta->source = in->number;
	meta->format = qr_json_str(line, "format");
	meta->path = path ? path : "";
	meta->member = qr_json_str(line, "source.member") ? qr_json_str(line, "source.member") : "";
	if (qr_json_int(line, "source.line", &v) && v > 0)
		meta->line = (uint64_t)v;
	if (qr_json_int(line, "source.byte", &v) && v > 0)
		meta->byte = (uint64_t)v;
}

static const struct context *find_context(struct restore *r, const char *sha)
{
	for (size_t i = 0; sha && i < r->ncontexts; i++)
		if (strcmp(r->contexts[i].sha, sha) == 0)
			return &r->contexts[i];
	return NULL;
}

static void close_context(struct restore *r)
{
	if (r->open_context)
		qr_corpus_close_context(r->c);
	r->open_context = NULL;
}

/* The index writers of a bulk load (corpus.h) merge what they hold. */
static int end_bulk(struct restore *r)
{
	if (!qr_corpus_bulk_active(r->c))
		return 0;
	int st = qr_corpus_bulk_end(r->c);
	if (st)
		fail(r, st, "merging the index", qr_corpus_error(r->c));
	return st;
}

static int restore_context(struct restore *r, const cJSON *line, const qr_format *f, const qr_buf *data,
			   const qr_record_meta *meta)
{
	const char *sha = qr_json_str(line, "sha256");
	void *ctx = NULL;
	if (f->archive->load_context(data->buf, data->len, &ctx, &r->why)) {
		r->stats->rejected++;
		qr_error("rejected record: the context record cannot be read: %s (%s)", r->why.buf, r->path);
		return 0;
	}
	if (!find_context(r, sha)) {
		r->contexts = qr_grow_array(r->contexts, sizeof(*r->contexts), r->ncontexts + 1, &r->contexts_alloc);
		struct context *c = &r->contexts[r->ncontexts++];
		snprintf(c->sha, sizeof(c->sha), "%s", sha);
		c->f = f;
		c->ctx = ctx;
	} else {
		f->archive->free_context(ctx);
	}
	close_context(r);
	/* as in an ingest, archive records go through one writer */
	int st = end_bulk(r);
	if (!st)
		st = qr_corpus_open_context(r->c, data->buf, data->len, meta);
	if (st)
		return fail(r, st, "a context record", qr_corpus_error(r->c));
	r->open_context = find_context(r, sha)->sha;
	r->open_source = meta->source;
	return 0;
}

/* The posts of one record, as its format reads it, with their origin. */
/* Keep the posts the bag lists: a record may hold more (an API page of a
 * hundred tweets) than the query took. */
static void keep_listed(qr_posts *ps, const qr_strv *listed)
{
	size_t n = 0;
	for (size_t i = 0; i < ps->n; i++) {
		if (ps->v[i].id && qr_strv_contains(listed, ps->v[i].id, false))
			ps->v[n++] = ps->v[i];
		else
			qr_post_clear(&ps->v[i]);
	}
	ps->n = n;
}

static int restore_record(struct restore *r, const cJSON *line, const qr_strv *listed, const qr_format *f,
			  const qr_buf *data, qr_record_meta *meta)
{
	qr_posts ps = { 0 };
	qr_buf ids = QR_BUF_INIT;
	int st;
	if (r->open_context && r->open_source != meta->source)
		close_context(r);
	qr_buf_reset(&r->why);
	if (f->archive) {
		const struct context *c = find_context(r, qr_json_str(line, "context"));
		st = f->archive->normalize(c ? c->ctx : NULL, data->buf, data->len, &ps, &r->why);
	} else {
		qr_json_scratch_begin();
		st = f->normalize(data->buf, data->len, &ps, &r->why);
		qr_json_scratch_end();
	}
	if (st == QR_OK)
		keep_listed(&ps, listed);
	if (st == QR_OK && !ps.n)
		qr_buf_setf(&r->why, "the record holds none of the posts the bag lists for it");
	if (st != QR_OK || !ps.n) {
		r->stats->rejected++;
		qr_error("rejected record: %s (%s: data/originals/%s, post %s)", r->why.len ? r->why.buf : "no post in it",
			 r->path, qr_json_str(line, "file"), qr_json_str(line, "post") ? qr_json_str(line, "post") : "?");
		qr_posts_clear(&ps);
		return 0;
	}
	for (size_t i = 0; i < ps.n; i++) {
		qr_post *p = &ps.v[i];
		p->source.number = meta->source;
		qr_set(&p->source.input_sha256, qr_json_str(line, "source.input_sha256"));
		qr_set(&p->source.path, meta->path);
		qr_set(&p->source.member, *meta->member ? meta->member : NULL);
		p->source.line = (int64_t)meta->line;
		p->source.byte = (int64_t)meta->byte;
		qr_set(&p->source.format, f->name);
		/* media kept here, wherever the context says they were */
		for (size_t m = 0; m < p->nmedia; m++)
			qr_set(&p->media[m].locator, p->media[m].sha256 ? media_locator(r, p->media[m].sha256) : NULL);
		if (r->events && r->events->n)
			qr_events_apply(r->events, p);
		qr_buf_addf(&ids, "%s%s", i ? " " : "", p->id);
	}
	meta->ids = ids.buf;
	qr_add_counts counts = { 0 };
	st = qr_corpus_add(r->c, data->buf, data->len, meta, ps.v, ps.n, NULL, &counts);
	if (st)
		fail(r, st, "a record", qr_corpus_error(r->c));
	r->stats->added += counts.added;
	r->stats->updated += counts.updated;
	r->stats->duplicates += counts.duplicates;
	qr_posts_clear(&ps);
	qr_buf_release(&ids);
	if (!st && qr_corpus_pending(r->c) >= r->o->batch_posts && (st = qr_corpus_commit(r->c)))
		fail(r, st, "commit", qr_corpus_error(r->c));
	return st;
}

/* The lines of one record (its posts share its frame), read before the
 * record is added. */
struct pending {
	cJSON *line;
	uint64_t lineno;
	qr_buf key;
	qr_strv posts;
};

static int flush(struct restore *r, struct pending *p, int *fd, char **fname, qr_buf *frame, qr_buf *data)
{
	qr_buf key = QR_BUF_INIT;
	int st = 0;
	if (!p->line)
		return 0;
	const char *kind = qr_json_str(p->line, "kind"), *format = qr_json_str(p->line, "format");
	const qr_format *fmt = format ? qr_format_by_name(format) : NULL;
	bool context = strcmp(kind, "context") == 0;
	qr_record_meta meta;
	r->stats->records++;
	qr_buf_reset(&r->why);
	if (!fmt || (context && !fmt->archive)) {
		r->stats->rejected++;
		qr_error("rejected record: no reader for format '%s' (%s: data/originals/index.jsonl: line %llu)",
			 format ? format : "", r->path, (unsigned long long)p->lineno);
	} else if (!read_record(r, p->line, fd, fname, frame, data)) {
		r->stats->rejected++;
		qr_error("rejected record: %s (%s: data/originals/index.jsonl: line %llu)", r->why.buf, r->path,
			 (unsigned long long)p->lineno);
	} else {
		line_meta(r, p->line, &meta, &key);
		if (context)
			st = restore_context(r, p->line, fmt, data, &meta);
		else
			st = restore_record(r, p->line, &p->posts, fmt, data, &meta);
	}
	qr_progress_update(&r->progress, r->stats->records, 0);
	cJSON_Delete(p->line);
	p->line = NULL;
	qr_strv_clear(&p->posts);
	qr_buf_release(&key);
	return st;
}

static int restore_records(struct restore *r)
{
	qr_buf path = QR_BUF_INIT, frame = QR_BUF_INIT, data = QR_BUF_INIT, key = QR_BUF_INIT;
	struct pending p = { NULL, 0, QR_BUF_INIT, { 0 } };
	FILE *idx;
	int fd = -1;
	char *fname = NULL, *line = NULL;
	size_t cap = 0;
	ssize_t n;
	uint64_t lineno = 0;
	int st = 0;
	qr_buf_setf(&path, "%s/data/originals/index.jsonl", r->dir);
	if (!(idx = fopen(path.buf, "r"))) {
		qr_buf_release(&path);
		return 0;
	}
	while (!st && (n = getline(&line, &cap, idx)) > 0) {
		lineno++;
		cJSON *j = qr_json_parse(line, (size_t)n, NULL);
		const char *kind = qr_json_str(j, "kind"), *post = qr_json_str(j, "post");
		int64_t off = -1;
		if (!j || !kind || (strcmp(kind, "record") && strcmp(kind, "context")) || (!post && !strcmp(kind, "record"))) {
			qr_error("rejected record: line %llu of data/originals/index.jsonl is not a record's line (%s)",
				 (unsigned long long)lineno, r->path);
			cJSON_Delete(j);
			continue;
		}
		qr_json_int(j, "offset", &off);
		qr_buf_setf(&key, "%s:%lld", qr_json_str(j, "file") ? qr_json_str(j, "file") : "", (long long)off);
		if (p.line && strcmp(p.key.buf, key.buf) == 0 && post) {
			qr_strv_push(&p.posts, post);
			cJSON_Delete(j);
			continue;
		}
		st = flush(r, &p, &fd, &fname, &frame, &data);
		p.line = j;
		p.lineno = lineno;
		qr_buf_setf(&p.key, "%s", key.buf);
		if (post)
			qr_strv_push(&p.posts, post);
	}
	if (!st)
		st = flush(r, &p, &fd, &fname, &frame, &data);
	cJSON_Delete(p.line);
	qr_strv_clear(&p.posts);
	qr_buf_release(&p.key);
	close_context(r);
	fclose(idx);
	if (fd >= 0)
		close(fd);
	free(fname);
	free(line);
	qr_buf_release(&path);
	qr_buf_release(&frame);
	qr_buf_release(&data);
	qr_buf_release(&key);
	return st;
}

/* ---- codes ---- */

/* The corpus's documents of these post ids (those it holds). */
static void docids_of(struct restore *r, const cJSON *posts, xc_docid **ids, size_t *n, size_t *alloc)
{
	const cJSON *it;
	*n = 0;
	cJSON_ArrayForEach(it, posts)
	{
		xc_docid d;
		if (cJSON_IsString(it) && qr_corpus_find(r->c, it->valuestring, &d) == 0) {
			*ids = qr_grow_array(*ids, sizeof(**ids), *n + 1, alloc);
			(*ids)[(*n)++] = d;
		}
	}
}

static bool codes_of(const cJSON *arr, qr_strv *out)
{
	qr_buf code = QR_BUF_INIT;
	const cJSON *it;
	bool ok = true;
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it) || !qr_tag_code(it->valuestring, &code)) {
			ok = false;
			break;
		}
		qr_strv_push(out, code.buf);
	}
	qr_buf_release(&code);
	return ok;
}

/*
 * data/codes-history.jsonl replayed through the journal (tags.h), each
 * change with the time, user, command and query it was made with, so that
 * the corpus's own --history tells it and a bag exported from here again
 * has the same lines.
 */
static int restore_history(struct restore *r)
{
	qr_buf path = QR_BUF_INIT;
	char *line = NULL;
	size_t cap = 0, lineno = 0, alloc = 0, n = 0;
	xc_docid *ids = NULL;
	ssize_t len;
	int st = 0;
	qr_buf_setf(&path, "%s/data/codes-history.jsonl", r->dir);
	FILE *f = fopen(path.buf, "r");
	qr_buf_release(&path);
	while (f && !st && (len = getline(&line, &cap, f)) > 0) {
		lineno++;
		cJSON *j = qr_json_parse(line, (size_t)len, NULL);
		qr_strv add = { 0 }, del = { 0 };
		if (!cJSON_IsObject(j) || !codes_of(qr_json_get(j, "add"), &add) ||
		    !codes_of(qr_json_get(j, "remove"), &del) || !cJSON_IsArray(qr_json_get(j, "posts"))) {
			qr_buf why = QR_BUF_INIT;
			qr_buf_setf(&why, "line %zu is not a change of codes", lineno);
			st = fail(r, QR_BAD_INPUT, "data/codes-history.jsonl", why.buf);
			qr_buf_release(&why);
		} else {
			docids_of(r, qr_json_get(j, "posts"), &ids, &n, &alloc);
			qr_journal_who who = { qr_json_str(j, "time"), qr_json_str(j, "user"), NULL, qr_json_str(j, "command") };
			qr_tag_change ch = { &add, &del, qr_json_str(j, "query"), &who, r->path };
			qr_tag_tally t;
			if (n && (st = qr_tags_apply(r->c, ids, n, &ch, false, &t)))
				fail(r, st, "codes", qr_corpus_error(r->c));
			if (n)
				qr_tag_tally_release(&t);
		}
		qr_strv_clear(&add);
		qr_strv_clear(&del);
		cJSON_Delete(j);
	}
	if (f)
		fclose(f);
	free(line);
	free(ids);
	return st;
}

/*
 * Then the codes the bag's posts carry (posts.jsonl), onto the posts the
 * corpus holds: whatever the history did not give them (a bag written
 * before it had one) is added as one change a code.  Codes the corpus's
 * own posts have are never taken off.
 */
static int restore_all_codes(struct restore *r)
{
	qr_buf path = QR_BUF_INIT;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int st = restore_history(r);
	struct missing {
		char *code;
		xc_docid *ids;
		size_t n, alloc;
	} *miss = NULL;
	size_t nmiss = 0;
	qr_buf_setf(&path, "%s/data/posts.jsonl", r->dir);
	FILE *f = st ? NULL : fopen(path.buf, "r");
	qr_buf_release(&path);
	while (f && !st && (len = getline(&line, &cap, f)) > 0) {
		cJSON *j = qr_json_parse(line, (size_t)len, NULL);
		const char *id = qr_json_str(j, "post.id");
		const cJSON *tags = qr_json_get(j, "post.tags");
		xc_docid docid;
		qr_post p;
		qr_post_init(&p);
		if (id && cJSON_IsArray(tags) && cJSON_GetArraySize(tags) && qr_corpus_find(r->c, id, &docid) == 0 &&
		    qr_corpus_load_post(r->c, docid, &p) == 0) {
			r->stats->coded++;
			const cJSON *t;
			cJSON_ArrayForEach(t, tags)
			{
				if (!cJSON_IsString(t) || qr_strv_contains(&p.tags, t->valuestring, false))
					continue;
				size_t k = 0;
				while (k < nmiss && strcmp(miss[k].code, t->valuestring) != 0)
					k++;
				if (k == nmiss) {
					miss = qr_realloc(miss, (nmiss + 1) * sizeof(*miss));
					miss[nmiss++] = (struct missing){ qr_strdup(t->valuestring), NULL, 0, 0 };
				}
				miss[k].ids = qr_grow_array(miss[k].ids, sizeof(xc_docid), miss[k].n + 1, &miss[k].alloc);
				miss[k].ids[miss[k].n++] = docid;
			}
		}
		qr_post_clear(&p);
		cJSON_Delete(j);
	}
	if (f)
		fclose(f);
	free(line);
	for (size_t k = 0; k < nmiss; k++) {
		qr_strv add = { 0 }, del = { 0 };
		qr_buf code = QR_BUF_INIT;
		if (!st && qr_tag_code(miss[k].code, &code)) {
			qr_strv_push(&add, code.buf);
			qr_tag_change ch = { &add, &del, NULL, NULL, r->path };
			qr_tag_tally t;
			if ((st = qr_tags_apply(r->c, miss[k].ids, miss[k].n, &ch, false, &t)))
				fail(r, st, "codes", qr_corpus_error(r->c));
			else
				qr_tag_tally_release(&t);
		}
		qr_strv_clear(&add);
		qr_buf_release(&code);
		free(miss[k].code);
		free(miss[k].ids);
	}
	free(miss);
	return st;
}

/* The posts of the bag's id lists (data/ids/<platform>.txt) that the
 * corpus does not hold. */
static void count_missing(struct restore *r)
{
	qr_buf path = QR_BUF_INIT, id = QR_BUF_INIT;
	qr_buf_setf(&path, "%s/data/ids", r->dir);
	DIR *d = opendir(path.buf);
	struct dirent *e;
	char *line = NULL;
	size_t cap = 0;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || n < 5 || strcmp(e->d_name + n - 4, ".txt") != 0)
			continue;
		qr_buf_setf(&path, "%s/data/ids/%s", r->dir, e->d_name);
		FILE *f = fopen(path.buf, "r");
		ssize_t len;
		while (f && (len = getline(&line, &cap, f)) > 0) {
			xc_docid docid;
			line[strcspn(line, "\r\n")] = '\0';
			qr_buf_setf(&id, "%.*s:%s", (int)(n - 4), e->d_name, line);
			if (*line && qr_corpus_find(r->c, id.buf, &docid) == QR_NOT_FOUND)
				r->stats->missing++;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	free(line);
	qr_buf_release(&path);
	qr_buf_release(&id);
}

/* ---- the whole ---- */

static int log_sources(struct restore *r, const char *status, const char *container)
{
	qr_buf lines = QR_BUF_INIT, bag = QR_BUF_INIT;
	qr_jw w;
	char now[32];
	struct stat sb;
	qr_time_format_iso((int64_t)time(NULL), now);
	for (size_t i = 0; i < r->ninputs; i++)
		qr_buf_addf(&lines, "%s\n", r->inputs[i].line);
	qr_jw_init(&w, &bag, false);
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "number", r->bag_source);
	qr_jw_kstr(&w, "path", r->path);
	qr_jw_kint(&w, "size", stat(r->path, &sb) == 0 && S_ISREG(sb.st_mode) ? (int64_t)sb.st_size : 0);
	qr_jw_kstr(&w, "sha256", r->bag_sha);
	qr_jw_key(&w, "formats");
	qr_jw_begin_array(&w);
	qr_jw_string(&w, "bagit");
	qr_jw_end_array(&w);
	qr_jw_key(&w, "containers");
	qr_jw_begin_array(&w);
	if (container)
		qr_jw_string(&w, container);
	qr_jw_end_array(&w);
	qr_jw_kstr(&w, "finished", now);
	qr_jw_kint(&w, "records", (int64_t)r->stats->records);
	qr_jw_kint(&w, "posts_added", (int64_t)r->stats->added);
	qr_jw_kint(&w, "posts_updated", (int64_t)r->stats->updated);
	qr_jw_kint(&w, "duplicates", (int64_t)r->stats->duplicates);
	qr_jw_kint(&w, "rejected", (int64_t)r->stats->rejected);
	qr_jw_kint(&w, "skipped", 0);
	qr_jw_kstr(&w, "status", status);
	qr_jw_end_object(&w);
	qr_buf_addf(&lines, "%s\n", bag.buf);
	int st = qr_corpus_log(r->c, "sources.jsonl", lines.buf, lines.len);
	if (st)
		fail(r, st, "sources.jsonl", qr_corpus_error(r->c));
	qr_buf_release(&lines);
	qr_buf_release(&bag);
	return st;
}

static int run(struct restore *r, const char *container)
{
	qr_kvv info = { 0 };
	qr_buf path = QR_BUF_INIT;
	int st;
	long problems = qr_bag_verify(r->dir, true, print_problem, (void *)r->path);
	if (problems) {
		qr_error("cannot restore the bag: %s (%s)", problems < 0 ? "no bagit.txt" : "it is not sound, nothing was restored",
			 r->path);
		return QR_EXIT_DAMAGED;
	}
	qr_buf_setf(&path, "%s/bag-info.txt", r->dir);
	qr_bag_read_info(path.buf, &info);
	const char *content = qr_kvv_get(&info, "Quire-Content");
	qr_buf_setf(&path, "%s/tagmanifest-sha256.txt", r->dir);
	sha_of_file(path.buf, r->bag_sha);
	qr_buf_release(&path);
	if (!content) {
		qr_error("cannot restore the bag: no Quire-Content in bag-info.txt: not a bag quire export wrote (%s)", r->path);
		qr_kvv_clear(&info);
		return QR_EXIT_DAMAGED;
	}
	if (!r->o->force && restored_before(r)) {
		r->stats->unchanged = true;
		qr_kvv_clear(&info);
		return 0;
	}
	bool records = strcmp(content, "originals") == 0;
	r->bag_source = qr_corpus_new_source(r->c);
	if ((st = merge_events(r)) == 0) {
		read_sources(r);
		if (records && (st = restore_media(r)) == 0) {
			/* into an empty index, as a bulk load (two writers) */
			if (r->o->threads > 1 && (st = qr_corpus_bulk_begin(r->c, r->o->threads)) == QR_SKIP)
				st = 0;
			else if (st)
				fail(r, st, "the index writers", qr_corpus_error(r->c));
			if (!st)
				st = restore_records(r);
			int e = end_bulk(r);
			st = st ? st : e;
		}
	}
	if (!st && !r->fatal)
		st = restore_all_codes(r);
	if (!st && !r->fatal && !records)
		count_missing(r);
	if (!st && !r->fatal && (st = qr_corpus_commit(r->c)))
		fail(r, st, "commit", qr_corpus_error(r->c));
	if (!st && !r->fatal)
		st = log_sources(r, "complete", container);
	qr_progress_clear(&r->progress);
	if (!records && !st) {
		qr_warning("bag '%s' holds no original records (content level '%s'): %llu of its posts are not in the corpus and "
			   "cannot be loaded from it (their ids are in data/ids/, to collect again); its events and the codes "
			   "of the posts already here were restored",
			   r->path, content, (unsigned long long)r->stats->missing);
	}
	qr_kvv_clear(&info);
	return st || r->fatal ? qr_status_exit_code(r->fatal ? r->fatal : st) : 0;
}

/* Folders a killed restore left in the corpus (this one holds the
 * writer's lock: no other restore is at work). */
static void remove_stale(qr_corpus *c)
{
	qr_buf path = QR_BUF_INIT, err = QR_BUF_INIT;
	DIR *d = opendir(qr_corpus_dir(c));
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "bag.tmp-", 8) != 0)
			continue;
		qr_corpus_path(c, e->d_name, &path);
		qr_io_remove_tree(path.buf, &err);
	}
	if (d)
		closedir(d);
	qr_buf_release(&path);
	qr_buf_release(&err);
}

int qr_restore_bag(qr_corpus *c, const char *path, const qr_ingest_opts *o, qr_events **events,
		   qr_restore_stats *stats)
{
	struct restore r = { 0 };
	qr_buf tmp = QR_BUF_INIT, root = QR_BUF_INIT, err = QR_BUF_INIT;
	int kind = qr_bag_kind_of(path), st;
	memset(stats, 0, sizeof(*stats));
	r.c = c;
	r.path = path;
	r.o = o;
	r.events = *events;
	r.stats = stats;
	qr_buf_init(&r.why);
	r.dctx = ZSTD_createDCtx();
	qr_progress_init(&r.progress, 0, "records");
	r.dir = path;
	if (kind != QR_BAG_DIR) {
		/* unpacked inside the corpus (its file system, its lock) */
		char name[64];
		remove_stale(c);
		snprintf(name, sizeof(name), "bag.tmp-%ld", (long)getpid());
		qr_corpus_path(c, name, &tmp);
		qr_io_remove_tree(tmp.buf, &err);
		if (qr_bag_unpack(path, tmp.buf, MAX_UNPACK, &root, &err)) {
			qr_error("bad bag: %s (%s)", err.buf, path);
			st = QR_EXIT_DAMAGED;
			goto out;
		}
		r.dir = root.buf;
	}
	st = run(&r, kind == QR_BAG_ZIP ? "zip" : kind == QR_BAG_TGZ ? "gzip+tar" : NULL);
out:
	*events = r.events;
	if (tmp.len)
		qr_io_remove_tree(tmp.buf, &err);
	for (size_t i = 0; i < r.ninputs; i++) {
		free(r.inputs[i].key);
		free(r.inputs[i].line);
	}
	free(r.inputs);
	for (size_t i = 0; i < r.ncontexts; i++)
		r.contexts[i].f->archive->free_context(r.contexts[i].ctx);
	free(r.contexts);
	for (size_t i = 0; i < r.nmedia; i++)
		free(r.media[i].locator);
	free(r.media);
	qr_buf_release(&r.why);
	ZSTD_freeDCtx(r.dctx);
	qr_buf_release(&tmp);
	qr_buf_release(&root);
	qr_buf_release(&err);
	return st;
}
