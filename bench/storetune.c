/*
 * bench/storetune: block size, zstd level, dictionary and record order for
 * the store, measured with the store itself (lib/store.h, block header v2)
 * on a slice of a corpus.
 *
 *   storetune INPUT.jsonl WORKDIR [SAMPLE_RECORDS] [CONFIGS]
 *
 * Takes SAMPLE_RECORDS (40,000) consecutive lines from the start of the
 * input (where a corpus's ingest starts, so that a dictionary trained on
 * the first records is trained on what ingest would see) and writes them
 * into a fresh store for each configuration: block size, level, and a
 * dictionary: none; "auto", the store's own, trained on the first 16 MB
 * of records it receives (STORETUNE_SAMPLE_MB to change), the blocks
 * before it compressed without one (what ingest does); "first", trained
 * on the first 16 MB and there from the first block; "spread", trained on
 * 32 MB of records spread over the sample (what `quire compact` does).  "clustered" writes the records in
 * the order compaction does: each retweet or quote next to the first
 * record of its original within a window of 256 MB.  For each it prints
 * the store's bytes (headers and dictionary included), the ratio to the
 * raw sample and to zstd -19 of it, the write speed, the time of 1,000
 * random qr_store_get calls (median, p99) and the share of the block
 * headers (skippable frames) with the ratio without them.  The whole
 * sample compressed as one stream (zstd -3, -19, -19 --long=27 through
 * libzstd) gives the yardsticks on the same bytes.  CONFIGS picks rows by
 * number ("1,3,5"); all by default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "buf.h"
#include "hash.h"
#include "store.h"
#include "timing.h"

/* training sample of "first" and "auto" (ingest's, STORETUNE_SAMPLE_MB to
 * change) and of "spread" (compaction's) */
static size_t SAMPLE_BYTES = 16u << 20;
#define SPREAD_BYTES (32u << 20)
#define WINDOW (256u << 20)        /* of the clustered order */

typedef struct lines {
	char **p;
	size_t *len;
	size_t n, alloc, alloc2;
} lines;

static void lines_read(const char *path, size_t max, lines *l, qr_buf *all)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(3);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	qr_buf offs = QR_BUF_INIT;
	while (l->n < max && (n = getline(&line, &cap, f)) > 0) {
		size_t at = all->len;
		qr_buf_add(all, line, (size_t)(n - 1));
		l->len = qr_grow_array(l->len, sizeof(size_t), l->n + 1, &l->alloc);
		l->len[l->n] = (size_t)(n - 1);
		qr_buf_add(&offs, &at, sizeof(at));
		l->n++;
	}
	free(line);
	fclose(f);
	l->p = qr_malloc((l->n ? l->n : 1) * sizeof(char *));
	for (size_t i = 0; i < l->n; i++)
		l->p[i] = all->buf + ((size_t *)offs.buf)[i];
	qr_buf_release(&offs);
}

/* Train a dictionary of dsize bytes on records idx[0..n) (as the store does). */
static void train(const lines *l, const size_t *idx, size_t n, size_t dsize, qr_buf *dict)
{
	qr_buf samples = QR_BUF_INIT, err = QR_BUF_INIT;
	size_t *sizes = qr_malloc(n * sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		qr_buf_add(&samples, l->p[idx[i]], l->len[idx[i]]);
		sizes[i] = l->len[idx[i]];
	}
	if (qr_store_train_dictionary(samples.buf, sizes, n, dsize, dict, &err)) {
		fprintf(stderr, "storetune: %s\n", err.buf);
		exit(5);
	}
	free(sizes);
	qr_buf_release(&samples);
	qr_buf_release(&err);
}

enum dict_mode { D_NONE, D_AUTO, D_FIRST, D_SPREAD };
static const char *const dict_names[] = { "none", "auto", "first", "spread" };

struct config {
	size_t block;
	int level;
	int dict;
	size_t dict_size;
	bool clustered;
};

static void rm_rf(const char *dir)
{
	qr_buf cmd = QR_BUF_INIT;
	qr_buf_setf(&cmd, "rm -rf '%s'", dir);
	if (system(cmd.buf) != 0)
		fprintf(stderr, "storetune: cannot remove %s\n", dir);
	qr_buf_release(&cmd);
}

/* Bytes of the block-header (skippable) frames in the store's record
 * segments: what the store spends besides zstd's own frames. */
