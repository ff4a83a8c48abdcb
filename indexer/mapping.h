/*
 * Mappings (schemas/mapping.schema.json): how the columns of a CSV file or
 * the paths of JSON lines become a normalized post.  quire ships mappings
 * for CrowdTangle exports and twarc-csv output (schemas/mappings/, built
 * into the binary and chosen by the columns a file has); `quire ingest
 * --mapping FILE` adds one of the user's, tried first.
 *
 * A record read through a mapping names the mapping in its provenance
 * (name and sha256 of the mapping document).
 */
#ifndef QR_MAPPING_H
#define QR_MAPPING_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "format.h"
#include "json.h"

typedef struct qr_mapping qr_mapping;

/* Read a mapping document; QR_BAD_INPUT with what is wrong and where in
 * `why`.  `origin` names it in messages (a path). */
int qr_mapping_parse(const char *json, size_t n, const char *origin, qr_mapping **out, qr_buf *why);
int qr_mapping_load(const char *path, qr_mapping **out, qr_buf *why);
void qr_mapping_free(qr_mapping *m);

const char *qr_mapping_name(const qr_mapping *m);
const char *qr_mapping_description(const qr_mapping *m);
/* "csv" or "jsonl". */
const char *qr_mapping_input(const qr_mapping *m);
/* The CSV separator it asks for, or 0 to detect it. */
char qr_mapping_separator(const qr_mapping *m);

/* The user's mapping (--mapping), tried before the shipped ones; the
 * mapping is owned by the caller and must outlive its use.  NULL clears. */
void qr_mapping_use(const qr_mapping *m);
const qr_mapping *qr_mapping_user(void);

/* The shipped mappings, in order; NULL past the last. */
const qr_mapping *qr_mapping_builtin(size_t i);

/* The mapping for a CSV header (the user's first, then the shipped ones):
 * the first whose required columns are all there; NULL when none. */
const qr_mapping *qr_mapping_for_columns(char *const *names, size_t n);
/* The user's JSON-lines mapping when an object has its required paths. */
const qr_mapping *qr_mapping_for_json(const cJSON *obj);
/* Whether the first bytes of a JSON-lines input fit the user's mapping. */
bool qr_mapping_json_head(const char *head, size_t n);

/* One CSV row (names and values, n of each) into one post. */
int qr_mapping_apply_row(const qr_mapping *m, char *const *names, char *const *values, size_t n, qr_posts *out,
			 qr_buf *why);
/* One JSON object into one post. */
int qr_mapping_apply_json(const qr_mapping *m, const cJSON *obj, qr_posts *out, qr_buf *why);

#endif
