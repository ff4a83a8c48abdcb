#include "shardnet.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "status.h"

/* Headers larger than this are no answer of serve-shard. */
#define MAX_HEAD 16384

struct qr_shardnet {
	/* tcp */
	char *host, *token;
	unsigned port;
	/* prog */
	char **argv;
	pid_t pid;
	int in, out;             /* the connection: read from in, write to out */
	unsigned timeout_ms;
	qr_buf rbuf;             /* read but not yet used */
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

qr_shardnet *qr_shardnet_tcp(const char *host, unsigned port, const char *token, unsigned timeout_ms)
{
	qr_shardnet *n = qr_calloc(1, sizeof(*n));
	n->host = qr_strdup(host);
	n->port = port;
	n->token = token ? qr_strdup(token) : NULL;
	n->timeout_ms = timeout_ms;
	n->in = n->out = -1;
	qr_buf_init(&n->rbuf);
	return n;
}

qr_shardnet *qr_shardnet_prog(char *const *argv, unsigned timeout_ms)
{
	qr_shardnet *n = qr_calloc(1, sizeof(*n));
	size_t argc = 0;
	while (argv[argc])
		argc++;
	n->argv = qr_calloc(argc + 1, sizeof(*n->argv));
	for (size_t i = 0; i < argc; i++)
		n->argv[i] = qr_strdup(argv[i]);
	n->timeout_ms = timeout_ms;
	n->in = n->out = -1;
	qr_buf_init(&n->rbuf);
	return n;
}

static void disconnect(qr_shardnet *n)
{
	if (n->in >= 0)
		close(n->in);
	if (n->out >= 0 && n->out != n->in)
		close(n->out);
	n->in = n->out = -1;
	qr_buf_reset(&n->rbuf);
	if (n->pid > 0) {
		/* Its input closed, the server ends by itself; a bounded wait,
		 * then it is made to. */
		int status;
		for (int i = 0; i < 100 && waitpid(n->pid, &status, WNOHANG) == 0; i++) {
			if (i == 20)
				kill(n->pid, SIGTERM);
			usleep(10000);
		}
		if (waitpid(n->pid, &status, WNOHANG) == 0) {
			kill(n->pid, SIGKILL);
			waitpid(n->pid, &status, 0);
		}
		n->pid = 0;
	}
}

void qr_shardnet_close(qr_shardnet *n)
{
	if (!n)
		return;
	disconnect(n);
	free(n->host);
	free(n->token);
	for (size_t i = 0; n->argv && n->argv[i]; i++)
		free(n->argv[i]);
	free(n->argv);
	qr_buf_release(&n->rbuf);
	free(n);
}

/* Wait until fd can be read (events POLLIN) or written; false on timeout. */
static bool wait_fd(int fd, short events, double deadline, qr_buf *err)
{
	for (;;) {
		double left = deadline - now_ms();
		if (left <= 0) {
			qr_buf_setf(err, "timed out");
			return false;
		}
		struct pollfd p = { fd, events, 0 };
		int r = poll(&p, 1, (int)left + 1);
		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR) {
			qr_buf_setf(err, "%s", strerror(errno));
			return false;
		}
	}
}

/* One address of the host's, within the deadline: 0 and the socket. */
static int connect_one(const struct addrinfo *ai, double deadline, int *out, qr_buf *err)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		qr_buf_setf(err, "cannot connect: %s", strerror(errno));
		return QR_IO;
	}
	int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
	if (r < 0 && errno == EINPROGRESS) {
		int so = 0;
		socklen_t len = sizeof(so);
		if (!wait_fd(fd, POLLOUT, deadline, err)) {
			close(fd);
			return QR_IO;
		}
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len);
		r = so ? -1 : 0;
		errno = so;
	}
	if (r < 0) {
		qr_buf_setf(err, "cannot connect: %s", strerror(errno));
		close(fd);
		return QR_IO;
	}
	*out = fd;
	return 0;
}

