/*
 * bench/storetune: block size, zstd level and dictionary for the store,
 * measured with the store itself (lib/store.h) on a slice of a corpus.
 *
 *   storetune INPUT.jsonl WORKDIR [SAMPLE_RECORDS] [CONFIGS]
 *
 * Takes SAMPLE_RECORDS (10,000) consecutive lines from the middle of the
 * input and writes them into a fresh store for each configuration: block
 * size, level, and no dictionary, a dictionary trained (ZDICT) on the first
 * 2,000 records of the input, or one trained on 2,000 records spread over
 * it.  For each it prints the store's bytes (headers and dictionary
 * included), the ratio to the raw sample, the write speed, and the time of
 * 1,000 random qr_store_get calls (median, p99), and the share of the
 * block headers (skippable frames, stored uncompressed) with the ratio the
 * store would reach without them.  The whole sample
 * compressed as one stream (zstd -3, -19, -19 --long=27 through libzstd)
 * gives the yardsticks on the same bytes.  CONFIGS picks rows by number
 * ("1,3,5"); all by default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zdict.h>
#include <zstd.h>

#include "buf.h"
#include "hash.h"
#include "store.h"
#include "timing.h"

#define DICT_SIZE (112 * 1024)
#define TRAIN 2000

typedef struct lines {
	char **p;
	size_t *len;
	size_t n, alloc, alloc2;
} lines;

static void lines_read(const char *path, lines *l, qr_buf *all)
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
	while ((n = getline(&line, &cap, f)) > 0) {
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

/* Train a dictionary on the records idx[0..n). */
static void train(const lines *l, const size_t *idx, size_t n, qr_buf *dict)
{
	qr_buf samples = QR_BUF_INIT;
	size_t *sizes = qr_malloc(n * sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		qr_buf_add(&samples, l->p[idx[i]], l->len[idx[i]]);
		sizes[i] = l->len[idx[i]];
	}
	qr_buf_reset(dict);
	qr_buf_grow(dict, DICT_SIZE);
	size_t got = ZDICT_trainFromBuffer(dict->buf, DICT_SIZE, samples.buf, sizes, (unsigned)n);
	if (ZDICT_isError(got)) {
		fprintf(stderr, "storetune: cannot train a dictionary: %s\n", ZDICT_getErrorName(got));
		exit(5);
	}
	qr_buf_setlen(dict, got);
	free(sizes);
	qr_buf_release(&samples);
}

struct config {
	size_t block;
	int level;
	int dict;        /* 0 none, 1 first records, 2 spread */
};

static const char *const dict_names[] = { "none", "first", "spread" };

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
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT, err = QR_BUF_INIT;
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
	qr_buf_release(&err);
	return total;
}

