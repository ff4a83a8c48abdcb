/* lib/check: the check finds each kind of damage, the repair mends what the
 * store can mend, and leaves the store's bytes alone. */
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

#include "check.h"
#include "corpus.h"
#include "format.h"
#include "ingest.h"
#include "schema.h"
#include "status.h"

#define NPOSTS 40

static char dir[256];

static void add_posts(qr_corpus *c, int from, int n)
{
	const qr_format *f = qr_format_by_name("twitter-v1");
	for (int i = from; i < from + n; i++) {
		char rec[512];
		qr_posts ps = { 0 };
		qr_buf why = QR_BUF_INIT;
		qr_record_meta meta;
		qr_add_counts counts = { 0 };
		snprintf(rec, sizeof(rec),
			 "{\"created_at\":\"Wed Jun 03 14:%02d:00 +0000 2020\",\"id_str\":\"12681700000000%05d\","
			 "\"text\":\"post number %d of the check test\",\"user\":{\"id_str\":\"9\",\"screen_name\":\"checker\"}}",
			 i % 60, i, i);
		assert_int_equal(f->normalize(rec, strlen(rec), &ps, &why), QR_OK);
		memset(&meta, 0, sizeof(meta));
		meta.format = "twitter-v1";
		meta.path = "unit";
		meta.ids = ps.v[0].id;
		assert_int_equal(qr_corpus_add(c, rec, strlen(rec), &meta, ps.v, ps.n, NULL, &counts), 0);
		qr_posts_clear(&ps);
		qr_buf_release(&why);
	}
	assert_int_equal(qr_corpus_commit(c), 0);
}

