/* quire shards merge: one ordinary corpus of a federation's shards (see
 * merge.c for the steps and docs/SCALE.md). */
#ifndef QR_MERGE_H
#define QR_MERGE_H

/* Merge the shards of the federation at fed_dir into a new corpus at out
 * (which must not exist); prints a summary; returns an exit code. */
int qr_merge_command(const char *fed_dir, const char *out);

#endif
