/* indexer/read_twitter_v1.c: Twitter API v1.1 records into posts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "format.h"
#include "status.h"
#include "timeutil.h"

/* A user object and a created_at, so that the records below say only what
 * each test is about. */
#define USER "\"user\":{\"id\":4071,\"id_str\":\"4071\",\"screen_name\":\"kpop_fan_demo\",\"name\":\"Fan \\ud83d\\udc9c\"}"
#define WHEN "\"created_at\":\"Wed Jun 03 14:02:11 +0000 2020\""

static const qr_format *v1(void)
{
	const qr_format *f = qr_format_by_name("twitter-v1");
	assert_non_null(f);
	return f;
}

static int norm(const char *json, qr_posts *ps, qr_buf *why)
{
	memset(ps, 0, sizeof(*ps));
	qr_buf_reset(why);
	return v1()->normalize(json, strlen(json), ps, why);
}

/* Normalize a record that must give exactly one post. */
static void one(const char *json, qr_posts *ps)
{
	qr_buf why = QR_BUF_INIT;
	int st = norm(json, ps, &why);
	if (st != QR_OK)
		fail_msg("rejected (%d): %s", st, why.buf);
	assert_int_equal(ps->n, 1);
	qr_buf_release(&why);
}

/* A record that must be rejected with a reason containing `reason`. */
static void rejected(const char *json, int want, const char *reason)
{
	qr_posts ps;
	qr_buf why = QR_BUF_INIT;
	int st = norm(json, &ps, &why);
	if (st != want)
		fail_msg("status %d, wanted %d (%s) for %s", st, want, why.buf, json);
	if (!strstr(why.buf, reason))
		fail_msg("reason '%s' does not say '%s'", why.buf, reason);
	assert_int_equal(ps.n, 0);
	qr_posts_clear(&ps);
	qr_buf_release(&why);
}

static void test_text_precedence(void **state)
{
	(void)state;
	qr_posts ps;
	/* Streaming: extended_tweet.full_text wins over a cut text. */
	one("{\"id_str\":\"1\"," WHEN "," USER ",\"text\":\"short\\u2026\",\"truncated\":true,"
	    "\"full_text\":\"middle\",\"extended_tweet\":{\"full_text\":\"the whole streaming text\"}}", &ps);
	assert_string_equal(ps.v[0].text, "the whole streaming text");
	assert_null(qr_kvv_get(&ps.v[0].extra, "text_truncated"));
	qr_posts_clear(&ps);
	/* Extended mode: full_text over text. */
	one("{\"id_str\":\"2\"," WHEN "," USER ",\"text\":\"short\",\"full_text\":\"the full text\"}", &ps);
	assert_string_equal(ps.v[0].text, "the full text");
	qr_posts_clear(&ps);
	/* Compat mode: text alone. */
	one("{\"id_str\":\"3\"," WHEN "," USER ",\"text\":\"only text\"}", &ps);
	assert_string_equal(ps.v[0].text, "only text");
	qr_posts_clear(&ps);
	/* Compat mode cut short with nothing better: kept, and said so. */
	one("{\"id_str\":\"4\"," WHEN "," USER ",\"text\":\"cut \\u2026 https://t.co/abc\",\"truncated\":true}", &ps);
	assert_string_equal(qr_kvv_get(&ps.v[0].extra, "text_truncated"), "true");
	qr_posts_clear(&ps);
	/* null is the same as absent. */
	one("{\"id_str\":\"5\"," WHEN "," USER ",\"extended_tweet\":null,\"full_text\":null,\"text\":\"t\"}", &ps);
	assert_string_equal(ps.v[0].text, "t");
	qr_posts_clear(&ps);
	rejected("{\"id_str\":\"6\"," WHEN "," USER "}", QR_BAD_INPUT, "no text");
}

