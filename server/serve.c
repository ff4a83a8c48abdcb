/* quire serve: the page and the JSON API over a corpus, on HTTP. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "cmdutil.h"
#include "hash.h"
#include "http.h"
#include "json.h"
#include "pool.h"
#include "printer.h"
#include "server.h"
#include "serve.h"
#include "status.h"

/* A token shorter than this is refused: it guards the whole corpus. */
#define MIN_TOKEN 16

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the corpus (default: $QUIRE_CORPUS, else ./quire-corpus)" },
	{ "listen", 'l', "HOST:PORT", "the address to serve on (default 127.0.0.1:8080; port 0 picks a free one)" },
	{ "token", 0, "TOKEN", "require this token of every request (default: $QUIRE_TOKEN); needed off loopback" },
	{ "allow-tagging", 0, NULL, "let the page and the API add and remove codes (the corpus is written then)" },
	{ "workers", 'w', "N", "threads answering searches, each with its own handle on the corpus (default 4)" },
	{ "heavy-workers", 0, "N", "threads, at a lower priority, for facets, timelines and long lists (default 2)" },
	{ "max-connections", 0, "N", "connections at once (default 64)" },
	{ "max-downloads", 0, "N", "long result lists streamed at once (default 2)" },
	{ "deadline", 0, "SECONDS", "the longest a request may take before it is answered 503 (default 30)" },
	{ "facet-limit", 0, "N", "the page counts facets of at most N posts unless asked (default 20000; 0: always)" },
	{ "quiet", 'q', NULL, "no line per request on stderr" },
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"serve",
	"[OPTIONS]",
	"Serve a corpus on HTTP: a search page for the browser and a JSON API.",
	"The page (/) takes the whole query language, narrows by clicking on facets,\n"
	"hashtags and the timeline, shows each post as a citation card with its cite menu,\n"
	"and a post's page (/post/ID) shows its original record, checked against its\n"
	"sha256.  The API (/api/search, /api/count, /api/facets, /api/timeline,\n"
	"/api/show/ID, /api/raw/ID, /api/cite/ID, /api/stats) answers what the commands\n"
	"of the same names print, byte for byte (docs/API.md).  The corpus may grow while\n"
	"it is served: an ingest beside the server shows up without a restart.\n\n"
	"It listens on loopback unless told otherwise; any other address needs --token\n"
	"(or QUIRE_TOKEN), and then every request must carry it (Authorization: Bearer\n"
	"TOKEN, or the cookie the sign-in form sets).  It never writes to the corpus\n"
	"unless --allow-tagging.  SIGINT or SIGTERM stops it.\n\n"
	"Exit status: 0 stopped by a signal, 2 usage error (a bad address, no token off\n"
	"loopback), 3 damaged corpus, 5 internal error.",
	"  quire serve -c june2020                     (then open http://127.0.0.1:8080/)\n"
	"  quire serve -c june2020 --listen 127.0.0.1:0 --allow-tagging\n"
	"  QUIRE_TOKEN=$(openssl rand -hex 16) quire serve -c june2020 --listen 0.0.0.0:8080\n"
	"  curl -s 'http://127.0.0.1:8080/api/count?q=%23WhiteLivesMatter'",
	options,
};

struct opts {
	const char *corpus, *listen, *token;
	bool tagging, quiet;
	unsigned long long workers, heavy, connections, downloads, deadline, facet_limit;
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
	else if (strcmp(name, "allow-tagging") == 0)
		o->tagging = true;
	else if (strcmp(name, "quiet") == 0)
		o->quiet = true;
	else if (strcmp(name, "workers") == 0)
		return qr_cli_uint("serve", name, arg, 256, &o->workers) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "heavy-workers") == 0)
		return qr_cli_uint("serve", name, arg, 256, &o->heavy) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "max-connections") == 0)
		return qr_cli_uint("serve", name, arg, 10000, &o->connections) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "max-downloads") == 0)
		return qr_cli_uint("serve", name, arg, 256, &o->downloads) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "deadline") == 0)
		return qr_cli_uint("serve", name, arg, 3600, &o->deadline) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "facet-limit") == 0)
		return qr_cli_uint("serve", name, arg, UINT32_MAX, &o->facet_limit) ? 0 : QR_EXIT_USAGE;
	return 0;
}

/* HOST:PORT, [V6]:PORT or PORT into host and port. */
static bool split_address(const char *s, qr_buf *host, qr_buf *port)
{
	const char *colon = strrchr(s, ':');
	qr_buf_reset(host);
	qr_buf_reset(port);
	if (!colon) {
		qr_buf_adds(host, "127.0.0.1");
		qr_buf_adds(port, s);
	} else if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close + 1 != colon)
			return false;
		qr_buf_add(host, s + 1, (size_t)(close - s - 1));
		qr_buf_adds(port, colon + 1);
	} else {
		qr_buf_add(host, s, (size_t)(colon - s));
		qr_buf_adds(port, colon + 1);
	}
	if (!host->len || !port->len || strspn(port->buf, "0123456789") != port->len || port->len > 5 ||
	    atoi(port->buf) > 65535)
		return false;
	return true;
}

static bool loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(a))
			return true;
		return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
	}
	return false;
}

