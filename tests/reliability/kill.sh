#!/bin/sh
# Kill test: kill -9 the ingester at random moments.  The generated posts
# come in many inputs; trial k ingests inputs 1..k and is killed part way.
# Right after each kill, before anything repairs it, the committed state
# must be whole (quire check) and hold every post committed before; then
# the ingest is finished and the corpus must hold exactly the posts of
# inputs 1..k: none lost, none twice, store and index agreeing, and
# xapian-check clean.  Prints:
#   kills: N, lost: 0, duplicates: 0, mismatches: 0
# Parameters (environment): KILLS (100), POSTS (50000), SEED, BATCH (50:
# small batches, so that kills often land between a store sync and the
# index commit).
. tests/cli/lib.sh

KILLS=${KILLS:-100}
POSTS=${POSTS:-50000}
SEED=${SEED:-${RELIABILITY_SEED:-1}}
BATCH=${BATCH:-50}
GEN="$ROOT/$B/tests/reliability/genposts"
if [ ! -x "$GEN" ]; then
	not_ok "the post generator is built" "make $B/tests/reliability/genposts"
	exit 1
fi

IN="$T/in"
C="$T/corpus"
mkdir -p "$IN"
# Three times as many inputs as kills: a trial whose ingest ends before the
# kill lands does not count as a kill, and how many land depends on how
# busy the machine is; the trials stop once KILLS have landed.
NIN=$((KILLS * 3 + 1))
"$GEN" --seed "$SEED" --posts "$POSTS" --inputs "$NIN" --bad 3 --overlap 30 "$IN"
# Some inputs compressed, so that kills land in the container layer too.
for f in "$IN"/in-*3.jsonl; do gzip -n "$f"; done
ls "$IN"/in-*.jsonl* | sort >"$T/inputs"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# How long one input takes, to spread the kills over an ingest.
t0=$(now_ms)
"$QUIRE" ingest -q -c "$T/scratch" --batch "$BATCH" "$(head -1 "$T/inputs")" >/dev/null 2>&1
D=$(($(now_ms) - t0 + 20))
rm -rf "$T/scratch"
awk -v s="$SEED" -v n=$((NIN * 2)) -v d="$D" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.3f\n", rand() * d / 1000 }' \
	>"$T/delays"

kills=0 lost=0 dups=0 mismatches=0 midwrite=0 recovered=0 xfail=0 trials=0
: >"$T/ids.prev"
: >"$T/expected"

# Numbers from quire check's summary.
damage_of() { sed -n 's/^DAMAGED: \([0-9]*\) problem.*/\1/p' "$1" | head -1; }
dups_of() {
	r=$(sed -n 's/^store: .* records (\([0-9]*\) stored twice).*/\1/p' "$1")
	p=$(sed -n 's/^index: .* posts (\([0-9]*\) duplicate.*/\1/p' "$1")
	echo $((${r:-0} + ${p:-0}))
}

# Finish: run the ingest to its end (the lock of a killed writer may take
# a moment to go).
finish() {
	for attempt in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		"$QUIRE" ingest -q -c "$C" --batch "$BATCH" $1 >/dev/null 2>"$T/finish.err"
		rc=$?
		[ $rc -ne 4 ] && break
		sleep 0.1
	done
	grep -q 'recovered the corpus' "$T/finish.err" && recovered=$((recovered + 1))
	return $rc
}

# Kill an ingest of $1 after $2 seconds; 0 when the kill landed.
kill_ingest() {
	# (Under make asan: no leak check in a process killed on purpose; the
	# kill can land in the middle of it.)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		"$QUIRE" ingest -q -c "$C" --batch "$BATCH" $1 >/dev/null 2>&1 &
	pid=$!
	sleep "$2"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ $? -eq 137 ]
}

