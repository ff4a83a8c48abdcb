/* The ingest-side subcommands, called from quire.c's command table. */
#ifndef QR_INDEXER_COMMANDS_H
#define QR_INDEXER_COMMANDS_H

int cmd_ingest(int argc, char **argv);
int cmd_formats(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_tag(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compact(int argc, char **argv);
int cmd_shards(int argc, char **argv);

#endif
