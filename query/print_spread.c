/* What spread (query/spread.h) as text, JSON and tables. */
#include <string.h>

#include "aggregate.h"
#include "cite.h"
#include "json.h"
#include "printer.h"
#include "spread.h"
#include "text.h"
#include "timeutil.h"

/* Characters of a post's text the text form shows (JSON and tables carry
 * all of it). */
#define TEXT_SHOWN 160

static const char *const names[] = { "reposted", "quoted", "file", "url" };
static const char *const plural[] = { "reposted posts", "quoted posts", "media files", "links" };
static const char *const counted[] = { "reposts", "quotes", "posts", "posts" };

static double share(uint32_t n, uint32_t total)
{
	return total ? (double)n / (double)total : 0.0;
}

static bool about_posts(qr_spread_by by)
{
	return by == QR_SPREAD_REPOSTED || by == QR_SPREAD_QUOTED;
}

static void when(qr_buf *out, const qr_post *p, const char *tz)
{
	qr_civil c;
	if (!qr_cite_time(p, tz, &c)) {
		qr_buf_adds(out, "unknown time");
		return;
	}
	qr_buf_addf(out, "%04d-%02d-%02d %02d:%02d:%02d ", c.year, c.month, c.day, c.hour, c.minute, c.second);
	qr_printer_safe(out, tz ? tz : "UTC", 0);
}

static void handle(qr_buf *out, const qr_post *p)
{
	qr_buf_addch(out, '@');
	qr_printer_safe(out, p->author_handle ? p->author_handle : p->author_id ? p->author_id : "?", 0);
}

/* A post's text on one line, cut to TEXT_SHOWN characters. */
static void one_line(qr_buf *out, const char *text)
{
	qr_buf flat = QR_BUF_INIT;
	size_t n = 0;
	for (const char *s = text ? text : ""; *s && n < TEXT_SHOWN; n++) {
		uint32_t cp;
		size_t l = qr_utf8_decode(s, strlen(s), &cp);
		if (cp == '\n' || cp == '\r' || cp == '\t')
			qr_buf_addch(&flat, ' ');
		else
			qr_buf_add(&flat, s, l);
		s += l;
	}
	qr_escape_terminal(out, flat.buf, flat.len, 0);
	if (text && qr_utf8_length(text, strlen(text)) > TEXT_SHOWN)
		qr_buf_adds(out, "…");
	qr_buf_release(&flat);
}

void qr_spread_print_text(const qr_spread *s, const char *query, uint64_t top, const char *tz, qr_buf *out)
{
	static const char indent[] = "                            ";
	qr_buf what = QR_BUF_INIT;
	qr_buf_setf(&what, "%s among ", plural[s->by]);
	qr_agg_heading(out, what.buf, s->total, query, s->distinct, s->n, top);
	qr_buf_release(&what);
	qr_buf_addf(out, "; %u of the posts %s one\n", s->carrying,
		    s->by == QR_SPREAD_REPOSTED ? "repost" : s->by == QR_SPREAD_QUOTED ? "quote" : "carry");
	if (s->unnamed)
		qr_buf_addf(out, "(%u %s among them name no post: the archive kept only their text)\n", s->unnamed,
			    s->by == QR_SPREAD_REPOSTED ? "reposts" : "quotes");
	qr_buf_addf(out, "%9s %7s %8s  %s\n", counted[s->by], "share", "authors",
		    s->by == QR_SPREAD_FILE ? "file" : s->by == QR_SPREAD_URL ? "url" : "post");
	for (size_t i = 0; i < s->n; i++) {
		const qr_spread_row *r = &s->v[i];
		qr_buf num = QR_BUF_INIT, au = QR_BUF_INIT;
		qr_add_grouped(&num, r->posts);
		qr_add_grouped(&au, r->authors);
		qr_buf_addf(out, "%9s %6.1f%% %8s  ", num.buf, 100.0 * share(r->posts, s->total), au.buf);
		qr_printer_safe(out, r->value, 0);
		qr_buf_addch(out, '\n');
		qr_buf_release(&num);
		qr_buf_release(&au);
		if (about_posts(s->by) && r->has_original) {
			const qr_post *p = &r->original;
			qr_buf_adds(out, indent);
			handle(out, p);
			qr_buf_adds(out, " · ");
			when(out, p, tz);
			qr_buf_adds(out, ": ");
			one_line(out, p->text);
			qr_buf_addch(out, '\n');
		} else if (about_posts(s->by) && r->has_first) {
			qr_buf_adds(out, indent);
			qr_buf_adds(out, "(not in the corpus) as its first ");
			qr_buf_adds(out, s->by == QR_SPREAD_REPOSTED ? "repost" : "quote");
			qr_buf_adds(out, " shows it: ");
			one_line(out, r->first.text);
			qr_buf_addch(out, '\n');
		}
		if (!r->has_first)
			continue;
		qr_buf_adds(out, indent);
		if (s->by == QR_SPREAD_FILE && r->media && r->media->type) {
			qr_printer_safe(out, r->media->type, 0);
			qr_buf_adds(out, " · ");
		}
		qr_buf_adds(out, s->by == QR_SPREAD_REPOSTED ? "first reposted " : s->by == QR_SPREAD_QUOTED ? "first quoted "
											   : "first posted ");
		when(out, &r->first, tz);
		qr_buf_adds(out, " by ");
		handle(out, &r->first);
		qr_buf_adds(out, " (");
		qr_printer_safe(out, r->first.id, 0);
		qr_buf_adds(out, ")\n");
	}
}

