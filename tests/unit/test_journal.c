/* lib/journal.c, lib/tags.c, lib/lock.c and the swaps of lib/io.c: the
 * journal's frames and their recovery, codes given back to a rebuilt
 * index, a corpus from before the journal, the corpus lock, and directory
 * swaps without RENAME_EXCHANGE. */
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

#include "check.h"
#include "corpus.h"
#include "format.h"
#include "ingest.h"
#include "io.h"
#include "journal.h"
#include "lock.h"
#include "schema.h"
#include "status.h"
#include "tags.h"

static char dir[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/quire-journal-%ld", (long)getpid());
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s", dir, dir);
	return system(cmd);
}

static int teardown(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void path_of(qr_buf *out, const char *name)
{
	qr_buf_setf(out, "%s/%s", dir, name);
}

static bool exists(const char *name)
{
	qr_buf p = QR_BUF_INIT;
	struct stat sb;
	path_of(&p, name);
	bool e = stat(p.buf, &sb) == 0;
	qr_buf_release(&p);
	return e;
}

/* ---- the journal file ---- */

static qr_journal *open_journal(void)
{
	qr_journal *j = NULL;
	qr_buf err = QR_BUF_INIT;
	assert_int_equal(qr_journal_open(dir, true, &j, &err), 0);
	qr_buf_release(&err);
	return j;
}

/* An entry of op "tag" adding `code` to `post` (part i of n when n > 1). */
static void append_tag(qr_journal *j, const char *code, const char *post, int part, int parts)
{
	qr_buf buf = QR_BUF_INIT;
	qr_jw w;
	qr_journal_begin(j, &w, &buf, "tag");
	qr_jw_key(&w, "add");
	qr_jw_begin_array(&w);
	qr_jw_string(&w, code);
	qr_jw_end_array(&w);
	qr_jw_key(&w, "remove");
	qr_jw_begin_array(&w);
	qr_jw_end_array(&w);
	if (parts > 1) {
		qr_jw_kint(&w, "part", part);
		qr_jw_kint(&w, "parts", parts);
	}
	qr_jw_key(&w, "posts");
	qr_jw_begin_array(&w);
	qr_jw_string(&w, post);
	qr_jw_end_array(&w);
	assert_int_equal(qr_journal_append(j, &w, &buf), 0);
	qr_buf_release(&buf);
}

struct seen {
	int n;
	int64_t seqs[16];
	char codes[16][16];
};

static int remember(void *ctx, const qr_journal_entry *e)
{
	struct seen *s = ctx;
	const cJSON *add = qr_journal_list(e, "add");
	s->seqs[s->n] = e->seq;
	snprintf(s->codes[s->n], sizeof(s->codes[0]), "%s", cJSON_GetArrayItem(add, 0)->valuestring);
	s->n++;
	return 0;
}

static void walk(qr_journal *j, struct seen *s, qr_journal_stats *w)
{
	memset(s, 0, sizeof(*s));
	qr_journal_stats_init(w);
	assert_int_equal(qr_journal_walk(j, 0, remember, s, w), 0);
}

static void test_append_walk(void **state)
{
	(void)state;
	qr_journal *j = open_journal();
	append_tag(j, "a", "twitter:1", 1, 1);
	append_tag(j, "b", "twitter:2", 1, 1);
	assert_int_equal(qr_journal_sync(j), 0);
	qr_journal_close(j);
	j = open_journal();
	append_tag(j, "c", "twitter:3", 1, 1);
	struct seen s;
	qr_journal_stats w;
	walk(j, &s, &w);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.seqs[2], 3); /* numbering goes on after a reopen */
	assert_string_equal(s.codes[1], "b");
	assert_int_equal(w.damaged, 0);
	assert_int_equal(w.end, qr_journal_size(j));
	/* `zstd -dc` reads it: every frame is a standard one. */
	qr_buf cmd = QR_BUF_INIT;
	qr_buf_setf(&cmd, "zstd -qdc %s/" QR_JOURNAL_FILE " | grep -c '\"op\":\"tag\"' | grep -qx 3", dir);
	assert_int_equal(system(cmd.buf), 0);
	qr_buf_release(&cmd);
	qr_journal_stats_release(&w);
	qr_journal_close(j);
}

