/*
 * A shard's index through Xapian's remote protocol, served by xapian-progsrv
 * processes that are started before a client comes and kept for the next
 * one (warm.h says why).
 *
 * The protocol (Xapian 1.4's remote protocol, net/remoteprotocol.h there) is
 * passed through untouched.  Of it this file knows only the framing, one
 * byte of type then the body's length (one byte below 255, else 255 and the
 * rest in 7-bit groups, low first, the last with its high bit set), and four
 * message types: the server's greeting and statistics (REPLY_UPDATE), its
 * exception and its end of a list (REPLY_EXCEPTION, REPLY_DONE), and the two
 * requests this file makes itself, MSG_UPDATE and MSG_REOPEN, whose bodies
 * are empty.
 */
#include "warm.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "status.h"

extern char **environ;

enum { REPLY_UPDATE = 0, REPLY_EXCEPTION = 1, REPLY_DONE = 2, MSG_REOPEN = 12, MSG_UPDATE = 13 };

#define RELAY_BUF 65536
/* Connections at once; more are closed at once. */
#define MAX_ACTIVE 256
/* Processes kept waiting at most; more are ended when their client leaves. */
#define MAX_IDLE 16
/* How long a process may take to greet, answer its statistics or reopen. */
#define ASK_MS 10000

/* ---- framing ---- */

struct frame {
	enum { F_TYPE, F_LEN, F_LENMORE, F_BODY, F_LOST } state;
	unsigned char type;
	uint64_t len, left;
	unsigned shift;
};

/*
 * Read n bytes of a stream of messages; stop right after a message ends.
 * Returns the bytes read and sets *ended when one ended (its type is
 * f->type).  A length that does not fit leaves the stream F_LOST.
 */
static size_t frame_step(struct frame *f, const unsigned char *p, size_t n, bool *ended)
{
	size_t i = 0;
	*ended = false;
	while (i < n && f->state != F_LOST) {
		unsigned char ch = p[i];
		switch (f->state) {
		case F_TYPE:
			f->type = ch;
			f->state = F_LEN;
			i++;
			break;
		case F_LEN:
			i++;
			if (ch != 0xff) {
				f->len = ch;
			} else {
				f->len = 0;
				f->shift = 0;
				f->state = F_LENMORE;
				break;
			}
			goto length_known;
		case F_LENMORE:
			i++;
			if (f->shift > 56) {
				f->state = F_LOST;
				return i;
			}
			f->len |= (uint64_t)(ch & 0x7f) << f->shift;
			f->shift += 7;
			if (!(ch & 0x80))
				break;
			f->len += 255;
		length_known:
			f->left = f->len;
			f->state = F_BODY;
			if (f->left == 0) {
				f->state = F_TYPE;
				*ended = true;
				return i;
			}
			break;
		case F_BODY: {
			size_t take = n - i < f->left ? n - i : (size_t)f->left;
			i += take;
			f->left -= take;
			if (f->left == 0) {
				f->state = F_TYPE;
				*ended = true;
				return i;
			}
			break;
		}
		case F_LOST:
			break;
		}
	}
	return i;
}

/* ---- the index's identity ---- */

struct ident {
	bool ok;
	dev_t dev;
	ino_t dir, file;
	off_t size;
	struct timespec mtime;
};

/* The index directory, and its version file (rewritten by every commit). */
static void ident_now(const char *index, struct ident *id)
{
	struct stat st;
	char path[4096];
	memset(id, 0, sizeof(*id));
	if (stat(index, &st) != 0)
		return;
	id->dev = st.st_dev;
	id->dir = st.st_ino;
	static const char *const names[] = { "iamglass", "iamchert" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", index, names[i]);
		if (stat(path, &st) == 0) {
			id->ok = true;
			id->file = st.st_ino;
			id->size = st.st_size;
			id->mtime = st.st_mtim;
			return;
		}
	}
}

static bool same_index(const struct ident *a, const struct ident *b)
{
	return a->ok && b->ok && a->dev == b->dev && a->dir == b->dir;
}

