/* CIDs, DAG-CBOR, a Bluesky record into a post, and deletion marks
 * across versions.  Vectors made with python3-cbor2 and Python's base32. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bluesky.h"
#include "cid.h"
#include "dagcbor.h"
#include "hash.h"
#include "status.h"
#include "timeutil.h"

/* The CIDv1 (dag-cbor, sha2-256) of zero bytes. */
#define EMPTY_CID "bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"

static void test_varint(void **state)
{
	(void)state;
	uint64_t v;
	qr_buf b = QR_BUF_INIT;
	assert_int_equal(qr_varint_read((const uint8_t *)"\x05", 1, &v), 1);
	assert_int_equal(v, 5);
	assert_int_equal(qr_varint_read((const uint8_t *)"\xac\x02", 2, &v), 2);
	assert_int_equal(v, 300);
	assert_int_equal(qr_varint_read((const uint8_t *)"\xac", 1, &v), 0);        /* cut short */
	assert_int_equal(qr_varint_read((const uint8_t *)"\x85\x00", 2, &v), 0);    /* not minimal */
	assert_int_equal(qr_varint_read((const uint8_t *)"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10, &v), 0);
	qr_varint_write(&b, 300);
	assert_int_equal(b.len, 2);
	assert_memory_equal(b.buf, "\xac\x02", 2);
	qr_buf_release(&b);
}

static void test_cid(void **state)
{
	(void)state;
	uint8_t sha[QR_SHA256_LEN], other[QR_SHA256_LEN];
	qr_cid cid, back;
	qr_buf text = QR_BUF_INIT, why = QR_BUF_INIT;
	qr_sha256("", 0, sha);
	qr_cid_of_sha256(sha, QR_CID_DAG_CBOR, &cid);
	qr_cid_format(&cid, &text);
	assert_string_equal(text.buf, EMPTY_CID);
	assert_true(qr_cid_parse(text.buf, &back));
	assert_int_equal(back.codec, QR_CID_DAG_CBOR);
	assert_memory_equal(back.digest, sha, QR_SHA256_LEN);
	assert_true(qr_cid_matches(&back, sha, &why));
	qr_sha256("x", 1, other);
	assert_false(qr_cid_matches(&back, other, &why));
	assert_non_null(strstr(why.buf, "the CID names e3b0c442"));
	/* Not CIDs: another multibase, a character outside base32, a cut. */
	assert_false(qr_cid_parse("zQmfoo", &back));
	assert_false(qr_cid_parse("bafyrei1", &back));
	assert_false(qr_cid_parse("bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xed", &back));
	/* A CIDv0 in binary form is refused with a reason. */
	uint8_t v0[34] = { 0x12, 0x20 };
	assert_int_equal(qr_cid_read(v0, sizeof(v0), &back, &why), 0);
	assert_non_null(strstr(why.buf, "CIDv0"));
	qr_buf_release(&text);
	qr_buf_release(&why);
}

static cJSON *decode_hex(const char *hex, int want, qr_buf *why)
{
	size_t n = strlen(hex) / 2;
	uint8_t *b = malloc(n + 1);
	assert_true(qr_unhex(hex, b, n));
	cJSON *v = NULL;
	qr_buf_reset(why);
	assert_int_equal(qr_dagcbor_to_json(b, n, &v, why), want);
	free(b);
	return v;
}

static void test_dagcbor(void **state)
{
	(void)state;
	qr_buf why = QR_BUF_INIT;
	/* {"a": [1, -2, CID link], "b": bytes 01 02 03} */
	cJSON *v = decode_hex("a26161830121d82a58250001711220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca4"
			      "95991b7852b855616243010203",
			      QR_OK, &why);
	char *s = cJSON_PrintUnformatted(v);
	assert_string_equal(s, "{\"a\":[1,-2,{\"$link\":\"" EMPTY_CID "\"}],\"b\":{\"$bytes\":\"AQID\"}}");
	free(s);
	cJSON_Delete(v);
	/* An array that declares 2^32 items in 4 bytes: refused, nothing allocated. */
	assert_null(decode_hex("9affffffff00", QR_BAD_INPUT, &why));
	assert_non_null(strstr(why.buf, "an array of 4294967295 items in 6 bytes"));
	/* Indefinite length, a second value, a map key that is no string,
	 * a tag other than 42, a cut item, half floats. */
	assert_null(decode_hex("9f01ff", QR_BAD_INPUT, &why));
	assert_non_null(strstr(why.buf, "indefinite"));
	assert_null(decode_hex("0101", QR_BAD_INPUT, &why));
	assert_non_null(strstr(why.buf, "1 bytes after the value"));
	assert_null(decode_hex("a10101", QR_BAD_INPUT, &why));
	assert_non_null(strstr(why.buf, "map key"));
	assert_null(decode_hex("c101", QR_BAD_INPUT, &why));
	assert_non_null(strstr(why.buf, "tag 1"));
	assert_null(decode_hex("6568656c", QR_BAD_INPUT, &why));
	assert_non_null(strstr(why.buf, "ends inside"));
	assert_null(decode_hex("f93c00", QR_BAD_INPUT, &why));
	/* Tag 42 on a text string; bytes of 42 that are no CID. */
	assert_null(decode_hex("d82a6161", QR_BAD_INPUT, &why));
	assert_null(decode_hex("d82a420001", QR_BAD_INPUT, &why));
	/* Nesting past the bound. */
	char deep[2 * (QR_DAGCBOR_MAX_DEPTH + 2) + 3];
	memset(deep, 0, sizeof(deep));
	for (int i = 0; i < QR_DAGCBOR_MAX_DEPTH + 1; i++)
		memcpy(deep + 2 * i, "81", 2);
	memcpy(deep + 2 * (QR_DAGCBOR_MAX_DEPTH + 1), "01", 2);
	assert_null(decode_hex(deep, QR_BAD_INPUT, &why));
	assert_non_null(strstr(why.buf, "nested deeper"));
	qr_buf_release(&why);
}

static int record(const char *json, const char *collection, qr_posts *ps, qr_buf *why)
{
	cJSON *r = cJSON_Parse(json);
	assert_non_null(r);
	qr_bsky_where w = { "did:plc:aaaa", collection, "3la76ntihs22b", "bafyx", NULL, "Desk" };
	qr_buf_reset(why);
	int st = qr_bsky_record(r, &w, ps, why);
	cJSON_Delete(r);
	return st;
}

static void test_records(void **state)
{
	(void)state;
	qr_posts ps = { 0 };
	qr_buf why = QR_BUF_INIT;
	/* "é #tag x.org/ab...": the facets' byte ranges count é as two bytes;
	 * a range inside a character and one past the end are ignored. */
	assert_int_equal(record("{\"$type\":\"app.bsky.feed.post\",\"text\":\"\xc3\xa9 #tag x.org/ab...\","
				"\"createdAt\":\"2024-11-05T13:00:00.123+01:00\",\"facets\":["
				"{\"index\":{\"byteStart\":3,\"byteEnd\":7},\"features\":[{\"$type\":\"app.bsky.richtext.facet#tag\",\"tag\":\"tag\"}]},"
				"{\"index\":{\"byteStart\":8,\"byteEnd\":19},\"features\":[{\"$type\":\"app.bsky.richtext.facet#link\",\"uri\":\"https://x.org/abcdef\"}]},"
				"{\"index\":{\"byteStart\":1,\"byteEnd\":4},\"features\":[{\"$type\":\"app.bsky.richtext.facet#mention\",\"did\":\"did:plc:m\"}]},"
				"{\"index\":{\"byteStart\":8,\"byteEnd\":99},\"features\":[{\"$type\":\"app.bsky.richtext.facet#link\",\"uri\":\"https://y.org\"}]}]}",
				QR_BSKY_POST, &ps, &why),
			 QR_OK);
	qr_post *p = &ps.v[0];
	assert_string_equal(p->id, "bluesky:did:plc:aaaa/3la76ntihs22b");
	assert_string_equal(p->text, "\xc3\xa9 #tag https://x.org/abcdef");
	assert_string_equal(p->hashtags.v[0], "tag");
	assert_int_equal(p->mentions.n, 1);   /* the DID; the range was inside é */
	assert_string_equal(p->mentions.v[0], "did:plc:m");
	assert_int_equal(p->urls.n, 2);
	assert_int_equal(p->created, 1730808000);
	assert_string_equal(p->author_handle, "did:plc:aaaa");   /* no handle known */
	assert_string_equal(p->url, "https://bsky.app/profile/did:plc:aaaa/post/3la76ntihs22b");
	assert_string_equal(qr_kvv_get(&p->source.provenance, "cid"), "bafyx");
	qr_posts_clear(&ps);
	/* No createdAt: the time in the TID record key (made a minute
	 * after 2024-11-05T12:00:00Z). */
	assert_int_equal(record("{\"$type\":\"app.bsky.feed.post\",\"text\":\"t\"}", QR_BSKY_POST, &ps, &why), QR_OK);
	assert_int_equal(ps.v[0].created, 1730808060);
	assert_string_equal(qr_kvv_get(&ps.v[0].extra, "time_from"), "rkey");
	qr_posts_clear(&ps);
	/* Linked words that are not the address shortened stay as written. */
	assert_int_equal(record("{\"$type\":\"app.bsky.feed.post\",\"text\":\"read this article or www.x.org/a\xe2\x80\xa6\","
				"\"facets\":[{\"index\":{\"byteStart\":5,\"byteEnd\":17},\"features\":[{\"$type\":"
				"\"app.bsky.richtext.facet#link\",\"uri\":\"https://y.org/story\"}]},"
				"{\"index\":{\"byteStart\":21,\"byteEnd\":35},\"features\":[{\"$type\":"
				"\"app.bsky.richtext.facet#link\",\"uri\":\"https://www.x.org/abc\"}]}]}",
				QR_BSKY_POST, &ps, &why),
			 QR_OK);
	assert_string_equal(ps.v[0].text, "read this article or https://www.x.org/abc");
	assert_int_equal(ps.v[0].urls.n, 2);
	qr_posts_clear(&ps);
	/* entities (2023) in UTF-16 units: the emoji before counts two. */
	assert_int_equal(record("{\"$type\":\"app.bsky.feed.post\",\"text\":\"\xf0\x9f\x91\x8b @bo\",\"createdAt\":\"2023-03-01T10:00:00Z\","
				"\"entities\":[{\"index\":{\"start\":3,\"end\":6},\"type\":\"mention\",\"value\":\"did:plc:bo\"}]}",
				QR_BSKY_POST, &ps, &why),
			 QR_OK);
	assert_string_equal(ps.v[0].mentions.v[0], "bo");
	assert_string_equal(ps.v[0].mentions.v[1], "did:plc:bo");
	qr_posts_clear(&ps);
	/* A repost; one without a post as subject. */
	assert_int_equal(record("{\"$type\":\"app.bsky.feed.repost\",\"subject\":{\"uri\":\"at://did:plc:o/app.bsky.feed.post/3k\"},"
				"\"createdAt\":\"2024-11-05T12:00:00Z\"}",
				QR_BSKY_REPOST, &ps, &why),
			 QR_OK);
	assert_string_equal(ps.v[0].kind, "repost");
	assert_string_equal(ps.v[0].repost_of, "bluesky:did:plc:o/3k");
	assert_string_equal(ps.v[0].url, "https://bsky.app/profile/did:plc:o/post/3k");
	qr_posts_clear(&ps);
	assert_int_equal(record("{\"$type\":\"app.bsky.feed.repost\",\"subject\":{\"uri\":\"at://did:plc:o/app.bsky.graph.list/3k\"}}",
				QR_BSKY_REPOST, &ps, &why),
			 QR_BAD_INPUT);
	/* Likes and unknown collections hold no post. */
	assert_int_equal(record("{\"$type\":\"app.bsky.feed.like\"}", "app.bsky.feed.like", &ps, &why), QR_SKIP);
	assert_int_equal(record("{\"x\":1}", "com.example.thing", &ps, &why), QR_SKIP);
	assert_int_equal(ps.n, 0);
	qr_buf_release(&why);
}

static void test_deleted_versions(void **state)
{
	(void)state;
	qr_posts ps = { 0 };
	qr_post old;
	qr_post_init(&old);
	qr_set(&old.id, "bluesky:did:plc:aaaa/3k");
	qr_set(&old.text, "what was said");
	qr_set(&old.record.sha256, "aa");
	qr_set(&old.record.locator, "000001.zst:0:1");
	qr_strv_push(&old.tags, "reviewed");
	/* A deletion of a post the corpus holds: the post stays, marked. */
	qr_bsky_tombstone(&ps, "did:plc:aaaa", QR_BSKY_POST, "3k", NULL, 1730811600);
	qr_post *t = &ps.v[0];
	assert_true(t->tombstone);
	qr_set(&t->record.sha256, "bb");
	qr_set(&t->record.locator, "000001.zst:0:2");
	qr_post_inherit(t, &old);
	assert_string_equal(t->text, "what was said");
	assert_true(t->deleted);
	assert_false(t->tombstone);
	assert_int_equal(t->deleted_at, 1730811600);
	assert_string_equal(t->record.sha256, "aa");
	assert_string_equal(qr_kvv_get(&t->record.versions, "bb"), "000001.zst:0:2");
	assert_string_equal(t->tags.v[0], "reviewed");
	/* A later record (an edit) keeps the mark. */
	qr_post edit;
	qr_post_init(&edit);
	qr_set(&edit.id, old.id);
	qr_set(&edit.record.sha256, "cc");
	qr_set(&edit.record.locator, "000001.zst:0:3");
	qr_post_inherit(&edit, t);
	assert_true(edit.deleted);
	assert_int_equal(edit.deleted_at, 1730811600);
	assert_non_null(qr_kvv_get(&edit.record.versions, "aa"));
	assert_non_null(qr_kvv_get(&edit.record.versions, "bb"));
	/* The mark survives the post's JSON. */
	qr_buf json = QR_BUF_INIT, why = QR_BUF_INIT;
	qr_jw w;
	qr_jw_init(&w, &json, false);
	qr_post_to_data(&edit, &w);
	qr_post back;
	qr_post_init(&back);
	assert_int_equal(qr_post_from_json(&back, json.buf, json.len, &why), QR_OK);
	assert_true(back.deleted);
	assert_false(back.tombstone);
	assert_int_equal(back.deleted_at, 1730811600);
	/* A post whose CID names another record is caught. */
	bool checked;
	qr_set(&back.source.format, QR_CID_FORMAT);
	qr_kvv_set(&back.source.provenance, "cid", EMPTY_CID);
	qr_set(&back.record.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_true(qr_cid_check_post(&back, &checked, &why));
	assert_true(checked);
	qr_set(&back.record.sha256, "f3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_false(qr_cid_check_post(&back, &checked, &why));
	qr_post_clear(&back);
	qr_post_clear(&edit);
	qr_post_clear(&old);
	qr_posts_clear(&ps);
	qr_buf_release(&json);
	qr_buf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint),
		cmocka_unit_test(test_cid),
		cmocka_unit_test(test_dagcbor),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_deleted_versions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
