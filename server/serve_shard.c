/*
 * quire serve-shard: what a federation (lib/federation.h) needs of one
 * shard.  Its index goes through Xapian's own remote server on a port of
 * its own, read-only: xapian-progsrv processes kept open and handed one per
 * connection (warm.h), or, with --index-server tcpsrv, xapian-tcpsrv
 * (Debian's xapian-tools), which forks one per connection.  Its store, its
 * identity and its writes go through this quire endpoint (HTTP on
 * libmicrohttpd), whose address is all a federation is told: /info names
 * the Xapian port.  `--stdio` answers the same requests
 * on standard input and output, for ssh (the index then goes through
 * xapian-progsrv, which the federation runs through ssh itself).
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "corpus.h"
#include "listen.h"
#include "serve.h"
#include "shard_answer.h"
#include "status.h"
#include "warm.h"
#include "xapian-c.h"

#define MIN_TOKEN 16
/* The largest request body (a tag request lists post ids). */
#define MAX_BODY ((size_t)256 << 20)
#define IDLE_SECONDS 60

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the shard (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "listen", 'l', "HOST:PORT", "the quire endpoint (default 127.0.0.1:8750; port 0 picks a free one)" },
	{ "xapian-port", 0, "PORT", "the port of the Xapian server, on the same host (default: a free one, named by /info)" },
	{ "token", 0, "TOKEN", "require this token of every request to the quire endpoint (default: $QUIRE_TOKEN); needed off loopback" },
	{ "allow-writes", 0, NULL, "let federations tag posts and apply event catalogues (the shard's journal is written)" },
	{ "timeout", 0, "SECONDS", "how long the Xapian server waits for a client (default 60)" },
	{ "index-server", 0, "pool|tcpsrv",
	  "pool: xapian-progsrv processes kept open, one handed to each connection (default); tcpsrv: xapian-tcpsrv, "
	  "which forks and opens the index for each" },
	{ "spare", 0, "N", "with pool, how many processes wait for connections (default 2)" },
	{ "stdio", 0, NULL, "answer on standard input and output instead (what ssh:// locations run)" },
	{ "quiet", 'q', NULL, "no line per request on stderr" },
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"serve-shard",
	"[OPTIONS]",
	"Serve a shard to federations: its index through Xapian's remote server, its store through quire.",
	"Serves the shard's index (read-only) through Xapian's remote protocol on a port\n"
	"of its own: xapian-progsrv processes that have opened the index before a client\n"
	"comes, each handed to one connection at a time and kept for the next (or, with\n"
	"--index-server tcpsrv, xapian-tcpsrv).  It answers, at --listen,\n"
	"what a federation asks besides the index: what the shard is (/info: corpus id,\n"
	"index version, rule and place, the Xapian port), records and media files from its\n"
	"store (/record, /media), and, with --allow-writes, codes and event catalogues\n"
	"(/tag, /events), written through the shard's own journal.  'quire shards add\n"
	"FED tcp://HOST:PORT' is then all a federation needs to know.\n\n"
	"Security: Xapian's remote protocol has no authentication and no encryption:\n"
	"anyone who reaches the Xapian port reads the whole index.  Serve shards this way\n"
	"only on a network you trust; elsewhere use ssh://USER@HOST/PATH locations, which\n"
	"run xapian-progsrv and 'quire serve-shard --stdio' through ssh with no open port.\n"
	"The quire endpoint listens on loopback unless given a token (as quire serve).\n"
	"SIGINT or SIGTERM stops it and its Xapian server.\n\n"
	"Exit status: 0 stopped by a signal (or the end of standard input), 2 usage error,\n"
	"3 damaged corpus, 5 the Xapian server could not start.",
	"  quire serve-shard -c shard2 --listen 127.0.0.1:8750\n"
	"  QUIRE_TOKEN=$(openssl rand -hex 16) quire serve-shard -c shard2 --listen 10.0.0.2:8750 --allow-writes\n"
	"  quire shards add -c all2020 tcp://10.0.0.2:8750",
	options,
};

