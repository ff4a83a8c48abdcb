# quire ingest: JSON lines, arrays and pretty objects; every container; stdin
# and directories; re-ingest; rejects and sources; the store and index read
# by standard tools; original bytes back.
. tests/cli/lib.sh

FIX="$FIXTURES/twitter-v1"
TW="$FIX/tweets.jsonl"
GOOD_LINES="1 2 3 4 5 6 10"   # the lines of tweets.jsonl that hold posts

# Ids in a corpus, sorted; and how many.
ids() { "$QUIRE" search -c "$1" -n 0 -f ids '' 2>/dev/null | sort; }
count() { ids "$1" | wc -l | tr -d ' '; }
# The id_str of line N of tweets.jsonl.
line_id() { sed -n "${1}p" "$TW" | jq -r .id_str; }

want_ids="$T/want.ids"
for ln in $GOOD_LINES; do line_id "$ln"; done | sort >"$want_ids"

# check_same_ids DESC CORPUS: the corpus holds exactly the good posts of
# tweets.jsonl.
check_same_ids() {
	ids "$2" >"$T/got.ids"
	if cmp -s "$want_ids" "$T/got.ids"; then ok "$1"; else not_ok "$1" "$(diff "$want_ids" "$T/got.ids")"; fi
}

# ---- JSON lines, with a malformed line and a wrong-typed record ----
C="$T/lines"
"$QUIRE" ingest -c "$C" "$TW" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 0 ] && ok "JSON lines with rejected records exit 0" || not_ok "JSON lines exit $rc" "$(cat "$T/err")"
check_same_ids "JSON lines: every good post is in, nothing else" "$C"
check_grep "summary counts added, rejected and notices" \
	'ingested 10 records from 1 input: 7 posts added, 0 updated, 0 duplicates, 2 rejected, 1 without posts' cat "$T/out"
b7=$(head -n 6 "$TW" | wc -c | tr -d ' ')
b8=$(head -n 7 "$TW" | wc -c | tr -d ' ')
check_grep "the cut-off line is reported with file, line and byte" \
	"^quire: rejected record: invalid JSON[^(]* \\($TW: line 7, byte $b7\\)\$" cat "$T/err"
check_grep "the wrong-typed record is reported with its reason" \
	"^quire: rejected record: user is not an object \\($TW: line 8, byte $b8\\)\$" cat "$T/err"
check_output "rejects.jsonl has both, with path, line, byte, severity and reason" \
	"$TW 7 $b7 record true
$TW 8 $b8 record user is not an object" \
	jq -r '[.path, .line, .byte, .severity, (if .line == 7 then (.reason | startswith("invalid JSON")) else .reason end)] | map(tostring) | join(" ")' "$C/rejects.jsonl"

# ---- the store is plain zstd, the index plain Xapian ----
sed -n '1,6p;10p' "$TW" >"$T/accepted"
if zstd -q -dc "$C/store/000001.zst" >"$T/store.out" && cmp -s "$T/accepted" "$T/store.out"; then
	ok "zstd -d store/000001.zst prints the original records"
else
	not_ok "zstd -d store/000001.zst prints the original records" "$(diff "$T/accepted" "$T/store.out" | head -5)"
fi
check_grep "xapian-check finds no errors" 'No errors found' xapian-check "$C/index"
check_grep "xapian-delve reads the index" 'number of documents = 7' xapian-delve "$C/index"
cp -r "$C" "$T/lines.orig"

# ---- original bytes back, byte for byte ----
bad=""
for ln in $GOOD_LINES; do
	id=$(line_id "$ln")
	sed -n "${ln}p" "$TW" >"$T/want.raw"
	"$QUIRE" show -c "$C" --raw "twitter:$id" >"$T/got.raw" 2>&1 || bad="$bad $id(exit)"
	cmp -s "$T/want.raw" "$T/got.raw" || bad="$bad $id"
	sha=$(printf '%s' "$(sed -n "${ln}p" "$TW")" | sha256sum | cut -d' ' -f1)
	"$QUIRE" show -c "$C" --verify "$id" | grep -q "^ok twitter:$id $sha 000001\.zst:[0-9]*:[0-9]*\$" || bad="$bad $id(verify)"
