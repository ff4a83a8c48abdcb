/* quire check: verify a corpus end to end; --repair makes the index match
 * the store again. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "cli.h"
#include "commands.h"
#include "ingest.h"
#include "io.h"
#include "lock.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "repair", 0, NULL, "make the index match the store again (takes the corpus's write lock)" },
	{ "verbose", 'v', NULL, "a line per store block, and xapian-check's report" },
	{ "no-xapian", 0, NULL, "skip xapian-check on the index (faster)" },
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"check",
	"[OPTIONS]",
	"Verify a corpus: store frames and block headers, every index entry, the committed tail, Xapian.",
	"Reads every frame of the store (zstd's content checksum, the block header's\n"
	"checksum, the sha256 of every record), checks that every index entry's store\n"
	"locator leads to a record with its sha256 and that every post of a committed\n"
	"record is indexed, compares the store's tail with the tail the index\n"
	"committed, and runs xapian-check on the index.  Each\n"
	"problem is printed as 'damage: ...' naming the segment and byte offset or the\n"
	"post; 'note: ...' lines are not damage (an interrupted ingest's tail).\n\n"
	"--repair treats the store as the source of truth: a store that ends before\n"
	"the committed tail is cut back to its last complete block (the bytes cut off\n"
	"are kept in store/lost+found/), posts whose records are gone leave the index\n"
	"and their inputs are marked lost in sources.jsonl (ingesting them again\n"
	"restores them), index entries are pointed at intact copies of their records,\n"
	"posts missing from the index are put back from the store, and an index that\n"
	"xapian-check finds damaged is moved aside and rebuilt from the store.  No committed\n"
	"byte of the store is ever deleted.  Then the check runs again.\n\n"
	"Exit status: 0 no damage, 3 damage found (after --repair: damage left), 4 the\n"
	"corpus is locked by an ingest (--repair).",
	"  quire check --corpus june2020\n"
	"  quire check -c june2020 --repair",
	options,
};

struct opts {
	const char *corpus;
	bool repair, verbose, no_xapian;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *o = ctx;
	if (strcmp(name, "corpus") == 0)
		o->corpus = arg;
	else if (strcmp(name, "repair") == 0)
		o->repair = true;
	else if (strcmp(name, "verbose") == 0)
		o->verbose = true;
	else if (strcmp(name, "no-xapian") == 0)
		o->no_xapian = true;
	return 0;
}

static void print_finding(void *ctx, int kind, const char *msg)
{
	const char *prefix = ctx;
	qr_buf safe = QR_BUF_INIT;
	qr_escape_terminal(&safe, msg, strlen(msg), QR_ESC_KEEP_NEWLINES);
	printf("%s%s%s\n", prefix, kind == QR_FOUND_DAMAGE ? "damage: " : kind == QR_FOUND_NOTE ? "note: " : "",
	       safe.buf);
	qr_buf_release(&safe);
}

static void summary(const qr_check_stats *s, bool xapian)
{
	qr_buf b = QR_BUF_INIT;
	qr_buf_addf(&b, "store: %llu segment%s, ", (unsigned long long)s->segments, s->segments == 1 ? "" : "s");
	qr_add_grouped(&b, s->blocks);
	qr_buf_adds(&b, " blocks, ");
	qr_add_grouped(&b, s->records);
	qr_buf_addf(&b, " records (%llu stored twice), %.1f MB; ", (unsigned long long)s->duplicate_records,
		    (double)s->bytes / 1e6);
	qr_buf_addf(&b, "%llu damaged blocks, %llu uncommitted\n", (unsigned long long)s->damaged_blocks,
		    (unsigned long long)s->uncommitted_blocks);
	qr_buf_adds(&b, "index: ");
	qr_add_grouped(&b, s->posts);
	qr_buf_addf(&b, " posts (%llu duplicate, %llu with a bad record, %llu missing); xapian check: %s\n",
		    (unsigned long long)s->duplicate_posts, (unsigned long long)s->bad_posts,
		    (unsigned long long)s->missing_posts,
		    !xapian ? "skipped" : s->xapian_errors ? "FAILED" : "ok");
	qr_buf_addf(&b, "journal: %llu entr%s, %.1f KB, %llu damaged; codes: %s\n", (unsigned long long)s->journal_entries,
		    s->journal_entries == 1 ? "y" : "ies", (double)s->journal_bytes / 1e3,
		    (unsigned long long)s->journal_damaged,
		    s->code_differences ? "differ from the journal" : "as the journal gives them");
	if (s->damage)
		qr_buf_addf(&b, "DAMAGED: %llu problem%s found\n", (unsigned long long)s->damage, s->damage == 1 ? "" : "s");
	else
		qr_buf_addf(&b, "ok: no damage found%s\n", s->notes ? " (see the notes)" : "");
	fputs(b.buf, stdout);
	qr_buf_release(&b);
}

static int run_check(const char *dir, const struct opts *o)
{
	qr_corpus *c = NULL;
	qr_buf err = QR_BUF_INIT;
	qr_check_stats stats;
	qr_check_opts co = { o->verbose, !o->no_xapian };
	int st = qr_corpus_open(dir, QR_OPEN_INSPECT, &c, &err);
	if (st) {
		qr_error("%s", err.buf);
		if (st == QR_DAMAGED)
			print_finding((void *)"", QR_FOUND_DAMAGE, "the corpus cannot be opened ('quire check --repair' moves "
								 "a damaged index aside and rebuilds it from the store)");
		qr_buf_release(&err);
		return st == QR_USAGE ? QR_EXIT_USAGE : st == QR_LOCKED ? QR_EXIT_LOCKED : QR_EXIT_DAMAGED;
	}
	st = qr_check_corpus(c, &co, print_finding, (void *)"", &stats);
	if (st) {
		qr_error("cannot check '%s': %s", dir, qr_store_error(qr_corpus_store(c)));
		qr_corpus_close(c);
		qr_buf_release(&err);
		return qr_status_exit_code(st);
	}
	summary(&stats, co.xapian);
	fflush(stdout);
	qr_corpus_close(c);
	qr_buf_release(&err);
	return stats.damage ? QR_EXIT_DAMAGED : QR_EXIT_OK;
}

/* An index Xapian cannot open or finds damaged is moved aside, so that the
 * repair rebuilds it from the store. */
