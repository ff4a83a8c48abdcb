#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "status.h"

static const char *op_names[QR_IO_NOPS] = { "write", "fsync", "rename", "commit", "open", "exchange" };

static struct {
	bool loaded;
	int op;
	unsigned long nth;
	int err;
	bool persist;
	int crash_op;
	unsigned long crash_nth;
	unsigned long calls[QR_IO_NOPS];
	const char *trace;
} fault = { .op = -1, .crash_op = -1 };

static int errno_by_name(const char *name)
{
	static const struct {
		const char *name;
		int value;
	} names[] = { { "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EDQUOT", EDQUOT }, { "EROFS", EROFS },
		      { "EACCES", EACCES }, { "EPERM", EPERM }, { "EFBIG", EFBIG }, { "EINTR", EINTR },
		      { "EINVAL", EINVAL }, { "ENOSYS", ENOSYS }, { "ENOTSUP", ENOTSUP }, { "EXDEV", EXDEV } };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].value;
	return EIO;
}

static int op_by_name(const char *name)
{
	for (int i = 0; i < QR_IO_NOPS; i++)
		if (strcmp(name, op_names[i]) == 0)
			return i;
	return -1;
}

/* QUIRE_CRASH="<op>:<n>" */
static void load_crash(void)
{
	const char *spec = getenv("QUIRE_CRASH");
	const char *colon = spec ? strchr(spec, ':') : NULL;
	char op[16];
	if (!colon || (size_t)(colon - spec) >= sizeof(op))
		return;
	memcpy(op, spec, (size_t)(colon - spec));
	op[colon - spec] = '\0';
	fault.crash_op = op_by_name(op);
	fault.crash_nth = strtoul(colon + 1, NULL, 10);
}

static void load_fault(void)
{
	fault.loaded = true;
	load_crash();
	fault.trace = getenv("QUIRE_FAULT_TRACE");
	if (fault.trace && !*fault.trace)
		fault.trace = NULL;
	const char *spec = getenv("QUIRE_FAULT");
	if (!spec || !*spec)
		return;
	char copy[128];
	snprintf(copy, sizeof(copy), "%s", spec);
	char *save = NULL;
	char *f_op = strtok_r(copy, ":", &save);
	char *f_n = strtok_r(NULL, ":", &save);
	char *f_err = strtok_r(NULL, ":", &save);
	char *f_persist = strtok_r(NULL, ":", &save);
	if (!f_op || !f_n)
		return;
	fault.op = op_by_name(f_op);
	fault.nth = strtoul(f_n, NULL, 10);
	fault.err = f_err ? errno_by_name(f_err) : EIO;
	fault.persist = f_persist && strcmp(f_persist, "persist") == 0;
}

/* QUIRE_FAULT_TRACE=<file>: every call of the commit path is logged as
 * "<op> <n>" (with " fault <errno>" when one was injected), so that the
 * tests know every point there is to fail and what happened after one. */
static void trace(enum qr_io_op op, unsigned long n, int err)
{
	char line[96];
	int len = err < 0 ? snprintf(line, sizeof(line), "%s %lu crash\n", op_names[op], n)
		  : err   ? snprintf(line, sizeof(line), "%s %lu fault %d\n", op_names[op], n, err)
			  : snprintf(line, sizeof(line), "%s %lu\n", op_names[op], n);
	int fd = open(fault.trace, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)len) < 0) {
		/* tracing only: nothing to do */
	}
	close(fd);
}

void qr_io_faults_reset(void)
{
	memset(&fault, 0, sizeof(fault));
	fault.op = -1;
	fault.crash_op = -1;
}

int qr_io_fault(enum qr_io_op op)
{
	if (!fault.loaded)
		load_fault();
	if (fault.op != (int)op && fault.crash_op != (int)op && !fault.trace)
		return 0;
	unsigned long n = ++fault.calls[op];
	if (fault.crash_op == (int)op && n == fault.crash_nth) {
		if (fault.trace)
			trace(op, n, -1);
		raise(SIGKILL);
	}
	int e = 0;
	if (fault.op == (int)op && (n == fault.nth || (fault.persist && n > fault.nth)))
		e = fault.err;
	if (fault.trace)
		trace(op, n, e);
	return e;
}

