#include "corpus.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bulk.h"
#include "compact.h"
#include "federation.h"
#include "hash.h"
#include "io.h"
#include "journal.h"
#include "json.h"
#include "lock.h"
#include "schema.h"
#include "shard.h"
#include "tags.h"
#include "status.h"
#include "timeutil.h"

#define META_VERSION "quire.index.version"
#define META_CORPUS "quire.corpus.id"
#define META_SOURCES "quire.sources.next"
#define META_CONTEXT "quire.context."
/* How far the journal (journal.h) is applied to this index, in bytes. */
#define META_JOURNAL "quire.journal.applied"
/* A bulk load's shards and merged database, inside the corpus directory;
 * anything there at a writable open is the leftover of a crash. */
#define BULK_DIR "bulk.tmp"

static const char *tail_keys[QR_STREAM_COUNT] = { "quire.store.tail.records", "quire.store.tail.media" };

struct qr_corpus {
	char *dir;
	char *id;
	bool writable;
	bool in_txn;
	bool failed;
	xc_db *db;
	qr_store *store;
	qr_indexer *ix;
	qr_bulk *bulk;           /* a bulk load (bulk.h), while one runs */
	qr_lock *lock;           /* writers: the corpus lock (lock.h) */
	qr_journal *journal;
	uint64_t journal_applied;
	qr_buf notes;            /* what a writable open put right */
	qr_store_options opts;
	qr_shard_rule shard;     /* quire.json's "shard": which posts are its own */
	qr_federation *fed;      /* a federation: its shards as one database */
	/* the post load_post read last, so that a federation finds the shard
	 * of the record asked for next without asking every shard again */
	xc_docid last_docid;
	char *last_id;
	char *created;
	uint32_t next_source;
	uint64_t pending;
	qr_buf err;
	qr_buf term;
	qr_buf ids;
	/* the open context (qr_corpus_open_context) */
	struct {
		bool open, written;
		qr_buf data, strings;
		qr_record_meta meta;
	} ctx;
};

/* The message of qr_corpus_error, and the status handed back. */
#define cerr qr_corpus_fail

static int xc_to_status(xc_status x)
{
	switch (x) {
	case XC_OK: return QR_OK;
	case XC_END: return QR_END;
	case XC_NOT_FOUND: return QR_NOT_FOUND;
	case XC_ERR_NOMEM: return QR_NOMEM;
	case XC_ERR_DATABASE_LOCKED: return QR_LOCKED;
	case XC_ERR_DATABASE_CORRUPT: return QR_DAMAGED;
	case XC_ERR_DATABASE_OPENING: return QR_DAMAGED;
	case XC_ERR_DATABASE: return QR_IO;
	default: return QR_INTERNAL;
	}
}

void qr_corpus_path(const qr_corpus *c, const char *name, qr_buf *out)
{
	qr_buf_setf(out, "%s/%s", c->dir, name);
}

static void make_uuid(char *out)
{
	uint8_t b[16];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		/* getrandom cannot fail for 16 bytes once the pool is ready;
		 * fall back on the clock and pid rather than abort. */
		uint64_t x = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		for (int i = 0; i < 16; i++, x = x * 6364136223846793005ULL + 1442695040888963407ULL)
			b[i] = (uint8_t)(x >> 56);
	}
	b[6] = (uint8_t)((b[6] & 0x0F) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);
	char hex[33];
	qr_hex(b, 16, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static void manifest_json(const qr_corpus *c, const char *uuid, const char *when, qr_buf *json)
{
	qr_jw w;
	qr_jw_init(&w, json, true);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "format", "quire-corpus");
	qr_jw_kint(&w, "version", QR_CORPUS_FORMAT_VERSION);
	qr_jw_kstr(&w, "id", uuid);
	qr_jw_kstr(&w, "created", when);
	qr_jw_key(&w, "settings");
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "block_size", (int64_t)c->opts.block_size);
	qr_jw_kint(&w, "level", c->opts.level);
	qr_jw_kint(&w, "min_match", c->opts.min_match);
	qr_jw_kint(&w, "segment_size", (int64_t)c->opts.segment_size);
	qr_jw_kint(&w, "dictionary_size", (int64_t)c->opts.dict_size);
	qr_jw_kint(&w, "dictionary_sample", (int64_t)c->opts.dict_sample);
	qr_jw_kstr(&w, "stemmer", "english");
	qr_jw_key(&w, "cjk_ngram");
	qr_jw_bool(&w, true);
	qr_jw_kint(&w, "index_version", QR_INDEX_VERSION);
	qr_jw_end_object(&w);
	if (c->shard.kind != QR_SHARD_NONE) {
		qr_jw_key(&w, "shard");
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "rule", qr_shard_kind_name(c->shard.kind));
		qr_jw_kstr(&w, "place", c->shard.place);
		qr_jw_end_object(&w);
	}
	qr_jw_end_object(&w);
	qr_buf_addch(json, '\n');
}

/* Write quire.json once: link() fails if another process made it first. */
static int create_manifest(qr_corpus *c, const char *path)
{
	char uuid[37], when[32];
	qr_buf json = QR_BUF_INIT, tmp = QR_BUF_INIT;
	int fd, st;

	make_uuid(uuid);
	qr_time_format_iso((int64_t)time(NULL), when);
	manifest_json(c, uuid, when, &json);
	qr_buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	st = qr_io_open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644, &fd, &c->err);
	if (st)
		goto out;
	st = qr_io_write_all(fd, json.buf, json.len, tmp.buf, &c->err);
	if (!st)
		st = qr_io_fsync(fd, tmp.buf, &c->err);
	close(fd);
	if (!st && link(tmp.buf, path) < 0 && errno != EEXIST)
		st = cerr(c, QR_IO, "cannot create '%s': %s", path, strerror(errno));
	unlink(tmp.buf);
	if (!st)
		st = qr_io_fsync_dir(c->dir, &c->err);
out:
	qr_buf_release(&json);
	qr_buf_release(&tmp);
	return st;
}

