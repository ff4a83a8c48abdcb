/*
 * The text of an HTML fragment, as ActivityPub servers (Mastodon and the
 * rest) write a post's content: <p>, <br>, <a> with spans inside, a few
 * inline and block elements.  The input is untrusted: any bytes give some
 * text, nothing is read past the end, and script and style contents are
 * dropped.
 */
#ifndef QR_HTML_H
#define QR_HTML_H

#include <stddef.h>

#include "buf.h"
#include "post.h"

/*
 * Append the text of html[0..n) to out: tags dropped, character references
 * decoded, runs of white space made one space (except inside <pre>), <br>
 * a line break, paragraphs and other blocks separated by an empty line,
 * list items on lines of their own.  A link shows its href in place of its
 * text (servers shorten the text with hidden spans), except a mention or a
 * hashtag (class "mention" or "hashtag", or text starting with @ or #),
 * which shows its text.  The hrefs of the other links are pushed to links
 * (may be NULL).
 */
void qr_html_to_text(qr_buf *out, const char *html, size_t n, qr_strv *links);

#endif
