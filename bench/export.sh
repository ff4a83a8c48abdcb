#!/bin/sh
# quire export on bench/gen's corpus: one bag of every post (content
# originals), its check, and its ingest into a new corpus; time, peak
# memory and rates, printed as a table and kept in
# BUILD/bench/export-nN/results.txt.  Nothing here is a test.
#
#   sh bench/export.sh BUILD N          (make bench-export, BENCH_N=...)
#
# The originals rate is the one the export prints: the original records'
# bytes over the time spent reading them from the store, checking their
# sha256, compressing and writing them, by the clock and in CPU seconds
# (on a shared machine the clock counts the others' work too).  BENCH_EXPORT_NO_INGEST=1 leaves
# out the ingest of the bag.
set -eu
[ $# -eq 2 ] || { echo "usage: sh bench/export.sh BUILD N" >&2; exit 2; }
B=$1 N=$2
D=$B/bench/export-n$N
QUIRE=$(cd "$(dirname "$B/quire")" && pwd)/quire
export LC_ALL=C SOURCE_DATE_EPOCH=1591228800
unset QUIRE_CORPUS 2>/dev/null || true
mkdir -p "$D"

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
row() { printf '%-32s %10s %10s %14s\n' "$@"; }

if [ ! -f "$D/corpus/quire.json" ] || [ ! -f "$D/done" ]; then
	echo "generating and ingesting $N posts into $D/corpus" >&2
	rm -rf "$D/corpus" "$D/done"
	"$B/bench/gen" -n "$N" -o "$D/tweets.jsonl"
	"$QUIRE" ingest -q -c "$D/corpus" "$D/tweets.jsonl" >/dev/null
	rm -f "$D/tweets.jsonl"
	touch "$D/done"
fi
rm -rf "$D/bag" "$D/restored"
load=$(cut -d' ' -f1-3 /proc/loadavg)
run export "$QUIRE" export -c "$D/corpus" -o "$D/bag" --author Bench ''
run verify "$QUIRE" export --verify "$D/bag"
[ -n "${BENCH_EXPORT_NO_INGEST:-}" ] || run restore "$QUIRE" ingest -c "$D/restored" "$D/bag"
posts=$(sed -n 's/^Quire-Posts: //p' "$D/bag/bag-info.txt")
# "..., 4424.6 MB in 31.2 s (30.1 s of CPU); ..." from the export's summary line
summary='.* original records, \([0-9.]*\) MB in \([0-9.]*\) s (\([0-9.]*\) s of CPU).*'
mb=$(sed -n "s/$summary/\1/p" "$D/export.out")
sec=$(sed -n "s/$summary/\2/p" "$D/export.out")
cpu=$(sed -n "s/$summary/\3/p" "$D/export.out")
bag=$(du -sb "$D/bag" | cut -f1)
{
	echo "quire export, $posts posts (bench/gen), $(nproc) cores; load before: $load; after:$(uptime | sed 's/.*load average://')"
	row step seconds "peak MB" rate
	row "export, content originals" "$(wall export)" "$(rss export)" "$(calc '%.0f posts/s' "$posts / $(wall export)")"
	row "  of which the originals" "$sec" "" "$(calc '%.0f MB/s' "$mb / ($sec > 0 ? $sec : 1e-9)")"
	row "  the same, per CPU second" "$cpu" "" "$(calc '%.0f MB/s' "$mb / ($cpu > 0 ? $cpu : 1e-9)")"
	row "export --verify" "$(wall verify)" "$(rss verify)" "$(calc '%.0f MB/s' "$bag / 1e6 / $(wall verify)")"
	[ -n "${BENCH_EXPORT_NO_INGEST:-}" ] ||
		row "ingest of the bag (new corpus)" "$(wall restore)" "$(rss restore)" "$(calc '%.0f posts/s' "$posts / $(wall restore)")"
	echo "original records: $mb MB; bag: $(calc %.1f "$bag / 1e6") MB"
} | tee "$D/results.txt"
