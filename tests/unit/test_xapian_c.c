/* libxapian-c: handles, errors on the handle, documents, queries, spies. */
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

#include "xapian-c.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/quire-xc-%ld", (long)getpid());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static xc_doc *make_doc(xc_termgen *tg, const char *text, const char *tag, double when)
{
	xc_doc *d = NULL;
	char buf[18];
	assert_int_equal(xc_doc_create(&d), XC_OK);
	assert_int_equal(xc_termgen_set_document(tg, d), XC_OK);
	assert_int_equal(xc_termgen_index_text(tg, text, strlen(text), 1, ""), XC_OK);
	assert_int_equal(xc_doc_add_boolean_term(d, tag, strlen(tag)), XC_OK);
	size_t n = xc_sortable_serialise(when, buf);
	assert_int_equal(xc_doc_set_value(d, 0, buf, n), XC_OK);
	assert_int_equal(xc_doc_set_data(d, text, strlen(text)), XC_OK);
	return d;
}

static void test_write_read_search(void **state)
{
	(void)state;
	xc_db *db = NULL;
	char *err = NULL;
	assert_int_equal(xc_db_open(dir, XC_DB_CREATE_OR_OPEN, &db, &err), XC_OK);
	xc_termgen *tg = NULL;
	xc_stem *stem = NULL;
	assert_int_equal(xc_termgen_create(&tg), XC_OK);
	assert_int_equal(xc_stem_create("english", &stem, &err), XC_OK);
	xc_termgen_set_stemmer(tg, stem);
	xc_termgen_set_flags(tg, XC_TG_FLAG_CJK_NGRAM);

	assert_int_equal(xc_db_begin_transaction(db, 1), XC_OK);
	const char *texts[] = { "protesters marched downtown", "fans flooded the hashtag with fancams",
				"우리는 블랙라이브스매터를 지지합니다" };
	const char *tags[] = { "Kprotest", "Kfancam", "Kkorean" };
	for (int i = 0; i < 3; i++) {
		xc_doc *d = make_doc(tg, texts[i], tags[i], 1000.0 + i);
		char q[16];
		snprintf(q, sizeof(q), "Qid%d", i);
		xc_doc_add_boolean_term(d, q, strlen(q));
		assert_int_equal(xc_db_replace_document_by_term(db, q, d, NULL), XC_OK);
		xc_doc_destroy(d);
	}
	assert_int_equal(xc_db_set_metadata(db, "tail", "1:42", 4), XC_OK);
	assert_int_equal(xc_db_commit_transaction(db), XC_OK);

	uint32_t count = 0;
	assert_int_equal(xc_db_doccount(db, &count), XC_OK);
	assert_int_equal(count, 3);
	char *val = NULL;
	size_t len = 0;
	assert_int_equal(xc_db_get_metadata(db, "tail", &val, &len), XC_OK);
	assert_string_equal(val, "1:42");
	free(val);
	assert_int_equal(xc_db_get_metadata(db, "missing", &val, &len), XC_NOT_FOUND);

	/* A second writer is refused with its own status and a message. */
	xc_db *second = NULL;
	assert_int_equal(xc_db_open(dir, XC_DB_OPEN, &second, &err), XC_ERR_DATABASE_LOCKED);
	assert_non_null(err);
	assert_null(second);
	free(err);
	err = NULL;

	/* Query parser with a boolean prefix, stemming and CJK. */
	xc_qp *qp = NULL;
	xc_query *q = NULL;
	assert_int_equal(xc_qp_create(&qp), XC_OK);
	xc_qp_set_database(qp, db);
	xc_qp_set_stemmer(qp, stem);
	xc_qp_add_boolean_prefix(qp, "hashtag", "K", NULL);
	assert_int_equal(xc_qp_parse(qp, "flood hashtag:fancam", XC_QP_DEFAULT, "", &q), XC_OK);
	xc_enquire *enq = NULL;
	xc_mset *ms = NULL;
	assert_int_equal(xc_enquire_create(db, &enq), XC_OK);
	assert_int_equal(xc_enquire_set_query(enq, q), XC_OK);
	assert_int_equal(xc_enquire_get_mset(enq, 0, 10, 0, &ms), XC_OK);
	assert_int_equal(xc_mset_size(ms), 1);
	char *snip = NULL;
	assert_int_equal(xc_mset_snippet(ms, texts[1], strlen(texts[1]), 100, stem, 0, "[", "]", "...", &snip), XC_OK);
	assert_non_null(strstr(snip, "[flooded]"));
	free(snip);
	xc_mset_destroy(ms);
	xc_query_destroy(q);

	assert_int_equal(xc_qp_parse(qp, "지지", XC_QP_DEFAULT | XC_QP_CJK_NGRAM, "", &q), XC_OK);
	xc_enquire_set_query(enq, q);
	assert_int_equal(xc_enquire_get_mset(enq, 0, 10, 0, &ms), XC_OK);
	assert_int_equal(xc_mset_size(ms), 1);
	xc_mset_destroy(ms);
	xc_query_destroy(q);

	/* A syntax error is a status with the parser's message on the handle. */
	assert_int_equal(xc_qp_parse(qp, "(unbalanced AND", XC_QP_DEFAULT, "", &q), XC_ERR_QUERY_PARSER);
	assert_true(strlen(xc_qp_error(qp)) > 0);

	/* Match spy over a prefix, sort by value. */
	xc_spy *spy = NULL;
	assert_int_equal(xc_spy_term_count("K", &spy), XC_OK);
	assert_int_equal(xc_query_match_all(&q), XC_OK);
	xc_enquire_set_query(enq, q);
	xc_enquire_add_spy(enq, spy);
	xc_enquire_set_sort_by_value(enq, 0, 1, 0);
	assert_int_equal(xc_enquire_get_mset(enq, 0, 10, 3, &ms), XC_OK);
	assert_int_equal(xc_mset_size(ms), 3);
	xc_doc *first = NULL;
	char *data = NULL;
	assert_int_equal(xc_mset_document(ms, 0, &first), XC_OK);
	assert_int_equal(xc_doc_get_data(first, &data, &len), XC_OK);
	assert_string_equal(data, texts[2]);
	free(data);
	xc_doc_destroy(first);
	assert_int_equal(xc_spy_total(spy), 3);
	xc_termiter *it = NULL;
	assert_int_equal(xc_spy_top(spy, 10, &it), XC_OK);
	const char *term;
	uint32_t freq;
	int seen = 0;
	while (xc_termiter_next(it, &term, &len, &freq) == XC_OK) {
		assert_int_equal(term[0], 'K');
		assert_int_equal(freq, 1);
		seen++;
	}
	assert_int_equal(seen, 3);
	xc_termiter_destroy(it);
	/* A page that does not start at the first result: fetching it (a
	 * prefetch hint) once crashed inside Xapian. */
	xc_enquire_clear_spies(enq);
	xc_mset *page = NULL;
	assert_int_equal(xc_enquire_get_mset(enq, 1, 2, 0, &page), XC_OK);
	assert_int_equal(xc_mset_size(page), 2);
	assert_int_equal(xc_mset_fetch(page), XC_OK);
	assert_int_equal(xc_mset_document(page, 1, &first), XC_OK);
	assert_int_equal(xc_doc_get_data(first, &data, &len), XC_OK);
	assert_string_equal(data, texts[0]);
	free(data);
	xc_doc_destroy(first);
	xc_mset_destroy(page);
	assert_int_equal(xc_enquire_get_mset(enq, 5, 2, 0, &page), XC_OK);
	assert_int_equal(xc_mset_size(page), 0);
	assert_int_equal(xc_mset_fetch(page), XC_OK);
	xc_mset_destroy(page);
	xc_mset_destroy(ms);
	xc_query_destroy(q);
	xc_spy_destroy(spy);

	/* A wildcard past its bound fails with its own status. */
	assert_int_equal(xc_query_wildcard("", 1, &q), XC_OK);
	xc_enquire_clear_spies(enq);
	xc_enquire_set_query(enq, q);
	assert_int_equal(xc_enquire_get_mset(enq, 0, 10, 0, &ms), XC_ERR_WILDCARD);
	assert_true(strlen(xc_enquire_error(enq)) > 0);
	xc_query_destroy(q);

	xc_enquire_destroy(enq);
	xc_qp_destroy(qp);
	xc_termgen_destroy(tg);
	xc_stem_destroy(stem);
	xc_db_destroy(db);
	/* destroy accepts NULL */
	xc_db_destroy(NULL);
	xc_doc_destroy(NULL);
	xc_query_destroy(NULL);
}

