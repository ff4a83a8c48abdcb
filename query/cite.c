#include "cite.h"

#include <string.h>

#include "text.h"

const char *const qr_month_names[12] = { "January", "February", "March",     "April",   "May",      "June",
					 "July",    "August",   "September", "October", "November", "December" };

/* Twitter became X on 24 July 2023; Mastodon's "toots" became "posts"
 * with version 4.0 (14 November 2022). */
#define X_SINCE 1690156800      /* 2023-07-24T00:00:00Z */
#define MASTODON_POSTS_SINCE 1668384000  /* 2022-11-14T00:00:00Z */

static bool is(const qr_post *p, const char *platform)
{
	return p->platform && strcmp(p->platform, platform) == 0;
}

static bool since(const qr_post *p, int64_t t)
{
	return p->created != QR_TIME_UNKNOWN && p->created >= t;
}

const char *qr_cite_platform(const qr_post *p)
{
	static const char *names[][2] = { { "mastodon", "Mastodon" },   { "reddit", "Reddit" },
					  { "telegram", "Telegram" },   { "bluesky", "Bluesky" },
					  { "facebook", "Facebook" },   { "instagram", "Instagram" },
					  { "tiktok", "TikTok" },       { "youtube", "YouTube" },
					  { "threads", "Threads" },     { "weibo", "Weibo" } };
	if (is(p, "twitter"))
		return since(p, X_SINCE) ? "X" : "Twitter";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (is(p, names[i][0]))
			return names[i][1];
	return p->platform ? p->platform : "Social media";
}

const char *qr_cite_label(const qr_post *p)
{
	if (is(p, "twitter"))
		return since(p, X_SINCE) ? "Post" : "Tweet";
	if (is(p, "mastodon"))
		return since(p, MASTODON_POSTS_SINCE) ? "Post" : "Toot";
	if (is(p, "facebook"))
		return "Status update";
	if (is(p, "tiktok") || is(p, "youtube"))
		return "Video";
	return "Post";
}

bool qr_cite_media(qr_buf *out, const qr_post *p, const char *sep, const char *before, const char *after)
{
	bool any = false;
	for (const qr_media_kind *k = qr_media_kinds; k->name; k++) {
		if (!qr_post_has_media_type(p, k->name))
			continue;
		qr_buf_addf(out, "%s%s%s attached%s", any ? sep : "", before, k->label, after);
		any = true;
	}
	return any;
}

bool qr_cite_time(const qr_post *p, const char *tz, qr_civil *c)
{
	int off = 0;
	if (p->created == QR_TIME_UNKNOWN)
		return false;
	if (tz && !qr_tz_offset(tz, p->created, &off))
		off = 0;
	qr_time_to_civil(p->created + off, c);
	return true;
}

static bool white(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0x2028 ||
	       cp == 0x2029 || cp == 0x85;
}

void qr_cite_flatten(qr_buf *out, const char *text)
{
	size_t n = text ? strlen(text) : 0, i = 0;
	bool gap = false, started = false;
	while (i < n) {
		uint32_t cp;
		size_t l = qr_utf8_decode(text + i, n - i, &cp);
		if (white(cp)) {
			gap = started;
		} else if (cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp <= 0x9F)) {
			if (gap)
				qr_buf_addch(out, ' ');
			gap = false;
			started = true;
			if (cp == 0xFFFD && l == 1)
				qr_utf8_encode(out, cp);
			else
				qr_buf_add(out, text + i, l);
		}
		i += l;
	}
}

static bool emoji(uint32_t cp)
{
	return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) || (cp >= 0x2300 && cp <= 0x23FF) ||
	       (cp >= 0x2B00 && cp <= 0x2BFF) || (cp >= 0x25A0 && cp <= 0x25FF) || cp == 0x3030 || cp == 0x303D ||
	       cp == 0x3297 || cp == 0x3299;
}

/* Joins the next code point to the emoji before it. */
static bool emoji_joiner(uint32_t cp)
{
	return (cp >= 0x1F3FB && cp <= 0x1F3FF) || cp == 0xFE0F || cp == 0xFE0E || cp == 0x20E3 ||
	       (cp >= 0xE0020 && cp <= 0xE007F);
}

