/*
 * The ingest pipeline: inputs -> container layer -> sniffing -> framing ->
 * normalizing -> store + index, with rejects, sources and progress.
 */
#ifndef QR_INGEST_H
#define QR_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container.h"
#include "corpus.h"
#include "hash.h"
#include "events.h"

typedef struct qr_ingest_opts {
	const char *format;      /* forced format name, NULL to sniff */
	qr_limits limits;
	bool force;              /* re-read inputs whose sha256 was ingested before */
	uint64_t batch_posts;    /* commit after this many changed posts */
	bool quiet;              /* no per-record messages on stderr */
	const qr_events *events; /* catalogue to tag posts with, NULL: none */
	unsigned threads;        /* 1: everything in one thread; 2 or more: into
				  * an empty index, that many index writers
				  * (corpus.h, bulk loads) */
} qr_ingest_opts;

typedef struct qr_ingest_stats {
	uint64_t inputs;         /* inputs read */
	uint64_t unchanged;      /* inputs skipped: same sha256 ingested before */
	uint64_t incomplete;     /* inputs that could not be read to the end */
	uint64_t records;        /* records framed */
	uint64_t rejected;
	uint64_t skipped;        /* records that hold no post (notices, counts) */
	uint64_t elsewhere;      /* records whose posts belong to other shards */
	uint64_t added, updated, duplicates;
	uint64_t bytes;          /* input bytes read */
	double seconds;
} qr_ingest_stats;

void qr_ingest_opts_default(qr_ingest_opts *o);

/* Ingest every path (files, directories, "-" for stdin).  Returns 0, or
 * the status that stopped it (the corpus could not be written). */
int qr_ingest(qr_corpus *c, char *const *paths, size_t n, const qr_ingest_opts *o, qr_ingest_stats *stats);

/* The context of qr_ingest_renormalize: the corpus, for the context
 * records of archive formats (format.h), and the ones loaded so far;
 * events, when not NULL, tag the posts. */
typedef struct qr_renorm {
	qr_corpus *c;
	const qr_events *events;
	struct qr_renorm_context *v;
	size_t n, alloc;
	/* the sha256 of the last source looked up (index metadata) */
	uint32_t sha_source;
	char sha[QR_SHA256_HEX];
} qr_renorm;

void qr_renorm_release(qr_renorm *r);

/* For qr_corpus_recover: a stored record back into posts.  ctx is a
 * qr_renorm, or NULL (records of archive formats then lack their
 * context, and no events); a context record gives QR_SKIP. */
int qr_ingest_renormalize(void *ctx, const char *data, size_t len, const qr_record_meta *meta, qr_post **posts,
			  size_t *nposts, qr_buf *why);

/* Open a corpus for writing and re-index what its store holds past the
 * index (a killed ingest), reporting what was done on stderr. */
int qr_ingest_open_corpus(const char *dir, bool create, qr_corpus **out);

#endif