static int read_manifest(qr_corpus *c, const char *path)
{
	qr_buf data = QR_BUF_INIT, why = QR_BUF_INIT;
	int64_t n;
	int st = qr_io_read_file(path, 1 << 20, &data, &c->err);
	if (st == QR_NOT_FOUND) {
		st = cerr(c, QR_USAGE, "'%s' is not a quire corpus (no quire.json)", c->dir);
		goto out;
	}
	if (st)
		goto out;
	cJSON *m = qr_json_parse(data.buf, data.len, &why);
	if (!m) {
		st = cerr(c, QR_DAMAGED, "'%s': %s", path, why.buf);
		goto out;
	}
	const char *format = qr_json_str(m, "format");
	const char *id = qr_json_str(m, "id");
	if (!format || strcmp(format, "quire-corpus") != 0 || !id) {
		st = cerr(c, QR_DAMAGED, "'%s' is not a quire manifest", path);
	} else if (qr_json_int(m, "version", &n) && n > QR_CORPUS_FORMAT_VERSION) {
		st = cerr(c, QR_USAGE, "'%s' is corpus format %lld, newer than this quire (%d)", path, (long long)n,
			  QR_CORPUS_FORMAT_VERSION);
	} else if (qr_json_get(m, "shard") &&
		   (st = qr_shard_rule_parse(qr_json_str(m, "shard.rule"), qr_json_str(m, "shard.place"), &c->shard,
					     &why))) {
		st = cerr(c, QR_DAMAGED, "'%s': a shard rule this quire does not read: %s", path, why.buf);
	} else {
		c->id = qr_strdup(id);
		c->created = qr_strdup(qr_json_str(m, "created") ? qr_json_str(m, "created") : "");
		if (qr_json_int(m, "settings.block_size", &n) && n >= 1024 && n <= (1 << 30))
			c->opts.block_size = (size_t)n;
		if (qr_json_int(m, "settings.level", &n) && n >= -7 && n <= 22)
			c->opts.level = (int)n;
		/* 0 (the level's own) in a corpus made before this setting. */
		c->opts.min_match = 0;
		if (qr_json_int(m, "settings.min_match", &n) && n >= 3 && n <= 7)
			c->opts.min_match = (int)n;
		if (qr_json_int(m, "settings.segment_size", &n) && n >= 4096)
			c->opts.segment_size = (uint64_t)n;
		/* A corpus made before these settings trains its dictionary at
		 * its next ingest, with the defaults. */
		if (qr_json_int(m, "settings.dictionary_size", &n) && n >= 0 && n <= (64 << 20))
			c->opts.dict_size = (size_t)n;
		if (qr_json_int(m, "settings.dictionary_sample", &n) && n >= 0 && n <= (1 << 30))
			c->opts.dict_sample = (size_t)n;
	}
	cJSON_Delete(m);
out:
	qr_buf_release(&data);
	qr_buf_release(&why);
	return st;
}

/* Does the store hold any record?  (A reader of a corpus without an index
 * must tell "nothing yet" from "the index is gone".) */
static bool store_has_records(qr_corpus *c)
{
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		uint32_t last = qr_store_last_segment(c->store, i);
		for (uint32_t seg = qr_store_first_segment(c->store, i); seg && seg <= last; seg++)
			if (qr_store_segment_size(c->store, i, seg) > 0)
				return true;
	}
	return false;
}

static int open_index(qr_corpus *c, int mode)
{
	qr_buf path = QR_BUF_INIT, index = QR_BUF_INIT;
	char *msg = NULL;
	int st = 0;
	qr_corpus_path(c, "index", &index);
	bool reading = mode == QR_OPEN_READ || mode == QR_OPEN_INSPECT;
	bool found = !reading || qr_io_swap_readable(index.buf, &path);
	if (!reading)
		qr_buf_setf(&path, "%s", index.buf);
	qr_buf_release(&index);
	if (!found) {
		qr_buf_release(&path);
		/* The ingest that created the corpus stopped before the index
		 * existed: nothing was committed, so readers see no posts.  A
		 * store with records and no index is another matter. */
		if (mode == QR_OPEN_READ && store_has_records(c))
			return cerr(c, QR_DAMAGED,
				    "the index of '%s' is missing, but its store holds records: 'quire check --repair' "
				    "rebuilds it from the store",
				    c->dir);
		return xc_db_open_empty(&c->db) == XC_OK ? 0 : cerr(c, QR_NOMEM, "out of memory");
	}
	xc_status x = xc_db_open(path.buf, reading ? XC_DB_READONLY : XC_DB_CREATE_OR_OPEN, &c->db, &msg);
	/* A reader opening while an ingest commits twice can find the
	 * revision it started on discarded: open again, on the newest one. */
	for (int tries = 0; x == XC_ERR_DATABASE_MODIFIED && tries < 10; tries++) {
		free(msg);
		msg = NULL;
		x = xc_db_open(path.buf, XC_DB_READONLY, &c->db, &msg);
	}
	if (x == XC_ERR_DATABASE_LOCKED)
		st = cerr(c, QR_LOCKED, "corpus is locked by another writer ('%s')", c->dir);
	else if (x != XC_OK)
		st = cerr(c, x == XC_ERR_NOMEM ? QR_NOMEM : QR_DAMAGED,
			  "cannot open the index '%s': %s", path.buf, msg ? msg : xc_status_string(x));
	free(msg);
	qr_buf_release(&path);
	return st;
}

static int check_index_meta(qr_corpus *c)
{
	char *v = NULL;
	int st = 0;
	if (xc_db_get_metadata(c->db, META_VERSION, &v, NULL) == XC_OK) {
		if (atoi(v) > QR_INDEX_VERSION)
			st = cerr(c, QR_USAGE, "the index of '%s' has version %s, newer than this quire (%d)", c->dir, v,
				  QR_INDEX_VERSION);
		else if (atoi(v) < QR_INDEX_VERSION)
			st = cerr(c, QR_USAGE, "the index of '%s' has version %s: run 'quire check --repair' to rebuild it",
				  c->dir, v);
	}
	free(v);
	if (xc_db_get_metadata(c->db, META_SOURCES, &v, NULL) == XC_OK)
		c->next_source = (uint32_t)strtoul(v, NULL, 10);
	free(v);
	v = NULL;
	if (xc_db_get_metadata(c->db, META_JOURNAL, &v, NULL) == XC_OK)
		c->journal_applied = strtoull(v, NULL, 10);
	free(v);
	if (!c->next_source)
		c->next_source = 1;
	return st;
}

/*
 * Before a writer opens the index: finish or undo a swap of index/ or of
 * the event catalogue that a crash cut short (io.h), and rescue an index
 * that an older quire's swap left in bulk.tmp/old.  Then the scratch
 * directory, which holds nothing that is not somewhere else, goes.
 */
static int recover_swaps(qr_corpus *c, qr_buf *report)
{
	static const char *const targets[] = { "index", "events" };
	qr_buf path = QR_BUF_INIT, what = QR_BUF_INIT, old = QR_BUF_INIT;
	struct stat sb;
	int st = 0;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]) && !st; i++) {
		qr_corpus_path(c, targets[i], &path);
		if (!(st = qr_io_swap_recover(path.buf, &what, &c->err)) && what.len && report)
			qr_buf_addf(report, "%s%s", report->len ? "; " : "", what.buf);
	}
	qr_corpus_path(c, "index", &path);
	qr_corpus_path(c, BULK_DIR "/old", &old);
	if (!st && stat(path.buf, &sb) < 0 && stat(old.buf, &sb) == 0) {
		if (!(st = qr_io_rename(old.buf, path.buf, &c->err)) && !(st = qr_io_fsync_dir(c->dir, &c->err)) && report)
			qr_buf_addf(report, "%sput the index back from '%s' (a swap was cut short)", report->len ? "; " : "",
				    old.buf);
	}
	qr_corpus_path(c, BULK_DIR, &path);
	if (!st)
		st = qr_io_remove_tree(path.buf, &c->err);
	qr_buf_release(&path);
	qr_buf_release(&what);
	qr_buf_release(&old);
	return st;
}

static bool partial_allowed;
/* The shards the last federation this thread opened left out.  Per
 * thread: quire serve's workers each open their own handle. */
static _Thread_local qr_strv partial_missing;

void qr_corpus_allow_partial(bool allow)
{
	partial_allowed = allow;
}

const qr_strv *qr_corpus_missing_shards(void)
{
	return &partial_missing;
}

