/*
 * Counting what the posts of a query carry, with Xapian match spies that
 * see every match (checkatleast is the number of documents, so the counts
 * are exact): no document is loaded.  Shared by facets, timeline, tag
 * --list and stats.
 */
#ifndef QR_AGGREGATE_H
#define QR_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "xapian-c.h"

typedef struct qr_count {
	char *value;             /* the term without its prefix, or the value */
	uint32_t count;          /* matching posts that carry it */
} qr_count;

typedef struct qr_counts {
	qr_count *v;
	size_t n, alloc;
	uint32_t total;          /* posts the query matched */
	uint32_t distinct;       /* distinct values, before any cut to a top N */
} qr_counts;

void qr_counts_clear(qr_counts *c);

/* A field that facets and timelines count by. */
typedef struct qr_facet_field {
	const char *name;        /* "hashtag" */
	const char *prefix;      /* its term prefix */
	const char *sigil;       /* shown before its values: "#", "@" or "" */
	const char *plural;      /* "hashtags" */
} qr_facet_field;

extern const qr_facet_field qr_facet_fields[];
/* NULL when there is no such field. */
const qr_facet_field *qr_facet_field_by_name(const char *name);
/* Values a field's counts leave out ("any" of media: it is the sum of the
 * rest); NULL-terminated, or NULL. */
const char *const *qr_facet_skip(const qr_facet_field *f);

/*
 * Count, for each term of `prefix`, the matching posts that carry it:
 * most frequent first (ties in byte order), at most `top` (0: all).
 * `skip` (may be NULL) lists values left out ("any" for media).  Returns
 * 0, QR_END when the database changed under a reader (reopen and run
 * again), QR_USAGE for a wildcard that expands too far, or an error with
 * the message in err.
 */
int qr_count_terms(xc_db *db, const xc_query *q, const char *prefix, uint32_t top, const char *const *skip,
		   qr_counts *out, qr_buf *err);

/* Count the values of a slot over the matching posts, in byte order of
 * the value (for QR_SLOT_MINUTE: in time order).  Same returns. */
int qr_count_values(xc_db *db, const xc_query *q, xc_valueno slot, qr_counts *out, qr_buf *err);

/* Run q over every document with the spy attached (exact counts).  0,
 * QR_END when the database changed, or an error with the reason in err. */
int qr_agg_run_spy(xc_db *db, const xc_query *q, xc_spy *spy, qr_buf *err);
/* The status for a failed xapian-c call (QR_END for a database that
 * changed under a reader), with "cannot <what>: <why>" in err. */
int qr_agg_fail(xc_status x, const char *what, const char *why, qr_buf *err);
/* The exact number of posts q matches. */
int qr_agg_count(xc_db *db, const xc_query *q, uint32_t *n, qr_buf *err);

/* The first line of a count: "<what><total> posts matching '<query>': D
 * distinct, top N" (what: "hashtags of "). */
void qr_agg_heading(qr_buf *out, const char *what, uint32_t total, const char *query, uint32_t distinct, size_t shown,
		    uint64_t top);

/* q AND term (op XC_OP_AND) or q AND NOT (t1 OR t2 ...) (XC_OP_AND_NOT);
 * the caller destroys the result. */
xc_query *qr_query_with_terms(const xc_query *q, xc_query_op op, const char *const *terms, size_t n);
/* q AND other. */
xc_query *qr_query_and(const xc_query *q, const xc_query *other);

/* Append one CSV field (RFC 4180), safe for spreadsheets: qr_csv_field
 * (query/table.h) of a text. */
void qr_agg_csv_field(qr_buf *out, const char *s);

#endif