static int set_aside_damaged_index(const char *dir)
{
	qr_buf path = QR_BUF_INIT, aside = QR_BUF_INIT, err = QR_BUF_INIT, out = QR_BUF_INIT;
	uint64_t errors = 0;
	struct stat sb;
	int st = 0;
	qr_buf_setf(&path, "%s/index", dir);
	if (stat(path.buf, &sb) < 0)
		goto out;
	if (qr_check_xapian(path.buf, &errors, &out) != 0 || errors == 0)
		goto out;
	char when[32];
	qr_time_format_iso((int64_t)time(NULL), when);
	for (char *p = when; *p; p++)
		if (*p == ':')
			*p = '-';
	qr_buf_setf(&aside, "%s/index.damaged-%s", dir, when);
	if ((st = qr_io_rename(path.buf, aside.buf, &err))) {
		qr_error("%s", err.buf);
		goto out;
	}
	qr_buf_setf(&err, "the index is damaged (%s): moved to '%s'; rebuilding it from the store (its codes and "
		    "events from the journal)",
		    "xapian-check found problems", aside.buf);
	print_finding((void *)"repair: ", QR_FOUND_INFO, err.buf);
	fflush(stdout);
	/* Where an older quire let go of the corpus: tests hold it here. */
	qr_io_test_pause("repair-aside");
out:
	qr_buf_release(&path);
	qr_buf_release(&aside);
	qr_buf_release(&err);
	qr_buf_release(&out);
	return st;
}

static int run_repair(const char *dir)
{
	qr_corpus *c = NULL;
	qr_lock *lock = NULL;
	qr_buf err = QR_BUF_INIT;
	qr_repair_stats rs;
	struct stat sb;
	/* The corpus lock for the whole repair: the corpus is opened, closed
	 * and opened again around moving a damaged index aside, and no other
	 * writer may start in between. */
	qr_buf_setf(&err, "%s/quire.json", dir);
	int st = stat(err.buf, &sb) < 0 ? QR_USAGE : qr_lock_acquire(dir, NULL, &lock, &err);
	if (st) {
		if (st == QR_USAGE)
			qr_buf_setf(&err, "'%s' is not a quire corpus (no quire.json)", dir);
		qr_error("%s", err.buf);
		qr_buf_release(&err);
		return qr_status_exit_code(st);
	}
	qr_buf_reset(&err);
	st = qr_corpus_open(dir, QR_OPEN_WRITE, &c, &err);
	if (st == QR_DAMAGED) {
		qr_buf_reset(&err);
		if (set_aside_damaged_index(dir) == 0)
			st = qr_corpus_open(dir, QR_OPEN_WRITE, &c, &err);
	} else if (!st) {
		/* Open: nobody else writes.  Xapian's structure check decides
		 * whether the index itself can be trusted. */
		qr_buf path = QR_BUF_INIT, out = QR_BUF_INIT;
		uint64_t errors = 0;
		qr_buf_setf(&path, "%s/index", dir);
		if (qr_check_xapian(path.buf, &errors, &out) == 0 && errors) {
			qr_corpus_close(c);
			c = NULL;
			if ((st = set_aside_damaged_index(dir)) == 0)
				st = qr_corpus_open(dir, QR_OPEN_WRITE, &c, &err);
		}
		qr_buf_release(&path);
		qr_buf_release(&out);
	}
	if (st) {
		qr_error("%s", err.buf);
		qr_buf_release(&err);
		qr_lock_release(lock);
		return qr_status_exit_code(st == QR_INTERNAL ? QR_DAMAGED : st);
	}
	/* Records of archive formats are read back with their context records,
	 * as the ingest that stored them read them. */
	qr_renorm renorm = { .c = c };
	st = qr_repair_corpus(c, qr_ingest_renormalize, &renorm, print_finding, (void *)"repair: ", &rs);
	qr_renorm_release(&renorm);
	qr_corpus_close(c);
	qr_lock_release(lock);
	printf("repair: %llu bytes moved to lost+found, %llu posts lost, %llu re-pointed, %llu put back, %llu rewritten, "
	       "%llu cannot be repaired\n",
	       (unsigned long long)rs.cut_bytes, (unsigned long long)rs.lost_posts, (unsigned long long)rs.repointed,
	       (unsigned long long)rs.readded, (unsigned long long)rs.rewritten, (unsigned long long)rs.unrepairable);
	fflush(stdout);
	qr_buf_release(&err);
	return st ? qr_status_exit_code(st) : 0;
}

int cmd_check(int argc, char **argv)
{
	struct opts o = { NULL, false, false, false };
	int first;
	int st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	if (first < argc)
		return qr_usage_error("check", "unexpected argument '%s'", argv[first]);
	const char *dir = qr_cli_corpus(o.corpus);
	if (o.repair && (st = run_repair(dir)))
		return st;
	return run_check(dir, &o);
}
