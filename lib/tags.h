/*
 * A researcher's codes (tags) on posts, and the journal that keeps them.
 *
 * Codes are hours of manual work that no input can give back, so every
 * change goes through the journal (journal.h) before the index sees it:
 * qr_tags_apply works out which posts change, appends the change to the
 * journal (all its parts), then rewrites those posts and commits; the
 * commit syncs the journal first.  An index rebuilt from the store gets
 * every code back by replaying the journal (qr_journal_replay), and
 * `quire check` compares the index's codes with the journal's.
 */
#ifndef QR_TAGS_H
#define QR_TAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "corpus.h"
#include "journal.h"
#include "post.h"

/* The longest code, in bytes. */
#define QR_TAG_MAX 64

/* A code as a user typed it, checked and lower-cased into out: letters,
 * digits, '_', '.', ':', '-', '/' (and any non-ASCII letter), at most
 * QR_TAG_MAX bytes, not starting with '+' or '-'.  false when it is not
 * one. */
bool qr_tag_code(const char *s, qr_buf *out);

typedef struct qr_tag_change {
	const qr_strv *add;     /* codes to add (checked with qr_tag_code) */
	const qr_strv *del;     /* codes to remove */
	const char *query;      /* what chose the posts, as given (for the
				 * history; may be NULL) */
	const qr_journal_who *who;    /* NULL: this process, now */
	const char *restored_from;    /* a bag the change comes from, or NULL */
} qr_tag_change;

typedef struct qr_tag_tally {
	uint64_t matched;       /* posts looked at */
	uint64_t changed;       /* posts whose codes changed */
	uint64_t *added;        /* per code of add: posts it was added to */
	uint64_t *removed;      /* per code of del: posts it was taken off */
	int64_t seq;            /* the journal entry (its first part), 0 if none */
} qr_tag_tally;

void qr_tag_tally_release(qr_tag_tally *t);

/*
 * Add and remove codes on the posts with these document ids (as the
 * corpus's handle sees them), journaled, then committed.  With dry_run
 * nothing is written: t says what would change.  Errors are on the corpus
 * (qr_corpus_error).  The corpus must be open for writing.
 */
int qr_tags_apply(qr_corpus *c, const xc_docid *ids, size_t n, const qr_tag_change *ch, bool dry_run,
		  qr_tag_tally *t);

/* Every code term of the index (with its prefix, QR_P_TAG), pushed onto
 * terms. */
int qr_tags_terms(qr_corpus *c, qr_strv *terms);

/* A journal entry of op "tag" into the index: its codes added to and
 * removed from its posts (those the corpus holds); *changed (may be NULL)
 * counts the posts rewritten, *missing the ids not in the corpus. */
int qr_tags_replay(qr_corpus *c, const qr_journal_entry *e, uint64_t *changed, uint64_t *missing);

/*
 * Bring the index up to the journal: every entry from the index's applied
 * offset on (all of it into an index rebuilt from the store, `from_start`
 * for a repair), then record the journal's end as applied and commit.
 * Entries are idempotent; of the event catalogues it holds, only the last
 * one matters (each gives every post its events).  *report (may be NULL)
 * gets a sentence when anything was replayed.
 */
int qr_journal_replay(qr_corpus *c, bool from_start, qr_buf *report);

/*
 * A corpus from before the journal: when the journal is empty and the index
 * holds codes, write them into the journal as a snapshot (every code with
 * its posts; replaying it sets exactly those codes), and the applied
 * catalogue when the corpus's copy is it, so that from now on a rebuild
 * keeps them.  `force`: write the snapshot whatever the journal holds.
 */
int qr_journal_adopt(qr_corpus *c, bool force, qr_buf *report);

/*
 * After a writable open and the store's recovery (qr_corpus_recover): cut
 * an entry a crash cut short, adopt a corpus from before the journal, and
 * replay what the index has not applied (`from_start`: all of it, for a
 * repair that put posts back).  A damaged journal (an entry that fails its
 * checksum, or fewer bytes than the index has applied) stops a writer
 * (QR_DAMAGED); a repair replays what it safely can and writes the index's
 * codes into the journal whole.  *report gets what was done.
 */
int qr_journal_catch_up(qr_corpus *c, bool repair, bool from_start, qr_buf *report);

#endif
