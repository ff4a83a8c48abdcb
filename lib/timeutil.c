#include "timeutil.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

bool qr_time_from_civil(const qr_civil *c, int64_t *t)
{
	if (c->year < 1 || c->year > 9999 || c->month < 1 || c->month > 12 || c->day < 1 ||
	    c->day > days_in_month(c->year, c->month) || c->hour < 0 || c->hour > 23 || c->minute < 0 ||
	    c->minute > 59 || c->second < 0 || c->second > 60)
		return false;
	*t = days_from_civil(c->year, c->month, c->day) * 86400 + c->hour * 3600 + c->minute * 60 + c->second;
	return true;
}

void qr_time_to_civil(int64_t t, qr_civil *c)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400;
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = (int)(y + (m <= 2));
	c->month = m;
	c->day = d;
	c->hour = (int)(secs / 3600);
	c->minute = (int)(secs / 60 % 60);
	c->second = (int)(secs % 60);
	int64_t wd = (days + 4) % 7; /* 1970-01-01 was a Thursday */
	c->weekday = (int)(wd < 0 ? wd + 7 : wd);
}

static int month_number(const char *s)
{
	static const char *names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	for (int i = 0; i < 12; i++)
		if (strncmp(s, names[i], 3) == 0)
			return i + 1;
	return 0;
}

/* Read exactly n digits. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool zone_offset(const char **p, int *offset)
{
	const char *s = *p;
	int hh, mm = 0, sign;
	if (*s == 'Z' || *s == 'z') {
		*offset = 0;
		*p = s + 1;
		return true;
	}
	if (*s != '+' && *s != '-')
		return false;
	sign = *s == '-' ? -1 : 1;
	s++;
	if (!digits(&s, 2, &hh))
		return false;
	if (*s == ':')
		s++;
	if (isdigit((unsigned char)*s) && !digits(&s, 2, &mm))
		return false;
	if (hh > 23 || mm > 59)
		return false;
	*offset = sign * (hh * 3600 + mm * 60);
	*p = s;
	return true;
}

bool qr_time_parse_twitter(const char *s, int64_t *t)
{
	/* "Wed Jun 03 14:02:11 +0000 2020" */
	qr_civil c = { 0 };
	int offset;
	if (!s || strlen(s) < 30 || s[3] != ' ' || s[7] != ' ')
		return false;
	const char *p = s + 4;
	if (!(c.month = month_number(p)))
		return false;
	p += 4;
	if (!digits(&p, 2, &c.day) || *p++ != ' ' || !digits(&p, 2, &c.hour) || *p++ != ':' ||
	    !digits(&p, 2, &c.minute) || *p++ != ':' || !digits(&p, 2, &c.second) || *p++ != ' ' ||
	    !zone_offset(&p, &offset) || *p++ != ' ' || !digits(&p, 4, &c.year) || *p)
		return false;
	if (!qr_time_from_civil(&c, t))
		return false;
	*t -= offset;
	return true;
}

bool qr_time_parse_iso(const char *s, int64_t *t)
{
	qr_civil c = { 0 };
	int offset = 0;
	if (!s)
		return false;
	const char *p = s;
	if (!digits(&p, 4, &c.year) || *p++ != '-' || !digits(&p, 2, &c.month) || *p++ != '-' ||
	    !digits(&p, 2, &c.day))
		return false;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (!digits(&p, 2, &c.hour) || *p++ != ':' || !digits(&p, 2, &c.minute))
			return false;
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &c.second))
				return false;
			if (*p == '.' || *p == ',') {
				p++;
				if (!isdigit((unsigned char)*p))
					return false;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (*p && !zone_offset(&p, &offset))
			return false;
	}
	if (*p)
		return false;
	if (!qr_time_from_civil(&c, t))
		return false;
	*t -= offset;
	return true;
}

void qr_time_format_iso(int64_t t, char *buf)
{
	qr_civil c;
	qr_time_to_civil(t, &c);
	snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.minute, c.second);
}

bool qr_tz_valid(const char *zone)
{
	if (!zone || !*zone || zone[0] == '/' || strstr(zone, ".."))
		return false;
	if (strcmp(zone, "UTC") == 0 || strcmp(zone, "Z") == 0)
		return true;
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zone);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Switch the process's zone for one conversion: the C library offers no
 * other way to read the tz database.  One switch at a time (quire serve
 * converts on several threads); set_tz takes the lock, restore_tz gives it
 * back. */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

static char *set_tz(const char *zone)
{
	pthread_mutex_lock(&tz_lock);
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;
	setenv("TZ", zone, 1);
	tzset();
	return saved;
}

static void restore_tz(char *saved)
{
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	pthread_mutex_unlock(&tz_lock);
}

bool qr_tz_offset(const char *zone, int64_t t, int *offset)
{
	if (!qr_tz_valid(zone))
		return false;
	if (strcmp(zone, "UTC") == 0 || strcmp(zone, "Z") == 0) {
		*offset = 0;
		return true;
	}
	char *saved = set_tz(zone);
	time_t tt = (time_t)t;
	struct tm tm;
	bool ok = localtime_r(&tt, &tm) != NULL;
	if (ok)
		*offset = (int)tm.tm_gmtoff;
	restore_tz(saved);
	return ok;
}

bool qr_tz_to_utc(const char *zone, const qr_civil *local, int64_t *t)
{
	int64_t naive;
	if (!qr_time_from_civil(local, &naive))
		return false;
	int off1, off2;
	/* Two rounds settle the offset except inside a transition gap. */
	if (!qr_tz_offset(zone, naive, &off1))
		return false;
	if (!qr_tz_offset(zone, naive - off1, &off2))
		return false;
	*t = naive - off2;
	return true;
}
