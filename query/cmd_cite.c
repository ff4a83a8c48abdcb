/* quire cite: citations of posts by id, in any output format. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "run.h"
#include "status.h"
#include "timeutil.h"

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "format", 'f', "NAME", "apa (default), mla, chicago, csl-json, bibtex, biblatex, ris, or any search format" },
	QR_CMD_OUT_OPTION,
	{ "tz", 0, "ZONE", "give dates and times in this IANA zone (default UTC)" },
	{ "no-locator", 0, NULL, "leave out the archival locator (corpus, record, sha256)" },
	QR_CMD_PARTIAL_OPTION,
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"cite",
	"[OPTIONS] ID...",
	"Print citations of posts by id (platform:id, or the platform's own id; - reads ids from stdin).",
	"APA 7:   Name [@handle]. (2020, June 3). First twenty words of the post\n"
	"         [Video attached] [Tweet]. Twitter. URL\n"
	"MLA 9:   @handle (Name). \"Full text.\" Twitter, 3 June 2020, 2:02 p.m., URL.\n"
	"Chicago: Name (@handle), \"text up to 160 characters,\" Twitter, June 3, 2020,\n"
	"         2:02 p.m., URL.\n"
	"Each citation is followed by its archival locator (corpus id, record, sha256\n"
	"of the original record), which 'quire show --verify ID' checks.  The label\n"
	"and platform follow the post's date: a tweet from 2024 is a [Post] on X.",
	"  quire cite 1268381141790130178\n"
	"  quire cite -f mla --tz America/New_York twitter:1268381141790130178\n"
	"  quire cite -f csl-json twitter:1268381141790130178 > refs.json\n"
	"  quire search -f ids --limit 5 '#BlackLivesMatter' | quire cite -f bibtex - > refs.bib\n"
	"  quire cite -f chicago --no-locator 1268381141790130178\n"
	"\nexit status: 0 every post cited, 1 some id not found, 2 usage error, 3 damaged corpus",
	options,
};

struct opts {
	qr_cmd_opts c;
	bool no_locator;
	const char *out;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *o = ctx;
	if (qr_cmd_option(&o->c, name, arg))
		return 0;
	if (strcmp(name, "no-locator") == 0)
		o->no_locator = true;
	else if (strcmp(name, "out") == 0)
		o->out = arg;
	return 0;
}

void qr_cite_begin(qr_corpus *c, qr_printer *pr, const char *ids)
{
	qr_result_info info = { ids, qr_corpus_id(c), qr_corpus_dir(c), 0, 0, 0, 0, 0, "given", NULL, true };
	pr->begin(pr, &info);
}

int qr_cite_one(qr_corpus *c, qr_printer *pr, const char *id, uint32_t *rank)
{
	xc_docid docid;
	qr_post p;
	int st = qr_cmd_find_post(c, id, &docid);
	if (st == QR_NOT_FOUND) {
		qr_error("no post '%s' in the corpus", id);
		return QR_EXIT_NO_HITS;
	}
	qr_post_init(&p);
	if (!st)
		st = qr_corpus_load_post(c, docid, &p);
	if (st) {
		qr_error("cannot cite '%s': %s", id, qr_corpus_error(c));
		qr_post_clear(&p);
		return qr_status_exit_code(st);
	}
	qr_hit hit = { &p, ++*rank, 0, 0, NULL, false, 0 };
	pr->hit(pr, &hit);
	qr_post_clear(&p);
	return 0;
}

static int worse(int a, int b)
{
	return a > b ? a : b;
}

int cmd_cite(int argc, char **argv)
{
	struct opts o = { { NULL, "apa", { NULL, NULL, NULL, false } }, false, NULL };
	qr_cmd_out dest = { NULL, NULL, NULL };
	qr_corpus *c = NULL;
	qr_printer *pr = NULL;
	qr_buf ids = QR_BUF_INIT, line = QR_BUF_INIT;
	uint32_t rank = 0;
	int first, st, worst = 0;

	st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	if (first >= argc)
		return qr_usage_error("cite", "no id given");
	if (!qr_printer_exists(o.c.format))
		return qr_usage_error("cite", "unknown format '%s' (%s)", o.c.format, qr_printer_names());
	if ((st = qr_cmd_check_tz("cite", o.c.q.tz)))
		return st;
	if ((st = qr_cmd_open_corpus(o.c.corpus, &c)))
		return st;
	if ((st = qr_cmd_out_open(&dest, "cite", o.out, qr_printer_binary(o.c.format)))) {
		qr_corpus_close(c);
		return st;
	}
	pr = qr_printer_new(o.c.format, dest.fp, false, !o.no_locator, qr_corpus_id(c));
	pr->tz = o.c.q.tz;
	qr_cmd_join(&ids, argc - first, argv + first);
	qr_cite_begin(c, pr, ids.buf);
	for (int i = first; i < argc; i++) {
		if (strcmp(argv[i], "-") != 0) {
			worst = worse(worst, qr_cite_one(c, pr, argv[i], &rank));
			continue;
		}
		/* Ids from stdin, one per line (what -f ids prints). */
		int ch;
		do {
			ch = getchar();
			if (ch != EOF && ch != '\n') {
				if (ch != '\r' && line.len < 4096)
					qr_buf_addch(&line, ch);
				continue;
			}
			char *s = line.buf;
			while (*s == ' ' || *s == '\t')
				s++;
			if (*s)
				worst = worse(worst, qr_cite_one(c, pr, s, &rank));
			qr_buf_reset(&line);
		} while (ch != EOF);
	}
	pr->end(pr, rank);
	if (pr->status)
		qr_error("%s", pr->err.buf);
	st = pr->status ? pr->status : qr_cmd_out_close(&dest, true);
	if (!st)
		st = worst;
	qr_cmd_out_close(&dest, false);
	qr_printer_free(pr);
	qr_corpus_close(c);
	qr_buf_release(&ids);
	qr_buf_release(&line);
	return st;
}