/* Each address the host name gives, in turn ("localhost" may be ::1 and
 * 127.0.0.1, and the server listen on one). */
static int connect_tcp(qr_shardnet *n, double deadline, qr_buf *err)
{
	struct addrinfo hints, *ai = NULL;
	char port[16];
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", n->port);
	int e = getaddrinfo(n->host, port, &hints, &ai);
	if (e) {
		qr_buf_setf(err, "cannot resolve '%s': %s", n->host, gai_strerror(e));
		return QR_IO;
	}
	int st = QR_IO, fd = -1;
	for (const struct addrinfo *a = ai; a && st; a = a->ai_next) {
		if ((st = connect_one(a, deadline, &fd, err)) && now_ms() >= deadline) {
			qr_buf_setf(err, "cannot connect: no answer within %.1f s", n->timeout_ms / 1000.0);
			break;
		}
	}
	freeaddrinfo(ai);
	if (!st)
		n->in = n->out = fd;
	return st;
}

static int spawn(qr_shardnet *n, qr_buf *err)
{
	int to[2], from[2];
	if (pipe2(to, O_CLOEXEC) < 0)
		goto fail;
	if (pipe2(from, O_CLOEXEC) < 0) {
		close(to[0]);
		close(to[1]);
		goto fail;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(to[0]), close(to[1]), close(from[0]), close(from[1]);
		goto fail;
	}
	if (pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		execvp(n->argv[0], n->argv);
		fprintf(stderr, "quire: cannot run '%s': %s\n", n->argv[0], strerror(errno));
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	n->pid = pid;
	n->out = to[1];
	n->in = from[0];
	fcntl(n->in, F_SETFL, fcntl(n->in, F_GETFL) | O_NONBLOCK);
	fcntl(n->out, F_SETFL, fcntl(n->out, F_GETFL) | O_NONBLOCK);
	return 0;
fail:
	qr_buf_setf(err, "cannot run '%s': %s", n->argv[0], strerror(errno));
	return QR_IO;
}

/* Write it all, with SIGPIPE held back (a pipe whose reader died is an
 * error here, not the end of the process). */
static int send_all(qr_shardnet *n, const char *data, size_t len, double deadline, qr_buf *err)
{
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	int st = 0;
	while (len && !st) {
		ssize_t w = write(n->out, data, len);
		if (w > 0) {
			data += w;
			len -= (size_t)w;
		} else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (!wait_fd(n->out, POLLOUT, deadline, err)) {
				qr_buf_setf(err, "no answer within %.1f s", n->timeout_ms / 1000.0);
				st = QR_IO;
			}
		} else {
			qr_buf_setf(err, "the connection was closed (%s)", strerror(errno));
			st = QR_IO;
		}
	}
	struct timespec zero = { 0, 0 };
	sigset_t pending;
	sigpending(&pending);
	if (sigismember(&pending, SIGPIPE))
		sigtimedwait(&pipe_set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return st;
}

/* Read more into rbuf; 0 bytes is the end of the connection. */
static int fill(qr_shardnet *n, double deadline, qr_buf *err)
{
	char chunk[65536];
	for (;;) {
		ssize_t r = read(n->in, chunk, sizeof(chunk));
		if (r > 0) {
			qr_buf_add(&n->rbuf, chunk, (size_t)r);
			return 0;
		}
		if (r == 0) {
			qr_buf_setf(err, "the connection was closed before an answer");
			return QR_IO;
		}
		if (errno != EAGAIN && errno != EINTR) {
			qr_buf_setf(err, "cannot read: %s", strerror(errno));
			return QR_IO;
		}
		if (!wait_fd(n->in, POLLIN, deadline, err)) {
			qr_buf_setf(err, "no answer within %.1f s", n->timeout_ms / 1000.0);
			return QR_IO;
		}
	}
}

/* A header's value in the head (lines after the status line), or NULL. */
static const char *header(const char *head, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	for (const char *p = strstr(head, "\r\n"); p; p = strstr(p, "\r\n")) {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			const char *e = strstr(v, "\r\n");
			*len = e ? (size_t)(e - v) : strlen(v);
			return v;
		}
	}
	return NULL;
}

