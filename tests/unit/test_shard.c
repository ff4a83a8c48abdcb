/* lib/shard.c: shard rules (hash and month), their places, overlaps; and
 * lib/federation.c's locations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "federation.h"
#include "hash.h"
#include "schema.h"
#include "shard.h"
#include "shard_read.h"
#include "status.h"
#include "timeutil.h"

static void rule(const char *by, const char *place, qr_shard_rule *r)
{
	qr_buf err = QR_BUF_INIT;
	if (qr_shard_rule_parse(by, place, r, &err))
		fail_msg("%s %s refused: %s", by, place, err.buf);
	qr_buf_release(&err);
}

static void refused(const char *by, const char *place)
{
	qr_shard_rule r;
	qr_buf err = QR_BUF_INIT;
	assert_int_equal(qr_shard_rule_parse(by, place, &r, &err), QR_USAGE);
	assert_true(err.len > 0);
	qr_buf_release(&err);
}

static void test_hash_places(void **state)
{
	(void)state;
	qr_shard_rule r;
	rule("hash", "2/3", &r);
	assert_int_equal(r.kind, QR_SHARD_HASH);
	assert_int_equal(r.k, 2);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.place, "2/3");
	qr_shard_rule_clear(&r);
	rule("hash", "01/04", &r);
	assert_string_equal(r.place, "1/4");
	qr_shard_rule_clear(&r);
	refused("hash", "0/3");
	refused("hash", "4/3");
	refused("hash", "3");
	refused("hash", "1/3x");
	refused("hash", "/3");
	refused("hash", "1/5000");
	refused("spread", "1/3");
}

/* The shard is 1 + the first 8 bytes of sha256(id), big-endian, mod N:
 * what docs/SCALE.md tells anyone to compute without quire. */
static void test_hash_is_documented(void **state)
{
	(void)state;
	const char *id = "twitter:1268312345678901234";
	uint8_t sum[QR_SHA256_LEN];
	qr_sha256(id, strlen(id), sum);
	uint64_t h = 0;
	for (int i = 0; i < 8; i++)
		h = (h << 8) | sum[i];
	for (uint32_t n = 1; n <= 16; n++)
		assert_int_equal(qr_shard_of(id, n), (uint32_t)(h % n) + 1);
	/* Every post is kept by exactly one of the N shards. */
	qr_shard_rule r[5];
	for (int k = 0; k < 5; k++) {
		char place[16];
		snprintf(place, sizeof(place), "%d/5", k + 1);
		rule("hash", place, &r[k]);
	}
	for (int i = 0; i < 200; i++) {
		char pid[40];
		snprintf(pid, sizeof(pid), "reddit:t1_%d", i * 7919);
		int keepers = 0;
		for (int k = 0; k < 5; k++)
			keepers += qr_shard_keeps(&r[k], pid, QR_TIME_UNKNOWN);
		assert_int_equal(keepers, 1);
	}
	for (int k = 0; k < 5; k++)
		qr_shard_rule_clear(&r[k]);
}

static void test_month_places(void **state)
{
	(void)state;
	qr_shard_rule r;
	rule("month", "2020-06,2020-01..2020-03,2020-04,undated", &r);
	/* Sorted, adjacent ranges merged, written one way. */
	assert_string_equal(r.place, "2020-01..2020-04,2020-06,undated");
	int64_t t;
	assert_true(qr_time_parse_iso("2020-06-03T14:02:11Z", &t));
	assert_true(qr_shard_keeps(&r, "x:1", t));
	assert_true(qr_time_parse_iso("2020-05-31T23:59:59Z", &t));
	assert_false(qr_shard_keeps(&r, "x:1", t));
	assert_true(qr_time_parse_iso("2020-01-01T00:00:00Z", &t));
	assert_true(qr_shard_keeps(&r, "x:1", t));
	assert_true(qr_shard_keeps(&r, "x:1", QR_TIME_UNKNOWN));
	qr_shard_rule_clear(&r);
	rule("month", "..2019-12", &r);
	assert_string_equal(r.place, "..2019-12");
	assert_false(qr_shard_keeps(&r, "x:1", QR_TIME_UNKNOWN));
	qr_shard_rule_clear(&r);
	rule("month", "2021-01..", &r);
	assert_string_equal(r.place, "2021-01..");
	qr_shard_rule_clear(&r);
	refused("month", "2020-13");
	refused("month", "2020-6");
	refused("month", "2020-06..2020-01");
	refused("month", "..");
	refused("month", "");
	refused("month", "june");
}