static bool same_revision(const struct ident *a, const struct ident *b)
{
	return same_index(a, b) && a->file == b->file && a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* ---- the processes ---- */

struct child {
	pid_t pid;
	int fd;
	qr_buf greeting; /* the last REPLY_UPDATE, framed as sent */
	struct ident seen; /* the index as it was when the process last opened it */
	struct child *next;
};

struct sv_warm {
	char *index;
	int listen_fd;
	int wake[2];
	int idle_ms;
	unsigned spare;
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct child *idle;
	unsigned n_idle, starting, active;
	int fds[MAX_ACTIVE]; /* the clients' sockets, -1 when free */
	bool stopping, spawn_failing;
	pthread_t acceptor, filler;
	bool acceptor_up, filler_up;
};

static void end_child(struct child *c)
{
	if (!c)
		return;
	close(c->fd);
	kill(c->pid, SIGKILL);
	while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
		;
	qr_buf_release(&c->greeting);
	free(c);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Read exactly one message from the process into out (framed); its type,
 * or -1 when it ends, is late, or sends more than one message.
 */
static int read_one(struct child *c, qr_buf *out)
{
	struct frame f = { F_TYPE, 0, 0, 0, 0 };
	unsigned char buf[4096];
	long long end = now_ms() + ASK_MS;
	qr_buf_reset(out);
	for (;;) {
		long long left = end - now_ms();
		struct pollfd p = { c->fd, POLLIN, 0 };
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			if (left > 0 && errno == EINTR)
				continue;
			return -1;
		}
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		bool ended;
		size_t k = frame_step(&f, buf, (size_t)n, &ended);
		qr_buf_add(out, buf, k);
		if (f.state == F_LOST)
			return -1;
		if (ended)
			return k == (size_t)n ? f.type : -1;
	}
}

/* Send a request with an empty body and read its one reply. */
static int ask(struct child *c, unsigned char type, qr_buf *reply)
{
	unsigned char msg[2] = { type, 0 };
	if (send(c->fd, msg, sizeof(msg), MSG_NOSIGNAL) != (ssize_t)sizeof(msg))
		return -1;
	return read_one(c, reply);
}

/* Start a process on the index and read its greeting. */
static struct child *spawn(sv_warm *w, qr_buf *err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		qr_buf_setf(err, "cannot make a socket pair: %s", strerror(errno));
		return NULL;
	}
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	sigset_t none, dflt;
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dflt);
	/* A group of its own: a Ctrl-C meant for quire does not reach it; it
	 * ends when its socket closes, quire's death included. */
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	/* No timeout of its own: it waits in the pool as long as it must;
	 * the relay ends a connection that idles. */
	char *argv[] = { (char *)"xapian-progsrv", (char *)"--timeout", (char *)"0", w->index, NULL };
	struct child *c = qr_calloc(1, sizeof(*c));
	qr_buf_init(&c->greeting);
	ident_now(w->index, &c->seen);
	int rc = posix_spawnp(&c->pid, "xapian-progsrv", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(sv[1]);
	c->fd = sv[0];
	if (rc != 0) {
		qr_buf_setf(err, "cannot run xapian-progsrv: %s (install xapian-tools)", strerror(rc));
		close(c->fd);
		qr_buf_release(&c->greeting);
		free(c);
		return NULL;
	}
	int type = read_one(c, &c->greeting);
	if (type != REPLY_UPDATE || c->greeting.len > RELAY_BUF) {
		qr_buf_setf(err, "xapian-progsrv %s %s", type == REPLY_EXCEPTION ? "cannot open" : "did not greet on",
			    w->index);
		end_child(c);
		return NULL;
	}
	return c;
}

/*
 * After a client: does the process wait for a new request and owe
 * nothing?  Its statistics must be the first thing it sends; then it
 * reopens the index, and its greeting for the next client is what it would
 * send now.
 */
