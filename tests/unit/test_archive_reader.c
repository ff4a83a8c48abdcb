/* The archive formats' helpers and their normalize, record by record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "archive_reader.h"
#include "format.h"
#include "status.h"

static void test_media_mime(void **state)
{
	(void)state;
	assert_string_equal(qr_media_mime("\x89PNG\r\n\x1a\n....", 12, "x.bin"), "image/png");
	assert_string_equal(qr_media_mime("\xFF\xD8\xFF\xE0", 4, NULL), "image/jpeg");
	assert_string_equal(qr_media_mime("GIF89a", 6, NULL), "image/gif");
	assert_string_equal(qr_media_mime("\0\0\0\x18" "ftypisom", 12, NULL), "video/mp4");
	assert_string_equal(qr_media_mime("\0\0\0\x18" "ftypM4A ", 12, NULL), "audio/mp4");
	assert_string_equal(qr_media_mime("RIFF\0\0\0\0WEBP", 12, NULL), "image/webp");
	/* Unknown bytes: the name's extension, else nothing. */
	assert_string_equal(qr_media_mime("????", 4, "dir/a.JPG?x=1"), "image/jpeg");
	assert_null(qr_media_mime("????", 4, "noext"));
	assert_null(qr_media_mime("", 0, NULL));
	assert_string_equal(qr_mime_media_kind("image/png"), "photo");
	assert_string_equal(qr_mime_media_kind("image/gif"), "gif");
	assert_string_equal(qr_mime_media_kind("video/webm"), "video");
	assert_string_equal(qr_mime_media_kind(NULL), "file");
	size_t n;
	const char *b = qr_path_base("https://v.example/a/b/Clip.mp4?tag=10#t", &n);
	assert_int_equal(n, 8);
	assert_memory_equal(b, "Clip.mp4", 8);
	b = qr_path_base("plain", &n);
	assert_int_equal(n, 5);
}

static void test_held_and_map(void **state)
{
	(void)state;
	qr_held h;
	qr_held_init(&h);
	qr_frame f = { "{\"a\":1}", 7, 3, 10 };
	qr_held_add(&h, "one.js", &f);
	f = (qr_frame){ "{\"b\":2}", 7, 9, 40 };
	qr_held_add(&h, "two.js", &f);
	qr_frame got;
	const char *member;
	qr_held_get(&h, 1, &got, &member);
	assert_int_equal(got.len, 7);
	assert_memory_equal(got.data, "{\"b\":2}", 7);
	assert_int_equal(got.line, 9);
	assert_string_equal(member, "two.js");
	qr_held_truncate(&h, 1);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.bytes.len, 7);
	qr_held_release(&h);

	cJSON *o = cJSON_Parse("{\"k\":1,\"x\":2,\"k\":3}");
	qr_json_map m;
	qr_json_map_build(&m, o);
	assert_int_equal(qr_json_map_get(&m, "k")->valueint, 3); /* the last one wins */
	assert_int_equal(qr_json_map_get(&m, "x")->valueint, 2);
	assert_null(qr_json_map_get(&m, "nope"));
	qr_json_map_release(&m);
	cJSON_Delete(o);
}

static int norm(const char *format, const char *json, qr_posts *ps, qr_buf *why)
{
	const qr_format *f = qr_format_by_name(format);
	assert_non_null(f);
	assert_non_null(f->archive);
	qr_posts_clear(ps);
	qr_buf_reset(why);
	return f->archive->normalize(NULL, json, strlen(json), ps, why);
}

