#include "printer.h"

#include <stdlib.h>
#include <string.h>

extern const qr_printer_backend qr_print_text, qr_print_json, qr_print_jsonl, qr_print_ids;

const qr_printer_backend *const qr_printer_backends[] = {
	&qr_print_text,
	&qr_print_json,
	&qr_print_jsonl,
	&qr_print_ids,
	NULL,
};

qr_printer *qr_printer_new(const char *name, FILE *out, bool color, bool locator, const char *corpus_id)
{
	for (size_t i = 0; qr_printer_backends[i]; i++) {
		const qr_printer_backend *b = qr_printer_backends[i];
		if (strcmp(b->name, name) != 0)
			continue;
		qr_printer *p = qr_calloc(1, sizeof(*p));
		p->name = b->name;
		p->begin = b->begin;
		p->hit = b->hit;
		p->end = b->end;
		p->out = out;
		p->color = color;
		p->locator = locator;
		p->corpus_id = corpus_id;
		qr_buf_init(&p->buf);
		return p;
	}
	return NULL;
}

void qr_printer_free(qr_printer *p)
{
	if (!p)
		return;
	qr_buf_release(&p->buf);
	free(p->state);
	free(p);
}

void qr_printer_flush(qr_printer *p)
{
	fwrite(p->buf.buf, 1, p->buf.len, p->out);
	qr_buf_reset(&p->buf);
}

void qr_locator_text(qr_buf *out, const char *corpus_id, const qr_post *p)
{
	qr_buf_addf(out, "corpus %s, record %s, sha256 %s", corpus_id ? corpus_id : "?",
		    p->record.locator ? p->record.locator : "?", p->record.sha256 ? p->record.sha256 : "?");
}

bool qr_media_summary(qr_buf *out, const qr_post *p)
{
	static const char *order[] = { "video", "gif", "photo", "audio", "file" };
	bool any = false;
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		size_t n = 0;
		for (size_t i = 0; i < p->nmedia; i++)
			if (p->media[i].type && strcmp(p->media[i].type, order[k]) == 0)
				n++;
		if (!n)
			continue;
		qr_buf_addf(out, "%s%s", any ? ", " : "", order[k]);
		if (n > 1)
			qr_buf_addf(out, " x%zu", n);
		any = true;
	}
	return any;
}
