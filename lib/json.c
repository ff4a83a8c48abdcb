#include "json.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* How deep in arrays and objects byte `off` is (strings skipped): cJSON
 * stops at its nesting limit with the same error as for a syntax error. */
static size_t nesting(const char *s, size_t off)
{
	size_t depth = 0;
	bool in_string = false;
	for (size_t i = 0; i < off; i++) {
		char c = s[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			depth++;
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
	}
	return depth;
}

/* ---- the scratch region (json.h) ---- */

#if defined(__SANITIZE_ADDRESS__)
#define SCRATCH 0 /* AddressSanitizer sees every allocation */
#else
#define SCRATCH 1
#endif

struct scratch {
	char *buf;
	size_t cap, used, overflow;
	bool on;
};

static _Thread_local struct scratch scratch;
static bool scratch_hooks;

static void *scratch_malloc(size_t n)
{
	struct scratch *s = &scratch;
	size_t need = (n + 15) & ~(size_t)15;
	if (s->on && need <= s->cap - s->used) {
		void *p = s->buf + s->used;
		s->used += need;
		return p;
	}
	if (s->on)
		s->overflow += need;
	return malloc(n);
}

static void scratch_free(void *p)
{
	struct scratch *s = &scratch;
	if (s->buf && (char *)p >= s->buf && (char *)p < s->buf + s->cap)
		return;
	free(p);
}

void qr_json_scratch_init(void)
{
	if (!SCRATCH || scratch_hooks)
		return;
	cJSON_Hooks hooks = { scratch_malloc, scratch_free };
	cJSON_InitHooks(&hooks);
	scratch_hooks = true;
}

void qr_json_scratch_begin(void)
{
	struct scratch *s = &scratch;
	if (!scratch_hooks)
		return;
	if (s->overflow && s->cap < (8u << 20)) {
		/* Grown between records, never under a live tree. */
		size_t cap = s->cap;
		while (cap < s->used + s->overflow && cap < (8u << 20))
			cap *= 2;
		free(s->buf);
		s->buf = qr_malloc(cap);
		s->cap = cap;
	} else if (!s->buf) {
		s->cap = 256u << 10;
		s->buf = qr_malloc(s->cap);
	}
	s->used = s->overflow = 0;
	s->on = true;
}

void qr_json_scratch_end(void)
{
	scratch.on = false;
}

cJSON *qr_json_parse(const char *s, size_t n, qr_buf *why)
{
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithLengthOpts(s, n, &end, false);
	if (v) {
		/* cJSON stops after the value: anything but blanks is an error. */
		size_t used = (size_t)(end - s);
		while (used < n && isspace((unsigned char)s[used]))
			used++;
		if (used == n)
			return v;
		cJSON_Delete(v);
		if (why)
			qr_buf_setf(why, "unexpected data after the JSON value at byte %zu", used);
		return NULL;
	}
	if (why) {
		/* cJSON reports where it failed through `end` as well (the global
		 * error pointer is not thread safe). */
		const char *at = end;
		if (at && at >= s && at <= s + n) {
			size_t off = (size_t)(at - s);
			if (nesting(s, off) >= CJSON_NESTING_LIMIT)
				qr_buf_setf(why, "JSON nested more than %d deep at byte %zu", CJSON_NESTING_LIMIT, off);
			else if (off >= n)
				qr_buf_setf(why, "invalid JSON: unexpected end of input at byte %zu", off);
			else
				qr_buf_setf(why, "invalid JSON at byte %zu", off);
		} else {
			qr_buf_setf(why, "invalid JSON");
		}
	}
	return NULL;
}

static const cJSON *get_last(const cJSON *obj, const char *key, size_t keylen)
{
	const cJSON *found = NULL;
	if (!cJSON_IsObject(obj))
		return NULL;
	for (const cJSON *c = obj->child; c; c = c->next)
		if (c->string && c->string[0] == key[0] && strncmp(c->string, key, keylen) == 0 &&
		    c->string[keylen] == '\0')
			found = c;
	return found;
}

const cJSON *qr_json_get(const cJSON *obj, const char *path)
{
	const cJSON *cur = obj;
	while (cur && *path) {
		size_t n = strcspn(path, ".");
		cur = get_last(cur, path, n);
		path += n;
		if (*path == '.')
			path++;
	}
	return cur;
}

const char *qr_json_str(const cJSON *obj, const char *path)
{
	const cJSON *v = qr_json_get(obj, path);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool qr_json_id(const cJSON *obj, const char *path, qr_buf *out)
{
	const cJSON *v = qr_json_get(obj, path);
	qr_buf_reset(out);
	if (cJSON_IsString(v) && v->valuestring[0]) {
		qr_buf_adds(out, v->valuestring);
		return true;
	}
	/* A number is exact only below 2^53: use it only then. */
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9007199254740992.0 &&
	    v->valuedouble == floor(v->valuedouble)) {
		qr_buf_addf(out, "%.0f", v->valuedouble);
		return true;
	}
	return false;
}

bool qr_json_int(const cJSON *obj, const char *path, int64_t *out)
{
	const cJSON *v = qr_json_get(obj, path);
	if (cJSON_IsNumber(v)) {
		/* cJSON keeps numbers as doubles: past 2^53 the value read may
		 * not be the integer written, so it is refused. */
		double d = v->valuedouble;
		if (!isfinite(d) || d != floor(d) || d < -9007199254740992.0 || d > 9007199254740992.0)
			return false;
		*out = (int64_t)d;
		return true;
	}
	if (cJSON_IsString(v) && v->valuestring[0]) {
		char *end;
		errno = 0;
		long long x = strtoll(v->valuestring, &end, 10);
		if (errno || *end)
			return false;
		*out = x;
		return true;
	}
	return false;
}

bool qr_json_true(const cJSON *obj, const char *path)
{
	return cJSON_IsTrue(qr_json_get(obj, path));
}

void qr_json_quote(qr_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run = 0;
	qr_buf_grow(out, n + 2);
	qr_buf_addch(out, '"');
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		qr_buf_add(out, s + i - run, run);
		run = 0;
		if (c < 0x80) {
			switch (c) {
			case '"': qr_buf_adds(out, "\\\""); break;
			case '\\': qr_buf_adds(out, "\\\\"); break;
			case '\n': qr_buf_adds(out, "\\n"); break;
			case '\r': qr_buf_adds(out, "\\r"); break;
			case '\t': qr_buf_adds(out, "\\t"); break;
			case '\b': qr_buf_adds(out, "\\b"); break;
			case '\f': qr_buf_adds(out, "\\f"); break;
			default: {
				char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				qr_buf_add(out, e, 6);
			}
			}
			i++;
			continue;
		}
		uint32_t cp;
		size_t l = qr_utf8_decode(s + i, n - i, &cp);
		if (cp == 0xFFFD && l == 1)
			qr_buf_adds(out, "\\ufffd");
		else if (cp == 0x2028 || cp == 0x2029 || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
			 (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C)
			/* Line separators, C1 and bidi controls as escapes: the same
			 * string to a parser, and inert when printed to a terminal. */
			qr_buf_addf(out, "\\u%04x", (unsigned)cp);
		else
			qr_buf_add(out, s + i, l);
		i += l;
	}
	qr_buf_add(out, s + i - run, run);
	qr_buf_addch(out, '"');
}

void qr_jw_init(qr_jw *w, qr_buf *out, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->pretty = pretty;
}

static void indent(qr_jw *w)
{
	qr_buf_addch(w->out, '\n');
	for (int i = 0; i < w->depth; i++)
		qr_buf_adds(w->out, "  ");
}

/* Separator and indentation before a value or a key. */
static void before_item(qr_jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	int d = w->depth < 64 ? w->depth : 63;
	if (w->need_comma[d])
		qr_buf_addch(w->out, ',');
	w->need_comma[d] = true;
	if (w->pretty && w->depth > 0)
		indent(w);
}

static void open_container(qr_jw *w, char c)
{
	before_item(w);
	qr_buf_addch(w->out, c);
	w->depth++;
	if (w->depth < 64)
		w->need_comma[w->depth] = false;
}

static void close_container(qr_jw *w, char c)
{
	int d = w->depth < 64 ? w->depth : 63;
	bool had_items = w->need_comma[d];
	w->depth--;
	if (w->pretty && had_items)
		indent(w);
	qr_buf_addch(w->out, c);
}

void qr_jw_begin_object(qr_jw *w) { open_container(w, '{'); }
void qr_jw_end_object(qr_jw *w) { close_container(w, '}'); }
void qr_jw_begin_array(qr_jw *w) { open_container(w, '['); }
void qr_jw_end_array(qr_jw *w) { close_container(w, ']'); }

void qr_jw_key(qr_jw *w, const char *key)
{
	before_item(w);
	qr_json_quote(w->out, key, strlen(key));
	qr_buf_adds(w->out, w->pretty ? ": " : ":");
	w->after_key = true;
}

void qr_jw_stringn(qr_jw *w, const char *s, size_t n)
{
	before_item(w);
	qr_json_quote(w->out, s, n);
}

void qr_jw_string(qr_jw *w, const char *s)
{
	if (!s) {
		qr_jw_null(w);
		return;
	}
	qr_jw_stringn(w, s, strlen(s));
}

void qr_jw_int(qr_jw *w, int64_t v)
{
	before_item(w);
	qr_buf_addf(w->out, "%lld", (long long)v);
}

void qr_jw_double(qr_jw *w, double v)
{
	before_item(w);
	if (!isfinite(v)) {
		qr_buf_adds(w->out, "null");
		return;
	}
	/* The shortest form that reads back as the same double: %.17g always
	 * does, but prints 0.004 as 0.0040000000000000001. */
	char tmp[40];
	if (v == floor(v) && fabs(v) < 1e17) {
		/* Whole numbers in full: 1230000, not 1.23e+06. */
		snprintf(tmp, sizeof(tmp), "%.0f", v);
	} else {
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
			if (strtod(tmp, NULL) == v)
				break;
		}
	}
	qr_buf_adds(w->out, tmp);
}

void qr_jw_bool(qr_jw *w, bool v)
{
	before_item(w);
	qr_buf_adds(w->out, v ? "true" : "false");
}

void qr_jw_null(qr_jw *w)
{
	before_item(w);
	qr_buf_adds(w->out, "null");
}

void qr_jw_raw(qr_jw *w, const char *json, size_t n)
{
	before_item(w);
	qr_buf_add(w->out, json, n);
}

void qr_jw_kstr(qr_jw *w, const char *key, const char *s)
{
	if (!s)
		return;
	qr_jw_key(w, key);
	qr_jw_string(w, s);
}

void qr_jw_kint(qr_jw *w, const char *key, int64_t v)
{
	qr_jw_key(w, key);
	qr_jw_int(w, v);
}