static int setup(void **state)
{
	(void)state;
	qr_corpus *c;
	qr_buf err = QR_BUF_INIT;
	snprintf(dir, sizeof(dir), "/tmp/quire-check-%ld", (long)getpid());
	assert_int_equal(qr_corpus_open(dir, QR_OPEN_CREATE, &c, &err), 0);
	add_posts(c, 1, NPOSTS / 2);
	add_posts(c, NPOSTS / 2 + 1, NPOSTS / 2);
	qr_corpus_close(c);
	qr_buf_release(&err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static qr_corpus *open_corpus(int mode)
{
	qr_corpus *c = NULL;
	qr_buf err = QR_BUF_INIT;
	assert_int_equal(qr_corpus_open(dir, mode, &c, &err), 0);
	qr_buf_release(&err);
	return c;
}

static void check(qr_check_stats *st)
{
	qr_corpus *c = open_corpus(QR_OPEN_READ);
	qr_check_opts o = { false, true };
	assert_int_equal(qr_check_corpus(c, &o, NULL, NULL, st), 0);
	qr_corpus_close(c);
}

static void repair(qr_repair_stats *rs)
{
	qr_corpus *c = open_corpus(QR_OPEN_WRITE);
	assert_int_equal(qr_repair_corpus(c, qr_ingest_renormalize, NULL, NULL, NULL, rs), 0);
	qr_corpus_close(c);
}

static xc_docid docid_of(qr_corpus *c, int i)
{
	char id[64];
	xc_docid d = 0;
	snprintf(id, sizeof(id), "twitter:12681700000000%05d", i);
	assert_int_equal(qr_corpus_find(c, id, &d), 0);
	return d;
}

static void test_clean(void **state)
{
	(void)state;
	qr_check_stats st;
	check(&st);
	assert_int_equal(st.damage, 0);
	assert_int_equal(st.posts, NPOSTS);
	assert_int_equal(st.records, NPOSTS);
	assert_int_equal(st.xapian_errors, 0);
}

static void test_missing_post(void **state)
{
	(void)state;
	qr_check_stats st;
	qr_repair_stats rs;
	qr_corpus *c = open_corpus(QR_OPEN_WRITE);
	assert_int_equal(qr_corpus_remove_post(c, docid_of(c, 7)), 0);
	assert_int_equal(qr_corpus_commit(c), 0);
	qr_corpus_close(c);
	check(&st);
	assert_int_equal(st.missing_posts, 1);
	assert_true(st.damage >= 1);
	repair(&rs);
	assert_int_equal(rs.readded, 1);
	check(&st);
	assert_int_equal(st.damage, 0);
	assert_int_equal(st.posts, NPOSTS);
}

static void test_duplicate_document(void **state)
{
	(void)state;
	qr_check_stats st;
	qr_repair_stats rs;
	qr_corpus *c = open_corpus(QR_OPEN_WRITE);
	xc_doc *doc = NULL;
	assert_int_equal(xc_db_get_document(qr_corpus_db(c), docid_of(c, 3), &doc), XC_OK);
	assert_int_equal(qr_corpus_begin(c), 0);
	assert_int_equal(xc_db_add_document(qr_corpus_db(c), doc, NULL), XC_OK);
	xc_doc_destroy(doc);
	assert_int_equal(qr_corpus_commit(c), 0);
	qr_corpus_close(c);
	check(&st);
	assert_int_equal(st.duplicate_posts, 1);
	repair(&rs);
	assert_true(rs.rewritten >= 1);
	check(&st);
	assert_int_equal(st.damage, 0);
	assert_int_equal(st.posts, NPOSTS);
}

static void test_wrong_locator(void **state)
{
	(void)state;
	qr_check_stats st;
	qr_repair_stats rs;
	qr_corpus *c = open_corpus(QR_OPEN_WRITE);
	qr_post p, other;
	qr_post_init(&p);
	qr_post_init(&other);
	xc_docid d = docid_of(c, 5);
	assert_int_equal(qr_corpus_load_post(c, d, &p), 0);
	assert_int_equal(qr_corpus_load_post(c, docid_of(c, 30), &other), 0);
	/* Point post 5 at post 30's record. */
	qr_set(&p.record.locator, other.record.locator);
	assert_int_equal(qr_corpus_update_post(c, d, &p), 0);
	assert_int_equal(qr_corpus_commit(c), 0);
	qr_post_clear(&p);
	qr_post_clear(&other);
	qr_corpus_close(c);
	check(&st);
	assert_int_equal(st.bad_posts, 1);
	repair(&rs);
	assert_int_equal(rs.repointed, 1);
	check(&st);
	assert_int_equal(st.damage, 0);
}

static void test_lost_tail(void **state)
{
	(void)state;
	qr_check_stats st;
	qr_repair_stats rs = { 0 };
	qr_buf report = QR_BUF_INIT, path = QR_BUF_INIT;
	struct stat sb;
	qr_buf_setf(&path, "%s/store/000001.zst", dir);
	assert_int_equal(stat(path.buf, &sb), 0);
	assert_int_equal(truncate(path.buf, sb.st_size - 10), 0);
	check(&st);
	assert_true(st.damage >= 1);
	qr_corpus *c = open_corpus(QR_OPEN_WRITE);
	assert_int_equal(qr_repair_lost_tail(c, qr_ingest_renormalize, NULL, &report, &rs), 0);
	qr_corpus_close(c);
	/* The second block (posts 21-40) is gone; its bytes are kept. */
	assert_int_equal(rs.lost_posts, NPOSTS / 2);
	assert_true(rs.cut_bytes > 0);
	assert_non_null(strstr(report.buf, "lost+found"));
	check(&st);
	assert_int_equal(st.damage, 0);
	assert_int_equal(st.posts, NPOSTS / 2);
	/* The writer goes on from the cut: new posts land and check clean. */
	c = open_corpus(QR_OPEN_WRITE);
	add_posts(c, 100, 5);
	qr_corpus_close(c);
	check(&st);
	assert_int_equal(st.damage, 0);
	assert_int_equal(st.posts, NPOSTS / 2 + 5);
	qr_buf_release(&report);
	qr_buf_release(&path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_post, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_document, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_locator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_tail, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
