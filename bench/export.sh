#!/bin/sh
# quire export on bench/gen's corpus: one bag of every post (content
# originals, then posts), its check and its ingest into a new corpus; time,
# peak memory and rates, printed as a table and kept in
# BUILD/bench/export-nN/results.txt.  Nothing here is a test.
#
#   sh bench/export.sh BUILD N          (make bench-export, BENCH_N=...)
#
# The originals rate is the original records' bytes over the time the
# originals add to an export (an export of content originals less one of
# content posts, the same query pass).
set -eu
[ $# -eq 2 ] || { echo "usage: sh bench/export.sh BUILD N" >&2; exit 2; }
B=$1 N=$2
D=$B/bench/export-n$N
QUIRE=$(cd "$(dirname "$B/quire")" && pwd)/quire
export LC_ALL=C SOURCE_DATE_EPOCH=1591228800
unset QUIRE_CORPUS 2>/dev/null || true
mkdir -p "$D"

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
# run NAME CMD...: wall seconds and peak RSS (MB) of CMD into $D/NAME.time
run() {
	name=$1
	shift
	/usr/bin/time -v "$@" >"$D/$name.out" 2>"$D/$name.err" || { cat "$D/$name.err" >&2; exit 1; }
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, a, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + a[i] }
		/Maximum resident/ { r = $2 } END { printf "%s %.0f\n", w, r / 1024 }' "$D/$name.err" >"$D/$name.time"
}
wall() { cut -d' ' -f1 "$D/$1.time"; }
rss() { cut -d' ' -f2 "$D/$1.time"; }

if [ ! -f "$D/corpus/quire.json" ] || [ ! -f "$D/done" ]; then
	echo "generating and ingesting $N posts into $D/corpus" >&2
	rm -rf "$D/corpus" "$D/done"
	"$B/bench/gen" -n "$N" -o "$D/tweets.jsonl"
	"$QUIRE" ingest -q -c "$D/corpus" "$D/tweets.jsonl" >/dev/null
	rm -f "$D/tweets.jsonl"
	touch "$D/done"
fi
rm -rf "$D/bag" "$D/bag-posts" "$D/restored"
run export "$QUIRE" export -c "$D/corpus" -o "$D/bag" ''
run posts "$QUIRE" export -c "$D/corpus" -o "$D/bag-posts" --content posts ''
run verify "$QUIRE" export --verify "$D/bag"
run restore "$QUIRE" ingest -c "$D/restored" "$D/bag"
posts=$(sed -n 's/^Quire-Posts: //p' "$D/bag/bag-info.txt")
orig=$(jq -s 'map(select(.kind == "record")) | unique_by(.sha256) | map(.size) | add' "$D/bag/data/originals/index.jsonl")
bag=$(du -sb "$D/bag" | cut -f1)
extra=$(calc %.2f "$(wall export) - $(wall posts)")
{
	echo "quire export, $posts posts (bench/gen), $(nproc) cores; uptime:$(uptime | sed 's/.*up[^,]*,//')"
	printf '%-34s %10s %10s %12s\n' step seconds "peak MB" rate
	printf '%-34s %10s %10s %12s\n' "export, content originals" "$(wall export)" "$(rss export)" "$(calc '%.0f posts/s' "$posts / $(wall export)")"
	printf '%-34s %10s %10s %12s\n' "export, content posts" "$(wall posts)" "$(rss posts)" "$(calc '%.0f posts/s' "$posts / $(wall posts)")"
	printf '%-34s %10s %10s %12s\n' "originals (the difference)" "$extra" "" "$(calc '%.0f MB/s' "$orig / 1e6 / ($extra > 0 ? $extra : 1e-9)")"
	printf '%-34s %10s %10s %12s\n' "export --verify" "$(wall verify)" "$(rss verify)" "$(calc '%.0f MB/s' "$bag / 1e6 / $(wall verify)")"
	printf '%-34s %10s %10s %12s\n' "ingest of the bag (new corpus)" "$(wall restore)" "$(rss restore)" "$(calc '%.0f posts/s' "$posts / $(wall restore)")"
	echo "original records: $(calc %.1f "$orig / 1e6") MB; bag: $(calc %.1f "$bag / 1e6") MB"
} | tee "$D/results.txt"
