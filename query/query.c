#include "query.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

/* ---- shorthands ---- */

static bool word_char(unsigned char c)
{
	return c >= 0x80 || isalnum(c) || c == '_';
}

void qr_query_shorthands(qr_buf *out, const char *text)
{
	bool quoted = false;
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			quoted = !quoted;
		bool at_start = p == text || strchr(" \t\n(+-", p[-1]) != NULL;
		if (!quoted && at_start && (c == '#' || c == '@') && word_char((unsigned char)p[1])) {
			qr_buf_adds(out, c == '#' ? "hashtag:" : "mention:");
			continue;
		}
		if (!quoted && at_start && strncmp(p, "date:", 5) == 0) {
			/* The parser splits 2020-06-03 at the hyphens; a range of one
			 * date keeps it whole (and means all of that day). */
			size_t n = strcspn(p + 5, " \t\n)");
			const char *dots = strstr(p + 5, "..");
			qr_buf_add(out, p, 5 + n);
			if (n && (!dots || dots >= p + 5 + n)) {
				qr_buf_adds(out, "..");
				qr_buf_add(out, p + 5, n);
			}
			p += 4 + n;
			continue;
		}
		qr_buf_addch(out, c);
	}
}

/* ---- field processors ---- */

struct qctx {
	const qr_query_opts *o;
	xc_db *db;
};

/*
 * Xapian 1.4's parser does not hand a field value with punctuation in it
 * (- / : @ and the like, which make phrases of words) to the field
 * processor: the value is dropped ('id:twitter:1268...' found nothing,
 * 'url:https://...' was ignored), and after '+' the parser crashes.  Such
 * values go to the parser hex-encoded behind a marker, as one plain word,
 * and every field processor decodes them first (the parser lowercases
 * the word on the way: hex digits and marker survive that).
 */
#define VALUE_MARK "qrxv"

static bool needs_encoding(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c >= 0x80 || (!isalnum(c) && !strchr("_*", c)))
			return true;
	}
	return false;
}

/* A date or a range of dates as the range processor reads them. */
static bool date_text(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)v[i]) && !strchr("-:.+TtZz", v[i]))
			return false;
	return true;
}

/* Rewrite `field:value` (field one of ours, outside quotes) when needed,
 * and drop the '+' that starts a word: with AND as the default operator it
 * adds nothing, and Xapian 1.4 crashes when what follows it parses to
 * nothing (a field value it dropped). */
static void encode_field_values(qr_buf *out, const char *text)
{
	static const char *const fields[] = { "lang", "platform", "domain", "url", "event", "tag", "source",
					      "visibility", "community", "hashtag", "mention", "from", "media",
					      "is", "id", "date" };
	bool quoted = false;
	for (const char *p = text; *p;) {
		if (!quoted && *p == '+' && (p == text || strchr(" \t\n(", p[-1]))) {
			p++;
			continue;
		}
		/* Xapian starts a field at any word start: after anything but a
		 * letter or digit (an invalid byte, a symbol, an operator). */
		bool at_start = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		if (*p == '"')
			quoted = !quoted;
		size_t name = strspn(p, "abcdefghijklmnopqrstuvwxyz");
		if (!quoted && at_start && name && p[name] == ':') {
			const char *v = p + name + 1;
			size_t n = strcspn(v, " \t\n)");
			bool ours = false;
			for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && !ours; i++)
				ours = strlen(fields[i]) == name && strncmp(p, fields[i], name) == 0;
			/* Dates and ranges go to the range processor as typed. */
			if (ours && name == 4 && strncmp(p, "date", 4) == 0 && date_text(v, n))
				ours = false;
			if (ours && n && needs_encoding(v, n)) {
				qr_buf_add(out, p, name + 1);
				qr_buf_adds(out, VALUE_MARK);
				for (size_t i = 0; i < n; i++)
					qr_buf_addf(out, "%02x", (unsigned char)v[i]);
				p = v + n;
				continue;
			}
		}
		qr_buf_addch(out, *p++);
	}
}

