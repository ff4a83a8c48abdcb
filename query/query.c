#include "query.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

#define FIELD_NAME "qrf"

/*
 * A query that matches nothing, for a field the parser hands back.  Not
 * Xapian's MatchNothing: Xapian 1.4's parser dereferences that empty query
 * when it is loved or hated among others (a crash found by fuzzing), so a
 * term no document can hold stands in for it (terms never start with a
 * NUL byte).
 */
static xc_status nothing(xc_query **out)
{
	return xc_query_term("\0quire-nothing", 14, out);
}

/* ---- dates ---- */

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* A date or time as typed: YYYY, YYYY-MM, YYYY-MM-DD, ...THH, ...THH:MM,
 * ...THH:MM:SS, optionally with Z or an offset.  *start is its first
 * second, *next the first second after it (so a day covers all of it,
 * 23 or 25 hours across a DST change). */
static bool parse_when(const char *s, size_t len, const char *tz, int64_t *start, int64_t *next)
{
	qr_civil c = { 0, 1, 1, 0, 0, 0, 0 };
	const char *p = s, *end = s + len;
	int fields = 0, zone_offset = 0;
	bool has_zone = false;

	if (len < 4 || !digits(p, 4, &c.year))
		return false;
	p += 4;
	fields = 1;
	if (end - p >= 3 && *p == '-' && digits(p + 1, 2, &c.month)) {
		p += 3;
		fields = 2;
		if (end - p >= 3 && *p == '-' && digits(p + 1, 2, &c.day)) {
			p += 3;
			fields = 3;
		}
	}
	if (fields == 3 && end - p >= 3 && (*p == 'T' || *p == 't') && digits(p + 1, 2, &c.hour)) {
		p += 3;
		fields = 4;
		if (end - p >= 3 && *p == ':' && digits(p + 1, 2, &c.minute)) {
			p += 3;
			fields = 5;
			if (end - p >= 3 && *p == ':' && digits(p + 1, 2, &c.second)) {
				p += 3;
				fields = 6;
			}
		}
		if (p < end && (*p == 'Z' || *p == 'z')) {
			has_zone = true;
			p++;
		} else if (end - p >= 3 && (*p == '+' || *p == '-')) {
			int hh, mm = 0, sign = *p == '-' ? -1 : 1;
			if (!digits(p + 1, 2, &hh))
				return false;
			p += 3;
			if (end - p >= 3 && *p == ':' && digits(p + 1, 2, &mm))
				p += 3;
			else if (end - p >= 2 && digits(p, 2, &mm))
				p += 2;
			if (hh > 23 || mm > 59)
				return false;
			zone_offset = sign * (hh * 3600 + mm * 60);
			has_zone = true;
		}
	}
	if (p != end)
		return false;
	bool utc = has_zone || !tz || strcmp(tz, "UTC") == 0;
	int64_t t;
	if (utc) {
		if (!qr_time_from_civil(&c, &t))
			return false;
		t -= zone_offset;
	} else if (!qr_tz_to_utc(tz, &c, &t)) {
		return false;
	}
	*start = t;
	/* The end is the start of the next unit on the calendar. */
	qr_civil e = c;
	int64_t base;
	switch (fields) {
	case 1:
		e.year++;
		break;
	case 2:
		if (++e.month > 12) {
			e.month = 1;
			e.year++;
		}
		break;
	case 3:
		if (!qr_time_from_civil(&e, &base))
			return false;
		qr_time_to_civil(base + 86400, &e);
		break;
	case 4:
		*next = t + 3600;
		return true;
	case 5:
		*next = t + 60;
		return true;
	default:
		*next = t + 1;
		return true;
	}
	if (utc) {
		if (!qr_time_from_civil(&e, next))
			return false;
		*next -= zone_offset;
		return true;
	}
	return qr_tz_to_utc(tz, &e, next);
}

static void bad_when(qr_buf *why, const char *s, size_t n)
{
	qr_buf_reset(why);
	qr_buf_addch(why, '\'');
	qr_buf_add(why, s, n);
	qr_buf_adds(why, "' is not a date or time (use 2020-06-03, 2020-06-03T14:00 or 2020-06-03T14:00:00Z)");
}

/* begin..end, either side may be empty (an open end); both inclusive. */
static int date_range(const qr_query_opts *o, const char *b, size_t bn, const char *e, size_t en, xc_query **out,
		      qr_buf *why)
{
	int64_t lo = 0, lo_next, hi_start, hi = 0;
	char a[18], z[18];
	size_t na = 0, nz = 0;
	if (bn && !parse_when(b, bn, o->tz, &lo, &lo_next)) {
		bad_when(why, b, bn);
		return QR_USAGE;
	}
	if (en && !parse_when(e, en, o->tz, &hi_start, &hi)) {
		bad_when(why, e, en);
		return QR_USAGE;
	}
	if (!bn && !en)
		return xc_query_match_all(out) == XC_OK ? 0 : QR_NOMEM;
	if (bn && en && hi <= lo) {
		qr_buf_setf(why, "the range '%.*s..%.*s' ends before it starts", (int)bn, b, (int)en, e);
		return QR_USAGE;
	}
	if (bn)
		na = xc_sortable_serialise((double)lo, a);
	if (en)
		nz = xc_sortable_serialise((double)(hi - 1), z);
	return xc_query_value_range(QR_SLOT_TIME, bn ? a : NULL, na, en ? z : NULL, nz, out) == XC_OK ? 0 : QR_NOMEM;
}

