/* The SVG chart of a timeline: one line, or one stacked band, per series. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "timeline.h"
#include "timeutil.h"

#define W 1100
#define H 600
#define FONT "DejaVu Sans, Verdana, Arial, Noto Sans CJK KR, Noto Sans CJK JP, sans-serif"

static const char *const palette[] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#8c564b",
				       "#e377c2", "#17becf", "#bcbd22", "#7f7fff" };
#define NPALETTE (sizeof(palette) / sizeof(palette[0]))
#define TOTAL_COLOR "#222222"
#define OTHER_COLOR "#a0a0a0"
#define SHARE_COLOR "#6a3d9a"

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Text for XML: markup characters escaped; what XML 1.0 cannot hold
 * (controls, invalid UTF-8, U+FFFE/U+FFFF) becomes U+FFFD; at most max
 * code points, with an ellipsis when cut. */
static void xml_text(qr_buf *out, const char *s, size_t max)
{
	size_t n = strlen(s), used = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = qr_utf8_decode(s + i, n - i, &cp);
		i += len;
		if (used++ == max) {
			qr_buf_adds(out, "\xE2\x80\xA6");
			return;
		}
		switch (cp) {
		case '&': qr_buf_adds(out, "&amp;"); continue;
		case '<': qr_buf_adds(out, "&lt;"); continue;
		case '>': qr_buf_adds(out, "&gt;"); continue;
		case '"': qr_buf_adds(out, "&quot;"); continue;
		case '\'': qr_buf_adds(out, "&apos;"); continue;
		default: break;
		}
		if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0xFFFE || cp == 0xFFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			cp = cp == '\t' || cp == '\n' || cp == '\r' ? ' ' : 0xFFFD;
		qr_utf8_encode(out, cp);
	}
}

