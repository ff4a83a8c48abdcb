# Reliability: malformed records between good ones, each rejected with its
# file, member, line, byte and reason, see tests/reliability/malformed.sh.
exec sh tests/reliability/malformed.sh
