/* quire show: posts by id, as normalized records or as their original bytes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cid.h"
#include "cmdutil.h"
#include "commands.h"
#include "run.h"
#include "corpus.h"
#include "json.h"
#include "schema.h"
#include "status.h"
#include "text.h"

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "raw", 'r', NULL, "print the original record bytes from the store, checked against their sha256" },
	{ "verify", 0, NULL, "check each post's record against the store and say so" },
	QR_CMD_PARTIAL_OPTION,
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"show",
	"[OPTIONS] ID...",
	"Print posts by id (platform:id, or the platform's own id).",
	"By default the normalized post is printed as JSON (schemas/post.schema.json).\n"
	"With --raw the record is read from the store, hashed again and compared\n"
	"with the sha256 the index holds; a mismatch is an error (exit 3) and\n"
	"nothing of that record is printed.  --verify does the same check and\n"
	"prints one line per post: ok or DAMAGED, id, sha256 and store locator.",
	"  quire show twitter:1268312345678901234\n"
	"  quire show --raw 1268312345678901234 | jq .user.screen_name\n"
	"  quire show --verify twitter:1268312345678901234",
	options,
};

struct opts {
	qr_cmd_opts c;
	bool raw, verify;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *o = ctx;
	if (qr_cmd_option(&o->c, name, arg))
		return 0;
	if (strcmp(name, "raw") == 0)
		o->raw = true;
	else if (strcmp(name, "verify") == 0)
		o->verify = true;
	return 0;
}

/* A line of --verify output: ids, hashes and locators come from the
 * index, which holds what the inputs said: escaped like any untrusted
 * text. */
/* "ok ID SHA256 LOCATOR", and "cid CID" after them when it was checked. */
static void verify_line(FILE *out, const char *state, const char *id, const char *sha, const char *loc,
			const char *cid)
{
	const char *f[5] = { id, sha, loc, cid ? "cid" : NULL, cid };
	qr_buf line = QR_BUF_INIT;
	qr_buf_adds(&line, state);
	for (int i = 0; i < (cid ? 5 : 3); i++) {
		qr_buf_addch(&line, ' ');
		qr_escape_terminal(&line, f[i] ? f[i] : "-", f[i] ? strlen(f[i]) : 1, 0);
	}
	qr_buf_addch(&line, '\n');
	fputs(line.buf, out);
	qr_buf_release(&line);
}

int qr_show_one(qr_corpus *c, const char *id, int mode, bool terminal, FILE *f)
{
	qr_buf out = QR_BUF_INIT, data = QR_BUF_INIT;
	xc_docid docid;
	qr_post p;
	bool checked = false;
	int st = 0;
	qr_post_init(&p);
	for (int attempt = 0; attempt < QR_CMD_RETRIES; attempt++) {
		st = qr_cmd_find_post(c, id, &docid);
		if (!st)
			st = qr_corpus_load_post(c, docid, &p);
		if (!st && mode != QR_SHOW_POST)
			st = qr_corpus_get_record(c, &p, &data);
		if (st != QR_INTERNAL && st != QR_IO)
			break;
		/* An ingest committed meanwhile and Xapian discarded the
		 * revision being read: read the newest one and try again. */
		qr_post_clear(&p);
		qr_post_init(&p);
		if (qr_corpus_reopen(c))
			break;
	}
	if (st == QR_NOT_FOUND) {
		qr_error("no post '%s' in the corpus", id);
		st = QR_EXIT_NO_HITS;
	} else if (st) {
		if (mode == QR_SHOW_VERIFY)
			verify_line(f, "DAMAGED", p.id ? p.id : id, p.record.sha256, p.record.locator, NULL);
		qr_error("cannot show '%s': %s", id, qr_corpus_error(c));
		st = qr_status_exit_code(st);
	} else if (mode == QR_SHOW_VERIFY && !qr_cid_check_post(&p, &checked, &out)) {
		verify_line(f, "DAMAGED", p.id, p.record.sha256, p.record.locator, NULL);
		qr_error("cannot show '%s': its CID does not name its record: %s", id, out.buf);
		st = QR_EXIT_DAMAGED;
	} else if (mode == QR_SHOW_VERIFY) {
		verify_line(f, "ok", p.id, p.record.sha256, p.record.locator,
			    checked ? qr_kvv_get(&p.source.provenance, "cid") : NULL);
	} else if (mode == QR_SHOW_RAW && terminal) {
		/* The exact bytes go to pipes and files; a terminal gets
		 * them with control characters and bidi overrides shown
		 * escaped, as everything untrusted. */
		qr_escape_terminal(&out, data.buf, data.len, QR_ESC_KEEP_NEWLINES);
		qr_buf_addch(&out, '\n');
		fputs(out.buf, f);
	} else if (mode == QR_SHOW_RAW) {
		/* A text record ends with a newline, so that several are
		 * lines; a binary one (a repo's DAG-CBOR block) is its bytes
		 * alone, so that sha256sum checks it as it is. */
		size_t bad;
		fwrite(data.buf, 1, data.len, f);
		if (qr_utf8_valid(data.buf, data.len, &bad))
			fputc('\n', f);
	} else {
		qr_jw w;
		qr_jw_init(&w, &out, true);
		qr_post_to_json(&p, &w);
		qr_buf_addch(&out, '\n');
		fputs(out.buf, f);
	}
	qr_post_clear(&p);
	qr_buf_release(&out);
	qr_buf_release(&data);
	return st;
}

int cmd_show(int argc, char **argv)
{
	struct opts o = { { NULL, NULL, { NULL, NULL, NULL, false } }, false, false };
	qr_corpus *c = NULL;
	int first, worst = 0;
	int st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	if (first >= argc)
		return qr_usage_error("show", "no id given");
	int open_st = qr_cmd_open_corpus(o.c.corpus, &c);
	if (open_st)
		return open_st;
	int mode = o.verify ? QR_SHOW_VERIFY : o.raw ? QR_SHOW_RAW : QR_SHOW_POST;
	bool terminal = isatty(STDOUT_FILENO);
	for (int i = first; i < argc; i++) {
		st = qr_show_one(c, argv[i], mode, terminal, stdout);
		/* A missing post does not hide a damaged one. */
		if (st == QR_EXIT_NO_HITS)
			worst = worst ? worst : st;
		else if (st)
			worst = st;
	}
	fflush(stdout);
	qr_corpus_close(c);
	return worst;
}
