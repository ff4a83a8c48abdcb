# Bags of posts read from whole archives (the Twitter "Download your
# archive" zip, a Mastodon export): their records travel with the context
# records they are read with and with their media files, so that ingest of
# the bag gives back the same posts, the same media (quire media) and, once
# exported again, the same payload.
. tests/cli/lib.sh
. tests/cli/media.sh

for tool in jq zip tar zstd python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		skip "export of archives" "$tool is not installed (sh .ci/deps test)"
		exit 0
	fi
done

# The two exports, built as t21 and t22 build them.
cp -R "$FIXTURES/twitter-archive" "$T/tw"
mkdir -p "$T/tw/data/tweets_media"
png_red >"$T/tw/data/tweets_media/1268260000000000001-EZ1abcDXsAAb12c.png"
png_red >"$T/tw/data/tweets_media/1668890000000000004-Fz9qwertyAAAbbb.png"
mp4_tiny march >"$T/tw/data/tweets_media/1268280000000000003-VidXyz123.mp4"
(cd "$T/tw" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | zip -q -X "$T/twitter.zip" -@)
IMG=media_attachments/files/104/288/123/456/789/012/original/a1b2c3d4e5f6a7b8.png
VID=media_attachments/files/104/289/000/111/222/333/original/ff00ee11dd22cc33.mp4
cp -R "$FIXTURES/mastodon" "$T/ma"
mkdir -p "$T/ma/$(dirname "$IMG")" "$T/ma/$(dirname "$VID")"
png_blue >"$T/ma/$IMG"
mp4_tiny kettle >"$T/ma/$VID"
png_red >"$T/ma/avatar.png"
(cd "$T/ma" && tar -czf "$T/mastodon.tar.gz" media_attachments outbox.json likes.json bookmarks.json actor.json avatar.png)

C="$T/corpus"
ingest_or_exit "a Twitter archive, a Mastodon export and v1.1 tweets go in" "$C" "$T/twitter.zip" "$T/mastodon.tar.gz" \
	"$FIXTURES/twitter-v1/tweets.jsonl"
N=$("$QUIRE" count -c "$C" '')
export SOURCE_DATE_EPOCH=1591228800

check "export of every post" "$QUIRE" export -c "$C" -o "$T/bag" ''
check "quire export --verify: sound" "$QUIRE" export --verify "$T/bag"
check_output "the independent validator: valid" "valid" python3 "$ROOT/tests/cli/bagit_check.py" "$T/bag"
check_output "a context record for each archive, before its records" "twitter-archive mastodon" \
	sh -c "jq -r 'select(.kind == \"context\") | .format' '$T/bag/data/originals/index.jsonl' | tr '\n' ' ' | sed 's/ \$//'"
check_output "each archive record names its context by sha256" "0" \
	sh -c "jq -r 'select(.kind == \"record\" and (.format == \"mastodon\" or .format == \"twitter-archive\") and (.context | not)) | .post' '$T/bag/data/originals/index.jsonl' | wc -l | tr -d ' '"
ctx=$(jq -r 'select(.kind == "context" and .format == "twitter-archive") | .sha256' "$T/bag/data/originals/index.jsonl")
check_output "...a context line comes before the records that name it" "context" \
	sh -c "jq -r 'select(.sha256 == \"$ctx\" or .context == \"$ctx\") | .kind' '$T/bag/data/originals/index.jsonl' | head -1"
check_output "the media files the store keeps, named by sha256" \
	"$("$QUIRE" search -c "$C" -f jsonl -n 0 '' | jq -r '.post.media[]? | select(.locator) | .sha256' | sort -u)" \
	sh -c "ls '$T/bag/data/media' | sed 's/\..*//' | sort"
for f in "$T"/bag/data/media/*; do
	sha=$(basename "$f" | sed 's/\..*//')
	check "media $(basename "$f") is the file's bytes" sh -c "sha256sum '$f' | grep -q '^$sha '"
done
check_output "the e-mail address of account.js is nowhere in the bag" "0" \
	sh -c "grep -rl 'dana.q.private@example.org' '$T/bag' | wc -l | tr -d ' '"

