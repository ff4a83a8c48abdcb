#!/bin/sh
# Shards and federations (make bench-shards), on the bench corpus of N
# posts, in one run so that the figures are ratios of each other:
#
#  1. ingest: the whole corpus, then each share K/N of N = 1, 2, 4, 8
#     (BENCH_SHARDS), one shard after another on this machine; a share
#     reads every record (to know where each post goes) and indexes 1/N.
#     The projected wall time on N machines is the slowest share.
#  2. queries: the 4 shards served on loopback (quire serve-shard) as one
#     federation, against the whole corpus on local disk: top-10 search,
#     exact count, facets and a timeline (median of BENCH_RUNS runs, the
#     process start and the federation's open included).  Each shard is
#     served twice, through serve-shard's default index server and through
#     xapian-tcpsrv (--index-server tcpsrv), as two federations.
#     A whole query's posts as JSON lines (their documents, a page at a
#     time from each shard's endpoint) and an export of them (a bag, once).
#  3. records: 1,000 random records read through the federation's store
#     path (a shard's endpoint over loopback, sha256 checked), median and
#     p99, beside the local store (bench/randget).
#
#   sh bench/federation.sh BUILD N
set -eu
[ $# -eq 2 ] || { echo "usage: sh bench/federation.sh BUILD N" >&2; exit 2; }
B=$1 N=$2
D=$B/bench/n$N
QUIRE=$(cd "$(dirname "$B/quire")" && pwd)/quire
SHARDS=${BENCH_SHARDS:-1 2 4 8}
RUNS=${BENCH_RUNS:-9}
export LC_ALL=C
export QUIRE_PROGRESS=0

mkdir -p "$D"
if [ ! -f "$D/facts.sh" ]; then
	echo "generating $N posts into $D" >&2
	"$B/bench/gen" -n "$N" -o "$D/tweets.jsonl" -t "$D/fields.tsv" -r "$D/reddit.ndjson.zst" -f "$D/facts.sh.tmp"
	mv "$D/facts.sh.tmp" "$D/facts.sh"
fi
W=$D/shards
rm -rf "$W"
mkdir -p "$W"
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$W"' EXIT

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

echo "uptime: $(uptime)"
echo "== ingest: $N posts ($(du -m "$D/tweets.jsonl" | cut -f1) MB), one shard after another"
t0=$(now)
"$QUIRE" ingest -q -c "$W/whole" "$D/tweets.jsonl" >/dev/null
whole=$(calc %.2f "$(now) - $t0")
echo "whole corpus: $whole s"
printf '%-6s %-12s %-12s %-12s %-14s\n' shards "mean share s" "max share s" "max/whole" "N machines s"
for n in $SHARDS; do
	sum=0 max=0
	for k in $(seq 1 "$n"); do
		t0=$(now)
		"$QUIRE" ingest -q -c "$W/s$n-$k" --shard "$k/$n" "$D/tweets.jsonl" >/dev/null
		t=$(calc %.2f "$(now) - $t0")
		sum=$(calc %.2f "$sum + $t")
		max=$(calc %.2f "($t > $max) ? $t : $max")
		[ "$n" = 4 ] || [ "$n" = 1 ] || rm -rf "$W/s$n-$k"
	done
	printf '%-6s %-12s %-12s %-12s %-14s\n' "$n" "$(calc %.2f "$sum / $n")" "$max" "$(calc %.2f "$max / $whole")" "$max"
done
[ -d "$W/s1-1" ] && rm -rf "$W/s1-1"

if [ ! -d "$W/s4-1" ]; then
	for k in 1 2 3 4; do "$QUIRE" ingest -q -c "$W/s4-$k" --shard "$k/4" "$D/tweets.jsonl" >/dev/null; done
fi
echo "== queries: 4 shards served on loopback against one local corpus (median of $RUNS, ms)"
# serve K MODE: quire serve-shard on shard K with --index-server MODE;
# LOC is its tcp:// location.
serve() {
	"$QUIRE" serve-shard -c "$W/s4-$1" --listen 127.0.0.1:0 -q --index-server "$2" >"$W/srv$1$2.out" 2>"$W/srv$1$2.err" &
	PIDS="$PIDS $!"
	port=""
	i=0
	while [ $i -lt 100 ] && [ -z "$port" ]; do
		sleep 0.1
		port=$(sed -n 's|.* at tcp://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$W/srv$1$2.out")
		i=$((i + 1))
	done
	[ -n "$port" ] || { cat "$W/srv$1$2.err" >&2; exit 1; }
	LOC="tcp://127.0.0.1:$port"
}
locs="" tlocs=""
for k in 1 2 3 4; do
	serve $k pool
	locs="$locs $LOC"
	serve $k tcpsrv
	tlocs="$tlocs $LOC"
done
# shellcheck disable=SC2086
"$QUIRE" shards add -c "$W/fed" $locs >/dev/null
# shellcheck disable=SC2086
"$QUIRE" shards add -c "$W/fedt" $tlocs >/dev/null
[ "$("$QUIRE" count -c "$W/fed" '')" = "$("$QUIRE" count -c "$W/whole" '')" ] || { echo "the federation's count differs" >&2; exit 1; }
echo "federation: serve-shard's default index server (xapian-progsrv processes kept open);"
echo "tcpsrv: the same shards through xapian-tcpsrv (a process forked per connection)"
printf '%-26s %-8s %-10s %-7s %-7s %-8s %s\n' query local federation ratio target tcpsrv ratio
row() {
	name=$1 target=$2
	shift 2
	l=$("$B/bench/qtime" -n "$RUNS" -w 2 -- "$QUIRE" "$@" -c "$W/whole" | cut -d' ' -f1)
	f=$("$B/bench/qtime" -n "$RUNS" -w 2 -- "$QUIRE" "$@" -c "$W/fed" | cut -d' ' -f1)
	t=$("$B/bench/qtime" -n "$RUNS" -w 2 -- "$QUIRE" "$@" -c "$W/fedt" | cut -d' ' -f1)
	printf '%-26s %-8s %-10s %-7s %-7s %-8s %s\n' "$name" "$l" "$f" "$(calc %.2f "$f / $l")" "$target" "$t" \
		"$(calc %.2f "$t / $l")"
}
row "search top 10 (relevance)" "<= 2x" search -f ids 'police video'
row "search top 10 (oldest)" "<= 2x" search -f ids --sort oldest 'protest'
row "search top 10 (records)" "<= 2x" search -f jsonl 'police video'
row "count" "<= 3x" count 'protest OR police'
row "count everything" "<= 3x" count ''
row "facets --by hashtag" "<= 3x" facets --by hashtag 'protest'
row "facets --by author" "<= 3x" facets --by author ''
row "timeline --by hour" "<= 3x" timeline --by hour 'protest'
row "timeline --by day (all)" "<= 3x" timeline --by day ''
row "all matches as JSON lines" "-" search -f jsonl --limit 0 'police'
# an export writes a bag once: one run each
secs() {
	t0=$(date +%s.%N)
	"$QUIRE" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
	calc %.3f "$(date +%s.%N) - $t0"
}
el=$(secs export -c "$W/whole" -o "$W/bag-whole" --author 'Bench, Run' police)
ef=$(secs export -c "$W/fed" -o "$W/bag-fed" --author 'Bench, Run' police)
et=$(secs export -c "$W/fedt" -o "$W/bag-fedt" --author 'Bench, Run' police)
printf '%-26s %-8s %-10s %-7s %-7s %-8s %s\n' "export police (s, once)" "$el" "$ef" "$(calc %.2f "$ef / $el")" "-" "$et" \
	"$(calc %.2f "$et / $el")"

echo "== records: 1,000 random records, ms (median p99 max)"
"$B/bench/randget" "$W/whole" "$D/fields.tsv" "$D/tweets.jsonl" 1000 | sed 's/^/local      /'
"$B/bench/randget" "$W/fed" "$D/fields.tsv" "$D/tweets.jsonl" 1000 | sed 's/^/federation /'
echo "uptime after: $(uptime)"