/* Bind and listen; the socket, or -1 with the reason given. */
static int listen_on(const char *spec, sv_config *cfg, bool *is_loopback)
{
	qr_buf host = QR_BUF_INIT, port = QR_BUF_INIT;
	struct addrinfo hints, *ai = NULL;
	int fd = -1;
	if (!split_address(spec, &host, &port)) {
		qr_usage_error("serve", "--listen takes HOST:PORT, [IPV6]:PORT or PORT, not '%s'", spec);
		goto out;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	int e = getaddrinfo(host.buf, port.buf, &hints, &ai);
	if (e) {
		qr_usage_error("serve", "cannot listen on '%s': %s", spec, gai_strerror(e));
		goto out;
	}
	*is_loopback = loopback(ai->ai_addr);
	if (!*is_loopback && !cfg->token) {
		qr_usage_error("serve",
			       "will not serve on %s without a token: anyone who reaches it could read the corpus "
			       "(give --token TOKEN or set QUIRE_TOKEN, or listen on 127.0.0.1)",
			       spec);
		goto out;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 128)) {
		qr_error("cannot listen on %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
		goto out;
	}
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	cfg->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						  : ((struct sockaddr_in6 *)&ss)->sin6_port);
	snprintf(cfg->host, sizeof(cfg->host), ai->ai_family == AF_INET6 ? "[%s]" : "%s", host.buf);
out:
	if (ai)
		freeaddrinfo(ai);
	qr_buf_release(&host);
	qr_buf_release(&port);
	return fd;
}

/* The cookie the sign-in form sets: derived from the token, not the token
 * itself. */
static void session_of(const char *token, const char *corpus_id, char out[65])
{
	qr_buf s = QR_BUF_INIT;
	uint8_t sum[QR_SHA256_LEN];
	qr_buf_addf(&s, "quire serve session\n%s\n%s", corpus_id, token);
	qr_sha256(s.buf, s.len, sum);
	qr_hex(sum, QR_SHA256_LEN, out);
	qr_buf_release(&s);
}

static void corpus_name(const char *dir, char *out, size_t size)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	size_t start = n;
	while (start && dir[start - 1] != '/')
		start--;
	snprintf(out, size, "%.*s", (int)(n - start), dir + start);
}

int cmd_serve(int argc, char **argv)
{
	struct opts o = { NULL, "127.0.0.1:8080", NULL, false, false, 4, 2, 64, 2, 30, 20000 };
	sv_config cfg;
	qr_corpus *c = NULL;
	sv_pool *pool = NULL;
	sv_http *http = NULL;
	qr_buf err = QR_BUF_INIT;
	int first, fd = -1;
	int st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	if (first < argc)
		return qr_usage_error("serve", "serve takes no arguments (use --corpus DIR)");
	memset(&cfg, 0, sizeof(cfg));
	if (!o.token) {
		const char *env = getenv("QUIRE_TOKEN");
		o.token = env && *env ? env : NULL;
	}
	if (o.token && strlen(o.token) < MIN_TOKEN)
		return qr_usage_error("serve", "the token is too short: use %d characters or more "
					       "(openssl rand -hex 16 makes one)", MIN_TOKEN);
	if (!o.workers || !o.heavy || !o.connections || !o.downloads || !o.deadline)
		return qr_usage_error("serve", "--workers, --heavy-workers, --max-connections, --max-downloads and "
					       "--deadline take 1 or more");
	cfg.corpus = qr_cli_corpus(o.corpus);
	cfg.token = o.token;
	cfg.tagging = o.tagging;
	cfg.quiet = o.quiet;
	cfg.workers = (unsigned)o.workers;
	cfg.heavy = (unsigned)o.heavy;
	cfg.max_connections = (unsigned)o.connections;
	cfg.max_downloads = (unsigned)o.downloads;
	cfg.deadline = (double)o.deadline;
	cfg.facet_limit = o.facet_limit ? (unsigned)o.facet_limit : UINT32_MAX;
	bool is_loopback = false;
	if ((fd = listen_on(o.listen, &cfg, &is_loopback)) < 0)
		return QR_EXIT_USAGE;
	cfg.loopback = is_loopback;
	if ((st = qr_cmd_open_corpus(o.corpus, &c)))
		goto out;
	snprintf(cfg.corpus_id, sizeof(cfg.corpus_id), "%s", qr_corpus_id(c));
	corpus_name(qr_corpus_dir(c), cfg.corpus_name, sizeof(cfg.corpus_name));
	qr_corpus_close(c);
	if (cfg.token)
		session_of(cfg.token, cfg.corpus_id, cfg.session);

	/* Before any thread: what is set up once for the whole process. */
	if (!getenv("TZ"))
		setenv("TZ", ":/etc/localtime", 1);
	qr_json_scratch_init();
	(void)qr_printer_names();
	signal(SIGPIPE, SIG_IGN);
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);

	if (sv_pool_start(cfg.corpus, cfg.workers, cfg.heavy, &pool, &err)) {
		qr_error("cannot open the corpus for the workers: %s", err.buf);
		st = QR_EXIT_DAMAGED;
		goto out;
	}
	cfg.pool = pool;
	if (sv_http_start(&cfg, fd, &http, &err)) {
		qr_error("cannot serve: %s", err.buf);
		st = QR_EXIT_INTERNAL;
		goto out;
	}
	fd = -1;
	printf("quire serve: %s at http://%s:%u/ (%s, %u+%u workers%s); stop with Ctrl-C\n", cfg.corpus_name, cfg.host,
	       cfg.port, cfg.tagging ? "coding allowed" : "read-only", cfg.workers, cfg.heavy,
	       cfg.token ? ", token required" : "");
	fflush(stdout);
	int sig = 0;
	sigwait(&stop, &sig);
	if (!cfg.quiet)
		fprintf(stderr, "quire serve: %s: stopping\n", sig == SIGINT ? "interrupted" : "terminated");
	st = 0;
out:
	sv_http_stop(http);
	sv_download_drain(cfg.deadline);
	sv_pool_stop(pool);
	if (fd >= 0)
		close(fd);
	qr_buf_release(&err);
	if (!st) {
		printf("quire serve: stopped\n");
		fflush(stdout);
	}
	return st;
}
