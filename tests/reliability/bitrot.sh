#!/bin/sh
# Bit rot: flip random bytes in sealed store segments.  Every block (header
# frame + data frame) that holds a flipped byte must be named by quire check
# (segment and byte offset) and nothing else; 'show --raw' must never return
# bytes that do not match their sha256; '--repair' must not change one byte
# of the store.
# Prints: flips: N, blocks hit: N, detected: N, missed: 0, false alarms: 0, wrong bytes: 0
# Parameters: FLIPS (1000), PER (flips per round, 50), POSTS (6000), RAWCALLS
# (show --raw calls per round, 16), SEED.
. tests/cli/lib.sh

FLIPS=${FLIPS:-1000}
PER=${PER:-50}
POSTS=${POSTS:-6000}
RAWCALLS=${RAWCALLS:-16}
SEED=${SEED:-${RELIABILITY_SEED:-11}}
GEN="$ROOT/$B/tests/reliability/genposts"
IN="$T/in"
mkdir -p "$IN"
"$GEN" --seed "$SEED" --posts "$POSTS" --inputs 4 "$IN"

# A corpus with 16 KiB blocks in 64 KiB segments, so that most of the store
# is sealed and a flip hits one block of many.
P="$T/pristine"
: >"$T/empty.jsonl"
"$QUIRE" ingest -q -c "$P" "$T/empty.jsonl" >/dev/null 2>&1
sed 's/"segment_size": *[0-9]*/"segment_size": 65536/; s/"block_size": *[0-9]*/"block_size": 16384/' "$P/quire.json" >"$T/m" && cp "$T/m" "$P/quire.json"
"$QUIRE" ingest -q -c "$P" "$IN"/in-*.jsonl >/dev/null 2>&1
last=$(ls "$P/store" | grep -c '^[0-9]*\.zst$')
if [ "$last" -lt 3 ]; then
	not_ok "the store has sealed segments ($last segments)"
	exit 0
fi
# Sealed segments and their sizes; the block map; every post's sha256.
: >"$T/segs"
i=1
while [ $i -lt "$last" ]; do
	f=$(printf '%06d.zst' $i)
	echo "$i $(stat -c %s "$P/store/$f")" >>"$T/segs"
	i=$((i + 1))
done
"$QUIRE" check -v --no-xapian -c "$P" | sed -n 's/^block 0*\([0-9]*\)\.zst:\([0-9]*\)-\([0-9]*\):.*/\1 \2 \3/p' >"$T/blocks"
"$QUIRE" search -c "$P" -f ids -n 0 '' >"$T/ids"
"$QUIRE" show -c "$P" --verify $(cat "$T/ids") >"$T/verify"
grep -vc '^ok ' "$T/verify" | grep -q '^0$' || not_ok "the pristine corpus verifies"

flips=0 hit=0 detected=0 missed=0 false=0 wrong=0 samples=0 repair_bad=0
round=0
C="$T/c"

