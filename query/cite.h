/*
 * Citations of posts: the pieces the reference styles share (the
 * platform's name and label for a post at its date, dates in words, the
 * attachment note, APA's first twenty words) and the formatted APA 7, MLA 9
 * and Chicago 17 (note) references.  The printers in print_cite.c and
 * print_style.c build on these.
 */
#ifndef QR_CITE_H
#define QR_CITE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "post.h"
#include "timeutil.h"

/* The platform's name as it was at the post's date ("Twitter", "X",
 * "Mastodon", ...). */
const char *qr_cite_platform(const qr_post *p);
/* What the platform called a post at its date ("Tweet", "Post", "Toot"). */
const char *qr_cite_label(const qr_post *p);
/* "Video attached", "Image attached", "GIF attached", ... for the kinds of
 * media the post carries, in that order, joined by "; " into out; false
 * when there is none. */
bool qr_cite_media(qr_buf *out, const qr_post *p, const char *sep, const char *before, const char *after);
/* The post's time in zone tz (NULL: UTC); false when the post has none. */
bool qr_cite_time(const qr_post *p, const char *tz, qr_civil *c);
extern const char *const qr_month_names[12];

/* Text on one line: runs of white space become one space, controls and
 * terminal escapes are made harmless. */
void qr_cite_flatten(qr_buf *out, const char *text);
/* The first `max` words of one-line text: a URL, a hashtag, a mention and
 * each emoji count as one word each (APA 7).  *cut tells whether words
 * were left out. */
void qr_cite_first_words(qr_buf *out, const char *text, size_t max, bool *cut);
/* At most max characters, cut at a word boundary with "…" when longer. */
void qr_cite_first_chars(qr_buf *out, const char *text, size_t max);

/* The author as APA writes it: "Name [@handle]", or whichever of the two
 * there is. */
void qr_cite_author(qr_buf *out, const qr_post *p);

/* The references, one line each, without a final newline. */
void qr_cite_apa(qr_buf *out, const qr_post *p, const char *tz);
void qr_cite_mla(qr_buf *out, const qr_post *p, const char *tz);
void qr_cite_chicago(qr_buf *out, const qr_post *p, const char *tz);

#endif