static void test_twitter_records(void **state)
{
	(void)state;
	qr_posts ps = { 0 };
	qr_buf why = QR_BUF_INIT;
	/* Without a context (none stored): the post, without its author. */
	assert_int_equal(norm("twitter-archive",
			      "{\"tweet\":{\"id_str\":\"20\",\"created_at\":\"Wed Jun 03 14:02:11 +0000 2020\","
			      "\"full_text\":\"RT @someone: hi &amp; bye\",\"favorite_count\":\"4\"}}",
			      &ps, &why),
			 QR_OK);
	assert_string_equal(ps.v[0].id, "twitter:20");
	assert_string_equal(ps.v[0].kind, "repost");
	assert_string_equal(ps.v[0].text, "RT @someone: hi & bye");
	assert_null(ps.v[0].author_handle);
	assert_string_equal(qr_kvv_get(&ps.v[0].extra, "archive_context"), "missing");
	/* Older archives: bare tweet objects. */
	assert_int_equal(norm("twitter-archive",
			      "{\"id_str\":\"21\",\"created_at\":\"Wed Jun 03 14:02:11 +0000 2020\",\"full_text\":\"x\"}",
			      &ps, &why),
			 QR_OK);
	/* Rejected, with a reason. */
	assert_int_equal(norm("twitter-archive", "{\"tweet\":{\"id_str\":\"1e5\",\"created_at\":\"x\"}}", &ps, &why),
			 QR_BAD_INPUT);
	assert_string_equal(why.buf, "no valid id_str");
	assert_int_equal(norm("twitter-archive", "{\"tweet\":{\"id_str\":\"22\",\"created_at\":\"yesterday\",\"full_text\":\"\"}}",
			      &ps, &why),
			 QR_BAD_INPUT);
	assert_int_equal(norm("twitter-archive", "[1,2]", &ps, &why), QR_BAD_INPUT);
	assert_int_equal(norm("twitter-archive", "{\"like\":{}}", &ps, &why), QR_BAD_INPUT);
	assert_int_equal(norm("twitter-archive", "{\"tweet\":", &ps, &why), QR_BAD_INPUT);
	qr_posts_clear(&ps);
	qr_buf_release(&why);
}

static void test_mastodon_records(void **state)
{
	(void)state;
	qr_posts ps = { 0 };
	qr_buf why = QR_BUF_INIT;
	assert_int_equal(norm("mastodon",
			      "{\"type\":\"Create\",\"actor\":\"https://m.example/users/ann\",\"to\":\"https://m.example/users/ann/followers\","
			      "\"object\":{\"id\":\"https://m.example/users/ann/statuses/7\",\"type\":\"Note\",\"published\":"
			      "\"2020-06-03T10:00:00Z\",\"content\":\"<p>hi</p>\",\"tag\":{\"type\":\"Mention\",\"name\":\"@zed\"},"
			      "\"attachment\":{\"type\":\"Document\",\"mediaType\":\"image/gif\",\"url\":[{\"href\":\"https://m.example/a.gif\"}]}}}",
			      &ps, &why),
			 QR_OK);
	qr_post *p = &ps.v[0];
	assert_string_equal(p->id, "mastodon:m.example/7");
	assert_string_equal(p->author_handle, "ann@m.example");
	assert_string_equal(p->text, "hi");
	assert_string_equal(qr_kvv_get(&p->extra, "visibility"), "followers");
	assert_string_equal(p->mentions.v[0], "zed@m.example");
	assert_int_equal(p->nmedia, 1);
	assert_string_equal(p->media[0].type, "gif");
	assert_string_equal(p->media[0].url, "https://m.example/a.gif");
	assert_null(p->media[0].sha256);
	/* Activities that hold no post are skipped, not rejected. */
	assert_int_equal(norm("mastodon", "{\"type\":\"Like\",\"object\":\"https://x.example/1\"}", &ps, &why), QR_SKIP);
	assert_int_equal(norm("mastodon", "{\"type\":\"Create\",\"object\":\"https://x.example/1\"}", &ps, &why),
			 QR_BAD_INPUT);
	assert_int_equal(norm("mastodon", "{\"type\":\"Announce\",\"id\":\"https://m.example/users/a/statuses/9/activity\"}",
			      &ps, &why),
			 QR_BAD_INPUT);
	assert_int_equal(norm("mastodon", "{\"type\":\"Create\",\"object\":{\"id\":\"urn:x\",\"published\":\"soon\"}}", &ps, &why),
			 QR_BAD_INPUT);
	assert_int_equal(norm("mastodon", "\"just a string\"", &ps, &why), QR_BAD_INPUT);
	/* A URI that is no status URL still makes an id. */
	assert_int_equal(norm("mastodon", "{\"type\":\"Announce\",\"id\":\"tag:x,2020:1\",\"object\":\"urn:y\"}", &ps, &why),
			 QR_OK);
	assert_string_equal(ps.v[0].id, "mastodon:tag:x,2020:1");
	assert_string_equal(ps.v[0].repost_of, "mastodon:urn:y");
	qr_posts_clear(&ps);
	qr_buf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_media_mime),
		cmocka_unit_test(test_held_and_map),
		cmocka_unit_test(test_twitter_records),
		cmocka_unit_test(test_mastodon_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
