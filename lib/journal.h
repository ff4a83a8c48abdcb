/*
 * The journal: what a researcher did to the corpus that the records alone
 * cannot say (codes added and removed, event catalogues applied), kept in
 * the store's trust domain so that an index rebuilt from the store gets it
 * all back.
 *
 * store/journal.zst is a series of standard zstd frames, one entry each,
 * each with zstd's content checksum; an entry's content is one JSON object
 * and a newline, so `zstd -dc store/journal.zst` prints the journal as JSON
 * lines (schemas/index.md lists the fields).  Append only: an entry is
 * never rewritten, and compaction does not touch the file.
 *
 * Commit protocol, as for records: an operation's entries are appended
 * before the index changes they describe, synced by the next
 * qr_corpus_commit before the index commits, and the index records, in its
 * metadata, how far the journal is applied (the end of the last operation
 * whose changes are all committed).  A writable open replays whatever the
 * journal holds past that point (a writer that died half way); an index
 * rebuilt from the store records nothing, so the whole journal is replayed
 * into it.  Every entry is idempotent (add these codes to these posts,
 * give every post the events of this catalogue), so replaying an entry
 * whose changes were partly committed is safe.
 *
 * An operation too large for one entry is written as several ("part" i of
 * "parts" n, consecutive).  Since all its parts are appended before any of
 * its changes reaches the index, an operation whose last part is missing at
 * the end of the journal had no committed effect: recovery moves it to
 * store/lost+found/, as it does a frame cut short by a crash.
 */
#ifndef QR_JOURNAL_H
#define QR_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "json.h"

#define QR_JOURNAL_FILE "journal.zst"
/* The longest entry read back (decompressed bytes): more is damage. */
#define QR_JOURNAL_MAX_ENTRY (64u << 20)
/* Posts an entry lists at most; a larger operation takes several parts. */
#define QR_JOURNAL_PART_POSTS 50000

typedef struct qr_journal qr_journal;

/* Open store_dir/journal.zst (made at the first append when missing).
 * Writers must hold the corpus lock. */
int qr_journal_open(const char *store_dir, bool writable, qr_journal **out, qr_buf *err);
void qr_journal_close(qr_journal *j);
const char *qr_journal_error(const qr_journal *j);
const char *qr_journal_path(const qr_journal *j);
/* Bytes of the journal as this handle knows it. */
uint64_t qr_journal_size(const qr_journal *j);

/*
 * Writing an entry: qr_journal_begin starts the object with the fields
 * every entry has ("seq", "time", "op", "user", "host", "command") into
 * buf through w; the caller adds its own members with w; qr_journal_append
 * closes the object, compresses it into a frame and appends it (written,
 * not synced: qr_journal_sync, which qr_corpus_commit calls).
 */
void qr_journal_begin(qr_journal *j, qr_jw *w, qr_buf *buf, const char *op);

/* Who wrote an entry and when, where it is not this process now (codes
 * restored from a bag keep the history they came with); NULL or "" fields
 * are this process's. */
typedef struct qr_journal_who {
	const char *time, *user, *host, *command;
} qr_journal_who;
/* This process's user and host, as an entry names them. */
void qr_journal_whoami(char user[64], char host[256]);
void qr_journal_begin_as(qr_journal *j, qr_jw *w, qr_buf *buf, const char *op, const qr_journal_who *who);
int qr_journal_append(qr_journal *j, qr_jw *w, qr_buf *buf);
int qr_journal_sync(qr_journal *j);
/* The seq number the next entry gets. */
int64_t qr_journal_next_seq(qr_journal *j);
bool qr_journal_dirty(const qr_journal *j);

/* One entry as read back; json is valid during the callback only. */
typedef struct qr_journal_entry {
	uint64_t offset, end;   /* its frame's bytes in the file */
	int64_t seq;
	const char *op;         /* "tag", "events" */
	int64_t part, parts;    /* 1 of 1 for most */
	const cJSON *json;
} qr_journal_entry;

typedef int (*qr_journal_fn)(void *ctx, const qr_journal_entry *e);

typedef struct qr_journal_stats {
	uint64_t entries;       /* entries handed to fn */
	uint64_t damaged;       /* frames that fail their checksum or hold no entry */
	uint64_t damaged_live;  /* of those, the ones after the last snapshot
				 * (tags.h), which a repair writes after damage:
				 * the ones before it no longer matter */
	uint64_t end;           /* offset after the last whole frame */
	uint64_t torn;          /* bytes past end: a frame cut short, at the end only */
	bool unfinished;        /* the journal ends with an operation without all
				 * its parts (never handed to fn)... */
	uint64_t unfinished_at; /* ...which starts here */
	qr_buf damage;          /* the first damage, said with its offset */
} qr_journal_stats;

void qr_journal_stats_init(qr_journal_stats *w);
void qr_journal_stats_release(qr_journal_stats *w);
/* Hand every whole entry from byte `from` on to fn, in order (fn returning
 * non-zero stops the walk with that status).  Damaged frames are skipped
 * and counted. */
int qr_journal_walk(qr_journal *j, uint64_t from, qr_journal_fn fn, void *ctx, qr_journal_stats *w);

/*
 * For a writable open: a frame cut short at the end, or a last operation
 * without all its parts, had no committed effect: move those bytes to
 * store/lost+found/ and cut the file there.  Bytes the index has applied
 * (`applied`) were synced before it committed: never cut (QR_DAMAGED).
 * *what says what was done ("" when nothing).
 */
int qr_journal_recover(qr_journal *j, uint64_t applied, qr_buf *what);

/* The entry's list of post ids ("posts") and codes ("add", "remove"). */
const cJSON *qr_journal_list(const qr_journal_entry *e, const char *key);

#endif
