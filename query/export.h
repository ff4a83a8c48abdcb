/*
 * quire export: a query's posts as a BagIt bag (bag.h) that says on its own
 * what it is, that any BagIt tool verifies and that quire ingest loads back.
 *
 *   data/posts.jsonl, posts.csv, citations.csl.json   the printers of quire
 *                        search (-f jsonl, csv, csl-json) in portable mode
 *                        (printer.h): what `quire search --portable` prints
 *   data/ids/<platform>.txt   native ids, one a line
 *   data/originals/records-NNNNNN.zst   each record byte-exact as one zstd
 *                        frame, in store order; index.jsonl says, for each
 *                        post, where its record is (file, offset, length),
 *                        its size, sha256, format and source, and for the
 *                        records of archive formats the context record they
 *                        are read with (a line of kind "context")
 *   data/media/<sha256>.<ext>   the media files the store holds for them
 *   data/events/<file>   the definitions of the events the posts carry
 *   data/codebook.json, data/codes-history.jsonl (the journal's changes of
 *                        codes on these posts: when, who, with which query),
 *   data/sources.jsonl, data/datapackage.json,
 *   data/README.md (the data card), data/CITATION.cff
 *
 * The payload holds nothing that only the corpus it came from knows (its
 * id, store places, source numbers, times): the same posts give the same
 * payload wherever they are exported from, so a bag loaded into another
 * corpus and exported again has the same payload manifests.  The corpus
 * id and the time are in bag-info.txt.
 */
#ifndef QR_EXPORT_H
#define QR_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "bag.h"
#include "corpus.h"
#include "journal.h"
#include "json.h"
#include "printer.h"
#include "progress.h"
#include "query.h"

/* What goes in (--content). */
enum qr_content {
	QR_CONTENT_IDS,        /* id lists, data card, codebook, events */
	QR_CONTENT_POSTS,      /* and the posts, CSV and citations */
	QR_CONTENT_ORIGINALS   /* and the original records and media files */
};

extern const char *const qr_content_names[];

typedef struct qr_export_opts {
	const char *corpus;
	const char *out;
	const char *sort;            /* oldest (default), newest or relevance */
	int content;
	qr_query_opts q;
	const char *query;           /* the operands joined */
	const char *title, *version, *license;
	qr_strv authors;
	const char *org, *contact_name, *contact_email;
} qr_export_opts;

/* The printer as export uses it (and search --portable): portable, and
 * ties of a time sort in id order. */
void qr_export_printer(qr_printer *p, const char *sort);

/* A post's original record, as the query pass found it. */
typedef struct qr_export_record {
	qr_locator loc;
	uint8_t sha256[QR_SHA256_LEN];
	uint32_t source;             /* its number in its corpus (or shard) */
	uint32_t shard;              /* 0: this corpus; k: shard k of the federation */
	uint32_t id;                 /* offset of the post id in ids; UINT32_MAX: a context */
	bool archive;                /* of an archive format: read with a context record */
} qr_export_record;

typedef struct qr_export_media {
	char sha256[QR_SHA256_HEX];
	char *locator;
	char *ext;
	uint32_t shard;              /* as in qr_export_record */
} qr_export_media;

/* A source (input) the posts came from, as the bag describes it. */
typedef struct qr_export_source {
	uint32_t shard;              /* as in qr_export_record */
	uint32_t number;
	char *line;                  /* its sources.jsonl line, portable (export_card.c) */
	char *sha256;
} qr_export_source;

#define QR_EXPORT_KEY 16
/* The key of a post id in post_keys. */
void qr_export_post_key(const char *id, uint8_t key[QR_EXPORT_KEY]);

typedef struct qr_export {
	const qr_export_opts *o;
	qr_corpus *c;
	struct qr_federation *fed;   /* c's, when it is a federation */
	xc_query *q;
	qr_bag *bag;
	qr_progress progress;
	qr_buf err;
	qr_buf shard_name;           /* qr_export_shard_name's */
	uint64_t posts;
	int64_t first, last;         /* time span; QR_TIME_UNKNOWN none */
	/* original records (content originals) */
	qr_export_record *records;
	size_t nrecords, records_alloc;
	qr_buf ids;                  /* post ids, NUL-separated */
	/* every post's id, for the codes' history: the first QR_EXPORT_KEY
	 * bytes of its sha256 (16 bytes a post where the ids themselves took
	 * three times that at a million posts) */
	uint8_t (*post_keys)[QR_EXPORT_KEY];
	size_t nposts_keys, post_keys_alloc;
	qr_export_media *media;
	size_t nmedia, media_alloc, media_missing;
	uint64_t *sources;           /* shard << 32 | source number, of each
	                              * post; sorted at the end */
	size_t nsources, sources_alloc;
	qr_export_source *inputs;    /* their sources.jsonl lines */
	size_t ninputs;
	uint64_t originals, original_bytes;
	uint64_t contexts;
	double originals_seconds;    /* reading, checking, compressing, writing them */
	double originals_cpu;        /* the same in CPU seconds */
} qr_export;

/* export_card.c: the sources.jsonl lines of the inputs the posts came
 * from (x->inputs), before the originals name them. */
int qr_export_sources(qr_export *x);

/* export_originals.c: the records (store order, each checked against its
 * sha256), their contexts, the index, the media files.  Returns an exit
 * code, the message printed. */
int qr_export_originals(qr_export *x);
/* Remember a post's media files (those the store keeps), in a shard. */
void qr_export_note_media(qr_export *x, const qr_post *p, uint32_t shard);

/* Read what a shard of the federation keeps (shard_read.h): 0, or a
 * status with the message in x->err. */
int qr_export_shard_read(qr_export *x, uint32_t shard, const char *what, const char *arg, qr_buf *out);
/* "shard 2 (tcp://host:port)", for messages (valid until the next call). */
const char *qr_export_shard_name(qr_export *x, uint32_t shard);

/* export_shards.c: the sources.jsonl lines of this corpus, or of every
 * shard of the federation (each with its shard, its input's key). */
typedef struct qr_export_line {
	uint32_t shard;
	cJSON *o;
	char *key;                   /* sha256, path and which reading of them */
	cJSON *whole;                /* a federation's: what every shard that
	                              * read the input says of it together */
	bool owns_whole;
	size_t reading;              /* which reading of the input, in its shard */
} qr_export_line;

typedef struct qr_export_lines {
	qr_export_line *v;
	size_t n, alloc;
} qr_export_lines;

int qr_export_read_sources(qr_export *x, qr_export_lines *out);
void qr_export_lines_free(qr_export_lines *l);

/* A shard's journal: its own (a path) or a copy of its file (remote). */
typedef struct qr_export_journal {
	qr_journal *j;
	bool owned;
	char *tmp;
} qr_export_journal;

int qr_export_journal_open(qr_export *x, uint32_t shard, qr_export_journal *ej);
void qr_export_journal_close(qr_export_journal *ej);

/* JSON lines that begin with "time", of several outputs, in time order
 * (ties in the order of the outputs). */
void qr_export_merge_by_time(const qr_buf *outs, size_t n, qr_buf *merged);

/* export_card.c: sources.jsonl, events/, codebook.json, datapackage.json,
 * README.md and CITATION.cff; the labels of bag-info.txt into info. */
int qr_export_card(qr_export *x, qr_kvv *info);

/* The id list of a platform: "ids/<platform>.txt", the name made of
 * [a-z0-9._-] alone. */
void qr_export_ids_file(const char *platform, qr_buf *rel);

/* "2020-06-03" of a time, for the data card and bag-info.txt. */
void qr_export_day(int64_t t, char out[16]);

#endif
