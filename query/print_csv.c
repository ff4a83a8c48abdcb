/*
 * CSV (RFC 4180): a header row, one row per post, CRLF line ends, fields
 * quoted when they hold a comma, a quote or a line break.  For spreadsheets:
 * numeric ids (native_id, author_id) start with an apostrophe, the mark of
 * text, so that 19-digit ids are not rounded to 15 digits (the id column,
 * platform:native_id, is exact text anyway); a cell that starts with = + -
 * @ tab or CR gets the same apostrophe so it is never run as a formula.
 * Lists are joined with a space.  Portable output (export) leaves the
 * cells untouched, for programs, and names only the record's sha256.
 */
#include <string.h>

#include "printer.h"
#include "text.h"
#include "timeutil.h"

static const char *const columns[] = {
	"rank", "id", "platform", "native_id", "url", "created_at", "author_id", "author_handle", "author_name",
	"kind", "lang", "text", "hashtags", "mentions", "urls", "media_types", "media_urls", "reply_to",
	"repost_of", "quote_of", "folded", "events", "tags", NULL,
};
static const char *const locator_columns[] = { "corpus_id", "record", "record_sha256", NULL };
/* portable: what any corpus holding the post can check */
static const char *const portable_columns[] = { "record_sha256", NULL };

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* One field: made safe, neutralised, quoted when needed. */
static void cell(qr_printer *p, const char *s, bool first, bool id)
{
	qr_buf v = QR_BUF_INIT;
	if (!first)
		qr_buf_addch(&p->buf, ',');
	if (!s)
		return;
	if (*s && !p->untouched && ((id && all_digits(s)) || strchr("=+-@\t\r", s[0]) != NULL))
		qr_buf_addch(&v, '\'');
	/* Line breaks are data in CSV; other controls are not. */
	qr_escape_terminal(&v, s, strlen(s), QR_ESC_KEEP_NEWLINES);
	if (strpbrk(v.buf, ",\"\r\n")) {
		qr_buf_addch(&p->buf, '"');
		for (const char *c = v.buf; *c; c++) {
			if (*c == '"')
				qr_buf_addch(&p->buf, '"');
			qr_buf_addch(&p->buf, *c);
		}
		qr_buf_addch(&p->buf, '"');
	} else {
		qr_buf_add(&p->buf, v.buf, v.len);
	}
	qr_buf_release(&v);
}

static void list(qr_printer *p, const qr_strv *sv)
{
	qr_buf j = QR_BUF_INIT;
	for (size_t i = 0; i < sv->n; i++)
		qr_buf_addf(&j, "%s%s", i ? " " : "", sv->v[i]);
	cell(p, j.buf, false, false);
	qr_buf_release(&j);
}

static void begin(qr_printer *p, const qr_result_info *info)
{
	(void)info;
	for (size_t i = 0; columns[i]; i++)
		qr_buf_addf(&p->buf, "%s%s", i ? "," : "", columns[i]);
	const char *const *more = p->portable ? portable_columns : locator_columns;
	for (size_t i = 0; p->locator && more[i]; i++)
		qr_buf_addf(&p->buf, ",%s", more[i]);
	qr_buf_adds(&p->buf, "\r\n");
	qr_printer_flush(p);
}

static void hit(qr_printer *p, const qr_hit *h)
{
	const qr_post *post = h->post;
	char num[32], when[32] = "";
	qr_buf types = QR_BUF_INIT, urls = QR_BUF_INIT;

	snprintf(num, sizeof(num), "%u", h->rank);
	cell(p, num, true, false);
	cell(p, post->id, false, false);
	cell(p, post->platform, false, false);
	cell(p, post->native_id, false, true);
	cell(p, post->url, false, false);
	if (post->created != QR_TIME_UNKNOWN)
		qr_time_format_iso(post->created, when);
	cell(p, when, false, false);
	cell(p, post->author_id, false, true);
	cell(p, post->author_handle, false, false);
	cell(p, post->author_name, false, false);
	cell(p, post->kind, false, false);
	cell(p, post->lang, false, false);
	cell(p, post->text, false, false);
	list(p, &post->hashtags);
	list(p, &post->mentions);
	list(p, &post->urls);
	for (size_t i = 0; i < post->nmedia; i++) {
		qr_buf_addf(&types, "%s%s", i ? " " : "", post->media[i].type ? post->media[i].type : "?");
		if (post->media[i].url)
			qr_buf_addf(&urls, "%s%s", urls.len ? " " : "", post->media[i].url);
	}
	cell(p, types.buf, false, false);
	cell(p, urls.buf, false, false);
	cell(p, post->reply_to, false, false);
	cell(p, post->repost_of, false, false);
	cell(p, post->quote_of, false, false);
	snprintf(num, sizeof(num), "%u", h->collapsed);
	cell(p, num, false, false);
	list(p, &post->events);
	list(p, &post->tags);
	if (p->locator && p->portable) {
		cell(p, post->record.sha256, false, false);
	} else if (p->locator) {
		cell(p, p->corpus_id, false, false);
		cell(p, post->record.locator, false, false);
		cell(p, post->record.sha256, false, false);
	}
	qr_buf_adds(&p->buf, "\r\n");
	qr_printer_flush(p);
	qr_buf_release(&types);
	qr_buf_release(&urls);
}

static void end(qr_printer *p, uint32_t shown)
{
	(void)p, (void)shown;
}

const qr_printer_backend qr_print_csv = {
	"csv", "RFC 4180 CSV with a header row (ids kept as text, formulas neutralised)", begin, hit, end, false,
};