/* ---- field values into queries ---- */

struct scan;
struct field;
typedef int (*field_fn)(struct scan *s, const struct field *f, const char *v, size_t n, xc_query **out,
			qr_buf *why);

struct field {
	const char *name;
	const char *prefix;
	bool casefold;
	char sigil;        /* typed before a value and dropped: '#', '@' */
	bool wildcard;     /* value* expands over the field's terms */
	field_fn fn;
};

struct scan {
	xc_db *db;
	const qr_query_opts *o;
	xc_query **items;         /* the fields' queries, by number */
	size_t nitems, alloc;
	qr_buf out;               /* the text handed to Xapian */
	qr_buf why;
	size_t where;
	size_t tokens;
	size_t wildcards;
	bool deleted;             /* is:deleted was asked for */
};

/* A filter: it selects posts without changing their ranking. */
static int filter(xc_query *q, xc_query **out)
{
	xc_status st = xc_query_scale_weight(q, 0.0, out);
	xc_query_destroy(q);
	return st == XC_OK ? 0 : QR_NOMEM;
}

static int term_query(const char *prefix, const char *v, size_t n, bool casefold, xc_query **out)
{
	qr_buf value = QR_BUF_INIT, t = QR_BUF_INIT;
	xc_query *q = NULL;
	qr_buf_add(&value, v, n);
	qr_term(&t, prefix, value.buf, casefold);
	int st = xc_query_term(t.buf, t.len, &q) == XC_OK ? filter(q, out) : QR_NOMEM;
	qr_buf_release(&value);
	qr_buf_release(&t);
	return st;
}

static int wildcard_query(const char *prefix, const char *v, size_t n, bool casefold, xc_query **out)
{
	qr_buf value = QR_BUF_INIT, t = QR_BUF_INIT;
	xc_query *q = NULL;
	qr_buf_add(&value, v, n);
	qr_buf_adds(&t, prefix);
	if (casefold)
		qr_casefold(&t, value.buf, value.len);
	else
		qr_buf_add(&t, value.buf, value.len);
	int st = xc_query_wildcard(t.buf, QR_MAX_WILDCARD, &q) == XC_OK ? filter(q, out) : QR_NOMEM;
	qr_buf_release(&value);
	qr_buf_release(&t);
	return st;
}

static int or_queries(xc_query **qs, size_t n, xc_query **out)
{
	xc_status st = xc_query_combine(XC_OP_OR, qs, n, 0, out);
	for (size_t i = 0; i < n; i++)
		xc_query_destroy(qs[i]);
	return st == XC_OK ? 0 : QR_NOMEM;
}

static bool wildcard_value(const struct field *f, const char *v, size_t n)
{
	return f->wildcard && n > 1 && v[n - 1] == '*';
}

static int f_plain(struct scan *s, const struct field *f, const char *v, size_t n, xc_query **out, qr_buf *why)
{
	(void)s, (void)why;
	if (wildcard_value(f, v, n))
		return wildcard_query(f->prefix, v, n - 1, f->casefold, out);
	return term_query(f->prefix, v, n, f->casefold, out);
}

/* from: an author's handle or id. */
static int f_from(struct scan *s, const struct field *f, const char *v, size_t n, xc_query **out, qr_buf *why)
{
	(void)s, (void)why;
	xc_query *qs[2] = { NULL, NULL };
	if (wildcard_value(f, v, n))
		return wildcard_query(QR_P_AUTHOR, v, n - 1, true, out);
	if (term_query(QR_P_AUTHOR, v, n, true, &qs[0]) || term_query(QR_P_AUTHOR_ID, v, n, false, &qs[1])) {
		xc_query_destroy(qs[0]);
		xc_query_destroy(qs[1]);
		return QR_NOMEM;
	}
	return or_queries(qs, 2, out);
}

static bool is_hex(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)v[i]))
			return false;
	return true;
}

/* media: a kind of qr_media_kinds, any, none, or sha256:<hex>. */
static int f_media(struct scan *s, const struct field *f, const char *v, size_t n, xc_query **out, qr_buf *why)
{
	(void)s, (void)f;
	if (n >= 7 && strncasecmp(v, "sha256:", 7) == 0) {
		if (n != 7 + 64 || !is_hex(v + 7, 64)) {
			qr_buf_setf(why, "media:sha256: takes the 64 hex digits of a file's sha256");
			return QR_USAGE;
		}
		return term_query(QR_P_MEDIA_SHA, v + 7, 64, true, out);
	}
	const qr_media_kind *k = qr_media_kind_find(v, n);
	if (k)
		return term_query(QR_P_MEDIA, k->name, strlen(k->name), false, out);
	if ((n == 3 && strncasecmp(v, "any", 3) == 0) || (n == 4 && strncasecmp(v, "none", 4) == 0))
		return term_query(QR_P_MEDIA, n == 3 ? "any" : "none", n, false, out);
	if (n == 5 && strncasecmp(v, "image", 5) == 0)
		return term_query(QR_P_MEDIA, "photo", 5, false, out);
	qr_buf_setf(why, "media: takes ");
	for (k = qr_media_kinds; k->name; k++)
		qr_buf_addf(why, "%s, ", k->name);
	qr_buf_addf(why, "any, none or sha256:HEX, not '%.*s'", (int)n, v);
	return QR_USAGE;
}

/* is: the kinds of post, and the words that mean them (retweet and boost
 * are reposts). */
