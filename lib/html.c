#include "html.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "text.h"

struct html {
	qr_buf *out;
	size_t start;           /* out->len when we began: text before is not ours */
	int brk;                /* line breaks owed before the next text (max 2) */
	bool space;             /* a space owed before the next text */
	int pre;                /* inside <pre> */
	const char *skip;       /* inside <script> or <style>: the tag to end it */
	/* the open link */
	bool in_link, tagged;
	bool space_before;      /* a space was owed when the link opened */
	qr_buf href, text;
	qr_strv *links;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void trim_spaces(qr_buf *b, size_t floor)
{
	while (b->len > floor && b->buf[b->len - 1] == ' ')
		qr_buf_setlen(b, b->len - 1);
}

/* Text (decoded) into the link's text or the output. */
static void put_text(struct html *h, const char *s, size_t n)
{
	qr_buf *to = h->in_link ? &h->text : h->out;
	size_t floor = h->in_link ? 0 : h->start;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!h->pre && is_blank(c)) {
			h->space = true;
			continue;
		}
		if (!h->in_link && h->brk && h->out->len > h->start) {
			trim_spaces(h->out, h->start);
			qr_buf_adds(h->out, h->brk > 1 ? "\n\n" : "\n");
			h->space = false;
		}
		if (!h->in_link)
			h->brk = 0;
		if (h->space && to->len > floor && to->buf[to->len - 1] != '\n')
			qr_buf_addch(to, ' ');
		h->space = false;
		qr_buf_addch(to, c);
	}
}

static void put_decoded(struct html *h, const char *s, size_t n)
{
	qr_buf tmp = QR_BUF_INIT;
	qr_html_decode(&tmp, s, n);
	put_text(h, tmp.buf, tmp.len);
	qr_buf_release(&tmp);
}

static void want_break(struct html *h, int n, bool add)
{
	if (h->in_link)
		return;
	h->brk = add ? h->brk + n : (h->brk > n ? h->brk : n);
	if (h->brk > 2)
		h->brk = 2;
	h->space = false;
}

static bool has_class(const char *classes, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = classes; (p = strstr(p, name)); p += n)
		if ((p == classes || is_blank(p[-1])) && (!p[n] || is_blank(p[n])))
			return true;
	return false;
}

static void close_link(struct html *h)
{
	if (!h->in_link)
		return;
	bool after = h->space; /* white space ending the link's text */
	h->in_link = false;
	h->space = h->space_before;
	bool tagged = h->tagged || (h->text.len && (h->text.buf[0] == '@' || h->text.buf[0] == '#'));
	bool web = qr_starts_with_ci(h->href.buf, "http://") || qr_starts_with_ci(h->href.buf, "https://");
	if (!tagged && web) {
		/* A URL never runs into a word (or another URL) before it. */
		char last = h->out->len > h->start ? h->out->buf[h->out->len - 1] : ' ';
		if ((last >= '0' && last <= '9') || (last >= 'a' && last <= 'z') || (last >= 'A' && last <= 'Z') ||
		    last == '/')
			h->space = true;
		if (h->links)
			qr_strv_push_unique(h->links, h->href.buf, false);
		put_text(h, h->href.buf, h->href.len);
	} else {
		put_text(h, h->text.buf, h->text.len);
	}
	if (after)
		h->space = true;
	qr_buf_reset(&h->href);
	qr_buf_reset(&h->text);
}

/* Tag names that separate blocks, and those that end a line. */
static int block_level(const char *tag)
{
	static const char *const blocks[] = { "p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4",
					      "h5", "h6", "table", "section", "article", "header", "footer", "hr" };
	static const char *const lines[] = { "li", "tr", "dt", "dd" };
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		if (strcmp(tag, blocks[i]) == 0)
			return 2;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (strcmp(tag, lines[i]) == 0)
			return 1;
	return 0;
}

