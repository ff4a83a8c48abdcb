/*
 * quire ingest of a bag that quire export wrote (query/export.h): the bag
 * is verified first (nothing is restored from a bag that fails), then its
 * original records are added as the inputs they came from gave them (the
 * same posts, the same record sha256; their sources keep their paths,
 * members, lines and input sha256), with the context records of archive
 * formats and the media files, the events they carry (added to the
 * corpus's catalogue when it lacks them) and the codes on the posts.  A
 * bag of content level posts or ids holds no records: it says what it
 * cannot restore and restores the events and the codes of the posts the
 * corpus holds already.
 */
#ifndef QR_RESTORE_H
#define QR_RESTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "corpus.h"
#include "events.h"
#include "ingest.h"

typedef struct qr_restore_stats {
	uint64_t records;        /* records read from the bag */
	uint64_t added, updated, duplicates;
	uint64_t rejected;       /* records no reader took */
	uint64_t media;          /* media files added to the store */
	uint64_t events;         /* events added to the catalogue */
	uint64_t coded;          /* posts whose codes changed */
	uint64_t missing;        /* posts the bag names but cannot give (levels posts, ids) */
	bool unchanged;          /* the same bag was restored before */
} qr_restore_stats;

/* Is path a bag: a folder with bagit.txt, or a .zip / .tar.gz holding
 * one among its first members? */
bool qr_restore_is_bag(const char *path);

/* Restore the bag at path into c.  *events is the catalogue new posts are
 * tagged with; it is replaced when the bag adds events.  Returns 0, or an
 * exit code (3: the bag is bad or not quire's; others: the corpus could
 * not be written), the messages printed. */
int qr_restore_bag(qr_corpus *c, const char *path, const qr_ingest_opts *o, qr_events **events,
		   qr_restore_stats *stats);

#endif
