/*
 * A post as an HTML citation card: author and handle, time, kind, the text
 * with the matched words marked, media with the thumbnails of the files
 * the corpus keeps, hashtags, events and codes as links that refine the
 * search, the permalink, the cite menu and the archival locator.  A
 * printer back end (query/printer.h): quire search's code hands each post
 * over, the card decides how it looks.  Every string of a post goes
 * through server/escape.h on its way in.
 */
#include <stdlib.h>
#include <string.h>

#include "cite.h"
#include "escape.h"
#include "printer.h"
#include "server.h"
#include "timeutil.h"

/* The cite menu: what quire cite -f STYLE prints, by name. */
static const struct {
	const char *style, *label;
} styles[] = {
	{ "apa", "APA" },       { "mla", "MLA" },   { "chicago", "Chicago" },
	{ "bibtex", "BibTeX" }, { "ris", "RIS" },   { "csl-json", "CSL-JSON" },
};

struct card_ctx {
	const sv_config *cfg;
	const sv_params *state;
	const char *tz;
};

bool sv_filter_href(qr_buf *out, const sv_params *state, const char *param, const char *value)
{
	if (!sv_filter_value_ok(value))
		return false;
	sv_params p = { 0 };
	sv_params_copy(&p, state);
	sv_params_del(&p, "offset", NULL);
	if (!sv_params_has(&p, param, value))
		sv_params_add(&p, param, value);
	sv_params_href(out, "/", &p);
	sv_params_clear(&p);
	return true;
}

void sv_post_time(qr_buf *out, int64_t t, const char *tz)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int off = 0;
	qr_civil c;
	if (tz && !qr_tz_offset(tz, t, &off))
		off = 0;
	qr_time_to_civil(t + off, &c);
	qr_buf_addf(out, "%d %s %d, %02d:%02d:%02d", c.day, months[c.month - 1], c.year, c.hour, c.minute, c.second);
	if (!tz)
		qr_buf_adds(out, " UTC");
	else
		qr_buf_addf(out, " %s%02d:%02d", off < 0 ? "-" : "+", abs(off) / 3600, abs(off) % 3600 / 60);
}

/* A value as a link that adds it as a filter, or as text when it cannot
 * be one. */
static void filter_link(qr_buf *out, const sv_params *state, const char *param, const char *value,
			const char *sigil, const char *cls)
{
	qr_buf href = QR_BUF_INIT, label = QR_BUF_INIT;
	qr_buf_addf(&label, "%s%s", sigil, value);
	if (state && sv_filter_href(&href, state, param, value)) {
		sv_open(out, "a", "class", cls, "href", href.buf, "title", "narrow the search to these posts", NULL);
		sv_open(out, "bdi", NULL);
		sv_html_text(out, label.buf);
		sv_close(out, "bdi");
		sv_close(out, "a");
	} else {
		sv_open(out, "span", "class", cls, NULL);
		sv_elem(out, "bdi", label.buf, NULL);
		sv_close(out, "span");
	}
	qr_buf_release(&href);
	qr_buf_release(&label);
}

/* The text, the matched words (\x01 ... \x02 in a snippet) marked. */
static void text(qr_buf *out, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "\x01\x02");
		sv_html_textn(out, s, n);
		s += n;
		if (*s == '\x01')
			qr_buf_adds(out, "<mark>");
		else if (*s == '\x02')
			qr_buf_adds(out, "</mark>");
		if (*s)
			s++;
	}
}

