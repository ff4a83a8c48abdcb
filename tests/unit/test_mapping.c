/* Mappings: what a mapping document may say, and what it makes of values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mapping.h"
#include "status.h"
#include "timeutil.h"

static qr_mapping *parse(const char *doc)
{
	qr_mapping *m = NULL;
	qr_buf why = QR_BUF_INIT;
	if (qr_mapping_parse(doc, strlen(doc), "test", &m, &why) != 0)
		fail_msg("mapping refused: %s", why.buf);
	qr_buf_release(&why);
	return m;
}

static void refused(const char *doc, const char *reason)
{
	qr_mapping *m = NULL;
	qr_buf why = QR_BUF_INIT;
	assert_int_equal(qr_mapping_parse(doc, strlen(doc), "test", &m, &why), QR_BAD_INPUT);
	assert_null(m);
	if (!strstr(why.buf, reason))
		fail_msg("wanted '%s' in: %s", reason, why.buf);
	qr_buf_release(&why);
}

static void test_refused(void **state)
{
	(void)state;
	refused("[]", "a mapping is a JSON object");
	refused("{\"name\":\"x\",\"input\":\"xml\",\"fields\":{}}", "input must be");
	refused("{\"name\":\"x\",\"input\":\"csv\",\"fields\":{\"platform\":\"p\"}}", "fields.id is required");
	refused("{\"name\":\"x\",\"input\":\"csv\",\"fields\":{\"id\":\"a\"}}", "fields.platform is required");
	refused("{\"name\":\"x\",\"input\":\"csv\",\"fileds\":{}}", "unknown key 'fileds'");
	refused("{\"name\":\"x\",\"input\":\"csv\",\"fields\":{\"id\":\"a\",\"platform\":\"p\",\"body\":\"b\"}}",
		"unknown field 'body'");
	refused("{\"name\":\"x\",\"input\":\"csv\",\"fields\":{\"id\":{\"from\":\"a\",\"pattern\":\"(\"},\"platform\":\"p\"}}",
		"fields.id.pattern");
	refused("{\"name\":\"x\",\"input\":\"csv\",\"fields\":{\"id\":{\"from\":\"a\",\"pattern\":\"a\",\"group\":2},"
		"\"platform\":\"p\"}}",
		"the pattern has 0 groups");
	refused("{\"name\":\"x\",\"input\":\"csv\",\"fields\":{\"id\":\"a\",\"platform\":\"p\",\"created_at\":"
		"{\"from\":\"t\",\"format\":\"yyyy\"}}}",
		"fields.created_at.format 'yyyy'");
	refused("{\"name\":\"x\",\"input\":\"csv\",\"fields\":{\"id\":\"a\",\"platform\":\"p\"},\"media\":"
		"{\"from\":\"m\",\"type\":\"hologram\"}}",
		"media.type 'hologram'");
	refused("{\"name\":\"x\",\"input\":\"csv\",\"csv\":{\"separator\":\";;\"},\"fields\":{\"id\":\"a\",\"platform\":\"p\"}}",
		"csv.separator");
	refused("{\"name\":\"x\",\"input\":\"csv\",\"fields\":{\"id\":{},\"platform\":\"p\"}}", "fields.id needs");
}

static void test_builtins(void **state)
{
	(void)state;
	const qr_mapping *m;
	size_t n = 0;
	for (; (m = qr_mapping_builtin(n)); n++)
		assert_string_equal(qr_mapping_input(m), "csv");
	assert_int_equal(n, 2);
	assert_string_equal(qr_mapping_name(qr_mapping_builtin(0)), "crowdtangle");
	assert_string_equal(qr_mapping_name(qr_mapping_builtin(1)), "twarc-csv");
	static char c1[] = "Page Name", c2[] = "Facebook Id", c3[] = "Post Created", c4[] = "URL", c5[] = "Message";
	static char o1[] = "id", o2[] = "text";
	char *ct[] = { c1, c2, c3, c4, c5 };
	assert_ptr_equal(qr_mapping_for_columns(ct, 5), qr_mapping_builtin(0));
	char *other[] = { o1, o2 };
	assert_null(qr_mapping_for_columns(other, 2));
}

/* Apply a JSON mapping to one object; the post as compact JSON. */
static int apply(const qr_mapping *m, const char *json, qr_post **p, qr_posts *ps, qr_buf *why)
{
	cJSON *o = cJSON_Parse(json);
	assert_non_null(o);
	int st = qr_mapping_apply_json(m, o, ps, why);
	cJSON_Delete(o);
	*p = ps->n ? &ps->v[0] : NULL;
	return st;
}

