/* Bulk loads (lib/bulk.c, corpus.h): an ingest into an empty corpus by
 * several index writers must give the corpus one writer gives: the same
 * posts with the same document data, terms (with positions) and values,
 * the same index metadata, and the same store, record by record.  Also: a
 * bulk load cut short by an archive, one killed before its end (recovered
 * at the next open), leftovers of a crash, and a corpus that is not empty.
 *
 * QUIRE_COMPARE_A and QUIRE_COMPARE_B (two corpus directories) add a case
 * that compares those two: bench/RESULTS.md uses it on the benchmark's
 * corpora. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "bulk.h"
#include "catalogue.h"
#include "corpus.h"
#include "ingest.h"
#include "schema.h"
#include "status.h"

static char dir[256];

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/quire-bulk-%ld", (long)getpid());
	return run("rm -rf %s && mkdir -p %s", dir, dir);
}

static int teardown(void **state)
{
	(void)state;
	return run("rm -rf %s", dir);
}

/* A path under dir, kept until the process ends (a test makes few). */
static const char *path(const char *name)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	static char *kept[64];
	static int n;
	for (int i = 0; i < n; i++)
		if (strcmp(kept[i], buf) == 0)
			return kept[i];
	assert_true(n < 64);
	return kept[n++] = qr_strdup(buf);
}

static void tweet(FILE *f, long id, int likes)
{
	fprintf(f,
		"{\"created_at\":\"Wed Jun 03 14:%02d:%02d +0000 2020\",\"id_str\":\"%ld\",\"full_text\":\"version "
		"%d of a post about #BlackLivesMatter and fancam\",\"user\":{\"id_str\":\"%ld\",\"screen_name\":"
		"\"writer_%ld\",\"name\":\"W\"},\"entities\":{\"hashtags\":[{\"text\":\"BlackLivesMatter\"}]},"
		"\"favorite_count\":%d,\"lang\":\"en\"}\n",
		(int)(id / 60 % 60), (int)(id % 60), id, likes, id % 17, id % 17, likes);
}

/*
 * Inputs that exercise what a load must get right besides new posts: the
 * same record twice (duplicates), a post whose record changes (versions),
 * one that comes back to an older record (a duplicate of a version), both
 * within one input and across two, records of several posts, rejects, and
 * more posts than a writer's queue and flush interval hold.
 */
static void make_inputs(void)
{
	assert_int_equal(run("sh tests/gen_posts.sh 3000 11 > %s", path("a.jsonl")), 0);
	FILE *f = fopen(path("a.jsonl"), "a");
	assert_non_null(f);
	for (int i = 0; i < 900; i++)
		tweet(f, 880000 + i % 300, i / 300 == 1 ? 1 : 0);
	fputs("{\"this is\": \"not a tweet\"}\nnot even json\n", f);
	fclose(f);
	assert_int_equal(run("head -500 %s > %s", path("a.jsonl"), path("b.jsonl")), 0);
	f = fopen(path("b.jsonl"), "a");
	assert_non_null(f);
	for (int i = 0; i < 400; i++)
		tweet(f, 880000 + i, 2 + i % 2);
	fclose(f);
}

static void ingest(const char *corpus, unsigned threads, const char *const *inputs, size_t n, qr_ingest_stats *stats)
{
	qr_corpus *c = NULL;
	qr_events *given = NULL, *events = NULL;
	const char *catalogue[1] = { "tests/fixtures/events" };
	assert_int_equal(qr_catalogue_read(catalogue, 1, &given), 0);
	assert_int_equal(qr_ingest_open_corpus(corpus, true, &c), 0);
	assert_int_equal(qr_catalogue_prepare(c, given, false, true, &events), 0);
	qr_ingest_opts o;
	qr_ingest_opts_default(&o);
	o.quiet = true;
	o.threads = threads;
	o.events = events;
	o.batch_posts = 700; /* commits during the load, too */
	assert_int_equal(qr_ingest(c, (char *const *)inputs, n, &o, stats), 0);
	qr_corpus_close(c);
	qr_events_free(events);
}

/* ---- comparing two corpora ---- */

static int diffs;

