/* Writing a BagIt bag as a directory (bag.h). */
#include "bag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "io.h"
#include "status.h"
#include "text.h"

/* Buffer of each payload stream: big writes are what the disk likes. */
#define STREAM_BUFFER (1 << 20)

struct sum {
	char *rel;                      /* "data/..." */
	char sha256[QR_SHA256_HEX];
	char sha512[QR_SHA512_HEX];
	uint64_t size;
};

struct sums {
	struct sum *v;
	size_t n, alloc;
};

static void sums_free(struct sums *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].rel);
	free(s->v);
	s->v = NULL;
	s->n = s->alloc = 0;
}

static struct sum *sums_add(struct sums *s, const char *rel)
{
	s->v = qr_grow_array(s->v, sizeof(*s->v), s->n + 1, &s->alloc);
	struct sum *x = &s->v[s->n++];
	memset(x, 0, sizeof(*x));
	x->rel = qr_strdup(rel);
	return x;
}

/* One payload file being written. */
struct qr_bag_stream {
	int fd;
	char *path;
	qr_sha256_ctx *h256;
	qr_sha512_ctx *h512;
	uint64_t size;
	int error;                      /* errno of a failed write */
};

struct qr_bag {
	char *dir;
	struct sums payload;
};

int qr_bag_create(const char *dir, qr_bag **out, qr_buf *err)
{
	qr_buf data = QR_BUF_INIT;
	*out = NULL;
	if (mkdir(dir, 0755) < 0) {
		qr_buf_setf(err, "cannot make '%s': %s", dir, strerror(errno));
		return errno == EEXIST ? QR_USAGE : QR_IO;
	}
	qr_buf_setf(&data, "%s/data", dir);
	int st = qr_io_mkdir(data.buf, err);
	qr_buf_release(&data);
	if (st)
		return st;
	qr_bag *b = qr_calloc(1, sizeof(*b));
	b->dir = qr_strdup(dir);
	*out = b;
	return 0;
}

void qr_bag_free(qr_bag *b)
{
	if (!b)
		return;
	sums_free(&b->payload);
	free(b->dir);
	free(b);
}

const char *qr_bag_dir(const qr_bag *b)
{
	return b->dir;
}

int qr_bag_make_parents(const char *dir, const char *rel, qr_buf *err)
{
	qr_buf path = QR_BUF_INIT;
	int st = 0;
	for (const char *slash = strchr(rel, '/'); slash && !st; slash = strchr(slash + 1, '/')) {
		qr_buf_setf(&path, "%s/%.*s", dir, (int)(slash - rel), rel);
		st = qr_io_mkdir(path.buf, err);
	}
	qr_buf_release(&path);
	return st;
}

static ssize_t stream_write(void *cookie, const char *data, size_t n)
{
	struct qr_bag_stream *s = cookie;
	qr_buf err = QR_BUF_INIT;
	int st = qr_io_write_all(s->fd, data, n, s->path, &err);
	qr_buf_release(&err);
	if (st) {
		s->error = errno ? errno : EIO;
		errno = s->error;
		return -1;
	}
	qr_sha256_update(s->h256, data, n);
	qr_sha512_update(s->h512, data, n);
	s->size += n;
	return (ssize_t)n;
}

static void stream_free(struct qr_bag_stream *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	qr_sha256_free(s->h256);
	qr_sha512_free(s->h512);
	free(s->path);
	free(s);
}

