# Reliability: the last segment cut short at bytes of its last two blocks
# (every 40th and the frame edges here; every byte in make reliability).
STEP=${STEP:-40} exec sh tests/reliability/torn.sh
