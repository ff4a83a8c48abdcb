/* lib/store.c: writing, reading back, block headers (v2, and v1 as
 * written before), checks, dictionaries, partial reads, recovery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader */
#include <zstd.h>

#include "hash.h"
#include "status.h"
#include "store.h"

#define NREC 60

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/quire-store-%ld", (long)getpid());
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int teardown(void **state)
{
	return setup(state);
}

/* Record i: JSON-ish bytes of varying length (some empty, some with
 * newlines inside, which the store must not care about). */
static void record(int i, qr_buf *out)
{
	qr_buf_reset(out);
	if (i % 17 == 5)
		return;
	qr_buf_addf(out, "{\"id_str\":\"%d\",\"text\":\"", 1000 + i);
	/* Pseudo-random letters, so that blocks do not shrink to nothing. */
	uint32_t x = (uint32_t)i * 2654435761u + 1;
	for (int k = 0; k < (i * 37) % 300; k++) {
		x = x * 1103515245u + 12345u;
		qr_buf_addch(out, 'a' + (int)((x >> 16) % 26));
	}
	qr_buf_adds(out, i % 7 == 3 ? "\\n\"}\n" : "\"}");
}

static void meta_for(int i, const qr_buf *data, qr_record_meta *m, qr_buf *ids)
{
	memset(m, 0, sizeof(*m));
	qr_sha256(data->buf, data->len, m->sha256);
	qr_buf_setf(ids, "twitter:%d", 1000 + i);
	m->source = (uint32_t)(1 + i / 20);
	m->format = "twitter-v1";
	m->path = i % 2 ? "in/a.jsonl.gz" : "in/b.zip";
	m->member = i % 2 ? NULL : "inner/b.jsonl";
	m->ids = ids->buf;
	m->line = (uint64_t)i + 1;
	m->byte = (uint64_t)i * 1000;
	m->flags = 0;
}

static qr_store *open_store(bool writable, size_t block_size, uint64_t segment_size)
{
	qr_store_options o;
	qr_store_options_default(&o);
	o.block_size = block_size;
	o.segment_size = segment_size;
	qr_store *s = NULL;
	qr_buf err = QR_BUF_INIT;
	int st = qr_store_open(dir, writable, &o, &s, &err);
	if (st)
		fail_msg("cannot open the store: %s", err.buf);
	qr_buf_release(&err);
	return s;
}

/* Append records [from, to), keeping their locators. */
static void append_range(qr_store *s, int from, int to, qr_locator *locs)
{
	qr_buf data = QR_BUF_INIT, ids = QR_BUF_INIT;
	for (int i = from; i < to; i++) {
		qr_record_meta m;
		record(i, &data);
		meta_for(i, &data, &m, &ids);
		if (qr_store_append(s, QR_STREAM_RECORDS, data.buf, data.len, &m, &locs[i]))
			fail_msg("append %d: %s", i, qr_store_error(s));
	}
	qr_buf_release(&data);
	qr_buf_release(&ids);
}

static void check_record(qr_store *s, int i, const qr_locator *loc)
{
	qr_buf data = QR_BUF_INIT, want = QR_BUF_INIT, strings = QR_BUF_INIT, ids = QR_BUF_INIT;
	qr_record_meta m, w;
	record(i, &want);
	meta_for(i, &want, &w, &ids);
	if (qr_store_get(s, loc, &data, &m, &strings))
		fail_msg("get %d: %s", i, qr_store_error(s));
	assert_int_equal(data.len, want.len);
	assert_memory_equal(data.buf, want.buf, want.len);
	assert_memory_equal(m.sha256, w.sha256, QR_SHA256_LEN);
	assert_int_equal(m.length, want.len);
	assert_int_equal(m.source, w.source);
	assert_string_equal(m.format, "twitter-v1");
	assert_string_equal(m.path, w.path);
	assert_string_equal(m.member, w.member ? w.member : "");
	assert_string_equal(m.ids, ids.buf);
	assert_int_equal(m.line, w.line);
	assert_int_equal(m.byte, w.byte);
	qr_buf_release(&data);
	qr_buf_release(&want);
	qr_buf_release(&strings);
	qr_buf_release(&ids);
}

static void same_locator(const qr_locator *a, const qr_locator *b)
{
	assert_int_equal(a->stream, b->stream);
	assert_int_equal(a->segment, b->segment);
	assert_int_equal(a->offset, b->offset);
	assert_int_equal(a->index, b->index);
}

static uint64_t file_size(uint32_t segment)
{
	char path[400];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/%06u.zst", dir, segment);
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

static void read_file(const char *path, qr_buf *out)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char buf[4096];
	size_t n;
	qr_buf_reset(out);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		qr_buf_add(out, buf, n);
	fclose(f);
}

static void test_write_read_back(void **state)
{
	(void)state;
	qr_locator locs[NREC];
	qr_store *s = open_store(true, 1024, 4096);
	assert_false(qr_store_dirty(s));
	append_range(s, 0, NREC, locs);
	assert_true(qr_store_dirty(s));
	assert_int_equal(qr_store_sync(s), 0);
	assert_false(qr_store_dirty(s));
	/* Small blocks and segments: the records spread over several. */
	uint32_t last = qr_store_last_segment(s, QR_STREAM_RECORDS);
	assert_true(last >= 3);
	qr_store_pos tail;
	qr_store_tail(s, QR_STREAM_RECORDS, &tail);
	assert_int_equal(tail.segment, last);
	assert_int_equal(tail.size, file_size(last));
	for (int i = 0; i < NREC; i++)
		check_record(s, i, &locs[i]);
	/* Read in another order, through the block cache. */
	for (int i = NREC - 1; i >= 0; i -= 3)
		check_record(s, i, &locs[i]);
	qr_store_close(s);

	/* A reader opened afresh sees the same. */
	s = open_store(false, 1024, 4096);
	for (int i = 0; i < NREC; i++)
		check_record(s, i, &locs[i]);
	qr_record_meta m = { 0 };
	qr_locator l;
	assert_int_equal(qr_store_append(s, QR_STREAM_RECORDS, "x", 1, &m, &l), QR_USAGE);
	/* A locator past the block's records, and one into nothing. */
	qr_buf data = QR_BUF_INIT;
	qr_locator bad = locs[0];
	bad.index = 9999;
	assert_int_equal(qr_store_get(s, &bad, &data, NULL, NULL), QR_NOT_FOUND);
	bad = locs[0];
	bad.offset += 1;
	assert_int_equal(qr_store_get(s, &bad, &data, NULL, NULL), QR_DAMAGED);
	bad = locs[0];
	bad.segment = 999;
	assert_int_equal(qr_store_get(s, &bad, &data, NULL, NULL), QR_DAMAGED);
	qr_buf_release(&data);
	qr_store_close(s);

	/* Writing goes on after a reopen, in the last segment. */
	s = open_store(true, 1024, 1 << 20);
	qr_locator more[NREC + 5];
	append_range(s, NREC, NREC + 5, more);
	assert_int_equal(qr_store_sync(s), 0);
	assert_int_equal(more[NREC].segment, last);
	for (int i = NREC; i < NREC + 5; i++)
		check_record(s, i, &more[i]);
	check_record(s, 0, &locs[0]);
	qr_store_close(s);
}