static const char *const is_kinds[][2] = { { "original", "original" }, { "repost", "repost" }, { "retweet", "repost" },
					   { "boost", "repost" },	  { "reblog", "repost" }, { "reply", "reply" },
					   { "quote", "quote" } };

static int f_is(struct scan *s, const struct field *f, const char *v, size_t n, xc_query **out, qr_buf *why)
{
	(void)f;
	if (n == strlen(QR_KIND_DELETED) && strncasecmp(v, QR_KIND_DELETED, n) == 0) {
		s->deleted = true;
		return term_query(QR_P_KIND, QR_KIND_DELETED, n, false, out);
	}
	for (size_t i = 0; i < sizeof(is_kinds) / sizeof(is_kinds[0]); i++)
		if (strlen(is_kinds[i][0]) == n && strncasecmp(v, is_kinds[i][0], n) == 0)
			return term_query(QR_P_KIND, is_kinds[i][1], strlen(is_kinds[i][1]), false, out);
	qr_buf_setf(why, "is: takes original, repost, reply, quote or deleted, not '%.*s'", (int)n, v);
	return QR_USAGE;
}

/* id:, repost_of:, quote_of: a full post id (platform:native) or a bare
 * native id on any of the corpus's platforms. */
static int f_id(struct scan *s, const struct field *f, const char *v, size_t n, xc_query **out, qr_buf *why)
{
	(void)why;
	if (memchr(v, ':', n))
		return term_query(f->prefix, v, n, false, out);
	xc_query **qs = NULL;
	size_t nq = 0, alloc = 0;
	xc_termiter *it = NULL;
	qr_buf id = QR_BUF_INIT;
	size_t plen = strlen(QR_P_PLATFORM);
	int st = 0;
	if (xc_db_allterms(s->db, QR_P_PLATFORM, &it) == XC_OK) {
		const char *t;
		size_t tl;
		while (!st && xc_termiter_next(it, &t, &tl, NULL) == XC_OK) {
			qr_buf_setf(&id, "%.*s:%.*s", (int)(tl - plen), t + plen, (int)n, v);
			qs = qr_grow_array(qs, sizeof(*qs), nq + 1, &alloc);
			st = term_query(f->prefix, id.buf, id.len, false, &qs[nq]);
			if (!st)
				nq++;
		}
	}
	xc_termiter_destroy(it);
	qr_buf_release(&id);
	if (!st)
		st = nq ? or_queries(qs, nq, out) : (nothing(out) == XC_OK ? 0 : QR_NOMEM);
	else
		for (size_t i = 0; i < nq; i++)
			xc_query_destroy(qs[i]);
	free(qs);
	return st;
}

static int f_date(struct scan *s, const struct field *f, const char *v, size_t n, xc_query **out, qr_buf *why)
{
	(void)f;
	const char *dots = NULL;
	for (size_t i = 0; i + 1 < n && !dots; i++)
		if (v[i] == '.' && v[i + 1] == '.')
			dots = v + i;
	if (dots)
		return date_range(s->o, v, (size_t)(dots - v), dots + 2, n - (size_t)(dots - v) - 2, out, why);
	return date_range(s->o, v, n, v, n, out, why);
}

static const struct field fields[] = {
	{ "hashtag", QR_P_HASHTAG, true, '#', true, f_plain },
	{ "mention", QR_P_MENTION, true, '@', true, f_plain },
	{ "from", NULL, true, '@', true, f_from },
	{ "author", NULL, true, '@', true, f_from },
	{ "media", NULL, true, 0, false, f_media },
	{ "lang", QR_P_LANG, true, 0, false, f_plain },
	{ "platform", QR_P_PLATFORM, true, 0, false, f_plain },
	{ "is", NULL, true, 0, false, f_is },
	{ "kind", NULL, true, 0, false, f_is },
	{ "domain", QR_P_DOMAIN, true, 0, true, f_plain },
	{ "url", QR_P_URL, false, 0, true, f_plain },
	{ "id", QR_P_ID, false, 0, false, f_id },
	{ "repost_of", QR_P_REPOST_OF, false, 0, false, f_id },
	{ "quote_of", QR_P_QUOTE_OF, false, 0, false, f_id },
	{ "event", QR_P_EVENT, true, 0, true, f_plain },
	{ "tag", QR_P_TAG, true, 0, true, f_plain },
	{ "source", QR_P_SOURCE, true, 0, false, f_plain },
	{ "record", QR_P_RECORD, true, 0, false, f_plain },
	{ "visibility", QR_P_VISIBILITY, true, 0, false, f_plain },
	{ "community", QR_P_COMMUNITY, true, 0, true, f_plain },
	{ "subreddit", QR_P_COMMUNITY, true, 0, true, f_plain },
	{ "date", NULL, false, 0, false, f_date },
};

/* ---- the query language, as `quire help search` and the manual say it ---- */

/*
 * What the help says of each field, in this order.  Every field of fields[]
 * has a line here and every line names a field of fields[] (test_query
 * checks both ways); "%v" stands for the values the field takes.
 */
