/*
 * What the commands that read a corpus share: their common options,
 * opening the corpus, finding posts by the ids people type, building the
 * query with a readable parse error, reading again when another process
 * commits meanwhile, deciding on colour.
 */
#ifndef QR_CMDUTIL_H
#define QR_CMDUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "corpus.h"
#include "printer.h"
#include "query.h"

/* The options most of them take; each takes those of its table. */
typedef struct qr_cmd_opts {
	const char *corpus;      /* --corpus */
	const char *format;      /* --format */
	qr_query_opts q;         /* --tz, --since, --until, --include-deleted */
} qr_cmd_opts;

/* --allow-partial, for the commands that read a federation. */
#define QR_CMD_PARTIAL_OPTION \
	{ "allow-partial", 0, NULL, "a federation: answer from the shards that respond, naming those left out" }

/* Take one of those options into o: false when name is none of them
 * (--allow-partial too). */
bool qr_cmd_option(qr_cmd_opts *o, const char *name, const char *arg);
/* "partial": true and "missing": [...] when a federation's shards were
 * left out (--allow-partial); nothing otherwise. */
struct qr_jw;
void qr_cmd_partial_json(struct qr_jw *w);

/* Check --tz: 0, or the usage error for cmd (printed). */
int qr_cmd_check_tz(const char *cmd, const char *tz);

/* Open the corpus (--corpus, else $QUIRE_CORPUS, else ./quire-corpus) for
 * reading; on failure print why and return the library status (0 on
 * success). */
int qr_cmd_open(const char *given, qr_corpus **c);
/* The same, returning the exit code: usage when there is no corpus there,
 * damaged when it is there and cannot be read (0 on success). */
int qr_cmd_open_corpus(const char *given, qr_corpus **c);

/* Tries before a command gives up on a corpus that keeps changing. */
#define QR_CMD_RETRIES 5
/* Run attempt(c, ctx, err) until it returns something other than QR_END
 * (another process committed while it read), reopening the corpus on its
 * newest revision between tries, at most QR_CMD_RETRIES times.  0 when an
 * attempt succeeded; else the error is printed (err, or that the corpus
 * kept changing) and the exit code returned. */
int qr_cmd_retry(qr_corpus *c, int (*attempt)(qr_corpus *c, void *ctx, qr_buf *err), void *ctx);

/* --explain: how the query was understood, on stderr. */
void qr_cmd_explain(const xc_query *q);

/* A post id as typed: platform:native, or a native id tried on each of
 * the corpus's platforms.  QR_NOT_FOUND when there is none. */
int qr_cmd_find_post(qr_corpus *c, const char *id, xc_docid *docid);

/* --color: "always", "never" or "auto" (a terminal, and NO_COLOR unset or
 * empty). */
bool qr_cmd_use_color(const char *when, int fd);
/* Check --color's value; false when it is none of the three. */
bool qr_cmd_color_valid(const char *when);

/* Join the operands into one query text. */
void qr_cmd_join(qr_buf *out, int argc, char **argv);

/* Build the query; on failure print the error with a caret under the place
 * and return the exit code (0 on success). */
int qr_cmd_build_query(qr_corpus *c, const char *text, const qr_query_opts *o, xc_query **q);

/* Where a command's output goes: stdout, or FILE (--out), written whole or
 * not at all (a temporary file beside it, renamed into place at the end). */
typedef struct qr_cmd_out {
	FILE *fp;
	char *path;
	char *tmp;
} qr_cmd_out;
/* The --out option's line for a command's option table. */
#define QR_CMD_OUT_OPTION { "out", 'o', "FILE", "write the output to FILE (replaced whole when done) instead of stdout" }
/* Open the output; a binary format (xlsx) is refused on a terminal.  0, or
 * the exit code (the error printed). */
int qr_cmd_out_open(qr_cmd_out *o, const char *cmd, const char *path, bool binary);
/* Flush and close; with --out, put the file in place when ok, else remove
 * it.  0, or the exit code (the error printed) when the output failed. */
int qr_cmd_out_close(qr_cmd_out *o, bool ok);
/* Every document q matches, in docid order, into *ids (the caller's to
 * free): what a change of codes reads whole before anything changes.
 * Errors are printed. */
int qr_cmd_matches(xc_db *db, const xc_query *q, xc_docid **ids, size_t *n);

/* Report a failed get_mset (a wildcard past its bound is a usage error);
 * returns the exit code. */
int qr_cmd_search_failed(xc_status x, const char *why);

#endif
