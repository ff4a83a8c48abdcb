/* lib/text.c and lib/json.c: UTF-8 checks, HTML references, terminal
 * escaping, the JSON writer on hostile bytes, and the typed getters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "text.h"

/* ---- qr_utf8_valid ---- */

static void expect_valid(const char *s, size_t n)
{
	size_t bad = 12345;
	assert_true(qr_utf8_valid(s, n, &bad));
	assert_int_equal(bad, 12345); /* untouched when valid */
}

static void expect_invalid(const char *s, size_t n, size_t at)
{
	size_t bad = 12345;
	assert_false(qr_utf8_valid(s, n, &bad));
	assert_int_equal(bad, at);
	assert_false(qr_utf8_valid(s, n, NULL)); /* bad may be NULL */
}

static void test_utf8_valid(void **state)
{
	(void)state;
	expect_valid("", 0);
	expect_valid("plain ascii ~", 13);
	expect_valid("\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", 9);       /* 한국어 */
	expect_valid("caf\xc3\xa9", 5);                               /* café */
	expect_valid("\xf0\x9f\x98\x80", 4);                          /* U+1F600 */
	expect_valid("\xf4\x8f\xbf\xbf", 4);                          /* U+10FFFF, the last */
	expect_valid("\xef\xbf\xbd", 3);                              /* U+FFFD itself */
	expect_valid("\x1b[31m", 5);                                  /* controls are valid UTF-8 */

	expect_invalid("ab\x80", 3, 2);               /* lone continuation byte */
	expect_invalid("a\xc3", 2, 1);                /* sequence cut at the end */
	expect_invalid("\xe2\x82", 2, 0);             /* three-byte sequence cut */
	expect_invalid("x\xc0\xaf", 3, 1);            /* overlong '/' */
	expect_invalid("\xc1\xbf", 2, 0);             /* overlong */
	expect_invalid("\xe0\x80\xaf", 3, 0);         /* overlong three-byte */
	expect_invalid("\xf0\x80\x80\xaf", 4, 0);     /* overlong four-byte */
	expect_invalid("ok\xed\xa0\x80", 5, 2);       /* surrogate U+D800 */
	expect_invalid("\xed\xbf\xbf", 3, 0);         /* surrogate U+DFFF */
	expect_invalid("\xf4\x90\x80\x80", 4, 0);     /* U+110000 */
	expect_invalid("\xf5\x80\x80\x80", 4, 0);     /* F5 never starts a sequence */
	expect_invalid("\xff", 1, 0);
	expect_invalid("\xc3\x28", 2, 0);            /* second byte not a continuation */
	expect_invalid("abc\0def", 7, 3);             /* NUL bytes are refused */
}

static void test_utf8_decode_encode(void **state)
{
	(void)state;
	uint32_t cp;
	assert_int_equal(qr_utf8_decode("\xed\x95\x9c", 3, &cp), 3);
	assert_int_equal(cp, 0xD55C);
	assert_int_equal(qr_utf8_decode("\xed\x95", 2, &cp), 1);
	assert_int_equal(cp, 0xFFFD);
	assert_int_equal(qr_utf8_decode("", 0, &cp), 0);
	for (uint32_t c = 1; c < 0x110000; c += (c < 0x3000 ? 1 : 97)) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		qr_buf b = QR_BUF_INIT;
		qr_utf8_encode(&b, c);
		assert_true(qr_utf8_valid(b.buf, b.len, NULL));
		assert_int_equal(qr_utf8_decode(b.buf, b.len, &cp), b.len);
		assert_int_equal(cp, c);
		qr_buf_release(&b);
	}
	qr_buf b = QR_BUF_INIT;
	qr_utf8_encode(&b, 0xD800);   /* not encodable: U+FFFD */
	qr_utf8_encode(&b, 0x110000);
	assert_string_equal(b.buf, "\xef\xbf\xbd\xef\xbf\xbd");
	qr_buf_release(&b);
	assert_int_equal(qr_utf8_length("a\xed\x95\x9c\xf0\x9f\x98\x80", 8), 3);
}

/* ---- qr_html_decode ---- */