static void differ(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void differ(const char *fmt, ...)
{
	va_list ap;
	if (diffs++ < 10) {
		va_start(ap, fmt);
		vprint_error(fmt, ap);
		va_end(ap);
		print_error("\n");
	}
}

static xc_db *open_index(const char *corpus)
{
	char p[600], *msg = NULL;
	xc_db *db = NULL;
	snprintf(p, sizeof(p), "%s/index", corpus);
	if (xc_db_open(p, XC_DB_READONLY, &db, &msg) != XC_OK)
		fail_msg("cannot open %s: %s", p, msg ? msg : "");
	free(msg);
	return db;
}

/* Terms with wdf and positions, values and data of one document each. */
static void compare_docs(xc_db *a, xc_docid da, xc_db *b, xc_docid db_, const char *id)
{
	xc_doc *x = NULL, *y = NULL;
	char *dx = NULL, *dy = NULL;
	size_t nx = 0, ny = 0;
	assert_int_equal(xc_db_get_document(a, da, &x), XC_OK);
	assert_int_equal(xc_db_get_document(b, db_, &y), XC_OK);
	assert_int_equal(xc_doc_get_data(x, &dx, &nx), XC_OK);
	assert_int_equal(xc_doc_get_data(y, &dy, &ny), XC_OK);
	if (nx != ny || memcmp(dx, dy, nx) != 0)
		differ("%s: document data differs:\n  %s\n  %s", id, dx, dy);
	free(dx);
	free(dy);
	for (xc_valueno slot = 0; slot < 8; slot++) {
		char *vx = NULL, *vy = NULL;
		size_t lx = 0, ly = 0;
		xc_status sx = xc_doc_get_value(x, slot, &vx, &lx), sy = xc_doc_get_value(y, slot, &vy, &ly);
		if (sx != sy || lx != ly || (lx && memcmp(vx, vy, lx) != 0))
			differ("%s: value slot %u differs", id, slot);
		free(vx);
		free(vy);
	}
	xc_termiter *tx = NULL, *ty = NULL;
	assert_int_equal(xc_doc_termlist(x, &tx), XC_OK);
	assert_int_equal(xc_doc_termlist(y, &ty), XC_OK);
	for (;;) {
		const char *t1, *t2;
		size_t l1, l2;
		uint32_t w1, w2;
		xc_status s1 = xc_termiter_next(tx, &t1, &l1, &w1), s2 = xc_termiter_next(ty, &t2, &l2, &w2);
		if (s1 != s2) {
			differ("%s: one document has more terms", id);
			break;
		}
		if (s1 != XC_OK)
			break;
		if (l1 != l2 || memcmp(t1, t2, l1) != 0 || w1 != w2) {
			differ("%s: term %.*s (wdf %u) against %.*s (wdf %u)", id, (int)l1, t1, w1, (int)l2, t2, w2);
			break;
		}
		uint32_t *p1 = NULL, *p2 = NULL;
		size_t n1 = 0, n2 = 0;
		assert_int_equal(xc_db_positions(a, da, t1, l1, &p1, &n1), XC_OK);
		assert_int_equal(xc_db_positions(b, db_, t2, l2, &p2, &n2), XC_OK);
		if (n1 != n2 || (n1 && memcmp(p1, p2, n1 * sizeof(*p1)) != 0))
			differ("%s: positions of %.*s differ", id, (int)l1, t1);
		free(p1);
		free(p2);
	}
	xc_termiter_destroy(tx);
	xc_termiter_destroy(ty);
	xc_doc_destroy(x);
	xc_doc_destroy(y);
}

/* Every post of a in b and the other way round (the docids may differ). */
static void compare_posts(xc_db *a, xc_db *b, const char *which)
{
	xc_termiter *it = NULL;
	uint32_t ca = 0, cb = 0;
	assert_int_equal(xc_db_doccount(a, &ca), XC_OK);
	assert_int_equal(xc_db_doccount(b, &cb), XC_OK);
	if (ca != cb)
		differ("%s: %u documents against %u", which, ca, cb);
	assert_int_equal(xc_db_allterms(a, QR_P_ID, &it), XC_OK);
	const char *term;
	size_t len;
	uint32_t freq, seen = 0;
	while (xc_termiter_next(it, &term, &len, &freq) == XC_OK) {
		char t[512];
		xc_docid da, dbb;
		snprintf(t, sizeof(t), "%.*s", (int)len, term);
		seen++;
		if (freq != 1)
			differ("%s: %s indexes %u documents", which, t, freq);
		assert_int_equal(xc_db_find_term(a, t, len, &da), XC_OK);
		if (xc_db_find_term(b, t, len, &dbb) != XC_OK) {
			differ("%s: %s is missing from the second corpus", which, t);
			continue;
		}
		compare_docs(a, da, b, dbb, t);
	}
	xc_termiter_destroy(it);
	if (seen != ca)
		differ("%s: %u id terms for %u documents", which, seen, ca);
}

static void compare_metadata(xc_db *a, xc_db *b)
{
	for (int side = 0; side < 2; side++) {
		xc_db *x = side ? b : a, *y = side ? a : b;
		xc_termiter *it = NULL;
		const char *key;
		size_t len;
		assert_int_equal(xc_db_metadata_keys(x, "", &it), XC_OK);
		while (xc_termiter_next(it, &key, &len, NULL) == XC_OK) {
			char *vx = NULL, *vy = NULL;
			size_t lx = 0, ly = 0;
			if (strcmp(key, "quire.corpus.id") == 0)
				continue; /* every corpus has its own */
			if (strcmp(key, "quire.journal.applied") == 0)
				continue; /* its entries say when they were written */
			xc_db_get_metadata(x, key, &vx, &lx);
			if (xc_db_get_metadata(y, key, &vy, &ly) != XC_OK || lx != ly || memcmp(vx, vy, lx) != 0)
				differ("metadata %s: '%s' against '%s'", key, vx ? vx : "", vy ? vy : "(none)");
			free(vx);
			free(vy);
		}
		xc_termiter_destroy(it);
	}
}

/* Block by block, record by record: bytes and everything the header says
 * but the time the block was written. */
static void compare_stores(const char *ca, const char *cb)
{
	char pa[600], pb[600];
	qr_store *a = NULL, *b = NULL;
	qr_buf err = QR_BUF_INIT;
	snprintf(pa, sizeof(pa), "%s/store", ca);
	snprintf(pb, sizeof(pb), "%s/store", cb);
	assert_int_equal(qr_store_open(pa, false, NULL, &a, &err), 0);
	assert_int_equal(qr_store_open(pb, false, NULL, &b, &err), 0);
	for (int stream = 0; stream < QR_STREAM_COUNT; stream++) {
		uint32_t last = qr_store_last_segment(a, stream);
		if (last != qr_store_last_segment(b, stream))
			differ("store stream %d: %u segments against %u", stream, last, qr_store_last_segment(b, stream));
		for (uint32_t seg = 1; seg <= last; seg++) {
			uint64_t size = qr_store_segment_size(a, stream, seg);
			if (size != qr_store_segment_size(b, stream, seg))
				differ("store segment %u of stream %d: sizes differ", seg, stream);
			qr_block x, y;
			qr_block_init(&x);
			qr_block_init(&y);
			for (uint64_t off = 0; off < size;) {
				assert_int_equal(qr_store_read_block(a, stream, seg, off, true, &x), 0);
				if (qr_store_read_block(b, stream, seg, off, true, &y) != 0 || x.nrecords != y.nrecords ||
				    x.end != y.end || x.dict_id != y.dict_id || x.content.len != y.content.len ||
				    memcmp(x.content.buf, y.content.buf, x.content.len) != 0) {
					differ("store block %u:%llu of stream %d differs", seg, (unsigned long long)off, stream);
					break;
				}
				for (uint32_t i = 0; i < x.nrecords; i++) {
					const qr_record_meta *r = &x.records[i], *s = &y.records[i];
					if (r->length != s->length || memcmp(r->sha256, s->sha256, QR_SHA256_LEN) != 0 ||
					    r->source != s->source || r->line != s->line || r->byte != s->byte ||
					    r->flags != s->flags || strcmp(r->format ? r->format : "", s->format ? s->format : "") ||
					    strcmp(r->path ? r->path : "", s->path ? s->path : "") ||
					    strcmp(r->member ? r->member : "", s->member ? s->member : "") ||
					    strcmp(r->ids ? r->ids : "", s->ids ? s->ids : ""))
						differ("store record %u:%llu:%u of stream %d: headers differ", seg,
						       (unsigned long long)off, i, stream);
				}
				off = x.end;
			}
			qr_block_release(&x);
			qr_block_release(&y);
		}
	}
	qr_store_close(a);
	qr_store_close(b);
	qr_buf_release(&err);
}

static void compare_corpora(const char *ca, const char *cb)
{
	diffs = 0;
	xc_db *a = open_index(ca), *b = open_index(cb);
	compare_posts(a, b, "a in b");
	compare_posts(b, a, "b in a");
	compare_metadata(a, b);
	xc_db_destroy(a);
	xc_db_destroy(b);
	compare_stores(ca, cb);
	if (diffs)
		fail_msg("'%s' and '%s' differ in %d places", ca, cb, diffs);
}

static void same_stats(const qr_ingest_stats *a, const qr_ingest_stats *b)
{
	assert_int_equal(a->records, b->records);
	assert_int_equal(a->added, b->added);
	assert_int_equal(a->updated, b->updated);
	assert_int_equal(a->duplicates, b->duplicates);
	assert_int_equal(a->rejected, b->rejected);
	assert_int_equal(a->incomplete, b->incomplete);
}

static bool exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

/* ---- the cases ---- */

static void test_same_corpus(void **state)
{
	(void)state;
	qr_ingest_stats one, two;
	make_inputs();
	const char *inputs[] = { path("a.jsonl"), path("b.jsonl"), "tests/fixtures/twitter-v2/pages.jsonl" };
	ingest(path("one"), 1, inputs, 3, &one);
	ingest(path("two"), 2, inputs, 3, &two);
	same_stats(&one, &two);
	/* The inputs hold every case the load must get right. */
	assert_true(one.duplicates >= 800);
	assert_true(one.updated >= 300);
	assert_int_equal(one.rejected, 2);
	assert_false(exists(path("two/bulk.tmp")));
	compare_corpora(path("one"), path("two"));
	/* Four writers: the same again. */
	ingest(path("four"), 4, inputs, 3, &two);
	same_stats(&one, &two);
	compare_corpora(path("one"), path("four"));
	/* Small parts: each writer writes about 20 of 97 documents and
	 * merges them three by three (levels 0-2); versions and duplicates
	 * find their older version in a finished part or a merged one. */
	setenv("QUIRE_BULK_PART", "97", 1);
	setenv("QUIRE_BULK_FANIN", "3", 1);
	ingest(path("parts"), 2, inputs, 3, &two);
	unsetenv("QUIRE_BULK_PART");
	unsetenv("QUIRE_BULK_FANIN");
	same_stats(&one, &two);
	compare_corpora(path("one"), path("parts"));
}

/* An archive format ends the bulk load: what came before is merged and
 * committed, the archive goes through one writer. */
static void test_archive_ends_bulk(void **state)
{
	(void)state;
	qr_ingest_stats one, two;
	make_inputs();
	assert_int_equal(run("cd tests/fixtures/twitter-archive && zip -qr %s .", path("archive.zip")), 0);
	const char *inputs[] = { path("a.jsonl"), path("archive.zip"), path("b.jsonl") };
	ingest(path("one"), 1, inputs, 3, &one);
	ingest(path("two"), 2, inputs, 3, &two);
	same_stats(&one, &two);
	compare_corpora(path("one"), path("two"));
}

/* Records added as ingest adds them, through qr_corpus_add, with or
 * without a bulk load; `killed`: never ended (the process dies after its
 * last commit). */
static void hand_load(const char *corpus, const char *input, bool bulk, bool killed)
{
	qr_corpus *c = NULL;
	qr_events *given = NULL, *events = NULL;
	const char *catalogue[1] = { "tests/fixtures/events" };
	assert_int_equal(qr_ingest_open_corpus(corpus, true, &c), 0);
	assert_int_equal(qr_catalogue_read(catalogue, 1, &given), 0);
	assert_int_equal(qr_catalogue_prepare(c, given, false, true, &events), 0);
	if (bulk) {
		assert_int_equal(qr_corpus_bulk_begin(c, 2), 0);
		assert_true(qr_corpus_bulk_active(c));
	}
	FILE *f = fopen(input, "r");
	assert_non_null(f);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	qr_renorm renorm = { .c = c, .events = events };
	uint64_t lineno = 0, byte = 0;
	uint32_t source = qr_corpus_new_source(c);
	while ((n = getline(&line, &cap, f)) > 0) {
		qr_record_meta meta = { 0 };
		qr_post *posts = NULL;
		size_t nposts = 0;
		qr_buf why = QR_BUF_INIT, ids = QR_BUF_INIT;
		size_t len = (size_t)n - (line[n - 1] == '\n');
		meta.source = source;
		meta.format = "twitter-v1";
		meta.path = input;
		meta.member = "";
		meta.line = ++lineno;
		meta.byte = byte;
		byte += (uint64_t)n;
		if (qr_ingest_renormalize(&renorm, line, len, &meta, &posts, &nposts, &why) == 0) {
			qr_add_counts counts = { 0 };
			for (size_t i = 0; i < nposts; i++)
				qr_buf_addf(&ids, "%s%s", i ? " " : "", posts[i].id);
			meta.ids = ids.buf;
			assert_int_equal(qr_corpus_add(c, line, len, &meta, posts, nposts, NULL, &counts), 0);
		}
		for (size_t i = 0; i < nposts; i++)
			qr_post_clear(&posts[i]);
		free(posts);
		qr_buf_release(&why);
		qr_buf_release(&ids);
		if (lineno % 1000 == 0)
			assert_int_equal(qr_corpus_commit(c), 0);
	}
	assert_int_equal(qr_corpus_commit(c), 0);
	free(line);
	fclose(f);
	qr_renorm_release(&renorm);
	qr_events_free(events);
	if (killed)
		assert_true(exists(path("two/bulk.tmp/shard.0.0")));
	else
		assert_int_equal(qr_corpus_bulk_end(c), 0);
	qr_corpus_close(c);
}

/* A bulk load killed before its end: the store is synced at each commit,
 * index/ has none of the posts, and the next writable open indexes them
 * from the store. */
static void test_killed_bulk_recovered(void **state)
{
	(void)state;
	make_inputs();
	hand_load(path("one"), path("a.jsonl"), false, false);
	hand_load(path("two"), path("a.jsonl"), true, true);
	/* What a crash in the middle of the merge leaves, too. */
	assert_int_equal(run("mkdir -p %s && echo junk > %s/junk", path("two/bulk.tmp/merged"),
			     path("two/bulk.tmp/merged")), 0);

	/* Readers see no post of the lost load... */
	qr_corpus *c = NULL;
	qr_buf err = QR_BUF_INIT;
	xc_docid docid;
	assert_int_equal(qr_corpus_open(path("two"), QR_OPEN_READ, &c, &err), 0);
	assert_int_equal(qr_corpus_find(c, "twitter:880000", &docid), QR_NOT_FOUND);
	qr_corpus_close(c);
	/* ...and the next writer indexes them again, leftovers gone. */
	assert_int_equal(qr_ingest_open_corpus(path("two"), false, &c), 0);
	assert_false(exists(path("two/bulk.tmp")));
	assert_int_equal(qr_corpus_find(c, "twitter:880000", &docid), 0);
	qr_corpus_close(c);
	qr_buf_release(&err);
	compare_corpora(path("one"), path("two"));
	/* And a bulk load ended by hand is the same corpus. */
	hand_load(path("three"), path("a.jsonl"), true, false);
	compare_corpora(path("one"), path("three"));
}

/* An index with documents is not loaded in bulk. */
static void test_not_empty(void **state)
{
	(void)state;
	qr_ingest_stats one, two;
	make_inputs();
	const char *first[] = { "tests/fixtures/twitter-v2/pages.jsonl" };
	const char *second[] = { path("a.jsonl") };
	ingest(path("one"), 1, first, 1, &one);
	ingest(path("one"), 1, second, 1, &one);
	ingest(path("two"), 2, first, 1, &two);
	qr_corpus *c = NULL;
	assert_int_equal(qr_ingest_open_corpus(path("two"), false, &c), 0);
	assert_int_equal(qr_corpus_bulk_begin(c, 2), QR_SKIP);
	assert_false(qr_corpus_bulk_active(c));
	qr_corpus_close(c);
	ingest(path("two"), 2, second, 1, &two);
	compare_corpora(path("one"), path("two"));
}

/* ---- qr_bulk itself ---- */

static void bulk_post(qr_post *p, const char *id, const char *sha_hex, const char *locator)
{
	qr_post_init(p);
	qr_set(&p->id, id);
	qr_set(&p->platform, "twitter");
	qr_set(&p->native_id, strchr(id, ':') + 1);
	qr_set(&p->text, "a post about #BlackLivesMatter");
	qr_set(&p->record.sha256, sha_hex);
	qr_set(&p->record.locator, locator);
}

static enum qr_post_state classify_put(qr_bulk *b, const char *id, char c, const char *locator)
{
	char hex[QR_SHA256_HEX];
	uint8_t sha[QR_SHA256_LEN];
	memset(hex, c, 64);
	hex[64] = '\0';
	assert_true(qr_unhex(hex, sha, QR_SHA256_LEN));
	enum qr_post_state state;
	qr_buf err = QR_BUF_INIT;
	assert_int_equal(qr_bulk_classify(b, id, sha, &state, &err), 0);
	if (state != QR_POST_DUP) {
		qr_post p;
		bulk_post(&p, id, hex, locator);
		assert_int_equal(qr_bulk_put(b, &p, state, &err), 0);
		assert_null(p.id); /* moved */
		qr_post_clear(&p);
	}
	qr_buf_release(&err);
	return state;
}

/* In the merged database at `merged` (`docs` documents): post `id` once,
 * with `versions` older versions and its newest record at `locator`. */
static void merged_post(const char *merged, uint32_t docs, const char *id, size_t versions, const char *locator)
{
	char *msg = NULL, term[64];
	xc_db *db = NULL;
	assert_int_equal(xc_db_open(merged, XC_DB_READONLY, &db, &msg), XC_OK);
	uint32_t n = 0;
	assert_int_equal(xc_db_doccount(db, &n), XC_OK);
	assert_int_equal(n, docs);
	snprintf(term, sizeof(term), "Q%s", id);
	assert_int_equal(xc_db_termfreq(db, term, strlen(term), &n), XC_OK);
	assert_int_equal(n, 1);
	xc_docid docid;
	assert_int_equal(xc_db_find_term(db, term, strlen(term), &docid), XC_OK);
	xc_doc *doc = NULL;
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(xc_db_get_document(db, docid, &doc), XC_OK);
	assert_int_equal(xc_doc_get_data(doc, &data, &len), XC_OK);
	qr_post p;
	qr_post_init(&p);
	assert_int_equal(qr_post_from_json(&p, data, len, NULL), 0);
	assert_int_equal(p.record.versions.n, versions);
	assert_string_equal(p.record.locator, locator);
	assert_string_equal(p.platform, "twitter");
	assert_string_equal(p.native_id, strchr(id, ':') + 1);
	qr_post_clear(&p);
	free(data);
	xc_doc_destroy(doc);
	xc_db_destroy(db);
}

/* New, duplicate, new version, an older version again: asked of the
 * writers while the posts are still queued, and after they are indexed. */
static void test_bulk_states(void **state)
{
	(void)state;
	qr_bulk *b = NULL;
	qr_buf err = QR_BUF_INIT;
	assert_int_equal(qr_bulk_start(path("bulk"), 2, &b, &err), 0);
	char id[64];
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "twitter:%d", i);
		assert_int_equal(classify_put(b, id, 'a', "000001.zst:0:0"), QR_POST_NEW);
	}
	for (int round = 0; round < 2; round++) {
		/* The first round finds the posts queued, the second indexed. */
		assert_int_equal(classify_put(b, "twitter:4999", 'a', "x"), QR_POST_DUP);
		assert_int_equal(classify_put(b, "twitter:4999", round ? 'c' : 'b', round ? "000003.zst:0:0" : "000002.zst:0:0"),
				 QR_POST_UPDATE);
		assert_int_equal(classify_put(b, "twitter:4999", 'a', "x"), QR_POST_DUP);
		assert_int_equal(classify_put(b, "twitter:4999", round ? 'c' : 'b', "x"), QR_POST_DUP);
		if (!round)
			sleep(1);
	}
	assert_int_equal(qr_bulk_posts(b), 5002);
	assert_int_equal(qr_bulk_finish(b, path("merged"), &err), 0);
	qr_bulk_free(b);
	/* Both older records are versions of the newest. */
	merged_post(path("merged"), 5000, "twitter:4999", 2, "000003.zst:0:0");
	qr_buf_release(&err);
}

