#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cid.h"
#include "hash.h"
#include "io.h"
#include "json.h"
#include "schema.h"
#include "status.h"
#include "tags.h"
#include "timeutil.h"

#define SCAN_CHUNK (1u << 20)

/* ---- walking the blocks of a stream, past damage ---- */

/* Called for every intact block (b set, why NULL) and for every damaged
 * stretch [off, next) (b NULL, why says what is wrong). */
typedef int (*block_fn)(void *ctx, int stream, uint32_t seg, uint64_t off, uint64_t next, qr_block *b,
			const char *why);

/* The next block header frame at or after `from`: its skippable magic
 * followed by quire's header magic (either version).  Returns the segment size when none. */
static uint64_t next_header(const char *path, uint64_t from, uint64_t size)
{
	static const uint8_t magic[4] = { 0x5B, 0x2A, 0x4D, 0x18 };
	uint64_t found = size;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return size;
	uint8_t *buf = qr_malloc(SCAN_CHUNK + 12);
	for (uint64_t pos = from; pos + 12 <= size && found == size;) {
		size_t want = size - pos < SCAN_CHUNK + 12 ? (size_t)(size - pos) : SCAN_CHUNK + 12;
		ssize_t n = pread(fd, buf, want, (off_t)pos);
		if (n < 12)
			break;
		for (uint8_t *p = buf; p + 12 <= buf + n; p++) {
			p = memmem(p, (size_t)(buf + n - p), magic, 4);
			if (!p || p + 12 > buf + n)
				break;
			if (qr_store_is_header(p)) {
				found = pos + (uint64_t)(p - buf);
				break;
			}
		}
		/* Overlap so that a header split by the chunk edge is found. */
		pos += (uint64_t)n - 11;
	}
	free(buf);
	close(fd);
	return found;
}

/* Every record of an intact block must match its sha256. */
static const char *check_records(const qr_block *b, uint32_t *bad)
{
	uint8_t sha[QR_SHA256_LEN];
	for (uint32_t i = 0; i < b->nrecords; i++) {
		const qr_record_meta *r = &b->records[i];
		qr_sha256(b->content.buf + r->offset, r->length, sha);
		if (memcmp(sha, r->sha256, QR_SHA256_LEN) != 0) {
			*bad = i;
			return "does not match its sha256";
		}
	}
	return NULL;
}

static int walk_stream(qr_store *s, int stream, block_fn fn, void *ctx)
{
	uint32_t last = qr_store_last_segment(s, stream);
	qr_buf path = QR_BUF_INIT, why = QR_BUF_INIT;
	qr_block b;
	int st = 0;

	qr_block_init(&b);
	for (uint32_t seg = 1; seg <= last && !st; seg++) {
		uint64_t size = qr_store_segment_size(s, stream, seg);
		qr_store_segment_path(s, stream, seg, &path);
		for (uint64_t off = 0; off < size && !st;) {
			int rs = qr_store_read_block(s, stream, seg, off, true, &b);
			uint32_t bad = 0;
			const char *rec = rs ? NULL : check_records(&b, &bad);
			if (!rs && !rec) {
				st = fn(ctx, stream, seg, off, b.end, &b, NULL);
				off = b.end;
				continue;
			}
			if (rs && rs != QR_DAMAGED) {
				st = rs;
				break;
			}
			if (rec)
				qr_buf_setf(&why, "damaged block in '%s' at byte %" PRIu64 ": record %" PRIu32 " %s", path.buf,
					    off, bad, rec);
			uint64_t next = rec ? b.end : next_header(path.buf, off + 1, size);
			if (!rec)
				/* The stretch up to the next header found is named whole:
				 * a damaged header magic hides a block inside it. */
				qr_buf_setf(&why, "%s (bytes %" PRIu64 "-%" PRIu64 " cannot be read, up to the %s)",
					    qr_store_error(s), off, next, next < size ? "next block header" : "segment's end");
			st = fn(ctx, stream, seg, off, next, NULL, why.buf);
			off = next;
		}
	}
	qr_block_release(&b);
	qr_buf_release(&path);
	qr_buf_release(&why);
	return st;
}

/* Is the stretch ending at (seg, end) within what the index committed? */
static bool within(const qr_store_pos *tail, uint32_t seg, uint64_t end)
{
	return seg < tail->segment || (seg == tail->segment && end <= tail->size);
}

static int cmp_loc(const qr_locator *a, uint32_t seg, uint64_t off)
{
	if (a->segment != seg)
		return a->segment < seg ? -1 : 1;
	if (a->offset != off)
		return a->offset < off ? -1 : 1;
	return 0;
}

static bool ids_contain(const char *ids, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = ids; p && *p;) {
		size_t len = strcspn(p, " ");
		if (len == n && memcmp(p, id, n) == 0)
			return true;
		p += len;
		while (*p == ' ')
			p++;
	}
	return false;
}

/* ---- the check ---- */

struct check {
	qr_corpus *c;
	qr_store *s;
	xc_db *db;
	const qr_check_opts *o;
	qr_finding_fn fn;
	void *ctx;
	qr_check_stats *st;
	qr_store_pos tail[QR_STREAM_COUNT];
	uint32_t last[QR_STREAM_COUNT];
	uint64_t *shas;
	size_t nshas, shas_alloc;
	/* damaged stretches of the records stream, and how many index
	 * entries point into each */
	struct stretch { uint32_t seg; uint64_t off, next, posts; char *why; } *bad;
	size_t nbad, bad_alloc;
	qr_buf msg, term, data, strings;
};

/* Format a finding into msg and hand it to fn (the check's and the
 * repair's reports alike). */