static void test_times(void **state)
{
	(void)state;
	static const struct {
		const char *spec, *value;
		int64_t want; /* QR_TIME_UNKNOWN: refused */
	} cases[] = {
		{ "{\"from\":\"t\"}", "2020-06-03T14:02:11Z", 1591192931 },
		{ "{\"from\":\"t\"}", "2020-06-03T16:02:11+02:00", 1591192931 },
		{ "{\"from\":\"t\",\"zone\":\"America/Chicago\"}", "2020-06-03T09:02:11", 1591192931 },
		{ "{\"from\":\"t\",\"zone\":\"-05:00\"}", "2020-06-03 09:02:11", 1591192931 },
		{ "{\"from\":\"t\",\"format\":\"unix\"}", "1591192931", 1591192931 },
		{ "{\"from\":\"t\",\"format\":\"unix\"}", "1591192931.75", 1591192931 },
		{ "{\"from\":\"t\",\"format\":\"unix_ms\"}", "1591192931500", 1591192931 },
		{ "{\"from\":\"t\",\"format\":\"twitter\"}", "Wed Jun 03 14:02:11 +0000 2020", 1591192931 },
		{ "{\"from\":\"t\",\"format\":\"%d.%m.%Y %H:%M:%S\",\"zone\":\"Europe/Berlin\"}", "03.06.2020 16:02:11",
		  1591192931 },
		{ "{\"from\":\"t\",\"format\":\"%Y-%m-%d %H:%M:%S %z\"}", "2020-06-03 10:02:11 -0400", 1591192931 },
		{ "{\"from\":\"t\",\"format\":\"%Y-%m-%d %H:%M:%S\",\"zones\":{\"EDT\":\"-04:00\"}}", "2020-06-03 10:02:11 EDT",
		  1591192931 },
		{ "{\"from\":\"t\",\"format\":\"%Y-%m-%d %H:%M:%S\"}", "2020-06-03 10:02:11 XYZ", QR_TIME_UNKNOWN },
		{ "{\"from\":\"t\",\"format\":\"unix\"}", "soon", QR_TIME_UNKNOWN },
		{ "{\"from\":\"t\"}", "June 3", QR_TIME_UNKNOWN },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		qr_buf doc = QR_BUF_INIT, obj = QR_BUF_INIT, why = QR_BUF_INIT;
		qr_buf_setf(&doc, "{\"name\":\"t\",\"input\":\"jsonl\",\"fields\":{\"id\":\"id\",\"platform\":{\"value\":\"x\"},"
				  "\"created_at\":%s}}",
			    cases[i].spec);
		qr_buf_setf(&obj, "{\"id\":\"1\",\"t\":\"%s\"}", cases[i].value);
		qr_mapping *m = parse(doc.buf);
		qr_posts ps = { 0 };
		qr_post *p;
		int st = apply(m, obj.buf, &p, &ps, &why);
		if (cases[i].want == QR_TIME_UNKNOWN) {
			if (st != QR_BAD_INPUT)
				fail_msg("case %zu: '%s' accepted", i, cases[i].value);
		} else {
			if (st != QR_OK || p->created != cases[i].want)
				fail_msg("case %zu: '%s' gave %lld (%s)", i, cases[i].value, p ? (long long)p->created : 0LL,
					 why.buf);
		}
		qr_posts_clear(&ps);
		qr_mapping_free(m);
		qr_buf_release(&doc);
		qr_buf_release(&obj);
		qr_buf_release(&why);
	}
}

