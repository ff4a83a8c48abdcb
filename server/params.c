#include "params.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "text.h"

const sv_filter sv_filters[] = {
	{ "hashtag", "hashtag", "hashtag" }, { "author", "from", "author" }, { "mention", "mention", "mention" },
	{ "media", "media", "media" },       { "event", "event", "event" },  { "tag", "tag", "code" },
	{ "platform", "platform", "platform" }, { "kind", "is", "kind" },   { "lang", "lang", "language" },
	{ "domain", "domain", "domain" },    { NULL, NULL, NULL },
};

const sv_filter *sv_filter_named(const char *param)
{
	for (const sv_filter *f = sv_filters; f->param; f++)
		if (strcmp(f->param, param) == 0)
			return f;
	return NULL;
}

void sv_params_add(sv_params *p, const char *key, const char *value)
{
	p->v = qr_grow_array(p->v, sizeof(*p->v), p->n + 1, &p->alloc);
	p->v[p->n].key = qr_strdup(key);
	p->v[p->n].value = qr_strdup(value ? value : "");
	p->n++;
}

void sv_params_clear(sv_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].value);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

void sv_params_copy(sv_params *to, const sv_params *from)
{
	sv_params_clear(to);
	for (size_t i = 0; i < from->n; i++)
		sv_params_add(to, from->v[i].key, from->v[i].value);
}

const char *sv_params_get(const sv_params *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].key, key) == 0)
			return p->v[i].value;
	return NULL;
}

bool sv_params_flag(const sv_params *p, const char *key, bool dflt)
{
	const char *v = sv_params_get(p, key);
	if (!v || !*v)
		return dflt;
	return !(strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "off") == 0);
}

void sv_params_del(sv_params *p, const char *key, const char *value)
{
	size_t out = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].key, key) == 0 && (!value || strcmp(p->v[i].value, value) == 0)) {
			free(p->v[i].key);
			free(p->v[i].value);
			continue;
		}
		p->v[out++] = p->v[i];
	}
	p->n = out;
}

void sv_params_set(sv_params *p, const char *key, const char *value)
{
	sv_params_del(p, key, NULL);
	if (value && *value)
		sv_params_add(p, key, value);
}

bool sv_params_has(const sv_params *p, const char *key, const char *value)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].key, key) == 0 && strcmp(p->v[i].value, value) == 0)
			return true;
	return false;
}

void sv_params_href(qr_buf *out, const char *path, const sv_params *p)
{
	qr_buf_adds(out, path);
	char sep = '?';
	for (size_t i = 0; i < p->n; i++) {
		if (!*p->v[i].value)
			continue;
		qr_buf_addch(out, sep);
		sv_url_part(out, p->v[i].key);
		qr_buf_addch(out, '=');
		sv_url_part(out, p->v[i].value);
		sep = '&';
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One form-encoded part: '+' is a space, %XX a byte (a NUL byte is not
 * taken). */
static bool form_decode(qr_buf *out, const char *s, size_t n)
{
	qr_buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			qr_buf_addch(out, ' ');
		} else if (s[i] == '%') {
			if (i + 2 >= n)
				return false;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return false;
			qr_buf_addch(out, hi * 16 + lo);
			i += 2;
		} else {
			qr_buf_addch(out, s[i]);
		}
	}
	return true;
}

bool sv_params_parse_form(sv_params *p, const char *body, size_t len)
{
	qr_buf key = QR_BUF_INIT, value = QR_BUF_INIT;
	bool ok = true;
	size_t i = 0;
	while (ok && i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		size_t eq = i;
		while (eq < end && body[eq] != '=')
			eq++;
		if (end > i) {
			ok = form_decode(&key, body + i, eq - i) &&
			     form_decode(&value, body + eq + (eq < end), end - eq - (eq < end));
			if (ok)
				sv_params_add(p, key.buf, value.buf);
		}
		i = end + 1;
	}
	qr_buf_release(&key);
	qr_buf_release(&value);
	return ok;
}

bool sv_filter_value_ok(const char *value)
{
	if (!value || !*value || strchr(value, '"'))
		return false;
	for (const unsigned char *s = (const unsigned char *)value; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static void add_value(qr_buf *text, const char *v)
{
	bool quote = false;
	for (const char *s = v; *s && !quote; s++)
		quote = *s == ' ' || *s == '(' || *s == ')';
	if (quote)
		qr_buf_addf(text, "\"%s\"", v);
	else
		qr_buf_adds(text, v);
}

bool sv_compose_query(const sv_params *p, qr_buf *text, qr_buf *why)
{
	const char *q = sv_params_get(p, "q");
	while (q && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
		q++;
	size_t qlen = q ? strlen(q) : 0;
	while (qlen && (q[qlen - 1] == ' ' || q[qlen - 1] == '\t' || q[qlen - 1] == '\n' || q[qlen - 1] == '\r'))
		qlen--;
	bool filtered = false;
	for (size_t i = 0; i < p->n && !filtered; i++)
		filtered = sv_filter_named(p->v[i].key) && *p->v[i].value;
	qr_buf_reset(text);
	/* The user's query in brackets, so that its ORs stay its own. */
	if (qlen && filtered)
		qr_buf_addf(text, "(%.*s)", (int)qlen, q);
	else if (qlen)
		qr_buf_add(text, q, qlen);
	for (size_t i = 0; i < p->n; i++) {
		const sv_filter *f = sv_filter_named(p->v[i].key);
		if (!f || !*p->v[i].value)
			continue;
		if (!sv_filter_value_ok(p->v[i].value)) {
			qr_buf_setf(why, "the %s filter cannot hold a double quote or a control character", f->label);
			return false;
		}
		qr_buf_addf(text, "%s%s:", text->len ? " " : "", f->field);
		add_value(text, p->v[i].value);
	}
	return true;
}