static void test_basic_fields(void **state)
{
	(void)state;
	qr_posts ps;
	one("{\"id\":1268312345678901234,\"id_str\":\"1268312345678901234\"," WHEN "," USER
	    ",\"text\":\"hello\",\"lang\":\"en\",\"retweet_count\":12,\"favorite_count\":34,"
	    "\"reply_count\":5,\"quote_count\":6,\"place\":{\"full_name\":\"Dallas, TX\"}}", &ps);
	const qr_post *p = &ps.v[0];
	/* id_str is kept as text: 1268312345678901234 is past 2^53, and the
	 * number in "id" is not that integer as a double. */
	assert_string_equal(p->id, "twitter:1268312345678901234");
	assert_string_equal(p->native_id, "1268312345678901234");
	assert_string_equal(p->platform, "twitter");
	assert_string_equal(p->url, "https://twitter.com/kpop_fan_demo/status/1268312345678901234");
	assert_string_equal(p->author_id, "4071");
	assert_string_equal(p->author_handle, "kpop_fan_demo");
	assert_string_equal(p->author_name, "Fan \xf0\x9f\x92\x9c");
	assert_int_equal(p->created, 1591192931);
	assert_string_equal(p->kind, "original");
	assert_string_equal(p->lang, "en");
	assert_string_equal(p->source.format, "twitter-v1");
	assert_string_equal(qr_kvv_get(&p->extra, "place"), "Dallas, TX");
	assert_int_equal(p->nmetrics, 4);
	for (size_t i = 0; i < p->nmetrics; i++) {
		if (strcmp(p->metrics[i].name, "reposts") == 0)
			assert_int_equal(p->metrics[i].value, 12);
		else if (strcmp(p->metrics[i].name, "likes") == 0)
			assert_int_equal(p->metrics[i].value, 34);
	}
	qr_posts_clear(&ps);

	/* Ids past 2^53 without id_str cannot be trusted. */
	rejected("{\"id\":1268312345678901234," WHEN "," USER ",\"text\":\"x\"}", QR_BAD_INPUT, "no valid id_str");
	/* Below 2^53 a numeric id is exact. */
	one("{\"id\":20," WHEN "," USER ",\"text\":\"just setting up\"}", &ps);
	assert_string_equal(ps.v[0].id, "twitter:20");
	qr_posts_clear(&ps);
	/* "und" and empty languages: und is kept as Twitter says it. */
	one("{\"id_str\":\"7\"," WHEN "," USER ",\"text\":\"x\",\"lang\":\"\"}", &ps);
	assert_null(ps.v[0].lang);
	qr_posts_clear(&ps);
	/* Without a handle the permalink still works. */
	one("{\"id_str\":\"8\"," WHEN ",\"user\":{\"id_str\":\"9\"},\"text\":\"x\"}", &ps);
	assert_string_equal(ps.v[0].url, "https://twitter.com/i/web/status/8");
	qr_posts_clear(&ps);
	/* Created times with offsets become UTC. */
	one("{\"id_str\":\"10\",\"created_at\":\"Wed Jun 03 16:02:11 +0200 2020\"," USER ",\"text\":\"x\"}", &ps);
	assert_int_equal(ps.v[0].created, 1591192931);
	qr_posts_clear(&ps);
}

static void test_html_entities(void **state)
{
	(void)state;
	qr_posts ps;
	one("{\"id_str\":\"11\"," WHEN "," USER ",\"full_text\":\"Tom &amp; Jerry &lt;3 &gt;_&lt; &amp;amp; "
	    "\\ud55c\\uad6d\\uc5b4 &#x1F49C;\"}", &ps);
	assert_string_equal(ps.v[0].text, "Tom & Jerry <3 >_< &amp; \xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 "
					  "\xf0\x9f\x92\x9c");
	qr_posts_clear(&ps);
	/* Expanded URLs are not HTML-escaped: they go in as they are. */
	one("{\"id_str\":\"12\"," WHEN "," USER ",\"full_text\":\"a &amp; b https://t.co/u\","
	    "\"entities\":{\"urls\":[{\"url\":\"https://t.co/u\",\"expanded_url\":\"https://e.org/?q=1&amp;r=&lt;\"}]}}",
	    &ps);
	assert_string_equal(ps.v[0].text, "a & b https://e.org/?q=1&amp;r=&lt;");
	qr_posts_clear(&ps);
}

