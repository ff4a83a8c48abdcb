/* lib/corpus.c: create, add, duplicates, versions, commit, reopen, and
 * recovery of what the store holds past the index after a crash. */
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

#include "corpus.h"
#include "format.h"
#include "hash.h"
#include "ingest.h"
#include "schema.h"
#include "status.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/quire-corpus-%ld", (long)getpid());
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int teardown(void **state)
{
	return setup(state);
}

/* A small v1.1 tweet; `likes` makes a changed record of the same post. */
static void tweet(qr_buf *out, const char *id, const char *text, int likes)
{
	qr_buf_setf(out,
		    "{\"created_at\":\"Wed Jun 03 14:02:%02d +0000 2020\",\"id_str\":\"%s\",\"full_text\":\"%s\","
		    "\"user\":{\"id_str\":\"99\",\"screen_name\":\"archivist_demo\",\"name\":\"Demo\"},"
		    "\"entities\":{\"hashtags\":[{\"text\":\"WhiteOutWednesday\"}]},\"favorite_count\":%d,\"lang\":\"en\"}",
		    likes % 60, id, text, likes);
}

static qr_corpus *open_corpus(int mode)
{
	qr_corpus *c = NULL;
	qr_buf err = QR_BUF_INIT;
	int st = qr_corpus_open(dir, mode, &c, &err);
	if (st)
		fail_msg("cannot open the corpus (%d): %s", st, err.buf);
	qr_buf_release(&err);
	return c;
}

/* Normalize a record as ingest does and add it; `tag` (may be NULL) is
 * put on the post first, as `quire tag` would. */
static int add(qr_corpus *c, const qr_buf *rec, uint64_t line, const char *tag, qr_add_counts *counts)
{
	qr_posts ps = { 0 };
	qr_buf why = QR_BUF_INIT;
	const qr_format *f = qr_format_by_name("twitter-v1");
	if (f->normalize(rec->buf, rec->len, &ps, &why) != QR_OK)
		fail_msg("normalize: %s", why.buf);
	if (tag)
		qr_strv_push(&ps.v[0].tags, tag);
	qr_record_meta meta = { 0 };
	meta.source = 1;
	meta.format = f->name;
	meta.path = "fixtures/june.jsonl";
	meta.member = NULL;
	meta.ids = ps.v[0].id;
	meta.line = line;
	meta.byte = line * 100;
	for (size_t i = 0; i < ps.n; i++) {
		ps.v[i].source.number = 1;
		qr_set(&ps.v[i].source.path, meta.path);
		ps.v[i].source.line = (int64_t)line;
	}
	int st = qr_corpus_add(c, rec->buf, rec->len, &meta, ps.v, ps.n, NULL, counts);
	qr_posts_clear(&ps);
	qr_buf_release(&why);
	return st;
}

static void load(qr_corpus *c, const char *id, qr_post *p)
{
	xc_docid docid;
	if (qr_corpus_find(c, id, &docid))
		fail_msg("%s not found", id);
	qr_post_init(p);
	assert_int_equal(qr_corpus_load_post(c, docid, p), 0);
}

static uint32_t doccount(qr_corpus *c)
{
	uint32_t n = 0;
	assert_int_equal(xc_db_doccount(qr_corpus_db(c), &n), XC_OK);
	return n;
}

static void sha_hex(const qr_buf *b, char *hex)
{
	uint8_t sha[QR_SHA256_LEN];
	qr_sha256(b->buf, b->len, sha);
	qr_hex(sha, QR_SHA256_LEN, hex);
}

