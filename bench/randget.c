/*
 * bench/randget: random access to a corpus's store, checked byte for byte.
 *
 *   randget CORPUS FIELDS.tsv INPUT [COUNT] [SEED]
 *
 * Picks COUNT (1,000) posts at random from fields.tsv, finds each in the
 * index, and fetches its record from the store with qr_store_get; every
 * record must equal the bytes at its offset in the input (the generator
 * wrote the offsets).  One process, warm page cache after the first few.
 * Prints two lines of milliseconds, median p99 max:
 *
 *   store_get  ...   qr_store_get alone (read, decompress, sha256 check); on a
 *                    federation, the record from its shard's store path
 *   lookup     ...   id -> document -> locator -> record, all of it
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corpus.h"
#include "store.h"
#include "timing.h"

struct row {
	char id[24];
	uint64_t offset, length;
};

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: randget CORPUS FIELDS.tsv INPUT [COUNT] [SEED]\n");
		return 2;
	}
	int count = argc > 4 ? atoi(argv[4]) : 1000;
	unsigned seed = argc > 5 ? (unsigned)atoi(argv[5]) : 7;
	FILE *tsv = fopen(argv[2], "r");
	int in = open(argv[3], O_RDONLY);
	if (!tsv || in < 0 || count < 1) {
		fprintf(stderr, "randget: cannot read %s or %s\n", argv[2], argv[3]);
		return 3;
	}
	struct row *rows = NULL;
	size_t n = 0, alloc = 0, cap = 0;
	char *line = NULL;
	while (getline(&line, &cap, tsv) > 0) {
		/* id is field 1, offset and length fields 15 and 16 */
		char *f[17];
		char *p = line;
		int k = 0;
		f[k++] = p;
		while (k < 17 && (p = strchr(p, '\t'))) {
			*p++ = 0;
			f[k++] = p;
		}
		if (k < 17)
			continue;
		rows = qr_grow_array(rows, sizeof(*rows), n + 1, &alloc);
		snprintf(rows[n].id, sizeof(rows[n].id), "%s", f[0]);
		rows[n].offset = strtoull(f[14], NULL, 10);
		rows[n].length = strtoull(f[15], NULL, 10);
		n++;
	}
	free(line);
	fclose(tsv);
	if (!n) {
		fprintf(stderr, "randget: no posts in %s\n", argv[2]);
		return 3;
	}

	qr_corpus *c;
	qr_buf err = QR_BUF_INIT, data = QR_BUF_INIT, want = QR_BUF_INIT, pid = QR_BUF_INIT;
	if (qr_corpus_open(argv[1], QR_OPEN_READ, &c, &err)) {
		fprintf(stderr, "randget: %s\n", err.buf);
		return 3;
	}
	double *get = qr_calloc((size_t)count, sizeof(double)), *all = qr_calloc((size_t)count, sizeof(double));
	srand(seed);
	int bad = 0;
	for (int i = 0; i < count; i++) {
		const struct row *r = &rows[(size_t)rand() % n];
		qr_post p;
		qr_locator loc;
		xc_docid docid;
		qr_post_init(&p);
		double t0 = bench_now_ms();
		qr_buf_setf(&pid, "twitter:%s", r->id);
		if (qr_corpus_find(c, pid.buf, &docid) || qr_corpus_load_post(c, docid, &p) ||
		    !qr_locator_parse(p.record.locator, &loc)) {
			fprintf(stderr, "randget: cannot find %s: %s\n", pid.buf, qr_corpus_error(c));
			return 3;
		}
		double t1 = bench_now_ms();
		/* A federation reads the record from the shard that holds it
		 * (and checks its sha256, as the store does). */
		int st = qr_corpus_federation(c) ? qr_corpus_get_record(c, &p, &data)
						 : qr_store_get(qr_corpus_store(c), &loc, &data, NULL, NULL);
		double t2 = bench_now_ms();
		get[i] = t2 - t1;
		all[i] = t2 - t0;
		/* the input line, newline left out (as the generator counts it) */
		size_t len = (size_t)r->length;
		qr_buf_reset(&want);
		qr_buf_grow(&want, len);
		if (st || pread(in, want.buf, len, (off_t)r->offset) != (ssize_t)len || data.len != len ||
		    memcmp(data.buf, want.buf, len) != 0) {
			if (bad++ < 5)
				fprintf(stderr, "randget: record of %s is not byte-exact (status %d)\n", pid.buf, st);
		}
		qr_post_clear(&p);
	}
	qsort(get, (size_t)count, sizeof(double), bench_cmp_double);
	qsort(all, (size_t)count, sizeof(double), bench_cmp_double);
	int p99 = (int)(0.99 * count + 0.999999) - 1;
	printf("store_get %.4f %.4f %.4f\n", get[count / 2], get[p99], get[count - 1]);
	printf("lookup %.4f %.4f %.4f\n", all[count / 2], all[p99], all[count - 1]);
	printf("exact %d of %d\n", count - bad, count);
	qr_corpus_close(c);
	close(in);
	return bad ? 1 : 0;
}
