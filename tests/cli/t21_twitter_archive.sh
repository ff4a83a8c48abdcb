# The Twitter "Download your archive" zip: built here from the fixture's
# files (tests/fixtures/twitter-archive) and media files written at test time.
. tests/cli/lib.sh
. tests/cli/media.sh

TW="$FIXTURES/twitter-archive"
EMAIL="dana.q.private@example.org"
PHOTO=1268260000000000001-EZ1abcDXsAAb12c.png
PHOTO2=1668890000000000004-Fz9qwertyAAAbbb.png
VIDEO=1268280000000000003-VidXyz123.mp4

# Every output of quire is kept in $T/outputs, to look for the e-mail address.
run() {
	"$QUIRE" "$@" >"$T/run.out" 2>"$T/run.err"
	rc=$?
	cat "$T/run.out" "$T/run.err" >>"$T/outputs"
	cat "$T/run.out"
	cat "$T/run.err" >&2
	return $rc
}

# The archive's folder with its media: $1.
make_tree() {
	rm -rf "$1"
	cp -R "$TW" "$1"
	mkdir -p "$1/data/tweets_media"
	png_red >"$1/data/tweets_media/$PHOTO"
	png_red >"$1/data/tweets_media/$PHOTO2"   # the same picture again: kept once
	mp4_tiny march >"$1/data/tweets_media/$VIDEO"
}

# Zip the tree $1 into $2, members in name order (as Twitter writes them).
make_zip() {
	rm -f "$2"
	(cd "$1" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | zip -q -X "$2" -@)
}

make_tree "$T/tree"
check "the archive is zipped at test time" make_zip "$T/tree" "$T/twitter.zip"
C="$T/corpus"
check_grep "formats lists twitter-archive" '^twitter-archive ' run formats
check_grep "the zip goes in: five posts" '5 posts added, 0 updated, 0 duplicates, 0 rejected' run ingest -c "$C" "$T/twitter.zip"
check_output "the posts' ids" "1268260000000000001
1268270000000000002
1268280000000000003
1668890000000000004
1668900000000000005" sh -c "'$QUIRE' search -c '$C' -f ids -n 0 --sort oldest ''"
check_output "every post has the account of account.js as author" "1019283746 dana_reports Dana Q. Reporter" \
	sh -c "'$QUIRE' search -c '$C' -f jsonl -n 0 '' | jq -r '.post.author | \"\(.id) \(.handle) \(.name)\"' | sort -u"
check_output "the format is recorded in sources.jsonl" "twitter-archive" jq -r '.formats[]' "$C/sources.jsonl"

show() { run show -c "$C" "twitter:$1" | jq -r "$2"; }

# A long post: its text is the note tweet's, matched on time and prefix.
sed '1s/^window[^=]*= //' "$TW/data/note-tweet.js" | jq -r '.[0].noteTweet.core.text' >"$T/note.txt"
check_output "a long post has the full text of its note tweet" "$(cat "$T/note.txt")" \
	show 1668890000000000004 .text
check_output "a long post's note id is kept" "1668889999999999991" show 1668890000000000004 .extra.note_tweet_id
check_output "a hashtag only in the note's part of the text is found" "1668890000000000004" \
	run search -c "$C" -f ids '#archives'
check_output "the long post does not count its own link as a quote" "original" show 1668890000000000004 .kind

check_output "a retweet is a repost" "1268270000000000002" run search -c "$C" -f ids 'is:repost'
check_output "the retweeted account is kept" "kpopstan_demo" show 1268270000000000002 .extra.repost_of_handle
check_output "a reply names the post it answers" "reply twitter:1268260000000000001" \
	show 1268280000000000003 '"\(.kind) \(.reply_to)"'
check_output "a quote names the quoted post" "quote twitter:1268250000000000009" \
	show 1668900000000000005 '"\(.kind) \(.quote_of)"'
check_output "text decoded, links expanded, media links dropped" \
	"@dana_reports Update: the march moved to city hall & east. https://example.com/live/march-map" \
	show 1268280000000000003 .text
check_output "hashtags" "BlackLivesMatter,GeorgeFloyd" show 1268260000000000001 '.hashtags | join(",")'
check_output "metrics are numbers though the archive writes strings" "120 31" \
	show 1268260000000000001 '"\(.metrics.likes) \(.metrics.reposts)"'
check_output "the time" "2020-06-03T14:02:11Z" show 1268260000000000001 .created_at

# A record is the bytes of one array element, as they were.
last=$(($(grep -n '^  {' "$TW/data/tweets.js" | sed -n 2p | cut -d: -f1) - 1))
sed -n "2,${last}p" "$TW/data/tweets.js" | sed -e '1s/^  //' -e '$s/,$//' >"$T/element"
run show -c "$C" --raw twitter:1268260000000000001 >"$T/raw"
check "the record is the element's bytes" cmp "$T/raw" "$T/element"
check_grep "...checked against its sha256" '^ok twitter:1268260000000000001 ' run show -c "$C" --verify twitter:1268260000000000001

