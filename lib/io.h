/*
 * The system calls of the commit path, in one place, so that every failure
 * is reported the same way (naming the file and the error) and so that the
 * reliability tests can inject faults.
 *
 * Fault injection: QUIRE_FAULT="<op>:<n>:<errno name>[:persist]" makes the
 * n-th call (1-based) of <op> fail with that errno, once, or with :persist
 * that call and every later one.  <op> is one of write, fsync, rename,
 * commit (the Xapian commit), open.  QUIRE_FAULT_TRACE=<file> logs every
 * call ("<op> <n>", "... fault <errno>" when injected).  Only for tests.
 */
#ifndef QR_IO_H
#define QR_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

enum qr_io_op {
	QR_IO_WRITE,
	QR_IO_FSYNC,
	QR_IO_RENAME,
	QR_IO_COMMIT,
	QR_IO_OPEN,
	QR_IO_NOPS
};

/* 0, or the errno an injected fault asks this call of op to fail with. */
int qr_io_fault(enum qr_io_op op);

/* Each returns 0 or QR_IO with "<what> '<path>': <strerror>" in err. */
int qr_io_pwrite_all(int fd, const void *data, size_t n, uint64_t offset, const char *path, qr_buf *err);
int qr_io_write_all(int fd, const void *data, size_t n, const char *path, qr_buf *err);
int qr_io_fsync(int fd, const char *path, qr_buf *err);
/* fsync the directory that holds path (dir itself when is_dir). */
int qr_io_fsync_dir(const char *dir, qr_buf *err);
int qr_io_rename(const char *from, const char *to, qr_buf *err);
int qr_io_open(const char *path, int flags, int mode, int *fd, qr_buf *err);
int qr_io_pread_all(int fd, void *data, size_t n, uint64_t offset, const char *path, qr_buf *err);

/* Write a whole small file atomically: temp file, fsync, rename, fsync dir. */
int qr_io_write_file_atomic(const char *path, const void *data, size_t n, qr_buf *err);
/* Append one line (with fsync) to a log file, creating it when missing. */
int qr_io_append_line(const char *path, const char *line, size_t n, qr_buf *err);
/* Read a whole file (at most max bytes) into out. */
int qr_io_read_file(const char *path, size_t max, qr_buf *out, qr_buf *err);

/* mkdir -p for one level; 0 when it exists. */
int qr_io_mkdir(const char *path, qr_buf *err);
/* Swap two paths in one atomic step (renameat2 RENAME_EXCHANGE): both must
 * exist.  A "rename" fault fails it. */
int qr_io_exchange(const char *a, const char *b, qr_buf *err);
/* rm -r: 0 when path is gone (or was never there). */
int qr_io_remove_tree(const char *path, qr_buf *err);

#endif
