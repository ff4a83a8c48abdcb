/*
 * Private to the store (store.c, store_header.c): the block header, its
 * layout (schemas/index.md, "The store") written and read.  v2 is written;
 * v1, written by earlier quires, is still read.
 */
#ifndef QR_STORE_HEADER_H
#define QR_STORE_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zstd.h>

#include "buf.h"
#include "store.h"

#define HEADER_FIXED 32       /* v1: magic to dictionary id */
#define HEADER_FIXED_V2 40    /* v2: the same, then the table's two sizes */
#define HEADER_CHECK 8        /* leading bytes of the header's sha256, at its end */
#define MAX_HEADER (256u << 20)
#define NO_STRING UINT32_MAX

/* The block being filled for one stream. */
struct open_block {
	bool active;
	uint64_t offset;
	qr_buf content;
	qr_record_meta *recs;
	size_t nrecs, recs_alloc;
	char **strings;          /* distinct strings, in index order */
	size_t nstrings, strings_alloc;
	uint32_t *str_idx;       /* per record: format, path, member */
	size_t str_idx_alloc;
	qr_buf ids;              /* the records' ids, each NUL-terminated */
	uint32_t *ids_at;        /* per record: offset in ids, NO_STRING for none */
	size_t ids_at_alloc;
};

/* The header of block b (its data frame csize bytes, compressed with the
 * dictionary dict_id, 0 for none) into h, as the skippable frame that goes
 * before the data frame. */
int qr_header_encode(const struct open_block *b, uint16_t flags, uint32_t dict_id, int level, uint32_t csize,
		     ZSTD_CCtx *cctx, qr_buf *h, qr_buf *err);

/* Read a header (the skippable frame's content, n bytes) into b: its
 * records, their metadata and strings; the data frame's compressed and
 * content sizes into csize and usize.  NULL, or why it is damaged. */
const char *qr_header_parse(qr_block *b, const uint8_t *h, size_t n, uint32_t *csize, uint32_t *usize,
			    ZSTD_DCtx *dctx);

/* A little-endian u32 (the skippable frame's magic and size). */
uint32_t qr_le32(const uint8_t *p);

#endif
