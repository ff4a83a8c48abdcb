#include "bulk.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>


#include "io.h"
#include "schema.h"
#include "status.h"
#include "xapian-c.h"

/* The first filter: 1 Mbit, 10 bits and 7 hashes per id (about 1% false
 * "maybe"); each next one twice the size, up to BLOOM_MAX_BYTES in all. */
#define BLOOM_FIRST_BITS (1u << 20)
#define BLOOM_MAX_BYTES (64u << 20)
#define BLOOM_HASHES 7

struct item {
	qr_post post;
	enum qr_post_state state;
};

/* A finished part of a writer's shard: a database it no longer writes,
 * open read-only to answer questions. */
struct part {
	qr_buf path;
	xc_db *db;
	unsigned level;                /* 0: written by the writer; L + 1:
					* a merge of parts of level L */
	xc_docid *dead;                /* older versions of posts whose newer
					* version is in a later part: deleted
					* before the part is merged */
	size_t ndead, dead_cap;
};

struct shard {
	unsigned no;
	pthread_t thread;
	bool running;
	const struct qr_bulk *bulk;
	xc_db *db;                     /* the part being written */
	qr_indexer *ix;
	qr_buf path, term, why;        /* the writer's own */
	uint64_t since_flush, part_docs;
	unsigned seq;                  /* parts made so far, for their names */
	struct part *parts;            /* finished, oldest first */
	size_t nparts, parts_cap;
	/* shared with the caller, under mu */
	pthread_mutex_t mu;
	pthread_cond_t work, room, answer;
	struct item *q;                /* a ring of QR_BULK_QUEUE */
	size_t head, n;                /* [head, head + n): waiting or being
					* indexed; the other slots hold posts
					* done with, freed by the caller when
					* it reuses the slot (its allocations,
					* freed in its own thread: cheaper) */
	bool closing, discard;
	int status;                    /* the first failure */
	qr_buf err;
	bool asked, answered;          /* a question: state of ask_id/ask_sha */
	const char *ask_id;
	const uint8_t *ask_sha;
	enum qr_post_state ask_state;
};

struct bloom {
	uint64_t *bits;
	uint64_t nbits, count, cap;
};

struct qr_bulk {
	unsigned n;
	char *dir;
	unsigned flush, part, fanin;   /* QR_BULK_FLUSH, _PART, _FANIN or
					* what the environment says */
	struct shard *shards;
	struct bloom *blooms;
	size_t nblooms, bloom_bytes;
	uint64_t posts;
};

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The id's hash: sha256, which is at hand and spreads well enough for
 * both the shard and the filter. */
static void id_hash(const char *id, uint8_t h[QR_SHA256_LEN])
{
	qr_sha256(id, strlen(id), h);
}

static struct shard *route(qr_bulk *b, const uint8_t *h)
{
	return &b->shards[get_u64(h) % b->n];
}

/* ---- the filter of ids handed over ---- */

static void bloom_positions(const struct bloom *f, const uint8_t *h, uint64_t *pos)
{
	uint64_t a = get_u64(h + 8), step = get_u64(h + 16) | 1;
	for (int i = 0; i < BLOOM_HASHES; i++)
		pos[i] = (a + (uint64_t)i * step) % f->nbits;
}

static bool bloom_maybe(const qr_bulk *b, const uint8_t *h)
{
	uint64_t pos[BLOOM_HASHES];
	for (size_t k = 0; k < b->nblooms; k++) {
		const struct bloom *f = &b->blooms[k];
		bloom_positions(f, h, pos);
		int i = 0;
		while (i < BLOOM_HASHES && (f->bits[pos[i] / 64] >> (pos[i] % 64) & 1))
			i++;
		if (i == BLOOM_HASHES)
			return true;
	}
	return false;
}

static void bloom_add(qr_bulk *b, const uint8_t *h)
{
	struct bloom *last = b->nblooms ? &b->blooms[b->nblooms - 1] : NULL;
	if (!last || (last->count >= last->cap && b->bloom_bytes + last->nbits / 4 <= BLOOM_MAX_BYTES)) {
		uint64_t nbits = last ? 2 * last->nbits : BLOOM_FIRST_BITS;
		b->blooms = qr_realloc(b->blooms, (b->nblooms + 1) * sizeof(*b->blooms));
		last = &b->blooms[b->nblooms++];
		last->nbits = nbits;
		last->bits = qr_calloc(nbits / 64, sizeof(uint64_t));
		last->count = 0;
		last->cap = nbits / 10;
		b->bloom_bytes += nbits / 8;
	}
	uint64_t pos[BLOOM_HASHES];
	bloom_positions(last, h, pos);
	for (int i = 0; i < BLOOM_HASHES; i++)
		last->bits[pos[i] / 64] |= (uint64_t)1 << (pos[i] % 64);
	last->count++;
}

