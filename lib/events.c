#include "events.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "journal.h"
#include "json.h"
#include "schema.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

#define MAX_TEXT 4000       /* title, term, place... */
#define MAX_DESCRIPTION 20000
#define MAX_ID 64
#define APPLY_BATCH 10000

static const char *const fields[] = { "$schema", "id", "title", "description", "zone", "start", "end", "hashtags",
				      "terms", "accounts", "places", "references", NULL };
static const char *const ref_fields[] = { "publisher", "title", "date", "url", "authors", NULL };

/* ---- the catalogue ---- */

static void event_clear(qr_event *e)
{
	free(e->id);
	free(e->title);
	free(e->description);
	free(e->zone);
	free(e->start_text);
	free(e->end_text);
	free(e->file);
	qr_strv_clear(&e->hashtags);
	qr_strv_clear(&e->terms);
	qr_strv_clear(&e->accounts);
	qr_strv_clear(&e->places);
	qr_strv_clear(&e->f_hashtags);
	qr_strv_clear(&e->f_terms);
	qr_strv_clear(&e->f_accounts);
	for (size_t i = 0; i < e->nrefs; i++) {
		qr_event_ref *r = &e->refs[i];
		free(r->publisher);
		free(r->title);
		free(r->date);
		free(r->url);
		qr_strv_clear(&r->authors);
	}
	free(e->refs);
	memset(e, 0, sizeof(*e));
}

void qr_events_free(qr_events *ev)
{
	if (!ev)
		return;
	for (size_t i = 0; i < ev->n; i++)
		event_clear(&ev->v[i]);
	free(ev->v);
	qr_strv_clear(&ev->names);
	qr_strv_clear(&ev->contents);
	free(ev);
}

const qr_event *qr_events_find(const qr_events *ev, const char *id)
{
	for (size_t i = 0; ev && i < ev->n; i++)
		if (strcmp(ev->v[i].id, id) == 0)
			return &ev->v[i];
	return NULL;
}

/* ---- validation ---- */

struct check {
	const char *file;       /* as shown in messages */
	qr_strv *problems;
	int count;
};

static void problem(struct check *ck, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(struct check *ck, const char *field, const char *fmt, ...)
{
	qr_buf b = QR_BUF_INIT;
	va_list ap;
	qr_buf_addf(&b, "%s: %s%s", ck->file, field ? field : "", field ? ": " : "");
	va_start(ap, fmt);
	qr_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	qr_strv_push(ck->problems, b.buf);
	qr_buf_release(&b);
	ck->count++;
}

/* "line L, column C" of a byte offset, for JSON syntax errors. */
static void line_col(const char *s, size_t off, qr_buf *out)
{
	size_t line = 1, col = 1;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)s[i] & 0xC0) != 0x80) {
			col++;
		}
	}
	qr_buf_addf(out, "line %zu, column %zu", line, col);
}