C2="$T/corpus2"
check_grep "ingest of the bag" "^restored [0-9]+ records from the bag $T/bag: $N posts added, 0 updated, 0 duplicates, 0 rejected; 4 media files" \
	"$QUIRE" ingest -c "$C2" "$T/bag"
# every field but the corpus's own places (record and media locators,
# source numbers)
places='.post | del(.record.locator, .record.versions, .source.number) | .media |= (. // [] | map(del(.locator)))'
"$QUIRE" search -c "$C" -f jsonl --sort oldest -n 0 '' | jq -S -c "$places" >"$T/p1"
"$QUIRE" search -c "$C2" -f jsonl --sort oldest -n 0 '' | jq -S -c "$places" >"$T/p2"
check "the same posts, field for field (but the corpus's own places)" cmp "$T/p1" "$T/p2"
check_output "...the media locators differ from the old corpus's but are this one's" "$(ls "$T/bag/data/media" | wc -l | tr -d ' ')" \
	sh -c "'$QUIRE' search -c '$C2' -f jsonl -n 0 '' | jq -r '.post.media[]? | select(.locator) | .sha256' | sort -u | wc -l | tr -d ' '"
"$QUIRE" search -c "$C" -f jsonl -n 0 '' | jq -r '"\(.post.id) \(.post.record.sha256)"' | sort >"$T/s1"
"$QUIRE" search -c "$C2" -f jsonl -n 0 '' | jq -r '"\(.post.id) \(.post.record.sha256)"' | sort >"$T/s2"
check "the same record sha256 for every post" cmp "$T/s1" "$T/s2"
for f in "$T"/bag/data/media/*; do
	sha=$(basename "$f" | sed 's/\..*//')
	check "quire media gives $(basename "$f") back from the restored corpus" sh -c \
		"'$QUIRE' media -c '$C2' -o '$T/m.out' $sha && cmp '$T/m.out' '$f'"
done
check_grep "quire check: the restored corpus is sound" '^ok: no damage found' "$QUIRE" check -c "$C2"
"$QUIRE" show -c "$C" --raw "mastodon:mastodon.example/104288123456789012" >"$T/r1"
"$QUIRE" show -c "$C2" --raw "mastodon:mastodon.example/104288123456789012" >"$T/r2"
check "a Mastodon record is byte for byte the same" cmp "$T/r1" "$T/r2"
check "export again from the restored corpus" "$QUIRE" export -c "$C2" -o "$T/bag2" ''
check "...the same payload manifest" cmp "$T/bag/manifest-sha256.txt" "$T/bag2/manifest-sha256.txt"
check "...the same originals index" cmp "$T/bag/data/originals/index.jsonl" "$T/bag2/data/originals/index.jsonl"

# A query that takes one archive post: its context comes with it.
check "export of one Twitter archive post" "$QUIRE" export -c "$C" -o "$T/one.zip" 'id:1268280000000000003'
check_grep "...restored with its context and media" "^restored 2 records from the bag .*one.zip: 1 posts added.*; 1 media files" \
	"$QUIRE" ingest -c "$T/corpus3" "$T/one.zip"
check_output "...its author from the context (account.js)" "dana_reports" \
	sh -c "'$QUIRE' show -c '$T/corpus3' twitter:1268280000000000003 | jq -r .author.handle"

# A record that holds many posts (a twarc2 page): the bag takes the posts
# the query matched, and so does the corpus it is loaded into.
"$QUIRE" ingest -q -c "$T/v2" "$FIXTURES/twitter-v2/pages.jsonl" >/dev/null 2>&1
ID=$("$QUIRE" search -c "$T/v2" -f ids -n 1 --sort oldest '')
check "export of one post of a page" "$QUIRE" export -c "$T/v2" -o "$T/page" "id:$ID"
check_output "...its record's page holds more posts than that" "yes" \
	sh -c "test \$(zstd -dc '$T'/page/data/originals/records-*.zst | jq '.data | length') -gt 1 && echo yes"
check_grep "...loaded back: that post alone" "^restored 1 records from the bag $T/page: 1 posts added" \
	"$QUIRE" ingest -c "$T/v2b" "$T/page"
check_output "...with its record byte for byte" "ok twitter:$ID" sh -c "'$QUIRE' show -c '$T/v2b' --verify 'twitter:$ID' | cut -d' ' -f1,2"
