/*
 * The container layer: everything between an input path and the streams
 * the readers parse.  Plain files, stdin, gzip/bzip2/xz/lz4/compress through
 * libarchive's filters, zstd through libzstd (windows up to 2^31), and zip,
 * tar, cpio and 7z archives through libarchive, nested as deep as the limits
 * allow.  Nothing is ever extracted to disk.
 *
 * Severity follows libarchive: a WARN note went on; FAILED lost one member
 * or record; FATAL ended the input (or one archive inside it).
 */
#ifndef QR_CONTAINER_H
#define QR_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stream.h"

typedef struct qr_limits {
	unsigned max_depth;          /* nested archives and compression layers */
	uint64_t max_member_bytes;   /* decompressed bytes of one member */
	uint64_t max_input_bytes;    /* decompressed bytes of one input, in all */
	uint64_t max_ratio;          /* decompressed : read, past bomb_floor bytes */
	uint64_t bomb_floor;
	uint64_t max_entries;        /* entries of one archive */
	size_t max_record;           /* bytes of one record */
	uint64_t max_media;          /* media file of an archive kept in the store */
	uint64_t max_archive_buffer; /* post bytes an archive format holds back */
} qr_limits;

void qr_limits_default(qr_limits *lim);

enum qr_severity {
	QR_WARN = 1,
	QR_FAILED = 2,
	QR_FATAL = 3
};

/* A stream the readers can parse: an input or a member of one. */
typedef struct qr_leaf {
	qr_stream *s;
	const char *path;      /* the input, as given */
	const char *member;    /* "dir/a.jsonl" or "a.zip!b.jsonl"; NULL: the input itself */
	unsigned depth;
	/* The input's container kinds seen on the way ("zip", "gzip", ...). */
	const char *container;
	/* The innermost archive holding the leaf (a number given by
	 * qr_container_cb.archive; 0: none) and the leaf's name inside it. */
	uint64_t archive;
	const char *entry;
} qr_leaf;

typedef struct qr_container_cb {
	/* Parse one leaf; a non-zero return stops the whole walk. */
	int (*leaf)(void *ctx, qr_leaf *leaf);
	/* A note about the input: byte is an offset in the member, or 0. */
	void (*note)(void *ctx, int severity, const char *path, const char *member, uint64_t byte, const char *msg);
	void *ctx;
	/* Optional: an archive (zip, tar, ...; not a compressed single file)
	 * begins or ends.  `id` numbers it within the walk (the leaves inside
	 * carry it), `member` names it (NULL: the input itself).  Archives
	 * nest: every begin is followed by its end, inner ones first. */
	void (*archive)(void *ctx, bool begin, uint64_t id, const char *member);
} qr_container_cb;

/*
 * Walk one input.  `top` is the raw input (owned by the caller); `raw_read`
 * returns how many raw bytes have been read from it, for the bomb check.
 * Returns 0 when every part of the input was read, QR_BAD_INPUT when some
 * part could not be (notes say which), or the leaf callback's status.
 */
int qr_container_walk(const char *path, qr_stream *top, const qr_limits *lim, uint64_t (*raw_read)(void *),
		      void *raw_ctx, const qr_container_cb *cb);

#endif
