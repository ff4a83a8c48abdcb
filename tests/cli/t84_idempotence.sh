# Reliability: the same inputs three times, an overlapping input and a
# forced re-read change nothing but the source log.
exec sh tests/reliability/idempotence.sh
