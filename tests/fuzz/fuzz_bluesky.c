/*
 * Fuzz target: the Bluesky readers.  The first byte picks the work, the
 * rest is the input:
 *
 *   0  a CAR file read by bluesky-car as the ingest reads it (streamed in
 *      uneven pieces): framing, CIDs, DAG-CBOR, the tree walk; every
 *      record it sends is normalized with the context record it sent
 *      before, as the store would give them back
 *   1  one DAG-CBOR block into JSON, then normalized as a repo's record
 *      (with no context)
 *   2  a Jetstream capture read by bluesky-jetstream, likewise
 *   3  API responses through the bluesky-api stream format
 *
 * Every post must survive its own JSON.
 */
#include "fuzz.h"

#include "dagcbor.h"

extern const qr_format qr_format_bluesky_car, qr_format_bluesky_jetstream, qr_format_bluesky_api;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

struct sink {
	const qr_archive_ops *ops;
	void *context;
	uint64_t records;
};

static int s_blob(qr_archive *a, const char *member, qr_stream *s, qr_blob *out)
{
	(void)a, (void)member, (void)s;
	memset(out, 0, sizeof(*out));
	return 0;
}

static int s_begin(qr_archive *a, const char *context, size_t len)
{
	struct sink *k = a->sink_ctx;
	qr_buf why = QR_BUF_INIT;
	if (k->context)
		k->ops->free_context(k->context);
	k->context = NULL;
	/* A context the reader wrote must read back. */
	if (k->ops->load_context(context, len, &k->context, &why) != 0)
		abort();
	qr_buf_release(&why);
	return 0;
}

static int s_record(qr_archive *a, const char *member, const qr_frame *f)
{
	struct sink *k = a->sink_ctx;
	qr_posts ps = { 0 };
	qr_buf why = QR_BUF_INIT;
	(void)member;
	if (f->len > a->max_record)
		abort(); /* the record cap holds */
	k->ops->normalize(k->context, f->data, f->len, &ps, &why);
	fuzz_roundtrip(&ps);
	qr_posts_clear(&ps);
	qr_buf_release(&why);
	k->records++;
	return 0;
}

static void s_end(qr_archive *a)
{
	struct sink *k = a->sink_ctx;
	if (k->context)
		k->ops->free_context(k->context);
	k->context = NULL;
}

static void s_reject(qr_archive *a, const char *member, uint64_t line, uint64_t byte, const char *reason)
{
	(void)a, (void)member, (void)line, (void)byte, (void)reason;
}

static void s_note(qr_archive *a, int severity, const char *member, const char *msg)
{
	(void)a, (void)severity, (void)member, (void)msg;
}

static const qr_archive_sink sink_ops = { s_blob, s_begin, s_record, s_end, s_reject, s_note };

static void archive(const qr_format *f, const uint8_t *data, size_t size)
{
	struct sink k = { f->archive, NULL, 0 };
	qr_archive a = { 0 };
	struct fuzz_mem m;
	a.format = f;
	a.path = "fuzz";
	a.max_record = 1u << 16;
	a.max_media = 1u << 16;
	a.max_buffer = 1u << 20;
	a.sink = &sink_ops;
	a.sink_ctx = &k;
	f->archive->bid("fuzz", (const char *)data, size);
	if (f->archive->open(&a) != 0)
		abort();
	qr_stream *s = fuzz_mem_stream(&m, data, size, size ? 1 + data[0] % 61 : 0);
	f->archive->member(&a, "fuzz", NULL, s);
	f->archive->finish(&a);
	f->archive->close(&a);
	s_end(&a);
	qr_stream_free(s);
}

static void block(const uint8_t *data, size_t size)
{
	cJSON *v = NULL;
	qr_buf why = QR_BUF_INIT;
	qr_posts ps = { 0 };
	if (qr_dagcbor_to_json(data, size, &v, &why) == QR_OK) {
		char *text = cJSON_PrintUnformatted(v);
		if (!text)
			abort();
		free(text);
	}
	cJSON_Delete(v);
	qr_buf_reset(&why);
	qr_format_bluesky_car.archive->normalize(NULL, (const char *)data, size, &ps, &why);
	fuzz_roundtrip(&ps);
	qr_posts_clear(&ps);
	qr_buf_release(&why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 4) {
	case 0:
		archive(&qr_format_bluesky_car, data + 1, size - 1);
		break;
	case 1:
		block(data + 1, size - 1);
		break;
	case 2:
		archive(&qr_format_bluesky_jetstream, data + 1, size - 1);
		break;
	default:
		fuzz_stream_format(&qr_format_bluesky_api, data + 1, size - 1);
		break;
	}
	return 0;
}