struct opts {
	const char *corpus, *listen, *token;
	unsigned long long xapian_port, timeout, spare;
	bool writes, stdio, quiet, tcpsrv;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *o = ctx;
	if (strcmp(name, "corpus") == 0)
		o->corpus = arg;
	else if (strcmp(name, "listen") == 0)
		o->listen = arg;
	else if (strcmp(name, "token") == 0)
		o->token = arg;
	else if (strcmp(name, "allow-writes") == 0)
		o->writes = true;
	else if (strcmp(name, "stdio") == 0)
		o->stdio = true;
	else if (strcmp(name, "quiet") == 0)
		o->quiet = true;
	else if (strcmp(name, "xapian-port") == 0)
		return qr_cli_uint("serve-shard", name, arg, 65535, &o->xapian_port) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "timeout") == 0)
		return qr_cli_uint("serve-shard", name, arg, 86400, &o->timeout) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "spare") == 0)
		return qr_cli_uint("serve-shard", name, arg, 64, &o->spare) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "index-server") == 0) {
		if (strcmp(arg, "pool") != 0 && strcmp(arg, "tcpsrv") != 0)
			return qr_usage_error("serve-shard", "--index-server takes pool or tcpsrv, not '%s'", arg);
		o->tcpsrv = strcmp(arg, "tcpsrv") == 0;
	}
	return 0;
}

/* ---- the Xapian server ---- */

/* A free port on host (the kernel's pick); 0 when none. */
static unsigned free_port(const char *host)
{
	char spec[300], h[256];
	unsigned port = 0;
	bool lb;
	snprintf(spec, sizeof(spec), "%s:0", host);
	int fd = sv_listen("serve-shard", spec, true, h, sizeof(h), &port, &lb);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? port : 0;
}

/* Does Xapian's server answer at host:port?  (A whole handshake: a bare
 * connection closed at once makes the server print a broken pipe.) */
static bool port_answers(const char *host, unsigned port)
{
	xc_db *db = NULL;
	char *msg = NULL;
	bool ok = xc_db_open_remote_tcp(host, port, 2000, 200, &db, &msg) == XC_OK;
	free(msg);
	xc_db_destroy(db);
	return ok;
}

static pid_t tcpsrv = -1, watchdog = -1;
static volatile pid_t doomed;

static void end_group(int sig)
{
	(void)sig;
	kill(-doomed, SIGKILL);
	_exit(0);
}

/*
 * xapian-tcpsrv forks a process per connection, and those outlive it. A
 * watchdog, told of this process's death however it dies (SIGKILL too),
 * ends the whole group, so that a federation never goes on reading an
 * index whose shard is gone.
 */
static void start_watchdog(pid_t group)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid != 0) {
		watchdog = pid;
		return;
	}
	doomed = group;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = end_group;
	sigaction(SIGTERM, &sa, NULL);
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	pthread_sigmask(SIG_UNBLOCK, &term, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		end_group(0);
	for (;;)
		pause();
}

static void stop_tcpsrv(void)
{
	if (watchdog > 0) {
		kill(watchdog, SIGKILL);
		waitpid(watchdog, NULL, 0);
		watchdog = -1;
	}
	if (tcpsrv <= 0)
		return;
	/* Its own process group: the children it forks per connection go
	 * with it. */
	kill(-tcpsrv, SIGTERM);
	int status;
	for (int i = 0; i < 100 && waitpid(tcpsrv, &status, WNOHANG) == 0; i++)
		usleep(20000);
	if (waitpid(tcpsrv, &status, WNOHANG) == 0) {
		kill(-tcpsrv, SIGKILL);
		waitpid(tcpsrv, &status, 0);
	}
	tcpsrv = -1;
}

/*
 * Start xapian-tcpsrv on host:port for the corpus's index and wait until
 * it accepts (5 seconds at most).  It dies with this process (a parent
 * killed with SIGKILL included), so that a federation never finds an
 * index served without its store.
 */
