# The store at ingest (a dictionary trained on the first records, read by
# zstd -d -D) and quire compact: byte-exact, locators updated, old segments
# removed, a crash at every step of its protocol, faults, the lock, a store
# written with block header v1.
. tests/cli/lib.sh

command -v zstd >/dev/null || { skip "compact" "zstd is not installed"; exit 0; }

# N tweets (v1.1 JSON lines) from id BASE on: originals with a user object,
# and every third a retweet that embeds a recent original whole, as the
# streaming API delivers them.  Deterministic; every account is fictional.
gen() {
	awk -v n="$1" -v base="$2" -v tag="${3:-first}" '
	function rnd(m) { state = (state * 16807) % 2147483647; return state % m }
	function word(   k) { return W[rnd(nw)] }
	function user(u) {
		return "{\"id\":" (7000 + u) ",\"id_str\":\"" (7000 + u) "\",\"name\":\"Gen User " u "\",\"screen_name\":\"gen_rt_" u \
			"\",\"location\":\"Dallas, TX\",\"description\":\"" word() " " word() " " word() " archive of " word() \
			"\",\"followers_count\":" rnd(9000) ",\"friends_count\":" rnd(900) ",\"statuses_count\":" rnd(90000) \
			",\"created_at\":\"Fri Jul 05 03:42:08 +0000 2019\",\"verified\":false,\"lang\":null," \
			"\"profile_image_url_https\":\"https://pbs.twimg.com/profile_images/" (7000 + u) "/gen_normal.jpg\"}"
	}
	BEGIN {
		state = 20200603 + base
		nw = split("police protest fancam video dallas bridge march curfew hashtag flood archive night " \
			"city hall crowd sign candle statement matter lives black white out wednesday", W, " ")
		for (i = 0; i < n; i++) {
			id = sprintf("12683%014d", base + i)
			t = sprintf("Wed Jun 03 %02d:%02d:%02d +0000 2020", int(i / 3600) % 24, int(i / 60) % 60, i % 60)
			u = rnd(40)
			if (i % 3 == 2 && no > 0) {
				o = rnd(no < 20 ? no : 20)
				src = orig[(no - 1 - o) % 20]
				print "{\"created_at\":\"" t "\",\"id\":" id ",\"id_str\":\"" id "\",\"text\":\"RT @gen: " ref[(no - 1 - o) % 20] \
					"\",\"user\":" user(u) ",\"retweeted_status\":" src \
					",\"entities\":{\"hashtags\":[],\"user_mentions\":[],\"urls\":[]},\"lang\":\"en\",\"tag\":\"" tag "\"}"
				continue
			}
			text = word() " " word() " #" word() " " word() " " word() " " word() " " rnd(100000)
			j = "{\"created_at\":\"" t "\",\"id\":" id ",\"id_str\":\"" id "\",\"text\":\"" text "\",\"user\":" user(u) \
				",\"entities\":{\"hashtags\":[],\"user_mentions\":[],\"urls\":[]},\"retweet_count\":" rnd(500) \
				",\"lang\":\"en\",\"tag\":\"" tag "\"}"
			print j
			orig[no % 20] = j
			ref[no % 20] = text
			no++
		}
	}'
}

# A corpus made with small blocks, and a dictionary trained on its first
# 64 KB of records: $1.
new_corpus() {
	mkdir -p "$1"
	cat >"$1/quire.json" <<EOF
{"format": "quire-corpus", "version": 1, "id": "00000000-0000-4000-8000-00000000c0c0",
 "created": "2020-06-03T00:00:00Z",
 "settings": {"block_size": 16384, "level": 3, "segment_size": 1073741824,
  "dictionary_size": 4096, "dictionary_sample": 65536}}
EOF
}