static const struct field_doc {
	const char *field;
	const char *usage;
	const char *help;
} field_docs[] = {
	{ "hashtag", "#tag, hashtag:tag", "a hashtag, any capitalisation (#블랙라이브스매터 too); #black*" },
	{ "mention", "@user, mention:user", "posts that mention the account" },
	{ "from", "from:handle", "posts by an account (handle or numeric id)" },
	{ "author", "author:handle", "the same as from:" },
	{ "media", "media:KIND", "posts by what they carry: %v (media:image is photo)" },
	{ "media", "media:sha256:HEX", "posts carrying this very file" },
	{ "is", "is:KIND", "posts by kind: %v" },
	{ "is", "is:deleted", "posts their authors deleted (left out of every query that does not ask for them, or --include-deleted)" },
	{ "kind", "kind:KIND", "the same as is:" },
	{ "lang", "lang:ko", "posts in a language, as the platform gives it (en, ko, und...)" },
	{ "platform", "platform:twitter", "posts from a platform (twitter, reddit, telegram, mastodon...)" },
	{ "domain", "domain:nytimes.com", "posts that link to a site, its subdomains too" },
	{ "url", "url:https://...", "posts that link to this very address" },
	{ "id", "id:ID", "a post by its id (twitter:1268... or the native id alone)" },
	{ "repost_of", "repost_of:ID", "the posts that repost (retweet, boost, share) that post" },
	{ "quote_of", "quote_of:ID", "the posts that quote that post" },
	{ "event", "event:ID", "posts of an event of the catalogue (quire events)" },
	{ "tag", "tag:CODE", "posts a researcher gave this code (quire tag)" },
	{ "source", "source:N|SHA256", "posts read from an input: its number or sha256 in sources.jsonl" },
	{ "record", "record:SHA256", "the post whose original record has this sha256" },
	{ "visibility", "visibility:WHO", "Mastodon posts by audience: %v" },
	{ "community", "community:NAME", "posts in a community: a subreddit, a Telegram chat" },
	{ "subreddit", "subreddit:NAME", "the same as community:" },
	{ "date", "date:2020-06-03", "that whole day (UTC unless --tz); date:2020-06 a month, date:2020-06-03T14 an hour" },
	{ "date", "date:A..B", "from A to B, all of B (date:2020-06-03..2020-06-04); date:2020-06-03.. and "
			       "date:..2020-06-03 leave an end open" },
};

/* Mastodon's audiences, as read into extra.visibility. */
static const char *const visibility_values[] = { "public", "unlisted", "followers", "direct" };

void qr_query_field_values(const char *field, qr_strv *out)
{
	if (strcmp(field, "media") == 0) {
		for (const qr_media_kind *k = qr_media_kinds; k->name; k++)
			qr_strv_push(out, k->name);
		qr_strv_push(out, "any");
		qr_strv_push(out, "none");
	} else if (strcmp(field, "is") == 0 || strcmp(field, "kind") == 0) {
		for (size_t i = 0; i < sizeof(is_kinds) / sizeof(is_kinds[0]); i++)
			qr_strv_push(out, is_kinds[i][0]);
	} else if (strcmp(field, "visibility") == 0) {
		for (size_t i = 0; i < sizeof(visibility_values) / sizeof(visibility_values[0]); i++)
			qr_strv_push(out, visibility_values[i]);
	}
}

const char *qr_query_field(size_t i)
{
	return i < sizeof(fields) / sizeof(fields[0]) ? fields[i].name : NULL;
}

bool qr_query_field_doc(size_t i, const char **field, const char **usage, const char **help)
{
	if (i >= sizeof(field_docs) / sizeof(field_docs[0]))
		return false;
	*field = field_docs[i].field;
	*usage = field_docs[i].usage;
	*help = field_docs[i].help;
	return true;
}

static void field_help(qr_buf *out, const struct field_doc *d)
{
	qr_buf text = QR_BUF_INIT;
	const char *v = strstr(d->help, "%v");
	if (v) {
		qr_strv values = { 0 };
		qr_query_field_values(d->field, &values);
		qr_buf_add(&text, d->help, (size_t)(v - d->help));
		for (size_t i = 0; i < values.n; i++)
			qr_buf_addf(&text, "%s%s", i == 0 ? "" : i + 1 < values.n ? ", " : " or ", values.v[i]);
		qr_buf_adds(&text, v + 2);
		qr_strv_clear(&values);
	} else {
		qr_buf_adds(&text, d->help);
	}
	size_t col = 2 + qr_utf8_length(d->usage, strlen(d->usage));
	qr_buf_addf(out, "  %s", d->usage);
	/* Two spaces at least between the two columns, which is how the
	 * manual pages tell them apart. */
	if (col >= 20) {
		qr_buf_addf(out, "\n%21s", "");
		col = 21;
	}
	for (; col < 21; col++)
		qr_buf_addch(out, ' ');
	qr_wrap(out, text.buf, 21, col, 88);
	qr_buf_addch(out, '\n');
	qr_buf_release(&text);
}

void qr_query_language(qr_buf *out)
{
	qr_buf_adds(out, "Query language (Xapian's query parser, configured for posts):\n"
			 "  words              all of them (stemmed: 'protest' finds 'protests'); CJK text too\n"
			 "  \"a phrase\"         the words in this order\n"
			 "  a NEAR b, a ADJ b  within 10 words (ADJ: in this order); NEAR/3 for 3 words\n"
			 "  AND OR NOT XOR ()  boolean operators (upper case); +word must, -word must not\n"
			 "  fanc*              words starting so (at most 1000 of them, else an error)\n");
	for (size_t i = 0; i < sizeof(field_docs) / sizeof(field_docs[0]); i++)
		field_help(out, &field_docs[i]);
	qr_buf_adds(out, "  2020-06-03T14:00..2020-06-03T18:00\n"
			 "                     times, to the minute (all of 18:00); T14 an hour, Z or an offset\n"
			 "                     for a time in another zone\n"
			 "A field value with spaces goes in quotes: tag:\"needs review\".\n");
	qr_buf list = QR_BUF_INIT;
	size_t nw = 0, k = 0;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		nw += fields[i].wildcard;
	qr_buf_adds(&list, "A trailing * finds the values that start so (at most 1000) in");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].wildcard)
			qr_buf_addf(&list, "%s %s:", k++ == 0 ? "" : k == nw ? " and" : ",", fields[i].name);
	qr_buf_adds(&list, " (#black*).");
	qr_wrap(out, list.buf, 0, 0, 88);
	qr_buf_release(&list);
}

