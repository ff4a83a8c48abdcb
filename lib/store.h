/*
 * The store: the source of truth.  Records are kept byte-exact in append-only
 * segments (store/NNNNNN.zst, and store/media/NNNNNN.zst for media files)
 * made of standard zstd frames.  Each block of records is one zstd frame
 * (content checksum on), preceded by a zstd skippable frame that holds the
 * block header: for every record its length, sha256, the ids of the posts it
 * holds and where it came from.  `zstd -d` on a segment skips the headers
 * and prints the records, one after another, each followed by a newline.
 *
 * Block header v2 (written now) keeps that per-record table compressed with
 * zstd inside the skippable frame; v1 headers (the table as it is) are still
 * read.  The layout of both is in schemas/index.md ("The store").
 *
 * Dictionaries: store/dictionary is trained (ZDICT) on the first records a
 * store receives (options dict_size, dict_sample) and compresses every block
 * written after it; `quire compact` writes its own, store/dictionary-<id>
 * (<id> the zstd dictionary id in decimal).  A data frame names its
 * dictionary by id, so `zstd -d -D store/dictionary SEGMENT` works.  A
 * dictionary file is fsynced, with its directory, before the first frame
 * that needs it is written.
 *
 * Segments are numbered upwards; compaction replaces the oldest ones by new
 * segments numbered after the last, so the live segments of a stream are
 * first..last, and the first need not be 1.
 *
 * A record is addressed by a locator: segment, byte offset of its block's
 * header frame, and index in the block, written "000001.zst:4096:3"
 * ("media/000001.zst:..." for media).
 */
#ifndef QR_STORE_H
#define QR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hash.h"

#define QR_STORE_SKIPPABLE_MAGIC 0x184D2A5BU
#define QR_STORE_HEADER_MAGIC 0x31425251U    /* "QRB1": block header v1 */
#define QR_STORE_HEADER_MAGIC_V2 0x32425251U /* "QRB2": block header v2 */
#define QR_STORE_HEADER_VERSION 2            /* the version written */

/* Block header flags. */
enum {
	QR_BLOCK_COMPACTED = 1  /* written by compaction: its segment takes no more blocks */
};

/* Is this the start of a block header frame (skippable frame magic, then
 * a quire header magic of any version)?  p must hold 12 bytes. */
bool qr_store_is_header(const void *p);

enum qr_store_stream {
	QR_STREAM_RECORDS = 0,
	QR_STREAM_MEDIA = 1,
	QR_STREAM_COUNT
};

typedef struct qr_locator {
	uint32_t stream;
	uint32_t segment;   /* 1-based */
	uint64_t offset;    /* of the block's header frame */
	uint32_t index;     /* record within the block */
} qr_locator;

/* "000001.zst:4096:3" into buf (at least 64 bytes). */
void qr_locator_format(const qr_locator *loc, char *buf);
bool qr_locator_parse(const char *s, qr_locator *loc);

/* Where a stream ends: segment number and its size in bytes. */
typedef struct qr_store_pos {
	uint32_t segment;
	uint64_t size;
} qr_store_pos;

void qr_store_pos_format(const qr_store_pos *pos, char *buf);
bool qr_store_pos_parse(const char *s, qr_store_pos *pos);
/* <0, 0, >0 like strcmp. */
int qr_store_pos_cmp(const qr_store_pos *a, const qr_store_pos *b);

enum {
	QR_REC_BLOB = 1,    /* a media file, not a post record */
	QR_REC_CONTEXT = 2  /* what an archive's records need from the rest of
			     * the archive (indexer/format.h): holds no post */
};

/* What the block header says about one record. */
typedef struct qr_record_meta {
	uint32_t length;
	uint32_t offset;            /* in the block's content */
	uint8_t sha256[QR_SHA256_LEN];
	uint32_t source;            /* source number (sources.jsonl) */
	const char *format;         /* reader that framed it */
	const char *path;           /* input path */
	const char *member;         /* member inside the input, "" for none */
	const char *ids;            /* ids of the posts it holds, space separated */
	uint64_t line;              /* 1-based line, 0 unknown */
	uint64_t byte;              /* byte offset within the member */
	uint32_t flags;             /* QR_REC_* */
} qr_record_meta;

/* A block as read back. */
typedef struct qr_block {
	uint32_t stream, segment;
	uint64_t offset;            /* of the header frame */
	uint64_t end;               /* offset just past the data frame */
	int64_t written;            /* unix time the block was written */
	uint32_t version;           /* of the block header: 1 or 2 */
	uint32_t flags;             /* QR_BLOCK_* */
	uint32_t csize, usize;      /* data frame: compressed, content bytes */
	uint32_t dict_id;
	uint32_t nrecords;
	qr_record_meta *records;
	qr_buf strings;             /* backing for the strings in records */
	qr_buf content;             /* decompressed records (when asked) */
	size_t records_alloc;
} qr_block;

void qr_block_init(qr_block *b);
void qr_block_release(qr_block *b);

typedef struct qr_store qr_store;