done
[ -z "$bad" ] && ok "show --raw gives every record's bytes; --verify says ok with its sha256" ||
	not_ok "show --raw / --verify" "differ:$bad"

# ---- a JSON array; one pretty-printed object; a search response ----
C2="$T/forms"
check "a JSON array ingests" "$QUIRE" ingest -c "$C2" "$FIX/array.json"
check_output "both posts of the array are in" "2" count "$C2"
# array.json has one element per line: the second is line 3, as it is.
check_output "an array element's record is its own bytes" "$(sed -n 3p "$FIX/array.json")" \
	"$QUIRE" show -c "$C2" --raw 1267900000000000102
check "a pretty-printed object ingests" "$QUIRE" ingest -c "$C2" "$FIX/pretty.json"
"$QUIRE" show -c "$C2" --raw 1268999000000000201 >"$T/p1"
if cmp -s "$FIX/pretty.json" "$T/p1"; then ok "the pretty object comes back with its line breaks"; else
	not_ok "the pretty object comes back with its line breaks" "$(diff "$FIX/pretty.json" "$T/p1" | head)"; fi
check "a search API response ingests" "$QUIRE" ingest -c "$C2" "$FIX/search.json"
check_output "each status of the response is a post" "5" count "$C2"
check_grep "rejects.jsonl is not made when nothing is rejected" '^absent$' sh -c "[ -e '$C2/rejects.jsonl' ] && echo present || echo absent"

# ---- containers, made now with the real tools ----
A="$T/arc"
mkdir -p "$A/plain" "$A/deep"
cp "$TW" "$A/plain/tweets.jsonl"
(
	cd "$A/plain" || exit 1
	gzip -c tweets.jsonl >"$A/tweets.jsonl.gz"
	bzip2 -c tweets.jsonl >"$A/tweets.jsonl.bz2"
	xz -c tweets.jsonl >"$A/tweets.jsonl.xz"
	zstd -q -c tweets.jsonl >"$A/tweets.jsonl.zst"
	# Through a pipe zstd keeps the 2 GiB window --long=31 asks for.
	zstd -q --long=31 -c <tweets.jsonl >"$A/tweets.long31.zst"
	zip -q "$A/tweets.zip" tweets.jsonl
	tar -cf "$A/tweets.tar" tweets.jsonl
	tar -czf "$A/tweets.tar.gz" tweets.jsonl
	zip -q "$A/deep/inner.zip" tweets.jsonl
	cd "$A/deep" && tar -cf "$A/zip-in.tar" inner.zip
) || not_ok "making the archives"
if zstd -q -dc "$A/tweets.long31.zst" >/dev/null 2>&1; then
	not_ok "the --long=31 file needs a 2 GiB window (zstd -d alone refuses it)"
else
	ok "the --long=31 file needs a 2 GiB window (zstd -d alone refuses it)"
fi
for f in tweets.jsonl.gz:gzip tweets.jsonl.bz2:bzip2 tweets.jsonl.xz:xz tweets.jsonl.zst:zstd \
	tweets.long31.zst:zstd tweets.zip:zip tweets.tar:tar tweets.tar.gz:gzip+tar zip-in.tar:tar+zip; do
	name=${f%%:*} kind=${f#*:}
	c="$T/c-$name"
	"$QUIRE" ingest -c "$c" "$A/$name" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 0 ] || not_ok "$name: exit $rc" "$(cat "$T/err")"
	check_same_ids "$name: the same posts as the plain file" "$c"
	check_output "$name: sources.jsonl names the containers" "$kind" jq -r '.containers | join(",")' "$c/sources.jsonl"
