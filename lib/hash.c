#include "hash.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "buf.h"

struct qr_sha256_ctx {
	EVP_MD_CTX *md;
};

static void crypto_failed(void)
{
	fprintf(stderr, "quire: sha256: libcrypto failed\n");
	abort();
}

void qr_sha256(const void *data, size_t n, uint8_t out[QR_SHA256_LEN])
{
	unsigned int len = 0;
	if (!EVP_Digest(data, n, out, &len, EVP_sha256(), NULL))
		crypto_failed();
}

qr_sha256_ctx *qr_sha256_new(void)
{
	qr_sha256_ctx *c = qr_malloc(sizeof(*c));
	c->md = EVP_MD_CTX_new();
	if (!c->md || !EVP_DigestInit_ex(c->md, EVP_sha256(), NULL))
		crypto_failed();
	return c;
}

void qr_sha256_update(qr_sha256_ctx *c, const void *data, size_t n)
{
	if (n && !EVP_DigestUpdate(c->md, data, n))
		crypto_failed();
}

void qr_sha256_final(qr_sha256_ctx *c, uint8_t out[QR_SHA256_LEN])
{
	unsigned int len = 0;
	if (!EVP_DigestFinal_ex(c->md, out, &len) || !EVP_DigestInit_ex(c->md, EVP_sha256(), NULL))
		crypto_failed();
}

void qr_sha256_free(qr_sha256_ctx *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md);
	free(c);
}

void qr_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool qr_unhex(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		if (hi < 0)
			return false;
		int lo = hexval((unsigned char)hex[2 * i + 1]);
		if (lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return hex[2 * n] == '\0';
}
