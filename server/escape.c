#include "escape.h"

#include <stdarg.h>
#include <string.h>

#include "text.h"

static void markup_escaped(qr_buf *out, const char *s, size_t n, bool attr)
{
	qr_buf safe = QR_BUF_INIT;
	qr_escape_terminal(&safe, s, n, QR_ESC_KEEP_NEWLINES);
	for (size_t i = 0; i < safe.len; i++) {
		char c = safe.buf[i];
		switch (c) {
		case '&': qr_buf_adds(out, "&amp;"); break;
		case '<': qr_buf_adds(out, "&lt;"); break;
		case '>': qr_buf_adds(out, "&gt;"); break;
		case '"': qr_buf_adds(out, "&quot;"); break;
		case '\'': qr_buf_adds(out, "&#39;"); break;
		case '\n': qr_buf_adds(out, attr ? "&#10;" : "\n"); break;
		case '\t': qr_buf_adds(out, attr ? "&#9;" : "\t"); break;
		default: qr_buf_addch(out, c); break;
		}
	}
	qr_buf_release(&safe);
}

void sv_html_textn(qr_buf *out, const char *s, size_t n)
{
	if (s)
		markup_escaped(out, s, n, false);
}

void sv_html_text(qr_buf *out, const char *s)
{
	if (s)
		markup_escaped(out, s, strlen(s), false);
}

void sv_html_attr(qr_buf *out, const char *s)
{
	if (s)
		markup_escaped(out, s, strlen(s), true);
}

void sv_url_part(qr_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p)) {
			qr_buf_addch(out, *p);
		} else {
			qr_buf_addch(out, '%');
			qr_buf_addch(out, hex[*p >> 4]);
			qr_buf_addch(out, hex[*p & 15]);
		}
	}
}

bool sv_link_ok(const char *url)
{
	size_t skip;
	if (!url)
		return false;
	if (qr_starts_with_ci(url, "https://"))
		skip = 8;
	else if (qr_starts_with_ci(url, "http://"))
		skip = 7;
	else
		return false;
	/* A host must follow: "http:///x" and "http://" are not links. */
	if (!url[skip] || url[skip] == '/' || url[skip] == '?' || url[skip] == '#')
		return false;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '\'' || *p == '<' || *p == '>' || *p == '\\' ||
		    *p == '`')
			return false;
	/* Nothing invisible or reordering either (C1 controls, bidi). */
	qr_buf safe = QR_BUF_INIT;
	qr_escape_terminal(&safe, url, strlen(url), 0);
	bool same = strcmp(safe.buf, url) == 0;
	qr_buf_release(&safe);
	return same;
}

static void attrs(qr_buf *out, va_list ap)
{
	const char *name;
	while ((name = va_arg(ap, const char *))) {
		const char *value = va_arg(ap, const char *);
		if (!value)
			continue;
		qr_buf_addf(out, " %s=\"", name);
		sv_html_attr(out, value);
		qr_buf_addch(out, '"');
	}
}

void sv_open(qr_buf *out, const char *tag, ...)
{
	va_list ap;
	qr_buf_addf(out, "<%s", tag);
	va_start(ap, tag);
	attrs(out, ap);
	va_end(ap);
	qr_buf_addch(out, '>');
}

void sv_close(qr_buf *out, const char *tag)
{
	qr_buf_addf(out, "</%s>", tag);
}

void sv_elem(qr_buf *out, const char *tag, const char *text, ...)
{
	va_list ap;
	qr_buf_addf(out, "<%s", tag);
	va_start(ap, text);
	attrs(out, ap);
	va_end(ap);
	qr_buf_addch(out, '>');
	sv_html_text(out, text);
	sv_close(out, tag);
}
