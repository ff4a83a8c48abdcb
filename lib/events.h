/*
 * The event catalogue (schemas/event.schema.json): named windows of time
 * with the hashtags, phrases and accounts that make a post part of the
 * event, and the sources that document it.  One JSON file per event.
 *
 * A post belongs to an event when its time falls in the window AND it
 * carries one of the hashtags (any capitalisation), or its text holds one
 * of the phrases (whole words, any capitalisation), or its author or one
 * of its mentions is one of the accounts.  A post without a time belongs
 * to no event.
 *
 * A corpus keeps its own copy of the catalogue in <corpus>/events/, so
 * that every later command (ingest, events apply, list) sees the same
 * events; the index metadata records the digest of the catalogue last
 * applied to every post.
 */
#ifndef QR_EVENTS_H
#define QR_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "corpus.h"
#include "hash.h"
#include "post.h"

/* Version of the catalogue format (schemas/event.schema.json). */
#define QR_EVENTS_FORMAT_VERSION 1
/* Index metadata key: sha256 of the catalogue applied to every post. */
#define QR_EVENTS_META_APPLIED "quire.events.applied"
/* Longest event file read. */
#define QR_EVENT_FILE_MAX (1 << 20)

typedef struct qr_event_ref {
	char *publisher;
	char *title;
	char *date;            /* as written: 2020-06-04 */
	char *url;             /* NULL when the source has none */
	qr_strv authors;
} qr_event_ref;

typedef struct qr_event {
	char *id;              /* lower case: [a-z0-9][a-z0-9._-]* */
	char *title;
	char *description;
	char *zone;            /* IANA zone the window is written in; NULL when
	                        * start and end both carry Z or an offset */
	char *start_text;      /* as written */
	char *end_text;        /* NULL: open end */
	int64_t start;         /* first second of the window */
	int64_t end;           /* first second after it; INT64_MAX: open */
	qr_strv hashtags;      /* as written, without '#' */
	qr_strv terms;
	qr_strv accounts;      /* as written, without '@' */
	qr_strv places;
	qr_event_ref *refs;
	size_t nrefs;
	char *file;            /* file name in its catalogue directory */
	/* case-folded copies for matching */
	qr_strv f_hashtags, f_terms, f_accounts;
} qr_event;

typedef struct qr_events {
	qr_event *v;           /* sorted by id */
	size_t n;
	/* The files as read, for copying into a corpus. */
	qr_strv names;
	qr_strv contents;
	char digest[QR_SHA256_HEX];   /* of names and contents ("" when empty) */
} qr_events;

/*
 * Read a catalogue: each path is a directory (its *.json files, in name
 * order) or a single file.  Every problem is pushed onto `problems` as
 * "<file>: <field>: <why>" and the files with problems are left out; the
 * status is QR_BAD_INPUT when there was any, QR_OK otherwise.  *out is
 * always set (possibly empty) and the caller frees it.
 */
int qr_events_load(const char *const *paths, size_t n, qr_events **out, qr_strv *problems);
void qr_events_free(qr_events *ev);
const qr_event *qr_events_find(const qr_events *ev, const char *id);

/* A start or end as an event writes it (2020-06-03, 2020-06-03T14:00,
 * with or without an offset), read in zone; a bare date as an end means
 * the next midnight (all of that day).  zone may be NULL when s carries
 * an offset (false otherwise). */
bool qr_event_time(const char *s, const char *zone, bool is_end, int64_t *t);

/* Does post p belong to event e? */
bool qr_event_matches(const qr_event *e, const qr_post *p);
/* Set p->events to the ids of the events p belongs to (in id order);
 * true when that changed the set of events. */
bool qr_events_apply(const qr_events *ev, qr_post *p);

/* ---- the copy kept in a corpus ---- */

/* <corpus>/events */
void qr_events_corpus_dir(const qr_corpus *c, qr_buf *out);
/* The corpus's catalogue; an empty one when it has none. */
int qr_events_load_corpus(const qr_corpus *c, qr_events **out, qr_strv *problems);
/* Replace the corpus's catalogue with ev's files (the corpus must be open
 * for writing: the writer's lock guards the copy).  *changed (may be NULL)
 * tells whether the files differed. */
int qr_events_install(qr_corpus *c, const qr_events *ev, bool *changed, qr_buf *err);

/* The digest of the catalogue last applied to every post ("" if none). */
void qr_events_applied(qr_corpus *c, qr_buf *digest);

typedef struct qr_events_apply_counts {
	uint64_t posts;        /* posts looked at */
	uint64_t changed;      /* posts whose events changed (rewritten) */
} qr_events_apply_counts;

/* Recompute the events of every post from the index's documents (the
 * inputs are not read again); only posts whose events change are
 * rewritten.  The catalogue goes into the corpus's journal first
 * (journal.h); commits, and records ev's digest as applied. */
int qr_events_apply_corpus(qr_corpus *c, const qr_events *ev, qr_events_apply_counts *counts, qr_buf *err);
/* The same without writing the journal: replaying it. */
int qr_events_reapply_corpus(qr_corpus *c, const qr_events *ev, qr_events_apply_counts *counts, qr_buf *err);

/* Append an entry of op "events" holding ev's files (NULL: no events) to
 * the corpus's journal. */
int qr_events_journal(qr_corpus *c, const qr_events *ev, qr_buf *err);
/* The catalogue a journal entry of op "events" holds, checked as files
 * are (problems named "<file>: ..."), and against the entry's digest. */
int qr_events_from_journal(const cJSON *entry, qr_events **out, qr_strv *problems);

#endif
