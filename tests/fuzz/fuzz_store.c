/* Fuzz target: the store's block reader and its recovery, on the bytes as
 * a segment file; then a write and a read back after the recovery.  The
 * same bytes as the journal (store/journal.zst): its walk, the entries read
 * as replay reads them, its recovery, and an entry appended after it. */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "fuzz.h"
#include "hash.h"
#include "journal.h"
#include "tags.h"
#include "status.h"
#include "store.h"

static char dir[256];

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* tmpfs where there is one: recovery truncates and fsyncs. */
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/quire-fuzz-store-XXXXXX", base);
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	return 0;
}

static void write_segment(const uint8_t *data, size_t size)
{
	char path[300];
	cleanup();
	if (mkdir(dir, 0700) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/000001.zst", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
}

/* What replaying reads of an entry, without a corpus to apply it to. */
static int read_entry(void *ctx, const qr_journal_entry *e)
{
	qr_buf code = QR_BUF_INIT;
	const cJSON *it;
	(*(uint64_t *)ctx)++;
	if (e->part < 1 || e->part > e->parts || e->end <= e->offset)
		abort();
	cJSON_ArrayForEach(it, qr_journal_list(e, "add"))
	{
		if (cJSON_IsString(it))
			qr_tag_code(it->valuestring, &code);
	}
	if (strcmp(e->op, "events") == 0) {
		qr_events *ev = NULL;
		qr_strv problems = { 0 };
		qr_events_from_journal(e->json, &ev, &problems);
		qr_events_free(ev);
		qr_strv_clear(&problems);
	}
	qr_buf_release(&code);
	return 0;
}

static void fuzz_journal(const uint8_t *data, size_t size)
{
	char path[300];
	qr_journal *j = NULL;
	qr_journal_stats w;
	qr_buf err = QR_BUF_INIT, what = QR_BUF_INIT, buf = QR_BUF_INIT;
	uint64_t entries = 0, again = 0;
	snprintf(path, sizeof(path), "%s/" QR_JOURNAL_FILE, dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (qr_journal_open(dir, true, &j, &err) != 0)
		abort();
	qr_journal_stats_init(&w);
	qr_journal_walk(j, 0, read_entry, &entries, &w);
	if (w.end > size || w.torn > size || w.unfinished_at > size)
		abort();
	qr_journal_stats_release(&w);
	/* Recovery with nothing applied, then an entry that must read back. */
	if (qr_journal_recover(j, 0, &what) == 0) {
		qr_jw jw;
		qr_journal_begin(j, &jw, &buf, "tag");
		qr_jw_key(&jw, "posts");
		qr_jw_begin_array(&jw);
		qr_jw_string(&jw, "twitter:1");
		qr_jw_end_array(&jw);
		if (qr_journal_append(j, &jw, &buf) == 0) {
			qr_journal_stats_init(&w);
			if (qr_journal_walk(j, 0, read_entry, &again, &w) != 0 || w.torn || w.unfinished)
				abort(); /* after recovery the journal ends whole */
			qr_journal_stats_release(&w);
		}
	}
	qr_journal_close(j);
	qr_buf_release(&err);
	qr_buf_release(&what);
	qr_buf_release(&buf);
}

static int count_block(void *ctx, qr_block *b)
{
	*(uint64_t *)ctx += b->nrecords;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qr_store *s = NULL;
	qr_buf err = QR_BUF_INIT, rec = QR_BUF_INIT, strings = QR_BUF_INIT, report = QR_BUF_INIT;
	qr_block b;
	qr_record_meta meta;

	if (!dir[0])
		LLVMFuzzerInitialize(NULL, NULL);
	write_segment(data, size);
	if (qr_store_open(dir, true, NULL, &s, &err) != 0)
		abort();
	/* Reading, block by block, every record of the intact ones. */
	qr_block_init(&b);
	uint64_t off = 0;
	for (int i = 0; i < 1000 && off < size; i++) {
		if (qr_store_read_block(s, QR_STREAM_RECORDS, 1, off, true, &b) != 0)
			break;
		for (uint32_t k = 0; k < b.nrecords; k++) {
			qr_locator loc = { QR_STREAM_RECORDS, 1, off, k };
			if (qr_store_get(s, &loc, &rec, &meta, &strings) == 0) {
				uint8_t sha[QR_SHA256_LEN];
				qr_sha256(rec.buf, rec.len, sha);
				if (memcmp(sha, meta.sha256, QR_SHA256_LEN) != 0)
					abort(); /* bytes that do not match their sha256 */
			}
		}
		if (b.end <= off)
			abort();
		off = b.end;
	}
	qr_block_release(&b);
	/* Recovery from the start; then the writer goes on after it. */
	qr_store_pos from = { 0, 0 };
	uint64_t records = 0;
	if (qr_store_recover(s, QR_STREAM_RECORDS, &from, count_block, &records, &report) == 0) {
		qr_record_meta m;
		qr_locator loc;
		memset(&m, 0, sizeof(m));
		m.format = "twitter-v1";
		m.path = "fuzz";
		m.ids = "twitter:1";
		const char rec_in[] = "{\"id_str\":\"1\"}";
		qr_sha256(rec_in, sizeof(rec_in) - 1, m.sha256);
		if (qr_store_append(s, QR_STREAM_RECORDS, rec_in, sizeof(rec_in) - 1, &m, &loc) == 0 &&
		    qr_store_sync(s) == 0) {
			if (qr_store_get(s, &loc, &rec, NULL, NULL) != 0 || rec.len != sizeof(rec_in) - 1 ||
			    memcmp(rec.buf, rec_in, rec.len) != 0)
				abort(); /* a record written after recovery reads back */
		}
	}
	qr_store_close(s);
	fuzz_journal(data, size);
	qr_buf_release(&err);
	qr_buf_release(&rec);
	qr_buf_release(&strings);
	qr_buf_release(&report);
	return 0;
}
