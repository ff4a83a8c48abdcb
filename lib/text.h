/*
 * Text helpers: UTF-8 checks, HTML entities, escaping untrusted text for a
 * terminal, case folding, URL hosts.
 */
#ifndef QR_TEXT_H
#define QR_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* True when s[0..n) is valid UTF-8 without NUL bytes; otherwise *bad (may be
 * NULL) gets the offset of the first offending byte. */
bool qr_utf8_valid(const char *s, size_t n, size_t *bad);
/* Decode one UTF-8 sequence at s (n bytes available); returns its length
 * (1 for an invalid byte, with *cp = 0xFFFD) and the code point in *cp. */
size_t qr_utf8_decode(const char *s, size_t n, uint32_t *cp);
void qr_utf8_encode(qr_buf *out, uint32_t cp);
/* Length in code points. */
size_t qr_utf8_length(const char *s, size_t n);

/* Append s with HTML character references decoded (named, decimal, hex).
 * Unknown references are kept as they are. */
void qr_html_decode(qr_buf *out, const char *s, size_t n);

enum {
	QR_ESC_KEEP_NEWLINES = 1,   /* keep \n (and \t) as they are */
	QR_ESC_QUOTE = 2            /* also escape " and \ (for quoted names) */
};
/* Append s so that it is safe on a terminal: C0 and C1 controls (ESC, so no
 * CSI or OSC sequence), DEL, bidi overrides and isolates and invalid UTF-8
 * are shown as \n, \r, \t, \e, \xHH or \u{HHHH}. */
void qr_escape_terminal(qr_buf *out, const char *s, size_t n, int flags);

/* Unicode lower case of s, appended to out (Xapian's Unicode tables). */
void qr_casefold(qr_buf *out, const char *s, size_t n);
void qr_ascii_lower(char *s);

/* The host of an absolute URL, lower-cased, without port or user; false
 * when there is none. */
bool qr_url_host(const char *url, qr_buf *host);

/* Case-insensitive ASCII prefix test. */
bool qr_starts_with_ci(const char *s, const char *prefix);
bool qr_starts_with(const char *s, const char *prefix);
bool qr_ends_with(const char *s, const char *suffix);

/* Append n formatted with thousands separators (1,234,567). */
void qr_add_grouped(qr_buf *out, uint64_t n);

/* Words into lines of at most `width` columns (a longer word stands
 * alone), each after `indent` spaces but the first, which goes on from
 * column `col` where the caller left off; no newline at the end. */
void qr_wrap(qr_buf *out, const char *text, size_t indent, size_t col, size_t width);

#endif