/* The federation this thread has open (for naming a shard that fails
 * after it was opened, from wherever the failure is seen); per thread, so
 * that one worker never reads another's, which it may free. */
static _Thread_local qr_federation *open_fed;

void qr_corpus_network_fault(const char *why, qr_buf *msg)
{
	qr_buf_reset(msg);
	if (!open_fed || !qr_federation_diagnose(open_fed, msg))
		qr_buf_setf(msg, "a shard stopped answering: %s", why && *why ? why : "network error");
}

/* A federation (federation.h) is read through its shards, never written
 * as a whole: a shard's writes are its own corpus's. */
static int open_federation(qr_corpus *c, int mode)
{
	if (mode == QR_OPEN_INSPECT)
		return cerr(c, QR_USAGE, "'%s' is a federation: check each of its shards ('quire shards' lists them)",
			    c->dir);
	if (mode != QR_OPEN_READ)
		return cerr(c, QR_USAGE,
			    "'%s' is a federation of shards: write to its shards (quire ingest --corpus SHARD), or "
			    "through it with quire tag and quire events apply",
			    c->dir);
	int st = qr_federation_read(c->dir, &c->fed, &c->err);
	if (!st)
		st = qr_federation_open(c->fed, partial_allowed, &c->err);
	if (st)
		return st;
	c->id = qr_strdup(c->fed->id);
	c->db = c->fed->db;
	c->fed->db = NULL;
	qr_corpus_read_here(c);
	return 0;
}

void qr_corpus_read_here(qr_corpus *c)
{
	qr_strv_clear(&partial_missing);
	open_fed = c ? c->fed : NULL;
	for (size_t i = 0; open_fed && i < open_fed->n; i++)
		if (!open_fed->v[i].up)
			qr_strv_push(&partial_missing, open_fed->v[i].location);
}

int qr_corpus_open(const char *dir, int mode, qr_corpus **out, qr_buf *err)
{
	qr_corpus *c = qr_calloc(1, sizeof(*c));
	qr_buf path = QR_BUF_INIT;
	struct stat sb;
	int st;

	*out = NULL;
	c->dir = qr_strdup(dir);
	c->writable = mode == QR_OPEN_WRITE || mode == QR_OPEN_CREATE;
	qr_buf_init(&c->err);
	qr_buf_init(&c->notes);
	qr_buf_init(&c->term);
	qr_buf_init(&c->ids);
	qr_buf_init(&c->ctx.data);
	qr_buf_init(&c->ctx.strings);
	qr_store_options_default(&c->opts);

	qr_corpus_path(c, "quire.json", &path);
	if (stat(path.buf, &sb) == 0 && qr_federation_is(dir)) {
		if ((st = open_federation(c, mode)))
			goto fail;
		qr_buf_release(&path);
		*out = c;
		return 0;
	}
	if (mode == QR_OPEN_CREATE && stat(path.buf, &sb) < 0 && (st = qr_io_mkdir(dir, &c->err)))
		goto fail;
	/* A writer takes the corpus lock before it touches anything. */
	if (c->writable) {
		if (mode == QR_OPEN_WRITE && stat(path.buf, &sb) < 0) {
			st = cerr(c, QR_USAGE, "'%s' is not a quire corpus (no quire.json)", dir);
			goto fail;
		}
		if ((st = qr_lock_acquire(dir, NULL, &c->lock, &c->err)))
			goto fail;
	}
	qr_corpus_path(c, "quire.json", &path);
	if (mode == QR_OPEN_CREATE && stat(path.buf, &sb) < 0 && (st = create_manifest(c, path.buf)))
		goto fail;
	if ((st = read_manifest(c, path.buf)))
		goto fail;
	if (c->writable && (st = recover_swaps(c, &c->notes)))
		goto fail;
	qr_corpus_path(c, "store", &path);
	if ((st = qr_store_open(path.buf, c->writable, &c->opts, &c->store, &c->err)))
		goto fail;
	if ((st = open_index(c, mode)))
		goto fail;
	if ((st = check_index_meta(c)))
		goto fail;
	if ((st = qr_journal_open(path.buf, c->writable, &c->journal, &c->err)))
		goto fail;
	if (c->writable && (st = qr_indexer_new(&c->ix, &c->err)))
		goto fail;
	qr_buf_release(&path);
	*out = c;
	return 0;
fail:
	qr_buf_setf(err, "%s", c->err.buf);
	qr_buf_release(&path);
	qr_corpus_close(c);
	return st;
}

void qr_corpus_close(qr_corpus *c)
{
	if (!c)
		return;
	if (c->bulk) {
		qr_buf path = QR_BUF_INIT;
		qr_bulk_free(c->bulk);
		qr_corpus_path(c, BULK_DIR, &path);
		qr_io_remove_tree(path.buf, NULL);
		qr_buf_release(&path);
	}
	if (c->in_txn)
		xc_db_cancel_transaction(c->db);
	xc_db_destroy(c->db);
	if (open_fed == c->fed)
		open_fed = NULL;
	qr_federation_free(c->fed);
	qr_shard_rule_clear(&c->shard);
	free(c->last_id);
	free(c->created);
	qr_store_close(c->store);
	qr_journal_close(c->journal);
	qr_indexer_free(c->ix);
	/* Last: everything the lock guards is closed. */
	qr_lock_release(c->lock);
	qr_buf_release(&c->err);
	qr_buf_release(&c->notes);
	qr_buf_release(&c->term);
	qr_buf_release(&c->ids);
	qr_buf_release(&c->ctx.data);
	qr_buf_release(&c->ctx.strings);
	free(c->dir);
	free(c->id);
	free(c);
}

const char *qr_corpus_error(const qr_corpus *c) { return c ? c->err.buf : ""; }
qr_journal *qr_corpus_journal(qr_corpus *c) { return c->journal; }
const char *qr_corpus_notes(const qr_corpus *c) { return c->notes.buf; }
uint64_t qr_corpus_journal_applied(const qr_corpus *c) { return c->journal_applied; }

int qr_corpus_fail(qr_corpus *c, int st, const char *fmt, ...)
{
	va_list ap;
	qr_buf_reset(&c->err);
	va_start(ap, fmt);
	qr_buf_vaddf(&c->err, fmt, ap);
	va_end(ap);
	return st;
}
const char *qr_corpus_dir(const qr_corpus *c) { return c->dir; }
const char *qr_corpus_id(const qr_corpus *c) { return c->id; }
xc_db *qr_corpus_db(qr_corpus *c) { return c->db; }
const qr_shard_rule *qr_corpus_shard(const qr_corpus *c) { return &c->shard; }
qr_federation *qr_corpus_federation(qr_corpus *c) { return c->fed; }

bool qr_corpus_remote(qr_corpus *c)
{
	for (size_t i = 0; c->fed && i < c->fed->nup; i++)
		if (c->fed->v[c->fed->up[i]].kind != QR_LOC_PATH)
			return true;
	return false;
}

