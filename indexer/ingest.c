#include "ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "format.h"
#include "hash.h"
#include "io.h"
#include "json.h"
#include "progress.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

#define HEAD 65536
#define SHOWN_REJECTS 20

void qr_ingest_opts_default(qr_ingest_opts *o)
{
	memset(o, 0, sizeof(*o));
	qr_limits_default(&o->limits);
	o->batch_posts = 10000;
}

struct input {
	char *path;          /* as given, or found in a directory */
	bool is_stdin;
	uint64_t size;       /* 0 for stdin */
};

struct ingest {
	qr_corpus *c;
	const qr_ingest_opts *o;
	qr_ingest_stats *stats;
	qr_progress progress;
	char *corpus_real;
	qr_strv known;           /* sha256 of inputs ingested completely before */
	/* the current input */
	const struct input *in;
	uint32_t source;
	char sha[QR_SHA256_HEX];
	bool sha_known;
	qr_sha256_ctx *hash;     /* hashing while reading, when not known */
	uint64_t raw;            /* raw bytes read from the input */
	uint64_t bytes_before;   /* stats->bytes before this input */
	struct {
		uint64_t records, added, updated, duplicates, rejected, skipped;
	} n;
	bool incomplete;
	qr_strv formats, containers, notes;
	qr_buf rejects;
	qr_buf why;
	qr_posts posts;
	qr_buf ids;
	int shown;
	uint64_t unshown;        /* messages past SHOWN_REJECTS, this input */
	int fatal;
};

/* ---- messages ---- */

static void where(qr_buf *out, const char *path, const char *member, uint64_t line, uint64_t byte)
{
	qr_buf_adds(out, path);
	if (member)
		qr_buf_addf(out, ": %s", member);
	if (line)
		qr_buf_addf(out, ": line %llu", (unsigned long long)line);
	if (line || byte)
		qr_buf_addf(out, "%sbyte %llu", line ? ", " : ": ", (unsigned long long)byte);
}

static void reject(struct ingest *ing, const char *member, const char *format, uint64_t line, uint64_t byte,
		   const char *severity, const char *reason)
{
	char now[32];
	qr_jw w;
	qr_time_format_iso((int64_t)time(NULL), now);
	qr_jw_init(&w, &ing->rejects, false);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "time", now);
	qr_jw_kint(&w, "source", ing->source);
	qr_jw_kstr(&w, "path", ing->in->path);
	qr_jw_kstr(&w, "member", member);
	if (line)
		qr_jw_kint(&w, "line", (int64_t)line);
	qr_jw_kint(&w, "byte", (int64_t)byte);
	qr_jw_kstr(&w, "format", format);
	qr_jw_kstr(&w, "severity", severity);
	qr_jw_kstr(&w, "reason", reason);
	qr_jw_end_object(&w);
	qr_buf_addch(&ing->rejects, '\n');
	if (strcmp(severity, "record") == 0) {
		ing->n.rejected++;
		ing->stats->rejected++;
	}
	if (ing->o->quiet)
		return;
	/* Rejected records and skipped members can number in the millions:
	 * the first ones are shown; an input that ends early is always said. */
	if (strcmp(severity, "fatal") == 0 || ing->shown++ < SHOWN_REJECTS) {
		qr_buf loc = QR_BUF_INIT;
		where(&loc, ing->in->path, member, line, byte);
		qr_progress_clear(&ing->progress);
		qr_error("%s: %s (%s)", strcmp(severity, "record") == 0 ? "rejected record" : "input not fully read",
			 reason, loc.buf);
		qr_buf_release(&loc);
	} else {
		ing->unshown++;
	}
}

static void on_note(void *ctx, int severity, const char *path, const char *member, uint64_t byte, const char *msg)
{
	struct ingest *ing = ctx;
	(void)path;
	if (severity == QR_WARN) {
		qr_buf loc = QR_BUF_INIT;
		where(&loc, ing->in->path, member, 0, byte);
		qr_buf_addf(&loc, ": %s", msg);
		if (ing->notes.n < 20)
			qr_strv_push(&ing->notes, loc.buf);
		if (!ing->o->quiet && ing->shown++ < SHOWN_REJECTS) {
			qr_progress_clear(&ing->progress);
			qr_warning("%s (%s%s%s)", msg, ing->in->path, member ? ": " : "", member ? member : "");
		} else if (!ing->o->quiet) {
			ing->unshown++;
		}
		qr_buf_release(&loc);
		return;
	}
	ing->incomplete = true;
	reject(ing, member, NULL, 0, byte, severity == QR_FATAL ? "fatal" : "failed", msg);
}