static void append_raw(const char *bytes, size_t n)
{
	qr_buf p = QR_BUF_INIT;
	path_of(&p, QR_JOURNAL_FILE);
	FILE *f = fopen(p.buf, "ab");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	fclose(f);
	qr_buf_release(&p);
}

static void test_torn_and_unfinished(void **state)
{
	(void)state;
	qr_journal *j = open_journal();
	append_tag(j, "a", "twitter:1", 1, 1);
	qr_journal_sync(j);
	uint64_t whole = qr_journal_size(j);
	/* An operation of three parts of which two were written. */
	append_tag(j, "b", "twitter:2", 1, 3);
	append_tag(j, "b", "twitter:3", 2, 3);
	qr_journal_sync(j);
	qr_journal_close(j);
	j = open_journal();
	struct seen s;
	qr_journal_stats w;
	walk(j, &s, &w);
	assert_int_equal(s.n, 1); /* the unfinished operation is never handed out */
	assert_true(w.unfinished);
	assert_int_equal(w.unfinished_at, whole);
	qr_journal_stats_release(&w);
	/* Recovery refuses to cut what the index applied... */
	qr_buf what = QR_BUF_INIT;
	assert_int_equal(qr_journal_recover(j, qr_journal_size(j), &what), QR_DAMAGED);
	/* ...and cuts the rest, keeping it in lost+found. */
	assert_int_equal(qr_journal_recover(j, whole, &what), 0);
	assert_non_null(strstr(what.buf, "last parts were never written"));
	assert_int_equal(qr_journal_size(j), whole);
	assert_true(exists("lost+found"));
	/* A frame cut short at the end: the same. */
	append_raw("\x28\xb5\x2f\xfd\x24\x00\x01", 7);
	assert_int_equal(qr_journal_recover(j, whole, &what), 0);
	assert_non_null(strstr(what.buf, "cut short"));
	assert_int_equal(qr_journal_size(j), whole);
	/* The next entry gets the next number after the cut. */
	append_tag(j, "c", "twitter:4", 1, 1);
	walk(j, &s, &w);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.seqs[1], 2);
	qr_journal_stats_release(&w);
	qr_buf_release(&what);
	qr_journal_close(j);
}

static void test_damage_in_the_middle(void **state)
{
	(void)state;
	qr_journal *j = open_journal();
	append_tag(j, "a", "twitter:1", 1, 1);
	uint64_t second = qr_journal_size(j);
	append_tag(j, "b", "twitter:2", 1, 1);
	append_tag(j, "c", "twitter:3", 1, 1);
	qr_journal_sync(j);
	qr_journal_close(j);
	/* A byte of the second entry's payload flipped. */
	qr_buf p = QR_BUF_INIT;
	path_of(&p, QR_JOURNAL_FILE);
	FILE *f = fopen(p.buf, "r+b");
	fseek(f, (long)second + 30, SEEK_SET);
	int ch = fgetc(f);
	fseek(f, (long)second + 30, SEEK_SET);
	fputc(ch ^ 0x20, f);
	fclose(f);
	/* Garbage where a frame should start, between two whole ones. */
	j = open_journal();
	struct seen s;
	qr_journal_stats w;
	walk(j, &s, &w);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.codes[1], "c");
	assert_int_equal(w.damaged, 1);
	assert_non_null(strstr(w.damage.buf, "byte"));
	qr_journal_stats_release(&w);
	qr_journal_close(j);
	qr_buf_release(&p);
}

/* ---- codes in a corpus ---- */

