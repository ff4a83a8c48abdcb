#include "mapping.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hash.h"
#include "io.h"
#include "reader_util.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

/* How one field of the post is found in a row or an object. */
struct spec {
	bool set;
	qr_strv from;          /* columns or JSON paths: the first with a value wins */
	char *value;           /* constant, or default when from finds nothing */
	char *join;            /* join every value found with this, instead of taking the first */
	char *split;           /* split each value on this into several */
	bool json;             /* the cell holds JSON; `path` walks into it */
	char *path;
	char *pattern;         /* POSIX extended regex; `group` is the part kept */
	int group;
	bool keep_unmatched;
	regex_t re;
	char *format;          /* times: iso8601, unix, unix_ms, twitter, or a strptime pattern */
	char *zone;            /* times without their own zone: tz name or +hh:mm */
	qr_kvv zones;          /* zone words after a time ("EDT") and what they mean */
	char *template;        /* URLs: {value}, {native_id}, {author_handle}, {author_id}, {platform} */
	bool from_text;        /* hashtags, mentions, urls: also those found in the text */
	char *type;            /* media: photo, video, gif, audio, file; default from the URL */
	char *strip;           /* leading characters to drop ("#", "@") */
	bool unescape;         /* \n \t \r \\ written out as two characters */
	bool html;             /* HTML character references */
	bool lowercase;
};

enum {
	F_ID, F_PLATFORM, F_CREATED, F_AUTHOR_ID, F_AUTHOR_HANDLE, F_AUTHOR_NAME, F_TEXT, F_LANG, F_URL, F_KIND,
	F_REPLY_TO, F_REPOST_OF, F_QUOTE_OF, F_HASHTAGS, F_MENTIONS, F_URLS, F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"id",   "platform", "created_at", "author_id", "author_handle", "author_name", "text",     "lang",
	"url",  "kind",     "reply_to",   "repost_of", "quote_of",      "hashtags",    "mentions", "urls",
};

struct named {
	char *name;
	struct spec s;
};

struct qr_mapping {
	char *name, *description, *input;
	char sep;
	char sha[QR_SHA256_HEX];
	qr_strv require;
	struct spec f[F_COUNT];
	struct spec *media;
	size_t nmedia;
	struct named *metrics, *extra;
	size_t nmetrics, nextra;
};

/* ---- reading a mapping ---- */

static void spec_free(struct spec *s)
{
	qr_strv_clear(&s->from);
	free(s->value);
	free(s->join);
	free(s->split);
	free(s->path);
	if (s->pattern)
		regfree(&s->re);
	free(s->pattern);
	free(s->format);
	free(s->zone);
	qr_kvv_clear(&s->zones);
	free(s->template);
	free(s->type);
	free(s->strip);
	memset(s, 0, sizeof(*s));
}

void qr_mapping_free(qr_mapping *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->description);
	free(m->input);
	qr_strv_clear(&m->require);
	for (int i = 0; i < F_COUNT; i++)
		spec_free(&m->f[i]);
	for (size_t i = 0; i < m->nmedia; i++)
		spec_free(&m->media[i]);
	free(m->media);
	for (size_t i = 0; i < m->nmetrics; i++) {
		free(m->metrics[i].name);
		spec_free(&m->metrics[i].s);
	}
	free(m->metrics);
	for (size_t i = 0; i < m->nextra; i++) {
		free(m->extra[i].name);
		spec_free(&m->extra[i].s);
	}
	free(m->extra);
	free(m);
}

static bool opt_string(const cJSON *o, const char *key, char **out, const char *where, qr_buf *why)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v)
		return true;
	if (!cJSON_IsString(v)) {
		qr_buf_setf(why, "%s.%s must be a string", where, key);
		return false;
	}
	qr_set(out, v->valuestring);
	return true;
}

static bool opt_bool(const cJSON *o, const char *key, bool *out, const char *where, qr_buf *why)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v)
		return true;
	if (!cJSON_IsBool(v)) {
		qr_buf_setf(why, "%s.%s must be true or false", where, key);
		return false;
	}
	*out = cJSON_IsTrue(v);
	return true;
}

static bool known_time_format(const char *f)
{
	return strcmp(f, "iso8601") == 0 || strcmp(f, "unix") == 0 || strcmp(f, "unix_ms") == 0 ||
	       strcmp(f, "twitter") == 0 || strchr(f, '%');
}

