/* indexer/twitter_common.c and the record helpers the readers share
 * (qr_parse_object, qr_context_parse, qr_post_metric_json). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "archive_reader.h"
#include "format.h"
#include "reader_util.h"
#include "twitter_common.h"

static cJSON *parse(const char *json)
{
	cJSON *v = qr_json_parse(json, strlen(json), NULL);
	assert_non_null(v);
	return v;
}

static void test_ids(void **state)
{
	(void)state;
	qr_buf id = QR_BUF_INIT;
	assert_true(qr_twitter_valid_id("1"));
	assert_true(qr_twitter_valid_id("12345678901234567890"));
	assert_false(qr_twitter_valid_id("123456789012345678901"));
	assert_false(qr_twitter_valid_id(""));
	assert_false(qr_twitter_valid_id(NULL));
	assert_false(qr_twitter_valid_id("12a"));
	assert_false(qr_twitter_valid_id("-12"));

	cJSON *o = parse("{\"id\": 42, \"id_str\": \"1268260000000000001\"}");
	assert_true(qr_twitter_get_id(o, &id));
	assert_string_equal(id.buf, "1268260000000000001");
	cJSON_Delete(o);
	/* A broken id_str falls back to id. */
	o = parse("{\"id\": 42, \"id_str\": \"x42\"}");
	assert_true(qr_twitter_get_id(o, &id));
	assert_string_equal(id.buf, "42");
	cJSON_Delete(o);
	o = parse("{\"id\": \"not a number\"}");
	assert_false(qr_twitter_get_id(o, &id));
	cJSON_Delete(o);
	qr_buf_release(&id);
}

static void test_author_and_refs(void **state)
{
	(void)state;
	qr_post p;
	qr_post_init(&p);
	qr_post_set_id(&p, "twitter", "1268260000000000001");
	assert_string_equal(p.id, "twitter:1268260000000000001");
	qr_twitter_set_author(&p, "4071", "kpop_fan_demo", "Fan");
	assert_string_equal(p.author_id, "4071");
	assert_string_equal(p.url, "https://twitter.com/kpop_fan_demo/status/1268260000000000001");
	qr_twitter_set_author(&p, NULL, NULL, NULL);
	assert_null(p.author_id);
	assert_null(p.author_handle);
	assert_string_equal(p.url, "https://twitter.com/i/web/status/1268260000000000001");
	qr_twitter_set_ref(&p.reply_to, "7");
	assert_string_equal(p.reply_to, "twitter:7");
	qr_post_clear(&p);
}

static void test_links_and_entities(void **state)
{
	(void)state;
	qr_post p;
	qr_post_init(&p);
	qr_buf text = QR_BUF_INIT;
	cJSON *ents = parse("{\"hashtags\": [{\"text\": \"BLM\"}, {\"text\": \"\"}, {\"text\": \"blm\"}],"
			    " \"user_mentions\": [{\"screen_name\": \"dallas_pd\"}],"
			    " \"urls\": [{\"url\": \"https://t.co/a\", \"expanded_url\": \"https://example.org/a?x=1&y=2\"},"
			    "          {\"url\": \"https://t.co/b\"}],"
			    " \"media\": [{\"url\": \"https://t.co/m\"}]}");
	qr_buf_adds(&text, "see https://t.co/a and https://t.co/a https://t.co/m \n");
	qr_twitter_expand_v1_links(&text, ents, qr_json_get(ents, "media"));
	assert_string_equal(text.buf, "see https://example.org/a?x=1&y=2 and https://example.org/a?x=1&y=2");

	qr_twitter_add_v1_tags(&p, ents);
	assert_int_equal(p.hashtags.n, 1);  /* empty dropped, case-insensitive duplicate dropped */
	assert_int_equal(p.mentions.n, 1);
	assert_int_equal(p.urls.n, 0);
	qr_twitter_add_v1_entities(&p, ents);
	assert_int_equal(p.urls.n, 2);       /* expanded, else the t.co link */
	assert_string_equal(p.urls.v[1], "https://t.co/b");

	/* An empty "from" changes nothing. */
	qr_buf_setf(&text, "abc");
	qr_twitter_replace_all(&text, "", "x");
	assert_string_equal(text.buf, "abc");
	cJSON_Delete(ents);
	qr_buf_release(&text);
	qr_post_clear(&p);
}