static void expect_html(const char *in, const char *want)
{
	qr_buf b = QR_BUF_INIT;
	qr_buf_adds(&b, "<");   /* decoding appends */
	qr_html_decode(&b, in, strlen(in));
	assert_string_equal(b.buf + 1, want);
	assert_int_equal(b.buf[0], '<');
	qr_buf_release(&b);
}

static void test_html_decode(void **state)
{
	(void)state;
	expect_html("", "");
	expect_html("no references", "no references");
	/* What Twitter encodes in v1.1 text. */
	expect_html("Tom &amp; Jerry &lt;3 &gt;_&lt;", "Tom & Jerry <3 >_<");
	expect_html("&quot;quoted&quot; &apos;x&apos;", "\"quoted\" 'x'");
	expect_html("caf&eacute; &hellip; &mdash; &nbsp;", "caf\xc3\xa9 \xe2\x80\xa6 \xe2\x80\x94 \xc2\xa0");
	/* Numeric references, decimal and hex, either case of x. */
	expect_html("&#39;&#x41;&#X42;&#x1F600;&#54620;", "'AB\xf0\x9f\x98\x80\xed\x95\x9c");
	/* Decoded once: &amp;amp; is the text "&amp;". */
	expect_html("&amp;amp; &amp;lt;", "&amp; &lt;");
	/* Unknown or unfinished references stay as they are. */
	expect_html("&bogus; &amp &#; &#x; &#xZZ; & ; &", "&bogus; &amp &#; &#x; &#xZZ; & ; &");
	expect_html("AT&T R&D", "AT&T R&D");
	expect_html("&#12345678901;", "&#12345678901;");   /* too many digits */
	expect_html("&averyveryverylongname;", "&averyveryverylongname;");
	expect_html("trailing &", "trailing &");
	expect_html("&#38;#38;", "&#38;");
	/* Code points that cannot be text become U+FFFD. */
	expect_html("&#0;", "\xef\xbf\xbd");
	expect_html("&#xD800;", "\xef\xbf\xbd");
	expect_html("&#x110000;", "\xef\xbf\xbd");
	/* A reference next to multi-byte text. */
	expect_html("\xed\x95\x9c&amp;\xea\xb5\xad", "\xed\x95\x9c&\xea\xb5\xad");
}

/* ---- qr_escape_terminal ---- */

static void expect_esc(const char *in, size_t n, int flags, const char *want)
{
	qr_buf b = QR_BUF_INIT;
	qr_escape_terminal(&b, in, n, flags);
	assert_string_equal(b.buf, want);
	qr_buf_release(&b);
}
#define ESC(lit, flags, want) expect_esc(lit, sizeof(lit) - 1, flags, want)