/* A zone: a tz database name or a fixed offset (+hh:mm, -hhmm, Z). */
static bool fixed_offset(const char *z, int *off)
{
	if (strcmp(z, "Z") == 0 || strcmp(z, "UTC") == 0 || strcmp(z, "GMT") == 0) {
		*off = 0;
		return true;
	}
	if ((z[0] != '+' && z[0] != '-') || strlen(z) < 3)
		return false;
	int hh, mm = 0;
	const char *p = z + 1;
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return false;
	hh = (p[0] - '0') * 10 + (p[1] - '0');
	p += 2;
	if (*p == ':')
		p++;
	if (*p) {
		if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || p[2])
			return false;
		mm = (p[0] - '0') * 10 + (p[1] - '0');
	}
	if (hh > 23 || mm > 59)
		return false;
	*off = (z[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
	return true;
}

static bool valid_zone(const char *z)
{
	int off;
	return fixed_offset(z, &off) || qr_tz_valid(z);
}

static bool parse_spec(const cJSON *v, struct spec *s, const char *where, qr_buf *why)
{
	static const char *keys[] = { "from",    "value",  "join",     "split",  "json",     "path",    "pattern",
				      "group",   "keep_unmatched", "format", "zone", "zones",   "template",
				      "from_text", "type",  "strip",    "unescape", "html",   "lowercase" };
	s->set = true;
	if (cJSON_IsString(v)) {
		qr_strv_push(&s->from, v->valuestring);
		return true;
	}
	if (!cJSON_IsObject(v)) {
		qr_buf_setf(why, "%s must be a column or path name, or an object", where);
		return false;
	}
	for (const cJSON *c = v->child; c; c = c->next) {
		bool ok = false;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(c->string, keys[i]) == 0)
				ok = true;
		if (!ok) {
			qr_buf_setf(why, "%s: unknown key '%s'", where, c->string);
			return false;
		}
	}
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(v, "from"), *e;
	if (cJSON_IsString(from)) {
		qr_strv_push(&s->from, from->valuestring);
	} else if (cJSON_IsArray(from)) {
		cJSON_ArrayForEach(e, from) {
			if (!cJSON_IsString(e)) {
				qr_buf_setf(why, "%s.from must list names (strings)", where);
				return false;
			}
			qr_strv_push(&s->from, e->valuestring);
		}
	} else if (from) {
		qr_buf_setf(why, "%s.from must be a name or a list of names", where);
		return false;
	}
	if (!opt_string(v, "value", &s->value, where, why) || !opt_string(v, "join", &s->join, where, why) ||
	    !opt_string(v, "split", &s->split, where, why) || !opt_bool(v, "json", &s->json, where, why) ||
	    !opt_string(v, "path", &s->path, where, why) || !opt_string(v, "pattern", &s->pattern, where, why) ||
	    !opt_bool(v, "keep_unmatched", &s->keep_unmatched, where, why) ||
	    !opt_string(v, "format", &s->format, where, why) || !opt_string(v, "zone", &s->zone, where, why) ||
	    !opt_string(v, "template", &s->template, where, why) ||
	    !opt_bool(v, "from_text", &s->from_text, where, why) || !opt_string(v, "type", &s->type, where, why) ||
	    !opt_string(v, "strip", &s->strip, where, why) || !opt_bool(v, "unescape", &s->unescape, where, why) ||
	    !opt_bool(v, "html", &s->html, where, why) || !opt_bool(v, "lowercase", &s->lowercase, where, why))
		return false;
	if (s->split && !*s->split) {
		qr_buf_setf(why, "%s.split must not be empty", where);
		return false;
	}
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(v, "group");
	if (g && (!cJSON_IsNumber(g) || g->valuedouble < 0 || g->valuedouble > 9 || g->valuedouble != floor(g->valuedouble))) {
		qr_buf_setf(why, "%s.group must be a number from 0 to 9", where);
		return false;
	}
	s->group = g ? (int)g->valuedouble : (s->pattern ? 1 : 0);
	if (s->pattern) {
		int rc = regcomp(&s->re, s->pattern, REG_EXTENDED);
		if (rc) {
			char msg[128];
			regerror(rc, &s->re, msg, sizeof(msg));
			free(s->pattern);
			s->pattern = NULL;
			qr_buf_setf(why, "%s.pattern: %s", where, msg);
			return false;
		}
		if (s->group > (int)s->re.re_nsub) {
			qr_buf_setf(why, "%s.group %d: the pattern has %zu groups", where, s->group, s->re.re_nsub);
			return false;
		}
	}
	if (s->format && !known_time_format(s->format)) {
		qr_buf_setf(why, "%s.format '%s': use iso8601, unix, unix_ms, twitter or a strptime pattern", where,
			    s->format);
		return false;
	}
	if (s->zone && !valid_zone(s->zone)) {
		qr_buf_setf(why, "%s.zone '%s' is neither a tz database name nor an offset like +02:00", where, s->zone);
		return false;
	}
	const cJSON *zs = cJSON_GetObjectItemCaseSensitive(v, "zones");
	if (zs && !cJSON_IsObject(zs)) {
		qr_buf_setf(why, "%s.zones must map zone words to zones", where);
		return false;
	}
	cJSON_ArrayForEach(e, zs) {
		if (!cJSON_IsString(e) || !valid_zone(e->valuestring)) {
			qr_buf_setf(why, "%s.zones.%s must be a tz database name or an offset like -04:00", where, e->string);
			return false;
		}
		qr_kvv_set(&s->zones, e->string, e->valuestring);
	}
	const qr_media_kind *kind = s->type ? qr_media_kind_find(s->type, strlen(s->type)) : NULL;
	if (s->type && (!kind || strcmp(kind->name, s->type) != 0)) {
		qr_buf_setf(why, "%s.type '%s': use one of ", where, s->type);
		for (const qr_media_kind *k = qr_media_kinds; k->name; k++)
			qr_buf_addf(why, "%s%s", k == qr_media_kinds ? "" : k[1].name ? ", " : " or ", k->name);
		return false;
	}
	if (!s->from.n && !s->value && !s->template && !s->from_text) {
		qr_buf_setf(why, "%s needs 'from', 'value', 'template' or 'from_text'", where);
		return false;
	}
	return true;
}