static void test_open_errors(void **state)
{
	(void)state;
	xc_db *db = NULL;
	char *err = NULL;
	assert_int_equal(xc_db_open("/nonexistent/quire/db", XC_DB_READONLY, &db, &err), XC_ERR_DATABASE_OPENING);
	assert_null(db);
	assert_non_null(err);
	free(err);
	xc_stem *s = NULL;
	err = NULL;
	assert_int_equal(xc_stem_create("klingon", &s, &err), XC_ERR_INVALID_ARGUMENT);
	assert_non_null(err);
	free(err);
	assert_string_equal(xc_status_string(XC_ERR_DATABASE_LOCKED), "database locked");
}

/* Several databases merged into one by compacting, in one pass and in
 * several: every document, renumbered database after database. */
static void test_merge(void **state)
{
	(void)state;
	char path[512], dest[512];
	char *err = NULL;
	xc_termgen *tg = NULL;
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(xc_termgen_create(&tg), XC_OK);
	for (int i = 0; i < 5; i++) {
		xc_db *db = NULL;
		snprintf(path, sizeof(path), "%s/part%d", dir, i);
		assert_int_equal(xc_db_open(path, XC_DB_CREATE | XC_DB_NO_SYNC, &db, &err), XC_OK);
		for (int k = 0; k <= i; k++) {
			char tag[32];
			snprintf(tag, sizeof(tag), "Qpart%d-%d", i, k);
			xc_doc *d = make_doc(tg, "protesters marched downtown", tag, 1591142400.0 + k);
			assert_int_equal(xc_db_add_document(db, d, NULL), XC_OK);
			xc_doc_destroy(d);
		}
		assert_int_equal(xc_db_commit(db), XC_OK);
		xc_db_destroy(db);
	}
	for (unsigned flags = 0; flags <= XC_COMPACT_MULTIPASS; flags++) {
		xc_db *all = NULL, *m = NULL;
		assert_int_equal(xc_db_create_empty(&all), XC_OK);
		for (int i = 0; i < 5; i++) {
			xc_db *r = NULL;
			snprintf(path, sizeof(path), "%s/part%d", dir, i);
			assert_int_equal(xc_db_open(path, XC_DB_READONLY, &r, &err), XC_OK);
			assert_int_equal(xc_db_add_shard(all, r), XC_OK);
			xc_db_destroy(r);
		}
		snprintf(dest, sizeof(dest), "%s/merged%u", dir, flags);
		assert_int_equal(xc_db_compact(all, dest, 0x80), XC_ERR_INVALID_ARGUMENT);
		assert_int_equal(xc_db_compact(all, dest, flags), XC_OK);
		xc_db_destroy(all);
		assert_int_equal(xc_db_open(dest, XC_DB_READONLY, &m, &err), XC_OK);
		uint32_t n = 0;
		assert_int_equal(xc_db_doccount(m, &n), XC_OK);
		assert_int_equal(n, 15);
		assert_int_equal(xc_db_termfreq(m, "protesters", 10, &n), XC_OK);
		assert_int_equal(n, 15);
		xc_docid docid = 0;
		assert_int_equal(xc_db_find_term(m, "Qpart4-0", 8, &docid), XC_OK);
		assert_int_equal(docid, 11);
		xc_db_destroy(m);
	}
	xc_termgen_destroy(tg);
}