done
check_output "a zip member is named in rejects.jsonl" "tweets.jsonl 7
tweets.jsonl 8" jq -r '"\(.member) \(.line)"' "$T/c-tweets.zip/rejects.jsonl"
check_output "a zip inside a tar is named member by member" "inner.zip!tweets.jsonl 7
inner.zip!tweets.jsonl 8" jq -r '"\(.member) \(.line)"' "$T/c-zip-in.tar/rejects.jsonl"
check_grep "stderr names the member too" "\\($A/zip-in.tar: inner.zip!tweets.jsonl: line 7, byte $b7\\)" \
	"$QUIRE" ingest -c "$T/c-member-msg" "$A/zip-in.tar"

# ---- stdin ----
C3="$T/stdin"
"$QUIRE" ingest -c "$C3" - <"$TW" >/dev/null 2>&1
check_same_ids "stdin ('-') ingests" "$C3"
sha=$(sha256sum <"$TW" | cut -d' ' -f1)
size=$(wc -c <"$TW" | tr -d ' ')
check_output "sources.jsonl gives stdin its sha256 and size" "- $sha $size complete" \
	jq -r '"\(.path) \(.sha256) \(.size) \(.status)"' "$C3/sources.jsonl"
gzip -c "$TW" | "$QUIRE" ingest -c "$T/stdin-gz" - >/dev/null 2>&1
check_same_ids "stdin may be compressed" "$T/stdin-gz"

# ---- a directory, then again, then --force ----
C4="$T/dir"
"$QUIRE" ingest -c "$C4" "$FIX" >"$T/out" 2>"$T/err"
# In name order changed.jsonl comes before tweets.jsonl: the record read
# last is the post's current one.
check_grep "a directory: every file, the second record of a post as an update" \
	'from 5 inputs: 12 posts added, 1 updated, 0 duplicates, 2 rejected' cat "$T/out"
