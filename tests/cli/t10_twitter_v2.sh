# Twitter API v2 as twarc2 writes it: pages, stream lines, flattened tweets,
# counts and compliance lines; the twarc2 samples checked against jq.
. tests/cli/lib.sh
F="$FIXTURES/twitter-v2"
JQ="$ROOT/tests/cli/jq"

field() { "$QUIRE" show -c "$C" "$1" | jq -r "$2"; }

C="$T/corpus"
check_grep "pages, stream, flattened, counts and compliance go in without --format" \
	'ingested 12 records from 5 inputs: 10 posts added, 2 updated, 0 duplicates, 1 rejected, 5 without posts' \
	"$QUIRE" ingest -c "$C" "$F"
check_output "every input is read as twitter-v2" '["twitter-v2"]' \
	sh -c "jq -c .formats '$C/sources.jsonl' | sort -u"
check_grep "the cut-off last stream line is rejected with its line" \
	'"line":3,"byte":[0-9]+,"format":"twitter-v2","severity":"record","reason":"record is cut off' cat "$C/rejects.jsonl"
check_output "the page's posts match what jq finds in the fixtures" \
	"$(cat "$F"/*.jsonl | jq -R 'fromjson? // empty' | jq -r -f "$JQ/twitter_v2.jq" | LC_ALL=C sort -u)" post_lines "$C"

check_output "author resolved through includes.users" "dallas_desk Dallas Desk 90001" \
	field twitter:1268400000000000001 '[.author.handle, .author.name, .author.id] | join(" ")'
check_output "t.co links expanded, the media link dropped, &amp; decoded" \
	"Fancams only in #WhiteLivesMatter tonight & every night https://example.org/fancams" \
	field twitter:1268400000000000001 .text
check_output "media through attachments.media_keys, with alt text" \
	"photo https://pbs.twimg.com/media/EZfancam01.jpg A stage full of light sticks 3_1268400000000000101" \
	field twitter:1268400000000000001 '.media[0] | [.type, .url, .alt_text, .key] | join(" ")'
check_output "the place from includes.places" "Dallas, TX" field twitter:1268400000000000001 .extra.place
check_output "a retweet carries the original's whole note_tweet text" \
	"repost twitter:1268300000000000009 true" \
	field twitter:1268400000000000002 '[.kind, .repost_of, (.text | endswith("Read it, then act. #BlackLivesMatter"))] | map(tostring) | join(" ")'
check_output "a retweet gets the original's hashtags" "BlackLivesMatter" field twitter:1268400000000000002 '.hashtags | join(",")'
check_output "a reply" "reply twitter:1268400000000000001 dallas_desk" \
	field twitter:1268400000000000003 '[.kind, .reply_to, .mentions[0]] | join(" ")'
check_output "a quote" "quote twitter:1268400000000000003" field twitter:1268700000000000004 '[.kind, .quote_of] | join(" ")'
check_output "a poll's options" "#WhiteLivesMatter (812); #BlueLivesMatter (301)" field twitter:1268700000000000005 .extra.poll
check_output "video: the best MP4, every rendition a variant" \
	"video ...1280x720/march.mp4 31500 4" \
	field twitter:1268700000000000008 '.media[0] | [.type, ("..." + (.url | split("/vid/")[1])), .duration_ms, (.variants | length)] | map(tostring) | join(" ")'
check_output "each version of an edited post is kept, the chain in extra" \
	"1268700000000000006,1268700000000000007 twitter:1268700000000000006|1268700000000000006,1268700000000000007 " \
	sh -c "'$QUIRE' show -c '$C' twitter:1268700000000000007 twitter:1268700000000000006 | jq -rs 'map([.extra.edit_history, .extra.edit_of // \"\"] | join(\" \")) | join(\"|\")'"
check_output "__twarc provenance" \
	"2.12.0 2023-01-15T10:00:00+00:00 https://api.twitter.com/2/tweets/search/all?query=%23WhiteLivesMatter&start_time=2020-06-03T00%3A00%3A00Z" \
	field twitter:1268400000000000001 '.source.provenance | [.twarc_version, .retrieved_at, .request_url] | join(" ")'
check_output "stream lines: matching rule tags are provenance" "wlm" field twitter:1268410000000000011 .source.provenance.matching_rules
check_output "the stored record of a page post is the whole page line" 3 \
	sh -c "'$QUIRE' show -c '$C' --raw twitter:1268400000000000003 | jq '.data | length'"
check_output "hashtag search finds the Korean stream post" "1268410000000000011" \
	"$QUIRE" search -c "$C" -f ids '#whitelivesmatter lang:ko'

# Counts and compliance alone: skipped, not rejected; exit 0.
C="$T/corpus2"
check_grep "counts and compliance lines hold no posts: skipped" \
	'ingested 3 records from 2 inputs: 0 posts added, 0 updated, 0 duplicates, 0 rejected, 3 without posts' \
	"$QUIRE" ingest -c "$C" "$F/counts.jsonl" "$F/compliance.jsonl"

# A twarc2 line given as v1.1 on purpose is rejected, not misread.
C="$T/corpus3"
check_grep "--format overrides sniffing (and the wrong one rejects)" \
	'0 posts added, .*1 rejected' "$QUIRE" ingest -c "$C" --format twitter-v1 "$F/counts.jsonl"

# The twarc2 samples (DocNow/twarc-csv test data).
S="$SAMPLES/twitter-v2-twarc2"
if [ -d "$S" ]; then
	C="$T/samples"
	"$QUIRE" ingest -q -c "$C" "$S" >"$T/out" 2>&1
	check_grep "the twarc2 samples go in, every one as twitter-v2" 'ingested [0-9]+ records from 9 inputs' cat "$T/out"
	check_output "every sample input sniffed as twitter-v2" '["twitter-v2"]' sh -c "jq -c .formats '$C/sources.jsonl' | sort -u"
	check_output "every post jq finds is there: same ids, authors, times and texts" \
		"$(cat "$S"/*.jsonl | jq -R 'fromjson? // empty' | jq -r -f "$JQ/twitter_v2.jq" | LC_ALL=C sort -u)" post_lines "$C"
	check_output "the one broken record is the streaming sample's cut-off last line" \
		"streaming_output_with_error.jsonl 8" \
		sh -c "jq -r 'select(.severity==\"record\") | (.path | split(\"/\") | last) + \" \" + (.line | tostring)' '$C/rejects.jsonl'"
	check_output "counts and compliance lines are skipped, not rejected" "3" \
		sh -c "jq -s 'map(.skipped) | add' '$C/sources.jsonl'"
	check_output "hashtags from the sample's entities" "$(jq -r '.data[].entities.hashtags[]?.tag' "$S/geo_tweets.jsonl" | sort -u | tr '\n' ' ')" \
		sh -c "'$QUIRE' show -c '$C' twitter:1249702384659554308 | jq -r '.hashtags[]' | sort -u | tr '\n' ' '"
	check_output "the sample video: best MP4 by bit rate" \
		"$(jq -r '[.includes.media[0].variants[] | select(.content_type == "video/mp4")] | max_by(.bit_rate) | .url' "$S/media_tweet.jsonl")" \
		sh -c "'$QUIRE' show -c '$C' twitter:1558553189766631429 | jq -r '.media[0].url'"
else
	for i in 1 2 3 4 5 6 7; do skip "twarc2 sample check $i" "no $S"; done
fi
