/* Fuzz target: the query language front end (shorthands, field and range
 * processors, Xapian's parser) on a small fixed corpus, and the search. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corpus.h"
#include "format.h"
#include "fuzz.h"
#include "query.h"
#include "status.h"

static char dir[256];
static qr_corpus *corpus;

static const char *const tweets[] = {
	"{\"created_at\":\"Wed Jun 03 14:05:11 +0000 2020\",\"id_str\":\"1268170000000000001\",\"text\":\"Fancams in "
	"#WhiteLivesMatter tonight @kpop_relay_demo\",\"user\":{\"id_str\":\"7001\",\"screen_name\":\"kpop_relay_demo\"},"
	"\"entities\":{\"hashtags\":[{\"text\":\"WhiteLivesMatter\"}],\"user_mentions\":[{\"screen_name\":\"kpop_relay_demo\"}],"
	"\"urls\":[{\"url\":\"https://t.co/a\",\"expanded_url\":\"https://www.example.org/x\"}]},\"lang\":\"en\"}",
	"{\"created_at\":\"Mon Jun 01 02:00:00 +0000 2020\",\"id_str\":\"1268170000000000002\",\"text\":\"iWatch app "
	"flooded with clips \\u8b66\\u5bdf\",\"user\":{\"id_str\":\"7002\",\"screen_name\":\"stan_demo\"},\"entities\":"
	"{\"hashtags\":[{\"text\":\"iWatchDallas\"}],\"media\":[{\"type\":\"video\",\"media_key\":\"7_1\"}]},\"lang\":\"ko\"}",
	"{\"created_at\":\"Thu Jun 04 20:00:00 +0000 2020\",\"id_str\":\"1268170000000000003\",\"text\":\"RT statement\","
	"\"user\":{\"id_str\":\"7003\",\"screen_name\":\"vigil_demo\"},\"retweeted_status\":{\"created_at\":\"Thu Jun 04 "
	"19:00:00 +0000 2020\",\"id_str\":\"1268170000000000004\",\"text\":\"Statement #BlackLivesMatter\",\"user\":"
	"{\"id_str\":\"7004\",\"screen_name\":\"band_demo\"}}}",
};

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	qr_corpus_close(corpus);
	corpus = NULL;
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	qr_buf err = QR_BUF_INIT, why = QR_BUF_INIT;
	qr_corpus *c;
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/quire-fuzz-query-XXXXXX", base);
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	if (qr_corpus_open(dir, QR_OPEN_CREATE, &c, &err) != 0)
		abort();
	const qr_format *f = qr_format_by_name("twitter-v1");
	for (size_t i = 0; i < sizeof(tweets) / sizeof(tweets[0]); i++) {
		qr_posts ps = { 0 };
		qr_record_meta meta;
		qr_add_counts counts = { 0 };
		memset(&meta, 0, sizeof(meta));
		meta.format = "twitter-v1";
		meta.path = "fuzz";
		if (f->normalize(tweets[i], strlen(tweets[i]), &ps, &why) != QR_OK)
			abort();
		meta.ids = ps.v[0].id;
		if (qr_corpus_add(c, tweets[i], strlen(tweets[i]), &meta, ps.v, ps.n, NULL, &counts) != 0)
			abort();
		qr_posts_clear(&ps);
	}
	if (qr_corpus_commit(c) != 0)
		abort();
	qr_corpus_close(c);
	if (qr_corpus_open(dir, QR_OPEN_READ, &corpus, &err) != 0)
		abort();
	qr_buf_release(&err);
	qr_buf_release(&why);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!corpus)
		LLVMFuzzerInitialize(NULL, NULL);
	if (size > 4096)
		return 0;
	/* The first byte picks the options; the rest is the query text. */
	static const char *const zones[] = { NULL, "UTC", "Europe/Berlin", "America/Chicago" };
	qr_query_opts o = { NULL, NULL, NULL, false };
	char *text = qr_malloc(size + 1);
	size_t n = 0;
	if (size) {
		o.tz = zones[data[0] & 3];
		if (data[0] & 4)
			o.since = "2020-06-01";
		if (data[0] & 8)
			o.until = "2020-06-03T14";
		memcpy(text, data + 1, size - 1);
		n = size - 1;
	}
	text[n] = '\0';
	qr_buf err = QR_BUF_INIT;
	xc_query *q = NULL;
	if (qr_query_build(qr_corpus_db(corpus), text, &o, &q, &err) == 0) {
		xc_enquire *enq = NULL;
		xc_mset *ms = NULL;
		if (xc_enquire_create(qr_corpus_db(corpus), &enq) == XC_OK) {
			xc_enquire_set_query(enq, q);
			if (xc_enquire_get_mset(enq, 0, 10, 0, &ms) == XC_OK) {
				xc_mset_fetch(ms);
				for (uint32_t i = 0; i < xc_mset_size(ms); i++) {
					xc_doc *doc = NULL;
					char *d = NULL;
					size_t len;
					if (xc_mset_document(ms, i, &doc) == XC_OK && xc_doc_get_data(doc, &d, &len) == XC_OK)
						free(d);
					xc_doc_destroy(doc);
				}
			}
		}
		xc_mset_destroy(ms);
		xc_enquire_destroy(enq);
	}
	xc_query_destroy(q);
	qr_buf_release(&err);
	free(text);
	return 0;
}
