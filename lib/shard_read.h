/*
 * What a federation reads of one shard besides its index: bytes of its
 * store, its inputs, its journal.  The same answer whether the shard is a
 * path on this machine (federation.c calls qr_shard_read on it) or is
 * served by `quire serve-shard` (which answers GET /WHAT?at=ARG with it).
 *
 *   record ARG     the record at a locator (bytes)
 *   media ARG      the media file at a locator (bytes)
 *   context ARG    the context record of a source number (bytes)
 *   entry ARG      the record at a locator with what the store says of it:
 *                  one JSON line {"format", "path", "member", "line",
 *                  "byte", "source", "flags", "sha256"}, then its bytes
 *   entries ARG    several, by locators ("L1,L2", at most
 *                  QR_SHARD_MAX_ENTRIES): each entry as "LENGTH\n", the
 *                  entry, "\n" (qr_shard_entries_next reads them)
 *   contexts ARG   the context records of source numbers ("1,4"), in store
 *                  order: a JSON line each, {"at": LOCATOR, "source": N}
 *   documents ARG  the data of documents of its index by their numbers
 *                  ("3,7", at most QR_SHARD_MAX_DOCUMENTS): for each in
 *                  turn "N LENGTH\n" then the data and "\n", or "N -\n"
 *                  for a document it does not have
 *   sources        the shard's sources.jsonl
 *   journal        the shard's journal of codes and events, its file as
 *                  it is (journal.h reads it)
 *
 * Bytes are unchecked: the reader checks them against the sha256 the
 * index or the entry gives.
 */
#ifndef QR_SHARD_READ_H
#define QR_SHARD_READ_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "corpus.h"
#include "store.h"

/* At most this many a request: the request line stays under a few
 * kilobytes (serve-shard --stdio reads lines of 16 KiB at most). */
#define QR_SHARD_MAX_DOCUMENTS 500
#define QR_SHARD_MAX_ENTRIES 200

/* 0, or a status (QR_NOT_FOUND, QR_USAGE for a malformed ARG, ...) with
 * the reason in err. */
int qr_shard_read(qr_corpus *c, const char *what, const char *arg, qr_buf *out, qr_buf *err);

/* A context record of a source, where the store keeps it. */
typedef struct qr_context_at {
	qr_locator loc;
	uint32_t source;
} qr_context_at;

/* Every context record of the given sources, in store order, read from
 * the block headers alone. */
int qr_corpus_contexts(qr_corpus *c, const uint32_t *sources, size_t n, qr_context_at **out, size_t *nout,
		       qr_buf *err);

/* The next entry of an "entries" answer at *p (before end): 0 with the
 * entry in entry/len and *p past it, QR_DAMAGED when it is not one. */
int qr_shard_entries_next(const char **p, const char *end, const char **entry, size_t *len);

/* Read an "entry" answer: the record's bytes into data, what the store
 * says of it into meta (its strings kept in strings).  QR_DAMAGED when it
 * is not one. */
int qr_shard_entry_parse(const char *buf, size_t len, qr_buf *data, qr_record_meta *meta, qr_buf *strings,
			 qr_buf *err);

#endif
