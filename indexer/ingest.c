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

#include "archive_reader.h"
#include "bag.h"
#include "check.h"
#include "cli.h"
#include "format.h"
#include "hash.h"
#include "io.h"
#include "json.h"
#include "progress.h"
#include "reader_util.h"
#include "status.h"
#include "tags.h"
#include "text.h"
#include "timeutil.h"

#define HEAD 65536
#define SHOWN_REJECTS 20

void qr_ingest_opts_default(qr_ingest_opts *o)
{
	memset(o, 0, sizeof(*o));
	qr_limits_default(&o->limits);
	o->batch_posts = 10000;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	o->threads = cpus >= 2 ? 2 : 1;
}

struct session;

/* Media files kept during one input: sha256 -> store locator. */
struct media_slot {
	char sha[QR_SHA256_HEX];
	char locator[64];
};

struct media_map {
	struct media_slot *v;
	size_t cap, n;
};

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
		uint64_t records, added, updated, duplicates, rejected, skipped, elsewhere;
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
	/* archives being read, innermost last */
	struct session **sessions;
	size_t nsessions, sessions_alloc;
	struct media_map media;
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

static void fill_source(struct ingest *ing, qr_post *p, const char *member, const qr_format *f, const qr_frame *fr)
{
	p->source.number = ing->source;
	qr_set(&p->source.input_sha256, ing->sha_known ? ing->sha : NULL);
	qr_set(&p->source.path, ing->in->path);
	qr_set(&p->source.member, member);
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

/* Store and index what normalize made of a record (st is its status). */
static void keep_posts(struct ingest *ing, const char *member, const qr_format *f, const qr_frame *fr, int st)
{
	if (st == QR_SKIP) {
		ing->n.skipped++;
		ing->stats->skipped++;
		return;
	}
	if (st != QR_OK || ing->posts.n == 0) {
		reject(ing, member, f->name, fr->line, fr->byte, "record",
		       ing->why.len ? ing->why.buf : "record holds no post");
		return;
	}
	qr_buf_reset(&ing->ids);
	for (size_t i = 0; i < ing->posts.n; i++) {
		fill_source(ing, &ing->posts.v[i], member, f, fr);
		if (ing->o->events)
			qr_events_apply(ing->o->events, &ing->posts.v[i]);
		qr_buf_addf(&ing->ids, "%s%s", i ? " " : "", ing->posts.v[i].id);
	}
	qr_record_meta meta = { 0 };
	meta.source = ing->source;
	meta.format = f->name;
	meta.path = ing->in->path;
	meta.member = member;
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
	ing->n.elsewhere += counts.elsewhere;
	ing->stats->elsewhere += counts.elsewhere;
	ing->stats->added += counts.added;
	ing->stats->updated += counts.updated;
	ing->stats->duplicates += counts.duplicates;
	if (qr_corpus_pending(ing->c) >= ing->o->batch_posts)
		commit(ing);
}

static void handle_record(struct ingest *ing, const qr_leaf *leaf, const qr_format *f, const qr_frame *fr)
{
	ing->n.records++;
	ing->stats->records++;
	qr_posts_clear(&ing->posts);
	qr_buf_reset(&ing->why);
	/* The record's JSON dies with normalize (stream formats keep none). */
	qr_json_scratch_begin();
	int st = f->normalize(fr->data, fr->len, &ing->posts, &ing->why);
	qr_json_scratch_end();
	keep_posts(ing, leaf->member, f, fr, st);
}

static void describe_head(qr_buf *out, const char *head, size_t n)
{
	size_t show = n < 48 ? n : 48;
	qr_buf_adds(out, "unknown format; it begins \"");
	qr_escape_terminal(out, head, show, QR_ESC_QUOTE);
	qr_buf_addf(out, "\"%s", n > show ? "..." : "");
	const char *hint = qr_head_hint(head, n);
	if (hint)
		qr_buf_addf(out, "; %s", hint);
}

/* ---- archives read whole by an archive format (format.h) ---- */

struct session {
	struct ingest *ing;
	uint64_t id;             /* the container's number for the archive; 0: a lone input */
	char *name;              /* its member chain; NULL: the input itself */
	const qr_format *f;      /* the format that took members of it, if any */
	bool claimed;            /* ...and took the whole archive */
	qr_archive a;
	void *context;           /* loaded while records are emitted */
	/* "unknown format" failures held back until the archive's format is
	 * known: for a claimed archive they were members it does not read. */
	qr_strv held_members, held_msgs;
};

/* A sha256 is its own hash: its first 32 bits. */
static size_t sha_hash(const char *sha)
{
	uint8_t b[4];
	return qr_unhex(sha, b, 4) ? (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3] : 0;
}

static void media_map_grow(struct media_map *m)
{
	struct media_slot *old = m->v;
	size_t old_cap = m->cap;
	m->cap = m->cap ? 2 * m->cap : 256;
	m->v = qr_calloc(m->cap, sizeof(*m->v));
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].sha[0])
			continue;
		size_t h = sha_hash(old[i].sha);
		while (m->v[h % m->cap].sha[0])
			h++;
		m->v[h % m->cap] = old[i];
	}
	free(old);
}

