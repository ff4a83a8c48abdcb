/* Bags as .zip and .tar.gz files, through libarchive (bag.h). */
#include <archive.h>
#include <archive_entry.h>

#include "libarchive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bag.h"
#include "io.h"
#include "status.h"
#include "text.h"

#define CHUNK (1 << 20)
/* Members looked at when sniffing an archive for bagit.txt. */
#define SNIFF_MEMBERS 16
/* ...stopping at a member larger than this. */
#define SNIFF_LARGE (1 << 20)

int qr_bag_kind_of(const char *path)
{
	if (qr_ends_with(path, ".zip"))
		return QR_BAG_ZIP;
	if (qr_ends_with(path, ".tar.gz") || qr_ends_with(path, ".tgz"))
		return QR_BAG_TGZ;
	return QR_BAG_DIR;
}

void qr_bag_base_name(const char *path, qr_buf *out)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	const char *base = path;
	for (size_t i = 0; i < n; i++)
		if (path[i] == '/')
			base = path + i + 1;
	n -= (size_t)(base - path);
	static const char *const ends[] = { ".zip", ".tar.gz", ".tgz" };
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t e = strlen(ends[i]);
		if (n > e && strncmp(base + n - e, ends[i], e) == 0) {
			n -= e;
			break;
		}
	}
	qr_buf_reset(out);
	qr_buf_add(out, base, n);
}

/* ---- packing ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file under dir/rel, as paths relative to dir, into files. */
static int list_files(const char *dir, const char *rel, qr_strv *files, qr_buf *err)
{
	qr_buf path = QR_BUF_INIT, child = QR_BUF_INIT;
	qr_strv names = { 0 };
	int st = 0;
	qr_buf_setf(&path, "%s%s%s", dir, *rel ? "/" : "", rel);
	DIR *d = opendir(path.buf);
	if (!d) {
		qr_buf_setf(err, "cannot read '%s': %s", path.buf, strerror(errno));
		qr_buf_release(&path);
		return QR_IO;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			qr_strv_push(&names, e->d_name);
	closedir(d);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (size_t i = 0; i < names.n && !st; i++) {
		struct stat sb;
		qr_buf_setf(&child, "%s%s%s", rel, *rel ? "/" : "", names.v[i]);
		qr_buf_setf(&path, "%s/%s", dir, child.buf);
		if (lstat(path.buf, &sb) < 0) {
			qr_buf_setf(err, "cannot read '%s': %s", path.buf, strerror(errno));
			st = QR_IO;
		} else if (S_ISDIR(sb.st_mode)) {
			st = list_files(dir, child.buf, files, err);
		} else if (S_ISREG(sb.st_mode)) {
			qr_strv_push(files, child.buf);
		}
	}
	qr_strv_clear(&names);
	qr_buf_release(&path);
	qr_buf_release(&child);
	return st;
}

/* The tag files first (bagit.txt leading, so that a reader knows a bag
 * at once), then the payload, each part in byte order. */
static int member_order(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int dx = strncmp(x, "data/", 5) == 0, dy = strncmp(y, "data/", 5) == 0;
	int bx = strcmp(x, "bagit.txt") == 0, by = strcmp(y, "bagit.txt") == 0;
	if (bx != by)
		return by - bx;
	if (dx != dy)
		return dx - dy;
	return strcmp(x, y);
}

static int la_fail(struct archive *a, const char *what, const char *path, qr_buf *err)
{
	qr_buf_setf(err, "cannot %s '%s': %s", what, path, archive_error_string(a) ? archive_error_string(a) : "libarchive");
	return QR_IO;
}

static void entry_set(struct archive_entry *e, const char *path, bool dir, int64_t size, int64_t mtime)
{
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, dir ? 0755 : 0644);
	archive_entry_set_size(e, dir ? 0 : size);
	archive_entry_set_mtime(e, (time_t)mtime, 0);
}

/* Folders above `rel` not written yet (prev: the last file written). */
static int write_dirs(struct archive *a, const char *name, const char *rel, const char *prev, int64_t mtime,
		      const char *out, qr_buf *err)
{
	qr_buf path = QR_BUF_INIT;
	int st = 0;
	for (const char *slash = strchr(rel, '/'); slash && !st; slash = strchr(slash + 1, '/')) {
		size_t n = (size_t)(slash - rel) + 1;
		if (prev && strncmp(prev, rel, n) == 0)
			continue;
		qr_buf_setf(&path, "%s/%.*s", name, (int)n, rel);
		struct archive_entry *e = archive_entry_new();
		entry_set(e, path.buf, true, 0, mtime);
		if (archive_write_header(a, e) != ARCHIVE_OK)
			st = la_fail(a, "write", out, err);
		archive_entry_free(e);
	}
	qr_buf_release(&path);
	return st;
}