/* Every segment is standard zstd: decompressed whole (skippable frames
 * skipped), it is the records, each followed by a newline. */
static void test_standard_zstd(void **state)
{
	(void)state;
	qr_locator locs[NREC];
	qr_store *s = open_store(true, 2048, 1 << 20);
	append_range(s, 0, NREC, locs);
	assert_int_equal(qr_store_sync(s), 0);
	qr_store_close(s);

	qr_buf want = QR_BUF_INIT, rec = QR_BUF_INIT, file = QR_BUF_INIT, got = QR_BUF_INIT;
	for (int i = 0; i < NREC; i++) {
		record(i, &rec);
		qr_buf_add(&want, rec.buf, rec.len);
		qr_buf_addch(&want, '\n');
	}
	char path[400];
	snprintf(path, sizeof(path), "%s/000001.zst", dir);
	read_file(path, &file);
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ZSTD_inBuffer in = { file.buf, file.len, 0 };
	char out[4096];
	size_t frames = 0, ret = 0;
	while (in.pos < in.size) {
		ZSTD_outBuffer ob = { out, sizeof(out), 0 };
		ret = ZSTD_decompressStream(d, &ob, &in);
		assert_false(ZSTD_isError(ret));
		qr_buf_add(&got, out, ob.pos);
		if (ret == 0)
			frames++;
	}
	assert_int_equal(ret, 0);
	ZSTD_freeDCtx(d);
	assert_true(frames >= 2);
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.buf, want.buf, want.len);
	/* Each data frame carries zstd's content checksum. */
	ZSTD_frameHeader fh;
	uint64_t off = locs[0].offset;
	uint32_t hsize = (uint32_t)(uint8_t)file.buf[off + 4] | (uint32_t)(uint8_t)file.buf[off + 5] << 8 |
			 (uint32_t)(uint8_t)file.buf[off + 6] << 16 | (uint32_t)(uint8_t)file.buf[off + 7] << 24;
	assert_int_equal(ZSTD_getFrameHeader(&fh, file.buf + off + 8 + hsize, file.len - off - 8 - hsize), 0);
	assert_int_equal(fh.frameType, ZSTD_frame);
	assert_int_equal(fh.checksumFlag, 1);
	assert_int_equal(ZSTD_getFrameHeader(&fh, file.buf + off, file.len - off), 0);
	assert_int_equal(fh.frameType, ZSTD_skippableFrame);
	qr_buf_release(&want);
	qr_buf_release(&rec);
	qr_buf_release(&file);
	qr_buf_release(&got);
}

static void test_block_header(void **state)
{
	(void)state;
	qr_locator locs[NREC];
	time_t before = time(NULL);
	qr_store *s = open_store(true, 1 << 20, 1 << 20);
	append_range(s, 0, 10, locs);
	assert_int_equal(qr_store_flush(s), 0);
	qr_block b;
	qr_block_init(&b);
	/* Without decompressing: the header alone. */
	assert_int_equal(qr_store_read_block(s, QR_STREAM_RECORDS, 1, 0, false, &b), 0);
	assert_int_equal(b.nrecords, 10);
	assert_int_equal(b.offset, 0);
	assert_int_equal(b.end, file_size(1));
	assert_int_equal(b.dict_id, 0);
	assert_int_equal(b.version, 2);
	assert_int_equal(b.flags, 0);
	assert_true(b.written >= (int64_t)before && b.written <= (int64_t)time(NULL));
	assert_int_equal(b.content.len, 0);
	qr_buf data = QR_BUF_INIT, ids = QR_BUF_INIT;
	uint32_t offset = 0;
	for (uint32_t i = 0; i < b.nrecords; i++) {
		qr_record_meta w;
		record((int)i, &data);
		meta_for((int)i, &data, &w, &ids);
		const qr_record_meta *r = &b.records[i];
		assert_int_equal(r->length, data.len);
		assert_int_equal(r->offset, offset);
		offset += r->length + 1;
		assert_memory_equal(r->sha256, w.sha256, QR_SHA256_LEN);
		assert_int_equal(r->source, w.source);
		assert_string_equal(r->format, "twitter-v1");
		assert_string_equal(r->path, w.path);
		assert_string_equal(r->member, w.member ? w.member : "");
		assert_string_equal(r->ids, ids.buf);
		assert_int_equal(r->line, i + 1);
		assert_int_equal(r->byte, i * 1000);
		assert_int_equal(r->flags, 0);
	}
	/* With decompressing: the content, records and newlines. */
	assert_int_equal(qr_store_read_block(s, QR_STREAM_RECORDS, 1, 0, true, &b), 0);
	assert_int_equal(b.content.len, offset);
	for (uint32_t i = 0; i < b.nrecords; i++)
		assert_int_equal(b.content.buf[b.records[i].offset + b.records[i].length], '\n');
	/* Not at a block: refused. */
	assert_int_equal(qr_store_read_block(s, QR_STREAM_RECORDS, 1, 3, false, &b), QR_DAMAGED);
	assert_non_null(strstr(qr_store_error(s), "no block header frame here"));
	assert_int_equal(qr_store_read_block(s, QR_STREAM_RECORDS, 1, file_size(1), false, &b), QR_DAMAGED);
	qr_block_release(&b);
	qr_buf_release(&data);
	qr_buf_release(&ids);
	qr_store_close(s);
}

