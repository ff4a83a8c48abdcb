/* quire ingest: add inputs to a corpus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "cli.h"
#include "commands.h"
#include "format.h"
#include "ingest.h"
#include "mapping.h"
#include "restore.h"
#include "shard.h"
#include "status.h"
#include "text.h"

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus); created when missing" },
	{ "format", 'f', "NAME", "read every input as this format instead of sniffing (see 'quire formats')" },
	{ "events", 'e', "DIR", "tag posts with this event catalogue, kept in the corpus from now on (default: the corpus's)" },
	{ "mapping", 'm', "FILE",
	  "read CSV or JSON lines through this mapping (schemas/mapping.schema.json); CrowdTangle and twarc-csv files need none" },
	{ "force", 0, NULL, "re-read inputs whose sha256 was ingested before (duplicates are still not added)" },
	{ "batch", 0, "N", "commit after N changed posts (default 10000)" },
	{ "threads", 'j', "N", "index with N writer threads when the corpus's index is empty (default 2 on a machine of two cores or more); 1 does everything in one thread" },
	{ "max-record", 0, "BYTES", "reject records longer than this (default 16777216)" },
	{ "max-depth", 0, "N", "nesting of archives and compression layers (default 8)" },
	{ "max-member", 0, "BYTES", "decompressed size of one archive member (default 64 GiB)" },
	{ "max-input", 0, "BYTES", "decompressed size of one input, all members together (default 1 TiB)" },
	{ "max-ratio", 0, "N", "decompressed : read ratio taken as a compression bomb (default 1000)" },
	{ "max-entries", 0, "N", "entries of one archive (default 1000000)" },
	{ "max-media", 0, "BYTES", "largest media file of an archive kept in the store (default 268435456)" },
	{ "max-archive-buffer", 0, "BYTES", "post bytes held until an archive's end (default 1073741824)" },
	{ "shard", 0, "PLACE", "keep only this shard's posts: K/N (shard K of N by the post id's hash) or, with --shard-by month, months like 2020-01..2020-06,undated" },
	{ "shard-by", 0, "RULE", "hash (default) or month: how --shard splits the posts" },
	{ "quiet", 'q', NULL, "no message per rejected record (they are still in rejects.jsonl)" },
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"ingest",
	"[OPTIONS] PATH...",
	"Add post archives to a corpus: files, directories (walked in name order), '-' for stdin.",
	"Inputs may be plain, gzip, bzip2, xz, lz4 or zstd compressed (zstd windows up to\n"
	"2 GiB, as Reddit dumps use), and zip, tar, cpio or 7z archives, nested; nothing is\n"
	"extracted to disk.  Each record is kept byte-exact in the store and indexed.  A\n"
	"record that cannot be read is rejected with its file, member, line, byte and\n"
	"reason (printed, and kept in rejects.jsonl); the rest goes on.  A Twitter\n"
	"archive zip or a Mastodon export is read as one archive: its account, long texts\n"
	"and media files go with its posts, the files kept in the store.  Re-ingesting\n"
	"adds nothing: an input with the same sha256 is skipped, a post already there\n"
	"with the same record is a duplicate, and a post whose record changed gets a new\n"
	"version (the older one stays in the store).\n\n"
	"Into a corpus whose index holds no posts yet, --threads N index writers work at\n"
	"once (one thread reads, parses and stores), each into a scratch database, and\n"
	"the databases are merged into the index at the end: the corpus is the one a\n"
	"single thread makes.\n\n"
	"Posts are tagged with the events of the corpus's catalogue (see 'quire events'); --events\n"
	"DIR replaces that catalogue with DIR's files first, and re-tags the posts already there.\n\n"
	"With --shard, the corpus is one shard of a corpus split over several machines:\n"
	"it keeps the posts the rule gives it (every version of a post goes to the same\n"
	"shard) and counts the other records as elsewhere; quire.json records the rule,\n"
	"and later ingests into it keep to it.  Each machine ingests the same inputs\n"
	"with its own --shard; 'quire shards' searches them as one corpus.\n\n"
	"Exit status: 0 when every input was read to its end (rejected records are\n"
	"counted, not fatal); 3 when some input could not be read completely; 4 when\n"
	"another ingest holds the corpus.\n\n"
	"A bag that 'quire export' wrote (a folder with bagit.txt, or its .zip or .tar.gz)\n"
	"is verified and restored: its original records, their posts (same ids, same\n"
	"record sha256), media files, events and codes.",
	"  quire ingest --corpus june2020 tweets.jsonl.gz archive.zip\n"
	"  zstd -dc dump.jsonl.zst | quire ingest -c june2020 -\n"
	"  quire ingest -c june2020 --format twitter-v1 exports/\n"
	"  quire ingest -c june2020 --events corpus/events corpus/demo/data\n"
	"  quire ingest -c june2020 --mapping my-columns.json survey.csv\n"
	"  quire ingest -c june2020 --threads 1 tweets.jsonl\n"
	"  quire ingest -c shard2 --shard 2/4 dump-2020-06.jsonl.zst\n"
	"  quire ingest -c h1-2020 --shard-by month --shard 2020-01..2020-06 dumps/\n"
	"  quire ingest -c colleague wlm-0603.zip                (a bag from quire export)",
	options,
};

struct opts {
	const char *corpus;
	const char *events;
	const char *shard, *shard_by;
	qr_ingest_opts o;
	qr_mapping *mapping;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *op = ctx;
	unsigned long long v;
	if (strcmp(name, "corpus") == 0) {
		op->corpus = arg;
	} else if (strcmp(name, "format") == 0) {
		if (!qr_format_by_name(arg))
			return qr_usage_error("ingest", "unknown format '%s' (see 'quire formats')", arg);
		op->o.format = arg;
	} else if (strcmp(name, "events") == 0) {
		op->events = arg;
	} else if (strcmp(name, "mapping") == 0) {
		qr_buf why = QR_BUF_INIT;
		qr_mapping_free(op->mapping);
		op->mapping = NULL;
		if (qr_mapping_load(arg, &op->mapping, &why)) {
			qr_error("cannot use the mapping: %s", why.buf);
			qr_buf_release(&why);
			return QR_EXIT_USAGE;
		}
		qr_buf_release(&why);
	} else if (strcmp(name, "shard") == 0) {
		op->shard = arg;
	} else if (strcmp(name, "shard-by") == 0) {
		op->shard_by = arg;
	} else if (strcmp(name, "force") == 0) {
		op->o.force = true;
	} else if (strcmp(name, "quiet") == 0) {
		op->o.quiet = true;
	} else {
		if (!qr_cli_uint("ingest", name, arg, UINT64_MAX, &v))
			return QR_EXIT_USAGE;
		if (strcmp(name, "batch") == 0)
			op->o.batch_posts = v ? v : 1;
		else if (strcmp(name, "threads") == 0 && (v < 1 || v > 64))
			return qr_usage_error("ingest", "--threads takes 1 to 64, not %llu", v);
		else if (strcmp(name, "threads") == 0)
			op->o.threads = (unsigned)v;
		else if (strcmp(name, "max-record") == 0)
			op->o.limits.max_record = (size_t)v;
		else if (strcmp(name, "max-depth") == 0)
			op->o.limits.max_depth = (unsigned)v;
		else if (strcmp(name, "max-member") == 0)
			op->o.limits.max_member_bytes = v;
		else if (strcmp(name, "max-input") == 0)
			op->o.limits.max_input_bytes = v;
		else if (strcmp(name, "max-ratio") == 0)
			op->o.limits.max_ratio = v;
		else if (strcmp(name, "max-entries") == 0)
			op->o.limits.max_entries = v;
		else if (strcmp(name, "max-media") == 0)
			op->o.limits.max_media = v;
		else if (strcmp(name, "max-archive-buffer") == 0)
			op->o.limits.max_archive_buffer = v;
	}
	return 0;
}

/* "7 posts added, 0 updated, 0 duplicates, 2 rejected" */
static void add_counts(qr_buf *line, uint64_t added, uint64_t updated, uint64_t duplicates, uint64_t rejected)
{
	qr_add_grouped(line, added);
	qr_buf_adds(line, " posts added, ");
	qr_add_grouped(line, updated);
	qr_buf_adds(line, " updated, ");
	qr_add_grouped(line, duplicates);
	qr_buf_adds(line, " duplicates, ");
	qr_add_grouped(line, rejected);
	qr_buf_adds(line, " rejected");
}

