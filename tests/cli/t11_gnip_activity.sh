# Gnip Activity Streams (long_object, shares, replies, matching rules, an
# info message) and Gnip's original format (v1.1 with matching_rules); the
# Gnip sample checked against jq.
. tests/cli/lib.sh
F="$FIXTURES/gnip-activity"
JQ="$ROOT/tests/cli/jq"

field() { "$QUIRE" show -c "$C" "$1" | jq -r "$2"; }
# The posts of activities.json (the original-format tweet left out).
activity_posts() { post_lines "$C" | grep -v '^1268520000000000001'; }

C="$T/corpus"
check_grep "activities and original format go in without --format; the info message is skipped" \
	'ingested 5 records from 2 inputs: 4 posts added, 0 updated, 0 duplicates, 0 rejected, 1 without posts' \
	"$QUIRE" ingest -c "$C" "$F"
check_output "activities are gnip-activity, the original format twitter-v1" \
	'["gnip-activity"] ["twitter-v1"]' sh -c "jq -c .formats '$C/sources.jsonl' | tr '\n' ' ' | sed 's/ \$//'"
check_output "the activities match what jq finds" \
	"$(jq -r -f "$JQ/gnip.jq" "$F/activities.json" | LC_ALL=C sort)" activity_posts
check_output "long_object: the whole text, its hashtags, no 'see more' link" \
	"true WhiteLivesMatter,BlackLivesMatter 0" \
	field twitter:1268500000000000001 '[(.text | endswith("#BlackLivesMatter")), (.hashtags | join(",")), (.urls | length)] | map(tostring) | join(" ")'
check_output "actor: handle, name and numeric id" "wlm_watch WLM Watch 70001" \
	field twitter:1268500000000000001 '[.author.handle, .author.name, .author.id] | join(" ")'
check_output "a share is a repost of the object, with its media" \
	"repost twitter:1268400000000000077 photo Error screen of the app" \
	field twitter:1268500000000000002 '[.kind, .repost_of, .media[0].type, .media[0].alt_text] | join(" ")'
check_output "inReplyTo makes a reply" "reply twitter:1268500000000000001" \
	field twitter:1268500000000000003 '[.kind, .reply_to] | join(" ")'
check_output "matching rule tags, and values when a rule has no tag" "wlm|iwatchdallas; fancams|to:wlm_watch" \
	sh -c "'$QUIRE' show -c '$C' twitter:1268500000000000001 twitter:1268500000000000002 twitter:1268500000000000003 | jq -rs 'map(.source.provenance.matching_rules) | join(\"|\")'"
check_output "original format: matching_rules tags (ids when untagged) into provenance" \
	"bluelives; 6065164826418233346" field twitter:1268520000000000001 .source.provenance.matching_rules
check_output "metrics: retweetCount and favoritesCount" "95 310" \
	field twitter:1268500000000000001 '[.metrics.reposts, .metrics.likes] | map(tostring) | join(" ")'

S="$SAMPLES/twitter-gnip/activity_streams_examples.json"
if [ -f "$S" ]; then
	C="$T/samples"
	check_grep "the Gnip sample goes in whole as gnip-activity" \
		"ingested $(wc -l <"$S" | tr -d ' ') records from 1 input: $(jq -s length "$S") posts added, 0 updated, 0 duplicates, 0 rejected" \
		"$QUIRE" ingest -c "$C" "$S"
	check_output "every activity: ids, handles, times and full texts as jq finds them" \
		"$(jq -r -f "$JQ/gnip.jq" "$S" | LC_ALL=C sort)" post_lines "$C"
	check_output "shares are reposts of their object" \
		"$(jq -r 'select(.verb == "share") | .id | split(":") | last' "$S" | sort | tr '\n' ' ')" \
		sh -c "'$QUIRE' search -c '$C' -n 0 -f ids is:repost | sort | tr '\n' ' '"
	check_output "hashtags as twitter_entities list them" \
		"$(jq -r '(.long_object.twitter_entities // .twitter_entities).hashtags[]?.text' "$S" | sort -u | tr '\n' ' ')" \
		sh -c "'$QUIRE' search -c '$C' -n 0 -f jsonl '' | jq -r '.post.hashtags[]' | sort -u | tr '\n' ' '"
else
	for i in 1 2 3 4; do skip "Gnip sample check $i" "no $S"; done
fi
