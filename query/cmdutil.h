/*
 * What the query-side commands share: opening the corpus, finding posts by
 * the ids people type, building the query with a readable parse error,
 * deciding on colour, and running a query through a printer.
 */
#ifndef QR_CMDUTIL_H
#define QR_CMDUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "corpus.h"
#include "printer.h"
#include "query.h"

/* Open a corpus for reading; on failure print why and return the exit
 * code (0 on success). */
int qr_cmd_open_corpus(const char *dir, qr_corpus **c);

/* A post id as typed: platform:native, or a native id tried on each of
 * the corpus's platforms.  QR_NOT_FOUND when there is none. */
int qr_cmd_find_post(qr_corpus *c, const char *id, xc_docid *docid);

/* --color: "always", "never" or "auto" (a terminal, and NO_COLOR unset or
 * empty). */
bool qr_cmd_use_color(const char *when, int fd);
/* Check --color's value; false when it is none of the three. */
bool qr_cmd_color_valid(const char *when);

/* Join the operands into one query text. */
void qr_cmd_join(qr_buf *out, int argc, char **argv);

/* Build the query; on failure print the error with a caret under the place
 * and return the exit code (0 on success). */
int qr_cmd_build_query(qr_corpus *c, const char *text, const qr_query_opts *o, xc_query **q);

/* Report a failed get_mset (a wildcard past its bound is a usage error);
 * returns the exit code. */
int qr_cmd_search_failed(xc_status x, const char *why);

#endif
