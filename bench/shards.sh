#!/bin/sh
# Two bare Xapian writers on two cores, each into its own shard (first and
# second half of the posts, as a split by time would give), then
# xapian-compact merging them into one database: the shape of a two-core
# ingest that keeps Xapian itself busy on both cores.
#
#   sh bench/shards.sh BUILD FIELDS.tsv WORKDIR
#
# Prints: posts, parallel seconds, merge seconds, posts/s overall, merged MB.
set -eu
B=$1 F=$2 W=$3
n=$(wc -l <"$F")
half=$(((n + 1) / 2))
rm -rf "$W" && mkdir -p "$W"
head -n "$half" "$F" >"$W/a.tsv"
tail -n +"$((half + 1))" "$F" >"$W/b.tsv"
t0=$(date +%s.%N)
"$B/bench/xapian_ref" "$W/a.tsv" "$W/a" >"$W/a.out" &
pa=$!
"$B/bench/xapian_ref" "$W/b.tsv" "$W/b" >"$W/b.out" &
pb=$!
wait $pa
wait $pb
t1=$(date +%s.%N)
xapian-compact -q "$W/a" "$W/b" "$W/merged" >/dev/null
t2=$(date +%s.%N)
size=$(du -sb "$W/merged" | cut -f1)
awk -v n="$n" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v s="$size" 'BEGIN {
	printf "posts %d parallel %.1f merge %.1f rate %.0f merged_mb %.1f\n", n, t1 - t0, t2 - t1, n / (t2 - t0), s / 1e6 }'
rm -rf "$W"
