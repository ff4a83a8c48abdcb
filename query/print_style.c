/*
 * Formatted references, ready to paste: APA 7, MLA 9 and Chicago 17 (note
 * form), one per paragraph, each followed by its archival locator unless
 * told not to.
 */
#include "cite.h"
#include "printer.h"

static void style_hit(qr_printer *p, const qr_hit *h, void (*fmt)(qr_buf *, const qr_post *, const char *))
{
	qr_buf ref = QR_BUF_INIT;
	if (p->count++)
		qr_buf_addch(&p->buf, '\n');
	fmt(&ref, h->post, p->tz);
	qr_printer_safe(&p->buf, ref.buf, 0);
	qr_buf_addch(&p->buf, '\n');
	if (p->locator) {
		qr_buf_adds(&p->buf, "  archived: ");
		qr_locator_text(&p->buf, p->corpus_id, h->post);
		qr_buf_addch(&p->buf, '\n');
	}
	qr_printer_flush(p);
	qr_buf_release(&ref);
}

static void apa(qr_printer *p, const qr_hit *h)
{
	style_hit(p, h, qr_cite_apa);
}

static void mla(qr_printer *p, const qr_hit *h)
{
	style_hit(p, h, qr_cite_mla);
}

static void chicago(qr_printer *p, const qr_hit *h)
{
	style_hit(p, h, qr_cite_chicago);
}

static void nothing_begin(qr_printer *p, const qr_result_info *info)
{
	(void)p, (void)info;
}

static void nothing_end(qr_printer *p, uint32_t shown)
{
	(void)p, (void)shown;
}

const qr_printer_backend qr_print_apa = {
	"apa", "APA 7 references: Name [@handle]. (2020, June 3). First twenty words [Tweet]. Twitter. URL",
	nothing_begin, apa, nothing_end, false,
};

const qr_printer_backend qr_print_mla = {
	"mla", "MLA 9 entries: @handle (Name). \"Text.\" Twitter, 3 June 2020, 2:02 p.m., URL.", nothing_begin, mla,
	nothing_end, false,
};

const qr_printer_backend qr_print_chicago = {
	"chicago", "Chicago 17 notes: Name (@handle), \"text,\" Twitter, June 3, 2020, 2:02 p.m., URL.",
	nothing_begin, chicago, nothing_end, false,
};
