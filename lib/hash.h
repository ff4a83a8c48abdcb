/* SHA-256 through OpenSSL's libcrypto (hardware accelerated where the CPU
 * allows), and hex helpers. */
#ifndef QR_HASH_H
#define QR_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QR_SHA256_LEN 32
#define QR_SHA256_HEX 65

typedef struct qr_sha256_ctx qr_sha256_ctx;

void qr_sha256(const void *data, size_t n, uint8_t out[QR_SHA256_LEN]);
qr_sha256_ctx *qr_sha256_new(void);
void qr_sha256_update(qr_sha256_ctx *c, const void *data, size_t n);
/* Finish and reset the context for reuse. */
void qr_sha256_final(qr_sha256_ctx *c, uint8_t out[QR_SHA256_LEN]);
void qr_sha256_free(qr_sha256_ctx *c);

/* SHA-512, for BagIt manifests (manifest-sha512.txt). */
#define QR_SHA512_LEN 64
#define QR_SHA512_HEX 129

typedef struct qr_sha512_ctx qr_sha512_ctx;

qr_sha512_ctx *qr_sha512_new(void);
void qr_sha512_update(qr_sha512_ctx *c, const void *data, size_t n);
/* Finish and reset the context for reuse. */
void qr_sha512_final(qr_sha512_ctx *c, uint8_t out[QR_SHA512_LEN]);
void qr_sha512_free(qr_sha512_ctx *c);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void qr_hex(const uint8_t *in, size_t n, char *out);
/* Parse 2n hex digits; false on anything else. */
bool qr_unhex(const char *hex, uint8_t *out, size_t n);

#endif
