# Reliability: random bytes flipped in sealed segments (100 here, 1,000 in
# make reliability), see tests/reliability/bitrot.sh.
FLIPS=${FLIPS:-100} POSTS=${POSTS:-3000} exec sh tests/reliability/bitrot.sh
