/*
 * Libraries loaded when first needed rather than linked (lib/hash.c:
 * libcrypto; indexer/libarchive.c: libarchive), so that a process that
 * never needs them does not pay for loading them at start-up.
 */
#ifndef QR_DL_H
#define QR_DL_H

#include <stddef.h>

/* dlopen the library `soname` and look up `n` symbols by name into syms.
 * 0, or -1 with the reason in why (NUL-terminated, cut to whylen). */
int qr_dl_load(const char *soname, const char *const *names, size_t n, void **syms, char *why, size_t whylen);

#endif