static void patch_byte(uint32_t segment, uint64_t at, int xor)
{
	char path[400];
	snprintf(path, sizeof(path), "%s/%06u.zst", dir, segment);
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)at, SEEK_SET), 0);
	int c = fgetc(f);
	assert_true(c != EOF);
	assert_int_equal(fseek(f, (long)at, SEEK_SET), 0);
	fputc(c ^ xor, f);
	fclose(f);
}

static void test_checks_on_read(void **state)
{
	(void)state;
	qr_locator locs[NREC];
	qr_store *s = open_store(true, 1 << 20, 1 << 20);
	append_range(s, 0, 5, locs);
	/* A record whose sha256 (given by the caller) is not its bytes'. */
	qr_record_meta m = { 0 };
	qr_locator lie;
	memset(m.sha256, 0xAB, QR_SHA256_LEN);
	assert_int_equal(qr_store_append(s, QR_STREAM_RECORDS, "{\"lie\":1}", 9, &m, &lie), 0);
	assert_int_equal(qr_store_sync(s), 0);
	qr_buf data = QR_BUF_INIT;
	check_record(s, 4, &locs[4]);
	assert_int_equal(qr_store_get(s, &lie, &data, NULL, NULL), QR_DAMAGED);
	assert_non_null(strstr(qr_store_error(s), "does not match its sha256"));
	qr_store_close(s);

	/* A flipped bit in the block header: its checksum says so. */
	patch_byte(1, 20, 0x01);
	s = open_store(false, 1 << 20, 1 << 20);
	assert_int_equal(qr_store_get(s, &locs[0], &data, NULL, NULL), QR_DAMAGED);
	assert_non_null(strstr(qr_store_error(s), "block header checksum mismatch"));
	qr_store_close(s);
	patch_byte(1, 20, 0x01);

	/* A flipped bit in the compressed data: zstd's checksum says so. */
	uint64_t size = file_size(1);
	patch_byte(1, size - 6, 0x10);
	s = open_store(false, 1 << 20, 1 << 20);
	assert_int_equal(qr_store_get(s, &locs[0], &data, NULL, NULL), QR_DAMAGED);
	assert_non_null(strstr(qr_store_error(s), "damaged block"));
	qr_store_close(s);
	qr_buf_release(&data);
}

struct seen {
	int blocks;
	int records;
};

static int count_block(void *ctx, qr_block *b)
{
	struct seen *s = ctx;
	s->blocks++;
	s->records += (int)b->nrecords;
	assert_true(b->content.len > 0);
	return 0;
}

static void copy_store(const char *from, const char *to)
{
	char cmd[900];
	snprintf(cmd, sizeof(cmd), "rm -rf %s && cp -a %s %s", to, from, to);
	assert_int_equal(system(cmd), 0);
}

/* A torn last block, cut anywhere in its header or data, is cut back to
 * the block before it and reported; the store then takes new records. */
static void test_recover_torn_tail(void **state)
{
	(void)state;
	qr_locator locs[NREC];
	char pristine[300];
	snprintf(pristine, sizeof(pristine), "%s.pristine", dir);
	qr_store *s = open_store(true, 1 << 20, 1 << 20);
	append_range(s, 0, 20, locs);
	assert_int_equal(qr_store_sync(s), 0);
	qr_store_pos committed;
	qr_store_tail(s, QR_STREAM_RECORDS, &committed);
	append_range(s, 20, 30, locs);  /* synced, not committed: a whole block */
	assert_int_equal(qr_store_sync(s), 0);
	uint64_t good_end = file_size(1);
	append_range(s, 30, 40, locs);  /* the block that will be torn */
	assert_int_equal(qr_store_sync(s), 0);
	uint64_t full = file_size(1);
	qr_store_close(s);
	copy_store(dir, pristine);

	uint64_t torn = full - good_end;
	uint64_t cuts[] = { 1, 4, 7, 8, 9, 40, torn / 2, torn - 20, torn - 4, torn - 1 };
	for (size_t k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
		copy_store(pristine, dir);
		char path[400];
		snprintf(path, sizeof(path), "%s/000001.zst", dir);
		assert_int_equal(truncate(path, (off_t)(good_end + cuts[k])), 0);
		s = open_store(true, 1 << 20, 1 << 20);
		qr_buf report = QR_BUF_INIT;
		struct seen seen = { 0, 0 };
		int st = qr_store_recover(s, QR_STREAM_RECORDS, &committed, count_block, &seen, &report);
		if (st)
			fail_msg("cut at +%llu: %s", (unsigned long long)cuts[k], qr_store_error(s));
		assert_non_null(strstr(report.buf, "cut a torn block"));
		assert_non_null(strstr(report.buf, "000001.zst"));
		assert_int_equal(file_size(1), good_end);
		/* The whole uncommitted block was handed over; the torn one not. */
		assert_int_equal(seen.blocks, 1);
		assert_int_equal(seen.records, 10);
		qr_store_pos tail;
		qr_store_tail(s, QR_STREAM_RECORDS, &tail);
		assert_int_equal(tail.size, good_end);
		/* Writing goes on from there. */
		qr_locator again[NREC];
		append_range(s, 30, 35, again);
		assert_int_equal(qr_store_sync(s), 0);
		assert_int_equal(again[30].offset, good_end);
		for (int i = 0; i < 30; i++)
			check_record(s, i, &locs[i]);
		for (int i = 30; i < 35; i++)
			check_record(s, i, &again[i]);
		qr_buf_release(&report);
		qr_store_close(s);
	}

	/* A last block whose header is garbled, nothing after it: torn too. */
	copy_store(pristine, dir);
	patch_byte(1, good_end + 20, 0x20);
	s = open_store(true, 1 << 20, 1 << 20);
	{
		qr_buf report = QR_BUF_INIT;
		struct seen seen = { 0, 0 };
		assert_int_equal(qr_store_recover(s, QR_STREAM_RECORDS, &committed, count_block, &seen, &report), 0);
		assert_non_null(strstr(report.buf, "cut a torn block"));
		assert_int_equal(file_size(1), good_end);
		qr_buf_release(&report);
	}
	qr_store_close(s);

	/* Garbage after the last whole block (zeros, or random bytes) too. */
	for (int kind = 0; kind < 2; kind++) {
		copy_store(pristine, dir);
		char path[400];
		snprintf(path, sizeof(path), "%s/000001.zst", dir);
		FILE *f = fopen(path, "ab");
		for (int i = 0; i < 300; i++)
			fputc(kind ? (i * 131) & 0xFF : 0, f);
		fclose(f);
		s = open_store(true, 1 << 20, 1 << 20);
		qr_buf report = QR_BUF_INIT;
		struct seen seen = { 0, 0 };
		assert_int_equal(qr_store_recover(s, QR_STREAM_RECORDS, &committed, count_block, &seen, &report), 0);
		assert_non_null(strstr(report.buf, "cut a torn block of 300 bytes"));
		assert_int_equal(file_size(1), full);
		assert_int_equal(seen.blocks, 2);
		qr_buf_release(&report);
		qr_store_close(s);
	}

	/* Nothing torn: nothing cut, nothing reported. */
	copy_store(pristine, dir);
	s = open_store(true, 1 << 20, 1 << 20);
	qr_buf report = QR_BUF_INIT;
	struct seen seen = { 0, 0 };
	assert_int_equal(qr_store_recover(s, QR_STREAM_RECORDS, &committed, count_block, &seen, &report), 0);
	assert_int_equal(report.len, 0);
	assert_int_equal(seen.records, 20);
	assert_int_equal(file_size(1), full);
	/* From the very start, every block is seen. */
	qr_store_pos zero = { 0, 0 };
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(qr_store_recover(s, QR_STREAM_RECORDS, &zero, count_block, &seen, &report), 0);
	assert_int_equal(seen.records, 40);
	qr_buf_release(&report);
	qr_store_close(s);

	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pristine);
	assert_int_equal(system(cmd), 0);
}

