/* quire events: the event catalogue of a corpus: list, show, apply, check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "events.h"
#include "federation.h"
#include "ingest.h"
#include "json.h"
#include "schema.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "events", 'e', "DIR", "list, show or apply this catalogue instead of the corpus's (apply also stores it)" },
	{ "format", 'f', "NAME", "list and show: text (default) or json" },
	{ "quiet", 'q', NULL, "check: print nothing when the catalogue is valid" },
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"events",
	"[OPTIONS] list | show ID | apply | check [PATH...]",
	"The event catalogue: named windows of time that tag the posts they match.",
	"An event is one JSON file (schemas/event.schema.json): id, title, description, zone,\n"
	"start and end (a date means all of that day in the zone; a time may carry its own\n"
	"offset, and when start and end both do, as in 2020-06-02T00:00Z, the zone may be left\n"
	"out), hashtags, terms (phrases), accounts, places and references (the sources to\n"
	"cite).  A post belongs to an event when its time is in the window AND it carries one\n"
	"of the hashtags (any capitalisation), or its text holds one of the terms (whole\n"
	"words, any capitalisation), or it is by or mentions one of the accounts.  Its events\n"
	"are searched with event:ID and printed in its records and citations.\n\n"
	"A corpus keeps its own copy of the catalogue in <corpus>/events/ ('quire ingest\n"
	"--events DIR' or 'quire events apply --events DIR' store one there).\n\n"
	"  list          the events, their windows and how many posts each tags\n"
	"  show ID       one event in full, with its references\n"
	"  apply         recompute the events of every post from the index (the inputs are\n"
	"                not read again); only posts whose events change are rewritten\n"
	"  check [PATH]  validate catalogue files or directories (default: the corpus's);\n"
	"                every problem is printed with its file and field\n\n"
	"Exit status: 0 ok, 1 show: no such event, 2 usage, 3 the catalogue has problems, 4 locked.",
	"  quire events check corpus/events\n"
	"  quire events apply -c june2020 --events corpus/events\n"
	"  quire events list -c june2020\n"
	"  quire events show -c june2020 iwatch-dallas\n"
	"  quire search -c june2020 'event:iwatch-dallas media:video'",
	options,
};

struct opts {
	qr_cmd_opts c;
	const char *events;
	bool quiet;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *o = ctx;
	if (qr_cmd_option(&o->c, name, arg))
		return 0;
	if (strcmp(name, "events") == 0)
		o->events = arg;
	else if (strcmp(name, "quiet") == 0)
		o->quiet = true;
	return 0;
}

/* Posts tagged with the event, or -1 when no corpus is at hand. */
static int64_t tagged(qr_corpus *c, const char *id)
{
	if (!c)
		return -1;
	qr_buf term = QR_BUF_INIT;
	uint32_t freq = 0;
	qr_term(&term, QR_P_EVENT, id, true);
	if (xc_db_termfreq(qr_corpus_db(c), term.buf, term.len, &freq) != XC_OK)
		freq = 0;
	qr_buf_release(&term);
	return freq;
}

static void print_safe(const char *s)
{
	qr_buf b = QR_BUF_INIT;
	qr_escape_terminal(&b, s, strlen(s), QR_ESC_KEEP_NEWLINES);
	fputs(b.buf, stdout);
	qr_buf_release(&b);
}

static void window_text(const qr_event *e, qr_buf *out)
{
	qr_buf_addf(out, "%s .. %s", e->start_text, e->end_text ? e->end_text : "open");
	if (e->zone)
		qr_buf_addf(out, " (%s)", e->zone);
}

static void event_json(qr_jw *w, const qr_event *e, int64_t posts)
{
	char t[32];
	qr_jw_begin_object(w);
	qr_jw_kstr(w, "id", e->id);
	qr_jw_kstr(w, "title", e->title);
	qr_jw_kstr(w, "description", e->description);
	qr_jw_kstr(w, "zone", e->zone);
	qr_jw_kstr(w, "start", e->start_text);
	qr_jw_kstr(w, "end", e->end_text);
	qr_time_format_iso(e->start, t);
	qr_jw_kstr(w, "start_utc", t);
	if (e->end != INT64_MAX) {
		qr_time_format_iso(e->end, t);
		qr_jw_kstr(w, "end_utc", t);
	}
	qr_strv_to_json(&e->hashtags, w, "hashtags");
	qr_strv_to_json(&e->terms, w, "terms");
	qr_strv_to_json(&e->accounts, w, "accounts");
	qr_strv_to_json(&e->places, w, "places");
	qr_jw_key(w, "references");
	qr_jw_begin_array(w);
	for (size_t i = 0; i < e->nrefs; i++) {
		const qr_event_ref *r = &e->refs[i];
		qr_jw_begin_object(w);
		qr_jw_kstr(w, "publisher", r->publisher);
		qr_jw_kstr(w, "title", r->title);
		qr_jw_kstr(w, "date", r->date);
		qr_jw_kstr(w, "url", r->url);
		if (r->authors.n)
			qr_strv_to_json(&r->authors, w, "authors");
		qr_jw_end_object(w);
	}
	qr_jw_end_array(w);
	qr_jw_kstr(w, "file", e->file);
	if (posts >= 0)
		qr_jw_kint(w, "posts", posts);
	qr_jw_end_object(w);
}

