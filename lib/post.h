/*
 * The normalized post (schemas/post.schema.json): what every reader makes of
 * a record, what the index stores as document data, what printers print.
 * Every string is malloc'd and owned by the post; NULL means absent.
 */
#ifndef QR_POST_H
#define QR_POST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

/* Version of the document data layout written into the index. */
#define QR_POST_FORMAT_VERSION 1

typedef struct qr_strv {
	char **v;
	size_t n, alloc;
} qr_strv;

void qr_strv_push(qr_strv *sv, const char *s);
void qr_strv_pushn(qr_strv *sv, const char *s, size_t n);
/* Push unless an equal string (case-insensitive when ci) is there. */
void qr_strv_push_unique(qr_strv *sv, const char *s, bool ci);
bool qr_strv_contains(const qr_strv *sv, const char *s, bool ci);
bool qr_strv_remove(qr_strv *sv, const char *s);
void qr_strv_clear(qr_strv *sv);
/* The strings as an array, the member `key` of the object open in w. */
void qr_strv_to_json(const qr_strv *sv, qr_jw *w, const char *key);

typedef struct qr_kv {
	char *key;
	char *value;
} qr_kv;

typedef struct qr_kvv {
	qr_kv *v;
	size_t n, alloc;
} qr_kvv;

/* Set key to value (replacing an earlier value of the same key). */
void qr_kvv_set(qr_kvv *kv, const char *key, const char *value);
const char *qr_kvv_get(const qr_kvv *kv, const char *key);
void qr_kvv_clear(qr_kvv *kv);

/* The kinds of media quire names (media:KIND, facets, summaries,
 * citations), in the order a summary lists them; ends with {NULL}.  A
 * platform's own type name passes through as it is. */
typedef struct qr_media_kind {
	const char *name;   /* "photo" */
	const char *label;  /* "Image", as in APA's "[Image attached]" */
} qr_media_kind;
extern const qr_media_kind qr_media_kinds[];
/* The kind named by the n bytes at name (any case), or NULL. */
const qr_media_kind *qr_media_kind_find(const char *name, size_t n);

typedef struct qr_media {
	char *type;         /* a kind of qr_media_kinds (or the platform's own) */
	char *url;          /* the platform's URL of the file */
	char *key;          /* the platform's media id or key */
	char *alt_text;
	char *mime;
	char *sha256;       /* of the file, when the archive holds it */
	char *path;         /* file path inside the input */
	char *locator;      /* store locator of the file bytes, when kept */
	int64_t size;       /* bytes, -1 unknown */
	int64_t duration_ms;/* -1 unknown */
	qr_strv variants;   /* other renditions (video bitrates, ...) */
} qr_media;

typedef struct qr_metric {
	char *name;
	int64_t value;
} qr_metric;

typedef struct qr_post {
	char *id;           /* "<platform>:<native_id>" */
	char *platform;
	char *native_id;
	char *url;
	char *author_id, *author_handle, *author_name;
	int64_t created;    /* QR_TIME_UNKNOWN when the source has none */
	char *kind;         /* original, repost, reply, quote */
	char *text;
	char *lang;
	qr_strv hashtags;   /* without '#', as written */
	qr_strv mentions;   /* handles without '@' */
	qr_strv urls;       /* expanded where the source says */
	qr_media *media;
	size_t nmedia, media_alloc;
	char *reply_to, *repost_of, *quote_of;  /* post ids */
	/* Deleted by its author (a Bluesky delete event): kept, marked, left
	 * out of queries unless asked for.  A tombstone is a post known only
	 * by its deletion (the corpus has no record of it yet). */
	bool deleted, tombstone;
	int64_t deleted_at;     /* QR_TIME_UNKNOWN when the source has none */
	qr_metric *metrics;
	size_t nmetrics, metrics_alloc;
	qr_kvv extra;       /* platform specific (subreddit, visibility, ...) */
	qr_strv events;
	qr_strv tags;
	struct {
		uint32_t number;      /* line of sources.jsonl (0: unknown) */
		char *input_sha256;
		char *path;
		char *member;
		int64_t line;         /* 1-based, 0 unknown */
		int64_t byte;         /* offset of the record in its member */
		char *format;
		qr_kvv provenance;    /* e.g. retrieved_at, request URL */
	} source;
	struct {
		char *sha256;
		char *locator;
		qr_kvv versions;      /* older versions: sha256 -> locator */
	} record;
} qr_post;

void qr_post_init(qr_post *p);
void qr_post_clear(qr_post *p);

/* Replace *field with a copy of s (NULL clears it). */
void qr_set(char **field, const char *s);
void qr_setn(char **field, const char *s, size_t n);

qr_media *qr_post_add_media(qr_post *p);
void qr_post_set_metric(qr_post *p, const char *name, int64_t value);
bool qr_post_has_media_type(const qr_post *p, const char *type);
/* The format whose records are content-addressed blocks, named by the CID
 * in source.provenance.cid (lib/cid.h). */
#define QR_POST_BLOCK_FORMAT "bluesky-car"

/* p is a new version of `old`: it keeps old's versions and old's own
 * record (sha256 -> locator) in record.versions, old's tags and old's
 * deletion mark.  When p is a tombstone and old is not, p becomes old
 * marked deleted, the tombstone's record one of its versions.  When old's
 * record is a block and p is the same content (the same CID) in another
 * form, p becomes old with p's record one of its versions and p's handle,
 * name and counts; the other way round, p takes old's handle and counts. */
void qr_post_inherit(qr_post *p, const qr_post *old);

/* Write the post as one JSON object. */
void qr_post_to_json(const qr_post *p, qr_jw *w);
/* The same, as the index keeps it (document data): empty lists and
 * objects left out, and platform and native_id when the id is exactly
 * "<platform>:<native_id>"; qr_post_from_json reads back the same post. */
void qr_post_to_data(const qr_post *p, qr_jw *w);
/* Read a post back from its JSON object; QR_BAD_INPUT with a reason. */
int qr_post_from_json(qr_post *p, const char *json, size_t len, qr_buf *why);
int qr_post_from_cjson(qr_post *p, const cJSON *obj, qr_buf *why);
/* A post known by its id alone ("<platform>:<native_id>"): the id, the
 * platform and the native id, as qr_post_from_json sets them. */
void qr_post_from_id(qr_post *p, const char *id, size_t len);

#endif
