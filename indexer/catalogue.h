/*
 * The event catalogue as the write commands (ingest, events apply) use it:
 * read and validated, installed into the corpus, and applied to the posts
 * the corpus already holds when it changed since it was last applied.
 * Problems are printed here, one line each, naming file and field.
 */
#ifndef QR_CATALOGUE_H
#define QR_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>

#include "corpus.h"
#include "events.h"

/* Read a catalogue from files or directories; prints every problem and
 * returns an exit code (0 when it is valid). */
int qr_catalogue_read(const char *const *paths, size_t n, qr_events **out);

/*
 * The catalogue to work with in a corpus open for writing: `given` (read
 * with qr_catalogue_read, then copied into the corpus) or, when NULL, the
 * corpus's own.  When it is not the catalogue last applied to every post,
 * or when `force`, recompute the events of every post already there.
 * `given` is taken over: *out is given itself or a catalogue loaded here,
 * and the caller frees *out.  Returns an exit code.
 */
int qr_catalogue_prepare(qr_corpus *c, qr_events *given, bool force, bool quiet, qr_events **out);

#endif
