/*
 * Citations for reference managers: CSL-JSON (what Zotero and pandoc's
 * citeproc read), BibTeX @misc, biblatex @online and RIS.  Each carries the
 * archival locator (corpus id, record, sha256) unless told not to.
 */
#include <string.h>

#include "cite.h"
#include "json.h"
#include "printer.h"
#include "text.h"

static void locator_sentence(qr_buf *out, const qr_printer *p, const qr_post *post)
{
	qr_buf_adds(out, "Archived in quire ");
	qr_locator_text(out, p->corpus_id, post);
}

/* The archive: the corpus, or quire alone for portable output. */
static void archive_name(qr_buf *out, const qr_printer *p)
{
	if (p->portable)
		qr_buf_adds(out, "quire");
	else
		qr_buf_addf(out, "quire corpus %s", p->corpus_id ? p->corpus_id : "?");
}

/* ---- CSL-JSON ---- */

/* CSL-JSON text is rich text: a style may change its case (Chicago puts
 * English titles in title case), and <i>, <b>, <sup>, <sub> and <span> are
 * markup.  A post is quoted as written: the title goes in a nocase span,
 * and a word joiner after '<' keeps tags in the text from being read as
 * markup. */
static void csl_title(qr_buf *out, const char *text)
{
	qr_buf flat = QR_BUF_INIT;
	qr_cite_flatten(&flat, text);
	qr_buf_adds(out, "<span class=\"nocase\">");
	if (!flat.len)
		qr_buf_adds(out, "[Untitled]");
	for (const char *s = flat.buf; *s; s++) {
		qr_buf_addch(out, *s);
		if (*s == '<' && (s[1] == '/' || (s[1] >= 'a' && s[1] <= 'z') || (s[1] >= 'A' && s[1] <= 'Z')))
			qr_buf_adds(out, "\u2060");
	}
	qr_buf_adds(out, "</span>");
	qr_buf_release(&flat);
}

static void csl_begin(qr_printer *p, const qr_result_info *info)
{
	(void)info;
	qr_buf_adds(&p->buf, "[\n");
	qr_printer_flush(p);
}

static void csl_hit(qr_printer *p, const qr_hit *h)
{
	const qr_post *post = h->post;
	qr_buf tmp = QR_BUF_INIT;
	qr_civil c;
	qr_jw w;

	if (p->count++)
		qr_buf_adds(&p->buf, ",\n");
	qr_jw_init(&w, &p->buf, false);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "id", post->id);
	qr_jw_kstr(&w, "type", "post");
	qr_cite_author(&tmp, post);
	qr_jw_key(&w, "author");
	qr_jw_begin_array(&w);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "literal", tmp.buf);
	qr_jw_end_object(&w);
	qr_jw_end_array(&w);
	if (qr_cite_time(post, p->tz, &c)) {
		/* CSL dates stop at the day; the time goes along as "raw". */
		qr_jw_key(&w, "issued");
		qr_jw_begin_object(&w);
		qr_jw_key(&w, "date-parts");
		qr_jw_begin_array(&w);
		qr_jw_begin_array(&w);
		qr_jw_int(&w, c.year);
		qr_jw_int(&w, c.month);
		qr_jw_int(&w, c.day);
		qr_jw_end_array(&w);
		qr_jw_end_array(&w);
		qr_buf_reset(&tmp);
		qr_buf_addf(&tmp, "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute, c.second);
		int off = 0;
		if (p->tz && qr_tz_offset(p->tz, post->created, &off) && off)
			qr_buf_addf(&tmp, "%c%02d:%02d", off < 0 ? '-' : '+', (off < 0 ? -off : off) / 3600,
				    (off < 0 ? -off : off) / 60 % 60);
		else
			qr_buf_addch(&tmp, 'Z');
		qr_jw_kstr(&w, "raw", tmp.buf);
		qr_jw_end_object(&w);
	}
	qr_buf_reset(&tmp);
	csl_title(&tmp, post->text);
	qr_jw_kstr(&w, "title", tmp.buf);
	qr_jw_kstr(&w, "genre", qr_cite_label(post));
	qr_jw_kstr(&w, "container-title", qr_cite_platform(post));
	qr_buf_reset(&tmp);
	if (qr_cite_media(&tmp, post, "; ", "", ""))
		qr_jw_kstr(&w, "medium", tmp.buf);
	qr_jw_kstr(&w, "URL", post->url);
	if (post->lang && strcmp(post->lang, "und") != 0)
		qr_jw_kstr(&w, "language", post->lang);
	if (p->locator) {
		qr_buf_reset(&tmp);
		locator_sentence(&tmp, p, post);
		qr_jw_kstr(&w, "note", tmp.buf);
		qr_buf_reset(&tmp);
		archive_name(&tmp, p);
		qr_jw_kstr(&w, "archive", tmp.buf);
		qr_buf_reset(&tmp);
		if (!p->portable)
			qr_buf_addf(&tmp, "record %s, ", post->record.locator ? post->record.locator : "?");
		qr_buf_addf(&tmp, "sha256 %s", post->record.sha256 ? post->record.sha256 : "?");
		qr_jw_kstr(&w, "archive_location", tmp.buf);
	}
	qr_jw_end_object(&w);
	qr_printer_flush(p);
	qr_buf_release(&tmp);
}

