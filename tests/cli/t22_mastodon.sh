# The Mastodon account export: built here as a tar.gz (members in the order
# Mastodon writes them: media, outbox.json, likes, bookmarks, actor.json) and
# as a zip (newer Mastodon: outbox first), from tests/fixtures/mastodon and
# media files written at test time.
. tests/cli/lib.sh
. tests/cli/media.sh

MA="$FIXTURES/mastodon"
IMG=media_attachments/files/104/288/123/456/789/012/original/a1b2c3d4e5f6a7b8.png
VID=media_attachments/files/104/289/000/111/222/333/original/ff00ee11dd22cc33.mp4
P=mastodon:mastodon.example

make_tree() {
	rm -rf "$1"
	cp -R "$MA" "$1"
	mkdir -p "$1/$(dirname "$IMG")" "$1/$(dirname "$VID")"
	png_blue >"$1/$IMG"
	mp4_tiny kettle >"$1/$VID"
	png_red >"$1/avatar.png"
}

make_tar() {
	rm -f "$2"
	(cd "$1" && tar -czf "$2" media_attachments outbox.json likes.json bookmarks.json actor.json avatar.png)
}

show() { "$QUIRE" show -c "$C" "$P/$1" | jq -r "$2"; }

make_tree "$T/tree"
check "the export is made at test time with tar" make_tar "$T/tree" "$T/export.tar.gz"
C="$T/corpus"
check_grep "formats lists mastodon" '^mastodon ' "$QUIRE" formats
check_grep "the tar.gz goes in: six posts" '6 posts added, 0 updated, 0 duplicates, 0 rejected' \
	"$QUIRE" ingest -c "$C" "$T/export.tar.gz"
check_output "the posts' ids: server and status id" "$P/104288123456789012
$P/104288200000000002
$P/104289000000000003
$P/104289100000000004
$P/104289555555555555
$P/104292000000000006" sh -c "'$QUIRE' search -c '$C' -f jsonl -n 0 --sort oldest '' | jq -r .post.id"
check_output "the author comes from actor.json, though it is the last member" \
	"https://mastodon.example/users/alex alex@mastodon.example Alex Organizer" \
	sh -c "'$QUIRE' search -c '$C' -f jsonl -n 0 '' | jq -r '.post.author | \"\(.id) \(.handle) \(.name)\"' | sort -u"
check_output "from: takes a handle with its server" "6" sh -c "'$QUIRE' search -c '$C' -f ids -n 0 'from:alex@mastodon.example' | wc -l | tr -d ' '"

check_output "HTML becomes text: line breaks, paragraphs and links kept" \
	"Medic station is up at the library steps. Water, saline, masks.
Come by if you need anything. #BlackLivesMatter

Map: https://example.com/aid/map?day=2020-06-03&v=2" show 104288123456789012 .text
check_output "the link is listed" "https://example.com/aid/map?day=2020-06-03&v=2" show 104288123456789012 '.urls[]'
check_output "hashtags, any case" "$P/104288123456789012" sh -c "'$QUIRE' search -c '$C' -f jsonl '#blacklivesmatter' | jq -r .post.id"
check_output "the language from contentMap" "en" show 104288123456789012 .lang
check_output "the time" "2020-06-03T14:30:00Z" show 104288123456789012 .created_at
check_output "a content warning is kept" "police violence, injuries" show 104288200000000002 .extra.content_warning
check_output "sensitive" "true" show 104288200000000002 .extra.sensitive
check_output "a reply names the post it answers" "reply mastodon:example.social/104288000000000001" \
	show 104288200000000002 '"\(.kind) \(.reply_to)"'
check_output "mentions: remote and local accounts with their server" "bob@example.social carol@mastodon.example" \
	show 104289100000000004 '.mentions | join(" ")'
check_output "a boost is a repost of a URI" "repost mastodon:other.example/104287000000000042" \
	show 104289555555555555 '"\(.kind) \(.repost_of)"'
