#include "table.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "dl.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

bool qr_table_form_named(const char *name, qr_table_form *form)
{
	static const struct {
		const char *name;
		qr_table_form form;
	} forms[] = { { "csv", QR_TABLE_CSV }, { "csv-raw", QR_TABLE_CSV_RAW }, { "xlsx", QR_TABLE_XLSX } };
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(name, forms[i].name) == 0) {
			*form = forms[i].form;
			return true;
		}
	return false;
}

/* ---- CSV ---- */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

void qr_csv_field(qr_buf *out, const char *s, bool id, bool raw)
{
	qr_buf v = QR_BUF_INIT;
	if (raw) {
		qr_buf_adds(&v, s);
	} else {
		if (*s && ((id && all_digits(s)) || strchr("=+-@\t\r", s[0]) != NULL))
			qr_buf_addch(&v, '\'');
		/* Line breaks are data in CSV; other controls are not. */
		qr_escape_terminal(&v, s, strlen(s), QR_ESC_KEEP_NEWLINES);
	}
	if (v.len && strpbrk(v.buf, ",\"\r\n")) {
		qr_buf_addch(out, '"');
		for (const char *c = v.buf; *c; c++) {
			if (*c == '"')
				qr_buf_addch(out, '"');
			qr_buf_addch(out, *c);
		}
		qr_buf_addch(out, '"');
	} else {
		qr_buf_add(out, v.buf, v.len);
	}
	qr_buf_release(&v);
}

/* ---- libxlsxwriter, loaded when first needed (as lib/hash.c does
 * libcrypto): a search that writes no workbook does not pay for it. ---- */

#define XLSX_SONAME "libxlsxwriter.so.4"

#define XLSX_FUNCS(X)                                                                                          \
	X(workbook_new_opt) X(workbook_add_worksheet) X(workbook_add_format) X(workbook_close)                    \
	X(format_set_num_format) X(format_set_bold) X(format_set_text_wrap) X(worksheet_write_string)           \
	X(worksheet_write_number) X(worksheet_set_column) X(worksheet_freeze_panes) X(worksheet_autofilter)      \
	X(lxw_strerror)

static struct {
#define XLSX_PTR(f) __typeof__(f) *f;
	XLSX_FUNCS(XLSX_PTR)
#undef XLSX_PTR
} xl;
static pthread_once_t xl_once = PTHREAD_ONCE_INIT;
static char xl_error[256];
static bool xl_loaded;

static void xl_load(void)
{
#define XLSX_NAME(f) #f,
	static const char *const names[] = { XLSX_FUNCS(XLSX_NAME) };
#undef XLSX_NAME
	void *syms[sizeof(names) / sizeof(names[0])];
	if (qr_dl_load(XLSX_SONAME, names, sizeof(names) / sizeof(names[0]), syms, xl_error, sizeof(xl_error)))
		return;
	size_t i = 0;
#define XLSX_SET(f) memcpy(&xl.f, &syms[i++], sizeof(void *));
	XLSX_FUNCS(XLSX_SET)
#undef XLSX_SET
	xl_loaded = true;
}

/* ---- the table ---- */

struct qr_table {
	qr_table_form form;
	FILE *out;
	const char *tz;
	qr_col *cols;
	size_t ncols;
	size_t col;               /* next cell's column */
	uint32_t rows;            /* data rows written */
	uint64_t dropped;         /* rows past the sheet's end (xlsx) */
	uint64_t cut;             /* cells cut to QR_TABLE_XLSX_CELL (xlsx) */
	qr_buf line;              /* csv: the row being made */
	qr_buf cell;
	/* xlsx */
	char path[4096];
	lxw_workbook *wb;
	lxw_worksheet *ws, *about;
	lxw_format *bold, *count, *share, *date;
	uint32_t about_rows;
	lxw_error werr;
	bool begun;
};

qr_table *qr_table_new(qr_table_form form, FILE *out, const char *tz)
{
	qr_table *t = qr_calloc(1, sizeof(*t));
	t->form = form;
	t->out = out;
	t->tz = tz;
	qr_buf_init(&t->line);
	qr_buf_init(&t->cell);
	return t;
}

void qr_table_free(qr_table *t)
{
	if (!t)
		return;
	if (t->wb) {
		/* Not finished: close what libxlsxwriter holds, keep nothing. */
		xl.workbook_close(t->wb);
		unlink(t->path);
	}
	free(t->cols);
	qr_buf_release(&t->line);
	qr_buf_release(&t->cell);
	free(t);
}