static void test_escape_terminal(void **state)
{
	(void)state;
	ESC("hello, world", 0, "hello, world");
	ESC("\xed\x95\x9c\xea\xb5\xad \xf0\x9f\x98\x80", 0, "\xed\x95\x9c\xea\xb5\xad \xf0\x9f\x98\x80");
	/* ESC alone, CSI (colour, clear screen), OSC (window title, hyperlink). */
	ESC("\x1b", 0, "\\e");
	ESC("\x1b[31mred\x1b[0m", 0, "\\e[31mred\\e[0m");
	ESC("\x1b[2J\x1b[H", 0, "\\e[2J\\e[H");
	ESC("\x1b]0;owned\x07", 0, "\\e]0;owned\\x07");
	ESC("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", 0, "\\e]8;;http://x\\e\\link\\e]8;;\\e\\");
	/* C0 controls, DEL. */
	ESC("a\x01" "b\x7f" "c\x08", 0, "a\\x01b\\x7fc\\x08");
	ESC("l1\nl2\r\tx", 0, "l1\\nl2\\r\\tx");
	ESC("l1\nl2\r\tx", QR_ESC_KEEP_NEWLINES, "l1\nl2\\r\tx");
	/* C1 controls as UTF-8 (U+0085 NEL, U+009B CSI, U+009D OSC). */
	ESC("\xc2\x85\xc2\x9b" "31m\xc2\x9d", 0, "\\u{0085}\\u{009b}31m\\u{009d}");
	/* C1 controls as raw bytes are invalid UTF-8. */
	ESC("\x9b" "31m", 0, "\\x9b31m");
	/* Bidi overrides, embeddings, isolates and marks; line separators. */
	ESC("\xe2\x80\xae" "evil", 0, "\\u{202e}evil");
	ESC("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", 0, "\\u{202a}\\u{202b}\\u{202c}\\u{202d}");
	ESC("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", 0, "\\u{2066}\\u{2067}\\u{2068}\\u{2069}");
	ESC("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 0, "\\u{200e}\\u{200f}\\u{061c}");
	ESC("\xe2\x80\xa8\xe2\x80\xa9", 0, "\\u{2028}\\u{2029}");
	/* Invalid UTF-8: each bad byte shown as hex. */
	ESC("\xff\xfe", 0, "\\xff\\xfe");
	ESC("\xc0\xaf", 0, "\\xc0\\xaf");
	ESC("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");
	ESC("cut \xe2\x82", 0, "cut \\xe2\\x82");
	/* NUL inside the given length. */
	expect_esc("a\0b", 3, 0, "a\\x00b");
	/* Quoting for names in quotes. */
	ESC("say \"hi\" \\o/", QR_ESC_QUOTE, "say \\\"hi\\\" \\\\o/");
	ESC("say \"hi\"", 0, "say \"hi\"");
}

/* Whatever the bytes, the escaped text is valid UTF-8 with no control
 * character, no C1 control and no bidi control in it. */
static void test_escape_terminal_random(void **state)
{
	(void)state;
	srand(20200603);
	char in[64];
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand() % (int)sizeof(in));
		for (size_t i = 0; i < n; i++) {
			/* Bias towards the interesting bytes. */
			static const unsigned char pick[] = { 0x1b, 0x9b, 0xc2, 0xe2, 0x80, 0xae, 0x81, 0xa6,
							      0xd8, 0x9c, 0x00, 0x07, 0x7f, 0xff, '[', 'a' };
			in[i] = (char)(rand() % 2 ? pick[rand() % (int)sizeof(pick)] : rand() % 256);
		}
		qr_buf out = QR_BUF_INIT;
		qr_escape_terminal(&out, in, n, 0);
		assert_true(qr_utf8_valid(out.buf, out.len, NULL));
		for (size_t i = 0; i < out.len;) {
			uint32_t cp;
			size_t l = qr_utf8_decode(out.buf + i, out.len - i, &cp);
			assert_true(cp >= 0x20);
			assert_true(cp != 0x7f);
			assert_false(cp >= 0x80 && cp <= 0x9f);
			assert_false((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069));
			assert_false(cp == 0x200e || cp == 0x200f || cp == 0x061c || cp == 0x2028 || cp == 0x2029);
			i += l;
		}
		qr_buf_release(&out);
	}
}

/* ---- the JSON writer ---- */

static cJSON *parse_all(const qr_buf *b)
{
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithLengthOpts(b->buf, b->len, &end, false);
	if (!v || end != b->buf + b->len)
		fail_msg("writer output does not parse: %s", b->buf);
	return v;
}

static void test_jw_structure(void **state)
{
	(void)state;
	for (int pretty = 0; pretty <= 1; pretty++) {
		qr_buf b = QR_BUF_INIT;
		qr_jw w;
		qr_jw_init(&w, &b, pretty);
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "s", "text");
		qr_jw_kstr(&w, "skipped", NULL);
		qr_jw_kint(&w, "big", INT64_MIN);
		qr_jw_key(&w, "empty_a");
		qr_jw_begin_array(&w);
		qr_jw_end_array(&w);
		qr_jw_key(&w, "empty_o");
		qr_jw_begin_object(&w);
		qr_jw_end_object(&w);
		qr_jw_key(&w, "a");
		qr_jw_begin_array(&w);
		qr_jw_int(&w, 1);
		qr_jw_bool(&w, true);
		qr_jw_bool(&w, false);
		qr_jw_null(&w);
		qr_jw_string(&w, NULL);
		qr_jw_raw(&w, "{\"r\":[1,2]}", 11);
		qr_jw_begin_array(&w);
		qr_jw_begin_object(&w);
		qr_jw_kint(&w, "deep", 3);
		qr_jw_end_object(&w);
		qr_jw_end_array(&w);
		qr_jw_end_array(&w);
		qr_jw_key(&w, "nan");
		qr_jw_double(&w, NAN);
		qr_jw_end_object(&w);
		cJSON *v = parse_all(&b);
		assert_string_equal(qr_json_str(v, "s"), "text");
		assert_null(qr_json_get(v, "skipped"));
		int64_t x;
		assert_non_null(strstr(b.buf, "-9223372036854775808"));
		assert_int_equal(cJSON_GetArraySize(qr_json_get(v, "a")), 7);
		assert_int_equal(cJSON_GetArraySize(qr_json_get(v, "empty_a")), 0);
		assert_true(cJSON_IsObject(qr_json_get(v, "empty_o")));
		assert_true(cJSON_IsNull(qr_json_get(v, "nan")));
		const cJSON *deep = cJSON_GetArrayItem(cJSON_GetArrayItem(qr_json_get(v, "a"), 6), 0);
		assert_true(qr_json_int(deep, "deep", &x));
		assert_int_equal(x, 3);
		assert_true(pretty ? strchr(b.buf, '\n') != NULL : strchr(b.buf, '\n') == NULL);
		cJSON_Delete(v);
		qr_buf_release(&b);
	}
}

