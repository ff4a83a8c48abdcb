/*
 * bench/fts5: SQLite FTS5 holding the same posts, for comparison.
 *
 *   fts5 FIELDS.tsv DB
 *
 * Loads fields.tsv (bench/gen) the way a careful user would: one
 * transaction, prepared statements, an FTS5 table over the text (with the
 * media descriptions), hashtags, author and media types with the porter
 * stemmer, and a plain table of id, time, author and media with b-tree
 * indexes on time and author for the filters FTS5 cannot do; the FTS5
 * index is optimized (merged) at the end, as for a read-mostly archive.  Prints one
 * line: posts, seconds, posts/s.  Queries go through the sqlite3 shell.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "timing.h"

enum { F_ID, F_CREATED, F_HANDLE, F_TAGS = 6, F_MTYPES = 9, F_TEXT = 16, F_ALTS = 17, F_COUNT = 18 };

static void unescape(const char *s, size_t n, qr_buf *out)
{
	qr_buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char c = s[++i];
			qr_buf_addch(out, c == 't' ? '\t' : c == 'n' ? '\n' : c);
		} else {
			qr_buf_addch(out, s[i] == '\x1f' ? '\n' : s[i]);
		}
	}
}

static int check(sqlite3 *db, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "fts5: %s: %s\n", what, sqlite3_errmsg(db));
		exit(5);
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: fts5 FIELDS.tsv DB\n");
		return 2;
	}
	FILE *in = fopen(argv[1], "r");
	if (!in) {
		perror(argv[1]);
		return 3;
	}
	remove(argv[2]);
	sqlite3 *db;
	check(NULL, sqlite3_open(argv[2], &db), "open");
	const char *schema =
		"PRAGMA journal_mode=WAL;"
		"CREATE TABLE post(id INTEGER PRIMARY KEY, native TEXT, created INTEGER, author TEXT, media TEXT);"
		"CREATE VIRTUAL TABLE fts USING fts5(text, hashtags, author, media, tokenize='porter unicode61');";
	check(db, sqlite3_exec(db, schema, NULL, NULL, NULL), "schema");
	sqlite3_stmt *ins_post, *ins_fts;
	check(db, sqlite3_prepare_v2(db, "INSERT INTO post VALUES (?,?,?,?,?)", -1, &ins_post, NULL), "prepare");
	check(db, sqlite3_prepare_v2(db, "INSERT INTO fts(rowid, text, hashtags, author, media) VALUES (?,?,?,?,?)", -1,
				     &ins_fts, NULL), "prepare");

	double t0 = bench_now();
	check(db, sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), "begin");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long n = 0;
	qr_buf text = QR_BUF_INIT;
	while ((len = getline(&line, &cap, in)) > 0) {
		const char *f[F_COUNT + 1];
		size_t fl[F_COUNT];
		int k = 0;
		f[0] = line;
		for (ssize_t i = 0; i < len && k < F_COUNT; i++) {
			if (line[i] == '\t' || line[i] == '\n') {
				fl[k] = (size_t)(line + i - f[k]);
				k++;
				f[k] = line + i + 1;
			}
		}
		if (k != F_COUNT) {
			fprintf(stderr, "fts5: line %ld has %d fields\n", n + 1, k);
			return 3;
		}
		n++;
		unescape(f[F_TEXT], fl[F_TEXT], &text);
		if (fl[F_ALTS]) {
			qr_buf_addch(&text, '\n');
			qr_buf alts = QR_BUF_INIT;
			unescape(f[F_ALTS], fl[F_ALTS], &alts);
			qr_buf_add(&text, alts.buf, alts.len);
			qr_buf_release(&alts);
		}
		sqlite3_bind_int64(ins_post, 1, n);
		sqlite3_bind_text(ins_post, 2, f[F_ID], (int)fl[F_ID], SQLITE_STATIC);
		sqlite3_bind_int64(ins_post, 3, strtoll(f[F_CREATED], NULL, 10));
		sqlite3_bind_text(ins_post, 4, f[F_HANDLE], (int)fl[F_HANDLE], SQLITE_STATIC);
		sqlite3_bind_text(ins_post, 5, f[F_MTYPES], (int)fl[F_MTYPES], SQLITE_STATIC);
		check(db, sqlite3_step(ins_post), "insert post");
		sqlite3_reset(ins_post);
		sqlite3_bind_int64(ins_fts, 1, n);
		sqlite3_bind_text(ins_fts, 2, text.buf, (int)text.len, SQLITE_STATIC);
		sqlite3_bind_text(ins_fts, 3, f[F_TAGS], (int)fl[F_TAGS], SQLITE_STATIC);
		sqlite3_bind_text(ins_fts, 4, f[F_HANDLE], (int)fl[F_HANDLE], SQLITE_STATIC);
		sqlite3_bind_text(ins_fts, 5, f[F_MTYPES], (int)fl[F_MTYPES], SQLITE_STATIC);
		check(db, sqlite3_step(ins_fts), "insert fts");
		sqlite3_reset(ins_fts);
	}
	check(db, sqlite3_exec(db, "CREATE INDEX post_created ON post(created); CREATE INDEX post_author ON post(author);"
				   "INSERT INTO fts(fts) VALUES('optimize');"
				   "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);",
			       NULL, NULL, NULL),
	      "commit");
	double s = bench_now() - t0;
	sqlite3_finalize(ins_post);
	sqlite3_finalize(ins_fts);
	sqlite3_close(db);
	printf("posts %ld seconds %.3f rate %.1f\n", n, s, (double)n / s);
	free(line);
	qr_buf_release(&text);
	fclose(in);
	return 0;
}