static uint64_t header_bytes(qr_store *s)
{
	uint64_t total = 0;
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT;
	for (uint32_t seg = 1; seg <= qr_store_last_segment(s, QR_STREAM_RECORDS); seg++) {
		qr_store_segment_path(s, QR_STREAM_RECORDS, seg, &path);
		FILE *f = fopen(path.buf, "rb");
		if (!f)
			break;
		qr_buf_reset(&data);
		char chunk[1 << 16];
		size_t n;
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			qr_buf_add(&data, chunk, n);
		fclose(f);
		size_t at = 0;
		while (at + 8 <= data.len) {
			size_t len = ZSTD_findFrameCompressedSize(data.buf + at, data.len - at);
			if (ZSTD_isError(len))
				break;
			uint32_t magic = (uint32_t)(uint8_t)data.buf[at] | (uint32_t)(uint8_t)data.buf[at + 1] << 8 |
					 (uint32_t)(uint8_t)data.buf[at + 2] << 16 | (uint32_t)(uint8_t)data.buf[at + 3] << 24;
			if ((magic & 0xFFFFFFF0U) == 0x184D2A50U)
				total += len;
			at += len;
		}
	}
	qr_buf_release(&path);
	qr_buf_release(&data);
	return total;
}

/* The id a record clusters on: the original it retweets or quotes, else its own. */
static uint64_t cluster_key(const char *rec, size_t len)
{
	char *copy = qr_malloc(len + 1);
	memcpy(copy, rec, len);
	copy[len] = 0;
	const char *p = strstr(copy, "\"retweeted_status\":{");
	if (!p)
		p = strstr(copy, "\"quoted_status_id_str\":\"");
	const char *q = p ? strstr(p, "id_str\":\"") : strstr(copy, "\"id_str\":\"");
	uint64_t k = q ? strtoull(strchr(q, ':') + 2, NULL, 10) : 0;
	free(copy);
	return k;
}

struct ord {
	size_t rank, i;
};

static int cmp_ord(const void *a, const void *b)
{
	const struct ord *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* Compaction's order: within windows of WINDOW bytes, records grouped by
 * their key, groups in the order their first record came, records of a
 * group in input order. */
static size_t *clustered_order(const lines *l, size_t from, size_t n)
{
	size_t *order = qr_malloc(n * sizeof(size_t));
	struct ord *o = qr_malloc(n * sizeof(*o));
	uint64_t *keys = qr_malloc(n * sizeof(uint64_t));
	size_t *first = qr_malloc(n * sizeof(size_t));
	size_t start = 0, bytes = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n) {
			keys[i] = cluster_key(l->p[from + i], l->len[from + i]);
			bytes += l->len[from + i] + 1;
		}
		if (i < n && bytes < WINDOW)
			continue;
		size_t end = i < n ? i + 1 : n;
		/* a window [start, end): quadratic-free grouping by sorting keys */
		for (size_t k = start; k < end; k++) {
			o[k].rank = (size_t)keys[k];
			o[k].i = k;
		}
		qsort(o + start, end - start, sizeof(*o), cmp_ord);
		for (size_t k = start; k < end;) {
			size_t e = k, min = o[k].i;
			while (e < end && o[e].rank == o[k].rank) {
				if (o[e].i < min)
					min = o[e].i;
				e++;
			}
			for (size_t j = k; j < e; j++)
				first[o[j].i] = min;
			k = e;
		}
		for (size_t k = start; k < end; k++) {
			o[k].rank = first[k];
			o[k].i = k;
		}
		qsort(o + start, end - start, sizeof(*o), cmp_ord);
		for (size_t k = start; k < end; k++)
			order[k] = o[k].i;
		start = end;
		bytes = 0;
	}
	free(o);
	free(keys);
	free(first);
	return order;
}

