/*
 * The query language, configured in one place: Xapian's QueryParser with
 * quire's prefixes, #hashtag and @mention shorthands, and date ranges.
 * `quire help search` documents it.
 */
#ifndef QR_QUERY_H
#define QR_QUERY_H

#include <stdbool.h>

#include "buf.h"
#include "xapian-c.h"

/* Wildcards expand to at most this many terms; past it the search fails
 * with a clear message instead of running away. */
#define QR_MAX_WILDCARD 1000
/* Longest query text accepted. */
#define QR_MAX_QUERY 65536

typedef struct qr_query_opts {
	const char *tz;          /* IANA zone for dates and times; NULL: UTC */
	const char *since;       /* extra date bounds (inclusive), NULL: none */
	const char *until;
} qr_query_opts;

/* Parse text into a Xapian query for db.  An empty text matches every
 * post.  On a syntax error, QR_USAGE with the parser's message in err. */
int qr_query_build(xc_db *db, const char *text, const qr_query_opts *o, xc_query **out, qr_buf *err);

/* Rewrite the #tag and @user shorthands into hashtag: and mention: (outside
 * quotes), appending to out. */
void qr_query_shorthands(qr_buf *out, const char *text);

/* A stemmer matching the index's, for snippets (caller destroys it). */
xc_stem *qr_query_stemmer(void);

#endif
