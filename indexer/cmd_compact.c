/* quire compact: rewrite the store's segments smaller (lib/compact.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "compact.h"
#include "ingest.h"
#include "status.h"
#include "text.h"

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "level", 'l', "N", "zstd level of the new segments, 1-22 (default 19)" },
	{ "block-size", 'b', "BYTES", "records per block, in bytes before compression (default 1048576)" },
	{ "window", 'w', "BYTES", "records regrouped at a time, in bytes; 0 keeps their order (default 268435456)" },
	{ "dictionary-size", 0, "BYTES", "size of the new dictionary; 0 for none (default 1048576)" },
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"compact",
	"[OPTIONS]",
	"Rewrite the store's segments smaller: larger blocks, a higher zstd level, a better dictionary.",
	"The segments written since the last compaction (by ingest) are read, every record\n"
	"checked against its sha256, and written again into new segments: blocks of --block-size\n"
	"bytes at zstd level --level, with a dictionary trained on records spread over them\n"
	"(store/dictionary-<id>), and each retweet or quote next to the post it embeds (within\n"
	"--window bytes) so that zstd finds the repeat.  The records stay byte-exact and are\n"
	"checked again once written.  Then the index is pointed at the new places in one\n"
	"transaction, and only then are the old segments removed: a crash at any point leaves\n"
	"a consistent corpus, and the next writable open finishes or undoes what was left.\n"
	"Store locators in earlier citations change; post ids and sha256s do not.\n\n"
	"Compaction holds the corpus like an ingest: a concurrent ingest fails with 'corpus is\n"
	"locked'.  Level 19 writes about 3.5 MB of records a second on one core,\n"
	"level 12 about 60 MB.\n\n"
	"Exit status: 0 when compacted or nothing was left to compact; 3 when a record does\n"
	"not match its sha256 or a block is damaged (nothing is changed); 4 when the corpus is\n"
	"locked; 5 when the corpus could not be written (the next open cleans up).",
	"  quire compact -c june2020\n"
	"  quire compact -c june2020 --level 12\n"
	"  zstd -dc -D june2020/store/dictionary-1234567 june2020/store/000002.zst | head -1",
	options,
};

struct opts {
	const char *corpus;
	qr_compact_opts o;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *op = ctx;
	unsigned long long v;
	if (strcmp(name, "corpus") == 0) {
		op->corpus = arg;
		return 0;
	}
	if (!qr_cli_uint("compact", name, arg, 1ULL << 30, &v))
		return QR_EXIT_USAGE;
	if (strcmp(name, "level") == 0) {
		if (v < 1 || v > 22)
			return qr_usage_error("compact", "--level must be 1-22, not %llu", v);
		op->o.level = (int)v;
	} else if (strcmp(name, "block-size") == 0) {
		if (v < 1024 || v > (256u << 20))
			return qr_usage_error("compact", "--block-size must be 1024 to 268435456 bytes, not %llu", v);
		op->o.block_size = (size_t)v;
	} else if (strcmp(name, "window") == 0) {
		op->o.window = (size_t)v;
	} else if (strcmp(name, "dictionary-size") == 0) {
		if (v > (64u << 20))
			return qr_usage_error("compact", "--dictionary-size must be at most 67108864 bytes, not %llu", v);
		op->o.dict_size = (size_t)v;
	}
	return 0;
}

static void mb(qr_buf *b, uint64_t bytes)
{
	qr_buf_addf(b, "%.1f MB", (double)bytes / 1e6);
}

static void summary(const qr_compact_stats *s)
{
	qr_buf line = QR_BUF_INIT;
	qr_buf_addf(&line, "compacted %u segment%s (", s->segments_in, s->segments_in == 1 ? "" : "s");
	mb(&line, s->bytes_in);
	qr_buf_addf(&line, ") into %u (", s->segments_out);
	mb(&line, s->bytes_out);
	if (s->dict_bytes) {
		qr_buf_adds(&line, ", dictionary ");
		mb(&line, s->dict_bytes);
	}
	/* what the old segments weigh against the new ones with their dictionary */
	qr_buf_addf(&line, "; %.2fx) in %.1f s: ",
		    s->bytes_out + s->dict_bytes ? (double)s->bytes_in / (double)(s->bytes_out + s->dict_bytes) : 0.0,
		    s->seconds);
	qr_add_grouped(&line, s->records);
	qr_buf_adds(&line, " records and ");
	qr_add_grouped(&line, s->media);
	qr_buf_adds(&line, " media files checked against their sha256 before and after, ");
	qr_add_grouped(&line, s->grouped);
	qr_buf_adds(&line, " written next to their original, ");
	qr_add_grouped(&line, s->documents);
	qr_buf_adds(&line, " index documents updated");
	if (s->index_compacted)
		qr_buf_adds(&line, ", the index compacted");
	puts(line.buf);
	qr_buf_release(&line);
}

int cmd_compact(int argc, char **argv)
{
	struct opts op = { NULL, { 0 } };
	int first;
	qr_compact_opts_default(&op.o);
	op.o.progress = isatty(STDERR_FILENO);
	int st = qr_cli_parse(&help, argc, argv, on_option, &op, &first);
	if (st)
		return st < 0 ? 0 : st;
	if (first < argc)
		return qr_usage_error("compact", "unexpected argument '%s'", argv[first]);
	qr_corpus *c;
	/* Opened as an ingest opens it: the writer's lock, and whatever a
	 * killed ingest or compaction left is recovered first. */
	if ((st = qr_ingest_open_corpus(qr_cli_corpus(op.corpus), false, &c)))
		return qr_status_exit_code(st);
	qr_compact_stats stats;
	qr_buf err = QR_BUF_INIT;
	st = qr_compact(c, &op.o, &stats, &err);
	qr_corpus_close(c);
	if (st == QR_NOT_FOUND) {
		printf("%s\n", err.buf);
		st = 0;
	} else if (st) {
		qr_error("cannot compact '%s': %s", qr_cli_corpus(op.corpus), err.buf);
	} else {
		summary(&stats);
	}
	qr_buf_release(&err);
	return qr_status_exit_code(st);
}
