#include "timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

static const int64_t unit_seconds[] = { 60, 3600, 86400, 7 * 86400 };

static bool is_utc(const char *tz)
{
	return !tz || strcmp(tz, "UTC") == 0 || strcmp(tz, "Z") == 0;
}

/*
 * The zone's offset at t.  Reading the tz database costs a switch of the
 * process's zone, and the minutes of a timeline come in time order, so the
 * last UTC hour is remembered when the offset is the same at both its
 * ends (offsets change on the hour or half hour, nearly always).
 */
static bool offset_at(const char *tz, int64_t t, int *off)
{
	/* Per thread: quire serve draws timelines on several. */
	static _Thread_local char zone[256];
	static _Thread_local int64_t hour = INT64_MIN;
	static _Thread_local int hour_off;
	if (is_utc(tz)) {
		*off = 0;
		return true;
	}
	int64_t h = t - ((t % 3600) + 3600) % 3600;
	if (h == hour && strcmp(zone, tz) == 0) {
		*off = hour_off;
		return true;
	}
	int a, b;
	if (!qr_tz_offset(tz, h, &a) || !qr_tz_offset(tz, h + 3599, &b))
		return false;
	if (a == b && strlen(tz) < sizeof(zone)) {
		snprintf(zone, sizeof(zone), "%s", tz);
		hour = h;
		hour_off = a;
		*off = a;
		return true;
	}
	return qr_tz_offset(tz, t, off);
}

static int64_t floor_mod(int64_t a, int64_t m)
{
	int64_t r = a % m;
	return r < 0 ? r + m : r;
}

bool qr_bucket_floor(int unit, const char *tz, int64_t t, int64_t *start, int *offset)
{
	int off;
	if (!offset_at(tz, t, &off))
		return false;
	if (unit == QR_BY_MINUTE || unit == QR_BY_HOUR) {
		int64_t s = t - floor_mod(t + off, unit_seconds[unit]);
		*start = s;
		return offset_at(tz, s, offset);
	}
	qr_civil c;
	int64_t day;
	qr_time_to_civil(t + off, &c);
	c.hour = c.minute = c.second = 0;
	if (!qr_time_from_civil(&c, &day))
		return false;
	if (unit == QR_BY_WEEK) {
		/* ISO weeks start on Monday. */
		day -= (int64_t)((c.weekday + 6) % 7) * 86400;
		qr_time_to_civil(day, &c);
	}
	if (is_utc(tz)) {
		*start = day;
		*offset = 0;
		return true;
	}
	if (!qr_tz_to_utc(tz, &c, start))
		return false;
	/* A zone whose midnight is skipped by a change of offset: the day
	 * starts at the first moment that exists. */
	if (*start > t)
		*start = t - floor_mod(t + off, 3600);
	return offset_at(tz, *start, offset);
}

static bool next_start(const qr_buckets *b, int64_t s, int64_t *next, int *off)
{
	int64_t size = unit_seconds[b->unit];
	/* Half a bucket past the end of this one is inside the next one
	 * however the zone's offset changes (days of 23 or 25 hours). */
	for (int64_t probe = size + size / 2; probe <= 3 * size; probe += size / 2) {
		if (!qr_bucket_floor(b->unit, b->tz, s + probe, next, off))
			return false;
		if (*next > s)
			return true;
	}
	return false;
}

static void push(qr_buckets *b, int64_t s, int off)
{
	if (b->n == b->alloc) {
		b->alloc = b->alloc ? b->alloc * 2 : 64;
		b->start = qr_realloc(b->start, b->alloc * sizeof(*b->start));
		b->offset = qr_realloc(b->offset, b->alloc * sizeof(*b->offset));
	}
	b->start[b->n] = s;
	b->offset[b->n] = off;
	b->n++;
}