/* ---- records ---- */

static void fill_source(struct ingest *ing, qr_post *p, const qr_leaf *leaf, const qr_format *f, const qr_frame *fr)
{
	p->source.number = ing->source;
	qr_set(&p->source.input_sha256, ing->sha_known ? ing->sha : NULL);
	qr_set(&p->source.path, ing->in->path);
	qr_set(&p->source.member, leaf->member);
	p->source.line = (int64_t)fr->line;
	p->source.byte = (int64_t)fr->byte;
	qr_set(&p->source.format, f->name);
}

static int commit(struct ingest *ing)
{
	int st = qr_corpus_commit(ing->c);
	if (st) {
		qr_progress_clear(&ing->progress);
		qr_error("cannot commit: %s", qr_corpus_error(ing->c));
		ing->fatal = st;
	}
	return st;
}

static void handle_record(struct ingest *ing, const qr_leaf *leaf, const qr_format *f, const qr_frame *fr)
{
	ing->n.records++;
	ing->stats->records++;
	qr_posts_clear(&ing->posts);
	qr_buf_reset(&ing->why);
	int st = f->normalize(fr->data, fr->len, &ing->posts, &ing->why);
	if (st == QR_SKIP) {
		ing->n.skipped++;
		ing->stats->skipped++;
		return;
	}
	if (st != QR_OK || ing->posts.n == 0) {
		reject(ing, leaf->member, f->name, fr->line, fr->byte, "record",
		       ing->why.len ? ing->why.buf : "record holds no post");
		return;
	}
	qr_buf_reset(&ing->ids);
	for (size_t i = 0; i < ing->posts.n; i++) {
		fill_source(ing, &ing->posts.v[i], leaf, f, fr);
		qr_buf_addf(&ing->ids, "%s%s", i ? " " : "", ing->posts.v[i].id);
	}
	qr_record_meta meta = { 0 };
	meta.source = ing->source;
	meta.format = f->name;
	meta.path = ing->in->path;
	meta.member = leaf->member;
	meta.ids = ing->ids.buf;
	meta.line = fr->line;
	meta.byte = fr->byte;
	qr_add_counts counts = { 0 };
	st = qr_corpus_add(ing->c, fr->data, fr->len, &meta, ing->posts.v, ing->posts.n, NULL, &counts);
	if (st) {
		qr_progress_clear(&ing->progress);
		qr_error("cannot add a record: %s", qr_corpus_error(ing->c));
		ing->fatal = st;
		return;
	}
	ing->n.added += counts.added;
	ing->n.updated += counts.updated;
	ing->n.duplicates += counts.duplicates;
	ing->stats->added += counts.added;
	ing->stats->updated += counts.updated;
	ing->stats->duplicates += counts.duplicates;
	if (qr_corpus_pending(ing->c) >= ing->o->batch_posts)
		commit(ing);
}

static void describe_head(qr_buf *out, const char *head, size_t n)
{
	size_t show = n < 48 ? n : 48;
	qr_buf_adds(out, "unknown format; it begins \"");
	qr_escape_terminal(out, head, show, QR_ESC_QUOTE);
	qr_buf_addf(out, "\"%s", n > show ? "..." : "");
}