static bool refresh(sv_warm *w, struct child *c, bool check_clean)
{
	struct ident now;
	qr_buf reply = QR_BUF_INIT;
	bool ok = false;
	ident_now(w->index, &now);
	if (!same_index(&now, &c->seen))
		goto out;
	if (check_clean) {
		if (ask(c, MSG_UPDATE, &reply) != REPLY_UPDATE || reply.len > RELAY_BUF)
			goto out;
		qr_buf_reset(&c->greeting);
		qr_buf_add(&c->greeting, reply.buf, reply.len);
	}
	if (check_clean || !same_revision(&now, &c->seen)) {
		int type = ask(c, MSG_REOPEN, &reply);
		if (type == REPLY_UPDATE && reply.len <= RELAY_BUF) {
			qr_buf_reset(&c->greeting);
			qr_buf_add(&c->greeting, reply.buf, reply.len);
		} else if (type != REPLY_DONE) {
			goto out;
		}
		c->seen = now;
	}
	ok = true;
out:
	qr_buf_release(&reply);
	return ok;
}

static void report(sv_warm *w, const qr_buf *err)
{
	/* Once per run of failures, not once per connection. */
	if (!w->spawn_failing)
		fprintf(stderr, "quire serve-shard: %s\n", err->buf);
	w->spawn_failing = true;
}

/* A process for a new client: a waiting one whose index is current, else a
 * new one. */
static struct child *take(sv_warm *w)
{
	qr_buf err = QR_BUF_INIT;
	struct child *c;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		c = w->idle;
		if (c) {
			w->idle = c->next;
			w->n_idle--;
		}
		pthread_cond_broadcast(&w->changed);
		pthread_mutex_unlock(&w->mu);
		if (!c)
			break;
		/* A waiting process has nothing to say: if it has, it ended
		 * (or is confused). */
		struct pollfd p = { c->fd, POLLIN, 0 };
		if (poll(&p, 1, 0) == 0 && refresh(w, c, false))
			goto out;
		end_child(c);
	}
	c = spawn(w, &err);
	pthread_mutex_lock(&w->mu);
	if (!c)
		report(w, &err);
	else
		w->spawn_failing = false;
	pthread_mutex_unlock(&w->mu);
out:
	qr_buf_release(&err);
	return c;
}

/* Keep it for the next client, or end it. */
static void give_back(sv_warm *w, struct child *c, bool reusable)
{
	pthread_mutex_lock(&w->mu);
	reusable = reusable && !w->stopping;
	pthread_mutex_unlock(&w->mu);
	if (reusable && refresh(w, c, true)) {
		pthread_mutex_lock(&w->mu);
		if (!w->stopping && w->n_idle < MAX_IDLE) {
			c->next = w->idle;
			w->idle = c;
			w->n_idle++;
			c = NULL;
			pthread_cond_broadcast(&w->changed);
		}
		pthread_mutex_unlock(&w->mu);
	}
	end_child(c);
}

/* ---- passing bytes ---- */

struct dir {
	unsigned char *buf;
	size_t off, len;
};