static int read_answer(qr_shardnet *n, double deadline, int *status, qr_buf *resp, bool *keep, qr_buf *err)
{
	char *end;
	int st;
	while (!(end = memmem(n->rbuf.buf, n->rbuf.len, "\r\n\r\n", 4))) {
		if (n->rbuf.len > MAX_HEAD) {
			qr_buf_setf(err, "an answer's headers are too long: not a quire shard endpoint");
			return QR_IO;
		}
		if ((st = fill(n, deadline, err)))
			return st;
	}
	size_t head_len = (size_t)(end - n->rbuf.buf) + 4;
	char *head = qr_strndup(n->rbuf.buf, head_len - 2);
	int code = 0;
	size_t vlen = 0;
	const char *v;
	unsigned long long body = 0;
	if (sscanf(head, "HTTP/1.%*d %d", &code) != 1 || code < 100 || code > 599) {
		qr_buf_setf(err, "the answer is not HTTP: not a quire shard endpoint");
		free(head);
		return QR_IO;
	}
	if ((v = header(head, "Content-Length", &vlen))) {
		body = strtoull(v, NULL, 10);
	} else if (header(head, "Transfer-Encoding", &vlen)) {
		qr_buf_setf(err, "the answer has no length: not a quire shard endpoint");
		free(head);
		return QR_IO;
	}
	*keep = !((v = header(head, "Connection", &vlen)) && vlen == 5 && strncasecmp(v, "close", 5) == 0);
	free(head);
	if (body > QR_SHARDNET_MAX_BODY) {
		qr_buf_setf(err, "an answer of %llu bytes is more than a shard sends", body);
		return QR_IO;
	}
	while (n->rbuf.len < head_len + body)
		if ((st = fill(n, deadline, err)))
			return st;
	qr_buf_reset(resp);
	qr_buf_add(resp, n->rbuf.buf + head_len, (size_t)body);
	size_t used = head_len + (size_t)body;
	memmove(n->rbuf.buf, n->rbuf.buf + used, n->rbuf.len - used);
	qr_buf_setlen(&n->rbuf, n->rbuf.len - used);
	*status = code;
	return 0;
}

int qr_shardnet_request(qr_shardnet *n, const char *method, const char *path, const char *body, size_t len,
			int *status, qr_buf *resp, qr_buf *err)
{
	qr_buf req = QR_BUF_INIT;
	int st = 0;
	qr_buf_addf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, n->host ? n->host : "stdio");
	if (n->token)
		qr_buf_addf(&req, "Authorization: Bearer %s\r\n", n->token);
	qr_buf_addf(&req, "Content-Length: %zu\r\n\r\n", body ? len : 0);
	if (body)
		qr_buf_add(&req, body, len);
	/* A kept connection the server has since closed is noticed by the
	 * first write or read: then once more on a new one. */
	for (int attempt = 0; attempt < 2; attempt++) {
		bool fresh = n->in < 0;
		double deadline = now_ms() + (n->timeout_ms ? n->timeout_ms : 3600 * 1000.0);
		bool keep = true;
		if (fresh)
			st = n->argv ? spawn(n, err) : connect_tcp(n, deadline, err);
		if (!st)
			st = send_all(n, req.buf, req.len, deadline, err);
		if (!st)
			st = read_answer(n, deadline, status, resp, &keep, err);
		if (st || !keep)
			disconnect(n);
		if (!st || fresh || n->argv)
			break;
	}
	qr_buf_release(&req);
	return st;
}

void qr_shardnet_escape(qr_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("-._~:", ch)) {
			qr_buf_addch(out, (char)ch);
		} else {
			qr_buf_addch(out, '%');
			qr_buf_addch(out, hex[ch >> 4]);
			qr_buf_addch(out, hex[ch & 15]);
		}
	}
}