void qr_io_test_pause(const char *point)
{
	const char *spec = getenv("QUIRE_PAUSE");
	size_t n = strlen(point);
	if (!spec || strncmp(spec, point, n) != 0 || spec[n] != ':')
		return;
	long ms = strtol(spec + n + 1, NULL, 10);
	if (ms > 0 && ms <= 60000) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
}

static int fail(qr_buf *err, const char *what, const char *path, int e)
{
	if (err)
		qr_buf_setf(err, "%s '%s': %s", what, path, strerror(e));
	errno = e;
	return QR_IO;
}

/* write(2), or pwrite(2) at offset when positioned, until all of it is
 * written. */
static int write_fully(int fd, const void *data, size_t n, bool positioned, uint64_t offset, const char *path,
		       qr_buf *err)
{
	const char *p = data;
	int e = qr_io_fault(QR_IO_WRITE);
	if (e)
		return fail(err, "cannot write", path, e);
	while (n) {
		ssize_t w = positioned ? pwrite(fd, p, n, (off_t)offset) : write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return fail(err, "cannot write", path, errno);
		}
		p += w;
		n -= (size_t)w;
		offset += (uint64_t)w;
	}
	return 0;
}

int qr_io_pwrite_all(int fd, const void *data, size_t n, uint64_t offset, const char *path, qr_buf *err)
{
	return write_fully(fd, data, n, true, offset, path, err);
}

int qr_io_write_all(int fd, const void *data, size_t n, const char *path, qr_buf *err)
{
	return write_fully(fd, data, n, false, 0, path, err);
}

int qr_io_pread_all(int fd, void *data, size_t n, uint64_t offset, const char *path, qr_buf *err)
{
	char *p = data;
	while (n) {
		ssize_t r = pread(fd, p, n, (off_t)offset);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return fail(err, "cannot read", path, errno);
		}
		if (r == 0) {
			if (err)
				qr_buf_setf(err, "cannot read '%s': unexpected end of file", path);
			return QR_DAMAGED;
		}
		p += r;
		n -= (size_t)r;
		offset += (uint64_t)r;
	}
	return 0;
}

int qr_io_fsync(int fd, const char *path, qr_buf *err)
{
	int e = qr_io_fault(QR_IO_FSYNC);
	if (e)
		return fail(err, "cannot fsync", path, e);
	if (fsync(fd) < 0)
		return fail(err, "cannot fsync", path, errno);
	return 0;
}

int qr_io_fsync_dir(const char *dir, qr_buf *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, "cannot open directory", dir, errno);
	int st = qr_io_fsync(fd, dir, err);
	close(fd);
	return st;
}

int qr_io_rename(const char *from, const char *to, qr_buf *err)
{
	int e = qr_io_fault(QR_IO_RENAME);
	if (e)
		return fail(err, "cannot rename to", to, e);
	if (rename(from, to) < 0)
		return fail(err, "cannot rename to", to, errno);
	return 0;
}

int qr_io_open(const char *path, int flags, int mode, int *fd, qr_buf *err)
{
	int e = qr_io_fault(QR_IO_OPEN);
	if (e)
		return fail(err, "cannot open", path, e);
	*fd = open(path, flags | O_CLOEXEC, mode);
	if (*fd < 0)
		return fail(err, "cannot open", path, errno);
	return 0;
}

static void dir_of(const char *path, char *dir, size_t size)
{
	snprintf(dir, size, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, size, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
}

int qr_io_write_file_atomic(const char *path, const void *data, size_t n, qr_buf *err)
{
	qr_buf tmp = QR_BUF_INIT;
	char dir[4096];
	int fd, st;

	qr_buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	st = qr_io_open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644, &fd, err);
	if (st)
		goto out;
	st = qr_io_write_all(fd, data, n, tmp.buf, err);
	if (!st)
		st = qr_io_fsync(fd, tmp.buf, err);
	close(fd);
	if (!st)
		st = qr_io_rename(tmp.buf, path, err);
	if (st) {
		unlink(tmp.buf);
		goto out;
	}
	dir_of(path, dir, sizeof(dir));
	st = qr_io_fsync_dir(dir, err);
out:
	qr_buf_release(&tmp);
	return st;
}

