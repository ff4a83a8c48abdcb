/*
 * Fuzz target: every reader.  The first byte picks one (its value modulo
 * the number of readers, in the order of `readers` below); the rest is
 * its input.
 *
 * A stream reader (twitter-v2, gnip-activity, reddit, telegram, warc, csv,
 * jsonl; twitter-v1 has a target of its own too) bids on the bytes, takes
 * them as one record, then frames them as a file and normalizes every
 * record; each post must survive its own JSON.  jsonl reads through the
 * fixture's mapping, csv through the mappings built in (picked by the header
 * line, as ingest does).
 *
 * An archive reader (twitter-archive, mastodon) is fuzzed where archive
 * bytes become posts: the rest is split at its first NUL byte into a
 * context record (what the archive reader keeps of account.js,
 * note-tweet.js, actor.json and media) and a record, both as the store
 * holds them; the record is normalized with the context, then without one.
 */
#include "fuzz.h"
#include "mapping.h"

static const char *const readers[] = {
	"twitter-v1", "twitter-v2", "gnip-activity", "reddit", "telegram",
	"warc",       "csv",        "jsonl",         "twitter-archive", "mastodon",
};
#define NREADERS (sizeof(readers) / sizeof(readers[0]))

static qr_mapping *jsonl_mapping;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* tests/fixtures/jsonl/scraper-mapping.json, so that its records are seeds */
	static const char m[] =
		"{\"name\": \"fuzz\", \"description\": \"tests/fixtures/jsonl/scraper-mapping.json\", "
		"\"input\": \"jsonl\", \"require\": [\"post.id\", \"post.ts\"], "
		"\"fields\": {\"id\": \"post.id\", \"platform\": {\"from\": \"site\", "
		"\"value\": \"vk\"}, \"created_at\": {\"from\": \"post.ts\", \"format\": \"unix\"}, "
		"\"author_id\": \"post.user.uid\", \"author_handle\": \"post.user.screen\", "
		"\"author_name\": \"post.user.name\", \"text\": {\"from\": \"post.body\", "
		"\"html\": true}, "
		"\"url\": {\"template\": \"https://vk.com/wall{author_id}_{native_id}\"}, "
		"\"reply_to\": \"post.reply_to\", \"hashtags\": {\"from\": \"post.tags[]\"}, "
		"\"urls\": {\"from_text\": true}}, \"media\": {\"from\": \"post.attachments[].src\"}, "
		"\"metrics\": {\"likes\": \"post.counts.likes\", "
		"\"reposts\": \"post.counts.reposts\"}, "
		"\"extra\": {\"community\": \"post.group.title\"}}";
	qr_buf why = QR_BUF_INIT;
	if (qr_mapping_parse(m, sizeof(m) - 1, "fuzz", &jsonl_mapping, &why) != 0)
		abort(); /* the harness's own mapping must parse */
	qr_buf_release(&why);
	return 0;
}

static void archive_format(const qr_archive_ops *ops, const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	const char *rec = (const char *)data;
	size_t len = size;
	void *context = NULL;
	qr_posts ps = { 0 };
	qr_buf why = QR_BUF_INIT;

	if (nul) {
		size_t clen = (size_t)(nul - data);
		if (ops->load_context((const char *)data, clen, &context, &why) != 0)
			context = NULL;
		rec = (const char *)nul + 1;
		len = size - clen - 1;
	}
	qr_buf_reset(&why);
	ops->normalize(context, rec, len, &ps, &why);
	fuzz_roundtrip(&ps);
	qr_posts_clear(&ps);
	if (context) {
		qr_buf_reset(&why);
		ops->normalize(NULL, rec, len, &ps, &why);
		fuzz_roundtrip(&ps);
		qr_posts_clear(&ps);
		ops->free_context(context);
	}
	qr_buf_release(&why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	const qr_format *f = qr_format_by_name(readers[data[0] % NREADERS]);
	if (!f)
		abort(); /* every reader named above exists */
	if (!jsonl_mapping)
		LLVMFuzzerInitialize(NULL, NULL);
	qr_mapping_use(strcmp(f->name, "jsonl") == 0 ? jsonl_mapping : NULL);
	if (f->archive)
		archive_format(f->archive, data + 1, size - 1);
	else
		fuzz_stream_format(f, data + 1, size - 1);
	qr_mapping_use(NULL);
	return 0;
}
