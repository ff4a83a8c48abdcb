/* lib/html: the text of post content as ActivityPub servers write it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "html.h"

static void expect_text(const char *html, const char *want)
{
	qr_buf out = QR_BUF_INIT;
	qr_html_to_text(&out, html, strlen(html), NULL);
	assert_string_equal(out.buf, want);
	qr_buf_release(&out);
}

static void test_paragraphs_and_breaks(void **state)
{
	(void)state;
	expect_text("<p>one</p><p>two<br>three<br/><br />four</p>", "one\n\ntwo\nthree\n\nfour");
	expect_text("<p>  spaced \n  out  </p>", "spaced out");
	expect_text("<ul><li>a</li><li>b</li></ul><p>after</p>", "a\nb\n\nafter");
	expect_text("<pre>keep   this\n  as is</pre>", "keep   this\n  as is");
	expect_text("", "");
	expect_text("<p></p><br><p>late</p>", "late");
}

static void test_links(void **state)
{
	(void)state;
	qr_buf out = QR_BUF_INIT;
	qr_strv links = { 0 };
	const char *html =
		"<p>see <a href=\"https://example.com/a?x=1&amp;y=2\" rel=\"nofollow\"><span class=\"invisible\">https://"
		"</span><span class=\"ellipsis\">example.com/a?x=1</span><span class=\"invisible\">&amp;y=2</span></a> "
		"and <a href=\"https://m.example/tags/BLM\" class=\"mention hashtag\" rel=\"tag\">#<span>BLM</span></a> "
		"with <span class=\"h-card\"><a href=\"https://m.example/@bob\" class=\"u-url mention\">@<span>bob</span>"
		"</a></span>.</p>";
	qr_html_to_text(&out, html, strlen(html), &links);
	assert_string_equal(out.buf, "see https://example.com/a?x=1&y=2 and #BLM with @bob.");
	assert_int_equal(links.n, 1);
	assert_string_equal(links.v[0], "https://example.com/a?x=1&y=2");
	qr_strv_clear(&links);
	qr_buf_release(&out);
	/* A link that is not to the web shows its text. */
	expect_text("<a href=\"javascript:alert(1)\">click</a>", "click");
	/* Text starting with @ or # is a mention or hashtag even without a class. */
	expect_text("<a href=\"https://x.example/@c\">@c</a>", "@c");
}

static void test_entities_and_hostile_input(void **state)
{
	(void)state;
	expect_text("5th &amp; Main &lt;3 &#x1F49C; &unknown;", "5th & Main <3 \xF0\x9F\x92\x9C &unknown;");
	expect_text("a < b and c > d", "a < b and c > d");
	expect_text("<script>alert('x')</script>safe<style>p{}</style>", "safe");
	expect_text("<!-- hidden -->shown<!-- never closed", "shown");
	expect_text("text <b unclosed", "text");
	expect_text("<a href='https://q.example/'>single</a> quotes", "https://q.example/ quotes");
	expect_text("<a href=https://u.example/>unquoted</a>", "https://u.example/");
	expect_text("<a href=\"https://a.example\">first<a href=\"https://b.example\">second</a>",
		    "https://a.example https://b.example");
	/* Bytes are bytes: NUL and invalid UTF-8 pass through, nothing is read past n. */
	qr_buf out = QR_BUF_INIT;
	qr_html_to_text(&out, "<p>abc</p>XYZ", 10, NULL);
	assert_string_equal(out.buf, "abc");
	qr_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paragraphs_and_breaks),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_entities_and_hostile_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