static void test_create_add_reopen(void **state)
{
	(void)state;
	qr_buf err = QR_BUF_INIT, rec = QR_BUF_INIT, data = QR_BUF_INIT;
	qr_corpus *c = NULL;
	/* Not a corpus yet: readers and writers are told so. */
	assert_int_equal(qr_corpus_open(dir, QR_OPEN_READ, &c, &err), QR_USAGE);
	assert_non_null(strstr(err.buf, "not a quire corpus"));
	assert_null(c);

	c = open_corpus(QR_OPEN_CREATE);
	const char *id = qr_corpus_id(c);
	assert_int_equal(strlen(id), 36);
	assert_int_equal(id[14], '4');          /* a version 4 uuid */
	char idcopy[40];
	snprintf(idcopy, sizeof(idcopy), "%s", id);

	qr_add_counts counts = { 0 };
	const char *ids[] = { "1268312345678901234", "1268312345678901235", "1268312345678901236" };
	for (int i = 0; i < 3; i++) {
		tweet(&rec, ids[i], "Blackout for #WhiteOutWednesday", i);
		assert_int_equal(add(c, &rec, (uint64_t)i + 1, NULL, &counts), 0);
	}
	assert_int_equal(counts.added, 3);
	assert_int_equal(counts.records, 3);
	assert_int_equal(qr_corpus_pending(c), 3);
	assert_int_equal(qr_corpus_commit(c), 0);
	assert_int_equal(qr_corpus_pending(c), 0);
	/* The index records how far the store goes. */
	qr_store_pos committed, tail;
	assert_int_equal(qr_corpus_committed_tail(c, QR_STREAM_RECORDS, &committed), 0);
	qr_store_tail(qr_corpus_store(c), QR_STREAM_RECORDS, &tail);
	assert_int_equal(qr_store_pos_cmp(&committed, &tail), 0);
	assert_true(committed.size > 0);
	qr_corpus_close(c);

	/* Read back: same corpus id, the posts, and their original bytes. */
	c = open_corpus(QR_OPEN_READ);
	assert_string_equal(qr_corpus_id(c), idcopy);
	assert_int_equal(doccount(c), 3);
	for (int i = 0; i < 3; i++) {
		qr_post p;
		char want_id[64], hex[QR_SHA256_HEX];
		snprintf(want_id, sizeof(want_id), "twitter:%s", ids[i]);
		load(c, want_id, &p);
		assert_string_equal(p.native_id, ids[i]);
		assert_string_equal(p.text, "Blackout for #WhiteOutWednesday");
		assert_string_equal(p.source.path, "fixtures/june.jsonl");
		assert_int_equal(p.source.line, i + 1);
		tweet(&rec, ids[i], "Blackout for #WhiteOutWednesday", i);
		sha_hex(&rec, hex);
		assert_string_equal(p.record.sha256, hex);
		qr_locator loc;
		assert_true(qr_locator_parse(p.record.locator, &loc));
		assert_int_equal(qr_corpus_get_record(c, &p, &data), 0);
		assert_int_equal(data.len, rec.len);
		assert_memory_equal(data.buf, rec.buf, rec.len);
		assert_int_equal(p.record.versions.n, 0);
		qr_post_clear(&p);
	}
	xc_docid docid;
	assert_int_equal(qr_corpus_find(c, "twitter:1", &docid), QR_NOT_FOUND);
	/* Readers cannot write. */
	qr_add_counts none = { 0 };
	assert_int_equal(add(c, &rec, 1, NULL, &none), QR_USAGE);
	qr_corpus_close(c);

	/* An index whose sha256 does not match the record is caught. */
	c = open_corpus(QR_OPEN_READ);
	qr_post p;
	load(c, "twitter:1268312345678901234", &p);
	qr_set(&p.record.sha256, "0000000000000000000000000000000000000000000000000000000000000000");
	assert_int_equal(qr_corpus_get_record(c, &p, &data), QR_DAMAGED);
	assert_non_null(strstr(qr_corpus_error(c), "does not match the sha256 in the index"));
	qr_set(&p.record.locator, "nonsense");
	assert_int_equal(qr_corpus_get_record(c, &p, &data), QR_DAMAGED);
	qr_post_clear(&p);
	qr_corpus_close(c);
	qr_buf_release(&err);
	qr_buf_release(&rec);
	qr_buf_release(&data);
}