/* The value as typed: decoded into tmp when it came encoded. */
static void decode_value(const char **text, size_t *len, qr_buf *tmp)
{
	size_t m = strlen(VALUE_MARK);
	if (*len <= m || (*len - m) % 2 || strncasecmp(*text, VALUE_MARK, m) != 0)
		return;
	qr_buf_reset(tmp);
	for (size_t i = m; i + 1 < *len; i += 2) {
		char hex[3] = { (*text)[i], (*text)[i + 1], '\0' };
		char *end;
		unsigned long c = strtoul(hex, &end, 16);
		if (*end)
			return;
		qr_buf_addch(tmp, (int)c);
	}
	*text = tmp->buf;
	*len = tmp->len;
}

/* Every field processor is called through this, which decodes the value. */
struct field_cb {
	xc_field_fn fn;
	void *ctx;
};

static xc_status field_decoded(void *ctx, const char *text, size_t len, xc_query **out, char **err)
{
	const struct field_cb *cb = ctx;
	qr_buf tmp = QR_BUF_INIT;
	decode_value(&text, &len, &tmp);
	xc_status st = cb->fn(cb->ctx, text, len, out, err);
	qr_buf_release(&tmp);
	return st;
}

static xc_status term_query(const char *prefix, const char *value, size_t len, bool casefold, xc_query **out)
{
	qr_buf v = QR_BUF_INIT, t = QR_BUF_INIT;
	qr_buf_add(&v, value, len);
	qr_term(&t, prefix, v.buf, casefold);
	xc_query *q = NULL;
	xc_status st = xc_query_term(t.buf, t.len, &q);
	if (st == XC_OK) {
		/* A filter: it selects posts without changing their ranking. */
		st = xc_query_scale_weight(q, 0.0, out);
		xc_query_destroy(q);
	}
	qr_buf_release(&v);
	qr_buf_release(&t);
	return st;
}

/* "<before>'<value>'<after>", with the value made safe to print. */
static char *msg(const char *before, const char *value, size_t len, const char *after)
{
	qr_buf b = QR_BUF_INIT;
	qr_buf_adds(&b, before);
	qr_buf_addch(&b, '\'');
	qr_escape_terminal(&b, value, len, 0);
	qr_buf_addch(&b, '\'');
	qr_buf_adds(&b, after);
	return qr_buf_detach(&b, NULL);
}

static xc_status field_plain(void *ctx, const char *text, size_t len, xc_query **out, char **err)
{
	const qr_field *f = ctx;
	(void)err;
	return term_query(f->prefix, text, len, f->casefold, out);
}

/* Strip one leading '#' or '@' the user typed after the prefix. */
static void strip_sigil(const char **text, size_t *len, char sigil)
{
	if (*len > 1 && (*text)[0] == sigil) {
		(*text)++;
		(*len)--;
	}
}

static xc_status field_hashtag(void *ctx, const char *text, size_t len, xc_query **out, char **err)
{
	(void)ctx, (void)err;
	strip_sigil(&text, &len, '#');
	return term_query(QR_P_HASHTAG, text, len, true, out);
}

static xc_status field_mention(void *ctx, const char *text, size_t len, xc_query **out, char **err)
{
	(void)ctx, (void)err;
	strip_sigil(&text, &len, '@');
	return term_query(QR_P_MENTION, text, len, true, out);
}

static xc_status or_queries(xc_query **qs, size_t n, xc_query **out)
{
	xc_status st = xc_query_combine(XC_OP_OR, qs, n, 0, out);
	for (size_t i = 0; i < n; i++)
		xc_query_destroy(qs[i]);
	return st;
}

/* from: an author's handle or id. */
static xc_status field_from(void *ctx, const char *text, size_t len, xc_query **out, char **err)
{
	(void)ctx, (void)err;
	strip_sigil(&text, &len, '@');
	xc_query *qs[2] = { NULL, NULL };
	xc_status st = term_query(QR_P_AUTHOR, text, len, true, &qs[0]);
	if (st == XC_OK)
		st = term_query(QR_P_AUTHOR_ID, text, len, false, &qs[1]);
	if (st != XC_OK) {
		xc_query_destroy(qs[0]);
		xc_query_destroy(qs[1]);
		return st;
	}
	return or_queries(qs, 2, out);
}

