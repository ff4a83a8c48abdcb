# Shards in the tests (sourced after lib.sh): corpora ingested whole and as
# shards of the demo data, and quire serve-shard on free ports of
# 127.0.0.1, started and stopped by the test (every wait bounded).
#   shard_start NAME CORPUS ARGS  start a server; sets PORT_<NAME>, PID_<NAME>
#   shard_stop NAME [SIGNAL]      stop it (bounded), SIGTERM unless told
#   same DESC CMD...              CMD on the whole corpus and on the federation
#                                 ($FED) prints the same
# The servers still running (a pid is dropped once reaped: it may be
# another process's by the end).
SHARD_PIDS=""
trap 'for p in $SHARD_PIDS; do kill -TERM "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# ssh stands for this script in the tests: it runs the command on this
# machine (the host argument is dropped).
export QUIRE_SSH="$ROOT/tests/cli/fakessh.sh"
export QUIRE_REMOTE_QUIRE="$QUIRE"
# Faults are found within a second or two, not the default 30.
export QUIRE_SHARD_TIMEOUT=${QUIRE_SHARD_TIMEOUT:-5}
export QUIRE_SHARD_CONNECT_TIMEOUT=${QUIRE_SHARD_CONNECT_TIMEOUT:-2}

shard_start() {
	name=$1 c=$2
	shift 2
	: >"$T/srv-$name.out"
	"$QUIRE" serve-shard -c "$c" --listen 127.0.0.1:0 -q "$@" >"$T/srv-$name.out" 2>"$T/srv-$name.err" &
	pid=$!
	SHARD_PIDS="$SHARD_PIDS $pid"
	port=""
	i=0
	while [ $i -lt 100 ]; do
		port=$(sed -n 's|.* at tcp://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$T/srv-$name.out")
		[ -n "$port" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	eval "PORT_$name=$port PID_$name=$pid"
	[ -n "$port" ]
}

shard_stop() {
	eval "pid=\$PID_$1"
	[ -n "$pid" ] || return 0
	kill "-${2:-TERM}" "$pid" 2>/dev/null
	i=0
	while [ $i -lt 100 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	eval "PID_$1="
	rest=""
	for p in $SHARD_PIDS; do
		[ "$p" = "$pid" ] || rest="$rest $p"
	done
	SHARD_PIDS=$rest
}

same() {
	d=$1
	shift
	"$QUIRE" "$@" -c "$WHOLE" >"$T/same.a" 2>&1
	ra=$?
	"$QUIRE" "$@" -c "$FED" >"$T/same.b" 2>&1
	rb=$?
	if [ "$ra" = "$rb" ] && cmp -s "$T/same.a" "$T/same.b"; then
		ok "$d"
	else
		not_ok "$d (exit $ra and $rb)" "$(diff "$T/same.a" "$T/same.b" | head -20)"
	fi
}