static void test_lock(void **state)
{
	(void)state;
	qr_corpus *a = open_corpus(QR_OPEN_CREATE), *b = NULL;
	qr_buf err = QR_BUF_INIT;
	assert_int_equal(qr_corpus_open(dir, QR_OPEN_WRITE, &b, &err), QR_LOCKED);
	assert_non_null(strstr(err.buf, "locked"));
	/* Readers are welcome. */
	qr_corpus *r = open_corpus(QR_OPEN_READ);
	qr_corpus_close(r);
	qr_corpus_close(a);
	b = open_corpus(QR_OPEN_WRITE);
	qr_corpus_close(b);
	qr_buf_release(&err);
}

static void test_duplicates(void **state)
{
	(void)state;
	qr_buf rec = QR_BUF_INIT;
	qr_corpus *c = open_corpus(QR_OPEN_CREATE);
	qr_add_counts counts = { 0 };
	tweet(&rec, "500", "fancam", 1);
	assert_int_equal(add(c, &rec, 1, NULL, &counts), 0);
	/* The same bytes again, before the commit and after: nothing added,
	 * nothing stored. */
	assert_int_equal(add(c, &rec, 2, NULL, &counts), 0);
	assert_int_equal(qr_corpus_commit(c), 0);
	qr_store_pos before, after;
	qr_store_tail(qr_corpus_store(c), QR_STREAM_RECORDS, &before);
	assert_int_equal(add(c, &rec, 3, NULL, &counts), 0);
	assert_int_equal(qr_corpus_commit(c), 0);
	qr_store_tail(qr_corpus_store(c), QR_STREAM_RECORDS, &after);
	assert_int_equal(counts.added, 1);
	assert_int_equal(counts.duplicates, 2);
	assert_int_equal(counts.records, 1);
	assert_int_equal(counts.updated, 0);
	assert_int_equal(qr_store_pos_cmp(&before, &after), 0);
	assert_int_equal(doccount(c), 1);
	qr_corpus_close(c);
	qr_buf_release(&rec);
}

static void test_versions(void **state)
{
	(void)state;
	qr_buf v1 = QR_BUF_INIT, v2 = QR_BUF_INIT, v3 = QR_BUF_INIT, data = QR_BUF_INIT;
	char h1[QR_SHA256_HEX], h2[QR_SHA256_HEX], h3[QR_SHA256_HEX];
	qr_corpus *c = open_corpus(QR_OPEN_CREATE);
	qr_add_counts counts = { 0 };
	tweet(&v1, "600", "first seen", 10);
	tweet(&v2, "600", "first seen", 25);   /* collected again later: more likes */
	tweet(&v3, "600", "first seen", 40);
	sha_hex(&v1, h1);
	sha_hex(&v2, h2);
	sha_hex(&v3, h3);
	assert_int_equal(add(c, &v1, 1, "offmessage", &counts), 0);
	assert_int_equal(qr_corpus_commit(c), 0);
	qr_post p;
	load(c, "twitter:600", &p);
	char loc1[64];
	snprintf(loc1, sizeof(loc1), "%s", p.record.locator);
	qr_post_clear(&p);

	assert_int_equal(add(c, &v2, 2, NULL, &counts), 0);
	assert_int_equal(qr_corpus_commit(c), 0);
	assert_int_equal(counts.added, 1);
	assert_int_equal(counts.updated, 1);
	assert_int_equal(counts.records, 2);
	assert_int_equal(doccount(c), 1);
	qr_corpus_close(c);

	c = open_corpus(QR_OPEN_WRITE);
	load(c, "twitter:600", &p);
	/* The index points at the newest record... */
	assert_string_equal(p.record.sha256, h2);
	assert_int_equal(qr_corpus_get_record(c, &p, &data), 0);
	assert_int_equal(data.len, v2.len);
	assert_memory_equal(data.buf, v2.buf, v2.len);
	/* ...lists the older one, still in the store... */
	assert_int_equal(p.record.versions.n, 1);
	assert_string_equal(qr_kvv_get(&p.record.versions, h1), loc1);
	qr_locator l;
	assert_true(qr_locator_parse(loc1, &l));
	assert_int_equal(qr_store_get(qr_corpus_store(c), &l, &data, NULL, NULL), 0);
	assert_int_equal(data.len, v1.len);
	assert_memory_equal(data.buf, v1.buf, v1.len);
	/* ...and kept the researcher's tag. */
	assert_int_equal(p.tags.n, 1);
	assert_string_equal(p.tags.v[0], "offmessage");
	assert_int_equal(p.metrics[0].value, 25);
	qr_post_clear(&p);
	/* Every version's record hash finds the post. */
	qr_buf term = QR_BUF_INIT;
	xc_docid docid;
	qr_term(&term, QR_P_RECORD, h1, true);
	assert_int_equal(xc_db_find_term(qr_corpus_db(c), term.buf, term.len, &docid), XC_OK);

	/* Seeing an older version again changes nothing. */
	qr_add_counts again = { 0 };
	assert_int_equal(add(c, &v1, 3, NULL, &again), 0);
	assert_int_equal(again.duplicates, 1);
	assert_int_equal(again.records, 0);
	/* A third version lists both before it. */
	assert_int_equal(add(c, &v3, 4, NULL, &again), 0);
	assert_int_equal(again.updated, 1);
	assert_int_equal(qr_corpus_commit(c), 0);
	load(c, "twitter:600", &p);
	assert_string_equal(p.record.sha256, h3);
	assert_int_equal(p.record.versions.n, 2);
	assert_non_null(qr_kvv_get(&p.record.versions, h1));
	assert_non_null(qr_kvv_get(&p.record.versions, h2));
	assert_null(qr_kvv_get(&p.record.versions, h3));
	assert_string_equal(p.tags.v[0], "offmessage");
	qr_post_clear(&p);
	qr_corpus_close(c);
	qr_buf_release(&term);
	qr_buf_release(&v1);
	qr_buf_release(&v2);
	qr_buf_release(&v3);
	qr_buf_release(&data);
}