static bool is_space_only(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

static bool has_space(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return true;
	return false;
}

/* A required or optional string field. */
static const char *get_string(struct check *ck, const cJSON *obj, const char *key, const char *path, bool required,
			      size_t max)
{
	const cJSON *v = qr_json_get(obj, key);
	if (!v) {
		if (required)
			problem(ck, path, "missing (required)");
		return NULL;
	}
	if (!cJSON_IsString(v)) {
		problem(ck, path, "must be a string");
		return NULL;
	}
	if (!qr_utf8_valid(v->valuestring, strlen(v->valuestring), NULL)) {
		problem(ck, path, "is not valid UTF-8 text");
		return NULL;
	}
	if (is_space_only(v->valuestring)) {
		problem(ck, path, "must not be empty");
		return NULL;
	}
	if (strlen(v->valuestring) > max) {
		problem(ck, path, "is longer than %zu bytes", max);
		return NULL;
	}
	return v->valuestring;
}

/* Keys must be known and appear once (a duplicate would be silently
 * overridden by the last one, which hides mistakes). */
static void check_keys(struct check *ck, const cJSON *obj, const char *const *known, const char *prefix)
{
	qr_buf path = QR_BUF_INIT;
	for (const cJSON *c = obj->child; c; c = c->next) {
		qr_buf_setf(&path, "%s%s", prefix, c->string);
		bool ok = false;
		for (size_t i = 0; known[i] && !ok; i++)
			ok = strcmp(known[i], c->string) == 0;
		if (!ok) {
			qr_buf list = QR_BUF_INIT;
			for (size_t i = 0; known[i]; i++)
				if (known[i][0] != '$')
					qr_buf_addf(&list, "%s%s", list.len ? ", " : "", known[i]);
			problem(ck, path.buf, "unknown field (known fields: %s)", list.buf);
			qr_buf_release(&list);
			continue;
		}
		for (const cJSON *d = c->next; d; d = d->next)
			if (strcmp(d->string, c->string) == 0) {
				problem(ck, path.buf, "appears more than once");
				break;
			}
	}
	qr_buf_release(&path);
}

enum list_kind { LIST_HASHTAG, LIST_TERM, LIST_ACCOUNT, LIST_PLACE };

static void get_list(struct check *ck, const cJSON *obj, const char *key, enum list_kind kind, qr_strv *out)
{
	const cJSON *v = qr_json_get(obj, key);
	qr_buf path = QR_BUF_INIT;
	if (!v)
		return;
	if (!cJSON_IsArray(v)) {
		problem(ck, key, "must be an array of strings");
		return;
	}
	int i = 0;
	for (const cJSON *c = v->child; c; c = c->next, i++) {
		qr_buf_setf(&path, "%s[%d]", key, i);
		if (!cJSON_IsString(c)) {
			problem(ck, path.buf, "must be a string");
			continue;
		}
		const char *s = c->valuestring;
		if (!qr_utf8_valid(s, strlen(s), NULL)) {
			problem(ck, path.buf, "is not valid UTF-8 text");
			continue;
		}
		if ((kind == LIST_HASHTAG && *s == '#') || (kind == LIST_ACCOUNT && *s == '@'))
			s++;
		if (is_space_only(s)) {
			problem(ck, path.buf, "must not be empty");
			continue;
		}
		if (strlen(s) > MAX_TEXT) {
			problem(ck, path.buf, "is longer than %d bytes", MAX_TEXT);
			continue;
		}
		if ((kind == LIST_HASHTAG || kind == LIST_ACCOUNT) && (has_space(s) || strchr(s, '#') || strchr(s, '@'))) {
			problem(ck, path.buf, "'%s' is not a %s (no spaces, '#' or '@' inside)", c->valuestring,
				kind == LIST_HASHTAG ? "hashtag" : "handle or account id");
			continue;
		}
		qr_strv_push(out, s);
	}
	qr_buf_release(&path);
}

/* A date or local time as an event writes it.  *date_only says whether it
 * was a bare date; *has_zone whether it carried Z or an offset (then
 * *offset is that offset); *fraction whether its seconds had a fraction
 * past them (2020-06-02T00:00:00.500Z, as JavaScript writes times), which
 * c leaves out. */
static bool parse_civil(const char *s, qr_civil *c, bool *date_only, bool *has_zone, int *offset, bool *fraction)
{
	int n = 0;
	memset(c, 0, sizeof(*c));
	*has_zone = false;
	*offset = 0;
	*fraction = false;
	if (sscanf(s, "%4d-%2d-%2d%n", &c->year, &c->month, &c->day, &n) != 3 || n != 10)
		return false;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return false;
	s += n;
	*date_only = *s == '\0';
	if (!*date_only) {
		if (*s != 'T' && *s != 't')
			return false;
		s++;
		if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
		    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
			return false;
		c->hour = (s[0] - '0') * 10 + s[1] - '0';
		c->minute = (s[3] - '0') * 10 + s[4] - '0';
		s += 5;
		if (s[0] == ':' && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2])) {
			c->second = (s[1] - '0') * 10 + s[2] - '0';
			s += 3;
			if (s[0] == '.' && isdigit((unsigned char)s[1]))
				for (s++; isdigit((unsigned char)*s); s++)
					*fraction |= *s != '0';
		}
		if (*s == 'Z' || *s == 'z') {
			*has_zone = true;
			s++;
		} else if (*s == '+' || *s == '-') {
			int sign = *s == '-' ? -1 : 1;
			if (!isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
				return false;
			int hh = (s[1] - '0') * 10 + s[2] - '0', mm = 0;
			s += 3;
			if (*s == ':')
				s++;
			if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1])) {
				mm = (s[0] - '0') * 10 + s[1] - '0';
				s += 2;
			}
			if (hh > 23 || mm > 59)
				return false;
			*has_zone = true;
			*offset = sign * (hh * 3600 + mm * 60);
		}
		if (*s)
			return false;
		if (c->second > 59)
			return false;
	}
	int64_t t;
	return qr_time_from_civil(c, &t);
}

/* The instant a start or end stands for.  A bare date as an end means
 * all of that day: the window ends at the next local midnight. */
bool qr_event_time(const char *s, const char *zone, bool is_end, int64_t *t)
{
	qr_civil c;
	bool date_only, has_zone, fraction;
	int offset;
	if (!parse_civil(s, &c, &date_only, &has_zone, &offset, &fraction))
		return false;
	if (date_only && is_end) {
		int64_t day;
		if (!qr_time_from_civil(&c, &day))
			return false;
		qr_time_to_civil(day + 86400, &c);
		c.hour = c.minute = c.second = 0;
	}
	/* Posts have whole seconds: a window that starts or ends within a
	 * second holds the posts from the next one. */
	if (has_zone) {
		if (!qr_time_from_civil(&c, t))
			return false;
		*t -= offset - fraction;
		return true;
	}
	if (!zone || !qr_tz_to_utc(zone, &c, t))
		return false;
	*t += fraction;
	return true;
}

/* s is a date or time as an event writes it; *offset whether it carries
 * Z or an offset (then it needs no zone). */
