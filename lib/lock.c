#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "status.h"
#include "text.h"
#include "timeutil.h"

/* The locks this process holds, one per lock file (by device and inode),
 * with how many holds each has. */
struct qr_lock {
	dev_t dev;
	ino_t ino;
	pid_t pid;              /* a child after fork holds none of these */
	int fd;
	unsigned holds;
	struct qr_lock *next;
};

static pthread_mutex_t held_mu = PTHREAD_MUTEX_INITIALIZER;
static struct qr_lock *held;
static char command[64] = "quire";

void qr_lock_set_command(const char *what)
{
	snprintf(command, sizeof(command), "%s", what ? what : "quire");
}

const char *qr_lock_command(void)
{
	return command;
}

/* What the holder wrote into the file: "quire ingest, pid 42, since ...". */
static void describe_holder(int fd, qr_buf *out)
{
	char text[160];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	qr_buf_reset(out);
	if (n <= 0)
		return;
	text[n] = '\0';
	char *nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	/* The file is the corpus's: whatever it holds is shown escaped. */
	qr_escape_terminal(out, text, strlen(text), 0);
}

static void write_holder(int fd)
{
	char when[32], line[160];
	qr_time_format_iso((int64_t)time(NULL), when);
	int n = snprintf(line, sizeof(line), "%s, pid %ld, since %s\n", command, (long)getpid(), when);
	if (n > 0 && ftruncate(fd, 0) == 0 && pwrite(fd, line, (size_t)n, 0) < 0) {
		/* Only the message a second writer sees is lost. */
	}
}

int qr_lock_acquire(const char *dir, const char *what, qr_lock **out, qr_buf *err)
{
	qr_buf path = QR_BUF_INIT, who = QR_BUF_INIT;
	struct stat sb;
	int st = 0;
	*out = NULL;
	if (what)
		qr_lock_set_command(what);
	qr_buf_setf(&path, "%s/" QR_LOCK_FILE, dir);
	int fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		qr_buf_setf(err, "cannot open the lock file '%s': %s", path.buf, strerror(errno));
		st = errno == EACCES || errno == EROFS ? QR_USAGE : QR_IO;
		goto out;
	}
	if (fstat(fd, &sb) < 0) {
		qr_buf_setf(err, "cannot read the lock file '%s': %s", path.buf, strerror(errno));
		close(fd);
		st = QR_IO;
		goto out;
	}
	pthread_mutex_lock(&held_mu);
	for (struct qr_lock *l = held; l; l = l->next) {
		if (l->dev == sb.st_dev && l->ino == sb.st_ino && l->pid == getpid()) {
			l->holds++;
			*out = l;
			break;
		}
	}
	pthread_mutex_unlock(&held_mu);
	if (*out) {
		close(fd);
		goto out;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			describe_holder(fd, &who);
			qr_buf_setf(err, "corpus is locked by another writer (%s) ('%s')", who.len ? who.buf : "unknown",
				    dir);
			st = QR_LOCKED;
		} else {
			qr_buf_setf(err, "cannot lock '%s': %s", path.buf, strerror(errno));
			st = QR_IO;
		}
		close(fd);
		goto out;
	}
	write_holder(fd);
	struct qr_lock *l = qr_calloc(1, sizeof(*l));
	l->dev = sb.st_dev;
	l->ino = sb.st_ino;
	l->fd = fd;
	l->pid = getpid();
	l->holds = 1;
	pthread_mutex_lock(&held_mu);
	l->next = held;
	held = l;
	pthread_mutex_unlock(&held_mu);
	*out = l;
out:
	qr_buf_release(&path);
	qr_buf_release(&who);
	return st;
}

void qr_lock_release(qr_lock *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&held_mu);
	if (--l->holds) {
		pthread_mutex_unlock(&held_mu);
		return;
	}
	for (struct qr_lock **p = &held; *p; p = &(*p)->next) {
		if (*p == l) {
			*p = l->next;
			break;
		}
	}
	pthread_mutex_unlock(&held_mu);
	/* The holder's line stays: it is only read while the lock is held. */
	flock(l->fd, LOCK_UN);
	close(l->fd);
	free(l);
}
