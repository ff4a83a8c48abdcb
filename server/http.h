/*
 * The HTTP daemon of quire serve (libmicrohttpd, a thread per connection,
 * with limits on connections, request sizes and time): authentication,
 * the routes, the security headers every answer carries, and one log line
 * per request.
 */
#ifndef SV_HTTP_H
#define SV_HTTP_H

#include "server.h"

typedef struct sv_http sv_http;

/* Serve on the listening socket fd (bound and listening already); the
 * daemon owns it from now on.  0, or an error with the message in err. */
int sv_http_start(sv_config *cfg, int fd, sv_http **out, qr_buf *err);
/* Headers every answer carries (security, type, cache), and the reply's
 * own. */
struct MHD_Response;
void sv_http_headers(struct MHD_Response *resp, const sv_reply *r);
/* Stop taking connections, finish the ones open, stop. */
void sv_http_stop(sv_http *h);

#endif