static bool event_time_form(const char *s, bool *offset)
{
	qr_civil c;
	bool date_only, fraction;
	int off;
	return parse_civil(s, &c, &date_only, offset, &off, &fraction);
}

static void get_refs(struct check *ck, const cJSON *obj, qr_event *e)
{
	const cJSON *v = qr_json_get(obj, "references");
	qr_buf path = QR_BUF_INIT, field = QR_BUF_INIT;
	if (!v)
		return;
	if (!cJSON_IsArray(v)) {
		problem(ck, "references", "must be an array of objects");
		return;
	}
	int i = 0;
	for (const cJSON *r = v->child; r; r = r->next, i++) {
		qr_buf_setf(&path, "references[%d]", i);
		if (!cJSON_IsObject(r)) {
			problem(ck, path.buf, "must be an object with publisher, title, date and url");
			continue;
		}
		int before = ck->count;
		qr_buf_setf(&field, "%s.", path.buf);
		check_keys(ck, r, ref_fields, field.buf);
		qr_buf_setf(&field, "%s.publisher", path.buf);
		const char *publisher = get_string(ck, r, "publisher", field.buf, true, MAX_TEXT);
		qr_buf_setf(&field, "%s.title", path.buf);
		const char *title = get_string(ck, r, "title", field.buf, true, MAX_TEXT);
		qr_buf_setf(&field, "%s.date", path.buf);
		const char *date = get_string(ck, r, "date", field.buf, true, 32);
		qr_civil c;
		bool date_only, has_zone, fraction;
		int off;
		if (date && (!parse_civil(date, &c, &date_only, &has_zone, &off, &fraction) || !date_only))
			problem(ck, field.buf, "'%s' is not a date (use 2020-06-04)", date);
		qr_buf_setf(&field, "%s.url", path.buf);
		const char *url = get_string(ck, r, "url", field.buf, false, 2000);
		if (url && !qr_starts_with_ci(url, "https://") && !qr_starts_with_ci(url, "http://"))
			problem(ck, field.buf, "'%s' is not an http or https URL", url);
		else if (url && has_space(url))
			problem(ck, field.buf, "a URL has no spaces");
		qr_strv authors = { 0 };
		qr_buf_setf(&field, "%s.authors", path.buf);
		const cJSON *a = qr_json_get(r, "authors");
		if (a && !cJSON_IsArray(a)) {
			problem(ck, field.buf, "must be an array of strings");
		} else if (a) {
			int k = 0;
			for (const cJSON *s = a->child; s; s = s->next, k++)
				if (!cJSON_IsString(s) || is_space_only(s->valuestring))
					problem(ck, field.buf, "item %d must be a name", k);
				else
					qr_strv_push(&authors, s->valuestring);
		}
		if (ck->count != before) {
			qr_strv_clear(&authors);
			continue;
		}
		e->refs = qr_realloc(e->refs, (e->nrefs + 1) * sizeof(*e->refs));
		qr_event_ref *ref = &e->refs[e->nrefs++];
		memset(ref, 0, sizeof(*ref));
		ref->publisher = qr_strdup(publisher);
		ref->title = qr_strdup(title);
		ref->date = qr_strdup(date);
		ref->url = url ? qr_strdup(url) : NULL;
		ref->authors = authors;
	}
	qr_buf_release(&path);
	qr_buf_release(&field);
}

/* Case-fold, and collapse every run of blanks into one space, so that a
 * phrase matches however the post breaks its lines. */
static void fold_text(qr_buf *out, const char *s, size_t n)
{
	qr_buf low = QR_BUF_INIT;
	qr_casefold(&low, s, n);
	bool blank = false;
	for (size_t i = 0; i < low.len; i++) {
		unsigned char ch = (unsigned char)low.buf[i];
		if (isspace(ch)) {
			blank = true;
			continue;
		}
		if (blank && out->len)
			qr_buf_addch(out, ' ');
		blank = false;
		qr_buf_addch(out, ch);
	}
	qr_buf_release(&low);
}

static void fold_list(const qr_strv *in, qr_strv *out, bool text)
{
	qr_buf b = QR_BUF_INIT;
	for (size_t i = 0; i < in->n; i++) {
		qr_buf_reset(&b);
		if (text)
			fold_text(&b, in->v[i], strlen(in->v[i]));
		else
			qr_casefold(&b, in->v[i], strlen(in->v[i]));
		if (b.len)
			qr_strv_push_unique(out, b.buf, false);
	}
	qr_buf_release(&b);
}

