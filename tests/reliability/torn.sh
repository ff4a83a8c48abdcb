#!/bin/sh
# Torn tail: cut the last segment at every byte of its last two blocks
# (each a header frame and a data frame), as a disk that lost the end of a
# file would.  For every cut: quire check names the cut (exit 3); readers
# still open and 'show --raw' returns only bytes that match their sha256;
# the next writable open succeeds, cutting back to the last complete block
# and reporting it; ingesting the inputs again restores every post.
# Also torn uncommitted tails (a partial block after the committed end).
# Prints: cuts: N, open failures: 0, wrong bytes: 0, unreported: 0, not restored: 0
# Parameters: STEP (1: every byte; make test uses a larger step).
. tests/cli/lib.sh

STEP=${STEP:-1}
SEED=${SEED:-${RELIABILITY_SEED:-5}}
GEN="$ROOT/$B/tests/reliability/genposts"
IN="$T/in"
mkdir -p "$IN" "$T/one" "$T/two"
"$GEN" --seed "$SEED" --posts 300 --inputs 1 "$IN"
# Two more inputs of one post each: the last two blocks are small, so
# that cutting at every byte of them stays quick.
"$GEN" --seed $((SEED + 1)) --posts 1 --inputs 1 "$T/one"
"$GEN" --seed $((SEED + 2)) --posts 1 --inputs 1 "$T/two"
mv "$T/one/in-001.jsonl" "$IN/in-002.jsonl"
mv "$T/one/in-001.ids" "$IN/in-002.ids"
mv "$T/two/in-001.jsonl" "$IN/in-003.jsonl"
mv "$T/two/in-001.ids" "$IN/in-003.ids"
INPUTS="$IN/in-001.jsonl $IN/in-002.jsonl $IN/in-003.jsonl"
cat "$IN"/*.ids | sort -u >"$T/expected"

P="$T/pristine"
for f in $INPUTS; do "$QUIRE" ingest -q -c "$P" "$f" >/dev/null 2>&1; done
SEG="store/000001.zst"
SIZE=$(stat -c %s "$P/$SEG")
"$QUIRE" check -v --no-xapian -c "$P" | sed -n 's/^block 000001\.zst:\([0-9]*\)-\([0-9]*\):.*/\1 \2/p' >"$T/blocks"
nblocks=$(wc -l <"$T/blocks")
S1=$(sed -n "$((nblocks - 1))p" "$T/blocks" | cut -d' ' -f1)
S2=$(sed -n "${nblocks}p" "$T/blocks" | cut -d' ' -f1)
[ "$(sed -n "${nblocks}p" "$T/blocks" | cut -d' ' -f2)" = "$SIZE" ] || not_ok "the block map ends at the segment's end"
ID_OLD=$(head -1 "$IN/in-001.ids")
ID_CUT=$(cat "$IN/in-003.ids")
"$QUIRE" show -c "$P" --verify "$ID_OLD" "$ID_CUT" | awk '{print $3}' >"$T/shas"
SHA_OLD=$(sed -n 1p "$T/shas")
SHA_CUT=$(sed -n 2p "$T/shas")
echo "# the last two blocks: bytes $S1-$S2-$SIZE of $SEG"

cuts=0 openfail=0 wrong=0 unreported=0 notrestored=0
bad() { [ $(($1)) -le 8 ] && not_ok "$2" "$3"; }

# Does `show --raw ID` return either nothing (exit 3) or the very bytes
# whose sha256 the index holds?
raw_ok() { # corpus id sha
	"$QUIRE" show -c "$1" --raw "$2" >"$T/raw" 2>"$T/raw.err"
	r=$?
	if [ $r -eq 0 ]; then
		got=$(head -c -1 "$T/raw" | sha256sum | cut -d' ' -f1)
		[ "$got" = "$3" ]
	else
		[ $r -eq 3 ] && [ ! -s "$T/raw" ]
	fi
}

