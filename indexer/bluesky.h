/*
 * What the three Bluesky readers share: an AT Protocol record (in the JSON
 * form of its data model, as Jetstream and the API give it and as
 * indexer/dagcbor.c makes of a repo's DAG-CBOR block) turned into a post.
 *
 * Post ids are "bluesky:<did>/<rkey>": a record key is unique within its
 * account's collection, and the DID, unlike the handle, never changes.
 * The at-uri is kept as extra.at_uri and the record's CID in
 * source.provenance.cid; the permalink is
 * https://bsky.app/profile/<handle or did>/post/<rkey>.  The author's
 * handle is the one the input says (a postView, an identity event), else
 * the DID.
 */
#ifndef QR_BLUESKY_H
#define QR_BLUESKY_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "format.h"
#include "json.h"
#include "post.h"

#define QR_BSKY_POST "app.bsky.feed.post"
#define QR_BSKY_REPOST "app.bsky.feed.repost"

/* Where a record lives and who wrote it. */
typedef struct qr_bsky_where {
	const char *did;
	const char *collection;
	const char *rkey;
	const char *cid;            /* the record's CID, NULL unknown */
	const char *handle;         /* NULL unknown */
	const char *name;           /* display name, NULL unknown */
} qr_bsky_where;

/* Is this collection one that makes posts? */
bool qr_bsky_makes_post(const char *collection);

/* A record into a post: QR_OK, QR_SKIP for a record of another collection
 * (why names it: like, follow, block, profile, unknown), QR_BAD_INPUT. */
int qr_bsky_record(const cJSON *record, const qr_bsky_where *w, qr_posts *out, qr_buf *why);

/* "at://<authority>/<collection>/<rkey>" into its parts (into out, NUL
 * separated); false when it is not one. */
bool qr_bsky_at_uri(const char *uri, qr_buf *out, const char **authority, const char **collection,
		    const char **rkey);
/* The post id of an at-uri into field (reply_to, repost_of...). */
bool qr_bsky_ref(char **field, const char *uri);
/* The permalink of a post, or of the account when rkey is NULL. */
void qr_bsky_url(qr_buf *out, const char *handle_or_did, const char *rkey);

/* A deletion (a Jetstream commit with operation delete, of a post or a
 * repost) as a tombstone: the post's id and author, deleted at `when`. */
void qr_bsky_tombstone(qr_posts *out, const char *did, const char *collection, const char *rkey, const char *handle,
		       int64_t when);

#endif
