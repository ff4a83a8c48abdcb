# The basics: help, formats, ingest of the v1.1 fixtures, search, show.
. tests/cli/lib.sh

check "quire help" "$QUIRE" help
check_exit 2 "an unknown command is a usage error" "$QUIRE" frobnicate
check_grep "formats lists twitter-v1" '^twitter-v1 ' "$QUIRE" formats
check_grep "help search documents the query language" 'date:2020-06-03\.\.2020-06-04' "$QUIRE" help search
