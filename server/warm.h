/*
 * A shard's index served through Xapian's remote protocol by processes
 * kept open (quire serve-shard's default).
 *
 * xapian-tcpsrv forks a process per connection, which opens the database
 * before it greets the client: on a small shard that is most of what a
 * federation's command waits for.  Here each connection is handed a
 * xapian-progsrv process (Xapian's own server, on a socket pair) that was
 * started, and has opened the index, before the client came; its bytes are
 * passed through unchanged both ways.  When the client leaves at a point
 * where nothing is owed either way, the process is asked for its
 * statistics (which proves that it waits for a new request and owes
 * nothing) and to reopen the index, and it waits for the next client.
 * Anything else ends it.  A process is never shared by two clients at once.
 */
#ifndef SV_WARM_H
#define SV_WARM_H

#include "buf.h"

typedef struct sv_warm sv_warm;

/*
 * Serve index (a Xapian database directory) on listen_fd, which is already
 * listening and becomes the pool's.  A connection with no traffic for
 * idle_seconds is closed.  spare processes are kept waiting (at least 1).
 * One process is started at once: when it cannot open the index the
 * reason is in err and nothing is started.
 */
int sv_warm_start(const char *index, int listen_fd, unsigned idle_seconds, unsigned spare, sv_warm **out,
		  qr_buf *err);
/* Stop accepting, end every connection and process. */
void sv_warm_stop(sv_warm *w);

#endif