int qr_corpus_set_shard(qr_corpus *c, const qr_shard_rule *r)
{
	if (!c->writable)
		return cerr(c, QR_USAGE, "corpus is open read-only");
	if (c->shard.kind != QR_SHARD_NONE) {
		if (qr_shard_rule_equal(&c->shard, r))
			return 0;
		return cerr(c, QR_USAGE, "'%s' is shard %s by %s: it cannot take shard %s by %s as well", c->dir,
			    c->shard.place, qr_shard_kind_name(c->shard.kind), r->place, qr_shard_kind_name(r->kind));
	}
	uint32_t docs = 0;
	xc_db_doccount(c->db, &docs);
	if (docs || store_has_records(c))
		return cerr(c, QR_USAGE,
			    "'%s' already holds posts of every shard: a shard rule is given to a new corpus", c->dir);
	qr_buf json = QR_BUF_INIT, path = QR_BUF_INIT;
	qr_shard_rule_copy(&c->shard, r);
	manifest_json(c, c->id, c->created ? c->created : "", &json);
	qr_corpus_path(c, "quire.json", &path);
	int st = qr_io_write_file_atomic(path.buf, json.buf, json.len, &c->err);
	if (st)
		qr_shard_rule_clear(&c->shard);
	qr_buf_release(&json);
	qr_buf_release(&path);
	return st;
}
qr_store *qr_corpus_store(qr_corpus *c) { return c->store; }
const qr_store_options *qr_corpus_store_options(const qr_corpus *c) { return &c->opts; }
uint64_t qr_corpus_pending(const qr_corpus *c) { return c->pending; }

int qr_corpus_reopen(qr_corpus *c)
{
	xc_status x = xc_db_reopen(c->db, NULL);
	if (x != XC_OK)
		return cerr(c, xc_to_status(x), "cannot reopen the index: %s", xc_db_error(c->db));
	return 0;
}

int qr_corpus_find(qr_corpus *c, const char *post_id, xc_docid *docid)
{
	qr_buf_reset(&c->term);
	qr_term(&c->term, QR_P_ID, post_id, false);
	xc_status x = xc_db_find_term(c->db, c->term.buf, c->term.len, docid);
	if (x == XC_NOT_FOUND)
		return QR_NOT_FOUND;
	if (x != XC_OK)
		return cerr(c, xc_to_status(x), "cannot look up '%s': %s", post_id, xc_db_error(c->db));
	return 0;
}

int qr_corpus_load_post(qr_corpus *c, xc_docid docid, qr_post *p)
{
	xc_doc *doc = NULL;
	char *data = NULL;
	size_t len = 0;
	qr_buf why = QR_BUF_INIT;
	int st = 0;
	xc_status x = xc_db_get_document(c->db, docid, &doc);
	if (x == XC_OK)
		x = xc_doc_get_data(doc, &data, &len);
	if (x != XC_OK) {
		st = cerr(c, xc_to_status(x), "cannot read document %u: %s", docid,
			  doc ? xc_doc_error(doc) : xc_db_error(c->db));
	} else if (qr_post_from_json(p, data, len, &why)) {
		st = cerr(c, QR_DAMAGED, "document %u holds no valid post: %s", docid, why.buf);
	} else if (c->fed) {
		c->last_docid = docid;
		free(c->last_id);
		c->last_id = qr_strdup(p->id);
	}
	free(data);
	xc_doc_destroy(doc);
	qr_buf_release(&why);
	return st;
}

/* Bytes from the store of the shard that holds the post. */
static int fed_fetch(qr_corpus *c, const char *post_id, const char *what, const char *arg, qr_buf *data)
{
	xc_docid docid = 0;
	int st = 0;
	if (c->last_id && strcmp(c->last_id, post_id) == 0)
		docid = c->last_docid;
	else if ((st = qr_corpus_find(c, post_id, &docid)))
		return st == QR_NOT_FOUND ? cerr(c, st, "no post %s in the federation", post_id) : st;
	qr_fed_shard *s = qr_federation_shard_of(c->fed, docid);
	if (!s)
		return cerr(c, QR_INTERNAL, "no shard holds document %u", docid);
	qr_buf_reset(&c->err);
	return qr_fed_shard_fetch(c->fed, s, what, arg, data, &c->err);
}

int qr_corpus_get_record(qr_corpus *c, const qr_post *p, qr_buf *data)
{
	qr_locator loc;
	uint8_t want[QR_SHA256_LEN], got[QR_SHA256_LEN];
	if (!p->record.locator || !qr_locator_parse(p->record.locator, &loc))
		return cerr(c, QR_DAMAGED, "post %s has no valid store locator", p->id);
	if (!p->record.sha256 || !qr_unhex(p->record.sha256, want, QR_SHA256_LEN))
		return cerr(c, QR_DAMAGED, "post %s has no valid record sha256", p->id);
	int st = c->fed ? fed_fetch(c, p->id, "record", p->record.locator, data) : qr_store_get(c->store, &loc, data, NULL, NULL);
	if (st)
		return c->fed ? st : cerr(c, st, "%s", qr_store_error(c->store));
	qr_sha256(data->buf, data->len, got);
	if (memcmp(want, got, QR_SHA256_LEN) != 0) {
		qr_buf_reset(data);
		return cerr(c, QR_DAMAGED, "record %s of post %s does not match the sha256 in the index",
			    p->record.locator, p->id);
	}
	return 0;
}

static int usable(qr_corpus *c)
{
	if (!c->writable)
		return cerr(c, QR_USAGE, "corpus is open read-only");
	if (c->failed)
		return cerr(c, QR_IO, "corpus refuses writes after an earlier failure");
	return 0;
}

static int begin(qr_corpus *c)
{
	int st = usable(c);
	if (st)
		return st;
	if (c->in_txn)
		return 0;
	xc_status x = xc_db_begin_transaction(c->db, 1);
	if (x != XC_OK)
		return cerr(c, xc_to_status(x), "cannot start an index transaction: %s", xc_db_error(c->db));
	c->in_txn = true;
	return 0;
}

uint32_t qr_corpus_new_source(qr_corpus *c)
{
	begin(c);
	return c->next_source++;
}

#define POST_NEW QR_POST_NEW
#define POST_UPDATE QR_POST_UPDATE
#define POST_DUP QR_POST_DUP
typedef enum qr_post_state post_state_t;

/* Is this post already in the index, and with which record? */
static int classify(qr_corpus *c, const qr_post *p, const char *sha_hex, const uint8_t *sha, xc_docid *docid,
		    qr_post *old, post_state_t *state)
{
	int st = qr_corpus_find(c, p->id, docid);
	if (st == QR_NOT_FOUND) {
		*state = POST_NEW;
		return 0;
	}
	if (st)
		return st;
	xc_doc *doc = NULL;
	char *val = NULL;
	size_t len = 0;
	if (xc_db_get_document(c->db, *docid, &doc) == XC_OK &&
	    xc_doc_get_value(doc, QR_SLOT_RECORD, &val, &len) == XC_OK && len == QR_SHA256_LEN &&
	    memcmp(val, sha, QR_SHA256_LEN) == 0) {
		free(val);
		xc_doc_destroy(doc);
		*state = POST_DUP;
		return 0;
	}
	free(val);
	xc_doc_destroy(doc);
	if ((st = qr_corpus_load_post(c, *docid, old)))
		return st;
	/* Re-ingesting an older version changes nothing either. */
	*state = qr_kvv_get(&old->record.versions, sha_hex) ? POST_DUP : POST_UPDATE;
	return 0;
}

