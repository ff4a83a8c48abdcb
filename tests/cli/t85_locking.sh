# Reliability: a second writer is refused (exit 4), four readers search
# while an ingest runs, see tests/reliability/locking.sh.
POSTS=${POSTS:-6000} BATCH=${BATCH:-200} exec sh tests/reliability/locking.sh
