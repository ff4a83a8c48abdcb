# Facets, timelines, the SVG chart and stats on a generated corpus: every
# count equals the one jq computes from the generator's output.
. tests/cli/lib.sh

if ! command -v jq >/dev/null 2>&1; then
	skip "facets and timelines" "jq is not installed (sh .ci/deps test)"
	exit 0
fi

C="$T/corpus"
P="$T/posts.jsonl"
sh tests/gen_posts.sh 1500 11 >"$P"
check "ingest the generated posts" "$QUIRE" ingest -q -c "$C" "$P"

# jq: each post's values of a field, once per post.
JQDEF='def ts: .created_at | strptime("%a %b %d %H:%M:%S +0000 %Y") | mktime;
def hashtags: [.entities.hashtags[].text | ascii_downcase] | unique;
def media: if (.extended_entities.media // []) == [] then ["none"]
	else [.extended_entities.media[].type | if . == "animated_gif" then "gif" else . end] | unique end;
def kind: if .in_reply_to_status_id_str then "reply" else "original" end;'
# value,count lines, most frequent first, ties in byte order.
jq_counts() { jq -rs "$JQDEF [.[] | select($1) | $2 | .[]] | group_by(.) | map([.[0], length])
	| sort_by([-.[1], .[0]]) | .[] | \"\(.[0]),\(.[1])\"" "$P"; }
facets() { "$QUIRE" facets -c "$C" -f csv --top 0 "$@" | tail -n +2 | tr -d '\r' | cut -d, -f1,2; }

for f in hashtag media kind lang author mention; do
	case $f in
	hashtag) expr=hashtags ;;
	media) expr=media ;;
	kind) expr='[kind]' ;;
	lang) expr='[.lang]' ;;
	author) expr='[.user.screen_name | ascii_downcase]' ;;
	mention) expr='[.entities.user_mentions[].screen_name | ascii_downcase] | unique' ;;
	esac
	jq_counts true "$expr" >"$T/want"
	facets --by $f >"$T/got"
	check "facets --by $f equals jq's counts ($(wc -l <"$T/want") values)" diff "$T/want" "$T/got"
done
jq_counts '(hashtags | index("whitelivesmatter"))' hashtags >"$T/want"
facets --by hashtag '#WhiteLivesMatter' >"$T/got"
check "co-hashtags of #WhiteLivesMatter equal jq's counts" diff "$T/want" "$T/got"
jq_counts '(media | index("video")) and ts >= 1591056000 and ts < 1591142400' hashtags >"$T/want"
facets --by hashtag 'media:video date:2020-06-02' >"$T/got"
check "facets of a query with a date range equal jq's counts" diff "$T/want" "$T/got"
check_output "--top 3 keeps the three most frequent" "$(jq_counts true hashtags | head -3)" sh -c \
	"'$QUIRE' facets -c '$C' -f csv --top 3 --by hashtag | tail -n +2 | tr -d '\r' | cut -d, -f1,2"
NPOSTS=$(wc -l <"$P")
wlm=$(jq -r "$JQDEF"' select(hashtags | index("whitelivesmatter")) | .id_str' "$P" | wc -l)
check_output "facets --format json: posts, and shares that are count / posts" "$NPOSTS true" sh -c \
	"'$QUIRE' facets -c '$C' -f json --by hashtag | jq -r '.posts as \$t | \"\(\$t) \([.values[] | (.share * \$t - .posts) | fabs < 1e-6] | all)\"'"
check_grep "facets text shows the share" "^ +$wlm +[0-9.]+% +#whitelivesmatter" "$QUIRE" facets -c "$C" --by hashtag
check_exit 1 "facets of a query with no match" "$QUIRE" facets -c "$C" nosuchwordanywhere
check_exit 2 "facets --by an unknown field" "$QUIRE" facets -c "$C" --by colour
check_exit 2 "facets with a malformed query" "$QUIRE" facets -c "$C" 'date:2020-99-99'