static void measure(const struct config *cf, int row, const char *work, const lines *l, size_t from, size_t n,
		    const qr_buf *dicts, uint64_t raw)
{
	qr_buf dir = QR_BUF_INIT, err = QR_BUF_INIT, tmp = QR_BUF_INIT, data = QR_BUF_INIT;
	qr_store_options o;
	qr_store *s;
	qr_locator *locs = qr_malloc(n * sizeof(qr_locator));
	char ids[48];

	qr_buf_setf(&dir, "%s/store-%d", work, row);
	rm_rf(dir.buf);
	mkdir(dir.buf, 0755);
	if (cf->dict) {
		qr_buf_setf(&tmp, "%s/dictionary", dir.buf);
		FILE *f = fopen(tmp.buf, "wb");
		if (!f || fwrite(dicts[cf->dict].buf, 1, dicts[cf->dict].len, f) != dicts[cf->dict].len || fclose(f)) {
			fprintf(stderr, "storetune: cannot write %s\n", tmp.buf);
			exit(3);
		}
	}
	qr_store_options_default(&o);
	o.block_size = cf->block;
	o.level = cf->level;
	if (qr_store_open(dir.buf, true, &o, &s, &err)) {
		fprintf(stderr, "storetune: %s\n", err.buf);
		exit(3);
	}
	double t0 = bench_now();
	for (size_t i = 0; i < n; i++) {
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
	char block[24];
	if (cf->block <= 1)
		snprintf(block, sizeof(block), "record");
	else
		snprintf(block, sizeof(block), "%zuK", cf->block / 1024);
	printf("%2d  %-7s %3d  %-6s %12llu %7.2fx %8.1f %9.3f %9.3f %9.1f%% %7.2fx%s\n", row, block, cf->level,
	       dict_names[cf->dict], (unsigned long long)bytes, (double)raw / (double)bytes, (double)raw / 1e6 / secs,
	       t[GETS / 2], t[GETS * 99 / 100 - 1], 100.0 * (double)headers / (double)bytes,
	       (double)raw / (double)(bytes - headers), bad ? "  NOT BYTE-EXACT" : "");
	fflush(stdout);
	rm_rf(dir.buf);
	free(locs);
	qr_buf_release(&dir);
	qr_buf_release(&err);
	qr_buf_release(&tmp);
	qr_buf_release(&data);
}

static void whole(const char *name, const char *buf, size_t len, int level, int wlog)
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
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: storetune INPUT.jsonl WORKDIR [SAMPLE_RECORDS] [CONFIGS]\n");
		return 2;
	}
	size_t sample = argc > 3 ? strtoull(argv[3], NULL, 10) : 10000;
	const char *pick = argc > 4 ? argv[4] : NULL;
	lines l = { 0 };
	qr_buf all = QR_BUF_INIT;
	lines_read(argv[1], &l, &all);
	if (l.n < TRAIN || sample < 100) {
		fprintf(stderr, "storetune: need at least %d records\n", TRAIN);
		return 3;
	}
	if (sample > l.n)
		sample = l.n;
	size_t from = (l.n - sample) / 2;
	uint64_t raw = 0;
	for (size_t i = 0; i < sample; i++)
		raw += l.len[from + i] + 1;
	mkdir(argv[2], 0755);

	qr_buf dicts[3] = { QR_BUF_INIT, QR_BUF_INIT, QR_BUF_INIT };
	size_t idx[TRAIN];
	double t0 = bench_now();
	for (size_t i = 0; i < TRAIN; i++)
		idx[i] = i;
	train(&l, idx, TRAIN, &dicts[1]);
	double t_first = bench_now() - t0;
	for (size_t i = 0; i < TRAIN; i++)
		idx[i] = i * (l.n / TRAIN);
	t0 = bench_now();
	train(&l, idx, TRAIN, &dicts[2]);
	double t_spread = bench_now() - t0;
	printf("sample: %zu records (%zu..%zu of %zu), %llu bytes; dictionaries %zu and %zu bytes, trained in %.1f s and %.1f s\n",
	       sample, from + 1, from + sample, l.n, (unsigned long long)raw, dicts[1].len, dicts[2].len, t_first,
	       t_spread);

	/* the same bytes as one stream, newline-separated like the store's content */
	qr_buf joined = QR_BUF_INIT;
	for (size_t i = 0; i < sample; i++) {
		qr_buf_add(&joined, l.p[from + i], l.len[from + i]);
		qr_buf_addch(&joined, '\n');
	}
	printf("    %-22s %12s %8s %8s\n", "whole sample", "bytes", "ratio", "MB/s");
	whole("zstd -3", joined.buf, joined.len, 3, 0);
	whole("zstd -19", joined.buf, joined.len, 19, 0);
	whole("zstd -19 --long=27", joined.buf, joined.len, 19, 27);
	qr_buf_release(&joined);

	static const struct config configs[] = {
		{ 1, 3, 0 },           { 1, 3, 2 },          { 16 << 10, 3, 0 },  { 16 << 10, 3, 2 },
		{ 64 << 10, 3, 0 },    { 64 << 10, 3, 1 },   { 64 << 10, 3, 2 },  { 256 << 10, 3, 0 },
		{ 256 << 10, 3, 2 },   { 1 << 20, 3, 0 },    { 1 << 20, 3, 2 },   { 64 << 10, 19, 0 },
		{ 64 << 10, 19, 2 },   { 256 << 10, 19, 0 }, { 256 << 10, 19, 2 }, { 1 << 20, 19, 0 },
		{ 1 << 20, 19, 1 },    { 1 << 20, 19, 2 },  { 256 << 10, 6, 2 }, { 1 << 20, 6, 2 },
		{ 1 << 20, 9, 2 },
	};
	printf("row block level dict          bytes   ratio  write MB/s  get med ms  get p99 ms   headers  w/o hdr\n");
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		if (pick) {
			char key[8];
			snprintf(key, sizeof(key), "%zu", i + 1);
			const char *p = pick;
			bool want = false;
			while (*p && !want) {
				size_t k = strcspn(p, ",");
				want = k == strlen(key) && strncmp(p, key, k) == 0;
				p += k + (p[k] == ',');
			}
			if (!want)
				continue;
		}
		measure(&configs[i], (int)i + 1, argv[2], &l, from, sample, dicts, raw);
	}
	return 0;
}
