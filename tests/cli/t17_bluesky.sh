# Bluesky: repo exports (CAR), a Jetstream capture and API responses, made
# at test time by tests/fixtures/bluesky/gen.py (python3-cbor2: real
# DAG-CBOR, CIDs and a Merkle search tree) and checked against an
# independent reading of the CAR (carcheck.py) and jq.
. tests/cli/lib.sh
PY=/usr/bin/python3
G="$FIXTURES/bluesky"
if ! "$PY" -c 'import cbor2' 2>/dev/null; then
	skip "Bluesky fixtures" "python3-cbor2 is not installed (sh .ci/deps test)"
	exit 0
fi
B="$T/bs"
"$PY" "$G/gen.py" "$B" || { not_ok "the fixtures are made"; exit 1; }
ALICE=did:plc:newsroomtestaccountaaaaa
BOB=did:plc:fieldreporteraccountbbbb
CAROL=did:plc:archivistaccountcccccccc
field() { "$QUIRE" show -c "$C" "$1" | jq -r "$2"; }
key() { jq -r --arg k "$1" '.[$k]' "$B/repo-keys.json"; }
# the post id of a record of Alice's repo, by its text
alice_id() {
	"$QUIRE" search -c "$C" -n 1 -f jsonl "$1 from:$ALICE" | jq -r .post.id
}

# ---- a repo export ----
C="$T/car"
check_grep "a repo export is sniffed and read: 50 posts and reposts, 5 records without posts" \
	'ingested 55 records from 1 input: 50 posts added, 0 updated, 0 duplicates, 0 rejected, 5 without posts' \
	"$QUIRE" ingest -c "$C" "$B/repo.car"
check_output "read as bluesky-car" '["bluesky-car"]' jq -c .formats "$C/sources.jsonl"
check_output "every post and repost of the tree, by id and sha256, as an independent reader finds them" \
	"$("$PY" "$G/carcheck.py" "$B/repo.car" records | awk -F'\t' '$2 ~ /^app\.bsky\.feed\.(post|repost)$/ {print "bluesky:" $1 "\t" $3}' | LC_ALL=C sort)" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f jsonl '' | jq -r '.post | [.id, .record.sha256] | join(\"\t\")' | LC_ALL=C sort"
# the sha256 of `quire show --raw` is the digest the CID names, for every post
bad=0
for id in $("$QUIRE" search -c "$C" -n 0 -f jsonl '' | jq -r .post.id); do
	cid=$(field "$id" .source.provenance.cid)
	want=$("$PY" -c 'import base64,sys; c=sys.argv[1][1:].upper(); b=base64.b32decode(c + "=" * (-len(c) % 8)); print(b[4:].hex())' "$cid")
	got=$("$QUIRE" show -c "$C" --raw "$id" | sha256sum | cut -d' ' -f1)
	[ "$want" = "$got" ] || { bad=$((bad + 1)); echo "# $id: cid $cid names $want, show --raw gives $got"; }
done
[ "$bad" -eq 0 ] && ok "sha256 of show --raw is the CID's digest for all 50 posts" || not_ok "sha256 of show --raw is the CID's digest ($bad differ)"
check_output "show --verify checks the sha256 and the CID" "50" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f ids '' | sed 's|^|bluesky:|' | xargs '$QUIRE' show -c '$C' --verify | grep -c '^ok .* cid bafyrei'"
check_output "hashtag counts equal the facets' and tags' of the export" \
	"$("$PY" "$G/carcheck.py" "$B/repo.car" hashtags | tr '\t' ',' | LC_ALL=C sort)" \
	sh -c "'$QUIRE' facets -c '$C' --by hashtag --top 0 -f csv '' | sed 1d | cut -d, -f1,2 | LC_ALL=C sort"
P1=$(alice_id '"Crowds at city hall"')
check_output "the id is bluesky:<did>/<rkey>, the rkey its key in the repo's tree" "true" \
	jq --arg k "app.bsky.feed.post/${P1##*/}" 'has($k)' "$B/repo-keys.json"
check_output "facets by their UTF-8 byte ranges: hashtag, mention as handle and DID, the link's full address in the text" \
	"BlackLivesMatter|fieldreporter.bsky.social,$BOB|https://example.org/protest-map-2020-06-03|Crowds at city hall tonight #BlackLivesMatter with @fieldreporter.bsky.social, map: https://example.org/protest-map-2020-06-03" \
	field "$P1" '[(.hashtags | join(",")), (.mentions | join(",")), (.urls | join(",")), .text] | join("|")'
