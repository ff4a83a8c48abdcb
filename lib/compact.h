/*
 * Compaction: rewrite the segments a corpus's ingests wrote into fewer,
 * smaller ones (larger blocks, a higher zstd level, a dictionary trained on
 * records spread over them, retweets and quotes written next to their
 * original), byte-exact, then point the index at the new places and remove
 * the old segments.  `quire compact` (indexer/cmd_compact.c) runs it.
 *
 * The protocol, so that a crash at any point leaves a consistent corpus
 * (every locator in the index names a record that is on disk):
 *
 *  1. intent: the index metadata key quire.compact.new ("records:N
 *     media:M dictionary:ID") is committed: segments numbered N and up
 *     (M and up in media/) are compaction output, not yet referenced;
 *  2. store/dictionary-<ID> is written and fsynced with its directory;
 *  3. the records are read segment by segment (each checked against its
 *     sha256), written to new segments after the last one (compacted
 *     blocks: ingest never appends to them), and the documents whose
 *     locators name them are updated inside one Xapian transaction that
 *     stays open; the new segments are fsynced with their directory and
 *     every record is read back and checked against its sha256 again;
 *  4. switch: the transaction commits the new locators (record.locator,
 *     record.versions, media locators, archive contexts), the store tails
 *     (the end of the new segments), quire.compact.old ("records:A-B
 *     media:C-D", the segments replaced) and removes quire.compact.new:
 *     the index now names only the new segments;
 *  5. the old segments are removed (directory fsynced) and
 *     quire.compact.old is removed in a last commit;
 *  6. when step 4 replaced a quarter of the index's documents or more,
 *     the index is rewritten compacted into bulk.tmp/ and swapped in
 *     (qr_corpus_compact_index): the documents replaced left their old
 *     blocks as free space.  Fewer leave little, which later writes
 *     reuse; rewriting the whole index for them would cost more than the
 *     space.  A crash before the swap leaves the index
 *     whole, as step 5 left it; the next writable open removes the copy.
 *
 * A crash before 4 leaves the index on the old segments: the next writable
 * open (qr_compact_recover, from qr_corpus_recover) removes the unreferenced
 * output and dictionary.  A crash after 4 leaves old segments nobody needs:
 * the next writable open removes them.  Readers that loaded a document
 * before the switch and read its record after step 5 find its segment gone
 * (an error; reading again after reopening the index works).
 *
 * Only segments no compaction wrote are compacted (they are the newest:
 * compaction puts its output after them and ingest then starts new
 * segments), so compacting again compacts what was ingested since.
 */
#ifndef QR_COMPACT_H
#define QR_COMPACT_H

#include <stdint.h>

#include "buf.h"
#include "corpus.h"

typedef struct qr_compact_opts {
	size_t block_size;     /* content bytes per block */
	int level;             /* zstd level of the record stream (media: at most 3) */
	size_t dict_size;      /* bytes of the dictionary; 0: none */
	size_t dict_sample;    /* bytes of records, spread over the store, it is trained on */
	size_t window;         /* bytes of records regrouped at a time; 0: keep the order */
	bool progress;         /* a progress line on a terminal */
} qr_compact_opts;

typedef struct qr_compact_stats {
	uint32_t segments_in, segments_out;
	uint64_t bytes_in, bytes_out;   /* of the segments replaced and written */
	uint64_t records, media;        /* records and media files rewritten */
	uint64_t record_bytes;          /* their bytes */
	uint64_t grouped;               /* records written next to their original */
	uint64_t documents;             /* index documents pointed at new places */
	bool index_compacted;           /* step 6 rewrote the index */
	uint32_t dict_id;
	uint64_t dict_bytes;
	double seconds;
} qr_compact_stats;

void qr_compact_opts_default(qr_compact_opts *o);

/* Compact c (open for writing, recovered).  QR_NOT_FOUND when there is
 * nothing to compact; QR_DAMAGED when a record does not match its sha256
 * (nothing is changed then).  err says what failed. */
int qr_compact(qr_corpus *c, const qr_compact_opts *o, qr_compact_stats *stats, qr_buf *err);

/* Finish what a compaction that stopped left behind (see above): called
 * on every writable open, before the store's own recovery.  What was done
 * is added to report; err says what failed. */
int qr_compact_recover(qr_corpus *c, qr_buf *report, qr_buf *err);

#endif