static void measure(const struct config *cf, int row, const char *work, const lines *l, size_t from, size_t n,
		    uint64_t raw, uint64_t z19)
{
	qr_buf dir = QR_BUF_INIT, err = QR_BUF_INIT, data = QR_BUF_INIT, dict = QR_BUF_INIT;
	qr_store_options o;
	qr_store *s;
	qr_locator *locs = qr_malloc(n * sizeof(qr_locator));
	char ids[48];

	qr_buf_setf(&dir, "%s/store-%d", work, row);
	rm_rf(dir.buf);
	mkdir(dir.buf, 0755);
	qr_store_options_default(&o);
	o.block_size = cf->block;
	o.level = cf->level;
	/* only "auto" lets the store train its own; the others have none or
	 * the one given */
	o.dict_size = cf->dict == D_AUTO ? cf->dict_size : 0;
	o.dict_sample = SAMPLE_BYTES;
	o.dict_explicit = cf->dict != D_AUTO;
	double t0 = bench_now();
	if (cf->dict == D_FIRST || cf->dict == D_SPREAD) {
		/* as many records as make the sample, from the start or spread */
		size_t k = 0, bytes = 0, want = cf->dict == D_SPREAD ? SPREAD_BYTES : SAMPLE_BYTES;
		while (k < n && bytes < want)
			bytes += l->len[from + k++];
		size_t *idx = qr_malloc(k * sizeof(size_t));
		for (size_t i = 0; i < k; i++)
			idx[i] = from + (cf->dict == D_FIRST ? i : i * (n / k));
		train(l, idx, k, cf->dict_size, &dict);
		free(idx);
	}
	if (qr_store_open(dir.buf, true, &o, &s, &err)) {
		fprintf(stderr, "storetune: %s\n", err.buf);
		exit(3);
	}
	if (dict.len && qr_store_use_dictionary(s, dict.buf, dict.len, NULL)) {
		fprintf(stderr, "storetune: %s\n", qr_store_error(s));
		exit(3);
	}
	size_t *order = cf->clustered ? clustered_order(l, from, n) : NULL;
	for (size_t j = 0; j < n; j++) {
		size_t i = order ? order[j] : j;
		const char *rec = l->p[from + i];
		qr_record_meta m;
		memset(&m, 0, sizeof(m));
		qr_sha256(rec, l->len[from + i], m.sha256);
		const char *id = strstr(rec, "\"id_str\":\"");
		snprintf(ids, sizeof(ids), "twitter:%.19s", id ? id + 10 : "0");
		char *q = strchr(ids, '"');
		if (q)
			*q = 0;
		m.source = 1;
		m.format = "twitter-v1";
		m.path = "tweets.jsonl";
		m.member = "";
		m.ids = ids;
		m.line = from + i + 1;
		m.byte = (uint64_t)(rec - l->p[0]) + from + i;
		if (qr_store_append(s, QR_STREAM_RECORDS, rec, l->len[from + i], &m, &locs[i])) {
			fprintf(stderr, "storetune: %s\n", qr_store_error(s));
			exit(5);
		}
	}
	if (qr_store_flush(s)) {
		fprintf(stderr, "storetune: %s\n", qr_store_error(s));
		exit(5);
	}
	double secs = bench_now() - t0;
	uint64_t bytes = qr_store_bytes(s);
	uint64_t headers = header_bytes(s);
	qr_store_close(s);
	free(order);

	/* random access from a freshly opened store, as a reader would */
	if (qr_store_open(dir.buf, false, &o, &s, &err)) {
		fprintf(stderr, "storetune: %s\n", err.buf);
		exit(3);
	}
	enum { GETS = 1000 };
	double t[GETS];
	srand(11);
	int bad = 0;
	for (int i = 0; i < GETS; i++) {
		size_t k = (size_t)rand() % n;
		double a = bench_now();
		int st = qr_store_get(s, &locs[k], &data, NULL, NULL);
		t[i] = (bench_now() - a) * 1e3;
		if (st || data.len != l->len[from + k] || memcmp(data.buf, l->p[from + k], data.len) != 0)
			bad++;
	}
	qsort(t, GETS, sizeof(double), bench_cmp_double);
	qr_store_close(s);
	char block[24], dname[24];
	if (cf->block <= 1)
		snprintf(block, sizeof(block), "record");
	else
		snprintf(block, sizeof(block), "%zuK", cf->block / 1024);
	if (cf->dict)
		snprintf(dname, sizeof(dname), "%s %zuK", dict_names[cf->dict], cf->dict_size >> 10);
	else
		snprintf(dname, sizeof(dname), "none");
	printf("%2d  %-7s %3d  %-12s %-9s %11llu %7.2fx %6.2fx %8.1f %9.3f %9.3f %8.1f%% %7.2fx%s\n", row, block,
	       cf->level, dname, cf->clustered ? "clustered" : "input", (unsigned long long)bytes,
	       (double)raw / (double)bytes, (double)bytes / (double)z19, (double)raw / 1e6 / secs, t[GETS / 2],
	       t[GETS * 99 / 100 - 1], 100.0 * (double)headers / (double)bytes, (double)raw / (double)(bytes - headers),
	       bad ? "  NOT BYTE-EXACT" : "");
	fflush(stdout);
	rm_rf(dir.buf);
	free(locs);
	qr_buf_release(&dir);
	qr_buf_release(&err);
	qr_buf_release(&data);
	qr_buf_release(&dict);
}

