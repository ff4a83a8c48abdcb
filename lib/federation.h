/*
 * A federation: a corpus directory whose quire.json lists shards (each a
 * complete corpus, see shard.h) instead of holding posts.  Its shards are
 * opened together as ONE Xapian database (Xapian's remote backend for the
 * shards on other machines), so that Xapian combines their statistics and
 * ranks, counts and spies exactly as on one database; records and media
 * are read from the shard that holds the post.
 *
 * Locations: a path (a corpus on this machine); tcp://HOST:PORT, the quire
 * endpoint of `quire serve-shard`, which names the port of its Xapian
 * server (xapian-tcpsrv) and serves the shard's store; ssh://[USER@]HOST/PATH,
 * which runs xapian-progsrv and `quire serve-shard --stdio` through ssh
 * ($QUIRE_SSH names the command that stands for ssh: tests run the servers
 * directly through it).
 *
 * A shard that cannot be reached, answers too late, or is not the corpus
 * the federation recorded (another corpus, another index version, another
 * place) stops the open with a message naming it, unless the caller allows
 * a partial federation: then it is left out and listed.
 */
#ifndef QR_FEDERATION_H
#define QR_FEDERATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "shard.h"
#include "shardnet.h"
#include "xapian-c.h"

#define QR_FEDERATION_FORMAT "quire-federation"

enum qr_location_kind { QR_LOC_PATH, QR_LOC_TCP, QR_LOC_SSH };

typedef struct qr_corpus qr_corpus;

typedef struct qr_fed_shard {
	char *location;          /* as listed: an absolute path, tcp://..., ssh://... */
	int kind;                /* qr_location_kind */
	char *host;              /* tcp, ssh ([USER@]HOST) */
	unsigned port;           /* tcp: the quire endpoint */
	char *path;              /* path, ssh: the corpus directory */
	char *corpus_id;         /* as recorded when it was added */
	qr_shard_rule rule;
	/* while open */
	bool up;
	char *why;               /* why it is not up */
	char *info;              /* its /info answer, or the local equivalent (JSON) */
	qr_corpus *local;        /* a path */
	qr_shardnet *net;        /* tcp, ssh */
	unsigned xapian_port;    /* tcp */
	xc_db *db;
	int slot;                /* its place among the open shards' databases, -1 */
} qr_fed_shard;

typedef struct qr_federation {
	char *dir;
	char *id;
	char *created;
	unsigned timeout_ms, connect_timeout_ms;
	qr_fed_shard *v;
	size_t n, alloc;
	/* while open */
	xc_db *db;               /* the shards that are up, as one database */
	size_t nup;
	size_t *up;              /* database slot -> index in v */
	qr_buf err;
} qr_federation;

/* Does dir's quire.json describe a federation?  (false when it cannot be
 * read: the caller's own open says why.) */
bool qr_federation_is(const char *dir);

/* Read the manifest (nothing is connected). */
int qr_federation_read(const char *dir, qr_federation **out, qr_buf *err);
/* A new, empty federation in memory (written by qr_federation_write). */
qr_federation *qr_federation_new(const char *dir);
void qr_federation_free(qr_federation *f);
/* Write quire.json (atomically) and the Xapian stub database file
 * `index` beside it (for xapian-delve and the like). */
int qr_federation_write(qr_federation *f, qr_buf *err);

/* Read a location; QR_USAGE with the reason. */
int qr_location_parse(const char *loc, qr_fed_shard *s, qr_buf *err);
void qr_fed_shard_clear(qr_fed_shard *s);

/*
 * Connect one shard and check what it is: reachable within the timeouts,
 * a corpus of this quire's index version, not a federation.  Records its
 * corpus id and rule on the first connect (recorded == false), checks
 * them afterwards.  0, or an error with the reason in s->why.
 */
int qr_fed_shard_connect(qr_federation *f, qr_fed_shard *s, bool recorded);
void qr_fed_shard_disconnect(qr_fed_shard *s);

/*
 * Connect every shard and make the one database.  A shard that fails
 * stops it (QR_DAMAGED, with the shard named in err) unless partial,
 * when it is left out (listed by qr_federation_missing) and a warning is
 * printed.  A federation by hash whose places do not cover 1..N fails the
 * same way: its counts would be short.
 */
int qr_federation_open(qr_federation *f, bool partial, qr_buf *err);
/* The missing shards' locations, comma-separated ("" when none). */
void qr_federation_missing(const qr_federation *f, qr_buf *out);

/* The shard holding a document of the one database. */
qr_fed_shard *qr_federation_shard_of(qr_federation *f, xc_docid docid);

/* What a shard reads for a federation besides its index (shard_read.h:
 * "record", "media", "entry" at a locator, "context" of a source,
 * "contexts", "sources", "journal"): for a path read here, else asked of
 * its serve-shard.  Unchecked (the caller checks the sha256). */
int qr_fed_shard_fetch(qr_federation *f, qr_fed_shard *s, const char *what, const char *arg, qr_buf *data,
		       qr_buf *err);

/* The data of documents of the one database, read a page at a time. */
typedef struct qr_fed_docs {
	qr_buf buf;
	size_t *off, *len;           /* len SIZE_MAX: not here, read it through Xapian */
	size_t n, alloc;
} qr_fed_docs;

void qr_fed_docs_init(qr_fed_docs *d);
void qr_fed_docs_release(qr_fed_docs *d);

/*
 * The data of documents ids[0..n) from the shards that are not on this
 * machine, one request to each such shard's endpoint for every
 * QR_SHARD_MAX_DOCUMENTS of them (Xapian's remote protocol sends documents
 * one at a time, each value slot a message of its own).  A shard that is a
 * path is left to Xapian, as is a document its shard no longer has.  0,
 * or a status with the shard named in err.
 */
int qr_federation_documents(qr_federation *f, const xc_docid *ids, size_t n, qr_fed_docs *d, qr_buf *err);

/* POST a request to a remote shard's endpoint (/tag, /events); 0 with
 * the answer in resp, else the reason (naming the shard) in err. */
int qr_fed_shard_post(qr_federation *f, qr_fed_shard *s, const char *path, const char *body, size_t len, qr_buf *resp,
		      qr_buf *err);

/* Name a shard for messages: "shard 2 (tcp://host:port)". */
void qr_fed_shard_name(const qr_federation *f, const qr_fed_shard *s, qr_buf *out);

/* After a call on the one database failed: which shard, if any, no
 * longer answers (each is asked, within the timeouts); the message in
 * err names it.  false when all answer. */
bool qr_federation_diagnose(qr_federation *f, qr_buf *err);

#endif