static void summary(const qr_ingest_stats *s, bool failed)
{
	qr_buf line = QR_BUF_INIT;
	if (failed) {
		/* Counts of a failed run mix committed and uncommitted posts:
		 * none of it is reported as done. */
		qr_buf_adds(&line, "ingest FAILED after reading ");
		qr_add_grouped(&line, s->records);
		qr_buf_adds(&line, " records: what was committed before the error is kept; run it again to finish");
		puts(line.buf);
		qr_buf_release(&line);
		return;
	}
	qr_buf_adds(&line, "ingested ");
	qr_add_grouped(&line, s->records);
	qr_buf_addf(&line, " records from %llu input%s", (unsigned long long)s->inputs, s->inputs == 1 ? "" : "s");
	if (s->unchanged)
		qr_buf_addf(&line, " (%llu unchanged skipped)", (unsigned long long)s->unchanged);
	qr_buf_adds(&line, ": ");
	add_counts(&line, s->added, s->updated, s->duplicates, s->rejected);
	if (s->skipped) {
		qr_buf_adds(&line, ", ");
		qr_add_grouped(&line, s->skipped);
		qr_buf_adds(&line, " without posts");
	}
	if (s->elsewhere) {
		qr_buf_adds(&line, ", ");
		qr_add_grouped(&line, s->elsewhere);
		qr_buf_adds(&line, " elsewhere");
	}
	qr_buf_addf(&line, " (%.1f MB in %.1f s, %.0f records/s)", (double)s->bytes / 1e6, s->seconds,
		    s->seconds > 0 ? (double)s->records / s->seconds : 0.0);
	if (s->incomplete)
		qr_buf_addf(&line, "; %llu input%s not read completely", (unsigned long long)s->incomplete,
			    s->incomplete == 1 ? "" : "s");
	puts(line.buf);
	qr_buf_release(&line);
}