static void media(qr_buf *out, const qr_post *p)
{
	qr_buf summary = QR_BUF_INIT, href = QR_BUF_INIT;
	if (!qr_media_summary(&summary, p)) {
		qr_buf_release(&summary);
		return;
	}
	sv_open(out, "div", "class", "media", NULL);
	sv_elem(out, "span", summary.buf, "class", "media-summary", NULL);
	for (size_t i = 0; i < p->nmedia; i++) {
		const qr_media *m = &p->media[i];
		if (!m->sha256 || !m->locator || !sv_filter_value_ok(m->sha256))
			continue;
		qr_buf_reset(&href);
		qr_buf_adds(&href, "/media/");
		sv_url_part(&href, m->sha256);
		bool picture = m->type && (strcmp(m->type, "photo") == 0 || strcmp(m->type, "gif") == 0);
		sv_open(out, "a", "class", "thumb", "href", href.buf, "title", m->alt_text ? m->alt_text : m->type, NULL);
		if (picture)
			sv_open(out, "img", "src", href.buf, "alt", m->alt_text ? m->alt_text : "", "loading", "lazy",
				"width", "120", "height", "90", NULL);
		else
			sv_elem(out, "span", m->type ? m->type : "file", "class", "file", NULL);
		sv_close(out, "a");
	}
	sv_close(out, "div");
	qr_buf_release(&summary);
	qr_buf_release(&href);
}

static void chips(qr_buf *out, const sv_params *state, const qr_post *p)
{
	if (!p->hashtags.n && !p->events.n && !p->tags.n)
		return;
	sv_open(out, "p", "class", "chips", NULL);
	for (size_t i = 0; i < p->hashtags.n; i++)
		filter_link(out, state, "hashtag", p->hashtags.v[i], "#", "chip hashtag");
	for (size_t i = 0; i < p->events.n; i++)
		filter_link(out, state, "event", p->events.v[i], "event: ", "chip event");
	for (size_t i = 0; i < p->tags.n; i++)
		filter_link(out, state, "tag", p->tags.v[i], "code: ", "chip code");
	sv_close(out, "p");
}

static void links(qr_buf *out, const qr_post *p)
{
	bool any = false;
	for (size_t i = 0; i < p->urls.n; i++) {
		const char *u = p->urls.v[i];
		if (!any)
			sv_open(out, "ul", "class", "links", NULL);
		any = true;
		sv_open(out, "li", NULL);
		/* Only http(s) becomes a link; anything else stays text. */
		if (sv_link_ok(u)) {
			sv_open(out, "a", "href", u, "rel", "noopener noreferrer nofollow", "target", "_blank", NULL);
			sv_elem(out, "bdi", u, NULL);
			sv_close(out, "a");
		} else {
			sv_elem(out, "bdi", u, "class", "not-a-link", NULL);
		}
		sv_close(out, "li");
	}
	if (any)
		sv_close(out, "ul");
}

static void cite_menu(qr_buf *out, const qr_post *p, const char *tz)
{
	qr_buf href = QR_BUF_INIT;
	sv_open(out, "details", "class", "cite", NULL);
	sv_elem(out, "summary", "Cite", NULL);
	sv_open(out, "ul", NULL);
	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		qr_buf_reset(&href);
		qr_buf_adds(&href, "/api/cite/");
		sv_url_part(&href, p->id);
		qr_buf_addf(&href, "?style=%s", styles[i].style);
		if (tz) {
			qr_buf_adds(&href, "&tz=");
			sv_url_part(&href, tz);
		}
		sv_open(out, "li", NULL);
		sv_elem(out, "a", styles[i].label, "href", href.buf, "class", "cite-style", "target", "_blank", NULL);
		sv_elem(out, "button", "Copy", "type", "button", "class", "copy", "hidden", "", "data-cite", href.buf,
			"data-style", styles[i].label, NULL);
		sv_close(out, "li");
	}
	sv_close(out, "ul");
	sv_close(out, "details");
	qr_buf_release(&href);
}

static void tag_form(qr_buf *out, const qr_post *p, const sv_params *state)
{
	qr_buf back = QR_BUF_INIT;
	sv_params_href(&back, "/", state);
	sv_open(out, "form", "class", "tag-form", "method", "post", "action", "/tag", NULL);
	sv_open(out, "input", "type", "hidden", "name", "id", "value", p->id, NULL);
	sv_open(out, "input", "type", "hidden", "name", "back", "value", back.buf, NULL);
	sv_open(out, "input", "type", "text", "name", "code", "placeholder", "code", "aria-label",
		"a code for this post", "required", "", "maxlength", "64", "pattern", "[^\\s+\"]+", NULL);
	sv_elem(out, "button", "Add code", "type", "submit", "name", "action", "value", "add", NULL);
	sv_elem(out, "button", "Remove", "type", "submit", "name", "action", "value", "remove", NULL);
	sv_close(out, "form");
	qr_buf_release(&back);
}