cut_at() { # byte
	at=$1
	C="$T/c"
	rm -rf "$C"
	cp -a "$P" "$C"
	truncate -s "$at" "$C/$SEG"
	cuts=$((cuts + 1))
	if [ "$at" -lt "$S2" ]; then start=$S1; else start=$S2; fi
	# Read only: the cut is named, readers still open.
	"$QUIRE" check -c "$C" --no-xapian >"$T/check" 2>&1
	if [ $? -ne 3 ] || ! grep -q "ends at 000001.zst byte $at, before the tail" "$T/check"; then
		unreported=$((unreported + 1))
		bad unreported "cut at $at: quire check names it" "$(cat "$T/check")"
	fi
	raw_ok "$C" "$ID_OLD" "$SHA_OLD" || { wrong=$((wrong + 1)); bad wrong "cut at $at: show --raw of an intact post" "$(cat "$T/raw.err")"; }
	raw_ok "$C" "$ID_CUT" "$SHA_CUT" || { wrong=$((wrong + 1)); bad wrong "cut at $at: show --raw of the cut post" "$(cat "$T/raw.err")"; }
	"$QUIRE" search -c "$C" -f ids -n 1 '' >/dev/null 2>&1 || { openfail=$((openfail + 1)); bad openfail "cut at $at: a reader opens"; }
	# The next writable open cuts back to the last complete block, says
	# so, and the inputs bring every post back.
	"$QUIRE" ingest -q -c "$C" $INPUTS >"$T/out" 2>"$T/err"
	if [ $? -ne 0 ]; then
		openfail=$((openfail + 1))
		bad openfail "cut at $at: the next ingest opens the corpus" "$(cat "$T/err")"
		return
	fi
	if ! grep -q "recovered the corpus: the records store ends at 000001.zst byte $at" "$T/err" ||
		{ [ "$at" -ne "$start" ] && ! grep -q "back to byte $start (the end of its last complete block)" "$T/err"; }; then
		unreported=$((unreported + 1))
		bad unreported "cut at $at: the ingest reports the cut back to $start" "$(cat "$T/err")"
	fi
	lf="$C/store/lost+found/000001.zst.$start-$at"
	if [ "$at" -ne "$start" ] && { [ "$(stat -c %s "$lf" 2>/dev/null)" != $((at - start)) ] ||
		! cmp -s -n $((at - start)) -i "0:$start" "$lf" "$P/$SEG"; }; then
		wrong=$((wrong + 1))
		bad wrong "cut at $at: the bytes cut off are kept in lost+found" "$(ls -l "$C/store/lost+found" 2>&1)"
	fi
	"$QUIRE" check -c "$C" >"$T/check2" 2>&1 || { notrestored=$((notrestored + 1)); bad notrestored "cut at $at: the corpus checks clean after the ingest" "$(cat "$T/check2")"; }
	"$QUIRE" search -c "$C" -f ids -n 0 '' 2>/dev/null | sort >"$T/ids"
	cmp -s "$T/ids" "$T/expected" || { notrestored=$((notrestored + 1)); bad notrestored "cut at $at: every post is back" "$(comm -3 "$T/ids" "$T/expected" | head -3)"; }
}

at=$S1
while [ "$at" -lt "$SIZE" ]; do
	cut_at "$at"
	# Always the bytes around the frame boundaries; the rest by STEP.
	next=$((at + STEP))
	for edge in $((S1 + 8)) $((S2 - 1)) $S2 $((S2 + 8)) $((SIZE - 1)); do
		[ "$edge" -gt "$at" ] && [ "$edge" -lt "$next" ] && next=$edge
	done
	at=$next
done

# Torn tails past the committed end (a write cut short): a prefix of a
# block appended.  Not damage (a note); the next ingest cuts it.
torn=0
for len in 1 7 8 40 $((SIZE - S2 - 1)); do
	C="$T/c"
	rm -rf "$C"
	cp -a "$P" "$C"
	tail -c +$((S2 + 1)) "$P/$SEG" | head -c "$len" >>"$C/$SEG"
	torn=$((torn + 1))
	"$QUIRE" check -c "$C" --no-xapian >"$T/check" 2>&1
	if [ $? -ne 0 ] || ! grep -q '^note: .*past the committed tail' "$T/check"; then
		unreported=$((unreported + 1))
		bad unreported "torn tail of $len bytes: a note, not damage" "$(cat "$T/check")"
	fi
	"$QUIRE" ingest -q -c "$C" $INPUTS >"$T/out" 2>"$T/err" || { openfail=$((openfail + 1)); bad openfail "torn tail of $len bytes: the ingest opens" "$(cat "$T/err")"; }
	grep -q "cut a torn block of $len bytes" "$T/err" || { unreported=$((unreported + 1)); bad unreported "torn tail of $len bytes: the cut is reported" "$(cat "$T/err")"; }
	[ "$(stat -c %s "$C/$SEG")" = "$SIZE" ] || { wrong=$((wrong + 1)); bad wrong "torn tail of $len bytes: cut back to the committed end"; }
done

echo "# cuts: $cuts (and $torn torn uncommitted tails), open failures: $openfail, wrong bytes: $wrong, unreported: $unreported, not restored: $notrestored"
[ $openfail -eq 0 ] && ok "the corpus opens after every cut ($cuts)" || not_ok "the corpus opens after every cut ($openfail failures)"
[ $wrong -eq 0 ] && ok "show --raw never returns bytes that do not match their sha256" || not_ok "no wrong bytes ($wrong)"
[ $unreported -eq 0 ] && ok "every cut is reported" || not_ok "every cut is reported ($unreported not)"
[ $notrestored -eq 0 ] && ok "ingesting the inputs again restores every post" || not_ok "every post restored ($notrestored not)"