static bool parse_named(const cJSON *obj, struct named **out, size_t *n, const char *where, qr_buf *why)
{
	const cJSON *c;
	qr_buf w = QR_BUF_INIT;
	bool ok = true;
	if (obj && !cJSON_IsObject(obj)) {
		qr_buf_setf(why, "%s must be an object of names", where);
		return false;
	}
	cJSON_ArrayForEach(c, obj) {
		*out = qr_realloc(*out, (*n + 1) * sizeof(**out));
		struct named *nm = &(*out)[(*n)++];
		memset(nm, 0, sizeof(*nm));
		nm->name = qr_strdup(c->string);
		qr_buf_setf(&w, "%s.%s", where, c->string);
		if (!parse_spec(c, &nm->s, w.buf, why)) {
			ok = false;
			break;
		}
	}
	qr_buf_release(&w);
	return ok;
}

int qr_mapping_parse(const char *json, size_t n, const char *origin, qr_mapping **out, qr_buf *why)
{
	static const char *top[] = { "$schema", "name", "description", "input", "csv", "require",
				     "fields",  "media", "metrics",     "extra" };
	qr_buf detail = QR_BUF_INIT, w = QR_BUF_INIT;
	qr_mapping *m = qr_calloc(1, sizeof(*m));
	cJSON *root = qr_json_parse(json, n, &detail);
	int st = QR_BAD_INPUT;
	*out = NULL;
	if (!root) {
		qr_buf_setf(why, "%s", detail.buf);
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		qr_buf_setf(why, "a mapping is a JSON object");
		goto out;
	}
	for (const cJSON *c = root->child; c; c = c->next) {
		bool ok = false;
		for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
			if (strcmp(c->string, top[i]) == 0)
				ok = true;
		if (!ok) {
			qr_buf_setf(why, "unknown key '%s'", c->string);
			goto out;
		}
	}
	if (!opt_string(root, "name", &m->name, "mapping", why) ||
	    !opt_string(root, "description", &m->description, "mapping", why) ||
	    !opt_string(root, "input", &m->input, "mapping", why))
		goto out;
	if (!m->name || !*m->name) {
		qr_buf_setf(why, "a mapping needs a name");
		goto out;
	}
	if (!m->input || (strcmp(m->input, "csv") != 0 && strcmp(m->input, "jsonl") != 0)) {
		qr_buf_setf(why, "input must be \"csv\" or \"jsonl\"");
		goto out;
	}
	const cJSON *csv = cJSON_GetObjectItemCaseSensitive(root, "csv");
	if (csv) {
		const char *sep = qr_json_str(csv, "separator");
		if (!cJSON_IsObject(csv) || (qr_json_get(csv, "separator") && !sep)) {
			qr_buf_setf(why, "csv must be {\"separator\": \",\"}");
			goto out;
		}
		if (sep && strcmp(sep, "auto") != 0) {
			if (strlen(sep) != 1 || sep[0] == '"' || sep[0] == '\n' || sep[0] == '\r') {
				qr_buf_setf(why, "csv.separator must be one character (or \"auto\")");
				goto out;
			}
			m->sep = sep[0];
		}
	}
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(root, "require"), *e;
	cJSON_ArrayForEach(e, req) {
		if (!cJSON_IsString(e)) {
			qr_buf_setf(why, "require must list names");
			goto out;
		}
		qr_strv_push(&m->require, e->valuestring);
	}
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(root, "fields");
	if (!cJSON_IsObject(fields)) {
		qr_buf_setf(why, "fields must be an object");
		goto out;
	}
	for (const cJSON *c = fields->child; c; c = c->next) {
		int k = -1;
		for (int i = 0; i < F_COUNT; i++)
			if (strcmp(c->string, field_names[i]) == 0)
				k = i;
		if (k < 0) {
			qr_buf_setf(why, "fields: unknown field '%s' (media, metrics and extra go beside fields)", c->string);
			goto out;
		}
		qr_buf_setf(&w, "fields.%s", c->string);
		spec_free(&m->f[k]);
		if (!parse_spec(c, &m->f[k], w.buf, why))
			goto out;
	}
	if (!m->f[F_ID].set) {
		qr_buf_setf(why, "fields.id is required");
		goto out;
	}
	if (!m->f[F_PLATFORM].set) {
		qr_buf_setf(why, "fields.platform is required (e.g. {\"value\": \"facebook\"})");
		goto out;
	}
	if (!m->require.n)
		for (size_t i = 0; i < m->f[F_ID].from.n; i++)
			qr_strv_push(&m->require, m->f[F_ID].from.v[i]);
	const cJSON *media = cJSON_GetObjectItemCaseSensitive(root, "media");
	if (media) {
		/* One spec, or a list of them. */
		bool many = cJSON_IsArray(media);
		size_t count = many ? (size_t)cJSON_GetArraySize(media) : 1;
		for (size_t i = 0; i < count; i++) {
			m->media = qr_realloc(m->media, (m->nmedia + 1) * sizeof(*m->media));
			memset(&m->media[m->nmedia], 0, sizeof(*m->media));
			qr_buf_setf(&w, many ? "media[%zu]" : "media", i);
			if (!parse_spec(many ? cJSON_GetArrayItem(media, (int)i) : media, &m->media[m->nmedia++], w.buf, why))
				goto out;
		}
	}
	if (!parse_named(cJSON_GetObjectItemCaseSensitive(root, "metrics"), &m->metrics, &m->nmetrics, "metrics", why) ||
	    !parse_named(cJSON_GetObjectItemCaseSensitive(root, "extra"), &m->extra, &m->nextra, "extra", why))
		goto out;
	uint8_t sha[QR_SHA256_LEN];
	qr_sha256(json, n, sha);
	qr_hex(sha, QR_SHA256_LEN, m->sha);
	*out = m;
	m = NULL;
	st = QR_OK;
out:
	if (st && origin) {
		qr_buf_setf(&detail, "%s", why->buf);
		qr_buf_setf(why, "mapping '%s': %s", origin, detail.buf);
	}
	cJSON_Delete(root);
	qr_mapping_free(m);
	qr_buf_release(&detail);
	qr_buf_release(&w);
	return st;
}

