/* Fuzz target: the container layer (libarchive and libzstd layers, the
 * caps) fed the bytes as an input stream, with the readers behind it. */
#include <stdlib.h>

#include "container.h"
#include "format.h"
#include "fuzz.h"
#include "input.h"
#include "status.h"

static int leaf(void *ctx, qr_leaf *lf)
{
	const char *head;
	(void)ctx;
	ssize_t n = qr_stream_peek(lf->s, 4096, &head);
	if (n < 0)
		return 0;
	int bid;
	const qr_format *f = qr_format_sniff(head, (size_t)n, lf->member, &bid);
	if (!f)
		f = qr_format_by_name("twitter-v1");
	qr_reader r = { f, { 0 }, lf->path, lf->member, NULL };
	qr_buf why = QR_BUF_INIT;
	qr_posts ps = { 0 };
	qr_input_init(&r.in, lf->s, 1u << 20);
	for (int i = 0; i < 100000; i++) {
		qr_frame fr;
		int st = qr_format_next(&r, &fr, &why);
		if (st == QR_END || st == QR_IO)
			break;
		if (st == QR_OK) {
			f->normalize(fr.data, fr.len, &ps, &why);
			qr_posts_clear(&ps);
		}
	}
	qr_input_release(&r.in);
	qr_buf_release(&why);
	return 0;
}

static void note(void *ctx, int severity, const char *path, const char *member, uint64_t byte, const char *msg)
{
	(void)ctx, (void)severity, (void)path, (void)member, (void)byte, (void)msg;
}

static uint64_t raw_read(void *ctx)
{
	return ((struct fuzz_mem *)ctx)->pos;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_mem m;
	qr_limits lim;
	qr_limits_default(&lim);
	/* Small caps, so that bombs are stopped quickly and in little memory. */
	lim.max_depth = 6;
	lim.max_member_bytes = 8u << 20;
	lim.max_input_bytes = 16u << 20;
	lim.bomb_floor = 1u << 20;
	lim.max_ratio = 200;
	lim.max_entries = 2000;
	lim.max_record = 1u << 20;
	qr_stream *top = fuzz_mem_stream(&m, data, size, 0);
	qr_container_cb cb = { leaf, note, NULL, NULL };
	qr_container_walk("fuzz", top, &lim, raw_read, &m, &cb);
	qr_stream_free(top);
	return 0;
}