/* One document for the sort-key and value-stats tests: an id in slot 1, a
 * time in slot 0, an author in slot 2, a list of files in slot 3 (NUL
 * between) and the given boolean terms. */
static void add_keyed(xc_db *db, const char *id, double when, const char *author, const char *files, size_t flen,
		      const char *const *terms)
{
	xc_doc *d = NULL;
	char buf[18];
	assert_int_equal(xc_doc_create(&d), XC_OK);
	size_t n = xc_sortable_serialise(when, buf);
	xc_doc_set_value(d, 0, buf, n);
	xc_doc_set_value(d, 1, id, strlen(id));
	if (author)
		xc_doc_set_value(d, 2, author, strlen(author));
	if (flen)
		xc_doc_set_value(d, 3, files, flen);
	for (size_t i = 0; terms[i]; i++)
		assert_int_equal(xc_doc_add_boolean_term(d, terms[i], strlen(terms[i])), XC_OK);
	xc_doc_set_data(d, id, strlen(id));
	assert_int_equal(xc_db_add_document(db, d, NULL), XC_OK);
	xc_doc_destroy(d);
}

static int key_cmp(xc_keymaker *km, const char *a, size_t alen, const char *b, size_t blen)
{
	xc_doc *da = NULL, *db = NULL;
	char *ka = NULL, *kb = NULL;
	size_t la = 0, lb = 0;
	xc_doc_create(&da);
	xc_doc_create(&db);
	xc_doc_set_value(da, 1, a, alen);
	xc_doc_set_value(db, 1, b, blen);
	assert_int_equal(xc_keymaker_key(km, da, &ka, &la), XC_OK);
	assert_int_equal(xc_keymaker_key(km, db, &kb, &lb), XC_OK);
	int c = memcmp(ka, kb, la < lb ? la : lb);
	if (!c)
		c = la < lb ? -1 : la > lb ? 1 : 0;
	free(ka);
	free(kb);
	xc_doc_destroy(da);
	xc_doc_destroy(db);
	return c;
}