/* ---- the writers ---- */

static void fail(struct shard *s, int st, const char *why)
{
	if (s->status)
		return;
	s->status = st;
	qr_buf_setf(&s->err, "shard %u: %s", s->no, why);
}

/* ---- a writer's parts ---- */

#define NO_PART ((size_t)-1)

/* Create the next part to write. */
static int new_part(struct shard *s)
{
	char *msg = NULL;
	qr_buf_setf(&s->path, "%s/shard.%u.%u", s->bulk->dir, s->no, s->seq++);
	xc_status x = xc_db_open(s->path.buf, XC_DB_CREATE | XC_DB_NO_SYNC | XC_DB_DANGEROUS, &s->db, &msg);
	if (x != XC_OK)
		qr_buf_setf(&s->why, "cannot create the index shard '%s': %s", s->path.buf,
			    msg ? msg : xc_status_string(x));
	free(msg);
	s->since_flush = s->part_docs = 0;
	return x == XC_OK ? 0 : QR_IO;
}

static struct part *push_part(struct shard *s, const char *path, unsigned level)
{
	if (s->nparts == s->parts_cap) {
		s->parts_cap = s->parts_cap ? 2 * s->parts_cap : 8;
		s->parts = qr_realloc(s->parts, s->parts_cap * sizeof(*s->parts));
	}
	struct part *p = &s->parts[s->nparts++];
	memset(p, 0, sizeof(*p));
	qr_buf_init(&p->path);
	qr_buf_setf(&p->path, "%s", path);
	p->level = level;
	return p;
}

static void part_release(struct part *p)
{
	xc_db_destroy(p->db);
	p->db = NULL;
	free(p->dead);
	p->dead = NULL;
	p->ndead = p->dead_cap = 0;
	qr_buf_release(&p->path);
}

static int open_part(struct part *p, qr_buf *why)
{
	char *msg = NULL;
	xc_status x = xc_db_open(p->path.buf, XC_DB_READONLY, &p->db, &msg);
	if (x != XC_OK)
		qr_buf_setf(why, "cannot read the index shard '%s': %s", p->path.buf, msg ? msg : xc_status_string(x));
	free(msg);
	return x == XC_OK ? 0 : QR_IO;
}

/* Delete a part's dead documents (its read-only handle is closed). */
static int purge_part(struct part *p, qr_buf *why)
{
	xc_db_destroy(p->db);
	p->db = NULL;
	if (!p->ndead)
		return 0;
	xc_db *w = NULL;
	char *msg = NULL;
	xc_status x = xc_db_open(p->path.buf, XC_DB_OPEN | XC_DB_NO_SYNC | XC_DB_DANGEROUS, &w, &msg);
	for (size_t i = 0; x == XC_OK && i < p->ndead; i++)
		x = xc_db_delete_document(w, p->dead[i]);
	if (x == XC_OK)
		x = xc_db_commit(w);
	if (x != XC_OK)
		qr_buf_setf(why, "cannot delete older versions from the index shard '%s': %s", p->path.buf,
			    msg ? msg : w ? xc_db_error(w) : xc_status_string(x));
	free(msg);
	xc_db_destroy(w);
	p->ndead = 0;
	return x == XC_OK ? 0 : QR_IO;
}

/* Merge parts (purged first) into a new database at dest: compacting
 * merges, documents renumbered part after part.  Posting lists are merged
 * in one pass whatever the number of parts: Xapian's multipass merge
 * writes them several times, which measured slower (bench/RESULTS.md). */