static int write_file(struct archive *a, const char *dir, const char *name, const char *rel, int64_t mtime,
		      const char *out, char *chunk, qr_buf *err)
{
	qr_buf path = QR_BUF_INIT;
	struct stat sb;
	int fd, st;
	qr_buf_setf(&path, "%s/%s", dir, rel);
	if ((st = qr_io_open(path.buf, O_RDONLY | O_CLOEXEC, 0, &fd, err)))
		goto out;
	if (fstat(fd, &sb) < 0) {
		qr_buf_setf(err, "cannot read '%s': %s", path.buf, strerror(errno));
		st = QR_IO;
		close(fd);
		goto out;
	}
	struct archive_entry *e = archive_entry_new();
	qr_buf_setf(&path, "%s/%s", name, rel);
	entry_set(e, path.buf, false, (int64_t)sb.st_size, mtime);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		st = la_fail(a, "write", out, err);
	archive_entry_free(e);
	while (!st) {
		ssize_t r = read(fd, chunk, CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			qr_buf_setf(err, "cannot read '%s/%s': %s", dir, rel, strerror(errno));
			st = QR_IO;
		} else if (r == 0) {
			break;
		} else if (archive_write_data(a, chunk, (size_t)r) != r) {
			st = la_fail(a, "write", out, err);
		}
	}
	close(fd);
out:
	qr_buf_release(&path);
	return st;
}

int qr_bag_pack(const char *dir, const char *name, const char *out, int kind, int64_t mtime, qr_buf *err)
{
	qr_strv files = { 0 };
	int st;
	if ((st = qr_libarchive(err)) || (st = list_files(dir, "", &files, err))) {
		qr_strv_clear(&files);
		return st;
	}
	if (files.n > 1)
		qsort(files.v, files.n, sizeof(*files.v), member_order);
	struct archive *a = archive_write_new();
	if (kind == QR_BAG_ZIP) {
		archive_write_set_format_zip(a);
		archive_write_set_options(a, "zip:compression=deflate");
	} else {
		archive_write_set_format_pax_restricted(a);
		archive_write_add_filter_gzip(a);
		/* no time in the gzip header */
		archive_write_set_options(a, "gzip:!timestamp");
	}
	char *chunk = qr_malloc(CHUNK);
	if (archive_write_open_filename(a, out) != ARCHIVE_OK) {
		st = la_fail(a, "make", out, err);
	} else {
		struct archive_entry *e = archive_entry_new();
		entry_set(e, name, true, 0, mtime);
		qr_buf top = QR_BUF_INIT;
		qr_buf_setf(&top, "%s/", name);
		archive_entry_set_pathname(e, top.buf);
		if (archive_write_header(a, e) != ARCHIVE_OK)
			st = la_fail(a, "write", out, err);
		archive_entry_free(e);
		qr_buf_release(&top);
		for (size_t i = 0; i < files.n && !st; i++) {
			st = write_dirs(a, name, files.v[i], i ? files.v[i - 1] : NULL, mtime, out, err);
			if (!st)
				st = write_file(a, dir, name, files.v[i], mtime, out, chunk, err);
		}
		if (archive_write_close(a) != ARCHIVE_OK && !st)
			st = la_fail(a, "finish", out, err);
	}
	archive_write_free(a);
	free(chunk);
	qr_strv_clear(&files);
	return st;
}

/* ---- unpacking ---- */

