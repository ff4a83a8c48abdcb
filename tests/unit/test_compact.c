/* lib/compact.c: records byte-exact after compaction, every locator moved
 * to the new segment, old segments and metadata gone, reposts next to
 * their original; a crash at a step of the protocol; what recovery does
 * with what a stopped compaction left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "compact.h"
#include "corpus.h"
#include "hash.h"
#include "ingest.h"
#include "status.h"

#define N 300

static char dir[256], input[300], changed[300];
static qr_buf lines[N + 1];

static int rm_all(void)
{
	char cmd[1000];
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s %s", dir, input, changed);
	return system(cmd);
}

/* Tweet i: every third a retweet that embeds an earlier original whole. */
static void tweet(int i, qr_buf *out)
{
	char orig[64];
	int o = i - 1 - (i * 7) % (i < 10 ? 1 : 10);
	qr_buf_setf(out, "{\"created_at\":\"Wed Jun 03 14:%02d:%02d +0000 2020\",\"id_str\":\"12683%014d\",", i / 60 % 60,
		    i % 60, i);
	if (i % 3 == 2) {
		qr_buf orig_json = QR_BUF_INIT;
		while (o % 3 == 2)
			o--;
		tweet(o, &orig_json);
		snprintf(orig, sizeof(orig), "12683%014d", o);
		qr_buf_addf(out, "\"text\":\"RT @u%d: repost of %s\",\"user\":{\"id_str\":\"%d\",\"screen_name\":\"u%d\"},"
				 "\"retweeted_status\":%s,\"lang\":\"en\"}",
			    o % 17, orig, 900 + i % 17, i % 17, orig_json.buf);
		qr_buf_release(&orig_json);
		return;
	}
	qr_buf_addf(out, "\"text\":\"police march %d on the bridge, a long text to compress %d %d\","
			 "\"user\":{\"id_str\":\"%d\",\"screen_name\":\"u%d\",\"description\":\"archivist of %d things\"},"
			 "\"lang\":\"en\"}",
		    i, i * 31, i * 17, 900 + i % 17, i % 17, i % 5);
}

static void write_lines(const char *path, int from, int to, bool again)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (int i = from; i < to; i++) {
		qr_buf *l = again ? &lines[N] : &lines[i];
		tweet(i, l);
		if (again) { /* the same post collected again: a new version */
			qr_buf_setlen(l, l->len - 1);
			qr_buf_adds(l, ",\"collected\":\"again\"}");
		}
		fprintf(f, "%s\n", l->buf);
	}
	fclose(f);
}

static qr_corpus *open_write(void)
{
	qr_corpus *c = NULL;
	if (qr_ingest_open_corpus(dir, true, &c))
		fail_msg("cannot open the corpus");
	return c;
}

/* A corpus of N tweets in small blocks, then a new version of tweet 4. */
static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/quire-compact-%ld", (long)getpid());
	snprintf(input, sizeof(input), "%s.jsonl", dir);
	snprintf(changed, sizeof(changed), "%s.changed.jsonl", dir);
	if (rm_all())
		return -1;
	mkdir(dir, 0755);
	char path[400];
	snprintf(path, sizeof(path), "%s/quire.json", dir);
	FILE *f = fopen(path, "w");
	fprintf(f, "{\"format\":\"quire-corpus\",\"version\":1,\"id\":\"00000000-0000-4000-8000-0000000000aa\","
		   "\"settings\":{\"block_size\":8192,\"level\":3,\"dictionary_size\":0}}\n");
	fclose(f);
	write_lines(input, 0, N, false);
	write_lines(changed, 4, 5, true);
	qr_corpus *c = open_write();
	qr_ingest_opts o;
	qr_ingest_stats stats;
	qr_ingest_opts_default(&o);
	o.quiet = true;
	char *paths[2] = { input, changed };
	int st = qr_ingest(c, paths, 2, &o, &stats);
	qr_corpus_close(c);
	if (st || stats.added != N || stats.updated != 1)
		fprintf(stderr, "setup: ingest %d: %llu added, %llu updated, %llu rejected\n", st,
			(unsigned long long)stats.added, (unsigned long long)stats.updated, (unsigned long long)stats.rejected);
	return st || stats.added != N || stats.updated != 1 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i <= N; i++)
		qr_buf_release(&lines[i]);
	return rm_all();
}

static bool segment_there(uint32_t seg)
{
	char path[400];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/store/%06u.zst", dir, seg);
	return stat(path, &sb) == 0;
}