int qr_io_append_line(const char *path, const char *line, size_t n, qr_buf *err)
{
	int fd;
	struct stat sb;
	bool is_new = stat(path, &sb) < 0;
	int st = qr_io_open(path, O_RDWR | O_CREAT | O_APPEND, 0644, &fd, err);
	if (st)
		return st;
	qr_buf b = QR_BUF_INIT;
	/* An earlier append cut short (ENOSPC, a crash) left a partial line:
	 * end it, so that this line stays whole and readable. */
	char last;
	if (!is_new && fstat(fd, &sb) == 0 && sb.st_size > 0 && pread(fd, &last, 1, sb.st_size - 1) == 1 && last != '\n')
		qr_buf_addch(&b, '\n');
	qr_buf_add(&b, line, n);
	if (!n || line[n - 1] != '\n')
		qr_buf_addch(&b, '\n');
	/* One write: O_APPEND keeps a line whole even with another appender. */
	st = qr_io_write_all(fd, b.buf, b.len, path, err);
	if (!st)
		st = qr_io_fsync(fd, path, err);
	close(fd);
	qr_buf_release(&b);
	if (!st && is_new) {
		char dir[4096];
		dir_of(path, dir, sizeof(dir));
		st = qr_io_fsync_dir(dir, err);
	}
	return st;
}

int qr_io_read_file(const char *path, size_t max, qr_buf *out, qr_buf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		fail(err, "cannot open", path, e);
		return e == ENOENT ? QR_NOT_FOUND : QR_IO;
	}
	qr_buf_reset(out);
	for (;;) {
		qr_buf_grow(out, 65536);
		ssize_t r = read(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return fail(err, "cannot read", path, e);
		}
		if (r == 0)
			break;
		out->len += (size_t)r;
		out->buf[out->len] = '\0';
		if (out->len > max) {
			close(fd);
			if (err)
				qr_buf_setf(err, "'%s' is larger than %zu bytes", path, max);
			return QR_LIMIT;
		}
	}
	close(fd);
	return 0;
}

int qr_io_mkdir(const char *path, qr_buf *err)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	return fail(err, "cannot create directory", path, errno);
}

int qr_io_exchange(const char *a, const char *b, qr_buf *err)
{
	int e = qr_io_fault(QR_IO_EXCHANGE);
	if (e)
		return fail(err, "cannot swap in", b, e);
	if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) < 0)
		return fail(err, "cannot swap in", b, errno);
	return 0;
}

