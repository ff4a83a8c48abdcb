/*
 * One printer interface, several back ends (after notmuch's sprinter): the
 * query code hands over each result once; the back end decides how it
 * looks.  Every back end carries the archival locator of each post (corpus
 * id, record locator, sha256 of the original record) unless told not to.
 */
#ifndef QR_PRINTER_H
#define QR_PRINTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "post.h"

/* Version of the JSON output layout (schemas/output.schema.json). */
#define QR_OUTPUT_FORMAT_VERSION 1

typedef struct qr_hit {
	const qr_post *post;
	uint32_t rank;            /* 1-based, counting the offset */
	double weight;
	uint32_t collapsed;       /* posts folded into this one by --collapse */
	const char *snippet;      /* text with matches marked by \x01 ... \x02, or NULL */
	bool has_reposts;         /* --sort reposts: */
	uint32_t reposts;         /* the posts in the corpus that repost it */
} qr_hit;

typedef struct qr_result_info {
	const char *query;
	const char *corpus_id;
	const char *corpus_path;
	uint32_t estimated, lower, upper;
	uint32_t offset, limit;
	const char *sort;
	const char *collapse;     /* "repost" or NULL */
	bool exact;               /* the totals are exact counts */
} qr_result_info;

typedef struct qr_printer qr_printer;

struct qr_printer {
	const char *name;
	void (*begin)(qr_printer *p, const qr_result_info *info);
	void (*hit)(qr_printer *p, const qr_hit *hit);
	void (*end)(qr_printer *p, uint32_t shown);
	FILE *out;
	bool color;
	bool locator;
	const char *corpus_id;
	const char *tz;           /* zone for dates in citations; NULL: UTC */
	qr_buf buf;
	uint32_t count;
	void *state;
	struct qr_table *table;   /* csv, csv-raw and xlsx */
	/* A back end that could not write sets the exit code and the reason. */
	int status;
	qr_buf err;
	/* print_wrap.c: portable posts, ties in id order (NULL: neither) */
	bool portable;            /* leave out what only this corpus knows */
	bool untouched;           /* csv: cells as they are, no apostrophes */
	struct qr_printer_wrap *wrap;
	bool snippets;            /* the back end wants hit->snippet */
};

typedef struct qr_printer_backend {
	const char *name;
	const char *description;
	void (*begin)(qr_printer *p, const qr_result_info *info);
	void (*hit)(qr_printer *p, const qr_hit *hit);
	void (*end)(qr_printer *p, uint32_t shown);
	bool snippets;            /* wants hit->snippet */
} qr_printer_backend;

extern const qr_printer_backend *const qr_printer_backends[];

/* The names of every back end, for help texts and errors ("text, json,
 * ..."); a static string. */
const char *qr_printer_names(void);
/* True when a back end of that name exists. */
bool qr_printer_exists(const char *name);
/* Whether the back end writes binary output (not for a terminal). */
bool qr_printer_binary(const char *name);
/* Whether the back end wants snippets. */
bool qr_printer_wants_snippets(const qr_printer *p);

/* NULL when there is no back end of that name. */
qr_printer *qr_printer_new(const char *name, FILE *out, bool color, bool locator, const char *corpus_id);
/* A printer on a back end of the caller's own (quire serve's HTML cards);
 * b must outlive it. */
qr_printer *qr_printer_new_backend(const qr_printer_backend *b, FILE *out, bool locator, const char *corpus_id);
void qr_printer_free(qr_printer *p);

/* Portable output (export, search --portable): the posts without what only
 * this corpus knows (its id, record and media places in the store, source
 * numbers, older versions), each record's sha256 kept, so that the same
 * posts print the same in any corpus that holds them; CSV cells untouched
 * (for programs, not spreadsheets). */
void qr_printer_set_portable(qr_printer *p);
/* Posts of the same second in id order (sort by time): Xapian leaves
 * them in document order, which differs between corpora.  Hits are held
 * until their second ends (at most QR_PRINTER_TIES of them at once), and
 * ranked again; a time sort gives no score. */
#define QR_PRINTER_TIES 4096
void qr_printer_order_ties(qr_printer *p);
/* What those two hold (qr_printer_free calls it). */
void qr_printer_wrap_free(qr_printer *p);

/* Helpers shared by back ends. */
/* Write buf to the printer's output and empty it. */
void qr_printer_flush(qr_printer *p);
/* The archival locator as one line of text. */
void qr_locator_text(qr_buf *out, const char *corpus_id, const qr_post *p);
/* Append the media summary ("video, photo x2"); false when none. */
bool qr_media_summary(qr_buf *out, const qr_post *p);
/* Append an untrusted string made safe for a terminal (NULL appends
 * nothing). */
void qr_printer_safe(qr_buf *out, const char *s, int flags);

#endif