/* media: photo|video|gif|audio|file|any|none, or sha256:<hex>. */
static xc_status field_media(void *ctx, const char *text, size_t len, xc_query **out, char **err)
{
	(void)ctx;
	if (len > 7 && strncasecmp(text, "sha256:", 7) == 0)
		return term_query(QR_P_MEDIA_SHA, text + 7, len - 7, true, out);
	static const char *kinds[] = { "photo", "video", "gif", "audio", "file", "any", "none" };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i]) == len && strncasecmp(text, kinds[i], len) == 0)
			return term_query(QR_P_MEDIA, kinds[i], len, false, out);
	*err = msg("media: takes photo, video, gif, audio, file, any, none or sha256:<hex>, not ", text, len, "");
	return XC_ERR_CALLBACK;
}

/* is: original|repost|reply|quote (retweet and boost are reposts). */
static xc_status field_is(void *ctx, const char *text, size_t len, xc_query **out, char **err)
{
	(void)ctx;
	static const char *kinds[][2] = { { "original", "original" }, { "repost", "repost" }, { "retweet", "repost" },
					  { "boost", "repost" }, { "reply", "reply" }, { "quote", "quote" } };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i][0]) == len && strncasecmp(text, kinds[i][0], len) == 0)
			return term_query(QR_P_KIND, kinds[i][1], strlen(kinds[i][1]), false, out);
	*err = msg("is: takes original, repost, reply or quote, not ", text, len, "");
	return XC_ERR_CALLBACK;
}

/* id: a full post id (platform:native) or a bare native id on any platform. */
static xc_status field_id(void *ctx, const char *text, size_t len, xc_query **out, char **err)
{
	struct qctx *q = ctx;
	(void)err;
	if (memchr(text, ':', len))
		return term_query(QR_P_ID, text, len, false, out);
	/* Try every platform the corpus holds. */
	xc_query *qs[16];
	size_t n = 0;
	xc_termiter *it = NULL;
	qr_buf id = QR_BUF_INIT;
	if (xc_db_allterms(q->db, QR_P_PLATFORM, &it) == XC_OK) {
		const char *t;
		size_t tl;
		while (n < 16 && xc_termiter_next(it, &t, &tl, NULL) == XC_OK) {
			qr_buf_setf(&id, "%.*s:%.*s", (int)(tl - strlen(QR_P_PLATFORM)), t + strlen(QR_P_PLATFORM),
				    (int)len, text);
			if (term_query(QR_P_ID, id.buf, id.len, false, &qs[n]) == XC_OK)
				n++;
		}
	}
	xc_termiter_destroy(it);
	qr_buf_release(&id);
	if (!n)
		return xc_query_match_nothing(out);
	return or_queries(qs, n, out);
}

/* ---- dates ---- */

/* A date or time as typed: YYYY, YYYY-MM, YYYY-MM-DD, ...THH, ...THH:MM,
 * ...THH:MM:SS, optionally with Z or an offset.  *start is its first
 * second, *next the first second after it (so a day covers all of it). */
