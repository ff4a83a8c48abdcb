#include "reader_util.h"

#include <string.h>

#include "status.h"
#include "text.h"

char qr_head_first(const char *head, size_t n)
{
	const char *p = head, *end = head + n;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p < end ? *p : 0;
}

bool qr_head_has(const char *head, size_t n, const char *needle)
{
	return memmem(head, n, needle, strlen(needle)) != NULL;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Where the value of the first "key": in the bytes starts, or NULL. */
static const char *key_value(const char *head, size_t n, const char *key)
{
	size_t klen = strlen(key);
	const char *p = head, *end = head + n;
	while (p < end) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		if (!q || (size_t)(end - q) < klen + 2)
			return NULL;
		if (memcmp(q + 1, key, klen) == 0 && q[klen + 1] == '"') {
			const char *r = skip_ws(q + klen + 2, end);
			if (r < end && *r == ':')
				return skip_ws(r + 1, end);
		}
		p = q + 1;
	}
	return NULL;
}

bool qr_head_has_key(const char *head, size_t n, const char *key)
{
	return key_value(head, n, key) != NULL;
}

/* An empty array starts at p. */
static bool empty_array_at(const char *p, const char *end)
{
	if (p >= end || *p != '[')
		return false;
	p = skip_ws(p + 1, end);
	return p < end && *p == ']';
}

bool qr_head_empty_array(const char *head, size_t n)
{
	const char *p = head, *end = head + n;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	return empty_array_at(skip_ws(p, end), end);
}

bool qr_head_key_empty(const char *head, size_t n, const char *key)
{
	const char *v = key_value(head, n, key);
	return v && empty_array_at(v, head + n);
}

int qr_page_result(const qr_posts *out, size_t bad, const char *first, const char *bad_prefix, const char *empty,
		   qr_buf *why)
{
	if (out->n)
		return QR_OK;
	if (bad) {
		qr_buf reason = QR_BUF_INIT;
		qr_buf_adds(&reason, first);
		qr_buf_setf(why, "%s%s", bad_prefix, reason.buf);
		qr_buf_release(&reason);
		return QR_BAD_INPUT;
	}
	qr_buf_setf(why, "%s", empty);
	return QR_SKIP;
}

const char *qr_head_hint(const char *head, size_t n)
{
	size_t lines = 0, i = 0;
	/* Dehydrated datasets: one numeric id a line, nothing else. */
	while (i < n) {
		size_t start = i;
		while (i < n && head[i] >= '0' && head[i] <= '9')
			i++;
		size_t digits = i - start;
		if (i < n && head[i] == '\r')
			i++;
		if (i < n && head[i] != '\n')
			break;
		if (digits == 0 || digits > 20)
			break;
		lines++;
		i++;
	}
	if (lines && i >= n)
		return "this is a list of post ids (a dehydrated dataset), not posts: hydrate it first, e.g. with "
		       "'twarc2 hydrate', and ingest the result";
	char c = qr_head_first(head, n);
	const char *nl = memchr(head, '\n', n);
	size_t first = nl ? (size_t)(nl - head) : n;
	size_t seps = 0;
	for (size_t k = 0; k < first; k++)
		seps += head[k] == ',' || head[k] == ';' || head[k] == '\t';
	if (c && c != '{' && c != '[' && c != '<' && seps >= 2)
		return "a CSV header that no mapping fits: give one with --mapping (see 'quire formats')";
	return NULL;
}

void qr_post_set_id(qr_post *p, const char *platform, const char *native_id)
{
	qr_set(&p->platform, platform);
	qr_set(&p->native_id, native_id);
	qr_post_set_ref(&p->id, platform, native_id);
}

void qr_post_set_ref(char **field, const char *platform, const char *native_id)
{
	qr_buf b = QR_BUF_INIT;
	qr_buf_setf(&b, "%s:%s", platform, native_id);
	qr_set(field, b.buf);
	qr_buf_release(&b);
}

void qr_post_metric_json(qr_post *p, const cJSON *o, const char *path, const char *name)
{
	int64_t v;
	if (qr_json_int(o, path, &v))
		qr_post_set_metric(p, name, v);
}

