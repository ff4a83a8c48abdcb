/* Human text: a citation block per hit, colour only when asked. */
#include <string.h>

#include "cite.h"
#include "printer.h"
#include "text.h"
#include "timeutil.h"

#define BOLD "\033[1m"
#define DIM "\033[2m"
#define CYAN "\033[36m"
#define YELLOW "\033[33m"
#define HILITE "\033[1;4m"
#define RESET "\033[0m"

static void style(qr_printer *p, const char *code)
{
	if (p->color)
		qr_buf_adds(&p->buf, code);
}

/* Untrusted text, escaped, continuation lines indented; \x01..\x02 mark
 * highlighted matches. */
static void body(qr_printer *p, const char *text, const char *indent)
{
	const char *s = text;
	while (*s) {
		size_t n = strcspn(s, "\n\x01\x02");
		qr_escape_terminal(&p->buf, s, n, 0);
		s += n;
		if (*s == '\n') {
			qr_buf_addch(&p->buf, '\n');
			qr_buf_adds(&p->buf, indent);
		} else if (*s == '\x01') {
			style(p, HILITE);
		} else if (*s == '\x02') {
			style(p, RESET);
		}
		if (*s)
			s++;
	}
}

/* Every string of a post may hold what the input said: escaped. */
static void escaped(qr_printer *p, const char *s)
{
	qr_escape_terminal(&p->buf, s, strlen(s), 0);
}

static void begin(qr_printer *p, const qr_result_info *info)
{
	(void)p, (void)info;
}

static void hit(qr_printer *p, const qr_hit *h)
{
	const qr_post *post = h->post;
	char when[32] = "unknown time";
	const char *indent = "    ";

	qr_civil c;
	if (qr_cite_time(post, p->tz, &c))
		snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute,
			 c.second);
	if (p->count++)
		qr_buf_addch(&p->buf, '\n');
	qr_buf_addf(&p->buf, "%3u. ", h->rank);
	style(p, BOLD);
	qr_escape_terminal(&p->buf, post->author_name ? post->author_name : "", post->author_name ? strlen(post->author_name) : 0, 0);
	style(p, RESET);
	if (post->author_handle) {
		qr_buf_adds(&p->buf, post->author_name ? " " : "");
		style(p, CYAN);
		qr_buf_addch(&p->buf, '@');
		qr_escape_terminal(&p->buf, post->author_handle, strlen(post->author_handle), 0);
		style(p, RESET);
	}
	qr_buf_addf(&p->buf, " · %s ", when);
	qr_printer_safe(&p->buf, post->created == QR_TIME_UNKNOWN ? NULL : p->tz ? p->tz : "UTC", 0);
	qr_buf_adds(&p->buf, " · ");
	qr_printer_safe(&p->buf, post->platform ? post->platform : "?", 0);
	if (post->kind && strcmp(post->kind, "original") != 0) {
		qr_buf_adds(&p->buf, " · ");
		qr_printer_safe(&p->buf, post->kind, 0);
	}
	/* Collapsing keeps one post of a group: the original or one of the
	 * reposts, whichever ranked first. */
	if (h->collapsed && post->kind && strcmp(post->kind, "repost") == 0)
		qr_buf_addf(&p->buf, " · +%u more of the same post", h->collapsed);
	else if (h->collapsed)
		qr_buf_addf(&p->buf, " · +%u repost%s", h->collapsed, h->collapsed == 1 ? "" : "s");
	if (h->has_reposts)
		qr_buf_addf(&p->buf, " · reposted %u time%s in the corpus", h->reposts,
			    h->reposts == 1 ? "" : "s");
	qr_buf_addf(&p->buf, "\n%s", indent);
	body(p, h->snippet ? h->snippet : (post->text ? post->text : ""), indent);
	qr_buf_addch(&p->buf, '\n');
	if (post->url) {
		qr_buf_adds(&p->buf, indent);
		qr_escape_terminal(&p->buf, post->url, strlen(post->url), 0);
		qr_buf_addch(&p->buf, '\n');
	}
	qr_buf media = QR_BUF_INIT;
	bool has_media = qr_media_summary(&media, post);
	if (post->hashtags.n || has_media) {
		qr_buf_adds(&p->buf, indent);
		style(p, YELLOW);
		for (size_t i = 0; i < post->hashtags.n; i++) {
			qr_buf_addf(&p->buf, "%s#", i ? " " : "");
			qr_escape_terminal(&p->buf, post->hashtags.v[i], strlen(post->hashtags.v[i]), 0);
		}
		style(p, RESET);
		if (has_media)
			qr_buf_addf(&p->buf, "%smedia: %s", post->hashtags.n ? " · " : "", media.buf);
		qr_buf_addch(&p->buf, '\n');
	}
	qr_buf_release(&media);
	if (post->events.n) {
		qr_buf_addf(&p->buf, "%sevents: ", indent);
		for (size_t i = 0; i < post->events.n; i++) {
			qr_buf_adds(&p->buf, i ? ", " : "");
			qr_printer_safe(&p->buf, post->events.v[i], 0);
		}
		qr_buf_addch(&p->buf, '\n');
	}
	if (p->locator) {
		qr_buf_adds(&p->buf, indent);
		style(p, DIM);
		qr_buf_adds(&p->buf, "archived: ");
		qr_buf loc = QR_BUF_INIT;
		qr_locator_text(&loc, p->corpus_id, post);
		escaped(p, loc.buf);
		qr_buf_release(&loc);
		style(p, RESET);
		qr_buf_addch(&p->buf, '\n');
	}
	qr_printer_flush(p);
}

static void end(qr_printer *p, uint32_t shown)
{
	(void)p, (void)shown;
}

const qr_printer_backend qr_print_text = {
	"text", "a citation block per post, for reading (matched words highlighted on a terminal)", begin, hit, end,
	true,
};
