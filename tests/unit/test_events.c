/* lib/events: times as events write them, matching rules, loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "events.h"
#include "status.h"
#include "timeutil.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/quire-events-%ld", (long)getpid());
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s", dir, dir);
	return system(cmd);
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void write_file(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int64_t when(const char *iso)
{
	int64_t t;
	assert_true(qr_time_parse_iso(iso, &t));
	return t;
}

static void test_times(void **state)
{
	(void)state;
	int64_t t;
	assert_true(qr_event_time("2020-06-02", "UTC", false, &t));
	assert_int_equal(t, when("2020-06-02T00:00:00Z"));
	/* A date as an end is all of that day. */
	assert_true(qr_event_time("2020-06-02", "UTC", true, &t));
	assert_int_equal(t, when("2020-06-03T00:00:00Z"));
	assert_true(qr_event_time("2020-06-02", "America/Chicago", false, &t));
	assert_int_equal(t, when("2020-06-02T05:00:00Z"));
	assert_true(qr_event_time("2020-06-02", "Asia/Seoul", true, &t));
	assert_int_equal(t, when("2020-06-02T15:00:00Z"));
	/* A time is that instant, in the zone unless it says its offset. */
	assert_true(qr_event_time("2020-06-02T14:30", "Europe/Berlin", true, &t));
	assert_int_equal(t, when("2020-06-02T12:30:00Z"));
	assert_true(qr_event_time("2020-06-02T14:30:15-05:00", "Europe/Berlin", false, &t));
	assert_int_equal(t, when("2020-06-02T19:30:15Z"));
	assert_true(qr_event_time("2020-06-02T14:30Z", "Asia/Seoul", false, &t));
	assert_int_equal(t, when("2020-06-02T14:30:00Z"));
	/* With an offset no zone is needed; without one there is no answer. */
	assert_true(qr_event_time("2020-06-02T14:30:15-05:00", NULL, false, &t));
	assert_int_equal(t, when("2020-06-02T19:30:15Z"));
	assert_true(qr_event_time("2020-06-02T00:00Z", NULL, true, &t));
	assert_int_equal(t, when("2020-06-02T00:00:00Z"));
	assert_false(qr_event_time("2020-06-02T14:30", NULL, false, &t));
	/* A fraction of a second (JavaScript's toISOString) starts the
	 * window at the next whole second; none at all changes nothing. */
	assert_true(qr_event_time("2020-06-02T00:00:00.000Z", NULL, false, &t));
	assert_int_equal(t, when("2020-06-02T00:00:00Z"));
	assert_true(qr_event_time("2020-06-02T00:00:00.250Z", NULL, true, &t));
	assert_int_equal(t, when("2020-06-02T00:00:01Z"));
	assert_true(qr_event_time("2020-06-02T09:00:00.5", "Asia/Seoul", false, &t));
	assert_int_equal(t, when("2020-06-02T00:00:01Z"));
	assert_false(qr_event_time("2020-06-02T00:00:00.Z", NULL, false, &t));
	assert_false(qr_event_time("2020-06-02", NULL, true, &t));
	/* Winter time is read in winter. */
	assert_true(qr_event_time("2020-01-15", "America/Chicago", false, &t));
	assert_int_equal(t, when("2020-01-15T06:00:00Z"));
	const char *bad[] = { "2020-02-30", "2020-13-01", "2020-06-03T24:00", "2020-06-03T12:60", "2020-06-03 12:00",
			      "2020-6-3", "2020-06-03T12", "2020-06-03T12:00+25:00", "2020-06-03junk", "", "June 3" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(qr_event_time(bad[i], "UTC", false, &t));
}

static qr_events *load_one(const char *json)
{
	write_file("e.json", json);
	char path[512];
	snprintf(path, sizeof(path), "%s/e.json", dir);
	const char *paths[1] = { path };
	qr_events *ev = NULL;
	qr_strv problems = { 0 };
	int st = qr_events_load(paths, 1, &ev, &problems);
	for (size_t i = 0; i < problems.n; i++)
		fprintf(stderr, "%s\n", problems.v[i]);
	assert_int_equal(st, QR_OK);
	assert_int_equal(ev->n, 1);
	qr_strv_clear(&problems);
	return ev;
}

static void set_post(qr_post *p, const char *time, const char *handle, const char *text)
{
	qr_post_clear(p);
	qr_post_init(p);
	qr_set(&p->id, "test:1");
	qr_set(&p->author_handle, handle);
	qr_set(&p->author_id, "12345");
	qr_set(&p->text, text);
	p->created = time ? when(time) : QR_TIME_UNKNOWN;
}

