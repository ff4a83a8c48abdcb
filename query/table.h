/*
 * Tables for spreadsheets and programs: one writer, three forms.  The
 * caller declares the columns and their types once, then hands over the
 * cells row by row; the form decides how each type looks.
 *
 *   csv      RFC 4180, safe to open in a spreadsheet: a numeric id and a
 *            text that starts with = + - @ tab or CR get a leading
 *            apostrophe, so that no id loses digits and no cell runs as a
 *            formula; control characters are shown escaped.
 *   csv-raw  RFC 4180 with every cell exactly as in the post, for programs
 *            (pandas, R): opened in a spreadsheet, a cell may run as a
 *            formula and a long id may lose digits.
 *   xlsx     an Office Open XML workbook (libxlsxwriter, loaded when first
 *            needed): texts and ids are string cells exactly as in the post,
 *            counts and shares are numbers, times are date cells in the
 *            zone the header names; a second sheet says what the table is
 *            and how to check it.
 */
#ifndef QR_TABLE_H
#define QR_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"

typedef enum qr_table_form { QR_TABLE_CSV, QR_TABLE_CSV_RAW, QR_TABLE_XLSX } qr_table_form;

typedef enum qr_col_type {
	QR_COL_TEXT,     /* any text */
	QR_COL_ID,       /* an id: digits kept exact */
	QR_COL_INT,      /* a count */
	QR_COL_SHARE,    /* a fraction, 0..1 (xlsx shows it as a percentage) */
	QR_COL_TIME      /* seconds since the epoch */
} qr_col_type;

typedef struct qr_col {
	const char *name;
	qr_col_type type;
} qr_col;

/* Most rows a sheet holds below its header (xlsx). */
#define QR_TABLE_XLSX_ROWS 1048575u
/* Most characters (UTF-16 units) a spreadsheet cell holds (xlsx); longer
 * texts are cut, and the second sheet says how many were. */
#define QR_TABLE_XLSX_CELL 32767u

/* "csv", "csv-raw" or "xlsx" into *form; false for any other name. */
bool qr_table_form_named(const char *name, qr_table_form *form);

typedef struct qr_table qr_table;

/* A table written to out (xlsx: once, by qr_table_finish).  tz names the
 * zone of time cells in xlsx (NULL: UTC); csv writes times in UTC, ISO
 * 8601, as the posts have them. */
qr_table *qr_table_new(qr_table_form form, FILE *out, const char *tz);
/* The header row.  `sheet` names the xlsx sheet ("posts"). */
int qr_table_begin(qr_table *t, const char *sheet, const qr_col *cols, size_t n, qr_buf *err);
/* The next cell of the row, by its column's type: a text or id (NULL: an
 * empty cell), a count, a share (NaN: empty) or a time (QR_TIME_UNKNOWN:
 * empty). */
void qr_table_str(qr_table *t, const char *s);
void qr_table_int(qr_table *t, int64_t v);
void qr_table_share(qr_table *t, double v);
void qr_table_time(qr_table *t, int64_t when);
/* A time that csv writes as `text` (a bucket's start with its offset, say). */
void qr_table_time_text(qr_table *t, int64_t when, const char *text);
void qr_table_row_end(qr_table *t);
/* A line of the second sheet (xlsx; csv has none): what the table is. */
void qr_table_about(qr_table *t, const char *key, const char *value);
/* Write what is left (the whole workbook for xlsx).  0, or the exit code
 * with the reason in err: QR_EXIT_USAGE when a sheet would hold too many
 * rows, QR_EXIT_INTERNAL when it could not be written. */
int qr_table_finish(qr_table *t, qr_buf *err);
void qr_table_free(qr_table *t);

/* The about lines every table of posts carries: the query, the corpus,
 * when it was made and how to check a row. */
void qr_table_about_corpus(qr_table *t, const char *query, const char *corpus_id, const char *corpus_path);

/* Append one CSV field (RFC 4180), safe for spreadsheets (raw: as it is);
 * an id of digits alone gets the apostrophe too when safe. */
void qr_csv_field(qr_buf *out, const char *s, bool id, bool raw);

#endif
