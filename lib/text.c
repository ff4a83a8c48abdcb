#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xapian-c.h"

size_t qr_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c;
	size_t len;

	if (n == 0) {
		*cp = 0xFFFD;
		return 0;
	}
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		len = 2;
		c = u[0] & 0x1F;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		len = 3;
		c = u[0] & 0x0F;
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		len = 4;
		c = u[0] & 0x07;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	if (n < len) {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		c = (c << 6) | (u[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = c;
	return len;
}

bool qr_utf8_valid(const char *s, size_t n, size_t *bad)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x01 && c < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t l = qr_utf8_decode(s + i, n - i, &cp);
		if (c == 0 || (cp == 0xFFFD && l == 1)) {
			if (bad)
				*bad = i;
			return false;
		}
		i += l;
	}
	return true;
}

void qr_utf8_encode(qr_buf *out, uint32_t cp)
{
	char b[4];
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		qr_buf_addch(out, (int)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		qr_buf_add(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		qr_buf_add(out, b, 3);
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		qr_buf_add(out, b, 4);
	}
}

size_t qr_utf8_length(const char *s, size_t n)
{
	size_t count = 0, i = 0;
	while (i < n) {
		uint32_t cp;
		i += qr_utf8_decode(s + i, n - i, &cp);
		count++;
	}
	return count;
}

static const struct entity {
	const char *name;
	uint32_t cp;
} entities[] = {
	/* Sorted by name for bsearch. */
	{ "AElig", 0xC6 }, { "Aacute", 0xC1 }, { "Agrave", 0xC0 }, { "Auml", 0xC4 },
	{ "Ccedil", 0xC7 }, { "Eacute", 0xC9 }, { "Ntilde", 0xD1 }, { "Oacute", 0xD3 },
	{ "Ouml", 0xD6 }, { "Uuml", 0xDC }, { "aacute", 0xE1 }, { "acute", 0xB4 },
	{ "aelig", 0xE6 }, { "agrave", 0xE0 }, { "amp", '&' }, { "apos", '\'' },
	{ "auml", 0xE4 }, { "bdquo", 0x201E }, { "brvbar", 0xA6 }, { "bull", 0x2022 },
	{ "ccedil", 0xE7 }, { "cent", 0xA2 }, { "copy", 0xA9 }, { "dagger", 0x2020 },
	{ "deg", 0xB0 }, { "divide", 0xF7 }, { "eacute", 0xE9 }, { "egrave", 0xE8 },
	{ "emsp", 0x2003 }, { "ensp", 0x2002 }, { "euml", 0xEB }, { "euro", 0x20AC },
	{ "frac12", 0xBD }, { "gt", '>' }, { "hellip", 0x2026 }, { "iacute", 0xED },
	{ "iexcl", 0xA1 }, { "iquest", 0xBF }, { "laquo", 0xAB }, { "ldquo", 0x201C },
	{ "lsaquo", 0x2039 }, { "lsquo", 0x2018 }, { "lt", '<' }, { "mdash", 0x2014 },
	{ "middot", 0xB7 }, { "nbsp", 0xA0 }, { "ndash", 0x2013 }, { "ntilde", 0xF1 },
	{ "oacute", 0xF3 }, { "ouml", 0xF6 }, { "para", 0xB6 }, { "plusmn", 0xB1 },
	{ "pound", 0xA3 }, { "quot", '"' }, { "raquo", 0xBB }, { "rdquo", 0x201D },
	{ "reg", 0xAE }, { "rsaquo", 0x203A }, { "rsquo", 0x2019 }, { "sbquo", 0x201A },
	{ "sect", 0xA7 }, { "shy", 0xAD }, { "szlig", 0xDF }, { "thinsp", 0x2009 },
	{ "times", 0xD7 }, { "trade", 0x2122 }, { "uacute", 0xFA }, { "uuml", 0xFC },
	{ "yen", 0xA5 }, { "zwj", 0x200D }, { "zwnj", 0x200C },
};

static int entity_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct entity *)elem)->name);
}

/* Decode the reference starting at s[0] == '&'; returns bytes consumed or 0. */
static size_t decode_reference(qr_buf *out, const char *s, size_t n)
{
	size_t i = 1;
	if (i < n && s[i] == '#') {
		uint32_t cp = 0;
		int base = 10, digits = 0;
		i++;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			base = 16;
			i++;
		}
		for (; i < n && digits < 8; i++, digits++) {
			int d;
			if (isdigit((unsigned char)s[i]))
				d = s[i] - '0';
			else if (base == 16 && isxdigit((unsigned char)s[i]))
				d = tolower((unsigned char)s[i]) - 'a' + 10;
			else
				break;
			cp = cp * (uint32_t)base + (uint32_t)d;
		}
		if (!digits || i >= n || s[i] != ';')
			return 0;
		if (cp == 0)
			cp = 0xFFFD;
		qr_utf8_encode(out, cp);
		return i + 1;
	}
	char name[12];
	size_t k = 0;
	for (; i < n && k < sizeof(name) - 1 && isalnum((unsigned char)s[i]); i++)
		name[k++] = s[i];
	name[k] = '\0';
	if (!k || i >= n || s[i] != ';')
		return 0;
	const struct entity *e =
		bsearch(name, entities, sizeof(entities) / sizeof(entities[0]), sizeof(entities[0]), entity_cmp);
	if (!e)
		return 0;
	qr_utf8_encode(out, e->cp);
	return i + 1;
}