static double nice_step(double max, int target)
{
	double raw = max / target;
	if (raw <= 1)
		return 1;
	double mag = pow(10, floor(log10(raw)));
	double f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

static void add_count(qr_buf *out, double v)
{
	if (v >= 1e6 && fmod(v, 1e6) == 0)
		qr_buf_addf(out, "%.0fM", v / 1e6);
	else if (v >= 1e4 && fmod(v, 1e3) == 0)
		qr_buf_addf(out, "%.0fk", v / 1e3);
	else
		qr_add_grouped(out, (uint64_t)v);
}

struct plot {
	const qr_chart *ch;
	double x0, x1, y0, y1;     /* plot area */
	double ymax;
	double bw;                 /* width of one bucket */
	qr_buf *out;
};

static double px(const struct plot *p, size_t i)
{
	return p->x0 + ((double)i + 0.5) * p->bw;
}

static double py(const struct plot *p, double v)
{
	return p->y1 - (v / p->ymax) * (p->y1 - p->y0);
}

/* Stride (in buckets) between x labels, so that they stay apart. */
static long label_stride(int unit, double bw)
{
	static const long minute[] = { 1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 0 };
	static const long hour[] = { 1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 0 };
	static const long day[] = { 1, 2, 7, 14, 28, 56, 91, 182, 364, 0 };
	static const long week[] = { 1, 2, 4, 8, 13, 26, 52, 104, 0 };
	const long *c = unit == QR_BY_MINUTE ? minute : unit == QR_BY_HOUR ? hour : unit == QR_BY_DAY ? day : week;
	long last = 1;
	for (; *c; c++) {
		last = *c;
		if ((double)*c * bw >= 70)
			return *c;
	}
	return last * (long)ceil(70.0 / (bw * (double)last));
}

static bool labelled(const struct plot *p, size_t i, long stride)
{
	const qr_buckets *b = p->ch->b;
	int y, mo, d, h, mi;
	qr_bucket_civil(b, i, &y, &mo, &d, &h, &mi);
	qr_civil c = { y, mo, d, 0, 0, 0, 0 };
	int64_t day = 0;
	qr_time_from_civil(&c, &day);
	long dayno = (long)(day / 86400);
	if (b->unit == QR_BY_MINUTE) {
		long key = h * 60 + mi;
		return stride <= 1440 ? key % stride == 0 : key == 0 && dayno % (stride / 1440) == 0;
	}
	if (b->unit == QR_BY_HOUR)
		return stride <= 24 ? h % stride == 0 : h == 0 && dayno % (stride / 24) == 0;
	return (long)i % stride == 0;
}

static void x_axis(struct plot *p)
{
	const qr_buckets *b = p->ch->b;
	qr_buf *o = p->out;
	long stride = label_stride(b->unit, p->bw);
	int last_day = -1, last_year = -1;
	qr_buf_addf(o, "<g font-size=\"12\" fill=\"#333\" text-anchor=\"middle\">\n");
	for (size_t i = 0; i < b->n; i++) {
		if (!labelled(p, i, stride))
			continue;
		int y, mo, d, h, mi;
		qr_bucket_civil(b, i, &y, &mo, &d, &h, &mi);
		double x = px(p, i);
		qr_buf_addf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eeeeee\"/>\n", x, p->y0, x,
			    p->y1);
		qr_buf_addf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", x, p->y1, x,
			    p->y1 + 5);
		int dayno = y * 400 + mo * 32 + d;
		if (b->unit == QR_BY_MINUTE || b->unit == QR_BY_HOUR) {
			qr_buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\">%02d:%02d</text>\n", x, p->y1 + 19, h, mi);
			if (dayno != last_day)
				qr_buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">%s %d</text>\n", x,
					    p->y1 + 35, months[mo - 1], d);
		} else {
			qr_buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\">%s %d</text>\n", x, p->y1 + 19, months[mo - 1], d);
			if (y != last_year)
				qr_buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">%d</text>\n", x, p->y1 + 35, y);
		}
		last_day = dayno;
		last_year = y;
	}
	qr_buf_adds(o, "</g>\n");
	static const char *const unit_name[] = { "minute", "hour", "day", "week starting Monday" };
	qr_buf_addf(o, "<text x=\"%.1f\" y=\"%d\" font-size=\"13\" fill=\"#333\" text-anchor=\"middle\">time (%s, one "
		       "point per %s)</text>\n",
		    (p->x0 + p->x1) / 2, H - 22, b->tz, unit_name[b->unit]);
}

static void y_axis(struct plot *p, double step)
{
	qr_buf *o = p->out;
	static const char *const per[] = { "minute", "hour", "day", "week" };
	qr_buf_addf(o, "<g font-size=\"12\" fill=\"#333\" text-anchor=\"end\">\n");
	for (double v = 0; v <= p->ymax + step / 2; v += step) {
		double y = py(p, v);
		qr_buf_addf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n", p->x0, y, p->x1,
			    y, v == 0 ? "#333" : "#dddddd");
		qr_buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\">", p->x0 - 8, y + 4);
		add_count(o, v);
		qr_buf_adds(o, "</text>\n");
	}
	qr_buf_adds(o, "</g>\n");
	qr_buf_addf(o, "<text transform=\"translate(22 %.1f) rotate(-90)\" font-size=\"13\" fill=\"#333\" "
		       "text-anchor=\"middle\">posts per %s</text>\n",
		    (p->y0 + p->y1) / 2, per[p->ch->b->unit]);
}

static void share_axis(struct plot *p)
{
	qr_buf *o = p->out;
	qr_buf_addf(o, "<g font-size=\"12\" fill=\"%s\" text-anchor=\"start\">\n", SHARE_COLOR);
	for (int v = 0; v <= 100; v += 25) {
		double y = p->y1 - v / 100.0 * (p->y1 - p->y0);
		qr_buf_addf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n", p->x1, y,
			    p->x1 + 5, y, SHARE_COLOR);
		qr_buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\">%d%%</text>\n", p->x1 + 8, y + 4, v);
	}
	qr_buf_adds(o, "</g>\n");
	qr_buf_addf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n", p->x1, p->y0, p->x1,
		    p->y1, SHARE_COLOR);
}

