# Telegram Desktop exports: one chat's result.json and a whole account's
# (chats.list, left_chats.list), checked against jq.
. tests/cli/lib.sh
F="$FIXTURES/telegram"

field() { "$QUIRE" show -c "$C" "$1" | jq -r "$2"; }
# What jq finds: "chat/id<TAB>time<TAB>text as JSON" for every non-service
# message (text: the string, or the strings and entity texts of the array).
expected() {
	jq -r '(if .chats then [.chats.list[], .left_chats.list[]] else [.] end)[] | . as $c | .messages[]
		| select(.type != "service")
		| [("\($c.id)/\(.id)"),
		   (if .date_unixtime then (.date_unixtime | tonumber | todate) else (.date + "Z") end),
		   ((if (.text | type) == "string" then .text else (.text | map(if type == "string" then . else .text end) | join("")) end)
		    + (if .poll then (if .text == "" then "" else "\n\n" end) + .poll.question + (.poll.answers | map("\n- " + .text) | join("")) else "" end)
		    | tojson)] | join("\t")' "$@" | LC_ALL=C sort
}
posts() {
	"$QUIRE" search -c "$C" -n 0 -f jsonl platform:telegram |
		jq -r '.post | [.native_id, .created_at, (.text | tojson)] | join("\t")' | LC_ALL=C sort
}

C="$T/corpus"
check_grep "a chat export and a whole-account export go in without --format" \
	'ingested 15 records from 2 inputs: 13 posts added, 0 updated, 0 duplicates, 0 rejected, 2 without posts' \
	"$QUIRE" ingest -c "$C" "$F"
check_output "both read as telegram" '["telegram"]' sh -c "jq -c .formats '$C/sources.jsonl' | sort -u"
check_output "every message as jq finds it: chat/id, time from date_unixtime, text" \
	"$(expected "$F/result.json" "$F/full/result.json")" posts
check_output "date_unixtime wins over the zone-less local date" "2020-06-01T09:15:00Z" field telegram:1388001234/2 .created_at
check_output "a date without date_unixtime is read as UTC and says so" "2020-06-04T09:02:00Z true" \
	field telegram:1499000111/8 '[.created_at, (.extra.time_zone | startswith("unknown"))] | map(tostring) | join(" ")'
check_output "hashtags, mentions and links from the entities; text_link's href" \
	"BlackLivesMatter,DallasProtest dallas_desk https://example.org/march-map,https://example.org/legal-aid" \
	field telegram:1388001234/3 '[(.hashtags | join(",")), (.mentions | join(",")), (.urls | join(","))] | join(" ")'
check_output "entities listed only in text_entities count too" "BlackoutTuesday" field telegram:5550002/101 '.hashtags | join(",")'
check_output "from and from_id" "Dallas Protest Updates channel1388001234" field telegram:1388001234/2 '[.author.name, .author.id] | join(" ")'
check_output "a reply points at the message in the same chat" "reply telegram:1388001234/3" \
	field telegram:1388001234/6 '[.kind, .reply_to] | join(" ")'
check_output "edited and forwarded" "2020-06-01T10:40:00Z|repost Voices for Justice" \
	sh -c "'$QUIRE' show -c '$C' telegram:1388001234/6 telegram:1388001234/7 | jq -rs '[.[0].extra.edited, (.[1].kind + \" \" + .[1].extra.forwarded_from)] | join(\"|\")'"
check_output "a photo with its path in the export" "photo photos/photo_1@01-06-2020_05-00-00.jpg" \
	field telegram:1388001234/4 '.media[0] | [.type, .path] | join(" ")'
check_output "a photo left out of the export: no path, the marker kept" \
	"photo  (File not included. Change data exporting settings to download.)" \
	field telegram:1388001234/5 '[.media[0].type, (.media[0].path // ""), .extra.media_missing] | join(" ")'
check_output "video and voice files: type, mime, duration" "video video/mp4 31000|audio audio/ogg 4000" \
	sh -c "'$QUIRE' show -c '$C' telegram:1388001234/8 telegram:1499000111/8 | jq -rs 'map(.media[0] | [.type, .mime, (.duration_ms | tostring)] | join(\" \")) | join(\"|\")'"
check_output "the chat name is searchable as community:, its type kept" "personal_chat" \
	sh -c "'$QUIRE' search -c '$C' -n 1 -f jsonl community:alex | jq -r .post.extra.chat_type"