int qr_mapping_load(const char *path, qr_mapping **out, qr_buf *why)
{
	qr_buf data = QR_BUF_INIT;
	*out = NULL;
	int st = qr_io_read_file(path, 1 << 20, &data, why);
	if (st == 0)
		st = qr_mapping_parse(data.buf, data.len, path, out, why);
	qr_buf_release(&data);
	return st ? QR_BAD_INPUT : 0;
}

const char *qr_mapping_name(const qr_mapping *m)
{
	return m->name;
}

const char *qr_mapping_description(const qr_mapping *m)
{
	return m->description ? m->description : "";
}

const char *qr_mapping_input(const qr_mapping *m)
{
	return m->input;
}

char qr_mapping_separator(const qr_mapping *m)
{
	return m->sep;
}

/* ---- which mapping ---- */

static const qr_mapping *user_mapping;

void qr_mapping_use(const qr_mapping *m)
{
	user_mapping = m;
}

const qr_mapping *qr_mapping_user(void)
{
	return user_mapping;
}

/* The shipped documents (mapping_builtin.c). */
extern const char *const qr_mapping_builtin_docs[];

static qr_mapping **builtins;
static size_t nbuiltins;

static void load_builtins(void)
{
	if (builtins)
		return;
	size_t n = 0;
	while (qr_mapping_builtin_docs[n])
		n++;
	builtins = qr_calloc(n + 1, sizeof(*builtins));
	for (size_t i = 0; i < n; i++) {
		qr_buf why = QR_BUF_INIT;
		qr_mapping *m;
		if (qr_mapping_parse(qr_mapping_builtin_docs[i], strlen(qr_mapping_builtin_docs[i]), "built in", &m, &why) == 0)
			builtins[nbuiltins++] = m;
		else
			fprintf(stderr, "quire: a shipped mapping is broken: %s\n", why.buf);
		qr_buf_release(&why);
	}
}

const qr_mapping *qr_mapping_builtin(size_t i)
{
	load_builtins();
	return i < nbuiltins ? builtins[i] : NULL;
}

static bool has_column(char *const *names, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], want) == 0)
			return true;
	return false;
}

static bool fits_columns(const qr_mapping *m, char *const *names, size_t n)
{
	if (strcmp(m->input, "csv") != 0)
		return false;
	for (size_t i = 0; i < m->require.n; i++)
		if (!has_column(names, n, m->require.v[i]))
			return false;
	return true;
}

const qr_mapping *qr_mapping_for_columns(char *const *names, size_t n)
{
	if (user_mapping && fits_columns(user_mapping, names, n))
		return user_mapping;
	const qr_mapping *m;
	for (size_t i = 0; (m = qr_mapping_builtin(i)); i++)
		if (fits_columns(m, names, n))
			return m;
	return NULL;
}

static void json_leaves(const cJSON *node, const char *path, qr_strv *out);

const qr_mapping *qr_mapping_for_json(const cJSON *obj)
{
	const qr_mapping *m = user_mapping;
	if (!m || strcmp(m->input, "jsonl") != 0)
		return NULL;
	for (size_t i = 0; i < m->require.n; i++) {
		qr_strv got = { 0 };
		json_leaves(obj, m->require.v[i], &got);
		size_t found = got.n;
		qr_strv_clear(&got);
		if (!found)
			return NULL;
	}
	return m;
}

