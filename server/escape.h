/*
 * Escaping for quire serve, at the last moment, one function per output
 * context: HTML text, HTML attribute values, URL parts, and links (JSON
 * goes through lib/json.h's qr_json_quote).  Everything that came from a
 * post, a query or a request passes through one of them on its way into a
 * page; the page is otherwise made of literals.
 *
 * Text is shown as a terminal shows it (lib/text.h's qr_escape_terminal):
 * control characters, bidi overrides and isolates and invalid UTF-8
 * become visible escapes (\u{202E}, \x1B), so a post can neither inject
 * markup nor reorder the page around it.
 */
#ifndef SV_ESCAPE_H
#define SV_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Element text: & < > " ' as character references; line breaks kept. */
void sv_html_text(qr_buf *out, const char *s);
void sv_html_textn(qr_buf *out, const char *s, size_t n);
/* An attribute value written inside double quotes: the same, and line
 * breaks as references too. */
void sv_html_attr(qr_buf *out, const char *s);
/* A URL query value or path segment: every byte but RFC 3986's
 * unreserved ones percent-encoded. */
void sv_url_part(qr_buf *out, const char *s);
/* True for an absolute http: or https: URL with a host and nothing a
 * browser would read another way (no white space, controls, quotes,
 * angle brackets or backslashes): the only URLs from a post that become
 * links. */
bool sv_link_ok(const char *url);

/*
 * Markup: sv_open(out, "a", "href", url, "class", "handle", NULL) writes
 * <a href="..." class="handle"> with every value through sv_html_attr; a
 * NULL value leaves its attribute out, "" gives an empty one.  Element and
 * attribute names are literals of the caller's.
 */
void sv_open(qr_buf *out, const char *tag, ...) __attribute__((sentinel));
void sv_close(qr_buf *out, const char *tag);
/* <tag attrs...>text</tag> in one call. */
void sv_elem(qr_buf *out, const char *tag, const char *text, ...) __attribute__((sentinel));

#endif