static void test_media(void **state)
{
	(void)state;
	qr_post p;
	qr_post_init(&p);
	cJSON *list = parse("[{\"type\": \"video\", \"id_str\": \"99\", \"media_url_https\": \"https://pbs/still.jpg\","
			    "  \"ext_alt_text\": \"a march\","
			    "  \"video_info\": {\"duration_millis\": 4000, \"variants\": ["
			    "    {\"content_type\": \"application/x-mpegURL\", \"url\": \"https://v/pl.m3u8\"},"
			    "    {\"content_type\": \"video/mp4\", \"bitrate\": 256000, \"url\": \"https://v/low.mp4\"},"
			    "    {\"content_type\": \"video/mp4\", \"bitrate\": 832000, \"url\": \"https://v/high.mp4\"},"
			    "    {\"content_type\": \"video/mp4\", \"bitrate\": 1}]}},"
			    " {\"id_str\": \"no type\"},"
			    " {\"type\": \"animated_gif\", \"media_url\": \"http://pbs/gif.jpg\"}]");
	const cJSON *video = cJSON_GetArrayItem(list, 0);

	qr_media *m = qr_twitter_add_v1_medium(&p, video, false);
	assert_non_null(m);
	assert_string_equal(m->url, "https://v/high.mp4");
	assert_string_equal(m->mime, "video/mp4");
	assert_string_equal(m->key, "99");
	assert_string_equal(m->alt_text, "a march");
	assert_int_equal(m->duration_ms, 4000);
	assert_int_equal(m->variants.n, 3);  /* the one without a URL is no variant */
	assert_null(qr_twitter_add_v1_medium(&p, cJSON_GetArrayItem(list, 1), true));
	assert_int_equal(p.nmedia, 1);

	qr_twitter_add_v1_media(&p, list);
	assert_int_equal(p.nmedia, 3);
	assert_int_equal(p.media[1].variants.n, 4);  /* the still too */
	assert_string_equal(p.media[1].variants.v[3], "https://pbs/still.jpg");
	assert_string_equal(p.media[2].type, "gif");
	assert_string_equal(p.media[2].url, "http://pbs/gif.jpg");
	assert_int_equal(p.media[2].variants.n, 0);
	cJSON_Delete(list);
	qr_post_clear(&p);
}

static void test_records(void **state)
{
	(void)state;
	qr_buf why = QR_BUF_INIT;
	cJSON *v = qr_parse_object("[1]", 3, &why);
	assert_null(v);
	assert_string_equal(why.buf, "record is not a JSON object");
	qr_buf_reset(&why);
	assert_null(qr_parse_object("{\"a\":", 5, &why));
	assert_true(why.len > 0);
	v = qr_parse_object("{\"n\": \"12\"}", 11, &why);
	assert_non_null(v);

	qr_post p;
	qr_post_init(&p);
	qr_post_metric_json(&p, v, "n", "likes");
	qr_post_metric_json(&p, v, "missing", "replies");
	assert_int_equal(p.nmetrics, 1);
	assert_int_equal(p.metrics[0].value, 12);
	qr_post_clear(&p);
	cJSON_Delete(v);

	const char *ctx = "{\"context\": \"mastodon\", \"version\": 1}";
	assert_null(qr_context_parse(ctx, strlen(ctx), "twitter-archive", &why));
	assert_string_equal(why.buf, "not a twitter-archive context");
	v = qr_context_parse(ctx, strlen(ctx), "mastodon", &why);
	assert_non_null(v);
	cJSON_Delete(v);
	assert_null(qr_context_parse("{}", 2, "mastodon", &why));
	qr_buf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_author_and_refs),
		cmocka_unit_test(test_links_and_entities),
		cmocka_unit_test(test_media),
		cmocka_unit_test(test_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
