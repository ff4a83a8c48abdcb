/*
 * A bulk load: while a corpus's index holds no documents, the posts that an
 * ingest adds are indexed by several writer threads at once, each into a
 * scratch Xapian database of its own (a shard); at the end the shards are
 * merged into one database (lib/corpus.c swaps it in as index/).
 *
 * A post goes to the shard that a hash of its id names, so that every
 * version of a post lands in the same shard, in input order.  The caller
 * (one thread: lib/corpus.c) decides for each post whether it is new, a new
 * version or a duplicate (qr_bulk_classify), appends the record to the
 * store in input order, then hands the post over (qr_bulk_put); a writer
 * builds its document and indexes it.  Most posts are decided without a
 * question to a shard: a Bloom filter of the ids handed over says "surely
 * new".  For the others the shard's writer answers between two documents,
 * from its database and the posts still waiting in its queue, so the
 * answer is what one writer indexing everything in order would give.
 *
 * A writer's shard is a series of parts: it writes QR_BULK_PART documents
 * into a new database, then starts the next, so that its flushes update a
 * small B-tree whatever the size of the load (a flush into a large one
 * touches more of it, and the cost per post grows with the load).  When a
 * writer has QR_BULK_FANIN parts of one level, it merges them into one of
 * the next level (Xapian's compactor), so it keeps few open and merges
 * each document a few times.  A new version of a post replaces the older
 * one in the part being written; in a finished part the older is deleted
 * just before that part is merged.  At the end every part of every writer
 * is merged in one pass.
 *
 * Memory is bounded whatever the input: a writer's queue holds at most
 * QR_BULK_QUEUE posts, a part flushes every QR_BULK_FLUSH documents, and
 * the Bloom filter stops growing at 64 MB (past that it says "maybe" more
 * often, which costs questions, not correctness).
 *
 * The shards are scratch databases (no fsync, blocks rewritten in place):
 * after a crash they are worthless, and the store, which holds every
 * record, is what the next writable open indexes again.
 */
#ifndef QR_BULK_H
#define QR_BULK_H

#include <stdint.h>

#include "buf.h"
#include "hash.h"
#include "post.h"

/* Documents a shard takes between two flushes: measured (bench/RESULTS.md),
 * 500-2,500 cost a fifth less CPU per post than 10,000. */
#define QR_BULK_FLUSH 1000
/* Documents a part takes before the writer starts the next, and parts of
 * one level merged into one: measured (bench/RESULTS.md). */
#define QR_BULK_PART 25000
#define QR_BULK_FANIN 8
/* Posts waiting for one writer. */
#define QR_BULK_QUEUE 2048

enum qr_post_state {
	QR_POST_NEW,      /* not in the corpus */
	QR_POST_UPDATE,   /* there, with another record: a new version */
	QR_POST_DUP       /* there with this record, or with it as an older version */
};

typedef struct qr_bulk qr_bulk;

/* Start `shards` writers (2 or more), their databases under dir (created
 * here; it must not exist).  QUIRE_BULK_FLUSH, QUIRE_BULK_PART and
 * QUIRE_BULK_FANIN in the environment, when set, replace the limits above
 * (tests and measurements use them). */
int qr_bulk_start(const char *dir, unsigned shards, qr_bulk **out, qr_buf *err);
/* The state of post `id` with a record whose sha256 is `sha`, counting
 * every post handed over before. */
int qr_bulk_classify(qr_bulk *b, const char *id, const uint8_t sha[QR_SHA256_LEN], enum qr_post_state *state,
		     qr_buf *err);
/* Hand a post over to be indexed (state NEW or UPDATE; its record sha256
 * and locator filled in).  *p is moved: it is left empty and initialized. */
int qr_bulk_put(qr_bulk *b, qr_post *p, enum qr_post_state state, qr_buf *err);
/* Posts handed over so far. */
uint64_t qr_bulk_posts(const qr_bulk *b);
/* Wait until the writers have indexed everything, close the shards, and
 * merge them into a new database at dest (compacted). */
int qr_bulk_finish(qr_bulk *b, const char *dest, qr_buf *err);
/* Stop the writers (what they hold is dropped) and free everything; the
 * directory stays for the caller to remove.  Accepts NULL. */
void qr_bulk_free(qr_bulk *b);

#endif