/* Damage that is not a torn tail is never cut away: it is reported. */
static void test_recover_damage(void **state)
{
	(void)state;
	qr_locator locs[NREC];
	qr_store *s = open_store(true, 1 << 20, 1 << 20);
	append_range(s, 0, 10, locs);
	assert_int_equal(qr_store_sync(s), 0);
	qr_store_pos committed;
	qr_store_tail(s, QR_STREAM_RECORDS, &committed);
	append_range(s, 10, 20, locs);
	assert_int_equal(qr_store_sync(s), 0);
	uint64_t second_end = file_size(1);
	append_range(s, 20, 30, locs);
	assert_int_equal(qr_store_sync(s), 0);
	uint64_t full = file_size(1);
	qr_store_close(s);
	qr_buf report = QR_BUF_INIT;

	/* The segment is shorter than the tail the index committed. */
	char path[400];
	snprintf(path, sizeof(path), "%s/000001.zst", dir);
	qr_store_pos beyond = { 1, full + 100 };
	s = open_store(true, 1 << 20, 1 << 20);
	assert_int_equal(qr_store_recover(s, QR_STREAM_RECORDS, &beyond, NULL, NULL, &report), QR_DAMAGED);
	assert_non_null(strstr(qr_store_error(s), "shorter than"));
	/* A segment the index needs is missing. */
	qr_store_pos missing = { 3, 10 };
	assert_int_equal(qr_store_recover(s, QR_STREAM_RECORDS, &missing, NULL, NULL, &report), QR_DAMAGED);
	assert_non_null(strstr(qr_store_error(s), "missing"));
	qr_store_close(s);
	assert_int_equal(file_size(1), full);

	/* A garbled block past the committed tail with a whole block after it:
	 * damage, not a torn write, and the block after is not thrown away. */
	patch_byte(1, second_end - 6, 0x20);
	s = open_store(true, 1 << 20, 1 << 20);
	assert_int_equal(qr_store_recover(s, QR_STREAM_RECORDS, &committed, NULL, NULL, &report), QR_DAMAGED);
	assert_non_null(strstr(qr_store_error(s), "damaged block"));
	qr_store_close(s);
	assert_int_equal(file_size(1), full);
	assert_int_equal(report.len, 0);
	patch_byte(1, second_end - 6, 0x20);

	/* The same with the garbled byte in the block's header, which then
	 * cannot tell where the block ends. */
	patch_byte(1, committed.size + 20, 0x20);
	s = open_store(true, 1 << 20, 1 << 20);
	assert_int_equal(qr_store_recover(s, QR_STREAM_RECORDS, &committed, NULL, NULL, &report), QR_DAMAGED);
	assert_non_null(strstr(qr_store_error(s), "checksum mismatch"));
	qr_store_close(s);
	assert_int_equal(file_size(1), full);
	patch_byte(1, committed.size + 20, 0x20);

	/* Damage before the committed tail is not looked at by recovery (the
	 * index vouches for it) but reading it says so. */
	patch_byte(1, committed.size - 6, 0x20);
	s = open_store(true, 1 << 20, 1 << 20);
	assert_int_equal(qr_store_recover(s, QR_STREAM_RECORDS, &committed, NULL, NULL, &report), 0);
	qr_buf data = QR_BUF_INIT;
	assert_int_equal(qr_store_get(s, &locs[3], &data, NULL, NULL), QR_DAMAGED);
	check_record(s, 25, &locs[25]);
	qr_buf_release(&data);
	qr_store_close(s);
	patch_byte(1, committed.size - 6, 0x20);

	/* Damage in a segment that is not the last one cannot be a torn write. */
	s = open_store(true, 1, 1);  /* every record is a block in a new segment */
	append_range(s, 30, 33, locs);
	assert_int_equal(qr_store_sync(s), 0);
	qr_store_close(s);
	assert_true(file_size(2) > 0 && file_size(4) > 0);
	snprintf(path, sizeof(path), "%s/000002.zst", dir);
	assert_int_equal(truncate(path, (off_t)file_size(2) - 3), 0);
	s = open_store(true, 1, 1);
	assert_int_equal(qr_store_recover(s, QR_STREAM_RECORDS, &committed, NULL, NULL, &report), QR_DAMAGED);
	qr_store_close(s);
	qr_buf_release(&report);
}


