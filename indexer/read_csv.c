/*
 * CSV through a mapping (indexer/mapping.h): CrowdTangle exports,
 * twarc-csv output, or any table with --mapping.  Parsed by libcsv in
 * strict mode: quoted fields may hold separators and newlines; a byte
 * order mark is dropped; the separator is the mapping's, else the most
 * frequent of ',', ';' and tab in the header line.
 *
 * A row alone cannot be read (its columns are named by the header), and
 * normalize sees only the record's bytes: so the record is the header row
 * and the data row, each exactly as in the file, joined by a newline.
 * `quire show --raw` prints it as a two-line CSV file.
 *
 * A row that breaks the quoting is rejected with its line; reading goes on
 * from the line after its start, so that one stray quote cannot swallow
 * the rest of the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "format.h"
#include "mapping.h"
#include "reader_util.h"
#include "status.h"
#include "text.h"

#define CSV_OPTS (CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)

/* libcsv's parser state before any byte of a row (libcsv.c: ROW_NOT_BEGUN). */
#define CSV_ROW_NOT_BEGUN 0

/* Values are kept as written: no blanks trimmed around unquoted fields. */
static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static char detect_separator(const char *line, size_t n)
{
	size_t comma = 0, semi = 0, tab = 0;
	bool quoted = false;
	for (size_t i = 0; i < n && line[i] != '\n'; i++) {
		char c = line[i];
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && c == ',')
			comma++;
		else if (!quoted && c == ';')
			semi++;
		else if (!quoted && c == '\t')
			tab++;
	}
	if (tab > comma && tab >= semi)
		return '\t';
	if (semi > comma)
		return ';';
	return ',';
}

static char separator_for(const char *line, size_t n)
{
	const qr_mapping *u = qr_mapping_user();
	if (u && strcmp(qr_mapping_input(u), "csv") == 0 && qr_mapping_separator(u))
		return qr_mapping_separator(u);
	return detect_separator(line, n);
}

/* Rows parsed from bytes in memory: the first into names, the second into
 * values, the count of any more. */
struct table {
	qr_strv names, values;
	size_t rows;
};

static void on_field(void *s, size_t len, void *data)
{
	struct table *t = data;
	if (t->rows == 0)
		qr_strv_pushn(&t->names, s ? s : "", s ? len : 0);
	else if (t->rows == 1)
		qr_strv_pushn(&t->values, s ? s : "", s ? len : 0);
}

static void on_row(int c, void *data)
{
	(void)c;
	((struct table *)data)->rows++;
}

static bool parse_table(const char *s, size_t n, char sep, struct table *t, qr_buf *why)
{
	struct csv_parser p;
	memset(t, 0, sizeof(*t));
	if (csv_init(&p, CSV_OPTS) != 0) {
		qr_buf_setf(why, "cannot set up the CSV parser");
		return false;
	}
	csv_set_delim(&p, (unsigned char)sep);
	csv_set_space_func(&p, no_space);
	bool ok = csv_parse(&p, s, n, on_field, on_row, t) == n && csv_fini(&p, on_field, on_row, t) == 0;
	if (!ok)
		qr_buf_setf(why, "CSV: %s", csv_strerror(csv_error(&p)));
	csv_free(&p);
	return ok;
}

static void table_clear(struct table *t)
{
	qr_strv_clear(&t->names);
	qr_strv_clear(&t->values);
}

static int bid(const char *head, size_t n, const char *member)
{
	(void)member;
	char c = qr_head_first(head, n);
	if (!c || c == '{' || c == '[' || c == '<' || (n >= 5 && memcmp(head, "WARC/", 5) == 0))
		return 0;
	if (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0) {
		head += 3;
		n -= 3;
	}
	/* The header row: up to the first newline outside quotes. */
	size_t end = 0;
	bool quoted = false;
	while (end < n && (quoted || head[end] != '\n')) {
		if (head[end] == '"')
			quoted = !quoted;
		end++;
	}
	if (end == n && n >= 65536)
		return 0;
	struct table t;
	qr_buf why = QR_BUF_INIT;
	int score = 0;
	if (parse_table(head, end, separator_for(head, end), &t, &why) && t.names.n >= 2 &&
	    qr_mapping_for_columns(t.names.v, t.names.n))
		score = 90;
	table_clear(&t);
	qr_buf_release(&why);
	return score;
}

/* ---- framing ---- */

struct reader {
	struct csv_parser p;
	bool parser_ready;
	char sep;
	bool have_header;
	qr_buf header;          /* the header row's bytes */
	size_t header_fields;
	qr_buf rec;             /* the current row's bytes, line by line */
	bool rec_open;
	uint64_t rec_line, rec_byte;
	size_t fields, rows;    /* seen by libcsv in the current row */
	uint64_t line, byte;    /* where the next line starts */
	qr_buf replay;          /* lines to read again after a broken row */
	size_t replay_pos;
	qr_buf out;
	bool done;
};

