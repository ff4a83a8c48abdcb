/*
 * quire serve's workers: a fixed number of threads, each with its own
 * read-only handle on the corpus (Xapian handles are not shared between
 * threads), moved to the newest revision before every job so that an
 * ingest running beside the server shows up without a restart, and opened
 * again when the index was swapped (a bulk load, a compaction) or a job
 * found it unreadable.
 *
 * Two lanes, each with workers of its own: light jobs (a page of results,
 * a post, a citation, a count) and heavy ones (facets, timelines, the
 * page with its facets, long result lists).  The heavy lane's workers run
 * at a lower CPU priority (nice 10), so that a running facet count holds
 * the searches back neither by taking their workers nor by taking the
 * processor from them.
 * A caller waits for its job until a deadline; a job still queued then is
 * dropped, one still running finishes and its answer is thrown away.  So
 * are the jobs of callers that went away.  Each lane queues a bounded
 * number of jobs; past it a request is told the server is busy.
 */
#ifndef SV_POOL_H
#define SV_POOL_H

#include <stdbool.h>

#include "buf.h"
#include "corpus.h"

typedef struct sv_pool sv_pool;

enum sv_lane { SV_LIGHT, SV_HEAVY };

/* A job's work: runs on a worker with its corpus handle; ctx is the
 * caller's until sv_pool_run returns SV_RAN, else the pool frees it with
 * free_ctx once the job is done.  Returns an exit code (lib/status.h):
 * QR_EXIT_DAMAGED or QR_EXIT_INTERNAL makes the worker open the corpus
 * again before its next job. */
typedef int (*sv_job_fn)(qr_corpus *c, void *ctx);

enum sv_outcome {
	SV_RAN,            /* the job ran; its exit code is in *rc */
	SV_BUSY,           /* the queue was full, or the job waited past the deadline */
	SV_LATE,           /* it ran past the deadline; its answer will be thrown away */
	SV_UNAVAILABLE     /* no worker has a corpus handle (it cannot be opened) */
};

/* Start `light` and `heavy` worker threads on the corpus at dir (each
 * opens it now: an error here is the caller's to report, with the message
 * in err). */
int sv_pool_start(const char *dir, unsigned light, unsigned heavy, sv_pool **out, qr_buf *err);
/* Run fn(corpus, ctx) on a worker and wait at most `seconds`; gone(arg),
 * asked every tenth of a second, says the caller went away (the client
 * closed its connection): a job still queued is dropped then, one running
 * finishes unheard.  gone may be NULL. */
int sv_pool_run(sv_pool *p, int lane, sv_job_fn fn, void *ctx, void (*free_ctx)(void *), double seconds,
		bool (*gone)(void *), void *arg, int *rc);
/* Finish the running jobs, stop and join every worker, close the
 * handles. */
void sv_pool_stop(sv_pool *p);

#endif
