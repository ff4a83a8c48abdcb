#!/bin/sh
# The benchmark: quire beside the bare Xapian reference, SQLite FTS5,
# zstd/gzip and rg/ugrep, on one generated corpus, in one run.
#
#   sh bench/run.sh BUILD N [N...]      (make bench, make bench-large)
#   sh bench/run.sh --store BUILD N     (make bench-store)
#
# Everything lands in BUILD/bench/nN/: the corpus (generated once per
# generator build), the databases, results.txt (the table).  Whole-file
# zstd -19 sizes take minutes; they are kept in sizes.txt next to the
# corpus and measured again only when the corpus changes.  Nothing here is
# a test: no figure makes anything fail.
set -eu

store_only=false
if [ "${1:-}" = "--store" ]; then
	store_only=true
	shift
fi
[ $# -ge 2 ] || { echo "usage: sh bench/run.sh [--store] BUILD N [N...]" >&2; exit 2; }
B=$1
shift
T=$B/bench
QUIRE=$(cd "$(dirname "$B/quire")" && pwd)/quire
RUNS=${BENCH_RUNS:-20}
REPEAT=${BENCH_REPEAT:-1}
export LC_ALL=C
unset QUIRE_CORPUS NO_COLOR 2>/dev/null || true

now() { date +%s.%N; }
fsize() { stat -c %s "$1"; }
dsize() { du -sb "$1" | cut -f1; }
# awk arithmetic, printed with the given format
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
# a / b with a format, or n/a when b was not measured
per() { if [ "${3:-0}" = 0 ] || [ "${2:-0}" = 0 ]; then echo n/a; else calc "$1" "$2 / $3"; fi; }
field() { sed -n "s/^$2: //p" "$1" | head -1; }

# ---- one corpus ----

# /usr/bin/time -v output -> "wall_s user_s sys_s rss_kb"
timev() {
	awk -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, a, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + a[i] }
		/User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
		END { printf "%s %s %s %s\n", w, u, s, r }' "$1"
}

machine() {
	echo "machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ { print $2 }') GB memory"
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "versions: $($QUIRE version 2>/dev/null | tr '\n' ' ')"
	echo "          xapian $(xapian-config --version 2>/dev/null | awk '{ print $NF }'), sqlite $(sqlite3 --version | cut -d' ' -f1)," \
		"zstd $(zstd -V | sed 's/.* v\([0-9.]*\).*/\1/'), $(rg --version 2>/dev/null | sed -n 1p), ugrep $(ugrep --version | sed -n 1p | cut -d' ' -f2)," \
		"gcc $(gcc -dumpversion), kernel $(uname -r)"
}

generate() {
	D=$1 N=$2
	if [ -f "$D/facts.sh" ] && [ "$D/facts.sh" -nt "$T/gen" ]; then
		return
	fi
	echo "generating $N posts into $D" >&2
	rm -f "$D/sizes.txt"
	"$T/gen" -n "$N" -o "$D/tweets.jsonl" -t "$D/fields.tsv" -r "$D/reddit.ndjson.zst" -f "$D/facts.sh.tmp"
	mv "$D/facts.sh.tmp" "$D/facts.sh"
}

