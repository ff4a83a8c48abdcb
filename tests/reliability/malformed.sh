#!/bin/sh
# Malformed records: invalid UTF-8, NUL bytes, a 100 MB line, JSON nested a
# million deep, numbers out of range, and a wrong type in every field the
# twitter-v1 reader uses.  Each bad record sits between good ones; each
# must be rejected with its file, member, line, byte and reason (checked in
# rejects.jsonl against where it really is), and every good record must be
# ingested.
# Prints: malformed: N records, rejected as expected: N, good ingested: N of N
# Parameters: LONG (bytes of the long line, 100000000).
. tests/cli/lib.sh

LONG=${LONG:-100000000}
command -v jq >/dev/null 2>&1 || { skip "malformed records" "jq is not installed"; exit 0; }
C="$T/c"
good_n=0
bad_n=0

# A good record with id N.
good() {
	good_n=$((good_n + 1))
	printf '{"created_at":"Wed Jun 03 14:%02d:00 +0000 2020","id_str":"12681700000%08d","text":"good record %d #BLM","user":{"id_str":"42","screen_name":"good_demo","name":"Good"},"entities":{"hashtags":[{"text":"BLM"}],"user_mentions":[],"urls":[]},"retweet_count":3}\n' \
		$(($1 % 60)) "$1" "$1"
	echo "12681700000$(printf %08d "$1")" >>"$T/good.ids"
}
BASE='{"created_at":"Wed Jun 03 14:05:11 +0000 2020","id_str":"1268179999900000001","id":1268179999900000001,"text":"base #BLM","truncated":false,"lang":"en","user":{"id":42,"id_str":"42","screen_name":"base_demo","name":"Base"},"entities":{"hashtags":[{"text":"BLM"}],"user_mentions":[{"screen_name":"x"}],"urls":[{"url":"https://t.co/a","expanded_url":"https://example.org/"}],"media":[{"type":"photo","media_key":"3_1","id_str":"1","media_url_https":"https://pbs.example/a.jpg","video_info":{"variants":[{"url":"https://v.example/a.mp4","content_type":"video/mp4","bitrate":1}],"duration_millis":10}}]},"extended_tweet":{"full_text":"base","entities":{"hashtags":[]}},"place":{"full_name":"Dallas"},"retweet_count":1,"favorite_count":2,"reply_count":3,"quote_count":4,"quoted_status_id_str":"5","in_reply_to_status_id_str":"6"}'

# bad LINE REASON-PATTERN: a bad record (its bytes on stdin) and the
# reason rejects.jsonl must give for it.
# (Called in pipelines, so counted from the files, not in a variable.)
expect() { printf '%s\t%s\n' "$1" "$2" >>"$T/$3.expect"; }

# ---- one file of assorted damage ----
f="$T/assorted.jsonl"
: >"$f"
: >"$T/good.ids"
k=0
add_good() { k=$((k + 1)); good $k >>"$f"; }
add_bad() { # reason-pattern, record bytes from stdin
	cat >>"$f"
	expect "$(wc -l <"$f")" "$1" assorted
}
add_good
printf '{"created_at":"Wed Jun 03 14:05:11 +0000 2020","id_str":"1268179999900000002","text":"bad \377\376 bytes","user":{"screen_name":"a"}}\n' | add_bad "invalid UTF-8 at byte"
add_good
printf '{"created_at":"Wed Jun 03 14:05:11 +0000 2020","id_str":"1268179999900000003","text":"nul \000 byte","user":{"screen_name":"a"}}\n' | add_bad "NUL byte at byte"
add_good
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "["; for (i = 0; i < 1000000; i++) printf "]"; printf "\n" }' | add_bad "JSON nested more than 1000 deep"
add_good
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "{\"a\":"; printf "1"; for (i = 0; i < 1000000; i++) printf "}"; printf "\n" }' | add_bad "JSON nested more than 1000 deep"
add_good
echo "$BASE" | jq -c '.retweet_count = 1e999' | add_bad "retweet_count is not a whole number within range"
add_good
echo "$BASE" | jq -c '.favorite_count = -9.3e18' | add_bad "favorite_count is not a whole number within range"
add_good
echo "$BASE" | jq -c '.id_str = "123456789012345678901234567890"' | add_bad "id_str is not an id"
add_good
echo "$BASE" | jq -c '.id = -5' | add_bad "id is out of range for an id"
add_good
echo "$BASE" | jq -c '.created_at = "Wed Jun 03 14:05:11 +0000 99999"' | add_bad "created_at is not a Twitter time"
add_good
echo "$BASE" | jq -c '.created_at = "Wed Jun 33 14:05:11 +0000 2020"' | add_bad "created_at is not a Twitter time"
add_good
printf '{"created_at":"Wed Jun 03 14:05:11 +0000 2020","id_str":"1268179999900000009","text":"cut\n' | add_bad "JSON|unterminated"
add_good