/* The slot of a sha256 (hex): found, or the empty one for it. */
static struct media_slot *media_map_slot(struct media_map *m, const char *sha)
{
	if (2 * (m->n + 1) > m->cap)
		media_map_grow(m);
	for (size_t h = sha_hash(sha);; h++) {
		struct media_slot *slot = &m->v[h % m->cap];
		if (!slot->sha[0] || strcmp(slot->sha, sha) == 0)
			return slot;
	}
}

/* Read a media file to its end: hashed whole, held in data up to max
 * bytes (past that, *kept is false and data empty).  False on a read
 * error (why says it). */
static bool read_media_file(qr_stream *s, uint64_t max, qr_buf *data, qr_blob *out, bool *kept, qr_buf *why)
{
	qr_sha256_ctx *h = qr_sha256_new();
	char chunk[65536], head[64];
	size_t nhead = 0;
	bool ok = true;
	*kept = true;
	for (;;) {
		ssize_t r = qr_stream_read(s, chunk, sizeof(chunk));
		if (r < 0) {
			qr_buf_setf(why, "cannot read the media file: %s", s->err.buf);
			ok = false;
			break;
		}
		if (r == 0)
			break;
		if (nhead < sizeof(head)) {
			size_t take = (size_t)r < sizeof(head) - nhead ? (size_t)r : sizeof(head) - nhead;
			memcpy(head + nhead, chunk, take);
			nhead += take;
		}
		qr_sha256_update(h, chunk, (size_t)r);
		out->size += (uint64_t)r;
		if (*kept && out->size > max) {
			/* Hashed to the end, but not held: the bound on memory. */
			*kept = false;
			qr_buf_release(data);
		}
		if (*kept)
			qr_buf_add(data, chunk, (size_t)r);
	}
	uint8_t sha[QR_SHA256_LEN];
	qr_sha256_final(h, sha);
	qr_sha256_free(h);
	if (ok) {
		qr_hex(sha, QR_SHA256_LEN, out->sha256);
		out->mime = qr_media_mime(head, nhead, NULL);
	}
	return ok;
}

/* The store locator of a media file: kept before (in this input, or by a
 * post of the corpus), or appended now. */
static int keep_media_file(struct ingest *ing, qr_archive *a, const char *member, const qr_buf *data, qr_blob *out)
{
	struct media_slot *slot = media_map_slot(&ing->media, out->sha256);
	if (slot->sha[0]) {
		memcpy(out->locator, slot->locator, sizeof(out->locator));
		return 0;
	}
	qr_buf loc = QR_BUF_INIT;
	int st = qr_corpus_find_media(ing->c, out->sha256, &loc);
	if (st == 0 && loc.len < sizeof(out->locator)) {
		memcpy(out->locator, loc.buf, loc.len + 1);
	} else if (st == 0 || st == QR_NOT_FOUND) {
		qr_record_meta meta = { 0 };
		qr_locator where;
		qr_unhex(out->sha256, meta.sha256, QR_SHA256_LEN);
		meta.source = ing->source;
		meta.format = a->format->name;
		meta.path = ing->in->path;
		meta.member = member;
		meta.ids = "";
		st = qr_corpus_add_blob(ing->c, data->buf, data->len, &meta, &where);
		if (!st)
			qr_locator_format(&where, out->locator);
	}
	qr_buf_release(&loc);
	if (st) {
		qr_progress_clear(&ing->progress);
		qr_error("cannot keep a media file: %s", qr_corpus_error(ing->c));
		return ing->fatal = st;
	}
	memcpy(slot->sha, out->sha256, sizeof(slot->sha));
	memcpy(slot->locator, out->locator, sizeof(slot->locator));
	ing->media.n++;
	return 0;
}