static void test_retweet(void **state)
{
	(void)state;
	qr_posts ps;
	/* The wrapper's text is cut ("RT @x: ...") and may lack entities; the
	 * full text and entities come from retweeted_status. */
	one("{\"id_str\":\"1268400000000000001\"," WHEN "," USER
	    ",\"text\":\"RT @bts_demo_account: We stand against racial discrimination. We condemn \\u2026\","
	    "\"truncated\":false,\"entities\":{\"hashtags\":[],\"user_mentions\":[{\"screen_name\":\"bts_demo_account\"}]},"
	    "\"retweeted_status\":{\"id_str\":\"1268300000000000000\",\"created_at\":\"Thu Jun 04 10:00:00 +0000 2020\","
	    "\"user\":{\"id_str\":\"335\",\"screen_name\":\"bts_demo_account\",\"name\":\"BTS (demo)\"},"
	    "\"text\":\"We stand against racial discrimination. We condemn \\u2026 https://t.co/cut\",\"truncated\":true,"
	    "\"extended_tweet\":{\"full_text\":\"We stand against racial discrimination. We condemn violence. "
	    "You, I and we all have the right to be respected. We will stand together. #BlackLivesMatter "
	    "https://t.co/link\",\"entities\":{\"hashtags\":[{\"text\":\"BlackLivesMatter\"}],"
	    "\"urls\":[{\"url\":\"https://t.co/link\",\"expanded_url\":\"https://example.org/statement\"}]}}}}",
	    &ps);
	const qr_post *p = &ps.v[0];
	assert_string_equal(p->id, "twitter:1268400000000000001");
	assert_string_equal(p->kind, "repost");
	assert_string_equal(p->repost_of, "twitter:1268300000000000000");
	assert_string_equal(p->author_handle, "kpop_fan_demo");
	assert_string_equal(p->text, "RT @bts_demo_account: We stand against racial discrimination. We condemn violence. "
				     "You, I and we all have the right to be respected. We will stand together. "
				     "#BlackLivesMatter https://example.org/statement");
	assert_int_equal(p->hashtags.n, 1);
	assert_string_equal(p->hashtags.v[0], "BlackLivesMatter");
	assert_int_equal(p->mentions.n, 1);
	assert_string_equal(p->urls.v[0], "https://example.org/statement");
	/* The retweet's time is its own, not the original's. */
	assert_int_equal(p->created, 1591192931);
	qr_posts_clear(&ps);

	/* A retweet of a compat-mode tweet: its text, with the prefix. */
	one("{\"id_str\":\"12\"," WHEN "," USER ",\"text\":\"RT @a: hi &amp; bye\","
	    "\"retweeted_status\":{\"id_str\":\"13\"," WHEN ",\"user\":{\"screen_name\":\"a\"},\"text\":\"hi &amp; bye\"}}",
	    &ps);
	assert_string_equal(ps.v[0].text, "RT @a: hi & bye");
	qr_posts_clear(&ps);
}

static void test_quote_reply_kind(void **state)
{
	(void)state;
	qr_posts ps;
	one("{\"id_str\":\"20\"," WHEN "," USER ",\"text\":\"look at this https://t.co/q\",\"is_quote_status\":true,"
	    "\"quoted_status_id_str\":\"1267000000000000000\",\"entities\":{\"urls\":[{\"url\":\"https://t.co/q\","
	    "\"expanded_url\":\"https://twitter.com/x/status/1267000000000000000\"}]},"
	    "\"quoted_status\":{\"id_str\":\"1267000000000000000\"," WHEN ",\"user\":{\"screen_name\":\"x\"},\"text\":\"orig\"}}",
	    &ps);
	assert_string_equal(ps.v[0].kind, "quote");
	assert_string_equal(ps.v[0].quote_of, "twitter:1267000000000000000");
	assert_null(ps.v[0].repost_of);
	assert_null(ps.v[0].reply_to);
	qr_posts_clear(&ps);
	/* quoted_status alone is enough. */
	one("{\"id_str\":\"21\"," WHEN "," USER ",\"text\":\"q\","
	    "\"quoted_status\":{\"id_str\":\"22\"," WHEN ",\"user\":{\"screen_name\":\"x\"},\"text\":\"orig\"}}", &ps);
	assert_string_equal(ps.v[0].quote_of, "twitter:22");
	qr_posts_clear(&ps);

	one("{\"id_str\":\"23\"," WHEN "," USER ",\"text\":\"@x agreed\",\"in_reply_to_status_id\":1267000000000000000,"
	    "\"in_reply_to_status_id_str\":\"1267000000000000001\",\"in_reply_to_screen_name\":\"x\"}", &ps);
	assert_string_equal(ps.v[0].kind, "reply");
	assert_string_equal(ps.v[0].reply_to, "twitter:1267000000000000001");
	qr_posts_clear(&ps);
	/* null reply ids are no reply. */
	one("{\"id_str\":\"24\"," WHEN "," USER ",\"text\":\"x\",\"in_reply_to_status_id_str\":null,"
	    "\"quoted_status_id_str\":null}", &ps);
	assert_string_equal(ps.v[0].kind, "original");
	assert_null(ps.v[0].reply_to);
	assert_null(ps.v[0].quote_of);
	qr_posts_clear(&ps);
	/* A quoting reply is a quote that also replies. */
	one("{\"id_str\":\"25\"," WHEN "," USER ",\"text\":\"x\",\"in_reply_to_status_id_str\":\"26\","
	    "\"quoted_status_id_str\":\"27\"}", &ps);
	assert_string_equal(ps.v[0].kind, "quote");
	assert_string_equal(ps.v[0].reply_to, "twitter:26");
	assert_string_equal(ps.v[0].quote_of, "twitter:27");
	qr_posts_clear(&ps);
}