static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Every field of the v2 table round-trips, edge values included: lines
 * and byte offsets out of order and at their limits, no ids and empty
 * ids, no member, no format, flags, the largest source. */
static void test_header_v2_fields(void **state)
{
	(void)state;
	static const uint64_t lines[] = { 0, 1, 1, UINT64_MAX, 5, 4, 0, 123456789012345ULL };
	static const uint64_t bytes[] = { UINT64_MAX, 0, 3, 2, 1ULL << 40, 7, 0, 99 };
	static const char *const ids[] = { "twitter:1", NULL, "", "a b c", "twitter:1", "x", NULL, "z" };
	enum { N = 8 };
	qr_store *s = open_store(true, 1 << 20, 1 << 20);
	qr_locator locs[N];
	qr_buf data = QR_BUF_INIT;
	for (int i = 0; i < N; i++) {
		qr_record_meta m = { 0 };
		record(i * 3 + 1, &data);
		qr_sha256(data.buf, data.len, m.sha256);
		m.source = i == 3 ? UINT32_MAX : (uint32_t)i;
		m.format = i == 2 ? NULL : (i % 2 ? "twitter-v1" : "reddit");
		m.path = i == 5 ? "" : "in/x.jsonl";
		m.member = i % 3 ? "m/é.json" : NULL;
		m.ids = ids[i];
		m.line = lines[i];
		m.byte = bytes[i];
		m.flags = (uint32_t)(i % 3);
		if (qr_store_append(s, QR_STREAM_RECORDS, data.buf, data.len, &m, &locs[i]))
			fail_msg("append: %s", qr_store_error(s));
	}
	assert_int_equal(qr_store_flush(s), 0);
	qr_store_close(s);
	s = open_store(false, 1 << 20, 1 << 20);
	qr_block b;
	qr_block_init(&b);
	assert_int_equal(qr_store_read_block(s, QR_STREAM_RECORDS, 1, 0, true, &b), 0);
	assert_int_equal(b.nrecords, N);
	for (int i = 0; i < N; i++) {
		const qr_record_meta *r = &b.records[i];
		record(i * 3 + 1, &data);
		assert_int_equal(r->length, data.len);
		assert_memory_equal(b.content.buf + r->offset, data.buf, data.len);
		assert_int_equal(r->source, i == 3 ? UINT32_MAX : (uint32_t)i);
		if (i == 2)
			assert_null(r->format);
		else
			assert_string_equal(r->format, i % 2 ? "twitter-v1" : "reddit");
		assert_string_equal(r->path, i == 5 ? "" : "in/x.jsonl");
		assert_string_equal(r->member, i % 3 ? "m/é.json" : "");
		if (ids[i])
			assert_string_equal(r->ids, ids[i]);
		else
			assert_null(r->ids);
		assert_true(r->line == lines[i]);
		assert_true(r->byte == bytes[i]);
		assert_int_equal(r->flags, i % 3);
	}
	qr_block_release(&b);
	qr_buf_release(&data);
	qr_store_close(s);
}

/* Change a byte of the block header at `off` (header frame at 0), then
 * make its check match again, so that the table itself is what is tested. */
static void forge_header(uint64_t frame_at, size_t off, int xor)
{
	char path[400];
	qr_buf file = QR_BUF_INIT;
	snprintf(path, sizeof(path), "%s/000001.zst", dir);
	read_file(path, &file);
	uint8_t *h = (uint8_t *)file.buf + frame_at + 8;
	uint32_t n = le32(h - 4);
	h[off] ^= (uint8_t)xor;
	uint8_t sha[QR_SHA256_LEN];
	qr_sha256(h, n - 8, sha);
	memcpy(h + n - 8, sha, 8);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(file.buf, 1, file.len, f), file.len);
	fclose(f);
	qr_buf_release(&file);
}

static void expect_damage(const qr_locator *loc, const char *why)
{
	qr_store *s = open_store(false, 1 << 20, 1 << 20);
	qr_buf data = QR_BUF_INIT;
	assert_int_equal(qr_store_get(s, loc, &data, NULL, NULL), QR_DAMAGED);
	if (!strstr(qr_store_error(s), why))
		fail_msg("wanted '%s', got '%s'", why, qr_store_error(s));
	qr_buf_release(&data);
	qr_store_close(s);
}

/* The compressed table is checked: a header whose check still matches
 * but whose table, count, sizes or version are wrong is refused. */
static void test_header_v2_damage(void **state)
{
	(void)state;
	qr_locator locs[NREC];
	char pristine[300];
	snprintf(pristine, sizeof(pristine), "%s.pristine", dir);
	qr_store *s = open_store(true, 1 << 20, 1 << 20);
	append_range(s, 0, 20, locs);
	assert_int_equal(qr_store_sync(s), 0);
	qr_store_close(s);
	copy_store(dir, pristine);
	struct {
		size_t off;
		int xor;
		const char *why;
	} cases[] = {
		{ 4, 0x01, "unknown block header version" },
		{ 0, 0x40, "not a quire block header" },
		{ 16, 0x01, "bad record" },              /* record count */
		{ 32, 0x01, "record table" },            /* table size */
		{ 36, 0x01, "bad record table size" },   /* compressed table size */
		{ 45, 0x10, "record table" },            /* inside the table's frame */
		{ 24, 0x01, "bad record table" },        /* content size */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		copy_store(pristine, dir);
		forge_header(0, cases[i].off, cases[i].xor);
		expect_damage(&locs[3], cases[i].why);
	}
	/* A flipped bit anywhere in the header without a new check: the check. */
	copy_store(pristine, dir);
	patch_byte(1, 8 + 50, 0x04);
	expect_damage(&locs[3], "block header checksum mismatch");
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pristine);
	assert_int_equal(system(cmd), 0);
}

/* A store written with block header v1 (tests/fixtures/store-v1, made by
 * the quire that wrote v1) reads back: records, an archive context, an
 * older version, media files, each matching its sha256. */
