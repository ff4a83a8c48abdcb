/*
 * A load generator for quire serve on loopback (bench/serve.sh): C clients,
 * one keep-alive connection each, asking for one path again and again
 * until D seconds have passed or N requests were answered in all.  It
 * counts answers by status and reports the latency of the good ones
 * (2xx) apart from the refusals (503 busy), which a server under overload
 * answers fast and would otherwise flatter the percentiles.  A client told
 * to retry later (503 with Retry-After) waits that long, at most a second,
 * as a polite client would, rather than hammering the server.
 *
 *   loadgen -c CLIENTS -d SECONDS [-n MAX] http://127.0.0.1:PORT/PATH
 *
 * Prints: "ok N busy N other N seconds S ok_per_s R p50_ms P p99_ms P".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 2000000

static char host[256], request[4096];
static int port;
static double seconds = 10;
static long max_requests = 0;
static atomic_long answered;
static struct timespec start;

struct client {
	pthread_t t;
	double *lat;                  /* ms, of the 2xx answers */
	size_t n, cap;
	long ok, busy, other;
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - start.tv_sec) * 1e3 + (double)(t.tv_nsec - start.tv_nsec) / 1e6;
}

static int connect_to(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { 0 };
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, host, &a.sin_addr);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct timeval tv = { 60, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A buffered reader over the socket. */
struct rd {
	int fd;
	char buf[65536];
	size_t at, len;
};

static int rd_byte(struct rd *r)
{
	if (r->at == r->len) {
		ssize_t n = read(r->fd, r->buf, sizeof(r->buf));
		if (n <= 0)
			return -1;
		r->at = 0;
		r->len = (size_t)n;
	}
	return (unsigned char)r->buf[r->at++];
}

static int rd_line(struct rd *r, char *line, size_t size)
{
	size_t n = 0;
	int c;
	while ((c = rd_byte(r)) >= 0 && c != '\n')
		if (n + 1 < size)
			line[n++] = (char)c;
	if (c < 0)
		return -1;
	if (n && line[n - 1] == '\r')
		n--;
	line[n] = 0;
	return (int)n;
}

static int rd_skip(struct rd *r, long n)
{
	while (n-- > 0)
		if (rd_byte(r) < 0)
			return -1;
	return 0;
}

/* One answer: its status, whether the connection stays open, and the
 * seconds Retry-After asks for. */
static int answer(struct rd *r, int *status, int *keep, int *retry)
{
	char line[8192];
	long length = -1;
	int chunked = 0;
	*keep = 1;
	*retry = 0;
	if (rd_line(r, line, sizeof(line)) < 0 || sscanf(line, "HTTP/1.%*d %d", status) != 1)
		return -1;
	while (rd_line(r, line, sizeof(line)) > 0) {
		if (strncasecmp(line, "content-length:", 15) == 0)
			length = atol(line + 15);
		else if (strncasecmp(line, "transfer-encoding:", 18) == 0 && strstr(line, "chunked"))
			chunked = 1;
		else if (strncasecmp(line, "connection:", 11) == 0 && strstr(line, "close"))
			*keep = 0;
		else if (strncasecmp(line, "retry-after:", 12) == 0)
			*retry = atoi(line + 12);
	}
	if (chunked) {
		for (;;) {
			if (rd_line(r, line, sizeof(line)) < 0)
				return -1;
			long n = strtol(line, NULL, 16);
			if (n == 0)
				return rd_line(r, line, sizeof(line)) < 0 ? -1 : 0;
			if (rd_skip(r, n) || rd_line(r, line, sizeof(line)) < 0)
				return -1;
		}
	}
	if (length < 0) {
		*keep = 0;
		while (rd_byte(r) >= 0)
			;
		return 0;
	}
	return rd_skip(r, length);
}

static void *run(void *arg)
{
	struct client *c = arg;
	struct rd *r = calloc(1, sizeof(*r));
	r->fd = -1;
	size_t len = strlen(request);
	while (now_ms() < seconds * 1e3) {
		if (max_requests && atomic_fetch_add(&answered, 1) >= max_requests)
			break;
		if (r->fd < 0 && (r->fd = connect_to()) < 0) {
			c->other++;
			usleep(10000);
			continue;
		}
		r->at = r->len = 0;
		double t0 = now_ms();
		int status = 0, keep = 0, retry = 0;
		if (write(r->fd, request, len) != (ssize_t)len || answer(r, &status, &keep, &retry) != 0) {
			c->other++;
			close(r->fd);
			r->fd = -1;
			continue;
		}
		double ms = now_ms() - t0;
		if (status >= 200 && status < 300) {
			c->ok++;
			if (c->n < c->cap)
				c->lat[c->n++] = ms;
		} else if (status == 503) {
			c->busy++;
			if (retry > 0)
				usleep(1000000);
		} else {
			c->other++;
		}
		if (!keep) {
			close(r->fd);
			r->fd = -1;
		}
	}
	if (r->fd >= 0)
		close(r->fd);
	free(r);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int clients = 1, opt;
	while ((opt = getopt(argc, argv, "c:d:n:")) != -1) {
		if (opt == 'c')
			clients = atoi(optarg);
		else if (opt == 'd')
			seconds = atof(optarg);
		else if (opt == 'n')
			max_requests = atol(optarg);
		else
			return 2;
	}
	char path[2048];
	if (optind + 1 != argc || clients < 1 || clients > 1024 || seconds <= 0 || seconds > 3600 ||
	    sscanf(argv[optind], "http://%255[0-9.]:%d%2047s", host, &port, path) != 3) {
		fprintf(stderr, "usage: loadgen -c CLIENTS -d SECONDS [-n MAX] http://127.0.0.1:PORT/PATH\n");
		return 2;
	}
	snprintf(request, sizeof(request), "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: quire-loadgen\r\n\r\n", path,
		 host, port);
	struct client *c = calloc((size_t)clients, sizeof(*c));
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int i = 0; i < clients; i++) {
		c[i].cap = MAX_SAMPLES / (size_t)clients;
		c[i].lat = malloc(c[i].cap * sizeof(double));
		pthread_create(&c[i].t, NULL, run, &c[i]);
	}
	long ok = 0, busy = 0, other = 0;
	size_t n = 0;
	for (int i = 0; i < clients; i++) {
		pthread_join(c[i].t, NULL);
		ok += c[i].ok;
		busy += c[i].busy;
		other += c[i].other;
		n += c[i].n;
	}
	double elapsed = now_ms() / 1e3;
	double *all = malloc((n ? n : 1) * sizeof(double));
	size_t k = 0;
	for (int i = 0; i < clients; i++) {
		memcpy(all + k, c[i].lat, c[i].n * sizeof(double));
		k += c[i].n;
		free(c[i].lat);
	}
	qsort(all, n, sizeof(double), cmp);
	double p50 = n ? all[(n - 1) / 2] : 0, p99 = n ? all[(size_t)((double)(n - 1) * 0.99)] : 0;
	printf("ok %ld busy %ld other %ld seconds %.1f ok_per_s %.1f p50_ms %.1f p99_ms %.1f\n", ok, busy, other, elapsed,
	       (double)ok / elapsed, p50, p99);
	free(all);
	free(c);
	return 0;
}