static void count_field(void *s, size_t len, void *data)
{
	(void)s, (void)len;
	((struct reader *)data)->fields++;
}

static void count_row(int c, void *data)
{
	(void)c;
	((struct reader *)data)->rows++;
}

static void parser_reset(struct reader *st)
{
	if (st->parser_ready)
		csv_free(&st->p);
	csv_init(&st->p, CSV_OPTS);
	csv_set_delim(&st->p, (unsigned char)st->sep);
	csv_set_space_func(&st->p, no_space);
	st->parser_ready = true;
	st->fields = st->rows = 0;
}

static void reader_free(qr_reader *r)
{
	struct reader *st = r->state;
	if (!st)
		return;
	if (st->parser_ready)
		csv_free(&st->p);
	qr_buf_release(&st->header);
	qr_buf_release(&st->rec);
	qr_buf_release(&st->replay);
	qr_buf_release(&st->out);
	free(st);
	r->state = NULL;
}

enum { LINE_OK, LINE_END, LINE_LONG, LINE_IO };

/* The next line with its line end: from the replay first, then the input
 * (the pointer stays valid until the next call). */
static int get_line(struct reader *st, qr_input *in, const char **p, size_t *n)
{
	if (st->replay.len && st->replay_pos == st->replay.len) {
		/* Emptied only now: the last line handed out pointed into it. */
		qr_buf_reset(&st->replay);
		st->replay_pos = 0;
	}
	if (st->replay_pos < st->replay.len) {
		const char *s = st->replay.buf + st->replay_pos;
		size_t left = st->replay.len - st->replay_pos;
		const char *nl = memchr(s, '\n', left);
		*p = s;
		*n = nl ? (size_t)(nl - s) + 1 : left;
		st->replay_pos += *n;
		return LINE_OK;
	}
	size_t scanned = 0;
	for (;;) {
		size_t avail = qr_input_fill(in, scanned + 1);
		if (avail == 0)
			return in->failed ? LINE_IO : LINE_END;
		const char *s = in->buf + in->start;
		const char *nl = avail > scanned ? memchr(s + scanned, '\n', avail - scanned) : NULL;
		if (nl || in->eof || in->failed) {
			if (!nl && in->failed)
				return LINE_IO;
			*p = s;
			*n = nl ? (size_t)(nl - s) + 1 : avail;
			in->start += *n;
			in->offset += *n;
			in->line += nl ? 1 : 0;
			return LINE_OK;
		}
		scanned = avail;
		if (avail > in->max_record) {
			/* Drop the rest of this line without holding it. */
			for (;;) {
				in->start += avail;
				in->offset += avail;
				st->byte += avail;
				avail = qr_input_fill(in, 1);
				if (!avail)
					return LINE_LONG;
				s = in->buf + in->start;
				nl = memchr(s, '\n', avail);
				if (nl) {
					size_t k = (size_t)(nl - s) + 1;
					in->start += k;
					in->offset += k;
					in->line++;
					st->byte += k;
					st->line++;
					return LINE_LONG;
				}
			}
		}
	}
}

/* Reject the open row: report where it started, read again from its
 * second line on. */
static int broken_row(struct reader *st, qr_frame *f, qr_buf *why, const char *reason)
{
	f->line = st->rec_line;
	f->byte = st->rec_byte;
	qr_buf_setf(why, "%s", reason);
	const char *nl = memchr(st->rec.buf, '\n', st->rec.len);
	size_t first = nl ? (size_t)(nl - st->rec.buf) + 1 : st->rec.len;
	qr_buf again = QR_BUF_INIT;
	qr_buf_add(&again, st->rec.buf + first, st->rec.len - first);
	qr_buf_add(&again, st->replay.buf + st->replay_pos, st->replay.len - st->replay_pos);
	qr_buf_release(&st->replay);
	st->replay = again;
	st->replay_pos = 0;
	st->line = st->rec_line + 1;
	st->byte = st->rec_byte + first;
	st->rec_open = false;
	qr_buf_reset(&st->rec);
	parser_reset(st);
	return QR_BAD_INPUT;
}

/* A row is complete: the header, or a record to hand out. */
static int row_done(struct reader *st, qr_frame *f, qr_buf *why)
{
	size_t n = st->rec.len;
	if (n && st->rec.buf[n - 1] == '\n')
		n--;
	if (n && st->rec.buf[n - 1] == '\r')
		n--;
	size_t fields = st->fields, rows = st->rows;
	st->rec_open = false;
	st->fields = st->rows = 0;
	f->line = st->rec_line;
	f->byte = st->rec_byte;
	if (rows > 1) {
		qr_buf_setf(why, "%zu rows on one line (bare carriage returns as line ends?)", rows);
		return QR_BAD_INPUT;
	}
	if (!st->have_header) {
		st->have_header = true;
		qr_buf_reset(&st->header);
		qr_buf_add(&st->header, st->rec.buf, n);
		st->header_fields = fields;
		return QR_SKIP;
	}
	if (fields != st->header_fields) {
		qr_buf_setf(why, "row has %zu fields, the header has %zu", fields, st->header_fields);
		return QR_BAD_INPUT;
	}
	qr_buf_reset(&st->out);
	qr_buf_add(&st->out, st->header.buf, st->header.len);
	qr_buf_addch(&st->out, '\n');
	qr_buf_add(&st->out, st->rec.buf, n);
	f->data = st->out.buf;
	f->len = st->out.len;
	return QR_OK;
}

