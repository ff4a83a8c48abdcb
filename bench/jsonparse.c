/*
 * bench/jsonparse: how fast the packaged JSON libraries parse tweets.
 *
 *   jsonparse INPUT.jsonl [MAX_LINES]
 *
 * Reads up to MAX_LINES (50,000) lines into memory, then parses each line
 * into a DOM and frees it, once per library: cJSON (what quire uses),
 * jansson, json-c (bench/parse_jsonc.c) and simdjson (through
 * bench/simdjson_shim.cc).  One core,
 * no I/O while timing.  Prints one line per library: name, MB/s, records/s.
 */
#include <cjson/cJSON.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "parsers.h"
#include "timing.h"

static int parse_cjson(const char *s, size_t n)
{
	cJSON *j = cJSON_ParseWithLength(s, n);
	cJSON_Delete(j);
	return j ? 0 : -1;
}

static int parse_jansson(const char *s, size_t n)
{
	json_error_t e;
	json_t *j = json_loadb(s, n, 0, &e);
	json_decref(j);
	return j ? 0 : -1;
}

static const struct lib {
	const char *name;
	int (*parse)(const char *, size_t);
} libs[] = {
	{ "cJSON", parse_cjson },
	{ "jansson", parse_jansson },
	{ "json-c", bench_jsonc_parse },
	{ "simdjson", bench_simdjson_parse },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: jsonparse INPUT.jsonl [MAX_LINES]\n");
		return 2;
	}
	size_t max = argc > 2 ? strtoull(argv[2], NULL, 10) : 50000;
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 3;
	}
	qr_buf all = QR_BUF_INIT;
	size_t *ends = NULL, n = 0, alloc = 0, cap = 0;
	char *line = NULL;
	ssize_t len;
	while (n < max && (len = getline(&line, &cap, f)) > 0) {
		qr_buf_add(&all, line, (size_t)len);
		ends = qr_grow_array(ends, sizeof(size_t), n + 1, &alloc);
		ends[n++] = all.len;
	}
	free(line);
	fclose(f);
	/* simdjson reads up to its padding past the end of a text */
	size_t pad = bench_simdjson_padding();
	qr_buf_grow(&all, pad);
	memset(all.buf + all.len, ' ', pad);

	for (size_t k = 0; k < sizeof(libs) / sizeof(libs[0]); k++) {
		double t0 = bench_now();
		size_t start = 0, bad = 0;
		for (size_t i = 0; i < n; i++) {
			bad += libs[k].parse(all.buf + start, ends[i] - start - 1) != 0;
			start = ends[i];
		}
		double s = bench_now() - t0;
		printf("%-9s %8.1f MB/s %9.0f records/s%s\n", libs[k].name, (double)all.len / 1e6 / s, (double)n / s,
		       bad ? "  (parse errors!)" : "");
		fflush(stdout);
	}
	free(ends);
	qr_buf_release(&all);
	return 0;
}
