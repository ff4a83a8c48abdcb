#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "text.h"

double qr_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void qr_progress_init(qr_progress *p, uint64_t total_bytes, const char *unit)
{
	const char *force = getenv("QUIRE_PROGRESS");
	p->enabled = force ? force[0] == '1' : isatty(STDERR_FILENO) == 1;
	p->drawn = false;
	p->start = p->last = qr_now();
	p->total_bytes = total_bytes;
	p->unit = unit;
}

static void add_bytes(qr_buf *b, double bytes)
{
	if (bytes >= 1e9)
		qr_buf_addf(b, "%.2f GB", bytes / 1e9);
	else
		qr_buf_addf(b, "%.1f MB", bytes / 1e6);
}

void qr_progress_update(qr_progress *p, uint64_t items, uint64_t bytes)
{
	if (!p->enabled)
		return;
	double now = qr_now();
	if (now - p->last < 0.2)
		return;
	p->last = now;
	double secs = now - p->start;
	qr_buf line = QR_BUF_INIT;
	qr_buf_adds(&line, "\r\033[K  ");
	qr_add_grouped(&line, items);
	qr_buf_addf(&line, " %s  ", p->unit);
	add_bytes(&line, (double)bytes);
	if (p->total_bytes) {
		qr_buf_adds(&line, " of ");
		add_bytes(&line, (double)p->total_bytes);
	}
	if (secs > 0.5) {
		qr_buf_addf(&line, "  %.0f %s/s  %.1f MB/s", (double)items / secs, p->unit, (double)bytes / secs / 1e6);
		if (p->total_bytes && bytes && bytes < p->total_bytes) {
			double eta = secs * (double)(p->total_bytes - bytes) / (double)bytes;
			qr_buf_addf(&line, "  ETA %d:%02d", (int)eta / 60, (int)eta % 60);
		}
	}
	fputs(line.buf, stderr);
	fflush(stderr);
	p->drawn = true;
	qr_buf_release(&line);
}

void qr_progress_clear(qr_progress *p)
{
	if (p->enabled && p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->drawn = false;
	}
}