static void report(qr_buf *msg, qr_finding_fn fn, void *ctx, int kind, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
static void report(qr_buf *msg, qr_finding_fn fn, void *ctx, int kind, const char *fmt, va_list ap)
{
	qr_buf_reset(msg);
	qr_buf_vaddf(msg, fmt, ap);
	if (fn)
		fn(ctx, kind, msg->buf);
}

static void found(struct check *k, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void found(struct check *k, int kind, const char *fmt, ...)
{
	va_list ap;
	if (kind == QR_FOUND_DAMAGE)
		k->st->damage++;
	else if (kind == QR_FOUND_NOTE)
		k->st->notes++;
	va_start(ap, fmt);
	report(&k->msg, k->fn, k->ctx, kind, fmt, ap);
	va_end(ap);
}

/* Is post `id` in the index with the record whose sha256 is sha? */
static int post_has_record(xc_db *db, qr_corpus *c, qr_buf *term, const char *id, const uint8_t *sha, bool *has,
			   xc_docid *docid)
{
	xc_doc *doc = NULL;
	char *val = NULL;
	size_t len = 0;
	*has = false;
	qr_buf_reset(term);
	qr_term(term, QR_P_ID, id, false);
	xc_status x = xc_db_find_term(db, term->buf, term->len, docid);
	if (x == XC_NOT_FOUND)
		return 0;
	if (x != XC_OK)
		return QR_IO;
	if (xc_db_get_document(db, *docid, &doc) == XC_OK && xc_doc_get_value(doc, QR_SLOT_RECORD, &val, &len) == XC_OK &&
	    len == QR_SHA256_LEN && memcmp(val, sha, QR_SHA256_LEN) == 0)
		*has = true;
	free(val);
	xc_doc_destroy(doc);
	if (*has)
		return 0;
	/* An older version of the post: listed among its versions. */
	qr_post p;
	char hex[QR_SHA256_HEX];
	qr_post_init(&p);
	qr_hex(sha, QR_SHA256_LEN, hex);
	if (qr_corpus_load_post(c, *docid, &p) == 0 && qr_kvv_get(&p.record.versions, hex))
		*has = true;
	qr_post_clear(&p);
	return 0;
}

static int check_block(void *ctx, int stream, uint32_t seg, uint64_t off, uint64_t next, qr_block *b, const char *why)
{
	struct check *k = ctx;
	const qr_store_pos *tail = &k->tail[stream];
	bool committed = within(tail, seg, next);

	if (!b) {
		k->st->damaged_blocks++;
		bool past = seg > tail->segment || (seg == tail->segment && off >= tail->size);
		if (past && seg == k->last[stream]) {
			k->st->torn_bytes += next - off;
			found(k, QR_FOUND_NOTE, "%s (past the committed tail: an interrupted ingest; the next ingest cuts it off)",
			      why);
		} else {
			found(k, QR_FOUND_DAMAGE, "%s", why);
		}
		if (stream == QR_STREAM_RECORDS) {
			k->bad = qr_grow_array(k->bad, sizeof(*k->bad), k->nbad + 1, &k->bad_alloc);
			k->bad[k->nbad] = (struct stretch){ seg, off, next, 0, qr_strdup(why) };
			k->nbad++;
		}
		return 0;
	}
	k->st->blocks++;
	k->st->records += b->nrecords;
	if (k->o->verbose)
		found(k, QR_FOUND_INFO, "block %s%06" PRIu32 ".zst:%" PRIu64 "-%" PRIu64 ": %" PRIu32 " records%s",
		      stream == QR_STREAM_MEDIA ? "media/" : "", seg, off, next, b->nrecords,
		      committed ? "" : " (uncommitted)");
	if (!committed) {
		k->st->uncommitted_blocks++;
		return 0;
	}
	for (uint32_t i = 0; i < b->nrecords; i++) {
		const qr_record_meta *r = &b->records[i];
		if (r->flags & QR_REC_BLOB)
			continue;
		k->shas = qr_grow_array(k->shas, sizeof(*k->shas), k->nshas + 1, &k->shas_alloc);
		memcpy(&k->shas[k->nshas++], r->sha256, sizeof(*k->shas));
		if (stream != QR_STREAM_RECORDS || !r->ids)
			continue;
		qr_buf ids = QR_BUF_INIT;
		qr_buf_adds(&ids, r->ids);
		for (char *save = NULL, *id = strtok_r(ids.buf, " ", &save); id; id = strtok_r(NULL, " ", &save)) {
			bool has;
			xc_docid docid;
			int st = post_has_record(k->db, k->c, &k->term, id, r->sha256, &has, &docid);
			if (st) {
				qr_buf_release(&ids);
				found(k, QR_FOUND_DAMAGE, "cannot look up post %s in the index: %s", id, xc_db_error(k->db));
				return st;
			}
			if (!has) {
				k->st->missing_posts++;
				found(k, QR_FOUND_DAMAGE, "post %s of record %06" PRIu32 ".zst:%" PRIu64 ":%" PRIu32
				      " is not in the index with that record", id, seg, off, i);
			}
		}
		qr_buf_release(&ids);
	}
	return 0;
}

/* Does the record at `where` exist, hold post `id` and match `sha_hex`?
 * NULL when it does, else why not (in k->msg-independent storage). */
static const char *verify_record(struct check *k, const char *where, const char *sha_hex, const char *id, qr_buf *why)
{
	qr_locator loc;
	uint8_t want[QR_SHA256_LEN], got[QR_SHA256_LEN];
	qr_record_meta meta;
	if (!where || !qr_locator_parse(where, &loc) || loc.stream >= QR_STREAM_COUNT) {
		qr_buf_setf(why, "malformed store locator '%s'", where ? where : "");
		return why->buf;
	}
	if (!sha_hex || !qr_unhex(sha_hex, want, QR_SHA256_LEN)) {
		qr_buf_setf(why, "malformed record sha256");
		return why->buf;
	}
	if (!within(&k->tail[loc.stream], loc.segment, loc.offset + 1)) {
		qr_buf_setf(why, "record %s lies past the store tail the index committed", where);
		return why->buf;
	}
	int st = qr_store_get(k->s, &loc, &k->data, &meta, &k->strings);
	if (st) {
		qr_buf_setf(why, "record %s: %s", where, qr_store_error(k->s));
		return why->buf;
	}
	qr_sha256(k->data.buf, k->data.len, got);
	if (memcmp(want, got, QR_SHA256_LEN) != 0) {
		qr_buf_setf(why, "record %s does not match the sha256 in the index", where);
		return why->buf;
	}
	if (id && !(meta.ids && ids_contain(meta.ids, id))) {
		qr_buf_setf(why, "record %s does not hold this post", where);
		return why->buf;
	}
	return NULL;
}

/* An entry whose record lies in a damaged stretch already reported is
 * counted there (one line per block, not one per post). */
static bool in_reported_damage(struct check *k, const char *where)
{
	qr_locator loc;
	if (k->o->verbose || !where || !qr_locator_parse(where, &loc) || loc.stream != QR_STREAM_RECORDS)
		return false;
	for (size_t i = 0; i < k->nbad; i++) {
		if (k->bad[i].seg == loc.segment && loc.offset >= k->bad[i].off && loc.offset < k->bad[i].next) {
			k->bad[i].posts++;
			return true;
		}
	}
	return false;
}

static int check_doc(struct check *k, xc_docid docid, qr_buf *why)
{
	qr_post p;
	xc_docid first;
	int st = 0;
	qr_post_init(&p);
	k->st->posts++;
	if ((st = qr_corpus_load_post(k->c, docid, &p))) {
		k->st->bad_posts++;
		found(k, QR_FOUND_DAMAGE, "%s", qr_corpus_error(k->c));
		goto out;
	}
	st = qr_corpus_find(k->c, p.id, &first);
	if (st && st != QR_NOT_FOUND)
		goto out;
	st = 0;
	if (first != docid) {
		k->st->duplicate_posts++;
		found(k, QR_FOUND_DAMAGE, "post %s has more than one document in the index (%u and %u)", p.id, first, docid);
	}
	const char *bad = verify_record(k, p.record.locator, p.record.sha256, p.id, why);
	if (bad) {
		k->st->bad_posts++;
		if (!in_reported_damage(k, p.record.locator))
			found(k, QR_FOUND_DAMAGE, "post %s: %s", p.id, bad);
	}
	bool checked;
	if (!qr_cid_check_post(&p, &checked, why)) {
		k->st->bad_posts++;
		found(k, QR_FOUND_DAMAGE, "post %s: its CID does not name its record: %s", p.id, why->buf);
	}
	for (size_t i = 0; i < p.record.versions.n; i++) {
		const qr_kv *v = &p.record.versions.v[i];
		if ((bad = verify_record(k, v->value, v->key, p.id, why))) {
			k->st->bad_posts++;
			if (!in_reported_damage(k, v->value))
				found(k, QR_FOUND_DAMAGE, "post %s, older version: %s", p.id, bad);
		}
	}
	xc_doc *doc = NULL;
	char *val = NULL;
	size_t len = 0;
	uint8_t sha[QR_SHA256_LEN];
	if (p.record.sha256 && qr_unhex(p.record.sha256, sha, QR_SHA256_LEN) &&
	    (xc_db_get_document(k->db, docid, &doc) != XC_OK || xc_doc_get_value(doc, QR_SLOT_RECORD, &val, &len) != XC_OK ||
	     len != QR_SHA256_LEN || memcmp(val, sha, QR_SHA256_LEN) != 0)) {
		k->st->bad_posts++;
		found(k, QR_FOUND_DAMAGE, "post %s: the index's record value differs from its document data", p.id);
	}
	free(val);
	xc_doc_destroy(doc);
out:
	qr_post_clear(&p);
	return st;
}

static int check_index(struct check *k)
{
	xc_postiter *it = NULL;
	xc_docid docid;
	qr_buf why = QR_BUF_INIT;
	int st = 0;
	if (xc_db_postlist(k->db, "", 0, &it) != XC_OK) {
		found(k, QR_FOUND_DAMAGE, "cannot list the index's documents: %s", xc_db_error(k->db));
		return 0;
	}
	xc_status x;
	while (!st && (x = xc_postiter_next(it, &docid)) == XC_OK)
		st = check_doc(k, docid, &why);
	if (!st && x != XC_END)
		found(k, QR_FOUND_DAMAGE, "cannot list the index's documents: %s", xc_postiter_error(it));
	xc_postiter_destroy(it);
	qr_buf_release(&why);
	return st;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void check_tails(struct check *k)
{
	for (int i = 0; i < QR_STREAM_COUNT; i++) {
		const qr_store_pos *t = &k->tail[i];
		uint32_t last = k->last[i];
		uint64_t size = last ? qr_store_segment_size(k->s, i, last) : 0;
		const char *name = i == QR_STREAM_MEDIA ? "media" : "records";
		if (t->segment > last || (t->segment == last && size < t->size)) {
			found(k, QR_FOUND_DAMAGE,
			      "the %s store ends at %06" PRIu32 ".zst byte %" PRIu64 ", before the tail the index committed "
			      "(%06" PRIu32 ".zst byte %" PRIu64 "): committed records are lost ('quire check --repair' cuts "
			      "back to the last complete block and takes their posts out of the index)",
			      name, last, size, t->segment, t->size);
		} else if (last > t->segment || size > t->size) {
			found(k, QR_FOUND_NOTE, "the %s store goes on past the tail the index committed (%06" PRIu32
			      ".zst byte %" PRIu64 "): an interrupted ingest; the next ingest indexes or cuts it", name,
			      t->segment, t->size);
		}
	}
}

/* Keeps the last `max` bytes of what a child writes. */
static void read_all(int fd, qr_buf *out, size_t max)
{
	char chunk[8192];
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		qr_buf_add(out, chunk, (size_t)r);
		if (out->len > max) {
			memmove(out->buf, out->buf + out->len - max, max);
			qr_buf_setlen(out, max);
		}
	}
}

int qr_check_xapian(const char *index, uint64_t *errors, qr_buf *out)
{
	int fds[2];
	pid_t pid;
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)"xapian-check", (char *)index, NULL };
	*errors = 0;
	qr_buf_reset(out);
	if (pipe(fds) < 0) {
		qr_buf_setf(out, "cannot run xapian-check: %s", strerror(errno));
		return QR_IO;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	int e = posix_spawnp(&pid, "xapian-check", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (e) {
		close(fds[0]);
		qr_buf_setf(out, "cannot run xapian-check: %s", strerror(e));
		return e == ENOENT ? QR_NOT_FOUND : QR_IO;
	}
	read_all(fds[0], out, 64 * 1024);
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		qr_buf_setf(out, "cannot run xapian-check: not found");
		return QR_NOT_FOUND;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* "N errors found", or an exception that stopped the check. */
		const char *p = strstr(out->buf, " errors found");
		while (p && p > out->buf && p[-1] >= '0' && p[-1] <= '9')
			p--;
		*errors = p ? strtoull(p, NULL, 10) : 0;
		if (!*errors)
			*errors = 1;
	}
	return 0;
}

static void check_xapian(struct check *k)
{
	qr_buf path = QR_BUF_INIT, out = QR_BUF_INIT;
	uint64_t errors = 0;
	struct stat sb;
	qr_corpus_path(k->c, "index", &path);
	if (stat(path.buf, &sb) < 0) {
		/* Readers see an empty corpus; the store says otherwise. */
		if (k->st->records)
			found(k, QR_FOUND_DAMAGE, "the index '%s' is missing ('quire check --repair' or the next ingest "
			      "rebuilds it from the store)", path.buf);
		qr_buf_release(&path);
		return;
	}
	int st = qr_check_xapian(path.buf, &errors, &out);
	while (out.len && (out.buf[out.len - 1] == '\n' || out.buf[out.len - 1] == ' '))
		qr_buf_setlen(&out, out.len - 1);
	if (st == QR_NOT_FOUND) {
		found(k, QR_FOUND_NOTE, "xapian-check is not installed: the index's structure was not checked");
	} else if (st) {
		k->st->xapian_errors++;
		found(k, QR_FOUND_DAMAGE, "%s", out.buf);
	} else if (errors) {
		k->st->xapian_errors = errors;
		/* The last line says what xapian-check found. */
		const char *last = strrchr(out.buf, '\n');
		found(k, QR_FOUND_DAMAGE, "xapian-check found %" PRIu64 " problem%s in the index '%s': %s", errors,
		      errors == 1 ? "" : "s", path.buf, last ? last + 1 : out.buf);
	}
	if (k->o->verbose && out.len)
		found(k, QR_FOUND_INFO, "xapian-check:\n%s", out.buf);
	qr_buf_release(&path);
	qr_buf_release(&out);
}

int qr_check_corpus(qr_corpus *c, const qr_check_opts *o, qr_finding_fn fn, void *ctx, qr_check_stats *stats)
{
	struct check k;
	int st = 0;
	memset(&k, 0, sizeof(k));
	memset(stats, 0, sizeof(*stats));
	k.c = c;
	k.s = qr_corpus_store(c);
	k.db = qr_corpus_db(c);
	k.o = o;
	k.fn = fn;
	k.ctx = ctx;
	k.st = stats;
	qr_buf_init(&k.msg);
	qr_buf_init(&k.term);
	qr_buf_init(&k.data);
	qr_buf_init(&k.strings);
	for (int i = 0; i < QR_STREAM_COUNT && !st; i++) {
		st = qr_corpus_committed_tail(c, i, &k.tail[i]);
		k.last[i] = qr_store_last_segment(k.s, i);
		stats->segments += qr_store_segment_count(k.s, i);
	}
	stats->bytes = qr_store_bytes(k.s);
	for (int i = 0; i < QR_STREAM_COUNT && !st; i++)
		st = walk_stream(k.s, i, check_block, &k);
	if (!st) {
		if (k.nshas)
			qsort(k.shas, k.nshas, sizeof(*k.shas), cmp_u64);
		for (size_t i = 1; i < k.nshas; i++)
			if (k.shas[i] == k.shas[i - 1])
				stats->duplicate_records++;
		check_tails(&k);
		st = check_index(&k);
		for (size_t i = 0; i < k.nbad; i++)
			if (k.bad[i].posts)
				found(&k, QR_FOUND_DAMAGE, "%" PRIu64 " posts of the index have their records in the damaged "
				      "block at byte %" PRIu64 " of %06" PRIu32 ".zst: their original bytes cannot be read",
				      k.bad[i].posts, k.bad[i].off, k.bad[i].seg);
	}
	if (!st)
		st = qr_check_journal(c, fn, ctx, stats);
	if (!st && o->xapian)
		check_xapian(&k);
	free(k.shas);
	for (size_t i = 0; i < k.nbad; i++)
		free(k.bad[i].why);
	free(k.bad);
	qr_buf_release(&k.msg);
	qr_buf_release(&k.term);
	qr_buf_release(&k.data);
	qr_buf_release(&k.strings);
	return st;
}

/* ---- the repair ---- */

/* Copy [at, size) of a segment to store/lost+found/, then cut it there. */
static int cut_keep(qr_store *s, int stream, uint32_t seg, uint64_t at, qr_buf *report, uint64_t *cut)
{
	qr_buf path = QR_BUF_INIT, keep = QR_BUF_INIT, err = QR_BUF_INIT;
	uint64_t size = qr_store_segment_size(s, stream, seg);
	int st = 0;
	*cut = 0;
	if (at >= size)
		return 0;
	qr_store_segment_path(s, stream, seg, &path);
	qr_buf_setf(&keep, "%s/lost+found", qr_store_dir(s));
	if ((st = qr_io_mkdir(keep.buf, &err)))
		goto out;
	qr_buf_setf(&keep, "%s/lost+found/%s%06" PRIu32 ".zst.%" PRIu64 "-%" PRIu64, qr_store_dir(s),
		    stream == QR_STREAM_MEDIA ? "media-" : "", seg, at, size);
	if ((st = qr_io_cut_keep(path.buf, at, keep.buf, &err)))
		goto out;
	*cut = size - at;
	qr_buf_addf(report, "%scut '%s' back to byte %" PRIu64 " (the end of its last complete block); the %" PRIu64
		    " bytes cut off are kept in '%s'", report->len ? "; " : "", path.buf, at, size - at, keep.buf);
out:
	if (st)
		qr_buf_addf(report, "%s%s", report->len ? "; " : "", err.buf);
	qr_buf_release(&path);
	qr_buf_release(&keep);
	qr_buf_release(&err);
	return st;
}

/* Where the last complete block of a segment ends, hopping from the start. */
static uint64_t complete_end(qr_store *s, int stream, uint32_t seg)
{
	uint64_t size = qr_store_segment_size(s, stream, seg), off = 0;
	qr_block b;
	qr_block_init(&b);
	while (off < size && qr_store_read_block(s, stream, seg, off, false, &b) == 0 && b.end <= size)
		off = b.end;
	qr_block_release(&b);
	return off;
}

/* Without this line the input would be skipped as already ingested, and
 * its lost posts never come back: a failure to write it fails the repair
 * (before anything is committed, so that the next open does it again). */
static int mark_lost_input(qr_corpus *c, qr_strv *done, const char *sha, const char *why)
{
	if (!sha || qr_strv_contains(done, sha, false))
		return 0;
	qr_strv_push(done, sha);
	char now[32];
	qr_buf line = QR_BUF_INIT;
	qr_jw w;
	qr_time_format_iso((int64_t)time(NULL), now);
	qr_jw_init(&w, &line, false);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "sha256", sha);
	qr_jw_kstr(&w, "status", "lost");
	qr_jw_kstr(&w, "time", now);
	qr_jw_kstr(&w, "reason", why);
	qr_jw_end_object(&w);
	int st = qr_corpus_log(c, "sources.jsonl", line.buf, line.len);
	qr_buf_release(&line);
	return st;
}

