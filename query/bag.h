/*
 * BagIt bags (RFC 8493, BagIt 1.0): writing one as a directory, packing it
 * into a .zip or .tar.gz (libarchive), unpacking one, and verifying one.
 * What goes into the payload is the export's business (export.h); this
 * knows only files, checksums and the tag files.
 *
 * Writing: every payload file goes through a FILE* that hashes what is
 * written (sha256 and sha512) and counts it, so nothing is read twice; at
 * the end come bagit.txt, bag-info.txt (Payload-Oxum and Bag-Size added
 * here), manifest-sha256.txt and manifest-sha512.txt (lines in byte order
 * of the path) and the tag manifests.  Nothing here puts a time in a file
 * but the caller's Bagging-Date, so the same payload gives the same bytes.
 */
#ifndef QR_BAG_H
#define QR_BAG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "post.h"

typedef struct qr_bag qr_bag;

/* Make dir (it must not exist) with its data/ folder. */
int qr_bag_create(const char *dir, qr_bag **out, qr_buf *err);
void qr_bag_free(qr_bag *b);
const char *qr_bag_dir(const qr_bag *b);

/* mkdir -p of the folders above rel ("data/ids/x.txt"), inside dir. */
int qr_bag_make_parents(const char *dir, const char *rel, qr_buf *err);

/* A payload file being written: write to f. */
typedef struct qr_bag_file {
	FILE *f;
	struct qr_bag_stream *s;
} qr_bag_file;

/* A payload file, `rel` under data/ ("ids/twitter.txt"; folders made as
 * needed), open for writing through the hashing stream; NULL with err set
 * when it cannot be made.  Close it with qr_bag_close. */
qr_bag_file *qr_bag_open(qr_bag *b, const char *rel, qr_buf *err);
/* Close a payload file (NULL is fine); its checksums are kept for the
 * manifests.  A failed write anywhere in it fails here. */
int qr_bag_close(qr_bag *b, qr_bag_file *bf, qr_buf *err);
/* A whole small payload file at once. */
int qr_bag_write(qr_bag *b, const char *rel, const void *data, size_t len, qr_buf *err);
/* The checksum (hex) and size of a payload file closed before; false when
 * there is none of that name.  For datapackage.json's bytes and hash. */
bool qr_bag_file_sum(const qr_bag *b, const char *rel, char sha256[65], uint64_t *size);
/* Bytes and files of the payload so far (Payload-Oxum). */
void qr_bag_oxum(const qr_bag *b, uint64_t *bytes, uint64_t *files);

/* Write the tag files: bagit.txt, bag-info.txt with `info` (labels and
 * values in that order, Payload-Oxum and Bag-Size appended), the payload
 * manifests and the tag manifests. */
int qr_bag_finish(qr_bag *b, const qr_kvv *info, qr_buf *err);

/* ---- serialized bags ---- */

enum qr_bag_kind { QR_BAG_DIR, QR_BAG_ZIP, QR_BAG_TGZ };

/* What a path names by its ending: .zip, .tar.gz or .tgz, else a folder. */
int qr_bag_kind_of(const char *path);
/* The bag's name inside its archive: the file name without its ending. */
void qr_bag_base_name(const char *path, qr_buf *out);

/* Pack the bag in dir into `out` (zip or tar.gz): one top folder named
 * `name`, the tag files first and then data/ in byte order, every member
 * with the time `mtime`, mode 0644 (folders 0755) and no owner, so the
 * same bag gives the same archive. */
int qr_bag_pack(const char *dir, const char *name, const char *out, int kind, int64_t mtime, qr_buf *err);

/* Unpack an archive into dir (made here; it must not exist), refusing
 * links, devices, absolute paths and "..", and past `max_bytes`.  *root
 * gets the folder that holds bagit.txt (dir itself or its one top
 * folder). */
int qr_bag_unpack(const char *archive, const char *dir, uint64_t max_bytes, qr_buf *root, qr_buf *err);
/* Does the archive hold bagit.txt at its top or in its one top folder,
 * among its first members?  (quire writes it first.) */
bool qr_bag_sniff_archive(const char *archive);
/* Does the folder hold bagit.txt? */
bool qr_bag_sniff_dir(const char *dir);

/* ---- verifying ---- */

/* A relative path inside a bag: not absolute, no empty, "." or ".."
 * part. */
bool qr_bag_safe_path(const char *rel);

/* Called once per problem: the file (relative to the bag) and why. */
typedef void (*qr_bag_problem_fn)(void *ctx, const char *file, const char *why);

/*
 * Verify the bag in dir: bagit.txt; every payload manifest (each file
 * listed is there with that checksum, each file under data/ is listed);
 * Payload-Oxum; every tag manifest.  When check_originals, also every
 * record of data/originals/ against the sha256 in its index.  Returns the
 * number of problems (each reported), or -1 when dir is not a bag at all.
 */
long qr_bag_verify(const char *dir, bool check_originals, qr_bag_problem_fn fn, void *ctx);

/* One record of data/originals/: the zstd frame of `length` bytes at
 * `offset` in the file fd, decompressed with dctx (a ZSTD_DCtx *) into
 * record, at most 1 GiB, and checked against sha256 (hex).  False with
 * why ("... at byte N"; the caller names the file). */
bool qr_bag_original(int fd, int64_t offset, int64_t length, const char *sha256, void *dctx, qr_buf *frame,
		     qr_buf *record, qr_buf *why);

/* A tag file's labels (bag-info.txt) into kv (continuation lines joined
 * with a space); false when it cannot be read. */
bool qr_bag_read_info(const char *path, qr_kvv *kv);

#endif