static int on_leaf(void *ctx, qr_leaf *leaf)
{
	struct ingest *ing = ctx;
	const char *head;
	ssize_t n = qr_stream_peek(leaf->s, HEAD, &head);
	if (n < 0) {
		on_note(ing, QR_FATAL, leaf->path, leaf->member, 0, leaf->s->err.buf);
		return 0;
	}
	const qr_format *f = NULL;
	if (ing->o->format) {
		f = qr_format_by_name(ing->o->format);
	} else {
		int bid;
		f = qr_format_sniff(head, (size_t)n, leaf->member, &bid);
	}
	if (!f) {
		qr_buf msg = QR_BUF_INIT;
		describe_head(&msg, head, (size_t)n);
		on_note(ing, QR_FAILED, leaf->path, leaf->member, 0, msg.buf);
		qr_buf_release(&msg);
		return 0;
	}
	qr_strv_push_unique(&ing->formats, f->name, false);
	qr_strv_push_unique(&ing->containers, leaf->container, false);

	qr_reader r = { f, { 0 }, leaf->path, leaf->member, NULL };
	qr_input_init(&r.in, leaf->s, ing->o->limits.max_record);
	qr_frame fr;
	for (;;) {
		qr_buf_reset(&ing->why);
		int st = qr_format_next(&r, &fr, &ing->why);
		if (st == QR_END)
			break;
		if (st == QR_IO) {
			qr_buf msg = QR_BUF_INIT;
			qr_buf_addf(&msg, "cannot read further: %s", r.in.err.len ? r.in.err.buf : leaf->s->err.buf);
			ing->incomplete = true;
			reject(ing, leaf->member, f->name, fr.line, fr.byte, "fatal", msg.buf);
			qr_buf_release(&msg);
			break;
		}
		if (st != QR_OK) {
			reject(ing, leaf->member, f->name, fr.line, fr.byte, "record",
			       ing->why.len ? ing->why.buf : "malformed record");
			continue;
		}
		handle_record(ing, leaf, f, &fr);
		ing->stats->bytes = ing->bytes_before + ing->raw;
		qr_progress_update(&ing->progress, ing->stats->records, ing->stats->bytes);
		if (ing->fatal)
			break;
	}
	qr_input_release(&r.in);
	return ing->fatal;
}

/* ---- inputs ---- */

struct counter {
	qr_stream *inner;
	struct ingest *ing;
};

static ssize_t counting_read(qr_stream *s, void *buf, size_t n)
{
	struct counter *c = s->ctx;
	ssize_t r = qr_stream_read(c->inner, buf, n);
	if (r < 0) {
		qr_buf_setf(&s->err, "%s", c->inner->err.buf);
		return -1;
	}
	c->ing->raw += (uint64_t)r;
	if (c->ing->hash)
		qr_sha256_update(c->ing->hash, buf, (size_t)r);
	return r;
}

static int64_t counting_seek(qr_stream *s, int64_t offset, int whence)
{
	struct counter *c = s->ctx;
	int64_t r = c->inner->seek(c->inner, offset, whence);
	if (r < 0)
		qr_buf_setf(&s->err, "%s", c->inner->err.buf);
	return r;
}

static uint64_t raw_read(void *ctx)
{
	return ((struct ingest *)ctx)->raw;
}

static bool hash_file(const char *path, char *hex, uint64_t *size, qr_buf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		qr_buf_setf(err, "cannot open '%s': %s", path, strerror(errno));
		return false;
	}
	qr_sha256_ctx *h = qr_sha256_new();
	char *buf = qr_malloc(1 << 20);
	uint64_t total = 0;
	bool ok = true;
	for (;;) {
		ssize_t r = read(fd, buf, 1 << 20);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			qr_buf_setf(err, "cannot read '%s': %s", path, strerror(errno));
			ok = false;
			break;
		}
		if (r == 0)
			break;
		qr_sha256_update(h, buf, (size_t)r);
		total += (uint64_t)r;
	}
	uint8_t sha[QR_SHA256_LEN];
	qr_sha256_final(h, sha);
	qr_hex(sha, QR_SHA256_LEN, hex);
	qr_sha256_free(h);
	free(buf);
	close(fd);
	*size = total;
	return ok;
}

static void source_line(struct ingest *ing, const char *status, double started, int64_t started_wall)
{
	qr_buf line = QR_BUF_INIT;
	char t0[32], t1[32];
	qr_jw w;
	qr_time_format_iso(started_wall, t0);
	qr_time_format_iso((int64_t)time(NULL), t1);
	qr_jw_init(&w, &line, false);
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "number", ing->source);
	qr_jw_kstr(&w, "path", ing->in->path);
	qr_jw_kint(&w, "size", (int64_t)(ing->in->is_stdin ? ing->raw : ing->in->size));
	qr_jw_kstr(&w, "sha256", ing->sha);
	qr_jw_key(&w, "formats");
	qr_jw_begin_array(&w);
	for (size_t i = 0; i < ing->formats.n; i++)
		qr_jw_string(&w, ing->formats.v[i]);
	qr_jw_end_array(&w);
	qr_jw_key(&w, "containers");
	qr_jw_begin_array(&w);
	for (size_t i = 0; i < ing->containers.n; i++)
		qr_jw_string(&w, ing->containers.v[i]);
	qr_jw_end_array(&w);
	qr_jw_kstr(&w, "started", t0);
	qr_jw_kstr(&w, "finished", t1);
	qr_jw_key(&w, "seconds");
	qr_jw_double(&w, (double)(int64_t)((qr_now() - started) * 1000) / 1000.0);
	qr_jw_kint(&w, "records", (int64_t)ing->n.records);
	qr_jw_kint(&w, "posts_added", (int64_t)ing->n.added);
	qr_jw_kint(&w, "posts_updated", (int64_t)ing->n.updated);
	qr_jw_kint(&w, "duplicates", (int64_t)ing->n.duplicates);
	qr_jw_kint(&w, "rejected", (int64_t)ing->n.rejected);
	qr_jw_kint(&w, "skipped", (int64_t)ing->n.skipped);
	qr_jw_kstr(&w, "status", status);
	if (ing->notes.n) {
		qr_jw_key(&w, "notes");
		qr_jw_begin_array(&w);
		for (size_t i = 0; i < ing->notes.n; i++)
			qr_jw_string(&w, ing->notes.v[i]);
		qr_jw_end_array(&w);
	}
	qr_jw_end_object(&w);
	if (qr_corpus_log(ing->c, "sources.jsonl", line.buf, line.len)) {
		qr_error("cannot log the source: %s", qr_corpus_error(ing->c));
		ing->fatal = QR_IO;
	}
	qr_buf_release(&line);
}

