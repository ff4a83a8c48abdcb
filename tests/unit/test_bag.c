/* query/bag: writing a BagIt bag, its manifests and tag files, and
 * verifying it, on folders made here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bag.h"
#include "io.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/quire-test-bag.%ld", tmp && *tmp ? tmp : "/tmp", (long)getpid());
	qr_buf err = QR_BUF_INIT;
	qr_io_remove_tree(dir, &err);
	qr_buf_release(&err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	qr_buf err = QR_BUF_INIT;
	qr_io_remove_tree(dir, &err);
	qr_buf_release(&err);
	return 0;
}

static void slurp(const char *rel, qr_buf *out)
{
	qr_buf path = QR_BUF_INIT, err = QR_BUF_INIT;
	qr_buf_setf(&path, "%s/%s", dir, rel);
	qr_buf_reset(out);
	assert_int_equal(qr_io_read_file(path.buf, 1 << 20, out, &err), 0);
	qr_buf_release(&path);
	qr_buf_release(&err);
}

struct seen {
	int n;
	char last[256];
};

static void note(void *ctx, const char *file, const char *why)
{
	struct seen *s = ctx;
	s->n++;
	snprintf(s->last, sizeof(s->last), "%s: %s", file, why);
}

/* A bag of three files, one with a name a manifest must percent-encode. */
static void make_bag(void)
{
	qr_bag *b;
	qr_buf err = QR_BUF_INIT;
	assert_int_equal(qr_bag_create(dir, &b, &err), 0);
	qr_bag_file *f = qr_bag_open(b, "a/one.txt", &err);
	assert_non_null(f);
	fputs("hello\n", f->f);
	assert_int_equal(qr_bag_close(b, f, &err), 0);
	assert_int_equal(qr_bag_write(b, "odd%name\n.txt", "x", 1, &err), 0);
	assert_int_equal(qr_bag_write(b, "empty", "", 0, &err), 0);
	char sha[65];
	uint64_t size;
	assert_true(qr_bag_file_sum(b, "a/one.txt", sha, &size));
	assert_string_equal(sha, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
	assert_int_equal(size, 6);
	assert_false(qr_bag_file_sum(b, "a/two.txt", sha, &size));
	qr_kvv info = { 0 };
	qr_kvv_set(&info, "Contact-Name", "Line one\nline two");
	assert_int_equal(qr_bag_finish(b, &info, &err), 0);
	qr_kvv_clear(&info);
	qr_bag_free(b);
	qr_buf_release(&err);
}

static void test_write(void **state)
{
	(void)state;
	qr_buf text = QR_BUF_INIT;
	make_bag();
	slurp("bagit.txt", &text);
	assert_string_equal(text.buf, "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
	slurp("bag-info.txt", &text);
	/* a value stays on its line; the oxum counts 7 bytes in 3 files */
	assert_string_equal(text.buf, "Contact-Name: Line one line two\nPayload-Oxum: 7.3\nBag-Size: 7 B\n");
	slurp("manifest-sha256.txt", &text);
	assert_string_equal(text.buf,
			    "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  data/a/one.txt\n"
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  data/empty\n"
			    "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  data/odd%25name%0A.txt\n");
	slurp("tagmanifest-sha256.txt", &text);
	assert_non_null(strstr(text.buf, "  bag-info.txt\n"));
	assert_non_null(strstr(text.buf, "  manifest-sha512.txt\n"));
	assert_null(strstr(text.buf, "tagmanifest"));
	qr_buf_release(&text);
	struct seen s = { 0, "" };
	assert_int_equal(qr_bag_verify(dir, true, note, &s), 0);
}

static void test_verify_finds(void **state)
{
	(void)state;
	struct seen s = { 0, "" };
	qr_buf path = QR_BUF_INIT, err = QR_BUF_INIT;
	make_bag();
	qr_buf_setf(&path, "%s/data/a/one.txt", dir);
	assert_int_equal(qr_io_write_file_atomic(path.buf, "hellO\n", 6, &err), 0);
	assert_int_equal(qr_bag_verify(dir, true, note, &s), 2); /* sha256 and sha512 */
	assert_string_equal(s.last, "data/a/one.txt: sha512 does not match manifest-sha512.txt");
	qr_buf_setf(&path, "%s/data/odd%%name\n.txt", dir);
	assert_int_equal(unlink(path.buf), 0);
	s.n = 0;
	qr_bag_verify(dir, true, note, &s);
	assert_int_equal(s.n, 2 + 2 + 1); /* changed twice, missing twice, the oxum */
	assert_string_equal(s.last, "bag-info.txt: Payload-Oxum says 7.3, the payload holds 6 bytes in 2 files");
	qr_buf_setf(&path, "%s/bagit.txt", dir);
	unlink(path.buf);
	assert_int_equal(qr_bag_verify(dir, true, note, &s), -1);
	qr_buf_release(&path);
	qr_buf_release(&err);
}

static void test_names(void **state)
{
	(void)state;
	qr_buf out = QR_BUF_INIT;
	assert_int_equal(qr_bag_kind_of("x/wlm.zip"), QR_BAG_ZIP);
	assert_int_equal(qr_bag_kind_of("wlm.tar.gz"), QR_BAG_TGZ);
	assert_int_equal(qr_bag_kind_of("wlm.tgz"), QR_BAG_TGZ);
	assert_int_equal(qr_bag_kind_of("wlm"), QR_BAG_DIR);
	qr_bag_base_name("some/where/wlm-0603.tar.gz", &out);
	assert_string_equal(out.buf, "wlm-0603");
	qr_bag_base_name("bag/", &out);
	assert_string_equal(out.buf, "bag");
	assert_true(qr_bag_safe_path("data/a/b.txt"));
	assert_false(qr_bag_safe_path("/etc/passwd"));
	assert_false(qr_bag_safe_path("data/../../x"));
	assert_false(qr_bag_safe_path("data//x"));
	assert_false(qr_bag_safe_path("./x"));
	assert_false(qr_bag_safe_path(""));
	qr_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_finds, setup, teardown),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
