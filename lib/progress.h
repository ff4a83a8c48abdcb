/*
 * Progress on a terminal: one line on stderr, redrawn a few times a second,
 * with records, bytes, rate and (when the total is known) an ETA.  Silent
 * when stderr is not a terminal.
 */
#ifndef QR_PROGRESS_H
#define QR_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct qr_progress {
	bool enabled;
	bool drawn;
	double start;
	double last;
	uint64_t total_bytes;   /* 0: unknown */
	const char *unit;       /* "records" */
} qr_progress;

double qr_now(void);
void qr_progress_init(qr_progress *p, uint64_t total_bytes, const char *unit);
void qr_progress_update(qr_progress *p, uint64_t items, uint64_t bytes);
/* Erase the line (before other messages, and at the end). */
void qr_progress_clear(qr_progress *p);

#endif