check_output "createdAt in UTC, langs, the display name from the profile record, the DID as handle" \
	"2024-11-05T12:00:00Z en Newsroom Test Desk $ALICE" \
	field "$P1" '[.created_at, .lang, .author.name, .author.handle] | join(" ")'
check_output "at-uri and CID kept" "at://$ALICE/app.bsky.feed.post/${P1##*/} $(jq -r --arg k "app.bsky.feed.post/${P1##*/}" '.[$k]' "$B/repo-keys.json")" \
	field "$P1" '[.extra.at_uri, .source.provenance.cid] | join(" ")'
check_output "images with alt text; tags outside the text are hashtags" \
	"photo:Marchers holding a banner on Main Street,photo:A police line at dusk|BlackoutTuesday,WhiteOutWednesday" \
	field "$(alice_id '"Two photos"')" '[(.media | map(.type + ":" + .alt_text) | join(",")), (.hashtags | join(","))] | join("|")'
check_output "a quote points at the quoted post" "quote $P1" field "$(alice_id '"Worth reading"')" '[.kind, .quote_of] | join(" ")'
check_output "a reply points at its parent, the thread's root kept" "reply $P1 $P1" \
	field "$(alice_id '"crowd moved north"')" '[.kind, .reply_to, .extra.reply_root] | join(" ")'
check_output "recordWithMedia: a quote with its images" "quote bluesky:did:plc:someoneelseaccountdddddd/3kabcdefghij2 photo" \
	field "$(alice_id '"other angle"')" '[.kind, .quote_of, .media[0].type] | join(" ")'
check_output "a link card is media (type link) and a URL" "link https://news.example.com/live/june-3 Live: protests across the country" \
	field "$(alice_id '"Live coverage"')" '.media[0] | [.type, .url, .alt_text] | join(" ")'
check_output "a video with its alt text and playlist" "video video/mp4 Crowd crossing the bridge" \
	field "$(alice_id '"Video from the bridge"')" '.media[0] | [.type, .mime, .alt_text] | join(" ")'
check_output "a hashtag after multi-byte text; all languages kept" "블랙라이브스매터 ko ko en" \
	field "$(alice_id '연대합니다')" '[(.hashtags | join(",")), .lang, .extra.langs] | join(" ")'
check_output "self-labels" "graphic-media" field "$(alice_id '"Graphic footage"')" .extra.labels
check_output "a repost is a post of kind repost pointing at the original" "repost bluesky:$BOB/3kbobpostaaa2" \
	sh -c "'$QUIRE' search -c '$C' -f jsonl is:repost | jq -r '.post | [.kind, .repost_of] | join(\" \")'"
check_output "platform:, from: with a DID, #tag and @mention find them" "50 50 1 1" \
	sh -c "echo \$('$QUIRE' count -c '$C' platform:bluesky) \$('$QUIRE' count -c '$C' from:$ALICE) \$('$QUIRE' count -c '$C' '#blacklivesmatter') \$('$QUIRE' count -c '$C' @fieldreporter.bsky.social)"
check_grep "APA names the post [Post]. Bluesky. with its permalink" \
	"^Newsroom Test Desk \\[@$ALICE\\]\\. \\(2024, November 5\\)\\. Crowds at city hall tonight #BlackLivesMatter with @fieldreporter\\.bsky\\.social, map: https://example\\.org/protest-map-2020-06-03 \\[Post\\]\\. Bluesky\\. https://bsky\\.app/profile/$ALICE/post/" \
	"$QUIRE" cite -c "$C" --no-locator -f apa "$P1"
check_output "the same export again adds nothing" "0 posts added, 0 updated, 50 duplicates" \
	sh -c "'$QUIRE' ingest -c '$C' --force '$B/repo.car' 2>&1 | grep -o '[0-9]* posts added, [0-9]* updated, [0-9]* duplicates'"
check_output "a repo of format v2: entities (UTF-16 offsets) for links and mentions" \
	"https://example.net/a|carol,$CAROL|2023-03-01T10:00:00Z" \
	sh -c "'$QUIRE' ingest -c '$C' '$B/repo-v2.car' >/dev/null 2>&1; '$QUIRE' show -c '$C' bluesky:$CAROL/3jqfcqzm3fo2j | jq -r '[(.urls | join(\",\")), (.mentions | join(\",\")), .created_at] | join(\"|\")'"
check_output "a legacy blob (cid, no ref) is still an image" "photo bafkreilegacyblobcid" \
	field "bluesky:$CAROL/3jqfcqzm3fp2j" '.media[0] | [.type, .key] | join(" ")'
check "quire check: every CID names its record" "$QUIRE" check -c "$C"
# -f ids reads each id from the matches' sort keys, not the documents.
for sort in relevance oldest newest; do
	"$QUIRE" search -c "$C" -n 0 -f ids --sort "$sort" '' >"$T/ids.keys"
	"$QUIRE" search -c "$C" -n 0 -f jsonl --sort "$sort" '' | jq -r .post.native_id >"$T/ids.docs"
	[ -s "$T/ids.keys" ] && cmp -s "$T/ids.keys" "$T/ids.docs" && ok "-f ids --sort $sort: the native ids (DID/rkey), in order" ||
		not_ok "-f ids --sort $sort" "$(diff "$T/ids.docs" "$T/ids.keys" | head -5)"
done
check_grep "the same posts as API views (the same CIDs) are new versions" '2 posts added|0 posts added, 2 updated' \
	"$QUIRE" ingest -c "$C" "$B/getPosts.json"
check_output "...but the repo's block stays the record, with the view's handle, permalink and counts" \
	"$(jq -r --arg k "app.bsky.feed.post/${P1##*/}" '.[$k]' "$B/repo-keys.json") newsdesk.bsky.social https://bsky.app/profile/newsdesk.bsky.social/post/${P1##*/} 5 1" \
	field "$P1" '[.source.provenance.cid, .author.handle, .url, .metrics.likes, (.record.versions | length)] | map(tostring) | join(" ")'
check_output "...so sha256 of show --raw is still the CID's digest" "$(field "$P1" .record.sha256)" \
	sh -c "'$QUIRE' show -c '$C' --raw '$P1' | sha256sum | cut -d' ' -f1"
C2="$T/car-after-api"
"$QUIRE" ingest -c "$C2" "$B/getPosts.json" >/dev/null 2>&1
"$QUIRE" ingest -c "$C2" "$B/repo.car" >/dev/null 2>&1
check_output "the other way round (views first, then the repo): the block is the record, the handle stays" \
	"bluesky-car newsdesk.bsky.social 5 $(field "$P1" .record.sha256)" \
	sh -c "'$QUIRE' show -c '$C2' '$P1' | jq -r '[.source.format, .author.handle, .metrics.likes, .record.sha256] | map(tostring) | join(\" \")'"

# ---- CARs in an archive ----
C="$T/tar"
(cd "$B" && tar -czf "$T/repos.tar.gz" repo.car repo-v2.car)
check_grep "two CARs in a tar.gz, streamed" 'ingested 57 records from 1 input: 52 posts added' \
	"$QUIRE" ingest -c "$C" "$T/repos.tar.gz"

# ---- hostile CARs ----
H="$B/hostile"
C="$T/hostile"
check_exit 3 "a truncated CAR: exit 3" "$QUIRE" ingest -c "$C" "$H/truncated.car"
check_grep "...with the block cut and its byte offset; the posts before it are in" \
	'the file ends inside the block of [0-9]+ bytes that starts at byte [0-9]+ \(truncated\)' \
	tail -1 "$C/rejects.jsonl"
check_grep "a block whose bytes are not its CID's is rejected with its offset" \
	'rejected record: the bytes. sha256 is [0-9a-f]{64}, the CID names [0-9a-f]{64} \(block bafyrei[a-z2-7]+\) \(.*tampered.car: byte [0-9]+\)' \
	"$QUIRE" ingest -c "$C" "$H/tampered.car"
check_output "...and never stored" "" sh -c "'$QUIRE' search -c '$C' -f ids 'Updatf'"
check_grep "a block that declares 2^32 items is refused before anything is allocated" \
	'rejected record: an array of 4294967295 items in 5 bytes' "$QUIRE" ingest -c "$C" "$H/huge-array.car"
check_grep "a section that declares 2^40 bytes: skipped, and the file ends inside it" \
	'the file ends inside the section of 1099511627776 bytes that starts at byte [0-9]+' \
	"$QUIRE" ingest -c "$C" "$H/huge-length.car"
check_grep "...rejected with its offset" '"byte":[0-9]+,.*"reason":"a section of 1099511627776 bytes \(more than max_record' \
	cat "$C/rejects.jsonl"
check_grep "a tree that reaches a node twice is walked once and says so" \
	'reaches nodes it has already walked \(1 times' "$QUIRE" ingest -c "$C" "$H/shared-node.car"
check "the corpus is sound after all of them" "$QUIRE" check -c "$C"

# ---- a Jetstream capture ----
C="$T/jet"
check_grep "a Jetstream capture is sniffed: 6 posts (one a tombstone), an edit, a delete, 5 events without posts" \
	'ingested 13 records from 1 input: 6 posts added, 2 updated, 0 duplicates, 0 rejected, 5 without posts' \
	"$QUIRE" ingest -c "$C" "$B/jetstream.jsonl"
check_output "read as bluesky-jetstream" '["bluesky-jetstream"]' jq -c .formats "$C/sources.jsonl"
check_output "handles from identity events, the new one after a change; the DID without one" \
	"$(printf '%s\n' "fieldreporter.bsky.social	Police have closed the bridge and the ramp #DallasProtest" \
		"reporter-two.example.com	Filing from the newsroom now" \
		"did:plc:someoneelseaccountdddddd	A post by an account with no handle event" | LC_ALL=C sort)" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f jsonl 'is:original' | jq -r '.post | [.author.handle, .text] | join(\"\t\")' | LC_ALL=C sort"
EDIT="bluesky:$BOB/$("$QUIRE" search -c "$C" -f jsonl '"and the ramp"' | jq -r '.post.native_id | split("/")[1]')"
check_output "an update is a new version: the newest text, the first record a version" "1 true" \
	field "$EDIT" '[(.record.versions | length | tostring), .extra.edited] | join(" ")'
check_output "deleted posts are left out of search, count and facets" "4 0 dallasprotest,1" \
	sh -c "echo \$('$QUIRE' count -c '$C' '') \$('$QUIRE' count -c '$C' '\"will be deleted\"') \$('$QUIRE' facets -c '$C' --by hashtag -f csv '' | sed 1d | cut -d, -f1,2)"
check_output "is:deleted finds them: the deleted post and the tombstone of one never seen, with their times" \
	"$(printf '%s\n' "bluesky:$BOB/3la7bxffq6227	2024-11-05T13:00:00Z	This one will be deleted #DallasProtest" \
		"bluesky:$CAROL/3kcarolgone22	2024-11-05T13:00:00Z	" | LC_ALL=C sort)" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f jsonl is:deleted | jq -r '.post | [.id, .deleted.at, .text] | join(\"\t\")' | LC_ALL=C sort"
