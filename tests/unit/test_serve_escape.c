/* server/escape.c and server/params.c: one escaping function per output
 * context, on hostile strings, and the state of a search as a URL and as
 * query text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"
#include "params.h"

static void expect_text(const char *in, const char *want)
{
	qr_buf out = QR_BUF_INIT;
	sv_html_text(&out, in);
	assert_string_equal(out.buf, want);
	qr_buf_release(&out);
}

static void expect_attr(const char *in, const char *want)
{
	qr_buf out = QR_BUF_INIT;
	sv_html_attr(&out, in);
	assert_string_equal(out.buf, want);
	qr_buf_release(&out);
}

static void test_text(void **state)
{
	(void)state;
	expect_text("plain", "plain");
	expect_text("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	expect_text("\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
	expect_text("a & b 'c'", "a &amp; b &#39;c&#39;");
	expect_text("&amp;", "&amp;amp;");
	/* Line breaks stay; controls, bidi overrides and isolates show. */
	expect_text("one\ntwo", "one\ntwo");
	expect_text("evil \xE2\x80\xAEgnp.exe", "evil \\u{202e}gnp.exe");
	expect_text("\xE2\x81\xA6iso\xE2\x81\xA9", "\\u{2066}iso\\u{2069}");
	expect_text("\x1b[31mred", "\\e[31mred");
	expect_text("nul\x01" "byte", "nul\\x01byte");
	/* Invalid UTF-8 is shown, never passed on. */
	expect_text("bad \xff byte", "bad \\xff byte");
	/* Korean and emoji are text. */
	expect_text("\xEB\xB8\x94\xEB\x9E\x99 \xF0\x9F\x92\x9C", "\xEB\xB8\x94\xEB\x9E\x99 \xF0\x9F\x92\x9C");
	qr_buf out = QR_BUF_INIT;
	sv_html_text(&out, NULL);
	sv_html_textn(&out, "<a>b", 3);
	assert_string_equal(out.buf, "&lt;a&gt;");
	qr_buf_release(&out);
}

static void test_attr(void **state)
{
	(void)state;
	expect_attr("x\" onmouseover=\"alert(1)", "x&quot; onmouseover=&quot;alert(1)");
	expect_attr("it's", "it&#39;s");
	expect_attr("line\nbreak\ttab", "line&#10;break&#9;tab");
	expect_attr("/?q=a&b=c", "/?q=a&amp;b=c");
}

static void test_url_part(void **state)
{
	(void)state;
	qr_buf out = QR_BUF_INIT;
	sv_url_part(&out, "#WhiteLivesMatter fancam&x=1/\"<>");
	assert_string_equal(out.buf, "%23WhiteLivesMatter%20fancam%26x%3D1%2F%22%3C%3E");
	qr_buf_reset(&out);
	sv_url_part(&out, "\xEB\xB8\x94-._~");
	assert_string_equal(out.buf, "%EB%B8%94-._~");
	qr_buf_release(&out);
}

static void test_link_ok(void **state)
{
	(void)state;
	assert_true(sv_link_ok("https://example.org/a?b=c&d=e#f"));
	assert_true(sv_link_ok("HTTP://example.org"));
	assert_true(sv_link_ok("https://\xEC\x98\x88\xEC\x8B\x9C.kr/"));
	assert_false(sv_link_ok(NULL));
	assert_false(sv_link_ok("javascript:alert(1)"));
	assert_false(sv_link_ok("JaVaScRiPt:alert(1)"));
	assert_false(sv_link_ok(" javascript:alert(1)"));
	assert_false(sv_link_ok("data:text/html,<script>alert(1)</script>"));
	assert_false(sv_link_ok("vbscript:x"));
	assert_false(sv_link_ok("//example.org/protocol-relative"));
	assert_false(sv_link_ok("http://"));
	assert_false(sv_link_ok("https:///path"));
	assert_false(sv_link_ok("https://example.org/\"onmouseover=x"));
	assert_false(sv_link_ok("https://example.org/<b>"));
	assert_false(sv_link_ok("https://example.org/ space"));
	assert_false(sv_link_ok("https://example.org/\nnewline"));
	assert_false(sv_link_ok("https://example.org/\xE2\x80\xAE" "evil"));
	assert_false(sv_link_ok("https://example.org\\@evil.example"));
}