static void csl_end(qr_printer *p, uint32_t shown)
{
	(void)shown;
	qr_buf_adds(&p->buf, p->count ? "\n]\n" : "]\n");
	qr_printer_flush(p);
}

const qr_printer_backend qr_print_csl_json = {
	"csl-json", "CSL-JSON items of type post (Zotero, pandoc --citeproc)", csl_begin, csl_hit, csl_end, false,
};

/* ---- BibTeX and biblatex ---- */

/* Whether the braces in s nest properly: then \{ and \} keep a BibTeX
 * value balanced (BibTeX counts escaped braces too). */
static bool braces_nest(const char *s)
{
	long depth = 0;
	for (; *s && depth >= 0; s++)
		depth += *s == '{' ? 1 : *s == '}' ? -1 : 0;
	return depth == 0;
}

/* Text for a braced BibTeX value that LaTeX prints as it is: the special
 * characters as commands, braces balanced whatever the text holds. */
static void bib_text(qr_buf *out, const char *raw)
{
	qr_buf flat = QR_BUF_INIT, safe = QR_BUF_INIT;
	qr_cite_flatten(&flat, raw);
	qr_escape_terminal(&safe, flat.buf, flat.len, 0);
	bool nest = braces_nest(safe.buf);
	for (const char *s = safe.buf; *s; s++) {
		switch (*s) {
		case '{': qr_buf_adds(out, nest ? "\\{" : "{\\textbraceleft}"); break;
		case '}': qr_buf_adds(out, nest ? "\\}" : "{\\textbraceright}"); break;
		case '\\': qr_buf_adds(out, "{\\textbackslash}"); break;
		case '~': qr_buf_adds(out, "{\\textasciitilde}"); break;
		case '^': qr_buf_adds(out, "{\\textasciicircum}"); break;
		case '#': case '$': case '%': case '&': case '_':
			qr_buf_addch(out, '\\');
			qr_buf_addch(out, *s);
			break;
		default: qr_buf_addch(out, *s);
		}
	}
	qr_buf_release(&flat);
	qr_buf_release(&safe);
}

/* A URL in a url field: verbatim, except what would break the braces. */
static void bib_url(qr_buf *out, const char *url)
{
	for (const unsigned char *s = (const unsigned char *)url; *s; s++) {
		if (*s == '{' || *s == '}' || *s == '\\' || *s <= 0x20 || *s == 0x7f)
			qr_buf_addf(out, "%%%02X", *s);
		else
			qr_buf_addch(out, *s);
	}
}

static void bib_key(qr_buf *out, const char *id)
{
	for (const char *s = id; *s; s++) {
		char c = *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
			  c == '_' || c == '-' || c == '.';
		qr_buf_addch(out, ok ? c : '_');
	}
}

static void bib_field(qr_buf *out, const char *name, const char *value)
{
	qr_buf_addf(out, ",\n  %-12s = {", name);
	bib_text(out, value);
	qr_buf_addch(out, '}');
}

