#include "printer.h"

#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "text.h"

extern const qr_printer_backend qr_print_text, qr_print_json, qr_print_jsonl, qr_print_csv, qr_print_csv_raw,
	qr_print_xlsx, qr_print_ids,
	qr_print_csl_json, qr_print_bibtex, qr_print_biblatex, qr_print_ris, qr_print_apa, qr_print_mla,
	qr_print_chicago;

const qr_printer_backend *const qr_printer_backends[] = {
	&qr_print_text, &qr_print_json,  &qr_print_jsonl, &qr_print_csv,   &qr_print_csv_raw, &qr_print_xlsx, &qr_print_ids,
	&qr_print_csl_json, &qr_print_bibtex, &qr_print_biblatex, &qr_print_ris, &qr_print_apa,
	&qr_print_mla, &qr_print_chicago, NULL,
};

static const qr_printer_backend *backend(const char *name)
{
	for (size_t i = 0; qr_printer_backends[i]; i++)
		if (strcmp(qr_printer_backends[i]->name, name) == 0)
			return qr_printer_backends[i];
	return NULL;
}

const char *qr_printer_names(void)
{
	static char names[256];
	if (!names[0]) {
		size_t at = 0;
		for (size_t i = 0; qr_printer_backends[i]; i++) {
			int n = snprintf(names + at, sizeof(names) - at, "%s%s", i ? ", " : "",
					 qr_printer_backends[i]->name);
			if (n < 0 || (size_t)n >= sizeof(names) - at)
				break;
			at += (size_t)n;
		}
	}
	return names;
}

bool qr_printer_exists(const char *name)
{
	return backend(name) != NULL;
}

bool qr_printer_binary(const char *name)
{
	return strcmp(name, "xlsx") == 0;
}

bool qr_printer_wants_snippets(const qr_printer *p)
{
	return p->snippets;
}

qr_printer *qr_printer_new(const char *name, FILE *out, bool color, bool locator, const char *corpus_id)
{
	const qr_printer_backend *b = backend(name);
	if (!b)
		return NULL;
	qr_printer *p = qr_printer_new_backend(b, out, locator, corpus_id);
	p->color = color;
	return p;
}

qr_printer *qr_printer_new_backend(const qr_printer_backend *b, FILE *out, bool locator, const char *corpus_id)
{
	qr_printer *p = qr_calloc(1, sizeof(*p));
	p->name = b->name;
	p->begin = b->begin;
	p->hit = b->hit;
	p->end = b->end;
	p->out = out;
	p->locator = locator;
	p->corpus_id = corpus_id;
	p->snippets = b->snippets;
	qr_buf_init(&p->buf);
	qr_buf_init(&p->err);
	return p;
}

void qr_printer_free(qr_printer *p)
{
	if (!p)
		return;
	qr_buf_release(&p->buf);
	qr_buf_release(&p->err);
	qr_table_free(p->table);
	qr_printer_wrap_free(p);
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
	if (!corpus_id && !p->record.locator) {
		/* portable: the record's sha256 is what any corpus can check */
		qr_buf_addf(out, "record sha256 %s", p->record.sha256 ? p->record.sha256 : "?");
		return;
	}
	qr_buf_addf(out, "corpus %s, record %s, sha256 %s", corpus_id ? corpus_id : "?",
		    p->record.locator ? p->record.locator : "?", p->record.sha256 ? p->record.sha256 : "?");
}

bool qr_media_summary(qr_buf *out, const qr_post *p)
{
	bool any = false;
	for (const qr_media_kind *k = qr_media_kinds; k->name; k++) {
		size_t n = 0;
		for (size_t i = 0; i < p->nmedia; i++)
			if (p->media[i].type && strcmp(p->media[i].type, k->name) == 0)
				n++;
		if (!n)
			continue;
		qr_buf_addf(out, "%s%s", any ? ", " : "", k->name);
		if (n > 1)
			qr_buf_addf(out, " x%zu", n);
		any = true;
	}
	return any;
}

void qr_printer_safe(qr_buf *out, const char *s, int flags)
{
	if (s)
		qr_escape_terminal(out, s, strlen(s), flags);
}