static int put_document(qr_corpus *c, const qr_post *p)
{
	xc_doc *doc = NULL;
	int st = qr_indexer_document(c->ix, p, &doc, &c->err);
	if (st)
		return st;
	qr_buf_reset(&c->term);
	qr_term(&c->term, QR_P_ID, p->id, false);
	xc_status x = xc_db_replace_document_by_term(c->db, c->term.buf, doc, NULL);
	xc_doc_destroy(doc);
	if (x != XC_OK)
		return cerr(c, xc_to_status(x), "cannot index %s: %s", p->id, xc_db_error(c->db));
	c->pending++;
	return 0;
}

static int set_context_meta(qr_corpus *c, uint32_t source, const qr_locator *loc)
{
	char key[48], where[64];
	int st = begin(c); /* never a change outside a transaction */
	if (st)
		return st;
	snprintf(key, sizeof(key), META_CONTEXT "%u", source);
	qr_locator_format(loc, where);
	if (xc_db_set_metadata(c->db, key, where, strlen(where)) != XC_OK) {
		c->failed = true;
		return cerr(c, QR_INTERNAL, "cannot write the index metadata: %s", xc_db_error(c->db));
	}
	return 0;
}

/* Append the open context before the first record that needs it. */
static int write_context(qr_corpus *c)
{
	qr_locator loc;
	if (!c->ctx.open || c->ctx.written)
		return 0;
	int st = qr_store_append(c->store, QR_STREAM_RECORDS, c->ctx.data.buf, c->ctx.data.len, &c->ctx.meta, &loc);
	if (st) {
		c->failed = true;
		return cerr(c, st, "%s", qr_store_error(c->store));
	}
	c->ctx.written = true;
	return set_context_meta(c, c->ctx.meta.source, &loc);
}

int qr_corpus_open_context(qr_corpus *c, const char *data, size_t len, const qr_record_meta *meta)
{
	int st = begin(c);
	if (st)
		return st;
	qr_buf_reset(&c->ctx.data);
	qr_buf_add(&c->ctx.data, data, len);
	c->ctx.meta = *meta;
	c->ctx.meta.flags = QR_REC_CONTEXT;
	c->ctx.meta.ids = "";
	qr_sha256(data, len, c->ctx.meta.sha256);
	/* The strings must outlive the caller's. */
	const char *src[3] = { meta->format, meta->path, meta->member };
	size_t off[3];
	qr_buf_reset(&c->ctx.strings);
	for (int i = 0; i < 3; i++) {
		off[i] = c->ctx.strings.len;
		qr_buf_adds(&c->ctx.strings, src[i] ? src[i] : "");
		qr_buf_addch(&c->ctx.strings, '\0');
	}
	c->ctx.meta.format = c->ctx.strings.buf + off[0];
	c->ctx.meta.path = c->ctx.strings.buf + off[1];
	c->ctx.meta.member = c->ctx.strings.buf + off[2];
	c->ctx.open = true;
	c->ctx.written = false;
	return 0;
}

void qr_corpus_close_context(qr_corpus *c)
{
	c->ctx.open = false;
	c->ctx.written = false;
	qr_buf_reset(&c->ctx.data);
}

int qr_corpus_get_context(qr_corpus *c, uint32_t source, qr_buf *data)
{
	char key[48], *val = NULL;
	qr_locator loc;
	snprintf(key, sizeof(key), META_CONTEXT "%u", source);
	xc_status x = xc_db_get_metadata(c->db, key, &val, NULL);
	if (x == XC_NOT_FOUND)
		return QR_NOT_FOUND;
	if (x != XC_OK)
		return cerr(c, xc_to_status(x), "cannot read the index metadata: %s", xc_db_error(c->db));
	bool ok = qr_locator_parse(val, &loc) && loc.stream == QR_STREAM_RECORDS;
	int st = ok ? 0 : cerr(c, QR_DAMAGED, "the index records a malformed context locator for source %u", source);
	free(val);
	if (!st && (st = qr_store_get(c->store, &loc, data, NULL, NULL)))
		cerr(c, st, "%s", qr_store_error(c->store));
	return st;
}

int qr_corpus_add_blob(qr_corpus *c, const char *data, size_t len, const qr_record_meta *meta, qr_locator *loc)
{
	int st = begin(c);
	if (st)
		return st;
	qr_record_meta m = *meta;
	m.flags = QR_REC_BLOB;
	if ((st = qr_store_append(c->store, QR_STREAM_MEDIA, data, len, &m, loc))) {
		c->failed = true;
		return cerr(c, st, "%s", qr_store_error(c->store));
	}
	return 0;
}

int qr_corpus_find_media(qr_corpus *c, const char *sha256, qr_buf *locator)
{
	xc_postiter *it = NULL;
	xc_docid docid;
	int st = QR_NOT_FOUND;
	qr_buf_reset(&c->term);
	qr_term(&c->term, QR_P_MEDIA_SHA, sha256, true);
	if (xc_db_postlist(c->db, c->term.buf, c->term.len, &it) != XC_OK)
		return cerr(c, QR_INTERNAL, "cannot look up media %s: %s", sha256, xc_db_error(c->db));
	/* A few posts are enough: any that kept the file names it. */
	for (int tries = 0; st == QR_NOT_FOUND && tries < 8 && xc_postiter_next(it, &docid) == XC_OK; tries++) {
		qr_post p;
		qr_post_init(&p);
		if (qr_corpus_load_post(c, docid, &p) == 0) {
			for (size_t i = 0; i < p.nmedia; i++) {
				const qr_media *m = &p.media[i];
				if (m->sha256 && m->locator && strcasecmp(m->sha256, sha256) == 0) {
					qr_buf_reset(locator);
					qr_buf_adds(locator, m->locator);
					st = 0;
					break;
				}
			}
		}
		qr_post_clear(&p);
	}
	xc_postiter_destroy(it);
	return st;
}

int qr_corpus_get_media(qr_corpus *c, const qr_media *m, qr_buf *data)
{
	qr_locator loc;
	uint8_t want[QR_SHA256_LEN], got[QR_SHA256_LEN];
	if (!m->locator || !qr_locator_parse(m->locator, &loc) || loc.stream != QR_STREAM_MEDIA)
		return cerr(c, QR_NOT_FOUND, "the file is not kept in the store");
	if (!m->sha256 || !qr_unhex(m->sha256, want, QR_SHA256_LEN))
		return cerr(c, QR_DAMAGED, "media %s has no valid sha256", m->locator);
	int st;
	if (c->fed) {
		/* The post that names the file was loaded last (find_media, or
		 * the caller's load_post): its shard keeps the file. */
		qr_fed_shard *s = qr_federation_shard_of(c->fed, c->last_docid);
		if (!s)
			return cerr(c, QR_USAGE, "no post of the federation was read before its media");
		qr_buf_reset(&c->err);
		if ((st = qr_fed_shard_fetch(c->fed, s, "media", m->locator, data, &c->err)))
			return st;
	} else if ((st = qr_store_get(c->store, &loc, data, NULL, NULL))) {
		return cerr(c, st, "%s", qr_store_error(c->store));
	}
	qr_sha256(data->buf, data->len, got);
	if (memcmp(want, got, QR_SHA256_LEN) != 0) {
		qr_buf_reset(data);
		return cerr(c, QR_DAMAGED, "media %s does not match its sha256", m->locator);
	}
	return 0;
}