/* Bytes of the emoji cluster at s (skin tones, ZWJ sequences, flags). */
static size_t emoji_len(const char *s, size_t n)
{
	uint32_t cp, first;
	size_t i = qr_utf8_decode(s, n, &first);
	bool flag = first >= 0x1F1E6 && first <= 0x1F1FF;
	while (i < n) {
		size_t l = qr_utf8_decode(s + i, n - i, &cp);
		if (emoji_joiner(cp)) {
			i += l;
		} else if (cp == 0x200D && i + l < n) {
			uint32_t next;
			size_t l2 = qr_utf8_decode(s + i + l, n - i - l, &next);
			if (!emoji(next))
				break;
			i += l + l2;
		} else if (flag && cp >= 0x1F1E6 && cp <= 0x1F1FF) {
			i += l;
			flag = false;
		} else {
			break;
		}
	}
	return i;
}

static bool whole_word_token(const char *s, size_t n)
{
	return (n > 1 && (s[0] == '#' || s[0] == '@')) || (n > 7 && strncmp(s, "http://", 7) == 0) ||
	       (n > 8 && strncmp(s, "https://", 8) == 0);
}

void qr_cite_first_words(qr_buf *out, const char *text, size_t max, bool *cut)
{
	size_t n = strlen(text), i = 0, words = 0, end = 0;
	*cut = false;
	while (i < n) {
		while (i < n && text[i] == ' ')
			i++;
		if (i == n)
			break;
		size_t e = i;
		while (e < n && text[e] != ' ')
			e++;
		if (whole_word_token(text + i, e - i)) {
			if (words == max) {
				*cut = true;
				break;
			}
			words++;
			end = e;
			i = e;
			continue;
		}
		/* Within a token, each emoji is a word and so is each run of
		 * other characters between them. */
		while (i < e) {
			uint32_t cp;
			size_t l = qr_utf8_decode(text + i, e - i, &cp);
			size_t w = emoji(cp) ? emoji_len(text + i, e - i) : 0;
			if (!w) {
				w = l;
				while (i + w < e) {
					l = qr_utf8_decode(text + i + w, e - i - w, &cp);
					if (emoji(cp))
						break;
					w += l;
				}
			}
			if (words == max) {
				*cut = true;
				break;
			}
			words++;
			i += w;
			end = i;
		}
		if (*cut)
			break;
	}
	qr_buf_add(out, text, end);
}

void qr_cite_first_chars(qr_buf *out, const char *text, size_t max)
{
	size_t n = strlen(text), i = 0, chars = 0, last_space = 0;
	while (i < n && chars < max) {
		uint32_t cp;
		if (text[i] == ' ')
			last_space = i;
		i += qr_utf8_decode(text + i, n - i, &cp);
		chars++;
	}
	if (i >= n) {
		qr_buf_adds(out, text);
		return;
	}
	size_t cut = text[i] == ' ' || !last_space ? i : last_space;
	while (cut && (text[cut - 1] == ' ' || text[cut - 1] == ',' || text[cut - 1] == ';' || text[cut - 1] == ':'))
		cut--;
	qr_buf_add(out, text, cut);
	qr_buf_adds(out, "…");
}

static bool ends_sentence(const qr_buf *b, size_t from)
{
	if (b->len <= from)
		return false;
	char c = b->buf[b->len - 1];
	return c == '.' || c == '!' || c == '?' || qr_ends_with(b->buf + from, "…");
}

static void add_handle(qr_buf *out, const qr_post *p)
{
	qr_buf_addch(out, '@');
	qr_cite_flatten(out, p->author_handle);
}

void qr_cite_author(qr_buf *out, const qr_post *p)
{
	bool name = p->author_name && *p->author_name, handle = p->author_handle && *p->author_handle;
	if (name)
		qr_cite_flatten(out, p->author_name);
	if (name && handle)
		qr_buf_addch(out, ' ');
	if (handle) {
		qr_buf_adds(out, name ? "[" : "");
		add_handle(out, p);
		qr_buf_adds(out, name ? "]" : "");
	}
	if (!name && !handle)
		qr_buf_adds(out, "[Unknown author]");
}