# ---- timelines ----
# start,count for every hour (or day) from the first post to the last,
# empty ones included; $1 is the bucket size, $2 an offset from UTC.
jq_timeline() {
	jq -rs --argjson size "$1" --argjson off "$2" --arg zone "$3" "$JQDEF"'
	[.[] | select('"${4:-true}"') | ts + $off | . - (. % $size)] as $b
	| ($b | group_by(.) | map({key: (.[0] | tostring), value: length}) | from_entries) as $c
	| range($b | min; ($b | max) + 1; $size) | "\(strftime("%Y-%m-%dT%H:%M"))\($zone),\($c[tostring] // 0)"' "$P"
}
timeline() { "$QUIRE" timeline -c "$C" -f csv "$@" | tail -n +2 | tr -d '\r'; }
jq_timeline 3600 0 Z >"$T/want"
timeline --by hour >"$T/got"
check "timeline --by hour equals jq's counts ($(wc -l <"$T/want") hours)" diff "$T/want" "$T/got"
check_grep "the hours with no post are there, with 0" '^2020-06-02T10:00Z,0$' cat "$T/got"
check_grep "both of them" '^2020-06-02T11:00Z,0$' cat "$T/got"
jq_timeline 86400 -18000 -05:00 >"$T/want"
timeline --by day --tz America/Chicago >"$T/got"
check "timeline --by day --tz America/Chicago equals jq's counts" diff "$T/want" "$T/got"
jq_timeline 3600 19800 +05:30 '(hashtags | index("blm"))' >"$T/want"
timeline --by hour --tz Asia/Kolkata '#BLM' >"$T/got"
check "timeline in a half-hour zone (Asia/Kolkata) equals jq's counts" diff "$T/want" "$T/got"
jq_timeline 60 0 Z '(media | index("gif"))' >"$T/want"
timeline --by minute media:gif >"$T/got"
check "timeline --by minute equals jq's counts ($(wc -l <"$T/want") minutes)" diff "$T/want" "$T/got"
check_output "timeline --by week: one week from Monday 1 June" "2020-06-01T00:00Z,$NPOSTS" timeline --by week

# Split by media: each value's own counts per hour, and 'other'.
for m in video photo gif none; do
	jq -rs --arg m "$m" "$JQDEF"'[.[] | select(media | index($m)) | ts | . - (. % 3600)]
		| group_by(.) | map("\(.[0] | strftime("%Y-%m-%dT%H:%MZ")),\(length)") | .[]' "$P" >"$T/want"
	"$QUIRE" timeline -c "$C" -f json --by hour --split-by media --top 10 |
		jq -r --arg m "$m" '.buckets[] | select(.split[$m] > 0) | "\(.start),\(.split[$m])"' >"$T/got"
	check "timeline --split-by media: $m per hour equals jq's counts" diff "$T/want" "$T/got"
done
top3=$(jq_counts true hashtags | head -3 | cut -d, -f1 | jq -R . | jq -sc .)
jq -rs --argjson top "$top3" "$JQDEF"'[.[] | select([hashtags[] | select(. as $h | $top | index($h))] == []) | ts | . - (. % 86400)]
	| group_by(.) | map("\(.[0] | strftime("%Y-%m-%d")),\(length)") | .[]' "$P" >"$T/want"
"$QUIRE" timeline -c "$C" -f json --by day --split-by hashtag --top 3 |
	jq -r '.buckets[] | select(.split.other > 0) | "\(.start[0:10]),\(.split.other)"' >"$T/got"
check "'other' counts the posts with none of the top values, as jq does" diff "$T/want" "$T/got"
first=$(jq_counts true hashtags | head -1 | cut -d, -f1)
check_output "--stack leaves the first value's counts as they are" "true" sh -c \
	"a=\$('$QUIRE' timeline -c '$C' -f json --split-by hashtag --top 3 | jq -c '[.buckets[].split[\"#$first\"]]'); b=\$('$QUIRE' timeline -c '$C' -f json --split-by hashtag --top 3 --stack | jq -c '[.buckets[].split[\"#$first\"]]'); [ \"\$a\" = \"\$b\" ] && echo true"