qr_bag_file *qr_bag_open(qr_bag *b, const char *rel, qr_buf *err)
{
	qr_buf full = QR_BUF_INIT;
	qr_buf_setf(&full, "data/%s", rel);
	if (qr_bag_make_parents(b->dir, full.buf, err)) {
		qr_buf_release(&full);
		return NULL;
	}
	struct qr_bag_stream *s = qr_calloc(1, sizeof(*s));
	qr_buf_setf(&full, "%s/data/%s", b->dir, rel);
	s->path = qr_buf_detach(&full, NULL);
	s->fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (s->fd < 0) {
		qr_buf_setf(err, "cannot make '%s': %s", s->path, strerror(errno));
		stream_free(s);
		return NULL;
	}
	s->h256 = qr_sha256_new();
	s->h512 = qr_sha512_new();
	cookie_io_functions_t io = { NULL, stream_write, NULL, NULL };
	qr_bag_file *bf = qr_calloc(1, sizeof(*bf));
	bf->s = s;
	bf->f = fopencookie(s, "w", io);
	if (!bf->f) {
		qr_buf_setf(err, "cannot write '%s': %s", s->path, strerror(errno));
		stream_free(s);
		free(bf);
		return NULL;
	}
	setvbuf(bf->f, NULL, _IOFBF, STREAM_BUFFER);
	return bf;
}

int qr_bag_close(qr_bag *b, qr_bag_file *bf, qr_buf *err)
{
	if (!bf)
		return 0;
	struct qr_bag_stream *s = bf->s;
	int failed = fclose(bf->f) != 0 || s->error;
	int st = 0;
	if (failed) {
		qr_buf_setf(err, "cannot write '%s': %s", s->path, strerror(s->error ? s->error : EIO));
		st = QR_IO;
	} else {
		/* No fsync per file: the folder is synced at the end, and a bag
		 * is checked by its manifests wherever it goes. */
		uint8_t d256[QR_SHA256_LEN], d512[QR_SHA512_LEN];
		struct sum *x = sums_add(&b->payload, s->path + strlen(b->dir) + 1);
		qr_sha256_final(s->h256, d256);
		qr_sha512_final(s->h512, d512);
		qr_hex(d256, sizeof(d256), x->sha256);
		qr_hex(d512, sizeof(d512), x->sha512);
		x->size = s->size;
	}
	stream_free(s);
	free(bf);
	return st;
}

int qr_bag_write(qr_bag *b, const char *rel, const void *data, size_t len, qr_buf *err)
{
	qr_bag_file *bf = qr_bag_open(b, rel, err);
	if (!bf)
		return QR_IO;
	fwrite(data, 1, len, bf->f);
	return qr_bag_close(b, bf, err);
}

bool qr_bag_file_sum(const qr_bag *b, const char *rel, char sha256[65], uint64_t *size)
{
	for (size_t i = 0; i < b->payload.n; i++) {
		const struct sum *x = &b->payload.v[i];
		if (strncmp(x->rel, "data/", 5) == 0 && strcmp(x->rel + 5, rel) == 0) {
			memcpy(sha256, x->sha256, QR_SHA256_HEX);
			*size = x->size;
			return true;
		}
	}
	return false;
}

void qr_bag_oxum(const qr_bag *b, uint64_t *bytes, uint64_t *files)
{
	*bytes = 0;
	for (size_t i = 0; i < b->payload.n; i++)
		*bytes += b->payload.v[i].size;
	*files = b->payload.n;
}

/* ---- the tag files ---- */

static int by_rel(const void *a, const void *b)
{
	return strcmp(((const struct sum *)a)->rel, ((const struct sum *)b)->rel);
}

/* A path as a manifest writes it: CR, LF and % percent-encoded (RFC 8493
 * 2.1.3). */
static void manifest_path(qr_buf *out, const char *rel)
{
	for (const char *p = rel; *p; p++) {
		if (*p == '\r')
			qr_buf_adds(out, "%0D");
		else if (*p == '\n')
			qr_buf_adds(out, "%0A");
		else if (*p == '%')
			qr_buf_adds(out, "%25");
		else
			qr_buf_addch(out, *p);
	}
}

static void manifest(qr_buf *out, const struct sums *s, bool sha512)
{
	qr_buf_reset(out);
	for (size_t i = 0; i < s->n; i++) {
		qr_buf_addf(out, "%s  ", sha512 ? s->v[i].sha512 : s->v[i].sha256);
		manifest_path(out, s->v[i].rel);
		qr_buf_addch(out, '\n');
	}
}