bool qr_mapping_json_head(const char *head, size_t n)
{
	const qr_mapping *m = user_mapping;
	if (!m || strcmp(m->input, "jsonl") != 0)
		return false;
	/* The first key of every required path must show in the first bytes. */
	for (size_t i = 0; i < m->require.n; i++) {
		const char *p = m->require.v[i];
		size_t k = strcspn(p, ".[");
		qr_buf key = QR_BUF_INIT;
		qr_buf_add(&key, p, k);
		bool ok = qr_head_has_key(head, n, key.buf);
		qr_buf_release(&key);
		if (!ok)
			return false;
	}
	return true;
}

/* ---- values ---- */

/* The leaves under a path: "a.b", "a[].b", "a[0].b"; a key applied to an
 * array applies to each element.  Strings, numbers and booleans count. */
static void json_leaves(const cJSON *node, const char *path, qr_strv *out)
{
	if (!node || cJSON_IsNull(node))
		return;
	if (!*path) {
		char num[64];
		if (cJSON_IsString(node)) {
			qr_strv_push(out, node->valuestring);
		} else if (cJSON_IsNumber(node)) {
			double d = node->valuedouble;
			if (d == floor(d) && fabs(d) < 9007199254740992.0)
				snprintf(num, sizeof(num), "%.0f", d);
			else
				snprintf(num, sizeof(num), "%.17g", d);
			qr_strv_push(out, num);
		} else if (cJSON_IsBool(node)) {
			qr_strv_push(out, cJSON_IsTrue(node) ? "true" : "false");
		} else if (cJSON_IsArray(node)) {
			const cJSON *e;
			cJSON_ArrayForEach(e, node)
				if (!cJSON_IsArray(e) && !cJSON_IsObject(e))
					json_leaves(e, "", out);
		}
		return;
	}
	if (*path == '[') {
		const char *close = strchr(path, ']');
		if (!close)
			return;
		const char *rest = close + 1;
		if (*rest == '.')
			rest++;
		if (close == path + 1) {
			const cJSON *e;
			cJSON_ArrayForEach(e, node)
				json_leaves(e, rest, out);
		} else {
			char *end;
			unsigned long i = strtoul(path + 1, &end, 10);
			if (end == close && cJSON_IsArray(node) && i < (unsigned long)cJSON_GetArraySize(node))
				json_leaves(cJSON_GetArrayItem(node, (int)i), rest, out);
		}
		return;
	}
	if (cJSON_IsArray(node)) {
		const cJSON *e;
		cJSON_ArrayForEach(e, node)
			json_leaves(e, path, out);
		return;
	}
	size_t k = strcspn(path, ".[");
	const cJSON *found = NULL;
	if (cJSON_IsObject(node))
		for (const cJSON *c = node->child; c; c = c->next)
			if (c->string && strlen(c->string) == k && memcmp(c->string, path, k) == 0)
				found = c; /* the last duplicate wins */
	const char *rest = path + k;
	if (*rest == '.')
		rest++;
	json_leaves(found, rest, out);
}

struct src {
	char *const *names;
	char *const *values;
	size_t n;
	const cJSON *obj;
};

static void raw_values(const struct src *s, const char *from, qr_strv *out)
{
	if (s->obj) {
		json_leaves(s->obj, from, out);
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->names[i], from) == 0) {
			if (s->values[i] && s->values[i][0])
				qr_strv_push(out, s->values[i]);
			return;
		}
	}
}

static void unescape(qr_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			char c = s[1];
			if (c == 'n' || c == 't' || c == 'r' || c == '\\') {
				qr_buf_addch(b, c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : '\\');
				s++;
				continue;
			}
		}
		qr_buf_addch(b, *s);
	}
}

/* One value through the spec's transformations; false when it drops out. */
static bool transform(const struct spec *sp, const char *in, qr_buf *out)
{
	qr_buf a = QR_BUF_INIT;
	qr_buf_reset(out);
	if (sp->unescape)
		unescape(&a, in);
	else
		qr_buf_adds(&a, in);
	if (sp->html) {
		qr_html_decode(out, a.buf, a.len);
		qr_buf_reset(&a);
		qr_buf_add(&a, out->buf, out->len);
		qr_buf_reset(out);
	}
	const char *v = a.buf;
	if (sp->strip)
		while (*v && strchr(sp->strip, *v))
			v++;
	bool keep = true;
	if (sp->pattern) {
		regmatch_t mt[10];
		if (regexec(&sp->re, v, 10, mt, 0) == 0 && mt[sp->group].rm_so >= 0) {
			qr_buf_add(out, v + mt[sp->group].rm_so, (size_t)(mt[sp->group].rm_eo - mt[sp->group].rm_so));
		} else if (sp->keep_unmatched) {
			qr_buf_adds(out, v);
		} else {
			keep = false;
		}
	} else {
		qr_buf_adds(out, v);
	}
	if (sp->lowercase) {
		qr_buf low = QR_BUF_INIT;
		qr_casefold(&low, out->buf, out->len);
		qr_buf_reset(out);
		qr_buf_add(out, low.buf, low.len);
		qr_buf_release(&low);
	}
	qr_buf_release(&a);
	return keep && out->len > 0;
}