# ---- a wrong type in every field the reader uses (inside a zip, so
# that the member is named too) ----
t="$T/types.jsonl"
: >"$t"
k=100
while IFS='	' read -r path value reason; do
	k=$((k + 1))
	good $k >>"$t"
	echo "$BASE" | jq -c --argjson v "$value" "$path = \$v" >>"$t"
	expect "$(wc -l <"$t")" "$reason" types
done <<'EOF'
.id_str	{}	id_str is not an id
.id	"x"	id is not an id (digits)
.created_at	5	created_at is not a string
.lang	[]	lang is not a string
.text	true	text is not a string
.full_text	1	full_text is not a string
.truncated	"no"	truncated is not true or false
.user	"u"	user is not an object
.user.id_str	[1]	user.id_str is not an id
.user.id	"x1"	user.id is not an id (digits)
.user.screen_name	7	user.screen_name is not a string
.user.name	{}	user.name is not a string
.extended_tweet	"t"	extended_tweet is not an object
.extended_tweet.full_text	9	extended_tweet.full_text is not a string
.entities	[]	entities is not an object
.extended_entities	1	extended_entities is not an object
.extended_tweet.entities	"e"	extended_tweet.entities is not an object
.extended_tweet.extended_entities	true	extended_tweet.extended_entities is not an object
.retweeted_status	"r"	retweeted_status is not an object
.retweeted_status.user	5	retweeted_status.user is not an object
.retweeted_status.text	{}	retweeted_status.text is not a string
.quoted_status	[]	quoted_status is not an object
.quoted_status.id_str	1.5	quoted_status.id_str is out of range for an id
.quoted_status_id_str	{}	quoted_status_id_str is not an id
.in_reply_to_status_id_str	"abc"	in_reply_to_status_id_str is not an id (digits)
.retweet_count	"many"	retweet_count is not a whole number within range
.favorite_count	{}	favorite_count is not a number
.reply_count	1.5	reply_count is not a whole number within range
.quote_count	[]	quote_count is not a number
.place	"p"	place is not an object
.place.full_name	3	place.full_name is not a string
.entities.hashtags	"h"	entities.hashtags is not an array
.entities.hashtags	[1]	entities.hashtags[0] is not an object
.entities.hashtags	[{"text":1}]	entities.hashtags[0].text is not a string
.entities.user_mentions	{}	entities.user_mentions is not an array
.entities.user_mentions	[{"screen_name":[]}]	entities.user_mentions[0].screen_name is not a string
.entities.urls	[{"url":1}]	entities.urls[0].url is not a string
.entities.urls	[{"expanded_url":{}}]	entities.urls[0].expanded_url is not a string
.entities.media	"m"	entities.media is not an array
.entities.media	[{"type":1}]	entities.media[0].type is not a string
.entities.media	[{"media_key":2}]	entities.media[0].media_key is not a string
.entities.media	[{"id_str":"z"}]	entities.media[0].id_str is not an id
.entities.media	[{"ext_alt_text":3}]	entities.media[0].ext_alt_text is not a string
.entities.media	[{"media_url_https":4}]	entities.media[0].media_url_https is not a string
.entities.media	[{"media_url":5}]	entities.media[0].media_url is not a string
.entities.media	[{"video_info":"v"}]	entities.media[0].video_info is not an object
.entities.media	[{"video_info":{"variants":{}}}]	entities.media[0].video_info.variants is not an array
.entities.media	[{"video_info":{"variants":[{"url":1}]}}]	entities.media[0].video_info.variants[0].url is not a string
.entities.media	[{"video_info":{"variants":[{"content_type":1}]}}]	entities.media[0].video_info.variants[0].content_type is not a string
.entities.media	[{"video_info":{"variants":[{"bitrate":"fast"}]}}]	entities.media[0].video_info.variants[0].bitrate is not a whole number
.entities.media	[{"video_info":{"duration_millis":true}}]	entities.media[0].video_info.duration_millis is not a number
.extended_entities	{"media":[{"type":[]}]}	extended_entities.media[0].type is not a string
.extended_tweet.entities	{"hashtags":[{"text":false}]}	extended_tweet.entities.hashtags[0].text is not a string
.retweeted_status	{"entities":{"urls":"u"}}	retweeted_status.entities.urls is not an array
EOF
good $((k + 1)) >>"$t"
(cd "$T" && zip -q -X types.zip types.jsonl)

# ---- the 100 MB line (plain: no compression, so that the record cap is
# what stops it, not the bomb check) ----
l="$T/long.jsonl"
good 900 >"$l"
{ printf '{"text":"'; head -c "$LONG" /dev/zero | tr '\0' 'x'; printf '"}\n'; } >>"$l"
expect 2 "record is longer than 16777216 bytes" long
good 901 >>"$l"