check_exit 1 "nothing from personal_information or contacts is indexed" "$QUIRE" search -c "$C" '5550100 OR 5550101 OR reporter'
check_output "the stored record keeps the message byte for byte, with its chat" \
	"$(jq -c '.messages[] | select(.id == 4)' "$F/result.json") Dallas Protest Updates" \
	sh -c "'$QUIRE' show -c '$C' --raw telegram:1388001234/4 | jq -c '.message, .chat.name' | tr '\n' ' ' | sed 's/\"Dallas Protest Updates\" \$/Dallas Protest Updates/'"

# An export cut off in the middle of a message.
size=$(wc -c <"$F/result.json")
head -c "$((size * 2 / 3))" "$F/result.json" >"$T/cut.json"
C="$T/corpus2"
check_grep "an export cut off mid-message: the cut message is rejected, the ones before are in" \
	'rejected record: input ends inside a message .*cut\.json: line [0-9]+' "$QUIRE" ingest -c "$C" "$T/cut.json"
check_output "the messages before the cut" \
	"$(jq -r '.messages[] | select(.type != "service") | .id' "$F/result.json" | head -n "$("$QUIRE" search -c "$C" -n 0 -f ids platform:telegram | wc -l)" | tr '\n' ' ')" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f jsonl platform:telegram | jq -r '.post.native_id | split(\"/\")[1]' | sort -n | tr '\n' ' '"

# A message longer than --max-record is rejected; the walk goes on.
C="$T/corpus3"
check_grep "a message past --max-record is rejected with its line, the others go in" \
	'7 posts added, .*1 rejected' "$QUIRE" ingest -c "$C" --max-record 600 "$F/result.json"
check_output "the rejected one is message 3, at its line" \
	"$(grep -n '"id": 3,' "$F/result.json" | cut -d: -f1 | awk '{print $1 - 1}')" jq -r .line "$C/rejects.jsonl"

# Media by what they are (README's table): Telegram's media_type first,
# else the file's mime type.  The kinds each message of the fixture must
# get, by message id: photo field, three stickers (webp, animated tgs,
# video webm), voice message, round video, animation, music, video file,
# then documents without media_type (png, gif, pdf, mov, wav, no mime),
# and a sticker the export left out.
C="$T/media"
M="$FIXTURES/telegram-media/result.json"
check_grep "a channel with every kind of media goes in" '16 posts added, 0 updated, 0 duplicates, 0 rejected' \
	"$QUIRE" ingest -c "$C" "$M"
check_output "each file's kind" \
	"1 photo
2 sticker
3 sticker
4 sticker
5 audio
6 video
7 gif
8 audio
9 video
10 photo
11 gif
12 file
13 video
14 audio
15 file
16 sticker" sh -c "'$QUIRE' search -c '$C' -f jsonl -n 0 --sort oldest '' | jq -r '.post | (.native_id | split(\"/\")[1]) + \" \" + .media[0].type'"
check_output "Telegram's own media_type is kept beside the kind" "voice_message video_message sticker" \
	sh -c "'$QUIRE' show -c '$C' telegram:1600000001/5 telegram:1600000001/6 telegram:1600000001/2 | jq -rs 'map(.extra.media_type) | join(\" \")'"
check_output "a sticker's emoji is its alt text, its mime type kept" "✊ image/webp" \
	field telegram:1600000001/2 '.media[0] | .alt_text + " " + .mime'
check_output "media:sticker finds the four stickers, not as photos" "4 2" \
	sh -c "echo \$('$QUIRE' count -c '$C' media:sticker) \$('$QUIRE' count -c '$C' media:photo)"
check_output "facets --by media counts stickers apart" \
	"audio,3
file,2
gif,2
photo,2
sticker,4
video,3" sh -c "'$QUIRE' facets -c '$C' --by media -f csv '' | tail -n +2 | tr -d '\r' | cut -d, -f1,2 | LC_ALL=C sort"
check_grep "an APA citation names a sticker" '\[Sticker attached\] \[Post\]\. Telegram\.' \
	"$QUIRE" cite -c "$C" -f apa --no-locator telegram:1600000001/2
check_grep "a search result's summary says sticker" 'media: sticker' \
	"$QUIRE" search -c "$C" --color never id:telegram:1600000001/3