/* Every value the spec finds, transformed: from the first name that has
 * any, or from all of them when `all` (lists) or the spec joins. */
static void collect(const struct spec *sp, const struct src *s, qr_strv *out, bool all)
{
	qr_strv raw = { 0 }, cells = { 0 };
	qr_buf t = QR_BUF_INIT;
	for (size_t i = 0; i < sp->from.n; i++) {
		raw_values(s, sp->from.v[i], &raw);
		if (raw.n && !sp->join && !all)
			break;
	}
	for (size_t i = 0; i < raw.n; i++) {
		if (sp->json) {
			cJSON *j = qr_json_parse(raw.v[i], strlen(raw.v[i]), NULL);
			if (j)
				json_leaves(j, sp->path ? sp->path : "", &cells);
			cJSON_Delete(j);
		} else if (sp->split) {
			const char *p = raw.v[i];
			size_t sl = strlen(sp->split);
			for (;;) {
				const char *e = strstr(p, sp->split);
				size_t len = e ? (size_t)(e - p) : strlen(p);
				while (len && (*p == ' ' || *p == '\t'))
					p++, len--;
				while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
					len--;
				if (len)
					qr_strv_pushn(&cells, p, len);
				if (!e)
					break;
				p = e + sl;
			}
		} else {
			qr_strv_push(&cells, raw.v[i]);
		}
	}
	for (size_t i = 0; i < cells.n; i++)
		if (transform(sp, cells.v[i], &t))
			qr_strv_push(out, t.buf);
	if (!out->n && sp->value)
		qr_strv_push(out, sp->value);
	qr_strv_clear(&raw);
	qr_strv_clear(&cells);
	qr_buf_release(&t);
}

/* One value: the first found, or all joined. */
static bool scalar(const struct spec *sp, const struct src *s, qr_buf *out)
{
	qr_strv vals = { 0 };
	qr_buf_reset(out);
	if (!sp->set)
		return false;
	collect(sp, s, &vals, false);
	for (size_t i = 0; i < vals.n; i++) {
		if (i && !sp->join)
			break;
		if (i)
			qr_buf_adds(out, sp->join);
		qr_buf_adds(out, vals.v[i]);
	}
	bool ok = vals.n > 0;
	qr_strv_clear(&vals);
	return ok;
}

/* ---- times ---- */

static bool zone_to_utc(const char *zone, const qr_civil *c, int64_t *t)
{
	int off;
	if (fixed_offset(zone, &off)) {
		int64_t naive;
		if (!qr_time_from_civil(c, &naive))
			return false;
		*t = naive - off;
		return true;
	}
	return qr_tz_to_utc(zone, c, t);
}

/* An ISO 8601 string carries its own zone when a Z or an offset follows
 * the time. */
static bool iso_has_zone(const char *s)
{
	const char *t = strpbrk(s, "T ");
	if (!t)
		return false;
	return strpbrk(t, "Zz+") || strchr(t + 1, '-');
}

static bool parse_time(const struct spec *sp, const char *v, int64_t *t, qr_buf *why)
{
	const char *fmt = sp->format ? sp->format : "iso8601";
	const char *zone = sp->zone ? sp->zone : "UTC";
	if (strcmp(fmt, "unix") == 0 || strcmp(fmt, "unix_ms") == 0) {
		char *end;
		errno = 0;
		double d = strtod(v, &end);
		if (errno || end == v || *end || !isfinite(d)) {
			qr_buf_setf(why, "'%s' is not a number of seconds", v);
			return false;
		}
		*t = (int64_t)(strcmp(fmt, "unix_ms") == 0 ? floor(d / 1000) : floor(d));
		return true;
	}
	if (strcmp(fmt, "twitter") == 0) {
		if (qr_time_parse_twitter(v, t))
			return true;
		qr_buf_setf(why, "'%s' is not a Twitter time", v);
		return false;
	}
	if (strcmp(fmt, "iso8601") == 0) {
		if (!qr_time_parse_iso(v, t)) {
			qr_buf_setf(why, "'%s' is not an ISO 8601 time", v);
			return false;
		}
		if (iso_has_zone(v))
			return true;
		qr_civil c;
		qr_time_to_civil(*t, &c);
		return zone_to_utc(zone, &c, t);
	}
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *rest = strptime(v, fmt, &tm);
	if (!rest) {
		qr_buf_setf(why, "'%s' does not fit the time format '%s'", v, fmt);
		return false;
	}
	while (*rest == ' ')
		rest++;
	qr_civil c = { tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, 0 };
	if (strstr(fmt, "%z")) {
		int64_t naive;
		if (!qr_time_from_civil(&c, &naive))
			return false;
		*t = naive - tm.tm_gmtoff;
		return true;
	}
	if (*rest) {
		/* A zone word after the time: the mapping says what it means. */
		const char *z = qr_kvv_get(&sp->zones, rest);
		if (!z && fixed_offset(rest, &(int){ 0 }))
			z = rest;
		if (!z) {
			qr_buf_setf(why, "'%s': unknown zone '%s' after the time (add it to \"zones\")", v, rest);
			return false;
		}
		zone = z;
	}
	if (!zone_to_utc(zone, &c, t)) {
		qr_buf_setf(why, "'%s' is not a valid time", v);
		return false;
	}
	return true;
}