static const char *zone_name(const qr_table *t)
{
	return t->tz ? t->tz : "UTC";
}

static int xlsx_open(qr_table *t, const char *sheet, qr_buf *err)
{
	pthread_once(&xl_once, xl_load);
	if (!xl_loaded) {
		qr_buf_setf(err, "cannot write xlsx: %s", xl_error[0] ? xl_error : "libxlsxwriter is missing");
		return QR_EXIT_INTERNAL;
	}
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(t->path, sizeof(t->path), "%s/quire-xlsx-XXXXXX", dir);
	int fd = mkstemp(t->path);
	if (fd < 0) {
		qr_buf_setf(err, "cannot write xlsx: cannot make a temporary file in '%s': %s", dir, strerror(errno));
		return QR_EXIT_INTERNAL;
	}
	close(fd);
	/* Rows go to temporary files as they come, so memory stays flat
	 * whatever the number of rows. */
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE, .tmpdir = (char *)dir, .use_zip64 = LXW_TRUE };
	t->wb = xl.workbook_new_opt(t->path, &opt);
	if (!t->wb || !(t->ws = xl.workbook_add_worksheet(t->wb, sheet)) ||
	    !(t->about = xl.workbook_add_worksheet(t->wb, "about"))) {
		qr_buf_setf(err, "cannot write xlsx: cannot start the workbook in '%s'", dir);
		return QR_EXIT_INTERNAL;
	}
	t->bold = xl.workbook_add_format(t->wb);
	xl.format_set_bold(t->bold);
	t->count = xl.workbook_add_format(t->wb);
	xl.format_set_num_format(t->count, "0");
	t->share = xl.workbook_add_format(t->wb);
	xl.format_set_num_format(t->share, "0.0%");
	t->date = xl.workbook_add_format(t->wb);
	xl.format_set_num_format(t->date, "yyyy-mm-dd hh:mm:ss");
	return 0;
}

static void xlsx_note(qr_table *t, lxw_error e)
{
	if (e != LXW_NO_ERROR && t->werr == LXW_NO_ERROR)
		t->werr = e;
}

int qr_table_begin(qr_table *t, const char *sheet, const qr_col *cols, size_t n, qr_buf *err)
{
	t->cols = qr_calloc(n ? n : 1, sizeof(*cols));
	memcpy(t->cols, cols, n * sizeof(*cols));
	t->ncols = n;
	t->begun = true;
	if (t->form != QR_TABLE_XLSX) {
		for (size_t i = 0; i < n; i++)
			qr_buf_addf(&t->line, "%s%s", i ? "," : "", cols[i].name);
		qr_buf_adds(&t->line, "\r\n");
		fwrite(t->line.buf, 1, t->line.len, t->out);
		qr_buf_reset(&t->line);
		return 0;
	}
	int st = xlsx_open(t, sheet, err);
	if (st)
		return st;
	for (size_t i = 0; i < n; i++) {
		qr_buf_reset(&t->cell);
		qr_buf_adds(&t->cell, cols[i].name);
		/* A date cell has no zone: the header says which it is. */
		if (cols[i].type == QR_COL_TIME)
			qr_buf_addf(&t->cell, " (%s)", zone_name(t));
		xlsx_note(t, xl.worksheet_write_string(t->ws, 0, (lxw_col_t)i, t->cell.buf, t->bold));
		double width = cols[i].type == QR_COL_TEXT ? 24 : cols[i].type == QR_COL_TIME ? 20
			      : cols[i].type == QR_COL_ID ? 21 : 9;
		if (strcmp(cols[i].name, "text") == 0)
			width = 60;
		xl.worksheet_set_column(t->ws, (lxw_col_t)i, (lxw_col_t)i, width, NULL);
	}
	xl.worksheet_freeze_panes(t->ws, 1, 0);
	xl.worksheet_set_column(t->about, 0, 0, 18, NULL);
	xl.worksheet_set_column(t->about, 1, 1, 100, NULL);
	return 0;
}

/* A cell's text as a workbook can hold it: valid UTF-8 (an invalid byte
 * becomes U+FFFD, as do U+FFFE and U+FFFF, which XML cannot carry), "_x"
 * followed by four hex digits and "_" written so that it is not read as an
 * escaped character, and at most QR_TABLE_XLSX_CELL UTF-16 units. */