# Media files: hashed, described, kept once per sha256.
SHA_PNG=$(sha256sum "$T/tree/data/tweets_media/$PHOTO" | cut -d' ' -f1)
SHA_MP4=$(sha256sum "$T/tree/data/tweets_media/$VIDEO" | cut -d' ' -f1)
check_output "a photo's sha256, size, type and path" \
	"photo image/png $SHA_PNG 70 data/tweets_media/$PHOTO" \
	show 1268260000000000001 '.media[0] | "\(.type) \(.mime) \(.sha256) \(.size) \(.path)"'
check_grep "a photo's store locator is in the media stream" '^media/000001\.zst:[0-9]+:[0-9]+$' \
	show 1268260000000000001 '.media[0].locator'
check_output "a video's file is matched through its variant URL" \
	"video video/mp4 $SHA_MP4 56 data/tweets_media/$VIDEO" \
	show 1268280000000000003 '.media[0] | "\(.type) \(.mime) \(.sha256) \(.size) \(.path)"'
check_output "alt text" "Chart: posts per hour on 2 and 3 June 2020" show 1668890000000000004 '.media[0].alt_text'
check_output "media:sha256 finds every post with that file" "1268260000000000001
1668890000000000004" run search -c "$C" -f ids --sort oldest "media:sha256:$SHA_PNG"
check_output "media:sha256 of the video" "1268280000000000003" run search -c "$C" -f ids "media:sha256:$SHA_MP4"
run media -c "$C" "$SHA_PNG" >"$T/photo.out"
check "the photo read back from the store is the file" cmp "$T/photo.out" "$T/tree/data/tweets_media/$PHOTO"
run media -c "$C" -o "$T/video.out" "sha256:$SHA_MP4"
check "the video read back from the store is the file" cmp "$T/video.out" "$T/tree/data/tweets_media/$VIDEO"
check_output "the same picture twice is kept once (70 + 56 bytes and two newlines)" "128" \
	sh -c "zstd -dcq '$C'/store/media/*.zst | wc -c | tr -d ' '"
check_exit 1 "an unknown sha256 is no hit" run media -c "$C" -o "$T/none" 0000000000000000000000000000000000000000000000000000000000000000
check_exit 2 "media wants a sha256" run media -c "$C" -o "$T/none" abc

# What the archive holds besides posts is not indexed.
check_exit 1 "direct messages are not indexed" run search -c "$C" '"my source"'
check_exit 1 "likes are not indexed" run show -c "$C" twitter:1268250000000000009
check_output "no member was taken for an unknown format" "0" sh -c "cat '$C/rejects.jsonl' 2>/dev/null | wc -l | tr -d ' '"

# Re-ingest adds nothing: the same file, forced, and a zip made again in
# another member order (other bytes, same posts).
store_size() { du -b -s "$C/store" | cut -f1; }
before=$(store_size)
check_grep "the same zip again is unchanged" 'unchanged' run ingest -c "$C" "$T/twitter.zip"
check_grep "forced, every post is a duplicate" '0 posts added, 0 updated, 5 duplicates' \
	run ingest -c "$C" --force "$T/twitter.zip"
rm -f "$T/again.zip"
(cd "$T/tree" && find . -type f | sed 's|^\./||' | LC_ALL=C sort -r | zip -q "$T/again.zip" -@)
check_grep "the archive zipped again, members reversed: nothing added" '0 posts added, 0 updated, 5 duplicates' \
	run ingest -c "$C" "$T/again.zip"
check_output "and the store did not grow" "$before" store_size

# Order does not matter: media and tweets before the account and manifest.
check_grep "members in reverse order, into a new corpus" '5 posts added' run ingest -c "$T/rev" "$T/again.zip"
post_records "$C" >"$T/posts.a"
post_records "$T/rev" >"$T/posts.b"
check "the same posts whatever the member order" cmp "$T/posts.a" "$T/posts.b"

# An archive re-zipped from its extracted folder has one more level.
mkdir -p "$T/nested"
rm -rf "$T/nested/twitter-2023-07-01"
cp -R "$T/tree" "$T/nested/twitter-2023-07-01"
(cd "$T/nested" && find twitter-2023-07-01 -type f | LC_ALL=C sort | zip -q "$T/nested.zip" -@)
check_grep "an archive inside a folder of the zip" '5 posts added' run ingest -c "$T/nest" "$T/nested.zip"
check_output "...with its media" "$SHA_PNG" sh -c "'$QUIRE' show -c '$T/nest' twitter:1268260000000000001 | jq -r '.media[0].sha256'"
check_grep "--format twitter-archive reads it too" '5 posts added' \
	run ingest -c "$T/forced" --format twitter-archive "$T/twitter.zip"