static void test_v1_readable(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "cp -a tests/fixtures/store-v1/corpus/store %s", dir);
	assert_int_equal(system(cmd), 0);
	qr_store *s = open_store(false, 1 << 20, 1 << 20);
	qr_buf data = QR_BUF_INIT, want = QR_BUF_INIT;
	read_file("tests/fixtures/store-v1/posts.txt", &want);
	int records = 0, found = 0, contexts = 0, media = 0;
	for (int stream = 0; stream < QR_STREAM_COUNT; stream++) {
		qr_block b;
		qr_block_init(&b);
		uint64_t size = qr_store_segment_size(s, stream, 1);
		assert_true(size > 0);
		for (uint64_t off = 0; off < size; off = b.end) {
			assert_int_equal(qr_store_read_block(s, stream, 1, off, false, &b), 0);
			assert_int_equal(b.version, 1);
			for (uint32_t i = 0; i < b.nrecords; i++) {
				qr_locator loc = { (uint32_t)stream, 1, off, i };
				char hex[QR_SHA256_HEX];
				qr_record_meta m;
				qr_buf strings = QR_BUF_INIT;
				if (qr_store_get(s, &loc, &data, &m, &strings))
					fail_msg("v1 record: %s", qr_store_error(s));
				qr_hex(m.sha256, QR_SHA256_LEN, hex);
				found += strstr(want.buf, hex) != NULL;
				contexts += (m.flags & QR_REC_CONTEXT) != 0;
				media += stream == QR_STREAM_MEDIA;
				records += stream == QR_STREAM_RECORDS;
				qr_buf_release(&strings);
			}
		}
		qr_block_release(&b);
	}
	assert_int_equal(records, 14);       /* 12 posts, an older version, a context */
	assert_int_equal(found, 12);         /* the posts' current records */
	assert_int_equal(contexts, 1);
	assert_int_equal(media, 2);
	assert_int_equal(qr_store_first_segment(s, QR_STREAM_RECORDS), 1);
	qr_buf_release(&data);
	qr_buf_release(&want);
	qr_store_close(s);
}

/* Records that look alike, as tweets do, for the dictionary. */
static void tweetlike(int i, qr_buf *out)
{
	uint32_t x = (uint32_t)i * 2654435761u + 7;
	qr_buf_setf(out, "{\"created_at\":\"Wed Jun 03 14:%02d:%02d +0000 2020\",\"id_str\":\"12683%014d\",\"text\":\"", i % 60,
		    (i * 7) % 60, i);
	for (int k = 0; k < 12; k++) {
		static const char *const words[] = { "police", "protest", "fancam", "video", "dallas", "bridge", "march" };
		x = x * 1103515245u + 12345u;
		qr_buf_addf(out, "%s ", words[(x >> 16) % 7]);
	}
	qr_buf_addf(out, "\",\"user\":{\"id_str\":\"%d\",\"screen_name\":\"user_%d\",\"followers_count\":%d,"
			 "\"profile_background_color\":\"C0DEED\",\"lang\":null,\"verified\":false},\"lang\":\"en\"}",
		    7000 + i % 30, i % 30, (int)(x % 9999));
}

static void append_tweets(qr_store *s, int from, int to, qr_locator *locs)
{
	qr_buf data = QR_BUF_INIT;
	for (int i = from; i < to; i++) {
		qr_record_meta m = { 0 };
		tweetlike(i, &data);
		qr_sha256(data.buf, data.len, m.sha256);
		m.format = "twitter-v1";
		m.ids = "x";
		if (qr_store_append(s, QR_STREAM_RECORDS, data.buf, data.len, &m, &locs[i]))
			fail_msg("append %d: %s", i, qr_store_error(s));
	}
	qr_buf_release(&data);
}

static void check_tweets(qr_store *s, int from, int to, const qr_locator *locs)
{
	qr_buf data = QR_BUF_INIT, want = QR_BUF_INIT;
	for (int i = from; i < to; i++) {
		tweetlike(i, &want);
		if (qr_store_get(s, &locs[i], &data, NULL, NULL))
			fail_msg("get %d: %s", i, qr_store_error(s));
		assert_int_equal(data.len, want.len);
		assert_memory_equal(data.buf, want.buf, want.len);
	}
	qr_buf_release(&data);
	qr_buf_release(&want);
}

/* Ingest's dictionary: trained once the first dict_sample bytes are in,
 * written before any block that names it; the blocks before it have
 * none.  zstd -d -D reads the segment; without the dictionary file the
 * blocks that need it are reported damaged. */