# Whole-input compression: sizes (and speeds) of the yardsticks, cached.
compress_sizes() {
	D=$1
	if [ -f "$D/sizes.txt" ] && [ "$D/sizes.txt" -nt "$D/tweets.jsonl" ]; then
		return
	fi
	echo "compressing the whole input (zstd -19 takes minutes; kept in sizes.txt)" >&2
	: >"$D/sizes.tmp"
	specs="zstd3:zstd%-q%-f%-3%-T1"
	[ -n "${BENCH_NO_Z19:-}" ] || specs="$specs zstd19:zstd%-q%-f%-19%-T1 zstd19long:zstd%-q%-f%-19%--long=27%-T1"
	for spec in $specs; do
		spec=$(echo "$spec" | tr % ' ')
		name=${spec%%:*}
		cmd=${spec#*:}
		t0=$(now)
		$cmd "$D/tweets.jsonl" -o "$D/tweets.$name.zst"
		t1=$(now)
		echo "$name $(fsize "$D/tweets.$name.zst") $(calc %.1f "$t1 - $t0")" >>"$D/sizes.tmp"
		[ "$name" = zstd3 ] || rm -f "$D/tweets.$name.zst"
	done
	t0=$(now)
	gzip -6 -c "$D/tweets.jsonl" >"$D/tweets.jsonl.gz"
	t1=$(now)
	echo "gzip6 $(fsize "$D/tweets.jsonl.gz") $(calc %.1f "$t1 - $t0")" >>"$D/sizes.tmp"
	rm -f "$D/tweets.jsonl.gz"
	mv "$D/sizes.tmp" "$D/sizes.txt"
}

# A size from sizes.txt; 0 when it was not measured (BENCH_NO_Z19).
size_of() { awk -v k="$2" '$1 == k { s = $2 } END { print s + 0 }' "$1/sizes.txt"; }

# qtime line "median p95 first_median first_p95 lines exit" -> named fields
qt() {
	n_=$1 w_=$2
	shift 2
	"$T/qtime" -n "$n_" -w "$w_" -- "$@"
}

# The exact number of matches (bench/qcount: the matcher checks every
# document), and the milliseconds that counting takes in-process.
quire_count() {
	"$T/qcount" "$1" "$2" | awk '{ printf "%s %s\n", $1, $2 }'
}

run_queries() {
	D=$1
	. "$D/facts.sh"
	day0=1591142400 # 2020-06-03T00:00Z
	day1=1591228800
	Z=$D/tweets.zstd3.zst
	SQL_TOP="SELECT p.native FROM fts JOIN post p ON p.id = fts.rowid WHERE"
	# name | quire query | FTS5 condition | rg pipeline over the zstd -3 input
	cat >"$D/queries.txt" <<EOF
term|protest|fts MATCH 'text: protest'|rg -z -c -i -w protest $Z
two terms|police video|fts MATCH 'text: (police AND video)'|rg -z -i -w police $Z | rg -c -i -w video
phrase|"black lives matter"|fts MATCH 'text: "black lives matter"'|rg -z -c -i 'black lives matter' $Z
hashtag+day|#WhiteLivesMatter date:2020-06-03|fts MATCH 'hashtags: whitelivesmatter' AND p.created >= $day0 AND p.created < $day1|rg -z -i '#whitelivesmatter' $Z | rg -c '^\\{"created_at":"Wed Jun 03'
author|from:$TOP_AUTHOR|AUTHOR|rg -z -c '"screen_name":"$TOP_AUTHOR"' $Z
media filter|police media:video|fts MATCH 'text: police AND media: video'|rg -z -i -w police $Z | rg -c '"type":"video"'
EOF
	: >"$D/queries.out"
	while IFS='|' read -r name q cond rgcmd; do
		# quire: top 10 ids, process start included
		set -- $(qt "$RUNS" 3 "$QUIRE" search -c "$D/quire" -f ids -n 10 "$q")
		qmed=$1 qp95=$2
		set -- $(quire_count "$D/quire" "$q")
		qcount=$1 qcount_ms=$2
		if [ "$cond" = AUTHOR ]; then
			top="SELECT native FROM post WHERE author = '$TOP_AUTHOR' ORDER BY id LIMIT 10"
			cnt="SELECT count(*) FROM post WHERE author = '$TOP_AUTHOR'"
		else
			top="$SQL_TOP $cond ORDER BY rank LIMIT 10"
			cnt="SELECT count(*) FROM fts JOIN post p ON p.id = fts.rowid WHERE $cond"
		fi
		set -- $(qt "$RUNS" 3 sqlite3 "$D/fts5.db" "$top")
		smed=$1 sp95=$2
		scount=$(sqlite3 "$D/fts5.db" "$cnt" || echo error)
		set -- $(qt 3 1 sh -c "$rgcmd")
		rmed=$1
		rcount=$(sh -c "$rgcmd" || true)
		umed=-
		case "$name" in
		term | "two terms" | phrase)
			ucmd=$(echo "$rgcmd" | sed 's/rg -z/ugrep -z/; s/| rg /| ugrep /')
			set -- $(qt 3 1 sh -c "$ucmd")
			umed=$1
			;;
		esac
		echo "$name|$q|$qmed|$qp95|$qcount|$smed|$sp95|$scount|$rmed|$rcount|$umed|$qcount_ms" >>"$D/queries.out"
	done <"$D/queries.txt"
}