static int sink_blob(qr_archive *a, const char *member, qr_stream *s, qr_blob *out)
{
	struct session *ss = a->sink_ctx;
	struct ingest *ing = ss->ing;
	qr_buf data = QR_BUF_INIT, msg = QR_BUF_INIT;
	bool kept;
	int st = 0;
	memset(out, 0, sizeof(*out));
	if (!read_media_file(s, a->max_media, &data, out, &kept, &msg)) {
		on_note(ing, QR_FAILED, ing->in->path, member, 0, msg.buf);
	} else if (!kept) {
		qr_buf_setf(&msg, "media file of %llu bytes not kept in the store (limit max_media %llu): hashed and listed",
			    (unsigned long long)out->size, (unsigned long long)a->max_media);
		on_note(ing, QR_WARN, ing->in->path, member, 0, msg.buf);
	} else {
		st = keep_media_file(ing, a, member, &data, out);
	}
	if (!out->mime && out->sha256[0])
		out->mime = qr_media_mime("", 0, member);
	qr_buf_release(&data);
	qr_buf_release(&msg);
	return st;
}

static void drop_context(struct session *ss)
{
	if (ss->context)
		ss->f->archive->free_context(ss->context);
	ss->context = NULL;
}

static int sink_begin(qr_archive *a, const char *context, size_t len)
{
	struct session *ss = a->sink_ctx;
	struct ingest *ing = ss->ing;
	qr_buf why = QR_BUF_INIT;
	drop_context(ss);
	if (ss->f->archive->load_context(context, len, &ss->context, &why)) {
		qr_progress_clear(&ing->progress);
		qr_error("cannot read back the context of %s: %s", ss->f->name, why.buf);
		qr_buf_release(&why);
		return ing->fatal = QR_INTERNAL;
	}
	qr_buf_release(&why);
	qr_record_meta meta = { 0 };
	meta.source = ing->source;
	meta.format = ss->f->name;
	meta.path = ing->in->path;
	meta.member = ss->name;
	int st = qr_corpus_open_context(ing->c, context, len, &meta);
	if (st) {
		qr_progress_clear(&ing->progress);
		qr_error("cannot keep the context of an archive: %s", qr_corpus_error(ing->c));
		ing->fatal = st;
	}
	return st;
}

static int sink_record(qr_archive *a, const char *member, const qr_frame *f)
{
	struct session *ss = a->sink_ctx;
	struct ingest *ing = ss->ing;
	ing->n.records++;
	ing->stats->records++;
	qr_posts_clear(&ing->posts);
	qr_buf_reset(&ing->why);
	int st = ss->f->archive->normalize(ss->context, f->data, f->len, &ing->posts, &ing->why);
	keep_posts(ing, member, ss->f, f, st);
	qr_progress_update(&ing->progress, ing->stats->records, ing->bytes_before + ing->raw);
	return ing->fatal;
}

static void sink_end(qr_archive *a)
{
	struct session *ss = a->sink_ctx;
	qr_corpus_close_context(ss->ing->c);
	drop_context(ss);
}

static void sink_reject(qr_archive *a, const char *member, uint64_t line, uint64_t byte, const char *reason)
{
	struct session *ss = a->sink_ctx;
	reject(ss->ing, member, ss->f->name, line, byte, "record", reason);
}

static void sink_note(qr_archive *a, int severity, const char *member, const char *msg)
{
	struct session *ss = a->sink_ctx;
	on_note(ss->ing, severity, ss->ing->in->path, member, 0, msg);
}

static const qr_archive_sink archive_sink = { sink_blob, sink_begin, sink_record, sink_end, sink_reject, sink_note };

static struct session *session_new(struct ingest *ing, uint64_t id, const char *name)
{
	struct session *ss = qr_calloc(1, sizeof(*ss));
	ss->ing = ing;
	ss->id = id;
	ss->name = name ? qr_strdup(name) : NULL;
	return ss;
}

/* A bulk load ends where an archive format begins: its media files are
 * looked up in the index (keep_media_file), which must hold every post
 * added before. */
static int end_bulk(struct ingest *ing)
{
	if (!qr_corpus_bulk_active(ing->c))
		return 0;
	if (ing->progress.enabled) {
		/* Seconds per million posts: say what it is doing. */
		qr_progress_clear(&ing->progress);
		fputs("  merging the index...", stderr);
		fflush(stderr);
		ing->progress.drawn = true;
	}
	int st = qr_corpus_bulk_end(ing->c);
	if (st) {
		qr_progress_clear(&ing->progress);
		qr_error("cannot merge the index: %s", qr_corpus_error(ing->c));
		ing->fatal = st;
	}
	return st;
}