static const struct field *field_named(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].name) == n && strncasecmp(fields[i].name, s, n) == 0)
			return &fields[i];
	return NULL;
}

/* ---- the scanner ---- */

static bool space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool word_byte(unsigned char c)
{
	return c >= 0x80 || isalnum(c) || c == '_';
}

enum prev { P_START, P_OPERAND, P_BINOP, P_NOT, P_OPEN };
enum operand { O_WORD, O_OTHER };

static int fail(struct scan *s, size_t where, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct scan *s, size_t where, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	qr_buf_reset(&s->why);
	qr_buf_vaddf(&s->why, fmt, ap);
	va_end(ap);
	s->where = where;
	return QR_USAGE;
}

/* An operator word: 0 none, 1 binary, 2 NOT; *near for NEAR and ADJ. */
static int operator_kind(const char *w, size_t n, bool *near)
{
	*near = false;
	if ((n == 3 && memcmp(w, "AND", 3) == 0) || (n == 2 && memcmp(w, "OR", 2) == 0) ||
	    (n == 3 && memcmp(w, "XOR", 3) == 0))
		return 1;
	if (n == 3 && memcmp(w, "NOT", 3) == 0)
		return 2;
	size_t k = n >= 4 && memcmp(w, "NEAR", 4) == 0 ? 4 : n >= 3 && memcmp(w, "ADJ", 3) == 0 ? 3 : 0;
	if (!k)
		return 0;
	if (k == n) {
		*near = true;
		return 1;
	}
	if (w[k] != '/' || k + 1 == n)
		return 0;
	for (size_t i = k + 1; i < n; i++)
		if (!isdigit((unsigned char)w[i]))
			return 0;
	*near = true;
	return 1;
}

/* Where a field's value ends: at white space, or at a ')' that closes
 * nothing inside the value (so url:https://x/a_(b) keeps its bracket). */
static size_t value_end(const char *t, size_t i, size_t n)
{
	int inner = 0;
	for (; i < n && !space((unsigned char)t[i]); i++) {
		if (t[i] == '(')
			inner++;
		else if (t[i] == ')' && inner-- == 0)
			break;
	}
	return i;
}

/* A bare date range (2020-06-03T14:00..2020-06-03T18:00): ".." with a
 * year (or nothing) on each side. */
static bool looks_like_range(const char *t, size_t i, size_t e)
{
	const char *dots = NULL;
	for (size_t k = i; k + 1 < e && !dots; k++)
		if (t[k] == '.' && t[k + 1] == '.')
			dots = t + k;
	if (!dots)
		return false;
	size_t left = (size_t)(dots - (t + i)), right = e - (size_t)(dots + 2 - t);
	int y;
	if (!left && !right)
		return false;
	return (!left || (left >= 4 && digits(t + i, 4, &y))) && (!right || (right >= 4 && digits(dots + 2, 4, &y)));
}

static int count_wildcard(struct scan *s, size_t at)
{
	if (++s->wildcards > QR_MAX_QUERY_WILDCARDS)
		return fail(s, at, "the query has more than %d wildcards", QR_MAX_QUERY_WILDCARDS);
	return 0;
}

static int add_field(struct scan *s, const struct field *f, const char *v, size_t n, size_t at)
{
	if (f->sigil && n > 1 && v[0] == f->sigil) {
		v++;
		n--;
	}
	if (n == 0 || (f->wildcard && n == 1 && v[0] == '*'))
		return fail(s, at, "'%s:' needs a value", f->name);
	if (v[0] == '(')
		return fail(s, at, "'%s:' takes one value, not a group: write (%s:a OR %s:b)", f->name, f->name,
			    f->name);
	if (wildcard_value(f, v, n) && count_wildcard(s, at))
		return QR_USAGE;
	xc_query *q = NULL;
	qr_buf_reset(&s->why);
	int st = f->fn(s, f, v, n, &q, &s->why);
	if (st) {
		s->where = at;
		return st;
	}
	s->items = qr_grow_array(s->items, sizeof(*s->items), s->nitems + 1, &s->alloc);
	s->items[s->nitems] = q;
	/* Followed by a space: what the user typed right after the value
	 * (`#tag,x`) is another word, never glued to this field's number. */
	qr_buf_addf(&s->out, FIELD_NAME ":%zu ", s->nitems);
	s->nitems++;
	return 0;
}

static const char *op_name(const char *t, size_t at, qr_buf *tmp)
{
	size_t e = at;
	while (t[e] && !space((unsigned char)t[e]) && t[e] != '(' && t[e] != ')' && t[e] != '"')
		e++;
	qr_buf_reset(tmp);
	qr_buf_add(tmp, t + at, e - at);
	return tmp->buf;
}

/*
 * A word of the user's, for the parser.  The internal field's name is not
 * the user's to type: wherever the parser would start a term with it
 * (after any byte that is not part of a word: `x.qrf:1`, a control
 * character), a space goes between the name and its colon.
 */