static const char *xlsx_text(qr_table *t, const char *s)
{
	size_t n = strlen(s), units = 0;
	qr_buf_reset(&t->cell);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = qr_utf8_decode(s + i, n - i, &cp);
		if (cp == 0xFFFE || cp == 0xFFFF)
			cp = 0xFFFD;
		units += cp > 0xFFFF ? 2 : 1;
		if (units > QR_TABLE_XLSX_CELL) {
			t->cut++;
			break;
		}
		if (cp == '_' && n - i >= 7 && s[i + 1] == 'x' && s[i + 6] == '_') {
			bool hex = true;
			for (size_t k = 2; k < 6; k++)
				hex = hex && strchr("0123456789abcdefABCDEF", s[i + k]) != NULL;
			if (hex) {
				qr_buf_adds(&t->cell, "_x005F_");
				i++;
				continue;
			}
		}
		qr_utf8_encode(&t->cell, cp);
		i += l;
	}
	return t->cell.buf;
}

static bool xlsx_cell(qr_table *t, lxw_row_t *row, lxw_col_t *col)
{
	if (t->rows >= QR_TABLE_XLSX_ROWS)
		return false;
	*row = (lxw_row_t)t->rows + 1;
	*col = (lxw_col_t)t->col;
	return true;
}

static void csv_sep(qr_table *t)
{
	if (t->col)
		qr_buf_addch(&t->line, ',');
}

void qr_table_str(qr_table *t, const char *s)
{
	bool id = t->col < t->ncols && t->cols[t->col].type == QR_COL_ID;
	if (t->form == QR_TABLE_XLSX) {
		lxw_row_t r;
		lxw_col_t c;
		if (s && *s && xlsx_cell(t, &r, &c))
			xlsx_note(t, xl.worksheet_write_string(t->ws, r, c, xlsx_text(t, s), NULL));
	} else {
		csv_sep(t);
		if (s)
			qr_csv_field(&t->line, s, id, t->form == QR_TABLE_CSV_RAW);
	}
	t->col++;
}

void qr_table_int(qr_table *t, int64_t v)
{
	if (t->form == QR_TABLE_XLSX) {
		lxw_row_t r;
		lxw_col_t c;
		if (xlsx_cell(t, &r, &c))
			xlsx_note(t, xl.worksheet_write_number(t->ws, r, c, (double)v, t->count));
	} else {
		csv_sep(t);
		qr_buf_addf(&t->line, "%lld", (long long)v);
	}
	t->col++;
}

void qr_table_share(qr_table *t, double v)
{
	if (isnan(v)) {
		qr_table_str(t, NULL);
		return;
	}
	if (t->form == QR_TABLE_XLSX) {
		lxw_row_t r;
		lxw_col_t c;
		if (xlsx_cell(t, &r, &c))
			xlsx_note(t, xl.worksheet_write_number(t->ws, r, c, v, t->share));
	} else {
		csv_sep(t);
		qr_buf_addf(&t->line, "%.6f", v);
	}
	t->col++;
}

/* Days from 1899-12-30 (the spreadsheet epoch) to 1970-01-01. */
#define SHEET_EPOCH_DAYS 25569.0
/* 1900-03-01T00:00Z: before it, spreadsheets count a day that never was. */
#define SHEET_FIRST_TIME (-2203891200LL)

void qr_table_time(qr_table *t, int64_t when)
{
	char iso[32] = "";
	if (when != QR_TIME_UNKNOWN)
		qr_time_format_iso(when, iso);
	qr_table_time_text(t, when, iso);
}

void qr_table_time_text(qr_table *t, int64_t when, const char *iso)
{
	if (t->form != QR_TABLE_XLSX) {
		csv_sep(t);
		qr_csv_field(&t->line, iso, false, t->form == QR_TABLE_CSV_RAW);
		t->col++;
		return;
	}
	lxw_row_t r;
	lxw_col_t c;
	int off = 0;
	if (when != QR_TIME_UNKNOWN && xlsx_cell(t, &r, &c)) {
		if (t->tz && !qr_tz_offset(t->tz, when, &off))
			off = 0;
		if (when + off >= SHEET_FIRST_TIME)
			xlsx_note(t, xl.worksheet_write_number(t->ws, r, c, (double)(when + off) / 86400.0 + SHEET_EPOCH_DAYS,
							  t->date));
		else
			xlsx_note(t, xl.worksheet_write_string(t->ws, r, c, iso, NULL));
	}
	t->col++;
}