static bool parse_when(const char *s, size_t len, const char *tz, int64_t *start, int64_t *next)
{
	char buf[64];
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	qr_civil c = { 0, 1, 1, 0, 0, 0, 0 };
	int n = 0, fields = 0;
	const char *p = buf;
	int zone_offset = 0;
	bool has_zone = false;
	if (sscanf(p, "%4d%n", &c.year, &n) != 1 || n != 4)
		return false;
	p += n;
	fields = 1;
	if (*p == '-' && sscanf(p, "-%2d%n", &c.month, &n) == 1 && n == 3) {
		p += n;
		fields = 2;
		if (*p == '-' && sscanf(p, "-%2d%n", &c.day, &n) == 1 && n == 3) {
			p += n;
			fields = 3;
			if ((*p == 'T' || *p == 't' || *p == ' ') && sscanf(p + 1, "%2d%n", &c.hour, &n) == 1 && n == 2) {
				p += 3;
				fields = 4;
				if (*p == ':' && sscanf(p, ":%2d%n", &c.minute, &n) == 1 && n == 3) {
					p += n;
					fields = 5;
					if (*p == ':' && sscanf(p, ":%2d%n", &c.second, &n) == 1 && n == 3) {
						p += n;
						fields = 6;
					}
				}
				if (*p == 'Z' || *p == 'z') {
					has_zone = true;
					p++;
				} else if (*p == '+' || *p == '-') {
					int hh, mm = 0, sign = *p == '-' ? -1 : 1;
					if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &n) == 2)
						p += 1 + n;
					else if (sscanf(p + 1, "%2d%n", &hh, &n) == 1)
						p += 1 + n;
					else
						return false;
					zone_offset = sign * (hh * 3600 + mm * 60);
					has_zone = true;
				}
			}
		}
	}
	if (*p)
		return false;
	int64_t t;
	if (has_zone) {
		if (!qr_time_from_civil(&c, &t))
			return false;
		t -= zone_offset;
	} else if (tz && strcmp(tz, "UTC") != 0) {
		if (!qr_tz_to_utc(tz, &c, &t))
			return false;
	} else if (!qr_time_from_civil(&c, &t)) {
		return false;
	}
	*start = t;
	/* The end is the start of the next unit on the calendar, so that a
	 * day is all of it (23 or 25 hours across a DST change). */
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
		e.hour = e.minute = e.second = 0;
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
	if (has_zone || !tz || strcmp(tz, "UTC") == 0) {
		if (!qr_time_from_civil(&e, next))
			return false;
		*next -= zone_offset;
		return true;
	}
	return qr_tz_to_utc(tz, &e, next);
}

static xc_status time_range(int64_t lo, bool has_lo, int64_t hi_excl, bool has_hi, xc_query **out)
{
	char a[18], b[18];
	size_t na = 0, nb = 0;
	if (has_lo)
		na = xc_sortable_serialise((double)lo, a);
	if (has_hi)
		nb = xc_sortable_serialise((double)(hi_excl - 1), b);
	return xc_query_value_range(QR_SLOT_TIME, has_lo ? a : NULL, na, has_hi ? b : NULL, nb, out);
}

static xc_status range_dates(void *ctx, const char *begin, size_t blen, const char *end, size_t elen, xc_query **out,
			     char **err, bool strict)
{
	struct qctx *q = ctx;
	int64_t lo = 0, lo_next, hi_start, hi = 0;
	bool has_lo = blen > 0, has_hi = elen > 0;
	if (has_lo && !parse_when(begin, blen, q->o->tz, &lo, &lo_next)) {
		if (!strict)
			return XC_NOT_FOUND;
		*err = msg("", begin, blen, " is not a date or time (use 2020-06-03 or 2020-06-03T14:00)");
		return XC_ERR_CALLBACK;
	}
	if (has_hi && !parse_when(end, elen, q->o->tz, &hi_start, &hi)) {
		if (!strict)
			return XC_NOT_FOUND;
		*err = msg("", end, elen, " is not a date or time (use 2020-06-03 or 2020-06-03T14:00)");
		return XC_ERR_CALLBACK;
	}
	if (!has_lo && !has_hi)
		return strict ? xc_query_match_all(out) : XC_NOT_FOUND;
	if (has_lo && has_hi && hi <= lo) {
		*err = msg("the date range starting ", begin, blen, " ends before it starts");
		return XC_ERR_CALLBACK;
	}
	return time_range(lo, has_lo, hi, has_hi, out);
}

static xc_status range_date_prefix(void *ctx, const char *begin, size_t blen, const char *end, size_t elen,
				   xc_query **out, char **err)
{
	return range_dates(ctx, begin, blen, end, elen, out, err, true);
}

static xc_status range_bare(void *ctx, const char *begin, size_t blen, const char *end, size_t elen, xc_query **out,
			    char **err)
{
	return range_dates(ctx, begin, blen, end, elen, out, err, false);
}

/* date:2020-06-03 alone: that whole day (or hour, month...). */
static xc_status field_date(void *ctx, const char *text, size_t len, xc_query **out, char **err)
{
	struct qctx *q = ctx;
	int64_t lo, hi;
	if (!parse_when(text, len, q->o->tz, &lo, &hi)) {
		*err = msg("", text, len, " is not a date or time (use 2020-06-03 or 2020-06-03T14:00)");
		return XC_ERR_CALLBACK;
	}
	return time_range(lo, true, hi, true, out);
}

