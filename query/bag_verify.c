/* Verifying a BagIt bag in a folder (bag.h), after RFC 8493 section 3. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "bag.h"
#include "hash.h"
#include "io.h"
#include "json.h"
#include "status.h"
#include "text.h"

#define CHUNK (1 << 20)
/* The longest record taken back from data/originals/ (a store record is
 * at most --max-record, 16 MiB by default, or a media-sized context). */
#define MAX_RECORD ((size_t)1 << 30)

/* A file of the bag, and its checksums once computed. */
struct file {
	char *rel;
	uint64_t size;
	bool hashed, unreadable;
	bool listed;                    /* in the payload manifest being checked */
	char sha256[QR_SHA256_HEX];
	char sha512[QR_SHA512_HEX];
};

struct verify {
	const char *dir;
	struct file *files;
	size_t n, alloc;
	qr_bag_problem_fn fn;
	void *ctx;
	long problems;
	qr_buf tmp;
};

static void problem(struct verify *v, const char *file, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void problem(struct verify *v, const char *file, const char *fmt, ...)
{
	va_list ap;
	qr_buf why = QR_BUF_INIT;
	va_start(ap, fmt);
	qr_buf_vaddf(&why, fmt, ap);
	va_end(ap);
	v->fn(v->ctx, file, why.buf);
	v->problems++;
	qr_buf_release(&why);
}

static int by_rel(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->rel, ((const struct file *)b)->rel);
}

static struct file *find(struct verify *v, const char *rel)
{
	struct file key = { .rel = (char *)rel };
	return v->n ? bsearch(&key, v->files, v->n, sizeof(*v->files), by_rel) : NULL;
}

/* Every regular file of the bag (anything else is a problem). */
static void scan(struct verify *v, const char *rel)
{
	qr_buf path = QR_BUF_INIT, child = QR_BUF_INIT;
	qr_buf_setf(&path, "%s%s%s", v->dir, *rel ? "/" : "", rel);
	DIR *d = opendir(path.buf);
	if (!d) {
		problem(v, *rel ? rel : ".", "cannot read the folder: %s", strerror(errno));
		qr_buf_release(&path);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat sb;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		qr_buf_setf(&child, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		qr_buf_setf(&path, "%s/%s", v->dir, child.buf);
		if (lstat(path.buf, &sb) < 0)
			problem(v, child.buf, "cannot read: %s", strerror(errno));
		else if (S_ISDIR(sb.st_mode))
			scan(v, child.buf);
		else if (!S_ISREG(sb.st_mode))
			problem(v, child.buf, "not a regular file");
		else {
			v->files = qr_grow_array(v->files, sizeof(*v->files), v->n + 1, &v->alloc);
			memset(&v->files[v->n], 0, sizeof(*v->files));
			v->files[v->n].rel = qr_strdup(child.buf);
			v->files[v->n].size = (uint64_t)sb.st_size;
			v->n++;
		}
	}
	closedir(d);
	qr_buf_release(&path);
	qr_buf_release(&child);
}

/* Both checksums of a file in one read. */
static bool hash(struct verify *v, struct file *f)
{
	if (f->hashed || f->unreadable)
		return f->hashed;
	qr_buf path = QR_BUF_INIT;
	qr_buf_setf(&path, "%s/%s", v->dir, f->rel);
	int fd = open(path.buf, O_RDONLY | O_CLOEXEC);
	qr_buf_release(&path);
	if (fd < 0) {
		f->unreadable = true;
		problem(v, f->rel, "cannot read: %s", strerror(errno));
		return false;
	}
	qr_sha256_ctx *h256 = qr_sha256_new();
	qr_sha512_ctx *h512 = qr_sha512_new();
	char *buf = qr_malloc(CHUNK);
	bool ok = true;
	for (;;) {
		ssize_t r = read(fd, buf, CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ok = r == 0;
			break;
		}
		qr_sha256_update(h256, buf, (size_t)r);
		qr_sha512_update(h512, buf, (size_t)r);
	}
	uint8_t d256[QR_SHA256_LEN], d512[QR_SHA512_LEN];
	qr_sha256_final(h256, d256);
	qr_sha512_final(h512, d512);
	qr_hex(d256, sizeof(d256), f->sha256);
	qr_hex(d512, sizeof(d512), f->sha512);
	qr_sha256_free(h256);
	qr_sha512_free(h512);
	free(buf);
	close(fd);
	if (!ok) {
		f->unreadable = true;
		problem(v, f->rel, "cannot read: %s", strerror(errno));
		return false;
	}
	f->hashed = true;
	return true;
}

/* A manifest path back from its percent-encoding (RFC 8493 2.1.3). */
static void decode_path(qr_buf *out, const char *s, size_t n)
{
	qr_buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%' && i + 2 < n) {
			if (strncasecmp(s + i, "%0A", 3) == 0)
				c = '\n';
			else if (strncasecmp(s + i, "%0D", 3) == 0)
				c = '\r';
			else if (strncmp(s + i, "%25", 3) == 0)
				c = '%';
			if (c != '%' || strncmp(s + i, "%25", 3) == 0)
				i += 2;
		}
		qr_buf_addch(out, c);
	}
}