static void test_entities(void **state)
{
	(void)state;
	qr_posts ps;
	one("{\"id_str\":\"30\"," WHEN "," USER ",\"full_text\":\"#WhiteLivesMatter #whitelivesmatter @dallas_pd_demo "
	    "see https://t.co/aaa and https://t.co/bbb https://t.co/pic\","
	    "\"entities\":{\"hashtags\":[{\"text\":\"WhiteLivesMatter\"},{\"text\":\"whitelivesmatter\"},{\"text\":\"\"}],"
	    "\"user_mentions\":[{\"screen_name\":\"dallas_pd_demo\",\"id_str\":\"5\"}],"
	    "\"urls\":[{\"url\":\"https://t.co/aaa\",\"expanded_url\":\"https://www.example.com/a?b=1\"},"
	    "{\"url\":\"https://t.co/bbb\"}],"
	    "\"media\":[{\"id_str\":\"900\",\"type\":\"photo\",\"url\":\"https://t.co/pic\","
	    "\"media_url_https\":\"https://pbs.twimg.com/media/demo1.jpg\"}]}}", &ps);
	const qr_post *p = &ps.v[0];
	/* Hashtags once whatever their case, as first written. */
	assert_int_equal(p->hashtags.n, 1);
	assert_string_equal(p->hashtags.v[0], "WhiteLivesMatter");
	assert_int_equal(p->mentions.n, 1);
	assert_string_equal(p->mentions.v[0], "dallas_pd_demo");
	assert_int_equal(p->urls.n, 2);
	assert_string_equal(p->urls.v[0], "https://www.example.com/a?b=1");
	assert_string_equal(p->urls.v[1], "https://t.co/bbb");
	/* Links expanded in the text; the media link dropped from it. */
	assert_string_equal(p->text, "#WhiteLivesMatter #whitelivesmatter @dallas_pd_demo see "
				     "https://www.example.com/a?b=1 and https://t.co/bbb");
	/* Media from entities.media when there are no extended_entities. */
	assert_int_equal(p->nmedia, 1);
	assert_string_equal(p->media[0].type, "photo");
	assert_string_equal(p->media[0].key, "900");
	qr_posts_clear(&ps);
}