check_output "12 posts" "12" count "$C4"
records_before=$(zstd -q -dc "$C4"/store/*.zst | wc -l | tr -d ' ')
check_output "sources.jsonl has one line per file, in name order" \
	"array.json changed.jsonl pretty.json search.json tweets.jsonl" \
	sh -c "jq -r '.path' '$C4/sources.jsonl' | xargs -n1 basename | tr '\n' ' ' | sed 's/ \$//'"
bad=""
for f in "$FIX"/*; do
	s=$(sha256sum <"$f" | cut -d' ' -f1)
	jq -e -s --arg p "$f" --arg s "$s" 'any(.[]; .path == $p and .sha256 == $s and .status == "complete")' \
		"$C4/sources.jsonl" >/dev/null || bad="$bad $(basename "$f")"
done
[ -z "$bad" ] && ok "sources.jsonl: each input's sha256 matches sha256sum" || not_ok "sources.jsonl sha256" "$bad"
check_output "sources.jsonl counts records, posts, rejects and notices per input" \
	"tweets.jsonl 10 6 1 0 2 1" \
	sh -c "jq -r 'select(.path | endswith(\"tweets.jsonl\")) | \"tweets.jsonl \(.records) \(.posts_added) \(.posts_updated) \(.duplicates) \(.rejected) \(.skipped)\"' '$C4/sources.jsonl'"
"$QUIRE" ingest -c "$C4" "$FIX" >"$T/out" 2>&1
check_grep "re-ingest: every input unchanged, skipped" '\(5 unchanged skipped\): 0 posts added, 0 updated' cat "$T/out"
check_output "re-ingest adds nothing" "12" count "$C4"
"$QUIRE" ingest -c "$C4" --force "$FIX" >"$T/out" 2>&1
check_grep "--force reads again and finds only duplicates" 'from 5 inputs: 0 posts added, 0 updated, 13 duplicates' \
	cat "$T/out"
check_output "--force adds nothing either" "12" count "$C4"
check_output "the store did not grow on re-ingest" "$records_before" \
	sh -c "zstd -q -dc '$C4'/store/*.zst | wc -l | tr -d ' '"

# ---- a changed record: a new version, the older one kept ----
"$QUIRE" ingest -c "$C" "$FIX/changed.jsonl" >"$T/out" 2>&1
check_grep "a changed record is an update" '1 records from 1 input: 0 posts added, 1 updated' cat "$T/out"
check_output "the index points at the new record" "$(cat "$FIX/changed.jsonl")" \
	"$QUIRE" show -c "$C" --raw 1268312345678901234
old_sha=$(printf '%s' "$(sed -n 1p "$TW")" | sha256sum | cut -d' ' -f1)
check_output "record.versions lists the older record" "1 $old_sha" \
	sh -c "'$QUIRE' show -c '$C' 1268312345678901234 | jq -r '.record.versions | \"\\(length) \\(.[0].sha256)\"'"
check_output "both records of the post are in the store" "2" \
	sh -c "zstd -q -dc '$C'/store/*.zst | grep -c '\"id_str\": \"1268312345678901234\"'"
check_output "re-ingesting the older record changes nothing" "0 0 1" \
	sh -c "'$QUIRE' ingest -c '$C' --force '$TW' >/dev/null 2>&1; jq -r -s '.[-1] | \"\\(.posts_added) \\(.posts_updated) \\(.duplicates >= 1)\"' '$C/sources.jsonl' | sed 's/true/1/'"

# ---- a truncated gzip and a malformed line: reported, the rest goes in ----
B="$T/big"
mkdir -p "$B"
sed -n 2p "$TW" | jq -c '. as $t | range(1000;1400) | $t + {id_str: ("126900000000000" + tostring), id: 0}' >"$B/big.jsonl"
sed -i '150s/.*/{"id_str": "broken", this is not json/' "$B/big.jsonl"
gzip -c "$B/big.jsonl" >"$B/big.jsonl.gz"
sz=$(wc -c <"$B/big.jsonl.gz")
head -c $((sz * 7 / 10)) "$B/big.jsonl.gz" >"$B/cut.jsonl.gz"
b150=$(head -n 149 "$B/big.jsonl" | wc -c | tr -d ' ')
C5="$T/trunc"
"$QUIRE" ingest -c "$C5" "$B/cut.jsonl.gz" "$FIX/array.json" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 3 ] && ok "an input not read to its end makes exit status 3" || not_ok "truncated gzip exit $rc (wanted 3)"
check_grep "the malformed line is reported with file, line and byte" \
	"^quire: rejected record: invalid JSON at byte [0-9]+ \\($B/cut.jsonl.gz: line 150, byte $b150\\)\$" cat "$T/err"
check_grep "the truncated gzip is reported with where reading stopped" \
	"^quire: input not fully read: cannot read further: truncated gzip input \\($B/cut.jsonl.gz: line [0-9]+, byte [0-9]+\\)\$" \
	cat "$T/err"
check_output "rejects.jsonl has the line and the fatal end, with reasons" "record 150 $b150 true
fatal true true truncated gzip input" \
	jq -r 'if .severity == "record" then "record \(.line) \(.byte) \(.reason | startswith("invalid JSON"))"
	       else "fatal \(.line > 150) \(.byte > 0) \(.reason | sub("cannot read further: "; ""))" end' "$C5/rejects.jsonl"
posts=$(count "$C5")
[ "$posts" -gt 150 ] && [ "$posts" -lt 401 ] && ok "the records before the cut went in ($posts posts)" ||
	not_ok "records before the cut: $posts"
check "the next input went in too" "$QUIRE" show -c "$C5" --verify 1267900000000000101 1267900000000000102
check_output "sources.jsonl: the truncated input is incomplete, the other complete" \
	"incomplete 1 complete 0" jq -r -s '"\(.[0].status) \(.[0].rejected) \(.[1].status) \(.[1].rejected)"' "$C5/sources.jsonl"
# An incomplete input is read again next time (its sha256 is not "known").
"$QUIRE" ingest -c "$C5" "$B/cut.jsonl.gz" >"$T/out" 2>&1
check_grep "an incomplete input is not skipped as unchanged" 'from 1 input: 0 posts added' cat "$T/out"

# The same cut gzip as a member of a tar: the member is named too.
(cd "$B" && tar -cf "$B/cut-in.tar" cut.jsonl.gz)
"$QUIRE" ingest -c "$T/trunc-tar" "$B/cut-in.tar" >"$T/out" 2>"$T/err"
check_grep "a truncated gzip inside a tar is reported with its member" \
	"^quire: input not fully read: cannot read further: truncated gzip input \\($B/cut-in.tar: cut.jsonl.gz: line [0-9]+, byte [0-9]+\\)\$" \
	cat "$T/err"
check_output "rejects.jsonl names the member for both" "cut.jsonl.gz record 150
cut.jsonl.gz fatal" jq -r '"\(.member) \(.severity)\(if .severity == "record" then " \(.line)" else "" end)"' \
	"$T/trunc-tar/rejects.jsonl"

# ---- a torn store tail is cut on the next writable open, and said so ----
C8="$T/torn"
cp -r "$T/lines.orig" "$C8"
size=$(wc -c <"$C8/store/000001.zst" | tr -d ' ')
head -c 100 /dev/zero >>"$C8/store/000001.zst"
"$QUIRE" ingest -c "$C8" "$FIX/pretty.json" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 0 ] && ok "an ingest after a torn write goes on (exit 0)" || not_ok "ingest after a torn write: exit $rc" "$(cat "$T/err")"
check_grep "...and says what it cut" \
	"^quire: warning: recovered the corpus: cut a torn block of 100 bytes at the end of '$C8/store/000001.zst' \\(byte $size\\)\$" \
	cat "$T/err"
