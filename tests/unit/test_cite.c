/* query/cite.c: labels by platform and date, APA's twenty words, the
 * Chicago cut, and the three reference styles on edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cite.h"
#include "timeutil.h"

static int64_t when(int y, int mo, int d, int h, int mi)
{
	qr_civil c = { y, mo, d, h, mi, 0, 0 };
	int64_t t = 0;
	qr_time_from_civil(&c, &t);
	return t;
}

static void post(qr_post *p, const char *platform, int64_t t, const char *name, const char *handle, const char *text)
{
	qr_post_init(p);
	qr_set(&p->platform, platform);
	qr_set(&p->author_name, name);
	qr_set(&p->author_handle, handle);
	qr_set(&p->text, text);
	qr_set(&p->url, "https://example.social/p/1");
	p->created = t;
}

static void test_labels(void **state)
{
	(void)state;
	qr_post p;
	post(&p, "twitter", when(2020, 6, 3, 14, 2), "N", "h", "x");
	assert_string_equal(qr_cite_label(&p), "Tweet");
	assert_string_equal(qr_cite_platform(&p), "Twitter");
	p.created = when(2023, 7, 23, 23, 59);
	assert_string_equal(qr_cite_label(&p), "Tweet");
	p.created = when(2023, 7, 24, 0, 0);
	assert_string_equal(qr_cite_label(&p), "Post");
	assert_string_equal(qr_cite_platform(&p), "X");
	qr_post_clear(&p);

	post(&p, "mastodon", when(2020, 6, 3, 14, 2), "N", "h", "x");
	assert_string_equal(qr_cite_label(&p), "Toot");
	assert_string_equal(qr_cite_platform(&p), "Mastodon");
	p.created = when(2023, 1, 1, 0, 0);
	assert_string_equal(qr_cite_label(&p), "Post");
	qr_post_clear(&p);

	post(&p, "reddit", when(2020, 6, 3, 14, 2), "N", "h", "x");
	assert_string_equal(qr_cite_label(&p), "Post");
	assert_string_equal(qr_cite_platform(&p), "Reddit");
	qr_post_clear(&p);
	post(&p, "telegram", QR_TIME_UNKNOWN, "N", "h", "x");
	assert_string_equal(qr_cite_platform(&p), "Telegram");
	qr_post_clear(&p);
}

static void words(const char *text, size_t max, const char *want, bool want_cut)
{
	qr_buf out = QR_BUF_INIT;
	bool cut;
	qr_cite_first_words(&out, text, max, &cut);
	assert_string_equal(out.buf, want);
	assert_int_equal(cut, want_cut);
	qr_buf_release(&out);
}

static void test_first_words(void **state)
{
	(void)state;
	words("one two three", 20, "one two three", false);
	words("one two three", 2, "one two", true);
	/* A URL, a hashtag, a mention: one word each, whatever their length. */
	words("see https://example.com/a/b?c=d #BlackLivesMatter @someone more", 4,
	      "see https://example.com/a/b?c=d #BlackLivesMatter @someone", true);
	/* Emoji: each one a word, even glued to a word. */
	words("thanks🙏🏽🙏🏽 all", 2, "thanks🙏🏽", true);
	words("thanks🙏🏽🙏🏽 all", 3, "thanks🙏🏽🙏🏽", true);
	/* A ZWJ family and a flag are one emoji each. */
	words("👩‍👩‍👧 🇰🇷 go", 2, "👩‍👩‍👧 🇰🇷", true);
	words("🔥🔥🔥", 20, "🔥🔥🔥", false);
	words("", 20, "", false);
	/* Korean words are words. */
	words("흑인의 생명도 소중합니다", 2, "흑인의 생명도", true);
}

static void test_first_chars(void **state)
{
	(void)state;
	qr_buf out = QR_BUF_INIT;
	qr_cite_first_chars(&out, "short text", 160);
	assert_string_equal(out.buf, "short text");
	qr_buf_reset(&out);
	qr_cite_first_chars(&out, "alpha beta, gamma delta", 14);
	assert_string_equal(out.buf, "alpha beta…");
	qr_buf_reset(&out);
	/* Counted in characters, not bytes. */
	qr_cite_first_chars(&out, "가나다라 마바사아 자차카타", 9);
	assert_string_equal(out.buf, "가나다라 마바사아…");
	qr_buf_release(&out);
}