static void test_overlaps(void **state)
{
	(void)state;
	qr_shard_rule a, b, c, d, e, f;
	rule("hash", "1/3", &a);
	rule("hash", "2/3", &b);
	rule("hash", "1/4", &c);
	rule("month", "..2020-05", &d);
	rule("month", "2020-06..,undated", &e);
	rule("month", "2020-05,undated", &f);
	assert_false(qr_shard_rules_overlap(&a, &b));
	assert_true(qr_shard_rules_overlap(&a, &a));
	assert_true(qr_shard_rules_overlap(&a, &c)); /* another N */
	assert_true(qr_shard_rules_overlap(&a, &d)); /* another rule */
	assert_false(qr_shard_rules_overlap(&d, &e));
	assert_true(qr_shard_rules_overlap(&d, &f));  /* May */
	assert_true(qr_shard_rules_overlap(&e, &f));  /* undated */
	assert_true(qr_shard_rule_equal(&a, &a));
	assert_false(qr_shard_rule_equal(&a, &b));
	qr_shard_rule copy;
	qr_shard_rule_copy(&copy, &e);
	assert_true(qr_shard_rule_equal(&copy, &e));
	qr_shard_rule_clear(&copy);
	qr_shard_rule_clear(&a);
	qr_shard_rule_clear(&b);
	qr_shard_rule_clear(&c);
	qr_shard_rule_clear(&d);
	qr_shard_rule_clear(&e);
	qr_shard_rule_clear(&f);
}

static void test_locations(void **state)
{
	(void)state;
	qr_fed_shard s;
	qr_buf err = QR_BUF_INIT;
	assert_int_equal(qr_location_parse("tcp://127.0.0.1:8750", &s, &err), 0);
	assert_int_equal(s.kind, QR_LOC_TCP);
	assert_string_equal(s.host, "127.0.0.1");
	assert_int_equal(s.port, 8750);
	qr_fed_shard_clear(&s);
	assert_int_equal(qr_location_parse("tcp://[::1]:9", &s, &err), 0);
	assert_string_equal(s.host, "::1");
	qr_fed_shard_clear(&s);
	assert_int_equal(qr_location_parse("ssh://me@host3/data/shard3", &s, &err), 0);
	assert_int_equal(s.kind, QR_LOC_SSH);
	assert_string_equal(s.host, "me@host3");
	assert_string_equal(s.path, "/data/shard3");
	qr_fed_shard_clear(&s);
	assert_int_equal(qr_location_parse("ssh://host/~/c", &s, &err), 0);
	assert_string_equal(s.path, "c");
	qr_fed_shard_clear(&s);
	assert_int_equal(qr_location_parse("/", &s, &err), 0);
	assert_int_equal(s.kind, QR_LOC_PATH);
	qr_fed_shard_clear(&s);
	assert_int_equal(qr_location_parse("tcp://host", &s, &err), QR_USAGE);
	assert_int_equal(qr_location_parse("tcp://host:0", &s, &err), QR_USAGE);
	assert_int_equal(qr_location_parse("tcp://host:70000", &s, &err), QR_USAGE);
	assert_int_equal(qr_location_parse("tcp://:80", &s, &err), QR_USAGE);
	assert_int_equal(qr_location_parse("ssh://host", &s, &err), QR_USAGE);
	assert_int_equal(qr_location_parse("ssh://host/a b", &s, &err), QR_USAGE);
	assert_int_equal(qr_location_parse("http://host:80", &s, &err), QR_USAGE);
	assert_int_equal(qr_location_parse("/no/such/shard/here", &s, &err), QR_USAGE);
	qr_buf_release(&err);
}

/* The post id at the end of a time order value: what names a match on
 * its shard and the first post of what spread. */
static void test_time_order_id(void **state)
{
	(void)state;
	qr_buf id = QR_BUF_INIT;
	const char dated[] = "\001\200\0\0\0\x5e\xd6\x0b\x80twitter:1267";
	assert_true(qr_time_order_id(dated, sizeof(dated) - 1, &id));
	assert_string_equal(id.buf, "twitter:1267");
	const char undated[] = "\000reddit:t1_x";
	assert_true(qr_time_order_id(undated, sizeof(undated) - 1, &id));
	assert_string_equal(id.buf, "reddit:t1_x");
	/* No id after the time, a time cut short, nothing at all. */
	assert_false(qr_time_order_id(dated, 9, &id));
	assert_false(qr_time_order_id(dated, 5, &id));
	assert_false(qr_time_order_id("\000", 1, &id));
	assert_false(qr_time_order_id("", 0, &id));
	qr_buf_release(&id);
}

