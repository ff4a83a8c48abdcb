/* The server's subcommand, called from quire.c's command table. */
#ifndef SV_SERVE_H
#define SV_SERVE_H

int cmd_serve(int argc, char **argv);

#endif