static void test_media(void **state)
{
	(void)state;
	qr_posts ps;
	one("{\"id_str\":\"40\"," WHEN "," USER ",\"full_text\":\"fancam https://t.co/m\","
	    "\"entities\":{\"media\":[{\"id_str\":\"1\",\"type\":\"photo\",\"url\":\"https://t.co/m\","
	    "\"media_url_https\":\"https://pbs.twimg.com/media/only_first.jpg\"}]},"
	    "\"extended_entities\":{\"media\":["
	    "{\"id_str\":\"501\",\"media_key\":\"3_501\",\"type\":\"photo\",\"url\":\"https://t.co/m\","
	    "\"media_url_https\":\"https://pbs.twimg.com/media/p1.jpg\",\"ext_alt_text\":\"A crowd with signs\"},"
	    "{\"id_str\":\"502\",\"type\":\"photo\",\"url\":\"https://t.co/m\",\"media_url\":\"http://pbs.twimg.com/media/p2.jpg\","
	    "\"ext_alt_text\":\"\"},"
	    "{\"id_str\":\"503\",\"media_key\":\"7_503\",\"type\":\"video\",\"url\":\"https://t.co/m\","
	    "\"media_url_https\":\"https://pbs.twimg.com/ext_tw_video_thumb/503/pu/img/still.jpg\","
	    "\"video_info\":{\"duration_millis\":30033,\"variants\":["
	    "{\"content_type\":\"application/x-mpegURL\",\"url\":\"https://video.twimg.com/503/pl/list.m3u8\"},"
	    "{\"bitrate\":832000,\"content_type\":\"video/mp4\",\"url\":\"https://video.twimg.com/503/vid/640x360/m.mp4\"},"
	    "{\"bitrate\":2176000,\"content_type\":\"video/mp4\",\"url\":\"https://video.twimg.com/503/vid/1280x720/h.mp4\"},"
	    "{\"bitrate\":256000,\"content_type\":\"video/mp4\",\"url\":\"https://video.twimg.com/503/vid/320x180/l.mp4\"}]}},"
	    "{\"id_str\":\"504\",\"type\":\"animated_gif\",\"media_url_https\":\"https://pbs.twimg.com/tweet_video_thumb/g.jpg\","
	    "\"video_info\":{\"variants\":[{\"bitrate\":0,\"content_type\":\"video/mp4\","
	    "\"url\":\"https://video.twimg.com/tweet_video/g.mp4\"}]}},"
	    "{\"id_str\":\"505\"}]}}", &ps);
	const qr_post *p = &ps.v[0];
	assert_string_equal(p->text, "fancam");
	/* extended_entities, not entities; an entry without a type is left out. */
	assert_int_equal(p->nmedia, 4);
	assert_string_equal(p->media[0].type, "photo");
	assert_string_equal(p->media[0].key, "3_501");
	assert_string_equal(p->media[0].url, "https://pbs.twimg.com/media/p1.jpg");
	assert_string_equal(p->media[0].alt_text, "A crowd with signs");
	assert_int_equal(p->media[0].variants.n, 0);
	assert_string_equal(p->media[1].key, "502");
	assert_string_equal(p->media[1].url, "http://pbs.twimg.com/media/p2.jpg");
	assert_null(p->media[1].alt_text);
	/* A video: the best MP4 is the URL; every rendition and the still are
	 * variants. */
	const qr_media *v = &p->media[2];
	assert_string_equal(v->type, "video");
	assert_string_equal(v->key, "7_503");
	assert_string_equal(v->url, "https://video.twimg.com/503/vid/1280x720/h.mp4");
	assert_string_equal(v->mime, "video/mp4");
	assert_int_equal(v->duration_ms, 30033);
	assert_int_equal(v->variants.n, 5);
	assert_string_equal(v->variants.v[0], "https://video.twimg.com/503/pl/list.m3u8");
	assert_string_equal(v->variants.v[4], "https://pbs.twimg.com/ext_tw_video_thumb/503/pu/img/still.jpg");
	const qr_media *g = &p->media[3];
	assert_string_equal(g->type, "gif");
	assert_string_equal(g->url, "https://video.twimg.com/tweet_video/g.mp4");
	assert_int_equal(g->duration_ms, -1);
	assert_true(qr_post_has_media_type(p, "video"));
	assert_true(qr_post_has_media_type(p, "gif"));
	assert_false(qr_post_has_media_type(p, "audio"));
	qr_posts_clear(&ps);

	/* Streaming: extended_tweet.extended_entities first. */
	one("{\"id_str\":\"41\"," WHEN "," USER ",\"text\":\"cut\",\"truncated\":true,"
	    "\"extended_tweet\":{\"full_text\":\"all of it https://t.co/v\",\"extended_entities\":{\"media\":["
	    "{\"id_str\":\"601\",\"type\":\"video\",\"url\":\"https://t.co/v\","
	    "\"video_info\":{\"variants\":[{\"bitrate\":100,\"content_type\":\"video/mp4\",\"url\":\"https://v/1.mp4\"}]}}]}}}",
	    &ps);
	assert_string_equal(ps.v[0].text, "all of it");
	assert_int_equal(ps.v[0].nmedia, 1);
	assert_string_equal(ps.v[0].media[0].url, "https://v/1.mp4");
	qr_posts_clear(&ps);
}

