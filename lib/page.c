/* The documents of a page of matches, read together (page.h). */
#include "page.h"

#include <stdlib.h>
#include <string.h>

#include "federation.h"
#include "status.h"

struct qr_page {
	qr_fed_docs docs;
	bool batched;
	xc_docid *ids;
	size_t ids_alloc;
};

qr_page *qr_page_new(void)
{
	qr_page *pg = qr_calloc(1, sizeof(*pg));
	qr_fed_docs_init(&pg->docs);
	return pg;
}

void qr_page_free(qr_page *pg)
{
	if (!pg)
		return;
	qr_fed_docs_release(&pg->docs);
	free(pg->ids);
	free(pg);
}

xc_status qr_corpus_page_fetch(qr_corpus *c, xc_mset *ms, qr_page *pg, qr_buf *why)
{
	uint32_t n = xc_mset_size(ms);
	qr_federation *fed = qr_corpus_federation(c);
	pg->batched = false;
	if (!fed || !qr_corpus_remote(c)) {
		xc_mset_fetch(ms);
		return XC_OK;
	}
	pg->ids = qr_grow_array(pg->ids, sizeof(*pg->ids), n ? n : 1, &pg->ids_alloc);
	for (uint32_t i = 0; i < n; i++) {
		xc_status x = xc_mset_docid(ms, i, &pg->ids[i]);
		if (x != XC_OK) {
			qr_buf_setf(why, "%s", xc_mset_error(ms));
			return x;
		}
	}
	qr_buf_reset(why);
	int st = qr_federation_documents(fed, pg->ids, n, &pg->docs, why);
	if (st == QR_NOT_FOUND) {
		/* a serve-shard that does not serve documents: through Xapian */
		qr_buf_reset(why);
		xc_mset_fetch(ms);
		return XC_OK;
	}
	if (st)
		return XC_ERR_NETWORK;
	pg->batched = true;
	return XC_OK;
}

xc_status qr_corpus_page_data(qr_corpus *c, qr_page *pg, xc_mset *ms, uint32_t i, char **data, size_t *len,
			      qr_buf *why)
{
	(void)c;
	if (pg->batched && i < pg->docs.n && pg->docs.len[i] != SIZE_MAX) {
		*len = pg->docs.len[i];
		*data = qr_malloc(*len + 1);
		memcpy(*data, pg->docs.buf.buf + pg->docs.off[i], *len);
		(*data)[*len] = '\0';
		return XC_OK;
	}
	xc_doc *doc = NULL;
	xc_status x = xc_mset_document(ms, i, &doc);
	if (x == XC_OK)
		x = xc_doc_get_data(doc, data, len);
	if (x != XC_OK)
		qr_buf_setf(why, "%s", doc ? xc_doc_error(doc) : xc_mset_error(ms));
	xc_doc_destroy(doc);
	return x;
}
