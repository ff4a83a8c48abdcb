/*
 * What spread among a query's posts: the posts most reposted or quoted,
 * the media files and the links most shared.  One pass of a match spy over
 * the matches reads, from each post's values (schemas/index.md, slots 6 to
 * 9: made from every post's repost_of, quote_of, media and links, whatever
 * its platform), what it reposts, quotes or carries, and counts for each
 * the matching posts, their distinct authors and the earliest of them;
 * then only the rows shown are read.
 */
#ifndef QR_SPREAD_H
#define QR_SPREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "corpus.h"
#include "post.h"
#include "table.h"

typedef enum qr_spread_by { QR_SPREAD_REPOSTED, QR_SPREAD_QUOTED, QR_SPREAD_FILE, QR_SPREAD_URL } qr_spread_by;

typedef struct qr_spread_row {
	char *value;          /* post id, file (sha256:HEX, a URL or key:KEY) or URL */
	uint32_t posts;       /* matching posts that repost, quote or carry it */
	uint32_t authors;     /* distinct authors of those posts */
	qr_post first;        /* the earliest of them (ties: the lowest id) */
	bool has_first;
	qr_post original;     /* reposted, quoted: the post itself, when the corpus holds it */
	bool has_original;
	const qr_media *media;/* file: the file as `first` lists it (NULL if not found) */
} qr_spread_row;

typedef struct qr_spread {
	qr_spread_by by;
	qr_spread_row *v;
	size_t n;
	uint32_t total;       /* posts the query matched */
	uint32_t carrying;    /* of them, posts that repost, quote or carry one */
	uint32_t distinct;    /* distinct values, before the cut to a top N */
	uint32_t unnamed;     /* reposted, quoted: matching reposts (quotes) that name no post */
} qr_spread;

/* "reposted", "quoted", "file", "url" (false for any other name). */
bool qr_spread_by_named(const char *name, qr_spread_by *by);

/* Count over the posts q matches; at most `top` rows (0: all), most posts
 * first, ties by value.  0, QR_END when the corpus changed meanwhile (run
 * again after a reopen), or an error with the reason in err. */
int qr_spread_count(qr_corpus *c, const xc_query *q, qr_spread_by by, uint32_t top, qr_spread *out, qr_buf *err);
void qr_spread_clear(qr_spread *s);

/* The counts as text (times in tz, NULL: UTC), as JSON (the facets
 * document of schemas/output.schema.json), or as a table. */
void qr_spread_print_text(const qr_spread *s, const char *query, uint64_t top, const char *tz, qr_buf *out);
void qr_spread_print_json(const qr_spread *s, const char *query, uint64_t top, qr_buf *out);
int qr_spread_print_table(const qr_spread *s, qr_table *t, qr_buf *err);

#endif