static void test_stream_notices(void **state)
{
	(void)state;
	rejected("{\"delete\":{\"status\":{\"id\":1,\"id_str\":\"1\",\"user_id\":2,\"user_id_str\":\"2\"},"
		 "\"timestamp_ms\":\"1591192931000\"}}", QR_SKIP, "delete");
	rejected("{\"limit\":{\"track\":1234,\"timestamp_ms\":\"1591192931000\"}}", QR_SKIP, "limit");
	rejected("{\"scrub_geo\":{\"user_id_str\":\"2\",\"up_to_status_id_str\":\"3\"}}", QR_SKIP, "scrub_geo");
	rejected("{\"status_withheld\":{\"id_str\":\"1\",\"withheld_in_countries\":[\"DE\"]}}", QR_SKIP, "status_withheld");
	rejected("{\"warning\":{\"code\":\"FALLING_BEHIND\",\"percent_full\":60}}", QR_SKIP, "warning");
	rejected("{\"disconnect\":{\"code\":4,\"reason\":\"stall\"}}", QR_SKIP, "disconnect");
	/* A tweet that happens to have a "limit" member is still a tweet. */
	qr_posts ps;
	one("{\"id_str\":\"50\"," WHEN "," USER ",\"text\":\"x\",\"limit\":3}", &ps);
	qr_posts_clear(&ps);
}

static void test_wrong_types(void **state)
{
	(void)state;
	rejected("{\"id_str\":\"60\"," WHEN "," USER ",\"text\":5}", QR_BAD_INPUT, "text is not a string");
	rejected("{\"id_str\":\"60\"," WHEN "," USER ",\"full_text\":[\"a\"]}", QR_BAD_INPUT, "full_text is not a string");
	rejected("{\"id_str\":\"60\"," WHEN "," USER ",\"extended_tweet\":{\"full_text\":{}},\"text\":\"x\"}", QR_BAD_INPUT,
		 "extended_tweet.full_text is not a string");
	rejected("{\"id_str\":\"60\"," WHEN "," USER ",\"extended_tweet\":\"oops\",\"text\":\"x\"}", QR_BAD_INPUT,
		 "extended_tweet is not an object");
	rejected("{\"id_str\":\"60\"," WHEN "," USER ",\"text\":\"x\",\"entities\":[]}", QR_BAD_INPUT,
		 "entities is not an object");
	rejected("{\"id_str\":\"60\"," WHEN "," USER ",\"text\":\"x\",\"extended_entities\":\"no\"}", QR_BAD_INPUT,
		 "extended_entities is not an object");
	rejected("{\"id_str\":\"60\"," WHEN ",\"user\":\"kpop_fan_demo\",\"text\":\"x\"}", QR_BAD_INPUT,
		 "user is not an object");
	rejected("{\"id_str\":\"60\"," WHEN ",\"user\":{\"screen_name\":42},\"text\":\"x\"}", QR_BAD_INPUT,
		 "screen_name is not a string");
	rejected("{\"id_str\":\"60\"," WHEN ",\"user\":{\"name\":true},\"text\":\"x\"}", QR_BAD_INPUT,
		 "name is not a string");
	rejected("{\"id_str\":\"60\",\"created_at\":1591192931," USER ",\"text\":\"x\"}", QR_BAD_INPUT,
		 "created_at is not a string");
	rejected("{\"id_str\":\"60\",\"created_at\":\"yesterday\"," USER ",\"text\":\"x\"}", QR_BAD_INPUT,
		 "created_at is not a Twitter time");
	rejected("{\"id_str\":\"60\"," WHEN "," USER ",\"text\":\"x\",\"lang\":7}", QR_BAD_INPUT, "lang is not a string");
	rejected("{\"id_str\":\"60\"," WHEN "," USER ",\"text\":\"x\",\"retweeted_status\":[1]}", QR_BAD_INPUT,
		 "retweeted_status is not an object");
	rejected("{\"id_str\":\"60\"," WHEN "," USER ",\"text\":\"x\",\"quoted_status\":\"y\"}", QR_BAD_INPUT,
		 "quoted_status is not an object");
	rejected("{\"id_str\":{\"n\":1}," WHEN "," USER ",\"text\":\"x\"}", QR_BAD_INPUT, "id_str is not an id");
	rejected("{\"id_str\":\"12ab\"," WHEN "," USER ",\"text\":\"x\"}", QR_BAD_INPUT, "id_str is not an id");
	rejected("{\"id_str\":\"-5\"," WHEN "," USER ",\"text\":\"x\"}", QR_BAD_INPUT, "id_str is not an id");
	rejected("{\"id_str\":\"60\"," USER ",\"text\":\"x\"}", QR_BAD_INPUT, "no created_at");
	rejected("{\"id_str\":\"60\"," WHEN ",\"text\":\"x\"}", QR_BAD_INPUT, "no user");
	/* A retweet whose original is broken is broken. */
	rejected("{\"id_str\":\"60\"," WHEN "," USER ",\"text\":\"RT\",\"retweeted_status\":{\"id_str\":\"61\",\"text\":9}}",
		 QR_BAD_INPUT, "text is not a string");
	/* Not a tweet at all. */
	rejected("[1,2,3]", QR_BAD_INPUT, "not a JSON object");
	rejected("\"just a string\"", QR_BAD_INPUT, "not a JSON object");
	rejected("{\"id_str\":\"60\",", QR_BAD_INPUT, "invalid JSON");
	rejected("{\"id_str\":\"60\"} {}", QR_BAD_INPUT, "unexpected data");
	rejected("{\"id_str\":\"6\xff\"}", QR_BAD_INPUT, "invalid UTF-8 at byte 12");
	rejected("", QR_BAD_INPUT, "invalid JSON");
	/* Reply or quote ids that are no ids reject the record (they are
	 * fields the reader uses), naming the field. */
	rejected("{\"id_str\":\"62\"," WHEN "," USER ",\"text\":\"x\",\"in_reply_to_status_id_str\":\"abc\"}",
		 QR_BAD_INPUT, "in_reply_to_status_id_str is not an id");
	rejected("{\"id_str\":\"62\"," WHEN "," USER ",\"text\":\"x\",\"quoted_status_id_str\":\"not-an-id\"}",
		 QR_BAD_INPUT, "quoted_status_id_str is not an id");
}