/* A tag file written whole at the bag's top, its checksums into tags. */
static int tag_file(qr_bag *b, struct sums *tags, const char *name, const qr_buf *data, qr_buf *err)
{
	qr_buf path = QR_BUF_INIT;
	qr_buf_setf(&path, "%s/%s", b->dir, name);
	int fd, st = qr_io_open(path.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644, &fd, err);
	if (!st) {
		st = qr_io_write_all(fd, data->buf, data->len, path.buf, err);
		if (!st)
			st = qr_io_fsync(fd, path.buf, err);
		close(fd);
	}
	qr_buf_release(&path);
	if (st || !tags)
		return st;
	uint8_t d256[QR_SHA256_LEN], d512[QR_SHA512_LEN];
	qr_sha512_ctx *h = qr_sha512_new();
	struct sum *x = sums_add(tags, name);
	qr_sha256(data->buf, data->len, d256);
	qr_sha512_update(h, data->buf, data->len);
	qr_sha512_final(h, d512);
	qr_sha512_free(h);
	qr_hex(d256, sizeof(d256), x->sha256);
	qr_hex(d512, sizeof(d512), x->sha512);
	x->size = data->len;
	return 0;
}

/* "1.2 MB": Bag-Size is for people. */
static void human_size(qr_buf *out, uint64_t n)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	double v = (double)n;
	size_t u = 0;
	while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		qr_buf_addf(out, "%llu B", (unsigned long long)n);
	else
		qr_buf_addf(out, "%.1f %s", v, units[u]);
}

/* A label's value on one line: line breaks and other controls become
 * spaces (a value that must stay exact is written as JSON by the
 * caller). */
static void info_value(qr_buf *out, const char *v)
{
	for (const char *p = v; *p; p++)
		qr_buf_addch(out, (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p);
}

int qr_bag_finish(qr_bag *b, const qr_kvv *info, qr_buf *err)
{
	struct sums tags = { 0 };
	qr_buf text = QR_BUF_INIT;
	uint64_t bytes, files;
	int st;

	if (b->payload.n > 1)
		qsort(b->payload.v, b->payload.n, sizeof(*b->payload.v), by_rel);
	qr_buf_adds(&text, "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
	if ((st = tag_file(b, &tags, "bagit.txt", &text, err)))
		goto out;
	qr_buf_reset(&text);
	for (size_t i = 0; info && i < info->n; i++) {
		qr_buf_addf(&text, "%s: ", info->v[i].key);
		info_value(&text, info->v[i].value);
		qr_buf_addch(&text, '\n');
	}
	qr_bag_oxum(b, &bytes, &files);
	qr_buf_addf(&text, "Payload-Oxum: %llu.%llu\nBag-Size: ", (unsigned long long)bytes,
		    (unsigned long long)files);
	human_size(&text, bytes);
	qr_buf_addch(&text, '\n');
	if ((st = tag_file(b, &tags, "bag-info.txt", &text, err)))
		goto out;
	manifest(&text, &b->payload, false);
	if ((st = tag_file(b, &tags, "manifest-sha256.txt", &text, err)))
		goto out;
	manifest(&text, &b->payload, true);
	if ((st = tag_file(b, &tags, "manifest-sha512.txt", &text, err)))
		goto out;
	if (tags.n > 1)
		qsort(tags.v, tags.n, sizeof(*tags.v), by_rel);
	manifest(&text, &tags, false);
	if ((st = tag_file(b, NULL, "tagmanifest-sha256.txt", &text, err)))
		goto out;
	manifest(&text, &tags, true);
	if ((st = tag_file(b, NULL, "tagmanifest-sha512.txt", &text, err)))
		goto out;
	st = qr_io_fsync_dir(b->dir, err);
out:
	sums_free(&tags);
	qr_buf_release(&text);
	return st;
}