# Every post of a corpus checked against the store: "ok" lines only.
verify_all() {
	"$QUIRE" search -c "$1" -f ids -n 0 '' | xargs "$QUIRE" show -c "$1" --verify
}
all_ok() {
	out=$(verify_all "$2" 2>&1)
	bad=$(printf '%s\n' "$out" | grep -vc '^ok ')
	n_ok=$(printf '%s\n' "$out" | grep -c '^ok ')
	if [ "$bad" -eq 0 ] && [ "$n_ok" -eq "$3" ]; then ok "$1"; else not_ok "$1" "$n_ok ok of $3; $(printf '%s\n' "$out" | grep -v '^ok ' | head -5)"; fi
}
# The posts without what compaction changes (store locators).
posts() {
	"$QUIRE" search -c "$1" -f jsonl -n 0 --sort oldest '' |
		jq -S -c 'del(.locator.record) | del(.post.record.locator) | del(.post.media[]?.locator) |
			.post.record.versions |= (if . then map(del(.locator)) else . end)'
}
# The segment files of a corpus's record store, by name.
segments() { (cd "$1/store" && ls -- *.zst 2>/dev/null | tr '\n' ' '); }
dicts() { (cd "$1/store" && ls -- dictionary* 2>/dev/null | tr '\n' ' '); }

gen 900 0 >"$T/a.jsonl"
gen 300 900 second >"$T/b.jsonl"
# a new version of three posts: the same ids, other bytes
sed -n '1p;5p;9p' "$T/a.jsonl" | sed 's/"lang":"en"/"lang":"en","collected":"again"/' >"$T/changed.jsonl"

# ---- the store at ingest: a dictionary trained on the first records ----
C="$T/c"
new_corpus "$C"
check_grep "ingest: 900 posts" '900 posts added' "$QUIRE" ingest -q -c "$C" "$T/a.jsonl"
check "ingest trains store/dictionary on the first records" test -s "$C/store/dictionary"
check_output "the dictionary is a zstd dictionary with an id" "4096" sh -c "wc -c <'$C/store/dictionary' | tr -d ' '"
check "zstd -d -D store/dictionary prints the records exactly as they came" \
	sh -c "zstd -q -dc -D '$C/store/dictionary' '$C/store/000001.zst' | cmp -s - '$T/a.jsonl'"
check_exit 1 "without the dictionary zstd -d stops at the first block that needs it" \
	sh -c "zstd -q -dc '$C/store/000001.zst' >/dev/null"
blocks=$(zstd -lv "$C/store/000001.zst" 2>/dev/null | sed -n 's/^# Zstandard Frames: //p')
[ "${blocks:-0}" -gt 10 ] && ok "small blocks: $blocks frames" || not_ok "small blocks" "$blocks frames"
check_output "the manifest records the store settings" "16384 3 4096 65536" \
	jq -r '.settings | "\(.block_size) \(.level) \(.dictionary_size) \(.dictionary_sample)"' "$C/quire.json"
check_grep "the new version of three posts goes in" '0 posts added, 3 updated' "$QUIRE" ingest -q -c "$C" "$T/changed.jsonl"
check_grep "more posts go in" '300 posts added' "$QUIRE" ingest -q -c "$C" "$T/b.jsonl"
all_ok "every post reads back, byte-exact" "$C" 1200
posts "$C" >"$T/before.posts"
before=$(du -sb "$C/store" | cut -f1)
cp -a "$C" "$T/pristine"

# A new corpus records the store settings it was made with.
check_output "a new corpus records its store settings in quire.json" "1048576 6 6 1048576 16777216" sh -c \
	"'$QUIRE' ingest -q -c '$T/plain' '$T/changed.jsonl' >/dev/null && jq -r '.settings | \"\\(.block_size) \\(.level) \\(.min_match) \\(.dictionary_size) \\(.dictionary_sample)\"' '$T/plain/quire.json'"

# The dictionary cannot be written (its rename fails): ingest stops, and no
# block names a dictionary that is not there; the next ingest trains it.
F="$T/dictfault"
new_corpus "$F"
QUIRE_FAULT=rename:1:EIO "$QUIRE" ingest -q -c "$F" "$T/a.jsonl" >"$T/df.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] && ok "a dictionary that cannot be written stops the ingest (exit $rc)" || not_ok "dictionary fault" "$(cat "$T/df.out")"
check_grep "and says why" "dictionary" cat "$T/df.out"
check_exit 1 "no store/dictionary" test -e "$F/store/dictionary"
check "no block names a dictionary" sh -c "! zstd -lv '$F/store/000001.zst' 2>/dev/null | grep -q 'DictID: [1-9]'"
check_grep "the next ingest goes through" '900 posts added|[0-9]+ posts added' "$QUIRE" ingest -q -c "$F" "$T/a.jsonl"
check "and trains the dictionary" test -s "$F/store/dictionary"
all_ok "every post reads back" "$F" 900

