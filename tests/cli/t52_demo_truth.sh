# Facets and timelines on the demo corpus equal corpus/demo/TRUTH.json,
# which the demo's generator computed from the files it wrote.
. tests/cli/lib.sh

TRUTH=corpus/demo/TRUTH.json
if [ ! -f "$TRUTH" ] || [ ! -d corpus/demo/data ]; then
	skip "demo corpus" "corpus/demo is not there"
	exit 0
fi
if ! command -v jq >/dev/null 2>&1; then
	skip "demo corpus" "jq is not installed (sh .ci/deps test)"
	exit 0
fi
C="$T/june2020"
check "ingest the demo corpus with the shipped events" "$QUIRE" ingest -q -c "$C" --events corpus/events corpus/demo/data

# {value: posts} of a facet, keys sorted, against a TRUTH object.
facet() { "$QUIRE" facets -c "$C" -f json --top 0 --by "$1" | jq -cS '[.values[] | {(.value): .posts}] | add'; }
check_output "media of every post" "$(jq -cS .media "$TRUTH")" facet media
check_output "kinds" "$(jq -cS .kinds "$TRUTH")" facet kind
check_output "languages" "$(jq -cS .langs "$TRUTH")" facet lang
check_output "hashtags (a repost counts the hashtags of the post it repeats)" \
	"$(jq -cS .hashtags_reposts_use_original "$TRUTH")" facet hashtag
check_output "authors" "$(jq .authors_distinct "$TRUTH")" sh -c "'$QUIRE' stats -c '$C' -f json | jq .authors"
check_output "posts per day" "$(jq -cS .days "$TRUTH")" sh -c \
	"'$QUIRE' timeline -c '$C' --by day -f json | jq -cS '[.buckets[] | {(.start[0:10]): .posts}] | add'"

# The worked example of the README: #WhiteLivesMatter on 3 June, hour by hour.
Q='#WhiteLivesMatter date:2020-06-03'
COUNTER='#BlackLivesMatter OR #BLM OR #블랙라이브스매터 OR #JusticeForGeorgeFloyd OR #BlackLivesMatters'
hours() { "$QUIRE" timeline -c "$C" -f json --by hour --share "$1" "$Q" | jq -c '[.buckets[] | [.posts, .matching]]'; }
truth() { jq -c "[.whitelivesmatter_2020_06_03_by_hour[] | [.posts, .$1]]" "$TRUTH"; }
check_output "#WhiteLivesMatter per hour, with video or GIF" "$(truth with_video_or_gif)" hours 'media:video OR media:gif'
check_output "with a counter-hashtag" "$(truth with_counter_hashtag)" hours "$COUNTER"
check_output "with either" "$(truth with_video_or_gif_or_counter_hashtag)" hours "media:video OR media:gif OR $COUNTER"
check_output "and the day's total" "$(jq .whitelivesmatter_2020_06_03_total "$TRUTH")" sh -c \
	"'$QUIRE' timeline -c '$C' -f json --by day '$Q' | jq .posts"
check_output "the counter-hashtags are the ones TRUTH.json lists" "$(jq -cS '.counter_hashtags | sort' "$TRUTH")" sh -c \
	"printf '%s\n' '$COUNTER' | tr -d '#' | sed 's/ OR /\n/g' | tr 'A-Z' 'a-z' | jq -R . | jq -cS -s 'sort'"
check "the example's chart" "$QUIRE" timeline -c "$C" --by hour --share "media:video OR media:gif OR $COUNTER" --svg "$T/wlm.svg" "$Q"
check "is well-formed" sh -c "command -v xmllint >/dev/null && xmllint --noout '$T/wlm.svg' || python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' '$T/wlm.svg'"
check_grep "the band's statement is in its event" '"events":\[[^]]*"bts-statement"' \
	"$QUIRE" search -c "$C" -f json "id:$(jq -r .statement_id "$TRUTH")"