static void bib_entry(qr_printer *p, const qr_hit *h, bool biblatex)
{
	static const char *const months[12] = { "jan", "feb", "mar", "apr", "may", "jun",
						"jul", "aug", "sep", "oct", "nov", "dec" };
	const qr_post *post = h->post;
	qr_buf tmp = QR_BUF_INIT, *b = &p->buf;
	qr_civil c;

	if (p->count++)
		qr_buf_addch(b, '\n');
	qr_buf_addf(b, "@%s{", biblatex ? "online" : "misc");
	bib_key(b, post->id ? post->id : "post");
	/* Double braces: the name is one literal, not First Last. */
	qr_cite_author(&tmp, post);
	qr_buf_addf(b, ",\n  %-12s = {{", "author");
	bib_text(b, tmp.buf);
	qr_buf_adds(b, "}}");
	qr_buf_addf(b, ",\n  %-12s = {{", "title");
	bib_text(b, post->text && *post->text ? post->text : "[Untitled]");
	qr_buf_adds(b, "}}");
	if (qr_cite_time(post, p->tz, &c)) {
		if (biblatex) {
			qr_buf_addf(b, ",\n  %-12s = {%04d-%02d-%02dT%02d:%02d:%02d}", "date", c.year, c.month, c.day,
				    c.hour, c.minute, c.second);
		} else {
			qr_buf_addf(b, ",\n  %-12s = {%d}", "year", c.year);
			qr_buf_addf(b, ",\n  %-12s = %s", "month", months[c.month - 1]);
			qr_buf_addf(b, ",\n  %-12s = {%d}", "day", c.day);
		}
	}
	bib_field(b, "howpublished", qr_cite_platform(post));
	bib_field(b, "type", qr_cite_label(post));
	if (post->url) {
		qr_buf_addf(b, ",\n  %-12s = {", "url");
		bib_url(b, post->url);
		qr_buf_addch(b, '}');
	}
	if (post->lang && strcmp(post->lang, "und") != 0)
		bib_field(b, biblatex ? "langid" : "language", post->lang);
	qr_buf_reset(&tmp);
	bool media = qr_cite_media(&tmp, post, "; ", "", "");
	if (p->locator) {
		if (media)
			qr_buf_adds(&tmp, ". ");
		locator_sentence(&tmp, p, post);
	}
	if (tmp.len)
		bib_field(b, "note", tmp.buf);
	qr_buf_adds(b, "\n}\n");
	qr_printer_flush(p);
	qr_buf_release(&tmp);
}

static void bibtex_hit(qr_printer *p, const qr_hit *h)
{
	bib_entry(p, h, false);
}

static void biblatex_hit(qr_printer *p, const qr_hit *h)
{
	bib_entry(p, h, true);
}

static void nothing_begin(qr_printer *p, const qr_result_info *info)
{
	(void)p, (void)info;
}

static void nothing_end(qr_printer *p, uint32_t shown)
{
	(void)p, (void)shown;
}

const qr_printer_backend qr_print_bibtex = {
	"bibtex", "BibTeX @misc entries with url, howpublished and note", nothing_begin, bibtex_hit, nothing_end,
	false,
};

const qr_printer_backend qr_print_biblatex = {
	"biblatex", "biblatex @online entries with date and time", nothing_begin, biblatex_hit, nothing_end, false,
};

/* ---- RIS ---- */

static void ris_line(qr_buf *out, const char *tag, const char *value)
{
	qr_buf flat = QR_BUF_INIT;
	qr_cite_flatten(&flat, value);
	qr_buf_addf(out, "%s  - ", tag);
	qr_escape_terminal(out, flat.buf, flat.len, 0);
	qr_buf_adds(out, "\r\n");
	qr_buf_release(&flat);
}

static void ris_hit(qr_printer *p, const qr_hit *h)
{
	const qr_post *post = h->post;
	qr_buf tmp = QR_BUF_INIT, *b = &p->buf;
	qr_civil c;
	char when[64];

	if (p->count++)
		qr_buf_adds(b, "\r\n");
	qr_buf_adds(b, "TY  - ICOMM\r\n");
	ris_line(b, "ID", post->id);
	qr_cite_author(&tmp, post);
	ris_line(b, "AU", tmp.buf);
	ris_line(b, "TI", post->text && *post->text ? post->text : "[Untitled]");
	ris_line(b, "T2", qr_cite_platform(post));
	ris_line(b, "M3", qr_cite_label(post));
	if (qr_cite_time(post, p->tz, &c)) {
		snprintf(when, sizeof(when), "%04d", c.year);
		ris_line(b, "PY", when);
		snprintf(when, sizeof(when), "%04d/%02d/%02d/%02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute,
			 c.second);
		ris_line(b, "DA", when);
	}
	if (post->url)
		ris_line(b, "UR", post->url);
	if (post->lang && strcmp(post->lang, "und") != 0)
		ris_line(b, "LA", post->lang);
	for (size_t i = 0; i < post->hashtags.n; i++)
		ris_line(b, "KW", post->hashtags.v[i]);
	qr_buf_reset(&tmp);
	if (qr_cite_media(&tmp, post, "; ", "", ""))
		ris_line(b, "N1", tmp.buf);
	if (p->locator) {
		qr_buf_reset(&tmp);
		locator_sentence(&tmp, p, post);
		ris_line(b, "N1", tmp.buf);
		qr_buf_reset(&tmp);
		archive_name(&tmp, p);
		ris_line(b, "DB", tmp.buf);
		if (post->record.locator)
			ris_line(b, "AN", post->record.locator);
	}
	qr_buf_adds(b, "ER  - \r\n");
	qr_printer_flush(p);
	qr_buf_release(&tmp);
}

const qr_printer_backend qr_print_ris = {
	"ris", "RIS records of type ICOMM (EndNote, Zotero, Mendeley)", nothing_begin, ris_hit, nothing_end, false,
};
