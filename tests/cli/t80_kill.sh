# Reliability (make test size): 20 kill -9 of the ingester, see tests/reliability/kill.sh.
KILLS=${KILLS:-20} POSTS=${POSTS:-3000} BATCH=${BATCH:-20} exec sh tests/reliability/kill.sh