/* Every post reads back byte-exact from the segment `seg`, versions too. */
static void check_posts(uint32_t seg)
{
	qr_corpus *c = NULL;
	qr_buf err = QR_BUF_INIT, data = QR_BUF_INIT;
	assert_int_equal(qr_corpus_open(dir, QR_OPEN_READ, &c, &err), 0);
	for (int i = 0; i < N; i++) {
		char id[48];
		xc_docid docid;
		qr_post p;
		snprintf(id, sizeof(id), "twitter:12683%014d", i);
		assert_int_equal(qr_corpus_find(c, id, &docid), 0);
		qr_post_init(&p);
		assert_int_equal(qr_corpus_load_post(c, docid, &p), 0);
		if (qr_corpus_get_record(c, &p, &data))
			fail_msg("%s: %s", id, qr_corpus_error(c));
		const qr_buf *want = i == 4 ? &lines[N] : &lines[i];
		assert_int_equal(data.len, want->len);
		assert_memory_equal(data.buf, want->buf, want->len);
		qr_locator loc;
		assert_true(qr_locator_parse(p.record.locator, &loc));
		assert_int_equal(loc.segment, seg);
		if (i == 4) {
			/* the older version: listed, and where the list says */
			assert_int_equal(p.record.versions.n, 1);
			assert_true(qr_locator_parse(p.record.versions.v[0].value, &loc));
			assert_int_equal(loc.segment, seg);
			assert_int_equal(qr_store_get(qr_corpus_store(c), &loc, &data, NULL, NULL), 0);
			assert_int_equal(data.len, lines[4].len);
			assert_memory_equal(data.buf, lines[4].buf, data.len);
		}
		qr_post_clear(&p);
	}
	qr_corpus_close(c);
	qr_buf_release(&err);
	qr_buf_release(&data);
}

static void compact_opts(qr_compact_opts *o)
{
	qr_compact_opts_default(o);
	o->block_size = 65536;
	o->level = 3;
	o->dict_size = 4096;
}

static void test_compact(void **state)
{
	(void)state;
	check_posts(1);
	qr_compact_opts o;
	qr_compact_stats st;
	qr_buf err = QR_BUF_INIT;
	compact_opts(&o);
	qr_corpus *c = open_write();
	if (qr_compact(c, &o, &st, &err))
		fail_msg("compact: %s", err.buf);
	assert_int_equal(st.records, N + 1);
	assert_int_equal(st.segments_in, 1);
	assert_int_equal(st.segments_out, 1);
	assert_true(st.grouped > 0);
	assert_int_equal(st.documents, N + 1); /* tweet 4's document twice: its two records */
	assert_true(st.bytes_out + st.dict_bytes < st.bytes_in);
	assert_true(st.dict_id != 0);
	char *v = NULL;
	assert_int_equal(xc_db_get_metadata(qr_corpus_db(c), "quire.compact.new", &v, NULL), XC_NOT_FOUND);
	assert_int_equal(xc_db_get_metadata(qr_corpus_db(c), "quire.compact.old", &v, NULL), XC_NOT_FOUND);
	qr_store_pos tail;
	assert_int_equal(qr_corpus_committed_tail(c, QR_STREAM_RECORDS, &tail), 0);
	assert_int_equal(tail.segment, 2);
	assert_int_equal(tail.size, qr_store_segment_size(qr_corpus_store(c), QR_STREAM_RECORDS, 2));
	/* nothing more to do */
	assert_int_equal(qr_compact(c, &o, &st, &err), QR_NOT_FOUND);
	qr_corpus_close(c);
	assert_false(segment_there(1));
	assert_true(segment_there(2));
	check_posts(2);

	/* reposts sit right after their original in the new segment */
	c = open_write();
	qr_store *s = qr_corpus_store(c);
	qr_block b;
	qr_block_init(&b);
	/* each record's group: the original it embeds, else its own id */
	int after_original = 0, reposts = 0;
	char prev[40] = "", key[40];
	for (uint64_t off = 0; off < qr_store_segment_size(s, QR_STREAM_RECORDS, 2); off = b.end) {
		assert_int_equal(qr_store_read_block(s, QR_STREAM_RECORDS, 2, off, true, &b), 0);
		assert_int_equal(b.flags, QR_BLOCK_COMPACTED);
		for (uint32_t i = 0; i < b.nrecords; i++) {
			qr_buf rec = QR_BUF_INIT;
			qr_buf_add(&rec, b.content.buf + b.records[i].offset, b.records[i].length);
			const char *rt = strstr(rec.buf, "\"retweeted_status\":{");
			const char *q = strstr(rt ? rt : rec.buf, "id_str\":\"");
			snprintf(key, sizeof(key), "%.19s", q + 9);
			if (rt) {
				reposts++;
				after_original += strcmp(prev, key) == 0;
			}
			memcpy(prev, key, sizeof(prev));
			qr_buf_release(&rec);
		}
	}
	assert_true(reposts > 50);
	assert_true(after_original * 10 >= reposts * 9);
	qr_block_release(&b);
	qr_corpus_close(c);
	qr_buf_release(&err);
}

