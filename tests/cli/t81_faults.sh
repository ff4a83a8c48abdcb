# Reliability: a fault at every write, fsync, rename, open and commit of the
# commit path, see tests/reliability/faults.sh (FULL=1 in make reliability).
exec sh tests/reliability/faults.sh