xc_stem *qr_query_stemmer(void)
{
	xc_stem *s = NULL;
	xc_stem_create("english", &s, NULL);
	return s;
}

int qr_query_build(xc_db *db, const char *text, const qr_query_opts *o, xc_query **out, qr_buf *err)
{
	static const qr_query_opts none = { NULL, NULL, NULL };
	struct qctx ctx = { o ? o : &none, db };
	xc_qp *qp = NULL;
	xc_stem *stem = NULL;
	xc_query *q = NULL;
	qr_buf rewritten = QR_BUF_INIT;
	int st = QR_OK;

	*out = NULL;
	if (strlen(text) > QR_MAX_QUERY) {
		qr_buf_setf(err, "query is longer than %d bytes", QR_MAX_QUERY);
		return QR_USAGE;
	}
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

	static const char *plain[] = { "lang", "platform", "domain", "url", "event", "tag", "source", "visibility",
				       "community" };
	struct field_cb cbs[16];
	size_t ncb = 0;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		cbs[ncb] = (struct field_cb){ field_plain, (void *)qr_field_by_name(plain[i]) };
		xc_qp_add_field_callback(qp, plain[i], 0, field_decoded, &cbs[ncb++]);
	}
	static const struct {
		const char *name;
		xc_field_fn fn;
	} own[] = { { "hashtag", field_hashtag }, { "mention", field_mention }, { "from", field_from },
		    { "media", field_media }, { "is", field_is }, { "id", field_id }, { "date", field_date } };
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		cbs[ncb] = (struct field_cb){ own[i].fn, &ctx };
		xc_qp_add_field_callback(qp, own[i].name, 0, field_decoded, &cbs[ncb++]);
	}
	xc_qp_add_range_callback(qp, "date:", range_date_prefix, &ctx);
	xc_qp_add_range_callback(qp, "", range_bare, &ctx);

	qr_buf shorthand = QR_BUF_INIT;
	qr_query_shorthands(&shorthand, text);
	encode_field_values(&rewritten, shorthand.buf);
	qr_buf_release(&shorthand);
	const char *s = rewritten.buf;
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	xc_status x;
	if (!*s) {
		x = xc_query_match_all(&q);
	} else {
		int flags = XC_QP_BOOLEAN | XC_QP_PHRASE | XC_QP_LOVEHATE | XC_QP_WILDCARD | XC_QP_PURE_NOT |
			    XC_QP_CJK_NGRAM;
		x = xc_qp_parse(qp, s, flags, "", &q);
	}
	if (x != XC_OK) {
		qr_buf safe = QR_BUF_INIT;
		qr_escape_terminal(&safe, xc_qp_error(qp), strlen(xc_qp_error(qp)), 0);
		qr_buf_setf(err, "cannot parse the query: %s", safe.len ? safe.buf : xc_status_string(x));
		qr_buf_release(&safe);
		st = x == XC_ERR_NOMEM ? QR_NOMEM : QR_USAGE;
		goto out;
	}
	if (o && (o->since || o->until)) {
		xc_query *range = NULL;
		char *m = NULL;
		x = range_dates(&ctx, o->since ? o->since : "", o->since ? strlen(o->since) : 0, o->until ? o->until : "",
				o->until ? strlen(o->until) : 0, &range, &m, true);
		if (x != XC_OK) {
			qr_buf_setf(err, "%s", m ? m : "bad --since or --until");
			free(m);
			st = QR_USAGE;
			goto out;
		}
		xc_query *both[2] = { q, range }, *f = NULL;
		x = xc_query_combine(XC_OP_FILTER, both, 2, 0, &f);
		xc_query_destroy(q);
		xc_query_destroy(range);
		q = f;
	}
	*out = q;
	q = NULL;
out:
	xc_query_destroy(q);
	xc_qp_destroy(qp);
	xc_stem_destroy(stem);
	qr_buf_release(&rewritten);
	return st;
}