check_output "--include-deleted counts them in" "6 1" \
	sh -c "echo \$('$QUIRE' count -c '$C' --include-deleted '') \$('$QUIRE' count -c '$C' --include-deleted '\"will be deleted\"')"
check_output "timelines and exports leave them out too" "4 4" \
	sh -c "echo \$('$QUIRE' timeline -c '$C' --by day -f csv '' | sed 1d | awk -F, '{n += \$2} END {print n}') \$('$QUIRE' search -c '$C' -n 0 -f csv '' | sed 1d | wc -l)"
check_output "the post deleted before it was read keeps its mark when it comes" \
	"original 2024-11-05T13:00:00Z Carol's post that was deleted #Archive" \
	sh -c "'$QUIRE' ingest -c '$C' '$B/jetstream-later.jsonl' >/dev/null 2>&1; '$QUIRE' show -c '$C' bluesky:$CAROL/3kcarolgone22 | jq -r '[.kind, .deleted.at, .text] | join(\" \")'"
check_exit 1 "...and stays out of search" "$QUIRE" search -c "$C" '#Archive'
check_output "the deletion's record is one of its versions, so reading it again changes nothing" "0 posts added, 0 updated, 8 duplicates" \
	sh -c "'$QUIRE' ingest -c '$C' --force '$B/jetstream.jsonl' 2>&1 | grep -o '[0-9]* posts added, [0-9]* updated, [0-9]* duplicates'"