void sv_card(qr_buf *out, const sv_config *cfg, const sv_params *state, const qr_post *p, const char *tz,
	     const char *snippet, bool full)
{
	qr_buf tmp = QR_BUF_INIT;
	sv_open(out, "article", "class", "card", "lang", p->lang && sv_filter_value_ok(p->lang) && strcmp(p->lang, "und")
						     ? p->lang : NULL, NULL);
	sv_open(out, "header", NULL);
	if (p->author_name) {
		sv_open(out, "span", "class", "name", NULL);
		sv_elem(out, "bdi", p->author_name, NULL);
		sv_close(out, "span");
		qr_buf_addch(out, ' ');
	}
	if (p->author_handle)
		filter_link(out, state, "author", p->author_handle, "@", "handle");
	sv_open(out, "span", "class", "meta", NULL);
	if (p->created != QR_TIME_UNKNOWN) {
		char iso[32];
		qr_time_format_iso(p->created, iso);
		sv_post_time(&tmp, p->created, tz);
		sv_elem(out, "time", tmp.buf, "datetime", iso, NULL);
	} else {
		sv_elem(out, "span", "time unknown", NULL);
	}
	if (p->kind)
		sv_elem(out, "span", p->kind, "class", "kind", NULL);
	if (p->platform)
		sv_elem(out, "span", qr_cite_platform(p), "class", "platform", NULL);
	sv_close(out, "span");
	sv_close(out, "header");

	sv_open(out, "p", "class", "text", NULL);
	sv_open(out, "bdi", NULL);
	text(out, snippet ? snippet : p->text ? p->text : "");
	sv_close(out, "bdi");
	sv_close(out, "p");
	media(out, p);
	chips(out, state, p);
	links(out, p);

	sv_open(out, "footer", NULL);
	if (sv_link_ok(p->url)) {
		sv_elem(out, "a", "permalink", "class", "permalink", "href", p->url, "rel", "noopener noreferrer nofollow",
			"target", "_blank", NULL);
	}
	if (!full) {
		qr_buf_reset(&tmp);
		qr_buf_adds(&tmp, "/post/");
		sv_url_part(&tmp, p->id);
		sv_elem(out, "a", "post and original record", "class", "post-link", "href", tmp.buf, NULL);
	}
	cite_menu(out, p, tz);
	qr_buf_reset(&tmp);
	qr_locator_text(&tmp, cfg->corpus_id, p);
	sv_elem(out, "small", tmp.buf, "class", "locator", "title", "archival locator: quire show --verify checks it",
		NULL);
	sv_close(out, "footer");
	if (cfg->tagging)
		tag_form(out, p, state);
	sv_close(out, "article");
	qr_buf_release(&tmp);
}

static void card_begin(qr_printer *p, const qr_result_info *info)
{
	(void)p, (void)info;
}

static void card_hit(qr_printer *p, const qr_hit *h)
{
	const struct card_ctx *ctx = p->state;
	sv_card(&p->buf, ctx->cfg, ctx->state, h->post, ctx->tz, h->snippet, false);
	qr_buf_addch(&p->buf, '\n');
	qr_printer_flush(p);
}

static void card_end(qr_printer *p, uint32_t shown)
{
	(void)p, (void)shown;
}

static const qr_printer_backend card_backend = {
	"html-card", "HTML citation cards (quire serve)", card_begin, card_hit, card_end, true,
};

qr_printer *sv_card_printer(FILE *out, const sv_config *cfg, const sv_params *state, const char *tz)
{
	qr_printer *p = qr_printer_new_backend(&card_backend, out, true, cfg->corpus_id);
	struct card_ctx *ctx = qr_calloc(1, sizeof(*ctx));
	ctx->cfg = cfg;
	ctx->state = state;
	ctx->tz = tz;
	p->state = ctx;
	p->tz = tz;
	return p;
}
