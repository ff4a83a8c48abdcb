#include "cid.h"

#include <string.h>

size_t qr_varint_read(const uint8_t *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && i < 9; i++) {
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			/* A last byte of 0 (after the first) is a longer
			 * spelling of a shorter number: not minimal. */
			if (i && p[i] == 0)
				return 0;
			*out = v;
			return i + 1;
		}
	}
	return 0;
}

void qr_varint_write(qr_buf *out, uint64_t v)
{
	while (v >= 0x80) {
		qr_buf_addch(out, (int)((v & 0x7f) | 0x80));
		v >>= 7;
	}
	qr_buf_addch(out, (int)v);
}

size_t qr_cid_read(const uint8_t *p, size_t n, qr_cid *cid, qr_buf *why)
{
	uint64_t version, len;
	size_t at = 0, k;
	memset(cid, 0, sizeof(*cid));
	if (n >= 2 && p[0] == QR_MH_SHA256 && p[1] == 32) {
		qr_buf_setf(why, "a CIDv0, which AT Protocol repositories do not use");
		return 0;
	}
	if (!(k = qr_varint_read(p, n, &version)) || version != 1) {
		qr_buf_setf(why, k ? "CID version %llu (only 1 is read)" : "the CID is cut short",
			    (unsigned long long)version);
		return 0;
	}
	at += k;
	if (!(k = qr_varint_read(p + at, n - at, &cid->codec))) {
		qr_buf_setf(why, "the CID is cut short in its codec");
		return 0;
	}
	at += k;
	if (!(k = qr_varint_read(p + at, n - at, &cid->hash))) {
		qr_buf_setf(why, "the CID is cut short in its hash code");
		return 0;
	}
	at += k;
	if (!(k = qr_varint_read(p + at, n - at, &len))) {
		qr_buf_setf(why, "the CID is cut short in its digest length");
		return 0;
	}
	at += k;
	if (len > sizeof(cid->digest) || len > n - at) {
		qr_buf_setf(why, len > sizeof(cid->digest) ? "the CID's digest is %llu bytes long" :
								"the CID is cut short in its digest (%llu bytes)",
			    (unsigned long long)len);
		return 0;
	}
	memcpy(cid->digest, p + at, (size_t)len);
	cid->digest_len = (size_t)len;
	at += (size_t)len;
	if (at > QR_CID_MAX) {
		qr_buf_setf(why, "the CID is %zu bytes long", at);
		return 0;
	}
	memcpy(cid->bytes, p, at);
	cid->len = at;
	return at;
}

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

void qr_cid_format(const qr_cid *cid, qr_buf *out)
{
	uint32_t acc = 0;
	int bits = 0;
	qr_buf_addch(out, 'b');
	for (size_t i = 0; i < cid->len; i++) {
		acc = (acc << 8) | cid->bytes[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			qr_buf_addch(out, b32[(acc >> bits) & 31]);
		}
	}
	if (bits)
		qr_buf_addch(out, b32[(acc << (5 - bits)) & 31]);
}

bool qr_cid_parse(const char *text, qr_cid *cid)
{
	uint8_t bytes[QR_CID_MAX];
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;
	if (!text || text[0] != 'b')
		return false;
	for (const char *p = text + 1; *p; p++) {
		const char *at = strchr(b32, *p);
		if (!at || !*p)
			return false;
		acc = (acc << 5) | (uint32_t)(at - b32);
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (n == sizeof(bytes))
				return false;
			bytes[n++] = (uint8_t)(acc >> bits);
		}
	}
	qr_buf why = QR_BUF_INIT;
	size_t k = qr_cid_read(bytes, n, cid, &why);
	qr_buf_release(&why);
	return k && k == n;
}

void qr_cid_of_sha256(const uint8_t sha[QR_SHA256_LEN], uint64_t codec, qr_cid *cid)
{
	qr_buf b = QR_BUF_INIT;
	qr_varint_write(&b, 1);
	qr_varint_write(&b, codec);
	qr_varint_write(&b, QR_MH_SHA256);
	qr_varint_write(&b, QR_SHA256_LEN);
	qr_buf_add(&b, sha, QR_SHA256_LEN);
	memset(cid, 0, sizeof(*cid));
	cid->codec = codec;
	cid->hash = QR_MH_SHA256;
	cid->digest_len = QR_SHA256_LEN;
	memcpy(cid->digest, sha, QR_SHA256_LEN);
	memcpy(cid->bytes, b.buf, b.len);
	cid->len = b.len;
	qr_buf_release(&b);
}

bool qr_cid_matches(const qr_cid *cid, const uint8_t sha[QR_SHA256_LEN], qr_buf *why)
{
	if (cid->hash != QR_MH_SHA256 || cid->digest_len != QR_SHA256_LEN) {
		qr_buf_setf(why, "the CID's hash is not sha2-256 (multihash code 0x%llx, %zu bytes)",
			    (unsigned long long)cid->hash, cid->digest_len);
		return false;
	}
	if (memcmp(cid->digest, sha, QR_SHA256_LEN) != 0) {
		char want[QR_SHA256_HEX], got[QR_SHA256_HEX];
		qr_hex(cid->digest, QR_SHA256_LEN, want);
		qr_hex(sha, QR_SHA256_LEN, got);
		qr_buf_setf(why, "the bytes' sha256 is %s, the CID names %s", got, want);
		return false;
	}
	return true;
}

bool qr_cid_check_post(const qr_post *p, bool *checked, qr_buf *why)
{
	const char *text = qr_kvv_get(&p->source.provenance, "cid");
	uint8_t sha[QR_SHA256_LEN];
	qr_cid cid;
	*checked = false;
	if (!text || !p->source.format || strcmp(p->source.format, QR_CID_FORMAT) != 0)
		return true;
	*checked = true;
	if (!qr_cid_parse(text, &cid) || cid.codec != QR_CID_DAG_CBOR) {
		qr_buf_setf(why, "'%.80s' is not the CID of a DAG-CBOR block", text);
		return false;
	}
	if (!p->record.sha256 || !qr_unhex(p->record.sha256, sha, QR_SHA256_LEN)) {
		qr_buf_setf(why, "no record sha256 to check CID %s against", text);
		return false;
	}
	if (!qr_cid_matches(&cid, sha, why)) {
		qr_buf_addf(why, " (CID %s)", text);
		return false;
	}
	return true;
}