bool qr_buckets_span(qr_buckets *b, int unit, const char *tz, int64_t lo, int64_t hi, qr_buf *err)
{
	int64_t s, last;
	int off, last_off;
	b->unit = unit;
	b->tz = is_utc(tz) ? "UTC" : tz;
	b->n = 0;
	if (!qr_bucket_floor(unit, b->tz, lo, &s, &off) || !qr_bucket_floor(unit, b->tz, hi, &last, &last_off)) {
		qr_buf_setf(err, "cannot read the time zone '%s'", b->tz);
		return false;
	}
	for (;;) {
		if (b->n >= QR_MAX_BUCKETS) {
			qr_buf_setf(err, "the timeline would have more than %d buckets: use a longer one (--by hour, day "
					 "or week) or a shorter time range",
				    QR_MAX_BUCKETS);
			return false;
		}
		push(b, s, off);
		if (s >= last)
			return true;
		if (!next_start(b, s, &s, &off)) {
			qr_buf_setf(err, "cannot step through the time zone '%s'", b->tz);
			return false;
		}
	}
}

size_t qr_buckets_find(const qr_buckets *b, int64_t t)
{
	int64_t s;
	int off;
	if (!b->n || !qr_bucket_floor(b->unit, b->tz, t, &s, &off))
		return (size_t)-1;
	size_t lo = 0, hi = b->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->start[mid] < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < b->n && b->start[lo] == s ? lo : (size_t)-1;
}

void qr_buckets_clear(qr_buckets *b)
{
	free(b->start);
	free(b->offset);
	memset(b, 0, sizeof(*b));
}

void qr_bucket_civil(const qr_buckets *b, size_t i, int *year, int *month, int *day, int *hour, int *minute)
{
	qr_civil c;
	qr_time_to_civil(b->start[i] + b->offset[i], &c);
	*year = c.year;
	*month = c.month;
	*day = c.day;
	*hour = c.hour;
	*minute = c.minute;
}

void qr_bucket_iso(const qr_buckets *b, size_t i, char *buf)
{
	int y, mo, d, h, mi;
	qr_bucket_civil(b, i, &y, &mo, &d, &h, &mi);
	int off = b->offset[i];
	if (strcmp(b->tz, "UTC") == 0) {
		snprintf(buf, 40, "%04d-%02d-%02dT%02d:%02dZ", y, mo, d, h, mi);
		return;
	}
	int a = off < 0 ? -off : off;
	snprintf(buf, 40, "%04d-%02d-%02dT%02d:%02d%c%02d:%02d", y, mo, d, h, mi, off < 0 ? '-' : '+', a / 3600,
		 a / 60 % 60);
}

void qr_bucket_label(const qr_buckets *b, size_t i, char *buf)
{
	int y, mo, d, h, mi;
	qr_bucket_civil(b, i, &y, &mo, &d, &h, &mi);
	switch (b->unit) {
	case QR_BY_MINUTE:
		snprintf(buf, 40, "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi);
		break;
	case QR_BY_HOUR:
		snprintf(buf, 40, "%04d-%02d-%02d %02d:00", y, mo, d, h);
		break;
	default:
		snprintf(buf, 40, "%04d-%02d-%02d", y, mo, d);
		break;
	}
}

bool qr_minute_parse(const char *s, size_t n, int64_t *t)
{
	if (n != 12)
		return false;
	int v[5] = { 0 };
	static const int width[5] = { 4, 2, 2, 2, 2 };
	size_t k = 0;
	for (int f = 0; f < 5; f++)
		for (int j = 0; j < width[f]; j++, k++) {
			if (s[k] < '0' || s[k] > '9')
				return false;
			v[f] = v[f] * 10 + s[k] - '0';
		}
	qr_civil c = { v[0], v[1], v[2], v[3], v[4], 0, 0 };
	return qr_time_from_civil(&c, t);
}

void qr_buckets_add(const qr_buckets *b, const qr_counts *minutes, uint64_t *count)
{
	for (size_t i = 0; i < minutes->n; i++) {
		int64_t t;
		const char *v = minutes->v[i].value;
		if (!qr_minute_parse(v, strlen(v), &t))
			continue;
		size_t k = qr_buckets_find(b, t);
		if (k != (size_t)-1)
			count[k] += minutes->v[i].count;
	}
}