static void list_text(const qr_events *ev, qr_corpus *c)
{
	qr_buf line = QR_BUF_INIT;
	for (size_t i = 0; i < ev->n; i++) {
		const qr_event *e = &ev->v[i];
		qr_buf_reset(&line);
		qr_buf_addf(&line, "%-24s ", e->id);
		int64_t n = tagged(c, e->id);
		if (n >= 0) {
			qr_buf num = QR_BUF_INIT;
			qr_add_grouped(&num, (uint64_t)n);
			qr_buf_addf(&line, "%8s posts  ", num.buf);
			qr_buf_release(&num);
		}
		window_text(e, &line);
		qr_buf_addf(&line, "\n%-24s %s\n", "", e->title);
		print_safe(line.buf);
	}
	if (!ev->n)
		puts("no events (store a catalogue with 'quire events apply --events DIR')");
	qr_buf_release(&line);
}

static void show_text(const qr_event *e, qr_corpus *c)
{
	qr_buf b = QR_BUF_INIT;
	qr_buf_addf(&b, "%s: %s\n", e->id, e->title);
	qr_buf_adds(&b, "window:      ");
	window_text(e, &b);
	char t0[32], t1[32];
	qr_time_format_iso(e->start, t0);
	if (e->end != INT64_MAX) {
		qr_time_format_iso(e->end, t1);
		qr_buf_addf(&b, "\n             %s to %s, end excluded\n", t0, t1);
	} else {
		qr_buf_addf(&b, "\n             from %s, no end\n", t0);
	}
	const qr_strv *lists[] = { &e->hashtags, &e->terms, &e->accounts, &e->places };
	const char *names[] = { "hashtags:", "terms:", "accounts:", "places:" };
	const char *sigil[] = { "#", "\"", "@", "" };
	for (int k = 0; k < 4; k++) {
		if (!lists[k]->n)
			continue;
		qr_buf_addf(&b, "%-12s ", names[k]);
		for (size_t i = 0; i < lists[k]->n; i++)
			qr_buf_addf(&b, "%s%s%s%s", i ? ", " : "", sigil[k], lists[k]->v[i], k == 1 ? "\"" : "");
		qr_buf_addch(&b, '\n');
	}
	int64_t n = tagged(c, e->id);
	if (n >= 0) {
		qr_buf_adds(&b, "posts:       ");
		qr_add_grouped(&b, (uint64_t)n);
		qr_buf_addf(&b, " (quire search 'event:%s')\n", e->id);
	}
	qr_buf_addf(&b, "file:        %s\n\n%s\n", e->file, e->description);
	if (e->nrefs)
		qr_buf_adds(&b, "\nreferences:\n");
	for (size_t i = 0; i < e->nrefs; i++) {
		const qr_event_ref *r = &e->refs[i];
		qr_buf_adds(&b, "  - ");
		for (size_t k = 0; k < r->authors.n; k++)
			qr_buf_addf(&b, "%s%s", k ? ", " : "", r->authors.v[k]);
		qr_buf_addf(&b, "%s%s (%s). %s.", r->authors.n ? ". " : "", r->publisher, r->date, r->title);
		if (r->url)
			qr_buf_addf(&b, " %s", r->url);
		qr_buf_addch(&b, '\n');
	}
	print_safe(b.buf);
	qr_buf_release(&b);
}

static int open_reader(const struct opts *o, qr_corpus **c, bool required)
{
	qr_buf err = QR_BUF_INIT;
	int st = qr_corpus_open(qr_cli_corpus(o->c.corpus), QR_OPEN_READ, c, &err);
	if (st && required)
		qr_error("%s", err.buf);
	qr_buf_release(&err);
	if (st)
		*c = NULL;
	return st;
}