static bool valid_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > MAX_ID || !(islower((unsigned char)id[0]) || isdigit((unsigned char)id[0])))
		return false;
	for (const char *p = id; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

/* Turn one parsed file into an event; false (with problems) if it is not
 * one. */
static bool read_event(struct check *ck, const cJSON *root, qr_event *e)
{
	int before = ck->count;
	if (!cJSON_IsObject(root)) {
		problem(ck, NULL, "an event file holds one JSON object");
		return false;
	}
	check_keys(ck, root, fields, "");
	const char *id = get_string(ck, root, "id", "id", true, MAX_ID + 1);
	if (id && !valid_id(id))
		problem(ck, "id", "'%s' is not an event id (lower-case letters, digits, '-', '_', '.'; at most %d)", id,
			MAX_ID);
	const char *title = get_string(ck, root, "title", "title", true, MAX_TEXT);
	const char *desc = get_string(ck, root, "description", "description", true, MAX_DESCRIPTION);
	/* The zone says how to read start and end; when both carry Z or an
	 * offset they are instants already, and the zone may be left out. */
	const char *zone = get_string(ck, root, "zone", "zone", false, 200);
	bool zone_bad = false;
	if (zone && !qr_tz_valid(zone)) {
		problem(ck, "zone", "'%s' is not a time zone of the tz database (use a name such as America/Chicago or UTC)",
			zone);
		zone = NULL;
		zone_bad = true;
	}
	const char *start = get_string(ck, root, "start", "start", true, 64);
	const char *end = get_string(ck, root, "end", "end", false, 64);
	bool start_off = false, end_off = true;
	bool start_ok = start && event_time_form(start, &start_off);
	bool end_ok = !end || event_time_form(end, &end_off);
	if (start && !start_ok)
		problem(ck, "start", "'%s' is not a date or time (use 2020-06-03, 2020-06-03T14:00 or 2020-06-03T14:00-05:00)",
			start);
	if (!end_ok)
		problem(ck, "end", "'%s' is not a date or time (use 2020-06-03, 2020-06-03T14:00 or 2020-06-03T14:00-05:00)",
			end);
	if (!zone && !zone_bad && start_ok && end_ok && !(start_off && end_off))
		problem(ck, "zone", "missing: '%s' has no offset, so the window needs the zone it is written in (a tz "
				    "database name such as America/Chicago or UTC), or start and end both with Z or an "
				    "offset (2020-06-03T00:00Z, 2020-06-03T00:00-05:00)",
			start_off ? end : start);
	int64_t t0 = 0, t1 = INT64_MAX;
	if (start_ok && end_ok && (zone || (start_off && end_off))) {
		if (!qr_event_time(start, zone, false, &t0))
			problem(ck, "start", "'%s' is not a time in %s", start, zone ? zone : "its offset");
		else if (end && !qr_event_time(end, zone, true, &t1))
			problem(ck, "end", "'%s' is not a time in %s", end, zone ? zone : "its offset");
		else if (ck->count == before && end && t1 <= t0)
			problem(ck, "end", "'%s' is not after the start '%s'", end, start);
	}
	get_list(ck, root, "hashtags", LIST_HASHTAG, &e->hashtags);
	get_list(ck, root, "terms", LIST_TERM, &e->terms);
	get_list(ck, root, "accounts", LIST_ACCOUNT, &e->accounts);
	get_list(ck, root, "places", LIST_PLACE, &e->places);
	get_refs(ck, root, e);
	if (ck->count == before && !e->hashtags.n && !e->terms.n && !e->accounts.n)
		problem(ck, NULL, "an event needs at least one of hashtags, terms or accounts to match posts");
	if (ck->count != before)
		return false;
	e->id = qr_strdup(id);
	e->title = qr_strdup(title);
	e->description = qr_strdup(desc);
	e->zone = qr_strdup(zone);
	e->start_text = qr_strdup(start);
	e->end_text = end ? qr_strdup(end) : NULL;
	e->start = t0;
	e->end = t1;
	fold_list(&e->hashtags, &e->f_hashtags, false);
	fold_list(&e->terms, &e->f_terms, true);
	fold_list(&e->accounts, &e->f_accounts, false);
	return true;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_event(const void *a, const void *b)
{
	return strcmp(((const qr_event *)a)->id, ((const qr_event *)b)->id);
}

/* One event file's bytes (read from path, or from the journal) into ev. */
static void load_data(qr_events *ev, const char *path, const char *name, const qr_buf *file, qr_strv *problems,
		      int *count)
{
	struct check ck = { path, problems, 0 };
	if (file->len >= QR_EVENT_FILE_MAX) {
		problem(&ck, NULL, "larger than %d bytes", QR_EVENT_FILE_MAX);
		goto out;
	}
	if (qr_strv_contains(&ev->names, name, false)) {
		problem(&ck, NULL, "another file of the catalogue has the same name");
		goto out;
	}
	size_t bad;
	if (!qr_utf8_valid(file->buf, file->len, &bad)) {
		qr_buf where = QR_BUF_INIT;
		line_col(file->buf, bad, &where);
		problem(&ck, NULL, "not UTF-8 text (%s)", where.buf);
		qr_buf_release(&where);
		goto out;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(file->buf, file->len, &end, false);
	if (root) {
		size_t used = (size_t)(end - file->buf);
		while (used < file->len && isspace((unsigned char)file->buf[used]))
			used++;
		if (used != file->len) {
			qr_buf where = QR_BUF_INIT;
			line_col(file->buf, used, &where);
			problem(&ck, NULL, "unexpected text after the JSON object (%s)", where.buf);
			qr_buf_release(&where);
			cJSON_Delete(root);
			goto out;
		}
	} else {
		qr_buf where = QR_BUF_INIT;
		size_t off = end && end >= file->buf && end <= file->buf + file->len ? (size_t)(end - file->buf) : 0;
		line_col(file->buf, off, &where);
		problem(&ck, NULL, "not valid JSON (%s)", where.buf);
		qr_buf_release(&where);
		goto out;
	}
	qr_event e;
	memset(&e, 0, sizeof(e));
	if (read_event(&ck, root, &e)) {
		if (qr_events_find(ev, e.id)) {
			problem(&ck, "id", "'%s' is already the id of another event", e.id);
			event_clear(&e);
		} else {
			e.file = qr_strdup(name);
			ev->v = qr_realloc(ev->v, (ev->n + 1) * sizeof(*ev->v));
			ev->v[ev->n++] = e;
			qr_strv_push(&ev->names, name);
			qr_strv_pushn(&ev->contents, file->buf, file->len);
		}
	} else {
		event_clear(&e);
	}
	cJSON_Delete(root);
out:
	*count += ck.count;
}

static void load_file(qr_events *ev, const char *path, qr_strv *problems, int *count)
{
	qr_buf data = QR_BUF_INIT, err = QR_BUF_INIT;
	int st = qr_io_read_file(path, QR_EVENT_FILE_MAX, &data, &err);
	if (st) {
		struct check ck = { path, problems, 0 };
		problem(&ck, NULL, "%s", err.buf);
		*count += ck.count;
	} else {
		load_data(ev, path, base_name(path), &data, problems, count);
	}
	qr_buf_release(&data);
	qr_buf_release(&err);
}

/* The *.json files of a directory, in name order. */
static int list_dir(const char *dir, qr_strv *files, qr_strv *problems)
{
	DIR *d = opendir(dir);
	if (!d) {
		qr_buf b = QR_BUF_INIT;
		qr_buf_setf(&b, "%s: cannot read the directory: %s", dir, strerror(errno));
		qr_strv_push(problems, b.buf);
		qr_buf_release(&b);
		return QR_BAD_INPUT;
	}
	qr_strv names = { 0 };
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && qr_ends_with(de->d_name, ".json"))
			qr_strv_push(&names, de->d_name);
	closedir(d);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	qr_buf path = QR_BUF_INIT;
	for (size_t i = 0; i < names.n; i++) {
		qr_buf_setf(&path, "%s%s%s", dir, qr_ends_with(dir, "/") ? "" : "/", names.v[i]);
		qr_strv_push(files, path.buf);
	}
	qr_buf_release(&path);
	qr_strv_clear(&names);
	return 0;
}

/* sha256 over every (name, content) pair, in name order. */
static void digest(qr_events *ev)
{
	ev->digest[0] = '\0';
	if (!ev->names.n)
		return;
	size_t *order = qr_calloc(ev->names.n, sizeof(*order));
	for (size_t i = 0; i < ev->names.n; i++)
		order[i] = i;
	for (size_t i = 1; i < ev->names.n; i++)
		for (size_t j = i; j > 0 && strcmp(ev->names.v[order[j - 1]], ev->names.v[order[j]]) > 0; j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	qr_sha256_ctx *h = qr_sha256_new();
	char len[32];
	for (size_t i = 0; i < ev->names.n; i++) {
		const char *name = ev->names.v[order[i]], *content = ev->contents.v[order[i]];
		snprintf(len, sizeof(len), "%zu", strlen(content));
		qr_sha256_update(h, name, strlen(name) + 1);
		qr_sha256_update(h, len, strlen(len) + 1);
		qr_sha256_update(h, content, strlen(content));
	}
	uint8_t sha[QR_SHA256_LEN];
	qr_sha256_final(h, sha);
	qr_sha256_free(h);
	qr_hex(sha, QR_SHA256_LEN, ev->digest);
	free(order);
}

int qr_events_load(const char *const *paths, size_t n, qr_events **out, qr_strv *problems)
{
	qr_events *ev = qr_calloc(1, sizeof(*ev));
	int count = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		if (stat(paths[i], &sb) < 0) {
			qr_buf b = QR_BUF_INIT;
			qr_buf_setf(&b, "%s: %s", paths[i], strerror(errno));
			qr_strv_push(problems, b.buf);
			qr_buf_release(&b);
			count++;
			continue;
		}
		if (S_ISDIR(sb.st_mode)) {
			qr_strv files = { 0 };
			if (list_dir(paths[i], &files, problems))
				count++;
			for (size_t k = 0; k < files.n; k++)
				load_file(ev, files.v[k], problems, &count);
			qr_strv_clear(&files);
		} else {
			load_file(ev, paths[i], problems, &count);
		}
	}
	if (ev->n > 1)
		qsort(ev->v, ev->n, sizeof(*ev->v), cmp_event);
	digest(ev);
	*out = ev;
	return count ? QR_BAD_INPUT : QR_OK;
}

/* ---- matching ---- */

/* Scripts written without spaces between words: a phrase that starts or
 * ends with one of their letters may sit inside a longer run. */
static bool unspaced(uint32_t cp)
{
	return (cp >= 0x0E00 && cp <= 0x0EFF) || (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3040 && cp <= 0x30FF) ||
	       (cp >= 0x3130 && cp <= 0x318F) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
	       (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
}

/* Letters and digits continue a word; punctuation, symbols, emoji and
 * blanks end it. */
static bool word_cp(uint32_t cp)
{
	if (cp < 0x80)
		return isalnum((int)cp) || cp == '_';
	if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
	    (cp >= 0xFF00 && cp <= 0xFF0F) || cp >= 0x1F000 || cp == 0xA0 || cp == 0xFFFD || (cp >= 0xA1 && cp <= 0xBF) ||
	    cp == 0xD7 || cp == 0xF7)
		return false;
	return true;
}

static uint32_t cp_at(const char *s, size_t n)
{
	uint32_t cp;
	qr_utf8_decode(s, n, &cp);
	return cp;
}

static uint32_t cp_before(const char *text, size_t at)
{
	size_t i = at;
	while (i > 0 && ((unsigned char)text[i - 1] & 0xC0) == 0x80 && at - i < 4)
		i--;
	if (i > 0)
		i--;
	return cp_at(text + i, at - i);
}

static uint32_t last_cp(const char *s, size_t n)
{
	return cp_before(s, n);
}

static bool phrase_in(const char *text, size_t tlen, const char *phrase)
{
	size_t plen = strlen(phrase);
	if (!plen || plen > tlen)
		return false;
	uint32_t first = cp_at(phrase, plen), last = last_cp(phrase, plen);
	bool check_start = word_cp(first) && !unspaced(first);
	bool check_end = word_cp(last) && !unspaced(last);
	const char *p = text;
	while ((p = memmem(p, tlen - (size_t)(p - text), phrase, plen))) {
		size_t at = (size_t)(p - text), after = at + plen;
		bool ok = true;
		if (check_start && at > 0 && word_cp(cp_before(text, at)))
			ok = false;
		if (ok && check_end && after < tlen && word_cp(cp_at(text + after, tlen - after)))
			ok = false;
		if (ok)
			return true;
		/* Next start: one code point on. */
		p++;
		while (p < text + tlen && ((unsigned char)*p & 0xC0) == 0x80)
			p++;
		if ((size_t)(p - text) + plen > tlen)
			break;
	}
	return false;
}

/* A post folded once, then tried against every event. */
struct view {
	const qr_post *p;
	qr_strv hashtags, accounts;
	qr_buf text;
};

static void view_init(struct view *v, const qr_post *p)
{
	memset(v, 0, sizeof(*v));
	v->p = p;
	qr_buf_init(&v->text);
	fold_list(&p->hashtags, &v->hashtags, false);
	qr_buf b = QR_BUF_INIT;
	if (p->author_handle) {
		qr_casefold(&b, p->author_handle, strlen(p->author_handle));
		qr_strv_push_unique(&v->accounts, b.buf, false);
	}
	if (p->author_id)
		qr_strv_push_unique(&v->accounts, p->author_id, false);
	qr_buf_release(&b);
	fold_list(&p->mentions, &v->accounts, false);
	if (p->text)
		fold_text(&v->text, p->text, strlen(p->text));
}

static void view_release(struct view *v)
{
	qr_strv_clear(&v->hashtags);
	qr_strv_clear(&v->accounts);
	qr_buf_release(&v->text);
}

static bool any_in(const qr_strv *want, const qr_strv *have)
{
	for (size_t i = 0; i < want->n; i++)
		if (qr_strv_contains(have, want->v[i], false))
			return true;
	return false;
}

static bool view_matches(const qr_event *e, const struct view *v)
{
	int64_t t = v->p->created;
	if (t == QR_TIME_UNKNOWN || t < e->start || t >= e->end)
		return false;
	if (any_in(&e->f_hashtags, &v->hashtags) || any_in(&e->f_accounts, &v->accounts))
		return true;
	for (size_t i = 0; i < e->f_terms.n; i++)
		if (phrase_in(v->text.buf, v->text.len, e->f_terms.v[i]))
			return true;
	return false;
}

bool qr_event_matches(const qr_event *e, const qr_post *p)
{
	struct view v;
	view_init(&v, p);
	bool m = view_matches(e, &v);
	view_release(&v);
	return m;
}

bool qr_events_apply(const qr_events *ev, qr_post *p)
{
	qr_strv now = { 0 };
	if (ev && ev->n && p->created != QR_TIME_UNKNOWN) {
		struct view v;
		view_init(&v, p);
		for (size_t i = 0; i < ev->n; i++)
			if (view_matches(&ev->v[i], &v))
				qr_strv_push(&now, ev->v[i].id);
		view_release(&v);
	}
	bool same = now.n == p->events.n;
	for (size_t i = 0; same && i < now.n; i++)
		same = qr_strv_contains(&p->events, now.v[i], false);
	qr_strv_clear(&p->events);
	p->events = now;
	return !same;
}

/* ---- the corpus's copy ---- */

void qr_events_corpus_dir(const qr_corpus *c, qr_buf *out)
{
	qr_corpus_path(c, "events", out);
}

int qr_events_load_corpus(const qr_corpus *c, qr_events **out, qr_strv *problems)
{
	qr_buf dir = QR_BUF_INIT, readable = QR_BUF_INIT;
	int st;
	qr_events_corpus_dir(c, &dir);
	/* A writer swapping a new catalogue in may have it beside: read that
	 * (io.h, qr_io_swap_readable). */
	if (!qr_io_swap_readable(dir.buf, &readable)) {
		*out = qr_calloc(1, sizeof(**out));
		st = 0;
	} else {
		const char *paths[1] = { readable.buf };
		st = qr_events_load(paths, 1, out, problems);
	}
	qr_buf_release(&dir);
	qr_buf_release(&readable);
	return st;
}

static int remove_tree(const char *dir, qr_buf *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : (qr_buf_setf(err, "cannot read '%s': %s", dir, strerror(errno)), QR_IO);
	struct dirent *de;
	qr_buf path = QR_BUF_INIT;
	int st = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		qr_buf_setf(&path, "%s/%s", dir, de->d_name);
		if (unlink(path.buf) < 0 && errno != ENOENT) {
			st = QR_IO;
			qr_buf_setf(err, "cannot remove '%s': %s", path.buf, strerror(errno));
			break;
		}
	}
	closedir(d);
	qr_buf_release(&path);
	if (!st && rmdir(dir) < 0 && errno != ENOENT) {
		qr_buf_setf(err, "cannot remove '%s': %s", dir, strerror(errno));
		st = QR_IO;
	}
	return st;
}

/* The digest of what the corpus holds now, read without validating. */
static void installed_digest(const char *dir, char *out)
{
	qr_events tmp;
	qr_strv files = { 0 }, ignore = { 0 };
	memset(&tmp, 0, sizeof(tmp));
	out[0] = '\0';
	struct stat sb;
	if (stat(dir, &sb) < 0)
		return;
	list_dir(dir, &files, &ignore);
	for (size_t i = 0; i < files.n; i++) {
		qr_buf data = QR_BUF_INIT, err = QR_BUF_INIT;
		if (qr_io_read_file(files.v[i], QR_EVENT_FILE_MAX, &data, &err) == 0) {
			qr_strv_push(&tmp.names, base_name(files.v[i]));
			qr_strv_pushn(&tmp.contents, data.buf, data.len);
		}
		qr_buf_release(&data);
		qr_buf_release(&err);
	}
	digest(&tmp);
	memcpy(out, tmp.digest, QR_SHA256_HEX);
	qr_strv_clear(&tmp.names);
	qr_strv_clear(&tmp.contents);
	qr_strv_clear(&files);
	qr_strv_clear(&ignore);
}

int qr_events_install(qr_corpus *c, const qr_events *ev, bool *changed, qr_buf *err)
{
	qr_buf dir = QR_BUF_INIT, fresh = QR_BUF_INIT, path = QR_BUF_INIT;
	char have[QR_SHA256_HEX];
	int st = 0;
	if (changed)
		*changed = false;
	qr_events_corpus_dir(c, &dir);
	installed_digest(dir.buf, have);
	if (strcmp(have, ev->digest) == 0)
		goto out;
	if (changed)
		*changed = true;
	/* Write the new catalogue beside the old one, then swap it in, so
	 * that a reader sees one catalogue or the other and a crash leaves
	 * one (io.h: qr_io_swap_dir). */
	qr_buf_setf(&fresh, "%s.tmp", dir.buf);
	if ((st = remove_tree(fresh.buf, err)) || (st = qr_io_mkdir(fresh.buf, err)))
		goto out;
	for (size_t i = 0; i < ev->names.n; i++) {
		qr_buf_setf(&path, "%s/%s", fresh.buf, ev->names.v[i]);
		if ((st = qr_io_write_file_atomic(path.buf, ev->contents.v[i], strlen(ev->contents.v[i]), err)))
			goto out;
	}
	st = qr_io_swap_dir(fresh.buf, dir.buf, err);
out:
	qr_buf_release(&dir);
	qr_buf_release(&fresh);
	qr_buf_release(&path);
	return st;
}

void qr_events_applied(qr_corpus *c, qr_buf *out)
{
	char *v = NULL;
	qr_buf_reset(out);
	if (xc_db_get_metadata(qr_corpus_db(c), QR_EVENTS_META_APPLIED, &v, NULL) == XC_OK && v)
		qr_buf_adds(out, v);
	free(v);
}

int qr_events_journal(qr_corpus *c, const qr_events *ev, qr_buf *err)
{
	qr_journal *j = qr_corpus_journal(c);
	qr_buf buf = QR_BUF_INIT;
	qr_jw w;
	qr_journal_begin(j, &w, &buf, "events");
	qr_jw_kstr(&w, "digest", ev ? ev->digest : "");
	qr_jw_key(&w, "files");
	qr_jw_begin_array(&w);
	for (size_t i = 0; ev && i < ev->names.n; i++) {
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "name", ev->names.v[i]);
		qr_jw_kstr(&w, "content", ev->contents.v[i]);
		qr_jw_end_object(&w);
	}
	qr_jw_end_array(&w);
	int st = qr_journal_append(j, &w, &buf);
	if (st)
		qr_buf_setf(err, "cannot write the journal: %s", qr_journal_error(j));
	qr_buf_release(&buf);
	return st;
}