static void corpus_file(const char *name, char *path, size_t n)
{
	snprintf(path, n, "%s/%s", dir, name);
}

/* A crash after the store was synced and before the index committed: the
 * next writable open indexes the store's tail again. */
static void test_recover_after_crash(void **state)
{
	(void)state;
	qr_buf rec = QR_BUF_INIT, report = QR_BUF_INIT;
	qr_add_counts counts = { 0 };
	qr_corpus *c = open_corpus(QR_OPEN_CREATE);
	tweet(&rec, "700", "committed", 1);
	assert_int_equal(add(c, &rec, 1, NULL, &counts), 0);
	assert_int_equal(qr_corpus_commit(c), 0);
	for (int i = 1; i <= 3; i++) {
		char id[16];
		snprintf(id, sizeof(id), "70%d", i);
		tweet(&rec, id, "synced, never committed", i);
		assert_int_equal(add(c, &rec, (uint64_t)i + 1, NULL, &counts), 0);
	}
	/* The changed version of 700 goes in the same uncommitted batch. */
	tweet(&rec, "700", "committed", 2);
	assert_int_equal(add(c, &rec, 5, NULL, &counts), 0);
	assert_int_equal(qr_store_sync(qr_corpus_store(c)), 0);
	qr_corpus_close(c);   /* the transaction dies with the process */

	c = open_corpus(QR_OPEN_READ);
	xc_docid docid;
	assert_int_equal(doccount(c), 1);
	assert_int_equal(qr_corpus_find(c, "twitter:701", &docid), QR_NOT_FOUND);
	qr_corpus_close(c);

	/* A torn block after the synced ones, as a crash mid-write leaves. */
	char seg[400];
	corpus_file("store/000001.zst", seg, sizeof(seg));
	FILE *f = fopen(seg, "ab");
	assert_non_null(f);
	fputs("\x5b\x2a\x4d\x18\xff\xff", f);
	fclose(f);

	c = open_corpus(QR_OPEN_WRITE);
	assert_int_equal(qr_corpus_recover(c, qr_ingest_renormalize, NULL, &report), 0);
	assert_non_null(strstr(report.buf, "cut a torn block of 6 bytes"));
	assert_non_null(strstr(report.buf, "re-indexed 4 records (4 posts)"));
	assert_int_equal(doccount(c), 4);
	for (int i = 1; i <= 3; i++) {
		char id[32];
		qr_post p;
		snprintf(id, sizeof(id), "twitter:70%d", i);
		load(c, id, &p);
		assert_string_equal(p.text, "synced, never committed");
		/* Where it came from is in the block header, so it survives. */
		assert_string_equal(p.source.path, "fixtures/june.jsonl");
		assert_int_equal(p.source.line, i + 1);
		assert_int_equal(p.source.number, 1);
		qr_post_clear(&p);
	}
	/* The recovered records' source number is not handed out again. */
	assert_int_equal(qr_corpus_new_source(c), 2);
	qr_post p;
	load(c, "twitter:700", &p);
	assert_int_equal(p.metrics[0].value, 2);
	assert_int_equal(p.record.versions.n, 1);
	qr_post_clear(&p);
	/* The index now vouches for the whole store. */
	qr_store_pos committed, tail;
	assert_int_equal(qr_corpus_committed_tail(c, QR_STREAM_RECORDS, &committed), 0);
	qr_store_tail(qr_corpus_store(c), QR_STREAM_RECORDS, &tail);
	assert_int_equal(qr_store_pos_cmp(&committed, &tail), 0);
	qr_buf_reset(&report);
	/* A second recovery finds nothing to do. */
	assert_int_equal(qr_corpus_recover(c, qr_ingest_renormalize, NULL, &report), 0);
	assert_int_equal(report.len, 0);
	qr_corpus_close(c);

	/* Appended but never synced or flushed: lost, and nothing points at it. */
	c = open_corpus(QR_OPEN_WRITE);
	tweet(&rec, "799", "never written", 1);
	assert_int_equal(add(c, &rec, 9, NULL, &counts), 0);
	qr_corpus_close(c);
	c = open_corpus(QR_OPEN_WRITE);
	assert_int_equal(qr_corpus_recover(c, qr_ingest_renormalize, NULL, &report), 0);
	assert_int_equal(report.len, 0);
	assert_int_equal(qr_corpus_find(c, "twitter:799", &docid), QR_NOT_FOUND);
	assert_int_equal(doccount(c), 4);
	qr_corpus_close(c);
	qr_buf_release(&rec);
	qr_buf_release(&report);
}