/* Every document a part of its own: the older version of a post is
 * always in a finished part, or in a merge of parts; it is deleted there
 * before the merge, so the merged index holds each post once. */
static void test_bulk_parts(void **state)
{
	(void)state;
	qr_bulk *b = NULL;
	qr_buf err = QR_BUF_INIT;
	setenv("QUIRE_BULK_PART", "1", 1);
	setenv("QUIRE_BULK_FANIN", "3", 1);
	assert_int_equal(qr_bulk_start(path("bulk"), 2, &b, &err), 0);
	unsetenv("QUIRE_BULK_PART");
	unsetenv("QUIRE_BULK_FANIN");
	char id[64];
	for (int i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "twitter:%d", i);
		assert_int_equal(classify_put(b, id, 'a', "000001.zst:0:0"), QR_POST_NEW);
	}
	sleep(1);
	/* twitter:7 was merged (levels 1 and 2 by now), twitter:39 is in a
	 * finished part of its own. */
	const char *ids[] = { "twitter:7", "twitter:39" };
	for (int k = 0; k < 2; k++) {
		assert_int_equal(classify_put(b, ids[k], 'b', "000002.zst:0:0"), QR_POST_UPDATE);
		assert_int_equal(classify_put(b, ids[k], 'a', "x"), QR_POST_DUP);
		assert_int_equal(classify_put(b, ids[k], 'b', "x"), QR_POST_DUP);
		assert_int_equal(classify_put(b, ids[k], 'c', "000003.zst:0:0"), QR_POST_UPDATE);
	}
	sleep(1);
	assert_int_equal(classify_put(b, "twitter:7", 'd', "000004.zst:0:0"), QR_POST_UPDATE);
	assert_int_equal(classify_put(b, "twitter:7", 'b', "x"), QR_POST_DUP);
	assert_int_equal(qr_bulk_finish(b, path("merged"), &err), 0);
	qr_bulk_free(b);
	merged_post(path("merged"), 40, "twitter:7", 3, "000004.zst:0:0");
	merged_post(path("merged"), 40, "twitter:39", 2, "000003.zst:0:0");
	qr_buf_release(&err);
}