/* Rebuild post p from the record at `where` (an older version that
 * survived), keeping its tags, events and the other surviving versions. */
static int fall_back(qr_corpus *c, xc_docid docid, qr_post *p, const char *sha, const char *where, qr_renormalize_fn fn,
		     void *fctx)
{
	qr_locator loc;
	qr_record_meta meta;
	qr_buf data = QR_BUF_INIT, strings = QR_BUF_INIT, why = QR_BUF_INIT;
	qr_post *posts = NULL;
	size_t n = 0;
	int st = QR_NOT_FOUND;
	if (!fn || !qr_locator_parse(where, &loc) ||
	    qr_store_get(qr_corpus_store(c), &loc, &data, &meta, &strings) != 0 ||
	    fn(fctx, data.buf, data.len, &meta, &posts, &n, &why) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (!posts[i].id || strcmp(posts[i].id, p->id) != 0)
			continue;
		qr_post *q = &posts[i];
		qr_set(&q->record.sha256, sha);
		qr_set(&q->record.locator, where);
		for (size_t k = 0; k < p->record.versions.n; k++)
			if (strcmp(p->record.versions.v[k].key, sha) != 0)
				qr_kvv_set(&q->record.versions, p->record.versions.v[k].key, p->record.versions.v[k].value);
		for (size_t k = 0; k < p->tags.n; k++)
			qr_strv_push_unique(&q->tags, p->tags.v[k], false);
		for (size_t k = 0; k < p->events.n; k++)
			qr_strv_push_unique(&q->events, p->events.v[k], false);
		q->source.number = meta.source;
		st = qr_corpus_update_post(c, docid, q);
		break;
	}
out:
	for (size_t i = 0; i < n; i++)
		qr_post_clear(&posts[i]);
	free(posts);
	qr_buf_release(&data);
	qr_buf_release(&strings);
	qr_buf_release(&why);
	return st;
}

