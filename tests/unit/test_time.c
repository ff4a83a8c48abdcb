/* lib/timeutil.c: Twitter and ISO 8601 times, civil arithmetic, tz zones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "timeutil.h"

/* 2020-06-03T14:02:11Z, checked with date(1). */
#define T0 INT64_C(1591192931)

static void expect_twitter(const char *s, int64_t want)
{
	int64_t t = 0;
	if (!qr_time_parse_twitter(s, &t))
		fail_msg("'%s' was not accepted", s);
	assert_int_equal(t, want);
}

static void reject_twitter(const char *s)
{
	int64_t t = 77;
	if (qr_time_parse_twitter(s, &t))
		fail_msg("'%s' was accepted", s ? s : "(null)");
}

static void test_twitter(void **state)
{
	(void)state;
	expect_twitter("Wed Jun 03 14:02:11 +0000 2020", T0);
	/* Offsets: local time minus the offset is UTC. */
	expect_twitter("Wed Jun 03 16:02:11 +0200 2020", T0);
	expect_twitter("Wed Jun 03 09:02:11 -0500 2020", T0);
	expect_twitter("Wed Jun 03 19:32:11 +0530 2020", T0);
	expect_twitter("Thu Jun 04 00:02:11 +1000 2020", T0);
	expect_twitter("Sat Feb 29 00:00:00 +0000 2020", INT64_C(1582934400));
	expect_twitter("Thu Jan 01 00:00:00 +0000 1970", 0);
	expect_twitter("Wed Dec 31 23:59:59 +0000 1969", -1);

	reject_twitter(NULL);
	reject_twitter("");
	reject_twitter("Wed Jun 03 14:02:11 +0000");          /* no year */
	reject_twitter("Wed Jun 31 14:02:11 +0000 2020");     /* June has 30 days */
	reject_twitter("Fri Feb 29 14:02:11 +0000 2019");     /* not a leap year */
	reject_twitter("Wed Jun 00 14:02:11 +0000 2020");
	reject_twitter("Wed Jun 03 24:02:11 +0000 2020");
	reject_twitter("Wed Jun 03 14:60:11 +0000 2020");
	reject_twitter("Wed Jun 03 14:02:61 +0000 2020");
	reject_twitter("Wed Jnu 03 14:02:11 +0000 2020");     /* no such month */
	reject_twitter("Wed Jun  3 14:02:11 +0000 2020");     /* padded with a blank */
	reject_twitter("Wed Jun 03 14:02:11 +2500 2020");     /* offset out of range */
	reject_twitter("Wed Jun 03 14:02:11 0000 2020");      /* offset without a sign */
	reject_twitter("Wed Jun 03 14:02:11 +0000 2020 ");    /* trailing blank */
	reject_twitter("Wed Jun 03 14:02:11 +0000 20201");
	reject_twitter("2020-06-03T14:02:11Z and more text!");
	reject_twitter("Wed Jun 03 14:02:11 +0000 0000");     /* there is no year 0 */
}

static void expect_iso(const char *s, int64_t want)
{
	int64_t t = 0;
	if (!qr_time_parse_iso(s, &t))
		fail_msg("'%s' was not accepted", s);
	assert_int_equal(t, want);
}

static void reject_iso(const char *s)
{
	int64_t t = 77;
	if (qr_time_parse_iso(s, &t))
		fail_msg("'%s' was accepted", s ? s : "(null)");
}