# The store alone is enough: an index commit fails, the next open re-indexes
# the records with their context (account, note, media).
check_exit 5 "an ingest whose index commit fails" env QUIRE_FAULT=commit:1:EIO "$QUIRE" ingest -c "$T/crash" "$T/twitter.zip"
: >"$T/empty.txt"
check_grep "the next open re-indexes from the store" 're-indexed 5 records \(5 posts\)' \
	run ingest -c "$T/crash" "$T/empty.txt"
post_records "$T/crash" >"$T/posts.c"
check "posts recovered from the store equal the ingested ones" cmp "$T/posts.a" "$T/posts.c"
check_exit 5 "a commit fails after a first batch" \
	env QUIRE_FAULT=commit:2:EIO "$QUIRE" ingest -c "$T/crash2" --batch 2 "$T/twitter.zip"
check_grep "records past the index find their context before it" 're-indexed 2 records' \
	run ingest -c "$T/crash2" "$T/empty.txt"
check_output "...with the account" "dana_reports" sh -c \
	"'$QUIRE' show -c '$T/crash2' twitter:1268260000000000001 twitter:1268270000000000002 | jq -r .author.handle | sort -u"

# Hostile and damaged archives.
make_tree "$T/bad"
sed 's/"favorite_count" : "3",/"favorite_count" : 3x,/' "$TW/data/tweets-part1.js" >"$T/bad/data/tweets-part1.js"
make_zip "$T/bad" "$T/bad.zip"
check_grep "a broken element is rejected, the rest goes in" '4 posts added, 0 updated, 0 duplicates, 1 rejected' \
	run ingest -c "$T/badc" "$T/bad.zip"
line=$(grep -n '^  {' "$TW/data/tweets-part1.js" | sed -n 2p | cut -d: -f1)
check_output "the reject names the member and the element's line" "data/tweets-part1.js $line" \
	jq -r 'select(.severity == "record") | "\(.member) \(.line)"' "$T/badc/rejects.jsonl"

make_tree "$T/cut"
head -c 3000 "$TW/data/tweets.js" >"$T/cut/data/tweets.js"
make_zip "$T/cut" "$T/cut.zip"
check_exit 3 "a tweets.js cut short makes the input incomplete" run ingest -c "$T/cutc" "$T/cut.zip"
check_grep "...and says so" 'ends inside a JSON value' cat "$T/cutc/rejects.jsonl"
check_grep "...the manifest's count disagrees" 'manifest.js lists 3 tweets, the file holds 2' \
	jq -r '.notes[]' "$T/cutc/sources.jsonl"

make_tree "$T/anon"
rm "$T/anon/data/account.js" "$T/anon/data/manifest.js"
make_zip "$T/anon" "$T/anon.zip"
check_grep "without account.js and manifest.js the posts go in" '5 posts added' run ingest -c "$T/anonc" "$T/anon.zip"
check_grep "...with a warning" 'no data/account.js or data/manifest.js' jq -r '.notes[]' "$T/anonc/sources.jsonl"
check_output "...and no author" "null https://twitter.com/i/web/status/1268260000000000001" sh -c \
	"'$QUIRE' show -c '$T/anonc' twitter:1268260000000000001 | jq -r '\"\(.author.handle) \(.url)\"'"

check_grep "a small buffer: posts go in before the archive ends" '5 posts added' \
	run ingest -c "$T/small" --max-archive-buffer 4000 "$T/twitter.zip"
check_grep "...with a warning" 'max_archive_buffer' jq -r '.notes[]' "$T/small/sources.jsonl"
check_grep "a media file over --max-media is hashed, not kept" 'not kept in the store' \
	run ingest -c "$T/nomedia" --max-media 60 "$T/twitter.zip"
check_output "...its sha256 is listed without a locator" "$SHA_PNG 70 null" sh -c \
	"'$QUIRE' show -c '$T/nomedia' twitter:1268260000000000001 | jq -r '.media[0] | \"\(.sha256) \(.size) \(.locator)\"'"

check_grep "a lone tweets.js is read as an archive of one member" '3 posts added' \
	run ingest -c "$T/lone" "$TW/data/tweets.js"

# The e-mail address of account.js is nowhere: not in any index, store or
# log, not in anything quire printed.
found=""
for d in "$C" "$T/rev" "$T/crash" "$T/small" "$T/nest"; do
	grep -r -a -l -F "$EMAIL" "$d" >/dev/null 2>&1 && found="$found $d"
	zstd -dcq "$d"/store/*.zst 2>/dev/null | grep -a -q -F "$EMAIL" && found="$found $d/store"
done
grep -a -q -F "$EMAIL" "$T/outputs" && found="$found outputs"
if [ -z "$found" ] && grep -q -F "$EMAIL" "$TW/data/account.js"; then ok "the e-mail address appears nowhere"
else not_ok "the e-mail address appears nowhere" "found in:$found"; fi