static int merge_parts(struct part *const *parts, size_t n, const char *dest, qr_buf *why)
{
	xc_db *all = NULL;
	int st = 0;
	for (size_t i = 0; i < n && !st; i++)
		st = purge_part(parts[i], why);
	if (st)
		return st;
	if (xc_db_create_empty(&all) != XC_OK)
		return QR_NOMEM;
	for (size_t i = 0; i < n && !st; i++) {
		xc_db *r = NULL;
		char *msg = NULL;
		xc_status x = xc_db_open(parts[i]->path.buf, XC_DB_READONLY, &r, &msg);
		if (x == XC_OK)
			x = xc_db_add_shard(all, r);
		if (x != XC_OK) {
			qr_buf_setf(why, "cannot read the index shard '%s': %s", parts[i]->path.buf,
				    msg ? msg : xc_db_error(all));
			st = QR_IO;
		}
		free(msg);
		xc_db_destroy(r);
	}
	if (!st && xc_db_compact(all, dest, 0) != XC_OK) {
		qr_buf_setf(why, "cannot merge the index shards into '%s': %s", dest, xc_db_error(all));
		st = QR_IO;
	}
	xc_db_destroy(all);
	return st;
}

/* Finish the part being written: it joins the parts, read-only. */
static int close_part(struct shard *s)
{
	if (xc_db_commit(s->db) != XC_OK) {
		qr_buf_setf(&s->why, "cannot commit: %s", xc_db_error(s->db));
		return QR_IO;
	}
	xc_db_destroy(s->db);
	s->db = NULL;
	return open_part(push_part(s, s->path.buf, 0), &s->why);
}

/* While the last `fanin` parts have one level, merge them into one part
 * of the next: a writer keeps few parts open, and each document is merged
 * a few times (log base fanin of the parts a writer makes). */
static int merge_levels(struct shard *s)
{
	unsigned fanin = s->bulk->fanin;
	while (s->nparts >= fanin) {
		size_t from = s->nparts - fanin;
		unsigned level = s->parts[from].level;
		size_t i = from;
		while (i < s->nparts && s->parts[i].level == level)
			i++;
		if (i < s->nparts)
			return 0;
		struct part **list = qr_calloc(fanin, sizeof(*list));
		for (i = 0; i < fanin; i++)
			list[i] = &s->parts[from + i];
		qr_buf dest = QR_BUF_INIT;
		qr_buf_setf(&dest, "%s/shard.%u.%u", s->bulk->dir, s->no, s->seq++);
		int st = merge_parts(list, fanin, dest.buf, &s->why);
		for (i = 0; i < fanin; i++) {
			if (!st && qr_io_remove_tree(list[i]->path.buf, &s->why))
				st = QR_IO;
			part_release(list[i]);
		}
		free(list);
		s->nparts = from;
		if (!st)
			st = open_part(push_part(s, dest.buf, level + 1), &s->why);
		qr_buf_release(&dest);
		if (st)
			return st;
	}
	return 0;
}

/* The newest document of post id in the shard: in the part being
 * written (*part NO_PART) or in a finished one, newest first. */
static xc_status find_post(struct shard *s, const char *id, xc_db **db, size_t *part, xc_docid *docid)
{
	qr_buf_reset(&s->term);
	qr_term(&s->term, QR_P_ID, id, false);
	*db = s->db;
	*part = NO_PART;
	xc_status x = s->db ? xc_db_find_term(s->db, s->term.buf, s->term.len, docid) : XC_NOT_FOUND;
	for (size_t i = s->nparts; x == XC_NOT_FOUND && i-- > 0;) {
		*db = s->parts[i].db;
		*part = i;
		x = xc_db_find_term(*db, s->term.buf, s->term.len, docid);
	}
	return x;
}

/* Is sha the record of the post now, or one of its older versions, in
 * the shard? */
