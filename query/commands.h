/* The query-side subcommands, called from quire.c's command table. */
#ifndef QR_QUERY_COMMANDS_H
#define QR_QUERY_COMMANDS_H

int cmd_search(int argc, char **argv);
int cmd_count(int argc, char **argv);
int cmd_cite(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_facets(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_media(int argc, char **argv);
int cmd_export(int argc, char **argv);

#endif