static struct archive *open_read(const char *path, qr_buf *err)
{
	if (qr_libarchive(err))
		return NULL;
	struct archive *a = archive_read_new();
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_filter_gzip(a);
	if (archive_read_open_filename(a, path, CHUNK) != ARCHIVE_OK) {
		qr_buf_setf(err, "cannot read '%s': %s", path,
			    archive_error_string(a) ? archive_error_string(a) : "not a zip or tar.gz file");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* The member's path without "./" and trailing "/"; false when it is not
 * a safe relative path (absolute, "..", empty parts). */
static bool clean_path(const char *in, qr_buf *out)
{
	qr_buf_reset(out);
	while (in[0] == '.' && in[1] == '/')
		in += 2;
	qr_buf_adds(out, in);
	while (out->len && out->buf[out->len - 1] == '/')
		qr_buf_setlen(out, out->len - 1);
	return qr_bag_safe_path(out->buf);
}

bool qr_bag_sniff_archive(const char *archive)
{
	qr_buf err = QR_BUF_INIT, path = QR_BUF_INIT;
	struct archive *a = open_read(archive, &err);
	bool bag = false;
	struct archive_entry *e;
	for (int i = 0; a && !bag && i < SNIFF_MEMBERS && archive_read_next_header(a, &e) == ARCHIVE_OK; i++) {
		/* a bag's tag files are small and come first: past a large
		 * member (whose data the next header would read through) it
		 * is some other archive */
		if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > SNIFF_LARGE)
			break;
		if (!clean_path(archive_entry_pathname(e) ? archive_entry_pathname(e) : "", &path))
			continue;
		const char *slash = strchr(path.buf, '/');
		const char *base = slash ? slash + 1 : path.buf;
		bag = strcmp(base, "bagit.txt") == 0 && (!slash || !strchr(base, '/'));
	}
	if (a)
		archive_read_free(a);
	qr_buf_release(&err);
	qr_buf_release(&path);
	return bag;
}

bool qr_bag_sniff_dir(const char *dir)
{
	qr_buf path = QR_BUF_INIT;
	struct stat sb;
	qr_buf_setf(&path, "%s/bagit.txt", dir);
	bool bag = stat(path.buf, &sb) == 0 && S_ISREG(sb.st_mode);
	qr_buf_release(&path);
	return bag;
}

static int extract(struct archive *a, struct archive_entry *e, const char *dir, const char *rel, uint64_t *left,
		   char *chunk, qr_buf *err)
{
	qr_buf path = QR_BUF_INIT;
	int fd, st;
	if ((st = qr_bag_make_parents(dir, rel, err)))
		goto out;
	qr_buf_setf(&path, "%s/%s", dir, rel);
	if ((st = qr_io_open(path.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644, &fd, err)))
		goto out;
	(void)e;
	for (;;) {
		la_ssize_t r = archive_read_data(a, chunk, CHUNK);
		if (r < 0) {
			qr_buf_setf(err, "cannot read '%s': %s", rel, archive_error_string(a));
			st = QR_BAD_INPUT;
			break;
		}
		if (r == 0)
			break;
		if ((uint64_t)r > *left) {
			qr_buf_setf(err, "the bag unpacks to more than the bytes allowed");
			st = QR_LIMIT;
			break;
		}
		*left -= (uint64_t)r;
		if ((st = qr_io_write_all(fd, chunk, (size_t)r, path.buf, err)))
			break;
	}
	close(fd);
out:
	qr_buf_release(&path);
	return st;
}

int qr_bag_unpack(const char *archive, const char *dir, uint64_t max_bytes, qr_buf *root, qr_buf *err)
{
	qr_buf path = QR_BUF_INIT, top = QR_BUF_INIT;
	struct archive *a = open_read(archive, err);
	int st = 0;
	bool one_top = true;
	if (!a)
		return QR_BAD_INPUT;
	if (mkdir(dir, 0700) < 0) {
		qr_buf_setf(err, "cannot make '%s': %s", dir, strerror(errno));
		archive_read_free(a);
		return QR_IO;
	}
	char *chunk = qr_malloc(CHUNK);
	struct archive_entry *e;
	int r;
	while (!st && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
		if (!clean_path(name, &path)) {
			qr_buf_setf(err, "member '%s' is not a path inside the bag", name);
			st = QR_BAD_INPUT;
			break;
		}
		size_t n = strcspn(path.buf, "/");
		if (!top.len)
			qr_buf_add(&top, path.buf, n);
		else if (top.len != n || strncmp(top.buf, path.buf, n) != 0)
			one_top = false;
		if (!path.buf[n] && archive_entry_filetype(e) != AE_IFDIR)
			one_top = false;
		if (archive_entry_filetype(e) == AE_IFDIR) {
			qr_buf_addch(&path, '/');
			st = qr_bag_make_parents(dir, path.buf, err);
		} else if (archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e)) {
			st = extract(a, e, dir, path.buf, &max_bytes, chunk, err);
		} else {
			qr_buf_setf(err, "member '%s' is not a file or a folder", name);
			st = QR_BAD_INPUT;
		}
	}
	if (!st && r != ARCHIVE_EOF) {
		qr_buf_setf(err, "cannot read '%s': %s", archive, archive_error_string(a));
		st = QR_BAD_INPUT;
	}
	archive_read_free(a);
	free(chunk);
	qr_buf_reset(root);
	if (one_top && top.len)
		qr_buf_addf(root, "%s/%s", dir, top.buf);
	else
		qr_buf_adds(root, dir);
	qr_buf_release(&path);
	qr_buf_release(&top);
	return st;
}