/* Hand the archive to format f. */
static int session_start(struct session *ss, const qr_format *f)
{
	struct ingest *ing = ss->ing;
	if (!f->archive->bulk && end_bulk(ing))
		return ing->fatal;
	ss->f = f;
	ss->a.format = f;
	ss->a.path = ing->in->path;
	ss->a.name = ss->name;
	ss->a.max_record = ing->o->limits.max_record;
	ss->a.max_media = ing->o->limits.max_media;
	ss->a.max_buffer = ing->o->limits.max_archive_buffer;
	ss->a.sink = &archive_sink;
	ss->a.sink_ctx = ss;
	qr_strv_push_unique(&ing->formats, f->name, false);
	int st = f->archive->open(&ss->a);
	if (st)
		ing->fatal = st;
	return st;
}

static void session_claim(struct session *ss)
{
	ss->claimed = true;
	qr_strv_clear(&ss->held_members);
	qr_strv_clear(&ss->held_msgs);
}

/* The archive ended: the format emits what it holds. */
static void session_finish(struct session *ss)
{
	struct ingest *ing = ss->ing;
	if (ss->f) {
		if (!ing->fatal) {
			int st = ss->f->archive->finish(&ss->a);
			if (st && !ing->fatal)
				ing->fatal = st;
		}
		drop_context(ss);
		ss->f->archive->close(&ss->a);
	}
	for (size_t i = 0; i < ss->held_msgs.n; i++)
		on_note(ing, QR_FAILED, ing->in->path, ss->held_members.v[i], 0, ss->held_msgs.v[i]);
	qr_strv_clear(&ss->held_members);
	qr_strv_clear(&ss->held_msgs);
	free(ss->name);
	free(ss);
}

static void on_archive(void *ctx, bool begin, uint64_t id, const char *member)
{
	struct ingest *ing = ctx;
	if (begin) {
		struct session *ss = session_new(ing, id, member);
		ing->sessions = qr_grow_array(ing->sessions, sizeof(*ing->sessions), ing->nsessions + 1,
					      &ing->sessions_alloc);
		ing->sessions[ing->nsessions++] = ss;
		const qr_format *forced = ing->o->format ? qr_format_by_name(ing->o->format) : NULL;
		if (forced && forced->archive && !ing->fatal && session_start(ss, forced) == 0)
			session_claim(ss);
		return;
	}
	if (ing->nsessions && ing->sessions[ing->nsessions - 1]->id == id)
		session_finish(ing->sessions[--ing->nsessions]);
}

/* An "unknown format" failure of a member of an archive that an archive
 * format may still claim: held back. */
static bool hold_unknown(struct ingest *ing, const qr_leaf *leaf, const char *msg)
{
	if (!leaf->archive || !ing->nsessions)
		return false;
	struct session *ss = ing->sessions[ing->nsessions - 1];
	if (ss->id != leaf->archive || ss->claimed)
		return false;
	qr_strv_push(&ss->held_members, leaf->member ? leaf->member : "");
	qr_strv_push(&ss->held_msgs, msg);
	return true;
}

static void take_member(struct session *ss, qr_leaf *leaf, const char *name)
{
	struct ingest *ing = ss->ing;
	qr_strv_push_unique(&ing->containers, leaf->container, false);
	int st = ss->f->archive->member(&ss->a, name, leaf->member, leaf->s);
	if (st && !ing->fatal)
		ing->fatal = st;
}

