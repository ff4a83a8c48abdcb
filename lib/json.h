/*
 * JSON: reading goes through cJSON (with a few typed getters); writing goes
 * through qr_jw, a small streaming writer whose output is valid JSON for any
 * input bytes (invalid UTF-8 becomes U+FFFD; C0 and C1 controls, bidi
 * controls and line separators are \u-escaped, so that JSON printed to a
 * terminal cannot drive it).
 */
#ifndef QR_JSON_H
#define QR_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "buf.h"

/* Parse exactly n bytes; NULL on error with a reason ("expected ... at byte
 * N") in why. */
cJSON *qr_json_parse(const char *s, size_t n, qr_buf *why);

/*
 * A scratch region for parsing one record after another: a parse makes
 * hundreds of small allocations that all die with the record, so while a
 * thread is between qr_json_scratch_begin and _end, cJSON takes them from
 * one block of its own, reused from record to record (frees are no-ops).
 * Every tree parsed in between must be deleted before _end, in the same
 * thread.  qr_json_scratch_init (once, before any other thread parses
 * JSON: it installs cJSON's allocation hooks) enables it; without it,
 * and under AddressSanitizer, begin and end do nothing.
 */
void qr_json_scratch_init(void);
void qr_json_scratch_begin(void);
void qr_json_scratch_end(void);

/* Member lookup by a dotted path ("user.screen_name"); NULL when any step
 * is missing.  With duplicate keys the LAST one wins, as in JavaScript. */
const cJSON *qr_json_get(const cJSON *obj, const char *path);
/* The string at path, or NULL when missing or not a string. */
const char *qr_json_str(const cJSON *obj, const char *path);
/* A string or a number given as string (ids): the digits as text. */
bool qr_json_id(const cJSON *obj, const char *path, qr_buf *out);
/* Integer at path (number, or a string of digits); false when absent, not
 * an integer, or a number too large for a double to hold exactly (2^53). */
bool qr_json_int(const cJSON *obj, const char *path, int64_t *out);
/* true/false at path; false when absent. */
bool qr_json_true(const cJSON *obj, const char *path);

/* ---- writer ---- */

typedef struct qr_jw {
	qr_buf *out;
	int depth;
	bool pretty;
	bool need_comma[64];
	bool after_key;
} qr_jw;

void qr_jw_init(qr_jw *w, qr_buf *out, bool pretty);
void qr_jw_begin_object(qr_jw *w);
void qr_jw_end_object(qr_jw *w);
void qr_jw_begin_array(qr_jw *w);
void qr_jw_end_array(qr_jw *w);
void qr_jw_key(qr_jw *w, const char *key);
void qr_jw_string(qr_jw *w, const char *s);
void qr_jw_stringn(qr_jw *w, const char *s, size_t n);
void qr_jw_int(qr_jw *w, int64_t v);
void qr_jw_double(qr_jw *w, double v);
void qr_jw_bool(qr_jw *w, bool v);
void qr_jw_null(qr_jw *w);
/* Insert already valid JSON text as a value. */
void qr_jw_raw(qr_jw *w, const char *json, size_t n);

/* Conveniences: key + value, skipped when the value is NULL. */
void qr_jw_kstr(qr_jw *w, const char *key, const char *s);
void qr_jw_kint(qr_jw *w, const char *key, int64_t v);

/* Append s as a JSON string literal, quotes included. */
void qr_json_quote(qr_buf *out, const char *s, size_t n);

#endif
