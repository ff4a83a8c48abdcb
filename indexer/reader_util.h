/*
 * Small helpers every reader needs: looking at the first bytes of a leaf
 * when bidding, naming a post, and finding hashtags, mentions and links in
 * plain text for formats that do not list them.
 */
#ifndef QR_READER_UTIL_H
#define QR_READER_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "format.h"
#include "json.h"
#include "post.h"

/* The first byte after a byte order mark and blanks, or 0 when none. */
char qr_head_first(const char *head, size_t n);
/* The bytes contain needle. */
bool qr_head_has(const char *head, size_t n, const char *needle);
/* The bytes contain "key" followed by blanks and a colon: a JSON key. */
bool qr_head_has_key(const char *head, size_t n, const char *key);
/* The bytes start with an empty JSON array, `[]` (blanks allowed): an API
 * page that holds nothing, such as a timeline call past its last post. */
bool qr_head_empty_array(const char *head, size_t n);
/* The bytes contain "key": [] (blanks allowed): a list an API page sent
 * empty. */
bool qr_head_key_empty(const char *head, size_t n, const char *key);

/* The end of a page of items (a search response, a listing), `bad` of
 * which failed, the first with `first`: QR_OK when the page gave posts;
 * else QR_BAD_INPUT with `bad_prefix` and that reason, or QR_SKIP with
 * `empty` (a page with nothing to read is not an error). */
int qr_page_result(const qr_posts *out, size_t bad, const char *first, const char *bad_prefix, const char *empty,
		   qr_buf *why);

/* What an input no reader takes seems to be, for the message that reports
 * it (a list of post ids, a CSV file without a mapping), or NULL. */
const char *qr_head_hint(const char *head, size_t n);

/* Set platform, native_id and id ("<platform>:<native_id>"). */
void qr_post_set_id(qr_post *p, const char *platform, const char *native_id);
/* "<platform>:<native_id>" into *field (reply_to, repost_of, ...). */
void qr_post_set_ref(char **field, const char *platform, const char *native_id);
/* The integer at path in o (a number or digits in a string), when there is
 * one, as the post's metric `name`. */
void qr_post_metric_json(qr_post *p, const cJSON *o, const char *path, const char *name);

/* Hashtags (#tag, letters of any script, digits and '_', not all digits),
 * mentions (@name: ASCII letters, digits, '_', '.' and '-' inside) and
 * http(s) links found in text, added without duplicates. */
void qr_extract_hashtags(const char *text, qr_strv *out);
void qr_extract_mentions(const char *text, qr_strv *out);
void qr_extract_urls(const char *text, qr_strv *out);

#endif