check_output "is:repost finds the boost" "$P/104289555555555555" sh -c "'$QUIRE' search -c '$C' -f jsonl 'is:repost' | jq -r .post.id"
check_output "a poll's options follow its question" "Which supply runs out first at the medic stations?
- Water
- Saline" show 104292000000000006 .text

for v in public:3 unlisted:1 followers:1 direct:1; do
	check_output "visibility:${v%%:*} is searchable" "${v#*:}" \
		sh -c "'$QUIRE' search -c '$C' -f ids -n 0 'visibility:${v%%:*}' | wc -l | tr -d ' '"
done
check_output "visibility is on the post" "unlisted" show 104288200000000002 .extra.visibility
check_output "a followers-only post" "$P/104289000000000003" sh -c "'$QUIRE' search -c '$C' -f jsonl 'visibility:followers' | jq -r .post.id"

SHA_IMG=$(sha256sum "$T/tree/$IMG" | cut -d' ' -f1)
SHA_VID=$(sha256sum "$T/tree/$VID" | cut -d' ' -f1)
check_output "an attachment's file: sha256, size, path, type, alt text" \
	"photo image/png $SHA_IMG 70 $IMG Folding table with water bottles and first-aid kits on the library steps" \
	show 104288123456789012 '.media[0] | "\(.type) \(.mime) \(.sha256) \(.size) \(.path) \(.alt_text)"'
check_output "a full URL is matched to its file by the end of its path" "video $SHA_VID 56 $VID" \
	show 104289000000000003 '.media[0] | "\(.type) \(.sha256) \(.size) \(.path)"'
check_output "media:sha256 finds the post" "$P/104289000000000003" \
	sh -c "'$QUIRE' search -c '$C' -f jsonl 'media:sha256:$SHA_VID' | jq -r .post.id"
"$QUIRE" media -c "$C" "$SHA_IMG" >"$T/img.out"
check "the image read back from the store is the file" cmp "$T/img.out" "$T/tree/$IMG"
"$QUIRE" media -c "$C" -o "$T/vid.out" "$SHA_VID"
check "the video read back from the store is the file" cmp "$T/vid.out" "$T/tree/$VID"
cp -R "$C" "$T/damaged"
seg="$T/damaged/store/media/000001.zst"
printf 'X' | dd of="$seg" bs=1 seek=$(($(wc -c <"$seg") - 10)) conv=notrunc 2>/dev/null
check_exit 3 "a damaged media segment: quire media fails" "$QUIRE" media -c "$T/damaged" -o "$T/damaged.out" "$SHA_IMG"
check "...and writes nothing" test ! -e "$T/damaged.out"
check_exit 1 "likes are not posts" "$QUIRE" show -c "$C" mastodon:other.example/104287000000000042

# Re-ingest adds nothing.
store_size() { du -b -s "$C/store" | cut -f1; }
before=$(store_size)
check_grep "the same export again is unchanged" 'unchanged' "$QUIRE" ingest -c "$C" "$T/export.tar.gz"
check_grep "forced, every post is a duplicate" '0 posts added, 0 updated, 6 duplicates' \
	"$QUIRE" ingest -c "$C" --force "$T/export.tar.gz"
check_output "and the store did not grow" "$before" store_size

# Newer Mastodon writes a zip, outbox first and media after it.
rm -f "$T/export.zip"
(cd "$T/tree" && zip -q -r "$T/export.zip" outbox.json media_attachments likes.json bookmarks.json actor.json avatar.png)
check_grep "the zip export goes in" '6 posts added' "$QUIRE" ingest -c "$T/zipc" "$T/export.zip"
post_records "$C" >"$T/posts.a"
post_records "$T/zipc" >"$T/posts.b"
check "the same posts from the tar.gz and the zip" cmp "$T/posts.a" "$T/posts.b"
check_grep "the zip after the tar.gz: nothing added, the files not kept again" '0 posts added, 0 updated, 6 duplicates' \
	"$QUIRE" ingest -c "$C" "$T/export.zip"
