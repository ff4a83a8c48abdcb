/*
 * Times are int64 seconds since 1970-01-01T00:00:00Z.  Conversions use
 * proleptic Gregorian arithmetic (no dependence on the process's zone);
 * named zones go through the system's tz database.
 */
#ifndef QR_TIMEUTIL_H
#define QR_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#define QR_TIME_UNKNOWN INT64_MIN

typedef struct qr_civil {
	int year, month, day;       /* month 1-12 */
	int hour, minute, second;
	int weekday;                /* 0 = Sunday (output only) */
} qr_civil;

bool qr_time_from_civil(const qr_civil *c, int64_t *t);
void qr_time_to_civil(int64_t t, qr_civil *c);

/* "Wed Jun 03 14:02:11 +0000 2020" (Twitter API v1.1). */
bool qr_time_parse_twitter(const char *s, int64_t *t);
/* ISO 8601 / RFC 3339: date, date and time, optional fraction, Z or
 * +hh:mm / +hhmm; a time without a zone is taken as UTC. */
bool qr_time_parse_iso(const char *s, int64_t *t);
/* "2020-06-03T14:02:11Z" into buf (at least 32 bytes). */
void qr_time_format_iso(int64_t t, char *buf);

/* Offset from UTC, in seconds, of a named zone ("Europe/Berlin", "UTC") at
 * time t; false when the zone is unknown. */
bool qr_tz_offset(const char *zone, int64_t t, int *offset);
/* The UTC time of a wall-clock time in a named zone. */
bool qr_tz_to_utc(const char *zone, const qr_civil *local, int64_t *t);
/* True when the zone names a tz database entry. */
bool qr_tz_valid(const char *zone);

#endif