static void line(struct plot *p, const uint64_t *v, const double *share, const char *color, double width,
		 const char *dash)
{
	qr_buf *o = p->out;
	const qr_buckets *b = p->ch->b;
	qr_buf_addf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" stroke-linejoin=\"round\"%s%s%s "
		       "points=\"",
		    color, width, dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
	bool any = false;
	for (size_t i = 0; i < b->n; i++) {
		double y;
		if (share) {
			if (isnan(share[i]))
				continue;
			y = p->y1 - share[i] * (p->y1 - p->y0);
		} else {
			y = py(p, (double)v[i]);
		}
		qr_buf_addf(o, "%s%.1f,%.1f", any ? " " : "", px(p, i), y);
		any = true;
	}
	qr_buf_adds(o, "\"/>\n");
	if (b->n > 60)
		return;
	/* Few points: mark them, so that a lone bucket still shows. */
	for (size_t i = 0; i < b->n; i++) {
		if (share && isnan(share[i]))
			continue;
		double y = share ? p->y1 - share[i] * (p->y1 - p->y0) : py(p, (double)v[i]);
		qr_buf_addf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>\n", px(p, i), y, width + 1, color);
	}
}

static const char *series_color(const qr_chart *ch, size_t k)
{
	if (k == 0)
		return TOTAL_COLOR;
	if (ch->series[k].other)
		return OTHER_COLOR;
	return palette[(k - 1) % NPALETTE];
}

static void stacked(struct plot *p)
{
	const qr_chart *ch = p->ch;
	const qr_buckets *b = ch->b;
	qr_buf *o = p->out;
	double *low = qr_calloc(b->n, sizeof(*low)), *high = qr_calloc(b->n, sizeof(*high));
	for (size_t k = 1; k < ch->nseries; k++) {
		for (size_t i = 0; i < b->n; i++)
			high[i] = low[i] + (double)ch->series[k].count[i];
		const char *color = series_color(ch, k);
		if (b->n < 3) {
			/* Too few points for an area: stacked bars. */
			for (size_t i = 0; i < b->n; i++)
				qr_buf_addf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
					    px(p, i) - p->bw * 0.3, py(p, high[i]), p->bw * 0.6, py(p, low[i]) - py(p, high[i]),
					    color);
		} else {
			qr_buf_addf(o, "<polygon fill=\"%s\" fill-opacity=\"0.85\" stroke=\"#ffffff\" stroke-width=\"0.5\" "
				       "points=\"",
				    color);
			for (size_t i = 0; i < b->n; i++)
				qr_buf_addf(o, "%.1f,%.1f ", px(p, i), py(p, high[i]));
			for (size_t i = b->n; i-- > 0;)
				qr_buf_addf(o, "%.1f,%.1f%s", px(p, i), py(p, low[i]), i ? " " : "");
			qr_buf_adds(o, "\"/>\n");
		}
		memcpy(low, high, b->n * sizeof(*low));
	}
	free(low);
	free(high);
}

