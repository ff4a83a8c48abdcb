/*
 * The system calls of the commit path, in one place, so that every failure
 * is reported the same way (naming the file and the error) and so that the
 * reliability tests can inject faults.
 *
 * Fault injection: QUIRE_FAULT="<op>:<n>:<errno name>[:persist]" makes the
 * n-th call (1-based) of <op> fail with that errno, once, or with :persist
 * that call and every later one.  <op> is one of write, fsync, rename,
 * commit (the Xapian commit), open, exchange (an atomic swap: EINVAL
 * stands for a file system without RENAME_EXCHANGE).  QUIRE_CRASH="<op>:<n>"
 * kills the process (SIGKILL) just before the n-th call of <op> is made.
 * QUIRE_FAULT_TRACE=<file> logs every call ("<op> <n>", "... fault <errno>"
 * when injected).  Only for tests.
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
	QR_IO_EXCHANGE,
	QR_IO_NOPS
};

/* QUIRE_PAUSE="<point>:<ms>": sleep that long when the named point of a
 * command is reached, so that a test can act at that moment.  Tests only. */
void qr_io_test_pause(const char *point);

/* Read QUIRE_FAULT and QUIRE_CRASH again, counts from zero (tests that
 * set them in a child process). */
void qr_io_faults_reset(void);

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
 * exist.  An "exchange" fault fails it. */
int qr_io_exchange(const char *a, const char *b, qr_buf *err);

/*
 * Put the complete directory `fresh` in the place of `target` (the same
 * parent directory, or at least the same file system) so that a crash at
 * any moment leaves a complete `target` or a state qr_io_swap_recover puts
 * right; `target` need not exist.  With RENAME_EXCHANGE the two swap in one
 * step and `fresh` then holds the old one, which is removed.  Without it
 * (NFS, CIFS, FUSE, older ZFS) the names say where everything is at each
 * step, each rename made durable before the next:
 *   1. fresh -> target.new    (the new one, complete: the intent)
 *   2. target -> target.old
 *   3. target.new -> target
 *   4. target.old is removed
 * So a `fresh` (or any scratch name) is never the only copy of anything.
 */
int qr_io_swap_dir(const char *fresh, const char *target, qr_buf *err);
/*
 * After a crash in qr_io_swap_dir: target.new is complete, so a swap that
 * wrote it is finished (steps 2 to 4); target.old is removed only once
 * target is in place; a target.old alone is put back.  Nothing that is the
 * only copy is ever removed.  *what (may be NULL) says what was done, ""
 * when nothing.  Needs the writer's lock.
 */
int qr_io_swap_recover(const char *target, qr_buf *what, qr_buf *err);
/* The directory a reader should open for target when a swap was cut short
 * (target, else target.new, else target.old), into out; false when none
 * exists. */
bool qr_io_swap_readable(const char *target, qr_buf *out);
/* Keep the bytes [at, end) of the file at path in keep (written whole and
 * synced), then cut path back to at and sync it: for tails that a crash
 * cut short, which are never simply thrown away. */
int qr_io_cut_keep(const char *path, uint64_t at, const char *keep, qr_buf *err);
/* rm -r: 0 when path is gone (or was never there). */
int qr_io_remove_tree(const char *path, qr_buf *err);

#endif