/* Sorting by how many documents name each one (a term frequency), then by
 * value; counting distinct values per term. */
static void test_keymaker_distinct(void **state)
{
	(void)state;
	xc_db *db = NULL;
	char *err = NULL;
	assert_int_equal(xc_db_open(dir, XC_DB_CREATE_OR_OPEN, &db, &err), XC_OK);
	const char *none[] = { NULL }, *ra[] = { "Ra", NULL }, *rb[] = { "Rb", NULL };
	/* "clip" twice in a: counted once. */
	add_keyed(db, "a", 300, "u1", "clip\0gif\0photo\0clip", 20, none);
	add_keyed(db, "b", 200, "u2", "gif\0clip\0", 9, ra);
	add_keyed(db, "c", 100, "u2", "photo\0clip", 10, ra);
	add_keyed(db, "d", 50, "u3", NULL, 0, rb);
	add_keyed(db, "e", 400, NULL, NULL, 0, none);
	assert_int_equal(xc_db_commit(db), XC_OK);

	/* Most named first ("R" + the id), then oldest, then by id. */
	xc_keymaker *km = NULL;
	assert_int_equal(xc_keymaker_create(db, &km), XC_OK);
	assert_int_equal(xc_keymaker_add_termfreq(km, "R", 1, 1), XC_OK);
	assert_int_equal(xc_keymaker_add_value(km, 0, 0), XC_OK);
	assert_int_equal(xc_keymaker_add_value(km, 1, 0), XC_OK);
	xc_enquire *enq = NULL;
	xc_query *q = NULL;
	xc_mset *ms = NULL;
	xc_spy *spy = NULL;
	assert_int_equal(xc_enquire_create(db, &enq), XC_OK);
	assert_int_equal(xc_query_match_all(&q), XC_OK);
	xc_enquire_set_query(enq, q);
	assert_int_equal(xc_enquire_set_sort_by_key(enq, km, 0, 0), XC_OK);
	/* The first of each file by time, then id. */
	xc_keymaker *oldest = NULL;
	assert_int_equal(xc_keymaker_create(db, &oldest), XC_OK);
	xc_keymaker_add_value(oldest, 0, 0);
	xc_keymaker_add_value(oldest, 1, 0);
	assert_int_equal(xc_spy_value_stats(3, 0, 2, oldest, &spy), XC_OK);
	xc_keymaker_destroy(oldest);
	xc_enquire_add_spy(enq, spy);
	assert_int_equal(xc_enquire_get_mset(enq, 0, 10, 5, &ms), XC_OK);
	const char *order[] = { "a", "b", "d", "c", "e" };
	assert_int_equal(xc_mset_size(ms), 5);
	for (uint32_t i = 0; i < 5; i++) {
		xc_doc *d = NULL;
		char *data = NULL;
		size_t len;
		assert_int_equal(xc_mset_document(ms, i, &d), XC_OK);
		assert_int_equal(xc_doc_get_data(d, &data, &len), XC_OK);
		assert_string_equal(data, order[i]);
		free(data);
		xc_doc_destroy(d);
	}
	xc_mset_destroy(ms);

	/* Three documents carry files; clip is carried by three documents
	 * of two authors, photo by two of two. */
	uint32_t n = 0;
	assert_int_equal(xc_spy_total(spy), 5);
	assert_int_equal(xc_spy_total_with(spy), 3);
	assert_int_equal(xc_spy_distinct(spy, "clip", 4, &n), XC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(xc_spy_distinct(spy, "photo", 5, &n), XC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(xc_spy_distinct(spy, "none", 4, &n), XC_NOT_FOUND);
	xc_docid first = 0;
	assert_int_equal(xc_spy_first(spy, "clip", 4, &first), XC_OK);
	assert_int_equal(first, 3);
	assert_int_equal(xc_spy_first(spy, "gif", 3, &first), XC_OK);
	assert_int_equal(first, 2);
	xc_termiter *it = NULL;
	const char *term;
	size_t len;
	uint32_t freq;
	/* Most first, equal counts in byte order: clip 3, gif 2, photo 2. */
	assert_int_equal(xc_spy_top(spy, 0, &it), XC_OK);
	const char *want[] = { "clip", "gif", "photo" };
	uint32_t wantn[] = { 3, 2, 2 };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(xc_termiter_next(it, &term, &len, &freq), XC_OK);
		assert_int_equal(len, strlen(want[i]));
		assert_memory_equal(term, want[i], len);
		assert_int_equal(freq, wantn[i]);
	}
	assert_int_equal(xc_termiter_next(it, &term, &len, &freq), XC_END);
	xc_termiter_destroy(it);
	xc_spy_destroy(spy);
	/* A whole value, no list; neither distinct values nor firsts. */
	assert_int_equal(xc_spy_value_stats(2, -1, XC_NO_SLOT, NULL, &spy), XC_OK);
	xc_enquire_clear_spies(enq);
	xc_enquire_add_spy(enq, spy);
	assert_int_equal(xc_enquire_get_mset(enq, 0, 0, 5, &ms), XC_OK);
	xc_mset_destroy(ms);
	assert_int_equal(xc_spy_total_with(spy), 4);
	assert_int_equal(xc_spy_top(spy, 1, &it), XC_OK);
	assert_int_equal(xc_termiter_next(it, &term, &len, &freq), XC_OK);
	assert_memory_equal(term, "u2", 2);
	assert_int_equal(freq, 2);
	xc_termiter_destroy(it);
	assert_int_equal(xc_spy_distinct(spy, "u2", 2, &n), XC_ERR_INVALID_ARGUMENT);
	assert_int_equal(xc_spy_first(spy, "u2", 2, &first), XC_ERR_INVALID_ARGUMENT);
	assert_true(strlen(xc_spy_error(spy)) > 0);
	xc_spy_destroy(spy);
	assert_int_equal(xc_spy_value_stats(2, 256, XC_NO_SLOT, NULL, &spy), XC_ERR_INVALID_ARGUMENT);
	xc_keymaker_destroy(km);

	/* The encoding keeps the order of values with zero bytes and of
	 * values that are prefixes of others, both ways, before a next part. */
	for (int reverse = 0; reverse < 2; reverse++) {
		assert_int_equal(xc_keymaker_create(db, &km), XC_OK);
		xc_keymaker_add_value(km, 1, reverse);
		xc_keymaker_add_value(km, 0, 1);
		static const struct { const char *v; size_t n; } vals[] = {
			{ "", 0 }, { "a", 1 }, { "a\0", 2 }, { "a\0\0", 3 }, { "a\0\x01", 3 }, { "a\x01", 2 }, { "ab", 2 },
			{ "a\xff", 2 }, { "b", 1 },
		};
		size_t nv = sizeof(vals) / sizeof(vals[0]);
		for (size_t i = 0; i + 1 < nv; i++) {
			int c = key_cmp(km, vals[i].v, vals[i].n, vals[i + 1].v, vals[i + 1].n);
			assert_true(reverse ? c > 0 : c < 0);
		}
		xc_keymaker_destroy(km);
	}
	/* Bad arguments are statuses, not crashes. */
	assert_int_equal(xc_keymaker_create(NULL, &km), XC_ERR_INVALID_ARGUMENT);
	assert_int_equal(xc_keymaker_add_termfreq(NULL, "R", 1, 0), XC_ERR_INVALID_ARGUMENT);
	assert_int_equal(xc_enquire_set_sort_by_key(enq, NULL, 0, 0), XC_ERR_INVALID_ARGUMENT);
	xc_keymaker_destroy(NULL);
	xc_query_destroy(q);
	xc_enquire_destroy(enq);
	xc_db_destroy(db);
}

/* The shared library exports exactly the functions xapian-c.h declares. */
static void test_exports(void **state)
{
	(void)state;
	const char *b = getenv("QUIRE_BUILD");
	char cmd[1024];
	int n = snprintf(cmd, sizeof(cmd),
		 "nm -D --defined-only %s/libxapian-c.so | awk '$2 ~ /^[TDBRW]$/ {print $3}' | sort > %s.exported && "
		 "grep -o '^XC_API [^(]*(' xapian-c/xapian-c.h | sed 's/.*[ *]\\(xc_[a-z0-9_]*\\)(/\\1/' | sort > %s.declared && "
		 "diff %s.declared %s.exported",
		 b ? b : "build", dir, dir, dir, dir);
	assert_true(n > 0 && (size_t)n < sizeof(cmd));
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "test $(wc -l < %s.declared) -gt 80", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "rm -f %s.declared %s.exported", dir, dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_read_search, setup, teardown),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keymaker_distinct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exports, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
