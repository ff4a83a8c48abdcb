#include "shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "status.h"
#include "timeutil.h"

#define MAX_SHARDS 4096
#define OPEN_LO INT32_MIN
#define OPEN_HI INT32_MAX

const char *qr_shard_kind_name(int kind)
{
	switch (kind) {
	case QR_SHARD_HASH: return "hash";
	case QR_SHARD_MONTH: return "month";
	default: return "none";
	}
}

void qr_shard_rule_clear(qr_shard_rule *r)
{
	if (!r)
		return;
	free(r->ranges);
	free(r->place);
	memset(r, 0, sizeof(*r));
}

void qr_shard_rule_copy(qr_shard_rule *dst, const qr_shard_rule *src)
{
	*dst = *src;
	dst->ranges = NULL;
	if (src->nranges) {
		dst->ranges = qr_calloc(src->nranges, sizeof(*dst->ranges));
		memcpy(dst->ranges, src->ranges, src->nranges * sizeof(*dst->ranges));
	}
	dst->place = src->place ? qr_strdup(src->place) : NULL;
}

/* "YYYY-MM" into a month number; false when it is not one. */
static bool parse_month(const char *s, size_t len, int32_t *out)
{
	if (len != 7 || s[4] != '-')
		return false;
	for (size_t i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return false;
	int year = atoi(s), month = (s[5] - '0') * 10 + (s[6] - '0');
	if (month < 1 || month > 12)
		return false;
	*out = year * 12 + month - 1;
	return true;
}

static void format_month(qr_buf *out, int32_t m)
{
	qr_buf_addf(out, "%04d-%02d", (int)(m / 12), (int)(m % 12) + 1);
}

static int cmp_range(const void *a, const void *b)
{
	const qr_month_range *x = a, *y = b;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

static int parse_months(const char *place, qr_shard_rule *r, qr_buf *err)
{
	size_t alloc = 0;
	for (const char *p = place; ; ) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *dots = NULL;
		for (size_t i = 0; i + 1 < len; i++)
			if (p[i] == '.' && p[i + 1] == '.') {
				dots = p + i;
				break;
			}
		qr_month_range m;
		if (len == 7 && !dots && parse_month(p, len, &m.lo)) {
			m.hi = m.lo;
		} else if (len == 7 && strncmp(p, "undated", 7) == 0) {
			r->undated = true;
			goto next;
		} else if (dots) {
			size_t a = (size_t)(dots - p), b = len - a - 2;
			m.lo = OPEN_LO;
			m.hi = OPEN_HI;
			if ((a && !parse_month(p, a, &m.lo)) || (b && !parse_month(dots + 2, b, &m.hi)) || (!a && !b) ||
			    m.lo > m.hi)
				goto bad;
		} else {
			goto bad;
		}
		r->ranges = qr_grow_array(r->ranges, sizeof(*r->ranges), r->nranges + 1, &alloc);
		r->ranges[r->nranges++] = m;
	next:
		if (!comma)
			break;
		p = comma + 1;
		continue;
	bad:
		qr_buf_setf(err, "a month shard's place is months (2020-06), ranges (2020-01..2020-06, ..2019-12, "
				 "2021-01..) and 'undated', separated by commas: '%.*s' is none of them",
			    (int)len, p);
		return QR_USAGE;
	}
	if (!r->nranges && !r->undated) {
		qr_buf_setf(err, "a month shard's place names no month");
		return QR_USAGE;
	}
	/* Sorted and merged, so that two ways of writing the same months are
	 * the same place. */
	qsort(r->ranges, r->nranges, sizeof(*r->ranges), cmp_range);
	size_t n = 0;
	for (size_t i = 0; i < r->nranges; i++) {
		if (n && (r->ranges[n - 1].hi == OPEN_HI || r->ranges[i].lo <= r->ranges[n - 1].hi + 1)) {
			if (r->ranges[i].hi > r->ranges[n - 1].hi)
				r->ranges[n - 1].hi = r->ranges[i].hi;
		} else {
			r->ranges[n++] = r->ranges[i];
		}
	}
	r->nranges = n;
	qr_buf canon = QR_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		const qr_month_range *m = &r->ranges[i];
		if (i)
			qr_buf_addch(&canon, ',');
		if (m->lo == m->hi) {
			format_month(&canon, m->lo);
			continue;
		}
		if (m->lo != OPEN_LO)
			format_month(&canon, m->lo);
		qr_buf_adds(&canon, "..");
		if (m->hi != OPEN_HI)
			format_month(&canon, m->hi);
	}
	if (r->undated)
		qr_buf_adds(&canon, n ? ",undated" : "undated");
	r->place = qr_buf_detach(&canon, NULL);
	return 0;
}