static void bag_summary(const char *path, const qr_restore_stats *s, int rc)
{
	qr_buf line = QR_BUF_INIT;
	if (s->unchanged) {
		printf("bag %s was restored before: nothing to do (--force restores it again)\n", path);
		return;
	}
	if (rc)
		return;
	qr_buf_adds(&line, "restored ");
	qr_add_grouped(&line, s->records);
	qr_buf_addf(&line, " records from the bag %s: ", path);
	add_counts(&line, s->added, s->updated, s->duplicates, s->rejected);
	qr_buf_addf(&line, "; %llu media files, %llu events added, codes on %llu posts",
		    (unsigned long long)s->media, (unsigned long long)s->events, (unsigned long long)s->coded);
	if (s->missing) {
		qr_buf_adds(&line, "; ");
		qr_add_grouped(&line, s->missing);
		qr_buf_adds(&line, " posts not restorable (no original records in the bag)");
	}
	puts(line.buf);
	qr_buf_release(&line);
}

int cmd_ingest(int argc, char **argv)
{
	struct opts op = { NULL, NULL, NULL, NULL, { 0 }, NULL };
	int first;
	qr_ingest_opts_default(&op.o);
	int st = qr_cli_parse(&help, argc, argv, on_option, &op, &first);
	if (st) {
		qr_mapping_free(op.mapping);
		return st < 0 ? 0 : st;
	}
	if (first >= argc) {
		qr_mapping_free(op.mapping);
		return qr_usage_error("ingest", "no input given");
	}
	qr_shard_rule rule = { 0 };
	if (op.shard_by && !op.shard) {
		qr_mapping_free(op.mapping);
		return qr_usage_error("ingest", "--shard-by needs --shard PLACE");
	}
	if (op.shard) {
		qr_buf why = QR_BUF_INIT;
		if (qr_shard_rule_parse(op.shard_by ? op.shard_by : "hash", op.shard, &rule, &why)) {
			qr_usage_error("ingest", "--shard: %s", why.buf);
			qr_buf_release(&why);
			qr_mapping_free(op.mapping);
			return QR_EXIT_USAGE;
		}
		qr_buf_release(&why);
	}
	qr_events *given = NULL, *events = NULL;
	if (op.events) {
		const char *paths[1] = { op.events };
		if ((st = qr_catalogue_read(paths, 1, &given))) {
			qr_events_free(given);
			qr_mapping_free(op.mapping);
			return st;
		}
	}
	/* Before the corpus opens: recovering a killed ingest may need it. */
	qr_mapping_use(op.mapping);
	qr_corpus *c;
	st = qr_ingest_open_corpus(qr_cli_corpus(op.corpus), true, &c);
	if (st) {
		qr_events_free(given);
		qr_mapping_use(NULL);
		qr_mapping_free(op.mapping);
		return qr_status_exit_code(st);
	}
	if (rule.kind != QR_SHARD_NONE && qr_corpus_set_shard(c, &rule)) {
		qr_error("cannot make a shard: %s", qr_corpus_error(c));
		qr_shard_rule_clear(&rule);
		qr_corpus_close(c);
		qr_events_free(given);
		qr_mapping_use(NULL);
		qr_mapping_free(op.mapping);
		return QR_EXIT_USAGE;
	}
	qr_shard_rule_clear(&rule);
	/* Posts already in the corpus are brought up to date with the
	 * catalogue first; new ones are tagged as they are added. */
	if ((st = qr_catalogue_prepare(c, given, false, false, &events))) {
		qr_corpus_close(c);
		qr_mapping_use(NULL);
		qr_mapping_free(op.mapping);
		return st;
	}
	/* Bags that quire export wrote are restored, not read as files. */
	int bags = 0, rest = first;
	for (int i = first; i < argc; i++) {
		if (!qr_restore_is_bag(argv[i])) {
			argv[rest++] = argv[i];
			continue;
		}
		qr_restore_stats rs;
		int b = qr_restore_bag(c, argv[i], &op.o, &events, &rs);
		bag_summary(argv[i], &rs, b);
		bags = bags ? bags : b;
	}
	if (events->n)
		op.o.events = events;
	qr_ingest_stats stats;
	if (rest == first) {
		qr_corpus_close(c);
		qr_events_free(events);
		qr_mapping_use(NULL);
		qr_mapping_free(op.mapping);
		return bags;
	}
	st = qr_ingest(c, argv + first, (size_t)(rest - first), &op.o, &stats);
	qr_corpus_close(c);
	qr_events_free(events);
	qr_mapping_use(NULL);
	qr_mapping_free(op.mapping);
	summary(&stats, st != 0);
	if (st)
		return qr_status_exit_code(st);
	return stats.incomplete ? QR_EXIT_DAMAGED : bags;
}

static const qr_command_help formats_help = {
	"formats", "", "List the input formats quire reads (names for --format).", NULL, NULL, NULL,
};

static int no_option(void *ctx, const char *name, const char *arg)
{
	(void)ctx, (void)name, (void)arg;
	return 0;
}

int cmd_formats(int argc, char **argv)
{
	int first;
	int st = qr_cli_parse(&formats_help, argc, argv, no_option, NULL, &first);
	if (st)
		return st < 0 ? 0 : st;
	for (size_t i = 0; qr_formats[i]; i++)
		printf("%-18s %s\n", qr_formats[i]->name, qr_formats[i]->description);
	printf("\nmappings built in (csv picks one by the columns; --mapping FILE adds yours):\n");
	const qr_mapping *m;
	for (size_t i = 0; (m = qr_mapping_builtin(i)); i++)
		printf("%-18s %s\n", qr_mapping_name(m), qr_mapping_description(m));
	return 0;
}
