/*
 * The stream readers fed through a stream that hands out one byte, or a
 * few, per read: every framing must give the same records as with one big
 * read, whatever the read boundaries cut (keys, UTF-8, CRLF, WARC headers).
 * Also the helpers of reader_util.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "format.h"
#include "hash.h"
#include "io.h"
#include "mapping.h"
#include "reader_util.h"
#include "status.h"

struct mem {
	const char *p;
	size_t n, pos, step;
};

static ssize_t mem_read(qr_stream *s, void *buf, size_t n)
{
	struct mem *m = s->ctx;
	size_t k = m->n - m->pos;
	if (k > m->step)
		k = m->step;
	if (k > n)
		k = n;
	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return (ssize_t)k;
}

/* Frame and normalize a whole input; the post ids, records and rejects
 * summed up in one string (ids in order, "!line" for each reject). */
static void read_all(const char *format, const char *data, size_t n, size_t step, size_t max_record, qr_buf *out)
{
	const qr_format *f = qr_format_by_name(format);
	assert_non_null(f);
	struct mem m = { data, n, 0, step };
	qr_stream *s = qr_calloc(1, sizeof(*s));
	qr_buf_init(&s->err);
	qr_buf_init(&s->peeked);
	s->ctx = &m;
	s->read = mem_read;
	qr_reader r = { f, { 0 }, "mem", NULL, NULL };
	qr_input_init(&r.in, s, max_record);
	qr_frame fr;
	qr_buf why = QR_BUF_INIT;
	qr_buf_reset(out);
	for (;;) {
		qr_buf_reset(&why);
		int st = qr_format_next(&r, &fr, &why);
		if (st == QR_END || st == QR_IO)
			break;
		if (st != QR_OK) {
			qr_buf_addf(out, "!%llu ", (unsigned long long)fr.line);
			continue;
		}
		qr_posts ps = { 0 };
		st = f->normalize(fr.data, fr.len, &ps, &why);
		if (st == QR_SKIP)
			qr_buf_addf(out, "-%llu ", (unsigned long long)fr.line);
		else if (st != QR_OK)
			qr_buf_addf(out, "!%llu ", (unsigned long long)fr.line);
		for (size_t i = 0; i < ps.n; i++)
			qr_buf_addf(out, "%s@%llu ", ps.v[i].id, (unsigned long long)fr.line);
		/* The record's own hash: the bytes framed, not just the ids. */
		uint8_t sha[QR_SHA256_LEN];
		char hex[QR_SHA256_HEX];
		qr_sha256(fr.data, fr.len, sha);
		qr_hex(sha, 4, hex);
		qr_buf_addf(out, "#%s ", hex);
		qr_posts_clear(&ps);
	}
	qr_buf_release(&why);
	qr_input_release(&r.in);
	s->ctx = NULL;
	qr_stream_free(s);
}

static void same_whatever_the_reads(const char *format, const char *path, const char *must_contain)
{
	qr_buf data = QR_BUF_INIT, err = QR_BUF_INIT, whole = QR_BUF_INIT, piece = QR_BUF_INIT;
	assert_int_equal(qr_io_read_file(path, 1 << 24, &data, &err), 0);
	read_all(format, data.buf, data.len, data.len + 1, 1 << 20, &whole);
	assert_non_null(strstr(whole.buf, must_contain));
	static const size_t steps[] = { 1, 2, 3, 7, 64, 1000 };
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		read_all(format, data.buf, data.len, steps[i], 1 << 20, &piece);
		if (strcmp(whole.buf, piece.buf) != 0)
			fail_msg("%s read %zu bytes at a time:\n%s\nwanted:\n%s", path, steps[i], piece.buf, whole.buf);
	}
	qr_buf_release(&data);
	qr_buf_release(&err);
	qr_buf_release(&whole);
	qr_buf_release(&piece);
}

static void test_telegram_any_reads(void **state)
{
	(void)state;
	same_whatever_the_reads("telegram", "tests/fixtures/telegram/result.json", "telegram:1388001234/9@");
	same_whatever_the_reads("telegram", "tests/fixtures/telegram/full/result.json", "telegram:1200000001/1@");
}

static void test_csv_any_reads(void **state)
{
	(void)state;
	same_whatever_the_reads("csv", "tests/fixtures/csv/crowdtangle.csv", "facebook:3301234567890999@");
	same_whatever_the_reads("csv", "tests/fixtures/csv/twarc.csv", "twitter:1268800000000000003@4 ");
}