check_output "--stack counts each post once: the series add up to every post" "0" sh -c \
	"'$QUIRE' timeline -c '$C' -f json --by hour --split-by hashtag --top 3 --stack | jq '[.buckets[] | .posts - ([.split[]] | add)] | map(select(. != 0)) | length'"
check_output "without --stack they add up to more (posts with two hashtags)" "true" sh -c \
	"'$QUIRE' timeline -c '$C' -f json --by day --split-by hashtag --top 3 | jq '[.buckets[] | ([.split[]] | add) > .posts] | any'"

# --share: the posts that also match, and their share.
jq -rs "$JQDEF"'[.[] | select(hashtags | index("whitelivesmatter")) | {h: (ts | . - (. % 3600)), v: (media | (index("video") != null) or (index("gif") != null))}]
	| group_by(.h) | map("\(.[0].h | strftime("%Y-%m-%dT%H:%MZ")),\(length),\(map(select(.v)) | length)") | .[]' "$P" >"$T/want"
"$QUIRE" timeline -c "$C" -f json --by hour --share 'media:video OR media:gif' '#WhiteLivesMatter' |
	jq -r '.buckets[] | select(.posts > 0) | "\(.start),\(.posts),\(.matching)"' >"$T/got"
check "timeline --share counts the posts that also match, as jq does" diff "$T/want" "$T/got"
check_output "and the share is matching / posts, empty buckets null" "true" sh -c \
	"'$QUIRE' timeline -c '$C' -f json --share media:video | jq '[.buckets[] | if .posts == 0 then .share == null else (.share - .matching / .posts | fabs) < 1e-9 end] | all'"
check_output "--since and --until widen the timeline to whole days" "2020-05-31T00:00Z,0
72" sh -c "'$QUIRE' timeline -c '$C' -f csv --since 2020-05-31 --until 2020-06-02 | sed -n 2p | tr -d '\r'; '$QUIRE' timeline -c '$C' -f csv --since 2020-05-31 --until 2020-06-02 | tail -n +2 | wc -l"
check_grep "text output has a bar per line when asked" '^2020-06-0[0-9] [0-9:]+ +[0-9]+  █' "$QUIRE" timeline -c "$C" --bars always
check_exit 1 "timeline of a query with no match" "$QUIRE" timeline -c "$C" nosuchwordanywhere
check_exit 2 "timeline --by fortnight" "$QUIRE" timeline -c "$C" --by fortnight
check_exit 2 "timeline --tz of no zone" "$QUIRE" timeline -c "$C" --tz Mars/Base
check_exit 2 "timeline --by minute over too long a span" "$QUIRE" timeline -c "$C" --by minute --since 2019-01-01

