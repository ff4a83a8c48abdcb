#!/bin/sh
# Stands for ssh in the tests (QUIRE_SSH): "fakessh.sh [USER@]HOST CMD ARGS..."
# runs CMD ARGS here, as ssh would run them on HOST.  For tests only.
shift
exec "$@"