/* Move the shard's own posts to the front and say which the record holds
 * here (meta->ids); the others stay at the end, untouched.  Returns how
 * many are its own. */
static size_t own_posts(qr_corpus *c, qr_post *posts, size_t nposts, qr_record_meta *meta)
{
	size_t keep = 0;
	for (size_t i = 0; i < nposts; i++) {
		if (!qr_shard_keeps(&c->shard, posts[i].id, posts[i].created))
			continue;
		if (i != keep) {
			qr_post t = posts[keep];
			posts[keep] = posts[i];
			posts[i] = t;
		}
		keep++;
	}
	if (keep && keep < nposts) {
		qr_buf_reset(&c->ids);
		for (size_t i = 0; i < keep; i++)
			qr_buf_addf(&c->ids, "%s%s", i ? " " : "", posts[i].id);
		meta->ids = c->ids.buf;
	}
	return keep;
}

int qr_corpus_add(qr_corpus *c, const char *data, size_t len, const qr_record_meta *meta, qr_post *posts,
		  size_t nposts, const qr_locator *stored, qr_add_counts *counts)
{
	uint8_t sha[QR_SHA256_LEN];
	char hex[QR_SHA256_HEX], where[64];
	post_state_t *state = qr_calloc(nposts ? nposts : 1, sizeof(*state));
	qr_post *old = qr_calloc(nposts ? nposts : 1, sizeof(*old));
	xc_docid docid;
	size_t keep = 0;
	int st;

	/* A bulk load changes index/ only through its metadata (which opens
	 * the transaction when it does). */
	if ((st = c->bulk ? usable(c) : begin(c)))
		goto out;
	/* A shard keeps its own posts: the others belong elsewhere, and a
	 * record none of whose posts is its own is not kept at all. */
	qr_record_meta own = *meta;
	if (c->shard.kind != QR_SHARD_NONE && (nposts = own_posts(c, posts, nposts, &own)) == 0) {
		counts->elsewhere++;
		goto out;
	}
	meta = &own;
	qr_sha256(data, len, sha);
	qr_hex(sha, QR_SHA256_LEN, hex);
	for (size_t i = 0; i < nposts; i++) {
		qr_post_init(&old[i]);
		if (c->bulk)
			st = qr_bulk_classify(c->bulk, posts[i].id, sha, &state[i], &c->err);
		else
			st = classify(c, &posts[i], hex, sha, &docid, &old[i], &state[i]);
		if (st) {
			if (c->bulk)
				c->failed = true;
			goto out;
		}
		/* The same post twice in one record counts once. */
		for (size_t j = 0; j < i; j++)
			if (state[j] != POST_DUP && strcmp(posts[j].id, posts[i].id) == 0)
				state[i] = POST_DUP;
		if (state[i] == POST_DUP)
			counts->duplicates++;
		else
			keep++;
	}
	if (!keep)
		goto out;

	qr_locator loc;
	if (stored) {
		loc = *stored;
	} else {
		if ((st = write_context(c)))
			goto out;
		qr_record_meta m = *meta;
		memcpy(m.sha256, sha, QR_SHA256_LEN);
		if ((st = qr_store_append(c->store, QR_STREAM_RECORDS, data, len, &m, &loc))) {
			c->failed = true;
			st = cerr(c, st, "%s", qr_store_error(c->store));
			goto out;
		}
		counts->records++;
	}
	qr_locator_format(&loc, where);
	for (size_t i = 0; i < nposts; i++) {
		qr_post *p = &posts[i];
		if (state[i] == POST_DUP)
			continue;
		qr_set(&p->record.sha256, hex);
		qr_set(&p->record.locator, where);
		if (state[i] == POST_UPDATE) {
			/* In a bulk load the writer that indexes it has the
			 * older version (bulk.h). */
			if (!c->bulk)
				qr_post_inherit(p, &old[i]);
			counts->updated++;
		} else {
			counts->added++;
		}
		if (c->bulk) {
			if ((st = qr_bulk_put(c->bulk, p, state[i], &c->err))) {
				c->failed = true;
				goto out;
			}
			c->pending++;
		} else if ((st = put_document(c, p))) {
			goto out;
		}
	}
out:
	for (size_t i = 0; i < nposts; i++)
		qr_post_clear(&old[i]);
	free(old);
	free(state);
	return st;
}

int qr_corpus_begin(qr_corpus *c)
{
	return begin(c);
}

int qr_corpus_remove_post(qr_corpus *c, xc_docid docid)
{
	int st = begin(c);
	if (st)
		return st;
	xc_status x = xc_db_delete_document(c->db, docid);
	if (x != XC_OK)
		return cerr(c, xc_to_status(x), "cannot remove document %u: %s", docid, xc_db_error(c->db));
	c->pending++;
	return 0;
}

int qr_corpus_update_post(qr_corpus *c, xc_docid docid, const qr_post *p)
{
	(void)docid;
	if (c->bulk)
		return cerr(c, QR_USAGE, "posts cannot be updated during a bulk load");
	int st = begin(c);
	return st ? st : put_document(c, p);
}

int qr_corpus_set_metadata(qr_corpus *c, const char *key, const char *value)
{
	int st = begin(c);
	if (st)
		return st;
	if (xc_db_set_metadata(c->db, key, value, strlen(value)) != XC_OK)
		return cerr(c, QR_INTERNAL, "cannot write the index metadata: %s", xc_db_error(c->db));
	return 0;
}

int qr_corpus_set_journal_applied(qr_corpus *c, uint64_t offset)
{
	int st = begin(c);
	if (!st)
		c->journal_applied = offset;
	return st;
}

int qr_corpus_get_metadata(qr_corpus *c, const char *key, qr_buf *value)
{
	char *v = NULL;
	size_t len = 0;
	xc_status x = xc_db_get_metadata(c->db, key, &v, &len);
	if (x == XC_NOT_FOUND)
		return QR_NOT_FOUND;
	if (x != XC_OK)
		return cerr(c, xc_to_status(x), "cannot read the index metadata: %s", xc_db_error(c->db));
	qr_buf_reset(value);
	qr_buf_add(value, v, len);
	free(v);
	return 0;
}

int qr_corpus_committed_tail(qr_corpus *c, int stream, qr_store_pos *pos)
{
	char *v = NULL;
	pos->segment = 0;
	pos->size = 0;
	xc_status x = xc_db_get_metadata(c->db, tail_keys[stream], &v, NULL);
	if (x == XC_NOT_FOUND)
		return 0;
	if (x != XC_OK)
		return cerr(c, xc_to_status(x), "cannot read the index metadata: %s", xc_db_error(c->db));
	bool ok = qr_store_pos_parse(v, pos);
	free(v);
	if (!ok)
		return cerr(c, QR_DAMAGED, "the index records a malformed store tail");
	return 0;
}

/* What every commit records besides the posts: how far the store goes
 * (unless tails is false), the next source number, versions, identity. */
