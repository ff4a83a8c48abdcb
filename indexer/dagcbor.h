/*
 * DAG-CBOR (the AT Protocol's binary data model) decoded into the JSON
 * form the protocol defines for it: CID links (tag 42) become
 * {"$link": "bafy..."}, byte strings {"$bytes": "<base64>"}.  libcbor's
 * streaming decoder reads the items; the tree is built here, so that every
 * size a block declares is checked against the bytes it has before
 * anything is allocated for it, and nesting is bounded.
 */
#ifndef QR_DAGCBOR_H
#define QR_DAGCBOR_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

/* Deepest nesting of maps and arrays read. */
#define QR_DAGCBOR_MAX_DEPTH 64

/* One whole DAG-CBOR value (nothing may follow it) into *out, the
 * caller's to cJSON_Delete.  QR_OK, or QR_BAD_INPUT with why (and the byte
 * of the block where it went wrong). */
int qr_dagcbor_to_json(const uint8_t *data, size_t len, cJSON **out, qr_buf *why);

#endif