static size_t whole(const char *name, const char *buf, size_t len, int level, int wlog)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level);
	if (wlog) {
		ZSTD_CCtx_setParameter(cc, ZSTD_c_enableLongDistanceMatching, 1);
		ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, wlog);
	}
	size_t cap = ZSTD_compressBound(len);
	char *out = qr_malloc(cap);
	double t0 = bench_now();
	size_t n = ZSTD_compress2(cc, out, cap, buf, len);
	double secs = bench_now() - t0;
	if (ZSTD_isError(n)) {
		fprintf(stderr, "storetune: %s\n", ZSTD_getErrorName(n));
		exit(5);
	}
	printf("    %-22s %12zu %7.2fx %8.1f\n", name, n, (double)len / (double)n, (double)len / 1e6 / secs);
	fflush(stdout);
	free(out);
	ZSTD_freeCCtx(cc);
	return n;
}

static bool picked(const char *pick, size_t row)
{
	char key[8];
	if (!pick)
		return true;
	snprintf(key, sizeof(key), "%zu", row);
	for (const char *p = pick; *p;) {
		size_t k = strcspn(p, ",");
		if (k == strlen(key) && strncmp(p, key, k) == 0)
			return true;
		p += k + (p[k] == ',');
	}
	return false;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: storetune INPUT.jsonl WORKDIR [SAMPLE_RECORDS] [CONFIGS]\n");
		return 2;
	}
	size_t sample = argc > 3 ? strtoull(argv[3], NULL, 10) : 40000;
	const char *pick = argc > 4 ? argv[4] : NULL;
	lines l = { 0 };
	qr_buf all = QR_BUF_INIT;
	lines_read(argv[1], sample, &l, &all);
	if (l.n < 1000) {
		fprintf(stderr, "storetune: need at least 1000 records\n");
		return 3;
	}
	sample = l.n;
	if (getenv("STORETUNE_SAMPLE_MB"))
		SAMPLE_BYTES = (size_t)strtoull(getenv("STORETUNE_SAMPLE_MB"), NULL, 10) << 20;
	uint64_t raw = 0;
	for (size_t i = 0; i < sample; i++)
		raw += l.len[i] + 1;
	mkdir(argv[2], 0755);
	printf("sample: the first %zu records, %llu bytes; dictionaries trained on %zu MB of records (spread: %u MB)\n",
	       sample, (unsigned long long)raw, SAMPLE_BYTES >> 20, SPREAD_BYTES >> 20);

	/* the same bytes as one stream, newline-separated like the store's content */
	qr_buf joined = QR_BUF_INIT;
	for (size_t i = 0; i < sample; i++) {
		qr_buf_add(&joined, l.p[i], l.len[i]);
		qr_buf_addch(&joined, '\n');
	}
	printf("    %-22s %12s %8s %8s\n", "whole sample", "bytes", "ratio", "MB/s");
	uint64_t z19 = 0;
	if (!getenv("STORETUNE_Z19")) {
		whole("zstd -3", joined.buf, joined.len, 3, 0);
		z19 = whole("zstd -19", joined.buf, joined.len, 19, 0);
		whole("zstd -19 --long=27", joined.buf, joined.len, 19, 27);
	} else {
		z19 = strtoull(getenv("STORETUNE_Z19"), NULL, 10);
	}
	qr_buf_release(&joined);

	enum { K = 1024, M = 1024 * 1024 };
	static const struct config configs[] = {
		{ 64 * K, 3, D_NONE, 0, false },        /* the v1 default (with v2 headers) */
		{ 256 * K, 7, D_AUTO, M, false },
		{ M, 5, D_AUTO, M, false },
		{ M, 6, D_AUTO, M, false },
		{ M, 7, D_AUTO, 256 * K, false },
		{ M, 7, D_AUTO, M, false },             /* ingest's default */
		{ M, 8, D_AUTO, M, false },
		{ M, 7, D_FIRST, M, false },
		{ M, 12, D_SPREAD, M, true },
		{ M, 15, D_SPREAD, M, true },
		{ M, 19, D_SPREAD, M, true },           /* quire compact's default */
		{ M, 19, D_SPREAD, M, false },
		{ 2 * M, 19, D_SPREAD, M, true },
		{ 512 * K, 19, D_SPREAD, M, true },
	};

	printf("row block level dict         order            bytes   ratio  /z19  write MB/s  get med ms  get p99 ms  headers  w/o hdr\n");
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
		if (picked(pick, i + 1))
			measure(&configs[i], (int)i + 1, argv[2], &l, 0, sample, raw, z19);
	return 0;
}
