/*
 * The query commands as functions: what search, count, facets, timeline,
 * cite, show and stats do once their options are read, on a corpus opened
 * for reading, writing to any FILE.  quire's command line and quire serve
 * both call them (a request is a command whose output goes to a socket),
 * so the page, the API and the CLI cannot disagree.  Messages go through
 * qr_error, which a server captures per thread (qr_cli_capture).  Each
 * returns an exit code (lib/status.h), as the command would.
 */
#ifndef QR_QUERY_RUN_H
#define QR_QUERY_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "aggregate.h"
#include "cmdutil.h"
#include "corpus.h"
#include "printer.h"

/* ---- search ---- */

typedef struct qr_search_opts {
	qr_cmd_opts c;               /* corpus, format, tz, since, until */
	const char *out;             /* the command line's --out */
	unsigned long long limit;    /* 0: every post */
	unsigned long long offset;
	const char *sort;            /* relevance, newest, oldest or reposts */
	const char *color;           /* auto, always or never (the command line's) */
	const char *collapse;        /* "repost" or NULL */
	bool no_locator;
	bool explain;                /* how the query was understood, on stderr */
	bool portable;               /* the command line's --portable */
} qr_search_opts;

#define QR_SEARCH_OPTS_INIT                                                                                   \
	{ { NULL, "text", { NULL, NULL, NULL, false } }, NULL, 10, 0, "relevance", "auto", NULL, false, false, false }

/* 0, or QR_EXIT_USAGE with the message given. */
int qr_search_check(const qr_search_opts *o);
/* Run the query text and hand each post to pr (begin, hits, end); the
 * printer's output is flushed.  Stops early when pr->out fails (a reader
 * that went away).  0 posts found, 1 none, 2 query error, ... */
int qr_search_run(qr_corpus *c, const qr_search_opts *o, const char *text, qr_printer *pr);

/* ---- count ---- */

/* The exact number of posts text matches (a post and its reposts once
 * with collapse) into *n. */
int qr_count_run(qr_corpus *c, const char *text, const qr_query_opts *q, bool collapse, bool explain, uint32_t *n);
/* What quire count prints: "N\n" (format text) or
 * {"query": text, "count": N} (json). */
void qr_count_print(qr_buf *out, const char *format, const char *text, uint32_t n);

/* ---- facets ---- */

typedef struct qr_facets_opts {
	qr_cmd_opts c;               /* corpus, format, tz, since, until */
	const char *out;             /* the command line's --out */
	const char *by;              /* a field, or what spread: reposted, quoted, file, url */
	unsigned long long top;      /* 0: every value */
} qr_facets_opts;

#define QR_FACETS_OPTS_INIT { { NULL, "text", { NULL, NULL, NULL, false } }, NULL, "hashtag", 20 }

/* 0, or QR_EXIT_USAGE with the message given. */
int qr_facets_check(const qr_facets_opts *o);
/* Count and print as quire facets does, in format text, json, csv,
 * csv-raw or xlsx, to f. */
int qr_facets_write(qr_corpus *c, const qr_facets_opts *o, const char *text, FILE *f);
/* The counts of field f's values over text's posts, at most top (0: all),
 * for a front end's own panels. */
int qr_facets_run(qr_corpus *c, const char *text, const qr_query_opts *q, const qr_facet_field *f, uint32_t top,
		  qr_counts *out);

/* ---- timeline ---- */

typedef struct qr_timeline_opts {
	qr_cmd_opts c;               /* corpus, format, tz, since, until */
	const char *out;             /* the command line's --out */
	const char *by;              /* minute, hour, day or week */
	const char *split;           /* a field name, or NULL */
	unsigned long long top;      /* values of split */
	bool stack;
	const char *share;           /* a second query, or NULL */
	const char *svg;             /* the command line's --svg */
	const char *bars;            /* the command line's --bars */
} qr_timeline_opts;

#define QR_TIMELINE_OPTS_INIT                                                                          \
	{ { NULL, "text", { NULL, NULL, NULL, false } }, NULL, "hour", NULL, 5, false, NULL, NULL, "auto" }

typedef struct qr_timeline qr_timeline;

/* 0, or QR_EXIT_USAGE with the message given. */
int qr_timeline_check(const qr_timeline_opts *o);
/* Count text's posts per bucket; *out is the caller's (qr_timeline_free)
 * on success.  o and text must outlive it. */
int qr_timeline_run(qr_corpus *c, const qr_timeline_opts *o, const char *text, qr_timeline **out);
/* As quire timeline prints it, to f: format text (with bars or not), json,
 * csv, csv-raw or xlsx.  0, or the exit code (the error printed). */
int qr_timeline_write(qr_corpus *c, const qr_timeline *t, const char *format, bool bars, FILE *f);
/* The SVG chart (quire timeline --svg); false, and nothing written, when
 * no post has a time. */
bool qr_timeline_svg(const qr_timeline *t, qr_buf *out);
/* Posts counted, buckets, and each bucket's label ("06-03 14h") and
 * posts, for a front end's own table. */
uint32_t qr_timeline_total(const qr_timeline *t);
size_t qr_timeline_buckets(const qr_timeline *t);
void qr_timeline_bucket(const qr_timeline *t, size_t i, char label[40], char iso[40], uint64_t *posts);
void qr_timeline_free(qr_timeline *t);

/* ---- cite ---- */

/* Begin pr's output for a list of ids (given as one text). */
void qr_cite_begin(qr_corpus *c, qr_printer *pr, const char *ids);
/* Cite one id (platform:id or the platform's own id) into pr, numbering
 * it *rank + 1; 0, 1 when there is no such post, or the error's code.
 * pr->end(pr, *rank) ends the list. */
int qr_cite_one(qr_corpus *c, qr_printer *pr, const char *id, uint32_t *rank);

/* ---- show ---- */

enum qr_show_mode {
	QR_SHOW_POST,      /* the normalized post as JSON */
	QR_SHOW_RAW,       /* the original record's bytes, checked */
	QR_SHOW_VERIFY     /* one line: ok or DAMAGED, id, sha256, locator */
};

/* Show one post by id; terminal: the raw bytes are for a terminal (their
 * control characters shown escaped).  0, 1 no such post, or the error's
 * code. */
int qr_show_one(qr_corpus *c, const char *id, int mode, bool terminal, FILE *out);

/* ---- stats ---- */

/* What quire stats prints, format text or json. */
int qr_stats_run(qr_corpus *c, const char *format, FILE *out);
/* What a shard tells a federation's stats of its store and logs (JSON:
 * record and media counts and bytes, store and index bytes, rejected
 * records, its sources.jsonl as one string): quire serve-shard's /stats. */
void qr_stats_shard_json(qr_corpus *c, qr_buf *out);

#endif
