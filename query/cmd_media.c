/* quire media: the bytes of a media file kept in the store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "corpus.h"
#include "hash.h"
#include "status.h"
#include "text.h"

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "output", 'o', "FILE", "write the file here instead of to standard output" },
	QR_CMD_PARTIAL_OPTION,
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"media",
	"[OPTIONS] SHA256",
	"Write a media file kept in the store, found by its sha256.",
	"Media files that came inside an archive (a Twitter archive's tweets_media/, a\n"
	"Mastodon export's media_attachments/) are kept byte-exact in the store's media\n"
	"stream; each post lists the sha256, size, path and store locator of its files\n"
	"(quire show ID).  The file is read back, checked against its sha256 (exit 3\n"
	"on a mismatch, and nothing is written) and written out.  Exit 1 when no post\n"
	"of the corpus carries a kept file with that sha256.",
	"  quire media 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 > photo.png\n"
	"  quire media -o clip.mp4 sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
	"  quire search -f json 'media:sha256:9f86d0...'   # the posts that show it",
	options,
};

struct opts {
	qr_cmd_opts c;
	const char *output;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *o = ctx;
	if (qr_cmd_option(&o->c, name, arg))
		return 0;
	if (strcmp(name, "output") == 0)
		o->output = arg;
	return 0;
}

static int write_out(const struct opts *o, const qr_buf *data)
{
	FILE *f = o->output ? fopen(o->output, "wb") : stdout;
	if (!f) {
		qr_error("cannot write '%s': %s", o->output, strerror(errno));
		return QR_EXIT_USAGE;
	}
	bool ok = fwrite(data->buf, 1, data->len, f) == data->len;
	ok = (o->output ? fclose(f) : fflush(f)) == 0 && ok;
	if (!ok) {
		qr_error("cannot write '%s': %s", o->output ? o->output : "standard output", strerror(errno));
		return QR_EXIT_INTERNAL;
	}
	return 0;
}

int cmd_media(int argc, char **argv)
{
	struct opts o = { { NULL, NULL, { NULL, NULL, NULL, false } }, NULL };
	qr_buf loc = QR_BUF_INIT, data = QR_BUF_INIT;
	qr_corpus *c = NULL;
	int first, rc = 0;
	int st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	if (first >= argc)
		return qr_usage_error("media", "no sha256 given");
	if (first + 1 < argc)
		return qr_usage_error("media", "one sha256 at a time");
	const char *sha = argv[first];
	if (qr_starts_with_ci(sha, "sha256:"))
		sha += 7;
	uint8_t bin[QR_SHA256_LEN];
	if (strlen(sha) != 2 * QR_SHA256_LEN || !qr_unhex(sha, bin, QR_SHA256_LEN))
		return qr_usage_error("media", "'%s' is not a sha256 (64 hex digits)", argv[first]);
	if (!o.output && isatty(STDOUT_FILENO))
		return qr_usage_error("media", "not writing a media file to a terminal: use --output FILE or redirect");
	char hex[QR_SHA256_HEX];
	qr_hex(bin, QR_SHA256_LEN, hex);
	if ((rc = qr_cmd_open_corpus(o.c.corpus, &c)))
		goto out;
	st = qr_corpus_find_media(c, hex, &loc);
	if (st == QR_NOT_FOUND) {
		qr_error("no media file with sha256 %s is kept in the corpus", hex);
		rc = QR_EXIT_NO_HITS;
		goto out;
	}
	qr_media m = { .sha256 = hex, .locator = loc.buf };
	if (!st)
		st = qr_corpus_get_media(c, &m, &data);
	if (st) {
		qr_error("cannot read media %s: %s", hex, qr_corpus_error(c));
		rc = qr_status_exit_code(st);
		goto out;
	}
	rc = write_out(&o, &data);
out:
	qr_corpus_close(c);
	qr_buf_release(&loc);
	qr_buf_release(&data);
	return rc;
}