check "the store is whole zstd again" zstd -q -t "$C8/store/000001.zst"
check_output "nothing was lost" "8" sh -c "'$QUIRE' search -c '$C8' -n 0 -f ids '' | wc -l | tr -d ' '"

# ---- a damaged store is refused, with exit status 3 ----
C6="$T/lines.orig"
size=$(wc -c <"$C6/store/000001.zst")
printf '\377' | dd of="$C6/store/000001.zst" bs=1 seek=$((size - 10)) conv=notrunc 2>/dev/null
id=$(line_id 10)
check_exit 3 "show --raw of a record whose block is damaged exits 3" "$QUIRE" show -c "$C6" --raw "$id"
check_grep "show --verify says DAMAGED" "^DAMAGED twitter:$id " "$QUIRE" show -c "$C6" --verify "$id"
check_exit 0 "a missing corpus is created by ingest" "$QUIRE" ingest -c "$T/new" "$FIX/pretty.json"

# ---- one writer at a time ----
C7="$T/locked"
"$QUIRE" ingest -q -c "$C7" "$FIX/pretty.json" >/dev/null 2>&1
mkfifo "$T/fifo"
"$QUIRE" ingest -q -c "$C7" - <"$T/fifo" >/dev/null 2>&1 &
writer=$!
exec 3>"$T/fifo"   # the first ingest starts, and waits on stdin
# Once it has files of the index open it holds the lock (Xapian takes the
# lock first).
tries=0
while [ "$tries" -lt 100 ] && ! ls -l "/proc/$writer/fd" 2>/dev/null | grep -q "$C7/index/"; do
	tries=$((tries + 1))
	sleep 0.05
done
"$QUIRE" ingest -c "$C7" "$FIX/array.json" >"$T/out" 2>&1
rc=$?
[ "$rc" -eq 4 ] && ok "a second writer exits 4" || not_ok "a second writer exits 4 (got $rc)" "$(cat "$T/out")"
check_grep "...saying the corpus is locked" '^quire: corpus is locked by another writer [(]quire ingest, pid [0-9]*, since ' cat "$T/out"
sed -n 2p "$TW" >&3
exec 3>&-
wait "$writer"
rc=$?
[ "$rc" -eq 0 ] && ok "the first writer finishes" || not_ok "the first writer exit $rc"
check_output "...and its post is in" "1268313000000000001" \
	"$QUIRE" search -c "$C7" -f ids 'id:1268313000000000001'
