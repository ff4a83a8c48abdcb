/*
 * Command-line plumbing shared by every subcommand: an option table from
 * which both getopt_long's table and the -h text are made, the error
 * message format of DESIGN.md, and the corpus location.
 */
#ifndef QR_CLI_H
#define QR_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"

typedef struct qr_option {
	const char *name;      /* long name, without -- */
	int short_name;        /* 0 for none */
	const char *arg;       /* NULL: a flag; else the argument's name */
	const char *help;
} qr_option;

typedef struct qr_command_help {
	const char *name;      /* "search" */
	const char *usage;     /* "[OPTIONS] QUERY..." */
	const char *summary;   /* one line */
	const char *details;   /* paragraphs, may be NULL */
	const char *examples;  /* lines, may be NULL */
	const qr_option *options;   /* terminated by a zero entry */
} qr_command_help;

/* Parse argv with the table.  For each option seen, fn(ctx, name, arg) is
 * called (name is the long name); it returns 0 or an exit code.  On return
 * *first_arg is the index of the first operand.  -h/--help prints help and
 * returns -1.  Usage errors print a message and return QR_EXIT_USAGE. */
int qr_cli_parse(const qr_command_help *help, int argc, char **argv, int (*fn)(void *ctx, const char *name, const char *arg),
		 void *ctx, int *first_arg);
void qr_cli_print_help(const qr_command_help *help, FILE *out);
/* When set, -h hands the command's table to this function instead of
 * printing it: the manual pages and the shell completion are made from the
 * same tables as the help (`quire help --man-pages`). */
extern void (*qr_cli_help_hook)(const qr_command_help *help, void *ctx);
extern void *qr_cli_help_ctx;

/* "quire: <what>: <why>" with control characters escaped, on stderr. */
void qr_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void qr_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: message, then "try 'quire CMD -h'"; returns QR_EXIT_USAGE. */
int qr_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Until called again with NULL, the calling thread's messages (errors,
 * warnings, usage errors without their "try" line) are appended to into,
 * one a line, without "quire: ", instead of going to stderr: quire serve
 * runs the commands' code and answers with what they would have said. */
void qr_cli_capture(qr_buf *into);

/* The corpus directory: --corpus, else $QUIRE_CORPUS, else ./quire-corpus. */
const char *qr_cli_corpus(const char *given);

/* Parse a non-negative integer option; false (with a message) otherwise. */
bool qr_cli_uint(const char *cmd, const char *opt, const char *arg, unsigned long long max, unsigned long long *out);

#endif