# Flip one byte: XOR with a value from 1 to 255.
flip() { # file offset xor
	old=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	new=$((old ^ $3))
	printf "\\$(printf %o "$new")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

raw_ok() { # id sha
	"$QUIRE" show -c "$C" --raw "$1" >"$T/raw" 2>"$T/raw.err"
	r=$?
	if [ $r -eq 0 ]; then
		[ "$(head -c -1 "$T/raw" | sha256sum | cut -d' ' -f1)" = "$2" ]
	else
		[ $r -eq 3 ] && [ ! -s "$T/raw" ]
	fi
}

while [ $flips -lt "$FLIPS" ]; do
	round=$((round + 1))
	rm -rf "$C"
	cp -a "$P" "$C"
	cnt=$PER
	[ $((flips + cnt)) -gt "$FLIPS" ] && cnt=$((FLIPS - flips))
	# Distinct (segment, offset, xor), segments weighted by size.
	awk -v s=$((SEED * 1000 + round)) -v n="$cnt" '
		{ seg[NR] = $1; size[NR] = $2; total += $2 }
		END {
			srand(s)
			while (made < n) {
				x = int(rand() * total)
				for (i = 1; x >= size[i]; i++) x -= size[i]
				key = seg[i] " " x
				if (key in seen) continue
				seen[key] = 1
				print seg[i], x, 1 + int(rand() * 255)
				made++
			}
		}' "$T/segs" >"$T/flips"
	while read -r seg off xor; do
		flip "$C/store/$(printf '%06d.zst' "$seg")" "$off" "$xor"
	done <"$T/flips"
	flips=$((flips + cnt))
	# The blocks that hold a flipped byte.
	awk 'NR == FNR { b[NR] = $0; nb = NR; next }
	     { for (i = 1; i <= nb; i++) { split(b[i], f, " "); if (f[1] == $1 && $2 >= f[2] && $2 < f[3]) { print f[1], f[2]; break } } }' \
		"$T/blocks" "$T/flips" | sort -u >"$T/expected"
	"$QUIRE" check -c "$C" --no-xapian >"$T/check" 2>&1
	rc=$?
	# Named: a block (seg off end) or a stretch up to the next header found.
	sed -n "s/^damage: damaged block in '.*store\/0*\([0-9]*\)\.zst' at byte \([0-9]*\):.*bytes [0-9]*-\([0-9]*\) cannot be read.*/\1 \2 \3/p
	        s/^damage: damaged block in '.*store\/0*\([0-9]*\)\.zst' at byte \([0-9]*\):.*/\1 \2 \2/p" "$T/check" |
		sort -u >"$T/found"
	e=$(wc -l <"$T/expected")
	hit=$((hit + e))
	# A block is detected when a stretch named starts at it or holds it; a
	# stretch that holds no damaged block is a false alarm.
	m=$(awk 'NR == FNR { s[NR] = $1; a[NR] = $2; z[NR] = $3; nf = NR; next }
		 { for (i = 1; i <= nf; i++) if (s[i] == $1 && (a[i] == $2 || (a[i] <= $2 && $2 < z[i]))) next; print }' \
		"$T/found" "$T/expected" | tee "$T/missed" | wc -l)
	f=$(awk 'NR == FNR { e[$1 " " $2] = 1; es[NR] = $1; eo[NR] = $2; ne = NR; next }
		 { if (($1 " " $2) in e) next; for (i = 1; i <= ne; i++) if (es[i] == $1 && $2 <= eo[i] && eo[i] < $3) next; print }' \
		"$T/expected" "$T/found" | tee "$T/false" | wc -l)
	missed=$((missed + m))
	false=$((false + f))
	detected=$((detected + e - m))
	[ $rc -eq 3 ] || { missed=$((missed + 1)); not_ok "round $round: quire check exits 3 (exit $rc)"; }
	[ "$m" -gt 0 ] && not_ok "round $round: every damaged block named" "$(head -3 "$T/missed")"
	[ "$f" -gt 0 ] && not_ok "round $round: no false alarm" "$(head -3 "$T/false")"
	# show --raw on posts of damaged blocks and on others.
	awk 'NR == FNR { d[$1 ":" $2] = 1; next }
	     { split($4, l, ":"); s = l[1]; sub(/\.zst$/, "", s); s += 0; print (d[s ":" l[2]] ? 0 : 1), $2, $3 }' \
		"$T/expected" "$T/verify" | sort -s -k1,1 | awk -v n="$RAWCALLS" -v r="$round" '
		$1 == 0 && a < n / 2 && (NR + r) % 3 == 0 { print; a++; next }
		$1 == 1 && b < n / 2 && (NR + r) % 97 == 0 { print; b++ }' >"$T/samples"
	while read -r dmg id sha; do
		samples=$((samples + 1))
		raw_ok "$id" "$sha" || { wrong=$((wrong + 1)); not_ok "round $round: show --raw $id" "$(cat "$T/raw.err")"; }
	done <"$T/samples"
	# Once: the repair leaves every byte of the store as it is.
	if [ $round -eq 1 ]; then
		(cd "$C/store" && sha256sum *.zst) >"$T/before"
		"$QUIRE" check -c "$C" --repair --no-xapian >"$T/repair" 2>&1
		r=$?
		(cd "$C/store" && sha256sum *.zst) >"$T/after"
		cmp -s "$T/before" "$T/after" || { repair_bad=1; not_ok "the repair leaves the store's bytes alone"; }
		[ $r -eq 3 ] || { repair_bad=1; not_ok "the repair says damage is left (exit $r)" "$(tail -5 "$T/repair")"; }
		grep -q 'cannot be repaired' "$T/repair" || { repair_bad=1; not_ok "the repair counts what it cannot repair"; }
	fi
done

echo "# flips: $flips in $round rounds, blocks hit: $hit, detected: $detected, missed: $missed, false alarms: $false, wrong bytes: $wrong ($samples show --raw calls)"
[ $missed -eq 0 ] && ok "every flipped block detected and named ($detected)" || not_ok "every flipped block detected ($missed missed)"
[ $false -eq 0 ] && ok "no intact block reported" || not_ok "no false alarm ($false)"
[ $wrong -eq 0 ] && ok "show --raw never returns bytes that do not match their sha256 ($samples calls)" || not_ok "show --raw wrong bytes ($wrong)"
[ $repair_bad -eq 0 ] && ok "--repair changes no byte of the store"