static void add_word(struct scan *s, const char *t, size_t j, size_t e)
{
	size_t fl = strlen(FIELD_NAME);
	size_t from = j;
	for (size_t k = j; k + fl < e; k++) {
		if (strncmp(t + k, FIELD_NAME ":", fl + 1) != 0 || (k > j && word_byte((unsigned char)t[k - 1])))
			continue;
		qr_buf_add(&s->out, t + from, k + fl - from);
		qr_buf_addch(&s->out, ' ');
		from = k + fl;
	}
	qr_buf_add(&s->out, t + from, e - from);
}

/* Rewrite text for Xapian: fields become FIELD_NAME:N, everything else
 * passes through; check brackets and operators on the way. */
static int scan(struct scan *s, const char *t)
{
	size_t n = strlen(t), i = 0, depth = 0, last_op = 0;
	size_t opens[QR_MAX_QUERY_DEPTH];
	enum prev prev = P_START;
	enum operand last_operand = O_OTHER;
	bool last_near = false;
	qr_buf tmp = QR_BUF_INIT;
	int st = 0;

#define OPERAND(kind)                                                                                     \
	do {                                                                                              \
		if (prev == P_BINOP && last_near && (kind) != O_WORD) {                                   \
			st = fail(s, last_op, "'%s' links two words, not a phrase, field or group",      \
				  op_name(t, last_op, &tmp));                                             \
			goto out;                                                                         \
		}                                                                                         \
		prev = P_OPERAND;                                                                         \
		last_operand = (kind);                                                                    \
	} while (0)

	while (i < n && !st) {
		unsigned char c = (unsigned char)t[i];
		if (space(c)) {
			qr_buf_addch(&s->out, ' ');
			i++;
			continue;
		}
		if (++s->tokens > QR_MAX_QUERY_TERMS) {
			st = fail(s, i, "the query has more than %d words, fields and operators", QR_MAX_QUERY_TERMS);
			break;
		}
		if (c == '(') {
			if (depth == QR_MAX_QUERY_DEPTH) {
				st = fail(s, i, "parentheses nest deeper than %d", QR_MAX_QUERY_DEPTH);
				break;
			}
			if (prev == P_BINOP && last_near) {
				st = fail(s, last_op, "'%s' links two words, not a phrase, field or group",
					  op_name(t, last_op, &tmp));
				break;
			}
			opens[depth++] = i;
			qr_buf_addch(&s->out, '(');
			prev = P_OPEN;
			i++;
			continue;
		}
		if (c == ')') {
			if (!depth) {
				st = fail(s, i, "')' closes nothing");
			} else if (prev == P_OPEN) {
				st = fail(s, opens[depth - 1], "'()' holds nothing");
			} else if (prev == P_BINOP || prev == P_NOT) {
				st = fail(s, last_op, "'%s' has nothing on its right", op_name(t, last_op, &tmp));
			} else {
				depth--;
				qr_buf_addch(&s->out, ')');
				i++;
				prev = P_OPERAND;
				last_operand = O_OTHER;
			}
			continue;
		}
		if (c == '"') {
			const char *close = strchr(t + i + 1, '"');
			size_t e = close ? (size_t)(close - t) + 1 : n;
			qr_buf_add(&s->out, t + i, e - i);
			i = e;
			OPERAND(O_OTHER);
			continue;
		}
		size_t j = i;
		while (j < n && (t[j] == '+' || t[j] == '-'))
			j++;
		if (j == n || space((unsigned char)t[j])) {
			/* A lone sign: Xapian ignores it, and so does the check. */
			qr_buf_add(&s->out, t + i, j - i);
			i = j;
			continue;
		}
		size_t e = j;
		while (e < n && !space((unsigned char)t[e]) && t[e] != '(' && t[e] != ')' && t[e] != '"')
			e++;
		bool near;
		int op = j == i ? operator_kind(t + j, e - j, &near) : 0;
		if (op == 1) {
			if (prev != P_OPERAND) {
				st = fail(s, j, "'%.*s' has nothing on its left", (int)(e - j), t + j);
				break;
			}
			if (near && last_operand != O_WORD) {
				st = fail(s, j, "'%.*s' links two words, not a phrase, field or group", (int)(e - j),
					  t + j);
				break;
			}
			prev = P_BINOP;
			last_near = near;
			last_op = j;
			qr_buf_add(&s->out, t + j, e - j);
			i = e;
			continue;
		}
		if (op == 2) {
			if (prev == P_NOT || (prev == P_BINOP && (last_near || t[last_op] == 'X'))) {
				st = fail(s, j, "'NOT' cannot follow '%s'", op_name(t, last_op, &tmp));
				break;
			}
			prev = P_NOT;
			last_near = false;
			last_op = j;
			qr_buf_adds(&s->out, "NOT");
			i = e;
			continue;
		}
		/* Keep the + or - in front of whatever follows. */
		qr_buf_add(&s->out, t + i, j - i);
		const struct field *f = NULL;
		size_t colon = j;
		while (colon < n && (isalpha((unsigned char)t[colon]) || t[colon] == '_'))
			colon++;
		if ((t[j] == '#' || t[j] == '@') && j + 1 < n && word_byte((unsigned char)t[j + 1])) {
			f = field_named(t[j] == '#' ? "hashtag" : "mention", t[j] == '#' ? 7 : 7);
			/* @user@server.example is one account (Mastodon). */
			size_t v = j + 1;
			while (v < n && (word_byte((unsigned char)t[v]) ||
					 (t[j] == '@' && (t[v] == '@' || t[v] == '.') && v + 1 < n &&
					  word_byte((unsigned char)t[v + 1]))))
				v++;
			if (v < n && t[v] == '*')
				v++;
			st = add_field(s, f, t + j + 1, v - j - 1, j);
			i = v;
		} else if (colon < n && t[colon] == ':' && (f = field_named(t + j, colon - j))) {
			size_t v = colon + 1;
			if (v < n && t[v] == '"') {
				const char *close = strchr(t + v + 1, '"');
				if (!close) {
					st = fail(s, v, "the quote after '%s:' is never closed", f->name);
					break;
				}
				st = add_field(s, f, t + v + 1, (size_t)(close - t) - v - 1, j);
				i = (size_t)(close - t) + 1;
			} else {
				size_t ve = value_end(t, v, n);
				st = add_field(s, f, t + v, ve - v, j);
				i = ve;
			}
		} else if (looks_like_range(t, j, value_end(t, j, n))) {
			size_t ve = value_end(t, j, n);
			st = add_field(s, field_named("date", 4), t + j, ve - j, j);
			i = ve;
		} else {
			/* A word: the parser's business.  The name of the internal
			 * field is not the user's to type. */
			if (e > j && t[e - 1] == '*' && (st = count_wildcard(s, j)))
				break;
			add_word(s, t, j, e);
			i = e;
			OPERAND(O_WORD);
			continue;
		}
		if (!st)
			OPERAND(O_OTHER);
	}
	if (!st && depth)
		st = fail(s, opens[depth - 1], "'(' is never closed");
	if (!st && (prev == P_BINOP || prev == P_NOT))
		st = fail(s, last_op, "'%s' has nothing on its right", op_name(t, last_op, &tmp));
out:
#undef OPERAND
	qr_buf_release(&tmp);
	return st;
}