int qr_shard_rule_parse(const char *by, const char *place, qr_shard_rule *r, qr_buf *err)
{
	memset(r, 0, sizeof(*r));
	if (!by || strcmp(by, "hash") == 0) {
		unsigned long k = 0, n = 0;
		char *end = NULL;
		if (place && place[0] >= '0' && place[0] <= '9')
			k = strtoul(place, &end, 10);
		if (!end || *end != '/' || end[1] < '0' || end[1] > '9' || (n = strtoul(end + 1, &end, 10), *end) ||
		    k < 1 || n > MAX_SHARDS || k > n) {
			qr_buf_setf(err, "a shard by hash is K/N, shard K of N (1 <= K <= N <= %d), not '%s'", MAX_SHARDS,
				    place ? place : "");
			return QR_USAGE;
		}
		r->kind = QR_SHARD_HASH;
		r->k = (uint32_t)k;
		r->n = (uint32_t)n;
		qr_buf canon = QR_BUF_INIT;
		qr_buf_addf(&canon, "%lu/%lu", k, n);
		r->place = qr_buf_detach(&canon, NULL);
		return 0;
	}
	if (strcmp(by, "month") == 0) {
		r->kind = QR_SHARD_MONTH;
		int st = parse_months(place ? place : "", r, err);
		if (st)
			qr_shard_rule_clear(r);
		return st;
	}
	qr_buf_setf(err, "shards are by hash or by month, not '%s'", by);
	return QR_USAGE;
}

uint32_t qr_shard_of(const char *post_id, uint32_t n)
{
	uint8_t sum[QR_SHA256_LEN];
	uint64_t x = 0;
	qr_sha256(post_id, strlen(post_id), sum);
	for (int i = 0; i < 8; i++)
		x = (x << 8) | sum[i];
	return (uint32_t)(x % n) + 1;
}

bool qr_shard_keeps(const qr_shard_rule *r, const char *post_id, int64_t created)
{
	if (r->kind == QR_SHARD_HASH)
		return qr_shard_of(post_id, r->n) == r->k;
	if (r->kind != QR_SHARD_MONTH)
		return true;
	if (created == QR_TIME_UNKNOWN)
		return r->undated;
	qr_civil c;
	qr_time_to_civil(created, &c);
	int32_t m = (int32_t)c.year * 12 + c.month - 1;
	for (size_t i = 0; i < r->nranges; i++)
		if (m >= r->ranges[i].lo && m <= r->ranges[i].hi)
			return true;
	return false;
}

bool qr_shard_rule_equal(const qr_shard_rule *a, const qr_shard_rule *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == QR_SHARD_NONE)
		return true;
	return strcmp(a->place, b->place) == 0;
}

bool qr_shard_rules_overlap(const qr_shard_rule *a, const qr_shard_rule *b)
{
	if (a->kind == QR_SHARD_NONE || b->kind == QR_SHARD_NONE)
		return true;
	if (a->kind != b->kind)
		return true;
	if (a->kind == QR_SHARD_HASH)
		return a->n != b->n || a->k == b->k;
	if (a->undated && b->undated)
		return true;
	for (size_t i = 0; i < a->nranges; i++)
		for (size_t j = 0; j < b->nranges; j++)
			if (a->ranges[i].lo <= b->ranges[j].hi && b->ranges[j].lo <= a->ranges[i].hi)
				return true;
	return false;
}
