#!/bin/sh
# quire serve under load (make bench-serve): bench/loadgen on loopback
# against the bench corpus of N posts, with 1, 8 and 32 clients, for a
# top-10 search, a facet count and a timeline; the page too; then searches
# while facet counts run beside them.  Answers/s, p50 and p99 of the good
# answers, the ones refused as busy (503), the server's memory.  Every run
# is bounded in time (BENCH_SECONDS, 10 by default) and in count (a
# million answers); the server listens on 127.0.0.1 and is stopped at the
# end.
#
#   sh bench/serve.sh BUILD N
set -eu
[ $# -eq 2 ] || { echo "usage: sh bench/serve.sh BUILD N" >&2; exit 2; }
B=$1 N=$2
D=$B/bench/n$N
QUIRE=$(cd "$(dirname "$B/quire")" && pwd)/quire
SECS=${BENCH_SECONDS:-10}
WORKERS=${BENCH_WORKERS:-4}
LOADGEN=$B/bench/loadgen
export LC_ALL=C

mkdir -p "$D"
if [ ! -f "$D/facts.sh" ]; then
	echo "generating $N posts into $D" >&2
	"$B/bench/gen" -n "$N" -o "$D/tweets.jsonl" -t "$D/fields.tsv" -r "$D/reddit.ndjson.zst" -f "$D/facts.sh.tmp"
	mv "$D/facts.sh.tmp" "$D/facts.sh"
fi
if [ ! -d "$D/quire/index" ]; then
	echo "ingesting $D/tweets.jsonl" >&2
	"$QUIRE" ingest -q -c "$D/quire" "$D/tweets.jsonl" >/dev/null
fi

OUT=$D/serve.out
"$QUIRE" serve -c "$D/quire" --listen 127.0.0.1:0 --workers "$WORKERS" --facet-limit 0 --quiet >"$OUT" 2>"$D/serve.err" &
PID=$!
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true' EXIT
URL=""
i=0
while [ $i -lt 100 ] && [ -z "$URL" ]; do
	sleep 0.1
	URL=$(sed -n 's|.* at \(http://[^ ]*/\) .*|\1|p' "$OUT")
	i=$((i + 1))
done
[ -n "$URL" ] || { cat "$D/serve.err" >&2; exit 1; }

SEARCH="api/search?q=police%20video&limit=10"
FACETS="api/facets?q=protest&by=hashtag&top=10"
TIMELINE="api/timeline?q=protest&by=hour"
PAGE="?q=police%20video"

# loadgen's report -> "answers/s p50_ms p99_ms busy other"
measure() {
	"$LOADGEN" -c "$1" -d "${3:-$SECS}" -n 1000000 "$URL$2" |
		awk '{ printf "%s %s %s %s %s\n", $10, $12, $14, $4, $6 }'
}

row() {
	name=$1 c=$2
	shift 2
	set -- $(measure "$c" "$@")
	printf '%-34s %7s %9s %9s %9s %6s %6s\n' "$name" "$c" "$1" "$2" "$3" "$4" "$5"
}

{
	echo "quire serve under load: $N posts, $WORKERS search workers and 2 heavy ones, ${SECS} s a run, on loopback"
	echo "machine: $(nproc) cores; uptime before: $(uptime)"
	echo "corpus: $D/quire"
	printf '%-34s %7s %9s %9s %9s %6s %6s\n' "request" "clients" "answers/s" "p50 ms" "p99 ms" "busy" "failed"
	# One warm-up pass, not reported: the first requests read the index
	# from disk.
	measure 2 "$SEARCH" 2 >/dev/null
	measure 2 "$FACETS" 2 >/dev/null
	for c in 1 8 32; do row "top-10 search (police video)" "$c" "$SEARCH"; done
	for c in 1 8 32; do row "facets (hashtags of protest)" "$c" "$FACETS"; done
	for c in 1 8 32; do row "timeline (protest, by hour)" "$c" "$TIMELINE"; done
	for c in 1 8; do row "the page (police video)" "$c" "$PAGE"; done
	# Searches while two clients keep facet counts running beside them.
	measure 2 "$FACETS" "$((SECS + 2))" >"$D/serve-facets.txt" &
	FPID=$!
	sleep 1
	row "top-10 search, facets running" 8 "$SEARCH"
	wait "$FPID"
	set -- $(cat "$D/serve-facets.txt")
	printf '%-34s %7s %9s %9s %9s %6s %6s\n' "  (the facet counts beside it)" 2 "$1" "$2" "$3" "$4" "$5"
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$PID/status")
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$PID/status")
	echo "server memory: $((rss / 1024)) MB resident now, $((hwm / 1024)) MB at most"
	echo "uptime after: $(uptime)"
} | tee "$D/serve.txt"
