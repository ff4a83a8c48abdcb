/*
 * The manual pages and the bash completion, made from the tables the help
 * is made of: the command table (quire.c), each command's option table and
 * help text (read through qr_cli_help_hook), the query parser's fields and
 * the names of the printers and readers.  Nothing is written twice, so the
 * manual cannot say other than `quire help` (make install uses these).
 */
#ifndef QR_MANUAL_H
#define QR_MANUAL_H

#include <stddef.h>
#include <stdio.h>

#include "version.h"

#define QUIRE_VERSION QR_VERSION
#define QUIRE_TAGLINE "Keep social-media post archives byte-exact, search them, cite what you find."
#define QUIRE_EXIT_STATUS                                                                                  \
	"0 success, 1 no hits, 2 usage, 3 bad input or damaged corpus, 4 corpus locked, 5 internal error"

/* One entry of the command table. */
typedef struct qr_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} qr_command;

/* Write quire.1 and quire-COMMAND.1 for every command with options into
 * dir (which must exist); datadir is where make install puts the schemas
 * and the event catalogue, for the FILES section.  0, or 1 with a message
 * printed. */
int qr_manual_pages(const qr_command *cmds, size_t n, const char *dir, const char *datadir);

/* The bash completion script: commands, their options, the values of
 * --format and of options whose help lists them, the query prefixes and
 * their values. */
void qr_manual_completion(const qr_command *cmds, size_t n, FILE *out);

#endif