static void test_csv_broken_rows(void **state)
{
	(void)state;
	qr_buf why = QR_BUF_INIT, out = QR_BUF_INIT;
	qr_mapping *m;
	assert_int_equal(qr_mapping_load("tests/fixtures/csv/monitoring-mapping.json", &m, &why), 0);
	qr_mapping_use(m);
	same_whatever_the_reads("csv", "tests/fixtures/csv/bad.csv", "facebook:fb-017@9 ");
	/* A row that never ends: rejected, and the line after it read again. */
	const char *open_quote = "post_id,network,posted,body\n"
				 "a1,x,01/06/2020 10:00,\"never closed\n"
				 "a2,x,01/06/2020 10:01,fine\n";
	read_all("csv", open_quote, strlen(open_quote), 5, 1 << 20, &out);
	assert_non_null(strstr(out.buf, "!2 "));
	assert_non_null(strstr(out.buf, "x:a2@3 "));
	/* A row past max_record is rejected, the next one read. */
	const char *longrow = "post_id,network,posted,body\n"
			      "a1,x,01/06/2020 10:00,\"a long, long, long, long, long body\"\n"
			      "a2,x,01/06/2020 10:01,short\n";
	read_all("csv", longrow, strlen(longrow), 4, 40, &out);
	assert_non_null(strstr(out.buf, "!2 "));
	assert_non_null(strstr(out.buf, "x:a2@3 "));
	qr_mapping_use(NULL);
	qr_mapping_free(m);
	qr_buf_release(&why);
	qr_buf_release(&out);
}

static void test_warc_any_reads(void **state)
{
	(void)state;
	/* A small WARC: warcinfo, a response with a v2 page, a request. */
	const char *body = "{\"data\":[{\"id\":\"1268600000000000009\",\"author_id\":\"1\",\"text\":\"caf\xC3\xA9 \xF0\x9F\x98\x80\","
			   "\"created_at\":\"2020-06-03T16:00:00.000Z\"}],\"includes\":{\"users\":[{\"id\":\"1\","
			   "\"username\":\"a\"}]}}";
	qr_buf http = QR_BUF_INIT, warc = QR_BUF_INIT, out = QR_BUF_INIT;
	qr_buf_addf(&http, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %zu\r\n\r\n%s",
		    strlen(body), body);
	qr_buf_addf(&warc,
		    "WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 4\r\n\r\nab\r\n\r\n\r\n"
		    "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:x>\r\n"
		    "Content-Type: application/http;msgtype=response\r\nContent-Length: %zu\r\n\r\n%s\r\n\r\n"
		    "WARC/1.0\r\nWARC-Type: request\r\nContent-Length: 3\r\n\r\nGET\r\n\r\n",
		    http.len, http.buf);
	qr_buf whole = QR_BUF_INIT;
	read_all("warc", warc.buf, warc.len, warc.len, 1 << 20, &whole);
	assert_non_null(strstr(whole.buf, "twitter:1268600000000000009@"));
	for (size_t step = 1; step < 9; step++) {
		read_all("warc", warc.buf, warc.len, step, 1 << 20, &out);
		assert_string_equal(out.buf, whole.buf);
	}
	/* Cut inside the block: rejected, nothing framed from it. */
	read_all("warc", warc.buf, warc.len - 80, 3, 1 << 20, &out);
	assert_null(strstr(out.buf, "twitter:"));
	assert_non_null(strchr(out.buf, '!'));
	qr_buf_release(&http);
	qr_buf_release(&warc);
	qr_buf_release(&out);
	qr_buf_release(&whole);
}

static void test_extract(void **state)
{
	(void)state;
	qr_strv v = { 0 };
	qr_extract_hashtags("#WhiteLivesMatter fancams #1 x#no #BTS_ARMY, #방탄소년단! # lone ##twice #ＢＬＭ", &v);
	/* Not: digits only, after a letter, after another '#'. */
	assert_int_equal(v.n, 4);
	assert_string_equal(v.v[0], "WhiteLivesMatter");
	assert_string_equal(v.v[1], "BTS_ARMY");
	assert_string_equal(v.v[2], "방탄소년단");
	assert_string_equal(v.v[3], "ＢＬＭ");
	qr_strv_clear(&v);
	qr_extract_hashtags("&#39; html &amp; #ok #ok #OK", &v);
	assert_int_equal(v.n, 1);
	qr_strv_clear(&v);

	qr_extract_mentions("@dallas_desk: hi @moa.dallas. mail me@example.org @-x @a", &v);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.v[0], "dallas_desk");
	assert_string_equal(v.v[1], "moa.dallas");
	assert_string_equal(v.v[2], "a");
	qr_strv_clear(&v);

	qr_extract_urls("see https://example.org/a_(b), (http://x.org/y) and https://e.org/q?a=1&b=2. "
			"xhttps://no.org https://", &v);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.v[0], "https://example.org/a_(b)");
	assert_string_equal(v.v[1], "http://x.org/y");
	assert_string_equal(v.v[2], "https://e.org/q?a=1&b=2");
	qr_strv_clear(&v);
}