static int write_commit_meta(qr_corpus *c, xc_db *db, bool tails)
{
	char buf[48];
	for (int i = 0; tails && i < QR_STREAM_COUNT; i++) {
		qr_store_pos pos;
		qr_store_tail(c->store, i, &pos);
		qr_store_pos_format(&pos, buf);
		if (xc_db_set_metadata(db, tail_keys[i], buf, strlen(buf)) != XC_OK)
			goto failed;
	}
	snprintf(buf, sizeof(buf), "%u", c->next_source);
	if (xc_db_set_metadata(db, META_SOURCES, buf, strlen(buf)) != XC_OK)
		goto failed;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)c->journal_applied);
	if (xc_db_set_metadata(db, META_JOURNAL, buf, strlen(buf)) != XC_OK)
		goto failed;
	snprintf(buf, sizeof(buf), "%d", QR_INDEX_VERSION);
	if (xc_db_set_metadata(db, META_VERSION, buf, strlen(buf)) != XC_OK)
		goto failed;
	if (xc_db_set_metadata(db, META_CORPUS, c->id, strlen(c->id)) != XC_OK)
		goto failed;
	return 0;
failed:
	c->failed = true;
	return cerr(c, QR_INTERNAL, "cannot write the index metadata: %s", xc_db_error(db));
}

int qr_corpus_commit(qr_corpus *c)
{
	int st;
	if (!c->in_txn && !c->bulk)
		return 0;
	if (c->failed)
		return cerr(c, QR_IO, "corpus refuses to commit after an earlier failure");
	/* 1. The store and the journal reach the disk first... */
	if ((st = qr_store_sync(c->store))) {
		c->failed = true;
		return cerr(c, st, "%s", qr_store_error(c->store));
	}
	if ((st = qr_journal_sync(c->journal))) {
		c->failed = true;
		return cerr(c, st, "%s", qr_journal_error(c->journal));
	}
	c->pending = 0;
	if (!c->in_txn)
		return 0;
	/* 2. ...then the index commits, recording how far the store goes.
	 * During a bulk load the posts are in the shards, not in index/: only
	 * the source numbers and the archive contexts are committed there
	 * (so that no number is given twice), never the store's tail, which
	 * stays where the index's posts end. */
	if ((st = write_commit_meta(c, c->db, !c->bulk)))
		return st;
	int e = qr_io_fault(QR_IO_COMMIT);
	if (e) {
		xc_db_cancel_transaction(c->db);
		c->in_txn = false;
		c->failed = true;
		return cerr(c, QR_IO, "cannot commit the index '%s/index': %s", c->dir, strerror(e));
	}
	if (xc_db_commit_transaction(c->db) != XC_OK) {
		c->in_txn = false;
		c->failed = true;
		return cerr(c, QR_IO, "cannot commit the index '%s/index': %s", c->dir, xc_db_error(c->db));
	}
	c->in_txn = false;
	return 0;
}

/* ---- bulk loads (bulk.h) ---- */

bool qr_corpus_bulk_active(const qr_corpus *c)
{
	return c->bulk != NULL;
}

int qr_corpus_bulk_begin(qr_corpus *c, unsigned shards)
{
	uint32_t docs = 0;
	if (c->bulk)
		return 0;
	if (!c->writable || c->failed || shards < 2)
		return QR_SKIP;
	xc_status x = xc_db_doccount(c->db, &docs);
	if (x != XC_OK)
		return cerr(c, xc_to_status(x), "cannot count the documents of the index: %s", xc_db_error(c->db));
	if (docs)
		return QR_SKIP;
	int st = begin(c);
	if (st)
		return st;
	qr_buf dir = QR_BUF_INIT;
	qr_corpus_path(c, BULK_DIR, &dir);
	if (!(st = qr_io_remove_tree(dir.buf, &c->err)))
		st = qr_bulk_start(dir.buf, shards, &c->bulk, &c->err);
	qr_buf_release(&dir);
	return st;
}

/* Into the merged database: the metadata index/ has (committed or set
 * since: contexts, event catalogue, sources), then the commit's own. */
static int merged_meta(qr_corpus *c, const char *path)
{
	xc_db *m = NULL;
	xc_termiter *it = NULL;
	char *msg = NULL;
	int st = 0;
	xc_status x = xc_db_open(path, XC_DB_OPEN, &m, &msg);
	if (x != XC_OK) {
		st = cerr(c, QR_IO, "cannot open the merged index '%s': %s", path, msg ? msg : xc_status_string(x));
		goto out;
	}
	if ((x = xc_db_metadata_keys(c->db, "", &it)) != XC_OK) {
		st = cerr(c, QR_INTERNAL, "cannot read the index metadata: %s", xc_db_error(c->db));
		goto out;
	}
	const char *key;
	size_t klen;
	while (!st && (x = xc_termiter_next(it, &key, &klen, NULL)) == XC_OK) {
		char *val = NULL;
		size_t vlen = 0;
		if (xc_db_get_metadata(c->db, key, &val, &vlen) == XC_OK &&
		    xc_db_set_metadata(m, key, val, vlen) != XC_OK)
			st = cerr(c, QR_INTERNAL, "cannot write the index metadata: %s", xc_db_error(m));
		free(val);
	}
	if (!st && x != XC_END)
		st = cerr(c, QR_INTERNAL, "cannot read the index metadata: %s", xc_termiter_error(it));
	if (!st)
		st = write_commit_meta(c, m, true);
	int e = st ? 0 : qr_io_fault(QR_IO_COMMIT);
	if (e)
		st = cerr(c, QR_IO, "cannot commit the merged index '%s': %s", path, strerror(e));
	else if (!st && xc_db_commit(m) != XC_OK)
		st = cerr(c, QR_IO, "cannot commit the merged index '%s': %s", path, xc_db_error(m));
out:
	free(msg);
	xc_termiter_destroy(it);
	xc_db_destroy(m);
	return st;
}

/* The database at fresh (under the scratch directory) takes the place of
 * index/, which is then reopened for writing.  The old one is closed
 * first (with no change pending, closing writes nothing): the corpus lock,
 * not Xapian's, keeps other writers out meanwhile, and a file system that
 * cannot remove an open file's directory (NFS) then has nothing open. */
static int swap_index(qr_corpus *c, const char *fresh)
{
	qr_buf index = QR_BUF_INIT;
	qr_corpus_path(c, "index", &index);
	if (c->in_txn)
		xc_db_cancel_transaction(c->db);
	c->in_txn = false;
	xc_db_destroy(c->db);
	c->db = NULL;
	int st = qr_io_swap_dir(fresh, index.buf, &c->err);
	/* After a failure, whatever the swap did is finished or undone, so
	 * that index/ is whole before it is opened again. */
	if (st)
		qr_io_swap_recover(index.buf, NULL, NULL);
	int ost = open_index(c, QR_OPEN_WRITE);
	qr_buf_release(&index);
	if (!st)
		st = ost;
	if (st)
		c->failed = true;
	c->pending = 0;
	return st;
}

/*
 * The end of a bulk load, in the order the commit protocol wants:
 *  1. the store is synced;
 *  2. the shards are merged into BULK_DIR/merged, which gets the metadata
 *     of index/ and the store's tail, and is committed (fsync'd);
 *  3. merged and index/ swap places in one rename (the old index, which
 *     never held a post of this load, is then removed).
 * A crash before 3 leaves index/ as it was, with the tail it had: the next
 * writable open re-indexes the store past it (qr_corpus_recover) and
 * removes BULK_DIR.  After 3 the corpus is whole.  index/ stays locked by
 * this process until the swap; the new one is locked again right after.
 */