# ---- compact ----
check_grep "compact: one segment into one, every record checked" \
	'^compacted 1 segment \(.*\) into 1 \(.*\) in [0-9.]+ s: 1,203 records and 0 media files checked against their sha256 before and after, [1-9][0-9,]* written next to their original, [0-9,]+ index documents updated, the index compacted$' \
	"$QUIRE" compact -c "$C" --level 19 --block-size 65536
check_output "the old segment is gone, the new one follows it" "000002.zst " segments "$C"
check_grep "a dictionary of its own sits beside the ingest's" '^dictionary dictionary-[0-9]+ $' dicts "$C"
after=$(du -sb "$C/store" | cut -f1)
[ "$after" -lt "$before" ] && ok "the store is smaller ($before -> $after bytes)" || not_ok "store not smaller" "$before -> $after"
all_ok "every post reads back from the new segment, byte-exact" "$C" 1200
check_output "every locator names the new segment" "" \
	sh -c "'$QUIRE' search -c '$C' -f jsonl -n 0 '' | jq -r '.post.record.locator, (.post.record.versions[]?.locator)' | grep -v '^000002.zst:'"
check_output "older versions are still listed, and point at the new segment" "3" \
	sh -c "'$QUIRE' search -c '$C' -f jsonl -n 0 '' | jq -r '.post.record.versions[]?.locator' | grep -c '^000002.zst:'"
posts "$C" >"$T/after.posts"
check "nothing else in the index changed" cmp -s "$T/before.posts" "$T/after.posts"
# The index is left compacted: the replaced documents' old blocks are gone.
rm -rf "$T/recompacted"
xapian-compact "$C/index" "$T/recompacted" >/dev/null 2>&1
ix=$(du -sb "$C/index" | cut -f1)
rx=$(du -sb "$T/recompacted" | cut -f1)
[ "$ix" -le $((rx + rx / 20)) ] && ok "the index is compacted ($ix bytes; xapian-compact: $rx)" ||
	not_ok "the index is not compacted" "$ix bytes against $rx from xapian-compact"
check_grep "its metadata is kept: the store's tail" '^quire.store.tail.records$' \
	xapian-metadata list "$C/index" quire.store.tail
D=$(ls "$C/store" | grep '^dictionary-')
# zstd -d prints the same records, retweets moved next to their original.
cat "$T/a.jsonl" "$T/changed.jsonl" "$T/b.jsonl" | sort >"$T/all.sorted"
check "zstd -d -D store/$D prints every record, byte-exact (in compaction's order)" \
	sh -c "zstd -q -dc -D '$C/store/$D' '$C/store/000002.zst' | sort | cmp -s - '$T/all.sorted'"
id=$(sed -n 3p "$T/a.jsonl" | jq -r .id_str)
check_output "show --raw gives the original bytes" "$(sed -n 3p "$T/a.jsonl")" "$QUIRE" show -c "$C" --raw "twitter:$id"
check_grep "search works as before" '^12683' "$QUIRE" search -c "$C" -f ids -n 3 police
check_output "compacting again: nothing to compact, exit 0" \
	"nothing to compact: every segment of '$C/store' is compacted" "$QUIRE" compact -c "$C"

# New posts go to a new segment: a compacted one takes no more blocks.
gen 90 5000 third >"$T/c.jsonl"
check_grep "ingest after compaction" '90 posts added' "$QUIRE" ingest -q -c "$C" "$T/c.jsonl"
check_output "ingest starts a new segment after the compacted one" "000002.zst 000003.zst " segments "$C"
check_grep "compact compacts only what came since; 90 of 1,290 documents leave the index as it is" \
	'^compacted 1 segment .* 90 records .* 90 index documents updated$' "$QUIRE" compact -c "$C" --level 3