void qr_cite_apa(qr_buf *out, const qr_post *p, const char *tz)
{
	qr_buf text = QR_BUF_INIT;
	qr_civil c;
	bool cut;
	size_t start = out->len;
	qr_cite_author(out, p);
	if (!ends_sentence(out, start))
		qr_buf_addch(out, '.');
	if (qr_cite_time(p, tz, &c))
		qr_buf_addf(out, " (%d, %s %d). ", c.year, qr_month_names[c.month - 1], c.day);
	else
		qr_buf_adds(out, " (n.d.). ");
	qr_cite_flatten(&text, p->text);
	size_t before = out->len;
	qr_cite_first_words(out, text.buf, 20, &cut);
	bool words = out->len > before;
	if (!words)
		qr_buf_adds(out, "[Untitled]");
	qr_cite_media(out, p, "", " [", "]");
	qr_buf_addf(out, " [%s]. %s.", qr_cite_label(p), qr_cite_platform(p));
	if (p->url)
		qr_buf_addf(out, " %s", p->url);
	qr_buf_release(&text);
}

/* A time as MLA 9 and Chicago write it: twelve-hour, "11:15 a.m." (noon
 * is 12:00 p.m., midnight 12:00 a.m.). */
static void clock12(qr_buf *out, const qr_civil *c)
{
	int h = c->hour % 12 ? c->hour % 12 : 12;
	qr_buf_addf(out, "%d:%02d %s", h, c->minute, c->hour < 12 ? "a.m." : "p.m.");
}

static const char *const mla_months[12] = { "Jan.", "Feb.", "Mar.", "Apr.", "May", "June",
					    "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec." };

/* Text inside double quotes: its own double quotes become single ones. */
static void quoted(qr_buf *out, const char *text)
{
	for (const char *s = text; *s; s++)
		qr_buf_addch(out, *s == '"' ? '\'' : *s);
}

void qr_cite_mla(qr_buf *out, const qr_post *p, const char *tz)
{
	qr_buf text = QR_BUF_INIT;
	qr_civil c;
	bool name = p->author_name && *p->author_name, handle = p->author_handle && *p->author_handle;
	size_t start = out->len;
	if (handle)
		add_handle(out, p);
	if (name) {
		qr_buf_adds(out, handle ? " (" : "");
		qr_cite_flatten(out, p->author_name);
		qr_buf_adds(out, handle ? ")" : "");
	}
	if (!name && !handle)
		qr_buf_adds(out, "[Unknown author]");
	if (!ends_sentence(out, start))
		qr_buf_addch(out, '.');
	qr_cite_flatten(&text, p->text);
	if (text.len) {
		qr_buf_adds(out, " \"");
		start = out->len;
		quoted(out, text.buf);
		if (!ends_sentence(out, start))
			qr_buf_addch(out, '.');
		qr_buf_addch(out, '"');
	}
	qr_buf_addf(out, " %s", qr_cite_platform(p));
	if (qr_cite_time(p, tz, &c)) {
		qr_buf_addf(out, ", %d %s %d, ", c.day, mla_months[c.month - 1], c.year);
		clock12(out, &c);
	}
	if (p->url)
		qr_buf_addf(out, ", %s", p->url);
	qr_buf_addch(out, '.');
	qr_buf_release(&text);
}

void qr_cite_chicago(qr_buf *out, const qr_post *p, const char *tz)
{
	qr_buf text = QR_BUF_INIT, first = QR_BUF_INIT;
	qr_civil c;
	bool name = p->author_name && *p->author_name, handle = p->author_handle && *p->author_handle;
	if (name)
		qr_cite_flatten(out, p->author_name);
	if (handle) {
		qr_buf_adds(out, name ? " (" : "");
		add_handle(out, p);
		qr_buf_adds(out, name ? ")" : "");
	}
	if (!name && !handle)
		qr_buf_adds(out, "Unknown author");
	qr_cite_flatten(&text, p->text);
	qr_cite_first_chars(&first, text.buf, 160);
	if (first.len) {
		qr_buf_adds(out, ", \"");
		quoted(out, first.buf);
		/* The comma goes inside the quotes, unless a ? or ! ends the
		 * text; a full stop gives way to it. */
		char last = out->buf[out->len - 1];
		if (last == '.')
			qr_buf_setlen(out, out->len - 1);
		if (last != '?' && last != '!')
			qr_buf_addch(out, ',');
		qr_buf_addch(out, '"');
	} else {
		qr_buf_addch(out, ',');
	}
	qr_buf_addf(out, " %s", qr_cite_platform(p));
	if (qr_cite_time(p, tz, &c)) {
		qr_buf_addf(out, ", %s %d, %d, ", qr_month_names[c.month - 1], c.day, c.year);
		clock12(out, &c);
	}
	if (p->url)
		qr_buf_addf(out, ", %s", p->url);
	qr_buf_addch(out, '.');
	qr_buf_release(&text);
	qr_buf_release(&first);
}