/* The store shorter than what the index committed is damage: refused. */
static void test_recover_refuses_damage(void **state)
{
	(void)state;
	qr_buf rec = QR_BUF_INIT, report = QR_BUF_INIT;
	qr_add_counts counts = { 0 };
	qr_corpus *c = open_corpus(QR_OPEN_CREATE);
	tweet(&rec, "800", "x", 1);
	assert_int_equal(add(c, &rec, 1, NULL, &counts), 0);
	assert_int_equal(qr_corpus_commit(c), 0);
	qr_corpus_close(c);
	char seg[400];
	corpus_file("store/000001.zst", seg, sizeof(seg));
	struct stat sb;
	assert_int_equal(stat(seg, &sb), 0);
	assert_int_equal(truncate(seg, sb.st_size - 10), 0);
	c = open_corpus(QR_OPEN_WRITE);
	assert_int_equal(qr_corpus_recover(c, qr_ingest_renormalize, NULL, &report), QR_DAMAGED);
	assert_non_null(strstr(qr_corpus_error(c), "shorter than"));
	qr_corpus_close(c);
	/* Nothing was cut to make it fit. */
	struct stat after;
	assert_int_equal(stat(seg, &after), 0);
	assert_int_equal(after.st_size, sb.st_size - 10);
	qr_buf_release(&rec);
	qr_buf_release(&report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_add_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_after_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_refuses_damage, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