static int shard_state(struct shard *s, const char *id, const uint8_t *sha, bool *found, bool *known)
{
	xc_docid docid;
	xc_db *db;
	size_t part;
	xc_doc *doc = NULL;
	char *val = NULL, *data = NULL;
	size_t len = 0;
	int st = 0;
	*found = *known = false;
	xc_status x = find_post(s, id, &db, &part, &docid);
	if (x == XC_NOT_FOUND)
		return 0;
	if (x == XC_OK)
		x = xc_db_get_document(db, docid, &doc);
	if (x != XC_OK) {
		qr_buf_setf(&s->why, "cannot look up %s: %s", id, xc_db_error(db));
		return QR_INTERNAL;
	}
	*found = true;
	if (xc_doc_get_value(doc, QR_SLOT_RECORD, &val, &len) == XC_OK && len == QR_SHA256_LEN &&
	    memcmp(val, sha, QR_SHA256_LEN) == 0) {
		*known = true;
	} else if (xc_doc_get_data(doc, &data, &len) == XC_OK) {
		qr_post old;
		char hex[QR_SHA256_HEX];
		qr_post_init(&old);
		qr_hex(sha, QR_SHA256_LEN, hex);
		if (qr_post_from_json(&old, data, len, &s->why) == 0)
			*known = qr_kvv_get(&old.record.versions, hex) != NULL;
		else
			st = QR_DAMAGED;
		qr_post_clear(&old);
	} else {
		qr_buf_setf(&s->why, "cannot read the document of %s: %s", id, xc_doc_error(doc));
		st = QR_INTERNAL;
	}
	free(val);
	free(data);
	xc_doc_destroy(doc);
	return st;
}

/* Called with mu held, between two documents: every post handed over
 * before the question is either in the shard or in the queue. */
static void answer(struct shard *s)
{
	bool queued = false, found = false, known = false;
	uint8_t sha[QR_SHA256_LEN];
	for (size_t i = 0; i < s->n; i++) {
		const qr_post *p = &s->q[(s->head + i) % QR_BULK_QUEUE].post;
		if (strcmp(p->id, s->ask_id) != 0)
			continue;
		queued = true;
		/* Every record a post had becomes one of its versions. */
		if (p->record.sha256 && qr_unhex(p->record.sha256, sha, QR_SHA256_LEN) &&
		    memcmp(sha, s->ask_sha, QR_SHA256_LEN) == 0) {
			s->ask_state = QR_POST_DUP;
			return;
		}
	}
	int st = s->status ? 0 : shard_state(s, s->ask_id, s->ask_sha, &found, &known);
	if (st) {
		fail(s, st, s->why.buf);
		return;
	}
	s->ask_state = known ? QR_POST_DUP : found || queued ? QR_POST_UPDATE : QR_POST_NEW;
}

/* A new version takes what the older one had (qr_post_inherit) and its
 * place: the same document in the part being written, else a new one,
 * the older marked dead in its part. */
static int put_document(struct shard *s, qr_post *p, enum qr_post_state state)
{
	xc_doc *doc = NULL;
	xc_docid docid = 0;
	int st;
	if (state == QR_POST_UPDATE) {
		/* The older version was indexed before: this shard has it. */
		xc_db *db;
		size_t part;
		xc_status x = find_post(s, p->id, &db, &part, &docid);
		if (x != XC_OK) {
			qr_buf_setf(&s->why, "the older version of %s is not in its shard", p->id);
			return QR_INTERNAL;
		}
		char *data = NULL;
		size_t len = 0;
		qr_post old;
		qr_post_init(&old);
		if ((x = xc_db_get_document(db, docid, &doc)) == XC_OK)
			x = xc_doc_get_data(doc, &data, &len);
		xc_doc_destroy(doc);
		doc = NULL;
		st = x != XC_OK ? QR_INTERNAL : qr_post_from_json(&old, data, len, &s->why);
		if (x != XC_OK)
			qr_buf_setf(&s->why, "cannot read the document of %s: %s", p->id, xc_db_error(db));
		if (!st)
			qr_post_inherit(p, &old);
		free(data);
		qr_post_clear(&old);
		if (st)
			return st;
		if (part != NO_PART) {
			struct part *pt = &s->parts[part];
			if (pt->ndead == pt->dead_cap) {
				pt->dead_cap = pt->dead_cap ? 2 * pt->dead_cap : 16;
				pt->dead = qr_realloc(pt->dead, pt->dead_cap * sizeof(*pt->dead));
			}
			pt->dead[pt->ndead++] = docid;
			docid = 0;
		}
	}
	if ((st = qr_indexer_document(s->ix, p, &doc, &s->why)))
		return st;
	xc_status x = docid ? xc_db_replace_document(s->db, docid, doc) : xc_db_add_document(s->db, doc, NULL);
	xc_doc_destroy(doc);
	if (x != XC_OK) {
		qr_buf_setf(&s->why, "cannot index %s: %s", p->id, xc_db_error(s->db));
		return QR_INTERNAL;
	}
	if (!docid && ++s->part_docs >= s->bulk->part) {
		if (!(st = close_part(s)) && !(st = merge_levels(s)))
			st = new_part(s);
		return st;
	}
	if (++s->since_flush >= s->bulk->flush) {
		s->since_flush = 0;
		if (xc_db_commit(s->db) != XC_OK) {
			qr_buf_setf(&s->why, "cannot flush: %s", xc_db_error(s->db));
			return QR_IO;
		}
	}
	return 0;
}