static int next(qr_reader *r, qr_frame *f, qr_buf *why)
{
	qr_input *in = &r->in;
	struct reader *st = r->state;
	if (!st) {
		st = r->state = qr_calloc(1, sizeof(*st));
		qr_buf_init(&st->header);
		qr_buf_init(&st->rec);
		qr_buf_init(&st->replay);
		qr_buf_init(&st->out);
		st->line = 1;
	}
	for (;;) {
		if (st->done) {
			reader_free(r);
			return QR_END;
		}
		const char *p;
		size_t n;
		f->line = st->line;
		f->byte = st->byte;
		int lr = get_line(st, in, &p, &n);
		if (lr == LINE_IO) {
			reader_free(r);
			return QR_IO;
		}
		if (lr == LINE_LONG) {
			qr_buf_setf(why, "line is longer than %zu bytes (limit max_record)", in->max_record);
			if (st->rec_open)
				f->line = st->rec_line, f->byte = st->rec_byte;
			st->rec_open = false;
			qr_buf_reset(&st->rec);
			if (st->parser_ready)
				parser_reset(st);
			return QR_LIMIT;
		}
		if (lr == LINE_END) {
			if (!st->rec_open) {
				st->done = true;
				continue;
			}
			/* The last row may lack its line end; a quote still open
			 * here never closes (and the lines after its start are
			 * read again). */
			if (csv_fini(&st->p, count_field, count_row, st) != 0 || !st->rows)
				return broken_row(st, f, why, "a quoted field opened in this row never closes");
			st->done = true;
			int rs = row_done(st, f, why);
			if (rs == QR_SKIP)
				continue;
			return rs;
		}
		if (!st->parser_ready) {
			if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
				p += 3;
				n -= 3;
				st->byte += 3;
			}
			st->sep = separator_for(p, n);
			parser_reset(st);
		}
		if (!st->rec_open) {
			st->rec_open = true;
			st->rec_line = st->line;
			st->rec_byte = st->byte;
			qr_buf_reset(&st->rec);
		}
		qr_buf_add(&st->rec, p, n);
		st->line += (n && p[n - 1] == '\n') ? 1 : 0;
		st->byte += n;
		if (csv_parse(&st->p, p, n, count_field, count_row, st) != n) {
			qr_buf reason = QR_BUF_INIT;
			qr_buf_setf(&reason, "bad quoting: a quote inside an unquoted field, or text after a closing quote (%s)",
				    csv_strerror(csv_error(&st->p)));
			int rs = broken_row(st, f, why, reason.buf);
			qr_buf_release(&reason);
			return rs;
		}
		if (st->rows) {
			int rs = row_done(st, f, why);
			if (rs == QR_SKIP)
				continue;
			return rs;
		}
		if (st->p.pstate == CSV_ROW_NOT_BEGUN) {
			/* A blank line. */
			st->rec_open = false;
			continue;
		}
		if (st->rec.len > in->max_record)
			return broken_row(st, f, why, "row is longer than max_record (a quote that never closes?)");
	}
}

/* ---- normalize ---- */

static int normalize(const char *data, size_t len, qr_posts *out, qr_buf *why)
{
	const char *nl = memchr(data, '\n', len);
	char sep = separator_for(data, nl ? (size_t)(nl - data) : len);
	struct table t;
	int st = QR_BAD_INPUT;
	if (!parse_table(data, len, sep, &t, why))
		goto out;
	if (t.rows < 2) {
		qr_buf_setf(why, "record holds a header but no row");
		goto out;
	}
	if (t.values.n != t.names.n) {
		qr_buf_setf(why, "row has %zu fields, the header has %zu", t.values.n, t.names.n);
		goto out;
	}
	const qr_mapping *m = qr_mapping_for_columns(t.names.v, t.names.n);
	if (!m) {
		qr_buf_setf(why, "no mapping fits the columns (give one with --mapping)");
		goto out;
	}
	st = qr_mapping_apply_row(m, t.names.v, t.values.v, t.names.n, out, why);
out:
	table_clear(&t);
	return st;
}

const qr_format qr_format_csv = {
	.name = "csv",
	.description = "CSV through a mapping: CrowdTangle, twarc-csv, or --mapping FILE (see 'quire formats')",
	.bid = bid,
	.next = next,
	.normalize = normalize,
};
