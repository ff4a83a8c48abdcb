/*
 * The query language, configured in one place: Xapian's QueryParser for
 * words, phrases, NEAR/ADJ, boolean operators and wildcards; quire's own
 * scanner in front of it for the fields (hashtag:, #tag, from:, @user,
 * media:, date: ...), whose values it reads whole (URLs, CJK, times) and
 * hands to the parser as ready-made subqueries.  The scanner also checks
 * the structure (brackets, operators) so that a query Xapian would quietly
 * reinterpret is refused with the place where it went wrong.
 * `quire help search` documents it (qr_query_language, made from the same
 * tables).
 */
#ifndef QR_QUERY_H
#define QR_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "post.h"
#include "xapian-c.h"

/* Wildcards expand to at most this many terms; past it the search fails
 * with a clear message instead of running away. */
#define QR_MAX_WILDCARD 1000
/* Longest query text accepted, in bytes. */
#define QR_MAX_QUERY 65536
/* Most words, fields and operators in one query. */
#define QR_MAX_QUERY_TERMS 10000
/* Most wildcards in one query: each may expand to QR_MAX_WILDCARD terms. */
#define QR_MAX_QUERY_WILDCARDS 32
/* Deepest nesting of parentheses. */
#define QR_MAX_QUERY_DEPTH 64

/* No position: the error is about the query as a whole. */
#define QR_QUERY_NOWHERE ((size_t)-1)

typedef struct qr_query_opts {
	const char *tz;          /* IANA zone for dates and times; NULL: UTC */
	const char *since;       /* extra date bounds (inclusive), NULL: none */
	const char *until;
	bool include_deleted;    /* posts their authors deleted count too */
} qr_query_opts;

/* The query language, for help texts and the manual: generated from the
 * parser's tables (its fields, the media kinds, the kinds of is:). */
void qr_query_language(qr_buf *out);
/* The parser's fields ("hashtag", "from", ...; typed as "name:"), i from
 * 0; NULL past the last. */
const char *qr_query_field(size_t i);
/* The i-th line the help gives a field: its field, how it is written
 * ("media:KIND") and what it finds; false past the last. */
bool qr_query_field_doc(size_t i, const char **field, const char **usage, const char **help);
/* The values a field takes when they are a fixed set (media:, is:, kind:,
 * visibility:), appended to out; nothing for the others. */
void qr_query_field_values(const char *field, qr_strv *out);

/* Parse text into a Xapian query for db.  An empty text matches every
 * post.  On a syntax error, QR_USAGE with the reason and the column in
 * err ("cannot parse the query: ... (column N)"). */
int qr_query_build(xc_db *db, const char *text, const qr_query_opts *o, xc_query **out, qr_buf *err);
/* The same; *where gets the byte offset in text where parsing failed, or
 * QR_QUERY_NOWHERE. */
int qr_query_build_at(xc_db *db, const char *text, const qr_query_opts *o, xc_query **out, qr_buf *err,
		      size_t *where);
/* Print a parse error: "quire: <err>", then the query with a caret under
 * the place it failed (when there is one). */
void qr_query_print_error(FILE *out, const char *text, const char *err, size_t where);

/* A stemmer matching the index's, for snippets (caller destroys it). */
xc_stem *qr_query_stemmer(void);

#endif