static void on_tag(struct html *h, const char *tag, bool closing, const char *href, const char *cls)
{
	if (h->skip) {
		if (closing && strcmp(tag, h->skip) == 0)
			h->skip = NULL;
		return;
	}
	if (!closing && (strcmp(tag, "script") == 0 || strcmp(tag, "style") == 0)) {
		h->skip = tag[1] == 'c' ? "script" : "style";
		return;
	}
	if (strcmp(tag, "br") == 0) {
		close_link(h);
		want_break(h, 1, true);
		return;
	}
	if (strcmp(tag, "a") == 0) {
		close_link(h);
		if (closing)
			return;
		h->in_link = true;
		h->tagged = cls && (has_class(cls, "mention") || has_class(cls, "hashtag"));
		qr_buf_reset(&h->href);
		if (href)
			qr_html_decode(&h->href, href, strlen(href));
		h->space_before = h->space;
		h->space = false;
		return;
	}
	int level = block_level(tag);
	if (level) {
		close_link(h);
		want_break(h, level, false);
	}
	if (strcmp(tag, "pre") == 0)
		h->pre += closing ? (h->pre > 0 ? -1 : 0) : 1;
}

/* Parse the tag at s[0] == '<'; returns its length, 0 when it is not one. */
static size_t parse_tag(struct html *h, const char *s, size_t n)
{
	size_t i = 1;
	if (i < n && s[i] == '!') {
		const char *end = n >= 4 && memcmp(s, "<!--", 4) == 0 ? memmem(s + 4, n - 4, "-->", 3) : memchr(s, '>', n);
		if (!end)
			return n;
		return (size_t)(end - s) + (*end == '-' ? 3 : 1);
	}
	bool closing = i < n && s[i] == '/';
	i += closing;
	char tag[16];
	size_t t = 0;
	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (t && s[i] >= '0' && s[i] <= '9'))) {
		if (t < sizeof(tag) - 1)
			tag[t++] = (char)(s[i] | 0x20);
		i++;
	}
	if (!t)
		return 0;
	tag[t] = '\0';
	qr_buf href = QR_BUF_INIT, cls = QR_BUF_INIT, name = QR_BUF_INIT, value = QR_BUF_INIT;
	bool have_href = false, have_class = false;
	while (i < n && s[i] != '>') {
		if (is_blank(s[i]) || s[i] == '/') {
			i++;
			continue;
		}
		qr_buf_reset(&name);
		qr_buf_reset(&value);
		while (i < n && !is_blank(s[i]) && s[i] != '=' && s[i] != '>' && s[i] != '/')
			qr_buf_addch(&name, s[i++] | 0x20);
		while (i < n && is_blank(s[i]))
			i++;
		if (i < n && s[i] == '=') {
			i++;
			while (i < n && is_blank(s[i]))
				i++;
			if (i < n && (s[i] == '"' || s[i] == '\'')) {
				char q = s[i++];
				while (i < n && s[i] != q)
					qr_buf_addch(&value, s[i++]);
				i += i < n;
			} else {
				while (i < n && !is_blank(s[i]) && s[i] != '>')
					qr_buf_addch(&value, s[i++]);
			}
		}
		if (strcmp(name.buf, "href") == 0 && !have_href) {
			qr_buf_adds(&href, value.buf);
			have_href = true;
		} else if (strcmp(name.buf, "class") == 0 && !have_class) {
			qr_buf_adds(&cls, value.buf);
			have_class = true;
		}
	}
	if (i < n) /* the '>' */
		on_tag(h, tag, closing, have_href ? href.buf : NULL, have_class ? cls.buf : NULL);
	qr_buf_release(&href);
	qr_buf_release(&cls);
	qr_buf_release(&name);
	qr_buf_release(&value);
	return i < n ? i + 1 : n;
}

void qr_html_to_text(qr_buf *out, const char *html, size_t n, qr_strv *links)
{
	struct html h = { 0 };
	h.out = out;
	h.start = out->len;
	h.links = links;
	qr_buf_init(&h.href);
	qr_buf_init(&h.text);
	size_t i = 0;
	while (i < n) {
		if (html[i] == '<') {
			size_t len = parse_tag(&h, html + i, n - i);
			if (len) {
				i += len;
				continue;
			}
		}
		size_t j = i + 1;
		while (j < n && html[j] != '<')
			j++;
		if (!h.skip)
			put_decoded(&h, html + i, j - i);
		i = j;
	}
	close_link(&h);
	trim_spaces(out, h.start);
	qr_buf_release(&h.href);
	qr_buf_release(&h.text);
}
