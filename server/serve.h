/* The server's subcommand, called from quire.c's command table. */
#ifndef SV_SERVE_H
#define SV_SERVE_H

int cmd_serve(int argc, char **argv);
/* quire serve-shard (serve_shard.c). */
int cmd_serve_shard(int argc, char **argv);

#endif