/* Is every item at the top level of the parser's text hated (-word,
 * -field:value, -"phrase", -(group)), with no operator between them? */
static bool only_hated(const char *t)
{
	size_t hated = 0, other = 0, depth = 0;
	bool quoted = false, start = true;
	for (const char *p = t; *p; p++) {
		if (quoted) {
			quoted = *p != '"';
			continue;
		}
		if (space((unsigned char)*p)) {
			start = true;
			continue;
		}
		if (start && depth == 0 && *p != ')') {
			if (*p == '-')
				hated++;
			else
				other++;
		}
		start = false;
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth -= depth > 0;
		else if (*p == '"')
			quoted = true;
	}
	return hated && !other;
}

/* Add a filter that every post passes, so that hated items subtract from
 * all the posts. */
static int add_everything(struct scan *s)
{
	xc_query *all = NULL;
	if (xc_query_match_all(&all) != XC_OK)
		return QR_NOMEM;
	xc_query *q = NULL;
	int st = filter(all, &q);
	if (st)
		return st;
	s->items = qr_grow_array(s->items, sizeof(*s->items), s->nitems + 1, &s->alloc);
	s->items[s->nitems] = q;
	qr_buf_addf(&s->out, " " FIELD_NAME ":%zu", s->nitems);
	s->nitems++;
	return 0;
}

/* FIELD_NAME:N, called back by Xapian: the Nth field's query. */
static xc_status field_cb(void *ctx, const char *text, size_t len, xc_query **out, char **err)
{
	struct scan *s = ctx;
	size_t k = 0;
	(void)err;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)text[i]) || k > s->nitems)
			return nothing(out);
		k = k * 10 + (size_t)(text[i] - '0');
	}
	if (!len || k >= s->nitems)
		return nothing(out);
	return xc_query_combine(XC_OP_OR, &s->items[k], 1, 0, out);
}

xc_stem *qr_query_stemmer(void)
{
	xc_stem *s = NULL;
	xc_stem_create("english", &s, NULL);
	return s;
}

static void scan_release(struct scan *s)
{
	for (size_t i = 0; i < s->nitems; i++)
		xc_query_destroy(s->items[i]);
	free(s->items);
	qr_buf_release(&s->out);
	qr_buf_release(&s->why);
}

/* --since and --until, as one more filter. */
static int add_bounds(struct scan *s, xc_query **q, qr_buf *err)
{
	const qr_query_opts *o = s->o;
	xc_query *range = NULL, *both[2], *f = NULL;
	if (!o->since && !o->until)
		return 0;
	int st = date_range(o, o->since ? o->since : "", o->since ? strlen(o->since) : 0, o->until ? o->until : "",
			    o->until ? strlen(o->until) : 0, &range, &s->why);
	if (st) {
		qr_buf_setf(err, "bad --since or --until: %s", s->why.buf);
		return st;
	}
	both[0] = *q;
	both[1] = range;
	st = xc_query_combine(XC_OP_FILTER, both, 2, 0, &f) == XC_OK ? 0 : QR_NOMEM;
	xc_query_destroy(range);
	if (!st) {
		xc_query_destroy(*q);
		*q = f;
	}
	return st;
}

/* Posts their authors deleted are left out of every query (search, count,
 * facets, timelines, exports, tags) unless it asks for them with
 * is:deleted or the caller's include_deleted: the one place that decides. */