/* Read what is there (a stream of small messages arrives as one). */
static ssize_t fill(int fd, struct dir *d)
{
	size_t got = 0;
	for (;;) {
		ssize_t n = recv(fd, d->buf + got, RELAY_BUF - got, MSG_DONTWAIT);
		if (n > 0) {
			got += (size_t)n;
			if (got < RELAY_BUF)
				continue;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (got == 0) {
			return n == 0 || errno != EAGAIN ? -1 : 0;
		}
		break;
	}
	d->off = 0;
	d->len = got;
	return (ssize_t)got;
}

static bool drain(int fd, struct dir *d)
{
	while (d->len) {
		ssize_t n = send(fd, d->buf + d->off, d->len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		d->off += (size_t)n;
		d->len -= (size_t)n;
	}
	return true;
}

/* Count the messages that end in d's bytes; false when the stream is lost. */
static bool track(struct frame *f, const struct dir *d, unsigned *ended_count)
{
	const unsigned char *p = d->buf;
	size_t n = d->len;
	*ended_count = 0;
	while (n) {
		bool ended;
		size_t k = frame_step(f, p, n, &ended);
		p += k;
		n -= k;
		if (ended)
			(*ended_count)++;
		if (f->state == F_LOST)
			return false;
	}
	return true;
}

/*
 * Pass bytes between the client and the process until the client leaves,
 * the process ends, or nothing moves for the idle time.  True when the
 * process may serve another client: it is alive, every request was
 * answered in full, and neither stream stopped inside a message.
 */
static bool relay(sv_warm *w, int cfd, struct child *c, unsigned char *bufs)
{
	struct dir up = { bufs, 0, 0 }, down = { bufs + RELAY_BUF, 0, 0 };
	struct frame fu = { F_TYPE, 0, 0, 0, 0 }, fd = { F_TYPE, 0, 0, 0, 0 };
	bool client = true, proc = true, lost = false, owed = false;
	memcpy(down.buf, c->greeting.buf, c->greeting.len);
	down.len = c->greeting.len;
	while (client && (proc || down.len)) {
		struct pollfd p[2] = {
			{ cfd, (short)((up.len ? 0 : POLLIN) | (down.len ? POLLOUT : 0)), 0 },
			/* An ended process is not polled: its hang-up would
			 * wake the loop while the client is slow to read. */
			{ proc ? c->fd : -1, (short)((!down.len ? POLLIN : 0) | (up.len ? POLLOUT : 0)), 0 },
		};
		int r = poll(p, 2, w->idle_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if ((p[0].revents & POLLOUT) && !drain(cfd, &down))
			client = false;
		if ((p[1].revents & POLLOUT) && !drain(c->fd, &up))
			proc = false;
		if (client && !up.len && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			unsigned n;
			/* A Xapian client waits for each answer before it asks
			 * again: one that does not has left the process where
			 * this file cannot tell what it owes. */
			if (fill(cfd, &up) < 0)
				client = false;
			else if (!track(&fu, &up, &n) || (n && owed) || n > 1)
				lost = true;
			else if (n)
				owed = true;
		} else if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			client = false;
		}
		if (proc && !down.len && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			unsigned n;
			if (fill(c->fd, &down) < 0)
				proc = false;
			else if (!track(&fd, &down, &n))
				lost = true;
			else if (n)
				owed = false;
		} else if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			proc = false;
		}
		if (client && up.len && proc && !drain(c->fd, &up))
			proc = false;
		if (client && down.len && !drain(cfd, &down))
			client = false;
	}
	return proc && !lost && !owed && !up.len && fu.state == F_TYPE && fd.state == F_TYPE;
}

struct conn {
	sv_warm *w;
	int slot;
};

static void *serve_one(void *arg)
{
	struct conn *cn = arg;
	sv_warm *w = cn->w;
	int slot = cn->slot;
	int cfd = w->fds[slot];
	free(cn);
	int one = 1;
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct child *c = take(w);
	bool reusable = false;
	if (c) {
		unsigned char *bufs = qr_malloc(2 * RELAY_BUF);
		reusable = relay(w, cfd, c, bufs);
		free(bufs);
	}
	pthread_mutex_lock(&w->mu);
	w->fds[slot] = -1;
	pthread_mutex_unlock(&w->mu);
	close(cfd);
	if (c)
		give_back(w, c, reusable);
	pthread_mutex_lock(&w->mu);
	w->active--;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void *accept_loop(void *arg)
{
	sv_warm *w = arg;
	for (;;) {
		struct pollfd p[2] = { { w->listen_fd, POLLIN, 0 }, { w->wake[0], POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		int cfd = accept4(w->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS)
				usleep(10000);
			continue;
		}
		pthread_mutex_lock(&w->mu);
		int slot = -1;
		if (!w->stopping)
			for (int i = 0; i < MAX_ACTIVE && slot < 0; i++)
				if (w->fds[i] < 0)
					slot = i;
		if (slot >= 0) {
			w->fds[slot] = cfd;
			w->active++;
		}
		pthread_mutex_unlock(&w->mu);
		if (slot < 0) {
			close(cfd);
			continue;
		}
		struct conn *cn = qr_malloc(sizeof(*cn));
		cn->w = w;
		cn->slot = slot;
		pthread_t t;
		pthread_attr_t a;
		pthread_attr_init(&a);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&a, 256 * 1024);
		int rc = pthread_create(&t, &a, serve_one, cn);
		pthread_attr_destroy(&a);
		if (rc != 0) {
			free(cn);
			pthread_mutex_lock(&w->mu);
			w->fds[slot] = -1;
			w->active--;
			pthread_mutex_unlock(&w->mu);
			close(cfd);
		}
	}
	return NULL;
}

/* Keep spare processes waiting, started while no client waits for them. */
static void *fill_loop(void *arg)
{
	sv_warm *w = arg;
	qr_buf err = QR_BUF_INIT;
	pthread_mutex_lock(&w->mu);
	while (!w->stopping) {
		if (w->n_idle + w->starting >= w->spare) {
			pthread_cond_wait(&w->changed, &w->mu);
			continue;
		}
		w->starting++;
		pthread_mutex_unlock(&w->mu);
		struct child *c = spawn(w, &err);
		pthread_mutex_lock(&w->mu);
		w->starting--;
		if (c && !w->stopping) {
			c->next = w->idle;
			w->idle = c;
			w->n_idle++;
			w->spawn_failing = false;
			c = NULL;
		} else if (!c) {
			report(w, &err);
			/* Try again in a second, not in a loop. */
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&w->changed, &w->mu, &ts);
		}
		if (c) {
			pthread_mutex_unlock(&w->mu);
			end_child(c);
			pthread_mutex_lock(&w->mu);
		}
	}
	pthread_mutex_unlock(&w->mu);
	qr_buf_release(&err);
	return NULL;
}

int sv_warm_start(const char *index, int listen_fd, unsigned idle_seconds, unsigned spare, sv_warm **out,
		  qr_buf *err)
{
	sv_warm *w = qr_calloc(1, sizeof(*w));
	*out = NULL;
	w->index = qr_strdup(index);
	w->listen_fd = listen_fd;
	w->idle_ms = idle_seconds > 86400 ? 86400 * 1000 : (int)idle_seconds * 1000;
	w->spare = spare ? spare : 1;
	w->wake[0] = w->wake[1] = -1;
	for (int i = 0; i < MAX_ACTIVE; i++)
		w->fds[i] = -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->changed, NULL);
	struct child *c = spawn(w, err);
	if (!c || pipe2(w->wake, O_CLOEXEC) < 0) {
		if (c)
			qr_buf_setf(err, "cannot make a pipe: %s", strerror(errno));
		end_child(c);
		w->listen_fd = -1;
		sv_warm_stop(w);
		return QR_INTERNAL;
	}
	c->next = NULL;
	w->idle = c;
	w->n_idle = 1;
	w->acceptor_up = pthread_create(&w->acceptor, NULL, accept_loop, w) == 0;
	w->filler_up = pthread_create(&w->filler, NULL, fill_loop, w) == 0;
	if (!w->acceptor_up) {
		qr_buf_setf(err, "cannot start a thread");
		w->listen_fd = -1;
		sv_warm_stop(w);
		return QR_INTERNAL;
	}
	*out = w;
	return 0;
}