static void test_search_envelope(void **state)
{
	(void)state;
	qr_posts ps;
	qr_buf why = QR_BUF_INIT;
	const char *resp = "{\"statuses\":[{\"id_str\":\"70\"," WHEN "," USER ",\"text\":\"first\"},"
			   "{\"id_str\":\"71\"," WHEN "," USER ",\"text\":\"second\"},"
			   "{\"id_str\":\"72\"," WHEN "," USER ",\"text\":1}],"
			   "\"search_metadata\":{\"count\":3,\"query\":\"fancam\"}}";
	assert_int_equal(norm(resp, &ps, &why), QR_OK);
	/* The broken third costs only itself. */
	assert_int_equal(ps.n, 2);
	assert_string_equal(ps.v[0].id, "twitter:70");
	assert_string_equal(ps.v[1].text, "second");
	qr_posts_clear(&ps);
	qr_buf_release(&why);
	rejected("{\"statuses\":[],\"search_metadata\":{}}", QR_SKIP, "without tweets");
	rejected("{\"statuses\":[{\"id_str\":\"73\"}],\"search_metadata\":{}}", QR_BAD_INPUT,
		 "no valid tweet in the search response");
}

static void test_bid(void **state)
{
	(void)state;
	const char *tweet = "{\"created_at\":\"Wed Jun 03 14:02:11 +0000 2020\",\"id_str\":\"1\",\"text\":\"x\","
			    "\"user\":{},\"entities\":{}}";
	const char *v2 = "{\"data\":[{\"id\":\"1\",\"text\":\"x\",\"edit_history_tweet_ids\":[\"1\"],"
			 "\"created_at\":\"2020-06-03T14:02:11.000Z\"}],\"includes\":{\"users\":[]}}";
	const char *gnip = "{\"id\":\"tag:search.twitter.com,2005:1\",\"postedTime\":\"2020-06-03T14:02:11.000Z\","
			   "\"created_at\":\"\",\"id_str\":\"\"}";
	int bid = 0;
	assert_ptr_equal(qr_format_sniff(tweet, strlen(tweet), NULL, &bid), v1());
	assert_true(bid >= 80);
	assert_int_equal(v1()->bid(v2, strlen(v2), NULL), 0);
	assert_int_equal(v1()->bid(gnip, strlen(gnip), NULL), 0);
	assert_int_equal(v1()->bid("id,text\n1,hello\n", 16, NULL), 0);
	const char *array = "\xef\xbb\xbf  [{\"created_at\":\"x\",\"id_str\":\"1\"}]";
	assert_true(v1()->bid(array, strlen(array), NULL) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_precedence),
		cmocka_unit_test(test_basic_fields),
		cmocka_unit_test(test_html_entities),
		cmocka_unit_test(test_retweet),
		cmocka_unit_test(test_quote_reply_kind),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_media),
		cmocka_unit_test(test_stream_notices),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_search_envelope),
		cmocka_unit_test(test_bid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