static void tweet(qr_buf *out, const char *id, const char *text)
{
	qr_buf_setf(out,
		    "{\"created_at\":\"Wed Jun 03 14:02:00 +0000 2020\",\"id_str\":\"%s\",\"full_text\":\"%s\","
		    "\"user\":{\"id_str\":\"99\",\"screen_name\":\"archivist_demo\",\"name\":\"Demo\"},"
		    "\"entities\":{\"hashtags\":[]},\"lang\":\"en\"}",
		    id, text);
}

static qr_corpus *open_corpus(int mode)
{
	qr_corpus *c = NULL;
	qr_buf err = QR_BUF_INIT;
	char sub[300];
	snprintf(sub, sizeof(sub), "%s/c", dir);
	int st = qr_corpus_open(sub, mode, &c, &err);
	if (st)
		fail_msg("cannot open the corpus (%d): %s", st, err.buf);
	qr_buf_release(&err);
	return c;
}

/* Posts 1..n, `tag` (may be NULL) put on each as an older quire did: in the
 * index only. */
static void fill(qr_corpus *c, int n, const char *tag)
{
	const qr_format *f = qr_format_by_name("twitter-v1");
	for (int i = 1; i <= n; i++) {
		qr_buf rec = QR_BUF_INIT, why = QR_BUF_INIT;
		char id[16];
		snprintf(id, sizeof(id), "%d", i);
		tweet(&rec, id, "fancam");
		qr_posts ps = { 0 };
		assert_int_equal(f->normalize(rec.buf, rec.len, &ps, &why), QR_OK);
		if (tag)
			qr_strv_push(&ps.v[0].tags, tag);
		qr_record_meta meta = { 0 };
		meta.source = 1;
		meta.format = f->name;
		meta.path = "in.jsonl";
		meta.ids = ps.v[0].id;
		meta.line = (uint64_t)i;
		qr_add_counts counts = { 0 };
		assert_int_equal(qr_corpus_add(c, rec.buf, rec.len, &meta, ps.v, ps.n, NULL, &counts), 0);
		qr_posts_clear(&ps);
		qr_buf_release(&rec);
		qr_buf_release(&why);
	}
	assert_int_equal(qr_corpus_commit(c), 0);
}

static uint32_t with_code(qr_corpus *c, const char *code)
{
	qr_buf term = QR_BUF_INIT;
	uint32_t n = 0;
	qr_term(&term, QR_P_TAG, code, false);
	xc_db_termfreq(qr_corpus_db(c), term.buf, term.len, &n);
	qr_buf_release(&term);
	return n;
}

static void tag_all(qr_corpus *c, const char *add, const char *del)
{
	qr_strv a = { 0 }, d = { 0 };
	if (add)
		qr_strv_push(&a, add);
	if (del)
		qr_strv_push(&d, del);
	uint32_t n = 0;
	xc_db_lastdocid(qr_corpus_db(c), &n);
	xc_docid *ids = calloc(n + 1, sizeof(*ids));
	for (uint32_t i = 0; i < n; i++)
		ids[i] = i + 1;
	qr_tag_change ch = { &a, &d, "everything", NULL, NULL };
	qr_tag_tally t;
	assert_int_equal(qr_tags_apply(c, ids, n, &ch, false, &t), 0);
	qr_tag_tally_release(&t);
	free(ids);
	qr_strv_clear(&a);
	qr_strv_clear(&d);
}

/* The index gone; a writer's open and catch-up rebuild it from the store
 * and the journal. */
static qr_corpus *rebuild(void)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s/c/index", dir);
	assert_int_equal(system(cmd), 0);
	qr_corpus *c = open_corpus(QR_OPEN_WRITE);
	qr_buf report = QR_BUF_INIT;
	assert_int_equal(qr_corpus_recover(c, qr_ingest_renormalize, NULL, &report), 0);
	assert_int_equal(qr_journal_catch_up(c, false, false, &report), 0);
	qr_buf_release(&report);
	return c;
}