static void test_iso(void **state)
{
	(void)state;
	expect_iso("2020-06-03T14:02:11Z", T0);
	expect_iso("2020-06-03t14:02:11z", T0);
	expect_iso("2020-06-03 14:02:11Z", T0);
	expect_iso("2020-06-03T14:02:11", T0);              /* no zone: UTC */
	expect_iso("2020-06-03T14:02:11.123Z", T0);         /* fractions dropped */
	expect_iso("2020-06-03T14:02:11,5Z", T0);
	expect_iso("2020-06-03T14:02:11.000000001+00:00", T0);
	expect_iso("2020-06-03T16:02:11+02:00", T0);
	expect_iso("2020-06-03T16:02:11+0200", T0);
	expect_iso("2020-06-03T16:02:11+02", T0);
	expect_iso("2020-06-03T09:02:11-05:00", T0);
	expect_iso("2020-06-03T14:02:11-00:00", T0);
	expect_iso("2020-06-03T14:02Z", T0 - 11);
	expect_iso("2020-06-03", T0 - 14 * 3600 - 2 * 60 - 11);
	expect_iso("0001-01-01T00:00:00Z", INT64_C(-62135596800));
	expect_iso("9999-12-31T23:59:59Z", INT64_C(253402300799));

	reject_iso(NULL);
	reject_iso("");
	reject_iso("2020");
	reject_iso("2020-06");
	reject_iso("20200603");
	reject_iso("2020-6-3");
	reject_iso("2020-13-01");
	reject_iso("2020-00-10");
	reject_iso("2020-02-30");
	reject_iso("2019-02-29");
	reject_iso("2020-06-03T25:00");
	reject_iso("2020-06-03T14");
	reject_iso("2020-06-03T14:02:11.Z");
	reject_iso("2020-06-03T14:02:11+24:00");
	reject_iso("2020-06-03T14:02:11+02:60");
	reject_iso("2020-06-03T14:02:11Zjunk");
	reject_iso("2020-06-03T14:02:11 Z");
	reject_iso("2020-06-03Z");
	reject_iso("0000-01-01");
}

static void test_format(void **state)
{
	(void)state;
	char buf[32];
	qr_time_format_iso(T0, buf);
	assert_string_equal(buf, "2020-06-03T14:02:11Z");
	qr_time_format_iso(-1, buf);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	qr_time_format_iso(INT64_C(951825600), buf);
	assert_string_equal(buf, "2000-02-29T12:00:00Z");
	/* What is formatted parses back to the same second. */
	for (int64_t t = INT64_C(-62135596800); t < INT64_C(253402300799); t += INT64_C(86400) * 3659 + 4567) {
		int64_t back;
		qr_time_format_iso(t, buf);
		assert_true(qr_time_parse_iso(buf, &back));
		assert_int_equal(back, t);
	}
}