k=0
while [ $kills -lt "$KILLS" ] && [ $k -lt "$NIN" ]; do
	k=$((k + 1))
	trials=$((trials + 1))
	inputs=$(head -n $k "$T/inputs" | tr '\n' ' ')
	delay=$(sed -n "${k}p" "$T/delays")
	kill_ingest "$inputs" "$delay" && kills=$((kills + 1))

	# The committed state, as the kill left it.
	"$QUIRE" check -c "$C" --no-xapian >"$T/check1" 2>&1
	n=$(damage_of "$T/check1")
	[ -n "$n" ] && { mismatches=$((mismatches + n)); cp "$T/check1" "$T/check1.kill$k"; }
	grep -q '^note:' "$T/check1" && midwrite=$((midwrite + 1))
	"$QUIRE" search -c "$C" -f ids -n 0 '' 2>/dev/null | sort >"$T/ids.now"
	n=$(comm -23 "$T/ids.prev" "$T/ids.now" | wc -l)
	lost=$((lost + n))

	# Every fifth trial, kill the resumed ingest too (during recovery).
	if [ $((k % 5)) -eq 0 ] && [ $kills -lt "$KILLS" ]; then
		d2=$(sed -n "$((NIN + k))p" "$T/delays")
		d2=$(awk -v d="$d2" 'BEGIN { printf "%.3f", d / 4 }')
		kill_ingest "$inputs" "$d2" && kills=$((kills + 1))
	fi

	if ! finish "$inputs"; then
		not_ok "trial $k: the resumed ingest finishes" "$(cat "$T/finish.err")"
		mismatches=$((mismatches + 1))
	fi
	"$QUIRE" check -c "$C" --no-xapian >"$T/check2" 2>&1
	n=$(damage_of "$T/check2")
	[ -n "$n" ] && { mismatches=$((mismatches + n)); cp "$T/check2" "$T/check2.trial$k"; }
	dups=$((dups + $(dups_of "$T/check2")))
	if command -v xapian-check >/dev/null 2>&1 && ! xapian-check "$C/index" >"$T/xcheck" 2>&1; then
		xfail=$((xfail + 1))
		mismatches=$((mismatches + 1))
	fi
	sed -n "${k}p" "$T/inputs" | sed 's/\.jsonl\(\.gz\)\{0,1\}$/.ids/' | xargs cat >>"$T/expected"
	sort -u "$T/expected" -o "$T/expected"
	"$QUIRE" search -c "$C" -f ids -n 0 '' 2>/dev/null | sort >"$T/ids.now"
	lost=$((lost + $(comm -23 "$T/expected" "$T/ids.now" | wc -l)))
	mismatches=$((mismatches + $(comm -13 "$T/expected" "$T/ids.now" | wc -l)))
	cp "$T/ids.now" "$T/ids.prev"
done

# The rest of the inputs, so that every generated post goes through.
finish "$(tr '\n' ' ' <"$T/inputs")" || mismatches=$((mismatches + 1))
for f in $(cat "$T/inputs"); do cat "$(echo "$f" | sed 's/\.jsonl\(\.gz\)\{0,1\}$/.ids/')"; done | sort -u >"$T/expected"
"$QUIRE" check -c "$C" >"$T/check3" 2>&1 || mismatches=$((mismatches + 1))
"$QUIRE" search -c "$C" -f ids -n 0 '' 2>/dev/null | sort >"$T/ids.now"
lost=$((lost + $(comm -23 "$T/expected" "$T/ids.now" | wc -l)))
total=$(wc -l <"$T/ids.now")

echo "# kills: $kills, lost: $lost, duplicates: $dups, mismatches: $mismatches"
echo "# $trials trials, $total posts in $NIN inputs; $midwrite kills left an uncommitted tail, $recovered resumed ingests recovered one; xapian-check failures: $xfail"
[ "$kills" -ge "$KILLS" ] && ok "$kills kills landed" || not_ok "$KILLS kills landed (only $kills: the ingests ended first)"
[ "$lost" -eq 0 ] && ok "no committed post lost" || not_ok "no committed post lost ($lost)"
[ "$dups" -eq 0 ] && ok "no duplicates" || not_ok "no duplicates ($dups)"
if [ "$mismatches" -eq 0 ]; then
	ok "no store/index mismatch, xapian-check clean"
else
	not_ok "no store/index mismatch, xapian-check clean ($mismatches)" "$(cat "$T"/check1.kill* "$T"/check2.trial* 2>/dev/null | grep -v '^note' | head -20)"
fi
[ "$total" -eq "$(wc -l <"$T/expected")" ] && ok "the corpus holds every generated post ($total)" ||
	not_ok "the corpus holds every generated post ($total of $(wc -l <"$T/expected"))"