run_one() {
	N=$1
	D=$T/n$N
	mkdir -p "$D"
	generate "$D" "$N"
	. "$D/facts.sh"
	compress_sizes "$D"
	raw=$(fsize "$D/tweets.jsonl")
	out=$D/results.txt

	# -- ingest: quire, the bare reference, two bare shards; repeated
	# BENCH_REPEAT times in turn (the machine is shared), median kept --
	: >"$D/rates.txt"
	rep=1
	while [ "$rep" -le "$REPEAT" ]; do
		echo "timing quire ingest ($N posts, run $rep of $REPEAT)" >&2
		rm -rf "$D/quire" "$D/quire-index-compact"
		/usr/bin/time -v "$QUIRE" ingest -q -c "$D/quire" "$D/tweets.jsonl" >"$D/ingest.out" 2>"$D/ingest.time"
		echo "timing the bare Xapian reference" >&2
		rm -rf "$D/ref" "$D/ref-compact"
		/usr/bin/time -v "$T/xapian_ref" "$D/fields.tsv" "$D/ref" >"$D/ref.out" 2>"$D/ref.time"
		echo "timing two bare Xapian writers into two shards, then xapian-compact" >&2
		sh "$(dirname "$0")/shards.sh" "$B" "$D/fields.tsv" "$D/shards" >"$D/shards.out"
		echo "timing quire ingest --threads 1 and the reference committing every 1,000 (quire's flush)" >&2
		rm -rf "$D/quire1"
		/usr/bin/time -v "$QUIRE" ingest -q --threads 1 -c "$D/quire1" "$D/tweets.jsonl" >/dev/null 2>"$D/ingest1.time"
		rm -rf "$D/quire1" "$D/ref1k"
		"$T/xapian_ref" "$D/fields.tsv" "$D/ref1k" 1000 >"$D/ref1k.out"
		rm -rf "$D/ref1k"
		set -- $(timev "$D/ingest1.time")
		q1_rate=$(calc %.1f "$N / $1")
		set -- $(timev "$D/ingest.time")
		echo "$rep $(calc %.1f "$N / $1") $(awk '{ print $6 }' "$D/ref.out") $(awk '{ print $8 }' "$D/shards.out") $(cut -d' ' -f1 /proc/loadavg) $q1_rate $(awk '{ print $6 }' "$D/ref1k.out")" >>"$D/rates.txt"
		rep=$((rep + 1))
	done
	med() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
	q_rate_med=$(awk '{ print $2 }' "$D/rates.txt" | med)
	r_rate=$(awk '{ print $3 }' "$D/rates.txt" | med)
	s_rate=$(awk '{ print $4 }' "$D/rates.txt" | med)
	q1_rate=$(awk '{ print $6 }' "$D/rates.txt" | med)
	r1k_rate=$(awk '{ print $7 }' "$D/rates.txt" | med)
	set -- $(timev "$D/ingest.time")
	q_wall=$1 q_user=$2 q_sys=$3 q_rss=$4
	q_store=$(dsize "$D/quire/store")
	q_index=$(dsize "$D/quire/index")
	t0=$(now)
	xapian-compact -q "$D/quire/index" "$D/quire-index-compact" >/dev/null
	t1=$(now)
	q_compact=$(dsize "$D/quire-index-compact")
	q_compact_s=$(calc %.1f "$t1 - $t0")
	set -- $(timev "$D/ref.time")
	r_wall=$1 r_user=$2 r_sys=$3 r_rss=$4
	r_index=$(dsize "$D/ref")
	xapian-compact -q "$D/ref" "$D/ref-compact" >/dev/null
	r_compact=$(dsize "$D/ref-compact")
	rm -rf "$D/ref" "$D/ref-compact"

	echo "timing SQLite FTS5" >&2
	/usr/bin/time -v "$T/fts5" "$D/fields.tsv" "$D/fts5.db" >"$D/fts5.out" 2>"$D/fts5.time"
	set -- $(timev "$D/fts5.time")
	f_wall=$1 f_rss=$4
	f_size=$(fsize "$D/fts5.db")

	# -- reddit: only when this quire has the reader --
	rd_line="n/a (no reddit reader in this build)"
	if "$QUIRE" formats 2>/dev/null | grep -qi reddit; then
		rm -rf "$D/quire-reddit"
		/usr/bin/time -v "$QUIRE" ingest -q -c "$D/quire-reddit" "$D/reddit.ndjson.zst" >/dev/null 2>"$D/reddit.time" || true
		set -- $(timev "$D/reddit.time")
		rd_line="$(calc %.0f "$N / $1") posts/s, peak RSS $(calc %.0f "$4 / 1024") MB, store+index $(calc %.1f "$(dsize "$D/quire-reddit") / 1e6") MB"
		rm -rf "$D/quire-reddit"
	fi

	# -- random access, queries, first result, search memory --
	echo "timing random access and queries" >&2
	"$T/randget" "$D/quire" "$D/fields.tsv" "$D/tweets.jsonl" 1000 >"$D/randget.out" || true
	run_queries "$D"
	set -- $(qt "$RUNS" 3 "$QUIRE" version)
	start_med=$1
	set -- $(qt "$RUNS" 3 "$QUIRE" search -c "$D/quire" -n 10 --color never protest)
	first_med=$3 first_p95=$4 text_med=$1
	/usr/bin/time -v "$QUIRE" search -c "$D/quire" -n 10 protest >/dev/null 2>"$D/search.time"
	set -- $(timev "$D/search.time")
	s_rss=$4
	facets="n/a (no quire facets in this build)"
	timeline="n/a (no quire timeline in this build)"
	if "$QUIRE" help 2>/dev/null | grep -q '^  facets'; then
		set -- $(qt "$RUNS" 3 "$QUIRE" facets -c "$D/quire" '#WhiteLivesMatter')
		facets="median $1 ms, p95 $2 ms"
	fi
	if "$QUIRE" help 2>/dev/null | grep -q '^  timeline'; then
		set -- $(qt "$RUNS" 3 "$QUIRE" timeline -c "$D/quire" '#WhiteLivesMatter date:2020-06-03')
		timeline="median $1 ms, p95 $2 ms"
	fi
	# -- what spread: facets --by reposted|file|url, search --sort reposts,
	# on a hashtag's posts (RUNS runs) and on the whole corpus (5 runs) --
	: >"$D/spread.out"
	if "$QUIRE" help facets 2>/dev/null | grep -q reposted; then
		while IFS='|' read -r sname runs scmd; do
			# shellcheck disable=SC2086
			set -- $(eval "qt $runs 1 \"\$QUIRE\" $scmd")
			echo "$sname|$1|$2" >>"$D/spread.out"
		done <<EOF_SPREAD
facets --by reposted '#WhiteLivesMatter'|$RUNS|facets -c "\$D/quire" --by reposted '#WhiteLivesMatter'
facets --by file '#WhiteLivesMatter'|$RUNS|facets -c "\$D/quire" --by file '#WhiteLivesMatter'
facets --by url '#WhiteLivesMatter'|$RUNS|facets -c "\$D/quire" --by url '#WhiteLivesMatter'
search --sort reposts -n 10 '#WhiteLivesMatter'|$RUNS|search -c "\$D/quire" -f ids -n 10 --sort reposts '#WhiteLivesMatter'
facets --by reposted (every post)|5|facets -c "\$D/quire" --by reposted ''
facets --by file (every post)|5|facets -c "\$D/quire" --by file ''
facets --by url (every post)|5|facets -c "\$D/quire" --by url ''
search --sort reposts -n 10 (every post)|5|search -c "\$D/quire" -f ids -n 10 --sort reposts ''
EOF_SPREAD
	fi
	# -- quire compact on the ingested corpus, then random access again --
	qc_line="n/a (BENCH_NO_COMPACT, or no quire compact in this build)"
	qc_store=0
	: >"$D/randget-compact.out"
	if [ -z "${BENCH_NO_COMPACT:-}" ] && "$QUIRE" help 2>/dev/null | grep -q '^  compact'; then
		echo "timing quire compact (level 19: minutes)" >&2
		/usr/bin/time -v "$QUIRE" compact -c "$D/quire" >"$D/compact.out" 2>"$D/compact.time"
		set -- $(timev "$D/compact.time")
		qc_store=$(dsize "$D/quire/store")
		qc_line="$(calc %.1f "$1") s ($(calc %.1f "$raw / 1e6 / $1") MB/s of records), peak RSS $(calc %.0f "$4 / 1024") MB, load $(cut -d' ' -f1 /proc/loadavg)"
		"$T/randget" "$D/quire" "$D/fields.tsv" "$D/tweets.jsonl" 1000 >"$D/randget-compact.out" || true
	fi
	echo "JSON parsing (one core, first 50,000 records)" >&2
	"$T/jsonparse" "$D/tweets.jsonl" 50000 >"$D/jsonparse.out"

	q_rate=$(calc %.0f "$q_rate_med")
	f_rate=$(awk '{ print $6 }' "$D/fts5.out")
	z3=$(size_of "$D" zstd3)
	z19=$(size_of "$D" zstd19)
	z19l=$(size_of "$D" zstd19long)
	gz=$(size_of "$D" gzip6)
	mb() { calc %.1f "$1 / 1e6"; }
	{
		echo "== quire benchmark: $N posts, $(mb "$raw") MB of v1.1 JSON lines ($(calc %.0f "$raw / $N") bytes a post) =="
		machine
		echo "corpus: $ORIGINALS originals, $RETWEETS retweets, $REPLIES replies, $QUOTES quotes;" \
			"$PHOTO_POSTS photo, $VIDEO_POSTS video, $GIF_POSTS gif posts; $KOREAN Korean"
		echo
		echo "-- ingest --"
		printf '%-26s %10s %9s %9s %10s %12s %14s\n' "" "posts/s" "input MB/s" "CPU %" "peak RSS MB" "index MB" "compacted MB"
		printf '%-26s %10s %9s %9s %10s %12s %14s\n' "quire ingest" "$q_rate" "$(calc %.1f "$raw / 1e6 * $q_rate / $N")" \
			"$(calc %.0f "100 * ($q_user + $q_sys) / $q_wall")" "$(calc %.0f "$q_rss / 1024")" "$(mb "$q_index")" "$(mb "$q_compact")"
		printf '%-26s %10.0f %9s %9s %10s %12s %14s\n' "bare Xapian reference" "$r_rate" "-" \
			"$(calc %.0f "100 * ($r_user + $r_sys) / $r_wall")" "$(calc %.0f "$r_rss / 1024")" "$(mb "$r_index")" "$(mb "$r_compact")"
		printf '%-26s %10.0f %9s %9s %10s %12s %14s\n' "bare Xapian, 2 shards+merge" "$s_rate" "-" "-" "-" "-" \
			"$(awk '{ print $10 }' "$D/shards.out")"
		printf '%-26s %10.0f %9s %9s %10s %12s %14s\n' "quire ingest --threads 1" "$q1_rate" \
			"$(calc %.1f "$raw / 1e6 * $q1_rate / $N")" "-" "-" "-" "-"
		printf '%-26s %10.0f %9s %9s %10s %12s %14s\n' "bare Xapian, commit 1,000" "$r1k_rate" "-" "-" "-" "-" "-"
		printf '%-26s %10.0f %9s %9s %10s %12s %14s\n' "SQLite FTS5" "$f_rate" "-" "-" "$(calc %.0f "$f_rss / 1024")" "$(mb "$f_size")" "-"
		echo "quire store: $(mb "$q_store") MB; xapian-compact took $q_compact_s s;" \
			"2 shards: $(awk '{ printf "%s s on two cores, then %s s to merge", $4, $6 }' "$D/shards.out")"
		echo "rates are medians of $REPEAT runs in turn (run, quire, reference, 2 shards, load, quire --threads 1, reference commit 1,000):" \
			$(awk '{ printf "[%s: %.0f %.0f %.0f load %s %.0f %.0f] ", $1, $2, $3, $4, $5, $6, $7 }' "$D/rates.txt")
		echo "reddit NDJSON .zst ($(mb "$(fsize "$D/reddit.ndjson.zst")") MB, zstd --long=31): $rd_line"
		echo
		echo "-- size --"
		printf '%-34s %10s %8s\n' "" "MB" "x input"
		for row in "input|$raw" "quire store|$q_store" "quire store after quire compact|$qc_store" "quire index (compacted)|$q_compact" \
			"quire store + compacted index|$((q_store + q_compact))" "gzip -6|$gz" "zstd -3|$z3" "zstd -19|$z19" \
			"zstd -19 --long=27|$z19l"; do
			[ "${row#*|}" != 0 ] || continue
			printf '%-34s %10s %8s\n' "${row%%|*}" "$(mb "${row#*|}")" "$(calc %.3f "${row#*|} / $raw")"
		done
		echo
		echo "-- random access: 1,000 records fetched byte-exact, one process (ms) --"
		awk '/^store_get/ { printf "qr_store_get alone        median %s  p99 %s  max %s\n", $2, $3, $4 }
		     /^lookup/ { printf "id -> index -> store      median %s  p99 %s  max %s\n", $2, $3, $4 }
		     /^exact/ { print "byte-exact: " $2 " of " $4 }' "$D/randget.out"
		awk '/^store_get/ { printf "after quire compact: qr_store_get median %s  p99 %s  max %s\n", $2, $3, $4 }
		     /^lookup/ { printf "after quire compact: id -> store  median %s  p99 %s  max %s\n", $2, $3, $4 }
		     /^exact/ { print "after quire compact: byte-exact: " $2 " of " $4 }' "$D/randget-compact.out"
		echo "quire compact: $qc_line"
		echo
		echo "-- queries: top 10, process start included, $RUNS warm runs (ms) --"
		printf '%-13s %-36s %7s %7s %8s %8s | %7s %7s %8s | %8s %8s %8s\n' query "quire query" "median" "p95" count \
			"count ms" "FTS5" "p95" count "rg -z" "rg count" "ugrep -z"
		while IFS='|' read -r name q qmed qp95 qc smed sp95 sc rmed rc umed qcms; do
			printf '%-13s %-36s %7s %7s %8s %8s | %7s %7s %8s | %8s %8s %8s\n' "$name" "$q" "$qmed" "$qp95" "$qc" \
				"$qcms" "$smed" "$sp95" "$sc" "$rmed" "$rc" "$umed"
		done <"$D/queries.out"
		echo "(count: exact, bench/qcount in-process; count ms: its time with the corpus open; rg count: matching lines)"
		echo "facet: $facets"
		echo "hourly timeline: $timeline"
		if [ -s "$D/spread.out" ]; then
			echo "what spread (process start included; ms, median and p95):"
			while IFS='|' read -r sname smed sp95; do
				printf '  %-48s %8s %8s\n' "$sname" "$smed" "$sp95"
			done <"$D/spread.out"
		fi
		echo "process start to first result (quire search protest, text): median $first_med ms, p95 $first_p95 ms (whole run $text_med ms; quire version alone: $start_med ms)"
		echo "search peak RSS: $(calc %.1f "$s_rss / 1024") MB"
		echo
		echo "-- JSON parsing, one core, DOM parse + free per record --"
		cat "$D/jsonparse.out"
		echo
		echo "-- ratios against the targets --"
		ratio() { printf '%-58s %9s   target %s\n' "$1" "$2" "$3"; }
		ratio "ingest rate: quire / bare Xapian reference" "$(calc %.2fx "$q_rate / $r_rate")" ">= 1.6x"
		ratio "ingest rate: 2 bare shards + merge / bare reference" "$(calc %.2fx "$s_rate / $r_rate")" "(what two Xapian writers reach)"
		ratio "ingest rate: quire / bare reference committing every 1,000" "$(calc %.2fx "$q_rate / $r1k_rate")" "(reported)"
		ratio "ingest rate: quire / quire --threads 1" "$(calc %.2fx "$q_rate / $q1_rate")" "(reported)"
		ratio "ingest rate: quire / SQLite FTS5 build" "$(calc %.3fx "$q_rate / $f_rate")" ">= 0.25x (stretch)"
		ratio "footprint: (store + compacted index) / input" "$(calc %.3f "($q_store + $q_compact) / $raw")" "<= 0.3"
		ratio "store / zstd -19 of the whole input, at ingest" "$(per %.2fx "$q_store" "$z19")" "<= 1.7x"
		ratio "store / zstd -19 of the whole input, after compact" "$(per %.2fx "$qc_store" "$z19")" "<= 1.3x"
		ratio "store / zstd -19 --long=27, at ingest" "$(per %.2fx "$q_store" "$z19l")" "(reported)"
		ratio "store / zstd -19 --long=27, after compact" "$(per %.2fx "$qc_store" "$z19l")" "(reported)"
		ratio "store / zstd -3" "$(calc %.2fx "$q_store / $z3")" "(reported)"
		ratio "store / gzip -6" "$(calc %.2fx "$q_store / $gz")" "(reported)"
		ratio "random access median (ms)" "$(awk '/^store_get/ { print $2 }' "$D/randget.out")" "<= 0.5 ms"
		ratio "random access median after compact (ms)" "$(awk '/^store_get/ { print $2 }' "$D/randget-compact.out")" "<= 0.5 ms"
		while IFS='|' read -r name q qmed qp95 qc smed sp95 sc rmed rc umed qcms; do
			ratio "query '$name': rg -z / quire" "$(calc %.0fx "$rmed / $qmed")" ">= 100x"
			ratio "query '$name': quire / FTS5 top 10" "$(calc %.2fx "$qmed / $smed")" "<= 1x"
			[ "$qc" = "$sc" ] || ratio "query '$name': count differs from FTS5" "$qc/$sc" "(tokenizers differ)"
		done <"$D/queries.out"
		ratio "process start to first result (ms)" "$first_med" "< 20 ms (at 1,000,000 posts)"
		ratio "ingest peak RSS (MB)" "$(calc %.0f "$q_rss / 1024")" "< 512 MB"
		ratio "search peak RSS (MB)" "$(calc %.1f "$s_rss / 1024")" "< 64 MB"
		echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
	} >"$out"
	cat "$out"
	echo "$N $q_rate $r_rate $f_rate $(calc %.1f "1e6 / $q_rate") $(calc %.0f "$q_rss / 1024") $(awk '/^store_get/ { print $2 }' "$D/randget.out") $(awk -F'|' 'NR == 1 { print $3 }' "$D/queries.out") $first_med" >>"$T/growth.txt"
}

store_tune() {
	N=$1
	D=$T/n$N
	mkdir -p "$D"
	generate "$D" "$N"
	echo "== store: block size, level, dictionary ($N-post corpus) =="
	machine
	"$T/storetune" "$D/tweets.jsonl" "$D/storetune" "${BENCH_SAMPLE:-40000}" | tee "$D/storetune.out"
	rm -rf "$D/storetune"
}

if $store_only; then
	store_tune "$1"
	exit 0
fi
: >"$T/growth.txt"
for n in "$@"; do
	run_one "$n"
done
if [ $# -gt 1 ]; then
	echo
	echo "-- growth --"
	printf '%10s %10s %10s %10s %12s %10s %12s %12s %12s\n' posts "quire/s" "ref/s" "FTS5/s" "us a post" "RSS MB" "get med ms" "term ms" "first ms"
	while read -r n a b c d e f g h; do
		printf '%10s %10s %10.0f %10.0f %12s %10s %12s %12s %12s\n' "$n" "$a" "$b" "$c" "$d" "$e" "$f" "$g" "$h"
	done <"$T/growth.txt"
fi