static void test_head(void **state)
{
	(void)state;
	const char *h = "\xEF\xBB\xBF \n{\"data\" : [], \"text\": \"\\\"meta\\\": x\"}";
	assert_int_equal(qr_head_first(h, strlen(h)), '{');
	assert_true(qr_head_has_key(h, strlen(h), "data"));
	assert_false(qr_head_has_key(h, strlen(h), "meta"));
	assert_false(qr_head_has_key(h, strlen(h), "dat"));
	assert_int_equal(qr_head_first("  ", 2), 0);

	/* Empty pages: [] and "key": [] with blanks anywhere. */
	assert_true(qr_head_key_empty(h, strlen(h), "data"));
	assert_false(qr_head_key_empty(h, strlen(h), "text"));
	const char *full = "{\"statuses\":\t[ {\"id\": 1} ], \"results\" :[\r\n]";
	assert_false(qr_head_key_empty(full, strlen(full), "statuses"));
	assert_true(qr_head_key_empty(full, strlen(full), "results"));
	assert_false(qr_head_key_empty(full, strlen(full) - 1, "results"));
	assert_true(qr_head_empty_array("\xEF\xBB\xBF [ \n ]\n", 9));
	assert_true(qr_head_empty_array("[]", 2));
	assert_false(qr_head_empty_array("[", 1));
	assert_false(qr_head_empty_array("[{}]", 4));
	assert_false(qr_head_empty_array("{\"a\": []}", 9));

	const char *ids = "1268312345678901234\r\n1268312345678901235\n12683";
	assert_non_null(qr_head_hint(ids, strlen(ids)));
	assert_null(qr_head_hint("12 monkeys\n", 11));
	assert_non_null(strstr(qr_head_hint("a;b;c\n1;2;3\n", 12), "mapping"));
	assert_null(qr_head_hint("{\"a\":1,\"b\":2,\"c\":3}", 19));
}

/* Every bidder against every fixture: the intended reader wins. */
static void test_sniff_fixtures(void **state)
{
	(void)state;
	static const struct {
		const char *path, *format;
	} cases[] = {
		{ "tests/fixtures/twitter-v2/pages.jsonl", "twitter-v2" },
		{ "tests/fixtures/twitter-v2/compliance.jsonl", "twitter-v2" },
		{ "tests/fixtures/gnip-activity/activities.json", "gnip-activity" },
		{ "tests/fixtures/gnip-activity/original_format.json", "twitter-v1" },
		{ "tests/fixtures/reddit/RS_2020-06.ndjson", "reddit" },
		{ "tests/fixtures/telegram/full/result.json", "telegram" },
		{ "tests/fixtures/csv/crowdtangle.csv", "csv" },
		{ "tests/fixtures/warc/search_v2.json", "twitter-v2" },
		{ "tests/fixtures/warc/stream_v1.jsonl", "twitter-v1" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		qr_buf data = QR_BUF_INIT, err = QR_BUF_INIT;
		assert_int_equal(qr_io_read_file(cases[i].path, 1 << 20, &data, &err), 0);
		int bid;
		const qr_format *f = qr_format_sniff(data.buf, data.len < 65536 ? data.len : 65536, NULL, &bid);
		if (!f || strcmp(f->name, cases[i].format) != 0)
			fail_msg("%s sniffed as %s", cases[i].path, f ? f->name : "nothing");
		qr_buf_release(&data);
		qr_buf_release(&err);
	}
	int bid;
	assert_null(qr_format_sniff("hello\n", 6, NULL, &bid));
	assert_null(qr_format_sniff("{\"a\": 1}", 8, NULL, &bid));
	assert_null(qr_format_sniff("{\"a\": []}", 9, NULL, &bid));

	/* Pages that came back empty go to the reader of their API. */
	static const struct {
		const char *head, *format;
	} empty[] = {
		{ "[]\n", "twitter-v1" },
		{ "{\"statuses\": [], \"search_metadata\": {\"count\": 100}}", "twitter-v1" },
		{ "{\"results\": [], \"requestParameters\": {}}", "twitter-v1" },
		{ "{\"errors\": [{\"message\": \"Rate limit exceeded\", \"code\": 88}]}", "twitter-v1" },
		{ "{\"meta\": {\"result_count\": 0}}", "twitter-v2" },
		{ "{\"data\": []}", "twitter-v2" },
		{ "{\"kind\": \"Listing\", \"data\": {\"children\": []}}", "reddit" },
	};
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		const qr_format *f = qr_format_sniff(empty[i].head, strlen(empty[i].head), NULL, &bid);
		if (!f || strcmp(f->name, empty[i].format) != 0)
			fail_msg("%s sniffed as %s", empty[i].head, f ? f->name : "nothing");
		if (empty[i].head[0] == '[')
			continue; /* framed into no record at all */
		qr_posts ps = { 0 };
		qr_buf why = QR_BUF_INIT;
		assert_int_equal(f->normalize(empty[i].head, strlen(empty[i].head), &ps, &why), QR_SKIP);
		qr_posts_clear(&ps);
		qr_buf_release(&why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_telegram_any_reads), cmocka_unit_test(test_csv_any_reads),
		cmocka_unit_test(test_csv_broken_rows),    cmocka_unit_test(test_warc_any_reads),
		cmocka_unit_test(test_extract),            cmocka_unit_test(test_head),
		cmocka_unit_test(test_sniff_fixtures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
