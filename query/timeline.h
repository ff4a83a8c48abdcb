/*
 * Timelines: counts of posts per minute, hour, day or week in a time zone,
 * from the per-minute counts of a value-count match spy on QR_SLOT_MINUTE
 * (no document is loaded), with every bucket between the first and the
 * last, empty ones included.  And the SVG chart of one.
 */
#ifndef QR_TIMELINE_H
#define QR_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aggregate.h"
#include "buf.h"

enum qr_unit { QR_BY_MINUTE, QR_BY_HOUR, QR_BY_DAY, QR_BY_WEEK };

/* Most buckets a timeline may have (a year of hours, ~70 days of minutes). */
#define QR_MAX_BUCKETS 100000

typedef struct qr_buckets {
	int unit;                /* enum qr_unit */
	const char *tz;          /* IANA zone; "UTC" for UTC */
	int64_t *start;          /* UTC second each bucket starts, ascending */
	int *offset;             /* zone offset at that start, seconds */
	size_t n, alloc;
} qr_buckets;

/* The start of the bucket holding t, and the zone's offset there. */
bool qr_bucket_floor(int unit, const char *tz, int64_t t, int64_t *start, int *offset);
/* Every bucket from the one holding lo to the one holding hi.  false with
 * a message when there would be more than QR_MAX_BUCKETS. */
bool qr_buckets_span(qr_buckets *b, int unit, const char *tz, int64_t lo, int64_t hi, qr_buf *err);
/* Index of the bucket holding t, or (size_t)-1. */
size_t qr_buckets_find(const qr_buckets *b, int64_t t);
void qr_buckets_clear(qr_buckets *b);
/* The start of bucket i as ISO 8601 with its offset: "2020-06-03T14:00Z",
 * "2020-06-03T09:00-05:00" (seconds left out), into buf (>= 40 bytes). */
void qr_bucket_iso(const qr_buckets *b, size_t i, char *buf);
/* A short label: "14:05" (minute), "06-03 14h" (hour), "2020-06-03" (day),
 * "2020-06-01" (week), into buf (>= 40 bytes). */
void qr_bucket_label(const qr_buckets *b, size_t i, char *buf);
/* The local civil time of bucket i's start. */
void qr_bucket_civil(const qr_buckets *b, size_t i, int *year, int *month, int *day, int *hour, int *minute);

/* "YYYYMMDDHHMM" (UTC) back into seconds. */
bool qr_minute_parse(const char *s, size_t n, int64_t *t);

/* Add per-minute counts into per-bucket counts (count has b->n slots);
 * minutes outside every bucket are ignored. */
void qr_buckets_add(const qr_buckets *b, const qr_counts *minutes, uint64_t *count);

/* One line (or band) of a chart. */
typedef struct qr_series {
	char *name;
	uint64_t *count;         /* one per bucket */
	uint64_t total;
	bool other;              /* the posts with none of the values shown */
} qr_series;

typedef struct qr_chart {
	const char *title;       /* the query as typed ("" for all posts) */
	const char *subtitle;
	const char *note;        /* a second line under the subtitle, or NULL */
	const qr_buckets *b;
	const qr_series *series; /* series[0] is every post; then split values */
	size_t nseries;
	bool stacked;            /* split values drawn as stacked areas */
	const double *share;     /* per bucket (NAN: no posts), or NULL */
	const char *share_label;
} qr_chart;

/* An SVG 1.1 document of the chart, into out. */
void qr_chart_svg(const qr_chart *ch, qr_buf *out);

#endif