static int leave_out_deleted(struct scan *s, xc_query **q)
{
	if (s->deleted || s->o->include_deleted)
		return 0;
	qr_buf t = QR_BUF_INIT;
	xc_query *both[2] = { *q, NULL }, *f = NULL;
	qr_term(&t, QR_P_KIND, QR_KIND_DELETED, false);
	int st = xc_query_term(t.buf, t.len, &both[1]) == XC_OK &&
			 xc_query_combine(XC_OP_AND_NOT, both, 2, 0, &f) == XC_OK ? 0 : QR_NOMEM;
	xc_query_destroy(both[1]);
	qr_buf_release(&t);
	if (!st) {
		xc_query_destroy(*q);
		*q = f;
	}
	return st;
}

static size_t column(const char *text, size_t where)
{
	return qr_utf8_length(text, where) + 1;
}

int qr_query_build_at(xc_db *db, const char *text, const qr_query_opts *o, xc_query **out, qr_buf *err,
		      size_t *where)
{
	static const qr_query_opts none = { NULL, NULL, NULL, false };
	struct scan s = { db, o ? o : &none, NULL, 0, 0, QR_BUF_INIT, QR_BUF_INIT, QR_QUERY_NOWHERE, 0, 0, false };
	xc_qp *qp = NULL;
	xc_stem *stem = NULL;
	xc_query *q = NULL;
	int st = QR_OK;

	*out = NULL;
	*where = QR_QUERY_NOWHERE;
	size_t len = strlen(text);
	if (len > QR_MAX_QUERY) {
		qr_buf_setf(err, "cannot parse the query: it is %zu bytes long, the most is %d", len, QR_MAX_QUERY);
		return QR_USAGE;
	}
	if (!qr_utf8_valid(text, len, where)) {
		qr_buf_setf(err, "cannot parse the query: it is not valid UTF-8 (column %zu)", column(text, *where));
		return QR_USAGE;
	}
	st = scan(&s, text);
	if (st) {
		*where = s.where;
		qr_buf_setf(err, "cannot parse the query: %s", s.why.buf);
		if (s.where != QR_QUERY_NOWHERE)
			qr_buf_addf(err, " (column %zu)", column(text, s.where));
		goto out;
	}
	const char *p = s.out.buf;
	while (space((unsigned char)*p) || *p == '+' || *p == '-')
		p++;
	bool empty = !*p;	/* p dies when add_everything grows s.out */
	/* Xapian reads a query of hated items alone (`-is:repost`) as if
	 * they were loved; the user means every post but those. */
	if (!empty && only_hated(s.out.buf) && (st = add_everything(&s)))
		goto out;
	if (empty) {
		st = xc_query_match_all(&q) == XC_OK ? 0 : QR_NOMEM;
	} else {
		if (xc_qp_create(&qp) != XC_OK || !(stem = qr_query_stemmer())) {
			qr_buf_setf(err, "out of memory");
			st = QR_NOMEM;
			goto out;
		}
		xc_qp_set_database(qp, db);
		xc_qp_set_stemmer(qp, stem);
		xc_qp_set_stemming_strategy(qp, XC_STEM_SOME);
		xc_qp_set_default_op(qp, XC_OP_AND);
		xc_qp_set_max_expansion(qp, QR_MAX_WILDCARD);
		xc_qp_add_field_callback(qp, FIELD_NAME, 0, field_cb, &s);
		int flags = XC_QP_BOOLEAN | XC_QP_PHRASE | XC_QP_LOVEHATE | XC_QP_WILDCARD | XC_QP_PURE_NOT |
			    XC_QP_CJK_NGRAM;
		xc_status x = xc_qp_parse(qp, s.out.buf, flags, "", &q);
		if (x != XC_OK) {
			qr_buf safe = QR_BUF_INIT;
			qr_escape_terminal(&safe, xc_qp_error(qp), strlen(xc_qp_error(qp)), 0);
			qr_buf_setf(err, "cannot parse the query: %s", safe.len ? safe.buf : xc_status_string(x));
			qr_buf_release(&safe);
			st = x == XC_ERR_NOMEM ? QR_NOMEM : QR_USAGE;
			goto out;
		}
	}
	if (!st)
		st = add_bounds(&s, &q, err);
	if (!st)
		st = leave_out_deleted(&s, &q);
	if (!st) {
		*out = q;
		q = NULL;
	}
out:
	xc_query_destroy(q);
	xc_qp_destroy(qp);
	xc_stem_destroy(stem);
	scan_release(&s);
	return st;
}

int qr_query_build(xc_db *db, const char *text, const qr_query_opts *o, xc_query **out, qr_buf *err)
{
	size_t where;
	return qr_query_build_at(db, text, o, out, err, &where);
}

void qr_query_print_error(FILE *out, const char *text, const char *err, size_t where)
{
	qr_buf line = QR_BUF_INIT;
	qr_escape_terminal(&line, err, strlen(err), 0);
	fprintf(out, "quire: %s\n", line.buf);
	size_t len = strlen(text);
	if (where != QR_QUERY_NOWHERE && where <= len && len <= 200) {
		/* The query and a caret, when the columns line up: one per
		 * character up to the place (no wide or escaped ones). */
		bool plain = true;
		for (size_t i = 0; i < where && plain; i++)
			plain = (unsigned char)text[i] >= 0x20 && (unsigned char)text[i] < 0x7f;
		if (plain) {
			qr_buf_reset(&line);
			qr_escape_terminal(&line, text, len, 0);
			fprintf(out, "  %s\n  %*s^\n", line.buf, (int)where, "");
		}
	}
	qr_buf_release(&line);
}
