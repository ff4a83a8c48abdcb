/*
 * Posts as a table (query/table.h): csv (RFC 4180, a header row, one row
 * per post, CRLF line ends, safe to open in a spreadsheet), csv-raw (the
 * cells exactly as in the post, for programs) and xlsx (typed cells, and a
 * sheet that says what the table is).  Lists are joined with a space.
 * Portable output (quire search --portable, quire export) leaves the cells
 * of csv untouched, for programs, and names only the record's sha256 of
 * the archival locator: what any corpus holding the post can check.
 */
#include <string.h>

#include "printer.h"
#include "table.h"
#include "text.h"
#include "timeutil.h"

static const qr_col columns[] = {
	{ "rank", QR_COL_INT },          { "id", QR_COL_TEXT },          { "platform", QR_COL_TEXT },
	{ "native_id", QR_COL_ID },      { "url", QR_COL_TEXT },         { "created_at", QR_COL_TIME },
	{ "author_id", QR_COL_ID },      { "author_handle", QR_COL_TEXT }, { "author_name", QR_COL_TEXT },
	{ "kind", QR_COL_TEXT },         { "lang", QR_COL_TEXT },        { "text", QR_COL_TEXT },
	{ "hashtags", QR_COL_TEXT },     { "mentions", QR_COL_TEXT },    { "urls", QR_COL_TEXT },
	{ "media_types", QR_COL_TEXT },  { "media_urls", QR_COL_TEXT },  { "reply_to", QR_COL_TEXT },
	{ "repost_of", QR_COL_TEXT },    { "quote_of", QR_COL_TEXT },    { "folded", QR_COL_INT },
	{ "events", QR_COL_TEXT },       { "tags", QR_COL_TEXT },
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))
/* After `folded` when the posts are sorted by their reposts. */
static const qr_col reposts_column = { "reposts", QR_COL_INT };
static const qr_col locator_columns[] = {
	{ "corpus_id", QR_COL_TEXT }, { "record", QR_COL_TEXT }, { "record_sha256", QR_COL_TEXT },
};
/* portable: the last of those alone */
#define PORTABLE_LOCATOR 2

static void list(qr_table *t, const qr_strv *sv)
{
	qr_buf j = QR_BUF_INIT;
	for (size_t i = 0; i < sv->n; i++)
		qr_buf_addf(&j, "%s%s", i ? " " : "", sv->v[i]);
	qr_table_str(t, j.buf);
	qr_buf_release(&j);
}

static void table_begin(qr_printer *p, const qr_result_info *info, qr_table_form form)
{
	qr_col cols[NCOLUMNS + 4];
	size_t n = 0;
	bool reposts = info->sort && strcmp(info->sort, "reposts") == 0;
	for (size_t i = 0; i < NCOLUMNS; i++) {
		cols[n++] = columns[i];
		if (reposts && strcmp(columns[i].name, "folded") == 0)
			cols[n++] = reposts_column;
	}
	for (size_t i = p->portable ? PORTABLE_LOCATOR : 0; p->locator && i < 3; i++)
		cols[n++] = locator_columns[i];
	if (p->untouched && form == QR_TABLE_CSV)
		form = QR_TABLE_CSV_RAW;
	p->table = qr_table_new(form, p->out, p->tz);
	if ((p->status = qr_table_begin(p->table, "posts", cols, n, &p->err)))
		return;
	qr_table_about_corpus(p->table, info->query, info->corpus_id, info->corpus_path);
	qr_table_about(p->table, "sort", info->sort);
	if (info->collapse)
		qr_table_about(p->table, "collapse", info->collapse);
	if (reposts)
		qr_table_about(p->table, "reposts", "the number of posts in the whole corpus that repost the post, "
						    "whether or not they match the query");
}

static void hit(qr_printer *p, const qr_hit *h)
{
	const qr_post *post = h->post;
	qr_table *t = p->table;
	qr_buf types = QR_BUF_INIT, urls = QR_BUF_INIT;
	if (!t || p->status)
		return;
	qr_table_int(t, h->rank);
	qr_table_str(t, post->id);
	qr_table_str(t, post->platform);
	qr_table_str(t, post->native_id);
	qr_table_str(t, post->url);
	qr_table_time(t, post->created);
	qr_table_str(t, post->author_id);
	qr_table_str(t, post->author_handle);
	qr_table_str(t, post->author_name);
	qr_table_str(t, post->kind);
	qr_table_str(t, post->lang);
	qr_table_str(t, post->text);
	list(t, &post->hashtags);
	list(t, &post->mentions);
	list(t, &post->urls);
	for (size_t i = 0; i < post->nmedia; i++) {
		qr_buf_addf(&types, "%s%s", i ? " " : "", post->media[i].type ? post->media[i].type : "?");
		if (post->media[i].url)
			qr_buf_addf(&urls, "%s%s", urls.len ? " " : "", post->media[i].url);
	}
	qr_table_str(t, types.buf);
	qr_table_str(t, urls.buf);
	qr_table_str(t, post->reply_to);
	qr_table_str(t, post->repost_of);
	qr_table_str(t, post->quote_of);
	qr_table_int(t, h->collapsed);
	if (h->has_reposts)
		qr_table_int(t, h->reposts);
	list(t, &post->events);
	list(t, &post->tags);
	if (p->locator && !p->portable) {
		qr_table_str(t, p->corpus_id);
		qr_table_str(t, post->record.locator);
	}
	if (p->locator)
		qr_table_str(t, post->record.sha256);
	qr_table_row_end(t);
	qr_buf_release(&types);
	qr_buf_release(&urls);
}

static void end(qr_printer *p, uint32_t shown)
{
	(void)shown;
	if (p->table && !p->status)
		p->status = qr_table_finish(p->table, &p->err);
}

static void csv_begin(qr_printer *p, const qr_result_info *info)
{
	table_begin(p, info, QR_TABLE_CSV);
}

static void csv_raw_begin(qr_printer *p, const qr_result_info *info)
{
	table_begin(p, info, QR_TABLE_CSV_RAW);
}

static void xlsx_begin(qr_printer *p, const qr_result_info *info)
{
	table_begin(p, info, QR_TABLE_XLSX);
}

const qr_printer_backend qr_print_csv = {
	"csv", "RFC 4180 with a header row, safe in a spreadsheet: numeric ids and texts that start with = + - @ "
	"get a leading ' (so no id loses digits and no cell runs as a formula)",
	csv_begin, hit, end, false,
};

const qr_printer_backend qr_print_csv_raw = {
	"csv-raw", "every cell exactly as in the post, for programs (pandas, R); RISKY in a spreadsheet: a text "
	"that starts with = + - @ may run as a formula there, and long ids may lose digits",
	csv_raw_begin, hit, end, false,
};

const qr_printer_backend qr_print_xlsx = {
	"xlsx", "a workbook: ids and texts as exact text cells, times as dates (the zone in the header), counts as "
	"numbers, a second sheet with the query, the corpus and how to verify; to a file (--out) or a pipe, "
	"never a terminal",
	xlsx_begin, hit, end, false,
};
