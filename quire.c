/* quire: the command table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lock.h"
#include "indexer/commands.h"
#include "manual.h"
#include "query/commands.h"
#include "server/serve.h"
#include "status.h"
#include "version.h"
#include "xapian-c.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const qr_command commands[] = {
	{ "ingest", cmd_ingest, "add post archives to a corpus" },
	{ "search", cmd_search, "search a corpus and print cited posts" },
	{ "count", cmd_count, "print the exact number of posts a query matches" },
	{ "export", cmd_export, "write a query's posts as a BagIt bag (RFC 8493); --verify checks one" },
	{ "cite", cmd_cite, "print citations of posts by id: APA, MLA, Chicago, CSL-JSON, BibTeX, RIS" },
	{ "show", cmd_show, "print posts by id: normalized, original bytes, or verified" },
	{ "media", cmd_media, "write a media file kept in the store, by its sha256" },
	{ "formats", cmd_formats, "list the input formats quire reads" },
	{ "events", cmd_events, "the event catalogue: list, show, apply, check" },
	{ "tag", cmd_tag, "add and remove a researcher's codes on the posts a query matches" },
	{ "compact", cmd_compact, "rewrite the store smaller: larger blocks, higher level, retweets by their original" },
	{ "facets", cmd_facets, "top hashtags, authors, media, events... of a query's posts" },
	{ "timeline", cmd_timeline, "posts per minute, hour, day or week: text, CSV, JSON, SVG chart" },
	{ "stats", cmd_stats, "what a corpus holds: posts, authors, time span, sizes, events, tags" },
	{ "serve", cmd_serve, "a search page for the browser and a JSON API, on HTTP" },
	{ "serve-shard", cmd_serve_shard, "serve a shard to federations: its index through Xapian's remote server, its store" },
	{ "shards", cmd_shards, "a federation of shards searched as one: list, add, remove, merge" },
	{ "check", cmd_check, "verify a corpus end to end; --repair makes the index match the store" },
	{ "help", cmd_help, "help on a command (quire help search: the query language)" },
	{ "version", cmd_version, "print versions" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: quire COMMAND [OPTIONS] [ARGS]\n\n" QUIRE_TAGLINE "\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'quire help COMMAND' or 'quire COMMAND -h' for a command's options.\n"
		     "exit status: " QUIRE_EXIT_STATUS "\n");
}

static const qr_command *lookup(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	/* For make install: the manual pages and the completion, made from
	 * the same tables as this help (not listed: not for users). */
	if (strcmp(argv[1], "--man-pages") == 0 && (argc == 3 || argc == 4))
		return qr_manual_pages(commands, NCOMMANDS, argv[2], argc == 4 ? argv[3] : "/usr/local/share/quire") ?
			       QR_EXIT_INTERNAL :
			       0;
	if (strcmp(argv[1], "--completion") == 0 && argc == 3 && strcmp(argv[2], "bash") == 0) {
		qr_manual_completion(commands, NCOMMANDS, stdout);
		return fflush(stdout) == 0 ? 0 : QR_EXIT_INTERNAL;
	}
	const qr_command *c = lookup(argv[1]);
	if (!c || c->run == cmd_help) {
		if (!c)
			qr_error("no command '%s'", argv[1]);
		usage(c ? stdout : stderr);
		return c ? 0 : QR_EXIT_USAGE;
	}
	char help_flag[] = "--help";
	char *args[] = { argv[1], help_flag, NULL };
	return c->run(2, args);
}

static int cmd_version(int argc, char **argv)
{
	(void)argc, (void)argv;
	printf("quire %s (xapian %s)\n", QUIRE_VERSION, xc_version_string());
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return QR_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	const qr_command *c = lookup(argv[1]);
	if (!c) {
		qr_error("no command '%s'", argv[1]);
		usage(stderr);
		return QR_EXIT_USAGE;
	}
	/* Named in the corpus lock (a second writer is told who holds it)
	 * and in the journal entries this command writes. */
	char what[64];
	snprintf(what, sizeof(what), "quire %s", c->name);
	qr_lock_set_command(what);
	return c->run(argc - 1, argv + 1);
}