/* ---- applying ---- */

static const char *media_kind(const char *url)
{
	qr_buf low = QR_BUF_INIT;
	qr_buf_adds(&low, url);
	qr_ascii_lower(low.buf);
	char *q = strpbrk(low.buf, "?#");
	if (q)
		qr_buf_setlen(&low, (size_t)(q - low.buf));
	const char *kind = "file";
	if (qr_ends_with(low.buf, ".jpg") || qr_ends_with(low.buf, ".jpeg") || qr_ends_with(low.buf, ".png") ||
	    qr_ends_with(low.buf, ".webp") || strstr(low.buf, "/photo"))
		kind = "photo";
	else if (qr_ends_with(low.buf, ".gif"))
		kind = "gif";
	else if (qr_ends_with(low.buf, ".mp4") || qr_ends_with(low.buf, ".mov") || qr_ends_with(low.buf, ".m3u8") ||
		 strstr(low.buf, "/video"))
		kind = "video";
	else if (qr_ends_with(low.buf, ".mp3") || qr_ends_with(low.buf, ".m4a") || qr_ends_with(low.buf, ".ogg"))
		kind = "audio";
	qr_buf_release(&low);
	return kind;
}

static void fill_template(const char *tpl, const qr_post *p, const char *value, qr_buf *out)
{
	qr_buf_reset(out);
	for (const char *s = tpl; *s; s++) {
		const char *rep = NULL;
		size_t skip = 0;
		if (*s == '{') {
			static const char *keys[] = { "{value}", "{native_id}", "{author_handle}", "{author_id}", "{platform}" };
			const char *vals[] = { value, p->native_id, p->author_handle, p->author_id, p->platform };
			for (size_t i = 0; i < 5; i++) {
				if (qr_starts_with(s, keys[i])) {
					rep = vals[i];
					skip = strlen(keys[i]);
					if (!rep || !*rep) {
						qr_buf_reset(out);
						return; /* a part is missing: no URL */
					}
				}
			}
		}
		if (rep) {
			qr_buf_adds(out, rep);
			s += skip - 1;
		} else {
			qr_buf_addch(out, *s);
		}
	}
}

/* "1,204" as spreadsheets write counts: drop the separators when every
 * group after the first has three digits. */
static void drop_grouping(qr_buf *v)
{
	const char *s = v->buf;
	size_t lead = strspn(s, "0123456789");
	if (!strchr(s, ',') || lead == 0 || lead > 3)
		return;
	for (const char *p = s + lead; *p; p += 4)
		if (p[0] != ',' || strspn(p + 1, "0123456789") < 3 || (p[4] && p[4] != ','))
			return;
	qr_buf out = QR_BUF_INIT;
	for (const char *p = s; *p; p++)
		if (*p != ',')
			qr_buf_addch(&out, *p);
	qr_buf_release(v);
	*v = out;
}

static bool valid_native_id(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 200)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ')
			return false;
	return true;
}

static void set_ref(const qr_mapping *m, int k, const struct src *s, const char *platform, char **field)
{
	qr_buf v = QR_BUF_INIT;
	if (scalar(&m->f[k], s, &v) && valid_native_id(v.buf))
		qr_post_set_ref(field, platform, v.buf);
	qr_buf_release(&v);
}

/* Hashtags, mentions, links, media, metrics and extra values. */
static void apply_lists(const qr_mapping *m, const struct src *s, qr_post *p)
{
	qr_strv list = { 0 };
	qr_buf v = QR_BUF_INIT;
	int64_t t;
	static const int lists[] = { F_HASHTAGS, F_MENTIONS, F_URLS };
	qr_strv *ldst[] = { &p->hashtags, &p->mentions, &p->urls };
	for (size_t i = 0; i < 3; i++) {
		const struct spec *sp = &m->f[lists[i]];
		if (!sp->set)
			continue;
		qr_strv_clear(&list);
		collect(sp, s, &list, true);
		for (size_t j = 0; j < list.n; j++) {
			const char *x = list.v[j];
			if (i < 2 && (x[0] == '#' || x[0] == '@'))
				x++;
			if (*x)
				qr_strv_push_unique(ldst[i], x, i < 2);
		}
		if (sp->from_text) {
			if (i == 0)
				qr_extract_hashtags(p->text, ldst[i]);
			else if (i == 1)
				qr_extract_mentions(p->text, ldst[i]);
			else
				qr_extract_urls(p->text, ldst[i]);
		}
	}
	for (size_t i = 0; i < m->nmedia; i++) {
		qr_strv_clear(&list);
		collect(&m->media[i], s, &list, true);
		for (size_t j = 0; j < list.n; j++) {
			bool dup = false;
			for (size_t k = 0; k < p->nmedia; k++)
				if (p->media[k].url && strcmp(p->media[k].url, list.v[j]) == 0)
					dup = true;
			if (dup)
				continue;
			qr_media *md = qr_post_add_media(p);
			qr_set(&md->url, list.v[j]);
			qr_set(&md->type, m->media[i].type ? m->media[i].type : media_kind(list.v[j]));
		}
	}
	for (size_t i = 0; i < m->nmetrics; i++) {
		if (!scalar(&m->metrics[i].s, s, &v))
			continue;
		drop_grouping(&v);
		char *end;
		errno = 0;
		double d = strtod(v.buf, &end);
		if (!errno && end != v.buf && !*end && isfinite(d) && fabs(d) < 9e18) {
			t = (int64_t)d;
			qr_post_set_metric(p, m->metrics[i].name, t);
		}
	}
	for (size_t i = 0; i < m->nextra; i++)
		if (scalar(&m->extra[i].s, s, &v))
			qr_kvv_set(&p->extra, m->extra[i].name, v.buf);
	qr_strv_clear(&list);
	qr_buf_release(&v);
}