static void test_dictionary_trained(void **state)
{
	(void)state;
	enum { N = 600 };
	qr_locator locs[N];
	qr_store_options o;
	qr_store_options_default(&o);
	o.block_size = 4096;
	o.dict_size = 4096;
	o.dict_sample = 65536;
	qr_store *s;
	qr_buf err = QR_BUF_INIT, dpath = QR_BUF_INIT, dict = QR_BUF_INIT;
	assert_int_equal(qr_store_open(dir, true, &o, &s, &err), 0);
	assert_int_equal(qr_store_dictionary_id(s), 0);
	append_tweets(s, 0, N, locs);
	assert_int_equal(qr_store_sync(s), 0);
	uint32_t id = qr_store_dictionary_id(s);
	assert_true(id != 0);
	qr_store_close(s);
	qr_buf_setf(&dpath, "%s/dictionary", dir);
	read_file(dpath.buf, &dict);
	assert_int_equal(dict.len, 4096);
	assert_int_equal(ZSTD_getDictID_fromDict(dict.buf, dict.len), id);

	/* blocks before the dictionary have none, the ones after name it */
	s = open_store(false, 4096, 1 << 20);
	qr_block b;
	qr_block_init(&b);
	int without = 0, with = 0;
	for (uint64_t off = 0; off < file_size(1); off = b.end) {
		assert_int_equal(qr_store_read_block(s, QR_STREAM_RECORDS, 1, off, false, &b), 0);
		if (b.dict_id == 0)
			assert_int_equal(with, 0);
		else
			assert_int_equal(b.dict_id, id);
		without += b.dict_id == 0;
		with += b.dict_id != 0;
	}
	assert_true(without > 0 && with > 0);
	check_tweets(s, 0, N, locs);
	qr_store_close(s);

	/* zstd's own tool, with the dictionary: the records, each with a newline */
	qr_buf want = QR_BUF_INIT, rec = QR_BUF_INIT, got = QR_BUF_INIT, out = QR_BUF_INIT;
	for (int i = 0; i < N; i++) {
		tweetlike(i, &rec);
		qr_buf_add(&want, rec.buf, rec.len);
		qr_buf_addch(&want, '\n');
	}
	qr_buf_setf(&out, "%s.out", dir);
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "zstd -q -dc -D %s %s/000001.zst > %s", dpath.buf, dir, out.buf);
	if (system(cmd) == 0) {
		read_file(out.buf, &got);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.buf, want.buf, want.len);
	}
	unlink(out.buf);

	/* a writer opened again compresses with the same dictionary, and
	 * trains no other */
	assert_int_equal(qr_store_open(dir, true, &o, &s, &err), 0);
	assert_int_equal(qr_store_dictionary_id(s), id);
	qr_locator more[N + 100];
	append_tweets(s, N, N + 100, more);
	assert_int_equal(qr_store_sync(s), 0);
	check_tweets(s, N, N + 100, more);
	qr_store_close(s);

	/* without the dictionary file: the blocks that need it are damaged,
	 * the ones before it still read */
	qr_buf moved = QR_BUF_INIT;
	qr_buf_setf(&moved, "%s.moved", dpath.buf);
	assert_int_equal(rename(dpath.buf, moved.buf), 0);
	s = open_store(false, 4096, 1 << 20);
	check_tweets(s, 0, 3, locs);
	qr_buf data = QR_BUF_INIT;
	assert_int_equal(qr_store_get(s, &locs[N - 1], &data, NULL, NULL), QR_DAMAGED);
	assert_non_null(strstr(qr_store_error(s), "needs zstd dictionary"));
	qr_store_close(s);
	assert_int_equal(rename(moved.buf, dpath.buf), 0);

	qr_buf_release(&data);
	qr_buf_release(&moved);
	qr_buf_release(&want);
	qr_buf_release(&rec);
	qr_buf_release(&got);
	qr_buf_release(&out);
	qr_buf_release(&err);
	qr_buf_release(&dpath);
	qr_buf_release(&dict);
	qr_block_release(&b);
}

/* Records too few or too alike to train on: no dictionary, no error. */
static void test_dictionary_untrainable(void **state)
{
	(void)state;
	qr_store_options o;
	qr_store_options_default(&o);
	o.dict_size = 1 << 20;
	o.dict_sample = 1000;
	qr_store *s;
	qr_buf err = QR_BUF_INIT, dict = QR_BUF_INIT;
	assert_int_equal(qr_store_open(dir, true, &o, &s, &err), 0);
	qr_locator loc;
	qr_record_meta m = { 0 };
	qr_sha256("0123456789", 10, m.sha256);
	for (int i = 0; i < 200; i++)
		assert_int_equal(qr_store_append(s, QR_STREAM_RECORDS, "0123456789", 10, &m, &loc), 0);
	assert_int_equal(qr_store_sync(s), 0);
	assert_int_equal(qr_store_dictionary_id(s), 0);
	qr_store_close(s);
	size_t sizes[4] = { 10, 10, 10, 10 };
	assert_int_equal(qr_store_train_dictionary("0123456789012345678901234567890123456789", sizes, 4, 4096, &dict, &err),
			 QR_BAD_INPUT);
	qr_buf_release(&err);
	qr_buf_release(&dict);
}

/* Compaction's writer: its own dictionary (dictionary-<id>), compacted
 * blocks in a new segment; an ingest writer then starts the next segment
 * rather than append to it.  Segments need not start at 1. */
static void test_dictionary_given_and_sealed(void **state)
{
	(void)state;
	enum { N = 300 };
	qr_locator locs[N];
	qr_store *s = open_store(true, 4096, 1 << 20);
	append_tweets(s, 0, 100, locs);
	assert_int_equal(qr_store_sync(s), 0);
	qr_store_close(s);

	qr_buf samples = QR_BUF_INIT, rec = QR_BUF_INIT, dict = QR_BUF_INIT, err = QR_BUF_INIT;
	size_t sizes[200];
	for (int i = 0; i < 200; i++) {
		tweetlike(i, &rec);
		qr_buf_add(&samples, rec.buf, rec.len);
		sizes[i] = rec.len;
	}
	assert_int_equal(qr_store_train_dictionary(samples.buf, sizes, 200, 2048, &dict, &err), 0);
	assert_true(dict.len > 0 && dict.len <= 2048);
	qr_store_options o;
	qr_store_options_default(&o);
	o.block_size = 8192;
	o.level = 19;
	o.block_flags = QR_BLOCK_COMPACTED;
	o.new_segment = true;
	o.dict_explicit = true;
	assert_int_equal(qr_store_open(dir, true, &o, &s, &err), 0);
	uint32_t id = 0;
	assert_int_equal(qr_store_use_dictionary(s, dict.buf, dict.len, &id), 0);
	assert_int_equal(id, ZSTD_getDictID_fromDict(dict.buf, dict.len));
	append_tweets(s, 100, 200, locs);
	assert_int_equal(qr_store_sync(s), 0);
	assert_int_equal(locs[100].segment, 2);
	qr_store_close(s);
	char path[400];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/dictionary-%u", dir, id);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal((size_t)sb.st_size, dict.len);

	/* an ingest writer does not append to the compacted segment */
	s = open_store(true, 4096, 1 << 20);
	append_tweets(s, 200, N, locs);
	assert_int_equal(qr_store_sync(s), 0);
	assert_int_equal(locs[200].segment, 3);
	qr_block b;
	qr_block_init(&b);
	assert_int_equal(qr_store_read_block(s, QR_STREAM_RECORDS, 2, 0, false, &b), 0);
	assert_int_equal(b.flags, QR_BLOCK_COMPACTED);
	assert_int_equal(b.dict_id, id);
	qr_block_release(&b);

	/* the first segment goes: the store runs from 2, readers read on */
	assert_int_equal(qr_store_remove_segment(s, QR_STREAM_RECORDS, 1), 0);
	assert_int_equal(qr_store_remove_segment(s, QR_STREAM_RECORDS, 1), QR_NOT_FOUND);
	assert_int_equal(qr_store_sync_dir(s, QR_STREAM_RECORDS), 0);
	assert_int_equal(qr_store_first_segment(s, QR_STREAM_RECORDS), 2);
	assert_int_equal(qr_store_last_segment(s, QR_STREAM_RECORDS), 3);
	assert_true(qr_store_bytes(s) == file_size(2) + file_size(3) + dict.len);
	qr_store_close(s);
	s = open_store(false, 4096, 1 << 20);
	check_tweets(s, 100, N, locs);
	qr_buf data = QR_BUF_INIT;
	assert_int_equal(qr_store_get(s, &locs[0], &data, NULL, NULL), QR_DAMAGED);
	qr_store_close(s);
	/* recovery from the start begins at the first segment there is */
	s = open_store(true, 4096, 1 << 20);
	qr_store_pos zero = { 0, 0 };
	struct seen seen = { 0, 0 };
	qr_buf report = QR_BUF_INIT;
	assert_int_equal(qr_store_recover(s, QR_STREAM_RECORDS, &zero, count_block, &seen, &report), 0);
	assert_int_equal(seen.records, 200);
	qr_store_close(s);
	qr_buf_release(&report);
	qr_buf_release(&data);
	qr_buf_release(&samples);
	qr_buf_release(&rec);
	qr_buf_release(&dict);
	qr_buf_release(&err);
}