/* The catalogue to read: --events, else the corpus's. */
static int catalogue(const struct opts *o, qr_corpus *c, qr_events **ev)
{
	qr_strv problems = { 0 };
	int st;
	if (o->events) {
		const char *paths[1] = { o->events };
		st = qr_events_load(paths, 1, ev, &problems);
	} else {
		st = qr_events_load_corpus(c, ev, &problems);
	}
	for (size_t i = 0; i < problems.n; i++)
		qr_warning("%s (left out; see 'quire events check')", problems.v[i]);
	qr_strv_clear(&problems);
	return st;
}

static int run_list_show(const struct opts *o, const char *id)
{
	qr_corpus *c = NULL;
	qr_events *ev = NULL;
	int rc = 0;
	if (open_reader(o, &c, !o->events) && !o->events)
		return QR_EXIT_USAGE;
	catalogue(o, c, &ev);
	bool json = strcmp(o->c.format, "json") == 0;
	const qr_event *e = id ? qr_events_find(ev, id) : NULL;
	if (id && !e) {
		qr_buf safe = QR_BUF_INIT;
		qr_escape_terminal(&safe, id, strlen(id), 0);
		qr_error("no event '%s' in the catalogue (see 'quire events list')", safe.buf);
		qr_buf_release(&safe);
		rc = QR_EXIT_NO_HITS;
	} else if (json) {
		qr_buf out = QR_BUF_INIT;
		qr_jw w;
		qr_jw_init(&w, &out, true);
		if (e) {
			event_json(&w, e, tagged(c, e->id));
		} else {
			qr_jw_begin_object(&w);
			qr_jw_kint(&w, "format_version", QR_EVENTS_FORMAT_VERSION);
			qr_jw_kstr(&w, "digest", ev->digest);
			qr_jw_key(&w, "events");
			qr_jw_begin_array(&w);
			for (size_t i = 0; i < ev->n; i++)
				event_json(&w, &ev->v[i], tagged(c, ev->v[i].id));
			qr_jw_end_array(&w);
			qr_jw_end_object(&w);
		}
		puts(out.buf);
		qr_buf_release(&out);
	} else if (e) {
		show_text(e, c);
	} else {
		list_text(ev, c);
	}
	qr_events_free(ev);
	qr_corpus_close(c);
	return rc;
}

/* The catalogue as serve-shard's /events takes it (a journal entry's
 * digest and files). */
static void catalogue_json(const qr_events *ev, qr_buf *out)
{
	qr_jw w;
	qr_jw_init(&w, out, false);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "digest", ev->digest);
	qr_jw_key(&w, "files");
	qr_jw_begin_array(&w);
	for (size_t i = 0; i < ev->names.n; i++) {
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "name", ev->names.v[i]);
		qr_jw_kstr(&w, "content", ev->contents.v[i]);
		qr_jw_end_object(&w);
	}
	qr_jw_end_array(&w);
	qr_jw_end_object(&w);
}

/*
 * events apply on a federation: the catalogue (given, else the
 * federation's own copy) is kept in the federation and applied by each
 * shard to its posts, through its journal (serve-shard's /events for the
 * shards elsewhere).
 */
static int apply_federation(const struct opts *o, qr_events *given)
{
	qr_corpus *c = NULL;
	qr_events *ev = given;
	qr_buf json = QR_BUF_INIT, err = QR_BUF_INIT, resp = QR_BUF_INIT, name = QR_BUF_INIT;
	qr_strv problems = { 0 };
	qr_corpus_allow_partial(false);
	int rc = qr_cmd_open_corpus(o->c.corpus, &c);
	if (rc)
		goto out;
	if (!ev && qr_events_load_corpus(c, &ev, &problems)) {
		for (size_t i = 0; i < problems.n; i++)
			qr_error("%s", problems.v[i]);
		rc = QR_EXIT_DAMAGED;
		goto out;
	}
	if (given && qr_events_install(c, given, NULL, &err)) {
		qr_error("cannot store the event catalogue in the federation: %s", err.buf);
		rc = QR_EXIT_INTERNAL;
		goto out;
	}
	catalogue_json(ev, &json);
	qr_federation *f = qr_corpus_federation(c);
	for (size_t k = 0; k < f->nup && !rc; k++) {
		qr_fed_shard *sh = &f->v[f->up[k]];
		qr_buf_reset(&name);
		qr_fed_shard_name(f, sh, &name);
		if (sh->kind == QR_LOC_PATH) {
			cJSON *j = qr_json_parse(json.buf, json.len, &err);
			qr_events *copy = NULL, *used = NULL;
			qr_corpus *sc = NULL;
			qr_strv_clear(&problems);
			int st = j ? qr_events_from_journal(j, &copy, &problems) : QR_INTERNAL;
			cJSON_Delete(j);
			if (!st && !(st = qr_ingest_open_corpus(sh->path, false, &sc))) {
				printf("%s: ", name.buf);
				fflush(stdout);
				rc = qr_catalogue_prepare(sc, copy, true, false, &used);
				copy = NULL;
			} else {
				rc = QR_EXIT_DAMAGED;
			}
			qr_events_free(copy);
			qr_events_free(used);
			qr_corpus_close(sc);
		} else if (qr_fed_shard_post(f, sh, "/events", json.buf, json.len, &resp, &err)) {
			qr_error("cannot apply the event catalogue: %s", err.buf);
			rc = QR_EXIT_DAMAGED;
		} else {
			printf("%s: %.*s", name.buf, (int)resp.len, resp.buf);
		}
	}
out:
	if (ev != given)
		qr_events_free(ev);
	qr_events_free(given);
	qr_strv_clear(&problems);
	qr_corpus_close(c);
	qr_buf_release(&json);
	qr_buf_release(&err);
	qr_buf_release(&resp);
	qr_buf_release(&name);
	return rc;
}