static void *writer(void *arg)
{
	struct shard *s = arg;
	char name[16];
	snprintf(name, sizeof(name), "quire-index%u", s->no);
	pthread_setname_np(pthread_self(), name);
	pthread_mutex_lock(&s->mu);
	for (;;) {
		if (s->asked) {
			answer(s);
			s->asked = false;
			s->answered = true;
			pthread_cond_signal(&s->answer);
			continue;
		}
		if (!s->n) {
			if (s->closing)
				break;
			pthread_cond_wait(&s->work, &s->mu);
			continue;
		}
		/* The item stays in the queue while it is indexed, so that a
		 * question about its post still finds it. */
		struct item *it = &s->q[s->head];
		bool skip = s->status || s->discard;
		pthread_mutex_unlock(&s->mu);
		int st = skip ? 0 : put_document(s, &it->post, it->state);
		pthread_mutex_lock(&s->mu);
		if (st)
			fail(s, st, s->why.buf);
		s->head = (s->head + 1) % QR_BULK_QUEUE;
		s->n--;
		pthread_cond_signal(&s->room);
	}
	bool finish = !s->status && !s->discard;
	pthread_mutex_unlock(&s->mu);

	/* The last part joins the others. */
	int st = finish ? close_part(s) : 0;
	if (st) {
		pthread_mutex_lock(&s->mu);
		fail(s, st, s->why.buf);
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}

static void stop(qr_bulk *b, bool discard)
{
	for (unsigned i = 0; i < b->n; i++) {
		struct shard *s = &b->shards[i];
		if (!s->running)
			continue;
		pthread_mutex_lock(&s->mu);
		s->closing = true;
		s->discard |= discard;
		pthread_cond_signal(&s->work);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
		s->running = false;
	}
}

/* A limit from the environment (QUIRE_BULK_FLUSH, _PART, _FANIN: for
 * tests and measurements), else the default. */
static unsigned limit(const char *name, unsigned dflt, unsigned least)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n = v && *v ? strtoul(v, &end, 10) : 0;
	if (!n || *end || n > 100000000ul)
		return dflt;
	return n < least ? least : (unsigned)n;
}

int qr_bulk_start(const char *dir, unsigned shards, qr_bulk **out, qr_buf *err)
{
	qr_bulk *b = qr_calloc(1, sizeof(*b));
	int st = 0;
	*out = NULL;
	b->dir = qr_strdup(dir);
	b->flush = limit("QUIRE_BULK_FLUSH", QR_BULK_FLUSH, 1);
	b->part = limit("QUIRE_BULK_PART", QR_BULK_PART, 1);
	b->fanin = limit("QUIRE_BULK_FANIN", QR_BULK_FANIN, 2);
	b->n = shards < 2 ? 2 : shards;
	b->shards = qr_calloc(b->n, sizeof(*b->shards));
	for (unsigned i = 0; i < b->n; i++) {
		struct shard *s = &b->shards[i];
		s->no = i;
		s->bulk = b;
		qr_buf_init(&s->path);
		qr_buf_init(&s->term);
		qr_buf_init(&s->why);
		qr_buf_init(&s->err);
		pthread_mutex_init(&s->mu, NULL);
		pthread_cond_init(&s->work, NULL);
		pthread_cond_init(&s->room, NULL);
		pthread_cond_init(&s->answer, NULL);
		s->q = qr_calloc(QR_BULK_QUEUE, sizeof(*s->q));
	}
	if ((st = qr_io_mkdir(dir, err)))
		goto fail;
	for (unsigned i = 0; i < b->n && !st; i++) {
		struct shard *s = &b->shards[i];
		if ((st = new_part(s)))
			qr_buf_setf(err, "%s", s->why.buf);
		if (!st)
			st = qr_indexer_new(&s->ix, err);
		if (!st && pthread_create(&s->thread, NULL, writer, s) != 0) {
			qr_buf_setf(err, "cannot start an index writer thread");
			st = QR_INTERNAL;
		}
		s->running = !st;
	}
	if (st)
		goto fail;
	*out = b;
	return 0;
fail:
	qr_bulk_free(b);
	return st;
}