static void expect_double(double v, const char *want)
{
	qr_buf b = QR_BUF_INIT;
	qr_jw w;
	qr_jw_init(&w, &b, false);
	qr_jw_double(&w, v);
	assert_string_equal(b.buf, want);
	qr_buf_release(&b);
}

static void test_jw_double(void **state)
{
	(void)state;
	expect_double(0.004, "0.004");
	expect_double(0.003, "0.003");
	expect_double(0.1, "0.1");
	expect_double(1.0 / 3.0, "0.3333333333333333");
	expect_double(2.0 / 3.0, "0.6666666666666666");
	expect_double(0.1 + 0.2, "0.30000000000000004");
	expect_double(5e-324, "5e-324");
	expect_double(1.7976931348623157e308, "1.7976931348623157e+308");
	expect_double(1e21, "1e+21");
	expect_double(1e300, "1e+300");
	expect_double(12.5, "12.5");
	expect_double(3, "3");
	expect_double(1230000, "1230000");
	expect_double(-0.0, "-0");
	expect_double(-0.25, "-0.25");
	expect_double(INFINITY, "null");
	expect_double(-INFINITY, "null");
	/* Every printed double reads back as itself, and is no longer than
	 * %.17g would have made it. */
	srand(42);
	for (int i = 0; i < 20000; i++) {
		uint64_t bits = ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
		double d;
		memcpy(&d, &bits, sizeof(d));
		if (i % 2)
			d = (double)rand() / 1000.0;
		qr_buf b = QR_BUF_INIT;
		qr_jw w;
		qr_jw_init(&w, &b, false);
		qr_jw_double(&w, d);
		if (d != d || d - d != 0) {
			assert_string_equal(b.buf, "null");
		} else {
			char full[40];
			snprintf(full, sizeof(full), "%.17g", d);
			assert_true(strtod(b.buf, NULL) == d);
			assert_true(b.len <= strlen(full));
			cJSON *v = parse_all(&b);
			assert_true(cJSON_IsNumber(v));
			cJSON_Delete(v);
		}
		qr_buf_release(&b);
	}
}

/* Random bytes as keys and strings: the output always parses, is valid
 * UTF-8 with no raw control character, and valid input comes back as it
 * went in. */
