# Reliability: a second writer is refused (exit 4), four readers search
# while an ingest runs, see tests/reliability/locking.sh: with one index
# writer (commits as it goes) and with a bulk load's two.
POSTS=${POSTS:-6000} BATCH=${BATCH:-200} THREADS=1 sh tests/reliability/locking.sh
POSTS=${POSTS:-6000} BATCH=${BATCH:-200} sh tests/reliability/locking.sh