#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/* What a shard sends of a record for an export: taken apart, and refused
 * when it is not one (it comes over the network). */
static void test_entry_parse(void **state)
{
	(void)state;
	qr_buf data = QR_BUF_INIT, strings = QR_BUF_INIT, err = QR_BUF_INIT;
	qr_record_meta m;
	static const char good[] = "{\"format\":\"twitter-archive\",\"path\":\"/a/b.zip\",\"member\":\"data/tweets.js\","
				   "\"line\":3,\"byte\":120,\"source\":4,\"flags\":0,\"sha256\":\"" SHA "\"}\ntest\nbytes";
	assert_int_equal(qr_shard_entry_parse(good, sizeof(good) - 1, &data, &m, &strings, &err), 0);
	assert_int_equal(data.len, 10);
	assert_memory_equal(data.buf, "test\nbytes", 10);
	assert_string_equal(m.format, "twitter-archive");
	assert_string_equal(m.path, "/a/b.zip");
	assert_string_equal(m.member, "data/tweets.js");
	assert_int_equal(m.line, 3);
	assert_int_equal(m.byte, 120);
	assert_int_equal(m.source, 4);
	assert_int_equal(m.length, 10);
	assert_int_equal(m.sha256[0], 0x9f);
	/* no bytes at all: an empty record */
	static const char empty[] = "{\"line\":0,\"byte\":0,\"source\":1,\"flags\":0,\"sha256\":\"" SHA "\"}\n";
	assert_int_equal(qr_shard_entry_parse(empty, sizeof(empty) - 1, &data, &m, &strings, &err), 0);
	assert_int_equal(data.len, 0);
	assert_string_equal(m.format, "");
	static const char *const bad[] = {
		"",
		"{\"line\":0,\"byte\":0,\"source\":1,\"flags\":0,\"sha256\":\"00\"}\n",
		"{\"line\":-1,\"byte\":0,\"source\":1,\"flags\":0,\"sha256\":\"" SHA "\"}\n",
		"{\"line\":0,\"byte\":0,\"source\":4294967296,\"flags\":0,\"sha256\":\"" SHA "\"}\n",
		"{\"line\":0,\"byte\":0,\"flags\":0,\"sha256\":\"" SHA "\"}\n",
		"{\"line\":0,\"byte\":0,\"source\":1,\"flags\":0,\"sha256\":\"" SHA "\"}",
		"[1,2]\nbytes",
		"not json\nbytes",
		NULL,
	};
	for (size_t i = 0; bad[i]; i++)
		assert_int_equal(qr_shard_entry_parse(bad[i], strlen(bad[i]), &data, &m, &strings, &err), QR_DAMAGED);
	qr_buf_release(&data);
	qr_buf_release(&strings);
	qr_buf_release(&err);
}

/* Entries framed by their lengths, as a shard sends several at once. */
static void test_entries_next(void **state)
{
	(void)state;
	static const char two[] = "3\nabc\n0\n\n";
	const char *p = two, *end = two + sizeof(two) - 1, *e;
	size_t len;
	assert_int_equal(qr_shard_entries_next(&p, end, &e, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(e, "abc", 3);
	assert_int_equal(qr_shard_entries_next(&p, end, &e, &len), 0);
	assert_int_equal(len, 0);
	assert_ptr_equal(p, end);
	static const char *const bad[] = { "4\nabc\n", "3\nabc", "3\nabcd\n", "x\nabc\n", "-1\nabc\n",
					  "\nabc\n", "99999999999999999999\nabc\n", "3 \nabc\n", "", NULL };
	for (size_t i = 0; bad[i]; i++) {
		p = bad[i];
		assert_int_equal(qr_shard_entries_next(&p, bad[i] + strlen(bad[i]), &e, &len), QR_DAMAGED);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_places),
		cmocka_unit_test(test_hash_is_documented),
		cmocka_unit_test(test_month_places),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_locations),
		cmocka_unit_test(test_time_order_id),
		cmocka_unit_test(test_entry_parse),
		cmocka_unit_test(test_entries_next),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
