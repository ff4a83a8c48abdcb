#!/bin/sh
# Idempotence: the same inputs ingested three times, an input that overlaps
# them, and a forced re-read leave the same documents, the same citations
# and the same store; only sources.jsonl grows (one line per input read).
# Prints: runs: N, changed documents: 0, changed citations: 0, store bytes added: 0, other files changed: 0
. tests/cli/lib.sh

SEED=${SEED:-${RELIABILITY_SEED:-3}}
GEN="$ROOT/$B/tests/reliability/genposts"
IN="$T/in"
mkdir -p "$IN"
"$GEN" --seed "$SEED" --posts 1500 --inputs 3 --bad 5 --overlap 40 "$IN"
gzip -n "$IN/in-002.jsonl"
(cd "$IN" && zip -q -X in-003.zip in-003.jsonl && rm in-003.jsonl)
INPUTS="$IN/in-001.jsonl $IN/in-002.jsonl.gz $IN/in-003.zip"
# The overlapping input: valid lines of inputs 1 and 2, in another order.
{ grep '"user"' "$IN/in-001.jsonl" | tail -n 200; zcat "$IN/in-002.jsonl.gz" | grep '"user"' | head -n 200; } >"$T/overlap.jsonl"
C="$T/c"

snapshot() { # name
	"$QUIRE" search -c "$C" -f jsonl -n 0 '' 2>/dev/null | sort >"$T/$1.citations"
	"$QUIRE" search -c "$C" -f ids -n 0 '' 2>/dev/null | sort >"$T/$1.ids"
	du -b "$C/store" | tail -1 | cut -f1 >"$T/$1.store"
	# quire.lock names the last writer (its pid and time): not data.
	(cd "$C" && find . -path ./index -prune -o -type f ! -name sources.jsonl ! -name quire.lock -print | sort |
		xargs sha256sum) >"$T/$1.files"
	wc -l <"$C/sources.jsonl" >"$T/$1.sources"
}

runs=0 docs=0 cites=0 bytes=0 other=0 srcbad=0
compare() { # name what
	runs=$((runs + 1))
	cmp -s "$T/first.ids" "$T/$1.ids" || { docs=$((docs + 1)); not_ok "$2: same documents" "$(comm -3 "$T/first.ids" "$T/$1.ids" | head -3)"; }
	cmp -s "$T/first.citations" "$T/$1.citations" || { cites=$((cites + 1)); not_ok "$2: same citations" "$(diff "$T/first.citations" "$T/$1.citations" | head -4)"; }
	b=$(($(cat "$T/$1.store") - $(cat "$T/first.store")))
	[ $b -eq 0 ] || { bytes=$((bytes + b)); not_ok "$2: same store size ($b bytes added)"; }
	cmp -s "$T/first.files" "$T/$1.files" || { other=$((other + 1)); not_ok "$2: only sources.jsonl changes" "$(diff "$T/first.files" "$T/$1.files" | head -4)"; }
}

"$QUIRE" ingest -q -c "$C" $INPUTS >"$T/out" 2>&1
snapshot first
[ "$(wc -l <"$T/first.ids")" -eq "$(cat "$IN"/*.ids | sort -u | wc -l)" ] && ok "the first ingest holds every post" || not_ok "the first ingest holds every post"

for i in 2 3; do
	"$QUIRE" ingest -q -c "$C" $INPUTS >"$T/out" 2>&1
	grep -q "(3 unchanged skipped)" "$T/out" || not_ok "run $i: the inputs are seen as unchanged" "$(cat "$T/out")"
	snapshot run$i
	compare run$i "the same inputs, run $i"
	[ $(($(cat "$T/run$i.sources") - $(cat "$T/first.sources"))) -eq $((3 * (i - 1))) ] || { srcbad=1; not_ok "run $i: one source line per input"; }
done

"$QUIRE" ingest -q -c "$C" "$T/overlap.jsonl" >"$T/out" 2>&1
grep -q " 0 posts added, 0 updated, 400 duplicates" "$T/out" || not_ok "the overlapping input adds nothing" "$(cat "$T/out")"
snapshot overlap
compare overlap "an overlapping input"

# A forced re-read: every record is a duplicate; the rejected ones are
# rejected again (rejects.jsonl is the one other file that grows).
"$QUIRE" ingest -q -c "$C" --force $INPUTS >"$T/out" 2>&1
grep -q " 0 posts added, 0 updated, " "$T/out" || not_ok "a forced re-read adds nothing" "$(cat "$T/out")"
snapshot force
grep -v ' ./rejects.jsonl$' "$T/first.files" >"$T/first.files.x"
grep -v ' ./rejects.jsonl$' "$T/force.files" >"$T/force.files.x"
mv "$T/first.files.x" "$T/first.files"
mv "$T/force.files.x" "$T/force.files"
compare force "a forced re-read"
"$QUIRE" check -c "$C" >"$T/check" 2>&1 || not_ok "the corpus checks clean" "$(cat "$T/check")"

echo "# runs: $runs, changed documents: $docs, changed citations: $cites, store bytes added: $bytes, other files changed: $other"
[ $((docs + cites + bytes + other + srcbad)) -eq 0 ] && ok "re-ingesting changes nothing but the source log ($runs runs)"
