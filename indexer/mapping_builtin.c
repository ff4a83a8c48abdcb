/*
 * The mappings shipped in schemas/mappings/, built into the binary so that
 * quire needs no data files at run time.  The assembler's .incbin reads
 * them at build time (the Makefile rebuilds this file when they change);
 * each ends with a NUL byte.
 */
#include <stddef.h>

#include "embed.h"

EMBED(qr_mapping_doc_crowdtangle, "schemas/mappings/crowdtangle.json");
EMBED(qr_mapping_doc_twarc_csv, "schemas/mappings/twarc-csv.json");

extern const char qr_mapping_doc_crowdtangle_start[], qr_mapping_doc_crowdtangle_end[];
extern const char qr_mapping_doc_twarc_csv_start[], qr_mapping_doc_twarc_csv_end[];

const char *const qr_mapping_builtin_docs[] = {
	qr_mapping_doc_crowdtangle_start,
	qr_mapping_doc_twarc_csv_start,
	NULL,
};