static void test_civil_round_trip(void **state)
{
	(void)state;
	qr_civil c;
	int64_t t;
	qr_time_to_civil(T0, &c);
	assert_int_equal(c.year, 2020);
	assert_int_equal(c.month, 6);
	assert_int_equal(c.day, 3);
	assert_int_equal(c.hour, 14);
	assert_int_equal(c.minute, 2);
	assert_int_equal(c.second, 11);
	assert_int_equal(c.weekday, 3); /* Wednesday */
	qr_time_to_civil(INT64_C(-2203891200), &c);  /* 1900-03-01, a Thursday */
	assert_int_equal(c.year, 1900);
	assert_int_equal(c.month, 3);
	assert_int_equal(c.day, 1);
	assert_int_equal(c.weekday, 4);
	qr_time_to_civil(INT64_C(-62135596800), &c); /* 0001-01-01, a Monday */
	assert_int_equal(c.year, 1);
	assert_int_equal(c.weekday, 1);

	/* Every day of four centuries, and odd seconds across the range. */
	int64_t prev_day = -1;
	int prev_wd = -1;
	for (t = INT64_C(946684800) - INT64_C(86400) * 146097; t < INT64_C(946684800) + INT64_C(86400) * 146097;
	     t += 86400 + 1) {
		qr_time_to_civil(t, &c);
		int64_t back;
		assert_true(qr_time_from_civil(&c, &back));
		assert_int_equal(back, t);
		assert_true(c.month >= 1 && c.month <= 12 && c.day >= 1 && c.day <= 31);
		int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
		if (prev_wd >= 0 && day == prev_day + 1)
			assert_int_equal(c.weekday, (prev_wd + 1) % 7);
		prev_day = day;
		prev_wd = c.weekday;
	}

	qr_civil bad[] = {
		{ 2020, 2, 30, 0, 0, 0, 0 }, { 2019, 2, 29, 0, 0, 0, 0 }, { 2020, 13, 1, 0, 0, 0, 0 },
		{ 2020, 0, 1, 0, 0, 0, 0 },  { 2020, 4, 31, 0, 0, 0, 0 }, { 2020, 6, 3, 24, 0, 0, 0 },
		{ 2020, 6, 3, 0, 60, 0, 0 }, { 2020, 6, 3, 0, 0, 61, 0 }, { 0, 1, 1, 0, 0, 0, 0 },
		{ 10000, 1, 1, 0, 0, 0, 0 }, { 1900, 2, 29, 0, 0, 0, 0 }, { 2020, 6, 3, -1, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(qr_time_from_civil(&bad[i], &t));
	qr_civil leap = { 2000, 2, 29, 0, 0, 0, 0 };
	assert_true(qr_time_from_civil(&leap, &t));
}

static void test_tz(void **state)
{
	(void)state;
	int off;
	int64_t t;
	assert_true(qr_tz_valid("Europe/Berlin"));
	assert_true(qr_tz_valid("UTC"));
	assert_false(qr_tz_valid("Mars/Olympus_Mons"));
	assert_false(qr_tz_valid(""));
	assert_false(qr_tz_valid(NULL));
	assert_false(qr_tz_valid("/etc/localtime"));
	assert_false(qr_tz_valid("../../../etc/passwd"));
	assert_false(qr_tz_valid("Europe"));   /* a folder, not a zone */

	assert_true(qr_tz_offset("Europe/Berlin", T0, &off));
	assert_int_equal(off, 7200);           /* CEST in June */
	assert_true(qr_tz_offset("Europe/Berlin", INT64_C(1579089600), &off));
	assert_int_equal(off, 3600);           /* CET in January */
	assert_true(qr_tz_offset("UTC", T0, &off));
	assert_int_equal(off, 0);
	assert_true(qr_tz_offset("America/New_York", T0, &off));
	assert_int_equal(off, -4 * 3600);
	assert_false(qr_tz_offset("Mars/Olympus_Mons", T0, &off));

	qr_civil berlin = { 2020, 6, 3, 16, 2, 11, 0 };
	assert_true(qr_tz_to_utc("Europe/Berlin", &berlin, &t));
	assert_int_equal(t, T0);
	qr_civil winter = { 2020, 1, 15, 12, 0, 0, 0 };
	assert_true(qr_tz_to_utc("Europe/Berlin", &winter, &t));
	assert_int_equal(t, INT64_C(1579086000)); /* 11:00Z */
	/* The change to summer time: 02:00 CET became 03:00 CEST at 01:00Z.
	 * Times just either side are exact. */
	qr_civil before = { 2020, 3, 29, 1, 59, 59, 0 }, after = { 2020, 3, 29, 3, 0, 0, 0 };
	assert_true(qr_tz_to_utc("Europe/Berlin", &before, &t));
	assert_int_equal(t, INT64_C(1585443599));
	assert_true(qr_tz_to_utc("Europe/Berlin", &after, &t));
	assert_int_equal(t, INT64_C(1585443600));
	/* 02:30 that night never happened: it lands an hour on, at 01:30Z. */
	qr_civil gap = { 2020, 3, 29, 2, 30, 0, 0 };
	assert_true(qr_tz_to_utc("Europe/Berlin", &gap, &t));
	assert_int_equal(t, INT64_C(1585445400));
	/* 02:30 on 25 October happened twice: either is right. */
	qr_civil twice = { 2020, 10, 25, 2, 30, 0, 0 };
	assert_true(qr_tz_to_utc("Europe/Berlin", &twice, &t));
	assert_true(t == INT64_C(1603585800) || t == INT64_C(1603589400));
	qr_civil invalid = { 2020, 2, 30, 0, 0, 0, 0 };
	assert_false(qr_tz_to_utc("Europe/Berlin", &invalid, &t));
	assert_false(qr_tz_to_utc("Nowhere/Special", &berlin, &t));
}

/* Asking about a zone leaves the process's own TZ as it was. */
static void test_tz_restores_environment(void **state)
{
	(void)state;
	int off;
	setenv("TZ", "Asia/Seoul", 1);
	assert_true(qr_tz_offset("Europe/Berlin", T0, &off));
	assert_string_equal(getenv("TZ"), "Asia/Seoul");
	unsetenv("TZ");
	assert_true(qr_tz_offset("Europe/Berlin", T0, &off));
	assert_null(getenv("TZ"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twitter),
		cmocka_unit_test(test_iso),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_civil_round_trip),
		cmocka_unit_test(test_tz),
		cmocka_unit_test(test_tz_restores_environment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