static void test_flatten(void **state)
{
	(void)state;
	qr_buf out = QR_BUF_INIT;
	qr_cite_flatten(&out, "  two\nlines\r\n\tand\x1b[31m  more  ");
	assert_string_equal(out.buf, "two lines and[31m more");
	qr_buf_release(&out);
}

static void cite(void (*fn)(qr_buf *, const qr_post *, const char *), const qr_post *p, const char *tz,
		 const char *want)
{
	qr_buf out = QR_BUF_INIT;
	fn(&out, p, tz);
	assert_string_equal(out.buf, want);
	qr_buf_release(&out);
}

static void test_styles(void **state)
{
	(void)state;
	qr_post p;
	post(&p, "mastodon", when(2020, 6, 3, 14, 2), "Ana Lee", "ana", "Is this \"it\"?");
	qr_post_add_media(&p)->type = strdup("photo");
	qr_post_add_media(&p)->type = strdup("photo");
	cite(qr_cite_apa, &p, NULL,
	     "Ana Lee [@ana]. (2020, June 3). Is this \"it\"? [Image attached] [Toot]. Mastodon. "
	     "https://example.social/p/1");
	cite(qr_cite_mla, &p, NULL,
	     "@ana (Ana Lee). \"Is this 'it'?\" Mastodon, 3 June 2020, 2:02 p.m., https://example.social/p/1.");
	cite(qr_cite_chicago, &p, NULL,
	     "Ana Lee (@ana), \"Is this 'it'?\" Mastodon, June 3, 2020, 2:02 p.m., https://example.social/p/1.");
	/* The zone moves the date: 14:02 UTC is 23:02 in Seoul, the same day;
	 * 23:30 UTC is the next morning there. */
	p.created = when(2020, 6, 3, 23, 30);
	cite(qr_cite_chicago, &p, "Asia/Seoul",
	     "Ana Lee (@ana), \"Is this 'it'?\" Mastodon, June 4, 2020, 8:30 a.m., https://example.social/p/1.");
	cite(qr_cite_mla, &p, "Asia/Seoul",
	     "@ana (Ana Lee). \"Is this 'it'?\" Mastodon, 4 June 2020, 8:30 a.m., https://example.social/p/1.");
	/* Midnight is 12 a.m.; the minutes keep their zero. */
	p.created = when(2020, 9, 3, 0, 5);
	cite(qr_cite_mla, &p, NULL,
	     "@ana (Ana Lee). \"Is this 'it'?\" Mastodon, 3 Sept. 2020, 12:05 a.m., https://example.social/p/1.");
	cite(qr_cite_chicago, &p, NULL,
	     "Ana Lee (@ana), \"Is this 'it'?\" Mastodon, September 3, 2020, 12:05 a.m., https://example.social/p/1.");
	qr_post_clear(&p);

	/* No name, no text, noon, a full stop before the comma. */
	post(&p, "twitter", when(2020, 6, 3, 12, 0), NULL, "solo", NULL);
	cite(qr_cite_apa, &p, NULL, "@solo. (2020, June 3). [Untitled] [Tweet]. Twitter. https://example.social/p/1");
	cite(qr_cite_mla, &p, NULL, "@solo. Twitter, 3 June 2020, 12:00 p.m., https://example.social/p/1.");
	cite(qr_cite_chicago, &p, NULL, "@solo, Twitter, June 3, 2020, 12:00 p.m., https://example.social/p/1.");
	qr_set(&p.text, "Done.");
	qr_set(&p.author_name, "Solo Act.");
	cite(qr_cite_apa, &p, NULL, "Solo Act. [@solo]. (2020, June 3). Done. [Tweet]. Twitter. https://example.social/p/1");
	cite(qr_cite_chicago, &p, NULL,
	     "Solo Act. (@solo), \"Done,\" Twitter, June 3, 2020, 12:00 p.m., https://example.social/p/1.");
	p.created = QR_TIME_UNKNOWN;
	cite(qr_cite_apa, &p, NULL, "Solo Act. [@solo]. (n.d.). Done. [Tweet]. Twitter. https://example.social/p/1");
	qr_post_clear(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_first_words),
		cmocka_unit_test(test_first_chars),
		cmocka_unit_test(test_flatten),
		cmocka_unit_test(test_styles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
