/*
 * Listening sockets for quire's servers (serve, serve-shard): an address
 * as HOST:PORT, [IPV6]:PORT or PORT (port 0: a free one), and the rule
 * they share: loopback unless a token guards every request.
 */
#ifndef SV_LISTEN_H
#define SV_LISTEN_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* HOST:PORT, [V6]:PORT or PORT into host and port; false when it is none. */
bool sv_split_address(const char *s, qr_buf *host, qr_buf *port);
/*
 * Bind and listen on spec; the socket, or -1 with the reason printed as
 * cmd's (usage errors for a bad address, and for an address off loopback
 * without have_token).  host_out gets the host as listened on ("[::1]"
 * for IPv6), *port_out the port (the one picked for port 0).
 */
int sv_listen(const char *cmd, const char *spec, bool have_token, char *host_out, size_t host_size, unsigned *port_out,
	      bool *is_loopback);

/* Compare a secret given with the one expected in time that does not
 * depend on where they differ. */
bool sv_same_secret(const char *given, const char *expected);

#endif