"$QUIRE" search -c "$C" -n 0 -f jsonl --include-deleted '' | jq -S -c '.post | del(.source.number, .source.input_sha256, .record.locator, .record.versions)' | LC_ALL=C sort >"$T/jet-before"
rm -rf "$C/index"
check "quire check --repair rebuilds the index from the store alone" "$QUIRE" check -c "$C" --repair
"$QUIRE" search -c "$C" -n 0 -f jsonl --include-deleted '' | jq -S -c '.post | del(.source.number, .source.input_sha256, .record.locator, .record.versions)' | LC_ALL=C sort >"$T/jet-after"
if cmp -s "$T/jet-before" "$T/jet-after"; then ok "...with every tombstone, handle and version as before"; else not_ok "...with every tombstone, handle and version as before" "$(diff "$T/jet-before" "$T/jet-after" | head -5)"; fi
check_output "...and is:deleted the same" "2" "$QUIRE" count -c "$C" is:deleted

# ---- API responses ----
C="$T/api"
check_grep "searchPosts, getAuthorFeed (with an empty last page) and getPostThread are sniffed" \
	'ingested 8 records from 3 inputs: 6 posts added, 4 updated, 0 duplicates, 0 rejected' \
	"$QUIRE" ingest -c "$C" "$B/searchPosts.json" "$B/authorFeed.json" "$B/thread.json"