/* Is the leaf for an archive format?  Then it is read here. */
static bool archive_leaf(struct ingest *ing, qr_leaf *leaf, const char *head, size_t n)
{
	const qr_format *forced = ing->o->format ? qr_format_by_name(ing->o->format) : NULL;
	if (forced && !forced->archive)
		return false;
	struct session *ss = NULL;
	if (leaf->archive && ing->nsessions && ing->sessions[ing->nsessions - 1]->id == leaf->archive)
		ss = ing->sessions[ing->nsessions - 1];
	const char *name = leaf->entry ? leaf->entry : leaf->member ? leaf->member : leaf->path;
	if (ss && ss->claimed) {
		take_member(ss, leaf, name);
		return true;
	}
	int bid = 100;
	const qr_format *f = forced ? forced : qr_format_sniff_member(name, head, n, &bid);
	if (!f || bid <= 0)
		return false;
	if (!ss) {
		/* A lone input: an archive of one member, when claimed and no
		 * stream format knows it better. */
		int stream_bid = 0;
		if (bid < QR_BID_CLAIM || (!forced && qr_format_sniff(head, n, leaf->member, &stream_bid) &&
					   stream_bid > bid))
			return false;
		struct session *one = session_new(ing, 0, leaf->member);
		if (session_start(one, f) == 0) {
			session_claim(one);
			take_member(one, leaf, name);
		}
		session_finish(one);
		return true;
	}
	if (ss->f && ss->f != f)
		return false;
	if (!ss->f && session_start(ss, f))
		return true;
	if (bid >= QR_BID_CLAIM)
		session_claim(ss);
	take_member(ss, leaf, name);
	return true;
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
	if (archive_leaf(ing, leaf, head, (size_t)n))
		return ing->fatal;
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
		if (!hold_unknown(ing, leaf, msg.buf))
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
	if (qr_corpus_shard(ing->c)->kind != QR_SHARD_NONE)
		qr_jw_kint(&w, "elsewhere", (int64_t)ing->n.elsewhere);
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
	if (ing->sha_known) {
		/* Committed with the records: recovery gives the posts it
		 * indexes again their input's sha256 from here. */
		char key[48];
		snprintf(key, sizeof(key), "%s%u", QR_META_SOURCE, ing->source);
		if (qr_corpus_set_metadata(ing->c, key, ing->sha)) {
			qr_error("cannot record the input: %s", qr_corpus_error(ing->c));
			ing->fatal = QR_INTERNAL;
			close(fd);
			qr_buf_release(&err);
			return ing->fatal;
		}
	}

	qr_stream *raw = qr_stream_fd(fd, !in->is_stdin);
	qr_stream *top = qr_calloc(1, sizeof(*top));
	struct counter cnt = { raw, ing };
	qr_buf_init(&top->err);
	qr_buf_init(&top->peeked);
	top->ctx = &cnt;
	top->read = counting_read;
	top->seek = raw->seek ? counting_seek : NULL;
	qr_container_cb cb = { on_leaf, on_note, ing, on_archive };
	ing->media.n = 0;
	if (ing->media.v)
		memset(ing->media.v, 0, ing->media.cap * sizeof(*ing->media.v));
	int st = qr_container_walk(in->path, top, &ing->o->limits, raw_read, ing, &cb);
	while (ing->nsessions) /* the walk ends what it begins; this is a guard */
		session_finish(ing->sessions[--ing->nsessions]);
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
	if (depth > 0 && qr_bag_sniff_dir(path)) {
		/* its files are not inputs: ingest restores a bag given on its own */
		qr_warning("'%s' is a BagIt bag: skipped (give it to 'quire ingest' on its own to restore it)", path);
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
	qr_json_scratch_init(); /* before the index writers start */
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
	if (o->threads > 1) {
		int st = qr_corpus_bulk_begin(c, o->threads);
		if (st && st != QR_SKIP) {
			qr_error("cannot start the index writers: %s", qr_corpus_error(c));
			ing.fatal = st;
		}
	}
	for (size_t i = 0; i < count && !ing.fatal; i++)
		ingest_one(&ing, &list[i]);
	if (!ing.fatal)
		end_bulk(&ing);
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
	free(ing.sessions);
	free(ing.media.v);
	return ing.fatal;
}

/* A context record loaded for recovery. */
struct qr_renorm_context {
	uint32_t source;
	const qr_format *f;
	void *context;
};

void qr_renorm_release(qr_renorm *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].context)
			r->v[i].f->archive->free_context(r->v[i].context);
	free(r->v);
	r->v = NULL;
	r->n = r->alloc = 0;
}

/* Remember a source's context (replacing an earlier one). */
static void *renorm_keep(qr_renorm *r, uint32_t source, const qr_format *f, const char *data, size_t len)
{
	void *context = NULL;
	qr_buf why = QR_BUF_INIT;
	if (f->archive->load_context(data, len, &context, &why))
		context = NULL;
	qr_buf_release(&why);
	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].source == source) {
			if (r->v[i].context)
				r->v[i].f->archive->free_context(r->v[i].context);
			r->v[i] = (struct qr_renorm_context){ source, f, context };
			return context;
		}
	}
	r->v = qr_grow_array(r->v, sizeof(*r->v), r->n + 1, &r->alloc);
	r->v[r->n++] = (struct qr_renorm_context){ source, f, context };
	return context;
}

