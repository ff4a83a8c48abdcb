/* The block header of the store: written (v2) and read (v1 and v2); the
 * layout is in schemas/index.md, "The store". */
#include "store_header.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "status.h"

/* ---- small encoders ---- */

static void put_u16(qr_buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	qr_buf_add(b, x, 2);
}

static void put_u32(qr_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	qr_buf_add(b, x, 4);
}

static void put_u64(qr_buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

static void put_varint(qr_buf *b, uint64_t v)
{
	uint8_t x[10];
	size_t n = 0;
	do {
		x[n] = (uint8_t)(v & 0x7F);
		v >>= 7;
		if (v)
			x[n] |= 0x80;
		n++;
	} while (v);
	qr_buf_add(b, x, n);
}

uint32_t qr_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
	return qr_le32(p) | (uint64_t)qr_le32(p + 4) << 32;
}

struct cursor {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t take_varint(struct cursor *c)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (c->p >= c->end) {
			c->bad = true;
			return 0;
		}
		uint8_t byte = *c->p++;
		v |= (uint64_t)(byte & 0x7F) << shift;
		if (!(byte & 0x80))
			return v;
	}
	c->bad = true;
	return 0;
}

static const uint8_t *take_bytes(struct cursor *c, uint64_t n)
{
	if (c->bad || (uint64_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *p = c->p;
	c->p += n;
	return p;
}

static uint64_t zigzag(uint64_t v)
{
	return (v << 1) ^ (uint64_t)-(int64_t)(v >> 63);
}

static uint64_t unzigzag(uint64_t v)
{
	return (v >> 1) ^ (uint64_t)-(int64_t)(v & 1);
}

/*
 * The per-record table of a v2 header, column by column so that zstd finds
 * the runs: strings (format, path, member), lengths, sha256s, sources, the
 * three string indexes, ids, lines and byte offsets as differences from
 * what follows the record before (0 for consecutive lines), flags.
 */
static void encode_table(const struct open_block *b, qr_buf *t)
{
	qr_buf_reset(t);
	put_varint(t, b->nstrings);
	for (size_t i = 0; i < b->nstrings; i++) {
		size_t n = strlen(b->strings[i]);
		put_varint(t, n);
		qr_buf_add(t, b->strings[i], n);
	}
	for (size_t i = 0; i < b->nrecs; i++)
		put_varint(t, b->recs[i].length);
	for (size_t i = 0; i < b->nrecs; i++)
		qr_buf_add(t, b->recs[i].sha256, QR_SHA256_LEN);
	for (size_t i = 0; i < b->nrecs; i++)
		put_varint(t, b->recs[i].source);
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < b->nrecs; i++)
			put_varint(t, b->str_idx[3 * i + k] == NO_STRING ? 0 : (uint64_t)b->str_idx[3 * i + k] + 1);
	for (size_t i = 0; i < b->nrecs; i++) {
		if (b->ids_at[i] == NO_STRING) {
			put_varint(t, 0);
			continue;
		}
		size_t n = strlen(b->ids.buf + b->ids_at[i]);
		put_varint(t, n + 1);
		qr_buf_add(t, b->ids.buf + b->ids_at[i], n);
	}
	uint64_t next = 0;
	for (size_t i = 0; i < b->nrecs; i++) {
		put_varint(t, zigzag(b->recs[i].line - next));
		next = b->recs[i].line + 1;
	}
	next = 0;
	for (size_t i = 0; i < b->nrecs; i++) {
		put_varint(t, zigzag(b->recs[i].byte - next));
		next = b->recs[i].byte + b->recs[i].length + 1;
	}
	for (size_t i = 0; i < b->nrecs; i++)
		put_varint(t, b->recs[i].flags);
}

/* Header v2: fixed fields, the table compressed (a zstd frame inside the
 * skippable frame, so `zstd -d` never sees it), the check. */
int qr_header_encode(const struct open_block *b, uint16_t flags, uint32_t dict_id, int level, uint32_t csize,
		     ZSTD_CCtx *cctx, qr_buf *h, qr_buf *err)
{
	uint8_t check[QR_SHA256_LEN];
	qr_buf table = QR_BUF_INIT;
	int st = 0;

	encode_table(b, &table);
	qr_buf_reset(h);
	put_u32(h, QR_STORE_SKIPPABLE_MAGIC);
	put_u32(h, 0); /* frame size, patched below */
	size_t start = h->len;
	put_u32(h, QR_STORE_HEADER_MAGIC_V2);
	put_u16(h, 2);
	put_u16(h, flags);
	put_u64(h, (uint64_t)time(NULL));
	put_u32(h, (uint32_t)b->nrecs);
	put_u32(h, csize);
	put_u32(h, (uint32_t)b->content.len);
	put_u32(h, dict_id);
	put_u32(h, (uint32_t)table.len);
	size_t at = h->len;
	put_u32(h, 0); /* compressed table size, patched below */
	size_t bound = ZSTD_compressBound(table.len);
	qr_buf_grow(h, bound);
	ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
	size_t n = ZSTD_compress2(cctx, h->buf + h->len, bound, table.buf, table.len);
	if (ZSTD_isError(n)) {
		qr_buf_setf(err, "zstd compression of a block header failed: %s", ZSTD_getErrorName(n));
		st = QR_INTERNAL;
		goto out;
	}
	qr_buf_setlen(h, h->len + n);
	uint8_t *p = (uint8_t *)h->buf + at;
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(n >> (8 * i));
	qr_sha256(h->buf + start, h->len - start, check);
	qr_buf_add(h, check, HEADER_CHECK);
	uint32_t size = (uint32_t)(h->len - start);
	p = (uint8_t *)h->buf + 4;
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(size >> (8 * i));
out:
	qr_buf_release(&table);
	return st;
}

/* A v1 header: the table as it is, each record's fields in a row. */
static const char *parse_v1(qr_block *b, const uint8_t *h, size_t n, uint32_t *csize, uint32_t *usize)
{
	if (n < HEADER_FIXED + HEADER_CHECK)
		return "block header too short";
	b->version = 1;
	b->flags = 0;
	b->written = (int64_t)get_u64(h + 8);
	b->nrecords = qr_le32(h + 16);
	*csize = qr_le32(h + 20);
	*usize = qr_le32(h + 24);
	b->dict_id = qr_le32(h + 28);

	struct cursor c = { h + HEADER_FIXED, h + n - 8, false };
	uint64_t nstrings = take_varint(&c);
	if (c.bad || nstrings > n)
		return "bad string table";
	/* Strings are copied NUL-terminated into b->strings; their offsets are
	 * resolved once the buffer stops moving. */
	size_t *offs = qr_calloc(nstrings + 1, sizeof(size_t));
	qr_buf_reset(&b->strings);
	for (uint64_t i = 0; i < nstrings; i++) {
		uint64_t len = take_varint(&c);
		const uint8_t *p = take_bytes(&c, len);
		if (!p)
			break;
		offs[i] = b->strings.len;
		qr_buf_add(&b->strings, p, len);
		qr_buf_addch(&b->strings, '\0');
	}
	if (c.bad) {
		free(offs);
		return "bad string table";
	}
	/* Each record takes at least its sha256 and seven varints: a count
	 * past that is garbage, and must not size an allocation. */
	if (b->nrecords > (n - HEADER_FIXED) / (QR_SHA256_LEN + 7)) {
		free(offs);
		return "bad record count";
	}
	b->records = qr_grow_array(b->records, sizeof(*b->records), b->nrecords ? b->nrecords : 1, &b->records_alloc);
	uint64_t pos = 0;
	for (uint32_t i = 0; i < b->nrecords && !c.bad; i++) {
		qr_record_meta *r = &b->records[i];
		memset(r, 0, sizeof(*r));
		uint64_t len = take_varint(&c);
		const uint8_t *sha = take_bytes(&c, QR_SHA256_LEN);
		if (!sha || len > UINT32_MAX) {
			c.bad = true;
			break;
		}
		memcpy(r->sha256, sha, QR_SHA256_LEN);
		r->length = (uint32_t)len;
		r->offset = (uint32_t)pos;
		pos += len + 1;
		r->source = (uint32_t)take_varint(&c);
		const char **fields[4] = { &r->format, &r->path, &r->member, &r->ids };
		for (int k = 0; k < 4; k++) {
			uint64_t idx = take_varint(&c);
			if (idx > nstrings) {
				c.bad = true;
				break;
			}
			/* Stash the index; turned into a pointer below. */
			*fields[k] = idx ? (const char *)(uintptr_t)idx : NULL;
		}
		r->line = take_varint(&c);
		r->byte = take_varint(&c);
		r->flags = (uint32_t)take_varint(&c);
	}
	if (c.bad || c.p != c.end || pos != *usize) {
		free(offs);
		return "bad record table";
	}
	for (uint32_t i = 0; i < b->nrecords; i++) {
		qr_record_meta *r = &b->records[i];
		const char **fields[4] = { &r->format, &r->path, &r->member, &r->ids };
		for (int k = 0; k < 4; k++) {
			uintptr_t idx = (uintptr_t)*fields[k];
			*fields[k] = idx ? b->strings.buf + offs[idx - 1] : (k == 2 ? "" : NULL);
		}
	}
	free(offs);
	return 0;
}

/* The string table of a v2 table into b->strings; their offsets there
 * are handed back (NULL when it is garbage). */
static size_t *parse_strings(qr_block *b, struct cursor *c, size_t n, uint64_t *nstrings)
{
	*nstrings = take_varint(c);
	if (c->bad || *nstrings > n)
		return NULL;
	size_t *offs = qr_calloc(*nstrings + 1, sizeof(size_t));
	qr_buf_reset(&b->strings);
	for (uint64_t i = 0; i < *nstrings && !c->bad; i++) {
		uint64_t len = take_varint(c);
		const uint8_t *p = take_bytes(c, len);
		if (!p)
			break;
		offs[i] = b->strings.len;
		qr_buf_add(&b->strings, p, len);
		qr_buf_addch(&b->strings, '\0');
	}
	return offs;
}

/* The columns of a v2 table (see encode_table) into b->records.
 * b->strings holds the strings, then the ids; pointers are set once it
 * stops moving (until then: offset + 1, 0 for none). */
static bool parse_table(qr_block *b, const uint8_t *t, size_t n, uint32_t usize)
{
	struct cursor c = { t, t + n, false };
	uint64_t nstrings;
	size_t *offs = parse_strings(b, &c, n, &nstrings);
	if (!offs)
		return false;
	b->records = qr_grow_array(b->records, sizeof(*b->records), b->nrecords ? b->nrecords : 1, &b->records_alloc);
	uint64_t *at = qr_calloc((size_t)b->nrecords * 4 + 1, sizeof(uint64_t)); /* format, path, member, ids */
	memset(b->records, 0, sizeof(*b->records) * b->nrecords);
	uint64_t pos = 0, next = 0;
	for (uint32_t i = 0; i < b->nrecords && !c.bad; i++) {
		uint64_t len = take_varint(&c);
		if (len > UINT32_MAX)
			c.bad = true;
		b->records[i].length = (uint32_t)len;
		b->records[i].offset = (uint32_t)pos;
		pos += len + 1;
	}
	for (uint32_t i = 0; i < b->nrecords && !c.bad; i++) {
		const uint8_t *sha = take_bytes(&c, QR_SHA256_LEN);
		if (sha)
			memcpy(b->records[i].sha256, sha, QR_SHA256_LEN);
	}
	for (uint32_t i = 0; i < b->nrecords && !c.bad; i++)
		b->records[i].source = (uint32_t)take_varint(&c);
	for (int k = 0; k < 3; k++) {
		for (uint32_t i = 0; i < b->nrecords && !c.bad; i++) {
			uint64_t idx = take_varint(&c);
			if (idx > nstrings)
				c.bad = true;
			else if (idx)
				at[4 * i + k] = offs[idx - 1] + 1;
		}
	}
	for (uint32_t i = 0; i < b->nrecords && !c.bad; i++) {
		uint64_t len = take_varint(&c);
		const uint8_t *p = len ? take_bytes(&c, len - 1) : NULL;
		if (!p)
			continue;
		at[4 * i + 3] = b->strings.len + 1;
		qr_buf_add(&b->strings, p, len - 1);
		qr_buf_addch(&b->strings, '\0');
	}
	for (uint32_t i = 0; i < b->nrecords && !c.bad; i++) {
		b->records[i].line = next + unzigzag(take_varint(&c));
		next = b->records[i].line + 1;
	}
	next = 0;
	for (uint32_t i = 0; i < b->nrecords && !c.bad; i++) {
		b->records[i].byte = next + unzigzag(take_varint(&c));
		next = b->records[i].byte + b->records[i].length + 1;
	}
	for (uint32_t i = 0; i < b->nrecords && !c.bad; i++)
		b->records[i].flags = (uint32_t)take_varint(&c);
	bool ok = !c.bad && c.p == c.end && pos == usize;
	for (uint32_t i = 0; ok && i < b->nrecords; i++) {
		qr_record_meta *r = &b->records[i];
		const char **fields[4] = { &r->format, &r->path, &r->member, &r->ids };
		for (int k = 0; k < 4; k++)
			*fields[k] = at[4 * i + k] ? b->strings.buf + at[4 * i + k] - 1 : (k == 2 ? "" : NULL);
	}
	free(at);
	free(offs);
	return ok;
}

/* A v2 header: fixed fields, then the table as a zstd frame. */
static const char *parse_v2(qr_block *b, const uint8_t *h, size_t n, uint32_t *csize, uint32_t *usize,
			    ZSTD_DCtx *dctx)
{
	if (n < HEADER_FIXED_V2 + HEADER_CHECK)
		return "block header too short";
	b->version = 2;
	b->flags = (uint32_t)(h[6] | h[7] << 8);
	b->written = (int64_t)get_u64(h + 8);
	b->nrecords = qr_le32(h + 16);
	*csize = qr_le32(h + 20);
	*usize = qr_le32(h + 24);
	b->dict_id = qr_le32(h + 28);
	uint32_t tsize = qr_le32(h + 32), tcsize = qr_le32(h + 36);
	const uint8_t *frame = h + HEADER_FIXED_V2;
	if (tcsize != n - HEADER_FIXED_V2 - HEADER_CHECK || tsize > MAX_HEADER)
		return "bad record table size";
	/* Every record takes its sha256 and eight varints: a count past that
	 * is garbage, and must not size an allocation. */
	if (b->nrecords > tsize / (QR_SHA256_LEN + 8))
		return "bad record count";
	if (ZSTD_getFrameContentSize(frame, tcsize) != tsize || ZSTD_findFrameCompressedSize(frame, tcsize) != tcsize)
		return "record table is not one zstd frame";
	qr_buf table = QR_BUF_INIT;
	qr_buf_grow(&table, tsize);
	size_t got = ZSTD_decompressDCtx(dctx, table.buf, tsize + 1, frame, tcsize);
	bool ok = !ZSTD_isError(got) && got == tsize && parse_table(b, (const uint8_t *)table.buf, tsize, *usize);
	qr_buf_release(&table);
	if (!ok)
		return "bad record table";
	return 0;
}

const char *qr_header_parse(qr_block *b, const uint8_t *h, size_t n, uint32_t *csize, uint32_t *usize, ZSTD_DCtx *dctx)
{
	uint8_t check[QR_SHA256_LEN];
	if (n < 8 + HEADER_CHECK)
		return "block header too short";
	qr_sha256(h, n - HEADER_CHECK, check);
	if (memcmp(check, h + n - HEADER_CHECK, HEADER_CHECK) != 0)
		return "block header checksum mismatch";
	uint32_t magic = qr_le32(h), version = (uint32_t)(h[4] | h[5] << 8);
	if (magic == QR_STORE_HEADER_MAGIC && version == 1)
		return parse_v1(b, h, n, csize, usize);
	if (magic == QR_STORE_HEADER_MAGIC_V2 && version == 2)
		return parse_v2(b, h, n, csize, usize, dctx);
	if (magic == QR_STORE_HEADER_MAGIC || magic == QR_STORE_HEADER_MAGIC_V2)
		return "unknown block header version";
	return "not a quire block header";
}

