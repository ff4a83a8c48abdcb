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
#include "hash.h"
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
typedef struct qr_archive_ops qr_archive_ops;

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
	/* Formats that read whole archives (below) set this and leave bid,
	 * next and normalize NULL. */
	const qr_archive_ops *archive;
};

/*
 * ---- archive formats ----
 *
 * Some exports are not a stream of records but an archive whose members
 * only make sense together: the Twitter "Download your archive" zip (posts
 * in data/tweets.js, the account in data/account.js, long texts in
 * data/note-tweet.js, the files in data/tweets_media/) and the Mastodon
 * account export (outbox.json, actor.json, media_attachments/).  Members
 * arrive in archive order, streamed, never extracted to disk.
 *
 * Bidding: for every member of an archive the pipeline asks each archive
 * format for a bid on the member's name inside the archive and its first
 * bytes.  A bid of QR_BID_CLAIM or more (a member only that export has:
 * data/manifest.js, window.YTD..., an outbox.json collection) claims the
 * archive: from then on EVERY member of it goes to that format, which reads
 * what it needs and skips the rest (likes, direct messages, HTML viewer...).
 * A lower bid takes that one member only (media files, which may come
 * before the member that tells what the archive is); members nobody takes
 * go to the stream formats, and an archive claimed later forgets that they
 * were of unknown format.  A lone input (not in an archive) that an archive
 * format claims is read as an archive of one member.
 *
 * Records stay byte-exact: one record is the bytes of one {"tweet": {...}}
 * element or one outbox item.  What a record needs from the rest of the
 * archive (the account, a long post's full text, the media files' sha256,
 * size, path and store locator) travels in a CONTEXT RECORD: a JSON object
 * the format writes (never the e-mail address of account.js), stored in
 * the record stream with flag QR_REC_CONTEXT just before the first record
 * that needs it (qr_corpus_open_context).  normalize sees the record and
 * the context, nothing else, so the store alone is enough to redo it:
 * a record is normalized with the nearest context record of the same
 * source before it in the store (recovery finds it by scanning, or through
 * the index metadata for contexts before the index's tail).  Media files
 * are kept in the media stream (QR_REC_BLOB), each once per sha256.
 *
 * Memory: a format holds the archive's posts (their bytes) until the
 * archive ends, because the identity and the media may come after them;
 * past qr_archive.max_buffer bytes (1 GiB) it emits what it holds with the
 * context known so far and says so.  The small members (manifest, account,
 * actor) are read whole up to max_record; note tweets and the facts of each
 * media file (about 200 bytes) are kept until the end.  A media file is
 * read whole up to max_media bytes (256 MiB; larger ones are hashed and
 * listed, not kept): with the store's block and its compressed copy, the
 * peak is about four times the largest file kept (measured: 400 MB of
 * resident memory for a 100 MB video).
 */

/* A bid that claims the whole archive for the format. */
#define QR_BID_CLAIM 90

/* A media file as kept by qr_archive_sink.blob. */
typedef struct qr_blob {
	char sha256[QR_SHA256_HEX];
	uint64_t size;
	char locator[64];           /* "" when not kept (too large) */
	const char *mime;           /* from the first bytes; NULL unknown */
} qr_blob;

typedef struct qr_archive qr_archive;

/* What the pipeline offers an archive format.  A non-zero return from
 * these is fatal (the corpus cannot be written): stop and return it. */
typedef struct qr_archive_sink {
	/* Read a member to its end and keep its bytes as a media file. */
	int (*blob)(qr_archive *a, const char *member, qr_stream *s, qr_blob *out);
	/* Records that follow need this context (the format's JSON). */
	int (*begin)(qr_archive *a, const char *context, size_t len);
	/* One record framed out of `member`: normalized with the context,
	 * stored, indexed (or rejected with its location). */
	int (*record)(qr_archive *a, const char *member, const qr_frame *f);
	void (*end)(qr_archive *a);
	/* A record lost (framing failed): rejected with its location. */
	void (*reject)(qr_archive *a, const char *member, uint64_t line, uint64_t byte, const char *reason);
	/* A note about the archive (QR_WARN: went on; QR_FAILED: a member
	 * could not be read). */
	void (*note)(qr_archive *a, int severity, const char *member, const char *msg);
} qr_archive_sink;

/* One archive being read by an archive format. */
struct qr_archive {
	const qr_format *format;
	const char *path;           /* the input */
	const char *name;           /* the archive's member chain; NULL: the input */
	size_t max_record;
	uint64_t max_media;
	uint64_t max_buffer;
	void *state;                /* the format's own */
	const qr_archive_sink *sink;
	void *sink_ctx;             /* the pipeline's own */
};

struct qr_archive_ops {
	/* 0: not a member of this format's archives; 1..QR_BID_CLAIM-1: this
	 * member is; QR_BID_CLAIM..100: so is the archive.  name is the path
	 * inside the archive ("data/tweets.js"), head its first bytes. */
	int (*bid)(const char *name, const char *head, size_t n);
	/* Set up a->state. */
	int (*open)(qr_archive *a);
	/* One member: read from s what the format needs, or nothing.  name:
	 * path inside the archive; member: the full chain, for records. */
	int (*member)(qr_archive *a, const char *name, const char *member, qr_stream *s);
	/* The archive ended: emit what is held. */
	int (*finish)(qr_archive *a);
	void (*close)(qr_archive *a);
	/* The context record into the format's own object. */
	int (*load_context)(const char *data, size_t len, void **context, qr_buf *why);
	void (*free_context)(void *context);
	/* One record into posts, as qr_format.normalize; context may be NULL
	 * (none stored): the posts then lack what it would have given. */
	int (*normalize)(const void *context, const char *data, size_t len, qr_posts *out, qr_buf *why);
	/* The format keeps no media files (so looks nothing up in the
	 * index): a bulk load goes on through its archives (a Jetstream
	 * capture of millions of events is a bulk load like any dump). */
	bool bulk;
};

extern const qr_format *const qr_formats[];
const qr_format *qr_format_by_name(const char *name);
/* The best bidder for a leaf's first bytes, or NULL; *bid gets its bid.
 * Only stream formats bid here. */
const qr_format *qr_format_sniff(const char *head, size_t n, const char *member, int *bid);
/* The best archive format for a member of an archive, or NULL. */
const qr_format *qr_format_sniff_member(const char *name, const char *head, size_t n, int *bid);

/* Frame the next record with the format's framing. */
int qr_format_next(qr_reader *r, qr_frame *f, qr_buf *why);

/* Shared by the JSON readers: parse a record, with a reason on failure. */
cJSON *qr_parse_record(const char *data, size_t len, qr_buf *why);
/* The same for a record that must be a JSON object. */
cJSON *qr_parse_object(const char *data, size_t len, qr_buf *why);

#endif
