# The journal of codes and event catalogues (lib/journal.h, lib/tags.h):
# codes and events come back when the index is rebuilt from the store, a
# swap without RENAME_EXCHANGE survives a crash at every step, one corpus
# lock holds a repair, readers of a corpus without an index, the journal's
# own damage, and --history.
. tests/cli/lib.sh

C="$T/c"
ingest_or_exit "the demo corpus, with its events" "$C" --events "$ROOT/corpus/events" "$ROOT/corpus/demo/data"
"$QUIRE" tag -c "$C" +coded -- '#WhiteLivesMatter date:2020-06-03' >/dev/null
"$QUIRE" tag -c "$C" -coded +reviewed +fancam/kpop -- '#WhiteLivesMatter date:2020-06-03T05' >/dev/null
"$QUIRE" tag -c "$C" +offmessage -- 'from:dallas_pd_demo' >/dev/null
# A catalogue that differs from the corpus's copy, applied: the posts'
# events are now those of this one, which the corpus's events/ no longer
# holds once it is put back.
mkdir "$T/ev"
cp "$ROOT"/corpus/events/*.json "$T/ev/"
sed 's/"iwatch-dallas"/"iwatch-dallas-2"/' "$ROOT/corpus/events/iwatch-dallas.json" >"$T/ev/iwatch-dallas.json"
"$QUIRE" events apply -c "$C" --events "$T/ev" >/dev/null
cp "$ROOT/corpus/events/iwatch-dallas.json" "$C/events/iwatch-dallas.json"

# Every post's id, codes and events, one line each.
state() { # corpus
	"$QUIRE" search -c "$1" -f jsonl -n 0 '' 2>/dev/null |
		jq -c '.post | {id, tags: (.tags // [] | sort), events: (.events // [] | sort)}' | sort
}
state "$C" >"$T/before"
# same_state CORPUS: its state is the one before (exit status of cmp).
same_state() { state "$1" | cmp -s - "$T/before"; }
check_output "posts carry codes" "$("$QUIRE" count -c "$C" 'tag:coded OR tag:reviewed OR tag:offmessage')" \
	jq -s 'map(select(.tags | length > 0)) | length' "$T/before"
check_output "and the applied catalogue's events" "$("$QUIRE" count -c "$C" 'event:iwatch-dallas-2')" \
	jq -s 'map(select(.events | index("iwatch-dallas-2"))) | length' "$T/before"
check "the journal is standard zstd holding JSON lines" sh -c "zstd -dc '$C/store/journal.zst' | jq -e -s 'length == 5 and .[0].op == \"events\" and .[1].op == \"tag\" and .[4].op == \"events\"' >/dev/null"
check_grep "quire check compares the index's codes with the journal" '^journal: 5 entries, .* 0 damaged; codes: as the journal gives them' "$QUIRE" check -c "$C" --no-xapian

# 1. The index destroyed: the repair rebuilds it from the store, and every
# code and event comes back.
for how in gone postlist; do
	D="$T/$how"
	cp -a "$C" "$D"
	if [ $how = gone ]; then rm -rf "$D/index"; else rm -f "$D/index/postlist.glass"; fi
	"$QUIRE" check --repair -c "$D" >"$T/repair.out" 2>&1
	check_grep "index $how: the repair replays the journal" 'replayed 5 journal entries' cat "$T/repair.out"
	state "$D" >"$T/after"
	check "index $how: every code and event is where it was" cmp "$T/before" "$T/after"
	check_exit 0 "index $how: and the corpus checks clean" "$QUIRE" check -c "$D" --no-xapian
done

# 2. Any writer rebuilds a missing index the same way (here quire tag;
# an ingest would then apply the corpus's own catalogue, as it should).
D="$T/bywriter"
cp -a "$C" "$D"
rm -rf "$D/index"
"$QUIRE" tag -c "$D" +x -- 'id:nothing' >"$T/writer.out" 2>&1
check_grep "a writer rebuilds the index and replays the journal" 'replayed 5 journal entries' cat "$T/writer.out"
check "with every code and event" same_state "$D"

# 3. quire compact on a file system without RENAME_EXCHANGE, killed at
# every rename and fsync after the exchange failed: readers always see the
# posts with their codes, the next writer finishes or undoes the swap, and
# nothing is lost.
rm -f "$T/trace"
D="$T/compact"
cp -a "$C" "$D"
QUIRE_FAULT=exchange:1:EINVAL:persist QUIRE_FAULT_TRACE="$T/trace" "$QUIRE" compact -c "$D" --level 3 >"$T/compact.out" 2>&1
check_grep "compaction goes on with two renames when the exchange fails" 'the index compacted' cat "$T/compact.out"
check "and leaves every code" same_state "$D"
check "and the journal's bytes as they were" cmp "$C/store/journal.zst" "$D/store/journal.zst"
points=$(sed -n '/^exchange 1 fault/,$p' "$T/trace" | awk '$1 == "rename" || $1 == "fsync" { print $1 ":" $2 }')
tried=0 bad=""
for p in $points; do
	tried=$((tried + 1))
	D="$T/crash"
	rm -rf "$D"
	cp -a "$C" "$D"
	QUIRE_FAULT=exchange:1:EINVAL:persist QUIRE_CRASH=$p "$QUIRE" compact -c "$D" --level 3 >/dev/null 2>&1
	r=$("$QUIRE" count -c "$D" tag:reviewed 2>&1)
	[ "$r" = 60 ] || bad="$bad $p:reader=$r"
	"$QUIRE" tag -c "$D" +x -- 'id:nothing' >/dev/null 2>&1
	[ -d "$D/index" ] && [ ! -e "$D/index.new" ] && [ ! -e "$D/index.old" ] || bad="$bad $p:leftovers"
	same_state "$D" || bad="$bad $p:state"
	"$QUIRE" check -c "$D" --no-xapian >/dev/null 2>&1 || bad="$bad $p:check"
done
if [ "$tried" -ge 6 ] && [ -z "$bad" ]; then ok "killed at each of $tried steps of the swap: nothing lost"; else not_ok "killed during the swap ($tried steps)" "$bad"; fi

# 4. One corpus lock: a second writer while --repair has moved a damaged
# index aside gets exit 4 at once, and the repair finishes.
D="$T/locked"
cp -a "$C" "$D"
f="$D/index/postlist.glass"
dd if=/dev/zero of="$f" bs=1 count="$(stat -c %s "$f")" conv=notrunc status=none
QUIRE_PAUSE=repair-aside:4000 "$QUIRE" check --repair -c "$D" >"$T/repair.out" 2>&1 &
i=0
while [ $i -lt 50 ] && ! grep -q 'moved to' "$T/repair.out"; do sleep 0.1; i=$((i + 1)); done
start=$(date +%s%N)
echo '{}' | "$QUIRE" ingest -c "$D" - >"$T/second.out" 2>&1
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
if [ $rc -eq 4 ] && [ $ms -lt 1000 ]; then ok "a second writer during --repair exits 4 at once ($ms ms)"; else not_ok "a second writer during --repair (exit $rc in $ms ms)" "$(cat "$T/second.out")"; fi
check_grep "naming who holds the corpus" 'corpus is locked by another writer \(quire check, pid [0-9]+, since ' cat "$T/second.out"
wait
check_grep "the repair finishes" 'replayed 5 journal entries' cat "$T/repair.out"
check "with every code and event" same_state "$D"
# A killed writer leaves no stale lock.
sleep 30 | "$QUIRE" ingest -c "$D" - >/dev/null 2>&1 &
sleep 0.5
pkill -9 -f "quire ingest -c $D -" 2>/dev/null
wait 2>/dev/null
check_exit 1 "a killed writer leaves no stale lock (the next one runs: no post matched)" "$QUIRE" tag -c "$D" +x -- 'id:nothing'

# 5. Readers of a corpus without an index: no posts when the store holds
# none (exit 1, as grep), a clear message when it does (exit 3), never 5.
E="$T/empty"
mkdir -p "$E"
cp "$C/quire.json" "$E/"
check_exit 1 "search on a corpus with no index and no records: no hits" "$QUIRE" search -c "$E" fancam
check_exit 1 "count too" "$QUIRE" count -c "$E" ''
check_output "which counts 0" "0" "$QUIRE" count -c "$E" ''
D="$T/noindex"
cp -a "$C" "$D"
rm -rf "$D/index"
check_exit 3 "search on records without an index exits 3" "$QUIRE" search -c "$D" fancam
check_exit 3 "count too" "$QUIRE" count -c "$D" ''
check_grep "saying how to rebuild it" "the index of '.*' is missing, but its store holds records: 'quire check --repair' rebuilds it" "$QUIRE" count -c "$D" ''
# While a swap is cut short, readers open the complete copy beside.
D="$T/halfway"
cp -a "$C" "$D"
mv "$D/index" "$D/index.new"
check_output "a reader finds index.new while index/ is away" "60" "$QUIRE" count -c "$D" tag:reviewed

# 6. The journal's own damage: a torn last entry is cut off by the next
# writer (and kept); a damaged entry is found by check, stops writers, and
# --repair writes the index's codes into the journal again.
D="$T/torn"
cp -a "$C" "$D"
printf '\050\265\057\375\044\000' >>"$D/store/journal.zst"
check_grep "check notes an entry cut short" 'note: the journal .* ends with an entry cut short' "$QUIRE" check -c "$D" --no-xapian
"$QUIRE" tag -c "$D" +torn -- 'id:1267900000000000009' >"$T/torn.out" 2>&1
check_grep "the next writer cuts it off" "cut '.*journal.zst' back to byte" cat "$T/torn.out"
check "keeping the bytes in lost+found" sh -c "ls '$D/store/lost+found/' | grep -q '^journal.zst\.'"
check_exit 0 "and the corpus checks clean" "$QUIRE" check -c "$D" --no-xapian
D="$T/rot"
cp -a "$C" "$D"
# One byte of the second entry's payload flipped: its checksum fails.
off=$(zstd -dc "$C/store/journal.zst" >/dev/null; python3 -c "
import sys
d=open('$D/store/journal.zst','rb').read()
i=d.find(b'\x28\xb5\x2f\xfd',1)
print(i+40)")
printf 'X' | dd of="$D/store/journal.zst" bs=1 seek="$off" conv=notrunc status=none
check_exit 3 "a damaged journal entry is damage" "$QUIRE" check -c "$D" --no-xapian
check_grep "named with its byte" "the journal '.*' has 1 damaged entry \(the first: .* at byte [0-9]+" "$QUIRE" check -c "$D" --no-xapian
check_exit 3 "writers refuse it" "$QUIRE" tag -c "$D" +x -- 'id:nothing'
"$QUIRE" check --repair -c "$D" >"$T/rot.out" 2>&1
check_grep "--repair writes the index's codes into the journal" "wrote the index's 4 codes" cat "$T/rot.out"
check_exit 0 "after which it checks clean" "$QUIRE" check -c "$D" --no-xapian
rm -rf "$D/index"
"$QUIRE" check --repair -c "$D" >/dev/null 2>&1
check "and a rebuild from it gives every code back" same_state "$D"

# 7. A tag operation killed before its index commit: the journal holds it,
# the next writer applies it.
D="$T/killed"
cp -a "$C" "$D"
QUIRE_CRASH=commit:1 "$QUIRE" tag -c "$D" +late -- 'from:dallas_pd_demo' >/dev/null 2>&1
check_output "a tag killed before its commit is not in the index yet" "0" "$QUIRE" count -c "$D" tag:late
check_grep "check says the journal is ahead" 'note: the index has applied' "$QUIRE" check -c "$D" --no-xapian
"$QUIRE" tag -c "$D" +x -- 'id:nothing' >/dev/null 2>&1
check_output "the next writer applies it" "$("$QUIRE" count -c "$C" from:dallas_pd_demo)" "$QUIRE" count -c "$D" tag:late

# 8. --history: who, what, when, with which query.
check_grep "--history lists each operation" '^#2 .* quire tag  \+coded on 663 posts: #WhiteLivesMatter date:2020-06-03$' "$QUIRE" tag -c "$C" --history
one=$("$QUIRE" search -c "$C" -f ids -n 1 '#WhiteLivesMatter date:2020-06-03T05')
check_grep "--history QUERY: the operations that touched those posts" '^#3 .* \+reviewed \+fancam/kpop -coded on 60 posts \(1 of these\)' "$QUIRE" tag -c "$C" --history "id:$one"
check "--history -f json is what jq reads" sh -c "'$QUIRE' tag -c '$C' --history -f json | jq -e '.operations | length == 5 and .[1].add == [\"coded\"] and .[1].posts == 663' >/dev/null"
check_output "--history -f csv: a header and a row per operation" "6" sh -c "'$QUIRE' tag -c '$C' --history -f csv | wc -l"
check_exit 1 "--history on posts no operation touched: exit 1" "$QUIRE" tag -c "$E" --history
