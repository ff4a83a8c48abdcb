/*
 * The index schema: which terms and values a post becomes in Xapian.  The
 * authoritative description is schemas/index.md; changing anything here
 * changes QR_INDEX_VERSION.
 */
#ifndef QR_SCHEMA_H
#define QR_SCHEMA_H

#include <stdbool.h>

#include "buf.h"
#include "post.h"
#include "xapian-c.h"

#define QR_INDEX_VERSION 3

/* Boolean term prefixes.  No prefix is a prefix of another, so a match spy
 * counting one prefix never sees another's terms. */
#define QR_P_ID "Q"
#define QR_P_HASHTAG "K"
#define QR_P_AUTHOR "A"
#define QR_P_AUTHOR_ID "XI"
#define QR_P_MENTION "XM"
#define QR_P_MEDIA "XO"
#define QR_P_MEDIA_SHA "XH"
#define QR_P_MEDIA_URL "XU"
#define QR_P_LANG "L"
#define QR_P_PLATFORM "XP"
#define QR_P_KIND "XK"
#define QR_P_DOMAIN "H"
#define QR_P_URL "U"
#define QR_P_EVENT "XE"
#define QR_P_TAG "XT"
#define QR_P_SOURCE "XS"
#define QR_P_RECORD "XR"
#define QR_P_VISIBILITY "XV"
#define QR_P_COMMUNITY "XC"
#define QR_P_REPOST_OF "XB"
#define QR_P_QUOTE_OF "XQ"

/* How a file's identity (QR_SLOT_FILES) starts when it is its sha256
 * (lower-case hex follows) or a platform's media key; otherwise it is the
 * media's URL. */
#define QR_FILE_SHA256 "sha256:"
#define QR_FILE_KEY "key:"

/* The kind term (QR_P_KIND) a deleted post carries beside its own kind:
 * queries leave such posts out unless they ask for them (query/query.c). */
#define QR_KIND_DELETED "deleted"

/* Value slots. */
enum {
	QR_SLOT_TIME = 0,      /* sortable_serialise(seconds since epoch) */
	QR_SLOT_MINUTE = 1,    /* "YYYYMMDDHHMM" in UTC, for timelines */
	QR_SLOT_AUTHOR = 2,    /* author id or handle, for collapsing */
	QR_SLOT_COLLAPSE = 3,  /* the reposted post's id, or the post's own */
	QR_SLOT_RECORD = 4,    /* sha256 (32 bytes) of the current record */
	QR_SLOT_ID = 5,        /* the post's id, as a term of a two-letter prefix holds it */
	QR_SLOT_REPOST_OF = 6, /* the reposted post's id */
	QR_SLOT_QUOTE_OF = 7,  /* the quoted post's id (not for a repost) */
	QR_SLOT_FILES = 8,     /* the identities of the post's media files, QR_LIST_SEP between */
	QR_SLOT_URLS = 9,      /* the post's links, QR_LIST_SEP between */
	/* Facet slots: the values of one boolean prefix that the post
	 * carries (its terms without the prefix), in byte order, QR_LIST_SEP
	 * between.  Xapian's own ValueCountMatchSpy counts them, on a remote
	 * shard too (a spy of quire's own cannot run there). */
	QR_SLOT_FACET_HASHTAG = 10,
	QR_SLOT_FACET_AUTHOR = 11,
	QR_SLOT_FACET_MENTION = 12,
	QR_SLOT_FACET_MEDIA = 13,
	QR_SLOT_FACET_LANG = 14,
	QR_SLOT_FACET_EVENT = 15,
	QR_SLOT_FACET_TAG = 16,
	QR_SLOT_FACET_DOMAIN = 17,
	QR_SLOT_FACET_PLATFORM = 18,
	QR_SLOT_FACET_KIND = 19,
	/* The time (8 bytes, big-endian, offset by 2^63; a 0 byte before it
	 * when the post has no time, 1 when it has) and then the post's id:
	 * sorting by time with ties in id order, on one database or on many. */
	QR_SLOT_TIME_ORDER = 20
};

/* Between the items of a list slot: a NUL byte, which no text holds. */
#define QR_LIST_SEP '\0'

/* The facet slot of a boolean prefix; XC_NO_FACET when it has none. */
#define QR_NO_FACET ((xc_valueno)0xffffffff)
xc_valueno qr_facet_slot(const char *prefix);

/* Terms longer than this are replaced by a hash (Xapian's limit is 245
 * bytes for a whole term). */
#define QR_TERM_MAX 200

/* A field of the query language and the prefix it searches. */
typedef struct qr_field {
	const char *name;      /* "hashtag" */
	const char *prefix;    /* "K" */
	bool casefold;         /* values are Unicode lower-cased */
} qr_field;

extern const qr_field qr_fields[];
const qr_field *qr_field_by_name(const char *name);

/* Append prefix + value as a term, case-folded when asked, hashed when too
 * long. */
void qr_term(qr_buf *out, const char *prefix, const char *value, bool casefold);

/* What makes a media file the same file in two posts (in QR_SLOT_FILES):
 * QR_FILE_SHA256 and its sha256 when the archive held the file, else its
 * URL, else QR_FILE_KEY and the platform's media key; empty for none. */
void qr_media_file_id(qr_buf *out, const qr_media *m);
/* The post id a QR_SLOT_TIME_ORDER value ends with (after a byte 0, or a
 * byte 1 and 8 bytes of time), into id; false when the value holds none. */
bool qr_time_order_id(const char *v, size_t len, qr_buf *id);

typedef struct qr_indexer qr_indexer;

int qr_indexer_new(qr_indexer **out, qr_buf *err);
void qr_indexer_free(qr_indexer *ix);
/* Build the Xapian document for a post: free text, boolean terms, values
 * and the post as JSON document data.  `versions` are record hashes (hex)
 * of every version of the post, current one included. */
int qr_indexer_document(qr_indexer *ix, const qr_post *p, xc_doc **out, qr_buf *err);

#endif