void qr_table_row_end(qr_table *t)
{
	t->col = 0;
	if (t->form != QR_TABLE_XLSX) {
		qr_buf_adds(&t->line, "\r\n");
		fwrite(t->line.buf, 1, t->line.len, t->out);
		qr_buf_reset(&t->line);
		t->rows++;
		return;
	}
	if (t->rows < QR_TABLE_XLSX_ROWS)
		t->rows++;
	else
		t->dropped++;
}

void qr_table_about(qr_table *t, const char *key, const char *value)
{
	if (t->form != QR_TABLE_XLSX || !t->about || !value)
		return;
	xlsx_note(t, xl.worksheet_write_string(t->about, t->about_rows, 0, key, t->bold));
	xlsx_note(t, xl.worksheet_write_string(t->about, t->about_rows, 1, xlsx_text(t, value), NULL));
	t->about_rows++;
}

void qr_table_about_corpus(qr_table *t, const char *query, const char *corpus_id, const char *corpus_path)
{
	char made[32];
	qr_buf verify = QR_BUF_INIT;
	qr_time_format_iso((int64_t)time(NULL), made);
	qr_table_about(t, "query", query && *query ? query : "(every post)");
	qr_table_about(t, "corpus id", corpus_id);
	qr_table_about(t, "corpus", corpus_path);
	qr_table_about(t, "made (UTC)", made);
	qr_table_about(t, "times", t->tz ? t->tz : "UTC");
	qr_buf_setf(&verify, "quire show --corpus %s --verify ID: reads the post's original record from the corpus's "
			     "store and checks it against the sha256 in the record_sha256 column (quire cite ID prints "
			     "a citation)", corpus_path ? corpus_path : "DIR");
	qr_table_about(t, "verify", verify.buf);
	qr_buf_release(&verify);
}

static int copy_out(qr_table *t, qr_buf *err)
{
	FILE *in = fopen(t->path, "rb");
	char buf[65536];
	size_t n;
	int st = 0;
	if (!in) {
		qr_buf_setf(err, "cannot write xlsx: cannot read '%s' back: %s", t->path, strerror(errno));
		return QR_EXIT_INTERNAL;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, t->out) != n) {
			qr_buf_setf(err, "cannot write xlsx: output error");
			st = QR_EXIT_INTERNAL;
			break;
		}
	if (!st && ferror(in)) {
		qr_buf_setf(err, "cannot write xlsx: cannot read '%s' back", t->path);
		st = QR_EXIT_INTERNAL;
	}
	fclose(in);
	return st;
}

int qr_table_finish(qr_table *t, qr_buf *err)
{
	if (t->form != QR_TABLE_XLSX || !t->wb)
		return 0;
	if (t->dropped) {
		qr_buf_setf(err, "too many rows for xlsx: a sheet holds %u below its header, %llu more were asked for "
				 "(use --limit, or -f csv)",
			    QR_TABLE_XLSX_ROWS, (unsigned long long)t->dropped);
		return QR_EXIT_USAGE;
	}
	char num[64];
	snprintf(num, sizeof(num), "%u", t->rows);
	qr_table_about(t, "rows", num);
	if (t->cut) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)t->cut);
		qr_table_about(t, "cut cells", num);
		qr_table_about(t, "why cut", "a spreadsheet cell holds at most 32,767 characters: the rest of those texts "
					     "is in -f json or -f csv-raw");
	}
	if (t->ncols)
		xl.worksheet_autofilter(t->ws, 0, 0, t->rows, (lxw_col_t)(t->ncols - 1));
	lxw_error e = xl.workbook_close(t->wb);
	t->wb = NULL;
	int st = 0;
	if (e != LXW_NO_ERROR || t->werr != LXW_NO_ERROR) {
		qr_buf_setf(err, "cannot write xlsx: %s", xl.lxw_strerror(e != LXW_NO_ERROR ? e : t->werr));
		st = QR_EXIT_INTERNAL;
	} else {
		st = copy_out(t, err);
	}
	unlink(t->path);
	return st;
}
