#include "hash.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "buf.h"
#include "dl.h"

/*
 * libcrypto is loaded when the first sha256 is asked for, not linked: that
 * is 0.4 ms of every process's start-up, and a search hashes nothing
 * (bench/RESULTS.md).  The soname is that of OpenSSL 3, whose headers this
 * is compiled with.
 */
#if OPENSSL_VERSION_MAJOR != 3
#error "OpenSSL 3 expected (soname libcrypto.so.3)"
#endif
#define CRYPTO_SONAME "libcrypto.so.3"

#define CRYPTO_FUNCS(X)                                                                               \
	X(EVP_Digest) X(EVP_sha256) X(EVP_sha512) X(EVP_MD_CTX_new) X(EVP_MD_CTX_free) X(EVP_DigestInit_ex)         \
	X(EVP_DigestUpdate) X(EVP_DigestFinal_ex)

static struct {
#define CRYPTO_PTR(f) __typeof__(f) *f;
	CRYPTO_FUNCS(CRYPTO_PTR)
#undef CRYPTO_PTR
} crypto;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static char crypto_error[256];

static void crypto_load(void)
{
#define CRYPTO_NAME(f) #f,
	static const char *const names[] = { CRYPTO_FUNCS(CRYPTO_NAME) };
#undef CRYPTO_NAME
	void *syms[sizeof(names) / sizeof(names[0])];
	if (qr_dl_load(CRYPTO_SONAME, names, sizeof(names) / sizeof(names[0]), syms, crypto_error,
		       sizeof(crypto_error)))
		return;
	size_t i = 0; /* as in indexer/libarchive.c */
#define CRYPTO_SET(f) memcpy(&crypto.f, &syms[i++], sizeof(void *));
	CRYPTO_FUNCS(CRYPTO_SET)
#undef CRYPTO_SET
}

/* Nothing can be checked without it: an installation that lacks the
 * library quire was built with stops here. */
static void crypto_failed(void)
{
	fprintf(stderr, "quire: sha256: %s\n", crypto_error[0] ? crypto_error : "libcrypto failed");
	abort();
}

static void crypto_ready(void)
{
	pthread_once(&crypto_once, crypto_load);
	if (crypto_error[0])
		crypto_failed();
}

#define EVP_Digest (crypto.EVP_Digest)
#define EVP_sha256 (crypto.EVP_sha256)
#define EVP_sha512 (crypto.EVP_sha512)
#define EVP_MD_CTX_new (crypto.EVP_MD_CTX_new)
#define EVP_MD_CTX_free (crypto.EVP_MD_CTX_free)
#define EVP_DigestInit_ex (crypto.EVP_DigestInit_ex)
#define EVP_DigestUpdate (crypto.EVP_DigestUpdate)
#define EVP_DigestFinal_ex (crypto.EVP_DigestFinal_ex)

struct qr_sha256_ctx {
	EVP_MD_CTX *md;
};

/* SHA-512 has the same shape: one context type, another digest. */
struct qr_sha512_ctx {
	EVP_MD_CTX *md;
};

void qr_sha256(const void *data, size_t n, uint8_t out[QR_SHA256_LEN])
{
	unsigned int len = 0;
	crypto_ready();
	if (!EVP_Digest(data, n, out, &len, EVP_sha256(), NULL))
		crypto_failed();
}

/* The contexts of both digests are an EVP context and its digest. */
static EVP_MD_CTX *md_new(const EVP_MD *type)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, type, NULL))
		crypto_failed();
	return md;
}

static void md_update(EVP_MD_CTX *md, const void *data, size_t n)
{
	if (n && !EVP_DigestUpdate(md, data, n))
		crypto_failed();
}

static void md_final(EVP_MD_CTX *md, uint8_t *out, const EVP_MD *type)
{
	unsigned int len = 0;
	if (!EVP_DigestFinal_ex(md, out, &len) || !EVP_DigestInit_ex(md, type, NULL))
		crypto_failed();
}

qr_sha256_ctx *qr_sha256_new(void)
{
	qr_sha256_ctx *c = qr_malloc(sizeof(*c));
	crypto_ready();
	c->md = md_new(EVP_sha256());
	return c;
}

void qr_sha256_update(qr_sha256_ctx *c, const void *data, size_t n)
{
	md_update(c->md, data, n);
}

void qr_sha256_final(qr_sha256_ctx *c, uint8_t out[QR_SHA256_LEN])
{
	md_final(c->md, out, EVP_sha256());
}

void qr_sha256_free(qr_sha256_ctx *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md);
	free(c);
}

qr_sha512_ctx *qr_sha512_new(void)
{
	qr_sha512_ctx *c = qr_malloc(sizeof(*c));
	crypto_ready();
	c->md = md_new(EVP_sha512());
	return c;
}

void qr_sha512_update(qr_sha512_ctx *c, const void *data, size_t n)
{
	md_update(c->md, data, n);
}

void qr_sha512_final(qr_sha512_ctx *c, uint8_t out[QR_SHA512_LEN])
{
	md_final(c->md, out, EVP_sha512());
}

void qr_sha512_free(qr_sha512_ctx *c)
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