# ---- the chart ----
svg_ok() {
	if command -v xmllint >/dev/null 2>&1; then
		xmllint --noout "$1"
	elif command -v python3 >/dev/null 2>&1; then
		python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1"
	else
		return 2
	fi
}
hostile='#WhiteLivesMatter OR "<b>&amp;" OR "'"$(printf 'x\033[31my\001')"'"'
check "timeline --svg with split series" "$QUIRE" timeline -c "$C" --by hour --split-by media --svg "$T/split.svg" '#WhiteLivesMatter'
check "timeline --svg with --share and a hostile query as the title" "$QUIRE" timeline -c "$C" --share media:gif --svg "$T/share.svg" "$hostile"
check "timeline --svg --stack by day" "$QUIRE" timeline -c "$C" --by day --split-by hashtag --stack --svg "$T/stack.svg"
check "timeline --svg - writes the chart to stdout" sh -c "'$QUIRE' timeline -c '$C' --svg - >'$T/stdout.svg'"
for f in split share stack stdout; do
	svg_ok "$T/$f.svg"
	rc=$?
	if [ $rc -eq 2 ]; then skip "$f.svg is well-formed XML" "neither xmllint nor python3"; elif [ $rc -eq 0 ]; then ok "$f.svg is well-formed XML"; else not_ok "$f.svg is well-formed XML"; fi
	if command -v rsvg-convert >/dev/null 2>&1; then
		rsvg-convert -o "$T/$f.png" "$T/$f.svg" 2>"$T/rsvg.err"
		if [ "$(head -c 8 "$T/$f.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
			ok "$f.svg renders to a PNG"
		else
			not_ok "$f.svg renders to a PNG" "$(cat "$T/rsvg.err")"
		fi
	else
		skip "$f.svg renders to a PNG" "rsvg-convert is not installed (Debian librsvg2-bin)"
	fi
done
check_grep "the chart has the query as its title" '<title>#WhiteLivesMatter</title>' cat "$T/split.svg"
check_grep "a legend entry per media type" '>video</text>' cat "$T/split.svg"
check_grep "axes labelled with dates" '>Jun [0-9]+</text>' cat "$T/split.svg"
check_grep "and with counts" 'text-anchor="end">' cat "$T/split.svg"
check_grep "the hostile title is escaped" '&lt;b&gt;&amp;amp;' cat "$T/share.svg"
if grep -q "$(printf '\033')" "$T/share.svg"; then not_ok "no control character in the SVG"; else ok "no control character in the SVG"; fi

# ---- stats ----
check_output "stats counts posts and authors as jq does" "$NPOSTS $(jq -r '.user.screen_name | ascii_downcase' "$P" | sort -u | wc -l)" sh -c \
	"'$QUIRE' stats -c '$C' -f json | jq -r '\"\(.posts) \(.authors)\"'"
check_output "stats: time span" "$(jq -rs "$JQDEF"'[.[] | ts] | "\(min | todate) \(max | todate)"' "$P")" sh -c \
	"'$QUIRE' stats -c '$C' -f json | jq -r '\"\(.first) \(.last)\"'"
check_output "stats: the records' bytes are the input's bytes" "$(($(wc -c <"$P") - NPOSTS)) $NPOSTS" sh -c \
	"'$QUIRE' stats -c '$C' -f json | jq -r '\"\(.records.bytes) \(.records.kept)\"'"
check_grep "stats in text" '^store +[0-9.]+ [kM]B \([0-9.]+x smaller' "$QUIRE" stats -c "$C"
check_exit 2 "stats of no corpus" "$QUIRE" stats -c "$T/nothing-here"

# ---- changes of a zone's offset ----
i=0
for t in "Sun Nov 01 05:30:00 +0000 2020" "Sun Nov 01 06:30:00 +0000 2020" "Sun Nov 01 07:30:00 +0000 2020" \
	"Sun Nov 01 08:30:00 +0000 2020" "Mon Nov 02 05:59:00 +0000 2020" "Mon Nov 02 06:00:00 +0000 2020" \
	"Sun Mar 08 07:30:00 +0000 2020" "Sun Mar 08 08:30:00 +0000 2020"; do
	i=$((i + 1))
	printf '{"created_at":"%s","id_str":"99%d","full_text":"x","user":{"id_str":"1","screen_name":"a","name":"a"},"entities":{"hashtags":[],"user_mentions":[],"urls":[]},"lang":"en"}\n' "$t" "$i"
done >"$T/dst.jsonl"
check "ingest posts around the changes of America/Chicago's offset" "$QUIRE" ingest -q -c "$T/dst" "$T/dst.jsonl"
check_output "the hour 01:00 happens twice when clocks go back" "2020-11-01T00:00-05:00,1
2020-11-01T01:00-05:00,1
2020-11-01T01:00-06:00,1
2020-11-01T02:00-06:00,1" sh -c "'$QUIRE' timeline -c '$T/dst' --tz America/Chicago -f csv date:2020-11-01 | sed -n 2,5p | tr -d '\r'"
check_output "and 02:00 never when they go forward" "2020-03-08T01:00-06:00,1
2020-03-08T03:00-05:00,1" sh -c "'$QUIRE' timeline -c '$T/dst' --tz America/Chicago -f csv date:2020-03-08 | tail -n +2 | tr -d '\r'"
check_output "the day of 25 hours holds all of them" "2020-11-01T00:00-05:00,5
2020-11-02T00:00-06:00,1" sh -c "'$QUIRE' timeline -c '$T/dst' --tz America/Chicago --by day -f csv --since 2020-10-31 | tail -n +3 | tr -d '\r'"