check_output "read as bluesky-api" '["bluesky-api"]' sh -c "jq -c .formats '$C/sources.jsonl' | sort -u"
{
	jq -r '.posts[] | [.uri, .author.handle] | join(" ")' "$B/searchPosts.json"
	jq -r '.feed[].post | [.uri, .author.handle] | join(" ")' "$B/authorFeed.json"
	jq -r '.thread | .. | objects | select(has("post")) | .post | [.uri, .author.handle] | join(" ")' "$B/thread.json"
} | sed 's|^at://\([^/]*\)/app.bsky.feed.post/|bluesky:\1/|' | LC_ALL=C sort -u >"$T/api-posts"
check_output "posts of every response once, with their handles" "$(cat "$T/api-posts")" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f jsonl 'NOT is:repost' | jq -r '.post | [.id, .author.handle] | join(\" \")' | LC_ALL=C sort"
check_output "a feed item's repost reason is a repost: its record's key when the response names it, else made" \
	"$(printf '%s\n' "bluesky:$BOB/3kbobrepost22 bluesky:$CAROL/3kcarolapi122" "bluesky:$BOB/repost-did_plc_newsroomtestaccountaaaaa-3kaliceapi222 bluesky:$ALICE/3kaliceapi222")" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f jsonl is:repost | jq -r '.post | [.id, .repost_of] | join(\" \")' | LC_ALL=C sort"
check_output "counts as collected" "42 7" field "bluesky:$CAROL/3kcarolapi122" '[.metrics.likes, .metrics.reposts] | map(tostring) | join(" ")'
check_output "a reply in a thread points at its parent" "reply bluesky:$BOB/3kbobapi33322" \
	field "bluesky:$ALICE/3kalicereply2" '[.kind, .reply_to] | join(" ")'
check_output "the stored record is the post view as it came (the last read: the thread's)" \
	"$(jq -c '.thread.parent.post' "$B/thread.json")" \
	sh -c "'$QUIRE' show -c '$C' --raw bluesky:$CAROL/3kcarolapi122 | jq -c ."
check_grep "quire formats lists the three readers" 'bluesky-car .*CAR.*
bluesky-jetstream .*Jetstream.*
bluesky-api .*API' "$QUIRE" formats

# ---- events: accounts as DIDs or handles ----
mkdir -p "$T/events"
cat >"$T/events/desk.json" <<EVENT
{"id": "desk-watch", "title": "Desk watch", "description": "Posts by the desk and its reporter.", "zone": "UTC",
 "start": "2024-11-05", "end": "2024-11-05",
 "accounts": ["$ALICE", "reporter-two.example.com"]}
EVENT
"$QUIRE" events apply -c "$T/car" --events "$T/events" >/dev/null 2>&1
"$QUIRE" events apply -c "$T/jet" --events "$T/events" >/dev/null 2>&1
check_output "an event's accounts may be DIDs (every post of the repo) or handles" "50 1" \
	sh -c "echo \$('$QUIRE' count -c '$T/car' event:desk-watch) \$('$QUIRE' count -c '$T/jet' event:desk-watch)"