/* Letters, digits, marks and '_' of any script: what a hashtag is made of.
 * Below U+0080 only [A-Za-z0-9_]; above it everything except spaces and
 * the punctuation blocks. */
static bool tag_char(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_';
	if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) || cp == 0xFEFF ||
	    (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) || cp == 0xFFFD || (cp >= 0x80 && cp < 0xC0) ||
	    cp == 0xD7 || cp == 0xF7 || (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2190 && cp <= 0x2BFF))
		return false;
	return true;
}

/* The previous code point ends a word: a tag or mention may start here. */
static bool boundary_before(const char *text, const char *p)
{
	if (p == text)
		return true;
	unsigned char c = (unsigned char)p[-1];
	if (c < 0x80)
		return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
			 c == '&' || c == '/' || c == '#' || c == '@');
	/* Step back to the start of the UTF-8 sequence. */
	const char *q = p - 1;
	while (q > text && ((unsigned char)*q & 0xC0) == 0x80)
		q--;
	uint32_t cp;
	qr_utf8_decode(q, (size_t)(p - q), &cp);
	return !tag_char(cp);
}

void qr_extract_hashtags(const char *text, qr_strv *out)
{
	if (!text)
		return;
	size_t n = strlen(text);
	for (const char *p = text; (p = strpbrk(p, "#\xEF")); p++) {
		size_t mark = 1;
		/* The full-width number sign U+FF03 counts as '#'. */
		if ((unsigned char)*p == 0xEF) {
			if (strncmp(p, "\xEF\xBC\x83", 3) != 0)
				continue;
			mark = 3;
		}
		if (!boundary_before(text, p))
			continue;
		const char *s = p + mark, *e = s;
		bool letter = false;
		while (*e) {
			uint32_t cp;
			size_t l = qr_utf8_decode(e, n - (size_t)(e - text), &cp);
			if (!tag_char(cp))
				break;
			if (!(cp >= '0' && cp <= '9'))
				letter = true;
			e += l;
		}
		if (e > s && letter) {
			qr_buf b = QR_BUF_INIT;
			qr_buf_add(&b, s, (size_t)(e - s));
			qr_strv_push_unique(out, b.buf, true);
			qr_buf_release(&b);
		}
		p = e > p ? e - 1 : p;
	}
}

static bool handle_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == '-';
}

void qr_extract_mentions(const char *text, qr_strv *out)
{
	if (!text)
		return;
	for (const char *p = text; (p = strchr(p, '@')); p++) {
		if (!boundary_before(text, p))
			continue;
		const char *s = p + 1, *e = s;
		if (*s == '.' || *s == '-')
			continue;
		while (handle_char(*e))
			e++;
		/* '.' and '-' only inside: "@name." ends a sentence. */
		while (e > s && (e[-1] == '.' || e[-1] == '-'))
			e--;
		if (e > s && *e != '@') {
			qr_buf b = QR_BUF_INIT;
			qr_buf_add(&b, s, (size_t)(e - s));
			qr_strv_push_unique(out, b.buf, true);
			qr_buf_release(&b);
		}
		if (e > p)
			p = e - 1;
	}
}

void qr_extract_urls(const char *text, qr_strv *out)
{
	if (!text)
		return;
	for (const char *p = text; *p; p++) {
		if (!(qr_starts_with_ci(p, "http://") || qr_starts_with_ci(p, "https://")))
			continue;
		if (p > text && ((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z')))
			continue;
		const char *e = p;
		int parens = 0;
		while (*e && (unsigned char)*e > ' ' && *e != '"' && *e != '<' && *e != '>') {
			if (*e == '(')
				parens++;
			else if (*e == ')' && --parens < 0)
				break;
			e++;
		}
		/* Sentence punctuation after a link is not part of it. */
		while (e > p && strchr(".,;:!?'*]", e[-1]))
			e--;
		if ((size_t)(e - p) > strlen("https://")) {
			qr_buf b = QR_BUF_INIT;
			qr_buf_add(&b, p, (size_t)(e - p));
			qr_strv_push_unique(out, b.buf, false);
			qr_buf_release(&b);
		}
		if (e > p)
			p = e - 1;
	}
}
