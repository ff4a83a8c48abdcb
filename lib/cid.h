/*
 * Content identifiers (CIDs) as the AT Protocol uses them: CIDv1 with the
 * dag-cbor (0x71) or raw (0x55) codec and a sha2-256 multihash, written as
 * multibase base32 ("bafyrei..."); CIDv0 (a bare sha2-256 multihash,
 * base58 "Qm...") is read in binary form only.  A record block's CID names
 * the sha256 of its bytes, so checking a block is checking its sha256.
 */
#ifndef QR_CID_H
#define QR_CID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hash.h"
#include "post.h"

#define QR_CID_DAG_CBOR 0x71
#define QR_CID_RAW 0x55
#define QR_MH_SHA256 0x12

/* Longest binary CID read (a version, a codec, a multihash of 64 bytes). */
#define QR_CID_MAX 80

typedef struct qr_cid {
	uint64_t codec;         /* 0x71 dag-cbor, 0x55 raw */
	uint64_t hash;          /* multihash code: 0x12 sha2-256 */
	size_t digest_len;
	uint8_t digest[64];
	size_t len;             /* bytes of the binary form */
	uint8_t bytes[QR_CID_MAX];
} qr_cid;

/* An unsigned LEB128 varint at p (at most n bytes, at most 9 of them):
 * its length, 0 when it is cut short, too long or not minimal. */
size_t qr_varint_read(const uint8_t *p, size_t n, uint64_t *out);
/* Append v as an unsigned LEB128 varint. */
void qr_varint_write(qr_buf *out, uint64_t v);

/* A binary CID at the start of p: its length, 0 when it is not one (why
 * says how). */
size_t qr_cid_read(const uint8_t *p, size_t n, qr_cid *cid, qr_buf *why);
/* The text form: "b" and base32 (RFC 4648, lower case, no padding). */
void qr_cid_format(const qr_cid *cid, qr_buf *out);
/* Parse the text form of a v1 CID ("b..."); false when it is not one. */
bool qr_cid_parse(const char *text, qr_cid *cid);
/* The dag-cbor CIDv1 of a block whose sha256 is given. */
void qr_cid_of_sha256(const uint8_t sha[QR_SHA256_LEN], uint64_t codec, qr_cid *cid);
/* Does the CID name these bytes (a sha2-256 multihash equal to their
 * sha256)?  false with why when not, or when its hash is another. */
bool qr_cid_matches(const qr_cid *cid, const uint8_t sha[QR_SHA256_LEN], qr_buf *why);

/* The format whose records are blocks named by their CID. */
#define QR_CID_FORMAT QR_POST_BLOCK_FORMAT

/* A post read from a repo's block names the block's CID in
 * source.provenance.cid: does that CID name the post's record (its
 * sha256)?  *checked says whether there was a CID to check; false with why
 * when it does not name it. */
bool qr_cid_check_post(const qr_post *p, bool *checked, qr_buf *why);

#endif