check_output "...the store did not grow" "$before" store_size

# The store alone is enough to index it again.
check_exit 5 "an ingest whose index commit fails" env QUIRE_FAULT=commit:1:EIO "$QUIRE" ingest -c "$T/crash" "$T/export.tar.gz"
: >"$T/empty.txt"
check_grep "the next open re-indexes from the store" 're-indexed 6 records' "$QUIRE" ingest -c "$T/crash" "$T/empty.txt"
post_records "$T/crash" >"$T/posts.c"
check "posts recovered from the store equal the ingested ones" cmp "$T/posts.a" "$T/posts.c"

# "orderedItems" twice: the last one wins, even when the first is not empty.
make_tree "$T/twice"
sed 's/"orderedItems":\[\],/"orderedItems":[{"id":"https:\/\/mastodon.example\/users\/alex\/statuses\/1\/activity","type":"Create","actor":"https:\/\/mastodon.example\/users\/alex","object":{"id":"https:\/\/mastodon.example\/users\/alex\/statuses\/1","type":"Note","content":"stale"}}],/' \
	"$MA/outbox.json" >"$T/twice/outbox.json"
make_tar "$T/twice" "$T/twice.tar.gz"
check_grep "the last orderedItems wins" '6 posts added' "$QUIRE" ingest -c "$T/twicec" "$T/twice.tar.gz"
check_exit 1 "...the earlier one's item is not a post" "$QUIRE" search -c "$T/twicec" stale
check_grep "...and that is said" 'orderedItems.* appears again' jq -r '.notes[]' "$T/twicec/sources.jsonl"

# A broken item, an activity that is no post, a lone outbox.json.
make_tree "$T/bad"
sed -e 's/"published":"2020-06-04T09:00:00Z","url"/"published":"June the fourth","url"/' \
	-e 's/^{"id":"https:\/\/mastodon.example\/users\/alex\/statuses\/104289555555555555\/activity","type":"Announce"/{"id":"https:\/\/mastodon.example\/users\/alex\/likes\/9","type":"Like","object":"x"},&/' \
	"$MA/outbox.json" >"$T/bad/outbox.json"
make_tar "$T/bad" "$T/bad.tar.gz"
check_grep "a bad item is rejected, a Like skipped, the rest goes in" '5 posts added, 0 updated, 0 duplicates, 1 rejected, 1 without posts' \
	"$QUIRE" ingest -c "$T/badc" "$T/bad.tar.gz"
check_output "the reject names the member, line and reason" 'outbox.json 7 published is not an ISO 8601 time: "June the fourth"' \
	jq -r 'select(.severity == "record") | "\(.member) \(.line) \(.reason)"' "$T/badc/rejects.jsonl"

check_grep "a lone outbox.json is read as an archive of one member" '6 posts added' \
	"$QUIRE" ingest -c "$T/lone" "$MA/outbox.json"
check_output "...the handle then comes from the actor URI" "alex@mastodon.example null" sh -c \
	"'$QUIRE' show -c '$T/lone' $P/104288123456789012 | jq -r '\"\(.author.handle) \(.author.name)\"'"

make_tree "$T/broken"
printf '{"@context":"https://www.w3.org/ns/activitystreams","type":"OrderedCollection","orderedItems":[{"type":"Create",' >"$T/broken/outbox.json"
make_tar "$T/broken" "$T/broken.tar.gz"
check_exit 3 "an outbox.json cut short makes the input incomplete" "$QUIRE" ingest -c "$T/brokenc" "$T/broken.tar.gz"
check_grep "...and says where" 'outbox.json.*(ends inside|cannot read further)' cat "$T/brokenc/rejects.jsonl"
check_grep "...the media files are kept all the same, and said to be shown by no post" \
	'2 media files kept without a post' jq -r '.notes[]' "$T/brokenc/sources.jsonl"