check_output "segments: the first compaction's and the new one" "000002.zst 000004.zst " segments "$C"
all_ok "every post reads back" "$C" 1290
check_grep "xapian-check finds the index sound" 'No errors found' xapian-check "$C/index"

# ---- the lock: compaction is a writer ----
# An ingest reading a pipe that stays open holds the corpus meanwhile
# (once it is running and waiting for input, it has the lock).
mkfifo "$T/pipe"
"$QUIRE" ingest -q -c "$C" --format twitter-v1 - <"$T/pipe" >/dev/null 2>&1 &
ingest=$!
exec 3>"$T/pipe"
sleep 1
if kill -0 "$ingest" 2>/dev/null; then
	"$QUIRE" compact -c "$C" >"$T/lock.out" 2>&1
	rc=$?
	[ "$rc" -eq 4 ] && grep -q 'corpus is locked' "$T/lock.out" && ok "compact while an ingest runs: 'corpus is locked', exit 4" ||
		not_ok "compact while an ingest runs" "exit $rc: $(cat "$T/lock.out")"
else
	not_ok "compact while an ingest runs" "the ingest did not start"
fi
exec 3>&-
wait "$ingest"
check_output "the ingest ended, nothing changed" "000002.zst 000004.zst " segments "$C"

# ---- a crash at each step of the protocol ----
# QUIRE_COMPACT_CRASH stops the process there, as a kill would.  Before any
# recovery the corpus must be consistent (every post reads back); the next
# writable open cleans up, and compacting again finishes the job.
for step in intent dictionary written verified switch removed index; do
	X="$T/crash-$step"
	rm -rf "$X"
	cp -a "$T/pristine" "$X"
	QUIRE_COMPACT_CRASH=$step "$QUIRE" compact -c "$X" --block-size 65536 >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq 99 ] && ok "crash after '$step': the process stopped there" || not_ok "crash after '$step'" "exit $rc"
	all_ok "crash after '$step': every post reads back before any recovery" "$X" 1200
	"$QUIRE" compact -c "$X" --block-size 65536 >"$T/again.out" 2>"$T/again.err"
	rc=$?
	[ "$rc" -eq 0 ] && ok "crash after '$step': compacting again succeeds" || not_ok "crash after '$step': again" "$(cat "$T/again.err")"
	case $step in
	index)
		check_grep "crash after '$step': nothing left to compact" 'nothing to compact' cat "$T/again.out" ;;
	switch | removed)
		check_grep "crash after '$step': the replaced segments are removed on the next open" \
			'removed [0-9]+ segments a compaction had replaced' cat "$T/again.err"
		check_grep "crash after '$step': nothing left to compact" 'nothing to compact' cat "$T/again.out" ;;
	*)
		check_grep "crash after '$step': the unfinished output is removed on the next open" \
			'removed [0-9]+ segments of a compaction that did not finish' cat "$T/again.err" ;;
	esac
	[ "$step" = intent ] || [ "$step" = dictionary ] || [ "$step" = written ] || [ "$step" = verified ] ||
		[ "$(segments "$X")" = "000002.zst " ] && ok "crash after '$step': one segment left" || not_ok "crash after '$step': segments" "$(segments "$X")"
	check_output "crash after '$step': one dictionary of compaction at the end" "1" \
		sh -c "ls '$X/store' | grep -c '^dictionary-'"
	all_ok "crash after '$step': every post reads back at the end" "$X" 1200
	posts "$X" >"$T/crash.posts"
	check "crash after '$step': the posts are the same" cmp -s "$T/before.posts" "$T/crash.posts"
done

# A kill at whatever point it comes.
X="$T/killed"
rm -rf "$X"
cp -a "$T/pristine" "$X"
"$QUIRE" compact -c "$X" --level 19 --block-size 65536 >/dev/null 2>&1 &
pid=$!
sleep 0.3
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
all_ok "killed mid-compaction: every post reads back" "$X" 1200
check "killed mid-compaction: compacting again succeeds" "$QUIRE" compact -c "$X" --block-size 65536
all_ok "killed mid-compaction: every post reads back at the end" "$X" 1200