static void found_nothing(void *ctx, int kind, const char *msg)
{
	(void)msg;
	if (kind == QR_FOUND_DAMAGE)
		(*(int *)ctx)++;
}

static void test_codes_survive_a_rebuild(void **state)
{
	(void)state;
	qr_corpus *c = open_corpus(QR_OPEN_CREATE);
	fill(c, 5, NULL);
	tag_all(c, "coded", NULL);
	tag_all(c, "reviewed", "coded");
	tag_all(c, "coded", NULL);
	assert_int_equal(with_code(c, "coded"), 5);
	qr_corpus_close(c);
	c = rebuild();
	assert_int_equal(with_code(c, "coded"), 5);
	assert_int_equal(with_code(c, "reviewed"), 5);
	/* A code changed behind the journal's back is found by the check. */
	qr_post p;
	qr_post_init(&p);
	assert_int_equal(qr_corpus_load_post(c, 1, &p), 0);
	qr_strv_remove(&p.tags, "coded");
	assert_int_equal(qr_corpus_update_post(c, 1, &p), 0);
	assert_int_equal(qr_corpus_commit(c), 0);
	qr_post_clear(&p);
	qr_check_stats st;
	memset(&st, 0, sizeof(st));
	int damage = 0;
	assert_int_equal(qr_check_journal(c, found_nothing, &damage, &st), 0);
	assert_int_equal(st.code_differences, 1);
	assert_int_equal(damage, 1);
	qr_corpus_close(c);
}

static void test_adopt_a_corpus_from_before(void **state)
{
	(void)state;
	qr_corpus *c = open_corpus(QR_OPEN_CREATE);
	fill(c, 4, "legacy");
	assert_int_equal(qr_journal_size(qr_corpus_journal(c)), 0);
	qr_buf report = QR_BUF_INIT;
	assert_int_equal(qr_journal_catch_up(c, false, false, &report), 0);
	assert_non_null(strstr(report.buf, "wrote the index's 1 codes (on 4 posts)"));
	assert_true(qr_journal_size(qr_corpus_journal(c)) > 0);
	qr_corpus_close(c);
	c = rebuild();
	assert_int_equal(with_code(c, "legacy"), 4);
	/* Nothing to adopt a second time. */
	uint64_t size = qr_journal_size(qr_corpus_journal(c));
	qr_buf_reset(&report);
	assert_int_equal(qr_journal_catch_up(c, false, false, &report), 0);
	assert_int_equal(qr_journal_size(qr_corpus_journal(c)), size);
	qr_corpus_close(c);
	qr_buf_release(&report);
}

static void test_empty_corpus_writes_no_journal(void **state)
{
	(void)state;
	qr_corpus *c = open_corpus(QR_OPEN_CREATE);
	fill(c, 2, NULL);
	qr_buf report = QR_BUF_INIT;
	assert_int_equal(qr_journal_catch_up(c, false, false, &report), 0);
	assert_int_equal(qr_journal_size(qr_corpus_journal(c)), 0);
	qr_corpus_close(c);
	qr_buf_release(&report);
}

/* ---- the corpus lock ---- */

