/*
 * The corpus lock: one writer at a time, for everything that writes.
 *
 * A lock file at the corpus root (quire.lock), locked with flock(2) for the
 * life of the writing process.  The file is never renamed or removed, so
 * that every writer locks the same inode whatever happens to index/ or
 * store/ meanwhile (an index swapped in, an index moved aside by a repair);
 * the kernel drops the lock when its holder dies, so a killed writer leaves
 * no stale lock.  Readers never take it.
 *
 * The lock is taken without waiting: a second writer is refused at once
 * with QR_LOCKED and a message naming the holder (its command, process id
 * and since when: written into the file by the holder).
 *
 * Within one process the lock is counted: a command that holds it (quire
 * check --repair, from the first look at the index to the end) can open and
 * close the corpus as often as it needs without letting go of it.
 */
#ifndef QR_LOCK_H
#define QR_LOCK_H

#include "buf.h"

#define QR_LOCK_FILE "quire.lock"

typedef struct qr_lock qr_lock;

/* Take the lock of the corpus at dir (which must exist) for `what` (the
 * command, for the message a second writer gets).  QR_LOCKED when another
 * process holds it. */
int qr_lock_acquire(const char *dir, const char *what, qr_lock **out, qr_buf *err);
/* Let go of it (when this was the last hold in this process); NULL is
 * fine. */
void qr_lock_release(qr_lock *l);

/* The command named by qr_lock_acquire's callers when they do not say
 * (set once by main: "quire ingest"). */
void qr_lock_set_command(const char *what);
const char *qr_lock_command(void);

#endif