int qr_corpus_bulk_end(qr_corpus *c)
{
	qr_buf dir = QR_BUF_INIT, merged = QR_BUF_INIT;
	int st = 0;
	if (!c->bulk)
		return 0;
	qr_corpus_path(c, BULK_DIR, &dir);
	qr_buf_setf(&merged, "%s/merged", dir.buf);
	if (c->failed) {
		st = cerr(c, QR_IO, "corpus refuses to commit after an earlier failure");
		goto out;
	}
	if (!qr_bulk_posts(c->bulk))
		goto out; /* nothing was indexed: index/ goes on as it is */
	if ((st = qr_store_sync(c->store))) {
		c->failed = true;
		st = cerr(c, st, "%s", qr_store_error(c->store));
		goto out;
	}
	if ((st = qr_bulk_finish(c->bulk, merged.buf, &c->err)) || (st = merged_meta(c, merged.buf))) {
		c->failed = true;
		goto out;
	}
	st = swap_index(c, merged.buf);
out:
	qr_bulk_free(c->bulk);
	c->bulk = NULL;
	qr_io_remove_tree(dir.buf, NULL);
	qr_buf_release(&dir);
	qr_buf_release(&merged);
	return st;
}

int qr_corpus_compact_index(qr_corpus *c, void (*written)(const char *step))
{
	qr_buf dir = QR_BUF_INIT, fresh = QR_BUF_INIT;
	int st;
	if (!c->writable || c->bulk || c->in_txn || c->pending)
		return cerr(c, QR_INTERNAL, "the index can be compacted only with nothing pending");
	if (c->failed)
		return cerr(c, QR_IO, "corpus refuses to commit after an earlier failure");
	qr_corpus_path(c, BULK_DIR, &dir);
	qr_buf_setf(&fresh, "%s/compacted", dir.buf);
	if (!(st = qr_io_remove_tree(dir.buf, &c->err)) && !(st = qr_io_mkdir(dir.buf, &c->err)) &&
	    xc_db_compact(c->db, fresh.buf, 0) != XC_OK)
		st = cerr(c, QR_IO, "cannot compact the index into '%s': %s", fresh.buf, xc_db_error(c->db));
	if (!st) {
		if (written)
			written("index");
		st = swap_index(c, fresh.buf);
	}
	qr_io_remove_tree(dir.buf, NULL);
	qr_buf_release(&dir);
	qr_buf_release(&fresh);
	return st;
}

struct recover_ctx {
	qr_corpus *c;
	qr_renormalize_fn fn;
	void *ctx;
	qr_buf *report;
	uint64_t records, posts, failed;
	uint32_t max_source;
	bool bulk_tried;
};

static int recover_block(void *ctx, qr_block *b)
{
	struct recover_ctx *r = ctx;
	qr_buf why = QR_BUF_INIT;
	int st = 0;
	for (uint32_t i = 0; i < b->nrecords && !st; i++) {
		const qr_record_meta *m = &b->records[i];
		if (m->source > r->max_source)
			r->max_source = m->source;
		if (m->flags & QR_REC_BLOB)
			continue;
		qr_post *posts = NULL;
		size_t n = 0;
		const char *data = b->content.buf + m->offset;
		qr_locator loc = { b->stream, b->segment, b->offset, i };
		if ((m->flags & QR_REC_CONTEXT) && ((st = begin(r->c)) || (st = set_context_meta(r->c, m->source, &loc))))
			break;
		qr_buf_reset(&why);
		int got = r->fn(r->ctx, data, m->length, m, &posts, &n, &why);
		if (got == QR_SKIP)
			continue; /* a record that holds no post: a context */
		if (got != 0) {
			/* The bytes stay in the store; only the index misses them. */
			r->failed++;
			continue;
		}
		if (!r->bulk_tried) {
			/* An empty index (a bulk load was killed, say) is filled
			 * again by as many writers as cores, up to two. */
			r->bulk_tried = true;
			if (sysconf(_SC_NPROCESSORS_ONLN) >= 2 && (st = qr_corpus_bulk_begin(r->c, 2)) && st != QR_SKIP)
				break;
			st = 0;
		}
		qr_add_counts counts = { 0 };
		for (size_t k = 0; k < n; k++)
			posts[k].source.number = m->source;
		st = qr_corpus_add(r->c, data, m->length, m, posts, n, &loc, &counts);
		r->records++;
		r->posts += counts.added + counts.updated;
		for (size_t k = 0; k < n; k++)
			qr_post_clear(&posts[k]);
		free(posts);
	}
	qr_buf_release(&why);
	return st;
}

int qr_corpus_recover(qr_corpus *c, qr_renormalize_fn fn, void *ctx, qr_buf *report)
{
	struct recover_ctx r = { c, fn, ctx, report, 0, 0, 0, 0, false };
	qr_store_pos tail;
	int st;

	if (!c->writable)
		return cerr(c, QR_USAGE, "corpus is open read-only");
	qr_buf_reset(&c->err);
	if (c->notes.len && report)
		qr_buf_addf(report, "%s%s", report->len ? "; " : "", c->notes.buf);
	/* A compaction that stopped half way: before the store's recovery,
	 * which would take its unreferenced output for records to index. */
	qr_buf why = QR_BUF_INIT;
	st = qr_compact_recover(c, report, &why);
	if (st)
		cerr(c, st, "%s", why.buf);
	qr_buf_release(&why);
	if (st)
		return st;
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		if ((st = qr_corpus_committed_tail(c, i, &tail)))
			return st;
		qr_buf note = QR_BUF_INIT;
		st = qr_store_recover(c->store, i, &tail, i == QR_STREAM_RECORDS ? recover_block : NULL, &r, &note);
		if (note.len && report)
			qr_buf_addf(report, "%s%s", report->len ? "; " : "", note.buf);
		qr_buf_release(&note);
		if (st) {
			/* Errors from re-indexing are on the corpus already;
			 * errors from the store are on the store. */
			if (!c->err.len)
				cerr(c, st, "%s", qr_store_error(c->store));
			return st;
		}
	}
	/* The source numbers of the lost run were never committed: without
	 * this the next input would get one of them again. */
	if (r.max_source >= c->next_source) {
		if ((st = begin(c)))
			return st;
		c->next_source = r.max_source + 1;
	}
	/* Every stream first: the merged index records the tails of all. */
	if (c->bulk && (st = qr_corpus_bulk_end(c)))
		return st;
	if (r.records && report)
		qr_buf_addf(report, "%sre-indexed %llu records (%llu posts) that the store held past the index",
			    report->len ? "; " : "", (unsigned long long)r.records, (unsigned long long)r.posts);
	if (r.failed && report)
		qr_buf_addf(report, "%s%llu stored records could not be read back into posts",
			    report->len ? "; " : "", (unsigned long long)r.failed);
	if (r.records || c->in_txn)
		return qr_corpus_commit(c);
	return 0;
}

int qr_corpus_log(qr_corpus *c, const char *name, const char *lines, size_t len)
{
	qr_buf path = QR_BUF_INIT;
	qr_corpus_path(c, name, &path);
	int st = len ? qr_io_append_line(path.buf, lines, len, &c->err) : 0;
	qr_buf_release(&path);
	return st;
}