static int run_apply(const struct opts *o)
{
	qr_events *given = NULL, *ev = NULL;
	int rc;
	if (o->events) {
		const char *paths[1] = { o->events };
		if ((rc = qr_catalogue_read(paths, 1, &given))) {
			qr_events_free(given);
			return rc;
		}
	}
	if (qr_federation_is(qr_cli_corpus(o->c.corpus)))
		return apply_federation(o, given);
	qr_corpus *c;
	int st = qr_ingest_open_corpus(qr_cli_corpus(o->c.corpus), false, &c);
	if (st) {
		qr_events_free(given);
		return qr_status_exit_code(st);
	}
	rc = qr_catalogue_prepare(c, given, true, false, &ev);
	qr_events_free(ev);
	qr_corpus_close(c);
	return rc;
}

static int run_check(const struct opts *o, char **paths, int n)
{
	qr_events *ev = NULL;
	qr_strv problems = { 0 };
	qr_corpus *c = NULL;
	int st;
	if (n > 0) {
		st = qr_events_load((const char *const *)paths, (size_t)n, &ev, &problems);
	} else if (o->events) {
		const char *p[1] = { o->events };
		st = qr_events_load(p, 1, &ev, &problems);
	} else {
		if (open_reader(o, &c, true))
			return QR_EXIT_USAGE;
		st = qr_events_load_corpus(c, &ev, &problems);
	}
	for (size_t i = 0; i < problems.n; i++)
		qr_error("%s", problems.v[i]);
	if (st)
		fprintf(stderr, "%zu problem%s; %zu valid event%s\n", problems.n, problems.n == 1 ? "" : "s", ev->n,
			ev->n == 1 ? "" : "s");
	else if (!o->quiet)
		printf("%zu event%s, no problems\n", ev->n, ev->n == 1 ? "" : "s");
	qr_strv_clear(&problems);
	qr_events_free(ev);
	qr_corpus_close(c);
	return st ? QR_EXIT_DAMAGED : 0;
}

int cmd_events(int argc, char **argv)
{
	struct opts o = { { NULL, "text", { NULL, NULL, NULL, false } }, NULL, false };
	int first;
	int st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	if (strcmp(o.c.format, "text") && strcmp(o.c.format, "json"))
		return qr_usage_error("events", "--format takes text or json, not '%s'", o.c.format);
	if (first >= argc)
		return qr_usage_error("events", "say what to do: list, show ID, apply or check");
	const char *what = argv[first];
	int rest = argc - first - 1;
	if (strcmp(what, "list") == 0 && rest == 0)
		return run_list_show(&o, NULL);
	if (strcmp(what, "show") == 0 && rest == 1)
		return run_list_show(&o, argv[first + 1]);
	if (strcmp(what, "apply") == 0 && rest == 0)
		return run_apply(&o);
	if (strcmp(what, "check") == 0)
		return run_check(&o, argv + first + 1, rest);
	if (strcmp(what, "list") == 0 || strcmp(what, "show") == 0 || strcmp(what, "apply") == 0)
		return qr_usage_error("events", "'events %s' takes %s", what,
				      strcmp(what, "show") == 0 ? "one event id" : "no argument");
	return qr_usage_error("events", "no action '%s' (list, show ID, apply or check)", what);
}
