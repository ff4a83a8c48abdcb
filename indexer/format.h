/*
 * The reader interface: one qr_format per input format.  A format bids on
 * the first bytes of a leaf (sniffing), frames records out of it, and turns
 * each record into posts.  Framing and normalizing are separate so that the
 * store can be re-indexed from its records alone (normalize sees only the
 * record's bytes).
 */
#ifndef QR_FORMAT_H
#define QR_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "input.h"
#include "post.h"

/* What normalize produced. */
typedef struct qr_posts {
	qr_post *v;
	size_t n, alloc;
} qr_posts;

qr_post *qr_posts_add(qr_posts *ps);
void qr_posts_clear(qr_posts *ps);

typedef struct qr_format qr_format;

/* A reader at work on one leaf. */
typedef struct qr_reader {
	const qr_format *format;
	qr_input in;
	const char *path;
	const char *member;
	void *state;                /* the format's own */
} qr_reader;

struct qr_format {
	const char *name;           /* "twitter-v1" */
	const char *description;    /* one line for `quire formats` */
	/* 0: not this format; 100: certain.  head is the first bytes of the
	 * leaf (up to 64 KiB), member its name (may be NULL). */
	int (*bid)(const char *head, size_t n, const char *member);
	/* Frame the next record into *f.  QR_OK, QR_END, QR_BAD_INPUT or
	 * QR_LIMIT (the record is rejected with `why`; reading goes on), or
	 * QR_IO (the leaf cannot be read further).  NULL: JSON values. */
	int (*next)(qr_reader *r, qr_frame *f, qr_buf *why);
	/* Turn one record into posts: QR_OK (at least one post), QR_SKIP (a
	 * record that holds no post, counted), QR_BAD_INPUT (rejected with
	 * `why`). */
	int (*normalize)(const char *data, size_t len, qr_posts *out, qr_buf *why);
};

extern const qr_format *const qr_formats[];
const qr_format *qr_format_by_name(const char *name);
/* The best bidder for a leaf's first bytes, or NULL; *bid gets its bid. */
const qr_format *qr_format_sniff(const char *head, size_t n, const char *member, int *bid);

/* Frame the next record with the format's framing. */
int qr_format_next(qr_reader *r, qr_frame *f, qr_buf *why);

/* Shared by the JSON readers: parse a record, with a reason on failure. */
cJSON *qr_parse_record(const char *data, size_t len, qr_buf *why);

#endif
