/*
 * What quire serve-shard answers, whatever carries the request (HTTP on
 * libmicrohttpd, or standard input and output for ssh): the routes of a
 * shard's quire endpoint (lib/shardnet.h is the client).
 *
 *   GET  /info              what the shard is (JSON: corpus id, index
 *                           version, rule, place, Xapian port, posts, bytes)
 *   GET  /record?at=LOC     the bytes of a record in the store
 *   GET  /media?at=LOC      the bytes of a media file
 *   GET  /context?at=N      the archive context record of source N
 *   GET  /stats             what quire stats sums over shards (JSON)
 *   POST /tag               codes added and removed on posts by id (JSON),
 *                           through the shard's journal: --allow-writes
 *   POST /events            an event catalogue applied (JSON), the same
 */
#ifndef SV_SHARD_ANSWER_H
#define SV_SHARD_ANSWER_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"

typedef struct sv_shard sv_shard;

typedef struct sv_shard_reply {
	int status;
	const char *type;
	qr_buf body;
} sv_shard_reply;

void sv_shard_reply_init(sv_shard_reply *r);
void sv_shard_reply_release(sv_shard_reply *r);

/* Open the shard for reading (writes open it again for each request). */
int sv_shard_open(const char *dir, bool writes, unsigned xapian_port, sv_shard **out, qr_buf *err);
void sv_shard_close(sv_shard *s);

/* Answer one request; at is the "at" argument (NULL when absent). */
void sv_shard_answer(sv_shard *s, const char *method, const char *path, const char *at, const char *body, size_t len,
		     sv_shard_reply *r);

/* Answer requests (HTTP/1.1, Content-Length bodies) from in on out until
 * in ends; 0, or an exit code when the conversation broke. */
int sv_shard_stdio(sv_shard *s, FILE *in, FILE *out);

#endif