int qr_events_from_journal(const cJSON *entry, qr_events **out, qr_strv *problems)
{
	qr_events *ev = qr_calloc(1, sizeof(*ev));
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(entry, "files"), *f;
	int count = 0;
	qr_buf data = QR_BUF_INIT;
	if (!cJSON_IsArray(files)) {
		qr_strv_push(problems, "journal: files: not an array");
		count++;
	}
	cJSON_ArrayForEach(f, files)
	{
		const char *name = qr_json_str(f, "name"), *content = qr_json_str(f, "content");
		if (!name || !content || strchr(name, '/')) {
			qr_strv_push(problems, "journal: files: an entry without a name and a content");
			count++;
			continue;
		}
		qr_buf_reset(&data);
		qr_buf_adds(&data, content);
		load_data(ev, name, name, &data, problems, &count);
	}
	qr_buf_release(&data);
	if (ev->n > 1)
		qsort(ev->v, ev->n, sizeof(*ev->v), cmp_event);
	digest(ev);
	const char *want = qr_json_str(entry, "digest");
	if (!count && want && strcmp(want, ev->digest) != 0) {
		qr_strv_push(problems, "journal: the files do not match the digest they were written with");
		count++;
	}
	*out = ev;
	return count ? QR_BAD_INPUT : QR_OK;
}