/* A writer that fails says so at the next call, and at the end. */
static void test_bulk_failure(void **state)
{
	(void)state;
	qr_bulk *b = NULL;
	qr_buf err = QR_BUF_INIT;
	assert_int_equal(qr_bulk_start(path("bulk"), 2, &b, &err), 0);
	qr_post p;
	bulk_post(&p, "twitter:1", "", "000001.zst:0:0");
	qr_set(&p.platform, NULL); /* cannot be indexed */
	assert_int_equal(qr_bulk_put(b, &p, QR_POST_NEW, &err), 0);
	int st = 0;
	for (int i = 2; i < 10000 && !st; i++) {
		char id[64];
		snprintf(id, sizeof(id), "twitter:%d", i);
		bulk_post(&p, id, "", "000001.zst:0:0");
		st = qr_bulk_put(b, &p, QR_POST_NEW, &err);
		qr_post_clear(&p);
	}
	assert_int_not_equal(qr_bulk_finish(b, path("merged"), &err), 0);
	assert_non_null(strstr(err.buf, "no id or platform"));
	qr_bulk_free(b);
	/* Dropped with posts still queued. */
	assert_int_equal(qr_bulk_start(path("bulk2"), 3, &b, &err), 0);
	for (int i = 0; i < 3000; i++) {
		char id[64];
		snprintf(id, sizeof(id), "twitter:%d", i);
		bulk_post(&p, id, "", "000001.zst:0:0");
		assert_int_equal(qr_bulk_put(b, &p, QR_POST_NEW, &err), 0);
	}
	qr_bulk_free(b);
	qr_buf_release(&err);
}

/* Two corpora named in the environment (the benchmark's, say). */
static void test_compare_given(void **state)
{
	(void)state;
	const char *a = getenv("QUIRE_COMPARE_A"), *b = getenv("QUIRE_COMPARE_B");
	if (!a || !b)
		skip();
	compare_corpora(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_corpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_ends_bulk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_bulk_recovered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_failure, setup, teardown),
		cmocka_unit_test(test_compare_given),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