static bool past(const qr_store_pos *end, const char *where)
{
	qr_locator loc;
	if (!where || !qr_locator_parse(where, &loc) || loc.stream != QR_STREAM_RECORDS)
		return false;
	return loc.segment > end->segment || (loc.segment == end->segment && loc.offset >= end->size);
}

/* Posts whose record lies past `end` lose it: fall back on a surviving
 * older version, or leave the index. */
static int drop_past(qr_corpus *c, const qr_store_pos *end, qr_renormalize_fn fn, void *fctx, qr_repair_stats *rs,
		     qr_strv *inputs)
{
	xc_db *db = qr_corpus_db(c);
	xc_postiter *it = NULL;
	xc_docid docid;
	int st = 0;
	if (xc_db_postlist(db, "", 0, &it) != XC_OK)
		return QR_DAMAGED;
	while (!st && xc_postiter_next(it, &docid) == XC_OK) {
		qr_post p;
		qr_post_init(&p);
		if (qr_corpus_load_post(c, docid, &p) == 0 && past(end, p.record.locator)) {
			st = mark_lost_input(c, inputs, p.source.input_sha256,
					     "records of this input were lost from the store; ingest it again to restore them");
			if (st) {
				qr_post_clear(&p);
				break;
			}
			/* The newest surviving version, if any. */
			const qr_kv *best = NULL;
			for (size_t i = 0; i < p.record.versions.n; i++) {
				const qr_kv *v = &p.record.versions.v[i];
				qr_locator a, b;
				if (past(end, v->value) || !qr_locator_parse(v->value, &a))
					continue;
				if (!best || (qr_locator_parse(best->value, &b) && cmp_loc(&b, a.segment, a.offset) < 0))
					best = v;
			}
			if (!best || fall_back(c, docid, &p, best->key, best->value, fn, fctx) != 0)
				st = qr_corpus_remove_post(c, docid);
			rs->lost_posts++;
		}
		qr_post_clear(&p);
	}
	xc_postiter_destroy(it);
	return st;
}