static int apply(const qr_mapping *m, const struct src *s, qr_posts *out, qr_buf *why)
{
	qr_buf id = QR_BUF_INIT, plat = QR_BUF_INIT, v = QR_BUF_INIT;
	int st = QR_BAD_INPUT;
	const char *col = m->f[F_ID].from.n ? m->f[F_ID].from.v[0] : "id";

	if (!scalar(&m->f[F_ID], s, &id)) {
		qr_buf_setf(why, "no id ('%s' is empty or missing; mapping '%s')", col, m->name);
		goto out;
	}
	if (!valid_native_id(id.buf)) {
		qr_buf_setf(why, "id '%.60s' has blanks or control characters, or is too long", id.buf);
		goto out;
	}
	if (!scalar(&m->f[F_PLATFORM], s, &plat)) {
		qr_buf_setf(why, "no platform for %s (mapping '%s')", id.buf, m->name);
		goto out;
	}
	qr_ascii_lower(plat.buf);
	int64_t created = QR_TIME_UNKNOWN;
	if (scalar(&m->f[F_CREATED], s, &v)) {
		qr_buf detail = QR_BUF_INIT;
		if (!parse_time(&m->f[F_CREATED], v.buf, &created, &detail)) {
			qr_buf_setf(why, "%s: created_at %s", id.buf, detail.buf);
			qr_buf_release(&detail);
			goto out;
		}
		qr_buf_release(&detail);
	}

	qr_post *p = qr_posts_add(out);
	qr_post_set_id(p, plat.buf, id.buf);
	p->created = created;
	static const int simple[] = { F_AUTHOR_ID, F_AUTHOR_HANDLE, F_AUTHOR_NAME, F_TEXT, F_LANG };
	char **dst[] = { &p->author_id, &p->author_handle, &p->author_name, &p->text, &p->lang };
	for (size_t i = 0; i < 5; i++)
		if (scalar(&m->f[simple[i]], s, &v))
			qr_set(dst[i], v.buf);
	if (p->author_handle && p->author_handle[0] == '@')
		memmove(p->author_handle, p->author_handle + 1, strlen(p->author_handle));
	if (!p->text)
		qr_set(&p->text, "");
	set_ref(m, F_REPLY_TO, s, plat.buf, &p->reply_to);
	set_ref(m, F_REPOST_OF, s, plat.buf, &p->repost_of);
	set_ref(m, F_QUOTE_OF, s, plat.buf, &p->quote_of);
	if (scalar(&m->f[F_KIND], s, &v) && (strcmp(v.buf, "original") == 0 || strcmp(v.buf, "repost") == 0 ||
					       strcmp(v.buf, "reply") == 0 || strcmp(v.buf, "quote") == 0))
		qr_set(&p->kind, v.buf);
	if (!p->kind)
		qr_set(&p->kind, p->repost_of ? "repost" : p->quote_of ? "quote" : p->reply_to ? "reply" : "original");

	const struct spec *url = &m->f[F_URL];
	if (url->set) {
		bool have = scalar(url, s, &v);
		if (url->template) {
			qr_buf u = QR_BUF_INIT;
			if (have || !url->from.n)
				fill_template(url->template, p, have ? v.buf : NULL, &u);
			if (u.len)
				qr_set(&p->url, u.buf);
			qr_buf_release(&u);
		} else if (have) {
			qr_set(&p->url, v.buf);
		}
	}

	apply_lists(m, s, p);
	qr_kvv_set(&p->source.provenance, "mapping", m->name);
	qr_kvv_set(&p->source.provenance, "mapping_sha256", m->sha);
	st = QR_OK;
out:
	qr_buf_release(&id);
	qr_buf_release(&plat);
	qr_buf_release(&v);
	return st;
}

int qr_mapping_apply_row(const qr_mapping *m, char *const *names, char *const *values, size_t n, qr_posts *out,
			 qr_buf *why)
{
	struct src s = { names, values, n, NULL };
	return apply(m, &s, out, why);
}

int qr_mapping_apply_json(const qr_mapping *m, const cJSON *obj, qr_posts *out, qr_buf *why)
{
	struct src s = { NULL, NULL, 0, obj };
	return apply(m, &s, out, why);
}