void qr_spread_print_json(const qr_spread *s, const char *query, uint64_t top, qr_buf *out)
{
	qr_jw w;
	qr_jw_init(&w, out, true);
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "format_version", 1);
	qr_jw_kstr(&w, "query", query);
	qr_jw_kstr(&w, "by", names[s->by]);
	qr_jw_kint(&w, "posts", s->total);
	qr_jw_kint(&w, "distinct", s->distinct);
	qr_jw_kint(&w, "top", (int64_t)top);
	qr_jw_kint(&w, "carrying", s->carrying);
	if (about_posts(s->by))
		qr_jw_kint(&w, "unnamed", s->unnamed);
	qr_jw_key(&w, "values");
	qr_jw_begin_array(&w);
	for (size_t i = 0; i < s->n; i++) {
		const qr_spread_row *r = &s->v[i];
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "value", r->value);
		qr_jw_kint(&w, "posts", r->posts);
		qr_jw_key(&w, "share");
		qr_jw_double(&w, share(r->posts, s->total));
		qr_jw_kint(&w, "authors", r->authors);
		if (r->has_first) {
			qr_jw_key(&w, "first");
			qr_post_to_json(&r->first, &w);
		}
		if (about_posts(s->by)) {
			qr_jw_key(&w, "post");
			if (r->has_original)
				qr_post_to_json(&r->original, &w);
			else
				qr_jw_null(&w);
		}
		if (s->by == QR_SPREAD_FILE && r->media) {
			qr_jw_key(&w, "media");
			qr_jw_begin_object(&w);
			qr_jw_kstr(&w, "type", r->media->type);
			qr_jw_kstr(&w, "url", r->media->url);
			qr_jw_kstr(&w, "key", r->media->key);
			qr_jw_kstr(&w, "sha256", r->media->sha256);
			qr_jw_kstr(&w, "mime", r->media->mime);
			qr_jw_end_object(&w);
		}
		qr_jw_end_object(&w);
	}
	qr_jw_end_array(&w);
	qr_jw_end_object(&w);
	qr_buf_addch(out, '\n');
}

int qr_spread_print_table(const qr_spread *s, qr_table *t, qr_buf *err)
{
	bool posts = about_posts(s->by);
	const qr_col post_cols[] = {
		{ names[s->by], QR_COL_TEXT }, { counted[s->by], QR_COL_INT }, { "share", QR_COL_SHARE },
		{ "authors", QR_COL_INT },      { "author_handle", QR_COL_TEXT }, { "author_name", QR_COL_TEXT },
		{ "created_at", QR_COL_TIME },  { "text", QR_COL_TEXT },          { "url", QR_COL_TEXT },
		{ "first_id", QR_COL_TEXT },    { "first_author_handle", QR_COL_TEXT }, { "first_created_at", QR_COL_TIME },
	};
	const qr_col file_cols[] = {
		{ names[s->by], QR_COL_TEXT }, { "posts", QR_COL_INT }, { "share", QR_COL_SHARE },
		{ "authors", QR_COL_INT },      { "media_type", QR_COL_TEXT }, { "first_id", QR_COL_TEXT },
		{ "first_author_handle", QR_COL_TEXT }, { "first_created_at", QR_COL_TIME }, { "first_url", QR_COL_TEXT },
	};
	int st = posts ? qr_table_begin(t, plural[s->by], post_cols, sizeof(post_cols) / sizeof(post_cols[0]), err)
		       : qr_table_begin(t, plural[s->by], file_cols, sizeof(file_cols) / sizeof(file_cols[0]), err);
	for (size_t i = 0; !st && i < s->n; i++) {
		const qr_spread_row *r = &s->v[i];
		const qr_post *o = r->has_original ? &r->original : NULL, *f = r->has_first ? &r->first : NULL;
		qr_table_str(t, r->value);
		qr_table_int(t, r->posts);
		qr_table_share(t, share(r->posts, s->total));
		qr_table_int(t, r->authors);
		if (posts) {
			qr_table_str(t, o ? o->author_handle : NULL);
			qr_table_str(t, o ? o->author_name : NULL);
			qr_table_time(t, o ? o->created : QR_TIME_UNKNOWN);
			qr_table_str(t, o ? o->text : NULL);
			qr_table_str(t, o ? o->url : NULL);
		} else {
			qr_table_str(t, r->media ? r->media->type : NULL);
		}
		qr_table_str(t, f ? f->id : NULL);
		qr_table_str(t, f ? f->author_handle : NULL);
		qr_table_time(t, f ? f->created : QR_TIME_UNKNOWN);
		if (!posts)
			qr_table_str(t, f ? f->url : NULL);
		qr_table_row_end(t);
	}
	return st;
}