/* Recompute the events of every post; only those whose events change are
 * rewritten.  Commits as it goes and at the end, with ev's digest. */
static int apply_posts(qr_corpus *c, const qr_events *ev, qr_events_apply_counts *counts, bool journaled,
		       qr_buf *err)
{
	xc_db *db = qr_corpus_db(c);
	xc_postiter *it = NULL;
	xc_docid *ids = NULL, id;
	size_t n = 0, alloc = 0;
	int st = 0;
	memset(counts, 0, sizeof(*counts));
	/* Document ids first: rewriting documents while walking a posting
	 * list of the same database is not safe. */
	if (xc_db_postlist(db, "", 0, &it) != XC_OK) {
		qr_buf_setf(err, "cannot list the posts: %s", xc_db_error(db));
		return QR_INTERNAL;
	}
	xc_status x;
	while ((x = xc_postiter_next(it, &id)) == XC_OK) {
		ids = qr_grow_array(ids, sizeof(*ids), n + 1, &alloc);
		ids[n++] = id;
	}
	if (x != XC_END) {
		qr_buf_setf(err, "cannot list the posts: %s", xc_postiter_error(it));
		st = QR_DAMAGED;
	}
	xc_postiter_destroy(it);
	qr_post p;
	qr_post_init(&p);
	for (size_t i = 0; i < n && !st; i++) {
		qr_post_clear(&p);
		qr_post_init(&p);
		if ((st = qr_corpus_load_post(c, ids[i], &p))) {
			qr_buf_setf(err, "%s", qr_corpus_error(c));
			break;
		}
		counts->posts++;
		if (!qr_events_apply(ev, &p))
			continue;
		if ((st = qr_corpus_update_post(c, ids[i], &p))) {
			qr_buf_setf(err, "%s", qr_corpus_error(c));
			break;
		}
		counts->changed++;
		if (qr_corpus_pending(c) >= APPLY_BATCH && (st = qr_corpus_commit(c)))
			qr_buf_setf(err, "%s", qr_corpus_error(c));
	}
	qr_post_clear(&p);
	free(ids);
	if (!st && (st = qr_corpus_set_metadata(c, QR_EVENTS_META_APPLIED, ev ? ev->digest : "")))
		qr_buf_setf(err, "%s", qr_corpus_error(c));
	/* The entry written before any post changed is now all applied. */
	if (!st && journaled &&
	    (st = qr_corpus_set_journal_applied(c, qr_journal_size(qr_corpus_journal(c)))))
		qr_buf_setf(err, "%s", qr_corpus_error(c));
	if (!st && (st = qr_corpus_commit(c)))
		qr_buf_setf(err, "%s", qr_corpus_error(c));
	return st;
}

int qr_events_apply_corpus(qr_corpus *c, const qr_events *ev, qr_events_apply_counts *counts, qr_buf *err)
{
	memset(counts, 0, sizeof(*counts));
	/* Into the journal first: an index rebuilt from the store gets the
	 * events of this very catalogue back. */
	int st = qr_events_journal(c, ev, err);
	return st ? st : apply_posts(c, ev, counts, true, err);
}

int qr_events_reapply_corpus(qr_corpus *c, const qr_events *ev, qr_events_apply_counts *counts, qr_buf *err)
{
	return apply_posts(c, ev, counts, false, err);
}