void qr_html_decode(qr_buf *out, const char *s, size_t n)
{
	size_t i = 0, start = 0;
	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		if (!amp)
			break;
		i = (size_t)(amp - s);
		qr_buf_add(out, s + start, i - start);
		size_t used = decode_reference(out, s + i, n - i);
		if (used) {
			i += used;
		} else {
			qr_buf_addch(out, '&');
			i++;
		}
		start = i;
	}
	qr_buf_add(out, s + start, n - start);
}

static bool is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
	       cp == 0x200F || cp == 0x061C;
}

void qr_escape_terminal(qr_buf *out, const char *s, size_t n, int flags)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7F) {
			if ((flags & QR_ESC_QUOTE) && (c == '"' || c == '\\'))
				qr_buf_addch(out, '\\');
			qr_buf_addch(out, c);
			i++;
			continue;
		}
		if (c < 0x80) {
			if ((c == '\n' || c == '\t') && (flags & QR_ESC_KEEP_NEWLINES))
				qr_buf_addch(out, c);
			else if (c == '\n')
				qr_buf_adds(out, "\\n");
			else if (c == '\r')
				qr_buf_adds(out, "\\r");
			else if (c == '\t')
				qr_buf_adds(out, "\\t");
			else if (c == 0x1B)
				qr_buf_adds(out, "\\e");
			else
				qr_buf_addf(out, "\\x%02x", c);
			i++;
			continue;
		}
		uint32_t cp;
		size_t l = qr_utf8_decode(s + i, n - i, &cp);
		if (cp == 0xFFFD && l == 1) {
			qr_buf_addf(out, "\\x%02x", c);
		} else if ((cp >= 0x80 && cp <= 0x9F) || is_bidi_control(cp) || cp == 0x2028 || cp == 0x2029) {
			qr_buf_addf(out, "\\u{%04x}", (unsigned)cp);
		} else {
			qr_buf_add(out, s + i, l);
		}
		i += l;
	}
}

void qr_casefold(qr_buf *out, const char *s, size_t n)
{
	char *low = NULL;
	size_t len = 0;
	size_t ascii = 0;
	while (ascii < n && !((unsigned char)s[ascii] & 0x80))
		ascii++;
	if (ascii == n) {
		/* Unicode lower-casing does to ASCII what tolower does; most
		 * terms are ASCII, and this spares a copy through Xapian. */
		qr_buf_grow(out, n);
		for (size_t i = 0; i < n; i++)
			out->buf[out->len + i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
		qr_buf_setlen(out, out->len + n);
		return;
	}
	if (xc_unicode_tolower(s, n, &low, &len) == XC_OK) {
		qr_buf_add(out, low, len);
		free(low);
		return;
	}
	/* Only out of memory gets here; ASCII folding keeps going. */
	for (size_t i = 0; i < n; i++)
		qr_buf_addch(out, tolower((unsigned char)s[i]));
}

void qr_ascii_lower(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

bool qr_url_host(const char *url, qr_buf *host)
{
	qr_buf_reset(host);
	if (!url)
		return false;
	const char *p = strstr(url, "://");
	if (!p)
		return false;
	p += 3;
	size_t n = strcspn(p, "/?#");
	const char *at = memchr(p, '@', n);
	if (at) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (n && p[0] == '[') {
		const char *close = memchr(p, ']', n);
		if (!close)
			return false;
		n = (size_t)(close + 1 - p);
	} else {
		const char *colon = memchr(p, ':', n);
		if (colon)
			n = (size_t)(colon - p);
	}
	while (n && p[n - 1] == '.')
		n--;
	if (!n)
		return false;
	qr_buf_add(host, p, n);
	qr_ascii_lower(host->buf);
	return true;
}

bool qr_starts_with_ci(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncasecmp(s, prefix, n) == 0;
}

bool qr_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool qr_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

void qr_add_grouped(qr_buf *out, uint64_t n)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			qr_buf_addch(out, ',');
		qr_buf_addch(out, digits[i]);
	}
}

/* Words into lines of at most `width` columns (a longer word stands
 * alone), each after `indent` spaces but the first, which goes on from
 * column `col` where the caller left off. */
void qr_wrap(qr_buf *out, const char *text, size_t indent, size_t col, size_t width)
{
	const char *p = text;
	while (*p) {
		size_t n = strcspn(p, " \n");
		size_t w = qr_utf8_length(p, n);
		if (col > indent && col + 1 + w > width) {
			qr_buf_addf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			qr_buf_addch(out, ' ');
			col++;
		}
		qr_buf_add(out, p, n);
		col += w;
		p += n;
		while (*p == ' ' || *p == '\n')
			p++;
	}
}