bool qr_bag_safe_path(const char *rel)
{
	if (!*rel || *rel == '/')
		return false;
	for (const char *p = rel; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 2 && p[0] == '.' && p[1] == '.') || (n == 1 && p[0] == '.'))
			return false;
		p += n;
		if (*p)
			p++;
	}
	return true;
}

/* Check one manifest; payload: its paths must be under data/ and every
 * file under data/ must be in it. */
static void check_manifest(struct verify *v, const char *name, bool sha512, bool payload)
{
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT, err = QR_BUF_INIT, rel = QR_BUF_INIT;
	size_t hexlen = sha512 ? 128 : 64;
	qr_buf_setf(&path, "%s/%s", v->dir, name);
	if (qr_io_read_file(path.buf, SIZE_MAX / 2, &data, &err)) {
		problem(v, name, "cannot read: %s", err.buf);
		goto out;
	}
	for (size_t i = 0; i < v->n; i++)
		v->files[i].listed = false;
	uint64_t lineno = 0;
	for (char *line = data.buf, *end; line < data.buf + data.len; line = end + 1) {
		end = memchr(line, '\n', (size_t)(data.buf + data.len - line));
		if (!end)
			end = data.buf + data.len;
		size_t n = (size_t)(end - line);
		lineno++;
		if (n && line[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		size_t h = strcspn(line, " \t");
		size_t sp = h;
		while (sp < n && (line[sp] == ' ' || line[sp] == '\t'))
			sp++;
		if (h != hexlen || sp == h || sp >= n) {
			problem(v, name, "line %llu is not '<checksum> <path>'", (unsigned long long)lineno);
			continue;
		}
		decode_path(&rel, line + sp, n - sp);
		if (!qr_bag_safe_path(rel.buf) || (payload && strncmp(rel.buf, "data/", 5) != 0)) {
			problem(v, name, "line %llu names '%s', not a path inside the %s", (unsigned long long)lineno,
				rel.buf, payload ? "payload" : "bag");
			continue;
		}
		struct file *f = find(v, rel.buf);
		if (!f) {
			problem(v, rel.buf, "listed in %s but missing", name);
			continue;
		}
		f->listed = true;
		if (!hash(v, f))
			continue;
		if (strncasecmp(sha512 ? f->sha512 : f->sha256, line, hexlen) != 0)
			problem(v, rel.buf, "%s does not match %s", sha512 ? "sha512" : "sha256", name);
	}
	for (size_t i = 0; payload && i < v->n; i++)
		if (strncmp(v->files[i].rel, "data/", 5) == 0 && !v->files[i].listed)
			problem(v, v->files[i].rel, "in the payload but not listed in %s", name);
out:
	qr_buf_release(&path);
	qr_buf_release(&data);
	qr_buf_release(&err);
	qr_buf_release(&rel);
}

bool qr_bag_read_info(const char *path, qr_kvv *kv)
{
	qr_buf data = QR_BUF_INIT, err = QR_BUF_INIT, value = QR_BUF_INIT;
	if (qr_io_read_file(path, 1 << 24, &data, &err)) {
		qr_buf_release(&err);
		return false;
	}
	char *key = NULL;
	for (char *line = data.buf, *end; line < data.buf + data.len; line = end + 1) {
		end = memchr(line, '\n', (size_t)(data.buf + data.len - line));
		if (!end)
			end = data.buf + data.len;
		size_t n = (size_t)(end - line);
		if (n && line[n - 1] == '\r')
			n--;
		if (n && (line[0] == ' ' || line[0] == '\t') && key) {
			/* a continuation of the value before */
			size_t sp = strspn(line, " \t");
			qr_buf_addch(&value, ' ');
			qr_buf_add(&value, line + sp, n - sp);
			qr_kvv_set(kv, key, value.buf);
			continue;
		}
		char *colon = memchr(line, ':', n);
		if (!colon)
			continue;
		free(key);
		key = qr_strndup(line, (size_t)(colon - line));
		const char *val = colon + 1;
		while (val < line + n && (*val == ' ' || *val == '\t'))
			val++;
		qr_buf_reset(&value);
		qr_buf_add(&value, val, (size_t)(line + n - val));
		qr_kvv_set(kv, key, value.buf);
	}
	free(key);
	qr_buf_release(&data);
	qr_buf_release(&err);
	qr_buf_release(&value);
	return true;
}

static bool check_bagit_txt(struct verify *v)
{
	qr_buf path = QR_BUF_INIT;
	qr_kvv kv = { 0 };
	qr_buf_setf(&path, "%s/bagit.txt", v->dir);
	bool ok = qr_bag_read_info(path.buf, &kv);
	if (ok) {
		const char *version = qr_kvv_get(&kv, "BagIt-Version");
		const char *enc = qr_kvv_get(&kv, "Tag-File-Character-Encoding");
		if (!version || (strcmp(version, "1.0") && strcmp(version, "0.97")))
			problem(v, "bagit.txt", "BagIt-Version is not 1.0 or 0.97");
		if (!enc || strcasecmp(enc, "UTF-8"))
			problem(v, "bagit.txt", "Tag-File-Character-Encoding is not UTF-8");
	}
	qr_kvv_clear(&kv);
	qr_buf_release(&path);
	return ok;
}

static void check_oxum(struct verify *v)
{
	qr_buf path = QR_BUF_INIT;
	qr_kvv kv = { 0 };
	qr_buf_setf(&path, "%s/bag-info.txt", v->dir);
	if (qr_bag_read_info(path.buf, &kv)) {
		const char *oxum = qr_kvv_get(&kv, "Payload-Oxum");
		uint64_t bytes = 0, files = 0;
		for (size_t i = 0; i < v->n; i++) {
			if (strncmp(v->files[i].rel, "data/", 5) == 0) {
				bytes += v->files[i].size;
				files++;
			}
		}
		unsigned long long ob, of;
		char tail;
		if (oxum && (sscanf(oxum, "%llu.%llu%c", &ob, &of, &tail) != 2 || ob != bytes || of != files))
			problem(v, "bag-info.txt", "Payload-Oxum says %s, the payload holds %llu bytes in %llu files",
				oxum, (unsigned long long)bytes, (unsigned long long)files);
	}
	qr_kvv_clear(&kv);
	qr_buf_release(&path);
}

/* ---- data/originals ---- */

bool qr_bag_original(int fd, int64_t offset, int64_t length, const char *sha256, void *dctx, qr_buf *frame,
		     qr_buf *record, qr_buf *why)
{
	if (offset < 0 || length <= 0 || (uint64_t)length > MAX_RECORD) {
		qr_buf_setf(why, "no frame of %lld bytes at byte %lld", (long long)length, (long long)offset);
		return false;
	}
	qr_buf_reset(frame);
	qr_buf_grow(frame, (size_t)length);
	if (fd < 0 || pread(fd, frame->buf, (size_t)length, (off_t)offset) != length) {
		qr_buf_setf(why, "the file ends before byte %lld", (long long)(offset + length));
		return false;
	}
	/* streamed: a frame need not say its size (zstd writes none from a
	 * pipe) */
	ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
	qr_buf_reset(record);
	ZSTD_inBuffer in = { frame->buf, (size_t)length, 0 };
	size_t ret = 1;
	while (ret != 0) {
		if (record->alloc - record->len < 65536)
			qr_buf_grow(record, record->len < 65536 ? 65536 : record->len);
		ZSTD_outBuffer out = { record->buf, record->alloc - 1, record->len };
		ret = ZSTD_decompressStream(dctx, &out, &in);
		qr_buf_setlen(record, out.pos);
		if (ZSTD_isError(ret) || record->len > MAX_RECORD || (ret && in.pos == in.size && out.pos < out.size)) {
			qr_buf_setf(why, "the frame at byte %lld does not decompress: %s", (long long)offset,
				    ZSTD_isError(ret) ? ZSTD_getErrorName(ret) : "cut short or too large");
			return false;
		}
	}
	if (in.pos != in.size) {
		qr_buf_setf(why, "the frame at byte %lld is followed by other bytes within its length", (long long)offset);
		return false;
	}
	uint8_t d[QR_SHA256_LEN];
	char hex[QR_SHA256_HEX];
	qr_sha256(record->buf, record->len, d);
	qr_hex(d, sizeof(d), hex);
	if (!sha256 || strcasecmp(hex, sha256) != 0) {
		qr_buf_setf(why, "the record at byte %lld does not match its sha256", (long long)offset);
		return false;
	}
	return true;
}

struct originals {
	char *file;
	int fd;
	qr_buf frame, record;
	ZSTD_DCtx *dctx;
};

/* Read back the frame of one index line and check its sha256; false
 * with why. */
static bool original(struct verify *v, struct originals *o, const cJSON *line, qr_buf *why)
{
	const char *file = qr_json_str(line, "file"), *sha = qr_json_str(line, "sha256");
	int64_t offset, length;
	if (!file || !sha || !qr_json_int(line, "offset", &offset) || !qr_json_int(line, "length", &length) ||
	    strchr(file, '/') || file[0] == '.') {
		qr_buf_setf(why, "the line lacks file, offset, length or sha256");
		return false;
	}
	if (!o->file || strcmp(o->file, file) != 0) {
		if (o->fd >= 0)
			close(o->fd);
		free(o->file);
		o->file = qr_strdup(file);
		qr_buf_setf(&v->tmp, "%s/data/originals/%s", v->dir, file);
		o->fd = open(v->tmp.buf, O_RDONLY | O_CLOEXEC);
	}
	qr_buf msg = QR_BUF_INIT;
	bool ok = qr_bag_original(o->fd, offset, length, sha, o->dctx, &o->frame, &o->record, &msg);
	if (!ok)
		qr_buf_setf(why, "data/originals/%s: %s", file, msg.buf);
	qr_buf_release(&msg);
	return ok;
}

static void check_originals(struct verify *v)
{
	const char *index = "data/originals/index.jsonl";
	qr_buf path = QR_BUF_INIT, why = QR_BUF_INIT;
	qr_buf_setf(&path, "%s/%s", v->dir, index);
	FILE *f = fopen(path.buf, "r");
	qr_buf_release(&path);
	if (!f)
		return;
	struct originals o = { NULL, -1, QR_BUF_INIT, QR_BUF_INIT, ZSTD_createDCtx() };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	uint64_t lineno = 0, last_off = UINT64_MAX;
	char *last_file = NULL;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		cJSON *j = qr_json_parse(line, (size_t)n, NULL);
		int64_t off = -1;
		const char *file = qr_json_str(j, "file");
		qr_json_int(j, "offset", &off);
		/* posts of one record share its frame: checked once */
		bool again = file && last_file && strcmp(file, last_file) == 0 && (uint64_t)off == last_off;
		qr_buf_reset(&why);
		if (!j)
			problem(v, index, "line %llu is not JSON", (unsigned long long)lineno);
		else if (!again && !original(v, &o, j, &why))
			problem(v, index, "line %llu: %s", (unsigned long long)lineno, why.buf);
		free(last_file);
		last_file = file ? qr_strdup(file) : NULL;
		last_off = (uint64_t)off;
		cJSON_Delete(j);
	}
	free(last_file);
	free(line);
	fclose(f);
	if (o.fd >= 0)
		close(o.fd);
	free(o.file);
	qr_buf_release(&o.frame);
	qr_buf_release(&o.record);
	qr_buf_release(&why);
	ZSTD_freeDCtx(o.dctx);
}

long qr_bag_verify(const char *dir, bool originals, qr_bag_problem_fn fn, void *ctx)
{
	struct verify v = { dir, NULL, 0, 0, fn, ctx, 0, QR_BUF_INIT };
	if (!qr_bag_sniff_dir(dir))
		return -1;
	scan(&v, "");
	if (v.n > 1)
		qsort(v.files, v.n, sizeof(*v.files), by_rel);
	check_bagit_txt(&v);
	qr_buf data = QR_BUF_INIT;
	struct stat sb;
	qr_buf_setf(&data, "%s/data", dir);
	if (stat(data.buf, &sb) < 0 || !S_ISDIR(sb.st_mode))
		problem(&v, "data", "the payload folder is missing");
	qr_buf_release(&data);
	int manifests = 0;
	static const char *const algs[] = { "sha256", "sha512" };
	for (int k = 0; k < 2; k++) {
		qr_buf name = QR_BUF_INIT;
		qr_buf_setf(&name, "manifest-%s.txt", algs[k]);
		if (find(&v, name.buf)) {
			check_manifest(&v, name.buf, k == 1, true);
			manifests++;
		}
		qr_buf_setf(&name, "tagmanifest-%s.txt", algs[k]);
		if (find(&v, name.buf))
			check_manifest(&v, name.buf, k == 1, false);
		qr_buf_release(&name);
	}
	if (!manifests)
		problem(&v, "manifest-sha256.txt", "no payload manifest quire can check (sha256 or sha512)");
	check_oxum(&v);
	if (originals)
		check_originals(&v);
	for (size_t i = 0; i < v.n; i++)
		free(v.files[i].rel);
	free(v.files);
	qr_buf_release(&v.tmp);
	return v.problems;
}
