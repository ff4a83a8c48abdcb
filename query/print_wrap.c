/*
 * What wraps a back end without changing it: portable posts and ties in id
 * order (printer.h).  The wrapper takes the printer's hit and end and
 * calls the back end's own with the post it should print.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "printer.h"

struct held {
	qr_post post;
	qr_hit hit;
	char *snippet;
};

struct qr_printer_wrap {
	void (*hit)(qr_printer *p, const qr_hit *hit);
	void (*end)(qr_printer *p, uint32_t shown);
	bool ties;
	/* ties: the hits of the second being read */
	struct held *held;
	size_t nheld, alloc;
	/* portable: the copy handed to the back end */
	qr_media *media;
	size_t media_alloc;
};

/* The post without what only this corpus knows: a shallow copy whose
 * media array is the wrapper's own. */
static const qr_post *portable_post(struct qr_printer_wrap *w, const qr_post *in, qr_post *copy)
{
	*copy = *in;
	copy->source.number = 0;
	copy->record.locator = NULL;
	copy->record.versions.n = 0;
	if (in->nmedia) {
		w->media = qr_grow_array(w->media, sizeof(*w->media), in->nmedia, &w->media_alloc);
		memcpy(w->media, in->media, in->nmedia * sizeof(*w->media));
		for (size_t i = 0; i < in->nmedia; i++)
			w->media[i].locator = NULL;
		copy->media = w->media;
	}
	return copy;
}

static void pass(qr_printer *p, const qr_hit *h)
{
	struct qr_printer_wrap *w = p->wrap;
	if (!p->portable) {
		w->hit(p, h);
		return;
	}
	qr_post copy;
	qr_hit hit = *h;
	hit.post = portable_post(w, h->post, &copy);
	w->hit(p, &hit);
}

static int by_id(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	return strcmp(x->post.id ? x->post.id : "", y->post.id ? y->post.id : "");
}

/* The second ended: its hits in id order, with the ranks they came with. */
static void release(qr_printer *p)
{
	struct qr_printer_wrap *w = p->wrap;
	uint32_t first = w->nheld ? w->held[0].hit.rank : 0;
	if (w->nheld > 1)
		qsort(w->held, w->nheld, sizeof(*w->held), by_id);
	for (size_t i = 0; i < w->nheld; i++) {
		struct held *h = &w->held[i];
		h->hit.post = &h->post;
		h->hit.rank = first + (uint32_t)i;
		h->hit.snippet = h->snippet;
		pass(p, &h->hit);
		qr_post_clear(&h->post);
		free(h->snippet);
	}
	w->nheld = 0;
}

static void hold(qr_printer *p, const qr_hit *h)
{
	struct qr_printer_wrap *w = p->wrap;
	/* bounded: a second of more posts than that (posts without a time
	 * all share one) is ordered a part at a time */
	if (w->nheld && (w->held[0].post.created != h->post->created || w->nheld >= QR_PRINTER_TIES))
		release(p);
	w->held = qr_grow_array(w->held, sizeof(*w->held), w->nheld + 1, &w->alloc);
	struct held *k = &w->held[w->nheld++];
	/* A deep copy through the document data's own JSON: the caller
	 * reuses its post for the next hit. */
	qr_buf data = QR_BUF_INIT, why = QR_BUF_INIT;
	qr_jw jw;
	qr_jw_init(&jw, &data, false);
	qr_post_to_data(h->post, &jw);
	qr_post_init(&k->post);
	qr_post_from_json(&k->post, data.buf, data.len, &why);
	k->hit = *h;
	/* A time sort has no score that means anything, and a weight
	 * depends on the corpus's statistics: none is given. */
	k->hit.weight = 0;
	k->snippet = h->snippet ? qr_strdup(h->snippet) : NULL;
	qr_buf_release(&data);
	qr_buf_release(&why);
}

static void wrap_hit(qr_printer *p, const qr_hit *h)
{
	if (p->wrap->ties)
		hold(p, h);
	else
		pass(p, h);
}

static void wrap_end(qr_printer *p, uint32_t shown)
{
	release(p);
	p->wrap->end(p, shown);
}

static struct qr_printer_wrap *wrap(qr_printer *p)
{
	if (!p->wrap) {
		p->wrap = qr_calloc(1, sizeof(*p->wrap));
		p->wrap->hit = p->hit;
		p->wrap->end = p->end;
		p->hit = wrap_hit;
		p->end = wrap_end;
	}
	return p->wrap;
}

void qr_printer_set_portable(qr_printer *p)
{
	wrap(p);
	p->portable = true;
	p->untouched = true;
	p->corpus_id = NULL;
}

void qr_printer_order_ties(qr_printer *p)
{
	wrap(p)->ties = true;
}

void qr_printer_wrap_free(qr_printer *p)
{
	struct qr_printer_wrap *w = p->wrap;
	if (!w)
		return;
	for (size_t i = 0; i < w->nheld; i++) {
		qr_post_clear(&w->held[i].post);
		free(w->held[i].snippet);
	}
	free(w->held);
	free(w->media);
	free(w);
	p->wrap = NULL;
}