int qr_repair_lost_tail(qr_corpus *c, qr_renormalize_fn fn, void *fctx, qr_buf *report, qr_repair_stats *rs)
{
	qr_store *s = qr_corpus_store(c);
	qr_strv inputs = { 0 };
	bool changed = false;
	int st = 0;
	for (int i = 0; i < QR_STREAM_COUNT && !st; i++) {
		qr_store_pos tail, end;
		if ((st = qr_corpus_committed_tail(c, i, &tail)))
			break;
		uint32_t last = qr_store_last_segment(s, i);
		uint64_t size = last ? qr_store_segment_size(s, i, last) : 0;
		if (tail.segment < last || (tail.segment == last && size >= tail.size))
			continue;
		/* The store ends before the committed tail: committed data is gone. */
		uint64_t cut = 0;
		end.segment = last;
		end.size = last ? complete_end(s, i, last) : 0;
		qr_buf_addf(report, "%sthe %s store ends at %06" PRIu32 ".zst byte %" PRIu64 ", before the tail the index "
			    "committed (%06" PRIu32 ".zst byte %" PRIu64 ")", report->len ? "; " : "",
			    i == QR_STREAM_MEDIA ? "media" : "records", last, size, tail.segment, tail.size);
		if (last && (st = cut_keep(s, i, last, end.size, report, &cut)))
			break;
		rs->cut_bytes += cut;
		uint64_t before = rs->lost_posts;
		if (i == QR_STREAM_RECORDS && (st = drop_past(c, &end, fn, fctx, rs, &inputs)))
			break;
		if (rs->lost_posts > before)
			qr_buf_addf(report, "; %" PRIu64 " posts whose records were lost left the index (their inputs are "
				    "marked lost in sources.jsonl: ingest them again to restore the posts)",
				    rs->lost_posts - before);
		/* The writer goes on from the new end. */
		if ((st = qr_store_recover(s, i, &end, NULL, NULL, report)))
			break;
		changed = true;
	}
	if (!st && changed && !(st = qr_corpus_begin(c)))
		st = qr_corpus_commit(c);
	qr_strv_clear(&inputs);
	return st;
}

