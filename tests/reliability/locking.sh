#!/bin/sh
# Locking and readers: while an ingest runs, a second ingest on the same
# corpus fails within a second with "corpus is locked" and exit 4, and four
# readers searching in a loop see no failed query (search, or show
# --verify of its results) and never a result whose record is not in the
# store (each result is verified against the store).
# Prints: second ingest: exit 4 in N ms; readers: 4, queries: N, failed: 0, not in store: 0
# Parameters: POSTS (20000), BATCH (300), THREADS (index writers: 1 commits
# as it goes, so readers see posts arrive; unset, a load into the new corpus
# runs two writers and readers see the corpus as it was until the end).
. tests/cli/lib.sh

POSTS=${POSTS:-20000}
BATCH=${BATCH:-300}
SEED=${SEED:-${RELIABILITY_SEED:-9}}
GEN="$ROOT/$B/tests/reliability/genposts"
IN="$T/in"
C="$T/c"
mkdir -p "$IN"
"$GEN" --seed "$SEED" --posts "$POSTS" --inputs 4 --bad 2 "$IN"
: >"$T/empty.jsonl"
"$QUIRE" ingest -q -c "$C" "$T/empty.jsonl" >/dev/null 2>&1

now_ms() { echo $(($(date +%s%N) / 1000000)); }

"$QUIRE" ingest -q -c "$C" --batch "$BATCH" ${THREADS:+--threads "$THREADS"} "$IN"/in-*.jsonl >"$T/a.out" 2>"$T/a.err" &
A=$!
# Wait for the first commit (one writer) or the bulk load's shards (two).
i=0
while [ $i -lt 300 ] && ! [ -d "$C/bulk.tmp" ] && ! "$QUIRE" search -c "$C" -f ids -n 1 '' >/dev/null 2>&1; do
	sleep 0.02
	i=$((i + 1))
done

# The second writer.
t0=$(now_ms)
"$QUIRE" ingest -q -c "$C" "$T/empty.jsonl" >"$T/b.out" 2>"$T/b.err"
brc=$?
ms=$(($(now_ms) - t0))
if ! kill -0 $A 2>/dev/null; then
	skip "the second ingest is refused while the first runs" "the first ingest ended before the second started"
else
	[ $brc -eq 4 ] && ok "the second ingest exits 4" || not_ok "the second ingest exits 4 (exit $brc)" "$(cat "$T/b.err")"
	grep -q "corpus is locked" "$T/b.err" && ok "it says the corpus is locked" || not_ok "it says the corpus is locked" "$(cat "$T/b.err")"
	[ $ms -lt 1000 ] && ok "within a second ($ms ms)" || not_ok "within a second ($ms ms)"
fi

# Four readers while the ingest goes on.
reader() { # number
	q=0 f=0 m=0
	words="protest police march fans city crowd statement video"
	while kill -0 $A 2>/dev/null; do
		for w in $words; do
			q=$((q + 1))
			"$QUIRE" search -c "$C" -f ids -n 25 --sort newest "$w" >"$T/r$1.ids" 2>"$T/r$1.err"
			rc=$?
			if [ $rc -gt 1 ]; then
				f=$((f + 1))
				cat "$T/r$1.err" >>"$T/r$1.failed"
				continue
			fi
			[ -s "$T/r$1.ids" ] || continue
			# Every result's record is in the store, with its sha256.
			"$QUIRE" show -c "$C" --verify $(cat "$T/r$1.ids") >"$T/r$1.verify" 2>"$T/r$1.verr"
			rc=$?
			if grep -q '^DAMAGED ' "$T/r$1.verify"; then
				m=$((m + 1))
				{ grep -v "^ok " "$T/r$1.verify"; cat "$T/r$1.verr"; } >>"$T/r$1.missing"
			elif [ $rc -ne 0 ] || [ "$(grep -c '^ok ' "$T/r$1.verify")" -ne "$(wc -l <"$T/r$1.ids")" ]; then
				f=$((f + 1))
				cat "$T/r$1.verr" >>"$T/r$1.failed"
			fi
		done
	done
	echo "$q $f $m" >"$T/r$1.tally"
}
for r in 1 2 3 4; do reader $r & done
wait $A
arc=$?
wait
[ $arc -eq 0 ] && ok "the ingest finishes" || not_ok "the ingest finishes (exit $arc)" "$(cat "$T/a.err")"

queries=0 failed=0 missing=0
for r in 1 2 3 4; do
	read -r q f m <"$T/r$r.tally"
	queries=$((queries + q))
	failed=$((failed + f))
	missing=$((missing + m))
done
echo "# ${THREADS:-2} writer(s): second ingest: exit $brc in $ms ms; readers: 4, queries: $queries, failed: $failed, not in store: $missing"
[ $failed -eq 0 ] && ok "no failed query ($queries queries)" || not_ok "no failed query ($failed of $queries)" "$(cat "$T"/r*.failed 2>/dev/null | head -5)"
[ $missing -eq 0 ] && ok "no result whose record is not in the store" || not_ok "no result whose record is not in the store ($missing)" "$(cat "$T"/r*.missing 2>/dev/null | head -5)"
[ $queries -ge 20 ] && ok "the readers ran during the ingest" || not_ok "the readers ran during the ingest ($queries queries)"
"$QUIRE" check -c "$C" >"$T/check" 2>&1 && ok "the corpus checks clean" || not_ok "the corpus checks clean" "$(cat "$T/check")"
