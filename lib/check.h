/*
 * Is the corpus whole, and making it whole again.
 *
 * The check reads everything: every frame of the store (zstd's content
 * checksum, the block header's own checksum, each record's sha256), every
 * index entry's store locator and sha256, the store's tail against the
 * tail the index committed, and Xapian's structure check.  It never
 * writes.
 *
 * The repair treats the store as the source of truth: the index is made to
 * match it again, never the other way round, and no committed byte of the
 * store is ever deleted (bytes cut off a damaged end are kept under
 * store/lost+found/).
 */
#ifndef QR_CHECK_H
#define QR_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "corpus.h"

enum qr_finding {
	QR_FOUND_INFO,      /* what was checked */
	QR_FOUND_NOTE,      /* not damage: e.g. an interrupted ingest's tail */
	QR_FOUND_DAMAGE
};

/* Called once per finding; msg names segment and byte offset, or post. */
typedef void (*qr_finding_fn)(void *ctx, int kind, const char *msg);

typedef struct qr_check_opts {
	bool verbose;        /* an info line per block */
	bool xapian;         /* run Xapian's structure check */
} qr_check_opts;

typedef struct qr_check_stats {
	uint64_t segments, blocks, records, bytes;
	uint64_t damaged_blocks;     /* blocks failing a frame, header or record check */
	uint64_t duplicate_records;  /* records stored more than once (same sha256) */
	uint64_t uncommitted_blocks; /* complete blocks past the committed tail */
	uint64_t torn_bytes;         /* a cut-short block at the end, past the committed tail */
	uint64_t posts;              /* documents in the index */
	uint64_t duplicate_posts;    /* extra documents for one post id */
	uint64_t bad_posts;          /* index entries whose locator or sha256 fail */
	uint64_t missing_posts;      /* posts of committed records missing from the index */
	uint64_t xapian_errors;
	uint64_t journal_bytes;      /* the journal of codes and catalogues */
	uint64_t journal_entries;
	uint64_t journal_damaged;    /* entries that fail their checksum */
	uint64_t code_differences;   /* codes of the index and of the journal that differ */
	uint64_t damage;             /* findings of kind QR_FOUND_DAMAGE */
	uint64_t notes;
} qr_check_stats;

/* Run xapian-check on an index: 0 when it ran (*errors: what it found, 0
 * clean), QR_NOT_FOUND when it is not installed; its output in out.  A
 * separate process: a damaged index cannot take quire down with it. */
int qr_check_xapian(const char *index, uint64_t *errors, qr_buf *out);

/* Check the corpus (open for reading or writing).  Returns 0 when the check
 * ran (its verdict is stats->damage), or the status that stopped it. */
int qr_check_corpus(qr_corpus *c, const qr_check_opts *o, qr_finding_fn fn, void *ctx, qr_check_stats *stats);

/* The journal's frames, how far the index applied it, and the index's
 * codes and events against it (check_journal.c); part of qr_check_corpus. */
int qr_check_journal(qr_corpus *c, qr_finding_fn fn, void *ctx, qr_check_stats *stats);

typedef struct qr_repair_stats {
	uint64_t cut_bytes;          /* moved to store/lost+found/ */
	uint64_t lost_posts;         /* taken out: their records are gone */
	uint64_t repointed;          /* index entries pointed at an intact copy */
	uint64_t readded;            /* posts of stored records put back in the index */
	uint64_t rewritten;          /* documents rebuilt (duplicates, bad values) */
	uint64_t unrepairable;       /* entries whose record sits in a damaged block */
} qr_repair_stats;

/*
 * When the store ends before the tail the index committed (a disk that lost
 * data, a file cut short), cut each such stream back to its last complete
 * block (the bytes cut off go to store/lost+found/), take out of the index
 * the posts whose records are gone (falling back on an older version when
 * the store still holds one), note their inputs as "lost" in sources.jsonl
 * so that ingesting them again restores the posts, and commit the new tail.
 * Nothing to do is the common case.  What was done is added to report.
 */
int qr_repair_lost_tail(qr_corpus *c, qr_renormalize_fn fn, void *fctx, qr_buf *report, qr_repair_stats *rs);

/* The whole repair on a corpus open for writing: the lost tail, recovery of
 * an interrupted ingest, then every index entry against the store. */
int qr_repair_corpus(qr_corpus *c, qr_renormalize_fn fn, void *fctx, qr_finding_fn found, void *ctx,
		     qr_repair_stats *rs);

#endif
