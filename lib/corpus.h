/*
 * A corpus directory: manifest (quire.json), store/ (with the journal,
 * journal.h), index/ (Xapian), sources.jsonl and rejects.jsonl.  One writer
 * at a time: every writable open takes the corpus lock (lock.h) before it
 * touches anything; any number of readers, which take no lock.
 *
 * Commit protocol: records are appended to the store, the posts are added
 * to the index inside a Xapian transaction, then qr_corpus_commit fsyncs
 * the store and commits the transaction together with the store's tail in
 * the index metadata.  So the index never points past synced store data,
 * and on the next writable open anything in the store past the recorded
 * tail is indexed again (qr_corpus_recover).
 *
 * A bulk load (qr_corpus_bulk_begin) keeps the same promises another way:
 * its posts go to scratch shards, commits sync the store and leave index/
 * with its old tail, and its end syncs the store, merges the shards into a
 * new database that records the new tail, commits it, and swaps it in as
 * index/ in one rename.  Readers see the corpus before the load or after
 * it, never a post whose record is not synced; a crash before the swap
 * leaves the store past the old tail to be indexed again.
 */
#ifndef QR_CORPUS_H
#define QR_CORPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "journal.h"
#include "post.h"
#include "shard.h"
#include "store.h"
#include "xapian-c.h"

#define QR_CORPUS_FORMAT_VERSION 1

/* Index metadata "quire.source.<n>": the sha256 of input n (sources.jsonl),
 * set when its reading starts, so that recovery can give it back to the
 * posts it indexes again. */
#define QR_META_SOURCE "quire.source."

enum qr_open_mode {
	QR_OPEN_READ,      /* a store with records and no index is QR_DAMAGED */
	QR_OPEN_WRITE,     /* must exist */
	QR_OPEN_CREATE,    /* created when missing */
	QR_OPEN_INSPECT    /* read, with an empty index when it is missing
			    * (quire check, which says what is wrong) */
};

typedef struct qr_corpus qr_corpus;

typedef struct qr_add_counts {
	uint64_t added;        /* posts new to the corpus */
	uint64_t updated;      /* posts whose record changed: new version */
	uint64_t duplicates;   /* posts already there with the same record */
	uint64_t records;      /* records appended to the store */
	uint64_t elsewhere;    /* records whose posts all belong to other shards */
} qr_add_counts;

int qr_corpus_open(const char *dir, int mode, qr_corpus **out, qr_buf *err);
void qr_corpus_close(qr_corpus *c);
const char *qr_corpus_error(const qr_corpus *c);
const char *qr_corpus_dir(const qr_corpus *c);
const char *qr_corpus_id(const qr_corpus *c);
xc_db *qr_corpus_db(qr_corpus *c);
/* Which posts the corpus keeps (QR_SHARD_NONE: all of them). */
const qr_shard_rule *qr_corpus_shard(const qr_corpus *c);
/* Make a writable corpus a shard: a corpus that holds no record yet
 * takes the rule (written to quire.json); one that has it already goes
 * on; any other is refused (QR_USAGE), for a shard never holds posts that
 * are not its own. */
int qr_corpus_set_shard(qr_corpus *c, const qr_shard_rule *r);
/* A federation (federation.h) when the corpus is one, else NULL; its
 * shards are read as one database (qr_corpus_db), its records from the
 * shard that holds each post. */
struct qr_federation *qr_corpus_federation(qr_corpus *c);
/* Whether the corpus reads any shard through Xapian's remote backend,
 * which runs Xapian's own match spies and sort keys but none of
 * quire's (what spread: qr_spread_count, search --sort reposts). */
bool qr_corpus_remote(qr_corpus *c);
/* Whether opening a federation goes on without the shards that do not
 * answer (each named in a warning) instead of failing: a process-wide
 * setting of the commands' --allow-partial. */