typedef struct qr_store_options {
	size_t block_size;          /* content bytes per block before it is closed */
	int level;                  /* zstd level */
	int min_match;              /* zstd's shortest match (ZSTD_c_minMatch); 0: the level's */
	uint64_t segment_size;      /* bytes before a new segment starts */
	size_t dict_size;           /* bytes of store/dictionary, trained from the first records; 0: none */
	size_t dict_sample;         /* bytes of the first records it is trained on */
	uint32_t block_flags;       /* QR_BLOCK_* set in every block header written */
	bool new_segment;           /* write into a new segment, never the last one there */
	bool dict_explicit;         /* compress with no dictionary but one given by qr_store_use_dictionary */
} qr_store_options;

void qr_store_options_default(qr_store_options *o);

/* Open the store under dir (creating dir/ and dir/media/ when writable).
 * Nothing is scanned here: see qr_store_recover. */
int qr_store_open(const char *dir, bool writable, const qr_store_options *opts, qr_store **out, qr_buf *err);
void qr_store_close(qr_store *s);
const char *qr_store_error(const qr_store *s);
const char *qr_store_dir(const qr_store *s);

/* ---- dictionaries ---- */

/* Train a zstd dictionary of at most `size` bytes, and at most a
 * sixteenth of the samples, on n samples laid end to end in `samples`
 * (ZDICT fastCover).  QR_BAD_INPUT when the samples are too few or too
 * alike to train on. */
int qr_store_train_dictionary(const void *samples, const size_t *sizes, size_t n, size_t size, qr_buf *dict,
			      qr_buf *err);
/* Compress every block written from now on with dict: it is written to
 * store/dictionary-<id> first (fsynced with its directory) unless a file of
 * that name is there already.  Its id is handed back. */
int qr_store_use_dictionary(qr_store *s, const void *dict, size_t len, uint32_t *id);
/* Id of the dictionary new blocks are compressed with (0: none). */
uint32_t qr_store_dictionary_id(const qr_store *s);

/* ---- writing ---- */

/* Add a record to the open block of its stream; *loc says where it will
 * be.  The block is written (not synced) when it fills up. */
int qr_store_append(qr_store *s, int stream, const void *data, size_t len, const qr_record_meta *meta,
		    qr_locator *loc);
/* Write the open blocks of every stream. */
int qr_store_flush(qr_store *s);
/* flush, then fsync every segment written since the last sync (and the
 * directory when a segment is new).  After an fsync failure the store
 * refuses every further write: the data's state on disk is unknown. */
int qr_store_sync(qr_store *s);
/* End of a stream as written so far (after flush: as on disk). */
void qr_store_tail(const qr_store *s, int stream, qr_store_pos *pos);
/* Records appended and not yet written/synced. */
bool qr_store_dirty(const qr_store *s);

/* ---- reading ---- */

/* The record at loc, verified against its sha256 (QR_DAMAGED otherwise). */
int qr_store_get(qr_store *s, const qr_locator *loc, qr_buf *data, qr_record_meta *meta_out, qr_buf *strings);
/* The block whose header frame starts at offset; with decompress the
 * content is read and checked too. */
int qr_store_read_block(qr_store *s, int stream, uint32_t segment, uint64_t offset, bool decompress,
			qr_block *b);
/* Size of a segment file, 0 when missing. */
uint64_t qr_store_segment_size(qr_store *s, int stream, uint32_t segment);
/* Number of the last segment of a stream (0: none). */
uint32_t qr_store_last_segment(qr_store *s, int stream);
/* How many segments a stream has (after compaction, fewer than the last
 * one's number). */
uint32_t qr_store_segment_count(qr_store *s, int stream);
/* Number of the first segment of a stream (0: none). */
uint32_t qr_store_first_segment(qr_store *s, int stream);
/* Remove a segment file (compaction: one the index no longer needs);
 * QR_NOT_FOUND when there is none.  The directory is fsynced by
 * qr_store_sync_dir. */
int qr_store_remove_segment(qr_store *s, int stream, uint32_t segment);
int qr_store_sync_dir(qr_store *s, int stream);
/* Path of a segment file, into out. */
void qr_store_segment_path(const qr_store *s, int stream, uint32_t segment, qr_buf *out);

/* ---- recovery ---- */

/* Called for every complete block found past `from`. */
typedef int (*qr_store_block_fn)(void *ctx, qr_block *b);

/*
 * Check every block of a stream from `from` to the end: a block that is cut
 * short or does not decompress at the very end is torn: the segment is cut
 * back to the last complete block (reported in `report`).  Blocks after
 * `from` are passed to fn (decompressed).  Damage before the torn tail is
 * QR_DAMAGED.  Only for a writable store.
 */
int qr_store_recover(qr_store *s, int stream, const qr_store_pos *from, qr_store_block_fn fn, void *ctx,
		     qr_buf *report);

/* Total bytes of every segment of every stream (and the dictionaries). */
uint64_t qr_store_bytes(qr_store *s);

#endif