void sv_warm_stop(sv_warm *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->mu);
	if (w->wake[1] >= 0 && write(w->wake[1], "x", 1) < 0)
		perror("quire serve-shard: waking the Xapian pool");
	if (w->acceptor_up)
		pthread_join(w->acceptor, NULL);
	if (w->filler_up)
		pthread_join(w->filler, NULL);
	/* End every connection, and wait (3 seconds at most) for their
	 * threads, which end their processes. */
	pthread_mutex_lock(&w->mu);
	for (int i = 0; i < MAX_ACTIVE; i++)
		if (w->fds[i] >= 0)
			shutdown(w->fds[i], SHUT_RDWR);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 3;
	while (w->active && pthread_cond_timedwait(&w->changed, &w->mu, &ts) == 0)
		;
	bool busy = w->active != 0;
	struct child *c = w->idle;
	w->idle = NULL;
	w->n_idle = 0;
	pthread_mutex_unlock(&w->mu);
	while (c) {
		struct child *next = c->next;
		end_child(c);
		c = next;
	}
	if (w->listen_fd >= 0)
		close(w->listen_fd);
	if (busy)
		return; /* a thread still holds w: the process is ending anyway */
	if (w->wake[0] >= 0)
		close(w->wake[0]);
	if (w->wake[1] >= 0)
		close(w->wake[1]);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->mu);
	free(w->index);
	free(w);
}
