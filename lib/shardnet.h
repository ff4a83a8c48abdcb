/*
 * The client side of a shard's quire endpoint (quire serve-shard): what a
 * federation asks of a shard besides its index, which Xapian's remote
 * backend serves.  The endpoint speaks a small part of HTTP/1.1 (GET and
 * POST, bodies with a Content-Length, keep-alive): over TCP to
 * `quire serve-shard --listen`, or over the standard input and output of a
 * program (`ssh HOST quire serve-shard --stdio`).  Every wait is bounded by
 * the timeout; a connection that fails is closed, and the next request
 * opens it again.
 */
#ifndef QR_SHARDNET_H
#define QR_SHARDNET_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef struct qr_shardnet qr_shardnet;

/* The largest answer taken (a media file is at most 256 MiB by default). */
#define QR_SHARDNET_MAX_BODY ((size_t)1 << 30)

/* An endpoint at host:port (nothing is connected yet); token (may be NULL)
 * goes with every request as "Authorization: Bearer TOKEN". */
qr_shardnet *qr_shardnet_tcp(const char *host, unsigned port, const char *token, unsigned timeout_ms);
/* An endpoint on a program's standard input and output: argv[0] is run
 * (found on PATH) with argv, when the first request is made. */
qr_shardnet *qr_shardnet_prog(char *const *argv, unsigned timeout_ms);
void qr_shardnet_close(qr_shardnet *n);

/*
 * One request: method "GET" or "POST", path with its arguments (already
 * %-encoded), body (may be NULL).  On an answer, 0 with its status in
 * *status and its body in resp; QR_IO when the endpoint could not be
 * reached or did not answer in time, with the reason in err.
 */
int qr_shardnet_request(qr_shardnet *n, const char *method, const char *path, const char *body, size_t len,
			int *status, qr_buf *resp, qr_buf *err);

/* Append s %-encoded for a URL's path or argument. */
void qr_shardnet_escape(qr_buf *out, const char *s);

#endif
