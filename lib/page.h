#ifndef QR_PAGE_H
#define QR_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "corpus.h"
#include "xapian-c.h"

/*
 * The documents of a page of matches, read together: on a federation with
 * shards on other machines, one request to each of them for the page
 * (qr_federation_documents); elsewhere Xapian's own prefetch.  A page is
 * reused from one MSet to the next.
 */
typedef struct qr_page qr_page;
qr_page *qr_page_new(void);
void qr_page_free(qr_page *pg);
/* XC_OK, or Xapian's status (XC_ERR_NETWORK for a shard that does not
 * answer) with the reason in why. */
xc_status qr_corpus_page_fetch(qr_corpus *c, xc_mset *ms, qr_page *pg, qr_buf *why);
/* The data of match i of that MSet (malloc'd), as xc_doc_get_data gives it. */
xc_status qr_corpus_page_data(qr_corpus *c, qr_page *pg, xc_mset *ms, uint32_t i, char **data, size_t *len,
			      qr_buf *why);

#endif