TIME=/usr/bin/time
[ -x "$TIME" ] || TIME=""
MAX_RSS_KB=$((256 * 1024))
# Sanitizers keep freed memory in quarantine: the bound is for real builds.
case $B in *asan* | *ubsan* | *coverage*) MAX_RSS_KB=$((4096 * 1024)) ;; esac
${TIME:+$TIME -f %M -o "$T/rss"} "$QUIRE" ingest -q -c "$C" "$f" "$T/types.zip" "$l" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && ok "the ingest goes on past every bad record (exit 0)" || not_ok "exit 0 (exit $rc)" "$(cat "$T/err")"

# Each expected rejection: same file, member, line, byte (the line's start
# in the file) and a reason that says what is wrong.
matched=0
check_rejects() { # name path member input grep-mode
	while IFS='	' read -r line pattern; do
		byte=$(head -n $((line - 1)) "$2" | wc -c)
		got=$(jq -r --arg p "$4" --arg m "$3" --argjson l "$line" \
			'select(.path == $p and (.member // "") == $m and .line == $l) | "\(.byte)\t\(.reason)"' \
			"$C/rejects.jsonl")
		gbyte=$(printf '%s' "$got" | cut -f1)
		reason=$(printf '%s' "$got" | cut -f2-)
		if [ "$gbyte" = "$byte" ] && printf '%s' "$reason" | grep -q "$5" -- "$pattern"; then
			matched=$((matched + 1))
		else
			not_ok "$1 line $line: rejected at byte $byte because /$pattern/" "got: $got"
		fi
	done <"$T/$1.expect"
}
check_rejects assorted "$f" "" "$f" -E
check_rejects types "$t" "types.jsonl" "$T/types.zip" -F
check_rejects long "$l" "" "$l" -F
bad_n=$(cat "$T"/*.expect | wc -l)
"$QUIRE" search -c "$C" -f ids -n 0 '' | sort >"$T/ids"
sort "$T/good.ids" >"$T/good.sorted"
missing=$(comm -23 "$T/good.sorted" "$T/ids" | wc -l)
extra=$(comm -13 "$T/good.sorted" "$T/ids" | wc -l)
nrej=$(grep -c '"severity":"record"' "$C/rejects.jsonl")
rss=$(tail -1 "$T/rss" 2>/dev/null || echo 0)

# Bad CSV quoting: only when there is a CSV reader.
if "$QUIRE" formats | grep -q '^csv '; then
	printf 'id,when,text\n1,2020-06-03T10:00:00Z,"good"\n2,2020-06-03T10:01:00Z,"bad "quote" here\n3,2020-06-03T10:02:00Z,"also good"\n' >"$T/bad.csv"
	printf '{"name":"t","input":"csv","require":["id","when","text"],"fields":{"id":"id","platform":{"value":"test"},"created_at":"when","text":"text"}}\n' >"$T/map.json"
	"$QUIRE" ingest -q -c "$T/csv" --mapping "$T/map.json" "$T/bad.csv" >/dev/null 2>&1
	# jq 1.6's -e looks at the last output only: collect with -s.
	if jq -s -e 'map(select(.severity == "record")) | length == 1 and .[0].line == 3 and (.[0].reason | test("quot"))' \
		"$T/csv/rejects.jsonl" >/dev/null 2>&1 &&
		[ "$("$QUIRE" count -c "$T/csv" '' 2>/dev/null)" = 2 ]; then
		ok "bad CSV quoting is rejected with its line, the rows around it go in"
	else
		not_ok "bad CSV quoting is rejected with its line, the rows around it go in" "$(cat "$T/csv/rejects.jsonl" 2>&1)"
	fi
else
	skip "bad CSV quoting" "no CSV reader in this tree ('quire formats')"
fi

echo "# malformed: $bad_n records, rejected as expected: $matched, good ingested: $((good_n - missing)) of $good_n; peak memory $((rss / 1024)) MB"
[ "$matched" -eq "$bad_n" ] && ok "every bad record rejected with file, member, line, byte and reason ($matched)" ||
	not_ok "every bad record rejected as expected ($matched of $bad_n)"
[ "$nrej" -eq "$bad_n" ] && ok "nothing else rejected" || not_ok "nothing else rejected ($nrej rejects for $bad_n bad records)"
[ "$missing" -eq 0 ] && [ "$extra" -eq 0 ] && ok "every good record ingested ($good_n)" ||
	not_ok "every good record ingested ($missing missing, $extra unexpected)"
[ "$rss" -lt "$MAX_RSS_KB" ] && ok "peak memory under $((MAX_RSS_KB / 1024)) MB ($((rss / 1024)) MB)" ||
	not_ok "peak memory under $((MAX_RSS_KB / 1024)) MB ($((rss / 1024)) MB)"