static void reset_input(struct ingest *ing, const struct input *in)
{
	ing->in = in;
	ing->raw = 0;
	ing->incomplete = false;
	memset(&ing->n, 0, sizeof(ing->n));
	qr_strv_clear(&ing->formats);
	qr_strv_clear(&ing->containers);
	qr_strv_clear(&ing->notes);
	qr_buf_reset(&ing->rejects);
	ing->unshown = 0;
	ing->shown = 0;
	ing->sha[0] = '\0';
	ing->sha_known = false;
}

static int ingest_one(struct ingest *ing, const struct input *in)
{
	double started = qr_now();
	int64_t started_wall = (int64_t)time(NULL);
	qr_buf err = QR_BUF_INIT;
	int fd = STDIN_FILENO;

	reset_input(ing, in);
	ing->bytes_before = ing->stats->bytes;
	if (!in->is_stdin) {
		uint64_t size;
		if (!hash_file(in->path, ing->sha, &size, &err)) {
			qr_progress_clear(&ing->progress);
			qr_error("%s", err.buf);
			ing->stats->incomplete++;
			qr_buf_release(&err);
			return 0;
		}
		ing->sha_known = true;
		if (!ing->o->force && qr_strv_contains(&ing->known, ing->sha, false)) {
			/* Same bytes as an input read completely before. */
			ing->source = qr_corpus_new_source(ing->c);
			ing->stats->unchanged++;
			ing->stats->bytes += in->size;
			qr_buf_release(&err);
			/* Commit first (the source number), then log: as for an
			 * input read in full, and nothing after a failure. */
			if (commit(ing))
				return ing->fatal;
			source_line(ing, "unchanged", started, started_wall);
			return ing->fatal;
		}
		fd = open(in->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			qr_progress_clear(&ing->progress);
			qr_error("cannot open '%s': %s", in->path, strerror(errno));
			ing->stats->incomplete++;
			qr_buf_release(&err);
			return 0;
		}
	} else {
		ing->hash = qr_sha256_new();
	}
	ing->source = qr_corpus_new_source(ing->c);
	ing->stats->inputs++;

	qr_stream *raw = qr_stream_fd(fd, !in->is_stdin);
	qr_stream *top = qr_calloc(1, sizeof(*top));
	struct counter cnt = { raw, ing };
	qr_buf_init(&top->err);
	qr_buf_init(&top->peeked);
	top->ctx = &cnt;
	top->read = counting_read;
	top->seek = raw->seek ? counting_seek : NULL;
	qr_container_cb cb = { on_leaf, on_note, ing };
	int st = qr_container_walk(in->path, top, &ing->o->limits, raw_read, ing, &cb);
	if (st == QR_BAD_INPUT)
		ing->incomplete = true;
	if (ing->hash) {
		/* Hash what the readers left unread, so that the sha256 names
		 * the whole input; not past a failure or a cap, though: a stream
		 * that never ends (a pipe from an endless producer) would keep
		 * the ingest reading forever.  An input not read to its end is
		 * never taken as ingested, whatever its sha256. */
		char buf[65536];
		while (!ing->fatal && !ing->incomplete && ing->raw <= ing->o->limits.max_input_bytes &&
		       qr_stream_read(top, buf, sizeof(buf)) > 0)
			;
		uint8_t sha[QR_SHA256_LEN];
		qr_sha256_final(ing->hash, sha);
		qr_hex(sha, QR_SHA256_LEN, ing->sha);
		qr_sha256_free(ing->hash);
		ing->hash = NULL;
	}
	qr_stream_free(top);
	qr_stream_free(raw);
	if (ing->unshown) {
		qr_buf n = QR_BUF_INIT;
		qr_add_grouped(&n, ing->unshown);
		qr_progress_clear(&ing->progress);
		qr_warning("%s more messages about '%s' not shown (every rejected record is in rejects.jsonl)", n.buf,
			   in->path);
		qr_buf_release(&n);
	}
	ing->stats->bytes = ing->bytes_before + (in->is_stdin ? ing->raw : in->size);
	if (ing->incomplete)
		ing->stats->incomplete++;
	if (ing->fatal)
		goto out;
	if (commit(ing))
		goto out;
	if (qr_corpus_log(ing->c, "rejects.jsonl", ing->rejects.buf, ing->rejects.len)) {
		qr_error("cannot log rejects: %s", qr_corpus_error(ing->c));
		ing->fatal = QR_IO;
		goto out;
	}
	source_line(ing, ing->incomplete ? "incomplete" : "complete", started, started_wall);
	if (!ing->incomplete)
		qr_strv_push_unique(&ing->known, ing->sha, false);
out:
	qr_buf_release(&err);
	return ing->fatal;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expand a path into inputs: directories are walked in name order,
 * skipping hidden entries and the corpus itself. */
static void expand(struct ingest *ing, const char *path, struct input **list, size_t *n, size_t *alloc, int depth)
{
	struct stat sb;
	if (strcmp(path, "-") == 0) {
		*list = qr_grow_array(*list, sizeof(**list), *n + 1, alloc);
		(*list)[(*n)++] = (struct input){ qr_strdup("-"), true, 0 };
		return;
	}
	if (stat(path, &sb) < 0) {
		qr_error("cannot read '%s': %s", path, strerror(errno));
		ing->stats->incomplete++;
		return;
	}
	char real[PATH_MAX];
	if (realpath(path, real) && ing->corpus_real && qr_starts_with(real, ing->corpus_real) &&
	    (real[strlen(ing->corpus_real)] == '/' || real[strlen(ing->corpus_real)] == '\0')) {
		qr_warning("'%s' is inside the corpus: skipped", path);
		return;
	}
	if (S_ISREG(sb.st_mode)) {
		*list = qr_grow_array(*list, sizeof(**list), *n + 1, alloc);
		(*list)[(*n)++] = (struct input){ qr_strdup(path), false, (uint64_t)sb.st_size };
		return;
	}
	if (!S_ISDIR(sb.st_mode)) {
		qr_warning("'%s' is not a regular file or directory: skipped", path);
		return;
	}
	if (depth > 64) {
		qr_warning("'%s' is nested too deep: skipped", path);
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		qr_error("cannot read directory '%s': %s", path, strerror(errno));
		ing->stats->incomplete++;
		return;
	}
	qr_strv names = { 0 };
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			qr_strv_push(&names, e->d_name);
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	qr_buf child = QR_BUF_INIT;
	for (size_t i = 0; i < names.n; i++) {
		qr_buf_setf(&child, "%s%s%s", path, qr_ends_with(path, "/") ? "" : "/", names.v[i]);
		expand(ing, child.buf, list, n, alloc, depth + 1);
	}
	qr_buf_release(&child);
	qr_strv_clear(&names);
}

static void load_known(struct ingest *ing)
{
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT, err = QR_BUF_INIT;
	qr_corpus_path(ing->c, "sources.jsonl", &path);
	if (qr_io_read_file(path.buf, SIZE_MAX / 2, &data, &err) == 0) {
		char *line = data.buf, *end;
		for (; line < data.buf + data.len; line = end + 1) {
			end = memchr(line, '\n', (size_t)(data.buf + data.len - line));
			if (!end)
				end = data.buf + data.len;
			cJSON *o = qr_json_parse(line, (size_t)(end - line), NULL);
			const char *status = qr_json_str(o, "status");
			const char *sha = qr_json_str(o, "sha256");
			if (status && sha && (strcmp(status, "complete") == 0 || strcmp(status, "unchanged") == 0))
				qr_strv_push_unique(&ing->known, sha, false);
			/* A repair found records of this input lost from the store:
			 * read it again (later lines win). */
			else if (status && sha && strcmp(status, "lost") == 0)
				qr_strv_remove(&ing->known, sha);
			cJSON_Delete(o);
		}
	}
	qr_buf_release(&path);
	qr_buf_release(&data);
	qr_buf_release(&err);
}

int qr_ingest(qr_corpus *c, char *const *paths, size_t n, const qr_ingest_opts *o, qr_ingest_stats *stats)
{
	struct ingest ing;
	struct input *list = NULL;
	size_t count = 0, alloc = 0;
	uint64_t total = 0;
	double t0 = qr_now();

	memset(&ing, 0, sizeof(ing));
	memset(stats, 0, sizeof(*stats));
	ing.c = c;
	ing.o = o;
	ing.stats = stats;
	qr_buf_init(&ing.rejects);
	qr_buf_init(&ing.why);
	qr_buf_init(&ing.ids);
	char real[PATH_MAX];
	if (realpath(qr_corpus_dir(c), real))
		ing.corpus_real = qr_strdup(real);
	load_known(&ing);
	for (size_t i = 0; i < n; i++)
		expand(&ing, paths[i], &list, &count, &alloc, 0);
	for (size_t i = 0; i < count; i++)
		total += list[i].size;
	qr_progress_init(&ing.progress, total, "records");
	for (size_t i = 0; i < count && !ing.fatal; i++)
		ingest_one(&ing, &list[i]);
	qr_progress_clear(&ing.progress);
	stats->seconds = qr_now() - t0;

	for (size_t i = 0; i < count; i++)
		free(list[i].path);
	free(list);
	free(ing.corpus_real);
	qr_strv_clear(&ing.known);
	qr_strv_clear(&ing.formats);
	qr_strv_clear(&ing.containers);
	qr_strv_clear(&ing.notes);
	qr_buf_release(&ing.rejects);
	qr_buf_release(&ing.why);
	qr_buf_release(&ing.ids);
	qr_posts_clear(&ing.posts);
	return ing.fatal;
}

int qr_ingest_renormalize(void *ctx, const char *data, size_t len, const qr_record_meta *meta, qr_post **posts,
			  size_t *nposts, qr_buf *why)
{
	(void)ctx;
	const qr_format *f = meta->format ? qr_format_by_name(meta->format) : NULL;
	*posts = NULL;
	*nposts = 0;
	if (!f) {
		qr_buf_setf(why, "no reader for format '%s'", meta->format ? meta->format : "");
		return QR_BAD_INPUT;
	}
	qr_posts ps = { 0 };
	int st = f->normalize(data, len, &ps, why);
	if (st != QR_OK) {
		qr_posts_clear(&ps);
		return st;
	}
	for (size_t i = 0; i < ps.n; i++) {
		qr_post *p = &ps.v[i];
		p->source.number = meta->source;
		qr_set(&p->source.path, meta->path);
		qr_set(&p->source.member, meta->member && *meta->member ? meta->member : NULL);
		p->source.line = (int64_t)meta->line;
		p->source.byte = (int64_t)meta->byte;
		qr_set(&p->source.format, f->name);
	}
	*posts = ps.v;
	*nposts = ps.n;
	return 0;
}

int qr_ingest_open_corpus(const char *dir, bool create, qr_corpus **out)
{
	qr_buf err = QR_BUF_INIT, report = QR_BUF_INIT;
	int st = qr_corpus_open(dir, create ? QR_OPEN_CREATE : QR_OPEN_WRITE, out, &err);
	if (st) {
		qr_error("%s", err.buf);
		goto done;
	}
	qr_repair_stats rs = { 0 };
	st = qr_repair_lost_tail(*out, qr_ingest_renormalize, NULL, &report, &rs);
	if (!st)
		st = qr_corpus_recover(*out, qr_ingest_renormalize, NULL, &report);
	if (st) {
		/* The store's messages are in the report, the index's on the corpus. */
		const char *why = qr_corpus_error(*out);
		if (report.len)
			qr_error("cannot recover the corpus '%s': %s%s%s", dir, report.buf, *why ? "; " : "", why);
		else
			qr_error("cannot recover the corpus '%s': %s", dir, why);
		qr_corpus_close(*out);
		*out = NULL;
	} else if (report.len) {
		qr_warning("recovered the corpus: %s", report.buf);
	}
done:
	qr_buf_release(&err);
	qr_buf_release(&report);
	return st;
}