static void test_lock(void **state)
{
	(void)state;
	qr_lock *a = NULL, *b = NULL;
	qr_buf err = QR_BUF_INIT;
	assert_int_equal(qr_lock_acquire(dir, "quire test", &a, &err), 0);
	/* The same process holds it again (a repair opening and closing). */
	assert_int_equal(qr_lock_acquire(dir, NULL, &b, &err), 0);
	qr_lock_release(b);
	pid_t pid = fork();
	if (pid == 0) {
		qr_lock *x = NULL;
		qr_buf e = QR_BUF_INIT;
		int st = qr_lock_acquire(dir, "quire other", &x, &e);
		_exit(st == QR_LOCKED && strstr(e.buf, "(quire test, pid ") ? 0 : 1);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Still held after one of the two holds went. */
	qr_lock_release(a);
	pid = fork();
	if (pid == 0) {
		qr_lock *x = NULL;
		qr_buf e = QR_BUF_INIT;
		_exit(qr_lock_acquire(dir, "quire other", &x, &e) == 0 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	qr_buf_release(&err);
}

/* ---- swapping a directory in without RENAME_EXCHANGE ---- */

static void make_dir(const char *name, const char *marker)
{
	qr_buf p = QR_BUF_INIT;
	path_of(&p, name);
	mkdir(p.buf, 0755);
	qr_buf_addf(&p, "/%s", marker);
	FILE *f = fopen(p.buf, "w");
	fclose(f);
	qr_buf_release(&p);
}

static bool has(const char *name, const char *marker)
{
	char sub[300];
	snprintf(sub, sizeof(sub), "%s/%s", name, marker);
	return exists(sub);
}

/* In a child: QUIRE_FAULT and QUIRE_CRASH are read once a process. */
static int swap_child(const char *crash)
{
	pid_t pid = fork();
	if (pid == 0) {
		setenv("QUIRE_FAULT", "exchange:1:EINVAL:persist", 1);
		if (crash)
			setenv("QUIRE_CRASH", crash, 1);
		qr_io_faults_reset();
		qr_buf fresh = QR_BUF_INIT, target = QR_BUF_INIT, err = QR_BUF_INIT;
		path_of(&fresh, "fresh");
		path_of(&target, "index");
		_exit(qr_io_swap_dir(fresh.buf, target.buf, &err) == 0 ? 0 : 1);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_swap_without_exchange(void **state)
{
	(void)state;
	make_dir("index", "old");
	make_dir("fresh", "new");
	assert_int_equal(swap_child(NULL), 0);
	assert_true(has("index", "new"));
	assert_false(exists("index.old") || exists("index.new") || exists("fresh"));
	/* Killed at each rename: the state left, then the recovery. */
	for (int k = 1; k <= 3; k++) {
		char crash[32], cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf %s/index %s/fresh", dir, dir);
		assert_int_equal(system(cmd), 0);
		make_dir("index", "old");
		make_dir("fresh", "new");
		snprintf(crash, sizeof(crash), "rename:%d", k);
		assert_int_equal(swap_child(crash), 128 + SIGKILL);
		/* A reader finds a whole one whatever the step. */
		qr_buf target = QR_BUF_INIT, readable = QR_BUF_INIT, what = QR_BUF_INIT, err = QR_BUF_INIT;
		path_of(&target, "index");
		assert_true(qr_io_swap_readable(target.buf, &readable));
		assert_int_equal(qr_io_swap_recover(target.buf, &what, &err), 0);
		/* Before the first rename nothing moved: the old one stays; after
		 * it, the new one was complete and the swap is finished. */
		assert_true(has("index", k == 1 ? "old" : "new"));
		assert_false(exists("index.old") || exists("index.new"));
		qr_buf_release(&target);
		qr_buf_release(&readable);
		qr_buf_release(&what);
		qr_buf_release(&err);
	}
	/* An old copy alone is put back. */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s/index %s/fresh", dir, dir);
	assert_int_equal(system(cmd), 0);
	make_dir("index.old", "old");
	qr_buf target = QR_BUF_INIT, what = QR_BUF_INIT, err = QR_BUF_INIT;
	path_of(&target, "index");
	assert_int_equal(qr_io_swap_recover(target.buf, &what, &err), 0);
	assert_true(has("index", "old"));
	assert_non_null(strstr(what.buf, "put"));
	qr_buf_release(&target);
	qr_buf_release(&what);
	qr_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_and_unfinished, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damage_in_the_middle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_codes_survive_a_rebuild, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_a_corpus_from_before, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_corpus_writes_no_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_without_exchange, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