/* A record is fetched by decompressing its block only up to its end:
 * records come back in any order, and damage at the end of a block's
 * frame spares the records before it (their sha256 vouches for them) but
 * not the ones it touches. */
static void test_partial_reads(void **state)
{
	(void)state;
	enum { N = 2000 };
	qr_locator *locs = calloc(N, sizeof(*locs));
	qr_store *s = open_store(true, 1 << 20, 1 << 30);
	append_tweets(s, 0, N, locs);
	assert_int_equal(qr_store_sync(s), 0);
	qr_store_close(s);
	assert_int_equal(locs[N - 1].offset, 0); /* one block */
	s = open_store(false, 1 << 20, 1 << 30);
	srand(3);
	for (int k = 0; k < 300; k++) {
		int i = rand() % N;
		check_tweets(s, i, i + 1, locs);
	}
	check_tweets(s, 0, N, locs);
	check_tweets(s, N - 1, N, locs);
	qr_store_close(s);
	patch_byte(1, file_size(1) - 30, 0x08);
	s = open_store(false, 1 << 20, 1 << 30);
	check_tweets(s, 0, 10, locs);
	qr_buf data = QR_BUF_INIT;
	assert_int_equal(qr_store_get(s, &locs[N - 1], &data, NULL, NULL), QR_DAMAGED);
	qr_buf_release(&data);
	qr_store_close(s);
	free(locs);
}

static void test_locator_format_parse(void **state)
{
	(void)state;
	char buf[64];
	qr_locator l = { QR_STREAM_RECORDS, 1, 4096, 3 }, back;
	qr_locator_format(&l, buf);
	assert_string_equal(buf, "000001.zst:4096:3");
	assert_true(qr_locator_parse(buf, &back));
	same_locator(&l, &back);
	qr_locator m = { QR_STREAM_MEDIA, 1234567, UINT64_MAX, UINT32_MAX };
	qr_locator_format(&m, buf);
	assert_string_equal(buf, "media/1234567.zst:18446744073709551615:4294967295");
	assert_true(qr_locator_parse(buf, &back));
	same_locator(&m, &back);
	srand(7);
	for (int i = 0; i < 1000; i++) {
		qr_locator r = { (uint32_t)(rand() % 2), 1 + (uint32_t)rand() % 999999,
				 (uint64_t)rand() * (uint64_t)rand(), (uint32_t)rand() % 5000 };
		qr_locator_format(&r, buf);
		assert_true(qr_locator_parse(buf, &back));
		same_locator(&r, &back);
	}
	const char *bad[] = { "", "000001.zst", "000001.zst:1", "000001.zst:1:", "000001.zst::1", "000000.zst:1:1",
			      "x.zst:1:1", "000001.zip:1:1", "000001.zst:1:2x", "000001.zst:-1:2", "000001.zst:1:-2",
			      "000001.zst: 1:2", "000001.zst:+1:2", " 000001.zst:1:2", "-1.zst:1:2",
			      "000001.zst:99999999999999999999:0", "000001.zst:1:4294967296", "4294967296.zst:1:1",
			      "media/", "media/x", "records/000001.zst:1:1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (qr_locator_parse(bad[i], &back))
			fail_msg("'%s' parsed as a locator", bad[i]);
}

static void test_pos_format_parse(void **state)
{
	(void)state;
	char buf[48];
	qr_store_pos p = { 3, 123456789012ULL }, back;
	qr_store_pos_format(&p, buf);
	assert_string_equal(buf, "3:123456789012");
	assert_true(qr_store_pos_parse(buf, &back));
	assert_int_equal(back.segment, 3);
	assert_int_equal(back.size, 123456789012ULL);
	assert_true(qr_store_pos_parse("0:0", &back));
	const char *bad[] = { "", "3", "3:", ":5", "3:x", "-1:5", "3:-5", "3:5 ", " 3:5", "3:+5", "3:5:6",
			      "4294967296:1", "1:99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (qr_store_pos_parse(bad[i], &back))
			fail_msg("'%s' parsed as a store position", bad[i]);
	qr_store_pos a = { 1, 500 }, b = { 2, 10 }, c = { 2, 20 };
	assert_true(qr_store_pos_cmp(&a, &b) < 0);
	assert_true(qr_store_pos_cmp(&c, &b) > 0);
	assert_true(qr_store_pos_cmp(&b, &b) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_standard_zstd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks_on_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_torn_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_damage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_v2_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_v2_damage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_readable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dictionary_trained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dictionary_untrainable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dictionary_given_and_sealed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_reads, setup, teardown),
		cmocka_unit_test(test_locator_format_parse),
		cmocka_unit_test(test_pos_format_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