static void legend(struct plot *p, double x)
{
	const qr_chart *ch = p->ch;
	qr_buf *o = p->out;
	double y = p->y0 + 4;
	qr_buf_addf(o, "<g font-size=\"13\" fill=\"#222\">\n");
	for (size_t k = 0; k < ch->nseries; k++) {
		if (ch->stacked && k == 0)
			continue;
		const char *color = series_color(ch, k);
		if (ch->stacked)
			qr_buf_addf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"12\" fill=\"%s\"/>\n", x, y - 10,
				    color);
		else
			qr_buf_addf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
				       "stroke-width=\"%d\"/>\n",
				    x, y - 4, x + 22, y - 4, color, k == 0 ? 3 : 2);
		qr_buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\">", x + 30, y);
		xml_text(o, ch->series[k].name, 22);
		qr_buf_adds(o, "</text>\n");
		qr_buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#666\">", x + 30, y + 15);
		qr_add_grouped(o, ch->series[k].total);
		qr_buf_addf(o, " post%s</text>\n", ch->series[k].total == 1 ? "" : "s");
		y += 38;
	}
	if (ch->share) {
		qr_buf_addf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.5\" "
			       "stroke-dasharray=\"6 3\"/>\n",
			    x, y - 4, x + 22, y - 4, SHARE_COLOR);
		qr_buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">share of all posts (right axis)</text>\n", x + 30, y,
			    SHARE_COLOR);
		y += 38;
	}
	if (ch->stacked) {
		qr_buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#666\">each post counted once,</text>\n",
			    x, y);
		qr_buf_addf(o, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#666\">under its first value above</text>\n",
			    x, y + 14);
	}
	qr_buf_adds(o, "</g>\n");
}

void qr_chart_svg(const qr_chart *ch, qr_buf *out)
{
	struct plot p;
	p.ch = ch;
	p.out = out;
	p.x0 = 84;
	p.x1 = W - (ch->share ? 300 : 250);
	p.y0 = ch->note ? 108 : 96;
	p.y1 = H - 96;
	p.bw = (p.x1 - p.x0) / (double)(ch->b->n ? ch->b->n : 1);

	double max = 0;
	for (size_t i = 0; i < ch->b->n; i++) {
		if ((double)ch->series[0].count[i] > max)
			max = (double)ch->series[0].count[i];
		for (size_t k = 1; k < ch->nseries && !ch->stacked; k++)
			if ((double)ch->series[k].count[i] > max)
				max = (double)ch->series[k].count[i];
	}
	double step = nice_step(max, 5);
	p.ymax = ceil(max / step) * step;
	if (p.ymax < max || p.ymax == 0)
		p.ymax = max + step;

	qr_buf_addf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
			 "viewBox=\"0 0 %d %d\" font-family=\"%s\">\n",
		    W, H, W, H, FONT);
	qr_buf_adds(out, "<title>");
	xml_text(out, *ch->title ? ch->title : "all posts", 500);
	qr_buf_adds(out, "</title>\n");
	qr_buf_addf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", W, H);
	qr_buf_addf(out, "<text x=\"%.1f\" y=\"38\" font-size=\"21\" font-weight=\"bold\" fill=\"#111\">", p.x0);
	if (*ch->title) {
		qr_buf_adds(out, "\xE2\x80\x9C");
		xml_text(out, ch->title, 70);
		qr_buf_adds(out, "\xE2\x80\x9D");
	} else {
		qr_buf_adds(out, "all posts");
	}
	qr_buf_adds(out, "</text>\n");
	qr_buf_addf(out, "<text x=\"%.1f\" y=\"64\" font-size=\"14\" fill=\"#555\">", p.x0);
	xml_text(out, ch->subtitle ? ch->subtitle : "", 115);
	qr_buf_adds(out, "</text>\n");
	if (ch->note) {
		qr_buf_addf(out, "<text x=\"%.1f\" y=\"86\" font-size=\"14\" fill=\"%s\">", p.x0, SHARE_COLOR);
		xml_text(out, ch->note, 105);
		qr_buf_adds(out, "</text>\n");
	}

	y_axis(&p, step);
	x_axis(&p);
	if (ch->share)
		share_axis(&p);
	if (ch->stacked) {
		stacked(&p);
	} else {
		for (size_t k = ch->nseries; k-- > 1;)
			line(&p, ch->series[k].count, NULL, series_color(ch, k), 2, NULL);
		line(&p, ch->series[0].count, NULL, TOTAL_COLOR, ch->nseries > 1 ? 2.5 : 2, NULL);
	}
	if (ch->share)
		line(&p, NULL, ch->share, SHARE_COLOR, 2.5, "6 3");
	legend(&p, W - (ch->share ? 220 : 225));
	qr_buf_adds(out, "</svg>\n");
}