static void test_phrases(void **state)
{
	(void)state;
	qr_events *ev = load_one("{\"id\":\"p\",\"title\":\"t\",\"description\":\"d\",\"zone\":\"UTC\","
				 "\"start\":\"2020-06-01\",\"terms\":[\"Fancam\",\"iWatch  Dallas\",\"블랙\",\"ÉTÉ\"]}");
	const qr_event *e = &ev->v[0];
	qr_post p;
	qr_post_init(&p);
	struct {
		const char *text;
		bool match;
	} cases[] = {
		{ "a FANCAM of her", true },       { "fancams all day", false },    { "#fancam", true },
		{ "fancam!", true },               { "xfancam", false },            { "fan_fancam", false },
		{ "fancam\xF0\x9F\x98\x8D", true }, { "the iwatch\n\n dallas app", true }, { "iwatchdallas", false },
		{ "iwatch dallasite", false },     { "블랙라이브스매터", true },     { "un été chaud", true },
		{ "étés", false },                 { "nothing", false },            { "", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_post(&p, "2020-06-03T10:00:00Z", "someone", cases[i].text);
		if (qr_event_matches(e, &p) != cases[i].match)
			fail_msg("'%s' should %smatch", cases[i].text, cases[i].match ? "" : "not ");
	}
	set_post(&p, NULL, "someone", "fancam");
	assert_false(qr_event_matches(e, &p));
	set_post(&p, "2020-05-31T23:59:59Z", "someone", "fancam");
	assert_false(qr_event_matches(e, &p));
	qr_post_clear(&p);
	qr_events_free(ev);
}

static void test_hashtags_accounts(void **state)
{
	(void)state;
	qr_events *ev = load_one("{\"id\":\"h\",\"title\":\"t\",\"description\":\"d\",\"zone\":\"UTC\","
				 "\"start\":\"2020-06-01\",\"end\":\"2020-06-01T12:00\",\"hashtags\":[\"#WhiteLivesMatter\"],"
				 "\"accounts\":[\"@Dallas_PD\",\"777\"]}");
	const qr_event *e = &ev->v[0];
	qr_post p;
	qr_post_init(&p);
	set_post(&p, "2020-06-01T11:59:59Z", "x", "text");
	qr_strv_push(&p.hashtags, "WHITELIVESMATTER");
	assert_true(qr_event_matches(e, &p));
	p.created = when("2020-06-01T12:00:00Z");
	assert_false(qr_event_matches(e, &p));
	set_post(&p, "2020-06-01T01:00:00Z", "DALLAS_pd", "text");
	assert_true(qr_event_matches(e, &p));
	set_post(&p, "2020-06-01T01:00:00Z", "other", "text");
	qr_strv_push(&p.mentions, "dallas_PD");
	assert_true(qr_event_matches(e, &p));
	set_post(&p, "2020-06-01T01:00:00Z", "other", "#WhiteLivesMatter in the text only");
	assert_false(qr_event_matches(e, &p));
	qr_set(&p.author_id, "777");
	assert_true(qr_event_matches(e, &p));
	qr_post_clear(&p);
	qr_events_free(ev);
}

static void test_apply(void **state)
{
	(void)state;
	write_file("b.json", "{\"id\":\"b-event\",\"title\":\"t\",\"description\":\"d\",\"zone\":\"UTC\",\"start\":\"2020-06-01\","
			     "\"terms\":[\"word\"]}");
	write_file("a.json", "{\"id\":\"a-event\",\"title\":\"t\",\"description\":\"d\",\"zone\":\"UTC\",\"start\":\"2020-06-01\","
			     "\"terms\":[\"word\"]}");
	write_file("notes.txt", "not part of the catalogue");
	const char *paths[1] = { dir };
	qr_events *ev = NULL;
	qr_strv problems = { 0 };
	assert_int_equal(qr_events_load(paths, 1, &ev, &problems), QR_OK);
	assert_int_equal(ev->n, 2);
	assert_string_equal(ev->v[0].id, "a-event");
	assert_int_equal(strlen(ev->digest), 64);
	qr_post p;
	qr_post_init(&p);
	set_post(&p, "2020-06-02T00:00:00Z", "x", "a word");
	qr_strv_push(&p.events, "stale-event");
	assert_true(qr_events_apply(ev, &p));
	assert_int_equal(p.events.n, 2);
	assert_string_equal(p.events.v[0], "a-event");
	assert_string_equal(p.events.v[1], "b-event");
	assert_false(qr_events_apply(ev, &p));
	/* The same set in another order is no change. */
	char *t = p.events.v[0];
	p.events.v[0] = p.events.v[1];
	p.events.v[1] = t;
	assert_false(qr_events_apply(ev, &p));
	qr_set(&p.text, "nothing");
	assert_true(qr_events_apply(ev, &p));
	assert_int_equal(p.events.n, 0);
	qr_post_clear(&p);
	qr_events_free(ev);
	qr_strv_clear(&problems);
}

static void test_problems(void **state)
{
	(void)state;
	write_file("bad.json", "{\"id\":\"x\",\"title\":\"t\",\"description\":\"d\",\"zone\":\"UTC\",\"start\":\"2020-06-01\","
			       "\"terms\":\"not a list\",\"references\":[{\"title\":\"T\",\"date\":\"June\",\"publisher\":\"P\"}]}");
	write_file("good.json", "{\"id\":\"ok\",\"title\":\"t\",\"description\":\"d\",\"zone\":\"UTC\",\"start\":\"2020-06-01\","
				"\"hashtags\":[\"x\"]}");
	const char *paths[1] = { dir };
	qr_events *ev = NULL;
	qr_strv problems = { 0 };
	assert_int_equal(qr_events_load(paths, 1, &ev, &problems), QR_BAD_INPUT);
	/* The valid file is kept, the broken one is left out. */
	assert_int_equal(ev->n, 1);
	assert_string_equal(ev->v[0].id, "ok");
	bool terms = false, date = false;
	for (size_t i = 0; i < problems.n; i++) {
		terms |= strstr(problems.v[i], "bad.json: terms: must be an array of strings") != NULL;
		date |= strstr(problems.v[i], "bad.json: references[0].date: 'June' is not a date") != NULL;
	}
	assert_true(terms);
	assert_true(date);
	qr_events_free(ev);
	qr_strv_clear(&problems);
	const char *missing[1] = { "/nonexistent/quire/events" };
	assert_int_equal(qr_events_load(missing, 1, &ev, &problems), QR_BAD_INPUT);
	assert_int_equal(ev->n, 0);
	assert_int_equal(problems.n, 1);
	qr_events_free(ev);
	qr_strv_clear(&problems);
	qr_events_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times),
		cmocka_unit_test_setup_teardown(test_phrases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hashtags_accounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_problems, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