/* The first failure of any writer, into err. */
static int writers_failed(qr_bulk *b, qr_buf *err)
{
	for (unsigned i = 0; i < b->n; i++) {
		struct shard *s = &b->shards[i];
		pthread_mutex_lock(&s->mu);
		int st = s->status;
		if (st)
			qr_buf_setf(err, "%s", s->err.buf);
		pthread_mutex_unlock(&s->mu);
		if (st)
			return st;
	}
	return 0;
}

int qr_bulk_classify(qr_bulk *b, const char *id, const uint8_t sha[QR_SHA256_LEN], enum qr_post_state *state,
		     qr_buf *err)
{
	uint8_t h[QR_SHA256_LEN];
	id_hash(id, h);
	*state = QR_POST_NEW;
	if (!bloom_maybe(b, h)) {
		bloom_add(b, h);
		return 0;
	}
	struct shard *s = route(b, h);
	pthread_mutex_lock(&s->mu);
	s->ask_id = id;
	s->ask_sha = sha;
	s->asked = true;
	s->answered = false;
	pthread_cond_signal(&s->work);
	while (!s->answered)
		pthread_cond_wait(&s->answer, &s->mu);
	*state = s->ask_state;
	int st = s->status;
	if (st)
		qr_buf_setf(err, "%s", s->err.buf);
	pthread_mutex_unlock(&s->mu);
	return st;
}

int qr_bulk_put(qr_bulk *b, qr_post *p, enum qr_post_state state, qr_buf *err)
{
	uint8_t h[QR_SHA256_LEN];
	id_hash(p->id, h);
	struct shard *s = route(b, h);
	pthread_mutex_lock(&s->mu);
	while (s->n == QR_BULK_QUEUE && !s->status)
		pthread_cond_wait(&s->room, &s->mu);
	int st = s->status;
	if (st) {
		qr_buf_setf(err, "%s", s->err.buf);
	} else {
		struct item *it = &s->q[(s->head + s->n) % QR_BULK_QUEUE];
		qr_post_clear(&it->post);
		it->post = *p;
		it->state = state;
		s->n++;
		pthread_cond_signal(&s->work);
	}
	pthread_mutex_unlock(&s->mu);
	if (!st) {
		qr_post_init(p);
		b->posts++;
	}
	return st;
}

uint64_t qr_bulk_posts(const qr_bulk *b)
{
	return b->posts;
}

int qr_bulk_finish(qr_bulk *b, const char *dest, qr_buf *err)
{
	int st;
	stop(b, false);
	if ((st = writers_failed(b, err)))
		return st;
	size_t n = 0;
	for (unsigned i = 0; i < b->n; i++)
		n += b->shards[i].nparts;
	struct part **all = qr_calloc(n ? n : 1, sizeof(*all));
	n = 0;
	for (unsigned i = 0; i < b->n; i++)
		for (size_t k = 0; k < b->shards[i].nparts; k++)
			all[n++] = &b->shards[i].parts[k];
	st = merge_parts(all, n, dest, err);
	free(all);
	return st;
}

void qr_bulk_free(qr_bulk *b)
{
	if (!b)
		return;
	stop(b, true);
	for (unsigned i = 0; i < b->n; i++) {
		struct shard *s = &b->shards[i];
		for (size_t k = 0; s->q && k < QR_BULK_QUEUE; k++)
			qr_post_clear(&s->q[k].post);
		free(s->q);
		xc_db_destroy(s->db);
		for (size_t k = 0; k < s->nparts; k++)
			part_release(&s->parts[k]);
		free(s->parts);
		qr_indexer_free(s->ix);
		qr_buf_release(&s->path);
		qr_buf_release(&s->term);
		qr_buf_release(&s->why);
		qr_buf_release(&s->err);
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->work);
		pthread_cond_destroy(&s->room);
		pthread_cond_destroy(&s->answer);
	}
	for (size_t k = 0; k < b->nblooms; k++)
		free(b->blooms[k].bits);
	free(b->blooms);
	free(b->shards);
	free(b->dir);
	free(b);
}