/* The context a record of an archive format was normalized with: the
 * last one of its source seen in this scan, else the one the index
 * metadata names. */
static const void *renorm_context(qr_renorm *r, uint32_t source, const qr_format *f)
{
	if (!r)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].source == source && r->v[i].f == f)
			return r->v[i].context;
	qr_buf data = QR_BUF_INIT;
	void *context = NULL;
	if (r->c && qr_corpus_get_context(r->c, source, &data) == 0)
		context = renorm_keep(r, source, f, data.buf, data.len);
	qr_buf_release(&data);
	return context;
}

int qr_ingest_renormalize(void *ctx, const char *data, size_t len, const qr_record_meta *meta, qr_post **posts,
			  size_t *nposts, qr_buf *why)
{
	qr_renorm *r = ctx;
	const qr_events *events = r ? r->events : NULL;
	const qr_format *f = meta->format ? qr_format_by_name(meta->format) : NULL;
	*posts = NULL;
	*nposts = 0;
	if (!f) {
		qr_buf_setf(why, "no reader for format '%s'", meta->format ? meta->format : "");
		return QR_BAD_INPUT;
	}
	qr_posts ps = { 0 };
	int st;
	if (f->archive && (meta->flags & QR_REC_CONTEXT)) {
		if (r)
			renorm_keep(r, meta->source, f, data, len);
		return QR_SKIP;
	}
	if (f->archive) {
		st = f->archive->normalize(renorm_context(r, meta->source, f), data, len, &ps, why);
	} else {
		qr_json_scratch_begin();
		st = f->normalize(data, len, &ps, why);
		qr_json_scratch_end();
	}
	if (st != QR_OK) {
		qr_posts_clear(&ps);
		return st;
	}
	if (r && r->c && meta->source && r->sha_source != meta->source) {
		char key[48];
		qr_buf sha = QR_BUF_INIT;
		snprintf(key, sizeof(key), "%s%u", QR_META_SOURCE, meta->source);
		r->sha_source = meta->source;
		r->sha[0] = '\0';
		if (qr_corpus_get_metadata(r->c, key, &sha) == 0 && sha.len < sizeof(r->sha))
			memcpy(r->sha, sha.buf, sha.len + 1);
		qr_buf_release(&sha);
	}
	for (size_t i = 0; i < ps.n; i++) {
		qr_post *p = &ps.v[i];
		p->source.number = meta->source;
		if (r && r->sha_source == meta->source && r->sha[0])
			qr_set(&p->source.input_sha256, r->sha);
		qr_set(&p->source.path, meta->path);
		qr_set(&p->source.member, meta->member && *meta->member ? meta->member : NULL);
		p->source.line = (int64_t)meta->line;
		p->source.byte = (int64_t)meta->byte;
		qr_set(&p->source.format, f->name);
		if (events)
			qr_events_apply(events, p);
	}
	*posts = ps.v;
	*nposts = ps.n;
	return 0;
}

int qr_ingest_open_corpus(const char *dir, bool create, qr_corpus **out)
{
	qr_buf err = QR_BUF_INIT, report = QR_BUF_INIT;
	qr_json_scratch_init();
	int st = qr_corpus_open(dir, create ? QR_OPEN_CREATE : QR_OPEN_WRITE, out, &err);
	if (st) {
		qr_error("%s", err.buf);
		goto done;
	}
	/* Posts indexed again get the events of the corpus's catalogue (its
	 * valid events; problems are reported by the command that uses it). */
	qr_events *events = NULL;
	qr_strv ignored = { 0 };
	qr_events_load_corpus(*out, &events, &ignored);
	qr_renorm renorm = { .c = *out, .events = events };
	qr_repair_stats rs = { 0 };
	st = qr_repair_lost_tail(*out, qr_ingest_renormalize, &renorm, &report, &rs);
	if (!st)
		st = qr_corpus_recover(*out, qr_ingest_renormalize, &renorm, &report);
	/* Then the journal: codes and catalogues the index has not applied. */
	if (!st)
		st = qr_journal_catch_up(*out, false, false, &report);
	qr_renorm_release(&renorm);
	qr_events_free(events);
	qr_strv_clear(&ignored);
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