/* ---- the whole repair ---- */

struct sha_loc {
	uint8_t sha[QR_SHA256_LEN];
	qr_locator loc;
};

struct repair {
	qr_corpus *c;
	qr_renormalize_fn fn;
	void *fctx;
	qr_finding_fn found;
	void *ctx;
	qr_repair_stats *rs;
	qr_store_pos tail;
	struct sha_loc *recs;          /* intact records, for re-pointing */
	size_t nrecs, recs_alloc;
	struct { uint32_t seg; uint64_t off, next; } *bad;   /* damaged stretches */
	size_t nbad, bad_alloc;
	qr_locator *missing;           /* committed records with posts missing */
	size_t nmissing, missing_alloc;
	qr_buf term, msg;
};

static void say(struct repair *r, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(struct repair *r, int kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(&r->msg, r->found, r->ctx, kind, fmt, ap);
	va_end(ap);
}

static int repair_block(void *ctx, int stream, uint32_t seg, uint64_t off, uint64_t next, qr_block *b, const char *why)
{
	struct repair *r = ctx;
	(void)why;
	if (stream != QR_STREAM_RECORDS)
		return 0;
	if (!b) {
		r->bad = qr_grow_array(r->bad, sizeof(*r->bad), r->nbad + 1, &r->bad_alloc);
		r->bad[r->nbad].seg = seg;
		r->bad[r->nbad].off = off;
		r->bad[r->nbad++].next = next;
		return 0;
	}
	bool committed = within(&r->tail, seg, next);
	for (uint32_t i = 0; i < b->nrecords; i++) {
		const qr_record_meta *m = &b->records[i];
		if (m->flags & QR_REC_BLOB)
			continue;
		qr_locator loc = { (uint32_t)stream, seg, off, i };
		r->recs = qr_grow_array(r->recs, sizeof(*r->recs), r->nrecs + 1, &r->recs_alloc);
		memcpy(r->recs[r->nrecs].sha, m->sha256, QR_SHA256_LEN);
		r->recs[r->nrecs++].loc = loc;
		if (!committed || !m->ids)
			continue;
		qr_buf ids = QR_BUF_INIT;
		qr_buf_adds(&ids, m->ids);
		bool all = true;
		for (char *save = NULL, *id = strtok_r(ids.buf, " ", &save); id && all; id = strtok_r(NULL, " ", &save)) {
			bool has;
			xc_docid docid;
			if (post_has_record(qr_corpus_db(r->c), r->c, &r->term, id, m->sha256, &has, &docid) || !has)
				all = false;
		}
		qr_buf_release(&ids);
		if (!all) {
			r->missing = qr_grow_array(r->missing, sizeof(*r->missing), r->nmissing + 1, &r->missing_alloc);
			r->missing[r->nmissing++] = loc;
		}
	}
	return 0;
}

static int cmp_sha(const void *a, const void *b)
{
	return memcmp(a, b, QR_SHA256_LEN);
}

static const qr_locator *find_sha(struct repair *r, const char *hex)
{
	struct sha_loc key;
	if (!hex || !qr_unhex(hex, key.sha, QR_SHA256_LEN))
		return NULL;
	const struct sha_loc *f = bsearch(&key, r->recs, r->nrecs, sizeof(*r->recs), cmp_sha);
	return f ? &f->loc : NULL;
}

static bool in_damaged_block(struct repair *r, const char *where)
{
	qr_locator loc;
	if (!where || !qr_locator_parse(where, &loc))
		return false;
	for (size_t i = 0; i < r->nbad; i++)
		if (r->bad[i].seg == loc.segment && loc.offset >= r->bad[i].off && loc.offset < r->bad[i].next)
			return true;
	return false;
}

/* Is the record at `where` intact and the one with this sha256? */
static bool record_ok(qr_corpus *c, const char *where, const char *sha_hex, qr_buf *data)
{
	qr_locator loc;
	uint8_t want[QR_SHA256_LEN], got[QR_SHA256_LEN];
	if (!where || !qr_locator_parse(where, &loc) || !sha_hex || !qr_unhex(sha_hex, want, QR_SHA256_LEN))
		return false;
	if (qr_store_get(qr_corpus_store(c), &loc, data, NULL, NULL) != 0)
		return false;
	qr_sha256(data->buf, data->len, got);
	return memcmp(want, got, QR_SHA256_LEN) == 0;
}

static int repair_doc(struct repair *r, xc_docid docid, qr_buf *data)
{
	qr_corpus *c = r->c;
	qr_post p;
	xc_docid first = docid;
	bool rewrite = false;
	int st = 0;
	qr_post_init(&p);
	if (qr_corpus_load_post(c, docid, &p) != 0) {
		/* No post to rebuild it from: the store brings it back, if it can. */
		say(r, QR_FOUND_INFO, "removed document %u, which held no valid post", docid);
		st = qr_corpus_remove_post(c, docid);
		goto out;
	}
	if (qr_corpus_find(c, p.id, &first) == 0 && first != docid)
		rewrite = true;
	if (!record_ok(c, p.record.locator, p.record.sha256, data)) {
		const qr_locator *at = find_sha(r, p.record.sha256);
		if (at) {
			char where[64];
			qr_locator_format(at, where);
			say(r, QR_FOUND_INFO, "post %s: pointed at %s, its record is intact at %s", p.id,
			    p.record.locator ? p.record.locator : "-", where);
			qr_set(&p.record.locator, where);
			r->rs->repointed++;
			rewrite = true;
		} else if (in_damaged_block(r, p.record.locator)) {
			/* Counted, not listed: the check names the block. */
			r->rs->unrepairable++;
		} else {
			say(r, QR_FOUND_INFO, "post %s: its record %s is not in the store: removed from the index", p.id,
			    p.record.locator ? p.record.locator : "-");
			r->rs->lost_posts++;
			st = qr_corpus_remove_post(c, docid);
			goto out;
		}
	}
	for (size_t i = 0; i < p.record.versions.n; i++) {
		qr_kv *v = &p.record.versions.v[i];
		if (record_ok(c, v->value, v->key, data))
			continue;
		const qr_locator *at = find_sha(r, v->key);
		if (!at)
			continue; /* an older version lost: nothing points at it */
		char where[64];
		qr_locator_format(at, where);
		qr_set(&v->value, where);
		r->rs->repointed++;
		rewrite = true;
	}
	if (!rewrite) {
		/* The record value must match the document data. */
		xc_doc *doc = NULL;
		char *val = NULL;
		size_t len = 0;
		uint8_t sha[QR_SHA256_LEN];
		if (p.record.sha256 && qr_unhex(p.record.sha256, sha, QR_SHA256_LEN) &&
		    (xc_db_get_document(qr_corpus_db(c), docid, &doc) != XC_OK ||
		     xc_doc_get_value(doc, QR_SLOT_RECORD, &val, &len) != XC_OK || len != QR_SHA256_LEN ||
		     memcmp(val, sha, QR_SHA256_LEN) != 0))
			rewrite = true;
		free(val);
		xc_doc_destroy(doc);
	}
	if (rewrite) {
		/* Replacing by the id term also folds duplicate documents. */
		r->rs->rewritten++;
		st = qr_corpus_update_post(c, docid, &p);
	}
out:
	qr_post_clear(&p);
	return st;
}

static int repair_index(struct repair *r)
{
	xc_db *db = qr_corpus_db(r->c);
	xc_postiter *it = NULL;
	xc_docid docid;
	qr_buf data = QR_BUF_INIT;
	int st = 0;
	/* Documents change under the iterator: collect the ids first. */
	xc_docid *ids = NULL;
	size_t n = 0, alloc = 0;
	if (xc_db_postlist(db, "", 0, &it) != XC_OK)
		return QR_DAMAGED;
	while (xc_postiter_next(it, &docid) == XC_OK) {
		ids = qr_grow_array(ids, sizeof(*ids), n + 1, &alloc);
		ids[n++] = docid;
	}
	xc_postiter_destroy(it);
	for (size_t i = 0; i < n && !st; i++) {
		xc_doc *doc = NULL;
		if (xc_db_get_document(db, ids[i], &doc) != XC_OK)
			continue; /* folded into another one already */
		xc_doc_destroy(doc);
		st = repair_doc(r, ids[i], &data);
	}
	free(ids);
	qr_buf_release(&data);
	return st;
}

/* Put back the posts of a committed record that the index lacks. */
static int readd_record(struct repair *r, const qr_locator *loc)
{
	qr_corpus *c = r->c;
	qr_record_meta meta;
	qr_buf data = QR_BUF_INIT, strings = QR_BUF_INIT, why = QR_BUF_INIT;
	qr_post *posts = NULL;
	size_t n = 0;
	char where[64], hex[QR_SHA256_HEX];
	int st = 0;
	qr_locator_format(loc, where);
	if (qr_store_get(qr_corpus_store(c), loc, &data, &meta, &strings) != 0)
		goto out;
	if (!r->fn || r->fn(r->fctx, data.buf, data.len, &meta, &posts, &n, &why) != 0) {
		say(r, QR_FOUND_INFO, "record %s cannot be read back into posts: %s", where, why.len ? why.buf : "no reader");
		r->rs->unrepairable++;
		goto out;
	}
	qr_hex(meta.sha256, QR_SHA256_LEN, hex);
	for (size_t i = 0; i < n && !st; i++) {
		qr_post *p = &posts[i];
		xc_docid docid;
		bool has;
		p->source.number = meta.source;
		if ((st = post_has_record(qr_corpus_db(c), c, &r->term, p->id, meta.sha256, &has, &docid)) || has)
			continue;
		qr_post cur;
		qr_post_init(&cur);
		qr_locator at;
		if (qr_corpus_find(c, p->id, &docid) == 0 && qr_corpus_load_post(c, docid, &cur) == 0 &&
		    cur.record.locator && qr_locator_parse(cur.record.locator, &at) &&
		    cmp_loc(&at, loc->segment, loc->offset) > 0) {
			/* An older version than the current one: list it. */
			qr_kvv_set(&cur.record.versions, hex, where);
			st = qr_corpus_update_post(c, docid, &cur);
		} else {
			qr_add_counts counts = { 0 };
			st = qr_corpus_add(c, data.buf, data.len, &meta, p, 1, loc, &counts);
		}
		qr_post_clear(&cur);
		if (!st) {
			r->rs->readded++;
			say(r, QR_FOUND_INFO, "post %s put back in the index from record %s", p->id, where);
		}
	}
out:
	for (size_t i = 0; i < n; i++)
		qr_post_clear(&posts[i]);
	free(posts);
	qr_buf_release(&data);
	qr_buf_release(&strings);
	qr_buf_release(&why);
	return st;
}

int qr_repair_corpus(qr_corpus *c, qr_renormalize_fn fn, void *fctx, qr_finding_fn found_fn, void *ctx,
		     qr_repair_stats *rs)
{
	struct repair r;
	qr_buf report = QR_BUF_INIT;
	int st;
	memset(&r, 0, sizeof(r));
	memset(rs, 0, sizeof(*rs));
	r.c = c;
	r.fn = fn;
	r.fctx = fctx;
	r.found = found_fn;
	r.ctx = ctx;
	r.rs = rs;
	qr_buf_init(&r.term);
	qr_buf_init(&r.msg);

	st = qr_repair_lost_tail(c, fn, fctx, &report, rs);
	if (!st)
		st = qr_corpus_recover(c, fn, fctx, &report);
	if (report.len)
		say(&r, QR_FOUND_INFO, "%s", report.buf);
	if (st) {
		say(&r, QR_FOUND_DAMAGE, "cannot recover the store's tail: %s", qr_corpus_error(c));
		goto out;
	}
	if ((st = qr_corpus_committed_tail(c, QR_STREAM_RECORDS, &r.tail)))
		goto out;
	if ((st = walk_stream(qr_corpus_store(c), QR_STREAM_RECORDS, repair_block, &r)))
		goto out;
	if (r.nrecs)
		qsort(r.recs, r.nrecs, sizeof(*r.recs), cmp_sha);
	if ((st = repair_index(&r)))
		goto out;
	for (size_t i = 0; i < r.nmissing && !st; i++)
		st = readd_record(&r, &r.missing[i]);
	if (!st && !(st = qr_corpus_begin(c)))
		st = qr_corpus_commit(c);
	if (st) {
		say(&r, QR_FOUND_DAMAGE, "cannot repair the index: %s", qr_corpus_error(c));
		goto out;
	}
	/* Posts put back from the store have no codes: the whole journal
	 * gives them back (every entry is idempotent). */
	qr_buf_reset(&report);
	st = qr_journal_catch_up(c, true, rs->readded || rs->rewritten, &report);
	if (report.len)
		say(&r, QR_FOUND_INFO, "%s", report.buf);
	if (st)
		say(&r, QR_FOUND_DAMAGE, "cannot bring the index up to the journal: %s", qr_corpus_error(c));
out:
	free(r.recs);
	free(r.bad);
	free(r.missing);
	qr_buf_release(&r.term);
	qr_buf_release(&r.msg);
	qr_buf_release(&report);
	return st;
}