# ---- faults: the compaction fails, nothing changes ----
for fault in commit:1:EIO commit:2:EIO fsync:1:EIO write:3:ENOSPC rename:1:EIO; do
	X="$T/fault"
	rm -rf "$X"
	cp -a "$T/pristine" "$X"
	QUIRE_FAULT=$fault "$QUIRE" compact -c "$X" --block-size 65536 >"$T/fault.out" 2>"$T/fault.err"
	rc=$?
	[ "$rc" -ne 0 ] && grep -q '^quire: cannot compact' "$T/fault.err" && ok "fault $fault: compaction fails and says so (exit $rc)" ||
		not_ok "fault $fault" "exit $rc: $(cat "$T/fault.out" "$T/fault.err")"
	check_output "fault $fault: the old segment stays, the output is gone" "000001.zst " segments "$X"
	all_ok "fault $fault: every post reads back" "$X" 1200
	check "fault $fault: compacting again succeeds" "$QUIRE" compact -c "$X" --block-size 65536
done

# ---- damage: nothing is changed, exit 3 ----
X="$T/damaged"
rm -rf "$X"
cp -a "$T/pristine" "$X"
size=$(wc -c <"$X/store/000001.zst")
printf '\377' | dd of="$X/store/000001.zst" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
check_exit 3 "a damaged block: compaction refuses, exit 3" "$QUIRE" compact -c "$X" --block-size 65536
check_output "a damaged block: the old segment stays, no output" "000001.zst " segments "$X"

# ---- a store written with block header v1 ----
V="$T/v1"
cp -a "$FIXTURES/store-v1/corpus" "$V"
: >"$T/empty.jsonl"
check_grep "a v1 store: the index is built again from it" 're-indexed 13 records' "$QUIRE" ingest -c "$V" "$T/empty.jsonl"
check_output "a v1 store: every post and sha256 as when it was written" "$(cat "$FIXTURES/store-v1/posts.txt")" \
	sh -c "'$QUIRE' search -c '$V' -f ids -n 0 '' | sort | xargs '$QUIRE' show -c '$V' --verify | cut -d' ' -f2,3"
check_grep "a v1 store compacts (records, an archive context, media files)" \
	'^compacted 2 segments .* 14 records and 2 media files' "$QUIRE" compact -c "$V"
check_output "a v1 store: every post and sha256 after compaction" "$(cat "$FIXTURES/store-v1/posts.txt")" \
	sh -c "'$QUIRE' search -c '$V' -f ids -n 0 '' | sort | xargs '$QUIRE' show -c '$V' --verify | cut -d' ' -f2,3"
check_output "media locators name the new media segment" "media/000002.zst:0:0
media/000002.zst:0:1" sh -c "'$QUIRE' search -c '$V' -f jsonl -n 0 '' | jq -r '.post.media[]?.locator // empty' | sort -u"
. tests/cli/media.sh
png_red >"$T/red.png"
sha=$(sha256sum "$T/red.png" | cut -d' ' -f1)
check "a media file reads back from the new segment, byte-exact" \
	sh -c "'$QUIRE' media -c '$V' $sha -o '$T/red.out' && cmp -s '$T/red.png' '$T/red.out'"
check_grep "the archive's context moved too: the index is rebuilt from the new store alone" 're-indexed 13 records \(13 posts\)' \
	sh -c "rm -rf '$V/index' && '$QUIRE' ingest -c '$V' '$T/empty.jsonl' 2>&1"
check_output "rebuilt from the compacted store: the same posts and sha256s" "$(cat "$FIXTURES/store-v1/posts.txt")" \
	sh -c "'$QUIRE' search -c '$V' -f ids -n 0 '' | sort | xargs '$QUIRE' show -c '$V' --verify | cut -d' ' -f2,3"

# ---- usage ----
check_exit 2 "compact: --level out of range" "$QUIRE" compact -c "$C" --level 30
check_exit 2 "compact: an operand is a usage error" "$QUIRE" compact -c "$C" extra
check_grep "compact -h shows the options" -- '--block-size' "$QUIRE" compact -h
check_exit 2 "compact: not a corpus" "$QUIRE" compact -c "$T/nothing"
