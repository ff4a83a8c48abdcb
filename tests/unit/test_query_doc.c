/* query/query.c's documentation tables against its parser's: every field
 * the parser knows has its line in `quire help search`, every line names
 * a field the parser knows, and the values listed are the ones it takes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "post.h"
#include "query.h"

static bool is_field(const char *name)
{
	for (size_t i = 0; qr_query_field(i); i++)
		if (strcmp(qr_query_field(i), name) == 0)
			return true;
	return false;
}

static void test_every_field_documented(void **state)
{
	(void)state;
	qr_buf lang = QR_BUF_INIT, want = QR_BUF_INIT;
	qr_query_language(&lang);
	size_t nfields = 0;
	for (size_t i = 0; qr_query_field(i); i++, nfields++) {
		const char *name = qr_query_field(i), *field, *usage, *help;
		bool documented = false;
		for (size_t k = 0; qr_query_field_doc(k, &field, &usage, &help); k++) {
			qr_buf_setf(&want, "%s:", name);
			if (strcmp(field, name) == 0 && strstr(usage, want.buf))
				documented = true;
		}
		if (!documented)
			fail_msg("the parser's field %s: has no line in the help", name);
		qr_buf_setf(&want, "%s:", name);
		if (!strstr(lang.buf, want.buf))
			fail_msg("quire help search does not say %s", want.buf);
	}
	assert_true(nfields >= 20);
	const char *field, *usage, *help;
	for (size_t k = 0; qr_query_field_doc(k, &field, &usage, &help); k++) {
		if (!is_field(field))
			fail_msg("the help documents %s:, which the parser does not know", field);
		if (!strstr(lang.buf, usage))
			fail_msg("the help leaves out its line %s", usage);
	}
	qr_buf_release(&lang);
	qr_buf_release(&want);
}

static void test_values(void **state)
{
	(void)state;
	qr_strv v = { 0 };
	qr_query_field_values("media", &v);
	size_t n = 0;
	for (const qr_media_kind *k = qr_media_kinds; k->name; k++, n++)
		assert_string_equal(v.v[n], k->name);
	assert_int_equal(v.n, n + 2);
	assert_string_equal(v.v[n], "any");
	assert_true(qr_strv_contains(&v, "sticker", false));
	qr_strv_clear(&v);
	qr_query_field_values("visibility", &v);
	assert_int_equal(v.n, 4);
	assert_string_equal(v.v[3], "direct");
	qr_strv_clear(&v);
	qr_query_field_values("is", &v);
	assert_true(qr_strv_contains(&v, "retweet", false) && qr_strv_contains(&v, "quote", false));
	qr_strv_clear(&v);
	qr_query_field_values("hashtag", &v);
	assert_int_equal(v.n, 0);
	qr_buf lang = QR_BUF_INIT;
	qr_query_language(&lang);
	assert_non_null(strstr(lang.buf, "public, unlisted, followers or direct"));
	qr_buf_release(&lang);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field_documented),
		cmocka_unit_test(test_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
