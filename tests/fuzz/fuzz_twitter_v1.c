/* Fuzz target: the twitter-v1 reader, framing and normalizing, and the
 * normalized post's JSON written and read back. */
#include <stdlib.h>

#include "format.h"
#include "fuzz.h"
#include "input.h"
#include "json.h"
#include "post.h"
#include "status.h"

/* Every post the reader makes must survive its own JSON. */
static void roundtrip(const qr_posts *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		qr_buf json = QR_BUF_INIT, why = QR_BUF_INIT;
		qr_jw w;
		qr_post back;
		qr_jw_init(&w, &json, false);
		qr_post_to_json(&ps->v[i], &w);
		qr_post_init(&back);
		if (qr_post_from_json(&back, json.buf, json.len, &why) != 0)
			abort();
		qr_post_clear(&back);
		qr_buf_release(&json);
		qr_buf_release(&why);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const qr_format *f = qr_format_by_name("twitter-v1");
	qr_posts ps = { 0 };
	qr_buf why = QR_BUF_INIT;

	f->bid((const char *)data, size, NULL);
	/* The whole input as one record. */
	f->normalize((const char *)data, size, &ps, &why);
	roundtrip(&ps);
	qr_posts_clear(&ps);

	/* Framed as a file, read in uneven pieces. */
	struct fuzz_mem m;
	qr_stream *s = fuzz_mem_stream(&m, data, size, size ? 1 + data[0] % 97 : 0);
	qr_reader r = { f, { 0 }, "fuzz", NULL, NULL };
	qr_input_init(&r.in, s, 1u << 16);
	for (int i = 0; i < 100000; i++) {
		qr_frame fr;
		qr_buf_reset(&why);
		int st = qr_format_next(&r, &fr, &why);
		if (st == QR_END || st == QR_IO)
			break;
		if (st != QR_OK)
			continue;
		if (fr.len > (1u << 16))
			abort(); /* the record cap holds */
		f->normalize(fr.data, fr.len, &ps, &why);
		roundtrip(&ps);
		qr_posts_clear(&ps);
	}
	qr_input_release(&r.in);
	qr_stream_free(s);
	qr_buf_release(&why);
	return 0;
}