static int start_tcpsrv(const char *corpus, const char *host, unsigned port, unsigned timeout_ms, qr_buf *err)
{
	char portbuf[16], tbuf[24], iface[256];
	qr_buf index = QR_BUF_INIT;
	snprintf(portbuf, sizeof(portbuf), "%u", port);
	snprintf(tbuf, sizeof(tbuf), "%u", timeout_ms);
	/* xapian-tcpsrv takes an address without IPv6's brackets. */
	size_t hl = strlen(host);
	if (host[0] == '[' && hl > 2)
		snprintf(iface, sizeof(iface), "%.*s", (int)(hl - 2), host + 1);
	else
		snprintf(iface, sizeof(iface), "%s", host);
	qr_buf_setf(&index, "%s/index", corpus);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		qr_buf_setf(err, "cannot start xapian-tcpsrv: %s", strerror(errno));
		qr_buf_release(&index);
		return QR_INTERNAL;
	}
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		execlp("xapian-tcpsrv", "xapian-tcpsrv", "--port", portbuf, "--interface", iface, "--timeout", tbuf,
		       "--quiet", index.buf, (char *)NULL);
		fprintf(stderr, "quire: cannot run xapian-tcpsrv: %s (install xapian-tools)\n", strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	tcpsrv = pid;
	start_watchdog(pid);
	qr_buf_release(&index);
	for (int i = 0; i < 250; i++) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			tcpsrv = -1;
			qr_buf_setf(err, "xapian-tcpsrv stopped at once (exit %d): is port %u taken?",
				    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), port);
			return QR_INTERNAL;
		}
		if (port_answers(iface, port))
			return 0;
		usleep(20000);
	}
	stop_tcpsrv();
	qr_buf_setf(err, "xapian-tcpsrv did not answer on port %u within 5 seconds", port);
	return QR_INTERNAL;
}

/* ---- HTTP ---- */

struct server {
	sv_shard *shard;
	const char *token;
	bool quiet;
};

struct req {
	qr_buf body;
	bool too_big;
};

