/* Listening sockets for quire's servers. */
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"

/* HOST:PORT, [V6]:PORT or PORT into host and port. */
bool sv_split_address(const char *s, qr_buf *host, qr_buf *port)
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

int sv_listen(const char *cmd, const char *spec, bool have_token, char *host_out, size_t host_size, unsigned *port_out,
	      bool *is_loopback)
{
	qr_buf host = QR_BUF_INIT, port = QR_BUF_INIT;
	struct addrinfo hints, *ai = NULL;
	int fd = -1;
	if (!sv_split_address(spec, &host, &port)) {
		qr_usage_error(cmd, "--listen takes HOST:PORT, [IPV6]:PORT or PORT, not '%s'", spec);
		goto out;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	int e = getaddrinfo(host.buf, port.buf, &hints, &ai);
	if (e) {
		qr_usage_error(cmd, "cannot listen on '%s': %s", spec, gai_strerror(e));
		goto out;
	}
	*is_loopback = loopback(ai->ai_addr);
	if (!*is_loopback && !have_token) {
		qr_usage_error(cmd,
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
	*port_out = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						  : ((struct sockaddr_in6 *)&ss)->sin6_port);
	snprintf(host_out, host_size, ai->ai_family == AF_INET6 ? "[%s]" : "%s", host.buf);
out:
	if (ai)
		freeaddrinfo(ai);
	qr_buf_release(&host);
	qr_buf_release(&port);
	return fd;
}


bool sv_same_secret(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	unsigned char diff = n != m;
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i % (m ? m : 1)]);
	return diff == 0;
}
