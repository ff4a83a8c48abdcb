/*
 * bench/qcount: the exact number of posts a quire query matches, and how
 * long counting them takes once the corpus is open.
 *
 *   qcount CORPUS QUERY
 *
 * `quire search` reports Xapian's estimate (exact only when its bounds
 * agree); this asks the matcher to check every document.  Prints:
 * count, then milliseconds for the count.
 */
#include <stdio.h>

#include "corpus.h"
#include "query.h"
#include "timing.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: qcount CORPUS QUERY\n");
		return 2;
	}
	qr_corpus *c;
	qr_buf err = QR_BUF_INIT;
	xc_query *q = NULL;
	xc_enquire *enq = NULL;
	xc_mset *ms = NULL;
	qr_query_opts o = { NULL, NULL, NULL, false };
	if (qr_corpus_open(argv[1], QR_OPEN_READ, &c, &err) || qr_query_build(qr_corpus_db(c), argv[2], &o, &q, &err)) {
		fprintf(stderr, "qcount: %s\n", err.buf);
		return 3;
	}
	uint32_t docs = 0;
	double t0 = bench_now_ms();
	if (xc_db_doccount(qr_corpus_db(c), &docs) != XC_OK || xc_enquire_create(qr_corpus_db(c), &enq) != XC_OK || xc_enquire_set_query(enq, q) != XC_OK ||
	    xc_enquire_get_mset(enq, 0, 0, docs, &ms) != XC_OK) {
		fprintf(stderr, "qcount: the count failed\n");
		return 5;
	}
	double t1 = bench_now_ms();
	if (xc_mset_matches_lower_bound(ms) != xc_mset_matches_upper_bound(ms)) {
		fprintf(stderr, "qcount: the count is not exact\n");
		return 5;
	}
	printf("%u %.3f\n", xc_mset_matches_estimated(ms), t1 - t0);
	xc_mset_destroy(ms);
	xc_enquire_destroy(enq);
	xc_query_destroy(q);
	qr_corpus_close(c);
	qr_buf_release(&err);
	return 0;
}