static void test_jw_random_bytes(void **state)
{
	(void)state;
	srand(1591192931);
	char s[96];
	for (int round = 0; round < 5000; round++) {
		size_t n = (size_t)(rand() % (int)sizeof(s));
		bool utf8_only = round % 3 == 0;
		for (size_t i = 0; i < n; i++) {
			static const unsigned char pick[] = { '"', '\\', '/', 0x00, 0x1f, 0x7f, 0xc3, 0xa9, 0xed, 0xa0, 0xe2,
							      0x80, 0xa8, 0xae, 0xf0, 0x9f, 0xff, 0xc2, 0x9b, '\n', 'u' };
			s[i] = (char)(rand() % 2 ? pick[rand() % (int)sizeof(pick)] : rand() % 256);
			if (utf8_only)
				s[i] = (char)(1 + rand() % 0x7f);
		}
		if (utf8_only && n > 4) {
			memcpy(s, "\xe2\x80\xa8\xed\x95\x9c", n >= 6 ? 6 : 0);  /* U+2028 and a syllable */
		}
		qr_buf b = QR_BUF_INIT;
		qr_jw w;
		qr_jw_init(&w, &b, round % 2);
		qr_jw_begin_object(&w);
		qr_jw_key(&w, "k");
		qr_jw_stringn(&w, s, n);
		qr_buf key = QR_BUF_INIT;
		qr_buf_add(&key, s, n);
		qr_jw_key(&w, key.buf);   /* a key is a C string: up to a NUL */
		qr_jw_begin_array(&w);
		qr_jw_stringn(&w, s, n);
		qr_jw_end_array(&w);
		qr_jw_end_object(&w);

		assert_true(qr_utf8_valid(b.buf, b.len, NULL));
		for (size_t i = 0; i < b.len;) {
			uint32_t cp;
			i += qr_utf8_decode(b.buf + i, b.len - i, &cp);
			assert_true(cp >= 0x20 || cp == '\n');
			assert_false(cp >= 0x80 && cp <= 0x9f);
			assert_false((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028);
		}
		cJSON *v = parse_all(&b);
		assert_int_equal(cJSON_GetArraySize(v), 2);
		const cJSON *first = cJSON_GetArrayItem(v, 0);
		const char *back = cJSON_IsString(first) ? first->valuestring : NULL;
		assert_non_null(back);
		assert_true(qr_utf8_valid(back, strlen(back), NULL));
		if (qr_utf8_valid(s, n, NULL)) {
			assert_int_equal(strlen(back), n);
			assert_memory_equal(back, s, n);
		}
		cJSON_Delete(v);
		qr_buf_release(&key);
		qr_buf_release(&b);
	}
}

static void test_json_quote(void **state)
{
	(void)state;
	qr_buf b = QR_BUF_INIT;
	qr_json_quote(&b, "a\"b\\c\n\t\x01\x7f\xe2\x80\xa8\xff", 13);
	assert_string_equal(b.buf, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\\u2028\\ufffd\"");
	qr_buf_reset(&b);
	const char *hostile = "\x1b]0;t\x07\xc2\x9b" "1m\xe2\x80\xae\xe2\x81\xa6\xe2\x80\x8f\xd8\x9c\xed\x95\x9c";
	qr_json_quote(&b, hostile, strlen(hostile));
	assert_string_equal(b.buf, "\"\\u001b]0;t\\u0007\\u009b1m\\u202e\\u2066\\u200f\\u061c\xed\x95\x9c\"");
	qr_buf_release(&b);
}

/* ---- reading ---- */

static void test_json_get(void **state)
{
	(void)state;
	const char *doc = "{\"a\":1,\"u\":{\"n\":\"x\",\"id\":\"7\"},\"a\":2,\"u\":{\"n\":\"y\"},"
			  "\"s\":\"str\",\"list\":[1,2],\"id_big\":12683123456789012340,\"id_num\":1268312345678,"
			  "\"id_str\":\"1268312345678901234\",\"neg\":-5,\"frac\":2.5,\"digits\":\"42\",\"t\":true,\"f\":false}";
	cJSON *v = qr_json_parse(doc, strlen(doc), NULL);
	assert_non_null(v);
	int64_t x;
	/* The last duplicate wins, at every level of a path. */
	assert_true(qr_json_int(v, "a", &x));
	assert_int_equal(x, 2);
	assert_string_equal(qr_json_str(v, "u.n"), "y");
	assert_null(qr_json_get(v, "u.id"));  /* only in the first "u" */
	assert_null(qr_json_get(v, "missing"));
	assert_null(qr_json_get(v, "s.deeper"));
	assert_null(qr_json_get(v, "list.0"));
	assert_null(qr_json_str(v, "a"));      /* not a string */
	assert_non_null(qr_json_get(v, ""));   /* the empty path is the object */
	assert_true(qr_json_true(v, "t"));
	assert_false(qr_json_true(v, "f"));
	assert_false(qr_json_true(v, "missing"));

	qr_buf id = QR_BUF_INIT;
	assert_true(qr_json_id(v, "id_str", &id));
	assert_string_equal(id.buf, "1268312345678901234");
	assert_true(qr_json_id(v, "id_num", &id));
	assert_string_equal(id.buf, "1268312345678");
	assert_false(qr_json_id(v, "id_big", &id));   /* a double above 2^53 is not exact */
	assert_false(qr_json_id(v, "neg", &id));
	assert_false(qr_json_id(v, "frac", &id));
	assert_false(qr_json_id(v, "list", &id));
	qr_buf_release(&id);

	assert_true(qr_json_int(v, "neg", &x));
	assert_int_equal(x, -5);
	assert_true(qr_json_int(v, "digits", &x));
	assert_int_equal(x, 42);
	assert_false(qr_json_int(v, "frac", &x));
	assert_false(qr_json_int(v, "id_big", &x));   /* not exact as a double */
	assert_true(qr_json_int(v, "id_str", &x));    /* digits as text are exact */
	assert_int_equal(x, 1268312345678901234LL);
	assert_false(qr_json_int(v, "s", &x));
	assert_false(qr_json_int(v, "missing", &x));
	cJSON_Delete(v);
}

static void test_json_parse_errors(void **state)
{
	(void)state;
	qr_buf why = QR_BUF_INIT;
	cJSON *v = qr_json_parse("{\"a\":1}  \n", 10, &why);
	assert_non_null(v);
	cJSON_Delete(v);
	assert_null(qr_json_parse("{\"a\":1} x", 9, &why));
	assert_string_equal(why.buf, "unexpected data after the JSON value at byte 8");
	assert_null(qr_json_parse("{\"a\":", 5, &why));
	assert_non_null(strstr(why.buf, "invalid JSON"));
	assert_null(qr_json_parse("{\"a\" 1}", 7, &why));
	assert_non_null(strstr(why.buf, "invalid JSON"));
	assert_null(qr_json_parse("", 0, &why));
	/* Only n bytes are read, even with more in memory. */
	v = qr_json_parse("[1][2]", 3, &why);
	assert_non_null(v);
	cJSON_Delete(v);
	qr_buf_release(&why);
}

static void test_url_host(void **state)
{
	(void)state;
	qr_buf h = QR_BUF_INIT;
	assert_true(qr_url_host("https://WWW.NYTimes.com/2020/06/03/x.html", &h));
	assert_string_equal(h.buf, "www.nytimes.com");
	assert_true(qr_url_host("http://user:pw@example.org:8080/?q", &h));
	assert_string_equal(h.buf, "example.org");
	assert_true(qr_url_host("http://[::1]:80/", &h));
	assert_string_equal(h.buf, "[::1]");
	assert_true(qr_url_host("https://example.com./", &h));
	assert_string_equal(h.buf, "example.com");
	assert_false(qr_url_host("not a url", &h));
	assert_false(qr_url_host("https:///path", &h));
	assert_false(qr_url_host(NULL, &h));
	qr_buf_release(&h);

	qr_buf g = QR_BUF_INIT;
	qr_add_grouped(&g, 0);
	qr_buf_addch(&g, ' ');
	qr_add_grouped(&g, 999);
	qr_buf_addch(&g, ' ');
	qr_add_grouped(&g, 1000);
	qr_buf_addch(&g, ' ');
	qr_add_grouped(&g, 1234567);
	assert_string_equal(g.buf, "0 999 1,000 1,234,567");
	qr_buf_release(&g);
}

static void test_casefold(void **state)
{
	(void)state;
	qr_buf b = QR_BUF_INIT;
	const char *in = "WhiteLivesMatter \xc3\x89T\xc3\x89 \xed\x95\x9c";
	qr_casefold(&b, in, strlen(in));
	assert_string_equal(b.buf, "whitelivesmatter \xc3\xa9t\xc3\xa9 \xed\x95\x9c");
	qr_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_decode_encode),
		cmocka_unit_test(test_html_decode),
		cmocka_unit_test(test_escape_terminal),
		cmocka_unit_test(test_escape_terminal_random),
		cmocka_unit_test(test_jw_structure),
		cmocka_unit_test(test_jw_double),
		cmocka_unit_test(test_jw_random_bytes),
		cmocka_unit_test(test_json_quote),
		cmocka_unit_test(test_json_get),
		cmocka_unit_test(test_json_parse_errors),
		cmocka_unit_test(test_url_host),
		cmocka_unit_test(test_casefold),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