static void test_markup(void **state)
{
	(void)state;
	qr_buf out = QR_BUF_INIT;
	sv_open(&out, "a", "href", "/?q=<x>", "class", NULL, "title", "\"t\"", NULL);
	sv_close(&out, "a");
	assert_string_equal(out.buf, "<a href=\"/?q=&lt;x&gt;\" title=\"&quot;t&quot;\"></a>");
	qr_buf_reset(&out);
	sv_elem(&out, "span", "<b>", "hidden", "", NULL);
	assert_string_equal(out.buf, "<span hidden=\"\">&lt;b&gt;</span>");
	qr_buf_release(&out);
}

static void test_params(void **state)
{
	(void)state;
	sv_params p = { 0 };
	qr_buf out = QR_BUF_INIT;
	sv_params_add(&p, "q", "#WhiteLivesMatter fancam");
	sv_params_add(&p, "hashtag", "blm");
	sv_params_add(&p, "hashtag", "whiteoutwednesday");
	sv_params_add(&p, "sort", "");
	sv_params_href(&out, "/", &p);
	assert_string_equal(out.buf, "/?q=%23WhiteLivesMatter%20fancam&hashtag=blm&hashtag=whiteoutwednesday");
	assert_true(sv_params_has(&p, "hashtag", "blm"));
	sv_params_del(&p, "hashtag", "blm");
	assert_false(sv_params_has(&p, "hashtag", "blm"));
	assert_string_equal(sv_params_get(&p, "hashtag"), "whiteoutwednesday");
	sv_params_set(&p, "sort", "newest");
	sv_params_set(&p, "q", NULL);
	assert_null(sv_params_get(&p, "q"));
	assert_string_equal(sv_params_get(&p, "sort"), "newest");
	sv_params_clear(&p);
	sv_params_clear(&p);

	assert_true(sv_params_parse_form(&p, "a=1&b=two+words&c=%3Cx%3E&d&=e", 27));
	assert_string_equal(sv_params_get(&p, "b"), "two words");
	assert_string_equal(sv_params_get(&p, "c"), "<x>");
	assert_string_equal(sv_params_get(&p, "d"), "");
	sv_params_clear(&p);
	assert_false(sv_params_parse_form(&p, "a=%00", 5));
	sv_params_clear(&p);
	assert_false(sv_params_parse_form(&p, "a=%4", 4));
	sv_params_clear(&p);
	assert_false(sv_params_parse_form(&p, "a=%zz", 5));
	sv_params_clear(&p);
	qr_buf_release(&out);
}

static void expect_query(sv_params *p, const char *want)
{
	qr_buf text = QR_BUF_INIT, why = QR_BUF_INIT;
	assert_true(sv_compose_query(p, &text, &why));
	assert_string_equal(text.buf, want);
	qr_buf_release(&text);
	qr_buf_release(&why);
	sv_params_clear(p);
}

static void test_compose(void **state)
{
	(void)state;
	sv_params p = { 0 };
	expect_query(&p, "");
	sv_params_add(&p, "q", "  fancam OR video  ");
	expect_query(&p, "fancam OR video");
	sv_params_add(&p, "q", "fancam OR video");
	sv_params_add(&p, "hashtag", "whitelivesmatter");
	sv_params_add(&p, "kind", "original");
	sv_params_add(&p, "author", "dallas_pd_demo");
	sv_params_add(&p, "sort", "newest");
	expect_query(&p, "(fancam OR video) hashtag:whitelivesmatter is:original from:dallas_pd_demo");
	sv_params_add(&p, "tag", "needs review");
	sv_params_add(&p, "domain", "a_(b)");
	expect_query(&p, "tag:\"needs review\" domain:\"a_(b)\"");
	sv_params_add(&p, "q", "-is:repost");
	sv_params_add(&p, "media", "video");
	expect_query(&p, "(-is:repost) media:video");

	qr_buf text = QR_BUF_INIT, why = QR_BUF_INIT;
	sv_params_add(&p, "hashtag", "a\"b");
	assert_false(sv_compose_query(&p, &text, &why));
	assert_non_null(strstr(why.buf, "double quote"));
	sv_params_clear(&p);
	assert_false(sv_filter_value_ok("x\ny"));
	assert_false(sv_filter_value_ok(""));
	assert_true(sv_filter_value_ok("\xEB\xB8\x94\xEB\x9E\x99"));
	qr_buf_release(&text);
	qr_buf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),    cmocka_unit_test(test_attr),   cmocka_unit_test(test_url_part),
		cmocka_unit_test(test_link_ok), cmocka_unit_test(test_markup), cmocka_unit_test(test_params),
		cmocka_unit_test(test_compose),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
