/*
 * One status enum for libquire.  Functions return a qr_status; the detailed
 * message lives on the handle they were called on (or in a qr_buf the caller
 * passed).  The command line maps statuses to exit codes with
 * qr_status_exit_code().
 */
#ifndef QR_STATUS_H
#define QR_STATUS_H

typedef enum qr_status {
	QR_OK = 0,
	QR_END,            /* no more items (not an error) */
	QR_NOT_FOUND,      /* no such post, record or key */
	QR_SKIP,           /* input holds nothing to keep here (counted, not an error) */
	QR_USAGE,          /* the caller asked for something impossible */
	QR_BAD_INPUT,      /* an input record or file is malformed */
	QR_DAMAGED,        /* the corpus on disk is damaged */
	QR_LOCKED,         /* another writer holds the corpus */
	QR_IO,             /* a system call failed */
	QR_NOMEM,
	QR_LIMIT,          /* a configured cap was reached */
	QR_INTERNAL
} qr_status;

const char *qr_status_string(qr_status st);

/* Exit codes (DESIGN.md): 0 success, 1 no hits, 2 usage, 3 bad input or
 * damaged corpus, 4 locked, 5 internal. */
enum {
	QR_EXIT_OK = 0,
	QR_EXIT_NO_HITS = 1,
	QR_EXIT_USAGE = 2,
	QR_EXIT_DAMAGED = 3,
	QR_EXIT_LOCKED = 4,
	QR_EXIT_INTERNAL = 5
};

int qr_status_exit_code(qr_status st);

#endif