static void log_line(const struct server *s, const char *method, const char *url, int status)
{
	if (!s->quiet)
		fprintf(stderr, "quire serve-shard: %s %s %d\n", method, url, status);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct req *r = *con_cls;
	(void)version;
	if (!r) {
		r = qr_calloc(1, sizeof(*r));
		qr_buf_init(&r->body);
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		if (r->body.len + *upload_size > MAX_BODY)
			r->too_big = true;
		else
			qr_buf_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	sv_shard_reply rep;
	sv_shard_reply_init(&rep);
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (s->token && !(auth && strncmp(auth, "Bearer ", 7) == 0 && sv_same_secret(auth + 7, s->token))) {
		rep.status = 401;
		qr_buf_adds(&rep.body, "this shard needs its token (Authorization: Bearer TOKEN)\n");
	} else if (r->too_big) {
		rep.status = 413;
		qr_buf_adds(&rep.body, "the request is too large\n");
	} else {
		const char *at = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "at");
		sv_shard_answer(s->shard, method, url, at, r->body.buf, r->body.len, &rep);
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer(rep.body.len, rep.body.buf, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok = MHD_NO;
	if (resp) {
		MHD_add_response_header(resp, "Content-Type", rep.type);
		MHD_add_response_header(resp, "Cache-Control", "no-store");
		ok = MHD_queue_response(conn, (unsigned)rep.status, resp);
		MHD_destroy_response(resp);
	}
	log_line(s, method, url, rep.status);
	sv_shard_reply_release(&rep);
	return ok;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode why)
{
	(void)cls, (void)conn, (void)why;
	struct req *r = *con_cls;
	if (r) {
		qr_buf_release(&r->body);
		free(r);
	}
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	const struct server *s = cls;
	if (s->quiet)
		return;
	fputs("quire serve-shard: ", stderr);
	vfprintf(stderr, fmt, ap);
}

int cmd_serve_shard(int argc, char **argv)
{
	struct opts o = { NULL, "127.0.0.1:8750", NULL, 0, 60, 2, false, false, false, false };
	sv_warm *pool = NULL;
	int xfd = -1;
	qr_buf err = QR_BUF_INIT;
	sv_shard *shard = NULL;
	struct MHD_Daemon *d = NULL;
	int first, fd = -1;
	int st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	if (first < argc)
		return qr_usage_error("serve-shard", "serve-shard takes no arguments (use --corpus DIR)");
	if (!o.token && !o.stdio) {
		const char *env = getenv("QUIRE_TOKEN");
		o.token = env && *env ? env : NULL;
	}
	if (o.token && strlen(o.token) < MIN_TOKEN)
		return qr_usage_error("serve-shard", "the token is too short: use %d characters or more "
						     "(openssl rand -hex 16 makes one)",
				      MIN_TOKEN);
	if (!o.timeout)
		return qr_usage_error("serve-shard", "--timeout takes 1 or more");
	const char *dir = qr_cli_corpus(o.corpus);
	signal(SIGPIPE, SIG_IGN);
	if (o.stdio) {
		/* ssh runs this: the user who can log in may write anyway. */
		if ((st = sv_shard_open(dir, true, 0, &shard, &err))) {
			qr_error("%s", err.buf);
			st = st == QR_USAGE ? QR_EXIT_USAGE : qr_status_exit_code(st);
			goto out;
		}
		/* Standard output carries the answers alone: whatever else is
		 * printed goes to standard error. */
		int proto = dup(STDOUT_FILENO);
		FILE *out = proto >= 0 ? fdopen(proto, "w") : NULL;
		if (!out || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
			qr_error("cannot set up standard output: %s", strerror(errno));
			st = QR_EXIT_INTERNAL;
			goto out;
		}
		st = sv_shard_stdio(shard, stdin, out);
		fclose(out);
		goto out;
	}
	char host[256];
	unsigned port = 0;
	bool lb = false;
	if ((fd = sv_listen("serve-shard", o.listen, o.token != NULL, host, sizeof(host), &port, &lb)) < 0)
		return QR_EXIT_USAGE;
	unsigned xport = (unsigned)o.xapian_port;
	if (!o.tcpsrv) {
		/* The pool listens itself: port 0 is the kernel's pick, and
		 * no other program can take it in between. */
		char spec[300], xhost[256];
		bool xlb;
		snprintf(spec, sizeof(spec), "%s:%u", host, xport);
		if ((xfd = sv_listen("serve-shard", spec, o.token != NULL, xhost, sizeof(xhost), &xport, &xlb)) < 0) {
			st = QR_EXIT_INTERNAL;
			goto out;
		}
	} else if (!xport && !(xport = free_port(host))) {
		qr_error("cannot find a free port for the Xapian server on %s", host);
		st = QR_EXIT_INTERNAL;
		goto out;
	}
	if ((st = sv_shard_open(dir, o.writes, xport, &shard, &err))) {
		qr_error("%s", err.buf);
		st = st == QR_USAGE ? QR_EXIT_USAGE : qr_status_exit_code(st);
		goto out;
	}
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	if (!o.tcpsrv) {
		qr_buf index = QR_BUF_INIT;
		qr_buf_setf(&index, "%s/index", dir);
		st = sv_warm_start(index.buf, xfd, (unsigned)o.timeout, (unsigned)o.spare, &pool, &err);
		qr_buf_release(&index);
		xfd = -1;
		if (st) {
			qr_error("%s", err.buf);
			st = QR_EXIT_INTERNAL;
			goto out;
		}
	} else if ((st = start_tcpsrv(dir, host, xport, (unsigned)o.timeout * 1000, &err))) {
		qr_error("%s", err.buf);
		st = QR_EXIT_INTERNAL;
		goto out;
	}
	struct server srv = { shard, o.token, o.quiet };
	/* One thread: requests are short (a record is read in a millisecond)
	 * and the shard's handle is not shared. */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
			     handler, &srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, &srv, MHD_OPTION_LISTEN_SOCKET, fd,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_SECONDS, MHD_OPTION_CONNECTION_LIMIT, 256u,
			     MHD_OPTION_NOTIFY_COMPLETED, completed, &srv, MHD_OPTION_END);
	if (!d) {
		qr_error("cannot serve: the HTTP daemon did not start");
		st = QR_EXIT_INTERNAL;
		goto out;
	}
	fd = -1;
	printf("quire serve-shard: %s at tcp://%s:%u (Xapian on port %u%s%s); stop with Ctrl-C\n", dir, host, port,
	       xport, o.writes ? ", writes allowed" : ", read-only", o.token ? ", token required" : "");
	fflush(stdout);
	int sig = 0;
	sigwait(&stop, &sig);
	if (!o.quiet)
		fprintf(stderr, "quire serve-shard: %s: stopping\n", sig == SIGINT ? "interrupted" : "terminated");
	st = 0;
out:
	if (d)
		MHD_stop_daemon(d);
	sv_warm_stop(pool);
	stop_tcpsrv();
	if (xfd >= 0)
		close(xfd);
	if (fd >= 0)
		close(fd);
	sv_shard_close(shard);
	qr_buf_release(&err);
	return st;
}
