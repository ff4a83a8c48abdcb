/*
 * Helpers shared by the archive formats (format.h): members read whole
 * with a bound, media types from a file's first bytes, the post records
 * a format holds back until its archive ends and the context record sent
 * before them, and the notes a format makes about its archive.
 */
#ifndef QR_ARCHIVE_READER_H
#define QR_ARCHIVE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "container.h"
#include "format.h"
#include "post.h"
#include "stream.h"

/* Read a member to its end into out: QR_OK, QR_LIMIT (longer than max;
 * why says so) or QR_IO (why says why). */
int qr_member_read(qr_stream *s, size_t max, qr_buf *out, qr_buf *why);

/* The MIME type of a media file from its first bytes (PNG, JPEG, GIF,
 * WebP, MP4/MOV/M4A, WebM, Ogg, MP3, WAV), else from its name's
 * extension; NULL when neither tells.  A static string. */
const char *qr_media_mime(const char *head, size_t n, const char *name);
/* The post's media type for a MIME type: gif (image/gif), photo (any other
 * image), video, audio or file. */
const char *qr_mime_media_kind(const char *mime);

/* The last component of a path or URL (without query or fragment), as a
 * pointer into s and a length. */
const char *qr_path_base(const char *s, size_t *len);

/* Records held back by an archive format: bytes and where they came from. */
typedef struct qr_held_rec {
	size_t off, len;
	uint64_t line, byte;
	size_t member;       /* index in qr_held.members */
} qr_held_rec;

typedef struct qr_held {
	qr_buf bytes;
	qr_held_rec *v;
	size_t n, alloc;
	qr_strv members;
} qr_held;

void qr_held_init(qr_held *h);
void qr_held_add(qr_held *h, const char *member, const qr_frame *f);
/* The i-th record as a frame (valid until the next add) and its member. */
void qr_held_get(const qr_held *h, size_t i, qr_frame *f, const char **member);
/* Forget the records from index `from` on (0: all). */
void qr_held_truncate(qr_held *h, size_t from);
void qr_held_release(qr_held *h);

/* Hold a post record back: true when the records held pass a->max_buffer
 * and must be sent before the archive ends.  The first time (*warned
 * false; set) a warning says that `later`, what the members still to come
 * hold, will not be linked to them. */
bool qr_held_hold(qr_archive *a, qr_held *h, const char *member, const qr_frame *f, bool *warned,
		  const char *later);
/* The context record a format builds from what it has read (a->state). */
typedef void qr_context_fn(qr_archive *a, qr_buf *out);
/* Send the records held to the sink after the context record (none when
 * nothing is held), and forget them: the sink's first error, or 0. */
int qr_held_send(qr_archive *a, qr_held *h, qr_context_fn *context);

/* A format's context record ({"context": "<format>", ...}), parsed; NULL
 * with why set when it is not valid JSON or not the format's. */
cJSON *qr_context_parse(const char *data, size_t len, const char *format, qr_buf *why);

/* A note about the archive to the sink (QR_WARN, QR_FAILED). */
void qr_archive_note(qr_archive *a, int severity, const char *member, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The note for media files kept that no post of the archive shows: n of
 * them, the first in member `first`. */
void qr_archive_note_unused(qr_archive *a, size_t n, const char *first);

/* The members of a JSON object by key in constant time (the last of
 * duplicate keys wins, as in JavaScript).  The object must outlive it. */
typedef struct qr_json_map {
	const cJSON **v;
	size_t cap;
} qr_json_map;

void qr_json_map_build(qr_json_map *m, const cJSON *obj);
const cJSON *qr_json_map_get(const qr_json_map *m, const char *key);
void qr_json_map_release(qr_json_map *m);

/* A context record as the readers use it: parsed, with a lookup map built
 * from each of up to QR_CONTEXT_MAPS of its top-level objects (keys, a
 * NULL-terminated list: map[i] is keys[i]'s). */
#define QR_CONTEXT_MAPS 2
typedef struct qr_context {
	cJSON *root;
	qr_json_map map[QR_CONTEXT_MAPS];
} qr_context;
/* A format's load_context: 0 or QR_BAD_INPUT with why set. */
int qr_context_load(const char *data, size_t len, const char *format, const char *const *keys, void **out,
		    qr_buf *why);
/* A format's free_context. */
void qr_context_free(void *context);

/* Write the file facts of a media file kept by the sink as members of the
 * JSON object open in w (path, size, sha256, mime, locator). */
void qr_blob_to_json(qr_jw *w, const char *path, const qr_blob *b);
/* Copy the file facts of a context's JSON object onto a media entry. */
void qr_blob_from_json(const cJSON *o, qr_media *m);

#endif