void qr_corpus_allow_partial(bool allow);
/* The locations of the shards the last federation this thread opened
 * left out (empty when none: the answers are whole). */
const qr_strv *qr_corpus_missing_shards(void);
/* A call on a federation's database failed with a network error (why):
 * msg says which shard no longer answers (each is asked, within the
 * timeouts), or that one does not. */
void qr_corpus_network_fault(const char *why, qr_buf *msg);
/* The calling thread reads c from now on (it opens a corpus for itself:
 * a thread that reads a handle another opened says so first, so that the
 * two functions above speak of c). */
void qr_corpus_read_here(qr_corpus *c);
qr_store *qr_corpus_store(qr_corpus *c);

/* The store settings of the manifest (quire.json). */
const qr_store_options *qr_corpus_store_options(const qr_corpus *c);
/* A file of the corpus ("sources.jsonl") as a path, into out. */
void qr_corpus_path(const qr_corpus *c, const char *name, qr_buf *out);

/* Set the message of qr_corpus_error and return st (for the modules of
 * lib/ that work on a corpus). */
int qr_corpus_fail(qr_corpus *c, int st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* What a writable open put right (a swap a crash cut short), "" when
 * nothing; qr_corpus_recover reports it too. */
const char *qr_corpus_notes(const qr_corpus *c);

/* The journal of codes and event catalogues (journal.h); read-only for a
 * reader. */
qr_journal *qr_corpus_journal(qr_corpus *c);
/* How far the index has applied the journal (bytes). */
uint64_t qr_corpus_journal_applied(const qr_corpus *c);
/* Record, at the next commit, that the index has applied the journal up
 * to offset (after every change of the entries before it is made). */
int qr_corpus_set_journal_applied(qr_corpus *c, uint64_t offset);

/* Readers: move to the newest committed revision. */
int qr_corpus_reopen(qr_corpus *c);

/* ---- reading posts ---- */

int qr_corpus_find(qr_corpus *c, const char *post_id, xc_docid *docid);
int qr_corpus_load_post(qr_corpus *c, xc_docid docid, qr_post *p);
/* The original bytes of the post's current record, checked against the
 * sha256 the index holds (QR_DAMAGED on a mismatch). */
int qr_corpus_get_record(qr_corpus *c, const qr_post *p, qr_buf *data);

/* ---- writing ---- */

/*
 * Add the posts that one record holds.  Posts already in the corpus with
 * this very record are duplicates; posts whose record differs get a new
 * version (the index points at the newest, older ones stay in the store and
 * are listed in record.versions; the post's tags carry over).  The record is
 * appended to the store unless every post is a duplicate or `stored` says
 * where it already is (recovery).  posts[i].record and .source are filled
 * in here.
 */
int qr_corpus_add(qr_corpus *c, const char *data, size_t len, const qr_record_meta *meta, qr_post *posts,
		  size_t nposts, const qr_locator *stored, qr_add_counts *counts);
/* Replace a post's document after its tags or events changed. */
int qr_corpus_update_post(qr_corpus *c, xc_docid docid, const qr_post *p);
/* Set a key of the index metadata; written by the next commit. */
int qr_corpus_set_metadata(qr_corpus *c, const char *key, const char *value);
/* Start the index transaction now (so that the next commit records the
 * store's tail even when no post changed). */
int qr_corpus_begin(qr_corpus *c);
/* Take a post's document out of the index (repair: its record is lost). */
int qr_corpus_remove_post(qr_corpus *c, xc_docid docid);
/* A key of the index metadata (as this handle sees it) into value;
 * QR_NOT_FOUND when absent. */
int qr_corpus_get_metadata(qr_corpus *c, const char *key, qr_buf *value);
/* Sync the store, then commit the index with the store's tail. */
int qr_corpus_commit(qr_corpus *c);

/*
 * A bulk load (lib/bulk.h): when the index holds no documents, the posts
 * qr_corpus_add adds from now on are indexed by `shards` writer threads
 * into scratch databases, merged and swapped in as index/ by
 * qr_corpus_bulk_end.  Meanwhile commits sync the store (and keep the
 * source numbers) but index/ does not change: readers see the corpus as it
 * was, and a crash leaves the store to be re-indexed at the next writable
 * open.  qr_corpus_add then moves the posts it indexes out of `posts`
 * (they are left empty), and lookups (find, load_post, find_media) do not
 * see them until the end.  Returns QR_SKIP when the index has documents.
 */
int qr_corpus_bulk_begin(qr_corpus *c, unsigned shards);
/* Merge the shards and swap them in as index/ (nothing when no post was
 * added); after a failure, drop them. */
int qr_corpus_bulk_end(qr_corpus *c);
bool qr_corpus_bulk_active(const qr_corpus *c);
/* Rewrite index/ compacted (Xapian's compactor: full blocks, no free
 * space) and swap it in as a bulk load's merge is: after many documents
 * were replaced (quire compact's new locators) their old blocks are free
 * space in the index until then.  Nothing may be pending.  written(), when
 * given, is called once the copy is on disk, before the swap (tests stop
 * the process there). */
int qr_corpus_compact_index(qr_corpus *c, void (*written)(const char *step));
/* Pending (uncommitted) changes, in posts. */
uint64_t qr_corpus_pending(const qr_corpus *c);
/* Allocate the number of a new source (an input). */
uint32_t qr_corpus_new_source(qr_corpus *c);

/* Re-index what the store holds past the index's tail: fn turns a record
 * back into posts, as the reader that framed it would. */
typedef int (*qr_renormalize_fn)(void *ctx, const char *data, size_t len, const qr_record_meta *meta,
				 qr_post **posts, size_t *nposts, qr_buf *why);
int qr_corpus_recover(qr_corpus *c, qr_renormalize_fn fn, void *ctx, qr_buf *report);

/* ---- archive contexts and media files ---- */

/*
 * A context record holds what the records of one archive need from the rest
 * of it (identity, long texts, media files: indexer/format.h).  While a
 * context is open, the first record qr_corpus_add appends is preceded by
 * the context record (flag QR_REC_CONTEXT, meta as given), so that every
 * record of an archive format finds the context it was normalized with as
 * the nearest context record of its source before it in the store; when
 * every post is a duplicate, nothing is appended.  The index metadata
 * keeps the last context of each source ("quire.context.<source>"), for
 * records past the index's tail whose context is not.
 */
int qr_corpus_open_context(qr_corpus *c, const char *data, size_t len, const qr_record_meta *meta);
void qr_corpus_close_context(qr_corpus *c);
/* The context record last written for a source, checked against its
 * sha256; QR_NOT_FOUND when there is none. */
int qr_corpus_get_context(qr_corpus *c, uint32_t source, qr_buf *data);

/* Keep a media file's bytes in the media stream (flag QR_REC_BLOB is set
 * here; meta->sha256 must be the file's). */
int qr_corpus_add_blob(qr_corpus *c, const char *data, size_t len, const qr_record_meta *meta, qr_locator *loc);
/* The store locator of a media file kept before, found by its sha256 (hex)
 * through the posts that carry it; QR_NOT_FOUND when none does. */
int qr_corpus_find_media(qr_corpus *c, const char *sha256, qr_buf *locator);
/* The bytes of a media file kept in the store, checked against the
 * sha256 the post gives (QR_DAMAGED on a mismatch). */
int qr_corpus_get_media(qr_corpus *c, const qr_media *m, qr_buf *data);

/* Append lines to sources.jsonl or rejects.jsonl (one write, fsync'd). */
int qr_corpus_log(qr_corpus *c, const char *name, const char *lines, size_t len);

/* The store tail the index has committed for a stream. */
int qr_corpus_committed_tail(qr_corpus *c, int stream, qr_store_pos *pos);

#endif