static void test_values(void **state)
{
	(void)state;
	qr_mapping *m = parse(
		"{\"name\":\"v\",\"input\":\"jsonl\",\"require\":[\"p.id\"],\"fields\":{"
		"\"id\":{\"from\":\"p.url\",\"pattern\":\"/status/([0-9]+)\",\"keep_unmatched\":true},"
		"\"platform\":{\"from\":[\"missing\",\"p.net\"],\"lowercase\":true,\"value\":\"web\"},"
		"\"author_handle\":\"p.user.handle\","
		"\"text\":{\"from\":[\"p.title\",\"p.body\"],\"join\":\"\\n\\n\",\"unescape\":true,\"html\":true},"
		"\"url\":{\"template\":\"https://x.example/{author_handle}/{native_id}\"},"
		"\"hashtags\":{\"from\":[\"p.tags\",\"p.more\"],\"split\":\",\",\"strip\":\"#\",\"from_text\":true},"
		"\"urls\":{\"from\":\"p.links[].href\"}},"
		"\"media\":[{\"from\":\"p.media[0].src\"},{\"from\":\"p.media[1].src\",\"type\":\"audio\"}],"
		"\"metrics\":{\"likes\":\"p.likes\",\"views\":\"p.views\",\"bad\":\"p.bad\"},"
		"\"extra\":{\"community\":\"p.group\"}}");
	qr_posts ps = { 0 };
	qr_post *p;
	qr_buf why = QR_BUF_INIT;
	assert_int_equal(apply(m,
			       "{\"p\":{\"id\":1,\"url\":\"https://x.example/status/42?s=1\",\"net\":\"X\","
			       "\"user\":{\"handle\":\"@moa\"},\"title\":\"Light &amp; sticks\",\"body\":\"line\\\\nnext #extra\","
			       "\"tags\":\"#kpop, fancam,,\",\"more\":[\"#BTS\"],\"links\":[{\"href\":\"https://a.org\"},"
			       "{\"href\":\"https://b.org\"}],\"media\":[{\"src\":\"https://c.org/1.png?x=1\"},"
			       "{\"src\":\"https://c.org/2\"}],\"likes\":\"12,345\",\"views\":1.5e3,\"bad\":\"12,34\","
			       "\"group\":\"K-pop Dallas\"}}",
			       &p, &ps, &why),
			 QR_OK);
	assert_string_equal(p->id, "x:42");
	assert_string_equal(p->author_handle, "moa");
	assert_string_equal(p->text, "Light & sticks\n\nline\nnext #extra");
	assert_string_equal(p->url, "https://x.example/moa/42");
	assert_int_equal(p->hashtags.n, 4);
	assert_string_equal(p->hashtags.v[0], "kpop");
	assert_string_equal(p->hashtags.v[1], "fancam");
	assert_string_equal(p->hashtags.v[2], "BTS");
	assert_string_equal(p->hashtags.v[3], "extra");
	assert_int_equal(p->urls.n, 2);
	assert_int_equal(p->nmedia, 2);
	assert_string_equal(p->media[0].type, "photo");
	assert_string_equal(p->media[1].type, "audio");
	assert_int_equal(p->nmetrics, 2);
	assert_string_equal(p->metrics[0].name, "likes");
	assert_int_equal(p->metrics[0].value, 12345);
	assert_int_equal(p->metrics[1].value, 1500);
	assert_string_equal(qr_kvv_get(&p->extra, "community"), "K-pop Dallas");
	assert_string_equal(p->kind, "original");
	qr_posts_clear(&ps);

	/* Defaults and drop-outs: the id kept whole, the constant platform,
	 * no URL when a template part is missing. */
	assert_int_equal(apply(m, "{\"p\":{\"id\":2,\"url\":\"https://x.example/other\"}}", &p, &ps, &why), QR_OK);
	assert_string_equal(p->id, "web:https://x.example/other");
	assert_null(p->url);
	assert_string_equal(p->text, "");
	qr_posts_clear(&ps);

	assert_int_equal(apply(m, "{\"p\":{\"id\":3}}", &p, &ps, &why), QR_BAD_INPUT);
	assert_non_null(strstr(why.buf, "no id"));
	qr_posts_clear(&ps);
	assert_int_equal(apply(m, "{\"p\":{\"id\":4,\"url\":\"has a blank\"}}", &p, &ps, &why), QR_BAD_INPUT);
	qr_posts_clear(&ps);

	qr_mapping_use(m);
	cJSON *o = cJSON_Parse("{\"p\":{\"id\":5}}");
	assert_ptr_equal(qr_mapping_for_json(o), m);
	cJSON_Delete(o);
	o = cJSON_Parse("{\"q\":{\"id\":5}}");
	assert_null(qr_mapping_for_json(o));
	cJSON_Delete(o);
	assert_true(qr_mapping_json_head("{\"p\": {\"id\": 1}}", 16));
	assert_false(qr_mapping_json_head("{\"q\": {\"id\": 1}}", 16));
	qr_mapping_use(NULL);
	qr_mapping_free(m);
	qr_buf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
