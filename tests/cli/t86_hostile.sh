# Reliability: hostile archives (tests/hostile/), each with its expected
# messages; REGEN=1 rewrites them.
exec sh tests/hostile/run.sh