int qr_io_cut_keep(const char *path, uint64_t at, const char *keep, qr_buf *err)
{
	qr_buf data = QR_BUF_INIT;
	struct stat sb;
	int fd, st;
	if ((st = qr_io_open(path, O_RDWR, 0, &fd, err)))
		return st;
	if (fstat(fd, &sb) < 0) {
		st = fail(err, "cannot read", path, errno);
		goto out;
	}
	if ((uint64_t)sb.st_size <= at)
		goto out;
	qr_buf_grow(&data, (size_t)((uint64_t)sb.st_size - at));
	if ((st = qr_io_pread_all(fd, data.buf, (size_t)((uint64_t)sb.st_size - at), at, path, err)))
		goto out;
	data.len = (size_t)((uint64_t)sb.st_size - at);
	if ((st = qr_io_write_file_atomic(keep, data.buf, data.len, err)))
		goto out;
	if (ftruncate(fd, (off_t)at) < 0) {
		st = fail(err, "cannot truncate", path, errno);
		goto out;
	}
	st = qr_io_fsync(fd, path, err);
out:
	close(fd);
	qr_buf_release(&data);
	return st;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb, (void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

int qr_io_remove_tree(const char *path, qr_buf *err)
{
	struct stat sb;
	if (lstat(path, &sb) < 0 && errno == ENOENT)
		return 0;
	/* Depth first, never following symbolic links. */
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return fail(err, "cannot remove", path, errno);
	return 0;
}

/* ---- swapping a directory in ---- */

static bool path_exists(const char *p)
{
	struct stat sb;
	return lstat(p, &sb) == 0;
}

/* rename, then fsync the directories of both names, so that the rename
 * is on disk before the next step. */
static int rename_durably(const char *from, const char *to, qr_buf *err)
{
	char dir_from[4096], dir_to[4096];
	int st = qr_io_rename(from, to, err);
	if (st)
		return st;
	dir_of(to, dir_to, sizeof(dir_to));
	dir_of(from, dir_from, sizeof(dir_from));
	st = qr_io_fsync_dir(dir_to, err);
	if (!st && strcmp(dir_from, dir_to) != 0)
		st = qr_io_fsync_dir(dir_from, err);
	return st;
}

static int remove_durably(const char *path, qr_buf *err)
{
	char dir[4096];
	int st = qr_io_remove_tree(path, err);
	if (st)
		return st;
	dir_of(path, dir, sizeof(dir));
	return qr_io_fsync_dir(dir, err);
}

/* Steps 2 to 4 of qr_io_swap_dir: target.new is complete. */
static int finish_swap(const char *target, const char *newp, const char *oldp, qr_buf *err)
{
	int st = 0;
	if (path_exists(target) && (st = rename_durably(target, oldp, err)))
		return st;
	if ((st = rename_durably(newp, target, err)))
		return st;
	return remove_durably(oldp, err);
}

int qr_io_swap_dir(const char *fresh, const char *target, qr_buf *err)
{
	qr_buf newp = QR_BUF_INIT, oldp = QR_BUF_INIT;
	int st;
	if (!path_exists(target))
		return rename_durably(fresh, target, err);
	st = qr_io_exchange(fresh, target, err);
	if (!st) {
		char dir[4096];
		dir_of(target, dir, sizeof(dir));
		if (!(st = qr_io_fsync_dir(dir, err)))
			st = qr_io_remove_tree(fresh, err); /* the old one, now */
		return st;
	}
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return st;
	qr_buf_setf(&newp, "%s.new", target);
	qr_buf_setf(&oldp, "%s.old", target);
	if (path_exists(newp.buf) || path_exists(oldp.buf)) {
		/* The open that took the writer's lock recovers these first. */
		qr_buf_setf(err, "cannot swap in '%s': '%s.new' or '%s.old' is in the way", target, target, target);
		st = QR_IO;
	} else if (!(st = rename_durably(fresh, newp.buf, err))) {
		st = finish_swap(target, newp.buf, oldp.buf, err);
	}
	qr_buf_release(&newp);
	qr_buf_release(&oldp);
	return st;
}

int qr_io_swap_recover(const char *target, qr_buf *what, qr_buf *err)
{
	qr_buf newp = QR_BUF_INIT, oldp = QR_BUF_INIT;
	int st = 0;
	qr_buf_setf(&newp, "%s.new", target);
	qr_buf_setf(&oldp, "%s.old", target);
	bool t = path_exists(target), n = path_exists(newp.buf), o = path_exists(oldp.buf);
	if (what)
		qr_buf_reset(what);
	if (n) {
		/* The new one was complete before any other step: finish. */
		if (t && o && (st = remove_durably(oldp.buf, err)))
			goto out;
		st = finish_swap(target, newp.buf, oldp.buf, err);
		if (!st && what)
			qr_buf_setf(what, "finished swapping in '%s' (a swap was cut short)", target);
	} else if (o && !t) {
		st = rename_durably(oldp.buf, target, err);
		if (!st && what)
			qr_buf_setf(what, "put '%s' back in place (a swap was cut short)", target);
	} else if (o) {
		/* target is the complete new one: the old one is replaced. */
		st = remove_durably(oldp.buf, err);
	}
out:
	qr_buf_release(&newp);
	qr_buf_release(&oldp);
	return st;
}

bool qr_io_swap_readable(const char *target, qr_buf *out)
{
	static const char *const suffixes[] = { "", ".new", ".old" };
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		qr_buf_setf(out, "%s%s", target, suffixes[i]);
		if (path_exists(out->buf))
			return true;
	}
	return false;
}
