#!/bin/sh
# Fault injection at every write, fsync, rename, open and Xapian commit of
# the commit path (lib/io.c's QUIRE_FAULT), once and persistently, with
# ENOSPC and EIO: the ingest must fail with a message naming the file and
# the error and a non-zero exit; it must never commit after a failed fsync;
# the corpus must then check clean and a plain re-run must bring it to the
# full set of posts.  Three scenarios: a corpus created by the failing
# ingest; an existing corpus with small segments (so that segments roll
# over); an existing corpus whose store lost its end (so that the repair's
# writes and renames are on the path too).
# Prints: fault points: N, runs: N, failures: 0
# Parameters: POSTS (400), FULL=1 (both errnos and both modes at every
# point, and a full check after each re-run; else they alternate).
. tests/cli/lib.sh

POSTS=${POSTS:-400}
FULL=${FULL:-0}
SEED=${SEED:-${RELIABILITY_SEED:-7}}
GEN="$ROOT/$B/tests/reliability/genposts"
IN="$T/in"
mkdir -p "$IN"
"$GEN" --seed "$SEED" --posts "$POSTS" --inputs 3 --bad 10 "$IN"
gzip -n "$IN/in-002.jsonl"
INPUTS="$IN/in-001.jsonl $IN/in-002.jsonl.gz $IN/in-003.jsonl"
cat "$IN"/*.ids | sort -u >"$T/expected"

# The existing corpus: input 1 in, segments of 16 KiB.
BASE="$T/base"
"$QUIRE" ingest -q -c "$BASE" "$IN/in-001.jsonl" >/dev/null 2>&1
sed 's/"segment_size": *[0-9]*/"segment_size": 16384/' "$BASE/quire.json" >"$T/m" && cp "$T/m" "$BASE/quire.json"
CUT="$T/cut"
cp -a "$BASE" "$CUT"
truncate -s -100 "$CUT/store/000001.zst"

errtext() { case $1 in ENOSPC) echo "No space left on device" ;; *) echo "Input/output error" ;; esac; }

points=0 runs=0 failures=0
fail() {
	failures=$((failures + 1))
	[ $failures -le 10 ] && not_ok "$1" "$2"
}

run_case() { # scenario op n errno mode
	sc=$1 op=$2 i=$3 e=$4 mode=$5
	C="$T/c"
	rm -rf "$C"
	[ "$sc" = existing ] && cp -a "$BASE" "$C"
	[ "$sc" = cut ] && cp -a "$CUT" "$C"
	spec="$op:$i:$e"
	[ "$mode" = persist ] && spec="$spec:persist"
	rm -f "$T/trace"
	QUIRE_FAULT="$spec" QUIRE_FAULT_TRACE="$T/trace" "$QUIRE" ingest -q -c "$C" --batch 60 $INPUTS \
		>"$T/out" 2>"$T/err"
	rc=$?
	runs=$((runs + 1))
	what="$sc: $spec"
	if ! grep -q ' fault ' "$T/trace" 2>/dev/null; then
		fail "$what: the fault point exists" "$(tail -3 "$T/trace" 2>/dev/null)"
		return
	fi
	[ $rc -eq 5 ] || fail "$what: the ingest fails with exit 5 (exit $rc)" "$(cat "$T/out" "$T/err")"
	grep -q "^ingested " "$T/out" && fail "$what: no success reported" "$(cat "$T/out")"
	grep -q "$(errtext "$e")" "$T/err" || fail "$what: the message names the error" "$(cat "$T/err")"
	grep -q "'$C[/']" "$T/err" || fail "$what: the message names the file" "$(cat "$T/err")"
	# Nothing goes on after a failure: no index commit follows the fault
	# (after a failed fsync above all, which is never retried).
	if sed -n '/ fault /,$p' "$T/trace" | sed 1d | grep -q '^commit '; then
		fail "$what: no index commit after the failure" "$(sed -n '/ fault /,$p' "$T/trace" | head)"
	fi
	# The corpus, if there is one, is whole as the failure left it (the
	# cut one was damaged from the start)...
	if [ -f "$C/quire.json" ] && [ "$sc" != cut ]; then
		"$QUIRE" check -c "$C" --no-xapian >"$T/check" 2>&1
		crc=$?
		[ $crc -eq 0 ] || fail "$what: the corpus checks clean after the failure (exit $crc)" "$(cat "$T/err" "$T/check")"
	fi
	# ...and a re-run without faults brings every post in.
	"$QUIRE" ingest -q -c "$C" $INPUTS >"$T/out2" 2>&1 || fail "$what: a re-run succeeds" "$(cat "$T/out2")"
	if [ "$FULL" = 1 ]; then
		"$QUIRE" check -c "$C" >"$T/check2" 2>&1 || fail "$what: the corpus checks clean after a re-run" "$(cat "$T/check2")"
	fi
	"$QUIRE" search -c "$C" -f ids -n 0 '' 2>/dev/null | sort >"$T/ids"
	cmp -s "$T/ids" "$T/expected" || fail "$what: every post is there after a re-run" \
		"$(comm -3 "$T/expected" "$T/ids" | head -5)"
}

for sc in fresh existing cut; do
	C="$T/c"
	rm -rf "$C"
	[ "$sc" = existing ] && cp -a "$BASE" "$C"
	[ "$sc" = cut ] && cp -a "$CUT" "$C"
	rm -f "$T/clean"
	QUIRE_FAULT_TRACE="$T/clean" "$QUIRE" ingest -q -c "$C" --batch 60 $INPUTS >/dev/null 2>&1
	for op in write fsync rename open commit; do
		count=$(grep -c "^$op " "$T/clean")
		# Quick runs: past its first commit, a new corpus takes the same
		# path as the existing one.
		[ "$FULL" != 1 ] && [ $sc = fresh ] && count=$(sed '/^commit 1$/q' "$T/clean" | grep -c "^$op ")
		echo "# $sc corpus: $count ${op} calls on the commit path"
		i=1
		while [ $i -le "$count" ]; do
			points=$((points + 1))
			if [ "$FULL" = 1 ]; then
				for mode in once persist; do
					for e in ENOSPC EIO; do run_case $sc $op $i $e $mode; done
				done
			else
				e=EIO mode=once
				[ $((points % 2)) -eq 0 ] && e=ENOSPC
				[ $((points / 2 % 2)) -eq 0 ] && mode=persist
				run_case $sc $op $i $e $mode
			fi
			i=$((i + 1))
		done
	done
done

echo "# fault points: $points, runs: $runs, failures: $failures"
[ $failures -eq 0 ] && ok "every injected fault failed the ingest cleanly ($runs runs at $points points)"
[ $failures -gt 10 ] && not_ok "... and $((failures - 10)) more failures"
[ $points -gt 20 ] && ok "the commit path has fault points ($points)" || not_ok "the commit path has fault points ($points)"
exit 0