/* A crash (the process stops) at a step: readers find every post before
 * any recovery; the next writable open removes what nobody needs. */
static void crash_at(const char *step, uint32_t seg_left)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		qr_compact_opts o;
		qr_compact_stats st;
		qr_buf err = QR_BUF_INIT;
		compact_opts(&o);
		setenv("QUIRE_COMPACT_CRASH", step, 1);
		qr_corpus *c = open_write();
		qr_compact(c, &o, &st, &err);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 99);
	check_posts(seg_left == 2 ? 2 : 1);
	assert_true(segment_there(2));
	qr_corpus *c = open_write(); /* recovery */
	qr_corpus_close(c);
	assert_int_equal(segment_there(1), seg_left == 1);
	assert_int_equal(segment_there(2), seg_left == 2);
	check_posts(seg_left);
}

static void test_crash_before_switch(void **state)
{
	(void)state;
	crash_at("verified", 1);
	/* and compacting afterwards works */
	qr_compact_opts o;
	qr_compact_stats st;
	qr_buf err = QR_BUF_INIT;
	compact_opts(&o);
	qr_corpus *c = open_write();
	assert_int_equal(qr_compact(c, &o, &st, &err), 0);
	qr_corpus_close(c);
	assert_false(segment_there(1));
	check_posts(2);
	qr_buf_release(&err);
}

static void test_crash_after_switch(void **state)
{
	(void)state;
	crash_at("switch", 2);
}

/* What recovery does with the metadata a stopped compaction left: output
 * named by quire.compact.new goes (with its dictionary), segments named
 * by quire.compact.old go; anything else is refused as damage. */
static void test_recover_metadata(void **state)
{
	(void)state;
	char path[400], dpath[400];
	qr_buf report = QR_BUF_INIT, err = QR_BUF_INIT;
	qr_corpus *c = open_write();
	xc_db *db = qr_corpus_db(c);
	snprintf(path, sizeof(path), "%s/store/000007.zst", dir);
	snprintf(dpath, sizeof(dpath), "%s/store/dictionary-77", dir);
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(i ? dpath : path, "w");
		fputs("leftover", f);
		fclose(f);
	}
	const char *v = "records:7 dictionary:77";
	assert_int_equal(xc_db_set_metadata(db, "quire.compact.new", v, strlen(v)), XC_OK);
	assert_int_equal(xc_db_commit(db), XC_OK);
	assert_int_equal(qr_compact_recover(c, &report, &err), 0);
	assert_non_null(strstr(report.buf, "removed 1 segments of a compaction that did not finish"));
	struct stat sb;
	assert_true(stat(path, &sb) < 0);
	assert_true(stat(dpath, &sb) < 0);
	char *got = NULL;
	assert_int_equal(xc_db_get_metadata(db, "quire.compact.new", &got, NULL), XC_NOT_FOUND);

	v = "records:1-1";
	qr_buf_reset(&report);
	assert_int_equal(xc_db_set_metadata(db, "quire.compact.old", v, strlen(v)), XC_OK);
	assert_int_equal(xc_db_commit(db), XC_OK);
	/* (the index still needs segment 1 here: this only checks the
	 * mechanics, which run after a switch in real life) */
	assert_int_equal(qr_compact_recover(c, &report, &err), 0);
	assert_non_null(strstr(report.buf, "removed 1 segments a compaction had replaced"));
	assert_false(segment_there(1));

	const char *bad[] = { "records:x", "books:3", "records:3 dictionary", "records:1-2-3" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(xc_db_set_metadata(db, "quire.compact.new", bad[i], strlen(bad[i])), XC_OK);
		assert_int_equal(xc_db_commit(db), XC_OK);
		assert_int_equal(qr_compact_recover(c, &report, &err), QR_DAMAGED);
		assert_non_null(strstr(err.buf, "malformed quire.compact.new"));
	}
	qr_corpus_close(c);
	qr_buf_release(&report);
	qr_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_compact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_before_switch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_after_switch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_metadata, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
